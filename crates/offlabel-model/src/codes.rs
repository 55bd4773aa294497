//! Codes of outside code systems (RxNorm, ATC, SNOMED CT, ICD-10-CM, DOID...) on pack
//! records, and the one table of the systems' names.
//!
//! A system has a short key (how the pack's TOML and the Disease Ontology layer name
//! it) and the URI FHIR writes. Interfaces receive either and look codes up through the
//! pack and the engine, never through a table of their own.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A code a medicine or condition carries in an outside code system, with the source
/// that gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Code {
    /// The system's key (see [`CODE_SYSTEMS`]): `rxnorm` for a medicine's RxNorm
    /// ingredient concept (TTY IN); `snomed` or `icd10cm` for a condition.
    pub system: String,
    /// The code as the system writes it (`2047232`, `24079001`, `L40.0`).
    pub code: String,
    /// Supporting sources.
    pub sources: Vec<String>,
}

/// A code system offlabel reads or writes: its key, the URI FHIR uses, its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeSystemName {
    /// The key in the pack's TOML and in the Disease Ontology layer's `codes`.
    pub key: &'static str,
    /// The canonical URI of the system in FHIR.
    pub uri: &'static str,
    /// The name shown to people.
    pub name: &'static str,
}

/// Every code system offlabel knows by name. Medicines: `rxnorm`, `atc`; conditions:
/// `doid`, `icd10cm`, `snomed`, `umls`, `mesh`.
pub const CODE_SYSTEMS: [CodeSystemName; 7] = [
    CodeSystemName {
        key: "rxnorm",
        uri: "http://www.nlm.nih.gov/research/umls/rxnorm",
        name: "RxNorm",
    },
    CodeSystemName {
        key: "atc",
        uri: "http://www.whocc.no/atc",
        name: "ATC",
    },
    CodeSystemName {
        key: "doid",
        uri: "http://purl.obolibrary.org/obo/doid.owl",
        name: "Disease Ontology",
    },
    CodeSystemName {
        key: "icd10cm",
        uri: "http://hl7.org/fhir/sid/icd-10-cm",
        name: "ICD-10-CM",
    },
    CodeSystemName {
        key: "snomed",
        uri: "http://snomed.info/sct",
        name: "SNOMED CT",
    },
    CodeSystemName {
        key: "umls",
        uri: "http://www.nlm.nih.gov/research/umls",
        name: "UMLS",
    },
    CodeSystemName {
        key: "mesh",
        uri: "http://id.nlm.nih.gov/mesh",
        name: "MeSH",
    },
];

/// The system a caller names, by key, URI (with or without a trailing `/`, `http` or
/// `https`) or a common spelling (`ICD-10-CM`, `SNOMED CT`, `DOID`).
pub fn code_system(system: &str) -> Option<&'static CodeSystemName> {
    let s = system.trim().trim_end_matches('/').to_ascii_lowercase();
    let s = s
        .strip_prefix("https://")
        .map_or(s.clone(), |r| format!("http://{r}"));
    let plain: String = s.chars().filter(char::is_ascii_alphanumeric).collect();
    CODE_SYSTEMS.iter().find(|c| {
        s == c.uri
            || plain == c.key
            || plain == c.name.to_ascii_lowercase().replace([' ', '-'], "")
            // The DO's own prefix and OBO PURL ("DOID", ".../obo/DOID_...").
            || (c.key == "doid" && (plain == "do" || s.starts_with("http://purl.obolibrary.org/obo/doid")))
            || (c.key == "snomed" && plain == "snomedct")
    })
}

/// The form codes are compared in: without dots and spaces, upper case (ICD-10-CM is
/// written both `L40.0` and `L400`; a DOID both `DOID:8893` and `doid:8893`).
pub fn code_key(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, '.' | ' '))
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systems_by_key_uri_and_name() {
        let key = |s: &str| code_system(s).map(|c| c.key);
        assert_eq!(key("http://snomed.info/sct"), Some("snomed"));
        assert_eq!(key("https://snomed.info/sct/"), Some("snomed"));
        assert_eq!(key("SNOMED CT"), Some("snomed"));
        assert_eq!(key("http://hl7.org/fhir/sid/icd-10-cm"), Some("icd10cm"));
        assert_eq!(key("ICD-10-CM"), Some("icd10cm"));
        assert_eq!(key("DOID"), Some("doid"));
        assert_eq!(
            key("http://purl.obolibrary.org/obo/DOID_8893"),
            Some("doid")
        );
        assert_eq!(
            key("http://www.nlm.nih.gov/research/umls/rxnorm"),
            Some("rxnorm")
        );
        assert_eq!(key("http://www.whocc.no/atc"), Some("atc"));
        assert_eq!(key("http://loinc.org"), None);
        assert_eq!(key(""), None);
        assert_eq!(code_key("l40.0"), "L400");
    }
}
