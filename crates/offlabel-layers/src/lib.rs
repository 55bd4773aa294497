//! The generated layers of `knowledge/layers/`, indexed at build time.
//!
//! The build script reads the reviewed JSON Lines with the crates that own their types and
//! writes compact binary forms (postcard) to `OUT_DIR`:
//! - the Disease Ontology layer and its condition matcher, decoded by their owner crate
//!   (`offlabel_vocabulary::Vocabulary::from_compiled`, `Matcher::from_compiled`);
//! - for each large regulator table (EMA medicines and clauses, Drugs@FDA medicines), a
//!   [`TableIndex`]: each record's line, key and names. The records stay the embedded JSON
//!   Lines; [`Table`] decodes a record the first time it is asked for.
//!
//! So a process pays only for the layers its questions touch, and within a layer only for
//! its name index and the records it reads.

use serde::de::DeserializeOwned;
use std::sync::OnceLock;

include!("index.rs");

/// The Disease Ontology layer (`conditions.jsonl` and `retired.jsonl`) with its hierarchy,
/// postcard, one record per term.
pub static DO_LAYER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/do-layer.bin"));

/// The name index of the condition matcher over the Disease Ontology layer, postcard.
pub static DO_MATCHER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/do-matcher.bin"));

/// [`TableIndex`] of `ema/medicines.jsonl`.
pub static EMA_MEDICINES_INDEX: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/ema-medicines.bin"));
/// [`TableIndex`] of `ema/indications.jsonl` (keys: the clause's medicine).
pub static EMA_INDICATIONS_INDEX: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/ema-indications.bin"));
/// [`TableIndex`] of `drugsfda/medicines.jsonl`.
pub static DRUGSFDA_MEDICINES_INDEX: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/drugsfda-medicines.bin"));

/// One table of a layer: its index, and its records decoded on first use.
pub struct Table<T> {
    text: &'static str,
    index: TableIndex<'static>,
    one: Box<[OnceLock<Option<Box<T>>>]>,
    all: OnceLock<Vec<T>>,
}

impl<T> std::fmt::Debug for Table<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("records", &self.index.lines.len())
            .field("all", &self.all.get().is_some())
            .finish()
    }
}

impl<T: DeserializeOwned> Table<T> {
    /// The table over `text` (the embedded JSON Lines) with its compiled `index`; `None`
    /// when the index does not decode or does not fit the text (a binary built from other
    /// layers).
    pub fn new(text: &'static str, index: &'static [u8]) -> Option<Table<T>> {
        let index: TableIndex<'static> = postcard::from_bytes(index).ok()?;
        let n = index.lines.len();
        let fits = index.fits()
            && index
                .lines
                .iter()
                .all(|&(a, b)| a <= b && text.get(a as usize..b as usize).is_some());
        fits.then(|| Table {
            text,
            one: (0..n).map(|_| OnceLock::new()).collect(),
            all: OnceLock::new(),
            index,
        })
    }

    /// The index: keys and names of every record.
    pub fn index(&self) -> &TableIndex<'static> {
        &self.index
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.index.lines.len()
    }

    /// Whether the table holds no record.
    pub fn is_empty(&self) -> bool {
        self.index.lines.is_empty()
    }

    fn line(&self, i: usize) -> &'static str {
        let (a, b) = self.index.lines[i];
        self.text.get(a as usize..b as usize).unwrap_or("")
    }

    /// Record `i`, decoded on first use (`None` past the end or when its line does not
    /// decode; a test checks that every line of the committed layers does).
    pub fn get(&self, i: usize) -> Option<&T> {
        self.one
            .get(i)?
            .get_or_init(|| serde_json::from_str(self.line(i)).ok().map(Box::new))
            .as_deref()
    }

    /// Every record, in file order, decoded once on first call (browsing and reviews);
    /// `None` when a line does not decode.
    pub fn all(&self) -> Option<&[T]> {
        if let Some(all) = self.all.get() {
            return Some(all);
        }
        let parsed: Option<Vec<T>> = (0..self.len())
            .map(|i| serde_json::from_str(self.line(i)).ok())
            .collect();
        let all = self.all.get_or_init(|| parsed.unwrap_or_default());
        (all.len() == self.len()).then_some(all.as_slice())
    }
}
