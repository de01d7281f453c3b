//! Phase 1, policy: exits, the quarterly review and short-term reactions.
//!
//! Every month: units that decided to exit, and partners whose trust fell
//! below the threshold (with some probability), leave. Every third month
//! each vendor reviews its quarter: it terminates units losing money past
//! its `patience`, and on a missed growth target fires its reactions
//! (squeeze, poach, dilute, R&D cut), each of which costs trust. Customers
//! of units that left are re-homed (phase 6's rule) before anyone is served.

use crate::ids::{CityId, N_SEG, UnitId, VendorId};
use crate::kinds::KindId;
use crate::month::Scratch;
use crate::params::{Scenario, SqueezeTrust};
use crate::rehome::{move_customer, rehome_orphans};
use crate::rng::{NO_CITY, Stream};
use crate::schedule::Phase;
use crate::units::{kill, open_units, spawn_unit};
use crate::world::{City, World};

pub fn run(world: &mut World, sc: &Scenario, s: &mut Scratch) {
    let month = world.month;
    let mut rng = Stream::new(world.seed, world.replicate, month, NO_CITY, Phase::Policy);
    for u in world.units.iter_mut() {
        u.hurt = false;
    }
    exits(world, sc, &mut rng);
    if month > 0 && month.is_multiple_of(3) {
        for v in 0..world.vendors.len() {
            review(world, sc, VendorId(v as u32), &mut rng);
        }
    }
    s.grow_tallies(world);
    rehome_orphans(world, sc, &mut s.tallies);
}

/// Units that decided to exit leave, and partners whose trust fell below
/// `trust_leave_below` leave with probability `trust_leave_prob`, less
/// what the vendor's equity binds them (B3). An owned unit cannot leave
/// its owner, whatever its trust.
fn exits(world: &mut World, sc: &Scenario, rng: &mut Stream) {
    let p = &sc.params;
    // The units alive when the phase began, in id order (a kill takes one
    // out of the live list).
    for i in world.live.clone().into_iter().map(|id| id.idx()) {
        let u = &world.units[i];
        let kp = p.kinds.get(u.kind);
        let bind = 1.0 - p.equity_bind * kp.equity;
        let leaves = u.exiting
            || (!kp.owned
                && u.trust < p.trust_leave_below
                && rng.chance(p.trust_leave_prob * bind.max(0.0)));
        if leaves {
            kill(world, UnitId(i as u32));
        }
    }
}

/// The quarterly review of one vendor: close the quarter, terminate the
/// units losing money past its patience, react to a missed target, and
/// (a reading) replace the units that died.
fn review(world: &mut World, sc: &Scenario, v: VendorId, rng: &mut Stream) {
    let miss = close_quarter(world, v);
    let pol = world.vendors[v.idx()].policy.clone();
    terminate_losers(world, sc, v, pol.patience);
    if miss {
        let month = world.month;
        world.vendors[v.idx()].misses += 1;
        world.vendors[v.idx()].rd_cut_until = month + 3;
        if pol.squeeze_on_miss > 0.0 {
            squeeze(world, sc, v, pol.squeeze_on_miss);
        }
        if pol.poach_on_miss > 0.0 {
            poach(world, sc, v, pol.poach_on_miss, rng);
        }
        if pol.dilute_on_miss {
            dilute(world, sc, v, rng);
        }
    }
    if sc.model.replace_dead_units {
        open_units(world, sc, v, true);
    }
}

/// Add the quarter's managers, roll the quarter's revenue over, and say
/// whether its growth missed the target (a miss needs a previous quarter
/// with revenue).
fn close_quarter(world: &mut World, v: VendorId) -> bool {
    let vendor = &mut world.vendors[v.idx()];
    vendor.managers += vendor.policy.managers_growth;
    let (prev, cur) = (vendor.last_quarter_revenue, vendor.quarter_revenue);
    vendor.prev_quarter_revenue = prev;
    vendor.last_quarter_revenue = cur;
    vendor.quarter_revenue = 0.0;
    prev > 0.0 && (cur - prev) / prev < vendor.policy.growth_target
}

/// Terminate the vendor's units that lost money for `patience` months or
/// more (not units outside the cities, online: they are the channel
/// itself); its other units in the city lose trust.
fn terminate_losers(world: &mut World, sc: &Scenario, v: VendorId, patience: u32) {
    let p = &sc.params;
    for i in 0..world.units.len() {
        let u = &world.units[i];
        let local = p.kinds.get(u.kind).local;
        if u.alive && u.vendor == v && local && u.loss_months >= patience {
            let city = u.city;
            kill(world, UnitId(i as u32));
            hurt_city(world, sc, v, city, None, p.trust_hit / 3.0);
        }
    }
}

