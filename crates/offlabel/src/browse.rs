//! Browsing the pack: medicines, conditions, evidence, sources.

use anyhow::Result;
use offlabel_engine::Engine;
use offlabel_engine::check::{resolve_condition, resolve_medicine};
use offlabel_engine::reason;
use serde_json::json;
use std::io::Write;

fn not_found(kind: &str, id: &str, list: &str) -> anyhow::Error {
    crate::usage(format!(
        "no {kind} {id:?} in the pack; see `offlabel {list}` for the ids"
    ))
}

/// `offlabel drug ID`.
pub fn drug(engine: &Engine, id: &str, as_json: bool, out: &mut impl Write) -> Result<()> {
    let pack = engine.pack();
    let mid = resolve_medicine(engine, id).ok_or_else(|| not_found("medicine", id, "drugs"))?;
    let m = pack
        .medicine(&mid)
        .ok_or_else(|| not_found("medicine", id, "drugs"))?;
    let auths: Vec<_> = pack
        .authorisations
        .iter()
        .filter(|a| a.medicine == mid)
        .map(|a| &a.record)
        .collect();
    let posology: Vec<_> = pack
        .posology
        .iter()
        .filter(|p| p.medicine == mid)
        .map(|p| &p.record)
        .collect();
    let doses: Vec<_> = pack
        .dose_adjustments
        .iter()
        .filter(|d| d.medicine == mid)
        .map(|d| &d.record)
        .collect();
    let rates: Vec<_> = pack
        .incidence_rates
        .iter()
        .filter(|r| r.medicine == mid)
        .map(|r| &r.record)
        .collect();
    let effects: Vec<_> = pack
        .adverse_effects
        .iter()
        .filter(|a| pack.applies_to(&a.medicines, &mid))
        .map(|a| &a.record)
        .collect();
    let precautions: Vec<_> = pack
        .precautions
        .iter()
        .filter(|p| pack.applies_to(&p.medicines, &mid))
        .map(|p| &p.record)
        .collect();
    let efficacy: Vec<_> = pack
        .efficacy
        .iter()
        .filter(|e| e.medicine == mid)
        .map(|e| &e.record)
        .collect();
    let studies = pack.studies.iter().filter(|s| s.medicine == mid).count();
    if as_json {
        let v = json!({"medicine": m, "authorisations": auths, "posology": posology, "dose_adjustments": doses, "efficacy": efficacy,
            "adverse_effects": effects, "incidence_rates": rates, "precautions": precautions, "studies": studies});
        serde_json::to_writer_pretty(&mut *out, &v)?;
        writeln!(out)?;
        return Ok(());
    }
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

/// `offlabel drugs`.
pub fn drugs(engine: &Engine, as_json: bool, out: &mut impl Write) -> Result<()> {
    let pack = engine.pack();
    if as_json {
        let v: Vec<_> = pack.medicines.iter().map(|m| json!({"id": m.id, "name": m.name, "route": m.route, "brands": m.products.iter().map(|p| &p.brand).collect::<Vec<_>>()})).collect();
        serde_json::to_writer_pretty(&mut *out, &v)?;
        writeln!(out)?;
    } else {
        for m in &pack.medicines {
            let brands: Vec<&str> = m.products.iter().map(|p| p.brand.as_str()).collect();
            writeln!(
                out,
                "{:<22} {} ({}) {}",
                m.id,
                m.name,
                m.route,
                brands.join(", ")
            )?;
        }
    }
    Ok(())
}

/// `offlabel condition ID`.
pub fn condition(engine: &Engine, id: &str, as_json: bool, out: &mut impl Write) -> Result<()> {
    let pack = engine.pack();
    let cid =
        resolve_condition(engine, id).ok_or_else(|| not_found("condition", id, "conditions"))?;
    let c = pack
        .condition(&cid)
        .ok_or_else(|| not_found("condition", id, "conditions"))?;
    let children: Vec<&str> = pack
        .conditions
        .iter()
        .filter(|x| x.parent.as_deref() == Some(cid.as_str()))
        .map(|x| x.id.as_str())
        .collect();
    let mut studies: Vec<_> = pack
        .studies
        .iter()
        .map(|s| &s.record)
        .filter(|s| pack.descendants(&cid).iter().any(|d| d.id == s.condition))
        .collect();
    reason::rank(&mut studies);
    if as_json {
        serde_json::to_writer_pretty(
            &mut *out,
            &json!({"condition": c, "children": children, "studies": studies}),
        )?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "{} ({})", c.name, c.id)?;
    if let Some(p) = &c.parent {
        writeln!(out, "Part of: {p}")?;
    }
    if !children.is_empty() {
        writeln!(out, "Subtypes: {}", children.join(", "))?;
    }
    let names: Vec<&str> = c
        .synonyms
        .iter()
        .chain(&c.abbreviations)
        .chain(&c.lay_terms)
        .chain(&c.es)
        .chain(&c.zh)
        .map(String::as_str)
        .collect();
    writeln!(out, "Also called: {}", names.join(", "))?;
    writeln!(out, "Studies ({}):", studies.len())?;
    for s in studies {
        writeln!(
            out,
            "  {} — {} n={} — {}",
            s.medicine,
            s.design,
            s.n.map_or("?".into(), |n| n.to_string()),
            s.outcome
        )?;
    }
    Ok(())
}

/// `offlabel conditions`.
pub fn conditions(engine: &Engine, as_json: bool, out: &mut impl Write) -> Result<()> {
    let pack = engine.pack();
    if as_json {
        let v: Vec<_> = pack
            .conditions
            .iter()
            .map(|c| json!({"id": c.id, "name": c.name, "parent": c.parent}))
            .collect();
        serde_json::to_writer_pretty(&mut *out, &v)?;
        writeln!(out)?;
    } else {
        for c in &pack.conditions {
            writeln!(out, "{:<40} {}", c.id, c.name)?;
        }
    }
    Ok(())
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
