//! Finds the conditions of the vocabulary in free text (questions, regulator indications).
//!
//! Every name is normalised to its word tokens ([`crate::normalise`]) and put in one hash
//! index; every span of whole words of the text, up to the longest name, is looked up, so a
//! hit always starts and ends on whole words. All hits are collected (overlapping), then the
//! longest win, left to right. Acronyms must match in their own case; a name that is also an ordinary word, or a
//! 2–3 letter acronym, needs clinical context in its sentence; names too general to mean one
//! disease ("disease", "syndrome") are never read.

use crate::normalise::{Token, normalise_phrase, tokens};
use crate::role::{Cues, Role};
use crate::{Term, Vocabulary};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

/// Names that are ordinary words first ("cold", "MS Word", "AA meetings"): read only with
/// clinical context. One per line, `#` starts a comment giving the reason.
const ORDINARY: &str = include_str!("../data/ordinary.txt");
/// Names never read: too general to be a diagnosis, or a DO synonym that reads as something
/// else in prescribing text. One per line with a comment.
const REFUSED: &str = include_str!("../data/refused.txt");
/// Clinical abbreviations DO lacks: `ABBR DOID:…` per line.
const ABBREVIATIONS: &str = include_str!("../data/abbreviations.txt");
/// Words that make a sentence clinical (English and Spanish).
const CONTEXT: &str = include_str!("../data/context.txt");

/// Words that negate a condition named after them in the same clause.
const NEGATION_WORDS: &[&str] = &[
    "not",
    "no",
    "without",
    "excluding",
    "exclude",
    "except",
    "never",
    "nor",
    "sin",
    "excepto",
    "salvo",
    "ni",
    "nunca",
];
/// Two-word negation cues.
const NEGATION_PAIRS: &[(&str, &str)] = &[
    ("other", "than"),
    ("rule", "out"),
    ("ruled", "out"),
    ("free", "of"),
    ("negative", "for"),
    ("absence", "of"),
    ("instead", "of"),
];
/// Words after a condition, in its sentence, that put it out of the indication: "secondary
/// causes (e.g., diabetes mellitus, hypothyroidism) should be excluded".
const POST_NEGATION_WORDS: &[&str] = &[
    "excluded",
    "excluido",
    "excluida",
    "descartado",
    "descartada",
];
/// Two-word cues after a condition with the same effect.
const POST_NEGATION_PAIRS: &[(&str, &str)] = &[("ruled", "out"), ("looked", "for")];
/// How many words after a condition a post-negation cue may stand.
const POST_NEGATION_WINDOW: usize = 30;
/// Words that, right after a condition name, make it a modifier of something else: "cancer
/// chemotherapy", "hepatitis B vaccine", "malaria prophylaxis" name no disease of the patient.
const MODIFIED_HEADS: &[&str] = &[
    "chemotherapy",
    "vaccine",
    "vaccination",
    "agent",
    "drug",
    "medication",
    "virus",
    "pathogen",
    "organism",
    "bacteria",
    // Species epithets: "Chlamydia trachomatis" is the organism, not the disease.
    "trachomatis",
    "pneumoniae",
    "psittaci",
    "pallidum",
    "surgery",
    "extraction",
    "antigen",
    "screening",
    "test",
    "testing",
    "prophylaxi",
];
/// Endings of a genus name: the lower-case word after it is a species epithet
/// ("Propionibacterium acnes", "Onchocerca volvulus"), not a disease.
const GENUS_ENDINGS: &[&str] = &[
    "bacterium",
    "ella",
    "coccus",
    "bacter",
    "monas",
    "myces",
    "cerca",
    "bacillus",
    "plasma",
    "spora",
];
/// Words that end a negation's reach.
const CLAUSE_BREAKS: &[&str] = &["but", "however", "although", "pero", "aunque", "sino"];
/// How many words before a condition a negation cue may stand.
const NEGATION_WINDOW: usize = 10;

/// Organs whose adjective labels use as often as the noun ("renal disease", "hepatic
/// failure"), for [`variants`]; read only before "disease", "disorder" and "failure".
const ORGAN_ADJECTIVES: &[(&str, &str)] = &[
    ("kidney", "renal"),
    ("liver", "hepatic"),
    ("heart", "cardiac"),
    ("lung", "pulmonary"),
    ("skin", "dermatologic"),
];

