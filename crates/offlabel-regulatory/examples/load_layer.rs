//! Times parsing a layer's JSON Lines: `load_layer DIR` (e.g. knowledge/layers/ema).
use offlabel_regulatory::{IndicationClause, RegulatedMedicine};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "knowledge/layers/ema".into());
    let meds = std::fs::read_to_string(format!("{dir}/medicines.jsonl"))?;
    let inds = std::fs::read_to_string(format!("{dir}/indications.jsonl"))?;
    let t = Instant::now();
    let m: Vec<RegulatedMedicine> = meds
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let i: Vec<IndicationClause> = inds
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    println!(
        "{} medicines, {} clauses parsed in {:.1} ms ({} + {} bytes)",
        m.len(),
        i.len(),
        t.elapsed().as_secs_f64() * 1e3,
        meds.len(),
        inds.len()
    );
    Ok(())
}
