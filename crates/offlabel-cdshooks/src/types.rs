//! The CDS Hooks 2.0 wire types (discovery, request, response, feedback).
//!
//! Optional fields without a value are omitted, never `null` or empty, as the
//! specification requires; the one exception is `{"cards": []}`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// `GET {base}/cds-services`: the services this server hosts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discovery {
    /// The services.
    pub services: Vec<Service>,
}

/// One CDS service in the discovery response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// The hook it answers (`order-select`, `order-sign`).
    pub hook: String,
    /// Human title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What it does.
    pub description: String,
    /// The id: the service lives at `{base}/cds-services/{id}`.
    pub id: String,
    /// Prefetch templates by key.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub prefetch: BTreeMap<String, String>,
    /// What the EHR must arrange before using it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_requirements: Option<String>,
}

/// `POST {base}/cds-services/{id}`: a hook invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HookRequest {
    /// The hook that fired.
    pub hook: String,
    /// Unique id of this invocation.
    pub hook_instance: String,
    /// The EHR's FHIR base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fhir_server: Option<String>,
    /// The OAuth token for `fhirServer`; never logged, never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fhir_authorization: Option<Value>,
    /// The hook context (`patientId`, `draftOrders`, `selections`...).
    pub context: Map<String, Value>,
    /// Prefetched FHIR data by key: a resource, a searchset Bundle, or `null` (no data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefetch: Option<Map<String, Value>>,
}

/// The response: cards (and system actions, which this service never sends).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HookResponse {
    /// Cards; empty means "no guidance".
    pub cards: Vec<Card>,
    /// Actions the EHR may apply without asking.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub system_actions: Vec<Action>,
}

/// Urgency of a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Indicator {
    /// Must be seen: a contraindication.
    Critical,
    /// Should be seen: off-label use, a dose change, a risk group.
    Warning,
    /// For information: screening, monitoring, missing data.
    Info,
}

/// One card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    /// Stable id (UUID v5 of service, kind, medicine and rule), used by feedback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// One sentence, under 140 characters.
    pub summary: String,
    /// GitHub-flavoured Markdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Urgency.
    pub indicator: Indicator,
    /// Where the guidance comes from.
    pub source: Source,
    /// Proposed changes to the orders.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
    /// `at-most-one` or `any`; present exactly when `suggestions` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection_behavior: Option<String>,
    /// Reasons a clinician may give for overriding the card.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub override_reasons: Vec<Coding>,
    /// Links to read more.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// The source of a card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Short label.
    pub label: String,
    /// Absolute URL to read about the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Absolute URL of a 100×100 PNG.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Topic of the card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<Coding>,
}

/// A FHIR-style coding (`code` and `system` required).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coding {
    /// The code.
    pub code: String,
    /// The code system.
    pub system: String,
    /// Display text (required for override reasons).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// A proposed change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    /// What it does, for the button.
    pub label: String,
    /// Stable id, reported back by feedback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// Whether it is the recommended choice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_recommended: Option<bool>,
    /// Actions, applied together.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
}

/// One change to a FHIR resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// `create`, `update` or `delete`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What it does.
    pub description: String,
    /// The whole resource (create and update).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<Value>,
    /// A relative reference (delete).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
}

/// A link to read more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// Label.
    pub label: String,
    /// Absolute URL.
    pub url: String,
    /// `absolute` (this service sends no SMART links).
    #[serde(rename = "type")]
    pub kind: String,
}

/// `POST {base}/cds-services/{id}/feedback`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackRequest {
    /// One entry per card acted on.
    pub feedback: Vec<Feedback>,
}

/// Feedback on one card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Feedback {
    /// The card's `uuid`.
    pub card: String,
    /// `accepted` or `overridden`.
    pub outcome: String,
    /// Accepted suggestions (`[{"id": uuid}]`), required when accepted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted_suggestions: Vec<Value>,
    /// Why it was overridden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_reason: Option<Value>,
    /// When (RFC 3339).
    pub outcome_timestamp: String,
}
