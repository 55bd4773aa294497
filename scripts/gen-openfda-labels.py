#!/usr/bin/env python3
"""Writes a synthetic openFDA drug/label bulk file of N records (default 250,000) for the
streaming-import measurement in docs/data.md: {"meta": {...}, "results": [...]}, records in
the real field layout (set_id, version, effective_time, sections as lists, openfda block),
70% prescription with an Indications and Usage section, 20% OTC, 10% without indications.
Usage: scripts/gen-openfda-labels.py OUT.json [N]"""
import json, sys, uuid, random

out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 250_000
rnd = random.Random(20)
drugs = [("GEFITINIB", "IRESSA", "ORAL"), ("ADALIMUMAB", "HUMIRA", "SUBCUTANEOUS"),
         ("ATORVASTATIN CALCIUM", "LIPITOR", "ORAL"), ("DIAZEPAM", "VALIUM", "ORAL"),
         ("METFORMIN HYDROCHLORIDE", "GLUCOPHAGE", "ORAL"), ("TOFACITINIB CITRATE", "XELJANZ", "ORAL")]
texts = [
    "1 INDICATIONS AND USAGE {b} is indicated for the treatment of adult patients with moderately to severely active rheumatoid arthritis who have had an inadequate response to methotrexate.",
    "1 INDICATIONS AND USAGE {b} is indicated for the first-line treatment of adult patients with metastatic non-small cell lung cancer (NSCLC) whose tumors have epidermal growth factor receptor (EGFR) exon 19 deletions. Limitations of Use: Safety and effectiveness have not been established in patients with other EGFR mutations.",
    "INDICATIONS AND USAGE {b} is indicated as an adjunct to diet and exercise to improve glycemic control in adults and pediatric patients 10 years of age and older with type 2 diabetes mellitus.",
    "INDICATIONS & USAGE {b} is indicated for the management of anxiety disorders or for the short-term relief of the symptoms of anxiety.",
]
filler = "Serious infections leading to hospitalization or death have occurred. " * 6
with open(out, "w") as f:
    f.write('{"meta": {"disclaimer": "synthetic test file", "results": {"total": %d}},\n"results": [\n' % n)
    for i in range(n):
        g, b, route = drugs[i % len(drugs)]
        kind = rnd.random()
        r = {"set_id": str(uuid.UUID(int=rnd.getrandbits(128))), "id": str(uuid.UUID(int=rnd.getrandbits(128))),
             "version": str(rnd.randint(1, 30)), "effective_time": "20%02d%02d%02d" % (rnd.randint(10, 25), rnd.randint(1, 12), rnd.randint(1, 28)),
             "spl_product_data_elements": [f"{b} {g} TABLET {g}"],
             "openfda": {"brand_name": [b], "generic_name": [g], "substance_name": [g], "manufacturer_name": [f"Labeller {i % 997}"],
                         "product_type": ["HUMAN OTC DRUG" if 0.7 <= kind < 0.9 else "HUMAN PRESCRIPTION DRUG"], "route": [route]}}
        if kind < 0.9:
            r["indications_and_usage"] = [texts[i % len(texts)].format(b=b)]
        if kind < 0.7:
            r["boxed_warning"] = ["WARNING: SERIOUS INFECTIONS " + filler]
            r["contraindications"] = ["4 CONTRAINDICATIONS None."]
            r["warnings_and_cautions"] = [filler * 4]
            r["adverse_reactions"] = [filler * 4]
        else:
            r["purpose"] = ["Purpose"]; r["keep_out_of_reach_of_children"] = ["Keep out of reach of children."]
        f.write(json.dumps(r))
        f.write(",\n" if i + 1 < n else "\n")
    f.write("]}\n")
