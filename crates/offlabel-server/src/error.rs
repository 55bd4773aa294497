//! Errors: one JSON shape for the API (`{"error": {"code", "message"}}`), HTML pages for
//! the web page, and the statuses HTTP prescribes.

use axum::BoxError;
use axum::extract::rejection::QueryRejection;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Serialize;

/// The body of every API error.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong and how to fix it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `empty_question`, `unknown_drug`, `payload_too_large`.
    pub code: String,
    /// What was wrong and how to fix it, for a person.
    pub message: String,
    /// The request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An API error: a status, a code and a message. Renders as JSON.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// What was wrong and how to fix it.
    pub message: String,
    /// The request field at fault.
    pub field: Option<String>,
}

impl ApiError {
    /// An error with a status, a code and a message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// 400 Bad Request.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 404 Not Found.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, code, message)
    }

    /// Names the request field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message.clone(),
                field: self.field.clone(),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(
                status = self.status.as_u16(),
                code = self.code,
                "server error"
            );
        } else {
            tracing::debug!(
                status = self.status.as_u16(),
                code = self.code,
                "client error"
            );
        }
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    }
}

/// The code for a status the server itself produces.
pub(crate) fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        _ if status.is_server_error() => "internal",
        _ => "bad_request",
    }
}

/// Whether the request says its body is JSON (`application/json` or `application/*+json`).
pub(crate) fn is_json_content(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .is_some_and(|m| {
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        })
}

/// 415 for a body that is not declared JSON.
pub(crate) fn not_json() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "the body must be JSON: send it with the header Content-Type: application/json",
    )
}

/// 413 for a body over the limit.
pub(crate) fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!(
            "the body is larger than the limit of {limit} bytes; send a smaller body (a patient profile is well under 1 KiB)"
        ),
    )
}

/// Maps a query-string rejection to a 400.
pub(crate) fn query_rejection(rejection: &QueryRejection, example: &str) -> ApiError {
    ApiError::bad_request(
        "invalid_query",
        format!(
            "the query string could not be read ({}); e.g. {example}",
            rejection.body_text()
        ),
    )
}

fn wants_json(uri: &Uri) -> bool {
    let path = uri.path();
    path.starts_with("/v1") || path == "/healthz" || path == "/openapi.json"
}

/// The router's fallback: 404, as JSON under `/v1` and as a page elsewhere.
pub(crate) async fn not_found(uri: Uri) -> Response {
    if wants_json(&uri) {
        ApiError::not_found(
            "not_found",
            format!(
                "there is no endpoint at {}; the endpoints are listed in /openapi.json",
                uri.path()
            ),
        )
        .into_response()
    } else {
        crate::web::error_page(
            StatusCode::NOT_FOUND,
            "Page not found",
            "There is no page at this address. Use the search box, or browse the medicines and conditions.",
        )
    }
}

/// The fallback for a known path with the wrong method: 405 (axum adds `Allow`).
pub(crate) async fn method_not_allowed(uri: Uri) -> Response {
    if wants_json(&uri) {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!(
                "{} does not accept this method; the Allow header lists the ones it does",
                uri.path()
            ),
        )
        .into_response()
    } else {
        crate::web::error_page(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method not allowed",
            "This page does not accept that kind of request.",
        )
    }
}

/// Turns a timeout or overload in the middleware into a JSON 503.
pub(crate) async fn layer_error(err: BoxError) -> Response {
    if err.is::<tower::timeout::error::Elapsed>() {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "the request took longer than the server's time limit; try again, or ask the operator to raise --timeout",
        )
        .into_response()
    } else if err.is::<tower::load_shed::error::Overloaded>() {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "the server is at its concurrency limit; try again shortly",
        )
        .into_response()
    } else {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to handle the request; the operator's logs have the details",
        )
        .into_response()
    }
}

/// A panic in a handler becomes a JSON 500 (and an error log without request data).
pub(crate) fn panic_response(_payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the server failed to handle the request; the operator's logs have the details",
    )
    .into_response()
}
