//! `offlabel pack import drugsfda FILE.zip`: the Drugs@FDA data files → `knowledge/layers/drugsfda/`.
//!
//! Reads Applications, Products, MarketingStatus (+ its lookup) and Submissions from the zip
//! as the FDA publishes it, groups products into medicines by contract id and writes
//! `layer.toml`, `medicines.jsonl` (one line per medicine) and `REPORT.md`, byte-identically
//! for the same input.

use crate::ids::medicine_id;
use crate::tsv::{Tsv, decode};
use crate::{ImportError, InputFile, SkippedRecord, jsonl, toml_str, write_atomic};
use offlabel_regulatory::{
    ApplicationKind, UsApplication, UsMarketingStatus, UsMedicine, UsProduct,
};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

/// The files the importer needs, as the FDA names them.
pub const FILES: &[&str] = &[
    "Applications.txt",
    "Products.txt",
    "MarketingStatus.txt",
    "MarketingStatus_Lookup.txt",
    "Submissions.txt",
];

/// The layer's folder name.
pub const LAYER_NAME: &str = "drugsfda";

/// The Drugs@FDA tables the importer reads.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    /// Applications.txt.
    pub applications: Tsv,
    /// Products.txt.
    pub products: Tsv,
    /// MarketingStatus.txt.
    pub marketing: Tsv,
    /// MarketingStatus_Lookup.txt.
    pub marketing_lookup: Tsv,
    /// Submissions.txt.
    pub submissions: Tsv,
}

/// Reads the five tables from a Drugs@FDA zip; refuses a zip without them, naming them.
pub fn read_zip(path: &Path) -> Result<Tables, ImportError> {
    let open = |reason: String| ImportError::Open {
        path: path.display().to_string(),
        reason,
        expected: EXPECTED,
    };
    let file = std::fs::File::open(path).map_err(|e| open(e.to_string()))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| open(e.to_string()))?;
    let mut texts: HashMap<&'static str, (String, String)> = HashMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| open(e.to_string()))?;
        let name = entry.name().to_string();
        let base = name.rsplit('/').next().unwrap_or(&name);
        let Some(wanted) = FILES.iter().find(|f| f.eq_ignore_ascii_case(base)) else {
            continue;
        };
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| open(format!("{name}: {e}")))?;
        texts.insert(wanted, (name, decode(&bytes)));
    }
    let missing: Vec<&str> = FILES
        .iter()
        .copied()
        .filter(|f| !texts.contains_key(f))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::NotThisFormat {
            path: path.display().to_string(),
            what: format!("it lacks {}", missing.join(", ")),
            expected: EXPECTED.to_string(),
        });
    }
    let mut take = |f: &'static str| {
        texts
            .remove(f)
            .map(|(name, text)| Tsv::parse(&name, &text))
            .unwrap_or_default()
    };
    Ok(Tables {
        applications: take("Applications.txt"),
        products: take("Products.txt"),
        marketing: take("MarketingStatus.txt"),
        marketing_lookup: take("MarketingStatus_Lookup.txt"),
        submissions: take("Submissions.txt"),
    })
}

const EXPECTED: &str = "the FDA's Drugs@FDA data files zip (drugsatfda*.zip from the FDA page \"Drugs@FDA Data Files\"), holding Applications.txt, Products.txt, MarketingStatus.txt, MarketingStatus_Lookup.txt and Submissions.txt";

/// The built layer.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    /// Medicines sorted by id.
    pub medicines: Vec<UsMedicine>,
    /// Rows that could not be read, with file, line and reason.
    pub skipped: Vec<SkippedRecord>,
    /// Data rows read in all tables.
    pub rows: usize,
    /// The latest submission action date in the files (`YYYY-MM-DD`): how far they reach.
    pub latest_action: Option<String>,
    /// Products (rows of Products.txt) kept.
    pub product_rows: usize,
}

fn cols(t: &Tsv, names: &[&str]) -> Result<Vec<usize>, ImportError> {
    t.columns(names).map_err(|missing| ImportError::Columns {
        file: t.file.clone(),
        missing: missing.join(", "),
        found: t.header.join(", "),
    })
}

fn field(row: &[String], i: usize) -> &str {
    row.get(i).map_or("", String::as_str)
}

