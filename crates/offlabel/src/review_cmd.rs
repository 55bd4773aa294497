//! `offlabel pack check`: the review of curated authorisations against the regulator
//! layers, rendered for a terminal (the comparison itself is the engine's).

use anyhow::Result;
use offlabel_engine::review::{Disagreement, LayerReview};
use std::io::Write;

fn one(d: &Disagreement, out: &mut impl Write) -> Result<()> {
    let condition = d
        .condition
        .as_deref()
        .map(|c| format!(", {c}"))
        .unwrap_or_default();
    writeln!(
        out,
        "  {} ({} {}{condition}) {}:",
        d.record,
        d.regulator,
        d.medicine,
        d.aspect.as_str()
    )?;
    let sources = if d.curated_sources.is_empty() {
        String::new()
    } else {
        format!(" [{}]", d.curated_sources.join(", "))
    };
    writeln!(out, "    curated: {}{sources}", d.curated)?;
    let record = if d.layer_record.is_empty() {
        String::new()
    } else {
        format!(" {}", d.layer_record)
    };
    writeln!(
        out,
        "    {}: {} [{}{record}]",
        d.layer, d.layer_says, d.layer_source
    )?;
    if let Some(why) = &d.explained {
        writeln!(out, "    known: {why}")?;
    }
    Ok(())
}

/// Prints the review: differences to settle first, then the known ones with their reason.
pub fn render(review: &LayerReview, out: &mut impl Write) -> Result<()> {
    writeln!(
        out,
        "Regulator layers: {} curated authorisations compared; {} difference(s) to review, {} known (warnings only: answers use the curated record)",
        review.compared,
        review.disagreements.len(),
        review.known.len()
    )?;
    for d in &review.disagreements {
        writeln!(out, "warning: curated record and regulator layer disagree")?;
        one(d, out)?;
    }
    for d in &review.known {
        writeln!(out, "known difference:")?;
        one(d, out)?;
    }
    for e in &review.stale_exceptions {
        writeln!(
            out,
            "warning: review-exceptions.toml: {} {} ({}) matches no difference any more; delete it",
            e.record,
            e.aspect.as_str(),
            e.layer
        )?;
    }
    for n in &review.not_compared {
        writeln!(out, "note: not compared: {n}")?;
    }
    Ok(())
}
