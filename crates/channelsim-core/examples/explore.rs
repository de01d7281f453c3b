//! Quick look at each strategy under both policies (one replicate).
use channelsim_core::ids::Strategy;
use channelsim_core::metrics::Collect;
use channelsim_core::{Scenario, run_replicate};

fn main() {
    let reps: u32 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    println!(
        "{:<18}{:<11}{:>5}{:>8}{:>8}{:>9}{:>10}{:>10}{:>6}{:>6}{:>6}{:>6}{:>6}{:>6}",
        "strategy",
        "policy",
        "m",
        "active",
        "churn",
        "arr",
        "cumprof",
        "npv",
        "sat",
        "units",
        "exit",
        "cap",
        "trust",
        "apps"
    );
    for s in Strategy::ALL {
        for preset in ["long_term", "short_term"] {
            let sc = Scenario::single(s, preset);
            let mut acc = [[0.0f64; 12]; 2];
            for rep in 0..reps {
                let mut c = Collect::default();
                run_replicate(&sc, rep, &mut c);
                for (j, m) in [24usize, 120].iter().enumerate() {
                    let r = &c.0[m - 1];
                    let churn: f64 = c.0[..*m].iter().map(|r| r.churned as f64).sum();
                    let v = [
                        r.active as f64,
                        churn,
                        r.arr,
                        r.cum_profit,
                        r.npv,
                        r.satisfaction,
                        r.units_alive as f64,
                        r.units_exited as f64,
                        r.unit_capability,
                        r.trust,
                        r.apps_in_use,
                        0.0,
                    ];
                    for k in 0..12 {
                        acc[j][k] += v[k] / reps as f64;
                    }
                }
            }
            for (j, m) in [24, 120].iter().enumerate() {
                let a = acc[j];
                println!(
                    "{:<18}{:<11}{:>5}{:>8.0}{:>8.0}{:>9.0}{:>10.0}{:>10.0}{:>6.2}{:>6.0}{:>6.0}{:>6.2}{:>6.2}{:>6.2}",
                    s.name(),
                    preset,
                    m,
                    a[0],
                    a[1],
                    a[2],
                    a[3],
                    a[4],
                    a[5],
                    a[6],
                    a[7],
                    a[8],
                    a[9],
                    a[10]
                );
            }
        }
    }
}
