//! Browsing every medicine and condition the pack and its layers hold: one query layer
//! for the command line, the HTTP API and the web page (they only render).
//!
//! A medicine is found in the curated pack, the EMA layer, Drugs@FDA or the FDA labels, by
//! id, INN, product or brand name, misspelt or not; a condition by curated id or name, by
//! Disease Ontology id or name, or by a code (ICD-10-CM, UMLS, SNOMED CT). Lists are
//! searches with paging (`limit`, `offset`, `total`): never the whole layer at once.
//!
//! Every fact shown carries the source that states it: curated records their own
//! sources; EU products and clauses the EMA's table; US applications Drugs@FDA, with
//! its date ("according to Drugs@FDA as of 1 July 2019"); US clauses the label they are
//! from.

use crate::Engine;
use crate::eu::{EMA_SOURCE, full_quote, limits};
use crate::text::phrase_key;
use crate::us::{DRUGSFDA_SOURCE, FDA_LABELS_SOURCE, long_date};
use offlabel_model::{Authorisation, Medicine};
pub use offlabel_regulatory::{ApplicationKind, ProductStatus, UsMarketingStatus};
use offlabel_regulatory::{IndicationClause, RegulatedProduct};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Largest page a list returns.
pub const MAX_LIMIT: usize = 200;
/// Page size when none is asked.
pub const DEFAULT_LIMIT: usize = 20;
/// Most entries of one kind a medicine or condition page shows (the total is given).
pub const MAX_ITEMS: usize = 50;

/// One page of a list.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Page<T> {
    /// How many entries match in all.
    pub total: usize,
    /// The first entry's position in the full list (from 0).
    pub offset: usize,
    /// The page size asked (at most 200).
    pub limit: usize,
    /// The entries of this page.
    pub items: Vec<T>,
}

fn page<T>(all: Vec<T>, limit: usize, offset: usize) -> Page<T> {
    let limit = limit.clamp(1, MAX_LIMIT);
    let total = all.len();
    let items = all.into_iter().skip(offset).take(limit).collect();
    Page {
        total,
        offset,
        limit,
        items,
    }
}

/// A search of the medicines.
#[derive(Debug, Clone, Default)]
pub struct MedicineQuery {
    /// Words of a name (id, INN, product, brand or ingredient); empty lists all.
    pub text: Option<String>,
    /// An ATC code or its prefix (`L04`, `L04AF`): EU products and curated medicines.
    pub atc: Option<String>,
    /// A status: an EMA product status (`authorised`, `withdrawn`, `refused`…), or the
    /// Drugs@FDA marketing statuses `marketed` (prescription or OTC) and `discontinued`.
    /// `authorised` also takes a medicine marketed in the US.
    pub status: Option<String>,
    /// Page size (1-200).
    pub limit: usize,
    /// Entries to skip.
    pub offset: usize,
}

/// The statuses a medicine search accepts.
pub const STATUS_WORDS: &[&str] = &[
    "authorised",
    "withdrawn",
    "expired",
    "lapsed",
    "revoked",
    "refused",
    "suspended",
    "application_withdrawn",
    "withdrawn_from_rolling_review",
    "opinion",
    "opinion_under_reexamination",
    "marketed",
    "discontinued",
];

/// Why a browse query was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrowseError {
    /// A status the search does not know.
    #[error("unknown status {0:?}; use one of: {list}", list = STATUS_WORDS.join(", "))]
    Status(String),
    /// An ATC code that is not letters and digits.
    #[error("{0:?} is not an ATC code or prefix; write e.g. L04 or L04AA")]
    Atc(String),
}

/// A medicine in a list.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MedicineSummary {
    /// The contract id (the curated pack's, else the layer's).
    pub id: String,
    /// A readable name.
    pub name: String,
    /// Which parts of the pack hold it: `curated`, `ema`, `drugsfda`, `fda-labels`.
    pub layers: Vec<String>,
    /// EU product names, with their status.
    pub eu_products: Vec<String>,
    /// US brand names of marketed products (at most 5).
    pub us_brands: Vec<String>,
    /// ATC codes (EU products and curated record).
    pub atc: Vec<String>,
}

