//! The document tree: TOML values that remember where they came from.
//!
//! Every value read from the scenario file or from a `--set` carries a
//! [`Loc`]; values filled in from the model defaults carry none and take the
//! location of the nearest enclosing value that has one.

use std::ops::Range;

use toml::Spanned;
use toml::de::DeValue;

/// Where a piece of text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Src {
    /// The scenario file.
    File,
    /// The i-th `--set` argument (spans are byte offsets in `KEY=VALUE`).
    Set(usize),
}

/// A span of source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Loc {
    pub src: Src,
    pub span: Range<usize>,
}

impl Loc {
    pub fn file(span: Range<usize>) -> Loc {
        Loc {
            src: Src::File,
            span,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub v: Val,
    /// `None` for values filled in from defaults.
    pub loc: Option<Loc>,
}

#[derive(Clone, Debug)]
pub(crate) enum Val {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Datetime(String),
    Array(Vec<Node>),
    Table(Vec<Entry>),
}

#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub key: String,
    pub key_loc: Option<Loc>,
    pub node: Node,
}

/// A value the parser accepted that the tree cannot hold (an integer beyond
/// 64 bits, a malformed float).
pub(crate) struct BadLiteral {
    pub loc: Loc,
    pub message: String,
}

impl Node {
    pub fn new(v: Val, loc: Option<Loc>) -> Node {
        Node { v, loc }
    }

    pub fn table(loc: Option<Loc>) -> Node {
        Node::new(Val::Table(Vec::new()), loc)
    }

    /// Converts a parsed value; spans are shifted by `offset` (for values
    /// parsed out of a `--set` argument).
    pub fn from_de(v: &Spanned<DeValue<'_>>, src: Src, offset: usize) -> Result<Node, BadLiteral> {
        let s = v.span();
        let loc = Loc {
            src,
            span: s.start + offset..s.end + offset,
        };
        let val = match v.get_ref() {
            DeValue::String(s) => Val::Str(s.to_string()),
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(x) => Val::Int(x),
                Err(_) => {
                    return Err(BadLiteral {
                        loc,
                        message: "integer out of range: must fit in 64 bits".into(),
                    });
                }
            },
            DeValue::Float(f) => match f.as_str().parse::<f64>() {
                Ok(x)
                    if x.is_finite()
                        || f.as_str().contains("inf")
                        || f.as_str().contains("nan") =>
                {
                    Val::Float(x)
                }
                _ => {
                    return Err(BadLiteral {
                        loc,
                        message: "number out of range".into(),
                    });
                }
            },
            DeValue::Boolean(b) => Val::Bool(*b),
            DeValue::Datetime(d) => Val::Datetime(d.to_string()),
            DeValue::Array(a) => Val::Array(
                a.iter()
                    .map(|x| Node::from_de(x, src, offset))
                    .collect::<Result<_, _>>()?,
            ),
            DeValue::Table(t) => {
                let mut entries = Vec::with_capacity(t.len());
                for (k, x) in t.iter() {
                    let ks = k.span();
                    entries.push(Entry {
                        key: k.get_ref().to_string(),
                        key_loc: Some(Loc {
                            src,
                            span: ks.start + offset..ks.end + offset,
                        }),
                        node: Node::from_de(x, src, offset)?,
                    });
                }
                // File order, whatever order the map keeps.
                entries.sort_by_key(|e| e.key_loc.as_ref().map_or(0, |l| l.span.start));
                Val::Table(entries)
            }
        };
        Ok(Node::new(val, Some(loc)))
    }

    /// Converts a value built from the model defaults (no location).
    pub fn from_toml(v: &toml::Value) -> Node {
        let val = match v {
            toml::Value::String(s) => Val::Str(s.clone()),
            toml::Value::Integer(i) => Val::Int(*i),
            toml::Value::Float(f) => Val::Float(*f),
            toml::Value::Boolean(b) => Val::Bool(*b),
            toml::Value::Datetime(d) => Val::Datetime(d.to_string()),
            toml::Value::Array(a) => Val::Array(a.iter().map(Node::from_toml).collect()),
            toml::Value::Table(t) => Val::Table(
                t.iter()
                    .map(|(k, x)| Entry {
                        key: k.clone(),
                        key_loc: None,
                        node: Node::from_toml(x),
                    })
                    .collect(),
            ),
        };
        Node::new(val, None)
    }

    /// The default value of a serialisable model type, as a tree.
    pub fn from_serialize<T: serde::Serialize>(x: &T) -> Result<Node, String> {
        toml::Value::try_from(x)
            .map(|v| Node::from_toml(&v))
            .map_err(|e| e.to_string())
    }

