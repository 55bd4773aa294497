//! Reading FHIR R4 and R5 JSON from a hook request: orders, patient, conditions,
//! observations. Tolerant: anything missing or malformed is simply not known.

use offlabel_engine::Engine;
use offlabel_engine::patient::Patient;
use serde_json::{Map, Value};

/// LOINC: pregnancy status.
pub const LOINC_PREGNANCY_STATUS: &str = "82810-3";
/// LOINC: breastfeeding status.
pub const LOINC_BREASTFEEDING_STATUS: &str = "63895-7";

/// A civil date (year, month, day), for ages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1-12.
    pub month: u32,
    /// Day, 1-31.
    pub day: u32,
}

impl Date {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (a FHIR `date`); missing parts count as 1.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.get(..10.min(text.len()))?.split('-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next().map_or(Some(1), |m| m.parse().ok())?;
        let day = parts.next().map_or(Some(1), |d| d.parse().ok())?;
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Date { year, month, day })
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days((secs / 86_400) as i64)
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's civil_from_days).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Whole years from `birth` to `self`, if not negative.
    pub fn years_since(self, birth: Date) -> Option<u32> {
        let mut years = self.year - birth.year;
        if (self.month, self.day) < (birth.month, birth.day) {
            years -= 1;
        }
        u32::try_from(years).ok()
    }
}

/// A medication order read from `draftOrders`.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// `MedicationRequest/{id}`, when the order has an id.
    pub reference: Option<String>,
    /// The whole resource, for update suggestions.
    pub resource: Value,
    /// Codes as (system, code).
    pub codes: Vec<(String, String)>,
    /// Texts and displays naming the medication.
    pub texts: Vec<String>,
    /// Texts and displays of the reasons, and the condition references.
    pub reason_texts: Vec<String>,
    /// Codes of the reasons.
    pub reason_codes: Vec<(String, String)>,
    /// `Condition/...` references given as reasons.
    pub reason_refs: Vec<String>,
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Texts and codes of a CodeableConcept.
pub fn concept(cc: &Value, texts: &mut Vec<String>, codes: &mut Vec<(String, String)>) {
    if let Some(t) = str_of(cc, "text") {
        texts.push(t.to_string());
    }
    for c in array(cc, "coding") {
        if let Some(d) = str_of(c, "display") {
            texts.push(d.to_string());
        }
        if let Some(code) = str_of(c, "code") {
            codes.push((
                str_of(c, "system").unwrap_or("").to_string(),
                code.to_string(),
            ));
        }
    }
}

/// Every resource in a value: the resource itself, or a Bundle's entries.
pub fn resources(v: &Value) -> Vec<&Value> {
    match str_of(v, "resourceType") {
        Some("Bundle") => array(v, "entry")
            .iter()
            .filter_map(|e| e.get("resource"))
            .collect(),
        Some(_) => vec![v],
        None => Vec::new(),
    }
}

fn find_by_reference<'a>(pool: &[&'a Value], reference: &str) -> Option<&'a Value> {
    let reference = reference.trim_start_matches('#');
    pool.iter().copied().find(|r| {
        let ty = str_of(r, "resourceType").unwrap_or("");
        let id = str_of(r, "id").unwrap_or("");
        !id.is_empty()
            && (reference == id
                || reference == format!("{ty}/{id}")
                || reference.ends_with(&format!("/{ty}/{id}")))
    })
}

/// Reads the medication orders of a `draftOrders` Bundle; with `selections`, only those.
pub fn orders(draft: &Value, selections: Option<&[Value]>) -> Vec<Order> {
    let all = resources(draft);
    let mut out = Vec::new();
    for r in all.iter().copied() {
        if str_of(r, "resourceType") != Some("MedicationRequest") {
            continue;
        }
        let reference = str_of(r, "id").map(|id| format!("MedicationRequest/{id}"));
        if let Some(sel) = selections {
            let chosen = sel.iter().filter_map(Value::as_str).any(|s| {
                reference
                    .as_deref()
                    .is_some_and(|r| s == r || s.ends_with(&format!("/{r}")))
            });
            if !chosen {
                continue;
            }
        }
        let mut texts = Vec::new();
        let mut codes = Vec::new();
        // R4: medicationCodeableConcept / medicationReference; R5: medication.concept / .reference.
        let mut med_refs = Vec::new();
        if let Some(cc) = r.get("medicationCodeableConcept") {
            concept(cc, &mut texts, &mut codes);
        }
        if let Some(m) = r.get("medication") {
            if let Some(cc) = m.get("concept") {
                concept(cc, &mut texts, &mut codes);
            }
            if let Some(rf) = m.get("reference") {
                med_refs.push(rf);
            }
        }
        if let Some(rf) = r.get("medicationReference") {
            med_refs.push(rf);
        }
        let contained: Vec<&Value> = array(r, "contained").iter().collect();
        for rf in med_refs {
            if let Some(d) = str_of(rf, "display") {
                texts.push(d.to_string());
            }
            let Some(target) = str_of(rf, "reference") else {
                continue;
            };
            let med =
                find_by_reference(&contained, target).or_else(|| find_by_reference(&all, target));
            if let Some(code) = med.and_then(|m| m.get("code")) {
                concept(code, &mut texts, &mut codes);
            }
        }
        let mut reason_texts = Vec::new();
        let mut reason_codes = Vec::new();
        let mut reason_refs = Vec::new();
        // R4: reasonCode[] (CodeableConcept), reasonReference[] (Reference).
        for cc in array(r, "reasonCode") {
            concept(cc, &mut reason_texts, &mut reason_codes);
        }
        for rf in array(r, "reasonReference") {
            reason_ref(rf, &mut reason_texts, &mut reason_refs);
        }
        // R5: reason[] (CodeableReference).
        for cr in array(r, "reason") {
            if let Some(cc) = cr.get("concept") {
                concept(cc, &mut reason_texts, &mut reason_codes);
            }
            if let Some(rf) = cr.get("reference") {
                reason_ref(rf, &mut reason_texts, &mut reason_refs);
            }
        }
        out.push(Order {
            reference,
            resource: r.clone(),
            codes,
            texts,
            reason_texts,
            reason_codes,
            reason_refs,
        });
    }
    out
}

