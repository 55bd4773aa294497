//! ConText for offlabel: whether a finding named in a text is negated, uncertain, in the
//! past, hypothetical, or about someone other than the patient.
//!
//! The algorithm is ConText (Harkema, Dowling, Thornblade, Chapman 2009, "ConText: an
//! algorithm for determining negation, experiencer, and temporal status from clinical
//! reports", J Biomed Inform 42:839–851), the successor of NegEx: trigger terms carry a
//! category and a direction; a trigger's scope runs from the trigger toward the end (or the
//! start) of its sentence and stops early at a termination term; pseudo-triggers ("not
//! only", "no increase") are matched like triggers so that the trigger words inside them
//! are not. The lexicon is data (`data/context-en.tsv`, `data/context-es.tsv`, English and
//! Spanish matched together), embedded and parsed once.
//!
//! ```
//! let text = "My husband smokes, I never have. I had a PE in 2019.";
//! let ctx = offlabel_context::Context::get();
//! let smokes = offlabel_context::find(text, "smokes").unwrap();
//! assert_eq!(ctx.assess(text, smokes).experiencer, offlabel_context::Experiencer::Other);
//! let pe = offlabel_context::find(text, "PE").unwrap();
//! assert_eq!(ctx.assess(text, pe).temporality, offlabel_context::Temporality::Historical);
//! ```

mod lexicon;
pub mod token;

use lexicon::{Lexicon, Role};
use serde::Serialize;
use std::ops::Range;
use std::sync::LazyLock;
use token::{Token, tokenize};

/// What a trigger says about the findings in its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// The finding is absent ("no", "denies", "sin").
    Negated,
    /// The finding is uncertain ("possible", "rule out", "quizás").
    Possible,
    /// The finding is in the past ("history of", "quit", "antecedentes de").
    Historical,
    /// The finding may arise or is only asked about ("if", "risk of", "en caso de").
    Hypothetical,
    /// The finding belongs to someone else, not a relative ("my husband", "mi pareja").
    Other,
    /// The finding belongs to a relative: someone else, and a family history.
    Family,
}

/// Which way a trigger's scope runs from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Toward the end of the sentence.
    Forward,
    /// Toward the start of the sentence.
    Backward,
    /// Both ways.
    Both,
}

/// When the finding holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Temporality {
    /// Now (the default).
    Recent,
    /// In the past.
    Historical,
    /// Only possibly, in the future or in a question ("if I get pregnant").
    Hypothetical,
}

/// Whom the finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Experiencer {
    /// The patient (the default).
    Patient,
    /// Someone else.
    Other,
}

/// A trigger that reaches the finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trigger {
    /// Its category.
    pub category: Category,
    /// Its direction.
    pub direction: Direction,
    /// Its bytes in the text.
    pub span: Range<usize>,
}

/// The context of one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// A negation trigger reaches the finding.
    pub negated: bool,
    /// An uncertainty trigger reaches the finding.
    pub uncertain: bool,
    /// Hypothetical if a hypothetical trigger reaches it, else historical if a historical
    /// one does, else recent.
    pub temporality: Temporality,
    /// Other if an other-person or relative trigger reaches it.
    pub experiencer: Experiencer,
    /// A relative's trigger reaches it ("family history of", "her mother").
    pub family_history: bool,
    /// Every trigger that reaches the finding, in text order, so a reader (or the
    /// engine, comparing it with the question's subject) sees why.
    pub triggers: Vec<Trigger>,
}

impl Assessment {
    /// No trigger reached the finding: affirmed, recent, about the patient.
    pub fn plain() -> Assessment {
        Assessment {
            negated: false,
            uncertain: false,
            temporality: Temporality::Recent,
            experiencer: Experiencer::Patient,
            family_history: false,
            triggers: Vec::new(),
        }
    }

    /// The finding is asserted about the patient now: not negated, uncertain,
    /// hypothetical or someone else's (historical findings count: a past clot is a risk).
    pub fn holds_for_patient(&self) -> bool {
        !self.negated
            && !self.uncertain
            && self.temporality != Temporality::Hypothetical
            && self.experiencer == Experiencer::Patient
    }
}

/// How many words a scope may span at most, past its trigger. Clinical lists ("denies
/// fever, chills, nausea, vomiting or diarrhea") need a long reach; patient questions
/// rely on clause ends.
const WINDOW: usize = 12;

