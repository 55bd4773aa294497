#!/usr/bin/env python3
"""The all-pairs signal benchmark in pandas/NumPy/SciPy (the baseline of issue 8).

Computes, on the files written by `signals-gen`, the same statistics for every
drug–event pair as `signals-bench` (crates/offlabel-signals: count.rs, signals.rs,
stats/*.rs; formulas in shared/reference/pharmacovigilance.md), vectorised:

* read: the little-endian arrays with `numpy.fromfile`;
* build_reports: the unique (report, drug) and (report, event) rows (reports with
  an id below the number of reports, as the Rust `ReportSet` keeps);
* count: the (report, drug, event) triples by merging the two on report (each
  triple once, as both sides are unique), N = reports with at least one drug and
  one event, the drug and event margins over those reports, and `a` per pair by a
  group-by (pairs with a >= 1, in drug then event order);
* fit_prior: DuMouchel's two-gamma prior by maximum likelihood with the marginal
  truncated at N* = 1 (the likelihood of stats/ebgm.rs `neg_log_lik`), by
  L-BFGS-B with the analytic gradient from openEBGM's five starting points, on the
  unique (a, E) table weighted by its counts (or, with --squash, on the same
  squashed points as the Rust fit); skipped with --hyper;
* statistics: E, PRR and its CI, Yates chi2, ROR and its CI (0.5 added to every
  cell when one is 0), IC with the exact gamma IC025/IC975, EBGM and the EB05/EB95
  quantiles of the posterior mixture (vectorised bisection on the mixture CDF, on
  the unique (a, E) table), and the four signal rules.

Phases are timed like signals-bench ("total" excludes reading the files) and one
JSON object is printed, with the peak resident memory (getrusage ru_maxrss).

    pandas_signals.py [--data bench/signals/data] [--sample FILE]
                      [--hyper A1,B1,A2,B2,P] [--check-hyper A1,B1,A2,B2,P]
                      [--squash] [--tol 1e-11] [--quantiles bisect|newton] [--per-pair]

--sample writes the pairs with (drug*7919 + event) % 1000 == 0 in signals-bench's
CSV format. --hyper uses a given prior instead of fitting one. --check-hyper also
reports the negative log-likelihood of another prior (e.g. Rust's) on this run's
likelihood points, to compare the two optima on the same data. --quantiles newton
and --per-pair are variants for measuring what the posterior's algorithm costs: a
faster root finder (as in Rust), or no deduplication of the (a, E) cells.
"""

import argparse
import json
import math
import os
import platform
import resource
import sys
import time
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy import optimize, special

Z95 = 1.96
# openEBGM's starting points (the Rust `Hyper::STARTS`), as (a1, b1, a2, b2, P).
STARTS = [
    (0.2, 0.1, 2.0, 4.0, 1.0 / 3.0),
    (0.1, 0.1, 10.0, 10.0, 0.2),
    (0.3, 0.5, 6.0, 6.0, 0.5),
    (0.5, 0.3, 12.0, 12.0, 0.8),
    (0.2, 0.2, 5.0, 5.0, 0.4),
]
# The box the Rust fit searches: shapes and rates in [1e-5, 20] (openEBGM hyperEM's
# bounds), logit P in [-30, 30]. The optimiser works on (ln a1, ln b1, ln a2,
# ln b2, logit P).
LN_LOWER, LN_UPPER = math.log(1e-5), math.log(20.0)
LOGIT_BOUND = 30.0
# Above this many cells the Rust `ebgm::points` squashes; --squash does the same.
SQUASH_ABOVE = 20_000
SQUASH_WIDTH = 0.05
CSV_HEADER = ("drug,event,a,b,c,d,expected,prr,prr_lower,prr_upper,chi2_yates,ror,ror_lower,"
              "ror_upper,ic,ic025,ic975,ebgm,eb05,eb95,signals")
RULES = ["evans", "ror025", "ic025", "eb05"]


