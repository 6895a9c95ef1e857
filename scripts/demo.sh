#!/usr/bin/env bash
# demo.sh BUILD_DIR - the main job on its embedded default (called by `make demo`).
set -euo pipefail
BUILD=${1:-build}
BIN="$BUILD/bin/crossview"
[ -x "$BIN" ] || { echo "demo.sh: $BIN not built; run 'make build'" >&2; exit 1; }
"$BIN" version
