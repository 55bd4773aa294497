//! FHIR R5 export of a knowledge pack (`offlabel export fhir`, `GET /fhir/...`).
//!
//! [`bundle`] returns a `Bundle` (type `collection`) of:
//! - `MedicinalProductDefinition`: each medicine (id = pack id) and brand product
//!   (id `product-{brand}`), with ATC codes where the pack has them;
//! - `RegulatedAuthorization`: one per authorisation record (regulator, region,
//!   indication, date, status). FHIR has no off-label flag: a use is off-label in a
//!   region when that region's authorisations do not list it;
//! - `Group`: the populations (age, severity) of indications;
//! - `ClinicalUseDefinition`: indications, contraindications, warnings and
//!   undesirable effects;
//! - `MedicationKnowledge`: dosing guidelines by patient characteristic, screening and
//!   monitoring programs;
//! - `Citation` for every source, and `Evidence` for every study and pivotal result,
//!   marked with the [`OFF_LABEL_EXTENSION`] (status per jurisdiction).
//!
//! Every resource built from pack facts cites its sources with [`SOURCE_EXTENSION`].
//! Ids are stable (derived from pack ids). See `docs/fhir.md`.

use offlabel_engine::patient::Patient;
use offlabel_model::{AuthorisationKind, FlagId, Jurisdiction, Level, PartialDate, Phase, Status};
use offlabel_pack::Pack;
use serde_json::{Map, Value, json};

/// Our code system: medicine and condition codes are pack ids; flags are `flag-{id}`.
pub const CODE_SYSTEM: &str = "https://offlabel.example/fhir/CodeSystem/offlabel";
/// Extension on `Evidence`: the regulatory status of the studied use, per jurisdiction.
pub const OFF_LABEL_EXTENSION: &str =
    "https://offlabel.example/fhir/StructureDefinition/off-label-evidence";
/// Extension on any resource: a `Reference(Citation)` to a source the facts rest on.
pub const SOURCE_EXTENSION: &str = "https://offlabel.example/fhir/StructureDefinition/source";
/// Default base for `fullUrl`s.
pub const DEFAULT_BASE: &str = "https://offlabel.example/fhir";

const ATC: &str = "http://www.whocc.no/atc";
const ISO3166: &str = "urn:iso:std:iso:3166";
const UCUM: &str = "http://unitsofmeasure.org";

/// A FHIR id from a pack id: `[A-Za-z0-9-.]`, at most 64 characters.
pub fn fhir_id(text: &str) -> String {
    let mut id: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if id.len() > 64 {
        let hash = text
            .bytes()
            .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
        id.truncate(55);
        id.push_str(&format!("-{hash:08x}"));
    }
    if id.is_empty() { "x".into() } else { id }
}

fn cc_text(text: &str) -> Value {
    json!({ "text": text })
}

fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({ "system": system, "code": code, "display": display })
}

fn reference(ty: &str, id: &str) -> Value {
    json!({ "reference": format!("{ty}/{}", fhir_id(id)) })
}

fn region(j: Jurisdiction) -> Value {
    let display = match j {
        Jurisdiction::Us => "United States",
        Jurisdiction::Eu => "European Union",
    };
    json!({ "coding": [coding(ISO3166, j.as_str(), display)] })
}

fn date(d: &PartialDate) -> String {
    d.to_string()
}

fn cite(pack: &Pack, sources: &[String]) -> Vec<Value> {
    sources
        .iter()
        .filter(|s| pack.source(s).is_some())
        .map(|s| json!({ "url": SOURCE_EXTENSION, "valueReference": reference("Citation", s) }))
        .collect()
}

fn with_sources(mut resource: Value, pack: &Pack, sources: &[String]) -> Value {
    let ext = cite(pack, sources);
    if let (Some(obj), false) = (resource.as_object_mut(), ext.is_empty()) {
        obj.insert("extension".into(), Value::Array(ext));
    }
    resource
}

