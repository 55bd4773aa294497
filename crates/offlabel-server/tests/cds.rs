//! `/cds-services` and `/fhir` through the real router (no socket): discovery, cards,
//! feedback, CORS preflight, JWT checking, FHIR reads.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use offlabel_engine::Engine;
use offlabel_server::{CdsConfig, ServerConfig, try_app};
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

const PUBLIC_URL: &str = "https://cds.example.org";
const ISS: &str = "https://ehr.example.org";
const PRIVATE: &str = include_str!("../../offlabel-cdshooks/tests/data/test-es384-private.pem");
const PUBLIC: &str = include_str!("../../offlabel-cdshooks/tests/data/test-es384-public.pem");

fn app(cds: CdsConfig) -> axum::Router {
    let engine = Arc::new(Engine::new(
        offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}")),
    ));
    try_app(
        engine,
        ServerConfig {
            cds,
            ..ServerConfig::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn example(name: &str) -> Value {
    let path = format!(
        "{}/../../docs/cds-hooks/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn call(
    app: &axum::Router,
    req: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let res = app
        .clone()
        .oneshot(req)
        .await
        .unwrap_or_else(|e| match e {});
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 8 << 20)
        .await
        .unwrap_or_default();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn post(path: &str, body: &Value, token: Option<&str>) -> Request<Body> {
    let mut b = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_string()))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn get(path: &str) -> Request<Body> {
    Request::get(path)
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn discovery_cards_feedback_and_cors() {
    let app = app(CdsConfig::default());
    let (status, _, d) = call(&app, get("/cds-services")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(d["services"].as_array().map(Vec::len), Some(2));

    let (status, _, r) = call(
        &app,
        post(
            "/cds-services/offlabel-order-select",
            &example("request-order-select-opzelura-pregnant-r4.json"),
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["cards"][0]["indicator"], "critical");
    assert!(
        r["cards"][0]["links"][0]["url"]
            .as_str()
            .unwrap_or_default()
            .starts_with("http://")
    );

    let uuid = r["cards"][0]["uuid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let fb = json!({ "feedback": [{ "card": uuid, "outcome": "overridden", "overrideReason": { "reason": { "system": "x", "code": "benefit-outweighs-risk", "display": "Benefit" } }, "outcomeTimestamp": "2026-05-01T10:00:00Z" }] });
    let (status, _, _) = call(
        &app,
        post("/cds-services/offlabel-order-select/feedback", &fb, None),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let bad = json!({ "feedback": [{ "card": uuid, "outcome": "accepted", "outcomeTimestamp": "2026-05-01T10:00:00Z" }] });
    let (status, _, _) = call(
        &app,
        post("/cds-services/offlabel-order-select/feedback", &bad, None),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, _, _) = call(
        &app,
        post(
            "/cds-services/nope",
            &example("request-order-select-no-prefetch.json"),
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = call(
        &app,
        post(
            "/cds-services/offlabel-order-select",
            &json!({"hook": 1}),
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let preflight = Request::options("/cds-services/offlabel-order-select")
        .header(header::ORIGIN, "https://sandbox.cds-hooks.org")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization,content-type",
        )
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, headers, _) = call(&app, preflight).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(
        headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .and_then(|v| v.to_str().ok()),
        Some("*")
    );
    let allowed = headers
        .get(header::ACCESS_CONTROL_ALLOW_HEADERS)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_lowercase();
    assert!(allowed.contains("authorization"), "{allowed}");
}

fn token(aud: &str, jti: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut h = Header::new(Algorithm::ES384);
    h.kid = Some("k1".into());
    let key = EncodingKey::from_ec_pem(PRIVATE.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    encode(
        &h,
        &json!({ "iss": ISS, "aud": aud, "exp": now + 300, "iat": now, "jti": jti }),
        &key,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn jwt_is_checked_when_configured() {
    let app = app(CdsConfig {
        public_url: Some(PUBLIC_URL.into()),
        jwt_keys: Some(PUBLIC.into()),
        issuers: vec![ISS.into()],
    });
    let (status, _, _) = call(&app, get("/cds-services")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let t = token(&format!("{PUBLIC_URL}/cds-services"), "d1");
    let req = Request::get("/cds-services")
        .header(header::AUTHORIZATION, format!("Bearer {t}"))
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, _, _) = call(&app, req).await;
    assert_eq!(status, StatusCode::OK);

    let path = "/cds-services/offlabel-order-sign";
    let body = example("request-order-sign-baricitinib-80-r5.json");
    let good = token(&format!("{PUBLIC_URL}{path}"), "s1");
    let (status, _, r) = call(&app, post(path, &body, Some(&good))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        r["cards"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["source"]["topic"]["code"] == "dose-adjustment")
    );
    assert!(
        r.to_string()
            .contains("https://cds.example.org/drugs/baricitinib")
    );
    // Replay, and a token for another endpoint.
    let (status, _, body401) = call(&app, post(path, &body, Some(&good))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body401, Value::Null, "401 carries no detail");
    let other = token(&format!("{PUBLIC_URL}/cds-services"), "s2");
    let (status, _, _) = call(&app, post(path, &body, Some(&other))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn jwt_without_public_url_is_a_config_error() {
    let engine = Arc::new(Engine::new(
        offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}")),
    ));
    let cds = CdsConfig {
        public_url: None,
        jwt_keys: Some(PUBLIC.into()),
        issuers: vec![ISS.into()],
    };
    assert!(
        try_app(
            engine,
            ServerConfig {
                cds,
                ..ServerConfig::default()
            }
        )
        .is_err()
    );
}

#[tokio::test]
async fn fhir_reads() {
    let app = app(CdsConfig::default());
    let (status, headers, cap) = call(&app, get("/fhir/metadata")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/fhir+json")
    );
    assert_eq!(cap["fhirVersion"], "5.0.0");
    let (status, _, mpd) = call(&app, get("/fhir/MedicinalProductDefinition/baricitinib")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(mpd.to_string().contains("L04AF02"));
    let (status, _, set) = call(&app, get("/fhir/RegulatedAuthorization")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(set["type"], "searchset");
    assert!(set["total"].as_u64().unwrap_or_default() > 0);
    let (status, _, all) = call(&app, get("/fhir")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["type"], "collection");
    let (status, _, oo) = call(&app, get("/fhir/Patient/1")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(oo["resourceType"], "OperationOutcome");
}
