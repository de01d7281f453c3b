//! Running every (variant, replicate) of a scenario, in parallel with rayon.
//!
//! Each run is independent and deterministic given (scenario, replicate), so
//! the results do not depend on the number of threads; they are gathered in
//! (variant, replicate) order.

use channelsim_core::metrics::Collect;
use channelsim_core::{RunTimings, Scenario, VendorMonth, run_replicate_timed};
use rayon::prelude::*;

/// One run's identity and its monthly rows (all vendors, months in order).
#[derive(Clone, Debug)]
pub struct RunResult {
    pub variant: usize,
    pub replicate: u32,
    pub rows: Vec<VendorMonth>,
    /// Where its time went (the engine's own clocks; never in the results).
    pub timings: RunTimings,
}

impl RunResult {
    /// Rows of the last month (one per vendor).
    pub fn horizon(&self) -> &[VendorMonth] {
        let last = self.rows.last().map(|r| r.month).unwrap_or(0);
        let start = self.rows.iter().position(|r| r.month == last).unwrap_or(0);
        &self.rows[start..]
    }

    /// The series of one metric for one vendor, month by month.
    pub fn series(&self, vendor: u32, metric: &str) -> Vec<f64> {
        self.rows
            .iter()
            .filter(|r| r.vendor == vendor)
            .map(|r| r.get(metric).unwrap_or(f64::NAN))
            .collect()
    }
}

/// Run every replicate of every scenario given. `progress` is called once
/// per finished run (from any thread).
pub fn run_all(
    scenarios: &[&Scenario],
    replicates: u32,
    progress: &(dyn Fn() + Sync),
) -> Vec<RunResult> {
    let jobs: Vec<(usize, u32)> = (0..scenarios.len())
        .flat_map(|v| (0..replicates).map(move |r| (v, r)))
        .collect();
    jobs.into_par_iter()
        .map(|(v, r)| {
            let mut obs = Collect::default();
            let (_, timings) = run_replicate_timed(scenarios[v], r, &mut obs);
            progress();
            RunResult {
                variant: v,
                replicate: r,
                rows: obs.0,
                timings,
            }
        })
        .collect()
}

/// Bytes per enterprise of a run: customer columns (20 bytes) plus layout
/// slack.
const PER_ENTERPRISE: u64 = 24;

/// Bytes of a run besides its enterprises: the rows it keeps, and slack.
fn fixed_bytes(sc: &Scenario) -> u64 {
    sc.horizon_months as u64 * sc.vendors.len() as u64 * 360 + (1 << 20)
}

/// A rough upper bound of the memory a set of concurrent runs needs, bytes.
pub fn memory_estimate(sc: &Scenario, concurrent: usize) -> u64 {
    (sc.market.total_enterprises() * PER_ENTERPRISE + fixed_bytes(sc)) * concurrent as u64
}

/// Enterprises in all that one run of `sc` could have within `avail` bytes
/// (by [`memory_estimate`]).
pub fn enterprises_fitting(sc: &Scenario, avail: u64) -> u64 {
    avail.saturating_sub(fixed_bytes(sc)) / PER_ENTERPRISE
}

/// Memory available to this process, bytes, where the system says.
pub fn memory_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Run the given (variant, replicate) jobs in parallel until `cancel` is
/// set (the studio's hook: a newer request cancels an older one). The flag
/// is checked before each run starts, so a cancelled call returns after the
/// runs in flight; a run that starts is run whole, so what it returns is
/// what [`run_all`] would. Results in job order, `None` for a job skipped.
/// `progress` is called once per finished run (from any thread).
pub fn run_jobs(
    scenarios: &[&Scenario],
    jobs: &[(usize, u32)],
    cancel: &std::sync::atomic::AtomicBool,
    progress: &(dyn Fn() + Sync),
) -> Vec<Option<RunResult>> {
    use std::sync::atomic::Ordering;
    jobs.par_iter()
        .map(|&(v, r)| {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let mut obs = Collect::default();
            let (_, timings) = run_replicate_timed(scenarios[v], r, &mut obs);
            progress();
            Some(RunResult {
                variant: v,
                replicate: r,
                rows: obs.0,
                timings,
            })
        })
        .collect()
}

#[cfg(test)]
mod cancel_tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    fn small() -> Scenario {
        let mut sc = crate::scenario::parse_scenario(crate::scenario::DEFAULT_SCENARIO, "d", &[])
            .unwrap()
            .variants[0]
            .scenario
            .clone();
        sc.horizon_months = 3;
        sc
    }

    #[test]
    fn run_jobs_gives_what_run_all_gives_and_stops_when_cancelled() {
        let sc = small();
        let all = run_all(&[&sc], 2, &|| {});
        let go = AtomicBool::new(false);
        let n = std::sync::atomic::AtomicUsize::new(0);
        let some = run_jobs(&[&sc], &[(0, 1), (0, 0)], &go, &|| {
            n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        assert_eq!(n.into_inner(), 2);
        assert_eq!(some[0].as_ref().unwrap().rows, all[1].rows);
        assert_eq!(some[1].as_ref().unwrap().rows, all[0].rows);
        let stop = AtomicBool::new(true);
        assert!(
            run_jobs(&[&sc], &[(0, 0), (0, 1)], &stop, &|| {})
                .iter()
                .all(Option::is_none)
        );
    }
}
