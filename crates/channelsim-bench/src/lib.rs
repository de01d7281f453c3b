//! channelsim-bench: benchmark suites of the engine. Suites of cases (the
//! main job, every strategy on the saturated market, threads, market size,
//! the national market) timed repeatedly and interleaved, each case in a
//! process of its own so its peak memory is its own; a built-in reference
//! kernel every case is also stated against, so figures compare across
//! machines and commits; results as JSON; comparison with a baseline.
//! Returns typed errors; never prints (the `channelsim bench` command does).

pub mod baseline;
pub mod case;
pub mod kernel;
pub mod machine;
mod mainjob;
pub mod report;
pub mod suite;
pub mod table;

pub use baseline::{Basis, Comparison, Verdict, compare};
pub use case::{Case, Sample, run_case};
pub use report::{BenchReport, CaseResult};
pub use suite::{Suite, SuiteOptions, run_suite};

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(
        "unknown case `{0}`; cases are kernel, main_job/t<N>, national/t<N>, saturated/<strategy>/<size>M/t<N> (size 1/k of 400 cities or a whole multiple, e.g. 0.25M, 1M, 16M)"
    )]
    UnknownCase(String),
    #[error("unknown suite `{0}`; suites are test, quick, standard, full")]
    UnknownSuite(String),
    #[error("no case of the suite matches `{0}")]
    NoCases(String),
    #[error("{}: {message}", path.display())]
    BadFile { path: PathBuf, message: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("case {case}: {message}")]
    Child { case: String, message: String },
    #[error("{0}")]
    Run(String),
}

impl BenchError {
    /// Errors in what the user asked for (exit code 2), as opposed to
    /// failures of the machine or the run (exit code 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            BenchError::UnknownCase(_)
                | BenchError::UnknownSuite(_)
                | BenchError::NoCases(_)
                | BenchError::BadFile { .. }
        )
    }
}
