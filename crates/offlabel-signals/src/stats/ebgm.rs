//! DuMouchel's empirical-Bayes geometric mean (EBGM) with the two-gamma prior
//! (DuMouchel, Am Stat 1999; formulas as in openEBGM `f_posteriorCalcs.R` and
//! `f_likelihoodEqs.R`).
//!
//! * The count `N` of a cell is Poisson with mean `λE`; the prior of `λ` is
//!   `P·Γ(α1, β1) + (1−P)·Γ(α2, β2)` (shape, rate).
//! * [`fit`] estimates `θ = (α1, β1, α2, β2, P)` by maximum likelihood over the
//!   cells with `N ≥ 1`, using the marginal truncated at `N* = 1`
//!   (`f_k(n) / (1 − f_k(0))`, `f_k` negative binomial with size `α_k` and
//!   probability `β_k/(β_k + E)`), minimised by Nelder–Mead on
//!   `(ln α1, ln β1, ln α2, ln β2, logit P)` from openEBGM's five starting points,
//!   restarted at the best point until it stops improving.
//! * [`PosteriorCalc`] gives, per cell, `Q_n`, `EBGM = exp(E[ln λ])` and the 5th and
//!   95th percentiles of the posterior mixture `Q_n·Γ(α1+n, β1+E) +
//!   (1−Q_n)·Γ(α2+n, β2+E)`, solved by safeguarded Halley iteration inside the
//!   bracket formed by the two components' own quantiles (which always contains the
//!   mixture's), to about 1e-12 relative.

use super::special::{GammaCdfTable, GammaShape, digamma, ln_gamma};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The prior's hyperparameters `θ = (α1, β1, α2, β2, P)` (shapes and rates).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Hyper {
    /// Shape of the first component.
    pub alpha1: f64,
    /// Rate of the first component.
    pub beta1: f64,
    /// Shape of the second component.
    pub alpha2: f64,
    /// Rate of the second component.
    pub beta2: f64,
    /// Weight of the first component, in (0, 1).
    pub p: f64,
}

impl Hyper {
    /// openEBGM's starting points (`autoHyper` vignette `theta_init`).
    pub const STARTS: [Hyper; 5] = [
        Hyper::new(0.2, 0.1, 2.0, 4.0, 1.0 / 3.0),
        Hyper::new(0.1, 0.1, 10.0, 10.0, 0.2),
        Hyper::new(0.3, 0.5, 6.0, 6.0, 0.5),
        Hyper::new(0.5, 0.3, 12.0, 12.0, 0.8),
        Hyper::new(0.2, 0.2, 5.0, 5.0, 0.4),
    ];

    /// The hyperparameters in openEBGM order.
    pub const fn new(alpha1: f64, beta1: f64, alpha2: f64, beta2: f64, p: f64) -> Hyper {
        Hyper {
            alpha1,
            beta1,
            alpha2,
            beta2,
            p,
        }
    }

    /// Whether all four gamma parameters are positive and finite and `0 < P < 1`.
    pub fn is_valid(&self) -> bool {
        [self.alpha1, self.beta1, self.alpha2, self.beta2]
            .iter()
            .all(|v| v.is_finite() && *v > 0.0)
            && self.p > 0.0
            && self.p < 1.0
    }

