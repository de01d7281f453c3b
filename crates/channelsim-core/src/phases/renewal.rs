//! Phase 6, renewal and churn. At each 12-month anniversary a customer
//! leaves with a probability that falls with satisfaction and with the ring
//! it has reached (lock-in); where rival units of the same vendor share the
//! city, a staying customer may move to one of them. Lost customers return
//! to the prospect pool after a year. Customers of units that died are
//! re-homed: half leave, the rest move to another unit of the vendor.

use crate::ids::{N_SEG, UnitKind};
use crate::params::Scenario;
use crate::phases::acquisition::eligible;
use crate::rng::{Phase, Stream};
use crate::step::Scratch;
use crate::tally::CityTally;
use crate::world::{City, Unit, World};
use rayon::prelude::*;

pub fn run(world: &mut World, sc: &Scenario, s: &mut Scratch) {
    let units = &world.units;
    let (seed, rep, month) = (world.seed, world.replicate, world.month);
    world
        .cities
        .par_iter_mut()
        .zip(s.tallies.par_iter_mut())
        .for_each(|(city, tally)| {
            let mut rng = Stream::new(seed, rep, month, city.id.0, Phase::Renewal);
            renew_city(city, tally, units, sc, &mut rng)
        });
}

/// Annual churn probability at a renewal.
#[inline]
pub fn churn_prob(sc: &Scenario, seg: usize, sat: f32, ring: u8) -> f32 {
    let p = &sc.params;
    let lock = 1.0 - p.lock_base.powi(ring as i32);
    (p.base_churn[seg] * (-p.churn_sensitivity * (sat as f64 - 0.6)).exp() * (1.0 - lock))
        .min(p.churn_cap) as f32
}

fn renew_city(
    city: &mut City,
    tally: &mut CityTally,
    units: &[Unit],
    sc: &Scenario,
    rng: &mut Stream,
) {
    let p = &sc.params;
    let sv = &tally.views;
    for seg in 0..N_SEG {
        // Lost customers a year gone return to the pool.
        let lost = city.blocks[seg].lost_range();
        for i in lost.rev() {
            if city.tenure[i] as u32 >= p.return_after_months {
                city.release(seg, i);
            }
        }
        // Renewals, from the back: `lose` swaps the last active customer in.
        let active = city.blocks[seg].active_range();
        for i in active.rev() {
            let t = city.tenure[i];
            if t == 0 || t % 12 != 0 {
                continue;
            }
            let slot = city.slot[i] as usize;
            if sc.switches.churn
                && rng.uniform_f32() < churn_prob(sc, seg, city.sat[i], city.ring[i])
            {
                tally.slots[slot].churned += 1;
                city.lose(seg, i);
                continue;
            }
            let n = sv[slot].rivals;
            if n > 1 && rng.chance(p.intra_move * (n - 1) as f64 / n as f64) {
                let me = city.slots[slot];
                let rivals: Vec<usize> = (0..city.slots.len())
                    .filter(|&k| {
                        let u = &units[city.slots[k].idx()];
                        city.slots[k] != me
                            && u.vendor == units[me.idx()].vendor
                            && u.kind == units[me.idx()].kind
                            && eligible(sc, u, city.tier, seg)
                    })
                    .collect();
                if !rivals.is_empty() {
                    let k = rivals[rng.below(rivals.len() as u32) as usize];
                    city.slot[i] = k as u16;
                    city.unit_tenure[i] = 0;
                }
            }
        }
    }
}

/// Re-home the customers of units that died this month.
pub fn rehome_orphans(world: &mut World, sc: &Scenario, tallies: &mut [CityTally]) {
    let month = world.month;
    if !world.units.iter().any(|u| u.month_died == Some(month)) {
        return;
    }
    let units = &world.units;
    let (seed, rep) = (world.seed, world.replicate);
    world
        .cities
        .par_iter_mut()
        .zip(tallies.par_iter_mut())
        .for_each(|(city, tally)| {
            let dead: Vec<bool> = city.slots.iter().map(|u| !units[u.idx()].alive).collect();
            if !dead.iter().any(|&d| d) {
                return;
            }
            let mut rng = Stream::new(seed, rep, month, city.id.0, Phase::Rehome);
            for seg in 0..N_SEG {
                for i in city.blocks[seg].active_range().rev() {
                    let slot = city.slot[i] as usize;
                    if !dead[slot] {
                        continue;
                    }
                    let v = units[city.slots[slot].idx()].vendor;
                    if rng.chance(sc.params.orphan_leave) {
                        tally.slots[slot].churned += 1;
                        city.lose(seg, i);
                        continue;
                    }
                    // Prefer a local unit of the vendor, else its online unit.
                    let pick = |local: bool| {
                        (0..city.slots.len()).find(|&k| {
                            let u = &units[city.slots[k].idx()];
                            u.vendor == v
                                && u.alive
                                && u.segments.has(seg)
                                && (u.kind != UnitKind::Online) == local
                        })
                    };
                    match pick(true).or_else(|| pick(false)) {
                        Some(k) => {
                            city.slot[i] = k as u16;
                            city.unit_tenure[i] = 0;
                        }
                        None => {
                            tally.slots[slot].churned += 1;
                            city.lose(seg, i)
                        }
                    }
                }
            }
        });
}
