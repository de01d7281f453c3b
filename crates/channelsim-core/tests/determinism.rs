//! Same seed, same result, whatever the number of threads.

use channelsim_core::ids::Strategy;
use channelsim_core::metrics::Collect;
use channelsim_core::params::{Mix, Policy, VendorSpec};
use channelsim_core::{Scenario, run_replicate};

fn run_on(threads: usize, sc: &Scenario, rep: u32) -> Vec<channelsim_core::VendorMonth> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut c = Collect::default();
    pool.install(|| run_replicate(sc, rep, &mut c));
    c.0
}

#[test]
fn one_and_two_threads_give_identical_rows() {
    // Several vendors with different strategies compete, so every phase runs.
    let mut sc = Scenario::single(Strategy::Traditional, "short_term");
    sc.horizon_months = 60;
    for (i, s) in [
        Strategy::CityExclusive,
        Strategy::Online,
        Strategy::JointVenture,
        Strategy::TeamReplication,
    ]
    .into_iter()
    .enumerate()
    {
        sc.vendors.push(VendorSpec {
            name: format!("v{i}"),
            mix: Mix::uniform(s),
            policy_preset: "long_term".into(),
            policy: Policy::long_term(),
        });
    }
    for rep in 0..2 {
        let a = run_on(1, &sc, rep);
        let b = run_on(2, &sc, rep);
        assert_eq!(a.len(), 60 * 5);
        // Bit-for-bit: compare the bits of every value.
        for (x, y) in a.iter().zip(&b) {
            let bx: Vec<u64> = x.values().iter().map(|v| v.to_bits()).collect();
            let by: Vec<u64> = y.values().iter().map(|v| v.to_bits()).collect();
            assert_eq!(bx, by, "month {} vendor {}", x.month, x.vendor);
        }
    }
}

#[test]
fn replicates_differ_and_seeds_matter() {
    let mut sc = Scenario::single(Strategy::CityExclusive, "long_term");
    sc.horizon_months = 36;
    let a = run_on(1, &sc, 0);
    let b = run_on(1, &sc, 1);
    assert_ne!(a, b, "replicates 0 and 1 gave the same run");
    sc.seed += 1;
    let c = run_on(1, &sc, 0);
    assert_ne!(a, c, "a different seed gave the same run");
}

/// Issue 15: the world is built city by city in parallel; every city draws
/// from its own stream, so one and two threads build the same world (its
/// debug print covers every column of every city, bit for bit).
#[test]
fn issue15_world_building_gives_the_same_world_on_one_and_two_threads() {
    let mut sc = Scenario::single(Strategy::JointVenture, "long_term");
    sc.market = channelsim_core::params::Market::large_market();
    sc.market.cities = sc.market.cities.into_iter().step_by(16).collect();
    let build = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        format!(
            "{:?}",
            pool.install(|| channelsim_core::init::build_world(&sc, 3))
        )
    };
    let one = build(1);
    assert!(one.len() > 1_000_000, "a world of 65,000 enterprises");
    assert_eq!(one, build(2));
}

/// Issue 15: the slow strategies' paths (ABU: one-slot cities of few
/// customers; team replication: many slots of one vendor per city) in a
/// fast-adopting market, where counted and one-by-one paths both run, give
/// the same bits on one and two threads.
#[test]
fn issue15_abu_and_team_replication_saturated_on_one_and_two_threads() {
    for s in [Strategy::Abu, Strategy::TeamReplication] {
        let mut sc = Scenario::single(s, "long_term");
        sc.market = channelsim_core::params::Market::large_market();
        sc.market.cities = sc.market.cities.into_iter().step_by(20).collect();
        sc.scale_head_office(|_| false);
        sc.params.bass_p = 0.05;
        sc.params.u_outside = -5.0;
        sc.horizon_months = 48;
        let a = run_on(1, &sc, 0);
        let b = run_on(2, &sc, 0);
        assert!(a.iter().map(|r| r.active).sum::<u64>() > 10_000, "{s:?}");
        for (x, y) in a.iter().zip(&b) {
            let bx: Vec<u64> = x.values().iter().map(|v| v.to_bits()).collect();
            let by: Vec<u64> = y.values().iter().map(|v| v.to_bits()).collect();
            assert_eq!(bx, by, "{s:?} month {} vendor {}", x.month, x.vendor);
        }
    }
}
