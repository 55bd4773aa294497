//! Browsing pages: medicines, conditions (with the evidence chart) and sources.

use super::chart;
use super::check::{FormValues, check_form};
use super::layout::{
    Citer, Nav, Page, as_of, capitalise, design_label, jurisdiction_label, level_badge, scroll,
    seg, status_badge,
};
use crate::AppState;
use crate::api::{condition_studies, drug_detail};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use offlabel_engine::patient::Patient;
use offlabel_engine::reason;
use offlabel_engine::rules::flag_label;
use offlabel_model::{AuthorisationKind, Jurisdiction, Regulator, Status};

fn not_found(state: &AppState, what: &str, id: &str, list: &str) -> Response {
    let body = html! {
        h1 { "No " (what) " “" (id) "”" }
        p role="alert" { "The knowledge pack has no " (what) " with this id." }
        p { a href=(list) { "See the list" } " or ask a question in the search box." }
    };
    Page::new(format!("No such {what}"), Nav::None)
        .status(StatusCode::NOT_FOUND)
        .render(Some(&state.engine), body)
}

fn numeric(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

pub(crate) async fn drugs(State(state): State<AppState>) -> Response {
    let pack = state.engine.pack();
    let body = html! {
        h1 { "Medicines" }
        p { "The JAK inhibitors the knowledge pack covers (" (as_of(&pack.meta)) ")." }
        (scroll("Medicines", html! {
            table {
                thead { tr { th scope="col" { "Medicine" } th scope="col" { "Route" } th scope="col" { "Brands" } th scope="col" { "Targets" } th scope="col" { "Studies" } } }
                tbody {
                    @for m in &pack.medicines {
                        tr {
                            th scope="row" { a href={"/drugs/" (seg(&m.id))} { (m.name) } }
                            td { (m.route) }
                            td { (m.products.iter().map(|p| p.brand.as_str()).collect::<Vec<_>>().join(", ")) }
                            td { (m.targets.join(", ")) }
                            td.num { (pack.studies.iter().filter(|s| s.medicine == m.id).count()) }
                        }
                    }
                }
            }
        }))
    };
    Page::new("Medicines", Nav::Drugs).render(Some(&state.engine), body)
}

pub(crate) async fn drug(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let engine = &state.engine;
    let pack = engine.pack();
    let Some(d) = drug_detail(engine, &id) else {
        return not_found(&state, "medicine", &id, "/drugs");
    };
    let m = &d.medicine;
    let mut studied: Vec<(&str, &str, usize)> = Vec::new();
    for s in pack.studies.iter().filter(|s| s.medicine == m.id) {
        match studied.iter_mut().find(|(c, _, _)| *c == s.condition) {
            Some(entry) => entry.2 += 1,
            None => {
                let name = pack.condition(&s.condition).map_or("", |c| c.name.as_str());
                studied.push((&s.condition, name, 1));
            }
        }
    }
    studied.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(b.1)));
    let cites = Citer::new(pack);
    let body = html! {
        h1 { (m.name) }
        dl.facts {
            dt { "Ingredient" } dd { (m.ingredient) }
            dt { "Route" } dd { (m.route) }
            dt { "Targets" } dd { (m.targets.join(", ")) }
            @if !m.atc.is_empty() { dt { "ATC" } dd { (m.atc.join(", ")) } }
            dt { "Mechanism" } dd { (m.mechanism) " " (cites.links(&m.sources)) }
            @for p in &m.products {
                dt { "Product" }
                dd {
                    strong { (p.brand) } " " (p.form)
                    @if !p.strengths.is_empty() { ", " (p.strengths.join(", ")) }
                    @if !p.jurisdictions.is_empty() {
                        " (" (p.jurisdictions.iter().map(|j| j.as_str()).collect::<Vec<_>>().join(", ")) ")"
                    }
                }
            }
        }
        section aria-labelledby="auth-h" {
            h2 #auth-h { "Authorisations in dermatology" }
            @for r in Regulator::ALL {
                @let records: Vec<_> = d.authorisations.iter().filter(|a| a.regulator == *r).collect();
                h3 { (jurisdiction_label(r.jurisdiction().as_str())) }
                @if records.is_empty() {
                    p { "The pack does not list " (r) " authorisations of " (m.name) "." }
                } @else {
                    (scroll(&format!("{r} authorisations"), html! {
                        table {
                            thead { tr { th scope="col" { "Indication" } th scope="col" { "Date" } th scope="col" { "Source" } } }
                            tbody {
                                @for a in records {
                                    tr {
                                        td {
                                            @if a.kind == AuthorisationKind::Authorised && a.condition.is_some() {
                                                (reason::describe(pack, a))
                                            } @else {
                                                em { "None listed" }
                                            }
                                            @if let Some(n) = &a.note { br; span.note { (n) } }
                                        }
                                        td { @match a.date { Some(dt) => (dt.long()), None => "not recorded" } }
                                        td { (cites.links(&a.sources)) }
                                    }
                                }
                            }
                        }
                    }))
                }
            }
        }
        @if !d.posology.is_empty() {
            section aria-labelledby="pos-h" {
                h2 #pos-h { "Posology" }
                @for p in &d.posology {
                    div.card {
                        h3 { @match p.regulator { Some(r) => { (jurisdiction_label(r.jurisdiction().as_str())) " label" } None => "Usage notes", } }
                        dl.facts {
                            @if let Some(c) = &p.condition { dt { "For" } dd { (pack.condition(c).map_or(c.as_str(), |c| c.name.as_str())) } }
                            @if let Some(v) = &p.dose { dt { "Dose" } dd { (v) } }
                            @if let Some(v) = &p.frequency { dt { "Frequency" } dd { (v) } }
                            @if let Some(v) = p.max_bsa_percent { dt { "Maximum area" } dd { (numeric(v)) "% of body surface per application" } }
                            @if let Some(v) = &p.sites { dt { "Where" } dd { (v) } }
                            @if let Some(v) = &p.duration { dt { "Duration" } dd { (v) } }
                            @if let Some(v) = &p.stopping_rule { dt { "When to stop" } dd { (v) } }
                            @if let Some(v) = &p.prescriber { dt { "Prescriber" } dd { (v) } }
                            dt { "Source" } dd { (cites.links(&p.sources)) }
                        }
                    }
                }
            }
        }
        @if !d.dose_adjustments.is_empty() {
            section aria-labelledby="adj-h" {
                h2 #adj-h { "Dose adjustments" }
                (scroll("Dose adjustments", html! {
                    table {
                        thead { tr { th scope="col" { "Who" } th scope="col" { "Usual dose" } th scope="col" { "Adjusted dose" } th scope="col" { "Advice" } th scope="col" { "By" } th scope="col" { "Source" } } }
                        tbody {
                            @for a in &d.dose_adjustments {
                                tr {
                                    th scope="row" { (capitalise(flag_label(a.flag))) @if !a.renal.is_empty() { " (" (a.renal.join(", ")) ")" } }
                                    td { (a.usual_dose) }
                                    td { (a.adjusted_dose.as_deref().unwrap_or("no figure given")) }
                                    td { (a.advice) }
                                    td { (a.body) " (" (a.jurisdiction) ")" }
                                    td { (cites.links(&a.sources)) }
                                }
                            }
                        }
                    }
                }))
            }
        }
        @if !d.efficacy.is_empty() {
            section aria-labelledby="eff-h" {
                h2 #eff-h { "Pivotal trial results" }
                (scroll("Pivotal trial results", html! {
                    table {
                        thead { tr { th scope="col" { "Condition" } th scope="col" { "Endpoint" } th scope="col" { "When" } th scope="col" { "Patients" } th scope="col" { "Result per arm" } th scope="col" { "Source" } } }
                        tbody {
                            @for e in &d.efficacy {
                                tr {
                                    th scope="row" { (pack.condition(&e.condition).map_or(e.condition.as_str(), |c| c.name.as_str())) }
                                    td { abbr title=(e.endpoint_meaning) { (e.endpoint) } }
                                    td { (e.timepoint) }
                                    td.num { @match e.n { Some(n) => (n), None => "—" } }
                                    td { @for (i, a) in e.arms.iter().enumerate() { @if i > 0 { "; " } (a.label) ": " strong { (numeric(a.percent)) "%" } } }
                                    td { (cites.links(&e.sources)) }
                                }
                            }
                        }
                    }
                }))
            }
        }
        section aria-labelledby="safety-h" {
            h2 #safety-h { "Safety" }
            @if !d.incidence_rates.is_empty() {
                h3 { "Incidence rates" }
                (scroll("Incidence rates", html! {
                    table {
                        thead { tr { th scope="col" { "Event" } th scope="col" { "Daily dose" } th scope="col" { "Per 100 patient-years" } th scope="col" { "Analysis" } th scope="col" { "Source" } } }
                        tbody {
                            @for r in &d.incidence_rates {
                                tr {
                                    th scope="row" { (capitalise(&r.event)) }
                                    td { @match r.dose_mg { Some(v) => { (numeric(v)) " mg" } None => "all doses" } }
                                    td.num { (numeric(r.per_100py)) @if let Some(max) = r.per_100py_max { "–" (numeric(max)) } }
                                    td { (r.analysis) }
                                    td { (cites.links(&r.sources)) }
                                }
                            }
                        }
                    }
                }))
            }
            @if !d.adverse_effects.is_empty() {
                h3 { "Adverse effects" }
                (scroll("Adverse effects", html! {
                    table {
                        thead { tr { th scope="col" { "Effect" } th scope="col" { "Kind" } th scope="col" { "Frequency" } th scope="col" { "Source" } } }
                        tbody {
                            @for a in &d.adverse_effects {
                                tr {
                                    th scope="row" { (capitalise(&a.term)) @if let Some(c) = &a.context { br; span.note { (c) } } }
                                    td { (a.category) }
                                    td { (a.frequency.as_deref().unwrap_or("—")) }
                                    td { (cites.links(&a.sources)) }
                                }
                            }
                        }
                    }
                }))
            }
            @if !d.precautions.is_empty() {
                h3 { "Contraindications and precautions" }
                (scroll("Contraindications and precautions", html! {
                    table {
                        thead { tr { th scope="col" { "Patient" } th scope="col" { "Level" } th scope="col" { "Advice" } th scope="col" { "By" } th scope="col" { "Source" } } }
                        tbody {
                            @for p in &d.precautions {
                                tr {
                                    th scope="row" { (capitalise(flag_label(p.flag))) }
                                    td { (level_badge(p.level)) }
                                    td { (p.advice) }
                                    td { (p.body) @if let Some(j) = p.jurisdiction { " (" (j) ")" } }
                                    td { (cites.links(&p.sources)) }
                                }
                            }
                        }
                    }
                }))
            }
        }
        section aria-labelledby="studies-h" {
            h2 #studies-h { "Studies (" (d.studies) ")" }
            @if studied.is_empty() {
                p { "The pack holds no study of " (m.name) "." }
            } @else {
                ul.compact {
                    @for (id, name, n) in &studied {
                        li { a href={"/conditions/" (seg(id)) "#evidence-h"} { (name) } " (" (n) ")" }
                    }
                }
            }
        }
        section aria-labelledby="check-h" {
            h2 #check-h { "Check a patient" }
            (check_form(engine, &FormValues::for_drug(&m.id)))
        }
        (cites.list())
    };
    Page::new(m.name.clone(), Nav::Drugs).render(Some(engine), body)
}

