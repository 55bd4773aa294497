//! US status read from the FDA's own data: the Drugs@FDA layer (every application and
//! product, with brands and approval dates) and the FDA label layer (Indications and Usage
//! split into clauses, read like the EMA's texts).
//!
//! Both layers are parsed on first need, as the EU layer is (`eu.rs`).
//!
//! **Honesty rules, as the code applies them:**
//! - Drugs@FDA says whether a substance is approved in the US at all and since when, and
//!   only as of the layer's date (`complete_to`, 1 July 2019): every sentence resting on it
//!   names that date; a substance absent from it is `unknown`, never `not_authorized`
//!   (it may have been approved since);
//! - Drugs@FDA names no indications, so alone it gives `unknown` for any condition;
//! - `approved` needs an FDA label clause that names the condition asked (or a broader DO
//!   term), whose population was read in full, and a patient who fits (the EU's rules);
//! - a covering clause read in part gives `unknown` with the quote; a patient outside the
//!   clause gives `off_label` with the quote;
//! - a label that names no covering clause gives `unknown` (the pack's labels are a sample
//!   and may be out of date), never `off_label`.

use crate::eu::{
    EuFinding, Fit, fits, full_quote, limits, mentions_term, names_term, ordinary_name, parse_lines,
};
use crate::patient::Patient;
use crate::text::phrase_words;
use offlabel_layers::{Table, TableIndex};
use offlabel_model::Status;
use offlabel_regulatory::{IndicationClause, UsApplication, UsLabel, UsMedicine};
use offlabel_vocabulary::Vocabulary;
use std::borrow::Cow;
// Fx: the layers' name maps are built per process, and SipHash was a tenth of a cold start.
use rustc_hash::FxHashMap as HashMap;
use std::sync::{Arc, OnceLock};

/// The source record that stands for the Drugs@FDA layer.
pub(crate) const DRUGSFDA_SOURCE: &str = "fda-drugsatfda";
/// The source record that stands for the FDA label layer.
pub(crate) const FDA_LABELS_SOURCE: &str = "fda-labels";

/// Drugs@FDA ingredient names that are everyday words in questions ("can I drink alcohol
/// with…"): never taken alone as the medicine asked about.
const EVERYDAY: &[&str] = &[
    "alcohol", "water", "oxygen", "air", "nitrogen", "sugar", "salt",
];

/// The US layers, indexed.
pub(crate) struct UsLayer {
    /// Drugs@FDA medicines, decoded on first use (`offlabel_layers::Table`).
    medicines: Table<UsMedicine>,
    by_id: HashMap<&'static str, usize>,
    labels: Vec<UsLabel>,
    clauses: Vec<IndicationClause>,
    /// Medicine id → its labels, newest effective date first.
    labels_of: HashMap<String, Vec<usize>>,
    /// Set id → its clauses.
    clauses_of: HashMap<String, Vec<usize>>,
    /// The name index, built on the first look-up by name: a question that found its
    /// medicine elsewhere and only asks the US status never pays for it.
    names: OnceLock<UsNames>,
    /// The Drugs@FDA layer's date, `YYYY-MM-DD`.
    pub as_of: String,
}

/// The names of the US layers.
#[derive(Default)]
struct UsNames {
    /// Normalised name (ingredient or brand) → medicine id.
    /// Borrowed from the binary where the build script normalised them.
    names: HashMap<Cow<'static, str>, Cow<'static, str>>,
    /// Names that are only the first word of a brand ("breo"): fine in a question, too
    /// loose for a drug name on a report (`named`).
    partial: std::collections::HashSet<String>,
    longest: usize,
}

impl UsNames {
    /// A normalised name (words joined by one space) and its medicine.
    fn add_words(&mut self, name: Cow<'static, str>, id: Cow<'static, str>) {
        if name.is_empty() || ordinary_name(&name) || EVERYDAY.contains(&name.as_ref()) {
            return;
        }
        self.longest = self.longest.max(name.split(' ').count());
        self.names.entry(name).or_insert(id);
    }

    fn add(&mut self, name: &str, id: &str) {
        let words = phrase_words(name).join(" ");
        self.add_words(Cow::Owned(words), Cow::Owned(id.to_string()));
    }

