//! The vocabulary the question parser recognises: every name of every medicine and
//! condition in the pack, plus the fixed cue words of the engine.
//!
//! Built once per pack. Matching is greedy longest-phrase over tokens; a word that
//! matches nothing and is not an ordinary word is compared with the vocabulary's
//! words by edit distance, so misspellings resolve without false hits on common words.

use crate::cues;
use crate::text::{Token, edit_distance, fold, phrase_words};
use offlabel_model::Route;
use offlabel_pack::Pack;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// What a phrase names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Term {
    /// A medicine id of the pack.
    Medicine(String),
    /// An ingredient that has several routes in the pack (`ruxolitinib`).
    Ingredient(String),
    /// A condition id of the pack.
    Condition(String),
    /// A route cue (`cream`, `tablets`).
    Route(Route),
    /// A medicine class of the pack as a whole, by class id.
    Class(String),
    /// A medicine the pack does not cover, by its usual name.
    Foreign(String),
}

/// A phrase found in a question.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// What it names.
    pub term: Term,
    /// First token index.
    pub start: usize,
    /// Number of tokens.
    pub len: usize,
    /// The words as matched (after spelling correction).
    pub text: String,
    /// Whether spelling correction was needed.
    pub corrected: bool,
    /// Whether it matched a short case-sensitive abbreviation ("AA", "HS").
    pub abbreviation: bool,
}

/// The recognised vocabulary of one pack.
#[derive(Debug, Clone)]
pub struct Lexicon {
    /// First word → phrases starting with it (words, term), longest first.
    phrases: HashMap<String, Vec<(Vec<String>, Term)>>,
    /// Case-sensitive short abbreviations (raw text → term).
    abbreviations: HashMap<String, Term>,
    /// Words that may be spelling targets (collected while building, then indexed).
    vocabulary: Vec<String>,
    /// The spelling targets, indexed for correction.
    speller: Speller,
    /// Words that occur in the vocabulary (fast exact check).
    known_words: HashSet<String>,
    /// Ordinary words that are never corrected.
    common: HashSet<&'static str>,
    /// Chinese names (substring match on the raw question).
    cjk: Vec<(String, Term)>,
    /// Normalised route cue words.
    topical_cues: HashSet<&'static str>,
    oral_cues: HashSet<&'static str>,
}

fn words(key: &str) -> HashSet<&'static str> {
    cues::list("lexicon", key)
        .iter()
        .map(String::as_str)
        .collect()
}

impl Lexicon {
    /// Builds the lexicon of a pack.
    pub fn new(pack: &Pack) -> Lexicon {
        let mut lex = Lexicon {
            phrases: HashMap::default(),
            abbreviations: HashMap::default(),
            vocabulary: Vec::new(),
            speller: Speller::default(),
            known_words: HashSet::default(),
            common: words("common_words"),
            cjk: Vec::new(),
            topical_cues: words("topical"),
            oral_cues: words("oral"),
        };
        let mut ingredient_routes: HashMap<&str, usize> = HashMap::default();
        for m in &pack.medicines {
            *ingredient_routes.entry(m.ingredient.as_str()).or_default() += 1;
        }
        for m in &pack.medicines {
            let term = Term::Medicine(m.id.clone());
            if ingredient_routes
                .get(m.ingredient.as_str())
                .copied()
                .unwrap_or(0)
                > 1
            {
                lex.add(&m.ingredient, Term::Ingredient(m.ingredient.clone()), true);
            } else {
                lex.add(&m.ingredient, term.clone(), true);
            }
            lex.add(&m.name, term.clone(), false);
            for a in &m.aliases {
                lex.add(a, term.clone(), false);
            }
            for p in &m.products {
                lex.add(&p.brand, term.clone(), true);
            }
        }
        for c in &pack.conditions {
            let term = Term::Condition(c.id.clone());
            lex.add(&c.name, term.clone(), false);
            for s in c.synonyms.iter().chain(&c.lay_terms).chain(&c.es) {
                lex.add(s, term.clone(), false);
            }
            for z in &c.zh {
                lex.cjk.push((z.clone(), term.clone()));
            }
            for a in &c.abbreviations {
                if a.chars().count() <= 3 {
                    lex.abbreviations.insert(a.clone(), term.clone());
                } else {
                    lex.add(a, term.clone(), false);
                }
            }
        }
        for class in &pack.classes {
            for p in &class.names {
                lex.add(p, Term::Class(class.id.clone()), false);
            }
        }
        for f in cues::cue_list!("lexicon", "foreign_medicines") {
            lex.add(f, Term::Foreign(f.clone()), false);
        }
        for phrases in lex.phrases.values_mut() {
            phrases.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        }
        lex.speller = Speller::new(std::mem::take(&mut lex.vocabulary));
        lex
    }

