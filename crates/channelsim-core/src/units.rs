//! The life of a unit: how many a strategy keeps in a city, opening them
//! with their kind's starting state, and closing one.

use crate::ids::{CityId, N_IND, N_SEG, SegMask, Strategy, UnitId, UnitKind, VendorId};
use crate::params::Scenario;
use crate::world::{City, Unit, World};

/// How many units of a strategy a vendor keeps in a city.
pub fn target_units(sc: &Scenario, city: &City, s: Strategy) -> u32 {
    let p = &sc.params;
    match s {
        Strategy::Traditional => p.resellers_per_city,
        Strategy::Abu => {
            let ls = city.blocks[2].len + city.blocks[3].len;
            if ls >= p.abu_two_at {
                2
            } else if ls >= p.abu_one_at {
                1
            } else {
                0
            }
        }
        Strategy::Online => 0,
        _ => 1,
    }
}

/// Open the units a vendor's strategy calls for. With `replace_only`, open
/// only what is missing (replacements for units that died).
pub fn open_units(world: &mut World, sc: &Scenario, v: VendorId, replace_only: bool) {
    let mix = sc.vendors[v.idx()].mix;
    // The online unit serves every (tier, segment) the mix gives to online.
    let mut online_segs = SegMask(0);
    for tier in 1..=4u8 {
        online_segs = SegMask(online_segs.0 | mix.segments(tier, Strategy::Online).0);
    }
    if online_segs.0 != 0 {
        let has = world
            .units
            .iter()
            .any(|u| u.vendor == v && u.kind == UnitKind::Online && u.alive);
        if !has {
            let id = spawn_unit(world, sc, v, None, UnitKind::Online, online_segs, None);
            for c in 0..world.cities.len() {
                let tier = world.cities[c].tier;
                if mix.segments(tier, Strategy::Online).0 != 0 {
                    world.cities[c].slots.push(id);
                }
            }
        }
    }
    // Live units of the vendor by city and kind, counted once (replacing
    // opens at most one kind per strategy, so the counts stay valid).
    let mut have = vec![[0u32; UnitKind::ALL.len()]; world.cities.len()];
    if replace_only {
        for u in world.units.iter().filter(|u| u.alive && u.vendor == v) {
            if let Some(c) = u.city {
                have[c.idx()][u.kind as usize] += 1;
            }
        }
    }
    let strategies = mix.strategies();
    for (c, have) in have.iter().enumerate() {
        let tier = world.cities[c].tier;
        for &s in &strategies {
            if s == Strategy::Online {
                continue;
            }
            let segs = mix.segments(tier, s);
            let segs = if s == Strategy::Abu {
                SegMask(segs.0 & 0b1100)
            } else {
                segs
            };
            if segs.0 == 0 {
                continue;
            }
            let target = target_units(sc, &world.cities[c], s);
            for _ in have[s.kind() as usize]..target {
                spawn_unit(world, sc, v, Some(CityId(c as u32)), s.kind(), segs, None);
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
    kind: UnitKind,
    segments: SegMask,
    staff: Option<u32>,
) -> UnitId {
    let p = &sc.params;
    let kp = p.kinds.get(kind);
    let policy = &world.vendors[v.idx()].policy;
    let (share_first, share_renew) = if kind.owned() {
        (1.0, 1.0)
    } else {
        (
            (kp.share_first + policy.share_shift).clamp(0.0, 1.0),
            (kp.share_renew + policy.share_shift).clamp(0.0, 1.0),
        )
    };
    let staff = staff.unwrap_or(kp.start_staff);
    // Owned units hold no cash of their own: the vendor consolidates them.
    let cash = if kind.owned() {
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
    world.vendors[u.vendor.idx()].units_exited += 1;
}
