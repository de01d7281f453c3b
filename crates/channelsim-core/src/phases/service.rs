//! Phase 4, service: each active customer's satisfaction moves towards the
//! quality of service it gets, a need-weighted mean of product quality,
//! expertise (less overload), proximity, attention, app fit and value for
//! money. Then each vendor's reputation in the city follows its customers'
//! mean satisfaction.
//!
//! The rule is [`serve_one`] (one customer) and [`serve_city_plain`] (a
//! city, then its reputation), read against docs/model.md section 7.
//!
//! The fast path, [`serve_city`], gives the same numbers: everything in the
//! formula that does not depend on the customer is worked out once per
//! (slot, industry, terms) and city-month ([`Fig`]), and customers are
//! served four at a time in f32 lanes ([`F4`]). Every lane does the rule's
//! operations in the rule's order (a test checks, bit for bit).

use crate::ids::{N_IND, N_RING, N_SEG};
use crate::lanes::F4;
use crate::month::Shared;
use crate::params::Scenario;
use crate::pricing::ring_factor;
use crate::tally::{CityTally, Served};
use crate::views::UnitView;
use crate::world::City;

thread_local! {
    /// This thread's figures of each (slot, industry, terms), reused city
    /// after city (their contents do not outlive a city).
    static BUFS: std::cell::RefCell<Bufs> = Default::default();
}

/// Phase 4 in one city.
pub fn city(city: &mut City, tally: &mut CityTally, w: &Shared) {
    BUFS.with_borrow_mut(|b| serve_city(city, tally, b, &Consts::new(w.sc)))
}

/// The month's constants of the formula.
pub struct Consts {
    w: [f32; 6],
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
        let rf = ring_factor(p.ring_growth);
        Consts {
            w: p.service_weights.map(|x| x as f32),
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
/// (In this order, so that four of them transpose into lanes.)
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(32))]
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
    pub fn new(k: &Consts, v: &UnitView, ind: usize, unit_tenure: u16) -> Fig {
        let price_paid = v.price * (1.0 - v.discount_at(unit_tenure));
        Fig {
            quality: k.w[0] * v.quality,
            k_eff: v.k_eff[ind],
            room: 1.0 - v.overload,
            local: v.prox,
            attention: v.attention,
            app: k.w[4] * v.app_fit[ind],
            value: 1.0 - 0.5 * price_paid,
            price_paid,
        }
    }
}

/// One customer's service (MODEL.md section 7): its service quality
///
/// q_s = (w0 Q + w1 exp k_eff (1 - overload) + w2 prox local
///        + w3 comp attention + w4 app_fit + w5 price value)
///       / (w0 + w1 exp + w2 prox + w3 comp + w4 + w5 price), in [0, 1],
///
/// summed in that order; its satisfaction moves a share `rate` towards q_s;
/// its surplus is wtp q_s list - list x price paid. `needs` [prox, exp,
/// comp, price] are quantised to 1/255; `f` is its unit's figure
/// (`f.quality` is w0 Q, `f.app` is w4 app_fit); `list` the list price of
/// its segment and ring. Returns (new satisfaction, surplus).
pub fn serve_one(k: &Consts, f: &Fig, needs: [u8; 4], sat: f32, list: f32) -> (f32, f32) {
    let w = &k.w;
    let need = |j: usize| needs[j] as f32 * (1.0 / 255.0);
    let (prox, exp) = (w[2] * need(0), w[1] * need(1));
    let (comp, price) = (w[3] * need(2), w[5] * need(3));
    let num = f.quality
        + exp * f.k_eff * f.room
        + prox * f.local
        + comp * f.attention
        + f.app
        + price * f.value;
    let den = w[0] + exp + prox + comp + w[4] + price;
    let q = (num / den).clamp(0.0, 1.0);
    (
        sat + k.rate * (q - sat),
        k.wtp * q * list - list * f.price_paid,
    )
}

