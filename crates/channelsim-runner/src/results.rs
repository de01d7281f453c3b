//! Result tables of a set of runs, in the formats of `channelsim-results`
//! (docs/results.md): the tidy series, its per-month summary, the horizon
//! rows per run and their summary across replicates.

use crate::RunnerError;
use crate::atomic::write_atomic;
use crate::exec::RunResult;
use channelsim_core::{Scenario, VendorMonth};
use channelsim_results::catalogue::{self, Metric, OBSERVED};
use channelsim_results::rows::{MonthRow, PERCENTILE_MIN_REPLICATES, SummaryRow, finite};
use channelsim_results::table::{Wide, fmt_count, fmt_metric};
use channelsim_stats::Summary;
use std::path::Path;

/// Names of the metrics a sweep may keep: every metric of the catalogue.
pub fn horizon_metrics() -> Vec<&'static str> {
    catalogue::all().map(|m| m.name).collect()
}

/// A metric's value in a row as the engine reports it (money in k CNY).
/// The engine's `values()` follow the catalogue's `OBSERVED` order (a test
/// checks the names).
fn engine_value(row: &VendorMonth, m: &Metric) -> f64 {
    if m.name == catalogue::UNIT_SURVIVAL.name {
        let total = row.units_alive + row.units_exited;
        return if total == 0 {
            0.0
        } else {
            row.units_alive as f64 / total as f64
        };
    }
    OBSERVED
        .iter()
        .position(|o| o.name == m.name)
        .map_or(f64::NAN, |i| row.values()[i])
}

/// A metric's value in a row in file units (money in M CNY).
pub fn value(row: &VendorMonth, m: &Metric) -> f64 {
    m.unit.to_file(engine_value(row, m))
}

/// A metric's value by name (or column name) in file units; NaN if unknown.
pub fn metric(row: &VendorMonth, name: &str) -> f64 {
    catalogue::find(name).map_or(f64::NAN, |m| value(row, m))
}

/// Names of one run's labels: variant, vendor, strategy, policy.
#[derive(Clone, Debug)]
pub struct Labels {
    pub variant: String,
    pub vendor: String,
    pub strategy: String,
    pub policy: String,
}

pub fn labels(variant: &str, sc: &Scenario, vendor: u32) -> Labels {
    let v = &sc.vendors[vendor as usize];
    Labels {
        variant: variant.to_string(),
        vendor: v.name.clone(),
        strategy: v.mix.label(),
        policy: v.policy_preset.clone(),
    }
}

/// Quote a CSV field when it needs it (RFC 4180), for journals written a
/// line at a time.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A sweep's result cells for `metrics` (names) in a row, CSV-formatted.
pub fn metric_cells(row: &VendorMonth, metrics: &[String]) -> Vec<String> {
    metrics
        .iter()
        .map(|name| match catalogue::find(name) {
            Some(m) => fmt_metric(m, value(row, m)),
            None => String::new(),
        })
        .collect()
}

/// The column names of metrics given by name.
pub fn metric_columns(metrics: &[String]) -> Vec<String> {
    metrics
        .iter()
        .map(|n| catalogue::find(n).map_or(n.clone(), |m| m.column.to_string()))
        .collect()
}

/// Write `series.csv`: one row per variant, replicate, month and vendor.
pub fn write_series(
    path: &Path,
    names: &[String],
    scenarios: &[&Scenario],
    runs: &[RunResult],
) -> Result<(), RunnerError> {
    write_atomic(path, |w| {
        let mut header = vec![
            "variant",
            "replicate",
            "month",
            "vendor",
            "strategy",
            "policy",
        ];
        header.extend(OBSERVED.iter().map(|m| m.column));
        let mut t = Wide::new(w, &header)?;
        for run in runs {
            let sc = scenarios[run.variant];
            for row in &run.rows {
                let l = labels(&names[run.variant], sc, row.vendor);
                let mut rec = vec![
                    l.variant,
                    run.replicate.to_string(),
                    row.month.to_string(),
                    l.vendor,
                    l.strategy,
                    l.policy,
                ];
                rec.extend(
                    OBSERVED
                        .iter()
                        .zip(row.values())
                        .map(|(m, x)| fmt_metric(m, m.unit.to_file(x))),
                );
                t.row(&rec)?;
            }
        }
        t.finish()
    })
}

