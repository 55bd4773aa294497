//! The store's tests, run against SQLite always and against PostgreSQL when
//! `OFFLABEL_TEST_POSTGRES_URL` is set (scripts/test-postgres.sh sets it). Each
//! PostgreSQL test works in a schema of its own, so the tests can run in parallel.

use offlabel_reports::date::Date;
use offlabel_reports::export::{Format, export};
use offlabel_reports::store::{self, PAGE, Store, StoreError};
use offlabel_reports::{NewReport, Role, parse_report_on};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 22,
};

/// Resolves the two brand names the tests use.
fn resolver(text: &str) -> Option<String> {
    match text {
        "Olumiant" => Some("baricitinib".into()),
        "Rinvoq" => Some("upadacitinib".into()),
        _ => None,
    }
}

fn report(v: &Value) -> NewReport {
    parse_report_on(v.to_string().as_bytes(), &resolver, TODAY)
        .unwrap_or_else(|e| panic!("test report refused: {e}"))
}

fn example(key: Option<&str>) -> Value {
    let mut v = json!({
        "reporter": {"qualification": "physician", "country": "ES"},
        "patient": {"age": 54.3, "sex": "F", "initials": "MG"},
        "drugs": [
            {"name": "Olumiant", "role": "suspect", "dose": "4 mg daily", "route": "oral"},
            {"name": "Paracetamol", "role": "concomitant"},
            {"name": "Rinvoq", "role": "interacting"}
        ],
        "reactions": [{"term": "Herpes zoster", "meddra_code": "10019974"}, {"term": "Pyrexia"}],
        "onset": "2026-10-02",
        "serious": true,
        "seriousness": ["hospitalisation"],
        "outcome": "recovering",
        "narrative": "Vesicular rash on day 40.\nTreated with valaciclovir."
    });
    if let Some(k) = key {
        v["idempotency_key"] = json!(k);
    }
    v
}

fn numbered(i: usize) -> NewReport {
    let mut v = example(Some(&format!("key-{i}")));
    v["patient"]["age"] = json!(i % 100);
    report(&v)
}

/// A store under test: its spec and a way to reach the database behind the store's back.
struct Target {
    spec: String,
    _dir: Option<tempfile::TempDir>,
}

impl Target {
    fn sqlite() -> Target {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let spec = dir
            .path()
            .join("sub/dir/reports.sqlite")
            .display()
            .to_string();
        Target {
            spec,
            _dir: Some(dir),
        }
    }

    fn postgres(name: &str) -> Option<Target> {
        let base = std::env::var("OFFLABEL_TEST_POSTGRES_URL").ok()?;
        let schema = format!("t_{name}");
        let mut admin = ::postgres::Client::connect(&base, ::postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot reach {base}: {e}"));
        admin
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"
            ))
            .unwrap_or_else(|e| panic!("schema {schema}: {e}"));
        let sep = if base.contains('?') { '&' } else { '?' };
        Some(Target {
            spec: format!("{base}{sep}options=-c%20search_path%3D{schema}"),
            _dir: None,
        })
    }

    fn open(&self) -> Box<dyn Store> {
        store::open(&self.spec).unwrap_or_else(|e| panic!("open {}: {e}", self.spec))
    }

    /// Runs SQL directly on the database, bypassing the store.
    fn raw(&self, sql: &str) {
        if self.spec.starts_with("postgres") {
            let mut c = ::postgres::Client::connect(&self.spec, ::postgres::NoTls)
                .unwrap_or_else(|e| panic!("{e}"));
            c.batch_execute(sql)
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        } else {
            let c = rusqlite::Connection::open(&self.spec).unwrap_or_else(|e| panic!("{e}"));
            c.execute_batch(sql)
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }

    /// The column names of a table, in order.
    fn columns(&self, table: &str) -> Vec<String> {
        if self.spec.starts_with("postgres") {
            let mut c = ::postgres::Client::connect(&self.spec, ::postgres::NoTls)
                .unwrap_or_else(|e| panic!("{e}"));
            c.query(
                "SELECT column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                &[&table],
            )
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|r| r.get(0))
            .collect()
        } else {
            let c = rusqlite::Connection::open(&self.spec).unwrap_or_else(|e| panic!("{e}"));
            let mut s = c
                .prepare(&format!("PRAGMA table_info({table})"))
                .unwrap_or_else(|e| panic!("{e}"));
            s.query_map([], |r| r.get::<_, String>(1))
                .unwrap_or_else(|e| panic!("{e}"))
                .collect::<Result<Vec<_>, _>>()
                .unwrap_or_else(|e| panic!("{e}"))
        }
    }
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name(&super::Target::sqlite()); })*
        }
        mod postgres {
            $(#[test] fn $name() {
                match super::Target::postgres(stringify!($name)) {
                    Some(t) => super::$name(&t),
                    None => eprintln!("skipped: set OFFLABEL_TEST_POSTGRES_URL (scripts/test-postgres.sh does)"),
                }
            })*
        }
    };
}