/// The CodeableConcept of a pack condition: our code, then the codes pack data gives
/// it (its DOID, its own SNOMED CT or ICD-10-CM codes, and those the Disease Ontology
/// cross-references for that DOID), each with the condition's name as display.
fn condition_concept(pack: &Pack, id: &str) -> Value {
    let name = pack
        .condition(id)
        .map_or(id.to_string(), |c| c.name.clone());
    let mut codings = vec![coding(CODE_SYSTEM, id, &name)];
    for (system, code) in offlabel_engine::codes::condition_codings(pack, id) {
        codings.push(coding(system.uri, &code, &name));
    }
    json!({ "coding": codings, "text": name })
}

fn flag_concept(flag: FlagId) -> Value {
    let label = offlabel_engine::rules::flag_label(flag);
    json!({ "coding": [coding(CODE_SYSTEM, &format!("flag-{}", flag.as_str()), label)], "text": label })
}

fn medicines_of(pack: &Pack, list: &[String]) -> Vec<Value> {
    pack.medicines
        .iter()
        .filter(|m| pack.applies_to(list, &m.id))
        .map(|m| reference("MedicinalProductDefinition", &m.id))
        .collect()
}

/// Every resource of the export, in a stable order.
pub fn resources(pack: &Pack) -> Vec<Value> {
    let mut out = Vec::new();
    products(pack, &mut out);
    authorisations(pack, &mut out);
    clinical_use(pack, &mut out);
    knowledge(pack, &mut out);
    citations(pack, &mut out);
    evidence(pack, &mut out);
    out
}

/// The export as a `Bundle` of type `collection`; `base` prefixes the `fullUrl`s.
pub fn bundle(pack: &Pack, base: &str) -> Value {
    let base = base.trim_end_matches('/');
    let entries: Vec<Value> = resources(pack)
        .into_iter()
        .map(|r| {
            let ty = r.get("resourceType").and_then(Value::as_str).unwrap_or("");
            let id = r.get("id").and_then(Value::as_str).unwrap_or("");
            json!({ "fullUrl": format!("{base}/{ty}/{id}"), "resource": r })
        })
        .collect();
    json!({
        "resourceType": "Bundle",
        "id": fhir_id(&format!("{}-{}", pack.meta.id, pack.meta.version)),
        "meta": { "versionId": pack.meta.version },
        "identifier": { "system": CODE_SYSTEM, "value": format!("{}@{}", pack.meta.id, pack.meta.version) },
        "type": "collection",
        "entry": entries,
    })
}

/// A `searchset` Bundle of the resources of one type (all types with `None`).
pub fn searchset(pack: &Pack, base: &str, resource_type: Option<&str>) -> Value {
    let base = base.trim_end_matches('/');
    let entries: Vec<Value> = resources(pack)
        .into_iter()
        .filter(|r| resource_type.is_none_or(|t| r.get("resourceType").and_then(Value::as_str) == Some(t)))
        .map(|r| {
            let ty = r.get("resourceType").and_then(Value::as_str).unwrap_or("");
            let id = r.get("id").and_then(Value::as_str).unwrap_or("");
            json!({ "fullUrl": format!("{base}/{ty}/{id}"), "resource": r, "search": { "mode": "match" } })
        })
        .collect();
    json!({ "resourceType": "Bundle", "type": "searchset", "total": entries.len(), "entry": entries })
}

/// The resource types the export holds.
pub const RESOURCE_TYPES: [&str; 8] = [
    "MedicinalProductDefinition",
    "RegulatedAuthorization",
    "Group",
    "ClinicalUseDefinition",
    "MedicationKnowledge",
    "Citation",
    "Evidence",
    "Bundle",
];

