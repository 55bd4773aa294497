//! Browsing pages: medicines, conditions (with the evidence chart) and sources.

use super::chart;
use super::check::{FormValues, check_form};
use super::layout::{
    Citer, Nav, Page, as_of, capitalise, design_label, jurisdiction_label, level_badge, scroll,
    seg, status_badge,
};
use crate::AppState;
use crate::api::{DrugsQuery, condition_detail, condition_studies, drug_detail, drug_page};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use offlabel_engine::browse::{ConditionView, IndicationView, MedicineView};
use offlabel_engine::patient::Patient;
use offlabel_engine::reason;
use offlabel_engine::rules::flag_label;
use offlabel_model::{AuthorisationKind, Jurisdiction, Regulator, Status};
use serde::Deserialize;

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

/// Query of the medicine and condition list pages.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    q: Option<String>,
    atc: Option<String>,
    status: Option<String>,
    offset: Option<usize>,
}

/// Entries per page of the web lists.
const WEB_PAGE: usize = 50;

/// "Previous" and "next" links of a paged list, keeping the other parameters.
fn pager(path: &str, params: &[(&str, &str)], total: usize, offset: usize, shown: usize) -> Markup {
    let link = |at: usize| {
        let mut q: Vec<String> = params
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", super::layout::query_value(v)))
            .collect();
        q.push(format!("offset={at}"));
        format!("{path}?{}", q.join("&"))
    };
    html! {
        nav.pager aria-label="Pages" {
            @if shown == 0 {
                p { (total) " found; none from " (offset + 1) "." }
            } @else {
                p { "Showing " (offset + 1) "–" (offset + shown) " of " (total) "." }
            }
            @if offset > 0 { a rel="prev" href=(link(offset.saturating_sub(WEB_PAGE))) { "Previous" } " " }
            @if offset + shown < total { a rel="next" href=(link(offset + shown)) { "Next" } }
        }
    }
}

pub(crate) async fn drugs(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let engine = &state.engine;
    let pack = engine.pack();
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let api = DrugsQuery {
        q: q.q.clone(),
        atc: q.atc.clone(),
        status: q.status.clone().filter(|s| !s.is_empty()),
        limit: Some(WEB_PAGE),
        offset: q.offset,
    };
    let page = drug_page(engine, &api);
    let (text, atc, status) = (
        q.q.as_deref().unwrap_or(""),
        q.atc.as_deref().unwrap_or(""),
        q.status.as_deref().unwrap_or(""),
    );
    let body = html! {
        h1 { "Medicines" }
        p { "The medicines the knowledge pack curates (" (pack.meta.title) "), and every medicine of the EMA's table, Drugs@FDA and the FDA labels it holds (" (as_of(&pack.meta)) ")." }
        form.search role="search" action="/drugs" method="get" {
            label for="drug-q" { "Name" } " "
            input #drug-q type="search" name="q" value=(text) placeholder="INN, brand or product";
            " " label for="drug-atc" { "ATC" } " "
            input #drug-atc type="text" name="atc" value=(atc) size="7" placeholder="L04";
            " " label for="drug-status" { "Status" } " "
            select #drug-status name="status" {
                option value="" selected[status.is_empty()] { "any" }
                @for w in offlabel_engine::browse::STATUS_WORDS {
                    option value=(w) selected[status == *w] { (w.replace('_', " ")) }
                }
            }
            " " button type="submit" { "Search" }
        }
        @match &page {
            Err(e) => { p role="alert" { (e.message) } }
            Ok(page) => {
                (scroll("Medicines", html! {
                    table.medicines {
                        thead { tr { th scope="col" { "Medicine" } th scope="col" { "Held in" } th scope="col" { "EU products" } th scope="col" { "US brands" } th scope="col" { "ATC" } } }
                        tbody {
                            @for m in &page.items {
                                tr {
                                    th scope="row" { a href={"/drugs/" (seg(&m.id))} { (m.name) } }
                                    td { (m.layers.join(", ")) }
                                    td { (m.eu_products.join(", ")) }
                                    td { (m.us_brands.join(", ")) }
                                    td { (m.atc.join(", ")) }
                                }
                            }
                        }
                    }
                }))
                (pager("/drugs", &[("q", text), ("atc", atc), ("status", status)], page.total, page.offset, page.items.len()))
            }
        }
    };
    Page::new("Medicines", Nav::Drugs).render(Some(engine), body)
}

/// One indication clause with the regulator's words.
fn indication_item(i: &IndicationView) -> Markup {
    html! {
        li.indication id={"ind-" (i.id)} {
            strong { (i.product_name) } @if let Some(h) = &i.heading { " — " (h) }
            blockquote { (i.quote) }
            @if !i.conditions.is_empty() {
                p.small { "Names: " @for (n, c) in i.conditions.iter().enumerate() { @if n > 0 { ", " } a href={"/conditions/" (seg(&c.id))} { (c.name) } } }
            }
            @if !i.limits.is_empty() { p.small { "Limits read: " (i.limits.join("; ")) } }
            @if !i.fully_read { p.small.note { "Read only in part: the quote decides." } }
        }
    }
}

