//! The cumulative-profit gap of two variants split into additive drivers
//! (docs/results.md, "Drivers of a profit gap"). Per replicate (paired) and
//! month, the vendor's revenue is written `R = N x p x s` (customers x paid
//! per customer x the vendor's take of it) and the month's difference of
//! `N p s` is split between the three factors by their Shapley values,
//! which sum exactly to it; the customer effect is split into customers won
//! and kept by the cumulative new customers, the paid-per-customer effect
//! into subscription price and services (expansion). Each cost's difference
//! is a driver of its own (with the sign of its effect on profit). The
//! drivers sum to the profit difference month by month, hence over months
//! and replicates to the mean cumulative-profit gap.

use crate::answer::Runs;
use channelsim_results::answer::DRIVERS;
use channelsim_results::catalogue::KCNY_PER_MCNY;
use channelsim_results::{AnswerRow, DriverRow};

/// Cost columns (engine names) behind each named cost driver; the rest of
/// the costs (revenue - profit) is "other costs". Columns the engine does
/// not report count as zero, so all costs are then "other costs".
const COSTS: [(&str, &[&str]); 7] = [
    ("R&D", &["cost_rd"]),
    ("enablement", &["cost_enablement", "cost_training_system"]),
    ("managers", &["cost_managers"]),
    ("hosting", &["cost_hosting"]),
    ("partner royalties", &["cost_royalties"]),
    ("customer support", &["cost_support"]),
    ("income tax", &["cost_tax"]),
];

/// One variant's monthly figures for one replicate (k CNY).
struct Month {
    revenue: f64,
    profit: f64,
    customers: f64,
    /// Cumulative new customers to this month.
    won: f64,
    /// What customers paid (subscriptions + services), and its subscriptions.
    paid: f64,
    subscriptions: f64,
    costs: [f64; 7],
}

/// `[replicate][month]` of one variant.
fn months(r: &Runs, vi: usize) -> Vec<Vec<Month>> {
    let get = |n: &str| r.series(vi, n);
    let zero = || -> Vec<Vec<f64>> {
        let p = get("profit").unwrap_or_default();
        p.iter().map(|s| vec![0.0; s.len()]).collect()
    };
    let revenue = get("revenue").unwrap_or_default();
    let profit = get("profit").unwrap_or_default();
    let active = get("active").unwrap_or_default();
    let new = get("new_customers").unwrap_or_default();
    // Without the money-flow columns, what customers pay is read from ARR
    // (a year of subscriptions at the prices paid), all of it "price".
    let (paid, subs) = match (get("customer_paid"), get("cust_subscriptions")) {
        (Some(p), Some(s)) => (p, s),
        _ => {
            let a: Vec<Vec<f64>> = get("arr")
                .unwrap_or_default()
                .iter()
                .map(|s| s.iter().map(|x| x / 12.0).collect())
                .collect();
            (a.clone(), a)
        }
    };
    let costs: Vec<Vec<Vec<f64>>> = COSTS
        .iter()
        .map(|(_, cols)| {
            let mut t = zero();
            for c in *cols {
                if let Some(v) = get(c) {
                    for (a, b) in t.iter_mut().zip(v) {
                        for (x, y) in a.iter_mut().zip(b) {
                            *x += y;
                        }
                    }
                }
            }
            t
        })
        .collect();
    (0..profit.len())
        .map(|i| {
            let mut won = 0.0;
            (0..profit[i].len())
                .map(|t| {
                    won += new[i][t];
                    Month {
                        revenue: revenue[i][t],
                        profit: profit[i][t],
                        customers: active[i][t],
                        won,
                        paid: paid[i][t],
                        subscriptions: subs[i][t],
                        costs: std::array::from_fn(|k| costs[k][i][t]),
                    }
                })
                .collect()
        })
        .collect()
}

/// Shapley weights of a product `x y z` moving from `b` to `a`: the effect
/// of x is `(x_a - x_b) * w(y, z)` with
/// `w = (y_b z_b + y_a z_a) / 3 + (y_b z_a + y_a z_b) / 6`; the three
/// effects sum to `x_a y_a z_a - x_b y_b z_b`.
fn weight(yb: f64, ya: f64, zb: f64, za: f64) -> f64 {
    (yb * zb + ya * za) / 3.0 + (yb * za + ya * zb) / 6.0
}

/// Customers, paid per customer and take; all zero in a month without
/// customers or payments (its revenue is then "other revenue").
fn factors(m: &Month) -> (f64, f64, f64) {
    if m.customers > 0.0 && m.paid > 0.0 {
        (m.customers, m.paid / m.customers, m.revenue / m.paid)
    } else {
        (0.0, 0.0, 0.0)
    }
}

