//! The metric catalogue: every metric a result file can hold, in the order
//! of the engine's per-month observation (then the derived ones), with its
//! title, unit, the values it can take and whether it is a headline figure.
//! It is the one list of metric names: the core's observation
//! (`VendorMonth::values`) follows [`OBSERVED`]'s order, and
//! `channelsim-results` re-exports this crate as its `catalogue`. It knows
//! neither the model nor files, and depends on nothing.
//!
//! The engine counts money in k CNY; every file states money in M CNY
//! ([`Unit::to_file`]), in columns whose names end in `_mcny`.

/// What a metric measures, and so how files name and state it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A count of things (customers, units, apps): integers per run.
    Count(&'static str),
    /// A share or mean score in [0, 1].
    Share,
    /// Money, M CNY.
    Mcny,
    /// Money per year, M CNY.
    McnyPerYear,
}

/// k CNY (the engine's money) per M CNY (the files').
pub const KCNY_PER_MCNY: f64 = 1000.0;

impl Unit {
    /// The unit as written in headers and the `unit` column of long files.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Count(what) => what,
            Unit::Share => "share",
            Unit::Mcny => "M CNY",
            Unit::McnyPerYear => "M CNY/year",
        }
    }
    /// The suffix of a column holding this unit.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Mcny | Unit::McnyPerYear => "_mcny",
            Unit::Count(_) | Unit::Share => "",
        }
    }
    pub fn is_money(self) -> bool {
        matches!(self, Unit::Mcny | Unit::McnyPerYear)
    }
    /// A value as the engine reports it (money in k CNY), in file units.
    pub fn to_file(self, engine: f64) -> f64 {
        if self.is_money() {
            engine / KCNY_PER_MCNY
        } else {
            engine
        }
    }
}

/// One metric of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metric {
    /// As the engine's observation and experiment files name it.
    pub name: &'static str,
    /// As result files name it: the name with the unit's suffix.
    pub column: &'static str,
    /// Title for charts and tables.
    pub title: &'static str,
    /// Short title for table headers.
    pub short: &'static str,
    pub unit: Unit,
    /// The values it can take (intervals of a mean are clipped to them).
    pub lo: f64,
    pub hi: f64,
    /// Place in the headline table (terminal, report, default sweep metrics).
    pub headline: Option<u8>,
    /// Compared between variants (`compare.json`), headline ones included.
    pub compared: bool,
    /// Place among the report's time-series charts.
    pub chart: Option<u8>,
    /// A flow of the month (else a stock at the end of the month).
    pub flow: bool,
}

const INF: f64 = f64::INFINITY;

const fn m(
    name: &'static str,
    column: &'static str,
    title: &'static str,
    short: &'static str,
    unit: Unit,
    range: (f64, f64),
) -> Metric {
    Metric {
        name,
        column,
        title,
        short,
        unit,
        lo: range.0,
        hi: range.1,
        headline: None,
        compared: false,
        chart: None,
        flow: false,
    }
}

impl Metric {
    const fn headline(mut self, place: u8) -> Metric {
        self.headline = Some(place);
        self.compared = true;
        self
    }
    const fn compared(mut self) -> Metric {
        self.compared = true;
        self
    }
    const fn chart(mut self, place: u8) -> Metric {
        self.chart = Some(place);
        self
    }
    const fn flow(mut self) -> Metric {
        self.flow = true;
        self
    }
    /// "Title (unit)" for a header.
    pub fn header(&self) -> String {
        match self.unit {
            Unit::Share => self.short.to_string(),
            u => format!("{} ({})", self.short, u.label()),
        }
    }
}

const CUST: Unit = Unit::Count("customers");
const UNITS: Unit = Unit::Count("units");
const APPS: Unit = Unit::Count("apps");
const POS: (f64, f64) = (0.0, INF);
const ANY: (f64, f64) = (-INF, INF);
const UNIT: (f64, f64) = (0.0, 1.0);

