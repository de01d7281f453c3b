//! Paired comparison of variants run on common random numbers: horizon
//! summaries, paired differences against a baseline, ranks, and when one
//! variant overtakes another for good (docs/results.md). The rows are those
//! of `channelsim-results`.

use crate::exec::RunResult;
use crate::results::value;
use channelsim_core::Scenario;
use channelsim_results::catalogue::{self, Metric};
use channelsim_results::rows::{CompareRow, Comparison, CrossoverRow, DiffRow, finite};
use channelsim_stats::{PairedDiff, Summary};

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

/// Crossover figures across replicates: (share crossed, mean, median,
/// 5th and 95th percentile month), the months none when none crosses.
type Crossing = (f64, Option<f64>, Option<f64>, Option<f64>, Option<f64>);

fn crossover_stats(months: &[Option<u32>]) -> Crossing {
    let crossed: Vec<f64> = months.iter().flatten().map(|&m| m as f64).collect();
    let q = |p: f64| channelsim_stats::quantile(&crossed, p).ok();
    (
        if months.is_empty() {
            0.0
        } else {
            crossed.len() as f64 / months.len() as f64
        },
        (!crossed.is_empty()).then(|| crossed.iter().sum::<f64>() / crossed.len() as f64),
        q(0.5),
        q(0.05),
        q(0.95),
    )
}

/// A paired difference `a - b`: mean, and its 95% interval with two pairs
/// or more.
fn paired(a: &[f64], b: &[f64]) -> (Option<f64>, Option<f64>, Option<f64>) {
    match PairedDiff::of(a, b) {
        Ok(d) => (finite(d.mean_diff), finite(d.ci_lo), finite(d.ci_hi)),
        Err(_) if a.len() == 1 && b.len() == 1 => (finite(a[0] - b[0]), None, None),
        Err(_) => (None, None, None),
    }
}

/// The variants' data for one vendor.
struct Data<'a> {
    scenarios: &'a [&'a Scenario],
    runs: &'a [RunResult],
    vendor: &'a str,
}

impl Data<'_> {
    fn vid(&self, vi: usize) -> u32 {
        self.scenarios[vi]
            .vendors
            .iter()
            .position(|v| v.name == self.vendor)
            .unwrap_or(0) as u32
    }
    /// Horizon values of variant `vi`, in replicate order (file units).
    fn finals(&self, vi: usize, m: &Metric) -> Vec<f64> {
        let v = self.vid(vi);
        self.runs
            .iter()
            .filter(|r| r.variant == vi)
            .map(|r| {
                r.horizon()
                    .iter()
                    .find(|x| x.vendor == v)
                    .map_or(f64::NAN, |x| value(x, m))
            })
            .collect()
    }
    /// Monthly values of variant `vi`: `[replicate][month]`.
    fn series(&self, vi: usize, m: &Metric) -> Vec<Vec<f64>> {
        let v = self.vid(vi);
        self.runs
            .iter()
            .filter(|r| r.variant == vi)
            .map(|r| {
                r.rows
                    .iter()
                    .filter(|x| x.vendor == v)
                    .map(|x| value(x, m))
                    .collect()
            })
            .collect()
    }
    fn strategy(&self, vi: usize) -> String {
        self.scenarios[vi].vendors[self.vid(vi) as usize]
            .mix
            .label()
    }
    fn policy(&self, vi: usize) -> &str {
        &self.scenarios[vi].vendors[self.vid(vi) as usize].policy_preset
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
    let d = Data {
        scenarios,
        runs,
        vendor,
    };
    let mut rows = Vec::new();
    for m in catalogue::compared() {
        let base = d.finals(baseline, m);
        let mut block: Vec<CompareRow> = (0..scenarios.len())
            .map(|vi| {
                let x = d.finals(vi, m);
                let s = Summary::of(&x).ok().map(|s| s.clipped(m.lo, m.hi));
                let two = x.len() >= 2;
                let (diff_mean, diff_ci_lo, diff_ci_hi) = if vi == baseline {
                    (None, None, None)
                } else {
                    paired(&x, &base)
                };
                CompareRow {
                    vendor: vendor.to_string(),
                    variant: names[vi].clone(),
                    strategy: d.strategy(vi),
                    policy: d.policy(vi).to_string(),
                    metric: m.column.to_string(),
                    unit: m.unit.label().to_string(),
                    n: x.len() as u64,
                    mean: s.as_ref().and_then(|s| finite(s.mean)),
                    sd: s.as_ref().filter(|_| two).and_then(|s| finite(s.sd)),
                    ci_lo: s.as_ref().filter(|_| two).and_then(|s| finite(s.ci_lo)),
                    ci_hi: s.as_ref().filter(|_| two).and_then(|s| finite(s.ci_hi)),
                    rank: 0,
                    baseline: names[baseline].clone(),
                    diff_mean,
                    diff_ci_lo,
                    diff_ci_hi,
                    share_better: (vi != baseline && !x.is_empty()).then(|| {
                        x.iter().zip(&base).filter(|(a, b)| a > b).count() as f64 / x.len() as f64
                    }),
                }
            })
            .collect();
        let mut order: Vec<usize> = (0..block.len()).collect();
        let mean = |i: usize| block[i].mean.unwrap_or(f64::NEG_INFINITY);
        order.sort_by(|&a, &b| mean(b).total_cmp(&mean(a)).then(a.cmp(&b)));
        for (rank, i) in order.into_iter().enumerate() {
            block[i].rank = rank as u32 + 1;
        }
        rows.extend(block);
    }
    let mut policy_diff = Vec::new();
    let mut crossovers = Vec::new();
    for li in (0..scenarios.len()).filter(|&i| d.policy(i) == "long_term") {
        let Some(si) = (0..scenarios.len())
            .find(|&s| d.policy(s) == "short_term" && d.strategy(s) == d.strategy(li))
        else {
            continue;
        };
        for m in catalogue::crossed() {
            let (diff, c) = pair(&d, names, li, si, m, "policy");
            policy_diff.extend(diff);
            crossovers.push(c);
        }
    }
    for vi in (0..scenarios.len()).filter(|&v| v != baseline) {
        for m in catalogue::crossed() {
            crossovers.push(pair(&d, names, vi, baseline, m, "baseline").1);
        }
    }
    Comparison {
        vendor: vendor.to_string(),
        baseline: names[baseline].clone(),
        rows,
        policy_diff,
        crossovers,
    }
}