    /// Whether a normalised word is a name of the lexicon (or part of one).
    pub(crate) fn knows_word(&self, word: &str) -> bool {
        self.known_words.contains(word)
    }

    /// Whether a normalised word is an ordinary word, never corrected.
    pub(crate) fn is_common(&self, word: &str) -> bool {
        self.common.contains(word)
    }

    fn add(&mut self, phrase: &str, term: Term, spelling_target: bool) {
        if phrase.chars().any(crate::text::is_cjk) {
            self.cjk.push((phrase.to_string(), term));
            return;
        }
        let words = phrase_words(phrase);
        let Some(first) = words.first().cloned() else {
            return;
        };
        for w in &words {
            self.known_words.insert(w.clone());
            if (spelling_target || words.len() == 1 || w.len() >= 7)
                && w.len() >= 5
                && w.chars().all(char::is_alphabetic)
            {
                self.vocabulary.push(w.clone());
            }
        }
        let entry = self.phrases.entry(first).or_default();
        if !entry.iter().any(|(w, t)| *w == words && *t == term) {
            entry.push((words, term));
        }
    }

    /// Whether a normalised word is a route cue.
    pub fn route_cue(&self, word: &str) -> Option<Route> {
        if self.topical_cues.contains(word) {
            Some(Route::Topical)
        } else if self.oral_cues.contains(word) {
            Some(Route::Oral)
        } else {
            None
        }
    }

    /// Corrects a misspelt word to a vocabulary word, if exactly one is close enough.
    fn correct(&self, word: &str) -> Option<&str> {
        if self.common.contains(word) || self.known_words.contains(word) {
            return None;
        }
        self.speller.correct(word)
    }

    /// Finds every medicine, condition, class and foreign-medicine phrase in the tokens,
    /// plus Chinese names in the raw text.
    pub fn scan(&self, tokens: &[Token], raw: &str) -> Vec<Hit> {
        let mut words: Vec<String> = Vec::with_capacity(tokens.len());
        let mut corrected = vec![false; tokens.len()];
        for (i, t) in tokens.iter().enumerate() {
            match self.correct(&t.norm) {
                Some(fixed) => {
                    words.push(fixed.to_string());
                    corrected[i] = true;
                }
                None => words.push(t.norm.clone()),
            }
        }
        let mut hits = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let mut matched = 0;
            if let Some(candidates) = self.phrases.get(&words[i]) {
                for (phrase, term) in candidates {
                    if words.len() - i >= phrase.len() && words[i..i + phrase.len()] == phrase[..] {
                        hits.push(Hit {
                            term: term.clone(),
                            start: i,
                            len: phrase.len(),
                            text: phrase.join(" "),
                            corrected: corrected[i..i + phrase.len()].iter().any(|c| *c),
                            abbreviation: false,
                        });
                        matched = phrase.len();
                        break;
                    }
                }
            }
            if matched == 0 {
                if let Some(term) = self.abbreviations.get(&tokens[i].raw) {
                    let is_medicine = |k: usize| {
                        words.get(k).is_some_and(|w| {
                            self.phrases.get(w).is_some_and(|c| {
                                c.iter().any(|(p, t)| {
                                    p.len() == 1
                                        && matches!(t, Term::Medicine(_) | Term::Ingredient(_))
                                })
                            })
                        })
                    };
                    if abbreviation_in_context(tokens, i, is_medicine) {
                        hits.push(Hit {
                            term: term.clone(),
                            start: i,
                            len: 1,
                            text: tokens[i].raw.clone(),
                            corrected: false,
                            abbreviation: true,
                        });
                    }
                } else if words[i].len() >= 6
                    && !self.known_words.contains(&words[i])
                    && cues::cue_list!("lexicon", "inn_suffixes")
                        .iter()
                        .any(|s| words[i].ends_with(s.as_str()))
                {
                    hits.push(Hit {
                        term: Term::Foreign(words[i].clone()),
                        start: i,
                        len: 1,
                        text: words[i].clone(),
                        corrected: false,
                        abbreviation: false,
                    });
                }
            }
            i += matched.max(1);
        }
        if raw.chars().any(crate::text::is_cjk) {
            let folded = fold(raw);
            let mut taken: Vec<(usize, usize)> = Vec::new();
            let mut cjk: Vec<&(String, Term)> = self.cjk.iter().collect();
            cjk.sort_by_key(|(name, _)| std::cmp::Reverse(name.chars().count()));
            for (name, term) in cjk {
                if let Some(pos) = folded.find(name.as_str()) {
                    let end = pos + name.len();
                    if taken.iter().any(|&(s, e)| pos < e && s < end) {
                        continue;
                    }
                    taken.push((pos, end));
                    hits.push(Hit {
                        term: term.clone(),
                        start: tokens.len() + pos,
                        len: 1,
                        text: name.clone(),
                        corrected: false,
                        abbreviation: false,
                    });
                }
            }
        }
        hits
    }
}

