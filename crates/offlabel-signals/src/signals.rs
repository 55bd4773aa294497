//! Every statistic for every drug–event pair of a [`Counts`].

use crate::count::{Cell, Counts};
use crate::stats::ebgm::{self, Fit, FitError, Hyper, Posterior, PosteriorCalc};
use crate::stats::{self, Estimate, IcQuantiles, Rules, Table2x2};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::OnceLock;

/// All statistics of one pair, with ids (see [`SignalRow`] for names).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairStats {
    /// Drug id.
    pub drug: u32,
    /// Event id.
    pub event: u32,
    /// The 2×2 table.
    pub table: Table2x2,
    /// Expected count (stratified when the counts are).
    pub expected: f64,
    /// PRR and its 95% CI.
    pub prr: Estimate,
    /// Yates-corrected χ².
    pub chi2_yates: f64,
    /// ROR and its 95% CI.
    pub ror: Estimate,
    /// IC with IC025 and IC975.
    pub ic: Estimate,
    /// EBGM, EB05, EB95 and `Q_n`.
    pub eb: Posterior,
    /// The rules met.
    pub rules: Rules,
}

/// The hyperparameters used by a run, and where they came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Prior {
    /// The hyperparameters.
    #[serde(flatten)]
    pub hyper: Hyper,
    /// `fitted` (maximum likelihood on this run's cells) or `given`.
    pub source: &'static str,
    /// The fit, when fitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fit: Option<Fit>,
}

/// Fits the EBGM prior on every cell of `counts` (`n = a`, `E` = expected).
///
/// # Errors
/// See [`ebgm::fit`].
pub fn fit_prior(counts: &Counts) -> Result<Prior, FitError> {
    let points = ebgm::points(
        counts
            .cells
            .iter()
            .map(|c| (u64::from(c.a), counts.expected(c))),
    );
    let fit = ebgm::fit(&points)?;
    Ok(Prior {
        hyper: fit.hyper,
        source: "fitted",
        fit: Some(fit),
    })
}

/// The prior to use: `given` when set, else fitted on `counts`.
///
/// # Errors
/// See [`ebgm::fit`].
pub fn prior(counts: &Counts, given: Option<Hyper>) -> Result<Prior, FitError> {
    match given {
        Some(hyper) => Ok(Prior {
            hyper,
            source: "given",
            fit: None,
        }),
        None => fit_prior(counts),
    }
}

/// Counts up to this get their IC quantiles cached.
const DENSE_A: usize = 1 << 16;

/// Computes every statistic for the cells `select` keeps, in parallel, in cell order.
pub fn compute(
    counts: &Counts,
    hyper: Hyper,
    select: impl Fn(&Cell) -> bool + Sync,
) -> Vec<PairStats> {
    let calc = PosteriorCalc::new(hyper);
    let ic_cache: Vec<OnceLock<IcQuantiles>> = (0..DENSE_A).map(|_| OnceLock::new()).collect();
    counts
        .cells
        .par_iter()
        .with_min_len(4096)
        .filter(|c| select(c))
        .map(|c| pair_stats(counts, c, &calc, &ic_cache))
        .collect()
}

fn pair_stats(
    counts: &Counts,
    cell: &Cell,
    calc: &PosteriorCalc,
    ic_cache: &[OnceLock<IcQuantiles>],
) -> PairStats {
    let a = u64::from(cell.a);
    let table = counts.table(cell);
    let expected = counts.expected(cell);
    let prr = stats::prr(&table);
    let chi2_yates = stats::chi2_yates(&table);
    let ror = stats::ror(&table);
    let q = match ic_cache.get(cell.a as usize) {
        Some(slot) => *slot.get_or_init(|| IcQuantiles::new(a)),
        None => IcQuantiles::new(a),
    };
    let ic = stats::ic_with(a, expected, &q);
    let eb = calc.posterior(a, expected);
    let rules = Rules::evaluate(a, prr.value, chi2_yates, ror.lower, ic.lower, eb.eb05);
    PairStats {
        drug: cell.drug,
        event: cell.event,
        table,
        expected,
        prr,
        chi2_yates,
        ror,
        ic,
        eb,
        rules,
    }
}