    /// Parses `α1,β1,α2,β2,P`.
    pub fn parse(text: &str) -> Option<Hyper> {
        let v: Vec<f64> = text
            .split(',')
            .map(|s| s.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .ok()?;
        let [a1, b1, a2, b2, p] = v.as_slice() else {
            return None;
        };
        let h = Hyper::new(*a1, *b1, *a2, *b2, *p);
        h.is_valid().then_some(h)
    }

    fn to_free(self) -> [f64; 5] {
        let inv = |v: f64| {
            let u = ((v.ln() - LN_LOWER) / (LN_UPPER - LN_LOWER)).clamp(1e-12, 1.0 - 1e-12);
            (u / (1.0 - u)).ln()
        };
        [
            inv(self.alpha1),
            inv(self.beta1),
            inv(self.alpha2),
            inv(self.beta2),
            (self.p / (1.0 - self.p)).ln(),
        ]
    }

    fn from_free(x: &[f64; 5]) -> Hyper {
        // Shapes and rates live in [1e-5, 20] (openEBGM hyperEM's param_lower and
        // param_upper), mapped smoothly from the whole line; P in (0, 1).
        let c = |v: f64| (LN_LOWER + (LN_UPPER - LN_LOWER) / (1.0 + (-v).exp())).exp();
        Hyper::new(
            c(x[0]),
            c(x[1]),
            c(x[2]),
            c(x[3]),
            1.0 / (1.0 + (-x[4].clamp(-30.0, 30.0)).exp()),
        )
    }
}

/// `ln` of the smallest shape or rate the fit considers.
const LN_LOWER: f64 = -11.512_925_464_970_229; // ln 1e-5
/// `ln` of the largest shape or rate the fit considers.
const LN_UPPER: f64 = 2.995_732_273_553_991; // ln 20

/// One term of the likelihood: a cell (or a bin of squashed cells) with count
/// `n ≥ 1`, expected count `e` and weight (cells represented).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// The observed count (at least 1).
    pub n: u64,
    /// The expected count (mean over the bin when squashed).
    pub e: f64,
    /// Number of cells represented.
    pub weight: f64,
}

/// Above this many cells, [`points`] squashes.
pub const SQUASH_ABOVE: usize = 20_000;

/// Width of a squashing bin in `ln E`.
pub const SQUASH_WIDTH: f64 = 0.05;

/// Likelihood points from `(n, E)` cells (`n ≥ 1`; cells with `n = 0` or a
/// non-finite or non-positive `E` are skipped).
///
/// Up to [`SQUASH_ABOVE`] cells every cell is its own point. Above, cells are
/// squashed (DuMouchel & Pregibon 2001): within each count `n`, cells whose `ln E`
/// falls in the same bin of width [`SQUASH_WIDTH`] become one point at their mean
/// `E`, weighted by their number. Points are sorted by `n`, then `E`.
pub fn points(cells: impl Iterator<Item = (u64, f64)> + Clone) -> Vec<Point> {
    let total = cells
        .clone()
        .filter(|(n, e)| *n >= 1 && e.is_finite() && *e > 0.0)
        .count();
    let mut out: Vec<Point> = if total <= SQUASH_ABOVE {
        cells
            .filter(|(n, e)| *n >= 1 && e.is_finite() && *e > 0.0)
            .map(|(n, e)| Point { n, e, weight: 1.0 })
            .collect()
    } else {
        let mut bins: FxHashMap<(u64, i64), (f64, f64)> = FxHashMap::default();
        for (n, e) in cells.filter(|(n, e)| *n >= 1 && e.is_finite() && *e > 0.0) {
            let bin = (e.ln() / SQUASH_WIDTH).floor() as i64;
            let slot = bins.entry((n, bin)).or_insert((0.0, 0.0));
            slot.0 += e;
            slot.1 += 1.0;
        }
        bins.into_iter()
            .map(|((n, _), (sum, count))| Point {
                n,
                e: sum / count,
                weight: count,
            })
            .collect()
    };
    out.sort_by(|x, y| x.n.cmp(&y.n).then(x.e.total_cmp(&y.e)));
    out
}

/// The negative log-likelihood of `h` over `points`, with the marginal truncated
/// at `N* = 1` (openEBGM `negLL(…, N_star = 1)`, weighted as `negLLsquash`).
///
/// +∞ for invalid hyperparameters.
pub fn neg_log_lik(h: &Hyper, points: &[Point]) -> f64 {
    Prepared::new(points).neg_log_lik(h)
}

/// Points with their constant terms precomputed, sorted by `n`.
struct Prepared {
    n: Vec<f64>,
    e: Vec<f64>,
    ln_e: Vec<f64>,
    ln_fact: Vec<f64>,
    weight: Vec<f64>,
}

/// Points per parallel chunk of the likelihood.
const CHUNK: usize = 1024;

