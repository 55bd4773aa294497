//! The HTTP API and the web page over a real socket: every endpoint, every error status.
//!
//! Each test starts the server on 127.0.0.1:0 with the embedded pack and talks to it
//! with an ordinary HTTP client.

use offlabel_engine::Engine;
use offlabel_server::{ServerConfig, serve};
use reqwest::StatusCode;
use reqwest::header::{ALLOW, CONTENT_TYPE};
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::sync::oneshot;

struct Server {
    base: String,
    client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(config: ServerConfig) -> Server {
        let pack = offlabel_embedded::pack().unwrap_or_else(|e| panic!("embedded pack: {e}"));
        let engine = Arc::new(Engine::new(pack));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let (stop, stopped) = oneshot::channel::<()>();
        let done = tokio::spawn(serve(listener, engine, config, async move {
            let _ = stopped.await;
        }));
        Server {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            stop: Some(stop),
            done,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let res = self.get(path).await;
        let status = res.status();
        assert_json(&res, path);
        (status, res.json().await.expect("JSON body"))
    }

    async fn post_json(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let res = self
            .client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = res.status();
        assert_json(&res, path);
        (status, res.json().await.expect("JSON body"))
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = tokio::time::timeout(std::time::Duration::from_secs(5), self.done)
            .await
            .expect("server stops within 5 s");
        result.expect("server task").expect("server returns Ok");
    }
}

fn assert_json(res: &reqwest::Response, what: &str) {
    let ct = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        ct.starts_with("application/json"),
        "{what}: content-type {ct}"
    );
}

/// An error body has the documented shape; returns its code.
fn error_code(body: &Value) -> &str {
    let err = &body["error"];
    assert!(
        err["message"].as_str().is_some_and(|m| m.len() > 10),
        "error message missing: {body}"
    );
    err["code"].as_str().expect("error code")
}

fn small_limits() -> ServerConfig {
    ServerConfig {
        body_limit: 1024,
        ..ServerConfig::default()
    }
}

#[tokio::test]
async fn health_and_openapi() {
    let s = Server::start(ServerConfig::default()).await;
    let (status, health) = s.get_json("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["pack"]["id"], "jak-dermatology");

    let (status, doc) = s.get_json("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/v1/ask",
        "/v1/check",
        "/v1/drugs",
        "/v1/drugs/{id}",
        "/v1/conditions",
        "/v1/conditions/{id}",
        "/v1/evidence",
        "/v1/sources",
        "/v1/sources/{id}",
        "/healthz",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from OpenAPI"
        );
    }
    let check = &doc["paths"]["/v1/check"]["post"]["responses"];
    for status in ["200", "400", "413", "415"] {
        assert!(check[status].is_object(), "check: {status} undocumented");
    }
    s.stop().await;
}

#[tokio::test]
async fn ask_answers_the_contract_and_caches_faithfully() {
    let s = Server::start(ServerConfig::default()).await;
    let path = "/v1/ask?q=Can%20I%20use%20Opzelura%20cream%20for%20psoriasis%3F";
    let first = s.get(path).await;
    assert_eq!(first.status(), StatusCode::OK);
    let first = first.bytes().await.expect("body");
    let a: Value = serde_json::from_slice(&first).expect("JSON");
    assert_eq!(a["query"], "Can I use Opzelura cream for psoriasis?");
    assert_eq!(a["drug"]["id"], "ruxolitinib-topical");
    assert_eq!(a["condition"]["id"], "psoriasis");
    assert_eq!(a["status"], json!({"US": "off_label", "EU": "off_label"}));
    assert_eq!(a["best_evidence"]["design"], "rct");
    assert!(!a["citations"].as_array().expect("citations").is_empty());

    // The cached answer is byte-for-byte what an uncached server answers.
    let second = s.get(path).await.bytes().await.expect("body");
    assert_eq!(first, second);
    let uncached = Server::start(ServerConfig {
        cache_bytes: 0,
        ..ServerConfig::default()
    })
    .await;
    let fresh = uncached.get(path).await.bytes().await.expect("body");
    assert_eq!(first, fresh);
    uncached.stop().await;

    // A condition without a medicine lists options.
    let (status, options) = s
        .get_json("/v1/ask?q=What+has+been+tried+for+alopecia+areata%3F")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!options["options"].as_array().expect("options").is_empty());
    s.stop().await;
}

