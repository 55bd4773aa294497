//! The compiled form of a pack: the checked records in a compact binary encoding.
//!
//! The text form (`knowledge/`) is the reviewed source; the compiled form is a build
//! product that loads without parsing TOML or re-running the linter, because only a
//! pack that passed the check is ever compiled. Layout: the magic bytes
//! `OFFLPACK`, the schema version as a little-endian `u32`, then the records in
//! `postcard`. A file of another schema version is refused, never misread.

use crate::{Located, Pack, PackError};
use offlabel_model::*;
use serde::{Deserialize, Serialize};

/// The magic bytes every compiled pack starts with.
const MAGIC: &[u8; 8] = b"OFFLPACK";

/// Version of the compiled layout and of the record types it encodes.
///
/// Bump it whenever a record type in `offlabel-model` or the record list below
/// changes: the test `schema_fingerprint_matches_version` fails until you do.
pub const COMPILED_SCHEMA_VERSION: u32 = 6;

/// Why a compiled pack could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CompiledError {
    /// The bytes do not start with the compiled-pack magic.
    #[error(
        "not a compiled offlabel pack (build one with `offlabel pack build DIR --out FILE`, or pass a knowledge folder)"
    )]
    NotAPack,
    /// The pack was compiled for another schema version.
    #[error(
        "the compiled pack has schema version {found}, this offlabel reads version {expected}: rebuild it with this binary's `offlabel pack build`"
    )]
    WrongVersion {
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
    /// The body could not be decoded.
    #[error("the compiled pack is damaged ({0}): rebuild it with `offlabel pack build`")]
    Damaged(String),
}

/// The records, borrowed for encoding. Field order is the wire order: keep it
/// identical to [`Records`].
#[derive(Serialize)]
struct RecordsRef<'a> {
    meta: &'a PackMeta,
    sources: &'a [Located<Source>],
    medicines: &'a [Located<Medicine>],
    classes: &'a [Located<MedicineClass>],
    conditions: &'a [Located<Condition>],
    authorisations: &'a [Located<Authorisation>],
    posology: &'a [Located<Posology>],
    efficacy: &'a [Located<Efficacy>],
    adverse_effects: &'a [Located<AdverseEffect>],
    incidence_rates: &'a [Located<IncidenceRate>],
    statements: &'a [Located<Statement>],
    regulatory_events: &'a [Located<RegulatoryEvent>],
    precautions: &'a [Located<Precaution>],
    dose_adjustments: &'a [Located<DoseAdjustment>],
    screening: &'a [Located<Screening>],
    studies: &'a [Located<Study>],
}

/// The records, owned, as decoded.
#[derive(Deserialize)]
struct Records {
    meta: PackMeta,
    sources: Vec<Located<Source>>,
    medicines: Vec<Located<Medicine>>,
    classes: Vec<Located<MedicineClass>>,
    conditions: Vec<Located<Condition>>,
    authorisations: Vec<Located<Authorisation>>,
    posology: Vec<Located<Posology>>,
    efficacy: Vec<Located<Efficacy>>,
    adverse_effects: Vec<Located<AdverseEffect>>,
    incidence_rates: Vec<Located<IncidenceRate>>,
    statements: Vec<Located<Statement>>,
    regulatory_events: Vec<Located<RegulatoryEvent>>,
    precautions: Vec<Located<Precaution>>,
    dose_adjustments: Vec<Located<DoseAdjustment>>,
    screening: Vec<Located<Screening>>,
    studies: Vec<Located<Study>>,
}