/// The lexicon files, in the order they are read.
const FILES: [(&str, &str); 2] = [
    (
        "data/context-en.tsv",
        include_str!("../data/context-en.tsv"),
    ),
    (
        "data/context-es.tsv",
        include_str!("../data/context-es.tsv"),
    ),
];

static CONTEXT: LazyLock<Context> = LazyLock::new(|| {
    // A bad row is a bug in the shipped data; the unit test `lexicon_rows_all_parse`
    // catches it, so here the readable rows are kept.
    let (lexicon, _bad) = Lexicon::parse(&FILES);
    Context { lexicon }
});

/// The ConText matcher with the embedded lexicon.
#[derive(Debug)]
pub struct Context {
    lexicon: Lexicon,
}

/// A matched lexicon phrase in a prepared text.
#[derive(Debug, Clone)]
struct Match {
    /// Token range.
    tokens: Range<usize>,
    role: Role,
}

/// A text tokenized and matched against the lexicon once, to assess many findings in it.
#[derive(Debug)]
pub struct Prepared {
    tokens: Vec<Token>,
    matches: Vec<Match>,
}

impl Context {
    /// The shared matcher (the lexicon is parsed on first use).
    pub fn get() -> &'static Context {
        &CONTEXT
    }

    /// Number of lexicon rows (triggers, pseudo-triggers and termination terms).
    pub fn len(&self) -> usize {
        self.lexicon.len()
    }

    /// Whether the lexicon is empty (never, for the embedded one).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The context of the finding at bytes `target` of `text`. A range past the end or
    /// inside a character is clamped, never a panic.
    pub fn assess(&self, text: &str, target: Range<usize>) -> Assessment {
        self.prepare(text).assess(target)
    }

    /// Tokenizes and matches `text` once; then assess each finding with
    /// [`Prepared::assess`] or, with token indices, [`Prepared::assess_tokens`].
    pub fn prepare(&self, text: &str) -> Prepared {
        let tokens = tokenize(text);
        let norms: Vec<&str> = tokens.iter().map(|t| t.norm.as_str()).collect();
        let mut matches = Vec::new();
        for at in 0..norms.len() {
            for entry in self.lexicon.terminations(&norms, at) {
                matches.push(Match {
                    tokens: at..at + entry.tokens.len(),
                    role: entry.role,
                });
            }
        }
        let mut at = 0;
        while at < norms.len() {
            match self.lexicon.longest(&norms, at) {
                Some(entry) => {
                    let end = at + entry.tokens.len();
                    if !matches!(entry.role, Role::Terminate(_)) {
                        matches.push(Match {
                            tokens: at..end,
                            role: entry.role,
                        });
                    }
                    at = end;
                }
                None => at += 1,
            }
        }
        Prepared { tokens, matches }
    }
}

