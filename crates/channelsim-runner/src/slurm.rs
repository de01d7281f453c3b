//! Slurm job arrays: the two sbatch scripts of a sweep on a cluster, and
//! their submission.
//!
//! - `array.sbatch`: one array task per shard (`--array=0-(N-1)%K`); task I
//!   runs `channelsim sweep EXPERIMENT --out DIR --shard I/N`, packing its
//!   contiguous slice of the runs into `shards/I-of-N/` (see `sweep`);
//! - `merge.sbatch`: `channelsim merge DIR`, submitted with
//!   `--dependency=afterok:<array job id>` so that it starts only when every
//!   task succeeded (then `channelsim report DIR`, whose failure is only a
//!   warning).
//!
//! Both land in the experiment's output folder, next to `logs/` (the tasks'
//! output, `%x_%A_%a.out`). Rendering is pure ([`array_script`],
//! [`merge_script`], [`merge_submit_args`]); [`prepare`] writes the folder
//! and [`sbatch`] submits. Nothing here prints.

use crate::RunnerError;
use crate::atomic::write_string;
use crate::experiment::Experiment;
use crate::sweep::{Shard, shard_dir, write_design};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// File name of the array script in the output folder.
pub const ARRAY_SCRIPT: &str = "array.sbatch";
/// File name of the merge script in the output folder.
pub const MERGE_SCRIPT: &str = "merge.sbatch";
/// Folder (in the output folder) of the jobs' logs.
pub const LOG_DIR: &str = "logs";

/// What the scripts run and ask Slurm for. Paths are absolute.
#[derive(Clone, Debug, PartialEq)]
pub struct SlurmOptions {
    /// The `channelsim` binary the tasks run.
    pub bin: PathBuf,
    /// The experiment file.
    pub experiment: PathBuf,
    /// The experiment's output folder (shards, merged results, scripts, logs).
    pub out: PathBuf,
    /// Folder the tasks start in (where `channelsim slurm` ran), so that the
    /// experiment resolves its base scenario as it did there.
    pub workdir: PathBuf,
    /// Slurm job name of the array (`%x` in log names); the merge job gets
    /// `<job_name>-merge`.
    pub job_name: String,
    /// Array tasks = shards.
    pub tasks: usize,
    /// At most this many tasks at once (`%K`).
    pub throttle: Option<usize>,
    pub partition: Option<String>,
    /// Time limit of each task (and of the merge), in Slurm's syntax.
    pub time: Option<String>,
    /// CPUs of each task; also its `--threads`.
    pub cpus_per_task: usize,
    /// `--set KEY=VALUE` overrides passed to every task.
    pub sets: Vec<String>,
}

/// The scripts as written.
#[derive(Clone, Debug)]
pub struct Scripts {
    pub array: PathBuf,
    pub merge: PathBuf,
    pub logs: PathBuf,
    pub tasks: usize,
    pub runs: usize,
}

/// Why a submission failed.
#[derive(Debug, thiserror::Error)]
pub enum SlurmError {
    #[error("could not run `{program}` (is Slurm installed and on PATH?): {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("`{command}` failed ({status}): {stderr}")]
    Failed {
        command: String,
        status: String,
        stderr: String,
    },
    #[error("`{command}` printed no job id (stdout: {stdout:?})")]
    NoJobId { command: String, stdout: String },
}

/// A Slurm job name from an experiment name: letters, digits, `.`, `_`, `-`.
pub fn job_name(experiment: &str) -> String {
    let clean: String = experiment
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("channelsim-{clean}")
}

/// The value of `--array`: `0-(N-1)`, with `%K` when throttled.
pub fn array_range(tasks: usize, throttle: Option<usize>) -> String {
    let mut s = format!("0-{}", tasks.saturating_sub(1));
    if let Some(k) = throttle {
        s.push_str(&format!("%{k}"));
    }
    s
}

/// Quote a word for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Quote the value of an `#SBATCH` option: sbatch reads these lines itself,
/// splitting on blanks, honouring double quotes and backslashes, and taking
/// `#` outside quotes as the start of a comment.
fn sbatch_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| !c.is_whitespace() && !matches!(c, '"' | '\\' | '#' | '\''));
    if plain {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', r"\\").replace('"', "\\\""))
    }
}

