#!/usr/bin/env bash
# The all-pairs signal benchmark (issue 8): Rust (signals-bench) against the pandas
# baseline (pandas_signals.py) and the counting phases in Polars (polars_signals.py)
# on the same generated data, in the same run.
#
#   bench/signals/run.sh [ROWS]            # default 20000000 (report, drug, event) rows
#
# 1. Generates the data with signals-gen unless $SIGNALS_DATA/meta.json already
#    describes a default data set of ROWS rows.
# 2. Runs signals-bench (with --sample), then pandas_signals.py twice: with Rust's
#    fitted prior (--hyper; its EBGM must then agree with Rust's) and fitting its
#    own prior (the like-for-like timing; skip with SIGNALS_PANDAS_FIT=0), and with
#    SIGNALS_PANDAS_VARIANTS=1 two variants of the posterior (per pair instead of
#    per distinct (a, E); Newton instead of bisection for EB05/EB95); then
#    polars_signals.py with Rust's prior (skip with SIGNALS_POLARS=0), whose
#    build/count/closed-form phases set the hand-written Rust ones against Polars.
# 3. Compares the samples (compare_sample.py) and prints the table of phase times,
#    speed-ups and peak RSS (also written to $SIGNALS_OUT/table.md).
#
# Environment: SIGNALS_BIN_DIR (signals-gen and signals-bench; default
# target/release, built with cargo only when missing), SIGNALS_DATA (default
# bench/signals/data), SIGNALS_OUT (default $SIGNALS_DATA/results), PYTHON
# (default python3). Exit status 1 when the samples disagree.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-20000000}
bin=${SIGNALS_BIN_DIR:-target/release}
data=${SIGNALS_DATA:-bench/signals/data}
out=${SIGNALS_OUT:-$data/results}
py=${PYTHON:-python3}
here=bench/signals

# Python dependencies.
python_packages="numpy pandas scipy"
[ "${SIGNALS_POLARS:-1}" != 0 ] && python_packages="$python_packages polars"
if ! "$py" -c "import ${python_packages// /, }" 2>/dev/null; then
  "$py" -m pip install --quiet $python_packages ||
    "$py" -m pip install --quiet --break-system-packages $python_packages
fi

# The binaries, built only when missing (into the target dir that holds $bin).
if [ ! -x "$bin/signals-gen" ] || [ ! -x "$bin/signals-bench" ]; then
  case "$bin" in
    */release) target_dir=${bin%/release} ;;
    *) echo "no signals-gen/signals-bench in $bin (and it is not a <target>/release dir to build into)" >&2
       exit 2 ;;
  esac
  echo "building signals-gen and signals-bench into $target_dir" >&2
  CARGO_TARGET_DIR=$target_dir cargo build --release -p offlabel-signals-bench
fi

# The data: reused when meta.json shows a default data set of the same size. The
# generator stops at the first report that takes the rows to ROWS or more, and a
# report adds at most 20 × 20 rows, so its "rows" is in [ROWS, ROWS + 400).
reuse=$("$py" - "$data/meta.json" "$rows" <<'EOF'
import json, sys
try:
    m = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print(0)
    sys.exit()
t = int(sys.argv[2])
print(int(t <= m.get("rows", -1) < t + 400 and m.get("drugs") == 5000
          and m.get("events") == 20000 and m.get("zipf") == 1.0 and m.get("seed") == 42))
EOF
)
if [ "$reuse" != 1 ]; then
  echo "generating $rows rows into $data" >&2
  "$bin/signals-gen" --out "$data" --rows "$rows" >/dev/null
fi
mkdir -p "$out"
echo "machine: $(nproc) cores; load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)" |
  tee "$out/machine.txt" >&2

echo "rust: signals-bench" >&2
"$bin/signals-bench" --data "$data" --sample "$out/rust-sample.csv" >"$out/rust.json"
hyper=$("$py" -c 'import json, sys
p = json.load(open(sys.argv[1]))["prior"]
print(",".join(repr(p[k]) for k in ("alpha1", "beta1", "alpha2", "beta2", "p")))' "$out/rust.json")

status=0
: >"$out/compare.txt"
# python SCRIPT NAME LABEL ARGS...: one Python run, its sample compared with Rust's
# (EBGM checked to 1e-6 when it used Rust's prior, only reported when it fitted
# its own).
python_run() {
  local script=$1 name=$2 label=$3
  shift 3
  echo "$label" >&2
  "$py" "$here/$script" --data "$data" --sample "$out/$name-sample.csv" "$@" >"$out/$name.json" ||
    status=1
  local check=()
  case " $* " in *" --hyper "*) ;; *) check=(--eb-report-only) ;; esac
  echo "== sample: Rust vs $label" | tee -a "$out/compare.txt"
  "$py" "$here/compare_sample.py" "${check[@]}" "$out/rust-sample.csv" "$out/$name-sample.csv" |
    tee -a "$out/compare.txt" || status=1
}
pandas() { python_run pandas_signals.py "$@"; }
rm -f "$out"/pandas-*.json "$out"/pandas-*-sample.csv "$out"/polars*.json "$out"/polars*-sample.csv
pandas pandas-given "pandas with Rust's prior" --hyper "$hyper"
if [ "${SIGNALS_PANDAS_FIT:-1}" != 0 ]; then
  pandas pandas-fitted "pandas fitting its own prior" --check-hyper "$hyper"
fi
if [ "${SIGNALS_PANDAS_VARIANTS:-0}" != 0 ]; then
  pandas pandas-per-pair "pandas, posterior per pair (Rust's prior)" --hyper "$hyper" --per-pair
  pandas pandas-newton "pandas, Newton quantiles (Rust's prior)" --hyper "$hyper" --quantiles newton
  pandas pandas-squashed "pandas fitting its own prior on Rust's squashed points" \
    --squash --check-hyper "$hyper"
