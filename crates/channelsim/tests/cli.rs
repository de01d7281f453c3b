//! The command line, end to end: outputs, determinism across threads, bad
//! input, refusing to overwrite, sweeps that resume and shard.

mod common;

use common::{bin, fixture, job_args, ok, read, run, scratch};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

fn tmp(name: &str) -> PathBuf {
    scratch("cli", name)
}

/// `run SCENARIO --out OUT --quiet EXTRA...`, the shape most tests run.
fn run_args(scen: &Path, out: &Path, extra: &[&str]) -> Vec<OsString> {
    job_args("run", scen, out, extra)
}

#[test]
fn run_writes_every_result_file_and_the_headline_table() {
    let out = tmp("run");
    let o = ok(&run_args(&fixture("small.toml"), &out, &[]));
    let stdout = String::from_utf8_lossy(&o.stdout);
    // The table is 100 columns wide off a terminal: the variant's name may
    // be split (strategy above policy).
    assert!(stdout.contains("/ short_term"), "{stdout}");
    assert!(stdout.contains("Cumulative profit"), "{stdout}");
    assert!(stdout.contains("M CNY"), "{stdout}");
    assert!(stdout.lines().all(|l| l.chars().count() <= 100), "{stdout}");
    for f in [
        "series.csv",
        "runs.csv",
        "summary.csv",
        "summary.json",
        "compare.json",
        "manifest.json",
        "report.html",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let series = String::from_utf8(read(&out.join("series.csv"))).unwrap();
    let header = series.lines().next().unwrap();
    assert!(header.starts_with("variant,replicate,month,vendor,strategy,policy,active,"));
    // 2 variants x 3 replicates x 24 months x 1 vendor.
    assert_eq!(series.lines().count(), 1 + 2 * 3 * 24);
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&out.join("manifest.json"))).unwrap();
    assert_eq!(manifest["model_version"], "v2");
    assert_eq!(manifest["replicates"], 3);
    assert_eq!(manifest["scenario"]["name"], "small");
    // compare.json: records, one per variant and compared metric.
    let compare: serde_json::Value =
        serde_json::from_slice(&read(&out.join("compare.json"))).unwrap();
    let rows = compare.as_array().unwrap();
    let variants: std::collections::BTreeSet<&str> = rows
        .iter()
        .map(|r| r["variant"].as_str().unwrap())
        .collect();
    assert_eq!(variants.len(), 2);
    // policy_diff.csv: one row per month for each metric of the pair.
    let diff = String::from_utf8(read(&out.join("policy_diff.csv"))).unwrap();
    assert_eq!(
        diff.lines()
            .filter(|l| l.contains(",cum_profit_mcny,"))
            .count(),
        24
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn one_replicate_shows_no_interval_in_the_table_or_the_report() {
    let out = tmp("one-rep");
    let o = ok(&[
        "run",
        fixture("small.toml").to_str().unwrap(),
        "--replicates",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("[n=1]"), "{stdout}");
    let report = String::from_utf8(read(&out.join("report.html"))).unwrap();
    // Every cell says so; none shows an interval.
    let cells = report.matches("<span class=\"ci\">[").count();
    let said = report.matches("<span class=\"ci\">[n=1]</span>").count()
        + report
            .matches("<span class=\"ci\">[no interval]</span>")
            .count();
    assert!(cells > 0);
    assert_eq!(cells, said);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn one_and_two_threads_write_identical_bytes() {
    let (a, b) = (tmp("t1"), tmp("t2"));
    let scen = fixture("small.toml");
    ok(&job_args(
        "run",
        &scen,
        &a,
        &["--threads", "1", "--no-report"],
    ));
    ok(&job_args(
        "run",
        &scen,
        &b,
        &["--threads", "2", "--no-report"],
    ));
    for f in [
        "series.csv",
        "runs.csv",
        "summary.csv",
        "summary.json",
        "compare.json",
    ] {
        assert!(
            read(&a.join(f)) == read(&b.join(f)),
            "{f} differs between 1 and 2 threads"
        );
    }
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

#[test]
fn an_existing_folder_is_not_overwritten_without_force() {
    let out = tmp("exists");
    let scen = fixture("small.toml");
    ok(&run_args(&scen, &out, &["--no-report"]));
    let before = read(&out.join("series.csv"));
    let o = run(&run_args(&scen, &out, &["--seed", "99"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert_eq!(
        read(&out.join("series.csv")),
        before,
        "a refused run touched the results"
    );
    ok(&run_args(
        &scen,
        &out,
        &["--seed", "99", "--force", "--no-report"],
    ));
    assert_ne!(read(&out.join("series.csv")), before);
    let _ = std::fs::remove_dir_all(&out);
}

/// Every file under `dir` (relative path) with its bytes.
fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), read(&p));
            }
        }
    }
    out
}

/// Hidden folders a run left beside `dir` (`.NAME.partial-*`, `.NAME.old-*`).
fn leftovers(dir: &Path) -> Vec<String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!(".{name}.")))
        .collect()
}

