//! The parser alone: what a text names, with where each name stands.
//!
//! `offlabel recognise --batch` prints one [`Recognition`] per input line, for
//! benchmarks against other recognisers and for debugging the parser; no status,
//! evidence or answer is computed.

use crate::lexicon::{Lexicon, Term};
use crate::outside::VocabularyIndex;
use crate::question::{self, Question};
use crate::text::tokenize;
use offlabel_pack::Pack;
use serde::Serialize;

/// One name found in the text.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Mention {
    /// What kind of name: `medicine`, `ingredient`, `condition`, `class`, `route` or
    /// `foreign_medicine` (a medicine the pack does not hold).
    pub kind: &'static str,
    /// The pack id it resolves to (the ingredient for `ingredient`, the name itself
    /// for a foreign medicine, the route for `route`); empty for `class`.
    pub id: String,
    /// The words as matched, after spelling correction.
    pub matched: String,
    /// Byte offset of the first character in the text.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
    /// Whether spelling correction was needed.
    pub corrected: bool,
}

/// What the parser read in one text.
#[derive(Debug, Clone, Serialize)]
pub struct Recognition {
    /// Every name found, in text order.
    pub mentions: Vec<Mention>,
    /// The parser's reading: the subject medicine and condition, places, patient
    /// findings, intents and language.
    pub question: Question,
}

/// Recognises the names in `text` and parses it as a question.
pub(crate) fn recognise(
    pack: &Pack,
    lexicon: &Lexicon,
    vocabulary: &VocabularyIndex,
    text: &str,
) -> Recognition {
    let tokens = tokenize(text);
    let mentions = lexicon
        .scan(&tokens, text)
        .into_iter()
        .filter_map(|hit| {
            // Chinese names are found in the raw text, not among the tokens.
            let (start, end) = match (
                tokens.get(hit.start),
                tokens.get(hit.start + hit.len.max(1) - 1),
            ) {
                (Some(first), Some(last)) if hit.start < tokens.len() => (first.start, last.end),
                _ => {
                    let at = text.find(hit.text.as_str())?;
                    (at, at + hit.text.len())
                }
            };
            let (kind, id) = match &hit.term {
                Term::Medicine(id) => ("medicine", id.clone()),
                Term::Ingredient(id) => ("ingredient", id.clone()),
                Term::Condition(id) => ("condition", id.clone()),
                Term::Route(r) => ("route", r.as_str().to_string()),
                Term::Class(id) => ("class", id.clone()),
                Term::Foreign(name) => ("foreign_medicine", name.clone()),
            };
            Some(Mention {
                kind,
                id,
                matched: hit.text,
                start,
                end,
                corrected: hit.corrected,
            })
        })
        .collect();
    Recognition {
        mentions,
        question: question::parse(pack, lexicon, vocabulary, text),
    }
}
