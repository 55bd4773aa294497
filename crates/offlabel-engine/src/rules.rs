//! The patient check: contraindications, precautions, risk groups, topical limits,
//! dose adjustments, screening and monitoring for one medicine and one patient.
//!
//! `ask` and `check` both call [`check_patient`]; the question parser only fills the
//! [`Patient`].

use crate::patient::{Patient, RenalGrade};
use offlabel_model::{FlagId, Level, Phase, Route};
use offlabel_pack::Pack;
use schemars::JsonSchema;
use serde::Serialize;

/// One patient-specific finding.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Flag {
    /// Contract FLAG_ID.
    pub id: FlagId,
    /// Contract LEVEL.
    pub level: Level,
    /// What it means for this patient, in a sentence.
    pub text: String,
    /// The pack rule that fired.
    pub rule: String,
    /// The body that issued it.
    pub body: String,
    /// Jurisdiction of the rule, where it has one.
    pub jurisdiction: Option<String>,
    /// Sources.
    pub sources: Vec<String>,
}

/// A dose change that applies to this patient.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DoseAdvice {
    /// The pack rule.
    pub rule: String,
    /// The finding that triggers it.
    pub flag: FlagId,
    /// Usual dose.
    pub usual_dose: String,
    /// Adjusted dose, where the label gives one.
    pub adjusted_dose: Option<String>,
    /// Adjusted daily mg.
    pub adjusted_daily_mg: Option<f64>,
    /// The advice.
    pub advice: String,
    /// Issuing body.
    pub body: String,
    /// Jurisdiction.
    pub jurisdiction: String,
    /// Sources.
    pub sources: Vec<String>,
}

/// A screening or monitoring item.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PlanItem {
    /// The pack record.
    pub id: String,
    /// What to do.
    pub item: String,
    /// When (monitoring).
    pub schedule: Option<String>,
    /// Issuing body.
    pub body: String,
    /// Sources.
    pub sources: Vec<String>,
}

/// Everything the patient check finds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PatientFindings {
    /// Flags, strongest first.
    pub flags: Vec<Flag>,
    /// Dose changes.
    pub dose_adjustments: Vec<DoseAdvice>,
    /// Before treatment.
    pub screening: Vec<PlanItem>,
    /// During treatment.
    pub monitoring: Vec<PlanItem>,
}

