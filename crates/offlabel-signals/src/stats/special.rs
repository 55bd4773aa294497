//! Special functions: log-gamma, digamma, the regularised incomplete gamma function
//! and its inverse, and the normal quantile used nowhere but in tests.
//!
//! Hand-written rather than taken from `statrs` for two reasons the benchmark shows:
//! the per-cell posterior quantiles reuse `ln Γ(a)` for the same shape millions of
//! times ([`GammaShape`] caches it), and the inverse must be accurate to ~1e-14
//! relative so that the Python reference (SciPy) agrees to 1e-9. Accuracy is checked
//! in the unit tests below against closed forms and published values.

use std::f64::consts::PI;

/// Machine-precision stopping rule of the series and continued fractions.
const EPS: f64 = 1e-16;
/// Smallest positive value used to guard the continued fraction.
const TINY: f64 = 1e-300;

const LANCZOS_G: f64 = 7.0;
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7; Stirling's series from 15 on).
///
/// Returns NaN for `x ≤ 0` or NaN.
pub fn ln_gamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x < 0.5 {
        // Γ(x) = Γ(x + 1) / x keeps the Lanczos sum in its accurate range.
        return ln_gamma(x + 1.0) - x.ln();
    }
    if x >= 15.0 {
        // Stirling with six correction terms: error below 1e-17 relative here.
        let z = 1.0 / (x * x);
        let series = (1.0 / 12.0
            + z * (-1.0 / 360.0
                + z * (1.0 / 1260.0
                    + z * (-1.0 / 1680.0 + z * (1.0 / 1188.0 - z * 691.0 / 360_360.0)))))
            / x;
        return (x - 0.5) * x.ln() - x + 0.5 * (2.0 * PI).ln() + series;
    }
    let x = x - 1.0;
    let mut sum = LANCZOS[0];
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + LANCZOS_G + 0.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The digamma function `ψ(x) = d/dx ln Γ(x)` for `x > 0`.
///
/// Returns NaN for `x ≤ 0` or NaN.
pub fn digamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    let mut x = x;
    let mut acc = 0.0;
    while x < 10.0 {
        acc -= 1.0 / x;
        x += 1.0;
    }
    let z = 1.0 / (x * x);
    // Asymptotic series with Bernoulli numbers B2..B12.
    let tail = z
        * (1.0 / 12.0
            - z * (1.0 / 120.0
                - z * (1.0 / 252.0
                    - z * (1.0 / 240.0 - z * (1.0 / 132.0 - z * 691.0 / 32_760.0)))));
    acc + x.ln() - 0.5 / x - tail
}

/// A gamma shape `a > 0` with `ln Γ(a)` computed once: the unit of the incomplete
/// gamma evaluations, which the posterior calculations repeat per count `n`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GammaShape {
    /// The shape `a`.
    pub a: f64,
    /// `ln Γ(a)`.
    pub ln_gamma_a: f64,
}

impl GammaShape {
    /// The shape `a` (must be positive and finite; otherwise every result is NaN).
    pub fn new(a: f64) -> GammaShape {
        GammaShape {
            a,
            ln_gamma_a: ln_gamma(a),
        }
    }

    /// `(P(a, x), Q(a, x), x^a e^-x / Γ(a))`: the regularised lower and upper
    /// incomplete gamma functions and the common prefactor (which is `x` times the
    /// density of the standard gamma distribution at `x`).
    pub fn p_q(&self, x: f64) -> (f64, f64, f64) {
        self.p_q_with(x, &[])
    }

    /// The reciprocals `1/(a + k)` for `k = 1..=len`, which make [`p_q_with`]
    /// faster (multiplications instead of a chain of divisions in the series).
    ///
    /// [`p_q_with`]: GammaShape::p_q_with
    pub fn reciprocals(&self, len: usize) -> Vec<f64> {
        (1..=len).map(|k| 1.0 / (self.a + k as f64)).collect()
    }

