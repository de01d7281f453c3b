//! The `robust` job: how far each strategy's long-term vs short-term
//! verdict depends on readings of the model that a careful person could
//! make differently (docs/model.md's **Decision**s) and on the discount
//! rate (docs/experiments.md, docs/results.md).
//!
//! A reading is a scenario key (as `--set` takes it) and the values it may
//! take. The scenario as given is the baseline; every other listed value is
//! tried one switch at a time, and all combinations of them when they are
//! few. Each setting runs every variant and replicate of the scenario on
//! the same seeds (common random numbers), and per strategy long-term is
//! compared with short-term by the paired difference at the horizon. NPV at
//! other discount rates is recomputed from each run's monthly profit, so a
//! rate needs no run of its own.

use crate::RunnerError;
use crate::atomic::{StagedDir, write_atomic};
use crate::exec::{RunResult, run_all};
use crate::job::{Manifest, RunOptions, check_memory, resolve_variants, thread_count, vendor_of};
use crate::job::{with_pool, write_json};
use crate::results::labels;
use crate::scenario::{ErrorKind, ScenarioError, ScenarioFile, parse_scenario};
use channelsim_core::Scenario;
use channelsim_stats::PairedDiff;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

/// The catalogue of readings: key path (as `--set` takes it), the values it
/// may take as TOML text (the model's default first), and what it means.
/// Adding a reading is adding a line. A key the scenario does not know (a
/// reading of another model version) is skipped, with a note in
/// `readings.csv`.
pub const CATALOGUE: &[(&str, &[&str], &str)] = &[
    (
        "model.replace_dead_units",
        &["true", "false"],
        "the vendor replaces units of its mix that died (false: a dead unit's place stays empty)",
    ),
    (
        "model.grace_months",
        &["12", "6", "0"],
        "months before a new unit's losses count against the vendor's patience",
    ),
    (
        "model.squeeze_trust",
        &["on_cut", "every_miss"],
        "a squeeze on a missed target costs a partner trust only if it cut its share (every_miss: every time, also at the floor)",
    ),
    (
        "model.jv_exclusive",
        &["true", "false"],
        "a joint venture has no same-brand rival in its city (false: it can be diluted and undercut)",
    ),
    (
        "model.owned_trust",
        &["fixed", "dynamic"],
        "owned units have trust 1 (dynamic: they start at start_trust, are hurt and recover like partners)",
    ),
    (
        "model.moved_customer",
        &["continues", "restarts"],
        "a moved customer keeps its contract (restarts, model v1: first-year terms and implementation again)",
    ),
    (
        "model.rd_hold",
        &["loss_months", "after_first_profit"],
        "R&D is held at the policy's floor in every month that would lose money at the normal rate (after_first_profit: only once the vendor has been profitable; a start-up spends the normal rate)",
    ),
];

/// Discount rates a year at which NPV is recomputed (besides the scenario's).
pub const DISCOUNT_RATES: [f64; 7] = [0.0, 0.05, 0.10, 0.15, 0.20, 0.30, 0.40];

/// The highest rate searched for a flip of the NPV verdict.
pub const FLIP_SEARCH_MAX: f64 = 0.40;

/// All combinations of the readings' values are run when there are at most
/// this many (the baseline included); else one switch at a time only.
pub const MAX_COMBINATIONS: usize = 32;

/// One reading: a key and the values tried.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    pub key: String,
    /// TOML text of each value, the model's default first.
    pub values: Vec<String>,
    pub description: String,
    /// `catalogue` or `command line`.
    pub origin: &'static str,
}

impl Reading {
    /// The readings of [`CATALOGUE`].
    pub fn catalogue() -> Vec<Reading> {
        CATALOGUE
            .iter()
            .map(|(key, values, description)| Reading {
                key: key.to_string(),
                values: values.iter().map(|v| v.to_string()).collect(),
                description: description.to_string(),
                origin: "catalogue",
            })
            .collect()
    }

    /// A reading given on the command line: `KEY=V1|V2|...`.
    pub fn parse(arg: &str) -> Result<Reading, RunnerError> {
        let bad = |why: &str| RunnerError::BadArgument {
            arg: format!("--reading {arg:?}"),
            message: format!(
                "{why}; expected KEY=VALUE|VALUE..., e.g. --reading params.bass_q=0.03|0.05"
            ),
        };
        let (key, values) = arg.split_once('=').ok_or_else(|| bad("no `=`"))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(bad("the key is empty"));
        }
        let values: Vec<String> = values.split('|').map(|v| v.trim().to_string()).collect();
        if values.iter().any(String::is_empty) {
            return Err(bad("a value is empty"));
        }
        Ok(Reading {
            key: key.to_string(),
            values,
            description: "given on the command line".into(),
            origin: "command line",
        })
    }
}

#[derive(Clone, Debug, Default)]
pub struct RobustOptions {
    /// The `--set`s the scenario was loaded with (the readings' own sets
    /// are applied after them).
    pub sets: Vec<String>,
    /// Readings besides the catalogue's.
    pub extra: Vec<Reading>,
    pub threads: Option<usize>,
    pub out: Option<PathBuf>,
    pub force: bool,
    pub vendor: Option<String>,
    /// All combinations are run when they number at most this many (the
    /// baseline included; [`MAX_COMBINATIONS`] on the command line), else
    /// one switch at a time.
    pub max_combinations: usize,
    /// The command line, for the manifest.
    pub command: String,
}

