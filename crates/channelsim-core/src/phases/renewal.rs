//! Phase 6, renewal and churn. At each 12-month anniversary a customer
//! leaves with a probability that falls with satisfaction and with the ring
//! it has reached (lock-in); where rival units of the same vendor share the
//! city, a staying customer may move to one of them. Lost customers return
//! to the prospect pool after a year. (Customers of units that died are
//! re-homed by [`crate::rehome`], in the policy phase.)

use crate::eligibility::eligible;
use crate::ids::{N_RING, N_SEG};
use crate::kinds::KindId;
use crate::month::Shared;
use crate::params::Scenario;
use crate::rehome::move_customer;
use crate::rng::Stream;
use crate::schedule::Phase;
use crate::tally::CityTally;
use crate::world::City;

/// A renewal's working buffers.
#[derive(Default)]
struct Bufs {
    /// Each slot as a unit a customer could move to.
    rivals: Vec<Rival>,
    /// Eligible slots grouped by vendor and kind.
    takers: Vec<u32>,
}

thread_local! {
    /// This thread's working buffers, reused city after city and month
    /// after month (their contents do not outlive a city).
    static BUFS: std::cell::RefCell<Bufs> = Default::default();
}

/// Phase 6 in one city.
pub fn city(city: &mut City, tally: &mut CityTally, w: &Shared) {
    let mut rng = Stream::new(w.seed, w.replicate, w.month, city.id.0, Phase::Renewal);
    BUFS.with_borrow_mut(|b| renew_city(city, tally, b, w, &mut rng))
}

/// The annual churn rule, base_churn(segment) x exp(-4 (S - 0.6)) x
/// (1 - lock(r)), capped; its per-segment and per-ring parts worked out
/// once (the same values, in the same order of operations, as written out).
pub struct Churn {
    base: [f64; N_SEG],
    /// 1 - lock(r), lock(r) = 1 - 0.85^r.
    unlocked: [f64; N_RING],
    sensitivity: f64,
    cap: f64,
}

impl Churn {
    pub fn new(sc: &Scenario) -> Churn {
        let p = &sc.params;
        Churn {
            base: p.base_churn,
            unlocked: std::array::from_fn(|r| 1.0 - (1.0 - p.lock_base.powi(r as i32))),
            sensitivity: p.churn_sensitivity,
            cap: p.churn_cap,
        }
    }

    /// Annual churn probability at a renewal.
    #[inline]
    pub fn prob(&self, seg: usize, sat: f32, ring: u8) -> f32 {
        (self.base[seg]
            * (-self.sensitivity * (sat as f64 - 0.6)).exp()
            * self.unlocked[ring as usize])
            .min(self.cap) as f32
    }
}

/// Is a customer of this tenure at a 12-month anniversary?
#[inline]
fn due(tenure: u16) -> bool {
    (tenure != 0) & tenure.is_multiple_of(12)
}

/// Bit j set if customer j of `tenure` (at most 64) is due.
#[inline]
fn due_mask(tenure: &[u16]) -> u64 {
    if let Ok(t) = <&[u16; 64]>::try_from(tenure) {
        // A byte flag per customer (vector compares), then the mask.
        let flags: [u8; 64] = std::array::from_fn(|j| due(t[j]) as u8);
        return crate::lanes::flag_bits(&flags);
    }
    let mut mask = 0u64;
    for (j, &t) in tenure.iter().enumerate() {
        mask |= (due(t) as u64) << j;
    }
    mask
}

/// Each segment of the city: its lost customers a year gone return to
/// the pool, then every customer at an anniversary renews or churns.
#[inline(never)]
fn renew_city(city: &mut City, tally: &mut CityTally, b: &mut Bufs, w: &Shared, rng: &mut Stream) {
    let Bufs { rivals, takers } = b;
    let churn = Churn::new(w.sc);
    let moves = tally.views.iter().any(|v| v.rivals > 1);
    for seg in 0..N_SEG {
        rivals.clear();
        takers.clear();
        if moves {
            find_rivals(city, w, seg, rivals, takers);
        }
        let ctx = Ctx {
            sc: w.sc,
            churn: &churn,
            rivals,
            takers,
        };
        return_lost(city, seg, w.sc.params.return_after_months);
        renew_due(city, tally, &ctx, rng, seg);
    }
}