/// Applies every rule of the pack for `medicine` (or, with `None`, the oral JAK
/// inhibitor class) to `patient`. With `plan`, also lists screening and monitoring.
pub fn check_patient(
    pack: &Pack,
    medicine: Option<&str>,
    patient: &Patient,
    plan: bool,
) -> PatientFindings {
    let mut out = PatientFindings::default();
    let route = medicine
        .and_then(|m| pack.medicine(m))
        .map_or(Route::Oral, |m| m.route);
    if let Some(medicine) = medicine {
        let bsa_limit = pack
            .posology
            .iter()
            .filter(|p| p.medicine == medicine)
            .filter_map(|p| p.max_bsa_percent)
            .fold(None, |acc: Option<f64>, v| {
                Some(acc.map_or(v, |a| a.min(v)))
            });
        for rule in pack
            .precautions
            .iter()
            .filter(|p| pack.applies_to(&p.medicines, medicine))
        {
            if !patient.has(rule.flag) {
                continue;
            }
            if (rule.age_min.is_some() || rule.age_max.is_some())
                && !patient.age_within(rule.age_min, rule.age_max)
            {
                continue;
            }
            let mut text = rule.advice.clone();
            if rule.flag == FlagId::BsaOverLimit {
                match (patient.bsa, bsa_limit) {
                    (Some(bsa), Some(limit)) if bsa > limit => {
                        text = format!(
                            "{bsa}% of the body surface is above the {limit}% per-application limit. {text}"
                        );
                    }
                    _ => continue,
                }
            }
            out.flags.push(Flag {
                id: rule.flag,
                level: rule.level,
                text: attribution(&rule.body, rule.jurisdiction.map(|j| j.as_str()), &text),
                rule: rule.id.clone(),
                body: rule.body.clone(),
                jurisdiction: rule.jurisdiction.map(|j| j.as_str().to_string()),
                sources: rule.sources.clone(),
            });
        }
        for d in pack
            .dose_adjustments
            .iter()
            .filter(|d| d.medicine == medicine)
        {
            if !patient.has(d.flag) {
                continue;
            }
            if (d.age_min.is_some() || d.age_max.is_some())
                && !patient.age_within(d.age_min, d.age_max)
            {
                continue;
            }
            if !d.renal.is_empty() {
                match patient.renal {
                    Some(RenalGrade::Unspecified) => {}
                    Some(grade) if d.renal.iter().any(|r| r == grade.as_str()) => {}
                    _ => continue,
                }
            }
            let mut text = match &d.adjusted_dose {
                Some(adj) => format!(
                    "{} Usual dose {}; adjusted dose {}.",
                    d.advice, d.usual_dose, adj
                ),
                None => format!("{} Usual dose {}.", d.advice, d.usual_dose),
            };
            if !d.renal.is_empty() && patient.renal == Some(RenalGrade::Unspecified) {
                text.push_str(&format!(
                    " This applies to {} impairment; the grade was not stated.",
                    d.renal.join(" or ")
                ));
            }
            out.flags.push(Flag {
                id: d.flag,
                level: Level::DoseAdjustment,
                text: attribution(&d.body, Some(d.jurisdiction.as_str()), &text),
                rule: d.id.clone(),
                body: d.body.clone(),
                jurisdiction: Some(d.jurisdiction.as_str().to_string()),
                sources: d.sources.clone(),
            });
            out.dose_adjustments.push(DoseAdvice {
                rule: d.id.clone(),
                flag: d.flag,
                usual_dose: d.usual_dose.clone(),
                adjusted_dose: d.adjusted_dose.clone(),
                adjusted_daily_mg: d.adjusted_daily_mg,
                advice: d.advice.clone(),
                body: d.body.clone(),
                jurisdiction: d.jurisdiction.as_str().to_string(),
                sources: d.sources.clone(),
            });
        }
        // A finding the patient has but no rule of the pack covers is still raised, so
        // it is never silently dropped; the text says the pack holds no guidance.
        let name = pack
            .medicine(medicine)
            .map_or(medicine.to_string(), |m| m.name.clone());
        let sources: Vec<String> = pack
            .medicine(medicine)
            .map(|m| m.sources.iter().take(1).cloned().collect())
            .unwrap_or_default();
        let covered: Vec<FlagId> = out.flags.iter().map(|f| f.id).collect();
        out.flags
            .extend(uncovered_flags(patient, route, &covered, &name, &sources));
    }
    out.flags
        .sort_by(|a, b| a.level.cmp(&b.level).then(a.id.cmp(&b.id)));
    for s in pack
        .screening
        .iter()
        .filter(|s| plan && s.routes.contains(&route))
    {
        let item = PlanItem {
            id: s.id.clone(),
            item: s.item.clone(),
            schedule: s.schedule.clone(),
            body: s.body.clone(),
            sources: s.sources.clone(),
        };
        match s.phase {
            Phase::Before => out.screening.push(item),
            Phase::During => out.monitoring.push(item),
        }
    }
    out
}

