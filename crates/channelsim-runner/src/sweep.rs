//! Sweeps: the experiment's runs, in parallel, streamed to disk batch by
//! batch in run order, resumable, and sliceable into shards for a cluster.
//!
//! Layout of an experiment folder:
//! - `design.csv`: every run (run_id, point_id, variant, replicate, seed, factors);
//! - `shards/<I>-of-<N>/results.csv`, `failures.csv`: a shard's journal,
//!   appended one batch at a time, in run order; `shard.json` is written
//!   (atomically) only when the shard is complete;
//! - `results.csv`, `failures.csv`: the merged results, in run order, written
//!   atomically by `merge` (a sweep without `--shard` merges itself).
//!
//! Because every run is deterministic and rows are kept in run order, the
//! merged files are byte-identical however the work was split, resumed or
//! threaded.

use crate::RunnerError;
use crate::atomic::{write_atomic, write_string};
use crate::experiment::Experiment;
use crate::results::csv_field;
use channelsim_core::metrics::Last;
use channelsim_core::run_replicate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// Which slice of the runs this process does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parse `I/N` (0-based I).
    pub fn parse(s: &str) -> Result<Shard, RunnerError> {
        let err = || {
            RunnerError::Invalid(format!(
                "--shard {s:?}: expected I/N with 0 <= I < N, e.g. 3/16"
            ))
        };
        let (i, n) = s.split_once('/').ok_or_else(err)?;
        let (index, count): (usize, usize) = (
            i.trim().parse().map_err(|_| err())?,
            n.trim().parse().map_err(|_| err())?,
        );
        if count == 0 || index >= count {
            return Err(err());
        }
        Ok(Shard { index, count })
    }

    /// The contiguous slice of `0..runs` this shard owns.
    pub fn range(&self, runs: usize) -> std::ops::Range<usize> {
        (self.index * runs / self.count)..((self.index + 1) * runs / self.count)
    }

    pub fn dir_name(&self) -> String {
        format!("{}-of-{}", self.index, self.count)
    }
}

/// What a finished shard records.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShardRecord {
    pub shard: Shard,
    pub first_run: usize,
    pub end_run: usize,
    pub experiment_hash: String,
    pub host: String,
    pub threads: usize,
    pub started: String,
    pub finished: String,
    pub wall_seconds: f64,
}

pub fn results_header(exp: &Experiment) -> String {
    let mut h = vec!["run_id", "point_id", "variant", "replicate", "vendor"];
    let cols = crate::results::metric_columns(&exp.metrics);
    h.extend(cols.iter().map(|s| s.as_str()));
    h.join(",")
}

/// Write `design.csv` (deterministic, so every shard may write it).
pub fn write_design(dir: &Path, exp: &Experiment) -> Result<(), RunnerError> {
    write_atomic(&dir.join("design.csv"), |w| {
        let mut h = vec!["run_id", "point_id", "variant", "replicate", "seed"];
        h.extend(exp.factors.iter().map(|s| s.as_str()));
        let h: Vec<String> = h.iter().map(|s| csv_field(s)).collect();
        writeln!(w, "{}", h.join(","))?;
        for i in 0..exp.n_runs() {
            let r = exp.run_id(i);
            write!(
                w,
                "{},{},{},{},{}",
                r.run,
                r.point,
                csv_field(&exp.variants[r.variant]),
                r.replicate,
                r.seed
            )?;
            for v in &exp.points[r.point] {
                write!(w, ",{}", csv_field(v))?;
            }
            writeln!(w)?;
        }
        Ok(())
    })
}

/// One run: its result line, or its error.
fn run_one(exp: &Experiment, i: usize) -> Result<String, String> {
    let id = exp.run_id(i);
    let file = exp.point_scenario(id.point).map_err(|e| e.to_string())?;
    let variant = file
        .variants
        .iter()
        .find(|v| v.name == exp.variants[id.variant])
        .ok_or_else(|| format!("variant {:?} not in the base", exp.variants[id.variant]))?;
    let mut sc = variant.scenario.clone();
    sc.seed = id.seed;
    let vendor = match &exp.vendor {
        Some(name) => sc
            .vendors
            .iter()
            .position(|v| &v.name == name)
            .ok_or_else(|| format!("vendor {name:?} not in the scenario"))?,
        None => 0,
    };
    let violations = sc.violations();
    if let Some(v) = violations.first() {
        return Err(format!("{} {}", v.key, v.message));
    }
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut last = Last::default();
        run_replicate(&sc, id.replicate, &mut last);
        last.0
    }))
    .map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the run panicked".into())
    })?;
    let row = outcome
        .iter()
        .find(|r| r.vendor == vendor as u32)
        .ok_or("the run produced no rows")?;
    let mut line = format!(
        "{},{},{},{},{}",
        id.run,
        id.point,
        csv_field(&exp.variants[id.variant]),
        id.replicate,
        csv_field(&sc.vendors[vendor].name)
    );
    for cell in crate::results::metric_cells(row, &exp.metrics) {
        line.push(',');
        line.push_str(&cell);
    }
    Ok(line)
}

