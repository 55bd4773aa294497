//! Persistence: the SQLite report store.
//!
//! The store is one SQLite file (WAL mode) shared with the intake service. This
//! crate owns the tables prefixed `faers_` (created by a versioned migration kept in
//! `faers_schema`) and reads the intake tables (`reports`, `report_drugs`,
//! `report_reactions`) when they exist. The tables are listed in the crate README.

use crate::count::{AgeBand, Interner, ReportSet, Sex};
use crate::dedup::{self, Version};
use crate::drugs::{DrugMapper, MappingSummary};
use crate::faers::{self, BadLine, DollarReader, FaersFile, FileError, FileKind, Layout, Row};
use crate::openfda::{self, OpenFdaError};
use rusqlite::{Connection, OptionalExtension, params};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Errors of the store and the import.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A PostgreSQL URL was given.
    #[error(
        "{0}: the signal tables live in SQLite for now; pass --store PATH to a SQLite file (e.g. --store reports.sqlite)"
    )]
    Postgres(String),
    /// No `--store`, and neither `XDG_DATA_HOME` nor `HOME` is set.
    #[error("no store path: set --store PATH (neither XDG_DATA_HOME nor HOME is set)")]
    NoDefaultPath,
    /// The store file does not exist (when reading).
    #[error(
        "no report store at {0}: import reports first with `offlabel faers import --store {0} DIR`"
    )]
    Missing(PathBuf),
    /// SQLite failed.
    #[error("report store {path}: {context}: {source}")]
    Sqlite {
        /// The store.
        path: PathBuf,
        /// What was being done.
        context: &'static str,
        /// The cause.
        source: rusqlite::Error,
    },
    /// The store was written by a newer version.
    #[error(
        "report store {path} has FAERS schema version {found}, newer than this program's {known}; upgrade offlabel"
    )]
    TooNew {
        /// The store.
        path: PathBuf,
        /// Version found.
        found: i64,
        /// Newest version known.
        known: i64,
    },
    /// A folder could not be read.
    #[error(
        "cannot read the folder {path}: {source}; give a folder holding the extracted FAERS ASCII files"
    )]
    Dir {
        /// The folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// No FAERS file under the folders given.
    #[error(
        "no FAERS files (DEMOyyQq.txt, DRUGyyQq.txt, …) under {0}; unzip faers_ascii_YYYYQn.zip and give the folder"
    )]
    NoFiles(String),
    /// A quarter lacks a table the counts need.
    #[error(
        "quarter {quarter} has no {table} file (found: {found}); every quarter needs DEMO, DRUG and REAC ({table}yyQq.txt); unzip the whole faers_ascii_YYYYQn.zip (or aers_ascii_YYYYQn.zip) into the folder"
    )]
    MissingTable {
        /// The quarter.
        quarter: String,
        /// The table missing (`DEMO`, `DRUG` or `REAC`).
        table: &'static str,
        /// The files found for the quarter.
        found: String,
    },
    /// A file could not be read at all.
    #[error(transparent)]
    File(#[from] FileError),
    /// An openFDA file could not be read.
    #[error(transparent)]
    OpenFda(#[from] OpenFdaError),
}

/// Drug roles (FAERS `role_cod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Roles {
    /// Suspects: PS, SS and I (interacting).
    #[default]
    Suspect,
    /// Suspects and concomitants (C).
    All,
}

impl Roles {
    /// Whether a role code counts.
    pub fn counts(self, role: &str) -> bool {
        match role {
            "PS" | "SS" | "I" => true,
            "C" => self == Roles::All,
            _ => false,
        }
    }

    /// Parses `suspect` or `all`.
    pub fn parse(text: &str) -> Option<Roles> {
        match text.trim().to_ascii_lowercase().as_str() {
            "suspect" => Some(Roles::Suspect),
            "all" => Some(Roles::All),
            _ => None,
        }
    }

    /// The name.
    pub fn label(self) -> &'static str {
        match self {
            Roles::Suspect => "suspect",
            Roles::All => "all",
        }
    }
}

/// The default store: `$XDG_DATA_HOME/offlabel/reports.sqlite`, else
/// `~/.local/share/offlabel/reports.sqlite`.
pub fn default_path() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(x).join("offlabel").join("reports.sqlite"));
    }
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(|h| PathBuf::from(h).join(".local/share/offlabel/reports.sqlite"))
}

/// Resolves `--store`: a path, a `sqlite://` URL, or the default; PostgreSQL URLs
/// are refused.
///
/// # Errors
/// [`StoreError::Postgres`] or [`StoreError::NoDefaultPath`].
pub fn resolve(location: Option<&str>) -> Result<PathBuf, StoreError> {
    match location.map(str::trim) {
        Some(l) if l.starts_with("postgres://") || l.starts_with("postgresql://") => {
            let shown = l.split('@').next_back().unwrap_or("postgres");
            Err(StoreError::Postgres(format!("postgres://…@{shown}")))
        }
        Some(l) if !l.is_empty() => Ok(PathBuf::from(
            l.strip_prefix("sqlite://")
                .or_else(|| l.strip_prefix("sqlite:"))
                .unwrap_or(l),
        )),
        _ => default_path().ok_or(StoreError::NoDefaultPath),
    }
}