on_both_backends!(
    schema_is_created_once_and_matches_the_contract,
    a_report_round_trips,
    a_retry_with_the_same_key_is_stored_once,
    the_same_key_with_other_content_is_a_conflict,
    without_a_key_the_same_content_is_stored_once,
    pages_cover_every_report_in_order,
    integrity_check_finds_broken_rows,
    concurrent_writers_lose_nothing_and_duplicate_nothing,
    export_with_and_without_free_text,
    csv_export_neutralises_formulas,
);

fn schema_is_created_once_and_matches_the_contract(t: &Target) {
    let s = t.open();
    assert_eq!(s.count().unwrap_or(99), 0);
    drop(s);
    // Opening again applies nothing new and keeps the data.
    let s = t.open();
    s.insert(&numbered(1)).unwrap_or_else(|e| panic!("{e}"));
    drop(s);
    let s = t.open();
    assert_eq!(s.count().unwrap_or(0), 1);
    assert_eq!(
        t.columns("reports"),
        [
            "id",
            "idempotency_key",
            "received_at",
            "reporter_qualification",
            "reporter_country",
            "patient_age",
            "patient_sex",
            "patient_initials",
            "onset",
            "serious",
            "seriousness",
            "outcome",
            "narrative",
            "body"
        ]
    );
    assert_eq!(
        t.columns("report_drugs"),
        [
            "report_id",
            "position",
            "name_verbatim",
            "drug_id",
            "role",
            "dose",
            "route"
        ]
    );
    assert_eq!(
        t.columns("report_reactions"),
        ["report_id", "position", "term", "meddra_code"]
    );
    assert_eq!(
        t.columns("schema_migrations"),
        ["version", "name", "applied_at"]
    );
}

fn a_report_round_trips(t: &Target) {
    let s = t.open();
    let new = report(&example(Some("round-trip")));
    let ins = s.insert(&new).unwrap_or_else(|e| panic!("{e}"));
    assert!(ins.created);
    let got = s
        .get(&ins.id)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("report {} not found", ins.id));
    assert_eq!(got.id, ins.id);
    assert_eq!(got.idempotency_key, "round-trip");
    assert_eq!(got.reporter, new.report.reporter);
    assert_eq!(got.patient.age, Some(54.3), "REAL keeps 54.3");
    assert_eq!(got.patient, new.report.patient);
    assert_eq!(got.onset, "2026-10-02");
    assert!(got.serious);
    assert_eq!(got.seriousness, new.report.seriousness);
    assert_eq!(got.outcome, new.report.outcome);
    assert_eq!(got.narrative, new.report.narrative);
    assert_eq!(got.reactions, new.report.reactions);
    let drugs: Vec<(&str, Option<&str>, Role)> = got
        .drugs
        .iter()
        .map(|d| (d.name.as_str(), d.drug_id.as_deref(), d.role))
        .collect();
    assert_eq!(
        drugs,
        [
            ("Olumiant", Some("baricitinib"), Role::Suspect),
            ("Paracetamol", None, Role::Concomitant),
            ("Rinvoq", Some("upadacitinib"), Role::Interacting),
        ]
    );
    assert_eq!(got.drugs[0].dose.as_deref(), Some("4 mg daily"));
    assert_eq!(got.received_at.len(), 24);
    assert_eq!(
        s.id_for_key("round-trip").unwrap_or_else(|e| panic!("{e}")),
        Some(ins.id.clone())
    );
    assert!(
        s.get("no-such-id")
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );
    assert!(
        s.integrity_check()
            .unwrap_or_else(|e| panic!("{e}"))
            .is_empty()
    );
}

