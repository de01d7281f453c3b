//! The monthly step: the phases of [`Phase::ALL`], in that order.

use crate::metrics::VendorMonth;
use crate::month::{Scratch, Shared};
use crate::params::Scenario;
use crate::phases;
use crate::schedule::{Phase, TickSpan, ticks};
use crate::tally::CityTally;
use crate::views;
use crate::world::{City, Unit, World, prefetch_range};
use rayon::prelude::*;
use std::time::{Duration, Instant};

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
        let mut out = Vec::new();
        let mut lap = Instant::now();
        for phase in Phase::ALL {
            match phase {
                Phase::Policy => phases::policy::run(world, sc, s),
                Phase::Staffing => {
                    phases::staffing::run(world, sc, s);
                    // Each unit's view for the month, read by what follows.
                    views::update_mgmt_demand(world, sc);
                    views::build(world, sc, &mut s.rivals, &mut s.own_apps, &mut s.views);
                    s.city_views(world);
                }
                // The city phases run city by city, timed inside.
                Phase::Acquisition => {
                    city_phases(world, sc, s);
                    lap = Instant::now();
                    continue;
                }
                Phase::Service | Phase::Expansion | Phase::Renewal => continue,
                Phase::Payments => phases::payments::book(world, sc, s),
                Phase::Learning => phases::learning::run(world, sc, s),
                Phase::VendorEconomics => phases::vendor_economics::run(world, sc, s),
                Phase::Platform => phases::platform::run(world, sc, s),
                Phase::Observe => {
                    out = phases::observe::run(world, sc, s);
                    // Next month's per-slot work then costs the live units
                    // only. (Units die in the policy phase or between months,
                    // before the month's views: those know who is alive.)
                    for (c, t) in world.cities.iter_mut().zip(&s.tallies) {
                        c.drop_dead_slots(|k| t.views[k].alive);
                    }
                }
            }
            let now = Instant::now();
            s.timings[phase] += now - lap;
            lap = now;
        }
        world.month += 1;
        out
    }
}

/// One city's part of a city phase ([`Phase::CITY`]).
#[inline]
fn city_part(phase: Phase, city: &mut City, tally: &mut CityTally, w: &Shared) {
    match phase {
        Phase::Acquisition => phases::acquisition::city(city, tally, w),
        Phase::Service => phases::service::city(city, tally, w),
        Phase::Expansion => phases::expansion::city(city, tally, w),
        Phase::Renewal => phases::renewal::city(city, tally, w),
        Phase::Payments => phases::payments::city(city, tally, w),
        _ => debug_assert!(!phase.per_city(), "{phase:?} has no city part"),
    }
}

/// Bytes of each column range asked for ahead: the hardware prefetcher
/// follows longer runs once started.
const AHEAD_BYTES: usize = 1024;

/// The city phases ([`Phase::CITY`]: acquisition, service, expansion,
/// renewal, payments) each read and write one city's customers and its
/// tally, and nothing another city's phases write: run them city by city, cities in parallel, so that
/// a city's columns stay in cache from acquisition to payments. The order
/// of phases within a city, and each phase's streams, are those of the
/// schedule, so this gives the results of running each phase over all
/// cities in turn.
fn city_phases(world: &mut World, sc: &Scenario, s: &mut Scratch) {
    plan_ahead(s, world);
    let w = Shared {
        sc,
        units: &world.units,
        vendors: &world.vendors,
        seed: world.seed,
        replicate: world.replicate,
        month: world.month,
    };
    let (ahead, ahead_at) = (&s.ahead, &s.ahead_at);
    let span = TickSpan::start();
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
            let part = next.len().div_ceil(Phase::CITY.len()).max(1);
            let mut parts = next.chunks(part);
            if idle(city) {
                return;
            }
            // One clock reading a phase: each lap ends the last phase's time.
            let mut lap = ticks();
            for (k, phase) in Phase::CITY.into_iter().enumerate() {
                for &(at, bytes) in parts.next().unwrap_or_default() {
                    prefetch_range(at, bytes);
                }
                city_part(phase, city, tally, &w);
                // (Saturating: a thread moved to a core whose counter is
                // behind would otherwise count a wrapped-around lap.)
                let now = ticks();
                tally.ticks[k] = tally.ticks[k].saturating_add(now.saturating_sub(lap));
                lap = now;
            }
        });
    // Time per phase, summed over cities (CPU time across threads).
    let per_tick = span.seconds_per_tick();
    for (k, phase) in Phase::CITY.into_iter().enumerate() {
        let n: f64 = s.tallies.iter().map(|t| t.ticks[k] as f64).sum();
        s.timings[phase] += Duration::try_from_secs_f64(n * per_tick).unwrap_or_default();
    }
}

/// Whether a city's customer phases have nothing to do this month: no unit
/// serves it and it has no customers, active or lost. Each phase then reads
/// and writes nothing and draws nothing (acquisition finds no vendor within
/// reach, the others no customer), so skipping it changes no result; ABU
/// leaves most small cities so (150 of the large market's 400).
#[inline]
fn idle(city: &City) -> bool {
    city.slots.is_empty() && city.blocks.iter().all(|b| b.active == 0 && b.lost == 0)
}

/// A city's first reads of the month miss the cache (every other city
/// has been through it since): list where each city's customer phases
/// start reading, for the city before it to ask for them. Cities with
/// few customers gain the most.
fn plan_ahead(s: &mut Scratch, world: &World) {
    s.ahead.clear();
    s.ahead_at.clear();
    for (c, t) in world.cities.iter().zip(&s.tallies) {
        s.ahead_at.push(s.ahead.len());
        if idle(c) {
            continue; // skipped: nothing will be read
        }
        c.first_reads(AHEAD_BYTES, &mut s.ahead);
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
            s.ahead.push((at, bytes));
        }
        // The units serving here (eligibility, kind, staff), wherever
        // their ids put them.
        let unit = std::mem::size_of::<Unit>();
        let units = c
            .slots
            .iter()
            .map(|u| (&world.units[u.idx()] as *const Unit as usize, unit));
        s.ahead.extend(units);
    }
    s.ahead_at.push(s.ahead.len());
}
