# crossview quick start:
#   make demo   set up (if needed), build, run the main job on its embedded default
#   make test   set up (if needed), build, run the whole test suite through CTest
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all setup configure build test demo bench clean

all: build

setup:
	@bash scripts/setup.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

configure: setup $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

demo: build
	@bash scripts/demo.sh $(BUILD_DIR)

# Speed and memory (docs/performance.md): micro benchmarks, crossview bench, PyTorch side by side.
bench: build
	@mkdir -p out/bench
	$(BUILD_DIR)/bench/micro_bench --benchmark_out=out/bench/micro.json --benchmark_out_format=json
	$(BUILD_DIR)/bin/crossview bench --what descriptors,drl,search --out out/bench
	/usr/bin/python3 bench/pytorch_side_by_side.py --crossview $(BUILD_DIR)/bin/crossview --out out/bench

clean:
	rm -rf $(BUILD_DIR)
