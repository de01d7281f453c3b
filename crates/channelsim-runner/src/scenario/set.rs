//! Overrides: a variant's `set` entries and command-line `--set KEY=VALUE`,
//! applied to the document tree before it is resolved.

use toml::de::DeValue;

use super::error::{Diagnostic, ErrorKind, Sources, allowed_list};
use super::tree::{Entry, Loc, Node, Src, Val};
use channelsim_core::params::Market;

/// One override: a key path and the value to put there.
#[derive(Clone, Debug)]
pub(crate) struct SetOp {
    pub key: String,
    pub key_loc: Loc,
    pub value: Node,
}

/// Top-level keys that hold a single value.
pub(crate) const TOP_SCALARS: [&str; 6] = [
    "name",
    "description",
    "horizon_months",
    "replicates",
    "seed",
    "discount_rate",
];

const SETTABLE: &str = "name, description, horizon_months, replicates, seed, \
discount_rate, market.segment_shares, market.industry_weights, market.cities, \
market.cities.tier<N>.<count|enterprises|addressable_share>, \
vendor.<name>.<strategy|mix|policy|policy.<field>|policy_overrides|policy_overrides.<field>>, \
switches.<field>, params.<field> (e.g. params.kinds.reseller.share_first), \
model.<version|replace_dead_units|grace_months|squeeze_trust|jv_exclusive|owned_trust|moved_customer|rd_hold>";

const VENDOR_FIELDS: &str =
    "strategy, mix, policy, policy.<field>, policy_overrides, policy_overrides.<field>";

const CITY_FIELDS: [&str; 3] = ["count", "enterprises", "addressable_share"];

/// Parses a `--set KEY=VALUE` argument; VALUE is read as a TOML value, or
/// as a string when it is not one.
pub(crate) fn parse_set(i: usize, arg: &str, sources: &Sources<'_>) -> Result<SetOp, Diagnostic> {
    let loc = |span| Loc {
        src: Src::Set(i),
        span,
    };
    let Some(eq) = arg.find('=') else {
        return Err(sources.diag(
            ErrorKind::BadSet,
            Some(&loc(0..arg.len())),
            arg.trim(),
            None,
            "a --set must be KEY=VALUE, e.g. --set params.bass_p=0.003; allowed keys: ".to_string()
                + SETTABLE,
        ));
    };
    let raw_key = &arg[..eq];
    let key = raw_key.trim();
    let key_start = raw_key.len() - raw_key.trim_start().len();
    let key_loc = loc(key_start..key_start + key.len());
    if key.is_empty() {
        return Err(sources.diag(
            ErrorKind::BadSet,
            Some(&key_loc),
            "",
            None,
            "a --set must be KEY=VALUE and KEY is empty; allowed keys: ".to_string() + SETTABLE,
        ));
    }
    let raw_val = &arg[eq + 1..];
    let val = raw_val.trim();
    let val_start = eq + 1 + (raw_val.len() - raw_val.trim_start().len());
    let as_string = || {
        Node::new(
            Val::Str(val.to_string()),
            Some(loc(val_start..val_start + val.len())),
        )
    };
    let value = match DeValue::parse(val) {
        Ok(v) => match Node::from_de(&v, Src::Set(i), val_start) {
            Ok(n) => n,
            Err(bad) => {
                return Err(sources.diag(
                    ErrorKind::BadSet,
                    Some(&bad.loc),
                    key,
                    Some(val.to_string()),
                    bad.message,
                ));
            }
        },
        Err(_) => as_string(),
    };
    Ok(SetOp {
        key: key.to_string(),
        key_loc,
        value,
    })
}

