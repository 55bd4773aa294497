#!/usr/bin/env bash
# End-to-end throughput of `offlabel ask --batch` on one core, and the comparison with
# drug-named-entity-recognition. usage: bench/ask/run.sh [N]   (from the repo root)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-20000}
cargo build --release -q -p offlabel
python3 bench/ask/make_questions.py "$n" > /tmp/offlabel-questions.txt
bin=target/release/offlabel
# Warm the page cache, then time three runs pinned to one core.
"$bin" ask --batch < /tmp/offlabel-questions.txt > /dev/null
for run in 1 2 3; do
  start=$(date +%s.%N)
  taskset -c 0 "$bin" ask --batch < /tmp/offlabel-questions.txt > /dev/null
  end=$(date +%s.%N)
  python3 -c "import sys; n=$n; t=$end-$start; print(f'run $run: {n} questions in {t:.3f} s = {n/t:,.0f} questions/s on one core')"
done
pip install -q drug-named-entity-recognition >/dev/null 2>&1 || true
python3 bench/ask/compare_ner.py "$bin"
