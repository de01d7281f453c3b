//! Reading the result files of `docs/results.md`. Absent files give `None`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};

use crate::PlotError;

fn nan() -> f64 {
    f64::NAN
}

/// A number that may be `null` (NaN serialized by serde_json) or absent.
fn num<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

fn opt_path(dir: &Path, name: &str) -> Option<PathBuf> {
    let p = dir.join(name);
    p.is_file().then_some(p)
}

fn read_text(path: &Path) -> Result<String, PlotError> {
    std::fs::read_to_string(path).map_err(|e| PlotError::io(path, e))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, PlotError> {
    serde_json::from_str(&read_text(path)?).map_err(|source| PlotError::Json {
        path: path.into(),
        source,
    })
}

/// A CSV file as header plus string records.
struct Table {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl Table {
    fn read(path: &Path) -> Result<Table, PlotError> {
        let err = |source| PlotError::Csv {
            path: path.into(),
            source,
        };
        let mut r = csv::Reader::from_path(path).map_err(err)?;
        let header = r
            .headers()
            .map_err(err)?
            .iter()
            .map(|s| s.trim().to_string())
            .collect();
        let rows = r.records().collect::<Result<Vec<_>, _>>().map_err(err)?;
        Ok(Table {
            path: path.into(),
            header,
            rows,
        })
    }
    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
    fn need(&self, name: &str) -> Result<usize, PlotError> {
        self.col(name)
            .ok_or_else(|| PlotError::format(&self.path, format!("missing column `{name}`")))
    }
    fn str<'a>(&self, row: &'a csv::StringRecord, col: usize) -> &'a str {
        row.get(col).unwrap_or("").trim()
    }
    /// A number; empty, `NaN` and `null` read as NaN.
    fn num(&self, i: usize, col: usize) -> Result<f64, PlotError> {
        let s = self.str(&self.rows[i], col);
        if s.is_empty() || s.eq_ignore_ascii_case("nan") || s == "null" {
            return Ok(f64::NAN);
        }
        s.parse().map_err(|_| {
            PlotError::format(
                &self.path,
                format!(
                    "line {}, column `{}`: not a number: {s:?}",
                    i + 2,
                    self.header[col]
                ),
            )
        })
    }
}

/// One line of the time-series charts: a (variant, vendor) pair.
#[derive(Clone, Debug, PartialEq)]
pub struct LineMeta {
    pub variant: String,
    pub vendor: String,
    pub strategy: String,
    pub policy: String,
}

/// `series.csv`, restricted to some metrics.
pub struct Series {
    pub lines: Vec<LineMeta>,
    pub months: Vec<u32>,
    pub metrics: Vec<String>,
    /// `values[line][metric][replicate][month]`, NaN where missing.
    pub values: Vec<Vec<Vec<Vec<f64>>>>,
}

impl Series {
    pub fn metric(&self, name: &str) -> Option<usize> {
        self.metrics.iter().position(|m| m == name)
    }
    pub fn n_distinct(&self, f: impl Fn(&LineMeta) -> &str) -> usize {
        let mut v: Vec<&str> = self.lines.iter().map(f).collect();
        v.sort();
        v.dedup();
        v.len()
    }
}

