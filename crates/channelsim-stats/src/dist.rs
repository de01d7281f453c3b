//! Thin wrappers over `statrs` distributions, with arguments already validated by callers.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Student-t quantile; `p` in (0, 1), `df > 0` (checked by callers).
pub(crate) fn t_quantile(p: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// Two-sided p-value of a t statistic; infinite `t` gives 0, `t == 0` gives 1.
pub(crate) fn t_two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_infinite() {
        return 0.0;
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) => (2.0 * dist.sf(t.abs())).min(1.0),
        Err(_) => f64::NAN,
    }
}

/// Standard-normal quantile, used for SALib-style `z * sd` bootstrap half-widths.
pub(crate) fn z_quantile(p: f64) -> f64 {
    match Normal::new(0.0, 1.0) {
        Ok(n) => n.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// Arithmetic mean; callers guarantee non-empty input.
pub(crate) fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Sample variance (n - 1 denominator, two-pass for stability); 0 for a single value.
pub(crate) fn sample_var(xs: &[f64], mean: f64) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let ss: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
    ss / (xs.len() - 1) as f64
}
