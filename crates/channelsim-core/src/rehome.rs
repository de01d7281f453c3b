//! Customers of units that left: half leave (they churn), the rest move to
//! another unit of the vendor, a local one if it has one (MODEL.md section
//! 3, renewal). The policy phase re-homes them before anyone is served.

use crate::ids::N_SEG;
use crate::params::Scenario;
use crate::rng::{REHOME, Stream};
use crate::tally::CityTally;
use crate::world::World;
use rayon::prelude::*;

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
                                && sc.params.kinds.get(u.kind).local == local
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
