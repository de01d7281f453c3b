//! Raw scenario → resolved [`Scenario`] (every number of the model, no
//! `Option`s), then the model's range checks, each reported at the place
//! in the file (or the `--set`) that set the value.

use std::collections::HashMap;

use serde::Serialize;
use serde::de::DeserializeOwned;

use channelsim_core::MODEL_VERSION;
use channelsim_core::params::{
    CitySpec, HeadOffice, Market, Params, Policy, Readings, Scenario, Switches, VendorSpec,
};

use super::de::{DeError, elem_path, from_node};
use super::error::{Diagnostic, ErrorKind, Sources, allowed_list};
use super::index::{Index, P, lookup};
use super::mix::resolve_mix;
use super::raw::{RawMarket, RawScenario, RawVendor};
use super::tree::{Loc, Node, merge};

/// Model versions this engine implements.
pub const SUPPORTED_MODELS: [&str; 1] = [MODEL_VERSION];
/// The structural readings of the `[model]` table (besides `version`).
pub const READINGS: [&str; 7] = [
    "replace_dead_units",
    "grace_months",
    "squeeze_trust",
    "jv_exclusive",
    "owned_trust",
    "moved_customer",
    "rd_hold",
];
/// `[params]` keys of model v1 that became readings: (old, new).
const MOVED_TO_MODEL: [(&str, &str); 2] = [
    ("recruit_replacements", "replace_dead_units"),
    ("grace_months", "grace_months"),
];
/// Policy presets.
pub const POLICY_PRESETS: [&str; 2] = ["long_term", "short_term"];
/// Most cities a market may have (after `count` is expanded).
pub const MAX_CITIES: u64 = 100_000;

/// Defaults of the top-level keys.
const DEFAULT_HORIZON: u32 = 120;
const DEFAULT_REPLICATES: u32 = 20;
const DEFAULT_SEED: u64 = 42;
const DEFAULT_DISCOUNT_RATE: f64 = 0.08;
const DEFAULT_POLICY: &str = "long_term";

/// Resolves a document tree (variants already taken out, overrides
/// applied). Range violations are all reported; other errors stop at the
/// first.
pub(crate) fn resolve(root: &Node, sources: &Sources<'_>) -> Result<Scenario, Vec<Diagnostic>> {
    let mut r = Resolver {
        root,
        sources,
        index: Index::default(),
    };
    // Everything the file (and the overrides) wrote; resolving adds the
    // defaults and the paths the range checks use.
    r.index.walk(root, "", "", root.loc.clone(), sources);
    let scenario = r.scenario().map_err(|d| vec![d])?;
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut violations = scenario.violations();
    violations.extend(crate::guard::scenario_limits(&scenario));
    for v in violations {
        let l = r.index.find(&v.key, root.loc.clone());
        let message = if v.key == "vendor" && scenario.vendors.is_empty() {
            "the scenario needs at least one [[vendor]] (with name, strategy and policy)".into()
        } else {
            v.message
        };
        let value = Some(l.value).filter(|v| !v.is_empty());
        let d = sources.diag(ErrorKind::OutOfRange, l.loc.as_ref(), l.key, value, message);
        if !diags.contains(&d) {
            diags.push(d);
        }
    }
    if diags.is_empty() {
        Ok(scenario)
    } else {
        Err(diags)
    }
}

struct Resolver<'a, 's> {
    root: &'a Node,
    sources: &'a Sources<'s>,
    /// Where each value came from; filled as sections are resolved.
    index: Index,
}

