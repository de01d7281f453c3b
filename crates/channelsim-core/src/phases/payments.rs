//! Phase 7, payments and unit economics. Customers pay ACV/12 a month (less
//! any intra-brand discount) plus implementation services when a unit takes
//! them on; the unit books its share, the vendor the rest. Each unit then
//! pays wages and its own training; the vendor takes its equity share of a
//! partner's positive profit and consolidates its owned units.

use crate::ids::{N_IND, N_SEG, UnitKind};
use crate::params::Scenario;
use crate::phases::service::{discount_of, ring_factor};
use crate::step::Scratch;
use crate::tally::CityTally;
use crate::views::NO_SRC;
use crate::world::{City, World};
use rayon::prelude::*;

pub fn run(world: &mut World, sc: &Scenario, s: &mut Scratch) {
    world
        .cities
        .par_iter_mut()
        .zip(s.tallies.par_iter_mut())
        .for_each(|(city, tally)| pay_city(city, tally, sc));
    book(world, sc, s);
}

fn pay_city(city: &mut City, tally: &mut CityTally, sc: &Scenario) {
    let p = &sc.params;
    let sv = &tally.views;
    let rf = ring_factor(p.ring_growth);
    let svc = p.services_first_year * 12.0;
    for seg in 0..N_SEG {
        let base = p.base_acv[seg] / 12.0;
        for i in city.blocks[seg].active_range() {
            let slot = city.slot[i] as usize;
            let v = &sv[slot];
            let r = city.ring[i] as usize;
            let ind = city.industry[i] as usize;
            let ut = city.unit_tenure[i];
            // Money in f64 so that what customers pay and what is booked agree.
            let share = if ut < 12 {
                v.share_first
            } else {
                v.share_renew
            } as f64;
            let d = discount_of(v, ut) as f64;
            let gross = base * v.price as f64 * rf[r] as f64;
            let pay = gross * (1.0 - d);
            let services = if ut == 0 { svc * pay } else { 0.0 };
            city.paid[i] += (pay + services) as f32;
            city.tenure[i] = city.tenure[i].saturating_add(1);
            city.unit_tenure[i] = ut.saturating_add(1);
            let t = &mut tally.slots[slot];
            t.unit_sub += gross * (share - d) + services;
            t.vendor_sub += gross * (1.0 - share);
            t.services += services;
            t.customer_paid += pay + services;
            t.arr += pay * 12.0;
            t.book[seg] += 1;
            t.book_ind[ind] += 1;
            t.rings[r] += 1;
            if v.app_src[ind] != NO_SRC {
                t.foreign_sub[ind] += gross;
            }
            if v.app_fit[ind] > 0.0 {
                t.apps_in_use += 1;
            }
        }
        for i in city.blocks[seg].lost_range() {
            city.tenure[i] = city.tenure[i].saturating_add(1);
        }
    }
}

/// Reduce the city tallies into units and vendors, in id order.
fn book(world: &mut World, sc: &Scenario, s: &mut Scratch) {
    let p = &sc.params;
    for u in world.units.iter_mut() {
        u.book = [0; N_SEG];
        u.book_ind = [0; N_IND];
    }
    for (city, tally) in world.cities.iter().zip(&s.tallies) {
        for (k, t) in tally.slots.iter().enumerate() {
            let uid = city.slots[k];
            let u = &mut world.units[uid.idx()];
            for seg in 0..N_SEG {
                u.book[seg] += t.book[seg];
            }
            for ind in 0..N_IND {
                u.book_ind[ind] += t.book_ind[ind];
            }
            let uf = &mut s.unit_flows[uid.idx()];
            uf.revenue += t.unit_sub;
            let vf = &mut s.vendor_flows[u.vendor.idx()];
            vf.share_revenue += t.vendor_sub;
            vf.new += t.new;
            vf.churned += t.churned;
            vf.surplus += t.surplus;
            for ind in 0..N_IND {
                if t.foreign_sub[ind] > 0.0 {
                    let src = s.views[uid.idx()].app_src[ind] as usize;
                    let r = p.royalty * t.foreign_sub[ind];
                    s.unit_flows[src].royalties_in += r;
                    s.vendor_flows[world.units[src].vendor.idx()].royalties += r;
                }
            }
            let l = &mut world.ledger;
            l.customer_paid += t.customer_paid;
            l.unit_booked += t.unit_sub;
            l.vendor_booked += t.vendor_sub;
        }
    }
    for (i, u) in world.units.iter_mut().enumerate() {
        if !u.alive {
            continue;
        }
        let uf = &mut s.unit_flows[i];
        let wage = if u.kind == UnitKind::Branch {
            p.wage * p.branch_wage_factor
        } else {
            p.wage
        };
        uf.wages = wage * u.staff as f64;
        uf.training = u.own_training;
        uf.profit = uf.revenue + uf.royalties_in - uf.wages - uf.training;
        let vf = &mut s.vendor_flows[u.vendor.idx()];
        let mut external = uf.wages + uf.training;
        if u.kind.owned() {
            let incentive = if u.kind == UnitKind::Branch {
                p.branch_incentive * uf.profit.max(0.0)
            } else {
                0.0
            };
            external += incentive;
            vf.owned_revenue += uf.revenue + uf.royalties_in;
            vf.owned_costs += uf.wages + uf.training + incentive;
        } else {
            let div = p.kinds.get(u.kind).equity * uf.profit.max(0.0);
            u.cash += uf.profit - div;
            vf.dividends += div;
        }
        world.ledger.external_costs += external;
        vf.unit_profit_total += uf.profit;
        u.last_profit = uf.profit;
        u.months_alive += 1;
        // A unit is judged on its losses only after its first year.
        if uf.profit < 0.0 && u.months_alive > p.grace_months {
            u.loss_months += 1;
        } else {
            u.loss_months = 0;
        }
    }
}