/// Findings worth raising even when the pack has no rule for them on this route.
/// A `caution` flag for every finding the patient has that no rule covered (`covered`),
/// saying the pack holds no guidance for the medicine `name`; `sources` cite it. Used for
/// curated medicines and for those only a regulator's layer knows, which have no rules.
pub(crate) fn uncovered_flags(
    patient: &Patient,
    route: Route,
    covered: &[FlagId],
    name: &str,
    sources: &[String],
) -> Vec<Flag> {
    FlagId::ALL
        .iter()
        .copied()
        .filter(|f| *f != FlagId::BsaOverLimit && patient.has(*f))
        .filter(|f| !covered.contains(f) && uncovered_matters(*f, route))
        .map(|flag| Flag {
            id: flag,
            level: Level::Caution,
            text: format!(
                "The pack holds no guidance on {} for {}; check the product information before prescribing.",
                flag_label(flag),
                name
            ),
            rule: "pack-has-no-rule".into(),
            body: "offlabel".into(),
            jurisdiction: None,
            sources: sources.to_vec(),
        })
        .collect()
}

fn uncovered_matters(flag: FlagId, route: Route) -> bool {
    match route {
        Route::Oral => !matches!(
            flag,
            FlagId::MucosalApplication | FlagId::BrokenOrInfectedSkin | FlagId::BsaOverLimit
        ),
        Route::Topical => matches!(
            flag,
            FlagId::Pregnancy
                | FlagId::Breastfeeding
                | FlagId::Hypersensitivity
                | FlagId::Immunosuppressed
        ),
    }
}

fn attribution(body: &str, jurisdiction: Option<&str>, text: &str) -> String {
    match jurisdiction {
        Some(j) => format!("{text} ({body}, {j})"),
        None => format!("{text} ({body})"),
    }
}

/// Plain-English name of a finding.
pub fn flag_label(flag: FlagId) -> &'static str {
    match flag {
        FlagId::Pregnancy => "pregnancy",
        FlagId::Breastfeeding => "breastfeeding",
        FlagId::Hypersensitivity => "allergy to the medicine",
        FlagId::Immunosuppressed => "immunosuppression",
        FlagId::Child => "children under 12",
        FlagId::Adolescent => "adolescents",
        FlagId::AgeOver65 => "patients over 65",
        FlagId::Age75Plus => "patients aged 75 or more",
        FlagId::Smoker => "smokers",
        FlagId::Cyp2c9PoorMetabolizer => "CYP2C9 poor metabolisers",
        FlagId::CardiovascularHistory => "cardiovascular disease",
        FlagId::VteRisk => "venous thromboembolism",
        FlagId::MalignancyHistory => "cancer",
        FlagId::RenalImpairment => "kidney impairment",
        FlagId::InfectionHistory => "chronic or recurrent infections",
        FlagId::MucosalApplication => "application to eyes, mouth or mucosa",
        FlagId::BrokenOrInfectedSkin => "broken or infected skin",
        FlagId::BsaOverLimit => "treating a large body surface",
    }
}

