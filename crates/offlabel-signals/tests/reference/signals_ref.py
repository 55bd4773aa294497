#!/usr/bin/env python3
"""Independent reference implementation of offlabel's signal statistics.

Written from the crate README (counting rule, formulas, FAERS format) without
looking at the Rust code paths it checks: its own FAERS reader, deduplication,
counting, 2x2 statistics, IC, and EBGM (likelihood fitted with SciPy's L-BFGS-B,
posterior quantiles with brentq). Pure Python plus SciPy.

    signals_ref.py generate OUTDIR [--seed N] [--cases N]
        Writes two FAERS quarters (real file format, duplicate case versions, a
        DELETE list, bad lines, all four drug roles, injected signals) and one
        legacy AERS quarter (2012Q3: isr/case layout; earlier versions of some
        FAERS cases, legacy-only cases with two ISRs, some deleted).
    signals_ref.py compute DIR [--role suspect|all] [--stratify none|sex|age|sex,age]
                   [--hyper A1,B1,A2,B2,P]
        Prints the statistics of every pair as JSON (same field names as
        `offlabel signals --json`).
    signals_ref.py compare DIR RUST.json [--role …] [--stratify …] [--rtol 1e-9]
        Recomputes everything from DIR and compares with offlabel's JSON: counts
        exactly, every statistic to --rtol relative (IC fields, which are
        logarithms, to --rtol absolute when below 1 in size), EBGM with the
        hyperparameters offlabel reports, and offlabel's fit against this file's
        own maximum-likelihood fit. Exit status 1 on any disagreement.
"""

import argparse
import json
import math
import os
import random
import re
import sys

try:
    import numpy as np
    from scipy import optimize, special
except ImportError:  # pragma: no cover - the test script installs SciPy
    sys.exit("signals_ref.py needs SciPy: pip install scipy")

Z95 = 1.96
RULES = ["evans", "ror025", "ic025", "eb05"]
NUMERIC = [
    "expected", "prr", "prr_lower", "prr_upper", "chi2_yates", "ror", "ror_lower",
    "ror_upper", "ic", "ic025", "ic975", "ebgm", "eb05", "eb95",
]
LOG_SCALE = {"ic", "ic025", "ic975"}
KINDS = ["DEMO", "DRUG", "REAC", "OUTC", "INDI", "THER", "RPSR", "DELETE"]
NAME = re.compile(r"^(DEMO|DRUG|REAC|OUTC|INDI|THER|RPSR|DELETE)(\d\d)Q([1-4])\.TXT$")


# ----------------------------------------------------------------------------- FAERS

def find_files(root):
    """{quarter: {kind: [paths]}} for every FAERS file below root (any case)."""
    found = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            m = NAME.match(name.upper())
            if m:
                quarter = "20%sQ%s" % (m.group(2), m.group(3))
                found.setdefault(quarter, {}).setdefault(m.group(1), []).append(
                    os.path.join(folder, name))
    return found


def read_table(path):
    """Yields dicts of the lines with as many fields as the header (a trailing
    empty field tolerated) or fewer; lines with more fields are skipped."""
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = text.splitlines()
    header = [h.strip().lower() for h in lines[0].split("$")]
    while header and header[-1] == "":
        header.pop()
    for line in lines[1:]:
        if not line.strip():
            continue
        fields = line.split("$")
        if len(fields) > len(header) and fields[-1] == "":
            fields.pop()
        if len(fields) > len(header):
            continue
        fields += [""] * (len(header) - len(fields))
        yield {h: f.strip() for h, f in zip(header, fields)}


def age_years(age, code):
    try:
        v = float(age)
    except ValueError:
        return None
    factor = {"YR": 1.0, "YRS": 1.0, "Y": 1.0, "DEC": 10.0, "MON": 1 / 12.0,
              "WK": 7 / 365.25, "DY": 1 / 365.25, "HR": 1 / 8766.0}.get(code.strip().upper())
    if factor is None or not math.isfinite(v) or v < 0:
        return None
    return v * factor


def band(age):
    if age is None:
        return "unknown"
    if age < 18:
        return "<18"
    if age < 65:
        return "18-64"
    return "65+"


def sex_of(text):
    t = text.strip()[:1].upper()
    return {"F": "F", "M": "M"}.get(t, "unknown")