/// The engine's per-month observation, in its order (after month and vendor).
pub const OBSERVED: [Metric; 69] = [
    m(
        "active",
        "active",
        "Active customers",
        "Customers",
        CUST,
        POS,
    )
    .headline(3)
    .chart(1),
    m(
        "active_small",
        "active_small",
        "Active small customers",
        "Small",
        CUST,
        POS,
    ),
    m(
        "active_medium",
        "active_medium",
        "Active medium customers",
        "Medium",
        CUST,
        POS,
    ),
    m(
        "active_large",
        "active_large",
        "Active large customers",
        "Large",
        CUST,
        POS,
    ),
    m(
        "active_strategic",
        "active_strategic",
        "Active strategic customers",
        "Strategic",
        CUST,
        POS,
    ),
    m(
        "new_customers",
        "new_customers",
        "New customers per month",
        "New",
        CUST,
        POS,
    )
    .flow(),
    m(
        "churned",
        "churned",
        "Customers churned per month",
        "Churned",
        CUST,
        POS,
    )
    .flow(),
    m(
        "arr",
        "arr_mcny",
        "Annual recurring revenue (ARR)",
        "ARR",
        Unit::McnyPerYear,
        POS,
    )
    .headline(4)
    .chart(2),
    m(
        "revenue",
        "revenue_mcny",
        "Revenue per month",
        "Revenue",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "gross_profit",
        "gross_profit_mcny",
        "Gross profit per month",
        "Gross profit",
        Unit::Mcny,
        ANY,
    )
    .flow(),
    m(
        "profit",
        "profit_mcny",
        "Profit per month",
        "Profit",
        Unit::Mcny,
        ANY,
    )
    .flow(),
    m(
        "cum_profit",
        "cum_profit_mcny",
        "Cumulative profit",
        "Cumulative profit",
        Unit::Mcny,
        ANY,
    )
    .headline(1)
    .chart(3),
    m(
        "npv",
        "npv_mcny",
        "Net present value (NPV) of profit",
        "NPV",
        Unit::Mcny,
        ANY,
    )
    .headline(2)
    .chart(4),
    m(
        "share_tier1",
        "share_tier1",
        "Market share in tier-1 cities",
        "Share T1",
        Unit::Share,
        UNIT,
    ),
    m(
        "share_tier2",
        "share_tier2",
        "Market share in tier-2 cities",
        "Share T2",
        Unit::Share,
        UNIT,
    ),
    m(
        "share_tier3",
        "share_tier3",
        "Market share in tier-3 cities",
        "Share T3",
        Unit::Share,
        UNIT,
    ),
    m(
        "share_tier4",
        "share_tier4",
        "Market share in tier-4 cities",
        "Share T4",
        Unit::Share,
        UNIT,
    ),
    m(
        "satisfaction",
        "satisfaction",
        "Mean customer satisfaction",
        "Satisfaction",
        Unit::Share,
        UNIT,
    )
    .headline(5)
    .chart(5),
    m(
        "ring0",
        "ring0",
        "Customers in ring 0 (work)",
        "Ring 0",
        CUST,
        POS,
    ),
    m(
        "ring1",
        "ring1",
        "Customers in ring 1 (business)",
        "Ring 1",
        CUST,
        POS,
    ),
    m(
        "ring2",
        "ring2",
        "Customers in ring 2 (systems)",
        "Ring 2",
        CUST,
        POS,
    ),
    m(
        "ring3",
        "ring3",
        "Customers in ring 3 (industry chain)",
        "Ring 3",
        CUST,
        POS,
    ),
    m(
        "ring4",
        "ring4",
        "Customers in ring 4 (ecosystem)",
        "Ring 4",
        CUST,
        POS,
    ),
    m(
        "units_alive",
        "units_alive",
        "Channel units alive",
        "Units alive",
        UNITS,
        POS,
    )
    .chart(6),
    m(
        "units_exited",
        "units_exited",
        "Channel units exited",
        "Units exited",
        UNITS,
        POS,
    ),
    m(
        "unit_capability",
        "unit_capability",
        "Mean capability of channel units",
        "Unit capability",
        Unit::Share,
        UNIT,
    )
    .compared()
    .chart(7),
    m(
        "unit_profit_mean",
        "unit_profit_mean_mcny",
        "Mean unit profit per month",
        "Unit profit",
        Unit::Mcny,
        ANY,
    )
    .flow(),
    m(
        "unit_profit_total",
        "unit_profit_total_mcny",
        "Total unit profit per month",
        "Units' profit",
        Unit::Mcny,
        ANY,
    )
    .flow(),
    m(
        "unit_cash",
        "unit_cash_mcny",
        "Unit cash",
        "Unit cash",
        Unit::Mcny,
        ANY,
    ),
    m(
        "trust",
        "trust",
        "Units' trust in the vendor",
        "Trust",
        Unit::Share,
        UNIT,
    )
    .chart(8),
    m(
        "apps_built",
        "apps_built",
        "Scenario apps built",
        "Apps built",
        APPS,
        POS,
    ),
    m(
        "apps_validated",
        "apps_validated",
        "Scenario apps validated",
        "Apps validated",
        APPS,
        POS,
    )
    .chart(9),
    m(
        "apps_in_use",
        "apps_in_use",
        "Customers with an app for their industry",
        "Apps in use",
        Unit::Share,
        UNIT,
    )
    .compared(),
    m(
        "customer_surplus",
        "customer_surplus_mcny",
        "Customer surplus per month",
        "Surplus",
        Unit::Mcny,
        ANY,
    )
    .flow(),
    m(
        "ecosystem_value",
        "ecosystem_value_mcny",
        "Ecosystem value per month",
        "Eco. value",
        Unit::Mcny,
        ANY,
    )
    .flow(),
    m(
        "cum_ecosystem_value",
        "cum_ecosystem_value_mcny",
        "Cumulative ecosystem value",
        "Eco. value (cum.)",
        Unit::Mcny,
        ANY,
    )
    .compared(),
    m(
        "quality",
        "quality",
        "Product quality",
        "Quality",
        Unit::Share,
        UNIT,
    ),
    m(
        "support",
        "support",
        "Vendor support",
        "Support",
        Unit::Share,
        UNIT,
    ),
    m(
        "vendor_cash",
        "vendor_cash_mcny",
        "Vendor cash",
        "Vendor cash",
        Unit::Mcny,
        ANY,
    ), // Every money flow of the month (model v2, docs/model.md 7.7).
    m(
        "cust_subscriptions",
        "cust_subscriptions_mcny",
        "Subscriptions customers paid per month",
        "Subscriptions",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "cust_services",
        "cust_services_mcny",
        "Services customers paid per month",
        "Services",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "customer_paid",
        "customer_paid_mcny",
        "Customers' payments per month",
        "Paid",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "rev_partner_share",
        "rev_partner_share_mcny",
        "Vendor's share of partners' sales per month",
        "Rev. share",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "rev_owned",
        "rev_owned_mcny",
        "Owned units' revenue per month",
        "Rev. owned",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "rev_dividends",
        "rev_dividends_mcny",
        "Dividends from partners per month",
        "Dividends",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "cost_hosting",
        "cost_hosting_mcny",
        "Hosting cost per month",
        "Hosting",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "cost_royalties",
        "cost_royalties_mcny",
        "Royalties paid per month",
        "Royalties",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "cost_owned_wages",
        "cost_owned_wages_mcny",
        "Owned units' wages per month",
        "Owned wages",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "cost_owned_training",
        "cost_owned_training_mcny",
        "Owned units' training per month",
        "Owned training",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "cost_incentives",
        "cost_incentives_mcny",
        "Branch incentives per month",
        "Incentives",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "cost_enablement",
        "cost_enablement_mcny",
        "Enablement cost per month",
        "Enablement",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "cost_managers",
        "cost_managers_mcny",
        "Managers' cost per month",
        "Managers",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "cost_training_system",
        "cost_training_system_mcny",
        "Training system cost per month",
        "Training system",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "cost_platform",
        "cost_platform_mcny",
        "Platform cost per month",
        "Platform",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "cost_rd",
        "cost_rd_mcny",
        "R&D per month",
        "R&D",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "cost_sales_marketing",
        "cost_sales_marketing_mcny",
        "Sales and marketing per month",
        "S&M",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "cost_general",
        "cost_general_mcny",
        "General and administrative cost per month",
        "G&A",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "cost_support",
        "cost_support_mcny",
        "Customer support cost per month",
        "Support",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "profit_before_tax",
        "profit_before_tax_mcny",
        "Profit before tax per month",
        "Pre-tax profit",
        Unit::Mcny,
        ANY,
    )
    .flow(),
    m(
        "cost_tax",
        "cost_tax_mcny",
        "Income tax per month",
        "Tax",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "partner_revenue",
        "partner_revenue_mcny",
        "Partners' revenue per month",
        "Partner rev.",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "partner_royalties",
        "partner_royalties_mcny",
        "Partners' royalties per month",
        "Partner roy.",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "partner_wages",
        "partner_wages_mcny",
        "Partners' wages per month",
        "Partner wages",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "partner_training",
        "partner_training_mcny",
        "Partners' training per month",
        "Partner training",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "partner_profit",
        "partner_profit_mcny",
        "Partners' profit per month",
        "Partner profit",
        Unit::Mcny,
        ANY,
    )
    .flow(),
    m(
        "partner_dividends",
        "partner_dividends_mcny",
        "Partners' dividends paid per month",
        "Partner div.",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "partner_kept",
        "partner_kept_mcny",
        "Profit partners keep per month",
        "Partner kept",
        Unit::Mcny,
        ANY,
    )
    .flow(),
    m(
        "partner_capital",
        "partner_capital_mcny",
        "Capital partners bring in per month",
        "Partner capital",
        Unit::Mcny,
        POS,
    )
    .flow(),
    m(
        "growth_hires",
        "growth_hires",
        "Partners' growth hires per month",
        "Growth hires",
        Unit::Count("staff"),
        POS,
    )
    .flow(),
];

