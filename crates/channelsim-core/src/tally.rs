//! Per-city accumulators the city phases write (one per serving slot), then
//! reduced into units and vendors in id order: the deferred writes that let
//! cities run in parallel without locks.

use crate::ids::{N_IND, N_RING, N_SEG};
use crate::schedule::Phase;
use crate::views::UnitView;

#[derive(Clone, Debug, Default)]
pub struct SlotTally {
    pub book: [u32; N_SEG],
    pub book_ind: [u32; N_IND],
    pub rings: [u32; N_RING],
    pub new: u32,
    pub churned: u32,
    /// Booked to the unit: its share of subscriptions (net of discounts)
    /// and all implementation services.
    pub unit_sub: f64,
    /// Subscription booked to the vendor (its share).
    pub vendor_sub: f64,
    /// Implementation services paid to the unit.
    pub services: f64,
    pub customer_paid: f64,
    /// Annual value of the contracts (ARR), at the price paid.
    pub arr: f64,
    /// Subscription of customers using another unit's app, by industry.
    pub foreign_sub: [f64; N_IND],
    pub apps_in_use: u32,
}

/// Sums over the customers served (phase 4).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Served {
    pub sat: f64,
    pub surplus: f64,
    pub n: u32,
}

impl Served {
    #[inline]
    pub fn add(&mut self, sat: f32, surplus: f32) {
        self.sat += sat as f64;
        self.surplus += surplus as f64;
        self.n += 1;
    }

    pub fn merge(&mut self, o: &Served) {
        self.sat += o.sat;
        self.surplus += o.surplus;
        self.n += o.n;
    }
}

#[derive(Clone, Debug, Default)]
pub struct CityTally {
    /// The month's view of each slot's unit (read-only in the city phases).
    pub views: Vec<UnitView>,
    pub slots: Vec<SlotTally>,
    /// By vendor: the customers served this month (phase 4), their
    /// satisfaction and surplus (for reputation and the vendor's figures;
    /// nothing needs them by unit).
    pub served: Vec<Served>,
    /// Time spent in each city phase this month ([`Phase::CITY`] order), in
    /// [`crate::schedule::ticks`].
    pub ticks: [u64; Phase::CITY.len()],
}

impl CityTally {
    pub fn reset(&mut self, slots: usize, vendors: usize) {
        self.slots.clear();
        self.slots.resize(slots, SlotTally::default());
        self.served.clear();
        self.served.resize(vendors, Served::default());
        self.ticks = Default::default();
    }
}

/// A vendor's money flows of the month, and those of its customers and
/// partner units, k CNY: every flow once, so that the books balance
/// (docs/model.md 7.10; `VendorMonth` reports each one).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VendorFlows {
    // What the customers of its units paid.
    /// Subscriptions, after intra-brand discounts.
    pub cust_subscriptions: f64,
    /// Implementation and expansion services.
    pub cust_services: f64,
    // Revenue.
    /// Its share of partner units' subscription payments.
    pub share_revenue: f64,
    pub dividends: f64,
    /// Revenue of owned units (full payments, services, royalties in).
    pub owned_revenue: f64,
    pub revenue: f64,
    // Costs.
    pub hosting: f64,
    /// Royalties it pays the units whose apps its customers use.
    pub royalties: f64,
    pub owned_wages: f64,
    pub owned_training: f64,
    /// Branch incentives: a share of a branch's positive profit to its people.
    pub incentives: f64,
    pub enablement: f64,
    pub managers: f64,
    pub training_system: f64,
    pub platform: f64,
    pub rd: f64,
    pub sales_marketing: f64,
    pub general: f64,
    /// Customer support and success (cost of revenue).
    pub support: f64,
    pub gross_profit: f64,
    /// Revenue less every cost but income tax.
    pub profit_before_tax: f64,
    /// Income tax on the month's taxable profit.
    pub tax: f64,
    /// After tax: what the vendor's cash moves by.
    pub profit: f64,
    // Its partner units (units it does not own).
    /// Their share of subscriptions and their services.
    pub partner_revenue: f64,
    pub partner_royalties: f64,
    pub partner_wages: f64,
    pub partner_training: f64,
    pub partner_profit: f64,
    /// Paid to the vendor (inside `dividends`).
    pub partner_dividends: f64,
    /// The vendor's `partner_capital` when the month began.
    pub capital_before: f64,
    // Customers and units.
    pub new: u32,
    pub churned: u32,
    /// Sellers its partner units hired from their growth funds (B1).
    pub growth_hires: u32,
    pub surplus: f64,
    pub unit_profit_total: f64,
}

/// A unit's P&L of the month, k CNY, and its book.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnitFlows {
    pub revenue: f64,
    pub royalties_in: f64,
    pub wages: f64,
    pub training: f64,
    pub profit: f64,
    /// Its customers this month by segment and by industry (the unit's
    /// `book` and `book_ind` once the month is booked): summed here, next
    /// to its revenue, rather than in the much larger `Unit`.
    pub book: [u32; N_SEG],
    pub book_ind: [u32; N_IND],
}
