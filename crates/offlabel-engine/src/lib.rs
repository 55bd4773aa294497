//! The offlabel answer engine.
//!
//! An [`Engine`] holds a validated [`Pack`] and the [`lexicon::Lexicon`] built from it.
//! [`Engine::ask`] turns a free-text question into the contract's [`answer::Answer`];
//! [`Engine::check`] runs the patient rules on a structured [`check::CheckRequest`].
//! Both share one rules engine ([`rules::check_patient`]): the question parser only
//! fills the [`patient::Patient`].
//!
//! The engine does no I/O and knows nothing of terminals or HTTP.

pub mod answer;
pub mod check;
pub mod codes;
mod cues;
mod eu;
mod history_flags;
pub mod lexicon;
mod outside;
pub mod patient;
pub mod question;
pub mod reason;
pub mod recognise;
pub mod rules;
pub mod text;
mod us;

pub use answer::Answer;
pub use check::{CheckError, CheckReport, CheckRequest};
pub use codes::{CodeReading, Coding, MedicineCode};
pub use offlabel_model::PartialDate;
pub use offlabel_pack::Pack;

/// Longest question accepted, in characters.
pub const MAX_QUESTION_CHARS: usize = 4096;

/// Why a question was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AskError {
    /// Nothing but white space.
    #[error(
        "the question is empty: write a question, e.g. \"Can I use Opzelura cream for psoriasis?\""
    )]
    Empty,
    /// Longer than [`MAX_QUESTION_CHARS`].
    #[error("the question is {0} characters long; the limit is 4096, so shorten it")]
    TooLong(usize),
}

/// The answer engine over one pack.
#[derive(Debug, Clone)]
pub struct Engine {
    /// Every record, superseded ones included.
    full: Pack,
    /// The records in force on the pack's own date (today's labels): what `ask`
    /// answers from when no other day is asked.
    current: Pack,
    lexicon: lexicon::Lexicon,
    /// The Disease Ontology layer, built on the first question that needs it.
    vocabulary: outside::VocabularyIndex,
    /// The EMA layer, parsed on the first question that needs it.
    eu: eu::EuIndex,
    /// The FDA layers (Drugs@FDA, labels), parsed on the first question that needs them.
    us: us::UsIndex,
}

impl Engine {
    /// Builds the engine (and its lexicon) for a pack.
    pub fn new(pack: Pack) -> Engine {
        let lexicon = lexicon::Lexicon::new(&pack);
        let current = pack.at(pack.meta.as_of);
        Engine {
            full: pack,
            current,
            lexicon,
            vocabulary: outside::VocabularyIndex::default(),
            eu: eu::EuIndex::default(),
            us: us::UsIndex::default(),
        }
    }

    /// The pack as it stands today (records in force on the pack's date): what every
    /// interface reasons and browses over unless it asks for another day.
    pub fn pack(&self) -> &Pack {
        &self.current
    }

    /// The whole pack, superseded records included (the history `--as-of` reads).
    pub fn history(&self) -> &Pack {
        &self.full
    }

    /// The lexicon built from the pack.
    pub fn lexicon(&self) -> &lexicon::Lexicon {
        &self.lexicon
    }

    /// Answers a question from today's records (those in force on the pack's date),
    /// saying in a line where a recent change to a label matters to the answer.
    pub fn ask(&self, question: &str) -> Result<Answer, AskError> {
        self.ask_as_of(question, None)
    }

    /// Answers a question as the regulators stood on `day` (contract v2 `--as-of`):
    /// records not yet in force are left out, records superseded since are used, and
    /// the answer's `as_of` is `day`. `None` is [`Engine::ask`].
    pub fn ask_as_of(&self, question: &str, day: Option<PartialDate>) -> Result<Answer, AskError> {
        if question.trim().is_empty() {
            return Err(AskError::Empty);
        }
        let chars = question.chars().count();
        if chars > MAX_QUESTION_CHARS {
            return Err(AskError::TooLong(chars));
        }
        let Some(day) = day else {
            return Ok(answer::answer(
                &self.current,
                &self.lexicon,
                &self.vocabulary,
                &self.eu,
                &self.us,
                question,
                answer::Era::Today { full: &self.full },
            ));
        };
        let then = self.full.at(day);
        Ok(answer::answer(
            &then,
            &self.lexicon,
            &self.vocabulary,
            &self.eu,
            &self.us,
            question,
            answer::Era::Past,
        ))
    }

    /// Parses a question without answering it.
    pub fn understand(&self, question: &str) -> question::Question {
        question::parse(&self.full, &self.lexicon, &self.vocabulary, question)
    }

    /// What a text names (medicines, conditions, places, patient findings, intents),
    /// with spans, without answering it.
    pub fn recognise(&self, text: &str) -> recognise::Recognition {
        recognise::recognise(&self.full, &self.lexicon, &self.vocabulary, text)
    }

    /// Runs the patient check.
    pub fn check(&self, request: &CheckRequest) -> Result<CheckReport, CheckError> {
        check::run(self, request)
    }

    /// The key a free-text drug name is counted under: the pack id of the medicine
    /// it names, else the trimmed, lower-case name.
    ///
    /// `name` (a product or brand name as written, e.g. `XELJANZ XR`) is tried first,
    /// then `ingredient` (the active ingredient, e.g. `TOFACITINIB CITRATE`), each
    /// through the question recogniser ([`Engine::understand`]). A match that fixes the
    /// route beats one whose route the recogniser had to assume (so a topical brand is
    /// not counted under the oral medicine of the same ingredient). Without a match the
    /// key is the ingredient, trimmed and in lower case, or the name when the
    /// ingredient is empty. Either argument may be empty; pass the same text twice to
    /// resolve a single name.
    pub fn medicine_key(&self, ingredient: &str, name: &str) -> String {
        let mut assumed: Option<String> = None;
        for text in [name, ingredient] {
            if text.trim().is_empty() {
                continue;
            }
            let q = self.understand(text);
            if let Some(id) = q.medicine {
                if !q.route_assumed {
                    return id;
                }
                assumed.get_or_insert(id);
            }
        }
        if let Some(id) = assumed {
            return id;
        }
        let fallback = if ingredient.trim().is_empty() {
            name
        } else {
            ingredient
        };
        fallback.trim().to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medicine_key_maps_pack_medicines() {
        let engine = Engine::new(offlabel_embedded::pack().expect("embedded pack"));
        assert_eq!(
            engine.medicine_key("BARICITINIB", "OLUMIANT"),
            "baricitinib"
        );
        assert_eq!(
            engine.medicine_key("TOFACITINIB CITRATE", "XELJANZ XR"),
            "tofacitinib"
        );
        assert_eq!(
            engine.medicine_key("METHOTREXATE SODIUM", "METHOTREXATE"),
            "methotrexate sodium"
        );
        assert_eq!(engine.medicine_key("", "  Aspirin "), "aspirin");
        assert_eq!(engine.medicine_key("Olumiant", "Olumiant"), "baricitinib");
    }
}
