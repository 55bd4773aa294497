//! The importer: the committed layer is what the importer makes of the shared DO files, the
//! output is deterministic, and bad input stops it with file and line and writes nothing.

use offlabel_import_do::{ImportError, import};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/do")
}

/// A copy of the fixture folder with one file replaced.
fn fixture_with(file: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    for entry in std::fs::read_dir(fixtures())
        .expect("fixtures exist")
        .flatten()
    {
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy");
    }
    std::fs::write(dir.path().join(file), text).expect("write");
    dir
}

#[test]
fn fixture_imports_as_expected() {
    let imported = import(&fixtures()).expect("the fixture is valid");
    let text = imported.layer.conditions_jsonl();
    let lines: Vec<&str> = text.lines().collect();
    // The root "disease" comes from the 2015 OBO by name; sorted by id as strings.
    assert_eq!(
        lines,
        [
            r#"{"id":"DOID:37","name":"skin disease","parents":["DOID:4"]}"#,
            r#"{"id":"DOID:4","name":"disease"}"#,
            r#"{"id":"DOID:848","name":"arthritis","exact":["arthritis of joint"],"narrow":["joint inflammation"],"parents":["DOID:4"],"codes":{"umls":["C0003864"]}}"#,
            r#"{"id":"DOID:8893","name":"psoriasis","exact":["psoriasis vulgaris"],"parents":["DOID:37"],"codes":{"icd10cm":["L40"],"umls":["C0033860"]}}"#,
            r#"{"id":"DOID:9008","name":"psoriatic arthritis","exact":["PsA"],"related":["arthritic psoriasis"],"acronyms":["PsA"],"parents":["DOID:848","DOID:8893"],"alt_ids":["DOID:1234567"],"codes":{"mesh":["D015535"],"snomed":["33339001"]}}"#,
        ]
    );
    let retired = imported.layer.retired_jsonl();
    assert!(retired.contains(r#"{"id":"DOID:5555555","name":"retired disease"}"#));
    assert!(
        retired
            .contains(r#"{"id":"DOID:7777777","name":"old arthritis","replaced_by":"DOID:848"}"#)
    );
    assert!(retired.contains(r#"{"id":"DOID:1234567","replaced_by":"DOID:9008"}"#));
    assert_eq!(imported.meta.layer.dataset_version, "2026-07-31");
    assert_eq!(imported.meta.layer.older_release, "2015-05-14");
    assert_eq!(imported.meta.input.len(), 7);
}

#[test]
fn same_input_same_bytes() {
    let a = import(&fixtures()).expect("valid");
    let b = import(&fixtures()).expect("valid");
    assert_eq!(a.files(), b.files());
    let out1 = tempfile::tempdir().expect("a temp dir");
    let out2 = tempfile::tempdir().expect("a temp dir");
    a.write(out1.path()).expect("written");
    b.write(out2.path()).expect("written");
    for name in ["conditions.jsonl", "layer.toml", "retired.jsonl"] {
        let x = std::fs::read(out1.path().join(name)).expect("read");
        let y = std::fs::read(out2.path().join(name)).expect("read");
        assert_eq!(x, y, "{name}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(out1.path())
        .expect("read")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

fn expect_malformed(dir: &Path, file: &str, line: usize) {
    match import(dir) {
        Err(ImportError::Malformed {
            file: f,
            line: l,
            message,
        }) => {
            assert_eq!((f.as_str(), l), (file, line), "{message}");
        }
        other => panic!("expected {file} line {line} to be reported, got {other:?}"),
    }
}

#[test]
fn bad_input_names_file_and_line() {
    let tsv = std::fs::read_to_string(fixtures().join("HumanDO.tsv")).expect("read");
    // A row with two fields.
    let dir = fixture_with(
        "HumanDO.tsv",
        &tsv.replace("\t\"disease\"\n\"DOID:9008\"", "\n\"DOID:9008\""),
    );
    expect_malformed(dir.path(), "HumanDO.tsv", 3);
    // Cut in the middle of a line.
    let dir = fixture_with("HumanDO.tsv", &tsv[..tsv.len() - 5]);
    expect_malformed(dir.path(), "HumanDO.tsv", 6);
    // A parent that is no term.
    let dir = fixture_with(
        "HumanDO.tsv",
        &tsv.replace("\"arthritis\"\t\"disease\"", "\"arthritis\"\t\"nothing\""),
    );
    expect_malformed(dir.path(), "HumanDO.tsv", 6);
    // An unquoted cross-reference.
    let x = std::fs::read_to_string(fixtures().join("allXREFinDO.tsv")).expect("read");
    let dir = fixture_with(
        "allXREFinDO.tsv",
        &x.replace("\"ICD10CM:L40\"", "ICD10CM:L40"),
    );
    expect_malformed(dir.path(), "allXREFinDO.tsv", 2);
    // An OBO synonym cut short, and a stanza without a name.
    let obo = std::fs::read_to_string(fixtures().join("DO_rare_slim.obo")).expect("read");
    let dir = fixture_with(
        "DO_rare_slim.obo",
        &obo.replace("\"PsA\" EXACT OMO:0003012 []", "\"PsA"),
    );
    expect_malformed(dir.path(), "DO_rare_slim.obo", 7);
    let old = std::fs::read_to_string(fixtures().join("HumanDO-2015.obo")).expect("read");
    let cut = &old[..old.find("name: retired").expect("fixture line")];
    let dir = fixture_with("HumanDO-2015.obo", cut);
    expect_malformed(dir.path(), "HumanDO-2015.obo", 20);
}

#[test]
fn a_failed_import_writes_nothing() {
    let dir = fixture_with("HumanDO.tsv", "id\tlabel\tsubClassOf\n\"DOID:1\"\n");
    let out = tempfile::tempdir().expect("a temp dir");
    std::fs::write(out.path().join("conditions.jsonl"), "previous\n").expect("write");
    assert!(import(dir.path()).is_err());
    // The CLI only writes after a successful import; the previous layer stays.
    assert_eq!(
        std::fs::read_to_string(out.path().join("conditions.jsonl")).expect("read"),
        "previous\n"
    );
    let missing = tempfile::tempdir().expect("a temp dir");
    assert!(matches!(
        import(missing.path()),
        Err(ImportError::Io { .. })
    ));
}

/// The committed layer is exactly what the importer makes of the shared DO files.
#[test]
fn committed_layer_is_reproducible() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let source = root.join("../shared/data/disease-ontology");
    if !source.is_dir() {
        eprintln!("skipped: {} is absent", source.display());
        return;
    }
    let imported = import(&source).expect("the shared DO files import");
    let layer = root.join(offlabel_vocabulary::DO_LAYER_DIR);
    for (name, text) in imported.files() {
        let committed = std::fs::read_to_string(layer.join(name)).expect("committed layer file");
        assert!(
            committed == text,
            "{name} differs from a fresh import; run `offlabel pack import disease-ontology ../shared/data/disease-ontology` and commit"
        );
    }
}
