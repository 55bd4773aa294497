//! The `ask --json` contract (v2, `../shared/eval/CONTRACT.md`) opens medicine ids to any
//! medicine; the six ids its first version fixed are a profile this repository's pack
//! keeps. The loader enforces nothing about them: this test does, for the embedded pack.

/// The medicine ids of the contract's first profile.
const PROFILE_MEDICINES: [&str; 6] = [
    "ruxolitinib-topical",
    "ruxolitinib-oral",
    "baricitinib",
    "upadacitinib",
    "abrocitinib",
    "tofacitinib",
];

#[test]
fn the_embedded_pack_defines_the_profile_medicines() {
    let pack = offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}"));
    for id in PROFILE_MEDICINES {
        assert!(
            pack.medicine(id).is_some(),
            "the contract profile names {id}"
        );
    }
}

#[test]
fn class_facts_reach_members_only() {
    let pack = offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}"));
    let class = pack
        .classes
        .first()
        .unwrap_or_else(|| panic!("the embedded pack has a class"));
    let ids = [class.id.clone()];
    assert!(pack.applies_to(&ids, "baricitinib"));
    // A TYK2-only inhibitor carries none of the JAK class warnings.
    assert!(!pack.applies_to(&ids, "deucravacitinib"));
}
