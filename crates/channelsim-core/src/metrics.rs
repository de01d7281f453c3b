//! Observations: one row per vendor per month (MODEL.md section 6), and the
//! observer that receives them.

use serde::{Deserialize, Serialize};

/// What the engine reports of one vendor in one month. Money in k CNY.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VendorMonth {
    /// Month index, 1-based: the state at the end of month `month`.
    pub month: u32,
    pub vendor: u32,
    pub active: u64,
    pub active_small: u64,
    pub active_medium: u64,
    pub active_large: u64,
    pub active_strategic: u64,
    pub new_customers: u64,
    pub churned: u64,
    /// Annual recurring revenue at the prices customers pay.
    pub arr: f64,
    pub revenue: f64,
    pub gross_profit: f64,
    /// After income tax (model v2.1): what the vendor's cash moves by;
    /// `cum_profit` and `npv` sum it.
    pub profit: f64,
    pub cum_profit: f64,
    pub npv: f64,
    pub share_tier1: f64,
    pub share_tier2: f64,
    pub share_tier3: f64,
    pub share_tier4: f64,
    pub satisfaction: f64,
    pub ring0: u64,
    pub ring1: u64,
    pub ring2: u64,
    pub ring3: u64,
    pub ring4: u64,
    pub units_alive: u64,
    pub units_exited: u64,
    pub unit_capability: f64,
    pub unit_profit_mean: f64,
    pub unit_profit_total: f64,
    pub unit_cash: f64,
    pub trust: f64,
    pub apps_built: u64,
    pub apps_validated: u64,
    /// Share of active customers with an app available for their industry.
    pub apps_in_use: f64,
    pub customer_surplus: f64,
    /// Vendor profit + what its partner units keep + customer surplus, this
    /// month: each flow once (owned units' profit is inside the vendor's,
    /// dividends are a transfer).
    pub ecosystem_value: f64,
    pub cum_ecosystem_value: f64,
    pub quality: f64,
    pub support: f64,
    pub vendor_cash: f64,
    // Every money flow of the month (model v2): what customers paid, the
    // vendor's revenue and costs (revenue - costs = profit), its partner
    // units' accounts. The identities between them are tested every month
    // (tests/accounts.rs).
    /// Subscriptions its customers paid this month, after intra-brand discounts.
    pub cust_subscriptions: f64,
    /// Implementation and expansion services its customers paid.
    pub cust_services: f64,
    /// cust_subscriptions + cust_services.
    pub customer_paid: f64,
    /// Its share of partner units' customers' subscriptions.
    pub rev_partner_share: f64,
    /// Owned units' subscriptions, services and royalties in.
    pub rev_owned: f64,
    /// Dividends of partner units it holds equity in.
    pub rev_dividends: f64,
    pub cost_hosting: f64,
    /// Royalties paid to the units whose apps its customers use.
    pub cost_royalties: f64,
    pub cost_owned_wages: f64,
    pub cost_owned_training: f64,
    /// Branch incentives (amoeba).
    pub cost_incentives: f64,
    pub cost_enablement: f64,
    pub cost_managers: f64,
    pub cost_training_system: f64,
    pub cost_platform: f64,
    pub cost_rd: f64,
    pub cost_sales_marketing: f64,
    pub cost_general: f64,
    /// Customer support and success (cost of revenue, model v2.1).
    pub cost_support: f64,
    /// Revenue less every cost but income tax.
    pub profit_before_tax: f64,
    /// Income tax (profit = profit_before_tax - cost_tax).
    pub cost_tax: f64,
    /// Partner units (not owned): their share of subscriptions and their services.
    pub partner_revenue: f64,
    pub partner_royalties: f64,
    pub partner_wages: f64,
    pub partner_training: f64,
    pub partner_profit: f64,
    /// Paid to the vendor (inside rev_dividends).
    pub partner_dividends: f64,
    /// partner_profit - partner_dividends.
    pub partner_kept: f64,
    /// Capital partners brought into new units this month (their starting cash).
    pub partner_capital: f64,
    /// Sellers its partner units hired from their growth funds this month (B1).
    pub growth_hires: u64,
}

/// The names of `VendorMonth`'s metric columns, in order (after month,
/// vendor): the metric catalogue's (`channelsim-metrics`), the one list of
/// them; a test below checks that `values()` follows it field by field.
pub const METRICS: &[&str] = &channelsim_metrics::OBSERVED_NAMES;

