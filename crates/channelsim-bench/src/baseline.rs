//! Comparing a suite's results with an earlier JSON (a baseline): each case
//! faster, slower or within noise, and regressions beyond a threshold.

use crate::BenchError;
use crate::case::Case;
use crate::report::{BenchReport, CaseResult, FORMAT, Spread};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The smallest noise band: repeats that happen to agree closely do not
/// make a 1% change a verdict.
pub const NOISE_FLOOR: f64 = 0.02;

/// What is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Basis {
    /// Time per unit of work over the reference kernel's time per unit of
    /// work, round by round: robust to the host's speed and to another
    /// machine of the same kind (the default).
    Kernel,
    /// Time per unit of work in seconds: for the same machine only.
    Absolute,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    Faster,
    Slower,
    WithinNoise,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseComparison {
    pub id: String,
    /// The compared figure (median over repeats), baseline and now.
    pub old: f64,
    pub new: f64,
    /// new / old - 1: positive is slower (the figure is a time).
    pub change: f64,
    /// The noise band: the larger relative spread of the two runs' repeats
    /// (at least [`NOISE_FLOOR`]).
    pub noise: f64,
    pub verdict: Verdict,
    /// Slower by more than both the noise and the threshold.
    pub regression: bool,
    /// The work differs (the model changed what a case does): time per
    /// unit of work is compared, but read with care.
    pub work_changed: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Comparison {
    pub basis: Basis,
    pub threshold: f64,
    pub cases: Vec<CaseComparison>,
    /// Cases in only one of the two files.
    pub only_baseline: Vec<String>,
    pub only_new: Vec<String>,
    /// What to keep in mind (another machine, another kernel, ...).
    pub notes: Vec<String>,
}

impl Comparison {
    pub fn regressions(&self) -> Vec<&CaseComparison> {
        self.cases.iter().filter(|c| c.regression).collect()
    }
}

/// Read a suite's JSON file.
pub fn load_report(path: &Path) -> Result<BenchReport, BenchError> {
    let text = std::fs::read_to_string(path).map_err(|e| BenchError::BadFile {
        path: path.into(),
        message: format!("cannot read it: {e}"),
    })?;
    let report: BenchReport = serde_json::from_str(&text).map_err(|e| BenchError::BadFile {
        path: path.into(),
        message: format!("not a channelsim bench JSON file: {e}"),
    })?;
    if report.format != FORMAT {
        return Err(BenchError::BadFile {
            path: path.into(),
            message: format!("format `{}`, expected `{FORMAT}`", report.format),
        });
    }
    Ok(report)
}

/// Time per unit of work of each repeat: customer-months where counted,
/// else enterprise-months.
fn per_work(c: &CaseResult) -> Vec<f64> {
    let work = c.customer_months.unwrap_or(c.enterprise_months).max(1) as f64;
    c.samples.iter().map(|s| s.wall_seconds / work).collect()
}

/// The compared figure of each repeat of `c` in `r`.
fn figure(r: &BenchReport, c: &CaseResult, basis: Basis) -> Option<Vec<f64>> {
    let mine = per_work(c);
    match basis {
        Basis::Absolute => Some(mine),
        Basis::Kernel => {
            let k = r.cases.iter().find(|k| k.id == Case::Kernel.id())?;
            // Round r of the case over round r of the kernel.
            Some(mine.iter().zip(per_work(k)).map(|(a, b)| a / b).collect())
        }
    }
}

/// Compare `new` with `old`; a case slower by more than its noise and by
/// more than `threshold` (0.10 = 10%) is a regression.
pub fn compare(
    old: &BenchReport,
    new: &BenchReport,
    basis: Basis,
    threshold: f64,
) -> Result<Comparison, BenchError> {
    let mut notes = Vec::new();
    let mut basis = basis;
    if basis == Basis::Kernel && old.kernel_version != new.kernel_version {
        notes.push(format!(
            "the baseline's reference kernel is version {}, this one {}: compared in absolute time instead",
            old.kernel_version, new.kernel_version
        ));
        basis = Basis::Absolute;
    }
    if old.machine.cpu_model != new.machine.cpu_model || old.machine.cores != new.machine.cores {
        notes.push(format!(
            "another machine: baseline {} ({} cores), now {} ({} cores){}",
            old.machine.cpu_model,
            old.machine.cores,
            new.machine.cpu_model,
            new.machine.cores,
            if basis == Basis::Absolute {
                "; absolute times of two machines are not comparable"
            } else {
                ""
            }
        ));
    }
    let mut cases = Vec::new();
    let mut only_new = Vec::new();
    for c in &new.cases {
        let Some(o) = old.cases.iter().find(|o| o.id == c.id) else {
            only_new.push(c.id.clone());
            continue;
        };
        if basis == Basis::Kernel && c.id == Case::Kernel.id() {
            continue; // 1 by definition
        }
        let (Some(fo), Some(fnew)) = (figure(old, o, basis), figure(new, c, basis)) else {
            continue;
        };
        let (so, sn) = (Spread::of(&fo), Spread::of(&fnew));
        let change = sn.median / so.median - 1.0;
        let noise = so.relative().max(sn.relative()).max(NOISE_FLOOR);
        let verdict = if change > noise {
            Verdict::Slower
        } else if change < -noise {
            Verdict::Faster
        } else {
            Verdict::WithinNoise
        };
        cases.push(CaseComparison {
            id: c.id.clone(),
            old: so.median,
            new: sn.median,
            change,
            noise,
            verdict,
            regression: verdict == Verdict::Slower && change > threshold,
            work_changed: o.customer_months != c.customer_months
                || o.enterprise_months != c.enterprise_months,
        });
    }
    let only_baseline = old
        .cases
        .iter()
        .filter(|o| !new.cases.iter().any(|c| c.id == o.id))
        .map(|o| o.id.clone())
        .collect();
    Ok(Comparison {
        basis,
        threshold,
        cases,
        only_baseline,
        only_new,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Sample;
    use crate::machine::{Build, Machine};
    use crate::report::{case_result, relate};

    fn sample(secs: f64, cm: u64) -> Sample {
        Sample::test(secs, cm)
    }

    fn report(kernel: [f64; 3], case: [f64; 3]) -> BenchReport {
        let k = Case::Kernel;
        let c = Case::parse("saturated/abu/1M/t1").unwrap();
        let mut cases = vec![
            case_result(&k, kernel.iter().map(|&s| sample(s, 1000)).collect()),
            case_result(&c, case.iter().map(|&s| sample(s, 500)).collect()),
        ];
        let strategy_ratios = relate(&mut cases);
        BenchReport {
            format: FORMAT.into(),
            suite: "test".into(),
            repeats: 3,
            started_unix: 0,
            total_seconds: 1.0,
            machine: Machine::detect(),
            build: Build::current(),
            kernel_version: 1,
            phase_names: vec![],
            cases,
            strategy_ratios,
        }
    }

    #[test]
    fn a_slowdown_beyond_noise_and_threshold_is_a_regression() {
        let old = report([1.0, 1.01, 0.99], [2.0, 2.02, 1.98]);
        let new = report([1.0, 1.01, 0.99], [2.6, 2.62, 2.58]);
        for basis in [Basis::Kernel, Basis::Absolute] {
            let c = compare(&old, &new, basis, 0.10).unwrap();
            let abu = &c.cases.iter().find(|x| x.id.contains("abu")).unwrap();
            assert_eq!(abu.verdict, Verdict::Slower);
            assert!(abu.regression);
            assert!((abu.change - 0.3).abs() < 0.01, "{}", abu.change);
            assert_eq!(c.regressions().len(), 1);
        }
        // Beyond the noise but under a 50% threshold: slower, not a regression.
        let c = compare(&old, &new, Basis::Absolute, 0.5).unwrap();
        assert!(c.regressions().is_empty());
        assert!(c.cases.iter().any(|x| x.verdict == Verdict::Slower));
    }

    #[test]
    fn a_slower_host_is_not_a_regression_against_the_kernel() {
        // Everything 30% slower, the kernel too: the host, not the code.
        let old = report([1.0, 1.01, 0.99], [2.0, 2.02, 1.98]);
        let new = report([1.3, 1.313, 1.287], [2.6, 2.626, 2.574]);
        let c = compare(&old, &new, Basis::Kernel, 0.10).unwrap();
        assert!(c.cases.iter().all(|x| x.verdict == Verdict::WithinNoise));
        assert!(c.regressions().is_empty());
        // In absolute time it is slower.
        let c = compare(&old, &new, Basis::Absolute, 0.10).unwrap();
        assert_eq!(c.regressions().len(), 2);
    }

    #[test]
    fn noisy_repeats_widen_the_band() {
        let old = report([1.0, 1.0, 1.0], [2.0, 1.5, 2.5]);
        let new = report([1.0, 1.0, 1.0], [2.4, 2.3, 2.5]);
        let c = compare(&old, &new, Basis::Kernel, 0.10).unwrap();
        let abu = &c.cases[0];
        assert_eq!(abu.verdict, Verdict::WithinNoise, "{abu:?}");
        assert!(!abu.regression);
    }

    #[test]
    fn faster_is_faster() {
        let old = report([1.0, 1.0, 1.0], [2.0, 2.01, 1.99]);
        let new = report([1.0, 1.0, 1.0], [1.5, 1.51, 1.49]);
        let c = compare(&old, &new, Basis::Kernel, 0.10).unwrap();
        assert_eq!(c.cases[0].verdict, Verdict::Faster);
    }

    #[test]
    fn another_kernel_falls_back_to_absolute_time() {
        let old = report([1.0, 1.0, 1.0], [2.0, 2.0, 2.0]);
        let mut new = old.clone();
        new.kernel_version = 2;
        let c = compare(&old, &new, Basis::Kernel, 0.10).unwrap();
        assert_eq!(c.basis, Basis::Absolute);
        assert!(c.notes[0].contains("kernel"));
    }

    #[test]
    fn a_file_that_is_not_a_bench_file_is_refused_by_name() {
        let dir = std::env::temp_dir().join(format!("bench-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("old.json");
        std::fs::write(&p, "{\"format\": \"other\"}").unwrap();
        let e = load_report(&p).unwrap_err();
        assert!(e.is_usage());
        assert!(e.to_string().contains("old.json"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
