//! Experimental designs. Every design returns points as rows (`Vec<Vec<f64>>`, one value
//! per factor, in factor order) in a fixed, documented row order, so that outputs can be
//! matched back to rows by index.

mod grid;
mod lhs;
mod morris;
mod saltelli;
mod sobol_seq;

pub use grid::grid;
pub use lhs::lhs;
pub use morris::{MorrisDesign, MorrisStep, morris};
pub use saltelli::{max_saltelli_factors, saltelli};

use serde::{Deserialize, Serialize};

use crate::error::{Result, StatsError};

/// A continuous factor, sampled uniformly on `[lo, hi]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// Name, for reports only.
    pub name: String,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound (`lo == hi` is allowed: a factor held fixed).
    pub hi: f64,
}

impl Factor {
    /// Convenience constructor; the range is checked when a design uses it.
    pub fn new(name: impl Into<String>, lo: f64, hi: f64) -> Self {
        Self {
            name: name.into(),
            lo,
            hi,
        }
    }

    /// Maps `u` in [0, 1] onto the factor's range (as SALib does: `u * (hi - lo) + lo`).
    pub fn scale(&self, u: f64) -> f64 {
        u * (self.hi - self.lo) + self.lo
    }
}

/// Rejects an empty factor list and non-finite or reversed ranges.
fn check_factors(factors: &[Factor]) -> Result<()> {
    if factors.is_empty() {
        return Err(StatsError::NoFactors);
    }
    match factors
        .iter()
        .find(|f| !(f.lo.is_finite() && f.hi.is_finite() && f.lo <= f.hi))
    {
        Some(f) => Err(StatsError::BadFactor {
            name: f.name.clone(),
            lo: f.lo,
            hi: f.hi,
        }),
        None => Ok(()),
    }
}
