//! Issue 12: the answer first (terminal and report), its figures in
//! answer.json, and the drivers of each profit gap summing to the gap.

mod common;

use common::{bin, fixture, read};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn tmp(name: &str) -> PathBuf {
    common::scratch("answer", name)
}

/// Runs the answer fixture into a fresh folder; returns it and stdout.
fn run(name: &str, extra: &[&str]) -> (PathBuf, String) {
    let out = tmp(name);
    let o = bin()
        .arg("run")
        .arg(fixture("answer.toml"))
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (out, String::from_utf8(o.stdout).unwrap())
}

fn json(p: &std::path::Path) -> Vec<serde_json::Value> {
    serde_json::from_slice::<serde_json::Value>(&read(p))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Mean over replicates of the cumulative profit at the horizon, per
/// variant and replicate, from runs.csv (M CNY).
fn cum_profit(out: &std::path::Path) -> BTreeMap<(String, u64), f64> {
    let mut r = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (v, rep, c) = (col("variant"), col("replicate"), col("cum_profit_mcny"));
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (
                (x[v].to_string(), x[rep].parse().unwrap()),
                x[c].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn issue12_run_states_the_winner_its_margin_and_every_verdict_first() {
    let (out, stdout) = run("first", &[]);
    let answer = json(&out.join("answer.json"));
    let compare = json(&out.join("compare.json"));
    // The winner is compare.json's first-ranked variant on cumulative profit.
    let best = compare
        .iter()
        .find(|r| r["metric"] == "cum_profit_mcny" && r["rank"] == 1)
        .unwrap()["variant"]
        .as_str()
        .unwrap()
        .to_string();
    let w = &answer[0];
    assert_eq!(w["kind"], "winner");
    assert_eq!(w["variant"], best.as_str());
    // The margin is the paired mean difference to the runner-up (runs.csv).
    let cum = cum_profit(&out);
    let other = w["other"].as_str().unwrap();
    let n = w["n"].as_u64().unwrap();
    let margin: f64 = (0..n)
        .map(|i| cum[&(best.clone(), i)] - cum[&(other.to_string(), i)])
        .sum::<f64>()
        / n as f64;
    let d = w["diff_mean"].as_f64().unwrap();
    assert!(
        (d - margin).abs() <= 1e-9 * margin.abs().max(1.0),
        "{d} vs {margin}"
    );
    assert!(w["diff_ci_lo"].as_f64().unwrap() <= d && d <= w["diff_ci_hi"].as_f64().unwrap());

    // The first lines: the winner with its margin and interval, then one
    // verdict per strategy, before the headline table.
    let lines: Vec<&str> = stdout.lines().collect();
    let first = lines[..3].join(" ");
    assert!(first.starts_with(&format!("Best: {best} ")), "{stdout}");
    assert!(
        first.contains("runner-up") && first.contains("[95% CI"),
        "{first}"
    );
    let table_at = stdout.find("Vendor `focal` at month 36").unwrap();
    for st in ["traditional", "online"] {
        let at = stdout.find(&format!("- {st}: ")).expect(st);
        assert!(at < table_at, "{st}'s verdict comes after the table");
        let line = &stdout[at..];
        assert!(
            [
                "long-term ahead (significant)",
                "short-term ahead (significant)",
                "no significant difference"
            ]
            .iter()
            .any(|v| line.starts_with(&format!("- {st}: {v}"))),
            "{line}"
        );
    }
    // A crossover month only where long-term is ahead in most replicates.
    for a in answer.iter().filter(|a| a["kind"] == "policy") {
        let ahead = a["share_ahead"].as_f64().unwrap();
        assert_eq!(a["crossover_month"].is_null(), ahead <= 0.5, "{a}");
        let text = a["text"].as_str().unwrap();
        if ahead <= 0.5 {
            assert!(
                text.contains("not ahead at the horizon in most replicates"),
                "{text}"
            );
        }
        // Significant means the interval excludes zero.
        let (lo, hi) = (
            a["diff_ci_lo"].as_f64().unwrap(),
            a["diff_ci_hi"].as_f64().unwrap(),
        );
        assert_eq!(a["significant"].as_bool().unwrap(), lo > 0.0 || hi < 0.0);
    }
    assert!(stdout.contains("Model readings: not available"), "{stdout}");

    // report.html: the answer is the first thing after the title.
    let html = String::from_utf8(read(&out.join("report.html"))).unwrap();
    let a = html.find("<section id=\"answer\"").expect("answer section");
    assert!(a < html.find("class=\"question\"").unwrap());
    assert!(a < html.find("<section id=\"headline\"").unwrap());
    let section = &html[a..html[a..].find("</section>").unwrap() + a];
    assert!(section.contains(&format!("Best: {best} ")), "{section}");
    assert!(section.contains("[95% CI"));
    for st in ["traditional", "online"] {
        assert!(section.contains(&format!("<li><b>{st}</b>: ")), "{st}");
    }
    // answer.md says the same in words.
    let md = String::from_utf8(read(&out.join("answer.md"))).unwrap();
    assert!(md.contains(w["text"].as_str().unwrap()));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn issue12_drivers_sum_to_the_cumulative_profit_gap() {
    let (out, stdout) = run("drivers", &["--explain"]);
    assert!(
        stdout.contains("Drivers of the cumulative-profit gap"),
        "{stdout}"
    );
    let cum = cum_profit(&out);
    let mut r = csv::Reader::from_path(out.join("drivers.csv")).unwrap();
    let mut pairs: BTreeMap<(String, String, String), (f64, f64, usize)> = BTreeMap::new();
    for row in r.deserialize::<channelsim_results::DriverRow>() {
        let row = row.unwrap();
        let e = pairs
            .entry((row.pair.clone(), row.a.clone(), row.b.clone()))
            .or_insert((0.0, row.gap_mcny, 0));
        e.0 += row.value_mcny;
        e.2 += 1;
    }
    // The winner against the runner-up and both long/short pairs.
    assert_eq!(pairs.len(), 3, "{pairs:?}");
    for ((pair, a, b), (sum, gap, k)) in &pairs {
        assert_eq!(*k, channelsim_results::answer::DRIVERS.len());
        // The gap is the mean paired difference of cumulative profit.
        let reps: Vec<u64> = cum
            .keys()
            .filter(|(v, _)| v == a)
            .map(|(_, i)| *i)
            .collect();
        let want = reps
            .iter()
            .map(|i| cum[&(a.clone(), *i)] - cum[&(b.clone(), *i)])
            .sum::<f64>()
            / reps.len() as f64;
        let rel = |x: f64, y: f64| (x - y).abs() / y.abs().max(1e-9);
        assert!(
            rel(*gap, want) < 1e-6,
            "{pair} {a}-{b}: gap {gap} vs runs.csv {want}"
        );
        assert!(
            rel(*sum, *gap) < 1e-6,
            "{pair} {a}-{b}: drivers sum {sum} vs gap {gap}"
        );
        assert!(gap.abs() > 0.0, "a zero gap tests nothing");
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn issue12_a_robust_folder_beside_the_results_says_how_many_readings_agree() {
    let out = tmp("readings");
    let robust = out.with_file_name(format!(
        "{}-robust",
        out.file_name().unwrap().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&robust);
    let o = bin()
        .arg("robust")
        .arg(fixture("answer.toml"))
        .args(["--replicates", "2", "--out"])
        .arg(&robust)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = bin()
        .arg("run")
        .arg(fixture("answer.toml"))
        .args(["--replicates", "2", "--quiet", "--no-report", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Each verdict is counted against robust's verdicts.csv.
    let mut r = csv::Reader::from_path(robust.join("verdicts.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let verdicts: Vec<(String, f64, f64)> = r
        .records()
        .map(|x| {
            let x = x.unwrap();
            (
                x[col("strategy")].to_string(),
                x[col("readings")].parse().unwrap(),
                x[col("cum_profit_long_wins_share")].parse().unwrap(),
            )
        })
        .collect();
    let answer = json(&out.join("answer.json"));
    for a in answer.iter().filter(|a| a["kind"] == "policy") {
        let (_, total, long) = verdicts
            .iter()
            .find(|v| v.0 == a["strategy"].as_str().unwrap())
            .unwrap();
        let long_wins = a["diff_mean"].as_f64().unwrap() > 0.0;
        let want = if long_wins {
            long * total
        } else {
            (1.0 - long) * total
        };
        assert_eq!(a["readings_total"].as_f64().unwrap(), *total);
        assert_eq!(a["readings_agree"].as_f64().unwrap(), want.round(), "{a}");
        assert!(a["text"].as_str().unwrap().contains("model readings agree"));
    }
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&robust);
}
