//! Adverse-reaction reports over HTTP: `POST /v1/reports` and `GET /v1/reports/{id}`.
//!
//! Both endpoints hold patient data and are guarded by a bearer token
//! ([`ReportsConfig::token`], from `OFFLABEL_WRITE_TOKEN` when `offlabel serve` starts).
//! Without a configuration they answer 403 `writes_disabled`; a missing or wrong token
//! gets 401. Validation and storage are `offlabel-reports`'; this module translates HTTP.
//!
//! Statuses of `POST /v1/reports`:
//! - 201 `{"id"}`: stored; sent only after the store's transaction committed.
//! - 200 `{"id", "replayed": true}`: the same report was already stored under the same
//!   idempotency key (a retry); nothing new stored.
//! - 400 `invalid_json` / `invalid_report` (with `fields`, one entry per field);
//!   401 `unauthorized`; 403 `writes_disabled`; 409 `idempotency_key_conflict`;
//!   413 `payload_too_large`; 415 `unsupported_media_type`; 503 `store_unavailable`
//!   (nothing stored; retry with the same idempotency key).
//!
//! Logs carry the report id and status only: never the narrative or patient fields.

use crate::AppState;
use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use offlabel_reports::{
    FieldError, MAX_REPORT_BYTES, ReportError, Store, StoreError, parse_report,
};
use serde::Serialize;
use std::sync::Arc;

/// The report endpoints' configuration: where reports go and the token that guards them.
#[derive(Clone)]
pub struct ReportsConfig {
    /// The store reports are written to and read from.
    pub store: Arc<dyn Store>,
    /// The bearer token clients must send (`Authorization: Bearer TOKEN`). Not empty.
    pub token: String,
}

impl ReportsConfig {
    /// A configuration, or `None` when `token` is absent or empty (the endpoints are
    /// then off).
    pub fn new(store: Arc<dyn Store>, token: Option<String>) -> Option<ReportsConfig> {
        token
            .filter(|t| !t.is_empty())
            .map(|token| ReportsConfig { store, token })
    }
}

impl std::fmt::Debug for ReportsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportsConfig")
            .field("store", &self.store.backend())
            .field("token", &"***")
            .finish()
    }
}

impl PartialEq for ReportsConfig {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.store, &other.store) && self.token == other.token
    }
}

impl Eq for ReportsConfig {}

/// The routes, guarded by the token check.
pub(crate) fn routes(config: Option<ReportsConfig>) -> Router<AppState> {
    match &config {
        Some(c) => tracing::info!(
            store = c.store.backend(),
            "report endpoints on (bearer token required)"
        ),
        None => tracing::info!("report endpoints off (no write token configured)"),
    }
    Router::new()
        .route(
            "/v1/reports",
            // Narratives can be long: this route has its own limit, whatever --body-limit says.
            post(add).layer(DefaultBodyLimit::max(MAX_REPORT_BYTES)),
        )
        .route("/v1/reports/{id}", get(show))
        .route_layer(middleware::from_fn(move |req: Request, next: Next| {
            let config = config.clone();
            async move { guard(config.as_ref(), req, next).await }
        }))
}

/// A field of a refused report.
#[derive(Debug, Serialize)]
struct FieldProblem {
    field: String,
    message: String,
}

#[derive(Debug, Serialize)]
struct ErrorDetail {
    code: &'static str,
    message: String,
    fields: Vec<FieldProblem>,
}

#[derive(Debug, Serialize)]
struct ErrorBody {
    error: ErrorDetail,
}

/// An error of the report endpoints: `{"error": {"code", "message", "fields"}}`.
struct ReportApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    fields: Vec<FieldError>,
}

impl ReportApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ReportApiError {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }
}

impl IntoResponse for ReportApiError {
    fn into_response(self) -> Response {
        // Code and status only: messages may quote the report.
        if self.status.is_server_error() {
            tracing::error!(
                status = self.status.as_u16(),
                code = self.code,
                "report endpoint error"
            );
        } else {
            tracing::debug!(
                status = self.status.as_u16(),
                code = self.code,
                "report refused"
            );
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                fields: self
                    .fields
                    .into_iter()
                    .map(|f| FieldProblem {
                        field: f.field,
                        message: f.message,
                    })
                    .collect(),
            },
        };
        let mut res = (self.status, Json(body)).into_response();
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"offlabel reports\""),
            );
        }
        res
    }
}

/// Whether the given token is the expected one, in time that depends on neither where
/// they differ nor the expected token's length: both are hashed with SipHash under a
/// per-process random key and the two 64-bit hashes compared; only on a hash match are
/// the bytes compared (which then reveals nothing an attacker could not already know).
fn same_token(given: &[u8], expected: &[u8]) -> bool {
    use std::hash::BuildHasher;
    static KEYS: std::sync::OnceLock<std::collections::hash_map::RandomState> =
        std::sync::OnceLock::new();
    let keys = KEYS.get_or_init(std::collections::hash_map::RandomState::new);
    keys.hash_one(given) == keys.hash_one(expected) && given == expected
}

