//! A resolved scenario written back as a scenario file: every key the file
//! may set, with the value the run uses (defaults filled in). Reading the
//! text back gives the same scenario (test below).

use channelsim_core::Scenario;
use channelsim_core::ids::{N_SEG, N_TIER, Segment};
use toml::{Table, Value};

/// The vendor as a scenario file writes it: `strategy` (or `mix` entries by
/// tier and segment), `policy` (the preset) and `policy_overrides` (every
/// lever, as resolved).
fn vendor_table(v: &channelsim_core::params::VendorSpec) -> Result<Value, toml::ser::Error> {
    let mut t = Table::new();
    t.insert("name".into(), Value::String(v.name.clone()));
    let cells: Vec<_> = v.mix.0.iter().flatten().collect();
    match cells.first() {
        Some(Some(s)) if cells.iter().all(|c| *c == cells[0]) => {
            t.insert("strategy".into(), Value::String(s.clone()));
        }
        _ => {
            let mut entries = Vec::new();
            for tier in 0..N_TIER {
                for seg in 0..N_SEG {
                    if let Some(s) = &v.mix.0[tier][seg] {
                        let mut e = Table::new();
                        e.insert("strategy".into(), Value::String(s.clone()));
                        e.insert(
                            "segments".into(),
                            Value::Array(vec![Value::String(
                                Segment::from_index(seg).name().into(),
                            )]),
                        );
                        e.insert(
                            "tiers".into(),
                            Value::Array(vec![Value::Integer(tier as i64 + 1)]),
                        );
                        entries.push(Value::Table(e));
                    }
                }
            }
            t.insert("mix".into(), Value::Array(entries));
        }
    }
    t.insert("policy".into(), Value::String(v.policy_preset.clone()));
    t.insert("policy_overrides".into(), Value::try_from(&v.policy)?);
    Ok(Value::Table(t))
}

/// The scenario as the text of a scenario file.
pub fn scenario_text(sc: &Scenario) -> Result<String, toml::ser::Error> {
    let Value::Table(mut t) = Value::try_from(sc)? else {
        unreachable!("a scenario serialises to a table");
    };
    t.remove("vendors");
    let vendors = sc
        .vendors
        .iter()
        .map(vendor_table)
        .collect::<Result<Vec<_>, _>>()?;
    t.insert("vendor".into(), Value::Array(vendors));
    toml::to_string(&t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{DEFAULT_SCENARIO, parse_scenario};

    #[test]
    fn issue12_the_shown_scenario_reads_back_the_same() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios");
        let mut texts = vec![("default".to_string(), DEFAULT_SCENARIO.to_string())];
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            texts.push((
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
        for (name, text) in texts {
            let file = parse_scenario(&text, &name, &[]).unwrap();
            for sc in std::iter::once(&file.base).chain(file.variants.iter().map(|v| &v.scenario)) {
                let shown = scenario_text(sc).unwrap();
                let back = parse_scenario(&shown, "shown.toml", &[])
                    .unwrap_or_else(|e| panic!("{name}: {e}\n{shown}"));
                assert_eq!(&back.base, sc, "{name}");
            }
        }
    }
}