def digits(text):
    d = "".join(c for c in text if c.isdigit())
    return int(d) if d else 0


def load_faers(root, roles):
    """{primaryid: (sex, band, set(drugs), set(events))} after deduplication."""
    files = find_files(root)
    versions = {}   # primaryid -> (caseid, (caseversion, fda_dt, primaryid), sex, band)
    drugs, events, deleted = {}, {}, set()
    counted = {"PS", "SS", "I"} | ({"C"} if roles == "all" else set())
    for quarter in sorted(files):
        kinds = files[quarter]
        for path in kinds.get("DELETE", []):
            with open(path, encoding="latin-1") as fh:
                for line in fh:
                    f = line.split("$")[0].strip()
                    if f.isdigit():
                        deleted.add(int(f))
        for path in kinds.get("DEMO", []):
            for row in read_table(path):
                try:
                    if "primaryid" in row:
                        pid, cid, ver = int(row["primaryid"]), int(row["caseid"]), int(row["caseversion"])
                        rank = (ver, digits(row.get("fda_dt", "")), pid)
                    else:
                        # Legacy AERS: key -ISR, case number from `case`, version 0,
                        # ranked by fda_dt then ISR.
                        isr, cid = int(row["isr"]), int(row["case"])
                        pid, rank = -isr, (0, digits(row.get("fda_dt", "")), isr)
                except ValueError:
                    continue
                versions[pid] = (cid, rank,
                                 sex_of(row.get("sex", row.get("gndr_cod", ""))),
                                 band(age_years(row.get("age", ""), row.get("age_cod", ""))))
        for path in kinds.get("DRUG", []):
            for row in read_table(path):
                try:
                    pid = int(row["primaryid"]) if "primaryid" in row else -int(row["isr"])
                except ValueError:
                    continue
                if row["role_cod"].upper() not in counted:
                    continue
                ai, name = row.get("prod_ai", ""), row.get("drugname", "")
                key = (ai if ai.strip() else name).strip().lower()
                if key:
                    drugs.setdefault(pid, set()).add(key)
        for path in kinds.get("REAC", []):
            for row in read_table(path):
                try:
                    pid = int(row["primaryid"]) if "primaryid" in row else -int(row["isr"])
                except ValueError:
                    continue
                pt = row["pt"].strip().lower()
                if pt:
                    events.setdefault(pid, set()).add(pt)
    best = {}
    for pid, (cid, rank, _s, _b) in versions.items():
        if cid in deleted:
            continue
        if cid not in best or rank > versions[best[cid]][1]:
            best[cid] = pid
    return {pid: (versions[pid][2], versions[pid][3], drugs.get(pid, set()), events.get(pid, set()))
            for pid in best.values()}


# ------------------------------------------------------------------------- counting

def count(reports, stratify):
    """N, margins, per-stratum margins and a per pair."""
    n, drug_m, event_m, pairs = 0, {}, {}, {}
    strata = {}
    for sex, bnd, ds, es in reports.values():
        if not ds or not es:
            continue
        n += 1
        key = {"none": "all", "sex": sex, "age": bnd, "sex,age": (sex, bnd)}[stratify]
        st = strata.setdefault(key, [0, {}, {}])
        st[0] += 1
        for d in ds:
            drug_m[d] = drug_m.get(d, 0) + 1
            st[1][d] = st[1].get(d, 0) + 1
            for e in es:
                pairs[(d, e)] = pairs.get((d, e), 0) + 1
        for e in es:
            event_m[e] = event_m.get(e, 0) + 1
            st[2][e] = st[2].get(e, 0) + 1
    return n, drug_m, event_m, strata, pairs


def expected(d, e, n, drug_m, event_m, strata, stratify):
    if stratify == "none":
        return drug_m[d] * event_m[e] / n
    return sum(st[1].get(d, 0) * st[2].get(e, 0) / st[0] for st in strata.values() if st[0])


# ----------------------------------------------------------------------- statistics

def prr(a, b, c, d):
    try:
        v = (a / (a + b)) / (c / (c + d))
    except ZeroDivisionError:
        v = math.inf if a > 0 else math.nan
    try:
        se = math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
        lo, hi = v * math.exp(-Z95 * se), v * math.exp(Z95 * se)
    except (ZeroDivisionError, ValueError, OverflowError):
        lo = hi = math.nan
    if not math.isfinite(v) or v <= 0:
        lo = hi = math.nan
    return v, lo, hi


