#!/usr/bin/env python3
"""Validate an offlabel FHIR R5 export with two outside validators.

usage: validate_fhir.py BUNDLE.json SCHEMA.json [CDS_SCHEMA_DIR]

1. fhir.resources (PyPI, 8.x: pydantic models generated from FHIR R5): every entry's
   resource, and the Bundle itself.
2. The official R5 JSON Schema (npm hl7.fhir.r5.core, openapi/fhir.schema.json): every
   resource against its definition (#/definitions/<Type>, or
   #/components/schemas/<Type> in the OpenAPI form), with the schema's own references.
3. Optionally, the CDS Hooks 2.0 JSON Schemas in docs/cds-hooks/schema with Python
   jsonschema (the Rust test checks the same files with the Rust crate).

Prints one line per failure and a closing "N passed, M failed" line; exits 1 on failure.
"""

import json
import sys
from pathlib import Path

from fhir.resources import get_fhir_model_class
import jsonschema
from jsonschema import validators


def schema_validator(schema, rtype):
    if "definitions" in schema:
        ref = f"#/definitions/{rtype}"
    else:
        ref = f"#/components/schemas/{rtype}"
    root = dict(schema)
    root.pop("oneOf", None)
    root.pop("discriminator", None)
    sub = {"$ref": ref}
    cls = validators.validator_for(schema, default=jsonschema.Draft6Validator)
    # Resolve #/definitions/... against the whole document.
    try:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT6

        resource = Resource.from_contents(root, default_specification=DRAFT6)
        registry = Registry().with_resource("urn:fhir-r5", resource)
        sub = {"$ref": "urn:fhir-r5" + ref}
        return cls(sub, registry=registry)
    except ImportError:  # older jsonschema
        resolver = jsonschema.RefResolver.from_schema(root)
        return cls(sub, resolver=resolver)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    bundle = json.loads(Path(sys.argv[1]).read_text())
    schema = json.loads(Path(sys.argv[2]).read_text())
    passed = failed = 0
    cache = {}

    def check(label, fn):
        nonlocal passed, failed
        try:
            fn()
            passed += 1
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            failed += 1
            text = str(e).replace("\n", " ")[:400]
            print(f"FAIL {label}: {text}")

    resources = [e["resource"] for e in bundle.get("entry", [])]
    for res in [bundle] + resources:
        rtype = res.get("resourceType", "?")
        label = f"{rtype}/{res.get('id', '?')}"
        check(f"fhir.resources {label}", lambda res=res, rtype=rtype: get_fhir_model_class(rtype).model_validate(res))
        if rtype not in cache:
            cache[rtype] = schema_validator(schema, rtype)
        v = cache[rtype]

        def schema_check(res=res, v=v):
            errors = sorted(v.iter_errors(res), key=lambda e: list(e.path))
            if errors:
                raise ValueError("; ".join(f"{list(e.path)}: {e.message}" for e in errors[:3]))

        check(f"R5 JSON Schema {label}", schema_check)

    if len(sys.argv) > 3:
        base = Path(sys.argv[3])
        for name, schema_file in [("discovery", "discovery.schema.json"), ("response", "response.schema.json"), ("feedback", "feedback.schema.json")]:
            cds_schema = json.loads((base / "schema" / schema_file).read_text())
            for example in sorted((base / "examples").glob(f"{name}-*.json")):
                doc = json.loads(example.read_text())
                check(f"CDS Hooks {example.name}", lambda doc=doc, s=cds_schema: jsonschema.validate(doc, s))

    types = sorted({r.get("resourceType") for r in resources})
    print(f"resource types: {', '.join(types)}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
