//! The curated authorisations compared with the regulator layers, for a reviewer
//! (`offlabel pack check`).
//!
//! Answers always use the curated record where there is one (the architecture's tiers);
//! this module lists where a regulator layer says something else, with both values and
//! both sources, so a reviewer can settle each one: fix the record (citing its source) or
//! explain the difference in `review-exceptions.toml`. It lives in the engine because it
//! needs both the pack and the layers; `offlabel-pack` stays free of them.
//!
//! What is compared, for every curated authorisation in force on the pack's date:
//! - **medicine**: the layer lists the medicine (a route-split id such as
//!   `ruxolitinib-topical` is looked up by its ingredient and route in Drugs@FDA); a
//!   medicine first authorised after a layer's date is not expected in it;
//! - **status**: a granted record against a layer where no product is authorised, and a
//!   record that lists no authorisation (or a refusal, or a pending application) against
//!   an indication the layer holds;
//! - **condition**: an indication clause of an authorised product names the condition
//!   (its Disease Ontology term, or a broader one); and, the other way round, a clause
//!   naming a curated dermatological condition for which the pack holds no record of that
//!   regulator (the pack would answer off-label);
//! - **age** and **severity**: the covering clause's lower and upper age bounds and
//!   severities against the record's population;
//! - **date**: the record's decision date against the product's first authorisation
//!   (EMA table) or the first approval (Drugs@FDA), and the EMA's latest decision.

use crate::Engine;
use crate::eu::{EMA_SOURCE, EuLayer};
use crate::text::phrase_key;
use crate::us::{DRUGSFDA_SOURCE, FDA_LABELS_SOURCE, UsLayer, long_date};
use offlabel_model::{Authorisation, AuthorisationKind, PartialDate, Regulator};
use offlabel_regulatory::{AgeGroup, IndicationClause, RegulatedProduct};
use offlabel_vocabulary::Vocabulary;
use serde::{Deserialize, Serialize};

/// The reviewed explanations of known differences (data, kept beside the code).
const EXCEPTIONS: &str = include_str!("review-exceptions.toml");

/// What a disagreement is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aspect {
    /// The layer lists the medicine or not.
    Medicine,
    /// Authorised or not at all (product status, a record of no authorisation).
    Status,
    /// Whether an indication names the condition.
    Condition,
    /// Age bounds.
    Age,
    /// Severities.
    Severity,
    /// Decision dates.
    Date,
}

impl Aspect {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Aspect::Medicine => "medicine",
            Aspect::Status => "status",
            Aspect::Condition => "condition",
            Aspect::Age => "age",
            Aspect::Severity => "severity",
            Aspect::Date => "date",
        }
    }
}

/// One place where a curated record and a regulator layer say different things.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disagreement {
    /// The curated authorisation's id, or `REGULATOR:medicine:condition` for a record the
    /// pack lacks.
    pub record: String,
    /// The regulator.
    pub regulator: Regulator,
    /// The medicine (pack id).
    pub medicine: String,
    /// The condition (pack id), when the record names one.
    pub condition: Option<String>,
    /// What differs.
    pub aspect: Aspect,
    /// What the curated record says.
    pub curated: String,
    /// The curated record's sources.
    pub curated_sources: Vec<String>,
    /// The layer compared (`ema`, `drugsfda`, `fda-labels`).
    pub layer: String,
    /// What the layer says.
    pub layer_says: String,
    /// The layer's record (product number, clause id or application number).
    pub layer_record: String,
    /// The source record standing for the layer.
    pub layer_source: String,
    /// The reviewer's explanation, for a known difference.
    pub explained: Option<String>,
}

/// An explained difference, as `review-exceptions.toml` writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// The disagreement's `record`.
    pub record: String,
    /// The disagreement's aspect.
    pub aspect: Aspect,
    /// The layer (`ema`, `drugsfda`, `fda-labels`).
    pub layer: String,
    /// Why the difference is known and the curated record stays.
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExceptionFile {
    #[serde(default)]
    exception: Vec<Exception>,
}

/// The result of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerReview {
    /// Curated authorisation records compared.
    pub compared: usize,
    /// Differences to review (not explained).
    pub disagreements: Vec<Disagreement>,
    /// Differences explained by `review-exceptions.toml` or by a layer's date.
    pub known: Vec<Disagreement>,
    /// Exceptions that match no difference any more (to delete).
    pub stale_exceptions: Vec<Exception>,
    /// Why some records could not be compared (no DO term, layer missing).
    pub not_compared: Vec<String>,
}

