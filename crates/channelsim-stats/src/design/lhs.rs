//! Latin hypercube sampling.

use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

use super::{Factor, check_factors};
use crate::error::{Result, StatsError};

/// Latin hypercube of `n` points: each factor's range is cut into `n` equal strata and every
/// stratum holds exactly one point, at a uniform position inside it.
///
/// Rows are sample points in generation order; the pairing of strata across factors is a
/// random permutation per factor, drawn from `ChaCha8Rng` seeded with `seed`.
pub fn lhs(factors: &[Factor], n: usize, seed: u64) -> Result<Vec<Vec<f64>>> {
    check_factors(factors)?;
    if n == 0 {
        return Err(StatsError::TooFew {
            what: "Latin hypercube",
            need: 1,
            got: 0,
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = vec![Vec::with_capacity(factors.len()); n];
    let mut strata: Vec<usize> = (0..n).collect();
    for f in factors {
        strata.shuffle(&mut rng);
        for (row, &s) in out.iter_mut().zip(&strata) {
            let u = (s as f64 + rng.random::<f64>()) / n as f64;
            row.push(f.scale(u));
        }
    }
    Ok(out)
}