/// A condition found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mention {
    /// DO id of the condition.
    pub doid: String,
    /// Its DO label.
    pub name: String,
    /// Byte offset where the words naming it start.
    pub start: usize,
    /// Byte offset after them.
    pub end: usize,
    /// A negation cue ("not", "excluding", "other than", "sin") stands before it in its clause.
    pub negated: bool,
    /// Whether the text names it as what the medicine is for (see [`Role`]); a negated
    /// mention is always `other`.
    pub role: Role,
}

/// How a name belongs to its term; lower is stronger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Label = 0,
    Exact = 1,
    Narrow = 2,
    /// A spelling the matcher derives from a label or exact synonym (see [`variants`]).
    Variant = 3,
}

/// Other ways labels write a name, derived so the vocabulary need not list them:
/// "diabetes mellitus" as "diabetes"; "skin disease" as "skin disorder" and back;
/// "hyperlipoproteinemia type III" as "type III hyperlipoproteinemia" and back;
/// "cardiovascular system disease" as "cardiovascular disease"; "kidney disease" as "renal
/// disease" ([`ORGAN_ADJECTIVES`]).
fn variants(name: &str, is_label: bool) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(cut) = name.strip_suffix(" mellitus")
        && (cut.contains(' ') || is_label)
    {
        out.push(cut.to_string());
    }
    if let Some(stem) = name.strip_suffix(" disease")
        && !stem.is_empty()
    {
        out.push(format!("{stem} disorder"));
    } else if let Some(stem) = name.strip_suffix(" disorder")
        && !stem.is_empty()
    {
        out.push(format!("{stem} disease"));
    }
    // "cardiovascular system disease" as labels write it: "cardiovascular disease".
    if let Some(stem) = name.strip_suffix(" system disease")
        && !stem.is_empty()
    {
        out.push(format!("{stem} disease"));
        out.push(format!("{stem} disorder"));
    }
    // "kidney disease" as "renal disease": the organ's adjective before a general head.
    if let Some((organ, head)) = name.split_once(' ')
        && let Some((_, adjective)) = ORGAN_ADJECTIVES.iter().find(|(o, _)| *o == organ)
    {
        let heads: &[&str] = match head {
            "disease" | "disorder" => &["disease", "disorder"],
            "failure" => &["failure"],
            _ => &[],
        };
        out.extend(heads.iter().map(|h| format!("{adjective} {h}")));
    }
    let words: Vec<&str> = name.split(' ').collect();
    let numbered = |w: &str| {
        w.len() <= 4
            && w.chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || "IViv".contains(c))
            && w.chars().all(|c| c.is_ascii_alphanumeric())
    };
    match words.as_slice() {
        [rest @ .., t, n] if !rest.is_empty() && t.eq_ignore_ascii_case("type") && numbered(n) => {
            out.push(format!("type {n} {}", rest.join(" ")));
        }
        [t, n, rest @ ..] if !rest.is_empty() && t.eq_ignore_ascii_case("type") && numbered(n) => {
            out.push(format!("{} type {n}", rest.join(" ")));
        }
        _ => {}
    }
    out
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    term: u32,
    rank: Rank,
    /// The acronym as written (a span of [`Index::text`]): the text must show it in this case.
    case: Option<Span>,
    /// Ordinary word or 2–3 letter acronym.
    needs_context: bool,
    /// The name itself has a comma or parenthesis, so the text may too.
    punctuated: bool,
}

/// The condition matcher over a whole vocabulary; build once, share.
///
/// Its name index is plain sorted arrays, so the embedded vocabulary's matcher can be built
/// at compile time ([`Matcher::to_compiled`]) and loaded by borrowing the binary's bytes
/// ([`Matcher::from_compiled`]) instead of being rebuilt by every process.
#[derive(Debug, Clone)]
pub struct Matcher {
    index: Index<'static>,
    context: HashSet<String>,
    cues: Cues,
}

/// A piece of [`Index::text`]: byte offset and length.
type Span = (u32, u32);

