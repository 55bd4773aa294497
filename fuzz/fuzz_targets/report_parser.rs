//! Fuzzes the adverse-reaction report parser: any bytes must give a validated report or
//! a refusal, never a panic; an accepted report must survive its own round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use offlabel_engine::Engine;
use offlabel_reports::date::Date;
use offlabel_reports::validate::MAX_ERRORS;
use offlabel_reports::{Report, ReportError, Role, parse_report_on};
use std::sync::LazyLock;

static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::new(offlabel_embedded::pack().expect("embedded pack is valid")));

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 22,
};

fuzz_target!(|data: &[u8]| {
    match parse_report_on(data, &*ENGINE, TODAY) {
        Ok(new) => {
            let r = &new.report;
            assert!(r.drugs.iter().any(|d| d.role == Role::Suspect));
            assert!(!r.reactions.is_empty());
            assert_eq!(new.drug_ids.len(), r.drugs.len());
            assert!(!new.idempotency_key.is_empty());
            // The stored body reads back as the same report...
            let body = r.canonical_json();
            let back: Report = serde_json::from_str(&body).expect("body reads back");
            assert_eq!(&back, r);
            // ...and is itself an acceptable report that normalises to itself.
            let again = parse_report_on(body.as_bytes(), &*ENGINE, TODAY)
                .expect("a normalised report is accepted again");
            assert_eq!(&again.report, r);
            assert_eq!(again.drug_ids, new.drug_ids);
        }
        Err(ReportError::Invalid(fields)) => {
            assert!(!fields.is_empty());
            assert!(fields.len() <= MAX_ERRORS + 1);
            assert!(
                fields
                    .iter()
                    .all(|f| !f.field.is_empty() && !f.message.is_empty())
            );
        }
        Err(ReportError::Syntax(_) | ReportError::TooLarge(_)) => {}
    }
});
