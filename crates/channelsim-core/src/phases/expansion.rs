//! Phase 5, expansion: an active customer climbs one ring of collaboration
//! with probability e S co_creation, where co_creation = capability x local
//! x (1 + app fit): each ring needs local co-creation. The serving unit
//! earns implementation services on the growth of the contract.

use crate::ids::{N_RING, N_SEG};
use crate::params::Scenario;
use crate::phases::service::ring_factor;
use crate::rng::{Phase, Stream};
use crate::step::Scratch;
use crate::tally::CityTally;
use crate::world::{City, World};
use rayon::prelude::*;

pub fn run(world: &mut World, sc: &Scenario, s: &mut Scratch) {
    let (seed, rep, month) = (world.seed, world.replicate, world.month);
    world
        .cities
        .par_iter_mut()
        .zip(s.tallies.par_iter_mut())
        .for_each(|(city, tally)| {
            let mut rng = Stream::new(seed, rep, month, city.id.0, Phase::Expansion);
            expand_city(city, tally, sc, &mut rng)
        });
}

fn expand_city(city: &mut City, tally: &mut CityTally, sc: &Scenario, rng: &mut Stream) {
    let p = &sc.params;
    let sv = &tally.views;
    let rf = ring_factor(p.ring_growth);
    let e = p.expansion_rate as f32;
    let svc = p.services_expansion as f32;
    for seg in 0..N_SEG {
        let base = p.base_acv[seg] as f32;
        for i in city.blocks[seg].active_range() {
            let r = city.ring[i] as usize;
            if r + 1 >= N_RING {
                continue;
            }
            let slot = city.slot[i] as usize;
            let v = &sv[slot];
            let ind = city.industry[i] as usize;
            let co = v.k_eff[ind] * v.local * (1.0 + v.app_fit[ind]);
            let prob = e * city.sat[i] * co;
            if rng.uniform_f32() < prob {
                city.ring[i] = (r + 1) as u8;
                let growth = base * v.price * (rf[r + 1] - rf[r]);
                let fee = svc * growth;
                city.paid[i] += fee;
                let t = &mut tally.slots[slot];
                t.services += fee as f64;
                t.unit_sub += fee as f64;
                t.customer_paid += fee as f64;
            }
        }
    }
}