/// The FAERS migrations, in order; `faers_schema.version` counts those applied.
const MIGRATIONS: &[&str] = &[r"
CREATE TABLE faers_imports (
    quarter TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    reports INTEGER NOT NULL,
    drugs INTEGER NOT NULL,
    reactions INTEGER NOT NULL,
    bad_lines INTEGER NOT NULL
);
CREATE TABLE faers_reports (
    primaryid INTEGER PRIMARY KEY,
    caseid INTEGER NOT NULL,
    caseversion INTEGER NOT NULL,
    fda_dt TEXT,
    init_fda_dt TEXT,
    event_dt TEXT,
    rept_cod TEXT,
    sex TEXT,
    age_years REAL,
    age TEXT,
    age_cod TEXT,
    wt TEXT,
    wt_cod TEXT,
    occp_cod TEXT,
    reporter_country TEXT,
    occr_country TEXT,
    quarter TEXT NOT NULL
);
CREATE INDEX faers_reports_caseid ON faers_reports(caseid);
CREATE INDEX faers_reports_quarter ON faers_reports(quarter);
CREATE TABLE faers_drugs (
    primaryid INTEGER NOT NULL,
    drug_seq INTEGER,
    role TEXT NOT NULL,
    drug_key TEXT NOT NULL,
    drugname TEXT,
    prod_ai TEXT,
    route TEXT,
    quarter TEXT NOT NULL
);
CREATE INDEX faers_drugs_quarter ON faers_drugs(quarter);
CREATE TABLE faers_reactions (
    primaryid INTEGER NOT NULL,
    pt TEXT NOT NULL,
    drug_rec_act TEXT,
    quarter TEXT NOT NULL
);
CREATE INDEX faers_reactions_quarter ON faers_reactions(quarter);
CREATE TABLE faers_outcomes (primaryid INTEGER NOT NULL, outc_cod TEXT NOT NULL, quarter TEXT NOT NULL);
CREATE INDEX faers_outcomes_quarter ON faers_outcomes(quarter);
CREATE TABLE faers_indications (primaryid INTEGER NOT NULL, drug_seq INTEGER, pt TEXT NOT NULL, quarter TEXT NOT NULL);
CREATE INDEX faers_indications_quarter ON faers_indications(quarter);
CREATE TABLE faers_therapies (
    primaryid INTEGER NOT NULL,
    drug_seq INTEGER,
    start_dt TEXT,
    end_dt TEXT,
    dur TEXT,
    dur_cod TEXT,
    quarter TEXT NOT NULL
);
CREATE INDEX faers_therapies_quarter ON faers_therapies(quarter);
CREATE TABLE faers_sources (primaryid INTEGER NOT NULL, rpsr_cod TEXT NOT NULL, quarter TEXT NOT NULL);
CREATE INDEX faers_sources_quarter ON faers_sources(quarter);
CREATE TABLE faers_deleted (caseid INTEGER NOT NULL, quarter TEXT NOT NULL, PRIMARY KEY (caseid, quarter));
"];

/// Tables holding one quarter's rows (emptied before the quarter is imported again).
const QUARTER_TABLES: [&str; 8] = [
    "faers_reports",
    "faers_drugs",
    "faers_reactions",
    "faers_outcomes",
    "faers_indications",
    "faers_therapies",
    "faers_sources",
    "faers_deleted",
];

/// Progress of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Bytes read so far.
    pub done: u64,
    /// Bytes of all files.
    pub total: u64,
    /// The file being read.
    pub file: String,
}

/// What one file gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileSummary {
    /// The file.
    pub path: String,
    /// Rows imported.
    pub rows: u64,
    /// Bad lines skipped.
    pub bad_lines: u64,
    /// The first few bad lines, as `line N: reason`.
    pub examples: Vec<String>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Quarters imported (replacing any earlier import of the same quarter).
    pub quarters: Vec<String>,
    /// The layout of each quarter, in the order of `quarters` (ASCII imports only).
    pub layouts: Vec<Layout>,
    /// Per file.
    pub files: Vec<FileSummary>,
    /// How the drug rows mapped to medicines.
    pub drugs: MappingSummary,
    /// Problems that did not stop the import (a quarter without an optional table).
    pub warnings: Vec<String>,
}

impl ImportSummary {
    /// Bad lines over all files.
    pub fn bad_lines(&self) -> u64 {
        self.files.iter().map(|f| f.bad_lines).sum()
    }
}

/// Which reports to load.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Drug roles that count.
    pub roles: Roles,
    /// Only this sex.
    pub sex: Option<Sex>,
    /// Only this age band.
    pub age: Option<AgeBand>,
}

/// The reports loaded for counting, with what was read.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The reports.
    pub set: ReportSet,
    /// FAERS report versions in the store.
    pub faers_versions: u64,
    /// FAERS reports kept after deduplication and deletion (before the sex/age filter).
    pub faers_reports: u64,
    /// Intake reports read.
    pub intake_reports: u64,
    /// Problems that did not stop the load (e.g. intake tables of another shape).
    pub warnings: Vec<String>,
}

