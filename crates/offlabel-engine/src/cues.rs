//! The parser's cue words, kept as data in `cues.toml`, compiled once into matchers.
//!
//! A list `name` may come with `name_zh` (substrings for Chinese text) and
//! `name_exclude` (phrases that cancel it). [`scan`] finds every list's cues in a
//! question in one pass; callers then ask the [`Hits`] by [`ListId`].

use crate::text::Token;
use rustc_hash::FxHashMap as HashMap;
use std::sync::LazyLock;

/// Raw lists: section → list name → entries.
type Sections = HashMap<String, HashMap<String, Vec<String>>>;

static RAW: LazyLock<Sections> = LazyLock::new(|| {
    // The file is compiled in and covered by `cue_lists_parse`, so a failure here is a
    // build defect, not bad input.
    toml::from_str(include_str!("cues.toml")).expect("cues.toml is valid TOML of string lists")
});

/// Every cue phrase of every list, indexed by first word, so a question is scanned once.
struct Index {
    /// List id by "section.name".
    ids: HashMap<String, u16>,
    exact: HashMap<String, Vec<(u16, Vec<Word>)>>,
    prefixed: Vec<(u16, Vec<Word>)>,
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let mut index = Index {
        ids: HashMap::default(),
        exact: HashMap::default(),
        prefixed: Vec::new(),
    };
    let mut names: Vec<(&String, &String, &Vec<String>)> = RAW
        .iter()
        .flat_map(|(section, lists)| {
            lists
                .iter()
                .map(move |(name, entries)| (section, name, entries))
        })
        .collect();
    names.sort();
    for (id, (section, name, entries)) in names.into_iter().enumerate() {
        let id = u16::try_from(id).expect("fewer than 65536 cue lists");
        index.ids.insert(format!("{section}.{name}"), id);
        for e in entries {
            let words: Vec<Word> = e
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(|w| match w.strip_suffix('*') {
                    Some(p) => Word::Prefix(p.to_string()),
                    None => Word::Exact(w.to_string()),
                })
                .collect();
            match words.first() {
                Some(Word::Exact(first)) => index
                    .exact
                    .entry(first.clone())
                    .or_default()
                    .push((id, words)),
                Some(Word::Prefix(_)) => index.prefixed.push((id, words)),
                None => {}
            }
        }
    }
    index
});

/// One word of a cue: exact, or a prefix (written with a trailing `*`).
#[derive(Debug, Clone)]
enum Word {
    Exact(String),
    Prefix(String),
}

impl Word {
    fn matches(&self, token: &str) -> bool {
        match self {
            Word::Exact(w) => w == token,
            Word::Prefix(p) => token.starts_with(p.as_str()),
        }
    }
}

/// A cue list, by id (resolve names once with [`id`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListId(Option<u16>);

/// The id of list `name` in `section` (a list that does not exist matches nothing).
pub fn id(section: &str, name: &str) -> ListId {
    ListId(INDEX.ids.get(&format!("{section}.{name}")).copied())
}

/// Where each cue list matched in one question: (list, first token, length).
#[derive(Debug, Clone, Default)]
pub struct Hits(Vec<(u16, usize, usize)>);

/// Scans the tokens once for every cue of every list.
pub fn scan(tokens: &[Token]) -> Hits {
    let mut hits = Vec::new();
    let fits = |words: &[Word], i: usize| {
        words
            .iter()
            .enumerate()
            .all(|(k, w)| tokens.get(i + k).is_some_and(|t| w.matches(&t.norm)))
    };
    for (i, t) in tokens.iter().enumerate() {
        for (id, words) in INDEX.exact.get(t.norm.as_str()).into_iter().flatten() {
            if fits(words, i) {
                hits.push((*id, i, words.len()));
            }
        }
        for (id, words) in &INDEX.prefixed {
            if fits(words, i) {
                hits.push((*id, i, words.len()));
            }
        }
    }
    Hits(hits)
}

impl Hits {
    /// Token positions where the list matched.
    pub fn positions(&self, list: ListId) -> impl Iterator<Item = usize> + '_ {
        self.0
            .iter()
            .filter(move |h| Some(h.0) == list.0)
            .map(|h| h.1)
    }

    /// Whether the list matched anywhere.
    pub fn any(&self, list: ListId) -> bool {
        self.positions(list).next().is_some()
    }

    /// The first tokens of the matches of the list that span token `i`.
    pub fn covering(&self, list: ListId, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.0
            .iter()
            .filter(move |h| Some(h.0) == list.0 && h.1 <= i && i < h.1 + h.2)
            .map(|h| h.1)
    }

    /// The length of the longest match of the list starting at token `i`.
    pub fn at(&self, list: ListId, i: usize) -> Option<usize> {
        self.0
            .iter()
            .filter(|h| Some(h.0) == list.0 && h.1 == i)
            .map(|h| h.2)
            .max()
    }
}

/// The [`ListId`] of a list, resolved once per call site.
macro_rules! cue {
    ($section:literal, $name:expr) => {{
        static ID: std::sync::LazyLock<$crate::cues::ListId> =
            std::sync::LazyLock::new(|| $crate::cues::id($section, $name));
        *ID
    }};
}
pub(crate) use cue;

/// The raw list `key` of `section`, looked up once per call site.
macro_rules! cue_list {
    ($section:literal, $name:expr) => {{
        static LIST: std::sync::LazyLock<&'static [String]> =
            std::sync::LazyLock::new(|| $crate::cues::list($section, $name));
        *LIST
    }};
}
pub(crate) use cue_list;

/// The raw list `key` of `section`.
pub fn list(section: &str, key: &str) -> &'static [String] {
    RAW.get(section)
        .and_then(|s| s.get(key))
        .map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    #[test]
    fn cue_lists_parse() {
        for (section, key) in [
            ("intents", "approval"),
            ("intents", "dose"),
            ("intents", "side_effects"),
            ("intents", "screening"),
            ("intents", "mechanism_not"),
            ("patient", "pregnant"),
            ("patient", "pregnant_zh"),
            ("patient", "vte_exclude"),
            ("patient", "negation"),
            ("places", "eu"),
            ("places", "us_upper"),
            ("language", "es"),
            ("lexicon", "common_words"),
            ("lexicon", "foreign_medicines"),
            ("lexicon", "inn_suffixes"),
        ] {
            assert!(!list(section, key).is_empty(), "{section}.{key}");
            assert!(id(section, key).0.is_some());
        }
    }

    #[test]
    fn scan_finds_phrases_and_prefixes() {
        let pregnant = id("patient", "pregnant");
        assert!(scan(&tokenize("she is pregnant")).any(pregnant));
        assert!(scan(&tokenize("during pregnancy")).any(pregnant));
        let us = id("places", "us");
        assert_eq!(scan(&tokenize("in the united states")).at(us, 2), Some(2));
        assert!(!scan(&tokenize("nothing here")).any(pregnant));
    }

    #[test]
    fn covering_finds_the_phrases_over_a_token() {
        let exclude = id("patient", "vte_exclude");
        let hits = scan(&tokenize("does it raise the risk of blood clots"));
        // "risk of blood clots" starts at token 4 and spans 4..8.
        assert_eq!(hits.covering(exclude, 6).collect::<Vec<_>>(), [4]);
        assert_eq!(hits.covering(exclude, 3).count(), 0);
    }
}
