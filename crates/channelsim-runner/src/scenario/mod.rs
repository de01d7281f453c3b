//! Scenario files: TOML text (plus command-line `--set` overrides) →
//! resolved [`Scenario`]s, one per variant.
//!
//! The pipeline: the text is parsed into a tree that remembers where every
//! value came from; the `[[variant]]` list is taken out; `--set` overrides
//! are applied to the tree; the tree is deserialised into raw structs (all
//! optional, unknown keys rejected) and resolved into a [`Scenario`] with
//! the model defaults filled in (`Params`, `Switches` and policy presets are
//! laid under the file's tables key by key); then [`Scenario::violations`]
//! runs and every violation is reported at the place that set the value.
//! Each variant repeats the last three steps on a copy of the tree with its
//! own `set` applied. The schema is documented in `docs/scenarios.md`.
//!
//! Nothing here prints or exits: every problem is a [`ScenarioError`] whose
//! diagnostics name the file, line, column, key path and what is allowed.

// Errors are built once, on the cold path of a one-off parse; boxing them
// would only add noise.
#![allow(clippy::result_large_err)]

mod de;
mod error;
mod index;
mod mix;
mod raw;
mod resolve;
pub mod schema;
mod set;
pub mod show;
mod tree;

use std::path::Path;

use channelsim_core::Scenario;
use sha2::{Digest, Sha256};
use toml::de::DeTable;

pub use error::{Diagnostic, ErrorKind, ScenarioError};
pub use resolve::{MAX_CITIES, POLICY_PRESETS, READINGS, SUPPORTED_MODELS};

use error::Sources;
use index::{P, lookup};
use resolve::{from_de_error, resolve};
use set::{SetOp, apply, parse_set};
use tree::{Loc, Node, Src};

/// The default scenario (`scenarios/default.toml`), built into the binary.
pub const DEFAULT_SCENARIO: &str = include_str!("../../../../scenarios/default.toml");

/// One variant of a scenario: the base with the variant's `set` applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub name: String,
    /// The variant's `set` entries in file order: key path and value as
    /// written (TOML text). Command-line `--set`s are not listed here (they
    /// apply to the base and so to every variant).
    pub overrides: Vec<(String, String)>,
    pub scenario: Scenario,
}

/// A parsed and resolved scenario file.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioFile {
    /// Display name of the file (as given to [`parse_scenario`]).
    pub file: String,
    /// The file's text, unchanged.
    pub text: String,
    /// SHA-256 of `text`, lower-case hex (the `--set`s are not included).
    pub hash: String,
    /// The scenario without any variant's overrides (with the `--set`s).
    pub base: Scenario,
    /// The variants in file order; when the file has no `[[variant]]`, one
    /// variant named after the scenario, with no overrides.
    pub variants: Vec<Variant>,
}

/// Parses and resolves a scenario. `file` is the name used in messages;
/// `sets` are `KEY=VALUE` overrides applied to the base before the variants.
pub fn parse_scenario(
    text: &str,
    file: &str,
    sets: &[String],
) -> Result<ScenarioFile, ScenarioError> {
    let sources = Sources { file, text, sets };
    let invalid = |d: Diagnostic| ScenarioError::Invalid(vec![d]);
    let mut root = parse_tree(text, &sources).map_err(invalid)?;
    let raw_variants = take_variants(&mut root, &sources).map_err(invalid)?;
    apply_set_args(&mut root, &sources).map_err(invalid)?;
    let base = resolve(&root, &sources).map_err(ScenarioError::Invalid)?;

    let mut variants = Vec::with_capacity(raw_variants.len().max(1));
    if raw_variants.is_empty() {
        variants.push(Variant {
            name: base.name.clone(),
            overrides: Vec::new(),
            scenario: base.clone(),
        });
    }
    for rv in raw_variants {
        let in_variant = |mut d: Diagnostic| {
            d.variant = Some(rv.name.clone());
            d
        };
        let mut t = root.clone();
        for op in &rv.ops {
            apply(&mut t, op, &sources).map_err(|d| invalid(in_variant(d)))?;
        }
        let scenario = resolve(&t, &sources)
            .map_err(|ds| ScenarioError::Invalid(ds.into_iter().map(in_variant).collect()))?;
        variants.push(Variant {
            name: rv.name,
            overrides: rv.overrides,
            scenario,
        });
    }
    Ok(ScenarioFile {
        file: file.to_string(),
        text: text.to_string(),
        hash: sha256_hex(text),
        base,
        variants,
    })
}

/// Reads and parses a scenario file; I/O errors name the path.
pub fn load_scenario(path: &Path, sets: &[String]) -> Result<ScenarioFile, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_scenario(&text, &path.display().to_string(), sets)
}

/// The document with the `--set` overrides applied, as a TOML table
/// (variants untouched, nothing resolved or range-checked).
pub fn apply_sets(text: &str, file: &str, sets: &[String]) -> Result<toml::Table, ScenarioError> {
    let sources = Sources { file, text, sets };
    let invalid = |d: Diagnostic| ScenarioError::Invalid(vec![d]);
    let mut root = parse_tree(text, &sources).map_err(invalid)?;
    apply_set_args(&mut root, &sources).map_err(invalid)?;
    match root.to_toml() {
        toml::Value::Table(t) => Ok(t),
        _ => Ok(toml::Table::new()),
    }
}