/// An open report store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating when `create`) the store at `path`, in WAL mode, and applies
    /// the FAERS migrations.
    ///
    /// # Errors
    /// [`StoreError::Missing`] when the file does not exist and `create` is false;
    /// SQLite errors; [`StoreError::TooNew`].
    pub fn open(path: &Path, create: bool) -> Result<Store, StoreError> {
        if !path.exists() {
            if !create {
                return Err(StoreError::Missing(path.to_owned()));
            }
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|source| StoreError::Dir {
                    path: parent.to_owned(),
                    source,
                })?;
            }
        }
        let sql = |context: &'static str| {
            let path = path.to_owned();
            move |source| StoreError::Sqlite {
                path: path.clone(),
                context,
                source,
            }
        };
        let conn = Connection::open(path).map_err(sql("opening"))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(sql("setting the busy timeout"))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sql("switching to WAL"))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql("setting synchronous"))?;
        let store = Store {
            conn,
            path: path.to_owned(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, context: &'static str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |source| StoreError::Sqlite {
            path: self.path.clone(),
            context,
            source,
        }
    }

    fn migrate(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("CREATE TABLE IF NOT EXISTS faers_schema (version INTEGER NOT NULL)")
            .map_err(self.err("creating faers_schema"))?;
        let version: i64 = self
            .conn
            .query_row("SELECT max(version) FROM faers_schema", [], |r| {
                r.get::<_, Option<i64>>(0)
            })
            .map_err(self.err("reading the schema version"))?
            .unwrap_or(0);
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self
                .conn
                .unchecked_transaction()
                .map_err(self.err("starting a migration"))?;
            tx.execute_batch(sql).map_err(self.err("migrating"))?;
            tx.execute("DELETE FROM faers_schema", [])
                .map_err(self.err("migrating"))?;
            tx.execute(
                "INSERT INTO faers_schema (version) VALUES (?1)",
                [i as i64 + 1],
            )
            .map_err(self.err("migrating"))?;
            tx.commit().map_err(self.err("committing a migration"))?;
        }
        Ok(())
    }

    /// Imports every FAERS or legacy AERS quarter found under `dirs` (see [`faers`]).
    /// Every file's header is checked before anything is written; then each quarter
    /// is one transaction and replaces an earlier import of the same quarter, so a
    /// failed import leaves the quarters it had not committed as they were.
    /// `resolve` maps a drug name as written to a medicine id (called once per
    /// distinct text; see [`crate::drugs`]); `progress` is called as bytes are read.
    ///
    /// # Errors
    /// No FAERS file found, a quarter without DEMO, DRUG or REAC, a file without a
    /// needed column or split by another delimiter, tables of one quarter in two
    /// layouts, I/O or SQLite errors. Bad lines are not errors: they are counted in
    /// the summary.
    pub fn import_faers(
        &mut self,
        dirs: &[PathBuf],
        resolve: &mut dyn FnMut(&str) -> Option<String>,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<ImportSummary, StoreError> {
        let mut files: Vec<FaersFile> = Vec::new();
        for dir in dirs {
            files.extend(faers::scan(dir).map_err(|source| StoreError::Dir {
                path: dir.clone(),
                source,
            })?);
        }
        if files.is_empty() {
            return Err(StoreError::NoFiles(
                dirs.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
        }
        files.sort_by(|a, b| (&a.quarter, a.kind).cmp(&(&b.quarter, b.kind)));
        let mut quarters: Vec<String> = files.iter().map(|f| f.quarter.clone()).collect();
        quarters.dedup();
        let mut summary = ImportSummary::default();
        for q in &quarters {
            let layout = check_quarter(&files, q, &mut summary.warnings)?;
            summary.layouts.push(layout);
        }
        let total: u64 = files.iter().map(|f| f.bytes).sum();
        let mut done = 0u64;
        let mut mapper = DrugMapper::new(resolve);
        let source = dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        for quarter in &quarters {
            let tx = self.begin_quarter(quarter)?;
            let mut counts = [0u64; 3];
            let mut bad_total = 0u64;
            for file in files.iter().filter(|f| &f.quarter == quarter) {
                let name = file.path.display().to_string();
                let mut report = |bytes: u64| {
                    progress(&Progress {
                        done: done + bytes,
                        total,
                        file: name.clone(),
                    });
                };
                let fs = import_file(&tx, file, &mut mapper, &mut report).map_err(|e| match e {
                    ImportError::Sql(source) => StoreError::Sqlite {
                        path: self.path.clone(),
                        context: "importing",
                        source,
                    },
                    ImportError::File(f) => StoreError::File(f),
                })?;
                done += file.bytes;
                match file.kind {
                    FileKind::Demo => counts[0] += fs.rows,
                    FileKind::Drug => counts[1] += fs.rows,
                    FileKind::Reac => counts[2] += fs.rows,
                    _ => {}
                }
                bad_total += fs.bad_lines;
                summary.files.push(fs);
            }
            tx.execute(
                INSERT_IMPORT,
                params![
                    quarter,
                    source,
                    counts[0] as i64,
                    counts[1] as i64,
                    counts[2] as i64,
                    bad_total as i64
                ],
            )
            .map_err(self.err("recording the import"))?;
            tx.commit().map_err(self.err("committing the import"))?;
            summary.quarters.push(quarter.clone());
        }
        summary.drugs = mapper.summary(TOP_UNMAPPED);
        Ok(summary)
    }

    /// Imports openFDA drug/event files (`.json`, or `.json.zip` as FDA serves the bulk
    /// download; see [`openfda`]), streaming. Each file is one transaction, recorded as
    /// the quarter `openfda:<file name>`, so importing a file again replaces it. Reports
    /// join the FAERS tables keyed as [`openfda::Event::to_report`] says; an element that
    /// is not a report is a bad record (counted, not fatal). `resolve` and `progress`
    /// are as for [`Store::import_faers`].
    ///
    /// # Errors
    /// A file that cannot be read, is not JSON, is cut short, has no `results` or holds
    /// a count query's answer (that file's transaction is rolled back); SQLite errors.
    pub fn import_openfda(
        &mut self,
        paths: &[PathBuf],
        resolve: &mut dyn FnMut(&str) -> Option<String>,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<ImportSummary, StoreError> {
        let sizes: Vec<u64> = paths
            .iter()
            .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
            .collect();
        let total: u64 = sizes.iter().sum();
        let mut done = 0u64;
        let mut summary = ImportSummary::default();
        let mut mapper = DrugMapper::new(resolve);
        for (path, bytes) in paths.iter().zip(sizes) {
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let quarter = format!("openfda:{name}");
            let tx = self.begin_quarter(&quarter)?;
            let mut fs = FileSummary {
                path: path.display().to_string(),
                rows: 0,
                bad_lines: 0,
                examples: Vec::new(),
            };
            let mut counts = [0u64; 3];
            let mut failed: Option<rusqlite::Error> = None;
            let mut sink = |index: u64, event: Result<openfda::Event, String>| {
                let report = match event.and_then(|e| e.to_report()) {
                    Ok(r) => r,
                    Err(reason) => {
                        fs.bad_lines += 1;
                        if fs.examples.len() < EXAMPLES {
                            fs.examples
                                .push(format!("record {} of results: {reason}", index + 1));
                        }
                        return Ok(());
                    }
                };
                let q = quarter.as_str();
                let mut insert = || -> Result<(), rusqlite::Error> {
                    let years = faers::age_years(&report.age, &report.age_cod);
                    tx.prepare_cached(INSERT_REPORT)?.execute(params![
                        report.primaryid,
                        report.caseid,
                        report.caseversion,
                        report.fda_dt,
                        report.init_fda_dt,
                        "",
                        "",
                        report.sex,
                        years,
                        report.age,
                        report.age_cod,
                        report.wt,
                        if report.wt.is_empty() { "" } else { "KG" },
                        "",
                        report.reporter_country,
                        report.occr_country,
                        q
                    ])?;
                    let mut drug = tx.prepare_cached(INSERT_DRUG)?;
                    for (seq, (role, name, ai, route)) in report.drugs.iter().enumerate() {
                        let drug_key = mapper.key(ai, name);
                        drug.execute(params![
                            report.primaryid,
                            seq as i64 + 1,
                            role,
                            drug_key,
                            name,
                            ai,
                            route,
                            q
                        ])?;
                        counts[1] += 1;
                    }
                    let mut reac = tx.prepare_cached(INSERT_REACTION)?;
                    for pt in &report.reactions {
                        reac.execute(params![report.primaryid, pt, "", q])?;
                        counts[2] += 1;
                    }
                    Ok(())
                };
                match insert() {
                    Ok(()) => {
                        counts[0] += 1;
                        fs.rows += 1;
                        Ok(())
                    }
                    Err(e) => {
                        failed = Some(e);
                        Err("the store refused a row".to_owned())
                    }
                }
            };
            let read = openfda::read_events(path, &mut sink);
            if let Some(source) = failed {
                return Err(StoreError::Sqlite {
                    path: self.path.clone(),
                    context: "importing",
                    source,
                });
            }
            read?;
            done += bytes;
            progress(&Progress {
                done,
                total,
                file: path.display().to_string(),
            });
            tx.execute(
                INSERT_IMPORT,
                params![
                    quarter,
                    path.display().to_string(),
                    counts[0] as i64,
                    counts[1] as i64,
                    counts[2] as i64,
                    fs.bad_lines as i64
                ],
            )
            .map_err(self.err("recording the import"))?;
            tx.commit().map_err(self.err("committing the import"))?;
            summary.quarters.push(quarter);
            summary.files.push(fs);
        }
        summary.drugs = mapper.summary(TOP_UNMAPPED);
        Ok(summary)
    }

    /// Starts the transaction of one quarter (or openFDA file) and removes what an
    /// earlier import of it wrote.
    fn begin_quarter(&self, quarter: &str) -> Result<rusqlite::Transaction<'_>, StoreError> {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(self.err("starting the import"))?;
        for table in QUARTER_TABLES {
            tx.execute(
                &format!("DELETE FROM {table} WHERE quarter = ?1"),
                [quarter],
            )
            .map_err(self.err("clearing an earlier import of the quarter"))?;
        }
        Ok(tx)
    }

    fn table_exists(&self, name: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [name],
                |_| Ok(()),
            )
            .optional()
            .map(|o| o.is_some())
            .map_err(self.err("reading the schema"))
    }

    /// Loads the deduplicated FAERS reports and the intake reports for counting.
    ///
    /// # Errors
    /// SQLite errors on the FAERS tables. Intake tables of an unexpected shape give
    /// a warning in [`Loaded::warnings`] instead.
    pub fn load(&self, opts: &LoadOptions) -> Result<Loaded, StoreError> {
        let mut out = Loaded::default();
        let mut drugs = Interner::default();
        let mut events = Interner::default();
        let mut drug_pairs: Vec<(u32, u32)> = Vec::new();
        let mut event_pairs: Vec<(u32, u32)> = Vec::new();
        let mut sexes: Vec<Sex> = Vec::new();
        let mut ages: Vec<AgeBand> = Vec::new();
        let keep =
            |s: Sex, a: AgeBand| opts.sex.is_none_or(|x| x == s) && opts.age.is_none_or(|x| x == a);

        // FAERS: versions, deletions, winners.
        let e = self.err("reading faers_reports");
        let mut stmt = self
            .conn
            .prepare(
                "SELECT primaryid, caseid, caseversion, fda_dt, sex, age_years FROM faers_reports",
            )
            .map_err(&e)?;
        let mut versions = Vec::new();
        let mut strata: FxHashMap<i64, (Sex, AgeBand)> = FxHashMap::default();
        let mut rows = stmt.query([]).map_err(&e)?;
        while let Some(r) = rows.next().map_err(&e)? {
            let primaryid: i64 = r.get(0).map_err(&e)?;
            versions.push(Version {
                primaryid,
                caseid: r.get(1).map_err(&e)?,
                caseversion: r.get(2).map_err(&e)?,
                fda_dt: dedup::date_key(
                    &r.get::<_, Option<String>>(3)
                        .map_err(&e)?
                        .unwrap_or_default(),
                ),
            });
            let sex = Sex::parse(
                &r.get::<_, Option<String>>(4)
                    .map_err(&e)?
                    .unwrap_or_default(),
            );
            let age = AgeBand::of(r.get::<_, Option<f64>>(5).map_err(&e)?);
            strata.insert(primaryid, (sex, age));
        }
        drop(rows);
        drop(stmt);
        out.faers_versions = versions.len() as u64;
        let deleted: FxHashSet<i64> = {
            let e = self.err("reading faers_deleted");
            let mut stmt = self
                .conn
                .prepare("SELECT caseid FROM faers_deleted")
                .map_err(&e)?;
            // The binding keeps the rows iterator from outliving `stmt`.
            #[allow(clippy::let_and_return)]
            let ids = stmt
                .query_map([], |r| r.get::<_, i64>(0))
                .map_err(&e)?
                .collect::<Result<_, _>>()
                .map_err(&e)?;
            ids
        };
        let winners = dedup::latest(versions, &deleted);
        out.faers_reports = winners.len() as u64;
        let mut index: FxHashMap<i64, u32> = FxHashMap::default();
        for id in winners {
            let (s, a) = strata
                .get(&id)
                .copied()
                .unwrap_or((Sex::Unknown, AgeBand::Unknown));
            if keep(s, a) {
                index.insert(id, sexes.len() as u32);
                sexes.push(s);
                ages.push(a);
            }
        }
        drop(strata);
        {
            let e = self.err("reading faers_drugs");
            let mut stmt = self
                .conn
                .prepare("SELECT primaryid, drug_key, role FROM faers_drugs")
                .map_err(&e)?;
            let mut rows = stmt.query([]).map_err(&e)?;
            while let Some(r) = rows.next().map_err(&e)? {
                let Some(&rep) = index.get(&r.get::<_, i64>(0).map_err(&e)?) else {
                    continue;
                };
                let role = r.get_ref(2).map_err(&e)?.as_str().unwrap_or("");
                if !opts.roles.counts(role) {
                    continue;
                }
                let key = r.get_ref(1).map_err(&e)?.as_str().unwrap_or("");
                if !key.is_empty() {
                    drug_pairs.push((rep, drugs.intern(key)));
                }
            }
        }
        {
            let e = self.err("reading faers_reactions");
            let mut stmt = self
                .conn
                .prepare("SELECT primaryid, pt FROM faers_reactions")
                .map_err(&e)?;
            let mut rows = stmt.query([]).map_err(&e)?;
            while let Some(r) = rows.next().map_err(&e)? {
                let Some(&rep) = index.get(&r.get::<_, i64>(0).map_err(&e)?) else {
                    continue;
                };
                let pt = r.get_ref(1).map_err(&e)?.as_str().unwrap_or("");
                if !pt.is_empty() {
                    event_pairs.push((rep, events.intern(pt)));
                }
            }
        }
        drop(index);

        // Intake reports, when the intake service's tables are there.
        if self.table_exists("reports")?
            && self.table_exists("report_drugs")?
            && self.table_exists("report_reactions")?
        {
            let mut intake = IntakeLoad {
                drugs: &mut drugs,
                events: &mut events,
                drug_pairs: &mut drug_pairs,
                event_pairs: &mut event_pairs,
                sexes: &mut sexes,
                ages: &mut ages,
            };
            match intake.load(&self.conn, opts, &keep) {
                Ok(n) => out.intake_reports = n,
                Err(err) => out.warnings.push(format!(
                    "intake reports not read ({err}); expected reports(id, patient_age, patient_sex), report_drugs(report_id, drug_id, name_verbatim, role), report_reactions(report_id, term)"
                )),
            }
        }
        let drug_names = drugs.names().to_vec();
        let event_names = events.names().to_vec();
        out.set = ReportSet::from_pairs(
            drug_names,
            event_names,
            drug_pairs,
            event_pairs,
            sexes,
            ages,
        );
        Ok(out)
    }
}

struct IntakeLoad<'a> {
    drugs: &'a mut Interner,
    events: &'a mut Interner,
    drug_pairs: &'a mut Vec<(u32, u32)>,
    event_pairs: &'a mut Vec<(u32, u32)>,
    sexes: &'a mut Vec<Sex>,
    ages: &'a mut Vec<AgeBand>,
}

