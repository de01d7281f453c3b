//! `channelsim robust`, end to end: its files and their columns, a reading
//! the scenario does not know skipped with a note, the same bytes on 1 and
//! 2 threads, and bad input refused with exit code 2.

mod common;

use common::{bin, fixture, read};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn tmp(name: &str) -> PathBuf {
    common::scratch("robust", name)
}

fn robust(out: &Path, extra: &[&str]) -> Output {
    bin()
        .arg("robust")
        .arg(fixture("robust.toml"))
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(extra)
        .output()
        .expect("binary runs")
}

fn ok(out: &Path, extra: &[&str]) -> String {
    let o = robust(out, extra);
    assert!(
        o.status.success(),
        "{extra:?} failed: {}\n{}",
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const TABLES: &[(&str, &[&str])] = &[
    (
        "readings",
        &[
            "key",
            "origin",
            "values",
            "description",
            "status",
            "scenario_value",
            "tried",
            "note",
        ],
    ),
    (
        "comparisons",
        &[
            "reading",
            "changes",
            "strategy",
            "metric",
            "discount_rate",
            "headline",
            "n",
            "long_mean",
            "short_mean",
            "mean_diff",
            "ci_lo",
            "ci_hi",
            "long_wins",
            "significant",
        ],
    ),
    (
        "flips",
        &[
            "reading",
            "changes",
            "strategy",
            "verdict_at_0",
            "flip_rate",
            "verdict_at_max",
        ],
    ),
    (
        "verdicts",
        &[
            "strategy",
            "readings",
            "discount_rate",
            "npv_diff",
            "npv_ci_lo",
            "npv_ci_hi",
            "npv_significant",
            "npv_verdict",
            "npv_long_wins_share",
            "npv_long_wins_significant_share",
            "npv_short_wins_significant_share",
            "npv_flips",
            "npv_flipped_by",
            "cum_profit_diff",
            "cum_profit_ci_lo",
            "cum_profit_ci_hi",
            "cum_profit_significant",
            "cum_profit_verdict",
            "cum_profit_long_wins_share",
            "cum_profit_long_wins_significant_share",
            "cum_profit_short_wins_significant_share",
            "cum_profit_flips",
            "cum_profit_flipped_by",
            "npv_flip_rate",
        ],
    ),
];

/// The records of `STEM.json`, checked to be flat objects with the CSV's
/// columns.
fn records(dir: &Path, stem: &str, columns: &[&str]) -> Vec<serde_json::Map<String, Value>> {
    let csv = String::from_utf8(read(&dir.join(format!("{stem}.csv")))).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(header, columns, "{stem}.csv columns");
    let json: Value = serde_json::from_slice(&read(&dir.join(format!("{stem}.json")))).unwrap();
    let rows: Vec<_> = json
        .as_array()
        .unwrap_or_else(|| panic!("{stem}.json is not an array of records"))
        .iter()
        .map(|r| r.as_object().expect("a record").clone())
        .collect();
    assert_eq!(rows.len(), csv.lines().count() - 1, "{stem}: rows");
    for r in &rows {
        let mut keys: Vec<&str> = r.keys().map(String::as_str).collect();
        let mut cols = columns.to_vec();
        keys.sort_unstable();
        cols.sort_unstable();
        assert_eq!(keys, cols, "{stem}.json keys");
        assert!(r.values().all(|v| !v.is_object() && !v.is_array()));
    }
    rows
}

fn num(r: &serde_json::Map<String, Value>, k: &str) -> f64 {
    r[k].as_f64()
        .unwrap_or_else(|| panic!("{k} is not a number: {}", r[k]))
}

#[test]
fn issue11_robust_writes_its_tables_skips_an_unknown_reading_and_is_the_same_on_1_and_2_threads() {
    let (a, b) = (tmp("t1"), tmp("t2"));
    let unknown = "params.no_such_reading=1|2";
    let stdout = ok(&a, &["--threads", "1", "--reading", unknown]);
    ok(&b, &["--threads", "2", "--reading", unknown]);

    let mut files: Vec<String> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut want: Vec<String> = TABLES
        .iter()
        .flat_map(|(t, _)| [format!("{t}.csv"), format!("{t}.json")])
        .collect();
    want.push("manifest.json".into());
    want.sort();
    assert_eq!(files, want);
    for f in files.iter().filter(|f| *f != "manifest.json") {
        assert!(
            read(&a.join(f)) == read(&b.join(f)),
            "{f} differs between 1 and 2 threads"
        );
    }

    let t: Vec<_> = TABLES.iter().map(|(s, c)| records(&a, s, c)).collect();
    let (readings, comparisons, flips, verdicts) = (&t[0], &t[1], &t[2], &t[3]);

    // The catalogue's seven readings are used; the unknown key is skipped.
    assert_eq!(readings.len(), 8);
    let skipped = &readings[7];
    assert_eq!(skipped["key"], "params.no_such_reading");
    assert_eq!(skipped["origin"], "command line");
    assert_eq!(skipped["status"], "skipped");
    assert!(skipped["note"].as_str().unwrap().contains("does not know"));
    assert!(
        stdout.contains("params.no_such_reading skipped"),
        "{stdout}"
    );
    assert!(readings[..7].iter().all(|r| r["status"] == "used"));

    // Seven readings, 2 x 3 x 2 x 2 x 2 x 2 x 2 = 192 combinations, more
    // than the default 32: one switch at a time, 9 settings with the
    // baseline, each with 2 strategies x (cumulative profit + NPV at 7
    // rates and 8%).
    let settings = 9;
    assert_eq!(comparisons.len(), settings * 2 * 9);
    assert_eq!(flips.len(), settings * 2);
    assert_eq!(verdicts.len(), 2);
    for v in verdicts {
        assert_eq!(num(v, "readings"), settings as f64);
        assert_eq!(num(v, "discount_rate"), 0.08);
        assert!(v["npv_significant"].is_boolean());
        assert!(v["npv_flip_rate"].is_null() || v["npv_flip_rate"].is_number());
        let share = num(v, "npv_long_wins_share");
        assert!((0.0..=1.0).contains(&share));
        assert!(stdout.contains(v["strategy"].as_str().unwrap()), "{stdout}");
    }
    for c in comparisons {
        for k in [
            "n",
            "long_mean",
            "short_mean",
            "mean_diff",
            "ci_lo",
            "ci_hi",
        ] {
            num(c, k);
        }
        assert_eq!(c["long_wins"], num(c, "mean_diff") > 0.0);
    }
    // NPV at 0% is the engine's cumulative profit, recomputed from the
    // monthly profit.
    for c in comparisons.iter().filter(|c| c["metric"] == "cum_profit") {
        let at0 = comparisons
            .iter()
            .find(|x| {
                x["reading"] == c["reading"]
                    && x["strategy"] == c["strategy"]
                    && x["discount_rate"].as_f64() == Some(0.0)
            })
            .unwrap();
        let (x, y) = (num(c, "mean_diff"), num(at0, "mean_diff"));
        assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0), "{x} vs {y}");
    }

    let m: Value = serde_json::from_slice(&read(&a.join("manifest.json"))).unwrap();
    assert_eq!(m["readings"].as_array().unwrap().len(), settings);
    assert_eq!(m["readings"][0], "baseline");
    assert_eq!(m["all_combinations"], false);
    assert_eq!(m["vendor"], "focal");
    assert_eq!(m["scenario_name"], "robust");
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

#[test]
fn robust_runs_one_switch_at_a_time_when_combinations_are_many() {
    let out = tmp("singles");
    let stdout = ok(&out, &["--max-combinations", "5"]);
    assert!(stdout.contains("not run"), "{stdout}");
    let m: Value = serde_json::from_slice(&read(&out.join("manifest.json"))).unwrap();
    assert_eq!(
        m["readings"],
        serde_json::json!([
            "baseline",
            "model.replace_dead_units=false",
            "model.grace_months=6",
            "model.grace_months=0",
            "model.squeeze_trust=every_miss",
            "model.jv_exclusive=false",
            "model.owned_trust=dynamic",
            "model.moved_customer=restarts",
            "model.rd_hold=after_first_profit"
        ])
    );
    assert_eq!(m["combinations"], 192);
    assert_eq!(m["all_combinations"], false);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn robust_refuses_bad_input_with_exit_2_and_writes_nothing() {
    let out = tmp("bad");
    for (args, says) in [
        (vec!["--reading", "model.grace_months=-1|2"], "grace_months"),
        (vec!["--reading", "model.grace_months"], "--reading"),
        (vec!["--set", "params.bass_q=-3"], "bass_q"),
        (vec!["--vendor", "nobody"], "nobody"),
    ] {
        let o = robust(&out, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.exists(), "{args:?} wrote output");
    }
    // A scenario without a strategy under both policies has nothing to compare.
    let o = bin()
        .arg("robust")
        .arg(fixture("single.toml"))
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("long_term and short_term"), "{err}");
    assert!(!out.exists());
}