/// An EU product as the EMA's table lists it.
pub type EuProduct = RegulatedProduct;

/// One indication clause, with the regulator's words.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IndicationView {
    /// The clause's id.
    pub id: String,
    /// The product number (EU) or label set id (US) it belongs to.
    pub product: String,
    /// The product's name.
    pub product_name: String,
    /// The heading the text puts before it.
    pub heading: Option<String>,
    /// The regulator's exact words (a list item with the sentence that leads into it).
    pub quote: String,
    /// The conditions it names (Disease Ontology).
    pub conditions: Vec<NamedTerm>,
    /// The population limits read, in short words.
    pub limits: Vec<String>,
    /// True when every restricting word was read; else the quote decides.
    pub fully_read: bool,
    /// Words the reader did not interpret.
    pub unread: Vec<String>,
}

/// A Disease Ontology term by id and label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct NamedTerm {
    /// `DOID:` and digits.
    pub id: String,
    /// Its label.
    pub name: String,
}

/// What the EMA's table holds about a medicine.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EuView {
    /// The source record of the layer.
    pub source: String,
    /// The layer's medicine id.
    pub id: String,
    /// The INN as the table writes it.
    pub inn: String,
    /// The products (at most 50; see `products_total`).
    pub products: Vec<EuProduct>,
    /// How many products in all.
    pub products_total: usize,
    /// The indication clauses of authorised products (at most 50).
    pub indications: Vec<IndicationView>,
    /// How many clauses in all.
    pub indications_total: usize,
}

/// A group of products of one US application.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UsProductView {
    /// How many products (strengths).
    pub count: u32,
    /// The brand, when it has one.
    pub brand: Option<String>,
    /// Dosage form.
    pub form: String,
    /// Route.
    pub route: Option<String>,
    /// Marketing status.
    pub status: UsMarketingStatus,
}

/// One FDA application.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UsApplicationView {
    /// The application number.
    pub number: String,
    /// NDA, BLA or ANDA.
    pub kind: ApplicationKind,
    /// The sponsor.
    pub sponsor: String,
    /// Original approval date.
    pub approved: Option<String>,
    /// Its products.
    pub products: Vec<UsProductView>,
}

/// One FDA label the pack holds, with its indications.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UsLabelView {
    /// The SPL set id.
    pub set_id: String,
    /// Product names.
    pub products: Vec<String>,
    /// Labeller.
    pub labeler: Option<String>,
    /// Effective date.
    pub effective: Option<String>,
    /// Where the label came from.
    pub source: String,
    /// Its indication clauses.
    pub indications: Vec<IndicationView>,
}

/// What the US layers hold about a medicine.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UsView {
    /// The source record of Drugs@FDA.
    pub source: String,
    /// The source record of the label layer.
    pub label_source: String,
    /// The Drugs@FDA layer's date (`YYYY-MM-DD`).
    pub as_of: String,
    /// "according to Drugs@FDA as of 1 July 2019".
    pub according_to: String,
    /// The approval sentence Drugs@FDA supports, when it lists the medicine.
    pub approval: Option<String>,
    /// The ingredients as Drugs@FDA writes them.
    pub ingredients: Vec<String>,
    /// The earliest original approval.
    pub first_approval: Option<String>,
    /// The applications, NDAs and BLAs first (at most 50).
    pub applications: Vec<UsApplicationView>,
    /// How many applications in all.
    pub applications_total: usize,
    /// FDA labels the pack holds, newest first.
    pub labels: Vec<UsLabelView>,
}

/// The curated records of a medicine.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CuratedView {
    /// The medicine record.
    pub medicine: Medicine,
    /// Its authorisation records in force.
    pub authorisations: Vec<Authorisation>,
    /// Studies the pack holds of it.
    pub studies: usize,
}