impl IntakeLoad<'_> {
    fn load(
        &mut self,
        conn: &Connection,
        opts: &LoadOptions,
        keep: &dyn Fn(Sex, AgeBand) -> bool,
    ) -> Result<u64, rusqlite::Error> {
        let first = self.sexes.len();
        let mut index: FxHashMap<String, u32> = FxHashMap::default();
        let mut stmt = conn.prepare("SELECT id, patient_age, patient_sex FROM reports")?;
        let mut rows = stmt.query([])?;
        let mut read = 0u64;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let age = AgeBand::of(r.get::<_, Option<f64>>(1).ok().flatten());
            let sex = Sex::parse(&r.get::<_, Option<String>>(2)?.unwrap_or_default());
            read += 1;
            if keep(sex, age) {
                index.insert(id, self.sexes.len() as u32);
                self.sexes.push(sex);
                self.ages.push(age);
            }
        }
        let mut stmt =
            conn.prepare("SELECT report_id, drug_id, name_verbatim, role FROM report_drugs")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Some(&rep) = index.get(&r.get::<_, String>(0)?) else {
                continue;
            };
            let role = match r
                .get::<_, Option<String>>(3)?
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
                .as_str()
            {
                "suspect" => "PS",
                "interacting" => "I",
                "concomitant" => "C",
                _ => "",
            };
            if !opts.roles.counts(role) {
                continue;
            }
            let key = match r
                .get::<_, Option<String>>(1)?
                .filter(|s| !s.trim().is_empty())
            {
                Some(id) => id.trim().to_owned(),
                None => r
                    .get::<_, Option<String>>(2)?
                    .unwrap_or_default()
                    .trim()
                    .to_lowercase(),
            };
            if !key.is_empty() {
                self.drug_pairs.push((rep, self.drugs.intern(&key)));
            }
        }
        let mut stmt = conn.prepare("SELECT report_id, term FROM report_reactions")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Some(&rep) = index.get(&r.get::<_, String>(0)?) else {
                continue;
            };
            let term = r
                .get::<_, Option<String>>(1)?
                .unwrap_or_default()
                .trim()
                .to_lowercase();
            if !term.is_empty() {
                self.event_pairs.push((rep, self.events.intern(&term)));
            }
        }
        debug_assert!(self.sexes.len() >= first);
        Ok(read)
    }
}

