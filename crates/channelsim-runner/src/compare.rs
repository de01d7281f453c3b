//! Paired comparison of variants run on common random numbers: horizon
//! summaries, paired differences against a baseline, rankings, and the
//! long-term against short-term crossover per strategy (docs/results.md).

use crate::exec::RunResult;
use crate::results::metric;
use channelsim_core::Scenario;
use channelsim_stats::{PairedDiff, Summary};
use serde::Serialize;
use std::collections::BTreeMap;

/// Headline metrics, all "higher is better".
pub const HEADLINE: &[&str] = &[
    "cum_profit",
    "npv",
    "active",
    "arr",
    "satisfaction",
    "unit_survival",
    "unit_capability",
    "apps_in_use",
    "cum_ecosystem_value",
];

#[derive(Clone, Debug, Serialize)]
pub struct Stat {
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub ci_lo: f64,
    pub ci_hi: f64,
}

impl Stat {
    /// Mean and 95% interval of a metric's values, the interval clipped to
    /// the values the metric can take.
    fn of(metric: &str, xs: &[f64]) -> Stat {
        let (lo, hi) = channelsim_core::metrics::range(metric);
        match Summary::of(xs).map(|s| s.clipped(lo, hi)) {
            Ok(s) => Stat {
                n: s.n,
                mean: s.mean,
                sd: s.sd,
                ci_lo: s.ci_lo,
                ci_hi: s.ci_hi,
            },
            Err(_) => Stat {
                n: xs.len(),
                mean: f64::NAN,
                sd: f64::NAN,
                ci_lo: f64::NAN,
                ci_hi: f64::NAN,
            },
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct VariantStats {
    pub name: String,
    pub strategy: String,
    pub policy: String,
    pub horizon: BTreeMap<String, Stat>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Paired {
    pub variant: String,
    pub metric: String,
    pub n: usize,
    pub mean_diff: f64,
    pub ci_lo: f64,
    pub ci_hi: f64,
    pub share_better: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Ranking {
    pub metric: String,
    pub order: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DiffPoint {
    pub month: u32,
    pub mean: f64,
    pub ci_lo: f64,
    pub ci_hi: f64,
}

/// When `a` overtakes `b` for good, across replicates.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Crossover {
    pub month_mean: Option<f64>,
    pub month_median: Option<f64>,
    pub month_lo: Option<f64>,
    pub month_hi: Option<f64>,
    pub share_crossed: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct PolicyPair {
    pub strategy: String,
    pub long: String,
    pub short: String,
    pub metric: String,
    pub diff: Vec<DiffPoint>,
    pub crossover: Crossover,
}

#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub vendor: String,
    pub baseline: String,
    pub horizon: u32,
    pub metrics: Vec<String>,
    pub variants: Vec<VariantStats>,
    pub paired: Vec<Paired>,
    pub ranking: Vec<Ranking>,
    pub policy_pairs: Vec<PolicyPair>,
    /// When each variant overtakes the baseline for good (cumulative
    /// profit and NPV), across replicates.
    pub crossovers: Vec<BaselineCrossover>,
}

#[derive(Clone, Debug, Serialize)]
pub struct BaselineCrossover {
    pub variant: String,
    pub baseline: String,
    pub metric: String,
    pub crossover: Crossover,
}

/// First month (1-based) from which `d[m] > 0` holds to the end; `None`
/// when the last month is not ahead.
pub fn crossover_month(d: &[f64]) -> Option<u32> {
    if d.last().is_none_or(|x| *x <= 0.0) {
        return None;
    }
    let mut m = d.len();
    while m > 0 && d[m - 1] > 0.0 {
        m -= 1;
    }
    Some(m as u32 + 1)
}

fn crossover_stats(months: &[Option<u32>]) -> Crossover {
    let crossed: Vec<f64> = months.iter().flatten().map(|&m| m as f64).collect();
    let q = |p: f64| channelsim_stats::quantile(&crossed, p).ok();
    Crossover {
        month_mean: (!crossed.is_empty())
            .then(|| crossed.iter().sum::<f64>() / crossed.len() as f64),
        month_median: q(0.5),
        month_lo: q(0.05),
        month_hi: q(0.95),
        share_crossed: if months.is_empty() {
            0.0
        } else {
            crossed.len() as f64 / months.len() as f64
        },
    }
}

/// Compare the variants for vendor `vendor` (by name) against `baseline`.
pub fn compare(
    names: &[String],
    scenarios: &[&Scenario],
    runs: &[RunResult],
    vendor: &str,
    baseline: usize,
) -> Comparison {
    let vid = |sc: &Scenario| {
        sc.vendors
            .iter()
            .position(|v| v.name == vendor)
            .unwrap_or(0) as u32
    };
    // Horizon values per variant, in replicate order.
    let finals = |vi: usize, m: &str| -> Vec<f64> {
        let v = vid(scenarios[vi]);
        runs.iter()
            .filter(|r| r.variant == vi)
            .map(|r| {
                r.horizon()
                    .iter()
                    .find(|x| x.vendor == v)
                    .map_or(f64::NAN, |x| metric(x, m))
            })
            .collect()
    };
    let mut variants = Vec::new();
    for (vi, sc) in scenarios.iter().enumerate() {
        let spec = &sc.vendors[vid(sc) as usize];
        variants.push(VariantStats {
            name: names[vi].clone(),
            strategy: spec.mix.label(),
            policy: spec.policy_preset.clone(),
            horizon: HEADLINE
                .iter()
                .map(|m| (m.to_string(), Stat::of(m, &finals(vi, m))))
                .collect(),
        });
    }
    let mut paired = Vec::new();
    for m in HEADLINE {
        let base = finals(baseline, m);
        for vi in 0..scenarios.len() {
            if vi == baseline {
                continue;
            }
            let x = finals(vi, m);
            if let Ok(d) = PairedDiff::of(&x, &base) {
                paired.push(Paired {
                    variant: names[vi].clone(),
                    metric: m.to_string(),
                    n: d.n,
                    mean_diff: d.mean_diff,
                    ci_lo: d.ci_lo,
                    ci_hi: d.ci_hi,
                    share_better: x.iter().zip(&base).filter(|(a, b)| a > b).count() as f64
                        / x.len().max(1) as f64,
                });
            }
        }
    }
    let ranking = HEADLINE
        .iter()
        .map(|m| {
            let mut order: Vec<usize> = (0..scenarios.len()).collect();
            let mean = |vi: usize| variants[vi].horizon[*m].mean;
            order.sort_by(|&a, &b| mean(b).total_cmp(&mean(a)).then(a.cmp(&b)));
            Ranking {
                metric: m.to_string(),
                order: order.into_iter().map(|vi| names[vi].clone()).collect(),
            }
        })
        .collect();
    let mut policy_pairs = Vec::new();
    for (li, l) in variants.iter().enumerate() {
        if l.policy != "long_term" {
            continue;
        }
        let Some(si) = variants
            .iter()
            .position(|s| s.policy == "short_term" && s.strategy == l.strategy)
        else {
            continue;
        };
        for m in ["cum_profit", "npv"] {
            policy_pairs.push(policy_pair(names, scenarios, runs, li, si, m, &vid));
        }
    }
    let mut crossovers = Vec::new();
    for vi in (0..scenarios.len()).filter(|&v| v != baseline) {
        for m in ["cum_profit", "npv"] {
            let p = policy_pair(names, scenarios, runs, vi, baseline, m, &vid);
            crossovers.push(BaselineCrossover {
                variant: names[vi].clone(),
                baseline: names[baseline].clone(),
                metric: m.to_string(),
                crossover: p.crossover,
            });
        }
    }
    Comparison {
        crossovers,
        vendor: vendor.to_string(),
        baseline: names[baseline].clone(),
        horizon: scenarios[0].horizon_months,
        metrics: HEADLINE.iter().map(|s| s.to_string()).collect(),
        variants,
        paired,
        ranking,
        policy_pairs,
    }
}

fn policy_pair(
    names: &[String],
    scenarios: &[&Scenario],
    runs: &[RunResult],
    li: usize,
    si: usize,
    m: &str,
    vid: &dyn Fn(&Scenario) -> u32,
) -> PolicyPair {
    let series = |vi: usize| -> Vec<Vec<f64>> {
        runs.iter()
            .filter(|r| r.variant == vi)
            .map(|r| r.series(vid(scenarios[vi]), m))
            .collect()
    };
    let (long, short) = (series(li), series(si));
    let diffs: Vec<Vec<f64>> = long
        .iter()
        .zip(&short)
        .map(|(a, b)| a.iter().zip(b).map(|(x, y)| x - y).collect())
        .collect();
    let months = diffs.first().map_or(0, |d| d.len());
    let diff = (0..months)
        .map(|t| {
            let a: Vec<f64> = long.iter().map(|s| s[t]).collect();
            let b: Vec<f64> = short.iter().map(|s| s[t]).collect();
            let d = PairedDiff::of(&a, &b).ok();
            DiffPoint {
                month: t as u32 + 1,
                mean: d.as_ref().map_or(f64::NAN, |d| d.mean_diff),
                ci_lo: d.as_ref().map_or(f64::NAN, |d| d.ci_lo),
                ci_hi: d.as_ref().map_or(f64::NAN, |d| d.ci_hi),
            }
        })
        .collect();
    let crossings: Vec<Option<u32>> = diffs.iter().map(|d| crossover_month(d)).collect();
    PolicyPair {
        strategy: scenarios[li].vendors[vid(scenarios[li]) as usize]
            .mix
            .label(),
        long: names[li].clone(),
        short: names[si].clone(),
        metric: m.to_string(),
        diff,
        crossover: crossover_stats(&crossings),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossover_is_first_month_ahead_for_good() {
        assert_eq!(crossover_month(&[-1.0, -0.5, 0.2, -0.1, 0.3, 0.4]), Some(5));
        assert_eq!(crossover_month(&[1.0, 2.0]), Some(1));
        assert_eq!(crossover_month(&[1.0, -2.0]), None);
        assert_eq!(crossover_month(&[]), None);
    }

    #[test]
    fn crossover_stats_share_and_mean() {
        let c = crossover_stats(&[Some(10), Some(20), None, Some(30)]);
        assert_eq!(c.share_crossed, 0.75);
        assert_eq!(c.month_mean, Some(20.0));
        assert_eq!(c.month_median, Some(20.0));
        let none = crossover_stats(&[None, None]);
        assert_eq!(none.month_mean, None);
        assert_eq!(none.share_crossed, 0.0);
    }
}
