//! Imports the Disease Ontology, as published, into offlabel's vocabulary layer
//! (`knowledge/layers/disease-ontology/`): one [`Term`] per current DO term with its label,
//! synonyms by scope, parents and cross-references.
//!
//! Inputs, read from one folder as DO publishes them:
//! - `HumanDO.tsv`: every current term (id, label, one parent label per row);
//! - `allXREFinDO.tsv`: the cross-references (id, label, `PREFIX:code`);
//! - the 2026 subset OBO files (`DO_*.obo`, `NCIthesaurus.obo`): synonyms, alt ids, obsolete
//!   ids;
//! - `HumanDO-2015.obo`: the 2015 release, joined on id for more synonyms (the 2026 label
//!   wins; a 2015 label that differs becomes an exact synonym); ids it has that are obsolete
//!   or absent today are recorded as retired.
//!
//! Nothing is written until every file has been read and checked; the files are then written
//! beside their final names and renamed into place.

pub mod obo;
mod tsv;

use offlabel_vocabulary::{Layer, Retired, Term};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The name of the layer, its folder under `knowledge/layers/`.
pub const LAYER_NAME: &str = "disease-ontology";

/// The 2026 files the importer needs.
const TERMS_FILE: &str = "HumanDO.tsv";
const XREF_FILE: &str = "allXREFinDO.tsv";
const SUBSET_FILES: &[&str] = &[
    "DO_cancer_slim.obo",
    "DO_infectious_disease_slim.obo",
    "DO_rare_slim.obo",
    "NCIthesaurus.obo",
];
const OLD_RELEASE_FILE: &str = "HumanDO-2015.obo";

/// Why an import stopped. Nothing has been written when it is returned.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file could not be read or written.
    #[error(
        "{path}: {source}; check the folder holds the DO files as published (HumanDO.tsv, allXREFinDO.tsv, the subset .obo files, HumanDO-2015.obo)"
    )]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A line of an input file is malformed or the file is truncated.
    #[error("{file} line {line}: {message}; the file is not as DO publishes it: download it again")]
    Malformed {
        /// The file name.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// One input file: name, byte length and SHA-256, recorded in `layer.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputFile {
    /// File name inside the source folder.
    pub file: String,
    /// Length in bytes.
    pub bytes: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// What `layer.toml` says about a layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerMeta {
    /// The `[layer]` table.
    pub layer: LayerInfo,
    /// Counts of what was imported.
    pub counts: Counts,
    /// The files read.
    pub input: Vec<InputFile>,
}

/// The `[layer]` table of `layer.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerInfo {
    /// Layer name.
    pub name: String,
    /// Who publishes the source.
    pub source_owner: String,
    /// The DO release the terms come from.
    pub dataset_version: String,
    /// The older DO release joined for synonyms.
    pub older_release: String,
    /// Licences of the inputs.
    pub licence: String,
    /// Attribution text to show with the data.
    pub attribution: String,
    /// The command that regenerates the layer.
    pub importer: String,
    /// The data files written.
    pub files: Vec<String>,
}

/// How much was imported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Current terms.
    pub terms: usize,
    /// Exact synonyms.
    pub exact: usize,
    /// Related synonyms.
    pub related: usize,
    /// Narrow synonyms.
    pub narrow: usize,
    /// Broad synonyms.
    pub broad: usize,
    /// Parent links.
    pub parent_links: usize,
    /// Retired ids recorded.
    pub retired: usize,
    /// Codes per system.
    pub codes: BTreeMap<String, usize>,
}

/// An imported layer with its description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The records.
    pub layer: Layer,
    /// The `layer.toml` content.
    pub meta: LayerMeta,
}

