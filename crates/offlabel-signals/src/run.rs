//! One signal run, as `offlabel signals` and `GET /v1/signals` perform it: open the
//! store, load the deduplicated reports, count, fit (or take) the EBGM prior, compute
//! the selected pairs and rank them.
//!
//! The caller passes the drug-name → medicine-id function used to find `--drug` (the
//! interfaces pass `Engine::resolve_drug_name`), so this module, like the crate, knows
//! nothing of the knowledge pack.

use crate::count::{AgeBand, Counts, Sex, Stratify};
use crate::signals::{self, Prior, SignalRow};
use crate::stats::Rules;
use crate::stats::ebgm::{FitError, Hyper};
use crate::store::{self, LoadOptions, Store, StoreError};
use serde::Serialize;
use std::cmp::Ordering;
use std::path::PathBuf;

/// How the rows of a run are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortKey {
    /// By drug, then event (alphabetical).
    Name,
    /// By EB05, highest first (the default): the pairs the EBGM rule is surest of.
    #[default]
    Eb05,
    /// By PRR, highest first (an infinite PRR, `c = 0`, ranks first).
    Prr,
    /// By IC025, highest first.
    Ic025,
    /// By the number of reports `a`, highest first.
    A,
}

impl SortKey {
    /// Every key with its name, as accepted by [`SortKey::parse`].
    pub const ALL: [(SortKey, &'static str); 5] = [
        (SortKey::Name, "name"),
        (SortKey::Eb05, "eb05"),
        (SortKey::Prr, "prr"),
        (SortKey::Ic025, "ic025"),
        (SortKey::A, "a"),
    ];

    /// Parses `name`, `eb05`, `prr`, `ic025` or `a` (any case).
    pub fn parse(text: &str) -> Option<SortKey> {
        SortKey::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(text.trim()))
            .map(|(k, _)| *k)
    }

    /// The name.
    pub fn label(self) -> &'static str {
        SortKey::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("eb05", |(_, n)| n)
    }

    /// Sorts `rows` by this key. Statistics rank highest first with NaN (undefined)
    /// last; ties go to the larger `a`, then to drug and event in alphabetical order,
    /// so the order is total and the same on every run. `a` ranks by `a`, then EB05,
    /// then name; `name` by drug, then event.
    pub fn sort(self, rows: &mut [SignalRow]) {
        let by_name =
            |x: &SignalRow, y: &SignalRow| x.drug.cmp(&y.drug).then_with(|| x.event.cmp(&y.event));
        let stat = |r: &SignalRow| match self {
            SortKey::Prr => r.prr,
            SortKey::Ic025 => r.ic025,
            _ => r.eb05,
        };
        match self {
            SortKey::Name => rows.sort_by(by_name),
            SortKey::A => rows.sort_by(|x, y| {
                y.a.cmp(&x.a)
                    .then_with(|| descending(x.eb05, y.eb05))
                    .then_with(|| by_name(x, y))
            }),
            SortKey::Eb05 | SortKey::Prr | SortKey::Ic025 => rows.sort_by(|x, y| {
                descending(stat(x), stat(y))
                    .then_with(|| y.a.cmp(&x.a))
                    .then_with(|| by_name(x, y))
            }),
        }
    }
}

/// Highest first, NaN last (+∞ first).
fn descending(x: f64, y: f64) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => y.partial_cmp(&x).unwrap_or(Ordering::Equal),
    }
}

/// How reports are counted: which ones, and how the expected count is stratified.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counting {
    /// Roles counted and the sex / age-band filters.
    pub load: LoadOptions,
    /// Stratification of the expected count (IC, EBGM).
    pub stratify: Stratify,
    /// A fixed EBGM prior instead of the fit on this run's pairs.
    pub hyper: Option<Hyper>,
}

/// Which pairs to report, and in which order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Selection<'a> {
    /// Only this drug: a medicine id, brand or ingredient, resolved by the caller's
    /// resolver (and tried as written, in lower case).
    pub drug: Option<&'a str>,
    /// Only this event (MedDRA preferred term, any case).
    pub event: Option<&'a str>,
    /// Smallest `a` (0 and 1 both mean every pair).
    pub min_a: u64,
    /// Rules every row must meet (none: no rule required).
    pub rules: Rules,
    /// The ranking.
    pub sort: SortKey,
}

