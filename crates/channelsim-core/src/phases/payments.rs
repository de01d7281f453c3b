//! Phase 7, payments and unit economics. Customers pay ACV/12 a month (less
//! any intra-brand discount) plus implementation services when a unit takes
//! them on; the unit books its share, the vendor the rest. Each unit then
//! pays wages and its own training; the vendor takes its equity share of a
//! partner's positive profit and consolidates its owned units.
//!
//! The rule for customers is [`pay_each`] (one customer at a time, with
//! [`Terms::pay`]); the fast path [`pay_counted`] counts the customers of
//! each (slot, industry, ring, term) and multiplies out, with the same
//! numbers (a test checks). [`book`] reduces the cities' tallies.

use crate::ids::{N_IND, N_RING, N_SEG};
use crate::month::{Scratch, Shared};
use crate::params::Scenario;
use crate::pricing::ring_factor;
use crate::tally::{CityTally, SlotTally, UnitFlows};
use crate::views::{NO_SRC, UnitView};
use crate::world::{City, World, prefetch_range};

/// Payments' working buffers.
#[derive(Default)]
struct Bufs {
    /// Each slot's terms.
    terms: Vec<Terms>,
    /// What a customer of a (slot, industry, ring, term) pays this month
    /// in the segment.
    bill: Vec<f32>,
    /// Customers counted per (slot, industry, ring, term), left at zero
    /// between cities.
    cells: Vec<u32>,
    /// Each customer's cell in the segment.
    cell_of: Vec<u32>,
}

thread_local! {
    /// This thread's working buffers, reused city after city and month
    /// after month (their contents do not outlive a city).
    static BUFS: std::cell::RefCell<Bufs> = Default::default();
}

/// Phase 7 in one city; [`book`] then reduces the cities' tallies.
pub fn city(city: &mut City, tally: &mut CityTally, w: &Shared) {
    BUFS.with_borrow_mut(|b| pay_city(city, tally, b, w.sc))
}

/// A customer's terms with its unit this month: its first month (it pays
/// implementation services), the rest of its first year, or renewal years.
#[inline]
fn term(unit_tenure: u16) -> usize {
    (unit_tenure != 0) as usize + (unit_tenure >= 12) as usize
}
const N_TERM: usize = 3;

/// A slot's price, and its share and discount by the customer's term.
#[derive(Clone, Copy, Debug, Default)]
struct Terms {
    /// Price relative to list (the vendor's price factor, online discount).
    price: f64,
    /// The unit's share of the subscription, by term.
    share: [f64; N_TERM],
    /// Intra-brand discount, as a share of the price, by term.
    discount: [f64; N_TERM],
}

impl Terms {
    /// What a customer of ring factor `rf` in term `t` pays this month, and
    /// the implementation services in it. Money in f64 so that what
    /// customers pay and what is booked agree.
    #[inline]
    fn pay(&self, base: f64, rf: f64, svc: f64, t: usize) -> (f64, f64) {
        let gross = base * self.price * rf;
        let pay = gross * (1.0 - self.discount[t]);
        (pay, if t == 0 { svc * pay } else { 0.0 })
    }

    /// What one customer of each (ring, term) cell pays this month, as its
    /// `paid` books it.
    fn bill(&self, k: &Month, cells: &mut [f32; N_RING * N_TERM]) {
        for (row, &rf) in cells.chunks_exact_mut(N_TERM).zip(&k.rf) {
            for (t, b) in row.iter_mut().enumerate() {
                let (pay, services) = self.pay(k.base, rf, k.svc, t);
                *b = (pay + services) as f32;
            }
        }
    }

    fn new(v: &UnitView) -> Terms {
        let ut = [0, 1, 12];
        Terms {
            price: v.price as f64,
            share: ut.map(|ut| if ut < 12 { v.share_first } else { v.share_renew } as f64),
            discount: ut.map(|ut| v.discount_at(ut) as f64),
        }
    }
}