/// The name index: what [`Matcher::to_compiled`] writes. Every string is a span of one
/// text and every table is little-endian `u32` words, so the compiled form is used where
/// it lies in the binary: loading allocates nothing per name.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Index<'a> {
    /// Every string of the index, end to end.
    #[serde(borrow)]
    text: Cow<'a, str>,
    /// Normalised names, sorted, two words (offset, length) each: a span of the question
    /// is looked up by binary search.
    #[serde(borrow)]
    names: Cow<'a, [u8]>,
    /// One word per name and one more: name `i`'s entries are `starts[i]..starts[i + 1]`.
    #[serde(borrow)]
    starts: Cow<'a, [u8]>,
    /// Four words per entry: term, case offset, case length (`u32::MAX` offset: none),
    /// rank | needs_context << 8 | punctuated << 9.
    #[serde(borrow)]
    entries: Cow<'a, [u8]>,
    /// The most words any name has: no span longer than this is looked up.
    longest: u32,
    /// Four words per term position: its DO id's span, its label's span.
    #[serde(borrow)]
    ids: Cow<'a, [u8]>,
}

/// Word `i` of a table (0 past its end: the build script writes whole tables).
fn word(table: &[u8], i: usize) -> u32 {
    table
        .get(i * 4..i * 4 + 4)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

fn put(table: &mut Vec<u8>, w: u32) {
    table.extend_from_slice(&w.to_le_bytes());
}

impl Index<'_> {
    fn str(&self, (at, len): Span) -> &str {
        self.text
            .get(at as usize..(at as usize).saturating_add(len as usize))
            .unwrap_or("")
    }

    /// Appends a string to the text; its span.
    fn push(text: &mut String, s: &str) -> Span {
        let at = u32::try_from(text.len()).unwrap_or(u32::MAX);
        text.push_str(s);
        (at, u32::try_from(s.len()).unwrap_or(u32::MAX))
    }

    fn name_count(&self) -> usize {
        self.names.len() / 8
    }

    fn name(&self, i: usize) -> &str {
        self.str((word(&self.names, 2 * i), word(&self.names, 2 * i + 1)))
    }

    fn entry(&self, k: usize) -> Entry {
        let w = |j| word(&self.entries, 4 * k + j);
        let flags = w(3);
        Entry {
            term: w(0),
            rank: match flags & 0xff {
                0 => Rank::Label,
                1 => Rank::Exact,
                2 => Rank::Narrow,
                _ => Rank::Variant,
            },
            case: (w(1) != u32::MAX).then(|| (w(1), w(2))),
            needs_context: flags & (1 << 8) != 0,
            punctuated: flags & (1 << 9) != 0,
        }
    }

    fn put_entry(entries: &mut Vec<u8>, e: &Entry) {
        put(entries, e.term);
        let (at, len) = e.case.unwrap_or((u32::MAX, 0));
        put(entries, at);
        put(entries, len);
        put(
            entries,
            e.rank as u32 | u32::from(e.needs_context) << 8 | u32::from(e.punctuated) << 9,
        );
    }

    /// The DO id and label of term position `t`.
    fn id(&self, t: usize) -> (&str, &str) {
        let w = |j| word(&self.ids, 4 * t + j);
        (self.str((w(0), w(1))), self.str((w(2), w(3))))
    }
}

/// The compiled form of a matcher does not decode (it was written by another version).
#[derive(Debug, thiserror::Error)]
#[error("the compiled condition matcher does not decode ({0}); rebuild the binary")]
pub struct CompiledMatcherError(String);

/// An entry while the index is built.
struct OwnedEntry {
    term: u32,
    rank: Rank,
    case: Option<String>,
    needs_context: bool,
    punctuated: bool,
}

fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
}

/// An acronym as DO writes it: one word, at least two capitals and no lower-case letter
/// ("GERD", "HIV", "COPD"), or listed as an acronym by DO.
fn is_acronym(surface: &str, term: &Term) -> bool {
    let one_word = !surface.contains(' ');
    let caps = surface.chars().filter(|c| c.is_uppercase()).count();
    let lower = surface.chars().any(char::is_lowercase);
    one_word && ((caps >= 2 && !lower) || term.acronyms.iter().any(|a| a == surface))
}

