#!/usr/bin/env python3
"""Measure `offlabel context --batch` on a NegEx/ConText test-set half (TSV as in
../shared/data/context/negex-dev.tsv): precision, recall and F1 for negation and historical.

usage: scripts/context-negex.py [TSV] [BINARY]
"""
import json
import subprocess
import sys

tsv = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/context/negex-dev.tsv"
binary = sys.argv[2] if len(sys.argv) > 2 else "target/release/offlabel"
rows = [l.rstrip("\n").split("\t") for l in open(tsv, encoding="utf-8")][1:]
lines = "".join(json.dumps({"text": r[2], "target": r[1].strip()}) + "\n" for r in rows)
out = subprocess.run([binary, "context", "--batch"], input=lines, capture_output=True,
                     text=True, check=True).stdout.splitlines()
assert len(out) == len(rows), "one line out per line in"


def prf(pairs):
    tp = sum(1 for t, s in pairs if t and s)
    fp = sum(1 for t, s in pairs if not t and s)
    fn = sum(1 for t, s in pairs if t and not s)
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


neg, hist, errors = [], [], 0
for r, o in zip(rows, out):
    d = json.loads(o)
    if "error" in d:
        errors += 1
        d = {"negated": False, "temporality": "recent"}
    neg.append((r[3] == "Negated", d["negated"]))
    hist.append((r[4] == "Historical", d["temporality"] == "historical"))
print(f"rows {len(rows)}, error lines {errors}")
print("negation   P %.3f R %.3f F1 %.3f" % prf(neg))
print("historical P %.3f R %.3f F1 %.3f" % prf(hist))
