//! Every validation rule of a report, one test (or more) per rule.

use offlabel_engine::Engine;
use offlabel_reports::date::Date;
use offlabel_reports::validate::{MAX_DRUGS, MAX_ERRORS, MAX_NARRATIVE_CHARS, content_key};
use offlabel_reports::{
    Criterion, FieldError, MAX_REPORT_BYTES, NewReport, Outcome, Qualification, ReportError, Role,
    Sex, parse_report_on,
};
use serde_json::{Value, json};
use std::sync::LazyLock;

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    Engine::new(offlabel_embedded::pack().unwrap_or_else(|e| panic!("embedded pack: {e}")))
});

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 22,
};

fn issue_example() -> Value {
    json!({"reporter": {"qualification": "physician", "country": "ES"}, "patient": {"age": 54, "sex": "F"}, "drugs": [{"name": "Olumiant", "role": "suspect"}], "reactions": [{"term": "Herpes zoster"}], "onset": "2026-10-02", "serious": false, "idempotency_key": "k-1"})
}

fn parse(v: &Value) -> Result<NewReport, ReportError> {
    parse_report_on(v.to_string().as_bytes(), &*ENGINE, TODAY)
}

fn ok(v: &Value) -> NewReport {
    match parse(v) {
        Ok(r) => r,
        Err(e) => panic!("expected the report to be accepted, got: {e}"),
    }
}

fn errors(v: &Value) -> Vec<FieldError> {
    match parse(v) {
        Ok(_) => panic!("expected the report to be refused: {v}"),
        Err(ReportError::Invalid(f)) => f,
        Err(other) => panic!("expected field errors, got: {other}"),
    }
}

/// The fields named by the errors.
fn fields(v: &Value) -> Vec<String> {
    errors(v).into_iter().map(|e| e.field).collect()
}

/// The example with `pointer` (a JSON pointer) set to `value` (or removed when `None`).
fn with(pointer: &str, value: Option<Value>) -> Value {
    let mut v = issue_example();
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    let target = v
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent} in the example"));
    match (target, value) {
        (Value::Object(m), Some(x)) => {
            m.insert(key.to_string(), x);
        }
        (Value::Object(m), None) => {
            m.remove(key);
        }
        (Value::Array(a), Some(x)) => {
            let i: usize = key.parse().unwrap_or_else(|_| panic!("index {key}"));
            a[i] = x;
        }
        _ => panic!("cannot set {pointer}"),
    }
    v
}

fn refused_on(pointer: &str, value: Option<Value>, field: &str) -> String {
    let errs = errors(&with(pointer, value.clone()));
    assert_eq!(
        errs.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
        vec![field],
        "{pointer} = {value:?}: {errs:?}"
    );
    errs[0].message.clone()
}

#[test]
fn the_issue_example_is_accepted_and_the_brand_resolves() {
    let r = ok(&issue_example());
    assert_eq!(r.idempotency_key, "k-1");
    assert!(r.key_supplied);
    assert_eq!(r.report.reporter.qualification, Qualification::Physician);
    assert_eq!(r.report.reporter.country, "ES");
    assert_eq!(r.report.patient.age, Some(54.0));
    assert_eq!(r.report.patient.sex, Some(Sex::F));
    assert_eq!(r.report.drugs[0].name.as_deref(), Some("Olumiant"));
    assert_eq!(r.report.drugs[0].role, Role::Suspect);
    assert_eq!(r.drug_ids, vec![Some("baricitinib".to_string())]);
    assert_eq!(r.report.onset, "2026-10-02");
    assert!(!r.report.serious);
}