/// `YYYY-MM-DD` from "1996-12-17 00:00:00", or `None` when it is not a date.
fn date(s: &str) -> Option<String> {
    let d = s.get(..10)?;
    let b = d.as_bytes();
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && d.chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    ok.then(|| d.to_string())
}

fn kind(s: &str) -> Option<ApplicationKind> {
    match s.trim().to_ascii_uppercase().as_str() {
        "NDA" => Some(ApplicationKind::Nda),
        "BLA" => Some(ApplicationKind::Bla),
        "ANDA" => Some(ApplicationKind::Anda),
        _ => None,
    }
}

fn status_word(description: &str) -> Option<UsMarketingStatus> {
    let d = description.to_ascii_lowercase();
    if d.starts_with("prescription") {
        Some(UsMarketingStatus::Rx)
    } else if d.starts_with("over-the-counter") || d == "otc" {
        Some(UsMarketingStatus::Otc)
    } else if d.starts_with("discontinued") {
        Some(UsMarketingStatus::Discontinued)
    } else if d.starts_with("none") {
        Some(UsMarketingStatus::None)
    } else {
        None
    }
}

/// Builds the layer from the tables.
pub fn build(t: &Tables) -> Result<Layer, ImportError> {
    let mut skipped = Vec::new();
    let mut skip = |file: &str, line: usize, reason: String| {
        skipped.push(SkippedRecord {
            record: format!("{file} line {line}"),
            reason,
        });
    };
    let mut rows = 0;

    // Applications: number → (kind, sponsor).
    let c = cols(&t.applications, &["ApplNo", "ApplType", "SponsorName"])?;
    let mut apps: HashMap<String, (ApplicationKind, String)> = HashMap::new();
    for (line, r) in &t.applications.rows {
        rows += 1;
        let no = field(r, c[0]);
        match kind(field(r, c[1])) {
            Some(k) if !no.is_empty() => {
                apps.insert(no.to_string(), (k, field(r, c[2]).to_string()));
            }
            _ => skip(
                &t.applications.file,
                *line,
                format!(
                    "application \"{no}\" of type \"{}\": expected a number and NDA, BLA or ANDA",
                    field(r, c[1])
                ),
            ),
        }
    }

    // Original approval: the ORIG submission approved (AP), earliest date.
    let c = cols(
        &t.submissions,
        &[
            "ApplNo",
            "SubmissionType",
            "SubmissionStatus",
            "SubmissionStatusDate",
        ],
    )?;
    let mut approved: HashMap<String, String> = HashMap::new();
    let mut latest: Option<String> = None;
    for (line, r) in &t.submissions.rows {
        rows += 1;
        let raw = field(r, c[3]);
        let Some(d) = date(raw) else {
            if !raw.is_empty() {
                skip(
                    &t.submissions.file,
                    *line,
                    format!("submission date \"{raw}\" is not YYYY-MM-DD"),
                );
            }
            continue;
        };
        if latest.as_ref().is_none_or(|l| *l < d) {
            latest = Some(d.clone());
        }
        if field(r, c[1]).eq_ignore_ascii_case("ORIG") && field(r, c[2]).eq_ignore_ascii_case("AP")
        {
            let e = approved
                .entry(field(r, c[0]).to_string())
                .or_insert(d.clone());
            if d < *e {
                *e = d;
            }
        }
    }

    // Marketing status per product.
    let c = cols(
        &t.marketing_lookup,
        &["MarketingStatusID", "MarketingStatusDescription"],
    )?;
    let mut lookup: HashMap<String, UsMarketingStatus> = HashMap::new();
    for (_, r) in &t.marketing_lookup.rows {
        let description = field(r, c[1]);
        let status = status_word(description).ok_or_else(|| ImportError::UnknownValue {
            file: t.marketing_lookup.file.clone(),
            value: description.to_string(),
            known: "Prescription, Over-the-counter, Discontinued, None (Tentative Approval)",
        })?;
        lookup.insert(field(r, c[0]).to_string(), status);
    }
    let c = cols(&t.marketing, &["MarketingStatusID", "ApplNo", "ProductNo"])?;
    let mut marketing: HashMap<(String, String), UsMarketingStatus> = HashMap::new();
    for (line, r) in &t.marketing.rows {
        rows += 1;
        match lookup.get(field(r, c[0])) {
            Some(s) => {
                marketing.insert((field(r, c[1]).to_string(), field(r, c[2]).to_string()), *s);
            }
            None => skip(
                &t.marketing.file,
                *line,
                format!(
                    "marketing status id \"{}\" is not in MarketingStatus_Lookup.txt",
                    field(r, c[0])
                ),
            ),
        }
    }

    // Products, grouped.
    let c = cols(
        &t.products,
        &[
            "ApplNo",
            "ProductNo",
            "Form",
            "DrugName",
            "ActiveIngredient",
        ],
    )?;
    let mut medicines: BTreeMap<String, UsMedicine> = BTreeMap::new();
    let mut product_rows = 0;
    for (line, r) in &t.products.rows {
        rows += 1;
        let (no, pno) = (field(r, c[0]), field(r, c[1]));
        let ingredients = field(r, c[4]);
        let id = medicine_id(ingredients);
        let Some((kind, sponsor)) = apps.get(no) else {
            skip(
                &t.products.file,
                *line,
                format!("product {no}/{pno}: application {no} is not in Applications.txt"),
            );
            continue;
        };
        if id.is_empty() || pno.is_empty() {
            skip(
                &t.products.file,
                *line,
                format!("product {no}/{pno}: no active ingredient or product number"),
            );
            continue;
        }
        let Some(status) = marketing.get(&(no.to_string(), pno.to_string())) else {
            skip(
                &t.products.file,
                *line,
                format!("product {no}/{pno}: no marketing status in MarketingStatus.txt"),
            );
            continue;
        };
        product_rows += 1;
        let (form, route) = match field(r, c[2]).split_once(';') {
            Some((f, r)) => (f.trim().to_string(), Some(r.trim().to_string())),
            None => (field(r, c[2]).to_string(), None),
        };
        let m = medicines.entry(id.clone()).or_insert_with(|| UsMedicine {
            id,
            ingredients: Vec::new(),
            first_approval: None,
            apps: Vec::new(),
        });
        if !m.ingredients.iter().any(|i| i == ingredients) {
            m.ingredients.push(ingredients.to_string());
        }
        let app_index = match m.apps.iter().position(|a| a.no == no) {
            Some(i) => i,
            None => {
                m.apps.push(UsApplication {
                    no: no.to_string(),
                    kind: *kind,
                    sponsor: sponsor.clone(),
                    approved: approved.get(no).cloned(),
                    products: Vec::new(),
                });
                m.apps.len() - 1
            }
        };
        let app = &mut m.apps[app_index];
        // A generic sold under its ingredients' name needs no brand: the medicine says it.
        let brand = Some(field(r, c[3]).to_string())
            .filter(|b| !b.is_empty() && !b.eq_ignore_ascii_case(ingredients));
        match app
            .products
            .iter_mut()
            .find(|p| p.brand == brand && p.form == form && p.route == route && p.status == *status)
        {
            Some(p) => p.n += 1,
            None => app.products.push(UsProduct {
                n: 1,
                brand,
                form,
                route,
                status: *status,
            }),
        }
    }
    let mut medicines: Vec<UsMedicine> = medicines.into_values().collect();
    for m in &mut medicines {
        m.ingredients.sort();
        m.apps.sort_by(|a, b| (a.kind, &a.no).cmp(&(b.kind, &b.no)));
        for a in &mut m.apps {
            a.products.sort_by(|x, y| {
                (&x.brand, &x.form, &x.route, x.status)
                    .cmp(&(&y.brand, &y.form, &y.route, y.status))
            });
        }
        m.first_approval = m.apps.iter().filter_map(|a| a.approved.clone()).min();
    }
    Ok(Layer {
        medicines,
        skipped,
        rows,
        latest_action: latest,
        product_rows,
    })
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Medicines written.
    pub medicines: usize,
    /// Applications written.
    pub applications: usize,
    /// Product rows kept.
    pub products: usize,
    /// The dataset date (latest action in the files).
    pub version: String,
    /// Rows skipped with reasons.
    pub skipped: Vec<SkippedRecord>,
    /// Bytes of `medicines.jsonl`.
    pub bytes: usize,
}

