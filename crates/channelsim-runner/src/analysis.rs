//! Analyses of a merged sweep: sensitivity indices (Sobol, Morris) with
//! SALib's key names, a line/band table per factor, and the regret table of
//! a robust choice among variants over uncertain futures.

use crate::RunnerError;
use crate::experiment::{Experiment, Method};
use channelsim_stats::{Bootstrap, morris_indices, sobol_indices};
use serde::Serialize;

/// Mean over replicates of metric `m` at each (point, variant); NaN where
/// every replicate failed.
pub fn point_means(exp: &Experiment, results: &[Option<Vec<f64>>], m: usize) -> Vec<Vec<f64>> {
    let nv = exp.variants.len();
    let mut sum = vec![vec![0.0; nv]; exp.points.len()];
    let mut n = vec![vec![0u32; nv]; exp.points.len()];
    for (i, r) in results.iter().enumerate() {
        if let Some(vals) = r {
            let id = exp.run_id(i);
            if vals[m].is_finite() {
                sum[id.point][id.variant] += vals[m];
                n[id.point][id.variant] += 1;
            }
        }
    }
    sum.iter()
        .zip(&n)
        .map(|(s, c)| {
            s.iter()
                .zip(c)
                .map(|(s, &c)| if c > 0 { s / c as f64 } else { f64::NAN })
                .collect()
        })
        .collect()
}

#[derive(Serialize)]
pub struct SensitivityEntry {
    pub metric: String,
    pub variant: String,
    #[serde(flatten)]
    pub result: serde_json::Value,
}

#[derive(Serialize)]
pub struct Sensitivity {
    pub method: String,
    pub factors: Vec<String>,
    pub replicates: u32,
    pub results: Vec<SensitivityEntry>,
}

/// Sobol or Morris indices for every kept metric and variant.
pub fn sensitivity(
    exp: &Experiment,
    results: &[Option<Vec<f64>>],
) -> Result<Sensitivity, RunnerError> {
    let k = exp.factors.len();
    let boot = Bootstrap::new(exp.design_seed);
    let mut out = Vec::new();
    for (mi, metric) in exp.metrics.iter().enumerate() {
        let means = point_means(exp, results, mi);
        for (vi, variant) in exp.variants.iter().enumerate() {
            let y: Vec<f64> = means.iter().map(|row| row[vi]).collect();
            if y.iter().any(|x| !x.is_finite()) {
                return Err(RunnerError::Analysis {
                    what: format!("sensitivity of {metric}"),
                    message: "some design points have no result (see failures.csv)".into(),
                });
            }
            let err = |e: channelsim_stats::StatsError| RunnerError::Analysis {
                what: format!("sensitivity of {metric}"),
                message: e.to_string(),
            };
            let result = match exp.method {
                Method::Sobol => serde_json::to_value(
                    sobol_indices(&y, k, exp.second_order, &boot).map_err(err)?,
                ),
                Method::Morris => {
                    let d = exp.morris.as_ref().expect("morris design kept");
                    serde_json::to_value(morris_indices(d, &y, &boot).map_err(err)?)
                }
                _ => {
                    return Err(RunnerError::Analysis {
                        what: format!("sensitivity of {metric}"),
                        message: "needs design.method = \"sobol\" or \"morris\"".into(),
                    });
                }
            }
            .map_err(|e| RunnerError::Analysis {
                what: format!("sensitivity of {metric}"),
                message: e.to_string(),
            })?;
            out.push(SensitivityEntry {
                metric: metric.clone(),
                variant: variant.clone(),
                result,
            });
        }
    }
    Ok(Sensitivity {
        method: format!("{:?}", exp.method).to_lowercase(),
        factors: exp.factors.clone(),
        replicates: exp.replicates,
        results: out,
    })
}

#[derive(Serialize)]
pub struct RegretRow {
    pub variant: String,
    /// Regret in each future (design point), in point order.
    pub regret: Vec<f64>,
    pub max_regret: f64,
    pub mean_value: f64,
}

#[derive(Serialize)]
pub struct Regret {
    pub metric: String,
    pub futures: Vec<Vec<String>>,
    pub factors: Vec<String>,
    pub rows: Vec<RegretRow>,
    pub minimax_regret: String,
}

/// For each variant, its regret in each future (best mean there minus its
/// own) and its maximum regret; the minimax-regret choice.
pub fn regret(exp: &Experiment, results: &[Option<Vec<f64>>]) -> Option<Regret> {
    if exp.variants.len() < 2 {
        return None;
    }
    let mi = exp.metrics.iter().position(|m| *m == exp.regret_metric)?;
    let means = point_means(exp, results, mi);
    // The best mean of each future, once (not once per variant: that was
    // quadratic in the number of variants).
    let best: Vec<f64> = means
        .iter()
        .map(|row| {
            row.iter()
                .cloned()
                .filter(|x| x.is_finite())
                .fold(f64::NEG_INFINITY, f64::max)
        })
        .collect();
    let rows: Vec<RegretRow> = exp
        .variants
        .iter()
        .enumerate()
        .map(|(vi, name)| {
            let regret: Vec<f64> = means
                .iter()
                .zip(&best)
                .map(|(row, best)| best - row[vi])
                .collect();
            RegretRow {
                variant: name.clone(),
                max_regret: regret.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
                mean_value: means.iter().map(|r| r[vi]).sum::<f64>() / means.len() as f64,
                regret,
            }
        })
        .collect();
    let best = rows
        .iter()
        .min_by(|a, b| a.max_regret.total_cmp(&b.max_regret))
        .map(|r| r.variant.clone())
        .unwrap_or_default();
    Some(Regret {
        metric: exp.regret_metric.clone(),
        futures: exp.points.clone(),
        factors: exp.factors.clone(),
        rows,
        minimax_regret: best,
    })
}
