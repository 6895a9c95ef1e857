#!/usr/bin/env bash
# demo.sh [BUILD_DIR] - the main job on its embedded default (called by `make demo`).
#
# GPS-denied localization of a simulated flight over a real-imagery georeferenced map, with the
# two small models the project trained itself (models/demo/, retrained by
# scripts/train-demo-models.sh; figures in models/demo/README.md):
#   1. a 2 x 2 km north-up GeoTIFF mosaic of real orthophotos (test families, unseen in training)
#      and a 60-frame drone flight over it at 100 m (seeded);
#   2. a tile gallery index of the map (120 m tiles every 40 m) with the retrieval model;
#   3. the flight localised frame by frame: retrieval only, then retrieval + DRL refinement;
#   4. a report: R@1 and MA@10/20/50 for both tracks, an HTML page with the map, the true and
#      estimated tracks and example heatmaps.
# Every number printed is explained in docs/demo.md. Outputs go to $CROSSVIEW_DEMO_OUT
# (default: out/demo); a re-run starts fresh.
set -euo pipefail
BUILD=${1:-build}
BIN="$BUILD/bin/crossview"
OUT=${CROSSVIEW_DEMO_OUT:-out/demo}
MODELS=${CROSSVIEW_DEMO_MODELS:-models/demo}
[ -x "$BIN" ] || { echo "demo.sh: $BIN not built; run 'make build'" >&2; exit 1; }
for m in "$MODELS/retrieval/model.json" "$MODELS/drl/drl_model.json"; do
  [ -f "$m" ] || { echo "demo.sh: $m is missing; run scripts/train-demo-models.sh $BUILD --install" >&2; exit 1; }
done
rm -rf "$OUT"
mkdir -p "$OUT"
start=$(date +%s)

"$BIN" version
"$BIN" data verify >/dev/null 2>&1 || "$BIN" data fetch
echo
echo "== 1/4 a georeferenced map of real orthophotos and a simulated flight (seed 0) =="
"$BIN" synth map --out "$OUT/map.tif" --flight "$OUT/flight" --frames 60 --seed 0
echo
echo "== 2/4 indexing the map: 120 m tiles every 40 m, described by the retrieval model =="
"$BIN" index build --map "$OUT/map.tif" --checkpoint "$MODELS/retrieval" --out "$OUT/index" \
  --tile-m 120 --stride-m 40 --type flat
"$BIN" index info "$OUT/index"
echo
echo "== 3/4 localising the flight frame by frame (compass heading from the flight log) =="
echo "-- retrieval only"
"$BIN" locate --index "$OUT/index" --sequence "$OUT/flight" --truth "$OUT/flight/truth.csv" \
  --headings "$OUT/flight/truth.csv" --out "$OUT/track-retrieval"
echo "-- retrieval + DRL refinement"
"$BIN" locate --index "$OUT/index" --sequence "$OUT/flight" --truth "$OUT/flight/truth.csv" \
  --headings "$OUT/flight/truth.csv" --refine drl --drl-checkpoint "$MODELS/drl" \
  --heatmaps "$OUT/heatmaps" --out "$OUT/track-drl"
echo
echo "== 4/4 report =="
"$BIN" report flight --index "$OUT/index" --flight "$OUT/flight" \
  --track "retrieval=$OUT/track-retrieval" --track "retrieval+drl=$OUT/track-drl:$OUT/heatmaps" \
  --ks 10,20,50 --title "crossview demo: a simulated flight over real orthophotos" \
  --note "Models: $MODELS (trained by scripts/train-demo-models.sh). Numbers explained in docs/demo.md." \
  --out "$OUT/report"
echo
echo "Demo finished in $(( $(date +%s) - start )) s."
echo "Open $OUT/report/report.html (map, true and estimated tracks, error curves, heatmaps);"
echo "figures in $OUT/report/report.json; every number is explained in docs/demo.md."