/// How many metrics `VendorMonth` reports.
pub const N_METRICS: usize = channelsim_metrics::OBSERVED.len();

impl VendorMonth {
    /// Metric values in `METRICS` order.
    pub fn values(&self) -> [f64; N_METRICS] {
        [
            self.active as f64,
            self.active_small as f64,
            self.active_medium as f64,
            self.active_large as f64,
            self.active_strategic as f64,
            self.new_customers as f64,
            self.churned as f64,
            self.arr,
            self.revenue,
            self.gross_profit,
            self.profit,
            self.cum_profit,
            self.npv,
            self.share_tier1,
            self.share_tier2,
            self.share_tier3,
            self.share_tier4,
            self.satisfaction,
            self.ring0 as f64,
            self.ring1 as f64,
            self.ring2 as f64,
            self.ring3 as f64,
            self.ring4 as f64,
            self.units_alive as f64,
            self.units_exited as f64,
            self.unit_capability,
            self.unit_profit_mean,
            self.unit_profit_total,
            self.unit_cash,
            self.trust,
            self.apps_built as f64,
            self.apps_validated as f64,
            self.apps_in_use,
            self.customer_surplus,
            self.ecosystem_value,
            self.cum_ecosystem_value,
            self.quality,
            self.support,
            self.vendor_cash,
            self.cust_subscriptions,
            self.cust_services,
            self.customer_paid,
            self.rev_partner_share,
            self.rev_owned,
            self.rev_dividends,
            self.cost_hosting,
            self.cost_royalties,
            self.cost_owned_wages,
            self.cost_owned_training,
            self.cost_incentives,
            self.cost_enablement,
            self.cost_managers,
            self.cost_training_system,
            self.cost_platform,
            self.cost_rd,
            self.cost_sales_marketing,
            self.cost_general,
            self.cost_support,
            self.profit_before_tax,
            self.cost_tax,
            self.partner_revenue,
            self.partner_royalties,
            self.partner_wages,
            self.partner_training,
            self.partner_profit,
            self.partner_dividends,
            self.partner_kept,
            self.partner_capital,
            self.growth_hires as f64,
        ]
    }

    /// One metric by name.
    pub fn get(&self, name: &str) -> Option<f64> {
        METRICS
            .iter()
            .position(|m| *m == name)
            .map(|i| self.values()[i])
    }
}

/// Receives each month's observations as the run goes.
pub trait Observer {
    fn month(&mut self, rows: &[VendorMonth]);
}

/// Keeps every row in memory (tests and small runs).
#[derive(Default)]
pub struct Collect(pub Vec<VendorMonth>);

impl Observer for Collect {
    fn month(&mut self, rows: &[VendorMonth]) {
        self.0.extend_from_slice(rows);
    }
}

/// Keeps only the last month's rows.
#[derive(Default)]
pub struct Last(pub Vec<VendorMonth>);

impl Observer for Last {
    fn month(&mut self, rows: &[VendorMonth]) {
        self.0 = rows.to_vec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each field of the observation is read by `values()` at the place the
    /// catalogue gives its name (issue 13: the names exist once, in
    /// `channelsim-metrics`). Every field gets a distinct value through serde
    /// (which knows the fields by name), then `values()` must return them
    /// in catalogue order.
    #[test]
    fn issue13_values_follow_the_catalogue_field_by_field() {
        let toml::Value::Table(mut t) = toml::Value::try_from(VendorMonth::default()).unwrap()
        else {
            panic!("a table");
        };
        let mut fields: Vec<&str> = t
            .keys()
            .map(String::as_str)
            .filter(|k| !["month", "vendor"].contains(k))
            .collect();
        fields.sort_unstable();
        let mut names = METRICS.to_vec();
        names.sort_unstable();
        assert_eq!(
            fields, names,
            "the observation's fields are the catalogue's names"
        );
        for (i, name) in METRICS.iter().enumerate() {
            let v = t.get_mut(*name).unwrap();
            *v = match v {
                toml::Value::Integer(_) => toml::Value::Integer(i as i64 + 1),
                _ => toml::Value::Float(i as f64 + 1.0),
            };
        }
        let vm: VendorMonth = toml::Value::Table(t).try_into().unwrap();
        for (i, (name, x)) in METRICS.iter().zip(vm.values()).enumerate() {
            assert_eq!(x, i as f64 + 1.0, "{name}");
            assert_eq!(vm.get(name), Some(x));
        }
    }
}