fn products(pack: &Pack, out: &mut Vec<Value>) {
    let domain = json!({ "coding": [coding("http://hl7.org/fhir/medicinal-product-domain", "Human", "Human use")] });
    for m in &pack.medicines {
        let classification: Vec<Value> = m
            .atc
            .iter()
            .map(|a| json!({ "coding": [coding(ATC, a, &m.ingredient)] }))
            .collect();
        let mut r = json!({
            "resourceType": "MedicinalProductDefinition",
            "id": fhir_id(&m.id),
            "identifier": [{ "system": CODE_SYSTEM, "value": m.id }],
            "type": cc_text("Medicine (ingredient and route)"),
            "domain": domain,
            "description": m.mechanism,
            "route": [cc_text(m.route.as_str())],
            "ingredient": [cc_text(&m.ingredient)],
            "name": [{ "productName": m.name }],
        });
        if !classification.is_empty() {
            r["classification"] = Value::Array(classification);
        }
        out.push(with_sources(r, pack, &m.sources));
        for p in &m.products {
            let usage: Vec<Value> = p
                .jurisdictions
                .iter()
                .map(|j| json!({ "country": region(*j), "language": { "coding": [coding("urn:ietf:bcp:47", "en", "English")] } }))
                .collect();
            let strengths = if p.strengths.is_empty() {
                String::new()
            } else {
                format!(" {}", p.strengths.join(", "))
            };
            let mut name = json!({ "productName": format!("{}{strengths} {}", p.brand, p.form) });
            if !usage.is_empty() {
                name["usage"] = Value::Array(usage);
            }
            let mut r = json!({
                "resourceType": "MedicinalProductDefinition",
                "id": fhir_id(&format!("product-{}", p.brand.to_lowercase())),
                "identifier": [{ "system": CODE_SYSTEM, "value": format!("product-{}", p.brand.to_lowercase()) }],
                "type": cc_text("Branded product"),
                "domain": domain,
                "combinedPharmaceuticalDoseForm": cc_text(&p.form),
                "route": [cc_text(m.route.as_str())],
                "ingredient": [cc_text(&m.ingredient)],
                "name": [name],
                "crossReference": [{ "product": { "reference": reference("MedicinalProductDefinition", &m.id) }, "type": cc_text("brand of") }],
            });
            if !m.atc.is_empty() {
                r["classification"] = json!(
                    m.atc
                        .iter()
                        .map(|a| json!({ "coding": [coding(ATC, a, &m.ingredient)] }))
                        .collect::<Vec<_>>()
                );
            }
            out.push(with_sources(r, pack, &p.sources));
        }
    }
}

fn population_group(
    pack: &Pack,
    id: &str,
    p: &offlabel_model::Population,
    sources: &[String],
    out: &mut Vec<Value>,
) -> Option<Value> {
    let mut ch = Vec::new();
    if p.age_min.is_some() || p.age_max.is_some() {
        let mut range = Map::new();
        if let Some(a) = p.age_min {
            range.insert(
                "low".into(),
                json!({ "value": a, "unit": "a", "system": UCUM, "code": "a" }),
            );
        }
        if let Some(a) = p.age_max {
            range.insert(
                "high".into(),
                json!({ "value": a, "unit": "a", "system": UCUM, "code": "a" }),
            );
        }
        ch.push(json!({ "code": { "coding": [coding("http://loinc.org", "30525-0", "Age")] }, "valueRange": range, "exclude": false }));
    }
    for s in &p.severities {
        ch.push(json!({ "code": cc_text("disease severity"), "valueCodeableConcept": cc_text(s), "exclude": false }));
    }
    if let Some(site) = &p.body_site {
        ch.push(json!({ "code": cc_text("body site"), "valueCodeableConcept": cc_text(site), "exclude": false }));
    }
    if ch.is_empty() {
        return None;
    }
    let gid = fhir_id(&format!("population-{id}"));
    out.push(with_sources(
        json!({ "resourceType": "Group", "id": gid, "type": "person", "membership": "definitional", "characteristic": ch }),
        pack,
        sources,
    ));
    Some(json!({ "reference": format!("Group/{gid}") }))
}

