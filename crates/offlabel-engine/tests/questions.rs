//! Data-driven: every question of `data/questions.jsonl` (same format as the public
//! eval) is answered by the engine and checked field by field.

use offlabel_engine::{Answer, Engine};
use serde_json::Value;

fn norm(s: &str) -> String {
    s.to_lowercase()
        .replace(['\u{2013}', '\u{2014}'], "-")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn check(case: &Value, a: &Answer) -> Vec<String> {
    let exp = &case["expect"];
    let out = serde_json::to_value(a).unwrap_or_default();
    let mut problems = Vec::new();
    // A list names every acceptable medicine (as in score.py).
    if let Some(d) = exp.get("drug")
        && out["drug"]["id"] != *d
        && !d
            .as_array()
            .is_some_and(|alts| alts.contains(&out["drug"]["id"]))
        && !(d.is_null() && out["drug"].is_null())
    {
        problems.push(format!("drug: want {d}, got {}", out["drug"]["id"]));
    }
    if let Some(c) = exp.get("condition") {
        let text = norm(&format!(
            "{} {}",
            out["condition"]["id"].as_str().unwrap_or(""),
            out["condition"]["name"].as_str().unwrap_or("")
        ));
        match c.as_array() {
            None if !out["condition"].is_null() => {
                problems.push(format!("condition: want none, got {}", out["condition"]))
            }
            Some(alts)
                if !alts
                    .iter()
                    .any(|k| text.contains(&norm(k.as_str().unwrap_or("")))) =>
            {
                problems.push(format!("condition: want {c}, got {}", out["condition"]))
            }
            _ => {}
        }
    }
    if let Some(st) = exp.get("status").and_then(Value::as_object) {
        for (j, want) in st {
            // A list means any of its values is acceptable (as in score.py).
            let accepted = match want.as_array() {
                Some(alts) => alts.contains(&out["status"][j]),
                None => out["status"][j] == *want,
            };
            if !accepted {
                problems.push(format!("status.{j}: want {want}, got {}", out["status"][j]));
            }
        }
    }
    if let Some(be) = exp.get("best_evidence") {
        let got = &out["best_evidence"];
        if be.is_null() {
            if !got.is_null() {
                problems.push(format!("best_evidence: want none, got {got}"));
            }
        } else {
            let same = |d: &Value| {
                let canon = |x: &str| {
                    if x == "open_label_trial" {
                        "prospective_study".to_string()
                    } else {
                        x.to_string()
                    }
                };
                canon(d.as_str().unwrap_or("")) == canon(got["design"].as_str().unwrap_or("-"))
            };
            if !same(&be["design"]) || (be.get("n").is_some() && be["n"] != got["n"]) {
                problems.push(format!("best_evidence: want {be}, got {got}"));
            }
        }
    }
    if let Some(flags) = exp.get("flags").and_then(Value::as_object) {
        for (id, levels) in flags {
            let hit = out["flags"].as_array().into_iter().flatten().any(|f| {
                f["id"] == *id && levels.as_array().is_some_and(|l| l.contains(&f["level"]))
            });
            if !hit {
                problems.push(format!("flag {id}: want {levels}"));
            }
        }
    }
    // Findings the question does not state must not be flagged ("no history of clots").
    for id in exp
        .get("flags_absent")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if out["flags"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f["id"] == *id)
        {
            problems.push(format!("flag {id}: want none"));
        }
    }
    let answer = norm(out["answer"].as_str().unwrap_or(""));
    for item in exp
        .get("answer_contains")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let alts: Vec<String> = match item {
            Value::Array(a) => a.iter().filter_map(Value::as_str).map(norm).collect(),
            other => vec![norm(other.as_str().unwrap_or(""))],
        };
        if !alts.iter().any(|a| answer.contains(a)) {
            problems.push(format!("answer lacks {alts:?}"));
        }
    }
    // Text that must not appear ("how much does it cost" gives no dosing).
    for item in exp
        .get("answer_excludes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if answer.contains(&norm(item)) {
            problems.push(format!("answer has {item:?}"));
        }
    }
    for d in exp
        .get("options_include")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if !out["options"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|o| o["drug"]["id"] == *d)
        {
            problems.push(format!("options lack {d}"));
        }
    }
    if (!out["drug"].is_null() || !out["condition"].is_null())
        && out["citations"].as_array().is_none_or(Vec::is_empty)
    {
        problems.push("no citations".into());
    }
    problems
}

#[test]
fn question_table() {
    let engine = Engine::new(offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}")));
    let mut failures = Vec::new();
    let mut count = 0;
    for line in include_str!("data/questions.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let case: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("bad case {line}: {e}"));
        let q = case["q"].as_str().unwrap_or_default();
        count += 1;
        // Per-case options, as score.py passes them: only `--as-of DAY` is known here.
        let args: Vec<&str> = case["args"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let day = args
            .iter()
            .position(|a| *a == "--as-of")
            .and_then(|i| args.get(i + 1))
            .map(|d| d.parse().unwrap_or_else(|e| panic!("{}: {e}", case["id"])));
        match engine.ask_as_of(q, day) {
            Ok(a) => {
                let problems = check(&case, &a);
                if !problems.is_empty() {
                    failures.push(format!("{} {q:?}: {}", case["id"], problems.join("; ")));
                }
            }
            Err(e) => failures.push(format!("{} {q:?}: error {e}", case["id"])),
        }
    }
    assert!(count >= 90, "the table should hold many phrasings");
    assert!(
        failures.is_empty(),
        "{} of {count} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn empty_and_long_questions_are_refused() {
    let engine = Engine::new(offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}")));
    assert!(engine.ask("   ").is_err());
    assert!(engine.ask(&"a".repeat(4097)).is_err());
    assert!(engine.ask(&"a".repeat(4096)).is_ok());
}
