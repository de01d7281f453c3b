//! A serde `Deserializer` over the document tree that knows the key path and
//! the source location of every value, so type errors can say where they are.

use std::fmt;

use serde::de::{
    self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Unexpected, Visitor,
};

use super::error::{ErrorKind, allowed_list};
use super::tree::{Entry, Loc, Node, Val};

/// A deserialisation error, located at the innermost value that has a
/// location.
#[derive(Debug)]
pub(crate) struct DeError {
    pub kind: ErrorKind,
    pub message: String,
    /// Key path of the innermost value involved.
    pub key: Option<String>,
    /// The value shown in the message (`None` for key errors).
    pub node: Option<Node>,
    pub show_value: bool,
    pub loc: Option<Loc>,
}

impl DeError {
    fn new(kind: ErrorKind, message: String) -> DeError {
        DeError {
            kind,
            message,
            key: None,
            node: None,
            show_value: true,
            loc: None,
        }
    }

    /// Attaches the innermost key path, value and location not yet known.
    fn locate(mut self, node: &Node, path: &str) -> DeError {
        if self.key.is_none() {
            self.key = Some(path.to_string());
            if self.show_value {
                self.node = Some(node.clone());
            }
        }
        if self.loc.is_none() {
            self.loc = node.loc.clone();
        }
        self
    }

    fn locate_key(mut self, e: &Entry, path: &str) -> DeError {
        if self.key.is_none() {
            self.key = Some(path.to_string());
            self.show_value = false;
        }
        if self.loc.is_none() {
            self.loc = e.key_loc.clone().or_else(|| e.node.loc.clone());
        }
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError::new(ErrorKind::Invalid, msg.to_string())
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        DeError::new(
            ErrorKind::WrongType,
            format!(
                "wrong type: expected {}, found {}",
                human_expected(&exp.to_string()),
                human_unexpected(&unexp)
            ),
        )
    }

    fn invalid_value(_unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        let exp = exp.to_string();
        let message = match exp.as_str() {
            "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "f32" | "f64" => {
                format!("out of range: must be {}", human_expected(&exp))
            }
            _ => format!("invalid value: expected {}", human_expected(&exp)),
        };
        DeError::new(ErrorKind::OutOfRange, message)
    }

    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        DeError::new(
            ErrorKind::WrongType,
            format!(
                "wrong length: expected {}, found {len} element{}",
                human_expected(&exp.to_string()),
                if len == 1 { "" } else { "s" }
            ),
        )
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        DeError::new(
            ErrorKind::UnknownName,
            format!(
                "unknown value {variant:?}; allowed: {}",
                allowed_list(variant, expected)
            ),
        )
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let mut e = DeError::new(
            ErrorKind::UnknownKey,
            format!(
                "unknown key {field:?}; allowed keys here: {}",
                allowed_list(field, expected)
            ),
        );
        e.show_value = false;
        e
    }

    fn missing_field(field: &'static str) -> Self {
        let mut e = DeError::new(
            ErrorKind::Missing,
            format!("missing required key {field:?}"),
        );
        e.show_value = false;
        e
    }

    fn duplicate_field(field: &'static str) -> Self {
        DeError::new(ErrorKind::Duplicate, format!("key {field:?} given twice"))
    }
}

/// Readable name of what serde expected.
pub(crate) fn human_expected(exp: &str) -> String {
    match exp {
        "u8" => "an integer in 0..=255".into(),
        "u16" => "an integer in 0..=65535".into(),
        "u32" => "a non-negative integer (at most 4294967295)".into(),
        "u64" => "a non-negative integer".into(),
        "i8" | "i16" | "i32" | "i64" => "an integer".into(),
        "f32" | "f64" => "a number".into(),
        "a boolean" => "a boolean (true or false)".into(),
        "a string" => "a string (in quotes)".into(),
        "a sequence" => "an array".into(),
        "a map" => "a table".into(),
        _ if exp.starts_with("struct ") => "a table".into(),
        _ if exp.starts_with("an array of length ") => {
            format!(
                "an array of {} elements",
                &exp["an array of length ".len()..]
            )
        }
        _ => exp.to_string(),
    }
}