fn authorisations(pack: &Pack, out: &mut Vec<Value>) {
    for a in pack
        .authorisations
        .iter()
        .filter(|a| a.kind == AuthorisationKind::Authorised)
    {
        let j = a.regulator.jurisdiction();
        let mut r = json!({
            "resourceType": "RegulatedAuthorization",
            "id": fhir_id(&a.id),
            "identifier": [{ "system": CODE_SYSTEM, "value": a.id }],
            "subject": [reference("MedicinalProductDefinition", &a.medicine)],
            "type": { "coding": [coding("http://hl7.org/fhir/regulated-authorization-type", "MarketingAuth", "Marketing Authorization")] },
            "region": [region(j)],
            "status": { "coding": [coding("http://hl7.org/fhir/publication-status", "active", "Active")] },
            "regulator": { "display": a.regulator.as_str() },
        });
        if let Some(c) = &a.condition {
            r["indication"] = json!([{ "concept": condition_concept(pack, c) }]);
        }
        if let Some(d) = &a.date {
            r["statusDate"] = json!(date(d));
        }
        if let Some(n) = &a.note {
            r["description"] = json!(n);
        }
        out.push(with_sources(r, pack, &a.sources));
    }
}

fn clinical_use(pack: &Pack, out: &mut Vec<Value>) {
    let active =
        json!({ "coding": [coding("http://hl7.org/fhir/publication-status", "active", "Active")] });
    for a in pack
        .authorisations
        .iter()
        .filter(|a| a.kind == AuthorisationKind::Authorised)
    {
        let Some(c) = &a.condition else { continue };
        let j = a.regulator.jurisdiction();
        let mut r = json!({
            "resourceType": "ClinicalUseDefinition",
            "id": fhir_id(&format!("indication-{}", a.id)),
            "type": "indication",
            "category": [cc_text(&format!("{} ({})", a.regulator.as_str(), j.as_str()))],
            "subject": [reference("MedicinalProductDefinition", &a.medicine)],
            "status": active,
            "indication": { "diseaseSymptomProcedure": { "concept": condition_concept(pack, c) } },
        });
        if let Some(g) = population_group(pack, &a.id, &a.population, &a.sources, out) {
            r["population"] = json!([g]);
        }
        out.push(with_sources(r, pack, &a.sources));
    }
    for p in pack.precautions.iter() {
        let subject = medicines_of(pack, &p.medicines);
        let category = match p.jurisdiction {
            Some(j) => format!("{} ({})", p.body, j.as_str()),
            None => p.body.clone(),
        };
        let mut r = if p.level == Level::Contraindicated {
            json!({
                "resourceType": "ClinicalUseDefinition",
                "id": fhir_id(&format!("contraindication-{}", p.id)),
                "type": "contraindication",
                "contraindication": { "diseaseSymptomProcedure": { "concept": flag_concept(p.flag) } },
            })
        } else {
            json!({
                "resourceType": "ClinicalUseDefinition",
                "id": fhir_id(&format!("warning-{}", p.id)),
                "type": "warning",
                "warning": { "description": p.advice, "code": { "coding": [coding(CODE_SYSTEM, &format!("level-{}", p.level.as_str()), p.level.as_str())] } },
            })
        };
        r["category"] = json!([cc_text(&category)]);
        r["subject"] = Value::Array(subject);
        r["status"] = active.clone();
        if p.age_min.is_some() || p.age_max.is_some() {
            let pop = offlabel_model::Population {
                age_min: p.age_min,
                age_max: p.age_max,
                ..Default::default()
            };
            if let Some(g) = population_group(pack, &p.id, &pop, &p.sources, out) {
                r["population"] = json!([g]);
            }
        }
        out.push(with_sources(r, pack, &p.sources));
    }
    for e in pack.adverse_effects.iter() {
        let mut ue = json!({
            "symptomConditionEffect": { "concept": cc_text(&e.term) },
            "classification": cc_text(&e.category),
        });
        if let Some(f) = &e.frequency {
            ue["frequencyOfOccurrence"] = cc_text(f);
        }
        let mut r = json!({
            "resourceType": "ClinicalUseDefinition",
            "id": fhir_id(&format!("undesirable-effect-{}", e.id)),
            "type": "undesirable-effect",
            "subject": medicines_of(pack, &e.medicines),
            "status": active,
            "undesirableEffect": ue,
        });
        if let Some(c) = &e.context {
            r["category"] = json!([cc_text(c)]);
        }
        out.push(with_sources(r, pack, &e.sources));
    }
}

