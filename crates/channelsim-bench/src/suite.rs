//! Suites: which cases, how many repeats; running them interleaved, each
//! case in a process of its own.

use crate::BenchError;
use crate::case::{Case, Sample, Scale};
use crate::kernel::KERNEL_VERSION;
use crate::machine::{Build, Machine};
use crate::report::{BenchReport, FORMAT, case_result, relate};
use channelsim_core::ids::Strategy;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Instant, SystemTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suite {
    /// A few seconds: the kernel and a small market on 1 and 2 threads (for
    /// tests of the tool itself).
    Test,
    /// Under a minute on 2 cores.
    Quick,
    /// A few minutes: adds 4M enterprises and the national market.
    Standard,
    /// Adds 16M enterprises.
    Full,
}

impl Suite {
    pub fn parse(s: &str) -> Result<Suite, BenchError> {
        Ok(match s {
            "test" => Suite::Test,
            "quick" => Suite::Quick,
            "standard" => Suite::Standard,
            "full" => Suite::Full,
            _ => return Err(BenchError::UnknownSuite(s.into())),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Suite::Test => "test",
            Suite::Quick => "quick",
            Suite::Standard => "standard",
            Suite::Full => "full",
        }
    }

    pub fn default_repeats(self) -> usize {
        match self {
            Suite::Test | Suite::Quick => 3,
            Suite::Standard | Suite::Full => 5,
        }
    }

    /// The suite's cases on a machine of `cores` cores, in running order.
    pub fn cases(self, cores: usize) -> Vec<Case> {
        let sat = |strategy, scale, threads| Case::Saturated {
            strategy,
            scale,
            threads,
        };
        let ce = Strategy::CityExclusive;
        let mut v = vec![Case::Kernel];
        if self == Suite::Test {
            v.push(sat(ce, Scale::Every(16), 1));
            v.push(sat(ce, Scale::Every(16), 2));
            return v;
        }
        v.push(Case::MainJob { threads: cores });
        // Every strategy on the saturated 1M market, one core.
        v.extend(Strategy::ALL.iter().map(|&s| sat(s, Scale::Times(1), 1)));
        // Threads: 2 and all cores (1 is city_exclusive's case above).
        v.push(sat(ce, Scale::Times(1), 2));
        if cores > 2 {
            v.push(sat(ce, Scale::Times(1), cores));
        }
        // Market size, one core (1M is above).
        v.push(sat(ce, Scale::Every(16), 1));
        v.push(sat(ce, Scale::Every(4), 1));
        if matches!(self, Suite::Standard | Suite::Full) {
            v.push(sat(ce, Scale::Times(4), 1));
            v.push(Case::National { threads: cores });
        }
        if self == Suite::Full {
            v.push(sat(ce, Scale::Times(16), 1));
        }
        v
    }
}

pub struct SuiteOptions {
    pub suite: Suite,
    pub repeats: usize,
    /// Run only the cases whose id contains one of these (all if empty).
    pub only: Vec<String>,
    /// The binary to run each case with, and the arguments before the case
    /// id: `<exe> <args...> <case id>` must print the case's [`Sample`] as
    /// JSON on its standard output (`channelsim bench --case`).
    pub exe: PathBuf,
    pub args: Vec<String>,
}

/// Progress: rounds and cases done, of all, and the case starting next.
pub type ProgressFn<'a> = &'a dyn Fn(usize, usize, &str);

/// Run the suite: `repeats` rounds, every case once per round in the same
/// order (so a slow or fast phase of a shared host falls on every case
/// alike), each in a fresh process.
pub fn run_suite(opts: &SuiteOptions, progress: ProgressFn) -> Result<BenchReport, BenchError> {
    let machine = Machine::detect();
    let mut cases = opts.suite.cases(machine.cores);
    if !opts.only.is_empty() {
        cases.retain(|c| {
            let id = c.id();
            // The kernel stays: every figure is also stated against it.
            *c == Case::Kernel || opts.only.iter().any(|o| id.contains(o.as_str()))
        });
        if cases.len() == 1 {
            // Say which suite has such a case, if one does.
            let hint = [Suite::Standard, Suite::Full]
                .into_iter()
                .find(|s| {
                    s.cases(machine.cores)
                        .iter()
                        .any(|c| opts.only.iter().any(|o| c.id().contains(o.as_str())))
                })
                .map_or(String::new(), |s| format!(" (suite {} has one)", s.name()));
            return Err(BenchError::NoCases(format!(
                "{}`{hint}",
                opts.only.join("`, `")
            )));
        }
    }
    let started_unix = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let clock = Instant::now();
    let repeats = opts.repeats.max(1);
    let total = repeats * cases.len();
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); cases.len()];
    for r in 0..repeats {
        for (k, case) in cases.iter().enumerate() {
            let id = case.id();
            progress(r * cases.len() + k, total, &id);
            samples[k].push(run_child(opts, &id)?);
        }
    }
    progress(total, total, "");
    let mut results = Vec::with_capacity(cases.len());
    for (case, s) in cases.iter().zip(samples) {
        // Runs are deterministic: every repeat does the same work.
        if s.iter().any(|x| x.customer_months != s[0].customer_months) {
            return Err(BenchError::Child {
                case: case.id(),
                message: format!(
                    "repeats served different customer-months ({:?}): the run is not deterministic",
                    s.iter().map(|x| x.customer_months).collect::<Vec<_>>()
                ),
            });
        }
        results.push(case_result(case, s));
    }
    let strategy_ratios = relate(&mut results);
    Ok(BenchReport {
        format: FORMAT.into(),
        suite: opts.suite.name().into(),
        repeats,
        started_unix,
        total_seconds: clock.elapsed().as_secs_f64(),
        machine,
        build: Build::current(),
        kernel_version: KERNEL_VERSION,
        phase_names: crate::case::phase_names(),
        cases: results,
        strategy_ratios,
    })
}

