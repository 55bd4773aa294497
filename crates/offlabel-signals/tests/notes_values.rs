//! The test values of the project's pharmacovigilance notes (§1 and §6), and the
//! pack's published incidence rate checked against the exact Poisson interval.

use offlabel_signals::stats::{self, Table2x2};

fn close(got: f64, want: f64, decimals: i32) -> bool {
    (got - want).abs() <= 0.5 * 10f64.powi(-decimals) + 1e-12
}

const TABLE: Table2x2 = Table2x2 {
    a: 20,
    b: 980,
    c: 2000,
    d: 997_000,
};

#[test]
fn expected_count() {
    assert_eq!(TABLE.n(), 1_000_000);
    assert!((TABLE.expected() - 2.02).abs() < 1e-12);
}

#[test]
fn prr_with_ci() {
    let p = stats::prr(&TABLE);
    assert!(close(p.value, 9.990, 3), "{p:?}");
    assert!(close(p.lower, 6.459, 3), "{p:?}");
    assert!(close(p.upper, 15.451, 3), "{p:?}");
}

#[test]
fn chi2_yates() {
    assert!(close(stats::chi2_yates(&TABLE), 151.72, 2));
}

#[test]
fn ror_with_ci() {
    let r = stats::ror(&TABLE);
    // The notes print 10.174; ad/bc = 19,940,000/1,960,000 = 10.17347 exactly, so
    // the notes' last digit is a rounding slip: checked to 1e-3 here, and exactly.
    assert!((r.value - 10.174).abs() < 1e-3, "{r:?}");
    assert!(
        (r.value - 19_940_000.0 / 1_960_000.0).abs() < 1e-12,
        "{r:?}"
    );
    assert!(close(r.lower, 6.520, 3), "{r:?}");
    assert!(close(r.upper, 15.874, 3), "{r:?}");
}

#[test]
fn information_component() {
    let ic = stats::ic(TABLE.a, TABLE.expected());
    assert!(close(ic.value, 3.0241, 4), "{ic:?}");
    assert!(close(ic.lower, 2.3228, 4), "{ic:?}");
    assert!(close(ic.upper, 3.5869, 4), "{ic:?}");
}

#[test]
fn ic_tail_12_5() {
    // vigicaen ic_tail(12, 5) = 0.2542334: IC025 with O = 12, E = 5.
    let ic = stats::ic(12, 5.0);
    assert!(close(ic.lower, 0.254_233_4, 7), "{ic:?}");
}

#[test]
fn rate_table() {
    // (k, PY, IR, lower, upper) with the notes' decimals.
    let rows: [(u64, f64, f64, f64, f64, i32); 4] = [
        (5, 250.0, 2.00, 0.649, 4.667, 3),
        (0, 250.0, 0.0, 0.0, 1.476, 3),
        (1, 994.1, 0.10, 0.0025, 0.560, 3),
        (10, 204.0, 4.90, 2.351, 9.015, 3),
    ];
    for (k, py, ir, lo, hi, dec) in rows {
        let r = stats::incidence_rate(k, py).expect("valid exposure");
        assert!(close(r.value, ir, 2), "{k}/{py}: {r:?}");
        assert!(
            close(r.lower, lo, if k == 1 { 4 } else { dec }),
            "{k}/{py}: {r:?}"
        );
        assert!(close(r.upper, hi, dec), "{k}/{py}: {r:?}");
    }
    assert!(stats::incidence_rate(1, 0.0).is_err());
    assert!(stats::incidence_rate(1, f64::NAN).is_err());
}

/// Rounds to one decimal, as the pack and the publications print rates.
fn one_decimal(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[test]
fn pack_upadacitinib_mace_rate() {
    // The pack records upadacitinib MACE in atopic dermatitis as 0.0–0.1 per 100 PY
    // (long-term meta-analysis); the publication behind it gives "0.1 (0.0 to 0.6),
    // 1 event / 994.1 PY". The exact Poisson interval reproduces all three numbers.
    let pack = offlabel_embedded::pack().expect("embedded pack");
    let rate = pack
        .incidence_rates
        .iter()
        .find(|r| r.id == "upa-mace")
        .expect("the pack records upadacitinib MACE");
    let r = stats::incidence_rate(1, 994.1).expect("valid exposure");
    assert_eq!(Some(one_decimal(r.value)), rate.per_100py_max);
    assert_eq!(one_decimal(r.lower), 0.0);
    assert_eq!(one_decimal(r.upper), 0.6);
    // The published serious-infection rate 4.9 (2.4–9.0) = 10 events / 204 PY.
    let r = stats::incidence_rate(10, 204.0).expect("valid exposure");
    assert_eq!(
        (
            one_decimal(r.value),
            one_decimal(r.lower),
            one_decimal(r.upper)
        ),
        (4.9, 2.4, 9.0)
    );
}
