//! Scenarios shared by the snapshot tests (`snapshot.rs`, `v1_readings.rs`).
#![allow(dead_code)]

use channelsim_core::Scenario;
use channelsim_core::ids::Strategy;

/// One vendor in the default market's first eight cities, three years.
pub fn short(s: Strategy, preset: &str) -> Scenario {
    let mut sc = Scenario::single(s, preset);
    sc.market.cities.truncate(8);
    sc.scale_head_office(|_| false);
    sc.horizon_months = 36;
    sc
}

/// Three vendors in one market (a short-term joint venture, a city-exclusive
/// rival and an online one): the interactions one-vendor snapshots cannot
/// show. Units that leave are not replaced, so a venture's warm accounts
/// come free for the rivals (engine 0.4.0).
pub fn rivals() -> Scenario {
    let mut sc = short(Strategy::JointVenture, "short_term");
    sc.horizon_months = 120;
    sc.model.replace_dead_units = false;
    for (name, s, preset) in [
        ("local", Strategy::CityExclusive, "long_term"),
        ("cloud", Strategy::Online, "long_term"),
    ] {
        let mut v = sc.vendors[0].clone();
        v.name = name.into();
        v.mix = channelsim_core::params::Mix::uniform(s);
        v.policy_preset = preset.into();
        v.policy = channelsim_core::Policy::preset(preset).unwrap();
        sc.vendors.push(v);
    }
    sc
}
