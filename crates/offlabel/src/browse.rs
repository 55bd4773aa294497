//! Browsing the pack: medicines, conditions, evidence, sources.

use crate::render;
use anyhow::Result;
use offlabel_engine::Engine;
use offlabel_engine::browse::MedicineQuery;
use offlabel_engine::check::{resolve_condition, resolve_medicine};
use offlabel_engine::reason;
use serde_json::json;
use std::io::Write;

fn not_found(kind: &str, id: &str, list: &str) -> anyhow::Error {
    crate::usage(format!(
        "no {kind} {id:?} in the pack; see `offlabel {list}` for the ids"
    ))
}

/// `offlabel drug NAME`: the curated records, the EMA's table and the US layers.
pub fn drug(engine: &Engine, name: &str, as_json: bool, out: &mut impl Write) -> Result<()> {
    let view = engine.medicine_view(name).ok_or_else(|| {
        crate::usage(format!(
            "no medicine {name:?} in the pack or its EU and US layers; search with `offlabel drugs --search WORDS`"
        ))
    })?;
    if as_json {
        let mut v = serde_json::to_value(&view)?;
        if view.curated.is_some() {
            let extra = curated_records(engine, &view.id);
            if let (Some(c), serde_json::Value::Object(extra)) = (v.get_mut("curated"), extra)
                && let Some(c) = c.as_object_mut()
            {
                c.extend(extra);
            }
        }
        serde_json::to_writer_pretty(&mut *out, &v)?;
        writeln!(out)?;
        return Ok(());
    }
    if let Some(r) = &view.read_as {
        writeln!(out, "({r})")?;
    }
    if view.curated.is_some() {
        curated_drug(engine, &view.id, out)?;
    } else {
        writeln!(
            out,
            "{} ({}) — not curated: the regulators' layers only",
            view.name, view.id
        )?;
    }
    if let Some(eu) = &view.eu {
        render::eu_view(eu, out)?;
    }
    if let Some(us) = &view.us {
        render::us_view(us, out)?;
    }
    if view.eu.is_none() {
        writeln!(
            out,
            "EU: the EMA's table does not list it (it may be authorised nationally)"
        )?;
    }
    if view.us.is_none() {
        writeln!(
            out,
            "US: Drugs@FDA (as of its date) and the FDA labels the pack holds do not list it"
        )?;
    }
    Ok(())
}

/// The curated records of a medicine beyond its authorisations, for `--json`.
fn curated_records(engine: &Engine, mid: &str) -> serde_json::Value {
    let pack = engine.pack();
    let posology: Vec<_> = pack.posology_of(mid).collect();
    let doses: Vec<_> = pack.dose_adjustments_of(mid).collect();
    let rates: Vec<_> = pack.incidence_rates_of(mid).collect();
    let efficacy: Vec<_> = pack.efficacy_of(mid).collect();
    let effects = pack.adverse_effects_of(mid);
    let precautions = pack.precautions_of(mid);
    json!({"posology": posology, "dose_adjustments": doses, "efficacy": efficacy,
        "adverse_effects": effects, "incidence_rates": rates, "precautions": precautions})
}

