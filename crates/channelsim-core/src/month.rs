//! The month below its phases: what the city phases read of the world
//! ([`Shared`]) and the scratch the stepper keeps between months
//! ([`Scratch`]). The phases import this module; it imports no phase.

use crate::params::Scenario;
use crate::schedule::Timings;
use crate::tally::{CityTally, UnitFlows, VendorFlows};
use crate::views::UnitView;
use crate::world::{Unit, Vendor, World};

/// What a city's customer phases read of the rest of the world.
pub struct Shared<'a> {
    pub sc: &'a Scenario,
    pub units: &'a [Unit],
    pub vendors: &'a [Vendor],
    pub seed: u64,
    pub replicate: u32,
    pub month: u32,
}

/// Scratch the stepper owns between months; the world owns all state. The
/// city phases' own working buffers are theirs (one set per thread).
#[derive(Default)]
pub struct Scratch {
    pub views: Vec<UnitView>,
    pub rivals: Vec<u32>,
    /// Each unit's own best app per industry (views' working buffer).
    pub own_apps: Vec<[f32; crate::ids::N_IND]>,
    /// What the platform phase reads of each unit (its working buffer).
    pub unit_uses: Vec<u8>,
    pub tallies: Vec<CityTally>,
    pub vendor_flows: Vec<VendorFlows>,
    pub unit_flows: Vec<UnitFlows>,
    /// Where each city's customer phases start reading ([`crate::world::City::first_reads`]),
    /// city `c`'s ranges at `ahead[ahead_at[c]..ahead_at[c + 1]]`.
    pub ahead: Vec<(usize, usize)>,
    pub ahead_at: Vec<usize>,
    /// Time spent in each phase so far: what limits speed.
    pub timings: Timings,
    /// The units alive when the month began ([`World::live`]), and how
    /// many units there were: with those opened since, every unit whose
    /// book the month can change.
    pub live_start: Vec<crate::ids::UnitId>,
    pub units_start: usize,
}

impl Scratch {
    /// Empty tallies and flows for a new month.
    pub fn reset(&mut self, world: &World) {
        self.live_start.clone_from(&world.live);
        self.units_start = world.units.len();
        self.tallies
            .resize_with(world.cities.len(), CityTally::default);
        for (t, c) in self.tallies.iter_mut().zip(&world.cities) {
            t.reset(c.slots.len(), world.vendors.len());
        }
        self.vendor_flows.clear();
        self.vendor_flows
            .resize(world.vendors.len(), VendorFlows::default());
        for (f, v) in self.vendor_flows.iter_mut().zip(&world.vendors) {
            f.capital_before = v.partner_capital;
        }
        self.unit_flows.clear();
        self.unit_flows
            .resize(world.units.len(), UnitFlows::default());
    }

    /// Copy each city's slot views next to its tally, once a month.
    pub fn city_views(&mut self, world: &World) {
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
