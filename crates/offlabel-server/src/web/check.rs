//! The patient-check form (`GET /check`) and its result (`POST /check`).
//!
//! The form posts `application/x-www-form-urlencoded`; it becomes the same JSON
//! `CheckRequest` that `POST /v1/check` takes, so the engine's own rules decide what is
//! valid. Patient details travel in the body, never in the URL, and are not logged.

use super::layout::{Citer, Nav, Page, capitalise, level_badge, ordered, scroll, status_badge};
use crate::AppState;
use crate::error::too_large;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use maud::{Markup, html};
use offlabel_engine::rules::flag_label;
use offlabel_engine::{CheckReport, CheckRequest, Engine};
use serde::Deserialize;
use serde_json::{Map, Value};

/// Yes/no findings: form name, label.
const FINDINGS: &[(&str, &str)] = &[
    ("pregnant", "Pregnant"),
    ("breastfeeding", "Breastfeeding"),
    ("allergy", "Allergic to the medicine or an ingredient"),
    (
        "immunosuppressed",
        "Immunosuppressed, transplanted or on immunosuppressants",
    ),
    ("smoker", "Current or long-term former smoker"),
    (
        "vte_history",
        "Past blood clots (VTE) or their risk factors",
    ),
    ("cardiovascular_history", "Heart or vessel disease"),
    ("cancer_history", "Past or present cancer"),
    ("recurrent_infections", "Chronic or recurrent infections"),
    ("broken_skin", "Broken or infected skin where it would go"),
];

const SITES: &[(&str, &str)] = &[
    ("face", "Face"),
    ("eyelids", "Eyelids"),
    ("eyes", "Eyes"),
    ("mouth", "Mouth"),
    ("mucosa", "Genital or other mucosa"),
    ("scalp", "Scalp"),
    ("hands", "Hands"),
    ("body", "Elsewhere on the body"),
];

const SEVERITIES: &[(&str, &str)] = &[
    ("mild", "Mild"),
    ("moderate", "Moderate"),
    ("severe", "Severe"),
    ("mild_to_moderate", "Mild to moderate"),
    ("moderate_to_severe", "Moderate to severe"),
];

const RENAL: &[(&str, &str)] = &[
    ("mild", "Mild"),
    ("moderate", "Moderate"),
    ("severe", "Severe"),
    ("unspecified", "Grade not known"),
];

/// What the form holds, as submitted (to show it again).
#[derive(Debug, Default, Clone)]
pub(crate) struct FormValues {
    drug: String,
    condition: String,
    region: String,
    age: String,
    bsa: String,
    severity: String,
    renal: String,
    sites: Vec<String>,
    findings: Vec<String>,
}

impl FormValues {
    /// An empty form with the medicine chosen.
    pub(crate) fn for_drug(drug: &str) -> FormValues {
        FormValues {
            drug: drug.to_string(),
            ..FormValues::default()
        }
    }

    fn parse(body: &[u8]) -> FormValues {
        let mut v = FormValues::default();
        for (key, value) in form_urlencoded::parse(body) {
            let value = value.trim().to_string();
            match key.as_ref() {
                "drug" => v.drug = value,
                "condition" => v.condition = value,
                "region" => v.region = value,
                "age" => v.age = value,
                "bsa" => v.bsa = value,
                "severity" => v.severity = value,
                "renal" => v.renal = value,
                "site" if !value.is_empty() => v.sites.push(value),
                k if FINDINGS.iter().any(|(name, _)| *name == k) && !value.is_empty() => {
                    v.findings.push(k.to_string())
                }
                _ => {}
            }
        }
        v
    }

    /// The JSON request the API takes, or what to fix.
    fn request(&self) -> Result<CheckRequest, String> {
        if self.drug.is_empty() {
            return Err("Choose a medicine.".into());
        }
        let mut m = Map::new();
        m.insert("drug".into(), Value::String(self.drug.clone()));
        for (key, value) in [
            ("condition", &self.condition),
            ("region", &self.region),
            ("severity", &self.severity),
            ("renal", &self.renal),
        ] {
            if !value.is_empty() {
                m.insert(key.into(), Value::String(value.clone()));
            }
        }
        if !self.age.is_empty() {
            let age: u32 = self.age.parse().map_err(|_| {
                format!(
                    "Age: “{}” is not a whole number of years; write a number from 0 to 130.",
                    self.age
                )
            })?;
            m.insert("age".into(), Value::from(age));
        }
        if !self.bsa.is_empty() {
            let bsa = self
                .bsa
                .replace(['%', ' '], "")
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|b| b.is_finite())
                .ok_or_else(|| {
                    format!(
                        "Body surface: “{}” is not a number; write a percentage from 0 to 100.",
                        self.bsa
                    )
                })?;
            m.insert("bsa".into(), Value::from(bsa));
        }
        if !self.sites.is_empty() {
            m.insert(
                "sites".into(),
                Value::Array(self.sites.iter().cloned().map(Value::String).collect()),
            );
        }
        for f in &self.findings {
            m.insert(f.clone(), Value::Bool(true));
        }
        serde_json::from_value(Value::Object(m))
            .map_err(|e| format!("The form could not be read: {e}."))
    }
}

