//! Experiment files: a base scenario, overrides layered on top, and a
//! design over named factors (any scenario key path), expanded into runs.
//!
//! An experiment file gets the same validation as a scenario: every error is
//! located (file:line:col, key, value, what is allowed); the name must be a
//! safe folder name; the design's size is checked before it is expanded
//! ([`crate::guard`]); and every point of the design is resolved against the
//! scenario schema before any run, with errors in a factor or a `set`
//! attributed to the line of the experiment file that holds it.

use crate::RunnerError;
use crate::guard::{MAX_DESIGN_CELLS, MAX_DESIGN_POINTS, MAX_FACTORS, MAX_REPLICATES, MAX_RUNS};
use crate::scenario::{Diagnostic, ErrorKind, ScenarioError, ScenarioFile, parse_scenario};
use channelsim_core::Scenario;
use channelsim_stats::{Factor, MorrisDesign, grid, lhs, morris, saltelli};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The experiment file as written (raw), with the place of every value.
/// (The schema, for editors, names the plain types.)
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawExperiment {
    #[schemars(with = "String")]
    name: Spanned<String>,
    #[serde(default)]
    description: String,
    /// Base scenario, relative to the experiment file.
    #[schemars(with = "String")]
    base: Spanned<String>,
    /// Overrides on the base, applied before the design's factors.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    set: BTreeMap<String, Spanned<toml::Value>>,
    /// Variants of the base to run at every point: `"all"`, or a list of
    /// names; default: the base's first variant.
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    variants: Option<Spanned<toml::Value>>,
    #[schemars(with = "Option<u32>")]
    replicates: Option<Spanned<i64>>,
    #[schemars(with = "Option<u64>")]
    seed: Option<Spanned<i64>>,
    /// Common random numbers across points (same seeds per replicate).
    #[serde(default = "yes")]
    crn: bool,
    /// Metrics kept at the horizon.
    #[schemars(with = "Option<Vec<String>>")]
    metrics: Option<Spanned<Vec<String>>>,
    /// Vendor whose metrics are kept (default: the first).
    #[schemars(with = "Option<String>")]
    vendor: Option<Spanned<String>>,
    /// Metric of the regret table (when several variants run).
    #[schemars(with = "Option<String>")]
    regret_metric: Option<Spanned<String>>,
    /// Failed runs accepted: a count of runs, or a share of the runs in
    /// [0, 1]; default 0.
    #[schemars(with = "Option<serde_json::Value>")]
    failures_allowed: Option<Spanned<toml::Value>>,
    #[schemars(with = "RawDesign")]
    design: Spanned<RawDesign>,
}

