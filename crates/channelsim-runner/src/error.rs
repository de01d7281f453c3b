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
        "{}: not a results folder (it has no manifest.json), so --force will not replace it; choose another --out",
        .0.display()
    )]
    NotResults(PathBuf),
    #[error("{0}")]
    TooLarge(MemoryRefusal),
    #[error("unknown variant `{name}`; the scenario has: {known}")]
    UnknownVariant { name: String, known: String },
    #[error("unknown vendor `{name}`; the scenario has: {known}")]
    UnknownVendor { name: String, known: String },
    #[error("could not start a pool of {threads} threads: {message}")]
    Threads { threads: usize, message: String },
    /// An experiment file that is not valid, located (file, line, column,
    /// key, value, what is allowed).
    #[error("{}", join_lines(.0))]
    Experiment(Vec<crate::scenario::Diagnostic>),
    /// Something a file or flag asks for is too large to do: refused up
    /// front, with what to do instead.
    #[error("{what}; {advice}")]
    Limit { what: String, advice: String },
    /// A results folder that holds results of something else than what
    /// this command would write there.
    #[error(
        "{}: {what}; to start afresh pass --force (discards the results in that folder) or choose another --out",
        dir.display()
    )]
    Mismatch { dir: PathBuf, what: String },
    /// A shard that `merge` (or `status`) cannot use.
    #[error("{}: {what}", path.display())]
    BadShard { path: PathBuf, what: String },
    /// Another live process writes into the folder.
    #[error(
        "{}: another channelsim (process {pid} on {host}) is writing into this folder; wait for it to finish, or if that process is gone remove {}",
        dir.display(),
        dir.join(crate::lock::LOCK_FILE).display()
    )]
    Locked {
        dir: PathBuf,
        pid: u32,
        host: String,
    },
    /// Runs of a sweep failed beyond what the experiment allows.
    #[error("{0}")]
    RunsFailed(RunsFailed),
    /// A command-line argument (or what stands for one, such as Slurm's
    /// array task id) that is not valid.
    #[error("{arg}: {message}")]
    BadArgument { arg: String, message: String },
    /// A results folder that cannot be used as asked (nothing to merge,
    /// shards missing or twice, files not in their format).
    #[error("{}: {message}", dir.display())]
    Folder { dir: PathBuf, message: String },
    /// An analysis that cannot be done on the results there are (e.g.
    /// sensitivity indices with design points that have no result).
    #[error("{what}: {message}")]
    Analysis { what: String, message: String },
    /// A bug or an impossible state (a value that cannot be serialised):
    /// not the user's input.
    #[error("{what}: internal error: {message}")]
    Internal { what: String, message: String },
    /// Writing the report (by the caller's `finish`) failed; `bad_input`
    /// says whether the result files it read were at fault (exit code 2)
    /// or the machine (1).
    #[error("report: {source}")]
    Report {
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
        bad_input: bool,
    },
}

fn join_lines(d: &[crate::scenario::Diagnostic]) -> String {
    d.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Failed runs of a sweep, where they are recorded, and what allows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunsFailed {
    pub failed: usize,
    pub runs: usize,
    /// The failures file.
    pub path: PathBuf,
    /// The first failed run ids (at most 10).
    pub first: Vec<usize>,
    /// The first failure's message.
    pub first_error: String,
}

impl std::fmt::Display for RunsFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.failed >= self.runs {
            write!(f, "none of the {} runs succeeded", self.runs)?;
        } else {
            write!(f, "{} of {} runs failed", self.failed, self.runs)?;
        }
        let ids: Vec<String> = self.first.iter().map(|i| i.to_string()).collect();
        write!(
            f,
            " (runs {}{}; every error is in {}); first error: {}",
            ids.join(", "),
            if self.failed > self.first.len() {
                ", ..."
            } else {
                ""
            },
            self.path.display(),
            self.first_error
        )?;
        if self.failed < self.runs {
            write!(
                f,
                "; the results of the other runs are written; to accept failed runs set \
                 failures_allowed = N (a count) or a share such as 0.05 in the experiment file"
            )?;
        }
        Ok(())
    }
}

