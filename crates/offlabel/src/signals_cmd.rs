//! `offlabel faers import`, `offlabel signals` and `offlabel rate`: glue between the
//! command line and `offlabel-signals`. The statistics and the run live in that crate;
//! the only thing this module adds is the drug-name resolver
//! ([`Engine::resolve_drug_name`]) used to map FAERS drug names to medicine ids, and
//! the rendering.

use crate::usage;
use anyhow::Result;
use clap::{Args, Subcommand};
use offlabel_engine::Engine;
use offlabel_signals::Hyper;
use offlabel_signals::count::{AgeBand, Sex, Stratify};
use offlabel_signals::run::{self, Counting, RunError, Selection, SignalsReport, SortKey};
use offlabel_signals::signals::SignalRow;
use offlabel_signals::stats::{self, Rules};
use offlabel_signals::store::{self, LoadOptions, Roles, Store, StoreError};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// `offlabel faers …`
#[derive(Subcommand)]
pub enum FaersCommand {
    /// Import FDA FAERS or legacy AERS quarterly ASCII extracts (unzipped folders) into
    /// the report store.
    Import(ImportArgs),
    /// Import openFDA drug/event files (the API's JSON or the bulk
    /// drug-event-*.json.zip downloads), streaming, into the report store.
    ImportOpenfda(ImportOpenfdaArgs),
}

