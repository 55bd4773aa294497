//! The committed Drugs@FDA layer is exactly what the importer makes of the FDA's zip, and bad
//! input is refused with what was expected.
//!
//! Runs on `../shared/data/fda/drugsatfda-2019-07-01.zip` when present; passes with a note
//! otherwise.

use offlabel_import_fda::ImportError;
use offlabel_import_fda::drugsfda;
use offlabel_regulatory::{UsMarketingStatus, UsMedicine};
use std::io::Write;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn input() -> Option<PathBuf> {
    let p = root().join("../shared/data/fda/drugsatfda-2019-07-01.zip");
    if p.exists() {
        Some(p)
    } else {
        println!(
            "note: {} is absent; the Drugs@FDA test is skipped",
            p.display()
        );
        None
    }
}

#[test]
fn committed_layer_is_reproduced_byte_for_byte() -> Result<(), Box<dyn std::error::Error>> {
    let Some(input) = input() else { return Ok(()) };
    let out = tempfile::tempdir()?;
    let summary = drugsfda::import(&input, out.path())?;
    assert_eq!(summary.version, "2019-07-01");
    // Five products name an application Applications.txt lacks; they are reported.
    assert_eq!(summary.skipped.len(), 5, "{:?}", summary.skipped);
    let committed = root().join("knowledge/layers/drugsfda");
    for f in ["layer.toml", "medicines.jsonl", "REPORT.md"] {
        let fresh = std::fs::read(out.path().join(f))?;
        let kept = std::fs::read(committed.join(f))?;
        assert!(
            fresh == kept,
            "knowledge/layers/drugsfda/{f} differs from a fresh import: run `offlabel pack import drugsfda ../shared/data/fda/drugsatfda-2019-07-01.zip` and commit"
        );
    }
    Ok(())
}

#[test]
fn known_medicines_come_out_right() -> Result<(), Box<dyn std::error::Error>> {
    let Some(input) = input() else { return Ok(()) };
    let layer = drugsfda::build(&drugsfda::read_zip(&input)?)?;
    let get = |id: &str| -> Option<&UsMedicine> { layer.medicines.iter().find(|m| m.id == id) };
    let brands = |m: &UsMedicine| -> Vec<String> {
        m.apps
            .iter()
            .flat_map(|a| &a.products)
            .filter_map(|p| p.brand.clone())
            .collect()
    };
    let tofa = get("tofacitinib").ok_or("tofacitinib missing")?;
    assert_eq!(tofa.first_approval.as_deref(), Some("2012-11-06"));
    assert!(brands(tofa).contains(&"XELJANZ".to_string()));
    let valium = get("diazepam").ok_or("diazepam missing")?;
    assert!(brands(valium).contains(&"VALIUM".to_string()));
    let tylenol = get("acetaminophen").ok_or("acetaminophen missing")?;
    assert!(
        tylenol
            .apps
            .iter()
            .flat_map(|a| &a.products)
            .any(|p| p.status == UsMarketingStatus::Otc)
    );
    let breo = get("fluticasone-furoate-vilanterol").ok_or("Breo's combination missing")?;
    assert!(brands(breo).iter().any(|b| b.starts_with("BREO")));
    let humira = get("adalimumab").ok_or("adalimumab missing")?;
    assert_eq!(humira.first_approval.as_deref(), Some("2002-12-31"));
    Ok(())
}

fn zip_with(files: &[(&str, &str)]) -> Result<tempfile::NamedTempFile, Box<dyn std::error::Error>> {
    let f = tempfile::NamedTempFile::new()?;
    let mut z = zip::ZipWriter::new(std::fs::File::create(f.path())?);
    for (name, text) in files {
        z.start_file(
            *name,
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored),
        )?;
        z.write_all(text.as_bytes())?;
    }
    z.finish()?;
    Ok(f)
}

#[test]
fn a_zip_that_is_not_drugs_at_fda_is_refused_naming_the_files()
-> Result<(), Box<dyn std::error::Error>> {
    let f = zip_with(&[("readme.txt", "hello")])?;
    let out = tempfile::tempdir()?;
    match drugsfda::import(f.path(), out.path()) {
        Err(e @ ImportError::NotThisFormat { .. }) => {
            let m = e.to_string();
            assert!(
                m.contains("Applications.txt") && m.contains("Submissions.txt"),
                "{m}"
            );
        }
        other => panic!("expected NotThisFormat, got {other:?}"),
    }
    Ok(())
}

#[test]
fn a_file_that_is_not_a_zip_is_refused() -> Result<(), Box<dyn std::error::Error>> {
    let mut f = tempfile::NamedTempFile::new()?;
    f.write_all(b"ApplNo\tApplType\n")?;
    let out = tempfile::tempdir()?;
    match drugsfda::import(f.path(), out.path()) {
        Err(e @ ImportError::Open { .. }) => assert!(e.to_string().contains("Drugs@FDA")),
        other => panic!("expected Open, got {other:?}"),
    }
    Ok(())
}

#[test]
fn too_many_bad_rows_fail_the_import() -> Result<(), Box<dyn std::error::Error>> {
    let mut products = String::from(
        "ApplNo\tProductNo\tForm\tStrength\tReferenceDrug\tDrugName\tActiveIngredient\tReferenceStandard\n",
    );
    for i in 0..10 {
        products.push_str(&format!("99999{i}\t001\tTABLET;ORAL\t1MG\t0\tX\tX\t0\n"));
    }
    let f = zip_with(&[
        (
            "Applications.txt",
            "ApplNo\tApplType\tApplPublicNotes\tSponsorName\n000001\tNDA\t\tA\n",
        ),
        ("Products.txt", &products),
        (
            "MarketingStatus.txt",
            "MarketingStatusID\tApplNo\tProductNo\n",
        ),
        (
            "MarketingStatus_Lookup.txt",
            "MarketingStatusID\tMarketingStatusDescription\n1\tPrescription\n",
        ),
        (
            "Submissions.txt",
            "ApplNo\tSubmissionType\tSubmissionStatus\tSubmissionStatusDate\n",
        ),
    ])?;
    let out = tempfile::tempdir()?;
    assert!(matches!(
        drugsfda::import(f.path(), out.path()),
        Err(ImportError::TooManySkipped { .. })
    ));
    Ok(())
}