/// Phase 4 in one city as the rule reads, one customer at a time:
/// [`serve_city`] gives the same numbers, faster (a test checks).
#[allow(dead_code)] // the rule as written; the month runs the fast path
pub fn serve_city_plain(city: &mut City, tally: &mut CityTally, k: &Consts) {
    for seg in 0..N_SEG {
        for i in city.blocks[seg].active_range() {
            let v = &tally.views[city.slot[i] as usize];
            let f = Fig::new(k, v, city.industry[i] as usize, city.unit_tenure[i]);
            let list = k.list[seg][city.ring[i] as usize];
            let (sat, surplus) = serve_one(k, &f, city.needs[i], city.sat[i], list);
            city.sat[i] = sat;
            tally.served[v.vendor as usize].add(sat, surplus);
        }
    }
    reputation(city, tally, k)
}

/// Reputation: exponential average of the vendor's customers' satisfaction.
fn reputation(city: &mut City, tally: &CityTally, k: &Consts) {
    for (v, t) in tally.served.iter().enumerate() {
        if t.n > 0 {
            let mean = (t.sat / t.n as f64) as f32;
            city.reputation[v] += k.rw * (mean - city.reputation[v]);
        }
    }
}

// The fast path: figures by (slot, industry, terms), customers in lanes.

/// Index of a (slot, industry, renewal terms) figure.
#[inline]
fn fig_index(slot: usize, ind: usize, unit_tenure: u16) -> usize {
    (slot * N_IND + ind) * 2 + (unit_tenure >= 12) as usize
}

/// The figures of four customers, lane by lane.
struct Lanes {
    quality: F4,
    k_eff: F4,
    room: F4,
    local: F4,
    attention: F4,
    app: F4,
    value: F4,
    price_paid: F4,
}

/// Service's working buffers.
#[derive(Default)]
struct Bufs {
    /// The figures of each (slot, industry, terms).
    figs: Vec<Fig>,
    /// Each customer's figure index in a segment (where figures are by slot).
    idx: Vec<u32>,
}

/// Where four customers' figures come from.
trait Figures {
    /// Whether `lanes` reads each customer's figure index ([`Four::fig`]),
    /// worked out a segment at a time by [`Figures::index`].
    const INDEXED: bool;
    /// Each customer's figure index, into `idx` (a loop the compiler
    /// vectorises); only if [`Figures::INDEXED`].
    fn index(_slot: &[u16], _ind: &[u8], _ut: &[u16], _idx: &mut Vec<u32>) {}
    fn lanes(&self, c: &Four) -> Lanes;
}

/// Any city: each customer's figure by (slot, industry, terms).
struct BySlot<'a>(&'a [Fig]);

impl Figures for BySlot<'_> {
    const INDEXED: bool = true;
    fn index(slot: &[u16], ind: &[u8], ut: &[u16], idx: &mut Vec<u32>) {
        idx.clear();
        let cols = slot.iter().zip(ind).zip(ut);
        idx.extend(cols.map(|((&s, &i), &u)| fig_index(s as usize, i as usize, u) as u32));
    }
    #[inline(always)]
    fn lanes(&self, c: &Four) -> Lanes {
        let f: [&Fig; 4] = std::array::from_fn(|l| &self.0[c.fig[l] as usize]);
        let [quality, k_eff, room, local] =
            F4::transpose(f.map(|f| [f.quality, f.k_eff, f.room, f.local]));
        let [attention, app, value, price_paid] =
            F4::transpose(f.map(|f| [f.attention, f.app, f.value, f.price_paid]));
        Lanes {
            quality,
            k_eff,
            room,
            local,
            attention,
            app,
            value,
            price_paid,
        }
    }
}

/// The figures of a city's one slot: by industry and by terms only.
struct OneSlot {
    quality: f32,
    room: f32,
    local: f32,
    attention: f32,
    /// By industry; 8 entries so that `ind & 7` needs no bounds check.
    k_eff: [f32; 8],
    app: [f32; 8],
    value: [f32; 2],
    price_paid: [f32; 2],
}

impl OneSlot {
    /// The figures of slot view `v`, as [`Fig::new`] works them out (the
    /// same operations), without the figures of every (industry, terms).
    fn of(k: &Consts, v: &UnitView) -> OneSlot {
        let (first, renew) = (Fig::new(k, v, 0, 0), Fig::new(k, v, 0, 12));
        OneSlot {
            quality: first.quality,
            room: first.room,
            local: first.local,
            attention: first.attention,
            k_eff: std::array::from_fn(|i| if i < N_IND { v.k_eff[i] } else { 0.0 }),
            app: std::array::from_fn(|i| {
                if i < N_IND {
                    k.w[4] * v.app_fit[i]
                } else {
                    0.0
                }
            }),
            value: [first.value, renew.value],
            price_paid: [first.price_paid, renew.price_paid],
        }
    }
}

