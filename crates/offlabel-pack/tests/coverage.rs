//! Coverage: every row of the review's Tables 1-6, every study only its text
//! describes, and the facts of the other four seeds are in the pack.

use offlabel_model::{AuthorisationKind, Design, FlagId, Level, Regulator};
use offlabel_pack::Pack;

fn pack() -> Pack {
    offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}"))
}

/// (table, medicine, condition) for every row of Tables 2 to 5.
const TABLE_ROWS: &[(&str, &str, &str)] = &[
    ("Table 2", "abrocitinib", "alopecia-areata-universalis"),
    ("Table 2", "abrocitinib", "contact-dermatitis"),
    ("Table 3", "baricitinib", "adult-onset-still-disease"),
    ("Table 3", "baricitinib", "aicardi-goutieres-syndrome"),
    ("Table 3", "baricitinib", "blau-syndrome"),
    ("Table 3", "baricitinib", "candle-syndrome"),
    ("Table 3", "baricitinib", "candle-like-syndrome"),
    ("Table 3", "baricitinib", "stat1-gof"),
    ("Table 3", "baricitinib", "savi"),
    ("Table 3", "baricitinib", "systemic-jia"),
    ("Table 3", "baricitinib", "vexas-syndrome"),
    ("Table 3", "baricitinib", "chilblain-lupus"),
    ("Table 3", "baricitinib", "subacute-cutaneous-lupus"),
    ("Table 3", "baricitinib", "lupus-alopecia"),
    ("Table 3", "baricitinib", "chronic-nodular-prurigo"),
    ("Table 3", "baricitinib", "juvenile-dermatomyositis"),
    ("Table 3", "baricitinib", "dermatomyositis"),
    (
        "Table 3",
        "baricitinib",
        "epidermolysis-bullosa-pruriginosa",
    ),
    ("Table 3", "baricitinib", "mucous-membrane-pemphigoid"),
    ("Table 3", "baricitinib", "bullous-pemphigoid"),
    ("Table 3", "baricitinib", "lichen-planus-pemphigoides"),
    ("Table 3", "baricitinib", "chronic-gvhd"),
    ("Table 3", "baricitinib", "hand-eczema"),
    ("Table 3", "baricitinib", "eosinophilic-fasciitis"),
    ("Table 3", "baricitinib", "frontal-fibrosing-alopecia"),
    ("Table 3", "baricitinib", "morphea"),
    ("Table 3", "baricitinib", "granuloma-annulare"),
    ("Table 3", "baricitinib", "hypereosinophilic-syndrome"),
    ("Table 3", "baricitinib", "lichen-planopilaris"),
    ("Table 3", "baricitinib", "livedoid-vasculopathy"),
    ("Table 3", "baricitinib", "psoriasis"),
    ("Table 3", "baricitinib", "pyoderma-gangrenosum"),
    ("Table 3", "baricitinib", "sweet-syndrome"),
    ("Table 3", "baricitinib", "systemic-sclerosis"),
    ("Table 3", "baricitinib", "vitiligo"),
    ("Table 4", "upadacitinib", "alopecia-areata"),
    ("Table 4", "upadacitinib", "oral-lichen-planus"),
    ("Table 4", "upadacitinib", "granuloma-annulare"),
    ("Table 4", "upadacitinib", "hidradenitis-suppurativa"),
    ("Table 4", "upadacitinib", "erythema-multiforme"),
    ("Table 5", "ruxolitinib-topical", "alopecia-areata"),
    ("Table 5", "ruxolitinib-topical", "psoriasis"),
    ("Table 5", "ruxolitinib-topical", "seborrheic-dermatitis"),
    ("Table 5", "ruxolitinib-topical", "lichen-planus"),
    ("Table 5", "ruxolitinib-topical", "cutaneous-chronic-gvhd"),
    ("Table 5", "ruxolitinib-topical", "discoid-lupus"),
    ("Table 5", "ruxolitinib-topical", "necrobiosis-lipoidica"),
];

