//! Drug keys: the name a drug row is counted under, and how many rows found a medicine.
//!
//! The caller passes a resolver (a name as written → a medicine id, or `None`); through
//! `offlabel` it is `Engine::resolve_drug_name`. A row's key is the resolver's answer for
//! its verbatim `drugname`, else for its `prod_ai` (FDA's active-ingredient field), else
//! the trimmed, lower-case `prod_ai`, or `drugname` when `prod_ai` is empty (the crate
//! README's "Drug keys").

use rustc_hash::FxHashMap;
use serde::Serialize;

/// The key of a name no resolver knows: trimmed and in lower case, the ingredient when
/// given, else the name.
pub fn fallback_key(ingredient: &str, name: &str) -> String {
    let text = if ingredient.trim().is_empty() {
        name
    } else {
        ingredient
    };
    text.trim().to_lowercase()
}

/// One drug name no resolver knew, with the rows that carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmapped {
    /// The name as written (trimmed, upper case), or `prod_ai` when the name is empty.
    pub name: String,
    /// Drug rows with that name.
    pub rows: u64,
}

/// How the drug rows of an import mapped to medicines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MappingSummary {
    /// Drug rows imported.
    pub drug_rows: u64,
    /// Rows counted under a medicine id (from `drugname`, else `prod_ai`).
    pub mapped: u64,
    /// Rows whose verbatim `drugname` alone resolves.
    pub mapped_by_name: u64,
    /// Rows where FDA filled `prod_ai` (its own harmonisation; the legacy layout has none).
    pub with_prod_ai: u64,
    /// Rows whose `prod_ai` resolves.
    pub prod_ai_mapped: u64,
    /// Rows where `drugname` and `prod_ai` both resolve, to the same medicine.
    pub name_agrees_with_prod_ai: u64,
    /// Rows where both resolve, to different medicines (a combination named by one
    /// ingredient, or a brand of another salt).
    pub name_differs_from_prod_ai: u64,
    /// Rows kept under their written name (no medicine found).
    pub unmapped: u64,
    /// The most frequent unmapped names, most rows first.
    pub top_unmapped: Vec<Unmapped>,
}

/// Maps drug rows to keys, resolving each distinct text once, and counts the outcome.
pub struct DrugMapper<'a> {
    resolve: &'a mut dyn FnMut(&str) -> Option<String>,
    cache: FxHashMap<String, Option<String>>,
    summary: MappingSummary,
    unmapped: FxHashMap<String, u64>,
}

impl std::fmt::Debug for DrugMapper<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DrugMapper")
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

impl<'a> DrugMapper<'a> {
    /// A mapper over `resolve`.
    pub fn new(resolve: &'a mut dyn FnMut(&str) -> Option<String>) -> Self {
        DrugMapper {
            resolve,
            cache: FxHashMap::default(),
            summary: MappingSummary::default(),
            unmapped: FxHashMap::default(),
        }
    }

    fn lookup(&mut self, text: &str) -> Option<String> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        if let Some(hit) = self.cache.get(text) {
            return hit.clone();
        }
        let hit = (self.resolve)(text);
        self.cache.insert(text.to_owned(), hit.clone());
        hit
    }

    /// The key of one drug row, counted in the summary.
    pub fn key(&mut self, prod_ai: &str, drugname: &str) -> String {
        let s = &mut self.summary;
        s.drug_rows += 1;
        let by_name = self.lookup(drugname);
        let by_ai = self.lookup(prod_ai);
        let s = &mut self.summary;
        if !prod_ai.trim().is_empty() {
            s.with_prod_ai += 1;
        }
        if by_name.is_some() {
            s.mapped_by_name += 1;
        }
        if by_ai.is_some() {
            s.prod_ai_mapped += 1;
        }
        match (&by_name, &by_ai) {
            (Some(n), Some(a)) if n == a => s.name_agrees_with_prod_ai += 1,
            (Some(_), Some(_)) => s.name_differs_from_prod_ai += 1,
            _ => {}
        }
        match by_name.or(by_ai) {
            Some(id) => {
                s.mapped += 1;
                id
            }
            None => {
                s.unmapped += 1;
                let shown = if drugname.trim().is_empty() {
                    prod_ai
                } else {
                    drugname
                };
                *self
                    .unmapped
                    .entry(shown.trim().to_uppercase())
                    .or_default() += 1;
                fallback_key(prod_ai, drugname)
            }
        }
    }

    /// The summary, with the `top` most frequent unmapped names (ties by name).
    pub fn summary(&self, top: usize) -> MappingSummary {
        let mut names: Vec<Unmapped> = self
            .unmapped
            .iter()
            .map(|(name, &rows)| Unmapped {
                name: name.clone(),
                rows,
            })
            .collect();
        names.sort_by(|a, b| b.rows.cmp(&a.rows).then_with(|| a.name.cmp(&b.name)));
        names.truncate(top);
        MappingSummary {
            top_unmapped: names,
            ..self.summary.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_counts() {
        let mut resolve = |t: &str| match t.to_ascii_lowercase().as_str() {
            "olumiant 4mg" | "baricitinib" => Some("baricitinib".to_owned()),
            "tofacitinib citrate" => Some("tofacitinib".to_owned()),
            "acme combo" => Some("acme".to_owned()),
            _ => None,
        };
        let mut m = DrugMapper::new(&mut resolve);
        assert_eq!(m.key("BARICITINIB", "OLUMIANT 4MG"), "baricitinib");
        assert_eq!(m.key("TOFACITINIB CITRATE", "XELJ"), "tofacitinib");
        assert_eq!(m.key("", "Aspirin "), "aspirin");
        assert_eq!(m.key("METHOTREXATE SODIUM", "FOO"), "methotrexate sodium");
        assert_eq!(m.key("baricitinib", "acme combo"), "acme");
        assert_eq!(m.key("", "aspirin"), "aspirin");
        let s = m.summary(1);
        assert_eq!(
            (
                s.drug_rows,
                s.mapped,
                s.mapped_by_name,
                s.with_prod_ai,
                s.prod_ai_mapped
            ),
            (6, 3, 2, 4, 3)
        );
        assert_eq!(
            (s.name_agrees_with_prod_ai, s.name_differs_from_prod_ai),
            (1, 1)
        );
        assert_eq!(s.unmapped, 3);
        assert_eq!(
            s.top_unmapped,
            [Unmapped {
                name: "ASPIRIN".into(),
                rows: 2
            }]
        );
    }
}
