//! Reading the result files of `docs/results.md`. Absent files give `None`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use channelsim_results::files;
use channelsim_results::rows::{Comparison, MonthRow, SensitivityRow};

use crate::PlotError;
use crate::stats::Band;

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

/// The monthly values of some metrics: from `monthly.csv` (mean and band
/// per month, as the runner summarised them), or for folders without it
/// from `series.csv` (every replicate; the charts then band them).
pub struct Series {
    pub lines: Vec<LineMeta>,
    pub months: Vec<u32>,
    pub metrics: Vec<String>,
    /// `values[line][metric][replicate][month]`, NaN where missing (empty
    /// when read from `monthly.csv`).
    pub values: Vec<Vec<Vec<Vec<f64>>>>,
    /// `summaries[line][metric][month]` from `monthly.csv`.
    pub summaries: Option<Vec<Vec<Vec<Option<Band>>>>>,
}

impl Series {
    /// Mean and band of a line's metric in a month.
    pub fn band(&self, line: usize, metric: usize, month: usize) -> Option<Band> {
        match &self.summaries {
            Some(s) => s[line][metric][month],
            None => crate::stats::band(self.values[line][metric].iter().map(|r| r[month])),
        }
    }
    /// Replicates behind the lines (the most of any line).
    pub fn replicates(&self) -> usize {
        match &self.summaries {
            Some(s) => s
                .iter()
                .flatten()
                .flatten()
                .flatten()
                .map(|b| b.n)
                .max()
                .unwrap_or(0),
            None => self
                .values
                .iter()
                .filter_map(|l| l.first().map(|m| m.len()))
                .max()
                .unwrap_or(0),
        }
    }
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

/// `monthly.csv`, restricted to some metrics (columns).
fn monthly(path: &Path, wanted: &[&str]) -> Result<Series, PlotError> {
    let rows: Vec<MonthRow> = channelsim_results::read_csv(path).map_err(results_err)?;
    let metrics: Vec<String> = wanted
        .iter()
        .filter(|m| rows.iter().any(|r| r.metric == **m))
        .map(|m| m.to_string())
        .collect();
    let mut lines: Vec<LineMeta> = Vec::new();
    let mut months: Vec<u32> = rows.iter().map(|r| r.month).collect();
    months.sort_unstable();
    months.dedup();
    for r in &rows {
        if !lines
            .iter()
            .any(|l| l.variant == r.variant && l.vendor == r.vendor)
        {
            lines.push(LineMeta {
                variant: r.variant.clone(),
                vendor: r.vendor.clone(),
                strategy: r.strategy.clone(),
                policy: r.policy.clone(),
            });
        }
    }
    let mut summaries = vec![vec![vec![None; months.len()]; metrics.len()]; lines.len()];
    for r in &rows {
        let (Some(k), Some(mean)) = (metrics.iter().position(|m| *m == r.metric), r.mean) else {
            continue;
        };
        let li = lines
            .iter()
            .position(|l| l.variant == r.variant && l.vendor == r.vendor)
            .unwrap_or(0);
        let mi = months.binary_search(&r.month).unwrap_or(0);
        // One replicate has no band: the line alone.
        summaries[li][k][mi] = Some(Band {
            mean,
            lo: r.band_lo.unwrap_or(mean),
            hi: r.band_hi.unwrap_or(mean),
            n: r.n as usize,
        });
    }
    if lines.is_empty() {
        return Err(PlotError::format(path, "no rows"));
    }
    Ok(Series {
        lines,
        months,
        metrics,
        values: Vec::new(),
        summaries: Some(summaries),
    })
}

/// The time series: `monthly.csv`, else `series.csv`.
pub fn series(dir: &Path, wanted: &[&str]) -> Result<Option<Series>, PlotError> {
    if let Some(path) = opt_path(dir, files::MONTHLY) {
        return monthly(&path, wanted).map(Some);
    }
    let Some(path) = opt_path(dir, files::SERIES) else {
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
        summaries: None,
    }))
}

pub use channelsim_results::rows::SummaryRow;

fn results_err(e: channelsim_results::ResultsError) -> PlotError {
    use channelsim_results::ResultsError as R;
    match e {
        R::Io { path, source } => PlotError::Io { path, source },
        R::Csv { path, source } => PlotError::Csv { path, source },
        R::Json { path, source } => PlotError::Json { path, source },
    }
}

/// A missing number (`None` in a result row) as NaN, for drawing.
pub fn val(x: Option<f64>) -> f64 {
    x.unwrap_or(f64::NAN)
}

