//! Small worlds for the unit tests beside the phases.

use crate::ids::Strategy;
use crate::init::build_world;
use crate::params::Scenario;
use crate::step::Stepper;
use crate::world::World;

/// One vendor in four small cities (head-office figures scaled to them).
pub fn scenario(s: Strategy, preset: &str) -> Scenario {
    let mut sc = Scenario::single(s, preset);
    sc.market.cities.truncate(4);
    sc.scale_head_office(|_| false);
    sc
}

/// A world stepped `months` months, with its stepper.
pub fn stepped(sc: &Scenario, months: u32) -> (World, Stepper) {
    let mut world = build_world(sc, 0);
    let mut st = Stepper::new();
    for _ in 0..months {
        st.step(&mut world, sc);
    }
    (world, st)
}