fn options(list: &[(&str, &str)], selected: &str, none: &str) -> Markup {
    html! {
        option value="" selected[selected.is_empty()] { (none) }
        @for (value, label) in list {
            option value=(value) selected[*value == selected] { (label) }
        }
    }
}

/// The form, prefilled with `v`.
pub(crate) fn check_form(engine: &Engine, v: &FormValues) -> Markup {
    let pack = engine.pack();
    html! {
        form.check action="/check" method="post" {
            div.grid {
                div.field {
                    label for="drug" { "Medicine" }
                    select id="drug" name="drug" required {
                        option value="" selected[v.drug.is_empty()] disabled { "Choose a medicine" }
                        @for m in &pack.medicines {
                            option value=(m.id) selected[m.id == v.drug] { (m.name) }
                        }
                    }
                }
                div.field {
                    label for="condition" { "Condition " span.opt { "(optional)" } }
                    input id="condition" name="condition" list="condition-list" value=(v.condition) autocomplete="off";
                    datalist id="condition-list" {
                        @for c in &pack.conditions { option value=(c.id) { (c.name) } }
                    }
                }
                div.field {
                    label for="region" { "Region" }
                    select id="region" name="region" {
                        option value="" selected[v.region.is_empty()] { "US and EU" }
                        option value="US" selected[v.region == "US"] { "US (FDA)" }
                        option value="EU" selected[v.region == "EU"] { "EU (EMA)" }
                    }
                }
                div.field {
                    label for="age" { "Age in years" }
                    input id="age" name="age" type="number" min="0" max="130" step="1" inputmode="numeric" value=(v.age);
                }
                div.field {
                    label for="severity" { "Severity" }
                    select id="severity" name="severity" { (options(SEVERITIES, &v.severity, "Not stated")) }
                }
                div.field {
                    label for="renal" { "Kidney impairment" }
                    select id="renal" name="renal" { (options(RENAL, &v.renal, "None known")) }
                }
                div.field {
                    label for="bsa" { "Body surface to treat, % " span.opt { "(creams)" } }
                    input id="bsa" name="bsa" type="number" min="0" max="100" step="any" inputmode="decimal" value=(v.bsa);
                }
            }
            fieldset {
                legend { "The patient has" }
                div.checks {
                    @for (name, label) in FINDINGS {
                        div.check {
                            input type="checkbox" id={"f-" (name)} name=(name) value="on" checked[v.findings.iter().any(|f| f == name)];
                            label for={"f-" (name)} { (label) }
                        }
                    }
                }
            }
            fieldset {
                legend { "Where a cream would go" }
                div.checks {
                    @for (value, label) in SITES {
                        div.check {
                            input type="checkbox" id={"s-" (value)} name="site" value=(value) checked[v.sites.iter().any(|s| s == value)];
                            label for={"s-" (value)} { (label) }
                        }
                    }
                }
            }
            button type="submit" { "Check this patient" }
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct FormQuery {
    drug: Option<String>,
}

/// `GET /check`: the empty form (optionally with a medicine chosen).
pub(crate) async fn form(
    State(state): State<AppState>,
    query: Result<Query<FormQuery>, QueryRejection>,
) -> Response {
    let drug = query.ok().and_then(|Query(q)| q.drug).unwrap_or_default();
    let values = FormValues::for_drug(&drug);
    let body = html! {
        h1 { "Check a patient" }
        p { "Contraindications, precautions, dose adjustments, screening and monitoring for one medicine and one patient. Leave out what you do not know." }
        (check_form(&state.engine, &values))
    };
    Page::new("Check a patient", Nav::Check).render(Some(&state.engine), body)
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// `POST /check`: runs the check and shows the result above the form.
pub(crate) async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let engine = &state.engine;
    let page = |status: StatusCode, values: &FormValues, result: Markup| {
        let body = html! {
            h1 { "Check a patient" }
            (result)
            h2 #form-h { "Patient" }
            (check_form(engine, values))
        };
        Page::new("Check a patient", Nav::Check)
            .status(status)
            .render(Some(engine), body)
    };
    let error = |status: StatusCode, values: &FormValues, message: &str| {
        page(status, values, html! { p.error role="alert" { (message) } })
    };
    if !is_form(&headers) {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &FormValues::default(),
            "The form must be sent as application/x-www-form-urlencoded; use the form below, or POST JSON to /v1/check.",
        );
    }
    let bytes = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let message = too_large(state.config.body_limit).message;
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &FormValues::default(),
                &message,
            );
        }
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                &FormValues::default(),
                "The form could not be read; send it again.",
            );
        }
    };
    let values = FormValues::parse(&bytes);
    let request = match values.request() {
        Ok(r) => r,
        Err(message) => return error(StatusCode::BAD_REQUEST, &values, &message),
    };
    match engine.check(&request) {
        Ok(report) => page(
            StatusCode::OK,
            &values,
            report_markup(engine.pack(), &report),
        ),
        Err(e) => error(StatusCode::BAD_REQUEST, &values, &format!("{e}.")),
    }
}