fn human_unexpected(u: &Unexpected<'_>) -> String {
    match u {
        Unexpected::Bool(_) => "a boolean".into(),
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "an integer".into(),
        Unexpected::Float(_) => "a float".into(),
        Unexpected::Str(_) => "a string".into(),
        Unexpected::Seq => "an array".into(),
        Unexpected::Map => "a table".into(),
        Unexpected::Unit => "nothing".into(),
        other => other.to_string(),
    }
}

/// Deserialises `T` from a node; `path` is the node's key path.
pub(crate) fn from_node<'de, T: de::Deserialize<'de>>(
    node: &'de Node,
    path: &str,
) -> Result<T, DeError> {
    T::deserialize(De {
        node,
        path: path.to_string(),
    })
}

/// Key path of element `i` of the array at `path`: vendors are named by
/// their name (`vendor.focal`), anything else by index (`market.cities[2]`).
pub(crate) fn elem_path(path: &str, i: usize, elem: &Node) -> String {
    let name = elem
        .get("name")
        .and_then(Node::as_str)
        .filter(|n| !n.is_empty() && !n.contains(['.', '[', ']', ' ']));
    match name {
        Some(n) if path == "vendor" => format!("vendor.{n}"),
        _ => format!("{path}[{i}]"),
    }
}

pub(crate) fn key_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

struct De<'de> {
    node: &'de Node,
    path: String,
}

impl<'de> De<'de> {
    fn any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        let node = self.node;
        let r = match &node.v {
            Val::Str(s) => v.visit_borrowed_str(s),
            Val::Int(i) => v.visit_i64(*i),
            Val::Float(f) => v.visit_f64(*f),
            Val::Bool(b) => v.visit_bool(*b),
            Val::Datetime(_) => Err(DeError::new(
                ErrorKind::WrongType,
                "wrong type: a date-time is not allowed here".into(),
            )),
            Val::Array(items) => {
                let mut seq = Seq {
                    items,
                    next: 0,
                    path: &self.path,
                };
                match v.visit_seq(&mut seq) {
                    Ok(x) if seq.next < items.len() => {
                        let _ = x;
                        Err(DeError::new(
                            ErrorKind::WrongType,
                            format!(
                                "wrong length: expected an array of {} elements, found {}",
                                seq.next,
                                items.len()
                            ),
                        ))
                    }
                    r => r,
                }
            }
            Val::Table(entries) => v.visit_map(Map {
                entries,
                next: 0,
                path: &self.path,
            }),
        };
        r.map_err(|e| e.locate(node, &self.path))
    }
}

impl<'de> de::Deserializer<'de> for De<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.any(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_unit()
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        let node = self.node;
        let r = match &node.v {
            Val::Str(s) => {
                let d: de::value::StrDeserializer<'_, DeError> = s.as_str().into_deserializer();
                v.visit_enum(d)
            }
            _ => Err(DeError::new(
                ErrorKind::WrongType,
                format!(
                    "wrong type: expected a string (in quotes), found {}",
                    node.type_name()
                ),
            )),
        };
        r.map_err(|e| e.locate(node, &self.path))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

struct Seq<'a, 'p> {
    items: &'a [Node],
    next: usize,
    path: &'p str,
}

impl<'de> SeqAccess<'de> for Seq<'de, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(node) = self.items.get(self.next) else {
            return Ok(None);
        };
        let path = elem_path(self.path, self.next, node);
        self.next += 1;
        seed.deserialize(De { node, path }).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.next)
    }
}

struct Map<'a, 'p> {
    entries: &'a [Entry],
    next: usize,
    path: &'p str,
}

impl<'de> MapAccess<'de> for Map<'de, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some(e) = self.entries.get(self.next) else {
            return Ok(None);
        };
        let d: de::value::BorrowedStrDeserializer<'de, DeError> =
            de::value::BorrowedStrDeserializer::new(&e.key);
        seed.deserialize(d)
            .map(Some)
            .map_err(|err| err.locate_key(e, &key_path(self.path, &e.key)))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some(e) = self.entries.get(self.next) else {
            return Err(DeError::new(
                ErrorKind::Invalid,
                "value without a key".into(),
            ));
        };
        self.next += 1;
        seed.deserialize(De {
            node: &e.node,
            path: key_path(self.path, &e.key),
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len() - self.next)
    }
}
