#!/usr/bin/env bash
# train-demo-models.sh [BUILD_DIR] - retrains the two small models `make demo` ships in models/demo/.
#
# Every step is a crossview command with a fixed seed; the results of the run that produced the
# shipped files are in models/demo/README.md and models/demo/metrics.json (checked by the test
# demo_models_test). Work goes to $CROSSVIEW_TRAIN_OUT (default out/train-demo); the shipped
# files are copied into models/demo/ only with --install.
set -euo pipefail
BUILD=${1:-build}
INSTALL=${2:-}
BIN="$BUILD/bin/crossview"
OUT=${CROSSVIEW_TRAIN_OUT:-out/train-demo}
[ -x "$BIN" ] || { echo "train-demo-models.sh: $BIN not built; run 'make build'" >&2; exit 1; }
mkdir -p "$OUT"

# 1. Data: University-1652 layout (retrieval) and UL14 layout (DRL) from the train families of the
#    real orthophotos; the demo map is made of test families only.
"$BIN" synth -q ir --preset ci --seed 7 --out "$OUT/ir-data" --overwrite
"$BIN" synth -q drl --preset ci --seed 7 --out "$OUT/drl-data" --overwrite

# 2. Retrieval: MSBA (ResNet-50 at base width 16, input 128) from scratch, preset cpu-ci.
rm -rf "$OUT/retrieval"
"$BIN" train -q ir --method msba --preset cpu-ci --data "$OUT/ir-data" --out "$OUT/retrieval"

# 3. DRL: small Mix-Fusion CvT from scratch, preset cpu-ci with the plain balance weighting
#    (w_neg = 1: the paper's w_neg = 130 collapses to an all-negative heatmap when training from
#    scratch on 64 places) and 80 epochs.
rm -rf "$OUT/drl"
"$BIN" train -q drl --arch mix --preset cpu-ci --data "$OUT/drl-data" --out "$OUT/drl" --epochs 80 --set loss.w_neg=1

# 4. Evaluate both on their test splits (the figures in models/demo/metrics.json).
"$BIN" eval -q ir --model "$OUT/retrieval" --data "$OUT/ir-data" --json > "$OUT/retrieval-eval.json"
"$BIN" eval -q drl --model "$OUT/drl" --data "$OUT/drl-data" --json > "$OUT/drl-eval.json"

if [ "$INSTALL" = "--install" ]; then
  rm -rf models/demo/retrieval models/demo/drl
  mkdir -p models/demo/retrieval models/demo/drl
  cp "$OUT/retrieval/model.json" "$OUT/retrieval/model.pt" models/demo/retrieval/
  cp "$OUT/drl/drl_model.json" "$OUT/drl/drl_model.pt" models/demo/drl/
  echo "installed into models/demo/"
fi
