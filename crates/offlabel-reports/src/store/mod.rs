//! The durable store: one [`Store`] trait, two back-ends with the same schema.
//!
//! - [`SqliteStore`] (the embedded default): one file, WAL journal, `synchronous=FULL`,
//!   foreign keys on; every insert is one `BEGIN IMMEDIATE` transaction, so when
//!   [`Store::insert`] returns, the report is on disk.
//! - [`PostgresStore`] (`postgres://…`): the same tables through the same versioned
//!   migrations; every insert is one transaction committed with the server's
//!   (synchronous) commit.
//!
//! Both record applied migrations in `schema_migrations(version, name, applied_at)` and
//! create and migrate the schema on first use. Idempotency: `reports.idempotency_key`
//! is `UNIQUE`; inserting a key that is already stored returns the stored id when the
//! content is the same ([`Inserted::created`] is false) and [`StoreError::KeyConflict`]
//! when it is not.

mod postgres;
mod sqlite;

pub use self::postgres::PostgresStore;
pub use self::sqlite::SqliteStore;

use crate::model::{
    Criterion, NewReport, Outcome, Patient, Qualification, Reaction, ReportSummary, Reporter, Role,
    Sex, StoredDrug, StoredReport,
};
use std::collections::HashMap;
use std::path::PathBuf;

/// The schema migrations, in order: `(version, name, SQL)`. The SQL is the same for both
/// back-ends (only `TEXT`, `INTEGER` and `REAL` columns).
pub const MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "reports, report_drugs, report_reactions",
    "CREATE TABLE IF NOT EXISTS reports (
        id TEXT PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        received_at TEXT NOT NULL,
        reporter_qualification TEXT NOT NULL,
        reporter_country TEXT NOT NULL,
        patient_age REAL,
        patient_sex TEXT,
        patient_initials TEXT,
        onset TEXT NOT NULL,
        serious INTEGER NOT NULL,
        seriousness TEXT,
        outcome TEXT,
        narrative TEXT,
        body TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS report_drugs (
        report_id TEXT NOT NULL REFERENCES reports(id),
        position INTEGER NOT NULL,
        name_verbatim TEXT NOT NULL,
        drug_id TEXT,
        role TEXT NOT NULL,
        dose TEXT,
        route TEXT,
        PRIMARY KEY(report_id, position)
    );
    CREATE TABLE IF NOT EXISTS report_reactions (
        report_id TEXT NOT NULL REFERENCES reports(id),
        position INTEGER NOT NULL,
        term TEXT NOT NULL,
        meddra_code TEXT,
        PRIMARY KEY(report_id, position)
    );
    CREATE INDEX IF NOT EXISTS report_drugs_drug_id ON report_drugs(drug_id);
    CREATE INDEX IF NOT EXISTS report_reactions_term ON report_reactions(term);",
)];

/// Reports read per page by [`Store::for_each`].
pub const PAGE: usize = 500;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store could not be opened or created.
    #[error("cannot open the report store {target}: {message}")]
    Open {
        /// The path or URL (password removed).
        target: String,
        /// What went wrong and how to fix it.
        message: String,
    },
    /// An SQLite error.
    #[error("SQLite store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A PostgreSQL error.
    #[error("PostgreSQL store: {0}")]
    Postgres(#[from] ::postgres::Error),
    /// The idempotency key is stored with different content.
    #[error(
        "the idempotency key {key:?} was already used for a different report ({id}); use a new key for a new report, or resend exactly the same content to retry"
    )]
    KeyConflict {
        /// The key.
        key: String,
        /// The report already stored under it.
        id: String,
    },
    /// The store holds a value this version cannot read.
    #[error("the store holds an unreadable value: {0}; run `offlabel reports check`")]
    Corrupt(String),
    /// The store's schema is newer than this program.
    #[error(
        "the store's schema is at version {found}, newer than this program knows ({known}); upgrade offlabel"
    )]
    TooNew {
        /// The highest version applied to the store.
        found: i64,
        /// The highest version this program knows.
        known: i64,
    },
}

impl StoreError {
    /// What kind of failure this is, safe to log: no values from the reports (database
    /// messages can quote them), no passwords.
    pub fn log_kind(&self) -> String {
        match self {
            StoreError::Open { .. } => "cannot open the store".into(),
            StoreError::Sqlite(e) => match e.sqlite_error_code() {
                Some(code) => format!("sqlite {code:?}"),
                None => "sqlite error".into(),
            },
            StoreError::Postgres(e) => match e.code() {
                Some(code) => format!("postgres SQLSTATE {}", code.code()),
                None if e.is_closed() => "postgres connection closed".into(),
                None => "postgres connection error".into(),
            },
            StoreError::KeyConflict { .. } => "idempotency key conflict".into(),
            StoreError::Corrupt(_) => "unreadable value in the store".into(),
            StoreError::TooNew { .. } => "store schema newer than this program".into(),
        }
    }
}