/// Run ids recorded in a journal (first column), after cutting a torn last line.
fn journal_ids(path: &Path, header: &str) -> Result<BTreeSet<usize>, RunnerError> {
    let io = |e| RunnerError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    if !path.exists() {
        fs::write(path, format!("{header}\n")).map_err(io)?;
        return Ok(BTreeSet::new());
    }
    let bytes = fs::read(path).map_err(io)?;
    let keep = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if keep < bytes.len() {
        // A crash tore the last line: drop it, the run will be redone.
        let f = OpenOptions::new().write(true).open(path).map_err(io)?;
        f.set_len(keep as u64).map_err(io)?;
    }
    if keep == 0 {
        fs::write(path, format!("{header}\n")).map_err(io)?;
        return Ok(BTreeSet::new());
    }
    let text = String::from_utf8_lossy(&bytes[..keep]);
    let mut lines = text.lines();
    if lines.next() != Some(header) {
        return Err(RunnerError::Invalid(format!(
            "{}: the journal belongs to another experiment (its header differs); use a fresh --out folder",
            path.display()
        )));
    }
    Ok(lines
        .filter_map(|l| l.split(',').next()?.parse().ok())
        .collect())
}

fn append(path: &Path, lines: &[String]) -> Result<(), RunnerError> {
    let io = |e| RunnerError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    if lines.is_empty() {
        return Ok(());
    }
    let mut f = OpenOptions::new().append(true).open(path).map_err(io)?;
    let mut buf = String::new();
    for l in lines {
        buf.push_str(l);
        buf.push('\n');
    }
    f.write_all(buf.as_bytes()).map_err(io)?;
    f.sync_data().map_err(io)
}

pub fn shard_dir(dir: &Path, shard: Shard) -> PathBuf {
    dir.join("shards").join(shard.dir_name())
}

/// Run (or resume) one shard of the experiment. Returns how many runs were
/// done now, and how many failed in all.
pub fn run_shard(
    exp: &Experiment,
    dir: &Path,
    shard: Shard,
    threads: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(usize, usize), RunnerError> {
    let started = std::time::SystemTime::now();
    let clock = std::time::Instant::now();
    let sdir = shard_dir(dir, shard);
    fs::create_dir_all(&sdir).map_err(|e| RunnerError::Io {
        path: sdir.clone(),
        source: e,
    })?;
    write_design(dir, exp)?;
    let header = results_header(exp);
    let results = sdir.join("results.csv");
    let failures = sdir.join("failures.csv");
    let done = journal_ids(&results, &header)?;
    let failed = journal_ids(&failures, "run_id,error")?;
    let range = shard.range(exp.n_runs());
    let pending: Vec<usize> = range
        .clone()
        .filter(|i| !done.contains(i) && !failed.contains(i))
        .collect();
    let total = range.len();
    let mut finished = total - pending.len();
    progress(finished, total);
    // Batches keep memory flat and the journal in run order.
    let batch = (threads * 4).max(8);
    let mut n_failed = failed.len();
    crate::job::with_pool(threads, || -> Result<(), RunnerError> {
        for chunk in pending.chunks(batch) {
            let out: Vec<(usize, Result<String, String>)> = chunk
                .par_iter()
                .map(|&i| {
                    let r = run_one(exp, i);
                    (i, r)
                })
                .collect();
            let ok: Vec<String> = out
                .iter()
                .filter_map(|(_, r)| r.as_ref().ok().cloned())
                .collect();
            let bad: Vec<String> = out
                .iter()
                .filter_map(|(i, r)| {
                    r.as_ref()
                        .err()
                        .map(|e| format!("{i},{}", csv_field(&e.replace('\n', " "))))
                })
                .collect();
            n_failed += bad.len();
            append(&results, &ok)?;
            append(&failures, &bad)?;
            finished += chunk.len();
            progress(finished, total);
        }
        Ok(())
    })??;
    let record = ShardRecord {
        shard,
        first_run: range.start,
        end_run: range.end,
        experiment_hash: exp.hash.clone(),
        host: crate::job::host_name(),
        threads,
        started: humantime::format_rfc3339_seconds(started).to_string(),
        finished: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        wall_seconds: clock.elapsed().as_secs_f64(),
    };
    crate::job::write_json(&sdir.join("shard.json"), &record)?;
    Ok((pending.len(), n_failed))
}

/// What is done and missing in an experiment folder.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    pub runs: usize,
    pub done: usize,
    pub failed: usize,
    pub shard_count: Option<usize>,
    pub complete_shards: Vec<usize>,
    pub missing_shards: Vec<usize>,
    pub missing_runs: Vec<usize>,
    pub duplicated_runs: Vec<usize>,
}

