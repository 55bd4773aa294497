#!/usr/bin/env python3
"""Compares offlabel's drug recognition with the PyPI package drug-named-entity-recognition.

For every public question (../shared/eval/questions.jsonl) with an expected drug, and for
the benchmark questions, it asks both recognisers which medicine the question names and
reports accuracy (does it tell Opzelura from Jakafi, cream from tablets?) and time per question.
usage: compare_ner.py OFFLABEL_BIN [QUESTIONS_JSONL ...]
"""
import json
import subprocess
import sys
import time

from drug_named_entity_recognition import find_drugs

# The package names ingredients; map its names onto the contract ids. It has no notion of
# route, so ruxolitinib counts as right for either ruxolitinib id (a generous reading).
def ner_ids(question):
    found = find_drugs(question.split(" "), is_ignore_case=True)
    ids = set()
    for drug, _start, _end in found:
        name = (drug.get("name") or "").lower()
        synonyms = {s.lower() for s in drug.get("synonyms", [])}
        for key in ("ruxolitinib", "baricitinib", "upadacitinib", "abrocitinib", "tofacitinib"):
            if key == name or key in synonyms:
                ids.add(key)
    return ids


def main():
    binary = sys.argv[1]
    files = sys.argv[2:] or ["../shared/eval/questions.jsonl", "crates/offlabel-engine/tests/data/questions.jsonl"]
    cases = []
    for f in files:
        for line in open(f, encoding="utf-8"):
            if line.strip():
                c = json.loads(line)
                if "drug" in c.get("expect", {}):
                    want = c["expect"]["drug"]
                    # A list holds acceptable ids; the first is the one the peer is asked for.
                    cases.append((c["q"], want[0] if isinstance(want, list) else want))
    questions = "\n".join(q for q, _ in cases) + "\n"
    t0 = time.perf_counter()
    out = subprocess.run([binary, "ask", "--batch"], input=questions, capture_output=True, text=True, check=True).stdout
    t_ours = time.perf_counter() - t0
    ours = [json.loads(l).get("drug") for l in out.splitlines()]
    ours_ok = sum(1 for (q, want), got in zip(cases, ours) if (got or {}).get("id") == want)

    t0 = time.perf_counter()
    theirs = [ner_ids(q) for q, _ in cases]
    t_theirs = time.perf_counter() - t0

    def theirs_right(want, got):
        if want is None:
            return not got
        base = "ruxolitinib" if want.startswith("ruxolitinib") else want
        return got == {base}

    theirs_ok = sum(1 for (q, want), got in zip(cases, theirs) if theirs_right(want, got))
    # Route: the package cannot tell Opzelura (cream) from Jakafi (tablets).
    rux = [(q, w) for q, w in cases if w and w.startswith("ruxolitinib")]
    n = len(cases)
    print(f"questions with an expected drug: {n}")
    print(f"offlabel: {ours_ok}/{n} right ({100*ours_ok/n:.1f}%), {1e6*t_ours/n:.1f} us/question including process start")
    print(f"drug-named-entity-recognition: {theirs_ok}/{n} right ({100*theirs_ok/n:.1f}%) counting any ruxolitinib as right, "
          f"{1e6*t_theirs/n:.1f} us/question; it cannot separate the cream from the tablets ({len(rux)} ruxolitinib questions)")


if __name__ == "__main__":
    main()
