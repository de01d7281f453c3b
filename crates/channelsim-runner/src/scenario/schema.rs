//! JSON Schemas of scenario and experiment files, for editors (taplo and
//! others read `#:schema` on a file's first line). Derived from the raw
//! structs the files are read into (schemars), with the sections resolved
//! over the model's defaults (`[params]`, `[switches]`, `policy_overrides`)
//! described from those defaults, so nothing here lists keys by hand.

use std::collections::BTreeMap;

use channelsim_core::params::{Params, Policy, Readings, Switches};
use schemars::JsonSchema;
use serde_json::{Value, json};

/// `strategy = "name"` or `strategy = { segment = "name", ... }`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub(crate) enum StrategyForm {
    /// One strategy for every segment.
    All(String),
    /// A strategy per segment (small, medium, large, strategic).
    BySegment(BTreeMap<String, String>),
}

/// A `[[variant]]`: a name and the keys it sets on the base.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct VariantForm {
    name: String,
    /// Key path (as for `--set`) = value.
    set: Option<BTreeMap<String, Value>>,
}

/// The schema of a value, from the default it takes: its JSON type, and
/// for a table the schema of each key (unknown keys refused).
fn from_default(v: &Value) -> Value {
    match v {
        Value::Object(m) => json!({
            "type": "object",
            "additionalProperties": false,
            "properties": m.iter().map(|(k, x)| (k.clone(), from_default(x))).collect::<serde_json::Map<_, _>>(),
        }),
        Value::Array(a) => {
            let items = a.first().map_or(json!({}), |x| {
                let mut s = from_default(x);
                s.as_object_mut().map(|o| o.remove("default"));
                s
            });
            json!({"type": "array", "items": items, "default": v})
        }
        Value::Number(n) if n.is_u64() || n.is_i64() => json!({"type": "integer", "default": v}),
        Value::Number(_) => json!({"type": "number", "default": v}),
        Value::Bool(_) => json!({"type": "boolean", "default": v}),
        Value::String(_) => json!({"type": "string", "default": v}),
        // An optional setting off by default: any value of its kind.
        Value::Null => json!({}),
    }
}

fn fill(slot: Option<&mut Value>, default: Value, what: &str) {
    if let Some(s) = slot {
        let mut d = from_default(&default);
        d["description"] = json!(what);
        *s = d;
    }
}

fn pointer<'a>(v: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    v.pointer_mut(path)
}

/// The JSON Schema of a scenario file.
pub fn scenario_schema() -> Value {
    let mut s = schemars::schema_for!(super::raw::RawScenario).to_value();
    s["title"] = json!("channelsim scenario");
    let params = serde_json::to_value(Params::default()).unwrap_or(Value::Null);
    let switches = serde_json::to_value(Switches::default()).unwrap_or(Value::Null);
    let policy = serde_json::to_value(Policy::long_term()).unwrap_or(Value::Null);
    fill(
        pointer(&mut s, "/properties/params"),
        params,
        "Model parameters (MODEL.md); defaults shown.",
    );
    fill(
        pointer(&mut s, "/properties/switches"),
        switches,
        "Mechanisms on or off; defaults shown.",
    );
    fill(
        pointer(&mut s, "/properties/model"),
        serde_json::to_value(Readings::default()).unwrap_or(Value::Null),
        "The model version and its structural readings (docs/model.md, Readings); defaults shown.",
    );
    fill(
        pointer(&mut s, "/$defs/RawVendor/properties/policy_overrides"),
        policy,
        "Policy levers laid over the preset (defaults shown: long_term's).",
    );
    s
}

/// The JSON Schema of an experiment file.
pub fn experiment_schema() -> Value {
    let mut s = crate::experiment::raw_schema();
    s["title"] = json!("channelsim experiment");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue12_schemas_name_every_section_and_refuse_unknown_keys() {
        let s = scenario_schema();
        assert_eq!(s["additionalProperties"], json!(false));
        for k in [
            "name", "model", "market", "vendor", "params", "switches", "variant",
        ] {
            assert!(s["properties"].get(k).is_some(), "no {k}");
        }
        let p = &s["properties"]["params"]["properties"];
        assert!(p.as_object().is_some_and(|m| m.len() > 10), "{p}");
        assert_eq!(p["bass_p"]["type"], json!("number"));
        let e = experiment_schema();
        assert!(e["properties"].get("design").is_some());
    }
}

#[cfg(test)]
mod files {
    use super::*;

    const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

    /// The committed schemas are what `channelsim schema` writes now
    /// (regenerate with `channelsim schema` after changing a raw struct).
    #[test]
    fn issue12_committed_schemas_are_up_to_date() {
        for (name, value) in [
            ("scenario.json", scenario_schema()),
            ("experiment.json", experiment_schema()),
        ] {
            let path = format!("{ROOT}/schema/{name}");
            let committed = std::fs::read_to_string(&path).unwrap();
            let now = format!("{}\n", serde_json::to_string_pretty(&value).unwrap());
            assert!(
                committed == now,
                "{path} is out of date: run `cargo run --release -- schema`"
            );
        }
    }

    /// Every shipped scenario and experiment names its schema on line one.
    #[test]
    fn issue12_shipped_files_carry_the_schema_directive() {
        for (dir, schema) in [("scenarios", "scenario"), ("experiments", "experiment")] {
            for e in std::fs::read_dir(format!("{ROOT}/{dir}")).unwrap() {
                let p = e.unwrap().path();
                let text = std::fs::read_to_string(&p).unwrap();
                assert_eq!(
                    text.lines().next(),
                    Some(format!("#:schema ../schema/{schema}.json").as_str()),
                    "{}",
                    p.display()
                );
            }
        }
    }
}
