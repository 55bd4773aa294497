//! EU status read from the regulator's own indication texts (the EMA layer).
//!
//! The layer (`knowledge/layers/ema/`) holds every medicine the EMA has evaluated,
//! its products with their status and dates, and each indication clause with the
//! exact quote, the Disease Ontology ids it names and the population as read. It is
//! parsed on first need, so questions about the curated pack alone never pay for it.
//!
//! **Honesty rules, as the code applies them:**
//! - only a product whose status is authorised counts as an authorisation;
//! - `approved` needs a clause that names the condition asked (or a broader DO term),
//!   whose population was read in full, and a patient who fits what was read: the
//!   question states the clause's qualifiers (HER2-positive, non-segmental, a stage),
//!   and a minor is never matched to a clause that states no age;
//! - a clause that covers the condition but holds words the reader did not interpret,
//!   or a patient detail it cannot check, gives `unknown` with the quote;
//! - `off_label` when the medicine is authorised and no clause covers the condition nor
//!   may name it in words the importer did not map;
//! - `not_authorized` only when every product was refused, withdrawn, expired,
//!   lapsed, revoked or suspended; a substance absent from the table stays `unknown`.

use crate::patient::Patient;
use crate::text::{fold, phrase_key, phrase_words};
use offlabel_layers::Table;
use offlabel_model::Status;
use offlabel_regulatory::{AgeGroup, IndicationClause, ProductStatus, RegulatedMedicine};
use offlabel_vocabulary::Vocabulary;
// Fx: the layers' name maps are built per process, and SipHash was a tenth of a cold start.
use rustc_hash::FxHashMap as HashMap;
use std::sync::{Arc, OnceLock};

/// The source record that stands for the EMA layer.
pub(crate) const EMA_SOURCE: &str = "ema-medicines-table";

/// The EMA layer, indexed. Records are decoded on first use (`offlabel_layers::Table`):
/// a question reads the medicines and clauses it names, not the whole table.
pub(crate) struct EuLayer {
    medicines: Table<RegulatedMedicine>,
    clauses: Table<IndicationClause>,
    by_id: HashMap<&'static str, usize>,
    clauses_of: HashMap<&'static str, Vec<usize>>,
    /// Normalised name (INN or product name) → medicine position; the names borrow the
    /// binary (normalised at build time).
    names: HashMap<&'static str, usize>,
    /// Longest name, in words.
    longest: usize,
}

/// The EMA layer, built on first need and shared by clones of the engine.
#[derive(Clone, Default)]
pub struct EuIndex {
    built: Arc<OnceLock<Option<EuLayer>>>,
}

impl std::fmt::Debug for EuIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EuIndex")
            .field("built", &self.built.get().is_some())
            .finish()
    }
}

/// An EU decision read from the layer.
#[derive(Debug, Clone)]
pub(crate) struct EuFinding {
    /// The status.
    pub status: Status,
    /// Why, in English (no trailing full stop).
    pub reason: String,
    /// The record the status rests on (a clause id or a product number).
    pub record: String,
    /// The regulator's words that decided it.
    pub quote: Option<String>,
    /// When the decision took effect (`YYYY-MM-DD`).
    pub date: Option<String>,
}

pub(crate) fn parse_lines<T: serde::de::DeserializeOwned>(text: &str) -> Option<Vec<T>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Names too ordinary to stand for a medicine without more context; `name` is normalised
/// (its `phrase_words` joined by one space).
pub(crate) fn ordinary_name(name: &str) -> bool {
    // Asked for every name of a layer while it is indexed: a set, not the list.
    static COMMON: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
        std::sync::LazyLock::new(|| {
            crate::cues::list("lexicon", "common_words")
                .iter()
                .map(String::as_str)
                .collect()
        });
    !name.contains(' ') && (name.len() <= 3 || COMMON.contains(name))
}

