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

/// One indication clause: product, heading, limits, the quote, what was left unread.
fn indication(i: &offlabel_engine::browse::IndicationView, out: &mut impl Write) -> io::Result<()> {
    let heading = i
        .heading
        .as_deref()
        .map(|h| format!(" — {h}"))
        .unwrap_or_default();
    writeln!(out, "  [{}] {}{heading}", i.id, i.product_name)?;
    writeln!(out, "    \"{}\"", i.quote)?;
    if !i.conditions.is_empty() {
        let names: Vec<String> = i
            .conditions
            .iter()
            .map(|c| format!("{} ({})", c.name, c.id))
            .collect();
        writeln!(out, "    names: {}", names.join("; "))?;
    }
    if !i.limits.is_empty() {
        writeln!(out, "    limits: {}", i.limits.join("; "))?;
    }
    if !i.fully_read {
        writeln!(
            out,
            "    read in part (the quote decides): {}",
            i.unread.join("; ")
        )?;
    }
    Ok(())
}

fn shown(n: usize, total: usize, what: &str, out: &mut impl Write) -> io::Result<()> {
    if n < total {
        writeln!(
            out,
            "  … {n} of {total} {what} shown (--json has the same bound)"
        )?;
    }
    Ok(())
}

/// The EMA table's part of `offlabel drug`.
pub fn eu_view(eu: &offlabel_engine::browse::EuView, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "EU — the EMA's medicines table [{}]:", eu.source)?;
    for p in &eu.products {
        let f = &p.flags;
        let flags: Vec<&str> = [
            (f.orphan, "orphan"),
            (f.conditional, "conditional"),
            (f.exceptional, "exceptional circumstances"),
            (f.biosimilar, "biosimilar"),
            (f.generic, "generic"),
            (f.additional_monitoring, "additional monitoring"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        let d = &p.dates;
        let dates: Vec<String> = [
            ("opinion", &d.opinion),
            ("authorised", &d.authorisation),
            ("last decision", &d.last_decision),
            ("withdrawn", &d.withdrawal),
            ("refused", &d.refusal),
            ("application withdrawn", &d.application_withdrawal),
            ("suspended", &d.suspension),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
        .collect();
        writeln!(
            out,
            "  {} {} — {}; holder {}; ATC {}",
            p.name,
            p.product_number,
            p.status.as_str().replace('_', " "),
            p.holder.as_deref().unwrap_or("not given"),
            p.atc.as_deref().unwrap_or("not given")
        )?;
        if !flags.is_empty() {
            writeln!(out, "    flags: {}", flags.join(", "))?;
        }
        if !dates.is_empty() {
            writeln!(out, "    {}", dates.join("; "))?;
        }
        if let Some(u) = &p.url {
            writeln!(out, "    EPAR: {u}")?;
        }
    }
    shown(eu.products.len(), eu.products_total, "products", out)?;
    if eu.indications_total == 0 {
        writeln!(out, "EU indications: none (no authorised product)")?;
    } else {
        writeln!(
            out,
            "EU indications of authorised products [{}]:",
            eu.source
        )?;
    }
    for i in &eu.indications {
        indication(i, out)?;
    }
    shown(
        eu.indications.len(),
        eu.indications_total,
        "indications",
        out,
    )
}

/// The US layers' part of `offlabel drug`.
pub fn us_view(us: &offlabel_engine::browse::UsView, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "US — {} [{}]:", us.according_to, us.source)?;
    if let Some(a) = &us.approval {
        writeln!(out, "  It {a}.")?;
    }
    for a in &us.applications {
        let products: Vec<String> = a
            .products
            .iter()
            .map(|p| {
                let status = p.status.words();
                format!(
                    "{} {} {} ({status})",
                    p.brand.as_deref().unwrap_or("(no brand)"),
                    p.form.to_lowercase(),
                    p.route.as_deref().unwrap_or("").to_lowercase()
                )
            })
            .collect();
        let kind = a.kind.as_str();
        let approved = a
            .approved
            .as_deref()
            .map_or("no approval date given".to_string(), |d| {
                format!("approved {d}")
            });
        writeln!(
            out,
            "  {kind} {} ({}), {approved}: {}",
            a.number,
            a.sponsor,
            products.join("; ")
        )?;
    }
    shown(
        us.applications.len(),
        us.applications_total,
        "applications",
        out,
    )?;
    for l in &us.labels {
        writeln!(
            out,
            "US label {} ({}, effective {}) [{}; {}]:",
            l.products.first().map_or("", String::as_str),
            l.labeler.as_deref().unwrap_or("labeller not given"),
            l.effective.as_deref().unwrap_or("date not given"),
            us.label_source,
            l.source
        )?;
        for i in &l.indications {
            indication(i, out)?;
        }
    }
    Ok(())
}

/// `offlabel condition` as text.
pub fn condition_view(
    engine: &offlabel_engine::Engine,
    v: &offlabel_engine::browse::ConditionView,
    out: &mut impl Write,
) -> io::Result<()> {
    if let Some(r) = &v.read_as {
        writeln!(out, "({r})")?;
    }
    writeln!(out, "{} ({})", v.name, v.id)?;
    let codes: Vec<String> = v
        .codes
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "doid" | "icd10cm" | "mesh" | "snomed" | "umls"))
        .map(|(k, c)| {
            let first: Vec<&str> = c.iter().take(3).map(String::as_str).collect();
            format!("{k} {}", first.join(", "))
        })
        .collect();
    if !codes.is_empty() {
        writeln!(out, "Codes: {}", codes.join("; "))?;
    }
    if !v.synonyms.is_empty() {
        writeln!(out, "Also called: {}", v.synonyms.join(", "))?;
    }
    if let Some(c) = &v.curated {
        if let Some(p) = &c.parent {
            writeln!(out, "Part of (curated): {p}")?;
        }
        let names: Vec<&str> = c
            .synonyms
            .iter()
            .chain(&c.abbreviations)
            .chain(&c.lay_terms)
            .chain(&c.es)
            .map(String::as_str)
            .collect();
        if !names.is_empty() {
            writeln!(out, "Curated names: {}", names.join(", "))?;
        }
    }
    let terms = |t: &[offlabel_engine::browse::NamedTerm]| -> String {
        t.iter()
            .map(|x| format!("{} ({})", x.name, x.id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !v.parents.is_empty() {
        writeln!(out, "Broader: {}", terms(&v.parents))?;
    }
    if !v.children.is_empty() {
        writeln!(out, "Narrower: {}", terms(&v.children))?;
        shown(v.children.len(), v.children_total, "narrower terms", out)?;
    }
    let pack = engine.pack();
    if !v.authorisations.is_empty() {
        writeln!(out, "Curated authorisations:")?;
        for a in &v.authorisations {
            writeln!(
                out,
                "  {} {} — {} — {} [{}]",
                a.regulator,
                a.medicine,
                offlabel_engine::reason::describe(pack, a),
                a.date.map_or("date not recorded".into(), |d| d.long()),
                a.sources.join(", ")
            )?;
        }
    }
    if !v.eu_indications.is_empty() {
        writeln!(
            out,
            "EU indications naming it or a narrower term (authorised products) [ema-medicines-table]:"
        )?;
        for c in &v.eu_indications {
            writeln!(out, " {}:", c.medicine)?;
            indication(&c.indication, out)?;
        }
        shown(
            v.eu_indications.len(),
            v.eu_indications_total,
            "EU indications",
            out,
        )?;
    }
    if !v.us_indications.is_empty() {
        writeln!(out, "US label indications naming it [fda-labels]:")?;
        for c in &v.us_indications {
            writeln!(out, " {}:", c.medicine)?;
            indication(&c.indication, out)?;
        }
    }
    if v.authorisations.is_empty() && v.eu_indications.is_empty() && v.us_indications.is_empty() {
        writeln!(
            out,
            "No authorisation the pack knows names it (curated records, EU and US indication texts)."
        )?;
    }
    if !v.studied.is_empty() {
        let s: Vec<String> = v
            .studied
            .iter()
            .map(|(m, n)| format!("{m} ({n})"))
            .collect();
        writeln!(out, "Studied (curated studies): {}", s.join(", "))?;
    }
    Ok(())
}