pub(crate) async fn conditions(State(state): State<AppState>) -> Response {
    let pack = state.engine.pack();
    let roots = pack.conditions.iter().filter(|c| c.parent.is_none());
    fn tree(pack: &offlabel_engine::Pack, id: &str) -> Markup {
        let children: Vec<_> = pack
            .conditions
            .iter()
            .filter(|c| c.parent.as_deref() == Some(id))
            .collect();
        html! {
            @if !children.is_empty() {
                ul {
                    @for c in children {
                        li { (condition_link(pack, &c.id, &c.name)) (tree(pack, &c.id)) }
                    }
                }
            }
        }
    }
    fn condition_link(pack: &offlabel_engine::Pack, id: &str, name: &str) -> Markup {
        let n = pack.studies.iter().filter(|s| s.condition == id).count();
        html! {
            a href={"/conditions/" (seg(id))} { (name) }
            @if n > 0 { " " span.count { "(" (n) " studies)" } }
        }
    }
    let body = html! {
        h1 { "Conditions" }
        p { "Conditions the knowledge pack knows, with their subtypes." }
        ul.tree {
            @for c in roots {
                li { (condition_link(pack, &c.id, &c.name)) (tree(pack, &c.id)) }
            }
        }
    };
    Page::new("Conditions", Nav::Conditions).render(Some(&state.engine), body)
}

