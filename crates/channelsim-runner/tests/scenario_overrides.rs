//! `--set` and variant `set` overrides.

use channelsim_core::ids::Strategy;
use channelsim_core::params::{Mix, Policy};
use channelsim_runner::scenario::{DEFAULT_SCENARIO, apply_sets, parse_scenario};

fn sets(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| x.to_string()).collect()
}

const TWO_VARIANTS: &str = r#"name = "two"

[[vendor]]
name = "focal"
strategy = "city_exclusive"
policy = "long_term"
policy_overrides = { share_shift = 0.05 }

[[variant]]
name = "as is"

[[variant]]
name = "short"
set = { "vendor.focal.policy" = "short_term", "params.bass_p" = 0.004 }
"#;

#[test]
fn set_changes_the_resolved_value() {
    let f = parse_scenario(
        DEFAULT_SCENARIO,
        "default.toml",
        &sets(&[
            "market.cities.tier1.enterprises=9000",
            "params.bass_p=0.003",
            "horizon_months=24",
            "switches.churn=false",
            "switches.fixed_reach=1",
            "params.kinds.reseller.share_first=0.4",
            "market.segment_shares=[0.6, 0.3, 0.08, 0.02]",
            "description=a quick look",
        ]),
    )
    .unwrap();
    let b = &f.base;
    assert_eq!(b.horizon_months, 24);
    assert_eq!(b.params.bass_p, 0.003);
    assert!(!b.switches.churn);
    assert_eq!(b.switches.fixed_reach, Some(1.0));
    assert_eq!(b.params.kinds.reseller.share_first, 0.4);
    assert_eq!(
        b.params.kinds.reseller.share_renew, 0.15,
        "other fields keep their defaults"
    );
    assert_eq!(b.market.segment_shares, [0.6, 0.3, 0.08, 0.02]);
    assert_eq!(b.description, "a quick look");
    let t1: Vec<u32> = b
        .market
        .cities
        .iter()
        .filter(|c| c.tier == 1)
        .map(|c| c.enterprises)
        .collect();
    assert_eq!(t1, vec![9000, 9000]);
    assert!(
        b.market
            .cities
            .iter()
            .filter(|c| c.tier == 2)
            .all(|c| c.enterprises == 4000)
    );
    // The --sets reach every variant.
    for v in &f.variants {
        assert_eq!(v.scenario.horizon_months, 24);
        assert_eq!(v.scenario.params.bass_p, 0.003);
    }
    // The text and hash are the file's.
    assert_eq!(f.text, DEFAULT_SCENARIO);
}

#[test]
fn set_on_a_file_without_market_uses_the_default_market() {
    let text = "name = \"m\"\n[[vendor]]\nname = \"v\"\nstrategy = \"online\"\n";
    let f = parse_scenario(text, "m.toml", &sets(&["market.cities.tier4.count=2"])).unwrap();
    assert_eq!(f.base.market.cities.len(), 2 + 6 + 8 + 2);
    assert_eq!(f.base.market.total_enterprises(), 64_000 - 6 * 1000);
}

#[test]
fn policy_set_and_shorthand() {
    let text = TWO_VARIANTS;
    let f = parse_scenario(
        text,
        "two.toml",
        &sets(&["vendor.focal.policy.rd_rate=0.3"]),
    )
    .unwrap();
    let p = &f.base.vendors[0].policy;
    assert_eq!(p.share_shift, 0.05);
    assert_eq!(p.rd_rate, 0.3);
    assert_eq!(p.patience, Policy::long_term().patience);

    let f = parse_scenario(
        text,
        "two.toml",
        &sets(&[
            "vendor.focal.policy=short_term",
            "vendor.focal.policy_overrides.patience=6",
        ]),
    )
    .unwrap();
    let v = &f.base.vendors[0];
    assert_eq!(v.policy_preset, "short_term");
    assert_eq!(
        v.policy.share_shift, 0.05,
        "the file's override stays on top of the new preset"
    );
    assert_eq!(v.policy.patience, 6);
    assert_eq!(v.policy.price_factor, Policy::short_term().price_factor);
}

#[test]
fn a_variant_set_changes_only_that_variant() {
    let f = parse_scenario(TWO_VARIANTS, "two.toml", &[]).unwrap();
    assert_eq!(f.variants.len(), 2);
    let (a, b) = (&f.variants[0], &f.variants[1]);
    assert_eq!(a.name, "as is");
    assert!(a.overrides.is_empty());
    assert_eq!(a.scenario, f.base);
    assert_eq!(b.name, "short");
    assert_eq!(
        b.overrides,
        vec![
            (
                "vendor.focal.policy".to_string(),
                "\"short_term\"".to_string()
            ),
            ("params.bass_p".to_string(), "0.004".to_string()),
        ]
    );
    assert_eq!(b.scenario.params.bass_p, 0.004);
    assert_eq!(b.scenario.vendors[0].policy_preset, "short_term");
    // The preset changes; the file's explicit override still applies.
    let mut expect = Policy::short_term();
    expect.share_shift = 0.05;
    assert_eq!(b.scenario.vendors[0].policy, expect);
    // The base and the other variant are untouched.
    assert_eq!(f.base.params.bass_p, 0.002);
    assert_eq!(f.base.vendors[0].policy_preset, "long_term");
    assert_eq!(a.scenario.params.bass_p, 0.002);
}

