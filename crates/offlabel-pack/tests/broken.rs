//! Broken packs fail the check with messages naming the file, the record and the fix.

use offlabel_pack::{Diagnostic, Pack};

const META: &str = "[pack]\nid = \"t\"\ntitle = \"t\"\nversion = \"1\"\nas_of = \"2024-01-01\"\nscope = \"test\"\n[pack.area]\nname = \"a\"\nname_es = \"a\"\ncondition_word = \"c\"\ncondition_word_es = \"c\"\n";
const SOURCE: &str =
    "[[source]]\nid = \"s\"\ntitle = \"A source\"\nkind = \"regulator\"\nreliability = 5\n";
const MEDICINES: &str = r#"
[[medicine]]
id = "ruxolitinib-topical"
name = "Ruxolitinib cream"
ingredient = "ruxolitinib"
route = "topical"
targets = ["JAK1"]
mechanism = "m"
sources = ["s"]
"#;

fn diagnostics(extra: &[(&str, &str)]) -> Vec<Diagnostic> {
    let mut files = vec![
        ("pack.toml".to_string(), META.to_string()),
        ("sources.toml".to_string(), SOURCE.to_string()),
        ("medicines.toml".to_string(), MEDICINES.to_string()),
    ];
    files.extend(extra.iter().map(|(p, t)| (p.to_string(), t.to_string())));
    Pack::assemble(files).1
}

fn assert_problem(diags: &[Diagnostic], file: &str, record: &str, needle: &str) {
    assert!(
        diags.iter().any(|d| d.file == file
            && d.record == record
            && d.message.contains(needle)
            && !d.fix.is_empty()),
        "expected {file}: {record}: ...{needle}... in {diags:#?}"
    );
}

#[test]
fn syntax_errors_name_the_line() {
    let d = diagnostics(&[("bad.toml", "[[study]]\nid = \n")]);
    assert!(
        d.iter()
            .any(|x| x.file == "bad.toml" && x.record.starts_with("line")),
        "{d:#?}"
    );
}

#[test]
fn unknown_fields_are_rejected() {
    let d = diagnostics(&[(
        "c.toml",
        "[[condition]]\nid = \"x\"\nname = \"X\"\nin_area = true\nsources = [\"s\"]\ncolour = \"red\"\n",
    )]);
    assert!(
        d.iter()
            .any(|x| x.file == "c.toml" && x.message.contains("colour")),
        "{d:#?}"
    );
}

#[test]
fn facts_must_cite_known_sources() {
    let cond = "[[condition]]\nid = \"x\"\nname = \"X\"\nin_area = true\nsources = []\n";
    let study = "[[study]]\nid = \"st\"\nmedicine = \"ruxolitinib-topical\"\ncondition = \"x\"\ndesign = \"rct\"\nn = 0\noutcome = \"o\"\ndirection = \"sideways\"\nlocation = \"text\"\nsources = [\"nope\"]\n";
    let d = diagnostics(&[("c.toml", cond), ("e.toml", study)]);
    assert_problem(&d, "c.toml", "x", "cites no source");
    assert_problem(&d, "e.toml", "st", "unknown source \"nope\"");
    assert_problem(&d, "e.toml", "st", "count");
    assert_problem(&d, "e.toml", "st", "direction");
}

#[test]
fn references_must_resolve() {
    let study = "[[study]]\nid = \"st\"\nmedicine = \"baricitinib-x\"\ncondition = \"nowhere\"\ndesign = \"rct\"\nn = 3\noutcome = \"o\"\ndirection = \"positive\"\nlocation = \"text\"\nsources = [\"s\"]\nrefs = [7]\n";
    let d = diagnostics(&[("e.toml", study)]);
    assert_problem(&d, "e.toml", "st", "unknown medicine");
    assert_problem(&d, "e.toml", "st", "unknown condition");
    assert_problem(&d, "e.toml", "st", "reference 7");
}

#[test]
fn numbers_and_dates_in_range() {
    let eff = "[[efficacy]]\nid = \"ef\"\nmedicine = \"ruxolitinib-topical\"\ncondition = \"x\"\nendpoint = \"E\"\nendpoint_meaning = \"m\"\ntimepoint = \"t\"\narms = [{ label = \"a\", percent = 140 }]\nsources = [\"s\"]\n";
    let cond = "[[condition]]\nid = \"x\"\nname = \"X\"\nin_area = true\nsources = [\"s\"]\n";
    let auth = "[[authorisation]]\nid = \"au\"\nregulator = \"EMA\"\nmedicine = \"ruxolitinib-topical\"\ncondition = \"x\"\nkind = \"authorised\"\ndate = \"2030-01-01\"\npopulation = { age_min = 200 }\nsources = [\"s\"]\n";
    let bad_date = "[[authorisation]]\nid = \"au2\"\nregulator = \"EMA\"\nmedicine = \"ruxolitinib-topical\"\ncondition = \"x\"\nkind = \"authorised\"\ndate = \"2023-02-30\"\nsources = [\"s\"]\n";
    let d = diagnostics(&[("f.toml", eff), ("c.toml", cond), ("a.toml", auth)]);
    assert_problem(&d, "f.toml", "ef", "outside 0-100");
    assert_problem(&d, "a.toml", "au", "after the pack's as_of");
    assert_problem(&d, "a.toml", "au", "age 200");
    let d = diagnostics(&[("c.toml", cond), ("b.toml", bad_date)]);
    assert!(
        d.iter()
            .any(|x| x.file == "b.toml" && x.message.contains("day out of range")),
        "{d:#?}"
    );
}