    /// Names come from the table's index (built with the layer at compile time), so no
    /// Drugs@FDA record is decoded here; then the labels' product names.
    fn build(index: &TableIndex<'static>, labels: &[UsLabel]) -> UsNames {
        let mut n = UsNames {
            longest: 1,
            ..UsNames::default()
        };
        n.names.reserve(index.names.len() + index.brands.len());
        let keys = &index.keys;
        // Ingredient names first, so a brand that is also an ingredient's name never takes
        // it over. The build script wrote each medicine's names as the id's words, then
        // its single ingredients, all normalised.
        for (i, &id) in keys.iter().enumerate() {
            if let Some(&own) = index.names_of(i).first() {
                n.add_words(Cow::Borrowed(own), Cow::Borrowed(id));
            }
        }
        // A single ingredient as Drugs@FDA writes it, salt included ("METHOTREXATE
        // SODIUM"), before any brand: a kit's brand of the same words never takes it.
        for (i, &id) in keys.iter().enumerate() {
            for &name in index.names_of(i).iter().skip(1) {
                n.add_words(Cow::Borrowed(name), Cow::Borrowed(id));
            }
        }
        for (i, &id) in keys.iter().enumerate() {
            for &b in index.brands_of(i) {
                n.add_words(Cow::Borrowed(b), Cow::Borrowed(id));
            }
        }
        // The first word of a brand ("Breo" of BREO ELLIPTA) where it starts the brands of
        // one medicine only.
        let mut first: HashMap<&str, Option<&str>> = HashMap::default();
        for (i, &id) in keys.iter().enumerate() {
            for &b in index.brands_of(i) {
                // Normalised at build time: its words are the spaces' pieces.
                let words: Vec<&str> = b.split(' ').collect();
                if words.len() < 2 || words[0].len() < 4 {
                    continue;
                }
                let e = first.entry(words[0]).or_insert(Some(id));
                if *e != Some(id) {
                    *e = None;
                }
            }
        }
        let mut first: Vec<(&str, &str)> = first
            .into_iter()
            .filter_map(|(w, id)| id.map(|id| (w, id)))
            .collect();
        first.sort();
        for (w, id) in first {
            if !n.names.contains_key(w) {
                n.partial.insert(w.to_string());
            }
            n.add(w, id);
        }
        for l in labels {
            for p in &l.products {
                n.add(p, &l.medicine);
            }
        }
        n
    }
}

/// The US layers, built on first need and shared by clones of the engine.
#[derive(Clone, Default)]
pub struct UsIndex {
    built: Arc<OnceLock<Option<UsLayer>>>,
}

impl std::fmt::Debug for UsIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UsIndex")
            .field("built", &self.built.get().is_some())
            .finish()
    }
}

/// `complete_to = "YYYY-MM-DD"` of a layer.toml.
fn complete_to(layer_toml: &str) -> Option<String> {
    layer_toml.lines().find_map(|l| {
        let v = l
            .strip_prefix("complete_to")?
            .trim_start()
            .strip_prefix('=')?;
        Some(v.trim().trim_matches('"').to_string())
    })
}

/// "2019-07-01" → "1 July 2019" (the model's long date form); text that is not a date
/// stays as written.
pub(crate) fn long_date(d: &str) -> String {
    d.parse::<offlabel_model::PartialDate>()
        .map_or_else(|_| d.to_string(), |date| date.long())
}

