//! Import of the fixture quarters (tests/fixtures/faers, see its README) and the
//! counts that follow: deduplication, deletion, roles, bad lines, intake reports.

use offlabel_signals::count::{Counts, Stratify};
use offlabel_signals::signals;
use offlabel_signals::store::{LoadOptions, Roles, Store};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/faers")
}

// Without a resolver (`|_| None`) a drug's key is its lower-case active ingredient, or
// its name (offlabel_signals::drugs::fallback_key).

fn import(dir: &tempfile::TempDir) -> (Store, offlabel_signals::store::ImportSummary) {
    let mut store = Store::open(&dir.path().join("reports.sqlite"), true).expect("store");
    let mut calls = 0;
    let summary = store
        .import_faers(&[fixtures()], &mut |_| None, &mut |_| calls += 1)
        .expect("import");
    assert!(calls > 0, "progress reported");
    (store, summary)
}

/// `(drug, event) → a` and the margins, by name.
fn table(store: &Store, roles: Roles) -> (u64, BTreeMap<(String, String), u32>) {
    let loaded = store
        .load(&LoadOptions {
            roles,
            ..LoadOptions::default()
        })
        .expect("load");
    let counts = Counts::build(&loaded.set, Stratify::None);
    let cells = counts
        .cells
        .iter()
        .map(|c| {
            (
                (
                    loaded.set.drug_names[c.drug as usize].clone(),
                    loaded.set.event_names[c.event as usize].clone(),
                ),
                c.a,
            )
        })
        .collect();
    (counts.n, cells)
}

fn pairs(list: &[(&str, &str, u32)]) -> BTreeMap<(String, String), u32> {
    list.iter()
        .map(|(d, e, a)| ((d.to_string(), e.to_string()), *a))
        .collect()
}

#[test]
fn imports_quarters_and_counts_bad_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, summary) = import(&dir);
    assert_eq!(summary.quarters, ["2023Q3", "2024Q1"]);
    assert_eq!(summary.bad_lines(), 2);
    let drug = summary
        .files
        .iter()
        .find(|f| f.path.ends_with("DRUG23Q3.txt"))
        .expect("DRUG file");
    assert_eq!((drug.rows, drug.bad_lines), (7, 1));
    assert!(
        drug.examples[0].starts_with("line 7: 21 fields"),
        "{:?}",
        drug.examples
    );
    let reac = summary
        .files
        .iter()
        .find(|f| f.path.ends_with("REAC23Q3.txt"))
        .expect("REAC file");
    assert_eq!((reac.rows, reac.bad_lines), (7, 1));
    assert!(
        reac.examples[0].contains("primaryid \"xx01\""),
        "{:?}",
        reac.examples
    );
}

#[test]
fn deduplicates_deletes_and_counts_suspects() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = import(&dir);
    let loaded = store.load(&LoadOptions::default()).expect("load");
    assert_eq!(loaded.faers_versions, 9);
    // Cases 100, 200, 300, 500, 600; 400 deleted.
    assert_eq!(loaded.faers_reports, 5);
    let (n, cells) = table(&store, Roles::Suspect);
    assert_eq!(n, 5);
    assert_eq!(
        cells,
        pairs(&[
            ("adalimumab", "nausea", 1),
            ("aspirin 81 mg", "headache", 1),
            ("baricitinib", "deep vein thrombosis", 1),
            ("baricitinib", "nausea", 1),
            ("baricitinib", "pulmonary embolism", 1),
            ("tofacitinib citrate", "herpes zoster", 1),
            ("upadacitinib", "herpes zoster", 1),
            ("upadacitinib", "nausea", 1),
        ])
    );
}

#[test]
fn role_all_adds_concomitants() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = import(&dir);
    let (n, cells) = table(&store, Roles::All);
    assert_eq!(n, 5);
    assert_eq!(
        cells.get(&("methotrexate".into(), "herpes zoster".into())),
        Some(&1)
    );
    assert_eq!(
        cells.get(&("methotrexate".into(), "nausea".into())),
        Some(&1)
    );
    assert_eq!(cells.len(), 10);
}

#[test]
fn two_by_two_and_statistics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = import(&dir);
    let loaded = store.load(&LoadOptions::default()).expect("load");
    let counts = Counts::build(&loaded.set, Stratify::None);
    let hyper = offlabel_signals::Hyper::new(0.2, 0.1, 2.0, 4.0, 1.0 / 3.0);
    let stats = signals::compute(&counts, hyper, |_| true);
    let name = |s: &offlabel_signals::PairStats| {
        (
            loaded.set.drug_names[s.drug as usize].as_str(),
            loaded.set.event_names[s.event as usize].as_str(),
        )
    };
    let s = stats
        .iter()
        .find(|s| name(s) == ("baricitinib", "nausea"))
        .expect("pair");
    let t = s.table;
    assert_eq!((t.a, t.b, t.c, t.d), (1, 1, 1, 2));
    assert!((s.expected - 0.8).abs() < 1e-12);
    assert!((s.prr.value - 1.5).abs() < 1e-12);
    // ROR with no zero cell: ad/bc = 2.
    assert!((s.ror.value - 2.0).abs() < 1e-12);
}