/// What became of a reading in this scenario: a row of `readings.csv`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ReadingRow {
    pub key: String,
    pub origin: String,
    /// The values listed, `|`-separated.
    pub values: String,
    pub description: String,
    /// `used` or `skipped`.
    pub status: String,
    /// The listed value the scenario already has (none when it has another).
    pub scenario_value: Option<String>,
    /// The values tried against the scenario's, `|`-separated.
    pub tried: String,
    pub note: String,
}

/// One paired comparison of long-term against short-term: a row of
/// `comparisons.csv`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ComparisonRow {
    /// `baseline`, or the switches set, e.g. `model.grace_months=0`.
    pub reading: String,
    /// How many switches differ from the baseline.
    pub changes: usize,
    pub strategy: String,
    /// `cum_profit` or `npv`.
    pub metric: String,
    /// NPV's discount rate a year (none for cumulative profit).
    pub discount_rate: Option<f64>,
    /// Whether this is the headline figure (cumulative profit, or NPV at
    /// the scenario's rate).
    pub headline: bool,
    pub n: usize,
    pub long_mean: f64,
    pub short_mean: f64,
    /// Long minus short, paired by replicate; k CNY.
    pub mean_diff: f64,
    pub ci_lo: Option<f64>,
    pub ci_hi: Option<f64>,
    pub long_wins: bool,
    /// The 95% interval excludes 0.
    pub significant: bool,
}

/// Where the NPV verdict of one strategy under one reading flips with the
/// discount rate: a row of `flips.csv`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FlipRow {
    pub reading: String,
    pub changes: usize,
    pub strategy: String,
    /// `long` or `short`: who wins on undiscounted profit (rate 0).
    pub verdict_at_0: String,
    /// The lowest rate above which the other policy wins on NPV (mean
    /// paired difference), to 0.01%; none when none up to [`FLIP_SEARCH_MAX`].
    pub flip_rate: Option<f64>,
    /// Who wins at [`FLIP_SEARCH_MAX`].
    pub verdict_at_max: String,
}

/// Per strategy, how robust its verdict is: a row of `verdicts.csv`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct VerdictRow {
    pub strategy: String,
    /// Settings run (the baseline included).
    pub readings: usize,
    pub discount_rate: f64,
    pub npv_diff: f64,
    pub npv_ci_lo: Option<f64>,
    pub npv_ci_hi: Option<f64>,
    pub npv_significant: bool,
    /// `long`, `short` or `mixed`: who wins (mean) in every setting.
    pub npv_verdict: String,
    pub npv_long_wins_share: f64,
    pub npv_long_wins_significant_share: f64,
    pub npv_short_wins_significant_share: f64,
    /// Settings whose verdict differs from the baseline's.
    pub npv_flips: usize,
    /// The single switches that flip the baseline's verdict, `; `-separated.
    pub npv_flipped_by: String,
    pub cum_profit_diff: f64,
    pub cum_profit_ci_lo: Option<f64>,
    pub cum_profit_ci_hi: Option<f64>,
    pub cum_profit_significant: bool,
    pub cum_profit_verdict: String,
    pub cum_profit_long_wins_share: f64,
    pub cum_profit_long_wins_significant_share: f64,
    pub cum_profit_short_wins_significant_share: f64,
    pub cum_profit_flips: usize,
    pub cum_profit_flipped_by: String,
    /// Baseline: the rate above which the NPV verdict flips (none up to
    /// [`FLIP_SEARCH_MAX`]).
    pub npv_flip_rate: Option<f64>,
}

/// The switches of one setting: (key, value) pairs, none for the baseline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting(pub Vec<(String, String)>);

