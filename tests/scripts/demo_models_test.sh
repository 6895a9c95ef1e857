#!/usr/bin/env bash
# demo_models_test.sh BUILD_DIR SOURCE_DIR - the shipped demo models reproduce their documented
# metrics (models/demo/metrics.json):
#   1. the retrieval model on the synth ir ci seed 7 test split (eval ir, D->S and S->D);
#   2. the DRL model on the synth drl ci seed 7 test split (eval drl);
#   3. the demo itself (scripts/demo.sh): R@1 and MA@10/20/50 of both tracks.
# Tolerances: 0.5 percentage points for the eval metrics, one frame (1/60) for the demo's
# fractions (float sums may differ in the last bits between machines and flip a near tie).
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
BIN="$BUILD/bin/crossview"
mkdir -p "${TMPDIR:-/tmp}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/crossview-demo-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
if ! "$BIN" data verify >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then echo "the aerial imagery cache is missing (run scripts/setup.sh)" >&2; exit 1; fi
  echo "skipping: the aerial imagery cache is missing (run scripts/setup.sh)"; exit 77
fi
cd "$SRC"
"$BIN" synth -q ir --preset ci --seed 7 --out "$WORK/ir-data"
"$BIN" synth -q drl --preset ci --seed 7 --out "$WORK/drl-data"
"$BIN" eval -q ir --model models/demo/retrieval --data "$WORK/ir-data" --json > "$WORK/retrieval-eval.json"
"$BIN" eval -q drl --model models/demo/drl --data "$WORK/drl-data" --json > "$WORK/drl-eval.json"
CROSSVIEW_DEMO_OUT="$WORK/demo" bash scripts/demo.sh "$BUILD" > "$WORK/demo.log"
/usr/bin/python3 "$SRC/tests/scripts/compare_demo_metrics.py" models/demo/metrics.json "$WORK/retrieval-eval.json" "$WORK/drl-eval.json" \
  "$WORK/demo/report/report.json" "$WORK/demo.log"
