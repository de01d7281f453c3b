//! Phase 9, vendor economics: the vendor books its revenue (its share of
//! partners' payments, dividends, its owned units) and head-office costs
//! (hosting, R&D, enablement, managers, the training system, the
//! three-onlines platform, selling and general costs, customer support) and
//! pays income tax on its profit after losses carried forward; R&D builds
//! the product's quality, which decays as the market moves on.

use crate::month::Scratch;
use crate::params::{RdHold, Scenario};
use crate::world::World;

pub fn run(world: &mut World, sc: &Scenario, s: &mut Scratch) {
    let p = &sc.params;
    let month = world.month;
    let mut arr = vec![0.0; world.vendors.len()];
    // ARR of the customers the vendor's support serves, weighted by the
    // share of support it carries: all of it for its own units' customers,
    // the escalations for partners' (they take first line).
    let mut supported = vec![0.0; world.vendors.len()];
    // (Each slot's vendor and kind from its view of the month.)
    for tally in &s.tallies {
        for (t, view) in tally.slots.iter().zip(&tally.views) {
            let v = view.vendor as usize;
            arr[v] += t.arr;
            let carried = if view.kind_owned {
                1.0
            } else {
                p.support_partner
            };
            supported[v] += carried * t.arr;
        }
    }
    let mut has_cells = vec![false; world.vendors.len()];
    for u in world.live_units() {
        if p.kinds.get(u.kind).training_system {
            has_cells[u.vendor.idx()] = true;
        }
    }
    for (v, vendor) in world.vendors.iter_mut().enumerate() {
        let f = &mut s.vendor_flows[v];
        let pol = &vendor.policy;
        f.hosting = p.hosting * arr[v] / 12.0 * (1.0 - 0.5 * pol.online_level);
        f.revenue = f.share_revenue + f.dividends + f.owned_revenue;
        f.support = p.support * supported[v] / 12.0;
        let owned_costs = f.owned_wages + f.owned_training + f.incentives;
        f.gross_profit = f.revenue - f.hosting - f.support - f.royalties - owned_costs;
        f.managers = p.manager_cost * vendor.managers;
        f.training_system = if has_cells[v] { p.training_system } else { 0.0 };
        f.platform = p.platform_cost * pol.online_level;
        // A software firm's selling and general costs beyond what the model
        // pays already (owned units' sellers, partners' shares): shares of
        // revenue (docs/model.md 7.9).
        f.sales_marketing = p.sales_marketing * f.revenue;
        f.general = p.general_admin * f.revenue;
        let overhead = f.enablement
            + f.managers
            + f.training_system
            + f.platform
            + f.sales_marketing
            + f.general;
        let rd_min = p.rd_min;
        let normal = (pol.rd_rate * f.revenue).max(rd_min);
        // In loss-making months (reading `rd_hold`: all, or only once the
        // vendor has been profitable), and after a missed target, R&D is
        // held at the policy's floor (a share of last year's average).
        let losing = f.gross_profit - overhead - normal < 0.0;
        vendor.profitable_once |= !losing;
        let hold = losing && (sc.model.rd_hold == RdHold::LossMonths || vendor.profitable_once);
        f.rd = if hold || month < vendor.rd_cut_until {
            (pol.rd_floor * last_year_average(&vendor.rd_history, month)).max(rd_min)
        } else {
            normal
        };
        f.profit_before_tax = f.gross_profit - overhead - f.rd;
        f.tax = income_tax(&mut vendor.tax_losses, f.profit_before_tax, p.tax_rate);
        f.profit = f.profit_before_tax - f.tax;
        vendor.cash += f.profit;
        vendor.cum_profit += f.profit;
        vendor.npv += f.profit / (1.0 + sc.discount_rate).powf((month + 1) as f64 / 12.0);
        vendor.quarter_revenue += f.revenue;
        vendor.rd_history[(month % 12) as usize] = f.rd;
        vendor.rd_stock = vendor.rd_stock * (1.0 - p.rd_depreciation) + f.rd;
        // Quality is R&D stock against a moving frontier (B5): what was
        // leading last year is ordinary this year.
        let frontier = p.rd_scale * p.frontier(month);
        vendor.quality =
            p.quality_floor + p.quality_span * (1.0 - (-vendor.rd_stock / frontier).exp());
        world.ledger.external_costs += f.hosting + f.support + f.rd + overhead + f.tax;
    }
}