impl Setting {
    pub fn label(&self) -> String {
        if self.0.is_empty() {
            return "baseline".into();
        }
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

pub struct RobustOutcome {
    pub dir: PathBuf,
    pub vendor: String,
    pub readings: Vec<ReadingRow>,
    pub settings: Vec<Setting>,
    /// Settings all combinations would take, and whether they were run.
    pub combinations: usize,
    pub all_combinations: bool,
    pub verdicts: Vec<VerdictRow>,
    pub replicates: u32,
    pub discount_rate: f64,
    pub runs: usize,
    pub threads: usize,
    pub wall_seconds: f64,
}

/// The catalogue with the extra readings: one of a key already listed
/// takes its place, so a key is never switched by two readings.
fn with_extra(mut readings: Vec<Reading>, extra: &[Reading]) -> Vec<Reading> {
    for r in extra {
        match readings.iter_mut().find(|x| x.key == r.key) {
            Some(x) => *x = r.clone(),
            None => readings.push(r.clone()),
        }
    }
    readings
}

/// The scenario with `sets` and then `changes` applied.
fn with_changes(
    file: &ScenarioFile,
    sets: &[String],
    changes: &[(String, String)],
) -> Result<ScenarioFile, ScenarioError> {
    let mut all = sets.to_vec();
    all.extend(changes.iter().map(|(k, v)| format!("{k}={v}")));
    parse_scenario(&file.text, &file.file, &all)
}

fn same_scenarios(a: &ScenarioFile, b: &ScenarioFile) -> bool {
    a.base == b.base
        && a.variants.len() == b.variants.len()
        && a.variants
            .iter()
            .zip(&b.variants)
            .all(|(x, y)| x.scenario == y.scenario)
}

/// What each reading does in this scenario: which values differ from the
/// scenario's (tried), or why it is skipped. A key the scenario does not
/// know is skipped; any other error in a value is the user's to fix.
pub fn plan_readings(
    file: &ScenarioFile,
    sets: &[String],
    readings: &[Reading],
) -> Result<Vec<(ReadingRow, Vec<String>)>, RunnerError> {
    let mut out = Vec::new();
    for r in readings {
        let mut row = ReadingRow {
            key: r.key.clone(),
            origin: r.origin.into(),
            values: r.values.join("|"),
            description: r.description.clone(),
            status: "used".into(),
            scenario_value: None,
            tried: String::new(),
            note: String::new(),
        };
        let mut tried = Vec::new();
        for v in &r.values {
            match with_changes(file, sets, &[(r.key.clone(), v.clone())]) {
                Ok(f) if same_scenarios(&f, file) => row.scenario_value = Some(v.clone()),
                Ok(_) => tried.push(v.clone()),
                Err(e) => {
                    let Some(d) = e
                        .diagnostics()
                        .iter()
                        .find(|d| d.kind == ErrorKind::UnknownKey)
                    else {
                        return Err(RunnerError::BadArgument {
                            arg: format!("reading {}={v} ({})", r.key, r.origin),
                            message: e.to_string(),
                        });
                    };
                    // The allowed keys follow the `;`: too long for a note.
                    let why = d.message.split(';').next().unwrap_or_default().trim();
                    row.note = format!("skipped: the scenario does not know this key ({why})");
                    tried.clear();
                    row.scenario_value = None;
                    row.status = "skipped".into();
                    break;
                }
            }
        }
        if row.status == "used" && tried.is_empty() {
            row.status = "skipped".into();
            row.note =
                "skipped: no listed value changes the scenario (do its variants set this key?)"
                    .into();
        }
        if row.status == "used" && row.scenario_value.is_none() {
            row.note =
                "the scenario's own value is none of those listed: it is the baseline".into();
        }
        row.tried = tried.join("|");
        out.push((row, tried));
    }
    Ok(out)
}

/// The settings to run: the baseline, every single switch, and, when all
/// combinations number at most `max`, every combination; in order of the
/// number of switches, then of the readings and their values. Returns the
/// settings, the number of all combinations and whether they are all run.
pub fn settings(used: &[(String, Vec<String>)], max: usize) -> (Vec<Setting>, usize, bool) {
    let combinations = used
        .iter()
        .fold(1usize, |n, (_, vals)| n.saturating_mul(vals.len() + 1));
    let all = combinations <= max;
    // Index vectors in odometer order: 0 is the scenario's value, i > 0
    // the i-th tried value.
    let mut picks: Vec<Vec<usize>> = Vec::new();
    if all {
        let mut idx = vec![0usize; used.len()];
        'next: loop {
            picks.push(idx.clone());
            for k in (0..used.len()).rev() {
                idx[k] += 1;
                if idx[k] <= used[k].1.len() {
                    continue 'next;
                }
                idx[k] = 0;
            }
            break;
        }
    } else {
        picks.push(vec![0; used.len()]);
        for (k, (_, vals)) in used.iter().enumerate() {
            for i in 1..=vals.len() {
                let mut p = vec![0; used.len()];
                p[k] = i;
                picks.push(p);
            }
        }
    }
    let changes = |p: &Vec<usize>| p.iter().filter(|&&i| i > 0).count();
    // Stable: odometer order within each number of switches.
    picks.sort_by_key(changes);
    let settings = picks
        .iter()
        .map(|p| {
            Setting(
                p.iter()
                    .enumerate()
                    .filter(|(_, i)| **i > 0)
                    .map(|(k, &i)| (used[k].0.clone(), used[k].1[i - 1].clone()))
                    .collect(),
            )
        })
        .collect();
    (settings, combinations, all)
}

/// NPV of a monthly profit series (months 1, 2, ...), discounted as the
/// engine does: month m's profit divided by (1 + rate)^(m / 12).
pub fn npv(profit: &[f64], rate: f64) -> f64 {
    npv_with(profit, &discount_factors(rate, profit.len()))
}

/// [`npv`] of each series at `rate`, the factors computed once for all
/// (the same bits: each series takes the factors of its own months).
pub fn npvs(series: &[Vec<f64>], rate: f64) -> Vec<f64> {
    let months = series.iter().map(Vec::len).max().unwrap_or(0);
    let factors = discount_factors(rate, months);
    series.iter().map(|p| npv_with(p, &factors)).collect()
}

/// (1 + rate)^(m / 12) for months m = 1..=months.
fn discount_factors(rate: f64, months: usize) -> Vec<f64> {
    (1..=months)
        .map(|m| (1.0 + rate).powf(m as f64 / 12.0))
        .collect()
}

/// NPV with the factors computed once for all replicates; the same
/// operations in the same order as the engine's, so the same bits.
fn npv_with(profit: &[f64], factors: &[f64]) -> f64 {
    let mut v = 0.0;
    for (p, f) in profit.iter().zip(factors) {
        v += p / f;
    }
    v
}

/// Mean of `a[i] - b[i]`, computed as the paired statistics compute it (so
/// that its sign is the sign of their `mean_diff`).
fn mean_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x - y).sum::<f64>() / a.len() as f64
}

/// One strategy's runs under one setting, by replicate.
struct PairRuns {
    strategy: String,
    long_profit: Vec<Vec<f64>>,
    short_profit: Vec<Vec<f64>>,
    long_cum: Vec<f64>,
    short_cum: Vec<f64>,
}