fn a_retry_with_the_same_key_is_stored_once(t: &Target) {
    let s = t.open();
    let new = report(&example(Some("retry-me")));
    let first = s.insert(&new).unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..3 {
        let again = s.insert(&new).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.id, first.id);
        assert!(!again.created);
    }
    // Also from another connection (another process).
    let other = t.open();
    assert_eq!(
        other.insert(&new).unwrap_or_else(|e| panic!("{e}")).id,
        first.id
    );
    assert_eq!(s.count().unwrap_or(0), 1);
}

fn the_same_key_with_other_content_is_a_conflict(t: &Target) {
    let s = t.open();
    let a = report(&example(Some("shared")));
    let mut other = example(Some("shared"));
    other["onset"] = json!("2026-10-03");
    let b = report(&other);
    let first = s.insert(&a).unwrap_or_else(|e| panic!("{e}"));
    match s.insert(&b) {
        Err(StoreError::KeyConflict { key, id }) => {
            assert_eq!(key, "shared");
            assert_eq!(id, first.id);
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(s.count().unwrap_or(0), 1);
    assert_eq!(
        s.get(&first.id)
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|r| r.onset),
        Some("2026-10-02".to_string())
    );
}

fn without_a_key_the_same_content_is_stored_once(t: &Target) {
    let s = t.open();
    let a = report(&example(None));
    assert!(a.idempotency_key.starts_with("sha256:"));
    let first = s.insert(&a).unwrap_or_else(|e| panic!("{e}"));
    let second = s
        .insert(&report(&example(None)))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.id, second.id);
    assert!(!second.created);
    let mut changed = example(None);
    changed["narrative"] = json!("Another case.");
    let third = s
        .insert(&report(&changed))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(third.created);
    assert_eq!(s.count().unwrap_or(0), 2);
}

fn pages_cover_every_report_in_order(t: &Target) {
    let s = t.open();
    let n = PAGE * 2 + 7;
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        ids.push(s.insert(&numbered(i)).unwrap_or_else(|e| panic!("{e}")).id);
    }
    let listed: Vec<String> = s
        .list()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(listed.len(), n);
    assert_eq!(listed, ids, "id order is insertion order");
    let mut seen = 0;
    s.for_each(&mut |r| {
        assert_eq!(r.drugs.len(), 3, "{}", r.id);
        assert_eq!(r.reactions.len(), 2, "{}", r.id);
        seen += 1;
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(seen, n);
    let summary = &s.list().unwrap_or_else(|e| panic!("{e}"))[0];
    assert_eq!(summary.suspects, ["baricitinib", "upadacitinib"]);
    assert_eq!(summary.reactions, ["Herpes zoster", "Pyrexia"]);
}

fn integrity_check_finds_broken_rows(t: &Target) {
    let s = t.open();
    let id = s.insert(&numbered(1)).unwrap_or_else(|e| panic!("{e}")).id;
    assert_eq!(
        s.integrity_check().unwrap_or_else(|e| panic!("{e}")),
        Vec::<String>::new()
    );
    // Break it behind the store's back: a report that lost its suspect drug, and one
    // whose body is not a report.
    t.raw(&format!(
        "DELETE FROM report_drugs WHERE report_id = '{id}' AND role = 'suspect';
         INSERT INTO reports (id, idempotency_key, received_at, reporter_qualification, reporter_country,
            onset, serious, body) VALUES ('broken', 'k-broken', 'now', 'physician', 'ES', '2026-01-01', 0, '{{}}');
         INSERT INTO report_reactions (report_id, position, term) VALUES ('broken', 0, 'Rash');"
    ));
    let problems = s.integrity_check().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        problems
            .iter()
            .any(|p| p.contains("without a suspect drug") && p.contains(&id)),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("broken") && p.contains("body")),
        "{problems:?}"
    );
}