    /// [`p_q`](GammaShape::p_q) with a table from
    /// [`reciprocals`](GammaShape::reciprocals) (any length; the same result).
    pub fn p_q_with(&self, x: f64, recip: &[f64]) -> (f64, f64, f64) {
        let a = self.a;
        if x.is_nan() || a.is_nan() || a <= 0.0 {
            return (f64::NAN, f64::NAN, f64::NAN);
        }
        if x <= 0.0 {
            return (0.0, 1.0, 0.0);
        }
        if x == f64::INFINITY {
            return (1.0, 0.0, 0.0);
        }
        let front = (a * x.ln() - x - self.ln_gamma_a).exp();
        // The series is used below a + 1 (Numerical Recipes' rule) and, with a
        // reciprocal table, through the bulk of the distribution (to a + 4√a + 4)
        // as far as the table covers the terms it needs (about x − a + 8√x): multiplications beat the continued fraction's
        // divisions, and every term is positive, so nothing cancels. Q = 1 − P then
        // carries an absolute error of ~1e-16, which the quantiles tolerate.
        let table_covers =
            x < a + 4.0 * a.sqrt() + 4.0 && (x - a + 8.0 * x.sqrt() + 16.0) < recip.len() as f64;
        if x < a + 1.0 || table_covers {
            // Series: P = front · Σ x^k / (a (a+1) … (a+k)).
            let mut term = 1.0 / a;
            let mut sum = term;
            let mut done = false;
            for r in recip {
                term *= x * r;
                sum += term;
                if term < sum * EPS {
                    done = true;
                    break;
                }
            }
            if !done {
                let mut ap = a + recip.len() as f64;
                for _ in 0..100_000 {
                    ap += 1.0;
                    term *= x / ap;
                    sum += term;
                    if term < sum * EPS {
                        break;
                    }
                }
            }
            let p = (sum * front).min(1.0);
            (p, 1.0 - p, front)
        } else {
            // Continued fraction for Q (modified Lentz).
            let mut b = x + 1.0 - a;
            let mut c = 1.0 / TINY;
            let mut d = 1.0 / b;
            let mut h = d;
            for i in 1..100_000 {
                let an = -(i as f64) * (i as f64 - a);
                b += 2.0;
                d = an * d + b;
                if d.abs() < TINY {
                    d = TINY;
                }
                c = b + an / c;
                if c.abs() < TINY {
                    c = TINY;
                }
                d = 1.0 / d;
                let del = d * c;
                h *= del;
                // One ulp: a tighter test may never be met in floating point.
                if (del - 1.0).abs() <= f64::EPSILON {
                    break;
                }
            }
            let q = (front * h).min(1.0);
            (1.0 - q, q, front)
        }
    }

    /// `P(a, x)`, the regularised lower incomplete gamma function (the CDF of the
    /// standard gamma distribution with shape `a`).
    pub fn p(&self, x: f64) -> f64 {
        self.p_q(x).0
    }

    /// The quantile of the standard gamma distribution: `x` with `P(a, x) = p`,
    /// accurate to about 1e-14 relative. `p` in (0, 1); 0 gives 0 and 1 gives +∞.
    pub fn quantile(&self, p: f64) -> f64 {
        let a = self.a;
        if a.is_nan() || a <= 0.0 || !(0.0..=1.0).contains(&p) {
            return f64::NAN;
        }
        if p == 0.0 {
            return 0.0;
        }
        if p == 1.0 {
            return f64::INFINITY;
        }
        let mut x = initial_guess(a, p).max(f64::MIN_POSITIVE);
        // Bracket [lo, hi] with P(lo) < p < P(hi), kept for safeguarding.
        let mut lo = 0.0_f64;
        let mut hi = f64::INFINITY;
        for _ in 0..200 {
            let (pp, qq, front) = self.p_q(x);
            // Solve on the smaller tail for full relative precision.
            let err = if p < 0.5 { pp - p } else { (1.0 - p) - qq };
            if err == 0.0 {
                return x;
            }
            if err < 0.0 {
                lo = x;
            } else {
                hi = x;
            }
            let dens = front / x; // density of the standard gamma at x
            let mut next = f64::NAN;
            if dens > 0.0 && dens.is_finite() {
                let u = err / dens;
                // Halley's correction: f'/f = (a - 1)/x - 1.
                let corr = u * ((a - 1.0) / x - 1.0);
                let step = u / (1.0 - 0.5 * corr.clamp(-1.0, 1.0));
                next = x - step;
            }
            if !(next > lo && next < hi && next.is_finite()) {
                next = if hi.is_finite() {
                    0.5 * (lo + hi)
                } else {
                    2.0 * x.max(1.0)
                };
            }
            if (next - x).abs() <= 1e-15 * x.abs() {
                return next;
            }
            if hi.is_finite() && (hi - lo) <= 1e-15 * hi {
                return 0.5 * (lo + hi);
            }
            x = next;
        }
        x
    }
}

