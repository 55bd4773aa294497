#!/usr/bin/env python3
"""Compares two sampled CSVs of the signal benchmark (signals-bench --sample and
pandas_signals.py --sample).

    compare_sample.py A.csv B.csv [--rtol 1e-9] [--eb-rtol 1e-6] [--eb-report-only]

Checks that both hold the same drug–event pairs in the same order with the same
a, b, c, d, and that every statistic agrees:

* the exact statistics (expected, PRR and CI, Yates chi2, ROR and CI, IC, IC025,
  IC975) to --rtol relative, |x − y| <= rtol·max(|x|, |y|); the IC fields are
  logarithms, which can cross 0, so their scale is max(|x|, |y|, 1);
* EBGM, EB05 and EB95 to --eb-rtol relative. They also depend on the fitted prior:
  when both runs used the same prior (pandas given Rust's with --hyper) they must
  agree to about the bisection tolerance; with priors fitted independently pass
  --eb-report-only to report the differences without failing on them;
* the signal rules met, except that a rule may differ where its statistic lies
  within the tolerance of its threshold (a tie the rounding decides).

Prints the largest relative difference of each field and exits 1 on any
disagreement beyond tolerance.
"""

import argparse
import csv
import math
import sys

EXACT = ["expected", "prr", "prr_lower", "prr_upper", "chi2_yates", "ror", "ror_lower",
         "ror_upper", "ic", "ic025", "ic975"]
EB = ["ebgm", "eb05", "eb95"]
LOG_SCALE = {"ic", "ic025", "ic975"}
COUNTS = ["a", "b", "c", "d"]


def read(path):
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return rows


def num(text):
    """A CSV number; an empty field (a non-finite value) is NaN."""
    return float(text) if text.strip() else math.nan


def rel_diff(x, y, field):
    """Relative difference, or None when both are non-finite (agreement), or inf
    when exactly one is."""
    fx, fy = math.isfinite(x), math.isfinite(y)
    if not fx and not fy:
        return None
    if fx != fy:
        return math.inf
    scale = max(abs(x), abs(y), 1.0 if field in LOG_SCALE else 0.0)
    return 0.0 if scale == 0.0 else abs(x - y) / scale


def near(x, y, threshold, tol, absolute=False):
    """Whether the two values straddle (or touch) a threshold within tolerance."""
    scale = 1.0 if absolute else abs(threshold)
    return all(math.isfinite(v) for v in (x, y)) and \
        min(abs(x - threshold), abs(y - threshold)) <= tol * scale + abs(x - y)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", help="first sample CSV (e.g. Rust's)")
    ap.add_argument("b", help="second sample CSV (e.g. pandas')")
    ap.add_argument("--rtol", type=float, default=1e-9,
                    help="relative tolerance of the exact statistics (default 1e-9)")
    ap.add_argument("--eb-rtol", type=float, default=1e-6,
                    help="relative tolerance of EBGM/EB05/EB95 (default 1e-6)")
    ap.add_argument("--eb-report-only", action="store_true",
                    help="report the EBGM differences without failing on them")
    args = ap.parse_args()

    ra, rb = read(args.a), read(args.b)
    failures = []
    keys_a = [(r["drug"], r["event"]) for r in ra]
    keys_b = [(r["drug"], r["event"]) for r in rb]
    if keys_a != keys_b:
        only_a = sorted(set(keys_a) - set(keys_b))
        only_b = sorted(set(keys_b) - set(keys_a))
        failures.append(f"pairs differ: {len(ra)} vs {len(rb)} rows; only in A {only_a[:5]}, "
                        f"only in B {only_b[:5]}" + ("; same set, other order"
                                                     if not only_a and not only_b else ""))
    b_by_key = {k: r for k, r in zip(keys_b, rb)}
    worst = {f: (0.0, None) for f in EXACT + EB}
    rule_diffs = {"evans": 0, "ror025": 0, "ic025": 0, "eb05": 0}
    borderline = 0
    compared = 0
    for key, x in zip(keys_a, ra):
        y = b_by_key.get(key)
        if y is None:
            continue
        compared += 1
        for f in COUNTS:
            if int(x[f]) != int(y[f]):
                failures.append(f"{key} {f}: {x[f]} vs {y[f]}")
        for f in EXACT + EB:
            d = rel_diff(num(x[f]), num(y[f]), f)
            if d is None:
                continue
            if worst[f][1] is None or d > worst[f][0]:
                worst[f] = (d, key)
            tol = args.eb_rtol if f in EB else args.rtol
            if d > tol and not (f in EB and args.eb_report_only):
                failures.append(f"{key} {f}: {x[f]} vs {y[f]} (relative {d:.3g} > {tol:g})")
        # The rules: a difference is accepted only at a tie with the threshold.
        sa, sb = set(filter(None, x["signals"].split(";"))), set(filter(None, y["signals"].split(";")))
        for rule in sa ^ sb:
            rule_diffs[rule] += 1
            if rule == "evans":
                tie = (near(num(x["prr"]), num(y["prr"]), 2.0, args.rtol)
                       or near(num(x["chi2_yates"]), num(y["chi2_yates"]), 4.0, args.rtol))
            elif rule == "ror025":
                tie = near(num(x["ror_lower"]), num(y["ror_lower"]), 1.0, args.rtol)
            elif rule == "ic025":
                tie = near(num(x["ic025"]), num(y["ic025"]), 0.0, args.rtol, absolute=True)
            else:
                tie = args.eb_report_only or near(num(x["eb05"]), num(y["eb05"]), 2.0, args.eb_rtol)
            if tie:
                borderline += 1
            else:
                failures.append(f"{key} rule {rule}: A {sorted(sa)}, B {sorted(sb)}")

    print(f"compared {compared} pairs ({len(ra)} rows in {args.a}, {len(rb)} in {args.b})")
    print(f"{'field':<12} {'max rel diff':>13}  {'tolerance':>10}  at pair")
    for f in EXACT + EB:
        d, where = worst[f]
        tol = "report" if f in EB and args.eb_report_only else \
            f"{(args.eb_rtol if f in EB else args.rtol):g}"
        print(f"{f:<12} {d:>13.3e}  {tol:>10}  {'/'.join(where) if d > 0 else ''}")
    exact_max = max(worst[f][0] for f in EXACT)
    eb_max = max(worst[f][0] for f in EB)
    print(f"max relative difference: exact statistics {exact_max:.3e}, EBGM/EB05/EB95 {eb_max:.3e}")
    print("signal rules differing: " + ", ".join(f"{r} {n}" for r, n in rule_diffs.items())
          + f" ({borderline} accepted as ties with the threshold"
          + (" or EB05 report-only" if args.eb_report_only else "") + ")")
    for f in failures[:20]:
        print("  MISMATCH", f)
    if len(failures) > 20:
        print(f"  … and {len(failures) - 20} more")
    print("agree" if not failures else f"DISAGREE ({len(failures)} mismatches)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
