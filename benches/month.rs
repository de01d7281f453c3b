//! The month loop on the 1,000,000-enterprise market (`Market::large_market`):
//! 120 months, one vendor per strategy, on one core. Throughput is active
//! customer-months, counted by a run before the measurement (the run is
//! deterministic, so every iteration serves the same customer-months).
//!
//! `cargo bench -p channelsim-core --bench month` (add a filter such as
//! `month/saturated` to run some); estimates land in `target/criterion/`.

use channelsim_core::Scenario;
use channelsim_core::ids::Strategy;
use channelsim_core::init::build_world;
use channelsim_core::params::Market;
use channelsim_core::step::Stepper;
use channelsim_core::world::World;
use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use std::time::Duration;

/// One vendor with the strategy, long-term policy, on the large market;
/// `saturated`: a fast-adopting market where most enterprises become
/// customers (the per-customer cost regime).
fn scenario(s: Strategy, saturated: bool) -> Scenario {
    let mut sc = Scenario::single(s, "long_term");
    sc.market = Market::large_market();
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
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut cases: Vec<(String, Scenario)> = Strategy::ALL
        .into_iter()
        .map(|s| (format!("default/{}", s.name()), scenario(s, false)))
        .collect();
    for s in [
        Strategy::CityExclusive,
        Strategy::Traditional,
        Strategy::TeamReplication,
    ] {
        cases.push((format!("saturated/{}", s.name()), scenario(s, true)));
    }
    let mut group = c.benchmark_group("month");
    // Runs are long: the same number of runs in every sample.
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500));
    for (name, sc) in &cases {
        if !group_filter_matches(name) {
            continue;
        }
        // Ten runs of a saturated market take about half a minute.
        let secs = if name.starts_with("saturated") { 30 } else { 8 };
        group.measurement_time(Duration::from_secs(secs));
        let customer_months = pool.install(|| run(&mut build_world(sc, 0), sc));
        group.throughput(Throughput::Elements(customer_months));
        group.bench_function(name.as_str(), |b| {
            b.iter_batched(
                || build_world(sc, 0),
                |mut world| pool.install(|| run(&mut world, sc)),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// Skip the counting run of cases a command-line filter leaves out
/// (`cargo bench --bench month -- saturated`).
fn group_filter_matches(name: &str) -> bool {
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
    filter.is_none_or(|f| format!("month/{name}").contains(&f))
}

criterion_group!(benches, month);
criterion_main!(benches);