impl Pack {
    /// Encodes this (checked) pack in its compiled form.
    pub fn to_compiled(&self) -> Vec<u8> {
        let records = RecordsRef {
            meta: &self.meta,
            sources: &self.sources,
            medicines: &self.medicines,
            classes: &self.classes,
            conditions: &self.conditions,
            authorisations: &self.authorisations,
            posology: &self.posology,
            efficacy: &self.efficacy,
            adverse_effects: &self.adverse_effects,
            incidence_rates: &self.incidence_rates,
            statements: &self.statements,
            regulatory_events: &self.regulatory_events,
            precautions: &self.precautions,
            dose_adjustments: &self.dose_adjustments,
            screening: &self.screening,
            studies: &self.studies,
        };
        let mut out = Vec::with_capacity(1 << 16);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&COMPILED_SCHEMA_VERSION.to_le_bytes());
        // Encoding plain records into a Vec cannot fail: postcard errors only on
        // full buffers and on types it cannot represent, and these are neither.
        match postcard::to_extend(&records, out) {
            Ok(out) => out,
            Err(e) => unreachable!("postcard cannot encode the pack records: {e}"),
        }
    }

    /// Whether `bytes` start like a compiled pack (so a caller can tell a
    /// compiled file from a folder or a TOML file).
    pub fn is_compiled(bytes: &[u8]) -> bool {
        bytes.starts_with(MAGIC)
    }

    /// Decodes a compiled pack. The pack was checked when it was compiled, so
    /// only the indexes are rebuilt here.
    pub fn from_compiled(bytes: &[u8]) -> Result<Pack, PackError> {
        let body = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or(CompiledError::NotAPack)?;
        let (version, body) = body
            .split_first_chunk::<4>()
            .ok_or(CompiledError::NotAPack)?;
        let found = u32::from_le_bytes(*version);
        if found != COMPILED_SCHEMA_VERSION {
            return Err(CompiledError::WrongVersion {
                found,
                expected: COMPILED_SCHEMA_VERSION,
            }
            .into());
        }
        let r: Records =
            postcard::from_bytes(body).map_err(|e| CompiledError::Damaged(e.to_string()))?;
        let mut pack = Pack::empty();
        pack.meta = r.meta;
        pack.sources = r.sources;
        pack.medicines = r.medicines;
        pack.classes = r.classes;
        pack.conditions = r.conditions;
        pack.authorisations = r.authorisations;
        pack.posology = r.posology;
        pack.efficacy = r.efficacy;
        pack.adverse_effects = r.adverse_effects;
        pack.incidence_rates = r.incidence_rates;
        pack.statements = r.statements;
        pack.regulatory_events = r.regulatory_events;
        pack.precautions = r.precautions;
        pack.dose_adjustments = r.dose_adjustments;
        pack.screening = r.screening;
        pack.studies = r.studies;
        pack.build_indexes();
        Ok(pack)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fingerprint of every record type's JSON schema. When a record type
    /// changes, this changes: bump [`COMPILED_SCHEMA_VERSION`] and update both
    /// numbers below.
    fn fingerprint() -> u64 {
        let schemas = [
            serde_json::to_string(&schemars::schema_for!(PackMeta)),
            serde_json::to_string(&schemars::schema_for!(Source)),
            serde_json::to_string(&schemars::schema_for!(Medicine)),
            serde_json::to_string(&schemars::schema_for!(MedicineClass)),
            serde_json::to_string(&schemars::schema_for!(Condition)),
            serde_json::to_string(&schemars::schema_for!(Authorisation)),
            serde_json::to_string(&schemars::schema_for!(Posology)),
            serde_json::to_string(&schemars::schema_for!(Efficacy)),
            serde_json::to_string(&schemars::schema_for!(AdverseEffect)),
            serde_json::to_string(&schemars::schema_for!(IncidenceRate)),
            serde_json::to_string(&schemars::schema_for!(Statement)),
            serde_json::to_string(&schemars::schema_for!(RegulatoryEvent)),
            serde_json::to_string(&schemars::schema_for!(Precaution)),
            serde_json::to_string(&schemars::schema_for!(DoseAdjustment)),
            serde_json::to_string(&schemars::schema_for!(Screening)),
            serde_json::to_string(&schemars::schema_for!(Study)),
        ];
        // FNV-1a: stable across Rust versions, unlike the std hasher.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for s in schemas {
            for b in s.unwrap_or_default().bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        h
    }

    #[test]
    fn schema_fingerprint_matches_version() {
        let expected: (u32, u64) = (6, 0x69bd_d68a_57ca_56e6);
        let now = (COMPILED_SCHEMA_VERSION, fingerprint());
        assert!(
            now == expected,
            "record types changed: bump COMPILED_SCHEMA_VERSION and set expected to ({}, {:#x}) — got {now:?}",
            COMPILED_SCHEMA_VERSION + u32::from(now.1 != expected.1 && now.0 == expected.0),
            now.1
        );
    }

    #[test]
    fn refuses_other_bytes_and_versions() {
        assert!(matches!(
            Pack::from_compiled(b"[pack]\nid = 1"),
            Err(PackError::Compiled(CompiledError::NotAPack))
        ));
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&(COMPILED_SCHEMA_VERSION + 1).to_le_bytes());
        assert!(matches!(
            Pack::from_compiled(&bytes),
            Err(PackError::Compiled(CompiledError::WrongVersion { .. }))
        ));
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&COMPILED_SCHEMA_VERSION.to_le_bytes());
        bytes.extend_from_slice(&[0xff; 3]);
        assert!(matches!(
            Pack::from_compiled(&bytes),
            Err(PackError::Compiled(CompiledError::Damaged(_)))
        ));
    }
}
