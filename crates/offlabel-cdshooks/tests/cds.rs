//! CDS Hooks services end to end (without HTTP): realistic requests from
//! `docs/cds-hooks/examples`, cards checked by content and against the JSON Schemas in
//! `docs/cds-hooks/schema` (which the spec's own examples must also pass).

use offlabel_cdshooks::input::Date;
use offlabel_cdshooks::service::{ORDER_SELECT_ID, ORDER_SIGN_ID};
use offlabel_cdshooks::{Card, Env, HookRequest, HookResponse, Indicator, discovery, invoke};
use offlabel_engine::Engine;
use serde_json::{Value, json};
use std::path::PathBuf;

const BASE: &str = "https://offlabel.example.org";
const TODAY: Date = Date {
    year: 2026,
    month: 5,
    day: 1,
};

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/cds-hooks")
}

fn read(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn example(name: &str) -> Value {
    read(docs().join("examples").join(name))
}

fn schema(name: &str) -> jsonschema::Validator {
    let s = read(docs().join("schema").join(format!("{name}.schema.json")));
    jsonschema::validator_for(&s).unwrap_or_else(|e| panic!("{name} schema: {e}"))
}

fn engine() -> Engine {
    Engine::new(offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}")))
}

fn run(engine: &Engine, service: &str, request: Value) -> HookResponse {
    let req: HookRequest =
        serde_json::from_value(request).unwrap_or_else(|e| panic!("request: {e}"));
    let env = Env {
        engine,
        base_url: BASE,
        today: TODAY,
    };
    let resp = invoke(env, service, &req).unwrap_or_else(|e| panic!("invoke: {e}"));
    let v = serde_json::to_value(&resp).unwrap_or_else(|e| panic!("{e}"));
    let validator = schema("response");
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "response fails the CDS Hooks schema: {errors:#?}\n{v:#}"
    );
    resp
}

fn find<'a>(resp: &'a HookResponse, indicator: Indicator, topic: &str) -> Vec<&'a Card> {
    resp.cards
        .iter()
        .filter(|c| {
            c.indicator == indicator && c.source.topic.as_ref().is_some_and(|t| t.code == topic)
        })
        .collect()
}

#[test]
fn spec_examples_pass_and_broken_ones_fail() {
    let dir = docs().join("examples");
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let kind = ["discovery", "response", "feedback"]
            .into_iter()
            .find(|k| name.starts_with(k) || name.starts_with(&format!("invalid-{k}")));
        let Some(kind) = kind else { continue };
        let valid = schema(kind).is_valid(&read(path.clone()));
        assert_eq!(valid, !name.starts_with("invalid-"), "{name}");
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixtures");
}

#[test]
fn discovery_lists_both_hooks_and_passes_the_schema() {
    let d = serde_json::to_value(discovery(&engine())).unwrap_or_default();
    assert!(schema("discovery").is_valid(&d), "{d:#}");
    let hooks: Vec<&str> = d["services"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["hook"].as_str())
        .collect();
    assert_eq!(hooks, ["order-select", "order-sign"]);
    let prefetch = &d["services"][0]["prefetch"];
    assert_eq!(prefetch["patient"], "Patient/{{context.patientId}}");
    assert!(
        prefetch["conditions"]
            .as_str()
            .unwrap_or_default()
            .contains("clinical-status=active")
    );
    assert!(
        prefetch["pregnancy"]
            .as_str()
            .unwrap_or_default()
            .contains("82810-3")
    );
    assert!(
        prefetch["lactation"]
            .as_str()
            .unwrap_or_default()
            .contains("63895-7")
    );
}