impl RunnerError {
    /// Errors in what the user asked for or gave (exit code 2), as opposed
    /// to failures of the machine, of runs or of analyses (exit code 1).
    pub fn is_usage(&self) -> bool {
        match self {
            RunnerError::Scenario(_)
            | RunnerError::Experiment(_)
            | RunnerError::OutputExists(_)
            | RunnerError::NotResults(_)
            | RunnerError::TooLarge(_)
            | RunnerError::Limit { .. }
            | RunnerError::UnknownVariant { .. }
            | RunnerError::UnknownVendor { .. }
            | RunnerError::Mismatch { .. }
            | RunnerError::BadShard { .. }
            | RunnerError::Locked { .. }
            | RunnerError::BadArgument { .. }
            | RunnerError::Folder { .. } => true,
            RunnerError::Report { bad_input, .. } => *bad_input,
            RunnerError::Io { .. }
            | RunnerError::Threads { .. }
            | RunnerError::RunsFailed(_)
            | RunnerError::Internal { .. }
            | RunnerError::Analysis { .. } => false,
        }
    }

    /// The process exit code of this error: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.is_usage() { 2 } else { 1 }
    }
}

/// A scenario refused up front because its runs would not fit in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryRefusal {
    /// The scenario file (or the built-in default's name).
    pub file: String,
    /// Enterprises and cities of the largest variant's market.
    pub enterprises: u64,
    pub cities: usize,
    /// Enterprises in all that one run could have in the memory available.
    pub enterprises_fit: u64,
    /// Estimated memory of one run, and of all concurrent runs, MiB.
    pub per_run_mib: u64,
    pub need_mib: u64,
    /// Memory available, MiB.
    pub avail_mib: u64,
    /// Runs that would run at once (threads, at most the number of runs).
    pub concurrent: usize,
    /// Concurrent runs that would fit (fewer than `concurrent`; may be 0).
    pub fits: usize,
}

impl std::fmt::Display for MemoryRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: the scenario needs about {} MiB of memory",
            self.file, self.need_mib
        )?;
        if self.concurrent > 1 {
            write!(
                f,
                " for {} concurrent runs ({} MiB each)",
                self.concurrent, self.per_run_mib
            )?;
        } else {
            write!(f, " for one run")?;
        }
        write!(
            f,
            ", but only {} MiB are available (its market has {} enterprises in {} {}); ",
            self.avail_mib,
            self.enterprises,
            self.cities,
            if self.cities == 1 { "city" } else { "cities" }
        )?;
        if self.fits >= 1 {
            write!(
                f,
                "{} concurrent {} would fit: use --threads {}",
                self.fits,
                if self.fits == 1 { "run" } else { "runs" },
                self.fits
            )
        } else {
            if self.concurrent > 1 {
                write!(
                    f,
                    "even one run would not fit, so fewer threads cannot help: "
                )?;
            }
            write!(
                f,
                "use a smaller market: fewer enterprises or cities, at most about {} \
                 enterprises in all (e.g. --set market.cities.tier1.enterprises=N)",
                self.enterprises_fit
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue13_the_exit_code_follows_the_kind() {
        let io = || std::io::Error::other("disk full");
        let machine = [
            RunnerError::Io {
                path: "x".into(),
                source: io(),
            },
            RunnerError::Report {
                source: Box::new(io()),
                bad_input: false,
            },
            RunnerError::Analysis {
                what: "sensitivity".into(),
                message: "no result".into(),
            },
        ];
        for e in &machine {
            assert_eq!(e.exit_code(), 1, "{e}");
        }
        let input = [
            RunnerError::BadArgument {
                arg: "--shard 5/2".into(),
                message: "bad".into(),
            },
            RunnerError::Folder {
                dir: "d".into(),
                message: "no shards".into(),
            },
            RunnerError::Report {
                source: Box::new(io()),
                bad_input: true,
            },
        ];
        for e in &input {
            assert_eq!(e.exit_code(), 2, "{e}");
        }
        // The source of a report error is kept.
        let e = &machine[1];
        assert!(std::error::Error::source(e).is_some());
    }
}
