//! CDS Hooks 2.0 services over the offlabel engine (`docs/cds-hooks.md`).
//!
//! - [`types`]: the wire types (discovery, request, response, cards, feedback).
//! - [`service`]: [`service::discovery`] and [`service::invoke`]: a hook request's
//!   `draftOrders` (FHIR R4 or R5 MedicationRequest) and `prefetch` become an
//!   [`offlabel_engine::CheckRequest`]; the report becomes cards.
//! - [`input`]: tolerant reading of the FHIR JSON.
//! - [`auth`]: verification of the EHR's JWT, with a `jti` replay cache.
//! - [`FeedbackCounts`]: feedback, kept as counts only.
//!
//! No HTTP here: `offlabel-server` mounts it.

pub mod auth;
pub mod input;
pub mod service;
pub mod types;

pub use service::{Env, HookError, discovery, invoke};
pub use types::*;

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Most entries one feedback request may carry (a card set is a handful of cards).
pub const MAX_FEEDBACK_ENTRIES: usize = 64;

/// Largest feedback body accepted, in bytes.
pub const MAX_FEEDBACK_BYTES: usize = 64 * 1024;

/// The outcome of one feedback entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// The clinician took the card's advice.
    Accepted,
    /// The clinician went ahead anyway.
    Overridden,
}

impl Outcome {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Overridden => "overridden",
        }
    }
}

/// One counter of [`FeedbackCounts`]: every part comes from a closed list, never from
/// the client, so the table cannot grow past services × outcomes × reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FeedbackKey {
    /// The service id (one of [`discovery`]'s).
    pub service: &'static str,
    /// Accepted or overridden.
    pub outcome: Outcome,
    /// One of [`service::OVERRIDE_CODES`], `none` (no reason given) or `other` (a code
    /// this server never offered).
    pub reason: &'static str,
}

/// What one feedback request held, as counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedbackSummary {
    /// Entries with outcome `accepted`.
    pub accepted: usize,
    /// Entries with outcome `overridden`.
    pub overridden: usize,
    /// Overridden entries whose reason code is not one this server offers.
    pub other_reasons: usize,
}

impl FeedbackSummary {
    /// All entries.
    pub fn total(&self) -> usize {
        self.accepted + self.overridden
    }
}

/// Why a feedback request was refused. Messages never quote the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedbackError {
    /// The service id is not one of ours.
    #[error("no CDS service with this id; GET /cds-services lists them")]
    UnknownService,
    /// The body is larger than [`MAX_FEEDBACK_BYTES`].
    #[error(
        "the feedback body is larger than {MAX_FEEDBACK_BYTES} bytes; send one entry per card acted on"
    )]
    TooLarge,
    /// The body is not the spec's feedback object.
    #[error("the body is not CDS Hooks feedback: {0}")]
    Syntax(String),
    /// More than [`MAX_FEEDBACK_ENTRIES`] entries.
    #[error(
        "the body holds more than {MAX_FEEDBACK_ENTRIES} feedback entries; send one entry per card acted on"
    )]
    TooMany,
    /// An entry breaks the spec's rules.
    #[error("feedback[{index}]: {problem}")]
    Entry {
        /// The entry's position.
        index: usize,
        /// What is wrong with it.
        problem: &'static str,
    },
}

/// Reads a feedback body: size limit, JSON syntax (duplicate keys refused), shape.
///
/// # Errors
/// [`FeedbackError::TooLarge`] or [`FeedbackError::Syntax`]; the syntax message is
/// serde's, which names a line and column and never more than a short fragment.
pub fn parse_feedback(body: &[u8]) -> Result<FeedbackRequest, FeedbackError> {
    if body.len() > MAX_FEEDBACK_BYTES {
        return Err(FeedbackError::TooLarge);
    }
    offlabel_json::check_no_duplicate_keys(body)
        .map_err(|e| FeedbackError::Syntax(e.to_string()))?;
    serde_json::from_slice(body).map_err(|e| FeedbackError::Syntax(e.to_string()))
}

/// Feedback counts per (service, outcome, override reason), from closed lists only:
/// no client text is kept, so memory stays bounded whatever clients send.
#[derive(Debug, Default)]
pub struct FeedbackCounts {
    counts: Mutex<BTreeMap<FeedbackKey, u64>>,
}