/// One output row, with the field names of the JSON contract (`GET /v1/signals`,
/// `offlabel signals --json`). Non-finite numbers serialise as `null`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SignalRow {
    /// Drug key (pack id, or lower-case active ingredient or name).
    pub drug: String,
    /// Event (MedDRA preferred term, lower case).
    pub event: String,
    /// Reports with the drug and the event.
    pub a: u64,
    /// Reports with the drug, without the event.
    pub b: u64,
    /// Reports with the event, without the drug.
    pub c: u64,
    /// Reports with neither.
    pub d: u64,
    /// Expected count `E`.
    pub expected: f64,
    /// Proportional reporting ratio.
    pub prr: f64,
    /// PRR lower 95% limit.
    pub prr_lower: f64,
    /// PRR upper 95% limit.
    pub prr_upper: f64,
    /// χ² with Yates' correction.
    pub chi2_yates: f64,
    /// Reporting odds ratio.
    pub ror: f64,
    /// ROR lower 95% limit.
    pub ror_lower: f64,
    /// ROR upper 95% limit.
    pub ror_upper: f64,
    /// Information component.
    pub ic: f64,
    /// IC 2.5% credibility limit.
    pub ic025: f64,
    /// IC 97.5% credibility limit.
    pub ic975: f64,
    /// Empirical-Bayes geometric mean.
    pub ebgm: f64,
    /// EBGM posterior 5th percentile.
    pub eb05: f64,
    /// EBGM posterior 95th percentile.
    pub eb95: f64,
    /// Names of the signal rules met (`evans`, `ror025`, `ic025`, `eb05`).
    pub signals: Vec<&'static str>,
}

impl SignalRow {
    /// The row for `s`, naming drug and event.
    pub fn new(s: &PairStats, drug: &str, event: &str) -> SignalRow {
        SignalRow {
            drug: drug.to_owned(),
            event: event.to_owned(),
            a: s.table.a,
            b: s.table.b,
            c: s.table.c,
            d: s.table.d,
            expected: s.expected,
            prr: s.prr.value,
            prr_lower: s.prr.lower,
            prr_upper: s.prr.upper,
            chi2_yates: s.chi2_yates,
            ror: s.ror.value,
            ror_lower: s.ror.lower,
            ror_upper: s.ror.upper,
            ic: s.ic.value,
            ic025: s.ic.lower,
            ic975: s.ic.upper,
            ebgm: s.eb.ebgm,
            eb05: s.eb.eb05,
            eb95: s.eb.eb95,
            signals: s.rules.names(),
        }
    }

    /// The CSV header matching [`SignalRow::csv`].
    pub const CSV_HEADER: &'static str = "drug,event,a,b,c,d,expected,prr,prr_lower,prr_upper,chi2_yates,ror,ror_lower,ror_upper,ic,ic025,ic975,ebgm,eb05,eb95,signals";

    /// The row as one CSV line (RFC 4180 quoting; non-finite numbers empty; the
    /// signals joined by `;`).
    pub fn csv(&self) -> String {
        let num = |v: f64| {
            if v.is_finite() {
                format!("{v}")
            } else {
                String::new()
            }
        };
        let text = |s: &str| {
            if s.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_owned()
            }
        };
        [
            text(&self.drug),
            text(&self.event),
            self.a.to_string(),
            self.b.to_string(),
            self.c.to_string(),
            self.d.to_string(),
            num(self.expected),
            num(self.prr),
            num(self.prr_lower),
            num(self.prr_upper),
            num(self.chi2_yates),
            num(self.ror),
            num(self.ror_lower),
            num(self.ror_upper),
            num(self.ic),
            num(self.ic025),
            num(self.ic975),
            num(self.ebgm),
            num(self.eb05),
            num(self.eb95),
            self.signals.join(";"),
        ]
        .join(",")
    }
}
