//! Loads and checks the workspace's `knowledge/` folder and writes its compiled
//! form to `OUT_DIR/pack.bin`. A pack with errors fails the build, with every
//! diagnostic printed.

use std::path::{Path, PathBuf};

fn watch(dir: &Path) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            watch(&path);
        } else {
            println!("cargo:rerun-if-changed={}", path.display());
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
    watch(&knowledge);
    let pack = match offlabel_pack::Pack::from_dir(&knowledge) {
        Ok(pack) => pack,
        Err(offlabel_pack::PackError::Invalid(diagnostics)) => {
            for d in &diagnostics {
                println!("cargo:warning={d}");
            }
            panic!(
                "knowledge/ has {} error(s) (listed above); `offlabel pack check knowledge` lists them too",
                diagnostics.len()
            );
        }
        Err(e) => panic!("cannot load knowledge/: {e}"),
    };
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("pack.bin");
    std::fs::write(out, pack.to_compiled()).expect("write the compiled pack to OUT_DIR");
}
