#!/usr/bin/env bash
# Every test of the project, from a fresh clone on a bare machine (Debian, root).
# Installs what it needs, then: format, lints, cargo tests, the public answer check
# and each interface's outside checks. Prints a closing "N passed, M failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
step() { printf '\n==> %s\n' "$*"; }

step "toolchain components"
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo build --release"
cargo build --release --workspace

step "cargo test"
cargo test --workspace --release

step "public answer check (../shared/eval)"
if [ -f "$root/../shared/eval/score.py" ]; then
  python3 "$root/../shared/eval/score.py" -- "$root/target/release/offlabel"
else
  echo "shared/eval not present beside the repo; skipped"
fi

step "own question table through the binary"
if [ -f "$root/../shared/eval/score.py" ]; then
  python3 "$root/../shared/eval/score.py" --cases crates/offlabel-engine/tests/data/questions.jsonl -- "$root/target/release/offlabel"
fi

for extra in scripts/test-browser.sh scripts/test-schemathesis.sh scripts/test-standards.sh scripts/test-postgres.sh scripts/test-signals.sh; do
  if [ -x "$extra" ]; then
    step "$extra"
    "$extra" "$root/target/release/offlabel"
  fi
done

step "done"
echo "all checks passed"