impl Prepared {
    fn new(points: &[Point]) -> Prepared {
        let mut sorted = points.to_vec();
        sorted.sort_by(|x, y| x.n.cmp(&y.n).then(x.e.total_cmp(&y.e)));
        Prepared {
            n: sorted.iter().map(|p| p.n as f64).collect(),
            e: sorted.iter().map(|p| p.e).collect(),
            ln_e: sorted.iter().map(|p| p.e.ln()).collect(),
            ln_fact: sorted.iter().map(|p| ln_gamma(p.n as f64 + 1.0)).collect(),
            weight: sorted.iter().map(|p| p.weight).collect(),
        }
    }

    fn neg_log_lik(&self, h: &Hyper) -> f64 {
        if !h.is_valid() {
            return f64::INFINITY;
        }
        let len = self.n.len();
        let total: f64 = if len > 2 * CHUNK {
            use rayon::prelude::*;
            (0..len.div_ceil(CHUNK))
                .into_par_iter()
                .map(|c| self.part(h, c * CHUNK, ((c + 1) * CHUNK).min(len)))
                .sum()
        } else {
            self.part(h, 0, len)
        };
        if total.is_nan() { f64::INFINITY } else { total }
    }

    fn part(&self, h: &Hyper, from: usize, to: usize) -> f64 {
        let (la1, la2) = (ln_gamma(h.alpha1), ln_gamma(h.alpha2));
        let (lb1, lb2) = (h.beta1.ln(), h.beta2.ln());
        let (lp, lq) = (h.p.ln(), (1.0 - h.p).ln());
        let (ib1, ib2) = (1.0 / h.beta1, 1.0 / h.beta2);
        let mut total = 0.0;
        let mut last_n = f64::NAN;
        let (mut g1, mut g2) = (0.0, 0.0);
        for i in from..to {
            let n = self.n[i];
            if n != last_n {
                // ln Γ(α+n) − ln Γ(α), by the recurrence when n steps by one.
                if n == last_n + 1.0 {
                    g1 += (h.alpha1 + last_n).ln();
                    g2 += (h.alpha2 + last_n).ln();
                } else {
                    g1 = ln_gamma(h.alpha1 + n) - la1;
                    g2 = ln_gamma(h.alpha2 + n) - la2;
                }
                last_n = n;
            }
            let (e, ln_e) = (self.e[i], self.ln_e[i]);
            // ln f_k(n) = g_k − ln n! + α_k ln(β_k/(β_k+E)) + n ln(E/(β_k+E))
            let t1 = (e * ib1).ln_1p();
            let t2 = (e * ib2).ln_1p();
            let lf1 = g1 - h.alpha1 * t1 + n * (ln_e - lb1 - t1);
            let lf2 = g2 - h.alpha2 * t2 + n * (ln_e - lb2 - t2);
            // Truncation: divide by 1 − f_k(0) = 1 − (β/(β+E))^α.
            let l1 = lp + lf1 - (-(-h.alpha1 * t1).exp_m1()).ln();
            let l2 = lq + lf2 - (-(-h.alpha2 * t2).exp_m1()).ln();
            let m = l1.max(l2);
            let ll = m + (-(l1 - l2).abs()).exp().ln_1p() - self.ln_fact[i];
            total -= self.weight[i] * ll;
        }
        total
    }
}

/// Coarser points for the search from the starting values: `ln E` bins five
/// times wider and, above 20, counts binned to about 5% (at their weighted mean).
fn coarse(points: &[Point]) -> Vec<Point> {
    let mut bins: FxHashMap<(u64, i64), (f64, f64, f64)> = FxHashMap::default();
    for p in points {
        let n_bin = if p.n <= 20 {
            p.n
        } else {
            20 + ((p.n as f64 / 20.0).ln() / 0.05).floor() as u64
        };
        let e_bin = (p.e.ln() / (5.0 * SQUASH_WIDTH)).floor() as i64;
        let slot = bins.entry((n_bin, e_bin)).or_insert((0.0, 0.0, 0.0));
        slot.0 += p.weight * p.n as f64;
        slot.1 += p.weight * p.e;
        slot.2 += p.weight;
    }
    bins.into_values()
        .map(|(n, e, w)| Point {
            n: (n / w).round().max(1.0) as u64,
            e: e / w,
            weight: w,
        })
        .collect()
}

