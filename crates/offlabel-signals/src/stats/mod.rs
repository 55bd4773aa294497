//! Pure statistics: the 2×2 disproportionality measures, the information component,
//! DuMouchel's EBGM ([`ebgm`]), incidence rates with exact Poisson intervals, and
//! the special functions they rest on ([`special`]).
//!
//! Every formula is the one in the crate README (which follows the project's
//! pharmacovigilance notes); the unit tests reproduce the notes' test values.

pub mod ebgm;
pub mod special;

use serde::{Deserialize, Serialize};
use special::GammaShape;

/// The normal quantile used for every 95% interval, as in the published methods.
pub const Z95: f64 = 1.96;

/// A 2×2 table of report counts for one drug D and one event E.
///
/// `a`: reports with D and E; `b`: D without E; `c`: E without D; `d`: neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Table2x2 {
    /// Reports with the drug and the event.
    pub a: u64,
    /// Reports with the drug but not the event.
    pub b: u64,
    /// Reports with the event but not the drug.
    pub c: u64,
    /// Reports with neither.
    pub d: u64,
}

impl Table2x2 {
    /// The table from the pair count and the margins: `a`, reports with the drug
    /// (`a + b`), reports with the event (`a + c`) and all reports `N`.
    ///
    /// Returns `None` when the margins are inconsistent (`a` above a margin, or the
    /// margins adding up to more than `N + a`).
    pub fn from_margins(a: u64, with_drug: u64, with_event: u64, n: u64) -> Option<Table2x2> {
        let b = with_drug.checked_sub(a)?;
        let c = with_event.checked_sub(a)?;
        let d = n.checked_sub(a)?.checked_sub(b)?.checked_sub(c)?;
        Some(Table2x2 { a, b, c, d })
    }

    /// `N = a + b + c + d`.
    pub fn n(&self) -> u64 {
        self.a + self.b + self.c + self.d
    }

    /// The expected count under independence, `E = (a + b)(a + c) / N`.
    pub fn expected(&self) -> f64 {
        let n = self.n();
        if n == 0 {
            return f64::NAN;
        }
        (self.a + self.b) as f64 * (self.a + self.c) as f64 / n as f64
    }
}

/// A point estimate with a two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

/// Proportional reporting ratio with its 95% CI (Evans 2001; delta-method SE
/// `√(1/a − 1/(a+b) + 1/c − 1/(c+d))`).
///
/// `PRR = [a/(a+b)] / [c/(c+d)]`. With `c = 0` the ratio is +∞ and the limits are
/// NaN (not defined); with `a = 0` the PRR is 0 and the limits are NaN.
pub fn prr(t: &Table2x2) -> Estimate {
    let (a, b, c, d) = (t.a as f64, t.b as f64, t.c as f64, t.d as f64);
    let value = (a / (a + b)) / (c / (c + d));
    let se = (1.0 / a - 1.0 / (a + b) + 1.0 / c - 1.0 / (c + d)).sqrt();
    let (lower, upper) = if value.is_finite() && value > 0.0 && se.is_finite() {
        (value * (-Z95 * se).exp(), value * (Z95 * se).exp())
    } else {
        (f64::NAN, f64::NAN)
    };
    Estimate {
        value,
        lower,
        upper,
    }
}