#[test]
fn opzelura_in_pregnancy_is_critical_with_source() {
    let e = engine();
    let resp = run(
        &e,
        ORDER_SELECT_ID,
        example("request-order-select-opzelura-pregnant-r4.json"),
    );
    let critical = find(&resp, Indicator::Critical, "contraindication");
    assert!(!critical.is_empty(), "{resp:#?}");
    let card = critical[0];
    assert!(
        card.summary.contains("Opzelura") && card.summary.contains("pregnancy"),
        "{}",
        card.summary
    );
    assert!(
        card.source.label.contains("EMA") || card.source.label.contains("European"),
        "{}",
        card.source.label
    );
    assert!(
        card.source
            .url
            .as_deref()
            .is_some_and(|u| u.starts_with(BASE))
    );
    assert!(
        card.detail
            .as_deref()
            .is_some_and(|d| d.contains("**Sources**"))
    );
    assert_eq!(card.suggestions[0].actions[0].kind, "delete");
    assert_eq!(
        card.suggestions[0].actions[0].resource_id.as_deref(),
        Some("MedicationRequest/mr-1")
    );
    assert!(!card.override_reasons.is_empty());
    assert!(
        card.links
            .iter()
            .any(|l| l.url == format!("{BASE}/drugs/ruxolitinib-topical"))
    );
    // Critical cards come first; uuids are stable across calls.
    assert_eq!(resp.cards[0].indicator, Indicator::Critical);
    let again = run(
        &e,
        ORDER_SELECT_ID,
        example("request-order-select-opzelura-pregnant-r4.json"),
    );
    assert_eq!(
        resp.cards
            .iter()
            .map(|c| c.uuid.clone())
            .collect::<Vec<_>>(),
        again
            .cards
            .iter()
            .map(|c| c.uuid.clone())
            .collect::<Vec<_>>()
    );
    // Vitiligo is on-label for the cream in both regions: no status card; prefetch complete: no missing-data card.
    assert!(
        find(&resp, Indicator::Warning, "off-label").is_empty(),
        "{resp:#?}"
    );
    assert!(resp.cards.iter().all(|c| {
        c.source
            .topic
            .as_ref()
            .is_none_or(|t| t.code != "missing-data")
    }));
}

#[test]
fn baricitinib_at_80_gets_a_dose_card_with_an_update_suggestion_r5() {
    let e = engine();
    let resp = run(
        &e,
        ORDER_SIGN_ID,
        example("request-order-sign-baricitinib-80-r5.json"),
    );
    let dose = find(&resp, Indicator::Warning, "dose-adjustment");
    assert_eq!(dose.len(), 1, "{resp:#?}");
    let s = &dose[0].suggestions[0];
    assert!(s.label.contains("2 mg"), "{}", s.label);
    let action = &s.actions[0];
    assert_eq!(action.kind, "update");
    let r = action.resource.as_ref().unwrap_or(&Value::Null);
    assert_eq!(r["resourceType"], "MedicationRequest");
    assert_eq!(r["id"], "mr-bari");
    assert_eq!(
        r["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"],
        json!(2.0)
    );
    assert_eq!(dose[0].selection_behavior.as_deref(), Some("at-most-one"));
    // PRAC's over-65 risk group, and the screening/monitoring plan.
    assert!(!find(&resp, Indicator::Warning, "precaution").is_empty());
    assert_eq!(find(&resp, Indicator::Info, "monitoring").len(), 1);
}

#[test]
fn r4_and_r5_medication_shapes_are_both_read() {
    let e = engine();
    let mut r4 = example("request-order-sign-baricitinib-80-r5.json");
    let order = &mut r4["context"]["draftOrders"]["entry"][0]["resource"];
    let concept = order["medication"]["concept"].clone();
    if let Some(o) = order.as_object_mut() {
        o.remove("medication");
        o.remove("reason");
        o.insert("medicationCodeableConcept".into(), concept);
        o.insert(
            "reasonReference".into(),
            json!([{ "reference": "Condition/aa-1" }]),
        );
    }
    let a = run(&e, ORDER_SIGN_ID, r4);
    let b = run(
        &e,
        ORDER_SIGN_ID,
        example("request-order-sign-baricitinib-80-r5.json"),
    );
    let key = |r: &HookResponse| {
        r.cards
            .iter()
            .map(|c| (c.uuid.clone(), c.summary.clone(), c.indicator))
            .collect::<Vec<_>>()
    };
    assert_eq!(key(&a), key(&b));
    assert!(key(&a).iter().any(|(_, s, _)| s.contains("2 mg")));
    // The update suggestion keeps the order's own FHIR version.
    let update = |r: &HookResponse| {
        find(r, Indicator::Warning, "dose-adjustment")[0].suggestions[0].actions[0]
            .resource
            .clone()
            .unwrap_or_default()
    };
    assert!(update(&a).get("medicationCodeableConcept").is_some());
    assert!(update(&b).get("medication").is_some());
    // medicationReference to a contained Medication.
    let mut by_ref = example("request-order-sign-baricitinib-80-r5.json");
    let order = &mut by_ref["context"]["draftOrders"]["entry"][0]["resource"];
    order["medication"] = json!({ "reference": { "reference": "#med1" } });
    order["contained"] = json!([{ "resourceType": "Medication", "id": "med1", "code": { "text": "baricitinib 4 mg oral tablet" } }]);
    let c = run(&e, ORDER_SIGN_ID, by_ref);
    assert_eq!(find(&c, Indicator::Warning, "dose-adjustment").len(), 1);
}

