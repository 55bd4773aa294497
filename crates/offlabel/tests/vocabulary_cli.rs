//! `offlabel indications` and `offlabel pack import disease-ontology` end to end.

use std::io::Write;
use std::process::{Command, Stdio};

fn run(args: &[&str], stdin: &str) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_offlabel"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run offlabel: {e}"));
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).expect("write stdin");
    }
    let o = child.wait_with_output().expect("offlabel finishes");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn indications_batch_one_line_out_per_line_in() {
    let input = "{\"text\": \"Not for psoriasis; treatment of rheumatoid arthritis.\"}\nnot json\n{\"text\": \"\"}\n";
    let (code, out, err) = run(&["indications", "--batch"], input);
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        r#"{"conditions":[{"doid":"DOID:8893","name":"psoriasis","start":8,"end":17,"negated":true,"role":"other"},{"doid":"DOID:7148","name":"rheumatoid arthritis","start":32,"end":52,"negated":false,"role":"indication"}],"population":null}"#
    );
    assert!(
        lines[1].starts_with(r#"{"line":2,"error":"#),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2], r#"{"conditions":[],"population":null}"#);
}

#[test]
fn import_of_a_bad_folder_names_the_file_and_writes_nothing() {
    let src = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        src.path().join("HumanDO.tsv"),
        "id\tlabel\tsubClassOf\n\"DOID:1\"\n",
    )
    .expect("write");
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("layer");
    let (code, _, err) = run(
        &[
            "pack",
            "import",
            "disease-ontology",
            &src.path().display().to_string(),
            "--out",
            &target.display().to_string(),
        ],
        "",
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("HumanDO.tsv line 2"), "{err}");
    assert!(!target.exists());
}

#[test]
fn pack_check_fails_on_an_obsolete_doid_and_notes_a_missing_layer() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../knowledge");
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(root).expect("knowledge/").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "toml") {
            std::fs::copy(&path, dir.path().join(entry.file_name())).expect("copy");
        }
    }
    let evidence = dir.path().join("evidence");
    std::fs::create_dir_all(&evidence).expect("mkdir");
    for entry in std::fs::read_dir(format!("{root}/evidence"))
        .expect("evidence/")
        .flatten()
    {
        std::fs::copy(entry.path(), evidence.join(entry.file_name())).expect("copy");
    }
    let folder = dir.path().display().to_string();
    let (code, out, _) = run(&["pack", "check", &folder], "");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("note: no Disease Ontology layer"), "{out}");

    let layer = dir.path().join("layers/disease-ontology");
    std::fs::create_dir_all(&layer).expect("mkdir");
    for f in ["conditions.jsonl", "retired.jsonl"] {
        std::fs::copy(format!("{root}/layers/disease-ontology/{f}"), layer.join(f)).expect("copy");
    }
    let conditions = dir.path().join("conditions.toml");
    let text = std::fs::read_to_string(&conditions).expect("read");
    std::fs::write(
        &conditions,
        text.replace("doid = \"DOID:8893\"", "doid = \"DOID:0000405\""),
    )
    .expect("write");
    let (code, out, _) = run(&["pack", "check", &folder], "");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("DOID:0000405 is obsolete in DO; use DOID:178"),
        "{out}"
    );
}