fn knowledge(pack: &Pack, out: &mut Vec<Value>) {
    for m in &pack.medicines {
        let mut codings = vec![coding(CODE_SYSTEM, &m.id, &m.name)];
        codings.extend(m.atc.iter().map(|a| coding(ATC, a, &m.ingredient)));
        codings.extend(m.codes.iter().filter_map(|c| {
            offlabel_model::code_system(&c.system).map(|s| coding(s.uri, &c.code, &m.ingredient))
        }));
        let mut guidelines = Vec::new();
        let mut sources = m.sources.clone();
        for p in pack.posology_of(&m.id) {
            let Some(dose) = &p.dose else { continue };
            let mut dosage = json!({ "text": dose });
            if let (Some(per_day), Some(mg)) = (p.per_day, p.daily_mg) {
                dosage["timing"] =
                    json!({ "repeat": { "frequency": per_day, "period": 1, "periodUnit": "d" } });
                dosage["doseAndRate"] = json!([{ "doseQuantity": { "value": mg / f64::from(per_day.max(1)), "unit": "mg", "system": UCUM, "code": "mg" } }]);
            }
            let mut g = json!({ "dosingGuideline": [{ "dosage": [{ "type": cc_text("usual dose"), "dosage": [dosage] }] }] });
            if let Some(c) = &p.condition {
                g["indication"] = json!([{ "concept": condition_concept(pack, c) }]);
            }
            guidelines.push(g);
            sources.extend(p.sources.iter().cloned());
        }
        let adjustments: Vec<Value> = pack
            .dose_adjustments
            .iter()
            .filter(|d| d.medicine == m.id)
            .map(|d| {
                sources.extend(d.sources.iter().cloned());
                let mut chars = vec![json!({ "type": flag_concept(d.flag), "valueCodeableConcept": flag_concept(d.flag) })];
                if d.age_min.is_some() || d.age_max.is_some() {
                    let mut range = Map::new();
                    if let Some(a) = d.age_min {
                        range.insert("low".into(), json!({ "value": a, "unit": "a", "system": UCUM, "code": "a" }));
                    }
                    if let Some(a) = d.age_max {
                        range.insert("high".into(), json!({ "value": a, "unit": "a", "system": UCUM, "code": "a" }));
                    }
                    chars.push(json!({ "type": { "coding": [coding("http://loinc.org", "30525-0", "Age")] }, "valueRange": range }));
                }
                for grade in &d.renal {
                    chars.push(json!({ "type": cc_text("renal impairment grade"), "valueCodeableConcept": cc_text(grade) }));
                }
                let mut dosage = json!({ "text": d.adjusted_dose.clone().unwrap_or_else(|| d.advice.clone()), "patientInstruction": d.advice });
                if let Some(mg) = d.adjusted_daily_mg {
                    dosage["doseAndRate"] = json!([{ "doseQuantity": { "value": mg, "unit": "mg/d", "system": UCUM, "code": "mg/d" } }]);
                }
                json!({
                    "treatmentIntent": cc_text(&format!("dose adjustment ({}, {})", d.body, d.jurisdiction.as_str())),
                    "dosage": [{ "type": cc_text("adjusted dose"), "dosage": [dosage] }],
                    "patientCharacteristic": chars,
                })
            })
            .collect();
        if !adjustments.is_empty() {
            guidelines.push(json!({ "dosingGuideline": adjustments }));
        }
        let monitoring: Vec<Value> = pack
            .screening
            .iter()
            .filter(|s| s.routes.contains(&m.route))
            .map(|s| {
                sources.extend(s.sources.iter().cloned());
                let phase = match s.phase {
                    Phase::Before => "screening before treatment",
                    Phase::During => "monitoring during treatment",
                };
                let name = match &s.schedule {
                    Some(w) => format!("{} ({w}; {})", s.item, s.body),
                    None => format!("{} ({})", s.item, s.body),
                };
                json!({ "type": cc_text(phase), "name": name })
            })
            .collect();
        let issues: Vec<Value> = pack
            .precautions
            .iter()
            .filter(|p| pack.applies_to(&p.medicines, &m.id))
            .map(|p| {
                let prefix = if p.level == Level::Contraindicated {
                    "contraindication"
                } else {
                    "warning"
                };
                reference("ClinicalUseDefinition", &format!("{prefix}-{}", p.id))
            })
            .collect();
        let mut r = json!({
            "resourceType": "MedicationKnowledge",
            "id": fhir_id(&m.id),
            "code": { "coding": codings, "text": m.name },
            "status": "active",
            "name": [m.name],
        });
        let mut obj = r.as_object_mut().cloned().unwrap_or_default();
        let jurisdictions: Vec<Value> = m
            .authorisations_known
            .iter()
            .map(|g| region(g.jurisdiction()))
            .collect();
        if !jurisdictions.is_empty() {
            obj.insert("intendedJurisdiction".into(), Value::Array(jurisdictions));
        }
        if !guidelines.is_empty() {
            obj.insert("indicationGuideline".into(), Value::Array(guidelines));
        }
        if !monitoring.is_empty() {
            obj.insert("monitoringProgram".into(), Value::Array(monitoring));
        }
        if !issues.is_empty() {
            obj.insert("clinicalUseIssue".into(), Value::Array(issues));
        }
        r = Value::Object(obj);
        sources.sort();
        sources.dedup();
        out.push(with_sources(r, pack, &sources));
    }
}

