//! Property tests: the engine never panics, always answers with a contract object, and
//! the patient rules are monotone (more risk never removes a flag or grants approval).

use offlabel_engine::Engine;
use offlabel_engine::check::CheckRequest;
use offlabel_engine::patient::{Patient, RenalGrade, Site};
use offlabel_model::Status;
use proptest::prelude::*;
use std::sync::LazyLock;

static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::new(offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}"))));

const CONTRACT_FIELDS: [&str; 8] = [
    "query",
    "as_of",
    "drug",
    "condition",
    "options",
    "flags",
    "answer",
    "citations",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn ask_never_panics_on_arbitrary_text(q in "\\PC{0,300}") {
        match ENGINE.ask(&q) {
            Ok(a) => {
                let v = serde_json::to_value(&a).unwrap_or_default();
                for f in CONTRACT_FIELDS {
                    prop_assert!(v.get(f).is_some(), "missing {}", f);
                }
                if !v["drug"].is_null() || !v["condition"].is_null() {
                    prop_assert!(v["citations"].as_array().is_some_and(|c| !c.is_empty()));
                }
            }
            Err(_) => prop_assert!(q.trim().is_empty()),
        }
    }

    #[test]
    fn ask_handles_questions_made_of_pack_words(words in proptest::collection::vec(prop_oneof![
        Just("opzelura"), Just("olumiant"), Just("ruxolitinib"), Just("cream"), Just("tablets"), Just("for"),
        Just("psoriasis"), Just("vitiligo"), Just("segmental"), Just("eczema"), Just("severe"), Just("mild"),
        Just("80"), Just("year"), Just("old"), Just("pregnant"), Just("not"), Just("in"), Just("EU"), Just("US"),
        Just("¿"), Just("para"), Just("la"), Just("dose"), Just("20%"), Just("body"), Just("芦可替尼乳膏"),
    ], 1..12)) {
        let q = words.join(" ");
        let a = ENGINE.ask(&q);
        prop_assert!(a.is_ok());
    }
}

fn arb_patient() -> impl Strategy<Value = Patient> {
    (
        proptest::option::of(0u32..=100),
        any::<[bool; 12]>(),
        proptest::option::of(prop_oneof![
            Just(RenalGrade::Mild),
            Just(RenalGrade::Moderate),
            Just(RenalGrade::Severe)
        ]),
        proptest::option::of(0.0f64..100.0),
        proptest::sample::subsequence(
            vec![Site::Face, Site::Eyelids, Site::Eyes, Site::Mouth],
            0..3,
        ),
    )
        .prop_map(|(age, b, renal, bsa, sites)| Patient {
            age,
            age_months: None,
            cyp2c9_poor_metabolizer: b[10],
            pregnant: b[0],
            breastfeeding: b[1],
            allergy: b[2],
            immunosuppressed: b[3],
            smoker: b[4],
            vte_history: b[5],
            cardiovascular_history: b[6],
            cancer_history: b[7],
            recurrent_infections: b[8],
            broken_skin: b[9],
            child: false,
            adolescent: false,
            elderly: false,
            renal,
            bsa,
            sites,
            severity: None,
            ..Patient::default()
        })
}

/// Adds one risk factor (chosen by `k`) to a patient.
fn add_risk(mut p: Patient, k: u8) -> Patient {
    match k % 11 {
        0 => p.pregnant = true,
        1 => p.breastfeeding = true,
        2 => p.allergy = true,
        3 => p.immunosuppressed = true,
        4 => p.smoker = true,
        5 => p.vte_history = true,
        6 => p.cardiovascular_history = true,
        7 => p.cancer_history = true,
        8 => p.recurrent_infections = true,
        9 => p.broken_skin = true,
        _ => p.renal = p.renal.or(Some(RenalGrade::Moderate)),
    }
    p
}

