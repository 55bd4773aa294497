//! The report: an individual case safety report reduced to the ICH E2B(R3) minimum
//! criteria plus the fields a signal needs (role, dose, route, onset, seriousness,
//! outcome, narrative).
//!
//! [`Report`] is the validated, normalised content a client sent (what the store keeps
//! in `reports.body`); [`StoredReport`] is a report as read back from the store, with
//! its id, reception time, idempotency key and the pack medicine id each drug name
//! resolved to.

use serde::{Deserialize, Serialize};

/// Declares a closed vocabulary: a `Copy` enum with its wire names, `as_str`, `parse`
/// and the list of accepted values for error messages.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in the documented order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name (as in the JSON and the store).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Parses a wire name (exact, case-sensitive).
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The accepted values, comma-separated, for error messages.
            pub fn accepted() -> String {
                [$($text),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// The reporter's qualification (E2B C.2.r.4).
    Qualification {
        /// Physician.
        Physician = "physician",
        /// Pharmacist.
        Pharmacist = "pharmacist",
        /// Other health professional.
        OtherHealthProfessional = "other_health_professional",
        /// Lawyer.
        Lawyer = "lawyer",
        /// Consumer or other non-health professional.
        Consumer = "consumer",
    }
}

vocabulary! {
    /// The patient's sex (E2B D.5): male, female, unknown.
    Sex {
        /// Male.
        M = "M",
        /// Female.
        F = "F",
        /// Unknown.
        U = "U",
    }
}

vocabulary! {
    /// The drug's role in the case (E2B G.k.1).
    Role {
        /// Suspected of causing the reaction.
        Suspect = "suspect",
        /// Taken at the same time, not suspected.
        Concomitant = "concomitant",
        /// Suspected through an interaction.
        Interacting = "interacting",
    }
}

vocabulary! {
    /// A seriousness criterion (E2B E.i.3.2).
    Criterion {
        /// Results in death.
        Death = "death",
        /// Life threatening.
        LifeThreatening = "life_threatening",
        /// Caused or prolonged hospitalisation.
        Hospitalisation = "hospitalisation",
        /// Disabling or incapacitating.
        Disability = "disability",
        /// Congenital anomaly or birth defect.
        CongenitalAnomaly = "congenital_anomaly",
        /// Other medically important condition.
        OtherMedicallyImportant = "other_medically_important",
    }
}

vocabulary! {
    /// The outcome of the reaction at the time of the report (E2B E.i.7).
    Outcome {
        /// Recovered or resolved.
        Recovered = "recovered",
        /// Recovering or resolving.
        Recovering = "recovering",
        /// Not recovered or not resolved.
        NotRecovered = "not_recovered",
        /// Recovered or resolved with sequelae.
        RecoveredWithSequelae = "recovered_with_sequelae",
        /// Fatal.
        Fatal = "fatal",
        /// Unknown.
        Unknown = "unknown",
    }
}

/// The primary source of the report (E2B C.2.r): qualification and country.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reporter {
    /// The reporter's qualification.
    pub qualification: Qualification,
    /// The reporter's country, ISO 3166-1 alpha-2 in capitals (e.g. `ES`).
    pub country: String,
}

/// The patient, identified only by what E2B allows and no more: age, sex, initials.
/// At least one is present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patient {
    /// Age at onset, in years (0-130; fractions for infants, e.g. 0.5). Whole ages are
    /// written as integers (`54`, not `54.0`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "age_as_written"
    )]
    pub age: Option<f64>,
    /// Sex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Initials: 1 to 5 capital letters, optionally separated by `.`, `-` or spaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initials: Option<String>,
}

/// Writes a whole age as an integer, any other as a decimal.
fn age_as_written<S: serde::Serializer>(age: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match age {
        Some(a) if a.fract() == 0.0 && (0.0..=1e9).contains(a) => s.serialize_u64(*a as u64),
        Some(a) => s.serialize_f64(*a),
        None => s.serialize_none(),
    }
}

/// A medicine in the report, as the client sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drug {
    /// The name as reported, verbatim (E2B G.k.2.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A pack medicine id the client chose instead of (or beside) the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The drug's role.
    pub role: Role,
    /// Dose as reported, free text (e.g. `4 mg once daily`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose: Option<String>,
    /// Route as reported, free text (e.g. `oral`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
}

impl Drug {
    /// The verbatim text stored in `report_drugs.name_verbatim`: the name, or the id
    /// when only an id was given.
    pub fn verbatim(&self) -> &str {
        self.name
            .as_deref()
            .or(self.id.as_deref())
            .unwrap_or_default()
    }
}