impl UsIndex {
    pub(crate) fn get(&self) -> Option<&UsLayer> {
        self.built
            .get_or_init(|| {
                use offlabel_regulatory::embedded as e;
                let medicines: Table<UsMedicine> = Table::new(
                    e::DRUGSFDA_MEDICINES,
                    offlabel_layers::DRUGSFDA_MEDICINES_INDEX,
                )?;
                // Both label layers; a set in both keeps its newest version.
                let mut labels: Vec<UsLabel> = parse_lines(e::FDA_SPL_LABELS)?;
                labels.extend(parse_lines::<UsLabel>(e::FDA_OPENFDA_LABELS)?);
                let mut clauses: Vec<IndicationClause> = parse_lines(e::FDA_SPL_INDICATIONS)?;
                clauses.extend(parse_lines::<IndicationClause>(e::FDA_OPENFDA_INDICATIONS)?);
                let mut newest: HashMap<String, (Option<String>, u64)> = HashMap::default();
                for l in &labels {
                    let key = (l.effective.clone(), version_number(l));
                    let e = newest.entry(l.set_id.clone()).or_insert(key.clone());
                    if key > *e {
                        *e = key;
                    }
                }
                labels.retain(|l| {
                    newest.get(&l.set_id) == Some(&(l.effective.clone(), version_number(l)))
                });
                let mut seen = std::collections::HashSet::new();
                labels.retain(|l| seen.insert(l.set_id.clone()));
                let mut seen = std::collections::HashSet::new();
                clauses.retain(|c| seen.insert(c.id.clone()));
                let mut layer = UsLayer {
                    by_id: HashMap::default(),
                    labels_of: HashMap::default(),
                    clauses_of: HashMap::default(),
                    names: OnceLock::new(),
                    as_of: complete_to(e::DRUGSFDA_LAYER)?,
                    medicines,
                    labels,
                    clauses,
                };
                for (i, &id) in layer.medicines.index().keys.iter().enumerate() {
                    layer.by_id.insert(id, i);
                }
                for (i, l) in layer.labels.iter().enumerate() {
                    layer
                        .labels_of
                        .entry(l.medicine.clone())
                        .or_default()
                        .push(i);
                }
                let labels = &layer.labels;
                // Several labels of one substance: the newest per labeller wins.
                for list in layer.labels_of.values_mut() {
                    list.sort_by(|&a, &b| labels[b].effective.cmp(&labels[a].effective));
                    let mut labellers = std::collections::HashSet::new();
                    list.retain(|&i| labellers.insert(labels[i].labeler.clone()));
                }
                for (i, c) in layer.clauses.iter().enumerate() {
                    layer
                        .clauses_of
                        .entry(c.product_number.clone())
                        .or_default()
                        .push(i);
                }
                Some(layer)
            })
            .as_ref()
    }
}

impl UsLayer {
    fn name_index(&self) -> &UsNames {
        self.names
            .get_or_init(|| UsNames::build(self.medicines.index(), &self.labels))
    }

    /// The Drugs@FDA medicine with this contract id.
    pub fn medicine(&self, id: &str) -> Option<&UsMedicine> {
        self.by_id.get(id).and_then(|&i| self.medicines.get(i))
    }

    /// Every Drugs@FDA medicine, sorted by id; the whole table is decoded on the first
    /// call.
    pub fn medicines(&self) -> &[UsMedicine] {
        self.medicines.all().unwrap_or_default()
    }

    /// Every label clause the pack holds, with the medicine of its label.
    pub fn all_label_clauses(&self) -> Vec<(&UsLabel, &IndicationClause)> {
        let mut ids: Vec<&str> = self.labels_of.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids.into_iter()
            .flat_map(|id| self.label_clauses(id))
            .collect()
    }

    /// Medicine ids that only the label layers know (no Drugs@FDA entry).
    pub fn label_only_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .labels_of
            .keys()
            .map(String::as_str)
            .filter(|id| !self.by_id.contains_key(*id))
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Every name the layers index (normalised words) with its medicine's id.
    pub fn names(&self) -> impl Iterator<Item = (&str, &str)> {
        self.name_index()
            .names
            .iter()
            .map(|(k, v)| (k.as_ref(), v.as_ref()))
    }

    /// Whether either US layer knows this medicine id.
    pub fn knows(&self, id: &str) -> bool {
        self.by_id.contains_key(id) || self.labels_of.contains_key(id)
    }

    /// The medicine id a whole name stands for (its words normalised and joined by
    /// single spaces), if any.
    pub fn named(&self, words: &str) -> Option<&str> {
        let n = self.name_index();
        if n.partial.contains(words) {
            return None;
        }
        n.names.get(words).map(AsRef::as_ref)
    }

    /// The length, in words, of the layer's longest name.
    pub fn longest_name(&self) -> usize {
        self.name_index().longest
    }

    /// The medicine id of the first medicine a text names (longest name first at each word).
    pub fn find_medicine(&self, text: &str) -> Option<&str> {
        let names = self.name_index();
        let words = phrase_words(text);
        for start in 0..words.len() {
            for len in (1..=names.longest.min(words.len() - start)).rev() {
                let key = words[start..start + len].join(" ");
                if let Some(id) = names.names.get(key.as_str()) {
                    return Some(id);
                }
            }
        }
        None
    }

    /// A readable name: the ingredients as Drugs@FDA (or the label) writes them.
    pub fn display_name(&self, id: &str) -> String {
        let raw = self
            .medicine(id)
            .and_then(|m| m.ingredients.first().cloned())
            .or_else(|| {
                self.labels_of
                    .get(id)
                    .and_then(|l| l.first())
                    .map(|&i| self.labels[i].ingredients.join("; "))
            })
            .unwrap_or_else(|| id.replace('-', " "));
        raw.to_lowercase().replace("; ", " and ")
    }