/// Reporting odds ratio with its 95% CI (van Puijenbroek 2002): `ROR = ad / bc`,
/// `SE(ln ROR) = √(1/a + 1/b + 1/c + 1/d)`; when any cell is 0, 0.5 is added to
/// all four cells (Haldane–Anscombe) for the ratio and its interval.
pub fn ror(t: &Table2x2) -> Estimate {
    let mut cells = [t.a as f64, t.b as f64, t.c as f64, t.d as f64];
    if cells.contains(&0.0) {
        for x in &mut cells {
            *x += 0.5;
        }
    }
    let [a, b, c, d] = cells;
    let ln = (a * d).ln() - (b * c).ln();
    let se = (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt();
    Estimate {
        value: ln.exp(),
        lower: (ln - Z95 * se).exp(),
        upper: (ln + Z95 * se).exp(),
    }
}

/// Pearson's χ² with Yates' continuity correction, 1 df:
/// `N·max(0, |ad − bc| − N/2)² / [(a+b)(c+d)(a+c)(b+d)]`.
///
/// The `max(0, …)` is R's `chisq.test(correct = TRUE)`: the correction never exceeds
/// the deviation (without it a table at independence would score `N³/4` over the
/// margins). It changes nothing when `|ad − bc| ≥ N/2`, which holds for every
/// table worth a signal. NaN when a margin is 0.
pub fn chi2_yates(t: &Table2x2) -> f64 {
    let (a, b, c, d) = (t.a as f64, t.b as f64, t.c as f64, t.d as f64);
    let n = a + b + c + d;
    let dev = ((a * d - b * c).abs() - n / 2.0).max(0.0);
    let den = (a + b) * (c + d) * (a + c) * (b + d);
    if den == 0.0 {
        return f64::NAN;
    }
    n * dev * dev / den
}

/// The standard-gamma quantiles the IC interval needs for one observed count:
/// shape `O + 0.5` at 0.025 and 0.975. The interval for any expected count `E`
/// then follows by dividing by the rate `E + 0.5`, so these depend on `O` alone
/// and are computed once per distinct count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IcQuantiles {
    /// `qgamma(0.025, O + 0.5, 1)`.
    pub q025: f64,
    /// `qgamma(0.975, O + 0.5, 1)`.
    pub q975: f64,
}

impl IcQuantiles {
    /// The quantiles for observed count `o`.
    pub fn new(o: u64) -> IcQuantiles {
        let g = GammaShape::new(o as f64 + 0.5);
        IcQuantiles {
            q025: g.quantile(0.025),
            q975: g.quantile(0.975),
        }
    }
}

/// The information component (Norén, Hopstadius & Bate 2013):
/// `IC = log2((O + 0.5)/(E + 0.5))` with the exact credibility interval
/// `log2(qgamma(p, O + 0.5, rate = E + 0.5))` at p = 0.025 and 0.975 (vigicaen
/// `ic_tail`, pvda `ci_for_ic`).
pub fn ic(observed: u64, expected: f64) -> Estimate {
    ic_with(observed, expected, &IcQuantiles::new(observed))
}

/// [`ic`] with the quantiles for `observed` supplied (see [`IcQuantiles`]).
pub fn ic_with(observed: u64, expected: f64, q: &IcQuantiles) -> Estimate {
    let rate = expected + 0.5;
    Estimate {
        value: ((observed as f64 + 0.5) / rate).log2(),
        lower: (q.q025 / rate).log2(),
        upper: (q.q975 / rate).log2(),
    }
}

/// The signal rules, each reported on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Rules(u8);

impl Rules {
    /// Evans et al. 2001: PRR ≥ 2, χ²(Yates) ≥ 4 and a ≥ 3.
    pub const EVANS: Rules = Rules(1);
    /// The lower 95% limit of the ROR above 1.
    pub const ROR025: Rules = Rules(2);
    /// The lower limit of the IC credibility interval above 0.
    pub const IC025: Rules = Rules(4);
    /// The 5th percentile of the EBGM posterior at least 2 (Szarfman 2002).
    pub const EB05: Rules = Rules(8);
    /// Every rule with its name, in report order.
    pub const ALL: [(Rules, &'static str); 4] = [
        (Rules::EVANS, "evans"),
        (Rules::ROR025, "ror025"),
        (Rules::IC025, "ic025"),
        (Rules::EB05, "eb05"),
    ];

    /// Whether every rule of `other` is met.
    pub fn contains(self, other: Rules) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// The union.
    pub fn with(self, other: Rules) -> Rules {
        Rules(self.0 | other.0)
    }

    /// The names of the rules met, in report order.
    pub fn names(self) -> Vec<&'static str> {
        Rules::ALL
            .iter()
            .filter(|(r, _)| self.contains(*r))
            .map(|(_, n)| *n)
            .collect()
    }

