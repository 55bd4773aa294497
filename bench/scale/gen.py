#!/usr/bin/env python3
"""Generates a synthetic knowledge pack at scale, in today's schema.

usage: gen.py OUT_DIR MEDICINES CONDITIONS [SEED]

OUT_DIR receives a copy of knowledge/ (so every record family and the contract's
medicines are there) plus `synthetic.toml`: MEDICINES medicines with made-up names,
CONDITIONS conditions in a tree (depth up to 6) with synonyms, and for every medicine
two authorisations and about eight studies. The same arguments give the same pack.
It also writes `questions.txt` beside the pack: the fixed question mix of run.sh.
"""
import os
import random
import shutil
import sys

SYLLABLES = ["ba", "ce", "di", "fo", "gu", "ka", "le", "mi", "no", "pu", "ra", "se",
             "ti", "vo", "xa", "ze", "lo", "tra", "bri", "ste", "qui", "dro", "pha", "nel"]
SUFFIXES = ["mab", "nib", "tinib", "zumab", "pril", "sartan", "olol", "stat", "vir", "cept"]
DISEASE_WORDS = ["syndrome", "disease", "dystrophy", "fever", "arteritis", "neuropathy",
                 "myopathy", "carcinoma", "dermatosis", "anemia", "nephritis", "hepatitis"]
DESIGNS = ["meta_analysis", "rct", "open_label_trial", "prospective_study",
           "retrospective_study", "case_series", "case_report"]


def word(rng, n):
    return "".join(rng.choice(SYLLABLES) for _ in range(n))


def q(s):
    return '"' + s.replace('"', "'") + '"'


def main():
    out, n_med, n_cond = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
    here = os.path.dirname(os.path.abspath(__file__))
    knowledge = os.path.join(here, "..", "..", "knowledge")
    if os.path.exists(out):
        shutil.rmtree(out)
    shutil.copytree(knowledge, out, ignore=shutil.ignore_patterns("*.md"))
    lines = ["# Synthetic records for the scale benchmark (bench/scale/gen.py).", "",
             "[[source]]", 'id = "synthetic"', 'title = "Synthetic benchmark data"',
             'kind = "curation"', "reliability = 1", ""]
    conditions, names = [], set()
    for i in range(n_cond):
        while True:
            name = f"{word(rng, rng.randint(2, 3))} {rng.choice(DISEASE_WORDS)}"
            if name not in names:
                names.add(name)
                break
        cid = f"syn-c{i}"
        parent = None
        if i > 10 and rng.random() < 0.8:
            parent = f"syn-c{rng.randrange(max(0, i - 200), i)}"
        conditions.append(cid)
        lines += ["[[condition]]", f"id = {q(cid)}", f"name = {q(name.capitalize())}"]
        if parent:
            lines.append(f"parent = {q(parent)}")
        syn = f"{word(rng, 3)} {rng.choice(DISEASE_WORDS)}"
        lines += [f"synonyms = [{q(syn)}]", "dermatological = true",
                  'sources = ["synthetic"]', ""]
    medicines = []
    used_names = set()
    for i in range(n_med):
        while True:
            name = word(rng, rng.randint(2, 3)) + rng.choice(SUFFIXES)
            if name not in used_names:
                used_names.add(name)
                break
        brand = word(rng, 2).capitalize() + rng.choice(["ix", "a", "o", "el"])
        mid = f"syn-m{i}"
        medicines.append((mid, name, brand))
        lines += ["[[medicine]]", f"id = {q(mid)}", f"name = {q(name.capitalize())}",
                  f"ingredient = {q(name)}", f"route = {q(rng.choice(['oral', 'topical']))}",
                  'targets = ["SYN1"]', 'mechanism = "A synthetic mechanism."',
                  'authorisations_known = ["FDA", "EMA"]',
                  "products = [{ brand = " + q(brand) + ', form = "tablet", sources = ["synthetic"] }]',
                  'sources = ["synthetic"]', ""]
        for reg in ("FDA", "EMA"):
            cond = rng.choice(conditions)
            lines += ["[[authorisation]]", f'id = "syn-a{i}-{reg}"', f'regulator = "{reg}"',
                      f"medicine = {q(mid)}", f"condition = {q(cond)}", 'kind = "authorised"',
                      'sources = ["synthetic"]', ""]
        for j in range(rng.randint(4, 12)):
            cond = rng.choice(conditions)
            lines += ["[[study]]", f'id = "syn-s{i}-{j}"', f"medicine = {q(mid)}",
                      f"condition = {q(cond)}", f'design = "{rng.choice(DESIGNS)}"',
                      f"n = {rng.randint(1, 900)}", 'outcome = "A synthetic outcome."',
                      'direction = "positive"', 'location = "synthetic"',
                      'sources = ["synthetic"]', ""]
    with open(os.path.join(out, "synthetic.toml"), "w") as f:
        f.write("\n".join(lines))
    # The fixed question mix: options, drug + condition, unknown names.
    qrng = random.Random(11)
    questions = []
    for k in range(300):
        kind = k % 3
        if kind == 0:
            questions.append(f"What has been tried for syn-cond {k}?".replace(
                f"syn-cond {k}", sorted(names)[qrng.randrange(len(names))]))
        elif kind == 1:
            mid, name, brand = medicines[qrng.randrange(len(medicines))]
            cond = sorted(names)[qrng.randrange(len(names))]
            questions.append(f"Can I use {qrng.choice([name, brand])} for {cond}?")
        else:
            questions.append(f"Is {word(qrng, 4)}zumab approved for {word(qrng, 4)} fever?")
    with open(os.path.join(os.path.dirname(os.path.abspath(out)), "questions.txt"), "w") as f:
        f.write("\n".join(questions) + "\n")


if __name__ == "__main__":
    main()