/// Customers pay ACV/12 less any discount, plus implementation services in
/// their first month with a unit; each books its `paid`, and the slots'
/// tallies take the money and the counts. Where a segment has many
/// customers per slot, everyone in a (slot, ring, term) pays the same:
/// they are counted and multiplied out once per slot (`pay_counted`, so
/// the bookkeeping costs the slots, not the customers); where it has few,
/// each customer is booked (`pay_each`).
#[inline(never)]
fn pay_city(city: &mut City, tally: &mut CityTally, b: &mut Bufs, sc: &Scenario) {
    let sv = &tally.views;
    let live = sv.iter().filter(|v| v.alive).count();
    b.terms.clear();
    b.terms.extend(sv.iter().map(Terms::new));
    for seg in 0..N_SEG {
        let block = city.blocks[seg];
        // Everyone active or lost counts one more month.
        let known = block.start as usize..block.prospect_start();
        for t in &mut city.tenure[known] {
            *t = t.saturating_add(1);
        }
        if block.active == 0 {
            continue;
        }
        let k = Month::new(sc, seg);
        // Counting pays from about 16 customers per slot.
        if block.active as usize >= 16 * live {
            pay_counted(city, tally, b, &k);
        } else {
            pay_each(city, tally, &b.terms, &k);
        }
        for ut in &mut city.unit_tenure[block.active_range()] {
            *ut = ut.saturating_add(1);
        }
    }
}

/// The month's figures of a segment.
#[derive(Clone, Copy)]
struct Month {
    /// Ring factors (1 + g)^r.
    rf: [f64; N_RING],
    /// Implementation services as a share of the first month's payment.
    svc: f64,
    /// Monthly list price of the segment, base ACV / 12.
    base: f64,
    seg: usize,
}

impl Month {
    fn new(sc: &Scenario, seg: usize) -> Month {
        let p = &sc.params;
        Month {
            rf: ring_factor(p.ring_growth).map(|f| f as f64),
            svc: p.services_first_year * 12.0,
            base: p.base_acv[seg] / 12.0,
            seg,
        }
    }
}

/// Book each customer of the segment in turn.
fn pay_each(city: &mut City, tally: &mut CityTally, terms: &[Terms], k: &Month) {
    let r = city.blocks[k.seg].active_range();
    let cols = city.slot[r.clone()]
        .iter()
        .zip(&city.ring[r.clone()])
        .zip(&city.industry[r.clone()])
        .zip(&city.unit_tenure[r.clone()])
        .zip(&mut city.paid[r]);
    for ((((&slot, &ring), &ind), &ut), paid) in cols {
        let (slot, ring, ind, term) = (slot as usize, ring as usize, ind as usize, term(ut));
        let (v, terms) = (&tally.views[slot], &terms[slot]);
        let gross = k.base * terms.price * k.rf[ring];
        let (pay, services) = terms.pay(k.base, k.rf[ring], k.svc, term);
        let (share, d) = (terms.share[term], terms.discount[term]);
        *paid += (pay + services) as f32;
        let t = &mut tally.slots[slot];
        t.unit_sub += gross * (share - d) + services;
        t.vendor_sub += gross * (1.0 - share);
        t.services += services;
        t.customer_paid += pay + services;
        t.arr += pay * 12.0;
        t.book[k.seg] += 1;
        t.book_ind[ind] += 1;
        t.rings[ring] += 1;
        // (Without branches: which industries use apps varies customer
        // by customer.)
        t.foreign_sub[ind] += foreign(v, ind, gross);
        t.apps_in_use += (v.app_fit[ind] > 0.0) as u32;
    }
}

/// `x` where customers of industry `ind` use another unit's app (the
/// subscription its royalties are on), else +0.0, by bits: adding +0.0
/// changes no sum that starts at +0.0 (such a sum is never -0.0).
#[inline(always)]
fn foreign(v: &UnitView, ind: usize, x: f64) -> f64 {
    let keep = ((v.app_src[ind] != NO_SRC) as u64).wrapping_neg();
    f64::from_bits(x.to_bits() & keep)
}

/// Cells a slot's customers are counted in: (industry, ring, term).
const CELLS: usize = N_IND * N_RING * N_TERM;
/// Cells of a slot's bill: (ring, term).
const BILLS: usize = N_RING * N_TERM;

