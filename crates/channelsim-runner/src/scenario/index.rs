//! Where each value of a resolved scenario came from, so a range check on
//! `vendor.focal.policy.share_shift` or `market.cities[3].tier` can point at
//! the text that set it.

use std::collections::HashMap;

use super::de::{elem_path, key_path};
use super::error::Sources;
use super::tree::{Loc, Node, Val};

/// Where the value behind a key path of the resolved scenario came from.
#[derive(Clone, Debug)]
pub(crate) struct Located {
    /// Key path as the user would write it.
    pub key: String,
    pub loc: Option<Loc>,
    pub value: String,
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
pub(crate) struct Index {
    map: HashMap<String, Located>,
}

impl Index {
    /// Violations name cities by their index after `count` is expanded:
    /// city `i` comes from city entry `entry_of[i]`.
    pub fn alias_cities(&mut self, entry_of: &[usize]) {
        for (i, &j) in entry_of.iter().enumerate() {
            let from = format!("market.cities[{j}]");
            for suffix in ["", ".tier", ".enterprises", ".addressable_share", ".count"] {
                if let Some(l) = self.map.get(&format!("{from}{suffix}")).cloned() {
                    self.map.insert(format!("market.cities#{i}{suffix}"), l);
                }
            }
        }
    }

    /// Records `node` and everything under it: `key` is the path the model
    /// uses, `shown` the path the user wrote (they differ for policy
    /// overrides). Defaults take the location of the nearest located parent.
    pub fn walk(
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
                    self.walk(
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
                        self.walk(x, &format!("vendor[{i}]"), &s, loc.clone(), sources);
                    }
                    self.walk(x, &k, &s, loc.clone(), sources);
                }
            }
            _ => {}
        }
    }

    /// The location for a violation's key: the key itself, or its nearest
    /// recorded parent.
    pub fn find(&self, key: &str, root: Option<Loc>) -> Located {
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
