//! The US label layer, shared by the SPL and openFDA readers: one [`Draft`] per label as
//! read, the rules that keep or refuse it, its indication clauses, and a writer that streams
//! records to disk so a full release (250,000 labels) is never held in memory.
//!
//! Written layer (`knowledge/layers/<name>/`): `labels.jsonl` ([`UsLabel`], sorted by set
//! id, the newest version of each set only), `indications.jsonl` ([`IndicationClause`],
//! `product_number` = set id, `id` = `<set id>-<n>`), `layer.toml`, `REPORT.md`.

use crate::ids::{ingredient_id, medicine_id};
use crate::{ImportError, InputFile, SkippedRecord, toml_str, write_atomic};
use offlabel_indications::{read_clause_with_names, split_with_names};
use offlabel_regulatory::{IndicationClause, UsLabel};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// One label as a reader found it, before the rules.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// The set id.
    pub set_id: String,
    /// The version number.
    pub version: Option<String>,
    /// Effective date, `YYYYMMDD` or `YYYY-MM-DD`.
    pub effective: Option<String>,
    /// Product (brand) names.
    pub products: Vec<String>,
    /// Active ingredient names.
    pub ingredients: Vec<String>,
    /// Routes.
    pub routes: Vec<String>,
    /// The labeller.
    pub labeler: Option<String>,
    /// What kind of label: prescription, OTC, or not known.
    pub kind: LabelKind,
    /// True when the label says it is homeopathic.
    pub homeopathic: bool,
    /// The Indications and Usage section's text.
    pub indications: Option<String>,
    /// The Boxed Warning section's text.
    pub boxed_warning: Option<String>,
    /// The Contraindications section's text.
    pub contraindications: Option<String>,
    /// Where it came from.
    pub source: String,
}

/// The label's kind, from its document type or openFDA's `product_type`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LabelKind {
    /// Human prescription drug label.
    Prescription,
    /// Human OTC drug label.
    Otc,
    /// Another document type (indexing files, animal drugs...), with nothing to import.
    #[default]
    Other,
}

/// Options of a label import.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Keep OTC labels too.
    pub otc: bool,
}

/// Why a label is left out on purpose (not an error).
fn refusal(d: &Draft, options: Options) -> Option<String> {
    if d.homeopathic {
        return Some("homeopathic: not an FDA-approved indication".into());
    }
    match d.kind {
        LabelKind::Other => {
            return Some("not a human drug label (another SPL document type)".into());
        }
        LabelKind::Otc if !options.otc => {
            return Some("OTC label (use --otc to include OTC labels)".into());
        }
        _ => {}
    }
    if d.indications.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return Some("no Indications and Usage section".into());
    }
    if d.ingredients.is_empty() {
        return Some("names no active ingredient (empty openfda block, no product data)".into());
    }
    None
}

/// `YYYY-MM-DD` from `YYYYMMDD` (or as is when already dashed); `None` otherwise.
pub fn iso_date(s: &str) -> Option<String> {
    let s = s.trim();
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 8 && s.len() <= 10)
        .then(|| format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..8]))
}

/// The section text without its heading ("1 INDICATIONS AND USAGE", "INDICATIONS & USAGE",
/// "Uses"): openFDA keeps the heading as the first words.
fn strip_heading(text: &str) -> &str {
    let t = text.trim_start();
    let lower = t.to_lowercase();
    let mut rest = lower.as_str();
    let num = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ' '))
        .unwrap_or(0);
    rest = &rest[num..];
    for head in [
        "indications and usage",
        "indications & usage",
        "indications and use",
        "indication and usage",
        "indications",
        "indication",
        "uses",
    ] {
        if let Some(after) = rest.strip_prefix(head)
            && !after.starts_with(|c: char| c.is_alphanumeric())
            && lower.len() == t.len()
        {
            let cut = t.len() - after.len();
            if let Some(tail) = t.get(cut..) {
                return tail.trim_start_matches([':', ' ', '\n']);
            }
        }
    }
    t
}

