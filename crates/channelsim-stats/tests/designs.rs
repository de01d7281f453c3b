//! Shapes, orders and stratification of the experimental designs.

use channelsim_stats::{Factor, StatsError, grid, lhs, morris, saltelli};
use proptest::prelude::*;

fn unit(k: usize) -> Vec<Factor> {
    (0..k)
        .map(|i| Factor::new(format!("u{i}"), 0.0, 1.0))
        .collect()
}

proptest! {
    #[test]
    fn grid_size_is_product_of_levels(counts in prop::collection::vec(1usize..5, 1..5)) {
        let levels: Vec<Vec<f64>> = counts
            .iter()
            .enumerate()
            .map(|(f, &c)| (0..c).map(|l| (10 * f + l) as f64).collect())
            .collect();
        let g = grid(&levels).unwrap();
        prop_assert_eq!(g.len(), counts.iter().product::<usize>());
        // Last factor fastest: consecutive rows step through its levels first.
        let last = levels.len() - 1;
        for (i, row) in g.iter().enumerate() {
            prop_assert_eq!(row[last], levels[last][i % counts[last]]);
        }
        let mut sorted = g.clone();
        sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
        sorted.dedup();
        prop_assert_eq!(sorted.len(), g.len());
    }

    #[test]
    fn lhs_one_sample_per_stratum(
        n in 1usize..150,
        k in 1usize..6,
        seed in any::<u64>(),
        lo in -100.0f64..100.0,
        width in 0.1f64..50.0,
    ) {
        let mut factors = unit(k);
        factors.push(Factor::new("wide", lo, lo + width));
        let pts = lhs(&factors, n, seed).unwrap();
        prop_assert_eq!(pts.len(), n);
        for (j, f) in factors.iter().enumerate() {
            let mut strata: Vec<usize> = pts
                .iter()
                .map(|p| {
                    let x = p[j];
                    assert!(x >= f.lo && x <= f.hi, "{x} outside [{}, {}]", f.lo, f.hi);
                    (((x - f.lo) / (f.hi - f.lo) * n as f64).floor() as usize).min(n - 1)
                })
                .collect();
            strata.sort_unstable();
            prop_assert_eq!(strata, (0..n).collect::<Vec<_>>());
        }
    }
}

#[test]
fn lhs_same_seed_same_design() {
    let f = unit(4);
    assert_eq!(lhs(&f, 50, 9).unwrap(), lhs(&f, 50, 9).unwrap());
    assert_ne!(lhs(&f, 50, 9).unwrap(), lhs(&f, 50, 10).unwrap());
    assert!(matches!(lhs(&f, 0, 1), Err(StatsError::TooFew { .. })));
    let bad = [Factor::new("x", 2.0, 1.0)];
    assert!(matches!(lhs(&bad, 5, 1), Err(StatsError::BadFactor { .. })));
}

#[test]
fn saltelli_shapes_and_cross_columns() {
    let factors = vec![
        Factor::new("a", 0.0, 1.0),
        Factor::new("b", -5.0, 5.0),
        Factor::new("c", 10.0, 12.0),
        Factor::new("d", 0.0, 100.0),
    ];
    let (k, n) = (factors.len(), 64);
    for (second, block) in [(true, 2 * k + 2), (false, k + 2)] {
        let x = saltelli(&factors, n, second, 0).unwrap();
        assert_eq!(x.len(), n * block);
        for blk in x.chunks(block) {
            let (a, b) = (&blk[0], &blk[block - 1]);
            for j in 0..k {
                // AB_j is A with column j from B; BA_j is B with column j from A.
                let ab = &blk[1 + j];
                for c in 0..k {
                    assert_eq!(ab[c], if c == j { b[c] } else { a[c] });
                }
                if second {
                    let ba = &blk[1 + k + j];
                    for c in 0..k {
                        assert_eq!(ba[c], if c == j { a[c] } else { b[c] });
                    }
                }
            }
            for (v, f) in a.iter().chain(b).zip(factors.iter().cycle()) {
                assert!(*v >= f.lo && *v < f.hi);
            }
        }
    }
}

