//! The SQLite back-end: one file, WAL journal, `synchronous=FULL`, foreign keys on.

use super::{
    DrugRow, INVARIANTS, Inserted, MIGRATIONS, ReactionRow, ReportRow, Store, StoreError, assemble,
    check_body, new_id, on_existing,
};
use crate::date::now_rfc3339;
use crate::model::{NewReport, StoredReport};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// How long a writer waits for another process holding the write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The SQLite store. One connection, used by one thread at a time; other processes may
/// open the same file (SQLite's locking serialises the writers).
pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the file (creating it and its folder if needed), sets WAL and
    /// `synchronous=FULL`, and applies pending migrations.
    ///
    /// # Errors
    /// [`StoreError::Open`] when the file cannot be created or is not an SQLite
    /// database; [`StoreError::TooNew`] for a schema from a newer program.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let open_err = |message: String| StoreError::Open {
            target: path.display().to_string(),
            message,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                open_err(format!(
                    "cannot create the folder {}: {e}; choose another place with --store PATH",
                    dir.display()
                ))
            })?;
        }
        let mut conn = Connection::open(path).map_err(|e| {
            open_err(format!(
                "{e}; check the path and its permissions, or choose another with --store PATH"
            ))
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(|e| {
                open_err(format!(
                    "{e}; is it an SQLite database? Give a new file name or an existing report store"
                ))
            })?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(open_err(format!(
                "the database refused the WAL journal (mode {mode}); put the store on a local disk"
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock dropped its transaction, which rolled back:
        // the connection is still usable.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
    )?;
    let current: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    if current > known {
        return Err(StoreError::TooNew {
            found: current,
            known,
        });
    }
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![version, name, now_rfc3339()],
        )?;
    }
    tx.commit()?;
    Ok(())
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn insert(&self, report: &NewReport) -> Result<Inserted, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<(String, String)> = tx
            .query_row(
                "SELECT id, body FROM reports WHERE idempotency_key = ?1",
                [&report.idempotency_key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((id, body)) = existing {
            return on_existing(report, id, &body);
        }
        let id = new_id();
        let r = &report.report;
        tx.execute(
            "INSERT INTO reports (id, idempotency_key, received_at, reporter_qualification,
                reporter_country, patient_age, patient_sex, patient_initials, onset, serious,
                seriousness, outcome, narrative, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                id,
                report.idempotency_key,
                now_rfc3339(),
                r.reporter.qualification.as_str(),
                r.reporter.country,
                r.patient.age,
                r.patient.sex.map(|s| s.as_str()),
                r.patient.initials,
                r.onset,
                i64::from(r.serious),
                r.seriousness_column(),
                r.outcome.map(|o| o.as_str()),
                r.narrative,
                r.canonical_json(),
            ],
        )?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO report_drugs (report_id, position, name_verbatim, drug_id, role, dose, route)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (i, d) in r.drugs.iter().enumerate() {
                let drug_id = report.drug_ids.get(i).cloned().flatten();
                stmt.execute(params![
                    id,
                    i as i64,
                    d.verbatim(),
                    drug_id,
                    d.role.as_str(),
                    d.dose,
                    d.route
                ])?;
            }
            let mut stmt = tx.prepare_cached(
                "INSERT INTO report_reactions (report_id, position, term, meddra_code)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (i, x) in r.reactions.iter().enumerate() {
                stmt.execute(params![id, i as i64, x.term, x.meddra_code])?;
            }
        }
        tx.commit()?;
        Ok(Inserted { id, created: true })
    }

    fn page(
        &self,
        after: Option<&str>,
        limit: usize,
        only: Option<&str>,
    ) -> Result<Vec<StoredReport>, StoreError> {
        let conn = self.lock();
        // One snapshot for the three reads.
        let tx = conn.unchecked_transaction()?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let (filter, a, b): (&str, &str, i64) = match only {
            Some(id) => ("id = ?1 AND ?2 > 0", id, 1),
            None => ("id > ?1 AND ?2 > 0", after.unwrap_or(""), limit),
        };
        let ids = format!("SELECT id FROM reports WHERE {filter} ORDER BY id LIMIT ?2");
        let rows = tx
            .prepare(&format!(
                "SELECT id, idempotency_key, received_at, reporter_qualification, reporter_country,
                    patient_age, patient_sex, patient_initials, onset, serious, seriousness,
                    outcome, narrative
                 FROM reports WHERE id IN ({ids}) ORDER BY id"
            ))?
            .query_map(params![a, b], |r| {
                Ok(ReportRow {
                    id: r.get(0)?,
                    idempotency_key: r.get(1)?,
                    received_at: r.get(2)?,
                    qualification: r.get(3)?,
                    country: r.get(4)?,
                    age: r.get(5)?,
                    sex: r.get(6)?,
                    initials: r.get(7)?,
                    onset: r.get(8)?,
                    serious: r.get(9)?,
                    seriousness: r.get(10)?,
                    outcome: r.get(11)?,
                    narrative: r.get(12)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let drugs = tx
            .prepare(&format!(
                "SELECT report_id, name_verbatim, drug_id, role, dose, route FROM report_drugs
                 WHERE report_id IN ({ids}) ORDER BY report_id, position"
            ))?
            .query_map(params![a, b], |r| {
                Ok(DrugRow {
                    report_id: r.get(0)?,
                    name: r.get(1)?,
                    drug_id: r.get(2)?,
                    role: r.get(3)?,
                    dose: r.get(4)?,
                    route: r.get(5)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let reactions = tx
            .prepare(&format!(
                "SELECT report_id, term, meddra_code FROM report_reactions
                 WHERE report_id IN ({ids}) ORDER BY report_id, position"
            ))?
            .query_map(params![a, b], |r| {
                Ok(ReactionRow {
                    report_id: r.get(0)?,
                    term: r.get(1)?,
                    meddra_code: r.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        tx.finish()?;
        assemble(rows, drugs, reactions)
    }

    fn id_for_key(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT id FROM reports WHERE idempotency_key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn check_writable(&self) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Rewrites one row with its own value: the page must be written, so a read-only
        // file or folder fails here; the rollback leaves the file as it was.
        tx.execute(
            "UPDATE schema_migrations SET name = name WHERE version = (SELECT MAX(version) FROM schema_migrations)",
            [],
        )?;
        tx.rollback()?;
        Ok(())
    }

    fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .lock()
            .query_row("SELECT COUNT(*) FROM reports", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.lock();
        let mut problems = Vec::new();
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let line = row?;
            if line != "ok" {
                problems.push(format!("integrity_check: {line}"));
            }
        }
        let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt.query_map([], |r| {
            Ok(format!(
                "foreign_key_check: {} row {} references a missing {}",
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?.unwrap_or_default(),
                r.get::<_, String>(2)?
            ))
        })?;
        for row in rows {
            problems.push(row?);
        }
        for (what, sql) in INVARIANTS {
            let mut stmt = conn.prepare(sql)?;
            for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
                problems.push(format!("{what}: {}", row?));
            }
        }
        let mut stmt = conn.prepare("SELECT id, body FROM reports")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            check_body(
                &row.get::<_, String>(0)?,
                &row.get::<_, String>(1)?,
                &mut problems,
            );
        }
        Ok(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_only_database_is_found_before_any_report() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("r.sqlite");
        let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(store.check_writable().is_ok());
        let before = store.count().unwrap_or_else(|e| panic!("{e}"));
        drop(store);
        // What a read-only file gives (root ignores file modes, so open it read-only).
        let conn = Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap_or_else(|e| panic!("{e}"));
        let read_only = SqliteStore {
            conn: Mutex::new(conn),
            path: path.clone(),
        };
        assert!(read_only.check_writable().is_err());
        assert_eq!(read_only.count().unwrap_or_else(|e| panic!("{e}")), before);
    }

    #[test]
    fn the_connection_is_wal_full_sync_with_foreign_keys() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store =
            SqliteStore::open(&dir.path().join("r.sqlite")).unwrap_or_else(|e| panic!("{e}"));
        let conn = store.lock();
        let get = |p: &str| -> String {
            conn.query_row(&format!("PRAGMA {p}"), [], |r| {
                r.get::<_, rusqlite::types::Value>(0)
            })
            .map(|v| format!("{v:?}"))
            .unwrap_or_else(|e| panic!("{e}"))
        };
        assert_eq!(get("journal_mode"), "Text(\"wal\")");
        assert_eq!(get("synchronous"), "Integer(2)", "2 is FULL");
        assert_eq!(get("foreign_keys"), "Integer(1)");
    }
}
