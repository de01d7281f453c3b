//! The few statistics the charts need (bands across replicates).

/// From this many replicates on, bands are the 5th–95th percentiles;
/// below it, mean ± 1.645 sd (the rule of `monthly.csv`, used alike for
/// folders that only have `series.csv` and for sweeps).
pub const PERCENTILE_MIN_REPLICATES: usize =
    channelsim_results::rows::PERCENTILE_MIN_REPLICATES as usize;

/// Mean and a 90% band of some values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
    pub n: usize,
}

pub fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

pub fn sd(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return 0.0;
    }
    let m = mean(v);
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}

/// Type-7 quantile of sorted values.
pub fn quantile_sorted(s: &[f64], p: f64) -> f64 {
    let h = (s.len() - 1) as f64 * p;
    let (i, f) = (h.floor() as usize, h - h.floor());
    if i + 1 < s.len() {
        s[i] + f * (s[i + 1] - s[i])
    } else {
        s[i]
    }
}

/// The band of the finite values, or `None` if there are none.
pub fn band(values: impl Iterator<Item = f64>) -> Option<Band> {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    let m = mean(&v);
    let (lo, hi) = if v.len() >= PERCENTILE_MIN_REPLICATES {
        v.sort_by(f64::total_cmp);
        (quantile_sorted(&v, 0.05), quantile_sorted(&v, 0.95))
    } else {
        let h = 1.645 * sd(&v);
        (m - h, m + h)
    };
    Some(Band {
        mean: m,
        lo,
        hi,
        n: v.len(),
    })
}

/// How a band over `n` replicates was computed, for captions.
pub fn band_rule(n: usize) -> String {
    if n >= PERCENTILE_MIN_REPLICATES {
        format!("Line: mean of {n} replicates; band: 5th–95th percentile")
    } else {
        format!(
            "Line: mean of {n} replicates; band: mean ± 1.645 sd (under {PERCENTILE_MIN_REPLICATES} replicates)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy() {
        let s = [1.0, 2.0, 3.0, 4.0];
        assert!((quantile_sorted(&s, 0.05) - 1.15).abs() < 1e-12);
        assert!((quantile_sorted(&s, 0.95) - 3.85).abs() < 1e-12);
    }

    #[test]
    fn band_switches_rule() {
        let few = band([1.0, 2.0, 3.0].into_iter()).unwrap();
        assert!((few.hi - (2.0 + 1.645)).abs() < 1e-12);
        let many = band((0..=100).map(f64::from)).unwrap();
        assert!((many.lo - 5.0).abs() < 1e-9 && (many.hi - 95.0).abs() < 1e-9);
        assert!(band([f64::NAN].into_iter()).is_none());
    }
}