/// `P(a, y)` for one shape, tabulated as piecewise Chebyshev series in `u = ln y`
/// between the 1e-10 and 1 − 1e-10 quantiles, to about 5e-15·max(1, a/4) absolute
/// (the rounding of the exact evaluation itself).
///
/// The posterior quantiles evaluate the same few shapes millions of times; a table
/// turns each evaluation into a binary search and a 17-term Clenshaw sum. Pieces
/// are split until their last two coefficients fall below that level and the
/// series matches [`GammaShape::p_q`] at the piece's quarter points; outside the range,
/// [`GammaCdfTable::p`] returns `None` and the caller evaluates exactly.
#[derive(Debug, Clone)]
pub struct GammaCdfTable {
    starts: Vec<f64>,
    ends: Vec<f64>,
    coefs: Vec<[f64; CHEB_N]>,
}

/// Coefficients per Chebyshev piece (degree 16).
const CHEB_N: usize = 17;

impl GammaCdfTable {
    /// Builds the table for `shape` (with its reciprocals, for speed).
    pub fn new(shape: &GammaShape, recip: &[f64]) -> GammaCdfTable {
        let lo = shape.quantile(1e-10).ln();
        let hi = shape.quantile(1.0 - 1e-10).ln();
        let mut table = GammaCdfTable {
            starts: Vec::new(),
            ends: Vec::new(),
            coefs: Vec::new(),
        };
        if !(lo.is_finite() && hi.is_finite() && hi > lo) {
            return table;
        }
        let f = |u: f64| shape.p_q_with(u.exp(), recip).0;
        // The exact values carry rounding that grows with the shape (the prefactor
        // `exp(a ln y − y − ln Γ(a))` cancels terms of size ~a); fit to that level.
        let noise = 5e-15 * (shape.a / 4.0).max(1.0);
        let mut stack: Vec<(f64, f64, u32)> = Vec::new();
        let first = 8;
        for i in (0..first).rev() {
            let a = lo + (hi - lo) * i as f64 / first as f64;
            let b = lo + (hi - lo) * (i + 1) as f64 / first as f64;
            stack.push((a, b, 0));
        }
        while let Some((a, b, depth)) = stack.pop() {
            let c = chebyshev_fit(&f, a, b);
            let tail = c[CHEB_N - 1].abs() + c[CHEB_N - 2].abs();
            let good = tail < 0.8 * noise
                && [0.25, 0.5, 0.75].iter().all(|q| {
                    let u = a + q * (b - a);
                    (clenshaw(&c, a, b, u) - f(u)).abs() < noise
                });
            if good || depth >= 14 {
                table.starts.push(a);
                table.ends.push(b);
                table.coefs.push(c);
            } else {
                let m = 0.5 * (a + b);
                stack.push((m, b, depth + 1));
                stack.push((a, m, depth + 1));
            }
        }
        table
    }

    /// `P(a, y)` at `u = ln y`, or `None` outside the tabulated range.
    pub fn p(&self, u: f64) -> Option<f64> {
        let i = self.starts.partition_point(|&s| s <= u).checked_sub(1)?;
        if u > self.ends[i] {
            return None;
        }
        Some(clenshaw(&self.coefs[i], self.starts[i], self.ends[i], u).clamp(0.0, 1.0))
    }