impl Figures for OneSlot {
    const INDEXED: bool = false;
    #[inline(always)]
    fn lanes(&self, c: &Four) -> Lanes {
        let ind = c.ind.map(|i| i as usize & 7);
        let renew = c.ut.map(|u| u >= 12);
        Lanes {
            quality: F4::splat(self.quality),
            k_eff: F4::from_fn(|l| self.k_eff[ind[l]]),
            room: F4::splat(self.room),
            local: F4::splat(self.local),
            attention: F4::splat(self.attention),
            app: F4::from_fn(|l| self.app[ind[l]]),
            value: F4::select(renew, self.value[0], self.value[1]),
            price_paid: F4::select(renew, self.price_paid[0], self.price_paid[1]),
        }
    }
}

/// Service quality q_s of four customers, lane by lane as in [`serve_one`].
#[inline(always)]
fn service_quality(w: &[f32; 6], needs: [[u8; 4]; 4], f: &Lanes) -> F4 {
    const Q: f32 = 1.0 / 255.0;
    let raw = needs.map(u32::from_le_bytes);
    let need = |j: u32| F4::from_fn(|l| ((raw[l] >> (8 * j)) & 255) as f32) * F4::splat(Q);
    let prox = F4::splat(w[2]) * need(0);
    let exp = F4::splat(w[1]) * need(1);
    let comp = F4::splat(w[3]) * need(2);
    let price = F4::splat(w[5]) * need(3);
    let num = f.quality
        + exp * f.k_eff * f.room
        + prox * f.local
        + comp * f.attention
        + f.app
        + price * f.value;
    let den = F4::splat(w[0]) + exp + prox + comp + F4::splat(w[4]) + price;
    (num / den).clamp01()
}

/// Running sums of a city's one vendor, lane by lane: four short chains of
/// additions rather than one long one.
#[derive(Clone, Copy, Debug, Default)]
struct Acc4 {
    sat: [f64; 4],
    surplus: [f64; 4],
    served: u32,
}

impl Acc4 {
    #[inline(always)]
    fn add(&mut self, sat: [f32; 4], surplus: [f32; 4], lanes: usize) {
        for l in 0..4 {
            let on = (l < lanes) as u32 as f64;
            self.sat[l] += on * sat[l] as f64;
            self.surplus[l] += on * surplus[l] as f64;
        }
        self.served += lanes as u32;
    }

    fn total(&self) -> Served {
        Served {
            sat: (self.sat[0] + self.sat[1]) + (self.sat[2] + self.sat[3]),
            surplus: (self.surplus[0] + self.surplus[1]) + (self.surplus[2] + self.surplus[3]),
            n: self.served,
        }
    }
}

/// Phase 4 in one city, fast: the numbers of [`serve_city_plain`].
#[inline(never)]
fn serve_city(city: &mut City, tally: &mut CityTally, bufs: &mut Bufs, k: &Consts) {
    let sv = &tally.views;
    if city.blocks.iter().all(|b| b.active == 0) {
        return; // nobody to serve: the reputation stands
    }
    // Sums per vendor, in customer order: in registers, lane by lane, where
    // one vendor has the city (its figures vary only by industry and terms
    // where it has one slot); else each customer to its slot's vendor.
    let v0 = sv[0].vendor as usize;
    if sv.len() == 1 {
        let one = OneSlot::of(k, &sv[0]);
        tally.served[v0].merge(&lane_sums(city, k, &one, &mut bufs.idx));
        return reputation(city, tally, k);
    }
    let Bufs { figs, idx } = bufs;
    figs.clear();
    for v in sv {
        // A slot's figures differ by industry in expertise and app fit
        // only (the same operations as `Fig::new` for each).
        let terms = [Fig::new(k, v, 0, 0), Fig::new(k, v, 0, 12)];
        for ind in 0..N_IND {
            let (k_eff, app) = (v.k_eff[ind], k.w[4] * v.app_fit[ind]);
            figs.extend(terms.map(|f| Fig { k_eff, app, ..f }));
        }
    }
    if sv.iter().all(|v| v.vendor as usize == v0) {
        tally.served[v0].merge(&lane_sums(city, k, &BySlot(figs), idx));
    } else {
        let served = &mut tally.served;
        serve_customers(city, k, &BySlot(figs), idx, |slot, s, u, lanes| {
            for l in 0..lanes {
                served[sv[slot[l] as usize].vendor as usize].add(s[l], u[l]);
            }
        });
    }
    reputation(city, tally, k)
}