impl Matcher {
    /// Builds the name index over every label, exact and narrow synonym of the vocabulary.
    pub fn new(vocabulary: &Vocabulary) -> Matcher {
        let ordinary: HashSet<String> = data_lines(ORDINARY).map(normalise_phrase).collect();
        let ordinary_cased: HashSet<&str> = data_lines(ORDINARY).collect();
        // A line is a name, optionally followed by the one DOID it is refused for.
        let mut refused: HashSet<String> = HashSet::new();
        let mut refused_for: HashSet<(String, String)> = HashSet::new();
        for line in data_lines(REFUSED) {
            match line
                .rsplit_once(' ')
                .filter(|(_, id)| id.starts_with("DOID:"))
            {
                Some((name, id)) => {
                    refused_for.insert((normalise_phrase(name), id.to_string()));
                }
                None => {
                    refused.insert(normalise_phrase(line));
                }
            }
        }
        let mut by_norm: BTreeMap<String, Vec<OwnedEntry>> = BTreeMap::new();
        for (i, term) in vocabulary.terms().iter().enumerate() {
            let names = std::iter::once((term.name.as_str(), Rank::Label))
                .chain(term.exact.iter().map(|s| (s.as_str(), Rank::Exact)))
                .chain(term.narrow.iter().map(|s| (s.as_str(), Rank::Narrow)));
            let generated: Vec<(String, Rank)> = names
                .clone()
                .filter(|&(_, r)| r != Rank::Narrow)
                .flat_map(|(n, r)| variants(n, r == Rank::Label))
                .map(|v| (v, Rank::Variant))
                .collect();
            let names = names.map(|(n, r)| (n.to_string(), r)).chain(generated);
            for (surface, rank) in names {
                let surface = surface.as_str();
                let norm = normalise_phrase(surface);
                if norm.is_empty()
                    || refused.contains(&norm)
                    || refused_for.contains(&(norm.clone(), term.id.clone()))
                {
                    continue;
                }
                let acronym = is_acronym(surface, term);
                let letters = surface.chars().filter(|c| c.is_alphanumeric()).count();
                if !acronym && letters <= 3 {
                    // A short lower-case synonym ("ms", "ad") is noise in running text.
                    continue;
                }
                let needs_context = ordinary.contains(&norm)
                    || ordinary_cased.contains(surface)
                    || (acronym && letters <= 3);
                let entry = OwnedEntry {
                    term: u32::try_from(i).unwrap_or(u32::MAX),
                    rank,
                    case: acronym.then(|| surface.to_string()),
                    needs_context,
                    punctuated: surface.contains([',', '(', ')', '[', ';']),
                };
                by_norm.entry(norm).or_default().push(entry);
            }
        }
        for line in data_lines(ABBREVIATIONS) {
            let Some((abbr, id)) = line.split_once(' ') else {
                continue;
            };
            let Ok(i) = vocabulary
                .terms()
                .binary_search_by(|t| crate::doid_order(&t.id, id.trim()))
            else {
                // A DOID DO has retired: the abbreviation waits for the data file's review.
                continue;
            };
            let letters = abbr.chars().filter(|c| c.is_alphanumeric()).count();
            by_norm
                .entry(normalise_phrase(abbr))
                .or_default()
                .push(OwnedEntry {
                    term: u32::try_from(i).unwrap_or(u32::MAX),
                    rank: Rank::Exact,
                    case: Some(abbr.to_string()),
                    needs_context: letters <= 3,
                    punctuated: false,
                });
        }
        // Sorted names looked up per word span, not an automaton: a question is a few
        // words, so a span lookup costs microseconds (an Aho-Corasick automaton over these
        // names took about 0.2 s to build, paid by the first question that needed it).
        let longest = by_norm
            .keys()
            .map(|k| k.split(' ').count())
            .max()
            .unwrap_or(0);
        let mut text = String::new();
        let mut ids = Vec::new();
        for t in vocabulary.terms() {
            let (a, b) = Index::push(&mut text, &t.id);
            let (c, d) = Index::push(&mut text, &t.name);
            [a, b, c, d].into_iter().for_each(|w| put(&mut ids, w));
        }
        let mut names = Vec::new();
        let mut starts = Vec::new();
        let mut entries = Vec::new();
        let mut count = 0u32;
        for (norm, list) in by_norm {
            let (at, len) = Index::push(&mut text, &norm);
            put(&mut names, at);
            put(&mut names, len);
            put(&mut starts, count);
            for e in list {
                let case = e.case.as_deref().map(|c| Index::push(&mut text, c));
                let entry = Entry {
                    term: e.term,
                    rank: e.rank,
                    case,
                    needs_context: e.needs_context,
                    punctuated: e.punctuated,
                };
                Index::put_entry(&mut entries, &entry);
                count += 1;
            }
        }
        put(&mut starts, count);
        Matcher::with_index(Index {
            text: Cow::Owned(text),
            names: Cow::Owned(names),
            starts: Cow::Owned(starts),
            entries: Cow::Owned(entries),
            longest: u32::try_from(longest).unwrap_or(u32::MAX),
            ids: Cow::Owned(ids),
        })
    }

