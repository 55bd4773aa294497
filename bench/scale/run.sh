#!/usr/bin/env bash
# The pack at scale: load time, time per question and peak memory on a synthetic pack.
# usage: bench/scale/run.sh [MEDICINES] [CONDITIONS]   (from anywhere; default 20000 10000)
# The generated text pack and its compiled form are cached under target/scale/ by their
# parameters, so a second run only measures. The last line is the summary:
#   medicines=N conditions=M load_ms=X question_us=Y rss_mb=Z
set -euo pipefail
cd "$(dirname "$0")/../.."
meds=${1:-20000}
conds=${2:-10000}
cargo build --release -q -p offlabel
bin=$PWD/target/release/offlabel
dir=target/scale/$meds-$conds
gen_hash=$(sha256sum bench/scale/gen.py knowledge/*.toml knowledge/*/*.toml | sha256sum | cut -c1-16)
if [ ! -f "$dir/pack.bin" ] || [ "$(cat "$dir/gen.hash" 2>/dev/null)" != "$gen_hash" ]; then
  rm -rf "$dir"; mkdir -p "$dir"
  python3 bench/scale/gen.py "$dir/pack" "$meds" "$conds"
  "$bin" pack build "$dir/pack" --out "$dir/pack.bin.tmp" >&2
  mv "$dir/pack.bin.tmp" "$dir/pack.bin"
  echo "$gen_hash" > "$dir/gen.hash"
fi
if [ "$bin" -nt "$dir/pack.bin" ]; then
  # A rebuilt binary may read another schema version: recompile the cached text pack.
  "$bin" pack build "$dir/pack" --out "$dir/pack.bin" >&2
fi
q="$dir/questions.txt"
nq=$(wc -l < "$q")
# Load: median of 11 runs of a question that touches nothing ("hello").
load_ms=$(python3 - "$bin" "$dir/pack.bin" <<'PY'
import statistics, subprocess, sys, time
bin, pack = sys.argv[1], sys.argv[2]
runs = []
for _ in range(11):
    t = time.perf_counter()
    subprocess.run([bin, "--pack", pack, "ask", "hello"], stdout=subprocess.DEVNULL, check=True)
    runs.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(runs):.1f}")
PY
)
# Questions: the whole mix through --batch, minus one load; peak RSS of that run.
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$dir/rss.txt" "$bin" --pack "$dir/pack.bin" ask --batch < "$q" > "$dir/answers.jsonl"
end=$(date +%s.%N)
rss_kb=$(tail -1 "$dir/rss.txt")
python3 - "$meds" "$conds" "$load_ms" "$start" "$end" "$nq" "$rss_kb" "$dir/answers.jsonl" <<'PY'
import json, sys
meds, conds, load_ms, start, end, nq, rss_kb, answers = sys.argv[1:]
total_ms = (float(end) - float(start)) * 1000
question_us = max(0.0, total_ms - float(load_ms)) * 1000 / int(nq)
longest = max(len(json.loads(l).get("answer", "")) for l in open(answers))
print(f"longest answer: {longest} characters over {nq} questions")
print(f"medicines={meds} conditions={conds} load_ms={load_ms} question_us={question_us:.0f} rss_mb={int(rss_kb)/1024:.0f}")
PY