/// Everything the pack and its layers hold about one medicine.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MedicineView {
    /// The contract id.
    pub id: String,
    /// A readable name.
    pub name: String,
    /// How the query was read, when not by id or exact name ("spelling: olumiant").
    pub read_as: Option<String>,
    /// The curated records, when the pack curates it.
    pub curated: Option<CuratedView>,
    /// The EMA's table, when it lists it.
    pub eu: Option<EuView>,
    /// Drugs@FDA and FDA labels, when they list it.
    pub us: Option<UsView>,
}

/// A condition in a list.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConditionSummary {
    /// The curated id, else the DOID.
    pub id: String,
    /// The name.
    pub name: String,
    /// The DOID, when it has one.
    pub doid: Option<String>,
    /// The curated condition, when the pack curates it.
    pub curated: Option<String>,
    /// First ICD-10-CM code, when DO gives one.
    pub icd10cm: Option<String>,
    /// The name that matched, when not the label.
    pub matched: Option<String>,
}

/// A medicine authorised for a condition by a regulator's text.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ClauseRef {
    /// The medicine's id.
    pub medicine: String,
    /// The clause, with its quote.
    pub indication: IndicationView,
}

/// Everything the pack and its layers hold about one condition.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConditionView {
    /// The curated id, else the DOID.
    pub id: String,
    /// The name.
    pub name: String,
    /// How the query was read, when not by id, code or exact name.
    pub read_as: Option<String>,
    /// The DOID, when it has one.
    pub doid: Option<String>,
    /// The curated condition, when the pack curates it.
    pub curated: Option<offlabel_model::Condition>,
    /// Codes by system (DO's cross-references).
    pub codes: BTreeMap<String, Vec<String>>,
    /// Exact synonyms.
    pub synonyms: Vec<String>,
    /// Broader terms.
    pub parents: Vec<NamedTerm>,
    /// Narrower terms (at most 50).
    pub children: Vec<NamedTerm>,
    /// How many narrower terms in all.
    pub children_total: usize,
    /// Curated authorisation records in force for it or its subtypes.
    pub authorisations: Vec<Authorisation>,
    /// EU indication clauses of authorised products naming it or a narrower term (at most 50).
    pub eu_indications: Vec<ClauseRef>,
    /// How many in all.
    pub eu_indications_total: usize,
    /// FDA label clauses naming it or a narrower term.
    pub us_indications: Vec<ClauseRef>,
    /// Curated medicines with studies in it or its subtypes, with their number.
    pub studied: Vec<(String, usize)>,
    /// The source records for the layers' parts.
    pub sources: Vec<String>,
}

/// How well `name` matches the query words: 0 exact, 1 prefix, 2 word start, 3 inside.
fn rank(name: &str, q: &str) -> Option<u8> {
    if name == q {
        Some(0)
    } else if name.starts_with(q) {
        Some(1)
    } else if name.contains(&format!(" {q}")) {
        Some(2)
    } else if name.contains(q) {
        Some(3)
    } else {
        None
    }
}

struct Entry {
    id: String,
    names: Vec<String>,
    summary: MedicineSummary,
    statuses: HashSet<&'static str>,
}