/// Cut a unit's trust by `hit`; its vendor's other partner units in the
/// city lose a third of that (word travels).
fn hurt(world: &mut World, sc: &Scenario, id: UnitId, hit: f64) {
    let (v, city) = {
        let u = &mut world.units[id.idx()];
        u.trust *= 1.0 - hit;
        u.hurt = true;
        (u.vendor, u.city)
    };
    hurt_city(world, sc, v, city, Some(id), hit / 3.0);
}

fn hurt_city(
    world: &mut World,
    sc: &Scenario,
    v: VendorId,
    city: Option<CityId>,
    except: Option<UnitId>,
    hit: f64,
) {
    let Some(c) = city else { return };
    for k in 0..world.cities[c.idx()].slots.len() {
        let id = world.cities[c.idx()].slots[k];
        let u = &mut world.units[id.idx()];
        if u.alive && u.vendor == v && sc.has_trust(u.kind) && Some(id) != except && u.city == city
        {
            u.trust *= 1.0 - hit;
            u.hurt = true;
        }
    }
}

/// Cut every partner unit's shares, never below its base share - 0.10.
fn squeeze(world: &mut World, sc: &Scenario, v: VendorId, by: f64) {
    for i in 0..world.units.len() {
        let u = &mut world.units[i];
        let kp = sc.params.kinds.get(u.kind);
        if !u.alive || u.vendor != v || kp.owned {
            continue;
        }
        let f = (u.share_first - by).max(kp.share_first - 0.10).max(0.0);
        let r = (u.share_renew - by).max(kp.share_renew - 0.10).max(0.0);
        let cut = f < u.share_first || r < u.share_renew;
        u.share_first = f.min(u.share_first);
        u.share_renew = r.min(u.share_renew);
        // Whether a squeeze at the floor (nothing cut) is news: a reading.
        if cut || sc.model.squeeze_trust == SqueezeTrust::EveryMiss {
            hurt(world, sc, UnitId(i as u32), sc.params.trust_hit);
        }
    }
}

/// Move, with probability `prob` per partner unit, one of its large or
/// strategic accounts to the vendor's direct sales desk in the city (none
/// without a desk kind).
fn poach(world: &mut World, sc: &Scenario, v: VendorId, prob: f64, rng: &mut Stream) {
    let Some(desk_kind) = sc.params.kinds.desk() else {
        return;
    };
    for i in 0..world.units.len() {
        let u = &world.units[i];
        let Some(city) = u.city else { continue };
        let owned = sc.params.kinds.get(u.kind).owned;
        if !u.alive || u.vendor != v || owned || u.book[2] + u.book[3] == 0 {
            continue;
        }
        if !rng.chance(prob) {
            continue;
        }
        let id = UnitId(i as u32);
        let c = city.idx();
        let Some(from_slot) = world.cities[c].slots.iter().position(|&x| x == id) else {
            continue;
        };
        let cands = large_accounts(&world.cities[c], from_slot);
        if cands.is_empty() {
            continue;
        }
        let j = cands[rng.below(cands.len() as u32) as usize];
        let desk = direct_desk(world, sc, v, city, desk_kind);
        let to_slot = world.cities[c]
            .slots
            .iter()
            .position(|&x| x == desk)
            .expect("desk is in its city's slots");
        move_customer(sc, &mut world.cities[c], j, to_slot);
        hurt(world, sc, id, sc.params.trust_hit);
    }
}

/// The customers of slot `slot` in the city's large and strategic blocks.
fn large_accounts(city: &City, slot: usize) -> Vec<usize> {
    (2..N_SEG)
        .flat_map(|seg| city.blocks[seg].active_range())
        .filter(|&j| city.slot[j] as usize == slot)
        .collect()
}

/// The vendor's direct-sales desk in the city (a unit of the desk kind,
/// the seed's account team), opened with one staff if it has none.
fn direct_desk(
    world: &mut World,
    sc: &Scenario,
    v: VendorId,
    city: CityId,
    desk: KindId,
) -> UnitId {
    if let Some(u) = world
        .units
        .iter()
        .find(|u| u.alive && u.vendor == v && u.city == Some(city) && u.kind == desk)
    {
        return u.id;
    }
    let segs = sc.params.kinds.get(desk).serves();
    spawn_unit(world, sc, v, Some(city), desk, segs, Some(1))
}

