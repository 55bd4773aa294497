//! The condition vocabulary under offlabel: one record per Disease Ontology (DO) term, as
//! written by `offlabel pack import disease-ontology` into
//! `knowledge/layers/disease-ontology/conditions.jsonl`, the hierarchy and code look-ups over
//! it ([`Vocabulary`]), a matcher that finds conditions in free text ([`Matcher`]) and the
//! check that curated conditions point at live DO terms ([`check_curated`]).
//!
//! The layer is JSON Lines: one [`Term`] per line, sorted by id, keys in the order of the
//! struct, so a re-import of the same files gives the same bytes and a new DO release gives
//! a reviewable diff.

mod check;
mod matcher;
mod normalise;
mod role;

pub use check::{CuratedProblem, CuratedProblemKind, check_curated};
pub use matcher::{CompiledMatcherError, Matcher, Mention};
pub use normalise::{normalise_phrase, tokens};
pub use role::Role;

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The folder of the DO layer, relative to the workspace root.
pub const DO_LAYER_DIR: &str = "knowledge/layers/disease-ontology";

/// The DO layer compiled into the binary (the committed `conditions.jsonl`).
#[cfg(feature = "embedded")]
pub const EMBEDDED_DO_CONDITIONS: &str =
    include_str!("../../../knowledge/layers/disease-ontology/conditions.jsonl");

/// One Disease Ontology term: a condition of the vocabulary layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// DO id, `DOID:` and digits.
    pub id: String,
    /// The current DO label.
    pub name: String,
    /// Synonyms DO marks EXACT (plus a former label that differs from today's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exact: Vec<String>,
    /// Synonyms DO marks RELATED: near, not the same concept; never a name to show.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// Synonyms DO marks NARROW (more specific than the term).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub narrow: Vec<String>,
    /// Synonyms DO marks BROAD (more general than the term).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub broad: Vec<String>,
    /// Synonyms that are acronyms (DO's acronym type), also listed in `exact` or `related`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acronyms: Vec<String>,
    /// Direct parents (DOIDs); empty only for the root, DOID:4 "disease".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<String>,
    /// Former ids merged into this term.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alt_ids: Vec<String>,
    /// Cross-references by system (`icd10cm`, `mesh`, `snomed`, `umls`, `ordo`, `nci`, ...),
    /// each list sorted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub codes: BTreeMap<String, Vec<String>>,
}

/// A DO id retired since an older release: kept so a check can say "obsolete", not "unknown".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retired {
    /// The retired DO id.
    pub id: String,
    /// Its last known label (empty when only known as another term's alt id).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The current term that replaced it, when DO says so (or absorbed it as an alt id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
}

/// A layer file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    /// A line is not a valid record.
    #[error(
        "{file} line {line}: {message}; re-generate the layer with `offlabel pack import disease-ontology DIR`"
    )]
    Record {
        /// The file name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
    /// Records are not sorted by id or an id repeats.
    #[error("{file} line {line}: id {id} is out of order or repeated; re-generate the layer")]
    Order {
        /// The file name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The offending id.
        id: String,
    },
}

/// Parses JSON Lines of records sorted by a key, checking order.
fn parse_jsonl<T: for<'de> Deserialize<'de>>(
    file: &str,
    text: &str,
    key: impl Fn(&T) -> &str,
) -> Result<Vec<T>, LayerError> {
    let mut out: Vec<T> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let rec: T = serde_json::from_str(line).map_err(|e| LayerError::Record {
            file: file.to_string(),
            line: n + 1,
            message: e.to_string(),
        })?;
        if let Some(prev) = out.last()
            && doid_order(key(prev), key(&rec)) != std::cmp::Ordering::Less
        {
            return Err(LayerError::Order {
                file: file.to_string(),
                line: n + 1,
                id: key(&rec).to_string(),
            });
        }
        out.push(rec);
    }
    Ok(out)
}

/// The order of records in a layer: by the id as a string (stable and simple to diff).
pub fn doid_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.cmp(b)
}