impl Engine {
    fn medicine_entries(&self) -> Vec<Entry> {
        let mut by_id: BTreeMap<String, Entry> = BTreeMap::new();
        for m in &self.pack().medicines {
            let e = by_id
                .entry(m.id.clone())
                .or_insert_with(|| new_entry(&m.id, &m.name));
            e.summary.layers.push("curated".into());
            e.names.push(phrase_key(&m.name));
            e.names.push(phrase_key(&m.ingredient));
            e.names
                .extend(m.products.iter().map(|p| phrase_key(&p.brand)));
            e.summary.atc.extend(m.atc.iter().cloned());
        }
        if let Some(eu) = self.eu.get() {
            for m in eu.medicines() {
                let e = by_id
                    .entry(m.id.clone())
                    .or_insert_with(|| new_entry(&m.id, &m.inn));
                e.summary.layers.push("ema".into());
                e.names.push(phrase_key(&m.inn));
                for p in &m.products {
                    e.names.push(phrase_key(&p.name));
                    e.summary.eu_products.push(format!(
                        "{} ({})",
                        p.name,
                        p.status.as_str().replace('_', " ")
                    ));
                    e.statuses.insert(p.status.as_str());
                    if let Some(atc) = &p.atc
                        && !e.summary.atc.contains(atc)
                    {
                        e.summary.atc.push(atc.clone());
                    }
                }
            }
        }
        if let Some(us) = self.us.get() {
            for m in us.medicines() {
                let name = us.display_name(&m.id);
                let e = by_id
                    .entry(m.id.clone())
                    .or_insert_with(|| new_entry(&m.id, &name));
                e.summary.layers.push("drugsfda".into());
                e.names.extend(m.ingredients.iter().map(|i| phrase_key(i)));
                for p in m.apps.iter().flat_map(|a| &a.products) {
                    if p.status.is_marketed() {
                        e.statuses.insert("marketed");
                    } else if p.status == UsMarketingStatus::Discontinued {
                        e.statuses.insert("discontinued");
                    }
                    if let Some(b) = &p.brand {
                        let n = phrase_key(b);
                        if !e.names.contains(&n) {
                            e.names.push(n);
                        }
                        if p.status.is_marketed()
                            && e.summary.us_brands.len() < 5
                            && !e.summary.us_brands.contains(b)
                        {
                            e.summary.us_brands.push(b.clone());
                        }
                    }
                }
            }
            for id in us.label_only_ids() {
                let name = us.display_name(id);
                let e = by_id
                    .entry(id.to_string())
                    .or_insert_with(|| new_entry(id, &name));
                e.summary.layers.push("fda-labels".into());
                for l in us.labels(id) {
                    e.names.extend(l.products.iter().map(|p| phrase_key(p)));
                    if l.rx {
                        e.statuses.insert("marketed");
                    }
                }
            }
        }
        by_id.into_values().collect()
    }