    fn with_index(index: Index<'static>) -> Matcher {
        let context: HashSet<String> = data_lines(CONTEXT).map(normalise_phrase).collect();
        Matcher {
            index,
            context,
            cues: Cues::embedded(),
        }
    }

    /// The name index in compact binary form (postcard), for a build script to embed.
    pub fn to_compiled(&self) -> Vec<u8> {
        // Plain strings, integers and vectors always serialize.
        postcard::to_stdvec(&self.index).unwrap_or_default()
    }

    /// A matcher over an index written by [`Matcher::to_compiled`]; its text and tables
    /// borrow `bytes` (embedded in the binary), so loading allocates nothing per name.
    pub fn from_compiled(bytes: &'static [u8]) -> Result<Matcher, CompiledMatcherError> {
        let index: Index<'static> =
            postcard::from_bytes(bytes).map_err(|e| CompiledMatcherError(e.to_string()))?;
        // Lengths only: the build script wrote the names sorted, and checking the order of
        // every name would cost more than the rest of the load.
        let n = index.name_count();
        let fits = index.names.len() == 8 * n
            && index.starts.len() == 4 * (n + 1)
            && index.entries.len().is_multiple_of(16)
            && index.ids.len().is_multiple_of(16)
            && word(&index.starts, n) as usize == index.entries.len() / 16;
        if !fits {
            return Err(CompiledMatcherError("its tables disagree in length".into()));
        }
        Ok(Matcher::with_index(index))
    }

