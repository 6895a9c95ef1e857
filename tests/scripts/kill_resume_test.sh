#!/usr/bin/env bash
# kill_resume_test.sh BUILD_DIR SOURCE_DIR - crash safety of the long-running commands
# (docs/reliability.md, "Crash safety"): each is killed with SIGKILL part-way, then
#   synth ir --overwrite   the previous dataset is intact (same manifest bytes), no half dataset;
#   index build           killed after its first saved chunk: no index at OUT (only OUT.partial),
#                         `--resume` reuses the saved chunks and finishes, the result verifies
#                         and its descriptors equal an uninterrupted build's;
#   train ir              the last checkpoint loads, `--resume` finishes the remaining epochs and
#                         log.jsonl holds every epoch exactly once.
# The kill moment is found by polling for the first sign of progress (a staging folder, a
# checkpoint), so the test does not depend on the machine's speed.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
BIN="$BUILD/bin/crossview"
mkdir -p "$BUILD/test_tmp"
WORK=$(mktemp -d "$BUILD/test_tmp/crossview-kill.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() { echo "kill_resume_test: FAIL: $*" >&2; exit 1; }
if ! "$BIN" data verify >/dev/null 2>&1; then
  [ "${CI:-}" = "true" ] && fail "the aerial imagery cache is missing (run scripts/setup.sh)"
  echo "skipping: the aerial imagery cache is missing (run scripts/setup.sh)"; exit 77
fi
cd "$SRC"

# wait_for CMD... : poll (0.05 s) until CMD succeeds, for at most 300 s.
wait_for() {
  for _ in $(seq 6000); do "$@" && return 0; sleep 0.05; done
  return 1
}
kill9() { kill -9 "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# 1. synth ir: a dataset, then an --overwrite run of another seed killed while it renders.
"$BIN" synth -q ir --preset tiny --seed 1 --out "$WORK/ir"
before=$(sha256sum "$WORK/ir/manifest.json" | cut -d' ' -f1)
"$BIN" synth -q ir --preset tiny --seed 2 --out "$WORK/ir" --overwrite >/dev/null 2>&1 &
pid=$!
staging() { [ -n "$(ls -A "$WORK" | grep -v '^ir$')" ]; }  # the staging folder beside the output
wait_for staging || { kill9 $pid; fail "synth showed no staging folder beside the output"; }
sleep 0.1
kill -0 $pid 2>/dev/null || fail "synth finished before it could be killed (make the test dataset larger)"
kill9 $pid
after=$(sha256sum "$WORK/ir/manifest.json" | cut -d' ' -f1)
[ "$before" = "$after" ] || fail "synth killed mid-run changed the previous dataset's manifest"
"$BIN" synth -q ir --preset tiny --seed 2 --out "$WORK/ir" --overwrite || fail "synth after the kill failed"
[ "$(sha256sum "$WORK/ir/manifest.json" | cut -d' ' -f1)" != "$before" ] || fail "the rerun did not replace the dataset"
echo "kill_resume_test: synth killed mid-run: previous dataset intact; a rerun replaces it"

# 2. index build: killed after the first batch, then --resume.
"$BIN" synth map -q --out "$WORK/map.tif" --textures town-europe --tile-m 500 --seed 2
build_index() { "$BIN" index build -q --map "$WORK/map.tif" --checkpoint models/demo/retrieval --tile-m 100 --stride-m 50 --chunk-tiles 16 "$@"; }
build_index --out "$WORK/idx-ref"
build_index --out "$WORK/idx" >/dev/null 2>&1 &
pid=$!
# Killed as soon as the first of its 6 descriptor chunks is saved (the resume granularity).
first_chunk() { [ -n "$(ls -A "$WORK/idx.partial/chunks" 2>/dev/null)" ]; }
wait_for first_chunk || { kill9 $pid; fail "index build saved no chunk in OUT.partial/chunks"; }
kill -0 $pid 2>/dev/null || fail "index build finished before it could be killed"
kill9 $pid
[ ! -e "$WORK/idx" ] || fail "a killed index build left something at OUT"
"$BIN" index info "$WORK/idx.partial" >/dev/null 2>&1 && fail "the partial build verifies as an index"
build_index --out "$WORK/idx" --resume || fail "index build --resume failed"
"$BIN" index info "$WORK/idx" >/dev/null || fail "the resumed index does not verify"
[ ! -e "$WORK/idx.partial" ] || fail "OUT.partial left behind after the resume"
cmp -s "$WORK/idx/descriptors.npy" "$WORK/idx-ref/descriptors.npy" || fail "resumed descriptors differ from an uninterrupted build"
echo "kill_resume_test: index build killed mid-run: nothing at OUT; --resume gives the same descriptors"

# 3. train ir: killed after the first epoch's checkpoint, then --resume.
train() { "$BIN" train -q ir --method baseline --preset cpu-tiny --data "$WORK/ir" --out "$WORK/run" --epochs 3 --set train.eval_every=0 "$@"; }
train >/dev/null 2>&1 &
pid=$!
wait_for test -s "$WORK/run/checkpoint.pt" || { kill9 $pid; fail "train wrote no checkpoint"; }
kill9 $pid
epochs_done=$(wc -l <"$WORK/run/log.jsonl")
[ "$epochs_done" -lt 3 ] || fail "train finished before it could be killed"
train --resume >/dev/null || fail "train --resume failed after the kill"
/usr/bin/python3 - "$WORK/run/log.jsonl" <<'EOF' || fail "log.jsonl does not hold epochs 0, 1, 2 exactly once"
import json, sys
epochs = [json.loads(line)["epoch"] for line in open(sys.argv[1]) if line.strip()]
sys.exit(0 if epochs == [0, 1, 2] else 1)
EOF
[ -f "$WORK/run/model.pt" ] || fail "the resumed run wrote no model"
echo "kill_resume_test: train killed after $epochs_done epoch(s): --resume finished epochs $epochs_done..2, log has each once"
