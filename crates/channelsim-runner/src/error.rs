//! The runner's errors. The binary decides how to show them and which exit
//! code each gets.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error(transparent)]
    Scenario(#[from] crate::scenario::ScenarioError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: the output folder exists and is not empty; pass --force to overwrite it", .0.display())]
    OutputExists(PathBuf),
    #[error(
        "the scenario needs about {need_mib} MiB of memory for {concurrent} concurrent runs, \
         but only {avail_mib} MiB are available; use fewer threads (--threads) or a smaller market"
    )]
    TooLarge {
        need_mib: u64,
        avail_mib: u64,
        concurrent: usize,
    },
    #[error("unknown variant `{name}`; the scenario has: {known}")]
    UnknownVariant { name: String, known: String },
    #[error("unknown vendor `{name}`; the scenario has: {known}")]
    UnknownVendor { name: String, known: String },
    #[error("could not start a pool of {threads} threads: {message}")]
    Threads { threads: usize, message: String },
    #[error("{0}")]
    Invalid(String),
}

impl RunnerError {
    /// Errors in what the user asked for (exit code 2), as opposed to
    /// failures of the machine (exit code 1).
    pub fn is_usage(&self) -> bool {
        !matches!(self, RunnerError::Io { .. } | RunnerError::Threads { .. })
    }
}