/// The result of [`fit`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Fit {
    /// The maximum-likelihood hyperparameters.
    pub hyper: Hyper,
    /// The minimised negative log-likelihood.
    pub neg_log_lik: f64,
    /// Likelihood evaluations used.
    pub evaluations: u64,
    /// Likelihood points (cells, or bins when squashed).
    pub points: usize,
    /// Cells represented by the points.
    pub cells: u64,
}

/// Why the hyperparameters could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// No cell with a positive count and expected count.
    #[error("no drug–event pair to fit the EBGM prior on; import reports first")]
    NoData,
    /// The optimiser found no finite likelihood.
    #[error(
        "the EBGM prior could not be fitted (no finite likelihood from any starting point); pass fixed hyperparameters with --hyper"
    )]
    NoConvergence,
}

/// Fits `θ` by maximum likelihood (see the module documentation).
///
/// # Errors
/// [`FitError::NoData`] without points; [`FitError::NoConvergence`] when no
/// starting point gives a finite likelihood.
pub fn fit(points: &[Point]) -> Result<Fit, FitError> {
    if points.is_empty() {
        return Err(FitError::NoData);
    }
    let cells = points.iter().map(|p| p.weight).sum::<f64>() as u64;
    let mut evaluations = 0u64;
    // A short run from every start on coarse points (all points when few), then
    // the best start polished on all points until it stops improving.
    let full = Prepared::new(points);
    let rough = if points.len() > 4 * CHUNK {
        Prepared::new(&coarse(points))
    } else {
        Prepared::new(points)
    };
    let mut best: Option<([f64; 5], f64)> = None;
    {
        let mut f = |x: &[f64; 5]| {
            evaluations += 1;
            rough.neg_log_lik(&Hyper::from_free(x))
        };
        for start in Hyper::STARTS {
            let (x, fx) = nelder_mead(&mut f, start.to_free(), 0.5, 250, 1e-7);
            if fx.is_finite() && best.is_none_or(|(_, fb)| fx < fb) {
                best = Some((x, fx));
            }
        }
    }
    let (mut x, _) = best.ok_or(FitError::NoConvergence)?;
    let mut f = |x: &[f64; 5]| {
        evaluations += 1;
        full.neg_log_lik(&Hyper::from_free(x))
    };
    let mut fx = f(&x);
    for _ in 0..6 {
        let (nx, nfx) = nelder_mead(&mut f, x, 0.05, 3000, 1e-13);
        let improved = fx - nfx > 1e-11 * fx.abs().max(1.0);
        if nfx <= fx {
            x = nx;
            fx = nfx;
        }
        if !improved {
            break;
        }
    }
    if !fx.is_finite() {
        return Err(FitError::NoConvergence);
    }
    Ok(Fit {
        hyper: Hyper::from_free(&x),
        neg_log_lik: fx,
        evaluations,
        points: points.len(),
        cells,
    })
}