fn report_markup(pack: &offlabel_engine::Pack, r: &CheckReport) -> Markup {
    let cites = Citer::new(pack);
    html! {
        section.report aria-labelledby="result-h" {
            h2 #result-h {
                "Result for " (r.drug.name)
                @if let Some(c) = &r.condition { " in " (c.name.to_lowercase()) }
            }
            @if let Some(status) = &r.status {
                ul.badges {
                    @for (j, s) in ordered(status) {
                        li {
                            (status_badge(j, *s))
                            @if let Some(reason) = r.status_reasons.as_ref().and_then(|m| m.get(j)) {
                                span.reason { (reason) "." }
                            }
                        }
                    }
                }
            }
            h3 { "Flags" }
            @if r.flags.is_empty() {
                p { "No contraindication, precaution or dose change applies to what was entered." }
            } @else {
                ul.flags {
                    @for f in &r.flags {
                        li data-flag=(f.id.as_str()) {
                            (level_badge(f.level)) " " strong { (capitalise(flag_label(f.id))) } ": " (f.text) " "
                            (cites.links(&f.sources))
                        }
                    }
                }
            }
            @if !r.dose_adjustments.is_empty() {
                h3 { "Dose adjustments" }
                (scroll("Dose adjustments", html! {
                    table {
                        thead { tr { th scope="col" { "Why" } th scope="col" { "Usual dose" } th scope="col" { "Adjusted dose" } th scope="col" { "Advice" } th scope="col" { "Source" } } }
                        tbody {
                            @for d in &r.dose_adjustments {
                                tr {
                                    th scope="row" { (capitalise(flag_label(d.flag))) }
                                    td { (d.usual_dose) }
                                    td { strong { (d.adjusted_dose.as_deref().unwrap_or("no figure given")) } }
                                    td { (d.advice) " (" (d.body) ", " (d.jurisdiction) ")" }
                                    td { (cites.links(&d.sources)) }
                                }
                            }
                        }
                    }
                }))
            }
            @if !r.screening.is_empty() {
                h3 { "Before the first dose" }
                ul {
                    @for s in &r.screening {
                        li { (s.item) " (" (s.body) ") " (cites.links(&s.sources)) }
                    }
                }
            }
            @if !r.monitoring.is_empty() {
                h3 { "During treatment" }
                ul {
                    @for s in &r.monitoring {
                        li {
                            (s.item)
                            @if let Some(when) = &s.schedule { ": " (when) }
                            " (" (s.body) ") " (cites.links(&s.sources))
                        }
                    }
                }
            }
            (cites.list())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_becomes_request() {
        let v = FormValues::parse(
            b"drug=baricitinib&age=80&smoker=on&site=face&site=scalp&bsa=12%2C5&condition=",
        );
        let r = v.request().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.drug, "baricitinib");
        assert_eq!(r.patient.age, Some(80));
        assert!(r.patient.smoker);
        assert_eq!(r.patient.sites.len(), 2);
        assert_eq!(r.patient.bsa, Some(12.5));
        assert_eq!(r.condition, None);
    }

    #[test]
    fn bad_numbers_say_what_to_write() {
        let v = FormValues::parse(b"drug=baricitinib&age=old");
        let e = v.request().err().unwrap_or_default();
        assert!(e.contains("0 to 130"), "{e}");
        assert!(FormValues::parse(b"age=3").request().is_err());
    }
}