    /// "approved in the US since 1968-11-07 (brands TYLENOL, …), according to Drugs@FDA as
    /// of 1 July 2019", or what Drugs@FDA says instead; `None` when it does not list it.
    pub fn approval_sentence(&self, id: &str) -> Option<String> {
        let m = self.medicine(id)?;
        let marketed = m
            .apps
            .iter()
            .flat_map(|a| &a.products)
            .any(|p| p.status.is_marketed());
        let mut brands: Vec<String> = Vec::new();
        for a in &m.apps {
            for p in &a.products {
                if let Some(b) = &p.brand
                    && p.status.is_marketed()
                    && !brands.contains(b)
                {
                    brands.push(b.clone());
                }
            }
        }
        let brands = match brands.len() {
            0 => String::new(),
            n if n <= 5 => format!(" (brands: {})", brands.join(", ")),
            n => format!(" (brands: {} and {} more)", brands[..5].join(", "), n - 5),
        };
        let since = m
            .first_approval
            .as_deref()
            .map(|d| format!(" since {d}"))
            .unwrap_or_default();
        let when = format!("according to Drugs@FDA as of {}", long_date(&self.as_of));
        Some(if marketed {
            format!("is approved in the US{since}{brands}, {when}")
        } else if m.first_approval.is_some() {
            format!(
                "was approved in the US{since}, but every product of it is discontinued or only tentatively approved, {when}"
            )
        } else {
            format!("has only tentative US approvals, {when}")
        })
    }

    /// The labels of a medicine the pack holds, newest first (one per labeller).
    pub fn labels(&self, medicine: &str) -> Vec<&UsLabel> {
        self.labels_of
            .get(medicine)
            .into_iter()
            .flatten()
            .map(|&i| &self.labels[i])
            .collect()
    }

    /// The indication clauses of a medicine's labels, with their label.
    pub fn label_clauses(&self, medicine: &str) -> Vec<(&UsLabel, &IndicationClause)> {
        self.labels(medicine)
            .into_iter()
            .flat_map(|l| {
                self.clauses_of
                    .get(&l.set_id)
                    .into_iter()
                    .flatten()
                    .map(move |&i| (l, &self.clauses[i]))
            })
            .collect()
    }

    /// The Drugs@FDA applications of a medicine. A route-split pack id
    /// (`ruxolitinib-topical`) is looked up by its ingredient, keeping the applications
    /// with a product by that route (`route` in Drugs@FDA's capitals).
    pub fn applications_for(&self, id: &str, route: Option<&str>) -> Vec<&UsApplication> {
        if let Some(m) = self.medicine(id) {
            return m.apps.iter().collect();
        }
        let Some(route) = route else {
            return Vec::new();
        };
        let suffix = format!("-{}", route.to_ascii_lowercase());
        let Some(m) = id
            .strip_suffix(&suffix)
            .and_then(|base| self.medicine(base))
        else {
            return Vec::new();
        };
        m.apps
            .iter()
            .filter(|a| {
                a.products
                    .iter()
                    .any(|p| p.route.as_deref().is_some_and(|r| r.contains(route)))
            })
            .collect()
    }

