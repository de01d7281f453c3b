//! Money and customers are conserved, every month, for every strategy.

use channelsim_core::Scenario;
use channelsim_core::ids::Strategy;
use channelsim_core::init::build_world;
use channelsim_core::step::Stepper;

fn check(sc: &Scenario, months: u32) {
    let mut world = build_world(sc, 0);
    let enterprises = sc.market.total_enterprises();
    let mut stepper = Stepper::new();
    for m in 0..months {
        let rows = stepper.step(&mut world, sc);
        let (p, a, l) = world.status_counts();
        assert_eq!(
            p + a + l,
            enterprises,
            "customers not conserved at month {m}"
        );
        let active: u64 = rows.iter().map(|r| r.active).sum();
        assert_eq!(
            active, a,
            "vendors' customers differ from active at month {m}"
        );
        let led = &world.ledger;
        let booked = led.unit_booked + led.vendor_booked;
        assert!(
            (led.customer_paid - booked).abs() <= 1e-9 * led.customer_paid.max(1.0),
            "payments {} booked {} at month {m}",
            led.customer_paid,
            booked
        );
        let cash = world.total_cash();
        let expect = led.capital_in + led.customer_paid - led.external_costs;
        assert!(
            (cash - expect).abs() <= 1e-6 * led.customer_paid.max(1.0),
            "cash {cash} expected {expect} at month {m}"
        );
        for r in &rows {
            for (name, x) in channelsim_core::METRICS.iter().zip(r.values()) {
                assert!(x.is_finite(), "{name} is {x} at month {m}");
            }
        }
    }
}

#[test]
fn conservation_every_strategy_both_policies() {
    for s in Strategy::ALL {
        for preset in ["long_term", "short_term"] {
            let mut sc = Scenario::single(s, preset);
            // A smaller market keeps the test fast; the rules are the same.
            sc.market.cities.truncate(6);
            sc.scale_head_office(|_| false);
            check(&sc, 60);
        }
    }
}