/// [`flag_label`] in Spanish.
pub fn flag_label_es(flag: FlagId) -> &'static str {
    match flag {
        FlagId::Pregnancy => "embarazo",
        FlagId::Breastfeeding => "lactancia",
        FlagId::Hypersensitivity => "alergia al medicamento",
        FlagId::Immunosuppressed => "inmunosupresión",
        FlagId::Child => "menores de 12 años",
        FlagId::Adolescent => "adolescentes",
        FlagId::AgeOver65 => "mayores de 65 años",
        FlagId::Age75Plus => "pacientes de 75 años o más",
        FlagId::Smoker => "fumadores",
        FlagId::Cyp2c9PoorMetabolizer => "metabolizadores lentos de CYP2C9",
        FlagId::CardiovascularHistory => "enfermedad cardiovascular",
        FlagId::VteRisk => "tromboembolismo venoso",
        FlagId::MalignancyHistory => "cáncer",
        FlagId::RenalImpairment => "insuficiencia renal",
        FlagId::InfectionHistory => "infecciones crónicas o recurrentes",
        FlagId::MucosalApplication => "aplicación en ojos, boca o mucosas",
        FlagId::BrokenOrInfectedSkin => "piel lesionada o infectada",
        FlagId::BsaOverLimit => "superficie corporal tratada extensa",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_with_plan(pack: &Pack, medicine: Option<&str>, patient: &Patient) -> PatientFindings {
        check_patient(pack, medicine, patient, true)
    }

    /// Today's records (superseded ones left out), as `Engine::pack` gives them.
    fn pack() -> Pack {
        let full = offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}"));
        full.at(full.meta.as_of)
    }

    fn levels(f: &PatientFindings, id: FlagId) -> Vec<Level> {
        f.flags
            .iter()
            .filter(|x| x.id == id)
            .map(|x| x.level)
            .collect()
    }

    #[test]
    fn pregnancy_contraindicates_the_cream_in_the_eu() {
        let f = check_with_plan(
            &pack(),
            Some("ruxolitinib-topical"),
            &Patient {
                pregnant: true,
                ..Patient::default()
            },
        );
        assert!(levels(&f, FlagId::Pregnancy).contains(&Level::Contraindicated));
        assert!(
            f.flags
                .iter()
                .any(|x| x.id == FlagId::Pregnancy && x.jurisdiction.as_deref() == Some("EU"))
        );
    }

    #[test]
    fn baricitinib_75_plus_gets_2_mg() {
        let f = check_with_plan(
            &pack(),
            Some("baricitinib"),
            &Patient {
                age: Some(80),
                ..Patient::default()
            },
        );
        assert_eq!(levels(&f, FlagId::Age75Plus), [Level::DoseAdjustment]);
        assert_eq!(f.dose_adjustments[0].adjusted_daily_mg, Some(2.0));
        assert!(levels(&f, FlagId::AgeOver65).contains(&Level::Avoid));
        let young = check_with_plan(
            &pack(),
            Some("baricitinib"),
            &Patient {
                age: Some(74),
                ..Patient::default()
            },
        );
        assert!(levels(&young, FlagId::Age75Plus).is_empty());
    }

    #[test]
    fn abrocitinib_renal_only_moderate() {
        let p = pack();
        let moderate = check_with_plan(
            &p,
            Some("abrocitinib"),
            &Patient {
                renal: Some(RenalGrade::Moderate),
                ..Patient::default()
            },
        );
        assert_eq!(moderate.dose_adjustments.len(), 1);
        let mild = check_with_plan(
            &p,
            Some("abrocitinib"),
            &Patient {
                renal: Some(RenalGrade::Mild),
                ..Patient::default()
            },
        );
        assert!(mild.dose_adjustments.is_empty());
    }

    #[test]
    fn bsa_limit_fires_only_above_ten_percent() {
        let p = pack();
        let over = check_with_plan(
            &p,
            Some("ruxolitinib-topical"),
            &Patient {
                bsa: Some(20.0),
                ..Patient::default()
            },
        );
        // The EU limit (10%, two 100 g tubes a month) and the US one (20% in atopic
        // dermatitis, 10% in vitiligo): each label's rule, all at level avoid.
        let bsa = levels(&over, FlagId::BsaOverLimit);
        assert!(
            !bsa.is_empty() && bsa.iter().all(|l| *l == Level::Avoid),
            "{bsa:?}"
        );
        assert!(
            over.flags
                .iter()
                .any(|f| f.jurisdiction.as_deref() == Some("US"))
        );
        let under = check_with_plan(
            &p,
            Some("ruxolitinib-topical"),
            &Patient {
                bsa: Some(8.0),
                ..Patient::default()
            },
        );
        assert!(levels(&under, FlagId::BsaOverLimit).is_empty());
    }

    #[test]
    fn screening_follows_the_route() {
        let p = pack();
        let oral = check_with_plan(&p, Some("upadacitinib"), &Patient::default());
        assert!(
            oral.screening
                .iter()
                .any(|s| s.item.contains("tuberculosis"))
        );
        let topical = check_with_plan(&p, Some("ruxolitinib-topical"), &Patient::default());
        assert!(topical.screening.is_empty());
    }
}