const DRUGS: [&str; 6] = [
    "ruxolitinib-topical",
    "ruxolitinib-oral",
    "baricitinib",
    "upadacitinib",
    "abrocitinib",
    "tofacitinib",
];
const CONDITIONS: [&str; 5] = [
    "atopic-dermatitis",
    "vitiligo",
    "alopecia-areata",
    "psoriasis",
    "lichen-planus",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn more_risk_never_removes_a_flag_or_grants_approval(p in arb_patient(), k in any::<u8>(), d in 0usize..6, c in 0usize..5) {
        let before = ENGINE.check(&CheckRequest { drug: DRUGS[d].into(), condition: Some(CONDITIONS[c].into()), region: None, patient: p.clone(), ..CheckRequest::default() });
        let after = ENGINE.check(&CheckRequest { drug: DRUGS[d].into(), condition: Some(CONDITIONS[c].into()), region: None, patient: add_risk(p, k), ..CheckRequest::default() });
        let (Ok(before), Ok(after)) = (before, after) else { return Err(TestCaseError::fail("check failed")) };
        for f in &before.flags {
            // A "no guidance in the pack" flag may give way to a specific rule for the same finding.
            let generic = f.rule == "pack-has-no-rule";
            prop_assert!(after.flags.iter().any(|g| g.id == f.id && (generic || g.level == f.level)), "lost flag {:?}", f.id);
        }
        for (j, s) in before.status.iter().flatten() {
            let later = after.status.as_ref().and_then(|m| m.get(j)).copied();
            if *s != Status::Approved {
                prop_assert!(later != Some(Status::Approved), "{} became approved", j);
            }
        }
    }

    #[test]
    fn older_never_removes_a_flag(age in 0u32..=100, extra in 1u32..30, d in 0usize..6) {
        let young = ENGINE.check(&CheckRequest { drug: DRUGS[d].into(), patient: Patient { age: Some(age.max(18)), ..Patient::default() }, ..CheckRequest::default() });
        let old = ENGINE.check(&CheckRequest { drug: DRUGS[d].into(), patient: Patient { age: Some((age.max(18) + extra).min(130)), ..Patient::default() }, ..CheckRequest::default() });
        let (Ok(young), Ok(old)) = (young, old) else { return Err(TestCaseError::fail("check failed")) };
        for f in young.flags.iter().filter(|f| !matches!(f.id, offlabel_model::FlagId::Adolescent | offlabel_model::FlagId::Child)) {
            prop_assert!(old.flags.iter().any(|g| g.id == f.id), "lost {:?}", f.id);
        }
    }
}

/// `ask` and `check` agree on the same patient: the flags of a question equal the
/// flags of the structured check built from what the question said.
#[test]
fn ask_and_check_agree() {
    let questions = [
        "Baricitinib dose for an 80 year old with alopecia areata",
        "Can I use Opzelura cream while pregnant and breastfeeding?",
        "abrocitinib for a 70 year old smoker with moderate kidney disease",
        "Opzelura on 30% of the body near the eyes with broken skin",
        "upadacitinib for eczema in a 15 year old with a history of blood clots",
        "Rinvoq for a patient with previous lymphoma and recurrent infections",
    ];
    for q in questions {
        let answer = ENGINE.ask(q).unwrap_or_else(|e| panic!("{e}"));
        let understood = ENGINE.understand(q);
        let drug = answer
            .drug
            .as_ref()
            .map(|d| d.id.clone())
            .unwrap_or_default();
        let report = ENGINE
            .check(&CheckRequest {
                drug,
                // `check` takes curated conditions; a Disease Ontology condition read from
                // the question (a comorbidity such as kidney disease) is left out.
                condition: answer
                    .condition
                    .as_ref()
                    .filter(|c| ENGINE.pack().condition(&c.id).is_some())
                    .map(|c| c.id.clone()),
                region: None,
                patient: understood.patient,
                ..CheckRequest::default()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        let from_ask: Vec<_> = answer.flags.iter().map(|f| (f.id, f.level)).collect();
        let from_check: Vec<_> = report.flags.iter().map(|f| (f.id, f.level)).collect();
        assert_eq!(from_ask, from_check, "{q}");
        if let (Some(a), Some(c)) = (&answer.status, &report.status) {
            assert_eq!(a, c, "{q}");
        }
    }
}
