//! Sweeps: the experiment's runs, in parallel, streamed to disk batch by
//! batch in run order, resumable, and sliceable into shards for a cluster.
//!
//! Layout of an experiment folder:
//! - `design.csv`: every run (run_id, point_id, variant, replicate, seed, factors);
//! - `shards/<I>-of-<N>/results.csv`, `failures.csv`: a shard's journal,
//!   appended one batch at a time, in run order; `shard.json` is written
//!   (atomically) only when the shard is complete;
//! - `results.csv`, `failures.csv`: the merged results, in run order, written
//!   atomically by `merge` (a sweep without `--shard` merges itself);
//! - `fingerprint.json`: what the results depend on (base scenario, every
//!   override, design, seeds, engine); resume and merge refuse a folder or
//!   shard whose fingerprint differs;
//! - `.channelsim.lock`: held by the process writing the folder (a sweep)
//!   or a shard folder (a shard), see [`crate::lock`].
//!
//! Because every run is deterministic and rows are kept in run order, the
//! merged files are byte-identical however the work was split, resumed or
//! threaded.

use crate::RunnerError;
use crate::atomic::{write_atomic, write_string};
use crate::exec::MarketCache;
use crate::experiment::{Experiment, Fingerprint};
use crate::lock::Lock;
use crate::results::{csv_field, metric};
use channelsim_core::metrics::Last;
use channelsim_core::{MarketInputs, run_on};
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
        let err = || RunnerError::BadArgument {
            arg: format!("--shard {s:?}"),
            message: "expected I/N with 0 <= I < N, e.g. 3/16".into(),
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
#[serde(deny_unknown_fields)]
pub struct ShardRecord {
    pub shard: Shard,
    pub first_run: usize,
    pub end_run: usize,
    pub experiment_hash: String,
    /// What the shard's results depend on; merge refuses a shard whose
    /// fingerprint is not the folder's.
    pub fingerprint: Fingerprint,
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

/// Bytes of markets a sweep keeps for its later runs (at most an eighth
/// of the memory available): the runs of a replicate meet the same market
/// at every point and variant that leave the cities and need weights
/// alone, and drawing it is most of a small run's time.
const SWEEP_MARKETS: u64 = 256 << 20;

/// One run: its result line, or its error.
fn run_one(exp: &Experiment, i: usize, markets: &MarketCache) -> Result<String, String> {
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
        let market = markets.get(MarketInputs::of(&sc, id.replicate));
        run_on(&sc, &market, &mut last);
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
    let cells = crate::results::metric_cells(row, &exp.metrics);
    for (m, cell) in exp.metrics.iter().zip(cells) {
        let x = metric(row, m);
        if !x.is_finite() {
            // An overflow somewhere in the model: an error, not an empty
            // cell, naming what this point sets.
            return Err(format!(
                "{m} is not a finite number ({x}): an input is too large for the model; this point sets {}",
                point_settings(exp, id.point)
            ));
        }
        line.push(',');
        line.push_str(&cell);
    }
    Ok(line)
}

/// The factor settings of a point, for messages.
fn point_settings(exp: &Experiment, point: usize) -> String {
    let s: Vec<String> = exp
        .factors
        .iter()
        .zip(&exp.points[point])
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut out = if s.is_empty() {
        "no factor".to_string()
    } else {
        s.join(", ")
    };
    if !exp.sets.is_empty() {
        out.push_str(&format!(" (overrides: {})", exp.sets.join(", ")));
    }
    out
}

/// A journal checked line by line: the run ids of its valid prefix, the
/// length of that prefix in bytes, and the first bad line, if any.
#[derive(Debug)]
pub struct Journal {
    pub ids: Vec<usize>,
    pub valid_bytes: usize,
    /// 1-based line number and what is wrong with it.
    pub bad: Option<(usize, String)>,
}

/// What a journal's lines must be.
pub enum JournalKind<'a> {
    /// `results.csv`: as many fields as the header; the run's point,
    /// variant and replicate when the experiment is known; numbers.
    Results(Option<&'a Experiment>),
    /// `failures.csv`: run id and error.
    Failures,
}

/// Check a journal's text: the header, then lines of runs in `range`, in
/// increasing run order, each well formed. A torn last line (no newline)
/// is not valid either. Everything from the first bad line on is to be
/// redone.
pub fn check_journal(
    text: &[u8],
    header: &str,
    kind: &JournalKind<'_>,
    range: std::ops::Range<usize>,
) -> Journal {
    let mut j = Journal {
        ids: Vec::new(),
        valid_bytes: 0,
        bad: None,
    };
    let n_fields = header.split(',').count();
    let mut pos = 0;
    let mut line_no = 0;
    let mut last: Option<usize> = None;
    while pos < text.len() {
        line_no += 1;
        let Some(nl) = text[pos..].iter().position(|&b| b == b'\n') else {
            j.bad = Some((line_no, "torn line (no line end)".into()));
            break;
        };
        let line = &text[pos..pos + nl];
        let why = match std::str::from_utf8(line) {
            Err(_) => Some("not UTF-8".to_string()),
            Ok(l) if line_no == 1 => (l != header).then(|| "not the expected header".into()),
            Ok(l) => check_line(l, n_fields, kind, &range, last).map_or_else(Some, |id| {
                last = Some(id);
                j.ids.push(id);
                None
            }),
        };
        if let Some(w) = why {
            j.bad = Some((line_no, w));
            break;
        }
        pos += nl + 1;
        j.valid_bytes = pos;
    }
    j
}

/// The run id of a valid journal line, or what is wrong with it.
fn check_line(
    line: &str,
    n_fields: usize,
    kind: &JournalKind<'_>,
    range: &std::ops::Range<usize>,
    last: Option<usize>,
) -> Result<usize, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    let rec = match rdr.records().next() {
        Some(Ok(r)) => r,
        _ => return Err("not a CSV line".into()),
    };
    let id: usize = rec.get(0).and_then(|s| s.parse().ok()).ok_or("no run id")?;
    if !range.contains(&id) {
        return Err(format!("run {id} is not one of this shard's runs"));
    }
    if last.is_some_and(|l| id <= l) {
        return Err(format!("run {id} out of order or twice"));
    }
    match kind {
        JournalKind::Failures => {
            if rec.len() != 2 {
                return Err("a failure line has run id and error".into());
            }
        }
        JournalKind::Results(exp) => {
            if rec.len() != n_fields {
                return Err(format!("{} fields, not {n_fields}", rec.len()));
            }
            if let Some(exp) = exp {
                let r = exp.run_id(id);
                if rec.get(1) != Some(r.point.to_string().as_str())
                    || rec.get(2) != Some(exp.variants[r.variant].as_str())
                    || rec.get(3) != Some(r.replicate.to_string().as_str())
                {
                    return Err(format!("run {id}'s point, variant or replicate is wrong"));
                }
            }
            for f in rec.iter().skip(5) {
                if !f.parse::<f64>().is_ok_and(f64::is_finite) {
                    return Err(format!("{f:?} is not a finite number"));
                }
            }
        }
    }
    Ok(id)
}

/// The valid run ids of a journal, after cutting it to its valid prefix
/// (a torn or damaged tail is redone); a missing or empty journal is
/// started with its header.
fn repair_journal(
    path: &Path,
    header: &str,
    kind: &JournalKind<'_>,
    range: std::ops::Range<usize>,
) -> Result<BTreeSet<usize>, RunnerError> {
    let io = |e| RunnerError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(io(e)),
    };
    let j = check_journal(&bytes, header, kind, range);
    if j.valid_bytes == 0 {
        fs::write(path, format!("{header}\n")).map_err(io)?;
        return Ok(BTreeSet::new());
    }
    if j.valid_bytes < bytes.len() {
        let f = OpenOptions::new().write(true).open(path).map_err(io)?;
        f.set_len(j.valid_bytes as u64).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    Ok(j.ids.into_iter().collect())
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
    let _lock = Lock::acquire(&sdir)?;
    // The shard is complete again only when this run finishes.
    let record_path = sdir.join("shard.json");
    if record_path.exists() {
        fs::remove_file(&record_path).map_err(|e| RunnerError::Io {
            path: record_path.clone(),
            source: e,
        })?;
    }
    let header = results_header(exp);
    let results = sdir.join("results.csv");
    let failures = sdir.join("failures.csv");
    check_shard_fingerprint(exp, &sdir, &results, &failures)?;
    write_design(dir, exp)?;
    let range = shard.range(exp.n_runs());
    let done = repair_journal(
        &results,
        &header,
        &JournalKind::Results(Some(exp)),
        range.clone(),
    )?;
    let failed = repair_journal(
        &failures,
        FAILURES_HEADER,
        &JournalKind::Failures,
        range.clone(),
    )?;
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
    let avail = crate::exec::memory_available().unwrap_or(u64::MAX);
    let markets = MarketCache::new(SWEEP_MARKETS.min(avail / 8));
    crate::job::with_pool(threads, || -> Result<(), RunnerError> {
        for chunk in pending.chunks(batch) {
            let out: Vec<(usize, Result<String, String>)> = chunk
                .par_iter()
                .map(|&i| {
                    let r = run_one(exp, i, &markets);
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
                        .map(|e| format!("{i},{}", csv_field(&e.replace(['\n', '\r'], " "))))
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
        fingerprint: exp.fingerprint.clone(),
        host: crate::job::host_name(),
        threads,
        started: humantime::format_rfc3339_seconds(started).to_string(),
        finished: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        wall_seconds: clock.elapsed().as_secs_f64(),
    };
    crate::job::write_json(&record_path, &record)?;
    Ok((pending.len(), n_failed))
}

const FAILURES_HEADER: &str = "run_id,error";

/// A shard folder's journals are resumed only by the experiment that
/// wrote them: its fingerprint is written beside them before the first
/// run, and a shard folder of another experiment (copied in, say) or one
/// with results but no fingerprint is refused.
fn check_shard_fingerprint(
    exp: &Experiment,
    sdir: &Path,
    results: &Path,
    failures: &Path,
) -> Result<(), RunnerError> {
    let path = sdir.join(FINGERPRINT);
    let remove = format!(
        "remove {} to run the shard afresh, or pass --force to start the whole folder afresh",
        sdir.display()
    );
    match fs::read_to_string(&path) {
        Ok(t) => {
            let fp: Fingerprint = serde_json::from_str(&t).map_err(|e| RunnerError::BadShard {
                path: path.clone(),
                what: format!("not a fingerprint ({e}); {remove}"),
            })?;
            let diff = fp.differences(&exp.fingerprint);
            if !diff.is_empty() {
                return Err(RunnerError::BadShard {
                    path,
                    what: format!(
                        "the shard holds results of another experiment: {}; {remove}",
                        diff.join("; ")
                    ),
                });
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let has_rows =
                |p: &Path| fs::read(p).is_ok_and(|b| b.iter().filter(|&&c| c == b'\n').count() > 1);
            if has_rows(results) || has_rows(failures) {
                return Err(RunnerError::BadShard {
                    path,
                    what: format!(
                        "missing, but the shard has results: they cannot be checked against this experiment; {remove}"
                    ),
                });
            }
            crate::job::write_json(&path, &exp.fingerprint)
        }
        Err(e) => Err(RunnerError::Io { path, source: e }),
    }
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
    /// Shards whose journal has a bad line: the file, line and why. Their
    /// runs from that line on count as missing.
    pub damaged: Vec<Damage>,
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
                && index < count
            {
                out.push((Shard { index, count }, e.path()));
            }
        }
    }
    out.sort_by_key(|(s, _)| (s.count, s.index));
    out
}

/// The experiment saved in a folder, if it can be rebuilt.
fn saved_experiment(dir: &Path) -> Option<Experiment> {
    let text = fs::read_to_string(dir.join("experiment.json")).ok()?;
    let saved: crate::experiment::SavedSources = serde_json::from_str(&text).ok()?;
    Experiment::from_saved(&saved).ok()
}

/// A damaged journal: its file, the 1-based line and what is wrong.
pub type Damage = (PathBuf, usize, String);

/// The journals of a shard folder, checked: (done, failed, first damage).
fn shard_journals(
    path: &Path,
    shard: Shard,
    runs: usize,
    exp: Option<&Experiment>,
) -> (Vec<usize>, Vec<usize>, Option<Damage>) {
    let range = shard.range(runs);
    let mut damage = None;
    let mut read = |file: &str, header: Option<String>, kind: JournalKind<'_>| {
        let p = path.join(file);
        let Ok(bytes) = fs::read(&p) else {
            return Vec::new();
        };
        // Without the experiment, the journal's own header is trusted.
        let header = header.unwrap_or_else(|| {
            String::from_utf8_lossy(bytes.split(|&b| b == b'\n').next().unwrap_or_default())
                .into_owned()
        });
        let j = check_journal(&bytes, &header, &kind, range.clone());
        if let Some((line, why)) = j.bad
            && damage.is_none()
        {
            damage = Some((p, line, why));
        }
        j.ids
    };
    let ok = read(
        "results.csv",
        exp.map(results_header),
        JournalKind::Results(exp),
    );
    let bad = read(
        "failures.csv",
        Some(FAILURES_HEADER.into()),
        JournalKind::Failures,
    );
    (ok, bad, damage)
}

pub fn status(dir: &Path) -> Result<Status, RunnerError> {
    let runs = count_design_runs(dir)?;
    let folders = shard_folders(dir);
    let counts: BTreeSet<usize> = folders.iter().map(|(s, _)| s.count).collect();
    if counts.len() > 1 {
        return Err(RunnerError::Folder {
            dir: dir.to_path_buf(),
            message: format!("shards of different splits ({:?}) in one folder", counts),
        });
    }
    let exp = saved_experiment(dir);
    let shard_count = counts.into_iter().next();
    let mut seen = vec![0u32; runs];
    let mut failed = 0;
    let mut complete = Vec::new();
    let mut damaged = Vec::new();
    for (s, path) in &folders {
        let (ok, bad, damage) = shard_journals(path, *s, runs, exp.as_ref());
        failed += bad.len();
        for i in ok.iter().chain(&bad) {
            if *i < runs {
                seen[*i] += 1;
            }
        }
        match damage {
            Some(d) => damaged.push(d),
            None => {
                if path.join("shard.json").exists() {
                    complete.push(s.index);
                }
            }
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
        damaged,
    })
}

/// The fingerprint a folder records.
fn folder_fingerprint(dir: &Path) -> Result<Option<Fingerprint>, RunnerError> {
    let path = dir.join(FINGERPRINT);
    match fs::read_to_string(&path) {
        Ok(t) => serde_json::from_str(&t)
            .map(Some)
            .map_err(|e| RunnerError::BadShard {
                path: path.clone(),
                what: format!(
                    "not a fingerprint ({e}); the folder cannot be checked: pass --force to start afresh"
                ),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(RunnerError::Io { path, source: e }),
    }
}

/// File of a results folder naming what its results depend on.
pub const FINGERPRINT: &str = "fingerprint.json";

/// Check every shard of a folder against the folder's fingerprint: its
/// record parses in full, is of this folder's experiment and covers the
/// runs its name says.
fn check_shards(dir: &Path, runs: usize) -> Result<Fingerprint, RunnerError> {
    let Some(fp) = folder_fingerprint(dir)? else {
        return Err(RunnerError::BadShard {
            path: dir.join(FINGERPRINT),
            what: "missing: the folder was not written by a sweep of this channelsim, so its shards cannot be checked".into(),
        });
    };
    for (s, path) in shard_folders(dir) {
        let rp = path.join("shard.json");
        let Ok(text) = fs::read_to_string(&rp) else {
            continue; // incomplete: reported as missing
        };
        let rec: ShardRecord = serde_json::from_str(&text).map_err(|e| RunnerError::BadShard {
            path: rp.clone(),
            what: format!(
                "not a complete shard record ({e}); remove {} and run the shard again",
                path.display()
            ),
        })?;
        let range = s.range(runs);
        if rec.shard != s || rec.first_run != range.start || rec.end_run != range.end {
            return Err(RunnerError::BadShard {
                path: rp,
                what: format!(
                    "records shard {}/{} of runs {}..{}, but this folder's shard {}/{} has runs {}..{}: the shard was copied from another folder or split; remove {} and run the shard again",
                    rec.shard.index,
                    rec.shard.count,
                    rec.first_run,
                    rec.end_run,
                    s.index,
                    s.count,
                    range.start,
                    range.end,
                    path.display()
                ),
            });
        }
        let diff = rec.fingerprint.differences(&fp);
        if !diff.is_empty() {
            return Err(RunnerError::BadShard {
                path: rp,
                what: format!(
                    "the shard belongs to another experiment: {}; remove {} and run the shard again",
                    diff.join("; "),
                    path.display()
                ),
            });
        }
    }
    Ok(fp)
}

/// Merge complete shards into `results.csv` and `failures.csv`, refusing
/// while anything is missing, duplicated, damaged or foreign.
pub fn merge(dir: &Path) -> Result<Status, RunnerError> {
    let st = status(dir)?;
    let Some(n) = st.shard_count else {
        return Err(RunnerError::Folder {
            dir: dir.to_path_buf(),
            message: "no shards to merge (no shards/<I>-of-<N> folders); run `channelsim sweep` into it first".into(),
        });
    };
    check_shards(dir, st.runs)?;
    // A shard that says it is complete but whose journal is damaged first:
    // a torn line in an unfinished shard is only a kill's trace.
    let damage = |d: &Damage| RunnerError::BadShard {
        path: d.0.clone(),
        what: format!(
            "line {}: {}; run the shard again (the same sweep command with its --shard) to redo the runs from there",
            d.1, d.2
        ),
    };
    if let Some(d) = st
        .damaged
        .iter()
        .find(|d| d.0.parent().is_some_and(|p| p.join("shard.json").exists()))
    {
        return Err(damage(d));
    }
    if !st.missing_shards.is_empty() {
        return Err(RunnerError::Folder {
            dir: dir.to_path_buf(),
            message: format!(
                "cannot merge: shards {:?} are not complete ({} of {} runs missing); run them with `channelsim sweep ... --shard I/{n}`, or on Slurm resubmit with sbatch {} {}",
                st.missing_shards,
                st.missing_runs.len(),
                st.runs,
                st.array_spec().unwrap_or_default(),
                dir.join(crate::slurm::ARRAY_SCRIPT).display()
            ),
        });
    }
    if let Some(d) = st.damaged.first() {
        return Err(damage(d));
    }
    if !st.missing_runs.is_empty() {
        return Err(RunnerError::Folder {
            dir: dir.to_path_buf(),
            message: format!(
                "cannot merge: {} of {} runs missing although every shard is complete; run the sweep into this folder again to redo them",
                st.missing_runs.len(),
                st.runs,
            ),
        });
    }
    if !st.duplicated_runs.is_empty() {
        return Err(RunnerError::Folder {
            dir: dir.to_path_buf(),
            message: format!(
                "cannot merge: runs {:?} appear twice",
                &st.duplicated_runs[..st.duplicated_runs.len().min(10)]
            ),
        });
    }
    let folders = shard_folders(dir);
    for file in ["results.csv", "failures.csv"] {
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
        let bad = |message: String| RunnerError::Folder {
            dir: path.clone(),
            message,
        };
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let id: usize = rec[0]
            .parse()
            .map_err(|_| bad(format!("bad run id {:?}", &rec[0])))?;
        let vals: Vec<f64> = (5..rec.len())
            .map(|j| rec[j].parse().unwrap_or(f64::NAN))
            .collect();
        if id < out.len() {
            out[id] = Some(vals);
        }
    }
    Ok(out)
}

/// The failures of a folder's `failures.csv` against what the experiment
/// allows: `Err` when no run succeeded, or more failed than allowed.
pub fn check_failures(
    exp: &Experiment,
    path: &Path,
    failed: usize,
    runs: usize,
    whole: bool,
) -> Result<(), RunnerError> {
    if exp.failures_allowed.allows(failed, runs, whole) {
        return Ok(());
    }
    let text = fs::read_to_string(path).unwrap_or_default();
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let mut first = Vec::new();
    let mut first_error = String::new();
    for rec in rdr.records().flatten() {
        if first.len() < 10
            && let Some(id) = rec.get(0).and_then(|s| s.parse().ok())
        {
            first.push(id);
        }
        if first_error.is_empty() {
            first_error = rec.get(1).unwrap_or_default().to_string();
        }
    }
    Err(RunnerError::RunsFailed(crate::error::RunsFailed {
        failed,
        runs,
        path: path.to_path_buf(),
        first,
        first_error,
    }))
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
    failed: usize,
    shard: Option<Shard>,
    host: String,
    threads: usize,
    started: String,
    finished: String,
    wall_seconds: f64,
}

fn write_manifest(
    exp: &Experiment,
    path: &Path,
    command: &str,
    shard: Option<Shard>,
    threads: usize,
    failed: usize,
    (started, clock): (std::time::SystemTime, std::time::Instant),
) -> Result<(), RunnerError> {
    let manifest = ExperimentManifest {
        engine_version: channelsim_core::ENGINE_VERSION,
        model_version: channelsim_core::MODEL_VERSION,
        command,
        experiment: exp,
        experiment_hash: &exp.hash,
        runs: exp.n_runs(),
        failed,
        shard,
        host: crate::job::host_name(),
        threads,
        started: humantime::format_rfc3339_seconds(started).to_string(),
        finished: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        wall_seconds: clock.elapsed().as_secs_f64(),
    };
    crate::job::write_json(path, &manifest)
}

/// The shard to run: the option, else the array task's (`task_id`, from
/// SLURM_ARRAY_TASK_ID, read by the caller). The number of shards is the
/// split already laid out in the folder (by `channelsim slurm`), else
/// `task_count` (SLURM_ARRAY_TASK_COUNT): a resubmitted `--array=2` has a
/// task count of 1, which must not redefine the split.
pub fn shard_for_task(
    opt: Option<Shard>,
    dir: &Path,
    task_id: Option<&str>,
    task_count: Option<&str>,
) -> Result<Option<Shard>, RunnerError> {
    if opt.is_some() {
        return Ok(opt);
    }
    let Some(i) = task_id else {
        return Ok(None);
    };
    let counts: BTreeSet<usize> = shard_folders(dir).iter().map(|(s, _)| s.count).collect();
    let n = match counts.len() {
        1 => counts.into_iter().next().unwrap_or(1).to_string(),
        _ => task_count.map(str::to_string).ok_or_else(|| {
            RunnerError::BadArgument {
                arg: format!("SLURM_ARRAY_TASK_ID={i}"),
                message: "the number of shards is unknown (no SLURM_ARRAY_TASK_COUNT, no shards in the folder): pass --shard I/N".into(),
            }
        })?,
    };
    Ok(Some(Shard::parse(&format!("{i}/{n}"))?))
}

/// Save the experiment's sources in its folder, for `merge`.
pub fn save_sources(exp: &Experiment, dir: &Path) -> Result<(), RunnerError> {
    crate::job::write_json(&dir.join("experiment.json"), &exp.sources())
}

/// Get a folder ready to hold `exp`'s results: a new or empty folder is
/// stamped with the experiment's fingerprint; a folder with the same
/// fingerprint is resumed; a results folder of something else is refused,
/// naming what differs, unless `force` (which empties it); a non-empty
/// folder that is not a results folder is always refused.
pub fn prepare_folder(exp: &Experiment, dir: &Path, force: bool) -> Result<(), RunnerError> {
    let io = |e| RunnerError::Io {
        path: dir.to_path_buf(),
        source: e,
    };
    if dir.exists() {
        let entries: Vec<fs::DirEntry> = fs::read_dir(dir)
            .map_err(io)?
            .flatten()
            .filter(|e| e.file_name() != crate::lock::LOCK_FILE)
            .collect();
        let legacy = dir.join("experiment.hash").exists();
        let fp = folder_fingerprint(dir);
        let is_results = legacy || !matches!(fp, Ok(None));
        if !entries.is_empty() && !is_results {
            return Err(RunnerError::NotResults(dir.to_path_buf()));
        }
        let what = match fp {
            Ok(Some(fp)) => {
                let diff = fp.differences(&exp.fingerprint);
                (!diff.is_empty())
                    .then(|| format!("holds results of another experiment: {}", diff.join("; ")))
            }
            Ok(None) if legacy => Some(
                "holds results written by an older channelsim, without a fingerprint to check them by"
                    .into(),
            ),
            Ok(None) => None,
            Err(e) => Some(e.to_string()),
        };
        if let Some(what) = what {
            if !force {
                return Err(RunnerError::Mismatch {
                    dir: dir.to_path_buf(),
                    what,
                });
            }
            for e in entries {
                let p = e.path();
                let r = if p.is_dir() && !p.is_symlink() {
                    fs::remove_dir_all(&p)
                } else {
                    fs::remove_file(&p)
                };
                r.map_err(|e| RunnerError::Io { path: p, source: e })?;
            }
        }
    }
    fs::create_dir_all(dir).map_err(io)?;
    crate::job::write_json(&dir.join(FINGERPRINT), &exp.fingerprint)
}

/// Merge the shards and, with the saved sources, run the analyses.
pub fn merge_and_analyse(dir: &Path) -> Result<Status, RunnerError> {
    let started = std::time::SystemTime::now();
    let clock = std::time::Instant::now();
    if !dir.join(FINGERPRINT).exists() && !dir.join("shards").exists() {
        return Err(RunnerError::Folder {
            dir: dir.to_path_buf(),
            message: format!("not a sweep folder (no {FINGERPRINT}, no shards/)",),
        });
    }
    let _lock = Lock::acquire(dir)?;
    let st = merge(dir)?;
    let path = dir.join("experiment.json");
    if let Ok(text) = fs::read_to_string(&path) {
        let saved: crate::experiment::SavedSources =
            serde_json::from_str(&text).map_err(|e| RunnerError::Folder {
                dir: path.clone(),
                message: format!("not the saved sources of an experiment: {e}"),
            })?;
        let exp = Experiment::from_saved(&saved)?;
        write_manifest(
            &exp,
            &dir.join("manifest.json"),
            &format!("channelsim merge {}", dir.display()),
            None,
            1,
            st.failed,
            (started, clock),
        )?;
        check_failures(&exp, &dir.join("failures.csv"), st.failed, st.runs, true)?;
        analyse(&exp, dir)?;
    }
    Ok(st)
}

/// Run a sweep (or one shard of it); without a shard, merge and analyse.
/// Fails (after writing what it could) when runs failed beyond what the
/// experiment allows.
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
    let threads = crate::guard::threads(opts.threads)?;
    let runs = exp.n_runs();
    if let Some(s) = opts.shard
        && s.count > runs
    {
        return Err(RunnerError::BadArgument {
            arg: format!("--shard {}/{}", s.index, s.count),
            message: format!("the experiment has only {runs} runs, so at most {runs} shards"),
        });
    }
    // Every point this process runs, against the schema, before any run.
    let mine = opts.shard.map_or(0..runs, |s| s.range(runs));
    if let Some(largest) = exp.validate_points(exp.points_of(mine.clone()))? {
        crate::job::check_memory(&exp.file, &[largest], threads, mine.len())?;
    }
    // A whole sweep locks the folder (it merges into it); a shard locks
    // only its shard folder, so that an array's tasks run side by side.
    let _lock = match opts.shard {
        None => {
            fs::create_dir_all(&dir).map_err(|e| RunnerError::Io {
                path: dir.clone(),
                source: e,
            })?;
            Some(Lock::acquire(&dir)?)
        }
        Some(_) => None,
    };
    prepare_folder(exp, &dir, opts.force)?;
    let shard = opts.shard;
    save_sources(exp, &dir)?;
    let (ran_now, failed) = run_shard(exp, &dir, shard.unwrap_or(Shard::ALL), threads, progress)?;
    let merged = shard.is_none();
    let (verdict, manifest) = match shard {
        None => {
            let st = merge(&dir)?;
            let v = check_failures(exp, &dir.join("failures.csv"), st.failed, st.runs, true);
            if v.is_ok() {
                analyse(exp, &dir)?;
            }
            (v, dir.join("manifest.json"))
        }
        Some(s) => {
            let sdir = shard_dir(&dir, s);
            let v = check_failures(
                exp,
                &sdir.join("failures.csv"),
                failed,
                s.range(runs).len(),
                false,
            );
            (v, sdir.join("manifest.json"))
        }
    };
    write_manifest(
        exp,
        &manifest,
        &opts.command,
        shard,
        threads,
        failed,
        (started, clock),
    )?;
    verdict?;
    Ok(SweepOutcome {
        dir,
        runs,
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
