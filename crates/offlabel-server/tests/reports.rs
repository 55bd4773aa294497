//! `POST /v1/reports` and `GET /v1/reports/{id}` over a real socket: the token, every
//! 4xx (each leaving the store unchanged), idempotent retries, concurrent writers, and
//! logs free of patient data. The store is a temporary SQLite file; the round trip also
//! runs on PostgreSQL when `OFFLABEL_TEST_POSTGRES_URL` is set.

use offlabel_engine::Engine;
use offlabel_reports::Store;
use offlabel_server::{ReportsConfig, ServerConfig, serve};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::sync::{Arc, LazyLock, Mutex};
use tokio::sync::oneshot;

const TOKEN: &str = "test-token-0123456789abcdef";

/// Everything every test logged, to check that no patient data reaches the logs.
static LOGS: LazyLock<Arc<Mutex<Vec<u8>>>> = LazyLock::new(|| {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&buf);
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || LogWriter(Arc::clone(&sink)))
        .try_init();
    buf
});

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Server {
    base: String,
    client: reqwest::Client,
    store: Option<Arc<dyn Store>>,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    /// A server with the report endpoints on, over a fresh SQLite store.
    async fn start() -> Server {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let spec = dir.path().join("reports.sqlite").display().to_string();
        let store: Arc<dyn Store> =
            Arc::from(offlabel_reports::store::open(&spec).unwrap_or_else(|e| panic!("{e}")));
        let mut s = Server::with(Some(store)).await;
        s._dir = Some(dir);
        s
    }

    async fn with(store: Option<Arc<dyn Store>>) -> Server {
        LazyLock::force(&LOGS);
        let pack = offlabel_embedded::pack().unwrap_or_else(|e| panic!("embedded pack: {e}"));
        let engine = Arc::new(Engine::new(pack));
        let config = ServerConfig {
            reports: store
                .clone()
                .and_then(|s| ReportsConfig::new(s, Some(TOKEN.to_string()))),
            ..ServerConfig::default()
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("address: {e}"));
        let (stop, stopped) = oneshot::channel::<()>();
        let done = tokio::spawn(serve(listener, engine, config, async move {
            let _ = stopped.await;
        }));
        Server {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            store,
            stop: Some(stop),
            done,
            _dir: None,
        }
    }

    fn count(&self) -> u64 {
        self.store
            .as_ref()
            .map_or(0, |s| s.count().unwrap_or_else(|e| panic!("{e}")))
    }

    /// POSTs raw bytes with a content type and a token (or none).
    async fn post_raw(
        &self,
        body: Vec<u8>,
        content_type: Option<&str>,
        token: Option<&str>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self
            .client
            .post(format!("{}/v1/reports", self.base))
            .body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap_or_else(|e| panic!("POST: {e}"));
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.json().await.unwrap_or(Value::Null);
        (status, headers, body)
    }

    async fn post(&self, report: &Value) -> (StatusCode, Value) {
        let (s, _, b) = self
            .post_raw(
                report.to_string().into_bytes(),
                Some("application/json"),
                Some(TOKEN),
            )
            .await;
        (s, b)
    }

    async fn get(&self, id: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.client.get(format!("{}/v1/reports/{id}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap_or_else(|e| panic!("GET: {e}"));
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = tokio::time::timeout(std::time::Duration::from_secs(5), self.done)
            .await
            .unwrap_or_else(|_| panic!("server stops within 5 s"));
        result
            .unwrap_or_else(|e| panic!("server task: {e}"))
            .unwrap_or_else(|e| panic!("server: {e}"));
    }
}

fn report(key: &str) -> Value {
    json!({
        "reporter": {"qualification": "physician", "country": "ES"},
        "patient": {"age": 54, "sex": "F", "initials": "QXZ"},
        "drugs": [{"name": "Olumiant", "role": "suspect", "dose": "4 mg daily"}],
        "reactions": [{"term": "Herpes zoster"}],
        "onset": "2026-10-02",
        "serious": false,
        "narrative": "NARRATIVE-SECRET-7731 shingles on the left flank",
        "idempotency_key": key
    })
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn a_report_is_stored_once_and_read_back() {
    let s = Server::start().await;
    let (status, headers, body) = s
        .post_raw(
            report("k1").to_string().into_bytes(),
            Some("application/json"),
            Some(TOKEN),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id: {body}"))
        .to_string();
    assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{body}");
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("/v1/reports/{id}").as_str())
    );
    // The 201 came after the commit: the row is there.
    assert_eq!(s.count(), 1);

    // A retry gets the same id, and nothing new is stored.
    let (status, again) = s.post(&report("k1")).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["id"], id.as_str());
    assert_eq!(again["replayed"], true);
    assert_eq!(s.count(), 1);

    let (status, got) = s.get(&id, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got["id"], id.as_str());
    assert_eq!(got["drugs"][0]["name"], "Olumiant");
    assert_eq!(got["drugs"][0]["drug_id"], "baricitinib");
    assert_eq!(got["patient"]["age"], 54);
    assert_eq!(got["idempotency_key"], "k1");

    // The same key with other content is a conflict.
    let mut other = report("k1");
    other["onset"] = json!("2026-10-01");
    let (status, body) = s.post(&other).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "idempotency_key_conflict");

    // Without a key, the content is the key.
    let mut keyless = report("unused");
    keyless.as_object_mut().map(|o| o.remove("idempotency_key"));
    let (s1, a) = s.post(&keyless).await;
    let (s2, b) = s.post(&keyless).await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::OK));
    assert_eq!(a["id"], b["id"]);
    assert_eq!(s.count(), 2);

    // The longest narrative E2B allows fits, although it is over the API's default
    // body limit (64 KiB): the report route has its own.
    let mut long = report("long");
    long["narrative"] = json!("a".repeat(100_000));
    let (status, body) = s.post(&long).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(s.count(), 3);

    let (status, body) = s
        .get("01234567-89ab-7def-8123-456789abcdef", Some(TOKEN))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(code(&body), "not_found");
    let (status, _) = s.get("..%2F..%2Fetc", Some(TOKEN)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    s.stop().await;
}

