//! Analyses of a merged sweep: sensitivity indices (Sobol, Morris) with
//! SALib's key names, a line/band table per factor, and the regret table of
//! a robust choice among variants over uncertain futures.

use crate::RunnerError;
use crate::experiment::{Experiment, Method};
use channelsim_results::catalogue;
use channelsim_results::rows::{RegretRow, SensitivityRow, finite};
use channelsim_stats::{Bootstrap, morris_indices, sobol_indices};

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

/// Sobol or Morris indices for every kept metric and variant: one record
/// per metric, variant and factor.
pub fn sensitivity(
    exp: &Experiment,
    results: &[Option<Vec<f64>>],
) -> Result<Vec<SensitivityRow>, RunnerError> {
    let k = exp.factors.len();
    let boot = Bootstrap::new(exp.design_seed);
    let method = format!("{:?}", exp.method).to_lowercase();
    let mut out = Vec::new();
    for (mi, metric) in exp.metrics.iter().enumerate() {
        let means = point_means(exp, results, mi);
        let column = catalogue::find(metric).map_or(metric.as_str(), |m| m.column);
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
            let row = |f: usize| SensitivityRow {
                method: method.clone(),
                metric: column.to_string(),
                variant: variant.clone(),
                factor: exp.factors[f].clone(),
                replicates: exp.replicates,
                ..SensitivityRow::default()
            };
            match exp.method {
                Method::Sobol => {
                    let r = sobol_indices(&y, k, exp.second_order, &boot).map_err(err)?;
                    out.extend((0..k).map(|f| SensitivityRow {
                        s1: finite(r.s1[f]),
                        s1_conf: finite(r.s1_conf[f]),
                        st: finite(r.st[f]),
                        st_conf: finite(r.st_conf[f]),
                        ..row(f)
                    }));
                }
                Method::Morris => {
                    let d = exp.morris.as_ref().expect("morris design kept");
                    let r = morris_indices(d, &y, &boot).map_err(err)?;
                    out.extend((0..k).map(|f| SensitivityRow {
                        mu: finite(r.mu[f]),
                        mu_star: finite(r.mu_star[f]),
                        sigma: finite(r.sigma[f]),
                        mu_star_conf: finite(r.mu_star_conf[f]),
                        ..row(f)
                    }));
                }
                _ => {
                    return Err(RunnerError::Analysis {
                        what: format!("sensitivity of {metric}"),
                        message: "needs design.method = \"sobol\" or \"morris\"".into(),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// A factor value as written in the design (TOML text): a number when it
/// is one, else the text.
fn factor_value(text: &str) -> serde_json::Value {
    match text
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
    {
        Some(n) => serde_json::Value::Number(n),
        None => serde_json::Value::String(text.trim_matches('"').to_string()),
    }
}

/// For each variant, its regret in each future (best mean there minus its
/// own) and its maximum regret; the minimax-regret choice flagged. One
/// record per variant and future.
pub fn regret(exp: &Experiment, results: &[Option<Vec<f64>>]) -> Option<Vec<RegretRow>> {
    if exp.variants.len() < 2 {
        return None;
    }
    let mi = exp.metrics.iter().position(|m| *m == exp.regret_metric)?;
    let m = catalogue::find(&exp.regret_metric)?;
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
    let regrets: Vec<Vec<f64>> = (0..exp.variants.len())
        .map(|vi| {
            means
                .iter()
                .zip(&best)
                .map(|(row, best)| best - row[vi])
                .collect()
        })
        .collect();
    let max: Vec<f64> = regrets
        .iter()
        .map(|r| r.iter().cloned().fold(f64::NEG_INFINITY, f64::max))
        .collect();
    let best = (0..max.len()).min_by(|&a, &b| max[a].total_cmp(&max[b]))?;
    let mut out = Vec::new();
    for (vi, name) in exp.variants.iter().enumerate() {
        for (p, point) in exp.points.iter().enumerate() {
            out.push(RegretRow {
                metric: m.column.to_string(),
                unit: m.unit.label().to_string(),
                variant: name.clone(),
                point_id: p as u64,
                value: finite(means[p][vi]),
                regret: finite(regrets[vi][p]),
                max_regret: finite(max[vi]),
                minimax: vi == best,
                factors: exp
                    .factors
                    .iter()
                    .zip(point)
                    .map(|(f, v)| (f.clone(), factor_value(v)))
                    .collect(),
            });
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::factor_value;

    #[test]
    fn issue12_factor_values_are_numbers_where_they_are_numbers() {
        assert_eq!(factor_value("0.25"), serde_json::json!(0.25));
        assert_eq!(factor_value("3"), serde_json::json!(3.0));
        assert_eq!(factor_value("\"abu\""), serde_json::json!("abu"));
        assert_eq!(factor_value("[0.1, 0.2]"), serde_json::json!("[0.1, 0.2]"));
    }
}
