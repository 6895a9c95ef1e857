#!/usr/bin/env bash
# sanitizer_unit_tests.sh - CTest entry `sanitizer_unit_tests` (docs/reliability.md): configure and
# build a second tree with CROSSVIEW_WITH_TORCH=OFF and CROSSVIEW_SANITIZE=address,undefined, then
# run its non-torch unit tests (util, geo, data, datasets, index, transforms, checkpoint_format).
#
# Usage: sanitizer_unit_tests.sh SOURCE_DIR TREE GENERATOR CXX SHARED_DIR
# Environment: CROSSVIEW_SANITIZE_JOBS (default 2) build and test parallelism;
#              CROSSVIEW_SANITIZE_WITH (default address,undefined), e.g. thread.
# The tree is reused between runs (incremental); delete it for a clean measurement.
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: $0 SOURCE_DIR TREE GENERATOR CXX SHARED_DIR" >&2; exit 2; }
src=$1 tree=$2 generator=$3 cxx=$4 shared=$5
jobs=${CROSSVIEW_SANITIZE_JOBS:-2}
sanitize=${CROSSVIEW_SANITIZE_WITH:-address,undefined}
targets=(util_test geo_test data_test datasets_test index_test transforms_test checkpoint_format_test)

start=$SECONDS
mkdir -p "$tree"
# Debug with -O1: the sanitizers' usual setting; cheaper to compile than -O2 and still fast to run.
if ! cmake -S "$src" -B "$tree" -G "$generator" -Wno-dev \
    -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
    -DCROSSVIEW_WITH_TORCH=OFF -DCROSSVIEW_BUILD_BENCH=OFF -DCROSSVIEW_BUILD_TESTS=ON \
    -DCROSSVIEW_SANITIZE="$sanitize" -DCROSSVIEW_SHARED_DIR="$shared" >"$tree/configure.log" 2>&1; then
  cat "$tree/configure.log"
  echo "sanitizer_unit_tests: configure failed (log above)" >&2
  exit 1
fi
echo "sanitizer_unit_tests: configured $tree (-fsanitize=$sanitize) in $((SECONDS - start)) s"

build_start=$SECONDS
if ! cmake --build "$tree" -j "$jobs" --target "${targets[@]}" >"$tree/build.log" 2>&1; then
  tail -n 60 "$tree/build.log"
  echo "sanitizer_unit_tests: build failed (last lines above; full log $tree/build.log)" >&2
  exit 1
fi
echo "sanitizer_unit_tests: built ${#targets[@]} test executables in $((SECONDS - build_start)) s"

# Findings are fatal: ASan and UBSan stop the test with a stack trace (UBSan is built with
# -fno-sanitize-recover). LSan runs at exit with the suppressions for Debian's libraries.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_init_order=1:check_initialization_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$src/tests/fuzz/lsan.supp:print_suppressions=0}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"
test_start=$SECONDS
# Only the unit label (the tree also defines integration tests it never builds); tests of
# targets not built here are the *_NOT_BUILT placeholders.
status=0
ctest --test-dir "$tree" -L unit -E '_NOT_BUILT$' -j "$jobs" --output-on-failure --timeout 600 || status=$?
echo "sanitizer_unit_tests: ctest in $((SECONDS - test_start)) s; total $((SECONDS - start)) s"
exit $status
