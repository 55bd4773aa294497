//! Files that are not the EMA's export are refused, saying what was expected; unreadable rows
//! are reported by number. The workbooks are written here, as small xlsx files.

use offlabel_import_ema::{ImportError, import, table::COLUMNS};
use std::io::Write;
use std::path::Path;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A minimal xlsx: one sheet of inline strings.
fn xlsx(path: &Path, sheet: &str, rows: &[Vec<String>]) -> Result<(), Box<dyn std::error::Error>> {
    let mut data = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (i, row) in rows.iter().enumerate() {
        data.push_str(&format!(r#"<row r="{}">"#, i + 1));
        for cell in row {
            data.push_str(&format!(
                r#"<c t="inlineStr"><is><t>{}</t></is></c>"#,
                escape(cell)
            ));
        }
        data.push_str("</row>");
    }
    data.push_str("</sheetData></worksheet>");
    let files = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{}" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
                escape(sheet)
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string(),
        ),
        ("xl/worksheets/sheet1.xml", data),
    ];
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path)?);
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in files {
        zip.start_file(name, options)?;
        zip.write_all(body.as_bytes())?;
    }
    zip.finish()?;
    Ok(())
}

fn header() -> Vec<String> {
    COLUMNS.iter().map(|c| c.to_string()).collect()
}

fn row(name: &str, number: &str, date: &str) -> Vec<String> {
    COLUMNS
        .iter()
        .map(|c| {
            match *c {
                "Category" => "Human",
                "Name of medicine" => name,
                "EMA product number" => number,
                "Medicine status" => "Authorised",
                "International non-proprietary name (INN) / common name" => "baricitinib",
                "Active substance" => "baricitinib",
                "Therapeutic indication" => "Olumiant is indicated for the treatment of severe alopecia areata in adult patients.",
                "Marketing authorisation date" => date,
                _ => "",
            }
            .to_string()
        })
        .collect()
}

#[test]
fn a_workbook_without_the_sheet_is_refused() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("other.xlsx");
    xlsx(
        &file,
        "Sheet1",
        &[header(), row("Olumiant", "EMEA/H/C/004085", "13/02/2017")],
    )?;
    match import(&file, &dir.path().join("out")) {
        Err(e @ ImportError::NoSheet { .. }) => assert!(e.to_string().contains("Sheet1")),
        other => panic!("expected NoSheet, got {other:?}"),
    }
    Ok(())
}

#[test]
fn a_renamed_header_is_refused_with_the_columns_expected() -> Result<(), Box<dyn std::error::Error>>
{
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("renamed.xlsx");
    let mut h = header();
    h[3] = "Status".into();
    xlsx(
        &file,
        "Medicine",
        &[
            vec!["Content type:".into()],
            h,
            row("Olumiant", "EMEA/H/C/004085", "13/02/2017"),
        ],
    )?;
    match import(&file, &dir.path().join("out")) {
        Err(e @ ImportError::NoHeader { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("missing (in the closest row): Medicine status"),
                "{msg}"
            );
            assert!(
                msg.contains("Expected columns: Category; Name of medicine"),
                "{msg}"
            );
        }
        other => panic!("expected NoHeader, got {other:?}"),
    }
    Ok(())
}

#[test]
fn unreadable_rows_are_numbered_and_too_many_fail() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("rows.xlsx");
    // 1 bad row in 150: under 1%, skipped and reported.
    let mut rows = vec![vec!["Content type:".to_string()], header()];
    for i in 0..149 {
        rows.push(row(
            &format!("Med {i}"),
            &format!("EMEA/H/C/{i:06}"),
            "13/02/2017",
        ));
    }
    rows.push(row("Broken", "EMEA/H/C/999999", "31/02/2017"));
    xlsx(&file, "Medicine", &rows)?;
    let s = import(&file, &dir.path().join("out"))?;
    assert_eq!(s.skipped.len(), 1);
    assert_eq!(s.skipped[0].row_number, 152);
    assert!(s.skipped[0].reason.contains("31/02/2017"));
    assert_eq!(s.products, 149);
    assert!(dir.path().join("out/indications.jsonl").exists());

    // 2 bad rows in 10: refused.
    let mut rows = vec![header()];
    for i in 0..8 {
        rows.push(row(
            &format!("Med {i}"),
            &format!("EMEA/H/C/{i:06}"),
            "13/02/2017",
        ));
    }
    rows.push(row("Broken", "EMEA/H/C/999998", "2017"));
    rows.push(row("Broken too", "EMEA/H/C/999999", "yesterday"));
    let file = dir.path().join("many.xlsx");
    xlsx(&file, "Medicine", &rows)?;
    match import(&file, &dir.path().join("out2")) {
        Err(ImportError::TooManySkipped {
            skipped: 2,
            rows: 10,
            first_row: 10,
            ..
        }) => {}
        other => panic!("expected TooManySkipped, got {other:?}"),
    }
    assert!(
        !dir.path().join("out2").exists(),
        "nothing written on failure"
    );
    Ok(())
}
