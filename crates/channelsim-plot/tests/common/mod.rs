//! Synthetic result folders in the formats of docs/results.md.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

pub const METRICS: [&str; 39] = [
    "active",
    "active_small",
    "active_medium",
    "active_large",
    "active_strategic",
    "new_customers",
    "churned",
    "arr",
    "revenue",
    "gross_profit",
    "profit",
    "cum_profit",
    "npv",
    "share_tier1",
    "share_tier2",
    "share_tier3",
    "share_tier4",
    "satisfaction",
    "ring0",
    "ring1",
    "ring2",
    "ring3",
    "ring4",
    "units_alive",
    "units_exited",
    "unit_capability",
    "unit_profit_mean",
    "unit_profit_total",
    "unit_cash",
    "trust",
    "apps_built",
    "apps_validated",
    "apps_in_use",
    "customer_surplus",
    "ecosystem_value",
    "cum_ecosystem_value",
    "quality",
    "support",
    "vendor_cash",
];

pub const STRATEGIES: [&str; 7] = [
    "traditional",
    "abu",
    "amoeba",
    "team_replication",
    "joint_venture",
    "city_exclusive",
    "online",
];

/// A small deterministic generator (no extra dependency).
pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }
    pub fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Roughly normal (sum of uniforms).
    pub fn normal(&mut self) -> f64 {
        (0..6).map(|_| self.next()).sum::<f64>() - 3.0
    }
}

pub struct Variant {
    pub name: String,
    pub strategy: String,
    pub policy: String,
}

pub struct Spec {
    pub variants: Vec<Variant>,
    pub vendors: Vec<String>,
    pub replicates: usize,
    pub months: usize,
}

impl Spec {
    /// `n` strategies × both policies, named "strategy / policy".
    pub fn grid(n_strategies: usize, reps: usize, months: usize) -> Spec {
        let mut variants = Vec::new();
        for s in STRATEGIES.iter().take(n_strategies) {
            for p in ["long_term", "short_term"] {
                variants.push(Variant {
                    name: format!("{s} / {p}"),
                    strategy: s.to_string(),
                    policy: p.to_string(),
                });
            }
        }
        Spec {
            variants,
            vendors: vec!["focal".into()],
            replicates: reps,
            months,
        }
    }
}

