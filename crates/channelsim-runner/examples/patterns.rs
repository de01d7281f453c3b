//! Examine MODEL.md's patterns P1-P7 on the default market with many
//! replicates and print the figures as markdown (docs/patterns.md).
//! Usage: cargo run --release -p channelsim-runner --example patterns [replicates]

use channelsim_core::VendorMonth;
use channelsim_runner::compare::crossover_month;
use channelsim_runner::exec::{RunResult, run_all};
use channelsim_runner::scenario::{DEFAULT_SCENARIO, parse_scenario};
use channelsim_stats::{PairedDiff, Summary};
use std::path::Path;

fn at(run: &RunResult, vendor: u32, month: u32) -> &VendorMonth {
    run.rows
        .iter()
        .find(|r| r.vendor == vendor && r.month == month)
        .expect("month in range")
}

fn stat(xs: &[f64]) -> String {
    let s = Summary::of(xs).unwrap();
    let f = |x: f64| {
        if x.abs() >= 100.0 {
            format!("{x:.0}")
        } else {
            format!("{x:.3}")
        }
    };
    format!("{} [{}, {}]", f(s.mean), f(s.ci_lo), f(s.ci_hi))
}

fn main() {
    let reps: u32 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let file = parse_scenario(DEFAULT_SCENARIO, "default.toml", &[]).unwrap();
    let names: Vec<String> = file.variants.iter().map(|v| v.name.clone()).collect();
    let scen: Vec<_> = file.variants.iter().map(|v| &v.scenario).collect();
    let runs = run_all(&scen, reps, &|| {});
    let of = |vi: usize| runs.iter().filter(move |r| r.variant == vi);
    let col = |vi: usize, f: &dyn Fn(&RunResult) -> f64| -> Vec<f64> { of(vi).map(f).collect() };

    println!("## Default market, one vendor alone, {reps} replicates (mean [95% CI])\n");
    println!(
        "| variant | active m24 | active m120 | churned/yr per 100 active (m109-120) | unit survival m120 | units exited m120 | satisfaction m120 | ARR per customer m120 | capability m120 | apps in use m120 | cum profit m24 | cum profit m120 | NPV m120 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (vi, n) in names.iter().enumerate() {
        let churn = |r: &RunResult| {
            let lost: f64 = (109..=120).map(|m| at(r, 0, m).churned as f64).sum();
            let act: f64 = (109..=120).map(|m| at(r, 0, m).active as f64).sum::<f64>() / 12.0;
            100.0 * lost / act.max(1.0)
        };
        println!(
            "| {n} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            stat(&col(vi, &|r| at(r, 0, 24).active as f64)),
            stat(&col(vi, &|r| at(r, 0, 120).active as f64)),
            stat(&col(vi, &churn)),
            stat(&col(vi, &|r| {
                let x = at(r, 0, 120);
                x.units_alive as f64 / (x.units_alive + x.units_exited) as f64
            })),
            stat(&col(vi, &|r| at(r, 0, 120).units_exited as f64)),
            stat(&col(vi, &|r| at(r, 0, 120).satisfaction)),
            stat(&col(vi, &|r| {
                let x = at(r, 0, 120);
                x.arr / (x.active as f64).max(1.0)
            })),
            stat(&col(vi, &|r| at(r, 0, 120).unit_capability)),
            stat(&col(vi, &|r| at(r, 0, 120).apps_in_use)),
            stat(&col(vi, &|r| at(r, 0, 24).cum_profit)),
            stat(&col(vi, &|r| at(r, 0, 120).cum_profit)),
            stat(&col(vi, &|r| at(r, 0, 120).npv)),
        );
    }

    println!("\n## P7: long-term minus short-term, paired over {reps} replicates\n");
    println!(
        "| strategy | cum profit m24 | cum profit m120 | NPV m120 (8%) | crossover month of cum profit (median; share of replicates) |"
    );
    println!("|---|---|---|---|---|");
    for vi in (0..names.len()).step_by(2) {
        let (l, s) = (vi, vi + 1);
        let d = |m: u32, f: &dyn Fn(&VendorMonth) -> f64| {
            let a = col(l, &|r| f(at(r, 0, m)));
            let b = col(s, &|r| f(at(r, 0, m)));
            let p = PairedDiff::of(&a, &b).unwrap();
            format!("{:.0} [{:.0}, {:.0}]", p.mean_diff, p.ci_lo, p.ci_hi)
        };
        let crosses: Vec<Option<u32>> = of(l)
            .zip(of(s))
            .map(|(a, b)| {
                let diff: Vec<f64> = (1..=120)
                    .map(|m| at(a, 0, m).cum_profit - at(b, 0, m).cum_profit)
                    .collect();
                crossover_month(&diff)
            })
            .collect();
        let months: Vec<f64> = crosses.iter().flatten().map(|&m| m as f64).collect();
        let cross = if months.is_empty() {
            "never".to_string()
        } else {
            format!(
                "{:.0}; {:.0}%",
                channelsim_stats::quantile(&months, 0.5).unwrap(),
                100.0 * months.len() as f64 / crosses.len() as f64
            )
        };
        println!(
            "| {} | {} | {} | {} | {cross} |",
            names[l].split(" / ").next().unwrap(),
            d(24, &|x| x.cum_profit),
            d(120, &|x| x.cum_profit),
            d(120, &|x| x.npv)
        );
    }

    // P7 at a high discount rate, and the discount rate at which the sign flips.
    println!(
        "\n## P7: NPV difference (long minus short) by discount rate, mean over {reps} replicates\n"
    );
    let rates = [0.0, 0.08, 0.2, 0.4, 0.6, 1.0, 2.0];
    print!("| strategy |");
    for r in rates {
        print!(" {:.0}% |", r * 100.0);
    }
    println!("\n|---|{}", "---|".repeat(rates.len()));
    for vi in (0..names.len()).step_by(2) {
        print!("| {} |", names[vi].split(" / ").next().unwrap());
        for rate in rates {
            let npv = |v: usize| -> f64 {
                of(v)
                    .map(|r| {
                        r.rows
                            .iter()
                            .filter(|x| x.vendor == 0)
                            .map(|x| x.profit / (1.0f64 + rate).powf(x.month as f64 / 12.0))
                            .sum::<f64>()
                    })
                    .sum::<f64>()
                    / reps as f64
            };
            print!(" {:.0} |", npv(vi) - npv(vi + 1));
        }
        println!();
    }

    // P6: online against a local channel in one market.
    let scen_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    for (file, title) in [(
        "online_vs_local.toml",
        "P6: online vendor and local vendor in one market",
    )] {
        let f = channelsim_runner::scenario::load_scenario(&scen_dir.join(file), &[]).unwrap();
        let sc = &f.variants[0].scenario;
        let runs = run_all(&[sc], reps, &|| {});
        println!("\n## {title} ({file}, {reps} replicates)\n");
        println!(
            "| vendor | strategy | month | small | medium | large | strategic | satisfaction | cum profit |"
        );
        println!("|---|---|---|---|---|---|---|---|---|");
        for (v, spec) in sc.vendors.iter().enumerate() {
            for m in [24, 120] {
                let c = |f: &dyn Fn(&VendorMonth) -> f64| {
                    stat(
                        &runs
                            .iter()
                            .map(|r| f(at(r, v as u32, m)))
                            .collect::<Vec<_>>(),
                    )
                };
                println!(
                    "| {} | {} | {m} | {} | {} | {} | {} | {} | {} |",
                    spec.name,
                    spec.mix.label(),
                    c(&|x| x.active_small as f64),
                    c(&|x| x.active_medium as f64),
                    c(&|x| x.active_large as f64),
                    c(&|x| x.active_strategic as f64),
                    c(&|x| x.satisfaction),
                    c(&|x| x.cum_profit),
                );
            }
        }
    }

    // P3: joint ventures and head-office capacity.
    println!(
        "\n## P3: joint ventures against head-office management capacity ({reps} replicates)\n"
    );
    println!(
        "| managers M | support m120 | satisfaction m120 | capability m120 | active m120 | cum profit m120 |"
    );
    println!("|---|---|---|---|---|---|");
    let jv = file
        .variants
        .iter()
        .find(|v| v.name == "joint_venture / long_term")
        .unwrap();
    for m in [24.0, 12.0, 8.0, 6.0, 4.0] {
        let mut sc = jv.scenario.clone();
        sc.vendors[0].policy.managers = m;
        sc.vendors[0].policy.managers_growth = 0.0;
        let runs = run_all(&[&sc], reps, &|| {});
        let c = |f: &dyn Fn(&VendorMonth) -> f64| {
            stat(&runs.iter().map(|r| f(at(r, 0, 120))).collect::<Vec<_>>())
        };
        println!(
            "| {m} (no growth) | {} | {} | {} | {} | {} |",
            c(&|x| x.support),
            c(&|x| x.satisfaction),
            c(&|x| x.unit_capability),
            c(&|x| x.active as f64),
            c(&|x| x.cum_profit)
        );
    }

    // P2: ABU where large and strategic accounts are dense or sparse.
    println!("\n## P2: ABU in a market of dense or sparse large accounts ({reps} replicates)\n");
    println!(
        "| market | ABU cum profit m120 | ABU NPV m120 | best other strategy (long-term) cum profit m120 |"
    );
    println!("|---|---|---|---|");
    for (label, shares) in [
        ("dense: 20% large, 5% strategic", [0.55, 0.20, 0.20, 0.05]),
        ("default: 7% large, 1% strategic", [0.70, 0.22, 0.07, 0.01]),
        (
            "sparse: 2% large, 0.2% strategic",
            [0.778, 0.2, 0.02, 0.002],
        ),
    ] {
        let mut best_other = f64::NEG_INFINITY;
        let mut best_name = String::new();
        let mut abu = (String::new(), String::new());
        for (vi, v) in file.variants.iter().enumerate() {
            if vi % 2 == 1 {
                continue;
            }
            let mut sc = v.scenario.clone();
            sc.market.segment_shares = shares;
            let runs = run_all(&[&sc], reps, &|| {});
            let cp: Vec<f64> = runs.iter().map(|r| at(r, 0, 120).cum_profit).collect();
            if v.name.starts_with("abu") {
                abu = (
                    stat(&cp),
                    stat(&runs.iter().map(|r| at(r, 0, 120).npv).collect::<Vec<_>>()),
                );
            } else {
                let mean = cp.iter().sum::<f64>() / cp.len() as f64;
                if mean > best_other {
                    best_other = mean;
                    best_name = v.name.clone();
                }
            }
        }
        println!(
            "| {label} | {} | {} | {best_name}: {best_other:.0} |",
            abu.0, abu.1
        );
    }

    // P4: team replication's early years.
    println!("\n## P4: the first years, long-term policy ({reps} replicates)\n");
    println!(
        "| variant | units m12 | units m36 | units m120 | capability m12 | capability m36 | profit months 1-24 | profit months 25-60 |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (vi, n) in names.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
        let sum = |r: &RunResult, a: u32, b: u32| (a..=b).map(|m| at(r, 0, m).profit).sum::<f64>();
        println!(
            "| {n} | {} | {} | {} | {} | {} | {} | {} |",
            stat(&col(vi, &|r| at(r, 0, 12).units_alive as f64)),
            stat(&col(vi, &|r| at(r, 0, 36).units_alive as f64)),
            stat(&col(vi, &|r| at(r, 0, 120).units_alive as f64)),
            stat(&col(vi, &|r| at(r, 0, 12).unit_capability)),
            stat(&col(vi, &|r| at(r, 0, 36).unit_capability)),
            stat(&col(vi, &|r| sum(r, 1, 24))),
            stat(&col(vi, &|r| sum(r, 25, 60))),
        );
    }
}
