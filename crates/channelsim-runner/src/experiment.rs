//! Experiment files: a base scenario, overrides layered on top, and a
//! design over named factors (any scenario key path), expanded into runs.

use crate::RunnerError;
use crate::scenario::{ScenarioFile, parse_scenario};
use channelsim_stats::{Factor, MorrisDesign, grid, lhs, morris, saltelli};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The experiment file as written (raw).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawExperiment {
    name: String,
    #[serde(default)]
    description: String,
    /// Base scenario, relative to the experiment file.
    base: String,
    /// Overrides on the base, applied before the design's factors.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    set: BTreeMap<String, toml::Value>,
    /// Variants of the base to run at every point: `"all"`, or a list of
    /// names; default: the base's first variant.
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    variants: Option<toml::Value>,
    replicates: Option<u32>,
    seed: Option<u64>,
    /// Common random numbers across points (same seeds per replicate).
    #[serde(default = "yes")]
    crn: bool,
    /// Metrics kept at the horizon.
    metrics: Option<Vec<String>>,
    /// Vendor whose metrics are kept (default: the first).
    vendor: Option<String>,
    /// Metric of the regret table (when several variants run).
    regret_metric: Option<String>,
    design: RawDesign,
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
    method: String,
    #[serde(default)]
    factor: Vec<RawFactor>,
    /// `list`: explicit points, each a table of key = value.
    #[serde(default)]
    #[schemars(with = "Vec<BTreeMap<String, serde_json::Value>>")]
    points: Vec<BTreeMap<String, toml::Value>>,
    /// `lhs`: number of points; `sobol`: N (a power of two); `morris`: trajectories.
    samples: Option<usize>,
    /// `morris`: number of levels (even).
    levels: Option<usize>,
    #[serde(default)]
    second_order: bool,
    /// Seed of the design itself (lhs, morris) and of bootstraps.
    design_seed: Option<u64>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawFactor {
    key: String,
    /// `grid`: the levels.
    #[schemars(with = "Option<Vec<serde_json::Value>>")]
    levels: Option<Vec<toml::Value>>,
    /// `lhs`, `sobol`, `morris`: the range.
    lo: Option<f64>,
    hi: Option<f64>,
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

/// A resolved experiment: its points and runs, in a fixed order.
#[derive(Clone, Debug, Serialize)]
pub struct Experiment {
    pub name: String,
    pub description: String,
    pub file: String,
    pub hash: String,
    pub base_file: String,
    pub method: Method,
    pub factors: Vec<String>,
    /// Each point: the value of each factor as TOML text.
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
}

/// An experiment's sources, saved in its folder (`experiment.json`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SavedSources {
    pub experiment_file: String,
    pub experiment_text: String,
    pub base_text: String,
    pub cli_sets: Vec<String>,
}

fn parse_raw(text: &str, file: &str) -> Result<RawExperiment, RunnerError> {
    toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        bad(&format!("{file}:{line}:{col}"), e.message())
    })
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

fn bad(file: &str, msg: impl std::fmt::Display) -> RunnerError {
    RunnerError::Invalid(format!("{file}: {msg}"))
}

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

