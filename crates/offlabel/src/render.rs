//! Plain-text rendering of engine results for a terminal.

use offlabel_engine::question::Language;
use offlabel_engine::{Answer, CheckReport};
use offlabel_pack::Pack;
use std::io::{self, Write};

/// Writes an answer: the text, then the numbered sources.
pub fn answer(a: &Answer, out: &mut impl Write) -> io::Result<()> {
    let drug = a.drug.as_ref().map_or("—".to_string(), |d| d.name.clone());
    let cond = a
        .condition
        .as_ref()
        .map_or("—".to_string(), |c| c.name.clone());
    // The labels follow the answer's language; the status values are the contract's.
    let [medicine, condition, as_of, status_label, sources] = match a.understood.language {
        Language::Es => [
            "Medicamento",
            "Enfermedad",
            "paquete al",
            "Estado",
            "Fuentes",
        ],
        _ => ["Medicine", "Condition", "pack as of", "Status", "Sources"],
    };
    writeln!(
        out,
        "{medicine}: {drug}   {condition}: {cond}   ({as_of} {})",
        a.as_of
    )?;
    if let Some(status) = &a.status {
        let s: Vec<String> = status.iter().map(|(j, s)| format!("{j}: {s}")).collect();
        writeln!(out, "{status_label}: {}", s.join("   "))?;
    }
    writeln!(out)?;
    writeln!(out, "{}", a.answer)?;
    if !a.citations.is_empty() {
        writeln!(out, "\n{sources}:")?;
        for c in &a.citations {
            let date = c
                .date
                .as_ref()
                .map(|d| format!(", {d}"))
                .unwrap_or_default();
            writeln!(out, "[{}] {} — {}{}", c.marker, c.title, c.source, date)?;
        }
    }
    Ok(())
}

/// Writes a patient-check report.
pub fn check(pack: &Pack, r: &CheckReport, out: &mut impl Write) -> io::Result<()> {
    let cond = r
        .condition
        .as_ref()
        .map(|c| format!(" for {}", c.name))
        .unwrap_or_default();
    writeln!(out, "Patient check: {}{}", r.drug.name, cond)?;
    if let (Some(status), Some(reasons)) = (&r.status, &r.status_reasons) {
        for (j, s) in status {
            writeln!(
                out,
                "  {j}: {s} — {}",
                reasons.get(j).map_or("", String::as_str)
            )?;
        }
    }
    for note in &r.notes {
        writeln!(out, "Not read: {note}.")?;
    }
    if r.flags.is_empty() {
        writeln!(out, "Flags: none for the details given.")?;
    } else {
        writeln!(out, "Flags:")?;
        for f in &r.flags {
            writeln!(
                out,
                "  [{}] {}: {} [{}]",
                f.level,
                f.id,
                f.text,
                cite(pack, &f.sources)
            )?;
        }
    }
    for d in &r.dose_adjustments {
        let adj = d.adjusted_dose.as_deref().unwrap_or("no figure recorded");
        writeln!(
            out,
            "Dose: {} → {} ({}, {}) [{}]",
            d.usual_dose,
            adj,
            d.body,
            d.jurisdiction,
            cite(pack, &d.sources)
        )?;
    }
    if !r.screening.is_empty() {
        writeln!(out, "Before treatment:")?;
        for s in &r.screening {
            writeln!(
                out,
                "  - {} ({}) [{}]",
                s.item,
                s.body,
                cite(pack, &s.sources)
            )?;
        }
    }
    if !r.monitoring.is_empty() {
        writeln!(out, "During treatment:")?;
        for s in &r.monitoring {
            let when = s
                .schedule
                .as_ref()
                .map(|w| format!(": {w}"))
                .unwrap_or_default();
            writeln!(
                out,
                "  - {}{} ({}) [{}]",
                s.item,
                when,
                s.body,
                cite(pack, &s.sources)
            )?;
        }
    }
    writeln!(
        out,
        "This informs a prescriber's decision and does not replace it."
    )
}

fn cite(pack: &Pack, sources: &[String]) -> String {
    sources
        .iter()
        .map(|s| {
            pack.source(s).map_or(s.clone(), |src| match src.reference {
                Some(n) => format!("{} ref {n}", src.cited_in.clone().unwrap_or_default()),
                None => s.clone(),
            })
        })
        .collect::<Vec<_>>()
        .join("; ")
}