/// Nelder–Mead minimisation from `x0` with an initial simplex of `step` along each
/// axis; stops after `max_iter` iterations or when the values at the vertices agree
/// to `tol` (relative).
fn nelder_mead(
    f: &mut impl FnMut(&[f64; 5]) -> f64,
    x0: [f64; 5],
    step: f64,
    max_iter: usize,
    tol: f64,
) -> ([f64; 5], f64) {
    const D: usize = 5;
    let mut simplex: Vec<([f64; D], f64)> = Vec::with_capacity(D + 1);
    simplex.push((x0, f(&x0)));
    for i in 0..D {
        let mut x = x0;
        x[i] += step;
        simplex.push((x, f(&x)));
    }
    let lerp = |a: &[f64; D], b: &[f64; D], t: f64| -> [f64; D] {
        let mut out = [0.0; D];
        for k in 0..D {
            out[k] = a[k] + t * (b[k] - a[k]);
        }
        out
    };
    for _ in 0..max_iter {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[D].1);
        let spread = (worst - best).abs();
        let size = simplex
            .iter()
            .skip(1)
            .flat_map(|(x, _)| {
                x.iter()
                    .zip(simplex[0].0.iter())
                    .map(|(a, b)| (a - b).abs())
            })
            .fold(0.0_f64, f64::max);
        if best.is_finite() && (spread <= tol * best.abs().max(1e-300) || size < 1e-10) {
            break;
        }
        let mut centroid = [0.0; D];
        for (x, _) in simplex.iter().take(D) {
            for k in 0..D {
                centroid[k] += x[k] / D as f64;
            }
        }
        let worst_x = simplex[D].0;
        let reflected = lerp(&centroid, &worst_x, -1.0);
        let fr = f(&reflected);
        if fr < simplex[0].1 {
            let expanded = lerp(&centroid, &worst_x, -2.0);
            let fe = f(&expanded);
            simplex[D] = if fe < fr {
                (expanded, fe)
            } else {
                (reflected, fr)
            };
        } else if fr < simplex[D - 1].1 {
            simplex[D] = (reflected, fr);
        } else {
            let (contracted, fc) = if fr < worst {
                let c = lerp(&centroid, &worst_x, -0.5);
                let fc = f(&c);
                (c, fc)
            } else {
                let c = lerp(&centroid, &worst_x, 0.5);
                let fc = f(&c);
                (c, fc)
            };
            if fc < worst.min(fr) {
                simplex[D] = (contracted, fc);
            } else {
                let x_best = simplex[0].0;
                for v in simplex.iter_mut().skip(1) {
                    let x = lerp(&x_best, &v.0, 0.5);
                    *v = (x, f(&x));
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex[0]
}

/// The posterior summaries of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Posterior {
    /// `Q_n`: posterior weight of the first component.
    pub qn: f64,
    /// Empirical-Bayes geometric mean, `exp(E[ln λ | N = n])`.
    pub ebgm: f64,
    /// 5th percentile of the posterior of `λ`.
    pub eb05: f64,
    /// 95th percentile.
    pub eb95: f64,
}

/// What the posterior needs per count `n`, computed once per distinct `n`.
#[derive(Debug, Clone)]
struct PerN {
    s1: GammaShape,
    s2: GammaShape,
    /// `ln Γ(α_k + n) − ln Γ(α_k) + α_k ln β_k` for k = 1, 2.
    c1: f64,
    c2: f64,
    psi1: f64,
    psi2: f64,
    /// Standard-gamma quantiles of each component's shape at 0.05 and 0.95.
    q1: [f64; 2],
    q2: [f64; 2],
    /// Series reciprocals of each shape (see [`GammaShape::reciprocals`]).
    recip1: Vec<f64>,
    recip2: Vec<f64>,
    /// CDF tables of each shape, for the counts most cells have.
    table1: Option<GammaCdfTable>,
    table2: Option<GammaCdfTable>,
}

/// Counts up to this get CDF tables (most cells; a table costs ~1,000 exact
/// evaluations to build, a cell ~10).
const TABLE_N: u64 = 64;

impl PerN {
    fn with_tables(mut self, n: u64) -> PerN {
        if n <= TABLE_N {
            self.table1 = Some(GammaCdfTable::new(&self.s1, &self.recip1));
            self.table2 = Some(GammaCdfTable::new(&self.s2, &self.recip2));
        }
        self
    }
}

/// Counts up to this are cached in a dense table; larger ones are computed per call.
const DENSE_N: usize = 1 << 16;

/// Length of the per-shape reciprocal tables.
const RECIPROCALS: usize = 256;

/// Per-cell posterior calculations for fixed hyperparameters, with the per-count
/// work cached (thread-safe; share it across threads).
#[derive(Debug)]
pub struct PosteriorCalc {
    hyper: Hyper,
    ln_odds: f64,
    dense: Vec<OnceLock<PerN>>,
}

impl PosteriorCalc {
    /// The calculator for `hyper` (which must be valid: see [`Hyper::is_valid`]).
    pub fn new(hyper: Hyper) -> PosteriorCalc {
        PosteriorCalc {
            hyper,
            ln_odds: ((1.0 - hyper.p) / hyper.p).ln(),
            dense: (0..DENSE_N).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The hyperparameters.
    pub fn hyper(&self) -> Hyper {
        self.hyper
    }

    fn per_n_uncached(&self, n: u64) -> PerN {
        let h = &self.hyper;
        let nf = n as f64;
        let s1 = GammaShape::new(h.alpha1 + nf);
        let s2 = GammaShape::new(h.alpha2 + nf);
        PerN {
            c1: s1.ln_gamma_a - ln_gamma(h.alpha1) + h.alpha1 * h.beta1.ln(),
            c2: s2.ln_gamma_a - ln_gamma(h.alpha2) + h.alpha2 * h.beta2.ln(),
            psi1: digamma(s1.a),
            psi2: digamma(s2.a),
            q1: [s1.quantile(0.05), s1.quantile(0.95)],
            q2: [s2.quantile(0.05), s2.quantile(0.95)],
            recip1: s1.reciprocals(RECIPROCALS),
            recip2: s2.reciprocals(RECIPROCALS),
            table1: None,
            table2: None,
            s1,
            s2,
        }
        .with_tables(n)
    }

    /// `Q_n`, EBGM, EB05 and EB95 for a cell with count `n` and expected count `e`.
    pub fn posterior(&self, n: u64, e: f64) -> Posterior {
        let owned;
        let c = match self.dense.get(n as usize) {
            Some(slot) => slot.get_or_init(|| self.per_n_uncached(n)),
            None => {
                owned = self.per_n_uncached(n);
                &owned
            }
        };
        let h = &self.hyper;
        let nf = n as f64;
        let (r1, r2) = (h.beta1 + e, h.beta2 + e);
        // ln[(1−P) f2(n)] − ln[P f1(n)]; the terms common to both cancel.
        let d =
            self.ln_odds + (c.c2 - (h.alpha2 + nf) * r2.ln()) - (c.c1 - (h.alpha1 + nf) * r1.ln());
        let qn = 1.0 / (1.0 + d.exp());
        let e_ln = qn * (c.psi1 - r1.ln()) + (1.0 - qn) * (c.psi2 - r2.ln());
        let m1 = Component {
            shape: &c.s1,
            recip: &c.recip1,
            table: c.table1.as_ref(),
            rate: r1,
            ln_rate: r1.ln(),
        };
        let m2 = Component {
            shape: &c.s2,
            recip: &c.recip2,
            table: c.table2.as_ref(),
            rate: r2,
            ln_rate: r2.ln(),
        };
        Posterior {
            qn,
            ebgm: e_ln.exp(),
            eb05: mixture_quantile(0.05, qn, &m1, c.q1[0], &m2, c.q2[0]),
            eb95: mixture_quantile(0.95, qn, &m1, c.q1[1], &m2, c.q2[1]),
        }
    }
}

/// One gamma component of a posterior: `Γ(shape, rate)`.
struct Component<'a> {
    shape: &'a GammaShape,
    recip: &'a [f64],
    table: Option<&'a GammaCdfTable>,
    rate: f64,
    ln_rate: f64,
}

impl Component<'_> {
    /// `(P, Q, density · x)` at `x = e^u` (the density of `λ`).
    fn eval(&self, x: f64, u: f64) -> (f64, f64, f64) {
        if let Some(p) = self.table.and_then(|t| t.p(u + self.ln_rate)) {
            return (p, 1.0 - p, self.front(x, u));
        }
        self.shape.p_q_with(self.rate * x, self.recip)
    }

    /// `density · x` at `x = e^u`.
    fn front(&self, x: f64, u: f64) -> f64 {
        let y = self.rate * x;
        (self.shape.a * (u + self.ln_rate) - y - self.shape.ln_gamma_a).exp()
    }
}

/// `x` with `w·F1(x) + (1−w)·F2(x) = p`, given each component's standard
/// quantile `g_k` at `p` (so `F_k(g_k / rate_k) = p`).
///
/// Solved in `u = ln x` (the components may differ in scale by orders of
/// magnitude): `dF/du = Σ w_k·front_k`, `d²F/du² = Σ w_k·front_k·(a_k − rate_k·x)`,
/// Halley steps kept inside the bracket, geometric bisection otherwise.
fn mixture_quantile(
    p: f64,
    w: f64,
    m1: &Component<'_>,
    g1: f64,
    m2: &Component<'_>,
    g2: f64,
) -> f64 {
    let (x1, x2) = (g1 / m1.rate, g2 / m2.rate);
    // NaN weights fall through to the first branch on purpose.
    if w.is_nan() || w <= 0.0 {
        return x2;
    }
    if w >= 1.0 {
        return x1;
    }
    let (lo_x, hi_x) = if x1 <= x2 { (x1, x2) } else { (x2, x1) };
    if hi_x - lo_x <= 1e-15 * hi_x {
        return 0.5 * (lo_x + hi_x);
    }
    let (mut lo, mut hi) = (lo_x.ln(), hi_x.ln());
    let upper_tail = p > 0.5;
    // Start at the heavier component's quantile, where that component's CDF is
    // exactly p: only the other one needs evaluating there.
    let mut x = if w >= 0.5 { x1 } else { x2 };
    let mut u = x.ln();
    for it in 0..100 {
        let ((p1, q1, f1), (p2, q2, f2)) = if it > 0 {
            (m1.eval(x, u), m2.eval(x, u))
        } else if w >= 0.5 {
            ((p, 1.0 - p, m1.front(x, u)), m2.eval(x, u))
        } else {
            (m1.eval(x, u), (p, 1.0 - p, m2.front(x, u)))
        };
        // err = F(x) − p, from the tail that keeps full precision.
        let err = if upper_tail {
            (1.0 - p) - (w * q1 + (1.0 - w) * q2)
        } else {
            w * p1 + (1.0 - w) * p2 - p
        };
        if err == 0.0 {
            return x;
        }
        if err < 0.0 {
            lo = lo.max(u);
        } else {
            hi = hi.min(u);
        }
        let (d1, d2) = (w * f1, (1.0 - w) * f2);
        let slope = d1 + d2;
        let curve = d1 * (m1.shape.a - m1.rate * x) + d2 * (m2.shape.a - m2.rate * x);
        let mut next = f64::NAN;
        if slope > 0.0 && slope.is_finite() {
            let newton = err / slope;
            let denom = 1.0 - 0.5 * newton * curve / slope;
            let step = if denom > 0.5 { newton / denom } else { newton };
            next = u - step;
        }
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        // 1e-12 relative: the CDF values carry ~1e-15 of rounding, so a finer
        // step would only chase noise.
        if (next - u).abs() <= 1e-12 || hi - lo <= 1e-13 {
            return next.exp();
        }
        u = next;
        x = u.exp();
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// θ̂ printed in openEBGM's posterior vignette (caers, squashed, autoHyper).
    const VIGNETTE: Hyper = Hyper::new(3.25379064, 0.39988801, 2.02613219, 1.90808279, 0.06534557);

    #[test]
    fn qn_matches_the_vignette() {
        let calc = PosteriorCalc::new(VIGNETTE);
        let cases = [
            (0.0360548272, 0.2819736),
            (0.0038736591, 0.3409652),
            (0.0002979738, 0.3482316),
            (0.0765792610, 0.2226354),
            (0.0527413588, 0.2556668),
        ];
        for (e, q) in cases {
            let got = calc.posterior(1, e).qn;
            assert!((got - q).abs() < 1e-6, "E={e}: {got} vs {q}");
        }
    }

    #[test]
    fn neg_log_lik_matches_the_hand_formula() {
        // openEBGM testC_Likelihoods: negLL with N* = 1 written out by hand.
        let h = Hyper::new(0.125874, 0.13587, 1.24578, 3.01587, 0.05);
        let pts: Vec<Point> = [(1u64, 6.0), (2, 10.0), (3, 16.0), (1, 0.3)]
            .iter()
            .map(|&(n, e)| Point { n, e, weight: 1.0 })
            .collect();
        let nb = |n: u64, a: f64, b: f64, e: f64| -> f64 {
            let pr: f64 = b / (b + e);
            let coeff = (ln_gamma(a + n as f64) - ln_gamma(a) - ln_gamma(n as f64 + 1.0)).exp();
            coeff * pr.powf(a) * (1.0 - pr).powi(n as i32)
        };
        let mut want = 0.0;
        for p in &pts {
            let f1 = nb(p.n, h.alpha1, h.beta1, p.e) / (1.0 - nb(0, h.alpha1, h.beta1, p.e));
            let f2 = nb(p.n, h.alpha2, h.beta2, p.e) / (1.0 - nb(0, h.alpha2, h.beta2, p.e));
            want -= (h.p * f1 + (1.0 - h.p) * f2).ln();
        }
        let got = neg_log_lik(&h, &pts);
        assert!((got - want).abs() < 1e-12 * want.abs(), "{got} vs {want}");
    }

    #[test]
    fn fit_recovers_a_simulated_prior() {
        // Deterministic pseudo-data: for a grid of E, the expected share of cells at
        // each n under a known prior (weights = expected frequencies), so the
        // likelihood is the cross-entropy and is smallest at the truth.
        let truth = Hyper::new(0.3, 0.2, 3.0, 2.5, 0.15);
        let mut pts = Vec::new();
        for i in 0..50 {
            let e = 0.01 * 1.15_f64.powi(i);
            for n in 1..300u64 {
                // The truncated marginal the likelihood models: f_k(n) / (1 − f_k(0)).
                let lf = |a: f64, b: f64| {
                    let t = (e / b).ln_1p();
                    (ln_gamma(a + n as f64) - ln_gamma(a) - ln_gamma(n as f64 + 1.0) - a * t
                        + n as f64 * (e.ln() - b.ln() - t))
                        .exp()
                        / -(-a * t).exp_m1()
                };
                let f = truth.p * lf(truth.alpha1, truth.beta1)
                    + (1.0 - truth.p) * lf(truth.alpha2, truth.beta2);
                if f > 1e-14 {
                    pts.push(Point {
                        n,
                        e,
                        weight: 1e5 * f,
                    });
                }
            }
        }
        let fit = fit(&pts).expect("fits");
        let h = fit.hyper;
        // Either labelling of the components is the same prior.
        let (a, b) = if (h.alpha1 - 0.3).abs() < (h.alpha2 - 0.3).abs() {
            (h, truth)
        } else {
            (
                Hyper::new(h.alpha2, h.beta2, h.alpha1, h.beta1, 1.0 - h.p),
                truth,
            )
        };
        for (x, y) in [
            (a.alpha1, b.alpha1),
            (a.beta1, b.beta1),
            (a.alpha2, b.alpha2),
            (a.beta2, b.beta2),
            (a.p, b.p),
        ] {
            assert!((x - y).abs() < 2e-3 * y.max(0.1), "{a:?} vs {b:?}");
        }
        assert!(neg_log_lik(&fit.hyper, &pts) <= neg_log_lik(&truth, &pts) + 1e-6);
    }

    #[test]
    fn quantiles_bracket_and_order() {
        let calc = PosteriorCalc::new(VIGNETTE);
        for &(n, e) in &[
            (1u64, 1e-4),
            (1, 3.0),
            (5, 0.2),
            (40, 12.0),
            (70_000, 65_000.0),
        ] {
            let p = calc.posterior(n, e);
            assert!(p.eb05 < p.ebgm && p.ebgm < p.eb95, "{n} {e} {p:?}");
        }
    }

    #[test]
    fn parse_hyper() {
        assert_eq!(
            Hyper::parse("0.2, 0.1,2,4,0.5"),
            Some(Hyper::new(0.2, 0.1, 2.0, 4.0, 0.5))
        );
        assert_eq!(Hyper::parse("0.2,0.1,2,4,1.5"), None);
        assert_eq!(Hyper::parse("0.2,0.1,2,4"), None);
    }
}
