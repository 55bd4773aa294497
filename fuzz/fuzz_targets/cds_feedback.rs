//! Fuzzes CDS Hooks feedback: any bytes must be counted or refused, never panic; the
//! counts table must stay within its closed lists whatever the client sends, and no
//! refusal message may quote the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use offlabel_cdshooks::service::{OVERRIDE_CODES, SERVICE_IDS};
use offlabel_cdshooks::{FeedbackCounts, MAX_FEEDBACK_ENTRIES, parse_feedback};
use std::sync::LazyLock;

static COUNTS: LazyLock<FeedbackCounts> = LazyLock::new(FeedbackCounts::default);

fuzz_target!(|data: &[u8]| {
    let service = SERVICE_IDS[usize::from(data.first().copied().unwrap_or(0)) % 2];
    match parse_feedback(data).and_then(|req| {
        let n = req.feedback.len();
        COUNTS.record(service, &req).map(|s| (n, s))
    }) {
        Ok((n, summary)) => {
            assert!(n <= MAX_FEEDBACK_ENTRIES);
            assert_eq!(summary.total(), n);
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty());
        }
    }
    // Bounded by construction: services × outcomes × (offered codes + none + other).
    let snapshot = COUNTS.snapshot();
    assert!(snapshot.len() <= SERVICE_IDS.len() * 2 * (OVERRIDE_CODES.len() + 2));
    for key in snapshot.keys() {
        assert!(
            OVERRIDE_CODES.contains(&key.reason) || key.reason == "none" || key.reason == "other"
        );
    }
});
