//! Customers of units that left: half leave (they churn), the rest move to
//! another unit of the vendor, a local one if it has one (MODEL.md section
//! 3, renewal). The policy phase re-homes them before anyone is served.

use crate::ids::{N_SEG, UnitKind};
use crate::params::{MovedCustomer, Scenario};
use crate::rng::{REHOME, Stream};
use crate::tally::CityTally;
use crate::world::{City, World};
use rayon::prelude::*;

/// Move active customer `i` of the city to slot `to` (another unit of its
/// vendor: the direct desk, an orphan's new home, a rival at renewal).
/// Under `model.moved_customer = "continues"` the contract moves with it:
/// the new unit takes it where its tenure stands (first-year terms in its
/// first year, renewal terms after) and no implementation is paid again
/// (that is paid in a customer's first month with a unit only). Under
/// "restarts" (v1) it starts afresh with the new unit.
#[inline]
pub fn move_customer(sc: &Scenario, city: &mut City, i: usize, to: usize) {
    city.slot[i] = to as u16;
    city.unit_tenure[i] = match sc.model.moved_customer {
        // Tenure is at least 1 for anyone served once; 1 keeps a customer
        // moved before its first payment out of the implementation month.
        MovedCustomer::Continues => city.tenure[i].max(1),
        MovedCustomer::Restarts => 0,
    };
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
            // Units that died before this month have no customers left.
            let dead: Vec<bool> = city
                .slots
                .iter()
                .map(|u| units[u.idx()].month_died == Some(month))
                .collect();
            if !dead.iter().any(|&d| d) {
                return;
            }
            let mut rng = Stream::new(seed, rep, month, city.id.0, REHOME);
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
                        Some(k) => move_customer(sc, city, i, k),
                        None => {
                            tally.slots[slot].churned += 1;
                            city.lose(seg, i)
                        }
                    }
                }
            }
        });
}