/// The drivers of one month's profit difference `a - b`, in [`DRIVERS`] order.
fn month_drivers(a: &Month, b: &Month) -> [f64; 14] {
    let (na, pa, sa) = factors(a);
    let (nb, pb, sb) = factors(b);
    let wn = weight(pb, pa, sb, sa);
    let wp = weight(nb, na, sb, sa);
    let ws = weight(nb, na, pb, pa);
    let customers = (na - nb) * wn;
    let won = if na > 0.0 && nb > 0.0 {
        (a.won - b.won) * wn
    } else {
        0.0
    };
    let price_per = |m: &Month, n: f64| if n > 0.0 { m.subscriptions / n } else { 0.0 };
    let price = (price_per(a, na) - price_per(b, nb)) * wp;
    let paid_effect = (pa - pb) * wp;
    let take = (sa - sb) * ws;
    let core = na * pa * sa - nb * pb * sb;
    let other_revenue = (a.revenue - b.revenue) - core;
    let mut d = [0.0; 14];
    d[0] = won;
    d[1] = customers - won;
    d[2] = paid_effect - price;
    d[3] = price;
    d[4] = take;
    d[5] = other_revenue;
    let cost = |m: &Month| m.revenue - m.profit;
    let mut named = 0.0;
    for k in 0..COSTS.len() {
        let diff = a.costs[k] - b.costs[k];
        d[6 + k] = -diff;
        named += diff;
    }
    d[6 + COSTS.len()] = -((cost(a) - cost(b)) - named);
    d
}

/// The drivers of `a - b` (variants), mean over paired replicates, M CNY,
/// and the gap they sum to.
pub fn split(r: &Runs, a: usize, b: usize) -> ([f64; 14], f64) {
    let (ma, mb) = (months(r, a), months(r, b));
    let n = ma.len().min(mb.len()).max(1) as f64;
    let mut total = [0.0; 14];
    let mut gap = 0.0;
    for (ra, rb) in ma.iter().zip(&mb) {
        for (x, y) in ra.iter().zip(rb) {
            for (t, v) in total.iter_mut().zip(month_drivers(x, y)) {
                *t += v;
            }
            gap += x.profit - y.profit;
        }
    }
    (
        total.map(|v| v / n / KCNY_PER_MCNY),
        gap / n / KCNY_PER_MCNY,
    )
}

/// The drivers of the winner against the runner-up and of each strategy's
/// long- against short-term, the pairs of the answer.
pub fn drivers(r: &Runs, answer: &[AnswerRow]) -> Vec<DriverRow> {
    let mut out = Vec::new();
    for a in answer
        .iter()
        .filter(|a| a.kind == "winner" || a.kind == "policy")
    {
        let (Some(ai), Some(bi)) = (r.index(&a.variant), r.index(&a.other)) else {
            continue;
        };
        let (d, gap) = split(r, ai, bi);
        for (name, v) in DRIVERS.iter().zip(d) {
            out.push(DriverRow {
                pair: a.kind.clone(),
                strategy: a.strategy.clone(),
                a: a.variant.clone(),
                b: a.other.clone(),
                driver: name.to_string(),
                value_mcny: v,
                gap_mcny: gap,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(rev: f64, profit: f64, n: f64, won: f64, paid: f64, subs: f64) -> Month {
        Month {
            revenue: rev,
            profit,
            customers: n,
            won,
            paid,
            subscriptions: subs,
            costs: [10.0, 5.0, 3.0, 2.0, 1.0, 4.0, 6.0],
        }
    }

    #[test]
    fn a_month_s_drivers_sum_to_its_profit_difference() {
        let a = month(900.0, 300.0, 120.0, 150.0, 1000.0, 800.0);
        let mut b = month(700.0, 350.0, 100.0, 110.0, 900.0, 600.0);
        b.costs = [20.0, 1.0, 0.0, 7.0, 0.5, 3.0, 9.0];
        let d = month_drivers(&a, &b);
        let sum: f64 = d.iter().sum();
        assert!((sum - (300.0 - 350.0)).abs() < 1e-9, "{sum}");
        // More customers and more of them won: both customer drivers count.
        assert!(d[0] > 0.0);
        // R&D cost 10 less in a: +10 to a's profit.
        assert!((d[6] - 10.0).abs() < 1e-12);
        // Support 1 more and tax 3 less in a (engine 0.6.0).
        assert!((d[11] + 1.0).abs() < 1e-12);
        assert!((d[12] - 3.0).abs() < 1e-12);
    }

    #[test]
    fn with_no_customers_revenue_is_other_revenue() {
        let a = month(50.0, 10.0, 0.0, 0.0, 0.0, 0.0);
        let b = month(0.0, -5.0, 0.0, 0.0, 0.0, 0.0);
        let d = month_drivers(&a, &b);
        assert_eq!(d[5], 50.0);
        assert!((d.iter().sum::<f64>() - 15.0).abs() < 1e-12);
    }

    #[test]
    fn only_the_factor_that_moves_gets_the_effect() {
        // Same customers and take, a higher price: all of the revenue
        // difference is price.
        let a = month(1200.0, 0.0, 100.0, 100.0, 1200.0, 1200.0);
        let b = month(1000.0, 0.0, 100.0, 100.0, 1000.0, 1000.0);
        let d = month_drivers(&a, &b);
        assert!((d[3] - 200.0).abs() < 1e-9, "{d:?}");
        for k in [0, 1, 2, 4, 5] {
            assert!(d[k].abs() < 1e-9, "{k}: {d:?}");
        }
    }
}
