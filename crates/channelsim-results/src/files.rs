//! The names of the result files (docs/results.md describes each).

/// Tidy per-month values: one row per variant, replicate, month and vendor.
pub const SERIES: &str = "series.csv";
/// Per-month mean, interval and band across replicates, long format.
pub const MONTHLY: &str = "monthly.csv";
/// Horizon values: one row per variant, replicate and vendor.
pub const RUNS: &str = "runs.csv";
/// Horizon summaries across replicates, long format.
pub const SUMMARY: &str = "summary.csv";
/// The rows of `summary.csv` as JSON records.
pub const SUMMARY_JSON: &str = "summary.json";
/// The comparison of variants at the horizon, JSON records.
pub const COMPARE: &str = "compare.json";
/// Long minus short per strategy and month, paired.
pub const POLICY_DIFF: &str = "policy_diff.csv";
/// When one variant overtakes another for good, JSON records.
pub const CROSSOVERS: &str = "crossovers.json";
/// What a run was (not a table: one JSON object).
pub const MANIFEST: &str = "manifest.json";
/// A sweep's runs and their factor values.
pub const DESIGN: &str = "design.csv";
/// A sweep's horizon values per run.
pub const RESULTS: &str = "results.csv";
/// A sweep's failed runs.
pub const FAILURES: &str = "failures.csv";
/// A sweep's regret table, JSON records.
pub const REGRET: &str = "regret.json";
/// A Sobol or Morris analysis, JSON records (one per metric, variant, factor).
pub const SENSITIVITY: &str = "sensitivity.json";
/// The answer of a run: its statements as JSON records.
pub const ANSWER_JSON: &str = "answer.json";
/// The answer of a run in words (Markdown).
pub const ANSWER_MD: &str = "answer.md";
/// The profit gaps of pairs of variants split into drivers.
pub const DRIVERS: &str = "drivers.csv";
