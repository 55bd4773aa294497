//! `offlabel pack import <source>` (generated vocabulary layers) and
//! `offlabel indications --batch` (the indication reader over the vocabulary).

use crate::usage;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use offlabel_vocabulary::{Matcher, Vocabulary};
use std::io::Write;
use std::path::PathBuf;

/// The datasets `pack import` reads; each writes one layer under `knowledge/layers/`.
#[derive(Subcommand)]
pub enum ImportSource {
    /// The Disease Ontology: HumanDO.tsv, allXREFinDO.tsv, the subset .obo files and
    /// HumanDO-2015.obo, as published, in DIR.
    DiseaseOntology {
        /// Folder with the DO files.
        dir: PathBuf,
        /// Where to write the layer.
        #[arg(long, default_value = offlabel_vocabulary::DO_LAYER_DIR)]
        out: PathBuf,
    },
    /// The EMA's "Medicines output: medicines" table (xlsx) → the EU layer. Source: European Medicines Agency.
    Ema {
        /// The xlsx export (medicines-output-medicines-report_en.xlsx).
        file: PathBuf,
        /// The layer folder to write.
        #[arg(long, default_value = "knowledge/layers/ema")]
        out: PathBuf,
    },
    /// The FDA's Drugs@FDA data files (zip) → the US product layer. Source: U.S. Food and Drug Administration.
    Drugsfda {
        /// The zip as published (drugsatfda*.zip).
        file: PathBuf,
        /// The layer folder to write.
        #[arg(long, default_value = "knowledge/layers/drugsfda")]
        out: PathBuf,
    },
    /// FDA labels as Structured Product Labels (DailyMed XML): a folder or zip of .xml files,
    /// or DailyMed's zip of zips → the US label layer. Human prescription labels only unless
    /// --otc. Source: U.S. Food and Drug Administration.
    Spl {
        /// The folder or zip.
        input: PathBuf,
        /// Keep OTC labels too.
        #[arg(long)]
        otc: bool,
        /// The layer folder to write.
        #[arg(long, default_value = "knowledge/layers/fda-spl")]
        out: PathBuf,
    },
    /// FDA labels as openFDA drug/label JSON (drug-label-*.json.zip bulk files or API
    /// responses), streamed → the US label layer. Human prescription labels only unless
    /// --otc. Source: U.S. Food and Drug Administration.
    OpenfdaLabels {
        /// The files (.json or .json.zip).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Keep OTC labels too.
        #[arg(long)]
        otc: bool,
        /// The layer folder to write.
        #[arg(long, default_value = "knowledge/layers/fda-openfda")]
        out: PathBuf,
    },
}

fn label_summary(
    out: &mut impl Write,
    what: &str,
    dir: &std::path::Path,
    s: &offlabel_import_fda::labels::Summary,
) -> Result<()> {
    for k in &s.skipped {
        writeln!(out, "skipped {}: {}", k.record, k.reason)?;
    }
    writeln!(
        out,
        "{what} layer written to {}: {} labels read, {} kept with {} indication clauses ({} read in full), {} refused (reasons in REPORT.md), {} older versions dropped, {} malformed skipped. Source: U.S. Food and Drug Administration.",
        dir.display(),
        s.read,
        s.labels,
        s.clauses,
        s.fully_read,
        s.refused,
        s.superseded,
        s.skipped.len()
    )?;
    Ok(())
}

/// Runs an importer and says what it wrote.
pub fn import(source: ImportSource, out: &mut impl Write) -> Result<()> {
    match source {
        ImportSource::DiseaseOntology { dir, out: target } => {
            let imported = offlabel_import_do::import(&dir).map_err(|e| usage(e.to_string()))?;
            imported.write(&target).map_err(|e| usage(e.to_string()))?;
            let c = &imported.meta.counts;
            let codes: Vec<String> = c.codes.iter().map(|(k, v)| format!("{k} {v}")).collect();
            writeln!(
                out,
                "wrote {}: {} terms, {} exact / {} related / {} narrow / {} broad synonyms, {} parent links, {} retired ids; codes: {}",
                target.display(),
                c.terms,
                c.exact,
                c.related,
                c.narrow,
                c.broad,
                c.parent_links,
                c.retired,
                codes.join(", ")
            )?;
        }
        ImportSource::Ema { file, out: dir } => {
            let s = offlabel_import_ema::import(&file, &dir).map_err(|e| usage(e.to_string()))?;
            for row in &s.skipped {
                writeln!(out, "skipped row {}: {}", row.row_number, row.reason)?;
            }
            writeln!(
                out,
                "EMA layer written to {}: {} medicines, {} products, {} indication clauses ({} with a fully read population), {} rows skipped. Source: European Medicines Agency.",
                dir.display(),
                s.medicines,
                s.products,
                s.indications,
                s.fully_read,
                s.skipped.len()
            )?;
        }
        ImportSource::Drugsfda { file, out: dir } => {
            let s = offlabel_import_fda::drugsfda::import(&file, &dir)
                .map_err(|e| usage(e.to_string()))?;
            for row in &s.skipped {
                writeln!(out, "skipped {}: {}", row.record, row.reason)?;
            }
            writeln!(
                out,
                "Drugs@FDA layer written to {}: {} medicines, {} applications, {} products, complete to {}, {} rows skipped. Source: U.S. Food and Drug Administration.",
                dir.display(),
                s.medicines,
                s.applications,
                s.products,
                s.version,
                s.skipped.len()
            )?;
        }
        ImportSource::Spl {
            input,
            otc,
            out: dir,
        } => {
            let options = offlabel_import_fda::labels::Options { otc };
            let s = offlabel_import_fda::spl::import(&input, &dir, options)
                .map_err(|e| usage(e.to_string()))?;
            label_summary(out, "SPL label", &dir, &s)?;
        }
        ImportSource::OpenfdaLabels {
            files,
            otc,
            out: dir,
        } => {
            let options = offlabel_import_fda::labels::Options { otc };
            let paths: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
            let s = offlabel_import_fda::openfda::import(&paths, &dir, options)
                .map_err(|e| usage(e.to_string()))?;
            label_summary(out, "openFDA label", &dir, &s)?;
        }
    }
    Ok(())
}