pub(crate) async fn condition(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let engine = &state.engine;
    let pack = engine.pack();
    let Some(c) = pack.condition(&id) else {
        return not_found(&state, "condition", &id, "/conditions");
    };
    let studies = condition_studies(engine, Some(&c.id), None);
    let patient = Patient::default();
    let rows: Vec<_> = pack
        .medicines
        .iter()
        .map(|m| {
            let own: Vec<_> = studies
                .iter()
                .copied()
                .filter(|s| s.medicine == m.id)
                .collect();
            let status: Vec<(Jurisdiction, Status)> = [Jurisdiction::Us, Jurisdiction::Eu]
                .into_iter()
                .map(|j| (j, reason::status(pack, &m.id, &c.id, &patient, j).status))
                .collect();
            (m, own, status)
        })
        .filter(|(_, own, status)| {
            !own.is_empty() || status.iter().any(|(_, s)| *s == Status::Approved)
        })
        .collect();
    let children: Vec<_> = pack
        .conditions
        .iter()
        .filter(|x| x.parent.as_deref() == Some(c.id.as_str()))
        .collect();
    let names: Vec<&str> = c
        .synonyms
        .iter()
        .chain(&c.abbreviations)
        .chain(&c.lay_terms)
        .map(String::as_str)
        .collect();
    let medicine_name = |id: &str| pack.medicine(id).map_or(id.to_string(), |m| m.name.clone());
    let cites = Citer::new(pack);
    let body = html! {
        h1 { (c.name) }
        dl.facts {
            @if !names.is_empty() { dt { "Also called" } dd { (names.join(", ")) } }
            @if let Some(p) = c.parent.as_deref().and_then(|p| pack.condition(p)) {
                dt { "Part of" } dd { a href={"/conditions/" (seg(&p.id))} { (p.name) } }
            }
            @if !children.is_empty() {
                dt { "Subtypes" }
                dd { @for (i, k) in children.iter().enumerate() { @if i > 0 { ", " } a href={"/conditions/" (seg(&k.id))} { (k.name) } } }
            }
        }
        p { a.button href={"/ask?q=" (super::layout::query_value(&format!("What has been tried for {}?", c.name.to_lowercase())))} { "Ask what has been tried for " (c.name.to_lowercase()) } }
        @if !rows.is_empty() {
            section aria-labelledby="meds-h" {
                h2 #meds-h { "Medicines" }
                p.small { "Status for an adult patient with no further details; ask a question to describe the patient." }
                (scroll("Medicines for this condition", html! {
                    table {
                        thead { tr { th scope="col" { "Medicine" } th scope="col" { "Status" } th scope="col" { "Best evidence" } th scope="col" { "Studies" } } }
                        tbody {
                            @for (m, own, status) in &rows {
                                tr {
                                    th scope="row" { a href={"/drugs/" (seg(&m.id))} { (m.name) } }
                                    td { ul.badges.inline { @for (j, s) in status { li { (status_badge(j.as_str(), *s)) } } } }
                                    td {
                                        @match reason::best(own) {
                                            Some(b) => { (design_label(b.design)) ", n=" (b.n.unwrap_or(0)) }
                                            None => "—",
                                        }
                                    }
                                    td.num { (own.len()) }
                                }
                            }
                        }
                    }
                }))
            }
        }
        @if !studies.is_empty() {
            section aria-labelledby="chart-h" {
                h2 #chart-h { "Evidence by medicine" }
                (chart::evidence_chart(pack, &studies))
            }
            section aria-labelledby="evidence-h" {
                h2 #evidence-h { "Studies, strongest first" }
                (scroll("Studies", html! {
                    table.evidence {
                        thead { tr {
                            th scope="col" { "Medicine" } th scope="col" { "Design" } th scope="col" { "Patients" } th scope="col" { "Dose" }
                            th scope="col" { "Outcome" } th scope="col" { "Adverse events" } th scope="col" { "Source" }
                        } }
                        tbody {
                            @for s in &studies {
                                tr id={"study-" (s.id)} {
                                    th scope="row" { (medicine_name(&s.medicine)) @if s.condition != c.id { br; span.note { (pack.condition(&s.condition).map_or(s.condition.as_str(), |x| x.name.as_str())) } } }
                                    td { (design_label(s.design)) }
                                    td.num { @match s.n { Some(n) => (n), None => "not reported" } }
                                    td { (s.dose.as_deref().unwrap_or("—")) }
                                    td.outcome { (s.outcome) " " span class={"direction " (s.direction)} { "(" (s.direction) ")" } }
                                    td { (s.adverse_events.as_deref().unwrap_or("—")) }
                                    td { (cites.links(&s.sources)) }
                                }
                            }
                        }
                    }
                }))
            }
            (cites.list())
        } @else {
            p { "The pack holds no study in " (c.name.to_lowercase()) "." }
        }
    };
    Page::new(c.name.clone(), Nav::Conditions).render(Some(engine), body)
}

