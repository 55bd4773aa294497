//! `offlabel faers import` and `offlabel signals` on FDA's real quarterly extracts
//! (`../shared/data/faers`: FAERS 2017Q2 and legacy AERS 2004Q1, each cut to 100
//! reports with all seven tables): rows per table, cases after deduplication, and the
//! share of drug rows mapped to a medicine beside FDA's own `prod_ai`. Skipped (with a
//! note) where the shared data is absent. Bad input (wrong delimiter, a missing table)
//! leaves the store as it was.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn offlabel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_offlabel"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run offlabel: {e}"))
}

/// Unzips a shared sample into `into`; `None` when the shared data is not there.
fn sample(name: &str, into: &Path) -> Option<PathBuf> {
    let zip = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/faers")
        .join(name);
    let Ok(file) = std::fs::File::open(&zip) else {
        eprintln!("{} not found: test skipped", zip.display());
        return None;
    };
    let mut archive = zip::ZipArchive::new(file).expect("a zip archive");
    let out = into.join(name.trim_end_matches(".zip"));
    archive.extract(&out).expect("unzip");
    Some(out)
}

fn import(store: &Path, dirs: &[&Path]) -> Value {
    let mut args = vec!["faers", "import", "--json", "--store"];
    let store = store.to_str().expect("utf-8 path");
    args.push(store);
    let dirs: Vec<&str> = dirs.iter().map(|d| d.to_str().expect("utf-8")).collect();
    args.extend(dirs);
    let o = offlabel(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("JSON summary")
}

/// Rows per table, by file-name prefix.
fn rows(summary: &Value) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = summary["summary"]["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let path = f["path"].as_str().expect("path");
            let name = Path::new(path)
                .file_name()
                .map(|n| n.to_string_lossy().to_uppercase())
                .unwrap_or_default();
            (name[..4].to_string(), f["rows"].as_u64().expect("rows"))
        })
        .collect();
    out.sort();
    out
}

fn signals(store: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "signals",
        "--json",
        "--store",
        store.to_str().expect("utf-8"),
    ];
    args.extend(extra);
    offlabel(&args)
}

fn share(drugs: &Value, field: &str) -> f64 {
    drugs[field].as_f64().expect("count") / drugs["drug_rows"].as_f64().expect("rows")
}

#[test]
fn real_faers_and_aers_quarters() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (Some(faers), Some(aers)) = (
        sample("faers_ascii_2017q2.zip", tmp.path()),
        sample("aers_ascii_2004q1.zip", tmp.path()),
    ) else {
        return;
    };
    let table = |list: &[(&str, u64)]| -> Vec<(String, u64)> {
        list.iter().map(|(k, n)| (k.to_string(), *n)).collect()
    };

    // FAERS 2017Q2: every table, no bad line; FDA filled prod_ai on nearly every row.
    let store = tmp.path().join("faers.sqlite");
    let s = import(&store, &[&faers]);
    assert_eq!(s["summary"]["layouts"], serde_json::json!(["current"]));
    assert_eq!(
        rows(&s),
        table(&[
            ("DEMO", 100),
            ("DRUG", 328),
            ("INDI", 232),
            ("OUTC", 75),
            ("REAC", 286),
            ("RPSR", 2),
            ("THER", 142)
        ])
    );
    let d = &s["summary"]["drugs"];
    assert_eq!(d["drug_rows"], 328);
    assert_eq!(d["with_prod_ai"], 324);
    // Measured 2026-12-04: 92.4% mapped (85.1% from the verbatim name alone); FDA's
    // prod_ai is filled on 98.8% and resolves on 89.9%.
    assert!(share(d, "mapped") >= 0.90, "{d}");
    assert!(share(d, "mapped_by_name") >= 0.80, "{d}");
    assert!(share(d, "prod_ai_mapped") >= 0.85, "{d}");
    assert!(
        d["name_agrees_with_prod_ai"].as_u64()
            > Some(8 * d["name_differs_from_prod_ai"].as_u64().unwrap_or(0)),
        "{d}"
    );
    let o = signals(&store, &[]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("signals JSON");
    assert_eq!(
        (v["faers_reports"].as_u64(), v["reports"].as_u64()),
        (Some(100), Some(100))
    );

    // Legacy AERS 2004Q1 (isr/case, no prod_ai).
    let store = tmp.path().join("aers.sqlite");
    let s = import(&store, &[&aers]);
    assert_eq!(s["summary"]["layouts"], serde_json::json!(["legacy"]));
    assert_eq!(
        rows(&s),
        table(&[
            ("DEMO", 100),
            ("DRUG", 386),
            ("INDI", 124),
            ("OUTC", 93),
            ("REAC", 416),
            ("RPSR", 119),
            ("THER", 145)
        ])
    );
    let d = &s["summary"]["drugs"];
    assert_eq!(
        (d["drug_rows"].as_u64(), d["with_prod_ai"].as_u64()),
        (Some(386), Some(0))
    );
    // Measured 2026-12-04: 82.9% mapped from the verbatim names.
    assert!(share(d, "mapped") >= 0.80, "{d}");
    assert!(!d["top_unmapped"].as_array().expect("list").is_empty());

    // Both layouts in one store: 200 cases (their case numbers do not meet), and a
    // medicine of the layers found by brand and by INN.
    let store = tmp.path().join("both.sqlite");
    import(&store, &[&faers, &aers]);
    let v: Value = serde_json::from_slice(&signals(&store, &[]).stdout).expect("JSON");
    assert_eq!(v["faers_reports"], 200);
    for name in ["Risperdal", "risperidone"] {
        let o = signals(&store, &["--drug", name]);
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
        assert!(
            v["results"]
                .as_array()
                .expect("rows")
                .iter()
                .all(|r| r["drug"] == "risperidone"),
            "{v}"
        );
    }
}

