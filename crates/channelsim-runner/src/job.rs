//! The `run` job: every variant and replicate of a scenario, its result
//! files and its comparison.

use crate::RunnerError;
use crate::answer::{self, Runs};
use crate::atomic::{StagedDir, write_atomic};
use crate::compare::compare;
use crate::drivers;
use crate::error::MemoryRefusal;
use crate::exec::{RunResult, enterprises_fitting, memory_available, memory_estimate, run_all};
use crate::results::{monthly, summarise, write_csv, write_records, write_runs_csv, write_series};
use crate::scenario::ScenarioFile;
use channelsim_core::{ENGINE_VERSION, MODEL_VERSION, Scenario};
use channelsim_results::files;
use channelsim_results::rows::{Comparison, SummaryRow};
use channelsim_results::{AnswerRow, DriverRow};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub threads: Option<usize>,
    pub out: Option<PathBuf>,
    pub force: bool,
    pub baseline: Option<String>,
    pub vendor: Option<String>,
    /// The command line, for the manifest.
    pub command: String,
    /// A robust command's output folder: the answer says how many model
    /// readings agree with each verdict.
    pub robust: Option<PathBuf>,
}

pub struct RunOutcome {
    pub dir: PathBuf,
    pub names: Vec<String>,
    pub scenarios: Vec<Scenario>,
    pub summary: Vec<SummaryRow>,
    pub comparison: Option<Comparison>,
    /// The answer's statements (`answer.json`) and the drivers of its gaps.
    pub answer: Vec<AnswerRow>,
    pub drivers: Vec<DriverRow>,
    pub runs: usize,
    pub threads: usize,
    pub wall_seconds: f64,
    /// Where the runs' time went (also in the manifest).
    pub timings: PhaseTimings,
}

/// Where the runs' time went, from the engine's own clocks, summed over
/// runs: building the worlds, then each phase of the month. The city
/// phases (acquisition to payments) are timed city by city and summed over
/// threads, so with runs or cities in parallel these are CPU seconds, more
/// than the wall time. Timings go to the manifest only: the result files
/// do not depend on them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PhaseTimings {
    pub runs: usize,
    pub build_seconds: f64,
    /// Active customer-months served in all runs (all vendors).
    pub active_customer_months: u64,
    /// The phases in the month's order.
    pub phases: Vec<PhaseTime>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PhaseTime {
    pub phase: String,
    pub seconds: f64,
    pub ns_per_customer_month: f64,
}

impl PhaseTimings {
    /// The sum of the runs' timings.
    pub fn of(runs: &[RunResult]) -> PhaseTimings {
        let mut t = channelsim_core::RunTimings::default();
        for r in runs {
            t.add(&r.timings);
        }
        let cm: u64 = runs
            .iter()
            .flat_map(|r| &r.rows)
            .map(|row| row.active)
            .sum();
        PhaseTimings {
            runs: runs.len(),
            build_seconds: t.build.as_secs_f64(),
            active_customer_months: cm,
            phases: t
                .phases
                .by_phase()
                .map(|(p, d)| PhaseTime {
                    phase: p.name().to_string(),
                    seconds: d.as_secs_f64(),
                    ns_per_customer_month: d.as_secs_f64() * 1e9 / cm.max(1) as f64,
                })
                .collect(),
        }
    }

    /// Seconds in all the phases (the months, without building).
    pub fn month_seconds(&self) -> f64 {
        self.phases.iter().map(|p| p.seconds).sum()
    }
}

/// Threads to use: the option, else all the machine's cores.
pub fn thread_count(opt: Option<usize>) -> usize {
    opt.filter(|&t| t > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Run a rayon job on a pool of exactly `threads` threads.
pub fn with_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> Result<T, RunnerError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunnerError::Threads {
            threads,
            message: e.to_string(),
        })?;
    Ok(pool.install(f))
}

/// The variants to run, by name. Every override (`--set`, and the command
/// line's `--replicates` and `--seed`, which are `--set`s too) was applied,
/// and checked, when the file was loaded: one way to set anything.
pub fn resolve_variants(file: &ScenarioFile) -> (Vec<String>, Vec<Scenario>) {
    file.variants
        .iter()
        .map(|v| (v.name.clone(), v.scenario.clone()))
        .unzip()
}

/// Refuse up front what cannot fit in memory. `file` names the scenario in
/// the refusal.
pub fn check_memory(
    file: &str,
    scenarios: &[Scenario],
    threads: usize,
    runs: usize,
) -> Result<(), RunnerError> {
    match memory_available() {
        Some(avail) => memory_refusal(file, scenarios, threads, runs, avail)
            .map_or(Ok(()), |r| Err(RunnerError::TooLarge(r))),
        None => Ok(()),
    }
}