fn read(dir: &Path, file: &str) -> Result<(String, InputFile), ImportError> {
    let path = dir.join(file);
    let bytes = std::fs::read(&path).map_err(|source| ImportError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let digest = Sha256::digest(&bytes);
    let sha256 = digest.iter().map(|b| format!("{b:02x}")).collect();
    let input = InputFile {
        file: file.to_string(),
        bytes: bytes.len() as u64,
        sha256,
    };
    let text = String::from_utf8(bytes).map_err(|e| ImportError::Malformed {
        file: file.to_string(),
        line: 0,
        message: format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
    })?;
    Ok((text, input))
}

/// The cross-reference prefixes DO uses, mapped to the keys of [`Term::codes`]; the dated
/// SNOMED CT prefixes (`SNOMEDCT_US_2025_09_01`) all become `snomed`, `MIM` becomes `omim`,
/// any other prefix is lower-cased.
fn code_system(prefix: &str) -> String {
    match prefix {
        "UMLS_CUI" => "umls".into(),
        "MESH" | "MSH" => "mesh".into(),
        "MIM" => "omim".into(),
        p if p.starts_with("SNOMEDCT") => "snomed".into(),
        p => p.to_ascii_lowercase(),
    }
}

fn well_formed_doid(id: &str) -> bool {
    id.strip_prefix("DOID:")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Synonyms of one term, gathered from every file before cleaning.
#[derive(Default)]
struct Names {
    exact: Vec<String>,
    related: Vec<String>,
    narrow: Vec<String>,
    broad: Vec<String>,
    acronyms: Vec<String>,
    alt_ids: BTreeSet<String>,
}

impl Names {
    fn add(&mut self, s: &obo::Synonym) {
        let list = match s.scope {
            obo::Scope::Exact => &mut self.exact,
            obo::Scope::Related => &mut self.related,
            obo::Scope::Narrow => &mut self.narrow,
            obo::Scope::Broad => &mut self.broad,
        };
        list.push(s.text.clone());
        if s.acronym {
            self.acronyms.push(s.text.clone());
        }
    }
}

/// The release date in an OBO header: `data-version: doid/releases/2026-07-31/...` or
/// `date: 14:05:2015 16:40`.
fn release(obo: &obo::Obo) -> String {
    if let Some(v) = obo.header("data-version")
        && let Some(rest) = v.split("releases/").nth(1)
    {
        return rest.split('/').next().unwrap_or(rest).to_string();
    }
    if let Some(d) = obo.header("date")
        && let Some(day) = d.split_whitespace().next()
    {
        let p: Vec<&str> = day.split(':').collect();
        if let [dd, mm, yyyy] = p.as_slice() {
            return format!("{yyyy}-{mm}-{dd}");
        }
    }
    "unknown".into()
}

/// Reads the DO files in `dir` and builds the layer. Writes nothing.
pub fn import(dir: &Path) -> Result<Imported, ImportError> {
    let mut inputs = Vec::new();

    // 1. Current terms and their parents (by label).
    let (text, input) = read(dir, TERMS_FILE)?;
    inputs.push(input);
    let rows = tsv::parse(TERMS_FILE, &text, &["id", "label", "subClassOf"])?;
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    let mut parent_labels: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    for (line, row) in &rows {
        let [id, label, parent] = [&row[0], &row[1], &row[2]];
        if !well_formed_doid(id) {
            return Err(ImportError::Malformed {
                file: TERMS_FILE.into(),
                line: *line,
                message: format!("id {id:?} is not DOID: and digits"),
            });
        }
        if let Some(prev) = labels.insert(id.clone(), label.clone())
            && prev != *label
        {
            return Err(ImportError::Malformed {
                file: TERMS_FILE.into(),
                line: *line,
                message: format!("{id} has two labels, {prev:?} and {label:?}"),
            });
        }
        if !parent.is_empty() {
            parent_labels
                .entry(id.clone())
                .or_default()
                .push((parent.clone(), *line));
        }
    }

    // 2. Subset files of the same release, then the 2015 release.
    let mut subsets = Vec::new();
    for file in SUBSET_FILES {
        let (text, input) = read(dir, file)?;
        inputs.push(input);
        subsets.push(obo::parse(file, &text)?);
    }
    let (text, input) = read(dir, OLD_RELEASE_FILE)?;
    inputs.push(input);
    let old = obo::parse(OLD_RELEASE_FILE, &text)?;
    let dataset_version = subsets
        .first()
        .map(release)
        .unwrap_or_else(|| "unknown".into());
    let older_release = release(&old);

    // A parent label DO's TSV does not list as a term (the root, "disease") is found by name
    // in the OBO files and becomes a term itself.
    let mut by_label: HashMap<String, String> = labels
        .iter()
        .map(|(id, l)| (l.clone(), id.clone()))
        .collect();
    let obo_names: HashMap<&str, &str> = subsets
        .iter()
        .chain(std::iter::once(&old))
        .flat_map(|o| o.terms.iter())
        .filter(|t| !t.obsolete)
        .map(|t| (t.name.as_str(), t.id.as_str()))
        .collect();
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (id, list) in &parent_labels {
        for (label, line) in list {
            let pid = match by_label.get(label) {
                Some(p) => p.clone(),
                None => {
                    let Some(&p) = obo_names.get(label.as_str()) else {
                        return Err(ImportError::Malformed {
                            file: TERMS_FILE.into(),
                            line: *line,
                            message: format!(
                                "parent {label:?} of {id} is no term of this file or the OBO files"
                            ),
                        });
                    };
                    labels.insert(p.to_string(), label.clone());
                    by_label.insert(label.clone(), p.to_string());
                    p.to_string()
                }
            };
            parents.entry(id.clone()).or_default().insert(pid);
        }
    }

    let mut names: BTreeMap<String, Names> = BTreeMap::new();
    let mut retired: BTreeMap<String, Retired> = BTreeMap::new();
    let mut alt_owner: HashMap<String, String> = HashMap::new();
    // Current release first so its obsolete records win over the 2015 ones.
    for o in subsets.iter().chain(std::iter::once(&old)) {
        for t in &o.terms {
            if labels.contains_key(&t.id) && !t.obsolete {
                let n = names.entry(t.id.clone()).or_default();
                for s in &t.synonyms {
                    n.add(s);
                }
                if labels.get(&t.id).is_some_and(|l| *l != t.name) {
                    // A former label: the same disease under its older name.
                    n.exact.push(t.name.clone());
                }
                for a in &t.alt_ids {
                    if !labels.contains_key(a) {
                        n.alt_ids.insert(a.clone());
                        alt_owner.entry(a.clone()).or_insert_with(|| t.id.clone());
                    }
                }
            } else if !labels.contains_key(&t.id) {
                retired.entry(t.id.clone()).or_insert_with(|| Retired {
                    id: t.id.clone(),
                    name: t
                        .name
                        .strip_prefix("obsolete ")
                        .unwrap_or(&t.name)
                        .to_string(),
                    replaced_by: t.replaced_by.clone().filter(|r| labels.contains_key(r)),
                });
            }
        }
    }
    for r in retired.values_mut() {
        if r.replaced_by.is_none() {
            r.replaced_by = alt_owner.get(&r.id).cloned();
        }
    }
    for id in alt_owner.keys() {
        retired.entry(id.clone()).or_insert_with(|| Retired {
            id: id.clone(),
            name: String::new(),
            replaced_by: alt_owner.get(id).cloned(),
        });
    }

    // 3. Cross-references: the 2026 table, plus the UMLS CUIs of the 2015 release (a CUI
    // is a stable concept id, so an older DO mapping still holds; other code systems are
    // taken from 2026 only, where DO's curators have revised them).
    let (text, input) = read(dir, XREF_FILE)?;
    inputs.push(input);
    let mut codes: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for t in old
        .terms
        .iter()
        .filter(|t| !t.obsolete && labels.contains_key(&t.id))
    {
        for x in &t.xrefs {
            if let Some(cui) = x.strip_prefix("UMLS_CUI:").filter(|c| !c.is_empty()) {
                codes
                    .entry(t.id.clone())
                    .or_default()
                    .entry("umls".into())
                    .or_default()
                    .insert(cui.to_string());
            }
        }
    }
    for (line, row) in tsv::parse(XREF_FILE, &text, &["id", "label", "xref"])? {
        let (id, xref) = (&row[0], &row[2]);
        let Some((prefix, code)) = xref
            .split_once(':')
            .filter(|(p, c)| !p.is_empty() && !c.trim().is_empty())
        else {
            return Err(ImportError::Malformed {
                file: XREF_FILE.into(),
                line,
                message: format!("cross-reference {xref:?} is not PREFIX:code"),
            });
        };
        if !labels.contains_key(id) {
            // DO sometimes keeps xrefs of a term it has just retired; they have no home.
            continue;
        }
        codes
            .entry(id.clone())
            .or_default()
            .entry(code_system(prefix))
            .or_default()
            .insert(code.trim().to_string());
    }

    // 4. Assemble, clean and count.
    let mut counts = Counts::default();
    let mut terms = Vec::with_capacity(labels.len());
    for (id, label) in &labels {
        let mut n = names.remove(id).unwrap_or_default();
        let mut seen: BTreeSet<String> = BTreeSet::from([label.to_lowercase()]);
        let mut clean = |list: &mut Vec<String>| -> Vec<String> {
            let kept: BTreeSet<String> = list
                .drain(..)
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|s| !s.is_empty())
                .collect();
            // Stronger scopes claim a name first; a name is kept once per term.
            kept.into_iter()
                .filter(|s| seen.insert(s.to_lowercase()))
                .collect()
        };
        let exact = clean(&mut n.exact);
        let narrow = clean(&mut n.narrow);
        let broad = clean(&mut n.broad);
        let related = clean(&mut n.related);
        let acronyms: Vec<String> = n
            .acronyms
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let parents: Vec<String> = parents
            .remove(id)
            .map(|p| p.into_iter().collect())
            .unwrap_or_default();
        let term_codes: BTreeMap<String, Vec<String>> = codes
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().collect()))
            .collect();
        counts.exact += exact.len();
        counts.related += related.len();
        counts.narrow += narrow.len();
        counts.broad += broad.len();
        counts.parent_links += parents.len();
        for (system, list) in &term_codes {
            *counts.codes.entry(system.clone()).or_default() += list.len();
        }
        terms.push(Term {
            id: id.clone(),
            name: label.clone(),
            exact,
            related,
            narrow,
            broad,
            acronyms,
            parents,
            alt_ids: n.alt_ids.into_iter().collect(),
            codes: term_codes,
        });
    }
    counts.terms = terms.len();
    let retired: Vec<Retired> = retired.into_values().collect();
    counts.retired = retired.len();
    inputs.sort_by(|a, b| a.file.cmp(&b.file));
    let meta = LayerMeta {
        layer: LayerInfo {
            name: LAYER_NAME.into(),
            source_owner: "Human Disease Ontology (DO), Institute for Genome Sciences, University of Maryland School of Medicine; disease-ontology.org".into(),
            dataset_version,
            older_release,
            licence: "CC0 1.0 (DO release 2026: terms, parents, cross-references, subset synonyms); CC BY 3.0 Unported (synonyms, former labels and UMLS CUIs from the DO release of 2015-05-14)".into(),
            attribution: "Synonyms, former labels and UMLS cross-references from the Human Disease Ontology release of 2015-05-14 (HumanDO.obo), by the Disease Ontology project (Schriml et al.), licensed under CC BY 3.0 (https://creativecommons.org/licenses/by/3.0/). Terms, hierarchy and cross-references from the Human Disease Ontology 2026 release, CC0.".into(),
            importer: "offlabel pack import disease-ontology ../shared/data/disease-ontology".into(),
            files: vec!["conditions.jsonl".into(), "retired.jsonl".into()],
        },
        counts,
        input: inputs,
    };
    Ok(Imported {
        layer: Layer { terms, retired },
        meta,
    })
}

