//! Summaries and scenario comparisons against published worked examples.

use channelsim_stats::{PairedDiff, StatsError, Summary, WelchDiff, welch_unpaired};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

fn close(got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "got {got}, want {want} (tol {tol})"
    );
}

#[test]
fn summary_of_known_sample() {
    // Mean 5, sd sqrt(32/7); t(0.975, 7) = 2.364624, t(0.95, 7) = 1.894579 (scipy.stats.t).
    let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
    let s = Summary::of(&xs).unwrap();
    assert_eq!(s.n, 8);
    close(s.mean, 5.0, 1e-12);
    close(s.sd, 2.138089935299395, 1e-12);
    close(s.se, 0.7559289460184544, 1e-12);
    close(s.ci_lo, 3.21251208176379, 1e-9);
    close(s.ci_hi, 6.787487918236209, 1e-9);
    let s90 = Summary::with_level(&xs, 0.90).unwrap();
    close(s90.ci_lo, 3.5678331919051978, 1e-9);
    close(s90.ci_hi, 6.432166808094802, 1e-9);
}

#[test]
fn summary_degenerate_and_bad_input() {
    let one = Summary::of(&[3.5]).unwrap();
    assert_eq!((one.sd, one.se, one.ci_lo, one.ci_hi), (0.0, 0.0, 3.5, 3.5));
    let flat = Summary::of(&[2.0; 5]).unwrap();
    assert_eq!((flat.ci_lo, flat.ci_hi), (2.0, 2.0));
    assert_eq!(Summary::of(&[]), Err(StatsError::Empty { what: "sample" }));
    assert!(matches!(
        Summary::of(&[1.0, f64::INFINITY]),
        Err(StatsError::NonFinite { index: 1, .. })
    ));
    assert_eq!(
        Summary::with_level(&[1.0, 2.0], 1.0),
        Err(StatsError::BadLevel(1.0))
    );
}

// Student's (1908) sleep data, Cushny & Peebles (1905): extra hours of sleep for the same
// ten patients under two drugs (R's `datasets::sleep`). R's `t.test(extra ~ group, paired =
// TRUE)` reports t = -4.0621, df = 9, p = 0.002833, 95% CI (-2.4598858, -0.7001142) for
// drug 1 - drug 2; the Welch test gives t = -1.8608, df = 17.776, p = 0.07939,
// CI (-3.3654832, 0.2054832). We take drug 2 - drug 1, so the signs flip.
const DRUG1: [f64; 10] = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const DRUG2: [f64; 10] = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

#[test]
fn paired_t_student_sleep_example() {
    let d = PairedDiff::of(&DRUG2, &DRUG1).unwrap();
    assert_eq!(d.n, 10);
    close(d.mean_diff, 1.58, 1e-12);
    close(d.sd_diff, 1.2299954832798732, 1e-12);
    close(d.t, 4.0621, 1e-4);
    close(d.p_value, 0.002833, 1e-6);
    close(d.ci_lo, 0.7001142, 1e-7);
    close(d.ci_hi, 2.4598858, 1e-7);
    // Nine patients slept more on drug 2, one the same.
    close(d.share_positive, 0.9, 1e-12);
}

#[test]
fn welch_student_sleep_example() {
    let w = welch_unpaired(&DRUG2, &DRUG1).unwrap();
    close(w.mean_diff, 1.58, 1e-12);
    close(w.t, 1.8608, 1e-4);
    close(w.df, 17.776, 1e-3);
    close(w.p_value, 0.07939, 1e-5);
    close(w.ci_lo, -0.2054832, 1e-7);
    close(w.ci_hi, 3.3654832, 1e-7);
}

#[test]
fn paired_ci_narrower_than_welch_when_positively_correlated() {
    // Common random numbers: both scenarios share a large per-seed component.
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let base: Vec<f64> = (0..30).map(|_| 10.0 * rng.random::<f64>()).collect();
    let a: Vec<f64> = base
        .iter()
        .map(|x| x + 0.3 + 0.2 * rng.random::<f64>())
        .collect();
    let b: Vec<f64> = base.iter().map(|x| x + 0.2 * rng.random::<f64>()).collect();
    let p = PairedDiff::of(&a, &b).unwrap();
    let w = WelchDiff::of(&a, &b).unwrap();
    close(p.mean_diff, w.mean_diff, 1e-12);
    let (pw, ww) = (p.ci_hi - p.ci_lo, w.ci_hi - w.ci_lo);
    assert!(pw * 5.0 < ww, "paired width {pw}, welch width {ww}");
    assert!(p.ci_lo > 0.0 && w.ci_lo < 0.0, "{p:?} {w:?}");
    assert!(p.p_value < 1e-6 && w.p_value > 0.05);
}

#[test]
fn paired_degenerate_and_bad_input() {
    let same = PairedDiff::of(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]).unwrap();
    assert_eq!(
        (same.t, same.p_value, same.ci_lo, same.ci_hi),
        (0.0, 1.0, 0.0, 0.0)
    );
    let shifted = PairedDiff::of(&[2.0, 3.0, 4.0], &[1.0, 2.0, 3.0]).unwrap();
    assert_eq!((shifted.t, shifted.p_value), (f64::INFINITY, 0.0));
    assert_eq!(
        PairedDiff::of(&[1.0, 2.0], &[1.0]),
        Err(StatsError::LengthMismatch { left: 2, right: 1 })
    );
    assert!(matches!(
        PairedDiff::of(&[1.0], &[2.0]),
        Err(StatsError::TooFew {
            need: 2,
            got: 1,
            ..
        })
    ));
    assert!(matches!(
        welch_unpaired(&[1.0, 2.0], &[f64::NAN, 1.0]),
        Err(StatsError::NonFinite { index: 0, .. })
    ));
}