impl Status {
    pub fn array_spec(&self) -> Option<String> {
        (!self.missing_shards.is_empty()).then(|| {
            format!(
                "--array={}",
                self.missing_shards
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            )
        })
    }
}

fn count_design_runs(dir: &Path) -> Result<usize, RunnerError> {
    let path = dir.join("design.csv");
    let f = fs::File::open(&path).map_err(|e| RunnerError::Io {
        path: path.clone(),
        source: e,
    })?;
    Ok(BufReader::new(f).lines().count().saturating_sub(1))
}

fn shard_folders(dir: &Path) -> Vec<(Shard, PathBuf)> {
    let mut out = Vec::new();
    if let Ok(rd) = fs::read_dir(dir.join("shards")) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some((i, n)) = name.split_once("-of-")
                && let (Ok(index), Ok(count)) = (i.parse(), n.parse())
            {
                out.push((Shard { index, count }, e.path()));
            }
        }
    }
    out.sort_by_key(|(s, _)| (s.count, s.index));
    out
}

/// Read the journals' run ids (done, failed) of a shard folder.
fn shard_ids(path: &Path) -> (Vec<usize>, Vec<usize>) {
    let ids = |p: PathBuf| -> Vec<usize> {
        fs::read_to_string(p)
            .map(|t| {
                t.lines()
                    .skip(1)
                    .filter(|l| !l.is_empty())
                    .filter_map(|l| l.split(',').next()?.parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    (
        ids(path.join("results.csv")),
        ids(path.join("failures.csv")),
    )
}

pub fn status(dir: &Path) -> Result<Status, RunnerError> {
    let runs = count_design_runs(dir)?;
    let folders = shard_folders(dir);
    let counts: BTreeSet<usize> = folders.iter().map(|(s, _)| s.count).collect();
    if counts.len() > 1 {
        return Err(RunnerError::Invalid(format!(
            "{}: shards of different splits ({:?}) in one folder",
            dir.display(),
            counts
        )));
    }
    let shard_count = counts.into_iter().next();
    let mut seen = vec![0u32; runs];
    let mut failed = 0;
    let mut complete = Vec::new();
    for (s, path) in &folders {
        let (ok, bad) = shard_ids(path);
        failed += bad.len();
        for i in ok.iter().chain(&bad) {
            if *i < runs {
                seen[*i] += 1;
            }
        }
        if path.join("shard.json").exists() {
            complete.push(s.index);
        }
    }
    let missing_runs: Vec<usize> = (0..runs).filter(|&i| seen[i] == 0).collect();
    let duplicated_runs: Vec<usize> = (0..runs).filter(|&i| seen[i] > 1).collect();
    let missing_shards = match shard_count {
        Some(n) => (0..n).filter(|i| !complete.contains(i)).collect(),
        None => Vec::new(),
    };
    Ok(Status {
        runs,
        done: seen.iter().filter(|&&c| c > 0).count(),
        failed,
        shard_count,
        complete_shards: complete,
        missing_shards,
        missing_runs,
        duplicated_runs,
    })
}

/// Merge complete shards into `results.csv` and `failures.csv`, refusing
/// while anything is missing or duplicated.
pub fn merge(dir: &Path) -> Result<Status, RunnerError> {
    let st = status(dir)?;
    if st.shard_count.is_none() {
        return Err(RunnerError::Invalid(format!(
            "{}: no shards to merge",
            dir.display()
        )));
    }
    if !st.missing_shards.is_empty() || !st.missing_runs.is_empty() {
        return Err(RunnerError::Invalid(format!(
            "{}: cannot merge: shards {:?} are not complete ({} of {} runs missing); resubmit with {}",
            dir.display(),
            st.missing_shards,
            st.missing_runs.len(),
            st.runs,
            st.array_spec().unwrap_or_default()
        )));
    }
    if !st.duplicated_runs.is_empty() {
        return Err(RunnerError::Invalid(format!(
            "{}: cannot merge: runs {:?} appear twice",
            dir.display(),
            &st.duplicated_runs[..st.duplicated_runs.len().min(10)]
        )));
    }
    let folders = shard_folders(dir);
    for (file, header_from) in [("results.csv", true), ("failures.csv", false)] {
        let mut header: Option<String> = None;
        write_atomic(&dir.join(file), |w| {
            for (_, path) in &folders {
                let text = fs::read_to_string(path.join(file))?;
                let mut lines = text.lines();
                let h = lines.next().unwrap_or_default().to_string();
                if header.is_none() {
                    writeln!(w, "{h}")?;
                    header = Some(h);
                }
                for l in lines.filter(|l| !l.is_empty()) {
                    writeln!(w, "{l}")?;
                }
            }
            let _ = header_from;
            Ok(())
        })?;
    }
    write_string(
        &dir.join("merged.json"),
        &format!("{{\"runs\": {}, \"failed\": {}}}\n", st.runs, st.failed),
    )?;
    Ok(st)
}

/// Read merged results: per run id, the metric values (None for failures).
pub fn read_results(dir: &Path, exp: &Experiment) -> Result<Vec<Option<Vec<f64>>>, RunnerError> {
    let path = dir.join("results.csv");
    let text = fs::read_to_string(&path).map_err(|e| RunnerError::Io {
        path: path.clone(),
        source: e,
    })?;
    let mut out = vec![None; exp.n_runs()];
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    for rec in rdr.records() {
        let rec = rec.map_err(|e| RunnerError::Invalid(format!("{}: {e}", path.display())))?;
        let id: usize = rec[0]
            .parse()
            .map_err(|_| RunnerError::Invalid(format!("{}: bad run id", path.display())))?;
        let vals: Vec<f64> = (5..rec.len())
            .map(|j| rec[j].parse().unwrap_or(f64::NAN))
            .collect();
        if id < out.len() {
            out[id] = Some(vals);
        }
    }
    Ok(out)
}

/// Options of `sweep` and `sensitivity`.
#[derive(Clone, Debug, Default)]
pub struct SweepOptions {
    pub out: Option<PathBuf>,
    pub shard: Option<Shard>,
    pub threads: Option<usize>,
    pub force: bool,
    pub command: String,
}

/// What a sweep did.
pub struct SweepOutcome {
    pub dir: PathBuf,
    pub runs: usize,
    pub ran_now: usize,
    pub failed: usize,
    pub merged: bool,
    pub wall_seconds: f64,
    pub threads: usize,
}

#[derive(Serialize)]
struct ExperimentManifest<'a> {
    engine_version: &'a str,
    model_version: &'a str,
    command: &'a str,
    experiment: &'a Experiment,
    experiment_hash: &'a str,
    runs: usize,
    shard: Option<Shard>,
    host: String,
    threads: usize,
    started: String,
    finished: String,
    wall_seconds: f64,
}

/// The shard to run: the option, else Slurm's array task id. The number of
/// shards is the split already laid out in the folder (by `channelsim
/// slurm`), else SLURM_ARRAY_TASK_COUNT: a resubmitted `--array=2` has a
/// task count of 1, which must not redefine the split.
pub fn shard_from_env(opt: Option<Shard>, dir: &Path) -> Result<Option<Shard>, RunnerError> {
    if opt.is_some() {
        return Ok(opt);
    }
    let Ok(i) = std::env::var("SLURM_ARRAY_TASK_ID") else {
        return Ok(None);
    };
    let counts: BTreeSet<usize> = shard_folders(dir).iter().map(|(s, _)| s.count).collect();
    let n = match counts.len() {
        1 => counts.into_iter().next().unwrap_or(1).to_string(),
        _ => std::env::var("SLURM_ARRAY_TASK_COUNT").map_err(|_| {
            RunnerError::Invalid(
                "SLURM_ARRAY_TASK_ID is set but the number of shards is unknown: pass --shard I/N"
                    .into(),
            )
        })?,
    };
    Ok(Some(Shard::parse(&format!("{i}/{n}"))?))
}

/// Save the experiment's sources in its folder, for `merge`.
pub fn save_sources(exp: &Experiment, dir: &Path) -> Result<(), RunnerError> {
    crate::job::write_json(&dir.join("experiment.json"), &exp.sources())
}

/// Merge the shards and, with the saved sources, run the analyses.
pub fn merge_and_analyse(dir: &Path) -> Result<Status, RunnerError> {
    let st = merge(dir)?;
    let path = dir.join("experiment.json");
    if let Ok(text) = fs::read_to_string(&path) {
        let saved: crate::experiment::SavedSources = serde_json::from_str(&text)
            .map_err(|e| RunnerError::Invalid(format!("{}: {e}", path.display())))?;
        let exp = Experiment::from_saved(&saved)?;
        analyse(&exp, dir)?;
    }
    Ok(st)
}

/// Run a sweep (or one shard of it); without a shard, merge and analyse.
pub fn sweep_job(
    exp: &Experiment,
    opts: &SweepOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<SweepOutcome, RunnerError> {
    let started = std::time::SystemTime::now();
    let clock = std::time::Instant::now();
    let dir = opts
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&exp.name));
    let threads = crate::job::thread_count(opts.threads);
    fs::create_dir_all(&dir).map_err(|e| RunnerError::Io {
        path: dir.clone(),
        source: e,
    })?;
    // A folder holds one experiment: resume it, or refuse another one.
    let stamp = dir.join("experiment.hash");
    match fs::read_to_string(&stamp) {
        Ok(h) if h.trim() == exp.hash => {}
        Ok(_) if !opts.force => {
            return Err(RunnerError::Invalid(format!(
                "{}: holds the results of another experiment; pass --force or another --out",
                dir.display()
            )));
        }
        Ok(_) => {
            let _ = fs::remove_dir_all(dir.join("shards"));
            write_string(&stamp, &format!("{}\n", exp.hash))?;
        }
        Err(_) => write_string(&stamp, &format!("{}\n", exp.hash))?,
    }
    let shard = shard_from_env(opts.shard, &dir)?;
    save_sources(exp, &dir)?;
    let (ran_now, failed) = run_shard(exp, &dir, shard.unwrap_or(Shard::ALL), threads, progress)?;
    let merged = shard.is_none();
    if merged {
        merge(&dir)?;
        analyse(exp, &dir)?;
    }
    let manifest = ExperimentManifest {
        engine_version: channelsim_core::ENGINE_VERSION,
        model_version: channelsim_core::MODEL_VERSION,
        command: &opts.command,
        experiment: exp,
        experiment_hash: &exp.hash,
        runs: exp.n_runs(),
        shard,
        host: crate::job::host_name(),
        threads,
        started: humantime::format_rfc3339_seconds(started).to_string(),
        finished: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        wall_seconds: clock.elapsed().as_secs_f64(),
    };
    let name = match shard {
        Some(s) => shard_dir(&dir, s).join("manifest.json"),
        None => dir.join("manifest.json"),
    };
    crate::job::write_json(&name, &manifest)?;
    Ok(SweepOutcome {
        dir,
        runs: exp.n_runs(),
        ran_now,
        failed,
        merged,
        wall_seconds: clock.elapsed().as_secs_f64(),
        threads,
    })
}

/// After a merge: the regret table (several variants) and sensitivity
/// indices (Sobol and Morris designs).
pub fn analyse(exp: &Experiment, dir: &Path) -> Result<(), RunnerError> {
    let results = read_results(dir, exp)?;
    if let Some(r) = crate::analysis::regret(exp, &results) {
        crate::job::write_json(&dir.join("regret.json"), &r)?;
    }
    if matches!(
        exp.method,
        crate::experiment::Method::Sobol | crate::experiment::Method::Morris
    ) {
        let s = crate::analysis::sensitivity(exp, &results)?;
        crate::job::write_json(&dir.join("sensitivity.json"), &s)?;
    }
    Ok(())
}
