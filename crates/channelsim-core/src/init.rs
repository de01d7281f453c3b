//! Month 0: the market's enterprises, the vendors and their first units.

use crate::ids::{CityId, N_IND, N_SEG, SegMask, Strategy, UnitId, UnitKind, VendorId};
use crate::params::Scenario;
use crate::rng::{BetaMean, Phase, Stream};
use crate::world::{City, Ledger, SegBlock, Unit, Vendor, World};

/// Build the world of one replicate. The market (enterprises, their
/// industries and needs) depends only on the scenario seed and replicate,
/// so variants of a scenario meet the same enterprises.
pub fn build_world(sc: &Scenario, replicate: u32) -> World {
    let p = &sc.params;
    let vendors: Vec<Vendor> = sc
        .vendors
        .iter()
        .enumerate()
        .map(|(i, vs)| {
            let q0 = p.start_quality;
            let d0 = -p.rd_scale * (1.0 - (q0 - p.quality_floor) / p.quality_span).ln();
            Vendor {
                id: VendorId(i as u32),
                policy: vs.policy.clone(),
                managers: vs.policy.managers,
                quality: q0,
                rd_stock: d0,
                cash: 0.0,
                cum_profit: 0.0,
                npv: 0.0,
                quarter_revenue: 0.0,
                last_quarter_revenue: 0.0,
                prev_quarter_revenue: 0.0,
                rd_history: [0.0; 12],
                rd_cut_until: 0,
                misses: 0,
                mgmt_demand: 0.0,
                units_created: 0,
                units_exited: 0,
            }
        })
        .collect();
    // Need weights by segment: proximity, expertise, companionship, price.
    let need_beta: [[BetaMean; 4]; N_SEG] = std::array::from_fn(|s| {
        [
            p.need_prox[s],
            p.need_exp[s],
            p.need_comp[s],
            p.need_price[s],
        ]
        .map(|m| BetaMean::new(m, p.need_concentration))
    });
    let cities = sc
        .market
        .cities
        .iter()
        .enumerate()
        .map(|(c, spec)| {
            let mut rng = Stream::new(sc.seed, replicate, 0, c as u32, Phase::Init);
            let sizes = sc.market.segment_sizes(spec);
            let n: usize = sizes.iter().map(|&s| s as usize).sum();
            let mut city = City {
                id: CityId(c as u32),
                tier: spec.tier,
                industry: Vec::with_capacity(n),
                needs: Vec::with_capacity(n),
                ring: vec![0; n],
                slot: vec![0; n],
                sat: vec![0.0; n],
                tenure: vec![0; n],
                unit_tenure: vec![0; n],
                paid: vec![0.0; n],
                reputation: vec![p.start_reputation as f32; vendors.len()],
                warm_left: vec![[0; N_SEG]; vendors.len()],
                ..Default::default()
            };
            let wsum: f64 = sc.market.industry_weights.iter().sum();
            let mut start = 0u32;
            for (s, &len) in sizes.iter().enumerate() {
                city.blocks[s] = SegBlock {
                    start,
                    len,
                    active: 0,
                    lost: 0,
                };
                start += len;
                for _ in 0..len {
                    let mut u = rng.uniform() * wsum;
                    let mut ind = N_IND - 1;
                    for (k, w) in sc.market.industry_weights.iter().enumerate() {
                        if u < *w {
                            ind = k;
                            break;
                        }
                        u -= w;
                    }
                    city.industry.push(ind as u8);
                    let q = |rng: &mut Stream, b: &BetaMean| (b.sample(rng) * 255.0).round() as u8;
                    city.needs.push([
                        q(&mut rng, &need_beta[s][0]),
                        q(&mut rng, &need_beta[s][1]),
                        q(&mut rng, &need_beta[s][2]),
                        q(&mut rng, &need_beta[s][3]),
                    ]);
                }
            }
            city
        })
        .collect();
    let mut world = World {
        month: 0,
        seed: sc.seed,
        replicate,
        cities,
        units: Vec::new(),
        vendors,
        apps: Vec::new(),
        ledger: Ledger::default(),
    };
    for v in 0..sc.vendors.len() {
        open_units(&mut world, sc, VendorId(v as u32), false);
    }
    // Warm accounts of joint ventures (a share of the city's large and
    // strategic firms, known to the local partner).
    for c in 0..world.cities.len() {
        let tier = world.cities[c].tier;
        for (v, vs) in sc.vendors.iter().enumerate() {
            for seg in 2..N_SEG {
                if vs.mix.get(tier, seg) == Some(Strategy::JointVenture) {
                    let len = world.cities[c].blocks[seg].len as f64;
                    world.cities[c].warm_left[v][seg] = (len * p.warm_share).round() as u32;
                }
            }
        }
    }
    world
}

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
        trust: if kind.owned() { 1.0 } else { p.start_trust },
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
    });
    world.vendors[v.idx()].units_created += 1;
    if let Some(c) = city {
        world.cities[c.idx()].slots.push(id);
    }
    id
}
