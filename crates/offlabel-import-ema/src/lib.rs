//! Imports the EMA's medicines table ("Medicines output: medicines", xlsx) into the EU layer of
//! the pack: `knowledge/layers/ema/{layer.toml, medicines.jsonl, indications.jsonl, REPORT.md}`.
//!
//! [`import`] reads the table ([`table::read`]), keeps human medicines, groups products into
//! medicines by INN, splits and reads each indication text (`offlabel-indications`), and writes
//! the layer byte-identically for the same input. Source: European Medicines Agency.

pub mod report;
pub mod table;

use offlabel_indications::{read_clause_with_names, split_with_names};
use offlabel_regulatory::{IndicationClause, RegulatedMedicine, RegulatedProduct};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use table::{Row, Table};

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The embedded Disease Ontology layer could not be read.
    #[error(
        "the Disease Ontology layer does not load ({0}); re-import it with `offlabel pack import disease-ontology DIR` first"
    )]
    Vocabulary(String),
    /// The file could not be opened as an xlsx workbook.
    #[error(
        "cannot read {path} as an xlsx workbook ({reason}); pass the EMA's \"Medicines output: medicines\" export (medicines-output-medicines-report_en.xlsx)"
    )]
    Open {
        /// The file.
        path: String,
        /// The reader's message.
        reason: String,
    },
    /// The workbook has no sheet "Medicine".
    #[error(
        "the workbook has no sheet \"Medicine\" (it has: {found}); this is not the EMA's medicines export"
    )]
    NoSheet {
        /// The sheets found.
        found: String,
    },
    /// No row carries every expected header.
    #[error("no header row with the EMA's columns in the first rows of sheet \"Medicine\"; missing (in the closest row): {missing}. Expected columns: {expected}", expected = table::COLUMNS.join("; "))]
    NoHeader {
        /// The headers missing from the closest candidate row.
        missing: String,
    },
    /// A status word outside the EMA's known vocabulary.
    #[error(
        "row {row}: medicine status \"{value}\" is not one the importer knows (Authorised, Withdrawn, Expired, Lapsed, Revoked, Refused, Suspended, Application withdrawn, Withdrawn from rolling review, Opinion, Opinion under re-examination); the export's vocabulary changed: map the new value in offlabel-import-ema/src/table.rs"
    )]
    UnknownStatus {
        /// 1-based row number.
        row: usize,
        /// The value.
        value: String,
    },
    /// Too many rows could not be read.
    #[error(
        "{skipped} of {rows} rows could not be read (more than 1%); first: row {first_row}: {first_reason}"
    )]
    TooManySkipped {
        /// Rows skipped.
        skipped: usize,
        /// Data rows.
        rows: usize,
        /// First skipped row number.
        first_row: usize,
        /// Its reason.
        first_reason: String,
    },
    /// Writing the layer failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// The layer built from a table.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    /// Medicines, sorted by id.
    pub medicines: Vec<RegulatedMedicine>,
    /// Indication clauses, sorted by product number then clause number.
    pub indications: Vec<IndicationClause>,
    /// Clauses dropped because the text repeats them word for word.
    pub duplicate_clauses: usize,
    /// Rows with neither INN nor active substance (withdrawn applications): no medicine to
    /// attach them to. Row number, name, product number.
    pub unattached: Vec<(usize, String, String)>,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The files written.
    pub written: Vec<PathBuf>,
    /// Medicines.
    pub medicines: usize,
    /// Products.
    pub products: usize,
    /// Indication clauses.
    pub indications: usize,
    /// Clauses whose population was fully read.
    pub fully_read: usize,
    /// Rows skipped, with their numbers and reasons.
    pub skipped: Vec<table::SkippedRow>,
}

/// Substances the regulators authorise by route for different uses: the id gets a route
/// suffix (contract v2), decided by the ATC code's first level (D = dermatological).
const ROUTE_SPLITS: &[&str] = &["ruxolitinib"];

/// The contract v2 id of a table INN: lowercase, every run of other characters a `-`;
/// a combination's INNs (`;`-separated) joined the same way.
pub fn medicine_id(inn: &str, atc: Option<&str>) -> String {
    let mut id = String::new();
    for c in inn.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-').to_string();
    if ROUTE_SPLITS.contains(&id.as_str()) {
        let topical = atc.is_some_and(|a| a.starts_with('D'));
        return format!("{id}-{}", if topical { "topical" } else { "oral" });
    }
    id
}