    /// The US status of `medicine` for the condition `doid` and `patient`.
    pub fn status(
        &self,
        vocabulary: &Vocabulary,
        medicine: &str,
        doid: &str,
        patient: &Patient,
        asked: &str,
    ) -> EuFinding {
        let labels = self.labels(medicine);
        let clauses = self.label_clauses(medicine);
        let mut covering: Vec<&(&UsLabel, &IndicationClause)> = clauses
            .iter()
            .filter(|(_, c)| c.conditions.iter().any(|d| vocabulary.is_a(doid, d)))
            .collect();
        // Clauses naming the condition itself before those naming a broader one.
        covering.sort_by_key(|(_, c)| !c.conditions.iter().any(|d| d == doid));
        let asked = phrase_words(asked);
        let mut unclear = None;
        let mut misfit = None;
        for (l, c) in &covering {
            match fits(c, patient, &asked) {
                Fit::Yes => {
                    let limits = limits(&c.population);
                    let reason = if limits.is_empty() {
                        format!("the FDA label of {} covers it", label_name(l))
                    } else {
                        format!(
                            "the FDA label of {} covers it, within its limits: {}",
                            label_name(l),
                            limits.join("; ")
                        )
                    };
                    return finding(Status::Approved, reason, l, c);
                }
                Fit::Unread => {
                    unclear.get_or_insert((*l, *c, None));
                }
                Fit::Unchecked(why) => {
                    unclear.get_or_insert((*l, *c, Some(why)));
                }
                Fit::No(why) => {
                    misfit.get_or_insert((*l, *c, why));
                }
            }
        }
        if let Some((l, c, unstated)) = unclear {
            let reason = match unstated {
                None => format!(
                    "the FDA label of {} names this condition, but limits it in words the pack does not read (see the quote)",
                    label_name(l)
                ),
                Some(why) => format!(
                    "the FDA label of {} names this condition, but {why}",
                    label_name(l)
                ),
            };
            return finding(Status::Unknown, reason, l, c);
        }
        if let Some((l, c, why)) = misfit {
            let reason = format!(
                "the FDA label of {} names this condition, but {why}",
                label_name(l)
            );
            return finding(Status::OffLabel, reason, l, c);
        }
        if let Some((l, c)) = clauses.iter().find(|(_, c)| {
            (c.conditions.is_empty() && mentions_term(vocabulary, doid, c))
                || names_term(vocabulary, doid, c)
        }) {
            let reason = format!(
                "the FDA label of {} may name this condition in words the pack could not map (see the quote)",
                label_name(l)
            );
            return finding(Status::Unknown, reason, l, c);
        }
        // Labelled only for a narrower form of the condition asked: say which, claim nothing.
        if let Some((l, c)) = clauses
            .iter()
            .find(|(_, c)| c.conditions.iter().any(|d| vocabulary.is_a(d, doid)))
        {
            let reason = format!(
                "the FDA label of {} names only a narrower form: {}",
                label_name(l),
                c.condition_text.as_deref().unwrap_or("see the quote")
            );
            return finding(Status::Unknown, reason, l, c);
        }
        let approval = self.approval_sentence(medicine);
        let reason = match (labels.first(), approval) {
            (Some(l), _) => format!(
                "the FDA label the pack holds ({}) names no indication for this condition; the pack does not call that off-label, as a newer label may",
                label_name(l)
            ),
            (None, Some(a)) => format!(
                "it {a}, but the pack holds no FDA indication text that names this condition"
            ),
            (None, None) => format!(
                "Drugs@FDA as of {} lists no application for it and the pack holds no FDA label; it may have been approved since",
                long_date(&self.as_of)
            ),
        };
        EuFinding {
            status: Status::Unknown,
            reason,
            record: String::new(),
            quote: None,
            date: None,
        }
    }
}

fn version_number(l: &UsLabel) -> u64 {
    l.version
        .as_deref()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// "HUMIRA (AbbVie Inc., effective 2013-09-30)".
fn label_name(l: &UsLabel) -> String {
    let name = l
        .products
        .first()
        .cloned()
        .unwrap_or_else(|| l.medicine.clone());
    let mut extra: Vec<String> = Vec::new();
    if let Some(by) = &l.labeler {
        extra.push(by.clone());
    }
    if let Some(d) = &l.effective {
        extra.push(format!("effective {d}"));
    }
    if extra.is_empty() {
        name
    } else {
        format!("{name} ({})", extra.join(", "))
    }
}

fn finding(status: Status, reason: String, l: &UsLabel, c: &IndicationClause) -> EuFinding {
    EuFinding {
        status,
        reason,
        record: c.id.clone(),
        quote: Some(full_quote(c)),
        date: l.effective.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read() {
        assert_eq!(long_date("2019-07-01"), "1 July 2019");
        assert_eq!(
            complete_to("name = \"x\"\ncomplete_to = \"2019-07-01\"\n").as_deref(),
            Some("2019-07-01")
        );
    }

    #[test]
    fn brands_and_inns_are_recognised() {
        let index = UsIndex::default();
        let Some(layer) = index.get() else {
            panic!("the embedded US layers do not parse");
        };
        assert_eq!(layer.as_of, "2019-07-01");
        for (text, id) in [
            ("Can I take Valium for back spasms?", "diazepam"),
            ("tylenol in pregnancy", "acetaminophen"),
            ("diazepam for anxiety", "diazepam"),
            (
                "Is Breo Ellipta ok for asthma?",
                "fluticasone-furoate-vilanterol",
            ),
        ] {
            assert_eq!(layer.find_medicine(text), Some(id), "{text}");
        }
        let s = layer.approval_sentence("diazepam").unwrap_or_default();
        assert!(
            s.contains("according to Drugs@FDA as of 1 July 2019"),
            "{s}"
        );
        assert!(s.contains("since 1963"), "{s}");
    }
}