/// The JSON Schema of the raw experiment file (see `scenario::schema`).
pub(crate) fn raw_schema() -> serde_json::Value {
    schemars::schema_for!(RawExperiment).to_value()
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawDesign {
    #[schemars(with = "String")]
    method: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Vec<RawFactor>")]
    factor: Vec<Spanned<RawFactor>>,
    /// `list`: explicit points, each a table of key = value.
    #[serde(default)]
    #[schemars(with = "Vec<BTreeMap<String, serde_json::Value>>")]
    points: Vec<Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
    /// `lhs`: number of points; `sobol`: N (a power of two); `morris`: trajectories.
    #[schemars(with = "Option<usize>")]
    samples: Option<Spanned<i64>>,
    /// `morris`: number of levels (even).
    #[schemars(with = "Option<usize>")]
    levels: Option<Spanned<i64>>,
    #[serde(default)]
    second_order: bool,
    /// Seed of the design itself (lhs, morris) and of bootstraps.
    #[schemars(with = "Option<u64>")]
    design_seed: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawFactor {
    #[schemars(with = "String")]
    key: Spanned<String>,
    /// `grid`: the levels.
    #[schemars(with = "Option<Vec<serde_json::Value>>")]
    levels: Option<Spanned<Vec<toml::Value>>>,
    /// `lhs`, `sobol`, `morris`: the range.
    #[schemars(with = "Option<f64>")]
    lo: Option<Spanned<f64>>,
    #[schemars(with = "Option<f64>")]
    hi: Option<Spanned<f64>>,
    /// Round sampled values to integers (for counts).
    #[serde(default)]
    integer: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub enum Method {
    List,
    Grid,
    Lhs,
    Sobol,
    Morris,
}

/// How many failed runs a sweep accepts and still exits 0.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub enum FailuresAllowed {
    /// At most this many runs.
    Count(u64),
    /// At most this share of the runs.
    Share(f64),
}

impl FailuresAllowed {
    /// Whether `failed` of `runs` is within what is allowed. For a whole
    /// experiment (`whole`), never when no run succeeded: there are no
    /// results. A shard is only a slice: its runs may all fail within the
    /// allowance, and the merge judges the whole.
    pub fn allows(&self, failed: usize, runs: usize, whole: bool) -> bool {
        if failed == 0 {
            return true;
        }
        if whole && failed >= runs {
            return false;
        }
        match *self {
            FailuresAllowed::Count(n) => failed as u64 <= n,
            FailuresAllowed::Share(s) => failed as f64 <= s * runs as f64,
        }
    }
}

/// Top-level scenario keys a factor may not vary: they are the
/// experiment's own settings (or mean nothing per point).
const NOT_FACTORS: [&str; 4] = ["replicates", "seed", "name", "description"];

/// Names of experiments: a safe folder name.
fn safe_name(name: &str) -> bool {
    (1..=100).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// A resolved experiment: its points and runs, in a fixed order.
#[derive(Clone, Debug, Serialize)]
pub struct Experiment {
    pub name: String,
    pub description: String,
    pub file: String,
    /// SHA-256 of the experiment file's text.
    pub hash: String,
    pub base_file: String,
    pub method: Method,
    pub factors: Vec<String>,
    /// Each point: the value of each factor as TOML text; empty where a
    /// `list` point leaves the factor out (the base value applies).
    pub points: Vec<Vec<String>>,
    /// Numeric value of each factor at each point (for analysis; NaN if not numeric).
    pub values: Vec<Vec<f64>>,
    pub variants: Vec<String>,
    pub replicates: u32,
    pub seed: u64,
    pub crn: bool,
    pub metrics: Vec<String>,
    pub vendor: Option<String>,
    pub regret_metric: String,
    pub second_order: bool,
    pub design_seed: u64,
    pub failures_allowed: FailuresAllowed,
    #[serde(skip)]
    pub morris: Option<MorrisDesign>,
    #[serde(skip)]
    pub base_text: String,
    #[serde(skip)]
    pub sets: Vec<String>,
    /// Command-line overrides (after the file's own `set`).
    pub cli_sets: Vec<String>,
    #[serde(skip)]
    pub text: String,
    /// What the results depend on (see [`Fingerprint`]).
    pub fingerprint: Fingerprint,
    /// Where the file's `set` entries and the command line's come from.
    #[serde(skip)]
    prov: Vec<Prov>,
    /// `list`: where each point's value of each factor is written.
    #[serde(skip)]
    list_spans: Vec<Vec<Range<usize>>>,
    /// Where each factor's key is written.
    #[serde(skip)]
    factor_spans: Vec<Range<usize>>,
}

/// Everything that determines a sweep's results. A results folder records
/// it; resume and merge refuse a folder (or a shard) whose fingerprint
/// differs, naming what differs.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Fingerprint {
    pub engine_version: String,
    pub model_version: String,
    /// SHA-256 of the resolved base scenario (all its variants), before
    /// any override.
    pub base_scenario: String,
    /// Every override: the experiment file's `set`, then the command line's.
    pub sets: Vec<String>,
    /// SHA-256 of the design: method, factors, points, variants,
    /// replicates, kept metrics and vendor.
    pub design: String,
    /// Root seed, common random numbers, design seed.
    pub seeds: String,
}

impl Fingerprint {
    /// What differs between the fingerprint of existing results (`self`)
    /// and `now`, in words; empty when they match.
    pub fn differences(&self, now: &Fingerprint) -> Vec<String> {
        let mut d = Vec::new();
        if self.engine_version != now.engine_version || self.model_version != now.model_version {
            d.push(format!(
                "the engine differs (results made by engine {} model {}, this is engine {} model {})",
                self.engine_version, self.model_version, now.engine_version, now.model_version
            ));
        }
        if self.base_scenario != now.base_scenario {
            d.push("the base scenario differs from the one the results were made with".into());
        }
        if self.sets != now.sets {
            d.push(format!(
                "the overrides differ (results made with [{}], now [{}])",
                self.sets.join(", "),
                now.sets.join(", ")
            ));
        }
        if self.design != now.design {
            d.push(
                "the design differs (method, factors, points, variants, replicates, metrics or vendor)"
                    .into(),
            );
        }
        if self.seeds != now.seeds {
            d.push(format!(
                "the seeds differ (results made with {}, now {})",
                self.seeds, now.seeds
            ));
        }
        d
    }
}

/// An experiment's sources, saved in its folder (`experiment.json`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SavedSources {
    pub experiment_file: String,
    pub experiment_text: String,
    pub base_text: String,
    pub cli_sets: Vec<String>,
}

/// One run of the experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct RunId {
    pub run: usize,
    pub point: usize,
    pub variant: usize,
    pub replicate: u32,
    pub seed: u64,
}

/// The experiment file's text, for located diagnostics.
struct Src<'a> {
    file: &'a str,
    text: &'a str,
}

impl Src<'_> {
    fn diag(
        &self,
        kind: ErrorKind,
        span: Range<usize>,
        key: &str,
        value: Option<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let mut start = span.start.min(self.text.len());
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let before = &self.text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        Diagnostic {
            kind,
            origin: self.file.to_string(),
            line,
            column: self.text[line_start..start].chars().count() + 1,
            key: key.to_string(),
            value: value.map(|v| shorten(&v)),
            variant: None,
            message: message.into(),
            source_line: self.text[line_start..line_end]
                .trim_end_matches('\r')
                .to_string(),
        }
    }

    fn err(
        &self,
        kind: ErrorKind,
        span: Range<usize>,
        key: &str,
        value: Option<String>,
        message: impl Into<String>,
    ) -> RunnerError {
        RunnerError::Experiment(vec![self.diag(kind, span, key, value, message)])
    }

    /// An integer key, if given: in `lo..=hi`, else an out-of-range error
    /// located at it.
    fn int_in(
        &self,
        v: Option<&Spanned<i64>>,
        key: &str,
        lo: i64,
        hi: i64,
    ) -> Result<Option<i64>, RunnerError> {
        let Some(v) = v else { return Ok(None) };
        let n = *v.get_ref();
        if !(lo..=hi).contains(&n) {
            return Err(self.err(
                ErrorKind::OutOfRange,
                v.span(),
                key,
                Some(n.to_string()),
                format!("out of range: an integer in {lo}..={hi}"),
            ));
        }
        Ok(Some(n))
    }

    /// The text of a span, as written.
    fn at(&self, span: &Range<usize>) -> Option<String> {
        self.text.get(span.clone()).map(str::to_string)
    }
}

