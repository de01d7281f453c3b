//! Morris elementary-effects trajectories (Morris 1991, as SALib's `sample.morris` without
//! trajectory optimisation).

use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::{Factor, check_factors};
use crate::error::{Result, StatsError};

/// One move within a trajectory: the factor that changed and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MorrisStep {
    /// Index of the factor that moved.
    pub factor: usize,
    /// `true` if it moved up by `delta`, `false` if down.
    pub up: bool,
}

/// A Morris design: the points to run plus the moves needed to analyse them.
///
/// Trajectory `t` is rows `t * (k + 1) ..= t * (k + 1) + k`; row `m + 1` differs from row `m`
/// only in factor `steps[t * k + m].factor`, by `delta` of its range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisDesign {
    /// Points in factor units, `trajectories * (k + 1)` rows.
    pub points: Vec<Vec<f64>>,
    /// Number of factors.
    pub k: usize,
    /// Number of trajectories `r`.
    pub trajectories: usize,
    /// Grid levels `p` per factor.
    pub levels: usize,
    /// Step as a fraction of each factor's range, `p / (2 (p - 1))`.
    pub delta: f64,
    /// The `k` moves of each trajectory, trajectory by trajectory.
    pub steps: Vec<MorrisStep>,
}

/// `r` Morris trajectories on a `p`-level grid (`p` even), from `ChaCha8Rng` seeded with `seed`.
///
/// Each trajectory starts at a random grid point whose every coordinate can move by
/// `delta = p / (2 (p - 1))` without leaving [0, 1], then moves the factors one at a time in
/// a random order and random direction, giving `k + 1` points. Grid values are
/// `level / (p - 1)` mapped onto each factor's range.
pub fn morris(factors: &[Factor], r: usize, p: usize, seed: u64) -> Result<MorrisDesign> {
    check_factors(factors)?;
    if p < 2 || !p.is_multiple_of(2) {
        return Err(StatsError::BadLevels(p));
    }
    if r == 0 {
        return Err(StatsError::TooFew {
            what: "Morris design trajectories",
            need: 1,
            got: 0,
        });
    }
    let k = factors.len();
    r.checked_mul(k + 1)
        .ok_or(StatsError::TooLarge("Morris row count overflows"))?;
    let half = p / 2;
    let to_value = |f: &Factor, level: usize| f.scale(level as f64 / (p - 1) as f64);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut points = Vec::with_capacity(r * (k + 1));
    let mut steps = Vec::with_capacity(r * k);
    for _ in 0..r {
        let mut order: Vec<usize> = (0..k).collect();
        order.shuffle(&mut rng);
        let up: Vec<bool> = (0..k).map(|_| rng.random::<bool>()).collect();
        // Start low for factors that go up, high for those that go down.
        let mut level: Vec<usize> = up
            .iter()
            .map(|&u| rng.random_range(0..half) + if u { 0 } else { half })
            .collect();
        let row = |level: &[usize]| -> Vec<f64> {
            level
                .iter()
                .zip(factors)
                .map(|(&l, f)| to_value(f, l))
                .collect()
        };
        points.push(row(&level));
        for &j in &order {
            if up[j] {
                level[j] += half;
            } else {
                level[j] -= half;
            }
            points.push(row(&level));
            steps.push(MorrisStep {
                factor: j,
                up: up[j],
            });
        }
    }
    Ok(MorrisDesign {
        points,
        k,
        trajectories: r,
        levels: p,
        delta: p as f64 / (2.0 * (p - 1) as f64),
        steps,
    })
}