#[test]
fn a_full_report_is_accepted() {
    let v = json!({
        "reporter": {"qualification": "pharmacist", "country": "fr"},
        "patient": {"age": 0.5, "sex": "m", "initials": "J.M.G."},
        "drugs": [
            {"name": "Olumiant 4 mg", "role": "suspect", "dose": "4 mg once daily", "route": "oral"},
            {"id": "upadacitinib", "role": "interacting"},
            {"name": "Paracetamol", "role": "concomitant"}
        ],
        "reactions": [{"term": "Herpes zoster", "meddra_code": "10019974"}, {"term": "Pyrexia", "meddra_code": 10037660}],
        "onset": "2026-11-23",
        "serious": true,
        "seriousness": ["other_medically_important", "hospitalisation", "hospitalisation"],
        "outcome": "recovering",
        "narrative": "Line one.\nLine two,\twith a tab.",
        "idempotency_key": null
    });
    let r = ok(&v);
    assert_eq!(
        r.report.reporter.country, "FR",
        "country normalised to capitals"
    );
    assert_eq!(
        r.report.patient.sex,
        Some(Sex::M),
        "sex normalised to capitals"
    );
    assert_eq!(
        r.drug_ids,
        vec![
            Some("baricitinib".to_string()),
            Some("upadacitinib".to_string()),
            None
        ],
        "free text resolved, id kept, unknown medicine kept without an id"
    );
    assert_eq!(r.report.drugs[1].verbatim(), "upadacitinib");
    assert_eq!(r.report.drugs[2].verbatim(), "Paracetamol");
    assert_eq!(
        r.report.reactions[1].meddra_code.as_deref(),
        Some("10037660")
    );
    assert_eq!(
        r.report.seriousness,
        vec![
            Criterion::Hospitalisation,
            Criterion::OtherMedicallyImportant
        ],
        "sorted, duplicates removed"
    );
    assert_eq!(r.report.outcome, Some(Outcome::Recovering));
    assert!(!r.key_supplied, "null key counts as absent");
    assert!(r.idempotency_key.starts_with("sha256:"));
}

#[test]
fn without_a_key_the_content_hash_is_the_key() {
    let v = with("/idempotency_key", None);
    let a = ok(&v);
    let b = ok(&v);
    assert_eq!(a.idempotency_key, b.idempotency_key);
    assert_eq!(a.idempotency_key, content_key(&a.report));
    assert_eq!(a.idempotency_key.len(), 7 + 64);
    let mut other = with("/idempotency_key", None);
    other["patient"]["age"] = json!(55);
    let c = ok(&other);
    assert_ne!(a.idempotency_key, c.idempotency_key);
}

#[test]
fn an_empty_object_gets_one_message_per_missing_criterion() {
    let f = fields(&json!({}));
    assert_eq!(
        f,
        vec![
            "reporter",
            "patient",
            "drugs",
            "reactions",
            "onset",
            "serious"
        ]
    );
    for e in errors(&json!({})) {
        assert!(e.message.starts_with("is missing"), "{e}");
    }
}

#[test]
fn every_problem_is_listed_not_just_the_first() {
    let v = json!({
        "reporter": {"qualification": "doctor", "country": "XX"},
        "patient": {"age": "54", "sex": "Q"},
        "drugs": [{"name": "Olumiant", "role": "culprit"}],
        "reactions": [{"term": ""}],
        "onset": "02/10/2026",
        "serious": "no",
        "extra": 1
    });
    assert_eq!(
        fields(&v),
        vec![
            "extra",
            "reporter.qualification",
            "reporter.country",
            "patient.age",
            "patient.sex",
            "drugs[0].role",
            "reactions[0].term",
            "onset",
            "serious"
        ]
    );
}

#[test]
fn syntax_errors_size_and_shape() {
    assert!(matches!(
        parse_report_on(b"{\"reporter\":", &*ENGINE, TODAY),
        Err(ReportError::Syntax(_))
    ));
    assert!(matches!(
        parse_report_on(b"\xff\xfe", &*ENGINE, TODAY),
        Err(ReportError::Syntax(_))
    ));
    let big = vec![b' '; MAX_REPORT_BYTES + 1];
    assert!(matches!(
        parse_report_on(&big, &*ENGINE, TODAY),
        Err(ReportError::TooLarge(n)) if n == MAX_REPORT_BYTES + 1
    ));
    for v in [json!([]), json!("report"), json!(null), json!(3)] {
        assert_eq!(fields(&v), vec!["(body)"], "{v}");
    }
}

#[test]
fn unknown_fields_are_refused_with_the_accepted_list() {
    let m = refused_on("/source", Some(json!("web")), "source");
    assert!(m.contains("accepted: reporter, patient"), "{m}");
    refused_on("/reporter/email", Some(json!("a@b.c")), "reporter.email");
    refused_on("/drugs/0/lot", Some(json!("A1")), "drugs[0].lot");
    let m = refused_on(
        "/reactions/0/code",
        Some(json!("10019974")),
        "reactions[0].code",
    );
    assert!(m.contains("meddra_code"), "{m}");
}

#[test]
fn odd_field_names_are_quoted_and_cut() {
    refused_on("/", Some(json!(1)), "[\"\"]");
    refused_on("/patient/a b", Some(json!(1)), "patient[\"a b\"]");
    let long = "k".repeat(1000);
    let f = fields(&with(&format!("/{long}"), Some(json!(1))));
    assert_eq!(f.len(), 1);
    assert!(f[0].len() < 50, "{}", f[0]);
}

