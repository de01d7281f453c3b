//! Bit digests of runs, to check that a change meant to be byte-identical
//! (a faster path) is: every value of every month's rows, and every city's
//! customer columns at the end, hashed bit for bit. Run before and after the
//! change and compare the output. Usage: digest [threads] (default 1).
use channelsim_core::ids::Strategy;
use channelsim_core::metrics::Collect;
use channelsim_core::params::{Market, Mix, Policy, VendorSpec};
use channelsim_core::{Scenario, init::build_world, step::Stepper};
use std::hash::{DefaultHasher, Hash, Hasher};

/// Digest of one run: (rows, world).
fn digest(sc: &Scenario, threads: usize) -> (u64, u64) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let mut world = build_world(sc, 0);
        let mut st = Stepper::new();
        let mut c = Collect::default();
        for _ in 0..sc.horizon_months {
            c.0.extend(st.step(&mut world, sc));
        }
        let mut h = DefaultHasher::new();
        for r in &c.0 {
            (r.month, r.vendor).hash(&mut h);
            for v in r.values() {
                v.to_bits().hash(&mut h);
            }
        }
        let rows = h.finish();
        let mut h = DefaultHasher::new();
        for city in &world.cities {
            city.industry.hash(&mut h);
            city.needs.hash(&mut h);
            city.ring.hash(&mut h);
            city.slot.hash(&mut h);
            city.tenure.hash(&mut h);
            city.unit_tenure.hash(&mut h);
            for x in city.sat.iter().chain(&city.paid).chain(&city.reputation) {
                x.to_bits().hash(&mut h);
            }
            city.blocks
                .iter()
                .for_each(|b| (b.active, b.lost).hash(&mut h));
        }
        (rows, h.finish())
    })
}

fn market(sc: &mut Scenario, every: usize) {
    sc.market = Market::large_market();
    sc.market.cities = std::mem::take(&mut sc.market.cities)
        .into_iter()
        .step_by(every)
        .collect();
    sc.scale_head_office(|_| false);
}

fn main() {
    let threads: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut cases: Vec<(String, Scenario)> = Vec::new();
    for s in Strategy::ALL {
        for preset in ["long_term", "short_term"] {
            // Saturated: many customers per slot.
            let mut sc = Scenario::single(s, preset);
            market(&mut sc, 4);
            sc.params.bass_p = 0.05;
            sc.params.u_outside = -5.0;
            cases.push((format!("saturated/{}/{preset}", s.name()), sc));
            // Default calibration: few customers per slot.
            let mut sc = Scenario::single(s, preset);
            market(&mut sc, 4);
            sc.horizon_months = 60;
            cases.push((format!("default/{}/{preset}", s.name()), sc));
        }
    }
    // The bench's saturated 1M market of the slow strategies.
    for s in [
        Strategy::Abu,
        Strategy::TeamReplication,
        Strategy::CityExclusive,
    ] {
        let mut sc = Scenario::single(s, "long_term");
        market(&mut sc, 1);
        sc.params.bass_p = 0.05;
        sc.params.u_outside = -5.0;
        cases.push((format!("saturated1M/{}/long_term", s.name()), sc));
    }
    // Every strategy in one market: several vendors per city.
    let mut sc = Scenario::single(Strategy::CityExclusive, "long_term");
    market(&mut sc, 8);
    sc.params.bass_p = 0.02;
    for (i, s) in Strategy::ALL
        .into_iter()
        .filter(|&s| s != Strategy::CityExclusive)
        .enumerate()
    {
        sc.vendors.push(VendorSpec {
            name: format!("v{i}"),
            mix: Mix::uniform(s),
            policy_preset: "short_term".into(),
            policy: Policy::short_term(),
        });
    }
    cases.push(("rivals/all".into(), sc));
    for (name, sc) in &cases {
        let (rows, world) = digest(sc, threads);
        println!("{name:<40} {rows:016x} {world:016x}");
    }
}
