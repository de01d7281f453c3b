//! Sobol' and Morris analyses against analytic values and SALib's own numbers.

use std::f64::consts::PI;

use channelsim_stats::{
    Bootstrap, Factor, StatsError, morris, morris_indices, saltelli, sobol_indices,
};

fn ishigami(x: &[f64]) -> f64 {
    let (a, b) = (7.0, 0.1);
    x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
}

fn ishigami_outputs(n: usize, second_order: bool) -> Vec<f64> {
    let factors: Vec<Factor> = (1..=3)
        .map(|i| Factor::new(format!("x{i}"), -PI, PI))
        .collect();
    let x = saltelli(&factors, n, second_order, 0).unwrap();
    x.iter().map(|r| ishigami(r)).collect()
}

#[test]
fn sobol_ishigami_recovers_analytic_indices() {
    // Analytic values for a = 7, b = 0.1 (Ishigami & Homma 1990; Sobol' & Levitan 1999).
    let (a, b) = (7.0f64, 0.1f64);
    let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    let v = v1 + v2 + v13;
    let s1 = [v1 / v, v2 / v, 0.0];
    let st = [(v1 + v13) / v, v2 / v, v13 / v];
    assert!((s1[0] - 0.314).abs() < 1e-3 && (st[2] - 0.244).abs() < 1e-3);

    let y = ishigami_outputs(1 << 13, true);
    let r = sobol_indices(&y, 3, true, &Bootstrap::new(5)).unwrap();
    for j in 0..3 {
        assert!((r.s1[j] - s1[j]).abs() < 0.02, "S1 {:?} vs {s1:?}", r.s1);
        assert!((r.st[j] - st[j]).abs() < 0.02, "ST {:?} vs {st:?}", r.st);
        assert!(r.s1_conf[j] > 0.0 && r.s1_conf[j] < 0.1, "{:?}", r.s1_conf);
        assert!(r.st_conf[j] > 0.0 && r.st_conf[j] < 0.1, "{:?}", r.st_conf);
    }
    let s2 = r.s2.unwrap();
    assert!((s2[0][2] - v13 / v).abs() < 0.05, "S2 {s2:?}");
    assert!(s2[0][1].abs() < 0.05 && s2[1][2].abs() < 0.05, "S2 {s2:?}");
    assert!(s2[1][0].is_nan() && s2[0][0].is_nan());
}

#[test]
fn sobol_matches_salib_point_estimates() {
    // SALib 1.6: analyze.sobol on the Ishigami outputs of sample.sobol(N=1024,
    // calc_second_order=True, scramble=False), bounds [-pi, pi].
    let y = ishigami_outputs(1024, true);
    let r = sobol_indices(&y, 3, true, &Bootstrap::new(1)).unwrap();
    let s1 = [0.33295510535317324, 0.4413139385440669, 0.01857843792957252];
    let st = [0.5581790457114659, 0.4432845840303481, 0.2421493733549653];
    let s2 = [
        (0, 1, -4.955_281_413_510_093e-5),
        (0, 2, 0.22760710553788024),
        (1, 2, 0.0048765516488903544),
    ];
    for j in 0..3 {
        assert!((r.s1[j] - s1[j]).abs() < 1e-12, "{:?}", r.s1);
        assert!((r.st[j] - st[j]).abs() < 1e-12, "{:?}", r.st);
    }
    let got = r.s2.unwrap();
    for (j, l, want) in s2 {
        assert!((got[j][l] - want).abs() < 1e-12, "{got:?}");
    }
}

#[test]
fn sobol_bootstrap_is_seeded_and_keys_match_salib() {
    let y = ishigami_outputs(256, true);
    let json = |seed| {
        serde_json::to_string(&sobol_indices(&y, 3, true, &Bootstrap::new(seed)).unwrap()).unwrap()
    };
    assert_eq!(json(3), json(3));
    assert_ne!(json(3), json(4));
    let v: serde_json::Value = serde_json::from_str(&json(3)).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(|s| s.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["S1", "S1_conf", "S2", "S2_conf", "ST", "ST_conf"]);
    assert!(v["S2"][1][0].is_null() && v["S2"][0][1].is_f64());

    let y1 = ishigami_outputs(256, false);
    let first = sobol_indices(&y1, 3, false, &Bootstrap::new(3)).unwrap();
    assert!(first.s2.is_none());
    let v = serde_json::to_value(&first).unwrap();
    assert_eq!(v.as_object().unwrap().len(), 4);
}