impl Imported {
    /// The `layer.toml` text.
    pub fn layer_toml(&self) -> String {
        let body = toml::to_string(&self.meta).unwrap_or_default();
        format!(
            "# Generated by `{}`; do not edit by hand.\n\n{body}",
            self.meta.layer.importer
        )
    }

    /// The files of the layer: (file name, contents), in a fixed order.
    pub fn files(&self) -> Vec<(&'static str, String)> {
        vec![
            ("conditions.jsonl", self.layer.conditions_jsonl()),
            ("layer.toml", self.layer_toml()),
            ("retired.jsonl", self.layer.retired_jsonl()),
        ]
    }

    /// Writes the layer into `out`: every file to a temporary name first, then renamed, so
    /// a failure leaves the previous layer in place.
    pub fn write(&self, out: &Path) -> Result<(), ImportError> {
        let io = |path: &Path, source| ImportError::Io {
            path: path.display().to_string(),
            source,
        };
        std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
        let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
        for (name, text) in self.files() {
            let fin = out.join(name);
            let tmp = out.join(format!(".{name}.tmp"));
            if let Err(e) = std::fs::write(&tmp, text) {
                for (t, _) in &staged {
                    let _ = std::fs::remove_file(t);
                }
                let _ = std::fs::remove_file(&tmp);
                return Err(io(&tmp, e));
            }
            staged.push((tmp, fin));
        }
        for (tmp, fin) in &staged {
            std::fs::rename(tmp, fin).map_err(|e| io(fin, e))?;
        }
        Ok(())
    }
}
