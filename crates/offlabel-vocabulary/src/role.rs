//! Whether a condition named in an indication text is what the medicine is for.
//!
//! A label's indication section names more conditions than it indicates: hazards ("risk of
//! agranulocytosis"), populations left out ("has not been studied in patients with…"),
//! conditions to exclude first, limitations of use, trial and diagnosis descriptions. The reader
//! marks each mention `indication` or `other` from cue phrases around it, kept as data
//! (`data/roles.txt`, one commented row per cue). The default is `indication`: the text is an
//! indication section, and a cue is needed to read a mention as something else.
//!
//! Scopes: an `other` cue reaches forward to the end of its sentence, an `other-before` cue
//! back to its start; an `indication` cue ("indicated") between the cue and the mention ends
//! the reach (so "because of the risk of agranulocytosis, it is indicated for …" reads the
//! later mentions as indications). "treatment of" is no cue, so "has not been studied for the
//! treatment of X" stays other. A `neutral` cue only keeps its words from being read as a
//! shorter cue ("reduce the risk of stroke" is no hazard). A `section-other` cue ("Limitations
//! of Use") reaches over sentence ends, up to the next indication cue. Causes ("due to",
//! "caused by") are no cue: labels indicate the cause too ("angina due to coronary artery
//! spasm").

use crate::normalise::{Token, normalise_phrase};
use serde::Serialize;
use std::collections::HashMap;

/// The cue rows: `KIND phrase # why`.
const ROLES: &str = include_str!("../data/roles.txt");

/// How a mention stands in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The text names the condition as something the medicine is for.
    Indication,
    /// The text names it for another reason: a hazard, an excluded or unstudied population,
    /// a limitation of use, a trial or a diagnosis described, a negated indication.
    Other,
}

/// What a cue does to the mentions in its reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cue {
    /// Opens an indication scope; ends every `other` reach it stands in.
    Indication,
    /// Does nothing but hold its words, so no shorter cue inside it is read ("reduce the
    /// risk of" holds "risk of"; "see Clinical Studies" is a cross-reference).
    Neutral,
    /// Later mentions of its sentence are other.
    Other,
    /// Earlier mentions of its sentence are other.
    OtherBefore,
    /// Every other mention of its sentence, before or after it, is other.
    OtherBoth,
    /// Later mentions, over sentence ends, up to the next indication cue, are other.
    SectionOther,
}

/// The cue phrases, indexed by their first normalised word.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cues {
    by_first: HashMap<String, Vec<(Vec<String>, Cue)>>,
}

/// A cue found in a text: its token range and kind.
#[derive(Debug, Clone, Copy)]
struct Found {
    first: usize,
    last: usize,
    cue: Cue,
}

impl Cues {
    /// Parses `data/roles.txt`. A row with an unknown kind is a bug of the shipped data,
    /// caught by the unit test `every_role_row_parses`; here it is skipped.
    pub(crate) fn embedded() -> Cues {
        let mut by_first: HashMap<String, Vec<(Vec<String>, Cue)>> = HashMap::new();
        for (kind, phrase) in rows() {
            let Some(cue) = kind else { continue };
            let words: Vec<String> = normalise_phrase(phrase)
                .split(' ')
                .map(String::from)
                .collect();
            if let Some(first) = words.first().filter(|w| !w.is_empty()) {
                by_first
                    .entry(first.clone())
                    .or_default()
                    .push((words, cue));
            }
        }
        // Longest phrase first, so "reduce the risk of" wins over "risk".
        for list in by_first.values_mut() {
            list.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
        }
        Cues { by_first }
    }

    /// The cues of a text, left to right; a word belongs to one cue (the longest starting
    /// first). The names of HTML tags (`<i>`, `</b>`) are skipped: labels are read with
    /// their markup, and "See </i> <i> Clinical Studies" is still one phrase.
    fn scan(&self, text: &str, toks: &[Token]) -> Vec<Found> {
        let words: Vec<usize> = (0..toks.len())
            .filter(|&i| {
                let before = text[..toks[i].start].trim_end_matches('/');
                !before.ends_with('<')
            })
            .collect();
        let mut out = Vec::new();
        let mut at = 0;
        while at < words.len() {
            let hit = self.by_first.get(&toks[words[at]].norm).and_then(|list| {
                list.iter().find(|(phrase, _)| {
                    words.len() - at >= phrase.len()
                        && phrase
                            .iter()
                            .zip(&words[at..])
                            .all(|(w, &t)| *w == toks[t].norm)
                })
            });
            match hit {
                Some((phrase, cue)) => {
                    out.push(Found {
                        first: words[at],
                        last: words[at + phrase.len() - 1],
                        cue: *cue,
                    });
                    at += phrase.len();
                }
                None => at += 1,
            }
        }
        out
    }

    /// The role of each mention (`(first token, last token)`, in text order) of `text`,
    /// whose tokens and sentence numbers are given.
    pub(crate) fn roles(
        &self,
        text: &str,
        toks: &[Token],
        sentence: &[usize],
        mentions: &[(usize, usize)],
    ) -> Vec<Role> {
        let found = self.scan(text, toks);
        mentions
            .iter()
            .map(|&(first, last)| {
                if other_reach(&found, sentence, first, last) {
                    Role::Other
                } else {
                    Role::Indication
                }
            })
            .collect()
    }
}

/// Whether an `other` cue reaches the mention at tokens `first..=last`.
fn other_reach(found: &[Found], sentence: &[usize], first: usize, last: usize) -> bool {
    // Before the mention: the nearest cue decides, within the sentence (or over sentence
    // ends for a section cue).
    for f in found.iter().rev().filter(|f| f.last < first) {
        match f.cue {
            Cue::Indication => break,
            Cue::SectionOther => return true,
            Cue::Other | Cue::OtherBoth if sentence[f.last] == sentence[first] => return true,
            Cue::Other | Cue::OtherBoth | Cue::OtherBefore | Cue::Neutral => {}
        }
    }
    // After it: an `other-before` cue of the same sentence with no indication cue between.
    for f in found.iter().filter(|f| f.first > last) {
        if sentence[f.first] != sentence[last] {
            break;
        }
        match f.cue {
            Cue::Indication => break,
            Cue::OtherBefore | Cue::OtherBoth => return true,
            Cue::Other | Cue::SectionOther | Cue::Neutral => {}
        }
    }
    false
}

/// The rows of the data file: kind (`None` when unknown) and phrase.
fn rows() -> impl Iterator<Item = (Option<Cue>, &'static str)> {
    ROLES
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (kind, phrase) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            let cue = match kind {
                "indication" => Some(Cue::Indication),
                "neutral" => Some(Cue::Neutral),
                "other" => Some(Cue::Other),
                "other-before" => Some(Cue::OtherBefore),
                "other-both" => Some(Cue::OtherBoth),
                "section-other" => Some(Cue::SectionOther),
                _ => None,
            };
            (cue, phrase.trim())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_row_parses() {
        let mut seen = std::collections::HashSet::new();
        for (cue, phrase) in rows() {
            assert!(cue.is_some(), "data/roles.txt: unknown kind in {phrase:?}");
            let norm = normalise_phrase(phrase);
            assert!(!norm.is_empty(), "empty phrase");
            // A phrase has one kind: a second row would never be read.
            assert!(seen.insert(norm), "data/roles.txt: {phrase:?} twice");
        }
    }
}