/// Words of a treatment's aim in US indication sentences.
const GOAL_WORDS: &[&str] = &[
    "reducing",
    "reduce",
    "signs",
    "symptoms",
    "and",
    "inducing",
    "induce",
    "major",
    "clinical",
    "response",
    "inhibiting",
    "inhibit",
    "progression",
    "structural",
    "damage",
    "improving",
    "improve",
    "physical",
    "function",
    "maintaining",
    "maintain",
    "sustaining",
    "remission",
];

fn only_goal_words(phrase: &str) -> bool {
    let words: Vec<&str> = phrase
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    !words.is_empty()
        && words
            .iter()
            .all(|w| GOAL_WORDS.contains(&w.to_lowercase().as_str()))
}

/// A label kept, and its clauses.
pub(crate) struct Built {
    pub label: UsLabel,
    pub clauses: Vec<IndicationClause>,
}

/// Applies the rules to a draft: `Ok(Some)` kept, `Ok(None)` refused (reason given), `Err`
/// malformed.
pub(crate) fn build(d: Draft, options: Options) -> Result<Result<Built, String>, String> {
    if d.set_id.trim().is_empty() {
        return Err("no set id".into());
    }
    let effective = match d.effective.as_deref() {
        Some(e) => {
            Some(iso_date(e).ok_or_else(|| format!("effective date \"{e}\" is not a date"))?)
        }
        None => None,
    };
    if let Some(reason) = refusal(&d, options) {
        return Ok(Err(reason));
    }
    let medicine = medicine_id(&d.ingredients.join("; "));
    if medicine.is_empty() {
        return Err("its active ingredients give no id".into());
    }
    let text = strip_heading(d.indications.as_deref().unwrap_or_default()).to_string();
    let mut names: Vec<String> = d.products.clone();
    names.extend(d.ingredients.iter().cloned());
    names.extend(
        d.ingredients
            .iter()
            .map(|i| ingredient_id(i).replace('-', " ")),
    );
    names.extend(d.products.iter().map(|p| p.to_uppercase()));
    names.sort();
    names.dedup();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut clauses: Vec<IndicationClause> = Vec::new();
    for clause in split_with_names(&text, &refs) {
        let mut reading = read_clause_with_names(&text, &clause, &refs);
        // US labels state the goal before the condition ("reducing signs and symptoms …
        // in adult patients with active ankylosing spondylitis"): words of the treatment's
        // aim, not of who may be treated. An unread phrase made only of them restricts
        // nothing; any other word keeps the clause unread.
        reading.unread.retain(|u| !only_goal_words(u));
        reading.fully_read = reading.unread.is_empty() && reading.condition_text.is_some();
        let quote = clause.quote_text(&text).to_string();
        let heading = clause.heading_text(&text).map(str::to_string);
        let lead = clause.lead_text(&text).map(str::to_string);
        if clauses
            .iter()
            .any(|c| c.quote == quote && c.lead == lead && c.heading == heading)
        {
            continue;
        }
        clauses.push(IndicationClause {
            id: format!("{}-{}", d.set_id, clauses.len() + 1),
            medicine: medicine.clone(),
            product_number: d.set_id.clone(),
            heading,
            lead,
            quote,
            shared: clause
                .shared_texts(&text)
                .into_iter()
                .map(str::to_string)
                .collect(),
            condition_text: reading.condition_text,
            conditions: Vec::new(),
            population: reading.population,
            fully_read: reading.fully_read,
            unread: reading.unread,
        });
    }
    offlabel_import_ema::link_clauses(&mut clauses)
        .map_err(|e| format!("the condition vocabulary could not be loaded: {e}"))?;
    let tidy = |v: &[String]| -> Vec<String> {
        let mut v: Vec<String> = v.iter().map(|s| s.trim().to_string()).collect();
        v.retain(|s| !s.is_empty());
        v.sort();
        v.dedup();
        v
    };
    Ok(Ok(Built {
        label: UsLabel {
            set_id: d.set_id,
            version: d.version,
            effective,
            medicine,
            products: tidy(&d.products),
            ingredients: tidy(&d.ingredients),
            routes: tidy(&d.routes),
            labeler: d.labeler,
            rx: d.kind == LabelKind::Prescription,
            boxed_warning: d.boxed_warning.filter(|t| !t.trim().is_empty()),
            contraindications: d.contraindications.filter(|t| !t.trim().is_empty()),
            source: d.source,
        },
        clauses,
    }))
}

