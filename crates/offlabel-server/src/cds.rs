//! CDS Hooks 2.0 (`/cds-services`) and the read-only FHIR R5 endpoints (`/fhir`).
//!
//! The medical mapping lives in `offlabel-cdshooks` and `offlabel-fhir`; this module
//! is HTTP only: JWT check (when configured), CORS as CDS Hooks clients need it,
//! JSON in and out. Logs carry the service id, counts, and for tokens only `iss`/`jti`.

use crate::AppState;
use crate::ConfigError;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use offlabel_cdshooks::auth::Verifier;
use offlabel_cdshooks::input::Date;
use offlabel_cdshooks::{FeedbackCounts, FeedbackError, HookError, HookRequest};
use offlabel_engine::Engine;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// CDS Hooks settings of `offlabel serve`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CdsConfig {
    /// Public base URL of this server (`https://cds.example.org`, no trailing slash): the
    /// JWT audience is `{public_url}/cds-services[/{id}]`, and card links point here.
    /// `None`: taken from the request's `Host` header (over http), and JWTs are not checked.
    pub public_url: Option<String>,
    /// The EHR's public keys: a JWK Set (JSON) or one PEM public key. `None`: no JWT check.
    pub jwt_keys: Option<String>,
    /// Trusted JWT issuers (`iss`).
    pub issuers: Vec<String>,
}

impl CdsConfig {
    /// Reads `OFFLABEL_PUBLIC_URL`, `OFFLABEL_CDS_JWKS` (a JWK Set file) or
    /// `OFFLABEL_CDS_KEY` (a PEM public key file), and `OFFLABEL_CDS_ISSUERS` (comma-separated).
    ///
    /// # Errors
    /// A message naming the variable when a key file cannot be read.
    pub fn from_env() -> Result<CdsConfig, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let jwt_keys = match var("OFFLABEL_CDS_JWKS").or_else(|| var("OFFLABEL_CDS_KEY")) {
            Some(path) => Some(std::fs::read_to_string(path.trim()).map_err(|e| {
                format!("OFFLABEL_CDS_JWKS/OFFLABEL_CDS_KEY: cannot read {path:?}: {e}")
            })?),
            None => None,
        };
        Ok(CdsConfig {
            public_url: var("OFFLABEL_PUBLIC_URL")
                .map(|u| u.trim().trim_end_matches('/').to_string()),
            jwt_keys,
            issuers: var("OFFLABEL_CDS_ISSUERS")
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}

#[derive(Clone)]
struct CdsState {
    engine: Arc<Engine>,
    verifier: Option<Arc<Verifier>>,
    feedback: Arc<FeedbackCounts>,
    public_url: Option<String>,
    fhir: Arc<Vec<Value>>,
    /// `GET /fhir` bodies, serialized once per base URL (the pack never changes while
    /// the server runs). Bounded: base URLs come from `Host` headers.
    bundles: Arc<quick_cache::sync::Cache<String, Bytes>>,
}

/// Largest hook request body (draft orders plus prefetch), in bytes.
pub(crate) const HOOK_BODY_LIMIT: usize = 2 << 20;

/// The `/cds-services` and `/fhir` routes, with their own CORS layer.
pub(crate) fn routes(
    engine: Arc<Engine>,
    config: &CdsConfig,
) -> Result<Router<AppState>, ConfigError> {
    let verifier = match &config.jwt_keys {
        None if !config.issuers.is_empty() => {
            return Err(ConfigError(
                "OFFLABEL_CDS_ISSUERS is set but no key is: JWT checking would be off. Set OFFLABEL_CDS_JWKS (a JWK Set file) or OFFLABEL_CDS_KEY (a PEM public key file), or unset OFFLABEL_CDS_ISSUERS".into(),
            ));
        }
        None => None,
        Some(keys) => {
            if config.public_url.is_none() {
                return Err(ConfigError(
                    "CDS Hooks JWT checking needs the exact service URL: set OFFLABEL_PUBLIC_URL (e.g. https://cds.example.org)".into(),
                ));
            }
            Some(Arc::new(
                Verifier::new(keys, config.issuers.clone())
                    .map_err(|e| ConfigError(e.to_string()))?,
            ))
        }
    };
    let state = CdsState {
        fhir: Arc::new(offlabel_fhir::resources(engine.pack())),
        engine,
        verifier,
        feedback: Arc::new(FeedbackCounts::default()),
        public_url: config.public_url.clone(),
        bundles: Arc::new(quick_cache::sync::Cache::new(8)),
    };
    // CDS Hooks clients (the Sandbox, SMART apps) call from browsers with a bearer token.
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::any())
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .max_age(Duration::from_secs(3600));
    let cds = Router::new()
        .route("/cds-services", get(discovery).options(preflight))
        .route("/cds-services/{id}", post(invoke).options(preflight))
        .route(
            "/cds-services/{id}/feedback",
            post(feedback)
                .options(preflight)
                .layer(DefaultBodyLimit::max(offlabel_cdshooks::MAX_FEEDBACK_BYTES)),
        )
        .layer(DefaultBodyLimit::max(HOOK_BODY_LIMIT))
        .layer(cors);
    let fhir = Router::new()
        .route("/fhir", get(fhir_bundle).options(preflight))
        .route("/fhir/metadata", get(fhir_metadata).options(preflight))
        .route("/fhir/{rtype}", get(fhir_search).options(preflight))
        .route("/fhir/{rtype}/{id}", get(fhir_read).options(preflight))
        .layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::any())
                .allow_methods([Method::GET, Method::OPTIONS]),
        );
    Ok(cds.merge(fhir).with_state(state))
}

