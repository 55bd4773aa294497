//! Data-driven: one row of `data/checks.jsonl` per patient rule. Each row gives a
//! medicine and a patient and lists *every* flag the check must raise (as
//! `id/level[/jurisdiction]`), so a rule that fires on the wrong patient fails as
//! surely as one that does not fire. Optional `doses` (flag → adjusted daily mg, or
//! null when the pack states no figure), `screening` and `monitoring` (plan ids that
//! must be present). Every flag and plan item must name its body and cite a source.

use offlabel_engine::patient::Patient;
use offlabel_engine::{CheckRequest, Engine};
use serde_json::Value;
use std::collections::BTreeSet;

fn label(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

fn problems(engine: &Engine, case: &Value) -> Vec<String> {
    let patient: Patient = match serde_json::from_value(case["patient"].clone()) {
        Ok(p) => p,
        Err(e) => return vec![format!("bad patient in the table: {e}")],
    };
    let request = CheckRequest {
        drug: case["drug"].as_str().unwrap_or_default().to_string(),
        condition: case["condition"].as_str().map(str::to_string),
        region: None,
        patient,
        ..CheckRequest::default()
    };
    let report = match engine.check(&request) {
        Ok(r) => r,
        Err(e) => return vec![format!("check refused: {e}")],
    };
    let out = serde_json::to_value(&report).unwrap_or_default();
    let mut problems = Vec::new();
    let flags = out["flags"].as_array().cloned().unwrap_or_default();
    for f in &flags {
        if f["body"].as_str().unwrap_or("").is_empty()
            || f["sources"].as_array().is_none_or(|s| s.is_empty())
        {
            problems.push(format!("flag {} has no body or source", f["id"]));
        }
    }
    if let Some(want) = case["flags"].as_array() {
        let want: BTreeSet<String> = want.iter().map(label).collect();
        let got: BTreeSet<String> = flags
            .iter()
            .map(|f| {
                let mut s = format!("{}/{}", label(&f["id"]), label(&f["level"]));
                if let Some(j) = f["jurisdiction"].as_str() {
                    s.push('/');
                    s.push_str(j);
                }
                s
            })
            .collect();
        if want != got {
            problems.push(format!("flags: want {want:?}, got {got:?}"));
        }
    }
    if let Some(want) = case["doses"].as_object() {
        let got: Vec<(String, Value)> = out["dose_adjustments"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|d| (label(&d["flag"]), d["adjusted_daily_mg"].clone()))
            .collect();
        let want: Vec<(String, Value)> = want.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let same = got.len() == want.len()
            && want.iter().all(|(k, v)| {
                got.iter().any(|(gk, gv)| {
                    gk == k && gv.as_f64() == v.as_f64() && gv.is_null() == v.is_null()
                })
            });
        if !same {
            problems.push(format!("doses: want {want:?}, got {got:?}"));
        }
    }
    for plan in ["screening", "monitoring"] {
        let Some(want) = case[plan].as_array() else {
            continue;
        };
        let items = out[plan].as_array().cloned().unwrap_or_default();
        for item in &items {
            if item["body"].as_str().unwrap_or("").is_empty()
                || item["sources"].as_array().is_none_or(|s| s.is_empty())
            {
                problems.push(format!("{plan} item {} has no body or source", item["id"]));
            }
        }
        let got: BTreeSet<String> = items.iter().map(|i| label(&i["id"])).collect();
        for w in want {
            if !got.contains(&label(w)) {
                problems.push(format!("{plan}: {w} missing (got {got:?})"));
            }
        }
    }
    problems
}

#[test]
fn every_patient_rule_fires_on_its_patient_and_no_one_else() {
    let engine = Engine::new(offlabel_embedded::pack().expect("the embedded pack loads"));
    let table = include_str!("data/checks.jsonl");
    let mut failures = Vec::new();
    let mut cases = 0;
    for line in table.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("a JSON line");
        cases += 1;
        for p in problems(&engine, &case) {
            failures.push(format!("{} ({}): {p}", case["id"], label(&case["rule"])));
        }
    }
    assert!(cases >= 30, "the table lost rows: {cases}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