#[test]
fn reimport_replaces_the_quarter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, _) = import(&dir);
    store
        .import_faers(&[fixtures()], &mut |_| None, &mut |_| {})
        .expect("second import");
    let loaded = store.load(&LoadOptions::default()).expect("load");
    assert_eq!((loaded.faers_versions, loaded.faers_reports), (9, 5));
    let (n, cells) = table(&store, Roles::Suspect);
    assert_eq!((n, cells.len()), (5, 8));
}

#[test]
fn intake_reports_join_the_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = import(&dir);
    // The intake service's tables (offlabel-reports migration 1, the columns read).
    let conn = rusqlite::Connection::open(dir.path().join("reports.sqlite")).expect("open");
    conn.execute_batch(
        "CREATE TABLE reports (id TEXT PRIMARY KEY, patient_age REAL, patient_sex TEXT);
         CREATE TABLE report_drugs (report_id TEXT NOT NULL, position INTEGER NOT NULL, name_verbatim TEXT NOT NULL, drug_id TEXT, role TEXT NOT NULL);
         CREATE TABLE report_reactions (report_id TEXT NOT NULL, position INTEGER NOT NULL, term TEXT NOT NULL, meddra_code TEXT);
         INSERT INTO reports VALUES ('r1', 50, 'female'), ('r2', NULL, NULL);
         INSERT INTO report_drugs VALUES ('r1', 1, 'Olumiant 4 mg', 'baricitinib', 'suspect'),
                                         ('r1', 2, 'Ibuprofen', NULL, 'concomitant'),
                                         ('r2', 1, ' Zyrtec ', NULL, 'interacting');
         INSERT INTO report_reactions VALUES ('r1', 1, 'Deep Vein Thrombosis ', '10051055'),
                                             ('r2', 1, 'Somnolence', NULL);",
    )
    .expect("intake tables");
    let loaded = store.load(&LoadOptions::default()).expect("load");
    assert_eq!(loaded.intake_reports, 2);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let (n, cells) = table(&store, Roles::Suspect);
    assert_eq!(n, 7);
    assert_eq!(
        cells.get(&("baricitinib".into(), "deep vein thrombosis".into())),
        Some(&2)
    );
    assert_eq!(cells.get(&("zyrtec".into(), "somnolence".into())), Some(&1));
    assert!(!cells.contains_key(&("ibuprofen".into(), "deep vein thrombosis".into())));
    let (_, all) = table(&store, Roles::All);
    assert_eq!(
        all.get(&("ibuprofen".into(), "deep vein thrombosis".into())),
        Some(&1)
    );
}

#[test]
fn refuses_postgres_and_missing_stores() {
    let e = offlabel_signals::store::resolve(Some("postgres://u:secret@db/offlabel"))
        .expect_err("postgres refused");
    let msg = e.to_string();
    assert!(msg.contains("SQLite") && !msg.contains("secret"), "{msg}");
    let dir = tempfile::tempdir().expect("tempdir");
    let e = Store::open(&dir.path().join("none.sqlite"), false).expect_err("missing");
    assert!(e.to_string().contains("offlabel faers import"), "{e}");
}

#[test]
fn cut_lines_negative_ids_and_unknown_roles_are_bad_lines() {
    let data = tempfile::tempdir().expect("tempdir");
    let q = data.path().join("2024q2");
    std::fs::create_dir_all(&q).expect("mkdir");
    let write = |name: &str, text: &str| std::fs::write(q.join(name), text).expect("write");
    write(
        "DEMO24Q2.txt",
        "primaryid$caseid$caseversion$fda_dt\n1$1$1$20240401\n2$2$1$20240401\n-3$3$1$20240401\n",
    );
    write(
        "DRUG24Q2.txt",
        "primaryid$caseid$role_cod$drugname$prod_ai\n1$1$PS$XELJANZ$TOFACITINIB\n2$2$ZZ$OLUMIANT$BARICITINIB\n2$2$PS$XELJ",
    );
    write(
        "REAC24Q2.txt",
        "primaryid$caseid$pt\n1$1$Nausea\n2$2$Rash\n",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("reports.sqlite"), true).expect("store");
    let summary = store
        .import_faers(&[data.path().to_path_buf()], &mut |_| None, &mut |_| {})
        .expect("import");
    let file = |name: &str| {
        summary
            .files
            .iter()
            .find(|f| f.path.ends_with(name))
            .unwrap_or_else(|| panic!("{name}"))
    };
    let demo = file("DEMO24Q2.txt");
    assert_eq!((demo.rows, demo.bad_lines), (2, 1), "{:?}", demo.examples);
    assert!(demo.examples[0].contains("positive"), "{:?}", demo.examples);
    let drug = file("DRUG24Q2.txt");
    assert_eq!((drug.rows, drug.bad_lines), (1, 2), "{:?}", drug.examples);
    assert!(drug.examples.iter().any(|e| e.contains("role_cod")));
    assert!(drug.examples.iter().any(|e| e.contains("cut short")));
    let (_, cells) = table(&store, Roles::All);
    assert!(
        !cells
            .keys()
            .any(|(d, _)| d.contains("xelj") && d != "tofacitinib"),
        "{cells:?}"
    );
}
