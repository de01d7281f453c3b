//! Running one replicate of a scenario from month 0 to the horizon.

use crate::init::build_world;
use crate::metrics::Observer;
use crate::params::Scenario;
use crate::step::Stepper;
use crate::world::World;

/// Run replicate `replicate` of `sc`, handing each month's rows to `obs`.
/// The cumulative ecosystem value is carried here, between months.
pub fn run_replicate(sc: &Scenario, replicate: u32, obs: &mut dyn Observer) -> World {
    let mut world = build_world(sc, replicate);
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
    world
}