#[test]
fn the_patient_is_limited_to_what_e2b_allows() {
    for field in ["name", "date_of_birth", "address", "phone", "record_number"] {
        let m = refused_on(
            &format!("/patient/{field}"),
            Some(json!("x")),
            &format!("patient.{field}"),
        );
        assert!(m.contains("age, sex and initials"), "{m}");
    }
}

#[test]
fn reporter_rules() {
    refused_on("/reporter", None, "reporter");
    refused_on("/reporter", Some(json!("physician")), "reporter");
    refused_on("/reporter/qualification", None, "reporter.qualification");
    let m = refused_on(
        "/reporter/qualification",
        Some(json!("doctor")),
        "reporter.qualification",
    );
    assert!(
        m.contains("physician, pharmacist, other_health_professional, lawyer, consumer"),
        "{m}"
    );
    refused_on(
        "/reporter/qualification",
        Some(json!(1)),
        "reporter.qualification",
    );
    for q in [
        "physician",
        "pharmacist",
        "other_health_professional",
        "lawyer",
        "consumer",
    ] {
        ok(&with("/reporter/qualification", Some(json!(q))));
    }
    refused_on("/reporter/country", None, "reporter.country");
    for bad in ["XX", "ESP", "E", "", "Spain"] {
        refused_on("/reporter/country", Some(json!(bad)), "reporter.country");
    }
    let m = refused_on("/reporter/country", Some(json!("UK")), "reporter.country");
    assert!(m.contains("GB"), "{m}");
    refused_on("/reporter/country", Some(json!(34)), "reporter.country");
    assert_eq!(
        ok(&with("/reporter/country", Some(json!("gb"))))
            .report
            .reporter
            .country,
        "GB"
    );
}

#[test]
fn patient_rules() {
    refused_on("/patient", None, "patient");
    let m = refused_on("/patient", Some(json!({})), "patient");
    assert!(m.contains("at least one of age, sex, initials"), "{m}");
    refused_on(
        "/patient",
        Some(json!({"age": null, "sex": null})),
        "patient",
    );
    // Any one identifier is enough.
    ok(&with("/patient", Some(json!({"age": 54}))));
    ok(&with("/patient", Some(json!({"sex": "U"}))));
    ok(&with("/patient", Some(json!({"initials": "JS"}))));
    // Age.
    for a in [json!(0), json!(0.25), json!(130), json!(54.5)] {
        ok(&with("/patient/age", Some(a)));
    }
    for a in [json!(-1), json!(130.5), json!(1000), json!(-0.1)] {
        refused_on("/patient/age", Some(a), "patient.age");
    }
    for a in [json!("54"), json!(true), json!([54])] {
        let m = refused_on("/patient/age", Some(a), "patient.age");
        assert!(m.contains("must be a number"), "{m}");
    }
    // Sex.
    for s in ["M", "F", "U", "f"] {
        ok(&with("/patient/sex", Some(json!(s))));
    }
    for s in [json!("X"), json!("female"), json!(""), json!(1)] {
        refused_on("/patient/sex", Some(s), "patient.sex");
    }
    // Initials.
    for i in ["J", "JS", "J.M.G.", "J-M G", "ÁLM"] {
        ok(&with("/patient/initials", Some(json!(i))));
    }
    for i in [
        json!("John"),
        json!("John Smith"),
        json!("ABCDEF"),
        json!("js"),
        json!("J5"),
        json!(""),
        json!(" J"),
        json!(12),
    ] {
        refused_on("/patient/initials", Some(i), "patient.initials");
    }
}