/// 403 when the endpoints are off, 401 without the right bearer token; else the route.
async fn guard(config: Option<&ReportsConfig>, req: Request<Body>, next: Next) -> Response {
    let Some(config) = config else {
        return ReportApiError::new(
            StatusCode::FORBIDDEN,
            "writes_disabled",
            "the write endpoints are off on this server: its operator enables them by starting `offlabel serve` with OFFLABEL_WRITE_TOKEN set",
        )
        .into_response();
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(offlabel_cdshooks::auth::bearer_token);
    match given {
        Some(t) if same_token(t.as_bytes(), config.token.as_bytes()) => next.run(req).await,
        Some(_) => ReportApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the bearer token is wrong; send the server's write token as Authorization: Bearer TOKEN",
        )
        .into_response(),
        None => ReportApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a bearer token is required: send Authorization: Bearer TOKEN with the server's write token",
        )
        .into_response(),
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .is_some_and(|m| {
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        })
}

/// A store failure: the report was not stored (or not read); safe to retry.
fn unavailable(e: &StoreError) -> ReportApiError {
    // The kind only: database messages can quote values.
    tracing::error!(error = %e.log_kind(), "report store failed");
    ReportApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "store_unavailable",
        "the report store failed, so nothing was stored; retry later with the same idempotency key (the operator's logs have the details)",
    )
}

/// `POST /v1/reports`.
async fn add(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match add_inner(state, headers, body).await {
        Ok(res) => res,
        Err(e) => e.into_response(),
    }
}

async fn add_inner(
    state: AppState,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ReportApiError> {
    let Some(config) = state.config.reports.clone() else {
        return Err(ReportApiError::new(
            StatusCode::FORBIDDEN,
            "writes_disabled",
            "the write endpoints are off on this server",
        ));
    };
    if !is_json(&headers) {
        return Err(ReportApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the report must be JSON: send it with the header Content-Type: application/json",
        ));
    }
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ReportApiError::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                "the request body could not be read; send the report again",
            )
        }
    })?;
    let engine = Arc::clone(&state.engine);
    let store = Arc::clone(&config.store);
    // Validation resolves drug names and the insert waits for the disk: both block.
    let outcome = tokio::task::spawn_blocking(move || {
        let report = parse_report(&bytes, &*engine)?;
        Ok::<_, Refusal>(store.insert(&report)?)
    })
    .await
    .map_err(|_| {
        ReportApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed while storing the report; retry with the same idempotency key",
        )
    })?;
    match outcome {
        Ok(inserted) => {
            tracing::info!(id = %inserted.id, created = inserted.created, "report stored");
            let location = format!("/v1/reports/{}", inserted.id);
            let (status, body) = if inserted.created {
                (StatusCode::CREATED, serde_json::json!({"id": inserted.id}))
            } else {
                (
                    StatusCode::OK,
                    serde_json::json!({"id": inserted.id, "replayed": true}),
                )
            };
            let mut res = (status, Json(body)).into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                res.headers_mut().insert(header::LOCATION, v);
            }
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(res)
        }
        Err(Refusal::Report(ReportError::Syntax(detail))) => Err(ReportApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!(
                "the body is not valid JSON ({detail}); send one report object, see docs/reports.md"
            ),
        )),
        Err(Refusal::Report(ReportError::TooLarge(_))) => Err(too_large()),
        Err(Refusal::Report(e @ ReportError::Invalid(_))) => {
            let fields = e.fields().to_vec();
            Err(ReportApiError {
                status: StatusCode::BAD_REQUEST,
                code: "invalid_report",
                message: format!(
                    "the report is refused: {} field(s) are missing or invalid; each is listed in fields",
                    fields.len()
                ),
                fields,
            })
        }
        Err(Refusal::Store(e @ StoreError::KeyConflict { .. })) => Err(ReportApiError::new(
            StatusCode::CONFLICT,
            "idempotency_key_conflict",
            e.to_string(),
        )),
        Err(Refusal::Store(e)) => Err(unavailable(&e)),
    }
}

fn too_large() -> ReportApiError {
    ReportApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!(
            "the report is larger than the limit of {MAX_REPORT_BYTES} bytes; shorten the narrative"
        ),
    )
}

/// Why a report was not stored.
enum Refusal {
    Report(ReportError),
    Store(StoreError),
}

impl From<ReportError> for Refusal {
    fn from(e: ReportError) -> Self {
        Refusal::Report(e)
    }
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        Refusal::Store(e)
    }
}

/// `GET /v1/reports/{id}`.
async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let not_found = || {
        ReportApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "there is no report with this id; the id is the one POST /v1/reports answered",
        )
        .into_response()
    };
    let Some(config) = state.config.reports.clone() else {
        return ReportApiError::new(
            StatusCode::FORBIDDEN,
            "writes_disabled",
            "the report endpoints are off on this server",
        )
        .into_response();
    };
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return not_found();
    }
    let store = Arc::clone(&config.store);
    match tokio::task::spawn_blocking(move || store.get(&id)).await {
        Ok(Ok(Some(report))) => {
            let mut res = Json(report).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Ok(Ok(None)) => not_found(),
        Ok(Err(e)) => unavailable(&e).into_response(),
        Err(_) => ReportApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed while reading the report",
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::same_token;

    #[test]
    fn tokens_compare_exactly() {
        assert!(same_token(b"abc", b"abc"));
        assert!(!same_token(b"abd", b"abc"));
        assert!(!same_token(b"ab", b"abc"));
        assert!(!same_token(b"", b"abc"));
    }
}