/// The refusal of `scenarios` on `threads` threads with `avail` bytes
/// available, if they do not fit; `None` if they do.
pub fn memory_refusal(
    file: &str,
    scenarios: &[Scenario],
    threads: usize,
    runs: usize,
    avail: u64,
) -> Option<MemoryRefusal> {
    let concurrent = threads.min(runs).max(1);
    let largest = scenarios.iter().max_by_key(|s| memory_estimate(s, 1))?;
    let per_run = memory_estimate(largest, 1);
    let need = per_run * concurrent as u64;
    if need <= avail {
        return None;
    }
    let fits = ((avail / per_run.max(1)) as usize).min(concurrent - 1);
    Some(MemoryRefusal {
        file: file.to_string(),
        enterprises: largest.market.total_enterprises(),
        cities: largest.market.cities.len(),
        enterprises_fit: enterprises_fitting(largest, avail),
        per_run_mib: per_run >> 20,
        need_mib: need >> 20,
        avail_mib: avail >> 20,
        concurrent,
        fits,
    })
}

/// Run every variant and replicate of `file` and write the result files.
///
/// The files go to a fresh temporary folder beside the output folder;
/// `finish` is then called with that folder (to add files, e.g. the report),
/// and only when it returns `Ok` is the folder put in place, replacing all of
/// an existing one (which needs `force`). On any error the temporary folder
/// is removed and an existing output folder is left untouched.
pub fn run_job(
    file: &ScenarioFile,
    opts: &RunOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
    finish: &dyn Fn(&Path) -> Result<(), RunnerError>,
) -> Result<RunOutcome, RunnerError> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let (names, scenarios) = resolve_variants(file);
    if replicates_of(&scenarios) == 0 {
        return Err(RunnerError::BadArgument {
            arg: "replicates".into(),
            message: "must be at least 1".into(),
        });
    }
    let replicates = replicates_of(&scenarios);
    let vendor = vendor_of(&scenarios, opts.vendor.as_deref())?;
    let baseline = match &opts.baseline {
        Some(b) => {
            names
                .iter()
                .position(|n| n == b)
                .ok_or_else(|| RunnerError::UnknownVariant {
                    name: b.clone(),
                    known: names.join(", "),
                })?
        }
        None => 0,
    };
    let threads = thread_count(opts.threads);
    let total = names.len() * replicates as usize;
    check_memory(&file.file, &scenarios, threads, total)?;
    let dir = opts
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&file.base.name));
    let staged = StagedDir::create(&dir, opts.force)?;
    let tmp = staged.path();

    let done = std::sync::atomic::AtomicUsize::new(0);
    let refs: Vec<&Scenario> = scenarios.iter().collect();
    let tick = || {
        let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        progress(d, total);
    };
    let runs = with_pool(threads, || run_all(&refs, replicates, &tick))?;

    // The two largest files, side by side.
    let (series, month) = with_pool(threads, || {
        rayon::join(
            || write_series(&tmp.join(files::SERIES), &names, &refs, &runs),
            || write_csv(&tmp.join(files::MONTHLY), &monthly(&names, &refs, &runs)),
        )
    })?;
    series?;
    month?;
    let (run_rows, summary) = summarise(&names, &refs, &runs);
    write_runs_csv(&tmp.join(files::RUNS), &run_rows)?;
    write_csv(&tmp.join(files::SUMMARY), &summary)?;
    write_records(&tmp.join(files::SUMMARY_JSON), &summary)?;
    let comparison = (names.len() > 1).then(|| compare(&names, &refs, &runs, &vendor, baseline));
    if let Some(c) = &comparison {
        write_records(&tmp.join(files::COMPARE), &c.rows)?;
        write_csv(&tmp.join(files::POLICY_DIFF), &c.policy_diff)?;
        write_records(&tmp.join(files::CROSSOVERS), &c.crossovers)?;
    }
    let (answer, drivers) = match &comparison {
        Some(c) => {
            let r = Runs {
                names: &names,
                scenarios: &scenarios,
                runs: &runs,
                vendor: &vendor,
            };
            let mut a = answer::answer(&r, c);
            // A robust folder of the same scenario beside this one counts
            // too (`robust`'s default output folder).
            let beside = dir.with_file_name(format!(
                "{}-robust",
                dir.file_name().map_or("".into(), |n| n.to_string_lossy())
            ));
            let robust = opts
                .robust
                .clone()
                .or_else(|| beside.join("verdicts.csv").is_file().then_some(beside));
            if let Some(dir) = &robust {
                answer::with_readings(&mut a, &robust_verdicts(dir)?);
            }
            let d = drivers::drivers(&r, &a);
            write_records(&tmp.join(files::ANSWER_JSON), &a)?;
            crate::atomic::write_string(&tmp.join(files::ANSWER_MD), &answer::markdown(&a))?;
            write_csv(&tmp.join(files::DRIVERS), &d)?;
            (a, d)
        }
        None => (Vec::new(), Vec::new()),
    };
    let wall_seconds = clock.elapsed().as_secs_f64();
    let timings = PhaseTimings::of(&runs);
    let mut manifest = Manifest::new(
        file,
        opts,
        &names,
        &scenarios,
        threads,
        started,
        wall_seconds,
    );
    manifest.timings = Some(timings.clone());
    write_json(&tmp.join(files::MANIFEST), &manifest)?;
    finish(tmp)?;
    let dir = staged.commit()?;
    Ok(RunOutcome {
        dir,
        names,
        scenarios,
        summary,
        comparison,
        answer,
        drivers,
        runs: runs.len(),
        threads,
        wall_seconds,
        timings,
    })
}

