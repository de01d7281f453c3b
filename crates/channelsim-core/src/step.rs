//! The monthly step: the phases of MODEL.md section 3, in order.

use crate::metrics::VendorMonth;
use crate::params::Scenario;
use crate::phases;
use crate::tally::{CityScratch, CityTally, UnitFlows, VendorFlows, with_scratch};
use crate::views::UnitView;
use crate::world::{City, Unit, Vendor, World, prefetch_range};
use rayon::prelude::*;
use std::time::{Duration, Instant};

/// Scratch buffers the stepper owns between months; the world owns all state.
#[derive(Default)]
pub struct Scratch {
    pub views: Vec<UnitView>,
    pub rivals: Vec<u32>,
    pub tallies: Vec<CityTally>,
    pub vendor_flows: Vec<VendorFlows>,
    pub unit_flows: Vec<UnitFlows>,
    /// Where each city's customer phases start reading ([`City::first_reads`]),
    /// city `c`'s ranges at `ahead[ahead_at[c]..ahead_at[c + 1]]`.
    pub ahead: Vec<(usize, usize)>,
    pub ahead_at: Vec<usize>,
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
        // Timed city by city, phase by phase, inside.
        customer_phases(world, sc, s);
        let mut clock = Clock::start();
        phases::payments::book(world, sc, s);
        clock.lap(&mut s.timings[6]);
        phases::learning::run(world, sc, s);
        clock.lap(&mut s.timings[7]);
        phases::vendor_economics::run(world, sc, s);
        clock.lap(&mut s.timings[8]);
        phases::platform::run(world, sc, s);
        clock.lap(&mut s.timings[9]);
        let out = phases::observe::run(world, sc, s);
        // Next month's per-slot work then costs the live units only.
        let units = &world.units;
        for c in world.cities.iter_mut() {
            c.drop_dead_slots(|u| units[u.idx()].alive);
        }
        clock.lap(&mut s.timings[10]);
        world.month += 1;
        out
    }
}

/// What a city's customer phases read of the rest of the world.
pub struct Shared<'a> {
    pub sc: &'a Scenario,
    pub units: &'a [Unit],
    pub vendors: &'a [Vendor],
    pub seed: u64,
    pub replicate: u32,
    pub month: u32,
}

/// Bytes of each column range asked for ahead: the hardware prefetcher
/// follows longer runs once started.
const AHEAD_BYTES: usize = 1024;

/// Phases 3 to 7 (acquisition, service, expansion, renewal, payments) each
/// read and write one city's customers and its tally, and nothing another
/// city's phases write: run them city by city, cities in parallel, so that
/// a city's columns stay in cache from acquisition to payments. The order
/// of phases within a city, and each phase's streams, are those of the
/// schedule, so this gives the results of running each phase over all
/// cities in turn.
fn customer_phases(world: &mut World, sc: &Scenario, s: &mut Scratch) {
    let w = Shared {
        sc,
        units: &world.units,
        vendors: &world.vendors,
        seed: world.seed,
        replicate: world.replicate,
        month: world.month,
    };
    let phases: [fn(&mut City, &mut CityTally, &mut CityScratch, &Shared); 5] = [
        phases::acquisition::city,
        phases::service::city,
        phases::expansion::city,
        phases::renewal::city,
        phases::payments::city,
    ];
    s.plan_ahead(world);
    let (ahead, ahead_at) = (&s.ahead, &s.ahead_at);
    world
        .cities
        .par_iter_mut()
        .zip(s.tallies.par_iter_mut())
        .enumerate()
        .for_each(|(c, (city, tally))| {
            // The next city's ranges, a fifth before each phase: a burst
            // of prefetches would wait for free line-fill buffers.
            let next = ahead_at
                .get(c + 1..c + 3)
                .map_or(&[][..], |r| &ahead[r[0]..r[1]]);
            let part = next.len().div_ceil(phases.len()).max(1);
            let mut parts = next.chunks(part);
            with_scratch(|b| {
                let mut clock = Clock::start();
                for (k, phase) in phases.iter().enumerate() {
                    for &(at, bytes) in parts.next().unwrap_or_default() {
                        prefetch_range(at, bytes);
                    }
                    phase(city, tally, b, &w);
                    clock.lap(&mut tally.timings[k]);
                }
            })
        });
    // Time per phase, summed over cities (CPU time across threads).
    for t in &s.tallies {
        for (into, d) in s.timings[2..7].iter_mut().zip(t.timings) {
            *into += d;
        }
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

    /// A city's first reads of the month miss the cache (every other city
    /// has been through it since): list where each city's customer phases
    /// start reading, for the city before it to ask for them. Cities with
    /// few customers gain the most.
    fn plan_ahead(&mut self, world: &World) {
        self.ahead.clear();
        self.ahead_at.clear();
        for (c, t) in world.cities.iter().zip(&self.tallies) {
            self.ahead_at.push(self.ahead.len());
            c.first_reads(AHEAD_BYTES, &mut self.ahead);
            for (at, bytes) in [
                (
                    t.views.as_ptr() as usize,
                    std::mem::size_of_val(&t.views[..]),
                ),
                (
                    t.slots.as_ptr() as usize,
                    std::mem::size_of_val(&t.slots[..]),
                ),
            ] {
                self.ahead.push((at, bytes));
            }
            // The units serving here (eligibility, kind, staff), wherever
            // their ids put them.
            let unit = std::mem::size_of::<Unit>();
            let units = c
                .slots
                .iter()
                .map(|u| (&world.units[u.idx()] as *const Unit as usize, unit));
            self.ahead.extend(units);
        }
        self.ahead_at.push(self.ahead.len());
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