    /// Medicines across the curated pack and the layers, filtered and paged.
    pub fn find_medicines(&self, q: &MedicineQuery) -> Result<Page<MedicineSummary>, BrowseError> {
        if let Some(s) = &q.status
            && !STATUS_WORDS.contains(&s.as_str())
        {
            return Err(BrowseError::Status(s.clone()));
        }
        let atc = match q.atc.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            Some(a) if a.chars().all(|c| c.is_ascii_alphanumeric()) && a.len() <= 7 => {
                Some(a.to_ascii_uppercase())
            }
            Some(a) => return Err(BrowseError::Atc(a.to_string())),
            None => None,
        };
        let text = q.text.as_deref().map(phrase_key).filter(|t| !t.is_empty());
        let mut hits: Vec<(u8, Entry)> = self
            .medicine_entries()
            .into_iter()
            .filter(|e| {
                atc.as_ref()
                    .is_none_or(|a| e.summary.atc.iter().any(|x| x.starts_with(a.as_str())))
            })
            .filter(|e| {
                q.status.as_deref().is_none_or(|s| {
                    e.statuses.contains(s) || (s == "authorised" && e.statuses.contains("marketed"))
                })
            })
            .filter_map(|e| {
                let r = match &text {
                    Some(t) => e.names.iter().filter_map(|n| rank(n, t)).min()?,
                    None => 0,
                };
                Some((r, e))
            })
            .collect();
        hits.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
        Ok(page(
            hits.into_iter().map(|(_, e)| e.summary).collect(),
            q.limit,
            q.offset,
        ))
    }

    /// The medicine a name, id, brand or misspelling stands for, and how it was read.
    pub fn resolve_any_medicine(&self, text: &str) -> Option<(String, Option<String>)> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let pack = self.pack();
        if pack.medicine(t).is_some() {
            return Some((t.to_string(), None));
        }
        let eu = self.eu.get();
        let us = self.us.get();
        if eu.is_some_and(|l| l.medicine(t).is_some()) || us.is_some_and(|l| l.knows(t)) {
            return Some((t.to_string(), None));
        }
        // The curated lexicon first: it knows brands, Spanish names and misspellings.
        if let Some(id) = self.understand(t).medicine {
            return Some((id, None));
        }
        if let Some(m) = eu.and_then(|l| l.find_medicine(t)) {
            return Some((m.id.clone(), None));
        }
        if let Some(id) = us.and_then(|l| l.find_medicine(t)) {
            return Some((id.to_string(), None));
        }
        // Anything else (a misspelling, a strength or dose form written with the name):
        // the engine's one drug-name resolver, as FAERS names are read.
        let id = self.resolve_drug_name(t)?;
        let name = eu
            .and_then(|l| l.medicine(&id).map(|m| m.inn.clone()))
            .or_else(|| us.map(|l| l.display_name(&id)))
            .unwrap_or_else(|| id.clone());
        Some((id, Some(format!("spelling: {}", phrase_key(&name)))))
    }

    /// Everything known about one medicine (see [`MedicineView`]); `None` when no part of
    /// the pack names it.
    pub fn medicine_view(&self, text: &str) -> Option<MedicineView> {
        let (id, read_as) = self.resolve_any_medicine(text)?;
        let pack = self.pack();
        let curated = pack.medicine(&id).map(|m| CuratedView {
            medicine: m.clone(),
            authorisations: pack.authorisations_of(&id).cloned().collect(),
            studies: pack.studies_of(&id).count(),
        });
        let vocabulary = self.vocabulary.get().map(|(v, _)| v);
        let view =
            |c: &IndicationClause, product_name: &str| indication_view(c, product_name, vocabulary);
        let eu = self.eu.get().and_then(|l| {
            let m = l.medicine(&id)?;
            let authorised: Vec<&RegulatedProduct> = m
                .products
                .iter()
                .filter(|p| p.status == ProductStatus::Authorised)
                .collect();
            let clauses: Vec<IndicationView> = l
                .clauses_of(&m.id)
                .into_iter()
                .filter_map(|c| {
                    let p = authorised
                        .iter()
                        .find(|p| p.product_number == c.product_number)?;
                    Some(view(c, &p.name))
                })
                .collect();
            Some(EuView {
                source: EMA_SOURCE.into(),
                id: m.id.clone(),
                inn: m.inn.clone(),
                products_total: m.products.len(),
                products: m.products.iter().take(MAX_ITEMS).cloned().collect(),
                indications_total: clauses.len(),
                indications: clauses.into_iter().take(MAX_ITEMS).collect(),
            })
        });
        let us = self.us.get().and_then(|l| {
            let route = pack
                .medicine(&id)
                .map(|m| m.route.as_str().to_ascii_uppercase());
            let mut apps = l.applications_for(&id, route.as_deref());
            let labels = l.labels(&id);
            if apps.is_empty() && labels.is_empty() {
                return None;
            }
            // NDAs and BLAs (the originators) before the generics.
            apps.sort_by_key(|a| {
                (
                    a.kind == ApplicationKind::Anda,
                    a.approved.is_none(),
                    a.approved.clone(),
                )
            });
            let first_approval = apps.iter().filter_map(|a| a.approved.clone()).min();
            let base = l.medicine(&id);
            Some(UsView {
                source: DRUGSFDA_SOURCE.into(),
                label_source: FDA_LABELS_SOURCE.into(),
                as_of: l.as_of.clone(),
                according_to: format!("according to Drugs@FDA as of {}", long_date(&l.as_of)),
                approval: l.approval_sentence(&id),
                ingredients: base.map(|m| m.ingredients.clone()).unwrap_or_default(),
                first_approval,
                applications_total: apps.len(),
                applications: apps
                    .iter()
                    .take(MAX_ITEMS)
                    .map(|a| UsApplicationView {
                        number: a.no.clone(),
                        kind: a.kind,
                        sponsor: a.sponsor.clone(),
                        approved: a.approved.clone(),
                        products: a
                            .products
                            .iter()
                            .map(|p| UsProductView {
                                count: p.n,
                                brand: p.brand.clone(),
                                form: p.form.clone(),
                                route: p.route.clone(),
                                status: p.status,
                            })
                            .collect(),
                    })
                    .collect(),
                labels: labels
                    .iter()
                    .map(|lab| {
                        let name = lab.products.first().cloned().unwrap_or_default();
                        UsLabelView {
                            set_id: lab.set_id.clone(),
                            products: lab.products.clone(),
                            labeler: lab.labeler.clone(),
                            effective: lab.effective.clone(),
                            source: lab.source.clone(),
                            indications: l
                                .label_clauses(&id)
                                .into_iter()
                                .filter(|(x, _)| x.set_id == lab.set_id)
                                .map(|(_, c)| view(c, &name))
                                .collect(),
                        }
                    })
                    .collect(),
            })
        });
        let name = curated
            .as_ref()
            .map(|c| c.medicine.name.clone())
            .or_else(|| eu.as_ref().map(|e| e.inn.clone()))
            .or_else(|| self.us.get().map(|l| l.display_name(&id)))
            .unwrap_or_else(|| id.clone());
        Some(MedicineView {
            id,
            name,
            read_as,
            curated,
            eu,
            us,
        })
    }
}