/// Writes records as JSON Lines, one per line, in the given order.
fn to_jsonl<T: Serialize>(records: &[T]) -> String {
    let mut out = String::new();
    for r in records {
        // Serializing plain strings, vectors and maps cannot fail.
        if let Ok(line) = serde_json::to_string(r) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The records of the DO layer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layer {
    /// Current terms, sorted by id.
    pub terms: Vec<Term>,
    /// Retired ids, sorted by id.
    pub retired: Vec<Retired>,
}

impl Layer {
    /// Parses `conditions.jsonl` (and `retired.jsonl`, empty if absent).
    pub fn from_jsonl(conditions: &str, retired: &str) -> Result<Layer, LayerError> {
        Ok(Layer {
            terms: parse_jsonl("conditions.jsonl", conditions, |t: &Term| &t.id)?,
            retired: parse_jsonl("retired.jsonl", retired, |r: &Retired| &r.id)?,
        })
    }

    /// `conditions.jsonl` text: one term per line.
    pub fn conditions_jsonl(&self) -> String {
        to_jsonl(&self.terms)
    }

    /// `retired.jsonl` text: one retired id per line.
    pub fn retired_jsonl(&self) -> String {
        to_jsonl(&self.retired)
    }
}

#[cfg(feature = "embedded")]
const EMBEDDED_DO_RETIRED: &str =
    include_str!("../../../knowledge/layers/disease-ontology/retired.jsonl");

/// A coding system a condition can be given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeSystem {
    /// Disease Ontology id (`DOID:1234`).
    Doid,
    /// ICD-10-CM (`L40.0`).
    Icd10Cm,
    /// SNOMED CT concept id.
    Snomed,
    /// UMLS CUI (`C0033860`).
    Umls,
    /// MeSH descriptor id (`D011565`).
    Mesh,
}

impl CodeSystem {
    /// The key of this system in [`Term::codes`].
    pub fn key(self) -> &'static str {
        match self {
            CodeSystem::Doid => "doid",
            CodeSystem::Icd10Cm => "icd10cm",
            CodeSystem::Snomed => "snomed",
            CodeSystem::Umls => "umls",
            CodeSystem::Mesh => "mesh",
        }
    }

    /// The system of a key of `offlabel_model::CODE_SYSTEMS`, when the layer holds it.
    pub fn from_key(key: &str) -> Option<CodeSystem> {
        [
            CodeSystem::Doid,
            CodeSystem::Icd10Cm,
            CodeSystem::Snomed,
            CodeSystem::Umls,
            CodeSystem::Mesh,
        ]
        .into_iter()
        .find(|s| s.key() == key)
    }

    /// The system a bare code's shape suggests (`DOID:…`, a UMLS CUI, SNOMED CT digits,
    /// an ICD-10-CM code), for callers that give no system.
    pub fn guess(code: &str) -> Option<CodeSystem> {
        let q = code.trim();
        let upper = q.to_ascii_uppercase();
        let bytes = upper.as_bytes();
        if upper.starts_with("DOID:") {
            Some(CodeSystem::Doid)
        } else if bytes.len() == 8 && bytes[0] == b'C' && bytes[1..].iter().all(u8::is_ascii_digit)
        {
            Some(CodeSystem::Umls)
        } else if !q.is_empty() && q.len() <= 18 && bytes.iter().all(u8::is_ascii_digit) {
            Some(CodeSystem::Snomed)
        } else if bytes.len() >= 3
            && bytes[0].is_ascii_uppercase()
            && bytes[1].is_ascii_digit()
            && bytes[2].is_ascii_alphanumeric()
            && !q.contains(' ')
        {
            Some(CodeSystem::Icd10Cm)
        } else {
            None
        }
    }
}

/// The DO layer indexed: by id, by code, by parent.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    records: Records,
    by_id: Ids,
    /// Built on the first look-up by former id or by code: a question rarely needs them.
    by_alt: OnceLock<HashMap<String, usize>>,
    children: Edges,
    parents: Edges,
    by_code: OnceLock<HashMap<(String, String), Vec<usize>>>,
}

/// Term positions by id: hashed for a parsed layer, binary search over the compiled
/// form's sorted ids (borrowed from the binary, so nothing is built at load).
#[derive(Debug, Clone)]
enum Ids {
    Hashed(HashMap<String, usize>),
    Sorted(Vec<&'static str>),
}

impl Ids {
    fn get(&self, id: &str) -> Option<usize> {
        match self {
            Ids::Hashed(map) => map.get(id).copied(),
            Ids::Sorted(ids) => ids.binary_search(&id).ok(),
        }
    }
}

/// Edges of the hierarchy, one list per term, end to end: `list[starts[i]..starts[i + 1]]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Edges {
    starts: Vec<u32>,
    list: Vec<u32>,
}