    /// Number of pieces.
    pub fn pieces(&self) -> usize {
        self.starts.len()
    }
}

fn chebyshev_fit(f: &impl Fn(f64) -> f64, a: f64, b: f64) -> [f64; CHEB_N] {
    let n = CHEB_N as f64;
    let (mid, half) = (0.5 * (a + b), 0.5 * (b - a));
    let values: Vec<f64> = (0..CHEB_N)
        .map(|j| f(mid + half * (PI * (j as f64 + 0.5) / n).cos()))
        .collect();
    let mut c = [0.0; CHEB_N];
    for (k, ck) in c.iter_mut().enumerate() {
        let sum: f64 = values
            .iter()
            .enumerate()
            .map(|(j, v)| v * (PI * k as f64 * (j as f64 + 0.5) / n).cos())
            .sum();
        *ck = 2.0 * sum / n;
    }
    c[0] *= 0.5;
    c
}

fn clenshaw(c: &[f64; CHEB_N], a: f64, b: f64, u: f64) -> f64 {
    let t = (2.0 * u - a - b) / (b - a);
    let (mut b1, mut b2) = (0.0, 0.0);
    for &ck in c[1..].iter().rev() {
        let b0 = 2.0 * t * b1 - b2 + ck;
        b2 = b1;
        b1 = b0;
    }
    t * b1 - b2 + c[0]
}

/// Starting point of the quantile iteration (Numerical Recipes, `invgammp`).
fn initial_guess(a: f64, p: f64) -> f64 {
    if a > 1.0 {
        let pp = if p < 0.5 { p } else { 1.0 - p };
        let t = (-2.0 * pp.ln()).sqrt();
        let mut z = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t;
        if p < 0.5 {
            z = -z;
        }
        (a * (1.0 - 1.0 / (9.0 * a) - z / (3.0 * a.sqrt())).powi(3)).max(1e-3)
    } else {
        let t = 1.0 - a * (0.253 + a * 0.12);
        if p < t {
            (p / t).powf(1.0 / a)
        } else {
            1.0 - (1.0 - (p - t) / (1.0 - t)).ln()
        }
    }
}

/// The quantile of the gamma distribution with `shape` and `rate`: `x` with
/// `P(shape, rate·x) = p`.
pub fn gamma_quantile(p: f64, shape: f64, rate: f64) -> f64 {
    GammaShape::new(shape).quantile(p) / rate
}

