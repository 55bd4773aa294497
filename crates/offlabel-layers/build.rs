//! Reads the generated layers under `knowledge/layers/` and writes their compiled forms to
//! `OUT_DIR`: the Disease Ontology layer (`do-layer.bin`), its condition matcher's name
//! index (`do-matcher.bin`), and a [`TableIndex`] per large regulator table
//! (`ema-medicines.bin`, `ema-indications.bin`, `drugsfda-medicines.bin`). A layer that
//! does not parse fails the build with the line.

use offlabel_regulatory::{IndicationClause, RegulatedMedicine, UsMedicine};
use std::path::PathBuf;

include!("src/index.rs");

/// The engine's own tokeniser, so names are normalised here exactly as a question's words
/// are at run time (one piece of code: the file is the engine's).
#[allow(dead_code)]
#[path = "../offlabel-engine/src/text.rs"]
mod text;

/// What the index keeps of one record: key, names, brands.
type Described = (String, Vec<String>, Vec<String>);

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Indexes a JSON Lines table: each line's byte range and what `describe` takes from its
/// record.
fn table<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
    describe: impl Fn(T) -> Described,
) -> Vec<u8> {
    let mut lines = Vec::new();
    let mut described: Vec<Described> = Vec::new();
    let mut at = 0usize;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let start = at;
        at += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        if body.trim().is_empty() {
            continue;
        }
        let record: T =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("{file} line {}: {e}", n + 1));
        described.push(describe(record));
        let end = start + body.len();
        lines.push((
            u32::try_from(start).expect("layer under 4 GB"),
            u32::try_from(end).expect("layer under 4 GB"),
        ));
    }
    let mut index = TableIndex::default();
    for (line, d) in lines.into_iter().zip(&described) {
        index.push(line, &d.0, &strs(&d.1), &strs(&d.2));
    }
    postcard::to_stdvec(&index).expect("a table index serializes")
}

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let layers = manifest.join("../../knowledge/layers");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let read = |rel: &str| {
        let path = layers.join(rel);
        println!("cargo:rerun-if-changed={}", path.display());
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    };
    // The matcher's word lists are part of its index.
    let data = manifest.join("../offlabel-vocabulary/data");
    println!("cargo:rerun-if-changed={}", data.display());

    let layer = offlabel_vocabulary::Layer::from_jsonl(
        &read("disease-ontology/conditions.jsonl"),
        &read("disease-ontology/retired.jsonl"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let vocabulary = offlabel_vocabulary::Vocabulary::new(layer);
    let matcher = offlabel_vocabulary::Matcher::new(&vocabulary);
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(out.join(name), bytes)
            .unwrap_or_else(|e| panic!("cannot write {name} to OUT_DIR: {e}"));
    };
    write("do-layer.bin", &vocabulary.to_compiled());
    write("do-matcher.bin", &matcher.to_compiled());

    let ema_medicines = read("ema/medicines.jsonl");
    write(
        "ema-medicines.bin",
        &table(
            "ema/medicines.jsonl",
            &ema_medicines,
            |m: RegulatedMedicine| {
                // The order the engine indexes them in: INN, the id's words, product names.
                let mut names = vec![
                    text::phrase_key(&m.inn),
                    text::phrase_key(&m.id.replace('-', " ")),
                ];
                names.extend(m.products.iter().map(|p| text::phrase_key(&p.name)));
                (m.id, names, Vec::new())
            },
        ),
    );
    let ema_indications = read("ema/indications.jsonl");
    write(
        "ema-indications.bin",
        &table(
            "ema/indications.jsonl",
            &ema_indications,
            |c: IndicationClause| (c.medicine, Vec::new(), Vec::new()),
        ),
    );
    let drugsfda = read("drugsfda/medicines.jsonl");
    write(
        "drugsfda-medicines.bin",
        &table("drugsfda/medicines.jsonl", &drugsfda, |m: UsMedicine| {
            // The id's words, then each single ingredient as Drugs@FDA writes it.
            let mut names = vec![text::phrase_key(&m.id.replace('-', " "))];
            names.extend(
                m.ingredients
                    .iter()
                    .filter(|n| !n.contains(';'))
                    .map(|n| text::phrase_key(n)),
            );
            let brands = m
                .apps
                .iter()
                .flat_map(|a| &a.products)
                .filter_map(|p| p.brand.as_deref())
                .map(text::phrase_key)
                .collect();
            (m.id, names, brands)
        }),
    );
}
