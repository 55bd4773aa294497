//! The generated layers of `knowledge/layers/`, compiled by the build script: each is
//! decoded by its owner crate on first need (`offlabel_vocabulary::Vocabulary::from_compiled`,
//! `offlabel_vocabulary::Matcher::from_compiled`), so a process pays only for the layers
//! its questions touch, and never for parsing JSON or building an index.

/// The Disease Ontology layer (`conditions.jsonl` and `retired.jsonl`) with its hierarchy,
/// postcard, one record per term.
pub static DO_LAYER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/do-layer.bin"));

/// The name index of the condition matcher over the Disease Ontology layer, postcard.
pub static DO_MATCHER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/do-matcher.bin"));