/// Add a competing unit in one city where the vendor's units are not
/// exclusive; the incumbents there are hurt.
fn dilute(world: &mut World, sc: &Scenario, v: VendorId, rng: &mut Stream) {
    let open: Vec<UnitId> = world
        .units
        .iter()
        .filter(|u| {
            u.alive
                && u.vendor == v
                && u.city.is_some()
                && !sc.params.kinds.get(u.kind).owned
                && !sc.exclusive(u.kind)
        })
        .map(|u| u.id)
        .collect();
    if open.is_empty() {
        return;
    }
    let pick = open[rng.below(open.len() as u32) as usize];
    let (city, kind, segs) = {
        let u = &world.units[pick.idx()];
        (u.city, u.kind, u.segments)
    };
    let incumbents: Vec<UnitId> = open
        .iter()
        .copied()
        .filter(|&id| world.units[id.idx()].city == city && world.units[id.idx()].kind == kind)
        .collect();
    spawn_unit(world, sc, v, city, kind, segs, None);
    for id in incumbents {
        let u = &mut world.units[id.idx()];
        u.trust *= 1.0 - sc.params.trust_hit;
        u.hurt = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{Strategy, UnitKind};
    use crate::testkit::{scenario, stepped};

    #[test]
    fn a_squeeze_stops_at_base_share_less_ten_points_and_costs_trust() {
        let sc = scenario(Strategy::Traditional, "short_term");
        let (mut w, _) = stepped(&sc, 1);
        let v = VendorId(0);
        let t0 = w.units[0].trust;
        squeeze(&mut w, &sc, v, 0.05);
        let u = &w.units[0];
        assert!((u.share_first - (0.35 - 0.05 - 0.05)).abs() < 1e-12);
        assert!(
            u.trust < t0 * 0.71,
            "trust {} after a squeeze from {t0}",
            u.trust
        );
        for _ in 0..10 {
            squeeze(&mut w, &sc, v, 0.05);
        }
        let floor = sc.params.kinds.by_name("reseller").unwrap().share_renew - 0.10;
        assert!((w.units[0].share_renew - floor.max(0.0)).abs() < 1e-12);
    }

    #[test]
    fn a_killed_unit_loses_its_customers_to_rehoming() {
        let sc = scenario(Strategy::CityExclusive, "long_term");
        let (mut w, mut st) = stepped(&sc, 30);
        let served = w.units[0].customers();
        assert!(served > 0);
        kill(&mut w, UnitId(0));
        assert!(!w.units[0].alive && w.vendors[0].units_exited == 1);
        st.step(&mut w, &sc);
        // Its customers were re-homed, then its slot dropped from the city.
        let city = &w.cities[w.units[0].city.unwrap().idx()];
        assert!(!city.slots.contains(&UnitId(0)));
        assert!(city.slots.iter().all(|u| w.units[u.idx()].alive));
        let still = city
            .blocks
            .iter()
            .flat_map(|b| b.active_range())
            .filter(|&i| !w.units[city.slots[city.slot[i] as usize].idx()].alive)
            .count();
        assert_eq!(still, 0, "customers still with a dead unit");
    }

    /// Issue 11: a poached account keeps its tenure, and takes its
    /// contract to the desk where it stands ("continues": no second
    /// implementation month); under "restarts" (v1) it starts afresh.
    #[test]
    fn issue11_a_poached_account_keeps_its_contract_unless_it_restarts() {
        use crate::params::MovedCustomer;
        for moved in [MovedCustomer::Continues, MovedCustomer::Restarts] {
            let mut sc = scenario(Strategy::CityExclusive, "short_term");
            sc.model.moved_customer = moved;
            let (mut w, _) = stepped(&sc, 30);
            let before: Vec<(Vec<u16>, Vec<u16>)> = w
                .cities
                .iter()
                .map(|c| (c.slot.clone(), c.tenure.clone()))
                .collect();
            let mut rng = Stream::new(1, 0, 30, NO_CITY, Phase::Policy);
            poach(&mut w, &sc, VendorId(0), 1.0, &mut rng);
            let mut moved_n = 0;
            for (c, (slot, tenure)) in w.cities.iter().zip(&before) {
                for seg in 2..N_SEG {
                    for j in c.blocks[seg].active_range() {
                        if c.slot[j] == slot[j] {
                            continue;
                        }
                        moved_n += 1;
                        assert_eq!(c.tenure[j], tenure[j], "tenure goes on");
                        assert!(tenure[j] >= 1);
                        let want = match moved {
                            MovedCustomer::Continues => tenure[j],
                            MovedCustomer::Restarts => 0,
                        };
                        assert_eq!(c.unit_tenure[j], want, "{moved:?}");
                    }
                }
            }
            assert!(moved_n > 0, "nobody was poached");
        }
    }

    /// Issue 11, reading `squeeze_trust`: at the floor a squeeze cuts no
    /// share; it costs trust under "every_miss" only.
    #[test]
    fn issue11_a_squeeze_at_the_floor_costs_trust_only_under_every_miss() {
        use crate::params::SqueezeTrust;
        for (reading, hurts) in [
            (SqueezeTrust::OnCut, false),
            (SqueezeTrust::EveryMiss, true),
        ] {
            let mut sc = scenario(Strategy::Traditional, "short_term");
            sc.model.squeeze_trust = reading;
            let (mut w, _) = stepped(&sc, 1);
            for _ in 0..10 {
                squeeze(&mut w, &sc, VendorId(0), 0.05);
            }
            let t0 = w.units[0].trust;
            squeeze(&mut w, &sc, VendorId(0), 0.05);
            assert_eq!(w.units[0].trust < t0, hurts, "{reading:?}");
        }
    }

    /// Issue 11, reading `jv_exclusive`: a non-exclusive joint venture can
    /// be diluted (an exclusive one cannot).
    #[test]
    fn issue11_only_a_non_exclusive_joint_venture_is_diluted() {
        for exclusive in [true, false] {
            let mut sc = scenario(Strategy::JointVenture, "short_term");
            sc.model.jv_exclusive = exclusive;
            assert_eq!(sc.exclusive(UnitKind::JointVenture.into()), exclusive);
            let (mut w, _) = stepped(&sc, 1);
            let n = w.units.len();
            let mut rng = Stream::new(1, 0, 1, NO_CITY, Phase::Policy);
            dilute(&mut w, &sc, VendorId(0), &mut rng);
            assert_eq!(w.units.len() > n, !exclusive);
        }
    }

    /// Issue 13: the reading acts through the kind's data (its
    /// `exclusive_by_reading` field), not the kind's name: a scenario's own
    /// exclusive kind follows the reading only when flagged.
    #[test]
    fn issue13_the_exclusivity_reading_is_a_field_of_the_kind() {
        let mut sc = scenario(Strategy::CityExclusive, "long_term");
        sc.model.jv_exclusive = false;
        let city: crate::kinds::KindId = UnitKind::CityPartner.into();
        let jv: crate::kinds::KindId = UnitKind::JointVenture.into();
        assert!(sc.exclusive(city) && !sc.exclusive(jv));
        sc.params
            .kinds
            .by_name_mut("city_partner")
            .unwrap()
            .exclusive_by_reading = true;
        sc.params
            .kinds
            .by_name_mut("joint_venture")
            .unwrap()
            .exclusive_by_reading = false;
        assert!(!sc.exclusive(city) && sc.exclusive(jv));
        sc.model.jv_exclusive = true;
        assert!(sc.exclusive(city) && sc.exclusive(jv));
    }

    /// Issue 11, reading `owned_trust`: owned units start at trust 1 and
    /// stay there ("fixed"), or start at `start_trust` and recover
    /// ("dynamic").
    #[test]
    fn issue11_owned_units_trust_is_fixed_or_dynamic() {
        use crate::params::OwnedTrust;
        for reading in [OwnedTrust::Fixed, OwnedTrust::Dynamic] {
            let mut sc = scenario(Strategy::Amoeba, "long_term");
            sc.model.owned_trust = reading;
            let w0 = crate::init::build_world(&sc, 0);
            let (w, _) = stepped(&sc, 12);
            let branch = |w: &World| {
                w.units
                    .iter()
                    .find(|u| u.kind == UnitKind::Branch)
                    .map(|u| u.trust)
                    .unwrap()
            };
            match reading {
                OwnedTrust::Fixed => assert_eq!((branch(&w0), branch(&w)), (1.0, 1.0)),
                OwnedTrust::Dynamic => {
                    assert_eq!(branch(&w0), sc.params.start_trust);
                    assert!(branch(&w) > branch(&w0) && branch(&w) < 1.0);
                }
            }
        }
    }
}
