//! Reading the EMA's medicines table: the sheet, its header row and each row's cells.

use crate::ImportError;
use calamine::{Data, Reader, Xlsx, open_workbook};
use offlabel_regulatory::{ProductDates, ProductFlags, ProductStatus};
use std::path::Path;

/// The sheet the EMA's export puts its table on.
pub const SHEET: &str = "Medicine";

/// The columns the importer reads, by the header the EMA gives them (whitespace collapsed).
pub const COLUMNS: &[&str] = &[
    CATEGORY,
    NAME,
    PRODUCT_NUMBER,
    STATUS,
    INN,
    ACTIVE_SUBSTANCE,
    THERAPEUTIC_AREA,
    ATC,
    INDICATION,
    ADDITIONAL_MONITORING,
    BIOSIMILAR,
    CONDITIONAL,
    EXCEPTIONAL,
    GENERIC,
    ORPHAN,
    HOLDER,
    DECISION_DATE,
    OPINION_DATE,
    APPLICATION_WITHDRAWAL_DATE,
    AUTHORISATION_DATE,
    REFUSAL_DATE,
    WITHDRAWAL_DATE,
    SUSPENSION_DATE,
    URL,
];

const CATEGORY: &str = "Category";
const NAME: &str = "Name of medicine";
const PRODUCT_NUMBER: &str = "EMA product number";
const STATUS: &str = "Medicine status";
const INN: &str = "International non-proprietary name (INN) / common name";
const ACTIVE_SUBSTANCE: &str = "Active substance";
const THERAPEUTIC_AREA: &str = "Therapeutic area (MeSH)";
const ATC: &str = "ATC code (human)";
const INDICATION: &str = "Therapeutic indication";
const ADDITIONAL_MONITORING: &str = "Additional monitoring";
const BIOSIMILAR: &str = "Biosimilar";
const CONDITIONAL: &str = "Conditional approval";
const EXCEPTIONAL: &str = "Exceptional circumstances";
const GENERIC: &str = "Generic or hybrid";
const ORPHAN: &str = "Orphan medicine";
const HOLDER: &str = "Marketing authorisation developer / applicant / holder";
const DECISION_DATE: &str = "European Commission decision date";
const OPINION_DATE: &str = "Opinion adopted date";
const APPLICATION_WITHDRAWAL_DATE: &str = "Withdrawal of application date";
const AUTHORISATION_DATE: &str = "Marketing authorisation date";
const REFUSAL_DATE: &str = "Refusal of marketing authorisation date";
const WITHDRAWAL_DATE: &str =
    "Withdrawal / expiry / revocation / lapse of marketing authorisation date";
const SUSPENSION_DATE: &str = "Suspension of marketing authorisation date";
const URL: &str = "Medicine URL";

/// How far down the sheet the header row is looked for.
const HEADER_SEARCH_ROWS: usize = 50;

/// One human medicine row of the table, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based row number in the sheet, for messages.
    pub row_number: usize,
    /// Name of medicine.
    pub name: String,
    /// EMA product number.
    pub product_number: String,
    /// Medicine status.
    pub status: ProductStatus,
    /// INN / common name (the active substance when the INN is empty; empty when both are).
    pub inn: String,
    /// Active substance.
    pub active_substance: String,
    /// Therapeutic areas (MeSH).
    pub therapeutic_areas: Vec<String>,
    /// ATC code.
    pub atc: Option<String>,
    /// Therapeutic indication text, as written.
    pub indication: String,
    /// Flags.
    pub flags: ProductFlags,
    /// Holder.
    pub holder: Option<String>,
    /// Dates.
    pub dates: ProductDates,
    /// EPAR URL.
    pub url: Option<String>,
}

/// A row the importer could not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRow {
    /// 1-based row number in the sheet.
    pub row_number: usize,
    /// Why.
    pub reason: String,
}

/// The table as read.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// When the EMA generated the export, as its first row says ("29/01/2026 - 06:00").
    pub generated: Option<String>,
    /// Human medicine rows read.
    pub rows: Vec<Row>,
    /// Rows skipped, with reasons.
    pub skipped: Vec<SkippedRow>,
    /// Data rows seen (human and veterinary, excluding blank rows).
    pub data_rows: usize,
    /// Veterinary rows left out.
    pub veterinary: usize,
}

/// Column positions, found by header name.
#[derive(Debug, Clone)]
pub struct Columns {
    index: Vec<usize>,
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Columns {
    /// Maps the expected headers to positions; fails listing every missing header.
    pub fn from_header(header: &[String]) -> Result<Columns, Vec<&'static str>> {
        let names: Vec<String> = header.iter().map(|h| collapse(h)).collect();
        let mut index = Vec::with_capacity(COLUMNS.len());
        let mut missing = Vec::new();
        for want in COLUMNS {
            match names.iter().position(|n| n.eq_ignore_ascii_case(want)) {
                Some(i) => index.push(i),
                None => missing.push(*want),
            }
        }
        if missing.is_empty() {
            Ok(Columns { index })
        } else {
            Err(missing)
        }
    }

