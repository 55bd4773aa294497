//! Drug names as written on adverse-event reports ("OLUMIANT 4MG TAB", "XELJANZ XR",
//! "RUXOLITINIB PHOSPHATE") → the medicine id they name, from the lexicon alone (no
//! question parsing).
//!
//! The order, most trusted first:
//! 1. the curated lexicon (`lexicon.rs`: names, brands, aliases, spelling correction); a
//!    name that fixes the medicine (a brand, or an ingredient with a route word) gives
//!    the curated id; an ingredient the pack holds in several routes, named without a
//!    route word, does not (the route would be a guess) and goes on to step 2;
//! 2. the regulators' layers (the EMA's INNs and product names, Drugs@FDA's ingredients
//!    and brands, the FDA labels' product names): the name's words without strengths
//!    (words starting with a digit) and without the dose-form and unit words of
//!    `drug_name_noise` (`cues.toml`), each word the layers do not know corrected by the
//!    lexicon's bounded-edit rule against the layers' words, at most one edit (the layers
//!    hold ten times the curated words, so two edits find wrong neighbours: "androgens"
//!    is not "androgel"), then the longest layer name at each word, left to right. Salts
//!    need no list: "tofacitinib citrate" finds "tofacitinib" and leaves "citrate"; a
//!    counter-ion that is a medicine alone (`drug_name_counter_ions`: "sodium",
//!    "potassium") counts only as the first word ("POTASSIUM CHLORIDE", not "FOLATE
//!    SODIUM"). Two or more substances named ("acetaminophen and codeine") give the
//!    combination's id when a layer holds it, else the first.
//!
//! A name none of these know gives `None`: the caller keeps it as written.

use crate::cues::cue_list;
use crate::eu::EuIndex;
use crate::lexicon::{Lexicon, Speller};
use crate::question;
use crate::text::tokenize;
use crate::us::UsIndex;
use offlabel_pack::Pack;
use rustc_hash::FxHashSet as HashSet;
use std::sync::{Arc, OnceLock};

/// The layers' name words, for spelling correction, built on the first name resolved.
#[derive(Clone, Default)]
pub struct DrugNameIndex {
    built: Arc<OnceLock<LayerWords>>,
}

impl std::fmt::Debug for DrugNameIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DrugNameIndex")
            .field("built", &self.built.get().is_some())
            .finish()
    }
}

struct LayerWords {
    /// Every word of every layer name.
    known: HashSet<String>,
    /// The words a misspelling may be corrected to.
    speller: Speller,
    /// The longest layer name, in words.
    longest: usize,
}

impl DrugNameIndex {
    fn get(&self, eu: &EuIndex, us: &UsIndex) -> &LayerWords {
        self.built.get_or_init(|| {
            let mut known: HashSet<String> = HashSet::default();
            let mut longest = 1;
            let mut add = |names: &mut dyn Iterator<Item = &str>, n: usize| {
                longest = longest.max(n);
                for name in names {
                    known.extend(name.split(' ').map(str::to_owned));
                }
            };
            if let Some(l) = eu.get() {
                add(&mut l.names().map(|(name, _)| name), l.longest_name());
            }
            if let Some(l) = us.get() {
                add(&mut l.names().map(|(name, _)| name), l.longest_name());
            }
            let targets = known
                .iter()
                .filter(|w| w.len() >= 5 && w.chars().all(char::is_alphabetic))
                .cloned()
                .collect();
            LayerWords {
                speller: Speller::new(targets),
                known,
                longest,
            }
        })
    }
}

/// The parts of the engine a name is resolved with.
pub(crate) struct Resolver<'a> {
    pub pack: &'a Pack,
    pub lexicon: &'a Lexicon,
    pub eu: &'a EuIndex,
    pub us: &'a UsIndex,
    pub index: &'a DrugNameIndex,
}