fn concurrent_writers_lose_nothing_and_duplicate_nothing(t: &Target) {
    const WRITERS: usize = 6;
    const EACH: usize = 20;
    // Half the writers share one store handle; the other half each open their own
    // (as separate processes would). Every report is sent by two writers.
    let shared: Arc<dyn Store> = Arc::from(t.open());
    let spec = t.spec.clone();
    let handles: Vec<_> = (0..WRITERS)
        .map(|w| {
            let shared = Arc::clone(&shared);
            let spec = spec.clone();
            std::thread::spawn(move || {
                let own;
                let store: &dyn Store = if w % 2 == 0 {
                    &*shared
                } else {
                    own = store::open(&spec).unwrap_or_else(|e| panic!("{e}"));
                    &*own
                };
                let mut acked = Vec::new();
                // Writers w and w+1 (mod WRITERS) overlap on half their keys.
                for i in 0..EACH {
                    let k = (w * EACH / 2 + i) % (WRITERS * EACH / 2);
                    let ins = store.insert(&numbered(k)).unwrap_or_else(|e| panic!("{e}"));
                    acked.push((k, ins.id));
                }
                acked
            })
        })
        .collect();
    let mut by_key = std::collections::HashMap::new();
    for h in handles {
        for (k, id) in h.join().unwrap_or_else(|_| panic!("writer panicked")) {
            let prev = by_key.insert(k, id.clone());
            if let Some(p) = prev {
                assert_eq!(p, id, "key-{k} got two ids");
            }
        }
    }
    let s = t.open();
    assert_eq!(s.count().unwrap_or(0) as usize, WRITERS * EACH / 2);
    assert_eq!(by_key.len(), WRITERS * EACH / 2);
    let stored: HashSet<String> = s
        .list()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r| r.id)
        .collect();
    for id in by_key.values() {
        assert!(stored.contains(id), "acknowledged {id} is missing");
    }
    assert!(
        s.integrity_check()
            .unwrap_or_else(|e| panic!("{e}"))
            .is_empty()
    );
}

