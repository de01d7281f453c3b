//! Computing a setting's answer: the runs (from a cache of finished runs
//! where it has them, else run in parallel and cancellable), then the
//! runner's comparison, answer and driver decomposition, as the `run`
//! command computes them.
//!
//! The cache is keyed by a run's fully resolved scenario and replicate,
//! with two things left out of the key because they cannot change a run's
//! first months: the horizon (the month loop is the only use of it, so a
//! run's first `h` months are a run of `h` months; a longer cached run is
//! cut) and the discount rate (used only for the `npv` column, which is
//! recomputed from the run's profit exactly as the engine sums it). Tests
//! check both against fresh runs.

use crate::StudioError;
use crate::levers::Prepared;
use channelsim_core::{Scenario, VendorMonth};
use channelsim_results::catalogue::KCNY_PER_MCNY;
use channelsim_results::{AnswerRow, DriverRow};
use channelsim_runner::answer::{self, Runs};
use channelsim_runner::compare::compare;
use channelsim_runner::drivers;
use channelsim_runner::exec::{RunResult, run_jobs};
use channelsim_runner::job::{check_memory, vendor_of};
use channelsim_runner::robust::npvs;
use channelsim_runner::scenario::sha256_hex;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Most cached runs kept (about 60 KB each on the default market's 120
/// months: some 120 MB at most); the oldest go first.
pub const CACHE_RUNS: usize = 2_000;

/// Cached run: its rows for its horizon.
struct Cached {
    horizon: u32,
    rows: Arc<Vec<VendorMonth>>,
}

#[derive(Default)]
struct Cache {
    runs: HashMap<(String, u32), Cached>,
    order: VecDeque<(String, u32)>,
}

impl Cache {
    fn get(&self, key: &(String, u32), horizon: u32) -> Option<Arc<Vec<VendorMonth>>> {
        self.runs
            .get(key)
            .filter(|c| c.horizon >= horizon)
            .map(|c| c.rows.clone())
    }
    fn put(&mut self, key: (String, u32), horizon: u32, rows: Arc<Vec<VendorMonth>>) {
        if self.runs.get(&key).is_some_and(|c| c.horizon >= horizon) {
            return;
        }
        if self
            .runs
            .insert(key.clone(), Cached { horizon, rows })
            .is_none()
        {
            self.order.push_back(key);
        }
        while self.order.len() > CACHE_RUNS {
            if let Some(old) = self.order.pop_front() {
                self.runs.remove(&old);
            }
        }
    }
}

/// The key of a variant's runs: its scenario without what does not change
/// a run's first months (see the module's comment) or names it.
fn key_of(sc: &Scenario) -> String {
    let mut k = sc.clone();
    k.horizon_months = 0;
    k.discount_rate = 0.0;
    k.replicates = 0;
    k.name = String::new();
    k.description = String::new();
    // Debug text, exact for floats too, if JSON cannot hold a value: a key
    // must never be shared by two different scenarios.
    let text = serde_json::to_string(&k).unwrap_or_else(|_| format!("{k:?}"));
    sha256_hex(&text)
}

/// A cached run's rows for `sc`: the first `sc.horizon_months` months, the
/// `npv` column summed at `sc.discount_rate` as the engine sums it.
fn fit(rows: &[VendorMonth], sc: &Scenario) -> Vec<VendorMonth> {
    let nv = sc.vendors.len();
    let mut out: Vec<VendorMonth> = rows
        .iter()
        .take(nv * sc.horizon_months as usize)
        .cloned()
        .collect();
    let mut acc = vec![0.0; nv];
    for (i, r) in out.iter_mut().enumerate() {
        let month = (i / nv) as f64;
        let v = i % nv;
        acc[v] += r.profit / (1.0 + sc.discount_rate).powf((month + 1.0) / 12.0);
        r.npv = acc[v];
    }
    out
}

/// Long - short over months of one strategy: cumulative profit per variant.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Band {
    pub variant: String,
    pub strategy: String,
    pub policy: String,
    /// Mean and 90% band of the replicates, M CNY, month by month (as
    /// `monthly.csv`'s `cum_profit_mcny` rows).
    pub mean: Vec<Option<f64>>,
    pub lo: Vec<Option<f64>>,
    pub hi: Vec<Option<f64>>,
}

/// Each strategy's long - short NPV gap at the setting's discount rate.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct NpvGap {
    pub strategy: String,
    pub discount_rate: f64,
    pub long_minus_short_mcny: f64,
}