#[test]
fn saltelli_matches_salib_rows() {
    // SALib 1.6 `sample.sobol(problem, 4, calc_second_order=True, scramble=False,
    // skip_values=4)` with bounds a in [0, 1], b in [10, 20].
    let want: [[f64; 2]; 24] = [
        [0.375, 13.75],
        [0.625, 13.75],
        [0.375, 18.75],
        [0.375, 18.75],
        [0.625, 13.75],
        [0.625, 18.75],
        [0.875, 18.75],
        [0.125, 18.75],
        [0.875, 13.75],
        [0.875, 13.75],
        [0.125, 18.75],
        [0.125, 13.75],
        [0.625, 11.25],
        [0.875, 11.25],
        [0.625, 16.25],
        [0.625, 16.25],
        [0.875, 11.25],
        [0.875, 16.25],
        [0.125, 16.25],
        [0.375, 16.25],
        [0.125, 11.25],
        [0.125, 11.25],
        [0.375, 16.25],
        [0.375, 11.25],
    ];
    let f = [Factor::new("a", 0.0, 1.0), Factor::new("b", 10.0, 20.0)];
    let x = saltelli(&f, 4, true, 4).unwrap();
    let got: Vec<[f64; 2]> = x.iter().map(|r| [r[0], r[1]]).collect();
    assert_eq!(got, want);
}

#[test]
fn saltelli_rejects_bad_input() {
    let f = unit(3);
    assert_eq!(
        saltelli(&f, 100, true, 0),
        Err(StatsError::NotPowerOfTwo(100))
    );
    assert_eq!(saltelli(&f, 0, true, 0), Err(StatsError::NotPowerOfTwo(0)));
    assert_eq!(saltelli(&[], 8, true, 0), Err(StatsError::NoFactors));
    assert!(matches!(
        saltelli(&unit(501), 8, false, 0),
        Err(StatsError::TooManyFactors { max: 500, .. })
    ));
    assert!(matches!(
        saltelli(&f, 8, false, usize::MAX),
        Err(StatsError::TooLarge(_))
    ));
}

#[test]
fn morris_trajectories_move_one_factor_by_delta() {
    let factors = vec![
        Factor::new("a", 0.0, 1.0),
        Factor::new("b", -1.0, 1.0),
        Factor::new("c", 5.0, 6.0),
    ];
    let (k, r, p) = (3, 25, 6);
    let d = morris(&factors, r, p, 42).unwrap();
    assert_eq!(d.points.len(), r * (k + 1));
    assert_eq!(d.steps.len(), r * k);
    assert!((d.delta - 0.6).abs() < 1e-15); // 6 / (2 * 5)
    for (t, traj) in d.points.chunks(k + 1).enumerate() {
        let mut moved = vec![0; k];
        for m in 0..k {
            let step = d.steps[t * k + m];
            moved[step.factor] += 1;
            for (j, f) in factors.iter().enumerate() {
                let change = traj[m + 1][j] - traj[m][j];
                if j == step.factor {
                    let want = d.delta * (f.hi - f.lo) * if step.up { 1.0 } else { -1.0 };
                    assert!(
                        (change - want).abs() < 1e-12,
                        "t {t} m {m}: {change} vs {want}"
                    );
                } else {
                    assert_eq!(change, 0.0);
                }
            }
        }
        assert_eq!(moved, vec![1; k]);
        for row in traj {
            for (x, f) in row.iter().zip(&factors) {
                let level = (x - f.lo) / (f.hi - f.lo) * (p - 1) as f64;
                assert!(
                    (level - level.round()).abs() < 1e-9 && (-1e-9..=5.0 + 1e-9).contains(&level)
                );
            }
        }
    }
    assert_eq!(d, morris(&factors, r, p, 42).unwrap());
    assert_ne!(d.points, morris(&factors, r, p, 43).unwrap().points);
    assert_eq!(morris(&factors, r, 5, 1), Err(StatsError::BadLevels(5)));
}
