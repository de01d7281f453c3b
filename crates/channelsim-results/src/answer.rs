//! The answer of a run in words and its figures (`answer.json`,
//! `answer.md`), and the decomposition of profit gaps into drivers
//! (`drivers.csv`). The runner computes them; the CLI and the report
//! render them from the files.

use serde::{Deserialize, Serialize};

/// `answer.json`: one record per statement of the answer. `kind` says which:
/// `winner` (the best variant; `other` is the runner-up, the difference the
/// margin), `own_policy` (the winner against its own other policy) and
/// `policy` (a strategy's long-term minus short-term). Money in M CNY.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AnswerRow {
    pub kind: String,
    pub vendor: String,
    pub strategy: String,
    /// The variant the difference is of (`variant - other`).
    pub variant: String,
    pub other: String,
    /// The metric's column (cumulative profit at the horizon).
    pub metric: String,
    pub unit: String,
    pub horizon: u32,
    /// Replicates (paired).
    pub n: u64,
    /// Mean of `variant - other` at the horizon, paired by replicate.
    pub diff_mean: Option<f64>,
    /// Its 95% interval; none with one replicate.
    pub diff_ci_lo: Option<f64>,
    pub diff_ci_hi: Option<f64>,
    /// The interval excludes 0.
    pub significant: bool,
    /// Share of replicates in which `variant` is ahead at the horizon.
    pub share_ahead: f64,
    /// `policy` only: the median month from which long-term stays ahead,
    /// given only when long-term is ahead at the horizon in most replicates.
    pub crossover_month: Option<f64>,
    /// Share of replicates that cross (`policy` only).
    pub crossover_share: Option<f64>,
    /// The discount rate a year above which the NPV verdict (mean paired
    /// difference) flips; none when it does not up to `flip_search_max`.
    pub flip_rate: Option<f64>,
    pub flip_search_max: f64,
    /// Model readings (robust command) in which the verdict agrees with
    /// this one, of `readings_total`; none when no robust results were given.
    pub readings_agree: Option<u64>,
    pub readings_total: Option<u64>,
    /// The statement in words.
    pub text: String,
}

/// `drivers.csv`: one additive driver of the cumulative-profit gap of a
/// pair (`a - b`, mean over paired replicates); the drivers of a pair sum
/// to its gap.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriverRow {
    /// `policy` (long- against short-term of one strategy) or `winner`
    /// (the best variant against the runner-up).
    pub pair: String,
    pub strategy: String,
    pub a: String,
    pub b: String,
    pub driver: String,
    pub value_mcny: f64,
    /// The gap the drivers of the pair sum to.
    pub gap_mcny: f64,
}

/// The drivers, in the order of [`DriverRow`]s of a pair.
pub const DRIVERS: [&str; 14] = [
    "customers won",
    "customers kept",
    "expansion",
    "price",
    "partner share",
    "other revenue",
    "R&D",
    "enablement",
    "managers",
    "hosting",
    "partner royalties",
    "customer support",
    "income tax",
    "other costs",
];

/// What each driver means (docs/results.md says how it is computed).
pub fn driver_meaning(driver: &str) -> &'static str {
    match driver {
        "customers won" => "more (or fewer) customers, from customers won",
        "customers kept" => "more (or fewer) customers, from customers not churned",
        "expansion" => "services paid per customer (implementation, expansion)",
        "price" => "subscription paid per customer",
        "partner share" => "the vendor's take of what customers pay",
        "other revenue" => "revenue in months without customers or customer payments",
        "R&D" => "R&D cost (less is a gain)",
        "enablement" => "partner enablement and training system cost",
        "managers" => "channel managers' cost",
        "hosting" => "hosting cost",
        "partner royalties" => "royalties paid to units for apps",
        "customer support" => "the vendor's customer support cost",
        "income tax" => "income tax on the vendor's profit",
        _ => "every other cost",
    }
}
