//! Properties on random scenarios: customers and money conserved; shares,
//! satisfaction, capability and trust within [0, 1]; no NaN.

use channelsim_core::ids::{N_SEG, N_TIER, Strategy as Channel};
use channelsim_core::init::build_world;
use channelsim_core::params::{CitySpec, Mix, Policy, VendorSpec};
use channelsim_core::step::Stepper;
use channelsim_core::{METRICS, Scenario};
use proptest::prelude::*;

fn strategy() -> impl Strategy<Value = Option<Channel>> {
    prop_oneof![
        1 => Just(None),
        6 => proptest::sample::select(Channel::ALL.to_vec()).prop_map(Some),
    ]
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        -0.2f64..0.3,
        0.6f64..1.4,
        0.0f64..0.4,
        0.0f64..1.5,
        0.0f64..4.0,
        0.0f64..1.0,
        1u32..30,
        0.0f64..0.2,
        (
            1.0f64..20.0,
            0.0f64..2.0,
            0.0f64..0.5,
            any::<bool>(),
            -0.1f64..0.2,
        ),
    )
        .prop_map(
            |(ss, pf, rd, floor, en, ol, pat, sq, (m, mg, poach, dil, gt))| Policy {
                share_shift: ss,
                price_factor: pf,
                rd_rate: rd,
                rd_floor: floor,
                enablement: en,
                online_level: ol,
                patience: pat,
                squeeze_on_miss: sq,
                managers: m,
                managers_growth: mg,
                poach_on_miss: poach,
                dilute_on_miss: dil,
                growth_target: gt,
            },
        )
}

fn vendor() -> impl Strategy<Value = VendorSpec> {
    (
        proptest::collection::vec(strategy(), N_SEG * N_TIER),
        policy(),
    )
        .prop_map(|(cells, policy)| {
            let mut mix: [[Option<String>; N_SEG]; N_TIER] = Default::default();
            for (i, c) in cells.into_iter().enumerate() {
                mix[i / N_SEG][i % N_SEG] = c.map(|s| s.name().to_string());
            }
            VendorSpec {
                name: String::new(),
                mix: Mix(mix),
                policy_preset: "custom".into(),
                policy,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn random_scenarios_conserve_and_stay_in_bounds(
        vendors in proptest::collection::vec(vendor(), 1..4),
        cities in proptest::collection::vec((1u8..=4, 50u32..1500), 1..6),
        seed in any::<u64>(),
        bass_p in 0.001f64..0.05,
    ) {
        let mut sc = Scenario::single(Channel::Online, "long_term");
        sc.seed = seed;
        sc.horizon_months = 36;
        sc.params.bass_p = bass_p;
        sc.vendors = vendors.into_iter().enumerate().map(|(i, mut v)| { v.name = format!("v{i}"); v }).collect();
        sc.market.cities = cities.into_iter().map(|(tier, enterprises)| CitySpec { tier, enterprises, addressable_share: 1.0 }).collect();
        sc.scale_head_office(|_| false);
        prop_assert!(sc.violations().is_empty(), "{:?}", sc.violations());
        let enterprises = sc.market.total_enterprises();
        let mut world = build_world(&sc, 0);
        let mut stepper = Stepper::new();
        for m in 0..sc.horizon_months {
            let rows = stepper.step(&mut world, &sc);
            let (p, a, l) = world.status_counts();
            prop_assert_eq!(p + a + l, enterprises);
            prop_assert_eq!(rows.iter().map(|r| r.active).sum::<u64>(), a);
            let led = &world.ledger;
            prop_assert!((led.customer_paid - led.unit_booked - led.vendor_booked).abs() <= 1e-8 * led.customer_paid.max(1.0));
            let expect = led.capital_in + led.customer_paid - led.external_costs;
            prop_assert!((world.total_cash() - expect).abs() <= 1e-6 * led.customer_paid.max(1000.0), "month {}", m);
            for r in &rows {
                for (name, x) in METRICS.iter().zip(r.values()) {
                    prop_assert!(x.is_finite(), "{} = {}", name, x);
                }
                for x in [r.share_tier1, r.share_tier2, r.share_tier3, r.share_tier4, r.satisfaction, r.unit_capability, r.trust, r.apps_in_use, r.quality, r.support] {
                    prop_assert!((0.0..=1.0).contains(&x), "{:?}", r);
                }
            }
            for c in &world.cities {
                for b in &c.blocks {
                    for i in b.active_range() {
                        prop_assert!((0.0..=1.0).contains(&c.sat[i]));
                        prop_assert!(c.ring[i] < 5);
                    }
                }
            }
            for u in &world.units {
                prop_assert!((0.0..=1.0).contains(&u.trust));
                prop_assert!((0.0..=1.0).contains(&u.share_first) && (0.0..=1.0).contains(&u.share_renew));
                prop_assert!(u.capability.iter().all(|k| (0.0..=1.0).contains(k)));
                prop_assert!(u.cash.is_finite());
            }
        }
    }
}