/// Who could take a customer that moves: each slot's vendor and kind, and
/// whether it takes segment `seg` here (looked up once), grouped.
fn find_rivals(
    city: &City,
    w: &Shared,
    seg: usize,
    rivals: &mut Vec<Rival>,
    takers: &mut Vec<u32>,
) {
    rivals.extend(city.slots.iter().map(|u| {
        let u = &w.units[u.idx()];
        Rival {
            vendor: u.vendor.0,
            kind: u.kind,
            eligible: eligible(w.vendors, u, city.tier, seg),
            grouped: false,
            start: 0,
            size: 0,
            pos: 0,
        }
    }));
    group_takers(rivals, takers);
}

/// Lost customers `after` months gone return to the prospect pool.
#[inline]
fn return_lost(city: &mut City, seg: usize, after: u32) {
    let lost = city.blocks[seg].lost_range();
    for i in lost.rev() {
        if city.tenure[i] as u32 >= after {
            city.release(seg, i);
        }
    }
}

/// Every active customer of the segment at a 12-month anniversary renews
/// ([`renew`]). From the back: `lose` swaps the last active customer in.
/// About one customer in twelve is due: find them 64 at a time with a bit
/// mask built without branches, then take the set bits from the highest.
#[inline]
fn renew_due(city: &mut City, tally: &mut CityTally, ctx: &Ctx, rng: &mut Stream, seg: usize) {
    let active = city.blocks[seg].active_range();
    let mut end = active.end;
    while end > active.start {
        let start = end.saturating_sub(64).max(active.start);
        let mut mask = due_mask(&city.tenure[start..end]);
        while mask != 0 {
            let j = 63 - mask.leading_zeros() as usize;
            mask &= !(1u64 << j);
            renew(city, tally, ctx, rng, seg, start + j);
        }
        end = start;
    }
}

/// A slot seen as a unit a customer could move to.
#[derive(Clone, Copy, Debug)]
struct Rival {
    vendor: u32,
    kind: KindId,
    eligible: bool,
    grouped: bool,
    /// Where the eligible slots of this slot's vendor and kind stand in
    /// the takers list, how many they are, and this slot's place among
    /// them (if eligible).
    start: u32,
    size: u32,
    pos: u32,
}

/// List the eligible slots grouped by (vendor, kind), each group in slot
/// order, and tell every slot where its group stands: a move then picks
/// its rival by index rather than by two scans of the slots.
fn group_takers(rivals: &mut [Rival], takers: &mut Vec<u32>) {
    for k in 0..rivals.len() {
        let me = rivals[k];
        let same = |r: &Rival| r.vendor == me.vendor && r.kind == me.kind;
        // The first slot of the group (eligible or not) lists it.
        if me.grouped {
            continue;
        }
        let start = takers.len() as u32;
        takers.extend(
            (k..rivals.len())
                .filter(|&j| rivals[j].eligible && same(&rivals[j]))
                .map(|j| j as u32),
        );
        let size = takers.len() as u32 - start;
        for (n, &j) in takers[start as usize..].iter().enumerate() {
            rivals[j as usize].pos = n as u32;
        }
        for r in rivals[k..].iter_mut().filter(|r| same(r)) {
            (r.start, r.size, r.grouped) = (start, size, true);
        }
    }
}

/// What a renewal reads of the rest of the world.
struct Ctx<'a> {
    sc: &'a Scenario,
    churn: &'a Churn,
    /// By slot.
    rivals: &'a [Rival],
    /// Eligible slots grouped by vendor and kind (see `group_takers`).
    takers: &'a [u32],
}

