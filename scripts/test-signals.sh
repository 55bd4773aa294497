#!/usr/bin/env bash
# Signal statistics against the independent Python reference
# (crates/offlabel-signals/tests/reference/signals_ref.py), end to end through the
# binary: a generated FAERS data set (two quarters, duplicate versions, a DELETE
# list, bad lines, and a legacy AERS quarter in the isr/case layout holding earlier
# versions of some cases) is imported with `offlabel faers import`, scored with
# `offlabel signals --json` and recomputed by the reference, which must agree to
# 1e-9 relative on every statistic of every pair (EBGM with offlabel's fitted prior,
# whose likelihood must match SciPy's own maximum). Then the all-pairs benchmark
# at small scale (bench/signals/run.sh 200000: Rust, pandas and Polars on the same
# data, which must agree), so that its scripts keep working. Idempotent; about 40 s.
#
#   scripts/test-signals.sh [path/to/offlabel]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/offlabel}
if [ ! -x "$bin" ]; then
  echo "offlabel binary not found at $bin; build it (cargo build --release) or pass its path" >&2
  exit 2
fi
if ! python3 -c "import scipy" 2>/dev/null; then
  python3 -m pip install --quiet scipy >/dev/null 2>&1 || python3 -m pip install --quiet --break-system-packages scipy
fi
ref=crates/offlabel-signals/tests/reference/signals_ref.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$ref" generate "$tmp/faers" --seed 7 --cases 2500 >/dev/null
"$bin" faers import --store "$tmp/reports.sqlite" "$tmp/faers" >/dev/null
passed=0
failed=0
for role in suspect all; do
  for strat in none sex,age; do
    "$bin" signals --store "$tmp/reports.sqlite" --role "$role" --stratify "$strat" --json >"$tmp/out.json"
    if python3 "$ref" compare "$tmp/faers" "$tmp/out.json" --role "$role" --stratify "$strat"; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
    fi
  done
done
# A given prior: the posterior alone (no fit) must agree too.
"$bin" signals --store "$tmp/reports.sqlite" --hyper 3.25379064,0.39988801,2.02613219,1.90808279,0.06534557 --json >"$tmp/out.json"
if python3 "$ref" compare "$tmp/faers" "$tmp/out.json"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi
# The benchmark's three implementations on 200,000 generated rows.
if SIGNALS_DATA="$tmp/bench" bench/signals/run.sh 200000 >"$tmp/bench.log" 2>&1; then
  passed=$((passed + 1))
else
  tail -40 "$tmp/bench.log" >&2
  failed=$((failed + 1))
fi
echo "signals reference: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
