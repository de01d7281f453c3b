//! Phase 4, service: each active customer's satisfaction moves towards the
//! quality of service it gets, a need-weighted mean of product quality,
//! expertise (less overload), proximity, attention, app fit and value for
//! money. Then each vendor's reputation in the city follows its customers'
//! mean satisfaction.
//!
//! Speed: everything in the formula that does not depend on the customer is
//! worked out once per (slot, industry, terms) and city-month ([`Fig`]); the
//! weighted needs come from 256-entry tables. Both give the very same f32
//! values, in the same order of operations, as the formula written out.

use crate::ids::{N_IND, N_RING, N_SEG};
use crate::params::Scenario;
use crate::step::Scratch;
use crate::tally::CityTally;
use crate::views::UnitView;
use crate::world::{City, World};
use rayon::prelude::*;

pub fn run(world: &mut World, sc: &Scenario, s: &mut Scratch) {
    let k = Consts::new(sc);
    world
        .cities
        .par_iter_mut()
        .zip(s.tallies.par_iter_mut())
        .for_each(|(city, tally)| serve_city(city, tally, &k));
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

/// The month's constants: weights, and each need times its weight for the
/// 256 quantised need levels (`w x need`, the product the formula uses).
pub struct Consts {
    w: [f32; 6],
    /// w[1] x expertise, w[2] x proximity, w[3] x companionship, w[5] x price.
    exp: [f32; 256],
    prox: [f32; 256],
    comp: [f32; 256],
    price: [f32; 256],
    rate: f32,
    wtp: f32,
    /// Weight of this month in the reputation average.
    rw: f32,
    /// Monthly list price by segment and ring: base ACV / 12 x (1 + g)^r.
    list: [[f32; N_RING]; N_SEG],
}

impl Consts {
    pub fn new(sc: &Scenario) -> Consts {
        let p = &sc.params;
        let w: [f32; 6] = p.service_weights.map(|x| x as f32);
        const Q: f32 = 1.0 / 255.0;
        let table = |wi: f32| std::array::from_fn(|n| wi * (n as f32 * Q));
        let rf = ring_factor(p.ring_growth);
        Consts {
            w,
            exp: table(w[1]),
            prox: table(w[2]),
            comp: table(w[3]),
            price: table(w[5]),
            rate: p.satisfaction_rate as f32,
            wtp: p.surplus_wtp as f32,
            rw: p.reputation_weight as f32,
            list: std::array::from_fn(|seg| {
                let base = p.base_acv[seg] as f32 / 12.0;
                rf.map(|f| base * f)
            }),
        }
    }
}

/// What a customer's service quality takes from its unit, for one
/// (slot, industry, terms): first-year or renewal terms set the price paid.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fig {
    /// w[0] x product quality.
    quality: f32,
    k_eff: f32,
    /// 1 - overload.
    room: f32,
    local: f32,
    attention: f32,
    /// w[4] x app fit.
    app: f32,
    /// Value for money, 1 - 0.5 x price paid.
    value: f32,
    /// Price paid relative to the list price.
    price_paid: f32,
}

impl Fig {
    fn new(k: &Consts, v: &UnitView, ind: usize, unit_tenure: u16) -> Fig {
        let price_paid = v.price * (1.0 - discount_of(v, unit_tenure));
        Fig {
            quality: k.w[0] * v.quality,
            k_eff: v.k_eff[ind],
            room: 1.0 - v.overload,
            local: v.local,
            attention: v.attention,
            app: k.w[4] * v.app_fit[ind],
            value: 1.0 - 0.5 * price_paid,
            price_paid,
        }
    }
}

/// Index of a (slot, industry, renewal terms) figure.
#[inline]
fn fig_index(slot: usize, ind: usize, unit_tenure: u16) -> usize {
    (slot * N_IND + ind) * 2 + (unit_tenure >= 12) as usize
}

/// Service quality q_s of one customer (MODEL.md section 7), in [0, 1]:
/// (w0 Q + w1 exp k_eff (1 - overload) + w2 prox local + w3 comp attention
/// + w4 app_fit + w5 price value) / (w0 + w1 exp + w2 prox + w3 comp + w4
/// + w5 price), with `needs` the customer's weighted needs
/// [w2 prox, w1 exp, w3 comp, w5 price].
#[inline]
pub fn service_quality(w: &[f32; 6], needs: [f32; 4], f: &Fig) -> f32 {
    let [prox, exp, comp, price] = needs;
    let num = f.quality
        + exp * f.k_eff * f.room
        + prox * f.local
        + comp * f.attention
        + f.app
        + price * f.value;
    let den = w[0] + exp + prox + comp + w[4] + price;
    (num / den).clamp(0.0, 1.0)
}

