#!/usr/bin/env bash
# Property-based API test: schemathesis (PyPI) against the OpenAPI document the server
# generates. Every check (`--checks all`): no 5xx, every status documented, every response
# matching its schema, schema-violating requests refused, valid ones accepted, 405 with
# Allow for undeclared methods. Bounded: 50 examples per operation, fixed seed, and a
# hard time limit.
#
# Usage: scripts/test-schemathesis.sh [path/to/offlabel]
#        (default: $OFFLABEL_BIN, else target/release/offlabel). Builds nothing.
# Installs schemathesis into a private virtualenv (~/.cache/offlabel) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION="4.32.5"
bin="${1:-${OFFLABEL_BIN:-target/release/offlabel}}"
if [ ! -x "$bin" ]; then
  echo "test-schemathesis: no offlabel binary at $bin; run cargo build --release first" >&2
  exit 2
fi

venv="${XDG_CACHE_HOME:-$HOME/.cache}/offlabel/schemathesis-venv"
st="$venv/bin/schemathesis"
if ! "$st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq python3 python3-venv >/dev/null
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

log=$(mktemp)
report=$(mktemp -d)
"$bin" serve --addr 127.0.0.1:0 2>"$log" &
server=$!
cleanup() {
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$log" "$report"
}
trap cleanup EXIT

base=""
for _ in $(seq 100); do
  base=$(grep -o 'ready: http://127\.0\.0\.1:[0-9]*' "$log" | head -1 | sed 's/^ready: //' || true)
  [ -n "$base" ] && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "test-schemathesis: the server exited:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$base" ]; then
  echo "test-schemathesis: the server was not ready in 10 s" >&2
  exit 1
fi
echo "server at $base"

status=0
# Run from the scratch folder: schemathesis keeps its example database in the working
# directory, and the repository is no place for it.
cd "$report"
timeout 280 "$st" run "$base/openapi.json" \
  --checks all \
  --max-examples 50 \
  --seed 20260101 \
  --workers 2 \
  --request-timeout 10 \
  --report-dir "$report/report" \
  --warnings off || status=$?

if [ "$status" -eq 124 ]; then
  echo "test-schemathesis: stopped after 280 s" >&2
fi
if [ "$status" -eq 0 ]; then
  echo "schemathesis: 1 passed, 0 failed"
else
  echo "schemathesis: 0 passed, 1 failed"
fi
exit "$status"
