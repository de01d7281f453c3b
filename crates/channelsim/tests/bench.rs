//! `channelsim bench` (issue 15): the tiny `test` suite writes a JSON file
//! with every case and its ratio to the reference kernel, and `--baseline`
//! flags an artificial slowdown with a non-zero exit code.

mod common;

use common::bin;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn tmp(name: &str) -> PathBuf {
    common::scratch_dir("bench-cli", name)
}

fn bench(args: &[&str]) -> Output {
    bin().arg("bench").args(args).output().unwrap()
}

fn json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// Run the test suite into `dir/name`.
fn test_suite(dir: &Path, name: &str, extra: &[&str]) -> (Output, PathBuf) {
    let f = dir.join(name);
    let mut args = vec!["--suite", "test", "--quiet", "--json", f.to_str().unwrap()];
    args.extend_from_slice(extra);
    (bench(&args), f)
}

#[test]
fn issue15_test_suite_writes_every_case_with_its_ratio_to_the_kernel() {
    let dir = tmp("suite");
    let (out, f) = test_suite(&dir, "now.json", &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("xkernel"), "{stdout}");
    let r = json(&f);
    assert_eq!(r["format"], "channelsim-bench/1");
    assert_eq!(r["suite"], "test");
    assert!(r["machine"]["cores"].as_u64().unwrap() >= 1);
    assert!(r["machine"]["cpu_model"].is_string());
    assert_eq!(r["build"]["engine_version"], env!("CARGO_PKG_VERSION"));
    let cases = r["cases"].as_array().unwrap();
    let ids: Vec<&str> = cases.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "kernel",
            "saturated/city_exclusive/0.0625M/t1",
            "saturated/city_exclusive/0.0625M/t2"
        ]
    );
    for c in cases {
        let id = c["id"].as_str().unwrap();
        // Every case: three interleaved repeats, ordered spread, a positive
        // rate and its ratio to the kernel (1 for the kernel itself).
        assert_eq!(c["samples"].as_array().unwrap().len(), 3, "{id}");
        let w = &c["wall_seconds"];
        let (min, med, max) = (
            w["min"].as_f64().unwrap(),
            w["median"].as_f64().unwrap(),
            w["max"].as_f64().unwrap(),
        );
        assert!(0.0 < min && min <= med && med <= max, "{id}: {w}");
        let rate = c["customer_months_per_sec_per_core"].as_f64().unwrap();
        let ratio = c["ratio_to_kernel"].as_f64().unwrap();
        assert!(rate > 0.0 && ratio > 0.0, "{id}");
        if id == "kernel" {
            assert!((ratio - 1.0).abs() < 1e-12);
        }
        // Peak memory of the case's own process, and per enterprise.
        assert!(c["peak_rss_bytes"].as_u64().unwrap() > 1 << 20, "{id}");
        assert!(c["bytes_per_enterprise"].as_f64().unwrap() > 0.0, "{id}");
    }
    // The same work on two threads; its efficiency against one thread.
    assert_eq!(cases[1]["customer_months"], cases[2]["customer_months"]);
    assert!(cases[1]["customer_months"].as_u64().unwrap() > 0);
    assert!(cases[2]["thread_efficiency"].as_f64().unwrap() > 0.0);
    assert!(cases[1]["thread_efficiency"].is_null());
    // Where the time goes: every phase of the engine, named.
    let phases = cases[1]["phases"].as_array().unwrap();
    assert_eq!(phases.len(), r["phase_names"].as_array().unwrap().len());
    assert!(phases.iter().any(|p| p["name"] == "service"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn issue15_baseline_flags_an_artificial_slowdown() {
    let dir = tmp("baseline");
    let (out, f) = test_suite(&dir, "old.json", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Doctor the baseline: one case five times as fast as it was, so this
    // run looks 5x slower on that case.
    let mut old = json(&f);
    let slow = "saturated/city_exclusive/0.0625M/t1";
    for c in old["cases"].as_array_mut().unwrap() {
        if c["id"] == slow {
            for s in c["samples"].as_array_mut().unwrap() {
                let w = s["wall_seconds"].as_f64().unwrap();
                s["wall_seconds"] = (w / 5.0).into();
            }
        }
    }
    let doctored = dir.join("doctored.json");
    std::fs::write(&doctored, serde_json::to_vec(&old).unwrap()).unwrap();
    // A 200% threshold: the doctored case (+400%) is over it; the others,
    // timed seconds apart on a possibly busy machine, are not.
    let (out, _) = test_suite(
        &dir,
        "new.json",
        &[
            "--baseline",
            doctored.to_str().unwrap(),
            "--threshold",
            "200",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.contains(slow) && l.contains('%'))
        .unwrap();
    assert!(
        line.contains("slower") && line.contains("REGRESSION"),
        "{line}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(slow));
    // The undoctored cases are not regressions.
    assert_eq!(stdout.matches("REGRESSION").count(), 1, "{stdout}");

    // Against the honest baseline, with a threshold no noise reaches: 0.
    let (out, _) = test_suite(
        &dir,
        "again.json",
        &["--baseline", f.to_str().unwrap(), "--threshold", "100000"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(!stdout.contains("REGRESSION"), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn issue15_bad_bench_input_exits_2_naming_what_is_wrong() {
    let dir = tmp("bad");
    let out = bench(&["--suite", "fastest"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("quick"));

    let missing = dir.join("missing.json");
    let out = bench(&["--suite", "test", "--baseline", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.json"));

    let junk = dir.join("junk.json");
    std::fs::write(&junk, "[1, 2").unwrap();
    let out = bench(&["--suite", "test", "--baseline", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("junk.json"));

    let out = bench(&["--case", "saturated/nowhere/1M/t1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown case"));

    let out = bench(&["--suite", "test", "--only", "no-such-case"]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}
