//! Regulators' indication text, read: split into separate indications, and the population each
//! states read into fields.
//!
//! Pure text: no I/O, no pack, no vocabulary. [`split`] (or [`split_with_names`] when the
//! medicine's names are known) cuts a text into [`Clause`]s whose ranges point into the text, so
//! a quote is always the regulator's exact words. [`read_population`] reads one clause: age
//! bounds, body weight, severity, line of therapy, regimen, qualifiers and exclusions; what it
//! cannot interpret stays in [`Reading::unread`] and makes the reading not full, so a consumer
//! never reads a population broader than written.

mod population;
mod split;

pub use population::{Reading, read_population, read_population_with_names};
pub use split::{Clause, split, split_with_names};

/// Reads the population of a [`Clause`] of `text`: its lead, if any, its quote and the
/// sentences shared by every clause.
pub fn read_clause(text: &str, clause: &Clause) -> Reading {
    read_clause_with_names(text, clause, &[])
}

/// Like [`read_clause`], with the medicine's names treated as read.
///
/// A heading that names patients ("Paediatric patients 3 years of age and older", "Adults")
/// bounds the clause too: its ages are intersected with the clause's.
pub fn read_clause_with_names(text: &str, clause: &Clause, names: &[&str]) -> Reading {
    let shared = clause.shared_texts(text);
    let mut reading = if shared.is_empty() {
        read_population_with_names(clause.lead_text(text), clause.quote_text(text), names)
    } else {
        let whole = format!("{} {}", clause.quote_text(text), shared.join(" "));
        read_population_with_names(clause.lead_text(text), &whole, names)
    };
    if let Some(h) = clause.heading_text(text) {
        let from_heading = read_population(None, h).population;
        let p = &mut reading.population;
        p.min_age_months = match (p.min_age_months, from_heading.min_age_months) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        p.max_age_months = match (p.max_age_months, from_heading.max_age_months) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if p.age_groups.is_empty() {
            p.age_groups = from_heading.age_groups;
        }
    }
    reading
}
