//! Mechanism tests, ceteris paribus, on common random numbers: change one
//! lever, keep everything else, and check the direction of the effect.

use channelsim_core::ids::Strategy;
use channelsim_core::init::build_world;
use channelsim_core::metrics::Last;
use channelsim_core::step::Stepper;
use channelsim_core::{Scenario, VendorMonth, run_replicate};

fn small(s: Strategy, preset: &str) -> Scenario {
    let mut sc = Scenario::single(s, preset);
    sc.market.cities.truncate(12);
    sc.scale_head_office(|_| false);
    sc
}

fn finals(sc: &Scenario, reps: u32) -> Vec<VendorMonth> {
    (0..reps)
        .map(|r| {
            let mut l = Last::default();
            run_replicate(sc, r, &mut l);
            l.0[0].clone()
        })
        .collect()
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = xs.collect();
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn a_higher_share_keeps_more_units_alive() {
    let mut lo = small(Strategy::Traditional, "long_term");
    lo.policy_mut().share_shift = -0.10;
    let mut hi = lo.clone();
    hi.policy_mut().share_shift = 0.15;
    let survival = |rows: &[VendorMonth]| {
        mean(
            rows.iter()
                .map(|r| r.units_alive as f64 / (r.units_alive + r.units_exited) as f64),
        )
    };
    let (a, b) = (survival(&finals(&lo, 6)), survival(&finals(&hi, 6)));
    assert!(
        b > a,
        "unit survival with the higher share {b:.3} not above {a:.3}"
    );
}

#[test]
fn management_overload_weakens_joint_ventures() {
    let ample = small(Strategy::JointVenture, "long_term");
    let mut short = ample.clone();
    short.policy_mut().managers = 2.0;
    short.policy_mut().managers_growth = 0.0;
    let (a, b) = (finals(&ample, 6), finals(&short, 6));
    let sat = |r: &[VendorMonth]| mean(r.iter().map(|x| x.satisfaction));
    let cap = |r: &[VendorMonth]| mean(r.iter().map(|x| x.unit_capability));
    let sup = |r: &[VendorMonth]| mean(r.iter().map(|x| x.support));
    assert!(
        sup(&b) < 0.5 && sup(&a) > 0.99,
        "support {} vs {}",
        sup(&b),
        sup(&a)
    );
    assert!(
        cap(&b) < cap(&a),
        "capability {} not below {}",
        cap(&b),
        cap(&a)
    );
    assert!(
        sat(&b) < sat(&a),
        "satisfaction {} not below {}",
        sat(&b),
        sat(&a)
    );
}

#[test]
fn a_trust_shock_cuts_investment() {
    let sc = small(Strategy::CityExclusive, "long_term");
    let mut world = build_world(&sc, 0);
    let mut stepper = Stepper::new();
    for _ in 0..36 {
        stepper.step(&mut world, &sc);
    }
    let mut shocked = world.clone();
    for u in shocked.units.iter_mut() {
        u.trust *= 0.3;
    }
    let mut s2 = Stepper::new();
    stepper.step(&mut world, &sc);
    s2.step(&mut shocked, &sc);
    // The same units in both worlds (a shocked partner may also leave).
    let both: Vec<usize> = (0..world.units.len().min(shocked.units.len()))
        .filter(|&i| world.units[i].alive && shocked.units[i].alive)
        .collect();
    assert!(both.len() >= 6, "too few units to compare");
    let invest = |w: &channelsim_core::world::World| {
        both.iter().map(|&i| w.units[i].own_training).sum::<f64>()
    };
    let (a, b) = (invest(&world), invest(&shocked));
    assert!(a > 0.0, "no investment at all: the test would be empty");
    assert!(
        b < 0.6 * a,
        "investment after the trust shock {b:.1} not well below {a:.1}"
    );
}

#[test]
fn online_level_cuts_cost_to_serve() {
    let mut lo = small(Strategy::Amoeba, "long_term");
    lo.policy_mut().online_level = 0.1;
    lo.horizon_months = 48;
    let mut hi = lo.clone();
    hi.policy_mut().online_level = 0.9;
    let hosting_per_arr = |sc: &Scenario| {
        let mut world = build_world(sc, 0);
        let mut st = Stepper::new();
        let mut ratio = 0.0;
        for _ in 0..sc.horizon_months {
            let rows = st.step(&mut world, sc);
            ratio = st.scratch.vendor_flows[0].hosting * 12.0 / rows[0].arr;
        }
        ratio
    };
    let (a, b) = (hosting_per_arr(&lo), hosting_per_arr(&hi));
    assert!(
        b < a,
        "hosting per ARR {b:.4} with online 0.9 not below {a:.4}"
    );
    assert!(
        (a - 0.10 * 0.95).abs() < 1e-9 && (b - 0.10 * 0.55).abs() < 1e-9,
        "{a} {b}"
    );
}
