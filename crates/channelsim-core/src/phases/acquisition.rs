//! Phase 3, acquisition: in each city and segment, prospects adopt at the
//! Bass-like hazard h = p R + q F; each adopter chooses among the vendors
//! that reach it (or nothing) by a reach-weighted multinomial logit, and is
//! served by that vendor's unit with the most free capacity (randomised).
//! No per-prospect work: the number of adopters is one binomial draw.

use crate::eligibility::eligible;
use crate::ids::N_SEG;
use crate::month::Shared;
use crate::params::Params;
use crate::rng::{Stream, binomial};
use crate::schedule::Phase;
use crate::tally::CityTally;
use crate::views::UnitView;
use crate::world::City;

thread_local! {
    /// This thread's working buffers, reused city after city and month
    /// after month (their contents do not outlive a city).
    static BUFS: std::cell::RefCell<Bufs> = Default::default();
}

/// Phase 3 in one city.
pub fn city(city: &mut City, tally: &mut CityTally, w: &Shared) {
    BUFS.with_borrow_mut(|b| acquire_city(city, tally, b, w))
}

/// Each segment of the city: who can take its new customers and how far
/// each vendor reaches, the warm accounts, then the Bass-like adoption
/// h = p R + q F of the remaining prospects, each adopter choosing a
/// vendor (or nothing).
#[inline(never)]
fn acquire_city(city: &mut City, tally: &mut CityTally, bufs: &mut Bufs, ctx: &Shared) {
    let sc = ctx.sc;
    let p = &sc.params;
    let nv = ctx.vendors.len();
    let outside = p.u_outside.exp();
    let mut rng = Stream::new(
        ctx.seed,
        ctx.replicate,
        ctx.month,
        city.id.0,
        Phase::Acquisition,
    );
    bufs.reset(nv);
    segments_taken(city, ctx, &mut bufs.takers);
    for seg in 0..N_SEG {
        if city.blocks[seg].len == 0 {
            continue;
        }
        candidates(tally, seg, bufs);
        let r_all = reach(city, ctx, seg, bufs);
        if r_all <= 0.0 {
            continue;
        }
        let held = warm_accounts(city, tally, ctx, seg, &bufs.cand, &mut rng);
        let block = city.blocks[seg];
        let pool = block.prospects().saturating_sub(held);
        let f = block.active as f64 / block.len as f64;
        let h = (p.bass_p * r_all + p.bass_q * f).min(1.0);
        let adopters = binomial(&mut rng, pool as u64, h);
        bufs.weight[nv] = if sc.switches.outside_option {
            r_all * outside
        } else {
            0.0
        };
        new_customers(city, tally, ctx, seg, adopters, bufs, &mut rng);
    }
}

/// What the segments' candidates need of each slot's unit, one unit read
/// a slot (not one a segment).
fn segments_taken(city: &City, ctx: &Shared, slots: &mut Vec<Taker>) {
    let p = &ctx.sc.params;
    slots.clear();
    slots.extend(city.slots.iter().map(|&uid| {
        let u = &ctx.units[uid.idx()];
        Taker {
            takes: (0..N_SEG).fold(0u8, |m, seg| {
                m | (eligible(ctx.vendors, u, city.tier, seg) as u8) << seg
            }),
            vendor: u.vendor.idx(),
            local: p.kinds.get(u.kind).local,
            effort: u.staff as f64 * p.effort(u.kind),
        }
    }));
}

/// A slot's unit as a taker of new customers.
#[derive(Clone, Copy, Debug)]
struct Taker {
    /// Bit `seg` set if it takes new customers of `seg`.
    takes: u8,
    vendor: usize,
    local: bool,
    /// Its selling effort: staff x effort (B4).
    effort: f64,
}

/// For segment `seg`: each vendor's slots that take it, the running total
/// of their weights by free capacity (`choose_unit`), its local selling
/// effort (staff x effort, B4) and whether it reaches online.
fn candidates(tally: &CityTally, seg: usize, bufs: &mut Bufs) {
    let Bufs {
        cand,
        cum,
        staff,
        online,
        takers,
        ..
    } = bufs;
    for c in cand.iter_mut() {
        c.clear();
    }
    for c in cum.iter_mut() {
        c.clear();
    }
    staff.fill(0.0);
    online.fill(false);
    for (k, t) in takers.iter().enumerate() {
        if (t.takes >> seg) & 1 == 0 {
            continue;
        }
        cand[t.vendor].push(k);
        let c = &mut cum[t.vendor];
        let w = tally.views[k].free_capacity as f64 + 1.0;
        c.push(c.last().map_or(w, |t| t + w));
        // A unit not in a city reaches online; a local one by its staff.
        if !t.local {
            online[t.vendor] = true;
        } else {
            staff[t.vendor] += t.effort;
        }
    }
}

