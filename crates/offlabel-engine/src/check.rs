//! The structured patient check (`offlabel check`, `POST /v1/check`).

use crate::Engine;
use crate::codes::{CodeReading, Coding};
use crate::patient::Patient;
use crate::reason;
use crate::rules::{DoseAdvice, Flag, PlanItem, check_patient};
use offlabel_model::{Jurisdiction, Status};
use offlabel_pack::Pack;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A patient check request: a medicine, optionally a condition and region, and the patient.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// Medicine: a pack id, brand or generic name.
    pub drug: String,
    /// Condition: a pack id, any name the pack knows, or a code (`L63.9`, `DOID:986`).
    #[serde(default)]
    pub condition: Option<String>,
    /// The condition as a coded FHIR `Coding` (ICD-10-CM, SNOMED CT, DOID), when
    /// `condition` is absent.
    #[serde(default)]
    pub condition_code: Option<Coding>,
    /// The patient's other conditions, coded: each sets the history flags of its
    /// Disease Ontology subtree (any cancer: `malignancy_history`, ...).
    #[serde(default)]
    pub conditions: Vec<Coding>,
    /// `US`, `EU`, or absent for both.
    #[serde(default)]
    pub region: Option<String>,
    /// The patient.
    #[serde(default, flatten)]
    pub patient: Patient,
}

/// A bad request: which field, what was wrong, what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem} (accepted: {accepted})")]
pub struct CheckError {
    /// The field.
    pub field: String,
    /// What is wrong.
    pub problem: String,
    /// What is accepted.
    pub accepted: String,
}

/// The result of a patient check.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckReport {
    /// The medicine.
    pub drug: crate::answer::Named,
    /// The condition, when given.
    pub condition: Option<crate::answer::Named>,
    /// Status per jurisdiction, when a condition is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<BTreeMap<String, Status>>,
    /// Why each status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reasons: Option<BTreeMap<String, String>>,
    /// Flags, strongest first.
    pub flags: Vec<Flag>,
    /// Dose changes that apply.
    pub dose_adjustments: Vec<DoseAdvice>,
    /// Before treatment.
    pub screening: Vec<PlanItem>,
    /// During treatment.
    pub monitoring: Vec<PlanItem>,
    /// The patient as read (with the history flags coded conditions set).
    pub patient: Patient,
    /// What each coded condition of the request was read as.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<CodeReading>,
    /// What the check could not take into account, or took only in part (a code not
    /// in the pack's vocabulary, a condition outside the curated pack).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

fn err(field: &str, problem: impl Into<String>, accepted: impl Into<String>) -> CheckError {
    CheckError {
        field: field.into(),
        problem: problem.into(),
        accepted: accepted.into(),
    }
}

/// Validates a patient's numbers.
pub fn validate_patient(p: &Patient) -> Result<(), CheckError> {
    if p.age.is_some_and(|a| a > 130) {
        return Err(err(
            "age",
            format!("{} is out of range", p.age.unwrap_or_default()),
            "whole years from 0 to 130",
        ));
    }
    if let Some(b) = p.bsa
        && (!(0.0..=100.0).contains(&b) || b.is_nan())
    {
        return Err(err(
            "bsa",
            format!("{b} is out of range"),
            "a percentage from 0 to 100",
        ));
    }
    Ok(())
}

/// What to write instead of an unknown medicine: a few of the pack's ids and brands
/// (bounded, whatever the pack's size).
fn medicine_hint(pack: &Pack) -> String {
    const SHOWN: usize = 8;
    let ids: Vec<&str> = pack
        .medicines
        .iter()
        .map(|m| m.id.as_str())
        .take(SHOWN)
        .collect();
    let brands: Vec<&str> = pack
        .medicines
        .iter()
        .filter_map(|m| m.products.first())
        .map(|p| p.brand.as_str())
        .take(SHOWN / 2)
        .collect();
    let more = if pack.medicines.len() > SHOWN {
        ", …"
    } else {
        ""
    };
    format!(
        "a pack medicine id ({}{more}; `offlabel drugs` lists them), or a brand name such as {}",
        ids.join(", "),
        brands.join(", ")
    )
}

