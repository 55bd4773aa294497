//! The page shell (landmarks, search, disclaimer) and small shared pieces of markup.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use offlabel_engine::Engine;
use offlabel_model::{Design, Jurisdiction, Level, PackMeta, Status};

/// The disclaimer shown on every page.
pub(crate) const DISCLAIMER: &str = "offlabel informs a prescriber's decision; it does not replace the prescriber's judgement, the product information, or local guidance.";

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Which navigation entry is current.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nav {
    Home,
    Ask,
    Drugs,
    Conditions,
    Check,
    Sources,
    None,
}

/// One page: its title, where it sits in the navigation, the question to prefill.
pub(crate) struct Page<'a> {
    pub title: String,
    pub nav: Nav,
    pub question: Option<&'a str>,
    pub status: StatusCode,
}

impl<'a> Page<'a> {
    pub(crate) fn new(title: impl Into<String>, nav: Nav) -> Page<'a> {
        Page {
            title: title.into(),
            nav,
            question: None,
            status: StatusCode::OK,
        }
    }

    pub(crate) fn question(mut self, q: &'a str) -> Page<'a> {
        self.question = Some(q);
        self
    }

    pub(crate) fn status(mut self, status: StatusCode) -> Page<'a> {
        self.status = status;
        self
    }

    /// Renders the page around `body`.
    pub(crate) fn render(self, engine: Option<&Engine>, body: Markup) -> Response {
        let meta = engine.map(|e| &e.pack().meta);
        let markup = html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta name="color-scheme" content="light";
                    title { (self.title) " · offlabel" }
                    link rel="icon" href="data:,";
                    link rel="stylesheet" href="/assets/style.css";
                    script src="/assets/app.js" defer {}
                }
                body {
                    a.skip href="#main" { "Skip to content" }
                    header.site {
                        div.bar {
                            a.brand href="/" { "offlabel" }
                            nav aria-label="Main" {
                                ul {
                                    (nav_item("/drugs", "Medicines", self.nav == Nav::Drugs))
                                    (nav_item("/conditions", "Conditions", self.nav == Nav::Conditions))
                                    (nav_item("/check", "Patient check", self.nav == Nav::Check))
                                    (nav_item("/sources", "Sources", self.nav == Nav::Sources))
                                }
                            }
                        }
                        @if self.nav != Nav::Home {
                            @if let Some(e) = engine {
                                (search_form(e, self.question, "q-top", false))
                            }
                        }
                    }
                    main id="main" tabindex="-1" {
                        (body)
                    }
                    footer.site {
                        p.disclaimer { strong { "Important: " } (DISCLAIMER) }
                        @if let Some(m) = meta {
                            p.small {
                                "Knowledge pack " (m.id) " " (m.version) ", current to " (m.as_of) ". "
                                "Every statement cites its source. "
                                a href="/openapi.json" { "JSON API (OpenAPI)" }
                            }
                        }
                    }
                }
            }
        };
        html_response(self.status, markup)
    }
}

fn nav_item(href: &str, label: &str, current: bool) -> Markup {
    html! {
        li {
            @if current {
                a href=(href) aria-current="page" { (label) }
            } @else {
                a href=(href) { (label) }
            }
        }
    }
}

/// An HTML response with the page's security headers.
pub(crate) fn html_response(status: StatusCode, markup: Markup) -> Response {
    let mut res = (status, markup.into_string()).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The search form: a labelled search box with suggestions of medicines and conditions.
pub(crate) fn search_form(engine: &Engine, value: Option<&str>, id: &str, big: bool) -> Markup {
    let list_id = format!("{id}-suggestions");
    html! {
        form.search.big[big] role="search" action="/ask" method="get" {
            label for=(id) { "Ask about a medicine, a condition or a patient" }
            div.row {
                input id=(id) type="search" name="q" value=[value] list=(list_id)
                    required autocomplete="off" maxlength="4096"
                    placeholder=[engine.pack().meta.examples.first().map(|e| format!("e.g. {e}"))]
                    data-suggest="";
                button type="submit" { "Ask" }
            }
            datalist id=(list_id) { (suggestions(engine)) }
        }
    }
}

/// Medicine names, brands and condition names, for the search box.
fn suggestions(engine: &Engine) -> Markup {
    let pack = engine.pack();
    let mut items: Vec<&str> = Vec::new();
    for m in &pack.medicines {
        items.push(&m.name);
        items.extend(m.products.iter().map(|p| p.brand.as_str()));
    }
    items.extend(pack.conditions.iter().map(|c| c.name.as_str()));
    let mut seen = std::collections::HashSet::new();
    items.retain(|i| seen.insert(*i));
    html! {
        @for i in items { option value=(i) {} }
    }
}

/// Plain words for a status.
pub(crate) fn status_label(s: Status) -> &'static str {
    match s {
        Status::Approved => "Approved",
        Status::OffLabel => "Off-label",
        Status::NotAuthorized => "Not authorised",
        Status::Unknown => "Unknown",
    }
}

