#!/usr/bin/env python3
"""The counting phases of the signal benchmark in Polars (issue 8: "use a columnar
library where it beats hand-written code; justify any hand-written path").

The relational half of the work (deduplicating the (report, drug) and (report,
event) rows, joining them on the report, the margins and a per pair) is what a
columnar engine is built for, so this runs it in Polars' multi-threaded engine on
the files written by `signals-gen`:

* build_reports: the unique (report, drug) and (report, event) rows of reports
  0..reports-1 (as the Rust `ReportSet` keeps);
* count: the inner join on report (each (report, drug, event) triple once, as both
  sides are unique), N = reports with at least one drug and one event, the drug and
  event margins over those reports (semi-joins), and a per pair by a group-by,
  sorted by drug then event like the Rust cells;
* closed_form: the statistics that are plain column arithmetic (E, PRR and its CI,
  Yates chi2, ROR and its CI with the 0.5 correction, IC) as Polars expressions.
  They are checked against the NumPy columns (`closed_form_check`, the largest
  relative difference per column, at most 1e-9 or the exit status is 1) and timed apart: the gamma quantiles (IC025/IC975) and the
  EBGM posterior quantiles have no Polars (or Arrow compute) kernel;
* statistics: every statistic, by the pandas baseline's NumPy/SciPy code
  (`pandas_signals.statistics`) on the Polars counts, with a given prior (--hyper,
  Rust's in run.sh) so that the sample can be compared with Rust's exactly.

"total" is build_reports + count + statistics (reading the files excluded, as in
signals-bench); closed_form is reported beside it, not in it. Prints one JSON
object with the phase times and the peak resident memory (getrusage ru_maxrss).

    polars_signals.py --hyper A1,B1,A2,B2,P [--data bench/signals/data] [--sample FILE]
"""

import argparse
import json
import os
import platform
import resource
import sys
import time

import numpy as np
import polars as pl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pandas_signals as base  # noqa: E402  (the shared read, statistics and sample code)


def build_reports(raw):
    """Unique (report, drug) and (report, event) rows of reports 0..reports-1, the
    two deduplications run as one Polars plan (faster than one after the other)."""
    n_reports = len(raw["sex"])
    drugs = pl.LazyFrame({"report": raw["drug_report"], "drug": raw["drug_id"]})
    events = pl.LazyFrame({"report": raw["event_report"], "event": raw["event_id"]})
    drugs, events = pl.collect_all([
        drugs.filter(pl.col("report") < n_reports).unique(),
        events.filter(pl.col("report") < n_reports).unique(),
    ])
    return drugs, events, n_reports


