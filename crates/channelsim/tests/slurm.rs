//! Sweeps on a Slurm cluster: `channelsim slurm` writes the array and merge
//! scripts (no Slurm needed), failed tasks leave their shards missing and the
//! merge refuses, and — with `CHANNELSIM_SLURM_TEST=1` and a running Slurm
//! (`.ci/slurm-test.sh` brings one up) — a real 4-task array plus its merge
//! give the bytes of a local single-process sweep.

mod common;

use common::{bin, fixture, read, run, scratch_dir, show};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const MERGED: [&str; 3] = ["results.csv", "failures.csv", "design.csv"];

fn tmp(name: &str) -> PathBuf {
    scratch_dir("slurm", name)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// [`common::ok`]'s standard output.
fn ok(args: &[&str]) -> String {
    String::from_utf8_lossy(&common::ok(args).stdout).into_owned()
}

fn text(p: &Path) -> String {
    String::from_utf8(read(p)).unwrap()
}

/// The experiment swept locally, in one process: the reference bytes.
fn local_sweep(exp: &Path, out: &Path) {
    ok(&["sweep", s(exp), "--out", s(out), "--quiet", "--no-report"]);
}

fn assert_same_merge(whole: &Path, parts: &Path) {
    for f in MERGED {
        assert!(
            read(&whole.join(f)) == read(&parts.join(f)),
            "{f} differs between the local sweep ({}) and the sharded one ({})",
            whole.display(),
            parts.display()
        );
    }
}

#[test]
fn slurm_writes_the_array_and_merge_scripts_without_needing_slurm() {
    let dir = tmp("scripts");
    let out = dir.join("out");
    let exp = fixture("cluster.toml");
    // No sbatch on PATH: writing the scripts must not need Slurm.
    let o = bin()
        .args([
            "slurm",
            s(&exp),
            "--tasks",
            "4",
            "--out",
            s(&out),
            "--partition",
            "short",
            "--time",
            "00:10:00",
            "--cpus-per-task",
            "2",
            "--throttle",
            "3",
            "--set",
            "horizon_months=12",
        ])
        .env("PATH", s(&dir))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", show(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let array_path = out.join("array.sbatch");
    let merge_path = out.join("merge.sbatch");
    assert!(stdout.contains(s(&array_path)), "{stdout}");
    assert!(stdout.contains(s(&merge_path)), "{stdout}");
    assert!(
        stdout.contains(&format!("sbatch --parsable {}", s(&array_path))),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "sbatch --dependency=afterok:${{jobid%%;*}} {}",
            s(&merge_path)
        )),
        "{stdout}"
    );

    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_channelsim")).unwrap();
    let array = text(&array_path);
    let lines: Vec<&str> = array.lines().collect();
    for want in [
        "#!/bin/bash",
        "#SBATCH --job-name=channelsim-cluster",
        "#SBATCH --array=0-3%3",
        &format!("#SBATCH --output={}/logs/%x_%A_%a.out", s(&out)),
        "#SBATCH --cpus-per-task=2",
        "#SBATCH --partition=short",
        "#SBATCH --time=00:10:00",
    ] {
        assert!(lines.contains(&want), "no line {want:?} in\n{array}");
    }
    let cmd = lines.last().unwrap();
    assert_eq!(
        *cmd,
        format!(
            "exec {} sweep {} --out {} --shard \"$SLURM_ARRAY_TASK_ID/4\" --threads 2 --set horizon_months=12",
            exe.display(),
            s(&exp),
            s(&out)
        )
    );
    let merge = text(&merge_path);
    let lines: Vec<&str> = merge.lines().collect();
    for want in [
        "#SBATCH --job-name=channelsim-cluster-merge",
        &format!("#SBATCH --output={}/logs/%x_%j.out", s(&out)),
        "#SBATCH --partition=short",
        "#SBATCH --time=00:10:00",
        &format!("{} merge --no-report {}", exe.display(), s(&out)),
    ] {
        assert!(lines.contains(&want), "no line {want:?} in\n{merge}");
    }
    assert!(out.join("logs").is_dir(), "Slurm does not create logs/");
    // Every shard is listed as missing until its task is done.
    let st = ok(&["status", s(&out)]);
    assert!(st.contains("0 of 12 runs done"), "{st}");
    assert!(st.contains("--array=0,1,2,3"), "{st}");

    // Another split of the same folder is refused, naming the way out.
    let o = run(&[
        "slurm",
        s(&exp),
        "--tasks",
        "3",
        "--out",
        s(&out),
        "--set",
        "horizon_months=12",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--tasks 4"));
    // More tasks than runs, or none, are refused.
    for n in ["13", "0"] {
        let o = run(&["slurm", s(&exp), "--tasks", n, "--out", s(&dir.join("x"))]);
        assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    }
    // --bin replaces the binary; a relative --out is made absolute.
    let o = bin()
        .current_dir(&dir)
        .args([
            "slurm",
            s(&exp),
            "--tasks",
            "2",
            "--out",
            "rel",
            "--bin",
            "/opt/channelsim/bin/channelsim",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", show(&o));
    let array = text(&dir.join("rel/array.sbatch"));
    assert!(
        array.contains(&format!(
            "exec /opt/channelsim/bin/channelsim sweep {} --out {}",
            s(&exp),
            s(&dir.join("rel"))
        )),
        "{array}"
    );
    assert!(array.contains("#SBATCH --array=0-1\n"), "{array}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn submit_sends_the_array_then_the_merge_after_it() {
    let dir = tmp("submit");
    let out = dir.join("out");
    // A stand-in for sbatch that records its arguments and answers job ids.
    let fake = dir.join("sbatch");
    let calls = dir.join("calls");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\necho \"$*\" >> {}\nn=$(wc -l < {})\necho \"$((4710 + n));testcluster\"\n",
            s(&calls),
            s(&calls)
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", s(&dir), std::env::var("PATH").unwrap_or_default());
    let o = bin()
        .args([
            "slurm",
            s(&fixture("cluster.toml")),
            "--tasks",
            "4",
            "--out",
            s(&out),
            "--submit",
        ])
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", show(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("submitted array job 4711"), "{stdout}");
    assert!(stdout.contains("submitted merge job 4712"), "{stdout}");
    assert_eq!(
        text(&calls),
        format!(
            "--parsable {}\n--parsable --dependency=afterok:4711 {}\n",
            s(&out.join("array.sbatch")),
            s(&out.join("merge.sbatch"))
        )
    );
    // Without Slurm, --submit fails as a failure of the machine (exit 1),
    // after writing the scripts.
    let o = bin()
        .args([
            "slurm",
            s(&fixture("cluster.toml")),
            "--tasks",
            "4",
            "--out",
            s(&dir.join("nosl")),
            "--submit",
        ])
        .env("PATH", s(&dir.join("nowhere")))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("sbatch"));
    assert!(dir.join("nosl/array.sbatch").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failed_task_leaves_its_shard_missing_and_the_merge_refuses_naming_it() {
    let dir = tmp("failed");
    let (whole, parts) = (dir.join("whole"), dir.join("parts"));
    let exp = fixture("cluster.toml");
    local_sweep(&exp, &whole);
    for i in ["0/4", "1/4", "3/4"] {
        ok(&[
            "sweep",
            s(&exp),
            "--out",
            s(&parts),
            "--shard",
            i,
            "--quiet",
        ]);
    }
    // Task 2 (runs 6..9: two failures, then one result) died midway: its
    // journals hold the first failure and a torn result line, and there is
    // no shard.json. Build that state from a finished shard 2.
    ok(&[
        "sweep",
        s(&exp),
        "--out",
        s(&parts),
        "--shard",
        "2/4",
        "--quiet",
    ]);
    let sdir = parts.join("shards/2-of-4");
    std::fs::remove_file(sdir.join("shard.json")).unwrap();
    let cut = |file: &str, keep: &dyn Fn(&[&str]) -> String| {
        let t = text(&sdir.join(file));
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines.len() >= 2, "{file}: {t}");
        std::fs::write(sdir.join(file), keep(&lines)).unwrap();
    };
    cut("failures.csv", &|l| format!("{}\n{}\n", l[0], l[1]));
    cut("results.csv", &|l| format!("{}\n{}", l[0], &l[1][..5]));

    let st = ok(&["status", s(&parts)]);
    assert!(st.contains("shards complete: 3 of 4"), "{st}");
    assert!(st.contains("missing shards: --array=2\n"), "{st}");
    let m = run(&["merge", s(&parts), "--no-report"]);
    assert_eq!(m.status.code(), Some(2), "{}", show(&m));
    let err = String::from_utf8_lossy(&m.stderr);
    assert!(
        err.contains("shards [2]") && err.contains("--array=2"),
        "{err}"
    );
    assert!(
        !parts.join("results.csv").exists(),
        "a refused merge wrote results"
    );
    // Resubmitting shard 2 resumes it; then the merge gives the local bytes.
    ok(&[
        "sweep",
        s(&exp),
        "--out",
        s(&parts),
        "--shard",
        "2/4",
        "--quiet",
    ]);
    ok(&["merge", s(&parts), "--no-report"]);
    assert_same_merge(&whole, &parts);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Run a generated sbatch script with bash, as Slurm would run an array task.
fn run_script(script: &Path, task: Option<(usize, usize)>) -> Output {
    let mut c = Command::new("bash");
    c.arg(script)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT");
    if let Some((id, count)) = task {
        c.env("SLURM_ARRAY_TASK_ID", id.to_string())
            .env("SLURM_ARRAY_TASK_COUNT", count.to_string());
    }
    c.output().unwrap()
}

#[test]
fn the_scripts_run_without_slurm_and_a_resubmitted_shard_completes_the_merge() {
    let dir = tmp("scripted");
    let (whole, parts) = (dir.join("whole"), dir.join("parts"));
    let exp = fixture("cluster.toml");
    local_sweep(&exp, &whole);
    ok(&["slurm", s(&exp), "--tasks", "4", "--out", s(&parts)]);
    let (array, merge) = (parts.join("array.sbatch"), parts.join("merge.sbatch"));
    // Tasks 0, 1 and 3 of the array succeed; task 2 never ran.
    for i in [0, 1, 3] {
        let o = run_script(&array, Some((i, 4)));
        assert!(o.status.success(), "task {i}: {}", show(&o));
    }
    let st = ok(&["status", s(&parts)]);
    assert!(st.contains("missing shards: --array=2\n"), "{st}");
    let o = run_script(&merge, None);
    assert!(!o.status.success(), "the merge ran with shard 2 missing");
    assert!(String::from_utf8_lossy(&o.stderr).contains("shards [2]"));
    // `sbatch --array=2 array.sbatch`: an array of one task, numbered 2.
    let o = run_script(&array, Some((2, 1)));
    assert!(o.status.success(), "resubmitted task 2: {}", show(&o));
    let o = run_script(&merge, None);
    assert!(o.status.success(), "merge: {}", show(&o));
    assert_same_merge(&whole, &parts);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------
// On a real Slurm (CHANNELSIM_SLURM_TEST=1; .ci/slurm-test.sh)
// ---------------------------------------------------------------------------

fn slurm_enabled() -> bool {
    if std::env::var("CHANNELSIM_SLURM_TEST").as_deref() == Ok("1") {
        return true;
    }
    println!("skipped: set CHANNELSIM_SLURM_TEST=1 with a running Slurm (see .ci/slurm-test.sh)");
    false
}

fn slurm_cmd(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (is Slurm installed and on PATH?)"))
}

/// The job ids that `channelsim slurm --submit` printed.
fn submitted(stdout: &str) -> (String, String) {
    let id = |what: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("submitted {what} job ")))
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("no {what} job id in:\n{stdout}"))
            .to_string()
    };
    (id("array"), id("merge"))
}

/// Poll squeue until none of `jobs` is pending or running.
fn wait_for(jobs: &[&str], logs: &Path, timeout: Duration) {
    let t0 = Instant::now();
    let list = jobs.join(",");
    loop {
        let o = slurm_cmd("squeue", &["-h", "-j", &list, "-o", "%i %T %r"]);
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        // squeue forgets finished jobs (and may then call their ids invalid).
        if out.trim().is_empty() {
            return;
        }
        if t0.elapsed() > timeout {
            panic!(
                "jobs {list} not done after {timeout:?}:\n{out}\n{}",
                dump_logs(logs)
            );
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// `JobState` of every record of a job (one per array task).
fn job_states(job: &str) -> Vec<String> {
    let o = slurm_cmd("scontrol", &["-o", "show", "job", job]);
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| {
            l.split_whitespace()
                .find_map(|w| w.strip_prefix("JobState="))
                .map(str::to_string)
        })
        .collect()
}

fn dump_logs(logs: &Path) -> String {
    let mut s = String::new();
    if let Ok(rd) = std::fs::read_dir(logs) {
        let mut files: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            s.push_str(&format!(
                "--- {}\n{}\n",
                f.display(),
                std::fs::read_to_string(&f).unwrap_or_default()
            ));
        }
    }
    s
}

fn sbatch(args: &[&str]) -> String {
    let o = slurm_cmd("sbatch", args);
    assert!(o.status.success(), "sbatch {args:?}: {}", show(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    out.trim().split(';').next().unwrap().to_string()
}

const SLURM_TIMEOUT: Duration = Duration::from_secs(180);

#[test]
fn on_slurm_a_4_task_array_and_its_merge_give_the_local_bytes() {
    if !slurm_enabled() {
        return;
    }
    let t0 = Instant::now();
    let dir = tmp("real");
    let (whole, parts) = (dir.join("whole"), dir.join("parts"));
    let exp = fixture("cluster.toml");
    local_sweep(&exp, &whole);
    let stdout = ok(&[
        "slurm",
        s(&exp),
        "--tasks",
        "4",
        "--out",
        s(&parts),
        "--time",
        "00:05:00",
        "--submit",
    ]);
    let (array, merge) = submitted(&stdout);
    println!("array job {array}, merge job {merge}");
    let logs = parts.join("logs");
    wait_for(&[&array, &merge], &logs, SLURM_TIMEOUT);
    let tasks = job_states(&array);
    assert_eq!(
        tasks,
        vec!["COMPLETED"; 4],
        "array tasks\n{}",
        dump_logs(&logs)
    );
    assert_eq!(
        job_states(&merge),
        vec!["COMPLETED"],
        "merge job\n{}",
        dump_logs(&logs)
    );
    assert_same_merge(&whole, &parts);
    // One log per task and one for the merge, named %x_%A_%a / %x_%j.
    for i in 0..4 {
        let log = logs.join(format!("channelsim-cluster_{array}_{i}.out"));
        assert!(
            log.exists(),
            "{} missing:\n{}",
            log.display(),
            dump_logs(&logs)
        );
    }
    assert!(
        logs.join(format!("channelsim-cluster-merge_{merge}.out"))
            .exists()
    );
    let st = ok(&["status", s(&parts)]);
    assert!(st.contains("shards complete: 4 of 4"), "{st}");
    println!(
        "4-task array and merge on Slurm: {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn on_slurm_a_failed_task_is_resubmitted_from_status_and_the_merge_completes() {
    if !slurm_enabled() {
        return;
    }
    let t0 = Instant::now();
    let dir = tmp("real-fail");
    let (whole, parts) = (dir.join("whole"), dir.join("parts"));
    let exp = fixture("cluster.toml");
    local_sweep(&exp, &whole);
    // A binary that fails as task 2, once (a node that died, say).
    let wrapper = dir.join("channelsim-flaky");
    let marker = dir.join("failed-once");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/bash\nif [ \"${{SLURM_ARRAY_TASK_ID:-}}\" = 2 ] && [ ! -e {m} ]; then\n  touch {m}; echo 'task 2: simulated crash' >&2; exit 1\nfi\nexec {b} \"$@\"\n",
            m = s(&marker),
            b = env!("CARGO_BIN_EXE_channelsim")
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &wrapper,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let stdout = ok(&[
        "slurm",
        s(&exp),
        "--tasks",
        "4",
        "--out",
        s(&parts),
        "--bin",
        s(&wrapper),
        "--submit",
    ]);
    let (array, merge) = submitted(&stdout);
    let logs = parts.join("logs");
    wait_for(&[&array, &merge], &logs, SLURM_TIMEOUT);
    let mut tasks = job_states(&array);
    tasks.sort();
    assert_eq!(
        tasks,
        ["COMPLETED", "COMPLETED", "COMPLETED", "FAILED"],
        "{}",
        dump_logs(&logs)
    );
    // afterok can never be met: the merge was cancelled, not left pending.
    assert_eq!(job_states(&merge), ["CANCELLED"], "{}", dump_logs(&logs));
    assert!(!parts.join("results.csv").exists());
    // status gives the --array list to resubmit; the same scripts do it.
    let st = ok(&["status", s(&parts)]);
    let spec = st
        .lines()
        .find_map(|l| l.strip_prefix("missing shards: "))
        .unwrap_or_else(|| panic!("no missing shards in:\n{st}"));
    assert_eq!(spec, "--array=2");
    let again = sbatch(&["--parsable", spec, s(&parts.join("array.sbatch"))]);
    let merge2 = sbatch(&[
        "--parsable",
        &format!("--dependency=afterok:{again}"),
        s(&parts.join("merge.sbatch")),
    ]);
    wait_for(&[&again, &merge2], &logs, SLURM_TIMEOUT);
    assert_eq!(job_states(&again), ["COMPLETED"], "{}", dump_logs(&logs));
    assert_eq!(job_states(&merge2), ["COMPLETED"], "{}", dump_logs(&logs));
    assert_same_merge(&whole, &parts);
    println!(
        "failed task, resubmission and merge on Slurm: {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