/// A clause as browsing shows it: the quote, the DO terms it names, the limits read.
fn indication_view(
    c: &IndicationClause,
    product_name: &str,
    vocabulary: Option<&offlabel_vocabulary::Vocabulary>,
) -> IndicationView {
    IndicationView {
        id: c.id.clone(),
        product: c.product_number.clone(),
        product_name: product_name.to_string(),
        heading: c.heading.clone(),
        quote: full_quote(c),
        conditions: c
            .conditions
            .iter()
            .map(|d| NamedTerm {
                id: d.clone(),
                name: vocabulary
                    .and_then(|v| v.get(d))
                    .map_or_else(|| d.clone(), |t| t.name.clone()),
            })
            .collect(),
        limits: limits(&c.population),
        fully_read: c.fully_read,
        unread: c.unread.clone(),
    }
}

fn new_entry(id: &str, name: &str) -> Entry {
    Entry {
        id: id.to_string(),
        names: vec![phrase_key(id)],
        summary: MedicineSummary {
            id: id.to_string(),
            name: name.to_string(),
            layers: Vec::new(),
            eu_products: Vec::new(),
            us_brands: Vec::new(),
            atc: Vec::new(),
        },
        statuses: HashSet::new(),
    }
}

/// Whether a query looks like a code rather than a name (DOID, ICD-10-CM, UMLS, SNOMED CT).
fn looks_like_code(t: &str) -> bool {
    let b = t.as_bytes();
    t.to_ascii_uppercase().starts_with("DOID:")
        || (!t.is_empty() && b.iter().all(u8::is_ascii_digit))
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1].is_ascii_digit()
            && b[2].is_ascii_alphanumeric()
            && !t.contains(' '))
}

