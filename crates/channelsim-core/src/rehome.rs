//! Customers of units that left: half leave (they churn), the rest move to
//! another unit of the vendor, a local one if it has one (MODEL.md section
//! 3, renewal). The policy phase re-homes them before anyone is served.

use crate::ids::{N_SEG, VendorId};
use crate::params::{MovedCustomer, Scenario};
use crate::rng::{REHOME, Stream};
use crate::tally::CityTally;
use crate::world::{City, Unit, World};
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
    // (Units die in the policy phase, or between months by a caller's
    // hand: the month they died says which.)
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
            // Units that died before this month have no customers left;
            // the slots of those that died this month.
            let dead: Vec<u16> = (0..city.slots.len())
                .filter(|&k| units[city.slots[k].idx()].month_died == Some(month))
                .map(|k| k as u16)
                .collect();
            if dead.is_empty() {
                return;
            }
            let mut rng = Stream::new(seed, rep, month, city.id.0, REHOME);
            for seg in 0..N_SEG {
                // Where each dead slot's orphans of the segment go, found
                // once (nobody opens or dies while they move).
                let homes: Vec<Option<usize>> = dead
                    .iter()
                    .map(|&d| {
                        home(
                            city,
                            units,
                            sc,
                            seg,
                            units[city.slots[d as usize].idx()].vendor,
                        )
                    })
                    .collect();
                // Every active customer from the back (`lose` swaps one
                // already seen into `i`), the orphans of 64 at a time found
                // by lane compares rather than a look-up per customer.
                let active = city.blocks[seg].active_range();
                let mut end = active.end;
                while end > active.start {
                    let start = end.saturating_sub(64).max(active.start);
                    let mut mask = orphan_mask(&city.slot[start..end], &dead);
                    while mask != 0 {
                        let j = 63 - mask.leading_zeros() as usize;
                        mask &= !(1u64 << j);
                        let (i, slot) = (start + j, city.slot[start + j]);
                        let to = homes[dead.iter().position(|&d| d == slot).unwrap()];
                        rehome(city, tally, sc, &mut rng, seg, i, to);
                    }
                    end = start;
                }
            }
        });
}

/// Bit j set if customer j of `slot` (at most 64) is served by one of the
/// `dead` slots.
#[inline]
fn orphan_mask(slot: &[u16], dead: &[u16]) -> u64 {
    if let Ok(s) = <&[u16; 64]>::try_from(slot) {
        // A byte flag per customer (vector compares), then the mask.
        let mut flags = [0u8; 64];
        for &d in dead {
            for (f, &x) in flags.iter_mut().zip(s) {
                *f |= (x == d) as u8;
            }
        }
        return crate::lanes::flag_bits(&flags);
    }
    let mut mask = 0u64;
    for (j, x) in slot.iter().enumerate() {
        mask |= (dead.contains(x) as u64) << j;
    }
    mask
}

/// The slot that takes vendor `v`'s orphans of segment `seg`: a local
/// unit of the vendor if it has one, else its online unit (None: none).
fn home(city: &City, units: &[Unit], sc: &Scenario, seg: usize, v: VendorId) -> Option<usize> {
    let pick = |local: bool| {
        (0..city.slots.len()).find(|&k| {
            let u = &units[city.slots[k].idx()];
            u.vendor == v
                && u.alive
                && u.segments.has(seg)
                && sc.params.kinds.get(u.kind).local == local
        })
    };
    pick(true).or_else(|| pick(false))
}