/// Running sums of one slot. Where a city has several slots, it keeps
/// `BANKS` interleaved copies, so that consecutive customers of the same
/// slot do not wait on each other's additions (summed in bank order at the
/// end); where it has one, the sums stay in registers.
#[derive(Clone, Copy, Debug, Default)]
pub struct Acc {
    sat: f64,
    surplus: f64,
    served: u32,
}

impl Acc {
    #[inline]
    fn add(&mut self, sat: f32, surplus: f32) {
        self.sat += sat as f64;
        self.surplus += surplus as f64;
        self.served += 1;
    }
}

const BANKS: usize = 4;

#[inline(never)]
fn serve_city(city: &mut City, tally: &mut CityTally, k: &Consts) {
    let sv = &tally.views;
    let nslots = sv.len();
    if city.blocks.iter().all(|b| b.active == 0) {
        return; // nobody to serve: the reputation stands
    }
    let figs = &mut tally.scratch.service;
    figs.clear();
    for v in sv {
        for ind in 0..N_IND {
            figs.push(Fig::new(k, v, ind, 0));
            figs.push(Fig::new(k, v, ind, 12));
        }
    }
    if nslots == 1 {
        let mut a = Acc::default();
        serve_customers(city, figs, k, |_, s, surplus| a.add(s, surplus));
        tally.slots[0].sat_sum += a.sat;
        tally.slots[0].surplus += a.surplus;
        tally.slots[0].served += a.served;
    } else {
        let acc = &mut tally.scratch.service_acc;
        acc.clear();
        acc.resize(nslots * BANKS, Acc::default());
        let mut j = 0usize;
        serve_customers(city, figs, k, |slot, s, surplus| {
            acc[slot * BANKS + (j & (BANKS - 1))].add(s, surplus);
            j += 1;
        });
        for (t, banks) in tally.slots.iter_mut().zip(acc.chunks_exact(BANKS)) {
            for a in banks {
                t.sat_sum += a.sat;
                t.surplus += a.surplus;
                t.served += a.served;
            }
        }
    }
    reputation(city, tally, k)
}

/// Serve every active customer; `tally(slot, satisfaction, surplus)`.
#[inline(always)]
fn serve_customers(city: &mut City, figs: &[Fig], k: &Consts, mut tally: impl FnMut(usize, f32, f32)) {
    for seg in 0..N_SEG {
        let list = &k.list[seg];
        let r = city.blocks[seg].active_range();
        let cols = city.slot[r.clone()]
            .iter()
            .zip(&city.needs[r.clone()])
            .zip(&city.industry[r.clone()])
            .zip(&city.unit_tenure[r.clone()])
            .zip(&city.ring[r.clone()])
            .zip(&mut city.sat[r]);
        for (((((&slot, n), &ind), &ut), &ring), sat) in cols {
            let slot = slot as usize;
            let f = &figs[fig_index(slot, ind as usize, ut)];
            let needs = [
                k.prox[n[0] as usize],
                k.exp[n[1] as usize],
                k.comp[n[2] as usize],
                k.price[n[3] as usize],
            ];
            let q = service_quality(&k.w, needs, f);
            let s = *sat + k.rate * (q - *sat);
            *sat = s;
            let list = list[ring as usize];
            tally(slot, s, k.wtp * q * list - list * f.price_paid);
        }
    }
}

/// Reputation: exponential average of the vendor's customers' satisfaction.
fn reputation(city: &mut City, tally: &mut CityTally, k: &Consts) {
    let sv = &tally.views;
    for (slot, t) in tally.slots.iter().enumerate() {
        let v = sv[slot].vendor as usize;
        tally.vendor_sat[v].0 += t.sat_sum;
        tally.vendor_sat[v].1 += t.served;
    }
    let rw = k.rw;
    for (v, &(sum, n)) in tally.vendor_sat.iter().enumerate() {
        if n > 0 {
            let mean = (sum / n as f64) as f32;
            city.reputation[v] += rw * (mean - city.reputation[v]);
        }
    }
}