impl Experiment {
    /// Read an experiment file; `sets` are command-line overrides.
    pub fn load(path: &Path, sets: &[String]) -> Result<Experiment, RunnerError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RunnerError::Io {
            path: path.to_path_buf(),
            source: e,
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
        let raw = parse_raw(text, file)?;
        let base_path = resolve_base(dir, &raw.base);
        let base_text = std::fs::read_to_string(&base_path).map_err(|e| RunnerError::Io {
            path: base_path.clone(),
            source: e,
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
        sets: &[String],
    ) -> Result<Experiment, RunnerError> {
        let raw = parse_raw(text, file)?;
        // The base is named as the experiment writes it, so that messages
        // (and failures.csv) do not depend on where the command ran.
        let base_file = raw.base.clone();
        let base_text = base_text.to_string();
        let mut all_sets: Vec<String> = raw
            .set
            .iter()
            .map(|(k, v)| format!("{k}={}", value_text(v)))
            .collect();
        all_sets.extend(sets.iter().cloned());
        // Resolve the base once, to check the overrides and list variants.
        let base = parse_scenario(&base_text, &base_file, &all_sets)?;
        let variants = select_variants(&base, raw.variants.as_ref(), file)?;
        let d = &raw.design;
        let design_seed = d.design_seed.unwrap_or(0);
        let method = match d.method.as_str() {
            "list" => Method::List,
            "grid" => Method::Grid,
            "lhs" => Method::Lhs,
            "sobol" => Method::Sobol,
            "morris" => Method::Morris,
            m => {
                return Err(bad(
                    file,
                    format!("design.method = {m:?}: must be one of list, grid, lhs, sobol, morris"),
                ));
            }
        };
        let (factors, points, values, morris_design) = expand(&raw, &method, file, design_seed)?;
        let metrics = raw.metrics.clone().unwrap_or_else(|| {
            channelsim_results::catalogue::headline()
                .iter()
                .map(|m| m.name.to_string())
                .collect()
        });
        let known = crate::results::horizon_metrics();
        for m in &metrics {
            if !known.contains(&m.as_str()) {
                return Err(bad(
                    file,
                    format!("metrics: unknown metric {m:?}; known: {}", known.join(", ")),
                ));
            }
        }
        let regret_metric = raw.regret_metric.clone().unwrap_or_else(|| "npv".into());
        if !known.contains(&regret_metric.as_str()) {
            return Err(bad(
                file,
                format!("regret_metric: unknown metric {regret_metric:?}"),
            ));
        }
        Ok(Experiment {
            name: raw.name.clone(),
            description: raw.description.clone(),
            file: file.to_string(),
            hash: crate::scenario::sha256_hex(text),
            base_file,
            method,
            factors,
            points,
            values,
            variants,
            replicates: raw.replicates.unwrap_or(base.base.replicates),
            seed: raw.seed.unwrap_or(base.base.seed),
            crn: raw.crn,
            metrics,
            vendor: raw.vendor.clone(),
            regret_metric,
            second_order: d.second_order,
            design_seed,
            morris: morris_design,
            base_text,
            sets: all_sets,
            cli_sets: sets.to_vec(),
            text: text.to_string(),
        })
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

    /// The scenario file of a design point (all variants resolved).
    pub fn point_scenario(&self, point: usize) -> Result<ScenarioFile, RunnerError> {
        let mut sets = self.sets.clone();
        for (k, v) in self.factors.iter().zip(&self.points[point]) {
            sets.push(format!("{k}={v}"));
        }
        Ok(parse_scenario(&self.base_text, &self.base_file, &sets)?)
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
    spec: Option<&toml::Value>,
    file: &str,
) -> Result<Vec<String>, RunnerError> {
    let all: Vec<String> = base.variants.iter().map(|v| v.name.clone()).collect();
    match spec {
        None => Ok(vec![all[0].clone()]),
        Some(toml::Value::String(s)) if s == "all" => Ok(all),
        Some(toml::Value::Array(a)) => {
            let mut out = Vec::new();
            for v in a {
                let name = v.as_str().unwrap_or_default().to_string();
                if !all.contains(&name) {
                    return Err(bad(
                        file,
                        format!(
                            "variants: unknown variant {name:?}; the base has: {}",
                            all.join(", ")
                        ),
                    ));
                }
                out.push(name);
            }
            if out.is_empty() {
                return Err(bad(file, "variants: an empty list"));
            }
            Ok(out)
        }
        Some(_) => Err(bad(
            file,
            "variants: must be \"all\" or a list of variant names",
        )),
    }
}

type Expanded = (
    Vec<String>,
    Vec<Vec<String>>,
    Vec<Vec<f64>>,
    Option<MorrisDesign>,
);

fn expand(
    raw: &RawExperiment,
    method: &Method,
    file: &str,
    seed: u64,
) -> Result<Expanded, RunnerError> {
    let d = &raw.design;
    let fmt_num = |f: &RawFactor, x: f64| {
        if f.integer {
            format!("{}", x.round() as i64)
        } else {
            format!("{x}")
        }
    };
    let num = |f: &RawFactor, x: f64| if f.integer { x.round() } else { x };
    match method {
        Method::List => {
            if d.points.is_empty() {
                return Err(bad(
                    file,
                    "design.points: a list design needs at least one point",
                ));
            }
            let mut keys: Vec<String> = Vec::new();
            for p in &d.points {
                for k in p.keys() {
                    if !keys.contains(k) {
                        keys.push(k.clone());
                    }
                }
            }
            let points: Vec<Vec<String>> = d
                .points
                .iter()
                .map(|p| {
                    keys.iter()
                        .map(|k| p.get(k).map(value_text).unwrap_or_default())
                        .collect()
                })
                .collect();
            let values = d
                .points
                .iter()
                .map(|p| {
                    keys.iter()
                        .map(|k| p.get(k).and_then(as_f64).unwrap_or(f64::NAN))
                        .collect()
                })
                .collect();
            // A point that leaves a factor out keeps the base value: drop empty sets.
            Ok((keys, points, values, None))
        }
        Method::Grid => {
            let mut levels = Vec::new();
            for f in &d.factor {
                let l = f.levels.as_ref().filter(|l| !l.is_empty()).ok_or_else(|| {
                    bad(
                        file,
                        format!(
                            "design.factor {}: a grid factor needs levels = [...]",
                            f.key
                        ),
                    )
                })?;
                levels.push(l.clone());
            }
            let idx: Vec<Vec<f64>> = levels
                .iter()
                .map(|l| (0..l.len()).map(|i| i as f64).collect())
                .collect();
            let rows = grid(&idx).map_err(|e| bad(file, format!("design: {e}")))?;
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
            Ok((
                d.factor.iter().map(|f| f.key.clone()).collect(),
                points,
                values,
                None,
            ))
        }
        Method::Lhs | Method::Sobol | Method::Morris => {
            let mut factors = Vec::new();
            for f in &d.factor {
                let (Some(lo), Some(hi)) = (f.lo, f.hi) else {
                    return Err(bad(
                        file,
                        format!("design.factor {}: needs lo and hi", f.key),
                    ));
                };
                if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                    return Err(bad(
                        file,
                        format!("design.factor {}: needs finite lo <= hi", f.key),
                    ));
                }
                factors.push(Factor::new(f.key.clone(), lo, hi));
            }
            if factors.is_empty() {
                return Err(bad(file, "design.factor: at least one factor"));
            }
            let samples = d
                .samples
                .ok_or_else(|| bad(file, "design.samples is required"))?;
            let err = |e: channelsim_stats::StatsError| bad(file, format!("design: {e}"));
            let (rows, md) = match method {
                Method::Lhs => (lhs(&factors, samples, seed).map_err(err)?, None),
                Method::Sobol => (
                    saltelli(&factors, samples, d.second_order, 0).map_err(err)?,
                    None,
                ),
                _ => {
                    let md = morris(&factors, samples, d.levels.unwrap_or(4), seed).map_err(err)?;
                    (md.points.clone(), Some(md))
                }
            };
            let points = rows
                .iter()
                .map(|r| {
                    r.iter()
                        .zip(&d.factor)
                        .map(|(&x, f)| fmt_num(f, x))
                        .collect()
                })
                .collect();
            let values = rows
                .iter()
                .map(|r| r.iter().zip(&d.factor).map(|(&x, f)| num(f, x)).collect())
                .collect();
            Ok((
                d.factor.iter().map(|f| f.key.clone()).collect(),
                points,
                values,
                md,
            ))
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
