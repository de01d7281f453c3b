//! The scenario files in `scenarios/` and the embedded default.

use std::path::{Path, PathBuf};

use channelsim_core::ids::Strategy;
use channelsim_core::params::{Market, Mix, Params, Policy, Switches};
use channelsim_runner::scenario::{DEFAULT_SCENARIO, load_scenario, parse_scenario, sha256_hex};

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

#[test]
fn embedded_default_equals_the_file() {
    let text = std::fs::read_to_string(scenarios_dir().join("default.toml")).unwrap();
    assert_eq!(DEFAULT_SCENARIO, text);
}

#[test]
fn default_has_fourteen_variants_in_strategy_then_policy_order() {
    let f = parse_scenario(DEFAULT_SCENARIO, "scenarios/default.toml", &[]).unwrap();
    assert_eq!(f.base.name, "default");
    assert_eq!(f.base.replicates, 20);
    assert_eq!(f.base.seed, 42);
    assert_eq!(f.base.horizon_months, 120);
    assert_eq!(f.base.discount_rate, 0.08);
    assert!(f.base.description.contains("Which channel strategy"));
    assert_eq!(f.base.market, Market::default_market());
    assert_eq!(f.base.market.total_enterprises(), 64_000);
    assert_eq!(f.base.params, Params::default());
    assert_eq!(f.base.switches, Switches::default());
    assert_eq!(f.base.vendors.len(), 1);
    assert_eq!(f.variants.len(), 14);
    let mut k = 0;
    for s in Strategy::ALL {
        for (preset, policy) in [
            ("long_term", Policy::long_term()),
            ("short_term", Policy::short_term()),
        ] {
            let v = &f.variants[k];
            assert_eq!(v.name, format!("{} / {preset}", s.name()));
            let vs = &v.scenario.vendors[0];
            assert_eq!(vs.name, "focal");
            assert_eq!(vs.mix, Mix::uniform(s));
            assert_eq!(vs.policy_preset, preset);
            assert_eq!(vs.policy, policy);
            assert_eq!(
                v.overrides,
                vec![
                    (
                        "vendor.focal.strategy".to_string(),
                        format!("\"{}\"", s.name())
                    ),
                    ("vendor.focal.policy".to_string(), format!("\"{preset}\"")),
                ]
            );
            k += 1;
        }
    }
    assert_eq!(f.hash, sha256_hex(DEFAULT_SCENARIO));
    assert_eq!(f.hash.len(), 64);
}

#[test]
fn every_scenario_file_parses() {
    let mut n = 0;
    for e in std::fs::read_dir(scenarios_dir()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let f = load_scenario(&p, &[]).unwrap_or_else(|e| panic!("{}", e.report()));
            assert!(!f.variants.is_empty(), "{}", p.display());
            assert!(
                f.text.starts_with('#'),
                "{} should start with a comment header",
                p.display()
            );
            n += 1;
        }
    }
    assert!(n >= 6);
}

#[test]
fn the_other_scenario_files_say_what_they_promise() {
    let load = |n: &str| load_scenario(&scenarios_dir().join(n), &[]).unwrap();

    let h = load("head_to_head.toml");
    assert_eq!(h.base.vendors.len(), 4);
    assert_eq!(h.base.replicates, 10);
    assert_eq!(h.variants.len(), 1);
    assert_eq!(h.variants[0].name, "head_to_head");
    assert!(h.variants[0].overrides.is_empty());
    assert_eq!(h.variants[0].scenario, h.base);

    let o = load("online_vs_local.toml");
    let mixes: Vec<_> = o.base.vendors.iter().map(|v| v.mix.clone()).collect();
    assert_eq!(
        mixes,
        vec![
            Mix::uniform(Strategy::Online),
            Mix::uniform(Strategy::CityExclusive)
        ]
    );
    assert_eq!(o.base.replicates, 10);

    let b = load("bass.toml");
    assert_eq!(b.base.vendors.len(), 1);
    assert_eq!(b.base.vendors[0].mix, Mix::uniform(Strategy::Online));
    assert_eq!(
        b.base.switches,
        Switches {
            churn: false,
            capacity_limits: false,
            fixed_reach: Some(1.0),
            outside_option: false
        }
    );
    assert_eq!((b.base.horizon_months, b.base.replicates), (120, 12));
    // Large blocks, one segment: the mean-field recurrence applies (tests/bass.rs).
    assert_eq!(b.base.market.cities.len(), 4);
    assert_eq!(b.base.market.total_enterprises(), 80_000);
    assert_eq!(b.base.market.segment_shares, [1.0, 0.0, 0.0, 0.0]);

    let l = load("large.toml");
    assert_eq!(l.base.market.cities.len(), 400);
    assert_eq!(l.base.market.total_enterprises(), 1_000_000);
    // The speed benchmark (benches/month.rs) builds this market in code.
    assert_eq!(l.base.market, Market::large_market());
    assert_eq!(l.base.replicates, 1);
    assert_eq!(l.variants.len(), 7);
    // Head-office figures scale with the market (none is set in the file).
    let r = l.base.head_office_ratio();
    assert_eq!(r, 1_000_000.0 / 64_000.0);
    assert_eq!(l.base.params.rd_min, 300.0 * r);
    let mut long_term = Policy::long_term();
    long_term.managers *= r;
    long_term.managers_growth *= r;
    for (v, s) in l.variants.iter().zip(Strategy::ALL) {
        assert_eq!(v.name, format!("{} / long_term", s.name()));
        assert_eq!(v.scenario.vendors[0].mix, Mix::uniform(s));
        assert_eq!(v.scenario.vendors[0].policy, long_term);
    }

    let d = load("discount_high.toml");
    assert_eq!(d.base.discount_rate, 0.60);
    assert_eq!(d.base.replicates, 20);
    assert_eq!(d.variants.len(), 14);
    let def = parse_scenario(DEFAULT_SCENARIO, "default.toml", &[]).unwrap();
    for (a, b) in d.variants.iter().zip(&def.variants) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.scenario.vendors, b.scenario.vendors);
        assert_eq!(a.scenario.market, b.scenario.market);
    }
}