/// What one setting gives: the figures the page shows.
#[derive(Clone, Debug, Serialize)]
pub struct Answer {
    /// As `answer.json` of `channelsim run` of `scenario_toml`.
    pub answer: Vec<AnswerRow>,
    /// As `answer.md`.
    pub markdown: String,
    /// As `drivers.csv`.
    pub drivers: Vec<DriverRow>,
    pub bands: Vec<Band>,
    pub npv: Vec<NpvGap>,
    pub horizon: u32,
    pub replicates: u32,
    pub vendor: String,
    /// The scenario file that reproduces these figures.
    pub scenario_toml: String,
    pub runs: usize,
    pub runs_computed: usize,
    pub compute_ms: f64,
}

/// The engine: the cache, shared by every client.
#[derive(Default)]
pub struct Engine {
    cache: Mutex<Cache>,
}

impl Engine {
    pub fn new() -> Engine {
        Engine::default()
    }

    /// The answer of a prepared setting; [`StudioError::Cancelled`] when
    /// `cancel` is set before its runs are done (the runs finished by then
    /// are kept in the cache).
    pub fn answer(&self, p: &Prepared, cancel: &AtomicBool) -> Result<Answer, StudioError> {
        self.answer_with(p, cancel, &|_, _| {})
    }

    /// [`Engine::answer`], calling `progress(done, total)` as runs finish
    /// (`total` the runs not cached).
    pub fn answer_with(
        &self,
        p: &Prepared,
        cancel: &AtomicBool,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<Answer, StudioError> {
        let clock = Instant::now();
        let names: Vec<String> = p.file.variants.iter().map(|v| v.name.clone()).collect();
        let scenarios: Vec<Scenario> = p.file.variants.iter().map(|v| v.scenario.clone()).collect();
        let replicates = scenarios.iter().map(|s| s.replicates).min().unwrap_or(0);
        let vendor = vendor_of(&scenarios, None)?;
        let keys: Vec<String> = scenarios.iter().map(key_of).collect();
        let mut have: Vec<Option<Arc<Vec<VendorMonth>>>> = Vec::new();
        let mut jobs = Vec::new();
        {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            for (vi, sc) in scenarios.iter().enumerate() {
                for r in 0..replicates {
                    let got = cache.get(&(keys[vi].clone(), r), sc.horizon_months);
                    if got.is_none() {
                        jobs.push((vi, r));
                    }
                    have.push(got);
                }
            }
        }
        let threads = rayon::current_num_threads();
        check_memory(&p.file.file, &scenarios, threads, jobs.len())?;
        let refs: Vec<&Scenario> = scenarios.iter().collect();
        let total = jobs.len();
        progress(0, total);
        let finished = std::sync::atomic::AtomicUsize::new(0);
        let tick = || {
            let d = finished.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(d, total);
        };
        let done = run_jobs(&refs, &jobs, cancel, &tick);
        let computed = done.iter().flatten().count();
        {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            for r in done.into_iter().flatten() {
                let rows = Arc::new(r.rows);
                let i = r.variant * replicates as usize + r.replicate as usize;
                cache.put(
                    (keys[r.variant].clone(), r.replicate),
                    scenarios[r.variant].horizon_months,
                    rows.clone(),
                );
                have[i] = Some(rows);
            }
        }
        if computed < jobs.len() {
            return Err(StudioError::Cancelled);
        }
        let runs: Vec<RunResult> = have
            .into_iter()
            .enumerate()
            .map(|(i, rows)| {
                let vi = i / replicates as usize;
                RunResult {
                    variant: vi,
                    replicate: (i % replicates as usize) as u32,
                    rows: fit(&rows.unwrap_or_default(), &scenarios[vi]),
                    // Clocks are not kept with cached runs (never in results).
                    timings: Default::default(),
                }
            })
            .collect();
        let mut out = figures(&names, &scenarios, &runs, &vendor);
        out.scenario_toml = p.text.clone();
        out.runs_computed = computed;
        out.compute_ms = clock.elapsed().as_secs_f64() * 1e3;
        Ok(out)
    }
}

/// The page's figures from the runs, with the runner's own code (the
/// `run` command's comparison against the first variant, its answer and
/// drivers).
pub fn figures(
    names: &[String],
    scenarios: &[Scenario],
    runs: &[RunResult],
    vendor: &str,
) -> Answer {
    let refs: Vec<&Scenario> = scenarios.iter().collect();
    let c = compare(names, &refs, runs, vendor, 0);
    let r = Runs {
        names,
        scenarios,
        runs,
        vendor,
    };
    // The bands do not need the answer: drawn beside it.
    let ((a, d), bands) = rayon::join(
        || {
            let a = answer::answer(&r, &c);
            let d = drivers::drivers(&r, &a);
            (a, d)
        },
        || bands(names, scenarios, runs, r.vid(0)),
    );
    let rate = scenarios.first().map_or(0.0, |s| s.discount_rate);
    let npv = a
        .iter()
        .filter(|x| x.kind == "policy")
        .filter_map(|x| {
            let (l, s) = (r.index(&x.variant)?, r.index(&x.other)?);
            let n = |vi: usize| npvs(&r.series(vi, "profit").unwrap_or_default(), rate);
            let (nl, ns) = (n(l), n(s));
            let k = nl.len().min(ns.len()).max(1) as f64;
            let gap = nl.iter().zip(&ns).map(|(a, b)| a - b).sum::<f64>() / k;
            Some(NpvGap {
                strategy: x.strategy.clone(),
                discount_rate: rate,
                long_minus_short_mcny: gap / KCNY_PER_MCNY,
            })
        })
        .collect();
    Answer {
        markdown: answer::markdown(&a),
        answer: a,
        drivers: d,
        bands,
        npv,
        horizon: scenarios.first().map_or(0, |s| s.horizon_months),
        replicates: scenarios.iter().map(|s| s.replicates).min().unwrap_or(0),
        vendor: vendor.to_string(),
        scenario_toml: String::new(),
        runs: runs.len(),
        runs_computed: 0,
        compute_ms: 0.0,
    }
}

/// Cumulative profit per variant and month, mean and band, by the rules of
/// `monthly.csv` (the runner's `stats` and `band`), for this one metric.
fn bands(names: &[String], scenarios: &[Scenario], runs: &[RunResult], vid: u32) -> Vec<Band> {
    use channelsim_runner::results::{band, stats, value};
    let Some(m) = channelsim_results::catalogue::find("cum_profit") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (vi, sc) in scenarios.iter().enumerate() {
        let reps: Vec<Vec<f64>> = runs
            .iter()
            .filter(|r| r.variant == vi)
            .map(|r| {
                r.rows
                    .iter()
                    .filter(|x| x.vendor == vid)
                    .map(|x| value(x, m))
                    .collect()
            })
            .collect();
        let months = reps.iter().map(Vec::len).min().unwrap_or(0);
        let (mut mean, mut lo, mut hi) = (Vec::new(), Vec::new(), Vec::new());
        for t in 0..months {
            let xs: Vec<f64> = reps.iter().map(|r| r[t]).collect();
            let mu = stats(m, &xs).0;
            let (l, h) = band(&xs, mu.unwrap_or(f64::NAN));
            mean.push(mu);
            lo.push(l);
            hi.push(h);
        }
        let spec = &sc.vendors[vid as usize];
        out.push(Band {
            variant: names[vi].clone(),
            strategy: spec.mix.label(),
            policy: spec.policy_preset.clone(),
            mean,
            lo,
            hi,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use channelsim_runner::exec::run_all;
    use channelsim_runner::scenario::{DEFAULT_SCENARIO, parse_scenario};

    fn sc(sets: &[&str]) -> Scenario {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        parse_scenario(DEFAULT_SCENARIO, "d", &sets)
            .unwrap()
            .variants[2]
            .scenario
            .clone()
    }

    #[test]
    fn a_longer_run_cut_at_another_discount_rate_is_the_short_run() {
        let long = sc(&["horizon_months=14", "discount_rate=0.08"]);
        let short = sc(&["horizon_months=9", "discount_rate=0.3"]);
        assert_eq!(key_of(&long), key_of(&short));
        let a = run_all(&[&long], 1, &|| {});
        let b = run_all(&[&short], 1, &|| {});
        assert_eq!(fit(&a[0].rows, &short), b[0].rows);
        // And another setting is another key.
        assert_ne!(key_of(&long), key_of(&sc(&["params.bass_q=0.05"])));
    }

    #[test]
    fn a_cut_run_of_several_vendors_is_the_short_run_too() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../scenarios/head_to_head.toml"),
        )
        .unwrap();
        let get = |sets: &[&str]| {
            let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
            parse_scenario(&text, "h", &sets).unwrap().variants[0]
                .scenario
                .clone()
        };
        let long = get(&["horizon_months=7"]);
        let short = get(&["horizon_months=4", "discount_rate=0.5"]);
        assert!(long.vendors.len() > 1);
        let a = run_all(&[&long], 1, &|| {});
        let b = run_all(&[&short], 1, &|| {});
        assert_eq!(fit(&a[0].rows, &short), b[0].rows);
    }

    #[test]
    fn the_cache_keeps_the_longest_run_and_forgets_the_oldest() {
        let mut c = Cache::default();
        let rows = Arc::new(Vec::new());
        c.put(("a".into(), 0), 10, rows.clone());
        assert!(c.get(&("a".into(), 0), 12).is_none());
        assert!(c.get(&("a".into(), 0), 8).is_some());
        c.put(("a".into(), 0), 12, rows.clone());
        assert!(c.get(&("a".into(), 0), 12).is_some());
        for i in 0..CACHE_RUNS as u32 + 5 {
            c.put(("b".into(), i), 1, rows.clone());
        }
        assert_eq!(c.runs.len(), CACHE_RUNS);
        assert!(c.get(&("a".into(), 0), 1).is_none());
    }
}
