#!/usr/bin/env bash
# fuzz_smoke.sh - CTest entry `fuzz_smoke` (docs/reliability.md): build the libFuzzer targets with
# clang in a second tree (CROSSVIEW_FUZZ=ON, CROSSVIEW_WITH_TORCH=OFF), replay every input of
# tests/fuzz/regressions/, then fuzz each target for a bounded time on its seeds.
#
# Usage: fuzz_smoke.sh SOURCE_DIR TREE GENERATOR
# Environment: CROSSVIEW_FUZZ_SECONDS (default 10) per target; CROSSVIEW_FUZZ_JOBS (default 2)
#              build parallelism. Without clang++ the test is skipped (exit 77), or fails when CI=true.
# New inputs the fuzzer finds go to TREE/corpus/<target>/ (never into the source tree); a crash
# leaves its input in TREE/artifacts/ - fix it and copy the input to tests/fuzz/regressions/<corpus>/.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 SOURCE_DIR TREE GENERATOR" >&2; exit 2; }
src=$1 tree=$2 generator=$3
seconds=${CROSSVIEW_FUZZ_SECONDS:-10}
jobs=${CROSSVIEW_FUZZ_JOBS:-2}

if ! command -v clang++ >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then
    echo "fuzz_smoke: clang++ not found and CI=true: install clang and libclang-rt-14-dev (scripts/setup.sh)" >&2
    exit 1
  fi
  echo "fuzz_smoke: SKIPPED: clang++ not found (install clang and libclang-rt-14-dev, or run scripts/setup.sh)"
  exit 77
fi

start=$SECONDS
mkdir -p "$tree"
if ! cmake -S "$src" -B "$tree" -G "$generator" -Wno-dev \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
    -DCROSSVIEW_FUZZ=ON -DCROSSVIEW_WITH_TORCH=OFF -DCROSSVIEW_BUILD_TESTS=OFF -DCROSSVIEW_BUILD_BENCH=OFF \
    >"$tree/configure.log" 2>&1; then
  cat "$tree/configure.log"
  echo "fuzz_smoke: configure failed (log above)" >&2
  exit 1
fi
if ! cmake --build "$tree" -j "$jobs" --target fuzzers >"$tree/build.log" 2>&1; then
  tail -n 60 "$tree/build.log"
  echo "fuzz_smoke: build failed (last lines above; full log $tree/build.log)" >&2
  exit 1
fi
echo "fuzz_smoke: configured and built the fuzzers in $((SECONDS - start)) s"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$src/tests/fuzz/lsan.supp:print_suppressions=0}"
status=0
while IFS=: read -r name corpus; do
  [ -n "$name" ] || continue
  bin=$tree/fuzz/$name
  seeds=$src/tests/fuzz/corpus/$corpus
  regressions=$src/tests/fuzz/regressions/$corpus
  work=$tree/corpus/$corpus
  mkdir -p "$work" "$tree/artifacts"
  # 1. Every regression input once (each file is run and must not crash).
  mapfile -t inputs < <(find "$regressions" -type f ! -name '.gitkeep' 2>/dev/null | sort)
  if [ "${#inputs[@]}" -gt 0 ] && ! "$bin" -runs=1 "${inputs[@]}" >"$tree/$name.regressions.log" 2>&1; then
    tail -n 40 "$tree/$name.regressions.log"
    echo "fuzz_smoke: $name: a regression input crashes again (log $tree/$name.regressions.log)" >&2
    status=1
    continue
  fi
  # 2. Bounded fuzzing: new inputs into the work corpus, seeds and regressions read-only.
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$tree/artifacts/$name-" "$work" "$seeds" "$regressions" >"$tree/$name.log" 2>&1; then
    execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$tree/$name.log")
    cov=$(grep -o 'cov: [0-9]*' "$tree/$name.log" | tail -n1)
    echo "fuzz_smoke: $name: ok, ${execs:-?} runs in ${seconds} s, ${cov:-cov: ?}, ${#inputs[@]} regression inputs"
  else
    tail -n 60 "$tree/$name.log"
    echo "fuzz_smoke: $name: FAILED - input saved under $tree/artifacts/ (log $tree/$name.log)" >&2
    status=1
  fi
done <"$tree/fuzzers.txt"
echo "fuzz_smoke: total $((SECONDS - start)) s"
exit $status
