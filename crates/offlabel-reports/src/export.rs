//! `reports export`: every stored report as JSON Lines or CSV, optionally without free
//! text.

use crate::model::StoredReport;
use crate::store::{Store, StoreError};
use std::io::Write;

/// Export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line: the report as `GET /v1/reports/{id}` returns it.
    JsonLines,
    /// One row per report; lists (drugs, reactions) joined with `|`, position by
    /// position.
    Csv,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the output failed.
    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),
    /// Writing CSV failed.
    #[error("writing the CSV export: {0}")]
    Csv(#[from] csv::Error),
}

/// The CSV columns, all of them.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "received_at",
    "idempotency_key",
    "reporter_qualification",
    "reporter_country",
    "patient_age",
    "patient_sex",
    "patient_initials",
    "onset",
    "serious",
    "seriousness",
    "outcome",
    "drug_names",
    "drug_ids",
    "drug_roles",
    "drug_doses",
    "drug_routes",
    "reaction_terms",
    "reaction_meddra_codes",
    "narrative",
];

/// The columns left out by `--no-free-text`: text the reporter typed freely (and the
/// patient's initials), which may identify someone.
pub const FREE_TEXT_COLUMNS: &[&str] = &[
    "idempotency_key",
    "patient_initials",
    "drug_names",
    "drug_doses",
    "drug_routes",
    "narrative",
];

/// Writes every report of `store` to `out`; returns how many were written.
///
/// With `no_free_text`, the narrative, verbatim drug names, doses, routes, patient
/// initials and idempotency keys are left out (JSON: absent or empty; CSV: the columns
/// are dropped). Reaction terms stay: they are MedDRA terms, needed for any analysis.
///
/// # Errors
/// Store and I/O errors; the output may then hold part of the export.
pub fn export(
    store: &dyn Store,
    format: Format,
    no_free_text: bool,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let mut n = 0u64;
    match format {
        Format::JsonLines => {
            let mut io_error = None;
            let result = store.for_each(&mut |r| {
                let r = if no_free_text {
                    r.without_free_text()
                } else {
                    r
                };
                let line = json_line(&r, no_free_text);
                if let Err(e) = out.write_all(line.as_bytes()) {
                    io_error = Some(e);
                    return Err(StoreError::Corrupt("stopped: output closed".into()));
                }
                n += 1;
                Ok(())
            });
            if let Err(e) = result {
                return Err(match io_error {
                    Some(io) => ExportError::Io(io),
                    None => ExportError::Store(e),
                });
            }
        }
        Format::Csv => {
            let columns: Vec<&str> = CSV_COLUMNS
                .iter()
                .copied()
                .filter(|c| !(no_free_text && FREE_TEXT_COLUMNS.contains(c)))
                .collect();
            let mut w = csv::Writer::from_writer(out);
            w.write_record(&columns)?;
            let mut csv_error = None;
            let result = store.for_each(&mut |r| {
                let record = csv_row(&r);
                let row = CSV_COLUMNS
                    .iter()
                    .zip(record)
                    .filter(|(c, _)| columns.contains(c))
                    .map(|(_, v)| neutralise_formula(v));
                if let Err(e) = w.write_record(row) {
                    csv_error = Some(e);
                    return Err(StoreError::Corrupt("stopped: output failed".into()));
                }
                n += 1;
                Ok(())
            });
            if let Err(e) = result {
                return Err(match csv_error {
                    Some(c) => ExportError::Csv(c),
                    None => ExportError::Store(e),
                });
            }
            w.flush()?;
        }
    }
    Ok(n)
}

fn json_line(r: &StoredReport, no_free_text: bool) -> String {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    if let (true, Some(obj)) = (no_free_text, v.as_object_mut()) {
        obj.remove("idempotency_key");
        if let Some(drugs) = obj.get_mut("drugs").and_then(|d| d.as_array_mut()) {
            for d in drugs.iter_mut().filter_map(|d| d.as_object_mut()) {
                d.remove("name");
            }
        }
    }
    let mut line = v.to_string();
    line.push('\n');
    line
}

/// A cell a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab
/// or a carriage return) gets a leading `'`, as OWASP's CSV-injection guidance says, so it
/// shows as text; the CSV writer quotes cells holding `"`, `,` or line breaks.
fn neutralise_formula(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join("|")
}

/// One CSV record, in [`CSV_COLUMNS`] order.
fn csv_row(r: &StoredReport) -> Vec<String> {
    vec![
        r.id.clone(),
        r.received_at.clone(),
        r.idempotency_key.clone(),
        r.reporter.qualification.as_str().to_string(),
        r.reporter.country.clone(),
        r.patient.age.map(|a| a.to_string()).unwrap_or_default(),
        r.patient
            .sex
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        r.patient.initials.clone().unwrap_or_default(),
        r.onset.clone(),
        r.serious.to_string(),
        join(r.seriousness.iter().map(|c| c.as_str())),
        r.outcome
            .map(|o| o.as_str().to_string())
            .unwrap_or_default(),
        join(r.drugs.iter().map(|d| d.name.as_str())),
        join(r.drugs.iter().map(|d| d.drug_id.as_deref().unwrap_or(""))),
        join(r.drugs.iter().map(|d| d.role.as_str())),
        join(r.drugs.iter().map(|d| d.dose.as_deref().unwrap_or(""))),
        join(r.drugs.iter().map(|d| d.route.as_deref().unwrap_or(""))),
        join(r.reactions.iter().map(|x| x.term.as_str())),
        join(
            r.reactions
                .iter()
                .map(|x| x.meddra_code.as_deref().unwrap_or("")),
        ),
        r.narrative.clone().unwrap_or_default(),
    ]
}

#[cfg(test)]
mod tests {
    use super::neutralise_formula;

    #[test]
    fn formula_cells_become_text() {
        for (cell, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("rash", "rash"),
            ("", ""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(neutralise_formula(cell.to_string()), want, "{cell:?}");
        }
    }
}