/// Why the review could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    /// The exceptions file does not parse.
    #[error(
        "crates/offlabel-engine/src/review-exceptions.toml does not parse: {0}; fix the file and rebuild"
    )]
    Exceptions(String),
}

/// The parsed exceptions file.
pub fn exceptions() -> Result<Vec<Exception>, ReviewError> {
    toml::from_str::<ExceptionFile>(EXCEPTIONS)
        .map(|f| f.exception)
        .map_err(|e| ReviewError::Exceptions(e.message().to_string()))
}

/// "from 12 years", "from 28 days"-like words for an age in months.
fn months_words(months: u32) -> String {
    match months {
        1 => "1 month".into(),
        m if m % 12 == 0 => format!("{} years", m / 12),
        m => format!("{m} months"),
    }
}

fn bounds_words(min: Option<u32>, max: Option<u32>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("from {} to below {}", months_words(a), months_words(b)),
        (Some(a), None) => format!("from {}", months_words(a)),
        (None, Some(b)) => format!("below {}", months_words(b)),
        (None, None) => "no age bound".into(),
    }
}

/// A layer date truncated to the precision of a curated partial date, so "2021-08"
/// compares with "2021-08-26" as equal.
fn at_precision(layer: &str, like: PartialDate) -> Option<PartialDate> {
    let d: PartialDate = layer.parse().ok()?;
    Some(PartialDate {
        year: d.year,
        month: like.month.and(d.month),
        day: like.day.and(d.day),
    })
}

/// The curated condition's Disease Ontology term: its own, else its nearest curated
/// ancestor's (a subtype DO does not split compares as the broader term).
fn condition_doid(engine: &Engine, condition: &str) -> Option<String> {
    let pack = engine.pack();
    let c = pack.condition(condition)?;
    c.doid.clone().or_else(|| {
        pack.ancestors(condition)
            .iter()
            .find_map(|a| a.doid.clone())
    })
}

struct Ctx<'a> {
    engine: &'a Engine,
    vocabulary: &'a Vocabulary,
    out: Vec<Disagreement>,
    not_compared: Vec<String>,
}