#[tokio::test]
async fn ask_refuses_bad_questions_with_400() {
    let s = Server::start(ServerConfig::default()).await;
    for (path, code) in [
        ("/v1/ask", "missing_question"),
        ("/v1/ask?q=", "empty_question"),
        ("/v1/ask?q=%20%20%09", "empty_question"),
        ("/v1/ask?other=1", "missing_question"),
    ] {
        let (status, body) = s.get_json(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(error_code(&body), code, "{path}");
        assert_eq!(body["error"]["field"], "q");
    }
    let long = format!("/v1/ask?q={}", "a".repeat(5000));
    let (status, body) = s.get_json(&long).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "question_too_long");
    s.stop().await;
}

#[tokio::test]
async fn check_runs_the_patient_rules() {
    let s = Server::start(small_limits()).await;
    let (status, r) = s
        .post_json("/v1/check", &json!({"drug": "baricitinib", "age": 80}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r["drug"]["id"], "baricitinib");
    let flags = r["flags"].as_array().expect("flags");
    assert!(
        flags
            .iter()
            .any(|f| f["id"] == "age_75_plus" && f["level"] == "dose_adjustment"),
        "{flags:?}"
    );
    assert!(!r["dose_adjustments"].as_array().expect("doses").is_empty());

    // JSON Schema counts 80.0 as an integer; so does the server.
    let (status, r) = s
        .post_json("/v1/check", &json!({"drug": "baricitinib", "age": 80.0}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r["patient"]["age"], 80);

    // With a condition and a region: status for that region only.
    let (status, r) = s
        .post_json(
            "/v1/check",
            &json!({"drug": "Opzelura", "condition": "psoriasis", "region": "EU"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r["status"], json!({"EU": "off_label"}));
    s.stop().await;
}

#[tokio::test]
async fn check_errors_have_the_right_status() {
    let s = Server::start(small_limits()).await;
    // Values the engine refuses: 400, naming the field.
    for (body, field) in [
        (json!({"drug": "aspirin"}), "drug"),
        (json!({"drug": "baricitinib", "age": 200}), "age"),
        (json!({"drug": "baricitinib", "bsa": 150.0}), "bsa"),
        (json!({"drug": "baricitinib", "region": "Mars"}), "region"),
        (
            json!({"drug": "baricitinib", "condition": "no such disease xyz"}),
            "condition",
        ),
    ] {
        let (status, r) = s.post_json("/v1/check", &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_code(&r), "invalid_field", "{body}");
        assert_eq!(r["error"]["field"], field, "{body}");
    }
    // Bodies that do not fit the schema: 400.
    for body in [
        json!({"drug": "baricitinib", "colour": "blue"}),
        json!({"age": 40}),
        json!({"drug": "baricitinib", "age": -1}),
        json!({"drug": "baricitinib", "age": 80.5}),
        json!(["baricitinib"]),
    ] {
        let (status, r) = s.post_json("/v1/check", &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_code(&r), "invalid_body", "{body}");
    }
    let raw = |ct: Option<&'static str>, body: Vec<u8>| {
        let mut req = s.client.post(s.url("/v1/check")).body(body);
        if let Some(ct) = ct {
            req = req.header(CONTENT_TYPE, ct);
        }
        req.send()
    };
    // Not JSON: 400.
    let res = raw(Some("application/json"), b"{\"drug\": ".to_vec())
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.expect("JSON");
    assert_eq!(error_code(&body), "invalid_json");
    // Wrong or missing content type: 415.
    for ct in [Some("text/plain"), None] {
        let res = raw(ct, b"{\"drug\": \"baricitinib\"}".to_vec())
            .await
            .expect("send");
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}");
        let body: Value = res.json().await.expect("JSON");
        assert_eq!(error_code(&body), "unsupported_media_type");
    }
    // Over the limit (1 KiB here): 413.
    let big = format!(
        "{{\"drug\": \"baricitinib\", \"condition\": \"{}\"}}",
        "x".repeat(4096)
    );
    let res = raw(Some("application/json"), big.into_bytes())
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = res.json().await.expect("JSON");
    assert_eq!(error_code(&body), "payload_too_large");
    s.stop().await;
}

#[tokio::test]
async fn wrong_methods_get_405_with_allow() {
    let s = Server::start(ServerConfig::default()).await;
    for (method, path, allowed) in [
        (reqwest::Method::DELETE, "/v1/ask", "GET"),
        (reqwest::Method::POST, "/v1/ask", "GET"),
        (reqwest::Method::GET, "/v1/check", "POST"),
        (reqwest::Method::PUT, "/v1/drugs", "GET"),
        (reqwest::Method::PATCH, "/v1/drugs/baricitinib", "GET"),
    ] {
        let res = s
            .client
            .request(method.clone(), s.url(path))
            .send()
            .await
            .expect("send");
        assert_eq!(
            res.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        let allow = res
            .headers()
            .get(ALLOW)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(allow.contains(allowed), "{method} {path}: Allow {allow:?}");
        assert_json(&res, path);
        let body: Value = res.json().await.expect("JSON");
        assert_eq!(error_code(&body), "method_not_allowed");
    }
    s.stop().await;
}

#[tokio::test]
async fn browsing_endpoints_and_404s() {
    let s = Server::start(ServerConfig::default()).await;
    let (status, drugs) = s.get_json("/v1/drugs?limit=200").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        drugs["total"].as_u64().is_some_and(|t| t > 1000),
        "{}",
        drugs["total"]
    );
    let items = drugs["items"].as_array().expect("items");
    assert_eq!(items.len(), 200);
    let (status, curated) = s.get_json("/v1/drugs?q=citinib&limit=50").await;
    assert_eq!(status, StatusCode::OK);
    let curated: Vec<&str> = curated["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|d| {
            d["layers"]
                .as_array()
                .is_some_and(|l| l.contains(&json!("curated")))
        })
        .filter_map(|d| d["id"].as_str())
        .collect();
    // The JAK inhibitors named -citinib: baricitinib, upadacitinib, abrocitinib,
    // tofacitinib, ritlecitinib, delgocitinib, deucravacitinib.
    assert_eq!(curated.len(), 7, "{curated:?}");
    for id in curated {
        let (status, detail) = s.get_json(&format!("/v1/drugs/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{id}");
        assert_eq!(detail["medicine"]["id"], id);
    }
    let (status, bari) = s.get_json("/v1/drugs/baricitinib").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!bari["authorisations"].as_array().expect("auths").is_empty());
    assert!(
        !bari["dose_adjustments"]
            .as_array()
            .expect("doses")
            .is_empty()
    );
    assert_eq!(bari["eu"]["products"][0]["name"], "Olumiant");
    // A medicine only the layers hold: the EU clauses with their quotes, the US approval.
    let (status, sema) = s.get_json("/v1/drugs/Ozempic").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sema["id"], "semaglutide");
    assert!(sema["medicine"].is_null());
    assert!(
        sema["eu"]["indications"][0]["quote"]
            .as_str()
            .is_some_and(|q| q.contains("type 2 diabetes"))
    );
    assert!(
        sema["us"]["according_to"]
            .as_str()
            .is_some_and(|a| a.contains("1 July 2019"))
    );
    let (status, l04) = s
        .get_json("/v1/drugs?atc=L04&status=authorised&limit=5&offset=5")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(l04["offset"], 5);
    assert_eq!(l04["items"].as_array().map(Vec::len), Some(5));
    for path in [
        "/v1/drugs?status=sold",
        "/v1/drugs?limit=0",
        "/v1/drugs?limit=201",
        "/v1/drugs?atc=L-04",
        "/v1/conditions?limit=500",
    ] {
        let (status, _) = s.get_json(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
    }

    let (status, conditions) = s.get_json("/v1/conditions?q=psoriasis").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(conditions["items"][0]["id"], "psoriasis");
    assert!(conditions["total"].as_u64().is_some_and(|t| t > 10));
    let (status, aa) = s.get_json("/v1/conditions/alopecia-areata").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(aa["curated"]["id"], "alopecia-areata");
    assert!(
        aa["curated_children"]
            .as_array()
            .expect("children")
            .contains(&json!("alopecia-areata-universalis"))
    );
    assert!(
        aa["eu_indications"]
            .as_array()
            .is_some_and(|l| l.iter().any(|c| c["medicine"] == "ritlecitinib"))
    );
    // A Disease Ontology condition by ICD-10-CM code.
    let (status, t2d) = s.get_json("/v1/conditions/E11").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(t2d["doid"], "DOID:9352");

    // Evidence: strongest first; names resolve like the CLI's.
    let (status, studies) = s
        .get_json("/v1/evidence?drug=Opzelura&condition=psoriasis")
        .await;
    assert_eq!(status, StatusCode::OK);
    let studies = studies.as_array().expect("list");
    assert_eq!(studies.len(), 4);
    assert_eq!(studies[0]["design"], "rct");
    assert!(
        studies
            .iter()
            .all(|s| s["medicine"] == "ruxolitinib-topical")
    );
    let (status, all) = s.get_json("/v1/evidence").await;
    assert_eq!(status, StatusCode::OK);
    assert!(all.as_array().expect("list").len() > studies.len());

    let (status, sources) = s.get_json("/v1/sources").await;
    assert_eq!(status, StatusCode::OK);
    let first = sources[0]["id"].as_str().expect("id").to_string();
    let (status, one) = s.get_json(&format!("/v1/sources/{first}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["id"], first.as_str());

    for (path, code) in [
        ("/v1/drugs/qqqqzzzzqq", "unknown_drug"),
        ("/v1/conditions/qqqqzzzzqq", "unknown_condition"),
        ("/v1/sources/nope", "unknown_source"),
        ("/v1/evidence?drug=zzzzzzzz", "unknown_drug"),
        ("/v1/evidence?condition=qqqqqqqqqq", "unknown_condition"),
        ("/v1/nothing-here", "not_found"),
    ] {
        let (status, body) = s.get_json(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(error_code(&body), code, "{path}");
    }
    for path in ["/v1/evidence?condition=", "/v1/evidence?drug=%20"] {
        let (status, body) = s.get_json(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(error_code(&body), "empty_parameter", "{path}");
    }
    s.stop().await;
}

async fn html(s: &Server, res: reqwest::Response) -> (StatusCode, String) {
    let _ = s;
    let status = res.status();
    let ct = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(ct.starts_with("text/html"), "content-type {ct}");
    assert!(
        res.headers().contains_key("content-security-policy"),
        "CSP missing"
    );
    let text = res.text().await.expect("text");
    for landmark in ["<header", "<nav", "<main", "<footer", "name=\"viewport\""] {
        assert!(text.contains(landmark), "{landmark} missing");
    }
    assert!(
        text.contains("does not replace the prescriber"),
        "disclaimer missing"
    );
    (status, text)
}

#[tokio::test]
async fn web_pages_render_without_javascript() {
    let s = Server::start(ServerConfig::default()).await;
    let (status, home) = html(&s, s.get("/").await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("<datalist") && home.contains("Opzelura"));
    assert!(home.contains("<label for=\"q\""));

    let (status, answer) = html(
        &s,
        s.get("/ask?q=Can+I+use+Opzelura+cream+for+psoriasis%3F")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(answer.contains("data-jurisdiction=\"US\" data-status=\"off_label\""));
    assert!(answer.contains("data-jurisdiction=\"EU\" data-status=\"off_label\""));
    assert!(answer.contains("<table class=\"evidence\""));
    assert!(answer.contains("href=\"/sources/"));

    let (status, _) = html(&s, s.get("/ask?q=+").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    for path in [
        "/drugs",
        "/drugs/baricitinib",
        "/conditions",
        "/sources",
        "/check",
        "/check?drug=baricitinib",
    ] {
        let (status, _) = html(&s, s.get(path).await).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    let (status, condition) = html(&s, s.get("/conditions/alopecia-areata").await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(condition.contains("<svg") && condition.contains("role=\"img\""));

    let source = answer
        .split("href=\"/sources/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a source link")
        .to_string();
    let (status, page) = html(&s, s.get(&format!("/sources/{source}")).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<h1>"));

    // A medicine or condition only the layers hold has a page too, searches page.
    for (path, needle) in [
        ("/drugs/aspirin", "Drugs@FDA"),
        ("/drugs?q=ozempic", "semaglutide"),
        ("/drugs/ozempic", "type 2 diabetes"),
        ("/conditions?q=diabetes", "rel=\"next\""),
        ("/conditions/DOID:9352", "EU indications naming it"),
    ] {
        let (status, page) = html(&s, s.get(path).await).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(page.contains(needle), "{path}: {needle}");
    }
    for path in [
        "/drugs/qqqqzzzzqq",
        "/conditions/qqqqzzzzqq",
        "/sources/nope",
        "/nope",
    ] {
        let (status, _) = html(&s, s.get(path).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    s.stop().await;
}

#[tokio::test]
async fn patient_form_posts_and_validates() {
    let s = Server::start(small_limits()).await;
    let post = |body: &'static str, ct: &'static str| {
        s.client
            .post(s.url("/check"))
            .header(CONTENT_TYPE, ct)
            .body(body)
            .send()
    };
    let form = "application/x-www-form-urlencoded";
    let (status, page) = html(
        &s,
        post("drug=baricitinib&age=80&smoker=on", form)
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-level=\"dose_adjustment\""));
    assert!(
        page.contains("value=\"80\""),
        "the form keeps what was entered"
    );

    let (status, page) = html(
        &s,
        post("drug=baricitinib&age=old", form).await.expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("role=\"alert\""));

    let (status, _) = html(
        &s,
        post("drug=baricitinib", "text/plain").await.expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let big: &'static str =
        Box::leak(format!("drug=baricitinib&condition={}", "x".repeat(4096)).into_boxed_str());
    let (status, _) = html(&s, post(big, form).await.expect("send")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    s.stop().await;
}

#[tokio::test]
async fn cors_is_off_by_default_and_configurable() {
    let origin = "https://ehr.example.org";
    let closed = Server::start(ServerConfig::default()).await;
    let res = closed
        .client
        .get(closed.url("/v1/drugs"))
        .header("origin", origin)
        .send()
        .await
        .expect("send");
    assert!(!res.headers().contains_key("access-control-allow-origin"));
    closed.stop().await;

    let open = Server::start(ServerConfig {
        cors_origins: vec![origin.to_string()],
        ..ServerConfig::default()
    })
    .await;
    let res = open
        .client
        .request(reqwest::Method::OPTIONS, open.url("/v1/check"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .expect("send");
    assert!(res.status().is_success());
    assert_eq!(
        res.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some(origin)
    );
    let res = open
        .client
        .get(open.url("/v1/drugs"))
        .header("origin", "https://elsewhere.example")
        .send()
        .await
        .expect("send");
    assert!(!res.headers().contains_key("access-control-allow-origin"));
    open.stop().await;
}

#[tokio::test]
async fn bad_cors_origin_is_refused_at_start() {
    let pack = offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}"));
    let engine = Arc::new(Engine::new(pack));
    let config = ServerConfig {
        cors_origins: vec!["not an origin\n".into()],
        ..ServerConfig::default()
    };
    let err = offlabel_server::try_app(engine.clone(), config.clone()).expect_err("refused");
    assert!(err.to_string().contains("scheme://host"));
    for bad in [
        "ehr.example.org",
        "https://",
        "ftp://x.org",
        "https://x.org/path",
    ] {
        let config = ServerConfig {
            cors_origins: vec![bad.into()],
            ..ServerConfig::default()
        };
        assert!(
            offlabel_server::try_app(engine.clone(), config).is_err(),
            "{bad} accepted"
        );
    }
    // `app` leaves the bad origin out instead of failing.
    let _router = offlabel_server::app(engine, config);
}

#[tokio::test]
async fn shutdown_does_not_wait_for_a_stalled_client() {
    use tokio::io::AsyncWriteExt;
    let s = Server::start(ServerConfig {
        timeout: std::time::Duration::from_millis(300),
        ..ServerConfig::default()
    })
    .await;
    // Half a request, then silence: the connection stays busy.
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut stalled = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    stalled
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let started = std::time::Instant::now();
    s.stop().await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "shutdown took {:?}",
        started.elapsed()
    );
    drop(stalled);
}

/// A SQLite report store holding the FAERS fixtures of offlabel-signals (two quarters,
/// five cases after deduplication), imported through the library with the engine's keys.
fn signal_store(dir: &tempfile::TempDir) -> String {
    let engine = Engine::new(offlabel_embedded::pack().expect("embedded pack"));
    let path = dir.path().join("reports.sqlite");
    let fixtures = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../offlabel-signals/tests/fixtures/faers");
    let mut store = offlabel_signals::Store::open(&path, true).expect("create the store");
    store
        .import_faers(
            &[fixtures],
            &mut |name| engine.resolve_drug_name(name),
            &mut |_| {},
        )
        .expect("import the fixtures");
    path.display().to_string()
}

/// The `(drug, event)` of each row, in order.
fn signal_pairs(body: &Value) -> Vec<(String, String)> {
    body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["drug"].as_str().expect("drug").to_string(),
                r["event"].as_str().expect("event").to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn signals_rank_the_imported_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = Server::start(ServerConfig {
        signals_store: Some(signal_store(&dir)),
        ..ServerConfig::default()
    })
    .await;

    // A brand resolves to the pack id, as at import.
    let (status, body) = s.get_json("/v1/signals?drug=Olumiant").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["store"], "reports.sqlite");
    assert_eq!(
        (body["reports"].as_u64(), body["faers_reports"].as_u64()),
        (Some(5), Some(5))
    );
    assert_eq!(body["pairs"], 8);
    assert_eq!(
        (body["role"].as_str(), body["stratify"].as_str()),
        (Some("suspect"), Some("none"))
    );
    assert_eq!(body["prior"]["source"], "fitted");
    assert_eq!(
        (body["matched"].as_u64(), body["limit"].as_u64()),
        (Some(3), Some(100))
    );
    assert_eq!(body["sort"], "eb05");
    let rows = body["results"].as_array().expect("results");
    assert!(rows.iter().all(|r| r["drug"] == "baricitinib"), "{body}");
    // Ranked by EB05, highest first, then by a, then by name.
    let key = |r: &Value| {
        (
            -r["eb05"].as_f64().expect("eb05"),
            -(r["a"].as_i64().expect("a")),
            r["event"].as_str().expect("event").to_string(),
        )
    };
    assert!(
        rows.windows(2).all(|w| key(&w[0]) <= key(&w[1])),
        "not ranked: {body}"
    );
    // No other baricitinib report has DVT (c = 0): the PRR is infinite, written null.
    let dvt = rows
        .iter()
        .find(|r| r["event"] == "deep vein thrombosis")
        .expect("DVT row");
    assert_eq!((dvt["a"].as_u64(), dvt["c"].as_u64()), (Some(1), Some(0)));
    assert!(dvt["prr"].is_null() && dvt["ror"].is_number(), "{dvt}");

    // Event filter, name order, paging.
    let (status, body) = s.get_json("/v1/signals?event=NAUSEA&sort=name").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let drugs: Vec<String> = signal_pairs(&body).into_iter().map(|(d, _)| d).collect();
    assert_eq!(drugs, ["adalimumab", "baricitinib", "upadacitinib"]);
    let (status, body) = s.get_json("/v1/signals?sort=name&limit=2").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["matched"].as_u64(), body["limit"].as_u64()),
        (Some(8), Some(2))
    );
    assert_eq!(
        signal_pairs(&body),
        [
            ("adalimumab".to_string(), "nausea".to_string()),
            // "Aspirin 81 mg": the strength set aside, the Drugs@FDA layer's id.
            ("aspirin".to_string(), "headache".to_string())
        ]
    );

    // Concomitants count only with role=all; rules and min_a filter.
    let (status, body) = s.get_json("/v1/signals?drug=methotrexate").await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::NOT_FOUND, "unknown_drug")
    );
    assert_eq!(body["error"]["field"], "drug");
    let (status, body) = s
        .get_json("/v1/signals?drug=methotrexate&role=all&stratify=sex,age")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["matched"], 2);
    assert_eq!(body["stratify"], "sex,age");
    let (status, body) = s.get_json("/v1/signals?min_a=2").await;
    assert_eq!(
        (status, body["matched"].as_u64()),
        (StatusCode::OK, Some(0))
    );
    let (status, body) = s.get_json("/v1/signals?signal=eb05&signal=evans").await;
    assert_eq!(
        (status, body["matched"].as_u64()),
        (StatusCode::OK, Some(0))
    );

    for (path, code) in [
        ("/v1/signals?limit=10001", "invalid_parameter"),
        ("/v1/signals?min_a=-1", "invalid_parameter"),
        ("/v1/signals?role=concomitant", "invalid_parameter"),
        ("/v1/signals?signal=prr", "invalid_parameter"),
        ("/v1/signals?sort=ror", "invalid_parameter"),
        ("/v1/signals?drug=", "empty_parameter"),
        ("/v1/signals?sort=a&sort=prr", "repeated_parameter"),
        ("/v1/signals?min-a=3", "unknown_parameter"),
    ] {
        let (status, body) = s.get_json(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(error_code(&body), code, "{path}");
    }
    for (path, code) in [
        ("/v1/signals?event=Nope", "unknown_event"),
        ("/v1/signals?sex=F&age_band=%3C18", "no_reports"),
    ] {
        let (status, body) = s.get_json(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_eq!(error_code(&body), code, "{path}");
    }
    let (_, doc) = s.get_json("/openapi.json").await;
    let op = &doc["paths"]["/v1/signals"]["get"];
    for status in ["200", "400", "404", "422", "503"] {
        assert!(
            op["responses"][status].is_object(),
            "signals: {status} undocumented"
        );
    }
    s.stop().await;
}

#[tokio::test]
async fn signals_need_a_sqlite_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("none.sqlite").display().to_string();
    for (store, code) in [
        (None, "signals_off"),
        (
            Some("postgres://u:secret@db/offlabel".to_string()),
            "signals_need_sqlite",
        ),
        (Some(missing.clone()), "no_store"),
    ] {
        let s = Server::start(ServerConfig {
            signals_store: store,
            ..ServerConfig::default()
        })
        .await;
        let (status, body) = s.get_json("/v1/signals").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(error_code(&body), code);
        let text = body.to_string();
        assert!(
            !text.contains("secret") && !text.contains(&missing),
            "{text}"
        );
        // Parameters are checked first.
        let (status, _) = s.get_json("/v1/signals?limit=x").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        s.stop().await;
    }
    assert!(
        !std::path::Path::new(&missing).exists(),
        "a read created the store"
    );
}

#[tokio::test]
async fn concurrent_signal_requests_all_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = Arc::new(
        Server::start(ServerConfig {
            signals_store: Some(signal_store(&dir)),
            ..ServerConfig::default()
        })
        .await,
    );
    let mut tasks = Vec::new();
    for i in 0..40 {
        let s = Arc::clone(&s);
        tasks.push(tokio::spawn(async move {
            let path = if i % 2 == 0 {
                "/v1/signals?drug=Olumiant"
            } else {
                "/v1/signals"
            };
            let res = s.get(path).await;
            (i % 2, res.status(), res.text().await.unwrap_or_default())
        }));
    }
    let mut bodies: [Option<String>; 2] = [None, None];
    for t in tasks {
        let (kind, status, body) = t.await.expect("task");
        assert_eq!(status, StatusCode::OK, "{body}");
        match &bodies[kind] {
            Some(first) => assert_eq!(first, &body, "a cached run differs"),
            None => bodies[kind] = Some(body),
        }
    }
}
