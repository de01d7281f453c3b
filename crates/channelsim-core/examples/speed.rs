//! Speed of one run on the 1M-enterprise market: active customer-months per
//! second. Usage: speed [strategy] [threads]. Environment: SATURATE (a
//! fast-adopting market), CITIES=n (the first n cities only), MONTHS=m
//! (horizon), SLOTS (print slot and unit counts at the end), REPEAT=r (run
//! the months r times, each on a world built afresh; figures are of the last
//! run, and the best speed of the r is printed).
use channelsim_core::Scenario;
use channelsim_core::ids::Strategy;
use channelsim_core::metrics::Collect;
use channelsim_core::params::Market;
use std::time::Instant;

fn main() {
    let s = std::env::args()
        .nth(1)
        .and_then(|s| Strategy::parse(&s))
        .unwrap_or(Strategy::CityExclusive);
    let threads: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut sc = Scenario::single(s, "long_term");
    sc.market = Market::large_market();
    if let Some(n) = std::env::var("CITIES").ok().and_then(|m| m.parse().ok()) {
        // The first n cities only: a market small enough for the caches.
        sc.market.cities.truncate(n);
    }
    sc.scale_head_office(|_| false);
    if std::env::var("SATURATE").is_ok() {
        // A fast-adopting market: most enterprises active, to measure the
        // per-customer cost of the month.
        sc.params.bass_p = 0.05;
        sc.params.u_outside = -5.0;
    }
    if let Some(m) = std::env::var("MONTHS").ok().and_then(|m| m.parse().ok()) {
        sc.horizon_months = m;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let t0 = Instant::now();
    let mut world = channelsim_core::init::build_world(&sc, 0);
    let init = t0.elapsed().as_secs_f64();
    let repeat: usize = std::env::var("REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let (mut stepper, mut c, mut secs) = Default::default();
    let mut best = f64::INFINITY;
    for r in 0..repeat {
        if r > 0 {
            // Built afresh, as a run builds it (a copy would lay its
            // memory out otherwise).
            drop(world);
            world = channelsim_core::init::build_world(&sc, 0);
        }
        stepper = channelsim_core::step::Stepper::new();
        c = Collect::default();
        let t = Instant::now();
        pool.install(|| {
            for _ in 0..sc.horizon_months {
                let rows = stepper.step(&mut world, &sc);
                c.0.extend(rows);
            }
        });
        secs = t.elapsed().as_secs_f64();
        best = best.min(secs);
    }
    if std::env::var("SLOTS").is_ok() {
        let slots: usize = world.cities.iter().map(|c| c.slots.len()).sum();
        let alive: usize = world
            .cities
            .iter()
            .map(|c| {
                c.slots
                    .iter()
                    .filter(|u| world.units[u.idx()].alive)
                    .count()
            })
            .sum();
        let empty = world.cities.iter().filter(|c| c.slots.is_empty()).count();
        let one = world.cities.iter().filter(|c| c.slots.len() == 1).count();
        eprintln!(
            "cities {} (no slot {empty}, one slot {one}) slots {slots} alive {alive} units {} apps {}",
            world.cities.len(),
            world.units.len(),
            world.apps.len()
        );
    }
    let cm: u64 = c.0.iter().map(|r| r.active).sum();
    println!("init {init:.2}s");
    // The model's work besides customer-months: adoptions, churn, units.
    let sum = |f: fn(&channelsim_core::metrics::VendorMonth) -> u64| c.0.iter().map(f).sum::<u64>();
    println!(
        "work: new customers {}, churned {}, unit-months {}",
        sum(|r| r.new_customers),
        sum(|r| r.churned),
        sum(|r| r.units_alive)
    );
    for (phase, d) in stepper.scratch.timings.by_phase() {
        let n = phase.name();
        let ms = d.as_secs_f64() * 1e3;
        let ns = ms * 1e6 / cm.max(1) as f64;
        println!("  {n:<18}{ms:>8.1} ms {ns:>7.1} ns/active customer-month");
    }
    if repeat > 1 {
        println!("best of {repeat}: {:.1} M/s", cm as f64 / best / 1e6);
    }
    let em = sc.market.total_enterprises() as f64 * sc.horizon_months as f64;
    println!(
        "{} threads={threads} {:.2}s active customer-months {cm} -> {:.1} M/s; final active {}; enterprise-months {:.0} M/s",
        s.name(),
        secs,
        cm as f64 / secs / 1e6,
        c.0.last().unwrap().active,
        em / secs / 1e6
    );
}