/// The CDF of the gamma distribution with `shape` and `rate` at `x`.
pub fn gamma_cdf(x: f64, shape: f64, rate: f64) -> f64 {
    GammaShape::new(shape).p(rate * x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn ln_gamma_known_values() {
        assert!(close(ln_gamma(0.5), PI.sqrt().ln(), 1e-14));
        assert!(ln_gamma(1.0).abs() < 1e-15);
        assert!(ln_gamma(2.0).abs() < 1e-15);
        assert!(close(ln_gamma(10.0), 362_880.0_f64.ln(), 1e-14));
        assert!(close(ln_gamma(15.0), 87_178_291_200.0_f64.ln(), 1e-14));
        assert!(close(ln_gamma(14.999_999), ln_gamma(15.000_001), 1e-6));
        // ln Γ(100) = ln 99!
        let ln_fact_99: f64 = (1..100).map(|k| (k as f64).ln()).sum();
        assert!(close(ln_gamma(100.0), ln_fact_99, 1e-14));
        assert!(close(ln_gamma(0.1), 2.252_712_651_734_206, 1e-14));
        assert!(close(ln_gamma(3.25), 0.935_801_931_108_724_9, 1e-13));
        assert!(ln_gamma(0.0).is_nan() && ln_gamma(-1.0).is_nan());
    }

    #[test]
    fn digamma_known_values() {
        let euler = 0.577_215_664_901_532_9;
        assert!(close(digamma(1.0), -euler, 1e-14));
        assert!(close(digamma(0.5), -euler - 2.0 * 2.0_f64.ln(), 1e-14));
        assert!(close(digamma(10.0), 2.251_752_589_066_721, 1e-14));
        assert!(close(digamma(0.1), -10.423_754_940_411_076, 1e-14));
        assert!(close(digamma(123.4), 4.811_373_775_116_277_5, 1e-13));
    }

    #[test]
    fn incomplete_gamma_closed_forms() {
        // P(1, x) = 1 - e^-x.
        for &x in &[1e-6_f64, 0.1, 1.0, 3.0, 30.0] {
            let g = GammaShape::new(1.0);
            assert!(close(g.p(x), -(-x).exp_m1(), 1e-14), "x={x}");
        }
        // P(2, x) = 1 - (1 + x) e^-x; Q precise in the tail.
        let g = GammaShape::new(2.0);
        for &x in &[0.5_f64, 2.0, 10.0, 40.0] {
            let q: f64 = (1.0 + x) * (-x).exp();
            assert!(close(g.p_q(x).1, q, 1e-13), "x={x}");
        }
        // P(1/2, x) = erf(√x); erf(1) = 0.8427007929497149.
        assert!(close(
            GammaShape::new(0.5).p(1.0),
            0.842_700_792_949_714_9,
            1e-14
        ));
    }

    #[test]
    fn reciprocal_table_gives_the_same_values() {
        for &a in &[1.00001, 3.5, 40.0] {
            let g = GammaShape::new(a);
            let table = g.reciprocals(16);
            for &x in &[0.01, 1.0, a, a + 0.9, 3.0 * a] {
                let (u, v) = (g.p_q(x), g.p_q_with(x, &table));
                assert!(
                    close(u.0, v.0, 1e-14) && close(u.1, v.1, 1e-13),
                    "a={a} x={x}"
                );
            }
        }
    }

    #[test]
    fn cdf_table_matches_exact() {
        for &a in &[1.00001, 2.02, 3.25, 21.8, 60.0] {
            let g = GammaShape::new(a);
            let recip = g.reciprocals(256);
            let t = GammaCdfTable::new(&g, &recip);
            assert!(t.pieces() > 0);
            let mut worst = 0.0_f64;
            for i in 0..4000 {
                let y = g.quantile(1e-9 + (1.0 - 2e-9) * i as f64 / 4000.0);
                if let Some(p) = t.p(y.ln()) {
                    worst = worst.max((p - g.p_q_with(y, &recip).0).abs());
                }
            }
            // The exact evaluation itself carries a few ulps of rounding.
            assert!(
                worst < 3e-15 * a.max(4.0),
                "a={a}: {worst:e} over {} pieces",
                t.pieces()
            );
            assert!(t.pieces() < 400, "a={a}: {} pieces", t.pieces());
        }
    }

    #[test]
    fn quantile_inverts_cdf() {
        for &a in &[0.05, 0.3, 0.5, 1.0, 1.5, 3.25, 12.5, 100.0, 5000.5] {
            let g = GammaShape::new(a);
            for &p in &[1e-10, 0.025, 0.05, 0.5, 0.95, 0.975, 1.0 - 1e-9] {
                let x = g.quantile(p);
                let (pp, qq, _) = g.p_q(x);
                let back = if p < 0.5 { pp } else { 1.0 - qq };
                assert!(close(back, p, 1e-10), "a={a} p={p} x={x} back={back}");
            }
        }
    }

    #[test]
    fn ic_tail_test_value() {
        // vigicaen ic_tail(12, 5) = 0.2542334 (pharmacovigilance notes §1).
        let q = gamma_quantile(0.025, 12.5, 5.5);
        assert!((q.log2() - 0.254_233_4).abs() < 5e-8);
    }

    #[test]
    fn chi_square_quantiles() {
        // χ²_{0.975}(2) = 7.377758908227871 → gamma(1, 1/2) quantile.
        assert!(close(
            2.0 * gamma_quantile(0.975, 1.0, 1.0),
            7.377_758_908_227_871,
            1e-13
        ));
        assert!(close(
            gamma_cdf(2.0, 3.0, 1.5),
            GammaShape::new(3.0).p(3.0),
            1e-15
        ));
    }
}