impl EuIndex {
    pub(crate) fn get(&self) -> Option<&EuLayer> {
        self.built
            .get_or_init(|| {
                use offlabel_regulatory::embedded as e;
                let medicines: Table<RegulatedMedicine> =
                    Table::new(e::EMA_MEDICINES, offlabel_layers::EMA_MEDICINES_INDEX)?;
                let clauses: Table<IndicationClause> =
                    Table::new(e::EMA_INDICATIONS, offlabel_layers::EMA_INDICATIONS_INDEX)?;
                let mut layer = EuLayer {
                    by_id: HashMap::default(),
                    clauses_of: HashMap::default(),
                    names: HashMap::default(),
                    longest: 1,
                    medicines,
                    clauses,
                };
                let index = layer.medicines.index();
                layer.names.reserve(index.names.len());
                for (i, &id) in index.keys.iter().enumerate() {
                    let names = index.names_of(i);
                    layer.by_id.insert(id, i);
                    // The INN, the id's words, then every product name, normalised at build
                    // time.
                    for &name in names {
                        if name.is_empty() || ordinary_name(name) {
                            continue;
                        }
                        layer.longest = layer.longest.max(name.split(' ').count());
                        layer.names.entry(name).or_insert(i);
                    }
                }
                for (i, &medicine) in layer.clauses.index().keys.iter().enumerate() {
                    layer.clauses_of.entry(medicine).or_default().push(i);
                }
                Some(layer)
            })
            .as_ref()
    }
}

impl EuLayer {
    /// The medicine with this contract id.
    pub fn medicine(&self, id: &str) -> Option<&RegulatedMedicine> {
        self.by_id.get(id).and_then(|&i| self.medicines.get(i))
    }

    /// Every medicine of the layer, in its order (by id); the whole table is decoded on
    /// the first call.
    pub fn medicines(&self) -> &[RegulatedMedicine] {
        self.medicines.all().unwrap_or_default()
    }

    /// Every clause of the layer (decoded on the first call).
    pub fn clauses(&self) -> &[IndicationClause] {
        self.clauses.all().unwrap_or_default()
    }

    /// Every name the layer indexes (normalised words) with its medicine's id.
    pub fn names(&self) -> impl Iterator<Item = (&str, &str)> {
        self.names
            .iter()
            .map(|(k, &i)| (*k, self.medicines.index().keys[i]))
    }

