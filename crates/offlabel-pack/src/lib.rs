//! Loads an offlabel knowledge pack and checks it.
//!
//! A pack is a folder of TOML files (see `knowledge/README.md`). Any file may
//! hold any family of records (`[[source]]`, `[[study]]`...); the loader
//! merges them in file-name order. [`Pack::from_dir`] reads a folder on disk;
//! [`Pack::to_compiled`] and [`Pack::from_compiled`] write and read the compact
//! binary form that the `offlabel-embedded` crate builds into the binary.
//!
//! Loading text always runs [`check`]: a pack with errors is never handed to the
//! engine, and only a checked pack is ever compiled. `offlabel pack check`
//! prints the same diagnostics. Once assembled, a pack answers named queries
//! (`authorisations_of`, `studies_in`...) from indexes built once, so no
//! question scans the whole pack.

mod check;
mod compiled;
mod index;

pub use check::{Diagnostic, check};
pub use compiled::{COMPILED_SCHEMA_VERSION, CompiledError};

use index::{ConditionFacts, MedicineFacts};
use offlabel_model::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// The records of one TOML file. Every family is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    #[serde(default)]
    pack: Option<PackMeta>,
    #[serde(default)]
    source: Vec<Source>,
    #[serde(default)]
    medicine: Vec<Medicine>,
    #[serde(default)]
    class: Vec<MedicineClass>,
    #[serde(default)]
    condition: Vec<Condition>,
    #[serde(default)]
    authorisation: Vec<Authorisation>,
    #[serde(default)]
    posology: Vec<Posology>,
    #[serde(default)]
    efficacy: Vec<Efficacy>,
    #[serde(default)]
    adverse_effect: Vec<AdverseEffect>,
    #[serde(default)]
    incidence_rate: Vec<IncidenceRate>,
    #[serde(default)]
    statement: Vec<Statement>,
    #[serde(default)]
    regulatory_event: Vec<RegulatoryEvent>,
    #[serde(default)]
    precaution: Vec<Precaution>,
    #[serde(default)]
    dose_adjustment: Vec<DoseAdjustment>,
    #[serde(default)]
    screening: Vec<Screening>,
    #[serde(default)]
    study: Vec<Study>,
}

/// A record together with the file it came from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Located<T> {
    /// Path of the file, relative to the pack folder.
    pub file: String,
    /// The record.
    pub record: T,
}

impl<T> std::ops::Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.record
    }
}

/// A validated knowledge pack held in memory, with lookups by id.
#[derive(Debug, Clone)]
pub struct Pack {
    /// Pack metadata.
    pub meta: PackMeta,
    /// Sources.
    pub sources: Vec<Located<Source>>,
    /// Medicines.
    pub medicines: Vec<Located<Medicine>>,
    /// Medicine classes: ids a record may name in place of a medicine.
    pub classes: Vec<Located<MedicineClass>>,
    /// Conditions.
    pub conditions: Vec<Located<Condition>>,
    /// Authorisations and "none listed" records.
    pub authorisations: Vec<Located<Authorisation>>,
    /// Posology.
    pub posology: Vec<Located<Posology>>,
    /// Pivotal efficacy results.
    pub efficacy: Vec<Located<Efficacy>>,
    /// Adverse effects.
    pub adverse_effects: Vec<Located<AdverseEffect>>,
    /// Incidence rates.
    pub incidence_rates: Vec<Located<IncidenceRate>>,
    /// Other statements.
    pub statements: Vec<Located<Statement>>,
    /// Regulatory safety events.
    pub regulatory_events: Vec<Located<RegulatoryEvent>>,
    /// Contraindications, precautions, risk groups, topical limits.
    pub precautions: Vec<Located<Precaution>>,
    /// Dose adjustments.
    pub dose_adjustments: Vec<Located<DoseAdjustment>>,
    /// Screening and monitoring.
    pub screening: Vec<Located<Screening>>,
    /// Studies (off-label evidence).
    pub studies: Vec<Located<Study>>,
    source_index: HashMap<String, usize>,
    medicine_index: HashMap<String, usize>,
    condition_index: HashMap<String, usize>,
    /// Condition id → indexes of the condition and all its subtypes (computed once).
    descendant_index: HashMap<String, Vec<usize>>,
    /// Medicine id → positions of the records about it (computed once).
    medicine_facts: HashMap<String, MedicineFacts>,
    /// Condition id → positions of the records about exactly it (computed once).
    condition_facts: HashMap<String, ConditionFacts>,
    /// (system key, [`offlabel_model::code_key`]) → medicines carrying that code
    /// (their `codes` and ATC codes).
    medicine_codes: HashMap<(String, String), Vec<usize>>,
    /// (system key, code key) → conditions carrying that code (their `codes` and DOID).
    condition_codes: HashMap<(String, String), Vec<usize>>,
}