#[test]
fn sobol_edge_cases() {
    let flat = vec![2.5; 8 * 16];
    let r = sobol_indices(&flat, 3, true, &Bootstrap::new(0)).unwrap();
    assert_eq!(r.s1, vec![0.0; 3]);
    assert_eq!(r.st_conf, vec![0.0; 3]);
    assert!(matches!(
        sobol_indices(&[1.0; 10], 3, true, &Bootstrap::new(0)),
        Err(StatsError::OutputShape { len: 10, .. })
    ));
    let mut y = ishigami_outputs(16, false);
    y[7] = f64::NAN;
    assert!(matches!(
        sobol_indices(&y, 3, false, &Bootstrap::new(0)),
        Err(StatsError::NonFinite { index: 7, .. })
    ));
    let few = Bootstrap {
        resamples: 1,
        ..Bootstrap::new(0)
    };
    assert!(matches!(
        sobol_indices(&flat, 3, true, &few),
        Err(StatsError::TooFew { .. })
    ));
}

#[test]
fn morris_ranks_factors_by_mu_star() {
    // y = 10 x1 + 3 x2 - 0.5 x3 + 0 x4 + 4 x5^2, x2 on [-1, 1] (so its effect per unit of
    // range is 6), the rest on [0, 1]. Only x5 is non-linear, so only it has sigma > 0.
    let factors = vec![
        Factor::new("x1", 0.0, 1.0),
        Factor::new("x2", -1.0, 1.0),
        Factor::new("x3", 0.0, 1.0),
        Factor::new("x4", 0.0, 1.0),
        Factor::new("x5", 0.0, 1.0),
    ];
    let d = morris(&factors, 20, 4, 2024).unwrap();
    let y: Vec<f64> = d
        .points
        .iter()
        .map(|x| 10.0 * x[0] + 3.0 * x[1] - 0.5 * x[2] + 0.0 * x[3] + 4.0 * x[4] * x[4])
        .collect();
    let r = morris_indices(&d, &y, &Bootstrap::new(8)).unwrap();
    let mut rank: Vec<usize> = (0..5).collect();
    rank.sort_by(|&i, &j| r.mu_star[j].total_cmp(&r.mu_star[i]));
    assert_eq!(rank, [0, 1, 4, 2, 3], "{r:?}");
    for (j, want) in [(0, 10.0), (1, 6.0), (2, -0.5), (3, 0.0)] {
        assert!((r.mu[j] - want).abs() < 1e-9, "{r:?}");
        assert!((r.mu_star[j] - want.abs()).abs() < 1e-9, "{r:?}");
        assert!(r.sigma[j] < 1e-9 && r.mu_star_conf[j] < 1e-9, "{r:?}");
    }
    // x5: effects 4 (2 x + delta) with x in {0, 1/3}, delta = 2/3, i.e. 8/3 or 16/3.
    assert!(r.mu_star[4] > 8.0 / 3.0 && r.mu_star[4] < 16.0 / 3.0);
    assert!(r.sigma[4] > 0.5 && r.mu_star_conf[4] > 0.0, "{r:?}");

    let again = morris_indices(&d, &y, &Bootstrap::new(8)).unwrap();
    assert_eq!(r, again);
    let v = serde_json::to_value(&r).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(|s| s.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["mu", "mu_star", "mu_star_conf", "sigma"]);
}

#[test]
fn morris_rejects_mismatched_outputs() {
    let d = morris(&[Factor::new("a", 0.0, 1.0)], 1, 4, 0).unwrap();
    assert!(matches!(
        morris_indices(&d, &[1.0, 2.0], &Bootstrap::new(0)),
        Err(StatsError::TooFew {
            need: 2,
            got: 1,
            ..
        })
    ));
    assert!(matches!(
        morris_indices(&d, &[1.0], &Bootstrap::new(0)),
        Err(StatsError::LengthMismatch { left: 1, right: 2 })
    ));
}