/// A file name pattern for `--output`: `%` is Slurm's substitution mark.
fn log_pattern(dir: &Path, pattern: &str) -> String {
    let dir = dir.join(LOG_DIR).display().to_string().replace('%', "%%");
    format!("{dir}/{pattern}")
}

fn common_directives(o: &SlurmOptions, lines: &mut Vec<String>) {
    if let Some(p) = &o.partition {
        lines.push(format!("#SBATCH --partition={}", sbatch_quote(p)));
    }
    if let Some(t) = &o.time {
        lines.push(format!("#SBATCH --time={}", sbatch_quote(t)));
    }
}

/// The array script: task I of N runs shard I/N.
///
/// The shard count is written as a number, not `$SLURM_ARRAY_TASK_COUNT`:
/// a resubmission of the missing shards (`sbatch --array=2,7 ...`) is an
/// array of 2 tasks, yet its tasks are shards 2 and 7 of the original N.
pub fn array_script(o: &SlurmOptions) -> String {
    let n = o.tasks;
    let mut l = vec![
        "#!/bin/bash".to_string(),
        format!("#SBATCH --job-name={}", sbatch_quote(&o.job_name)),
        format!("#SBATCH --array={}", array_range(n, o.throttle)),
        format!(
            "#SBATCH --output={}",
            sbatch_quote(&log_pattern(&o.out, "%x_%A_%a.out"))
        ),
        "#SBATCH --ntasks=1".to_string(),
        format!("#SBATCH --cpus-per-task={}", o.cpus_per_task),
    ];
    common_directives(o, &mut l);
    l.push(String::new());
    l.push(format!(
        "# Written by `channelsim slurm`: {n} shards of the experiment, one per array task."
    ));
    l.push(format!(
        "# Missing shards: `channelsim status {}` prints --array=LIST; resubmit them with",
        shell_quote(&o.out.display().to_string()),
    ));
    l.push(format!(
        "#   sbatch --array=LIST {}",
        shell_quote(&o.out.join(ARRAY_SCRIPT).display().to_string()),
    ));
    l.push("set -euo pipefail".into());
    l.push(format!(
        "cd {}",
        shell_quote(&o.workdir.display().to_string())
    ));
    let mut cmd = vec![
        "exec".to_string(),
        shell_quote(&o.bin.display().to_string()),
        "sweep".into(),
        shell_quote(&o.experiment.display().to_string()),
        "--out".into(),
        shell_quote(&o.out.display().to_string()),
        "--shard".into(),
        format!("\"$SLURM_ARRAY_TASK_ID/{n}\""),
        "--threads".into(),
        o.cpus_per_task.to_string(),
    ];
    for s in &o.sets {
        cmd.push("--set".into());
        cmd.push(shell_quote(s));
    }
    l.push(cmd.join(" "));
    l.join("\n") + "\n"
}

/// The merge script; submit it with [`merge_submit_args`].
pub fn merge_script(o: &SlurmOptions) -> String {
    let mut l = vec![
        "#!/bin/bash".to_string(),
        format!(
            "#SBATCH --job-name={}",
            sbatch_quote(&format!("{}-merge", o.job_name))
        ),
        format!(
            "#SBATCH --output={}",
            sbatch_quote(&log_pattern(&o.out, "%x_%j.out"))
        ),
        "#SBATCH --ntasks=1".to_string(),
        "#SBATCH --cpus-per-task=1".to_string(),
        // If a task fails, `afterok` can never be met: cancel this job
        // instead of leaving it pending for ever.
        "#SBATCH --kill-on-invalid-dep=yes".to_string(),
    ];
    common_directives(o, &mut l);
    l.push(String::new());
    l.push(
        "# Written by `channelsim slurm`: merges the shards once every array task succeeded."
            .into(),
    );
    l.push(format!(
        "# Submit after the array: sbatch --dependency=afterok:<array job id> {}",
        shell_quote(&o.out.join(MERGE_SCRIPT).display().to_string())
    ));
    l.push("set -euo pipefail".into());
    l.push(format!(
        "cd {}",
        shell_quote(&o.workdir.display().to_string())
    ));
    let (bin, out) = (
        shell_quote(&o.bin.display().to_string()),
        shell_quote(&o.out.display().to_string()),
    );
    l.push(format!("{bin} merge --no-report {out}"));
    // The merged results are what the job is for: a report that cannot be
    // drawn is a warning, not a failed merge.
    l.push(format!(
        "{bin} report {out} || echo \"warning: report.html not written; the merged results are complete\" >&2"
    ));
    l.join("\n") + "\n"
}