/// CORS preflight: the CORS layer answers it; this only makes OPTIONS a routed method
/// (the server's method-not-allowed fallback would otherwise answer first).
async fn preflight() -> StatusCode {
    StatusCode::NO_CONTENT
}

fn base_url(state: &CdsState, headers: &HeaderMap) -> String {
    if let Some(u) = &state.public_url {
        return u.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// 401 with no detail when a verifier is configured and the token fails.
fn authorize(state: &CdsState, headers: &HeaderMap, path: &str) -> Result<(), StatusCode> {
    let Some(verifier) = &state.verifier else {
        return Ok(());
    };
    let audience = format!("{}{path}", base_url(state, headers));
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok());
    match verifier.verify(auth, &audience, now()) {
        Ok(v) => {
            // Signed, but still the client's text: Debug escapes newlines and quotes.
            tracing::debug!(iss = ?v.iss, jti = ?v.jti, tenant = ?v.tenant, "CDS Hooks token accepted");
            Ok(())
        }
        Err(e) => {
            // The reason is one of the verifier's fixed phrases, never token text.
            tracing::info!(reason = ?e.to_string(), "CDS Hooks token refused");
            Err(StatusCode::UNAUTHORIZED)
        }
    }
}

fn json_error(status: StatusCode, message: impl Into<String>) -> Response {
    let code = crate::error::code_for(status);
    (
        status,
        axum::Json(
            json!({ "error": { "status": status.as_u16(), "code": code, "message": message.into() } }),
        ),
    )
        .into_response()
}

fn unknown_service() -> Response {
    json_error(
        StatusCode::NOT_FOUND,
        "no CDS service with this id; GET /cds-services lists them",
    )
}

/// The body, or the JSON error for one that could not be read (too large: 413).
fn read_body(
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<Bytes, (StatusCode, String)> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is larger than the limit of {limit} bytes"),
            )
        } else {
            (
                rejection.status(),
                "the request body could not be read; send it again".into(),
            )
        }
    })
}

async fn discovery(State(state): State<CdsState>, headers: HeaderMap) -> Response {
    if let Err(r) = authorize(&state, &headers, "/cds-services") {
        return r.into_response();
    }
    axum::Json(offlabel_cdshooks::discovery(&state.engine)).into_response()
}

