//! The OpenAPI 3.1 document, generated at start-up from the code.
//!
//! Schemas come from `#[derive(JsonSchema)]` on the types the handlers serialize and
//! deserialize (responses with the serialize contract, the `/v1/check` body with the
//! deserialize contract). Value lists that depend on the pack (medicine, condition and
//! source ids) are read from the pack, so the document always matches what is served.

use crate::api::{ConditionDetail, DrugDetail, Health};
use crate::error::ErrorBody;
use crate::signals::{DEFAULT_LIMIT, MAX_LIMIT, MAX_MIN_A, MAX_NAME_CHARS, SignalsPage};
use bytes::Bytes;
use offlabel_engine::browse::{ConditionSummary, MedicineSummary, Page};
use offlabel_engine::{Answer, CheckReport, CheckRequest, Engine, MAX_QUESTION_CHARS};
use offlabel_model::{Source, Study};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

const REF_PREFIX: &str = "#/components/schemas/";

fn settings() -> SchemaSettings {
    let mut s = SchemaSettings::draft2020_12();
    s.definitions_path = "/components/schemas".into();
    s.meta_schema = None;
    s
}

/// Schemas for the types of the API, collected as components.
struct Schemas {
    responses: SchemaGenerator,
    requests: SchemaGenerator,
}

impl Schemas {
    fn new() -> Schemas {
        Schemas {
            responses: settings().for_serialize().into_generator(),
            requests: settings().for_deserialize().into_generator(),
        }
    }

    fn response<T: JsonSchema>(&mut self) -> Value {
        self.responses.subschema_for::<T>().to_value()
    }

    fn request<T: JsonSchema>(&mut self) -> Value {
        self.requests.subschema_for::<T>().to_value()
    }

    /// All definitions. A request-side schema whose name a different response-side
    /// schema already uses is renamed `{Name}Input`, and references follow.
    fn components(mut self, request_roots: &mut [&mut Value]) -> Map<String, Value> {
        let mut out = self.responses.take_definitions(true);
        let requests = self.requests.take_definitions(true);
        let mut renames = Vec::new();
        for (name, schema) in &requests {
            if out.get(name).is_some_and(|existing| existing != schema) {
                renames.push((name.clone(), format!("{name}Input")));
            }
        }
        let rename = |v: &mut Value| {
            for (from, to) in &renames {
                rewrite_refs(
                    v,
                    &format!("{REF_PREFIX}{from}"),
                    &format!("{REF_PREFIX}{to}"),
                );
            }
        };
        for (name, mut schema) in requests {
            rename(&mut schema);
            let name = renames
                .iter()
                .find(|(from, _)| *from == name)
                .map_or(name, |(_, to)| to.clone());
            out.entry(name).or_insert(schema);
        }
        for root in request_roots {
            rename(root);
        }
        out
    }
}

fn rewrite_refs(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k == "$ref" && v.as_str() == Some(from) {
                    *v = Value::String(to.to_string());
                } else {
                    rewrite_refs(v, from, to);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, from, to)),
        _ => {}
    }
}

fn json_content(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": json_content(json!({ "$ref": format!("{REF_PREFIX}ErrorBody") })),
    })
}

/// Responses every operation may give besides its own.
fn common_errors(responses: &mut Map<String, Value>) {
    responses.insert(
        "503".into(),
        error_response(
            "The request took longer than the server's time limit (`timeout`) or the server is overloaded.",
        ),
    );
    responses.insert(
        "500".into(),
        error_response("The server failed (`internal`); the operator's logs have the details."),
    );
}

fn operation(
    id: &str,
    tag: &str,
    summary: &str,
    description: &str,
    parameters: Vec<Value>,
    ok: Value,
    errors: &[(&str, &str)],
) -> Value {
    let mut responses = Map::new();
    responses.insert(
        "200".into(),
        json!({ "description": "OK", "content": json_content(ok) }),
    );
    for (status, why) in errors {
        responses.insert((*status).into(), error_response(why));
    }
    common_errors(&mut responses);
    json!({
        "operationId": id,
        "tags": [tag],
        "summary": summary,
        "description": description,
        "parameters": parameters,
        "responses": responses,
    })
}

