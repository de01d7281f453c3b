//! Issue 14: sweeps that never mix experiments, names that cannot escape,
//! refusals instead of aborts. Every test runs the real binary.

mod common;

use common::{bin, fixture, ok, read, run, scratch_dir};
use std::path::{Path, PathBuf};
use std::process::Output;

fn tmp(name: &str) -> PathBuf {
    scratch_dir("i14", name)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn refused(args: &[&str], code: i32, fragments: &[&str]) -> String {
    let o = run(args);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(code), "{args:?}: {e}");
    for f in fragments {
        assert!(e.contains(f), "{args:?}: expected {f:?} in: {e}");
    }
    e
}

/// The grid fixture and its base, copied where the test may edit them.
fn grid_copy(dir: &Path) -> PathBuf {
    std::fs::copy(fixture("small.toml"), dir.join("small.toml")).unwrap();
    std::fs::copy(fixture("grid.toml"), dir.join("grid.toml")).unwrap();
    dir.join("grid.toml")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn issue14_resume_after_changing_a_set_the_base_or_the_engine_refuses() {
    let d = tmp("resume");
    let exp = grid_copy(&d);
    let out = d.join("out");
    let sweep = |extra: &[&str]| {
        let mut a = vec!["sweep", s(&exp), "--out", s(&out), "--no-report"];
        a.extend(extra);
        a.iter().map(|x| x.to_string()).collect::<Vec<_>>()
    };
    fn args(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    ok(&args(&sweep(&["--quiet"])));
    let before = read(&out.join("results.csv"));
    // The same command resumes: nothing to run.
    let o = ok(&args(&sweep(&[])));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("0 run now"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // Another --set: refused, naming it, results untouched.
    refused(
        &args(&sweep(&["--set", "params.wage=16"])),
        2,
        &["overrides differ", "params.wage=16", "--force"],
    );
    assert_eq!(read(&out.join("results.csv")), before);
    // Another base scenario (its horizon edited).
    let base = d.join("small.toml");
    let text = std::fs::read_to_string(&base).unwrap();
    std::fs::write(
        &base,
        text.replace("horizon_months = 24", "horizon_months = 12"),
    )
    .unwrap();
    refused(&args(&sweep(&[])), 2, &["base scenario differs", "--force"]);
    std::fs::write(&base, &text).unwrap();
    // Another engine: the folder says its results came from engine 0.0.1.
    let fp = out.join("fingerprint.json");
    let fp_text = std::fs::read_to_string(&fp).unwrap();
    let v: serde_json::Value = serde_json::from_str(&fp_text).unwrap();
    let mine = v["engine_version"].as_str().unwrap().to_string();
    std::fs::write(&fp, fp_text.replace(&format!("\"{mine}\""), "\"0.0.1\"")).unwrap();
    refused(
        &args(&sweep(&[])),
        2,
        &["engine differs", "engine 0.0.1", "--force"],
    );
    assert_eq!(read(&out.join("results.csv")), before);
    // --force starts afresh with the new setting.
    ok(&args(&sweep(&[
        "--quiet",
        "--force",
        "--set",
        "params.wage=16",
    ])));
    assert_ne!(read(&out.join("results.csv")), before);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn issue14_merge_refuses_a_foreign_shard_and_a_bare_record() {
    let d = tmp("foreign");
    let exp = fixture("grid.toml");
    let (a, b, whole) = (d.join("a"), d.join("b"), d.join("whole"));
    ok(&[
        "sweep",
        s(&exp),
        "--out",
        s(&whole),
        "--quiet",
        "--no-report",
    ]);
    for sh in ["0/2", "1/2"] {
        ok(&["sweep", s(&exp), "--out", s(&a), "--shard", sh, "--quiet"]);
        ok(&[
            "sweep",
            s(&exp),
            "--out",
            s(&b),
            "--shard",
            sh,
            "--quiet",
            "--set",
            "seed=43",
        ]);
    }
    // A shard of the seed-43 experiment copied into the seed-11 folder.
    let a1 = a.join("shards/1-of-2");
    std::fs::remove_dir_all(&a1).unwrap();
    std::fs::create_dir_all(&a1).unwrap();
    for f in [
        "results.csv",
        "failures.csv",
        "shard.json",
        "fingerprint.json",
    ] {
        std::fs::copy(b.join("shards/1-of-2").join(f), a1.join(f)).unwrap();
    }
    refused(
        &["merge", s(&a), "--no-report"],
        2,
        &["1-of-2", "another experiment", "seeds differ"],
    );
    assert!(
        !a.join("results.csv").exists(),
        "a refused merge wrote results"
    );
    // Resuming that shard is refused too: its journal is not this experiment's.
    refused(
        &[
            "sweep",
            s(&exp),
            "--out",
            s(&a),
            "--shard",
            "1/2",
            "--quiet",
        ],
        2,
        &["1-of-2", "another experiment"],
    );
    // A shard record holding only {"shard": 1}.
    std::fs::copy(
        a.join("shards/0-of-2/fingerprint.json"),
        a1.join("fingerprint.json"),
    )
    .unwrap();
    std::fs::write(a1.join("shard.json"), "{\"shard\": 1}").unwrap();
    refused(
        &["merge", s(&a), "--no-report"],
        2,
        &["1-of-2/shard.json", "not a complete shard record"],
    );
    // Redone, the shard merges to the single-machine bytes.
    std::fs::remove_dir_all(&a1).unwrap();
    ok(&[
        "sweep",
        s(&exp),
        "--out",
        s(&a),
        "--shard",
        "1/2",
        "--quiet",
    ]);
    ok(&["merge", s(&a), "--no-report"]);
    for f in ["results.csv", "failures.csv", "design.csv"] {
        assert_eq!(read(&a.join(f)), read(&whole.join(f)), "{f}");
    }
    // The merged folder has a manifest naming the experiment.
    let m = std::fs::read_to_string(a.join("manifest.json")).unwrap();
    assert!(m.contains("\"name\": \"grid\""), "{m}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn issue14_no_name_or_out_writes_outside_the_folder_it_names() {
    let d = tmp("escape");
    let work = d.join("work/inner");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::copy(fixture("small.toml"), work.join("small.toml")).unwrap();
    let outside = d.join("escaped");
    let abs = d.join("absolute");
    for name in [
        "../../escaped".to_string(),
        s(&abs).to_string(),
        "a/../../../escaped".to_string(),
        "..".to_string(),
        String::new(),
        "x\\\\..\\\\y".to_string(),
    ] {
        let text = format!(
            "name = \"{name}\"\nbase = \"small.toml\"\nreplicates = 1\n[design]\nmethod = \"list\"\npoints = [ {{ \"params.bass_q\" = 0.03 }} ]\n"
        );
        std::fs::write(work.join("e.toml"), text).unwrap();
        let o = bin()
            .current_dir(&work)
            .args(["sweep", "e.toml", "--quiet", "--no-report"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "name {name:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("e.toml:1:8: name"), "{}", stderr(&o));
        assert!(!outside.exists() && !abs.exists(), "name {name:?} escaped");
        assert!(!work.join("output").exists(), "name {name:?} wrote output/");
    }
    // A scenario name is checked the same way by `run`.
    let text = std::fs::read_to_string(fixture("small.toml"))
        .unwrap()
        .replace("name = \"small\"", "name = \"../../escaped\"");
    std::fs::write(work.join("s.toml"), text).unwrap();
    let o = bin()
        .current_dir(&work)
        .args(["run", "s.toml", "--quiet", "--no-report"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!outside.exists());
    // With --out, everything lands inside the folder named.
    let out = d.join("box/out");
    std::fs::copy(fixture("small.toml"), work.join("small.toml")).unwrap();
    ok(&[
        "sweep",
        s(&fixture("grid.toml")),
        "--out",
        s(&out),
        "--quiet",
    ]);
    let beside: Vec<_> = std::fs::read_dir(d.join("box"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(beside, vec![std::ffi::OsString::from("out")], "{beside:?}");
    let _ = std::fs::remove_dir_all(&d);
}

/// The complete `list` example of docs/experiments.md (the ```toml block
/// holding `method = "list"`).
fn doc_list_example() -> String {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/experiments.md"),
    )
    .unwrap();
    let blocks: Vec<&str> = doc
        .split("```toml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .filter(|b| b.contains("method = \"list\"") && !b.contains("# method"))
        .collect();
    assert_eq!(blocks.len(), 1, "one list example in the doc");
    blocks[0].to_string()
}

#[test]
fn issue14_the_list_example_of_the_docs_runs_as_documented() {
    let d = tmp("doclist");
    std::fs::create_dir_all(d.join("experiments")).unwrap();
    std::fs::create_dir_all(d.join("scenarios")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/default.toml"),
        d.join("scenarios/default.toml"),
    )
    .unwrap();
    let example = doc_list_example();
    std::fs::write(d.join("experiments/list.toml"), &example).unwrap();
    let out = d.join("out");
    let o = ok(&[
        "sweep",
        s(&d.join("experiments/list.toml")),
        "--out",
        s(&out),
        "--no-report",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    // A point that leaves a factor out keeps the base value: an empty cell.
    let design = String::from_utf8(read(&out.join("design.csv"))).unwrap();
    let lines: Vec<&str> = design.lines().collect();
    assert!(lines[0].ends_with("params.bass_q,params.wage"), "{design}");
    assert!(lines[1].ends_with(",0.03,"), "{design}");
    assert!(design.contains(",0.05,18"), "{design}");
    let results = String::from_utf8(read(&out.join("results.csv"))).unwrap();
    assert_eq!(results.lines().count(), lines.len(), "{results}");
    assert_eq!(
        String::from_utf8(read(&out.join("failures.csv"))).unwrap(),
        "run_id,error\n"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn issue14_a_damaged_journal_is_cut_at_the_bad_line_and_redone() {
    let d = tmp("journal");
    let exp = fixture("grid.toml");
    let (whole, hurt) = (d.join("whole"), d.join("hurt"));
    ok(&[
        "sweep",
        s(&exp),
        "--out",
        s(&whole),
        "--quiet",
        "--no-report",
    ]);
    ok(&[
        "sweep",
        s(&exp),
        "--out",
        s(&hurt),
        "--quiet",
        "--no-report",
    ]);
    let j = hurt.join("shards/0-of-1/results.csv");
    let text = std::fs::read_to_string(&j).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let n = lines.len();
    lines.insert(n / 2, "7,garbage,,\u{0}");
    std::fs::write(&j, lines.join("\n") + "\n").unwrap();
    let st = ok(&["status", s(&hurt)]);
    let st = String::from_utf8_lossy(&st.stdout);
    assert!(st.contains("damaged"), "{st}");
    assert!(st.contains("shards complete: 0 of 1"), "{st}");
    refused(
        &["merge", s(&hurt), "--no-report"],
        2,
        &["results.csv", "line"],
    );
    // Resume: the valid prefix is kept, the rest redone, same bytes.
    let o = ok(&["sweep", s(&exp), "--out", s(&hurt), "--no-report"]);
    let ran = String::from_utf8_lossy(&o.stdout);
    assert!(!ran.contains(" 0 run now"), "{ran}");
    for f in ["results.csv", "failures.csv", "regret.json"] {
        assert_eq!(read(&whole.join(f)), read(&hurt.join(f)), "{f}");
    }
    let _ = std::fs::remove_dir_all(&d);
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

#[test]
fn issue14_a_locked_folder_is_refused_a_dead_lock_is_recovered() {
    let d = tmp("lock");
    let exp = fixture("grid.toml");
    let out = d.join("out");
    std::fs::create_dir_all(&out).unwrap();
    // A live process (this test) holds the folder.
    std::fs::write(
        out.join(".channelsim.lock"),
        format!("{} {}\n", std::process::id(), host()),
    )
    .unwrap();
    refused(
        &["sweep", s(&exp), "--out", s(&out), "--quiet", "--no-report"],
        2,
        &[
            "another channelsim",
            &format!("process {}", std::process::id()),
        ],
    );
    // A process that is gone: its lock is stale and taken over.
    std::fs::write(
        out.join(".channelsim.lock"),
        format!("4194999 {}\n", host()),
    )
    .unwrap();
    ok(&["sweep", s(&exp), "--out", s(&out), "--quiet", "--no-report"]);
    assert!(
        !out.join(".channelsim.lock").exists(),
        "the lock outlived its sweep"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn issue14_a_sweep_whose_runs_fail_exits_non_zero_unless_allowed() {
    let d = tmp("fail");
    std::fs::copy(fixture("small.toml"), d.join("small.toml")).unwrap();
    let allowed = std::fs::read_to_string(fixture("failing.toml")).unwrap();
    let strict = allowed.replace("failures_allowed = 1\n", "");
    assert_ne!(strict, allowed);
    std::fs::write(d.join("strict.toml"), &strict).unwrap();
    let out = d.join("out");
    let e = refused(
        &[
            "sweep",
            s(&d.join("strict.toml")),
            "--out",
            s(&out),
            "--quiet",
            "--no-report",
        ],
        1,
        &[
            "1 of 3 runs failed",
            "runs 1",
            "failures.csv",
            "failures_allowed",
        ],
    );
    assert!(e.contains("params.manager_cost=1e308"), "{e}");
    // The results of the other runs are written all the same.
    let results = String::from_utf8(read(&out.join("results.csv"))).unwrap();
    assert_eq!(results.lines().count(), 3, "{results}");
    // Every run failing: non-zero even when some failures are allowed.
    let none = allowed
        .replace(
            "\"params.bass_q\" = 0.03",
            "\"params.manager_cost\" = 1e308",
        )
        .replace(
            "\"params.bass_q\" = 0.05",
            "\"params.manager_cost\" = 1e307",
        );
    std::fs::write(d.join("none.toml"), none).unwrap();
    refused(
        &[
            "sweep",
            s(&d.join("none.toml")),
            "--out",
            s(&d.join("none")),
            "--quiet",
            "--no-report",
        ],
        1,
        &["none of the 3 runs succeeded"],
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn issue14_shards_threads_and_folders_beyond_reason_are_refused() {
    let d = tmp("small-items");
    let exp = fixture("grid.toml");
    refused(
        &[
            "sweep",
            s(&exp),
            "--out",
            s(&d.join("a")),
            "--shard",
            "0/1000",
        ],
        2,
        &["--shard 0/1000", "only 24 runs"],
    );
    let t = std::time::Instant::now();
    refused(
        &[
            "sweep",
            s(&exp),
            "--out",
            s(&d.join("b")),
            "--threads",
            "100000",
        ],
        2,
        &["--threads 100000"],
    );
    assert!(t.elapsed().as_secs() < 5);
    // A non-empty folder that is not a results folder.
    let other = d.join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("thesis.tex"), "precious").unwrap();
    refused(
        &["sweep", s(&exp), "--out", s(&other), "--force"],
        2,
        &["not a results folder"],
    );
    assert_eq!(
        std::fs::read_to_string(other.join("thesis.tex")).unwrap(),
        "precious"
    );
    // Merge of a folder without shards says what to do.
    refused(&["merge", s(&other)], 2, &["not a sweep folder"]);
    // --seed beyond the files' range is refused as in a file.
    refused(
        &[
            "run",
            s(&fixture("small.toml")),
            "--seed",
            "18446744073709551615",
            "--out",
            s(&d.join("c")),
        ],
        2,
        &["seed"],
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn issue13_exit_codes_follow_the_kind_of_error() {
    let d = tmp("kinds");
    let exp = fixture("grid.toml");
    // The machine fails (a folder that cannot be created): exit 1, naming
    // the path.
    for cmd in [
        vec![
            "sweep",
            s(&exp),
            "--out",
            "/proc/channelsim-no/out",
            "--quiet",
        ],
        vec![
            "run",
            s(&fixture("small.toml")),
            "--out",
            "/proc/channelsim-no/out",
            "--quiet",
        ],
    ] {
        refused(&cmd, 1, &["/proc/channelsim-no"]);
    }
    // Bad input: exit 2 (a bad argument, a folder that is not a results
    // folder for the report, a missing experiment file).
    refused(
        &["sweep", s(&exp), "--shard", "5/2"],
        2,
        &["--shard \"5/2\""],
    );
    refused(&["report", s(&d)], 2, &["no result files"]);
    refused(
        &["sweep", s(&d.join("no-such.toml"))],
        2,
        &["no-such.toml", "cannot read the experiment file"],
    );
    // Runs that fail are not bad input: exit 1 (see
    // issue14_a_sweep_whose_runs_fail_exits_non_zero_unless_allowed).
    let _ = std::fs::remove_dir_all(&d);
}