fn citations(pack: &Pack, out: &mut Vec<Value>) {
    for s in pack.sources.iter() {
        let mut artifact = json!({ "title": [{ "text": s.title }] });
        let mut ids = Vec::new();
        if let Some(doc) = &s.document {
            ids.push(json!({ "system": CODE_SYSTEM, "value": doc }));
        }
        if let Some(url) = &s.url {
            if let Some(doi) = url.split("doi.org/").nth(1) {
                ids.push(json!({ "system": "https://doi.org", "value": doi }));
            }
            artifact["webLocation"] = json!([{ "url": url }]);
        }
        if !ids.is_empty() {
            artifact["identifier"] = Value::Array(ids);
        }
        if let Some(d) = &s.date {
            artifact["publicationForm"] = json!([{ "articleDate": date(d) }]);
        }
        let mut r = json!({
            "resourceType": "Citation",
            "id": fhir_id(&s.id),
            "identifier": [{ "system": CODE_SYSTEM, "value": s.id }],
            "title": s.title,
            "status": "active",
            "citedArtifact": artifact,
        });
        if let Some(p) = &s.publisher {
            r["publisher"] = json!(p);
        }
        out.push(r);
    }
}

fn status_extensions(pack: &Pack, medicine: &str, condition: &str) -> Vec<Value> {
    [Jurisdiction::Us, Jurisdiction::Eu]
        .into_iter()
        .map(|j| {
            let f =
                offlabel_engine::reason::status(pack, medicine, condition, &Patient::default(), j);
            json!({
                "url": OFF_LABEL_EXTENSION,
                "extension": [
                    { "url": "jurisdiction", "valueCode": j.as_str() },
                    { "url": "status", "valueCode": f.status.as_str() },
                    { "url": "reason", "valueString": f.reason },
                ],
            })
        })
        .collect()
}

fn role(code: &str) -> Value {
    json!({ "coding": [coding("http://terminology.hl7.org/CodeSystem/variable-role", code, code)] })
}

