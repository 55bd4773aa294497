//! The embedded pack answers for any day: `Pack::at` keeps the records in force then.

use offlabel_model::{PartialDate, Regulator};
use offlabel_pack::Pack;

fn pack() -> Pack {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge");
    Pack::from_dir(&dir).unwrap_or_else(|e| panic!("{e}"))
}

fn day(text: &str) -> PartialDate {
    text.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn ids(p: &Pack, medicine: &str, regulator: Regulator) -> Vec<String> {
    p.authorisations_of(medicine)
        .filter(|a| a.regulator == regulator)
        .map(|a| a.id.clone())
        .collect()
}

#[test]
fn superseded_records_answer_for_their_days() {
    let full = pack();
    let then = full.at(day("2023-06-01"));
    assert_eq!(then.meta.as_of, day("2023-06-01"));
    let us = ids(&then, "ruxolitinib-topical", Regulator::Fda);
    assert!(
        us.contains(&"fda-ruxolitinib-cream-ad".to_string()),
        "{us:?}"
    );
    assert!(
        !us.contains(&"fda-ruxolitinib-cream-ad-2025".to_string()),
        "{us:?}"
    );
    let now = full.at(full.meta.as_of);
    let us = ids(&now, "ruxolitinib-topical", Regulator::Fda);
    assert!(
        us.contains(&"fda-ruxolitinib-cream-ad-2025".to_string()),
        "{us:?}"
    );
    assert!(
        !us.contains(&"fda-ruxolitinib-cream-ad".to_string()),
        "{us:?}"
    );
    // The superseded record stays in the pack.
    assert!(
        full.authorisations
            .iter()
            .any(|a| a.id == "fda-ruxolitinib-cream-ad")
    );
}

#[test]
fn a_regulator_with_only_later_records_is_not_listed_yet() {
    let then = pack().at(day("2022-01-01"));
    let m = then
        .medicine("ritlecitinib")
        .unwrap_or_else(|| panic!("ritlecitinib"));
    assert!(
        m.authorisations_known.is_empty(),
        "{:?}",
        m.authorisations_known
    );
}

#[test]
fn the_pack_date_is_its_newest_fact() {
    let p = pack();
    let newest = p
        .authorisations
        .iter()
        .filter_map(|a| a.date)
        .chain(p.regulatory_events.iter().map(|e| e.date))
        .max();
    assert!(newest.is_some_and(|n| n <= p.meta.as_of));
}