#[test]
fn strategy_and_mix_replace_each_other() {
    let text = r#"name = "m"
[[vendor]]
name = "v"
mix = [ { strategy = "abu", segments = ["large", "strategic"] }, { strategy = "online", segments = ["small", "medium"] } ]

[[variant]]
name = "plain"
set = { "vendor.v.strategy" = "amoeba" }

[[variant]]
name = "by segment"
set = { "vendor.v.strategy" = { small = "online", large = "abu" } }
"#;
    let f = parse_scenario(text, "m.toml", &[]).unwrap();
    assert_eq!(f.base.vendors[0].mix.label(), "mix:abu+online");
    assert_eq!(
        f.variants[0].scenario.vendors[0].mix,
        Mix::uniform(Strategy::Amoeba)
    );
    let m = f.variants[1].scenario.vendors[0].mix;
    for tier in 1..=4 {
        assert_eq!(m.get(tier, 0), Some(Strategy::Online));
        assert_eq!(m.get(tier, 1), None, "segments not named are not targeted");
        assert_eq!(m.get(tier, 2), Some(Strategy::Abu));
        assert_eq!(m.get(tier, 3), None);
    }
}

#[test]
fn set_values_fall_back_to_strings() {
    let f = parse_scenario(
        DEFAULT_SCENARIO,
        "d.toml",
        &sets(&["name = my-run", "vendor.focal.strategy=abu"]),
    )
    .unwrap();
    assert_eq!(f.base.name, "my-run");
    assert_eq!(f.base.vendors[0].mix, Mix::uniform(Strategy::Abu));
    // Variants still set their own strategy.
    assert_eq!(
        f.variants[0].scenario.vendors[0].mix,
        Mix::uniform(Strategy::Traditional)
    );
}

#[test]
fn apply_sets_returns_the_overridden_document() {
    let t = apply_sets(
        DEFAULT_SCENARIO,
        "d.toml",
        &sets(&["params.bass_p=0.003", "replicates=3"]),
    )
    .unwrap();
    assert_eq!(t["replicates"].as_integer(), Some(3));
    assert_eq!(t["params"]["bass_p"].as_float(), Some(0.003));
    assert_eq!(t["variant"].as_array().map(Vec::len), Some(14));
}

#[test]
fn defaults_fill_everything_left_out() {
    let text = "name = \"tiny\"\n[[vendor]]\nname = \"v\"\nstrategy = \"traditional\"\n";
    let f = parse_scenario(text, "tiny.toml", &[]).unwrap();
    let b = &f.base;
    assert_eq!(
        (
            b.model.version.as_str(),
            b.horizon_months,
            b.replicates,
            b.seed
        ),
        ("v2", 120, 20, 42)
    );
    assert_eq!(b.discount_rate, 0.08);
    assert_eq!(b.vendors[0].policy_preset, "long_term");
    assert_eq!(b.vendors[0].policy, Policy::long_term());
    assert_eq!(b.market, channelsim_core::params::Market::default_market());
    assert_eq!(f.variants.len(), 1);
    assert_eq!(f.variants[0].name, "tiny");
}

/// Issue 11: every structural reading can be set from the command line,
/// and each reaches the resolved scenario.
#[test]
fn issue11_every_model_reading_can_be_set() {
    use channelsim_core::params::{MovedCustomer, OwnedTrust, SqueezeTrust};
    let text = "name = \"tiny\"\n[[vendor]]\nname = \"v\"\nstrategy = \"traditional\"\n";
    let d = parse_scenario(text, "tiny.toml", &[]).unwrap().base.model;
    assert_eq!(d, channelsim_core::params::Readings::default());
    let sets: Vec<String> = [
        "model.replace_dead_units=false",
        "model.grace_months=3",
        "model.squeeze_trust=every_miss",
        "model.jv_exclusive=false",
        "model.owned_trust=dynamic",
        "model.moved_customer=restarts",
    ]
    .map(String::from)
    .to_vec();
    let m = parse_scenario(text, "tiny.toml", &sets).unwrap().base.model;
    assert!(!m.replace_dead_units && !m.jv_exclusive);
    assert_eq!(m.grace_months, 3);
    assert_eq!(m.squeeze_trust, SqueezeTrust::EveryMiss);
    assert_eq!(m.owned_trust, OwnedTrust::Dynamic);
    assert_eq!(m.moved_customer, MovedCustomer::Restarts);
    assert_eq!(m.version, "v2");
}