#[test]
fn every_table_row_has_a_study() {
    let pack = pack();
    let missing: Vec<String> = TABLE_ROWS
        .iter()
        .filter(|(table, m, c)| {
            !pack
                .studies
                .iter()
                .any(|s| s.location == *table && s.medicine == *m && s.condition == *c)
        })
        .map(|r| format!("{r:?}"))
        .collect();
    assert!(
        missing.is_empty(),
        "table rows without a study: {missing:?}"
    );
}

#[test]
fn text_only_studies_are_encoded() {
    let pack = pack();
    // (medicine, reference number, design) of studies that only the review's text describes.
    let expected: &[(&str, u32, Design)] = &[
        ("baricitinib", 48, Design::CaseSeries),
        ("baricitinib", 49, Design::CaseReport),
        ("baricitinib", 61, Design::RetrospectiveStudy),
        ("baricitinib", 62, Design::RetrospectiveStudy),
        ("baricitinib", 63, Design::CaseReport),
        ("baricitinib", 64, Design::CaseReport),
        ("baricitinib", 69, Design::MetaAnalysis),
        ("ruxolitinib-topical", 88, Design::CaseSeries),
        ("ruxolitinib-topical", 89, Design::CaseReport),
        ("ruxolitinib-topical", 90, Design::CaseReport),
        ("ruxolitinib-topical", 91, Design::CaseReport),
        ("ruxolitinib-topical", 97, Design::OpenLabelTrial),
        ("ruxolitinib-topical", 98, Design::OpenLabelTrial),
        ("ruxolitinib-topical", 99, Design::OpenLabelTrial),
        ("ruxolitinib-oral", 35, Design::RetrospectiveStudy),
        ("upadacitinib", 35, Design::RetrospectiveStudy),
    ];
    for (m, r, d) in expected {
        assert!(
            pack.studies
                .iter()
                .any(|s| s.medicine == *m && s.refs.contains(r) && s.design == *d),
            "no {d} of {m} citing reference {r}"
        );
    }
}

#[test]
fn table1_and_the_ema_overview_are_both_kept() {
    let pack = pack();
    let auth = |reg: Regulator, m: &str, c: &str| {
        pack.authorisations.iter().any(|a| {
            a.regulator == reg
                && a.medicine == m
                && a.condition.as_deref() == Some(c)
                && a.kind == AuthorisationKind::Authorised
        })
    };
    assert!(auth(Regulator::Fda, "abrocitinib", "atopic-dermatitis"));
    assert!(auth(Regulator::Ema, "abrocitinib", "atopic-dermatitis"));
    assert!(auth(Regulator::Fda, "baricitinib", "alopecia-areata"));
    assert!(auth(Regulator::Ema, "baricitinib", "alopecia-areata"));
    assert!(auth(Regulator::Ema, "baricitinib", "atopic-dermatitis"));
    assert!(!auth(Regulator::Fda, "baricitinib", "atopic-dermatitis"));
    assert!(auth(Regulator::Fda, "upadacitinib", "atopic-dermatitis"));
    assert!(auth(Regulator::Ema, "upadacitinib", "atopic-dermatitis"));
    assert!(auth(
        Regulator::Fda,
        "ruxolitinib-topical",
        "atopic-dermatitis"
    ));
    assert!(auth(
        Regulator::Fda,
        "ruxolitinib-topical",
        "vitiligo-non-segmental"
    ));
    assert!(auth(
        Regulator::Ema,
        "ruxolitinib-topical",
        "vitiligo-non-segmental"
    ));
    // The review's "no EMA approval" for the cream stays on record.
    assert!(
        pack.authorisations
            .iter()
            .any(|a| a.regulator == Regulator::Ema
                && a.medicine == "ruxolitinib-topical"
                && a.kind == AuthorisationKind::NoneListed)
    );
    let eu = pack
        .authorisations
        .iter()
        .find(|a| a.id == "ema-opzelura-nsv")
        .unwrap_or_else(|| panic!("EU authorisation"));
    assert_eq!(
        eu.date.map(|d| d.to_string()).as_deref(),
        Some("2023-04-19")
    );
    assert_eq!(eu.population.age_min, Some(12));
}