/// The names of [`OBSERVED`], in order: the engine's observation's metric
/// columns (after month and vendor).
pub const OBSERVED_NAMES: [&str; OBSERVED.len()] = {
    let mut names = [""; OBSERVED.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = OBSERVED[i].name;
        i += 1;
    }
    names
};

/// Unit survival at the horizon: `units_alive / (units_alive + units_exited)`.
pub const UNIT_SURVIVAL: Metric = m(
    "unit_survival",
    "unit_survival",
    "Unit survival",
    "Unit survival",
    Unit::Share,
    UNIT,
)
.headline(6);

/// Every metric: the observed ones in order, then the derived.
pub fn all() -> impl Iterator<Item = &'static Metric> {
    OBSERVED.iter().chain(std::iter::once(&UNIT_SURVIVAL))
}

/// A metric by its name or its column name.
pub fn find(name: &str) -> Option<&'static Metric> {
    all().find(|m| m.name == name || m.column == name)
}

/// The ring-count metrics, innermost first.
pub fn rings() -> impl Iterator<Item = &'static Metric> {
    OBSERVED.iter().filter(|m| m.name.starts_with("ring"))
}

fn ordered(place: impl Fn(&Metric) -> Option<u8>) -> Vec<&'static Metric> {
    let mut v: Vec<&'static Metric> = all().filter(|m| place(m).is_some()).collect();
    v.sort_by_key(|m| place(m));
    v
}