/// `offlabel faers import-openfda`
#[derive(Args)]
pub struct ImportOpenfdaArgs {
    /// The report store: a SQLite file (default $XDG_DATA_HOME/offlabel/reports.sqlite).
    #[arg(long, value_name = "PATH_OR_URL")]
    store: Option<String>,
    /// Print the import summary as JSON.
    #[arg(long)]
    json: bool,
    /// openFDA drug/event files: FILE.json or FILE.json.zip.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// `offlabel faers import`
#[derive(Args)]
pub struct ImportArgs {
    /// The report store: a SQLite file (default $XDG_DATA_HOME/offlabel/reports.sqlite).
    #[arg(long, value_name = "PATH_OR_URL")]
    store: Option<String>,
    /// Print the import summary as JSON.
    #[arg(long)]
    json: bool,
    /// Folders holding DEMOyyQq.txt, DRUGyyQq.txt, … (searched recursively; FAERS or
    /// legacy AERS layout, told by the header).
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
}

/// `offlabel signals`
#[derive(Args)]
pub struct SignalsArgs {
    /// The report store (default $XDG_DATA_HOME/offlabel/reports.sqlite).
    #[arg(long, value_name = "PATH_OR_URL")]
    store: Option<String>,
    /// Only this drug (pack id, brand or ingredient).
    #[arg(long)]
    drug: Option<String>,
    /// Only this event (MedDRA preferred term).
    #[arg(long)]
    event: Option<String>,
    /// Only pairs with at least K reports.
    #[arg(long, value_name = "K", default_value_t = 1)]
    min_a: u64,
    /// Drug roles counted: suspect (PS, SS, I) or all (adds C).
    #[arg(long, default_value = "suspect", value_name = "suspect|all")]
    role: String,
    /// Stratify the expected count (IC, EBGM): sex, age or sex,age.
    #[arg(long, value_name = "sex|age|sex,age")]
    stratify: Option<String>,
    /// Count only reports of this sex: F or M.
    #[arg(long, value_name = "F|M")]
    sex: Option<String>,
    /// Count only reports in this age band: <18, 18-64 or 65+.
    #[arg(long, value_name = "<18|18-64|65+")]
    age_band: Option<String>,
    /// Only pairs meeting this rule: evans, ror025, ic025 or eb05 (repeatable: all of them).
    #[arg(long, value_name = "RULE")]
    signal: Vec<String>,
    /// EBGM prior α1,β1,α2,β2,P instead of fitting it.
    #[arg(long, value_name = "A1,B1,A2,B2,P")]
    hyper: Option<String>,
    /// Rank rows by: name (drug, event), eb05, prr, ic025 or a (highest first; ties
    /// by a, then name).
    #[arg(long, default_value = "eb05", value_name = "name|eb05|prr|ic025|a")]
    sort: String,
    /// Print JSON.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV.
    #[arg(long)]
    csv: bool,
}

/// `offlabel rate`
#[derive(Args)]
pub struct RateArgs {
    /// Number of events (or patients with an event).
    #[arg(long, value_name = "K")]
    events: u64,
    /// Exposure in patient-years.
    #[arg(long, value_name = "PY")]
    patient_years: f64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn store_error(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Sqlite { .. } | StoreError::File(_) | StoreError::OpenFda(_) => {
            anyhow::Error::new(e)
        }
        other => usage(other.to_string()),
    }
}

/// `offlabel faers …`
pub fn faers(engine: &Engine, cmd: FaersCommand, out: &mut impl Write) -> Result<()> {
    let (location, json, inputs, openfda) = match cmd {
        FaersCommand::Import(a) => (a.store, a.json, a.dirs, false),
        FaersCommand::ImportOpenfda(a) => (a.store, a.json, a.files, true),
    };
    let path = store::resolve(location.as_deref()).map_err(store_error)?;
    for d in &inputs {
        if openfda && !d.is_file() {
            return Err(usage(format!(
                "{} is not a file; give openFDA drug/event files (FILE.json or FILE.json.zip)",
                d.display()
            )));
        }
        if !openfda && !d.is_dir() {
            return Err(usage(format!(
                "{} is not a folder; give the folder of an unzipped faers_ascii_YYYYQn.zip (or aers_ascii_YYYYQn.zip)",
                d.display()
            )));
        }
    }
    let mut store = Store::open(&path, true).map_err(store_error)?;
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(0)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut last_file = String::new();
    let mut progress = |p: &store::Progress| {
        bar.set_length(p.total);
        bar.set_position(p.done);
        if p.file != last_file {
            last_file.clone_from(&p.file);
            let name = std::path::Path::new(&p.file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            bar.set_message(name);
        }
    };
    let mut resolve = |name: &str| engine.resolve_drug_name(name);
    let summary = if openfda {
        store.import_openfda(&inputs, &mut resolve, &mut progress)
    } else {
        store.import_faers(&inputs, &mut resolve, &mut progress)
    }
    .map_err(store_error)?;
    bar.finish_and_clear();
    if json {
        serde_json::to_writer_pretty(
            &mut *out,
            &serde_json::json!({"store": path.display().to_string(), "summary": summary}),
        )?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "imported {} into {}",
        summary.quarters.join(", "),
        path.display()
    )?;
    for f in &summary.files {
        write!(out, "  {}: {} rows", f.path, f.rows)?;
        if f.bad_lines > 0 {
            write!(out, ", {} bad line(s) skipped", f.bad_lines)?;
        }
        writeln!(out)?;
        for e in &f.examples {
            writeln!(out, "    {e}")?;
        }
    }
    writeln!(out, "{} bad line(s) in all", summary.bad_lines())?;
    for w in &summary.warnings {
        writeln!(out, "warning: {w}")?;
    }
    let d = &summary.drugs;
    let share = |k: u64| {
        if d.drug_rows == 0 {
            "-".to_owned()
        } else {
            format!("{:.1}%", 100.0 * k as f64 / d.drug_rows as f64)
        }
    };
    writeln!(
        out,
        "drug rows: {}; mapped to a medicine {} ({}); by the verbatim name alone {} ({}); FDA's prod_ai filled {} ({}), resolving {} ({}); name and prod_ai agree {}, differ {}",
        d.drug_rows,
        d.mapped,
        share(d.mapped),
        d.mapped_by_name,
        share(d.mapped_by_name),
        d.with_prod_ai,
        share(d.with_prod_ai),
        d.prod_ai_mapped,
        share(d.prod_ai_mapped),
        d.name_agrees_with_prod_ai,
        d.name_differs_from_prod_ai
    )?;
    if !d.top_unmapped.is_empty() {
        writeln!(
            out,
            "unmapped: {} row(s), kept under their written name; most frequent:",
            d.unmapped
        )?;
        for u in &d.top_unmapped {
            writeln!(out, "  {:>6}  {}", u.rows, u.name)?;
        }
    }
    Ok(())
}

/// `offlabel signals`
pub fn signals(engine: &Engine, a: SignalsArgs, out: &mut impl Write) -> Result<()> {
    let roles = Roles::parse(&a.role).ok_or_else(|| {
        usage(format!(
            "--role: {:?} is not a role set (accepted: suspect, all)",
            a.role
        ))
    })?;
    let stratify = match a.stratify.as_deref() {
        None => Stratify::None,
        Some(s) => Stratify::parse(s).ok_or_else(|| {
            usage(format!(
                "--stratify: {s:?} is not a stratification (accepted: sex, age, sex,age)"
            ))
        })?,
    };
    let sex = match a.sex.as_deref() {
        None => None,
        Some(s) => match Sex::parse(s) {
            Sex::Unknown => {
                return Err(usage(format!("--sex: {s:?} is not a sex (accepted: F, M)")));
            }
            x => Some(x),
        },
    };
    let age = match a.age_band.as_deref() {
        None => None,
        Some(s) => Some(AgeBand::parse(s).ok_or_else(|| {
            usage(format!(
                "--age-band: {s:?} is not a band (accepted: <18, 18-64, 65+, unknown)"
            ))
        })?),
    };
    let mut wanted = Rules::default();
    for r in &a.signal {
        wanted = wanted.with(Rules::parse(r).ok_or_else(|| {
            usage(format!(
                "--signal: {r:?} is not a rule (accepted: evans, ror025, ic025, eb05)"
            ))
        })?);
    }
    let hyper = match a.hyper.as_deref() {
        None => None,
        Some(h) => Some(Hyper::parse(h).ok_or_else(|| {
            usage(format!("--hyper: {h:?} is not five numbers α1,β1,α2,β2,P with positive shapes and rates and 0 < P < 1 (e.g. 0.2,0.1,2,4,0.33)"))
        })?),
    };
    let sort = SortKey::parse(&a.sort).ok_or_else(|| {
        usage(format!(
            "--sort: {:?} is not a ranking (accepted: name, eb05, prr, ic025, a)",
            a.sort
        ))
    })?;
    let counting = Counting {
        load: LoadOptions { roles, sex, age },
        stratify,
        hyper,
    };
    let selection = Selection {
        drug: a.drug.as_deref(),
        event: a.event.as_deref(),
        min_a: a.min_a,
        rules: wanted,
        sort,
    };
    let resolve = |name: &str| engine.resolve_drug_name(name);
    let report = run::run(a.store.as_deref(), &counting, &selection, &resolve).map_err(|e| match e {
        RunError::Store(e) => store_error(e),
        e @ RunError::NoReports { .. } => usage(e.to_string()),
        e @ RunError::Prior(_) => anyhow::Error::new(e),
        RunError::UnknownDrug { given, key } => usage(format!(
            "--drug: no counted report names {given:?} (looked for {key:?}); check the spelling, or try --role all"
        )),
        RunError::UnknownEvent { given } => usage(format!(
            "--event: no counted report lists {given:?}; give a MedDRA preferred term as FAERS spells it, e.g. \"Deep vein thrombosis\""
        )),
    })?;
    if a.json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else if a.csv {
        writeln!(out, "{}", SignalRow::CSV_HEADER)?;
        for r in &report.results {
            writeln!(out, "{}", r.csv())?;
        }
    } else {
        render_signals(&report, out)?;
    }
    Ok(())
}

fn num(v: f64, decimals: usize) -> String {
    if v.is_finite() {
        format!("{v:.decimals$}")
    } else if v == f64::INFINITY {
        "inf".into()
    } else {
        "-".into()
    }
}

fn render_signals(r: &SignalsReport, out: &mut impl Write) -> Result<()> {
    for w in &r.warnings {
        writeln!(out, "warning: {w}")?;
    }
    writeln!(
        out,
        "{} reports ({} FAERS after deduplication, {} intake), {} drug-event pairs; roles {}; expected count stratified by {}",
        r.reports, r.faers_reports, r.intake_reports, r.pairs, r.role, r.stratify
    )?;
    let h = &r.prior.hyper;
    writeln!(
        out,
        "EBGM prior ({}): alpha1 {:.4} beta1 {:.4} alpha2 {:.4} beta2 {:.4} P {:.4}",
        r.prior.source, h.alpha1, h.beta1, h.alpha2, h.beta2, h.p
    )?;
    if r.results.is_empty() {
        writeln!(out, "no pair matches")?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<24} {:<32} {:>6} {:>8} {:>22} {:>8} {:>22} {:>16} {:>18}  signals",
        "drug",
        "event",
        "a",
        "E",
        "PRR (95% CI)",
        "chi2",
        "ROR (95% CI)",
        "IC (IC025)",
        "EBGM (EB05)"
    )?;
    for s in &r.results {
        writeln!(
            out,
            "{:<24} {:<32} {:>6} {:>8} {:>22} {:>8} {:>22} {:>16} {:>18}  {}",
            s.drug,
            s.event,
            s.a,
            num(s.expected, 2),
            format!(
                "{} ({}-{})",
                num(s.prr, 2),
                num(s.prr_lower, 2),
                num(s.prr_upper, 2)
            ),
            num(s.chi2_yates, 1),
            format!(
                "{} ({}-{})",
                num(s.ror, 2),
                num(s.ror_lower, 2),
                num(s.ror_upper, 2)
            ),
            format!("{} ({})", num(s.ic, 2), num(s.ic025, 2)),
            format!("{} ({})", num(s.ebgm, 2), num(s.eb05, 2)),
            s.signals.join(",")
        )?;
    }
    Ok(())
}

/// Two significant digits, as rates are published (0.10, 0.0025, 4.9).
fn sig2(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let decimals = (1 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.decimals$}")
}

/// `offlabel rate`
pub fn rate(a: RateArgs, out: &mut impl Write) -> Result<()> {
    let r = stats::incidence_rate(a.events, a.patient_years).map_err(|e| usage(e.to_string()))?;
    if a.json {
        serde_json::to_writer_pretty(
            &mut *out,
            &serde_json::json!({
                "events": a.events,
                "patient_years": a.patient_years,
                "per_100py": r.value,
                "lower": r.lower,
                "upper": r.upper,
                "method": "exact Poisson (Garwood) 95% CI",
            }),
        )?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{} per 100 patient-years (95% CI {}–{}): {} event(s) in {} patient-years, exact Poisson interval",
            sig2(r.value),
            sig2(r.lower),
            sig2(r.upper),
            a.events,
            a.patient_years
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_significant_digits() {
        assert_eq!(sig2(0.100_593), "0.10");
        assert_eq!(sig2(0.002_547), "0.0025");
        assert_eq!(sig2(0.560_47), "0.56");
        assert_eq!(sig2(4.901_96), "4.9");
        assert_eq!(sig2(9.015), "9.0");
        assert_eq!(sig2(0.0), "0");
        assert_eq!(sig2(14.76), "15");
    }
}