#[test]
fn ema_overview_facts() {
    let pack = pack();
    let p = pack
        .posology
        .iter()
        .find(|p| p.id == "ema-opzelura-posology")
        .unwrap_or_else(|| panic!("posology"));
    assert_eq!(p.max_bsa_percent, Some(10.0));
    assert_eq!(p.per_day, Some(2));
    assert!(
        p.stopping_rule
            .as_deref()
            .is_some_and(|s| s.contains("one year"))
    );
    let f = pack
        .efficacy
        .iter()
        .find(|e| e.endpoint == "F-VASI75")
        .unwrap_or_else(|| panic!("F-VASI75"));
    assert_eq!((f.n, f.studies), (Some(661), Some(2)));
    assert_eq!(
        f.arms.iter().map(|a| a.percent).collect::<Vec<_>>(),
        [31.0, 10.0]
    );
    let t = pack
        .efficacy
        .iter()
        .find(|e| e.endpoint == "T-VASI50")
        .unwrap_or_else(|| panic!("T-VASI50"));
    assert_eq!(
        t.arms.iter().map(|a| a.percent).collect::<Vec<_>>(),
        [22.0, 6.0]
    );
    for flag in [FlagId::Pregnancy, FlagId::Breastfeeding] {
        assert!(
            pack.precautions
                .iter()
                .any(|p| p.flag == flag && p.level == Level::Contraindicated && p.body == "EMA")
        );
    }
    assert!(pack.adverse_effects.iter().any(|a| {
        a.term.contains("acne")
            && a.frequency
                .as_deref()
                .is_some_and(|f| f.contains("1 in 10"))
    }));
}

#[test]
fn website_and_summary_facts() {
    let pack = pack();
    for flag in [
        FlagId::Hypersensitivity,
        FlagId::Immunosuppressed,
        FlagId::MucosalApplication,
        FlagId::BrokenOrInfectedSkin,
        FlagId::AgeOver65,
        FlagId::Child,
    ] {
        assert!(
            pack.precautions
                .iter()
                .any(|p| p.flag == flag && p.medicines.iter().any(|m| m == "ruxolitinib-topical")),
            "{flag}"
        );
    }
    for id in [
        "everyone-not-a-steroid",
        "everyone-eczema-vs-psoriasis",
        "summary-lichenoid-granulomatous",
        "summary-aa-debated",
        "cn-psoriasis-claim",
    ] {
        assert!(pack.statements.iter().any(|s| s.id == id), "{id}");
    }
}

#[test]
fn table6_rules_and_screening() {
    let pack = pack();
    let dose = |id: &str| {
        pack.dose_adjustments
            .iter()
            .find(|d| d.id == id)
            .and_then(|d| d.adjusted_daily_mg)
    };
    assert_eq!(dose("ema-baricitinib-75-plus"), Some(2.0));
    assert_eq!(dose("ema-baricitinib-infections"), Some(2.0));
    assert_eq!(dose("ema-upadacitinib-65-plus"), Some(15.0));
    assert_eq!(dose("ema-upadacitinib-adolescents"), Some(15.0));
    assert_eq!(dose("ema-abrocitinib-65-plus"), Some(100.0));
    assert_eq!(dose("ema-abrocitinib-renal-moderate"), Some(100.0));
    for flag in [
        FlagId::AgeOver65,
        FlagId::Smoker,
        FlagId::CardiovascularHistory,
        FlagId::VteRisk,
        FlagId::MalignancyHistory,
    ] {
        assert!(
            pack.precautions
                .iter()
                .any(|p| p.flag == flag && p.body.contains("PRAC")),
            "{flag}"
        );
    }
    let text: String = pack
        .screening
        .iter()
        .map(|s| format!("{} {} ", s.item, s.schedule.clone().unwrap_or_default()))
        .collect();
    for needle in [
        "Chest X-ray",
        "skin cancer",
        "tuberculosis",
        "HIV",
        "hepatitis B",
        "hepatitis C",
        "varicella",
        "lipid",
        "CPK",
        "every 3 months",
        "Pneumococcal",
        "influenza",
    ] {
        assert!(text.contains(needle), "screening lacks {needle}");
    }
}
