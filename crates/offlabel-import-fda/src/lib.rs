//! Imports the FDA's public data into the US layers of the pack:
//!
//! - [`drugsfda`]: the Drugs@FDA data files (zip) → `knowledge/layers/drugsfda/`, every
//!   application, product, brand, ingredient (salts folded by `data/salts.txt`), marketing
//!   status and original approval date.
//! - [`spl`]: Structured Product Labels (DailyMed XML) → `knowledge/layers/fda-spl/`;
//!   [`openfda`]: openFDA drug/label JSON (streamed) → `knowledge/layers/fda-openfda/`; both
//!   through [`labels`]: set id, version, effective date, names, ingredients, routes, the
//!   Indications and Usage section split into clauses read by `offlabel-indications`, boxed
//!   warning and contraindications as text.
//!
//! One crate for one publisher: the layers share the ingredient ids ([`ids`]), the input
//! bookkeeping and the atomic writes. Source: U.S. Food and Drug Administration.

pub mod drugsfda;
pub mod ids;
pub mod labels;
pub mod openfda;
pub mod spl;
pub mod tsv;

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input could not be opened or read.
    #[error("cannot read {path} ({reason}); expected {expected}")]
    Open {
        /// The file.
        path: String,
        /// The reader's message.
        reason: String,
        /// What the importer expects.
        expected: &'static str,
    },
    /// The input is readable but not the format this importer reads.
    #[error("{path} is not what this import reads: {what}; expected {expected}")]
    NotThisFormat {
        /// The file.
        path: String,
        /// What is wrong.
        what: String,
        /// What the importer expects.
        expected: String,
    },
    /// A table lacks columns.
    #[error(
        "{file} lacks the column(s) {missing} (it has: {found}); the FDA changed the file layout: map the new columns in offlabel-import-fda"
    )]
    Columns {
        /// The file.
        file: String,
        /// Missing column names.
        missing: String,
        /// The header found.
        found: String,
    },
    /// A value outside a closed vocabulary.
    #[error(
        "{file}: \"{value}\" is not a value the importer knows ({known}); map it in offlabel-import-fda"
    )]
    UnknownValue {
        /// The file.
        file: String,
        /// The value.
        value: String,
        /// The known values.
        known: &'static str,
    },
    /// Too many records could not be read.
    #[error(
        "{skipped} of {total} records could not be read (more than 1%); first: {first}: {reason}"
    )]
    TooManySkipped {
        /// Records skipped.
        skipped: usize,
        /// Records read.
        total: usize,
        /// The first skipped record.
        first: String,
        /// Its reason.
        reason: String,
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

impl ImportError {
    fn too_many(skipped: &[SkippedRecord], total: usize) -> ImportError {
        let (first, reason) = skipped
            .first()
            .map(|s| (s.record.clone(), s.reason.clone()))
            .unwrap_or_default();
        ImportError::TooManySkipped {
            skipped: skipped.len(),
            total,
            first,
            reason,
        }
    }
}

/// A record (row or label) skipped, with where it is and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRecord {
    /// Which record ("Products.txt line 12", a set id).
    pub record: String,
    /// Why it was skipped.
    pub reason: String,
}

/// Serialises records as JSON Lines, one per line, in the structs' key order.
pub fn jsonl<T: serde::Serialize>(records: &[T]) -> String {
    let mut s = String::new();
    for r in records {
        // Serialising these plain structs cannot fail; a failure would drop the line, which
        // the byte-for-byte test would catch.
        if let Ok(line) = serde_json::to_string(r) {
            s.push_str(&line);
            s.push('\n');
        }
    }
    s
}

/// Facts about an input file, for `layer.toml`.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// File name (no folder: the layer must not depend on where the file was).
    pub name: String,
    /// Length in bytes.
    pub bytes: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

impl InputFile {
    /// Hashes a file, streaming it.
    pub fn of(path: &Path) -> Result<InputFile, ImportError> {
        let open = |e: std::io::Error| ImportError::Open {
            path: path.display().to_string(),
            reason: e.to_string(),
            expected: "a readable file",
        };
        let mut f = std::fs::File::open(path).map_err(open)?;
        let mut hasher = Sha256::new();
        let bytes = std::io::copy(&mut f, &mut hasher).map_err(open)?;
        Ok(InputFile {
            name: path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            bytes,
            sha256: hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        })
    }
}

/// A TOML basic string.
pub fn toml_str(s: &str) -> String {
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

/// Writes `contents` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees half a file.
pub fn write_atomic(path: &Path, contents: &str) -> Result<(), ImportError> {
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
