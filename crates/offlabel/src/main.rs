//! `offlabel`: can this medicine be used for this condition, here, for this patient?
//!
//! Glue code: parses the command line, loads the pack, calls the engine, renders.
//! No medical logic lives here.

mod browse;
mod export_cmd;
mod import_cmd;
mod render;
mod reports_cmd;
mod review_cmd;
mod signals_cmd;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use offlabel_engine::patient::{Patient, RenalGrade, Severity, Site};
use offlabel_engine::{AskError, CheckRequest, Engine};
use offlabel_pack::{Pack, PackError};
use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Answers off-label prescribing questions about JAK inhibitors in dermatology, offline, with citations.
#[derive(Parser)]
#[command(name = "offlabel", version, about)]
struct Cli {
    /// Load the knowledge pack from this folder (text, checked at load) or compiled
    /// file (`offlabel pack build`) instead of the embedded one.
    #[arg(long, global = true, value_name = "DIR|FILE")]
    pack: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Answer a question in plain language (English or Spanish).
    Ask(AskArgs),
    /// Check a described patient: flags, doses, screening and monitoring.
    Check(Box<CheckArgs>),
    /// Validate a knowledge pack, or compile one.
    Pack {
        #[command(subcommand)]
        command: PackCommand,
    },
    /// Run the question parser alone: what a text names, with byte spans (no answer).
    Recognise(RecogniseArgs),
    /// Is a finding in a text negated, historical, hypothetical, or someone else's? (ConText)
    Context(ContextArgs),
    /// Show a medicine (curated, EMA table, Drugs@FDA, FDA labels): products,
    /// authorisations, indications with the regulator's words, posology, safety.
    Drug(ShowArgs),
    /// Search the medicines of the pack and its layers (paged).
    Drugs(DrugsArgs),
    /// Show a condition (curated or Disease Ontology; name, DOID or ICD-10-CM code): codes,
    /// broader and narrower terms, authorisations, studies.
    Condition(ShowArgs),
    /// Search the conditions (curated and Disease Ontology; paged).
    Conditions(ConditionsArgs),
    /// List studies, strongest first.
    Evidence(EvidenceArgs),
    /// List the sources.
    Sources(JsonArg),
    /// Serve the HTTP API (/v1, /openapi.json) and the web page until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Adverse-reaction reports: add, list, show, export, check (see docs/reports.md).
    Reports(reports_cmd::ReportsArgs),
    /// FDA FAERS data: import quarterly extracts into the report store.
    Faers {
        #[command(subcommand)]
        command: signals_cmd::FaersCommand,
    },
    /// Disproportionality statistics (PRR, ROR, chi2, IC, EBGM) for drug-event pairs.
    Signals(Box<signals_cmd::SignalsArgs>),
    /// Incidence rate per 100 patient-years with its exact Poisson 95% CI.
    Rate(signals_cmd::RateArgs),
    /// Export the pack in a standard format (FHIR R5; see docs/fhir.md).
    Export {
        #[command(subcommand)]
        command: export_cmd::ExportCommand,
    },
    /// Read indication texts: the conditions they name (Disease Ontology ids), as JSON lines.
    Indications(import_cmd::IndicationsArgs),
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on (HOST:PORT; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Largest request body in bytes [default: 65536].
    #[arg(long, value_name = "BYTES")]
    body_limit: Option<usize>,
    /// Longest time one request may take, in seconds [default: 10].
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    timeout: Option<std::time::Duration>,
    /// Longest time a client may take to send a request's headers (also closes idle
    /// kept-alive connections), in seconds [default: 10].
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    header_timeout: Option<std::time::Duration>,
    /// Close a connection on which nothing moves and no request runs for this long, in
    /// seconds [default: 60].
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    idle_timeout: Option<std::time::Duration>,
    /// Longest time a client may take to send a request body (408 after), in seconds
    /// [default: 30].
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    body_timeout: Option<std::time::Duration>,
    /// Requests handled at once; more wait their turn [default: 256].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    concurrency: Option<u32>,
    /// Origin allowed to call the API from a browser (repeatable; * for any) [default: none].
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// Memory for cached /v1/ask answers in MiB; 0 turns the cache off [default: 8].
    #[arg(long, value_name = "MIB")]
    cache_mib: Option<usize>,
    /// Write logs as JSON lines (filter with RUST_LOG, default info).
    #[arg(long)]
    log_json: bool,
    /// Report store for POST/GET /v1/reports (a file path or postgres:// URL; on only
    /// when OFFLABEL_WRITE_TOKEN is set) and for GET /v1/signals (a SQLite file with
    /// FAERS from `faers import`; no token) [default: as `reports`].
    #[arg(long, value_name = "PATH_OR_URL")]
    store: Option<String>,
}

fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    text.parse::<f64>()
        .ok()
        .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("{text:?} is not a positive number of seconds, e.g. 10 or 0.5"))
}

