//! Coded input: a condition or medicine given as a code (ICD-10-CM, SNOMED CT, DOID;
//! RxNorm, ATC), resolved through the pack's own codes and the Disease Ontology
//! layer's cross-references. Interfaces call [`crate::Engine::condition_by_code`] and
//! [`crate::Engine::medicine_by_code`]; none keeps a table of its own.
//!
//! **Honesty:** a code the pack and its vocabulary do not hold is said so
//! ([`CodeReading::note`]), never dropped; a code that names several conditions the
//! pack tells apart is not narrowed to one of them.

use crate::Engine;
use offlabel_model::{CodeSystemName, code_key, code_system};
use offlabel_pack::Pack;
use offlabel_vocabulary::CodeSystem;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A code as FHIR writes a `Coding`: the system (URI or key), the code, a display.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Coding {
    /// The code system: a FHIR URI (`http://hl7.org/fhir/sid/icd-10-cm`,
    /// `http://snomed.info/sct`), a key (`icd10cm`, `snomed`, `doid`), or empty to
    /// let the code's shape decide.
    #[serde(default)]
    pub system: String,
    /// The code (`L40.0`, `24079001`, `DOID:8893`).
    pub code: String,
    /// How the sender names it (kept for the report; never used to resolve the code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// What a coded condition names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CodeReading {
    /// The system as given.
    pub system: String,
    /// The code as given.
    pub code: String,
    /// The system's name (`ICD-10-CM`), when the engine knows the system.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_name: Option<String>,
    /// The curated condition the code names (pack id), when exactly one fits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// The Disease Ontology terms the code names (DOIDs), by the pack's link or the
    /// layer's cross-references.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub doids: Vec<String>,
    /// Their DO labels, in the order of `doids`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// The broader ICD-10-CM code that matched when the code itself is not mapped
    /// (`L40` for `L40.0`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<String>,
}

impl CodeReading {
    fn new(system: &str, code: &str) -> CodeReading {
        CodeReading {
            system: system.to_string(),
            code: code.to_string(),
            system_name: None,
            condition: None,
            doids: Vec::new(),
            names: Vec::new(),
            matched: None,
        }
    }

    /// Whether the pack or its vocabulary knows the code.
    pub fn known(&self) -> bool {
        self.condition.is_some() || !self.doids.is_empty()
    }

    /// The sentence a report shows for a code that resolved to no single curated
    /// condition: not in the vocabulary, several conditions, or one outside the
    /// curated pack. `None` when it names one curated condition.
    pub fn note(&self) -> Option<String> {
        let system = self.system_name.clone().unwrap_or_else(|| {
            if self.system.is_empty() {
                "no system given".to_string()
            } else {
                self.system.clone()
            }
        });
        let read_as = self
            .matched
            .as_ref()
            .map(|m| format!(", read as its category {m}"))
            .unwrap_or_default();
        if self.condition.is_some() {
            return None;
        }
        let named: Vec<String> = self
            .doids
            .iter()
            .zip(&self.names)
            .map(|(d, n)| format!("{n} ({d})"))
            .collect();
        Some(match named.len() {
            0 => format!(
                "code {} ({system}) is not in the pack's vocabulary: the check could not take it into account",
                self.code
            ),
            1 => format!(
                "code {} ({system}{read_as}) is {}, a condition the curated pack does not hold: its regulatory status is unknown here",
                self.code, named[0]
            ),
            _ => format!(
                "code {} ({system}{read_as}) names several conditions ({}); the pack does not choose between them",
                self.code,
                named.join(", ")
            ),
        })
    }
}

/// How a coded medicine was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MedicineCode {
    /// One pack medicine (pack id).
    Medicine(String),
    /// The code is not a pack medicine's (most orders are for other medicines).
    Unknown,
}