impl Resolver<'_> {
    /// The medicine id `name` stands for, or `None`.
    pub fn resolve(&self, name: &str) -> Option<String> {
        let tokens = tokenize(name);
        if tokens.is_empty() {
            return None;
        }
        let hits = self.lexicon.scan(&tokens, name);
        let route = question::route_cues(self.lexicon, &tokens);
        if let (Some(id), _, false) = question::resolve_medicine(self.pack, &hits, route, None) {
            return Some(id);
        }
        let words = self.layer_words(&tokens);
        self.find_in_layers(&words)
    }

    /// The name's words as the layers are looked up with: strengths and noise words
    /// dropped, misspellings corrected.
    fn layer_words(&self, tokens: &[crate::text::Token]) -> Vec<String> {
        let noise = cue_list!("lexicon", "drug_name_noise");
        let layer = self.index.get(self.eu, self.us);
        tokens
            .iter()
            .map(|t| t.norm.as_str())
            .filter(|w| !w.starts_with(|c: char| c.is_ascii_digit()))
            .filter(|w| !noise.iter().any(|n| n == w))
            .map(|w| {
                if layer.known.contains(w)
                    || self.lexicon.is_common(w)
                    || self.lexicon.knows_word(w)
                {
                    return w.to_owned();
                }
                layer.speller.correct_within(w, 1).unwrap_or(w).to_owned()
            })
            .collect()
    }

    fn find_in_layers(&self, words: &[String]) -> Option<String> {
        let (eu, us) = (self.eu.get(), self.us.get());
        let longest = self.index.get(self.eu, self.us).longest;
        let named = |key: &str| -> Option<String> {
            eu.and_then(|l| l.named(key))
                .or_else(|| us.and_then(|l| l.named(key)))
                .map(str::to_owned)
        };
        let ions = cue_list!("lexicon", "drug_name_counter_ions");
        let mut found: Vec<String> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let mut matched = 0;
            for len in (1..=longest.min(words.len() - i)).rev() {
                let span = &words[i..i + len];
                if i > 0 && span.iter().all(|w| ions.contains(w)) {
                    continue;
                }
                if let Some(id) = named(&span.join(" ")) {
                    if !found.contains(&id) {
                        found.push(id);
                    }
                    matched = len;
                    break;
                }
            }
            i += matched.max(1);
        }
        if found.len() > 1 {
            // A combination product is held under its ingredients' ids joined by `-`, in
            // the regulator's order (mostly alphabetical: `acetaminophen-codeine`).
            let mut parts: Vec<&str> = found.iter().map(String::as_str).collect();
            let as_named = parts.join("-");
            parts.sort_unstable();
            for combined in [as_named, parts.join("-")] {
                let held = eu.is_some_and(|l| l.medicine(&combined).is_some())
                    || us.is_some_and(|l| l.knows(&combined));
                if held {
                    return Some(combined);
                }
            }
        }
        found.into_iter().next()
    }
}

#[cfg(test)]
mod tests {
    use crate::Engine;

    #[test]
    fn report_names_resolve() {
        let engine = Engine::new(offlabel_embedded::pack().expect("embedded pack"));
        let cases: &[(&str, Option<&str>)] = &[
            // Curated medicines: brands, INNs, salts, strengths, misspellings.
            ("OLUMIANT 4MG TAB", Some("baricitinib")),
            ("XELJANZ XR", Some("tofacitinib")),
            ("TOFACITINIB CITRATE", Some("tofacitinib")),
            ("Olumiant", Some("baricitinib")),
            ("RINVOK", Some("upadacitinib")),
            ("OPZELURA CREAM 1.5%", Some("ruxolitinib-topical")),
            ("JAKAFI 5 MG", Some("ruxolitinib-oral")),
            ("RUXOLITINIB TABLETS", Some("ruxolitinib-oral")),
            // The bare ingredient of a curated medicine held in two routes: the layers' id.
            ("RUXOLITINIB PHOSPHATE", Some("ruxolitinib")),
            // The regulators' layers: INNs, brands, salts, dose forms, misspellings.
            ("DUPIXENT", Some("dupilumab")),
            ("dupilumab 300 mg/2ml injection", Some("dupilumab")),
            ("METHOTREXATE SODIUM", Some("methotrexate")),
            ("RISPERDAL", Some("risperidone")),
            ("Doxorubicin", Some("doxorubicin")),
            ("HUMIRA PEN", Some("adalimumab")),
            ("ADALIMUMAB", Some("adalimumab")),
            ("METHOTREXTE", Some("methotrexate")),
            ("ACETAMINOPHEN AND CODEINE", Some("acetaminophen-codeine")),
            ("RHEUMATREX", None),
            ("POTASSIUM CHLORIDE", Some("potassium")),
            ("FOLATE SODIUM", None),
            ("VITAMIN E", None),
            ("HRT (ANDROGENS AND FEMALE SEX HORMONES)", None),
            ("Cyclophosphemide", Some("cyclophosphamide")),
            (
                "TRIMETHOPRIM/SULFAMETHOXAZOLE",
                Some("sulfamethoxazole-trimethoprim"),
            ),
            // Nothing a layer or the pack holds.
            ("UNKNOWN DRUG", None),
            ("", None),
            ("4 MG TABLET", None),
        ];
        for (name, want) in cases {
            assert_eq!(engine.resolve_drug_name(name).as_deref(), *want, "{name}");
        }
    }
}