#[test]
fn off_label_use_gets_a_warning_with_the_reason() {
    let e = engine();
    let mut req = example("request-order-sign-baricitinib-80-r5.json");
    req["context"]["draftOrders"]["entry"][0]["resource"]["reason"] =
        json!([{ "concept": { "text": "vitiligo" } }]);
    let resp = run(&e, ORDER_SIGN_ID, req);
    let status = find(&resp, Indicator::Warning, "off-label");
    assert_eq!(status.len(), 1, "{resp:#?}");
    assert!(
        status[0].summary.contains("off-label"),
        "{}",
        status[0].summary
    );
    assert!(
        status[0]
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("**US**") && d.contains("**EU**"))
    );
    assert!(status[0].links.iter().any(|l| l.url.contains("/ask?q=")));
}

#[test]
fn coded_indications_resolve_through_the_pack_and_unknown_codes_are_said() {
    let e = engine();
    // ICD-10-CM L80 (vitiligo) as the reason: read through the DO cross-references.
    let mut req = example("request-order-sign-baricitinib-80-r5.json");
    req["context"]["draftOrders"]["entry"][0]["resource"]["reason"] = json!([{ "concept": {
        "coding": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "L80" }] } }]);
    let resp = run(&e, ORDER_SIGN_ID, req);
    let status = find(&resp, Indicator::Warning, "off-label");
    assert_eq!(status.len(), 1, "{resp:#?}");
    assert!(
        status[0].summary.contains("vitiligo"),
        "{}",
        status[0].summary
    );
    // A code no vocabulary holds: no status card, and an info card that says so.
    let mut req = example("request-order-sign-baricitinib-80-r5.json");
    req["context"]["draftOrders"]["entry"][0]["resource"]["reason"] = json!([{ "concept": {
        "coding": [{ "system": "http://snomed.info/sct", "code": "999999999999" }] } }]);
    let resp = run(&e, ORDER_SIGN_ID, req);
    let said = resp.cards.iter().any(|c| {
        c.detail.as_deref().is_some_and(|d| {
            d.contains("code 999999999999 (SNOMED CT) is not in the pack's vocabulary")
        })
    });
    assert!(said, "{resp:#?}");
}

#[test]
fn missing_prefetch_is_said_not_guessed() {
    let e = engine();
    let resp = run(
        &e,
        ORDER_SELECT_ID,
        example("request-order-select-no-prefetch.json"),
    );
    let info: Vec<&Card> = resp
        .cards
        .iter()
        .filter(|c| {
            c.source
                .topic
                .as_ref()
                .is_some_and(|t| t.code == "missing-data")
        })
        .collect();
    assert_eq!(info.len(), 1, "{resp:#?}");
    assert!(
        info[0]
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("https://ehr.example.org/fhir"))
    );
    assert!(info[0].summary.contains("patient"));
    // No age known: no age-based dose card.
    assert!(find(&resp, Indicator::Warning, "dose-adjustment").is_empty());
}

#[test]
fn nothing_to_say_means_no_cards() {
    let e = engine();
    let resp = run(
        &e,
        ORDER_SELECT_ID,
        example("request-order-select-other-drug.json"),
    );
    assert!(resp.cards.is_empty(), "{resp:#?}");
    assert_eq!(
        serde_json::to_string(&resp).unwrap_or_default(),
        r#"{"cards":[]}"#
    );
    // An unselected order is not checked by order-select.
    let mut req = example("request-order-select-opzelura-pregnant-r4.json");
    req["context"]["selections"] = json!(["MedicationRequest/other"]);
    assert!(run(&e, ORDER_SELECT_ID, req).cards.is_empty());
}

#[test]
fn wrong_hook_and_unknown_service_are_refused() {
    let e = engine();
    let req: HookRequest = serde_json::from_value(example("request-order-select-no-prefetch.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let env = Env {
        engine: &e,
        base_url: BASE,
        today: TODAY,
    };
    assert!(invoke(env, ORDER_SIGN_ID, &req).is_err());
    assert!(invoke(env, "nope", &req).is_err());
}

#[test]
fn summaries_stay_under_140_characters() {
    let long = "é".repeat(300);
    let s = offlabel_cdshooks::service::summary(&long);
    assert!(s.chars().count() < 140);
}