/// The curated part of `offlabel drug`, as text.
fn curated_drug(engine: &Engine, mid: &str, out: &mut impl Write) -> Result<()> {
    let pack = engine.pack();
    let m = pack
        .medicine(mid)
        .ok_or_else(|| not_found("medicine", mid, "drugs"))?;
    let auths: Vec<_> = pack.authorisations_of(mid).collect();
    let posology: Vec<_> = pack.posology_of(mid).collect();
    let doses: Vec<_> = pack.dose_adjustments_of(mid).collect();
    let rates: Vec<_> = pack.incidence_rates_of(mid).collect();
    let effects = pack.adverse_effects_of(mid);
    let precautions = pack.precautions_of(mid);
    let studies = pack.studies_of(mid).count();
    writeln!(
        out,
        "{} ({}, {}) — {}",
        m.name,
        m.id,
        m.route,
        m.targets.join("/")
    )?;
    writeln!(out, "Mechanism: {}", m.mechanism)?;
    if !m.atc.is_empty() {
        writeln!(out, "ATC: {}", m.atc.join(", "))?;
    }
    for p in &m.products {
        let j: Vec<&str> = p.jurisdictions.iter().map(|j| j.as_str()).collect();
        writeln!(
            out,
            "Product: {} {} {} ({})",
            p.brand,
            p.form,
            p.strengths.join("/"),
            j.join(", ")
        )?;
    }
    writeln!(out, "Authorisations:")?;
    for a in &auths {
        let date = a
            .date
            .map(|d| d.long())
            .unwrap_or_else(|| "date not recorded".into());
        let what = if a.condition.is_some() {
            reason::describe(pack, a)
        } else {
            "none listed".into()
        };
        writeln!(
            out,
            "  {} — {} — {} [{}]",
            a.regulator,
            what,
            date,
            a.sources.join(", ")
        )?;
    }
    for p in &posology {
        let parts: Vec<String> = [
            p.dose.clone(),
            p.frequency.clone(),
            p.max_bsa_percent.map(|b| format!("max {b}% body surface")),
            p.duration.clone(),
            p.stopping_rule.clone(),
        ]
        .into_iter()
        .flatten()
        .collect();
        writeln!(
            out,
            "Posology ({}): {} [{}]",
            p.regulator.map_or("notes".into(), |r| r.to_string()),
            parts.join("; "),
            p.sources.join(", ")
        )?;
    }
    for d in &doses {
        writeln!(
            out,
            "Dose adjustment ({}): {} [{}]",
            d.flag,
            d.advice,
            d.sources.join(", ")
        )?;
    }
    for r in &rates {
        let dose = r.dose_mg.map(|d| format!(" {d} mg")).unwrap_or_default();
        writeln!(
            out,
            "Rate{}: {} {} /100 PY [{}]",
            dose,
            r.event,
            r.per_100py,
            r.sources.join(", ")
        )?;
    }
    for e in &effects {
        writeln!(
            out,
            "Adverse effects ({}): {} [{}]",
            e.category,
            e.term,
            e.sources.join(", ")
        )?;
    }
    for p in &precautions {
        writeln!(
            out,
            "Rule: {} → {} ({}) [{}]",
            p.flag,
            p.level,
            p.body,
            p.sources.join(", ")
        )?;
    }
    writeln!(
        out,
        "Studies in the pack: {studies} (see `offlabel evidence --drug {mid}`)"
    )?;
    Ok(())
}

/// `offlabel drugs`: a search across the curated pack and the layers, paged.
pub fn drugs(
    engine: &Engine,
    q: &MedicineQuery,
    as_json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let page = engine
        .find_medicines(q)
        .map_err(|e| crate::usage(e.to_string()))?;
    if as_json {
        serde_json::to_writer_pretty(&mut *out, &page)?;
        writeln!(out)?;
        return Ok(());
    }
    for m in &page.items {
        let mut parts = Vec::new();
        if !m.eu_products.is_empty() {
            parts.push(format!("EU: {}", bounded(&m.eu_products, 3)));
        }
        if !m.us_brands.is_empty() {
            parts.push(format!("US: {}", m.us_brands.join(", ")));
        }
        if !m.atc.is_empty() {
            parts.push(format!("ATC {}", bounded(&m.atc, 2)));
        }
        writeln!(
            out,
            "{:<28} {} [{}] {}",
            m.id,
            m.name,
            m.layers.join(", "),
            parts.join("; ")
        )?;
    }
    page_line(page.total, page.offset, page.items.len(), out)
}

/// "a, b, c and 4 more".
fn bounded(items: &[String], n: usize) -> String {
    if items.len() <= n {
        items.join(", ")
    } else {
        format!("{} and {} more", items[..n].join(", "), items.len() - n)
    }
}

fn page_line(total: usize, offset: usize, shown: usize, out: &mut impl Write) -> Result<()> {
    if shown == 0 {
        writeln!(out, "{total} match(es); none at offset {offset}")?;
    } else if offset + shown < total {
        writeln!(
            out,
            "{}-{} of {total} (more with --offset {})",
            offset + 1,
            offset + shown,
            offset + shown
        )?;
    } else {
        writeln!(out, "{}-{} of {total}", offset + 1, offset + shown)?;
    }
    Ok(())
}

