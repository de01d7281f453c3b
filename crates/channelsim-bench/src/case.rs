//! The cases a suite times, and how one case is run and measured (in this
//! process: [`run_case`]; the suite runs each in a process of its own).

use crate::BenchError;
use crate::kernel::{KERNEL_CUSTOMERS, KERNEL_MONTHS, Kernel};
use crate::machine::peak_rss_bytes;
use channelsim_core::Scenario;
use channelsim_core::ids::Strategy;
use channelsim_core::init::build_world;
use channelsim_core::params::Market;
use channelsim_core::schedule::Phase;
use channelsim_core::step::Stepper;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

/// The national market (`scenarios/national.toml`), built in.
pub const NATIONAL_SCENARIO: &str = include_str!("../../../scenarios/national.toml");

/// What one case runs. Its id ([`Case::id`]) names the workload exactly, so
/// cases of two runs with the same id did the same work.
#[derive(Clone, Debug, PartialEq)]
pub enum Case {
    /// The reference kernel, one thread.
    Kernel,
    /// The default main job end to end (`channelsim run`: 14 variants x 20
    /// replicates, result files and report), on `threads` threads.
    MainJob { threads: usize },
    /// The month loop (120 months, world built outside the timing) of the
    /// saturated large market: `scale` times its 400 cities (a fraction
    /// takes every k-th city, a multiple repeats them: the same mix of
    /// tiers), one vendor with `strategy`, long-term policy.
    Saturated {
        strategy: Strategy,
        scale: Scale,
        threads: usize,
    },
    /// The month loop of `scenarios/national.toml`.
    National { threads: usize },
}

/// Market size relative to the 1M-enterprise large market: 1/k or k.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    Every(usize),
    Times(usize),
}

impl Scale {
    fn label(self) -> String {
        match self {
            Scale::Every(k) => format!("{}M", 1.0 / k as f64),
            Scale::Times(k) => format!("{k}M"),
        }
    }

    fn parse(s: &str) -> Option<Scale> {
        let x: f64 = s.strip_suffix('M')?.parse().ok()?;
        if x >= 1.0 && x.fract() == 0.0 && x <= 64.0 {
            return Some(Scale::Times(x as usize));
        }
        let k = (1.0 / x).round();
        // Every k-th of the 400 cities, for k dividing 400.
        (x > 0.0 && (1.0 / x - k).abs() < 1e-9 && 400 % (k as usize) == 0)
            .then_some(Scale::Every(k as usize))
    }
}

impl Case {
    pub fn id(&self) -> String {
        match self {
            Case::Kernel => "kernel".into(),
            Case::MainJob { threads } => format!("main_job/t{threads}"),
            Case::Saturated {
                strategy,
                scale,
                threads,
            } => format!("saturated/{}/{}/t{threads}", strategy.name(), scale.label()),
            Case::National { threads } => format!("national/t{threads}"),
        }
    }

    pub fn parse(id: &str) -> Result<Case, BenchError> {
        let bad = || BenchError::UnknownCase(id.to_string());
        let threads = |t: &str| -> Result<usize, BenchError> {
            t.strip_prefix('t')
                .and_then(|n| n.parse().ok())
                .filter(|&n| (1..=1024).contains(&n))
                .ok_or_else(bad)
        };
        let parts: Vec<&str> = id.split('/').collect();
        match parts.as_slice() {
            ["kernel"] => Ok(Case::Kernel),
            ["main_job", t] => Ok(Case::MainJob {
                threads: threads(t)?,
            }),
            ["national", t] => Ok(Case::National {
                threads: threads(t)?,
            }),
            ["saturated", s, size, t] => Ok(Case::Saturated {
                strategy: Strategy::parse(s).ok_or_else(bad)?,
                scale: Scale::parse(size).ok_or_else(bad)?,
                threads: threads(t)?,
            }),
            _ => Err(bad()),
        }
    }

    pub fn threads(&self) -> usize {
        match self {
            Case::Kernel => 1,
            Case::MainJob { threads }
            | Case::Saturated { threads, .. }
            | Case::National { threads } => *threads,
        }
    }

    /// What the case is, for the table.
    pub fn describe(&self) -> String {
        match self {
            Case::Kernel => format!(
                "reference kernel, {} customers x {KERNEL_MONTHS} months",
                KERNEL_CUSTOMERS
            ),
            Case::MainJob { .. } => "default main job end to end (280 runs, files, report)".into(),
            Case::Saturated {
                strategy, scale, ..
            } => format!("saturated {} market, {}", scale.label(), strategy.name()),
            Case::National { .. } => "national market, 7 vendors".into(),
        }
    }
}