    /// The entries of the name `norm`, if the index holds it.
    fn entries_of(&self, norm: &str) -> Option<impl Iterator<Item = Entry> + '_> {
        let (mut lo, mut hi) = (0, self.index.name_count());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.index.name(mid).cmp(norm) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let (a, b) = (
                        word(&self.index.starts, mid),
                        word(&self.index.starts, mid + 1),
                    );
                    return Some((a as usize..b as usize).map(|k| self.index.entry(k)));
                }
            }
        }
        None
    }

    /// Approximate bytes of the name index (its text and tables).
    pub fn index_bytes(&self) -> usize {
        self.index.text.len()
            + self.index.names.len()
            + self.index.starts.len()
            + self.index.entries.len()
            + self.index.ids.len()
    }

    /// Number of distinct normalised names in the index.
    pub fn name_count(&self) -> usize {
        self.index.name_count()
    }

    /// The conditions named in `text`, in text order, longest match first where names
    /// overlap.
    pub fn find(&self, text: &str) -> Vec<Mention> {
        let toks = tokens(text);
        if toks.is_empty() {
            return Vec::new();
        }
        let sentence = sentence_ids(text, &toks);
        let mut norm = String::from(" ");
        let mut starts = Vec::with_capacity(toks.len());
        let mut ends = Vec::with_capacity(toks.len());
        for t in &toks {
            starts.push(norm.len());
            norm.push_str(&t.norm);
            ends.push(norm.len());
            norm.push(' ');
        }
        let clinical: HashSet<usize> = toks
            .iter()
            .zip(&sentence)
            .filter(|(t, _)| self.context.contains(&t.norm))
            .map(|(_, &s)| s)
            .collect();
        // (first token, last token, entry list index, chosen entry)
        let mut hits: Vec<(usize, usize, Entry)> = Vec::new();
        let longest = self.index.longest as usize;
        let spans = (0..toks.len()).flat_map(|first| {
            (first..toks.len().min(first + longest)).map(move |last| (first, last))
        });
        for (first, last) in spans {
            let Some(pattern) = self.entries_of(&norm[starts[first]..ends[last]]) else {
                continue;
            };
            if sentence[first] != sentence[last] {
                continue;
            }
            let surface = &text[toks[first].start..toks[last].end];
            // An acronym inside upper-case prose ("SUCH AS MALIGNANCY") is an ordinary word.
            let shouting = |i: Option<&Token>| {
                i.is_some_and(|t| {
                    let w = &text[t.start..t.end];
                    w.chars().filter(|c| c.is_alphabetic()).count() >= 2
                        && !w.chars().any(char::is_lowercase)
                })
            };
            let previous = first.checked_sub(1).and_then(|i| toks.get(i));
            let in_capitals = shouting(previous) && shouting(toks.get(last + 1));
            // "Asacol HD", "Tegretol XR": a short acronym after a capitalised name is a
            // brand's suffix.
            let brand_suffix = previous.is_some_and(|p| {
                let w = &text[p.start..p.end];
                w.chars().next().is_some_and(char::is_uppercase)
                    && w.chars().any(char::is_lowercase)
                    && sentence[first - 1] == sentence[first]
            });
            let species = first == last
                && surface.chars().next().is_some_and(char::is_lowercase)
                && previous.is_some_and(|p| {
                    let w = &text[p.start..p.end];
                    w.chars().next().is_some_and(char::is_uppercase)
                        && GENUS_ENDINGS.iter().any(|e| p.norm.ends_with(e))
                });
            // Text punctuation inside a match ("Schizophrenia, 13 to 17 years") only where
            // the name has it too.
            let punctuated_gap = (first..last).any(|i| {
                text[toks[i].end..toks[i + 1].start].contains([',', '(', ')', '[', ']', ';'])
            });
            let best = pattern
                .filter(|e| match e.case {
                    Some(c) => {
                        let c = self.index.str(c);
                        let brand = e.needs_context && brand_suffix;
                        !(in_capitals || brand)
                            && (surface == c || surface.strip_suffix('s') == Some(c))
                    }
                    None => true,
                })
                .filter(|e| !species && (e.punctuated || !punctuated_gap))
                .filter(|e| !e.needs_context || clinical.contains(&sentence[first]))
                .min_by_key(|e| (e.rank, e.term));
            // Only a head written right after the name modifies it: "cancer chemotherapy",
            // not "Klinefelter syndrome, chemotherapy" (a list) nor "(HD) vaccine".
            let modifier = toks.get(last + 1).is_some_and(|n| {
                MODIFIED_HEADS.contains(&n.norm.as_str())
                    && text[toks[last].end..n.start]
                        .chars()
                        .all(|c| c.is_whitespace() || c == '-')
            });
            if let Some(e) = best.filter(|_| !modifier) {
                hits.push((first, last, e));
            }
        }
        // Longest first, then leftmost; a word belongs to one mention.
        hits.sort_by_key(|&(f, l, e)| (std::cmp::Reverse(l - f), f, e.rank, e.term));
        let mut taken = vec![false; toks.len()];
        let mut chosen = Vec::new();
        for (f, l, e) in hits {
            if taken[f..=l].iter().any(|&t| t) {
                continue;
            }
            taken[f..=l].iter_mut().for_each(|t| *t = true);
            chosen.push((f, l, e));
        }
        chosen.sort_by_key(|&(f, _, _)| f);
        let spans: Vec<(usize, usize)> = chosen.iter().map(|&(f, l, _)| (f, l)).collect();
        let roles = self.cues.roles(text, &toks, &sentence, &spans);
        chosen
            .into_iter()
            .zip(roles)
            .map(|((f, l, e), role)| {
                let (doid, name) = self.index.id(e.term as usize);
                let negated = negated(&toks, &sentence, f) || post_negated(&toks, &sentence, l);
                Mention {
                    doid: doid.to_string(),
                    name: name.to_string(),
                    start: toks[f].start,
                    end: toks[l].end,
                    negated,
                    role: if negated { Role::Other } else { role },
                }
            })
            .collect()
    }
}

/// A sentence number per token: a new sentence after `.`, `!`, `?`, `;`, `:` or a line
/// break between two tokens (a dot inside a number, and the dots of "e.g." and "i.e.",
/// aside).
fn sentence_ids(text: &str, toks: &[Token]) -> Vec<usize> {
    let mut ids = Vec::with_capacity(toks.len());
    let mut current = 0;
    for (i, t) in toks.iter().enumerate() {
        if i > 0 {
            let gap = &text[toks[i - 1].end..t.start];
            // "e.g., diabetes" and "i.e. X" continue their sentence.
            let latin = i >= 2
                && matches!(
                    (toks[i - 2].norm.as_str(), toks[i - 1].norm.as_str()),
                    ("e", "g") | ("i", "e")
                )
                && !gap.contains(['!', '?', ';', ':', '\n']);
            let ends_sentence = gap.contains(['!', '?', ';', ':', '\n'])
                || (gap.contains('.') && gap.chars().any(char::is_whitespace) && !latin);
            if ends_sentence {
                current += 1;
            }
        }
        ids.push(current);
    }
    ids
}