def ror(a, b, c, d):
    if 0 in (a, b, c, d):
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    v = (a * d) / (b * c)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return v, math.exp(math.log(v) - Z95 * se), math.exp(math.log(v) + Z95 * se)


def chi2_yates(a, b, c, d):
    n = a + b + c + d
    den = (a + b) * (c + d) * (a + c) * (b + d)
    if den == 0:
        return math.nan
    dev = max(0.0, abs(a * d - b * c) - n / 2)
    return n * dev * dev / den


def ic(o, e):
    rate = e + 0.5
    return (math.log2((o + 0.5) / rate),
            math.log2(special.gammaincinv(o + 0.5, 0.025) / rate),
            math.log2(special.gammaincinv(o + 0.5, 0.975) / rate))


def log_nb(n, alpha, beta, e):
    return (special.gammaln(alpha + n) - special.gammaln(alpha) - special.gammaln(n + 1)
            + alpha * math.log(beta / (beta + e)) + n * math.log(e / (beta + e)))


def neg_log_lik(theta, cells):
    """openEBGM negLL with N* = 1 over (n, E, weight) cells.

    Vectorised with NumPy: the fit evaluates it tens of thousands of times, and a
    Python loop over every cell made one comparison take minutes."""
    a1, b1, a2, b2, p = theta
    if not isinstance(cells, tuple):
        cells = cells_array(cells)
    n, e, w = cells

    def log_nb_v(alpha, beta):
        return (special.gammaln(alpha + n) - special.gammaln(alpha) - special.gammaln(n + 1)
                + alpha * np.log(beta / (beta + e)) + n * np.log(e / (beta + e)))

    f1 = np.exp(log_nb_v(a1, b1)) / (1 - (b1 / (b1 + e)) ** a1)
    f2 = np.exp(log_nb_v(a2, b2)) / (1 - (b2 / (b2 + e)) ** a2)
    return float(-np.sum(w * np.log(p * f1 + (1 - p) * f2)))


def cells_array(cells):
    """(n, E, weight) rows as three float arrays, identical (n, E) rows merged with
    their weights summed (the likelihood is a weighted sum, so this changes nothing
    but the time)."""
    arr = np.array(cells, dtype=float).reshape(-1, 3)
    keys, inverse = np.unique(arr[:, :2], axis=0, return_inverse=True)
    weights = np.bincount(inverse.ravel(), weights=arr[:, 2])
    return keys[:, 0], keys[:, 1], weights


