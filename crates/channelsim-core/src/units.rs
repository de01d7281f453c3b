//! The life of a unit: how many of each kind a vendor keeps, opening them
//! with their kind's starting state, and closing one.

use crate::ids::{CityId, N_IND, N_SEG, N_TIER, SegMask, UnitId, VendorId};
use crate::kinds::KindId;
use crate::params::Scenario;
use crate::world::{Unit, World};

/// Open the units a vendor's strategy mix calls for: each kind where the
/// mix gives it segments, for the segments it serves; a kind that is not
/// local once for all cities, a local one `units_in` each city. With
/// `replace_only`, open only what is missing (replacements for units that
/// died).
pub fn open_units(world: &mut World, sc: &Scenario, v: VendorId, replace_only: bool) {
    let kinds = &sc.params.kinds;
    let map = world.vendors[v.idx()].kinds;
    // The segments kind `k` takes in a tier: given to it by the mix, and
    // served by it.
    let segs_of = |tier: u8, k: KindId| -> SegMask {
        let given = (0..N_SEG)
            .filter(|&seg| map[tier as usize - 1][seg] == Some(k))
            .fold(SegMask(0), |m, seg| m.with(seg));
        SegMask(given.0 & kinds.get(k).serves().0)
    };
    let all: Vec<KindId> = (0..kinds.len()).map(|i| KindId(i as u8)).collect();
    for &k in all.iter().filter(|&&k| !kinds.get(k).local) {
        let segs = (1..=N_TIER as u8).fold(SegMask(0), |m, t| SegMask(m.0 | segs_of(t, k).0));
        if segs.0 == 0 {
            continue;
        }
        let has = world
            .units
            .iter()
            .any(|u| u.vendor == v && u.kind == k && u.alive);
        if !has {
            let id = spawn_unit(world, sc, v, None, k, segs, None);
            for c in world.cities.iter_mut() {
                if segs_of(c.tier, k).0 != 0 {
                    c.slots.push(id);
                }
            }
        }
    }
    // Live units of the vendor by city and kind, counted once (a kind's
    // openings in a city do not change another's count).
    let nk = kinds.len();
    let mut have = vec![0u32; world.cities.len() * nk];
    if replace_only {
        for u in world.units.iter().filter(|u| u.alive && u.vendor == v) {
            if let Some(c) = u.city {
                have[c.idx() * nk + u.kind.idx()] += 1;
            }
        }
    }
    for c in 0..world.cities.len() {
        let tier = world.cities[c].tier;
        for &k in all.iter().filter(|&&k| kinds.get(k).local) {
            let segs = segs_of(tier, k);
            if segs.0 == 0 {
                continue;
            }
            let b = &world.cities[c].blocks;
            let target = kinds.get(k).units_in(b[2].len + b[3].len);
            for _ in have[c * nk + k.idx()]..target {
                spawn_unit(world, sc, v, Some(CityId(c as u32)), k, segs, None);
            }
        }
    }
}

/// Create a unit with its kind's starting state; local units join their
/// city's slots. `staff` overrides the kind's starting staff.
pub fn spawn_unit(
    world: &mut World,
    sc: &Scenario,
    v: VendorId,
    city: Option<CityId>,
    kind: KindId,
    segments: SegMask,
    staff: Option<u32>,
) -> UnitId {
    let p = &sc.params;
    let kp = p.kinds.get(kind);
    let policy = &world.vendors[v.idx()].policy;
    let (share_first, share_renew) = if kp.owned {
        (1.0, 1.0)
    } else {
        (
            (kp.share_first + policy.share_shift).clamp(0.0, 1.0),
            (kp.share_renew + policy.share_shift).clamp(0.0, 1.0),
        )
    };
    let staff = staff.unwrap_or(kp.start_staff);
    // Owned units hold no cash of their own: the vendor consolidates them.
    let cash = if kp.owned {
        0.0
    } else {
        p.start_cash_months * p.wage * staff as f64
    };
    world.ledger.capital_in += cash;
    world.vendors[v.idx()].partner_capital += cash;
    let id = UnitId(world.units.len() as u32);
    world.units.push(Unit {
        id,
        vendor: v,
        city,
        kind,
        segments,
        staff,
        start_staff: staff,
        capability: [kp.start_capability as f32; N_IND],
        cash,
        trust: if sc.has_trust(kind) {
            p.start_trust
        } else {
            1.0
        },
        months_alive: 0,
        loss_months: 0,
        low_cash_months: 0,
        share_first,
        share_renew,
        alive: true,
        exiting: false,
        month_died: None,
        apps_built: 0,
        hurt: false,
        book: [0; N_SEG],
        book_ind: [0; N_IND],
        load: 0.0,
        last_profit: 0.0,
        own_training: 0.0,
        growth_fund: 0.0,
    });
    world.live.push(id); // the largest id yet: the list stays sorted
    world.vendors[v.idx()].units_created += 1;
    if let Some(c) = city {
        world.cities[c.idx()].slots.push(id);
    }
    id
}

/// A unit leaves: its customers are re-homed by [`crate::rehome::rehome_orphans`].
pub fn kill(world: &mut World, id: UnitId) {
    let u = &mut world.units[id.idx()];
    if !u.alive {
        return;
    }
    u.alive = false;
    u.exiting = false;
    u.month_died = Some(world.month);
    // Its customers are re-homed before anyone is served: its book is
    // empty from now on (the month's booking visits only the units alive
    // when the month began and those opened since).
    (u.book, u.book_ind) = ([0; N_SEG], [0; N_IND]);
    world.vendors[u.vendor.idx()].units_exited += 1;
    if let Ok(k) = world.live.binary_search(&id) {
        world.live.remove(k);
    }
}

#[cfg(test)]
mod tests {
    use crate::ids::{N_IND, Strategy, UnitId};
    use crate::testkit::{scenario, stepped};

    /// Issue 15: the live list is the units alive, by id, as units open
    /// (cells split, replacements) and die.
    #[test]
    fn issue15_the_live_list_is_the_alive_units_in_id_order() {
        let mut sc = scenario(Strategy::TeamReplication, "long_term");
        sc.params.bass_p = 0.05;
        let (mut w, mut st) = stepped(&sc, 24);
        let opened = w.units.len();
        for id in [UnitId(1), UnitId(3), UnitId(3)] {
            super::kill(&mut w, id);
        }
        for _ in 0..36 {
            st.step(&mut w, &sc);
        }
        let alive: Vec<UnitId> = w.units.iter().filter(|u| u.alive).map(|u| u.id).collect();
        assert_eq!(w.live, alive);
        assert!(!w.live.contains(&UnitId(1)) && !w.live.contains(&UnitId(3)));
        // Killed between months, their books are empty as the dead's are.
        let dead = w.units.iter().filter(|u| !u.alive);
        assert!(
            dead.clone()
                .all(|u| u.customers() == 0 && u.book_ind == [0; N_IND])
        );
        assert!(w.units.len() > opened, "cells split or were replaced");
    }
}