/// Why a pack could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// A file or folder could not be read.
    #[error(
        "cannot read {path}: {source} (check that --pack names a folder of .toml files or a compiled pack)"
    )]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The pack has errors; each diagnostic names the file, the record and the fix.
    #[error("the knowledge pack has {} error(s); run `offlabel pack check` to list them", .0.len())]
    Invalid(Vec<Diagnostic>),
    /// A compiled pack could not be read.
    #[error(transparent)]
    Compiled(#[from] CompiledError),
}

impl Pack {
    /// A pack read from a folder of `.toml` files (recursively).
    pub fn from_dir(dir: &Path) -> Result<Pack, PackError> {
        Self::from_files(Self::read_files(dir)?)
    }

    /// A pack from a path: a folder of text (checked as it loads) or a compiled
    /// file made by `offlabel pack build`.
    pub fn open(path: &Path) -> Result<Pack, PackError> {
        if path.is_dir() {
            return Self::from_dir(path);
        }
        let bytes = std::fs::read(path).map_err(|source| PackError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_compiled(&bytes)
    }

    /// The `.toml` files under a folder, as (relative path, contents), sorted by path.
    pub fn read_files(dir: &Path) -> Result<Vec<(String, String)>, PackError> {
        let mut files = Vec::new();
        read_tree(dir, dir, &mut files)?;
        files.sort();
        Ok(files)
    }

    /// Builds a pack from (relative path, contents) pairs and checks it.
    pub fn from_files(files: Vec<(String, String)>) -> Result<Pack, PackError> {
        let (pack, diagnostics) = Self::assemble(files);
        match pack {
            Some(pack) if diagnostics.is_empty() => Ok(pack),
            _ => Err(PackError::Invalid(diagnostics)),
        }
    }

    /// Parses and checks, returning whatever could be assembled and every problem found.
    pub fn assemble(files: Vec<(String, String)>) -> (Option<Pack>, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let mut meta = None;
        let mut pack = Pack::empty();
        if files.is_empty() {
            diagnostics.push(Diagnostic::new(
                "(pack)",
                "-",
                "the pack has no .toml files",
                "point --pack at the knowledge/ folder",
            ));
        }
        for (file, text) in files {
            // Generated vocabulary layers are JSON Lines with their own loader.
            if file.starts_with("layers/") {
                continue;
            }
            let parsed: PackFile = match toml::from_str(&text) {
                Ok(p) => p,
                Err(e) => {
                    let msg = e.message().to_string();
                    let line = e
                        .span()
                        .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
                    let record = line.map_or("-".to_string(), |l| format!("line {l}"));
                    diagnostics.push(Diagnostic::new(
                        &file,
                        &record,
                        &msg,
                        "fix the TOML syntax or field name (see knowledge/README.md)",
                    ));
                    continue;
                }
            };
            if let Some(m) = parsed.pack {
                if meta.is_some() {
                    diagnostics.push(Diagnostic::new(
                        &file,
                        "[pack]",
                        "a second [pack] table",
                        "keep one [pack] table, in pack.toml",
                    ));
                }
                meta = Some(m);
            }
            pack.sources.extend(locate(&file, parsed.source));
            pack.medicines.extend(locate(&file, parsed.medicine));
            pack.classes.extend(locate(&file, parsed.class));
            pack.conditions.extend(locate(&file, parsed.condition));
            pack.authorisations
                .extend(locate(&file, parsed.authorisation));
            pack.posology.extend(locate(&file, parsed.posology));
            pack.efficacy.extend(locate(&file, parsed.efficacy));
            pack.adverse_effects
                .extend(locate(&file, parsed.adverse_effect));
            pack.incidence_rates
                .extend(locate(&file, parsed.incidence_rate));
            pack.statements.extend(locate(&file, parsed.statement));
            pack.regulatory_events
                .extend(locate(&file, parsed.regulatory_event));
            pack.precautions.extend(locate(&file, parsed.precaution));
            pack.dose_adjustments
                .extend(locate(&file, parsed.dose_adjustment));
            pack.screening.extend(locate(&file, parsed.screening));
            pack.studies.extend(locate(&file, parsed.study));
        }
        match meta {
            Some(m) => pack.meta = m,
            None => diagnostics.push(Diagnostic::new(
                "pack.toml",
                "[pack]",
                "no [pack] table with id, title, version, as_of, scope and [pack.area]",
                "add a [pack] table to pack.toml",
            )),
        }
        pack.build_indexes();
        diagnostics.extend(check(&pack));
        (Some(pack), diagnostics)
    }

    fn empty() -> Pack {
        Pack {
            meta: PackMeta {
                id: String::new(),
                title: String::new(),
                version: String::new(),
                as_of: PartialDate {
                    year: 1900,
                    month: None,
                    day: None,
                },
                scope: String::new(),
                examples: vec![],
                area: Area {
                    name: String::new(),
                    name_es: String::new(),
                    condition_word: String::new(),
                    condition_word_es: String::new(),
                },
            },
            sources: vec![],
            medicines: vec![],
            classes: vec![],
            conditions: vec![],
            authorisations: vec![],
            posology: vec![],
            efficacy: vec![],
            adverse_effects: vec![],
            incidence_rates: vec![],
            statements: vec![],
            regulatory_events: vec![],
            precautions: vec![],
            dose_adjustments: vec![],
            screening: vec![],
            studies: vec![],
            source_index: HashMap::new(),
            medicine_index: HashMap::new(),
            condition_index: HashMap::new(),
            descendant_index: HashMap::new(),
            medicine_facts: HashMap::new(),
            condition_facts: HashMap::new(),
            medicine_codes: HashMap::new(),
            condition_codes: HashMap::new(),
        }
    }

    fn build_indexes(&mut self) {
        self.source_index = self
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        self.medicine_index = self
            .medicines
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.clone(), i))
            .collect();
        self.condition_index = self
            .conditions
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        let mut descendants: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in self.conditions.iter().enumerate() {
            for a in self.ancestors(&c.id) {
                descendants.entry(a.id.clone()).or_default().push(i);
            }
        }
        self.descendant_index = descendants;
        let (medicine_facts, condition_facts) = index::build(self);
        self.medicine_facts = medicine_facts;
        self.condition_facts = condition_facts;
        let key = |system: &str, code: &str| (system.to_string(), offlabel_model::code_key(code));
        let mut medicine_codes: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, m) in self.medicines.iter().enumerate() {
            let atc = m.atc.iter().map(|a| key("atc", a));
            for k in m.codes.iter().map(|c| key(&c.system, &c.code)).chain(atc) {
                medicine_codes.entry(k).or_default().push(i);
            }
        }
        self.medicine_codes = medicine_codes;
        let mut condition_codes: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, c) in self.conditions.iter().enumerate() {
            let doid = c.doid.iter().map(|d| key("doid", d));
            for k in c.codes.iter().map(|c| key(&c.system, &c.code)).chain(doid) {
                condition_codes.entry(k).or_default().push(i);
            }
        }
        self.condition_codes = condition_codes;
    }

    /// Medicines carrying a code: `system` is a key of [`offlabel_model::CODE_SYSTEMS`]
    /// (`rxnorm`, `atc`), the code compared as [`offlabel_model::code_key`] does. Several
    /// when one ingredient comes by several routes (an RxNorm ingredient concept).
    pub fn medicines_by_code(&self, system: &str, code: &str) -> Vec<&Medicine> {
        self.medicine_codes
            .get(&(system.to_string(), offlabel_model::code_key(code)))
            .map_or_else(Vec::new, |ix| {
                ix.iter().map(|&i| &self.medicines[i].record).collect()
            })
    }

    /// Curated conditions carrying a code of their own (`snomed`, `icd10cm`) or, for
    /// `doid`, linked to that Disease Ontology term. Codes only the DO layer's
    /// cross-references hold are the engine's to resolve (`Engine::condition_by_code`).
    pub fn conditions_by_code(&self, system: &str, code: &str) -> Vec<&Condition> {
        self.condition_codes
            .get(&(system.to_string(), offlabel_model::code_key(code)))
            .map_or_else(Vec::new, |ix| {
                ix.iter().map(|&i| &self.conditions[i].record).collect()
            })
    }

    /// A source by id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.source_index.get(id).map(|&i| &self.sources[i].record)
    }

    /// A medicine by id.
    pub fn medicine(&self, id: &str) -> Option<&Medicine> {
        self.medicine_index
            .get(id)
            .map(|&i| &self.medicines[i].record)
    }

    /// A condition by id.
    pub fn condition(&self, id: &str) -> Option<&Condition> {
        self.condition_index
            .get(id)
            .map(|&i| &self.conditions[i].record)
    }

    /// The condition and all its ancestors, nearest first.
    pub fn ancestors<'a>(&'a self, id: &'a str) -> Vec<&'a Condition> {
        let mut out = Vec::new();
        let mut cur = self.condition(id);
        while let Some(c) = cur {
            if out.iter().any(|o: &&Condition| o.id == c.id) {
                break; // A cycle; the check reports it.
            }
            out.push(c);
            cur = c.parent.as_deref().and_then(|p| self.condition(p));
        }
        out
    }

    /// Whether `condition` is `ancestor` or one of its subtypes (walks up the tree,
    /// so it costs the depth of `condition`, not the size of `ancestor`'s subtree).
    pub fn is_within(&self, condition: &str, ancestor: &str) -> bool {
        condition == ancestor || self.ancestors(condition).iter().any(|a| a.id == ancestor)
    }

    /// The condition and all its descendants.
    pub fn descendants(&self, id: &str) -> Vec<&Condition> {
        self.descendant_index.get(id).map_or_else(Vec::new, |ix| {
            ix.iter().map(|&i| &self.conditions[i].record).collect()
        })
    }

    /// The pack as the regulators stood on `day`: authorisations, posology and patient
    /// rules not yet in force that day are left out, those in force (including ones
    /// superseded since) are kept, and `as_of` becomes `day`. Everything else (sources,
    /// medicines, conditions, studies) is kept, so names and evidence still resolve.
    pub fn at(&self, day: PartialDate) -> Pack {
        let mut pack = Pack {
            meta: PackMeta {
                as_of: day,
                ..self.meta.clone()
            },
            sources: self.sources.clone(),
            medicines: self.medicines.clone(),
            classes: self.classes.clone(),
            conditions: self.conditions.clone(),
            authorisations: in_force(&self.authorisations, day),
            posology: in_force(&self.posology, day),
            efficacy: self.efficacy.clone(),
            adverse_effects: self.adverse_effects.clone(),
            incidence_rates: self.incidence_rates.clone(),
            statements: self.statements.clone(),
            regulatory_events: self
                .regulatory_events
                .iter()
                .filter(|e| e.date <= day)
                .cloned()
                .collect(),
            precautions: in_force(&self.precautions, day),
            dose_adjustments: in_force(&self.dose_adjustments, day),
            screening: self.screening.clone(),
            studies: self.studies.clone(),
            ..Pack::empty()
        };
        // A regulator whose records of a medicine all start after `day` did not list
        // its authorisations yet as far as the pack knows: the status is unknown then,
        // never "not authorised" on the strength of records from the future.
        for m in &mut pack.medicines {
            let id = m.record.id.clone();
            m.record.authorisations_known.retain(|reg| {
                let has = |list: &[Located<Authorisation>]| {
                    list.iter().any(|a| a.medicine == id && a.regulator == *reg)
                };
                has(&pack.authorisations) || !has(&self.authorisations)
            });
        }
        pack.build_indexes();
        pack
    }

    /// Records of `records` no longer in force on `day` (superseded before or on it),
    /// newest end first: what the labels said before.
    pub fn superseded<T: Validity + Clone>(records: &[Located<T>], day: PartialDate) -> Vec<&T> {
        let mut out: Vec<&T> = records
            .iter()
            .map(|r| &r.record)
            .filter(|r| r.valid_to().is_some_and(|t| t <= day))
            .collect();
        out.sort_by_key(|r| std::cmp::Reverse(r.valid_to()));
        out
    }

    /// Whether a record naming `medicines` applies to `medicine`: it names the
    /// medicine itself, or a class the medicine belongs to.
    pub fn applies_to(&self, medicines: &[String], medicine: &str) -> bool {
        medicines
            .iter()
            .any(|m| m == medicine || self.class(m).is_some_and(|c| self.is_member(c, medicine)))
    }

    /// The class with this id.
    pub fn class(&self, id: &str) -> Option<&MedicineClass> {
        self.classes.iter().map(|c| &c.record).find(|c| c.id == id)
    }

    /// Whether `medicine` belongs to `class`: it inhibits one of the class's targets.
    /// A medicine the pack does not hold counts as a member, so class facts (warnings,
    /// screening) are never withheld for it.
    pub fn is_member(&self, class: &MedicineClass, medicine: &str) -> bool {
        self.medicine(medicine)
            .is_none_or(|m| m.targets.iter().any(|t| class.targets.contains(t)))
    }

    /// The classes a medicine belongs to (none for a class id itself).
    pub fn classes_of<'a>(&'a self, medicine: &'a str) -> impl Iterator<Item = &'a MedicineClass> {
        let is_class = self.class(medicine).is_some();
        self.classes
            .iter()
            .map(|c| &c.record)
            .filter(move |c| !is_class && self.is_member(c, medicine))
    }
}

fn in_force<T: Validity + Clone>(records: &[Located<T>], day: PartialDate) -> Vec<Located<T>> {
    records
        .iter()
        .filter(|r| r.record.in_force_on(day))
        .cloned()
        .collect()
}

fn locate<'a, T: 'a>(file: &'a str, records: Vec<T>) -> impl Iterator<Item = Located<T>> + 'a {
    records.into_iter().map(move |record| Located {
        file: file.to_string(),
        record,
    })
}

/// The folder of generated layers under a pack root, not read as pack files.
pub const LAYERS_DIR: &str = "layers";

fn read_tree(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) -> Result<(), PackError> {
    let io = |path: &Path, source| PackError::Io {
        path: path.display().to_string(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let path = entry.map_err(|e| io(dir, e))?.path();
        if path.is_dir() && dir == base && path.file_name().is_some_and(|n| n == LAYERS_DIR) {
            // Generated layers (knowledge/layers/<name>/) have their own format and loader.
            continue;
        } else if path.is_dir() {
            read_tree(&path, base, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
            let rel = path
                .strip_prefix(base)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, text));
        }
    }
    Ok(())
}