/// Variant `a` minus variant `b` month by month (paired), and when `a`
/// overtakes `b` for good.
fn pair(
    d: &Data,
    names: &[String],
    a: usize,
    b: usize,
    m: &Metric,
    kind: &str,
) -> (Vec<DiffRow>, CrossoverRow) {
    let (sa, sb) = (d.series(a, m), d.series(b, m));
    let months = sa.iter().chain(&sb).map(Vec::len).min().unwrap_or(0);
    let diff = (0..months)
        .map(|t| {
            let xa: Vec<f64> = sa.iter().map(|s| s[t]).collect();
            let xb: Vec<f64> = sb.iter().map(|s| s[t]).collect();
            let (mean, ci_lo, ci_hi) = paired(&xa, &xb);
            DiffRow {
                strategy: d.strategy(a),
                long: names[a].clone(),
                short: names[b].clone(),
                metric: m.column.to_string(),
                unit: m.unit.label().to_string(),
                month: t as u32 + 1,
                n: xa.len() as u64,
                mean,
                ci_lo,
                ci_hi,
            }
        })
        .collect();
    let crossings: Vec<Option<u32>> = sa
        .iter()
        .zip(&sb)
        .map(|(x, y)| {
            let dd: Vec<f64> = x.iter().zip(y).map(|(p, q)| p - q).collect();
            crossover_month(&dd)
        })
        .collect();
    let (share_crossed, month_mean, month_median, month_lo, month_hi) = crossover_stats(&crossings);
    let c = CrossoverRow {
        kind: kind.to_string(),
        strategy: d.strategy(a),
        ahead: names[a].clone(),
        behind: names[b].clone(),
        metric: m.column.to_string(),
        n: crossings.len() as u64,
        share_crossed,
        month_mean,
        month_median,
        month_lo,
        month_hi,
    };
    (diff, c)
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
        assert_eq!(c.0, 0.75);
        assert_eq!(c.1, Some(20.0));
        assert_eq!(c.2, Some(20.0));
        let none = crossover_stats(&[None, None]);
        assert_eq!(none.1, None);
        assert_eq!(none.0, 0.0);
    }

    #[test]
    fn one_pair_has_a_difference_but_no_interval() {
        assert_eq!(paired(&[3.0], &[1.0]), (Some(2.0), None, None));
        let (m, lo, hi) = paired(&[3.0, 5.0], &[1.0, 2.0]);
        assert_eq!(m, Some(2.5));
        assert!(lo.is_some() && hi.is_some());
    }
}
