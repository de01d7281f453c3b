//! Errors: what went wrong, where (file, line, column, key path) and what is
//! allowed instead.

use std::fmt;
use std::path::PathBuf;

use super::tree::{Loc, Node, Src};

/// What kind of mistake a [`Diagnostic`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text is not valid TOML.
    Syntax,
    /// A key the schema does not know (the message lists the allowed keys).
    UnknownKey,
    /// A value of the wrong type (the message names the expected type).
    WrongType,
    /// A value outside its allowed range.
    OutOfRange,
    /// A name that is not one of a closed set (strategy, policy preset,
    /// segment, model version); the message lists the allowed names.
    UnknownName,
    /// A required key is missing.
    Missing,
    /// Two entries of a strategy mix serve the same segment in the same tier.
    MixOverlap,
    /// Two vendors or two variants with the same name.
    Duplicate,
    /// A `--set` argument that is not `KEY=VALUE`.
    BadSet,
    /// Any other invalid value (a name with characters it may not have, …).
    Invalid,
}

/// One error, located in the scenario file or in a `--set` argument.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub kind: ErrorKind,
    /// `scenarios/x.toml`, or `scenarios/x.toml: --set KEY=VALUE` for an
    /// error in a command-line override.
    pub origin: String,
    /// 1-based line (always 1 in a `--set`).
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Key path of the value, e.g. `vendor.focal.policy_overrides.share_shift`
    /// (empty when unknown, e.g. for some syntax errors).
    pub key: String,
    /// The offending value as written (TOML text), when there is one.
    pub value: Option<String>,
    /// The variant whose `set` produced the error, if any.
    pub variant: Option<String>,
    /// What is wrong and what is allowed.
    pub message: String,
    /// The source line the error points into (for [`ScenarioError::report`]).
    pub source_line: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.origin, self.line, self.column)?;
        if let Some(v) = &self.variant {
            write!(f, "in variant {v:?}: ")?;
        }
        if !self.key.is_empty() {
            write!(f, "{}", self.key)?;
            if let Some(v) = &self.value {
                write!(f, " = {v}")?;
            }
            write!(f, ": ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl Diagnostic {
    /// The diagnostic followed by the source line and a caret under the
    /// column, for terminals.
    pub fn report(&self) -> String {
        let mut s = self.to_string();
        if !self.source_line.is_empty() {
            let gutter = self.line.to_string();
            let pad = " ".repeat(gutter.len());
            let (shown, caret_at) = excerpt(&self.source_line, self.column.saturating_sub(1));
            let caret_pad: String = shown
                .chars()
                .take(caret_at)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            s.push_str(&format!(
                "\n{pad} |\n{gutter} | {shown}\n{pad} | {caret_pad}^"
            ));
        }
        s
    }
}

/// Most characters of a source line shown under a diagnostic.
const EXCERPT: usize = 120;

/// At most [`EXCERPT`] characters of `line` around character `at` (a
/// 400 KB line must not be printed whole), and where `at` falls in them.
fn excerpt(line: &str, at: usize) -> (String, usize) {
    let n = line.chars().count();
    if n <= EXCERPT {
        return (line.to_string(), at);
    }
    let start = at.saturating_sub(EXCERPT / 2).min(n - EXCERPT);
    let mut shown: String = line.chars().skip(start).take(EXCERPT).collect();
    let mut caret = at - start;
    if start > 0 {
        shown.insert(0, '…');
        caret += 1;
    }
    if start + EXCERPT < n {
        shown.push('…');
    }
    (shown, caret)
}

/// Error of [`parse_scenario`](super::parse_scenario) and
/// [`load_scenario`](super::load_scenario).
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{}: cannot read the scenario file: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The scenario is invalid; one diagnostic per problem found (at least
    /// one), one per line in `Display`.
    #[error("{}", join_lines(.0))]
    Invalid(Vec<Diagnostic>),
}

fn join_lines(d: &[Diagnostic]) -> String {
    d.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

impl ScenarioError {
    /// The diagnostics (empty for an I/O error).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ScenarioError::Io { .. } => &[],
            ScenarioError::Invalid(d) => d,
        }
    }

    /// Multi-line report with source excerpts, for a terminal.
    pub fn report(&self) -> String {
        match self {
            ScenarioError::Io { .. } => self.to_string(),
            ScenarioError::Invalid(d) => d
                .iter()
                .map(Diagnostic::report)
                .collect::<Vec<_>>()
                .join("\n\n"),
        }
    }
}