impl<'a> Resolver<'a, '_> {
    fn at(&self, path: &[P<'_>]) -> Option<&'a Node> {
        lookup(self.root, path)
    }

    fn de_err(&self, e: DeError) -> Diagnostic {
        from_de_error(e, self.sources)
    }

    fn scenario(&mut self) -> Result<Scenario, Diagnostic> {
        let raw: RawScenario = from_node(self.root, "").map_err(|e| self.de_err(e))?;
        let name = self.name(raw.name)?;
        let model = self.model()?;
        let market = self.market(raw.market)?;
        // Params first: the vendors name its strategies.
        let params: Params = self.layered("params", &Params::default())?;
        let names: Vec<&str> = params.strategies.names().collect();
        let vendors = self.vendors(raw.vendor.unwrap_or_default(), &names)?;
        let switches: Switches = self.layered("switches", &Switches::default())?;
        let mut scenario = Scenario {
            name,
            description: raw.description.unwrap_or_default(),
            model,
            horizon_months: raw.horizon_months.unwrap_or(DEFAULT_HORIZON),
            replicates: raw.replicates.unwrap_or(DEFAULT_REPLICATES),
            seed: raw.seed.unwrap_or(DEFAULT_SEED),
            discount_rate: raw.discount_rate.unwrap_or(DEFAULT_DISCOUNT_RATE),
            market,
            vendors,
            switches,
            params,
        };
        // Head-office figures the scenario sets are used as given; the
        // others scale with the market (MODEL.md section 7).
        scenario.scale_head_office(|f| self.sets_head_office(f));
        Ok(scenario)
    }

    /// The `[model]` table: the version and the structural readings, laid
    /// over their defaults. The v1 forms (a `model = "v1"` string, the
    /// readings that were `[params]` keys) are told where they moved.
    fn model(&mut self) -> Result<Readings, Diagnostic> {
        if let Some(n) = self.at(&[P::K("model")]).filter(|n| !n.is_table()) {
            return Err(self.sources.at_node(
                ErrorKind::WrongType,
                n,
                None,
                "model",
                format!(
                    "model is now a table: this engine implements model {MODEL_VERSION}; write \
                     [model] with version = \"{MODEL_VERSION}\" (and any structural readings: \
                     {}; see docs/scenarios.md)",
                    READINGS.join(", ")
                ),
            ));
        }
        for (old, new) in MOVED_TO_MODEL {
            if let Some(n) = self.at(&[P::K("params"), P::K(old)]) {
                return Err(self.sources.at_node(
                    ErrorKind::UnknownKey,
                    n,
                    None,
                    format!("params.{old}"),
                    format!(
                        "params.{old} is a structural reading since model v2: set model.{new} \
                         instead (in the [model] table)"
                    ),
                ));
            }
        }
        let model: Readings = self.layered("model", &Readings::default())?;
        if !SUPPORTED_MODELS.contains(&model.version.as_str()) {
            return Err(self.sources.at_node(
                ErrorKind::UnknownName,
                self.at(&[P::K("model"), P::K("version")])
                    .unwrap_or(self.root),
                None,
                "model.version",
                format!(
                    "unsupported model version; supported: {}",
                    SUPPORTED_MODELS.join(", ")
                ),
            ));
        }
        Ok(model)
    }

    /// Whether the document (file, `--set`s, the variant's `set`) gives a
    /// head-office figure explicitly; presets and defaults do not count.
    fn sets_head_office(&self, f: HeadOffice) -> bool {
        let param = |k| self.at(&[P::K("params"), P::K(k)]).is_some();
        let policy = |i, k| {
            self.at(&[P::K("vendor"), P::I(i), P::K("policy_overrides"), P::K(k)])
                .is_some()
        };
        match f {
            HeadOffice::RdMin => param("rd_min"),
            HeadOffice::RdScale => param("rd_scale"),
            HeadOffice::TrainingSystem => param("training_system"),
            HeadOffice::PlatformCost => param("platform_cost"),
            HeadOffice::Managers(i) => policy(i, "managers"),
            HeadOffice::ManagersGrowth(i) => policy(i, "managers_growth"),
        }
    }

    fn name(&self, name: Option<String>) -> Result<String, Diagnostic> {
        let Some(n) = name else {
            return Err(self.sources.diag(
                ErrorKind::Missing,
                self.root.loc.as_ref(),
                "name",
                None,
                "missing required key \"name\" (names the output folder; letters, digits, _ . - only), e.g. name = \"my_scenario\"",
            ));
        };
        check_name(&n).map_err(|m| {
            let node = self.at(&[P::K("name")]).unwrap_or(self.root);
            self.sources
                .at_node(ErrorKind::Invalid, node, None, "name", m)
        })?;
        Ok(n)
    }

    fn market(&mut self, raw: Option<RawMarket>) -> Result<Market, Diagnostic> {
        let default = Market::default_market();
        let Some(m) = raw else {
            return Ok(default);
        };
        let cities = match m.cities {
            None => default.cities,
            Some(list) => {
                let mut cities = Vec::new();
                let mut entry_of = Vec::new();
                let mut total: u64 = 0;
                for (j, c) in list.iter().enumerate() {
                    let at = |f: &str| self.at(&[P::K("market"), P::K("cities"), P::I(j), P::K(f)]);
                    let entry = self
                        .at(&[P::K("market"), P::K("cities"), P::I(j)])
                        .unwrap_or(self.root);
                    let path = format!("market.cities[{j}]");
                    let missing = |msg: &str| {
                        self.sources.diag(
                            ErrorKind::Missing,
                            entry.loc.as_ref(),
                            path.clone(),
                            None,
                            msg,
                        )
                    };
                    let tier = match c.tier {
                        Some(t) if (1..=4).contains(&t) => t as u8,
                        Some(_) => {
                            return Err(self.sources.at_node(
                                ErrorKind::OutOfRange,
                                at("tier").unwrap_or(entry),
                                entry.loc.as_ref(),
                                format!("{path}.tier"),
                                "out of range: the tier must be 1, 2, 3 or 4",
                            ));
                        }
                        None => {
                            return Err(missing(
                                "missing required key \"tier\" (1..=4); a city entry has keys tier, count (default 1), enterprises, addressable_share (default 1.0)",
                            ));
                        }
                    };
                    let Some(enterprises) = c.enterprises else {
                        return Err(missing(
                            "missing required key \"enterprises\" (enterprises in each city of this entry, a non-negative integer)",
                        ));
                    };
                    let count = c.count.unwrap_or(1);
                    total += u64::from(count);
                    if total > MAX_CITIES {
                        return Err(self.sources.at_node(
                            ErrorKind::OutOfRange,
                            at("count").unwrap_or(entry),
                            entry.loc.as_ref(),
                            format!("{path}.count"),
                            format!(
                                "out of range: a market may have at most {MAX_CITIES} cities in all"
                            ),
                        ));
                    }
                    for _ in 0..count {
                        cities.push(CitySpec {
                            tier,
                            enterprises,
                            addressable_share: c.addressable_share.unwrap_or(1.0),
                        });
                        entry_of.push(j);
                    }
                }
                // Range checks name the expanded cities.
                self.index.alias_cities(&entry_of);
                cities
            }
        };
        Ok(Market {
            cities,
            segment_shares: m.segment_shares.unwrap_or(default.segment_shares),
            industry_weights: m.industry_weights.unwrap_or(default.industry_weights),
        })
    }

    fn vendors(
        &mut self,
        raw: Vec<RawVendor>,
        strategies: &[&str],
    ) -> Result<Vec<VendorSpec>, Diagnostic> {
        let mut vendors = Vec::new();
        // Name → where it was first used.
        let mut seen: HashMap<String, Option<Loc>> = HashMap::new();
        for (i, rv) in raw.into_iter().enumerate() {
            let vnode = self.at(&[P::K("vendor"), P::I(i)]).unwrap_or(self.root);
            let vat = |p: &[P<'_>]| {
                let mut full = vec![P::K("vendor"), P::I(i)];
                full.extend_from_slice(p);
                lookup(self.root, &full)
            };
            let Some(name) = rv.name else {
                return Err(self.sources.diag(
                    ErrorKind::Missing,
                    vnode.loc.as_ref(),
                    elem_path("vendor", i, vnode),
                    None,
                    "missing required key \"name\" (a vendor name: letters, digits, _ and - only)",
                ));
            };
            let name_node = vat(&[P::K("name")]).unwrap_or(vnode);
            let name_key = format!("vendor[{i}].name");
            if let Err(m) = check_vendor_name(&name) {
                return Err(self
                    .sources
                    .at_node(ErrorKind::Invalid, name_node, None, name_key, m));
            }
            if let Some(first) = seen.get(&name) {
                return Err(self.sources.at_node(
                    ErrorKind::Duplicate,
                    name_node,
                    None,
                    name_key,
                    format!(
                        "duplicate vendor name {name:?} (first used at line {}); vendor names must be unique",
                        self.sources.line_of(first.as_ref())
                    ),
                ));
            }
            seen.insert(name.clone(), name_node.loc.clone());
            let vpath = format!("vendor.{name}");
            let mix = resolve_mix(
                strategies,
                rv.strategy,
                rv.mix,
                &vpath,
                &vat,
                vnode,
                self.sources,
            )?;
            let preset = rv.policy.unwrap_or_else(|| DEFAULT_POLICY.to_string());
            let policy = self.policy(&preset, &vpath, &vat, vnode)?;
            vendors.push(VendorSpec {
                name,
                mix,
                policy_preset: preset,
                policy,
            });
        }
        Ok(vendors)
    }

    /// The preset, with the vendor's `policy_overrides` laid on top.
    fn policy(
        &mut self,
        preset: &str,
        vpath: &str,
        vat: &dyn Fn(&[P<'_>]) -> Option<&'a Node>,
        vnode: &'a Node,
    ) -> Result<Policy, Diagnostic> {
        let pnode = vat(&[P::K("policy")]);
        let Some(p) = Policy::preset(preset) else {
            return Err(self.sources.at_node(
                ErrorKind::UnknownName,
                pnode.unwrap_or(vnode),
                vnode.loc.as_ref(),
                format!("{vpath}.policy"),
                format!(
                    "unknown policy preset; allowed: {}",
                    allowed_list(preset, &POLICY_PRESETS)
                ),
            ));
        };
        let mut base = self.defaults(&p)?;
        // Preset values are located at the `policy` key, else the vendor.
        base.loc = pnode
            .and_then(|n| n.loc.clone())
            .or_else(|| vnode.loc.clone());
        let merged = match vat(&[P::K("policy_overrides")]) {
            Some(o) => merge(base, o.clone()),
            None => base,
        };
        let policy =
            from_node(&merged, &format!("{vpath}.policy_overrides")).map_err(|e| self.de_err(e))?;
        // Range checks say `vendor.<name>.policy.<field>`; the user wrote
        // `policy_overrides.<field>`.
        self.index.walk(
            &merged,
            &format!("{vpath}.policy"),
            &format!("{vpath}.policy_overrides"),
            merged.loc.clone(),
            self.sources,
        );
        Ok(policy)
    }

    /// A core type from the file's table `key` laid over its default, key
    /// by key; unknown keys and wrong types are reported by the core type's
    /// own field list.
    fn layered<T: Serialize + DeserializeOwned>(
        &mut self,
        key: &str,
        default: &T,
    ) -> Result<T, Diagnostic> {
        let base = self.defaults(default)?;
        let merged = match self.root.get(key) {
            Some(u) => merge(base, u.clone()),
            None => base,
        };
        let merged = Node {
            loc: merged.loc.or_else(|| self.root.loc.clone()),
            ..merged
        };
        self.index
            .walk(&merged, key, key, merged.loc.clone(), self.sources);
        from_node::<T>(&merged, key).map_err(|e| self.de_err(e))
    }

    fn defaults<T: Serialize>(&self, x: &T) -> Result<Node, Diagnostic> {
        Node::from_serialize(x).map_err(|e| {
            self.sources.diag(
                ErrorKind::Invalid,
                None,
                "",
                None,
                format!("internal error building the defaults: {e}"),
            )
        })
    }
}

/// Scenario names become folder names.
pub(crate) fn check_name(n: &str) -> Result<(), String> {
    const RULE: &str =
        "a scenario name is 1 to 100 characters from A-Z a-z 0-9 _ . - and does not start with '.'";
    if n.is_empty() || n.len() > 100 || n.starts_with('.') {
        return Err(format!("invalid name: {RULE}"));
    }
    if let Some(c) = n
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return Err(format!("invalid character {c:?} in name: {RULE}"));
    }
    Ok(())
}

/// Vendor names appear in key paths (`vendor.<name>.policy`) and CSV files.
fn check_vendor_name(n: &str) -> Result<(), String> {
    const RULE: &str = "a vendor name is 1 to 64 characters from A-Z a-z 0-9 _ -";
    if n.is_empty() || n.len() > 64 {
        return Err(format!("invalid vendor name: {RULE}"));
    }
    if let Some(c) = n
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-')))
    {
        return Err(format!("invalid character {c:?} in vendor name: {RULE}"));
    }
    Ok(())
}

/// A deserialisation error as a diagnostic, with hints for the usual
/// mistakes.
pub(crate) fn from_de_error(e: DeError, sources: &Sources<'_>) -> Diagnostic {
    let value = if e.show_value {
        e.node.as_ref().map(|n| sources.value_text(n))
    } else {
        None
    };
    let key = e.key.unwrap_or_default();
    let mut message = e.message;
    if e.kind == ErrorKind::WrongType && (key == "vendor" || key == "variant") {
        message.push_str(&format!(" (write each one as a [[{key}]] table)"));
    }
    if e.kind == ErrorKind::WrongType && key.starts_with("vendor.") && key.ends_with(".policy") {
        message.push_str(&format!(
            " (a policy preset: {}; change single fields in policy_overrides)",
            POLICY_PRESETS.join(" or ")
        ));
    }
    sources.diag(e.kind, e.loc.as_ref(), key, value, message)
}

#[cfg(test)]
mod tests {
    use crate::scenario::parse_scenario;

    /// Half the reference market; vendor a sets its managers, the file sets
    /// the R&D minimum, the command line the platform cost, a variant a
    /// vendor's managers growth.
    const HALF: &str = r#"
name = "half"
[market]
cities = [{ tier = 1, count = 4, enterprises = 8000 }]
[[vendor]]
name = "a"
strategy = "city_exclusive"
policy = "long_term"
policy_overrides = { managers = 10.0 }
[[vendor]]
name = "b"
strategy = "traditional"
policy = "long_term"
[params]
rd_min = 500.0
[[variant]]
name = "growth"
set = { "vendor.b.policy.managers_growth" = 2.0 }
"#;

    /// MODEL.md section 7: head-office figures "scale in proportion to its
    /// enterprises unless the scenario sets them", figure by figure.
    #[test]
    fn section7_head_office_figures_the_scenario_sets_are_used_as_given_the_others_scale() {
        let f = parse_scenario(HALF, "half.toml", &["params.platform_cost=150.0".into()])
            .expect("valid");
        let sc = &f.base;
        assert_eq!(sc.head_office_ratio(), 0.5);
        let p = &sc.params;
        assert_eq!(p.rd_min, 500.0, "set in the file");
        assert_eq!(p.platform_cost, 150.0, "set on the command line");
        assert_eq!(p.rd_scale, 50_000.0, "scaled");
        assert_eq!(p.training_system, 150.0, "scaled");
        let (a, b) = (&sc.vendors[0].policy, &sc.vendors[1].policy);
        assert_eq!((a.managers, a.managers_growth), (10.0, 0.5));
        assert_eq!((b.managers, b.managers_growth), (6.0, 0.5));
        let v = &f.variants[0].scenario;
        assert_eq!(
            v.vendors[1].policy.managers_growth, 2.0,
            "set by the variant"
        );
        assert_eq!(v.vendors[1].policy.managers, 6.0);
        // The engine takes the resolved figures as they are.
        let w = channelsim_core::init::build_world(sc, 0);
        assert_eq!(w.vendors[0].managers, 10.0);
        assert_eq!(w.vendors[1].managers, 6.0);
    }
}
