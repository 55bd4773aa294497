//! The services: discovery, and a hook request → the engine's check → cards.

use crate::input::{self, Date, Order};
use crate::types::*;
use offlabel_engine::check::{resolve_condition, resolve_medicine};
use offlabel_engine::rules::DoseAdvice;
use offlabel_engine::{CheckReport, CheckRequest, Engine, MedicineCode};
use offlabel_model::{Level, Status};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Id of the `order-select` service.
pub const ORDER_SELECT_ID: &str = "offlabel-order-select";
/// Id of the `order-sign` service.
pub const ORDER_SIGN_ID: &str = "offlabel-order-sign";
/// Every service id [`discovery`] lists.
pub const SERVICE_IDS: [&str; 2] = [ORDER_SELECT_ID, ORDER_SIGN_ID];
/// Every override reason code a card may offer (feedback counts only these by name).
pub const OVERRIDE_CODES: [&str; 5] = [
    "evidence-supports-use",
    "dose-already-adjusted",
    "benefit-outweighs-risk",
    "patient-informed",
    "specialist-advice",
];
/// Our code system (card topics, override reasons).
pub const CODE_SYSTEM: &str = "https://offlabel.example/fhir/CodeSystem/offlabel";
/// Prefetch keys that carry patient data.
pub const PATIENT_KEYS: [&str; 4] = ["patient", "conditions", "pregnancy", "lactation"];

/// UUID namespace for card and suggestion ids (UUID v5).
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f66_666c_6162_656c_8cd5_0000_0000_0001);

/// Why a hook request was refused (HTTP 400 or 404).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HookError {
    /// No such service id.
    #[error("no CDS service {0:?}; GET /cds-services lists them")]
    UnknownService(String),
    /// The request's hook is not the service's.
    #[error("service {service:?} answers {expected:?}, but the request's hook is {got:?}")]
    WrongHook {
        /// The service.
        service: String,
        /// Its hook.
        expected: String,
        /// The request's.
        got: String,
    },
    /// A required context field is missing.
    #[error("context.{0} is required for this hook")]
    MissingContext(&'static str),
}

fn prefetch_templates() -> BTreeMap<String, String> {
    let p = "{{context.patientId}}";
    BTreeMap::from([
        ("patient".into(), format!("Patient/{p}")),
        (
            "conditions".into(),
            format!("Condition?patient={p}&clinical-status=active"),
        ),
        (
            "pregnancy".into(),
            format!(
                "Observation?patient={p}&code=http://loinc.org|{}&_sort=-date&_count=1",
                input::LOINC_PREGNANCY_STATUS
            ),
        ),
        (
            "lactation".into(),
            format!(
                "Observation?patient={p}&code=http://loinc.org|{}&_sort=-date&_count=1",
                input::LOINC_BREASTFEEDING_STATUS
            ),
        ),
    ])
}

/// The discovery document (`GET /cds-services`) for the pack `engine` serves (its
/// title names what the services cover).
pub fn discovery(engine: &Engine) -> Discovery {
    let title = &engine.pack().meta.title;
    let what = format!(
        "Regulatory status (on- or off-label, US and EU), contraindications, dose adjustments, screening and monitoring — {title} — from the offlabel knowledge pack"
    );
    Discovery {
        services: vec![
            Service {
                hook: "order-select".into(),
                title: Some(format!("offlabel: {title}")),
                description: format!("{what}, when a medication is selected."),
                id: ORDER_SELECT_ID.into(),
                prefetch: prefetch_templates(),
                usage_requirements: None,
            },
            Service {
                hook: "order-sign".into(),
                title: Some(format!("offlabel: {title}, at signing")),
                description: format!(
                    "{what}, when orders are signed (replaces the order-select cards)."
                ),
                id: ORDER_SIGN_ID.into(),
                prefetch: prefetch_templates(),
                usage_requirements: None,
            },
        ],
    }
}

/// What a hook invocation needs besides the request.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    /// The engine.
    pub engine: &'a Engine,
    /// Absolute base URL of our web pages (no trailing slash), e.g. `https://offlabel.example.org`.
    pub base_url: &'a str,
    /// Today, for ages.
    pub today: Date,
}