/// A suspected adverse reaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reaction {
    /// The MedDRA preferred term (or the reporter's words when no term is known).
    pub term: String,
    /// The MedDRA code: 8 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meddra_code: Option<String>,
}

/// A validated report, normalised (country in capitals, criteria sorted and unique).
/// Serialised, it is the `reports.body` column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// The primary source.
    pub reporter: Reporter,
    /// The patient.
    pub patient: Patient,
    /// The medicines; at least one is a suspect.
    pub drugs: Vec<Drug>,
    /// The reactions, at least one.
    pub reactions: Vec<Reaction>,
    /// Onset date of the (first) reaction, `YYYY-MM-DD`.
    pub onset: String,
    /// Whether the case is serious.
    pub serious: bool,
    /// The seriousness criteria met (empty when not serious or not given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seriousness: Vec<Criterion>,
    /// The outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The case narrative (E2B H.1), free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
}

impl Report {
    /// The canonical JSON of the report: the `reports.body` column and the input of the
    /// content hash.
    pub fn canonical_json(&self) -> String {
        // A struct of strings, numbers, bools and enums: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The seriousness criteria as stored in `reports.seriousness`: comma-separated
    /// wire names, or `None` when there are none.
    pub fn seriousness_column(&self) -> Option<String> {
        (!self.seriousness.is_empty()).then(|| {
            self.seriousness
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
    }
}

/// A report ready to store: the validated content, its idempotency key and the pack
/// medicine id (or none) of each drug, by position.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    /// The validated content.
    pub report: Report,
    /// The client's idempotency key, or `sha256:` and the hash of the canonical content.
    pub idempotency_key: String,
    /// Whether the client supplied the key.
    pub key_supplied: bool,
    /// Pack medicine id of each drug (same order as `report.drugs`).
    pub drug_ids: Vec<Option<String>>,
}

/// A drug of a stored report, as in `report_drugs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredDrug {
    /// The name as reported (or the id given in place of a name).
    pub name: String,
    /// The pack medicine id it resolved to, if any.
    pub drug_id: Option<String>,
    /// The drug's role.
    pub role: Role,
    /// Dose as reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose: Option<String>,
    /// Route as reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
}

/// A report read back from the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredReport {
    /// The report id the store assigned.
    pub id: String,
    /// When the store received it (UTC, RFC 3339).
    pub received_at: String,
    /// The idempotency key.
    pub idempotency_key: String,
    /// The primary source.
    pub reporter: Reporter,
    /// The patient.
    pub patient: Patient,
    /// The medicines, in the order reported.
    pub drugs: Vec<StoredDrug>,
    /// The reactions, in the order reported.
    pub reactions: Vec<Reaction>,
    /// Onset date, `YYYY-MM-DD`.
    pub onset: String,
    /// Whether the case is serious.
    pub serious: bool,
    /// The seriousness criteria met.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seriousness: Vec<Criterion>,
    /// The outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The case narrative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
}

impl StoredReport {
    /// The same report without free text: no narrative, dose, route, verbatim drug
    /// names, patient initials or idempotency key (drugs keep their pack id; reaction
    /// terms stay, as they are MedDRA terms).
    pub fn without_free_text(mut self) -> StoredReport {
        self.narrative = None;
        self.idempotency_key = String::new();
        self.patient.initials = None;
        for d in &mut self.drugs {
            d.name = String::new();
            d.dose = None;
            d.route = None;
        }
        self
    }
}

/// One line of `reports list`: no patient fields, no free text but names and terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportSummary {
    /// The report id.
    pub id: String,
    /// When the store received it.
    pub received_at: String,
    /// Reporter country.
    pub country: String,
    /// Onset date.
    pub onset: String,
    /// Whether the case is serious.
    pub serious: bool,
    /// The suspect and interacting medicines: pack id when resolved, else the name.
    pub suspects: Vec<String>,
    /// The reaction terms.
    pub reactions: Vec<String>,
}

impl StoredReport {
    /// The list line of this report.
    pub fn summary(&self) -> ReportSummary {
        ReportSummary {
            id: self.id.clone(),
            received_at: self.received_at.clone(),
            country: self.reporter.country.clone(),
            onset: self.onset.clone(),
            serious: self.serious,
            suspects: self
                .drugs
                .iter()
                .filter(|d| d.role != Role::Concomitant)
                .map(|d| d.drug_id.clone().unwrap_or_else(|| d.name.clone()))
                .collect(),
            reactions: self.reactions.iter().map(|r| r.term.clone()).collect(),
        }
    }
}