/// One replicate's metric values per month for a variant.
fn simulate(si: usize, long: bool, vendor: usize, rep: usize, months: usize) -> Vec<Vec<f64>> {
    let mut rng = Rng::new((si * 1000 + vendor * 100 + rep) as u64 + long as u64 * 7);
    let k = 3000.0 + 900.0 * si as f64 - 600.0 * vendor as f64;
    let acv = 25.0 + 4.0 * si as f64;
    let shock = 1.0 + 0.08 * rng.normal();
    let mut cum = 0.0;
    let mut npv = 0.0;
    let mut apps: f64 = 0.0;
    let mut out = Vec::new();
    let tau = if long { 30.0 } else { 14.0 };
    let cap = if long { 1.25 } else { 1.0 };
    for m in 1..=months {
        let t = m as f64;
        let active =
            (k * cap * shock * (1.0 - (-t / tau).exp()) * (1.0 + 0.02 * rng.normal())).max(0.0);
        let arr = active * acv * if long { 0.9 } else { 1.1 };
        let revenue = arr / 12.0;
        let cost = if long { 0.55 } else { 0.7 } * revenue + if long { 900.0 } else { 250.0 };
        let profit = revenue - cost;
        cum += profit;
        npv += profit / (1.0f64 + 0.08).powf(t / 12.0);
        apps += if long { 0.3 } else { 0.1 } * rng.next() * (si as f64 + 1.0);
        let sat =
            (if long { 0.72 } else { 0.55 }) + 0.05 * (t / months as f64) + 0.01 * rng.normal();
        let trust =
            (if long { 0.8 } else { 0.45 }) - if long { 0.0 } else { 0.15 * t / months as f64 };
        let units = (if long {
            40.0
        } else {
            40.0 - 12.0 * t / months as f64
        })
        .round();
        let cap_u = 0.3 + (if long { 0.4 } else { 0.15 }) * (1.0 - (-t / 40.0).exp());
        let shares = [
            0.55 - 0.3 * t / months as f64,
            0.25,
            0.1 + 0.15 * t / months as f64,
            0.07,
            0.03,
        ];
        let s_sum: f64 = shares.iter().sum();
        let mut row = Vec::new();
        for name in METRICS {
            let v = match name {
                "active" => active.round(),
                "active_small" => (active * 0.7).round(),
                "active_medium" => (active * 0.22).round(),
                "active_large" => (active * 0.07).round(),
                "active_strategic" => (active * 0.01).round(),
                "arr" => arr,
                "revenue" => revenue,
                "gross_profit" => revenue * 0.6,
                "profit" => profit,
                "cum_profit" => cum,
                "npv" => npv,
                "satisfaction" => sat,
                "units_alive" => units,
                "units_exited" => 40.0 - units,
                "unit_capability" => cap_u,
                "trust" => trust,
                "apps_built" => (apps * 1.5).floor(),
                "apps_validated" => apps.floor(),
                r if r.starts_with("ring") => {
                    let i: usize = r[4..].parse().unwrap();
                    (active * shares[i] / s_sum).round()
                }
                r if r.starts_with("share_tier") => 0.1,
                _ => rng.next() * 10.0,
            };
            row.push(v);
        }
        out.push(row);
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn mean_ci(v: &[f64]) -> (f64, f64, f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let sd = if v.len() > 1 {
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    let h = 2.1 * sd / n.sqrt();
    (m, sd, m - h, m + h)
}

/// Writes series.csv, summary.csv, compare.json (when several variants) and
/// manifest.json into `dir`.
pub fn write_run(dir: &Path, spec: &Spec, description: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let idx = |s: &str| STRATEGIES.iter().position(|x| *x == s).unwrap_or(0);
    // data[variant][vendor][rep][month][metric]
    let data: Vec<Vec<Vec<Vec<Vec<f64>>>>> = spec
        .variants
        .iter()
        .map(|v| {
            (0..spec.vendors.len())
                .map(|d| {
                    (0..spec.replicates)
                        .map(|r| {
                            simulate(idx(&v.strategy), v.policy == "long_term", d, r, spec.months)
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let mut s = String::from("variant,replicate,month,vendor,strategy,policy");
    for m in METRICS {
        s += ",";
        s += m;
    }
    s += "\n";
    // Rows ordered variant, replicate, month, vendor (as the runner writes).
    #[allow(clippy::needless_range_loop)]
    for (vi, v) in spec.variants.iter().enumerate() {
        for r in 0..spec.replicates {
            for t in 0..spec.months {
                for (d, vendor) in spec.vendors.iter().enumerate() {
                    let _ = write!(
                        s,
                        "{},{r},{},{},{},{}",
                        csv_field(&v.name),
                        t + 1,
                        csv_field(vendor),
                        v.strategy,
                        v.policy
                    );
                    for x in &data[vi][d][r][t] {
                        let _ = write!(s, ",{x}");
                    }
                    s += "\n";
                }
            }
        }
    }
    std::fs::write(dir.join("series.csv"), s).unwrap();

    let last = spec.months - 1;
    let horizon = |vi: usize, d: usize, metric: &str| -> Vec<f64> {
        if metric == "unit_survival" {
            let a = METRICS.iter().position(|m| *m == "units_alive").unwrap();
            let e = METRICS.iter().position(|m| *m == "units_exited").unwrap();
            return data[vi][d]
                .iter()
                .map(|rep| rep[last][a] / (rep[last][a] + rep[last][e]))
                .collect();
        }
        let k = METRICS.iter().position(|m| *m == metric).unwrap();
        data[vi][d].iter().map(|rep| rep[last][k]).collect()
    };
    let mut s = String::from("variant,vendor,strategy,policy,metric,n,mean,sd,ci_lo,ci_hi\n");
    for (vi, v) in spec.variants.iter().enumerate() {
        for (d, vendor) in spec.vendors.iter().enumerate() {
            for m in METRICS.iter().chain(&["unit_survival"]) {
                let (mean, sd, lo, hi) = mean_ci(&horizon(vi, d, m));
                let _ = writeln!(
                    s,
                    "{},{},{},{},{m},{},{mean},{sd},{lo},{hi}",
                    csv_field(&v.name),
                    csv_field(vendor),
                    v.strategy,
                    v.policy,
                    spec.replicates
                );
            }
        }
    }
    std::fs::write(dir.join("summary.csv"), s).unwrap();

    if spec.variants.len() > 1 {
        let headline = [
            "cum_profit",
            "npv",
            "active",
            "arr",
            "satisfaction",
            "unit_survival",
        ];
        let stat = |v: &[f64]| {
            let (mean, sd, lo, hi) = mean_ci(v);
            json!({"n": v.len(), "mean": mean, "sd": sd, "ci_lo": lo, "ci_hi": hi})
        };
        let variants: Vec<Value> = spec
            .variants
            .iter()
            .enumerate()
            .map(|(vi, v)| {
                let h: serde_json::Map<String, Value> = headline
                    .iter()
                    .map(|m| (m.to_string(), stat(&horizon(vi, 0, m))))
                    .collect();
                json!({"name": v.name, "strategy": v.strategy, "policy": v.policy, "horizon": h})
            })
            .collect();
        let mut paired = Vec::new();
        for (vi, v) in spec.variants.iter().enumerate().skip(1) {
            for m in headline {
                let d: Vec<f64> = horizon(vi, 0, m)
                    .iter()
                    .zip(horizon(0, 0, m))
                    .map(|(a, b)| a - b)
                    .collect();
                let (mean, _, lo, hi) = mean_ci(&d);
                let better = d.iter().filter(|x| **x > 0.0).count() as f64 / d.len() as f64;
                paired.push(
                    json!({"variant": v.name, "metric": m, "n": d.len(), "mean_diff": mean,
                    "ci_lo": lo, "ci_hi": hi, "share_better": better}),
                );
            }
        }
        let k = METRICS.iter().position(|m| *m == "cum_profit").unwrap();
        let mut pairs = Vec::new();
        for (li, l) in spec.variants.iter().enumerate() {
            let Some(si) = spec
                .variants
                .iter()
                .position(|s| s.strategy == l.strategy && s.policy == "short_term")
            else {
                continue;
            };
            if l.policy != "long_term" {
                continue;
            }
            let diffs: Vec<Vec<f64>> = (0..spec.replicates)
                .map(|r| {
                    (0..spec.months)
                        .map(|t| data[li][0][r][t][k] - data[si][0][r][t][k])
                        .collect()
                })
                .collect();
            let diff: Vec<Value> = (0..spec.months)
                .map(|t| {
                    let col: Vec<f64> = diffs.iter().map(|d| d[t]).collect();
                    let (mean, _, lo, hi) = mean_ci(&col);
                    json!({"month": t + 1, "mean": mean, "ci_lo": lo, "ci_hi": hi})
                })
                .collect();
            let crossings: Vec<f64> = diffs
                .iter()
                .filter_map(|d| {
                    if *d.last()? <= 0.0 {
                        return None;
                    }
                    let mut m = d.len();
                    while m > 0 && d[m - 1] > 0.0 {
                        m -= 1;
                    }
                    Some(m as f64 + 1.0)
                })
                .collect();
            let crossover = if crossings.is_empty() {
                json!({"month_mean": null, "month_median": null, "month_lo": null, "month_hi": null, "share_crossed": 0.0})
            } else {
                let mut c = crossings.clone();
                c.sort_by(f64::total_cmp);
                json!({"month_mean": c.iter().sum::<f64>() / c.len() as f64,
                       "month_median": c[c.len() / 2], "month_lo": c[0], "month_hi": c[c.len() - 1],
                       "share_crossed": c.len() as f64 / spec.replicates as f64})
            };
            pairs.push(
                json!({"strategy": l.strategy, "long": l.name, "short": spec.variants[si].name,
                "metric": "cum_profit", "diff": diff, "crossover": crossover}),
            );
        }
        let compare = json!({
            "vendor": spec.vendors[0], "baseline": spec.variants[0].name, "horizon": spec.months,
            "metrics": headline, "variants": variants, "paired": paired,
            "ranking": [{"metric": "cum_profit", "order": spec.variants.iter().map(|v| v.name.clone()).collect::<Vec<_>>()}],
            "policy_pairs": pairs,
        });
        std::fs::write(
            dir.join("compare.json"),
            serde_json::to_string_pretty(&compare).unwrap(),
        )
        .unwrap();
    }

    let manifest = json!({
        "engine_version": "0.1.0", "model_version": "v1", "command": "compare",
        "scenario_name": "fixture", "scenario_file": "scenarios/fixture.toml",
        "scenario_hash": "ab12cd34", "description": description,
        "scenario": {
            "name": "fixture", "description": description, "model": "v1",
            "horizon_months": spec.months, "replicates": spec.replicates, "seed": 42,
            "discount_rate": 0.08,
            "market": {"cities": [{"tier": 1, "enterprises": 8000, "addressable_share": 1.0}],
                       "segment_shares": [0.7, 0.22, 0.07, 0.01]},
            "vendors": spec.vendors.iter().map(|v| json!({"name": v, "policy_preset": "long_term",
                "policy": {"share_shift": 0.1, "price_factor": 0.9}})).collect::<Vec<_>>(),
            "switches": {"churn": true, "fixed_reach": null},
            "params": {"ring_growth": 0.35, "bass_p": 0.004, "bass_q": 0.5, "base_acv": [20.0, 80.0, 300.0, 1500.0]}
        },
        "variants": spec.variants.iter().map(|v| json!({"name": v.name,
            "overrides": {"vendor.focal.strategy": v.strategy, "vendor.focal.policy": v.policy}})).collect::<Vec<_>>(),
        "defaults": {"ring_growth": 0.35, "bass_p": 0.003, "bass_q": 0.5, "base_acv": [20.0, 80.0, 300.0, 1500.0]},
        "replicates": spec.replicates, "seed": 42,
        "replicate_seeds": (0..spec.replicates).map(|r| format!("seed 42 / replicate {r}")).collect::<Vec<_>>(),
        "threads": 2, "host": "testhost", "started": "2026-01-01T00:00:00Z",
        "finished": "2026-01-01T00:01:00Z", "wall_seconds": 60.5
    });
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
}

/// A two-factor grid sweep (design.csv, results.csv) with a Sobol and a
/// Morris analysis in sensitivity.json.
pub fn write_sweep(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let mut d = String::from(
        "run_id,point_id,replicate,seed,params.bass_p,vendor.focal.policy.share_shift\n",
    );
    let mut r = String::from("run_id,point_id,replicate,vendor,cum_profit,active\n");
    let mut rng = Rng::new(3);
    let mut run = 0;
    let (ps, ss) = ([0.002, 0.004, 0.006, 0.008], [-0.05, 0.0, 0.05, 0.1, 0.15]);
    for (pi, p) in ps.iter().enumerate() {
        for (si, s) in ss.iter().enumerate() {
            for rep in 0..3 {
                let point = pi * ss.len() + si;
                let _ = writeln!(d, "{run},{point},{rep},{},{p},{s}", 42 + rep);
                let active = 2000.0 + 3e5 * p + 4000.0 * s + 80.0 * rng.normal();
                let cum = 40_000.0 * (1.0 + 100.0 * p) * (1.0 + 2.0 * s) + 2000.0 * rng.normal();
                let _ = writeln!(r, "{run},{point},{rep},focal,{cum},{active}");
                let _ = writeln!(
                    r,
                    "{run},{point},{rep},rival,{},{}",
                    cum * 0.5,
                    active * 0.5
                );
                run += 1;
            }
        }
    }
    std::fs::write(dir.join("design.csv"), d).unwrap();
    std::fs::write(dir.join("results.csv"), r).unwrap();
    let factors = [
        "params.bass_p",
        "params.bass_q",
        "vendor.focal.policy.share_shift",
        "vendor.focal.policy.price_factor",
        "params.ring_growth",
        "params.need_concentration",
        "switches.fixed_reach",
    ];
    let sens = json!([
        {"method": "sobol", "metric": "cum_profit", "factors": factors,
         "S1": [0.42, 0.18, 0.2, 0.05, 0.01, -0.01, 0.0], "S1_conf": [0.05, 0.04, 0.05, 0.02, 0.01, 0.01, 0.01],
         "ST": [0.5, 0.25, 0.28, 0.06, 0.02, 0.01, 0.005], "ST_conf": [0.06, 0.05, 0.05, 0.02, 0.01, 0.01, 0.01],
         "S2": [[null, 0.01], [0.01, null]]},
        {"method": "morris", "metric": "cum_profit", "factors": factors,
         "mu": [120000.0, 50000.0, 48000.0, -2000.0, 900.0, 950.0, 30.0],
         "mu_star": [125000.0, 52000.0, 50000.0, 9000.0, 1000.0, 1100.0, 40.0],
         "sigma": [60000.0, 30000.0, 31000.0, 4000.0, 800.0, 850.0, 20.0],
         "mu_star_conf": [20000.0, 9000.0, 8000.0, 3000.0, 300.0, 300.0, 10.0]}
    ]);
    std::fs::write(
        dir.join("sensitivity.json"),
        serde_json::to_string_pretty(&sens).unwrap(),
    )
    .unwrap();
}

/// A sweep over variants, with a text-valued factor (as the runner writes
/// lists), and `sensitivity.json` holding its analyses under `results`.
pub fn write_variant_sweep(dir: &Path, variants: &[&str]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut d =
        String::from("run_id,point_id,variant,replicate,seed,params.bass_q,params.base_churn\n");
    let mut r = String::from("run_id,point_id,variant,replicate,vendor,npv,unit_survival\n");
    let mut rng = Rng::new(5);
    let mut run = 0;
    let churns = [
        "[0.15, 0.1, 0.05, 0.02]",
        "[0.25, 0.15, 0.08, 0.04]",
        "[0.4, 0.25, 0.12, 0.06]",
    ];
    for (vi, v) in variants.iter().enumerate() {
        for (qi, q) in [0.02, 0.03, 0.05].iter().enumerate() {
            for (ci, c) in churns.iter().enumerate() {
                for rep in 0..2 {
                    let point = qi * churns.len() + ci;
                    let _ = writeln!(d, "{run},{point},{},{rep},42,{q},\"{c}\"", csv_field(v));
                    let npv = 1e5 * (1.0 + vi as f64) * (1.0 + 20.0 * q) * (1.0 - 0.2 * ci as f64)
                        + 5000.0 * rng.normal();
                    let surv = 0.5 + 0.05 * vi as f64 - 0.05 * ci as f64;
                    let _ = writeln!(r, "{run},{point},{},{rep},focal,{npv},{surv}", csv_field(v));
                    run += 1;
                }
            }
        }
    }
    std::fs::write(dir.join("design.csv"), d).unwrap();
    std::fs::write(dir.join("results.csv"), r).unwrap();
    let sens = json!({"method": "morris", "factors": ["params.bass_q", "params.base_churn"], "replicates": 2,
        "results": variants.iter().map(|v| json!({"metric": "npv", "variant": v,
            "mu": [1e5, -2e4], "mu_star": [1e5, 3e4], "mu_star_conf": [2e4, 1e4], "sigma": [5e4, 2e4]})).collect::<Vec<_>>()});
    std::fs::write(
        dir.join("sensitivity.json"),
        serde_json::to_string_pretty(&sens).unwrap(),
    )
    .unwrap();
    let manifest = json!({"engine_version": "0.1.0", "command": "sweep",
        "experiment": {"name": "churn_grid", "description": "Robust choice over churn futures", "factors": ["params.bass_q", "params.base_churn"]},
        "runs": run, "wall_seconds": 3.5});
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
}

/// A fresh empty folder under the target directory.
pub fn fresh_dir(name: &str) -> PathBuf {
    let base = option_env!("CARGO_TARGET_TMPDIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let d = base.join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