/// The saturated market of a case: a fast-adopting market in which most
/// enterprises become customers (the per-customer cost regime), as in
/// `benches/month.rs` and the `speed` example.
pub fn saturated_scenario(strategy: Strategy, scale: Scale) -> Scenario {
    let mut sc = Scenario::single(strategy, "long_term");
    let large = Market::large_market();
    sc.market = large.clone();
    sc.market.cities = match scale {
        Scale::Every(k) => large.cities.into_iter().step_by(k).collect(),
        Scale::Times(k) => (0..k).flat_map(|_| large.cities.iter().cloned()).collect(),
    };
    // Head-office figures in proportion to the market, once.
    sc.scale_head_office(|_| false);
    sc.params.bass_p = 0.05;
    sc.params.u_outside = -5.0;
    sc
}

/// The national market's scenario, from the built-in file.
pub fn national_scenario() -> Result<Scenario, BenchError> {
    let file = channelsim_runner::scenario::parse_scenario(
        NATIONAL_SCENARIO,
        "<built-in national.toml>",
        &[],
    )
    .map_err(|e| BenchError::Run(e.to_string()))?;
    Ok(file.variants[0].scenario.clone())
}

/// One timed execution of a case.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Sample {
    /// Seconds of the timed part: the month loop (stepper cases), the whole
    /// job (main job), the kernel's loop.
    pub wall_seconds: f64,
    /// Seconds building the world(s) before the timed part (stepper cases).
    pub build_seconds: f64,
    /// Enterprises simulated (one run's market for the main job; the
    /// kernel's customers).
    pub enterprises: u64,
    /// Enterprise-months simulated (all runs).
    pub enterprise_months: u64,
    /// Active customer-months served (all runs, all vendors), if known.
    pub customer_months: Option<u64>,
    /// Peak resident memory of the process that ran the case (`VmHWM`, the
    /// whole process: binary, world, results), bytes.
    pub peak_rss_bytes: Option<u64>,
    /// The same high-water mark just before the case started, bytes.
    pub start_rss_bytes: Option<u64>,
    /// Seconds per phase (`Phase::ALL` order), the engine's own timings (phases
    /// run city by city on many threads are summed over threads: CPU time).
    pub phase_seconds: Vec<f64>,
    /// Unit-months: live units (partners, cells, teams, online units)
    /// summed over the months, if known. The unit phases' work grows with
    /// them, not with customers. (Absent from files of engines before
    /// 0.7.1.)
    #[serde(default)]
    pub unit_months: Option<u64>,
}

#[cfg(test)]
impl Sample {
    /// A sample of `secs` for `cm` customer-months, 1,000 enterprises over
    /// 120 months (the tests' figures).
    pub(crate) fn test(secs: f64, cm: u64) -> Sample {
        Sample {
            wall_seconds: secs,
            build_seconds: 0.0,
            enterprises: 1000,
            enterprise_months: 120_000,
            customer_months: Some(cm),
            peak_rss_bytes: Some(1 << 20),
            start_rss_bytes: Some(1 << 19),
            phase_seconds: vec![],
            unit_months: None,
        }
    }
}

/// Run one case here, once. The memory figures are this process's: right
/// only in a process that ran nothing else before.
pub fn run_case(case: &Case, scratch_dir: &Path) -> Result<Sample, BenchError> {
    let start_rss = peak_rss_bytes();
    let mut s = match case {
        Case::Kernel => {
            let t = Instant::now();
            let mut kernel = Kernel::new(KERNEL_CUSTOMERS);
            let build_seconds = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let (sum, cm) = kernel.run(KERNEL_MONTHS);
            std::hint::black_box(sum);
            Sample {
                wall_seconds: t.elapsed().as_secs_f64(),
                build_seconds,
                enterprises: KERNEL_CUSTOMERS as u64,
                enterprise_months: cm,
                customer_months: Some(cm),
                peak_rss_bytes: None,
                start_rss_bytes: None,
                phase_seconds: Vec::new(),
                unit_months: None,
            }
        }
        Case::MainJob { threads } => crate::mainjob::run_main_job(*threads, scratch_dir)?,
        Case::Saturated {
            strategy,
            scale,
            threads,
        } => step_all(&saturated_scenario(*strategy, *scale), *threads)?,
        Case::National { threads } => step_all(&national_scenario()?, *threads)?,
    };
    s.start_rss_bytes = start_rss;
    s.peak_rss_bytes = peak_rss_bytes();
    Ok(s)
}

