//! Property tests of the parser's context (issue 18): negating a finding never adds a
//! flag, and moving a finding to someone else never adds a patient flag.

use offlabel_engine::Engine;
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::sync::LazyLock;

static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::new(offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}"))));

/// Findings as a patient states them: (affirmed, negated, someone else's).
const FINDINGS: [(&str, &str, &str); 10] = [
    ("I smoke", "I don't smoke", "my husband smokes"),
    ("I am pregnant", "I am not pregnant", "my wife is pregnant"),
    (
        "I had a blood clot",
        "I never had a blood clot",
        "my friend had a blood clot",
    ),
    ("I had a PE", "I have never had a PE", "my partner had a PE"),
    (
        "I had a heart attack",
        "no heart attack ever",
        "my colleague had a heart attack",
    ),
    (
        "I had breast cancer",
        "I have no history of cancer",
        "my father had cancer",
    ),
    (
        "I am breastfeeding",
        "I am not breastfeeding",
        "my sister is breastfeeding",
    ),
    (
        "I keep getting infections",
        "I don't get infections",
        "my boyfriend keeps getting infections",
    ),
    (
        "I have kidney disease",
        "I have no kidney disease",
        "my neighbour has kidney disease",
    ),
    (
        "I have broken skin",
        "I have no broken skin",
        "my flatmate has broken skin",
    ),
];

const ASKS: [&str; 6] = [
    "can I use Opzelura for vitiligo?",
    "can I take Rinvoq for eczema?",
    "is Olumiant OK for my alopecia areata?",
    "can I take Cibinqo for atopic dermatitis?",
    "¿puedo usar Opzelura para el vitíligo?",
    "is baricitinib safe for me?",
];

fn flags(q: &str) -> BTreeSet<String> {
    ENGINE
        .ask(q)
        .map(|a| a.flags.iter().map(|f| format!("{:?}", f.id)).collect())
        .unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    #[test]
    fn negating_or_moving_a_finding_never_adds_a_flag(
        f in 0..FINDINGS.len(),
        g in 0..FINDINGS.len(),
        ask in 0..ASKS.len(),
    ) {
        let (yes, no, other) = FINDINGS[f];
        // A second, affirmed finding stays the same across the three questions.
        let (also, _, _) = FINDINGS[g];
        let base = flags(&format!("{also}. {ask}", ask = ASKS[ask]));
        let affirmed = flags(&format!("{also}. {yes}, {ask}", ask = ASKS[ask]));
        let negated = flags(&format!("{also}. {no}, {ask}", ask = ASKS[ask]));
        let moved = flags(&format!("{also}. {other}, {ask}", ask = ASKS[ask]));
        prop_assert!(negated.is_subset(&affirmed.union(&base).cloned().collect()),
            "negating added {:?}", negated.difference(&base).collect::<Vec<_>>());
        prop_assert!(negated.is_subset(&base), "negated {no:?} added {:?}", negated.difference(&base).collect::<Vec<_>>());
        prop_assert!(moved.is_subset(&base), "moving to another person {other:?} added {:?}", moved.difference(&base).collect::<Vec<_>>());
    }
}