/// Each vendor's reach R_v of segment `seg` here (local by staff, plus
/// online, scaled by reputation), into `bufs.reach`; returns the reach of
/// all vendors together, 1 - prod(1 - R_v).
fn reach(city: &City, ctx: &Shared, seg: usize, bufs: &mut Bufs) -> f64 {
    let (sc, p) = (ctx.sc, &ctx.sc.params);
    let mut none_reached = 1.0;
    for v in 0..ctx.vendors.len() {
        bufs.reach[v] = if bufs.cand[v].is_empty() {
            0.0
        } else if let Some(r) = sc.switches.fixed_reach {
            r
        } else {
            let local = 1.0 - (-bufs.staff[v] / p.local_reach_staff).exp();
            let on = if bufs.online[v] {
                ctx.vendors[v].policy.online_level * p.online_reach[seg]
            } else {
                0.0
            };
            (local + on).min(1.0) * (0.5 + city.reputation[v] as f64) / 1.5
        };
        none_reached *= 1.0 - bufs.reach[v];
    }
    1.0 - none_reached
}

/// Warm accounts: a unit whose kind brings them (the joint venture's
/// local partner) adopts them at p (1 + warm_boost x support), and holds
/// the rest back from other vendors' reach while it is there; without one
/// alive they are ordinary prospects. Returns how many are held back.
fn warm_accounts(
    city: &mut City,
    tally: &mut CityTally,
    ctx: &Shared,
    seg: usize,
    cand: &[Vec<usize>],
    rng: &mut Stream,
) -> u32 {
    let p = &ctx.sc.params;
    let mut held = 0;
    for (v, cand) in cand.iter().enumerate() {
        let w = city.warm_left[v][seg];
        if w == 0 {
            continue;
        }
        let Some(&k) = cand.iter().find(|&&k| {
            p.kinds
                .get(ctx.units[city.slots[k].idx()].kind)
                .warm_accounts
        }) else {
            continue;
        };
        let support = tally.views[k].support as f64;
        let prospects = city.blocks[seg].prospects();
        let n = binomial(
            rng,
            w.min(prospects) as u64,
            p.bass_p * (1.0 + p.warm_boost * support),
        );
        city.warm_left[v][seg] -= n as u32;
        held += city.warm_left[v][seg];
        for _ in 0..n {
            let pool = city.blocks[seg].prospects();
            let i = city.blocks[seg].prospect_start() + rng.below(pool) as usize;
            adopt(city, tally, seg, i, k, p.start_satisfaction as f32);
        }
    }
    held
}

/// `adopters` prospects of segment `seg`, drawn at random, each choose a
/// vendor ([`choose_vendor`]) and become its customers, or stay out.
///
/// Each adopter draws a fixed number of numbers (its pick, a unit of every
/// vendor that reaches it with several, its choice), so the pick of the
/// adopter AHEAD places on can be looked up in the stream, and its
/// enterprise's cache lines fetched while this one is worked out (results
/// unchanged: a hint only).
#[inline]
fn new_customers(
    city: &mut City,
    tally: &mut CityTally,
    ctx: &Shared,
    seg: usize,
    adopters: u64,
    bufs: &mut Bufs,
    rng: &mut Stream,
) {
    const AHEAD: u64 = 4;
    let nv = ctx.vendors.len();
    let draws = 2
        + (0..nv)
            .filter(|&v| bufs.reach[v] > 0.0 && bufs.cand[v].len() > 1)
            .count() as u64;
    let s0 = ctx.sc.params.start_satisfaction as f32;
    for _ in 0..adopters {
        let b = city.blocks[seg];
        if b.prospects() == 0 {
            break;
        }
        // (Where it will be if everyone between adopts.)
        let (start, pool) = (b.prospect_start() + AHEAD as usize, b.prospects());
        let later =
            ((rng.peek(AHEAD * draws) >> 32) * pool.saturating_sub(AHEAD as u32) as u64) >> 32;
        city.prefetch_kept(start + later as usize);
        let i = b.prospect_start() + rng.below(b.prospects()) as usize;
        if let Some(k) = choose_vendor(city, tally, &ctx.sc.params, i, bufs, rng) {
            adopt(city, tally, seg, i, k, s0);
        }
    }
}