#[tokio::test]
async fn the_token_guards_both_endpoints() {
    let s = Server::start().await;
    let (status, _) = s.post(&report("seed")).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = s
        .store
        .as_ref()
        .and_then(|st| st.id_for_key("seed").ok().flatten())
        .unwrap_or_else(|| panic!("seeded report"));
    let body = report("t1").to_string().into_bytes();
    for token in [
        None,
        Some("wrong"),
        Some(""),
        Some(&TOKEN[..TOKEN.len() - 1]),
    ] {
        let (status, headers, err) = s
            .post_raw(body.clone(), Some("application/json"), token)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}: {err}");
        assert_eq!(code(&err), "unauthorized");
        assert!(headers.contains_key("www-authenticate"));
        let (status, err) = s.get(&id, token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}: {err}");
    }
    // A token as a query string or basic auth does not count.
    let res = s
        .client
        .get(format!("{}/v1/reports/{id}?token={TOKEN}", s.base))
        .basic_auth("x", Some(TOKEN))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(s.count(), 1);
    s.stop().await;
}

#[tokio::test]
async fn without_a_token_the_endpoints_are_off() {
    let s = Server::with(None).await;
    let (status, _, body) = s
        .post_raw(
            report("off").to_string().into_bytes(),
            Some("application/json"),
            Some(TOKEN),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(code(&body), "writes_disabled");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("write endpoints are off"))
    );
    let (status, body) = s.get("anything", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code(&body), "writes_disabled");
    s.stop().await;
}

