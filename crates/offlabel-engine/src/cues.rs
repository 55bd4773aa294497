//! The parser's cue words, kept as data in `cues.toml` and parsed once.

use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Sections of `cues.toml`, each a map of list name → words or phrases.
type Sections = BTreeMap<String, BTreeMap<String, Vec<String>>>;

static CUES: LazyLock<Sections> = LazyLock::new(|| {
    // The file is compiled in and covered by `cue_lists_parse`, so a failure here is a
    // build defect, not bad input.
    toml::from_str(include_str!("cues.toml")).expect("cues.toml is valid TOML of string lists")
});

/// The list `key` of `section` (empty when absent; `cue_lists_parse` checks every name used).
pub fn list(section: &str, key: &str) -> &'static [String] {
    CUES.get(section)
        .and_then(|s| s.get(key))
        .map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cue_lists_parse() {
        for (section, key) in [
            ("intents", "approval"),
            ("intents", "dose"),
            ("intents", "side_effects"),
            ("intents", "screening"),
            ("patient", "pregnant"),
            ("patient", "negation"),
            ("places", "eu"),
            ("places", "us_upper"),
            ("language", "es"),
            ("lexicon", "common_words"),
            ("lexicon", "foreign_medicines"),
            ("lexicon", "inn_suffixes"),
        ] {
            assert!(!list(section, key).is_empty(), "{section}.{key}");
        }
    }
}