# ----------------------------------------------------------------------------- input

def read_files(data):
    """The generator's arrays and meta.json."""
    with open(os.path.join(data, "meta.json")) as fh:
        meta = json.load(fh)

    def u32(name):
        return np.fromfile(os.path.join(data, name), dtype="<u4")

    def u8(name):
        return np.fromfile(os.path.join(data, name), dtype=np.uint8)

    raw = {
        "drug_report": u32("drug_report.u32"),
        "drug_id": u32("drug_id.u32"),
        "event_report": u32("event_report.u32"),
        "event_id": u32("event_id.u32"),
        # Read for parity with signals-bench (which builds the strata from them);
        # the unstratified run does not use them beyond the number of reports.
        "sex": u8("report_sex.u8"),
        "age": u8("report_age.u8"),
    }
    return meta, raw


# -------------------------------------------------------------------------- counting

def build_reports(raw):
    """Unique (report, drug) and (report, event) rows of reports 0..reports-1."""
    n_reports = len(raw["sex"])
    drugs = pd.DataFrame({"report": raw["drug_report"], "drug": raw["drug_id"]})
    events = pd.DataFrame({"report": raw["event_report"], "event": raw["event_id"]})
    drugs = drugs[drugs["report"] < n_reports].drop_duplicates(ignore_index=True)
    events = events[events["report"] < n_reports].drop_duplicates(ignore_index=True)
    return drugs, events, n_reports


