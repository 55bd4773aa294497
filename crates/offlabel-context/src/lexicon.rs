//! The trigger lexicon: parsed from the embedded TSV files once.

use crate::token::tokenize;
use crate::{Category, Direction};
use std::collections::HashMap;

/// One token of a lexicon phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pattern {
    Literal(String),
    /// Any number.
    Number,
    /// A year, 1900 to 2099.
    Year,
}

impl Pattern {
    pub(crate) fn matches(&self, norm: &str) -> bool {
        match self {
            Pattern::Literal(s) => s == norm,
            Pattern::Number => norm.starts_with(|c: char| c.is_ascii_digit()),
            Pattern::Year => {
                norm.len() == 4
                    && norm.bytes().all(|b| b.is_ascii_digit())
                    && (norm.starts_with("19") || norm.starts_with("20"))
            }
        }
    }
}

/// What a lexicon row does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A trigger of this category, pointing this way.
    Trigger(Category, Direction),
    /// Looks like a trigger, is not one.
    Pseudo,
    /// Ends the scope of every category (`None`) or of one.
    Terminate(Option<Category>),
}

/// One row of the lexicon.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) tokens: Vec<Pattern>,
    pub(crate) role: Role,
}

/// Every row, indexed by its first token (rows starting with a pattern under "").
#[derive(Debug, Default)]
pub(crate) struct Lexicon {
    by_first: HashMap<String, Vec<Entry>>,
    by_pattern: Vec<Entry>,
}

/// A row the lexicon files cannot hold: a bug in the shipped data, caught by a unit test
/// (which alone reads the fields).
#[derive(Debug)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct BadRow {
    pub(crate) file: &'static str,
    pub(crate) line: usize,
    pub(crate) reason: String,
}

fn category(name: &str) -> Option<Category> {
    Some(match name {
        "negated" => Category::Negated,
        "possible" => Category::Possible,
        "historical" => Category::Historical,
        "hypothetical" => Category::Hypothetical,
        "other" => Category::Other,
        "family" => Category::Family,
        _ => return None,
    })
}

impl Lexicon {
    /// Parses the files; rows that cannot be read are returned beside the lexicon.
    pub(crate) fn parse(files: &[(&'static str, &str)]) -> (Lexicon, Vec<BadRow>) {
        let mut lexicon = Lexicon::default();
        let mut bad = Vec::new();
        for (file, text) in files {
            for (n, line) in text.lines().enumerate() {
                if line.trim().is_empty() || line.starts_with('#') {
                    continue;
                }
                match parse_row(line) {
                    Ok(entry) => lexicon.add(entry),
                    Err(reason) => bad.push(BadRow {
                        file,
                        line: n + 1,
                        reason,
                    }),
                }
            }
        }
        for entries in lexicon.by_first.values_mut() {
            entries.sort_by_key(|e| std::cmp::Reverse(e.tokens.len()));
        }
        lexicon
            .by_pattern
            .sort_by_key(|e| std::cmp::Reverse(e.tokens.len()));
        (lexicon, bad)
    }

    fn add(&mut self, entry: Entry) {
        match entry.tokens.first() {
            Some(Pattern::Literal(first)) => {
                self.by_first.entry(first.clone()).or_default().push(entry)
            }
            Some(_) => self.by_pattern.push(entry),
            None => {}
        }
    }

    /// The longest row that matches the tokens starting at `at`, with its length.
    pub(crate) fn longest<'a>(&'a self, norms: &[&str], at: usize) -> Option<&'a Entry> {
        let first = norms.get(at)?;
        let fits = |e: &&Entry| {
            e.tokens.len() <= norms.len() - at
                && e.tokens.iter().zip(&norms[at..]).all(|(p, n)| p.matches(n))
        };
        let literal = self
            .by_first
            .get(*first)
            .and_then(|entries| entries.iter().find(fits));
        let pattern = self.by_pattern.iter().find(fits);
        match (literal, pattern) {
            (Some(a), Some(b)) if b.tokens.len() > a.tokens.len() => Some(b),
            (Some(a), _) => Some(a),
            (None, b) => b,
        }
    }

    /// Every termination row that matches the tokens starting at `at`: terminations
    /// are matched on their own, so "I" ends a spouse's scope even inside "I had".
    pub(crate) fn terminations<'a>(
        &'a self,
        norms: &'a [&str],
        at: usize,
    ) -> impl Iterator<Item = &'a Entry> + 'a {
        let fits = move |e: &&Entry| {
            matches!(e.role, Role::Terminate(_))
                && e.tokens.len() <= norms.len() - at
                && e.tokens.iter().zip(&norms[at..]).all(|(p, n)| p.matches(n))
        };
        norms
            .get(at)
            .and_then(|first| self.by_first.get(*first))
            .into_iter()
            .flatten()
            .chain(self.by_pattern.iter())
            .filter(fits)
    }

    /// Number of rows.
    pub(crate) fn len(&self) -> usize {
        self.by_first.values().map(Vec::len).sum::<usize>() + self.by_pattern.len()
    }
}

fn parse_row(line: &str) -> Result<Entry, String> {
    let cols: Vec<&str> = line.split('\t').collect();
    let [phrase, cat, direction, _source] = cols.as_slice() else {
        return Err(format!(
            "expected 4 tab-separated columns (phrase, category, direction, source), found {}",
            cols.len()
        ));
    };
    let tokens: Vec<Pattern> = phrase
        .split_whitespace()
        .flat_map(|word| match word {
            "<num>" => vec![Pattern::Number],
            "<year>" => vec![Pattern::Year],
            w => tokenize(w)
                .into_iter()
                .map(|t| Pattern::Literal(t.norm))
                .collect(),
        })
        .collect();
    if tokens.is_empty() {
        return Err("the phrase is empty".into());
    }
    let role = match (*cat, *direction) {
        ("pseudo", "-") => Role::Pseudo,
        ("terminate", "-") => Role::Terminate(None),
        (c, "-") if c.starts_with("terminate:") => {
            let name = &c["terminate:".len()..];
            Role::Terminate(Some(
                category(name)
                    .ok_or_else(|| format!("unknown category {name:?} after terminate:"))?,
            ))
        }
        (c, d) => {
            let category = category(c).ok_or_else(|| {
                format!("unknown category {c:?}: use negated, possible, historical, hypothetical, other, family, pseudo or terminate[:CATEGORY]")
            })?;
            let direction = match d {
                "forward" => Direction::Forward,
                "backward" => Direction::Backward,
                "both" => Direction::Both,
                _ => {
                    return Err(format!(
                        "unknown direction {d:?}: use forward, backward or both"
                    ));
                }
            };
            Role::Trigger(category, direction)
        }
    };
    Ok(Entry { tokens, role })
}
