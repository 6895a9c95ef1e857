#!/usr/bin/env bash
# service_load_test.sh BUILD_DIR SOURCE_DIR - load and fault test of `crossview serve` on loopback
# (docs/reliability.md, "Service under load").
#
#   1. a small real-imagery map (one test-family texture, 600 m), a 4-frame flight for query
#      images, an index of 81 tiles with the shipped demo retrieval model;
#   2. load: wrk with CROSSVIEW_LOAD_CONNECTIONS (8) connections on 2 threads for
#      CROSSVIEW_LOAD_SECONDS (10) s of POST /v1/locate (a JPEG frame): time- and count-bounded,
#      it stops by itself. Passes when every response is 2xx (503 from the bounded queue is
#      counted separately and allowed: it is the documented answer to saturation), there are no
#      5xx other than 503, no socket errors other than timeouts, and the server is still up;
#   3. fault: kill -9 the server while requests are in flight, restart it on the same index, check
#      that the index still verifies and that /healthz and a locate answer as before.
# Figures go to BUILD_DIR/test_tmp/service_load.json (requests/s, p50/p99 latency, counts).
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
BIN="$BUILD/bin/crossview"
SECONDS_LOAD=${CROSSVIEW_LOAD_SECONDS:-10}
CONNECTIONS=${CROSSVIEW_LOAD_CONNECTIONS:-8}
mkdir -p "$BUILD/test_tmp"
WORK=$(mktemp -d "$BUILD/test_tmp/crossview-load.XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "service_load_test: FAIL: $*" >&2; exit 1; }

if ! "$BIN" data verify >/dev/null 2>&1; then
  [ "${CI:-}" = "true" ] && fail "the aerial imagery cache is missing (run scripts/setup.sh)"
  echo "skipping: the aerial imagery cache is missing (run scripts/setup.sh)"; exit 77
fi
if ! command -v wrk >/dev/null 2>&1; then
  [ "${CI:-}" = "true" ] && fail "wrk is not installed (run scripts/setup.sh)"
  echo "skipping: wrk is not installed (apt-get install wrk, or run scripts/setup.sh)"; exit 77
fi
cd "$SRC"

# 1. Map, query frames, index.
"$BIN" synth map -q --out "$WORK/map.tif" --textures town-europe --tile-m 600 --flight "$WORK/flight" --frames 4 --seed 3
"$BIN" index build -q --map "$WORK/map.tif" --checkpoint models/demo/retrieval --out "$WORK/index" --tile-m 120 --stride-m 60 --type flat
QUERY="$WORK/flight/frame-0001.jpg"

start_server() {  # start_server LOG -> sets PORT and SERVER_PID
  local log=$1
  "$BIN" serve --index "$WORK/index" --port 0 --workers 2 --max-queue 8 --http-threads 16 >"$log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  PORT=""
  for _ in $(seq 200); do
    PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n1)
    [ -n "$PORT" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log"; fail "the server exited at start-up"; }
    sleep 0.1
  done
  [ -n "$PORT" ] || { cat "$log"; fail "the server printed no port"; }
}

locate_once() {  # locate_once -> prints the HTTP status and writes the body to $WORK/answer.json
  curl -s -o "$WORK/answer.json" -w '%{http_code}' -H 'Content-Type: image/jpeg' --data-binary "@$QUERY" \
    "http://127.0.0.1:$PORT/v1/locate?top_k=3"
}

start_server "$WORK/serve1.log"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")" = 200 ] || fail "/healthz is not 200"
[ "$(locate_once)" = 200 ] || { cat "$WORK/answer.json"; fail "a single locate is not 200"; }
cp "$WORK/answer.json" "$WORK/answer-before.json"

