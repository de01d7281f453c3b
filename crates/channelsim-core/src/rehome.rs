//! Customers of units that left: half leave (they churn), the rest move to
//! another unit of the vendor, a local one if it has one (MODEL.md section
//! 3, renewal). The policy phase re-homes them before anyone is served.

use crate::ids::{N_SEG, VendorId};
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
            // Each vendor's new home for the segment's orphans, looked up
            // once (nobody dies or opens while they move).
            let mut homes: Vec<(VendorId, Option<usize>)> = Vec::new();
            for seg in 0..N_SEG {
                homes.clear();
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
                    let home = match homes.iter().find(|h| h.0 == v) {
                        Some(h) => h.1,
                        None => {
                            let h = pick(true).or_else(|| pick(false));
                            homes.push((v, h));
                            h
                        }
                    };
                    match home {
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
}