impl Edges {
    /// From (from, to) pairs over `n` terms, each list in the pairs' order.
    fn from_pairs(n: usize, pairs: &[(usize, usize)]) -> Edges {
        let mut counts = vec![0u32; n + 1];
        for &(from, _) in pairs {
            counts[from + 1] += 1;
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let mut next = counts.clone();
        let mut list = vec![0u32; pairs.len()];
        for &(from, to) in pairs {
            list[next[from] as usize] = u32::try_from(to).unwrap_or(u32::MAX);
            next[from] += 1;
        }
        Edges {
            starts: counts,
            list,
        }
    }

    fn of(&self, i: usize) -> &[u32] {
        let (a, b) = (self.starts[i] as usize, self.starts[i + 1] as usize);
        &self.list[a..b]
    }

    /// Number of terms.
    fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }
}

/// Where the terms live: a parsed layer, or the compiled form, decoded term by term.
#[derive(Debug, Clone)]
enum Records {
    Owned(Layer),
    Compiled(Box<Lazy>),
}

/// The compiled layer, borrowed from the binary: a term is decoded the first time it is
/// asked for; the whole layer only when a caller wants every term (browsing, codes).
#[derive(Clone)]
struct Lazy {
    terms: Vec<&'static [u8]>,
    retired: &'static [u8],
    /// Boxed, so the table of terms not yet decoded stays small.
    decoded: Box<[OnceLock<Box<Term>>]>,
    whole: OnceLock<Layer>,
}

impl std::fmt::Debug for Lazy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lazy")
            .field("terms", &self.terms.len())
            .field("whole", &self.whole.get().is_some())
            .finish()
    }
}

/// What [`Vocabulary::to_compiled`] writes: the ids and the hierarchy, ready to index, and
/// each term's record apart so it can be decoded alone.
#[derive(Serialize, Deserialize)]
struct Compiled<'a> {
    /// Sorted.
    #[serde(borrow)]
    ids: Vec<&'a str>,
    parents: Edges,
    #[serde(borrow)]
    terms: Vec<&'a [u8]>,
    #[serde(borrow)]
    retired: &'a [u8],
}

/// A [`Term`] as the compiled form stores it: the same fields, every one written (the
/// JSON form leaves empty ones out, which a format without field names cannot).
#[derive(Serialize, Deserialize)]
struct TermRecord {
    id: String,
    name: String,
    exact: Vec<String>,
    related: Vec<String>,
    narrow: Vec<String>,
    broad: Vec<String>,
    acronyms: Vec<String>,
    parents: Vec<String>,
    alt_ids: Vec<String>,
    codes: BTreeMap<String, Vec<String>>,
}

/// A [`Retired`] id as the compiled form stores it.
#[derive(Serialize, Deserialize)]
struct RetiredRecord {
    id: String,
    name: String,
    replaced_by: Option<String>,
}

/// The compiled layer does not decode (it was written by another version).
#[derive(Debug, thiserror::Error)]
#[error("the compiled Disease Ontology layer does not decode ({0}); rebuild the binary")]
pub struct CompiledLayerError(String);

impl Lazy {
    fn term(&self, i: usize) -> &Term {
        self.decoded[i].get_or_init(|| {
            let record: Option<TermRecord> = postcard::from_bytes(self.terms[i]).ok();
            // The build script wrote every record from a parsed term, so this always
            // decodes; were it not to, the term keeps its id rather than stopping.
            Box::new(record.map_or_else(|| term_of_id(i, self), term_of_record))
        })
    }

    fn retired(&self) -> Vec<Retired> {
        let records: Vec<RetiredRecord> = postcard::from_bytes(self.retired).unwrap_or_default();
        records
            .into_iter()
            .map(|r| Retired {
                id: r.id,
                name: r.name,
                replaced_by: r.replaced_by,
            })
            .collect()
    }

    fn whole(&self) -> &Layer {
        self.whole.get_or_init(|| Layer {
            terms: (0..self.terms.len())
                .map(|i| self.term(i).clone())
                .collect(),
            retired: self.retired(),
        })
    }
}