/// The EMA table's and the US layers' sections of a medicine page.
fn regulator_sections(v: &MedicineView) -> Markup {
    html! {
        section aria-labelledby="eu-h" {
            h2 #eu-h { "EU: the EMA's medicines table" }
            @match &v.eu {
                None => p { "The EMA's table does not list it; it may be authorised nationally." },
                Some(eu) => {
                    (scroll("EU products", html! {
                        table.products {
                            thead { tr { th scope="col" { "Product" } th scope="col" { "Number" } th scope="col" { "Status" } th scope="col" { "Holder" } th scope="col" { "ATC" } th scope="col" { "Authorised" } th scope="col" { "EPAR" } } }
                            tbody {
                                @for p in &eu.products {
                                    tr {
                                        th scope="row" { (p.name) }
                                        td { (p.product_number) }
                                        td { (p.status.as_str().replace('_', " ")) }
                                        td { (p.holder.as_deref().unwrap_or("—")) }
                                        td { (p.atc.as_deref().unwrap_or("—")) }
                                        td { (p.dates.authorisation.as_deref().unwrap_or("—")) }
                                        td { @if let Some(u) = &p.url { a href=(u) rel="external" { "EPAR" } } @else { "—" } }
                                    }
                                }
                            }
                        }
                    }))
                    @if eu.products.len() < eu.products_total { p.small { (eu.products.len()) " of " (eu.products_total) " products shown." } }
                    h3 { "Indications of authorised products" }
                    @if eu.indications.is_empty() {
                        p { "No product is authorised now, so no indication applies." }
                    } @else {
                        ol.indications { @for i in &eu.indications { (indication_item(i)) } }
                        @if eu.indications.len() < eu.indications_total { p.small { (eu.indications.len()) " of " (eu.indications_total) " indications shown." } }
                    }
                    p.small { "Source: the EMA's medicines table (" (eu.source) ")." }
                }
            }
        }
        section aria-labelledby="us-h" {
            h2 #us-h { "US: Drugs@FDA and FDA labels" }
            @match &v.us {
                None => p { "Drugs@FDA (as of its date) and the FDA labels the pack holds do not list it; it may have been approved since." },
                Some(us) => {
                    @if let Some(a) = &us.approval { p { "It " (a) "." } } @else { p { "Drugs@FDA does not list it, " (us.according_to) "." } }
                    @if !us.applications.is_empty() {
                        (scroll("US applications", html! {
                            table.applications {
                                thead { tr { th scope="col" { "Application" } th scope="col" { "Sponsor" } th scope="col" { "Approved" } th scope="col" { "Products" } } }
                                tbody {
                                    @for a in &us.applications {
                                        tr {
                                            th scope="row" { (a.kind.as_str()) " " (a.number) }
                                            td { (a.sponsor) }
                                            td { (a.approved.as_deref().unwrap_or("no date given")) }
                                            td { @for (n, p) in a.products.iter().enumerate() { @if n > 0 { "; " } (p.brand.as_deref().unwrap_or("no brand")) " " (p.form.to_lowercase()) " (" (p.status.words()) ")" } }
                                        }
                                    }
                                }
                            }
                        }))
                        @if us.applications.len() < us.applications_total { p.small { (us.applications.len()) " of " (us.applications_total) " applications shown." } }
                    }
                    @for l in &us.labels {
                        h3 { "FDA label: " (l.products.first().map_or("", String::as_str)) " (" (l.labeler.as_deref().unwrap_or("labeller not given")) ", effective " (l.effective.as_deref().unwrap_or("date not given")) ")" }
                        @if l.indications.is_empty() { p { "The pack holds no indication text of this label." } }
                        @else { ol.indications { @for i in &l.indications { (indication_item(i)) } } }
                    }
                    p.small { "Sources: Drugs@FDA (" (us.source) "), " (us.according_to) "; FDA labels (" (us.label_source) ")." }
                }
            }
        }
    }
}

/// A medicine only the regulators' layers hold.
fn layer_drug_page(state: &AppState, v: &MedicineView) -> Response {
    let body = html! {
        h1 { (v.name) }
        @if let Some(r) = &v.read_as { p.small { "(" (r) ")" } }
        p { "The knowledge pack does not curate " (v.name) ": what follows is the regulators' own data, with their words." }
        (regulator_sections(v))
    };
    Page::new(v.name.clone(), Nav::Drugs).render(Some(&state.engine), body)
}