/// Imports the Drugs@FDA zip `input` into the folder `out`.
pub fn import(input: &Path, out: &Path) -> Result<Summary, ImportError> {
    let file = InputFile::of(input)?;
    let tables = read_zip(input)?;
    let layer = build(&tables)?;
    if layer.skipped.len() * 100 > layer.rows {
        return Err(ImportError::too_many(&layer.skipped, layer.rows));
    }
    let version = layer.latest_action.clone().unwrap_or_default();
    let medicines = jsonl(&layer.medicines);
    let applications: usize = layer.medicines.iter().map(|m| m.apps.len()).sum();
    let files = [
        (
            "layer.toml",
            layer_toml(&layer, &file, &version, applications),
        ),
        ("medicines.jsonl", medicines.clone()),
        ("REPORT.md", report(&layer, &version)),
    ];
    std::fs::create_dir_all(out).map_err(|source| ImportError::Write {
        path: out.display().to_string(),
        source,
    })?;
    for (name, contents) in files {
        write_atomic(&out.join(name), &contents)?;
    }
    Ok(Summary {
        medicines: layer.medicines.len(),
        applications,
        products: layer.product_rows,
        version,
        skipped: layer.skipped,
        bytes: medicines.len(),
    })
}

fn layer_toml(layer: &Layer, input: &InputFile, version: &str, applications: usize) -> String {
    format!(
        "# Generated by `offlabel pack import drugsfda`; do not edit by hand, re-run the import.\n\
         name = \"{LAYER_NAME}\"\n\
         title = \"US approvals: the FDA's Drugs@FDA data files\"\n\
         owner = \"U.S. Food and Drug Administration\"\n\
         dataset = \"Drugs@FDA Data Files\"\n\
         version = {v}\n\
         licence = \"public domain (US government work)\"\n\
         attribution = \"Source: U.S. Food and Drug Administration, Drugs@FDA\"\n\
         importer = \"offlabel pack import drugsfda {name}\"\n\
         scope = \"every application (NDA, BLA, ANDA) and product in the files; human drugs and therapeutic biologics\"\n\
         complete_to = {v}\n\
         note = {note}\n\
         \n[input]\n\
         file = {file}\n\
         bytes = {bytes}\n\
         sha256 = \"{sha}\"\n\
         \n[counts]\n\
         medicines = {medicines}\n\
         applications = {applications}\n\
         products = {products}\n\
         rows_skipped = {skipped}\n",
        v = toml_str(version),
        note = toml_str(&format!(
            "Complete only to {version} (the latest action in the files): a substance first approved after that date is missing, and the layer's silence never means not authorised. Answers that rest on it say \"according to Drugs@FDA as of {version}\"."
        )),
        name = input.name,
        file = toml_str(&input.name),
        bytes = input.bytes,
        sha = input.sha256,
        medicines = layer.medicines.len(),
        products = layer.product_rows,
        skipped = layer.skipped.len(),
    )
}

