#!/usr/bin/env bash
# demo.sh [BUILD_DIR] - the main job on its embedded default (called by `make demo`).
#
# Until the localization product lands (issue 7), the demo runs the best end-to-end job that
# exists, on real aerial imagery fetched by the setup:
#   1. synthesise a small University-1652-layout benchmark from real orthophotos (seeded);
#   2. train MSBA from scratch on it (CPU preset), with evaluation on unseen places;
#   3. print the retrieval metrics and where to look (contact sheet, logs, metrics JSON).
# Outputs go to $CROSSVIEW_DEMO_OUT (default: out/demo); a re-run starts fresh.
set -euo pipefail
BUILD=${1:-build}
BIN="$BUILD/bin/crossview"
OUT=${CROSSVIEW_DEMO_OUT:-out/demo}
[ -x "$BIN" ] || { echo "demo.sh: $BIN not built; run 'make build'" >&2; exit 1; }
mkdir -p "$OUT"

"$BIN" version
echo
echo "== 1/3 synthesising a benchmark from real orthophotos (preset ci, seed 7) =="
"$BIN" synth ir --preset ci --seed 7 --out "$OUT/ir-data" --overwrite
echo
echo "== 2/3 training MSBA from scratch on the CPU (preset cpu-ci) =="
rm -rf "$OUT/ir-run"
"$BIN" train ir --method msba --preset cpu-ci --data "$OUT/ir-data" --out "$OUT/ir-run"
echo
echo "== 3/3 results =="
cat "$OUT/ir-run/eval.json"
echo
echo "Look at: $OUT/ir-data/contact_sheet.png (drone and satellite views of real places),"
echo "         $OUT/ir-run/log.jsonl (training curve), $OUT/ir-run/eval.json (Recall@K, AP)."
echo "Drone views are rendered from the same orthophotos as the satellite views under a flat-ground model."