#[test]
fn force_replaces_the_folder_without_stale_files() {
    let out = tmp("force-replace");
    ok(&run_args(&fixture("small.toml"), &out, &[]));
    assert!(out.join("compare.json").exists());
    std::fs::write(out.join("charts/stale.svg"), "old").unwrap();
    // A scenario without variants writes no comparison.
    ok(&run_args(&fixture("single.toml"), &out, &["--force"]));
    assert!(
        !out.join("compare.json").exists(),
        "a stale compare.json stayed"
    );
    assert!(
        !out.join("charts/stale.svg").exists(),
        "a stale chart stayed"
    );
    let mut top: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(
        top,
        [
            "charts",
            "manifest.json",
            "monthly.csv",
            "report.html",
            "runs.csv",
            "series.csv",
            "summary.csv",
            "summary.json"
        ]
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&out.join("manifest.json"))).unwrap();
    assert_eq!(manifest["scenario"]["name"], "single");
    let series = String::from_utf8(read(&out.join("series.csv"))).unwrap();
    // 1 variant x 2 replicates x 12 months x 1 vendor, all of the new run.
    assert_eq!(series.lines().count(), 1 + 2 * 12);
    assert!(series.lines().skip(1).all(|l| l.starts_with("single,")));
    let report = String::from_utf8(read(&out.join("report.html"))).unwrap();
    assert!(report.contains("single"));
    assert!(
        !report.contains("city_exclusive / short_term"),
        "report of the old run"
    );
    // Every chart is one of the new report's.
    for f in tree(&out.join("charts")).keys() {
        let stem = f.file_stem().unwrap().to_string_lossy();
        assert!(
            report.contains(&format!("charts/{stem}.png")),
            "{f:?} is not the new report's"
        );
    }
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_refused_or_failed_run_leaves_the_old_folder_byte_identical() {
    let out = tmp("keep-old");
    let scen = fixture("small.toml");
    ok(&run_args(&scen, &out, &[]));
    let before = tree(&out);
    // Refused without --force.
    let o = run(&run_args(&fixture("single.toml"), &out, &[]));
    assert_eq!(o.status.code(), Some(2));
    assert!(tree(&out) == before, "a refused run touched the folder");
    // Refused with --force: too large for memory.
    let o = run(&run_args(&fixture("huge.toml"), &out, &["--force"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(tree(&out) == before, "a refused run touched the folder");
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
    // Killed part-way with --force, once it has begun writing its files.
    let mut child = bin()
        .args([
            "run",
            scen.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--force",
            "--seed",
            "5",
            "--replicates",
            "200",
            "--set",
            "horizon_months=120",
        ])
        .spawn()
        .unwrap();
    let partial = out.with_file_name(format!(
        ".{}.partial-{}",
        out.file_name().unwrap().to_string_lossy(),
        child.id()
    ));
    let t0 = std::time::Instant::now();
    while !partial.join("series.csv").exists() && t0.elapsed().as_secs() < 60 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run finished before it could be killed: the test proved nothing"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(
        status.code().is_none(),
        "the run finished before it could be killed: the test proved nothing"
    );
    assert!(tree(&out) == before, "a killed run touched the folder");
    // What the kill left is beside the folder, hidden, not in it.
    assert!(partial.exists());
    let _ = std::fs::remove_dir_all(&partial);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn bad_input_exits_2_with_file_line_and_key_and_writes_nothing() {
    let out = tmp("bad");
    let o = run(&[
        "run",
        fixture("bad_key.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad_key.toml:7:"), "{err}");
    assert!(err.contains("polcy"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "output written for a bad scenario");
    // A bad --set is named too.
    let o = run(&[
        "run",
        fixture("small.toml").to_str().unwrap(),
        "--set",
        "params.bass_q=-3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bass_q"));
    assert!(!out.exists());
    // A missing file.
    let o = run(&["run", "no/such/file.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no/such/file.toml"));
}

#[test]
fn sweep_resumes_after_a_kill_to_identical_bytes() {
    let (whole, killed) = (tmp("sw-whole"), tmp("sw-killed"));
    let exp = fixture("grid.toml");
    // Bigger runs, so that the kill lands between batches.
    let big = [
        "--set",
        "market.cities.tier1.enterprises=40000",
        "--set",
        "horizon_months=60",
    ];
    let args = |out: &Path, threads: &'static str| {
        let mut a: Vec<String> = [
            "sweep",
            exp.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--no-report",
            "--threads",
            threads,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(big.iter().map(|s| s.to_string()));
        a
    };
    let whole_args = args(&whole, "1");
    ok(&whole_args.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    // Start the same sweep and kill it with SIGKILL midway.
    let mut child = bin().args(args(&killed, "1")).spawn().unwrap();
    let journal = killed.join("shards/0-of-1/results.csv");
    let t0 = std::time::Instant::now();
    loop {
        let lines = std::fs::read_to_string(&journal)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if lines >= 2 || t0.elapsed().as_secs() > 60 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    let partial = std::fs::read_to_string(&journal).unwrap();
    assert!(
        !killed.join("shards/0-of-1/shard.json").exists() && partial.lines().count() < 25,
        "the sweep finished before it could be killed: the test proved nothing"
    );
    // Resume: the same command finishes the rest.
    let resume = args(&killed, "2");
    ok(&resume.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    for f in ["design.csv", "results.csv", "failures.csv", "regret.json"] {
        assert!(
            read(&whole.join(f)) == read(&killed.join(f)),
            "{f} differs after resume"
        );
    }
    let results = String::from_utf8(read(&whole.join("results.csv"))).unwrap();
    assert_eq!(
        results.lines().count(),
        1 + 3 * 2 * 2 * 2,
        "grid 3x2, 2 variants, 2 replicates"
    );
    let _ = std::fs::remove_dir_all(&whole);
    let _ = std::fs::remove_dir_all(&killed);
}

#[test]
fn shards_merge_to_the_single_machine_bytes_and_status_names_missing_shards() {
    let (whole, sharded) = (tmp("sh-whole"), tmp("sh-parts"));
    let exp = fixture("grid.toml");
    ok(&job_args("sweep", &exp, &whole, &["--no-report"]));
    for s in ["0/3", "2/3"] {
        ok(&job_args("sweep", &exp, &sharded, &["--shard", s]));
    }
    let st = ok(&["status", sharded.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&st.stdout).contains("--array=1"),
        "{}",
        String::from_utf8_lossy(&st.stdout)
    );
    let m = run(&["merge", sharded.to_str().unwrap(), "--no-report"]);
    assert_eq!(
        m.status.code(),
        Some(2),
        "merge must refuse while a shard is missing"
    );
    assert!(
        String::from_utf8_lossy(&m.stderr).contains("--array=1"),
        "{}",
        String::from_utf8_lossy(&m.stderr)
    );
    ok(&job_args("sweep", &exp, &sharded, &["--shard", "1/3"]));
    ok(&["merge", sharded.to_str().unwrap(), "--no-report"]);
    for f in ["results.csv", "failures.csv", "design.csv"] {
        assert!(
            read(&whole.join(f)) == read(&sharded.join(f)),
            "{f} differs between sharded and whole"
        );
    }
    let _ = std::fs::remove_dir_all(&whole);
    let _ = std::fs::remove_dir_all(&sharded);
}

#[test]
fn a_failing_run_is_recorded_and_the_rest_go_on() {
    let out = tmp("fail");
    ok(&[
        "sweep",
        fixture("failing.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--no-report",
    ]);
    let failures = String::from_utf8(read(&out.join("failures.csv"))).unwrap();
    let lines: Vec<&str> = failures.lines().collect();
    assert_eq!(lines.len(), 2, "{failures}");
    assert!(lines[1].starts_with("1,"), "{failures}");
    assert!(lines[1].contains("not a finite number"), "{failures}");
    let results = String::from_utf8(read(&out.join("results.csv"))).unwrap();
    let ids: Vec<&str> = results
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, vec!["0", "2"]);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_scenario_too_large_for_memory_is_refused_up_front() {
    let out = tmp("huge");
    let t0 = std::time::Instant::now();
    let o = run(&[
        "run",
        fixture("small.toml").to_str().unwrap(),
        "--set",
        "market.cities.tier1.enterprises=4000000000",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("MiB of memory"), "{err}");
    assert!(err.contains("small.toml: "), "{err}");
    assert!(t0.elapsed().as_secs() < 10, "the refusal was not up front");
    assert!(!out.exists());
}

#[test]
fn a_memory_refusal_names_the_scenario_and_gives_advice_that_fits() {
    let out = tmp("huge-advice");
    let huge = fixture("huge.toml");
    let refused = |args: &[&str]| -> String {
        let mut all = vec!["run", "--out", out.to_str().unwrap(), "--quiet"];
        all.extend_from_slice(args);
        let o = run(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!out.exists(), "{args:?} wrote output");
        assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(!err.contains("panicked"), "{err}");
        err
    };
    // One run at a time: fewer threads cannot help, a smaller market can.
    let err = refused(&[huge.to_str().unwrap(), "--threads", "2"]);
    assert!(err.contains(&format!("{}: ", huge.display())), "{err}");
    assert!(err.contains("for one run"), "{err}");
    assert!(err.contains("MiB are available"), "{err}");
    assert!(
        err.contains("4000000000000 enterprises in 1000 cities"),
        "{err}"
    );
    assert!(err.contains("smaller market"), "{err}");
    assert!(!err.contains("threads"), "{err}");
    // Two at a time, and not even one fits: still a smaller market.
    let err = refused(&[
        huge.to_str().unwrap(),
        "--threads",
        "2",
        "--replicates",
        "2",
    ]);
    assert!(err.contains("for 2 concurrent runs"), "{err}");
    assert!(err.contains("fewer threads cannot help"), "{err}");
    assert!(err.contains("smaller market"), "{err}");
    assert!(!err.contains("use --threads"), "{err}");
    // The built-in default is named too.
    let err = refused(&["--set", "market.cities.tier1.enterprises=4000000000"]);
    assert!(err.contains("<built-in default.toml>: "), "{err}");
}

#[test]
fn force_does_not_replace_a_folder_a_run_did_not_write() {
    let out = tmp("not-results");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "keep me").unwrap();
    let o = run(&run_args(&fixture("single.toml"), &out, &["--force"]));
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not a results folder"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
    std::fs::remove_dir_all(&out).unwrap();
}

/// Issue 15: `run --timings` prints where the time went, phase by phase,
/// and the manifest keeps the same figures; the result files are those of
/// a run without the flag (timings are never in the results).
#[test]
fn issue15_run_timings_prints_each_phase_and_leaves_the_results_alone() {
    let (a, b) = (tmp("timed"), tmp("untimed"));
    let scen = fixture("small.toml");
    let o = ok(&run_args(&scen, &a, &["--no-report", "--timings"]));
    ok(&run_args(&scen, &b, &["--no-report"]));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("Where the time went"), "{text}");
    for phase in [
        "build world",
        "acquisition",
        "service",
        "payments",
        "observe",
        "= months",
    ] {
        assert!(text.contains(phase), "no {phase} in:\n{text}");
    }
    let m: serde_json::Value = serde_json::from_slice(&read(&a.join("manifest.json"))).unwrap();
    let t = &m["timings"];
    let phases: Vec<&str> = t["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["phase"].as_str().unwrap())
        .collect();
    assert_eq!(phases.len(), 11);
    assert_eq!(
        (phases[0], phases[2], phases[10]),
        ("policy", "acquisition", "observe")
    );
    assert!(t["build_seconds"].as_f64().unwrap() > 0.0);
    assert!(t["active_customer_months"].as_u64().unwrap() > 0);
    assert!(t["runs"].as_u64().unwrap() >= 1);
    for f in ["series.csv", "runs.csv", "summary.csv", "monthly.csv"] {
        assert!(read(&a.join(f)) == read(&b.join(f)), "{f} differs");
    }
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}
