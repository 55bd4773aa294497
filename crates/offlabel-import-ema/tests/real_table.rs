//! The committed EMA layer is exactly what the importer makes of the EMA's table.
//!
//! Runs on `../shared/data/ema/medicines-output-medicines-report_en.xlsx` when that file is
//! present; passes with a note otherwise.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn input() -> Option<PathBuf> {
    let p = root().join("../shared/data/ema/medicines-output-medicines-report_en.xlsx");
    if p.exists() {
        Some(p)
    } else {
        println!(
            "note: {} is absent; the EMA table test is skipped",
            p.display()
        );
        None
    }
}

const FILES: &[&str] = &[
    "layer.toml",
    "medicines.jsonl",
    "indications.jsonl",
    "REPORT.md",
];

#[test]
fn committed_layer_is_reproduced_byte_for_byte() -> Result<(), Box<dyn std::error::Error>> {
    let Some(input) = input() else { return Ok(()) };
    let out = tempfile::tempdir()?;
    let summary = offlabel_import_ema::import(&input, out.path())?;
    assert!(
        summary.skipped.is_empty(),
        "rows skipped: {:?}",
        summary.skipped
    );
    let committed = root().join("knowledge/layers/ema");
    for f in FILES {
        let fresh = std::fs::read(out.path().join(f))?;
        let kept = std::fs::read(committed.join(f))?;
        assert!(
            fresh == kept,
            "knowledge/layers/ema/{f} differs from a fresh import: run `offlabel pack import ema ../shared/data/ema/medicines-output-medicines-report_en.xlsx` and commit"
        );
    }
    Ok(())
}

#[test]
fn import_is_deterministic_and_sane() -> Result<(), Box<dyn std::error::Error>> {
    let Some(input) = input() else { return Ok(()) };
    let a = tempfile::tempdir()?;
    let b = tempfile::tempdir()?;
    let sa = offlabel_import_ema::import(&input, a.path())?;
    offlabel_import_ema::import(&input, b.path())?;
    for f in FILES {
        assert_eq!(
            std::fs::read(a.path().join(f))?,
            std::fs::read(b.path().join(f))?,
            "{f}"
        );
    }
    // The README of the shared data: 2,271 human rows, 1,537 authorised.
    assert_eq!(sa.products + 47, 2271);
    let meds = std::fs::read_to_string(a.path().join("medicines.jsonl"))?;
    let mut ids = Vec::new();
    for line in meds.lines() {
        let m: offlabel_regulatory::RegulatedMedicine = serde_json::from_str(line)?;
        ids.push(m.id);
    }
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "medicines sorted by id");
    for id in [
        "baricitinib",
        "upadacitinib",
        "abrocitinib",
        "ruxolitinib-oral",
        "ruxolitinib-topical",
        "tofacitinib",
    ] {
        assert!(ids.iter().any(|i| i == id), "{id} missing");
    }
    let inds = std::fs::read_to_string(a.path().join("indications.jsonl"))?;
    let opzelura: Vec<offlabel_regulatory::IndicationClause> = inds
        .lines()
        .filter(|l| l.contains("EMEA/H/C/005843"))
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    assert_eq!(opzelura.len(), 1);
    let c = &opzelura[0];
    assert_eq!(c.medicine, "ruxolitinib-topical");
    assert_eq!(c.population.min_age_months, Some(144));
    assert!(c.population.qualifiers.iter().any(|q| q == "non-segmental"));
    assert!(
        c.population
            .qualifiers
            .iter()
            .any(|q| q == "with facial involvement")
    );
    Ok(())
}