# 2. Load.
cat >"$WORK/post.lua" <<EOF
local f = assert(io.open("$QUERY", "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "image/jpeg"
local counts = {}
response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
EOF
lines_before=$(wc -l <"$WORK/serve1.log")
# -t 2 threads; response() runs per thread, so status counts come from the server's log instead.
wrk -t 2 -c "$CONNECTIONS" -d "${SECONDS_LOAD}s" --timeout 30s -s "$WORK/post.lua" \
  "http://127.0.0.1:$PORT/v1/locate?top_k=3" >"$WORK/wrk.txt" 2>&1 || { cat "$WORK/wrk.txt"; fail "wrk failed"; }
cat "$WORK/wrk.txt"
kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 30 "$WORK/serve1.log"; fail "the server died under load"; }
result=$(grep '^RESULT' "$WORK/wrk.txt") || fail "wrk printed no RESULT line"
get() { echo "$result" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
requests=$(get requests)
# Status of every request from the server's one-line-per-request log: "POST /v1/locate <status> ...".
tail -n +"$((lines_before + 1))" "$WORK/serve1.log" >"$WORK/serve1.load.log"
ok=$(grep -c 'POST /v1/locate 200 ' "$WORK/serve1.load.log" || true)
busy=$(grep -c 'POST /v1/locate 503 ' "$WORK/serve1.load.log" || true)
other=$(grep 'POST /v1/locate [0-9][0-9][0-9] ' "$WORK/serve1.load.log" | grep -vc 'POST /v1/locate \(200\|503\) ' || true)
[ "$requests" -gt 0 ] || fail "no request completed"
[ "$(get errors_connect)" = 0 ] && [ "$(get errors_read)" = 0 ] && [ "$(get errors_write)" = 0 ] \
  || fail "socket errors under load: $result"
[ "$other" = 0 ] || { grep 'POST /v1/locate' "$WORK/serve1.load.log" | grep -v ' 200 \| 503 ' | head; fail "$other responses other than 200/503"; }
[ "$ok" -gt 0 ] || fail "no 200 under load"
rps=$(awk -v n="$requests" -v us="$(get duration_us)" 'BEGIN { printf "%.2f", n / (us / 1e6) }')
echo "service_load_test: $requests requests in $(get duration_us) us with $CONNECTIONS connections: $rps req/s," \
  "p50 $(( $(get p50_us) / 1000 )) ms, p99 $(( $(get p99_us) / 1000 )) ms; $ok x 200, $busy x 503, 0 other, server up"

# 3. Fault: kill -9 while requests are in flight, restart on the same index.
for _ in 1 2 3 4; do
  curl -s -o /dev/null -H 'Content-Type: image/jpeg' --data-binary "@$QUERY" "http://127.0.0.1:$PORT/v1/locate" &
done
sleep 0.3
kill -9 "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
wait 2>/dev/null || true
"$BIN" index info "$WORK/index" >/dev/null || fail "the index does not verify after the server was killed"
start_server "$WORK/serve2.log"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")" = 200 ] || fail "/healthz after restart is not 200"
[ "$(locate_once)" = 200 ] || fail "locate after restart is not 200"
/usr/bin/python3 - "$WORK/answer-before.json" "$WORK/answer.json" <<'EOF' || fail "the restarted server answers differently"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ka = [(t["tile_id"], round(t["score"], 5)) for t in a["top_k"]]
kb = [(t["tile_id"], round(t["score"], 5)) for t in b["top_k"]]
sys.exit(0 if ka == kb else 1)
EOF
echo "service_load_test: killed with -9 during 4 in-flight requests, restarted: index verifies, same answer"

cat >"$BUILD/test_tmp/service_load.json" <<EOF
{"connections": $CONNECTIONS, "seconds": $SECONDS_LOAD, "requests": $requests, "requests_per_s": $rps,
 "p50_ms": $(awk -v v="$(get p50_us)" 'BEGIN{print v/1000}'), "p90_ms": $(awk -v v="$(get p90_us)" 'BEGIN{print v/1000}'),
 "p99_ms": $(awk -v v="$(get p99_us)" 'BEGIN{print v/1000}'), "max_ms": $(awk -v v="$(get max_us)" 'BEGIN{print v/1000}'),
 "status_200": $ok, "status_503": $busy, "status_other": $other, "wrk_timeouts": $(get errors_timeout),
 "fault_restart": "ok"}
EOF
cat "$BUILD/test_tmp/service_load.json"