fn report(layer: &Layer, version: &str) -> String {
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    let mut marketed = 0;
    for m in &layer.medicines {
        if m.apps
            .iter()
            .flat_map(|a| &a.products)
            .any(|p| p.status.is_marketed())
        {
            marketed += 1;
        }
        for a in &m.apps {
            *by_kind
                .entry(match a.kind {
                    ApplicationKind::Nda => "NDA",
                    ApplicationKind::Bla => "BLA",
                    ApplicationKind::Anda => "ANDA",
                })
                .or_default() += 1;
            for p in &a.products {
                *by_status
                    .entry(match p.status {
                        UsMarketingStatus::Rx => "prescription",
                        UsMarketingStatus::Otc => "over the counter",
                        UsMarketingStatus::Discontinued => "discontinued",
                        UsMarketingStatus::None => "none (tentative approval)",
                    })
                    .or_default() += p.n as usize;
            }
        }
    }
    let mut s = format!(
        "# Drugs@FDA import report\n\nGenerated by `offlabel pack import drugsfda`. Files complete to {version}.\n\n\
         - medicines (contract ids): {}\n- medicines with a marketed product (Rx or OTC): {marketed}\n- data rows read: {}\n- rows skipped: {}\n\n## Applications by type\n\n",
        layer.medicines.len(),
        layer.rows,
        layer.skipped.len()
    );
    for (k, n) in &by_kind {
        s.push_str(&format!("- {k}: {n}\n"));
    }
    s.push_str("\n## Products by marketing status\n\n");
    for (k, n) in &by_status {
        s.push_str(&format!("- {k}: {n}\n"));
    }
    s.push_str("\n## Rows skipped\n\n");
    if layer.skipped.is_empty() {
        s.push_str("None.\n");
    }
    for r in &layer.skipped {
        s.push_str(&format!("- {}: {}\n", r.record, r.reason));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables() -> Tables {
        Tables {
            applications: Tsv::parse(
                "Applications.txt",
                "ApplNo\tApplType\tApplPublicNotes\tSponsorName\r\n020702\tNDA\t\tPFIZER\r\n\r\n203214\tNDA\t\tPF PRISM CV\r\n",
            ),
            products: Tsv::parse(
                "Products.txt",
                "ApplNo\tProductNo\tForm\tStrength\tReferenceDrug\tDrugName\tActiveIngredient\tReferenceStandard\r\n\
                 020702\t001\tTABLET;ORAL\tEQ 10MG BASE\t1\tLIPITOR\tATORVASTATIN CALCIUM\t0\r\n\
                 020702\t002\tTABLET;ORAL\tEQ 20MG BASE\t1\tLIPITOR\tATORVASTATIN CALCIUM\t0\t\t\r\n\
                 203214\t001\tTABLET;ORAL\tEQ 5MG BASE\t1\tXELJANZ\tTOFACITINIB CITRATE\t1\r\n\
                 999999\t001\tTABLET;ORAL\t1MG\t0\tGHOST\tGHOSTINE\t0\r\n",
            ),
            marketing: Tsv::parse(
                "MarketingStatus.txt",
                "MarketingStatusID\tApplNo\tProductNo\r\n1\t020702\t001\r\n1\t020702\t002\r\n1\t203214\t001\r\n",
            ),
            marketing_lookup: Tsv::parse(
                "MarketingStatus_Lookup.txt",
                "MarketingStatusID\tMarketingStatusDescription\r\n1\tPrescription\r\n2\tOver-the-counter\r\n3\tDiscontinued\r\n4\tNone (Tentative Approval)\r\n",
            ),
            submissions: Tsv::parse(
                "Submissions.txt",
                "ApplNo\tSubmissionClassCodeID\tSubmissionType\tSubmissionNo\tSubmissionStatus\tSubmissionStatusDate\tSubmissionsPublicNotes\tReviewPriority\r\n\
                 020702\t1\tORIG\t1\tAP\t1996-12-17 00:00:00\tLabel for Men\u{2019}s\tPRIORITY\r\n\
                 020702\t3\tSUPPL\t5\tAP\t2009-01-01 00:00:00\t\t\r\n\
                 203214\t1\tORIG\t1\tAP\t2012-11-06 00:00:00\t\t\r\n",
            ),
        }
    }

    #[test]
    fn builds_grouped_medicines() -> Result<(), ImportError> {
        let layer = build(&tables())?;
        assert_eq!(layer.medicines.len(), 2);
        let a = &layer.medicines[0];
        assert_eq!(a.id, "atorvastatin");
        assert_eq!(a.first_approval.as_deref(), Some("1996-12-17"));
        assert_eq!(a.apps[0].products.len(), 1);
        assert_eq!(a.apps[0].products[0].n, 2);
        assert_eq!(a.apps[0].products[0].brand.as_deref(), Some("LIPITOR"));
        assert_eq!(a.apps[0].products[0].route.as_deref(), Some("ORAL"));
        assert_eq!(layer.medicines[1].id, "tofacitinib");
        assert_eq!(layer.latest_action.as_deref(), Some("2012-11-06"));
        // The product of an unknown application is reported, not dropped silently.
        assert_eq!(layer.skipped.len(), 1);
        assert!(layer.skipped[0].reason.contains("999999"));
        Ok(())
    }

    #[test]
    fn unknown_marketing_word_stops() {
        let mut t = tables();
        t.marketing_lookup = Tsv::parse(
            "MarketingStatus_Lookup.txt",
            "MarketingStatusID\tMarketingStatusDescription\n1\tWithdrawn for safety\n",
        );
        assert!(matches!(build(&t), Err(ImportError::UnknownValue { .. })));
    }

    #[test]
    fn missing_column_is_named() {
        let mut t = tables();
        t.products = Tsv::parse("Products.txt", "ApplNo\tProductNo\n");
        match build(&t) {
            Err(ImportError::Columns { missing, .. }) => assert!(missing.contains("DrugName")),
            other => panic!("expected Columns, got {other:?}"),
        }
    }
}
