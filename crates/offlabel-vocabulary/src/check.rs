//! Curated conditions point at live DO terms: the check behind `pack check`'s DO lines.

use crate::{Vocabulary, normalise_phrase};
use offlabel_model::Condition;

/// What is wrong with a curated condition's DO link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CuratedProblemKind {
    /// Neither a DOID nor a note saying why none fits.
    Missing,
    /// The DOID is not written `DOID:` and digits.
    Malformed,
    /// The DOID names no term, current or retired.
    Dangling,
    /// The DOID was retired by DO (or merged into another term).
    Obsolete {
        /// The current term to use instead, when DO names one.
        use_instead: Option<String>,
    },
    /// The curated name is neither the DO label nor one of its synonyms (a warning: curated
    /// names may be narrower or clinical on purpose).
    NameDiffers {
        /// The DO label.
        do_name: String,
    },
}

/// One problem found by [`check_curated`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CuratedProblem {
    /// The curated condition's pack id.
    pub condition: String,
    /// Its DOID as written, if any.
    pub doid: Option<String>,
    /// What is wrong.
    pub kind: CuratedProblemKind,
}

impl CuratedProblem {
    /// Whether `pack check` must fail on it (everything but a name difference).
    pub fn is_error(&self) -> bool {
        !matches!(self.kind, CuratedProblemKind::NameDiffers { .. })
    }
}

impl std::fmt::Display for CuratedProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let id = &self.condition;
        let doid = self.doid.as_deref().unwrap_or("");
        match &self.kind {
            CuratedProblemKind::Missing => write!(
                f,
                "condition {id}: no doid; add `doid = \"DOID:…\"` (see `offlabel condition NAME`) or a `doid_note` saying why none fits"
            ),
            CuratedProblemKind::Malformed => write!(
                f,
                "condition {id}: doid {doid:?} is not `DOID:` followed by digits; write it like \"DOID:8893\""
            ),
            CuratedProblemKind::Dangling => write!(
                f,
                "condition {id}: {doid} is not a Disease Ontology term; look the condition up in knowledge/layers/disease-ontology/conditions.jsonl"
            ),
            CuratedProblemKind::Obsolete { use_instead } => match use_instead {
                Some(new) => write!(f, "condition {id}: {doid} is obsolete in DO; use {new}"),
                None => write!(
                    f,
                    "condition {id}: {doid} is obsolete in DO; pick the current term or write a doid_note"
                ),
            },
            CuratedProblemKind::NameDiffers { do_name } => write!(
                f,
                "condition {id}: name differs from DO's {doid} \"{do_name}\" (a warning; add the DO name as a synonym if it is the same disease)"
            ),
        }
    }
}

fn well_formed(doid: &str) -> bool {
    doid.strip_prefix("DOID:")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks every curated condition's `doid`: present (or explained by `doid_note`), well
/// formed, a current DO term; and lists curated names DO does not know for that term.
pub fn check_curated<'a>(
    conditions: impl IntoIterator<Item = &'a Condition>,
    vocabulary: &Vocabulary,
) -> Vec<CuratedProblem> {
    let mut out = Vec::new();
    for c in conditions {
        let problem = |kind| CuratedProblem {
            condition: c.id.clone(),
            doid: c.doid.clone(),
            kind,
        };
        let Some(doid) = c.doid.as_deref() else {
            if c.doid_note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                out.push(problem(CuratedProblemKind::Missing));
            }
            continue;
        };
        if !well_formed(doid) {
            out.push(problem(CuratedProblemKind::Malformed));
            continue;
        }
        let Some(term) = vocabulary.get(doid) else {
            let merged = vocabulary.merged_into(doid).map(|t| t.id.clone());
            let kind = match (merged, vocabulary.retired(doid)) {
                (Some(new), _) => CuratedProblemKind::Obsolete {
                    use_instead: Some(new),
                },
                (None, Some(r)) => CuratedProblemKind::Obsolete {
                    use_instead: r.replaced_by.clone(),
                },
                (None, None) => CuratedProblemKind::Dangling,
            };
            out.push(problem(kind));
            continue;
        };
        let curated: Vec<String> = std::iter::once(&c.name)
            .chain(&c.synonyms)
            .map(|n| normalise_phrase(n))
            .collect();
        let known = std::iter::once(&term.name)
            .chain(&term.exact)
            .chain(&term.related)
            .chain(&term.narrow)
            .map(|n| normalise_phrase(n))
            .any(|n| curated.contains(&n));
        if !known {
            out.push(problem(CuratedProblemKind::NameDiffers {
                do_name: term.name.clone(),
            }));
        }
    }
    out
}