    /// Parses a rule name (`evans`, `ror025`, `ic025`, `eb05`).
    pub fn parse(name: &str) -> Option<Rules> {
        Rules::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name.trim()))
            .map(|(r, _)| *r)
    }

    /// Evaluates the rules on computed statistics.
    pub fn evaluate(a: u64, prr: f64, chi2: f64, ror_lower: f64, ic025: f64, eb05: f64) -> Rules {
        let mut r = Rules::default();
        if prr >= 2.0 && chi2 >= 4.0 && a >= 3 {
            r = r.with(Rules::EVANS);
        }
        if ror_lower > 1.0 {
            r = r.with(Rules::ROR025);
        }
        if ic025 > 0.0 {
            r = r.with(Rules::IC025);
        }
        if eb05 >= 2.0 {
            r = r.with(Rules::EB05);
        }
        r
    }
}

/// Why an incidence rate cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RateError {
    /// Exposure not a positive finite number.
    #[error(
        "patient-years must be a positive number (got {0}); give the total exposure, e.g. --patient-years 994.1"
    )]
    Exposure(f64),
}

/// Incidence rate per 100 patient-years with the exact (Garwood) Poisson 95% CI:
/// `100·k/PY`, lower `100·qgamma(0.025, k)/PY` (0 when k = 0), upper
/// `100·qgamma(0.975, k + 1)/PY`.
///
/// # Errors
/// [`RateError::Exposure`] when `patient_years` is not positive and finite.
pub fn incidence_rate(events: u64, patient_years: f64) -> Result<Estimate, RateError> {
    if !(patient_years > 0.0 && patient_years.is_finite()) {
        return Err(RateError::Exposure(patient_years));
    }
    let k = events as f64;
    let lower = if events == 0 {
        0.0
    } else {
        GammaShape::new(k).quantile(0.025)
    };
    let upper = GammaShape::new(k + 1.0).quantile(0.975);
    Ok(Estimate {
        value: 100.0 * k / patient_years,
        lower: 100.0 * lower / patient_years,
        upper: 100.0 * upper / patient_years,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins_round_trip() {
        let t = Table2x2::from_margins(20, 1000, 2020, 1_000_000).expect("consistent");
        assert_eq!(
            t,
            Table2x2 {
                a: 20,
                b: 980,
                c: 2000,
                d: 997_000
            }
        );
        assert!(Table2x2::from_margins(5, 4, 10, 100).is_none());
        assert!(Table2x2::from_margins(1, 60, 60, 100).is_none());
    }

    #[test]
    fn degenerate_tables_do_not_panic() {
        let t = Table2x2 {
            a: 3,
            b: 0,
            c: 0,
            d: 0,
        };
        assert!(prr(&t).value.is_nan() || prr(&t).value.is_infinite());
        assert!(ror(&t).value.is_finite());
        assert!(chi2_yates(&t).is_nan());
        let t = Table2x2 {
            a: 2,
            b: 5,
            c: 0,
            d: 100,
        };
        assert_eq!(prr(&t).value, f64::INFINITY);
        assert!(prr(&t).lower.is_nan());
    }

    #[test]
    fn rules_names() {
        let r = Rules::evaluate(3, 2.0, 4.0, 1.01, 0.1, 2.0);
        assert_eq!(r.names(), ["evans", "ror025", "ic025", "eb05"]);
        assert!(
            Rules::evaluate(2, 9.0, 90.0, 0.5, -0.1, 1.99)
                .names()
                .is_empty()
        );
        assert_eq!(Rules::parse("EB05"), Some(Rules::EB05));
        assert_eq!(Rules::parse("nope"), None);
    }
}