fn reason_ref(rf: &Value, texts: &mut Vec<String>, refs: &mut Vec<String>) {
    if let Some(d) = str_of(rf, "display") {
        texts.push(d.to_string());
    }
    if let Some(t) = str_of(rf, "reference") {
        refs.push(t.to_string());
    }
}

/// What the prefetch told us about the patient.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatientData {
    /// The profile for the engine.
    pub patient: Patient,
    /// The patient's active conditions.
    pub conditions: Vec<ActiveCondition>,
}

/// One active `Condition` resource from the prefetch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActiveCondition {
    /// Its display texts (`code.text`, `coding.display`).
    pub texts: Vec<String>,
    /// Its codings as (system, code).
    pub codes: Vec<(String, String)>,
    /// `Condition/{id}` when the resource has an id, for matching `reasonReference`.
    pub reference: Option<String>,
}

fn is_active_condition(c: &Value) -> bool {
    let status_is = |key: &str, bad: &[&str]| {
        c.get(key)
            .map(|cc| {
                let mut t = Vec::new();
                let mut k = Vec::new();
                concept(cc, &mut t, &mut k);
                !k.iter().any(|(_, code)| bad.contains(&code.as_str()))
            })
            .unwrap_or(true)
    };
    status_is("clinicalStatus", &["inactive", "resolved", "remission"])
        && status_is("verificationStatus", &["refuted", "entered-in-error"])
}

fn text_says_yes(
    texts: &[String],
    codes: &[(String, String)],
    yes_codes: &[&str],
    no_codes: &[&str],
    word: &str,
) -> Option<bool> {
    if codes.iter().any(|(_, c)| no_codes.contains(&c.as_str())) {
        return Some(false);
    }
    if codes.iter().any(|(_, c)| yes_codes.contains(&c.as_str())) {
        return Some(true);
    }
    for t in texts {
        let t = t.to_lowercase();
        if t.contains("not ")
            || t.starts_with("no")
            || t.contains("unknown")
            || t.contains("negative")
        {
            return Some(false);
        }
        if t.contains(word) || t == "yes" || t == "positive" {
            return Some(true);
        }
    }
    None
}