fn evidence(pack: &Pack, out: &mut Vec<Value>) {
    for s in pack.studies.iter() {
        let cond = pack
            .condition(&s.condition)
            .map_or(s.condition.clone(), |c| c.name.clone());
        let med = pack
            .medicine(&s.medicine)
            .map_or(s.medicine.clone(), |m| m.name.clone());
        let population = s
            .population
            .as_ref()
            .map_or(cond.clone(), |p| format!("{cond}: {p}"));
        let exposure = s
            .dose
            .as_ref()
            .map_or(med.clone(), |d| format!("{med}, {d}"));
        let mut vars = vec![
            json!({ "variableRole": role("population"), "observed": { "display": population } }),
            json!({ "variableRole": role("exposure"), "observed": { "display": exposure } }),
        ];
        if let Some(c) = &s.comparator {
            vars.push(
                json!({ "variableRole": role("referenceExposure"), "observed": { "display": c } }),
            );
        }
        if !s.measures.is_empty() {
            vars.push(json!({ "variableRole": role("measuredVariable"), "observed": { "display": s.measures.join("; ") } }));
        }
        let mut statistic = json!({ "description": s.outcome, "category": cc_text(&format!("direction: {}", s.direction)) });
        if let Some(n) = s.n {
            statistic["sampleSize"] = json!({ "numberOfParticipants": n });
        }
        let mut ext = status_extensions(pack, &s.medicine, &s.condition);
        ext.extend(cite(pack, &s.sources));
        let mut r = json!({
            "resourceType": "Evidence",
            "id": fhir_id(&s.id),
            "extension": ext,
            "identifier": [{ "system": CODE_SYSTEM, "value": s.id }],
            "title": format!("{med} in {cond} ({})", s.design.label()),
            "status": "active",
            "description": s.outcome,
            "studyDesign": [cc_text(s.design.label())],
            "variableDefinition": vars,
            "statistic": [statistic],
        });
        if let Some(first) = s.sources.iter().find(|x| pack.source(x).is_some()) {
            r["citeAsReference"] = reference("Citation", first);
        }
        if let Some(ae) = &s.adverse_events {
            r["note"] = json!([{ "text": format!("Adverse events: {ae}") }]);
        }
        out.push(r);
    }
    for e in pack.efficacy.iter() {
        let cond = pack
            .condition(&e.condition)
            .map_or(e.condition.clone(), |c| c.name.clone());
        let med = pack
            .medicine(&e.medicine)
            .map_or(e.medicine.clone(), |m| m.name.clone());
        let stats: Vec<Value> = e
            .arms
            .iter()
            .map(|a| {
                let mut s = json!({
                    "description": format!("{}: {}% reached {} at {}", a.label, a.percent, e.endpoint, e.timepoint),
                    "statisticType": cc_text("Proportion"),
                    "category": cc_text(&a.label),
                    "quantity": { "value": a.percent, "unit": "%", "system": UCUM, "code": "%" },
                });
                if let Some(n) = e.n {
                    s["sampleSize"] = json!({ "numberOfParticipants": n });
                    if let Some(k) = e.studies {
                        s["sampleSize"]["numberOfStudies"] = json!(k);
                    }
                }
                s
            })
            .collect();
        let mut ext = status_extensions(pack, &e.medicine, &e.condition);
        ext.extend(cite(pack, &e.sources));
        let mut r = json!({
            "resourceType": "Evidence",
            "id": fhir_id(&format!("efficacy-{}", e.id)),
            "extension": ext,
            "title": format!("{med} in {cond}: {} at {}", e.endpoint, e.timepoint),
            "status": "active",
            "description": format!("{}: {}", e.endpoint, e.endpoint_meaning),
            "variableDefinition": [
                { "variableRole": role("population"), "observed": { "display": cond } },
                { "variableRole": role("exposure"), "observed": { "display": med } },
                { "variableRole": role("measuredVariable"), "observed": { "display": format!("{} at {}", e.endpoint, e.timepoint) } },
            ],
        });
        if !stats.is_empty() {
            r["statistic"] = Value::Array(stats);
        }
        if let Some(first) = e.sources.iter().find(|x| pack.source(x).is_some()) {
            r["citeAsReference"] = reference("Citation", first);
        }
        out.push(r);
    }
}