/// SHA-256 of a text, lower-case hex.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn apply_set_args(root: &mut Node, sources: &Sources<'_>) -> Result<(), Diagnostic> {
    for (i, arg) in sources.sets.iter().enumerate() {
        let op = parse_set(i, arg, sources)?;
        apply(root, &op, sources)?;
    }
    Ok(())
}

fn parse_tree(text: &str, sources: &Sources<'_>) -> Result<Node, Diagnostic> {
    let doc = DeTable::parse(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let key = guess_key(text, span.start);
        sources.diag(
            ErrorKind::Syntax,
            Some(&Loc::file(span)),
            key,
            None,
            format!("TOML syntax error: {}", e.message()),
        )
    })?;
    let span = doc.span();
    let v = toml::Spanned::new(span, toml::de::DeValue::Table(doc.into_inner()));
    let mut root = Node::from_de(&v, Src::File, 0).map_err(|bad| {
        let key = guess_key(text, bad.loc.span.start);
        sources.diag(
            ErrorKind::OutOfRange,
            Some(&bad.loc),
            key,
            sources.snippet(&bad.loc),
            bad.message,
        )
    })?;
    // The document's own location is its first character.
    root.loc = Some(Loc::file(0..0));
    Ok(root)
}

/// Best guess of the key path at a byte offset of a text that does not
/// parse: the last `[table]` header above it and the key on its line.
fn guess_key(text: &str, offset: usize) -> String {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let upto = &text[..offset];
    let line_start = upto.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let header = upto[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| {
            let end = l.find(']').unwrap_or(l.len());
            l[..end].trim_start_matches('[').trim().to_string()
        });
    let key = line
        .find('=')
        .map(|i| line[..i].trim())
        .filter(|k| !k.is_empty() && !k.starts_with('#') && !k.starts_with('['))
        .map(|k| k.replace(['"', '\''], ""));
    match (header, key) {
        (Some(h), Some(k)) => format!("{h}.{k}"),
        (Some(h), None) => h,
        (None, Some(k)) => k,
        (None, None) => String::new(),
    }
}

struct RawVariantOps {
    name: String,
    ops: Vec<SetOp>,
    overrides: Vec<(String, String)>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariant {
    name: Option<String>,
    #[allow(dead_code)]
    set: Option<serde::de::IgnoredAny>,
}

/// Takes the `[[variant]]` list out of the document.
fn take_variants(root: &mut Node, sources: &Sources<'_>) -> Result<Vec<RawVariantOps>, Diagnostic> {
    let Some(entry) = root.remove("variant") else {
        return Ok(Vec::new());
    };
    let holder = Node::new(tree::Val::Table(vec![entry]), root.loc.clone());
    let raws: Vec<RawVariant> = de::from_node(holder.get("variant").unwrap_or(&holder), "variant")
        .map_err(|e| from_de_error(e, sources))?;
    let mut out: Vec<RawVariantOps> = Vec::new();
    let mut first_line: Vec<usize> = Vec::new();
    for (i, rv) in raws.into_iter().enumerate() {
        let vnode = lookup(&holder, &[P::K("variant"), P::I(i)]).unwrap_or(&holder);
        let path = format!("variant[{i}]");
        let Some(name) = rv.name else {
            return Err(sources.diag(
                ErrorKind::Missing,
                vnode.loc.as_ref(),
                path,
                None,
                "missing required key \"name\" (a variant has name and set)",
            ));
        };
        let name_node = vnode.get("name").unwrap_or(vnode);
        if name.trim().is_empty() || name.len() > 200 || name.chars().any(char::is_control) {
            return Err(sources.at_node(
                ErrorKind::Invalid,
                name_node,
                None,
                format!("{path}.name"),
                "invalid variant name: 1 to 200 characters, not blank, no control characters",
            ));
        }
        let line = sources
            .diag(ErrorKind::Duplicate, name_node.loc.as_ref(), "", None, "")
            .line;
        if let Some(k) = out.iter().position(|v| v.name == name) {
            return Err(sources.at_node(
                ErrorKind::Duplicate,
                name_node,
                None,
                format!("{path}.name"),
                format!(
                    "duplicate variant name (first used at line {}); variant names must be unique",
                    first_line[k]
                ),
            ));
        }
        let mut ops = Vec::new();
        let mut overrides = Vec::new();
        if let Some(set) = vnode.get("set") {
            let Some(entries) = set.entries() else {
                return Err(sources.at_node(
                    ErrorKind::WrongType,
                    set,
                    vnode.loc.as_ref(),
                    format!("{path}.set"),
                    format!(
                        "wrong type: expected a table of \"key.path\" = value, e.g. set = {{ \"vendor.focal.policy\" = \"short_term\" }}, found {}",
                        set.type_name()
                    ),
                ));
            };
            for e in entries {
                let key_loc = e
                    .key_loc
                    .clone()
                    .or_else(|| e.node.loc.clone())
                    .unwrap_or_else(|| Loc::file(0..0));
                let text = e
                    .node
                    .loc
                    .as_ref()
                    .and_then(|l| sources.text.get(l.span.clone()))
                    .map_or_else(|| e.node.render(), str::to_string);
                overrides.push((e.key.clone(), text));
                ops.push(SetOp {
                    key: e.key.clone(),
                    key_loc,
                    value: e.node.clone(),
                });
            }
        }
        first_line.push(line);
        out.push(RawVariantOps {
            name,
            ops,
            overrides,
        });
    }
    Ok(out)
}