/// Spelling correction over a fixed list of words: a word of five letters or more
/// becomes the one vocabulary word within one edit (two from eight letters on) that
/// starts with the same sound, when exactly one is nearest. The caller decides which
/// words are never corrected (ordinary words, words it already knows).
#[derive(Debug, Clone, Default)]
pub(crate) struct Speller {
    /// The spelling targets, sorted and deduplicated.
    vocabulary: Vec<String>,
    /// (first byte, byte length) → positions in `vocabulary`: a correction only
    /// compares words that could be within its edit limit, not the whole vocabulary.
    buckets: HashMap<(u8, usize), Vec<u32>>,
}

impl Speller {
    /// Indexes the spelling targets.
    pub(crate) fn new(mut vocabulary: Vec<String>) -> Speller {
        vocabulary.retain(|v| !v.is_empty());
        vocabulary.sort();
        vocabulary.dedup();
        let mut buckets: HashMap<(u8, usize), Vec<u32>> = HashMap::default();
        for (i, v) in vocabulary.iter().enumerate() {
            let at = u32::try_from(i).unwrap_or(u32::MAX);
            buckets
                .entry((v.as_bytes()[0], v.len()))
                .or_default()
                .push(at);
        }
        Speller {
            vocabulary,
            buckets,
        }
    }

    /// The vocabulary words whose first byte sounds like `first` and whose length
    /// is within `limit` of `len`: the only words a correction can reach.
    fn candidates(&self, first: u8, len: usize, limit: usize) -> Vec<&str> {
        let firsts: &[u8] = match first {
            b'x' | b'z' => b"xz",
            b'c' | b'k' => b"ck",
            _ => std::slice::from_ref(&first),
        };
        let mut out = Vec::new();
        for &f in firsts {
            for l in len.saturating_sub(limit)..=len + limit {
                if let Some(at) = self.buckets.get(&(f, l)) {
                    out.extend(at.iter().filter_map(|&i| self.vocabulary.get(i as usize)));
                }
            }
        }
        out.into_iter().map(String::as_str).collect()
    }

    /// The vocabulary word a misspelt word stands for, if exactly one is nearest and
    /// close enough; `None` for short or non-alphabetic words.
    pub(crate) fn correct(&self, word: &str) -> Option<&str> {
        self.correct_within(word, 2)
    }

    /// [`correct`](Self::correct) with at most `max_edits` edits (the usual limit is
    /// one edit below eight letters, two from eight on; a larger vocabulary calls for
    /// a tighter limit).
    pub(crate) fn correct_within(&self, word: &str, max_edits: usize) -> Option<&str> {
        let len = word.chars().count();
        if len < 5 || !word.chars().all(char::is_alphabetic) {
            return None;
        }
        let limit = (if len >= 8 { 2 } else { 1 }).min(max_edits);
        let mut best: Option<(&str, usize)> = None;
        let mut tie = false;
        // Misspellings nearly always keep the first letter, or swap one that sounds
        // the same ("zeljanz", "kibinqo"); the result does not depend on the order
        // the candidates come in (the nearest word, unless two tie).
        for v in self.candidates(word.as_bytes()[0], word.len(), limit) {
            debug_assert!(same_sound(v.as_bytes()[0], word.as_bytes()[0]));
            if let Some(d) = edit_distance(word, v, limit) {
                match best {
                    Some((_, bd)) if d > bd => {}
                    Some((bw, bd)) if d == bd => tie |= bw != v,
                    _ => {
                        best = Some((v, d));
                        tie = false;
                    }
                }
            }
        }
        match best {
            Some((w, _)) if !tie => Some(w),
            _ => None,
        }
    }
}

/// Whether two first letters may stand for each other in a misspelling.
fn same_sound(a: u8, b: u8) -> bool {
    a == b
        || matches!(
            (a, b),
            (b'x' | b'z', b'x' | b'z') | (b'c' | b'k', b'c' | b'k')
        )
}