/// One customer's renewal: it churns, or stays and may move to a rival
/// unit of the same vendor.
#[inline]
fn renew(
    city: &mut City,
    tally: &mut CityTally,
    ctx: &Ctx,
    rng: &mut Stream,
    seg: usize,
    i: usize,
) {
    let sc = ctx.sc;
    let p = &sc.params;
    let slot = city.slot[i] as usize;
    if sc.switches.churn && rng.uniform_f32() < ctx.churn.prob(seg, city.sat[i], city.ring[i]) {
        tally.slots[slot].churned += 1;
        city.lose(seg, i);
        return;
    }
    let n = tally.views[slot].rivals;
    if n > 1 && rng.chance(p.intra_move * (n - 1) as f64 / n as f64) {
        move_to_rival(city, ctx, rng, slot, i);
    }
}

/// Move customer `i` of `slot` to another unit of the same vendor and kind
/// that takes its segment, picked uniformly (its group in slot order,
/// itself left out), if there is one.
#[inline]
fn move_to_rival(city: &mut City, ctx: &Ctx, rng: &mut Stream, slot: usize, i: usize) {
    let me = ctx.rivals[slot];
    let count = me.size - me.eligible as u32;
    if count > 0 {
        let pick = rng.below(count);
        let pick = pick + (me.eligible && pick >= me.pos) as u32;
        let k = ctx.takers[(me.start + pick) as usize];
        move_customer(ctx.sc, city, i, k as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takers_group_eligible_slots_by_vendor_and_kind_in_slot_order() {
        let r = |vendor, kind, eligible| Rival {
            vendor,
            kind,
            eligible,
            grouped: false,
            start: 0,
            size: 0,
            pos: 0,
        };
        use crate::ids::UnitKind;
        let (cell, reseller) = (UnitKind::Cell.into(), UnitKind::Reseller.into());
        let mut rivals = vec![
            r(0, reseller, false),
            r(0, cell, true),
            r(0, reseller, true),
            r(1, reseller, true),
            r(0, reseller, true),
            r(0, cell, true),
        ];
        let mut takers = Vec::new();
        group_takers(&mut rivals, &mut takers);
        // Groups in order of their first slot: (0, Reseller), (0, Cell), (1, Reseller).
        assert_eq!(takers, vec![2, 4, 1, 5, 3]);
        let g = |k: usize| (rivals[k].start, rivals[k].size);
        assert_eq!([g(0), g(2), g(4)], [(0, 2); 3]);
        assert_eq!([g(1), g(5)], [(2, 2); 2]);
        assert_eq!(g(3), (4, 1));
        assert_eq!((rivals[2].pos, rivals[4].pos, rivals[5].pos), (0, 1, 1));
    }

    #[test]
    fn churn_falls_with_satisfaction_and_ring_and_is_capped() {
        let sc = crate::testkit::scenario(crate::ids::Strategy::Traditional, "long_term");
        let c = Churn::new(&sc);
        let p = |seg, s, r| c.prob(seg, s, r);
        assert!(
            (p(0, 0.6, 0) - 0.25).abs() < 1e-6,
            "base churn at S = 0.6, ring 0"
        );
        assert!(p(0, 0.9, 0) < p(0, 0.6, 0) && p(0, 0.6, 0) < p(0, 0.3, 0));
        assert!(p(0, 0.6, 3) < p(0, 0.6, 1));
        assert!((p(0, 0.6, 2) - 0.25 * 0.85f32.powi(2)).abs() < 1e-6);
        assert!(p(0, 0.0, 0) <= 0.95 + 1e-6 && p(3, 1.0, 4) >= 0.0);
    }

    #[test]
    fn due_mask_matches_one_by_one() {
        let mut x = 12345u32;
        for len in [64usize, 63, 5, 0] {
            let t: Vec<u16> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    ((x >> 16) % 40) as u16
                })
                .collect();
            let want = t
                .iter()
                .enumerate()
                .fold(0u64, |m, (j, &t)| m | (due(t) as u64) << j);
            assert_eq!(due_mask(&t), want);
        }
    }
}
