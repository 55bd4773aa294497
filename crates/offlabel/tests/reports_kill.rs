//! Crash test of report intake: writers post reports to a real `offlabel serve` while
//! the server is killed with SIGKILL at random moments, twenty times, and restarted.
//! Afterwards every acknowledged report is in the store exactly once (by idempotency
//! key, with the acknowledged id) and the store passes its integrity check.
//!
//! The binary is `$OFFLABEL_BIN` or the one cargo built for this test. The kill moments
//! come from a seed printed at the start; set `OFFLABEL_KILL_SEED` to replay a run.
//! Run with `--nocapture` to see the figures.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOKEN: &str = "kill-test-token-0123456789";
const KILLS: usize = 20;
const WRITERS: usize = 2;

fn binary() -> PathBuf {
    std::env::var_os("OFFLABEL_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_offlabel")))
}

/// xorshift64*: reproducible randomness without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// One HTTP/1.1 exchange over a fresh connection: (status, body).
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(500))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.set_write_timeout(Some(Duration::from_secs(10)))?;
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|r| r.get(..3))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line in {text:?}")))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

fn start(bin: &Path, addr: SocketAddr, store: &Path) -> Child {
    let mut child = Command::new(bin)
        .args(["serve", "--addr", &addr.to_string(), "--store"])
        .arg(store)
        .env("OFFLABEL_WRITE_TOKEN", TOKEN)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if matches!(http(addr, "GET", "/healthz", None), Ok((200, _))) {
            return child;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not come up on {addr} within 20 s");
}

fn report(key: &str, n: u64) -> String {
    serde_json::json!({
        "reporter": {"qualification": "pharmacist", "country": "ES"},
        "patient": {"age": n % 100, "sex": "F"},
        "drugs": [
            {"name": "Olumiant", "role": "suspect", "dose": "4 mg"},
            {"name": "Metformin", "role": "concomitant"}
        ],
        "reactions": [{"term": "Herpes zoster"}, {"term": "Nausea"}],
        "onset": "2026-10-02",
        "serious": n.is_multiple_of(3),
        "seriousness": if n.is_multiple_of(3) { vec!["hospitalisation"] } else { vec![] },
        "narrative": format!("Report number {n} of the kill test."),
        "idempotency_key": key
    })
    .to_string()
}

fn id_of(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body.trim()).ok()?;
    v["id"].as_str().map(String::from)
}

#[derive(Default)]
struct Figures {
    acked: AtomicU64,
    replays: AtomicU64,
    failed_attempts: AtomicU64,
}

#[test]
fn acknowledged_reports_survive_sigkill() {
    let started = Instant::now();
    let bin = binary();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let store_path = dir.path().join("reports.sqlite");
    let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
    let seed = std::env::var("OFFLABEL_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    eprintln!("kill test: seed {seed} (OFFLABEL_KILL_SEED={seed} replays it)");
    let mut rng = Rng(seed);

    let server = Arc::new(Mutex::new(Some(start(&bin, addr, &store_path))));
    let stop = Arc::new(AtomicBool::new(false));
    let figures = Arc::new(Figures::default());
    // key → acknowledged id, from every writer.
    let acked: Arc<Mutex<HashMap<String, String>>> = Arc::default();

    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (stop, figures, acked) = (stop.clone(), figures.clone(), acked.clone());
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let key = format!("kill-{w}-{n}");
                    let body = report(&key, n);
                    // Retry with the same key until acknowledged, as a client should.
                    let mut tries = 0;
                    loop {
                        tries += 1;
                        match http(addr, "POST", "/v1/reports", Some(&body)) {
                            Ok((201, b)) | Ok((200, b)) => {
                                let id = id_of(&b).unwrap_or_else(|| panic!("no id in {b:?}"));
                                if tries > 1 && b.contains("replayed") {
                                    figures.replays.fetch_add(1, Ordering::Relaxed);
                                }
                                let prev = acked
                                    .lock()
                                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                                    .insert(key.clone(), id);
                                assert!(prev.is_none(), "{key} acknowledged twice");
                                figures.acked.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                            Ok((status, b)) if status < 500 => {
                                panic!("{key}: unexpected {status}: {b}")
                            }
                            _ => {
                                figures.failed_attempts.fetch_add(1, Ordering::Relaxed);
                                if stop.load(Ordering::Relaxed) {
                                    return;
                                }
                                std::thread::sleep(Duration::from_millis(5));
                            }
                        }
                    }
                    n += 1;
                }
            })
        })
        .collect();

    for kill in 1..=KILLS {
        std::thread::sleep(Duration::from_millis(rng.between(30, 600)));
        let mut guard = server
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(mut child) = guard.take() {
            // std's Child::kill is SIGKILL on Unix: no shutdown, no flush, no goodbye.
            child.kill().unwrap_or_else(|e| panic!("kill: {e}"));
            let status = child.wait().unwrap_or_else(|e| panic!("wait: {e}"));
            assert!(!status.success(), "kill {kill}: the server exited cleanly");
        }
        // Between crashes the store must already be whole (SQLite recovers the WAL on open).
        let store = offlabel_reports::store::open(&store_path.display().to_string())
            .unwrap_or_else(|e| panic!("kill {kill}: the store does not open: {e}"));
        let problems = store.integrity_check().unwrap_or_else(|e| panic!("{e}"));
        assert!(problems.is_empty(), "kill {kill}: {problems:?}");
        drop(store);
        *guard = Some(start(&bin, addr, &store_path));
    }
    // Let the writers finish on a live server, then stop everything.
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap_or_else(|_| panic!("a writer panicked"));
    }
    if let Some(mut child) = server
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take()
    {
        let _ = child.kill();
        let _ = child.wait();
    }

    let store = offlabel_reports::store::open(&store_path.display().to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    let acked = acked
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let all = store.list().unwrap_or_else(|e| panic!("{e}"));
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for r in &all {
        *seen.entry(r.id.as_str()).or_default() += 1;
    }
    for (key, id) in &acked {
        assert_eq!(
            store
                .id_for_key(key)
                .unwrap_or_else(|e| panic!("{e}"))
                .as_deref(),
            Some(id.as_str()),
            "acknowledged {key} is missing or has another id"
        );
        assert_eq!(
            seen.get(id.as_str()),
            Some(&1),
            "{id} is not stored exactly once"
        );
        let r = store
            .get(id)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("{id} unreadable"));
        assert_eq!(
            (r.drugs.len(), r.reactions.len()),
            (2, 2),
            "{id} is incomplete"
        );
    }
    // Reports stored without an acknowledgement (the crash came between commit and
    // reply) are allowed; their writer retried and got the same id back.
    let stored = all.len();
    assert!(stored >= acked.len());
    assert!(stored <= acked.len() + WRITERS, "more rows than keys tried");
    let problems = store.integrity_check().unwrap_or_else(|e| panic!("{e}"));
    assert!(problems.is_empty(), "{problems:?}");
    // And the binary's own check agrees.
    let out = Command::new(&bin)
        .args(["reports", "check", "--store"])
        .arg(&store_path)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "reports check: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    let f = &figures;
    eprintln!(
        "kill test: {KILLS} SIGKILLs, {} reports acknowledged, {stored} stored, {} retries answered as replays, {} failed attempts retried, {:.1} s",
        f.acked.load(Ordering::Relaxed),
        f.replays.load(Ordering::Relaxed),
        f.failed_attempts.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    assert!(
        acked.len() >= 20,
        "too few reports acknowledged to mean anything"
    );
}