/// Where one kept label's lines sit in the spool.
struct Spooled {
    version: u64,
    effective: Option<String>,
    label: (u64, usize),
    clauses: (u64, usize),
}

/// Collects labels as they are read: each kept label goes straight to a spool file; only its
/// set id, version and offsets stay in memory.
pub struct Sink {
    options: Options,
    spool: BufWriter<std::fs::File>,
    spool_path: PathBuf,
    at: u64,
    kept: BTreeMap<String, Spooled>,
    /// Labels read.
    pub read: usize,
    /// Labels refused on purpose, with their reason.
    pub refused: BTreeMap<String, Vec<String>>,
    /// Malformed labels.
    pub skipped: Vec<SkippedRecord>,
    /// Older versions dropped for a newer one of the same set.
    pub superseded: usize,
}

impl Sink {
    /// A sink spooling into a temporary file beside `out`.
    pub fn new(out: &Path, options: Options) -> Result<Sink, ImportError> {
        std::fs::create_dir_all(out).map_err(|source| ImportError::Write {
            path: out.display().to_string(),
            source,
        })?;
        let spool_path = out.join("spool.tmp");
        let f = std::fs::File::create(&spool_path).map_err(|source| ImportError::Write {
            path: spool_path.display().to_string(),
            source,
        })?;
        Ok(Sink {
            options,
            spool: BufWriter::new(f),
            spool_path,
            at: 0,
            kept: BTreeMap::new(),
            read: 0,
            refused: BTreeMap::new(),
            skipped: Vec::new(),
            superseded: 0,
        })
    }

    /// A record that could not be read at all.
    pub fn malformed(&mut self, record: String, reason: String) {
        self.read += 1;
        self.skipped.push(SkippedRecord { record, reason });
    }

    /// A document that is not a label at all (an XML that is not SPL among SPL files).
    pub fn refuse_other(&mut self, record: String) {
        self.read += 1;
        self.refused
            .entry("not an SPL document".into())
            .or_default()
            .push(record);
    }

    /// Takes one draft.
    pub fn take(&mut self, d: Draft) -> Result<(), ImportError> {
        self.read += 1;
        let record = if d.set_id.is_empty() {
            d.source.clone()
        } else {
            d.set_id.clone()
        };
        let built = match build(d, self.options) {
            Err(reason) => {
                self.skipped.push(SkippedRecord { record, reason });
                return Ok(());
            }
            Ok(Err(reason)) => {
                self.refused.entry(reason).or_default().push(record);
                return Ok(());
            }
            Ok(Ok(b)) => b,
        };
        let version: u64 = built
            .label
            .version
            .as_deref()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        if let Some(old) = self.kept.get(&built.label.set_id)
            && (old.version, &old.effective) >= (version, &built.label.effective)
        {
            self.superseded += 1;
            return Ok(());
        }
        let label_line = line(&built.label);
        let clause_lines: String = built.clauses.iter().map(line).collect();
        let label = (self.at, label_line.len());
        self.write(&label_line)?;
        let clauses = (self.at, clause_lines.len());
        self.write(&clause_lines)?;
        if self
            .kept
            .insert(
                built.label.set_id.clone(),
                Spooled {
                    version,
                    effective: built.label.effective.clone(),
                    label,
                    clauses,
                },
            )
            .is_some()
        {
            self.superseded += 1;
        }
        Ok(())
    }

    fn write(&mut self, s: &str) -> Result<(), ImportError> {
        self.spool
            .write_all(s.as_bytes())
            .map_err(|source| ImportError::Write {
                path: self.spool_path.display().to_string(),
                source,
            })?;
        self.at += s.len() as u64;
        Ok(())
    }

