//! Running every (variant, replicate) of a scenario, in parallel with rayon.
//!
//! Each run is independent and deterministic given (scenario, replicate), so
//! the results do not depend on the number of threads; they are gathered in
//! (variant, replicate) order.

use channelsim_core::metrics::Collect;
use channelsim_core::{
    MarketDraw, MarketInputs, RunTimings, Scenario, VendorMonth, run_on, run_replicate_timed,
};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

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
    let never = AtomicBool::new(false);
    let runs = run_jobs(scenarios, &jobs, &never, progress);
    runs.into_iter()
        .map(|r| r.expect("not cancelled"))
        .collect()
}

/// Markets drawn for earlier runs, for runs that come one by one (a
/// sweep's): kept while they fit in a budget of bytes, the least recently
/// used let go first. A market is drawn outside the lock, so two threads
/// may both draw one (the same bytes; the first kept); none waits on
/// another's draw, which a rayon worker stealing work inside the draw could
/// otherwise do on itself.
pub struct MarketCache {
    budget: u64,
    held: std::sync::Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    /// Markets with the use count at their last use.
    markets: Vec<(Arc<MarketDraw>, u64)>,
    uses: u64,
}

impl CacheState {
    /// The market kept for `inputs`, now its most recently used.
    fn kept(&mut self, inputs: &MarketInputs) -> Option<Arc<MarketDraw>> {
        self.uses += 1;
        let now = self.uses;
        let (m, used) = self
            .markets
            .iter_mut()
            .find(|(m, _)| m.inputs() == inputs)?;
        *used = now;
        Some(m.clone())
    }
}

impl MarketCache {
    /// A cache of at most `budget` bytes of markets (one market more
    /// than fits is let go as soon as another is asked for).
    pub fn new(budget: u64) -> MarketCache {
        MarketCache {
            budget,
            held: Default::default(),
        }
    }

    /// The market drawn from `inputs`: kept, or drawn now.
    pub fn get(&self, inputs: MarketInputs) -> Arc<MarketDraw> {
        let lock = || self.held.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(m) = lock().kept(&inputs) {
            return m;
        }
        let drawn = Arc::new(MarketDraw::draw(inputs));
        let mut st = lock();
        if let Some(m) = st.kept(drawn.inputs()) {
            return m;
        }
        st.uses += 1;
        let now = st.uses;
        st.markets.push((drawn.clone(), now));
        let bytes = |st: &CacheState| st.markets.iter().map(|(m, _)| m.bytes()).sum::<u64>();
        while st.markets.len() > 1 && bytes(&st) > self.budget {
            let oldest = (0..st.markets.len()).min_by_key(|&i| st.markets[i].1);
            st.markets.remove(oldest.expect("two or more"));
        }
        drawn
    }
}

/// Bytes per enterprise of a run: customer columns (20 bytes) plus layout
/// slack, and the market it was built on (5 bytes; shared by the runs
/// that meet it, so at most one a run).
const PER_ENTERPRISE: u64 = 24 + 5;

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
///
/// Jobs that meet the same market (the same replicate of variants that
/// differ in their vendors, policies or model) share it: it is drawn once,
/// its time counted in the first of them, and each world built on a copy.
/// What each run gives is what it gives alone.
pub fn run_jobs(
    scenarios: &[&Scenario],
    jobs: &[(usize, u32)],
    cancel: &AtomicBool,
    progress: &(dyn Fn() + Sync),
) -> Vec<Option<RunResult>> {
    let go = || !cancel.load(Ordering::Relaxed);
    let run = |i: usize, market: Option<&MarketDraw>| {
        let (v, r) = jobs[i];
        let mut obs = Collect::default();
        let (_, timings) = match market {
            Some(m) => run_on(scenarios[v], m, &mut obs),
            None => run_replicate_timed(scenarios[v], r, &mut obs),
        };
        progress();
        RunResult {
            variant: v,
            replicate: r,
            rows: obs.0,
            timings,
        }
    };
    let done: Vec<Vec<(usize, RunResult)>> = by_market(scenarios, jobs)
        .into_par_iter()
        .map(|(inputs, members)| match members[..] {
            [i] => go().then(|| (i, run(i, None))).into_iter().collect(),
            _ if !go() => Vec::new(),
            _ => {
                let clock = Instant::now();
                let market = MarketDraw::draw(inputs);
                let drawn = clock.elapsed();
                let first = members[0];
                (members.par_iter())
                    .filter(|_| go())
                    .map(|&i| {
                        let mut r = run(i, Some(&market));
                        if i == first {
                            r.timings.build += drawn;
                        }
                        (i, r)
                    })
                    .collect()
            }
        })
        .collect();
    let mut out: Vec<Option<RunResult>> = (0..jobs.len()).map(|_| None).collect();
    for (i, r) in done.into_iter().flatten() {
        out[i] = Some(r);
    }
    out
}

