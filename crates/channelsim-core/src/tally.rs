//! Per-city accumulators the city phases write (one per serving slot), then
//! reduced into units and vendors in id order: the deferred writes that let
//! cities run in parallel without locks.

use crate::ids::{N_IND, N_RING, N_SEG};

#[derive(Clone, Debug, Default)]
pub struct SlotTally {
    pub book: [u32; N_SEG],
    pub book_ind: [u32; N_IND],
    pub rings: [u32; N_RING],
    pub new: u32,
    pub churned: u32,
    /// Customers served this month (phase 4) and their satisfaction.
    pub served: u32,
    pub sat_sum: f64,
    pub surplus: f64,
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

#[derive(Clone, Debug, Default)]
pub struct CityTally {
    /// The month's view of each slot's unit (read-only in the city phases).
    pub views: Vec<crate::views::UnitView>,
    pub slots: Vec<SlotTally>,
    /// Sum and count of satisfaction of each vendor's customers (for reputation).
    pub vendor_sat: Vec<(f64, u32)>,
    /// Buffers the city phases reuse month after month (no allocation in
    /// the month once they have grown).
    pub scratch: CityScratch,
}

/// Per-city working buffers of the city phases; their contents do not
/// outlive a phase.
#[derive(Clone, Debug, Default)]
pub struct CityScratch {
    pub service: Vec<crate::phases::service::Fig>,
    pub service_acc: Vec<crate::phases::service::Acc>,
}

impl CityTally {
    pub fn reset(&mut self, slots: usize, vendors: usize) {
        self.slots.clear();
        self.slots.resize(slots, SlotTally::default());
        self.vendor_sat.clear();
        self.vendor_sat.resize(vendors, (0.0, 0));
    }
}

/// A vendor's money flows of the month, k CNY.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VendorFlows {
    /// Its share of partner units' subscription payments.
    pub share_revenue: f64,
    pub dividends: f64,
    /// Revenue of owned units (full payments and services).
    pub owned_revenue: f64,
    /// Wages and training of owned units, and branch incentives.
    pub owned_costs: f64,
    pub royalties: f64,
    pub enablement: f64,
    pub hosting: f64,
    pub rd: f64,
    pub managers: f64,
    pub training_system: f64,
    pub platform: f64,
    pub revenue: f64,
    pub gross_profit: f64,
    pub profit: f64,
    // Customers and units.
    pub new: u32,
    pub churned: u32,
    pub surplus: f64,
    pub unit_profit_total: f64,
}

/// A unit's P&L of the month, k CNY.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnitFlows {
    pub revenue: f64,
    pub royalties_in: f64,
    pub wages: f64,
    pub training: f64,
    pub profit: f64,
}