/// Answers one hook request with cards.
///
/// # Errors
/// [`HookError`] for an unknown service, a mismatched hook or a missing `draftOrders`.
pub fn invoke(
    env: Env<'_>,
    service_id: &str,
    req: &HookRequest,
) -> Result<HookResponse, HookError> {
    let service = discovery(env.engine)
        .services
        .into_iter()
        .find(|s| s.id == service_id)
        .ok_or_else(|| HookError::UnknownService(service_id.to_string()))?;
    if req.hook != service.hook {
        return Err(HookError::WrongHook {
            service: service.id,
            expected: service.hook,
            got: req.hook.clone(),
        });
    }
    let draft = req
        .context
        .get("draftOrders")
        .ok_or(HookError::MissingContext("draftOrders"))?;
    let selections = if service.hook == "order-select" {
        req.context
            .get("selections")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
    } else {
        None
    };
    let orders = input::orders(draft, selections);
    let empty = serde_json::Map::new();
    let prefetch = req.prefetch.as_ref().unwrap_or(&empty);
    let data = input::patient_data(env.engine, prefetch, env.today);
    let missing: Vec<&str> = PATIENT_KEYS
        .into_iter()
        .filter(|k| !prefetch.contains_key(*k))
        .collect();

    let mut cards = Vec::new();
    let mut any_medicine = false;
    for order in &orders {
        let Some(drug) = recognise_medicine(env.engine, order) else {
            continue;
        };
        any_medicine = true;
        let mut notes = Vec::new();
        let condition = recognise_condition(env.engine, order, &data, &mut notes);
        let request = CheckRequest {
            drug: drug.clone(),
            condition: condition.clone(),
            condition_code: None,
            conditions: history_codings(env.engine, &data),
            region: None,
            patient: data.patient.clone(),
        };
        let Ok(report) = env.engine.check(&request) else {
            continue;
        };
        for note in &report.notes {
            if !notes.contains(note) {
                notes.push(note.clone());
            }
        }
        let ctx = CardCtx {
            env,
            service: service_id,
            order,
            report: &report,
        };
        cards.extend(ctx.cards());
        if !notes.is_empty() {
            cards.push(ctx.codes_card(&notes));
        }
    }
    if any_medicine && !missing.is_empty() {
        cards.push(missing_prefetch_card(
            env,
            service_id,
            &missing,
            req.fhir_server.as_deref(),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    cards.retain(|c| c.uuid.as_ref().is_none_or(|u| seen.insert(u.clone())));
    cards.sort_by_key(|c| c.indicator);
    Ok(HookResponse {
        cards,
        system_actions: Vec::new(),
    })
}

/// The pack medicine an order names: by a code the pack's medicines carry (RxNorm,
/// ATC), else by the order's words read together as a question would read them
/// ("ruxolitinib 15 MG/G Topical Cream": the route word decides).
fn recognise_medicine(engine: &Engine, order: &Order) -> Option<String> {
    for (system, code) in &order.codes {
        if let MedicineCode::Medicine(id) = engine.medicine_by_code(system, code, &order.texts) {
            return Some(id);
        }
    }
    let words = order.texts.join(" ");
    if words.trim().is_empty() {
        return None;
    }
    resolve_medicine(engine, &words)
}

/// The curated condition a coded or named condition is, through the engine's code
/// look-up and name recogniser; what a code could not be read as goes to `notes`.
fn condition_from(
    engine: &Engine,
    texts: &[String],
    codes: &[(String, String)],
    notes: &mut Vec<String>,
) -> Option<String> {
    let mut said = Vec::new();
    for (system, code) in codes {
        let reading = engine.condition_by_code(system, code);
        if let Some(id) = reading.condition {
            return Some(id);
        }
        said.extend(reading.note());
    }
    let named = texts.iter().find_map(|t| resolve_condition(engine, t));
    for note in said {
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    named
}

fn recognise_condition(
    engine: &Engine,
    order: &Order,
    data: &input::PatientData,
    notes: &mut Vec<String>,
) -> Option<String> {
    if let Some(c) = condition_from(engine, &order.reason_texts, &order.reason_codes, notes) {
        return Some(c);
    }
    for rf in &order.reason_refs {
        let hit = data.conditions.iter().find(|c| {
            c.reference
                .as_deref()
                .is_some_and(|r| rf == r || rf.ends_with(&format!("/{r}")))
        });
        if let Some(c) = hit
            && let Some(id) = condition_from(engine, &c.texts, &c.codes, notes)
        {
            return Some(id);
        }
    }
    // No stated reason: the first active condition in the pack's area.
    // (Codes of the other active conditions are read, and reported, as history.)
    data.conditions.iter().find_map(|c| {
        condition_from(engine, &c.texts, &c.codes, &mut Vec::new())
            .filter(|id| engine.pack().condition(id).is_some_and(|c| c.in_area))
    })
}

/// The patient's active conditions as codings for the engine's history flags: of a
/// condition coded in several systems, the codings the engine knows (a second,
/// unknown coding of a known condition is no missing information); of a condition
/// no coding of which is known, every coding, so that each is reported.
fn history_codings(engine: &Engine, data: &input::PatientData) -> Vec<offlabel_engine::Coding> {
    let mut out = Vec::new();
    for c in &data.conditions {
        let codings: Vec<offlabel_engine::Coding> = c
            .codes
            .iter()
            .map(|(system, code)| offlabel_engine::Coding {
                system: system.clone(),
                code: code.clone(),
                display: None,
            })
            .collect();
        let known: Vec<offlabel_engine::Coding> = codings
            .iter()
            .filter(|k| engine.condition_by_code(&k.system, &k.code).known())
            .cloned()
            .collect();
        out.extend(if known.is_empty() { codings } else { known });
    }
    out
}

/// Cuts a summary to under 140 characters, on a character boundary.
pub fn summary(text: &str) -> String {
    if text.chars().count() < 140 {
        return text.to_string();
    }
    let cut: String = text.chars().take(138).collect();
    format!("{}…", cut.trim_end())
}

fn uuid_for(parts: &[&str]) -> String {
    uuid::Uuid::new_v5(&NAMESPACE, parts.join("|").as_bytes()).to_string()
}

fn override_reasons(kind: &str) -> Vec<Coding> {
    let mut list = vec![
        (
            "benefit-outweighs-risk",
            "Benefit outweighs risk for this patient",
        ),
        (
            "patient-informed",
            "Discussed with the patient, who consents",
        ),
    ];
    match kind {
        "status" => list.insert(
            0,
            (
                "evidence-supports-use",
                "Published evidence supports this use",
            ),
        ),
        "dose" => list.insert(
            0,
            (
                "dose-already-adjusted",
                "Dose already adjusted or not applicable",
            ),
        ),
        _ => list.push(("specialist-advice", "Specialist recommendation")),
    }
    list.into_iter()
        .map(|(code, display)| Coding {
            code: code.into(),
            system: format!("{CODE_SYSTEM}-override"),
            display: Some(display.into()),
        })
        .collect()
}

struct CardCtx<'a> {
    env: Env<'a>,
    service: &'a str,
    order: &'a Order,
    report: &'a CheckReport,
}

impl CardCtx<'_> {
    fn drug_id(&self) -> &str {
        &self.report.drug.id
    }

    fn brand(&self) -> String {
        let pack = self.env.engine.pack();
        let said = self.order.texts.join(" ").to_lowercase();
        pack.medicine(self.drug_id())
            .and_then(|m| {
                m.products
                    .iter()
                    .find(|p| said.contains(&p.brand.to_lowercase()))
            })
            .map_or_else(|| self.report.drug.name.clone(), |p| p.brand.clone())
    }

    fn source(&self, topic: (&str, &str), sources: &[String]) -> Source {
        let pack = self.env.engine.pack();
        let first = sources.iter().find_map(|s| pack.source(s));
        let label = match first {
            Some(s) => format!(
                "{} (offlabel pack {})",
                s.publisher.clone().unwrap_or_else(|| s.title.clone()),
                pack.meta.version
            ),
            None => format!("offlabel knowledge pack {}", pack.meta.version),
        };
        let url = match first {
            Some(s) => format!("{}/sources/{}", self.env.base_url, s.id),
            None => format!("{}/drugs/{}", self.env.base_url, self.drug_id()),
        };
        Source {
            label: summary(&label),
            url: Some(url),
            icon: None,
            topic: Some(Coding {
                code: topic.0.into(),
                system: CODE_SYSTEM.into(),
                display: Some(topic.1.into()),
            }),
        }
    }

    fn cited(&self, sources: &[String]) -> String {
        let pack = self.env.engine.pack();
        let mut ids: Vec<&String> = Vec::new();
        for id in sources {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let lines: Vec<String> = ids
            .into_iter()
            .filter_map(|id| pack.source(id))
            .map(|s| match &s.url {
                Some(u) => format!("- [{}]({u})", s.title),
                None => format!("- {}", s.title),
            })
            .collect();
        if lines.is_empty() {
            String::new()
        } else {
            format!("\n\n**Sources**\n{}", lines.join("\n"))
        }
    }

    fn links(&self, sources: &[String]) -> Vec<Link> {
        let base = self.env.base_url;
        let mut links = vec![Link {
            label: format!("{} in offlabel", self.report.drug.name),
            url: format!("{base}/drugs/{}", self.drug_id()),
            kind: "absolute".into(),
        }];
        if let Some(c) = &self.report.condition {
            let q = format!("{} for {}", self.report.drug.name, c.name);
            // UTF-8 percent-encoding, as a form-encoded query expects ("é" → %C3%A9).
            let q: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
            links.push(Link {
                label: format!("Evidence: {} for {}", self.report.drug.name, c.name),
                url: format!("{base}/ask?q={q}"),
                kind: "absolute".into(),
            });
        }
        let pack = self.env.engine.pack();
        for s in sources.iter().filter_map(|id| pack.source(id)).take(2) {
            if let Some(u) = s.url.as_ref().filter(|u| u.starts_with("http")) {
                links.push(Link {
                    label: summary(&s.title),
                    url: u.clone(),
                    kind: "absolute".into(),
                });
            }
        }
        links
    }

    fn delete_suggestion(&self, kind: &str, rule: &str) -> Vec<Suggestion> {
        match &self.order.reference {
            Some(r) => vec![Suggestion {
                label: format!("Remove the {} order", self.brand()),
                uuid: Some(uuid_for(&[
                    self.service,
                    kind,
                    self.drug_id(),
                    rule,
                    "remove",
                ])),
                is_recommended: Some(true),
                actions: vec![Action {
                    kind: "delete".into(),
                    description: format!("Remove the draft order for {}", self.brand()),
                    resource: None,
                    resource_id: Some(r.clone()),
                }],
            }],
            None => Vec::new(),
        }
    }

    // Every argument is one field of the card; a builder would only rename them.
    #[allow(clippy::too_many_arguments)]
    fn card(
        &self,
        kind: &str,
        rule: &str,
        indicator: Indicator,
        text: String,
        detail: String,
        sources: &[String],
        topic: (&str, &str),
        suggestions: Vec<Suggestion>,
    ) -> Card {
        Card {
            uuid: Some(uuid_for(&[self.service, kind, self.drug_id(), rule])),
            summary: summary(&text),
            detail: Some(format!("{detail}{}", self.cited(sources))),
            indicator,
            source: self.source(topic, sources),
            selection_behavior: (!suggestions.is_empty()).then(|| "at-most-one".to_string()),
            suggestions,
            override_reasons: override_reasons(kind),
            links: self.links(sources),
        }
    }

    fn cards(&self) -> Vec<Card> {
        let mut out = Vec::new();
        let pack = self.env.engine.pack();
        let brand = self.brand();
        // Regulatory status.
        if let (Some(cond), Some(status), Some(reasons)) = (
            &self.report.condition,
            &self.report.status,
            &self.report.status_reasons,
        ) {
            let off: Vec<(&String, &Status)> = status
                .iter()
                .filter(|(_, s)| **s != Status::Approved)
                .collect();
            if !off.is_empty() {
                let words = |s: Status| match s {
                    Status::OffLabel => "off-label",
                    Status::NotAuthorized => "not authorised",
                    Status::Unknown => "of unknown status",
                    Status::Approved => "approved",
                };
                let parts: Vec<String> = status
                    .iter()
                    .map(|(j, s)| format!("{} in the {j}", words(*s)))
                    .collect();
                let text = format!(
                    "{brand} for {}: {}",
                    cond.name.to_lowercase(),
                    parts.join(", ")
                );
                let detail: Vec<String> = reasons
                    .iter()
                    .map(|(j, r)| {
                        format!(
                            "- **{j}**: {}: {r}.",
                            words(status.get(j).copied().unwrap_or(Status::Unknown))
                        )
                    })
                    .collect();
                let sources: Vec<String> = pack
                    .authorisations
                    .iter()
                    .filter(|a| a.medicine == self.drug_id())
                    .flat_map(|a| a.sources.clone())
                    .take(3)
                    .collect();
                let rule = format!("status-{}", cond.id);
                out.push(self.card("status", &rule, Indicator::Warning, text, format!("Regulatory status of {} for {}:\n\n{}\n\nSee the evidence page for published studies of this use.", self.report.drug.name, cond.name, detail.join("\n")), &sources, ("off-label", "Off-label use"), Vec::new()));
            }
        }
        // Contraindications and precautions.
        let mut cautions = Vec::new();
        for f in &self.report.flags {
            if f.level == Level::DoseAdjustment {
                continue;
            }
            let label = offlabel_engine::rules::flag_label(f.id);
            let whose = f
                .jurisdiction
                .as_deref()
                .map_or(f.body.clone(), |j| format!("{}, {j}", f.body));
            match f.level {
                Level::Contraindicated => {
                    let text = format!("{brand} is contraindicated in {label} ({whose})");
                    let sugg = self.delete_suggestion("contraindication", &f.rule);
                    out.push(self.card(
                        "contraindication",
                        &f.rule,
                        Indicator::Critical,
                        text,
                        f.text.clone(),
                        &f.sources,
                        ("contraindication", "Contraindication"),
                        sugg,
                    ));
                }
                Level::Avoid => {
                    let text = format!("{brand}: avoid in {label} unless no alternative ({whose})");
                    out.push(self.card(
                        "precaution",
                        &f.rule,
                        Indicator::Warning,
                        text,
                        f.text.clone(),
                        &f.sources,
                        ("precaution", "Precaution"),
                        Vec::new(),
                    ));
                }
                _ => cautions.push(f),
            }
        }
        if !cautions.is_empty() {
            let detail: Vec<String> = cautions.iter().map(|f| format!("- {}", f.text)).collect();
            let sources: Vec<String> = cautions.iter().flat_map(|f| f.sources.clone()).collect();
            let rule: Vec<&str> = cautions.iter().map(|f| f.rule.as_str()).collect();
            let text = format!("{brand}: {} precaution(s) for this patient", cautions.len());
            out.push(self.card(
                "caution",
                &rule.join("+"),
                Indicator::Info,
                text,
                detail.join("\n"),
                &sources,
                ("precaution", "Precaution"),
                Vec::new(),
            ));
        }
        // Dose adjustments: one card per target dose and regulator, so that two rules
        // leading to the same dose (an age rule and the risk group it implies) make one
        // suggestion, not two conflicting ones.
        let mut groups: Vec<Vec<&DoseAdvice>> = Vec::new();
        for d in &self.report.dose_adjustments {
            let same = |g: &&mut Vec<&DoseAdvice>| {
                g[0].adjusted_dose == d.adjusted_dose
                    && g[0].body == d.body
                    && g[0].jurisdiction == d.jurisdiction
            };
            match groups.iter_mut().find(same) {
                Some(g) => g.push(d),
                None => groups.push(vec![d]),
            }
        }
        for group in groups {
            let d = group[0];
            let target = d
                .adjusted_dose
                .clone()
                .unwrap_or_else(|| "a lower dose".into());
            let text = format!(
                "{brand}: {} for this patient ({}, {})",
                target, d.body, d.jurisdiction
            );
            let sugg = self.dose_suggestion(d);
            let advice: Vec<&str> = group.iter().map(|g| g.advice.as_str()).collect();
            let mut sources: Vec<String> = Vec::new();
            for g in &group {
                for source in &g.sources {
                    if !sources.contains(source) {
                        sources.push(source.clone());
                    }
                }
            }
            out.push(self.card(
                "dose",
                &d.rule,
                Indicator::Warning,
                text,
                format!(
                    "{} Usual dose {}; adjusted dose {}.",
                    advice.join(" "),
                    d.usual_dose,
                    target
                ),
                &sources,
                ("dose-adjustment", "Dose adjustment"),
                sugg.into_iter().collect(),
            ));
        }
        // Screening and monitoring.
        let (s, m) = (&self.report.screening, &self.report.monitoring);
        if !s.is_empty() || !m.is_empty() {
            let mut detail = String::new();
            if !s.is_empty() {
                detail.push_str("**Before treatment**\n");
                for i in s {
                    detail.push_str(&format!("- {} ({})\n", i.item, i.body));
                }
            }
            if !m.is_empty() {
                detail.push_str("\n**During treatment**\n");
                for i in m {
                    let when = i
                        .schedule
                        .as_deref()
                        .map(|w| format!(": {w}"))
                        .unwrap_or_default();
                    detail.push_str(&format!("- {}{when} ({})\n", i.item, i.body));
                }
            }
            let sources: Vec<String> = s
                .iter()
                .chain(m.iter())
                .flat_map(|i| i.sources.clone())
                .collect();
            let text = format!(
                "{brand}: {} screening test(s) before and {} monitoring item(s) during treatment",
                s.len(),
                m.len()
            );
            out.push(self.card(
                "plan",
                "screening-monitoring",
                Indicator::Info,
                text,
                detail.trim_end().to_string(),
                &sources,
                ("monitoring", "Screening and monitoring"),
                Vec::new(),
            ));
        }
        out
    }

    /// What the check could not read among the order's and the patient's codes (a code
    /// not in the pack's vocabulary, a condition outside the curated pack), said in
    /// the card's detail rather than dropped.
    fn codes_card(&self, notes: &[String]) -> Card {
        let detail: Vec<String> = notes.iter().map(|n| format!("- {n}.")).collect();
        let text = format!(
            "{}: {} coded item(s) not fully read; see the detail",
            self.brand(),
            notes.len()
        );
        let rule = format!("codes-{}", notes.join("|"));
        self.card(
            "codes",
            &rule,
            Indicator::Info,
            text,
            format!(
                "The check read the patient's and the order's coded conditions through the offlabel pack's vocabulary (Disease Ontology cross-references):\n\n{}",
                detail.join("\n")
            ),
            &[],
            ("missing-data", "Missing patient data"),
            Vec::new(),
        )
    }

    /// A suggestion that rewrites the order's dose to the adjusted daily dose.
    fn dose_suggestion(&self, d: &offlabel_engine::rules::DoseAdvice) -> Option<Suggestion> {
        let mg = d.adjusted_daily_mg?;
        let per_day = input::doses_per_day(&self.order.resource).unwrap_or(1.0);
        let per_dose = mg / per_day;
        let unit_ok = input::dose_quantity(&self.order.resource)
            .is_none_or(|(_, u)| u.eq_ignore_ascii_case("mg"));
        if !unit_ok || !per_dose.is_finite() {
            return None;
        }
        let mut resource = self.order.resource.clone();
        let text = d
            .adjusted_dose
            .clone()
            .unwrap_or_else(|| format!("{mg} mg daily"));
        let obj = resource.as_object_mut()?;
        let dosage = obj
            .entry("dosageInstruction")
            .or_insert_with(|| json!([{}]));
        if !dosage.is_array() || dosage.as_array().is_some_and(Vec::is_empty) {
            *dosage = json!([{}]);
        }
        let first = dosage.get_mut(0)?.as_object_mut()?;
        first.insert("text".into(), json!(text));
        if !first.contains_key("timing") {
            first.insert(
                "timing".into(),
                json!({"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}}),
            );
        }
        first.insert(
            "doseAndRate".into(),
            json!([{"doseQuantity": {"value": per_dose, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}}]),
        );
        Some(Suggestion {
            label: summary(&format!("Change the dose to {text}")),
            uuid: Some(uuid_for(&[
                self.service,
                "dose",
                self.drug_id(),
                &d.rule,
                "change-dose",
            ])),
            is_recommended: Some(true),
            actions: vec![Action {
                kind: "update".into(),
                description: format!("Set the {} dose to {text}", self.brand()),
                resource: Some(resource),
                resource_id: None,
            }],
        })
    }
}

fn missing_prefetch_card(
    env: Env<'_>,
    service: &str,
    missing: &[&str],
    fhir_server: Option<&str>,
) -> Card {
    let server = match fhir_server {
        Some(s) => format!("This service does not query the EHR's FHIR server ({s}) itself."),
        None => "The request gave no FHIR server.".to_string(),
    };
    Card {
        uuid: Some(uuid_for(&[service, "missing-prefetch", &missing.join(",")])),
        summary: summary(&format!(
            "Patient data not provided ({}): the check did not consider it",
            missing.join(", ")
        )),
        detail: Some(format!(
            "The request carried no prefetch for: {}. {server} Age, pregnancy, breastfeeding and other conditions were therefore not checked; the cards above cover the medicine only. Configure the EHR to send the prefetch templates listed at `GET /cds-services`.",
            missing.join(", ")
        )),
        indicator: Indicator::Info,
        source: Source {
            label: format!("offlabel knowledge pack {}", env.engine.pack().meta.version),
            url: Some(format!("{}/", env.base_url)),
            icon: None,
            topic: Some(Coding {
                code: "missing-data".into(),
                system: CODE_SYSTEM.into(),
                display: Some("Missing patient data".into()),
            }),
        },
        suggestions: Vec::new(),
        selection_behavior: None,
        override_reasons: Vec::new(),
        links: Vec::new(),
    }
}