pub fn summary(dir: &Path) -> Result<Option<Vec<SummaryRow>>, PlotError> {
    opt_path(dir, files::SUMMARY)
        .map(|p| channelsim_results::read_csv(&p).map_err(results_err))
        .transpose()
}

/// Mean and 95% interval of a variant's metric (NaN where none).
#[derive(Clone, Debug)]
pub struct Stat {
    pub n: usize,
    pub mean: f64,
    pub ci_lo: f64,
    pub ci_hi: f64,
}

/// A variant of the comparison, with its horizon figures by metric.
#[derive(Clone, Debug)]
pub struct CompareVariant {
    pub name: String,
    pub strategy: String,
    pub policy: String,
    pub horizon: BTreeMap<String, Stat>,
}

/// A variant's paired difference against the baseline.
#[derive(Clone, Debug)]
pub struct Paired {
    pub variant: String,
    pub metric: String,
    pub mean_diff: f64,
    pub ci_lo: f64,
    pub ci_hi: f64,
}

#[derive(Clone, Debug)]
pub struct DiffPoint {
    pub month: u32,
    pub mean: f64,
    pub ci_lo: f64,
    pub ci_hi: f64,
}

/// Crossover months across replicates (NaN where no replicate crosses).
#[derive(Clone, Debug, Default)]
pub struct Crossover {
    pub month_mean: f64,
    pub month_median: f64,
    pub month_lo: f64,
    pub month_hi: f64,
    pub share_crossed: f64,
}

/// Long minus short of one strategy on one metric.
#[derive(Clone, Debug)]
pub struct PolicyPair {
    pub strategy: String,
    pub metric: String,
    pub diff: Vec<DiffPoint>,
    pub crossover: Option<Crossover>,
}

/// The comparison (`compare.json`, `policy_diff.csv`, `crossovers.json`),
/// arranged for drawing.
#[derive(Clone, Debug)]
pub struct Compare {
    /// The last month of the long/short differences, when there are any.
    pub horizon: Option<u32>,
    pub vendor: String,
    pub baseline: String,
    pub metrics: Vec<String>,
    pub variants: Vec<CompareVariant>,
    pub paired: Vec<Paired>,
    pub policy_pairs: Vec<PolicyPair>,
}

impl Compare {
    pub fn from_rows(c: &Comparison) -> Compare {
        let variants = c
            .variants()
            .into_iter()
            .map(|v| CompareVariant {
                name: v.variant.clone(),
                strategy: v.strategy.clone(),
                policy: v.policy.clone(),
                horizon: c
                    .rows
                    .iter()
                    .filter(|r| r.variant == v.variant)
                    .map(|r| {
                        let s = Stat {
                            n: r.n as usize,
                            mean: val(r.mean),
                            ci_lo: val(r.ci_lo),
                            ci_hi: val(r.ci_hi),
                        };
                        (r.metric.clone(), s)
                    })
                    .collect(),
            })
            .collect();
        let paired = c
            .rows
            .iter()
            .filter(|r| r.variant != c.baseline)
            .map(|r| Paired {
                variant: r.variant.clone(),
                metric: r.metric.clone(),
                mean_diff: val(r.diff_mean),
                ci_lo: val(r.diff_ci_lo),
                ci_hi: val(r.diff_ci_hi),
            })
            .collect();
        let mut policy_pairs = Vec::new();
        let mut metrics: Vec<&str> = Vec::new();
        for r in &c.policy_diff {
            if !metrics.contains(&r.metric.as_str()) {
                metrics.push(&r.metric);
            }
        }
        for m in metrics {
            for s in c.policy_strategies(m) {
                policy_pairs.push(PolicyPair {
                    strategy: s.to_string(),
                    metric: m.to_string(),
                    diff: c
                        .policy_series(s, m)
                        .into_iter()
                        .map(|d| DiffPoint {
                            month: d.month,
                            mean: val(d.mean),
                            ci_lo: val(d.ci_lo),
                            ci_hi: val(d.ci_hi),
                        })
                        .collect(),
                    crossover: c.crossover("policy", s, m).map(|x| Crossover {
                        month_mean: val(x.month_mean),
                        month_median: val(x.month_median),
                        month_lo: val(x.month_lo),
                        month_hi: val(x.month_hi),
                        share_crossed: x.share_crossed,
                    }),
                });
            }
        }
        Compare {
            horizon: c.policy_diff.iter().map(|d| d.month).max(),
            vendor: c.vendor.clone(),
            baseline: c.baseline.clone(),
            metrics: c.metrics().into_iter().map(str::to_string).collect(),
            variants,
            paired,
            policy_pairs,
        }
    }
}