/// Count the customers of the segment per (slot, industry, ring, term),
/// booking each one's `paid`; then multiply out per slot with customers,
/// and leave the counts at zero.
fn pay_counted(city: &mut City, tally: &mut CityTally, b: &mut Bufs, k: &Month) {
    let sv = &tally.views;
    let nslots = sv.len();
    b.cells.resize(nslots * CELLS, 0);
    let terms = &b.terms[..];
    let cells = &mut b.cells[..];
    // Each customer's cell, in a loop of lane arithmetic (vectorised),
    // then its bill and its count by cell.
    let r = city.blocks[k.seg].active_range();
    let (ind, ring) = (&city.industry[r.clone()], &city.ring[r.clone()]);
    let cols = ind.iter().zip(ring).zip(&city.unit_tenure[r.clone()]);
    let idx = &mut b.cell_of;
    idx.clear();
    if nslots == 1 {
        let mut one = [0.0; BILLS];
        terms[0].bill(k, &mut one);
        idx.extend(cols.map(|((&i, &rg), &ut)| cell(0, i, rg, ut)));
        count_one(&mut city.paid[r], idx, &one, cells);
    } else {
        // What one customer of a (slot, industry, ring, term) pays, as
        // its `paid` books it (the same for every industry).
        b.bill.resize(nslots * CELLS, 0.0);
        let bill = &mut b.bill[..];
        for (t, bill) in terms.iter().zip(bill.chunks_exact_mut(CELLS)) {
            let mut one = [0.0; BILLS];
            t.bill(k, &mut one);
            for ind in bill.chunks_exact_mut(BILLS) {
                ind.copy_from_slice(&one);
            }
        }
        let cols = city.slot[r.clone()].iter().zip(cols);
        idx.extend(cols.map(|(&s, ((&i, &rg), &ut))| cell(s, i, rg, ut)));
        for (paid, &m) in city.paid[r].iter_mut().zip(idx.iter()) {
            *paid += bill[m as usize];
            cells[m as usize] += 1;
        }
    }
    let slots = sv.iter().zip(terms).zip(tally.slots.iter_mut());
    for (((v, terms), t), counts) in slots.zip(cells.chunks_exact_mut(CELLS)) {
        if counts.iter().any(|&n| n > 0) {
            book_slot(v, terms, t, k, counts);
            counts.fill(0);
        }
    }
}

/// The (slot, industry, ring, term) cell of a customer, flattened.
#[inline(always)]
fn cell(slot: u16, ind: u8, ring: u8, unit_tenure: u16) -> u32 {
    slot as u32 * CELLS as u32
        + ind as u32 * BILLS as u32
        + ring as u32 * N_TERM as u32
        + term(unit_tenure) as u32
}

/// Book one slot's counted customers of the segment: (industry, ring,
/// term) counts in `n`.
fn book_slot(v: &UnitView, terms: &Terms, t: &mut SlotTally, k: &Month, n: &[u32]) {
    let bp = k.base * terms.price;
    // By (ring, term), summed over industries (integers: exact).
    let by_rt: [u32; BILLS] = std::array::from_fn(|c| (0..N_IND).map(|i| n[i * BILLS + c]).sum());
    for term in 0..N_TERM {
        // A term without customers adds zeros (+0.0 or -0.0) to sums that
        // start at +0.0: skipping it changes no bit.
        if (0..N_RING).all(|ring| by_rt[ring * N_TERM + term] == 0) {
            continue;
        }
        // Contract value at list x ring factors of the customers.
        let mut rings = 0.0;
        for (ring, &f) in k.rf.iter().enumerate() {
            let n = by_rt[ring * N_TERM + term];
            rings += n as f64 * f;
            t.book[k.seg] += n;
            t.rings[ring] += n;
        }
        let gross = bp * rings;
        let (pay, services) = terms.pay(k.base, rings, k.svc, term);
        let (share, d) = (terms.share[term], terms.discount[term]);
        t.unit_sub += gross * (share - d) + services;
        t.vendor_sub += gross * (1.0 - share);
        t.services += services;
        t.customer_paid += pay + services;
        t.arr += pay * 12.0;
    }
    // By industry, without branches: an industry without customers adds
    // zeros (as above).
    for ind in 0..N_IND {
        let cell = &n[ind * BILLS..][..BILLS];
        let (mut total, mut rings) = (0, 0.0);
        for (ring, &f) in k.rf.iter().enumerate() {
            let c = &cell[ring * N_TERM..][..N_TERM];
            let c = c[0] + c[1] + c[2];
            total += c;
            rings += c as f64 * f;
        }
        t.book_ind[ind] += total;
        // Subscriptions on another unit's app (its royalties).
        t.foreign_sub[ind] += foreign(v, ind, bp * rings);
        t.apps_in_use += total * (v.app_fit[ind] > 0.0) as u32;
    }
}