impl Prepared {
    /// The tokens of the text, for callers that assess by token index.
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// The context of the finding at bytes `target` (clamped to the text).
    pub fn assess(&self, target: Range<usize>) -> Assessment {
        let overlapping: Vec<usize> = self
            .tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| t.span.start < target.end && t.span.end > target.start)
            .map(|(i, _)| i)
            .collect();
        let range = match (overlapping.first(), overlapping.last()) {
            (Some(&first), Some(&last)) => first..last + 1,
            // An empty or blank target: the position where it stands.
            _ => {
                let at = self
                    .tokens
                    .iter()
                    .position(|t| t.span.start >= target.start)
                    .unwrap_or(self.tokens.len());
                at..at
            }
        };
        self.assess_tokens(range)
    }

    /// The context of the finding made of tokens `target` (indices into
    /// [`Prepared::tokens`]; clamped).
    pub fn assess_tokens(&self, target: Range<usize>) -> Assessment {
        let n = self.tokens.len();
        let first = target.start.min(n);
        let end = target.end.clamp(first, n);
        let mut assessment = Assessment::plain();
        if n == 0 {
            return assessment;
        }
        // The sentence around the finding.
        let sentence_start = self.tokens[..first]
            .iter()
            .rposition(Token::is_boundary)
            .map_or(0, |i| i + 1);
        let sentence_end = self.tokens[end..]
            .iter()
            .position(Token::is_boundary)
            .map_or(n, |i| end + i);
        let in_sentence = |m: &&Match| {
            m.tokens.start >= sentence_start
                && m.tokens.end <= sentence_end
                && (m.tokens.end <= first || m.tokens.start >= end.max(first + 1))
        };
        let matches: Vec<&Match> = self.matches.iter().filter(in_sentence).collect();
        // A finding written with its own time word ("chronically elevated platelets",
        // "psychiatric history", "previous MI") is dated by it: a historical trigger
        // wholly inside the finding counts. Other categories inside a finding name
        // ("non-segmental") are part of the name, not a negation.
        let inside_historical = self.matches.iter().any(|m| {
            m.tokens.start >= first
                && m.tokens.end <= end
                && matches!(m.role, Role::Trigger(Category::Historical, _))
        });
        let ends_scope = |between: Range<usize>, category: Category| {
            matches.iter().any(|m| {
                m.tokens.start >= between.start
                    && m.tokens.end <= between.end
                    && match m.role {
                        Role::Terminate(None) => true,
                        Role::Terminate(Some(c)) => c == category,
                        _ => false,
                    }
            })
        };
        let words = |between: Range<usize>| {
            self.tokens[between.start..between.end.max(between.start)]
                .iter()
                .filter(|t| t.is_word())
                .count()
        };
        let mut reached = Vec::new();
        for m in &matches {
            let Role::Trigger(category, direction) = m.role else {
                continue;
            };
            let before = m.tokens.end <= first;
            let reaches = if before {
                matches!(direction, Direction::Forward | Direction::Both)
                    && !ends_scope(m.tokens.end..first, category)
                    && words(m.tokens.end..first) <= WINDOW
            } else {
                matches!(direction, Direction::Backward | Direction::Both)
                    && !ends_scope(end..m.tokens.start, category)
                    && words(end..m.tokens.start) <= WINDOW
            };
            if reaches {
                reached.push((category, direction, m.tokens.clone()));
            }
        }
        if inside_historical && assessment.temporality == Temporality::Recent {
            assessment.temporality = Temporality::Historical;
        }
        for (category, direction, tokens) in reached {
            match category {
                Category::Negated => assessment.negated = true,
                Category::Possible => assessment.uncertain = true,
                Category::Historical => {
                    if assessment.temporality == Temporality::Recent {
                        assessment.temporality = Temporality::Historical;
                    }
                }
                Category::Hypothetical => assessment.temporality = Temporality::Hypothetical,
                Category::Other => assessment.experiencer = Experiencer::Other,
                // A family history is the relative's past (ConText reads it so too).
                Category::Family => {
                    assessment.experiencer = Experiencer::Other;
                    assessment.family_history = true;
                    if assessment.temporality == Temporality::Recent {
                        assessment.temporality = Temporality::Historical;
                    }
                }
            }
            let span = self.tokens[tokens.start].span.start..self.tokens[tokens.end - 1].span.end;
            assessment.triggers.push(Trigger {
                category,
                direction,
                span,
            });
        }
        assessment
    }
}

/// The context of the finding at bytes `target` of `text`, with the embedded lexicon.
pub fn assess(text: &str, target: Range<usize>) -> Assessment {
    Context::get().assess(text, target)
}

/// Where `phrase` first occurs in `text` as whole tokens, compared without case, accents
/// or spacing differences. An occurrence written in capitals in a text that is not all
/// capitals is preferred (the NegEx/ConText test sets mark the finding so), then one
/// written exactly as `phrase`; otherwise the first.
pub fn find(text: &str, phrase: &str) -> Option<Range<usize>> {
    let needle = tokenize(phrase);
    if needle.is_empty() {
        return None;
    }
    let hay = tokenize(text);
    let occurrences: Vec<Range<usize>> = (0..hay.len().saturating_sub(needle.len() - 1))
        .filter(|&i| needle.iter().zip(&hay[i..]).all(|(a, b)| a.norm == b.norm))
        .map(|i| hay[i].span.start..hay[i + needle.len() - 1].span.end)
        .collect();
    let written = |r: &Range<usize>| text.get(r.clone()).unwrap_or_default();
    let squeeze = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let exact = occurrences
        .iter()
        .find(|r| squeeze(written(r)) == squeeze(phrase));
    let capitals = || {
        let text_has_lower = text.chars().any(char::is_lowercase);
        occurrences.iter().find(|r| {
            let w = written(r);
            text_has_lower
                && w.chars().any(char::is_alphabetic)
                && !w.chars().any(char::is_lowercase)
        })
    };
    capitals()
        .or(exact)
        .or_else(|| occurrences.first())
        .cloned()
}