impl Ctx<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        a: &Authorisation,
        aspect: Aspect,
        curated: String,
        layer: &str,
        layer_says: String,
        layer_record: &str,
        layer_source: &str,
    ) {
        self.out.push(Disagreement {
            record: a.id.clone(),
            regulator: a.regulator,
            medicine: a.medicine.clone(),
            condition: a.condition.clone(),
            aspect,
            curated,
            curated_sources: a.sources.clone(),
            layer: layer.into(),
            layer_says,
            layer_record: layer_record.into(),
            layer_source: layer_source.into(),
            explained: None,
        });
    }

    /// The curated condition's English names, normalised.
    fn curated_names(&self, id: &str) -> Vec<String> {
        self.engine
            .pack()
            .condition(id)
            .map(|c| {
                std::iter::once(&c.name)
                    .chain(&c.synonyms)
                    .map(|n| phrase_key(n))
                    .filter(|n| !n.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn condition_name(&self, id: &str) -> String {
        self.engine
            .pack()
            .condition(id)
            .map_or_else(|| id.to_string(), |c| c.name.to_lowercase())
    }

    /// Compares a granted record's condition, ages and severities with the clauses of
    /// one regulator's layer. A clause covers the condition when it names its DO term
    /// (or a broader one) or its words name the condition as the pack does ("chronic
    /// graft versus host disease" picks the chronic clause of two mapped to GVHD; "hand
    /// eczema" is found though DO has no term for it).
    fn clauses(
        &mut self,
        a: &Authorisation,
        doid: Option<&str>,
        clauses: &[&IndicationClause],
        layer: &str,
        source: &str,
        holder: &str,
    ) {
        let v = self.vocabulary;
        let condition = a.condition.as_deref().unwrap_or_default();
        let names = self.curated_names(condition);
        let by_doid =
            |c: &IndicationClause| doid.is_some_and(|d| c.conditions.iter().any(|x| v.is_a(d, x)));
        let by_name = |c: &IndicationClause| {
            let text = format!(
                " {} ",
                phrase_key(c.condition_text.as_deref().unwrap_or(&c.quote))
            );
            names.iter().any(|n| text.contains(&format!(" {n} ")))
        };
        let mut covering: Vec<&IndicationClause> = clauses
            .iter()
            .copied()
            .filter(|c| by_doid(c) || by_name(c))
            .collect();
        covering.sort_by_key(|c| {
            (
                !by_name(c),
                !doid.is_some_and(|d| c.conditions.iter().any(|x| x == d)),
            )
        });
        let Some(c) = covering.first() else {
            let Some(doid) = doid else {
                self.not_compared.push(format!(
                    "{}: condition {condition} has no Disease Ontology term and no clause names it as the pack does",
                    a.id
                ));
                return;
            };
            let narrower = clauses
                .iter()
                .find(|c| c.conditions.iter().any(|d| v.is_a(d, doid)));
            let (says, record) = match narrower {
                Some(c) => (
                    format!(
                        "only a narrower form is named: \"{}\"",
                        c.condition_text.as_deref().unwrap_or(&c.quote)
                    ),
                    c.id.clone(),
                ),
                None => (
                    format!(
                        "no indication of {holder} names {} ({doid}); it names: {}",
                        self.condition_name(condition),
                        named_list(clauses)
                    ),
                    String::new(),
                ),
            };
            self.push(
                a,
                Aspect::Condition,
                format!("authorised for {}", self.condition_name(condition)),
                layer,
                says,
                &record,
                source,
            );
            return;
        };
        let pop = &a.population;
        let curated_min = pop.age_min_months.or(pop.age_min.map(|y| y * 12));
        let curated_max = pop.age_max.map(|y| (y + 1) * 12);
        let layer_min = c.population.min_age_months.or_else(|| {
            c.population
                .age_groups
                .contains(&AgeGroup::Adults)
                .then_some(18 * 12)
        });
        let layer_max = c.population.max_age_months;
        if (curated_min, curated_max) != (layer_min, layer_max) {
            let unread = if c.fully_read {
                String::new()
            } else {
                " (the clause is read only in part)".into()
            };
            self.push(
                a,
                Aspect::Age,
                bounds_words(curated_min, curated_max),
                layer,
                format!(
                    "{}{unread}: \"{}\"",
                    bounds_words(layer_min, layer_max),
                    crate::eu::full_quote(c)
                ),
                &c.id,
                source,
            );
        }
        let mut curated_sev: Vec<&str> = pop.severities.iter().map(String::as_str).collect();
        curated_sev.sort_unstable();
        let mut layer_sev: Vec<&str> = c.population.severity.iter().map(|s| s.as_str()).collect();
        layer_sev.sort_unstable();
        if curated_sev != layer_sev {
            let words = |s: &[&str]| {
                if s.is_empty() {
                    "any severity".to_string()
                } else {
                    s.join(", ")
                }
            };
            self.push(
                a,
                Aspect::Severity,
                words(&curated_sev),
                layer,
                format!("{}: \"{}\"", words(&layer_sev), crate::eu::full_quote(c)),
                &c.id,
                source,
            );
        }
    }

    fn eu(&mut self, a: &Authorisation, layer: &EuLayer) {
        let Some(m) = layer.medicine(&a.medicine) else {
            if a.kind == AuthorisationKind::Authorised {
                self.push(
                    a,
                    Aspect::Medicine,
                    "authorised in the EU".into(),
                    "ema",
                    "the EMA's table does not list this medicine".into(),
                    "",
                    EMA_SOURCE,
                );
            }
            return;
        };
        let authorised: Vec<&RegulatedProduct> = m
            .products
            .iter()
            .filter(|p| p.status.is_authorised())
            .collect();
        let clauses: Vec<&IndicationClause> = layer
            .clauses_of(&m.id)
            .into_iter()
            .filter(|c| {
                authorised
                    .iter()
                    .any(|p| p.product_number == c.product_number)
            })
            .collect();
        let doid = a
            .condition
            .as_deref()
            .and_then(|c| condition_doid(self.engine, c));
        let holder = authorised
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        match a.kind {
            AuthorisationKind::Authorised => {
                let Some(p) = authorised.first() else {
                    let p = &m.products[0];
                    self.push(
                        a,
                        Aspect::Status,
                        "authorised".into(),
                        "ema",
                        format!(
                            "no product is authorised ({} is {})",
                            p.name,
                            p.status.as_str()
                        ),
                        &p.product_number,
                        EMA_SOURCE,
                    );
                    return;
                };
                if a.condition.is_some() {
                    self.clauses(a, doid.as_deref(), &clauses, "ema", EMA_SOURCE, &holder);
                }
                // The product whose clause covers the condition, for its dates.
                let product = doid
                    .as_deref()
                    .and_then(|d| {
                        clauses
                            .iter()
                            .find(|c| c.conditions.iter().any(|x| self.vocabulary.is_a(d, x)))
                    })
                    .and_then(|c| {
                        authorised
                            .iter()
                            .find(|p| p.product_number == c.product_number)
                    })
                    .unwrap_or(p);
                self.eu_dates(a, product);
            }
            AuthorisationKind::NoneListed
            | AuthorisationKind::Refused
            | AuthorisationKind::UnderReview => {
                let says = |c: &IndicationClause| format!("\"{}\"", crate::eu::full_quote(c));
                let found = match &doid {
                    Some(d) => clauses
                        .iter()
                        .find(|c| c.conditions.iter().any(|x| self.vocabulary.is_a(d, x)))
                        .map(|c| (says(c), c.id.clone())),
                    None if a.condition.is_none() => authorised.first().map(|p| {
                        (
                            format!(
                                "{} is authorised{}",
                                p.name,
                                p.dates
                                    .authorisation
                                    .as_deref()
                                    .map(|d| format!(" since {d}"))
                                    .unwrap_or_default()
                            ),
                            p.product_number.clone(),
                        )
                    }),
                    None => None,
                };
                if let Some((says, record)) = found {
                    self.push(
                        a,
                        Aspect::Status,
                        kind_words(a.kind).into(),
                        "ema",
                        says,
                        &record,
                        EMA_SOURCE,
                    );
                }
            }
        }
    }

    fn eu_dates(&mut self, a: &Authorisation, p: &RegulatedProduct) {
        let Some(date) = a.date else {
            return;
        };
        if let Some(first) = p.dates.authorisation.as_deref()
            && let Some(at) = at_precision(first, date)
            && date < at
        {
            self.push(
                a,
                Aspect::Date,
                format!("decided {date}"),
                "ema",
                format!("{} was first authorised on {first}", p.name),
                &p.product_number,
                EMA_SOURCE,
            );
        }
        if let Some(last) = p.dates.last_decision.as_deref()
            && let Some(at) = at_precision(last, date)
            && date > at
        {
            self.push(
                a,
                Aspect::Date,
                format!("decided {date}"),
                "ema",
                format!(
                    "the Commission's latest decision on {} is of {last}",
                    p.name
                ),
                &p.product_number,
                EMA_SOURCE,
            );
        }
    }

    fn us(&mut self, a: &Authorisation, layer: &UsLayer) {
        let route = self
            .engine
            .pack()
            .medicine(&a.medicine)
            .map(|m| m.route.as_str().to_ascii_uppercase());
        let as_of = format!("Drugs@FDA as of {}", long_date(&layer.as_of));
        let apps = layer.applications_for(&a.medicine, route.as_deref());
        // Said only for a route-split id, looked up by its ingredient and route.
        let by_route = match &route {
            Some(r) if a.medicine.ends_with(&format!("-{}", r.to_lowercase())) => {
                format!(" by the {} route", r.to_lowercase())
            }
            _ => String::new(),
        };
        if a.kind == AuthorisationKind::Authorised {
            let after_layer = a
                .date
                .is_some_and(|d| at_precision(&layer.as_of, d).is_some_and(|l| d > l));
            if apps.is_empty() {
                let mut d = Disagreement {
                    record: a.id.clone(),
                    regulator: a.regulator,
                    medicine: a.medicine.clone(),
                    condition: a.condition.clone(),
                    aspect: Aspect::Medicine,
                    curated: a
                        .date
                        .map_or("approved".into(), |d| format!("approved {d}")),
                    curated_sources: a.sources.clone(),
                    layer: "drugsfda".into(),
                    layer_says: format!("{as_of} lists no application for it{by_route}"),
                    layer_record: String::new(),
                    layer_source: DRUGSFDA_SOURCE.into(),
                    explained: None,
                };
                if after_layer {
                    d.explained = Some(format!(
                        "approved after the layer's date ({}): the layer cannot list it",
                        long_date(&layer.as_of)
                    ));
                }
                self.out.push(d);
            } else {
                let first = apps.iter().filter_map(|x| x.approved.as_deref()).min();
                if let (Some(date), Some(first)) = (a.date, first)
                    && let Some(at) = at_precision(first, date)
                    && date < at
                {
                    let app = apps
                        .iter()
                        .find(|x| x.approved.as_deref() == Some(first))
                        .map(|x| x.no.clone())
                        .unwrap_or_default();
                    self.push(
                        a,
                        Aspect::Date,
                        format!("approved {date}"),
                        "drugsfda",
                        format!("{as_of}: first approval {first}"),
                        &app,
                        DRUGSFDA_SOURCE,
                    );
                }
                let marketed = apps
                    .iter()
                    .flat_map(|x| &x.products)
                    .any(|p| p.status.is_marketed());
                if !marketed && !after_layer {
                    self.push(
                        a,
                        Aspect::Status,
                        "approved".into(),
                        "drugsfda",
                        format!("{as_of}: every product is discontinued or tentative"),
                        &apps[0].no,
                        DRUGSFDA_SOURCE,
                    );
                }
            }
            let clauses = layer.label_clauses(&a.medicine);
            if !clauses.is_empty()
                && let Some(c) = a.condition.as_deref()
            {
                let doid = condition_doid(self.engine, c);
                let refs: Vec<&IndicationClause> = clauses.iter().map(|(_, c)| *c).collect();
                self.clauses(
                    a,
                    doid.as_deref(),
                    &refs,
                    "fda-labels",
                    FDA_LABELS_SOURCE,
                    "the FDA labels the pack holds",
                );
            }
        }
    }

    /// Clauses naming a curated dermatological condition exactly, for a curated
    /// medicine, where the pack holds no record of that regulator for the pair.
    fn missing(
        &mut self,
        regulator: Regulator,
        medicine: &str,
        clauses: &[&IndicationClause],
        layer: &str,
        source: &str,
    ) {
        let pack = self.engine.pack();
        for c in clauses {
            for d in &c.conditions {
                for cond in pack
                    .conditions
                    .iter()
                    .filter(|x| x.in_area && x.doid.as_deref() == Some(d.as_str()))
                {
                    let has = pack.authorisations_of(medicine).any(|a| {
                        a.regulator == regulator
                            && a.condition.as_deref().is_some_and(|x| {
                                pack.is_within(x, &cond.id) || pack.is_within(&cond.id, x)
                            })
                    });
                    if has {
                        continue;
                    }
                    self.out.push(Disagreement {
                        record: format!("{regulator}:{medicine}:{}", cond.id),
                        regulator,
                        medicine: medicine.into(),
                        condition: Some(cond.id.clone()),
                        aspect: Aspect::Condition,
                        curated: format!(
                            "no {regulator} record for {} (answers say off-label)",
                            cond.name.to_lowercase()
                        ),
                        curated_sources: Vec::new(),
                        layer: layer.into(),
                        layer_says: format!("\"{}\"", crate::eu::full_quote(c)),
                        layer_record: c.id.clone(),
                        layer_source: source.into(),
                        explained: None,
                    });
                }
            }
        }
    }
}

fn kind_words(kind: AuthorisationKind) -> &'static str {
    match kind {
        AuthorisationKind::Authorised => "authorised",
        AuthorisationKind::NoneListed => "no authorisation listed",
        AuthorisationKind::Refused => "refused",
        AuthorisationKind::UnderReview => "application under review",
    }
}

/// The conditions a medicine's clauses name, in their words, for a short line.
fn named_list(clauses: &[&IndicationClause]) -> String {
    let mut names: Vec<&str> = clauses
        .iter()
        .filter_map(|c| c.condition_text.as_deref())
        .collect();
    names.dedup();
    if names.is_empty() {
        "nothing the reader could name".into()
    } else {
        names.join("; ")
    }
}

/// Compares every curated authorisation in force with the regulator layers.
pub fn review(engine: &Engine) -> Result<LayerReview, ReviewError> {
    let exceptions = exceptions()?;
    let Some((vocabulary, _)) = engine.vocabulary.get() else {
        return Ok(LayerReview {
            compared: 0,
            disagreements: Vec::new(),
            known: Vec::new(),
            stale_exceptions: Vec::new(),
            not_compared: vec!["the Disease Ontology layer is missing: nothing compared".into()],
        });
    };
    let mut ctx = Ctx {
        engine,
        vocabulary,
        out: Vec::new(),
        not_compared: Vec::new(),
    };
    let pack = engine.pack();
    let eu = engine.eu.get();
    let us = engine.us.get();
    if eu.is_none() {
        ctx.not_compared
            .push("the EMA layer is missing or unreadable".into());
    }
    if us.is_none() {
        ctx.not_compared
            .push("the FDA layers are missing or unreadable".into());
    }
    let mut compared = 0;
    for a in pack.authorisations.iter().map(|a| &a.record) {
        match (a.regulator, eu, us) {
            (Regulator::Ema, Some(layer), _) => ctx.eu(a, layer),
            (Regulator::Fda, _, Some(layer)) => ctx.us(a, layer),
            _ => continue,
        }
        compared += 1;
    }
    for m in &pack.medicines {
        if let Some(layer) = eu
            && let Some(lm) = layer.medicine(&m.id)
        {
            let clauses: Vec<&IndicationClause> = layer
                .clauses_of(&lm.id)
                .into_iter()
                .filter(|c| {
                    lm.products
                        .iter()
                        .any(|p| p.product_number == c.product_number && p.status.is_authorised())
                })
                .collect();
            ctx.missing(Regulator::Ema, &m.id, &clauses, "ema", EMA_SOURCE);
        }
        if let Some(layer) = us {
            let clauses: Vec<&IndicationClause> = layer
                .label_clauses(&m.id)
                .into_iter()
                .map(|(_, c)| c)
                .collect();
            ctx.missing(
                Regulator::Fda,
                &m.id,
                &clauses,
                "fda-labels",
                FDA_LABELS_SOURCE,
            );
        }
    }
    let mut used = vec![false; exceptions.len()];
    let mut disagreements = Vec::new();
    let mut known = Vec::new();
    for mut d in ctx.out {
        if let Some(i) = exceptions
            .iter()
            .position(|e| e.record == d.record && e.aspect == d.aspect && e.layer == d.layer)
        {
            used[i] = true;
            d.explained = Some(exceptions[i].reason.clone());
        }
        if d.explained.is_some() {
            known.push(d);
        } else {
            disagreements.push(d);
        }
    }
    let stale_exceptions = exceptions
        .into_iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(e, _)| e)
        .collect();
    Ok(LayerReview {
        compared,
        disagreements,
        known,
        stale_exceptions,
        not_compared: ctx.not_compared,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exceptions_parse() {
        assert!(exceptions().is_ok(), "{:?}", exceptions());
    }

    #[test]
    fn layer_dates_compare_at_the_curated_precision() {
        let month: PartialDate = "2021-08".parse().unwrap_or_else(|_| unreachable!());
        assert_eq!(at_precision("2021-08-26", month), Some(month));
        let day: PartialDate = "2021-08-01".parse().unwrap_or_else(|_| unreachable!());
        assert!(at_precision("2021-08-26", day).is_some_and(|l| day < l));
    }

    #[test]
    fn ages_in_words() {
        assert_eq!(bounds_words(Some(144), None), "from 12 years");
        assert_eq!(
            bounds_words(Some(1), Some(216)),
            "from 1 month to below 18 years"
        );
        assert_eq!(bounds_words(None, None), "no age bound");
    }
}

#[cfg(test)]
mod embedded_pack {
    use crate::Engine;

    /// Every difference between the curated JAK records and the layers is settled:
    /// fixed in the record or explained in `review-exceptions.toml`, and no exception
    /// is left over.
    #[test]
    fn curated_records_agree_with_the_layers_or_are_explained() {
        let engine = Engine::new(offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}")));
        let review = engine.review_layers().unwrap_or_else(|e| panic!("{e}"));
        assert!(review.compared > 20, "{}", review.compared);
        assert!(
            review.disagreements.is_empty(),
            "{:#?}",
            review.disagreements
        );
        assert!(
            review.stale_exceptions.is_empty(),
            "{:#?}",
            review.stale_exceptions
        );
        assert!(review.known.iter().all(|d| d.explained.is_some()));
    }
}
