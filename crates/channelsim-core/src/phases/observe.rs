//! Phase 11, observe: the month's figures per vendor (MODEL.md section 6).

use crate::metrics::VendorMonth;
use crate::month::Scratch;
use crate::params::Scenario;
use crate::world::World;

pub fn run(world: &World, sc: &Scenario, s: &Scratch) -> Vec<VendorMonth> {
    let nv = world.vendors.len();
    let mut rows: Vec<VendorMonth> = (0..nv)
        .map(|v| VendorMonth {
            month: world.month + 1,
            vendor: v as u32,
            ..Default::default()
        })
        .collect();
    let mut tier_size = [0u64; 4];
    let mut tier_active = vec![[0u64; 4]; nv];
    // Satisfaction of the customers served this month (phase 4), and
    // their number: some of them have left by the month's end.
    let mut sat = vec![0.0f64; nv];
    let mut served = vec![0u64; nv];
    let mut with_app = vec![0u64; nv];
    for (city, tally) in world.cities.iter().zip(&s.tallies) {
        let t = (city.tier - 1) as usize;
        tier_size[t] += city.blocks.iter().map(|b| b.len as u64).sum::<u64>();
        for (st, view) in tally.slots.iter().zip(&tally.views) {
            let v = view.vendor as usize;
            let r = &mut rows[v];
            let n: u64 = st.book.iter().map(|&x| x as u64).sum();
            r.active += n;
            r.active_small += st.book[0] as u64;
            r.active_medium += st.book[1] as u64;
            r.active_large += st.book[2] as u64;
            r.active_strategic += st.book[3] as u64;
            r.arr += st.arr;
            r.ring0 += st.rings[0] as u64;
            r.ring1 += st.rings[1] as u64;
            r.ring2 += st.rings[2] as u64;
            r.ring3 += st.rings[3] as u64;
            r.ring4 += st.rings[4] as u64;
            tier_active[v][t] += n;
            with_app[v] += st.apps_in_use as u64;
        }
        for (v, t) in tally.served.iter().enumerate() {
            sat[v] += t.sat;
            served[v] += t.n as u64;
        }
    }
    let mut alive = vec![0u64; nv];
    let mut cap = vec![0.0f64; nv];
    let mut trust = vec![0.0f64; nv];
    let mut cash = vec![0.0f64; nv];
    for u in world.live_units() {
        let v = u.vendor.idx();
        alive[v] += 1;
        cap[v] += u.mean_capability();
        trust[v] += u.trust;
        cash[v] += u.cash;
    }
    let mut built = vec![0u64; nv];
    let mut validated = vec![0u64; nv];
    for a in &world.apps {
        built[a.vendor.idx()] += 1;
        validated[a.vendor.idx()] += a.validated as u64;
    }
    let mean = |sum: f64, n: u64| if n > 0 { sum / n as f64 } else { 0.0 };
    for (v, r) in rows.iter_mut().enumerate() {
        let f = &s.vendor_flows[v];
        let vendor = &world.vendors[v];
        r.new_customers = f.new as u64;
        r.churned = f.churned as u64;
        r.revenue = f.revenue;
        r.gross_profit = f.gross_profit;
        r.profit = f.profit;
        r.cum_profit = vendor.cum_profit;
        r.npv = vendor.npv;
        let share = |t: usize| mean(tier_active[v][t] as f64, tier_size[t]);
        r.share_tier1 = share(0);
        r.share_tier2 = share(1);
        r.share_tier3 = share(2);
        r.share_tier4 = share(3);
        r.satisfaction = mean(sat[v], served[v]);
        r.units_alive = alive[v];
        r.units_exited = vendor.units_exited as u64;
        r.unit_capability = mean(cap[v], alive[v]);
        r.unit_profit_total = f.unit_profit_total;
        r.unit_profit_mean = mean(f.unit_profit_total, alive[v]);
        r.unit_cash = cash[v];
        r.trust = mean(trust[v], alive[v]);
        r.apps_built = built[v];
        r.apps_validated = validated[v];
        r.apps_in_use = mean(with_app[v] as f64, r.active);
        r.customer_surplus = f.surplus;
        r.cust_subscriptions = f.cust_subscriptions;
        r.cust_services = f.cust_services;
        r.customer_paid = f.cust_subscriptions + f.cust_services;
        r.rev_partner_share = f.share_revenue;
        r.rev_owned = f.owned_revenue;
        r.rev_dividends = f.dividends;
        r.cost_hosting = f.hosting;
        r.cost_royalties = f.royalties;
        r.cost_owned_wages = f.owned_wages;
        r.cost_owned_training = f.owned_training;
        r.cost_incentives = f.incentives;
        r.cost_enablement = f.enablement;
        r.cost_managers = f.managers;
        r.cost_training_system = f.training_system;
        r.cost_platform = f.platform;
        r.cost_rd = f.rd;
        r.cost_sales_marketing = f.sales_marketing;
        r.cost_general = f.general;
        r.cost_support = f.support;
        r.profit_before_tax = f.profit_before_tax;
        r.cost_tax = f.tax;
        r.growth_hires = f.growth_hires as u64;
        r.partner_revenue = f.partner_revenue;
        r.partner_royalties = f.partner_royalties;
        r.partner_wages = f.partner_wages;
        r.partner_training = f.partner_training;
        r.partner_profit = f.partner_profit;
        r.partner_dividends = f.partner_dividends;
        r.partner_kept = f.partner_profit - f.partner_dividends;
        r.partner_capital = vendor.partner_capital - f.capital_before;
        // Each flow once: owned units' profit is inside the vendor's,
        // dividends move money from partners to the vendor.
        r.ecosystem_value = f.profit + r.partner_kept + f.surplus;
        r.quality = vendor.quality;
        r.support = vendor.support();
        r.vendor_cash = vendor.cash;
    }
    let _ = sc;
    rows
}

