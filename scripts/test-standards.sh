#!/usr/bin/env bash
# Outside validators for the EHR interfaces (docs/fhir.md, docs/cds-hooks.md).
# usage: scripts/test-standards.sh [path/to/offlabel]   (default: target/release/offlabel)
#
# 1. FHIR R5: `offlabel export fhir` → every resource through PyPI fhir.resources 8.x
#    (R5 models) and the official R5 JSON Schema (npm hl7.fhir.r5.core, openapi/fhir.schema.json).
# 2. CDS Hooks 2.0: our JSON Schemas (docs/cds-hooks/schema) with Python jsonschema over
#    the spec's examples, and over live responses of `offlabel serve` to the example requests.
# Idempotent: tools are cached under ~/.cache/offlabel-fhir. Prints "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=${1:-$root/target/release/offlabel}
[ -x "$bin" ] || { echo "offlabel binary not found at $bin: build it (cargo build --release) or pass its path"; exit 2; }
cache=${OFFLABEL_FHIR_CACHE:-$HOME/.cache/offlabel-fhir}
mkdir -p "$cache"

need_apt=()
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
command -v npm >/dev/null || need_apt+=(npm)
command -v curl >/dev/null || need_apt+=(curl)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]} (apt)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

venv="$cache/venv"
if ! "$venv/bin/python" -c 'import fhir.resources, jsonschema' 2>/dev/null; then
  echo "installing fhir.resources 8.x and jsonschema into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q 'fhir.resources>=8,<9' 'jsonschema>=4.18'
fi
schema="$cache/node_modules/hl7.fhir.r5.core/openapi/fhir.schema.json"
if [ ! -f "$schema" ]; then
  echo "installing hl7.fhir.r5.core@5.0.0 (npm) into $cache"
  [ -f "$cache/package.json" ] || echo '{"name":"offlabel-fhir-cache","private":true}' >"$cache/package.json"
  (cd "$cache" && npm install --no-audit --no-fund --silent hl7.fhir.r5.core@5.0.0)
fi
"$venv/bin/python" -c 'import fhir.resources as f; print("fhir.resources", f.__version__)'

work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "== FHIR R5 export"
"$bin" export fhir --out "$work/bundle.json"

echo "== live CDS Hooks responses"
port=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
live="$work/cds"
mkdir -p "$live/schema" "$live/examples"
cp docs/cds-hooks/schema/*.json "$live/schema/"
cp docs/cds-hooks/examples/{discovery,response,feedback}-*.json "$live/examples/"
curl -fsS "http://127.0.0.1:$port/cds-services" >"$live/examples/discovery-live.json"
for req in docs/cds-hooks/examples/request-*.json; do
  name=$(basename "$req" .json)
  case "$name" in *order-sign*) svc=offlabel-order-sign ;; *) svc=offlabel-order-select ;; esac
  curl -fsS -H 'Content-Type: application/json' --data-binary "@$req" \
    "http://127.0.0.1:$port/cds-services/$svc" >"$live/examples/response-live-$name.json"
done
# The done-when checks of issue #6, on the live responses.
"$venv/bin/python" - "$live/examples" <<'PY'
import json, sys, pathlib
d = pathlib.Path(sys.argv[1])
opz = json.loads((d / "response-live-request-order-select-opzelura-pregnant-r4.json").read_text())
crit = [c for c in opz["cards"] if c["indicator"] == "critical"]
assert crit and crit[0]["source"].get("url"), "Opzelura in pregnancy: no critical card with a source"
bari = json.loads((d / "response-live-request-order-sign-baricitinib-80-r5.json").read_text())
dose = [c for c in bari["cards"] if c["source"].get("topic", {}).get("code") == "dose-adjustment" and c.get("suggestions")]
assert dose, "baricitinib at 80: no dose-adjustment card with a suggestion"
print("live cards: Opzelura/pregnancy critical, baricitinib/80 dose suggestion")
PY

echo "== validators"
"$venv/bin/python" scripts/validate_fhir.py "$work/bundle.json" "$schema" "$live"