/// The choice of adopter `i`: each vendor that reaches it puts forward the
/// unit that would serve it (`choose_unit`), weighted R_v exp(U_v); the
/// outside option weighs `bufs.weight[nv]`. Returns the chosen slot, or
/// None for the outside option.
#[inline(always)]
fn choose_vendor(
    city: &City,
    tally: &CityTally,
    p: &Params,
    i: usize,
    bufs: &mut Bufs,
    rng: &mut Stream,
) -> Option<usize> {
    let nv = bufs.reach.len();
    let Bufs {
        cand,
        cum,
        reach,
        weight,
        pick,
        ..
    } = bufs;
    let needs = city.needs[i].map(|x| NEED[x as usize]);
    let ind = city.industry[i] as usize;
    for v in 0..nv {
        weight[v] = 0.0;
        if reach[v] <= 0.0 {
            continue;
        }
        let k = choose_unit(&cand[v], &cum[v], rng);
        pick[v] = k;
        let util = utility(p, &needs, ind, &tally.views[k], city.reputation[v]);
        weight[v] = reach[v] * util.exp();
    }
    let total: f64 = weight.iter().sum();
    let mut x = rng.uniform() * total;
    for (v, w) in weight.iter().enumerate() {
        if x < *w {
            return (v < nv).then(|| pick[v]);
        }
        x -= w;
    }
    None
}

/// An adopter's utility of a vendor whose unit `uv` would serve it
/// (MODEL.md section 7): product quality, proximity, expertise in its
/// industry, attention and reputation, less the first-year price, each
/// weighted by the adopter's `needs` [prox, exp, comp, price].
#[inline(always)]
fn utility(p: &Params, needs: &[f64; 4], ind: usize, uv: &UnitView, reputation: f32) -> f64 {
    let price = uv.price as f64 * (1.0 - uv.discount.min(uv.share_first) as f64);
    p.u_quality * uv.quality as f64
        + p.u_prox * needs[0] * uv.prox as f64
        + p.u_exp * needs[1] * uv.k_eff[ind] as f64
        + p.u_comp * needs[2] * uv.attention as f64
        + p.u_rep * reputation as f64
        - p.u_price * needs[3] * price
}

/// Needs quantised to 1/255, as f64.
static NEED: [f64; 256] = {
    let mut t = [0.0; 256];
    let mut x = 0;
    while x < 256 {
        t[x] = x as f64 / 255.0;
        x += 1;
    }
    t
};

/// An acquisition's working buffers, per vendor (kept between months).
#[derive(Clone, Debug, Default)]
struct Bufs {
    cand: Vec<Vec<usize>>,
    /// By vendor: running totals of its candidates' weights.
    cum: Vec<Vec<f64>>,
    reach: Vec<f64>,
    weight: Vec<f64>,
    /// By vendor: its eligible local units' staff, each x its effort.
    staff: Vec<f64>,
    online: Vec<bool>,
    pick: Vec<usize>,
    /// By slot: its unit as a taker of new customers.
    takers: Vec<Taker>,
}

impl Bufs {
    fn reset(&mut self, nv: usize) {
        self.cand.resize_with(nv, Vec::new);
        self.cum.resize_with(nv, Vec::new);
        for (v, n) in [(&mut self.reach, nv), (&mut self.weight, nv + 1)] {
            v.clear();
            v.resize(n, 0.0);
        }
        self.staff.clear();
        self.staff.resize(nv, 0.0);
        self.online.clear();
        self.online.resize(nv, false);
        self.pick.clear();
        self.pick.resize(nv, usize::MAX);
    }
}

/// Spread adopters over a vendor's eligible units by free capacity.
fn choose_unit(cand: &[usize], cum: &[f64], rng: &mut Stream) -> usize {
    if cand.len() == 1 {
        return cand[0];
    }
    // The first candidate whose running total exceeds a uniform share of
    // the whole: by bisection, not a walk over every candidate.
    let x = rng.uniform() * cum[cum.len() - 1];
    cand[cum.partition_point(|&c| c <= x).min(cand.len() - 1)]
}