fn term_of_id(i: usize, lazy: &Lazy) -> Term {
    let id: String = postcard::from_bytes::<(String,)>(lazy.terms[i])
        .map(|(id,)| id)
        .unwrap_or_default();
    Term {
        name: id.clone(),
        id,
        exact: vec![],
        related: vec![],
        narrow: vec![],
        broad: vec![],
        acronyms: vec![],
        parents: vec![],
        alt_ids: vec![],
        codes: BTreeMap::new(),
    }
}

fn term_of_record(t: TermRecord) -> Term {
    Term {
        id: t.id,
        name: t.name,
        exact: t.exact,
        related: t.related,
        narrow: t.narrow,
        broad: t.broad,
        acronyms: t.acronyms,
        parents: t.parents,
        alt_ids: t.alt_ids,
        codes: t.codes,
    }
}

fn record_of_term(t: &Term) -> TermRecord {
    TermRecord {
        id: t.id.clone(),
        name: t.name.clone(),
        exact: t.exact.clone(),
        related: t.related.clone(),
        narrow: t.narrow.clone(),
        broad: t.broad.clone(),
        acronyms: t.acronyms.clone(),
        parents: t.parents.clone(),
        alt_ids: t.alt_ids.clone(),
        codes: t.codes.clone(),
    }
}

impl Vocabulary {
    /// The layer compiled into the binary.
    #[cfg(feature = "embedded")]
    pub fn embedded() -> Result<Vocabulary, LayerError> {
        Ok(Vocabulary::new(Layer::from_jsonl(
            EMBEDDED_DO_CONDITIONS,
            EMBEDDED_DO_RETIRED,
        )?))
    }

    /// Indexes a layer. Parents that name no term are dropped from the index (the importer
    /// never writes them).
    pub fn new(layer: Layer) -> Vocabulary {
        let by_id: HashMap<String, usize> = layer
            .terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let mut up = Vec::new();
        for (i, t) in layer.terms.iter().enumerate() {
            for p in &t.parents {
                if let Some(&pi) = by_id.get(p) {
                    up.push((i, pi));
                }
            }
        }
        let n = layer.terms.len();
        let parents = Edges::from_pairs(n, &up);
        let down: Vec<(usize, usize)> = up.iter().map(|&(c, p)| (p, c)).collect();
        let children = Edges::from_pairs(n, &down);
        Vocabulary {
            records: Records::Owned(layer),
            by_id: Ids::Hashed(by_id),
            by_alt: OnceLock::new(),
            children,
            parents,
            by_code: OnceLock::new(),
        }
    }

    /// The vocabulary in compact binary form (postcard), for a build script to embed: the
    /// ids and hierarchy ready to index, and each term's record apart.
    pub fn to_compiled(&self) -> Vec<u8> {
        let layer = self.layer();
        let records: Vec<Vec<u8>> = layer
            .terms
            .iter()
            .map(|t| postcard::to_stdvec(&record_of_term(t)).unwrap_or_default())
            .collect();
        let retired: Vec<RetiredRecord> = layer
            .retired
            .iter()
            .map(|r| RetiredRecord {
                id: r.id.clone(),
                name: r.name.clone(),
                replaced_by: r.replaced_by.clone(),
            })
            .collect();
        let retired = postcard::to_stdvec(&retired).unwrap_or_default();
        let compiled = Compiled {
            ids: layer.terms.iter().map(|t| t.id.as_str()).collect(),
            parents: self.parents.clone(),
            terms: records.iter().map(Vec::as_slice).collect(),
            retired: &retired,
        };
        // Strings, integers, byte strings and vectors always serialize.
        postcard::to_stdvec(&compiled).unwrap_or_default()
    }