/// One run's horizon figures for one vendor, in catalogue order (file units).
#[derive(Clone, Debug)]
pub struct RunRow {
    pub labels: Labels,
    pub replicate: u32,
    pub values: Vec<f64>,
}

/// Mean, sd and interval of a metric's values: none where they cannot be
/// had (no values; sd and interval with one value). The interval is
/// clipped to the values the metric can take.
pub fn stats(m: &Metric, xs: &[f64]) -> (Option<f64>, Option<f64>, Option<f64>, Option<f64>) {
    match Summary::of(xs).map(|s| s.clipped(m.lo, m.hi)) {
        Ok(s) if s.n >= 2 => (
            finite(s.mean),
            finite(s.sd),
            finite(s.ci_lo),
            finite(s.ci_hi),
        ),
        Ok(s) => (finite(s.mean), None, None, None),
        Err(_) => (None, None, None, None),
    }
}

/// The 90% band of replicate values (docs/results.md): 5th–95th
/// percentiles from `PERCENTILE_MIN_REPLICATES` replicates on, else
/// mean ± 1.645 sd; none under two values.
pub fn band(xs: &[f64], mean: f64) -> (Option<f64>, Option<f64>) {
    if xs.len() < 2 {
        return (None, None);
    }
    if xs.len() as u64 >= PERCENTILE_MIN_REPLICATES {
        match channelsim_stats::quantiles(xs, &[0.05, 0.95]) {
            Ok(q) => (finite(q[0]), finite(q[1])),
            Err(_) => (None, None),
        }
    } else {
        let sd =
            (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64).sqrt();
        (finite(mean - 1.645 * sd), finite(mean + 1.645 * sd))
    }
}

/// Horizon rows per run and their summaries per (variant, vendor, metric).
pub fn summarise(
    names: &[String],
    scenarios: &[&Scenario],
    runs: &[RunResult],
) -> (Vec<RunRow>, Vec<SummaryRow>) {
    let mut run_rows = Vec::new();
    for run in runs {
        for row in run.horizon() {
            run_rows.push(RunRow {
                labels: labels(&names[run.variant], scenarios[run.variant], row.vendor),
                replicate: run.replicate,
                values: catalogue::all().map(|m| value(row, m)).collect(),
            });
        }
    }
    let mut summary = Vec::new();
    for (vi, sc) in scenarios.iter().enumerate() {
        for vendor in 0..sc.vendors.len() as u32 {
            let finals: Vec<&VendorMonth> = runs
                .iter()
                .filter(|r| r.variant == vi)
                .filter_map(|r| r.horizon().iter().find(|x| x.vendor == vendor))
                .collect();
            let l = labels(&names[vi], sc, vendor);
            for m in catalogue::all() {
                let xs: Vec<f64> = finals.iter().map(|r| value(r, m)).collect();
                let (mean, sd, ci_lo, ci_hi) = stats(m, &xs);
                summary.push(SummaryRow {
                    variant: l.variant.clone(),
                    vendor: l.vendor.clone(),
                    strategy: l.strategy.clone(),
                    policy: l.policy.clone(),
                    metric: m.column.to_string(),
                    unit: m.unit.label().to_string(),
                    n: xs.len() as u64,
                    mean,
                    sd,
                    ci_lo,
                    ci_hi,
                });
            }
        }
    }
    (run_rows, summary)
}