impl PairRuns {
    fn npvs(&self, rate: f64) -> (Vec<f64>, Vec<f64>) {
        let months = self.long_profit.first().map_or(0, Vec::len);
        let f = discount_factors(rate, months);
        (
            self.long_profit.iter().map(|p| npv_with(p, &f)).collect(),
            self.short_profit.iter().map(|p| npv_with(p, &f)).collect(),
        )
    }

    fn npv_diff(&self, rate: f64) -> f64 {
        let (l, s) = self.npvs(rate);
        mean_diff(&l, &s)
    }
}

/// The (strategy, long variant, short variant) pairs of a scenario's
/// variants, for the vendor `vendor`, in the long variants' order.
pub fn policy_pairs(
    names: &[String],
    scenarios: &[Scenario],
    vendor: u32,
) -> Vec<(String, usize, usize)> {
    let l: Vec<_> = names
        .iter()
        .zip(scenarios)
        .map(|(n, sc)| labels(n, sc, vendor))
        .collect();
    l.iter()
        .enumerate()
        .filter(|(_, x)| x.policy == "long_term")
        .filter_map(|(li, x)| {
            l.iter()
                .position(|y| y.policy == "short_term" && y.strategy == x.strategy)
                .map(|si| (x.strategy.clone(), li, si))
        })
        .collect()
}

fn pair_runs(runs: &[RunResult], pairs: &[(String, usize, usize)], vendor: u32) -> Vec<PairRuns> {
    let of = |vi: usize, m: &str| -> Vec<Vec<f64>> {
        runs.iter()
            .filter(|r| r.variant == vi)
            .map(|r| r.series(vendor, m))
            .collect()
    };
    let last = |s: Vec<Vec<f64>>| -> Vec<f64> {
        s.iter()
            .map(|x| x.last().copied().unwrap_or(f64::NAN))
            .collect()
    };
    pairs
        .iter()
        .map(|(strategy, li, si)| PairRuns {
            strategy: strategy.clone(),
            long_profit: of(*li, "profit"),
            short_profit: of(*si, "profit"),
            long_cum: last(of(*li, "cum_profit")),
            short_cum: last(of(*si, "cum_profit")),
        })
        .collect()
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

fn comparison(
    setting: &Setting,
    strategy: &str,
    metric: &str,
    rate: Option<f64>,
    headline: bool,
    long: &[f64],
    short: &[f64],
) -> ComparisonRow {
    let n = long.len();
    let d = mean_diff(long, short);
    let pd = PairedDiff::of(long, short).ok();
    let (lo, hi) = pd.map_or((None, None), |p| (finite(p.ci_lo), finite(p.ci_hi)));
    ComparisonRow {
        reading: setting.label(),
        changes: setting.0.len(),
        strategy: strategy.to_string(),
        metric: metric.into(),
        discount_rate: rate,
        headline,
        n,
        long_mean: long.iter().sum::<f64>() / n as f64,
        short_mean: short.iter().sum::<f64>() / n as f64,
        mean_diff: d,
        ci_lo: lo,
        ci_hi: hi,
        long_wins: d > 0.0,
        significant: matches!((lo, hi), (Some(l), Some(h)) if l > 0.0 || h < 0.0),
    }
}

fn who(d: f64) -> &'static str {
    if d > 0.0 {
        "long"
    } else if d < 0.0 {
        "short"
    } else {
        "tie"
    }
}