    /// A vocabulary over a layer written by [`Vocabulary::to_compiled`] and embedded in the
    /// binary: only the ids and the hierarchy are read now; each term is decoded when it
    /// is first asked for.
    pub fn from_compiled(bytes: &'static [u8]) -> Result<Vocabulary, CompiledLayerError> {
        let c: Compiled<'static> =
            postcard::from_bytes(bytes).map_err(|e| CompiledLayerError(e.to_string()))?;
        let n = c.ids.len();
        let edges_fit = c.parents.len() == n
            && c.parents.starts.windows(2).all(|w| w[0] <= w[1])
            && c.parents.starts.last().map(|&e| e as usize) == Some(c.parents.list.len())
            && c.parents.list.iter().all(|&p| (p as usize) < n);
        if c.terms.len() != n || !edges_fit || !c.ids.windows(2).all(|w| w[0] < w[1]) {
            return Err(CompiledLayerError(
                "its tables disagree in length or order".into(),
            ));
        }
        let down: Vec<(usize, usize)> = (0..n)
            .flat_map(|i| c.parents.of(i).iter().map(move |&p| (p as usize, i)))
            .collect();
        let children = Edges::from_pairs(n, &down);
        Ok(Vocabulary {
            records: Records::Compiled(Box::new(Lazy {
                terms: c.terms,
                retired: c.retired,
                decoded: (0..n).map(|_| OnceLock::new()).collect(),
                whole: OnceLock::new(),
            })),
            by_id: Ids::Sorted(c.ids),
            by_alt: OnceLock::new(),
            children,
            parents: c.parents,
            by_code: OnceLock::new(),
        })
    }

    /// The term at position `i` (in id order).
    fn term(&self, i: usize) -> &Term {
        match &self.records {
            Records::Owned(layer) => &layer.terms[i],
            Records::Compiled(lazy) => lazy.term(i),
        }
    }

    /// How many current terms the layer holds.
    fn len(&self) -> usize {
        self.parents.len()
    }

    fn by_alt(&self) -> &HashMap<String, usize> {
        self.by_alt.get_or_init(|| {
            let mut by_alt = HashMap::new();
            for (i, t) in self.terms().iter().enumerate() {
                for a in &t.alt_ids {
                    by_alt.insert(a.clone(), i);
                }
            }
            by_alt
        })
    }

    fn code_index(&self) -> &HashMap<(String, String), Vec<usize>> {
        self.by_code.get_or_init(|| {
            let mut by_code: HashMap<(String, String), Vec<usize>> = HashMap::new();
            for (i, t) in self.terms().iter().enumerate() {
                for (system, codes) in &t.codes {
                    for c in codes {
                        by_code
                            .entry((system.clone(), normalise_code(c)))
                            .or_default()
                            .push(i);
                    }
                }
            }
            by_code
        })
    }

    /// Every current term, sorted by id.
    pub fn terms(&self) -> &[Term] {
        match &self.records {
            Records::Owned(layer) => &layer.terms,
            Records::Compiled(lazy) => &lazy.whole().terms,
        }
    }

    /// The underlying layer.
    pub fn layer(&self) -> &Layer {
        match &self.records {
            Records::Owned(layer) => layer,
            Records::Compiled(lazy) => lazy.whole(),
        }
    }

    /// The term with this current DO id.
    pub fn get(&self, doid: &str) -> Option<&Term> {
        self.by_id.get(doid).map(|i| self.term(i))
    }

    /// The current term that absorbed this former id (an `alt_id`).
    pub fn merged_into(&self, doid: &str) -> Option<&Term> {
        self.by_alt().get(doid).map(|&i| self.term(i))
    }

    /// The retired record of this id, if DO retired it.
    pub fn retired(&self, doid: &str) -> Option<&Retired> {
        let retired = &self.layer().retired;
        retired
            .binary_search_by(|r| doid_order(&r.id, doid))
            .ok()
            .map(|i| &retired[i])
    }

    /// Terms carrying this code. ICD-10-CM codes match with or without the dot and in any
    /// case; a DOID resolves to its term (or the term that absorbed it).
    pub fn by_code(&self, system: CodeSystem, code: &str) -> Vec<&Term> {
        if system == CodeSystem::Doid {
            let id = if code.to_ascii_uppercase().starts_with("DOID:") {
                format!("DOID:{}", &code[5..])
            } else {
                format!("DOID:{code}")
            };
            return self
                .get(&id)
                .or_else(|| self.merged_into(&id))
                .into_iter()
                .collect();
        }
        self.code_index()
            .get(&(system.key().to_string(), normalise_code(code)))
            .map(|v| v.iter().map(|&i| self.term(i)).collect())
            .unwrap_or_default()
    }