/// Whether an exclusion cue ("should be excluded", "ruled out") follows token `last` within
/// [`POST_NEGATION_WINDOW`] words in its sentence.
fn post_negated(toks: &[Token], sentence: &[usize], last: usize) -> bool {
    let hi = (last + 1 + POST_NEGATION_WINDOW).min(toks.len());
    for i in last + 1..hi {
        if sentence[i] != sentence[last] {
            return false;
        }
        let w = toks[i].norm.as_str();
        if POST_NEGATION_WORDS.contains(&w) {
            return true;
        }
        if let Some(next) = toks.get(i + 1)
            && POST_NEGATION_PAIRS.contains(&(w, next.norm.as_str()))
        {
            return true;
        }
    }
    false
}

/// Whether a negation cue stands within [`NEGATION_WINDOW`] words before token `first`, in
/// the same sentence and with no clause break ("but") between.
fn negated(toks: &[Token], sentence: &[usize], first: usize) -> bool {
    let lo = first.saturating_sub(NEGATION_WINDOW);
    for i in (lo..first).rev() {
        if sentence[i] != sentence[first] || CLAUSE_BREAKS.contains(&toks[i].norm.as_str()) {
            return false;
        }
        let w = toks[i].norm.as_str();
        if NEGATION_WORDS.contains(&w) {
            return true;
        }
        if let Some(next) = toks.get(i + 1)
            && i + 1 < first
            && NEGATION_PAIRS.contains(&(w, next.norm.as_str()))
        {
            return true;
        }
    }
    false
}

