//! The one error type of the crate: every bad input is reported, never panicked on.

/// Why a statistic, design or analysis could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    /// An input that needs data had none.
    #[error("{what} is empty")]
    Empty { what: &'static str },
    /// NaN or infinity in the input (a failed run, usually): reported rather than propagated.
    #[error("{what} has a non-finite value at index {index}")]
    NonFinite { what: &'static str, index: usize },
    /// Fewer observations than the statistic needs (e.g. two for a paired t).
    #[error("{what} needs at least {need} values, got {got}")]
    TooFew {
        what: &'static str,
        need: usize,
        got: usize,
    },
    /// Two inputs that must pair up element by element differ in length.
    #[error("lengths differ: {left} vs {right}")]
    LengthMismatch { left: usize, right: usize },
    /// Confidence level outside the open interval (0, 1).
    #[error("confidence level must be in (0, 1), got {0}")]
    BadLevel(f64),
    /// Quantile probability outside [0, 1].
    #[error("quantile probability must be in [0, 1], got {0}")]
    BadProbability(f64),
    /// A factor range that is not finite or has `lo > hi`.
    #[error("factor `{name}` has an invalid range [{lo}, {hi}]")]
    BadFactor { name: String, lo: f64, hi: f64 },
    /// A design was asked for with no factors.
    #[error("a design needs at least one factor")]
    NoFactors,
    /// More factors than the Sobol' direction numbers support.
    #[error("too many factors: {got} (at most {max})")]
    TooManyFactors { got: usize, max: usize },
    /// Saltelli base sample size must be a power of two (Sobol' balance properties).
    #[error("base sample size N must be a power of two, got {0}")]
    NotPowerOfTwo(usize),
    /// Morris grid levels must be even and at least 2.
    #[error("Morris levels must be even and at least 2, got {0}")]
    BadLevels(usize),
    /// The design would have more points than can be indexed.
    #[error("design too large: {0}")]
    TooLarge(&'static str),
    /// Model outputs do not match the design they should come from.
    #[error("output length {len} does not fit the design ({expected})")]
    OutputShape { len: usize, expected: String },
}

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, StatsError>;

/// Rejects empty or non-finite input with a typed error.
pub(crate) fn check_finite(what: &'static str, xs: &[f64]) -> Result<()> {
    if xs.is_empty() {
        return Err(StatsError::Empty { what });
    }
    match xs.iter().position(|x| !x.is_finite()) {
        Some(index) => Err(StatsError::NonFinite { what, index }),
        None => Ok(()),
    }
}

/// Rejects a confidence level outside (0, 1).
pub(crate) fn check_level(level: f64) -> Result<()> {
    if level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(StatsError::BadLevel(level))
    }
}