/// The lowest rate in (0, `max`] at which the sign of `f` differs from
/// its sign at 0, to 1e-4: a scan in steps of 0.25%, then bisection.
/// `None` when it keeps its sign (or `f(0)` is 0).
pub fn flip_rate(f: &dyn Fn(f64) -> f64, max: f64) -> Option<f64> {
    let s0 = f(0.0).signum();
    if f(0.0) == 0.0 || !f(0.0).is_finite() {
        return None;
    }
    let steps = (max / 0.0025).round() as usize;
    let flipped = |r: f64| {
        let v = f(r);
        v.signum() != s0 || v == 0.0
    };
    let mut prev = 0.0;
    for k in 1..=steps {
        let r = max * k as f64 / steps as f64;
        if flipped(r) {
            let (mut lo, mut hi) = (prev, r);
            while hi - lo > 1e-6 {
                let mid = 0.5 * (lo + hi);
                if flipped(mid) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            return Some((hi * 1e4).round() / 1e4);
        }
        prev = r;
    }
    None
}

/// The rates at which NPV is written: [`DISCOUNT_RATES`] and the scenario's.
fn rates_with(scenario_rate: f64) -> Vec<f64> {
    let mut r = DISCOUNT_RATES.to_vec();
    if !r.contains(&scenario_rate) {
        r.push(scenario_rate);
    }
    r.sort_by(f64::total_cmp);
    r
}

/// One setting's comparisons and flips.
fn evaluate(
    setting: &Setting,
    pairs: &[PairRuns],
    scenario_rate: f64,
) -> (Vec<ComparisonRow>, Vec<FlipRow>) {
    let mut rows = Vec::new();
    let mut flips = Vec::new();
    for p in pairs {
        rows.push(comparison(
            setting,
            &p.strategy,
            "cum_profit",
            None,
            true,
            &p.long_cum,
            &p.short_cum,
        ));
        for rate in rates_with(scenario_rate) {
            let (l, s) = p.npvs(rate);
            rows.push(comparison(
                setting,
                &p.strategy,
                "npv",
                Some(rate),
                rate == scenario_rate,
                &l,
                &s,
            ));
        }
        let f = |r: f64| p.npv_diff(r);
        flips.push(FlipRow {
            reading: setting.label(),
            changes: setting.0.len(),
            strategy: p.strategy.clone(),
            verdict_at_0: who(f(0.0)).into(),
            flip_rate: flip_rate(&f, FLIP_SEARCH_MAX),
            verdict_at_max: who(f(FLIP_SEARCH_MAX)).into(),
        });
    }
    (rows, flips)
}

/// Per strategy, the verdicts across settings.
pub fn verdicts(
    comparisons: &[ComparisonRow],
    flips: &[FlipRow],
    settings: usize,
    scenario_rate: f64,
) -> Vec<VerdictRow> {
    let mut strategies: Vec<&str> = Vec::new();
    for c in comparisons {
        if !strategies.contains(&c.strategy.as_str()) {
            strategies.push(&c.strategy);
        }
    }
    strategies
        .into_iter()
        .map(|s| {
            let of = |m: &str| -> Vec<&ComparisonRow> {
                comparisons
                    .iter()
                    .filter(|c| c.strategy == s && c.metric == m && c.headline)
                    .collect()
            };
            let (npv, cum) = (of("npv"), of("cum_profit"));
            let nb = npv.iter().find(|c| c.changes == 0).copied();
            let cb = cum.iter().find(|c| c.changes == 0).copied();
            let npv_s = Tally::of(&npv, nb);
            let cum_s = Tally::of(&cum, cb);
            VerdictRow {
                strategy: s.to_string(),
                readings: settings,
                discount_rate: scenario_rate,
                npv_diff: nb.map_or(f64::NAN, |c| c.mean_diff),
                npv_ci_lo: nb.and_then(|c| c.ci_lo),
                npv_ci_hi: nb.and_then(|c| c.ci_hi),
                npv_significant: nb.is_some_and(|c| c.significant),
                npv_verdict: npv_s.verdict,
                npv_long_wins_share: npv_s.long,
                npv_long_wins_significant_share: npv_s.long_sig,
                npv_short_wins_significant_share: npv_s.short_sig,
                npv_flips: npv_s.flips,
                npv_flipped_by: npv_s.flipped_by,
                cum_profit_diff: cb.map_or(f64::NAN, |c| c.mean_diff),
                cum_profit_ci_lo: cb.and_then(|c| c.ci_lo),
                cum_profit_ci_hi: cb.and_then(|c| c.ci_hi),
                cum_profit_significant: cb.is_some_and(|c| c.significant),
                cum_profit_verdict: cum_s.verdict,
                cum_profit_long_wins_share: cum_s.long,
                cum_profit_long_wins_significant_share: cum_s.long_sig,
                cum_profit_short_wins_significant_share: cum_s.short_sig,
                cum_profit_flips: cum_s.flips,
                cum_profit_flipped_by: cum_s.flipped_by,
                npv_flip_rate: flips
                    .iter()
                    .find(|f| f.strategy == s && f.changes == 0)
                    .and_then(|f| f.flip_rate),
            }
        })
        .collect()
}

/// One metric's verdicts across settings.
struct Tally {
    verdict: String,
    long: f64,
    long_sig: f64,
    short_sig: f64,
    flips: usize,
    flipped_by: String,
}

impl Tally {
    fn of(rows: &[&ComparisonRow], base: Option<&ComparisonRow>) -> Tally {
        let n = rows.len().max(1) as f64;
        let share =
            |p: &dyn Fn(&ComparisonRow) -> bool| rows.iter().filter(|c| p(c)).count() as f64 / n;
        let long = share(&|c| c.long_wins);
        let flipped = |c: &&&ComparisonRow| base.is_some_and(|b| c.long_wins != b.long_wins);
        Tally {
            verdict: if rows.iter().all(|c| c.long_wins) {
                "long"
            } else if rows.iter().all(|c| c.mean_diff < 0.0) {
                "short"
            } else {
                "mixed"
            }
            .into(),
            long,
            long_sig: share(&|c| c.significant && c.long_wins),
            short_sig: share(&|c| c.significant && !c.long_wins),
            flips: rows.iter().filter(flipped).count(),
            flipped_by: rows
                .iter()
                .filter(|c| c.changes == 1)
                .filter(flipped)
                .map(|c| c.reading.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

/// Write `STEM.csv` and `STEM.json` (an array of records) of the same rows.
fn write_table<T: Serialize>(dir: &Path, stem: &str, rows: &[T]) -> Result<(), RunnerError> {
    write_atomic(&dir.join(format!("{stem}.csv")), |w| {
        let mut c = csv::Writer::from_writer(w);
        for r in rows {
            c.serialize(r).map_err(std::io::Error::other)?;
        }
        c.flush()
    })?;
    write_json(&dir.join(format!("{stem}.json")), &rows)
}

/// What `manifest.json` holds besides a run's manifest.
#[derive(Serialize)]
struct RobustManifest<'a> {
    #[serde(flatten)]
    run: Manifest,
    vendor: &'a str,
    readings: Vec<String>,
    combinations: usize,
    all_combinations: bool,
    max_combinations: usize,
    discount_rates: Vec<f64>,
    flip_search_max: f64,
}

/// Run the scenario under every setting of the readings and write the
/// robustness tables into a staged output folder (put in place only when
/// everything is written, like `run`'s).
pub fn robust_job(
    file: &ScenarioFile,
    opts: &RobustOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<RobustOutcome, RunnerError> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let readings = with_extra(Reading::catalogue(), &opts.extra);
    let planned = plan_readings(file, &opts.sets, &readings)?;
    let used: Vec<(String, Vec<String>)> = planned
        .iter()
        .filter(|(r, _)| r.status == "used")
        .map(|(r, t)| (r.key.clone(), t.clone()))
        .collect();
    let max = opts.max_combinations;
    let (settings, combinations, all_combinations) = settings(&used, max);
    let run_opts = RunOptions {
        command: opts.command.clone(),
        ..RunOptions::default()
    };
    // Every setting is resolved before anything runs: a bad combination
    // fails at once, with nothing written.
    let mut resolved = Vec::new();
    for s in &settings {
        let f = with_changes(file, &opts.sets, &s.0).map_err(|e| RunnerError::BadArgument {
            arg: format!("reading {}", s.label()),
            message: e.to_string(),
        })?;
        resolved.push(resolve_variants(&f));
    }
    let (names, base) = &resolved[0];
    let replicates = base.iter().map(|s| s.replicates).min().unwrap_or(0);
    if replicates == 0 {
        return Err(RunnerError::BadArgument {
            arg: "replicates".into(),
            message: "must be at least 1".into(),
        });
    }
    let vendor = vendor_of(base, opts.vendor.as_deref())?;
    let vid = base[0]
        .vendors
        .iter()
        .position(|v| v.name == vendor)
        .unwrap_or(0) as u32;
    let pairs = policy_pairs(names, base, vid);
    if pairs.is_empty() {
        return Err(RunnerError::BadArgument {
            arg: file.file.clone(),
            message: format!(
                "no strategy of vendor `{vendor}` is run under both long_term and short_term \
                 policy; robust compares the two (e.g. scenarios/default.toml)"
            ),
        });
    }
    let scenario_rate = base[0].discount_rate;
    let threads = thread_count(opts.threads);
    let per_setting = names.len() * replicates as usize;
    let total = per_setting * settings.len();
    check_memory(&file.file, base, threads, per_setting)?;
    let dir = opts
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("{}-robust", file.base.name)));
    let staged = StagedDir::create(&dir, opts.force)?;
    let tmp = staged.path();

    let done = std::sync::atomic::AtomicUsize::new(0);
    let tick = || {
        let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        progress(d, total);
    };
    // One setting at a time, each reduced to its comparisons before the
    // next: memory stays that of one setting's runs.
    let evaluated = with_pool(threads, || {
        settings
            .iter()
            .zip(&resolved)
            .map(|(s, (_, scs))| {
                let refs: Vec<&Scenario> = scs.iter().collect();
                let runs = run_all(&refs, replicates, &tick);
                evaluate(s, &pair_runs(&runs, &pairs, vid), scenario_rate)
            })
            .collect::<Vec<_>>()
    })?;
    let (comparisons, flips): (Vec<_>, Vec<_>) = evaluated.into_iter().unzip();
    let comparisons: Vec<ComparisonRow> = comparisons.into_iter().flatten().collect();
    let flips: Vec<FlipRow> = flips.into_iter().flatten().collect();
    let verdicts = verdicts(&comparisons, &flips, settings.len(), scenario_rate);
    let reading_rows: Vec<ReadingRow> = planned.into_iter().map(|(r, _)| r).collect();

    write_table(tmp, "readings", &reading_rows)?;
    write_table(tmp, "comparisons", &comparisons)?;
    write_table(tmp, "flips", &flips)?;
    write_table(tmp, "verdicts", &verdicts)?;
    let wall_seconds = clock.elapsed().as_secs_f64();
    let manifest = RobustManifest {
        run: Manifest::new(file, &run_opts, names, base, threads, started, wall_seconds),
        vendor: &vendor,
        readings: settings.iter().map(Setting::label).collect(),
        combinations,
        all_combinations,
        max_combinations: max,
        discount_rates: rates_with(scenario_rate),
        flip_search_max: FLIP_SEARCH_MAX,
    };
    write_json(&tmp.join("manifest.json"), &manifest)?;
    let dir = staged.commit()?;
    Ok(RobustOutcome {
        dir,
        vendor,
        readings: reading_rows,
        settings,
        combinations,
        all_combinations,
        verdicts,
        replicates,
        discount_rate: scenario_rate,
        runs: total,
        threads,
        wall_seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::DEFAULT_SCENARIO;

    const TINY: &str = r#"
name = "tiny"
horizon_months = 18
replicates = 2
seed = 3
[market]
cities = [{ tier = 1, count = 1, enterprises = 1500 }, { tier = 3, count = 1, enterprises = 600 }]
[[vendor]]
name = "focal"
strategy = "team_replication"
policy = "long_term"
[[variant]]
name = "long"
set = { "vendor.focal.policy" = "long_term" }
[[variant]]
name = "short"
set = { "vendor.focal.policy" = "short_term" }
"#;

    fn tiny(sets: &[&str]) -> ScenarioFile {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        parse_scenario(TINY, "tiny.toml", &sets).unwrap()
    }

    fn reading(key: &str, values: &[&str]) -> Reading {
        Reading {
            key: key.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
            description: String::new(),
            origin: "test",
        }
    }

    #[test]
    fn every_catalogue_reading_is_known_and_lists_the_model_default_first() {
        let file = parse_scenario(DEFAULT_SCENARIO, "default.toml", &[]).unwrap();
        let planned = plan_readings(&file, &[], &Reading::catalogue()).unwrap();
        assert_eq!(planned.len(), CATALOGUE.len());
        for ((row, tried), (key, values, _)) in planned.iter().zip(CATALOGUE) {
            assert_eq!(row.status, "used", "{key}: {}", row.note);
            assert_eq!(row.scenario_value.as_deref(), Some(values[0]), "{key}");
            assert_eq!(tried.len(), values.len() - 1, "{key}");
            assert!(values.len() >= 2, "{key} needs an alternative");
        }
    }

    #[test]
    fn an_unknown_key_is_skipped_with_a_note_and_a_bad_value_is_an_error() {
        let file = tiny(&[]);
        let planned = plan_readings(
            &file,
            &[],
            &[
                reading("params.no_such_reading", &["1", "2"]),
                reading("model.no_such_reading", &["true", "false"]),
                reading("model.grace_months", &["12", "3"]),
            ],
        )
        .unwrap();
        for (row, tried) in &planned[..2] {
            assert_eq!(row.status, "skipped", "{}", row.key);
            assert!(row.note.contains("does not know"), "{}", row.note);
            assert!(tried.is_empty() && row.tried.is_empty());
        }
        assert_eq!(planned[2].0.status, "used");
        assert_eq!(planned[2].1, ["3"]);
        let e = plan_readings(&file, &[], &[reading("model.grace_months", &["-1"])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("model.grace_months=-1"), "{e}");
    }

    #[test]
    fn the_scenario_s_own_value_is_the_baseline_whatever_the_catalogue_lists() {
        // Set to an alternative: the model's default becomes a value tried.
        let file = tiny(&["model.grace_months=6"]);
        let sets = ["model.grace_months=6".to_string()];
        let r = reading("model.grace_months", &["12", "6", "0"]);
        let (row, tried) = &plan_readings(&file, &sets, std::slice::from_ref(&r)).unwrap()[0];
        assert_eq!(row.scenario_value.as_deref(), Some("6"));
        assert_eq!(tried, &["12", "0"]);
        // Set to a value not listed: every listed value is tried.
        let sets = ["model.grace_months=9".to_string()];
        let file = tiny(&["model.grace_months=9"]);
        let (row, tried) = &plan_readings(&file, &sets, &[r]).unwrap()[0];
        assert_eq!(row.scenario_value, None);
        assert_eq!(tried.len(), 3);
        assert!(row.note.contains("none of those listed"), "{}", row.note);
    }

    #[test]
    fn a_reading_on_the_command_line_is_added_or_replaces_the_catalogue_s() {
        let extra = [
            Reading::parse("model.grace_months=12|3").unwrap(),
            Reading::parse("params.bass_q=0.05").unwrap(),
        ];
        let all = with_extra(Reading::catalogue(), &extra);
        assert_eq!(all.len(), CATALOGUE.len() + 1);
        let grace: Vec<_> = all
            .iter()
            .filter(|r| r.key == "model.grace_months")
            .collect();
        assert_eq!(grace.len(), 1);
        assert_eq!(grace[0].values, ["12", "3"]);
        assert_eq!(grace[0].origin, "command line");
        assert_eq!(all.last().unwrap().key, "params.bass_q");
    }

    #[test]
    fn a_reading_on_the_command_line_is_key_and_values() {
        let r = Reading::parse("params.bass_q = 0.03|0.05").unwrap();
        assert_eq!(r.key, "params.bass_q");
        assert_eq!(r.values, ["0.03", "0.05"]);
        assert_eq!(r.origin, "command line");
        for bad in [
            "params.bass_q",
            "=1|2",
            "params.bass_q=1||2",
            "params.bass_q=",
        ] {
            assert!(Reading::parse(bad).is_err(), "{bad}");
        }
    }

    fn used(spec: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        spec.iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|x| x.to_string()).collect()))
            .collect()
    }

    #[test]
    fn all_combinations_when_few_else_one_switch_at_a_time() {
        let u = used(&[("a", &["x"]), ("b", &["y", "z"])]);
        let (s, n, all) = settings(&u, 32);
        let labels: Vec<String> = s.iter().map(Setting::label).collect();
        assert_eq!((n, all), (6, true));
        assert_eq!(
            labels,
            ["baseline", "b=y", "b=z", "a=x", "a=x + b=y", "a=x + b=z"]
        );
        let (s, n, all) = settings(&u, 5);
        let labels: Vec<String> = s.iter().map(Setting::label).collect();
        assert_eq!((n, all), (6, false));
        assert_eq!(labels, ["baseline", "a=x", "b=y", "b=z"]);
        let (s, n, all) = settings(&[], 32);
        assert_eq!((s.len(), n, all), (1, 1, true));
        assert_eq!(s[0].label(), "baseline");
        // Five two-valued switches are 32 settings, all run at the default.
        let five = used(&[
            ("a", &["1"]),
            ("b", &["1"]),
            ("c", &["1"]),
            ("d", &["1"]),
            ("e", &["1"]),
        ]);
        let (s, n, all) = settings(&five, MAX_COMBINATIONS);
        assert_eq!((s.len(), n, all), (32, 32, true));
        assert_eq!(s.iter().filter(|x| x.0.len() == 5).count(), 1);
    }

    #[test]
    fn npv_recomputed_from_monthly_profit_is_the_engine_s() {
        let file = tiny(&["discount_rate=0.12"]);
        let sc = &file.variants[0].scenario;
        let runs = run_all(&[sc], 1, &|| {});
        let profit = runs[0].series(0, "profit");
        let engine = runs[0].series(0, "npv");
        let cum = runs[0].series(0, "cum_profit");
        assert_eq!(profit.len(), 18);
        assert!(profit.iter().any(|p| *p != 0.0));
        assert_eq!(npv(&profit, 0.12), *engine.last().unwrap());
        assert_eq!(npv(&profit[..7], 0.12), engine[6]);
        assert_eq!(npv(&profit, 0.0), *cum.last().unwrap());
        // A hand check: 100 a month for a year at 0% and at 10%.
        assert_eq!(npv(&[100.0; 12], 0.0), 1200.0);
        let at10: f64 = (1..=12).map(|m| 100.0 / 1.1f64.powf(m as f64 / 12.0)).sum();
        assert!((npv(&[100.0; 12], 0.1) - at10).abs() < 1e-9);
    }

    /// The NPVs of many series with the factors computed once are each
    /// series' own NPV, bit for bit, whatever its length.
    #[test]
    fn npvs_with_shared_factors_are_each_series_npv() {
        let series: Vec<Vec<f64>> = [18, 7, 0, 25]
            .iter()
            .map(|&n| (0..n).map(|m| (m as f64 * 37.3).sin() * 1e3).collect())
            .collect();
        for rate in [0.0, 0.0825, 0.4] {
            let bits = |xs: Vec<f64>| xs.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let alone: Vec<f64> = series.iter().map(|p| npv(p, rate)).collect();
            assert_eq!(bits(npvs(&series, rate)), bits(alone), "rate {rate}");
        }
    }

    #[test]
    fn the_mean_difference_is_the_paired_statistics_one() {
        let a = [1.25, -3.5, 7.0, 0.1, 1e9];
        let b = [0.3, 2.0, -1.0, 0.7, 3.0];
        assert_eq!(mean_diff(&a, &b), PairedDiff::of(&a, &b).unwrap().mean_diff);
    }

    #[test]
    fn the_flip_rate_is_the_first_change_of_sign() {
        let r = flip_rate(&|r| 0.1 - r, 0.4).unwrap();
        assert!((r - 0.1).abs() <= 1e-4, "{r}");
        assert_eq!(flip_rate(&|r| -1.0 - r, 0.4), None);
        assert_eq!(flip_rate(&|r| r, 0.4), None, "no verdict at 0");
        // Down through 0 at 5%, back up at 30%: the first.
        let r = flip_rate(&|r| (r - 0.05) * (r - 0.3), 0.4).unwrap();
        assert!((r - 0.05).abs() <= 1e-4, "{r}");
        // Beyond the search range: none.
        assert_eq!(flip_rate(&|r| 0.45 - r, 0.4), None);
    }

    fn row(reading: &str, changes: usize, d: f64, sig: bool) -> ComparisonRow {
        ComparisonRow {
            reading: reading.into(),
            changes,
            strategy: "s".into(),
            metric: "npv".into(),
            discount_rate: Some(0.08),
            headline: true,
            n: 10,
            long_mean: d,
            short_mean: 0.0,
            mean_diff: d,
            ci_lo: Some(if sig {
                d.abs() * 0.5 * d.signum()
            } else {
                -1.0
            }),
            ci_hi: Some(if sig { d.abs() * 1.5 * d.signum() } else { 1.0 }),
            long_wins: d > 0.0,
            significant: sig,
        }
    }

    #[test]
    fn verdicts_count_shares_and_name_the_single_switches_that_flip() {
        let mut rows = vec![
            row("baseline", 0, 5.0, true),
            row("a=1", 1, -2.0, true),
            row("b=1", 1, 3.0, false),
            row("a=1 + b=1", 2, -1.0, false),
        ];
        // A non-headline rate and the cumulative profit do not count for NPV.
        let mut other = row("baseline", 0, -9.0, true);
        other.headline = false;
        rows.push(other);
        let mut cum = row("baseline", 0, 4.0, false);
        cum.metric = "cum_profit".into();
        cum.discount_rate = None;
        rows.push(cum);
        let flips = [FlipRow {
            reading: "baseline".into(),
            changes: 0,
            strategy: "s".into(),
            verdict_at_0: "long".into(),
            flip_rate: Some(0.2),
            verdict_at_max: "short".into(),
        }];
        let v = &verdicts(&rows, &flips, 4, 0.08)[0];
        assert_eq!(v.npv_diff, 5.0);
        assert!(v.npv_significant);
        assert_eq!(v.npv_verdict, "mixed");
        assert_eq!(v.npv_long_wins_share, 0.5);
        assert_eq!(v.npv_long_wins_significant_share, 0.25);
        assert_eq!(v.npv_short_wins_significant_share, 0.25);
        assert_eq!(v.npv_flips, 2);
        assert_eq!(v.npv_flipped_by, "a=1");
        assert_eq!(v.npv_flip_rate, Some(0.2));
        assert_eq!(v.cum_profit_verdict, "long");
        assert_eq!(v.cum_profit_flips, 0);
        assert_eq!(v.cum_profit_flipped_by, "");
        assert!(!v.cum_profit_significant);
    }

    #[test]
    fn long_and_short_variants_pair_by_strategy() {
        let file = parse_scenario(DEFAULT_SCENARIO, "default.toml", &[]).unwrap();
        let (names, scs) = resolve_variants(&file);
        let pairs = policy_pairs(&names, &scs, 0);
        assert_eq!(pairs.len(), 7);
        for (strategy, li, si) in &pairs {
            assert_eq!(names[*li], format!("{strategy} / long_term"));
            assert_eq!(names[*si], format!("{strategy} / short_term"));
        }
    }
}