#[tokio::test]
async fn bad_requests_get_the_right_4xx_and_store_nothing() {
    let s = Server::start().await;
    let json_ct = Some("application/json");
    // (what, body, content type, expected status, expected code)
    type Case<'a> = (&'a str, Vec<u8>, Option<&'a str>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        (
            "malformed JSON",
            b"{\"reporter\": ".to_vec(),
            json_ct,
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            "not JSON at all",
            b"hello".to_vec(),
            json_ct,
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            "empty body",
            Vec::new(),
            json_ct,
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            "invalid UTF-8",
            b"{\"a\": \"\xff\"}".to_vec(),
            json_ct,
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            "an array",
            b"[]".to_vec(),
            json_ct,
            StatusCode::BAD_REQUEST,
            "invalid_report",
        ),
        (
            "oversized",
            {
                let mut r = report("big");
                r["narrative"] = json!("x".repeat(600 * 1024));
                r.to_string().into_bytes()
            },
            json_ct,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            "text/plain",
            report("ct").to_string().into_bytes(),
            Some("text/plain"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "form",
            report("ct").to_string().into_bytes(),
            Some("application/x-www-form-urlencoded"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "no content type",
            report("ct").to_string().into_bytes(),
            None,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
    ];
    for (what, body, ct, want, want_code) in cases {
        let (status, _, err) = s.post_raw(body, ct, Some(TOKEN)).await;
        assert_eq!(status, want, "{what}: {err}");
        assert_eq!(code(&err), want_code, "{what}: {err}");
        assert!(
            err["error"]["message"]
                .as_str()
                .is_some_and(|m| m.len() > 20),
            "{what}: {err}"
        );
        assert_eq!(s.count(), 0, "{what} stored something");
    }

    // Wrong types, unknown fields, missing fields: 400 with one entry per field.
    let mut wrong = report("w");
    wrong["patient"]["age"] = json!("54");
    wrong["serious"] = json!("no");
    wrong["drugs"][0]["role"] = json!(1);
    let mut unknown = report("u");
    unknown["patient"]["name"] = json!("Jane Doe");
    unknown["priority"] = json!("high");
    let mut missing = report("m");
    for k in ["reporter", "reactions", "onset"] {
        missing.as_object_mut().map(|o| o.remove(k));
    }
    for (what, body, fields) in [
        (
            "wrong types",
            wrong,
            vec!["drugs[0].role", "patient.age", "serious"],
        ),
        ("unknown fields", unknown, vec!["patient.name", "priority"]),
        (
            "missing fields",
            missing,
            vec!["onset", "reactions", "reporter"],
        ),
    ] {
        let (status, err) = s.post(&body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {err}");
        assert_eq!(code(&err), "invalid_report");
        let mut got: Vec<&str> = err["error"]["fields"]
            .as_array()
            .map(|a| a.iter().filter_map(|f| f["field"].as_str()).collect())
            .unwrap_or_default();
        got.sort_unstable();
        assert_eq!(got, fields, "{what}: {err}");
        for f in err["error"]["fields"].as_array().into_iter().flatten() {
            assert!(f["message"].as_str().is_some_and(|m| m.len() > 10), "{f}");
        }
        assert_eq!(s.count(), 0, "{what} stored something");
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_over_http() {
    let s = Arc::new(Server::start().await);
    const WRITERS: usize = 8;
    const EACH: usize = 12;
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let s = Arc::clone(&s);
        tasks.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for i in 0..EACH {
                // Writers pair up on the same keys: each report is sent twice, at once.
                let key = format!("c-{}-{i}", w / 2);
                let (status, body) = s.post(&report(&key)).await;
                assert!(
                    status == StatusCode::CREATED || status == StatusCode::OK,
                    "{status}: {body}"
                );
                acked.push((key, body["id"].as_str().unwrap_or_default().to_string()));
            }
            acked
        }));
    }
    let mut by_key: HashMap<String, String> = HashMap::new();
    for t in tasks {
        for (key, id) in t.await.unwrap_or_else(|e| panic!("{e}")) {
            if let Some(prev) = by_key.insert(key.clone(), id.clone()) {
                assert_eq!(prev, id, "{key} got two ids");
            }
        }
    }
    assert_eq!(by_key.len(), WRITERS / 2 * EACH);
    assert_eq!(s.count() as usize, WRITERS / 2 * EACH);
    let store = s.store.clone().unwrap_or_else(|| panic!("store"));
    let stored: HashSet<String> = store
        .list()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r| r.id)
        .collect();
    for id in by_key.values() {
        assert!(stored.contains(id), "acknowledged {id} missing");
    }
    assert!(
        store
            .integrity_check()
            .unwrap_or_else(|e| panic!("{e}"))
            .is_empty()
    );
    match Arc::try_unwrap(s) {
        Ok(s) => s.stop().await,
        Err(_) => panic!("server still shared"),
    }
}

#[tokio::test]
async fn logs_hold_no_narrative_or_patient_fields() {
    let s = Server::start().await;
    let (status, body) = s.post(&report("log-1")).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = body["id"].as_str().unwrap_or_default().to_string();
    let mut bad = report("log-2");
    bad["patient"]["age"] = json!("QXZ-AGE-999");
    let (status, _) = s.post(&bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = s.get(&id, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    s.stop().await;
    let logs = String::from_utf8_lossy(
        &LOGS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
    .to_string();
    assert!(
        logs.contains("report stored"),
        "the test saw no logs at all"
    );
    for secret in ["NARRATIVE-SECRET-7731", "QXZ", "4 mg daily", TOKEN] {
        assert!(!logs.contains(secret), "{secret} is in the logs");
    }
}

#[tokio::test]
async fn postgres_round_trip_when_configured() {
    let Ok(base) = std::env::var("OFFLABEL_TEST_POSTGRES_URL") else {
        eprintln!("skipped: set OFFLABEL_TEST_POSTGRES_URL (scripts/test-postgres.sh does)");
        return;
    };
    // A schema of its own, made on a plain thread (the sync client must not run on the
    // async runtime's threads).
    let spec = tokio::task::spawn_blocking(move || {
        let mut admin =
            postgres::Client::connect(&base, postgres::NoTls).unwrap_or_else(|e| panic!("{e}"));
        admin
            .batch_execute("DROP SCHEMA IF EXISTS t_http CASCADE; CREATE SCHEMA t_http;")
            .unwrap_or_else(|e| panic!("{e}"));
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}options=-c%20search_path%3Dt_http")
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let store: Arc<dyn Store> = Arc::from(
        tokio::task::spawn_blocking(move || offlabel_reports::store::open(&spec))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let s = Server::with(Some(Arc::clone(&store))).await;
    let (status, body) = s.post(&report("pg-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().unwrap_or_default().to_string();
    let (status, again) = s.post(&report("pg-1")).await;
    assert_eq!(
        (status, again["id"].as_str()),
        (StatusCode::OK, Some(id.as_str()))
    );
    let (status, got) = s.get(&id, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got["drugs"][0]["drug_id"], "baricitinib");
    let (status, _) = s.post(&json!({"reporter": 1})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    s.stop().await;
    let n = tokio::task::spawn_blocking(move || store.count())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n, 1);
}