pub fn series(dir: &Path, wanted: &[&str]) -> Result<Option<Series>, PlotError> {
    let Some(path) = opt_path(dir, "series.csv") else {
        return Ok(None);
    };
    let t = Table::read(&path)?;
    let (cv, cr, cm, cvd) = (
        t.need("variant")?,
        t.need("replicate")?,
        t.need("month")?,
        t.need("vendor")?,
    );
    let (cs, cp) = (t.col("strategy"), t.col("policy"));
    let cols: Vec<(String, usize)> = wanted
        .iter()
        .filter_map(|m| t.col(m).map(|c| (m.to_string(), c)))
        .collect();
    let mut lines: Vec<LineMeta> = Vec::new();
    let mut line_ix: HashMap<(String, String), usize> = HashMap::new();
    let mut reps: Vec<Vec<String>> = Vec::new();
    let mut months: Vec<u32> = Vec::new();
    let mut rows = Vec::with_capacity(t.rows.len());
    for (i, r) in t.rows.iter().enumerate() {
        let key = (t.str(r, cv).to_string(), t.str(r, cvd).to_string());
        let li = *line_ix.entry(key.clone()).or_insert_with(|| {
            lines.push(LineMeta {
                variant: key.0.clone(),
                vendor: key.1.clone(),
                strategy: cs.map(|c| t.str(r, c).to_string()).unwrap_or_default(),
                policy: cp.map(|c| t.str(r, c).to_string()).unwrap_or_default(),
            });
            reps.push(Vec::new());
            lines.len() - 1
        });
        let rep = t.str(r, cr);
        let ri = match reps[li].iter().position(|x| x == rep) {
            Some(p) => p,
            None => {
                reps[li].push(rep.to_string());
                reps[li].len() - 1
            }
        };
        let month: u32 = t.str(r, cm).parse().map_err(|_| {
            PlotError::format(
                &path,
                format!("line {}: bad month {:?}", i + 2, t.str(r, cm)),
            )
        })?;
        months.push(month);
        let vals = cols
            .iter()
            .map(|(_, c)| t.num(i, *c))
            .collect::<Result<Vec<_>, _>>()?;
        rows.push((li, ri, month, vals));
    }
    if rows.is_empty() {
        return Err(PlotError::format(&path, "no rows"));
    }
    months.sort_unstable();
    months.dedup();
    let mut values: Vec<Vec<Vec<Vec<f64>>>> = reps
        .iter()
        .map(|r| vec![vec![vec![f64::NAN; months.len()]; r.len()]; cols.len()])
        .collect();
    for (li, ri, month, vals) in rows {
        let mi = months.binary_search(&month).unwrap_or(0);
        for (k, v) in vals.into_iter().enumerate() {
            values[li][k][ri][mi] = v;
        }
    }
    Ok(Some(Series {
        lines,
        months,
        metrics: cols.into_iter().map(|(m, _)| m).collect(),
        values,
    }))
}

/// One row of `summary.csv`.
#[derive(Clone, Debug, Deserialize)]
pub struct SummaryRow {
    pub variant: String,
    pub vendor: String,
    #[serde(default)]
    pub strategy: String,
    #[serde(default)]
    pub policy: String,
    pub metric: String,
    /// Replicates behind the figure (older files without it: taken as many).
    #[serde(default = "many")]
    pub n: usize,
    #[serde(deserialize_with = "num", default = "nan")]
    pub mean: f64,
    #[serde(deserialize_with = "num", default = "nan")]
    pub ci_lo: f64,
    #[serde(deserialize_with = "num", default = "nan")]
    pub ci_hi: f64,
}

fn many() -> usize {
    usize::MAX
}

pub fn summary(dir: &Path) -> Result<Option<Vec<SummaryRow>>, PlotError> {
    let Some(path) = opt_path(dir, "summary.csv") else {
        return Ok(None);
    };
    let err = |source| PlotError::Csv {
        path: path.clone(),
        source,
    };
    let mut r = csv::Reader::from_path(&path).map_err(err)?;
    let rows = r
        .deserialize()
        .collect::<Result<Vec<SummaryRow>, _>>()
        .map_err(err)?;
    Ok(Some(rows))
}

