//! Reading request bodies before a handler runs: a deadline (408) and the route's size
//! limit (413), both answered as JSON.
//!
//! This runs outside the concurrency limit and the request timeout, so a body still
//! arriving holds no handler slot and a never-sent body gets 408 rather than the
//! handler timeout's 503.

use crate::ServerConfig;
use crate::error::ApiError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use std::time::Duration;

/// Most bytes of an over-limit body read (and dropped) before answering 413.
const DRAIN_CAP: usize = 16 << 20;

/// Per-route body limits and the body deadline.
#[derive(Debug, Clone)]
pub(crate) struct BodyLimits {
    default: usize,
    timeout: Duration,
}

impl BodyLimits {
    pub(crate) fn new(config: &ServerConfig) -> BodyLimits {
        BodyLimits {
            default: config.body_limit,
            timeout: config.body_timeout,
        }
    }

    /// The limit of the route at `path` (routes with their own limit keep it).
    fn for_path(&self, path: &str) -> usize {
        if path == "/v1/reports" {
            offlabel_reports::MAX_REPORT_BYTES
        } else if path.starts_with("/cds-services/") && path.ends_with("/feedback") {
            offlabel_cdshooks::MAX_FEEDBACK_BYTES
        } else if path.starts_with("/cds-services/") {
            crate::cds::HOOK_BODY_LIMIT
        } else {
            self.default
        }
    }
}

/// The web page's form posts get pages; everything else JSON.
fn is_page(path: &str) -> bool {
    !(path.starts_with("/v1") || path.starts_with("/cds-services") || path.starts_with("/fhir"))
}

fn too_large(path: &str, limit: usize) -> Response {
    if is_page(path) {
        return crate::web::error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Form too large",
            "The form sent more than this server accepts. Shorten the text fields and send it again.",
        );
    }
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!(
            "the body is larger than this endpoint's limit of {limit} bytes; send a smaller body"
        ),
    )
    .into_response()
}

fn closing(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

/// Reads the whole body within the deadline and the limit, then runs the route with it.
pub(crate) async fn read_body(limits: &BodyLimits, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let chunked = headers.contains_key(header::TRANSFER_ENCODING);
    if !chunked && declared.unwrap_or(0) == 0 {
        return next.run(req).await;
    }
    let limit = limits.for_path(req.uri().path());
    if declared.is_some_and(|n| n > DRAIN_CAP as u64) {
        // Too much to read just to say no: answer now and close.
        return closing(too_large(req.uri().path(), limit));
    }
    let page = is_page(req.uri().path());
    let path = req.uri().path().to_string();
    let (parts, body) = req.into_parts();
    let read = async {
        let mut body = body;
        let mut buf = BytesMut::with_capacity(declared.map_or(0, |n| n as usize).min(limit));
        let mut over = 0usize;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| None)?;
            if let Ok(data) = frame.into_data() {
                if over > 0 || buf.len() + data.len() > limit {
                    // Read on (up to a cap) and discard: a client that sends its whole
                    // body before reading the answer then sees the 413, not a reset.
                    over = over.saturating_add(data.len());
                    if over > DRAIN_CAP {
                        break;
                    }
                    continue;
                }
                buf.extend_from_slice(&data);
            }
        }
        if over > 0 {
            return Err(Some(limit));
        }
        Ok::<Bytes, Option<usize>>(buf.freeze())
    };
    match tokio::time::timeout(limits.timeout, read).await {
        Ok(Ok(bytes)) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Ok(Err(Some(limit))) => closing(too_large(&path, limit)),
        Ok(Err(None)) => closing(
            ApiError::bad_request(
                "unreadable_body",
                "the request body could not be read (the connection broke or the chunked encoding is wrong); send it again",
            )
            .into_response(),
        ),
        Err(_) if page => closing(crate::web::error_page(
            StatusCode::REQUEST_TIMEOUT,
            "Form not received",
            "The form did not arrive in time. Send it again.",
        )),
        Err(_) => closing(
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "body_timeout",
                format!(
                    "the request body did not arrive within {} s; send the whole body at once",
                    limits.timeout.as_secs_f64()
                ),
            )
            .into_response(),
        ),
    }
}