/// First line of `s`, at most 60 characters.
fn shorten(s: &str) -> String {
    let first = s.lines().next().unwrap_or("");
    let mut out: String = first.chars().take(60).collect();
    if out.len() < s.trim_end().len() {
        out.push_str(" …");
    }
    out
}

fn parse_raw(src: &Src<'_>) -> Result<RawExperiment, RunnerError> {
    toml::from_str(src.text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        // The key on the line of the error, when there is one.
        let line = src
            .diag(ErrorKind::Syntax, span.clone(), "", None, "")
            .source_line;
        let key = line
            .split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"').to_string())
            .filter(|k| !k.is_empty() && !k.starts_with(['#', '[']))
            .unwrap_or_default();
        let value = (!span.is_empty() && span.len() < 200)
            .then(|| src.at(&span))
            .flatten()
            .filter(|v| v.trim().trim_matches('"') != key);
        let message = e.message().trim().to_string();
        let message = if message.contains("unknown field") {
            message + " (see docs/experiments.md)"
        } else {
            message
        };
        src.err(ErrorKind::Invalid, span, &key, value, message)
    })
}

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("{s:?}"),
        toml::Value::Float(x) if x.is_finite() && x.abs() >= 1e16 => number_text(*x),
        other => other.to_string(),
    }
}

