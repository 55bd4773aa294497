//! Patient history by Disease Ontology subtree: a condition the patient has or had
//! sets the contract's history flags by where its DO term lies (any cancer, any
//! cardiovascular disease...), with curated exceptions. The mapping is data: the
//! `[history]` section of `cues.toml`, one comment per choice.

use crate::patient::{Patient, RenalGrade};
use offlabel_model::FlagId;
use offlabel_vocabulary::Vocabulary;

/// The flags a history can set, in the order they are checked.
const FLAGS: [FlagId; 5] = [
    FlagId::MalignancyHistory,
    FlagId::CardiovascularHistory,
    FlagId::VteRisk,
    FlagId::InfectionHistory,
    FlagId::RenalImpairment,
];

/// The flags a patient's condition (its DOID) sets.
pub(crate) fn flags_of(vocabulary: &Vocabulary, doid: &str) -> Vec<FlagId> {
    FLAGS
        .into_iter()
        .filter(|flag| {
            let roots = crate::cues::list("history", flag.as_str());
            let except = crate::cues::list("history", &format!("{}_except", flag.as_str()));
            roots.iter().any(|r| vocabulary.is_a(doid, r))
                && !except.iter().any(|e| vocabulary.is_a(doid, e))
        })
        .collect()
}

/// The cue list whose phrases make a mention of the flag's finding an outcome asked
/// about rather than the patient's history ("risk of cancer").
pub(crate) fn exclude_list(flag: FlagId) -> &'static str {
    match flag {
        FlagId::MalignancyHistory => "cancer_exclude",
        FlagId::CardiovascularHistory => "cardiovascular_exclude",
        FlagId::VteRisk => "vte_exclude",
        FlagId::InfectionHistory => "infections_exclude",
        _ => "renal_exclude",
    }
}

/// Sets a history flag on the patient (a kidney disease of unstated grade keeps a
/// grade already known).
pub(crate) fn set(patient: &mut Patient, flag: FlagId) {
    match flag {
        FlagId::MalignancyHistory => patient.cancer_history = true,
        FlagId::CardiovascularHistory => patient.cardiovascular_history = true,
        FlagId::VteRisk => patient.vte_history = true,
        FlagId::InfectionHistory => patient.recurrent_infections = true,
        FlagId::RenalImpairment => {
            patient.renal.get_or_insert(RenalGrade::Unspecified);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtrees_and_exceptions() {
        let v = Vocabulary::embedded().expect("the committed layer parses");
        let flags = |doid: &str| flags_of(&v, doid);
        // Colon cancer (DOID:219) is a cancer.
        assert_eq!(flags("DOID:219"), [FlagId::MalignancyHistory]);
        // Myocardial infarction (DOID:5844) is cardiovascular.
        assert_eq!(flags("DOID:5844"), [FlagId::CardiovascularHistory]);
        // Pulmonary embolism (DOID:9477) is VTE, not the cardiovascular flag.
        assert_eq!(flags("DOID:9477"), [FlagId::VteRisk]);
        // Chronic kidney disease (DOID:784) impairs the kidneys; stones (DOID:585) do not.
        assert_eq!(flags("DOID:784"), [FlagId::RenalImpairment]);
        assert!(flags("DOID:585").is_empty());
        // Tuberculosis (DOID:399) is an infectious disease.
        assert_eq!(flags("DOID:399"), [FlagId::InfectionHistory]);
        // Prothrombin deficiency bleeds; DO files it under thrombophilia.
        assert!(!flags("DOID:2235").contains(&FlagId::VteRisk));
        // Basal cell carcinoma still counts (see cues.toml).
        assert_eq!(flags("DOID:2513"), [FlagId::MalignancyHistory]);
        // Alopecia areata sets nothing.
        assert!(flags("DOID:986").is_empty());
        let mut p = Patient::default();
        set(&mut p, FlagId::RenalImpairment);
        assert_eq!(p.renal, Some(RenalGrade::Unspecified));
    }

    #[test]
    fn every_history_list_names_live_doids() {
        let v = Vocabulary::embedded().expect("the committed layer parses");
        for flag in FLAGS {
            let roots = crate::cues::list("history", flag.as_str());
            assert!(!roots.is_empty(), "{flag}");
            let except = crate::cues::list("history", &format!("{}_except", flag.as_str()));
            for d in roots.iter().chain(except) {
                assert!(v.get(d).is_some(), "{flag}: {d} is not a current DO term");
            }
        }
    }
}