/// The comparison's rows (`compare.json`, with `policy_diff.csv` and
/// `crossovers.json` where present).
pub fn comparison(dir: &Path) -> Result<Option<Comparison>, PlotError> {
    let Some(p) = opt_path(dir, files::COMPARE) else {
        return Ok(None);
    };
    let rows: Vec<channelsim_results::CompareRow> =
        channelsim_results::read_json(&p).map_err(results_err)?;
    let policy_diff = opt_path(dir, files::POLICY_DIFF)
        .map(|p| channelsim_results::read_csv(&p).map_err(results_err))
        .transpose()?
        .unwrap_or_default();
    let crossovers = opt_path(dir, files::CROSSOVERS)
        .map(|p| channelsim_results::read_json(&p).map_err(results_err))
        .transpose()?
        .unwrap_or_default();
    Ok(Some(Comparison {
        vendor: rows.first().map(|r| r.vendor.clone()).unwrap_or_default(),
        baseline: rows.first().map(|r| r.baseline.clone()).unwrap_or_default(),
        rows,
        policy_diff,
        crossovers,
    }))
}

pub fn compare(dir: &Path) -> Result<Option<Compare>, PlotError> {
    Ok(comparison(dir)?.map(|c| Compare::from_rows(&c)))
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

/// `sensitivity.json`: records per metric, variant and factor, grouped
/// into one analysis per metric and variant (in file order).
pub fn sensitivity(dir: &Path) -> Result<Option<Vec<Sensitivity>>, PlotError> {
    let Some(p) = opt_path(dir, files::SENSITIVITY) else {
        return Ok(None);
    };
    let rows: Vec<SensitivityRow> = channelsim_results::read_json(&p).map_err(results_err)?;
    let mut out: Vec<Sensitivity> = Vec::new();
    for r in rows {
        let sobol = r.s1.is_some() || r.st.is_some();
        let i = match out.iter().position(|s| {
            s.metric == r.metric
                && s.variant == r.variant
                && matches!(s.kind, SensKind::Sobol { .. }) == sobol
        }) {
            Some(i) => i,
            None => {
                out.push(Sensitivity {
                    metric: r.metric.clone(),
                    variant: r.variant.clone(),
                    factors: Vec::new(),
                    kind: if sobol {
                        SensKind::Sobol {
                            s1: vec![],
                            s1_conf: vec![],
                            st: vec![],
                            st_conf: vec![],
                        }
                    } else {
                        SensKind::Morris {
                            mu_star: vec![],
                            sigma: vec![],
                            mu_star_conf: vec![],
                        }
                    },
                });
                out.len() - 1
            }
        };
        let s = &mut out[i];
        s.factors.push(r.factor.clone());
        match &mut s.kind {
            SensKind::Sobol {
                s1,
                s1_conf,
                st,
                st_conf,
            } => {
                s1.push(val(r.s1));
                s1_conf.push(val(r.s1_conf));
                st.push(val(r.st));
                st_conf.push(val(r.st_conf));
            }
            SensKind::Morris {
                mu_star,
                sigma,
                mu_star_conf,
            } => {
                mu_star.push(val(r.mu_star));
                sigma.push(val(r.sigma));
                mu_star_conf.push(val(r.mu_star_conf));
            }
        }
    }
    if out.is_empty() {
        return Err(PlotError::format(p, "no records"));
    }
    Ok(Some(out))
}

/// `answer.json`: the answer's statements, the winner's first.
pub fn answer(dir: &Path) -> Result<Option<Vec<channelsim_results::AnswerRow>>, PlotError> {
    opt_path(dir, files::ANSWER_JSON)
        .map(|p| channelsim_results::read_json(&p).map_err(results_err))
        .transpose()
}

/// `drivers.csv`: the drivers of each pair's profit gap.
pub fn drivers(dir: &Path) -> Result<Option<Vec<channelsim_results::DriverRow>>, PlotError> {
    opt_path(dir, files::DRIVERS)
        .map(|p| channelsim_results::read_csv(&p).map_err(results_err))
        .transpose()
}

/// `regret.json`: a sweep's regret per variant and design point.
pub fn regret(dir: &Path) -> Result<Option<Vec<channelsim_results::RegretRow>>, PlotError> {
    opt_path(dir, files::REGRET)
        .map(|p| channelsim_results::read_json(&p).map_err(results_err))
        .transpose()
}