/// The document of a run: `offlabel signals --json` (and, with paging fields,
/// `GET /v1/signals`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SignalsReport {
    /// The store read.
    pub store: String,
    /// Reports counted (`N`): those with at least one counted drug and one event.
    pub reports: u64,
    /// FAERS reports after deduplication and deletion.
    pub faers_reports: u64,
    /// Intake reports read.
    pub intake_reports: u64,
    /// Drug–event pairs with `a ≥ 1`.
    pub pairs: usize,
    /// Roles counted: `suspect` or `all`.
    pub role: &'static str,
    /// Stratification of the expected count: `none`, `sex`, `age` or `sex,age`.
    pub stratify: &'static str,
    /// Sex filter: `F` or `M`.
    pub sex: Option<&'static str>,
    /// Age-band filter: `<18`, `18-64`, `65+` or `unknown`.
    pub age_band: Option<&'static str>,
    /// EBGM prior.
    pub prior: Prior,
    /// Problems that did not stop the run.
    pub warnings: Vec<String>,
    /// The pairs selected, ranked.
    pub results: Vec<SignalRow>,
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The store could not be resolved, opened or read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No report has both a counted drug and an event (after the filters).
    #[error(
        "the store {} holds no report with a counted drug and an event{}; import FAERS with `offlabel faers import --store {} DIR`",
        .path.display(),
        if *.filtered { " for this sex/age band" } else { "" },
        .path.display()
    )]
    NoReports {
        /// The store.
        path: PathBuf,
        /// Whether a sex or age-band filter was set.
        filtered: bool,
    },
    /// The EBGM prior could not be fitted.
    #[error("fitting the EBGM prior: {0}")]
    Prior(#[from] FitError),
    /// The drug asked for is in no counted report.
    #[error(
        "no counted report names {given:?} (looked for {key:?}); check the spelling, or count concomitant drugs too (role all)"
    )]
    UnknownDrug {
        /// The drug as given.
        given: String,
        /// The key it resolved to.
        key: String,
    },
    /// The event asked for is in no counted report.
    #[error(
        "no counted report lists {given:?}; give a MedDRA preferred term as FAERS spells it, e.g. \"Deep vein thrombosis\""
    )]
    UnknownEvent {
        /// The event as given.
        given: String,
    },
}