/// The headline metrics, in table order.
pub fn headline() -> Vec<&'static Metric> {
    ordered(|m| m.headline)
}

/// The metrics compared between variants: headline ones first, then the rest
/// in catalogue order.
pub fn compared() -> Vec<&'static Metric> {
    let mut v = headline();
    v.extend(all().filter(|m| m.compared && m.headline.is_none()));
    v
}

/// The metrics whose crossovers are reported: the headline cumulative
/// money stocks (cumulative profit, NPV).
pub fn crossed() -> Vec<&'static Metric> {
    headline()
        .into_iter()
        .filter(|m| m.unit == Unit::Mcny && !m.flow)
        .collect()
}

/// The report's time-series metrics, in order.
pub fn charted() -> Vec<&'static Metric> {
    ordered(|m| m.chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_names_with_the_unit_suffix_and_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for m in all() {
            assert_eq!(m.column, format!("{}{}", m.name, m.unit.suffix()));
            assert!(seen.insert(m.name), "{} twice", m.name);
            assert!(m.lo < m.hi, "{}", m.name);
        }
        assert_eq!(find("cum_profit_mcny").map(|m| m.name), Some("cum_profit"));
        assert_eq!(find("npv").map(|m| m.column), Some("npv_mcny"));
        assert!(find("nonsense").is_none());
    }

    #[test]
    fn lists_come_in_their_order() {
        let h: Vec<&str> = headline().iter().map(|m| m.name).collect();
        assert_eq!(
            h,
            [
                "cum_profit",
                "npv",
                "active",
                "arr",
                "satisfaction",
                "unit_survival"
            ]
        );
        assert_eq!(compared().len(), 9);
        let c: Vec<&str> = crossed().iter().map(|m| m.name).collect();
        assert_eq!(c, ["cum_profit", "npv"]);
        assert_eq!(charted().len(), 9);
        assert_eq!(rings().count(), 5);
        assert_eq!(Unit::Mcny.to_file(2500.0), 2.5);
        assert_eq!(Unit::Share.to_file(0.5), 0.5);
    }
}
