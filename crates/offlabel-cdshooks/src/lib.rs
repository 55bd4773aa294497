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

/// Feedback outcomes counted per (service, outcome, override reason code).
#[derive(Debug, Default)]
pub struct FeedbackCounts {
    counts: Mutex<BTreeMap<(String, String, String), u64>>,
}

impl FeedbackCounts {
    /// Counts the entries of one feedback request; returns how many were accepted.
    ///
    /// # Errors
    /// A message naming the first entry that breaks the spec's rules (outcome not
    /// `accepted`/`overridden`, accepted without `acceptedSuggestions`).
    pub fn record(&self, service: &str, req: &FeedbackRequest) -> Result<usize, String> {
        for (i, f) in req.feedback.iter().enumerate() {
            match f.outcome.as_str() {
                "accepted" if f.accepted_suggestions.is_empty() => {
                    return Err(format!(
                        "feedback[{i}]: outcome accepted needs acceptedSuggestions"
                    ));
                }
                "accepted" | "overridden" => {}
                other => {
                    return Err(format!(
                        "feedback[{i}].outcome: {other:?} is not accepted or overridden"
                    ));
                }
            }
        }
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for f in &req.feedback {
            let reason = f
                .override_reason
                .as_ref()
                .and_then(|r| r.get("reason"))
                .and_then(|r| r.get("code"))
                .and_then(serde_json::Value::as_str)
                .unwrap_or("-")
                .to_string();
            *counts
                .entry((service.to_string(), f.outcome.clone(), reason))
                .or_default() += 1;
        }
        Ok(req.feedback.len())
    }

    /// A snapshot: (service, outcome, reason) → count.
    pub fn snapshot(&self) -> BTreeMap<(String, String, String), u64> {
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}
