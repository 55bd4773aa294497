//! The PostgreSQL back-end: the same schema and migrations as SQLite, one transaction
//! per insert, the server's synchronous commit.
//!
//! Connections are made without TLS: run the store on the same machine or a private
//! network (or through an SSH tunnel or a TLS-terminating proxy such as pgbouncer).

use super::{
    DrugRow, INVARIANTS, Inserted, MIGRATIONS, ReactionRow, ReportRow, Store, StoreError, assemble,
    check_body, new_id, on_existing, redact,
};
use crate::date::now_rfc3339;
use crate::model::{NewReport, StoredReport};
use postgres::{Client, NoTls};
use std::sync::{Mutex, MutexGuard};

/// Key of the advisory lock that serialises migrations across processes.
const MIGRATION_LOCK: i64 = 0x6f66_666c_6162_656c; // "offlabel"

/// The PostgreSQL store. One connection, used by one thread at a time, re-opened if the
/// server closed it.
pub struct PostgresStore {
    /// `None` only while being dropped.
    client: Mutex<Option<Client>>,
    url: String,
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        // A sync `postgres::Client` owns a small Tokio runtime, and Tokio panics when a
        // runtime is dropped inside an async context (e.g. when an HTTP server that
        // holds the store shuts down). Drop it on a plain thread instead.
        let client = self
            .client
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(client) = client {
            let _ = std::thread::spawn(move || drop(client)).join();
        }
    }
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("url", &redact(&self.url))
            .finish_non_exhaustive()
    }
}

fn connect(url: &str) -> Result<Client, StoreError> {
    Client::connect(url, NoTls).map_err(|e| StoreError::Open {
        target: redact(url),
        message: format!(
            "{e}; check that PostgreSQL is running and the URL's host, port, user, password and database (postgres://USER:PASSWORD@HOST:PORT/DB) are right"
        ),
    })
}

impl PostgresStore {
    /// Connects and applies pending migrations (under an advisory lock, so several
    /// processes may start at once).
    ///
    /// # Errors
    /// [`StoreError::Open`] when the server cannot be reached; [`StoreError::TooNew`]
    /// for a schema from a newer program; database errors.
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let mut client = connect(url)?;
        migrate(&mut client)?;
        Ok(PostgresStore {
            client: Mutex::new(Some(client)),
            url: url.to_string(),
        })
    }

    /// Runs `f` with the connection, reconnecting first if the server closed it.
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut guard: MutexGuard<'_, Option<Client>> = self
            .client
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.as_ref().is_none_or(Client::is_closed) {
            *guard = Some(connect(&self.url)?);
        }
        match guard.as_mut() {
            Some(client) => f(client),
            None => Err(StoreError::Corrupt("the connection is gone".into())),
        }
    }
}

fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
    )?;
    let current: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::bigint FROM schema_migrations",
            &[],
        )?
        .get(0);
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    if current > known {
        return Err(StoreError::TooNew {
            found: current,
            known,
        });
    }
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        tx.batch_execute(sql)?;
        let version = i32::try_from(*version).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &[&version, name, &now_rfc3339()],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// `REAL` is a 4-byte float in PostgreSQL: read it back through its shortest decimal
/// form, so 54.3 stays 54.3.
fn widen(v: f32) -> f64 {
    format!("{v}").parse().unwrap_or(f64::from(v))
}

impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn insert(&self, report: &NewReport) -> Result<Inserted, StoreError> {
        self.with(|client| insert(client, report))
    }

    fn page(
        &self,
        after: Option<&str>,
        limit: usize,
        only: Option<&str>,
    ) -> Result<Vec<StoredReport>, StoreError> {
        self.with(|client| page(client, after, limit, only))
    }

    fn id_for_key(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.with(|client| {
            Ok(client
                .query_opt("SELECT id FROM reports WHERE idempotency_key = $1", &[&key])?
                .map(|r| r.get(0)))
        })
    }

    fn check_writable(&self) -> Result<(), StoreError> {
        self.with(|client| {
            // A no-op write, rolled back: a read-only role, a hot standby or
            // `default_transaction_read_only` all refuse it.
            let mut tx = client.transaction()?;
            tx.execute(
                "UPDATE schema_migrations SET name = name WHERE version = (SELECT MAX(version) FROM schema_migrations)",
                &[],
            )?;
            tx.rollback()?;
            Ok(())
        })
    }

    fn count(&self) -> Result<u64, StoreError> {
        self.with(|client| {
            let n: i64 = client
                .query_one("SELECT COUNT(*) FROM reports", &[])?
                .get(0);
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        self.with(|client| {
            let mut problems = Vec::new();
            for (what, sql) in INVARIANTS {
                for row in client.query(*sql, &[])? {
                    problems.push(format!("{what}: {}", row.get::<_, String>(0)));
                }
            }
            for row in client.query("SELECT id, body FROM reports", &[])? {
                check_body(
                    &row.get::<_, String>(0),
                    &row.get::<_, String>(1),
                    &mut problems,
                );
            }
            Ok(problems)
        })
    }
}

fn insert(client: &mut Client, report: &NewReport) -> Result<Inserted, StoreError> {
    let mut tx = client.transaction()?;
    let r = &report.report;
    let id = new_id();
    let age = r.patient.age.map(|a| a as f32);
    let serious = i32::from(r.serious);
    let inserted = tx.query_opt(
        "INSERT INTO reports (id, idempotency_key, received_at, reporter_qualification,
                reporter_country, patient_age, patient_sex, patient_initials, onset, serious,
                seriousness, outcome, narrative, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (idempotency_key) DO NOTHING
             RETURNING id",
        &[
            &id,
            &report.idempotency_key,
            &now_rfc3339(),
            &r.reporter.qualification.as_str(),
            &r.reporter.country,
            &age,
            &r.patient.sex.map(|s| s.as_str()),
            &r.patient.initials,
            &r.onset,
            &serious,
            &r.seriousness_column(),
            &r.outcome.map(|o| o.as_str()),
            &r.narrative,
            &r.canonical_json(),
        ],
    )?;
    if inserted.is_none() {
        // The key is taken (perhaps by a transaction that committed while this one
        // waited): read the committed row.
        let row = tx.query_one(
            "SELECT id, body FROM reports WHERE idempotency_key = $1",
            &[&report.idempotency_key],
        )?;
        let (existing, body): (String, String) = (row.get(0), row.get(1));
        tx.rollback()?;
        return on_existing(report, existing, &body);
    }
    let drug = tx.prepare(
        "INSERT INTO report_drugs (report_id, position, name_verbatim, drug_id, role, dose, route)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )?;
    for (i, d) in r.drugs.iter().enumerate() {
        let position = i32::try_from(i).unwrap_or(i32::MAX);
        let drug_id = report.drug_ids.get(i).cloned().flatten();
        tx.execute(
            &drug,
            &[
                &id,
                &position,
                &d.verbatim(),
                &drug_id,
                &d.role.as_str(),
                &d.dose,
                &d.route,
            ],
        )?;
    }
    let reaction = tx.prepare(
        "INSERT INTO report_reactions (report_id, position, term, meddra_code)
             VALUES ($1, $2, $3, $4)",
    )?;
    for (i, x) in r.reactions.iter().enumerate() {
        let position = i32::try_from(i).unwrap_or(i32::MAX);
        tx.execute(&reaction, &[&id, &position, &x.term, &x.meddra_code])?;
    }
    tx.commit()?;
    Ok(Inserted { id, created: true })
}

fn page(
    client: &mut Client,
    after: Option<&str>,
    limit: usize,
    only: Option<&str>,
) -> Result<Vec<StoredReport>, StoreError> {
    // One snapshot for the three reads.
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let (filter, a, b): (&str, &str, i64) = match only {
        Some(id) => ("id = $1::text AND $2::bigint > 0", id, 1),
        None => (
            "id > $1::text AND $2::bigint > 0",
            after.unwrap_or(""),
            limit,
        ),
    };
    let ids = format!("SELECT id FROM reports WHERE {filter} ORDER BY id LIMIT $2::bigint");
    let rows = tx
        .query(
            &format!(
                "SELECT id, idempotency_key, received_at, reporter_qualification, reporter_country,
                        patient_age, patient_sex, patient_initials, onset, serious, seriousness,
                        outcome, narrative
                     FROM reports WHERE id IN ({ids}) ORDER BY id"
            ),
            &[&a, &b],
        )?
        .into_iter()
        .map(|r| ReportRow {
            id: r.get(0),
            idempotency_key: r.get(1),
            received_at: r.get(2),
            qualification: r.get(3),
            country: r.get(4),
            age: r.get::<_, Option<f32>>(5).map(widen),
            sex: r.get(6),
            initials: r.get(7),
            onset: r.get(8),
            serious: i64::from(r.get::<_, i32>(9)),
            seriousness: r.get(10),
            outcome: r.get(11),
            narrative: r.get(12),
        })
        .collect::<Vec<_>>();
    if rows.is_empty() {
        tx.commit()?;
        return Ok(Vec::new());
    }
    let drugs = tx
        .query(
            &format!(
                "SELECT report_id, name_verbatim, drug_id, role, dose, route FROM report_drugs
                     WHERE report_id IN ({ids}) ORDER BY report_id, position"
            ),
            &[&a, &b],
        )?
        .into_iter()
        .map(|r| DrugRow {
            report_id: r.get(0),
            name: r.get(1),
            drug_id: r.get(2),
            role: r.get(3),
            dose: r.get(4),
            route: r.get(5),
        })
        .collect();
    let reactions = tx
        .query(
            &format!(
                "SELECT report_id, term, meddra_code FROM report_reactions
                     WHERE report_id IN ({ids}) ORDER BY report_id, position"
            ),
            &[&a, &b],
        )?
        .into_iter()
        .map(|r| ReactionRow {
            report_id: r.get(0),
            term: r.get(1),
            meddra_code: r.get(2),
        })
        .collect();
    tx.commit()?;
    assemble(rows, drugs, reactions)
}
