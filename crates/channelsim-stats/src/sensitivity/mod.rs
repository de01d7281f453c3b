//! Sensitivity analysis of model outputs run on a [`crate::design`], with SALib's estimators
//! and result key names so results read like SALib's.

mod morris;
mod sobol;

pub use morris::{MorrisResult, morris_indices};
pub use sobol::{SobolResult, sobol_indices};

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use crate::dist::z_quantile;
use crate::error::{Result, StatsError, check_level};

/// Bootstrap settings for confidence half-widths (`*_conf = z * sd` of the resampled
/// estimates, SALib's convention).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bootstrap {
    /// Number of resamples (at least 2; SALib's default is 100).
    pub resamples: usize,
    /// Confidence level in (0, 1) for `z`.
    pub conf_level: f64,
    /// Seed of the `ChaCha8Rng` that draws the resamples.
    pub seed: u64,
}

impl Bootstrap {
    /// SALib's defaults (100 resamples, 95%) with an explicit seed.
    pub fn new(seed: u64) -> Self {
        Self {
            resamples: 100,
            conf_level: 0.95,
            seed,
        }
    }

    fn check(&self) -> Result<()> {
        check_level(self.conf_level)?;
        if self.resamples < 2 {
            return Err(StatsError::TooFew {
                what: "bootstrap resamples",
                need: 2,
                got: self.resamples,
            });
        }
        Ok(())
    }

    fn z(&self) -> f64 {
        z_quantile(0.5 + self.conf_level / 2.0)
    }

    fn rng(&self) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(self.seed)
    }
}

/// Sample standard deviation (n - 1) of bootstrap estimates; callers pass >= 2 values.
fn sd(xs: &[f64]) -> f64 {
    let m = crate::dist::mean(xs);
    crate::dist::sample_var(xs, m).sqrt()
}
