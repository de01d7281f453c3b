//! Sobol' indices from a Saltelli design, with SALib's `analyze.sobol` estimators:
//! S1 of Saltelli et al. (2010), ST of Jansen, S2 of Saltelli (2002).

use rand::RngExt;
use serde::Serialize;

use super::{Bootstrap, sd};
use crate::error::{Result, StatsError, check_finite};

/// First-, total- and (optionally) second-order Sobol' indices with bootstrap half-widths.
///
/// Serialized with SALib's keys (`S1`, `S1_conf`, `ST`, `ST_conf`, `S2`, `S2_conf`). As in
/// SALib, `S2[j][l]` is filled for `j < l` only; other entries are NaN (`null` in JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SobolResult {
    /// First-order indices, one per factor.
    #[serde(rename = "S1")]
    pub s1: Vec<f64>,
    /// Bootstrap half-widths of `s1`.
    #[serde(rename = "S1_conf")]
    pub s1_conf: Vec<f64>,
    /// Total-order indices.
    #[serde(rename = "ST")]
    pub st: Vec<f64>,
    /// Bootstrap half-widths of `st`.
    #[serde(rename = "ST_conf")]
    pub st_conf: Vec<f64>,
    /// Second-order indices (`k x k`, upper triangle), when asked for.
    #[serde(rename = "S2", skip_serializing_if = "Option::is_none")]
    pub s2: Option<Vec<Vec<f64>>>,
    /// Bootstrap half-widths of `s2`.
    #[serde(rename = "S2_conf", skip_serializing_if = "Option::is_none")]
    pub s2_conf: Option<Vec<Vec<f64>>>,
}

/// Sobol' indices of `k` factors from outputs `y` of a [`crate::saltelli`] design, row for
/// row (`second_order` must match the design).
///
/// As SALib: outputs are standardised first, the variance is that of the A and B rows
/// together, and each bootstrap resample redraws the `N` base samples with replacement.
/// A constant output gives all indices and half-widths 0.
pub fn sobol_indices(
    y: &[f64],
    k: usize,
    second_order: bool,
    boot: &Bootstrap,
) -> Result<SobolResult> {
    boot.check()?;
    if k == 0 {
        return Err(StatsError::NoFactors);
    }
    check_finite("model outputs", y)?;
    let block = if second_order { 2 * k + 2 } else { k + 2 };
    if !y.len().is_multiple_of(block) {
        return Err(StatsError::OutputShape {
            len: y.len(),
            expected: format!("a multiple of {block} rows for k = {k}"),
        });
    }
    let n = y.len() / block;
    let parts = Parts::split(y, k, n, second_order);
    let point = parts.estimate(&(0..n).collect::<Vec<_>>());

    let mut rng = boot.rng();
    let mut idx = vec![0usize; n];
    let mut draws = Vec::with_capacity(boot.resamples);
    for _ in 0..boot.resamples {
        idx.iter_mut().for_each(|i| *i = rng.random_range(0..n));
        draws.push(parts.estimate(&idx));
    }
    let z = boot.z();
    let conf = |f: &dyn Fn(&Estimate) -> f64| z * sd(&draws.iter().map(f).collect::<Vec<_>>());
    let s1_conf = (0..k).map(|j| conf(&|e| e.s1[j])).collect();
    let st_conf = (0..k).map(|j| conf(&|e| e.st[j])).collect();
    let s2_conf = point.s2.as_ref().map(|_| {
        upper(k, |j, l| {
            conf(&|e: &Estimate| e.s2.as_ref().map_or(f64::NAN, |s| s[j][l]))
        })
    });
    Ok(SobolResult {
        s1: point.s1,
        s1_conf,
        st: point.st,
        st_conf,
        s2: point.s2,
        s2_conf,
    })
}

/// A `k x k` matrix with `f(j, l)` above the diagonal and NaN elsewhere (SALib's layout).
fn upper(k: usize, f: impl Fn(usize, usize) -> f64) -> Vec<Vec<f64>> {
    (0..k)
        .map(|j| {
            (0..k)
                .map(|l| if j < l { f(j, l) } else { f64::NAN })
                .collect()
        })
        .collect()
}

/// Standardised outputs split by role: `a[i]`, `b[i]`, `ab[j][i]`, `ba[j][i]`.
struct Parts {
    a: Vec<f64>,
    b: Vec<f64>,
    ab: Vec<Vec<f64>>,
    ba: Option<Vec<Vec<f64>>>,
    constant: bool,
}

struct Estimate {
    s1: Vec<f64>,
    st: Vec<f64>,
    s2: Option<Vec<Vec<f64>>>,
}

impl Parts {
    fn split(y: &[f64], k: usize, n: usize, second_order: bool) -> Self {
        let (min, max) = y
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let constant = min == max;
        let m = crate::dist::mean(y);
        let sd = (y.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / y.len() as f64).sqrt();
        let z = |v: f64| if constant { 0.0 } else { (v - m) / sd };
        let block = y.len() / n;
        let col = |off: usize| (0..n).map(|i| z(y[i * block + off])).collect::<Vec<_>>();
        Self {
            a: col(0),
            b: col(block - 1),
            ab: (0..k).map(|j| col(1 + j)).collect(),
            ba: second_order.then(|| (0..k).map(|j| col(1 + k + j)).collect()),
            constant,
        }
    }

    /// Indices over the base samples `idx` (all of them, or a bootstrap resample).
    fn estimate(&self, idx: &[usize]) -> Estimate {
        let k = self.ab.len();
        let len = idx.len() as f64;
        let mean_of = |f: &dyn Fn(usize) -> f64| idx.iter().map(|&i| f(i)).sum::<f64>() / len;
        // Population variance of the A and B outputs together.
        let mu = (mean_of(&|i| self.a[i]) + mean_of(&|i| self.b[i])) / 2.0;
        let var =
            (mean_of(&|i| (self.a[i] - mu).powi(2)) + mean_of(&|i| (self.b[i] - mu).powi(2))) / 2.0;
        // SALib returns 0 where the variance vanishes rather than dividing by it.
        let ok = !self.constant && var > f64::EPSILON;
        let norm = |v: f64| if ok { v / var } else { 0.0 };
        let (a, b) = (&self.a, &self.b);
        let s1: Vec<f64> = self
            .ab
            .iter()
            .map(|abj| norm(mean_of(&|i| b[i] * (abj[i] - a[i]))))
            .collect();
        let st = self
            .ab
            .iter()
            .map(|abj| norm(0.5 * mean_of(&|i| (a[i] - abj[i]).powi(2))))
            .collect();
        let s2 = self.ba.as_ref().map(|ba| {
            upper(k, |j, l| {
                let vjl = norm(mean_of(&|i| ba[j][i] * self.ab[l][i] - a[i] * b[i]));
                vjl - s1[j] - s1[l]
            })
        });
        Estimate { s1, st, s2 }
    }
}