#[test]
fn duplicates_orphans_and_cycles() {
    let conds = "[[condition]]\nid = \"a\"\nname = \"A\"\nparent = \"b\"\nin_area = true\nsources = [\"s\"]\n\n[[condition]]\nid = \"b\"\nname = \"B\"\nparent = \"a\"\nin_area = true\nsources = [\"s\"]\n\n[[condition]]\nid = \"b\"\nname = \"B2\"\nin_area = true\nsources = [\"s\"]\n";
    let d = diagnostics(&[("c.toml", conds)]);
    assert_problem(&d, "c.toml", "b", "duplicate id");
    assert_problem(&d, "c.toml", "a", "orphan condition");
    let cycle = "[[condition]]\nid = \"a\"\nname = \"A\"\nparent = \"b\"\nin_area = true\nsources = [\"s\"]\n\n[[condition]]\nid = \"b\"\nname = \"B\"\nparent = \"a\"\nin_area = true\nsources = [\"s\"]\n";
    let d = diagnostics(&[("c.toml", cycle)]);
    assert_problem(&d, "c.toml", "a", "loops back");
}

#[test]
fn from_dir_reports_unreadable_folders() {
    let err = Pack::from_dir(std::path::Path::new("/definitely/not/here"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("cannot read") && err.contains("--pack"),
        "{err}"
    );
}

const DATED: &str = "[[source]]\nid = \"label\"\ntitle = \"A label\"\nkind = \"regulator\"\nreliability = 5\nurl = \"https://example.org/label\"\ndate = \"2023-01-01\"\n";

fn authorisation(id: &str, from: &str, to: Option<&str>, sources: &str) -> String {
    format!(
        "[[authorisation]]\nid = \"{id}\"\nregulator = \"FDA\"\nmedicine = \"ruxolitinib-topical\"\ncondition = \"c\"\nkind = \"authorised\"\nvalid_from = \"{from}\"\n{}sources = [{sources}]\n",
        to.map(|t| format!("valid_to = \"{t}\"\n"))
            .unwrap_or_default()
    )
}

const CONDITION: &str =
    "[[condition]]\nid = \"c\"\nname = \"C\"\nin_area = true\nsources = [\"s\"]\n";

#[test]
fn overlapping_validity_fails() {
    let text = format!(
        "{}{}",
        authorisation("old", "2020-01-01", None, "\"label\""),
        authorisation("new", "2023-01-01", None, "\"label\"")
    );
    let d = diagnostics(&[
        ("dated.toml", DATED),
        ("conditions.toml", CONDITION),
        ("authorisations.toml", &text),
    ]);
    assert_problem(
        &d,
        "authorisations.toml",
        "new",
        "in force at the same time as old",
    );
}

#[test]
fn a_superseded_record_with_its_end_date_passes() {
    let text = format!(
        "{}{}",
        authorisation("old", "2020-01-01", Some("2023-01-01"), "\"label\""),
        authorisation("new", "2023-01-01", None, "\"label\"")
    );
    let d = diagnostics(&[
        ("dated.toml", DATED),
        ("conditions.toml", CONDITION),
        ("authorisations.toml", &text),
    ]);
    assert!(
        !d.iter()
            .any(|x| x.message.contains("in force at the same time")),
        "{d:#?}"
    );
    let text = authorisation("backwards", "2023-01-01", Some("2020-01-01"), "\"label\"");
    let d = diagnostics(&[
        ("dated.toml", DATED),
        ("conditions.toml", CONDITION),
        ("authorisations.toml", &text),
    ]);
    assert_problem(
        &d,
        "authorisations.toml",
        "backwards",
        "is not after valid_from",
    );
}

#[test]
fn dated_records_cite_a_source_with_url_and_date() {
    let text = authorisation("undated-source", "2020-01-01", None, "\"s\"");
    let d = diagnostics(&[
        ("conditions.toml", CONDITION),
        ("authorisations.toml", &text),
    ]);
    assert_problem(
        &d,
        "authorisations.toml",
        "undated-source",
        "cites no source with both a URL and a date",
    );
}

#[test]
fn as_of_is_the_newest_fact_date() {
    let text = authorisation("a", "2023-06-01", None, "\"label\"");
    let d = diagnostics(&[
        ("dated.toml", DATED),
        ("conditions.toml", CONDITION),
        ("authorisations.toml", &text),
    ]);
    assert_problem(&d, "pack.toml", "[pack]", "is not the newest fact date");
}