#[test]
fn drug_rules() {
    refused_on("/drugs", None, "drugs");
    refused_on("/drugs", Some(json!([])), "drugs");
    refused_on("/drugs", Some(json!({"name": "Olumiant"})), "drugs");
    refused_on("/drugs/0", Some(json!("Olumiant")), "drugs[0]");
    refused_on(
        "/drugs/0",
        Some(json!({"role": "suspect"})),
        "drugs[0].name",
    );
    refused_on("/drugs/0/role", None, "drugs[0].role");
    let m = refused_on("/drugs/0/role", Some(json!("primary")), "drugs[0].role");
    assert!(m.contains("suspect, concomitant, interacting"), "{m}");
    refused_on("/drugs/0/role", Some(json!(1)), "drugs[0].role");
    refused_on("/drugs/0/name", Some(json!("   ")), "drugs[0].name");
    refused_on("/drugs/0/name", Some(json!(42)), "drugs[0].name");
    refused_on(
        "/drugs/0/name",
        Some(json!("a".repeat(251))),
        "drugs[0].name",
    );
    refused_on("/drugs/0/name", Some(json!("Olu\nmiant")), "drugs[0].name");
    refused_on("/drugs/0/dose", Some(json!("4 mg\u{0}")), "drugs[0].dose");
    refused_on("/drugs/0/route", Some(json!(["oral"])), "drugs[0].route");
    let m = refused_on("/drugs/0/id", Some(json!("olumiant-xr")), "drugs[0].id");
    assert!(m.contains("not a medicine id"), "{m}");
    refused_on("/drugs/0/id", Some(json!(7)), "drugs[0].id");
    // An id alone, and an id beside a name (the id wins).
    let r = ok(&with(
        "/drugs/0",
        Some(json!({"id": "tofacitinib", "role": "suspect"})),
    ));
    assert_eq!(r.drug_ids, vec![Some("tofacitinib".to_string())]);
    let r = ok(&with(
        "/drugs/0",
        Some(json!({"name": "Xeljanz 5mg", "id": "tofacitinib", "role": "suspect"})),
    ));
    assert_eq!(r.report.drugs[0].verbatim(), "Xeljanz 5mg");
    // A medicine the pack does not know is kept verbatim without an id.
    let r = ok(&with(
        "/drugs/0/name",
        Some(json!("Some unlisted medicine")),
    ));
    assert_eq!(r.drug_ids, vec![None]);
    // At least one suspect.
    for role in ["concomitant", "interacting"] {
        let m = refused_on("/drugs/0/role", Some(json!(role)), "drugs");
        assert!(m.contains("at least one suspect"), "{m}");
    }
    // Too many.
    let many: Vec<Value> = (0..=MAX_DRUGS)
        .map(|i| json!({"name": format!("drug {i}"), "role": "suspect"}))
        .collect();
    refused_on("/drugs", Some(json!(many)), "drugs");
}

#[test]
fn reaction_rules() {
    refused_on("/reactions", None, "reactions");
    refused_on("/reactions", Some(json!([])), "reactions");
    refused_on("/reactions", Some(json!("Herpes zoster")), "reactions");
    refused_on(
        "/reactions/0",
        Some(json!(["Herpes zoster"])),
        "reactions[0]",
    );
    refused_on("/reactions/0/term", None, "reactions[0].term");
    refused_on("/reactions/0/term", Some(json!("")), "reactions[0].term");
    refused_on("/reactions/0/term", Some(json!(1)), "reactions[0].term");
    for c in [json!("1001997"), json!("1001997a"), json!("100199741")] {
        refused_on(
            "/reactions/0/meddra_code",
            Some(c),
            "reactions[0].meddra_code",
        );
    }
    for c in [json!(1001997), json!(-10019974), json!(1.5), json!(true)] {
        refused_on(
            "/reactions/0/meddra_code",
            Some(c),
            "reactions[0].meddra_code",
        );
    }
    let r = ok(&with("/reactions/0/meddra_code", Some(json!("10019974"))));
    assert_eq!(
        r.report.reactions[0].meddra_code.as_deref(),
        Some("10019974")
    );
}

#[test]
fn onset_rules() {
    refused_on("/onset", None, "onset");
    for bad in [
        "2026-02-29",
        "2026-13-01",
        "2026-10-2",
        "02/10/2026",
        "2026-10-02T10:00:00Z",
        "yesterday",
    ] {
        let m = refused_on("/onset", Some(json!(bad)), "onset");
        assert!(m.contains("YYYY-MM-DD"), "{m}");
    }
    refused_on("/onset", Some(json!(20261002)), "onset");
    refused_on("/onset", Some(json!("1899-12-31")), "onset");
    // Not in the future (one day of grace for time zones ahead of UTC).
    ok(&with("/onset", Some(json!("2026-11-22"))));
    ok(&with("/onset", Some(json!("2026-11-23"))));
    let m = refused_on("/onset", Some(json!("2026-11-24")), "onset");
    assert!(m.contains("future"), "{m}");
    ok(&with("/onset", Some(json!("2024-02-29"))));
}