/// `offlabel condition NAME|DOID|ICD10`.
pub fn condition(engine: &Engine, id: &str, as_json: bool, out: &mut impl Write) -> Result<()> {
    let view = engine.condition_view(id).ok_or_else(|| {
        crate::usage(format!(
            "no condition {id:?} in the pack or the Disease Ontology layer; search with `offlabel conditions --search WORDS`"
        ))
    })?;
    if as_json {
        serde_json::to_writer_pretty(&mut *out, &view)?;
        writeln!(out)?;
        return Ok(());
    }
    Ok(render::condition_view(engine, &view, out)?)
}

/// `offlabel conditions`: a search of curated and Disease Ontology conditions, paged.
pub fn conditions(
    engine: &Engine,
    search: &str,
    limit: usize,
    offset: usize,
    as_json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let page = engine.find_conditions(search, limit, offset);
    if as_json {
        serde_json::to_writer_pretty(&mut *out, &page)?;
        writeln!(out)?;
        return Ok(());
    }
    for c in &page.items {
        let mut extra = Vec::new();
        if let Some(d) = &c.doid {
            extra.push(d.clone());
        }
        if let Some(i) = &c.icd10cm {
            extra.push(format!("ICD-10-CM {i}"));
        }
        if c.curated.is_some() {
            extra.push("curated".into());
        }
        let matched = c
            .matched
            .as_deref()
            .map(|m| format!(" (as \"{m}\")"))
            .unwrap_or_default();
        writeln!(
            out,
            "{:<34} {}{matched} [{}]",
            c.id,
            c.name,
            extra.join(", ")
        )?;
    }
    page_line(page.total, page.offset, page.items.len(), out)
}

/// `offlabel evidence`.
pub fn evidence(
    engine: &Engine,
    drug: Option<&str>,
    condition: Option<&str>,
    as_json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let pack = engine.pack();
    let mid = match drug {
        Some(d) => {
            Some(resolve_medicine(engine, d).ok_or_else(|| not_found("medicine", d, "drugs"))?)
        }
        None => None,
    };
    let cid = match condition {
        Some(c) => Some(
            resolve_condition(engine, c).ok_or_else(|| not_found("condition", c, "conditions"))?,
        ),
        None => None,
    };
    let scope: Option<Vec<String>> = cid
        .as_ref()
        .map(|c| pack.descendants(c).iter().map(|d| d.id.clone()).collect());
    let mut studies: Vec<_> = pack
        .studies
        .iter()
        .map(|s| &s.record)
        .filter(|s| {
            mid.as_ref().is_none_or(|m| &s.medicine == m)
                && scope.as_ref().is_none_or(|sc| sc.contains(&s.condition))
        })
        .collect();
    reason::rank(&mut studies);
    if as_json {
        serde_json::to_writer_pretty(&mut *out, &studies)?;
        writeln!(out)?;
        return Ok(());
    }
    for s in &studies {
        writeln!(
            out,
            "{:<22} {:<30} {:<20} n={:<4} {} [refs {:?}]",
            s.medicine,
            s.condition,
            s.design.as_str(),
            s.n.map_or("?".into(), |n| n.to_string()),
            s.outcome,
            s.refs
        )?;
    }
    writeln!(out, "{} studies", studies.len())?;
    Ok(())
}

/// `offlabel sources`.
pub fn sources(engine: &Engine, as_json: bool, out: &mut impl Write) -> Result<()> {
    let pack = engine.pack();
    if as_json {
        let v: Vec<_> = pack.sources.iter().map(|s| &s.record).collect();
        serde_json::to_writer_pretty(&mut *out, &v)?;
        writeln!(out)?;
    } else {
        for s in &pack.sources {
            let date = s.date.map(|d| d.to_string()).unwrap_or_default();
            writeln!(
                out,
                "{:<40} [{}] {} {} (reliability {})",
                s.id, s.kind, s.title, date, s.reliability
            )?;
        }
    }
    Ok(())
}
