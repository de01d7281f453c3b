//! Phase 4, service: each active customer's satisfaction moves towards the
//! quality of service it gets, a need-weighted mean of product quality,
//! expertise (less overload), proximity, attention, app fit and value for
//! money. Then each vendor's reputation in the city follows its customers'
//! mean satisfaction.

use crate::ids::N_SEG;
use crate::params::Scenario;
use crate::step::Scratch;
use crate::tally::CityTally;
use crate::views::UnitView;
use crate::world::{City, World};
use rayon::prelude::*;

pub fn run(world: &mut World, sc: &Scenario, s: &mut Scratch) {
    world
        .cities
        .par_iter_mut()
        .zip(s.tallies.par_iter_mut())
        .for_each(|(city, tally)| serve_city(city, tally, sc));
}

/// Ring factor (1 + g)^r of the contract value.
#[inline]
pub fn ring_factor(g: f64) -> [f32; 5] {
    std::array::from_fn(|r| (1.0 + g).powi(r as i32) as f32)
}

/// Share of the vendor price the customer is let off by intra-brand rivalry.
#[inline]
pub fn discount_of(v: &UnitView, unit_tenure: u16) -> f32 {
    let share = if unit_tenure < 12 {
        v.share_first
    } else {
        v.share_renew
    };
    v.discount.min(share)
}

/// Service quality q_s of one customer (MODEL.md section 7), in [0, 1].
#[inline]
pub fn service_quality(
    w: &[f32; 6],
    needs: [f32; 4],
    v: &UnitView,
    ind: usize,
    price_paid: f32,
) -> f32 {
    let [prox, exp, comp, price] = needs;
    let value = 1.0 - 0.5 * price_paid;
    let num = w[0] * v.quality
        + w[1] * exp * v.k_eff[ind] * (1.0 - v.overload)
        + w[2] * prox * v.local
        + w[3] * comp * v.attention
        + w[4] * v.app_fit[ind]
        + w[5] * price * value;
    let den = w[0] + w[1] * exp + w[2] * prox + w[3] * comp + w[4] + w[5] * price;
    (num / den).clamp(0.0, 1.0)
}

fn serve_city(city: &mut City, tally: &mut CityTally, sc: &Scenario) {
    let p = &sc.params;
    let sv = &tally.views;
    let w: [f32; 6] = p.service_weights.map(|x| x as f32);
    let rf = ring_factor(p.ring_growth);
    let rate = p.satisfaction_rate as f32;
    let wtp = p.surplus_wtp as f32;
    const Q: f32 = 1.0 / 255.0;
    for seg in 0..N_SEG {
        let base = p.base_acv[seg] as f32 / 12.0;
        for i in city.blocks[seg].active_range() {
            let slot = city.slot[i] as usize;
            let v = &sv[slot];
            let n = city.needs[i];
            let needs = [
                n[0] as f32 * Q,
                n[1] as f32 * Q,
                n[2] as f32 * Q,
                n[3] as f32 * Q,
            ];
            let price_paid = v.price * (1.0 - discount_of(v, city.unit_tenure[i]));
            let q = service_quality(&w, needs, v, city.industry[i] as usize, price_paid);
            let s = city.sat[i] + rate * (q - city.sat[i]);
            city.sat[i] = s;
            let list = base * rf[city.ring[i] as usize];
            let t = &mut tally.slots[slot];
            t.sat_sum += s as f64;
            t.served += 1;
            t.surplus += (wtp * q * list - list * price_paid) as f64;
        }
    }
    // Reputation: exponential average of the vendor's customers' satisfaction.
    for (k, t) in tally.slots.iter().enumerate() {
        let v = sv[k].vendor as usize;
        tally.vendor_sat[v].0 += t.sat_sum;
        tally.vendor_sat[v].1 += t.served;
    }
    let rw = p.reputation_weight as f32;
    for (v, &(sum, n)) in tally.vendor_sat.iter().enumerate() {
        if n > 0 {
            let mean = (sum / n as f64) as f32;
            city.reputation[v] += rw * (mean - city.reputation[v]);
        }
    }
}
