//! The levers of the page and how a setting of them becomes a scenario
//! file: base levers are `--set KEY=VALUE` overrides of the studio's base
//! scenario, policy levers are entries of the long- or short-term
//! variants' `set`. The document is then resolved by the runner's scenario
//! resolver, so every value gets the checks a scenario file gets, and an
//! error is reported at the lever whose key it names.

use crate::StudioError;
use channelsim_core::Scenario;
use channelsim_runner::scenario::{Diagnostic, ScenarioFile, apply_sets, parse_scenario};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The two policies every strategy is run under, long first.
pub const POLICIES: [&str; 2] = ["long_term", "short_term"];

/// Most replicates the studio runs (the page's lever goes to this).
pub const MAX_REPLICATES: u32 = 200;

/// The name the studio's scenario document has in messages.
pub const DOC_NAME: &str = "studio.toml";

/// How a lever's value is entered.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Kind {
    Number {
        min: f64,
        max: f64,
        step: f64,
    },
    Integer {
        min: i64,
        max: i64,
    },
    Bool,
    Choice {
        choices: Vec<String>,
    },
    /// An array of numbers, one per label (segment shares).
    Numbers {
        labels: Vec<String>,
    },
}

/// Which part of the document a lever sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// A `--set` on the base scenario (every variant).
    Base,
    /// A policy field of the long-term variants only.
    Long,
    /// A policy field of the short-term variants only.
    Short,
}

/// One lever: its id (the key in the page's address), the key it sets, and
/// its value in the base scenario (TOML text).
#[derive(Clone, Debug, Serialize)]
pub struct Lever {
    pub id: String,
    pub group: String,
    pub label: String,
    pub key: String,
    pub scope: Scope,
    pub kind: Kind,
    pub default: String,
    pub help: String,
}

/// What the page sends: the chosen strategies (all when none) and the
/// levers that differ from their default, as TOML value text (a bare word
/// is read as a string, as `--set` does).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub strategies: Vec<String>,
    #[serde(default)]
    pub values: BTreeMap<String, String>,
}

/// An input refused, at its lever (`lever` empty when no lever is to blame).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LeverError {
    pub lever: String,
    /// The located message: file or `--set`, line, column, key, what is allowed.
    pub message: String,
}

/// The policy fields with a lever: field, label, help.
const POLICY_FIELDS: [(&str, &str, &str); 13] = [
    (
        "share_shift",
        "Partner share shift",
        "added to every partner unit's base shares",
    ),
    (
        "price_factor",
        "Price factor",
        "price relative to the market reference",
    ),
    ("rd_rate", "R&D rate", "share of revenue reinvested in R&D"),
    (
        "rd_floor",
        "R&D floor",
        "R&D kept in loss-making months, share of last year's average",
    ),
    (
        "enablement",
        "Enablement",
        "training spend per unit staff a month, k CNY",
    ),
    (
        "online_level",
        "Online level",
        "business, service and staff online",
    ),
    (
        "patience",
        "Patience",
        "months of losses before a unit is terminated",
    ),
    (
        "squeeze_on_miss",
        "Squeeze on a miss",
        "cut of partner shares on a missed quarterly target",
    ),
    (
        "poach_on_miss",
        "Poaching on a miss",
        "probability of taking a unit's large account direct on a miss",
    ),
    (
        "dilute_on_miss",
        "Dilute on a miss",
        "add a competing unit on a miss where units are not exclusive",
    ),
    (
        "managers",
        "Managers",
        "head-office management capacity at month 0, FTE (set: not scaled with the market)",
    ),
    (
        "managers_growth",
        "Managers growth",
        "managers added per quarter",
    ),
    (
        "growth_target",
        "Growth target",
        "quarterly revenue growth target",
    ),
];