fn adopt(city: &mut City, tally: &mut CityTally, seg: usize, i: usize, slot: usize, s0: f32) {
    let j = city.activate(seg, i);
    city.slot[j] = slot as u16;
    city.ring[j] = 0;
    city.sat[j] = s0;
    city.tenure[j] = 0;
    city.unit_tenure[j] = 0;
    tally.slots[slot].new += 1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{Strategy, UnitKind};
    use crate::testkit::{scenario, stepped};

    #[test]
    fn choose_unit_picks_in_proportion_to_the_weights() {
        use crate::schedule::Phase;
        let cand = [3usize, 7, 9, 12];
        let w = [1.0, 4.0, 0.0, 5.0]; // weights free capacity + 1 (0 never picked)
        let cum: Vec<f64> = w
            .iter()
            .scan(0.0, |t, x| {
                *t += x;
                Some(*t)
            })
            .collect();
        let mut rng = Stream::new(9, 0, 0, 0, Phase::Acquisition);
        let n = 100_000;
        let mut hits = [0u32; 4];
        for _ in 0..n {
            let k = choose_unit(&cand, &cum, &mut rng);
            hits[cand.iter().position(|&c| c == k).unwrap()] += 1;
        }
        assert_eq!(hits[2], 0);
        for (h, x) in hits.iter().zip(w) {
            let p = x / 10.0;
            let sd = (p * (1.0 - p) * n as f64).sqrt().max(1.0);
            assert!((*h as f64 - p * n as f64).abs() < 5.0 * sd, "{hits:?}");
        }
    }

    #[test]
    fn abu_is_eligible_only_for_large_and_strategic_accounts() {
        let sc = scenario(Strategy::Abu, "long_term");
        let (w, _) = stepped(&sc, 1);
        let u = w
            .units
            .iter()
            .find(|u| u.kind == UnitKind::AccountTeam)
            .unwrap();
        let tier = w.cities[u.city.unwrap().idx()].tier;
        assert!(!eligible(&w.vendors, u, tier, 0) && !eligible(&w.vendors, u, tier, 1));
        assert!(eligible(&w.vendors, u, tier, 2) && eligible(&w.vendors, u, tier, 3));
    }

    #[test]
    fn warm_accounts_of_a_dead_joint_venture_are_ordinary_prospects() {
        // A joint-venture vendor whose ventures all leave at once (and are
        // not replaced) beside a city-exclusive rival in a fast market: the
        // rival must be able to win the venture's warm accounts (engine
        // 0.3.0 held them out of every pool for good).
        let mut sc = scenario(Strategy::JointVenture, "long_term");
        let mut rival = sc.vendors[0].clone();
        rival.name = "rival".into();
        rival.mix = crate::params::Mix::uniform(Strategy::CityExclusive);
        sc.vendors.push(rival);
        sc.model.replace_dead_units = false;
        sc.params.bass_p = 0.3;
        sc.params.u_outside = -5.0;
        let mut w = crate::init::build_world(&sc, 0);
        let jvs: Vec<_> = (0..w.units.len())
            .filter(|&i| w.units[i].kind == UnitKind::JointVenture)
            .collect();
        assert!(!jvs.is_empty());
        for i in jvs {
            crate::units::kill(&mut w, crate::ids::UnitId(i as u32));
        }
        let warm = |w: &crate::world::World| -> u32 {
            w.cities
                .iter()
                .map(|c| c.warm_left[0][2] + c.warm_left[0][3])
                .sum()
        };
        let prospects = |w: &crate::world::World| -> u32 {
            w.cities
                .iter()
                .map(|c| c.blocks[2].prospects() + c.blocks[3].prospects())
                .sum()
        };
        assert!(warm(&w) > 0);
        let mut st = crate::step::Stepper::new();
        for _ in 0..36 {
            st.step(&mut w, &sc);
        }
        assert!(
            prospects(&w) * 2 < warm(&w),
            "prospects {} of {} warm accounts left",
            prospects(&w),
            warm(&w)
        );
    }

    #[test]
    fn without_reach_nobody_adopts_and_with_reach_someone_does() {
        let mut sc = scenario(Strategy::CityExclusive, "long_term");
        sc.switches.fixed_reach = Some(0.0);
        assert_eq!(stepped(&sc, 12).0.status_counts().1, 0);
        sc.switches.fixed_reach = Some(1.0);
        assert!(stepped(&sc, 12).0.status_counts().1 > 0);
    }
}
