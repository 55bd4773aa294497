//! The web page: server-rendered HTML that works without JavaScript.
//!
//! Every page has the same landmarks (header with navigation and search, main, footer
//! with the disclaimer). Pages render engine results; they decide nothing medical.

mod browse;
mod chart;
mod check;
mod layout;

pub(crate) use layout::query_value;

use crate::AppState;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use layout::{
    Nav, Page, design_label, level_badge, ordered, scroll, search_form, seg, source_links,
    status_badge,
};
use maud::{Markup, html};
use offlabel_engine::Answer;
use offlabel_engine::rules::flag_label;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/ask", get(ask))
        .route("/drugs", get(browse::drugs))
        .route("/drugs/{id}", get(browse::drug))
        .route("/conditions", get(browse::conditions))
        .route("/conditions/{id}", get(browse::condition))
        .route("/sources", get(browse::sources))
        .route("/sources/{id}", get(browse::source))
        .route("/check", get(check::form).post(check::submit))
        .route("/assets/style.css", get(style))
        .route("/assets/app.js", get(script))
}

/// A page for an error status (no pack details: it may be shown without state).
pub(crate) fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = html! {
        h1 { (title) }
        p role="alert" { (message) }
        p { a href="/" { "Go to the start page" } }
    };
    Page::new(title, Nav::None)
        .status(status)
        .render(None, body)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", include_str!("style.css"))
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", include_str!("app.js"))
}

async fn home(State(state): State<AppState>) -> Response {
    let engine = &state.engine;
    let pack = engine.pack();
    let body = html! {
        h1 { "Can this medicine be used for this condition, here, for this patient?" }
        p.lead {
            "Regulatory status in the US and the EU, the published evidence ranked by strength, and the patient's risks — " (pack.meta.title) ". Every statement cites its source."
        }
        (search_form(engine, None, "q", true))
        @if !pack.meta.examples.is_empty() {
            section aria-labelledby="examples-h" {
                h2 #examples-h { "Try" }
                ul.examples {
                    @for e in &pack.meta.examples {
                        li { a href={"/ask?q=" (layout::query_value(e))} { (e) } }
                    }
                }
            }
        }
        div.columns {
            section aria-labelledby="drugs-h" {
                h2 #drugs-h { "Medicines" }
                ul {
                    @for m in &pack.medicines {
                        li {
                            a href={"/drugs/" (seg(&m.id))} { (m.name) }
                            @let brands: Vec<&str> = m.products.iter().map(|p| p.brand.as_str()).collect();
                            @if !brands.is_empty() { " (" (brands.join(", ")) ")" }
                        }
                    }
                }
                p { a href="/check" { "Check a patient" } " against a medicine's contraindications, precautions and dose adjustments." }
            }
            section aria-labelledby="conditions-h" {
                h2 #conditions-h { "Conditions with evidence" }
                ul.compact {
                    @for c in pack.conditions.iter().filter(|c| pack.studies_in(&c.id).next().is_some()) {
                        li { a href={"/conditions/" (seg(&c.id))} { (c.name) } }
                    }
                }
                p { a href="/conditions" { "All conditions" } }
            }
        }
    };
    let title = format!("Off-label use: {}", pack.meta.title);
    Page::new(title, Nav::Home).render(Some(engine), body)
}

#[derive(Deserialize)]
struct AskParams {
    q: Option<String>,
}

async fn ask(
    State(state): State<AppState>,
    query: Result<Query<AskParams>, QueryRejection>,
) -> Response {
    let engine = &state.engine;
    let q = match query {
        Ok(Query(AskParams { q: Some(q) })) => q,
        _ => return Redirect::to("/").into_response(),
    };
    match engine.ask(&q) {
        Ok(answer) => answer_page(&state, &answer),
        Err(e) => {
            let body = html! {
                h1 { "Ask a question" }
                p.error role="alert" { (e.to_string()) }
                (search_form(engine, Some(&q), "q", true))
            };
            Page::new("Ask a question", Nav::Ask)
                .status(StatusCode::BAD_REQUEST)
                .render(Some(engine), body)
        }
    }
}

