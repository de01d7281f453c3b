//! One resource guard for everything a file or flag can make large:
//! markets (memory, see [`crate::job::check_memory`]), units per city,
//! replicates, design sizes, runs and threads. Each is refused up front,
//! with an estimate and advice, instead of ending in an allocation abort or
//! running for hours.

use crate::RunnerError;
use channelsim_core::Scenario;
use channelsim_core::params::Violation;

/// Most replicates a scenario or experiment may ask for.
pub const MAX_REPLICATES: u32 = 1_000_000;
/// Most units of a strategy per city (`params.resellers_per_city`).
pub const MAX_UNITS_PER_CITY: u32 = 1_000;
/// Most points a design may have.
pub const MAX_DESIGN_POINTS: u64 = 1_000_000;
/// Most factor values (points x factors) a design may hold in memory.
pub const MAX_DESIGN_CELLS: u64 = 20_000_000;
/// Most runs (points x variants x replicates) of one experiment.
pub const MAX_RUNS: u64 = 10_000_000;
/// Most factors of a design.
pub const MAX_FACTORS: usize = 1_000;

/// Range checks of the runner beyond the model's own
/// ([`Scenario::violations`]): what makes a run allocate without bound.
pub fn scenario_limits(sc: &Scenario) -> Vec<Violation> {
    let mut v = Vec::new();
    if sc.replicates > MAX_REPLICATES {
        v.push(Violation {
            key: "replicates".into(),
            message: format!(
                "must be at most {MAX_REPLICATES} (each replicate is a full run; \
                 split a bigger study into several experiments)"
            ),
        });
    }
    if sc.params.resellers_per_city > MAX_UNITS_PER_CITY {
        v.push(Violation {
            key: "params.resellers_per_city".into(),
            message: format!("must be at most {MAX_UNITS_PER_CITY} units per city"),
        });
    }
    v
}

/// Most worker threads: more than a few per core only add overhead (and a
/// huge number takes minutes to start).
pub fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores * 4).max(64)
}

/// The threads to use: the option (refused above [`max_threads`]), else
/// all the machine's cores.
pub fn threads(opt: Option<usize>) -> Result<usize, RunnerError> {
    let max = max_threads();
    match opt {
        Some(t) if t > max => Err(RunnerError::Limit {
            what: format!(
                "--threads {t}: this machine has {} cores and at most {max} threads are allowed",
                std::thread::available_parallelism().map_or(1, |n| n.get())
            ),
            advice: "more threads than cores only add overhead; omit --threads to use every core"
                .into(),
        }),
        _ => Ok(crate::job::thread_count(opt)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue14_huge_thread_counts_are_refused_up_front() {
        let t = std::time::Instant::now();
        let e = threads(Some(100_000)).unwrap_err();
        assert!(e.to_string().contains("--threads 100000"), "{e}");
        assert!(e.is_usage());
        assert!(t.elapsed().as_millis() < 100);
        assert_eq!(threads(Some(2)).unwrap(), 2);
        assert!(threads(None).unwrap() >= 1);
    }

    #[test]
    fn issue14_replicates_and_units_per_city_have_limits() {
        let mut sc = crate::scenario::parse_scenario(crate::scenario::DEFAULT_SCENARIO, "d", &[])
            .unwrap()
            .base;
        assert!(scenario_limits(&sc).is_empty());
        sc.replicates = u32::MAX;
        sc.params.resellers_per_city = u32::MAX;
        let keys: Vec<String> = scenario_limits(&sc).into_iter().map(|v| v.key).collect();
        assert_eq!(keys, ["replicates", "params.resellers_per_city"]);
    }
}