    /// Writes the layer: labels and clauses in set-id order, read back from the spool.
    pub fn finish(
        mut self,
        out: &Path,
        layer: &LayerInfo,
        inputs: &[InputFile],
    ) -> Result<Summary, ImportError> {
        let werr = |path: &Path| {
            let p = path.display().to_string();
            move |source| ImportError::Write { path: p, source }
        };
        self.spool.flush().map_err(werr(&self.spool_path))?;
        if self.skipped.len() * 100 > self.read {
            let _ = std::fs::remove_file(&self.spool_path);
            return Err(ImportError::too_many(&self.skipped, self.read));
        }
        let mut spool = std::fs::File::open(&self.spool_path).map_err(werr(&self.spool_path))?;
        let labels_tmp = out.join("labels.jsonl.tmp");
        let clauses_tmp = out.join("indications.jsonl.tmp");
        let mut labels =
            BufWriter::new(std::fs::File::create(&labels_tmp).map_err(werr(&labels_tmp))?);
        let mut clauses =
            BufWriter::new(std::fs::File::create(&clauses_tmp).map_err(werr(&clauses_tmp))?);
        let mut n_clauses = 0;
        let mut fully_read = 0;
        let mut buf = Vec::new();
        for s in self.kept.values() {
            for ((at, len), w, tmp) in [
                (s.label, &mut labels, &labels_tmp),
                (s.clauses, &mut clauses, &clauses_tmp),
            ] {
                buf.resize(len, 0);
                spool
                    .seek(SeekFrom::Start(at))
                    .map_err(werr(&self.spool_path))?;
                spool.read_exact(&mut buf).map_err(werr(&self.spool_path))?;
                w.write_all(&buf).map_err(werr(tmp))?;
            }
            for l in BufReader::new(&buf[..]).lines() {
                let l = l.map_err(werr(&self.spool_path))?;
                n_clauses += 1;
                if l.contains("\"fully_read\":true") {
                    fully_read += 1;
                }
            }
        }
        labels.flush().map_err(werr(&labels_tmp))?;
        clauses.flush().map_err(werr(&clauses_tmp))?;
        drop((labels, clauses));
        std::fs::rename(&labels_tmp, out.join("labels.jsonl")).map_err(werr(&labels_tmp))?;
        std::fs::rename(&clauses_tmp, out.join("indications.jsonl")).map_err(werr(&clauses_tmp))?;
        let _ = std::fs::remove_file(&self.spool_path);
        let summary = Summary {
            read: self.read,
            labels: self.kept.len(),
            clauses: n_clauses,
            fully_read,
            refused: self.refused.values().map(Vec::len).sum(),
            superseded: self.superseded,
            skipped: self.skipped,
        };
        write_atomic(
            &out.join("layer.toml"),
            &layer_toml(layer, inputs, &summary),
        )?;
        write_atomic(
            &out.join("REPORT.md"),
            &report(layer, &summary, &self.refused),
        )?;
        Ok(summary)
    }
}

fn line<T: serde::Serialize>(r: &T) -> String {
    // Plain structs: serialising cannot fail; a failure would drop the line, which the
    // byte-for-byte test would catch.
    serde_json::to_string(r)
        .map(|s| s + "\n")
        .unwrap_or_default()
}

/// What a label layer is.
#[derive(Debug, Clone)]
pub struct LayerInfo {
    /// Folder name.
    pub name: &'static str,
    /// Title.
    pub title: &'static str,
    /// The command that makes it.
    pub importer: String,
    /// The options' words.
    pub scope: String,
}

/// What a label import did.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Labels read.
    pub read: usize,
    /// Labels written.
    pub labels: usize,
    /// Clauses written.
    pub clauses: usize,
    /// Clauses read in full.
    pub fully_read: usize,
    /// Labels refused on purpose.
    pub refused: usize,
    /// Older versions dropped.
    pub superseded: usize,
    /// Malformed labels skipped, with set id and reason.
    pub skipped: Vec<SkippedRecord>,
}