/// Serve every customer of a city with one vendor, summing in lanes.
#[inline(always)]
fn lane_sums(city: &mut City, k: &Consts, figures: &impl Figures, idx: &mut Vec<u32>) -> Served {
    let mut a = Acc4::default();
    serve_customers(city, k, figures, idx, |_, s, u, lanes| a.add(s, u, lanes));
    a.total()
}

/// Four customers' service: their new satisfaction and their surplus, lane
/// by lane as in [`serve_one`].
#[inline(always)]
fn serve4(k: &Consts, list: &[f32; N_RING], f: &Lanes, c: &Four) -> (F4, F4) {
    let q = service_quality(&k.w, c.needs, f);
    let sat = F4::new(c.sat);
    let s = sat + F4::splat(k.rate) * (q - sat);
    let list = F4::from_fn(|l| list[c.ring[l] as usize]);
    (s, F4::splat(k.wtp) * q * list - list * f.price_paid)
}

/// The columns of four customers.
struct Four {
    /// Figure indices, where [`Figures::INDEXED`].
    fig: [u32; 4],
    slot: [u16; 4],
    needs: [[u8; 4]; 4],
    ind: [u8; 4],
    ut: [u16; 4],
    ring: [u8; 4],
    sat: [f32; 4],
}

/// Serve every active customer, four at a time (the last few padded with
/// copies of the last customer, whose results are dropped); `figures`
/// gives their figures, `tally(slots, satisfaction, surplus, lanes)` takes
/// the results of the first `lanes` lanes, in customer order.
#[inline(always)]
fn serve_customers<F: Figures>(
    city: &mut City,
    k: &Consts,
    figures: &F,
    idx: &mut Vec<u32>,
    mut tally: impl FnMut(&[u16; 4], [f32; 4], [f32; 4], usize),
) {
    for seg in 0..N_SEG {
        let list = &k.list[seg];
        let r = city.blocks[seg].active_range();
        let n = r.len();
        let quads = n / 4 * 4;
        let (slot, needs, ind) = (
            &city.slot[r.clone()],
            &city.needs[r.clone()],
            &city.industry[r.clone()],
        );
        let (ut, ring, sat) = (
            &city.unit_tenure[r.clone()],
            &city.ring[r.clone()],
            &mut city.sat[r],
        );
        if F::INDEXED {
            F::index(slot, ind, ut, idx);
        }
        // One quad of customers; `$fig` their figure indices.
        macro_rules! quad {
            ($fig:expr, $slot:expr, $needs:expr, $ind:expr, $ut:expr, $ring:expr, $sat:expr) => {{
                let four = Four {
                    fig: $fig,
                    slot: $slot.try_into().unwrap(),
                    needs: $needs.try_into().unwrap(),
                    ind: $ind.try_into().unwrap(),
                    ut: $ut.try_into().unwrap(),
                    ring: $ring.try_into().unwrap(),
                    sat: (&*$sat).try_into().unwrap(),
                };
                let (s, u) = serve4(k, list, &figures.lanes(&four), &four);
                let (s, u) = (s.to_array(), u.to_array());
                $sat.copy_from_slice(&s);
                tally(&four.slot, s, u, 4);
            }};
        }
        let cols = slot
            .chunks_exact(4)
            .zip(needs.chunks_exact(4))
            .zip(ind.chunks_exact(4))
            .zip(ut.chunks_exact(4))
            .zip(ring.chunks_exact(4))
            .zip(sat.chunks_exact_mut(4));
        // Two loops, so that the one-slot loop carries no indices.
        if F::INDEXED {
            for (f, (((((slot, needs), ind), ut), ring), sat)) in idx.chunks_exact(4).zip(cols) {
                quad!(f.try_into().unwrap(), slot, needs, ind, ut, ring, sat)
            }
        } else {
            for (((((slot, needs), ind), ut), ring), sat) in cols {
                quad!([0; 4], slot, needs, ind, ut, ring, sat)
            }
        }
        if quads < n {
            let at = |l: usize| (quads + l).min(n - 1);
            let four = Four {
                fig: std::array::from_fn(|l| if F::INDEXED { idx[at(l)] } else { 0 }),
                slot: std::array::from_fn(|l| slot[at(l)]),
                needs: std::array::from_fn(|l| needs[at(l)]),
                ind: std::array::from_fn(|l| ind[at(l)]),
                ut: std::array::from_fn(|l| ut[at(l)]),
                ring: std::array::from_fn(|l| ring[at(l)]),
                sat: std::array::from_fn(|l| sat[at(l)]),
            };
            let (s, u) = serve4(k, list, &figures.lanes(&four), &four);
            let (s, u) = (s.to_array(), u.to_array());
            sat[quads..].copy_from_slice(&s[..n - quads]);
            tally(&four.slot, s, u, n - quads);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Strategy;
    use crate::testkit::{scenario, stepped};

    /// The fast path (one slot, one vendor's slots, several vendors) gives
    /// the rule's satisfaction bit for bit, and its sums and reputation up
    /// to the order of additions.
    #[test]
    fn issue13_the_fast_path_gives_the_numbers_of_the_rule() {
        let mut rival = scenario(Strategy::Traditional, "short_term");
        let mut second = rival.vendors[0].clone();
        second.name = "second".into();
        second.mix = crate::params::Mix::uniform(Strategy::Online);
        rival.vendors.push(second);
        let mut checked = [0; 3];
        for sc in [
            scenario(Strategy::CityExclusive, "long_term"),
            scenario(Strategy::Traditional, "long_term"),
            scenario(Strategy::Abu, "long_term"),
            scenario(Strategy::TeamReplication, "long_term"),
            rival,
        ] {
            let (w, mut st) = stepped(&sc, 30);
            let k = Consts::new(&sc);
            for (c, t) in w.cities.iter().zip(st.scratch.tallies.iter_mut()) {
                t.served.iter_mut().for_each(|s| *s = Served::default());
                let (mut fast, mut plain) = (c.clone(), c.clone());
                let mut tf = t.clone();
                let mut tp = t.clone();
                serve_city(&mut fast, &mut tf, &mut Bufs::default(), &k);
                serve_city_plain(&mut plain, &mut tp, &k);
                let bits = |c: &City| c.sat.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&fast), bits(&plain), "satisfaction");
                for (a, b) in tf.served.iter().zip(&tp.served) {
                    assert_eq!(a.n, b.n);
                    assert!((a.sat - b.sat).abs() <= 1e-9 * b.sat.abs().max(1.0));
                    assert!((a.surplus - b.surplus).abs() <= 1e-9 * b.surplus.abs().max(1.0));
                }
                for (a, b) in fast.reputation.iter().zip(&plain.reputation) {
                    assert!((a - b).abs() <= 1e-6, "reputation {a} vs {b}");
                }
                let vendors = t
                    .views
                    .iter()
                    .map(|v| v.vendor)
                    .collect::<std::collections::BTreeSet<_>>();
                let case = if t.views.len() == 1 {
                    0
                } else if vendors.len() == 1 {
                    1
                } else {
                    2
                };
                checked[case] += tp.served.iter().map(|s| s.n).sum::<u32>();
            }
        }
        assert!(
            checked.iter().all(|&n| n > 100),
            "customers checked by path: {checked:?}"
        );
    }

    #[test]
    fn satisfaction_stays_in_bounds_and_follows_service() {
        let good = scenario(Strategy::CityExclusive, "long_term");
        let mut poor = good.clone();
        poor.policy_mut().price_factor = 3.0;
        poor.policy_mut().enablement = 0.0;
        let mean = |sc| {
            let (w, _) = stepped(sc, 36);
            let (mut s, mut n) = (0.0, 0);
            for c in &w.cities {
                for b in &c.blocks {
                    for i in b.active_range() {
                        assert!((0.0..=1.0).contains(&c.sat[i]));
                        s += c.sat[i] as f64;
                        n += 1;
                    }
                }
            }
            s / n as f64
        };
        assert!(mean(&poor) < mean(&good));
    }
}