async fn invoke(
    State(state): State<CdsState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if !offlabel_cdshooks::service::SERVICE_IDS.contains(&id.as_str()) {
        return unknown_service();
    }
    if let Err(r) = authorize(&state, &headers, &format!("/cds-services/{id}")) {
        return r.into_response();
    }
    let body = match read_body(body, HOOK_BODY_LIMIT) {
        Ok(b) => b,
        Err((status, message)) => return json_error(status, message),
    };
    let req: HookRequest = match offlabel_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                format!(
                    "the body is not a CDS Hooks request: {e} (needs hook, hookInstance, context)"
                ),
            );
        }
    };
    let base = base_url(&state, &headers);
    let env = offlabel_cdshooks::Env {
        engine: &state.engine,
        base_url: &base,
        today: Date::today(),
    };
    match offlabel_cdshooks::invoke(env, &id, &req) {
        Ok(resp) => {
            tracing::debug!(service = ?id, cards = resp.cards.len(), "CDS Hooks cards");
            axum::Json(resp).into_response()
        }
        Err(e @ HookError::UnknownService(_)) => json_error(StatusCode::NOT_FOUND, e.to_string()),
        Err(e) => json_error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

async fn feedback(
    State(state): State<CdsState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if !offlabel_cdshooks::service::SERVICE_IDS.contains(&id.as_str()) {
        return unknown_service();
    }
    // The same check as the service itself: feedback changes server state.
    if let Err(r) = authorize(&state, &headers, &format!("/cds-services/{id}/feedback")) {
        return r.into_response();
    }
    let body = match read_body(body, offlabel_cdshooks::MAX_FEEDBACK_BYTES) {
        Ok(b) => b,
        Err((status, message)) => return json_error(status, message),
    };
    let counted =
        offlabel_cdshooks::parse_feedback(&body).and_then(|req| state.feedback.record(&id, &req));
    match counted {
        Ok(summary) => {
            // Counts only: reason codes are client text and may hold patient details.
            tracing::info!(
                service = ?id,
                accepted = summary.accepted,
                overridden = summary.overridden,
                unknown_reasons = summary.other_reasons,
                "CDS Hooks feedback"
            );
            (
                StatusCode::OK,
                axum::Json(json!({ "received": summary.total() })),
            )
                .into_response()
        }
        Err(e @ FeedbackError::UnknownService) => json_error(StatusCode::NOT_FOUND, e.to_string()),
        Err(e @ FeedbackError::TooLarge) => {
            json_error(StatusCode::PAYLOAD_TOO_LARGE, e.to_string())
        }
        Err(e) => json_error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

fn fhir_json(status: StatusCode, v: &Value) -> Response {
    let mut r = (status, axum::Json(v)).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/fhir+json"),
    );
    r
}

fn not_found(what: &str) -> Response {
    fhir_json(
        StatusCode::NOT_FOUND,
        &json!({ "resourceType": "OperationOutcome", "issue": [{ "severity": "error", "code": "not-found", "diagnostics": what }] }),
    )
}

async fn fhir_bundle(State(state): State<CdsState>, headers: HeaderMap) -> Response {
    let base = format!("{}/fhir", base_url(&state, &headers));
    let body = match state.bundles.get(&base) {
        Some(b) => b,
        None => {
            let b = Bytes::from(
                serde_json::to_vec(&offlabel_fhir::bundle(state.engine.pack(), &base))
                    .unwrap_or_default(),
            );
            state.bundles.insert(base, b.clone());
            b
        }
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/fhir+json")],
        body,
    )
        .into_response()
}

async fn fhir_metadata(State(state): State<CdsState>, headers: HeaderMap) -> Response {
    let base = format!("{}/fhir", base_url(&state, &headers));
    fhir_json(
        StatusCode::OK,
        &offlabel_fhir::capability_statement(state.engine.pack(), &base),
    )
}

async fn fhir_search(
    State(state): State<CdsState>,
    Path(rtype): Path<String>,
    headers: HeaderMap,
) -> Response {
    if rtype == "Bundle" {
        return fhir_bundle(State(state), headers).await;
    }
    if !offlabel_fhir::RESOURCE_TYPES.contains(&rtype.as_str()) {
        return not_found(&format!("this server holds no {rtype} resources"));
    }
    let base = format!("{}/fhir", base_url(&state, &headers));
    let entries: Vec<Value> = state
        .fhir
        .iter()
        .filter(|r| r.get("resourceType").and_then(Value::as_str) == Some(rtype.as_str()))
        .map(|r| {
            let id = r.get("id").and_then(Value::as_str).unwrap_or("");
            json!({ "fullUrl": format!("{base}/{rtype}/{id}"), "resource": r, "search": { "mode": "match" } })
        })
        .collect();
    let mut bundle =
        json!({ "resourceType": "Bundle", "type": "searchset", "total": entries.len() });
    if !entries.is_empty() {
        bundle["entry"] = Value::Array(entries);
    }
    fhir_json(StatusCode::OK, &bundle)
}

async fn fhir_read(
    State(state): State<CdsState>,
    Path((rtype, id)): Path<(String, String)>,
) -> Response {
    match state.fhir.iter().find(|r| {
        r.get("resourceType").and_then(Value::as_str) == Some(rtype.as_str())
            && r.get("id").and_then(Value::as_str) == Some(id.as_str())
    }) {
        Some(r) => fhir_json(StatusCode::OK, r),
        None => not_found(&format!("{rtype}/{id} is not in this server")),
    }
}