/// Runs the signal statistics over the store at `store_location` (see
/// [`store::resolve`]; `None`: the default store).
///
/// `resolve` maps a drug name to a medicine id (the function the import used); it is
/// called once, for [`Selection::drug`], whose key is then the one an imported row of
/// that name would have ([`crate::drugs`]).
///
/// # Errors
/// [`RunError`]: store errors, no report to count, a prior that cannot be fitted, a
/// drug or event no counted report holds.
pub fn run(
    store_location: Option<&str>,
    counting: &Counting,
    sel: &Selection<'_>,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Result<SignalsReport, RunError> {
    let path = store::resolve(store_location)?;
    let loaded = Store::open(&path, false)?.load(&counting.load)?;
    let set = &loaded.set;
    let counts = Counts::build(set, counting.stratify);
    if counts.n == 0 {
        return Err(RunError::NoReports {
            filtered: counting.load.sex.is_some() || counting.load.age.is_some(),
            path,
        });
    }
    let prior = signals::prior(&counts, counting.hyper)?;
    let drug_id = match sel.drug {
        None => None,
        Some(d) => {
            let key = resolve(d).unwrap_or_else(|| crate::drugs::fallback_key("", d));
            let lower = d.trim().to_lowercase();
            let id = set
                .drug_names
                .iter()
                .position(|n| *n == key)
                .or_else(|| set.drug_names.iter().position(|n| *n == lower));
            Some(id.map(|i| i as u32).ok_or_else(|| RunError::UnknownDrug {
                given: d.to_owned(),
                key,
            })?)
        }
    };
    let event_id = match sel.event {
        None => None,
        Some(e) => {
            let key = e.trim().to_lowercase();
            Some(
                set.event_names
                    .iter()
                    .position(|n| *n == key)
                    .map(|i| i as u32)
                    .ok_or_else(|| RunError::UnknownEvent {
                        given: e.to_owned(),
                    })?,
            )
        }
    };
    let min_a = sel.min_a.max(1);
    let stats = signals::compute(&counts, prior.hyper, |c| {
        u64::from(c.a) >= min_a
            && drug_id.is_none_or(|d| c.drug == d)
            && event_id.is_none_or(|e| c.event == e)
    });
    let mut results: Vec<SignalRow> = stats
        .iter()
        .filter(|s| sel.rules == Rules::default() || s.rules.contains(sel.rules))
        .map(|s| {
            SignalRow::new(
                s,
                &set.drug_names[s.drug as usize],
                &set.event_names[s.event as usize],
            )
        })
        .collect();
    sel.sort.sort(&mut results);
    Ok(SignalsReport {
        store: path.display().to_string(),
        reports: counts.n,
        faers_reports: loaded.faers_reports,
        intake_reports: loaded.intake_reports,
        pairs: counts.cells.len(),
        role: counting.load.roles.label(),
        stratify: counting.stratify.label(),
        sex: counting.load.sex.map(Sex::label),
        age_band: counting.load.age.map(AgeBand::label),
        prior,
        warnings: loaded.warnings,
        results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(drug: &str, event: &str, a: u64, prr: f64, ic025: f64, eb05: f64) -> SignalRow {
        SignalRow {
            drug: drug.into(),
            event: event.into(),
            a,
            b: 0,
            c: 0,
            d: 0,
            expected: 1.0,
            prr,
            prr_lower: f64::NAN,
            prr_upper: f64::NAN,
            chi2_yates: f64::NAN,
            ror: 1.0,
            ror_lower: 1.0,
            ror_upper: 1.0,
            ic: 0.0,
            ic025,
            ic975: 0.0,
            ebgm: 1.0,
            eb05,
            eb95: 1.0,
            signals: Vec::new(),
        }
    }

    fn names(rows: &[SignalRow]) -> Vec<String> {
        rows.iter()
            .map(|r| format!("{}/{}", r.drug, r.event))
            .collect()
    }

    fn rows() -> Vec<SignalRow> {
        vec![
            row("b", "x", 3, 2.0, 0.5, 1.5),
            row("a", "y", 9, f64::INFINITY, f64::NAN, f64::NAN),
            row("a", "x", 3, 4.0, 1.0, 1.5),
            row("c", "z", 1, f64::NAN, -1.0, 3.0),
            row("a", "w", 5, 1.0, 0.1, 1.5),
        ]
    }

    #[test]
    fn ranks_by_eb05_then_a_then_name_nan_last() {
        let mut r = rows();
        SortKey::Eb05.sort(&mut r);
        assert_eq!(names(&r), ["c/z", "a/w", "a/x", "b/x", "a/y"]);
    }

    #[test]
    fn other_keys() {
        let mut r = rows();
        SortKey::Name.sort(&mut r);
        assert_eq!(names(&r), ["a/w", "a/x", "a/y", "b/x", "c/z"]);
        SortKey::Prr.sort(&mut r);
        assert_eq!(names(&r), ["a/y", "a/x", "b/x", "a/w", "c/z"]);
        SortKey::Ic025.sort(&mut r);
        assert_eq!(names(&r), ["a/x", "b/x", "a/w", "c/z", "a/y"]);
        SortKey::A.sort(&mut r);
        assert_eq!(names(&r), ["a/y", "a/w", "a/x", "b/x", "c/z"]);
    }

    #[test]
    fn parses_keys() {
        for (k, n) in SortKey::ALL {
            assert_eq!(SortKey::parse(n), Some(k));
            assert_eq!(k.label(), n);
        }
        assert_eq!(SortKey::parse(" EB05 "), Some(SortKey::Eb05));
        assert_eq!(SortKey::parse("ror"), None);
        assert_eq!(SortKey::default(), SortKey::Eb05);
    }
}
