//! Synthetic result folders in the formats of docs/results.md.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use channelsim_results::catalogue;
use channelsim_results::rows::{CompareRow, CrossoverRow, DiffRow, SensitivityRow, SummaryRow};
use serde_json::json;

/// The engine's metrics, in file order (the catalogue's).
pub fn metrics() -> Vec<&'static str> {
    catalogue::OBSERVED.iter().map(|m| m.name).collect()
}

/// Strategy names of the synthetic runs: sample data only (the plot crate
/// knows no strategy; any names would do, these read like real results).
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
        for name in metrics() {
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
            // Money in M CNY, as the files state it.
            row.push(catalogue::find(name).unwrap().unit.to_file(v));
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

/// Mean, sd and an approximate 95% interval; sd and interval none with one value.
fn stat(v: &[f64]) -> (Option<f64>, Option<f64>, Option<f64>, Option<f64>) {
    let (m, sd, lo, hi) = mean_ci(v);
    if v.len() < 2 {
        (Some(m), None, None, None)
    } else {
        (Some(m), Some(sd), Some(lo), Some(hi))
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
    for m in &catalogue::OBSERVED {
        s += ",";
        s += m.column;
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
                    for (m, x) in catalogue::OBSERVED.iter().zip(&data[vi][d][r][t]) {
                        let _ = write!(s, ",{}", channelsim_results::table::fmt_metric(m, *x));
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
            let a = metrics().iter().position(|m| *m == "units_alive").unwrap();
            let e = metrics().iter().position(|m| *m == "units_exited").unwrap();
            return data[vi][d]
                .iter()
                .map(|rep| rep[last][a] / (rep[last][a] + rep[last][e]))
                .collect();
        }
        let k = metrics().iter().position(|m| *m == metric).unwrap();
        data[vi][d].iter().map(|rep| rep[last][k]).collect()
    };
    let mut summary = Vec::new();
    for (vi, v) in spec.variants.iter().enumerate() {
        for (d, vendor) in spec.vendors.iter().enumerate() {
            for m in catalogue::all() {
                let (mean, sd, ci_lo, ci_hi) = stat(&horizon(vi, d, m.name));
                summary.push(SummaryRow {
                    variant: v.name.clone(),
                    vendor: vendor.clone(),
                    strategy: v.strategy.clone(),
                    policy: v.policy.clone(),
                    metric: m.column.to_string(),
                    unit: m.unit.label().to_string(),
                    n: spec.replicates as u64,
                    mean,
                    sd,
                    ci_lo,
                    ci_hi,
                });
            }
        }
    }
    let f = std::fs::File::create(dir.join("summary.csv")).unwrap();
    channelsim_results::write_csv(f, &summary).unwrap();

    if spec.variants.len() > 1 {
        let mut rows = Vec::new();
        for m in catalogue::headline() {
            for (vi, v) in spec.variants.iter().enumerate() {
                let x = horizon(vi, 0, m.name);
                let (mean, sd, ci_lo, ci_hi) = stat(&x);
                let d: Vec<f64> = x
                    .iter()
                    .zip(horizon(0, 0, m.name))
                    .map(|(a, b)| a - b)
                    .collect();
                let (dm, _, dlo, dhi) = stat(&d);
                let base = vi == 0;
                rows.push(CompareRow {
                    vendor: spec.vendors[0].clone(),
                    variant: v.name.clone(),
                    strategy: v.strategy.clone(),
                    policy: v.policy.clone(),
                    metric: m.column.to_string(),
                    unit: m.unit.label().to_string(),
                    n: x.len() as u64,
                    mean,
                    sd,
                    ci_lo,
                    ci_hi,
                    rank: vi as u32 + 1,
                    baseline: spec.variants[0].name.clone(),
                    diff_mean: dm.filter(|_| !base),
                    diff_ci_lo: dlo.filter(|_| !base),
                    diff_ci_hi: dhi.filter(|_| !base),
                    share_better: (!base)
                        .then(|| d.iter().filter(|x| **x > 0.0).count() as f64 / d.len() as f64),
                });
            }
        }
        let cum = catalogue::find("cum_profit").unwrap();
        let k = metrics().iter().position(|m| *m == "cum_profit").unwrap();
        let mut diffs_out = Vec::new();
        let mut crossovers = Vec::new();
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
            for t in 0..spec.months {
                let col: Vec<f64> = diffs.iter().map(|d| d[t]).collect();
                let (mean, _, ci_lo, ci_hi) = stat(&col);
                diffs_out.push(DiffRow {
                    strategy: l.strategy.clone(),
                    long: l.name.clone(),
                    short: spec.variants[si].name.clone(),
                    metric: cum.column.to_string(),
                    unit: cum.unit.label().to_string(),
                    month: t as u32 + 1,
                    n: col.len() as u64,
                    mean,
                    ci_lo,
                    ci_hi,
                });
            }
            let mut c: Vec<f64> = diffs
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
            c.sort_by(f64::total_cmp);
            let some = !c.is_empty();
            crossovers.push(CrossoverRow {
                kind: "policy".into(),
                strategy: l.strategy.clone(),
                ahead: l.name.clone(),
                behind: spec.variants[si].name.clone(),
                metric: cum.column.to_string(),
                n: spec.replicates as u64,
                share_crossed: c.len() as f64 / spec.replicates as f64,
                month_mean: some.then(|| c.iter().sum::<f64>() / c.len() as f64),
                month_median: some.then(|| c[c.len() / 2]),
                month_lo: c.first().copied(),
                month_hi: c.last().copied(),
            });
        }
        let f = std::fs::File::create(dir.join("compare.json")).unwrap();
        channelsim_results::write_json(f, &rows).unwrap();
        let f = std::fs::File::create(dir.join("policy_diff.csv")).unwrap();
        channelsim_results::write_csv(f, &diffs_out).unwrap();
        let f = std::fs::File::create(dir.join("crossovers.json")).unwrap();
        channelsim_results::write_json(f, &crossovers).unwrap();
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
    let mut r = String::from("run_id,point_id,replicate,vendor,cum_profit_mcny,active\n");
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
                let _ = writeln!(r, "{run},{point},{rep},focal,{cum:?},{}", active.round());
                let _ = writeln!(
                    r,
                    "{run},{point},{rep},rival,{:?},{}",
                    cum * 0.5,
                    (active * 0.5).round()
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
    let s1 = [0.42, 0.18, 0.2, 0.05, 0.01, -0.01, 0.0];
    let s1c = [0.05, 0.04, 0.05, 0.02, 0.01, 0.01, 0.01];
    let st = [0.5, 0.25, 0.28, 0.06, 0.02, 0.01, 0.005];
    let stc = [0.06, 0.05, 0.05, 0.02, 0.01, 0.01, 0.01];
    let mu = [120.0, 50.0, 48.0, -2.0, 0.9, 0.95, 0.03];
    let mu_star = [125.0, 52.0, 50.0, 9.0, 1.0, 1.1, 0.04];
    let sigma = [60.0, 30.0, 31.0, 4.0, 0.8, 0.85, 0.02];
    let mu_conf = [20.0, 9.0, 8.0, 3.0, 0.3, 0.3, 0.01];
    let row = |method: &str, f: usize| SensitivityRow {
        method: method.into(),
        metric: "cum_profit_mcny".into(),
        variant: String::new(),
        factor: factors[f].into(),
        replicates: 3,
        ..SensitivityRow::default()
    };
    let mut sens: Vec<SensitivityRow> = (0..factors.len())
        .map(|f| SensitivityRow {
            s1: Some(s1[f]),
            s1_conf: Some(s1c[f]),
            st: Some(st[f]),
            st_conf: Some(stc[f]),
            ..row("sobol", f)
        })
        .collect();
    sens.extend((0..factors.len()).map(|f| SensitivityRow {
        mu: Some(mu[f]),
        mu_star: Some(mu_star[f]),
        sigma: Some(sigma[f]),
        mu_star_conf: Some(mu_conf[f]),
        ..row("morris", f)
    }));
    let f = std::fs::File::create(dir.join("sensitivity.json")).unwrap();
    channelsim_results::write_json(f, &sens).unwrap();
}

/// A sweep over variants, with a text-valued factor (as the runner writes
/// lists), and `sensitivity.json` holding its analyses under `results`.
pub fn write_variant_sweep(dir: &Path, variants: &[&str]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut d =
        String::from("run_id,point_id,variant,replicate,seed,params.bass_q,params.base_churn\n");
    let mut r = String::from("run_id,point_id,variant,replicate,vendor,npv_mcny,unit_survival\n");
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
                    let _ = writeln!(
                        r,
                        "{run},{point},{},{rep},focal,{:?},{surv:?}",
                        csv_field(v),
                        npv / 1000.0
                    );
                    run += 1;
                }
            }
        }
    }
    std::fs::write(dir.join("design.csv"), d).unwrap();
    std::fs::write(dir.join("results.csv"), r).unwrap();
    let mut sens = Vec::new();
    for v in variants {
        for (f, (mu, mu_star, conf, sigma)) in ["params.bass_q", "params.base_churn"]
            .iter()
            .zip([(100.0, 100.0, 20.0, 50.0), (-20.0, 30.0, 10.0, 20.0)])
        {
            sens.push(SensitivityRow {
                method: "morris".into(),
                metric: "npv_mcny".into(),
                variant: v.to_string(),
                factor: f.to_string(),
                replicates: 2,
                mu: Some(mu),
                mu_star: Some(mu_star),
                sigma: Some(sigma),
                mu_star_conf: Some(conf),
                ..SensitivityRow::default()
            });
        }
    }
    let f = std::fs::File::create(dir.join("sensitivity.json")).unwrap();
    channelsim_results::write_json(f, &sens).unwrap();
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