/// The jobs grouped by the market they meet, in order of first meeting.
fn by_market(scenarios: &[&Scenario], jobs: &[(usize, u32)]) -> Vec<(MarketInputs, Vec<usize>)> {
    let mut at: HashMap<MarketInputs, usize> = HashMap::new();
    let mut groups: Vec<(MarketInputs, Vec<usize>)> = Vec::new();
    for (i, &(v, r)) in jobs.iter().enumerate() {
        let inputs = MarketInputs::of(scenarios[v], r);
        match at.get(&inputs) {
            Some(&g) => groups[g].1.push(i),
            None => {
                at.insert(inputs.clone(), groups.len());
                groups.push((inputs, vec![i]));
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
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

    /// Variants of a scenario meet the same enterprises: jobs of the same
    /// replicate share one market, drawn once, and each run gives what it
    /// gives alone; a variant whose enterprises differ draws its own.
    #[test]
    fn runs_that_share_a_market_give_what_each_gives_alone() {
        let file =
            crate::scenario::parse_scenario(crate::scenario::DEFAULT_SCENARIO, "d", &[]).unwrap();
        let mut scs: Vec<Scenario> = file.variants[..3]
            .iter()
            .map(|v| v.scenario.clone())
            .collect();
        for sc in &mut scs {
            sc.horizon_months = 6;
        }
        scs[2].params.need_exp[2] += 0.05;
        let refs: Vec<&Scenario> = scs.iter().collect();
        let jobs: Vec<(usize, u32)> = (0..3).flat_map(|v| [(v, 0), (v, 1)]).collect();
        let groups: Vec<Vec<usize>> = by_market(&refs, &jobs)
            .into_iter()
            .map(|(_, g)| g)
            .collect();
        assert_eq!(groups, [vec![0, 2], vec![1, 3], vec![4], vec![5]]);
        let all = run_all(&refs, 2, &|| {});
        assert_eq!(all.len(), 6);
        for (run, &(v, r)) in all.iter().zip(&jobs) {
            assert_eq!((run.variant, run.replicate), (v, r));
            let mut alone = Collect::default();
            run_replicate_timed(refs[v], r, &mut alone);
            assert_eq!(run.rows, alone.0, "variant {v} replicate {r}");
        }
    }

    /// The cache gives the market drawn before for equal inputs, keeps
    /// what fits in its budget and lets the least recently used go; runs
    /// on a kept market give what they give alone.
    #[test]
    fn the_market_cache_keeps_what_fits_and_lets_the_least_recently_used_go() {
        let sc = small();
        let of = |r| MarketInputs::of(&sc, r);
        let one = MarketDraw::draw(of(0)).bytes();
        assert!(one > 0);
        let cache = MarketCache::new(2 * one);
        let (a, b) = (cache.get(of(0)), cache.get(of(1)));
        assert!(Arc::ptr_eq(&a, &cache.get(of(0))));
        // Replicate 1 is now the least recently used: 2 takes its place.
        let c = cache.get(of(2));
        assert!(Arc::ptr_eq(&a, &cache.get(of(0))));
        assert!(Arc::ptr_eq(&c, &cache.get(of(2))));
        assert!(!Arc::ptr_eq(&b, &cache.get(of(1))));
        for r in 0..3 {
            let (mut kept, mut alone) = (Collect::default(), Collect::default());
            run_on(&sc, &cache.get(of(r)), &mut kept);
            run_replicate_timed(&sc, r, &mut alone);
            assert_eq!(kept.0, alone.0, "replicate {r}");
        }
        // A budget smaller than one market still keeps the last one.
        let tiny = MarketCache::new(1);
        let d = tiny.get(of(0));
        assert!(Arc::ptr_eq(&d, &tiny.get(of(0))));
    }
}
