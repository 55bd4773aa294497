#!/usr/bin/env bash
# HTTP benchmark of `offlabel serve` on loopback: wrk, keep-alive, 2 threads, 64
# connections, 10 s, against GET /v1/ask. Reports requests/s, p99 latency, and the
# server's peak resident memory (VmHWM). Runs twice: with the answer cache (default)
# and with it off (--cache-mib 0), which measures the engine on every request.
#
# Usage: scripts/bench-http.sh [path/to/offlabel]
#        (default: $OFFLABEL_BIN, else target/release/offlabel; build it with
#        cargo build --release). Installs wrk (Debian) when missing. Traffic stays on
#        127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${1:-${OFFLABEL_BIN:-target/release/offlabel}}"
duration="${BENCH_DURATION:-10s}"
connections="${BENCH_CONNECTIONS:-64}"
question="Can+I+use+Opzelura+cream+for+psoriasis%3F"
if [ ! -x "$bin" ]; then
  echo "bench-http: no offlabel binary at $bin; run cargo build --release first" >&2
  exit 2
fi
if ! command -v wrk >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

server=""
log=$(mktemp)
stop() {
  if [ -n "$server" ]; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
trap 'stop; rm -f "$log"' EXIT

# Starts the server with extra flags; sets $server and $base, prints the ready time.
start() {
  : >"$log"
  local t0 t1
  t0=$(date +%s%N)
  RUST_LOG=warn,offlabel_server=info "$bin" serve --addr 127.0.0.1:0 "$@" 2>"$log" &
  server=$!
  base=""
  for _ in $(seq 1000); do
    base=$(grep -o 'ready: http://127\.0\.0\.1:[0-9]*' "$log" | head -1 | sed 's/^ready: //' || true)
    [ -n "$base" ] && break
    sleep 0.01
  done
  t1=$(date +%s%N)
  if [ -z "$base" ]; then
    echo "bench-http: the server did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  echo "server $base ready in $(( (t1 - t0) / 1000000 )) ms (process start to ready log line)"
}

# Runs wrk once against /v1/ask and prints the summary line.
bench() {
  local label=$1 out rps p99 hwm rss
  wrk -t2 -c"$connections" -d2s "$base/v1/ask?q=$question" >/dev/null # warm-up
  out=$(wrk -t2 -c"$connections" -d"$duration" --latency "$base/v1/ask?q=$question")
  echo "$out"
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  hwm=$(awk '/^VmHWM:/ {print $2, $3}' "/proc/$server/status")
  rss=$(awk '/^VmRSS:/ {print $2, $3}' "/proc/$server/status")
  if grep -Eq 'Non-2xx|Socket errors' <<<"$out"; then
    echo "bench-http: errors during the run (see above)" >&2
  fi
  summary+=("$label: $rps requests/s, p99 $p99, peak RSS $hwm (now $rss)")
}

summary=()
echo "== /v1/ask, answer cache on (default)"
start
bench "cache on "
stop
echo
echo "== /v1/ask, answer cache off (--cache-mib 0): the engine answers every request"
start --cache-mib 0
bench "cache off"
stop

echo
echo "wrk -t2 -c$connections -d$duration --latency '<base>/v1/ask?q=$question' on $(nproc) cores:"
printf '  %s\n' "${summary[@]}"
