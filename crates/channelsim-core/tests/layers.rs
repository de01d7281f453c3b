//! The core's files import one way (issue 13): no file imports a file that
//! imports it back, however long the circle, and no phase imports another
//! phase. Reads every `crate::` path of the source (test modules and the
//! test kit left out: tests sit on top of everything) and fails naming the
//! circle. Run: `cargo test -p channelsim-core --test layers`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A file of the crate, as its module path ("phases/renewal", "ids").
type Module = String;

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every module file of the crate except the root and the test kit.
fn modules(dir: &Path, prefix: &str, out: &mut Vec<(Module, PathBuf)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src readable")
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        if p.is_dir() {
            modules(&p, &format!("{prefix}{name}/"), out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            if prefix.is_empty() && (name == "lib" || name == "testkit") {
                continue;
            }
            out.push((format!("{prefix}{name}"), p));
        }
    }
}

/// The source without comments and without `#[cfg(test)]` items (a test
/// module's braces, or the item's line).
fn code_of(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect();
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "#[cfg(test)]" {
            // Skip the next item: through its matching closing brace, or
            // its line if it has no body.
            i += 1;
            let mut depth = 0i32;
            let mut opened = false;
            while i < lines.len() {
                for c in lines[i].chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' => depth -= 1,
                        _ => {}
                    }
                }
                let ends =
                    (opened && depth == 0) || (!opened && lines[i].trim_end().ends_with(';'));
                i += 1;
                if ends {
                    break;
                }
            }
            continue;
        }
        out.push_str(lines[i]);
        out.push('\n');
        i += 1;
    }
    out
}

/// Every `crate::a::b::...` path in `code`, as segment lists; a braced
/// list after `crate::` or a segment gives one path per item.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        // Not part of a longer identifier (e.g. `my_crate::`).
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        paths_from(rest, Vec::new(), &mut out);
    }
    out
}

fn paths_from(s: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let s = s.trim_start();
    if let Some(inner) = s.strip_prefix('{') {
        // Items of the braced list, split at depth 0.
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    paths_from(&inner[start..i], prefix.clone(), out);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    paths_from(&inner[start..i], prefix.clone(), out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return;
    }
    let ident: String = s
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if ident.is_empty() {
        if !prefix.is_empty() {
            out.push(prefix);
        }
        return;
    }
    let mut path = prefix;
    path.push(ident.clone());
    match s[ident.len()..].strip_prefix("::") {
        Some(more) => paths_from(more, path, out),
        None => out.push(path),
    }
}

/// The module file a path names: its longest prefix that is a module;
/// a name the crate root re-exports goes to where it comes from.
fn target(
    path: &[String],
    mods: &BTreeSet<Module>,
    reexports: &BTreeMap<String, Module>,
) -> Option<Module> {
    for n in (1..=path.len()).rev() {
        let m = path[..n].join("/");
        if mods.contains(&m) {
            return Some(m);
        }
        let dir = format!("{m}/mod");
        if mods.contains(&dir) {
            return Some(dir);
        }
    }
    reexports.get(&path[0]).cloned()
}

/// The crate root's `pub use module::{names}` re-exports, name -> module.
fn reexports(lib: &str) -> BTreeMap<String, Module> {
    let mut out = BTreeMap::new();
    for line in code_of(lib).lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let mut paths = Vec::new();
        paths_from(rest.trim_end_matches(';'), Vec::new(), &mut paths);
        for p in paths {
            if p.len() >= 2 {
                out.insert(p[p.len() - 1].clone(), p[0].clone());
            }
        }
    }
    out
}

/// The import graph of the crate's files.
fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let mut files = Vec::new();
    modules(&src_dir(), "", &mut files);
    let mods: BTreeSet<Module> = files.iter().map(|(m, _)| m.clone()).collect();
    let lib = std::fs::read_to_string(src_dir().join("lib.rs")).unwrap();
    let re = reexports(&lib);
    let mut g = BTreeMap::new();
    for (m, path) in &files {
        let code = code_of(&std::fs::read_to_string(path).unwrap());
        let deps: BTreeSet<Module> = crate_paths(&code)
            .iter()
            .filter_map(|p| target(p, &mods, &re))
            .filter(|d| d != m)
            .collect();
        g.insert(m.clone(), deps);
    }
    g
}

/// A circle of the graph, if it has one (depth-first search).
fn find_cycle(g: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        m: &Module,
        g: &BTreeMap<Module, BTreeSet<Module>>,
        mark: &mut BTreeMap<Module, Mark>,
        stack: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        mark.insert(m.clone(), Mark::Open);
        stack.push(m.clone());
        for d in g.get(m).into_iter().flatten() {
            match mark.get(d).copied().unwrap_or(Mark::New) {
                Mark::Open => {
                    let from = stack.iter().position(|x| x == d).unwrap();
                    let mut c = stack[from..].to_vec();
                    c.push(d.clone());
                    return Some(c);
                }
                Mark::New => {
                    if let Some(c) = visit(d, g, mark, stack) {
                        return Some(c);
                    }
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        mark.insert(m.clone(), Mark::Done);
        None
    }
    let mut mark = BTreeMap::new();
    for m in g.keys() {
        if mark.get(m).copied().unwrap_or(Mark::New) == Mark::New
            && let Some(c) = visit(m, g, &mut mark, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

#[test]
fn issue13_no_file_of_the_core_imports_a_file_that_imports_it_back() {
    let g = graph();
    assert!(g.len() > 20, "the crate's files were not found: {g:?}");
    // The reading works: known imports are seen.
    assert!(g["step"].contains("phases/mod") && g["phases/renewal"].contains("eligibility"));
    if let Some(c) = find_cycle(&g) {
        panic!("import circle: {}", c.join(" -> "));
    }
}

#[test]
fn issue13_no_phase_imports_another_phase() {
    let g = graph();
    for (m, deps) in &g {
        if !m.starts_with("phases/") {
            continue;
        }
        let sideways: Vec<&Module> = deps.iter().filter(|d| d.starts_with("phases/")).collect();
        assert!(sideways.is_empty(), "{m} imports {sideways:?}");
    }
}

#[test]
fn the_checker_finds_circles_and_paths() {
    let g = |edges: &[(&str, &str)]| {
        let mut g: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    assert_eq!(find_cycle(&g(&[("a", "b"), ("b", "c"), ("a", "c")])), None);
    let c = find_cycle(&g(&[("a", "b"), ("b", "c"), ("c", "a"), ("x", "a")])).unwrap();
    assert_eq!(c.first(), c.last());
    assert_eq!(c.len(), 4);
    let code = code_of(
        "use crate::ids::{N_SEG, UnitKind};\nuse crate::{a::B, c};\nfn f() { crate::x::y(); } // crate::z\n#[cfg(test)]\nmod tests {\n    use crate::step;\n}\nmy_crate::q();\n",
    );
    let p: Vec<String> = crate_paths(&code).iter().map(|p| p.join("::")).collect();
    assert_eq!(p, ["ids::N_SEG", "ids::UnitKind", "a::B", "c", "x::y"]);
}
