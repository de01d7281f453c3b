//! A run's output folder is replaced as a whole: `--force` leaves no stale
//! file of the previous run, and a run that fails leaves the old folder as
//! it was (and no temporary folder beside it).

use channelsim_runner::RunnerError;
use channelsim_runner::job::{RunOptions, run_job};
use channelsim_runner::scenario::{ScenarioFile, parse_scenario};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

const BASE: &str = r#"
name = "tiny"
horizon_months = 6
replicates = 2
seed = 3

[market]
cities = [{ tier = 1, count = 1, enterprises = 500 }, { tier = 3, count = 2, enterprises = 200 }]

[[vendor]]
name = "focal"
strategy = "abu"
policy = "long_term"
"#;

const VARIANTS: &str = r#"
[[variant]]
name = "long"
set = { "vendor.focal.policy" = "long_term" }

[[variant]]
name = "short"
set = { "vendor.focal.policy" = "short_term" }
"#;

fn scenario(with_variants: bool) -> ScenarioFile {
    scenario_with(with_variants, &[])
}

/// The tiny scenario with overrides (`--set`s: the one way to change a
/// setting, the seed included).
fn scenario_with(with_variants: bool, sets: &[String]) -> ScenarioFile {
    let text = if with_variants {
        format!("{BASE}{VARIANTS}")
    } else {
        BASE.to_string()
    };
    parse_scenario(&text, "tiny.toml", sets).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "channelsim-runfolder-{}-{name}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn opts(out: &Path, force: bool) -> RunOptions {
    RunOptions {
        threads: Some(2),
        out: Some(out.to_path_buf()),
        force,
        ..RunOptions::default()
    }
}

/// Every file under `dir` (relative path) with its bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn none(_: &Path) -> Result<(), RunnerError> {
    Ok(())
}

#[test]
fn force_replaces_the_whole_folder_and_a_failed_run_leaves_it_as_it_was() {
    let root = scratch("force");
    let out = root.join("out");
    run_job(&scenario(true), &opts(&out, false), &|_, _| {}, &none).unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    assert!(out.join("compare.json").exists());

    // Without variants, with force: only the new run's files remain.
    let seen = std::cell::Cell::new(false);
    let check = |tmp: &Path| {
        // The hook sees the new files in the temporary folder, the old
        // folder still in place.
        assert_ne!(tmp, out.as_path());
        assert!(tmp.join("manifest.json").exists());
        assert!(!tmp.join("compare.json").exists());
        assert!(out.join("compare.json").exists());
        fs::write(tmp.join("extra.txt"), "hook").unwrap();
        seen.set(true);
        Ok(())
    };
    let o = run_job(&scenario(false), &opts(&out, true), &|_, _| {}, &check).unwrap();
    assert!(seen.get());
    assert_eq!(o.dir, out);
    assert_eq!(
        names(&out),
        [
            "extra.txt",
            "manifest.json",
            "monthly.csv",
            "runs.csv",
            "series.csv",
            "summary.csv",
            "summary.json"
        ]
    );
    assert_eq!(names(&root), ["out"], "no temporary or old folder left");
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["variants"].as_array().unwrap().len(), 1);

    // A run that fails after writing its files leaves the folder as it was.
    let before = tree(&out);
    let fail = |_: &Path| {
        Err(RunnerError::Report {
            source: "broken".into(),
            bad_input: false,
        })
    };
    let other_seed = scenario_with(true, &["seed=77".to_string()]);
    let e = run_job(&other_seed, &opts(&out, true), &|_, _| {}, &fail)
        .err()
        .expect("the hook's error is returned");
    assert!(e.to_string().contains("broken"), "{e}");
    assert_eq!(tree(&out), before, "a failed run changed the old folder");
    assert_eq!(names(&root), ["out"], "the temporary folder is removed");

    // Without force, refused up front, nothing touched.
    let e = run_job(&scenario(true), &opts(&out, false), &|_, _| {}, &none)
        .err()
        .unwrap();
    assert!(matches!(e, RunnerError::OutputExists(_)), "{e}");
    assert_eq!(tree(&out), before);
    assert_eq!(names(&root), ["out"]);
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_run_into_a_new_folder_creates_it_with_its_parents() {
    let root = scratch("new");
    let out = root.join("a/b");
    run_job(&scenario(true), &opts(&out, false), &|_, _| {}, &none).unwrap();
    assert!(out.join("compare.json").exists());
    assert!(out.join("manifest.json").exists());
    assert_eq!(names(&root.join("a")), ["b"]);
    fs::remove_dir_all(&root).unwrap();
}