#[cfg(test)]
mod tests {
    use crate::ids::Strategy;
    use crate::testkit::{scenario, stepped};

    #[test]
    fn rows_add_up_to_the_world() {
        let sc = scenario(Strategy::Traditional, "long_term");
        let (mut w, mut st) = stepped(&sc, 30);
        let rows = st.step(&mut w, &sc);
        let r = &rows[0];
        assert_eq!(r.month, 31);
        assert_eq!(r.active, w.status_counts().1);
        assert_eq!(
            r.active,
            r.active_small + r.active_medium + r.active_large + r.active_strategic
        );
        assert_eq!(r.active, r.ring0 + r.ring1 + r.ring2 + r.ring3 + r.ring4);
        assert_eq!(
            r.units_alive as usize,
            w.units.iter().filter(|u| u.alive).count()
        );
        assert!(
            (r.ecosystem_value - (r.profit + r.partner_kept + r.customer_surplus)).abs() < 1e-6
        );
    }

    /// Mean satisfaction is over the customers served this month: those who
    /// leave after service must not count in the sum only (it could exceed 1).
    #[test]
    fn satisfaction_is_the_mean_over_the_customers_served() {
        let sc = scenario(Strategy::Traditional, "short_term");
        let (mut w, mut st) = stepped(&sc, 12);
        let mut churn_months = 0;
        for _ in 0..24 {
            let r = st.step(&mut w, &sc)[0].clone();
            let (sum, n) = st
                .scratch
                .tallies
                .iter()
                .flat_map(|t| &t.served)
                .fold((0.0, 0u64), |(s, n), t| (s + t.sat, n + t.n as u64));
            assert!((r.satisfaction - sum / n as f64).abs() < 1e-12);
            assert!((0.0..=1.0).contains(&r.satisfaction));
            churn_months += (r.churned > 0) as u32;
        }
        assert!(churn_months > 0);
    }
}