fn serve(engine: Engine, a: ServeArgs) -> Result<()> {
    let defaults = offlabel_server::ServerConfig::default();
    let config = offlabel_server::ServerConfig {
        body_limit: a.body_limit.unwrap_or(defaults.body_limit),
        timeout: a.timeout.unwrap_or(defaults.timeout),
        concurrency: a.concurrency.map_or(defaults.concurrency, |n| n as usize),
        header_read_timeout: a.header_timeout.unwrap_or(defaults.header_read_timeout),
        idle_timeout: a.idle_timeout.unwrap_or(defaults.idle_timeout),
        body_timeout: a.body_timeout.unwrap_or(defaults.body_timeout),
        cors_origins: a.cors_origins,
        cache_bytes: a
            .cache_mib
            .map_or(defaults.cache_bytes, |m| m.saturating_mul(1 << 20)),
        reports: reports_cmd::serve_config(a.store.as_deref())?,
        cds: offlabel_server::CdsConfig::from_env().map_err(usage)?,
        // Read-only: the server opens it per request, so quarters imported later count.
        signals_store: reports_cmd::store_spec(a.store.as_deref()).ok(),
    };
    offlabel_server::init_logging(a.log_json);
    offlabel_server::run(a.addr, engine, config).map_err(|e| usage(format!("{e:#}")))
}

#[derive(Args)]
struct AskArgs {
    /// Print the contract JSON object.
    #[arg(long)]
    json: bool,
    /// Read one question per line from stdin and write one JSON object per line, always:
    /// a blank, non-UTF-8 or over-long line gets `{"line", "error"}` and the batch goes on.
    #[arg(long, conflicts_with = "question")]
    batch: bool,
    /// Answer as the regulators stood on this day (YYYY-MM-DD); the answer's as_of echoes it.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    as_of: Option<offlabel_engine::PartialDate>,
    /// The question.
    question: Vec<String>,
}

/// A full calendar day for `--as-of` (a year or month alone is ambiguous).
fn parse_day(text: &str) -> Result<offlabel_engine::PartialDate, String> {
    let day: offlabel_engine::PartialDate = text.parse().map_err(|e| format!("{e}"))?;
    if day.day.is_none() {
        return Err(format!(
            "{text:?} is not a full day: write YYYY-MM-DD, e.g. 2023-06-01"
        ));
    }
    Ok(day)
}

#[derive(Args)]
struct RecogniseArgs {
    /// Read JSON Lines `{"text": "..."}` from stdin; write one JSON object per line.
    #[arg(long, conflicts_with = "text")]
    batch: bool,
    /// The text.
    text: Vec<String>,
}

#[derive(Args)]
struct ContextArgs {
    /// Read JSON Lines `{"text": "...", "target": "..."}` from stdin; write one JSON
    /// object `{"negated", "temporality", "experiencer"}` per line.
    #[arg(long, conflicts_with_all = ["text", "target"])]
    batch: bool,
    /// The phrase to assess (its first occurrence in the text).
    #[arg(long, required_unless_present = "batch")]
    target: Option<String>,
    /// The text.
    text: Vec<String>,
}

