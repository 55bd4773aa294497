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
mod cues;
pub mod lexicon;
pub mod patient;
pub mod question;
pub mod reason;
pub mod rules;
pub mod text;

pub use answer::Answer;
pub use check::{CheckError, CheckReport, CheckRequest};
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
    pack: Pack,
    lexicon: lexicon::Lexicon,
}

impl Engine {
    /// Builds the engine (and its lexicon) for a pack.
    pub fn new(pack: Pack) -> Engine {
        let lexicon = lexicon::Lexicon::new(&pack);
        Engine { pack, lexicon }
    }

    /// The pack the engine reasons over.
    pub fn pack(&self) -> &Pack {
        &self.pack
    }

    /// The lexicon built from the pack.
    pub fn lexicon(&self) -> &lexicon::Lexicon {
        &self.lexicon
    }

    /// Answers a question.
    pub fn ask(&self, question: &str) -> Result<Answer, AskError> {
        if question.trim().is_empty() {
            return Err(AskError::Empty);
        }
        let chars = question.chars().count();
        if chars > MAX_QUESTION_CHARS {
            return Err(AskError::TooLong(chars));
        }
        Ok(answer::answer(&self.pack, &self.lexicon, question))
    }

    /// Parses a question without answering it.
    pub fn understand(&self, question: &str) -> question::Question {
        question::parse(&self.pack, &self.lexicon, question)
    }

    /// Runs the patient check.
    pub fn check(&self, request: &CheckRequest) -> Result<CheckReport, CheckError> {
        check::run(self, request)
    }
}