def count(drugs, events, _n_reports, n_drugs, n_events):
    """N, the margins (as dense NumPy arrays) and a per pair (a Polars frame
    sorted by drug, event), and the number of triples (the signature of
    `pandas_signals.count`; the joins need no report count).

    The four queries run as one plan. The pair group-by is on one u64 key
    (drug * events + event), which sorts to drug-then-event order; it took half
    the time of grouping on the two columns in the runs that chose this form."""
    drugs, events = drugs.lazy(), events.lazy()
    with_drug, with_event = drugs.select("report"), events.select("report")
    key = pl.col("drug").cast(pl.UInt64) * n_events + pl.col("event")
    n_frame, dm, em, pairs = pl.collect_all([
        # Counted reports: at least one drug and one event.
        with_drug.unique().join(with_event.unique(), on="report", how="semi").select(pl.len()),
        # Margins over the counted reports only (a + b and a + c).
        drugs.join(with_event, on="report", how="semi").group_by("drug").len(),
        events.join(with_drug, on="report", how="semi").group_by("event").len(),
        # a per pair: the join of the two unique sides gives each triple once.
        drugs.join(events, on="report", how="inner").select(key.alias("key"))
        .group_by("key").len().sort("key"),
    ])
    n = int(n_frame.item())
    drug_margin = np.zeros(n_drugs, dtype=np.int64)
    drug_margin[dm["drug"].to_numpy()] = dm["len"].to_numpy()
    event_margin = np.zeros(n_events, dtype=np.int64)
    event_margin[em["event"].to_numpy()] = em["len"].to_numpy()
    pairs = pairs.select(
        drug=(pl.col("key") // n_events).cast(pl.Int64),
        event=(pl.col("key") % n_events).cast(pl.Int64),
        a=pl.col("len").cast(pl.Int64),
    )
    rows = int(pairs["a"].sum())
    return n, drug_margin, event_margin, pairs, rows


def closed_form(pairs, n, drug_margin, event_margin):
    """The column-arithmetic statistics as Polars expressions (the formulas of
    `pandas_signals.statistics`, which follow stats/mod.rs)."""
    z = base.Z95
    frame = pairs.with_columns(
        md=pl.Series(drug_margin).cast(pl.Float64).gather(pairs["drug"]),
        me=pl.Series(event_margin).cast(pl.Float64).gather(pairs["event"]),
        a=pl.col("a").cast(pl.Float64),
    )
    a, md, me = pl.col("a"), pl.col("md"), pl.col("me")
    frame = frame.with_columns(b=md - a, c=me - a).with_columns(d=float(n) - a - pl.col("b") - pl.col("c"))
    b, c, d = pl.col("b"), pl.col("c"), pl.col("d")
    zero = (a == 0.0) | (b == 0.0) | (c == 0.0) | (d == 0.0)
    ra, rb, rc, rd = (pl.when(zero).then(v + 0.5).otherwise(v) for v in (a, b, c, d))
    prr = (a / (a + b)) / (c / (c + d))
    se_prr = (1.0 / a - 1.0 / (a + b) + 1.0 / c - 1.0 / (c + d)).sqrt()
    prr_ok = prr.is_finite() & (prr > 0.0) & se_prr.is_finite()
    total = a + b + c + d
    dev = ((a * d - b * c).abs() - total / 2.0).clip(lower_bound=0.0)
    den = (a + b) * (c + d) * (a + c) * (b + d)
    ln_ror = (ra * rd).log() - (rb * rc).log()
    se_ror = (1.0 / ra + 1.0 / rb + 1.0 / rc + 1.0 / rd).sqrt()
    expected = md * me / float(n)
    return frame.select(
        expected=expected,
        prr=prr,
        prr_lower=pl.when(prr_ok).then(prr * (-z * se_prr).exp()),
        prr_upper=pl.when(prr_ok).then(prr * (z * se_prr).exp()),
        chi2_yates=pl.when(den != 0.0).then(total * dev * dev / den),
        ror=ln_ror.exp(),
        ror_lower=(ln_ror - z * se_ror).exp(),
        ror_upper=(ln_ror + z * se_ror).exp(),
        ic=((a + 0.5) / (expected + 0.5)).log(2.0),
    )


def max_rel_diffs(frame, stats):
    """Per column, the largest relative difference between the Polars column and
    the NumPy one (null and NaN both mean "not defined"; a column defined in one
    and not the other is infinitely different). IC is a logarithm that crosses 0,
    so its scale is at least 1, as in compare_sample.py."""
    worst = {}
    for name in frame.columns:
        x = frame[name].fill_null(np.nan).to_numpy()
        y = np.asarray(stats[name], dtype=np.float64)
        if np.any(np.isfinite(x) != np.isfinite(y)):
            worst[name] = float("inf")
            continue
        both = np.isfinite(x)
        floor = 1.0 if name == "ic" else 1e-300
        scale = np.maximum(np.maximum(np.abs(x[both]), np.abs(y[both])), floor)
        worst[name] = float(np.max(np.abs(x[both] - y[both]) / scale, initial=0.0))
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="bench/signals/data", help="signals-gen output directory")
    ap.add_argument("--sample", help="write the sampled pairs as CSV to this file")
    ap.add_argument("--hyper", required=True,
                    help="the EBGM prior (a1,b1,a2,b2,P); the fit is the pandas run's business")
    args = ap.parse_args()
    hyper = base.parse_hyper(args.hyper)

    counted = base.read_and_count(args.data, build_reports, count)
    read_s, build_s, count_s = counted.read_s, counted.build_s, counted.count_s
    n, n_reports, rows = counted.n, counted.n_reports, counted.rows
    drug_margin, event_margin, pairs = counted.drug_margin, counted.event_margin, counted.pairs

    t = time.perf_counter()
    polars_columns = closed_form(pairs, n, drug_margin, event_margin)
    closed_s = time.perf_counter() - t

    t = time.perf_counter()
    table = base.pd.DataFrame({k: pairs[k].to_numpy() for k in ("drug", "event", "a")})
    codes, cell_n, cell_first, _weight = base.unique_cells(table, drug_margin, event_margin)
    stats = base.statistics(table, n, drug_margin, event_margin, hyper, codes, cell_n,
                            cell_first, 1e-11)
    stats_s = time.perf_counter() - t
    total_s = build_s + count_s + stats_s

    check = max_rel_diffs(polars_columns, stats)
    if args.sample:
        base.write_sample(args.sample, table, stats)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    out = {
        "implementation": "polars",
        "versions": {"python": platform.python_version(), "polars": pl.__version__,
                     "numpy": np.__version__},
        "threads": pl.thread_pool_size(),
        "stratify": "none",
        "reports": n_reports,
        "reports_counted": n,
        "rows": rows,
        "pairs": pairs.height,
        "prior": {"source": "given",
                  **dict(zip(["alpha1", "beta1", "alpha2", "beta2", "p"], hyper))},
        "closed_form_check": check,
        "seconds": {
            "read_files": read_s,
            "build_reports": build_s,
            "count": count_s,
            "fit_prior": 0.0,
            "closed_form": closed_s,
            "statistics": stats_s,
            "total": total_s,
        },
        "peak_rss_mib": rss,
    }
    print(json.dumps(out, indent=2))
    return 0 if max(check.values()) <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
