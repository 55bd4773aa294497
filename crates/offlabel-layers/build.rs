//! Reads the generated layers under `knowledge/layers/` and writes their compiled forms to
//! `OUT_DIR`: the Disease Ontology layer (`do-layer.bin`), its condition matcher's name
//! index (`do-matcher.bin`), and a [`TableIndex`] per large regulator table
//! (`ema-medicines.bin`, `ema-indications.bin`, `drugsfda-medicines.bin`). A layer that
//! does not parse fails the build with the line.

use offlabel_regulatory::{IndicationClause, RegulatedMedicine, UsMedicine};
use std::path::PathBuf;

include!("src/index.rs");

/// Indexes a JSON Lines table: each line's byte range and what `describe` takes from its
/// record (key, names, brands).
fn table<'a, T: serde::de::DeserializeOwned>(
    file: &str,
    text: &'a str,
    describe: impl Fn(&'a str, T) -> (&'a str, Vec<&'a str>, Vec<&'a str>),
) -> Vec<u8> {
    let mut index = TableIndex::default();
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
        let (key, names, brands) = describe(body, record);
        let end = start + body.len();
        index.lines.push((
            u32::try_from(start).expect("layer under 4 GB"),
            u32::try_from(end).expect("layer under 4 GB"),
        ));
        index.keys.push(key);
        index.names.push(names);
        index.brands.push(brands);
    }
    postcard::to_stdvec(&index).expect("a table index serializes")
}

/// The piece of `line` equal to `s`, so the index can borrow it (a name the JSON wrote
/// with escapes is not in the line as is: it is then leaked, once, in this build script).
fn within<'a>(line: &'a str, s: &str) -> &'a str {
    match line.find(s) {
        Some(i) => &line[i..i + s.len()],
        None => Box::leak(s.to_string().into_boxed_str()),
    }
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
            |line, m: RegulatedMedicine| {
                let mut names = vec![within(line, &m.inn)];
                names.extend(m.products.iter().map(|p| within(line, &p.name)));
                (within(line, &m.id), names, Vec::new())
            },
        ),
    );
    let ema_indications = read("ema/indications.jsonl");
    write(
        "ema-indications.bin",
        &table(
            "ema/indications.jsonl",
            &ema_indications,
            |line, c: IndicationClause| (within(line, &c.medicine), Vec::new(), Vec::new()),
        ),
    );
    let drugsfda = read("drugsfda/medicines.jsonl");
    write(
        "drugsfda-medicines.bin",
        &table(
            "drugsfda/medicines.jsonl",
            &drugsfda,
            |line, m: UsMedicine| {
                let single = m
                    .ingredients
                    .iter()
                    .filter(|n| !n.contains(';'))
                    .map(|n| within(line, n))
                    .collect();
                let brands = m
                    .apps
                    .iter()
                    .flat_map(|a| &a.products)
                    .filter_map(|p| p.brand.as_deref())
                    .map(|b| within(line, b))
                    .collect();
                (within(line, &m.id), single, brands)
            },
        ),
    );
}
