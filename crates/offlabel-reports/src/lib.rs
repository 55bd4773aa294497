//! Adverse-reaction reports: validated intake and a durable store.
//!
//! A report follows the ICH E2B(R3) minimum criteria — an identifiable reporter
//! (qualification, country), an identifiable patient (age, sex or initials), at least
//! one suspect medicine and at least one reaction — plus onset, seriousness, outcome and
//! narrative. [`parse_report`] turns JSON into a [`NewReport`] or refuses it with one
//! [`FieldError`] per missing or invalid field; free-text drug names are resolved to
//! pack medicine ids through a [`DrugResolver`] (the answer engine implements it) and
//! kept verbatim beside the id.
//!
//! [`store::open`] gives a [`Store`]: SQLite (embedded default, WAL, synchronous
//! commits) or PostgreSQL (`postgres://…`), with the same schema and versioned
//! migrations. [`Store::insert`] returns only after the transaction commits, and an
//! idempotency key (the client's, or a hash of the content) makes retries safe.
//!
//! Privacy: the patient is identified only by age, sex and initials; this crate logs
//! nothing; [`export::export`] can leave free text out.
//!
//! The crate knows no HTTP and no terminal.

pub mod country;
pub mod date;
pub mod export;
pub mod model;
pub mod store;
pub mod validate;

pub use model::{
    Criterion, Drug, NewReport, Outcome, Patient, Qualification, Reaction, Report, ReportSummary,
    Reporter, Role, Sex, StoredDrug, StoredReport,
};
pub use store::{Inserted, Store, StoreError};
pub use validate::{
    DrugResolver, FieldError, MAX_REPORT_BYTES, ReportError, parse_report, parse_report_on,
};