/// Why a row was not imported.
enum RowErr {
    /// The line is bad: counted, not fatal.
    Bad(String),
    /// SQLite failed: fatal.
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for RowErr {
    fn from(e: rusqlite::Error) -> Self {
        RowErr::Sql(e)
    }
}

enum ImportError {
    Sql(rusqlite::Error),
    File(FileError),
}

impl From<rusqlite::Error> for ImportError {
    fn from(e: rusqlite::Error) -> Self {
        ImportError::Sql(e)
    }
}

impl From<FileError> for ImportError {
    fn from(e: FileError) -> Self {
        ImportError::File(e)
    }
}

/// Keeps at most this many bad-line examples per file.
const EXAMPLES: usize = 5;

fn note_bad(summary: &mut FileSummary, bad: BadLine) {
    summary.bad_lines += 1;
    if summary.examples.len() < EXAMPLES {
        summary
            .examples
            .push(format!("line {}: {}", bad.line, bad.reason));
    }
}

const INSERT_IMPORT: &str = "INSERT OR REPLACE INTO faers_imports (quarter, source, imported_at, reports, drugs, reactions, bad_lines) VALUES (?1, ?2, datetime('now'), ?3, ?4, ?5, ?6)";
const INSERT_REPORT: &str = "INSERT OR REPLACE INTO faers_reports (primaryid, caseid, caseversion, fda_dt, init_fda_dt, event_dt, rept_cod, sex, age_years, age, age_cod, wt, wt_cod, occp_cod, reporter_country, occr_country, quarter) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
const INSERT_DRUG: &str = "INSERT INTO faers_drugs (primaryid, drug_seq, role, drug_key, drugname, prod_ai, route, quarter) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
const INSERT_REACTION: &str =
    "INSERT INTO faers_reactions (primaryid, pt, drug_rec_act, quarter) VALUES (?1, ?2, ?3, ?4)";

/// Unmapped drug names listed in the import summary.
const TOP_UNMAPPED: usize = 20;

// Columns by header name (first present wins), shared by the header check and the import.
const CASEID: &[&str] = &["caseid", "case"];
const CASEVERSION: &[&str] = &["caseversion"];
const ROLE: &[&str] = &["role_cod"];
const DRUGNAME: &[&str] = &["drugname"];
const PT: &[&str] = &["pt"];
const OUTC: &[&str] = &["outc_cod", "outc_code"];
const INDI_PT: &[&str] = &["indi_pt"];
const RPSR: &[&str] = &["rpsr_cod"];

/// The columns a table must have (beyond the key column of its layout).
fn required(kind: FileKind, layout: Layout) -> &'static [&'static [&'static str]] {
    match (kind, layout) {
        (FileKind::Demo, Layout::Current) => &[CASEID, CASEVERSION],
        (FileKind::Demo, Layout::Legacy) => &[CASEID],
        (FileKind::Drug, _) => &[ROLE, DRUGNAME],
        (FileKind::Reac, _) => &[PT],
        (FileKind::Outc, _) => &[OUTC],
        (FileKind::Indi, _) => &[INDI_PT],
        (FileKind::Rpsr, _) => &[RPSR],
        (FileKind::Ther | FileKind::Delete, _) => &[],
    }
}

/// Checks one quarter before anything is written: DEMO, DRUG and REAC are there, every
/// table's header has the columns read, in the layout of the quarter's DEMO file.
/// Returns that layout; a missing optional table is a warning.
fn check_quarter(
    files: &[FaersFile],
    quarter: &str,
    warnings: &mut Vec<String>,
) -> Result<Layout, StoreError> {
    let of_quarter: Vec<&FaersFile> = files.iter().filter(|f| f.quarter == quarter).collect();
    let found = || {
        of_quarter
            .iter()
            .filter_map(|f| f.path.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for kind in [FileKind::Demo, FileKind::Drug, FileKind::Reac] {
        if !of_quarter.iter().any(|f| f.kind == kind) {
            return Err(StoreError::MissingTable {
                quarter: quarter.to_owned(),
                table: kind.prefix(),
                found: found(),
            });
        }
    }
    for kind in [
        FileKind::Outc,
        FileKind::Indi,
        FileKind::Ther,
        FileKind::Rpsr,
    ] {
        if !of_quarter.iter().any(|f| f.kind == kind) {
            warnings.push(format!(
                "quarter {quarter} has no {} file; its rows are not stored (the counts do not use them)",
                kind.prefix()
            ));
        }
    }
    let mut layout = None;
    // DEMO sorts first among the tables, so its layout is known before the others.
    for f in of_quarter.iter().filter(|f| f.kind != FileKind::Delete) {
        let r = DollarReader::open(&f.path)?;
        let here = r.layout();
        let demo = *layout.get_or_insert(here);
        if here != demo {
            return Err(FileError::MixedLayout {
                path: f.path.clone(),
                found: here.label(),
                demo: demo.label(),
            }
            .into());
        }
        r.require(&[here.key_column()])?;
        for names in required(f.kind, here) {
            r.require(names)?;
        }
    }
    Ok(layout.unwrap_or(Layout::Current))
}

fn import_file(
    tx: &Connection,
    file: &FaersFile,
    mapper: &mut DrugMapper<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<FileSummary, ImportError> {
    let mut summary = FileSummary {
        path: file.path.display().to_string(),
        rows: 0,
        bad_lines: 0,
        examples: Vec::new(),
    };
    let q = file.quarter.as_str();
    if file.kind == FileKind::Delete {
        let (ids, bad) = faers::read_delete_list(&file.path)?;
        let mut stmt = tx.prepare_cached(
            "INSERT OR IGNORE INTO faers_deleted (caseid, quarter) VALUES (?1, ?2)",
        )?;
        for id in ids {
            stmt.execute(params![id, q])?;
            summary.rows += 1;
        }
        for b in bad {
            note_bad(&mut summary, b);
        }
        progress(file.bytes);
        return Ok(summary);
    }
    let mut r = DollarReader::open(&file.path)?;
    let layout = r.layout();
    let pid = r.require(&[layout.key_column()])?;
    // A legacy ISR is stored negated, so it never meets a FAERS primaryid (dedup.rs).
    let key = |row: &Row<'_>| -> Result<i64, RowErr> {
        let n = id(row, pid, layout.key_column())?;
        Ok(match layout {
            Layout::Current => n,
            Layout::Legacy => -n,
        })
    };
    // What to read, by kind: (required columns, optional columns).
    let mut last_report = 0u64;
    macro_rules! rows {
        ($needed:expr, |$row:ident| $body:block) => {
            while let Some(next) = r.next_row($needed)? {
                match next {
                    Err(bad) => note_bad(&mut summary, bad),
                    Ok($row) => {
                        #[allow(clippy::redundant_closure_call)]
                        let outcome: Result<(), RowErr> = (|| $body)();
                        match outcome {
                            Ok(()) => summary.rows += 1,
                            Err(RowErr::Sql(e)) => return Err(ImportError::Sql(e)),
                            Err(RowErr::Bad(reason)) => note_bad(
                                &mut summary,
                                BadLine {
                                    line: r.line_no(),
                                    reason,
                                },
                            ),
                        }
                    }
                }
                if r.bytes_read() - last_report >= 1 << 20 {
                    last_report = r.bytes_read();
                    progress(last_report);
                }
            }
        };
    }
    fn id(row: &Row<'_>, i: usize, name: &str) -> Result<i64, RowErr> {
        let v = row.get(i);
        match v.parse::<i64>() {
            Ok(n) if n > 0 => Ok(n),
            Ok(_) => Err(RowErr::Bad(format!(
                "{name} {v:?} is not a positive number"
            ))),
            Err(_) => Err(RowErr::Bad(format!("{name} {v:?} is not a number"))),
        }
    }
    fn opt_int(v: &str) -> Option<i64> {
        v.parse().ok()
    }
    match file.kind {
        FileKind::Demo => {
            let caseid = r.require(CASEID)?;
            // Legacy AERS has no case version: 0, below every FAERS version (dedup.rs).
            let version = match layout {
                Layout::Current => Some(r.require(CASEVERSION)?),
                Layout::Legacy => None,
            };
            let c = |r: &DollarReader<_>, n: &str| r.column(&[n]);
            let (fda_dt, init_fda_dt, event_dt, rept_cod) = (
                c(&r, "fda_dt"),
                c(&r, "init_fda_dt"),
                c(&r, "event_dt"),
                c(&r, "rept_cod"),
            );
            let sex = r.column(&["sex", "gndr_cod"]);
            let (age, age_cod, wt, wt_cod) =
                (c(&r, "age"), c(&r, "age_cod"), c(&r, "wt"), c(&r, "wt_cod"));
            let (occp, rep_c, occr_c) = (
                c(&r, "occp_cod"),
                c(&r, "reporter_country"),
                c(&r, "occr_country"),
            );
            let needed = pid.max(caseid).max(version.unwrap_or(0)) + 1;
            let mut stmt = tx.prepare_cached(INSERT_REPORT)?;
            rows!(needed, |row| {
                let p = key(&row)?;
                let cid = id(&row, caseid, "caseid")?;
                let v = match version {
                    Some(i) => id(&row, i, "caseversion")?,
                    None => 0,
                };
                let years = faers::age_years(row.opt(age), row.opt(age_cod));
                stmt.execute(params![
                    p,
                    cid,
                    v,
                    row.opt(fda_dt),
                    row.opt(init_fda_dt),
                    row.opt(event_dt),
                    row.opt(rept_cod),
                    row.opt(sex),
                    years,
                    row.opt(age),
                    row.opt(age_cod),
                    row.opt(wt),
                    row.opt(wt_cod),
                    row.opt(occp),
                    row.opt(rep_c),
                    row.opt(occr_c),
                    q
                ])?;
                Ok(())
            });
        }
        FileKind::Drug => {
            let role = r.require(ROLE)?;
            let drugname = r.require(DRUGNAME)?;
            let prod_ai = r.column(&["prod_ai"]);
            let seq = r.column(&["drug_seq"]);
            let route = r.column(&["route"]);
            let needed = pid.max(role).max(drugname) + 1;
            let mut stmt = tx.prepare_cached(INSERT_DRUG)?;
            rows!(needed, |row| {
                let p = key(&row)?;
                let role_code = row.get(role).to_ascii_uppercase();
                if !matches!(role_code.as_str(), "PS" | "SS" | "C" | "I") {
                    return Err(RowErr::Bad(format!(
                        "role_cod {:?} is not PS, SS, C or I",
                        role_code.chars().take(20).collect::<String>()
                    )));
                }
                let (ai, name) = (row.opt(prod_ai), row.get(drugname));
                if ai.is_empty() && name.is_empty() {
                    return Err(RowErr::Bad("neither drugname nor prod_ai is given".into()));
                }
                let drug_key = mapper.key(ai, name);
                stmt.execute(params![
                    p,
                    opt_int(row.opt(seq)),
                    role_code,
                    drug_key,
                    name,
                    ai,
                    row.opt(route),
                    q
                ])?;
                Ok(())
            });
        }
        FileKind::Reac => {
            let pt = r.require(PT)?;
            let act = r.column(&["drug_rec_act"]);
            let mut stmt = tx.prepare_cached(INSERT_REACTION)?;
            rows!(pid.max(pt) + 1, |row| {
                let p = key(&row)?;
                let term = row.get(pt).to_lowercase();
                if term.is_empty() {
                    return Err(RowErr::Bad("empty pt".into()));
                }
                stmt.execute(params![p, term, row.opt(act), q])?;
                Ok(())
            });
        }
        FileKind::Outc => {
            let code = r.require(OUTC)?;
            let mut stmt = tx.prepare_cached(
                "INSERT INTO faers_outcomes (primaryid, outc_cod, quarter) VALUES (?1, ?2, ?3)",
            )?;
            rows!(pid.max(code) + 1, |row| {
                let p = key(&row)?;
                stmt.execute(params![p, row.get(code), q])?;
                Ok(())
            });
        }
        FileKind::Indi => {
            let seq = r.column(&["indi_drug_seq", "drug_seq"]);
            let pt = r.require(INDI_PT)?;
            let mut stmt = tx.prepare_cached(
                "INSERT INTO faers_indications (primaryid, drug_seq, pt, quarter) VALUES (?1, ?2, ?3, ?4)",
            )?;
            rows!(pid.max(pt) + 1, |row| {
                let p = key(&row)?;
                stmt.execute(params![
                    p,
                    opt_int(row.opt(seq)),
                    row.get(pt).to_lowercase(),
                    q
                ])?;
                Ok(())
            });
        }
        FileKind::Ther => {
            let seq = r.column(&["dsg_drug_seq", "drug_seq"]);
            let c = |r: &DollarReader<_>, n: &str| r.column(&[n]);
            let (start, end, dur, dur_cod) = (
                c(&r, "start_dt"),
                c(&r, "end_dt"),
                c(&r, "dur"),
                c(&r, "dur_cod"),
            );
            let mut stmt = tx.prepare_cached(
                "INSERT INTO faers_therapies (primaryid, drug_seq, start_dt, end_dt, dur, dur_cod, quarter) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            rows!(pid + 1, |row| {
                let p = key(&row)?;
                stmt.execute(params![
                    p,
                    opt_int(row.opt(seq)),
                    row.opt(start),
                    row.opt(end),
                    row.opt(dur),
                    row.opt(dur_cod),
                    q
                ])?;
                Ok(())
            });
        }
        FileKind::Rpsr => {
            let code = r.require(RPSR)?;
            let mut stmt = tx.prepare_cached(
                "INSERT INTO faers_sources (primaryid, rpsr_cod, quarter) VALUES (?1, ?2, ?3)",
            )?;
            rows!(pid.max(code) + 1, |row| {
                let p = key(&row)?;
                stmt.execute(params![p, row.get(code), q])?;
                Ok(())
            });
        }
        FileKind::Delete => {}
    }
    progress(file.bytes);
    Ok(summary)
}

/// Opens `location` (see [`resolve`]) for reading and loads the reports.
///
/// # Errors
/// See [`resolve`], [`Store::open`] and [`Store::load`].
pub fn load(location: Option<&str>, opts: &LoadOptions) -> Result<Loaded, StoreError> {
    let path = resolve(location)?;
    Store::open(&path, false)?.load(opts)
}