pub(crate) async fn drug(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let engine = &state.engine;
    let pack = engine.pack();
    let Some(d) = drug_detail(engine, &id) else {
        return not_found(&state, "medicine", &id, "/drugs");
    };
    let Some(m) = &d.medicine else {
        return layer_drug_page(&state, &d.view);
    };
    let mut studied: Vec<(&str, &str, usize)> = Vec::new();
    for s in pack.studies_of(&m.id) {
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
            h2 #auth-h { "Authorisations in " (pack.meta.area.name) }
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
        (regulator_sections(&d.view))
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

pub(crate) async fn conditions(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let pack = state.engine.pack();
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let text = q.q.as_deref().unwrap_or("").trim().to_string();
    let form = html! {
        form.search role="search" action="/conditions" method="get" {
            label for="condition-q" { "Condition, DOID or ICD-10-CM code" } " "
            input #condition-q type="search" name="q" value=(text) placeholder="a name, a DOID or an ICD-10-CM code";
            " " button type="submit" { "Search" }
        }
    };
    if !text.is_empty() {
        let page = state
            .engine
            .find_conditions(&text, WEB_PAGE, q.offset.unwrap_or(0));
        let body = html! {
            h1 { "Conditions" }
            (form)
            (scroll("Conditions found", html! {
                table.conditions {
                    thead { tr { th scope="col" { "Condition" } th scope="col" { "DOID" } th scope="col" { "ICD-10-CM" } th scope="col" { "Curated" } } }
                    tbody {
                        @for c in &page.items {
                            tr {
                                th scope="row" { a href={"/conditions/" (seg(&c.id))} { (c.name) } @if let Some(m) = &c.matched { br; span.note { "as “" (m) "”" } } }
                                td { (c.doid.as_deref().unwrap_or("—")) }
                                td { (c.icd10cm.as_deref().unwrap_or("—")) }
                                td { @if c.curated.is_some() { "yes" } @else { "no" } }
                            }
                        }
                    }
                }
            }))
            (pager("/conditions", &[("q", &text)], page.total, page.offset, page.items.len()))
        };
        return Page::new("Conditions", Nav::Conditions).render(Some(&state.engine), body);
    }
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
        let n = pack.studies_in(id).count();
        html! {
            a href={"/conditions/" (seg(id))} { (name) }
            @if n > 0 { " " span.count { "(" (n) " studies)" } }
        }
    }
    let body = html! {
        h1 { "Conditions" }
        (form)
        p { "Search the Disease Ontology's conditions above; the ones the knowledge pack curates, with their subtypes:" }
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
        return match condition_detail(engine, &id) {
            Some(d) => vocabulary_condition_page(&state, &d.view),
            None => not_found(&state, "condition", &id, "/conditions"),
        };
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

/// A condition the curated pack does not hold (or reached by code): the vocabulary's
/// record and the regulators' clauses naming it.
fn vocabulary_condition_page(state: &AppState, v: &ConditionView) -> Response {
    if let Some(c) = &v.curated {
        // A code or DO name of a curated condition: its own page says more.
        return axum::response::IntoResponse::into_response(axum::response::Redirect::to(
            &format!("/conditions/{}", seg(&c.id)),
        ));
    }
    let body = html! {
        h1 { (v.name) }
        @if let Some(r) = &v.read_as { p.small { "(" (r) ")" } }
        dl.facts {
            @for (system, codes) in &v.codes {
                dt { (system) } dd { (codes.iter().take(5).cloned().collect::<Vec<_>>().join(", ")) }
            }
            @if !v.synonyms.is_empty() { dt { "Also called" } dd { (v.synonyms.join(", ")) } }
            @if !v.parents.is_empty() {
                dt { "Broader" }
                dd { @for (i, p) in v.parents.iter().enumerate() { @if i > 0 { ", " } a href={"/conditions/" (seg(&p.id))} { (p.name) } } }
            }
            @if !v.children.is_empty() {
                dt { "Narrower" }
                dd { @for (i, p) in v.children.iter().enumerate() { @if i > 0 { ", " } a href={"/conditions/" (seg(&p.id))} { (p.name) } } @if v.children.len() < v.children_total { " … (" (v.children_total) " in all)" } }
            }
        }
        section aria-labelledby="eu-h" {
            h2 #eu-h { "EU indications naming it" }
            @if v.eu_indications.is_empty() {
                p { "No indication of an authorised product in the EMA's table names it (or a narrower term)." }
            } @else {
                ol.indications {
                    @for c in &v.eu_indications {
                        li { a href={"/drugs/" (seg(&c.medicine))} { (c.medicine) } ol { (indication_item(&c.indication)) } }
                    }
                }
                @if v.eu_indications.len() < v.eu_indications_total { p.small { (v.eu_indications.len()) " of " (v.eu_indications_total) " shown." } }
                p.small { "Source: the EMA's medicines table (ema-medicines-table)." }
            }
        }
        @if !v.us_indications.is_empty() {
            section aria-labelledby="us-h" {
                h2 #us-h { "US label indications naming it" }
                ol.indications {
                    @for c in &v.us_indications {
                        li { a href={"/drugs/" (seg(&c.medicine))} { (c.medicine) } ol { (indication_item(&c.indication)) } }
                    }
                }
            }
        }
        p { "The knowledge pack curates no authorisation or study for it; ask a question to see what the regulators' texts say for a medicine." }
    };
    Page::new(v.name.clone(), Nav::Conditions).render(Some(&state.engine), body)
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
