//! Embeds every file of the workspace's `knowledge/` folder into the crate,
//! so the `offlabel` binary runs without any data files beside it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && dir == base && path.file_name().is_some_and(|n| n == "layers") {
            // Generated layers (knowledge/layers/<name>/) have their own format and loader.
            continue;
        } else if path.is_dir() {
            collect(&path, base, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            let rel = path
                .strip_prefix(base)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, path));
        }
    }
}

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let knowledge = manifest
        .join("../../knowledge")
        .canonicalize()
        .expect("knowledge/ folder at the workspace root");
    println!("cargo:rerun-if-changed={}", knowledge.display());
    let mut files = Vec::new();
    collect(&knowledge, &knowledge, &mut files);
    files.sort();
    let mut code = String::from(
        "/// The embedded pack: (path relative to `knowledge/`, contents).\npub static EMBEDDED_FILES: &[(&str, &str)] = &[\n",
    );
    for (rel, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("write to String");
    }
    code.push_str("];\n");
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    std::fs::write(out, code).expect("write embedded.rs");
}
