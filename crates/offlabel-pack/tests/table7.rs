//! The review's Table 7 recomputed from the pack's study records.
//!
//! Every row must match, except rows listed in `data/table7-exceptions.toml`, where
//! the review's own counts disagree with its text and tables. Those rows record the
//! counts the pack holds and the reason; the test checks that they still disagree (so
//! the list cannot go stale) and that the pack's counts are the ones written down.

use offlabel_pack::Pack;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Table {
    rows: Vec<Row>,
}

#[derive(Deserialize)]
struct Row {
    row: String,
    studies: u32,
    patients: u32,
}

#[derive(Deserialize)]
struct Exceptions {
    exception: Vec<Exception>,
}

#[derive(Deserialize)]
struct Exception {
    row: String,
    pack_studies: u32,
    pack_patients: u32,
    reason: String,
}

fn counts(pack: &Pack) -> BTreeMap<String, (u32, u32)> {
    let mut out: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for s in &pack.studies {
        for row in &s.table7 {
            let e = out.entry(row.clone()).or_default();
            e.0 += 1;
            e.1 += s.n.unwrap_or(0);
        }
    }
    out
}

#[test]
fn table7_recomputed_from_the_pack() {
    let pack = offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}"));
    let table: Table = toml::from_str(include_str!("data/table7.toml"))
        .unwrap_or_else(|e| panic!("table7.toml: {e}"));
    let exceptions: Exceptions = toml::from_str(include_str!("data/table7-exceptions.toml"))
        .unwrap_or_else(|e| panic!("table7-exceptions.toml: {e}"));
    let got = counts(&pack);
    let mut problems = Vec::new();
    for row in &table.rows {
        let pack_counts = got.get(&row.row).copied().unwrap_or((0, 0));
        match exceptions.exception.iter().find(|e| e.row == row.row) {
            Some(e) => {
                assert!(
                    !e.reason.trim().is_empty(),
                    "{}: an exception needs a reason",
                    row.row
                );
                if pack_counts == (row.studies, row.patients) {
                    problems.push(format!(
                        "{}: now matches Table 7; remove it from the exceptions",
                        row.row
                    ));
                } else if pack_counts != (e.pack_studies, e.pack_patients) {
                    problems.push(format!(
                        "{}: pack has {:?}, exception file says ({}, {})",
                        row.row, pack_counts, e.pack_studies, e.pack_patients
                    ));
                }
            }
            None if pack_counts != (row.studies, row.patients) => {
                problems.push(format!(
                    "{}: Table 7 says {} studies / {} patients, the pack has {} / {}",
                    row.row, row.studies, row.patients, pack_counts.0, pack_counts.1
                ));
            }
            None => {}
        }
    }
    for row in got.keys() {
        if !table.rows.iter().any(|r| &r.row == row) {
            problems.push(format!(
                "a study names Table 7 row {row:?}, which the table does not have"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
