//! A suite's results (the JSON file) and how repeated samples become a
//! case's figures.

use crate::case::{Case, Sample, phase_names};
use crate::machine::{Build, Machine};
use channelsim_core::ids::Strategy;
use channelsim_core::schedule::Phase;
use serde::{Deserialize, Serialize};

/// Format tag of the JSON file; a baseline of another format is refused.
pub const FORMAT: &str = "channelsim-bench/1";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BenchReport {
    pub format: String,
    pub suite: String,
    /// Times each case ran (interleaved: every case once per round).
    pub repeats: usize,
    /// Seconds since the Unix epoch when the suite started.
    pub started_unix: u64,
    /// Wall time of the whole suite, seconds.
    pub total_seconds: f64,
    pub machine: Machine,
    pub build: Build,
    /// Version of the reference kernel's code (`kernel::KERNEL_VERSION`).
    pub kernel_version: u32,
    pub phase_names: Vec<String>,
    pub cases: Vec<CaseResult>,
    /// Each strategy's speed on the saturated 1M market, one core, as a
    /// share of city_exclusive's, in this run.
    pub strategy_ratios: Vec<StrategyRatio>,
}

/// Minimum, median and maximum over the repeats.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub struct Spread {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(xs: &[f64]) -> Spread {
        let mut v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return Spread {
                min: f64::NAN,
                median: f64::NAN,
                max: f64::NAN,
            };
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Spread {
            min: v[0],
            median,
            max: v[n - 1],
        }
    }

    /// (max - min) / median: the repeats' relative spread.
    pub fn relative(&self) -> f64 {
        if self.median > 0.0 {
            (self.max - self.min) / self.median
        } else {
            f64::NAN
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CaseResult {
    pub id: String,
    pub description: String,
    pub threads: usize,
    pub enterprises: u64,
    pub enterprise_months: u64,
    pub customer_months: Option<u64>,
    /// Live units summed over the months ([`Sample::unit_months`]).
    #[serde(default)]
    pub unit_months: Option<u64>,
    /// Seconds of the timed part, over the repeats.
    pub wall_seconds: Spread,
    /// Seconds building the world, not timed (stepper cases).
    pub build_seconds: Spread,
    /// Active customer-months per second per core (threads), at the median
    /// time, and at the best.
    pub customer_months_per_sec_per_core: Option<f64>,
    pub best_customer_months_per_sec_per_core: Option<f64>,
    /// Enterprise-months per second per core, at the median time.
    pub enterprise_months_per_sec_per_core: f64,
    /// Customer-months per second per core as a share of the reference
    /// kernel's customer-months per second (median against median).
    pub ratio_to_kernel: Option<f64>,
    /// Peak resident memory of the case's process (largest over repeats).
    pub peak_rss_bytes: Option<u64>,
    /// The process's resident memory before the case started.
    pub start_rss_bytes: Option<u64>,
    /// Peak resident memory over enterprises (whole process); not given for
    /// the main job, which keeps many runs and their results.
    pub bytes_per_enterprise: Option<f64>,
    /// Time on one thread over time on `threads` (same work, this run).
    pub speedup: Option<f64>,
    /// Speed-up over threads: 1 is perfect scaling.
    pub thread_efficiency: Option<f64>,
    /// Where the time goes, from the engine's own timings (median of repeats).
    pub phases: Vec<PhaseTime>,
    /// Every repeat, in order (repeat r of every case ran in round r).
    pub samples: Vec<Sample>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PhaseTime {
    pub name: String,
    /// Seconds (summed over threads for the phases run city by city).
    pub seconds: f64,
    /// Share of the phases' total.
    pub share: f64,
    /// Nanoseconds per active customer-month.
    pub ns_per_customer_month: Option<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StrategyRatio {
    pub strategy: String,
    /// Median speed over city_exclusive's median speed.
    pub ratio: f64,
    /// The ratio within each round (same minutes of the host), min and max.
    pub round_min: f64,
    pub round_max: f64,
    /// The same ratio for the customer phases alone ([`Phase::CITY`]: time
    /// per active customer-month, city_exclusive's over this strategy's),
    /// from the engine's timings: how the customer loops compare once the
    /// units' own work is set aside.
    #[serde(default)]
    pub customer_phases_ratio: Option<f64>,
    /// The other phases (not [`Phase::CITY`]) in nanoseconds per
    /// unit-month: their work grows with the live units, which strategies
    /// differ in by an order of magnitude (city_exclusive one a city, team
    /// replication about sixteen), plus a fixed amount a month over the
    /// cities (all of it where units are few: online has one).
    #[serde(default)]
    pub unit_phases_ns_per_unit_month: Option<f64>,
    /// Live units, averaged over the months.
    #[serde(default)]
    pub mean_units: Option<f64>,
}

/// Write the report as JSON, atomically (a reader never sees half a file).
pub fn save_report(path: &std::path::Path, r: &BenchReport) -> Result<(), crate::BenchError> {
    channelsim_runner::atomic::write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, r)?;
        std::io::Write::write_all(w, b"\n")
    })
    .map_err(|e| crate::BenchError::Io {
        path: path.into(),
        source: std::io::Error::other(e.to_string()),
    })
}

/// A case's figures from its samples.
pub fn case_result(case: &Case, samples: Vec<Sample>) -> CaseResult {
    let first = &samples[0];
    let threads = case.threads();
    let wall = Spread::of(&samples.iter().map(|s| s.wall_seconds).collect::<Vec<_>>());
    let build = Spread::of(&samples.iter().map(|s| s.build_seconds).collect::<Vec<_>>());
    let per_core = |work: u64, secs: f64| work as f64 / secs / threads as f64;
    let peak = samples.iter().filter_map(|s| s.peak_rss_bytes).max();
    let start = samples.iter().filter_map(|s| s.start_rss_bytes).max();
    let cm = first.customer_months;
    let phases = if first.phase_seconds.is_empty() {
        Vec::new()
    } else {
        let names = phase_names();
        let med: Vec<f64> = (0..first.phase_seconds.len())
            .map(|k| {
                Spread::of(
                    &samples
                        .iter()
                        .filter_map(|s| s.phase_seconds.get(k).copied())
                        .collect::<Vec<_>>(),
                )
                .median
            })
            .collect();
        let total: f64 = med.iter().sum();
        med.iter()
            .enumerate()
            .map(|(k, &secs)| PhaseTime {
                name: names.get(k).cloned().unwrap_or_else(|| format!("phase{k}")),
                seconds: secs,
                share: if total > 0.0 { secs / total } else { 0.0 },
                ns_per_customer_month: cm.filter(|&c| c > 0).map(|c| secs * 1e9 / c as f64),
            })
            .collect()
    };
    CaseResult {
        id: case.id(),
        description: case.describe(),
        threads,
        enterprises: first.enterprises,
        enterprise_months: first.enterprise_months,
        customer_months: cm,
        unit_months: first.unit_months,
        wall_seconds: wall,
        build_seconds: build,
        customer_months_per_sec_per_core: cm.map(|c| per_core(c, wall.median)),
        best_customer_months_per_sec_per_core: cm.map(|c| per_core(c, wall.min)),
        enterprise_months_per_sec_per_core: per_core(first.enterprise_months, wall.median),
        ratio_to_kernel: None,
        peak_rss_bytes: peak,
        start_rss_bytes: start,
        bytes_per_enterprise: match case {
            Case::MainJob { .. } => None,
            _ => peak.map(|p| p as f64 / first.enterprises.max(1) as f64),
        },
        speedup: None,
        thread_efficiency: None,
        phases,
        samples,
    }
}

/// Figures that need other cases of the run: ratios to the kernel, thread
/// efficiency, strategies against city_exclusive.
pub fn relate(cases: &mut [CaseResult]) -> Vec<StrategyRatio> {
    let kernel = cases
        .iter()
        .find(|c| c.id == Case::Kernel.id())
        .and_then(|k| k.customer_months_per_sec_per_core);
    let one_thread: Vec<(String, f64)> = cases
        .iter()
        .filter(|c| c.threads == 1)
        .map(|c| (c.id.clone(), c.wall_seconds.median))
        .collect();
    for c in cases.iter_mut() {
        if let (Some(k), Some(r)) = (kernel, c.customer_months_per_sec_per_core) {
            c.ratio_to_kernel = Some(r / k);
        }
        if c.threads > 1 {
            let base = c.id.rsplit_once("/t").map(|(b, _)| format!("{b}/t1"));
            if let Some((_, t1)) = one_thread.iter().find(|(id, _)| Some(id) == base.as_ref()) {
                let s = t1 / c.wall_seconds.median;
                c.speedup = Some(s);
                c.thread_efficiency = Some(s / c.threads as f64);
            }
        }
    }
    strategy_ratios(cases)
}

fn strategy_ratios(cases: &[CaseResult]) -> Vec<StrategyRatio> {
    let id = |s: Strategy| format!("saturated/{}/1M/t1", s.name());
    let Some(ce) = cases.iter().find(|c| c.id == id(Strategy::CityExclusive)) else {
        return Vec::new();
    };
    let rate = |c: &CaseResult, s: &Sample| c.customer_months.unwrap_or(0) as f64 / s.wall_seconds;
    Strategy::ALL
        .iter()
        .filter_map(|&s| {
            let c = cases.iter().find(|c| c.id == id(s))?;
            let ratio = c.customer_months_per_sec_per_core? / ce.customer_months_per_sec_per_core?;
            let rounds: Vec<f64> = c
                .samples
                .iter()
                .zip(&ce.samples)
                .map(|(a, b)| rate(c, a) / rate(ce, b))
                .collect();
            let sp = Spread::of(&rounds);
            let months = c.enterprise_months / c.enterprises.max(1);
            Some(StrategyRatio {
                strategy: s.name().into(),
                ratio,
                round_min: sp.min,
                round_max: sp.max,
                customer_phases_ratio: phases_ns(ce, true, ce.customer_months)
                    .zip(phases_ns(c, true, c.customer_months))
                    .map(|(a, b)| a / b),
                unit_phases_ns_per_unit_month: phases_ns(c, false, c.unit_months),
                mean_units: c.unit_months.map(|u| u as f64 / months.max(1) as f64),
            })
        })
        .collect()
}

/// Whether phase `k` of [`Phase::ALL`] runs city by city over customers.
fn customer_phase(k: usize) -> bool {
    Phase::ALL.get(k).is_some_and(|p| p.per_city())
}

/// Nanoseconds per unit of `work` in the customer phases (`customer`) or
/// in the others, from the medians of the engine's timings.
fn phases_ns(c: &CaseResult, customer: bool, work: Option<u64>) -> Option<f64> {
    let work = work.filter(|&n| n > 0)?;
    if c.phases.is_empty() {
        return None;
    }
    let in_part = c
        .phases
        .iter()
        .enumerate()
        .filter(|(k, _)| customer_phase(*k) == customer);
    let secs: f64 = in_part.map(|(_, p)| p.seconds).sum();
    Some(secs * 1e9 / work as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(secs: f64, cm: u64, units: u64, phases: [f64; 11]) -> Sample {
        Sample {
            phase_seconds: phases.to_vec(),
            unit_months: Some(units),
            ..Sample::test(secs, cm)
        }
    }

    /// Issue 15: the speed ratio is split into the customer phases' ratio
    /// (per customer-month) and the unit phases' time per unit-month.
    #[test]
    fn issue15_strategy_ratios_split_customer_and_unit_phases() {
        assert_eq!(Phase::ALL.len(), 11);
        // Phase::ALL: policy, staffing, the five customer phases, learning,
        // vendor economics, platform, observe.
        let ce = [0.0, 0.1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.0, 0.0, 0.0, 0.1];
        let team = [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.2, 0.0, 0.2, 0.0];
        let case = |s: &str| Case::parse(&format!("saturated/{s}/1M/t1")).unwrap();
        let mut cases = vec![
            case_result(
                &case("city_exclusive"),
                vec![sample(1.2, 1_000_000, 400 * 120, ce)],
            ),
            case_result(
                &case("team_replication"),
                vec![sample(2.5, 1_000_000, 4000 * 120, team)],
            ),
        ];
        let r = relate(&mut cases);
        let t = r.iter().find(|x| x.strategy == "team_replication").unwrap();
        assert!((t.ratio - 1.2 / 2.5).abs() < 1e-12);
        // 1.0 s against 1.5 s of customer phases for the same customers.
        assert!((t.customer_phases_ratio.unwrap() - 1.0 / 1.5).abs() < 1e-12);
        // 1.0 s of unit phases over 480,000 unit-months.
        assert!((t.unit_phases_ns_per_unit_month.unwrap() - 1e9 / 480_000.0).abs() < 1e-6);
        assert!((t.mean_units.unwrap() - 4000.0).abs() < 1e-9);
        let c = r.iter().find(|x| x.strategy == "city_exclusive").unwrap();
        assert!((c.customer_phases_ratio.unwrap() - 1.0).abs() < 1e-12);
        assert!((c.unit_phases_ns_per_unit_month.unwrap() - 0.2e9 / 48_000.0).abs() < 1e-6);
    }

    /// A report written before the split (no unit-months, no split
    /// ratios) still reads, as a baseline must.
    #[test]
    fn issue15_a_report_without_unit_months_still_reads() {
        let mut cases = vec![case_result(
            &Case::parse("saturated/abu/1M/t1").unwrap(),
            vec![sample(1.0, 10, 5, [0.1; 11])],
        )];
        relate(&mut cases);
        let mut v = serde_json::to_value(&cases[0]).unwrap();
        v.as_object_mut().unwrap().remove("unit_months");
        for s in v["samples"].as_array_mut().unwrap() {
            s.as_object_mut().unwrap().remove("unit_months");
        }
        let old: CaseResult = serde_json::from_value(v).unwrap();
        assert_eq!(old.unit_months, None);
        assert_eq!(old.samples[0].unit_months, None);
        assert_eq!(phases_ns(&old, false, old.unit_months), None);
        let ratio = serde_json::json!({"strategy": "abu", "ratio": 0.8, "round_min": 0.7, "round_max": 0.9});
        let old: StrategyRatio = serde_json::from_value(ratio).unwrap();
        assert_eq!(old.customer_phases_ratio, None);
    }

    #[test]
    fn spread_takes_min_median_max() {
        let s = Spread::of(&[3.0, 1.0, 2.0, 10.0]);
        assert_eq!((s.min, s.median, s.max), (1.0, 2.5, 10.0));
        assert_eq!(Spread::of(&[4.0, 1.0, 2.0]).median, 2.0);
        assert!((Spread::of(&[1.0, 1.1, 0.9]).relative() - 0.2).abs() < 1e-12);
    }
}