    pub fn to_toml(&self) -> toml::Value {
        match &self.v {
            Val::Str(s) => toml::Value::String(s.clone()),
            Val::Int(i) => toml::Value::Integer(*i),
            Val::Float(f) => toml::Value::Float(*f),
            Val::Bool(b) => toml::Value::Boolean(*b),
            Val::Datetime(d) => d
                .parse()
                .map(toml::Value::Datetime)
                .unwrap_or_else(|_| toml::Value::String(d.clone())),
            Val::Array(a) => toml::Value::Array(a.iter().map(Node::to_toml).collect()),
            Val::Table(t) => toml::Value::Table(
                t.iter()
                    .map(|e| (e.key.clone(), e.node.to_toml()))
                    .collect(),
            ),
        }
    }

    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.v {
            Val::Table(t) => Some(t),
            _ => None,
        }
    }

    pub fn entries_mut(&mut self) -> Option<&mut Vec<Entry>> {
        match &mut self.v {
            Val::Table(t) => Some(t),
            _ => None,
        }
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().find(|e| e.key == key)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.node)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries_mut()?
            .iter_mut()
            .find(|e| e.key == key)
            .map(|e| &mut e.node)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.v {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match &self.v {
            Val::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn is_table(&self) -> bool {
        matches!(self.v, Val::Table(_))
    }

    /// Removes a key of a table; returns the removed entry.
    pub fn remove(&mut self, key: &str) -> Option<Entry> {
        let t = self.entries_mut()?;
        let i = t.iter().position(|e| e.key == key)?;
        Some(t.remove(i))
    }

    /// Sets `key` of a table to `node`: a table merges into an existing
    /// table, anything else replaces. No-op on a non-table.
    pub fn set(&mut self, key: &str, key_loc: Option<Loc>, node: Node) {
        let Some(t) = self.entries_mut() else {
            return;
        };
        match t.iter_mut().find(|e| e.key == key) {
            Some(e) => {
                let old = std::mem::replace(&mut e.node, Node::table(None));
                e.node = merge(old, node);
                if key_loc.is_some() {
                    e.key_loc = key_loc;
                }
            }
            None => t.push(Entry {
                key: key.to_string(),
                key_loc,
                node,
            }),
        }
    }

    /// Sets `key` of a table to `node`, replacing whatever was there.
    pub fn replace(&mut self, key: &str, key_loc: Option<Loc>, node: Node) {
        self.remove(key);
        self.set(key, key_loc, node);
    }

    /// Short human description of the value's type.
    pub fn type_name(&self) -> &'static str {
        match self.v {
            Val::Str(_) => "a string",
            Val::Int(_) => "an integer",
            Val::Float(_) => "a float",
            Val::Bool(_) => "a boolean",
            Val::Datetime(_) => "a date-time",
            Val::Array(_) => "an array",
            Val::Table(_) => "a table",
        }
    }

    /// The value written as TOML (for messages about defaults).
    pub fn render(&self) -> String {
        match &self.v {
            Val::Str(s) => format!("{s:?}"),
            Val::Int(i) => i.to_string(),
            Val::Float(f) => {
                if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
                    format!("{f:.1}")
                } else {
                    f.to_string()
                }
            }
            Val::Bool(b) => b.to_string(),
            Val::Datetime(d) => d.clone(),
            Val::Array(a) => format!(
                "[{}]",
                a.iter().map(Node::render).collect::<Vec<_>>().join(", ")
            ),
            Val::Table(t) => format!(
                "{{ {} }}",
                t.iter()
                    .map(|e| format!("{} = {}", e.key, e.node.render()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// Lays `over` on top of `base`: tables merge key by key (recursively),
/// anything else is replaced by `over`.
pub(crate) fn merge(base: Node, over: Node) -> Node {
    match (base, over) {
        (
            Node {
                v: Val::Table(mut b),
                loc: bloc,
            },
            Node {
                v: Val::Table(o),
                loc: oloc,
            },
        ) => {
            for e in o {
                match b.iter_mut().find(|x| x.key == e.key) {
                    Some(x) => {
                        let old = std::mem::replace(&mut x.node, Node::table(None));
                        x.node = merge(old, e.node);
                        if e.key_loc.is_some() {
                            x.key_loc = e.key_loc;
                        }
                    }
                    None => b.push(e),
                }
            }
            Node::new(Val::Table(b), oloc.or(bloc))
        }
        (_, over) => over,
    }
}