def count(drugs, events, n_reports, n_drugs, n_events):
    """N, the margins and a per pair (pairs with a >= 1, sorted by drug, event)."""
    # Each (report, drug, event) triple once: both sides are already unique.
    triples = drugs.merge(events, on="report", how="inner")
    rows = len(triples)
    # Counted reports: at least one drug and one event.
    has_drug = np.zeros(n_reports, dtype=bool)
    has_drug[drugs["report"].to_numpy()] = True
    has_event = np.zeros(n_reports, dtype=bool)
    has_event[events["report"].to_numpy()] = True
    counted = has_drug & has_event
    n = int(counted.sum())
    # Margins over the counted reports only (a + b and a + c).
    d_rows = drugs.loc[counted[drugs["report"].to_numpy()], "drug"]
    e_rows = events.loc[counted[events["report"].to_numpy()], "event"]
    drug_margin = d_rows.value_counts().reindex(range(n_drugs), fill_value=0).to_numpy(np.int64)
    event_margin = e_rows.value_counts().reindex(range(n_events), fill_value=0).to_numpy(np.int64)
    # a per pair: a group-by on one int64 pair id (drug * events + event), which
    # sorts to drug-then-event order like the Rust cells.
    pair_id = triples["drug"].to_numpy(np.int64) * n_events + triples["event"].to_numpy(np.int64)
    del triples
    a = pd.Series(pair_id).value_counts(sort=False).sort_index()
    pairs = pd.DataFrame({
        "drug": (a.index.to_numpy() // n_events).astype(np.int64),
        "event": (a.index.to_numpy() % n_events).astype(np.int64),
        "a": a.to_numpy(np.int64),
    })
    return n, drug_margin, event_margin, pairs, rows


def read_and_count(data, build, count_with):
    """Reads the files (timed apart), then the two counting phases with the given
    implementations: `build(raw) -> (drugs, events, n_reports)` and
    `count_with(drugs, events, n_reports, n_drugs, n_events) -> (n, drug_margin,
    event_margin, pairs, rows)` (this module's, or polars_signals'). Returns the
    counts, the phase times and `start`, the clock when the timed total began."""
    t = time.perf_counter()
    meta, raw = read_files(data)
    read_s = time.perf_counter() - t
    n_drugs, n_events = int(meta["drugs"]), int(meta["events"])

    start = time.perf_counter()
    drugs, events, n_reports = build(raw)
    del raw
    build_s = time.perf_counter() - start

    t = time.perf_counter()
    n, drug_margin, event_margin, pairs, rows = count_with(drugs, events, n_reports, n_drugs,
                                                           n_events)
    del drugs, events
    count_s = time.perf_counter() - t
    return SimpleNamespace(start=start, read_s=read_s, build_s=build_s, count_s=count_s,
                           n=n, n_reports=n_reports, rows=rows, drug_margin=drug_margin,
                           event_margin=event_margin, pairs=pairs)


def expected_counts(pairs, n, drug_margin, event_margin):
    """E = (a+b)(a+c)/N, in the Rust order of operations."""
    md = drug_margin[pairs["drug"].to_numpy()].astype(np.float64)
    me = event_margin[pairs["event"].to_numpy()].astype(np.float64)
    return md * me / float(n)


def unique_cells(pairs, drug_margin, event_margin):
    """Codes of each pair's (a, E) in the table of distinct (a, E), and that table.

    E depends on the pair only through the product of its margins, an exact
    integer, so (a, margin product) identifies (a, E) without comparing floats."""
    cells = pd.DataFrame({
        "n": pairs["a"].to_numpy(),
        "prod": drug_margin[pairs["drug"].to_numpy()] * event_margin[pairs["event"].to_numpy()],
    })
    codes = cells.groupby(["n", "prod"], sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    weight = np.bincount(codes).astype(np.float64)
    return codes, cells["n"].to_numpy()[first], first, weight


# ------------------------------------------------------------------------- EBGM prior

def to_hyper(x):
    """(a1, b1, a2, b2, P) from the optimiser's free coordinates."""
    return (math.exp(x[0]), math.exp(x[1]), math.exp(x[2]), math.exp(x[3]),
            1.0 / (1.0 + math.exp(-x[4])))


def to_free(h):
    a1, b1, a2, b2, p = h
    clip = lambda v: min(max(math.log(v), LN_LOWER), LN_UPPER)  # noqa: E731
    return np.array([clip(a1), clip(b1), clip(a2), clip(b2),
                     min(max(math.log(p / (1.0 - p)), -LOGIT_BOUND), LOGIT_BOUND)])


class Likelihood:
    """The truncated (N* = 1) two-negative-binomial negative log-likelihood of
    stats/ebgm.rs over weighted (n, E) points, with its gradient in the free
    coordinates. Terms that depend on n only (ln Γ, ψ) are computed once per
    distinct n and gathered."""

    def __init__(self, n, e, weight):
        self.un, self.n_idx = np.unique(n, return_inverse=True)
        self.n = n.astype(np.float64)
        self.e = e
        self.ln_e = np.log(e)
        self.ln_fact = special.gammaln(self.n + 1.0)
        self.w = weight
        self.evaluations = 0

    def _component(self, alpha, beta):
        """ln f_k(n)/(1 − f_k(0)) and its derivatives in ln α and ln β."""
        un = self.un.astype(np.float64)
        g = (special.gammaln(alpha + un) - special.gammaln(alpha))[self.n_idx]
        dg = (special.digamma(alpha + un) - special.digamma(alpha))[self.n_idx]
        n, e = self.n, self.e
        t = np.log1p(e / beta)                       # ln(1 + E/β)
        at = alpha * t
        em = np.expm1(at)                            # (β+E)^α/β^α − 1
        # ln f(n) = lnΓ(α+n) − lnΓ(α) − ln n! + α ln(β/(β+E)) + n ln(E/(β+E));
        # the ln n! is added once for both components by the caller.
        lf = g - at + n * (self.ln_e - math.log(beta) - t)
        # Truncation: − ln(1 − (β/(β+E))^α) = − ln(expm1(αt)) + αt.
        value = lf - np.log(em) + at
        d_ln_alpha = alpha * (dg - t - t / em)
        frac = e / (beta + e)
        d_ln_beta = (alpha + n) * frac - n + alpha * frac / em
        return value, d_ln_alpha, d_ln_beta

    def __call__(self, x, want_grad=True):
        self.evaluations += 1
        a1, b1, a2, b2, p = to_hyper(x)
        with np.errstate(all="ignore"):
            v1, da1, db1 = self._component(a1, b1)
            v2, da2, db2 = self._component(a2, b2)
            l1 = math.log(p) + v1
            l2 = math.log1p(-p) + v2
            m = np.maximum(l1, l2)
            ll = m + np.log1p(np.exp(-np.abs(l1 - l2))) - self.ln_fact
            # Plain sums, not np.dot: BLAS threads would only add latency here.
            value = -float(np.sum(self.w * ll))
            if not math.isfinite(value):
                return (math.inf, np.zeros(5)) if want_grad else math.inf
            if not want_grad:
                return value
            r1 = special.expit(l1 - l2)              # posterior weight of component 1
            wr1, wr2 = self.w * r1, self.w * (1.0 - r1)
            grad = -np.array([
                np.sum(wr1 * da1), np.sum(wr1 * db1),
                np.sum(wr2 * da2), np.sum(wr2 * db2),
                np.sum(self.w * (r1 - p)),
            ])
        return value, grad


def squash(n, e, weight):
    """The Rust `ebgm::points` squashing: within each n, cells whose ln E falls in
    the same bin of width 0.05 become one point at their mean E, weighted by their
    number (only above 20,000 cells)."""
    if weight.sum() <= SQUASH_ABOVE:
        return n, e, weight
    df = pd.DataFrame({"n": n, "bin": np.floor(np.log(e) / SQUASH_WIDTH).astype(np.int64),
                       "se": e * weight, "w": weight})
    g = df.groupby(["n", "bin"], sort=True)[["se", "w"]].sum()
    return (g.index.get_level_values("n").to_numpy(), (g["se"] / g["w"]).to_numpy(),
            g["w"].to_numpy())


def fit_prior(lik):
    """Maximum likelihood by L-BFGS-B (analytic gradient) from every start; the
    best optimum is then polished with a restart until it stops improving."""
    bounds = [(LN_LOWER, LN_UPPER)] * 4 + [(-LOGIT_BOUND, LOGIT_BOUND)]
    opts = {"ftol": 1e-13, "gtol": 1e-8, "maxiter": 2000, "maxcor": 20}
    best = None
    for start in STARTS:
        r = optimize.minimize(lik, to_free(start), jac=True, method="L-BFGS-B",
                              bounds=bounds, options=opts)
        if math.isfinite(r.fun) and (best is None or r.fun < best.fun):
            best = r
    if best is None:
        sys.exit("the EBGM prior could not be fitted; pass --hyper")
    for _ in range(5):
        r = optimize.minimize(lik, best.x, jac=True, method="L-BFGS-B", bounds=bounds,
                              options=opts)
        improved = best.fun - r.fun > 1e-12 * abs(best.fun)
        if r.fun <= best.fun:
            best = r
        if not improved:
            break
    return to_hyper(best.x), float(best.fun)


# -------------------------------------------------------------------- EBGM posterior

def posterior(hyper, n, e, tol, newton=False):
    """Q_n, EBGM, EB05 and EB95 for count(s) n and expected count(s) e.

    Per-count terms (ln Γ, ψ, each component's standard quantiles) are computed
    once per distinct n; the quantiles of the mixture are found inside the bracket
    of the two components' own quantiles (which holds the mixture's), by
    bisection (openEBGM's quantBisect) or, with `newton`, by safeguarded Newton
    steps (the Rust method, less its Halley correction)."""
    a1, b1, a2, b2, p = hyper
    un, idx = np.unique(n, return_inverse=True)
    unf = un.astype(np.float64)
    s1, s2 = a1 + unf, a2 + unf
    c1 = (special.gammaln(s1) - special.gammaln(a1) + a1 * math.log(b1))[idx]
    c2 = (special.gammaln(s2) - special.gammaln(a2) + a2 * math.log(b2))[idx]
    nf = n.astype(np.float64)
    r1, r2 = b1 + e, b2 + e
    ln_r1, ln_r2 = np.log(r1), np.log(r2)
    # ln[(1−P) f2(n)] − ln[P f1(n)]; the terms common to both cancel.
    d = math.log((1.0 - p) / p) + (c2 - (a2 + nf) * ln_r2) - (c1 - (a1 + nf) * ln_r1)
    with np.errstate(over="ignore"):
        qn = 1.0 / (1.0 + np.exp(d))
    e_ln = (qn * (special.digamma(s1)[idx] - ln_r1)
            + (1.0 - qn) * (special.digamma(s2)[idx] - ln_r2))
    comp1 = (s1[idx], r1, special.gammaln(s1)[idx])
    comp2 = (s2[idx], r2, special.gammaln(s2)[idx])
    quantiles = []
    for prob in (0.05, 0.95):
        x1 = special.gammaincinv(s1, prob)[idx] / r1
        x2 = special.gammaincinv(s2, prob)[idx] / r2
        quantiles.append(mixture_quantile(prob, qn, comp1, x1, comp2, x2, tol, newton))
    return qn, np.exp(e_ln), quantiles[0], quantiles[1]


def mixture_quantile(prob, w, comp1, x1, comp2, x2, tol, newton=False):
    """x with w·G1(x) + (1−w)·G2(x) = prob, G_k the CDF of Γ(shape_k, rate_k)
    (comp_k = (shape, rate, ln Γ(shape)) arrays) and x_k its own quantile at prob.

    Edge cases as the Rust `mixture_quantile`: w <= 0 (or NaN) gives x2, w >= 1
    gives x1, and coinciding component quantiles give their midpoint. The rest is
    solved in u = ln x until the bracket or the step is below `tol`."""
    out = np.where(np.isnan(w) | (w <= 0.0), x2, x1)
    lo_x, hi_x = np.minimum(x1, x2), np.maximum(x1, x2)
    tight = hi_x - lo_x <= 1e-15 * hi_x
    out = np.where(tight & (w > 0.0) & (w < 1.0), 0.5 * (lo_x + hi_x), out)
    todo = np.flatnonzero((w > 0.0) & (w < 1.0) & ~tight)
    sub1 = tuple(v[todo] for v in comp1)
    sub2 = tuple(v[todo] for v in comp2)
    solve = _newton if newton else _bisect
    out[todo] = solve(prob, w[todo], sub1, x1[todo], sub2, x2[todo], tol)
    return out


def _cdf_error(prob, w, comp1, comp2, x, at):
    """F(x) − prob for the elements `at`, from the upper tail above the median
    (where it keeps full precision)."""
    (s1, r1, _), (s2, r2, _) = comp1, comp2
    wa = w[at]
    if prob > 0.5:
        return (1.0 - prob) - (wa * special.gammaincc(s1[at], r1[at] * x)
                               + (1.0 - wa) * special.gammaincc(s2[at], r2[at] * x))
    return (wa * special.gammainc(s1[at], r1[at] * x)
            + (1.0 - wa) * special.gammainc(s2[at], r2[at] * x) - prob)


def _bisect(prob, w, comp1, x1, comp2, x2, tol):
    """Vectorised bisection; each element stops once its bracket is below tol."""
    lo, hi = np.log(np.minimum(x1, x2)), np.log(np.maximum(x1, x2))
    active = np.arange(len(w))
    while len(active):
        u = 0.5 * (lo[active] + hi[active])
        err = _cdf_error(prob, w, comp1, comp2, np.exp(u), active)
        below = err < 0.0
        lo[active[below]] = u[below]
        hi[active[~below]] = u[~below]
        exact = err == 0.0
        lo[active[exact]] = hi[active[exact]] = u[exact]
        active = active[hi[active] - lo[active] > tol]
    return np.exp(0.5 * (lo + hi))


def _newton(prob, w, comp1, x1, comp2, x2, tol):
    """Vectorised Newton in u = ln x from the heavier component's quantile, kept
    inside the shrinking bracket (a bisection step when it would leave it)."""
    lo, hi = np.log(np.minimum(x1, x2)), np.log(np.maximum(x1, x2))
    u = np.log(np.where(w >= 0.5, x1, x2))
    (s1, r1, lg1), (s2, r2, lg2) = comp1, comp2
    ln_r1, ln_r2 = np.log(r1), np.log(r2)
    active = np.arange(len(w))
    for _ in range(100):
        if not len(active):
            break
        ua = u[active]
        x = np.exp(ua)
        err = _cdf_error(prob, w, comp1, comp2, x, active)
        la = np.where(err < 0.0, np.maximum(lo[active], ua), lo[active])
        ha = np.where(err < 0.0, hi[active], np.minimum(hi[active], ua))
        lo[active], hi[active] = la, ha
        # dF/du: each component's density of λ times x, weighted.
        wa = w[active]
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            slope = (wa * np.exp(s1[active] * (ua + ln_r1[active]) - r1[active] * x - lg1[active])
                     + (1.0 - wa) * np.exp(s2[active] * (ua + ln_r2[active])
                                           - r2[active] * x - lg2[active]))
            nxt = ua - err / slope
        nxt = np.where((nxt > la) & (nxt < ha), nxt, 0.5 * (la + ha))
        nxt = np.where(err == 0.0, ua, nxt)
        done = (np.abs(nxt - ua) <= tol) | (ha - la <= tol) | (err == 0.0)
        u[active] = nxt
        active = active[~done]
    return np.exp(u)


# ------------------------------------------------------------------- the statistics

def statistics(pairs, n, drug_margin, event_margin, hyper, codes, cell_n, cell_first, tol,
               newton=False):
    """Every statistic for every pair, as columns (the Rust formulas and order of
    operations, so that they agree to rounding)."""
    a_int = pairs["a"].to_numpy()
    md = drug_margin[pairs["drug"].to_numpy()]
    me = event_margin[pairs["event"].to_numpy()]
    b_int, c_int = md - a_int, me - a_int
    d_int = n - a_int - b_int - c_int
    a, b, c, d = (v.astype(np.float64) for v in (a_int, b_int, c_int, d_int))
    out = {"a": a_int, "b": b_int, "c": c_int, "d": d_int}
    expected = md.astype(np.float64) * me.astype(np.float64) / float(n)
    out["expected"] = expected
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # PRR with the delta-method CI (undefined when PRR is not finite and positive).
        prr = (a / (a + b)) / (c / (c + d))
        se = np.sqrt(1.0 / a - 1.0 / (a + b) + 1.0 / c - 1.0 / (c + d))
        ok = np.isfinite(prr) & (prr > 0.0) & np.isfinite(se)
        out["prr"] = prr
        out["prr_lower"] = np.where(ok, prr * np.exp(-Z95 * se), np.nan)
        out["prr_upper"] = np.where(ok, prr * np.exp(Z95 * se), np.nan)
        # Yates chi2, with the correction capped at the deviation (R's chisq.test).
        total = a + b + c + d
        dev = np.maximum(np.abs(a * d - b * c) - total / 2.0, 0.0)
        den = (a + b) * (c + d) * (a + c) * (b + d)
        out["chi2_yates"] = np.where(den == 0.0, np.nan, total * dev * dev / den)
        # ROR: 0.5 added to all four cells when one is 0.
        zero = (a == 0.0) | (b == 0.0) | (c == 0.0) | (d == 0.0)
        ra, rb, rc, rd = (np.where(zero, v + 0.5, v) for v in (a, b, c, d))
        ln_ror = np.log(ra * rd) - np.log(rb * rc)
        se = np.sqrt(1.0 / ra + 1.0 / rb + 1.0 / rc + 1.0 / rd)
        out["ror"] = np.exp(ln_ror)
        out["ror_lower"] = np.exp(ln_ror - Z95 * se)
        out["ror_upper"] = np.exp(ln_ror + Z95 * se)
        # IC with the exact credibility interval: quantiles of Γ(O + 0.5, E + 0.5);
        # the standard-gamma quantiles depend on O alone (once per distinct O).
        uo, oi = np.unique(a_int, return_inverse=True)
        q025 = special.gammaincinv(uo + 0.5, 0.025)[oi]
        q975 = special.gammaincinv(uo + 0.5, 0.975)[oi]
        rate = expected + 0.5
        out["ic"] = np.log2((a + 0.5) / rate)
        out["ic025"] = np.log2(q025 / rate)
        out["ic975"] = np.log2(q975 / rate)
    # EBGM on the distinct (a, E) cells, gathered back to the pairs.
    _qn, ebgm, eb05, eb95 = posterior(hyper, cell_n, expected[cell_first], tol, newton)
    out["ebgm"], out["eb05"], out["eb95"] = ebgm[codes], eb05[codes], eb95[codes]
    # The signal rules (comparisons with NaN are false, as in Rust).
    with np.errstate(invalid="ignore"):
        flags = ((out["prr"] >= 2.0) & (out["chi2_yates"] >= 4.0) & (a_int >= 3)).astype(np.uint8)
        flags |= (out["ror_lower"] > 1.0).astype(np.uint8) << 1
        flags |= (out["ic025"] > 0.0).astype(np.uint8) << 2
        flags |= (out["eb05"] >= 2.0).astype(np.uint8) << 3
    out["rules"] = flags
    return out


# ------------------------------------------------------------------------ output

def rust_float(v):
    """A float as Rust's `{}` prints it: shortest round-trip digits, never an
    exponent, no trailing `.0`; empty when not finite (as SignalRow::csv)."""
    v = float(v)
    if not math.isfinite(v):
        return ""
    text = repr(v)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def write_sample(path, pairs, stats):
    """The pairs with (drug*7919 + event) % 1000 == 0, as signals-bench writes them."""
    drug, event = pairs["drug"].to_numpy(), pairs["event"].to_numpy()
    keep = np.flatnonzero((drug * 7919 + event) % 1000 == 0)
    floats = ["expected", "prr", "prr_lower", "prr_upper", "chi2_yates", "ror", "ror_lower",
              "ror_upper", "ic", "ic025", "ic975", "ebgm", "eb05", "eb95"]
    with open(path, "w", newline="") as fh:
        fh.write(CSV_HEADER + "\n")
        for i in keep:
            names = [r for bit, r in enumerate(RULES) if stats["rules"][i] >> bit & 1]
            fields = [f"d{drug[i]}", f"e{event[i]}"]
            fields += [str(int(stats[k][i])) for k in ("a", "b", "c", "d")]
            fields += [rust_float(stats[k][i]) for k in floats]
            fields.append(";".join(names))
            fh.write(",".join(fields) + "\n")


def parse_hyper(text):
    v = [float(s) for s in text.split(",")]
    if len(v) != 5 or not all(x > 0 and math.isfinite(x) for x in v[:4]) or not 0 < v[4] < 1:
        sys.exit(f"--hyper: expected a1,b1,a2,b2,P (positive, 0 < P < 1), got {text!r}")
    return tuple(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="bench/signals/data", help="signals-gen output directory")
    ap.add_argument("--sample", help="write the sampled pairs as CSV to this file")
    ap.add_argument("--hyper", help="use this prior (a1,b1,a2,b2,P) instead of fitting one")
    ap.add_argument("--check-hyper",
                    help="also report -logL of this prior on this run's likelihood points")
    ap.add_argument("--squash", action="store_true",
                    help="fit on the Rust fit's squashed points instead of every distinct (a, E)")
    ap.add_argument("--tol", type=float, default=1e-11,
                    help="EB05/EB95 stop when the bracket of ln x (or the Newton step) is "
                         "below this (default 1e-11)")
    ap.add_argument("--quantiles", choices=["bisect", "newton"], default="bisect",
                    help="EB05/EB95 by bisection (openEBGM, the default) or safeguarded Newton")
    ap.add_argument("--per-pair", action="store_true",
                    help="compute the EBGM posterior for every pair, not once per distinct (a, E)")
    args = ap.parse_args()
    given = parse_hyper(args.hyper) if args.hyper else None

    counted = read_and_count(args.data, build_reports, count)
    start, read_s, build_s, count_s = (counted.start, counted.read_s, counted.build_s,
                                       counted.count_s)
    n, n_reports, rows = counted.n, counted.n_reports, counted.rows
    drug_margin, event_margin, pairs = counted.drug_margin, counted.event_margin, counted.pairs

    # The distinct (a, E) cells serve both the fit and the posterior; building them
    # is timed with the fit (or, with a given prior, with the statistics).
    t = time.perf_counter()
    codes, cell_n, cell_first, cell_w = unique_cells(pairs, drug_margin, event_margin)
    cells_s = time.perf_counter() - t
    prior = {}
    lik = None
    t = time.perf_counter()
    if given is None or args.check_hyper:
        cell_e = expected_counts(pairs.iloc[cell_first], n, drug_margin, event_margin)
        pts = squash(cell_n, cell_e, cell_w) if args.squash else (cell_n, cell_e, cell_w)
        lik = Likelihood(*pts)
    if given is None:
        hyper, nll = fit_prior(lik)
        prior = {"source": "fitted", "fit": {
            "neg_log_lik": nll, "evaluations": lik.evaluations, "points": len(lik.n),
            "cells": int(lik.w.sum()), "squashed": bool(args.squash)}}
    else:
        hyper = given
        prior = {"source": "given"}
    fit_s = time.perf_counter() - t
    if given is None:
        fit_s += cells_s
    prior.update(dict(zip(["alpha1", "beta1", "alpha2", "beta2", "p"], hyper)))
    if args.check_hyper:
        other = parse_hyper(args.check_hyper)
        prior["check"] = {
            "hyper": other, "points": len(lik.n), "squashed": bool(args.squash),
            "neg_log_lik": lik(to_free(other), want_grad=False),
            "neg_log_lik_of_this_prior": lik(to_free(hyper), want_grad=False),
        }

    t = time.perf_counter()
    if args.per_pair:  # every pair its own cell for the posterior
        post = (np.arange(len(pairs)), pairs["a"].to_numpy(), np.arange(len(pairs)))
    else:
        post = (codes, cell_n, cell_first)
    stats = statistics(pairs, n, drug_margin, event_margin, hyper, *post, args.tol,
                       newton=args.quantiles == "newton")
    stats_s = time.perf_counter() - t
    if given is not None:
        stats_s += cells_s
    total_s = time.perf_counter() - start

    if args.sample:
        write_sample(args.sample, pairs, stats)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    out = {
        "implementation": "pandas",
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "pandas": pd.__version__,
                     "scipy": __import__("scipy").__version__},
        "threads": 1,
        "stratify": "none",
        "reports": n_reports,
        "reports_counted": n,
        "rows": rows,
        "pairs": len(pairs),
        "distinct_cells": len(cell_n),
        "pairs_with_a_signal": int(np.count_nonzero(stats["rules"])),
        "posterior": {"per": "pair" if args.per_pair else "distinct (a, E) cell",
                      "quantiles": args.quantiles, "tol": args.tol},
        "prior": prior,
        "seconds": {
            "read_files": read_s,
            "build_reports": build_s,
            "count": count_s,
            "fit_prior": fit_s,
            "statistics": stats_s,
            "total": total_s,
        },
        "peak_rss_mib": rss,
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
