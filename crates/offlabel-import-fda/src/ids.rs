//! Contract ids from the FDA's ingredient names: salts and hydrates folded by the word list in
//! `data/salts.txt`.

use std::collections::HashSet;
use std::sync::OnceLock;

const SALTS: &str = include_str!("../data/salts.txt");

fn salt_words() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        SALTS
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// Splits an ingredient list ("ACETAMINOPHEN; HYDROCODONE BITARTRATE") on `;` outside
/// parentheses, trimmed, empty parts dropped.
pub fn split_ingredients(list: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in list.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if c == ';' && depth == 0 {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// The contract id of one ingredient: salt and hydrate words folded off the end (while
/// another word remains), lowercased, every run of other characters a `-`.
pub fn ingredient_id(name: &str) -> String {
    let upper = name.to_uppercase();
    let mut words: Vec<&str> = upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let salts = salt_words();
    while words.len() > 1 && words.last().is_some_and(|w| salts.contains(w)) {
        words.pop();
    }
    words.join("-").to_lowercase()
}

/// The contract id of an ingredient list: each ingredient's id, joined by `-` in the list's
/// order; the same ingredient twice counts once.
pub fn medicine_id(list: &str) -> String {
    let mut ids: Vec<String> = Vec::new();
    for part in split_ingredients(list) {
        let id = ingredient_id(&part);
        if !id.is_empty() && !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salts_and_hydrates_fold() {
        assert_eq!(ingredient_id("TOFACITINIB CITRATE"), "tofacitinib");
        assert_eq!(ingredient_id("ATORVASTATIN CALCIUM"), "atorvastatin");
        assert_eq!(ingredient_id("METFORMIN HYDROCHLORIDE"), "metformin");
        assert_eq!(ingredient_id("AMOXICILLIN TRIHYDRATE"), "amoxicillin");
        assert_eq!(ingredient_id("IMATINIB MESYLATE"), "imatinib");
        assert_eq!(ingredient_id("DOXYCYCLINE HYCLATE"), "doxycycline");
        assert_eq!(
            ingredient_id("NALTREXONE HYDROCHLORIDE DIHYDRATE"),
            "naltrexone"
        );
    }

    #[test]
    fn ester_inns_and_lone_salts_stay() {
        assert_eq!(ingredient_id("FLUTICASONE FUROATE"), "fluticasone-furoate");
        assert_eq!(
            ingredient_id("OLMESARTAN MEDOXOMIL"),
            "olmesartan-medoxomil"
        );
        assert_eq!(
            ingredient_id("TENOFOVIR DISOPROXIL FUMARATE"),
            "tenofovir-disoproxil"
        );
        assert_eq!(ingredient_id("SODIUM CHLORIDE"), "sodium");
        assert_eq!(ingredient_id("SODIUM OXYBATE"), "sodium-oxybate");
        assert_eq!(ingredient_id("LITHIUM CARBONATE"), "lithium-carbonate");
    }

    #[test]
    fn combinations_join_in_order() {
        assert_eq!(
            medicine_id("ACETAMINOPHEN; HYDROCODONE BITARTRATE"),
            "acetaminophen-hydrocodone"
        );
        assert_eq!(
            medicine_id("FLUTICASONE FUROATE; VILANTEROL TRIFENATATE"),
            "fluticasone-furoate-vilanterol"
        );
        assert_eq!(
            split_ingredients("TRIPLE SULFA (SULFABENZAMIDE;SULFACETAMIDE;SULFATHIAZOLE)"),
            vec!["TRIPLE SULFA (SULFABENZAMIDE;SULFACETAMIDE;SULFATHIAZOLE)"]
        );
    }
}
