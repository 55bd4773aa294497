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
# Wall time moves with whatever else the machine runs; CPU time (user + system, from the
# rusage of /usr/bin/time, which includes the binary's) much less so. Peak RSS is what
# /usr/bin/time reports for the binary alone (a forked child's own ru_maxrss would count
# the Python it was forked from). Both include /usr/bin/time's own ~1 ms.
print(f"{'kind':<14} {'median ms':>9} {'min ms':>7} {'cpu ms':>7} {'peak MB':>8}  question   ({n} cold runs each)")
for kind, q in kinds:
    walls, cpus, peaks = [], [], []
    for _ in range(n):
        with tempfile.NamedTemporaryFile(mode="r") as f:
            t = time.perf_counter()
            p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", f.name, bin, "ask", "--json", q],
                                 stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(p.pid, 0)
            walls.append((time.perf_counter() - t) * 1000)
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f"{bin} failed on {q!r}")
            cpus.append((usage.ru_utime + usage.ru_stime) * 1000)
            peaks.append(int(f.read().split()[-1]) / 1024)
    print(f"{kind:<14} {statistics.median(walls):9.1f} {min(walls):7.1f} {statistics.median(cpus):7.1f} {max(peaks):8.1f}  {q}")
PY
