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