/// Builds the layer from the table's rows.
pub fn build(table: &Table) -> Layer {
    let mut medicines: BTreeMap<String, RegulatedMedicine> = BTreeMap::new();
    let mut indications = Vec::new();
    let mut duplicate_clauses = 0;
    let mut unattached = Vec::new();
    for row in &table.rows {
        if row.inn.trim().is_empty() {
            unattached.push((row.row_number, row.name.clone(), row.product_number.clone()));
            continue;
        }
        let id = medicine_id(&row.inn, row.atc.as_deref());
        let m = medicines
            .entry(id.clone())
            .or_insert_with(|| RegulatedMedicine {
                id: id.clone(),
                inn: row.inn.clone(),
                substances: row
                    .inn
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                products: Vec::new(),
            });
        m.products.push(product(row));
        let (clauses, dups) = clauses_of(row, &id);
        duplicate_clauses += dups;
        indications.extend(clauses);
    }
    let mut medicines: Vec<RegulatedMedicine> = medicines.into_values().collect();
    for m in &mut medicines {
        m.products
            .sort_by(|a, b| a.product_number.cmp(&b.product_number));
    }
    indications.sort_by(|a, b| clause_key(a).cmp(&clause_key(b)));
    Layer {
        medicines,
        indications,
        duplicate_clauses,
        unattached,
    }
}

fn clause_key(c: &IndicationClause) -> (&str, u32) {
    let n =
        c.id.rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
    (c.product_number.as_str(), n)
}

fn product(row: &Row) -> RegulatedProduct {
    RegulatedProduct {
        name: row.name.clone(),
        product_number: row.product_number.clone(),
        holder: row.holder.clone(),
        status: row.status,
        atc: row.atc.clone(),
        active_substance: row.active_substance.clone(),
        flags: row.flags,
        dates: row.dates.clone(),
        therapeutic_areas: row.therapeutic_areas.clone(),
        url: row.url.clone(),
    }
}

/// The names a text may use as its subject: the product name (and its short form), the INN
/// and each substance of a combination.
fn names(row: &Row) -> Vec<String> {
    let mut names = vec![row.name.clone()];
    if let Some((short, _)) = row.name.split_once(" (") {
        names.push(short.to_string());
    }
    names.push(row.inn.clone());
    names.extend(row.inn.split(';').map(|s| s.trim().to_string()));
    if let Some(first) = row.name.split_whitespace().next()
        && first.len() >= 5
    {
        names.push(first.to_string());
    }
    names.sort();
    names.dedup();
    names
}

