//! The reader on real sentences of the EMA's medicines table (export of 29 January 2026),
//! one row per case: what a clinician would read in them.

use offlabel_indications::{read_clause_with_names, read_population_with_names, split_with_names};
use offlabel_regulatory::{AgeGroup, PriorTherapyKind, Severity};

struct Case {
    what: &'static str,
    names: &'static [&'static str],
    lead: Option<&'static str>,
    quote: &'static str,
    condition: &'static str,
    min_months: Option<u32>,
    max_months: Option<u32>,
    severity: &'static [Severity],
    active: bool,
    prior: &'static [PriorTherapyKind],
    combinations: &'static [&'static str],
    monotherapy: bool,
    qualifiers: &'static [&'static str],
    min_kg: Option<f32>,
    fully_read: bool,
}

const BASE: Case = Case {
    what: "",
    names: &[],
    lead: None,
    quote: "",
    condition: "",
    min_months: None,
    max_months: None,
    severity: &[],
    active: false,
    prior: &[],
    combinations: &[],
    monotherapy: false,
    qualifiers: &[],
    min_kg: None,
    fully_read: true,
};

use PriorTherapyKind::*;
use Severity::*;

const CASES: &[Case] = &[
    Case {
        what: "Olumiant RA",
        names: &["Olumiant", "baricitinib"],
        quote: "Baricitinib is indicated for the treatment of moderate to severe active rheumatoid arthritis in adult patients who have responded inadequately to, or who are intolerant to one or more disease modifying anti rheumatic drugs (DMARDs). Olumiant may be used as monotherapy or in combination with methotrexate.",
        condition: "rheumatoid arthritis",
        min_months: Some(216),
        severity: &[Moderate, Severe],
        active: true,
        prior: &[InadequateResponse],
        combinations: &["methotrexate"],
        monotherapy: true,
        ..BASE
    },
    Case {
        what: "Olumiant atopic dermatitis, from 2 years",
        names: &["Olumiant", "baricitinib"],
        quote: "Olumiant is indicated for the treatment of moderate to severe atopic dermatitis in adult and paediatric patients 2 years of age and older who are candidates for systemic therapy.",
        condition: "atopic dermatitis",
        min_months: Some(24),
        severity: &[Moderate, Severe],
        prior: &[CandidateForSystemicTherapy],
        ..BASE
    },
    Case {
        what: "Olumiant alopecia areata, adults only",
        names: &["Olumiant", "baricitinib"],
        quote: "Baricitinib is indicated for the treatment of severe alopecia areata in adult patients (see section 5.1).",
        condition: "alopecia areata",
        min_months: Some(216),
        severity: &[Severe],
        ..BASE
    },
    Case {
        what: "Olumiant JIA list item names its subtype",
        names: &["Olumiant", "baricitinib"],
        lead: Some(
            "Baricitinib is indicated for the treatment of active juvenile idiopathic arthritis in patients 2 years of age and older who have had an inadequate response or intolerance to one or more prior conventional synthetic or biologic DMARDs:",
        ),
        quote: "- Enthesitis related arthritis, and",
        condition: "enthesitis related arthritis",
        min_months: Some(24),
        active: true,
        prior: &[InadequateResponse],
        qualifiers: &["juvenile idiopathic arthritis"],
        ..BASE
    },
    Case {
        what: "Cibinqo, moderate-to-severe with hyphens, adolescents",
        names: &["Cibinqo", "abrocitinib"],
        quote: "Cibinqo is indicated for the treatment of moderate-to-severe atopic dermatitis in adults and adolescents 12 years and older who are candidates for systemic therapy.",
        condition: "atopic dermatitis",
        min_months: Some(144),
        severity: &[Moderate, Severe],
        prior: &[CandidateForSystemicTherapy],
        ..BASE
    },
    Case {
        what: "Opzelura: subtype and site",
        names: &["Opzelura", "ruxolitinib"],
        quote: "Opzelura is indicated for the treatment of non-segmental vitiligo with facial involvement in adults and adolescents from 12 years of age.",
        condition: "non-segmental vitiligo with facial involvement",
        min_months: Some(144),
        qualifiers: &["non-segmental", "with facial involvement"],
        ..BASE
    },
    Case {
        what: "Jakavi acute GvHD from 28 days rounds up to a month",
        names: &["Jakavi", "ruxolitinib"],
        quote: "Jakavi is indicated for the treatment of adults and paediatric patients aged 28 days and older with acute graft versus host disease who have inadequate response to corticosteroids or other systemic therapies (see section 5.1).",
        condition: "acute graft versus host disease",
        min_months: Some(1),
        prior: &[InadequateResponse],
        ..BASE
    },
    Case {
        what: "Jakavi PV: resistant to hydroxyurea",
        names: &["Jakavi", "ruxolitinib"],
        quote: "Jakavi is indicated for the treatment of adult patients with polycythaemia vera who are resistant to or intolerant of hydroxyurea.",
        condition: "polycythaemia vera",
        min_months: Some(216),
        prior: &[Refractory],
        ..BASE
    },
    Case {
        what: "Jakavi myelofibrosis: the patients' disease is not read",
        names: &["Jakavi", "ruxolitinib"],
        quote: "Jakavi is indicated for the treatment of disease related splenomegaly or symptoms in adult patients with primary myelofibrosis (also known as chronic idiopathic myelofibrosis), post polycythaemia vera myelofibrosis or post essential thrombocythaemia myelofibrosis.",
        condition: "disease related splenomegaly or symptoms",
        min_months: Some(216),
        fully_read: false,
        ..BASE
    },
    Case {
        what: "Xeljanz RA: methotrexate required, monotherapy only if MTX unsuitable",
        names: &["Xeljanz", "tofacitinib"],
        quote: "Tofacitinib in combination with methotrexate (MTX) is indicated for the treatment of moderate to severe active rheumatoid arthritis (RA) in adult patients who have responded inadequately to, or who are intolerant to one or more disease-modifying antirheumatic drugs (DMARDs) (see section 5.1). Tofacitinib can be given as monotherapy in case of intolerance to MTX or when treatment with MTX is inappropriate (see sections 4.4 and 4.5).",
        condition: "rheumatoid arthritis (ra)",
        min_months: Some(216),
        severity: &[Moderate, Severe],
        active: true,
        prior: &[InadequateResponse],
        combinations: &["methotrexate (mtx)"],
        ..BASE
    },
    Case {
        what: "Xeljanz PsA: partner stops before 'is indicated'",
        names: &["Xeljanz", "tofacitinib"],
        quote: "Tofacitinib in combination with MTX is indicated for the treatment of active psoriatic arthritis (PsA) in adult patients who have had an inadequate response or who have been intolerant to a prior disease modifying antirheumatic drug (DMARD) therapy (see section 5.1).",
        condition: "psoriatic arthritis (psa)",
        min_months: Some(216),
        active: true,
        prior: &[InadequateResponse],
        combinations: &["mtx"],
        ..BASE
    },
    Case {
        what: "Rinvoq UC: moderately to severely active",
        names: &["Rinvoq", "upadacitinib"],
        quote: "RINVOQ is indicated for the treatment of adult patients with moderately to severely active ulcerative colitis who have had an inadequate response, lost response or were intolerant to either conventional therapy or a biologic agent.",
        condition: "ulcerative colitis",
        min_months: Some(216),
        severity: &[Moderate, Severe],
        active: true,
        prior: &[InadequateResponse],
        ..BASE
    },
    Case {
        what: "Dupixent: children 6 months to 11 years",
        names: &["Dupixent", "dupilumab"],
        quote: "Dupixent is indicated for the treatment of severe atopic dermatitis in children 6 months to 11 years old who are candidates for systemic therapy.",
        condition: "atopic dermatitis",
        min_months: Some(6),
        max_months: Some(144),
        severity: &[Severe],
        prior: &[CandidateForSystemicTherapy],
        ..BASE
    },
    Case {
        what: "Dupixent asthma: type 2 inflammation is a restriction, not part of the name",
        names: &["Dupixent", "dupilumab"],
        quote: "Dupixent is indicated in children 6 to 11 years old as add-on maintenance treatment for severe asthma with type 2 inflammation characterised by raised blood eosinophils and/or raised fraction of exhaled nitric oxide (FeNO), see section 5.1, who are inadequately controlled with medium to high dose inhaled corticosteroids (ICS) plus another medicinal product for maintenance treatment.",
        condition: "asthma with type 2 inflammation",
        min_months: Some(72),
        max_months: Some(144),
        severity: &[Severe],
        prior: &[InadequateResponse],
        qualifiers: &[
            "with type 2 inflammation",
            "characterised by raised blood eosinophils and/or raised fraction of exhaled nitric oxide (feno)",
        ],
        ..BASE
    },
    Case {
        what: "Imuldosa (ustekinumab biosimilar): paediatric Crohn's by body weight",
        names: &["Imuldosa", "ustekinumab"],
        quote: "Imuldosa is indicated for the treatment of moderately to severely active Crohn’s disease in paediatric patients weighing at least 40 kg, who have had an inadequate response to, or were intolerant to either conventional or biologic therapy.",
        condition: "crohn's disease",
        max_months: Some(216),
        severity: &[Moderate, Severe],
        active: true,
        prior: &[InadequateResponse],
        min_kg: Some(40.0),
        ..BASE
    },
    Case {
        what: "Keytruda melanoma from 12 years, monotherapy",
        names: &["Keytruda", "pembrolizumab"],
        quote: "Keytruda as monotherapy is indicated for the treatment of adults and adolescents aged 12 years and older with advanced (unresectable or metastatic) melanoma.",
        condition: "advanced (unresectable or metastatic) melanoma",
        min_months: Some(144),
        monotherapy: true,
        qualifiers: &["advanced", "unresectable", "metastatic"],
        ..BASE
    },
    Case {
        what: "Keytruda NSCLC: PD-L1 expression is not read",
        names: &["Keytruda", "pembrolizumab"],
        quote: "Keytruda as monotherapy is indicated for the first line treatment of metastatic non small cell lung carcinoma in adults whose tumours express PD L1 with a ≥ 50% tumour proportion score (TPS) with no EGFR or ALK positive tumour mutations.",
        condition: "metastatic non small cell lung carcinoma",
        min_months: Some(216),
        monotherapy: true,
        prior: &[FirstLine],
        qualifiers: &["metastatic"],
        fully_read: false,
        ..BASE
    },
    Case {
        what: "Lantus: old style, children from two years",
        names: &["Lantus", "insulin glargine"],
        quote: "Treatment of diabetes mellitus in adults, adolescents and children aged two years and above",
        condition: "diabetes mellitus",
        min_months: Some(24),
        ..BASE
    },
    Case {
        what: "Jardiance: type 2 diabetes, control is a qualifier",
        names: &["Jardiance", "empagliflozin"],
        quote: "Jardiance is indicated in adults for the treatment of insufficiently controlled type 2 diabetes mellitus as an adjunct to diet and exercise",
        condition: "type 2 diabetes mellitus",
        min_months: Some(216),
        qualifiers: &["insufficiently controlled"],
        ..BASE
    },
    Case {
        what: "Heplisav B vaccine: adults, the hepatitis D remark is not read",
        names: &["Heplisav B", "hepatitis B surface antigen"],
        quote: "Heplisav B is indicated for the active immunisation against hepatitis B virus infection (HBV) caused by all known subtypes of hepatitis B virus in adults 18 years of age and older. The use of Heplisav B should be in accordance with official recommendations. It can be expected that hepatitis D will also be prevented by immunisation with Heplisav B as hepatitis D (caused by the delta agent) does not occur in the absence of hepatitis B infection.",
        condition: "hepatitis b virus infection (hbv)",
        min_months: Some(216),
        qualifiers: &["caused by all known subtypes of hepatitis b virus"],
        fully_read: false,
        ..BASE
    },
    Case {
        what: "Shingrix: item with risk group keeps the lead's condition",
        names: &["Shingrix", "herpes zoster vaccine"],
        lead: Some(
            "Shingrix is indicated for prevention of herpes zoster (HZ) and post-herpetic neuralgia (PHN), in:",
        ),
        quote: "adults 18 years of age or older at increased risk of HZ.",
        condition: "herpes zoster (hz) and post-herpetic neuralgia (phn)",
        min_months: Some(216),
        qualifiers: &["at increased risk of hz"],
        ..BASE
    },
];