impl FeedbackCounts {
    /// Counts the entries of one feedback request.
    ///
    /// # Errors
    /// [`FeedbackError`] for an unknown service, too many entries, or the first entry
    /// that breaks the spec's rules (outcome not `accepted`/`overridden`, accepted
    /// without `acceptedSuggestions`). Nothing is counted then.
    pub fn record(
        &self,
        service: &str,
        req: &FeedbackRequest,
    ) -> Result<FeedbackSummary, FeedbackError> {
        let service = service::SERVICE_IDS
            .iter()
            .copied()
            .find(|s| *s == service)
            .ok_or(FeedbackError::UnknownService)?;
        if req.feedback.len() > MAX_FEEDBACK_ENTRIES {
            return Err(FeedbackError::TooMany);
        }
        let mut keys = Vec::with_capacity(req.feedback.len());
        let mut summary = FeedbackSummary::default();
        for (index, f) in req.feedback.iter().enumerate() {
            let outcome = match f.outcome.as_str() {
                "accepted" if f.accepted_suggestions.is_empty() => {
                    return Err(FeedbackError::Entry {
                        index,
                        problem: "outcome accepted needs acceptedSuggestions",
                    });
                }
                "accepted" => Outcome::Accepted,
                "overridden" => Outcome::Overridden,
                _ => {
                    return Err(FeedbackError::Entry {
                        index,
                        problem: "outcome must be accepted or overridden",
                    });
                }
            };
            let reason = match f
                .override_reason
                .as_ref()
                .and_then(|r| r.get("reason"))
                .and_then(|r| r.get("code"))
            {
                None => "none",
                Some(code) => service::OVERRIDE_CODES
                    .iter()
                    .copied()
                    .find(|c| code.as_str() == Some(*c))
                    .unwrap_or("other"),
            };
            match outcome {
                Outcome::Accepted => summary.accepted += 1,
                Outcome::Overridden => {
                    summary.overridden += 1;
                    if reason == "other" {
                        summary.other_reasons += 1;
                    }
                }
            }
            keys.push(FeedbackKey {
                service,
                outcome,
                reason,
            });
        }
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for key in keys {
            let n = counts.entry(key).or_default();
            *n = n.saturating_add(1);
        }
        Ok(summary)
    }

    /// A snapshot of every counter.
    pub fn snapshot(&self) -> BTreeMap<FeedbackKey, u64> {
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(outcome: &str, code: Option<&str>) -> serde_json::Value {
        let mut e = serde_json::json!({ "card": "c", "outcome": outcome, "outcomeTimestamp": "2026-05-01T10:00:00Z" });
        if outcome == "accepted" {
            e["acceptedSuggestions"] = serde_json::json!([{ "id": "s" }]);
        }
        if let Some(c) = code {
            e["overrideReason"] = serde_json::json!({ "reason": { "code": c } });
        }
        e
    }

    fn request(entries: Vec<serde_json::Value>) -> FeedbackRequest {
        let body = serde_json::json!({ "feedback": entries }).to_string();
        parse_feedback(body.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn client_codes_are_not_kept_and_the_table_stays_bounded() {
        let counts = FeedbackCounts::default();
        for i in 0..500 {
            let code = format!("John Smith DOB 1950-01-0{} MRN {i}\nforged", i % 9);
            let req = request(vec![entry("overridden", Some(&code))]);
            let s = counts
                .record(service::SERVICE_IDS[0], &req)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(s.other_reasons, 1);
        }
        let snap = counts.snapshot();
        assert_eq!(snap.len(), 1);
        assert_eq!(snap.keys().next().map(|k| k.reason), Some("other"));
        assert_eq!(snap.values().next(), Some(&500));
    }

    #[test]
    fn offered_codes_are_counted_by_name() {
        let counts = FeedbackCounts::default();
        let req = request(vec![
            entry("overridden", Some("benefit-outweighs-risk")),
            entry("overridden", None),
            entry("accepted", None),
        ]);
        let s = counts
            .record(service::SERVICE_IDS[1], &req)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.accepted, s.overridden, s.other_reasons), (1, 2, 0));
        let reasons: Vec<&str> = counts.snapshot().keys().map(|k| k.reason).collect();
        assert!(reasons.contains(&"benefit-outweighs-risk"));
        assert!(reasons.contains(&"none"));
    }

    #[test]
    fn limits_and_unknown_services_are_refused() {
        let counts = FeedbackCounts::default();
        let many = request(vec![entry("overridden", None); MAX_FEEDBACK_ENTRIES + 1]);
        assert_eq!(
            counts.record(service::SERVICE_IDS[0], &many),
            Err(FeedbackError::TooMany)
        );
        let one = request(vec![entry("overridden", None)]);
        assert_eq!(
            counts.record("made-up", &one),
            Err(FeedbackError::UnknownService)
        );
        assert!(counts.snapshot().is_empty());
        let big = vec![b' '; MAX_FEEDBACK_BYTES + 1];
        assert_eq!(parse_feedback(&big).err(), Some(FeedbackError::TooLarge));
        assert!(matches!(
            parse_feedback(br#"{"feedback": [], "feedback": []}"#),
            Err(FeedbackError::Syntax(_))
        ));
    }
}
