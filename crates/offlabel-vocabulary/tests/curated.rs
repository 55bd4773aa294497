//! Every curated condition of `knowledge/conditions.toml` links to a live DO term or says why
//! none fits; names that differ from DO are listed (warnings).

use offlabel_model::Condition;
use offlabel_vocabulary::{Vocabulary, check_curated};

#[derive(serde::Deserialize)]
struct File {
    condition: Vec<Condition>,
}

#[test]
fn curated_conditions_link_to_live_do_terms() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../knowledge/conditions.toml"
    );
    let text = std::fs::read_to_string(path).expect("knowledge/conditions.toml is readable");
    let file: File = toml::from_str(&text).expect("knowledge/conditions.toml parses");
    let v = Vocabulary::embedded().expect("the committed layer parses");
    let problems = check_curated(&file.condition, &v);
    for p in &problems {
        println!("{}{p}", if p.is_error() { "error: " } else { "warning: " });
    }
    let errors: Vec<String> = problems
        .iter()
        .filter(|p| p.is_error())
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let linked = file.condition.iter().filter(|c| c.doid.is_some()).count();
    println!(
        "{linked} of {} curated conditions carry a DOID",
        file.condition.len()
    );
}

#[test]
fn dangling_and_obsolete_doids_are_errors() {
    let v = Vocabulary::embedded().expect("the committed layer parses");
    let mut c: Condition = toml::from_str(
        r#"id = "x"
name = "Psoriasis"
doid = "DOID:999999999"
in_area = true
sources = ["s"]"#,
    )
    .expect("a valid condition");
    let p = check_curated([&c], &v);
    assert!(p[0].is_error() && p[0].to_string().contains("not a Disease Ontology term"));
    let retired = &v.layer().retired[0];
    c.doid = Some(retired.id.clone());
    let p = check_curated([&c], &v);
    assert!(p[0].to_string().contains("obsolete"), "{}", p[0]);
    c.doid = Some("8893".into());
    assert!(check_curated([&c], &v)[0].to_string().contains("DOID:"));
    c.doid = Some("DOID:8893".into());
    assert!(check_curated([&c], &v).is_empty());
    c.doid = None;
    assert!(check_curated([&c], &v)[0].is_error());
}
