//! The rows of the result tables. A number that cannot be had (no
//! replicate, or one replicate for an interval) is `None`: an empty CSV
//! field, a JSON `null`.
//!
//! Each row type is one file's column list, in its order (docs/results.md),
//! so rows repeat fields (`variant`, `metric`, `n`, `mean`, `ci_lo`, ...)
//! rather than share a nested type: the `csv` crate cannot write a
//! `#[serde(flatten)]`ed field (BurntSushi/rust-csv#98) nor read one back
//! with its type, and a shared part would hide the columns a file has.

use serde::{Deserialize, Serialize};

/// `summary.csv`, `summary.json`: a metric at the horizon across replicates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    pub variant: String,
    pub vendor: String,
    pub strategy: String,
    pub policy: String,
    /// The metric's column name (catalogue).
    pub metric: String,
    pub unit: String,
    /// Replicates behind the figures.
    pub n: u64,
    pub mean: Option<f64>,
    /// Sample standard deviation; none with one replicate.
    pub sd: Option<f64>,
    /// 95% Student-t interval of the mean, clipped to the metric's range;
    /// none with one replicate.
    pub ci_lo: Option<f64>,
    pub ci_hi: Option<f64>,
}

/// `monthly.csv`: a metric in one month across replicates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthRow {
    pub variant: String,
    pub vendor: String,
    pub strategy: String,
    pub policy: String,
    pub metric: String,
    pub unit: String,
    pub month: u32,
    pub n: u64,
    pub mean: Option<f64>,
    /// 95% interval of the mean (as in `summary.csv`).
    pub ci_lo: Option<f64>,
    pub ci_hi: Option<f64>,
    /// 90% band of the replicates ([`BAND_RULE`]).
    pub band_lo: Option<f64>,
    pub band_hi: Option<f64>,
}

/// From this many replicates on, bands are the 5th–95th percentiles of the
/// replicates; below it, mean ± 1.645 sd (a normal 90% band).
pub const PERCENTILE_MIN_REPLICATES: u64 = 20;

/// How a band over `n` replicates is drawn, for captions.
pub fn band_rule(n: u64) -> String {
    if n >= PERCENTILE_MIN_REPLICATES {
        format!("Line: mean of {n} replicates; band: 5th–95th percentile")
    } else if n < 2 {
        format!("Line: {n} replicate; no band")
    } else {
        format!(
            "Line: mean of {n} replicates; band: mean ± 1.645 sd (under {PERCENTILE_MIN_REPLICATES} replicates)"
        )
    }
}

/// `compare.json`: one record per compared variant and metric at the
/// horizon, with the paired difference against the baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareRow {
    pub vendor: String,
    pub variant: String,
    pub strategy: String,
    pub policy: String,
    pub metric: String,
    pub unit: String,
    pub n: u64,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub ci_lo: Option<f64>,
    pub ci_hi: Option<f64>,
    /// 1 = highest mean of this metric among the variants.
    pub rank: u32,
    pub baseline: String,
    /// This variant minus the baseline, paired by replicate (none for the
    /// baseline itself; no interval with one replicate).
    pub diff_mean: Option<f64>,
    pub diff_ci_lo: Option<f64>,
    pub diff_ci_hi: Option<f64>,
    /// Share of replicates in which this variant beats the baseline.
    pub share_better: Option<f64>,
}

/// `policy_diff.csv`: long-term minus short-term for one strategy, one month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiffRow {
    pub strategy: String,
    pub long: String,
    pub short: String,
    pub metric: String,
    pub unit: String,
    pub month: u32,
    pub n: u64,
    pub mean: Option<f64>,
    /// 95% paired interval; none with one replicate.
    pub ci_lo: Option<f64>,
    pub ci_hi: Option<f64>,
}

/// `crossovers.json`: when `ahead` overtakes `behind` for good.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrossoverRow {
    /// `policy` (long- against short-term of one strategy) or `baseline`.
    pub kind: String,
    pub strategy: String,
    pub ahead: String,
    pub behind: String,
    pub metric: String,
    /// Replicates.
    pub n: u64,
    /// Share of replicates in which `ahead` stays ahead from some month to
    /// the horizon.
    pub share_crossed: f64,
    /// That month across the replicates that cross (none when none does).
    pub month_mean: Option<f64>,
    pub month_median: Option<f64>,
    pub month_lo: Option<f64>,
    pub month_hi: Option<f64>,
}