    fn get<'a>(&self, cells: &'a [Cell], column: &str) -> &'a Cell {
        static EMPTY: Cell = Cell::Empty;
        COLUMNS
            .iter()
            .position(|c| *c == column)
            .and_then(|k| self.index.get(k))
            .and_then(|&i| cells.get(i))
            .unwrap_or(&EMPTY)
    }
}

/// A cell, reduced to what the table holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A number (Excel dates are day serials).
    Number(f64),
}

impl Cell {
    fn from_data(d: &Data) -> Cell {
        match d {
            Data::Empty => Cell::Empty,
            Data::String(s) => {
                if s.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(s.clone())
                }
            }
            Data::Float(f) => Cell::Number(*f),
            Data::Int(i) => Cell::Number(*i as f64),
            Data::DateTime(dt) => Cell::Number(dt.as_f64()),
            other => Cell::Text(other.to_string()),
        }
    }

    fn text(&self) -> Option<String> {
        match self {
            Cell::Empty => None,
            Cell::Text(s) => Some(s.trim().to_string()),
            Cell::Number(n) => Some(n.to_string()),
        }
    }
}

/// Reads the table from an xlsx file.
pub fn read(path: &Path) -> Result<Table, ImportError> {
    let mut wb: Xlsx<_> =
        open_workbook(path).map_err(|e: calamine::XlsxError| ImportError::Open {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
    let sheets = wb.sheet_names();
    if !sheets.iter().any(|s| s == SHEET) {
        return Err(ImportError::NoSheet {
            found: sheets.join(", "),
        });
    }
    let range = wb.worksheet_range(SHEET).map_err(|e| ImportError::Open {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let rows: Vec<Vec<Cell>> = range
        .rows()
        .map(|r| r.iter().map(Cell::from_data).collect())
        .collect();
    // The sheet's first row is row 1 whatever the used range says.
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    from_rows(&rows, first_row + 1)
}

/// Reads the table from rows of cells (`first_row_number`: the sheet row of `rows[0]`).
pub fn from_rows(rows: &[Vec<Cell>], first_row_number: usize) -> Result<Table, ImportError> {
    let mut header_at = None;
    let mut best_missing: Vec<&'static str> = COLUMNS.to_vec();
    for (i, row) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let header: Vec<String> = row.iter().map(|c| c.text().unwrap_or_default()).collect();
        match Columns::from_header(&header) {
            Ok(cols) => {
                header_at = Some((i, cols));
                break;
            }
            Err(missing) => {
                if missing.len() < best_missing.len() {
                    best_missing = missing;
                }
            }
        }
    }
    let Some((h, cols)) = header_at else {
        return Err(ImportError::NoHeader {
            missing: best_missing.join("; "),
        });
    };
    let generated = rows.first().and_then(|r| {
        r.iter()
            .filter_map(Cell::text)
            .find(|t| t.chars().next().is_some_and(|c| c.is_ascii_digit()) && t.contains('/'))
    });
    let mut table = Table {
        generated,
        ..Table::default()
    };
    let mut seen = std::collections::HashSet::new();
    for (k, cells) in rows.iter().enumerate().skip(h + 1) {
        let row_number = first_row_number + k;
        if cells.iter().all(|c| *c == Cell::Empty) {
            continue;
        }
        table.data_rows += 1;
        match map_row(&cols, cells, row_number) {
            Ok(Some(row)) => {
                if !seen.insert(row.product_number.clone()) {
                    table.skipped.push(SkippedRow {
                        row_number,
                        reason: format!("product number {} appears twice", row.product_number),
                    });
                } else {
                    table.rows.push(row);
                }
            }
            Ok(None) => table.veterinary += 1,
            Err(RowError::UnknownStatus(value)) => {
                return Err(ImportError::UnknownStatus {
                    row: row_number,
                    value,
                });
            }
            Err(RowError::Bad(reason)) => table.skipped.push(SkippedRow { row_number, reason }),
        }
    }
    Ok(table)
}

/// Why a row was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowError {
    /// A status outside the known vocabulary: the format changed, the import stops.
    UnknownStatus(String),
    /// Anything else: the row is skipped.
    Bad(String),
}

/// Maps the EMA's status words, exactly; anything else is unknown.
pub fn status(value: &str) -> Option<ProductStatus> {
    Some(match value.trim() {
        "Authorised" => ProductStatus::Authorised,
        "Withdrawn" => ProductStatus::Withdrawn,
        "Expired" => ProductStatus::Expired,
        "Lapsed" => ProductStatus::Lapsed,
        "Revoked" => ProductStatus::Revoked,
        "Refused" => ProductStatus::Refused,
        "Suspended" => ProductStatus::Suspended,
        "Application withdrawn" => ProductStatus::ApplicationWithdrawn,
        "Withdrawn from rolling review" => ProductStatus::WithdrawnFromRollingReview,
        "Opinion" => ProductStatus::Opinion,
        "Opinion under re-examination" => ProductStatus::OpinionUnderReexamination,
        _ => return None,
    })
}

fn flag(cols: &Columns, cells: &[Cell], column: &str) -> Result<bool, RowError> {
    match cols.get(cells, column).text().as_deref() {
        Some("Yes") => Ok(true),
        Some("No") | None => Ok(false),
        Some(other) => Err(RowError::Bad(format!(
            "column \"{column}\" holds \"{other}\", expected Yes or No"
        ))),
    }
}

fn date(cols: &Columns, cells: &[Cell], column: &str) -> Result<Option<String>, RowError> {
    match cols.get(cells, column) {
        Cell::Empty => Ok(None),
        Cell::Number(n) => serial_date(*n).map(Some).ok_or_else(|| {
            RowError::Bad(format!(
                "column \"{column}\" holds the number {n}, not a date"
            ))
        }),
        Cell::Text(t) => parse_date(t.trim()).map(Some).ok_or_else(|| {
            RowError::Bad(format!(
                "column \"{column}\" holds \"{t}\", expected a date DD/MM/YYYY"
            ))
        }),
    }
}

/// "29/01/2026" → "2026-01-29"; also accepts "2026-01-29".
pub fn parse_date(t: &str) -> Option<String> {
    let t = t.split_whitespace().next()?;
    let (y, m, d) = if let [d, m, y] = t.split('/').collect::<Vec<_>>()[..] {
        (
            y.parse::<u32>().ok()?,
            m.parse::<u32>().ok()?,
            d.parse::<u32>().ok()?,
        )
    } else if let [y, m, d] = t.split('-').collect::<Vec<_>>()[..] {
        (
            y.parse::<u32>().ok()?,
            m.parse::<u32>().ok()?,
            d.parse::<u32>().ok()?,
        )
    } else {
        return None;
    };
    valid(y, m, d).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn valid(y: u32, m: u32, d: u32) -> bool {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2200).contains(&y) && (1..=days).contains(&d)
}

/// An Excel day serial (1900 system) as a date.
fn serial_date(n: f64) -> Option<String> {
    if !(1.0..200_000.0).contains(&n) {
        return None;
    }
    // Days from 1970-01-01; Excel's day 25569 is 1970-01-01.
    let z = n.floor() as i64 - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// Reads one row; `Ok(None)` for a veterinary medicine.
pub fn map_row(cols: &Columns, cells: &[Cell], row_number: usize) -> Result<Option<Row>, RowError> {
    let text = |c: &str| cols.get(cells, c).text();
    match text(CATEGORY).as_deref() {
        Some("Human") => {}
        Some("Veterinary") => return Ok(None),
        Some(other) => {
            return Err(RowError::Bad(format!(
                "category \"{other}\" is neither Human nor Veterinary"
            )));
        }
        None => return Err(RowError::Bad("the category is empty".into())),
    }
    let name = text(NAME).ok_or_else(|| RowError::Bad("the medicine has no name".into()))?;
    let product_number = text(PRODUCT_NUMBER)
        .ok_or_else(|| RowError::Bad("the EMA product number is empty".into()))?;
    let status_text =
        text(STATUS).ok_or_else(|| RowError::Bad("the medicine status is empty".into()))?;
    let status = status(&status_text).ok_or(RowError::UnknownStatus(status_text))?;
    let active_substance = text(ACTIVE_SUBSTANCE).unwrap_or_default();
    // Some withdrawn applications carry no INN at all: kept as rows, left out of medicines.
    let inn = text(INN).unwrap_or_else(|| active_substance.clone());
    if inn.is_empty() && status.is_authorised() {
        return Err(RowError::Bad(format!(
            "{name} ({product_number}) is authorised but both its INN and its active substance are empty"
        )));
    }
    let therapeutic_areas = text(THERAPEUTIC_AREA)
        .map(|t| {
            t.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let flags = ProductFlags {
        orphan: flag(cols, cells, ORPHAN)?,
        conditional: flag(cols, cells, CONDITIONAL)?,
        exceptional: flag(cols, cells, EXCEPTIONAL)?,
        biosimilar: flag(cols, cells, BIOSIMILAR)?,
        generic: flag(cols, cells, GENERIC)?,
        additional_monitoring: flag(cols, cells, ADDITIONAL_MONITORING)?,
    };
    let dates = ProductDates {
        opinion: date(cols, cells, OPINION_DATE)?,
        authorisation: date(cols, cells, AUTHORISATION_DATE)?,
        last_decision: date(cols, cells, DECISION_DATE)?,
        withdrawal: date(cols, cells, WITHDRAWAL_DATE)?,
        refusal: date(cols, cells, REFUSAL_DATE)?,
        application_withdrawal: date(cols, cells, APPLICATION_WITHDRAWAL_DATE)?,
        suspension: date(cols, cells, SUSPENSION_DATE)?,
    };
    Ok(Some(Row {
        row_number,
        name,
        product_number,
        status,
        inn,
        active_substance,
        therapeutic_areas,
        atc: text(ATC),
        indication: match cols.get(cells, INDICATION) {
            Cell::Text(t) => t.clone(),
            _ => String::new(),
        },
        flags,
        holder: text(HOLDER),
        dates,
        url: text(URL),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<Cell> {
        COLUMNS
            .iter()
            .map(|c| Cell::Text(c.replace("Pharmaco", "Pharmaco\n")))
            .collect()
    }

    fn row(values: &[(&str, &str)]) -> Vec<Cell> {
        COLUMNS
            .iter()
            .map(|c| {
                values
                    .iter()
                    .find(|(k, _)| k == c)
                    .map_or(Cell::Empty, |(_, v)| Cell::Text((*v).to_string()))
            })
            .collect()
    }

    fn olumiant() -> Vec<Cell> {
        row(&[
            (CATEGORY, "Human"),
            (NAME, "Olumiant"),
            (PRODUCT_NUMBER, "EMEA/H/C/004085"),
            (STATUS, "Authorised"),
            (INN, "baricitinib"),
            (ACTIVE_SUBSTANCE, "baricitinib"),
            (ORPHAN, "No"),
            (ADDITIONAL_MONITORING, "Yes"),
            (AUTHORISATION_DATE, "13/02/2017"),
            (THERAPEUTIC_AREA, "Arthritis, Rheumatoid;Dermatitis, Atopic"),
        ])
    }

    #[test]
    fn header_found_below_preamble() -> Result<(), ImportError> {
        let rows = vec![
            vec![Cell::Text("Content type:".into())],
            vec![],
            header(),
            olumiant(),
        ];
        let t = from_rows(&rows, 1)?;
        assert_eq!(t.rows.len(), 1);
        let r = &t.rows[0];
        assert_eq!(r.row_number, 4);
        assert_eq!(r.status, ProductStatus::Authorised);
        assert!(r.flags.additional_monitoring && !r.flags.orphan);
        assert_eq!(r.dates.authorisation.as_deref(), Some("2017-02-13"));
        assert_eq!(r.therapeutic_areas.len(), 2);
        Ok(())
    }

    #[test]
    fn missing_columns_listed() {
        let mut h = header();
        h.retain(|c| *c != Cell::Text(STATUS.into()));
        match from_rows(&[h], 1) {
            Err(ImportError::NoHeader { missing }) => assert_eq!(missing, STATUS),
            other => panic!("expected NoHeader, got {other:?}"),
        }
    }

    #[test]
    fn bad_rows_skipped_with_number_and_unknown_status_fails() -> Result<(), ImportError> {
        let mut bad_date = olumiant();
        let k = COLUMNS
            .iter()
            .position(|c| *c == AUTHORISATION_DATE)
            .unwrap_or(0);
        bad_date[k] = Cell::Text("31/02/2017".into());
        let t = from_rows(&[header(), bad_date], 1)?;
        assert_eq!(t.skipped.len(), 1);
        assert_eq!(t.skipped[0].row_number, 2);
        assert!(t.skipped[0].reason.contains("31/02/2017"));

        let mut odd = olumiant();
        let k = COLUMNS.iter().position(|c| *c == STATUS).unwrap_or(0);
        odd[k] = Cell::Text("Dormant".into());
        assert!(matches!(
            from_rows(&[header(), odd], 1),
            Err(ImportError::UnknownStatus { row: 2, .. })
        ));
        Ok(())
    }

    #[test]
    fn veterinary_left_out() -> Result<(), ImportError> {
        let mut vet = olumiant();
        vet[0] = Cell::Text("Veterinary".into());
        let t = from_rows(&[header(), vet], 1)?;
        assert_eq!((t.rows.len(), t.veterinary), (0, 1));
        Ok(())
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("29/01/2026").as_deref(), Some("2026-01-29"));
        assert_eq!(parse_date("29/02/2025"), None);
        assert_eq!(serial_date(45_000.0).as_deref(), Some("2023-03-15"));
    }
}