    /// Every clause of a medicine, any product, in the layer's order.
    pub fn clauses_of(&self, medicine: &str) -> Vec<&IndicationClause> {
        self.clauses_of
            .get(medicine)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.clauses.get(i))
            .collect()
    }

    /// The medicine id a whole name stands for (its words normalised and joined by
    /// single spaces), if any.
    pub fn named(&self, words: &str) -> Option<&str> {
        self.names
            .get(words)
            .map(|&i| self.medicines.index().keys[i])
    }

    /// The length, in words, of the layer's longest name.
    pub fn longest_name(&self) -> usize {
        self.longest
    }

    /// The first medicine a text names (longest name first at each word).
    pub fn find_medicine(&self, text: &str) -> Option<&RegulatedMedicine> {
        let words = phrase_words(text);
        for start in 0..words.len() {
            for len in (1..=self.longest.min(words.len() - start)).rev() {
                let key = words[start..start + len].join(" ");
                if let Some(&i) = self.names.get(key.as_str()) {
                    return self.medicines.get(i);
                }
            }
        }
        None
    }

    /// The product of `medicine` whose name `text` uses, if any (Ozempic, not Rybelsus).
    pub fn named_product(&self, medicine: &str, text: &str) -> Option<String> {
        let m = self.medicine(medicine)?;
        let words = format!(" {} ", phrase_key(text));
        m.products
            .iter()
            .find(|p| {
                let name = phrase_key(&p.name);
                !name.is_empty() && words.contains(&format!(" {name} "))
            })
            .map(|p| p.product_number.clone())
    }

    /// The EU status of `medicine` for the condition `doid` and `patient`; clauses of the
    /// product `prefer` (the one the question names) are read first.
    pub fn status(
        &self,
        vocabulary: &Vocabulary,
        medicine: &str,
        doid: &str,
        patient: &Patient,
        asked: &str,
        prefer: Option<&str>,
    ) -> EuFinding {
        let Some(m) = self.medicine(medicine) else {
            return EuFinding {
                status: Status::Unknown,
                reason: "the EMA's table holds no central authorisation of this medicine; it may be authorised nationally".into(),
                record: String::new(),
                quote: None,
                date: None,
            };
        };
        let authorised: Vec<&str> = m
            .products
            .iter()
            .filter(|p| p.status.is_authorised())
            .map(|p| p.product_number.as_str())
            .collect();
        if authorised.is_empty() {
            let ended = m.products.iter().all(|p| {
                !matches!(
                    p.status,
                    ProductStatus::Opinion | ProductStatus::OpinionUnderReexamination
                )
            });
            let p = &m.products[0];
            let (status, reason) = if ended {
                (
                    Status::NotAuthorized,
                    format!(
                        "no product of it is authorised in the EU now ({} is {})",
                        p.name,
                        p.status.as_str().replace('_', " ")
                    ),
                )
            } else {
                (
                    Status::Unknown,
                    "the EMA has given an opinion that the European Commission has not yet decided"
                        .into(),
                )
            };
            return EuFinding {
                status,
                reason,
                record: p.product_number.clone(),
                quote: None,
                date: p
                    .dates
                    .refusal
                    .clone()
                    .or(p.dates.withdrawal.clone())
                    .or(p.dates.last_decision.clone()),
            };
        }
        let clauses: Vec<&IndicationClause> = self
            .clauses_of(medicine)
            .into_iter()
            .filter(|c| authorised.contains(&c.product_number.as_str()))
            .collect();
        let date_of = |product: &str| {
            m.products
                .iter()
                .find(|p| p.product_number == product)
                .and_then(|p| p.dates.authorisation.clone())
        };
        let mut covering: Vec<&IndicationClause> = clauses
            .iter()
            .copied()
            .filter(|c| c.conditions.iter().any(|d| vocabulary.is_a(doid, d)))
            .collect();
        // The named product's clauses first, then clauses naming the condition itself
        // before those naming a broader one, so the quote shown is the closest.
        covering.sort_by_key(|c| {
            (
                prefer.is_some_and(|p| p != c.product_number),
                !c.conditions.iter().any(|d| d == doid),
            )
        });
        let asked = phrase_words(asked);
        let mut unclear = None;
        let mut misfit = None;
        for c in &covering {
            match fits(c, patient, &asked) {
                Fit::Yes => {
                    let limits = limits(&c.population);
                    let reason = if limits.is_empty() {
                        format!("the EU indication of {} covers it", product_name(m, c))
                    } else {
                        format!(
                            "the EU indication of {} covers it, within its limits: {}",
                            product_name(m, c),
                            limits.join("; ")
                        )
                    };
                    return EuFinding {
                        status: Status::Approved,
                        reason,
                        record: c.id.clone(),
                        quote: Some(full_quote(c)),
                        date: date_of(&c.product_number),
                    };
                }
                Fit::Unread => {
                    unclear.get_or_insert((c, None));
                }
                Fit::Unchecked(why) => {
                    unclear.get_or_insert((c, Some(why)));
                }
                Fit::No(why) => {
                    misfit.get_or_insert((c, why));
                }
            }
        }
        if let Some((c, unstated)) = unclear {
            return EuFinding {
                status: Status::Unknown,
                reason: match unstated {
                    None => format!(
                        "an EU indication of {} names this condition, but limits it in words the pack does not read (see the quote)",
                        product_name(m, c)
                    ),
                    Some(why) => format!(
                        "an EU indication of {} names this condition, but {why}",
                        product_name(m, c)
                    ),
                },
                record: c.id.clone(),
                quote: Some(full_quote(c)),
                date: date_of(&c.product_number),
            };
        }
        if let Some((c, why)) = misfit {
            return EuFinding {
                status: Status::OffLabel,
                reason: format!(
                    "the EU indication of {} names this condition, but {why}",
                    product_name(m, c)
                ),
                record: c.id.clone(),
                quote: Some(full_quote(c)),
                date: date_of(&c.product_number),
            };
        }
        // Authorised for a narrower form of the condition asked: say which, claim nothing.
        let narrower: Vec<&IndicationClause> = clauses
            .iter()
            .copied()
            .filter(|c| c.conditions.iter().any(|d| vocabulary.is_a(d, doid)))
            .collect();
        // A clause whose condition words the matcher could not map may still name this
        // condition: if it shares a word with the condition's names, claim nothing. So
        // does a clause mapped to other conditions whose words hold one of the condition's
        // names whole ("stroke … in patients with non-valvular atrial fibrillation").
        if narrower.is_empty()
            && let Some(c) = clauses.iter().find(|c| {
                (c.conditions.is_empty() && mentions_term(vocabulary, doid, c))
                    || names_term(vocabulary, doid, c)
            })
        {
            return EuFinding {
                status: Status::Unknown,
                reason: format!(
                    "an EU indication of {} may name this condition in words the pack could not map (see the quote)",
                    product_name(m, c)
                ),
                record: c.id.clone(),
                quote: Some(full_quote(c)),
                date: date_of(&c.product_number),
            };
        }
        let product = authorised[0];
        match narrower.first() {
            Some(c) => EuFinding {
                status: Status::OffLabel,
                reason: format!(
                    "in the EU, {} is authorised only for a narrower form: {}",
                    product_name(m, c),
                    c.condition_text.as_deref().unwrap_or("see the quote")
                ),
                record: c.id.clone(),
                quote: Some(full_quote(c)),
                date: date_of(&c.product_number),
            },
            None => EuFinding {
                status: Status::OffLabel,
                reason: format!(
                    "{} is authorised in the EU, and none of its indications names this condition",
                    m.products
                        .iter()
                        .find(|p| p.product_number == product)
                        .map_or(m.inn.as_str(), |p| p.name.as_str())
                ),
                record: product.to_string(),
                quote: None,
                date: date_of(product),
            },
        }
    }

    /// Authorised products of a medicine, as "Name (EMEA/H/C/…, authorised YYYY-MM-DD)".
    pub fn authorised_products(&self, medicine: &str) -> Vec<String> {
        self.medicine(medicine)
            .map(|m| {
                m.products
                    .iter()
                    .filter(|p| p.status.is_authorised())
                    .map(|p| match &p.dates.authorisation {
                        Some(d) => format!("{} ({}, authorised {d})", p.name, p.product_number),
                        None => format!("{} ({})", p.name, p.product_number),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The regulator's words for a clause; a list item keeps the sentence that leads into it.
pub(crate) fn full_quote(c: &IndicationClause) -> String {
    match &c.lead {
        Some(lead) => format!("{} … {}", lead.trim(), c.quote.trim()),
        None => c.quote.clone(),
    }
}

fn product_name<'a>(m: &'a RegulatedMedicine, c: &IndicationClause) -> &'a str {
    m.products
        .iter()
        .find(|p| p.product_number == c.product_number)
        .map_or(m.inn.as_str(), |p| p.name.as_str())
}

pub(crate) enum Fit {
    Yes,
    Unread,
    /// The clause was read, but the question does not tell whether the patient is in
    /// it (a subtype or stage it does not state; a minor, and the clause states no age):
    /// why, as words that follow "but".
    Unchecked(String),
    No(String),
}

/// Whether the patient falls within what the clause states. A clause read only in part
/// can approve nothing: its unread words may restrict it; nor can one limited to a
/// subtype, stage or group the question (`asked`, its normalised words) does not state.
pub(crate) fn fits(c: &IndicationClause, patient: &Patient, asked: &[String]) -> Fit {
    let pop = &c.population;
    let min_months = pop.min_age_months.or_else(|| {
        pop.age_groups
            .contains(&AgeGroup::Adults)
            .then_some(18 * 12)
    });
    let only_children = !pop.age_groups.is_empty()
        && pop.age_groups.iter().all(|g| {
            matches!(
                g,
                AgeGroup::Children
                    | AgeGroup::Paediatric
                    | AgeGroup::Infants
                    | AgeGroup::Neonates
                    | AgeGroup::Adolescents
            )
        });
    if let (Some(age), Some(months)) = (patient.age, patient.months()) {
        if let Some(min) = min_months
            && months < min
        {
            return Fit::No(format!(
                "the patient is younger than the {} it states",
                months_words("minimum", min)
            ));
        }
        if let Some(max) = pop.max_age_months
            && months > max
        {
            return Fit::No(format!(
                "the patient is older than the {} it states",
                months_words("maximum", max)
            ));
        }
        if only_children && age >= 18 && pop.max_age_months.is_none() {
            return Fit::Unread;
        }
    } else if patient.is_minor() {
        match min_months {
            Some(min) if min >= 18 * 12 => {
                return Fit::No("it is for adults and the patient is a minor".into());
            }
            // A child of unknown age against a lower bound: cannot be checked.
            Some(min) if min > 0 => return Fit::Unread,
            _ => {}
        }
    }
    if let Some(sev) = patient.severity
        && !pop.severity.is_empty()
    {
        let stated: Vec<&str> = pop.severity.iter().map(|s| s.as_str()).collect();
        if !sev.grades().iter().all(|g| stated.contains(g)) {
            return Fit::No(format!("for {} disease only", stated.join(" or ")));
        }
    }
    if !c.fully_read {
        return Fit::Unread;
    }
    // A clause that states no age at all says nothing of children: the minimum age
    // may be in parts of the label the layer does not hold.
    let states_age =
        !pop.age_groups.is_empty() || pop.min_age_months.is_some() || pop.max_age_months.is_some();
    if patient.is_minor() && !states_age {
        return Fit::Unchecked(
            "it states no age, so the pack cannot tell whether it covers a patient under 18".into(),
        );
    }
    // A child's weight is never known to the pack: a weight bound cannot be checked.
    if let Some(kg) = pop.min_weight_kg
        && patient.is_minor()
    {
        return Fit::Unchecked(format!(
            "only in patients weighing at least {kg} kg, and the pack cannot tell this patient's weight"
        ));
    }
    let unstated = unstated_qualifiers(&pop.qualifiers, asked);
    if !unstated.is_empty() {
        return Fit::Unchecked(format!(
            "only {}, which the question does not say of this patient",
            unstated.join(", ")
        ));
    }
    Fit::Yes
}

/// The qualifiers of a clause ("HER2-positive", "non-segmental", "postmenopausal women")
/// the question does not state. One stated stage word is enough, as a clause's stage
/// words are alternatives ("advanced (unresectable or metastatic)"); qualifiers read
/// as limits (how well controlled, relapsed) are shown with an approval, not required.
fn unstated_qualifiers(qualifiers: &[String], asked: &[String]) -> Vec<String> {
    let glue = crate::cues::cue_list!("regulator", "qualifier_glue");
    let stages = crate::cues::cue_list!("regulator", "stage_qualifiers");
    let as_limits = crate::cues::cue_list!("regulator", "limit_qualifiers");
    let stated = |q: &str| {
        let words: Vec<String> = phrase_words(q)
            .into_iter()
            .filter(|w| !glue.contains(w))
            .collect();
        !words.is_empty() && words.iter().all(|w| asked.contains(w))
    };
    let (stage, other): (Vec<&String>, Vec<&String>) = qualifiers
        .iter()
        .filter(|q| !as_limits.contains(&phrase_key(q)))
        .partition(|q| stages.contains(&phrase_key(q)));
    let mut out: Vec<String> = other.into_iter().filter(|q| !stated(q)).cloned().collect();
    if !stage.is_empty() && !stage.iter().any(|q| stated(q)) {
        out.push(
            stage
                .iter()
                .map(|q| q.as_str())
                .collect::<Vec<_>>()
                .join(" or "),
        );
    }
    out
}

/// The patient limits a clause states, in short words, for the approved line.
pub(crate) fn limits(pop: &offlabel_regulatory::Population) -> Vec<String> {
    let mut out = Vec::new();
    match (pop.min_age_months, pop.max_age_months) {
        (Some(min), Some(max)) => out.push(format!(
            "from {} to below {}",
            age_words(min),
            age_words(max)
        )),
        (Some(min), None) => out.push(format!("from {}", age_words(min))),
        (None, Some(max)) => out.push(format!("below {}", age_words(max))),
        (None, None) => {
            if pop.age_groups.contains(&AgeGroup::Adults) && pop.age_groups.len() == 1 {
                out.push("adults".into());
            }
        }
    }
    if let Some(kg) = pop.min_weight_kg {
        out.push(format!("weighing at least {kg} kg"));
    }
    if !pop.severity.is_empty() {
        let words: Vec<&str> = pop.severity.iter().map(|s| s.as_str()).collect();
        out.push(format!("{} disease", words.join(" or ")));
    }
    if pop.active_disease {
        out.push("active disease".into());
    }
    for p in &pop.prior_therapy {
        out.push(p.text.clone());
    }
    out.extend(pop.qualifiers.iter().cloned());
    if !pop.regimen.combinations.is_empty() {
        out.push(format!("with {}", pop.regimen.combinations.join(", ")));
    }
    if !pop.regimen.add_on_to.is_empty() {
        out.push(format!("added to {}", pop.regimen.add_on_to.join(", ")));
    }
    out
}

/// Whether a clause's words share a distinctive word with any name of the DO term.
pub(crate) fn mentions_term(vocabulary: &Vocabulary, doid: &str, c: &IndicationClause) -> bool {
    const COMMON: &[&str] = &[
        "disease",
        "disorder",
        "syndrome",
        "chronic",
        "acute",
        "severe",
        "with",
        "cancer",
        "type",
        "infection",
        "primary",
        "patients",
        "adult",
        "adults",
        "children",
    ];
    let Some(term) = vocabulary.get(doid) else {
        return false;
    };
    let text = c
        .condition_text
        .as_deref()
        .unwrap_or(c.quote.as_str())
        .to_lowercase();
    let clause_words: Vec<&str> = text.split(|ch: char| !ch.is_alphanumeric()).collect();
    // A distinctive word: four letters or more and not common, or an acronym as the
    // name writes it ("HIV infection": "hiv-1 infected").
    std::iter::once(&term.name)
        .chain(&term.exact)
        .flat_map(|n| {
            n.split(|ch: char| !ch.is_alphanumeric())
                .filter(|w| {
                    let lower = w.to_lowercase();
                    (w.len() >= 4 && !COMMON.contains(&lower.as_str()))
                        || (w.len() >= 2 && w.chars().all(|ch| ch.is_ascii_uppercase()))
                })
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .any(|w| clause_words.contains(&w.as_str()))
}

/// Whether a clause's words hold a name of the DO term whole (every word of the name,
/// in order), though the matcher mapped the clause to other conditions.
pub(crate) fn names_term(vocabulary: &Vocabulary, doid: &str, c: &IndicationClause) -> bool {
    let Some(term) = vocabulary.get(doid) else {
        return false;
    };
    // Folded first, so a typographic apostrophe reads as one ("Alzheimer’s disease").
    let text = format!(" {} ", phrase_key(&fold(&full_quote(c))));
    std::iter::once(&term.name)
        .chain(&term.exact)
        .map(|n| phrase_key(n))
        .any(|n| !n.is_empty() && text.contains(&format!(" {n} ")))
}

fn months_words(bound: &str, months: u32) -> String {
    format!("{bound} age of {}", age_words(months))
}

/// An age in months as people say it: whole years in years, else months.
fn age_words(months: u32) -> String {
    if (months / 12) * 12 == months {
        format!("{} years", months / 12)
    } else {
        format!("{months} months")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        phrase_words(text)
    }

    fn quals(list: &[&str]) -> Vec<String> {
        list.iter().map(|q| q.to_string()).collect()
    }

    #[test]
    fn qualifiers_must_be_stated() {
        let her2 = quals(&["her2-positive", "early"]);
        assert!(unstated_qualifiers(&her2, &words("HER2-positive early breast cancer")).is_empty());
        assert_eq!(
            unstated_qualifiers(&her2, &words("HER2-negative early breast cancer")),
            ["her2-positive"]
        );
        // Stage words are alternatives: one stated is enough.
        let stage = quals(&["advanced", "unresectable", "metastatic"]);
        assert!(unstated_qualifiers(&stage, &words("unresectable melanoma")).is_empty());
        assert_eq!(
            unstated_qualifiers(&stage, &words("melanoma in an adult")),
            ["advanced or unresectable or metastatic"]
        );
        // How well controlled the disease is reads as a limit, not a requirement.
        let control = quals(&["insufficiently controlled"]);
        assert!(unstated_qualifiers(&control, &words("type 2 diabetes")).is_empty());
    }
}