#[test]
fn bad_input_is_named_and_leaves_the_store_as_it_was() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let good = tmp.path().join("good");
    std::fs::create_dir_all(&good).expect("mkdir");
    let write = |dir: &Path, name: &str, text: &str| {
        std::fs::write(dir.join(name), text).expect("write");
    };
    write(
        &good,
        "DEMO24Q1.txt",
        "primaryid$caseid$caseversion\n11$1$1\n",
    );
    write(
        &good,
        "DRUG24Q1.txt",
        "primaryid$role_cod$drugname$prod_ai\n11$PS$OLUMIANT$\n",
    );
    write(&good, "REAC24Q1.txt", "primaryid$pt\n11$Nausea\n");
    let store = tmp.path().join("s.sqlite");
    import(&store, &[&good]);

    // Another delimiter: the file and line 1 are named; nothing of the import is written.
    let comma = tmp.path().join("comma");
    std::fs::create_dir_all(&comma).expect("mkdir");
    write(
        &comma,
        "DEMO24Q2.txt",
        "primaryid$caseid$caseversion\n21$2$1\n",
    );
    write(
        &comma,
        "DRUG24Q2.txt",
        "primaryid$role_cod$drugname\n21$PS$XELJANZ\n",
    );
    write(&comma, "REAC24Q2.txt", "primaryid,pt\n21,Rash\n");
    // A quarter without its REAC table.
    let missing = tmp.path().join("missing");
    std::fs::create_dir_all(&missing).expect("mkdir");
    write(
        &missing,
        "DEMO24Q3.txt",
        "primaryid$caseid$caseversion\n31$3$1\n",
    );
    write(
        &missing,
        "DRUG24Q3.txt",
        "primaryid$role_cod$drugname\n31$PS$XELJANZ\n",
    );
    for (dirs, wanted) in [
        (vec![&good, &comma], vec!["REAC24Q2.txt, line 1", "`$`"]),
        (vec![&good, &missing], vec!["2024Q3", "no REAC file"]),
    ] {
        let mut args = vec!["faers", "import", "--store", store.to_str().expect("utf-8")];
        args.extend(dirs.iter().map(|d| d.to_str().expect("utf-8")));
        let o = offlabel(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{err}");
        for w in wanted {
            assert!(err.contains(w), "{w:?} not in {err}");
        }
        let v: Value = serde_json::from_slice(&signals(&store, &[]).stdout).expect("JSON");
        assert_eq!(v["faers_reports"], 1, "the store changed: {v}");
    }
}
