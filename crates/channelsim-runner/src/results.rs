//! Result tables of a set of runs: the tidy series, the horizon rows per
//! run and their summary across replicates (docs/results.md).

use crate::RunnerError;
use crate::atomic::write_atomic;
use crate::exec::RunResult;
use channelsim_core::{METRICS, Scenario, VendorMonth};
use channelsim_stats::Summary;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// Metrics of the horizon tables: the monthly metrics and unit survival.
pub fn horizon_metrics() -> Vec<&'static str> {
    let mut m: Vec<&'static str> = METRICS.to_vec();
    m.push("unit_survival");
    m
}

/// A metric of a row, including the derived ones.
pub fn metric(row: &VendorMonth, name: &str) -> f64 {
    match name {
        "unit_survival" => {
            let total = row.units_alive + row.units_exited;
            if total == 0 {
                0.0
            } else {
                row.units_alive as f64 / total as f64
            }
        }
        _ => row.get(name).unwrap_or(f64::NAN),
    }
}

/// Names of one run's labels: variant, vendor, strategy, policy.
#[derive(Clone, Debug, Serialize)]
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

fn fmt(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
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
        header.extend_from_slice(METRICS);
        writeln!(w, "{}", header.join(","))?;
        for run in runs {
            let sc = scenarios[run.variant];
            for row in &run.rows {
                let l = labels(&names[run.variant], sc, row.vendor);
                write!(
                    w,
                    "{},{},{},{},{},{}",
                    csv_field(&l.variant),
                    run.replicate,
                    row.month,
                    csv_field(&l.vendor),
                    csv_field(&l.strategy),
                    csv_field(&l.policy)
                )?;
                for x in row.values() {
                    write!(w, ",{}", fmt(x))?;
                }
                writeln!(w)?;
            }
        }
        Ok(())
    })
}

/// Quote a CSV field when it needs it (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One row of `summary.csv`.
#[derive(Clone, Debug, Serialize)]
pub struct SummaryRow {
    #[serde(flatten)]
    pub labels: Labels,
    pub metric: String,
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub ci_lo: f64,
    pub ci_hi: f64,
}

/// One run's horizon figures for one vendor.
#[derive(Clone, Debug, Serialize)]
pub struct RunRow {
    #[serde(flatten)]
    pub labels: Labels,
    pub replicate: u32,
    pub metrics: BTreeMap<String, f64>,
}

/// Horizon rows per run and their summaries per (variant, vendor, metric).
pub fn summarise(
    names: &[String],
    scenarios: &[&Scenario],
    runs: &[RunResult],
) -> (Vec<RunRow>, Vec<SummaryRow>) {
    let metrics = horizon_metrics();
    let mut run_rows = Vec::new();
    for run in runs {
        for row in run.horizon() {
            run_rows.push(RunRow {
                labels: labels(&names[run.variant], scenarios[run.variant], row.vendor),
                replicate: run.replicate,
                metrics: metrics
                    .iter()
                    .map(|m| (m.to_string(), metric(row, m)))
                    .collect(),
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
            for m in &metrics {
                let xs: Vec<f64> = finals.iter().map(|r| metric(r, m)).collect();
                let (lo, hi) = channelsim_core::metrics::range(m);
                let s = Summary::of(&xs).ok().map(|s| s.clipped(lo, hi));
                summary.push(SummaryRow {
                    labels: labels(&names[vi], sc, vendor),
                    metric: m.to_string(),
                    n: xs.len(),
                    mean: s.as_ref().map_or(f64::NAN, |s| s.mean),
                    sd: s.as_ref().map_or(f64::NAN, |s| s.sd),
                    ci_lo: s.as_ref().map_or(f64::NAN, |s| s.ci_lo),
                    ci_hi: s.as_ref().map_or(f64::NAN, |s| s.ci_hi),
                });
            }
        }
    }
    (run_rows, summary)
}

pub fn write_runs_csv(path: &Path, rows: &[RunRow]) -> Result<(), RunnerError> {
    let metrics = horizon_metrics();
    write_atomic(path, |w| {
        let mut header = vec!["variant", "replicate", "vendor", "strategy", "policy"];
        header.extend(metrics.iter());
        writeln!(w, "{}", header.join(","))?;
        for r in rows {
            let l = &r.labels;
            write!(
                w,
                "{},{},{},{},{}",
                csv_field(&l.variant),
                r.replicate,
                csv_field(&l.vendor),
                csv_field(&l.strategy),
                csv_field(&l.policy)
            )?;
            for m in &metrics {
                write!(w, ",{}", fmt(r.metrics[*m]))?;
            }
            writeln!(w)?;
        }
        Ok(())
    })
}

pub fn write_summary_csv(path: &Path, rows: &[SummaryRow]) -> Result<(), RunnerError> {
    write_atomic(path, |w| {
        writeln!(
            w,
            "variant,vendor,strategy,policy,metric,n,mean,sd,ci_lo,ci_hi"
        )?;
        for r in rows {
            let l = &r.labels;
            writeln!(
                w,
                "{},{},{},{},{},{},{},{},{},{}",
                csv_field(&l.variant),
                csv_field(&l.vendor),
                csv_field(&l.strategy),
                csv_field(&l.policy),
                r.metric,
                r.n,
                fmt(r.mean),
                fmt(r.sd),
                fmt(r.ci_lo),
                fmt(r.ci_hi)
            )?;
        }
        Ok(())
    })
}

pub fn write_summary_json(
    path: &Path,
    runs: &[RunRow],
    summary: &[SummaryRow],
) -> Result<(), RunnerError> {
    #[derive(Serialize)]
    struct Out<'a> {
        runs: &'a [RunRow],
        summary: &'a [SummaryRow],
    }
    write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, &Out { runs, summary })
            .map_err(std::io::Error::other)?;
        writeln!(w)
    })
}