/// Plain words for a level.
pub(crate) fn level_label(l: Level) -> &'static str {
    match l {
        Level::Contraindicated => "Contraindicated",
        Level::Avoid => "Avoid",
        Level::Caution => "Caution",
        Level::DoseAdjustment => "Dose adjustment",
        Level::Monitor => "Monitor",
    }
}

/// "US · FDA" for a jurisdiction code.
pub(crate) fn jurisdiction_label(code: &str) -> String {
    match Jurisdiction::parse(code) {
        Some(j) => format!("{} · {}", j.as_str(), j.regulator()),
        None => code.to_string(),
    }
}

/// Jurisdiction codes in reading order: US, EU, then any others.
pub(crate) fn ordered<V>(map: &std::collections::BTreeMap<String, V>) -> Vec<(&String, &V)> {
    let mut items: Vec<(&String, &V)> = map.iter().collect();
    items.sort_by_key(|(k, _)| match k.as_str() {
        "US" => 0,
        "EU" => 1,
        _ => 2,
    });
    items
}

/// A status badge for one jurisdiction.
pub(crate) fn status_badge(jurisdiction: &str, status: Status) -> Markup {
    html! {
        span class={"badge status-" (status.as_str())} data-jurisdiction=(jurisdiction) data-status=(status.as_str()) {
            span.where { (jurisdiction_label(jurisdiction)) }
            " "
            strong { (status_label(status)) }
        }
    }
}

/// A level badge for a flag.
pub(crate) fn level_badge(level: Level) -> Markup {
    html! {
        span class={"badge level-" (level.as_str())} data-level=(level.as_str()) { (level_label(level)) }
    }
}

/// Capitalised design name.
pub(crate) fn design_label(d: Design) -> String {
    let l = d.label();
    let mut c = l.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Percent-encodes one path segment.
pub(crate) fn seg(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-encodes a query value.
pub(crate) fn query_value(v: &str) -> String {
    form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

/// Links to source records, as `[n]` markers when the answer numbers them.
pub(crate) fn source_links(ids: &[String], marker: impl Fn(&str) -> Option<usize>) -> Markup {
    html! {
        span.sources {
            @for (i, id) in ids.iter().enumerate() {
                @if i > 0 { " " }
                @match marker(id) {
                    Some(n) => a.cite href={"/sources/" (seg(id))} title={"Source " (n) ": " (id)} { "[" (n) "]" },
                    None => a.cite href={"/sources/" (seg(id))} { (id) },
                }
            }
        }
    }
}

/// Wraps a wide table so it scrolls sideways on a phone, reachable by keyboard.
pub(crate) fn scroll(label: &str, table: Markup) -> Markup {
    html! {
        div.scroll role="region" aria-label=(label) tabindex="0" { (table) }
    }
}

/// A short pack summary line, for pages that show one.
pub(crate) fn as_of(meta: &PackMeta) -> String {
    format!("current to {}", meta.as_of)
}

/// First letter upper-case.
pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Numbers the sources a page cites, in order of first use, and lists them at the end.
pub(crate) struct Citer<'a> {
    pack: &'a offlabel_pack::Pack,
    ids: std::cell::RefCell<Vec<String>>,
}

impl<'a> Citer<'a> {
    pub(crate) fn new(pack: &'a offlabel_pack::Pack) -> Citer<'a> {
        Citer {
            pack,
            ids: std::cell::RefCell::new(Vec::new()),
        }
    }

    fn mark(&self, id: &str) -> usize {
        let mut ids = self.ids.borrow_mut();
        match ids.iter().position(|x| x == id) {
            Some(i) => i + 1,
            None => {
                ids.push(id.to_string());
                ids.len()
            }
        }
    }

    /// `[n]` links to the source records.
    pub(crate) fn links(&self, ids: &[String]) -> Markup {
        html! {
            span.sources {
                @for (i, id) in ids.iter().enumerate() {
                    @if i > 0 { " " }
                    @let n = self.mark(id);
                    @let title = self.pack.source(id).map_or(id.as_str(), |s| s.title.as_str());
                    a.cite href={"/sources/" (seg(id))} title=(title) aria-label={"source " (n)} { "[" (n) "]" }
                }
            }
        }
    }

    /// The numbered list of every source cited so far.
    pub(crate) fn list(&self) -> Markup {
        let ids = self.ids.borrow();
        html! {
            @if !ids.is_empty() {
                section aria-labelledby="sources-h" {
                    h2 #sources-h { "Sources" }
                    ol.citations {
                        @for (i, id) in ids.iter().enumerate() {
                            li id={"cite-" (i + 1)} value=(i + 1) {
                                @match self.pack.source(id) {
                                    Some(s) => {
                                        a href={"/sources/" (seg(id))} { (s.title) }
                                        @if let Some(p) = &s.publisher { " — " (p) }
                                        @if let Some(d) = s.date { ", " (d) }
                                    }
                                    None => a href={"/sources/" (seg(id))} { (id) },
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