/// The result of [`Store::insert`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inserted {
    /// The report id.
    pub id: String,
    /// `true` when this call stored the report; `false` when the same report was
    /// already stored under the same idempotency key (a retry).
    pub created: bool,
}

/// A durable report store.
pub trait Store: Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Stores a validated report in one transaction; returns after the commit.
    ///
    /// # Errors
    /// [`StoreError::KeyConflict`] when the key is stored with other content; database
    /// errors otherwise (nothing is stored then).
    fn insert(&self, report: &NewReport) -> Result<Inserted, StoreError>;

    /// Reads the reports with ids greater than `after` (all when `None`), in id order,
    /// at most `limit` of them; with `only`, just that id.
    ///
    /// # Errors
    /// Database errors and unreadable values.
    fn page(
        &self,
        after: Option<&str>,
        limit: usize,
        only: Option<&str>,
    ) -> Result<Vec<StoredReport>, StoreError>;

    /// The id stored under an idempotency key.
    ///
    /// # Errors
    /// Database errors.
    fn id_for_key(&self, key: &str) -> Result<Option<String>, StoreError>;

    /// Checks that the store takes writes (a read-only file or a read-only database
    /// user would otherwise fail every insert), writing nothing. The default says yes.
    ///
    /// # Errors
    /// The database's refusal.
    fn check_writable(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// How many reports the store holds.
    ///
    /// # Errors
    /// Database errors.
    fn count(&self) -> Result<u64, StoreError>;

    /// Checks the store: the database's own check (SQLite), references between the
    /// tables, one suspect drug and one reaction per report, unique keys, readable
    /// bodies. Returns the problems found (empty: all well).
    ///
    /// # Errors
    /// Database errors that stop the check itself.
    fn integrity_check(&self) -> Result<Vec<String>, StoreError>;

    /// One report by id.
    ///
    /// # Errors
    /// Database errors and unreadable values.
    fn get(&self, id: &str) -> Result<Option<StoredReport>, StoreError> {
        Ok(self.page(None, 1, Some(id))?.into_iter().next())
    }

    /// Calls `f` with every report, in id order (ids grow with time), a page at a time.
    ///
    /// # Errors
    /// The first error of the store or of `f`.
    fn for_each(
        &self,
        f: &mut dyn FnMut(StoredReport) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut after: Option<String> = None;
        loop {
            let page = self.page(after.as_deref(), PAGE, None)?;
            let last = page.last().map(|r| r.id.clone());
            let done = page.len() < PAGE;
            for r in page {
                f(r)?;
            }
            match last {
                Some(l) if !done => after = Some(l),
                _ => return Ok(()),
            }
        }
    }

    /// The list line of every report, in id order.
    ///
    /// # Errors
    /// As [`Store::for_each`].
    fn list(&self) -> Result<Vec<ReportSummary>, StoreError> {
        let mut out = Vec::new();
        self.for_each(&mut |r| {
            out.push(r.summary());
            Ok(())
        })?;
        Ok(out)
    }
}

/// Opens (creating and migrating on first use) the store named by `spec`: a
/// `postgres://` or `postgresql://` URL, or a file path (optionally prefixed
/// `sqlite://`).
///
/// # Errors
/// [`StoreError::Open`] when it cannot be reached or created; migration errors.
pub fn open(spec: &str) -> Result<Box<dyn Store>, StoreError> {
    if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        Ok(Box::new(PostgresStore::connect(spec)?))
    } else {
        let path = spec.strip_prefix("sqlite://").unwrap_or(spec);
        if path.is_empty() {
            return Err(StoreError::Open {
                target: spec.to_string(),
                message: "the path is empty; give a file path or a postgres:// URL".into(),
            });
        }
        Ok(Box::new(SqliteStore::open(std::path::Path::new(path))?))
    }
}

/// The default store: `reports.sqlite` in `offlabel` under the user's data directory
/// (`$XDG_DATA_HOME`, else `~/.local/share` on Linux).
pub fn default_path() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("offlabel").join("reports.sqlite"))
}

/// A new report id: a UUID version 7 (time-ordered), so id order is arrival order.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A `postgres://` URL with its password replaced by `***`, for messages.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some((a, h)) => (a, h),
        None => return url.to_string(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// The columns of a `reports` row, as both back-ends read them.
pub(crate) struct ReportRow {
    pub id: String,
    pub idempotency_key: String,
    pub received_at: String,
    pub qualification: String,
    pub country: String,
    pub age: Option<f64>,
    pub sex: Option<String>,
    pub initials: Option<String>,
    pub onset: String,
    pub serious: i64,
    pub seriousness: Option<String>,
    pub outcome: Option<String>,
    pub narrative: Option<String>,
}

/// The columns of a `report_drugs` row.
pub(crate) struct DrugRow {
    pub report_id: String,
    pub name: String,
    pub drug_id: Option<String>,
    pub role: String,
    pub dose: Option<String>,
    pub route: Option<String>,
}

/// The columns of a `report_reactions` row.
pub(crate) struct ReactionRow {
    pub report_id: String,
    pub term: String,
    pub meddra_code: Option<String>,
}

fn corrupt(id: &str, column: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("report {id}: {column} {value:?}"))
}