/// Build the world of `sc` (replicate 0), then step it through every month
/// on a pool of `threads` threads: the month loop is what is timed.
fn step_all(sc: &Scenario, threads: usize) -> Result<Sample, BenchError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| BenchError::Run(format!("thread pool of {threads}: {e}")))?;
    pool.install(|| {
        let t = Instant::now();
        let mut world = build_world(sc, 0);
        let build_seconds = t.elapsed().as_secs_f64();
        let mut stepper = Stepper::new();
        let t = Instant::now();
        let (mut cm, mut um) = (0u64, 0u64);
        for _ in 0..sc.horizon_months {
            let rows = stepper.step(&mut world, sc);
            cm += rows.iter().map(|r| r.active).sum::<u64>();
            um += rows.iter().map(|r| r.units_alive).sum::<u64>();
        }
        let wall_seconds = t.elapsed().as_secs_f64();
        let enterprises = sc.market.total_enterprises();
        Ok(Sample {
            wall_seconds,
            build_seconds,
            enterprises,
            enterprise_months: enterprises * sc.horizon_months as u64,
            customer_months: Some(cm),
            peak_rss_bytes: None,
            start_rss_bytes: None,
            phase_seconds: stepper
                .scratch
                .timings
                .by_phase()
                .map(|(_, d)| d.as_secs_f64())
                .collect(),
            unit_months: Some(um),
        })
    })
}

/// Names of the phases of [`Sample::phase_seconds`].
pub fn phase_names() -> Vec<String> {
    Phase::ALL.iter().map(|p| p.name().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for c in [
            Case::Kernel,
            Case::MainJob { threads: 2 },
            Case::National { threads: 8 },
            Case::Saturated {
                strategy: Strategy::Abu,
                scale: Scale::Every(16),
                threads: 1,
            },
            Case::Saturated {
                strategy: Strategy::TeamReplication,
                scale: Scale::Times(16),
                threads: 2,
            },
            Case::Saturated {
                strategy: Strategy::CityExclusive,
                scale: Scale::Times(1),
                threads: 1,
            },
        ] {
            assert_eq!(Case::parse(&c.id()).unwrap(), c, "{}", c.id());
        }
        assert_eq!(
            Case::Saturated {
                strategy: Strategy::CityExclusive,
                scale: Scale::Every(4),
                threads: 1
            }
            .id(),
            "saturated/city_exclusive/0.25M/t1"
        );
    }

    #[test]
    fn bad_ids_are_refused() {
        for id in [
            "",
            "kernel/t1",
            "main_job",
            "main_job/t0",
            "saturated/nope/1M/t1",
            "saturated/abu/0.3M/t1",
            "saturated/abu/1M",
            "national/two",
        ] {
            assert!(
                matches!(Case::parse(id), Err(BenchError::UnknownCase(_))),
                "{id}"
            );
        }
    }

    #[test]
    fn scales_keep_the_mix_of_tiers() {
        let q = saturated_scenario(Strategy::CityExclusive, Scale::Every(4));
        let x = saturated_scenario(Strategy::CityExclusive, Scale::Times(4));
        assert_eq!(q.market.cities.len(), 100);
        assert_eq!(x.market.cities.len(), 1600);
        assert_eq!(x.market.total_enterprises(), 4_000_000);
    }

    #[test]
    fn national_market_is_about_300_cities_of_tens_of_millions() {
        let sc = national_scenario().unwrap();
        assert_eq!(sc.market.cities.len(), 300);
        assert_eq!(sc.vendors.len(), 7);
        let n = sc.market.total_enterprises();
        assert!((20_000_000..100_000_000).contains(&n), "{n}");
    }

    #[test]
    fn a_small_stepper_case_counts_its_work() {
        let case = Case::Saturated {
            strategy: Strategy::CityExclusive,
            scale: Scale::Every(16),
            threads: 1,
        };
        let s = run_case(&case, Path::new(".")).unwrap();
        // Every 16th of the 400 cities: 65,000 enterprises (nominally 1/16 M).
        assert_eq!(s.enterprises, 65_000);
        assert_eq!(s.enterprise_months, 65_000 * 120);
        let cm = s.customer_months.unwrap();
        // Saturated: most enterprises are customers for most months.
        assert!(cm > s.enterprise_months / 4 && cm <= s.enterprise_months);
        assert_eq!(s.phase_seconds.len(), Phase::ALL.len());
        assert!(s.phase_seconds.iter().sum::<f64>() <= s.wall_seconds * 1.01);
        // Same work on two threads.
        let two = run_case(
            &Case::Saturated {
                strategy: Strategy::CityExclusive,
                scale: Scale::Every(16),
                threads: 2,
            },
            Path::new("."),
        )
        .unwrap();
        assert_eq!(two.customer_months, s.customer_months);
    }
}