fi
if [ "${SIGNALS_POLARS:-1}" != 0 ]; then
  # Exit status 1 also when its closed-form columns differ from NumPy's by > 1e-9.
  python_run polars_signals.py polars "Polars counting, NumPy/SciPy statistics (Rust's prior)" \
    --hyper "$hyper"
fi

"$py" - "$out" <<'EOF' | tee "$out/table.md"
import json, os, sys
out = sys.argv[1]
def load(name):
    path = os.path.join(out, name)
    return json.load(open(path)) if os.path.exists(path) else None
rust, given, fitted = load("rust.json"), load("pandas-given.json"), load("pandas-fitted.json")
polars = load("polars.json")
runs = [("Rust", rust), ("pandas, Rust's prior", given)]
for name, label in [("pandas-fitted.json", "pandas, own fit"),
                    ("pandas-per-pair.json", "pandas, per pair"),
                    ("pandas-newton.json", "pandas, Newton"),
                    ("pandas-squashed.json", "pandas, squashed fit"),
                    ("polars.json", "Polars count, Rust's prior")]:
    if load(name):
        runs.append((label, load(name)))
phases = [("read files", "read_files"), ("build reports", "build_reports"), ("count", "count"),
          ("fit prior", "fit_prior"), ("statistics", "statistics"), ("**total** (excl. read)", "total"),
          ("closed-form statistics alone (not in total)", "closed_form")]
print(f"{rust['rows']:,} (report, drug, event) rows, N = {rust['reports_counted']:,} reports, "
      f"{rust['pairs']:,} pairs; Rust on {rust['threads']} threads, pandas on 1"
      + (f", Polars on {polars['threads']}" if polars else "") + "\n")
print("| phase (s) | " + " | ".join(n for n, _ in runs) + " |")
print("|---|" + "---:|" * len(runs))
for label, key in phases:
    print(f"| {label} | " + " | ".join(f"{r['seconds'][key]:.2f}" if key in r["seconds"] else "–"
                                       for _, r in runs) + " |")
print("| peak RSS (MiB) | " + " | ".join(f"{r['peak_rss_mib']:.0f}" for _, r in runs) + " |")
rt, rf = rust["seconds"]["total"], rust["seconds"]["fit_prior"]
print()
if fitted:
    print(f"- speed-up, every phase including the prior fit: pandas {fitted['seconds']['total']:.1f} s "
          f"/ Rust {rt:.2f} s = **{fitted['seconds']['total'] / rt:.1f}×**")
print(f"- speed-up without the fit: pandas with Rust's prior {given['seconds']['total']:.1f} s / "
      f"Rust total less its fit {rt - rf:.2f} s = **{given['seconds']['total'] / (rt - rf):.1f}×**")
for label, r in runs[3 if fitted else 2:]:
    if r.get("implementation") == "polars":  # set against Rust phase by phase below
        continue
    if r["prior"]["source"] == "fitted":
        print(f"- {label}, every phase: {r['seconds']['total']:.1f} s / {rt:.2f} s = "
              f"{r['seconds']['total'] / rt:.1f}×")
    else:
        print(f"- {label}, without the fit: {r['seconds']['total']:.1f} s / {rt - rf:.2f} s = "
              f"{r['seconds']['total'] / (rt - rf):.1f}×")
print(f"- speed-up of the statistics phase alone: {given['seconds']['statistics']:.1f} s / "
      f"{rust['seconds']['statistics']:.2f} s = {given['seconds']['statistics'] / rust['seconds']['statistics']:.1f}×")
if polars:
    count_s = lambda r: r["seconds"]["build_reports"] + r["seconds"]["count"]  # noqa: E731
    print(f"- counting (build reports + count), the hand-written Rust path against Polars "
          f"{polars['versions']['polars']} on {polars['threads']} threads: {count_s(rust):.2f} s "
          f"against {count_s(polars):.2f} s = **{count_s(polars) / count_s(rust):.1f}×** faster")
    print(f"- closed-form statistics (E, PRR, chi2, ROR with CIs, IC): Rust "
          f"{rust['seconds']['closed_form']:.2f} s against Polars expressions "
          f"{polars['seconds']['closed_form']:.2f} s = "
          f"{polars['seconds']['closed_form'] / rust['seconds']['closed_form']:.1f}×; largest "
          f"relative difference of Polars' columns from NumPy's "
          f"{max(polars['closed_form_check'].values()):.1e}")
p = rust["prior"]
print(f"- Rust prior (fit on {p['fit']['points']:,} points for {p['fit']['cells']:,} cells): "
      + ", ".join(f"{k} {p[k]:.6g}" for k in ("alpha1", "beta1", "alpha2", "beta2", "p")))
if fitted:
    q = fitted["prior"]
    print(f"- pandas prior (fit on {q['fit']['points']:,} distinct (a, E) cells): "
          + ", ".join(f"{k} {q[k]:.6g}" for k in ("alpha1", "beta1", "alpha2", "beta2", "p")))
    print(f"- -logL on the distinct cells: pandas' prior {q['fit']['neg_log_lik']:.6f}, "
          f"Rust's prior {q['check']['neg_log_lik']:.6f}")
sq = load("pandas-squashed.json")
if sq:
    q = sq["prior"]
    print(f"- -logL on Rust's {q['fit']['points']:,} squashed points: pandas' prior "
          f"{q['fit']['neg_log_lik']:.6f}, Rust's prior {q['check']['neg_log_lik']:.6f} "
          f"(Rust reports {p['fit']['neg_log_lik']:.6f})")
EOF
exit $status