/// The comparison of a run's variants: the rows of `compare.json`,
/// `policy_diff.csv` and `crossovers.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub vendor: String,
    pub baseline: String,
    pub rows: Vec<CompareRow>,
    pub policy_diff: Vec<DiffRow>,
    pub crossovers: Vec<CrossoverRow>,
}

impl Comparison {
    /// The variants, in the order of the rows.
    pub fn variants(&self) -> Vec<&CompareRow> {
        let mut seen: Vec<&CompareRow> = Vec::new();
        for r in &self.rows {
            if !seen.iter().any(|s| s.variant == r.variant) {
                seen.push(r);
            }
        }
        seen
    }
    /// The metrics compared, in the order of the rows.
    pub fn metrics(&self) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::new();
        for r in &self.rows {
            if !seen.contains(&r.metric.as_str()) {
                seen.push(&r.metric);
            }
        }
        seen
    }
    /// The row of a variant and metric (column name).
    pub fn row(&self, variant: &str, metric: &str) -> Option<&CompareRow> {
        self.rows
            .iter()
            .find(|r| r.variant == variant && r.metric == metric)
    }
    /// The variant ranked first on a metric.
    pub fn best(&self, metric: &str) -> Option<&CompareRow> {
        self.rows.iter().find(|r| r.metric == metric && r.rank == 1)
    }
    /// The strategies with a long/short pair on `metric`, in order.
    pub fn policy_strategies(&self, metric: &str) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::new();
        for r in self.policy_diff.iter().filter(|r| r.metric == metric) {
            if !seen.contains(&r.strategy.as_str()) {
                seen.push(&r.strategy);
            }
        }
        seen
    }
    /// The monthly long-minus-short rows of one strategy and metric.
    pub fn policy_series(&self, strategy: &str, metric: &str) -> Vec<&DiffRow> {
        self.policy_diff
            .iter()
            .filter(|r| r.strategy == strategy && r.metric == metric)
            .collect()
    }
    /// The crossover of a kind, `ahead` variant (or strategy for `policy`) and metric.
    pub fn crossover(&self, kind: &str, strategy: &str, metric: &str) -> Option<&CrossoverRow> {
        self.crossovers
            .iter()
            .find(|c| c.kind == kind && c.strategy == strategy && c.metric == metric)
    }
}

/// `regret.json`: one record per variant and future (design point). The
/// factor values of the point are in the record too, under their key paths
/// (kept in `factors`, flattened into the record when written).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegretRow {
    pub metric: String,
    pub unit: String,
    pub variant: String,
    pub point_id: u64,
    /// The variant's mean over replicates at this point.
    pub value: Option<f64>,
    /// Best mean at this point minus this variant's.
    pub regret: Option<f64>,
    /// The variant's largest regret over all points.
    pub max_regret: Option<f64>,
    /// Whether this variant is the minimax-regret choice.
    pub minimax: bool,
    /// Factor values at the point: numbers as numbers, others as text.
    #[serde(flatten)]
    pub factors: serde_json::Map<String, serde_json::Value>,
}

/// `sensitivity.json`: one record per metric, variant and factor; Sobol
/// fields (SALib's names) or Morris fields, the other kind's absent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SensitivityRow {
    pub method: String,
    pub metric: String,
    pub variant: String,
    pub factor: String,
    /// Replicates per design point.
    pub replicates: u32,
    #[serde(rename = "S1", default, skip_serializing_if = "Option::is_none")]
    pub s1: Option<f64>,
    #[serde(rename = "S1_conf", default, skip_serializing_if = "Option::is_none")]
    pub s1_conf: Option<f64>,
    #[serde(rename = "ST", default, skip_serializing_if = "Option::is_none")]
    pub st: Option<f64>,
    #[serde(rename = "ST_conf", default, skip_serializing_if = "Option::is_none")]
    pub st_conf: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mu: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mu_star: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mu_star_conf: Option<f64>,
}

/// A finite number, else none.
pub fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}
