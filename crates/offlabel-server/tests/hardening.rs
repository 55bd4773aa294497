//! Issue 19's probes, over a real loopback socket: feedback that cannot grow memory or
//! write client text into the log, log injection through a JWT header, connection and
//! body timeouts, health checks beside full handler slots, JSON errors for 413 and
//! unknown CDS services, duplicate JSON keys, the report token's scheme, and refusals
//! at start (issuers without a key, a store that cannot be written).
//!
//! Timeouts are set short here (hundreds of milliseconds) so the tests stay fast; the
//! assertions only bound the time loosely (seconds), never measure it.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use offlabel_engine::Engine;
use offlabel_reports::Store;
use offlabel_server::{CdsConfig, ReportsConfig, ServerConfig, serve, try_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Write;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

const PUBLIC_URL: &str = "https://cds.example.org";
const ISS: &str = "https://ehr.example.org";
const PRIVATE: &str = include_str!("../../offlabel-cdshooks/tests/data/test-es384-private.pem");
const PUBLIC: &str = include_str!("../../offlabel-cdshooks/tests/data/test-es384-public.pem");
const SERVICE: &str = "offlabel-order-select";

/// Everything every test in this file logged.
static LOGS: LazyLock<Arc<Mutex<Vec<u8>>>> = LazyLock::new(|| {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&buf);
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
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

fn logs() -> String {
    String::from_utf8_lossy(
        &LOGS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
    .into_owned()
}

fn engine() -> Arc<Engine> {
    Arc::new(Engine::new(
        offlabel_embedded::pack().unwrap_or_else(|e| panic!("embedded pack: {e}")),
    ))
}

struct Server {
    addr: std::net::SocketAddr,
    client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    async fn start(config: ServerConfig) -> Server {
        LazyLock::force(&LOGS);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("address: {e}"));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(serve(listener, engine(), config, async move {
            let _ = stopped.await;
        }));
        Server {
            addr,
            client: reqwest::Client::new(),
            stop: Some(stop),
            _dir: None,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn post(
        &self,
        path: &str,
        body: impl Into<reqwest::Body>,
        token: Option<&str>,
    ) -> (StatusCode, String, Value) {
        let mut req = self
            .client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body);
        if let Some(t) = token {
            req = req.header("authorization", t);
        }
        let res = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = res.status();
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = res.text().await.unwrap_or_default();
        (
            status,
            ct,
            serde_json::from_str(&text).unwrap_or(Value::Null),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

fn jwt_config() -> CdsConfig {
    CdsConfig {
        public_url: Some(PUBLIC_URL.into()),
        jwt_keys: Some(PUBLIC.into()),
        issuers: vec![ISS.into()],
    }
}

fn token(aud: &str, jti: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let key = EncodingKey::from_ec_pem(PRIVATE.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    encode(
        &Header::new(Algorithm::ES384),
        &json!({ "iss": ISS, "aud": aud, "exp": now + 300, "iat": now, "jti": jti }),
        &key,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn feedback(code: &str) -> Value {
    json!({ "feedback": [{
        "card": "0f8a0e4e-0000-4000-8000-000000000000",
        "outcome": "overridden",
        "overrideReason": { "reason": { "system": "x", "code": code } },
        "outcomeTimestamp": "2026-05-01T10:00:00Z"
    }] })
}

fn b64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

// Item 1 -------------------------------------------------------------------------------

#[tokio::test]
async fn feedback_logs_counts_never_the_codes_and_is_bounded() {
    let s = Server::start(ServerConfig::default()).await;
    let path = format!("/cds-services/{SERVICE}/feedback");
    let secret = "Jane Roe DOB 1950-02-03 MRN 5550123\nINFO FORGED-FEEDBACK-LINE";
    let (status, _, body) = s.post(&path, feedback(secret).to_string(), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["received"], 1);
    let logs = logs();
    assert!(logs.contains("CDS Hooks feedback"), "no feedback log line");
    assert!(!logs.contains("Jane Roe"), "the code reached the log");
    assert!(!logs.contains("MRN 5550123"), "the code reached the log");
    assert!(
        !logs.contains("FORGED-FEEDBACK-LINE"),
        "a forged line reached the log"
    );

    // The probe's 1.9 MB body is refused before it is parsed or kept.
    let big = feedback(&"x".repeat(1_900_000)).to_string();
    let (status, ct, body) = s.post(&path, big, None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(ct.starts_with("application/json"), "{ct}");
    // So are more entries than a card set can have.
    let many: Vec<Value> = (0..100)
        .map(|i| feedback(&format!("c{i}"))["feedback"][0].clone())
        .collect();
    let (status, _, _) = s
        .post(&path, json!({ "feedback": many }).to_string(), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn feedback_needs_the_services_token() {
    let s = Server::start(ServerConfig {
        cds: jwt_config(),
        ..ServerConfig::default()
    })
    .await;
    let path = format!("/cds-services/{SERVICE}/feedback");
    let (status, _, _) = s
        .post(&path, feedback("patient-informed").to_string(), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A token for the service itself is not one for its feedback endpoint.
    let wrong = format!(
        "Bearer {}",
        token(&format!("{PUBLIC_URL}/cds-services/{SERVICE}"), "fb-1")
    );
    let (status, _, _) = s
        .post(
            &path,
            feedback("patient-informed").to_string(),
            Some(&wrong),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let right = format!("Bearer {}", token(&format!("{PUBLIC_URL}{path}"), "fb-2"));
    let (status, _, body) = s
        .post(
            &path,
            feedback("patient-informed").to_string(),
            Some(&right),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

// Item 2 -------------------------------------------------------------------------------

#[tokio::test]
async fn a_newline_in_the_jwt_header_does_not_reach_the_log() {
    let s = Server::start(ServerConfig {
        cds: jwt_config(),
        ..ServerConfig::default()
    })
    .await;
    let header = b"{\"alg\":\"ES384\\n2026-01-01T00:00:00Z DEBUG FORGED-TOKEN-ACCEPTED iss=evil\",\"typ\":\"JWT\"}";
    let forged = format!("Bearer {}.{}.c2ln", b64(header), b64(b"{\"iss\":\"x\"}"));
    let (status, _, _) = s
        .post(
            &format!("/cds-services/{SERVICE}"),
            "{}".to_string(),
            Some(&forged),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let logs = logs();
    assert!(
        logs.contains("CDS Hooks token refused"),
        "no refusal logged"
    );
    assert!(
        !logs.contains("FORGED-TOKEN-ACCEPTED"),
        "token text reached the log"
    );
}

// Item 3 -------------------------------------------------------------------------------

fn short_timeouts() -> ServerConfig {
    ServerConfig {
        header_read_timeout: Duration::from_millis(400),
        idle_timeout: Duration::from_millis(400),
        body_timeout: Duration::from_millis(400),
        ..ServerConfig::default()
    }
}

/// Whether the server closes `tcp` within `within` while `dribble` bytes are sent one
/// at a time every 100 ms.
async fn closed_within(mut tcp: TcpStream, dribble: &[u8], within: Duration) -> bool {
    let (mut rd, mut wr) = tcp.split();
    let reader = async {
        let mut buf = [0u8; 1024];
        loop {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    let writer = async {
        for b in dribble {
            if wr.write_all(&[*b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        std::future::pending::<()>().await;
    };
    tokio::time::timeout(within, async {
        tokio::select! {
            () = reader => {}
            () = writer => {}
        }
    })
    .await
    .is_ok()
}

#[tokio::test]
async fn slow_headers_and_idle_connections_are_closed() {
    let s = Server::start(short_timeouts()).await;
    // Headers one byte every 100 ms: 4 s of them, cut after the 400 ms limit.
    let slow = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaa\r\n\r\n";
    let started = Instant::now();
    let tcp = TcpStream::connect(s.addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        closed_within(tcp, slow, Duration::from_secs(3)).await,
        "slow headers kept"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    // A connection that sends nothing.
    let tcp = TcpStream::connect(s.addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        closed_within(tcp, b"", Duration::from_secs(3)).await,
        "idle connection kept"
    );
    // A kept-alive connection after its request.
    let mut tcp = TcpStream::connect(s.addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut buf = [0u8; 64];
    let n = tcp.read(&mut buf).await.unwrap_or(0);
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    assert!(
        closed_within(tcp, b"", Duration::from_secs(3)).await,
        "kept-alive idle connection kept"
    );
}

#[tokio::test]
async fn a_body_that_never_comes_gets_408_without_an_error_log() {
    let s = Server::start(short_timeouts()).await;
    let mut tcp = TcpStream::connect(s.addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tcp.write_all(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"drug\"")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut response = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut response)).await;
    assert!(read.is_ok(), "no answer within 5 s");
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"body_timeout\""), "{text}");
    assert!(!logs().contains("ERROR"), "an error was logged");
}

#[tokio::test]
async fn slow_bodies_hold_no_handler_slot_and_health_answers() {
    let s = Server::start(ServerConfig {
        concurrency: 2,
        ..ServerConfig::default()
    })
    .await;
    // Four uploads that stall after their headers (the probe's case).
    let mut stalled = Vec::new();
    for _ in 0..4 {
        let mut tcp = TcpStream::connect(s.addr)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        tcp.write_all(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        stalled.push(tcp);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    for path in ["/healthz", "/v1/drugs"] {
        let res = tokio::time::timeout(Duration::from_secs(3), s.client.get(s.url(path)).send())
            .await
            .unwrap_or_else(|_| panic!("{path} waited behind stalled uploads"))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    drop(stalled);
}

// Item 8 -------------------------------------------------------------------------------

#[tokio::test]
async fn duplicate_keys_are_refused_on_write_endpoints() {
    let s = Server::start(ServerConfig::default()).await;
    let (status, _, body) = s
        .post(
            "/v1/check",
            r#"{"drug": "baricitinib", "age": 50, "age": 80}"#.to_string(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "duplicate_key");
    let (status, _, _) = s
        .post(
            &format!("/cds-services/{SERVICE}"),
            r#"{"hook": "order-select", "hook": "order-sign", "hookInstance": "x", "context": {}}"#
                .to_string(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = s
        .post(
            &format!("/cds-services/{SERVICE}/feedback"),
            r#"{"feedback": [], "feedback": []}"#.to_string(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // The same reader as `check --profile`: 80.0 is 80.
    let (status, _, body) = s
        .post(
            "/v1/check",
            r#"{"drug": "baricitinib", "age": 80.0}"#.to_string(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

// Item 9 -------------------------------------------------------------------------------

#[tokio::test]
async fn cds_errors_are_json_413_and_404() {
    let s = Server::start(ServerConfig::default()).await;
    let big = format!("{{\"hook\": \"{}\"}}", "x".repeat(3 << 20));
    let (status, ct, _) = s.post(&format!("/cds-services/{SERVICE}"), big, None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(ct.starts_with("application/json"), "413 as {ct}");
    let (status, ct, body) = s
        .post(
            "/cds-services/no-such-service",
            "not json".to_string(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(ct.starts_with("application/json"), "{ct}");
    let big = "x".repeat(100 << 10);
    let (status, ct, _) = s.post("/v1/check", big, None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(ct.starts_with("application/json"), "413 as {ct}");
}

#[tokio::test]
async fn the_fhir_bundle_is_served_the_same_twice() {
    let s = Server::start(ServerConfig::default()).await;
    let get = || async {
        s.client
            .get(s.url("/fhir"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .bytes()
            .await
            .unwrap_or_default()
    };
    let (a, b) = (get().await, get().await);
    assert!(a.len() > 1000);
    assert_eq!(a, b);
}

// Item 7 and start-up refusals ------------------------------------------------------------

#[test]
fn issuers_without_a_key_refuse_to_start() {
    let result = try_app(
        engine(),
        ServerConfig {
            cds: CdsConfig {
                public_url: Some(PUBLIC_URL.into()),
                jwt_keys: None,
                issuers: vec![ISS.into()],
            },
            ..ServerConfig::default()
        },
    );
    let message = result.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("OFFLABEL_CDS_ISSUERS"), "{message}");
}

/// A store whose database refuses writes, as a read-only file does.
struct ReadOnly(Box<dyn Store>);

impl Store for ReadOnly {
    fn backend(&self) -> &'static str {
        self.0.backend()
    }
    fn insert(
        &self,
        r: &offlabel_reports::NewReport,
    ) -> Result<offlabel_reports::store::Inserted, offlabel_reports::StoreError> {
        self.0.insert(r)
    }
    fn page(
        &self,
        after: Option<&str>,
        limit: usize,
        only: Option<&str>,
    ) -> Result<Vec<offlabel_reports::StoredReport>, offlabel_reports::StoreError> {
        self.0.page(after, limit, only)
    }
    fn id_for_key(&self, key: &str) -> Result<Option<String>, offlabel_reports::StoreError> {
        self.0.id_for_key(key)
    }
    fn check_writable(&self) -> Result<(), offlabel_reports::StoreError> {
        Err(offlabel_reports::StoreError::Corrupt(
            "attempt to write a readonly database".into(),
        ))
    }
    fn count(&self) -> Result<u64, offlabel_reports::StoreError> {
        self.0.count()
    }
    fn integrity_check(&self) -> Result<Vec<String>, offlabel_reports::StoreError> {
        self.0.integrity_check()
    }
}

#[test]
fn a_store_that_cannot_be_written_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let spec = dir.path().join("r.sqlite").display().to_string();
    let open = || offlabel_reports::store::open(&spec).unwrap_or_else(|e| panic!("{e}"));
    let writable: Arc<dyn Store> = Arc::from(open());
    let config = |store: Arc<dyn Store>| ServerConfig {
        reports: ReportsConfig::new(store, Some("t".repeat(20))),
        ..ServerConfig::default()
    };
    assert!(try_app(engine(), config(writable)).is_ok());
    let read_only: Arc<dyn Store> = Arc::new(ReadOnly(open()));
    let message = try_app(engine(), config(read_only))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(message.contains("cannot be written"), "{message}");
}

#[tokio::test]
async fn the_report_token_scheme_is_case_insensitive() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let spec = dir.path().join("r.sqlite").display().to_string();
    let store: Arc<dyn Store> =
        Arc::from(offlabel_reports::store::open(&spec).unwrap_or_else(|e| panic!("{e}")));
    let token = "report-token-0123456789";
    let mut s = Server::start(ServerConfig {
        reports: ReportsConfig::new(store, Some(token.into())),
        ..ServerConfig::default()
    })
    .await;
    s._dir = Some(dir);
    let report = json!({
        "reporter": {"qualification": "physician", "country": "ES"},
        "patient": {"age": 54, "sex": "F"},
        "drugs": [{"name": "Olumiant", "role": "suspect"}],
        "reactions": [{"term": "Herpes zoster"}],
        "onset": "2026-10-02",
        "serious": false
    })
    .to_string();
    let (status, _, body) = s
        .post(
            "/v1/reports",
            report.clone(),
            Some(&format!("BEARER {token}")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // The token is exact: no trailing text, no other token of the same length.
    let other: String = token.chars().rev().collect();
    for auth in [
        format!("Bearer {token}x"),
        format!("Bearer {other}"),
        format!("Basic {token}"),
    ] {
        let (status, _, _) = s.post("/v1/reports", report.clone(), Some(&auth)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth}");
    }
    // Duplicate keys in a report are refused, not last-one-wins.
    let twice = report.replacen("\"serious\":false", "\"serious\":false,\"serious\":true", 1);
    assert_ne!(twice, report);
    let (status, _, body) = s
        .post("/v1/reports", twice, Some(&format!("Bearer {token}")))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