#[test]
fn seriousness_and_outcome_rules() {
    refused_on("/serious", None, "serious");
    refused_on("/serious", Some(json!("no")), "serious");
    refused_on("/serious", Some(json!(0)), "serious");
    let serious = |mut v: Value| {
        v["serious"] = json!(true);
        v
    };
    for c in [
        "death",
        "life_threatening",
        "hospitalisation",
        "disability",
        "congenital_anomaly",
        "other_medically_important",
    ] {
        ok(&serious(with("/seriousness", Some(json!([c])))));
    }
    // Serious with the criteria unknown is still a valid report.
    ok(&serious(issue_example()));
    let m = refused_on("/seriousness", Some(json!(["death"])), "seriousness");
    assert!(m.contains("serious is false"), "{m}");
    let e = errors(&serious(with(
        "/seriousness",
        Some(json!(["hospitalization"])),
    )));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].field, "seriousness[0]");
    let e = errors(&serious(with("/seriousness", Some(json!("death")))));
    assert_eq!(e[0].field, "seriousness");
    let e = errors(&serious(with("/seriousness", Some(json!([1])))));
    assert_eq!(e[0].field, "seriousness[0]");

    for o in [
        "recovered",
        "recovering",
        "not_recovered",
        "recovered_with_sequelae",
        "unknown",
    ] {
        ok(&with("/outcome", Some(json!(o))));
    }
    refused_on("/outcome", Some(json!("resolved")), "outcome");
    refused_on("/outcome", Some(json!(1)), "outcome");
    let m = refused_on("/outcome", Some(json!("fatal")), "outcome");
    assert!(m.contains("serious"), "{m}");
    ok(&serious(with("/outcome", Some(json!("fatal")))));
}

#[test]
fn narrative_and_key_rules() {
    ok(&with("/narrative", Some(json!("Two\nlines\r\n\tindented"))));
    refused_on("/narrative", Some(json!("bell\u{7}")), "narrative");
    refused_on("/narrative", Some(json!(" ")), "narrative");
    refused_on("/narrative", Some(json!({"text": "x"})), "narrative");
    ok(&with(
        "/narrative",
        Some(json!("a".repeat(MAX_NARRATIVE_CHARS))),
    ));
    refused_on(
        "/narrative",
        Some(json!("a".repeat(MAX_NARRATIVE_CHARS + 1))),
        "narrative",
    );
    for k in [
        json!(""),
        json!("has space"),
        json!("é"),
        json!("k".repeat(201)),
    ] {
        refused_on("/idempotency_key", Some(k), "idempotency_key");
    }
    refused_on("/idempotency_key", Some(json!(12)), "idempotency_key");
    ok(&with(
        "/idempotency_key",
        Some(json!("0192f7a4-1b2c-7d3e-8f90-123456789abc")),
    ));
}

#[test]
fn the_error_list_is_capped() {
    let mut v = issue_example();
    for i in 0..(MAX_ERRORS + 50) {
        v[format!("x{i}")] = json!(1);
    }
    let e = errors(&v);
    assert_eq!(e.len(), MAX_ERRORS + 1);
    assert!(e[MAX_ERRORS].message.contains("50 more"));
}

#[test]
fn the_body_is_canonical_and_reads_back() {
    let r = ok(&issue_example());
    let body = r.report.canonical_json();
    let back: offlabel_reports::Report =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, r.report);
    assert!(!body.contains("idempotency_key"));
}

#[test]
fn messages_never_echo_long_values() {
    let long = "Z".repeat(200);
    let m = refused_on(
        "/reporter/qualification",
        Some(json!(long)),
        "reporter.qualification",
    );
    assert!(m.len() < 200, "{m}");
}

#[test]
fn duplicate_keys_are_refused_not_last_one_wins() {
    let body = issue_example().to_string();
    // The example says "serious": <x>; add a second, contradicting value.
    let twice = body.replacen('{', r#"{"serious": false, "#, 1);
    assert!(twice.matches("\"serious\"").count() >= 2, "{twice}");
    match parse_report_on(twice.as_bytes(), &*ENGINE, TODAY) {
        Err(ReportError::Syntax(m)) => assert!(m.contains("twice"), "{m}"),
        other => panic!("a duplicate key was accepted: {other:?}"),
    }
    let nested = body.replacen(r#""reporter": {"#, r#""reporter": {"country": "FR", "#, 1);
    if nested != body && nested.matches("\"country\"").count() >= 2 {
        assert!(matches!(
            parse_report_on(nested.as_bytes(), &*ENGINE, TODAY),
            Err(ReportError::Syntax(_))
        ));
    }
}
