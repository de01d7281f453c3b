//! The default main job end to end, as `channelsim run` does it: every
//! variant and replicate of the built-in default scenario, result files and
//! report, into a scratch folder removed afterwards.

use crate::BenchError;
use crate::case::Sample;
use channelsim_runner::job::{RunOptions, run_job};
use channelsim_runner::scenario::{DEFAULT_SCENARIO, parse_scenario};
use std::path::Path;
use std::time::Instant;

pub fn run_main_job(threads: usize, scratch_dir: &Path) -> Result<Sample, BenchError> {
    let file = parse_scenario(DEFAULT_SCENARIO, "<built-in default.toml>", &[])
        .map_err(|e| BenchError::Run(e.to_string()))?;
    let out = scratch_dir.join(format!("main_job-{}", std::process::id()));
    let opts = RunOptions {
        threads: Some(threads),
        out: Some(out.clone()),
        force: true,
        command: "channelsim bench (main job)".into(),
        ..RunOptions::default()
    };
    let report = |dir: &Path| {
        channelsim_plot::write_report(dir).map(|_| ()).map_err(|e| {
            channelsim_runner::RunnerError::Report {
                source: Box::new(e),
                bad_input: false,
            }
        })
    };
    let t = Instant::now();
    let result = run_job(&file, &opts, &|_, _| {}, &report);
    let wall_seconds = t.elapsed().as_secs_f64();
    let counted = result.as_ref().ok().map(|o| active_customer_months(&o.dir));
    let _ = std::fs::remove_dir_all(&out);
    let outcome = result.map_err(|e| BenchError::Run(format!("main job: {e}")))?;
    let runs: u64 = outcome.scenarios.iter().map(|s| s.replicates as u64).sum();
    let enterprises = outcome
        .scenarios
        .iter()
        .map(|s| s.market.total_enterprises())
        .max()
        .unwrap_or(0);
    let enterprise_months = outcome
        .scenarios
        .iter()
        .map(|s| s.market.total_enterprises() * s.horizon_months as u64 * s.replicates as u64)
        .sum();
    debug_assert!(runs > 0);
    Ok(Sample {
        wall_seconds,
        build_seconds: 0.0,
        enterprises,
        enterprise_months,
        customer_months: counted.flatten(),
        peak_rss_bytes: None,
        start_rss_bytes: None,
        phase_seconds: Vec::new(),
        unit_months: None,
    })
}

/// Active customer-months of a results folder: the `active` column of
/// `series.csv` summed over every run, month and vendor; `None` if the file
/// or the column is not there.
fn active_customer_months(dir: &Path) -> Option<u64> {
    let mut r = csv::Reader::from_path(dir.join("series.csv")).ok()?;
    let col = r.headers().ok()?.iter().position(|h| h == "active")?;
    let mut sum = 0u64;
    for rec in r.records() {
        let v: f64 = rec.ok()?.get(col)?.parse().ok()?;
        sum += v as u64;
    }
    Some(sum)
}