/// Whether a short abbreviation at token `i` reads as a condition where it stands.
///
/// Two-letter capitals are everyday words too ("AA meetings", "HS exams", "a DM", "my
/// BP is high", "approved in NL"), so one counts only when its neighbours say it names
/// a disease: a medicine named beside it ("Rinvoq AD"), a word that introduces a
/// disease before it ("for AA", "severe HS", "my AD", "con DA"), or after it the end
/// of the clause, a clinical noun or a joining word ("AA patients", "HS and acne",
/// "AD?"). A country code after "in" is a place. Longer abbreviations (NSV, JDM) are
/// not everyday words and always count.
fn abbreviation_in_context(
    tokens: &[Token],
    i: usize,
    is_medicine: impl Fn(usize) -> bool,
) -> bool {
    let raw = tokens[i].raw.as_str();
    if raw.chars().count() > 2 {
        return true;
    }
    let word = |k: usize| tokens.get(k).map(|t| t.norm.as_str());
    let in_list = |k: usize, key: &str| {
        word(k).is_some_and(|w| cues::list("lexicon", key).iter().any(|c| c == w))
    };
    let clause = tokens[i].clause;
    let same_clause = |k: usize| tokens.get(k).is_some_and(|t| t.clause == clause);
    let before = i.checked_sub(1).filter(|&k| same_clause(k));
    let after = Some(i + 1).filter(|&k| same_clause(k));
    let is_place = ["eu_upper", "us_upper", "other_upper"]
        .iter()
        .any(|key| cues::list("places", key).iter().any(|c| c == raw));
    if is_place && before.is_some_and(|k| matches!(word(k), Some("in" | "en" | "from" | "de"))) {
        return false;
    }
    let everyday = cues::cue_list!("lexicon", "abbreviation_everyday")
        .iter()
        .any(|c| c == raw);
    let clinical_after = after.is_some_and(|k| in_list(k, "abbreviation_after"));
    if everyday {
        // "for AA", "AA patients", "baricitinib AA" at the end; not "my AA group",
        // "by DM", "price in GA", "high BP".
        return before.is_some_and(|k| in_list(k, "abbreviation_strict_before"))
            || clinical_after
            || (after.is_none() && before.is_some_and(&is_medicine));
    }
    before.is_some_and(|k| {
        is_medicine(k) || in_list(k, "abbreviation_before") || in_list(k, "abbreviation_possessive")
    }) || after.is_none_or(|k| is_medicine(k) || in_list(k, "abbreviation_after"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    fn terms(lex: &Lexicon, q: &str) -> Vec<Term> {
        lex.scan(&tokenize(q), q)
            .into_iter()
            .map(|h| h.term)
            .collect()
    }

    fn lexicon() -> Lexicon {
        Lexicon::new(&offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}")))
    }

    #[test]
    fn brands_generics_and_misspellings() {
        let lex = lexicon();
        assert_eq!(
            terms(&lex, "opzulera for psorasis"),
            [
                Term::Medicine("ruxolitinib-topical".into()),
                Term::Condition("psoriasis".into())
            ]
        );
        assert_eq!(
            terms(&lex, "rinvok"),
            [Term::Medicine("upadacitinib".into())]
        );
        assert_eq!(
            terms(&lex, "Olumiant"),
            [Term::Medicine("baricitinib".into())]
        );
        assert_eq!(
            terms(&lex, "ruxolitinib"),
            [Term::Ingredient("ruxolitinib".into())]
        );
    }

    #[test]
    fn ordinary_words_are_not_corrected() {
        let lex = lexicon();
        assert!(terms(&lex, "Can I use this cream while travelling with friends?").is_empty());
        assert!(terms(&lex, "hello world").is_empty());
    }

    #[test]
    fn abbreviations_are_case_sensitive() {
        let lex = lexicon();
        assert_eq!(
            terms(&lex, "baricitinib for AA"),
            [
                Term::Medicine("baricitinib".into()),
                Term::Condition("alopecia-areata".into())
            ]
        );
        assert_eq!(terms(&lex, "aa"), []);
    }

    #[test]
    fn chinese_names() {
        let lex = lexicon();
        assert_eq!(
            terms(&lex, "芦可替尼乳膏 银屑病"),
            [
                Term::Medicine("ruxolitinib-topical".into()),
                Term::Condition("psoriasis".into())
            ]
        );
    }

    #[test]
    fn foreign_medicines() {
        let lex = lexicon();
        assert_eq!(
            terms(&lex, "dupilumab for eczema"),
            [
                Term::Foreign("dupilumab".into()),
                Term::Condition("atopic-dermatitis".into())
            ]
        );
        assert_eq!(
            terms(&lex, "nemolizumab"),
            [Term::Foreign("nemolizumab".into())]
        );
    }
}