/// A number as text: as Rust writes it, but in exponent form from 1e16 on
/// (1e308 is not written with 309 digits).
pub fn number_text(x: f64) -> String {
    if x.is_finite() && x.abs() >= 1e16 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Where an override given to the scenario parser came from.
#[derive(Clone, Debug)]
enum Prov {
    /// A place in the experiment file, with a hint added to errors.
    File(Range<usize>, String),
    /// The command line.
    Cli,
}

/// Re-locate a scenario error caused by an override that the experiment
/// file holds (its `set`, a factor, a point) at that place of the file.
fn attribute(
    e: ScenarioError,
    src: &Src<'_>,
    base_file: &str,
    sets: &[String],
    prov: &[Prov],
) -> RunnerError {
    let ScenarioError::Invalid(ds) = e else {
        return RunnerError::Scenario(e);
    };
    let prefix = format!("{base_file}: --set ");
    let mut mapped = false;
    let out: Vec<Diagnostic> = ds
        .into_iter()
        .map(|d| {
            let from = d
                .origin
                .strip_prefix(&prefix)
                .and_then(|arg| sets.iter().position(|s| s == arg))
                .and_then(|k| prov.get(k));
            match from {
                Some(Prov::File(span, hint)) => {
                    mapped = true;
                    let mut hint = hint.clone();
                    if d.kind == ErrorKind::WrongType && hint.contains("sampled") {
                        hint.push_str("; add integer = true to the factor for an integer key");
                    }
                    let mut n = src.diag(
                        d.kind,
                        span.clone(),
                        &d.key,
                        d.value.clone(),
                        format!("{}{hint}", d.message),
                    );
                    n.variant = d.variant;
                    n
                }
                _ => d,
            }
        })
        .collect();
    if mapped {
        RunnerError::Experiment(out)
    } else {
        RunnerError::Scenario(ScenarioError::Invalid(out))
    }
}

impl Experiment {
    /// Read an experiment file; `sets` are command-line overrides.
    pub fn load(path: &Path, sets: &[String]) -> Result<Experiment, RunnerError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            let src = Src {
                file: &file,
                text: "",
            };
            src.err(
                ErrorKind::Missing,
                0..0,
                "",
                None,
                format!("cannot read the experiment file: {e}"),
            )
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::parse(&text, &file, &dir, sets)
    }

    pub fn parse(
        text: &str,
        file: &str,
        dir: &Path,
        sets: &[String],
    ) -> Result<Experiment, RunnerError> {
        let src = Src { file, text };
        let raw = parse_raw(&src)?;
        let base_path = resolve_base(dir, raw.base.get_ref());
        let base_text = std::fs::read_to_string(&base_path).map_err(|e| {
            src.err(
                ErrorKind::Missing,
                raw.base.span(),
                "base",
                src.at(&raw.base.span()),
                format!(
                    "cannot read the base scenario {}: {e} (the path is relative to the experiment file)",
                    base_path.display()
                ),
            )
        })?;
        Self::with_base(text, file, &base_text, sets)
    }

    /// Rebuild an experiment from the sources saved in its folder.
    pub fn from_saved(s: &SavedSources) -> Result<Experiment, RunnerError> {
        Self::with_base(
            &s.experiment_text,
            &s.experiment_file,
            &s.base_text,
            &s.cli_sets,
        )
    }

    /// The sources to save next to the results (so `merge` can analyse).
    pub fn sources(&self) -> SavedSources {
        SavedSources {
            experiment_file: self.file.clone(),
            experiment_text: self.text.clone(),
            base_text: self.base_text.clone(),
            cli_sets: self.cli_sets.clone(),
        }
    }

    fn with_base(
        text: &str,
        file: &str,
        base_text: &str,
        cli_sets: &[String],
    ) -> Result<Experiment, RunnerError> {
        let src = Src { file, text };
        let raw = parse_raw(&src)?;
        let name = raw.name.get_ref();
        if !safe_name(name) {
            return Err(src.err(
                ErrorKind::Invalid,
                raw.name.span(),
                "name",
                src.at(&raw.name.span()),
                "an experiment name is a folder name: 1 to 100 letters, digits, '.', '_' or '-', \
                 starting with a letter or digit (no '/', no '..')",
            ));
        }
        // The base is named as the experiment writes it, so that messages
        // (and failures.csv) do not depend on where the command ran.
        let base_file = raw.base.get_ref().clone();
        let mut sets: Vec<String> = Vec::new();
        let mut prov: Vec<Prov> = Vec::new();
        for (k, v) in &raw.set {
            sets.push(format!("{k}={}", value_text(v.get_ref())));
            prov.push(Prov::File(v.span(), " (in the experiment's [set])".into()));
        }
        for s in cli_sets {
            sets.push(s.clone());
            prov.push(Prov::Cli);
        }
        // Resolve the base once, to check the overrides and list variants.
        let base = parse_scenario(base_text, &base_file, &sets)
            .map_err(|e| attribute(e, &src, &base_file, &sets, &prov))?;
        let base_alone = parse_scenario(base_text, &base_file, &[])
            .map(|f| format!("{:?}", f.variants))
            .unwrap_or_else(|_| base_text.to_string());
        let variants = select_variants(&base, raw.variants.as_ref(), &src)?;
        let replicates = src
            .int_in(
                raw.replicates.as_ref(),
                "replicates",
                1,
                MAX_REPLICATES as i64,
            )?
            .map_or(base.base.replicates, |n| n as u32);
        let seed = src
            .int_in(raw.seed.as_ref(), "seed", 0, i64::MAX)?
            .map_or(base.base.seed, |n| n as u64);
        let d = raw.design.get_ref();
        let design_seed = src
            .int_in(d.design_seed.as_ref(), "design.design_seed", 0, i64::MAX)?
            .map_or(0, |n| n as u64);
        let method = match d.method.get_ref().as_str() {
            "list" => Method::List,
            "grid" => Method::Grid,
            "lhs" => Method::Lhs,
            "sobol" => Method::Sobol,
            "morris" => Method::Morris,
            m => {
                return Err(src.err(
                    ErrorKind::UnknownName,
                    d.method.span(),
                    "design.method",
                    Some(format!("{m:?}")),
                    "must be one of list, grid, lhs, sobol, morris",
                ));
            }
        };
        let ex = expand(d, &method, &src, design_seed)?;
        let n_runs = (ex.points.len() as u64)
            .checked_mul(variants.len() as u64)
            .and_then(|x| x.checked_mul(replicates as u64))
            .unwrap_or(u64::MAX);
        if n_runs > MAX_RUNS {
            let span = raw
                .replicates
                .as_ref()
                .map_or(d.method.span(), |r| r.span());
            return Err(RunnerError::Limit {
                what: format!(
                    "{}: the experiment has {} points x {} variants x {replicates} replicates = {n_runs} runs, \
                     more than the {MAX_RUNS} one experiment may have (at line {})",
                    file,
                    ex.points.len(),
                    variants.len(),
                    src.diag(ErrorKind::OutOfRange, span, "", None, "").line
                ),
                advice: "use fewer points, variants or replicates, or split the study into several experiments".into(),
            });
        }
        let metrics: Vec<String> = match &raw.metrics {
            Some(m) => m.get_ref().clone(),
            None => channelsim_results::catalogue::headline()
                .iter()
                .map(|m| m.name.to_string())
                .collect(),
        };
        let known = crate::results::horizon_metrics();
        let metrics_span = raw.metrics.as_ref().map_or(0..0, |m| m.span());
        if metrics.is_empty() {
            return Err(src.err(
                ErrorKind::Invalid,
                metrics_span,
                "metrics",
                Some("[]".into()),
                format!("keep at least one metric; known: {}", known.join(", ")),
            ));
        }
        for (i, m) in metrics.iter().enumerate() {
            if !known.contains(&m.as_str()) {
                return Err(src.err(
                    ErrorKind::UnknownName,
                    metrics_span.clone(),
                    "metrics",
                    Some(format!("{m:?}")),
                    format!("unknown metric; known: {}", known.join(", ")),
                ));
            }
            if metrics[..i].contains(m) {
                return Err(src.err(
                    ErrorKind::Duplicate,
                    metrics_span.clone(),
                    "metrics",
                    Some(format!("{m:?}")),
                    "a metric listed twice",
                ));
            }
        }
        let regret_metric = match &raw.regret_metric {
            Some(r) => {
                if !metrics.contains(r.get_ref()) {
                    return Err(src.err(
                        ErrorKind::UnknownName,
                        r.span(),
                        "regret_metric",
                        Some(format!("{:?}", r.get_ref())),
                        format!(
                            "must be one of the kept metrics: {} (add it to metrics)",
                            metrics.join(", ")
                        ),
                    ));
                }
                r.get_ref().clone()
            }
            // npv when kept, else the first kept metric.
            None if metrics.iter().any(|m| m == "npv") => "npv".into(),
            None => metrics[0].clone(),
        };
        if let Some(v) = &raw.vendor
            && !base.base.vendors.iter().any(|x| &x.name == v.get_ref())
        {
            return Err(src.err(
                ErrorKind::UnknownName,
                v.span(),
                "vendor",
                Some(format!("{:?}", v.get_ref())),
                format!(
                    "unknown vendor; the base scenario has: {}",
                    base.base
                        .vendors
                        .iter()
                        .map(|x| x.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let failures_allowed = match &raw.failures_allowed {
            None => FailuresAllowed::Count(0),
            Some(f) => match f.get_ref() {
                toml::Value::Integer(n) if *n >= 0 => FailuresAllowed::Count(*n as u64),
                toml::Value::Float(x) if (0.0..=1.0).contains(x) => FailuresAllowed::Share(*x),
                other => {
                    return Err(src.err(
                        ErrorKind::OutOfRange,
                        f.span(),
                        "failures_allowed",
                        Some(value_text(other)),
                        "must be a count of runs (an integer >= 0) or a share of the runs (a number in [0, 1], e.g. 0.05)",
                    ));
                }
            },
        };
        let fingerprint = Fingerprint {
            engine_version: channelsim_core::ENGINE_VERSION.to_string(),
            model_version: channelsim_core::MODEL_VERSION.to_string(),
            base_scenario: crate::scenario::sha256_hex(&base_alone),
            sets: sets.clone(),
            design: crate::scenario::sha256_hex(&format!(
                "{method:?}\n{:?}\n{:?}\n{variants:?}\n{replicates}\n{metrics:?}\n{:?}\n{}",
                ex.factors,
                ex.points,
                raw.vendor.as_ref().map(|v| v.get_ref()),
                d.second_order
            )),
            seeds: format!("seed={seed} crn={} design_seed={design_seed}", raw.crn),
        };
        Ok(Experiment {
            name: name.clone(),
            description: raw.description.clone(),
            file: file.to_string(),
            hash: crate::scenario::sha256_hex(text),
            base_file,
            method,
            factors: ex.factors,
            points: ex.points,
            values: ex.values,
            variants,
            replicates,
            seed,
            crn: raw.crn,
            metrics,
            vendor: raw.vendor.as_ref().map(|v| v.get_ref().clone()),
            regret_metric,
            second_order: d.second_order,
            design_seed,
            failures_allowed,
            morris: ex.morris,
            base_text: base_text.to_string(),
            sets,
            cli_sets: cli_sets.to_vec(),
            text: text.to_string(),
            fingerprint,
            prov,
            list_spans: ex.list_spans,
            factor_spans: ex.factor_spans,
        })
    }

    /// Check the design points `points` against the scenario schema (all
    /// of them before a whole sweep; a shard's before it runs; all before a
    /// Slurm array is submitted), in parallel. An error in a factor's value
    /// or the file's `set` is located in the experiment file. Returns the
    /// variant with the largest market among them (for the memory guard).
    pub fn validate_points(
        &self,
        points: std::ops::Range<usize>,
    ) -> Result<Option<Scenario>, RunnerError> {
        use rayon::prelude::*;
        let src = Src {
            file: &self.file,
            text: &self.text,
        };
        let checked: Vec<Result<(u64, usize, usize), RunnerError>> = points
            .into_par_iter()
            .map(|p| {
                let (psets, pprov) = self.point_provenance(p);
                let f = parse_scenario(&self.base_text, &self.base_file, &psets)
                    .map_err(|e| attribute(e, &src, &self.base_file, &psets, &pprov))?;
                let mut best = (0, p, 0);
                for (vi, v) in f.variants.iter().enumerate() {
                    if self.variants.contains(&v.name) {
                        let m = crate::exec::memory_estimate(&v.scenario, 1);
                        if m > best.0 {
                            best = (m, p, vi);
                        }
                    }
                }
                Ok(best)
            })
            .collect();
        let mut largest: Option<(u64, usize, usize)> = None;
        for c in checked {
            let c = c?;
            if largest.is_none_or(|l| c.0 > l.0) {
                largest = Some(c);
            }
        }
        Ok(match largest {
            Some((_, p, vi)) => {
                let f = parse_scenario(&self.base_text, &self.base_file, &self.point_sets(p))?;
                f.variants.into_iter().nth(vi).map(|v| v.scenario)
            }
            None => None,
        })
    }

    /// The overrides of point `p` and where each comes from.
    fn point_provenance(&self, p: usize) -> (Vec<String>, Vec<Prov>) {
        let mut psets = self.sets.clone();
        let mut pprov = self.prov.clone();
        for (j, v) in self.points[p].iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            psets.push(format!("{}={v}", self.factors[j]));
            let hint = match self.method {
                Method::List => format!(" (design point {p})"),
                Method::Grid => format!(" (a level of this factor, design point {p})"),
                _ => format!(" (the value sampled for this factor at design point {p})"),
            };
            let span = self
                .list_spans
                .get(p)
                .and_then(|s| s.get(j))
                .or_else(|| self.factor_spans.get(j))
                .cloned()
                .unwrap_or(0..0);
            pprov.push(Prov::File(span, hint));
        }
        (psets, pprov)
    }

    /// The design points of the runs `runs` (a shard's).
    pub fn points_of(&self, runs: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let per_point = self.variants.len() * self.replicates as usize;
        if runs.is_empty() || per_point == 0 {
            return 0..0;
        }
        runs.start / per_point..(runs.end - 1) / per_point + 1
    }

    pub fn n_runs(&self) -> usize {
        self.points.len() * self.variants.len() * self.replicates as usize
    }

    /// Run `i` in the fixed order point, variant, replicate.
    pub fn run_id(&self, i: usize) -> RunId {
        let r = self.replicates as usize;
        let nv = self.variants.len();
        let replicate = (i % r) as u32;
        let variant = (i / r) % nv;
        let point = i / (r * nv);
        let seed = if self.crn {
            self.seed
        } else {
            channelsim_core::rng::mix64(
                self.seed ^ (point as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
            )
        };
        RunId {
            run: i,
            point,
            variant,
            replicate,
            seed,
        }
    }

    /// The overrides of a design point: the file's and the command line's,
    /// then the factors the point sets.
    pub fn point_sets(&self, point: usize) -> Vec<String> {
        let mut sets = self.sets.clone();
        for (k, v) in self.factors.iter().zip(&self.points[point]) {
            // A list point that leaves a factor out keeps the base value.
            if !v.is_empty() {
                sets.push(format!("{k}={v}"));
            }
        }
        sets
    }

    /// The scenario file of a design point (all variants resolved).
    pub fn point_scenario(&self, point: usize) -> Result<ScenarioFile, RunnerError> {
        Ok(parse_scenario(
            &self.base_text,
            &self.base_file,
            &self.point_sets(point),
        )?)
    }
}

fn resolve_base(dir: &Path, base: &str) -> PathBuf {
    let p = Path::new(base);
    if p.is_absolute() || p.exists() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

fn select_variants(
    base: &ScenarioFile,
    spec: Option<&Spanned<toml::Value>>,
    src: &Src<'_>,
) -> Result<Vec<String>, RunnerError> {
    let all: Vec<String> = base.variants.iter().map(|v| v.name.clone()).collect();
    let Some(spec) = spec else {
        return Ok(vec![all[0].clone()]);
    };
    let span = spec.span();
    let bad = |value: String, msg: String| {
        src.err(
            ErrorKind::UnknownName,
            span.clone(),
            "variants",
            Some(value),
            msg,
        )
    };
    match spec.get_ref() {
        toml::Value::String(s) if s == "all" => Ok(all),
        toml::Value::Array(a) => {
            let mut out: Vec<String> = Vec::new();
            for v in a {
                let Some(name) = v.as_str() else {
                    return Err(bad(value_text(v), "a variant is named by a string".into()));
                };
                if !all.iter().any(|x| x == name) {
                    return Err(bad(
                        format!("{name:?}"),
                        format!("unknown variant; the base has: {}", all.join(", ")),
                    ));
                }
                if out.iter().any(|x| x == name) {
                    return Err(bad(format!("{name:?}"), "a variant listed twice".into()));
                }
                out.push(name.to_string());
            }
            if out.is_empty() {
                return Err(bad(
                    "[]".into(),
                    format!("an empty list; the base has: {}", all.join(", ")),
                ));
            }
            Ok(out)
        }
        other => Err(bad(
            value_text(other),
            "must be \"all\" or a list of variant names".into(),
        )),
    }
}

/// A design expanded into points, with where each value comes from.
struct Expanded {
    factors: Vec<String>,
    points: Vec<Vec<String>>,
    values: Vec<Vec<f64>>,
    morris: Option<MorrisDesign>,
    /// `list`: the place of each point's value of each factor.
    list_spans: Vec<Vec<Range<usize>>>,
    /// The place of each factor's key.
    factor_spans: Vec<Range<usize>>,
}

/// Refuse a design of `points` points of `k` factors beyond the guard.
fn check_size(
    points: u64,
    k: usize,
    how: &str,
    span: Range<usize>,
    key: &str,
    src: &Src<'_>,
) -> Result<(), RunnerError> {
    let cells = points.saturating_mul(k.max(1) as u64);
    if points <= MAX_DESIGN_POINTS && cells <= MAX_DESIGN_CELLS {
        return Ok(());
    }
    let d = src.diag(ErrorKind::OutOfRange, span, key, None, "");
    Err(RunnerError::Limit {
        what: format!(
            "{}:{}:{}: {key}: the design would have {points} points ({how}) of {k} factors, \
             about {} MiB before any run; a design may have at most {MAX_DESIGN_POINTS} points \
             and {MAX_DESIGN_CELLS} factor values",
            d.origin,
            d.line,
            d.column,
            cells.saturating_mul(48) >> 20
        ),
        advice: "use fewer samples or levels, or split the study into several experiments".into(),
    })
}

fn check_factor_key(
    key: &str,
    span: Range<usize>,
    seen: &[String],
    src: &Src<'_>,
) -> Result<(), RunnerError> {
    let k = key.trim();
    if k.is_empty() {
        return Err(src.err(
            ErrorKind::Invalid,
            span,
            "design.factor.key",
            Some("\"\"".into()),
            "a factor needs a scenario key path, e.g. \"params.bass_q\"",
        ));
    }
    if NOT_FACTORS.contains(&k) {
        return Err(src.err(
            ErrorKind::Invalid,
            span,
            "design.factor.key",
            Some(format!("{k:?}")),
            format!(
                "{} cannot be a factor: {} are settings of the experiment itself, \
                 not of a design point",
                k,
                NOT_FACTORS.join(", ")
            ),
        ));
    }
    if seen.iter().any(|s| s == k) {
        return Err(src.err(
            ErrorKind::Duplicate,
            span,
            "design.factor.key",
            Some(format!("{k:?}")),
            "a factor listed twice; each key may be a factor once",
        ));
    }
    Ok(())
}

fn expand(
    d: &RawDesign,
    method: &Method,
    src: &Src<'_>,
    seed: u64,
) -> Result<Expanded, RunnerError> {
    if d.factor.len() > MAX_FACTORS {
        return Err(src.err(
            ErrorKind::OutOfRange,
            d.factor[MAX_FACTORS].span(),
            "design.factor",
            None,
            format!("at most {MAX_FACTORS} factors"),
        ));
    }
    let mut factors: Vec<String> = Vec::new();
    let mut factor_spans = Vec::new();
    if *method != Method::List {
        for f in &d.factor {
            let f = f.get_ref();
            check_factor_key(f.key.get_ref(), f.key.span(), &factors, src)?;
            factors.push(f.key.get_ref().trim().to_string());
            factor_spans.push(f.key.span());
        }
        if factors.is_empty() {
            return Err(src.err(
                ErrorKind::Missing,
                d.method.span(),
                "design.factor",
                None,
                "this design needs at least one [[design.factor]] with a key",
            ));
        }
    } else if !d.factor.is_empty() {
        return Err(src.err(
            ErrorKind::Invalid,
            d.factor[0].span(),
            "design.factor",
            None,
            "a list design takes its factors from design.points; remove [[design.factor]]",
        ));
    }
    let k = factors.len();
    match method {
        Method::List => {
            if d.points.is_empty() {
                return Err(src.err(
                    ErrorKind::Missing,
                    d.method.span(),
                    "design.points",
                    None,
                    "a list design needs at least one point, e.g. points = [ { \"params.bass_q\" = 0.03 } ]",
                ));
            }
            for p in &d.points {
                for (key, v) in p.get_ref() {
                    if !factors.iter().any(|f| f == key.trim()) {
                        check_factor_key(key, v.span(), &factors, src)?;
                        factors.push(key.trim().to_string());
                    }
                }
            }
            let k = factors.len();
            check_size(
                d.points.len() as u64,
                k,
                "one per entry of points",
                d.method.span(),
                "design.points",
                src,
            )?;
            fn find<'a>(
                p: &'a BTreeMap<String, Spanned<toml::Value>>,
                key: &str,
            ) -> Option<&'a Spanned<toml::Value>> {
                p.iter().find(|(k, _)| k.trim() == key).map(|(_, v)| v)
            }
            let mut points = Vec::new();
            let mut values = Vec::new();
            let mut list_spans = Vec::new();
            for p in &d.points {
                let mut pt = Vec::with_capacity(k);
                let mut vals = Vec::with_capacity(k);
                let mut spans = Vec::with_capacity(k);
                for key in &factors {
                    match find(p.get_ref(), key) {
                        Some(v) => {
                            pt.push(value_text(v.get_ref()));
                            vals.push(as_f64(v.get_ref()).unwrap_or(f64::NAN));
                            spans.push(v.span());
                        }
                        // Left out: the base value applies.
                        None => {
                            pt.push(String::new());
                            vals.push(f64::NAN);
                            spans.push(p.span());
                        }
                    }
                }
                points.push(pt);
                values.push(vals);
                list_spans.push(spans);
            }
            Ok(Expanded {
                factors,
                points,
                values,
                morris: None,
                list_spans,
                factor_spans,
            })
        }
        Method::Grid => {
            let mut levels = Vec::new();
            let mut n: u64 = 1;
            for f in &d.factor {
                let f = f.get_ref();
                let l = f
                    .levels
                    .as_ref()
                    .filter(|l| !l.get_ref().is_empty())
                    .ok_or_else(|| {
                        src.err(
                            ErrorKind::Missing,
                            f.key.span(),
                            "design.factor.levels",
                            None,
                            format!(
                                "the grid factor {:?} needs levels = [...] (at least one)",
                                f.key.get_ref()
                            ),
                        )
                    })?;
                n = n.saturating_mul(l.get_ref().len() as u64);
                levels.push(l.get_ref().clone());
            }
            check_size(
                n,
                k,
                "the product of the factors' level counts",
                d.method.span(),
                "design.factor.levels",
                src,
            )?;
            let idx: Vec<Vec<f64>> = levels
                .iter()
                .map(|l| (0..l.len()).map(|i| i as f64).collect())
                .collect();
            let rows = grid(&idx).map_err(|e| {
                src.err(
                    ErrorKind::Invalid,
                    d.method.span(),
                    "design",
                    None,
                    e.to_string(),
                )
            })?;
            let points = rows
                .iter()
                .map(|r| {
                    r.iter()
                        .enumerate()
                        .map(|(j, &i)| value_text(&levels[j][i as usize]))
                        .collect()
                })
                .collect();
            let values = rows
                .iter()
                .map(|r| {
                    r.iter()
                        .enumerate()
                        .map(|(j, &i)| as_f64(&levels[j][i as usize]).unwrap_or(f64::NAN))
                        .collect()
                })
                .collect();
            Ok(Expanded {
                factors,
                points,
                values,
                morris: None,
                list_spans: Vec::new(),
                factor_spans,
            })
        }
        Method::Lhs | Method::Sobol | Method::Morris => {
            let mut fs = Vec::new();
            for f in &d.factor {
                let f = f.get_ref();
                let (Some(lo), Some(hi)) = (&f.lo, &f.hi) else {
                    return Err(src.err(
                        ErrorKind::Missing,
                        f.key.span(),
                        "design.factor",
                        Some(format!("{:?}", f.key.get_ref())),
                        "a sampled factor needs lo and hi (its range)",
                    ));
                };
                let (l, h) = (*lo.get_ref(), *hi.get_ref());
                let limit = if f.integer { 9.0e15 } else { f64::MAX };
                if !(l.is_finite()
                    && h.is_finite()
                    && l <= h
                    && l.abs() <= limit
                    && h.abs() <= limit)
                {
                    return Err(src.err(
                        ErrorKind::OutOfRange,
                        hi.span(),
                        "design.factor.hi",
                        src.at(&hi.span()),
                        format!(
                            "needs finite lo <= hi{} (lo = {l}, hi = {h})",
                            if f.integer {
                                ", each at most 9e15 in size for an integer factor"
                            } else {
                                ""
                            }
                        ),
                    ));
                }
                fs.push(Factor::new(f.key.get_ref().clone(), l, h));
            }
            let Some(samples) = &d.samples else {
                return Err(src.err(
                    ErrorKind::Missing,
                    d.method.span(),
                    "design.samples",
                    None,
                    "this design needs samples = N (lhs: points; sobol: N, a power of two; morris: trajectories)",
                ));
            };
            let n = *samples.get_ref();
            if n < 1 {
                return Err(src.err(
                    ErrorKind::OutOfRange,
                    samples.span(),
                    "design.samples",
                    Some(n.to_string()),
                    "out of range: at least 1",
                ));
            }
            let n = n as u64;
            let (total, how) = match method {
                Method::Lhs => (n, "samples".to_string()),
                Method::Sobol if d.second_order => (
                    n.saturating_mul(2 * k as u64 + 2),
                    "samples x (2k + 2)".into(),
                ),
                Method::Sobol => (n.saturating_mul(k as u64 + 2), "samples x (k + 2)".into()),
                _ => (n.saturating_mul(k as u64 + 1), "samples x (k + 1)".into()),
            };
            check_size(total, k, &how, samples.span(), "design.samples", src)?;
            let levels = match &d.levels {
                Some(l) if !(2..=1000).contains(l.get_ref()) => {
                    return Err(src.err(
                        ErrorKind::OutOfRange,
                        l.span(),
                        "design.levels",
                        Some(l.get_ref().to_string()),
                        "out of range: an even number in 2..=1000",
                    ));
                }
                Some(l) => *l.get_ref() as usize,
                None => 4,
            };
            let stats_err = |e: channelsim_stats::StatsError| {
                src.err(
                    ErrorKind::Invalid,
                    samples.span(),
                    "design",
                    src.at(&samples.span()),
                    e.to_string(),
                )
            };
            let n = n as usize;
            let (rows, md) = match method {
                Method::Lhs => (lhs(&fs, n, seed).map_err(stats_err)?, None),
                Method::Sobol => (
                    saltelli(&fs, n, d.second_order, 0).map_err(stats_err)?,
                    None,
                ),
                _ => {
                    let md = morris(&fs, n, levels, seed).map_err(stats_err)?;
                    (md.points.clone(), Some(md))
                }
            };
            let raw: Vec<&RawFactor> = d.factor.iter().map(|f| f.get_ref()).collect();
            let num = |f: &RawFactor, x: f64| if f.integer { x.round() } else { x };
            let points = rows
                .iter()
                .map(|r| {
                    r.iter()
                        .zip(&raw)
                        .map(|(&x, f)| {
                            if f.integer {
                                format!("{}", x.round() as i64)
                            } else {
                                number_text(x)
                            }
                        })
                        .collect()
                })
                .collect();
            let values = rows
                .iter()
                .map(|r| r.iter().zip(&raw).map(|(&x, f)| num(f, x)).collect())
                .collect();
            Ok(Expanded {
                factors,
                points,
                values,
                morris: md,
                list_spans: Vec::new(),
                factor_spans,
            })
        }
    }
}

fn as_f64(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        toml::Value::Boolean(b) => Some(*b as u8 as f64),
        _ => None,
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, col)
}
