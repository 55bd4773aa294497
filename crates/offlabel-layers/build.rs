//! Reads the generated layers under `knowledge/layers/` and writes their compiled forms to
//! `OUT_DIR`: the Disease Ontology layer (`do-layer.bin`) and its condition matcher's name
//! index (`do-matcher.bin`). A layer that does not parse fails the build with the line.

use std::path::PathBuf;

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
}
