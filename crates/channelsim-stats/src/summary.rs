//! Mean, spread and a Student-t confidence interval for replicate outputs, plus quantiles for bands.

use serde::Serialize;

use crate::dist::{mean, sample_var, t_quantile};
use crate::error::{Result, StatsError, check_finite, check_level};

/// Summary of a sample: mean with a two-sided Student-t confidence interval (n - 1 df).
///
/// With `n == 1` the spread is unknown: `sd` and `se` are 0 and the interval collapses
/// to the mean, so a single replicate never yields NaN.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Number of observations.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (n - 1 denominator).
    pub sd: f64,
    /// Standard error of the mean, `sd / sqrt(n)`.
    pub se: f64,
    /// Lower end of the confidence interval for the mean.
    pub ci_lo: f64,
    /// Upper end of the confidence interval for the mean.
    pub ci_hi: f64,
    /// Confidence level of the interval, e.g. 0.95.
    pub level: f64,
}

impl Summary {
    /// The interval clipped to `[lo, hi]`, the values the quantity can take
    /// (its mean cannot lie outside them; the coverage is unchanged). A t
    /// interval of few replicates near a bound otherwise crosses it.
    pub fn clipped(mut self, lo: f64, hi: f64) -> Self {
        self.ci_lo = self.ci_lo.clamp(lo, hi);
        self.ci_hi = self.ci_hi.clamp(lo, hi);
        self
    }

    /// Summary with a 95% interval. Errors on empty or non-finite input.
    pub fn of(xs: &[f64]) -> Result<Self> {
        Self::with_level(xs, 0.95)
    }

    /// Summary with an interval at `level` in (0, 1), e.g. 0.90.
    pub fn with_level(xs: &[f64], level: f64) -> Result<Self> {
        check_level(level)?;
        check_finite("sample", xs)?;
        let n = xs.len();
        let m = mean(xs);
        let sd = sample_var(xs, m).sqrt();
        let se = sd / (n as f64).sqrt();
        let half = if n < 2 || se == 0.0 {
            0.0
        } else {
            t_quantile(0.5 + level / 2.0, (n - 1) as f64) * se
        };
        Ok(Self {
            n,
            mean: m,
            sd,
            se,
            ci_lo: m - half,
            ci_hi: m + half,
            level,
        })
    }
}

/// Quantile at probability `p` in [0, 1] by linear interpolation between order
/// statistics (Hyndman-Fan type 7, numpy's and R's default).
pub fn quantile(xs: &[f64], p: f64) -> Result<f64> {
    Ok(quantiles(xs, &[p])?[0])
}

/// Several type-7 quantiles of one sample, sorting it once (for percentile bands).
pub fn quantiles(xs: &[f64], ps: &[f64]) -> Result<Vec<f64>> {
    check_finite("sample", xs)?;
    if let Some(&p) = ps.iter().find(|p| !(0.0..=1.0).contains(*p)) {
        return Err(StatsError::BadProbability(p));
    }
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    Ok(ps.iter().map(|&p| type7(&sorted, p)).collect())
}

fn type7(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let frac = h - lo as f64;
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_matches_numpy_type7() {
        // numpy.quantile([1, 2, 3, 4, 10], [0, 0.1, 0.25, 0.5, 0.9, 1]) = [1, 1.4, 2, 3, 7.6, 10]
        let xs = [10.0, 3.0, 1.0, 4.0, 2.0];
        let got = quantiles(&xs, &[0.0, 0.1, 0.25, 0.5, 0.9, 1.0]).unwrap();
        let want = [1.0, 1.4, 2.0, 3.0, 7.6, 10.0];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{got:?}");
        }
        assert_eq!(quantile(&[5.0], 0.3).unwrap(), 5.0);
    }

    #[test]
    fn a_clipped_interval_stays_in_range_and_keeps_its_mean() {
        // Two shares near 1: the t interval (t = 12.7 at 1 df) crosses 1.
        let s = Summary::of(&[0.95, 1.0]).unwrap();
        assert!(s.ci_hi > 1.0 && s.ci_lo < 0.95);
        let c = s.clone().clipped(0.0, 1.0);
        assert_eq!((c.mean, c.ci_hi), (s.mean, 1.0));
        assert_eq!(c.ci_lo, s.ci_lo.max(0.0));
    }

    #[test]
    fn quantile_rejects_bad_input() {
        assert_eq!(
            quantile(&[], 0.5),
            Err(StatsError::Empty { what: "sample" })
        );
        assert_eq!(quantile(&[1.0], 1.5), Err(StatsError::BadProbability(1.5)));
        assert!(matches!(
            quantile(&[1.0, f64::NAN], 0.5),
            Err(StatsError::NonFinite { index: 1, .. })
        ));
    }
}