/// The texts locations point into.
pub(crate) struct Sources<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub sets: &'a [String],
}

impl Sources<'_> {
    fn src_text(&self, src: Src) -> &str {
        match src {
            Src::File => self.text,
            Src::Set(i) => self.sets.get(i).map_or("", String::as_str),
        }
    }

    fn origin(&self, src: Src) -> String {
        match src {
            Src::File => self.file.to_string(),
            Src::Set(i) => format!(
                "{}: --set {}",
                self.file,
                self.sets.get(i).map_or("", String::as_str)
            ),
        }
    }

    /// The text a location spans (one line, shortened).
    pub fn snippet(&self, loc: &Loc) -> Option<String> {
        let t = self.src_text(loc.src).get(loc.span.clone())?;
        Some(shorten(t))
    }

    /// Builds a diagnostic at `loc` (the start of the file when `None`).
    pub fn diag(
        &self,
        kind: ErrorKind,
        loc: Option<&Loc>,
        key: impl Into<String>,
        value: Option<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (src, start) = loc.map_or((Src::File, 0), |l| (l.src, l.span.start));
        let text = self.src_text(src);
        let start = floor_char_boundary(text, start);
        let before = &text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..start].chars().count() + 1;
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let source_line = text[line_start..line_end]
            .trim_end_matches('\r')
            .to_string();
        Diagnostic {
            kind,
            origin: self.origin(src),
            line,
            column,
            key: key.into(),
            value,
            variant: None,
            message: message.into(),
            source_line,
        }
    }

    /// The 1-based line a location starts on.
    pub fn line_of(&self, loc: Option<&Loc>) -> usize {
        self.diag(ErrorKind::Invalid, loc, "", None, "").line
    }

    /// A diagnostic about a node, showing its value.
    pub fn at_node(
        &self,
        kind: ErrorKind,
        node: &Node,
        fallback: Option<&Loc>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let value = self.value_text(node);
        self.diag(
            kind,
            node.loc.as_ref().or(fallback),
            key,
            Some(value),
            message,
        )
    }

    /// The value as written, or rendered when it is a default.
    pub fn value_text(&self, node: &Node) -> String {
        node.loc
            .as_ref()
            .and_then(|l| self.snippet(l))
            // A table made by a header or dotted key is located at its key.
            .filter(|s| !node.is_table() || s.starts_with('{'))
            .unwrap_or_else(|| shorten(&node.render()))
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// First line of `s`, at most 60 characters.
pub(crate) fn shorten(s: &str) -> String {
    let first = s.lines().next().unwrap_or("");
    let mut out: String = first.chars().take(60).collect();
    if out.len() < s.trim_end().len() {
        out.push_str(" …");
    }
    out
}

/// The allowed names, with a "did you mean" for the closest one.
pub(crate) fn allowed_list(given: &str, allowed: &[&str]) -> String {
    let list = allowed.join(", ");
    match closest(given, allowed) {
        Some(c) => format!("{list} (did you mean {c:?}?)"),
        None => list,
    }
}

fn closest<'a>(given: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let g = given.to_ascii_lowercase();
    allowed
        .iter()
        .map(|a| (edit_distance(&g, &a.to_ascii_lowercase()), *a))
        .filter(|(d, a)| *d > 0 && *d <= 2.max(a.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len() > 200 || b.len() > 200 {
        return usize::MAX;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
