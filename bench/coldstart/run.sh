#!/usr/bin/env bash
# Cold start of one `offlabel ask --json` per question kind: median wall ms and peak RSS
# over N fresh processes (default 21), the embedded pack and layers.
# usage: bench/coldstart/run.sh [N] [BINARY]   (from anywhere; builds the release binary
# unless BINARY is given). Issue 14's targets: ≤ 20 ms median, ≤ 64 MB peak.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-21}
bin=${2:-}
if [ -z "$bin" ]; then
  cargo build --release -q -p offlabel
  bin=target/release/offlabel
fi
python3 - "$bin" "$n" <<'PY'
import os, statistics, subprocess, sys, tempfile, time
bin, n = sys.argv[1], int(sys.argv[2])
# One question per kind; each names what it makes the engine load.
kinds = [
    ("curated", "Is Opzelura approved for atopic dermatitis in the US?"),
    ("EU layer", "is semaglutide approved for type 2 diabetes in the EU?"),
    ("DO disease", "can I use baricitinib for giant cell arteritis?"),
    ("US brand", "is Tylenol approved for fever in the US?"),
    ("history word", "baricitinib for alopecia areata in a patient with a history of lymphoma"),
    ("unknown word", "hello"),
]
print(f"{'kind':<14} {'median ms':>9} {'min ms':>7} {'peak MB':>8}  question   ({n} cold runs each)")
for kind, q in kinds:
    walls, peaks = [], []
    for _ in range(n):
        with tempfile.NamedTemporaryFile(mode="r") as f:
            t = time.perf_counter()
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name, bin, "ask", "--json", q],
                           stdout=subprocess.DEVNULL, check=True)
            walls.append((time.perf_counter() - t) * 1000)
            peaks.append(int(f.read().split()[-1]) / 1024)
    print(f"{kind:<14} {statistics.median(walls):9.1f} {min(walls):7.1f} {max(peaks):8.1f}  {q}")
PY