/// The codes of a curated condition, for export: its DOID, its own codes (`codes` in
/// `conditions.toml`), then the SNOMED CT and ICD-10-CM cross-references the Disease
/// Ontology gives its DOID; each once, as (system, code). Empty for an unknown id.
pub fn condition_codings(pack: &Pack, id: &str) -> Vec<(&'static CodeSystemName, String)> {
    let Some(c) = pack.condition(id) else {
        return Vec::new();
    };
    let mut out: Vec<(&'static CodeSystemName, String)> = Vec::new();
    let mut push = |key: &str, code: &str| {
        if let Some(system) = code_system(key)
            && !out
                .iter()
                .any(|(s, k)| s.key == system.key && code_key(k) == code_key(code))
        {
            out.push((system, code.to_string()));
        }
    };
    if let Some(doid) = &c.doid {
        push("doid", doid);
    }
    for code in &c.codes {
        push(&code.system, &code.code);
    }
    if let (Some(doid), Some(vocabulary)) = (&c.doid, crate::outside::embedded())
        && let Some(term) = vocabulary.get(doid)
    {
        for key in ["snomed", "icd10cm"] {
            for code in term.codes.get(key).into_iter().flatten() {
                push(key, code);
            }
        }
    }
    out
}

impl Engine {
    /// The condition a code names: the curated condition carrying the code (its own
    /// `codes`, or its DOID), else the Disease Ontology terms whose cross-references
    /// hold it (an ICD-10-CM code widened to its category when DO maps only that,
    /// `L40.0` → `L40`), and the curated condition linked to them when all of them
    /// lead to the same one.
    pub fn condition_by_code(&self, system: &str, code: &str) -> CodeReading {
        let mut reading = CodeReading::new(system, code);
        let code = code.trim();
        let named = if system.trim().is_empty() {
            CodeSystem::guess(code).and_then(|s| code_system(s.key()))
        } else {
            code_system(system)
        };
        let Some(named) = named else {
            return reading;
        };
        reading.system_name = Some(named.name.to_string());
        let Some(layer_system) = CodeSystem::from_key(named.key) else {
            return reading;
        };
        let pack = self.pack();
        if let [curated] = pack.conditions_by_code(named.key, code).as_slice() {
            reading.condition = Some(curated.id.clone());
            if let Some(doid) = &curated.doid {
                reading.doids.push(doid.clone());
                reading.names.push(curated.name.clone());
            }
            return reading;
        }
        let Some((vocabulary, _)) = self.vocabulary.get() else {
            return reading;
        };
        let terms = if layer_system == CodeSystem::Icd10Cm {
            vocabulary
                .by_icd10cm_nearest(code)
                .map(|(matched, terms)| {
                    if offlabel_model::code_key(&matched) != offlabel_model::code_key(code) {
                        reading.matched = Some(matched);
                    }
                    terms
                })
                .unwrap_or_default()
        } else {
            vocabulary.by_code(layer_system, code)
        };
        for t in &terms {
            reading.doids.push(t.id.clone());
            reading.names.push(t.name.clone());
        }
        // One curated condition for every term, or none: a code DO files under two
        // terms the pack tells apart is not narrowed to one of them.
        let curated: Vec<Option<&str>> = terms
            .iter()
            .map(|t| {
                pack.conditions_by_code("doid", &t.id)
                    .first()
                    .map(|c| c.id.as_str())
            })
            .collect();
        if let Some(Some(first)) = curated.first()
            && curated.iter().all(|c| c == &Some(*first))
        {
            reading.condition = Some((*first).to_string());
        }
        reading
    }

    /// The pack medicine a code names (`rxnorm`, `atc`; system as URI or key). When
    /// the code is one ingredient's that the pack holds by several routes (an RxNorm
    /// ingredient concept), `words` (the order's texts) decide as a question would:
    /// "cream" or a topical brand names the cream; without such words the recogniser's
    /// reading of the ingredient's name decides.
    pub fn medicine_by_code(&self, system: &str, code: &str, words: &[String]) -> MedicineCode {
        let Some(named) = code_system(system) else {
            return MedicineCode::Unknown;
        };
        let candidates = self.pack().medicines_by_code(named.key, code);
        match candidates.as_slice() {
            [] => MedicineCode::Unknown,
            [one] => MedicineCode::Medicine(one.id.clone()),
            several => {
                let said = words.join(" ");
                let text = if said.trim().is_empty() {
                    several[0].ingredient.clone()
                } else {
                    format!("{} {said}", several[0].ingredient)
                };
                let read = self.understand(&text).medicine;
                let id = read
                    .filter(|r| several.iter().any(|m| &m.id == r))
                    .unwrap_or_else(|| several[0].id.clone());
                MedicineCode::Medicine(id)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::new(offlabel_embedded::pack().expect("embedded pack"))
    }

    #[test]
    fn condition_codes_resolve_through_the_pack_and_do() {
        let e = engine();
        let id = |s: &str, c: &str| e.condition_by_code(s, c).condition;
        // The pack's own SNOMED CT code, and DO's cross-reference of the same term.
        assert_eq!(
            id("http://snomed.info/sct", "24079001").as_deref(),
            Some("atopic-dermatitis")
        );
        assert_eq!(
            id("snomed", "156331003").as_deref(),
            Some("atopic-dermatitis")
        );
        // ICD-10-CM widened to the category DO maps.
        let r = e.condition_by_code("http://hl7.org/fhir/sid/icd-10-cm", "L40.0");
        assert_eq!(r.condition.as_deref(), Some("psoriasis"));
        assert_eq!(r.matched.as_deref(), Some("L40"));
        assert_eq!(id("ICD-10-CM", "L63.9").as_deref(), Some("alopecia-areata"));
        assert_eq!(id("DOID", "DOID:12306").as_deref(), Some("vitiligo"));
        assert_eq!(id("", "DOID:12306").as_deref(), Some("vitiligo"));
        // A DO term outside the curated pack: known, with a note.
        let colon = e.condition_by_code("icd10cm", "C18.6");
        assert!(colon.condition.is_none() && colon.known());
        assert!(colon.note().is_some_and(|n| n.contains("does not hold")));
        // Nothing known: said, not dropped.
        let none = e.condition_by_code("http://snomed.info/sct", "999999999999");
        assert!(!none.known());
        assert_eq!(
            none.note().as_deref(),
            Some(
                "code 999999999999 (SNOMED CT) is not in the pack's vocabulary: the check could not take it into account"
            )
        );
        assert!(!e.condition_by_code("http://loinc.org", "1234-5").known());
    }

    #[test]
    fn export_codings_come_from_the_pack_and_do() {
        let e = engine();
        let codes: Vec<(String, String)> = condition_codings(e.pack(), "atopic-dermatitis")
            .into_iter()
            .map(|(s, c)| (s.key.to_string(), c))
            .collect();
        let has = |s: &str, c: &str| codes.contains(&(s.to_string(), c.to_string()));
        assert!(has("doid", "DOID:3310"), "{codes:?}");
        assert!(has("snomed", "24079001") && has("snomed", "156331003"));
        assert!(has("icd10cm", "L20"));
        // A subtype without a DO term of its own gets no borrowed code.
        assert!(condition_codings(e.pack(), "vitiligo-non-segmental").is_empty());
    }

    #[test]
    fn a_code_of_two_conditions_is_not_narrowed() {
        // DO files ICD-10-CM L40.1 under two terms; only one is linked to a curated
        // condition, so the code names neither for the pack.
        let r = engine().condition_by_code("icd10cm", "L40.1");
        assert!(r.doids.len() > 1, "{r:?}");
        assert_eq!(r.condition, None);
        assert!(r.note().is_some_and(|n| n.contains("several conditions")));
    }

    #[test]
    fn medicine_codes_come_from_the_pack() {
        let e = engine();
        let rx = "http://www.nlm.nih.gov/research/umls/rxnorm";
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            e.medicine_by_code(rx, "2047232", &[]),
            MedicineCode::Medicine("baricitinib".into())
        );
        assert_eq!(
            e.medicine_by_code("http://www.whocc.no/atc", "L04AF03", &[]),
            MedicineCode::Medicine("upadacitinib".into())
        );
        assert_eq!(
            e.medicine_by_code(rx, "1193326", &words(&["15 MG/G Topical Cream"])),
            MedicineCode::Medicine("ruxolitinib-topical".into())
        );
        assert_eq!(
            e.medicine_by_code(rx, "1193326", &words(&["5 MG Oral Tablet"])),
            MedicineCode::Medicine("ruxolitinib-oral".into())
        );
        assert_eq!(e.medicine_by_code(rx, "197361", &[]), MedicineCode::Unknown);
    }
}
