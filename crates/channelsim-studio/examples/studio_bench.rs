//! The studio's latency benchmark (issue 16): starts the real server on a
//! free loopback port with the default scenario, loads the first answer
//! (10 replicates, nothing cached), then plays a strategist's sequence of
//! lever changes over HTTP, each applied on top of the last, and reports
//! per change the wall time to the full answer, the CPU time the process
//! spent on it (which load from other processes does not inflate) and the
//! runs it computed; then the median and 95th percentile, and as a
//! yardstick the CPU time of the same 140 runs made by the runner alone.
//!
//!     cargo run --release -p channelsim-studio --example studio_bench
//!     cargo run --release -p channelsim-studio --example studio_bench -- --passes 3 --threads 2
//!
//! Each pass uses another seed, so a pass starts with nothing cached.

use channelsim_runner::scenario::DEFAULT_SCENARIO;
use channelsim_studio::{Base, Config, Server};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Instant;

/// The changes: (lever, value); "strategies" takes a comma list.
const CHANGES: [(&str, &str); 24] = [
    ("long.share_shift", "0.15"),
    ("long.share_shift", "0.2"),
    ("short.squeeze_on_miss", "0.1"),
    ("short.poach_on_miss", "0.4"),
    ("discount_rate", "0.15"),
    ("horizon_months", "60"),
    ("horizon_months", "120"),
    ("long.price_factor", "0.85"),
    ("long.share_shift", "0.1"),
    ("model.squeeze_trust", "every_miss"),
    ("long.patience", "24"),
    ("short.patience", "6"),
    ("market.segment_shares", "[0.5, 0.35, 0.13, 0.02]"),
    ("long.enablement", "3"),
    ("short.managers", "15"),
    ("strategies", "abu,city_exclusive,online"),
    ("long.rd_rate", "0.25"),
    ("strategies", ""),
    ("replicates", "12"),
    ("replicates", "10"),
    ("short.share_shift", "0"),
    ("model.owned_trust", "dynamic"),
    ("discount_rate", "0.3"),
    ("long.share_shift", "0.12"),
];

/// CPU seconds this process has used (user + system), from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |x| x.1);
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // Fields 14 and 15 of the file (utime, stime) in clock ticks (100 a second).
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn quantile(xs: &[f64], p: f64) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    // Nearest rank.
    let k = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[k - 1]
}

fn main() {
    let mut passes = 2;
    let mut threads = None;
    let args: Vec<String> = std::env::args().skip(1).collect();
    for w in args.windows(2) {
        match w[0].as_str() {
            "--passes" => passes = w[1].parse().expect("--passes N"),
            "--threads" => threads = Some(w[1].parse().expect("--threads N")),
            _ => {}
        }
    }
    let base = Base::new(DEFAULT_SCENARIO, "default.toml").expect("the default scenario");
    let cfg = Config {
        port: 0,
        threads,
        ..Config::default()
    };
    let server = Server::bind(base, &cfg).expect("bind");
    let url = format!("{}api/run", server.url());
    let stop = server.stopper();
    let serving = std::thread::spawn(move || server.run());
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "studio bench: default market (64,000 enterprises), 7 strategies x 2 policies, 10 replicates; {cores} cores, {} worker threads; load average at start {}",
        threads.map_or("all".to_string(), |t| t.to_string()),
        load()
    );
    println!(
        "{:>4}  {:<28} {:>24}  {:>8}  {:>8}  {:>5}",
        "#", "lever", "value", "wall ms", "cpu ms", "runs"
    );
    let (mut walls, mut cpus, mut firsts) = (Vec::new(), Vec::new(), Vec::new());
    for pass in 0..passes {
        let mut values: BTreeMap<String, String> = BTreeMap::new();
        values.insert("replicates".into(), "10".into());
        values.insert("seed".into(), (1000 + pass).to_string());
        let mut strategies: Vec<String> = Vec::new();
        let post = |values: &BTreeMap<String, String>, strategies: &[String]| {
            let body = json!({"strategies": strategies, "values": values});
            let (c0, t0) = (cpu_seconds(), Instant::now());
            let mut r = agent
                .post(&url)
                .header("X-Studio-Client", "bench")
                .send_json(&body)
                .expect("the studio answers");
            let v: Value = r.body_mut().read_json().expect("JSON");
            let wall = t0.elapsed().as_secs_f64() * 1e3;
            let cpu = (cpu_seconds() - c0) * 1e3;
            assert_eq!(r.status(), 200, "{v}");
            (wall, cpu, v["runs_computed"].as_u64().unwrap_or(0))
        };
        let (w, c, n) = post(&values, &strategies);
        firsts.push(w);
        println!(
            "{:>4}  {:<28} {:>24}  {w:>8.0}  {c:>8.0}  {n:>5}",
            format!("{pass}.0"),
            "(first answer, cold)",
            ""
        );
        for (i, (lever, value)) in CHANGES.iter().enumerate() {
            if *lever == "strategies" {
                strategies = value
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect();
            } else {
                values.insert(lever.to_string(), value.to_string());
            }
            let (w, c, n) = post(&values, &strategies);
            walls.push(w);
            cpus.push(c);
            println!(
                "{:>4}  {lever:<28} {value:>24}  {w:>8.0}  {c:>8.0}  {n:>5}",
                format!("{pass}.{}", i + 1)
            );
        }
    }
    println!(
        "\nlever changes: {}; wall ms: median {:.0}, p95 {:.0}, max {:.0}; cpu ms: median {:.0}, p95 {:.0}; first answer (cold, 140 runs) wall ms: {}",
        walls.len(),
        quantile(&walls, 0.5),
        quantile(&walls, 0.95),
        quantile(&walls, 1.0),
        quantile(&cpus, 0.5),
        quantile(&cpus, 0.95),
        firsts
            .iter()
            .map(|w| format!("{w:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("load average at end: {}", load());
    stop.stop();
    let _ = serving.join();
    // The yardstick: the same 140 runs (seed 42, 10 replicates) by the
    // runner alone, as `channelsim run` makes them. A change that re-runs
    // 140 runs cannot cost less CPU than this; the rest is the studio's.
    let file = channelsim_runner::scenario::parse_scenario(
        DEFAULT_SCENARIO,
        "default.toml",
        &["replicates=10".to_string()],
    )
    .expect("the default scenario");
    let scs: Vec<&channelsim_core::Scenario> = file.variants.iter().map(|v| &v.scenario).collect();
    let (c0, t0) = (cpu_seconds(), Instant::now());
    let runs = channelsim_runner::exec::run_all(&scs, 10, &|| {});
    println!(
        "yardstick: the runner alone, {} runs: wall {:.0} ms, cpu {:.0} ms (load average {})",
        runs.len(),
        t0.elapsed().as_secs_f64() * 1e3,
        (cpu_seconds() - c0) * 1e3,
        load()
    );
}