pub(crate) fn run(engine: &Engine, req: &CheckRequest) -> Result<CheckReport, CheckError> {
    let pack = engine.pack();
    validate_patient(&req.patient)?;
    let drug = resolve_medicine(engine, &req.drug).ok_or_else(|| {
        err(
            "drug",
            format!("{:?} is not a medicine in the pack", req.drug),
            medicine_hint(pack),
        )
    })?;
    let mut codes = Vec::new();
    let mut notes = Vec::new();
    let condition = match (&req.condition, &req.condition_code) {
        (Some(c), _) if !c.trim().is_empty() => Some(resolve_condition(engine, c).ok_or_else(|| err("condition", format!("{c:?} is not a condition in the pack"), "a condition id, name or code, e.g. atopic-dermatitis, vitiligo, alopecia areata, L63.9 (see `offlabel conditions`)"))?),
        (_, Some(coding)) => {
            let reading = engine.condition_by_code(&coding.system, &coding.code);
            notes.extend(reading.note());
            let id = reading.condition.clone();
            codes.push(reading);
            id
        }
        _ => None,
    };
    let mut patient = req.patient.clone();
    for coding in &req.conditions {
        let reading = engine.condition_by_code(&coding.system, &coding.code);
        if !reading.known() {
            notes.extend(reading.note());
        }
        if let Some((vocabulary, _)) = engine.vocabulary.get() {
            for doid in &reading.doids {
                for flag in crate::history_flags::flags_of(vocabulary, doid) {
                    crate::history_flags::set(&mut patient, flag);
                }
            }
        }
        codes.push(reading);
    }
    let regions: Vec<Jurisdiction> = match req.region.as_deref().map(str::trim) {
        None | Some("") => vec![Jurisdiction::Us, Jurisdiction::Eu],
        Some(r) => match r.to_ascii_uppercase().as_str() {
            "US" | "USA" | "FDA" => vec![Jurisdiction::Us],
            "EU" | "EMA" | "EUROPE" => vec![Jurisdiction::Eu],
            _ => {
                return Err(err(
                    "region",
                    format!("{r:?} is not a region the pack knows"),
                    "US, EU (or leave it out for both)",
                ));
            }
        },
    };
    let findings = check_patient(pack, Some(&drug), &patient, true);
    let (status, status_reasons) = match &condition {
        Some(c) => {
            let mut s = BTreeMap::new();
            let mut r = BTreeMap::new();
            for j in &regions {
                let f = reason::status(pack, &drug, c, &patient, *j);
                s.insert(j.as_str().to_string(), f.status);
                r.insert(j.as_str().to_string(), f.reason);
            }
            (Some(s), Some(r))
        }
        None => (None, None),
    };
    let named = |id: &str| {
        pack.medicine(id).map(|m| crate::answer::Named {
            id: m.id.clone(),
            name: m.name.clone(),
        })
    };
    Ok(CheckReport {
        drug: named(&drug).ok_or_else(|| err("drug", "not found", "a pack medicine"))?,
        condition: condition
            .as_deref()
            .and_then(|c| pack.condition(c))
            .map(|c| crate::answer::Named {
                id: c.id.clone(),
                name: c.name.clone(),
            }),
        status,
        status_reasons,
        flags: findings.flags,
        dose_adjustments: findings.dose_adjustments,
        screening: findings.screening,
        monitoring: findings.monitoring,
        patient,
        codes,
        notes,
    })
}

/// Resolves a medicine from an id, brand or name (same recogniser as `ask`).
pub fn resolve_medicine(engine: &Engine, text: &str) -> Option<String> {
    let pack = engine.pack();
    if pack.medicine(text.trim()).is_some() {
        return Some(text.trim().to_string());
    }
    engine.understand(text).medicine
}

/// Resolves a condition from an id, any name, or a code whose system its shape tells
/// (`DOID:986`, `L63.9`).
pub fn resolve_condition(engine: &Engine, text: &str) -> Option<String> {
    let pack = engine.pack();
    if pack.condition(text.trim()).is_some() {
        return Some(text.trim().to_string());
    }
    engine
        .understand(text)
        .condition
        .or_else(|| engine.condition_by_code("", text).condition)
}

#[cfg(test)]
mod tests {
    use super::*;
    use offlabel_model::FlagId;

    fn coding(system: &str, code: &str) -> Coding {
        Coding {
            system: system.into(),
            code: code.into(),
            display: None,
        }
    }

    #[test]
    fn coded_conditions_set_history_flags_and_unknown_codes_are_said() {
        let e = Engine::new(offlabel_embedded::pack().expect("embedded pack"));
        let icd = "http://hl7.org/fhir/sid/icd-10-cm";
        let req = CheckRequest {
            drug: "baricitinib".into(),
            condition_code: Some(coding(icd, "L63.9")),
            conditions: vec![
                coding(icd, "C18.9"),
                coding("http://snomed.info/sct", "999999999999"),
            ],
            ..CheckRequest::default()
        };
        let r = e.check(&req).expect("a valid request");
        assert_eq!(
            r.condition.as_ref().map(|c| c.id.as_str()),
            Some("alopecia-areata")
        );
        assert!(r.patient.cancer_history);
        assert!(r.flags.iter().any(|f| f.id == FlagId::MalignancyHistory));
        assert_eq!(r.codes.len(), 3);
        assert_eq!(r.notes.len(), 1, "{:?}", r.notes);
        assert!(r.notes[0].starts_with("code 999999999999 (SNOMED CT) is not in"));
        // A code as the condition's text.
        let by_text = CheckRequest {
            drug: "baricitinib".into(),
            condition: Some("L63.9".into()),
            ..CheckRequest::default()
        };
        let r = e.check(&by_text).expect("a valid request");
        assert_eq!(
            r.condition.map(|c| c.id),
            Some("alopecia-areata".to_string())
        );
    }
}