/// Whether a status is one our off-label extension calls out.
pub fn is_off_label(status: Status) -> bool {
    matches!(status, Status::OffLabel | Status::NotAuthorized)
}

/// A minimal R5 `CapabilityStatement` for `GET /fhir/metadata`.
pub fn capability_statement(pack: &Pack, base: &str) -> Value {
    let types: Vec<Value> = RESOURCE_TYPES
        .iter()
        .filter(|t| **t != "Bundle")
        .map(|t| json!({ "type": t, "interaction": [{ "code": "read" }, { "code": "search-type" }] }))
        .collect();
    let as_of = pack.meta.as_of.to_string();
    json!({
        "resourceType": "CapabilityStatement",
        "id": "offlabel",
        "status": "active",
        "date": as_of,
        "kind": "instance",
        "software": { "name": "offlabel", "version": pack.meta.version },
        "implementation": { "description": "offlabel knowledge pack (read-only)", "url": base },
        "fhirVersion": "5.0.0",
        "format": ["json"],
        "rest": [{ "mode": "server", "resource": types }],
    })
}

/// Finds one resource by type and id.
pub fn read(pack: &Pack, resource_type: &str, id: &str) -> Option<Value> {
    resources(pack).into_iter().find(|r| {
        r.get("resourceType").and_then(Value::as_str) == Some(resource_type)
            && r.get("id").and_then(Value::as_str) == Some(id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn pack() -> Pack {
        offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn ids_are_unique_and_valid_and_references_resolve() {
        let p = pack();
        let all = resources(&p);
        let mut keys = HashSet::new();
        for r in &all {
            let ty = r["resourceType"].as_str().unwrap_or_default();
            let id = r["id"].as_str().unwrap_or_default();
            assert!(
                !id.is_empty()
                    && id.len() <= 64
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'),
                "{id}"
            );
            assert!(keys.insert(format!("{ty}/{id}")), "duplicate {ty}/{id}");
        }
        let text = serde_json::to_string(&all).unwrap_or_default();
        for part in text.split("\"reference\":\"").skip(1) {
            let target = part.split('"').next().unwrap_or_default();
            assert!(keys.contains(target), "unresolved reference {target}");
        }
    }

    #[test]
    fn atc_codes_and_off_label_extension() {
        let p = pack();
        let opz = read(&p, "MedicinalProductDefinition", "ruxolitinib-topical").unwrap_or_default();
        assert!(opz.to_string().contains("D11AH09"));
        let bari = read(&p, "MedicationKnowledge", "baricitinib").unwrap_or_default();
        assert!(bari.to_string().contains("L04AF02"));
        assert!(bari.to_string().contains("dosingGuideline"));
        let all = resources(&p);
        assert!(all.iter().any(|r| r["resourceType"] == "Evidence"
            && r.to_string().contains("\"valueCode\":\"off_label\"")));
        assert!(all.iter().any(|r| r["type"] == "undesirable-effect"));
        assert!(all.iter().any(|r| r["type"] == "contraindication"));
    }

    #[test]
    fn no_empty_values() {
        fn walk(v: &Value, path: &str) {
            match v {
                Value::Null => panic!("null at {path}"),
                Value::String(s) => assert!(!s.is_empty(), "empty string at {path}"),
                Value::Array(a) => {
                    assert!(!a.is_empty(), "empty array at {path}");
                    a.iter().for_each(|x| walk(x, path));
                }
                Value::Object(o) => {
                    assert!(!o.is_empty(), "empty object at {path}");
                    o.iter().for_each(|(k, x)| walk(x, &format!("{path}.{k}")));
                }
                _ => {}
            }
        }
        walk(&bundle(&pack(), DEFAULT_BASE), "Bundle");
    }
}