#[test]
fn real_sentences_read_as_a_clinician_would() {
    let mut failures = Vec::new();
    for c in CASES {
        let r = read_population_with_names(c.lead, c.quote, c.names);
        let p = &r.population;
        let mut check = |ok: bool, field: &str, got: String| {
            if !ok {
                failures.push(format!("{}: {field} = {got}", c.what));
            }
        };
        check(
            r.condition_text.as_deref() == Some(c.condition),
            "condition",
            format!("{:?}", r.condition_text),
        );
        check(
            p.min_age_months == c.min_months,
            "min age",
            format!("{:?}", p.min_age_months),
        );
        check(
            p.max_age_months == c.max_months,
            "max age",
            format!("{:?}", p.max_age_months),
        );
        check(
            p.severity == c.severity,
            "severity",
            format!("{:?}", p.severity),
        );
        check(
            p.active_disease == c.active,
            "active",
            format!("{}", p.active_disease),
        );
        let kinds: Vec<PriorTherapyKind> = p.prior_therapy.iter().map(|t| t.kind).collect();
        check(kinds == c.prior, "prior therapy", format!("{kinds:?}"));
        check(
            p.regimen.combinations == c.combinations,
            "combinations",
            format!("{:?}", p.regimen.combinations),
        );
        check(
            p.regimen.monotherapy == c.monotherapy,
            "monotherapy",
            format!("{}", p.regimen.monotherapy),
        );
        for q in c.qualifiers {
            check(
                p.qualifiers.iter().any(|x| x == q),
                "qualifier",
                format!("{q:?} missing from {:?}", p.qualifiers),
            );
        }
        check(
            p.min_weight_kg == c.min_kg,
            "weight",
            format!("{:?}", p.min_weight_kg),
        );
        check(
            r.fully_read == c.fully_read,
            "fully read",
            format!("{} (unread {:?})", r.fully_read, r.unread),
        );
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// A sentence after a section reference is still read on its own: the reference's full stop
/// is not consumed, so a restriction after it cannot be swallowed by the phrase before.
#[test]
fn restrictions_after_references_stay_unread() {
    let pandemrix = "Prophylaxis of influenza caused by A (H1N1)v 2009 virus. Pandemrix should only be used if the recommended annual seasonal trivalent / quadrivalent influenza vaccines are not available and if immunisation against (H1N1)v is considered necessary (see sections 4.4 and 4.8). Pandemrix should be used in accordance with Official Guidance.";
    let r = read_population_with_names(None, pandemrix, &["Pandemrix"]);
    assert!(!r.fully_read, "{r:?}");
    let halaven = "Halaven monotherapy is indicated for the treatment of patients with locally advanced or metastatic breast cancer who have progressed after at least one chemotherapeutic regimens for advanced disease (see section 5.1). Prior therapy should have included an anthracycline and a taxane unless patients were not suitable for these treatments.";
    let r = read_population_with_names(None, halaven, &["Halaven", "eribulin"]);
    assert!(!r.fully_read, "{r:?}");
    assert!(
        r.unread.iter().any(|u| u.contains("anthracycline")),
        "{:?}",
        r.unread
    );
}

#[test]
fn a_regimen_item_keeps_the_leads_condition() {
    let r = read_population_with_names(
        Some(
            "Trajenta is indicated in the treatment of type 2 diabetes mellitus to improve glycaemic control in adults:",
        ),
        "as combination therapy in combination with metformin when diet and exercise plus metformin alone do not provide adequate glycaemic control.",
        &["Trajenta", "linagliptin"],
    );
    assert_eq!(
        r.condition_text.as_deref(),
        Some("type 2 diabetes mellitus")
    );
}

#[test]
fn a_childrens_range_does_not_cap_adults() {
    let r = read_population_with_names(
        None,
        "Alisade is indicated for the treatment of the symptoms of allergic rhinitis. Adults, adolescents (12 years and over) and children (6 - 11 years).",
        &["Alisade"],
    );
    assert_eq!(r.population.min_age_months, Some(72));
    assert_eq!(r.population.max_age_months, None);
}

#[test]
fn a_heading_that_names_patients_bounds_the_clause() {
    let text = "AdultsX is indicated for the treatment of asthma. Children (6 to &lt;12&nbsp;years of age)X is indicated for the treatment of asthma.";
    let clauses = split_with_names(text, &["X"]);
    assert_eq!(clauses.len(), 2);
    let adults = read_clause_with_names(text, &clauses[0], &["X"]).population;
    assert_eq!(adults.min_age_months, Some(216));
    let children = read_clause_with_names(text, &clauses[1], &["X"]).population;
    assert_eq!(
        (children.min_age_months, children.max_age_months),
        (Some(72), Some(144))
    );
}

#[test]
fn paediatric_words_set_groups() {
    let r = read_population_with_names(None, "Treatment of X in paediatric patients.", &[]);
    assert_eq!(r.population.age_groups, vec![AgeGroup::Paediatric]);
    assert_eq!(r.population.max_age_months, Some(216));
}

#[test]
fn exclusions_are_kept() {
    let r = read_population_with_names(
        None,
        "X is indicated for the treatment of chronic hepatitis C. X is not indicated for the treatment of acute hepatitis C.",
        &["X"],
    );
    assert_eq!(r.population.exclusions.len(), 1);
    assert!(r.population.exclusions[0].contains("acute hepatitis c"));
}

#[test]
fn whole_texts_split_and_read() {
    // Xeljanz as the export writes it: headings glued to their sentences.
    let text = "Rheumatoid arthritisTofacitinib in combination with methotrexate (MTX) is indicated for the treatment of moderate to severe active rheumatoid arthritis (RA) in adult patients who have responded inadequately to, or who are intolerant to one or more disease-modifying antirheumatic drugs (DMARDs) (see section 5.1). Tofacitinib can be given as monotherapy in case of intolerance to MTX or when treatment with MTX is inappropriate (see sections 4.4 and 4.5). Psoriatic arthritisTofacitinib in combination with MTX is indicated for the treatment of active psoriatic arthritis (PsA) in adult patients who have had an inadequate response or who have been intolerant to a prior disease modifying antirheumatic drug (DMARD) therapy (see section 5.1). Ulcerative colitisTofacitinib is indicated for the treatment of adult patients with moderately to severely active ulcerative colitis (UC) who have had an inadequate response, lost response, or were intolerant to either conventional therapy or a biologic agent (see section 5.1). Ankylosing spondylitisTofacitinib is indicated for the treatment of adult patients with active ankylosing spondylitis (AS) who have responded inadequately to conventional therapy.";
    let names = ["Xeljanz", "tofacitinib"];
    let clauses = split_with_names(text, &names);
    let headings: Vec<&str> = clauses
        .iter()
        .filter_map(|c| c.heading_text(text))
        .collect();
    assert_eq!(
        headings,
        [
            "Rheumatoid arthritis",
            "Psoriatic arthritis",
            "Ulcerative colitis",
            "Ankylosing spondylitis"
        ]
    );
    let conditions: Vec<String> = clauses
        .iter()
        .filter_map(|c| read_clause_with_names(text, c, &names).condition_text)
        .collect();
    assert_eq!(
        conditions,
        [
            "rheumatoid arthritis (ra)",
            "psoriatic arthritis (psa)",
            "ulcerative colitis (uc)",
            "ankylosing spondylitis (as)"
        ]
    );
}

mod properties {
    use offlabel_indications::{read_population, read_population_with_names};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn reading_any_text_never_panics(
            lead in proptest::option::of("\\PC{0,80}"),
            quote in "\\PC{0,200}",
            name in "\\PC{0,10}",
        ) {
            let r = read_population_with_names(lead.as_deref(), &quote, &[name.as_str()]);
            prop_assert!(!r.fully_read || r.unread.is_empty());
        }

        /// A restriction the reader does not know, added to a fully read clause, makes it not
        /// fully read: an unread restriction never widens the population.
        #[test]
        fn an_unknown_restriction_is_never_dropped(word in "[b-df-hj-np-tv-z]{6,10}") {
            let base = "Cibinqo is indicated for the treatment of moderate-to-severe atopic dermatitis in adults and adolescents 12 years and older who are candidates for systemic therapy.";
            prop_assert!(read_population(None, base).fully_read);
            let with = format!("{base} Patients must be {word} positive.");
            let r = read_population(None, &with);
            prop_assert!(!r.fully_read, "{:?}", r);
        }
    }
}
