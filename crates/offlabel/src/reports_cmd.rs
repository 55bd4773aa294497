//! `offlabel reports`: add, list, show, export and check adverse-reaction reports.
//!
//! Glue only: validation and storage are `offlabel-reports`'; drug names are resolved
//! with the answer engine's recogniser.

use crate::usage;
use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use offlabel_engine::Engine;
use offlabel_reports::export::{self, Format};
use offlabel_reports::store::{self, Store, StoreError};
use offlabel_reports::{MAX_REPORT_BYTES, ReportError, parse_report};
use std::io::{Read, Write};
use std::path::PathBuf;

/// Arguments of `offlabel reports`.
#[derive(Args)]
pub(crate) struct ReportsArgs {
    /// The report store: a file path (SQLite) or postgres://USER:PASSWORD@HOST:PORT/DB.
    /// Default: $OFFLABEL_STORE, else reports.sqlite in the user's data directory
    /// (~/.local/share/offlabel/). Created and migrated on first use.
    #[arg(long, global = true, value_name = "PATH_OR_URL")]
    store: Option<String>,
    #[command(subcommand)]
    command: ReportsCommand,
}

#[derive(Subcommand)]
enum ReportsCommand {
    /// Validate an adverse-reaction report (JSON) and store it; prints its id.
    Add {
        /// The JSON file, or - for stdin.
        file: String,
    },
    /// List the stored reports (id, date, country, onset, suspects, reactions; no patient fields).
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one report as JSON.
    Show {
        /// The report id.
        id: String,
    },
    /// Export every report as JSON Lines or CSV.
    Export {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
        /// Leave out free text: narrative, verbatim drug names, doses, routes, patient
        /// initials and idempotency keys.
        #[arg(long)]
        no_free_text: bool,
        /// Write to this file instead of stdout.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Check the store's integrity; exits 1 if a problem is found.
    Check,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// One JSON object per line.
    Jsonl,
    /// One row per report.
    Csv,
}

/// The store spec: `--store`, else `$OFFLABEL_STORE`, else the default file.
pub(crate) fn store_spec(flag: Option<&str>) -> Result<String> {
    if let Some(s) = flag {
        return Ok(s.to_string());
    }
    if let Some(s) = std::env::var("OFFLABEL_STORE")
        .ok()
        .filter(|s| !s.is_empty())
    {
        return Ok(s);
    }
    store::default_path()
        .map(|p| p.display().to_string())
        .ok_or_else(|| {
            usage("cannot find the user's data directory for the default report store; give --store PATH_OR_URL")
        })
}

/// Opens the store named by `--store` (or the default), as a user error when it fails.
pub(crate) fn open_store(flag: Option<&str>) -> Result<Box<dyn Store>> {
    let spec = store_spec(flag)?;
    store::open(&spec).map_err(|e| usage(e.to_string()))
}

fn read_input(file: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let limit = MAX_REPORT_BYTES as u64 + 1;
    if file == "-" {
        std::io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut bytes)
            .context("reading the report from stdin")?;
    } else {
        std::fs::File::open(file)
            .map_err(|e| usage(format!("cannot read {file}: {e}")))?
            .take(limit)
            .read_to_end(&mut bytes)
            .with_context(|| format!("reading {file}"))?;
    }
    if bytes.len() > MAX_REPORT_BYTES {
        return Err(usage(format!(
            "{file} is larger than the limit of {MAX_REPORT_BYTES} bytes for one report; shorten the narrative"
        )));
    }
    Ok(bytes)
}