/// Reads Patient, Condition and Observation resources from every prefetch value.
pub fn patient_data(engine: &Engine, prefetch: &Map<String, Value>, today: Date) -> PatientData {
    let mut data = PatientData::default();
    let mut pregnancy: Option<(String, bool)> = None;
    let mut breastfeeding: Option<(String, bool)> = None;
    for value in prefetch.values() {
        for r in resources(value) {
            match str_of(r, "resourceType") {
                Some("Patient") => {
                    if let Some(birth) = str_of(r, "birthDate").and_then(Date::parse) {
                        data.patient.age = today.years_since(birth);
                    }
                }
                Some("Condition") if is_active_condition(r) => {
                    let mut texts = Vec::new();
                    let mut codes = Vec::new();
                    if let Some(cc) = r.get("code") {
                        concept(cc, &mut texts, &mut codes);
                    }
                    // Findings the question parser knows (pregnancy, kidney disease,
                    // smoking, thrombosis...) are read from the condition's names.
                    for t in &texts {
                        merge(
                            &mut data.patient,
                            &engine.understand(&format!("patient with {t}")).patient,
                        );
                    }
                    if codes.iter().any(|(_, c)| c == "77386006") {
                        data.patient.pregnant = true;
                    }
                    let reference = str_of(r, "id").map(|id| format!("Condition/{id}"));
                    data.conditions.push(ActiveCondition {
                        texts,
                        codes,
                        reference,
                    });
                }
                Some("Observation") => {
                    if matches!(str_of(r, "status"), Some("entered-in-error" | "cancelled")) {
                        continue;
                    }
                    let mut t = Vec::new();
                    let mut codes = Vec::new();
                    if let Some(cc) = r.get("code") {
                        concept(cc, &mut t, &mut codes);
                    }
                    let when = str_of(r, "effectiveDateTime")
                        .or_else(|| str_of(r, "issued"))
                        .unwrap_or("")
                        .to_string();
                    let mut vt = Vec::new();
                    let mut vc = Vec::new();
                    if let Some(cc) = r.get("valueCodeableConcept") {
                        concept(cc, &mut vt, &mut vc);
                    }
                    if let Some(b) = r.get("valueBoolean").and_then(Value::as_bool) {
                        vt.push(if b { "yes".into() } else { "no".into() });
                    }
                    if let Some(s) = str_of(r, "valueString") {
                        vt.push(s.to_string());
                    }
                    let is = |code: &str| codes.iter().any(|(_, c)| c == code);
                    if is(LOINC_PREGNANCY_STATUS) {
                        // LOINC answers LA15173-0 pregnant, LA26683-5 not pregnant; SNOMED 77386006 / 60001007.
                        if let Some(yes) = text_says_yes(
                            &vt,
                            &vc,
                            &["LA15173-0", "77386006"],
                            &["LA26683-5", "60001007", "LA4489-6"],
                            "pregnan",
                        ) && pregnancy.as_ref().is_none_or(|(w, _)| when >= *w)
                        {
                            pregnancy = Some((when, yes));
                        }
                    } else if is(LOINC_BREASTFEEDING_STATUS)
                        && let Some(yes) =
                            text_says_yes(&vt, &vc, &["LA33-6", "169750002"], &["LA32-8"], "breast")
                        && breastfeeding.as_ref().is_none_or(|(w, _)| when >= *w)
                    {
                        breastfeeding = Some((when, yes));
                    }
                }
                _ => {}
            }
        }
    }
    if let Some((_, yes)) = pregnancy {
        data.patient.pregnant = yes;
    }
    if let Some((_, yes)) = breastfeeding {
        data.patient.breastfeeding = yes;
    }
    data
}

fn merge(into: &mut Patient, from: &Patient) {
    into.pregnant |= from.pregnant;
    into.breastfeeding |= from.breastfeeding;
    into.allergy |= from.allergy;
    into.immunosuppressed |= from.immunosuppressed;
    into.smoker |= from.smoker;
    into.vte_history |= from.vte_history;
    into.cardiovascular_history |= from.cardiovascular_history;
    into.cancer_history |= from.cancer_history;
    into.recurrent_infections |= from.recurrent_infections;
    if into.renal.is_none() {
        into.renal = from.renal;
    }
}

/// The first dose quantity of an order: (value, unit, index path present).
pub fn dose_quantity(order: &Value) -> Option<(f64, String)> {
    let dq = order
        .get("dosageInstruction")?
        .get(0)?
        .get("doseAndRate")?
        .get(0)?
        .get("doseQuantity")?;
    let value = dq.get("value")?.as_f64()?;
    let unit = str_of(dq, "unit")
        .or_else(|| str_of(dq, "code"))
        .unwrap_or("mg");
    Some((value, unit.to_string()))
}

/// Doses per day from the first dosage's timing (`frequency` per `period` `periodUnit`), if stated.
pub fn doses_per_day(order: &Value) -> Option<f64> {
    let rep = order
        .get("dosageInstruction")?
        .get(0)?
        .get("timing")?
        .get("repeat")?;
    let frequency = rep.get("frequency").and_then(Value::as_f64).unwrap_or(1.0);
    let period = rep.get("period").and_then(Value::as_f64).unwrap_or(1.0);
    let per_day = match str_of(rep, "periodUnit")? {
        "d" => frequency / period,
        "h" => frequency * 24.0 / period,
        "wk" => frequency / (7.0 * period),
        _ => return None,
    };
    (per_day > 0.0).then_some(per_day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_ages() {
        assert_eq!(
            Date::from_days(0),
            Date {
                year: 1970,
                month: 1,
                day: 1
            }
        );
        assert_eq!(
            Date::from_days(19_723),
            Date {
                year: 2024,
                month: 1,
                day: 1
            }
        );
        let today = Date {
            year: 2026,
            month: 5,
            day: 1,
        };
        assert_eq!(
            today.years_since(Date::parse("1946-05-02").unwrap_or(today)),
            Some(79)
        );
        assert_eq!(
            today.years_since(Date::parse("1946-05-01").unwrap_or(today)),
            Some(80)
        );
        assert_eq!(Date::parse("garbage"), None);
        assert_eq!(
            today.years_since(Date {
                year: 2030,
                month: 1,
                day: 1
            }),
            None
        );
    }
}