/// The counting of a city with one slot, whose bill by (ring, term) is
/// `bill` (the same for every industry). Where customers are many, counts
/// are kept in four copies by customer index, so that neighbours in the
/// same cell do not wait on each other's increment (the copies cost a
/// fixed 2 KB to clear and add up).
fn count_one(paid: &mut [f32], idx: &[u32], bill: &[f32; BILLS], cells: &mut [u32]) {
    const C: usize = 128; // CELLS = 90 cells, padded
    let mut padded = [0.0; C];
    for ind in padded[..CELLS].chunks_exact_mut(BILLS) {
        ind.copy_from_slice(bill);
    }
    if paid.len() < 256 {
        let cells: &mut [u32; CELLS] = (&mut cells[..CELLS]).try_into().unwrap();
        for (paid, &m) in paid.iter_mut().zip(idx) {
            let m = (m as usize).min(CELLS - 1);
            *paid += padded[m];
            cells[m] += 1;
        }
        return;
    }
    let mut copies = [[0u32; C]; 4];
    for (i, (paid, &m)) in paid.iter_mut().zip(idx).enumerate() {
        debug_assert!((m as usize) < CELLS);
        let m = m as usize & (C - 1);
        *paid += padded[m];
        copies[i & 3][m] += 1;
    }
    for c in &copies {
        for (n, x) in cells.iter_mut().zip(c) {
            *n += x;
        }
    }
}