impl Engine {
    /// Conditions whose name, synonym or code matches `text` (curated conditions and the
    /// Disease Ontology layer, one entry per condition), best matches first, paged.
    pub fn find_conditions(
        &self,
        text: &str,
        limit: usize,
        offset: usize,
    ) -> Page<ConditionSummary> {
        let pack = self.pack();
        let vocabulary = self.vocabulary.get().map(|(v, _)| v);
        let curated_of = |doid: &str| {
            pack.conditions
                .iter()
                .find(|c| c.doid.as_deref() == Some(doid))
                .map(|c| c.id.clone())
        };
        let summary = |t: &offlabel_vocabulary::Term, matched: Option<String>| ConditionSummary {
            id: curated_of(&t.id).unwrap_or_else(|| t.id.clone()),
            name: t.name.clone(),
            doid: Some(t.id.clone()),
            curated: curated_of(&t.id),
            icd10cm: t.codes.get("icd10cm").and_then(|c| c.first().cloned()),
            matched,
        };
        let t = text.trim();
        if looks_like_code(t)
            && let Some(v) = vocabulary
        {
            let found: Vec<ConditionSummary> = v
                .resolve(t)
                .into_iter()
                .map(|term| summary(term, None))
                .collect();
            if !found.is_empty() {
                return page(found, limit, offset);
            }
        }
        let q = phrase_key(t);
        let mut hits: Vec<(u8, usize, ConditionSummary)> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for c in &pack.conditions {
            let names = std::iter::once(&c.name)
                .chain(&c.synonyms)
                .chain(&c.abbreviations)
                .chain(&c.lay_terms)
                .chain(&c.es);
            let best = names
                .filter_map(|n| rank(&phrase_key(n), &q).map(|r| (r, n)))
                .min_by_key(|(r, _)| *r);
            if let Some((r, n)) = best {
                if let Some(d) = &c.doid {
                    seen.insert(d.clone());
                }
                hits.push((
                    r,
                    c.name.len(),
                    ConditionSummary {
                        id: c.id.clone(),
                        name: c.name.clone(),
                        doid: c.doid.clone(),
                        curated: Some(c.id.clone()),
                        icd10cm: c
                            .doid
                            .as_deref()
                            .and_then(|d| vocabulary?.get(d))
                            .and_then(|t| t.codes.get("icd10cm")?.first().cloned()),
                        matched: (n != &c.name).then(|| n.clone()),
                    },
                ));
            }
        }
        for term in vocabulary.map(|v| v.terms()).unwrap_or_default() {
            if seen.contains(&term.id) {
                continue;
            }
            let best = std::iter::once(&term.name)
                .chain(&term.exact)
                .filter_map(|n| rank(&phrase_key(n), &q).map(|r| (r, n)))
                .min_by_key(|(r, _)| *r);
            if let Some((r, n)) = best {
                let matched = (n != &term.name).then(|| n.clone());
                hits.push((r, term.name.len(), summary(term, matched)));
            }
        }
        hits.sort_by(|a, b| (a.0, a.1, &a.2.name).cmp(&(b.0, b.1, &b.2.name)));
        page(hits.into_iter().map(|(_, _, s)| s).collect(), limit, offset)
    }