fn clauses_of(row: &Row, medicine: &str) -> (Vec<IndicationClause>, usize) {
    let text = row.indication.as_str();
    let names = names(row);
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut out: Vec<IndicationClause> = Vec::new();
    let mut dups = 0;
    for clause in split_with_names(text, &name_refs) {
        let heading = clause.heading_text(text).map(str::to_string);
        let lead = clause.lead_text(text).map(str::to_string);
        let quote = clause.quote_text(text).to_string();
        // The export sometimes repeats a whole text (Jakavi): keep the first copy.
        if out
            .iter()
            .any(|c| c.quote == quote && c.lead == lead && c.heading == heading)
        {
            dups += 1;
            continue;
        }
        let reading = read_clause_with_names(text, &clause, &name_refs);
        out.push(IndicationClause {
            id: format!("{}-{}", row.product_number, out.len() + 1),
            medicine: medicine.to_string(),
            product_number: row.product_number.clone(),
            heading,
            lead,
            quote,
            shared: clause
                .shared_texts(text)
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
    (out, dups)
}

/// Words of a condition phrase that restrict nothing (who is treated is read as the
/// population; these are grammar and generic nouns).
const CONDITION_FILLER: &[&str] = &[
    "the",
    "of",
    "and",
    "or",
    "in",
    "with",
    "a",
    "an",
    "for",
    "to",
    "who",
    "are",
    "is",
    "as",
    "patients",
    "patient",
    "adult",
    "adults",
    "adolescents",
    "children",
    "paediatric",
    "pediatric",
    "aged",
    "years",
    "year",
    "older",
    "treatment",
    "treat",
    "disease",
    "diseases",
    "moderate",
    "moderately",
    "severe",
    "severely",
    "mild",
    "active",
    "moderate-to-severe",
    "mild-to-moderate",
    "indicated",
];

/// The text without parenthesised abbreviations ("(COPD)", "(UC)"): they repeat the
/// name before them and restrict nothing.
fn without_abbreviations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')') else {
            break;
        };
        let inner = &rest[open + 1..open + close];
        let abbreviation = !inner.is_empty()
            && inner.len() <= 8
            && inner.chars().all(|c| c.is_alphanumeric() || c == '-');
        out.push_str(&rest[..open]);
        if !abbreviation {
            out.push_str(&rest[open..=open + close]);
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Fills each clause's `conditions` with the Disease Ontology ids its condition phrase
/// names (the whole quote where no phrase was found), read by the vocabulary's matcher
/// over the embedded DO layer. A negated mention ("not indicated for...") is left out.
/// The EMA layer therefore follows the DO layer: re-import it after a DO update.
pub fn link_conditions(layer: &mut Layer) -> Result<(), ImportError> {
    let vocabulary = offlabel_vocabulary::Vocabulary::embedded()
        .map_err(|e| ImportError::Vocabulary(e.to_string()))?;
    let matcher = offlabel_vocabulary::Matcher::new(&vocabulary);
    for clause in &mut layer.indications {
        let text = clause.condition_text.as_deref().unwrap_or(&clause.quote);
        let mut found: Vec<String> = Vec::new();
        let mut rest = text.to_lowercase();
        for m in matcher.find(text) {
            // Blank out the words the mention covers (byte offsets of `text`; lower-casing
            // keeps ASCII offsets, and a non-ASCII slice is simply left in place).
            if let Some(span) = rest.get(m.start..m.end) {
                let blank = " ".repeat(span.len());
                rest.replace_range(m.start..m.end, &blank);
            }
            if !m.negated && !found.contains(&m.doid) {
                found.push(m.doid);
            }
        }
        clause.conditions = found;
        // Words of the condition phrase that no condition and no read qualifier accounts
        // for ("HER2-positive", "class III lupus") narrow the indication: the clause is
        // then not fully read, so it can never approve more than its words say.
        if clause.condition_text.is_some() && !clause.conditions.is_empty() {
            let read: Vec<String> = clause
                .population
                .qualifiers
                .iter()
                .map(|q| q.to_lowercase())
                .collect();
            let rest = without_abbreviations(&rest);
            let left: Vec<&str> = rest
                .split(|c: char| !c.is_alphanumeric() && c != '-')
                .filter(|w| !w.is_empty() && !CONDITION_FILLER.contains(w))
                .filter(|w| !read.iter().any(|q| q.split_whitespace().any(|x| x == *w)))
                .collect();
            if !left.is_empty() {
                clause.fully_read = false;
                clause
                    .unread
                    .push(format!("condition words not mapped: {}", left.join(" ")));
            }
        }
    }
    Ok(())
}

/// Serialises records as JSON Lines, one per line, in the structs' key order.
pub fn jsonl<T: serde::Serialize>(records: &[T]) -> String {
    let mut s = String::new();
    for r in records {
        // Serialising these plain structs cannot fail; a failure would drop the line, which the
        // byte-for-byte test would catch.
        if let Ok(line) = serde_json::to_string(r) {
            s.push_str(&line);
            s.push('\n');
        }
    }
    s
}

/// Facts about the input file, for `layer.toml`.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// File name (no folder: the layer must not depend on where the file was).
    pub name: String,
    /// Length in bytes.
    pub bytes: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

fn input_file(path: &Path) -> Result<InputFile, ImportError> {
    let data = std::fs::read(path).map_err(|e| ImportError::Open {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let digest = Sha256::digest(&data);
    Ok(InputFile {
        name: path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        bytes: data.len() as u64,
        sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
    })
}

fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The layer's `layer.toml`.
pub fn layer_toml(table: &Table, layer: &Layer, input: &InputFile) -> String {
    let generated = table.generated.as_deref().unwrap_or("");
    let version = table
        .generated
        .as_deref()
        .and_then(table::parse_date)
        .unwrap_or_default();
    let products: usize = layer.medicines.iter().map(|m| m.products.len()).sum();
    format!(
        "# Generated by `offlabel pack import ema`; do not edit by hand, re-run the import.\n\
         name = \"ema\"\n\
         title = \"EU central authorisations: the EMA's medicines table\"\n\
         owner = \"European Medicines Agency\"\n\
         dataset = \"Medicines output: medicines\"\n\
         version = {}\n\
         generated_by_source = {}\n\
         licence = \"EMA content, reuse with acknowledgement\"\n\
         attribution = \"Source: European Medicines Agency\"\n\
         importer = \"offlabel pack import ema {}\"\n\
         scope = \"human medicines only\"\n\
         \n[input]\n\
         file = {}\n\
         bytes = {}\n\
         sha256 = \"{}\"\n\
         \n[counts]\n\
         medicines = {}\n\
         products = {}\n\
         indications = {}\n\
         rows_skipped = {}\n",
        toml_str(&version),
        toml_str(generated),
        input.name,
        toml_str(&input.name),
        input.bytes,
        input.sha256,
        layer.medicines.len(),
        products,
        layer.indications.len(),
        table.skipped.len(),
    )
}

/// Writes `contents` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees half a file.
fn write_atomic(path: &Path, contents: &str) -> Result<(), ImportError> {
    let err = |source| ImportError::Write {
        path: path.display().to_string(),
        source,
    };
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp).map_err(err)?;
    f.write_all(contents.as_bytes()).map_err(err)?;
    f.sync_all().map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}

/// Imports `input` into the folder `out` (created if missing).
pub fn import(input: &Path, out: &Path) -> Result<Summary, ImportError> {
    let file = input_file(input)?;
    let table = table::read(input)?;
    if table.skipped.len() * 100 > table.data_rows {
        let first = &table.skipped[0];
        return Err(ImportError::TooManySkipped {
            skipped: table.skipped.len(),
            rows: table.data_rows,
            first_row: first.row_number,
            first_reason: first.reason.clone(),
        });
    }
    let mut layer = build(&table);
    link_conditions(&mut layer)?;
    std::fs::create_dir_all(out).map_err(|source| ImportError::Write {
        path: out.display().to_string(),
        source,
    })?;
    let files = [
        ("layer.toml", layer_toml(&table, &layer, &file)),
        ("medicines.jsonl", jsonl(&layer.medicines)),
        ("indications.jsonl", jsonl(&layer.indications)),
        ("REPORT.md", report::markdown(&table, &layer)),
    ];
    let mut written = Vec::new();
    for (name, contents) in files {
        let path = out.join(name);
        write_atomic(&path, &contents)?;
        written.push(path);
    }
    Ok(Summary {
        written,
        medicines: layer.medicines.len(),
        products: layer.medicines.iter().map(|m| m.products.len()).sum(),
        indications: layer.indications.len(),
        fully_read: layer.indications.iter().filter(|c| c.fully_read).count(),
        skipped: table.skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(medicine_id("baricitinib", Some("L04AA37")), "baricitinib");
        assert_eq!(medicine_id("insulin glargine", None), "insulin-glargine");
        assert_eq!(
            medicine_id("ruxolitinib", Some("D11AH")),
            "ruxolitinib-topical"
        );
        assert_eq!(
            medicine_id("ruxolitinib", Some("L01EJ01")),
            "ruxolitinib-oral"
        );
        assert_eq!(
            medicine_id("bictegravir;emtricitabine;tenofovir alafenamide", None),
            "bictegravir-emtricitabine-tenofovir-alafenamide"
        );
        assert_eq!(
            medicine_id("insulin human (rDNA)", None),
            "insulin-human-rdna"
        );
    }

    #[test]
    fn missing_file_is_refused_with_its_path() {
        let e = import(Path::new("/nonexistent/ema.xlsx"), Path::new("/tmp/never"));
        match e {
            Err(ImportError::Open { path, .. }) => assert!(path.contains("nonexistent")),
            other => panic!("expected Open, got {other:?}"),
        }
    }
}