fn path_param(name: &str, description: &str, ids: Vec<String>) -> Value {
    json!({
        "name": name,
        "in": "path",
        "required": true,
        "description": description,
        "schema": { "type": "string", "enum": ids },
    })
}

/// A path parameter that takes any text (ids, names and codes of thousands of entries:
/// no enum).
fn free_path_param(name: &str, description: &str) -> Value {
    json!({
        "name": name,
        "in": "path",
        "required": true,
        "description": description,
        "schema": { "type": "string", "minLength": 1, "maxLength": 200 },
    })
}

/// `limit` and `offset` after the other query parameters of a search.
fn page_params(mut params: Vec<Value>) -> Vec<Value> {
    params.push(query_param(
        "limit",
        false,
        "Entries per page (default 20).",
        json!({ "type": "integer", "minimum": 1, "maximum": 200 }),
    ));
    params.push(query_param(
        "offset",
        false,
        "Entries to skip (default 0).",
        json!({ "type": "integer", "minimum": 0, "maximum": 1_000_000 }),
    ));
    params
}

fn query_param(name: &str, required: bool, description: &str, schema: Value) -> Value {
    json!({
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    })
}

/// Narrows the generated `CheckRequest` schema to the values the engine accepts,
/// read from the pack (the engine also accepts brand and common names).
fn refine_check_request(
    components: &mut Map<String, Value>,
    medicines: &[String],
    conditions: &[String],
) {
    let Some(props) = components
        .get_mut("CheckRequest")
        .and_then(|s| s.get_mut("properties"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let set = |props: &mut Map<String, Value>, key: &str, extra: Value| {
        if let (Some(Value::Object(p)), Value::Object(extra)) = (props.get_mut(key), extra) {
            p.extend(extra);
        }
    };
    set(
        props,
        "drug",
        json!({ "enum": medicines, "description": "Medicine id of the curated pack (GET /v1/drugs)." }),
    );
    set(
        props,
        "condition",
        json!({ "enum": conditions.iter().map(|c| Value::String(c.clone())).chain([Value::Null]).collect::<Vec<_>>(), "description": "Condition id of the curated pack (GET /v1/conditions)." }),
    );
    set(
        props,
        "region",
        json!({ "enum": ["US", "EU", null], "description": "US, EU, or absent for both." }),
    );
    set(props, "age", json!({ "maximum": 130 }));
    set(props, "bsa", json!({ "minimum": 0, "maximum": 100 }));
}

/// Statistics that are not finite (an infinite PRR, a χ² over an empty margin) are
/// written as `null`: every number of a signal row may be null.
fn nullable_signal_numbers(components: &mut Map<String, Value>) {
    let Some(props) = components
        .get_mut("SignalRow")
        .and_then(|s| s.get_mut("properties"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for prop in props.values_mut() {
        if let Some(t) = prop.get_mut("type")
            && t.as_str() == Some("number")
        {
            *t = json!(["number", "null"]);
        }
    }
}

/// The operation of `GET /v1/signals`.
fn signals_operation(page: Value) -> Value {
    let name = |what: &str| json!({ "type": "string", "minLength": 1, "maxLength": MAX_NAME_CHARS, "pattern": "\\S", "description": what });
    let choice = |values: &[&str], default: Option<&str>| {
        let mut s = json!({ "type": "string", "enum": values });
        if let (Some(d), Some(o)) = (default, s.as_object_mut()) {
            o.insert("default".into(), json!(d));
        }
        s
    };
    let mut signal = query_param(
        "signal",
        false,
        "Only pairs meeting this rule: `evans` (PRR ≥ 2, χ² ≥ 4, a ≥ 3), `ror025` (ROR lower 95% limit > 1), `ic025` (IC025 > 0) or `eb05` (EB05 ≥ 2). Repeat it (or give a comma list) to require several.",
        json!({ "type": "array", "items": choice(&["evans", "ror025", "ic025", "eb05"], None) }),
    );
    if let Some(o) = signal.as_object_mut() {
        o.insert("style".into(), json!("form"));
        o.insert("explode".into(), json!(true));
    }
    operation(
        "listSignals",
        "signals",
        "Rank drug–event signals",
        "Disproportionality statistics (PRR, ROR, Yates χ², IC with IC025/IC975, EBGM with EB05/EB95) for every drug–event pair of the report store given to `offlabel serve --store` (FAERS imported with `offlabel faers import`, plus intake reports), as `offlabel signals --json` computes them: deduplicated reports, suspect drugs unless `role=all`, the EBGM prior fitted on the run's pairs. Rows are ranked by `sort` (EB05 by default, highest first; undefined values last) and cut at `limit`; `matched` counts the rows before the cut. Read-only; no token. The formulas are in crates/offlabel-signals/README.md.",
        vec![
            query_param(
                "drug",
                false,
                "Only this drug: a medicine of the pack or its EU/US layers by id, INN or brand (resolved as at import), or a name no layer knows as FAERS writes it.",
                name("Drug name or id."),
            ),
            query_param(
                "event",
                false,
                "Only this event: a MedDRA preferred term as FAERS spells it (any case).",
                name("MedDRA preferred term."),
            ),
            query_param(
                "min_a",
                false,
                "Only pairs with at least this many reports.",
                json!({ "type": "integer", "minimum": 0, "maximum": MAX_MIN_A, "default": 1 }),
            ),
            query_param(
                "role",
                false,
                "Drug roles counted: `suspect` (PS, SS, I) or `all` (adds concomitants, C).",
                choice(&["suspect", "all"], Some("suspect")),
            ),
            query_param(
                "stratify",
                false,
                "Stratify the expected count (IC, EBGM) by sex, age band, or both.",
                choice(&["none", "sex", "age", "sex,age"], Some("none")),
            ),
            query_param(
                "sex",
                false,
                "Count only reports of this sex.",
                choice(&["F", "M"], None),
            ),
            query_param(
                "age_band",
                false,
                "Count only reports in this age band (write `65+` as `65%2B`).",
                choice(&["<18", "18-64", "65+", "unknown"], None),
            ),
            signal,
            query_param(
                "sort",
                false,
                "Ranking, highest first: `eb05`, `prr`, `ic025`, `a`; or `name` (drug, then event). Ties go to the larger `a`, then drug and event.",
                choice(&["eb05", "prr", "ic025", "a", "name"], Some("eb05")),
            ),
            query_param(
                "limit",
                false,
                "Most rows returned.",
                json!({ "type": "integer", "minimum": 0, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT }),
            ),
        ],
        page,
        &[
            (
                "400",
                "A parameter is unknown, repeated, empty, or outside its accepted values (`invalid_parameter`, `empty_parameter`, `repeated_parameter`, `unknown_parameter`; `field` names it).",
            ),
            (
                "404",
                "Signals are off (`signals_off`: no SQLite store; `signals_need_sqlite`: the store is PostgreSQL), nothing is imported yet (`no_store`), no report is left after the filters (`no_reports`), or no counted report has the drug or event (`unknown_drug`, `unknown_event`).",
            ),
            (
                "422",
                "The EBGM prior cannot be fitted on these reports (`prior_not_fitted`).",
            ),
        ],
    )
}

/// The OpenAPI document for the pack `engine` serves, as JSON bytes.
pub(crate) fn document(engine: &Engine) -> Bytes {
    let pack = engine.pack();
    let medicines: Vec<String> = pack.medicines.iter().map(|m| m.id.clone()).collect();
    let conditions: Vec<String> = pack.conditions.iter().map(|c| c.id.clone()).collect();
    let sources: Vec<String> = pack.sources.iter().map(|s| s.id.clone()).collect();

    let mut schemas = Schemas::new();
    let answer = schemas.response::<Answer>();
    let report = schemas.response::<CheckReport>();
    let drug_list = schemas.response::<Page<MedicineSummary>>();
    let drug = schemas.response::<DrugDetail>();
    let condition_list = schemas.response::<Page<ConditionSummary>>();
    let condition = schemas.response::<ConditionDetail>();
    let studies = schemas.response::<Vec<Study>>();
    let source_list = schemas.response::<Vec<Source>>();
    let source = schemas.response::<Source>();
    let health = schemas.response::<Health>();
    let signals_page = schemas.response::<SignalsPage>();
    let _ = schemas.response::<ErrorBody>();
    let mut check_body = schemas.request::<CheckRequest>();
    let mut components = schemas.components(&mut [&mut check_body]);
    refine_check_request(&mut components, &medicines, &conditions);
    nullable_signal_numbers(&mut components);

    let ask = operation(
        "ask",
        "answers",
        "Answer a question",
        "Answers a free-text question about a medicine and a condition: status per jurisdiction, best evidence, patient flags, the answer text and its citations. The fields of the `ask --json` contract are stable.",
        vec![query_param(
            "q",
            true,
            "The question, in English or Spanish.",
            json!({ "type": "string", "minLength": 1, "maxLength": MAX_QUESTION_CHARS, "pattern": "\\S", "examples": pack.meta.examples }),
        )],
        answer,
        &[(
            "400",
            "The question is missing, empty or longer than 4096 characters.",
        )],
    );
    let mut check = operation(
        "check",
        "answers",
        "Check a patient",
        "Runs the patient rules for a medicine (and optionally a condition and region): flags, dose adjustments, screening and monitoring.",
        vec![],
        report,
        &[
            (
                "400",
                "The body is not valid JSON, has unknown fields, or a value the pack does not know (the error names the field).",
            ),
            ("413", "The body is larger than the server's limit."),
            ("415", "The body is not sent as application/json."),
        ],
    );
    if let Some(op) = check.as_object_mut() {
        op.insert(
            "requestBody".into(),
            json!({
                "required": true,
                "description": "The patient profile. Unknown fields are refused.",
                "content": json_content(check_body),
            }),
        );
    }
    let not_found = |what: &str| format!("No {what} has this id.");
    let paths = json!({
        "/v1/ask": { "get": ask },
        "/v1/check": { "post": check },
        "/v1/drugs": { "get": operation("listDrugs", "browse", "Search the medicines", "Medicines of the curated pack, the EMA's table, Drugs@FDA and the FDA labels, one entry per contract id, best name matches first, one page at a time (`total` counts every match).",
            page_params(vec![
                query_param("q", false, "Words of a name: INN, brand, product or ingredient.", json!({ "type": "string", "maxLength": 200 })),
                query_param("atc", false, "An ATC code or prefix (EU products and curated medicines), e.g. L04.", json!({ "type": "string", "pattern": "^[A-Za-z0-9]{0,7}$" })),
                query_param("status", false, "An EMA product status, or the Drugs@FDA statuses marketed and discontinued; authorised also takes a medicine marketed in the US.", json!({ "type": "string", "enum": offlabel_engine::browse::STATUS_WORDS })),
            ]), drug_list, &[("400", "A parameter could not be read (a status or ATC code the search does not know, a limit outside 1-200).")]) },
        "/v1/drugs/{id}": { "get": operation("getDrug", "browse", "Show a medicine", "A medicine of any part of the pack (id, INN, brand or a misspelling of one): curated records (authorisations, posology, dose adjustments, efficacy, safety), the EMA's products and indication clauses with the regulator's words, Drugs@FDA applications (according to Drugs@FDA as of the layer's date) and FDA label indications.",
            vec![free_path_param("id", "Medicine id, INN or brand name (GET /v1/drugs searches them).")], drug, &[("400", "The id is longer than 200 characters."), ("404", "No part of the pack names this medicine.")]) },
        "/v1/conditions": { "get": operation("listConditions", "browse", "Search the conditions", "Curated conditions and Disease Ontology terms whose name or synonym matches, or that carry a code (DOID, ICD-10-CM, UMLS, SNOMED CT), best matches first, one page at a time.",
            page_params(vec![query_param("q", false, "Words of a name, or a code.", json!({ "type": "string", "maxLength": 200 }))]), condition_list, &[("400", "A parameter could not be read (a limit outside 1-200).")]) },
        "/v1/conditions/{id}": { "get": operation("getCondition", "browse", "Show a condition", "A condition by curated id, DOID, ICD-10-CM, UMLS or SNOMED CT code, or name: its codes, broader and narrower terms, curated authorisations, EU and US indication clauses naming it (or a narrower term) with the regulator's words, and the curated studies in it, strongest first.",
            vec![free_path_param("id", "Condition id, DOID, code or name (GET /v1/conditions searches them).")], condition, &[("400", "The id is longer than 200 characters."), ("404", "Neither the pack nor the Disease Ontology layer knows this condition.")]) },
        "/v1/evidence": { "get": operation("listEvidence", "browse", "List studies", "Studies, strongest first (design, then number of patients), optionally of one medicine and one condition (with its subtypes).",
            vec![
                query_param("drug", false, "Medicine id of the curated pack (GET /v1/drugs).", json!({ "type": "string", "enum": medicines })),
                query_param("condition", false, "Condition id of the curated pack (GET /v1/conditions).", json!({ "type": "string", "enum": conditions })),
            ], studies, &[("400", "A filter is empty, or the query string could not be read."), ("404", "The medicine or condition is not in the pack.")]) },
        "/v1/sources": { "get": operation("listSources", "browse", "List the sources", "Every source the pack's facts rest on.", vec![], source_list, &[]) },
        "/v1/sources/{id}": { "get": operation("getSource", "browse", "Show a source", "One source record.",
            vec![path_param("id", "Source id.", sources)], source, &[("404", &not_found("source"))]) },
        "/v1/signals": { "get": signals_operation(signals_page) },
        "/healthz": { "get": operation("health", "meta", "Health", "Answers 200 while the server runs, with the pack it serves.", vec![], health, &[]) },
        "/openapi.json": { "get": operation("openapi", "meta", "This document", "The OpenAPI 3.1 document of the API.", vec![], json!({ "type": "object" }), &[]) },
    });

    let doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "offlabel API",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": format!("Off-label use — {}: status, evidence and patient checks, with citations.", pack.meta.title),
            "description": format!(
                "Answers come from the knowledge pack {} {} (current to {}). They inform a prescriber's decision and do not replace it. Errors are JSON: {{\"error\": {{\"code\", \"message\"}}}}.",
                pack.meta.id, pack.meta.version, pack.meta.as_of
            ),
            "license": { "name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0" },
        },
        "tags": [
            { "name": "answers", "description": "Questions and patient checks." },
            { "name": "browse", "description": "The pack's records." },
            { "name": "signals", "description": "Pharmacovigilance: disproportionality over the report store." },
            { "name": "meta", "description": "Health and this document." },
        ],
        "paths": paths,
        "components": { "schemas": components },
    });
    Bytes::from(serde_json::to_vec(&doc).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reference_resolves() {
        let engine = Engine::new(offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}")));
        let doc: Value =
            serde_json::from_slice(&document(&engine)).unwrap_or_else(|e| panic!("{e}"));
        let schemas = doc["components"]["schemas"]
            .as_object()
            .unwrap_or_else(|| panic!("no schemas"));
        let mut refs = Vec::new();
        fn collect(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    for (k, v) in m {
                        match (k.as_str(), v.as_str()) {
                            ("$ref", Some(r)) => out.push(r.to_string()),
                            _ => collect(v, out),
                        }
                    }
                }
                Value::Array(a) => a.iter().for_each(|v| collect(v, out)),
                _ => {}
            }
        }
        collect(&doc, &mut refs);
        assert!(!refs.is_empty());
        for r in refs {
            let name = r
                .strip_prefix(REF_PREFIX)
                .unwrap_or_else(|| panic!("unexpected ref {r}"));
            assert!(schemas.contains_key(name), "{r} does not resolve");
        }
        assert_eq!(doc["openapi"], "3.1.0");
        for key in [
            "Answer",
            "CheckRequest",
            "CheckReport",
            "ErrorBody",
            "Study",
            "SignalsPage",
            "SignalRow",
        ] {
            assert!(schemas.contains_key(key), "{key} missing");
        }
        // Non-finite statistics are written as null.
        assert_eq!(
            schemas["SignalRow"]["properties"]["prr"]["type"],
            json!(["number", "null"])
        );
    }
}
