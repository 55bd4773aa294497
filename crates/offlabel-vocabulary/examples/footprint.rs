//! Cold start and memory of the DO vocabulary and matcher:
//! `cargo run -p offlabel-vocabulary --release --example footprint` (measure with
//! `/usr/bin/time -v`; `-- none` skips loading, for the baseline; `-- vocabulary` stops
//! before the matcher).

use offlabel_vocabulary::{Matcher, Vocabulary};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().nth(1).as_deref() == Some("none") {
        println!("baseline: nothing loaded");
        return Ok(());
    }
    let start = Instant::now();
    if std::env::args().nth(1).as_deref() == Some("layer") {
        let layer = offlabel_vocabulary::Layer::from_jsonl(
            offlabel_vocabulary::EMBEDDED_DO_CONDITIONS,
            "",
        )?;
        println!("{} terms parsed", layer.terms.len());
        return Ok(());
    }
    let vocabulary = Vocabulary::embedded()?;
    let loaded = start.elapsed();
    if std::env::args().nth(1).as_deref() == Some("vocabulary") {
        println!(
            "{} terms loaded in {:.0} ms",
            vocabulary.terms().len(),
            loaded.as_secs_f64() * 1e3
        );
        return Ok(());
    }
    let matcher = Matcher::new(&vocabulary);
    let built = start.elapsed() - loaded;
    let sentence = "Treatment of adults with moderate to severe plaque psoriasis who are candidates for systemic therapy, not for psoriatic arthritis.";
    let rounds = 10_000;
    let t = Instant::now();
    let mut found = 0;
    for _ in 0..rounds {
        found += matcher.find(sentence).len();
    }
    println!(
        "{} terms; layer parsed and indexed in {:.0} ms; matcher of {} names ({} KiB index) built in {:.0} ms; {:.1} µs per {}-byte sentence ({} mentions)",
        vocabulary.terms().len(),
        loaded.as_secs_f64() * 1e3,
        matcher.name_count(),
        matcher.index_bytes() / 1024,
        built.as_secs_f64() * 1e3,
        t.elapsed().as_secs_f64() * 1e6 / f64::from(rounds),
        sentence.len(),
        found / rounds as usize
    );
    Ok(())
}