/// Arguments of `sbatch` for the array.
pub fn array_submit_args(script: &Path) -> Vec<String> {
    vec!["--parsable".into(), script.display().to_string()]
}

/// Arguments of `sbatch` for the merge, chained after the array job.
pub fn merge_submit_args(array_job: &str, script: &Path) -> Vec<String> {
    vec![
        "--parsable".into(),
        format!("--dependency=afterok:{array_job}"),
        script.display().to_string(),
    ]
}

/// The shell commands that submit both scripts by hand.
pub fn submit_commands(scripts: &Scripts) -> Vec<String> {
    let a = shell_quote(&scripts.array.display().to_string());
    let m = shell_quote(&scripts.merge.display().to_string());
    vec![
        format!("jobid=$(sbatch --parsable {a})"),
        format!("sbatch --dependency=afterok:${{jobid%%;*}} {m}"),
    ]
}

/// The job id in `sbatch --parsable`'s output (`ID` or `ID;CLUSTER`).
pub fn parse_job_id(stdout: &str) -> Option<String> {
    let id = stdout.lines().map(str::trim).rfind(|l| !l.is_empty())?;
    let id = id.split(';').next()?.trim();
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_digit())).then(|| id.to_string())
}

fn check_options(o: &SlurmOptions, runs: usize) -> Result<(), RunnerError> {
    let bad = |arg: String, message: String| Err(RunnerError::BadArgument { arg, message });
    if o.tasks == 0 {
        return bad("--tasks 0".into(), "must be at least 1".into());
    }
    if o.tasks > runs {
        return bad(
            format!("--tasks {}", o.tasks),
            format!("the experiment has only {runs} runs; use at most {runs} tasks"),
        );
    }
    if o.throttle == Some(0) {
        return bad("--throttle 0".into(), "must be at least 1".into());
    }
    if o.cpus_per_task == 0 {
        return bad("--cpus-per-task 0".into(), "must be at least 1".into());
    }
    for (what, v) in [("--partition", &o.partition), ("--time", &o.time)] {
        if let Some(v) = v
            && (v.is_empty() || v.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return bad(format!("{what} {v:?}"), "must be one word".into());
        }
    }
    for (what, p) in [
        ("--bin", &o.bin),
        ("the experiment", &o.experiment),
        ("--out", &o.out),
        ("the working folder", &o.workdir),
    ] {
        let s = p.display().to_string();
        if !p.is_absolute() || s.contains(['\n', '\r']) {
            return bad(
                format!("{what} {s:?}"),
                "needs an absolute path without line breaks".into(),
            );
        }
    }
    if o.out.display().to_string().contains('\\') {
        // Slurm does no %-substitution in an --output with a backslash.
        return bad(
            format!("--out {:?}", o.out.display().to_string()),
            "a backslash in the path breaks Slurm's log names".into(),
        );
    }
    Ok(())
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> RunnerError + '_ {
    move |e| RunnerError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// Get the output folder ready for the array and write both scripts:
/// - a folder holding another experiment (or shards of another split) is
///   refused unless `force`, which discards its shards;
/// - `fingerprint.json` and `design.csv` are written, and one empty folder per
///   shard, so that `channelsim status` lists every shard until it is done,
///   even one whose task never started;
/// - `logs/` is created (Slurm does not create it, and a task whose log
///   cannot be opened fails without a word).
pub fn prepare(exp: &Experiment, o: &SlurmOptions, force: bool) -> Result<Scripts, RunnerError> {
    let runs = exp.n_runs();
    check_options(o, runs)?;
    // Every point now, not in N tasks later.
    exp.validate_points(0..exp.points.len())?;
    let dir = &o.out;
    // Another experiment's results are refused (or, with force, removed),
    // naming what differs; the folder is stamped with the fingerprint.
    crate::sweep::prepare_folder(exp, dir, force)?;
    let shards = dir.join("shards");
    let counts: std::collections::BTreeSet<usize> = fs::read_dir(&shards)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.split_once("-of-")?.1.parse().ok()
        })
        .collect();
    if counts.iter().any(|&n| n != o.tasks) {
        if !force {
            return Err(RunnerError::Folder {
                dir: dir.to_path_buf(),
                message: format!(
                    "holds shards of a split into {} (not {}); use --tasks {} to go on with them, or --force to discard them",
                    counts
                        .iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(" and "),
                    o.tasks,
                    counts.iter().next().copied().unwrap_or(1)
                ),
            });
        }
        fs::remove_dir_all(&shards).map_err(io(&shards))?;
    }
    write_design(dir, exp)?;
    for index in 0..o.tasks {
        let s = shard_dir(
            dir,
            Shard {
                index,
                count: o.tasks,
            },
        );
        fs::create_dir_all(&s).map_err(io(&s))?;
    }
    let logs = dir.join(LOG_DIR);
    fs::create_dir_all(&logs).map_err(io(&logs))?;
    let array = dir.join(ARRAY_SCRIPT);
    let merge = dir.join(MERGE_SCRIPT);
    write_string(&array, &array_script(o))?;
    write_string(&merge, &merge_script(o))?;
    Ok(Scripts {
        array,
        merge,
        logs,
        tasks: o.tasks,
        runs,
    })
}