/// Orphan `i` of segment `seg` leaves, or moves to slot `to` (leaves if
/// there is none).
fn rehome(
    city: &mut City,
    tally: &mut CityTally,
    sc: &Scenario,
    rng: &mut Stream,
    seg: usize,
    i: usize,
    to: Option<usize>,
) {
    let slot = city.slot[i] as usize;
    if rng.chance(sc.params.orphan_leave) {
        tally.slots[slot].churned += 1;
        city.lose(seg, i);
        return;
    }
    match to {
        Some(k) => move_customer(sc, city, i, k),
        None => {
            tally.slots[slot].churned += 1;
            city.lose(seg, i)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ids::{N_SEG, Strategy, UnitId};
    use crate::month::Shared;
    use crate::params::MovedCustomer;
    use crate::testkit::{scenario, stepped};

    /// Issue 11: a re-homed orphan keeps its tenure and pays no second
    /// implementation under "continues"; under "restarts" (v1) it is a new
    /// contract with its new unit and pays implementation services again.
    #[test]
    fn issue11_a_rehomed_customer_keeps_tenure_and_pays_no_services_unless_it_restarts() {
        let mut services = Vec::new();
        for moved in [MovedCustomer::Continues, MovedCustomer::Restarts] {
            let mut sc = scenario(Strategy::Abu, "long_term");
            sc.model.moved_customer = moved;
            // Nobody leaves: the orphans keep their places in the columns.
            sc.params.orphan_leave = 0.0;
            let (mut w, mut st) = stepped(&sc, 30);
            // A local unit with customers, in a city with another local unit
            // or the online unit to take them.
            let id = (0..w.units.len())
                .map(|i| UnitId(i as u32))
                .find(|u| w.units[u.idx()].city.is_some() && w.units[u.idx()].customers() > 0)
                .expect("a local unit with customers");
            let c = w.units[id.idx()].city.unwrap().idx();
            let from = w.cities[c].slots.iter().position(|&u| u == id).unwrap() as u16;
            let city = &w.cities[c];
            let orphans: Vec<(usize, u16)> = (0..N_SEG)
                .flat_map(|seg| city.blocks[seg].active_range())
                .filter(|&i| city.slot[i] == from)
                .map(|i| (i, city.tenure[i]))
                .collect();
            assert!(!orphans.is_empty());
            crate::units::kill(&mut w, id);
            st.scratch.grow_tallies(&w);
            super::rehome_orphans(&mut w, &sc, &mut st.scratch.tallies);
            let city = &w.cities[c];
            let mut homed = 0;
            for &(i, tenure) in &orphans {
                if city.slot[i] == from {
                    continue;
                }
                homed += 1;
                assert_eq!(city.tenure[i], tenure);
                let want = match moved {
                    MovedCustomer::Continues => tenure,
                    MovedCustomer::Restarts => 0,
                };
                assert_eq!(city.unit_tenure[i], want);
            }
            assert!(homed > 0, "no orphan found a home");
            // The city's next payments: nobody new was acquired, so the
            // implementation services paid are the moved customers' only.
            let tally = &mut st.scratch.tallies[c];
            tally.reset(tally.views.len(), w.vendors.len());
            let shared = Shared {
                sc: &sc,
                units: &w.units,
                vendors: &w.vendors,
                seed: w.seed,
                replicate: 0,
                month: w.month,
            };
            crate::phases::payments::city(&mut w.cities[c], tally, &shared);
            services.push(tally.slots.iter().map(|t| t.services).sum::<f64>());
        }
        assert_eq!(services[0], 0.0, "continues: no implementation again");
        assert!(services[1] > 0.0, "restarts: implementation again");
    }

    /// Issue 15: the orphans found by lane compares are those of a
    /// look-up per customer, in full chunks of 64 and in the last few.
    #[test]
    fn issue15_orphan_mask_finds_the_customers_of_dead_slots() {
        let slot: Vec<u16> = (0..100u32).map(|j| ((j * 7 + 3) % 11) as u16).collect();
        for dead in [vec![], vec![4], vec![0, 10, 5]] {
            for r in [0..64, 36..100, 90..100, 0..0] {
                let want = slot[r.clone()]
                    .iter()
                    .enumerate()
                    .fold(0u64, |m, (j, s)| m | (dead.contains(s) as u64) << j);
                assert_eq!(
                    super::orphan_mask(&slot[r.clone()], &dead),
                    want,
                    "{dead:?} {r:?}"
                );
            }
        }
    }
}