/// Reduce the city tallies into units and vendors, in id order.
pub fn book(world: &mut World, sc: &Scenario, s: &mut Scratch) {
    let p = &sc.params;
    // City by city, slot by slot: every sum in that order. What a slot
    // needs of its unit is in the slot's view and the unit's flows (the
    // `Unit`s themselves are read in id order below).
    for (c, (city, tally)) in world.cities.iter().zip(&s.tallies).enumerate() {
        // The next city's units' flows, wherever their ids put them.
        for u in world.cities.get(c + 1).map_or(&[][..], |n| &n.slots[..]) {
            let at = &s.unit_flows[u.idx()] as *const UnitFlows as usize;
            prefetch_range(at, std::mem::size_of::<UnitFlows>());
        }
        for (vf, t) in s.vendor_flows.iter_mut().zip(&tally.served) {
            vf.surplus += t.surplus;
        }
        debug_assert_eq!(tally.views.len(), tally.slots.len(), "a view a slot");
        for ((t, uid), view) in tally.slots.iter().zip(&city.slots).zip(&tally.views) {
            let uf = &mut s.unit_flows[uid.idx()];
            for seg in 0..N_SEG {
                uf.book[seg] += t.book[seg];
            }
            for ind in 0..N_IND {
                uf.book_ind[ind] += t.book_ind[ind];
            }
            uf.revenue += t.unit_sub;
            let vf = &mut s.vendor_flows[view.vendor as usize];
            vf.share_revenue += t.vendor_sub;
            vf.cust_services += t.services;
            vf.cust_subscriptions += t.customer_paid - t.services;
            vf.new += t.new;
            vf.churned += t.churned;
            for ind in 0..N_IND {
                if t.foreign_sub[ind] > 0.0 {
                    let src = view.app_src[ind] as usize;
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
    // Every unit alive at some time this month, in id order: those alive
    // when it began (some died since, with an empty book) and those opened
    // since. (A unit dead before has had an empty book since it died:
    // `kill` empties it.)
    let opened = s.units_start..world.units.len();
    for i in s.live_start.iter().map(|id| id.idx()).chain(opened) {
        let u = &mut world.units[i];
        let uf = &mut s.unit_flows[i];
        (u.book, u.book_ind) = (uf.book, uf.book_ind);
        if !u.alive {
            continue;
        }
        let kp = p.kinds.get(u.kind);
        let wage = if kp.wage_factor != 1.0 {
            p.wage * kp.wage_factor
        } else {
            p.wage
        };
        uf.wages = wage * u.staff as f64;
        uf.training = u.own_training;
        uf.profit = uf.revenue + uf.royalties_in - uf.wages - uf.training;
        let vf = &mut s.vendor_flows[u.vendor.idx()];
        let mut external = uf.wages + uf.training;
        if kp.owned {
            let incentive = kp.incentive * uf.profit.max(0.0);
            external += incentive;
            vf.owned_revenue += uf.revenue + uf.royalties_in;
            vf.owned_wages += uf.wages;
            vf.owned_training += uf.training;
            vf.incentives += incentive;
        } else {
            let div = kp.equity * uf.profit.max(0.0);
            u.cash += uf.profit - div;
            vf.dividends += div;
            vf.partner_revenue += uf.revenue;
            vf.partner_royalties += uf.royalties_in;
            vf.partner_wages += uf.wages;
            vf.partner_training += uf.training;
            vf.partner_profit += uf.profit;
            vf.partner_dividends += div;
        }
        world.ledger.external_costs += external;
        vf.unit_profit_total += uf.profit;
        u.last_profit = uf.profit;
        u.months_alive += 1;
        // A unit is judged on its losses only after its first year.
        if uf.profit < 0.0 && u.months_alive > sc.model.grace_months {
            u.loss_months += 1;
        } else {
            u.loss_months = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Strategy;
    use crate::testkit::{scenario, stepped};

    /// Counting customers by cell books what paying each customer books:
    /// each one's `paid` bit for bit, the counts exactly, the money up to
    /// the order of additions.
    #[test]
    fn issue13_counting_gives_the_numbers_of_paying_each_customer() {
        let mut customers = 0;
        // (ABU: one-slot cities of few customers; team replication: many
        // slots of one vendor: issue 15's paths.)
        for s in [
            Strategy::CityExclusive,
            Strategy::Traditional,
            Strategy::Abu,
            Strategy::TeamReplication,
        ] {
            // A fast-adopting market: many customers per slot.
            let mut sc = scenario(s, "long_term");
            sc.params.bass_p = 0.05;
            let (w, st) = stepped(&sc, 30);
            for (c, t) in w.cities.iter().zip(&st.scratch.tallies) {
                let mut b = Bufs::default();
                b.terms.extend(t.views.iter().map(Terms::new));
                for seg in (0..N_SEG).filter(|&s| c.blocks[s].active > 0) {
                    let k = Month::new(&sc, seg);
                    let (mut ce, mut cc) = (c.clone(), c.clone());
                    let mut te = t.clone();
                    te.slots.iter_mut().for_each(|s| *s = SlotTally::default());
                    let mut tc = te.clone();
                    pay_each(&mut ce, &mut te, &b.terms, &k);
                    pay_counted(&mut cc, &mut tc, &mut b, &k);
                    let bits = |c: &City| c.paid.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&ce), bits(&cc), "paid");
                    let near = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
                    for (e, n) in te.slots.iter().zip(&tc.slots) {
                        assert_eq!((e.book, e.book_ind, e.rings), (n.book, n.book_ind, n.rings));
                        assert_eq!(e.apps_in_use, n.apps_in_use);
                        for (a, b) in [
                            (e.unit_sub, n.unit_sub),
                            (e.vendor_sub, n.vendor_sub),
                            (e.services, n.services),
                            (e.customer_paid, n.customer_paid),
                            (e.arr, n.arr),
                        ] {
                            assert!(near(a, b), "{a} vs {b}");
                        }
                        for (a, b) in e.foreign_sub.iter().zip(&n.foreign_sub) {
                            assert!(near(*a, *b), "{a} vs {b}");
                        }
                    }
                    customers += c.blocks[seg].active;
                }
            }
        }
        assert!(customers > 1000, "{customers} customers checked");
    }

    /// Issue 15: an industry on no other unit's app adds +0.0 (whatever
    /// the amount, NaN included), which leaves every sum that starts at
    /// +0.0 as it was, bit for bit; one on another unit's app adds the
    /// amount.
    #[test]
    fn issue15_a_sum_not_on_a_foreign_app_takes_plus_zero() {
        let mut v = UnitView {
            app_src: [NO_SRC; N_IND],
            ..UnitView::default()
        };
        v.app_src[1] = 7;
        for x in [0.0, 1.5, -2.0, f64::NAN, -0.0] {
            assert_eq!(foreign(&v, 0, x).to_bits(), 0.0f64.to_bits());
            assert_eq!(foreign(&v, 1, x).to_bits(), x.to_bits());
            for sum in [0.0f64, 3.25, -1.0] {
                assert_eq!((sum + foreign(&v, 0, x)).to_bits(), sum.to_bits());
            }
        }
    }

    #[test]
    fn a_month_of_payments_is_booked_once_and_partners_pay_dividends() {
        let sc = scenario(Strategy::CityExclusive, "long_term");
        let (mut w, mut st) = stepped(&sc, 36);
        let before = w.ledger.clone();
        st.step(&mut w, &sc);
        let paid = w.ledger.customer_paid - before.customer_paid;
        let booked = (w.ledger.unit_booked - before.unit_booked)
            + (w.ledger.vendor_booked - before.vendor_booked);
        assert!(paid > 0.0);
        assert!((paid - booked).abs() < 1e-9 * paid);
        // City partners keep 80% of a positive profit: the vendor got the rest.
        let f = &st.scratch.vendor_flows[0];
        let positive: f64 = st
            .scratch
            .unit_flows
            .iter()
            .map(|u| u.profit.max(0.0))
            .sum();
        assert!((f.dividends - 0.20 * positive).abs() < 1e-6 * positive.max(1.0));
    }
}
