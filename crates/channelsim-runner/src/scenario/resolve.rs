//! Raw scenario (what the file says, all optional) → resolved
//! [`Scenario`] (every number of the model), then the model's range checks,
//! each reported at the place in the file that set the value.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use channelsim_core::MODEL_VERSION;
use channelsim_core::ids::{N_IND, N_SEG, N_TIER, Segment, Strategy};
use channelsim_core::params::{
    CitySpec, Market, Mix, Params, Policy, Scenario, Switches, VendorSpec,
};

use super::de::{DeError, elem_path, from_node, key_path};
use super::error::{Diagnostic, ErrorKind, Sources, allowed_list};
use super::tree::{Loc, Node, Val, merge};

/// Model versions this engine implements.
pub const SUPPORTED_MODELS: [&str; 1] = [MODEL_VERSION];
/// Policy presets.
pub const POLICY_PRESETS: [&str; 2] = ["long_term", "short_term"];
/// Most cities a market may have (after `count` is expanded).
pub const MAX_CITIES: u64 = 100_000;

/// Defaults of the top-level keys.
pub(crate) const DEFAULT_HORIZON: u32 = 120;
pub(crate) const DEFAULT_REPLICATES: u32 = 20;
pub(crate) const DEFAULT_SEED: u64 = 42;
pub(crate) const DEFAULT_DISCOUNT_RATE: f64 = 0.08;
pub(crate) const DEFAULT_POLICY: &str = "long_term";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<String>,
    description: Option<String>,
    model: Option<String>,
    horizon_months: Option<u32>,
    replicates: Option<u32>,
    seed: Option<u64>,
    discount_rate: Option<f64>,
    market: Option<RawMarket>,
    vendor: Option<Vec<RawVendor>>,
    /// Resolved over `Switches::default()` from the tree.
    #[allow(dead_code)]
    switches: Option<IgnoredAny>,
    /// Resolved over `Params::default()` from the tree.
    #[allow(dead_code)]
    params: Option<IgnoredAny>,
    /// Taken out of the tree before resolving.
    #[allow(dead_code)]
    variant: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMarket {
    cities: Option<Vec<RawCity>>,
    segment_shares: Option<[f64; N_SEG]>,
    industry_weights: Option<[f64; N_IND]>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCity {
    tier: Option<i64>,
    count: Option<u32>,
    enterprises: Option<u32>,
    addressable_share: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVendor {
    name: Option<String>,
    strategy: Option<RawStrategy>,
    mix: Option<Vec<RawMixEntry>>,
    policy: Option<String>,
    /// Resolved over the policy preset from the tree.
    #[allow(dead_code)]
    policy_overrides: Option<IgnoredAny>,
}

/// `strategy = "name"` or `strategy = { segment = "name", ... }`.
enum RawStrategy {
    All(String),
    BySegment(Vec<(String, String)>),
}

impl<'de> Deserialize<'de> for RawStrategy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawStrategy;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a strategy name (e.g. \"city_exclusive\") or a table of segment = strategy \
                     (e.g. { small = \"online\", large = \"abu\" })",
                )
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<RawStrategy, E> {
                Ok(RawStrategy::All(s.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<RawStrategy, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, String>()? {
                    out.push((k, v));
                }
                Ok(RawStrategy::BySegment(out))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMixEntry {
    strategy: Option<String>,
    segments: Option<Vec<String>>,
    tiers: Option<Vec<i64>>,
}

/// Where the value behind a key path of the resolved scenario came from.
#[derive(Clone, Debug)]
struct Located {
    /// Key path as the user would write it.
    key: String,
    loc: Option<Loc>,
    value: String,
}

/// Resolves a document tree (variants already removed, overrides applied).
pub(crate) fn resolve(root: &Node, sources: &Sources<'_>) -> Result<Scenario, Vec<Diagnostic>> {
    let one = |d: Diagnostic| vec![d];
    let de_err = |e: DeError| vec![from_de_error(e, sources)];
    let raw: RawScenario = from_node(root, "").map_err(de_err)?;
    let root_loc = root.loc.clone();
    let at = |path: &[P<'_>]| lookup(root, path);

    // Name.
    let name = match raw.name {
        Some(n) => {
            let node = at(&[P::K("name")]);
            check_name(&n).map_err(|m| {
                one(sources.at_node(ErrorKind::Invalid, node.unwrap_or(root), None, "name", m))
            })?;
            n
        }
        None => {
            return Err(one(sources.diag(
                ErrorKind::Missing,
                root_loc.as_ref(),
                "name",
                None,
                "missing required key \"name\" (names the output folder; letters, digits, _ . - only), e.g. name = \"my_scenario\"",
            )));
        }
    };
    let model = raw.model.unwrap_or_else(|| MODEL_VERSION.to_string());
    if !SUPPORTED_MODELS.contains(&model.as_str()) {
        let node = at(&[P::K("model")]).unwrap_or(root);
        return Err(one(sources.at_node(
            ErrorKind::UnknownName,
            node,
            None,
            "model",
            format!(
                "unsupported model version; supported: {}",
                SUPPORTED_MODELS.join(", ")
            ),
        )));
    }

    // Market.
    let mut index = Index::default();
    let default_market = Market::default_market();
    let (market, city_entry) = match raw.market {
        None => (default_market, Vec::new()),
        Some(m) => {
            let mut entry_of = Vec::new();
            let cities = match m.cities {
                None => default_market.cities.clone(),
                Some(list) => {
                    let mut cities = Vec::new();
                    let mut total: u64 = 0;
                    for (j, c) in list.iter().enumerate() {
                        let base = [P::K("market"), P::K("cities"), P::I(j)];
                        let entry_node = at(&base).unwrap_or(root);
                        let path = format!("market.cities[{j}]");
                        let tier = match c.tier {
                            Some(t) if (1..=4).contains(&t) => t as u8,
                            Some(_) => {
                                let node = at(&[base[0], base[1], base[2], P::K("tier")])
                                    .unwrap_or(entry_node);
                                return Err(one(sources.at_node(
                                    ErrorKind::OutOfRange,
                                    node,
                                    entry_node.loc.as_ref(),
                                    format!("{path}.tier"),
                                    "out of range: the tier must be 1, 2, 3 or 4",
                                )));
                            }
                            None => {
                                return Err(one(sources.diag(
                                    ErrorKind::Missing,
                                    entry_node.loc.as_ref(),
                                    path,
                                    None,
                                    "missing required key \"tier\" (1..=4); a city entry has keys tier, count (default 1), enterprises, addressable_share (default 1.0)",
                                )));
                            }
                        };
                        let Some(enterprises) = c.enterprises else {
                            return Err(one(sources.diag(
                                ErrorKind::Missing,
                                entry_node.loc.as_ref(),
                                path,
                                None,
                                "missing required key \"enterprises\" (enterprises in each city of this entry, a non-negative integer)",
                            )));
                        };
                        let count = c.count.unwrap_or(1);
                        total += u64::from(count);
                        if total > MAX_CITIES {
                            let node = at(&[base[0], base[1], base[2], P::K("count")])
                                .unwrap_or(entry_node);
                            return Err(one(sources.at_node(
                                ErrorKind::OutOfRange,
                                node,
                                entry_node.loc.as_ref(),
                                format!("{path}.count"),
                                format!("out of range: a market may have at most {MAX_CITIES} cities in all"),
                            )));
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
                    cities
                }
            };
            (
                Market {
                    cities,
                    segment_shares: m.segment_shares.unwrap_or(default_market.segment_shares),
                    industry_weights: m
                        .industry_weights
                        .unwrap_or(default_market.industry_weights),
                },
                entry_of,
            )
        }
    };
    index.walk(root, "", "", root_loc.clone(), sources);
    // Violations name cities by their index after `count` is expanded.
    for (i, &j) in city_entry.iter().enumerate() {
        let from = format!("market.cities[{j}]");
        for suffix in ["", ".tier", ".enterprises", ".addressable_share", ".count"] {
            if let Some(l) = index.map.get(&format!("{from}{suffix}")).cloned() {
                index.map.insert(format!("market.cities#{i}{suffix}"), l);
            }
        }
    }

    // Vendors.
    let mut vendors = Vec::new();
    let mut seen: HashMap<String, Option<Loc>> = HashMap::new();
    let policy_defaults = |preset: &str| Policy::preset(preset).map(|p| Node::from_serialize(&p));
    for (i, rv) in raw.vendor.unwrap_or_default().into_iter().enumerate() {
        let vnode = at(&[P::K("vendor"), P::I(i)]).unwrap_or(root);
        let vpath = elem_path("vendor", i, vnode);
        let vat = |p: &[P<'_>]| {
            let mut full = vec![P::K("vendor"), P::I(i)];
            full.extend_from_slice(p);
            lookup(root, &full)
        };
        let Some(vname) = rv.name else {
            return Err(one(sources.diag(
                ErrorKind::Missing,
                vnode.loc.as_ref(),
                vpath,
                None,
                "missing required key \"name\" (a vendor name: letters, digits, _ and - only)",
            )));
        };
        let name_node = vat(&[P::K("name")]).unwrap_or(vnode);
        if let Err(m) = check_vendor_name(&vname) {
            return Err(one(sources.at_node(
                ErrorKind::Invalid,
                name_node,
                None,
                format!("vendor[{i}].name"),
                m,
            )));
        }
        if let Some(first) = seen.get(&vname) {
            let d = sources.diag(ErrorKind::Duplicate, first.as_ref(), "", None, "");
            return Err(one(sources.at_node(
                ErrorKind::Duplicate,
                name_node,
                None,
                format!("vendor[{i}].name"),
                format!(
                    "duplicate vendor name {vname:?} (first used at line {}); vendor names must be unique",
                    d.line
                ),
            )));
        }
        seen.insert(vname.clone(), name_node.loc.clone());
        let vpath = format!("vendor.{vname}");

        // Strategy mix.
        let mix = match (rv.strategy, rv.mix) {
            (Some(_), Some(_)) => {
                let node = vat(&[P::K("mix")]).unwrap_or(vnode);
                return Err(one(sources.at_node(
                    ErrorKind::Invalid,
                    node,
                    vnode.loc.as_ref(),
                    format!("{vpath}.mix"),
                    "give either strategy or mix, not both",
                )));
            }
            (None, None) => {
                return Err(one(sources.diag(
                    ErrorKind::Missing,
                    vnode.loc.as_ref(),
                    vpath,
                    None,
                    format!(
                        "missing required key \"strategy\" (or \"mix\"); strategies: {}",
                        strategy_names().join(", ")
                    ),
                )));
            }
            (Some(RawStrategy::All(s)), None) => {
                let node = vat(&[P::K("strategy")]).unwrap_or(vnode);
                Mix::uniform(
                    parse_strategy(&s, node, &format!("{vpath}.strategy"), sources).map_err(one)?,
                )
            }
            (Some(RawStrategy::BySegment(pairs)), None) => {
                let snode = vat(&[P::K("strategy")]).unwrap_or(vnode);
                let mut m = Mix([[None; N_SEG]; N_TIER]);
                for (seg, s) in &pairs {
                    let entry = snode.entry(seg);
                    let key = format!("{vpath}.strategy.{seg}");
                    let Some(sg) = parse_segment(seg) else {
                        return Err(one(sources.diag(
                            ErrorKind::UnknownKey,
                            entry
                                .and_then(|e| e.key_loc.as_ref())
                                .or(snode.loc.as_ref()),
                            key,
                            None,
                            format!(
                                "unknown segment {seg:?}; allowed: {}",
                                allowed_list(seg, &segment_names())
                            ),
                        )));
                    };
                    let node = entry.map_or(snode, |e| &e.node);
                    let st = parse_strategy(s, node, &key, sources).map_err(one)?;
                    for t in m.0.iter_mut() {
                        t[sg as usize] = Some(st);
                    }
                }
                if pairs.is_empty() {
                    return Err(one(sources.at_node(
                        ErrorKind::Invalid,
                        snode,
                        vnode.loc.as_ref(),
                        format!("{vpath}.strategy"),
                        "the strategy table names no segment; give at least one of small, medium, large, strategic",
                    )));
                }
                m
            }
            (None, Some(entries)) => {
                resolve_mix(&entries, &vpath, &vat, vnode, sources).map_err(one)?
            }
        };

        // Policy: preset, then the file's overrides on top.
        let preset = rv.policy.unwrap_or_else(|| DEFAULT_POLICY.to_string());
        let pnode = vat(&[P::K("policy")]);
        let Some(base) = policy_defaults(&preset) else {
            return Err(one(sources.at_node(
                ErrorKind::UnknownName,
                pnode.unwrap_or(vnode),
                vnode.loc.as_ref(),
                format!("{vpath}.policy"),
                format!(
                    "unknown policy preset; allowed: {}",
                    allowed_list(&preset, &POLICY_PRESETS)
                ),
            )));
        };
        let mut base = base.map_err(|e| one(internal(sources, &e)))?;
        base.loc = pnode
            .and_then(|n| n.loc.clone())
            .or_else(|| vnode.loc.clone());
        let merged = match vat(&[P::K("policy_overrides")]) {
            Some(o) => merge(base, o.clone()),
            None => base,
        };
        let policy: Policy =
            from_node(&merged, &format!("{vpath}.policy_overrides")).map_err(de_err)?;
        index.walk_as(
            &merged,
            &format!("{vpath}.policy"),
            &format!("{vpath}.policy_overrides"),
            merged.loc.clone(),
            sources,
        );
        vendors.push(VendorSpec {
            name: vname,
            mix,
            policy_preset: preset,
            policy,
        });
    }

    // Switches and params: the file's tables over the model defaults.
    let switches: Switches = {
        let base =
            Node::from_serialize(&Switches::default()).map_err(|e| one(internal(sources, &e)))?;
        let merged = over_default(base, root.get("switches"), root_loc.clone());
        index.walk(&merged, "switches", "switches", merged.loc.clone(), sources);
        from_node(&merged, "switches").map_err(de_err)?
    };
    let params: Params = {
        let base =
            Node::from_serialize(&Params::default()).map_err(|e| one(internal(sources, &e)))?;
        let merged = over_default(base, root.get("params"), root_loc.clone());
        index.walk(&merged, "params", "params", merged.loc.clone(), sources);
        from_node(&merged, "params").map_err(de_err)?
    };

    let scenario = Scenario {
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

    // The model's range checks, each at the place that set the value.
    let mut diags: Vec<Diagnostic> = Vec::new();
    for v in scenario.violations() {
        let l = index.find(&v.key, root_loc.clone());
        let mut message = v.message.clone();
        if v.key == "vendor" && scenario.vendors.is_empty() {
            message = "the scenario needs at least one [[vendor]] (with name, strategy and policy)"
                .into();
        }
        let d = sources.diag(
            ErrorKind::OutOfRange,
            l.loc.as_ref(),
            l.key,
            Some(l.value).filter(|v| !v.is_empty()),
            message,
        );
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

fn internal(sources: &Sources<'_>, e: &str) -> Diagnostic {
    sources.diag(
        ErrorKind::Invalid,
        None,
        "",
        None,
        format!("internal error building the defaults: {e}"),
    )
}

/// A user table laid over a defaults tree; the result is located at the
/// user's table, or at `fallback` when the file has none.
fn over_default(base: Node, user: Option<&Node>, fallback: Option<Loc>) -> Node {
    match user {
        Some(u) => {
            let mut m = merge(base, u.clone());
            if m.loc.is_none() {
                m.loc = fallback;
            }
            m
        }
        None => Node {
            loc: fallback,
            ..base
        },
    }
}

fn resolve_mix<'r>(
    entries: &[RawMixEntry],
    vpath: &str,
    vat: &dyn Fn(&[P<'_>]) -> Option<&'r Node>,
    vnode: &'r Node,
    sources: &Sources<'_>,
) -> Result<Mix, Diagnostic> {
    let mix_node = vat(&[P::K("mix")]).unwrap_or(vnode);
    if entries.is_empty() {
        return Err(sources.at_node(
            ErrorKind::Invalid,
            mix_node,
            vnode.loc.as_ref(),
            format!("{vpath}.mix"),
            "the mix is empty; give at least one { strategy = ..., segments = [...], tiers = [...] }",
        ));
    }
    let mut m = Mix([[None; N_SEG]; N_TIER]);
    // Which entry set each cell, for overlap messages.
    let mut owner = [[None::<usize>; N_SEG]; N_TIER];
    for (k, e) in entries.iter().enumerate() {
        let enode = vat(&[P::K("mix"), P::I(k)]).unwrap_or(mix_node);
        let epath = format!("{vpath}.mix[{k}]");
        let Some(s) = &e.strategy else {
            return Err(sources.diag(
                ErrorKind::Missing,
                enode.loc.as_ref(),
                epath,
                None,
                format!(
                    "missing required key \"strategy\" in a mix entry; strategies: {}",
                    strategy_names().join(", ")
                ),
            ));
        };
        let snode = vat(&[P::K("mix"), P::I(k), P::K("strategy")]).unwrap_or(enode);
        let st = parse_strategy(s, snode, &format!("{epath}.strategy"), sources)?;
        let segs: Vec<Segment> = match &e.segments {
            None => Segment::ALL.to_vec(),
            Some(list) => {
                let mut out = Vec::new();
                for (q, name) in list.iter().enumerate() {
                    let Some(sg) = parse_segment(name) else {
                        let node = vat(&[P::K("mix"), P::I(k), P::K("segments"), P::I(q)])
                            .unwrap_or(enode);
                        return Err(sources.at_node(
                            ErrorKind::UnknownName,
                            node,
                            enode.loc.as_ref(),
                            format!("{epath}.segments[{q}]"),
                            format!(
                                "unknown segment; allowed: {}",
                                allowed_list(name, &segment_names())
                            ),
                        ));
                    };
                    out.push(sg);
                }
                out
            }
        };
        let tiers: Vec<u8> = match &e.tiers {
            None => vec![1, 2, 3, 4],
            Some(list) => {
                let mut out = Vec::new();
                for (q, &t) in list.iter().enumerate() {
                    if !(1..=4).contains(&t) {
                        let node =
                            vat(&[P::K("mix"), P::I(k), P::K("tiers"), P::I(q)]).unwrap_or(enode);
                        return Err(sources.at_node(
                            ErrorKind::OutOfRange,
                            node,
                            enode.loc.as_ref(),
                            format!("{epath}.tiers[{q}]"),
                            "out of range: a tier is 1, 2, 3 or 4",
                        ));
                    }
                    out.push(t as u8);
                }
                out
            }
        };
        for &t in &tiers {
            for &sg in &segs {
                let cell = &mut owner[(t - 1) as usize][sg as usize];
                match *cell {
                    Some(other) if other != k => {
                        let prev = m.0[(t - 1) as usize][sg as usize].map_or("?", Strategy::name);
                        let onode = vat(&[P::K("mix"), P::I(other)]).unwrap_or(mix_node);
                        let oline = sources
                            .diag(ErrorKind::MixOverlap, onode.loc.as_ref(), "", None, "")
                            .line;
                        return Err(sources.at_node(
                            ErrorKind::MixOverlap,
                            enode,
                            mix_node.loc.as_ref(),
                            epath,
                            format!(
                                "overlap: segment {} in tier {t} is given to both {prev:?} (mix[{other}], line {oline}) and {:?} (mix[{k}]); each segment and tier may have one strategy",
                                sg.name(),
                                st.name()
                            ),
                        ));
                    }
                    _ => {
                        *cell = Some(k);
                        m.0[(t - 1) as usize][sg as usize] = Some(st);
                    }
                }
            }
        }
    }
    Ok(m)
}

fn strategy_names() -> Vec<&'static str> {
    Strategy::ALL.iter().map(|s| s.name()).collect()
}

fn segment_names() -> Vec<&'static str> {
    Segment::ALL.iter().map(|s| s.name()).collect()
}

fn parse_segment(s: &str) -> Option<Segment> {
    Segment::ALL.into_iter().find(|x| x.name() == s)
}

fn parse_strategy(
    s: &str,
    node: &Node,
    key: &str,
    sources: &Sources<'_>,
) -> Result<Strategy, Diagnostic> {
    Strategy::parse(s).ok_or_else(|| {
        sources.at_node(
            ErrorKind::UnknownName,
            node,
            None,
            key,
            format!(
                "unknown strategy; allowed: {}",
                allowed_list(s, &strategy_names())
            ),
        )
    })
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

/// A step of a path into the tree.
#[derive(Clone, Copy)]
pub(crate) enum P<'a> {
    K(&'a str),
    I(usize),
}

pub(crate) fn lookup<'a>(root: &'a Node, path: &[P<'_>]) -> Option<&'a Node> {
    let mut cur = root;
    for p in path {
        cur = match (p, &cur.v) {
            (P::K(k), Val::Table(_)) => cur.get(k)?,
            (P::I(i), Val::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Key path of the resolved scenario → where its value came from.
#[derive(Default)]
struct Index {
    map: HashMap<String, Located>,
}

impl Index {
    fn walk(
        &mut self,
        node: &Node,
        key: &str,
        shown: &str,
        inherited: Option<Loc>,
        sources: &Sources<'_>,
    ) {
        self.walk_as(node, key, shown, inherited, sources)
    }

    /// Records `node` and everything under it: `key` is the path the model
    /// uses, `shown` the path the user wrote (they differ for policy
    /// overrides). Defaults take the location of the nearest located parent.
    fn walk_as(
        &mut self,
        node: &Node,
        key: &str,
        shown: &str,
        inherited: Option<Loc>,
        sources: &Sources<'_>,
    ) {
        let own = node.loc.is_some();
        let loc = node.loc.clone().or(inherited);
        if !key.is_empty() {
            self.map.insert(
                key.to_string(),
                Located {
                    key: if own {
                        shown.to_string()
                    } else {
                        key.to_string()
                    },
                    loc: loc.clone(),
                    value: sources.value_text(node),
                },
            );
        }
        match &node.v {
            Val::Table(t) => {
                for e in t {
                    self.walk_as(
                        &e.node,
                        &key_path(key, &e.key),
                        &key_path(shown, &e.key),
                        e.key_loc.clone().or_else(|| loc.clone()),
                        sources,
                    );
                }
            }
            Val::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    let k = elem_path(key, i, x);
                    let s = elem_path(shown, i, x);
                    // Vendors are indexed by name; violations also use
                    // `vendor[i].name`.
                    if key == "vendor" {
                        self.walk_as(x, &format!("vendor[{i}]"), &s, loc.clone(), sources);
                    }
                    self.walk_as(x, &k, &s, loc.clone(), sources);
                }
            }
            _ => {}
        }
    }

    /// The location for a violation's key: the key itself, or its nearest
    /// recorded parent.
    fn find(&self, key: &str, root: Option<Loc>) -> Located {
        // Cities are recorded by expanded index under `market.cities#i`.
        let key_m = match key.strip_prefix("market.cities[") {
            Some(rest) => format!("market.cities#{}", rest.replacen(']', "", 1)),
            None => key.to_string(),
        };
        let mut k = key_m.as_str();
        loop {
            if let Some(l) = self.map.get(k) {
                let mut l = l.clone();
                if k != key_m {
                    l.key = key.to_string();
                }
                return l;
            }
            match k.rfind(['.', '[', '#']) {
                Some(i) => k = &k[..i],
                None => {
                    return Located {
                        key: key.to_string(),
                        loc: root,
                        value: String::new(),
                    };
                }
            }
        }
    }
}