pub(crate) async fn sources(State(state): State<AppState>) -> Response {
    let pack = state.engine.pack();
    let body = html! {
        h1 { "Sources" }
        p { "Every fact in the knowledge pack cites one or more of these " (pack.sources.len()) " sources." }
        (scroll("Sources", html! {
            table {
                thead { tr { th scope="col" { "Title" } th scope="col" { "Kind" } th scope="col" { "Publisher" } th scope="col" { "Date" } } }
                tbody {
                    @for s in &pack.sources {
                        tr {
                            th scope="row" { a href={"/sources/" (seg(&s.id))} { (s.title) } }
                            td { (s.kind) }
                            td { (s.publisher.as_deref().unwrap_or("—")) }
                            td { @match s.date { Some(d) => (d), None => "—" } }
                        }
                    }
                }
            }
        }))
    };
    Page::new("Sources", Nav::Sources).render(Some(&state.engine), body)
}

pub(crate) async fn source(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let engine = &state.engine;
    let pack = engine.pack();
    let Some(s) = pack.source(&id) else {
        return not_found(&state, "source", &id, "/sources");
    };
    let cites = |list: &[String]| list.contains(&s.id);
    let studies: Vec<_> = pack.studies.iter().filter(|x| cites(&x.sources)).collect();
    let auths: Vec<_> = pack
        .authorisations
        .iter()
        .filter(|x| cites(&x.sources))
        .collect();
    let references: Vec<_> = pack
        .sources
        .iter()
        .filter(|x| x.cited_in.as_deref() == Some(s.id.as_str()))
        .collect();
    let body = html! {
        article.source {
            p.kind { (s.kind) }
            h1 { (s.title) }
            dl.facts {
                dt { "Id" } dd { code { (s.id) } }
                @if let Some(p) = &s.publisher { dt { "Publisher" } dd { (p) } }
                @if let Some(d) = s.date { dt { "Date" } dd { (d.long()) } }
                @if let Some(doc) = &s.document { dt { "Document" } dd { (doc) } }
                @if let (Some(parent), Some(n)) = (s.cited_in.as_deref().and_then(|p| pack.source(p)), s.reference) {
                    dt { "Cited as" } dd { "reference " (n) " of " a href={"/sources/" (seg(&parent.id))} { (parent.title) } }
                }
                dt { "Reliability" } dd { (s.reliability) " of 5" }
                @if let Some(u) = &s.url {
                    dt { "Original" } dd { a href=(u) rel="noopener noreferrer" { (u) } }
                }
            }
        }
        @if !auths.is_empty() {
            section aria-labelledby="auth-h" {
                h2 #auth-h { "Authorisations that rest on it" }
                ul {
                    @for a in &auths {
                        li {
                            (a.regulator) ": " (pack.medicine(&a.medicine).map_or(a.medicine.as_str(), |m| m.name.as_str())) " — "
                            @if a.condition.is_some() { (reason::describe(pack, a)) } @else { "none listed" }
                        }
                    }
                }
            }
        }
        @if !studies.is_empty() {
            section aria-labelledby="studies-h" {
                h2 #studies-h { "Studies that cite it" }
                ul {
                    @for st in &studies {
                        li {
                            a href={"/conditions/" (seg(&st.condition)) "#study-" (st.id)} {
                                (pack.medicine(&st.medicine).map_or(st.medicine.as_str(), |m| m.name.as_str()))
                                " in " (pack.condition(&st.condition).map_or(st.condition.as_str(), |c| c.name.as_str()))
                            }
                            " — " (design_label(st.design))
                            @if let Some(n) = st.n { ", n=" (n) }
                        }
                    }
                }
            }
        }
        @if !references.is_empty() {
            section aria-labelledby="refs-h" {
                h2 #refs-h { "References it cites (" (references.len()) ")" }
                details {
                    summary { "Show the references in the pack" }
                    ol {
                        @for r in &references {
                            li value=[r.reference] { a href={"/sources/" (seg(&r.id))} { (r.title) } }
                        }
                    }
                }
            }
        }
    };
    Page::new(s.title.clone(), Nav::Sources).render(Some(engine), body)
}