def fit(cells):
    """Maximum likelihood over α, β in [1e-5, 20], P in [1e-6, 1 − 1e-6], from
    openEBGM's starting points, with L-BFGS-B."""
    starts = [(0.2, 0.1, 2, 4, 1 / 3), (0.1, 0.1, 10, 10, 0.2), (0.3, 0.5, 6, 6, 0.5),
              (0.5, 0.3, 12, 12, 0.8), (0.2, 0.2, 5, 5, 0.4)]
    bounds = [(1e-5, 20)] * 4 + [(1e-6, 1 - 1e-6)]

    cells = cells_array(cells)

    def f(theta):
        try:
            with np.errstate(all="ignore"):
                v = neg_log_lik(theta, cells)
        except (ValueError, ZeroDivisionError, OverflowError):
            return 1e300
        return v if math.isfinite(v) else 1e300

    # L-BFGS-B from every start, then Nelder-Mead polishes the best of them only:
    # polishing all five costs minutes and never changed the winner.
    best = None
    for s in starts:
        r = optimize.minimize(f, s, method="L-BFGS-B", bounds=bounds,
                              options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000})
        if best is None or r.fun < best.fun:
            best = r
    r = optimize.minimize(f, best.x, method="Nelder-Mead",
                          options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    x = [min(max(v, lo), hi) for v, (lo, hi) in zip(r.x, bounds)]
    fx = f(x)
    if fx > best.fun:
        x, fx = list(best.x), best.fun
    return (x, fx)


def posterior(theta, n, e):
    a1, b1, a2, b2, p = theta
    l1 = math.log(p) + log_nb(n, a1, b1, e)
    l2 = math.log(1 - p) + log_nb(n, a2, b2, e)
    q = 1 / (1 + math.exp(l2 - l1))
    r1, r2 = b1 + e, b2 + e
    e_ln = q * (special.digamma(a1 + n) - math.log(r1)) + (1 - q) * (special.digamma(a2 + n) - math.log(r2))

    def quantile(prob):
        x1 = special.gammaincinv(a1 + n, prob) / r1
        x2 = special.gammaincinv(a2 + n, prob) / r2
        lo, hi = min(x1, x2), max(x1, x2)
        if hi - lo <= 1e-15 * hi:
            return hi

        def g(u):
            x = math.exp(u)
            if prob > 0.5:
                return (1 - prob) - (q * special.gammaincc(a1 + n, r1 * x)
                                     + (1 - q) * special.gammaincc(a2 + n, r2 * x))
            return q * special.gammainc(a1 + n, r1 * x) + (1 - q) * special.gammainc(a2 + n, r2 * x) - prob

        return math.exp(optimize.brentq(g, math.log(lo), math.log(hi), xtol=1e-15, rtol=1e-15, maxiter=500))

    return math.exp(e_ln), quantile(0.05), quantile(0.95)


def compute(directory, role, stratify, theta=None):
    reports = load_faers(directory, role)
    n, drug_m, event_m, strata, pairs = count(reports, stratify)
    cells = [(a, expected(d, e, n, drug_m, event_m, strata, stratify), 1.0)
             for (d, e), a in pairs.items()]
    own = fit(cells)
    if theta is None:
        theta = own[0]
    rows = []
    for (d, e), a in sorted(pairs.items()):
        b, c = drug_m[d] - a, event_m[e] - a
        dd = n - a - b - c
        ex = expected(d, e, n, drug_m, event_m, strata, stratify)
        p, pl, pu = prr(a, b, c, dd)
        r, rl, ru = ror(a, b, c, dd)
        chi = chi2_yates(a, b, c, dd)
        i, il, iu = ic(a, ex)
        g, g05, g95 = posterior(theta, a, ex)
        met = []
        if p >= 2 and chi >= 4 and a >= 3:
            met.append("evans")
        if rl > 1:
            met.append("ror025")
        if il > 0:
            met.append("ic025")
        if g05 >= 2:
            met.append("eb05")
        rows.append({"drug": d, "event": e, "a": a, "b": b, "c": c, "d": dd, "expected": ex,
                     "prr": p, "prr_lower": pl, "prr_upper": pu, "chi2_yates": chi, "ror": r,
                     "ror_lower": rl, "ror_upper": ru, "ic": i, "ic025": il, "ic975": iu,
                     "ebgm": g, "eb05": g05, "eb95": g95, "signals": met})
    return {"reports": n, "pairs": len(pairs), "fit": {"theta": own[0], "neg_log_lik": own[1]},
            "cells": cells, "results": rows}


# ----------------------------------------------------------------------- comparison

def finite(v):
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def agree(x, y, field, rtol):
    if not finite(x) or not finite(y):
        return not finite(x) and not finite(y)
    scale = max(abs(x), abs(y))
    if field in LOG_SCALE:
        scale = max(scale, 1.0)
    return abs(x - y) <= rtol * scale


def compare(args):
    with open(args.rust) as fh:
        rust = json.load(fh)
    prior = rust["prior"]
    theta = [prior["alpha1"], prior["beta1"], prior["alpha2"], prior["beta2"], prior["p"]]
    ref = compute(args.dir, args.role, args.stratify, theta)
    failures = []
    checks = 0

    def check(ok, message):
        nonlocal checks
        checks += 1
        if not ok:
            failures.append(message)

    check(rust["reports"] == ref["reports"], f"N: offlabel {rust['reports']}, reference {ref['reports']}")
    check(rust["pairs"] == ref["pairs"], f"pairs: offlabel {rust['pairs']}, reference {ref['pairs']}")
    mine = {(r["drug"], r["event"]): r for r in ref["results"]}
    theirs = {(r["drug"], r["event"]): r for r in rust["results"]}
    check(set(mine) == set(theirs),
          f"pair sets differ: only offlabel {sorted(set(theirs) - set(mine))[:5]}, "
          f"only reference {sorted(set(mine) - set(theirs))[:5]}")
    worst = {}
    for key in sorted(set(mine) & set(theirs)):
        a, b = mine[key], theirs[key]
        for f in ["a", "b", "c", "d"]:
            check(a[f] == b[f], f"{key} {f}: offlabel {b[f]}, reference {a[f]}")
        for f in NUMERIC:
            x, y = a[f], b[f]
            ok = agree(x, y, f, args.rtol)
            if finite(x) and finite(y):
                rel = abs(x - y) / max(abs(x), abs(y), 1.0 if f in LOG_SCALE else 1e-300)
                worst[f] = max(worst.get(f, 0.0), rel)
            check(ok, f"{key} {f}: offlabel {y!r}, reference {x!r}")
        check(a["signals"] == b["signals"], f"{key} signals: offlabel {b['signals']}, reference {a['signals']}")
    # The fit: offlabel's optimum must be at least as good as SciPy's, and close.
    own_theta, own_nll = ref["fit"]["theta"], ref["fit"]["neg_log_lik"]
    rust_nll = neg_log_lik(theta, ref["cells"])
    if prior.get("source") == "fitted":
        check(rust_nll <= own_nll + 1e-7 * abs(own_nll),
              f"EBGM fit: offlabel's -logL {rust_nll!r} worse than SciPy's {own_nll!r} (theta {own_theta})")
        check(abs(rust_nll - prior["fit"]["neg_log_lik"]) <= 1e-9 * abs(rust_nll),
              f"-logL at offlabel's theta: reference {rust_nll!r}, offlabel {prior['fit']['neg_log_lik']!r}")
    print(f"reference {args.role}/{args.stratify}: N={ref['reports']}, {ref['pairs']} pairs, "
          f"{checks} checks, {len(failures)} failed; -logL offlabel {rust_nll:.10f} SciPy {own_nll:.10f}; "
          f"worst relative difference {max(worst.values()) if worst else 0:.2e}")
    for f in failures[:20]:
        print("  MISMATCH", f)
    return 1 if failures else 0


# ----------------------------------------------------------------------- generation

DEMO_H = ("primaryid$caseid$caseversion$i_f_code$event_dt$mfr_dt$init_fda_dt$fda_dt$rept_cod$auth_num"
          "$mfr_num$mfr_sndr$lit_ref$age$age_cod$age_grp$sex$e_sub$wt$wt_cod$rept_dt$to_mfr$occp_cod"
          "$reporter_country$occr_country")
DRUG_H = ("primaryid$caseid$drug_seq$role_cod$drugname$prod_ai$val_vbm$route$dose_vbm$cum_dose_chr"
          "$cum_dose_unit$dechal$rechal$lot_num$exp_dt$nda_num$dose_amt$dose_unit$dose_form$dose_freq")
REAC_H = "primaryid$caseid$pt$drug_rec_act"


def zipf_choice(rng, n, s=1.1):
    weights = [1 / (k ** s) for k in range(1, n + 1)]
    total = sum(weights)
    cum, acc = [], 0.0
    for w in weights:
        acc += w / total
        cum.append(acc)

    def draw():
        u = rng.random()
        lo, hi = 0, n - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if cum[mid] < u:
                lo = mid + 1
            else:
                hi = mid
        return lo
    return draw


def generate(args):
    rng = random.Random(args.seed)
    out = args.outdir
    n_drugs, n_events = 120, 260
    # Pack medicines among the ingredients (their pack ids equal the lower-case
    # ingredient, so both implementations key them alike); the rest are codes.
    ingredients = ["BARICITINIB", "TOFACITINIB", "UPADACITINIB", "ABROCITINIB"] + [
        "QX%03d" % i for i in range(n_drugs - 4)]
    brands = {"BARICITINIB": "OLUMIANT", "TOFACITINIB": "XELJANZ", "UPADACITINIB": "RINVOQ",
              "ABROCITINIB": "CIBINQO"}
    terms = ["Event term %03d" % i for i in range(n_events)]
    drug_draw, event_draw = zipf_choice(rng, n_drugs), zipf_choice(rng, n_events)
    signature = {d: [rng.randrange(n_events) for _ in range(2)] for d in range(n_drugs)}
    quarters = {"2023Q4": ("23Q4", True), "2024Q1": ("24q1", False)}
    rows = {q: {"DEMO": [], "DRUG": [], "REAC": []} for q in quarters}
    deleted = []
    pid_seq = 0
    for case in range(1, args.cases + 1):
        caseid = 9_000_000 + case
        n_versions = 1 + (rng.random() < 0.25)
        drugs = [drug_draw() for _ in range(1 + min(int(rng.expovariate(1.0)), 6))]
        events = []
        for _ in range(1 + min(int(rng.expovariate(0.7)), 8)):
            if rng.random() < 0.15:
                events.append(signature[drugs[0]][rng.randrange(2)])
            else:
                events.append(event_draw())
        sex = rng.choice(["F", "F", "M", "M", "UNK", ""])
        age = rng.choice([("45", "YR"), ("70", "YR"), ("9", "YR"), ("30", "YR"), ("7", "DEC"),
                          ("18", "MON"), ("", ""), ("66", "YR"), ("17", "YR")])
        for v in range(1, n_versions + 1):
            quarter = "2023Q4" if v == 1 else "2024Q1"
            pid_seq += 1
            pid = caseid * 10 + v
            fda = "2023%02d%02d" % (10 + rng.randrange(3), 1 + rng.randrange(28)) if v == 1 else \
                "2024%02d%02d" % (1 + rng.randrange(3), 1 + rng.randrange(28))
            # Follow-ups change the event list a little.
            evs = events if v == 1 else events[: max(1, len(events) - 1)] + [event_draw()]
            copies = [pid]
            if v == 2 and rng.random() < 0.1:
                copies.append(pid + 5)  # the same version twice: fda_dt decides
            for k, p in enumerate(copies):
                day = fda if k == 0 else fda[:6] + "%02d" % (1 + rng.randrange(28))
                rows[quarter]["DEMO"].append([
                    str(p), str(caseid), str(v), "I" if v == 1 else "F", "20230901", "", "20231001",
                    day, "EXP", "", "", "", "", age[0], age[1], "", sex, "Y", "", "", "", "", "MD",
                    "US", "US"])
                for seq, d in enumerate(drugs, 1):
                    role = "PS" if seq == 1 else rng.choice(["SS", "C", "C", "I"])
                    ai = ingredients[d]
                    name = brands.get(ai, "Brand " + ai) if rng.random() < 0.7 else ai.title()
                    if rng.random() < 0.05 and ai not in brands:
                        ai_field = ""  # key falls back to the drug name
                        name = ingredients[d]
                    else:
                        ai_field = ai
                    rows[quarter]["DRUG"].append([
                        str(p), str(caseid), str(seq), role, name, ai_field, "1", "Oral", "", "", "",
                        "", "", "", "", "", "", "", "", ""])
                for e in evs:
                    term = terms[e]
                    if rng.random() < 0.1:
                        term = " " + term.upper() + " "  # case and spaces do not matter
                    rows[quarter]["REAC"].append([str(p), str(caseid), term, ""])
        if rng.random() < 0.03:
            deleted.append(caseid)
    legacy = generate_legacy(args, drug_draw, event_draw, ingredients, terms, deleted)
    for quarter, (tag, upper) in quarters.items():
        folder = os.path.join(out, quarter.lower())
        os.makedirs(os.path.join(folder, "Deleted"), exist_ok=True)
        for kind, header in (("DEMO", DEMO_H), ("DRUG", DRUG_H), ("REAC", REAC_H)):
            name = f"{kind}{tag}.txt" if upper else f"{kind.lower()}{tag}.txt"
            trail = "" if upper else "$"
            with open(os.path.join(folder, name), "w", newline="") as fh:
                fh.write(header + trail + "\n")
                for r in rows[quarter][kind]:
                    fh.write("$".join(r) + trail + ("\r\n" if upper else "\n"))
                if kind == "DRUG":
                    fh.write("1$1$1$PS$BAD$LINE$" + "$" * 20 + "\n")  # too many fields
        if quarter == "2024Q1":
            with open(os.path.join(folder, "Deleted", "DELETE24Q1.txt"), "w") as fh:
                fh.write("".join(f"{c}\n" for c in deleted))
    folder = os.path.join(out, "2012q3")
    os.makedirs(folder, exist_ok=True)
    for kind, header in (("DEMO", LEGACY_DEMO_H), ("DRUG", LEGACY_DRUG_H), ("REAC", LEGACY_REAC_H)):
        with open(os.path.join(folder, f"{kind}12Q3.TXT"), "w", newline="") as fh:
            fh.write(header + "$\n")
            for r in legacy[kind]:
                fh.write("$".join(r) + "$\n")
    print(json.dumps({"cases": args.cases, "deleted": len(deleted), "legacy_versions": len(legacy["DEMO"]),
                      "out": out}))
    return 0


LEGACY_DEMO_H = ("isr$case$i_f_cod$foll_seq$image$event_dt$mfr_dt$fda_dt$rept_cod$mfr_num$mfr_sndr"
                 "$age$age_cod$gndr_cod$e_sub$wt$wt_cod$rept_dt$occp_cod$death_dt$to_mfr$confid")
LEGACY_DRUG_H = "isr$drug_seq$role_cod$drugname$val_vbm$route$dose_vbm$dechal$rechal$lot_num$exp_dt$nda_num"
LEGACY_REAC_H = "isr$pt"


def generate_legacy(args, drug_draw, event_draw, ingredients, terms, deleted):
    """Rows of one legacy AERS quarter (2012Q3), from an RNG of its own so the FAERS
    quarters stay as they were: earlier versions of one FAERS case in five (which the
    FAERS version must beat), and legacy-only cases with one or two ISRs (the later
    fda_dt wins, on a tie the larger ISR), one in twenty of them deleted."""
    rng = random.Random(args.seed + 1000)
    rows = {"DEMO": [], "DRUG": [], "REAC": []}
    isr = 4_000_000
    faers_cases = [9_000_000 + c for c in range(1, args.cases + 1) if rng.random() < 0.2]
    legacy_only = [8_000_000 + c for c in range(1, args.cases // 4 + 1)]
    for caseid in faers_cases + legacy_only:
        n_versions = 1 + (caseid in legacy_only and rng.random() < 0.3)
        day = "201207%02d" % (1 + rng.randrange(28))
        for v in range(n_versions):
            isr += 1 + rng.randrange(3)
            if v and rng.random() < 0.5:
                day = "201208%02d" % (1 + rng.randrange(28))  # else a tie: the ISR decides
            sex = rng.choice(["F", "M", "UNK", ""])
            age = rng.choice([("45", "YR"), ("70", "YR"), ("9", "YR"), ("5", "DEC"), ("", "")])
            rows["DEMO"].append([str(isr), str(caseid), "I" if v == 0 else "F", "", "%d-1" % isr,
                                 "20120601", "", day, "EXP", "", "", age[0], age[1], sex, "Y", "", "",
                                 day, "MD", "", "", ""])
            drugs = [drug_draw() for _ in range(1 + min(int(rng.expovariate(1.0)), 4))]
            for seq, d in enumerate(drugs, 1):
                role = "PS" if seq == 1 else rng.choice(["SS", "C", "I"])
                ai = ingredients[d]
                # No prod_ai in the legacy layout: the key is the name, so the name is
                # the ingredient (a brand would need the pack to resolve).
                name = ai
                rows["DRUG"].append([str(isr), str(isr * 10 + seq), role, name, "1", "ORAL", "",
                                     "", "", "", "", ""])
            for _ in range(1 + min(int(rng.expovariate(0.7)), 6)):
                rows["REAC"].append([str(isr), terms[event_draw()].upper()])
        if caseid in legacy_only and rng.random() < 0.05:
            deleted.append(caseid)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("outdir")
    g.add_argument("--seed", type=int, default=7)
    g.add_argument("--cases", type=int, default=2500)
    for name in ("compute", "compare"):
        p = sub.add_parser(name)
        p.add_argument("dir")
        if name == "compare":
            p.add_argument("rust")
            p.add_argument("--rtol", type=float, default=1e-9)
        p.add_argument("--role", default="suspect", choices=["suspect", "all"])
        p.add_argument("--stratify", default="none", choices=["none", "sex", "age", "sex,age"])
        if name == "compute":
            p.add_argument("--hyper")
    args = ap.parse_args()
    if args.cmd == "generate":
        return generate(args)
    if args.cmd == "compare":
        return compare(args)
    theta = [float(v) for v in args.hyper.split(",")] if args.hyper else None
    res = compute(args.dir, args.role, args.stratify, theta)
    res.pop("cells")
    json.dump(res, sys.stdout, indent=1, default=lambda v: None)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