/// Applies one override to the document.
pub(crate) fn apply(root: &mut Node, op: &SetOp, sources: &Sources<'_>) -> Result<(), Diagnostic> {
    let err = |kind, msg: String| {
        sources.diag(
            kind,
            Some(&op.key_loc),
            op.key.clone(),
            Some(sources.value_text(&op.value)),
            msg,
        )
    };
    let unknown = |what: &str| {
        err(
            ErrorKind::UnknownKey,
            format!("{what}; keys that can be set: {SETTABLE}"),
        )
    };
    let parts: Vec<&str> = op.key.split('.').map(str::trim).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(unknown("not a key path (empty part between dots)"));
    }
    if !root.is_table() {
        return Err(unknown("the document is not a table"));
    }
    let kl = Some(op.key_loc.clone());
    let value = op.value.clone();
    match parts.as_slice() {
        [top] if TOP_SCALARS.contains(top) => {
            root.replace(top, kl, value);
            Ok(())
        }
        [top, ..] if TOP_SCALARS.contains(top) => Err(unknown(&format!(
            "{top} holds a single value and has no fields"
        ))),
        ["market", rest @ ..] => {
            let market = ensure_table(root, "market", &op.key_loc)
                .map_err(|t| err(ErrorKind::WrongType, format!("market is {t}, not a table")))?;
            match rest {
                [] => {
                    *market =
                        super::tree::merge(std::mem::replace(market, Node::table(None)), value);
                    Ok(())
                }
                [f @ ("segment_shares" | "industry_weights" | "cities")] => {
                    market.replace(f, kl, value);
                    Ok(())
                }
                ["cities", tier, fields @ ..] => set_cities(market, tier, fields, op, &err),
                [other, ..] => Err(err(
                    ErrorKind::UnknownKey,
                    format!(
                        "unknown key {other:?} in market; allowed: {}",
                        allowed_list(
                            other,
                            &[
                                "segment_shares",
                                "industry_weights",
                                "cities",
                                "cities.tier<N>.<field>"
                            ]
                        )
                    ),
                )),
            }
        }
        ["vendor", name, field, rest @ ..] => set_vendor(root, name, field, rest, op, &err),
        ["vendor", ..] => Err(err(
            ErrorKind::UnknownKey,
            format!(
                "name a vendor and a field: vendor.<name>.<field>, field one of {VENDOR_FIELDS}{}",
                suggest_quoting(&op.value)
            ),
        )),
        [top @ ("switches" | "params" | "model"), rest @ ..] => set_path(root, top, rest, op, &err),
        ["variant", ..] => Err(unknown("variants cannot be overridden")),
        [other, ..] => Err(err(
            ErrorKind::UnknownKey,
            format!(
                "unknown key {other:?}; keys that can be set: {SETTABLE}{}",
                suggest_quoting(&op.value)
            ),
        )),
        [] => Err(unknown("empty key")),
    }
}

fn suggest_quoting(v: &Node) -> &'static str {
    if v.is_table() {
        " (in a variant's set, quote dotted keys: \"vendor.focal.strategy\" = ...)"
    } else {
        ""
    }
}

/// The table at `key` of `parent`, created when absent; `Err(type)` when it
/// holds something else.
fn ensure_table<'a>(
    parent: &'a mut Node,
    key: &str,
    loc: &Loc,
) -> Result<&'a mut Node, &'static str> {
    if parent.get(key).is_none() {
        parent.set(key, Some(loc.clone()), Node::table(Some(loc.clone())));
    }
    match parent.get_mut(key) {
        Some(n) if n.is_table() => Ok(n),
        Some(n) => Err(n.type_name()),
        None => Err("missing"),
    }
}

/// `switches.<path>` and `params.<path>`: sets a value at any depth,
/// creating tables on the way; unknown keys are reported when the tree is
/// resolved.
fn set_path(
    root: &mut Node,
    top: &str,
    rest: &[&str],
    op: &SetOp,
    err: &dyn Fn(ErrorKind, String) -> Diagnostic,
) -> Result<(), Diagnostic> {
    let kl = Some(op.key_loc.clone());
    let Some((last, inner)) = rest.split_last() else {
        root.set(top, kl, op.value.clone());
        return Ok(());
    };
    let mut cur = ensure_table(root, top, &op.key_loc)
        .map_err(|t| err(ErrorKind::WrongType, format!("{top} is {t}, not a table")))?;
    let mut path = top.to_string();
    for part in inner {
        path = format!("{path}.{part}");
        cur = ensure_table(cur, part, &op.key_loc)
            .map_err(|t| err(ErrorKind::WrongType, format!("{path} is {t}, not a table")))?;
    }
    cur.set(last, kl, op.value.clone());
    Ok(())
}

