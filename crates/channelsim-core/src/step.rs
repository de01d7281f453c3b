//! The monthly step: the phases of MODEL.md section 3, in order.

use crate::metrics::VendorMonth;
use crate::params::Scenario;
use crate::phases;
use crate::tally::{CityTally, UnitFlows, VendorFlows};
use crate::views::UnitView;
use crate::world::World;

/// Scratch buffers the stepper owns between months; the world owns all state.
#[derive(Default)]
pub struct Scratch {
    pub views: Vec<UnitView>,
    pub rivals: Vec<u32>,
    pub tallies: Vec<CityTally>,
    pub vendor_flows: Vec<VendorFlows>,
    pub unit_flows: Vec<UnitFlows>,
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
        phases::policy::run(world, sc, s);
        phases::staffing::run(world, sc, s);
        crate::views::update_mgmt_demand(world, sc);
        crate::views::build(world, sc, &mut s.rivals, &mut s.views);
        phases::acquisition::run(world, sc, s);
        phases::service::run(world, sc, s);
        phases::expansion::run(world, sc, s);
        phases::renewal::run(world, sc, s);
        phases::payments::run(world, sc, s);
        phases::learning::run(world, sc, s);
        phases::vendor_economics::run(world, sc, s);
        phases::platform::run(world, sc, s);
        let out = phases::observe::run(world, sc, s);
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
