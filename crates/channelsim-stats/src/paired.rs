//! Comparing two scenarios: paired differences (common random numbers) and, for contrast,
//! the unpaired Welch interval that ignores the pairing.

use serde::Serialize;

use crate::dist::{mean, sample_var, t_quantile, t_two_sided_p};
use crate::error::{Result, StatsError, check_finite, check_level};

/// Paired comparison of `a[i] - b[i]`, e.g. two scenarios run on the same seeds.
///
/// Interval and test use Student t with n - 1 df. When all differences are equal
/// (`sd_diff == 0`) the interval collapses to the mean and `t` is 0 (equal means,
/// `p_value` 1) or infinite (`p_value` 0).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairedDiff {
    /// Number of pairs.
    pub n: usize,
    /// Mean of `a[i] - b[i]`.
    pub mean_diff: f64,
    /// Sample standard deviation of the differences.
    pub sd_diff: f64,
    /// Lower end of the confidence interval for the mean difference.
    pub ci_lo: f64,
    /// Upper end of the confidence interval for the mean difference.
    pub ci_hi: f64,
    /// Share of pairs with `a[i] > b[i]` (strictly).
    pub share_positive: f64,
    /// Paired t statistic, `mean_diff / (sd_diff / sqrt(n))`.
    pub t: f64,
    /// Two-sided p-value of `t` against zero mean difference.
    pub p_value: f64,
    /// Confidence level of the interval.
    pub level: f64,
}

impl PairedDiff {
    /// Paired difference with a 95% interval; needs at least two pairs.
    pub fn of(a: &[f64], b: &[f64]) -> Result<Self> {
        Self::with_level(a, b, 0.95)
    }

    /// Paired difference with an interval at `level` in (0, 1).
    pub fn with_level(a: &[f64], b: &[f64], level: f64) -> Result<Self> {
        check_level(level)?;
        if a.len() != b.len() {
            return Err(StatsError::LengthMismatch {
                left: a.len(),
                right: b.len(),
            });
        }
        check_finite("a", a)?;
        check_finite("b", b)?;
        let n = a.len();
        if n < 2 {
            return Err(StatsError::TooFew {
                what: "paired comparison",
                need: 2,
                got: n,
            });
        }
        let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
        let m = mean(&d);
        let sd = sample_var(&d, m).sqrt();
        let se = sd / (n as f64).sqrt();
        let df = (n - 1) as f64;
        let (t, half) = t_and_half_width(m, se, df, level);
        Ok(Self {
            n,
            mean_diff: m,
            sd_diff: sd,
            ci_lo: m - half,
            ci_hi: m + half,
            share_positive: d.iter().filter(|&&x| x > 0.0).count() as f64 / n as f64,
            t,
            p_value: t_two_sided_p(t, df),
            level,
        })
    }
}

/// Unpaired comparison of `mean(a) - mean(b)` with Welch's unequal-variance t.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WelchDiff {
    /// Size of `a`.
    pub n_a: usize,
    /// Size of `b`.
    pub n_b: usize,
    /// `mean(a) - mean(b)`.
    pub mean_diff: f64,
    /// Standard error `sqrt(var_a / n_a + var_b / n_b)`.
    pub se: f64,
    /// Welch-Satterthwaite degrees of freedom (`n_a + n_b - 2` if both variances are 0).
    pub df: f64,
    /// Lower end of the confidence interval.
    pub ci_lo: f64,
    /// Upper end of the confidence interval.
    pub ci_hi: f64,
    /// Welch t statistic.
    pub t: f64,
    /// Two-sided p-value of `t`.
    pub p_value: f64,
    /// Confidence level of the interval.
    pub level: f64,
}

impl WelchDiff {
    /// Welch comparison with a 95% interval; each sample needs at least two values.
    pub fn of(a: &[f64], b: &[f64]) -> Result<Self> {
        Self::with_level(a, b, 0.95)
    }

    /// Welch comparison with an interval at `level` in (0, 1).
    pub fn with_level(a: &[f64], b: &[f64], level: f64) -> Result<Self> {
        check_level(level)?;
        check_finite("a", a)?;
        check_finite("b", b)?;
        for (what, xs) in [("sample a", a), ("sample b", b)] {
            if xs.len() < 2 {
                return Err(StatsError::TooFew {
                    what,
                    need: 2,
                    got: xs.len(),
                });
            }
        }
        let (na, nb) = (a.len() as f64, b.len() as f64);
        let (ma, mb) = (mean(a), mean(b));
        let (qa, qb) = (sample_var(a, ma) / na, sample_var(b, mb) / nb);
        let se = (qa + qb).sqrt();
        let df = if se == 0.0 {
            na + nb - 2.0
        } else {
            (qa + qb).powi(2) / (qa * qa / (na - 1.0) + qb * qb / (nb - 1.0))
        };
        let m = ma - mb;
        let (t, half) = t_and_half_width(m, se, df, level);
        Ok(Self {
            n_a: a.len(),
            n_b: b.len(),
            mean_diff: m,
            se,
            df,
            ci_lo: m - half,
            ci_hi: m + half,
            t,
            p_value: t_two_sided_p(t, df),
            level,
        })
    }
}

/// Unpaired Welch interval for `mean(a) - mean(b)` at 95%, to set beside [`PairedDiff`].
pub fn welch_unpaired(a: &[f64], b: &[f64]) -> Result<WelchDiff> {
    WelchDiff::of(a, b)
}

/// t statistic and interval half-width, defined without NaN when `se == 0`.
fn t_and_half_width(m: f64, se: f64, df: f64, level: f64) -> (f64, f64) {
    if se == 0.0 {
        let t = if m == 0.0 {
            0.0
        } else {
            m.signum() * f64::INFINITY
        };
        (t, 0.0)
    } else {
        (m / se, t_quantile(0.5 + level / 2.0, df) * se)
    }
}
