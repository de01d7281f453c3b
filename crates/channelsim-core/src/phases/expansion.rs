//! Phase 5, expansion: an active customer climbs one ring of collaboration
//! with probability e S co_creation, where co_creation = capability x local
//! x (1 + app fit): each ring needs local co-creation. The serving unit
//! earns implementation services on the growth of the contract.
//!
//! Speed: most customers do not climb in a month, so rather than one draw
//! per customer the phase thins: candidates at the city's highest
//! probability, then each accepted at its own (exact; see `Stream::thinned`).

use crate::ids::{N_IND, N_RING, N_SEG};
use crate::month::Shared;
use crate::params::Scenario;
use crate::pricing::ring_factor;
use crate::rng::Stream;
use crate::schedule::Phase;
use crate::tally::CityTally;
use crate::world::City;

thread_local! {
    /// This thread's co-creation of each (slot, industry), reused city
    /// after city (its contents do not outlive a city).
    static CO_CREATION: std::cell::RefCell<Vec<f32>> = Default::default();
}

/// Phase 5 in one city.
pub fn city(city: &mut City, tally: &mut CityTally, w: &Shared) {
    let mut rng = Stream::new(w.seed, w.replicate, w.month, city.id.0, Phase::Expansion);
    CO_CREATION.with_borrow_mut(|co| expand_city(city, tally, co, w.sc, &mut rng))
}

#[inline(never)]
fn expand_city(
    city: &mut City,
    tally: &mut CityTally,
    co: &mut Vec<f32>,
    sc: &Scenario,
    rng: &mut Stream,
) {
    let p = &sc.params;
    let sv = &tally.views;
    let rf = ring_factor(p.ring_growth);
    let e = p.expansion_rate as f32;
    let svc = p.services_expansion as f32;
    if city.blocks.iter().all(|b| b.active == 0) {
        return;
    }
    // Co-creation of each (slot, industry) this month.
    co.clear();
    for v in sv {
        co.extend((0..N_IND).map(|ind| v.k_eff[ind] * v.local * (1.0 + v.app_fit[ind])));
    }
    // No customer's probability exceeds e x the best co-creation of a live
    // unit (S <= 1; dead units have no customers): draw only for the
    // candidates of a thinning against it.
    let mut best = 0.0f32;
    for (c, _) in co.chunks_exact(N_IND).zip(sv).filter(|(_, v)| v.alive) {
        best = c.iter().fold(best, |m, &c| m.max(c));
    }
    let p_max = e * best;
    // A city with one slot need not read the slot column.
    let one_slot = sv.len() == 1;
    for seg in 0..N_SEG {
        let base = p.base_acv[seg] as f32;
        let r = city.blocks[seg].active_range();
        let (at, n) = (r.start, r.len());
        rng.thinned(n, p_max, |j, v| {
            let i = at + j;
            let r = city.ring[i] as usize;
            if r + 1 >= N_RING {
                return; // ring 4 has nowhere to climb
            }
            let slot = if one_slot { 0 } else { city.slot[i] as usize };
            let prob = e * city.sat[i] * co[slot * N_IND + city.industry[i] as usize];
            if v < prob {
                city.ring[i] = (r + 1) as u8;
                // Growth of the contract the customer signs (after any
                // intra-brand cut), as for first-year services.
                let v = &sv[slot];
                let price = v.price * (1.0 - v.discount_at(city.unit_tenure[i]));
                let growth = base * price * (rf[r + 1] - rf[r]);
                let fee = svc * growth;
                city.paid[i] += fee;
                let t = &mut tally.slots[slot];
                t.services += fee as f64;
                t.unit_sub += fee as f64;
                t.customer_paid += fee as f64;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::ids::Strategy;
    use crate::testkit::{scenario, stepped};

    #[test]
    fn online_customers_never_climb_rings_and_local_ones_do() {
        let (w, _) = stepped(&scenario(Strategy::Online, "long_term"), 60);
        let rings = |w: &crate::world::World| -> usize {
            w.cities
                .iter()
                .map(|c| {
                    c.blocks
                        .iter()
                        .flat_map(|b| b.active_range())
                        .filter(|&i| c.ring[i] > 0)
                        .count()
                })
                .sum()
        };
        assert_eq!(rings(&w), 0, "no local co-creation, no ring");
        let (w, _) = stepped(&scenario(Strategy::CityExclusive, "long_term"), 60);
        assert!(rings(&w) > 0);
    }

    #[test]
    fn section7_expansion_services_are_on_the_discounted_contract() {
        use crate::ids::N_SEG;
        use crate::month::Shared;
        use crate::pricing::ring_factor;
        // Traditional distribution: several resellers per city, so
        // intra-brand cuts apply; a high expansion rate, so many climb.
        let mut sc = scenario(Strategy::Traditional, "long_term");
        sc.params.expansion_rate = 0.5;
        let (world, mut st) = stepped(&sc, 24);
        let p = &sc.params;
        let rf = ring_factor(p.ring_growth);
        let (mut want, mut got, mut cut) = (0.0f64, 0.0f64, 0);
        for (c, tally) in world.cities.iter().zip(st.scratch.tallies.iter_mut()) {
            tally.reset(c.slots.len(), world.vendors.len());
            let mut city = c.clone();
            let w = Shared {
                sc: &sc,
                units: &world.units,
                vendors: &world.vendors,
                seed: world.seed,
                replicate: world.replicate,
                month: world.month,
            };
            super::city(&mut city, tally, &w);
            for seg in 0..N_SEG {
                for i in c.blocks[seg].active_range() {
                    let r = c.ring[i] as usize;
                    if city.ring[i] as usize != r + 1 {
                        continue;
                    }
                    let v = &tally.views[c.slot[i] as usize];
                    let d = v.discount_at(c.unit_tenure[i]);
                    cut += (d > 0.0) as u32;
                    let price = (v.price * (1.0 - d)) as f64;
                    want +=
                        p.services_expansion * p.base_acv[seg] * price * (rf[r + 1] - rf[r]) as f64;
                }
            }
            got += tally.slots.iter().map(|t| t.services).sum::<f64>();
        }
        assert!(cut > 0, "some climbing customers had an intra-brand cut");
        assert!(
            (got - want).abs() <= 1e-5 * want,
            "services {got} vs discounted growth {want}"
        );
    }
}
