//! The monthly step: the phases of MODEL.md section 3, in order.

use crate::metrics::VendorMonth;
use crate::params::Scenario;
use crate::phases;
use crate::tally::{CityTally, UnitFlows, VendorFlows};
use crate::views::UnitView;
use crate::world::World;
use std::time::{Duration, Instant};

/// Scratch buffers the stepper owns between months; the world owns all state.
#[derive(Default)]
pub struct Scratch {
    pub views: Vec<UnitView>,
    pub rivals: Vec<u32>,
    pub tallies: Vec<CityTally>,
    pub vendor_flows: Vec<VendorFlows>,
    pub unit_flows: Vec<UnitFlows>,
    /// Time spent in each phase so far (`PHASES` order): what limits speed.
    pub timings: [Duration; 11],
}

/// Names of the timed phases, in order.
pub const PHASES: [&str; 11] = [
    "policy",
    "staffing",
    "acquisition",
    "service",
    "expansion",
    "renewal",
    "payments",
    "learning",
    "vendor_economics",
    "platform",
    "observe",
];

struct Clock(Instant);

impl Clock {
    fn start() -> Clock {
        Clock(Instant::now())
    }
    fn lap(&mut self, into: &mut Duration) {
        let now = Instant::now();
        *into += now - self.0;
        self.0 = now;
    }
}

#[derive(Default)]
pub struct Stepper {
    pub scratch: Scratch,
}

impl Stepper {
    pub fn new() -> Stepper {
        Stepper::default()
    }

    /// Advance the world by one month; returns the month's observations.
    pub fn step(&mut self, world: &mut World, sc: &Scenario) -> Vec<VendorMonth> {
        let s = &mut self.scratch;
        s.reset(world);
        let mut clock = Clock::start();
        phases::policy::run(world, sc, s);
        clock.lap(&mut s.timings[0]);
        phases::staffing::run(world, sc, s);
        crate::views::update_mgmt_demand(world, sc);
        crate::views::build(world, sc, &mut s.rivals, &mut s.views);
        s.city_views(world);
        clock.lap(&mut s.timings[1]);
        phases::acquisition::run(world, sc, s);
        clock.lap(&mut s.timings[2]);
        phases::service::run(world, sc, s);
        clock.lap(&mut s.timings[3]);
        phases::expansion::run(world, sc, s);
        clock.lap(&mut s.timings[4]);
        phases::renewal::run(world, sc, s);
        clock.lap(&mut s.timings[5]);
        phases::payments::run(world, sc, s);
        clock.lap(&mut s.timings[6]);
        phases::learning::run(world, sc, s);
        clock.lap(&mut s.timings[7]);
        phases::vendor_economics::run(world, sc, s);
        clock.lap(&mut s.timings[8]);
        phases::platform::run(world, sc, s);
        clock.lap(&mut s.timings[9]);
        let out = phases::observe::run(world, sc, s);
        clock.lap(&mut s.timings[10]);
        world.month += 1;
        out
    }
}

impl Scratch {
    fn reset(&mut self, world: &World) {
        self.tallies
            .resize_with(world.cities.len(), CityTally::default);
        for (t, c) in self.tallies.iter_mut().zip(&world.cities) {
            t.reset(c.slots.len(), world.vendors.len());
        }
        self.vendor_flows.clear();
        self.vendor_flows
            .resize(world.vendors.len(), VendorFlows::default());
        self.unit_flows.clear();
        self.unit_flows
            .resize(world.units.len(), UnitFlows::default());
    }

    /// Copy each city's slot views next to its tally, once a month.
    fn city_views(&mut self, world: &World) {
        for (t, c) in self.tallies.iter_mut().zip(&world.cities) {
            t.views.clear();
            t.views.extend(c.slots.iter().map(|u| self.views[u.idx()]));
        }
    }

    /// Grow the city tallies to the current slot lists (after any phase
    /// that opened units), keeping what was tallied.
    pub fn grow_tallies(&mut self, world: &World) {
        for (t, c) in self.tallies.iter_mut().zip(&world.cities) {
            t.slots.resize(c.slots.len(), Default::default());
        }
        self.unit_flows
            .resize(world.units.len(), UnitFlows::default());
    }
}
