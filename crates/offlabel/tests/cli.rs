//! The `offlabel` binary end to end: exit codes, messages, rendered output (snapshots).

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn offlabel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_offlabel"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run offlabel: {e}"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn empty_question_is_a_usage_error() {
    let o = offlabel(&["ask", "--json", "   "]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
}

#[test]
fn long_question_is_a_usage_error() {
    let long = "x".repeat(5000);
    let o = offlabel(&["ask", &long]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("4096"));
}

#[test]
fn json_answer_follows_the_contract() {
    let o = offlabel(&["ask", "--json", "Can I use Opzelura cream for psoriasis?"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    assert_eq!(v["drug"]["id"], "ruxolitinib-topical");
    assert_eq!(v["status"]["US"], "off_label");
    assert_eq!(v["best_evidence"]["design"], "rct");
    assert_eq!(v["best_evidence"]["n"], 29);
}

#[test]
fn batch_writes_one_object_per_line() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_offlabel"))
        .args(["ask", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    child
        .stdin
        .take()
        .map(|mut s| s.write_all(b"opzulera for psorasis\n\nCibinqo for alopecia\n"));
    let o = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_default())
        .collect();
    // One output line per input line: the blank line gets an error object.
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].as_str().is_some());
    assert_eq!(lines[2]["drug"]["id"], "abrocitinib");
}

fn batch(input: Vec<u8>) -> Vec<serde_json::Value> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_offlabel"))
        .args(["ask", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stdin = child.stdin.take();
    let writer = std::thread::spawn(move || {
        if let Some(s) = stdin.as_mut() {
            let _ = s.write_all(&input);
        }
    });
    let o = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let _ = writer.join();
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn batch_goes_on_after_a_line_that_is_not_utf8() {
    let mut input = b"opzelura for psoriasis\n".to_vec();
    input.extend_from_slice(b"bad \xff\xfe line\n");
    input.extend_from_slice(b"Cibinqo for alopecia\n");
    input.extend_from_slice(b"no newline at the end: cibinqo");
    let lines = batch(input);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[1]["line"], 2);
    assert!(
        lines[1]["error"]
            .as_str()
            .is_some_and(|e| e.contains("UTF-8"))
    );
    assert_eq!(lines[2]["drug"]["id"], "abrocitinib");
    assert_eq!(lines[3]["drug"]["id"], "abrocitinib");
}

#[test]
fn batch_does_not_echo_an_over_long_line() {
    let long = "x".repeat(2 << 20);
    let input = format!("{long}\nCibinqo for alopecia\n").into_bytes();
    let lines = batch(input);
    assert_eq!(lines.len(), 2);
    let first = lines[0].to_string();
    assert!(first.len() < 1000, "echoed: {} bytes", first.len());
    assert!(first.contains("2097152"), "{first}");
    assert_eq!(lines[1]["drug"]["id"], "abrocitinib");
}

#[test]
fn check_profile_reads_like_the_http_api() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("p.json");
    std::fs::write(&path, r#"{"drug": "baricitinib", "age": 80.0}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    let p = path.to_string_lossy().to_string();
    let o = offlabel(&["check", "--profile", &p]);
    assert!(o.status.success(), "80.0 refused: {}", stderr(&o));
    std::fs::write(&path, r#"{"drug": "baricitinib", "age": 50, "age": 80}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    let o = offlabel(&["check", "--profile", &p]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("twice"), "{}", stderr(&o));
}

#[test]
fn check_validates_its_input() {
    for (args, needle) in [
        (
            vec!["check", "--drug", "baricitinib", "--age", "-3"],
            "--age",
        ),
        (
            vec!["check", "--drug", "baricitinib", "--age", "131"],
            "--age",
        ),
        (
            vec!["check", "--drug", "ruxolitinib-topical", "--bsa", "120"],
            "bsa",
        ),
        (vec!["check", "--drug", "aspirinx"], "drug"),
        (
            vec!["check", "--drug", "baricitinib", "--renal", "awful"],
            "--renal",
        ),
        (
            vec!["check", "--drug", "baricitinib", "--region", "Mars"],
            "region",
        ),
        (vec!["check", "--age", "40"], "--drug"),
    ] {
        let o = offlabel(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o).contains(needle) && stderr(&o).contains("accepted")
                || stderr(&o).contains("e.g."),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn check_profile_from_stdin() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_offlabel"))
        .args(["check", "--profile", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    child.stdin.take().map(|mut s| {
        s.write_all(br#"{"drug": "Olumiant", "condition": "alopecia areata", "age": 80}"#)
    });
    let o = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    assert_eq!(v["status"]["EU"], "approved");
    assert!(
        v["flags"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f["id"] == "age_75_plus" && f["level"] == "dose_adjustment")
    );
}

#[test]
fn pack_check_passes_on_the_embedded_pack_and_fails_on_a_broken_one() {
    let o = offlabel(&["pack", "check"]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains("ok"));
    let dir = std::env::temp_dir().join(format!("offlabel-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("pack.toml"), "[pack]\nid = \"x\"\n").unwrap_or_else(|e| panic!("{e}"));
    let o = offlabel(&["pack", "check", dir.to_str().unwrap_or_default()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("pack.toml"), "{}", stdout(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rendered_answers() {
    for (name, q) in [
        ("psoriasis", "Can I use Opzelura cream for psoriasis?"),
        (
            "elderly_baricitinib",
            "Baricitinib dose for an 80 year old with alopecia areata",
        ),
        ("spanish", "¿Puedo usar Opzelura para la psoriasis?"),
        ("unknown_drug", "Is hydroxychloroquine approved for lupus?"),
        ("eu_layer_drug", "Is dupilumab approved for eczema?"),
    ] {
        let o = offlabel(&["ask", q]);
        assert!(o.status.success());
        insta::assert_snapshot!(name, stdout(&o));
    }
}

#[test]
fn rendered_check() {
    let o = offlabel(&[
        "check",
        "--drug",
        "abrocitinib",
        "--condition",
        "atopic dermatitis",
        "--age",
        "70",
        "--renal",
        "moderate",
    ]);
    assert!(o.status.success());
    insta::assert_snapshot!("check_abrocitinib", stdout(&o));
}

#[test]
fn browsing_commands() {
    for args in [
        vec!["drug", "opzelura"],
        vec!["drugs"],
        vec!["condition", "lichen planus"],
        vec!["conditions"],
        vec!["evidence", "--drug", "baricitinib"],
        vec!["sources", "--json"],
    ] {
        let o = offlabel(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(!stdout(&o).is_empty());
    }
    let o = offlabel(&["drug", "nope-not-a-drug"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn pack_import_ema_refuses_a_file_that_is_not_the_export() {
    let o = offlabel(&[
        "pack",
        "import",
        "ema",
        "/nonexistent/ema.xlsx",
        "--out",
        "/nonexistent/out",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("medicines-output-medicines-report_en.xlsx"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn pack_import_ema_writes_the_layer() {
    let input = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/ema/medicines-output-medicines-report_en.xlsx");
    if !input.exists() {
        println!("note: {} is absent; skipped", input.display());
        return;
    }
    let out = std::env::temp_dir().join(format!("offlabel-ema-cli-{}", std::process::id()));
    let o = offlabel(&[
        "pack",
        "import",
        "ema",
        &input.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("Source: European Medicines Agency"));
    for f in [
        "layer.toml",
        "medicines.jsonl",
        "indications.jsonl",
        "REPORT.md",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn pack_import_fda_refuses_what_it_does_not_read() {
    let spl = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/fda/spl/humira.xml");
    if !spl.exists() {
        println!("note: {} is absent; skipped", spl.display());
        return;
    }
    let out = std::env::temp_dir().join(format!("offlabel-fda-cli-{}", std::process::id()));
    // An SPL file given as the Drugs@FDA zip; a JSON that is not openFDA.
    let o = offlabel(&[
        "pack",
        "import",
        "drugsfda",
        &spl.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("Applications.txt"), "{}", stderr(&o));
    let json = std::env::temp_dir().join(format!("offlabel-fda-cli-{}.json", std::process::id()));
    let _ = std::fs::write(&json, "[1, 2");
    let o = offlabel(&[
        "pack",
        "import",
        "openfda-labels",
        &json.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("openFDA"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_file(&json);
}
