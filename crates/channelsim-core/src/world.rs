//! The state of the world as plain data.
//!
//! Customers are a structure of arrays per city, laid out by segment, and in
//! each segment block as `[active | lost | prospects]`, so the monthly loops
//! touch only active customers and adoption picks from a contiguous pool.

use crate::ids::{CityId, N_IND, N_SEG, N_TIER, SegMask, UnitId, VendorId};
use crate::kinds::KindId;
use crate::params::Policy;

/// Where a segment's customers sit in the city's columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SegBlock {
    pub start: u32,
    pub len: u32,
    pub active: u32,
    pub lost: u32,
}

impl SegBlock {
    #[inline]
    pub fn active_range(&self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.active) as usize
    }
    #[inline]
    pub fn lost_range(&self) -> std::ops::Range<usize> {
        (self.start + self.active) as usize..(self.start + self.active + self.lost) as usize
    }
    #[inline]
    pub fn prospects(&self) -> u32 {
        self.len - self.active - self.lost
    }
    #[inline]
    pub fn prospect_start(&self) -> usize {
        (self.start + self.active + self.lost) as usize
    }
}

/// Declares [`City`] with its customer columns listed once: the struct's
/// fields and every operation that moves an enterprise from one place of
/// the columns to another come from the two lists.
macro_rules! city_with_columns {
    (
        $(#[$sm:meta])*
        pub struct City {
            $( $(#[$fm:meta])* pub $f:ident : $ft:ty, )*
        }
        // What every enterprise keeps, whatever its status.
        kept { $( $(#[$km:meta])* $k:ident : $kt:ty, )* }
        // What means something only while it is a customer (and, for
        // `tenure`, while it is lost).
        state { $( $(#[$cm:meta])* $c:ident : $ct:ty, )* }
    ) => {
        $(#[$sm])*
        pub struct City {
            $( $(#[$fm])* pub $f: $ft, )*
            $( $(#[$km])* pub $k: Vec<$kt>, )*
            $( $(#[$cm])* pub $c: Vec<$ct>, )*
        }

        impl City {
            /// Swap two enterprises in every column.
            #[inline]
            pub fn swap(&mut self, i: usize, j: usize) {
                if i == j {
                    return;
                }
                $( self.$k.swap(i, j); )*
                $( self.$c.swap(i, j); )*
            }

            /// Swap what every enterprise keeps.
            #[inline]
            fn swap_kept(&mut self, i: usize, j: usize) {
                $( self.$k.swap(i, j); )*
            }

            /// What every enterprise keeps moves a -> c, b -> a, c -> b.
            #[inline]
            fn rotate_kept(&mut self, a: usize, b: usize, c: usize) {
                fn rot<T: Copy>(v: &mut [T], a: usize, b: usize, c: usize) {
                    let t = v[c];
                    v[c] = v[a];
                    v[a] = v[b];
                    v[b] = t;
                }
                $( rot(&mut self.$k, a, b, c); )*
            }

            /// Copy a customer's state from `from` to `to`.
            #[inline]
            fn copy_state(&mut self, from: usize, to: usize) {
                $( self.$c[to] = self.$c[from]; )*
            }

            /// Ask for the cache lines an adoption of the enterprise at `i`
            /// will read (a hint: `i` past the end asks for nothing).
            #[inline(always)]
            pub fn prefetch_kept(&self, i: usize) {
                $( prefetch(&self.$k, i); )*
            }

            /// The first `bytes` of every column's range `r`, as (address,
            /// bytes).
            fn column_reads(&self, r: std::ops::Range<usize>, bytes: usize, out: &mut Vec<(usize, usize)>) {
                $( read_range(out, &self.$k, r.clone(), bytes); )*
                $( read_range(out, &self.$c, r.clone(), bytes); )*
            }
        }
    };
}

city_with_columns! {
    /// One city's enterprises (structure of arrays) and local state.
    #[derive(Clone, Debug, Default)]
    pub struct City {
        pub id: CityId,
        pub tier: u8,
        pub blocks: [SegBlock; N_SEG],
        /// Units that may serve customers here: local units and online units.
        pub slots: Vec<UnitId>,
        /// Reputation of each vendor in the city.
        pub reputation: Vec<f32>,
        /// Warm accounts a joint venture's local firm still brings, per vendor and segment.
        pub warm_left: Vec<[u32; N_SEG]>,
    }
    kept {
        industry: u8,
        /// Need weights, quantised to 1/255: proximity, expertise, companionship, price.
        needs: [u8; 4],
        /// Cumulative paid, k CNY.
        paid: f32,
    }
    state {
        ring: u8,
        /// Index into `slots`: the serving unit.
        slot: u16,
        sat: f32,
        /// Months as a customer (active) or months since lost (lost).
        tenure: u16,
        /// Months with the current unit (first-year terms while < 12).
        unit_tenure: u16,
    }
}

impl City {
    pub fn len(&self) -> usize {
        self.industry.len()
    }
    pub fn is_empty(&self) -> bool {
        self.industry.is_empty()
    }

    // What each column means by status: every enterprise has its fixed
    // attributes (industry, needs) and its cumulative `paid`; a lost one
    // also its `tenure` (months since lost); `ring`, `slot`, `sat` and
    // `unit_tenure` mean something only while it is active (adoption sets
    // them afresh). Moves between regions copy only what the enterprise's
    // new status keeps: fewer cache lines touched at a random index.

    /// Move prospect at `i` to the end of the active region; returns its new
    /// index. The caller sets its state columns (it adopts).
    pub fn activate(&mut self, seg: usize, i: usize) -> usize {
        let b = self.blocks[seg];
        debug_assert!(i >= b.prospect_start());
        let first_lost = (b.start + b.active) as usize;
        let first_prospect = b.prospect_start();
        // The adopter goes to `first_lost`, the first lost enterprise to
        // `first_prospect`, the first prospect to `i`.
        if first_lost == first_prospect {
            self.swap_kept(i, first_lost);
        } else {
            self.rotate_kept(i, first_prospect, first_lost);
            self.tenure[first_prospect] = self.tenure[first_lost];
        }
        self.blocks[seg].active += 1;
        first_lost
    }

    /// Take the slots of dead units out of `slots` (their customers were
    /// re-homed the month they died), keeping the others in order and
    /// renumbering the active customers' slots: every per-slot loop then
    /// costs the live units only. Nothing reads a dead slot, so results
    /// do not change.
    /// `alive(k)` says whether the unit of slot `k` is alive.
    pub fn drop_dead_slots(&mut self, alive: impl Fn(usize) -> bool) {
        if (0..self.slots.len()).all(&alive) {
            return;
        }
        let mut map = vec![u16::MAX; self.slots.len()];
        let mut kept = 0;
        for (k, m) in map.iter_mut().enumerate() {
            if alive(k) {
                *m = kept;
                kept += 1;
            }
        }
        let mut k = 0;
        self.slots.retain(|_| {
            k += 1;
            alive(k - 1)
        });
        for b in self.blocks {
            for s in &mut self.slot[b.active_range()] {
                debug_assert!(map[*s as usize] != u16::MAX, "a customer of a dead unit");
                *s = map[*s as usize];
            }
        }
    }

    /// Move active customer at `i` to the lost region (the last active slot
    /// takes its place, so iterate active customers from the back).
    pub fn lose(&mut self, seg: usize, i: usize) {
        let b = self.blocks[seg];
        let last_active = (b.start + b.active - 1) as usize;
        if i != last_active {
            self.swap_kept(i, last_active);
            self.copy_state(last_active, i);
        }
        self.blocks[seg].active -= 1;
        self.blocks[seg].lost += 1;
        self.tenure[last_active] = 0;
        self.ring[last_active] = 0;
    }

    /// Where the month's customer phases start reading this city: the
    /// first `bytes` of each column's active and lost customers, segment
    /// by segment, and the city's small vectors, as (address, bytes).
    pub fn first_reads(&self, bytes: usize, out: &mut Vec<(usize, usize)>) {
        for b in &self.blocks {
            let r = b.start as usize..b.prospect_start();
            if !r.is_empty() {
                self.column_reads(r, bytes, out);
            }
        }
        read_range(out, &self.slots, 0..self.slots.len(), bytes);
        read_range(out, &self.reputation, 0..self.reputation.len(), bytes);
        read_range(out, &self.warm_left, 0..self.warm_left.len(), bytes);
    }

    /// Move lost customer at `i` back to the prospect pool.
    pub fn release(&mut self, seg: usize, i: usize) {
        let b = self.blocks[seg];
        let last_lost = b.prospect_start() - 1;
        if i != last_lost {
            self.swap_kept(i, last_lost);
            self.tenure[i] = self.tenure[last_lost];
        }
        self.blocks[seg].lost -= 1;
    }
}

/// The first `cap` bytes of `col[r]`, as (address, bytes), if in bounds.
fn read_range<T>(out: &mut Vec<(usize, usize)>, col: &[T], r: std::ops::Range<usize>, cap: usize) {
    if let Some(x) = col.get(r.start..r.end) {
        out.push((x.as_ptr() as usize, std::mem::size_of_val(x).min(cap)));
    }
}

/// Hint that `col[i]` will be read soon (nothing if out of bounds).
#[inline(always)]
fn prefetch<T>(col: &[T], i: usize) {
    if let Some(x) = col.get(i) {
        prefetch_range(x as *const T as usize, 1);
    }
}

/// Hint that the `bytes` from address `at` will be read soon, one cache
/// line at a time. A prefetch never faults, whatever the address.
#[inline(always)]
pub fn prefetch_range(at: usize, bytes: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        // A plain loop: `step_by` cost several instructions a line.
        let (mut line, end) = (at & !63, at + bytes);
        while line < end {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            // SAFETY: a prefetch only hints at an address; it reads nothing
            // the program sees and never faults.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(line as *const i8) }
            line += 64;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (at, bytes);
}

/// A channel unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    pub id: UnitId,
    pub vendor: VendorId,
    /// `None` for online units.
    pub city: Option<CityId>,
    /// Its kind (`params.kinds`): the phases read its fields.
    pub kind: KindId,
    /// Segments served (for online units: the union over tiers; the vendor's
    /// mix decides city by city).
    pub segments: SegMask,
    pub staff: u32,
    /// Staff at opening: the unit does not fire below it while it can pay.
    pub start_staff: u32,
    pub capability: [f32; N_IND],
    pub cash: f64,
    pub trust: f64,
    pub months_alive: u32,
    pub loss_months: u32,
    pub low_cash_months: u32,
    pub share_first: f64,
    pub share_renew: f64,
    pub alive: bool,
    /// Set when the unit has decided to exit; removed at the next policy phase.
    pub exiting: bool,
    pub month_died: Option<u32>,
    pub apps_built: u32,
    /// Hurt by a reaction this month (no trust recovery).
    pub hurt: bool,
    // Last month's book and P&L, for decisions.
    pub book: [u32; N_SEG],
    pub book_ind: [u32; N_IND],
    pub load: f64,
    pub last_profit: f64,
    /// Own training budget for this month, decided last month.
    pub own_training: f64,
    /// Part of a partner's cash set aside to hire sellers (B1): never more
    /// than its cash; a hire draws it down by the months of wages it
    /// commits to.
    pub growth_fund: f64,
}

impl Unit {
    pub fn customers(&self) -> u32 {
        self.book.iter().sum()
    }
    pub fn mean_capability(&self) -> f64 {
        self.capability.iter().map(|&k| k as f64).sum::<f64>() / N_IND as f64
    }
}

/// A scenario app (场景应用) built by a unit for an industry.
#[derive(Clone, Debug, PartialEq)]
pub struct App {
    pub vendor: VendorId,
    pub builder: UnitId,
    pub industry: u8,
    pub quality: f32,
    pub months_in_use: u32,
    pub validated: bool,
}

/// A software vendor and its head office.
#[derive(Clone, Debug, PartialEq)]
pub struct Vendor {
    pub id: VendorId,
    pub policy: Policy,
    /// The kind serving each (tier, segment) under its strategy mix
    /// (`kinds[tier - 1][seg]`); `None`: not targeted.
    pub kinds: [[Option<KindId>; N_SEG]; N_TIER],
    /// Head-office figures after market scaling.
    pub managers: f64,
    pub quality: f64,
    pub rd_stock: f64,
    pub cash: f64,
    pub cum_profit: f64,
    pub npv: f64,
    /// Tax losses carried forward (k CNY, >= 0): past pre-tax losses not
    /// yet set against a taxable profit.
    pub tax_losses: f64,
    /// Revenue of the quarter in progress and of the last two quarters.
    pub quarter_revenue: f64,
    pub last_quarter_revenue: f64,
    pub prev_quarter_revenue: f64,
    /// R&D of the last 12 months (ring buffer by month % 12).
    pub rd_history: [f64; 12],
    /// Months until which R&D is held at the floor after a missed target.
    pub rd_cut_until: u32,
    /// Has had a month with a profit at the normal R&D rate (reading
    /// `rd_hold`).
    pub profitable_once: bool,
    pub misses: u32,
    /// Management demand of its managed units, FTE (last computed).
    pub mgmt_demand: f64,
    pub units_created: u32,
    pub units_exited: u32,
    /// Capital partners brought into the vendor's partner units when they
    /// opened (their starting cash), cumulative, k CNY.
    pub partner_capital: f64,
}

impl Vendor {
    /// The kind that takes its customers of `seg` in a tier-`tier` city.
    #[inline]
    pub fn kind_at(&self, tier: u8, seg: usize) -> Option<KindId> {
        self.kinds[(tier - 1) as usize][seg]
    }

    /// Support: share of management demand head office can meet.
    pub fn support(&self) -> f64 {
        if self.mgmt_demand <= self.managers {
            1.0
        } else {
            self.managers / self.mgmt_demand
        }
    }
}

/// The whole world: plain data handed to the step each month.
#[derive(Clone, Debug)]
pub struct World {
    pub month: u32,
    pub seed: u64,
    pub replicate: u32,
    pub cities: Vec<City>,
    pub units: Vec<Unit>,
    /// The units alive, by id ascending (kept by `spawn_unit` and `kill`):
    /// the monthly loops over live units skip the dead ones (under team
    /// replication nearly half the units) without reading them.
    pub live: Vec<UnitId>,
    pub vendors: Vec<Vendor>,
    pub apps: Vec<App>,
    /// Money ledger for conservation checks, k CNY, cumulative.
    pub ledger: Ledger,
}

/// Cumulative money flows; customers' payments must equal what was booked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ledger {
    /// Everything customers paid (subscriptions and services).
    pub customer_paid: f64,
    /// Booked as unit revenue (their share, services, full payments of owned units).
    pub unit_booked: f64,
    /// Booked as vendor revenue (the vendor's share of partner units' payments).
    pub vendor_booked: f64,
    /// Costs paid out of the system (wages, R&D, hosting, managers, ...).
    pub external_costs: f64,
    /// Capital partners bring when their unit opens (its starting cash).
    pub capital_in: f64,
}

impl World {
    /// The units alive, in id order ([`World::live`]).
    pub fn live_units(&self) -> impl Iterator<Item = &Unit> {
        self.live.iter().map(|id| &self.units[id.idx()])
    }
    pub fn total_cash(&self) -> f64 {
        self.vendors.iter().map(|v| v.cash).sum::<f64>()
            + self.units.iter().map(|u| u.cash).sum::<f64>()
    }
    /// Enterprises by status (prospect, active, lost) over all cities.
    pub fn status_counts(&self) -> (u64, u64, u64) {
        let mut t = (0u64, 0u64, 0u64);
        for c in &self.cities {
            for b in &c.blocks {
                t.0 += b.prospects() as u64;
                t.1 += b.active as u64;
                t.2 += b.lost as u64;
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_dead_slots_renumbers_active_customers_only() {
        let n = 6;
        let mut c = City {
            industry: vec![0; n],
            needs: vec![[0; 4]; n],
            ring: vec![0; n],
            slot: vec![0, 2, 2, 3, 1, 1],
            sat: vec![0.5; n],
            tenure: vec![0; n],
            unit_tenure: vec![0; n],
            paid: vec![0.0; n],
            slots: vec![UnitId(7), UnitId(8), UnitId(9), UnitId(10)],
            ..City::default()
        };
        // Four active customers, then two lost ones whose slot means nothing.
        c.blocks[0] = SegBlock {
            start: 0,
            len: n as u32,
            active: 4,
            lost: 2,
        };
        c.drop_dead_slots(|k| k != 1); // unit 8
        assert_eq!(c.slots, [UnitId(7), UnitId(9), UnitId(10)]);
        assert_eq!(&c.slot[..4], &[0, 1, 1, 2]);
        assert_eq!(&c.slot[4..], &[1, 1], "lost customers untouched");
    }
}