/// Run one case in a process of its own and read its sample.
fn run_child(opts: &SuiteOptions, id: &str) -> Result<Sample, BenchError> {
    let fail = |message: String| BenchError::Child {
        case: id.into(),
        message,
    };
    let out = Command::new(&opts.exe)
        .args(&opts.args)
        .arg(id)
        .output()
        .map_err(|e| fail(format!("could not start {}: {e}", opts.exe.display())))?;
    if !out.status.success() {
        return Err(fail(format!(
            "{} ({})",
            String::from_utf8_lossy(&out.stderr).trim(),
            out.status
        )));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or("");
    serde_json::from_str(line).map_err(|e| fail(format!("unreadable sample `{line}`: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suites_grow_and_hold_distinct_cases() {
        let n = |s: Suite| s.cases(2).len();
        assert!(n(Suite::Test) < n(Suite::Quick));
        assert!(n(Suite::Quick) < n(Suite::Standard));
        assert!(n(Suite::Standard) < n(Suite::Full));
        for s in [Suite::Test, Suite::Quick, Suite::Standard, Suite::Full] {
            for cores in [1, 2, 8] {
                let ids: Vec<String> = s.cases(cores).iter().map(|c| c.id()).collect();
                let mut u = ids.clone();
                u.sort();
                u.dedup();
                assert_eq!(u.len(), ids.len(), "{ids:?}");
                assert_eq!(ids[0], "kernel");
            }
        }
        let quick: Vec<String> = Suite::Quick.cases(2).iter().map(|c| c.id()).collect();
        for s in Strategy::ALL {
            assert!(quick.contains(&format!("saturated/{}/1M/t1", s.name())));
        }
        assert!(quick.contains(&"saturated/city_exclusive/1M/t2".to_string()));
        assert!(quick.contains(&"main_job/t2".to_string()));
        let full: Vec<String> = Suite::Full.cases(8).iter().map(|c| c.id()).collect();
        assert!(full.contains(&"saturated/city_exclusive/16M/t1".to_string()));
        assert!(full.contains(&"saturated/city_exclusive/1M/t8".to_string()));
        assert!(full.contains(&"national/t8".to_string()));
    }

    #[test]
    fn unknown_suite_is_a_usage_error() {
        let e = Suite::parse("fast").unwrap_err();
        assert!(e.is_usage());
        assert!(e.to_string().contains("quick"));
    }
}
