//! The month loop on the 1,000,000-enterprise market (`Market::large_market`):
//! 120 months, one vendor per strategy, on one core. Throughput is active
//! customer-months, counted by a run before the measurement (the run is
//! deterministic, so every iteration serves the same customer-months).
//! Two scaling groups follow, on the saturated city-exclusive market: at a
//! quarter, half and all of its cities (the same mix of tiers), and on 1 and
//! 2 threads.
//!
//! `cargo bench -p channelsim-core --bench month` (add a filter such as
//! `month/saturated` to run some); estimates land in `target/criterion/`.

use channelsim_core::Scenario;
use channelsim_core::ids::Strategy;
use channelsim_core::init::build_world;
use channelsim_core::params::Market;
use channelsim_core::step::Stepper;
use channelsim_core::world::World;
use criterion::measurement::WallTime;
use criterion::{
    BatchSize, BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use std::time::Duration;

/// One vendor with the strategy, long-term policy, on the large market (or
/// every `every`-th of its cities); `saturated`: a fast-adopting market where
/// most enterprises become customers (the per-customer cost regime).
fn scenario(s: Strategy, saturated: bool) -> Scenario {
    scenario_in(s, saturated, 1)
}

fn scenario_in(s: Strategy, saturated: bool, every: usize) -> Scenario {
    let mut sc = Scenario::single(s, "long_term");
    sc.market = Market::large_market();
    sc.market.cities = sc.market.cities.into_iter().step_by(every).collect();
    // Head-office figures in proportion to the market, once.
    sc.scale_head_office(|_| false);
    if saturated {
        sc.params.bass_p = 0.05;
        sc.params.u_outside = -5.0;
    }
    sc
}

/// Run every month of the horizon; returns the active customer-months.
fn run(world: &mut World, sc: &Scenario) -> u64 {
    let mut stepper = Stepper::new();
    (0..sc.horizon_months)
        .map(|_| {
            let rows = stepper.step(world, sc);
            rows.iter().map(|r| r.active).sum::<u64>()
        })
        .sum()
}

fn month(c: &mut Criterion) {
    // One core, as the speed target is stated.
    let mut group = c.benchmark_group("month");
    configure(&mut group);
    for saturated in [false, true] {
        for s in Strategy::ALL {
            let regime = if saturated { "saturated" } else { "default" };
            let name = format!("{regime}/{}", s.name());
            measure(&mut group, "month", &name, &scenario(s, saturated), 1);
        }
    }
    group.finish();

    // Scaling with market size: every 4th, every 2nd, every city.
    let mut group = c.benchmark_group("market_size");
    configure(&mut group);
    for every in [4, 2, 1] {
        let sc = scenario_in(Strategy::CityExclusive, true, every);
        let k = sc.market.total_enterprises() / 1000;
        let name = format!("saturated/city_exclusive/{k}k");
        measure(&mut group, "market_size", &name, &sc, 1);
    }
    group.finish();

    // Scaling with cores: cities run in parallel within a month.
    let mut group = c.benchmark_group("threads");
    configure(&mut group);
    let sc = scenario(Strategy::CityExclusive, true);
    for threads in [1, 2] {
        let name = format!("saturated/city_exclusive/{threads}");
        measure(&mut group, "threads", &name, &sc, threads);
    }
    group.finish();
}

/// Runs are long: the same number of runs in every sample.
fn configure(group: &mut BenchmarkGroup<WallTime>) {
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500));
}

/// One case on a pool of `threads` threads, unless the command line's
/// filter leaves it out.
fn measure(
    group: &mut BenchmarkGroup<WallTime>,
    group_name: &str,
    name: &str,
    sc: &Scenario,
    threads: usize,
) {
    if !filter_matches(&format!("{group_name}/{name}")) {
        return;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    // Ten runs of a saturated market take about half a minute.
    let secs = if name.starts_with("saturated") { 30 } else { 8 };
    group.measurement_time(Duration::from_secs(secs));
    let customer_months = pool.install(|| run(&mut build_world(sc, 0), sc));
    group.throughput(Throughput::Elements(customer_months));
    group.bench_function(name, |b| {
        b.iter_batched(
            || build_world(sc, 0),
            |mut world| pool.install(|| run(&mut world, sc)),
            BatchSize::PerIteration,
        )
    });
}

/// Skip the counting run of cases a command-line filter leaves out
/// (`cargo bench --bench month -- saturated`).
fn filter_matches(id: &str) -> bool {
    // Criterion's options that take a value.
    const VALUED: [&str; 12] = [
        "--save-baseline",
        "--baseline",
        "--load-baseline",
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--profile-time",
        "--color",
    ];
    let mut args = std::env::args().skip(1);
    let mut filter = None;
    while let Some(a) = args.next() {
        if VALUED.contains(&a.as_str()) {
            args.next();
        } else if !a.starts_with('-') {
            filter = Some(a);
        }
    }
    filter.is_none_or(|f| id.contains(&f))
}

criterion_group!(benches, month);
criterion_main!(benches);