#[derive(Args)]
struct JsonArg {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct PageArgs {
    /// Entries per page (1-200).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=200))]
    limit: u16,
    /// Entries to skip.
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct DrugsArgs {
    /// Words of a name: INN, brand, product or ingredient.
    #[arg(long, value_name = "WORDS")]
    search: Option<String>,
    /// ATC code or prefix (EU products and curated medicines), e.g. L04.
    #[arg(long)]
    atc: Option<String>,
    /// EMA product status (authorised, withdrawn, refused, …) or US marketed/discontinued.
    #[arg(long)]
    status: Option<String>,
    #[command(flatten)]
    page: PageArgs,
}

#[derive(Args)]
struct ConditionsArgs {
    /// Words of a name, or a code (DOID, ICD-10-CM, UMLS, SNOMED CT).
    #[arg(long, value_name = "WORDS", default_value = "")]
    search: String,
    #[command(flatten)]
    page: PageArgs,
}

#[derive(Args)]
struct ShowArgs {
    /// Id (or a name the pack knows).
    id: String,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct EvidenceArgs {
    /// Medicine id or name.
    #[arg(long)]
    drug: Option<String>,
    /// Condition id or name (includes its subtypes).
    #[arg(long)]
    condition: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum PackCommand {
    /// Check a pack folder (default: the embedded pack) and list every problem, then
    /// review its authorisations against the regulator layers (warnings only).
    Check {
        /// The folder (or a compiled pack file).
        dir: Option<PathBuf>,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Check a pack folder and write its compiled form, for `--pack FILE`.
    Build {
        /// The folder of the pack's text.
        dir: PathBuf,
        /// Where to write the compiled pack.
        #[arg(long)]
        out: PathBuf,
    },
    /// Import a public dataset into a generated layer under knowledge/layers/.
    Import {
        #[command(subcommand)]
        source: import_cmd::ImportSource,
    },
}

#[derive(Args)]
struct CheckArgs {
    /// Medicine: id, brand or generic name.
    #[arg(long)]
    drug: Option<String>,
    /// Condition: id or name.
    #[arg(long)]
    condition: Option<String>,
    /// US or EU (default both).
    #[arg(long)]
    region: Option<String>,
    /// Age in years (0-130).
    #[arg(long, allow_negative_numbers = true)]
    age: Option<i64>,
    /// Pregnant.
    #[arg(long)]
    pregnant: bool,
    /// Breastfeeding.
    #[arg(long)]
    breastfeeding: bool,
    /// Current or long-term former smoker.
    #[arg(long)]
    smoker: bool,
    /// Kidney impairment: mild, moderate or severe.
    #[arg(long, value_name = "GRADE")]
    renal: Option<String>,
    /// Share of body surface to treat, in percent (0-100).
    #[arg(long, allow_negative_numbers = true)]
    bsa: Option<f64>,
    /// Where it would be applied (repeatable): face, eyelids, eyes, mouth, mucosa, scalp, hands, body.
    #[arg(long)]
    site: Vec<String>,
    /// Broken or infected skin at the site.
    #[arg(long)]
    broken_skin: bool,
    /// Immunosuppressed, transplanted or on immunosuppressants.
    #[arg(long)]
    immunosuppressed: bool,
    /// Allergic to the medicine or its ingredients.
    #[arg(long)]
    allergy: bool,
    /// Past venous thromboembolism or its risk factors.
    #[arg(long)]
    vte_history: bool,
    /// Heart or vessel disease.
    #[arg(long)]
    cardiovascular_history: bool,
    /// Past or present cancer.
    #[arg(long)]
    cancer_history: bool,
    /// Chronic or recurrent infections.
    #[arg(long)]
    recurrent_infections: bool,
    /// Severity: mild, moderate, severe, mild-to-moderate, moderate-to-severe.
    #[arg(long)]
    severity: Option<String>,
    /// Subtype of the condition (a condition id or name, e.g. segmental).
    #[arg(long)]
    subtype: Option<String>,
    /// Read the whole request as JSON from FILE (or - for stdin).
    #[arg(long, value_name = "FILE")]
    profile: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// A user error: exit code 2 with one line on stderr.
#[derive(Debug)]
struct UsageError(String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn usage(msg: impl Into<String>) -> anyhow::Error {
    UsageError(msg.into()).into()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            let code = if e.downcast_ref::<UsageError>().is_some() {
                2
            } else {
                1
            };
            eprintln!("offlabel: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::from(code)
        }
    }
}

fn load_pack(dir: Option<&PathBuf>) -> Result<Pack> {
    let pack = match dir {
        Some(d) => Pack::open(d),
        None => offlabel_embedded::pack(),
    };
    pack.map_err(|e| match e {
        PackError::Invalid(diags) => {
            let first = diags.first().map(ToString::to_string).unwrap_or_default();
            usage(format!("the knowledge pack has {} error(s), first: {first}; run `offlabel pack check` for all", diags.len()))
        }
        other => usage(other.to_string()),
    })
}

fn run(cli: Cli) -> Result<ExitCode> {
    // Block-buffered: a line-buffered terminal writer costs ~15% of `ask --batch`.
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    if let Command::Pack {
        command: PackCommand::Check { dir, json },
    } = &cli.command
    {
        return pack_check(dir.as_ref().or(cli.pack.as_ref()), *json, &mut out);
    }
    if let Command::Pack {
        command: PackCommand::Build { dir, out: to },
    } = &cli.command
    {
        return pack_build(dir, to, &mut out);
    }
    // Neither needs the curated pack: importers write layers, the reader uses the vocabulary.
    if let Command::Pack {
        command: PackCommand::Import { source },
    } = cli.command
    {
        import_cmd::import(source, &mut out)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    // Context is pure text: no pack.
    if let Command::Context(args) = cli.command {
        context_cmd(args, &mut out)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Indications(args) = cli.command {
        import_cmd::indications(&args, &mut out)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    // Never dropped: the process ends right after the command, and freeing the pack and
    // the layers built for one question costs more than answering it (about a tenth of a
    // cold `ask`). The server takes its own clone, which it keeps for its lifetime.
    let engine = std::mem::ManuallyDrop::new(Engine::new(load_pack(cli.pack.as_ref())?));
    match cli.command {
        Command::Ask(args) => ask(&engine, args, &mut out)?,
        Command::Check(args) => check(&engine, *args, &mut out)?,
        Command::Recognise(args) => recognise(&engine, args, &mut out)?,
        Command::Pack { .. } => unreachable!("handled above"),
        Command::Drug(a) => browse::drug(&engine, &a.id, a.json, &mut out)?,
        Command::Drugs(a) => {
            let q = offlabel_engine::browse::MedicineQuery {
                text: a.search,
                atc: a.atc,
                status: a.status,
                limit: a.page.limit.into(),
                offset: a.page.offset,
            };
            browse::drugs(&engine, &q, a.page.json, &mut out)?
        }
        Command::Condition(a) => browse::condition(&engine, &a.id, a.json, &mut out)?,
        Command::Conditions(a) => browse::conditions(
            &engine,
            &a.search,
            a.page.limit.into(),
            a.page.offset,
            a.page.json,
            &mut out,
        )?,
        Command::Evidence(a) => browse::evidence(
            &engine,
            a.drug.as_deref(),
            a.condition.as_deref(),
            a.json,
            &mut out,
        )?,
        Command::Sources(a) => browse::sources(&engine, a.json, &mut out)?,
        Command::Serve(a) => serve(Engine::clone(&engine), a)?,
        Command::Reports(a) => reports_cmd::run(&engine, a, &mut out)?,
        Command::Faers { command } => signals_cmd::faers(&engine, command, &mut out)?,
        Command::Signals(a) => signals_cmd::signals(&engine, *a, &mut out)?,
        Command::Rate(a) => signals_cmd::rate(a, &mut out)?,
        Command::Export { command } => export_cmd::run(&engine, command, &mut out)?,
        Command::Indications(_) | Command::Context(_) => unreachable!("handled above"),
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn pack_check(dir: Option<&PathBuf>, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let (pack, diags) = match dir {
        Some(d) if d.is_dir() => {
            let files = Pack::read_files(d).map_err(|e| usage(e.to_string()))?;
            Pack::assemble(files)
        }
        // A compiled pack was checked when it was built; decoding it is the check left.
        Some(d) => (
            Some(Pack::open(d).map_err(|e| usage(e.to_string()))?),
            vec![],
        ),
        None => (Some(offlabel_embedded::pack()?), vec![]),
    };
    if diags.is_empty() {
        let p = pack.context("pack assembled")?;
        // With --json the text lines are gathered into the object instead.
        let mut text: Vec<u8> = Vec::new();
        let mut lines: &mut dyn Write = if json { &mut text } else { &mut *out };
        writeln!(
            lines,
            "pack {} {} (as of {}): ok — {} sources, {} medicines, {} conditions, {} authorisations, {} posology, {} efficacy, {} adverse effects, {} incidence rates, {} statements, {} regulatory events, {} precautions, {} dose adjustments, {} screening items, {} studies",
            p.meta.id,
            p.meta.version,
            p.meta.as_of,
            p.sources.len(),
            p.medicines.len(),
            p.conditions.len(),
            p.authorisations.len(),
            p.posology.len(),
            p.efficacy.len(),
            p.adverse_effects.len(),
            p.incidence_rates.len(),
            p.statements.len(),
            p.regulatory_events.len(),
            p.precautions.len(),
            p.dose_adjustments.len(),
            p.screening.len(),
            p.studies.len()
        )?;
        let conditions: Vec<&offlabel_model::Condition> =
            p.conditions.iter().map(|c| &c.record).collect();
        let errors = import_cmd::check_curated_doids(dir, &conditions, &mut lines)?;
        let review = Engine::new(p).review_layers()?;
        if json {
            let v = serde_json::json!({
                "ok": errors == 0,
                "lines": String::from_utf8_lossy(&text).lines().collect::<Vec<_>>(),
                "review": review,
            });
            serde_json::to_writer_pretty(&mut *out, &v)?;
            writeln!(out)?;
        } else {
            review_cmd::render(&review, out)?;
        }
        Ok(if errors == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    } else {
        for d in &diags {
            writeln!(out, "error: {d}")?;
        }
        writeln!(out, "{} error(s)", diags.len())?;
        Ok(ExitCode::from(1))
    }
}

fn pack_build(
    dir: &std::path::Path,
    to: &std::path::Path,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let pack = load_pack(Some(&dir.to_path_buf()))?;
    let bytes = pack.to_compiled();
    std::fs::write(to, &bytes)
        .with_context(|| format!("writing the compiled pack to {}", to.display()))?;
    writeln!(
        out,
        "wrote {} ({} bytes, schema {}): {} medicines, {} conditions",
        to.display(),
        bytes.len(),
        offlabel_pack::COMPILED_SCHEMA_VERSION,
        pack.medicines.len(),
        pack.conditions.len()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Longest batch line kept, in bytes: a question of the engine's longest (4096
/// characters) in 4-byte UTF-8, plus its line ending. Longer lines are answered with an
/// error that gives their length and never echoes them.
const MAX_BATCH_LINE: usize = 4 * 4096 + 2;

/// Reads one line (up to and including `\n`) into `line`, keeping at most
/// [`MAX_BATCH_LINE`] + 1 bytes of it and skipping the rest; returns its full length
/// without the `\n`, or `None` at the end of input.
fn read_line_capped(
    input: &mut impl BufRead,
    line: &mut Vec<u8>,
) -> std::io::Result<Option<usize>> {
    line.clear();
    let mut length = 0usize;
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok((length > 0).then_some(length));
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        let room = (MAX_BATCH_LINE + 1).saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let n = chunk.len();
        length = length.saturating_add(n);
        input.consume(n);
        if done {
            return Ok(Some(length - 1));
        }
    }
}

fn ask(engine: &Engine, args: AskArgs, out: &mut impl Write) -> Result<()> {
    if args.batch {
        return for_each_line(out, |question| {
            match engine.ask_as_of(question, args.as_of) {
                Ok(a) => serde_json::to_string(&a).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            }
        });
    }
    let question = args.question.join(" ");
    let answer = engine
        .ask_as_of(&question, args.as_of)
        .map_err(|e| match e {
            AskError::Empty => usage(format!(
                "the question is empty: write a question, e.g. offlabel ask \"{}\"",
                engine
                    .pack()
                    .meta
                    .examples
                    .first()
                    .map_or("Is MEDICINE approved for CONDITION?", String::as_str)
            )),
            other => usage(other.to_string()),
        })?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &answer)?;
        writeln!(out)?;
    } else {
        render::answer(&answer, out)?;
    }
    Ok(())
}

fn recognise(engine: &Engine, args: RecogniseArgs, out: &mut impl Write) -> Result<()> {
    if !args.batch {
        let text = args.text.join(" ");
        serde_json::to_writer_pretty(&mut *out, &engine.recognise(&text))?;
        writeln!(out)?;
        return Ok(());
    }
    #[derive(serde::Deserialize)]
    struct Input {
        text: String,
    }
    for_each_line(out, |line| {
        let input: Input = serde_json::from_str(line).map_err(|e| {
            format!("{e}; each line must be a JSON object such as {{\"text\": \"MEDICINE for CONDITION\"}}")
        })?;
        serde_json::to_string(&engine.recognise(&input.text)).map_err(|e| e.to_string())
    })
}

/// The context of `target` in `text` as the batch contract has it: negated,
/// temporality, experiencer, plus the details (uncertain, family history, triggers).
fn context_of(text: &str, target: &str) -> std::result::Result<serde_json::Value, String> {
    let Some(span) = offlabel_context::locate(text, target) else {
        return Err(format!(
            "the target {target:?} does not occur in the text; give a phrase written in it"
        ));
    };
    let a = offlabel_context::assess(text, span.clone());
    Ok(serde_json::json!({
        "negated": a.negated,
        "temporality": a.temporality,
        "experiencer": a.experiencer,
        "uncertain": a.uncertain,
        "family_history": a.family_history,
        "target_span": [span.start, span.end],
        "triggers": a.triggers,
    }))
}

fn context_cmd(args: ContextArgs, out: &mut impl Write) -> Result<()> {
    if !args.batch {
        let text = args.text.join(" ");
        let target = args.target.unwrap_or_default();
        let value = context_of(&text, &target).map_err(usage)?;
        serde_json::to_writer_pretty(&mut *out, &value)?;
        writeln!(out)?;
        return Ok(());
    }
    #[derive(serde::Deserialize)]
    struct Input {
        text: String,
        target: String,
    }
    for_each_line(out, |line| {
        let input: Input = serde_json::from_str(line).map_err(|e| {
            format!("{e}; each line must be a JSON object such as {{\"text\": \"No fever.\", \"target\": \"fever\"}}")
        })?;
        context_of(&input.text, &input.target)
            .and_then(|v| serde_json::to_string(&v).map_err(|e| e.to_string()))
    })
}

/// Reads stdin line by line and writes exactly one JSON line per input line: the
/// value `answer` gives, or `{"line": N, "error": "..."}` for a line that is blank,
/// over-long (never echoed), not UTF-8 or refused, so output always lines up with input.
fn for_each_line(
    out: &mut impl Write,
    mut answer: impl FnMut(&str) -> std::result::Result<String, String>,
) -> Result<()> {
    /// A line's error, `line` first so a reader sees which input it belongs to.
    #[derive(serde::Serialize)]
    struct LineError {
        line: u64,
        error: String,
    }
    let mut input = std::io::BufReader::with_capacity(64 * 1024, std::io::stdin().lock());
    let mut bytes = Vec::new();
    let mut number = 0u64;
    loop {
        let Some(length) =
            read_line_capped(&mut input, &mut bytes).context("reading lines from stdin")?
        else {
            return Ok(());
        };
        number += 1;
        let result = match std::str::from_utf8(&bytes) {
            _ if length > MAX_BATCH_LINE => Err(format!(
                "the line is {length} bytes long; a line is at most {} characters",
                offlabel_engine::MAX_QUESTION_CHARS
            )),
            Err(_) => Err("the line is not UTF-8 text; save the input as UTF-8".to_string()),
            Ok(text) => {
                let text = text.trim_end_matches(['\n', '\r']);
                if text.trim().is_empty() {
                    Err("the line is blank".to_string())
                } else {
                    answer(text)
                }
            }
        };
        match result {
            Ok(json) => out.write_all(json.as_bytes())?,
            Err(error) => serde_json::to_writer(
                &mut *out,
                &LineError {
                    line: number,
                    error,
                },
            )?,
        }
        out.write_all(b"\n")?;
        // Answer a caller that waits for each reply before sending the next line as soon
        // as its input is used up; stream in blocks otherwise.
        if input.buffer().is_empty() {
            out.flush()?;
        }
    }
}

fn check(engine: &Engine, a: CheckArgs, out: &mut impl Write) -> Result<()> {
    let request = match &a.profile {
        Some(file) => {
            let text = if file == "-" {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("reading the profile from stdin")?;
                s
            } else {
                std::fs::read_to_string(file)
                    .map_err(|e| usage(format!("--profile {file}: {e}")))?
            };
            // The reader of POST /v1/check: duplicate keys refused, `80.0` read as 80.
            offlabel_json::from_slice_integral::<CheckRequest>(text.as_bytes()).map_err(|e| usage(format!("--profile: {e}; expected a JSON object such as {{\"drug\": \"MEDICINE\", \"age\": 80}}")))?
        }
        None => {
            let Some(drug) = a.drug.clone() else {
                bail!(usage(
                    "--drug is required (or give --profile FILE): e.g. --drug MEDICINE (a pack id or name; offlabel drugs lists them)"
                ));
            };
            let age = match a.age {
                Some(v) if !(0..=130).contains(&v) => {
                    return Err(usage(format!(
                        "--age: {v} is out of range (accepted: whole years from 0 to 130)"
                    )));
                }
                Some(v) => Some(
                    u32::try_from(v)
                        .map_err(|_| usage("--age: out of range (accepted: 0 to 130)"))?,
                ),
                None => None,
            };
            let renal = match a.renal.as_deref() {
                None => None,
                Some("mild") => Some(RenalGrade::Mild),
                Some("moderate") => Some(RenalGrade::Moderate),
                Some("severe") => Some(RenalGrade::Severe),
                Some(other) => {
                    return Err(usage(format!(
                        "--renal: {other:?} is not a grade (accepted: mild, moderate, severe)"
                    )));
                }
            };
            let severity = match a.severity.as_deref() {
                None => None,
                Some(s) => Some(Severity::parse(s).ok_or_else(|| usage(format!("--severity: {s:?} is not a severity (accepted: mild, moderate, severe, mild-to-moderate, moderate-to-severe, mild-to-severe)")))?),
            };
            let mut sites = Vec::new();
            for s in &a.site {
                sites.push(Site::parse(s).ok_or_else(|| usage(format!("--site: {s:?} is not a site (accepted: face, eyelids, eyes, mouth, mucosa, scalp, hands, body)")))?);
            }
            let condition = match (&a.condition, &a.subtype) {
                (Some(c), Some(sub)) => Some(format!("{sub} {c}")),
                (c, _) => c.clone(),
            };
            CheckRequest {
                drug,
                condition,
                condition_code: None,
                conditions: Vec::new(),
                region: a.region.clone(),
                patient: Patient {
                    age,
                    pregnant: a.pregnant,
                    breastfeeding: a.breastfeeding,
                    allergy: a.allergy,
                    immunosuppressed: a.immunosuppressed,
                    smoker: a.smoker,
                    vte_history: a.vte_history,
                    cardiovascular_history: a.cardiovascular_history,
                    cancer_history: a.cancer_history,
                    renal,
                    recurrent_infections: a.recurrent_infections,
                    bsa: a.bsa,
                    sites,
                    broken_skin: a.broken_skin,
                    severity,
                    ..Patient::default()
                },
            }
        }
    };
    let report = engine.check(&request).map_err(|e| usage(e.to_string()))?;
    if a.json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        render::check(engine.pack(), &report, out)?;
    }
    Ok(())
}
