//! Measures the context module on the NegEx/ConText test set (the half in
//! `../shared/data/context/negex-dev.tsv`; evaluation only, nothing of it is copied here).
//!
//! `cargo test -p offlabel-context --test negex -- --ignored --nocapture` prints the report.

use offlabel_context::{Context, Experiencer, Temporality, locate};
use std::path::PathBuf;

fn data() -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/context/negex-dev.tsv");
    std::fs::read_to_string(path).ok()
}

#[derive(Default, Debug, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
    tn: usize,
}

impl Counts {
    fn add(&mut self, truth: bool, said: bool) {
        match (truth, said) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }
    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

struct Report {
    rows: usize,
    missing: usize,
    negation: Counts,
    historical: Counts,
    hypothetical: Counts,
    other: Counts,
    errors: Vec<String>,
}

fn evaluate(text: &str) -> Report {
    let ctx = Context::get();
    let mut report = Report {
        rows: 0,
        missing: 0,
        negation: Counts::default(),
        historical: Counts::default(),
        hypothetical: Counts::default(),
        other: Counts::default(),
        errors: Vec::new(),
    };
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [_, target, sentence, negation, temporality, experiencer] = cols.as_slice() else {
            continue;
        };
        report.rows += 1;
        let Some(range) = locate(sentence, target.trim()) else {
            report.missing += 1;
            report.errors.push(format!("MISSING [{target}] {sentence}"));
            continue;
        };
        let a = ctx.assess(sentence, range);
        let negated = *negation == "Negated";
        report.negation.add(negated, a.negated);
        let historical = *temporality == "Historical";
        report
            .historical
            .add(historical, a.temporality == Temporality::Historical);
        report.hypothetical.add(
            *temporality == "Not particular",
            a.temporality == Temporality::Hypothetical,
        );
        report.other.add(
            *experiencer != "Patient",
            a.experiencer == Experiencer::Other,
        );
        if negated != a.negated {
            report.errors.push(format!(
                "NEG want {negated} got {}: [{target}] {sentence}",
                a.negated
            ));
        }
        if historical != (a.temporality == Temporality::Historical) {
            report.errors.push(format!(
                "HIST want {historical} got {:?}: [{target}] {sentence}",
                a.temporality
            ));
        }
    }
    report
}

fn line(name: &str, c: &Counts) -> String {
    format!(
        "{name:<13} P {:.3}  R {:.3}  F1 {:.3}  (tp {} fp {} fn {} tn {})",
        c.precision(),
        c.recall(),
        c.f1(),
        c.tp,
        c.fp,
        c.fn_,
        c.tn
    )
}

#[test]
#[ignore = "prints the full report; run with --ignored --nocapture"]
fn negex_report() {
    let Some(text) = data() else {
        println!("../shared/data/context/negex-dev.tsv is absent: nothing to measure");
        return;
    };
    let r = evaluate(&text);
    if std::env::var_os("NEGEX_ERRORS").is_some() {
        for e in &r.errors {
            println!("{e}");
        }
    }
    println!("rows {} (target not found: {})", r.rows, r.missing);
    println!("{}", line("negation", &r.negation));
    println!("{}", line("historical", &r.historical));
    println!("{}", line("hypothetical", &r.hypothetical));
    println!("{}", line("other person", &r.other));
}

#[test]
fn negex_floor() {
    let Some(text) = data() else {
        println!("../shared/data/context/negex-dev.tsv is absent: floor not checked");
        return;
    };
    let r = evaluate(&text);
    assert_eq!(r.missing, 0, "every target is found in its sentence");
    assert!(
        r.negation.f1() >= 0.95,
        "negation F1 {:.3}",
        r.negation.f1()
    );
    assert!(
        r.historical.f1() >= 0.70,
        "historical F1 {:.3}",
        r.historical.f1()
    );
}
