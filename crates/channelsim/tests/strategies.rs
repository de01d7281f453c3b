//! Strategies as data (issue 13): a strategy and a kind of unit defined
//! only in a scenario file run beside the seed's seven and are compared
//! with them; a strategy naming an undefined kind is bad input.

mod common;

use common::{bin, fixture, read};
use std::path::PathBuf;

fn tmp(name: &str) -> PathBuf {
    common::scratch("strat", name)
}

/// The seed's seven strategies, as the engine lists them.
fn seed() -> impl Iterator<Item = &'static str> {
    channelsim_core::ids::Strategy::ALL.iter().map(|s| s.name())
}

#[test]
fn issue13_a_strategy_defined_in_a_scenario_file_runs_and_is_compared_with_the_seven() {
    let out = tmp("teams");
    let o = bin()
        .args(["run", fixture("small_online_teams.toml").to_str().unwrap()])
        .args(["--out", out.to_str().unwrap(), "--quiet", "--no-report"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let runs = String::from_utf8(read(&out.join("runs.csv"))).unwrap();
    let mut lines = runs.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (strategy, active, small, medium) = (
        col("strategy"),
        col("active"),
        col("active_small"),
        col("active_medium"),
    );
    let (alive, exited) = (col("units_alive"), col("units_exited"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let num = |r: &Vec<&str>, c: usize| r[c].parse::<f64>().unwrap();
    // Every strategy ran, under its own name in the results.
    let mut names: Vec<&str> = rows.iter().map(|r| r[strategy]).collect();
    names.dedup();
    let mut want = vec!["small_online_teams"];
    want.extend(seed());
    assert_eq!(names, want);
    // The new strategy's kinds did what their fields say: a team of three
    // in each of the 3 cities plus one online unit were opened (teams that
    // could not pay their way may have left), customers in small firms
    // (the teams) and in medium ones (online).
    let teams: Vec<&Vec<&str>> = rows
        .iter()
        .filter(|r| r[strategy] == "small_online_teams")
        .collect();
    assert_eq!(teams.len(), 2, "one row per replicate");
    for r in &teams {
        assert!(num(r, small) > 0.0 && num(r, medium) > 0.0, "{r:?}");
        assert!(num(r, alive) + num(r, exited) >= 4.0, "{r:?}");
    }
    // It is compared with the seven: same market, different outcomes.
    let online: Vec<&Vec<&str>> = rows.iter().filter(|r| r[strategy] == "online").collect();
    assert_ne!(num(teams[0], active), num(online[0], active));
    let compare: serde_json::Value =
        serde_json::from_slice(&read(&out.join("compare.json"))).unwrap();
    // compare.json: one record per (variant, metric).
    let mut variants: Vec<&str> = compare
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["variant"].as_str().unwrap())
        .collect();
    variants.sort_unstable();
    variants.dedup();
    assert_eq!(variants.len(), 8, "{variants:?}");
    assert!(variants.contains(&"small_online_teams"));
    let summary = String::from_utf8(read(&out.join("summary.csv"))).unwrap();
    assert!(
        summary
            .contains("small_online_teams,focal,small_online_teams,long_term,active,customers,2,")
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn issue13_a_strategy_naming_an_undefined_kind_exits_2_naming_file_line_and_key() {
    let out = tmp("bad");
    let o = bin()
        .args(["run", fixture("bad_strategy_kind.toml").to_str().unwrap()])
        .args(["--out", out.to_str().unwrap(), "--quiet"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad_strategy_kind.toml:7:"), "{err}");
    assert!(
        err.contains("params.strategies.teams.kinds[0].kind"),
        "{err}"
    );
    assert!(
        err.contains("team_of_three") || err.contains("reseller"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists());
}
