//! EBGM against openEBGM's published output.
//!
//! The posterior vignette of openEBGM (`x4_posteriorCalculationVignette`, CRAN
//! 0.8.x) prints, for the bundled `caers` data, the fitted hyperparameters and the
//! `Qn`, EBGM, QUANT_05 and QUANT_95 of ten product–symptom pairs, computed by
//! `Qn()`, `ebgm()` and `quantBisect()` (EB scores rounded to 2 decimals, `Qn` to
//! 7 significant digits). Given the same θ, our posterior must print the same.

use offlabel_signals::stats::ebgm::{Hyper, PosteriorCalc};

const THETA: Hyper = Hyper::new(3.25379064, 0.39988801, 2.02613219, 1.90808279, 0.06534557);

#[test]
fn qn_head() {
    let calc = PosteriorCalc::new(THETA);
    let rows = [
        (0.0360548272, 0.2819736),
        (0.0038736591, 0.3409652),
        (0.0002979738, 0.3482316),
        (0.0360548272, 0.2819736),
        (0.0765792610, 0.2226354),
        (0.0527413588, 0.2556668),
    ];
    for (e, qn) in rows {
        let got = calc.posterior(1, e).qn;
        assert!((got - qn).abs() < 6e-8, "E = {e}: Qn {got} vs {qn}");
    }
}

/// openEBGM's quantBisect stops within 0.005 and rounds to 2 decimals: allow 0.01.
fn same(got: f64, published: f64) -> bool {
    (got - published).abs() <= 0.0100001
}

#[test]
fn eb_scores() {
    let calc = PosteriorCalc::new(THETA);
    // (N, E, EBGM, QUANT_05, QUANT_95)
    let rows = [
        (1, 0.0360548272, 2.23, 0.49, 13.85),
        (1, 0.0038736591, 2.58, 0.52, 15.78),
        (1, 0.0002979738, 2.63, 0.52, 16.02),
        (1, 0.0765792610, 1.92, 0.47, 11.77),
        (1, 0.0527413588, 2.09, 0.48, 12.95),
        (16, 0.40643623, 23.26, 15.68, 33.48),
        (19, 0.89690107, 16.78, 11.65, 23.55),
        (6, 0.07866508, 18.28, 10.16, 30.83),
        (8, 0.30482718, 15.25, 9.00, 24.52),
        (11, 0.56317044, 14.28, 8.98, 21.78),
    ];
    for (n, e, ebgm, q05, q95) in rows {
        let p = calc.posterior(n, e);
        // EBGM is rounded (not bisected) in openEBGM: 2 decimals exactly.
        assert!(
            (p.ebgm - ebgm).abs() <= 0.005 + 1e-9,
            "N={n} E={e}: EBGM {} vs {ebgm}",
            p.ebgm
        );
        assert!(
            same(p.eb05, q05),
            "N={n} E={e}: QUANT_05 {} vs {q05}",
            p.eb05
        );
        assert!(
            same(p.eb95, q95),
            "N={n} E={e}: QUANT_95 {} vs {q95}",
            p.eb95
        );
    }
}
