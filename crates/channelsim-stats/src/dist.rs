//! Thin wrappers over `statrs` distributions, with arguments already validated by callers.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Student-t quantile; `p` in (0, 1), `df > 0` (checked by callers).
/// Remembered per thread: callers ask for the same few (p, df) over and
/// over (a level and a replicate count for every month of every series),
/// and each costs an inverse incomplete beta.
pub(crate) fn t_quantile(p: f64, df: f64) -> f64 {
    thread_local! {
        static SEEN: std::cell::RefCell<Vec<((u64, u64), f64)>> = const {
            std::cell::RefCell::new(Vec::new())
        };
    }
    let key = (p.to_bits(), df.to_bits());
    SEEN.with_borrow_mut(|seen| {
        if let Some(&(_, q)) = seen.iter().find(|(k, _)| *k == key) {
            return q;
        }
        let q = match StudentsT::new(0.0, 1.0, df) {
            Ok(t) => t.inverse_cdf(p),
            Err(_) => f64::NAN,
        };
        if seen.len() == 32 {
            seen.remove(0);
        }
        seen.push((key, q));
        q
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A remembered quantile is the one computed afresh, bit for bit, also
    /// once more pairs were asked for than are kept.
    #[test]
    fn remembered_t_quantiles_are_those_computed_afresh() {
        let fresh = |p: f64, df: f64| StudentsT::new(0.0, 1.0, df).unwrap().inverse_cdf(p);
        for round in 0..2 {
            for df in 1..=40 {
                for p in [0.975, 0.95] {
                    let q = t_quantile(p, df as f64);
                    assert_eq!(
                        q.to_bits(),
                        fresh(p, df as f64).to_bits(),
                        "{round} {df} {p}"
                    );
                }
            }
        }
        assert!((t_quantile(0.975, 19.0) - 2.093).abs() < 1e-3);
        assert!(t_quantile(0.975, 0.0).is_nan());
    }
}