fn export_with_and_without_free_text(t: &Target) {
    let s = t.open();
    s.insert(&report(&example(Some("exp-1"))))
        .unwrap_or_else(|e| panic!("{e}"));
    s.insert(&numbered(2)).unwrap_or_else(|e| panic!("{e}"));

    let run = |format, no_free_text| {
        let mut out = Vec::new();
        let n = export(&*s, format, no_free_text, &mut out).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n, 2);
        String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"))
    };

    let full = run(Format::JsonLines, false);
    assert_eq!(full.lines().count(), 2);
    let first: Value = serde_json::from_str(full.lines().next().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first["idempotency_key"], "exp-1");
    assert_eq!(first["drugs"][0]["name"], "Olumiant");
    assert_eq!(first["drugs"][0]["drug_id"], "baricitinib");
    assert!(full.contains("valaciclovir"));

    let bare = run(Format::JsonLines, true);
    for secret in [
        "valaciclovir",
        "Olumiant",
        "Paracetamol",
        "4 mg daily",
        "exp-1",
        "\"MG\"",
        "oral",
    ] {
        assert!(!bare.contains(secret), "{secret} leaked: {bare}");
    }
    let first: Value = serde_json::from_str(bare.lines().next().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first["drugs"][0]["drug_id"], "baricitinib");
    assert_eq!(first["reactions"][0]["term"], "Herpes zoster");

    let csv = run(Format::Csv, false);
    let mut rd = csv::Reader::from_reader(csv.as_bytes());
    let header = rd.headers().unwrap_or_else(|e| panic!("{e}")).clone();
    assert_eq!(header.len(), offlabel_reports::export::CSV_COLUMNS.len());
    let rows: Vec<csv::StringRecord> = rd
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect();
    assert_eq!(rows.len(), 2);
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(&rows[0][col("drug_ids")], "baricitinib||upadacitinib");
    assert_eq!(&rows[0][col("drug_names")], "Olumiant|Paracetamol|Rinvoq");
    assert_eq!(&rows[0][col("patient_age")], "54.3");
    assert!(
        rows[0][col("narrative")].contains('\n'),
        "multi-line narrative quoted"
    );

    let csv = run(Format::Csv, true);
    let mut rd = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = rd
        .headers()
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .map(String::from)
        .collect();
    for dropped in offlabel_reports::export::FREE_TEXT_COLUMNS {
        assert!(!header.iter().any(|h| h == dropped), "{dropped} kept");
    }
    assert!(header.iter().any(|h| h == "drug_ids"));
    for secret in ["valaciclovir", "Olumiant", "4 mg daily", "exp-1"] {
        assert!(!csv.contains(secret), "{secret} leaked");
    }
}

fn csv_export_neutralises_formulas(t: &Target) {
    let s = t.open();
    let mut v = example(Some("formula"));
    v["narrative"] = json!("=HYPERLINK(\"http://evil.example\",\"click\")");
    v["drugs"][0]["dose"] = json!("+cmd|' /C calc'!A0");
    v["reactions"][0]["term"] = json!("@SUM(1+1)");
    v["patient"]["initials"] = json!("-X");
    s.insert(&report(&v)).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    export(&*s, Format::Csv, false, &mut out).unwrap_or_else(|e| panic!("{e}"));
    let mut rd = csv::Reader::from_reader(out.as_slice());
    let rows: Vec<csv::StringRecord> = rd
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect();
    for cell in rows.iter().flat_map(|r| r.iter()) {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "formula cell left as is: {cell:?}"
        );
    }
    let text = String::from_utf8(out).unwrap_or_default();
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(text.contains("'+cmd"), "{text}");
}

#[test]
fn open_refuses_what_is_not_a_store() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(
        &junk,
        b"this is not a database, just text long enough to matter......",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = store::open(&junk.display().to_string())
        .err()
        .unwrap_or_else(|| panic!("a text file opened as a store"));
    assert!(
        err.to_string().contains("SQLite") || err.to_string().contains("database"),
        "{err}"
    );
    let err = store::open("")
        .err()
        .unwrap_or_else(|| panic!("empty spec opened"));
    assert!(err.to_string().contains("empty"), "{err}");
    let err = store::open("postgres://nobody:secret@127.0.0.1:1/none")
        .err()
        .unwrap_or_else(|| panic!("port 1 answered"));
    let msg = err.to_string();
    assert!(!msg.contains("secret"), "password leaked: {msg}");
    assert!(msg.contains("PostgreSQL is running"), "{msg}");
}

#[test]
fn sqlite_uses_wal_and_full_sync() {
    let t = Target::sqlite();
    let _s = t.open();
    let c = rusqlite::Connection::open(&t.spec).unwrap_or_else(|e| panic!("{e}"));
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mode, "wal");
    // synchronous is per connection: check the store's through its behaviour is not
    // possible from outside, so check the default path and the sqlite:// prefix instead.
    let prefixed = format!("sqlite://{}", t.spec);
    assert_eq!(
        store::open(&prefixed)
            .map(|s| s.backend())
            .unwrap_or("error"),
        "sqlite"
    );
    if let Some(p) = store::default_path() {
        assert!(p.ends_with("offlabel/reports.sqlite"), "{}", p.display());
    }
}