/// Run `sbatch ARGS` (the first `sbatch` on PATH) and return the job id it
/// prints (ARGS should hold `--parsable`).
pub fn sbatch(args: &[String]) -> Result<String, SlurmError> {
    let program = "sbatch".to_string();
    let command = format!("{program} {}", args.join(" "));
    let out = Command::new(&program)
        .args(args)
        .output()
        .map_err(|source| SlurmError::Spawn {
            program: program.clone(),
            source,
        })?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(SlurmError::Failed {
            command,
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    parse_job_id(&stdout).ok_or(SlurmError::NoJobId { command, stdout })
}

/// Submit the array; returns its job id.
pub fn submit_array(scripts: &Scripts) -> Result<String, SlurmError> {
    sbatch(&array_submit_args(&scripts.array))
}

/// Submit the merge, to start once every task of `array_job` succeeded.
pub fn submit_merge(scripts: &Scripts, array_job: &str) -> Result<String, SlurmError> {
    sbatch(&merge_submit_args(array_job, &scripts.merge))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> SlurmOptions {
        SlurmOptions {
            bin: "/opt/cs/bin/channelsim".into(),
            experiment: "/home/r/exp/grid.toml".into(),
            out: "/scratch/r/output/grid".into(),
            workdir: "/home/r".into(),
            job_name: job_name("grid"),
            tasks: 16,
            throttle: Some(4),
            partition: Some("short".into()),
            time: Some("01:30:00".into()),
            cpus_per_task: 8,
            sets: vec!["params.bass_q=0.05".into(), "name=\"it's\"".into()],
        }
    }

    fn lines(s: &str) -> Vec<&str> {
        s.lines().collect()
    }

    #[test]
    fn the_array_line_spans_every_shard_with_the_throttle() {
        let s = array_script(&opts());
        assert!(lines(&s).contains(&"#SBATCH --array=0-15%4"), "{s}");
        let mut o = opts();
        o.throttle = None;
        o.tasks = 1;
        assert!(lines(&array_script(&o)).contains(&"#SBATCH --array=0-0"));
        assert_eq!(array_range(4, None), "0-3");
    }

    #[test]
    fn each_task_runs_its_shard_of_the_fixed_count_with_its_cpus_as_threads() {
        let s = array_script(&opts());
        let cmd = s.lines().last().unwrap();
        assert_eq!(
            cmd,
            "exec /opt/cs/bin/channelsim sweep /home/r/exp/grid.toml --out /scratch/r/output/grid \
             --shard \"$SLURM_ARRAY_TASK_ID/16\" --threads 8 \
             --set params.bass_q=0.05 --set 'name=\"it'\\''s\"'"
        );
        assert!(lines(&s).contains(&"#SBATCH --cpus-per-task=8"));
        assert!(lines(&s).contains(&"cd /home/r"));
        assert!(s.starts_with("#!/bin/bash\n#SBATCH "));
    }

    #[test]
    fn logs_are_named_by_job_name_array_job_and_task() {
        let s = array_script(&opts());
        assert!(
            lines(&s).contains(&"#SBATCH --output=/scratch/r/output/grid/logs/%x_%A_%a.out"),
            "{s}"
        );
        assert!(lines(&s).contains(&"#SBATCH --job-name=channelsim-grid"));
        let m = merge_script(&opts());
        assert!(lines(&m).contains(&"#SBATCH --output=/scratch/r/output/grid/logs/%x_%j.out"));
        assert!(lines(&m).contains(&"#SBATCH --job-name=channelsim-grid-merge"));
    }

    #[test]
    fn partition_and_time_go_to_both_scripts_and_are_optional() {
        for s in [array_script(&opts()), merge_script(&opts())] {
            assert!(lines(&s).contains(&"#SBATCH --partition=short"));
            assert!(lines(&s).contains(&"#SBATCH --time=01:30:00"));
        }
        let mut o = opts();
        o.partition = None;
        o.time = None;
        for s in [array_script(&o), merge_script(&o)] {
            assert!(!s.contains("--partition") && !s.contains("--time"), "{s}");
        }
    }

    #[test]
    fn the_merge_runs_merge_and_is_chained_afterok_on_the_array() {
        let m = merge_script(&opts());
        assert!(
            lines(&m).contains(&"/opt/cs/bin/channelsim merge --no-report /scratch/r/output/grid"),
            "{m}"
        );
        assert!(
            m.lines()
                .last()
                .unwrap()
                .starts_with("/opt/cs/bin/channelsim report /scratch/r/output/grid || "),
            "{m}"
        );
        assert!(lines(&m).contains(&"#SBATCH --kill-on-invalid-dep=yes"));
        assert!(!m.contains("--array"));
        let args = merge_submit_args("4711", Path::new("/x/merge.sbatch"));
        assert_eq!(
            args,
            ["--parsable", "--dependency=afterok:4711", "/x/merge.sbatch"]
        );
        assert_eq!(
            array_submit_args(Path::new("/x/array.sbatch")),
            ["--parsable", "/x/array.sbatch"]
        );
    }

    #[test]
    fn odd_paths_are_quoted_for_the_shell_and_for_sbatch() {
        let mut o = opts();
        o.out = "/scratch/my runs/50%/grid".into();
        let s = array_script(&o);
        assert!(
            lines(&s)
                .contains(&"#SBATCH --output=\"/scratch/my runs/50%%/grid/logs/%x_%A_%a.out\""),
            "{s}"
        );
        assert!(s.contains("--out '/scratch/my runs/50%/grid'"), "{s}");
        assert_eq!(shell_quote("a'b"), r"'a'\''b'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(sbatch_quote("a#b"), "\"a#b\"");
    }

    #[test]
    fn job_ids_are_read_from_parsable_output() {
        assert_eq!(parse_job_id("123\n").as_deref(), Some("123"));
        assert_eq!(parse_job_id("123;cluster\n").as_deref(), Some("123"));
        assert_eq!(parse_job_id("Submitted batch job 5\n"), None);
        assert_eq!(parse_job_id(""), None);
    }

    #[test]
    fn bad_options_are_refused() {
        let ok = |o: &SlurmOptions| check_options(o, 100).is_ok();
        assert!(ok(&opts()));
        let mut o = opts();
        o.tasks = 0;
        assert!(!ok(&o));
        o.tasks = 101;
        assert!(!ok(&o));
        let mut o = opts();
        o.throttle = Some(0);
        assert!(!ok(&o));
        let mut o = opts();
        o.time = Some("1:00 --mem=1".into());
        assert!(!ok(&o));
        let mut o = opts();
        o.out = "relative/out".into();
        assert!(!ok(&o));
    }
}