    /// Everything known about one condition (see [`ConditionView`]): by curated id or
    /// name, DOID, ICD-10-CM, UMLS or SNOMED CT code, or a Disease Ontology name found in
    /// the text. `None` when nothing matches.
    pub fn condition_view(&self, text: &str) -> Option<ConditionView> {
        let pack = self.pack();
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let vocabulary = self.vocabulary.get();
        let term_of = |doid: &str| vocabulary.and_then(|(v, _)| v.get(doid));
        let curated_of = |doid: &str| {
            pack.conditions
                .iter()
                .find(|c| c.doid.as_deref() == Some(doid))
                .map(|c| &c.record)
        };
        let (curated, term, read_as) = if let Some(c) = pack.condition(t) {
            (Some(c), c.doid.as_deref().and_then(term_of), None)
        } else if let Some(term) = vocabulary.and_then(|(v, _)| v.resolve(t).into_iter().next()) {
            (curated_of(&term.id), Some(term), None)
        } else if let Some(c) = self
            .understand(t)
            .condition
            .and_then(|id| pack.condition(&id))
        {
            (
                Some(c),
                c.doid.as_deref().and_then(term_of),
                Some(format!("read as: {}", c.name)),
            )
        } else {
            let (v, matcher) = vocabulary?;
            let m = matcher.find(t).into_iter().find(|m| !m.negated)?;
            let term = v.get(&m.doid)?;
            (
                curated_of(&term.id),
                Some(term),
                Some(format!("read as: {}", term.name)),
            )
        };
        let doid = term
            .map(|x| x.id.clone())
            .or_else(|| curated.and_then(|c| c.doid.clone()));
        let named = |d: &str| NamedTerm {
            id: d.to_string(),
            name: term_of(d).map_or_else(|| d.to_string(), |x| x.name.clone()),
        };
        let children: Vec<NamedTerm> = match (&doid, vocabulary) {
            (Some(d), Some((v, _))) => v.children(d).into_iter().map(|x| named(&x.id)).collect(),
            _ => Vec::new(),
        };
        // The term and everything below it: a clause naming a narrower term is listed.
        let scope: HashSet<String> = match (&doid, vocabulary) {
            (Some(d), Some((v, _))) => std::iter::once(d.clone())
                .chain(v.descendants(d).into_iter().map(|x| x.id.clone()))
                .collect(),
            _ => HashSet::new(),
        };
        let clause_view = |c: &IndicationClause, product_name: &str| {
            indication_view(c, product_name, vocabulary.map(|(v, _)| v))
        };
        let mut eu_indications = Vec::new();
        if let Some(eu) = self.eu.get() {
            for c in eu.clauses() {
                if !c.conditions.iter().any(|d| scope.contains(d)) {
                    continue;
                }
                let Some(p) = eu.medicine(&c.medicine).and_then(|m| {
                    m.products
                        .iter()
                        .find(|p| p.product_number == c.product_number && p.status.is_authorised())
                }) else {
                    continue;
                };
                eu_indications.push(ClauseRef {
                    medicine: c.medicine.clone(),
                    indication: clause_view(c, &p.name),
                });
            }
        }
        let mut us_indications = Vec::new();
        if let Some(us) = self.us.get() {
            for (l, c) in us.all_label_clauses() {
                if c.conditions.iter().any(|d| scope.contains(d)) {
                    us_indications.push(ClauseRef {
                        medicine: l.medicine.clone(),
                        indication: clause_view(c, l.products.first().map_or("", String::as_str)),
                    });
                }
            }
        }
        let (authorisations, studied) = match curated {
            Some(c) => (
                pack.descendants(&c.id)
                    .iter()
                    .flat_map(|d| pack.authorisations_for(&d.id))
                    .cloned()
                    .collect(),
                pack.medicines_with_studies_in(&c.id)
                    .into_iter()
                    .map(|(m, n)| (m.id.clone(), n))
                    .collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        let mut codes = term.map(|x| x.codes.clone()).unwrap_or_default();
        if let Some(d) = &doid {
            codes.insert("doid".into(), vec![d.clone()]);
        }
        let mut sources = Vec::new();
        if !eu_indications.is_empty() {
            sources.push(EMA_SOURCE.to_string());
        }
        if !us_indications.is_empty() {
            sources.push(FDA_LABELS_SOURCE.to_string());
        }
        Some(ConditionView {
            id: curated
                .map(|c| c.id.clone())
                .or_else(|| doid.clone())
                .unwrap_or_default(),
            name: curated
                .map(|c| c.name.clone())
                .or_else(|| term.map(|x| x.name.clone()))
                .unwrap_or_default(),
            read_as,
            doid,
            curated: curated.cloned(),
            codes,
            synonyms: term.map(|x| x.exact.clone()).unwrap_or_default(),
            parents: term
                .map(|x| x.parents.iter().map(|p| named(p)).collect())
                .unwrap_or_default(),
            children_total: children.len(),
            children: children.into_iter().take(MAX_ITEMS).collect(),
            authorisations,
            eu_indications_total: eu_indications.len(),
            eu_indications: eu_indications.into_iter().take(MAX_ITEMS).collect(),
            us_indications: us_indications.into_iter().take(MAX_ITEMS).collect(),
            studied,
            sources,
        })
    }
}