/// Per strategy, the settings a robust folder ran and the share in which
/// long-term wins on cumulative profit (its `verdicts.csv`).
fn robust_verdicts(dir: &Path) -> Result<Vec<(String, u64, f64)>, RunnerError> {
    #[derive(serde::Deserialize)]
    struct V {
        strategy: String,
        readings: u64,
        cum_profit_long_wins_share: f64,
    }
    let path = dir.join("verdicts.csv");
    let rows: Vec<V> = channelsim_results::read_csv(&path).map_err(|e| RunnerError::Folder {
        dir: dir.to_path_buf(),
        message: format!("not a robust results folder: {e}"),
    })?;
    Ok(rows
        .into_iter()
        .map(|v| (v.strategy, v.readings, v.cum_profit_long_wins_share))
        .collect())
}

/// The vendor whose results are compared: `name`, which the scenario must
/// have, else its first vendor.
pub fn vendor_of(scenarios: &[Scenario], name: Option<&str>) -> Result<String, RunnerError> {
    let vendors = &scenarios[0].vendors;
    match name {
        Some(v) if !vendors.iter().any(|x| x.name == v) => Err(RunnerError::UnknownVendor {
            name: v.to_string(),
            known: vendors
                .iter()
                .map(|x| x.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
        Some(v) => Ok(v.to_string()),
        None => Ok(vendors[0].name.clone()),
    }
}

fn replicates_of(scenarios: &[Scenario]) -> u32 {
    scenarios.iter().map(|s| s.replicates).min().unwrap_or(0)
}

pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), RunnerError> {
    write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, value).map_err(std::io::Error::other)?;
        writeln!(w)
    })
}

#[derive(Serialize)]
pub struct VariantEntry {
    pub name: String,
    pub overrides: std::collections::BTreeMap<String, String>,
}

/// What a run was: enough to reproduce it and to tell runs apart.
#[derive(Serialize)]
pub struct Manifest {
    pub engine_version: String,
    pub model_version: String,
    pub command: String,
    pub scenario_name: String,
    pub scenario_file: String,
    pub scenario_hash: String,
    pub description: String,
    pub scenario: Scenario,
    pub variants: Vec<VariantEntry>,
    pub defaults: channelsim_core::params::Params,
    pub replicates: u32,
    pub seed: u64,
    /// Random streams are derived from (seed, replicate, month, city, phase).
    pub replicate_seeds: Vec<String>,
    pub threads: usize,
    pub host: String,
    pub started: String,
    pub finished: String,
    pub wall_seconds: f64,
    /// Where the time went (`run` only), like `wall_seconds` a figure of
    /// this execution, not of the results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timings: Option<PhaseTimings>,
}

impl Manifest {
    pub(crate) fn new(
        file: &ScenarioFile,
        opts: &RunOptions,
        names: &[String],
        scenarios: &[Scenario],
        threads: usize,
        started: SystemTime,
        wall_seconds: f64,
    ) -> Manifest {
        let base = file.base.clone();
        let replicates = scenarios.iter().map(|s| s.replicates).min().unwrap_or(0);
        Manifest {
            engine_version: ENGINE_VERSION.into(),
            model_version: MODEL_VERSION.into(),
            command: opts.command.clone(),
            scenario_name: base.name.clone(),
            scenario_file: file.file.clone(),
            scenario_hash: file.hash.clone(),
            description: base.description.clone(),
            variants: file
                .variants
                .iter()
                .zip(names)
                .map(|(v, n)| VariantEntry {
                    name: n.clone(),
                    overrides: v.overrides.iter().cloned().collect(),
                })
                .collect(),
            defaults: channelsim_core::params::Params::default(),
            replicates,
            seed: base.seed,
            replicate_seeds: (0..replicates)
                .map(|r| format!("seed {} / replicate {r}", base.seed))
                .collect(),
            scenario: base,
            threads,
            host: host_name(),
            started: humantime::format_rfc3339_seconds(started).to_string(),
            finished: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            wall_seconds,
            timings: None,
        }
    }
}

pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}
