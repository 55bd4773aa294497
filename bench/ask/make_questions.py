#!/usr/bin/env python3
"""Writes N varied questions (one per line) for the `ask --batch` throughput benchmark.

Questions combine templates, medicine names (brands, generics, misspellings), condition
names (English, Spanish, abbreviations, lay terms), places and patient details, seeded so
every run measures the same set. usage: make_questions.py [N] > questions.txt
"""
import random
import sys

DRUGS = ["Opzelura", "opzelura cream", "ruxolitinib cream", "topical ruxolitinib", "opzulera", "Jakafi",
         "oral ruxolitinib", "Olumiant", "baricitinib", "olumiant", "baricitnib", "Rinvoq", "rinvok",
         "upadacitinib", "Cibinqo", "abrocitinib", "Xeljanz", "tofacitinib", "dupilumab"]
CONDITIONS = ["psoriasis", "psorasis", "eczema", "atopic dermatitis", "severe atopic dermatitis",
              "mild eczema", "vitiligo", "segmental vitiligo", "non-segmental vitiligo", "alopecia areata",
              "hair loss", "AA", "lichen planus", "oral lichen planus", "hidradenitis suppurativa", "HS",
              "chronic graft versus host disease", "skin GVHD", "discoid lupus", "dermatomyositis",
              "juvenile dermatomyositis", "granuloma annulare", "acne", "vitíligo", "dermatitis atópica",
              "liquen plano", "prurigo nodularis", "morphea", "VEXAS syndrome", "sarcoidosis"]
PLACES = ["", "", " in the US", " in Europe", " in Germany", " in the EU", " in Canada", " in Spain"]
PATIENTS = ["", "", "", " for an 80 year old", " for a 15-year-old", " while pregnant",
            " while breastfeeding", " for a smoker", " for a 70-year-old with moderate kidney disease",
            " on 20% of the body", " near the eyes", " after a kidney transplant", " for my 8 year old"]
TEMPLATES = [
    "Can I use {d} for {c}{p}{x}?", "Is {d} approved for {c}{p}?", "{d} for {c}{x}",
    "What is the evidence for {d} in {c}?", "{d} dose{x}", "What are the side effects of {d}?",
    "How does {d} work?", "Has {d} been used for {c}?", "¿Puedo usar {d} para {c}{x}?",
    "Which JAK inhibitors have been tried for {c}?", "What tests are needed before starting {d}?",
    "When was {d} approved{p}?", "How well does {d} work for {c}?", "risk of herpes zoster with {d}",
]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    rng = random.Random(20261121)
    for _ in range(n):
        t = rng.choice(TEMPLATES)
        print(t.format(d=rng.choice(DRUGS), c=rng.choice(CONDITIONS), p=rng.choice(PLACES), x=rng.choice(PATIENTS)))


if __name__ == "__main__":
    main()
