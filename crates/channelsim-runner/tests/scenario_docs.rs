//! `docs/scenarios.md` stays true: its examples parse and it lists every
//! parameter the model has.

use std::path::Path;

use channelsim_core::params::{Params, Policy, Switches};
use channelsim_runner::scenario::parse_scenario;

fn doc() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/scenarios.md"))
        .unwrap()
}

fn toml_blocks(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in doc.lines() {
        match (&mut cur, line.trim()) {
            (None, "```toml") => cur = Some(String::new()),
            (Some(b), "```") => {
                out.push(std::mem::take(b));
                cur = None;
            }
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[test]
fn the_examples_parse() {
    let blocks = toml_blocks(&doc());
    assert!(blocks.len() >= 2);
    for b in &blocks {
        let f = parse_scenario(b, "docs/scenarios.md", &[])
            .unwrap_or_else(|e| panic!("{}\n{b}", e.report()));
        assert!(!f.variants.is_empty());
    }
    let full = parse_scenario(&blocks[1], "docs", &[]).unwrap();
    assert_eq!(full.base.vendors.len(), 3);
    assert_eq!(full.base.market.cities.len(), 7);
    assert_eq!(full.variants.len(), 3);
    assert_eq!(
        full.variants[2].scenario.market.cities[0].enterprises,
        12000
    );
    assert_eq!(full.variants[1].scenario.vendors[1].policy.patience, 24);
}

fn keys(v: &toml::Value) -> Vec<String> {
    v.as_table().unwrap().keys().cloned().collect()
}

#[test]
fn every_key_is_documented() {
    let doc = doc();
    let params = toml::Value::try_from(Params::default()).unwrap();
    let mut all = keys(&params);
    all.extend(keys(&params["kinds"]));
    all.extend(keys(&params["kinds"]["reseller"]));
    all.extend(keys(&toml::Value::try_from(Policy::long_term()).unwrap()));
    all.extend(keys(
        &toml::Value::try_from(Switches {
            fixed_reach: Some(1.0),
            ..Switches::default()
        })
        .unwrap(),
    ));
    let missing: Vec<&String> = all
        .iter()
        .filter(|k| !doc.contains(&format!("`{k}`")))
        .collect();
    assert!(missing.is_empty(), "not in docs/scenarios.md: {missing:?}");
}