#[derive(Clone, Debug, Deserialize)]
pub struct Stat {
    #[serde(default = "many")]
    pub n: usize,
    #[serde(deserialize_with = "num", default = "nan")]
    pub mean: f64,
    #[serde(deserialize_with = "num", default = "nan")]
    pub ci_lo: f64,
    #[serde(deserialize_with = "num", default = "nan")]
    pub ci_hi: f64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct CompareVariant {
    pub name: String,
    #[serde(default)]
    pub strategy: String,
    #[serde(default)]
    pub policy: String,
    #[serde(default)]
    pub horizon: BTreeMap<String, Stat>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Paired {
    pub variant: String,
    pub metric: String,
    #[serde(deserialize_with = "num", default = "nan")]
    pub mean_diff: f64,
    #[serde(deserialize_with = "num", default = "nan")]
    pub ci_lo: f64,
    #[serde(deserialize_with = "num", default = "nan")]
    pub ci_hi: f64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DiffPoint {
    pub month: u32,
    #[serde(deserialize_with = "num", default = "nan")]
    pub mean: f64,
    #[serde(deserialize_with = "num", default = "nan")]
    pub ci_lo: f64,
    #[serde(deserialize_with = "num", default = "nan")]
    pub ci_hi: f64,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Crossover {
    #[serde(deserialize_with = "num", default = "nan")]
    pub month_mean: f64,
    #[serde(deserialize_with = "num", default = "nan")]
    pub month_median: f64,
    #[serde(deserialize_with = "num", default = "nan")]
    pub month_lo: f64,
    #[serde(deserialize_with = "num", default = "nan")]
    pub month_hi: f64,
    #[serde(deserialize_with = "num", default = "nan")]
    pub share_crossed: f64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PolicyPair {
    pub strategy: String,
    #[serde(default)]
    pub metric: String,
    #[serde(default)]
    pub diff: Vec<DiffPoint>,
    #[serde(default)]
    pub crossover: Option<Crossover>,
}

/// `compare.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct Compare {
    #[serde(default)]
    pub vendor: String,
    #[serde(default)]
    pub baseline: String,
    #[serde(default)]
    pub horizon: Option<u32>,
    #[serde(default)]
    pub metrics: Vec<String>,
    #[serde(default)]
    pub variants: Vec<CompareVariant>,
    #[serde(default)]
    pub paired: Vec<Paired>,
    #[serde(default)]
    pub policy_pairs: Vec<PolicyPair>,
}

pub fn compare(dir: &Path) -> Result<Option<Compare>, PlotError> {
    opt_path(dir, "compare.json")
        .map(|p| read_json(&p))
        .transpose()
}

pub fn manifest(dir: &Path) -> Result<Option<serde_json::Value>, PlotError> {
    let Some(p) = opt_path(dir, "manifest.json") else {
        return Ok(None);
    };
    let v: serde_json::Value = read_json(&p)?;
    if !v.is_object() {
        return Err(PlotError::format(p, "expected a JSON object"));
    }
    Ok(Some(v))
}

/// A sweep: `design.csv` joined with `results.csv` on `run_id`, one vendor.
pub struct Sweep {
    pub factors: Vec<String>,
    pub metrics: Vec<String>,
    pub vendor: String,
    /// Variant names in order of appearance; one empty name without a
    /// `variant` column.
    pub variants: Vec<String>,
    pub runs: Vec<SweepRun>,
}

pub struct SweepRun {
    pub variant: usize,
    /// Factor values as written (numbers, or text such as `[0.1, 0.2]`).
    pub factors: Vec<String>,
    pub metrics: Vec<f64>,
}

pub fn sweep(dir: &Path) -> Result<Option<Sweep>, PlotError> {
    let (Some(dp), Some(rp)) = (opt_path(dir, "design.csv"), opt_path(dir, "results.csv")) else {
        return Ok(None);
    };
    let d = Table::read(&dp)?;
    let r = Table::read(&rp)?;
    let d_id = d.need("run_id")?;
    let r_id = r.need("run_id")?;
    const DESIGN_META: [&str; 5] = ["run_id", "point_id", "variant", "replicate", "seed"];
    const RESULT_META: [&str; 5] = ["run_id", "point_id", "variant", "replicate", "vendor"];
    let fcols: Vec<usize> = (0..d.header.len())
        .filter(|&c| !DESIGN_META.contains(&d.header[c].as_str()))
        .collect();
    let mcols: Vec<usize> = (0..r.header.len())
        .filter(|&c| !RESULT_META.contains(&r.header[c].as_str()))
        .collect();
    if fcols.is_empty() {
        return Err(PlotError::format(&dp, "no factor columns"));
    }
    let d_var = d.col("variant");
    let mut design: HashMap<String, (String, Vec<String>)> = HashMap::new();
    for row in &d.rows {
        let f = fcols.iter().map(|&c| d.str(row, c).to_string()).collect();
        let v = d_var.map(|c| d.str(row, c).to_string()).unwrap_or_default();
        design.insert(d.str(row, d_id).to_string(), (v, f));
    }
    let vcol = r.col("vendor");
    let vendor = match (vcol, r.rows.first()) {
        (Some(c), Some(row)) => r.str(row, c).to_string(),
        _ => String::new(),
    };
    let r_var = r.col("variant");
    let mut variants: Vec<String> = Vec::new();
    let mut runs = Vec::new();
    for (i, row) in r.rows.iter().enumerate() {
        if vcol.is_some_and(|c| r.str(row, c) != vendor) {
            continue;
        }
        let id = r.str(row, r_id);
        let (dv, f) = design.get(id).ok_or_else(|| {
            PlotError::format(
                &rp,
                format!("line {}: run_id {id:?} not in design.csv", i + 2),
            )
        })?;
        let v = r_var.map_or(dv.as_str(), |c| r.str(row, c));
        let vi = match variants.iter().position(|x| x == v) {
            Some(p) => p,
            None => {
                variants.push(v.to_string());
                variants.len() - 1
            }
        };
        let metrics = mcols
            .iter()
            .map(|&c| r.num(i, c))
            .collect::<Result<Vec<_>, _>>()?;
        runs.push(SweepRun {
            variant: vi,
            factors: f.clone(),
            metrics,
        });
    }
    Ok(Some(Sweep {
        factors: fcols.iter().map(|&c| d.header[c].clone()).collect(),
        metrics: mcols.iter().map(|&c| r.header[c].clone()).collect(),
        vendor,
        variants,
        runs,
    }))
}

/// One analysis of `sensitivity.json`.
pub struct Sensitivity {
    pub metric: String,
    /// The variant analysed, when the file names one.
    pub variant: String,
    pub factors: Vec<String>,
    pub kind: SensKind,
}

pub enum SensKind {
    Sobol {
        s1: Vec<f64>,
        s1_conf: Vec<f64>,
        st: Vec<f64>,
        st_conf: Vec<f64>,
    },
    Morris {
        mu_star: Vec<f64>,
        sigma: Vec<f64>,
        mu_star_conf: Vec<f64>,
    },
}

/// `sensitivity.json`: one object, or an array of them.
pub fn sensitivity(dir: &Path) -> Result<Option<Vec<Sensitivity>>, PlotError> {
    let Some(p) = opt_path(dir, "sensitivity.json") else {
        return Ok(None);
    };
    let v: serde_json::Value = read_json(&p)?;
    let items = match v {
        serde_json::Value::Array(a) => a,
        o => vec![o],
    };
    // An item may hold its analyses under `results` (one per metric and
    // variant), sharing the parent's `factors` and `method`.
    let mut flat = Vec::new();
    for o in items {
        match o.get("results").and_then(|r| r.as_array()) {
            Some(rs) => {
                for r in rs {
                    let mut m = r.as_object().cloned().unwrap_or_default();
                    for k in ["factors", "method", "metric"] {
                        if let (false, Some(x)) = (m.contains_key(k), o.get(k)) {
                            m.insert(k.into(), x.clone());
                        }
                    }
                    flat.push(serde_json::Value::Object(m));
                }
            }
            None => flat.push(o),
        }
    }
    flat.iter()
        .map(|o| parse_sens(&p, o))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn parse_sens(p: &Path, o: &serde_json::Value) -> Result<Sensitivity, PlotError> {
    let arr = |k: &str| -> Option<Vec<f64>> {
        o.get(k)?
            .as_array()
            .map(|a| a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect())
    };
    let factors: Vec<String> = o
        .get("factors")
        .and_then(|f| f.as_array())
        .map(|a| {
            a.iter()
                .map(|x| match x {
                    serde_json::Value::String(s) => s.clone(),
                    other => other
                        .get("name")
                        .and_then(|n| n.as_str())
                        .map(str::to_string)
                        .unwrap_or_else(|| other.to_string()),
                })
                .collect()
        })
        .ok_or_else(|| PlotError::format(p, "missing `factors`"))?;
    let k = factors.len();
    let sized = |name: &str| -> Result<Vec<f64>, PlotError> {
        let v = arr(name).unwrap_or_else(|| vec![f64::NAN; k]);
        if v.len() != k {
            return Err(PlotError::format(
                p,
                format!("`{name}` has {} values for {k} factors", v.len()),
            ));
        }
        Ok(v)
    };
    let kind = if o.get("S1").is_some() {
        SensKind::Sobol {
            s1: sized("S1")?,
            s1_conf: sized("S1_conf")?,
            st: sized("ST")?,
            st_conf: sized("ST_conf")?,
        }
    } else if o.get("mu_star").is_some() {
        SensKind::Morris {
            mu_star: sized("mu_star")?,
            sigma: sized("sigma")?,
            mu_star_conf: sized("mu_star_conf")?,
        }
    } else {
        return Err(PlotError::format(
            p,
            "neither `S1` (sobol) nor `mu_star` (morris)",
        ));
    };
    let text = |k: &str| o.get(k).and_then(|m| m.as_str()).unwrap_or("").to_string();
    Ok(Sensitivity {
        metric: text("metric"),
        variant: text("variant"),
        factors,
        kind,
    })
}