fn policy_kind(field: &str) -> Kind {
    let n = |min, max, step| Kind::Number { min, max, step };
    match field {
        "share_shift" => n(-1.0, 1.0, 0.01),
        "price_factor" => n(0.1, 3.0, 0.05),
        "rd_rate" | "rd_floor" | "online_level" => n(0.0, 1.0, 0.05),
        "squeeze_on_miss" | "poach_on_miss" => n(0.0, 1.0, 0.01),
        "enablement" => n(0.0, 20.0, 0.1),
        "managers" => n(0.5, 200.0, 1.0),
        "managers_growth" => n(0.0, 20.0, 0.5),
        "growth_target" => n(-0.5, 1.0, 0.01),
        "patience" => Kind::Integer { min: 0, max: 120 },
        _ => Kind::Bool,
    }
}

/// TOML text of a JSON value (numbers, booleans, strings, arrays).
fn text_of(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => {
            format!("[{}]", a.iter().map(text_of).collect::<Vec<_>>().join(", "))
        }
        other => other.to_string(),
    }
}

/// The levers, with their values in `base` (the studio's base scenario)
/// and `long`/`short` (its focal vendor under each preset).
pub fn levers(base: &Scenario, long: &Scenario, short: &Scenario, focal: usize) -> Vec<Lever> {
    let mut out = Vec::new();
    let mut add = |group: &str, id: &str, label: &str, key: &str, scope, kind, default, help| {
        out.push(Lever {
            id: id.into(),
            group: group.into(),
            label: label.into(),
            key: key.into(),
            scope,
            kind,
            default,
            help: String::from(help),
        })
    };
    let run = "Run";
    add(
        run,
        "replicates",
        "Replicates",
        "replicates",
        Scope::Base,
        Kind::Integer {
            min: 1,
            max: MAX_REPLICATES as i64,
        },
        base.replicates.to_string(),
        "paired replicates per variant (common random numbers)",
    );
    add(
        run,
        "horizon_months",
        "Horizon, months",
        "horizon_months",
        Scope::Base,
        Kind::Integer { min: 1, max: 1200 },
        base.horizon_months.to_string(),
        "months simulated; the verdicts are read at the horizon",
    );
    add(
        run,
        "discount_rate",
        "Discount rate, a year",
        "discount_rate",
        Scope::Base,
        Kind::Number {
            min: 0.0,
            max: 1.0,
            step: 0.01,
        },
        base.discount_rate.to_string(),
        "for the NPV of each strategy's long - short gap",
    );
    add(
        run,
        "seed",
        "Seed",
        "seed",
        Scope::Base,
        Kind::Integer {
            min: 0,
            max: i64::MAX,
        },
        base.seed.to_string(),
        "master seed; same seed, same figures",
    );
    let market = "Market";
    add(
        market,
        "market.segment_shares",
        "Segment shares",
        "market.segment_shares",
        Scope::Base,
        Kind::Numbers {
            labels: ["small", "medium", "large", "strategic"]
                .map(String::from)
                .to_vec(),
        },
        text_of(&serde_json::json!(base.market.segment_shares)),
        "share of enterprises in each segment (normalised)",
    );
    for tier in 1..=4u8 {
        let cities: Vec<_> = base
            .market
            .cities
            .iter()
            .filter(|c| c.tier == tier)
            .collect();
        let Some(first) = cities.first() else {
            continue;
        };
        add(
            market,
            &format!("market.cities.tier{tier}.count"),
            &format!("Tier {tier} cities"),
            &format!("market.cities.tier{tier}.count"),
            Scope::Base,
            Kind::Integer { min: 0, max: 1000 },
            cities.len().to_string(),
            "how many cities of this tier",
        );
        add(
            market,
            &format!("market.cities.tier{tier}.enterprises"),
            &format!("Tier {tier} enterprises per city"),
            &format!("market.cities.tier{tier}.enterprises"),
            Scope::Base,
            Kind::Integer {
                min: 0,
                max: 1_000_000,
            },
            first.enterprises.to_string(),
            "enterprises in each city of this tier",
        );
    }
    let model = "Model readings";
    let m = serde_json::to_value(&base.model).unwrap_or_default();
    let reading = |name: &str| m.get(name).map(text_of).unwrap_or_default();
    let choice = |c: &[&str]| Kind::Choice {
        choices: c.iter().map(|s| s.to_string()).collect(),
    };
    for (name, label, kind, help) in [
        (
            "replace_dead_units",
            "Replace dead units",
            Kind::Bool,
            "the vendor replaces units of its mix that died",
        ),
        (
            "grace_months",
            "Grace months",
            Kind::Integer { min: 0, max: 1200 },
            "months before a new unit's losses count",
        ),
        (
            "squeeze_trust",
            "Squeeze costs trust",
            choice(&["on_cut", "every_miss"]),
            "only when a share is cut, or on every miss",
        ),
        (
            "jv_exclusive",
            "Joint ventures exclusive",
            Kind::Bool,
            "no same-brand rival for a joint venture",
        ),
        (
            "owned_trust",
            "Owned units' trust",
            choice(&["fixed", "dynamic"]),
            "fixed at 1, or hurt and recovering like partners",
        ),
        (
            "moved_customer",
            "A moved customer",
            choice(&["continues", "restarts"]),
            "keeps its contract, or starts a new one (v1)",
        ),
        (
            "rd_hold",
            "R&D held in loss months",
            choice(&["loss_months", "after_first_profit"]),
            "from the start, or only once the vendor has been profitable",
        ),
    ] {
        let key = format!("model.{name}");
        add(
            model,
            &key,
            label,
            &key,
            Scope::Base,
            kind,
            reading(name),
            help,
        );
    }
    let name = &base.vendors[focal].name;
    let pl = serde_json::to_value(&long.vendors[focal].policy).unwrap_or_default();
    let ps = serde_json::to_value(&short.vendors[focal].policy).unwrap_or_default();
    for (field, label, help) in POLICY_FIELDS {
        for (scope, p, tag) in [(Scope::Long, &pl, "long"), (Scope::Short, &ps, "short")] {
            add(
                "Policy",
                &format!("{tag}.{field}"),
                label,
                &format!("vendor.{name}.policy_overrides.{field}"),
                scope,
                policy_kind(field),
                p.get(field).map(text_of).unwrap_or_default(),
                help,
            );
        }
    }
    out
}