/// Assembles reports from rows (drugs and reactions in position order).
pub(crate) fn assemble(
    rows: Vec<ReportRow>,
    drugs: Vec<DrugRow>,
    reactions: Vec<ReactionRow>,
) -> Result<Vec<StoredReport>, StoreError> {
    let mut out = Vec::with_capacity(rows.len());
    let mut index = HashMap::with_capacity(rows.len());
    for r in rows {
        let qualification = Qualification::parse(&r.qualification)
            .ok_or_else(|| corrupt(&r.id, "reporter_qualification", &r.qualification))?;
        let sex = match r.sex.as_deref() {
            None => None,
            Some(s) => Some(Sex::parse(s).ok_or_else(|| corrupt(&r.id, "patient_sex", s))?),
        };
        let outcome = match r.outcome.as_deref() {
            None => None,
            Some(s) => Some(Outcome::parse(s).ok_or_else(|| corrupt(&r.id, "outcome", s))?),
        };
        let mut seriousness = Vec::new();
        for c in r.seriousness.as_deref().unwrap_or("").split(',') {
            if !c.is_empty() {
                seriousness
                    .push(Criterion::parse(c).ok_or_else(|| corrupt(&r.id, "seriousness", c))?);
            }
        }
        index.insert(r.id.clone(), out.len());
        out.push(StoredReport {
            id: r.id,
            received_at: r.received_at,
            idempotency_key: r.idempotency_key,
            reporter: Reporter {
                qualification,
                country: r.country,
            },
            patient: Patient {
                age: r.age,
                sex,
                initials: r.initials,
            },
            drugs: Vec::new(),
            reactions: Vec::new(),
            onset: r.onset,
            serious: r.serious != 0,
            seriousness,
            outcome,
            narrative: r.narrative,
        });
    }
    for d in drugs {
        let role = Role::parse(&d.role).ok_or_else(|| corrupt(&d.report_id, "role", &d.role))?;
        if let Some(&i) = index.get(&d.report_id) {
            out[i].drugs.push(StoredDrug {
                name: d.name,
                drug_id: d.drug_id,
                role,
                dose: d.dose,
                route: d.route,
            });
        }
    }
    for x in reactions {
        if let Some(&i) = index.get(&x.report_id) {
            out[i].reactions.push(Reaction {
                term: x.term,
                meddra_code: x.meddra_code,
            });
        }
    }
    Ok(out)
}

/// The checks both back-ends run by query: `(description, SQL returning one text
/// column naming the offending row)`.
pub(crate) const INVARIANTS: &[(&str, &str)] = &[
    (
        "report_drugs row without its report",
        "SELECT d.report_id FROM report_drugs d WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = d.report_id) LIMIT 20",
    ),
    (
        "report_reactions row without its report",
        "SELECT x.report_id FROM report_reactions x WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = x.report_id) LIMIT 20",
    ),
    (
        "report without a suspect drug",
        "SELECT r.id FROM reports r WHERE NOT EXISTS (SELECT 1 FROM report_drugs d WHERE d.report_id = r.id AND d.role = 'suspect') LIMIT 20",
    ),
    (
        "report without a reaction",
        "SELECT r.id FROM reports r WHERE NOT EXISTS (SELECT 1 FROM report_reactions x WHERE x.report_id = r.id) LIMIT 20",
    ),
    (
        "idempotency key stored more than once",
        "SELECT idempotency_key FROM reports GROUP BY idempotency_key HAVING COUNT(*) > 1 LIMIT 20",
    ),
    (
        "drug role outside the vocabulary",
        "SELECT report_id FROM report_drugs WHERE role NOT IN ('suspect', 'concomitant', 'interacting') LIMIT 20",
    ),
];

/// Checks that a stored body reads back as a report.
pub(crate) fn check_body(id: &str, body: &str, problems: &mut Vec<String>) {
    if let Err(e) = serde_json::from_str::<crate::model::Report>(body) {
        problems.push(format!("report {id}: body is not a readable report ({e})"));
    }
}

/// What [`Store::insert`] does when the key is already stored: the same content is a
/// retry, other content a conflict.
pub(crate) fn on_existing(
    report: &NewReport,
    id: String,
    body: &str,
) -> Result<Inserted, StoreError> {
    if body == report.report.canonical_json() {
        Ok(Inserted { id, created: false })
    } else {
        Err(StoreError::KeyConflict {
            key: report.idempotency_key.clone(),
            id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://u:secret@localhost:5432/db"),
            "postgres://u:***@localhost:5432/db"
        );
        assert_eq!(
            redact("postgres://u@localhost/db"),
            "postgres://u@localhost/db"
        );
        assert_eq!(redact("/tmp/x.sqlite"), "/tmp/x.sqlite");
    }
}