/// Income tax on a month's pre-tax `profit` at `rate`: a loss adds to the
/// losses carried forward; a profit is first set against them and the rest
/// is taxed. Monthly: a loss is set against later months' profit; an
/// annual return would also set it against the same year's earlier months,
/// so the two differ only in when the tax is paid. Losses never expire: China lets high-tech enterprises carry them
/// forward 10 years (Caishui [2018] No. 76), the model's horizon.
fn income_tax(losses: &mut f64, profit: f64, rate: f64) -> f64 {
    if profit <= 0.0 {
        *losses -= profit;
        return 0.0;
    }
    let offset = losses.min(profit);
    *losses -= offset;
    rate * (profit - offset)
}

/// Average monthly R&D of last year, over the months elapsed before
/// `month` (at most 12): in year 1 the history's slots not yet written are
/// zero and do not count. 0 in month 0.
fn last_year_average(history: &[f64; 12], month: u32) -> f64 {
    history.iter().sum::<f64>() / month.clamp(1, 12) as f64
}

#[cfg(test)]
mod tests {
    use crate::ids::Strategy;
    use crate::testkit::{scenario, stepped};

    #[test]
    fn r_and_d_builds_quality_and_never_falls_below_its_minimum() {
        let sc = scenario(Strategy::JointVenture, "long_term");
        let (w, st) = stepped(&sc, 60);
        let v = &w.vendors[0];
        assert!(v.quality > sc.params.start_quality, "quality {}", v.quality);
        assert!(v.quality < sc.params.quality_floor + sc.params.quality_span);
        let min = sc.params.rd_min;
        assert!(st.scratch.vendor_flows[0].rd >= min - 1e-9);
        assert!(v.rd_history.iter().all(|&r| r >= min - 1e-9));
    }

    /// MODEL.md: R&D is kept at the floor, a share of last year's average;
    /// in year 1 that is the average of the months elapsed, not a twelfth
    /// of their sum.
    #[test]
    fn section7_rd_floor_in_year_one_averages_the_months_elapsed() {
        let sc = scenario(Strategy::JointVenture, "long_term");
        assert_eq!(sc.vendors[0].policy.rd_floor, 1.0);
        let (mut w, mut st) = stepped(&sc, 3);
        assert_eq!(w.month, 3);
        let v = &mut w.vendors[0];
        v.rd_history = [0.0; 12];
        v.rd_history[..3].copy_from_slice(&[900.0, 1200.0, 1500.0]);
        // Within three months of a missed target: R&D at the floor.
        v.rd_cut_until = 6;
        super::run(&mut w, &sc, &mut st.scratch);
        let rd = st.scratch.vendor_flows[0].rd;
        assert!((rd - 1200.0).abs() < 1e-9, "R&D {rd}");
        assert_eq!(super::last_year_average(&[0.0; 12], 0), 0.0);
        assert_eq!(super::last_year_average(&[12.0; 12], 30), 12.0);
    }

    /// Issue 11, reading `rd_hold`: in a month that would lose money at
    /// the normal rate, R&D is held at the floor from the start
    /// (`loss_months`), or, with `after_first_profit`, only once the vendor
    /// has had a profitable month; before that it spends the normal rate.
    #[test]
    fn issue11_rd_hold_reading_decides_a_start_ups_r_and_d() {
        use crate::params::RdHold;
        let mut sc = scenario(Strategy::JointVenture, "long_term");
        let (w0, mut st) = stepped(&sc, 36);
        // Costs that make every month a loss at the normal rate.
        sc.params.general_admin = 0.9;
        // Phase 9 again on month 36's flows (it sets them, never adds).
        let mut rd = |reading: RdHold, profitable_once: bool| {
            let mut sc = sc.clone();
            sc.model.rd_hold = reading;
            let mut w = w0.clone();
            w.vendors[0].profitable_once = profitable_once;
            w.vendors[0].rd_cut_until = 0;
            w.vendors[0].rd_history = [0.0; 12];
            super::run(&mut w, &sc, &mut st.scratch);
            let f = &st.scratch.vendor_flows[0];
            assert!(f.profit_before_tax < 0.0);
            (f.rd, f.revenue)
        };
        let (held, revenue) = rd(RdHold::LossMonths, false);
        let rate = sc.vendors[0].policy.rd_rate;
        assert!(rate * revenue > 2.0 * sc.params.rd_min, "revenue {revenue}");
        assert_eq!(held, sc.params.rd_min);
        let (normal, _) = rd(RdHold::AfterFirstProfit, false);
        assert!((normal - rate * revenue).abs() < 1e-9 * normal, "{normal}");
        assert_eq!(rd(RdHold::AfterFirstProfit, true).0, sc.params.rd_min);
        assert_eq!(rd(RdHold::LossMonths, true).0, sc.params.rd_min);
    }
}