/// One piece of answer text: words, or a citation marker.
enum Piece<'a> {
    Text(&'a str),
    Marker(&'a str),
}

/// Splits a line at its `[n]` citation markers.
fn pieces(line: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after.as_bytes().get(digits) == Some(&b']') {
            if open > 0 {
                out.push(Piece::Text(&rest[..open]));
            }
            out.push(Piece::Marker(&after[..digits]));
            rest = &after[digits + 1..];
        } else {
            out.push(Piece::Text(&rest[..=open]));
            rest = after;
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

fn line_markup(line: &str, citations: usize) -> Markup {
    html! {
        @for p in pieces(line) {
            @match p {
                Piece::Text(t) => (t),
                Piece::Marker(n) => {
                    @if n.parse::<usize>().is_ok_and(|n| n >= 1 && n <= citations) {
                        a.cite href={"#cite-" (n)} aria-label={"source " (n)} { "[" (n) "]" }
                    } @else {
                        "[" (n) "]"
                    }
                }
            }
        }
    }
}

/// The answer text: paragraphs, with runs of "- " lines as lists.
fn answer_text(text: &str, citations: usize) -> Markup {
    let mut blocks: Vec<(bool, Vec<&str>)> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let item = line.strip_prefix("- ");
        match (item, blocks.last_mut()) {
            (Some(i), Some((true, items))) => items.push(i),
            (Some(i), _) => blocks.push((true, vec![i])),
            (None, _) => blocks.push((false, vec![line])),
        }
    }
    html! {
        @for (list, lines) in &blocks {
            @if *list {
                ul { @for l in lines { li { (line_markup(l, citations)) } } }
            } @else {
                @for l in lines { p { (line_markup(l, citations)) } }
            }
        }
    }
}

fn answer_page(state: &AppState, a: &Answer) -> Response {
    let engine = &state.engine;
    let marker = |id: &str| a.citations.iter().find(|c| c.id == id).map(|c| c.marker);
    let title = match (&a.drug, &a.condition) {
        (Some(d), Some(c)) => format!("{} for {}", d.name, c.name.to_lowercase()),
        (Some(d), None) => d.name.clone(),
        (None, Some(c)) => c.name.clone(),
        (None, None) => "Answer".to_string(),
    };
    let body = html! {
        h1 { (title) }
        p.question { span.label { "Question: " } q { (a.query) } }
        @if a.drug.is_some() || a.condition.is_some() {
            p.about {
                @if let Some(d) = &a.drug {
                    "Medicine: " a href={"/drugs/" (seg(&d.id))} { (d.name) }
                }
                @if a.drug.is_some() && a.condition.is_some() { " · " }
                @if let Some(c) = &a.condition {
                    "Condition: " a href={"/conditions/" (seg(&c.id))} { (c.name) }
                }
            }
        }
        @if let Some(status) = &a.status {
            section.status aria-labelledby="status-h" {
                h2 #status-h { "Regulatory status" }
                ul.badges {
                    @for (j, s) in ordered(status) {
                        li {
                            (status_badge(j, *s))
                            @if let Some(reason) = a.status_reasons.as_ref().and_then(|r| r.get(j)) {
                                span.reason { (reason) "." }
                            }
                        }
                    }
                }
            }
        }
        @if a.best_evidence.is_some() || !a.evidence.is_empty() {
            section aria-labelledby="figures-h" {
                h2 #figures-h { "Key figures" }
                dl.figures {
                    @if let Some(best) = &a.best_evidence {
                        dt { "Best evidence" }
                        dd {
                            @match best {
                                Some(b) => {
                                    (design_label(b.design)) ", " strong { (b.n) } " patients "
                                    (source_links(std::slice::from_ref(&b.citation), marker))
                                }
                                None => "No study of this medicine in this condition is in the pack.",
                            }
                        }
                    }
                    dt { "Studies in the pack" }
                    dd { (a.evidence.len()) }
                    dt { "Flags for this patient" }
                    dd { (a.flags.len()) }
                    dt { "Knowledge current to" }
                    dd { (a.as_of) }
                }
            }
        }
        @if !a.flags.is_empty() {
            section aria-labelledby="flags-h" {
                h2 #flags-h { "For this patient" }
                ul.flags {
                    @for f in &a.flags {
                        li data-flag=(f.id.as_str()) {
                            (level_badge(f.level)) " "
                            strong { (layout::capitalise(flag_label(f.id))) } ": " (f.text) " "
                            (source_links(&f.citations, marker))
                        }
                    }
                }
            }
        }
        section aria-labelledby="answer-h" {
            h2 #answer-h { "Answer" }
            div.answer { (answer_text(&a.answer, a.citations.len())) }
        }
        @if !a.options.is_empty() {
            section aria-labelledby="options-h" {
                h2 #options-h { "Medicines tried or approved, strongest evidence first" }
                (scroll("Medicines for this condition", html! {
                    table {
                        thead { tr { th scope="col" { "Medicine" } th scope="col" { "Status" } th scope="col" { "Best evidence" } th scope="col" { "Studies" } } }
                        tbody {
                            @for o in &a.options {
                                tr {
                                    th scope="row" { a href={"/drugs/" (seg(&o.drug.id))} { (o.drug.name) } }
                                    td { ul.badges.inline { @for (j, s) in ordered(&o.status) { li { (status_badge(j, *s)) } } } }
                                    td {
                                        @match &o.best_evidence {
                                            Some(b) => { (design_label(b.design)) ", n=" (b.n) " " (source_links(std::slice::from_ref(&b.citation), marker)) }
                                            None => "—",
                                        }
                                    }
                                    td.num { (o.studies) }
                                }
                            }
                        }
                    }
                }))
            }
        }
        @if !a.evidence.is_empty() {
            section aria-labelledby="evidence-h" {
                h2 #evidence-h { "Evidence, strongest first" }
                (scroll("Evidence table", html! {
                    table.evidence {
                        caption { "Studies ranked by design, then by number of patients." }
                        thead { tr {
                            th scope="col" { "Design" } th scope="col" { "Patients" } th scope="col" { "Dose" }
                            th scope="col" { "Outcome" } th scope="col" { "Adverse events" } th scope="col" { "Source" }
                        } }
                        tbody {
                            @for e in &a.evidence {
                                tr id={"study-" (e.id)} {
                                    th scope="row" { (design_label(e.design)) }
                                    td.num { @match e.n { Some(n) => (n), None => "not reported" } }
                                    td { (e.dose.as_deref().unwrap_or("—")) }
                                    td.outcome { (e.outcome) " " span class={"direction " (e.direction)} { "(" (e.direction) ")" } }
                                    td { (e.adverse_events.as_deref().unwrap_or("—")) }
                                    td { (source_links(&e.citations, marker)) }
                                }
                            }
                        }
                    }
                }))
            }
        }
        @if !a.citations.is_empty() {
            section aria-labelledby="sources-h" {
                h2 #sources-h { "Sources" }
                ol.citations {
                    @for c in &a.citations {
                        li id={"cite-" (c.marker)} value=(c.marker) {
                            a href={"/sources/" (seg(&c.id))} { (c.title) }
                            " — " (c.source)
                            @if let Some(d) = &c.date { ", " (d) }
                        }
                    }
                }
            }
        }
        p.next {
            @if let Some(d) = &a.drug {
                a.button href={"/check?drug=" (layout::query_value(&d.id))} { "Check a patient for " (d.name) }
            }
        }
    };
    Page::new(title, Nav::Ask)
        .question(&a.query)
        .render(Some(engine), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_split_from_text() {
        let p = pieces("Approved [1][2]. Not [x] or [].");
        let shown: Vec<String> = p
            .iter()
            .map(|p| match p {
                Piece::Text(t) => format!("T{t}"),
                Piece::Marker(m) => format!("M{m}"),
            })
            .collect();
        assert_eq!(
            shown,
            vec!["TApproved ", "M1", "M2", "T. Not [", "Tx] or [", "T]."]
        );
    }

    #[test]
    fn list_lines_group() {
        let html = answer_text("For this patient:\n- one [1]\n- two\nAfter.", 1).into_string();
        assert!(html.contains("<ul><li>one <a"), "{html}");
        assert!(html.contains("<li>two</li></ul><p>After.</p>"), "{html}");
        assert!(html.contains("href=\"#cite-1\""));
    }
}