    /// Terms for an ICD-10-CM code, widening to its parent codes when DO maps none to the
    /// code itself ("L40.50" → "L40.5" → "L40"); returns the code that matched.
    pub fn by_icd10cm_nearest(&self, code: &str) -> Option<(String, Vec<&Term>)> {
        let mut c = normalise_code(code);
        while c.len() >= 3 {
            let found = self.by_code(CodeSystem::Icd10Cm, &c);
            if !found.is_empty() {
                let shown = if c.len() > 3 {
                    format!("{}.{}", &c[..3], &c[3..])
                } else {
                    c.clone()
                };
                return Some((shown, found));
            }
            c.pop();
        }
        None
    }

    /// Terms named `name` (label or exact synonym, compared after normalisation), labels
    /// first. A scan of the whole layer: meant for browsing, not for every question.
    pub fn by_name(&self, name: &str) -> Vec<&Term> {
        let wanted = normalise_phrase(name);
        if wanted.is_empty() {
            return Vec::new();
        }
        let mut labels = Vec::new();
        let mut synonyms = Vec::new();
        for t in self.terms() {
            if normalise_phrase(&t.name) == wanted {
                labels.push(t);
            } else if t.exact.iter().any(|e| normalise_phrase(e) == wanted) {
                synonyms.push(t);
            }
        }
        labels.extend(synonyms);
        labels
    }

    /// What a user typed to name a condition: a DOID, an ICD-10-CM code (widened to its
    /// parents when needed), a UMLS CUI, a SNOMED CT id, or a name.
    pub fn resolve(&self, query: &str) -> Vec<&Term> {
        let q = query.trim();
        match CodeSystem::guess(q) {
            Some(CodeSystem::Icd10Cm) => match self.by_icd10cm_nearest(q) {
                Some((_, terms)) => terms,
                None => self.by_name(q),
            },
            Some(system) => self.by_code(system, q),
            None => self.by_name(q),
        }
    }

    /// Index of a term by id.
    fn index(&self, doid: &str) -> Option<usize> {
        self.by_id.get(doid)
    }