fn layer_toml(layer: &LayerInfo, inputs: &[InputFile], s: &Summary) -> String {
    let mut t = format!(
        "# Generated by `offlabel pack import`; do not edit by hand, re-run the import.\n\
         name = {}\ntitle = {}\nowner = \"U.S. Food and Drug Administration\"\n\
         licence = \"public domain (US government work)\"\n\
         attribution = \"Source: U.S. Food and Drug Administration\"\n\
         importer = {}\nscope = {}\n\
         note = \"Only the labels in the input: a medicine without a label here is not known to lack one, and a condition its label does not name is not called off-label.\"\n",
        toml_str(layer.name),
        toml_str(layer.title),
        toml_str(&layer.importer),
        toml_str(&layer.scope),
    );
    for i in inputs {
        t.push_str(&format!(
            "\n[[input]]\nfile = {}\nbytes = {}\nsha256 = \"{}\"\n",
            toml_str(&i.name),
            i.bytes,
            i.sha256
        ));
    }
    t.push_str(&format!(
        "\n[counts]\nread = {}\nlabels = {}\nindications = {}\nfully_read = {}\nrefused = {}\nsuperseded = {}\nskipped = {}\n",
        s.read,
        s.labels,
        s.clauses,
        s.fully_read,
        s.refused,
        s.superseded,
        s.skipped.len()
    ));
    t
}

fn report(layer: &LayerInfo, s: &Summary, refused: &BTreeMap<String, Vec<String>>) -> String {
    let mut r = format!(
        "# {} import report\n\nGenerated by `{}`.\n\n- labels read: {}\n- labels kept: {}\n- indication clauses: {} ({} read in full)\n- refused on purpose: {}\n- older versions dropped: {}\n- malformed, skipped: {}\n\n## Refused, by reason\n\n",
        layer.title,
        layer.importer,
        s.read,
        s.labels,
        s.clauses,
        s.fully_read,
        s.refused,
        s.superseded,
        s.skipped.len()
    );
    if refused.is_empty() {
        r.push_str("None.\n");
    }
    for (reason, ids) in refused {
        let shown: Vec<&str> = ids.iter().take(20).map(String::as_str).collect();
        let more = if ids.len() > 20 {
            format!(" and {} more", ids.len() - 20)
        } else {
            String::new()
        };
        r.push_str(&format!(
            "- {reason}: {} ({}{more})\n",
            ids.len(),
            shown.join(", ")
        ));
    }
    r.push_str("\n## Malformed labels skipped\n\n");
    if s.skipped.is_empty() {
        r.push_str("None.\n");
    }
    for k in &s.skipped {
        r.push_str(&format!("- {}: {}\n", k.record, k.reason));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_stripped() {
        assert_eq!(
            strip_heading("1 INDICATIONS AND USAGE HUMIRA is indicated"),
            "HUMIRA is indicated"
        );
        assert_eq!(strip_heading("INDICATIONS & USAGE: X is"), "X is");
        assert_eq!(
            strip_heading("Uses temporarily relieves"),
            "temporarily relieves"
        );
        assert_eq!(strip_heading("X is indicated"), "X is indicated");
    }

    #[test]
    fn dates() {
        assert_eq!(iso_date("20130930").as_deref(), Some("2013-09-30"));
        assert_eq!(iso_date("2013-09-30").as_deref(), Some("2013-09-30"));
        assert_eq!(iso_date("2013"), None);
    }

    #[test]
    fn refusals_name_their_reason() {
        let base = Draft {
            set_id: "s".into(),
            kind: LabelKind::Otc,
            indications: Some("Uses relieves cough".into()),
            ingredients: vec!["DEXTROMETHORPHAN".into()],
            ..Draft::default()
        };
        assert!(refusal(&base, Options::default()).is_some_and(|r| r.contains("--otc")));
        assert_eq!(refusal(&base, Options { otc: true }), None);
        let homeo = Draft {
            homeopathic: true,
            ..base.clone()
        };
        assert!(refusal(&homeo, Options { otc: true }).is_some_and(|r| r.contains("homeopathic")));
        let none = Draft {
            kind: LabelKind::Prescription,
            indications: None,
            ..base
        };
        assert!(refusal(&none, Options::default()).is_some_and(|r| r.contains("Indications")));
    }
}
