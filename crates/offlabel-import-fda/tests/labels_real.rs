//! The committed label layers are exactly what the importers make of the shared samples
//! (`../shared/data/fda/spl/`, the openFDA files); every sample label is kept or refused with
//! its reason; Humira's 2013 indications come out with their populations; bad input is
//! refused with what was expected.

use offlabel_import_fda::labels::Options;
use offlabel_import_fda::{ImportError, openfda, spl};
use offlabel_regulatory::{AgeGroup, IndicationClause, UsLabel};
use std::io::Write;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fda() -> Option<PathBuf> {
    let p = root().join("../shared/data/fda");
    if p.join("spl/humira.xml").exists() {
        Some(p)
    } else {
        println!(
            "note: {} is absent; the label tests are skipped",
            p.display()
        );
        None
    }
}

fn openfda_inputs(fda: &Path) -> Vec<PathBuf> {
    let mut v = vec![fda.join("openfda-label-sample-2026-09-28.json")];
    let mut more: Vec<PathBuf> = std::fs::read_dir(fda.join("openfda-label"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    more.sort();
    v.extend(more);
    v
}

fn same_as_committed(out: &Path, layer: &str) -> Result<(), Box<dyn std::error::Error>> {
    for f in [
        "layer.toml",
        "labels.jsonl",
        "indications.jsonl",
        "REPORT.md",
    ] {
        let fresh = std::fs::read(out.join(f))?;
        let kept = std::fs::read(root().join("knowledge/layers").join(layer).join(f))?;
        assert!(
            fresh == kept,
            "knowledge/layers/{layer}/{f} differs from a fresh import: re-run the import (docs/data.md) and commit"
        );
    }
    Ok(())
}

fn read<T: serde::de::DeserializeOwned>(p: &Path) -> Result<Vec<T>, Box<dyn std::error::Error>> {
    let mut v = Vec::new();
    for l in std::fs::read_to_string(p)?.lines() {
        v.push(serde_json::from_str(l)?);
    }
    Ok(v)
}

#[test]
fn spl_samples_reproduce_the_committed_layer() -> Result<(), Box<dyn std::error::Error>> {
    let Some(fda) = fda() else { return Ok(()) };
    let out = tempfile::tempdir()?;
    let s = spl::import(&fda.join("spl"), out.path(), Options::default())?;
    // Every sample is accounted for: kept, refused with a reason, or a superseded version.
    assert_eq!(s.read, 6);
    assert_eq!(
        s.read,
        s.labels + s.refused + s.superseded + s.skipped.len()
    );
    let report = std::fs::read_to_string(out.path().join("REPORT.md"))?;
    assert!(report.contains("OTC label"), "{report}");
    assert!(report.contains("not a human drug label"), "{report}");
    same_as_committed(out.path(), "fda-spl")
}

#[test]
fn humira_2013_indications_with_populations() -> Result<(), Box<dyn std::error::Error>> {
    let Some(fda) = fda() else { return Ok(()) };
    let out = tempfile::tempdir()?;
    spl::import(&fda.join("spl"), out.path(), Options::default())?;
    let labels: Vec<UsLabel> = read(&out.path().join("labels.jsonl"))?;
    let humira = labels
        .iter()
        .find(|l| l.medicine == "adalimumab")
        .ok_or("no Humira label")?;
    assert_eq!(humira.effective.as_deref(), Some("2013-09-30"));
    assert!(
        humira
            .boxed_warning
            .as_deref()
            .is_some_and(|t| t.contains("INFECTIONS"))
    );
    assert!(humira.contraindications.is_some());
    let clauses: Vec<IndicationClause> = read(&out.path().join("indications.jsonl"))?;
    let of = |needle: &str| -> Option<&IndicationClause> {
        clauses.iter().find(|c| {
            c.product_number == humira.set_id
                && [c.condition_text.as_deref(), c.heading.as_deref()]
                    .into_iter()
                    .flatten()
                    .any(|t| t.to_lowercase().contains(needle))
        })
    };
    for (needle, doid) in [
        ("rheumatoid arthritis", "DOID:7148"),
        ("juvenile idiopathic arthritis", "DOID:676"),
        ("psoriatic arthritis", "DOID:9008"),
        ("ankylosing spondylitis", "DOID:7147"),
        ("crohn", "DOID:8778"),
        ("ulcerative colitis", "DOID:8577"),
        ("plaque psoriasis", ""),
    ] {
        let c = of(needle).ok_or(format!("no Humira clause for {needle}"))?;
        assert!(!c.conditions.is_empty(), "{needle}: no DO id");
        if !doid.is_empty() {
            assert!(
                c.conditions.iter().any(|d| d == doid),
                "{needle}: {:?}",
                c.conditions
            );
        }
        let p = &c.population;
        if needle.starts_with("juvenile") {
            assert_eq!(p.min_age_months, Some(48), "JIA from 4 years");
        } else {
            assert!(
                p.age_groups.contains(&AgeGroup::Adults) || p.min_age_months == Some(216),
                "{needle}: adults, got {p:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn openfda_samples_reproduce_the_committed_layer() -> Result<(), Box<dyn std::error::Error>> {
    let Some(fda) = fda() else { return Ok(()) };
    let inputs = openfda_inputs(&fda);
    let paths: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    let out = tempfile::tempdir()?;
    let s = openfda::import(&paths, out.path(), Options::default())?;
    assert_eq!(
        s.read,
        s.labels + s.refused + s.superseded + s.skipped.len()
    );
    let report = std::fs::read_to_string(out.path().join("REPORT.md"))?;
    for reason in [
        "OTC label",
        "homeopathic",
        "no Indications and Usage section",
    ] {
        assert!(report.contains(reason), "{reason}: {report}");
    }
    let labels: Vec<UsLabel> = read(&out.path().join("labels.jsonl"))?;
    assert!(labels.iter().any(|l| l.medicine == "gefitinib"));
    same_as_committed(out.path(), "fda-openfda")
}

#[test]
fn an_xml_that_is_not_spl_is_refused() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("a.xml"),
        "<?xml version=\"1.0\"?><html><body/></html>",
    )?;
    let out = tempfile::tempdir()?;
    match spl::import(dir.path(), out.path(), Options::default()) {
        Err(e @ ImportError::NotThisFormat { .. }) => {
            assert!(e.to_string().contains("SPL"), "{e}")
        }
        other => panic!("expected NotThisFormat, got {other:?}"),
    }
    Ok(())
}

#[test]
fn a_json_that_is_not_openfda_is_refused() -> Result<(), Box<dyn std::error::Error>> {
    let mut f = tempfile::NamedTempFile::new()?;
    f.write_all(b"{\"meta\": {}, \"rows\": []}")?;
    let out = tempfile::tempdir()?;
    match openfda::import(&[f.path()], out.path(), Options::default()) {
        Err(e @ ImportError::NotThisFormat { .. }) => {
            assert!(e.to_string().contains("results"), "{e}")
        }
        other => panic!("expected NotThisFormat, got {other:?}"),
    }
    Ok(())
}

fn rx(set_id: &str) -> String {
    format!(
        "{{\"set_id\":\"{set_id}\",\"version\":\"1\",\"effective_time\":\"20200101\",\"indications_and_usage\":[\"1 INDICATIONS AND USAGE GEFITINIB is indicated for the treatment of adult patients with metastatic non-small cell lung cancer.\"],\"openfda\":{{\"brand_name\":[\"X\"],\"substance_name\":[\"GEFITINIB\"],\"product_type\":[\"HUMAN PRESCRIPTION DRUG\"]}}}}"
    )
}

#[test]
fn a_malformed_label_is_skipped_and_too_many_fail() -> Result<(), Box<dyn std::error::Error>> {
    let bad = "{\"set_id\":\"bad-1\",\"effective_time\":\"soon\",\"indications_and_usage\":[\"x\"],\"openfda\":{\"substance_name\":[\"GEFITINIB\"],\"product_type\":[\"HUMAN PRESCRIPTION DRUG\"]}}";
    let mut records: Vec<String> = (0..150).map(|i| rx(&format!("set-{i}"))).collect();
    records.push(bad.to_string());
    let mut f = tempfile::NamedTempFile::new()?;
    write!(f, "{{\"results\":[{}]}}", records.join(","))?;
    let out = tempfile::tempdir()?;
    let s = openfda::import(&[f.path()], out.path(), Options::default())?;
    assert_eq!(s.labels, 150);
    assert_eq!(s.skipped.len(), 1);
    assert_eq!(s.skipped[0].record, "bad-1");
    assert!(s.skipped[0].reason.contains("soon"));

    let mut g = tempfile::NamedTempFile::new()?;
    write!(g, "{{\"results\":[{},{bad},{bad}]}}", rx("ok"))?;
    assert!(matches!(
        openfda::import(&[g.path()], out.path(), Options::default()),
        Err(ImportError::TooManySkipped { .. })
    ));
    Ok(())
}
