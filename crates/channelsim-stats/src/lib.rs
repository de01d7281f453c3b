//! Statistics, experimental designs and sensitivity analysis for channelsim scenario runs.
//!
//! Pure numerics with no knowledge of the model: a runner builds a design, runs the model
//! on each row, and hands the outputs back here. Every function returns a typed
//! [`StatsError`] on bad input instead of panicking or printing, and all randomness comes
//! from a `ChaCha8Rng` seeded with an explicit `seed`, so the same seed gives the same
//! design and the same bootstrap.
//!
//! # Public API
//!
//! Summaries ([`summary`]):
//! - [`Summary::of`]`(&[f64]) -> Result<Summary>` — `n, mean, sd, se, ci_lo, ci_hi, level`,
//!   95% Student-t interval; [`Summary::with_level`]`(&[f64], level)` for other levels.
//!   Empty or non-finite input is an error; `n == 1` gives `sd = 0` and a zero-width interval.
//! - [`quantile`]`(&[f64], p) -> Result<f64>` and [`quantiles`]`(&[f64], &[f64]) -> Result<Vec<f64>>`
//!   — type-7 (numpy/R default) linear interpolation, for percentile bands.
//!
//! Scenario comparisons ([`paired`]):
//! - [`PairedDiff::of`]`(a, b)` / [`PairedDiff::with_level`]`(a, b, level)` — paired `a[i] - b[i]`:
//!   `n, mean_diff, sd_diff, ci_lo, ci_hi, share_positive, t, p_value, level`.
//! - [`welch_unpaired`]`(a, b) -> Result<WelchDiff>` (also [`WelchDiff::with_level`]) — the
//!   unpaired Welch interval, to show what pairing gains.
//!
//! Designs ([`design`]; points are rows, one column per factor in factor order):
//! - [`Factor`]`{ name, lo, hi }` — a continuous factor, uniform on `[lo, hi]`.
//! - [`grid`]`(&[Vec<f64>]) -> Result<Vec<Vec<f64>>>` — full factorial, last factor fastest.
//! - [`lhs`]`(&[Factor], n, seed) -> Result<Vec<Vec<f64>>>` — Latin hypercube, one point per
//!   stratum per factor.
//! - [`saltelli`]`(&[Factor], n, second_order, skip) -> Result<Vec<Vec<f64>>>` — SALib's Saltelli
//!   layout on an unscrambled Sobol' sequence; `n` a power of two; `n (2k + 2)` or `n (k + 2)` rows.
//! - [`morris`]`(&[Factor], r, p, seed) -> Result<MorrisDesign>` — `r` trajectories of `k + 1`
//!   points on a `p`-level grid, step `p / (2 (p - 1))`, with the moves recorded for analysis.
//!
//! Sensitivity ([`sensitivity`]; results serialize with SALib's key names):
//! - [`Bootstrap`]`{ resamples, conf_level, seed }` ([`Bootstrap::new`]`(seed)`: 100, 0.95).
//! - [`sobol_indices`]`(y, k, second_order, &Bootstrap) -> Result<SobolResult>` —
//!   `S1, S1_conf, ST, ST_conf, S2, S2_conf` with SALib's estimators.
//! - [`morris_indices`]`(&MorrisDesign, y, &Bootstrap) -> Result<MorrisResult>` —
//!   `mu, mu_star, sigma, mu_star_conf` as SALib computes them.
//!
//! # Example
//!
//! ```
//! use channelsim_stats::{Bootstrap, Factor, saltelli, sobol_indices};
//!
//! let factors = [Factor::new("speed", 0.0, 2.0), Factor::new("noise", 0.0, 1.0)];
//! let rows = saltelli(&factors, 256, false, 0)?; // 256 * (2 + 2) rows
//! let y: Vec<f64> = rows.iter().map(|x| 3.0 * x[0] + x[1]).collect(); // the model
//! let s = sobol_indices(&y, factors.len(), false, &Bootstrap::new(42))?;
//! assert!(s.s1[0] > s.s1[1]);
//! # Ok::<(), channelsim_stats::StatsError>(())
//! ```

pub mod design;
mod dist;
mod error;
pub mod paired;
pub mod sensitivity;
pub mod summary;

pub use design::{
    Factor, MorrisDesign, MorrisStep, grid, lhs, max_saltelli_factors, morris, saltelli,
};
pub use error::{Result, StatsError};
pub use paired::{PairedDiff, WelchDiff, welch_unpaired};
pub use sensitivity::{Bootstrap, MorrisResult, SobolResult, morris_indices, sobol_indices};
pub use summary::{Summary, quantile, quantiles};