#[cfg(all(test, feature = "embedded"))]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn matcher() -> &'static Matcher {
        static M: OnceLock<Matcher> = OnceLock::new();
        M.get_or_init(|| Matcher::new(&Vocabulary::embedded().expect("the committed layer parses")))
    }

    fn names(text: &str) -> Vec<String> {
        matcher()
            .find(text)
            .into_iter()
            .map(|m| format!("{}{}", if m.negated { "!" } else { "" }, m.name))
            .collect()
    }

    #[test]
    fn longest_match_wins() {
        assert_eq!(
            names("treatment of type 2 diabetes mellitus in adults"),
            ["type 2 diabetes mellitus"]
        );
        assert_eq!(
            names("Psoriatic arthritis in adults"),
            ["psoriatic arthritis"]
        );
    }

    #[test]
    fn spelling_and_plural_variants() {
        assert_eq!(names("oesophageal cancer"), names("esophageal cancer"));
        assert!(!names("iron deficiency anaemia").is_empty());
        assert_eq!(names("Crohn's disease"), ["Crohn's disease"]);
    }

    #[test]
    fn ordinary_words_need_context() {
        assert!(names("AA meetings on Tuesday").is_empty());
        assert!(names("I wrote it in MS Word").is_empty());
        assert!(names("it is cold outside").is_empty());
        assert!(names("hearing aids").is_empty());
    }

    #[test]
    fn negation_in_clause() {
        assert_eq!(
            names("not indicated for the treatment of rheumatoid arthritis"),
            ["!rheumatoid arthritis"]
        );
        assert_eq!(
            names("for psoriasis but not for atopic dermatitis"),
            ["psoriasis", "!atopic dermatitis"]
        );
        assert_eq!(
            names("Not for migraine. Indicated for asthma."),
            ["!migraine", "asthma"]
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_valid_spans(text in "\\PC{0,120}") {
            let mut last_end = 0;
            for m in matcher().find(&text) {
                proptest::prop_assert!(m.start < m.end && m.end <= text.len());
                proptest::prop_assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
                proptest::prop_assert!(m.start >= last_end, "mentions overlap");
                last_end = m.end;
            }
        }
    }

    #[test]
    fn spanish_negation_and_british_spelling() {
        assert_eq!(
            names("sin leukaemia; tumour of the oesophagus"),
            names("sin leukemia; tumor of the esophagus")
        );
        assert!(names("sin psoriasis").iter().all(|n| n.starts_with('!')));
    }

    #[test]
    fn curated_abbreviations_need_context_and_case() {
        assert_eq!(names("patients with MS relapses"), ["multiple sclerosis"]);
        assert!(names("I wrote it in MS Word").is_empty());
        assert!(names("AA meetings on Tuesday").is_empty());
        assert_eq!(
            names("treatment of severe AA in adults"),
            ["alopecia areata"]
        );
        assert!(names("ms of text").is_empty());
        assert_eq!(names("patients with IBD"), ["inflammatory bowel disease"]);
    }

    #[test]
    fn every_curated_abbreviation_names_a_live_term() {
        let v = Vocabulary::embedded().expect("the committed layer parses");
        for line in data_lines(ABBREVIATIONS) {
            let id = line.split_whitespace().nth(1).unwrap_or("");
            assert!(v.get(id).is_some(), "data/abbreviations.txt: {line}");
        }
    }

    #[test]
    fn derived_variants() {
        assert_eq!(
            names("Type III hyperlipoproteinemia"),
            ["hyperlipoproteinemia type III"]
        );
        assert_eq!(
            names("in non insulin dependent diabetes"),
            ["type 2 diabetes mellitus"]
        );
        assert_eq!(names("skin disorders"), ["skin disease"]);
        assert_eq!(names("Renal diseases"), ["kidney disease"]);
        assert_eq!(names("Dermatologic diseases"), ["skin disease"]);
        assert_eq!(
            names("Cardiovascular Disease"),
            ["cardiovascular system disease"]
        );
    }

    #[test]
    fn brand_suffixes_species_and_punctuation() {
        assert!(
            names("Asacol HD is indicated for the treatment of colitis")
                .iter()
                .all(|n| n != "Huntington's disease")
        );
        assert!(
            names("Propionibacterium acnes infections")
                .iter()
                .all(|n| n != "acne")
        );
        assert_eq!(
            names("patients with Schizophrenia, 13 to 17 years of age"),
            ["schizophrenia"]
        );
        assert!(
            names("patients with HD and chorea")
                .iter()
                .any(|n| n == "Huntington's disease")
        );
    }

    #[test]
    fn modifiers_and_organisms_are_not_diseases() {
        assert!(names("emetogenic cancer chemotherapy").is_empty());
        assert_eq!(
            names("Klinefelter syndrome, chemotherapy, or toxic damage"),
            ["Klinefelter syndrome"]
        );
        assert!(
            names("infections caused by Chlamydia trachomatis")
                .iter()
                .all(|n| n != "chlamydia")
        );
        assert!(
            names("BECAUSE OF POTENTIAL TOXICITY SUCH AS MALIGNANCY")
                .iter()
                .all(|n| n != "aortic valve stenosis")
        );
    }

    /// The names read as indications.
    fn indications(text: &str) -> Vec<String> {
        matcher()
            .find(text)
            .into_iter()
            .filter(|m| m.role == Role::Indication)
            .map(|m| m.name)
            .collect()
    }

    #[test]
    fn roles_tell_indications_from_other_mentions() {
        assert_eq!(
            indications(
                "Indicated for the treatment of schizophrenia. Because of the risk of agranulocytosis, reserve it for refractory patients."
            ),
            ["schizophrenia"]
        );
        assert_eq!(
            indications(
                "Indicated to reduce the risk of stroke in patients with atrial fibrillation."
            ),
            ["stroke", "atrial fibrillation"]
        );
        assert_eq!(
            indications(
                "Treatment of hypertension. Limitations of Use: Safety in patients with pancreatitis is unknown. Monitor for anemia."
            ),
            ["hypertension"]
        );
        assert_eq!(
            indications("Use in patients with asthma has not been established."),
            Vec::<String>::new()
        );
        assert!(indications("not indicated for the treatment of rheumatoid arthritis").is_empty());
    }

    #[test]
    fn spans_point_into_the_text() {
        let text = "Adults with Hodgkin's lymphoma.";
        let m = matcher().find(text);
        assert_eq!(m.len(), 1);
        assert_eq!(&text[m[0].start..m[0].end], "Hodgkin's lymphoma");
    }
}
