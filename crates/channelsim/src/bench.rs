//! `channelsim bench`: runs a benchmark suite (each case in a child process
//! of this binary: `channelsim bench --case ID`), prints its table, writes
//! its JSON and compares it with a baseline. The work is in channelsim-bench.

use channelsim_bench::baseline::load_report;
use channelsim_bench::report::save_report;
use channelsim_bench::{Basis, BenchError, Case, Suite, SuiteOptions, compare, run_case, table};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct BenchArgs {
    /// Suite: quick (under a minute), standard (a few minutes), full, or
    /// test (seconds; for checking the tool).
    #[arg(long, default_value = "quick")]
    suite: String,
    /// Write the results as JSON to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Times each case runs (default: 3 for quick, 5 for standard and full).
    #[arg(long)]
    repeats: Option<usize>,
    /// Run only the cases whose id contains this (repeatable); the
    /// reference kernel always runs.
    #[arg(long, value_name = "TEXT")]
    only: Vec<String>,
    /// Compare with an earlier JSON file of `channelsim bench`.
    #[arg(long, value_name = "OLD.json")]
    baseline: Option<PathBuf>,
    /// With --baseline: exit with code 3 if a case is slower than the
    /// baseline by more than this many percent (and more than its noise).
    #[arg(long, default_value_t = 10.0, value_name = "PERCENT")]
    threshold: f64,
    /// With --baseline: compare absolute times instead of times relative to
    /// the reference kernel (only meaningful on the same machine).
    #[arg(long)]
    absolute: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
    /// Internal: run one case in this process and print its sample as JSON.
    #[arg(long, hide = true, value_name = "ID")]
    case: Option<String>,
}

pub fn bench(a: BenchArgs) -> ExitCode {
    match run(a) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(if e.is_usage() { 2 } else { 1 })
        }
    }
}

fn run(a: BenchArgs) -> Result<ExitCode, BenchError> {
    if let Some(id) = &a.case {
        let sample = run_case(&Case::parse(id)?, &std::env::temp_dir())?;
        let line = serde_json::to_string(&sample).map_err(|e| BenchError::Run(e.to_string()))?;
        println!("{line}");
        return Ok(ExitCode::SUCCESS);
    }
    let suite = Suite::parse(&a.suite)?;
    if !(a.threshold.is_finite() && a.threshold >= 0.0) {
        return Err(BenchError::BadFile {
            path: "--threshold".into(),
            message: format!("{} is not a percentage of 0 or more", a.threshold),
        });
    }
    // Read the baseline first: a bad file fails now, not after the suite.
    let baseline = a.baseline.as_deref().map(load_report).transpose()?;
    let exe = std::env::current_exe().map_err(|e| BenchError::Io {
        path: "channelsim".into(),
        source: e,
    })?;
    let opts = SuiteOptions {
        suite,
        repeats: a.repeats.unwrap_or(suite.default_repeats()),
        only: a.only.clone(),
        exe,
        args: vec!["bench".into(), "--case".into()],
    };
    let bar = Bar::new(a.quiet);
    let report = channelsim_bench::run_suite(&opts, &|done, total, id| bar.update(done, total, id));
    bar.finish();
    let report = report?;
    print!("{}", table::results(&report));
    if let Some(path) = &a.json {
        save_report(path, &report)?;
        println!("results in {}", path.display());
    }
    let Some(old) = baseline else {
        return Ok(ExitCode::SUCCESS);
    };
    let basis = if a.absolute {
        Basis::Absolute
    } else {
        Basis::Kernel
    };
    let c = compare(&old, &report, basis, a.threshold / 100.0)?;
    print!("\n{}", table::comparison(&c));
    let regressions = c.regressions();
    if regressions.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "error: {} case(s) slower than the baseline beyond {}%: {}",
            regressions.len(),
            a.threshold,
            regressions
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        Ok(ExitCode::from(3))
    }
}

/// A bar on a terminal, a line per case otherwise, nothing with --quiet.
struct Bar {
    bar: Option<ProgressBar>,
    plain: bool,
}

impl Bar {
    fn new(quiet: bool) -> Bar {
        if quiet {
            return Bar {
                bar: None,
                plain: false,
            };
        }
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} cases {elapsed} ETA {eta} {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            Bar {
                bar: Some(bar),
                plain: false,
            }
        } else {
            Bar {
                bar: None,
                plain: true,
            }
        }
    }

    fn update(&self, done: usize, total: usize, id: &str) {
        if let Some(b) = &self.bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
            b.set_message(id.to_string());
        } else if self.plain && done < total {
            eprintln!("[{}/{total}] {id}", done + 1);
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