/// A setting of the levers as a scenario document, resolved.
pub struct Prepared {
    /// The scenario file the page's figures come from (what "save as
    /// scenario" gives).
    pub text: String,
    pub file: ScenarioFile,
}

/// The studio's base: the scenario it was started with.
pub struct Base {
    pub text: String,
    pub file: String,
    /// `text` without its variants (the levers' checks resolve one
    /// scenario, not every variant the studio replaces anyway).
    plain: String,
    /// Name of the vendor whose strategy the levers choose (the first).
    pub focal: String,
    /// Strategies that can be chosen, in the model's order.
    pub strategies: Vec<String>,
    pub levers: Vec<Lever>,
}

impl Base {
    /// Reads the base scenario (`text`, named `file` in messages).
    pub fn new(text: &str, file: &str) -> Result<Base, StudioError> {
        let parsed = parse_scenario(text, file, &[]).map_err(|e| StudioError::Base(e.report()))?;
        let base = &parsed.base;
        let focal = base.vendors[0].name.clone();
        let strategies: Vec<String> = base.params.strategies.names().map(String::from).collect();
        let mut doc = apply_sets(text, file, &[]).map_err(|e| StudioError::Base(e.report()))?;
        doc.remove("variant");
        let plain = toml::to_string(&doc).map_err(|e| StudioError::Base(e.to_string()))?;
        let mut b = Base {
            text: text.to_string(),
            file: file.to_string(),
            plain,
            focal,
            strategies,
            levers: Vec::new(),
        };
        // The presets as the base file sets them: one strategy, both policies.
        let first = Settings {
            strategies: vec![b.strategies[0].clone()],
            values: BTreeMap::new(),
        };
        let p = b.prepare(&first).map_err(|e| {
            StudioError::Base(
                e.iter()
                    .map(|x| x.message.clone())
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        })?;
        let v = &p.file.variants;
        b.levers = levers(base, &v[0].scenario, &v[1].scenario, 0);
        Ok(b)
    }

    pub fn lever(&self, id: &str) -> Option<&Lever> {
        self.levers.iter().find(|l| l.id == id)
    }

    /// The chosen strategies in the model's order (all when none chosen).
    fn chosen(&self, s: &Settings) -> Result<Vec<String>, LeverError> {
        if s.strategies.is_empty() {
            return Ok(self.strategies.clone());
        }
        if let Some(bad) = s.strategies.iter().find(|x| !self.strategies.contains(x)) {
            return Err(LeverError {
                lever: "strategies".into(),
                message: format!(
                    "unknown strategy {bad:?}; allowed: {}",
                    self.strategies.join(", ")
                ),
            });
        }
        Ok(self
            .strategies
            .iter()
            .filter(|x| s.strategies.contains(x))
            .cloned()
            .collect())
    }

    /// The scenario document of a setting, resolved and checked as a file
    /// is, or the errors at their levers.
    pub fn prepare(&self, s: &Settings) -> Result<Prepared, Vec<LeverError>> {
        let chosen = self.chosen(s).map_err(|e| vec![e])?;
        let mut sets = Vec::new();
        let mut policy: [Vec<(String, toml::Value)>; 2] = [Vec::new(), Vec::new()];
        let mut errors = Vec::new();
        for (id, raw) in &s.values {
            let Some(l) = self.lever(id) else {
                errors.push(LeverError {
                    lever: id.clone(),
                    message: format!("unknown lever {id:?}"),
                });
                continue;
            };
            if raw.contains(['\n', '\r']) || raw.len() > 10_000 {
                errors.push(LeverError {
                    lever: id.clone(),
                    message: format!("{}: a value is one line of at most 10000 characters", l.key),
                });
                continue;
            }
            match l.scope {
                Scope::Base => sets.push(format!("{}={raw}", l.key)),
                Scope::Long => policy[0].push((l.key.clone(), value_of(raw))),
                Scope::Short => policy[1].push((l.key.clone(), value_of(raw))),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // The base levers are checked as `--set`s of the base file first, so
        // that an error names the override as the user gave it.
        parse_scenario(&self.plain, &self.file, &sets)
            .map_err(|e| self.located(e.diagnostics(), &e.to_string()))?;
        let mut doc = apply_sets(&self.plain, &self.file, &sets)
            .map_err(|e| self.located(e.diagnostics(), &e.to_string()))?;
        let focal = &self.focal;
        let mut variants = Vec::new();
        for st in &chosen {
            for (pi, p) in POLICIES.iter().enumerate() {
                let mut set = toml::Table::new();
                set.insert(format!("vendor.{focal}.strategy"), st.clone().into());
                set.insert(format!("vendor.{focal}.policy"), p.to_string().into());
                for (k, v) in &policy[pi] {
                    set.insert(k.clone(), v.clone());
                }
                let mut t = toml::Table::new();
                t.insert("name".into(), format!("{st} / {p}").into());
                t.insert("set".into(), toml::Value::Table(set));
                variants.push(toml::Value::Table(t));
            }
        }
        // The focal vendor's strategy comes from the variants: a `mix` of
        // the base file would clash with it.
        if let Some(toml::Value::Array(vs)) = doc.get_mut("vendor") {
            for v in vs.iter_mut().filter_map(toml::Value::as_table_mut) {
                if v.get("name").and_then(toml::Value::as_str) == Some(focal) {
                    v.remove("mix");
                }
            }
        }
        doc.insert("variant".into(), toml::Value::Array(variants));
        // Its own name, so that running it does not meet the base's folder.
        if let Some(toml::Value::String(n)) = doc.get("name") {
            let n: String = n.chars().take(90).collect();
            doc.insert("name".into(), format!("{n}-studio").into());
        }
        let body = toml::to_string(&doc).map_err(|e| {
            vec![LeverError {
                lever: String::new(),
                message: format!("cannot write the scenario: {e}"),
            }]
        })?;
        let text = format!(
            "# Saved by `channelsim studio` from {}: run it with\n#   channelsim run <this file>\n# to get the studio's figures (same seed, same numbers).\n{body}",
            self.file
        );
        let file = parse_scenario(&text, DOC_NAME, &[])
            .map_err(|e| self.located(e.diagnostics(), &e.to_string()))?;
        // The studio answers while you wait: bigger studies are for `run`.
        if file.base.replicates > MAX_REPLICATES {
            return Err(vec![LeverError {
                lever: "replicates".into(),
                message: format!(
                    "replicates = {}: at most {MAX_REPLICATES} in the studio (save the scenario and use channelsim run for more)",
                    file.base.replicates
                ),
            }]);
        }
        Ok(Prepared { text, file })
    }

    /// The diagnostics of the resolver at the levers their keys name (one
    /// error per lever: a policy error repeats in every variant).
    fn located(&self, ds: &[Diagnostic], whole: &str) -> Vec<LeverError> {
        if ds.is_empty() {
            return vec![LeverError {
                lever: String::new(),
                message: whole.to_string(),
            }];
        }
        let mut out: Vec<LeverError> = Vec::new();
        for d in ds {
            let lever = self.lever_of(d);
            if out.iter().any(|e| e.lever == lever && !lever.is_empty()) {
                continue;
            }
            out.push(LeverError {
                lever,
                message: d.to_string(),
            });
        }
        out
    }

    fn lever_of(&self, d: &Diagnostic) -> String {
        let scope = match d.variant.as_deref() {
            Some(v) if v.ends_with("long_term") => Scope::Long,
            Some(v) if v.ends_with("short_term") => Scope::Short,
            _ => Scope::Base,
        };
        let under = |key: &str| d.key == key || d.key.starts_with(&format!("{key}."));
        let policy_field = d
            .key
            .rsplit_once('.')
            .map(|(_, f)| f)
            .filter(|_| d.key.contains(".policy"));
        self.levers
            .iter()
            .find(|l| l.scope == scope && under(&l.key))
            .or_else(|| {
                // A policy value is reported at the key the resolver knows.
                let f = policy_field?;
                let tag = if scope == Scope::Short {
                    "short"
                } else {
                    "long"
                };
                self.lever(&format!("{tag}.{f}"))
            })
            .or_else(|| {
                self.levers
                    .iter()
                    .filter(|l| l.scope == Scope::Base)
                    .find(|l| d.key.starts_with(l.key.split(".tier").next().unwrap_or("")))
            })
            .map(|l| l.id.clone())
            .unwrap_or_default()
    }
}

/// A value as `--set` reads it: TOML value text, else a string.
fn value_of(raw: &str) -> toml::Value {
    let raw = raw.trim();
    match format!("v = {raw}").parse::<toml::Table>() {
        Ok(mut t) if t.len() == 1 => t.remove("v").unwrap_or_else(|| raw.into()),
        _ => toml::Value::String(raw.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use channelsim_runner::scenario::DEFAULT_SCENARIO;

    fn base() -> Base {
        Base::new(DEFAULT_SCENARIO, "default.toml").unwrap()
    }

    fn with(values: &[(&str, &str)]) -> Settings {
        Settings {
            strategies: vec!["abu".into(), "online".into()],
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn levers_start_at_the_base_scenario_and_the_presets() {
        let b = base();
        assert_eq!(b.strategies.len(), 7);
        assert_eq!(b.lever("replicates").unwrap().default, "20");
        assert_eq!(b.lever("long.share_shift").unwrap().default, "0.1");
        assert_eq!(b.lever("short.share_shift").unwrap().default, "-0.05");
        assert_eq!(b.lever("model.squeeze_trust").unwrap().default, "on_cut");
        assert_eq!(
            b.lever("market.cities.tier1.enterprises").unwrap().default,
            "8000"
        );
    }

    #[test]
    fn a_policy_lever_changes_only_its_policy_s_variants() {
        let b = base();
        let p = b.prepare(&with(&[("long.share_shift", "0.2")])).unwrap();
        let v = &p.file.variants;
        assert_eq!(v.len(), 4);
        assert_eq!(v[0].name, "abu / long_term");
        assert_eq!(v[0].scenario.vendors[0].policy.share_shift, 0.2);
        assert_eq!(v[1].scenario.vendors[0].policy.share_shift, -0.05);
        // The saved text is the scenario: resolving it again gives the same.
        let again = parse_scenario(&p.text, "x.toml", &[]).unwrap();
        assert_eq!(again.variants, p.file.variants);
    }

    #[test]
    fn a_bad_value_is_reported_at_its_lever_with_its_place() {
        let b = base();
        let e = b
            .prepare(&with(&[("short.squeeze_on_miss", "1.5")]))
            .err()
            .unwrap();
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].lever, "short.squeeze_on_miss");
        assert!(e[0].message.contains("squeeze_on_miss"), "{}", e[0].message);
        assert!(e[0].message.contains("studio.toml:"), "{}", e[0].message);
        let e = b
            .prepare(&with(&[("horizon_months", "abc")]))
            .err()
            .unwrap();
        assert_eq!(e[0].lever, "horizon_months", "{e:?}");
        assert!(e[0].message.contains("--set horizon_months=abc"), "{e:?}");
        let e = b
            .prepare(&with(&[("market.segment_shares", "[0.5, -1, 0, 0]")]))
            .err()
            .unwrap();
        assert_eq!(e[0].lever, "market.segment_shares", "{e:?}");
        let e = b.prepare(&with(&[("replicates", "5000")])).err().unwrap();
        assert_eq!(e[0].lever, "replicates", "{e:?}");
        let e = b.prepare(&with(&[("nope", "1")])).err().unwrap();
        assert_eq!(e[0].lever, "nope");
        let mut s = with(&[]);
        s.strategies = vec!["telepathy".into()];
        assert_eq!(b.prepare(&s).err().unwrap()[0].lever, "strategies");
    }

    #[test]
    fn every_shipped_scenario_can_be_the_studio_s_base() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let mut n = 0;
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.display().to_string();
            let b = Base::new(&text, &name).unwrap_or_else(|e| panic!("{name}: {e}"));
            let p = b
                .prepare(&Settings::default())
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            // One long and one short variant per strategy, the focal
            // vendor's strategy set by each.
            assert_eq!(p.file.variants.len(), 2 * b.strategies.len(), "{name}");
            let v = &p.file.variants[1].scenario.vendors[0];
            assert_eq!(v.mix.label(), b.strategies[0], "{name}");
            assert_eq!(v.policy_preset, "short_term", "{name}");
            n += 1;
        }
        assert!(n >= 7, "{n} scenarios");
    }

    #[test]
    fn a_value_cannot_smuggle_other_keys_into_the_document() {
        let b = base();
        let p = b
            .prepare(&with(&[("long.patience", "3 \n seed = 1")]))
            .err()
            .unwrap();
        assert_eq!(p[0].lever, "long.patience");
        // Read as one string, which the resolver then refuses.
        assert_eq!(value_of("1, x = 2"), toml::Value::String("1, x = 2".into()));
        assert_eq!(value_of("0.25"), toml::Value::Float(0.25));
    }
}