/// Like [`find`], but when `phrase` is not written whole in `text` (a target that runs
/// past the sentence it was cut from, or was cut short), the longest run of its words
/// that is written there, preferring one in capitals; `None` when no word of it occurs.
pub fn locate(text: &str, phrase: &str) -> Option<Range<usize>> {
    if let Some(r) = find(text, phrase) {
        return Some(r);
    }
    let words = tokenize(phrase);
    let n = words.len();
    // Longest runs first; a run must hold a word (not only punctuation).
    for len in (1..n).rev() {
        let mut found: Vec<Range<usize>> = Vec::new();
        for start in 0..=n - len {
            let run = &words[start..start + len];
            if !run.iter().any(Token::is_word) {
                continue;
            }
            let Some(sub) = phrase.get(run[0].span.start..run[len - 1].span.end) else {
                continue;
            };
            if let Some(r) = find(text, sub) {
                found.push(r);
            }
        }
        let capital = found.iter().find(|r| {
            text.get((*r).clone())
                .is_some_and(|w| !w.chars().any(char::is_lowercase))
        });
        if let Some(r) = capital.or(found.first()) {
            return Some(r.clone());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicon_rows_all_parse() {
        let (lexicon, bad) = Lexicon::parse(&FILES);
        for b in &bad {
            eprintln!("{}:{}: {}", b.file, b.line, b.reason);
        }
        assert!(bad.is_empty(), "{} unreadable lexicon rows", bad.len());
        assert!(lexicon.len() > 500);
    }

    #[test]
    fn find_prefers_the_marked_occurrence() {
        let text = "hypertension in the family; patient has HYPERTENSION.";
        let r = find(text, "hypertension").expect("the marked occurrence is found");
        assert_eq!(&text[r], "HYPERTENSION");
        assert_eq!(
            find("Bowel   distention here", "bowel distention"),
            Some(0..18)
        );
        assert_eq!(find("no such thing", "psoriasis"), None);
        assert_eq!(find("anything", ""), None);
    }

    proptest::proptest! {
        #[test]
        fn any_text_and_range_is_assessed(text in "\\PC{0,200}", a in 0usize..260, b in 0usize..260) {
            let _ = Context::get().assess(&text, a..b);
            if let Some(r) = locate(&text, &text[..text.len() / 2 - (0..4).find(|k| text.is_char_boundary(text.len() / 2 - k)).unwrap_or(0)]) {
                proptest::prop_assert!(text.get(r).is_some());
            }
        }
    }

    #[test]
    fn patient_questions() {
        let ctx = Context::get();
        let at = |text: &str, target: &str| {
            ctx.assess(text, find(text, target).expect("the target is in the text"))
        };
        assert!(at("I quit smoking in 2020", "smoking").temporality == Temporality::Historical);
        assert!(!at("I quit smoking in 2020", "smoking").negated);
        assert!(at("nothing on my face", "face").negated);
        assert!(at("family history of DVT", "DVT").family_history);
        assert!(at("mi marido fuma", "fuma").experiencer == Experiencer::Other);
        assert!(at("no tengo trombosis", "trombosis").negated);
        assert!(at("our 18-month-old has eczema", "eczema").temporality == Temporality::Recent);
        assert!(at("if I get pregnant", "pregnant").temporality == Temporality::Hypothetical);
    }

    #[test]
    fn out_of_range_targets_are_clamped() {
        let ctx = Context::get();
        let text = "No fever é";
        let _ = ctx.assess(text, 9..10);
        let _ = ctx.assess(text, 50..70);
        #[allow(clippy::reversed_empty_ranges)]
        let _ = ctx.assess(text, 5..2);
        let _ = ctx.assess("", 0..3);
        #[allow(clippy::reversed_empty_ranges)]
        let _ = ctx.prepare(text).assess_tokens(7..1);
    }
}