/// Per-month summaries per (variant, vendor, metric, month): what the
/// time-series charts draw.
pub fn monthly(names: &[String], scenarios: &[&Scenario], runs: &[RunResult]) -> Vec<MonthRow> {
    let mut out = Vec::new();
    for (vi, sc) in scenarios.iter().enumerate() {
        for vendor in 0..sc.vendors.len() as u32 {
            // rows[replicate][month] of this variant and vendor.
            let reps: Vec<Vec<&VendorMonth>> = runs
                .iter()
                .filter(|r| r.variant == vi)
                .map(|r| r.rows.iter().filter(|x| x.vendor == vendor).collect())
                .collect();
            let months = reps.iter().map(Vec::len).min().unwrap_or(0);
            let l = labels(&names[vi], sc, vendor);
            for m in catalogue::all() {
                for t in 0..months {
                    let xs: Vec<f64> = reps.iter().map(|r| value(r[t], m)).collect();
                    let (mean, _, ci_lo, ci_hi) = stats(m, &xs);
                    let (band_lo, band_hi) = band(&xs, mean.unwrap_or(f64::NAN));
                    out.push(MonthRow {
                        variant: l.variant.clone(),
                        vendor: l.vendor.clone(),
                        strategy: l.strategy.clone(),
                        policy: l.policy.clone(),
                        metric: m.column.to_string(),
                        unit: m.unit.label().to_string(),
                        month: reps[0][t].month,
                        n: xs.len() as u64,
                        mean,
                        ci_lo,
                        ci_hi,
                        band_lo,
                        band_hi,
                    });
                }
            }
        }
    }
    out
}

pub fn write_runs_csv(path: &Path, rows: &[RunRow]) -> Result<(), RunnerError> {
    write_atomic(path, |w| {
        let mut header = vec!["variant", "replicate", "vendor", "strategy", "policy"];
        header.extend(catalogue::all().map(|m| m.column));
        let mut t = Wide::new(w, &header)?;
        for r in rows {
            let l = &r.labels;
            let mut rec = vec![
                l.variant.clone(),
                fmt_count(r.replicate as f64),
                l.vendor.clone(),
                l.strategy.clone(),
                l.policy.clone(),
            ];
            rec.extend(
                catalogue::all()
                    .zip(&r.values)
                    .map(|(m, x)| fmt_metric(m, *x)),
            );
            t.row(&rec)?;
        }
        t.finish()
    })
}

/// Write rows as a CSV file.
pub fn write_csv<T: serde::Serialize>(path: &Path, rows: &[T]) -> Result<(), RunnerError> {
    write_atomic(path, |w| channelsim_results::write_csv(w, rows))
}

/// Write rows as a JSON file of records.
pub fn write_records<T: serde::Serialize>(path: &Path, rows: &[T]) -> Result<(), RunnerError> {
    write_atomic(path, |w| channelsim_results::write_json(w, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runner reads the engine's observation by catalogue name and
    /// converts money to file units (that the observation follows the
    /// catalogue is the core's test `issue13_values_follow_the_catalogue_field_by_field`).
    #[test]
    fn issue13_metrics_are_read_by_catalogue_name_in_file_units() {
        let vm = VendorMonth {
            cum_profit: 2500.0,
            support: 1.0,
            units_alive: 3,
            units_exited: 1,
            ..VendorMonth::default()
        };
        assert_eq!(metric(&vm, "cum_profit"), 2.5);
        assert_eq!(metric(&vm, "cum_profit_mcny"), 2.5);
        assert_eq!(metric(&vm, "support"), 1.0);
        assert_eq!(metric(&vm, "unit_survival"), 0.75);
    }

    #[test]
    fn one_replicate_has_no_interval_and_no_band() {
        let m = catalogue::find("cum_profit").unwrap();
        assert_eq!(stats(m, &[3.0]), (Some(3.0), None, None, None));
        let (mean, sd, lo, hi) = stats(m, &[1.0, 3.0]);
        assert_eq!(mean, Some(2.0));
        assert!(sd.is_some() && lo.unwrap() < 2.0 && hi.unwrap() > 2.0);
        assert_eq!(band(&[3.0], 3.0), (None, None));
        let xs: Vec<f64> = (0..21).map(f64::from).collect();
        assert_eq!(band(&xs, 10.0), (Some(1.0), Some(19.0)));
    }
}