/// Runs `offlabel reports …`.
pub(crate) fn run(engine: &Engine, args: ReportsArgs, out: &mut impl Write) -> Result<()> {
    let store = open_store(args.store.as_deref())?;
    match args.command {
        ReportsCommand::Add { file } => {
            let bytes = read_input(&file)?;
            let report = parse_report(&bytes, engine).map_err(|e| match e {
                ReportError::Invalid(fields) => usage(format!(
                    "the report is refused ({} problem(s)): {}",
                    fields.len(),
                    fields
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
                other => usage(other.to_string()),
            })?;
            let inserted = store.insert(&report).map_err(|e| match e {
                StoreError::KeyConflict { .. } => usage(e.to_string()),
                other => anyhow::Error::new(other).context("storing the report"),
            })?;
            writeln!(out, "{}", inserted.id)?;
            if !inserted.created {
                eprintln!(
                    "offlabel: already stored under the same idempotency key; not added again"
                );
            }
        }
        ReportsCommand::List { json } => {
            let list = store.list().context("reading the reports")?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &list)?;
                writeln!(out)?;
            } else if list.is_empty() {
                writeln!(out, "no reports in the store")?;
            } else {
                for r in &list {
                    writeln!(
                        out,
                        "{}  {}  {}  onset {}  {}  {} — {}",
                        r.id,
                        &r.received_at[..r.received_at.len().min(10)],
                        r.country,
                        r.onset,
                        if r.serious { "serious" } else { "non-serious" },
                        r.suspects.join(", "),
                        r.reactions.join(", ")
                    )?;
                }
                writeln!(out, "{} report(s)", list.len())?;
            }
        }
        ReportsCommand::Show { id } => {
            let report = store
                .get(&id)
                .context("reading the report")?
                .ok_or_else(|| {
                    usage(format!(
                        "no report with id {id:?} in the store; list the ids with `offlabel reports list`"
                    ))
                })?;
            serde_json::to_writer_pretty(&mut *out, &report)?;
            writeln!(out)?;
        }
        ReportsCommand::Export {
            format,
            no_free_text,
            output,
        } => {
            let format = match format {
                ExportFormat::Jsonl => Format::JsonLines,
                ExportFormat::Csv => Format::Csv,
            };
            match output {
                Some(path) => {
                    let file = std::fs::File::create(&path)
                        .map_err(|e| usage(format!("cannot write {}: {e}", path.display())))?;
                    let mut w = std::io::BufWriter::new(file);
                    let n = export::export(&*store, format, no_free_text, &mut w)?;
                    w.flush()?;
                    w.get_ref().sync_all()?;
                    eprintln!("offlabel: {n} report(s) written to {}", path.display());
                }
                None => {
                    export::export(&*store, format, no_free_text, out)?;
                }
            }
        }
        ReportsCommand::Check => {
            let problems = store.integrity_check().context("checking the store")?;
            let n = store.count()?;
            if problems.is_empty() {
                writeln!(
                    out,
                    "ok: {} store, {n} report(s), no problems",
                    store.backend()
                )?;
            } else {
                for p in &problems {
                    writeln!(out, "problem: {p}")?;
                }
                out.flush()?;
                return Err(anyhow::anyhow!(
                    "the store has {} problem(s); restore it from a backup or repair the rows listed",
                    problems.len()
                ));
            }
        }
    }
    Ok(())
}

/// The report endpoints of `offlabel serve`: on (with the store opened now) when
/// `OFFLABEL_WRITE_TOKEN` is set and not empty, off otherwise.
pub(crate) fn serve_config(
    store_flag: Option<&str>,
) -> Result<Option<offlabel_server::ReportsConfig>> {
    let token = std::env::var("OFFLABEL_WRITE_TOKEN")
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        if store_flag.is_some() {
            eprintln!(
                "offlabel: OFFLABEL_WRITE_TOKEN is not set, so the report endpoints are off; --store serves GET /v1/signals only"
            );
        }
        return Ok(None);
    };
    if token.len() < 16 {
        eprintln!(
            "offlabel: OFFLABEL_WRITE_TOKEN is shorter than 16 characters; use a long random one, e.g. `openssl rand -hex 32`"
        );
    }
    let store = open_store(store_flag)?;
    Ok(offlabel_server::ReportsConfig::new(
        std::sync::Arc::from(store),
        Some(token),
    ))
}
