//! Conditions outside the curated pack, read through the Disease Ontology layer.
//!
//! The curated lexicon knows the pack's own conditions; any other disease a question
//! names is looked up in the vocabulary layer (about 12,000 Disease Ontology terms).
//! The vocabulary and its matcher are built on first need, so questions about the
//! pack's own conditions never pay for them.
//!
//! **Honesty:** the pack lists authorisations only for the conditions it curates, so
//! for a disease known only to the vocabulary every status is `unknown`, never
//! `off_label` or `not_authorized`.

use offlabel_pack::Pack;
use offlabel_vocabulary::{Matcher, Vocabulary};
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock, OnceLock};

/// The embedded DO layer, decoded once per process on first need from its compiled form
/// (`offlabel-layers`): every engine and the code look-ups without an engine
/// ([`crate::codes::condition_codings`]) share it.
static EMBEDDED: LazyLock<Option<Vocabulary>> =
    LazyLock::new(|| Vocabulary::from_compiled(offlabel_layers::DO_LAYER).ok());

/// The matcher over the embedded DO layer, its name index built at compile time.
static MATCHER: LazyLock<Option<Matcher>> =
    LazyLock::new(|| Matcher::from_compiled(offlabel_layers::DO_MATCHER).ok());

/// The embedded DO layer (`None` when it does not parse; a test guards against that).
pub(crate) fn embedded() -> Option<&'static Vocabulary> {
    EMBEDDED.as_ref()
}

/// The vocabulary layer and its matcher, built once per engine on first need.
#[derive(Clone, Default)]
pub struct VocabularyIndex {
    built: Arc<OnceLock<Option<(&'static Vocabulary, &'static Matcher)>>>,
}

impl std::fmt::Debug for VocabularyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VocabularyIndex")
            .field("built", &self.built.get().is_some())
            .finish()
    }
}

/// A disease a question names that the curated pack does not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct OutsideCondition {
    /// Its Disease Ontology id.
    pub doid: String,
    /// Its Disease Ontology label.
    pub name: String,
    /// Codes by system (`doid`, `mesh`, `icd10cm`), first of each.
    pub codes: BTreeMap<String, String>,
    /// Curated conditions linked to a broader or narrower DO term, by pack id.
    pub related: Vec<String>,
}

/// What the vocabulary says about a question's words.
#[derive(Debug, Clone, PartialEq)]
pub enum VocabularyReading {
    /// The disease named is a curated condition under its DO name: use that condition.
    Curated(String),
    /// A disease the curated pack does not hold.
    Outside(OutsideCondition),
}

impl VocabularyIndex {
    /// The vocabulary and its matcher, built on the first call.
    pub(crate) fn get(&self) -> Option<(&Vocabulary, &Matcher)> {
        self.built
            .get_or_init(|| {
                let vocabulary = embedded()?;
                Some((vocabulary, MATCHER.as_ref()?))
            })
            .as_ref()
            .map(|(v, m)| (*v, *m))
    }

    /// The first disease named in `text` (not negated) that the vocabulary knows.
    pub fn read(&self, pack: &Pack, text: &str) -> Option<VocabularyReading> {
        let (vocabulary, matcher) = self.get()?;
        let mention = matcher.find(text).into_iter().find(|m| !m.negated)?;
        let curated_of = |doid: &str| {
            pack.conditions
                .iter()
                .find(|c| c.doid.as_deref() == Some(doid))
                .map(|c| c.id.clone())
        };
        if let Some(id) = curated_of(&mention.doid) {
            return Some(VocabularyReading::Curated(id));
        }
        let term = vocabulary.get(&mention.doid)?;
        let mut codes = BTreeMap::new();
        codes.insert("doid".to_string(), term.id.clone());
        for system in ["mesh", "icd10cm"] {
            if let Some(code) = term.codes.get(system).and_then(|c| c.first()) {
                codes.insert(system.to_string(), code.clone());
            }
        }
        // Curated conditions filed under a broader DO term or a narrower one.
        let mut related = Vec::new();
        for c in &pack.conditions {
            let Some(doid) = c.doid.as_deref() else {
                continue;
            };
            if vocabulary.is_a(&term.id, doid) || vocabulary.is_a(doid, &term.id) {
                related.push(c.id.clone());
            }
        }
        Some(VocabularyReading::Outside(OutsideCondition {
            doid: term.id.clone(),
            name: term.name.clone(),
            codes,
            related,
        }))
    }
}
