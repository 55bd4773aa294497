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
pub mod browse;
pub mod check;
pub mod codes;
mod cues;
mod drugname;
mod eu;
mod history_flags;
pub mod lexicon;
mod outside;
pub mod patient;
pub mod question;
pub mod reason;
pub mod recognise;
pub mod review;
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
        "the question is empty: write a question about a medicine and a condition, e.g. \"Is MEDICINE approved for CONDITION?\""
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
    /// The layers' name words for report drug names, built on the first name resolved.
    drug_names: drugname::DrugNameIndex,
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
            drug_names: drugname::DrugNameIndex::default(),
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

    /// Compares the curated authorisations with the regulator layers (EMA table,
    /// Drugs@FDA, FDA labels): every disagreement with both values and both sources, for
    /// `offlabel pack check`. The curated records still win in every answer.
    pub fn review_layers(&self) -> Result<review::LayerReview, review::ReviewError> {
        review::review(self)
    }

    /// Runs the patient check.
    pub fn check(&self, request: &CheckRequest) -> Result<CheckReport, CheckError> {
        check::run(self, request)
    }

    /// The medicine a drug name as written on a report stands for ("OLUMIANT 4MG TAB"
    /// → `baricitinib`, "DUPIXENT" → `dupilumab`), from the names alone: the curated
    /// lexicon first, then the EMA's and the FDA's layers; strengths, dose forms and
    /// salts are left aside and misspellings corrected within the lexicon's edit limits
    /// (see `drugname.rs`). `None` when no name of the pack or its layers matches. The
    /// question parser is not run.
    pub fn resolve_drug_name(&self, name: &str) -> Option<String> {
        drugname::Resolver {
            pack: &self.full,
            lexicon: &self.lexicon,
            eu: &self.eu,
            us: &self.us,
            index: &self.drug_names,
        }
        .resolve(name)
    }
}