fn set_cities(
    market: &mut Node,
    tier: &str,
    fields: &[&str],
    op: &SetOp,
    err: &dyn Fn(ErrorKind, String) -> Diagnostic,
) -> Result<(), Diagnostic> {
    let n: i64 = match tier.strip_prefix("tier").and_then(|t| t.parse().ok()) {
        Some(n) if (1..=4).contains(&n) => n,
        _ => {
            return Err(err(
                ErrorKind::UnknownKey,
                format!(
                    "unknown city group {tier:?}; allowed: tier1, tier2, tier3, tier4 (market.cities.tier<N>.<field>)"
                ),
            ));
        }
    };
    let field = match fields {
        [] => None,
        [f] if CITY_FIELDS.contains(f) => Some(*f),
        [f, ..] => {
            return Err(err(
                ErrorKind::UnknownKey,
                format!(
                    "unknown city field {f:?}; allowed: {}",
                    allowed_list(f, &CITY_FIELDS)
                ),
            ));
        }
    };
    if market.get("cities").is_none() {
        market.set("cities", None, default_cities());
    }
    let Some(cities) = market.get_mut("cities") else {
        return Err(err(ErrorKind::Invalid, "market.cities is missing".into()));
    };
    let Val::Array(items) = &mut cities.v else {
        return Err(err(
            ErrorKind::WrongType,
            "market.cities is not an array of cities".into(),
        ));
    };
    let mut tiers: Vec<i64> = items
        .iter()
        .filter_map(|c| c.get("tier").and_then(Node::as_int))
        .collect();
    tiers.sort_unstable();
    tiers.dedup();
    let mut hit = false;
    for c in items.iter_mut() {
        if c.get("tier").and_then(Node::as_int) == Some(n) && c.is_table() {
            hit = true;
            match field {
                Some(f) => c.replace(f, Some(op.key_loc.clone()), op.value.clone()),
                None => {
                    if !op.value.is_table() {
                        return Err(err(
                            ErrorKind::WrongType,
                            format!(
                                "wrong type: expected a table of city fields ({}), found {}",
                                CITY_FIELDS.join(", "),
                                op.value.type_name()
                            ),
                        ));
                    }
                    let old = std::mem::replace(c, Node::table(None));
                    *c = super::tree::merge(old, op.value.clone());
                }
            }
        }
    }
    if hit {
        Ok(())
    } else {
        Err(err(
            ErrorKind::UnknownKey,
            format!(
                "the market has no city of tier {n}; tiers present: {}",
                tiers
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ))
    }
}

/// The default market's cities as city entries (`count` groups equal cities).
pub(crate) fn default_cities() -> Node {
    let m = Market::default_market();
    let mut groups: Vec<(u8, u32, f64, i64)> = Vec::new();
    for c in &m.cities {
        match groups.last_mut() {
            Some(g) if g.0 == c.tier && g.1 == c.enterprises && g.2 == c.addressable_share => {
                g.3 += 1;
            }
            _ => groups.push((c.tier, c.enterprises, c.addressable_share, 1)),
        }
    }
    let entry = |key: &str, v: Val| Entry {
        key: key.into(),
        key_loc: None,
        node: Node::new(v, None),
    };
    Node::new(
        Val::Array(
            groups
                .into_iter()
                .map(|(tier, enterprises, share, count)| {
                    Node::new(
                        Val::Table(vec![
                            entry("tier", Val::Int(tier.into())),
                            entry("count", Val::Int(count)),
                            entry("enterprises", Val::Int(enterprises.into())),
                            entry("addressable_share", Val::Float(share)),
                        ]),
                        None,
                    )
                })
                .collect(),
        ),
        None,
    )
}

fn set_vendor(
    root: &mut Node,
    name: &str,
    field: &str,
    rest: &[&str],
    op: &SetOp,
    err: &dyn Fn(ErrorKind, String) -> Diagnostic,
) -> Result<(), Diagnostic> {
    let kl = Some(op.key_loc.clone());
    let names: Vec<String> = match root.get("vendor") {
        Some(Node {
            v: Val::Array(vs), ..
        }) => vs
            .iter()
            .filter_map(|v| v.get("name").and_then(Node::as_str).map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let vendor = match root.get_mut("vendor") {
        Some(Node {
            v: Val::Array(vs), ..
        }) => vs
            .iter_mut()
            .find(|v| v.get("name").and_then(Node::as_str) == Some(name)),
        _ => None,
    };
    let Some(vendor) = vendor else {
        let list: Vec<&str> = names.iter().map(String::as_str).collect();
        return Err(err(
            ErrorKind::UnknownKey,
            if list.is_empty() {
                format!("no vendor named {name:?}: the scenario has no [[vendor]]")
            } else {
                format!(
                    "no vendor named {name:?}; vendors: {}",
                    allowed_list(name, &list)
                )
            },
        ));
    };
    match (field, rest) {
        ("strategy", []) => {
            vendor.remove("mix");
            vendor.replace("strategy", kl, op.value.clone());
        }
        ("mix", []) => {
            vendor.remove("strategy");
            vendor.replace("mix", kl, op.value.clone());
        }
        ("policy", []) => vendor.replace("policy", kl, op.value.clone()),
        ("policy_overrides", []) => vendor.set("policy_overrides", kl, op.value.clone()),
        ("policy" | "policy_overrides", [f]) => {
            let po = ensure_table(vendor, "policy_overrides", &op.key_loc).map_err(|t| {
                err(
                    ErrorKind::WrongType,
                    format!("vendor.{name}.policy_overrides is {t}, not a table"),
                )
            })?;
            po.set(f, kl, op.value.clone());
        }
        _ => {
            return Err(err(
                ErrorKind::UnknownKey,
                format!(
                    "unknown vendor field {:?}; allowed: {VENDOR_FIELDS}",
                    [field]
                        .iter()
                        .chain(rest)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(".")
                ),
            ));
        }
    }
    Ok(())
}