    /// Direct children of a term.
    pub fn children(&self, doid: &str) -> Vec<&Term> {
        self.index(doid)
            .map(|i| {
                self.children
                    .of(i)
                    .iter()
                    .map(|&c| self.term(c as usize))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether `doid` is `ancestor` or lies below it.
    pub fn is_a(&self, doid: &str, ancestor: &str) -> bool {
        let (Some(start), Some(goal)) = (self.index(doid), self.index(ancestor)) else {
            return false;
        };
        let mut seen = vec![false; self.len()];
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            if i == goal {
                return true;
            }
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            stack.extend(self.parents.of(i).iter().map(|&p| p as usize));
        }
        false
    }

    /// Every ancestor of a term (not the term), nearest first, each once.
    pub fn ancestors(&self, doid: &str) -> Vec<&Term> {
        self.walk(doid, &self.parents)
    }

    /// Every descendant of a term (not the term), each once.
    pub fn descendants(&self, doid: &str) -> Vec<&Term> {
        self.walk(doid, &self.children)
    }

    fn walk(&self, doid: &str, edges: &Edges) -> Vec<&Term> {
        let Some(start) = self.index(doid) else {
            return Vec::new();
        };
        let mut seen = vec![false; self.len()];
        seen[start] = true;
        let mut queue = std::collections::VecDeque::from([start]);
        let mut out = Vec::new();
        while let Some(i) = queue.pop_front() {
            for n in edges.of(i).iter().map(|&n| n as usize) {
                if !std::mem::replace(&mut seen[n], true) {
                    out.push(self.term(n));
                    queue.push_back(n);
                }
            }
        }
        out
    }
}

/// Codes compare as the pack compares them: without dots and spaces, in upper case.
fn normalise_code(code: &str) -> String {
    offlabel_model::code_key(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(id: &str, name: &str, parents: &[&str]) -> Term {
        Term {
            id: id.into(),
            name: name.into(),
            exact: vec![],
            related: vec![],
            narrow: vec![],
            broad: vec![],
            acronyms: vec![],
            parents: parents.iter().map(|p| p.to_string()).collect(),
            alt_ids: vec![],
            codes: BTreeMap::new(),
        }
    }

    #[test]
    fn round_trip_and_order() {
        let mut a = term("DOID:1", "a", &[]);
        a.codes.insert("icd10cm".into(), vec!["L40.0".into()]);
        let layer = Layer {
            terms: vec![a, term("DOID:2", "b", &["DOID:1"])],
            retired: vec![],
        };
        let text = layer.conditions_jsonl();
        assert_eq!(Layer::from_jsonl(&text, "").ok(), Some(layer.clone()));
        let swapped: String = text.lines().rev().map(|l| format!("{l}\n")).collect();
        assert!(matches!(
            Layer::from_jsonl(&swapped, ""),
            Err(LayerError::Order { line: 2, .. })
        ));
        let v = Vocabulary::new(layer);
        assert!(v.is_a("DOID:2", "DOID:1"));
        assert!(!v.is_a("DOID:1", "DOID:2"));
        assert_eq!(v.by_code(CodeSystem::Icd10Cm, "l400").len(), 1);
        assert_eq!(v.by_code(CodeSystem::Doid, "doid:2").len(), 1);
        assert_eq!(v.descendants("DOID:1").len(), 1);
    }

    #[cfg(feature = "embedded")]
    #[test]
    fn resolve_what_users_type() {
        let v = Vocabulary::embedded().expect("the committed layer parses");
        let ids = |q: &str| {
            v.resolve(q)
                .iter()
                .map(|t| t.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("DOID:8893"), ["DOID:8893"]);
        assert_eq!(ids("doid:8893"), ["DOID:8893"]);
        assert!(
            ids("L40.0").contains(&"DOID:8893".to_string()),
            "widened to L40"
        );
        assert_eq!(ids("C0033860"), ["DOID:8893"]);
        assert_eq!(ids("Psoriasis"), ["DOID:8893"]);
        assert_eq!(ids("Crohns disease"), ids("Crohn's disease"));
        assert!(ids("no such disease at all").is_empty());
        let (code, _) = v.by_icd10cm_nearest("l40.59").expect("L40.5 is mapped");
        assert_eq!(code, "L40.5");
    }

    #[cfg(feature = "embedded")]
    #[test]
    fn compiled_form_answers_as_the_text_form() {
        let v = Vocabulary::embedded().expect("the committed layer parses");
        let bytes: &'static [u8] = Box::leak(v.to_compiled().into_boxed_slice());
        let c = Vocabulary::from_compiled(bytes).expect("the compiled form decodes");
        assert_eq!(c.get("DOID:8893"), v.get("DOID:8893"));
        assert!(c.is_a("DOID:8893", "DOID:4"));
        assert_eq!(c.ancestors("DOID:8893"), v.ancestors("DOID:8893"));
        assert_eq!(c.children("DOID:8893"), v.children("DOID:8893"));
        assert_eq!(
            c.by_code(CodeSystem::Icd10Cm, "L40"),
            v.by_code(CodeSystem::Icd10Cm, "L40")
        );
        assert_eq!(c.layer(), v.layer());
        assert!(Vocabulary::from_compiled(&[1, 2, 3]).is_err());

        let m = Matcher::new(&v);
        let mb: &'static [u8] = Box::leak(m.to_compiled().into_boxed_slice());
        let cm = Matcher::from_compiled(mb).expect("the compiled matcher decodes");
        assert_eq!(cm.name_count(), m.name_count());
        for text in [
            "Is baricitinib approved for giant cell arteritis?",
            "history of lymphoma, not psoriasis; COPD and type 2 diabetes",
            "Crohn's disease in a child with HIV",
        ] {
            assert_eq!(cm.find(text), m.find(text), "{text}");
        }
    }

    #[test]
    fn bad_line_is_named() {
        let err = Layer::from_jsonl("{\"id\":\"DOID:1\"}\n", "");
        assert!(matches!(err, Err(LayerError::Record { line: 1, .. })));
    }

    #[cfg(feature = "embedded")]
    #[test]
    fn embedded_layer_loads() {
        let v = Vocabulary::embedded().expect("the committed layer parses");
        assert!(v.terms().len() > 12_000);
        assert!(v.is_a("DOID:8893", "DOID:4"), "psoriasis is a disease");
        assert!(
            v.by_code(CodeSystem::Icd10Cm, "l40")
                .iter()
                .any(|t| t.id == "DOID:8893")
        );
    }
}
