#!/usr/bin/env bash
# Browser test of the web page: Debian's headless Chromium driven by playwright-core (npm).
# Types a question, checks the badges and the evidence table, opens a citation, submits
# the patient form, checks accessibility basics and the phone layout; saves
# tests/browser/screenshots/answer.png. Prints "N passed, M failed" last.
#
# Usage: scripts/test-browser.sh [path/to/offlabel]
#        (default: $OFFLABEL_BIN, else target/release/offlabel). Builds nothing.
# Installs chromium (apt) and the pinned playwright-core (npm ci) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${1:-${OFFLABEL_BIN:-target/release/offlabel}}"
if [ ! -x "$bin" ]; then
  echo "test-browser: no offlabel binary at $bin; run cargo build --release first" >&2
  exit 2
fi

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

(
  cd tests/browser
  want=$(node -p 'require("./package.json").dependencies["playwright-core"]')
  have=$(node -p 'try { require("./node_modules/playwright-core/package.json").version } catch { "" }')
  if [ "$want" != "$have" ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
)

OFFLABEL_BIN="$(realpath "$bin")" CHROMIUM_BIN="$(command -v chromium)" \
  node tests/browser/browser.test.mjs