/// `offlabel indications`.
#[derive(Args)]
pub struct IndicationsArgs {
    /// Read JSON lines `{"text": "..."}` from stdin and write one JSON line per input line:
    /// `{"conditions": [{"doid", "name", "start", "end", "negated", "role"}], "population":
    /// null}`; `role` is "indication" when the text names the condition as what the medicine
    /// is for, "other" for a hazard, limitation, unstudied population, trial or negated
    /// mention.
    #[arg(long)]
    batch: bool,
    /// A single indication text (instead of --batch).
    #[arg(conflicts_with = "batch")]
    text: Vec<String>,
}

/// One line of `indications --batch` output.
#[derive(serde::Serialize)]
struct Reading {
    conditions: Vec<offlabel_vocabulary::Mention>,
    /// Filled by the population reader (another importer); null until then.
    population: Option<serde_json::Value>,
}

#[derive(serde::Deserialize)]
struct Input {
    text: String,
}

/// Reads indication texts and writes the conditions they name.
pub fn indications(args: &IndicationsArgs, out: &mut impl Write) -> Result<()> {
    let vocabulary = Vocabulary::embedded()
        .context("the embedded Disease Ontology layer does not load; rebuild after `offlabel pack import disease-ontology`")?;
    let matcher = Matcher::new(&vocabulary);
    // A struct, not `json!`, so the keys keep the documented order.
    let answer = |text: &str| Reading {
        conditions: matcher.find(text),
        population: None,
    };
    if !args.batch {
        if args.text.is_empty() {
            return Err(usage(
                "give an indication text, or --batch with JSON lines on stdin",
            ));
        }
        writeln!(
            out,
            "{}",
            serde_json::to_string(&answer(&args.text.join(" ")))?
        )?;
        return Ok(());
    }
    crate::for_each_line(out, |line| {
        let input: Input = serde_json::from_str(line).map_err(|e| {
            format!("{e}; each line must be a JSON object like {{\"text\": \"...\"}}")
        })?;
        serde_json::to_string(&answer(&input.text)).map_err(|e| e.to_string())
    })
}

/// The DO layer of a pack folder, or the embedded one; `None` when a folder has none.
fn vocabulary_for(dir: Option<&PathBuf>) -> Result<Option<Vocabulary>> {
    let Some(dir) = dir else {
        return Ok(Some(Vocabulary::embedded()?));
    };
    let layer = dir.join("layers").join(offlabel_import_do::LAYER_NAME);
    let Ok(conditions) = std::fs::read_to_string(layer.join("conditions.jsonl")) else {
        return Ok(None);
    };
    let retired = std::fs::read_to_string(layer.join("retired.jsonl")).unwrap_or_default();
    Ok(Some(Vocabulary::new(
        offlabel_vocabulary::Layer::from_jsonl(&conditions, &retired)?,
    )))
}

/// `pack check`'s Disease Ontology lines: every curated condition's DOID is live (errors)
/// and its name is one DO knows (warnings). Returns the number of errors.
pub fn check_curated_doids(
    dir: Option<&PathBuf>,
    conditions: &[&offlabel_model::Condition],
    out: &mut impl Write,
) -> Result<usize> {
    let Some(vocabulary) = vocabulary_for(dir)? else {
        writeln!(
            out,
            "note: no Disease Ontology layer (layers/{}/conditions.jsonl); the curated conditions load alone and their DOIDs are not checked",
            offlabel_import_do::LAYER_NAME
        )?;
        return Ok(0);
    };
    let problems = offlabel_vocabulary::check_curated(conditions.iter().copied(), &vocabulary);
    let mut errors = 0;
    for p in &problems {
        if p.is_error() {
            errors += 1;
            writeln!(out, "error: conditions.toml: {p}")?;
        } else {
            writeln!(out, "warning: conditions.toml: {p}")?;
        }
    }
    let linked = conditions.iter().filter(|c| c.doid.is_some()).count();
    writeln!(
        out,
        "Disease Ontology: {} terms; {linked} of {} curated conditions carry a DOID, {errors} error(s), {} name warning(s)",
        vocabulary.terms().len(),
        conditions.len(),
        problems.len() - errors
    )?;
    Ok(errors)
}
