//! Running one replicate of a scenario from month 0 to the horizon.

use crate::init::{MarketDraw, build_world, build_world_on};
use crate::metrics::Observer;
use crate::params::Scenario;
use crate::schedule::Timings;
use crate::step::Stepper;
use crate::world::World;
use std::time::{Duration, Instant};

/// Where a run's time went, from the engine's own clocks: building the
/// world, then each phase of the month over all months (the city phases
/// summed over the cities, so over threads when cities run in parallel).
/// What the results are does not depend on it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RunTimings {
    pub build: Duration,
    pub phases: Timings,
}

impl RunTimings {
    pub fn add(&mut self, o: &RunTimings) {
        self.build += o.build;
        self.phases.add(&o.phases);
    }
}

/// Run replicate `replicate` of `sc`, handing each month's rows to `obs`.
pub fn run_replicate(sc: &Scenario, replicate: u32, obs: &mut dyn Observer) -> World {
    run_replicate_timed(sc, replicate, obs).0
}

/// [`run_replicate`], also returning where its time went.
pub fn run_replicate_timed(
    sc: &Scenario,
    replicate: u32,
    obs: &mut dyn Observer,
) -> (World, RunTimings) {
    let clock = Instant::now();
    let world = build_world(sc, replicate);
    run_world(sc, world, clock.elapsed(), obs)
}

/// Run `sc` on its replicate's market, drawn before (see
/// [`build_world_on`]): what [`run_replicate_timed`] gives, but for the
/// time of drawing the market.
pub fn run_on(sc: &Scenario, market: &MarketDraw, obs: &mut dyn Observer) -> (World, RunTimings) {
    let clock = Instant::now();
    let world = build_world_on(sc, market);
    run_world(sc, world, clock.elapsed(), obs)
}

/// The months of a run, from the world at month 0 (built in `build`).
/// The cumulative ecosystem value is carried here, between months.
fn run_world(
    sc: &Scenario,
    mut world: World,
    build: Duration,
    obs: &mut dyn Observer,
) -> (World, RunTimings) {
    let mut stepper = Stepper::new();
    let mut cum_eco = vec![0.0; world.vendors.len()];
    for _ in 0..sc.horizon_months {
        let mut rows = stepper.step(&mut world, sc);
        for (r, c) in rows.iter_mut().zip(cum_eco.iter_mut()) {
            *c += r.ecosystem_value;
            r.cum_ecosystem_value = *c;
        }
        obs.month(&rows);
    }
    let timings = RunTimings {
        build,
        phases: stepper.scratch.timings,
    };
    (world, timings)
}
