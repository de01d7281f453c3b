//! Snapshot tests of short seeded runs: any change of behaviour shows up as
//! a diff against `tests/snapshots/NAME.csv`. A snapshot that is missing or
//! differs fails the test; nothing is written unless the environment
//! variable `CHANNELSIM_BLESS=1` is set, which (re)writes every snapshot
//! from the current build, on purpose:
//!
//! ```sh
//! CHANNELSIM_BLESS=1 cargo test --release -p channelsim-core --test snapshot
//! ```
//!
//! then review and commit the changed files.

mod common;

use channelsim_core::ids::Strategy;
use channelsim_core::metrics::Collect;
use channelsim_core::{METRICS, Scenario, run_replicate};
use common::{rivals, short};
use std::fmt::Write;
use std::path::PathBuf;

/// Whether snapshots are to be (re)written: `CHANNELSIM_BLESS=1`.
fn bless() -> bool {
    std::env::var_os("CHANNELSIM_BLESS").is_some_and(|v| v == "1")
}

/// One run of `sc` as the snapshot's CSV text (every metric, 9 significant
/// digits in scientific notation).
fn snapshot_text(sc: &Scenario) -> String {
    let mut c = Collect::default();
    run_replicate(sc, 0, &mut c);
    let mut text = format!("month,vendor,{}\n", METRICS.join(","));
    for r in &c.0 {
        write!(text, "{},{}", r.month, r.vendor).unwrap();
        for v in r.values() {
            write!(text, ",{v:.9e}").unwrap();
        }
        text.push('\n');
    }
    text
}

/// Check one run against its snapshot (or write it, when blessing); the
/// problem, if any.
fn snapshot(name: &str, sc: &Scenario) -> Option<String> {
    let text = snapshot_text(sc);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.csv"));
    if bless() {
        std::fs::write(&path, &text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return None;
    }
    let want = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Some(format!("{name}: no snapshot {}", path.display()));
        }
        Err(e) => return Some(format!("{name}: {}: {e}", path.display())),
    };
    if want == text {
        return None;
    }
    let (a, b): (Vec<&str>, Vec<&str>) = (want.lines().collect(), text.lines().collect());
    let first = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    Some(format!(
        "{name}: the run differs from its snapshot {} from line {} ({} lines in the snapshot, {} now)",
        path.display(),
        first + 1,
        a.len(),
        b.len()
    ))
}

/// The columns of `text` named in the header of `want` (a CSV with a
/// header line), in `want`'s order: a run compared with an older snapshot
/// on the metrics that snapshot has.
fn columns_of(want: &str, text: &str) -> Result<String, String> {
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let wanted: Vec<&str> = want.lines().next().unwrap_or("").split(',').collect();
    let idx = wanted
        .iter()
        .map(|w| {
            head.iter()
                .position(|h| h == w)
                .ok_or_else(|| format!("no column {w} in the run"))
        })
        .collect::<Result<Vec<usize>, String>>()?;
    let mut out = wanted.join(",") + "\n";
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        out += &idx.iter().map(|&i| cells[i]).collect::<Vec<_>>().join(",");
        out.push('\n');
    }
    Ok(out)
}

/// The run of `sc` compared with the snapshot `dir/name.csv` (written by
/// an earlier engine) on the columns that snapshot has but those `skip`
/// names; the difference, if any.
fn differs_from_older(dir: &str, name: &str, sc: &Scenario, skip: &str) -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(dir)
        .join(format!("{name}.csv"));
    let text = snapshot_text(sc);
    let want = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => return Some(format!("{name}: {}: {e}", path.display())),
    };
    let drop = |t: &str| -> String {
        let mut lines = t.lines();
        let head: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
        let keep: Vec<usize> = (0..head.len())
            .filter(|&i| skip.is_empty() || !head[i].contains(skip))
            .collect();
        std::iter::once(head)
            .chain(lines.map(|l| l.split(',').collect()))
            .map(|c: Vec<&str>| keep.iter().map(|&i| c[i]).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let want = drop(&want);
    match columns_of(&want, &text).map(|g| drop(&g)) {
        Ok(got) if got == want => None,
        Ok(got) => {
            let line = want
                .lines()
                .zip(got.lines())
                .position(|(a, b)| a != b)
                .map_or(0, |l| l + 1);
            Some(format!("{name}: differs from {dir}/ from line {line}"))
        }
        Err(e) => Some(format!("{name}: {e}")),
    }
}

/// Issue 11 item 4: with every v2 mechanism at its neutral value
/// (`Params::neutralise_v2_mechanisms`), the engine gives exactly the
/// model v1 snapshots kept in `tests/snapshots/v1/` (never re-blessed):
/// each mechanism is a clean addition to v1. Compared on v1's columns but
/// the ecosystem value, counted once in v2 (each flow once): the one v1
/// column that is meant to differ.
#[test]
fn issue11_v2_mechanisms_at_neutral_give_the_v1_snapshots() {
    let mut problems = Vec::new();
    for s in Strategy::ALL {
        for preset in ["long_term", "short_term"] {
            let name = format!("{}_{preset}", s.name());
            let mut sc = short(s, preset);
            sc.params.neutralise_v2_mechanisms();
            // And the accounting readings of v1 (tests/v1_readings.rs).
            sc.model.moved_customer = channelsim_core::params::MovedCustomer::Restarts;
            sc.params.sales_marketing = 0.0;
            sc.params.general_admin = 0.0;
            sc.params.support = 0.0;
            sc.params.tax_rate = 0.0;
            problems.extend(differs_from_older("v1", &name, &sc, "ecosystem_value"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every one-vendor run and the rival vendors, each with `older` applied,
/// against the snapshots an earlier engine wrote in `dir` (all their
/// columns); the differences.
fn differs_from_engine(dir: &str, older: impl Fn(&mut Scenario)) -> Vec<String> {
    let mut problems = Vec::new();
    for s in Strategy::ALL {
        for preset in ["long_term", "short_term"] {
            let mut sc = short(s, preset);
            older(&mut sc);
            let name = format!("{}_{preset}", s.name());
            problems.extend(differs_from_older(dir, &name, &sc, ""));
        }
    }
    let mut sc = rivals();
    older(&mut sc);
    problems.extend(differs_from_older(dir, "rivals", &sc, ""));
    problems
}

/// Issue 11, model v2.1 (engine 0.6.0): with no customer support cost and
/// no income tax, the engine gives exactly model v2.0's snapshots (engine
/// 0.5.0, kept in `tests/snapshots/v2_0/`, never re-blessed) on every
/// column they have, the rival vendors included: the two costs are a clean
/// addition, and the growth-hire column only reports.
#[test]
fn issue11_v2_1_costs_at_zero_give_the_v2_0_snapshots() {
    let problems = differs_from_engine("v2_0", |sc| {
        sc.params.support = 0.0;
        sc.params.tax_rate = 0.0;
        sc.params.sales_marketing = 0.10; // v2.2 raised it
    });
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Issue 11, model v2.2 (engine 0.7.0): with sales and marketing at
/// model v2.1's 10% of revenue, the engine gives exactly v2.1's snapshots
/// (engine 0.6.0, kept in `tests/snapshots/v2_1/`, never re-blessed): the
/// new default changes that one value and nothing else.
#[test]
fn issue11_v2_2_sales_marketing_at_v2_1_gives_the_v2_1_snapshots() {
    let problems = differs_from_engine("v2_1", |sc| sc.params.sales_marketing = 0.10);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn snapshot_every_strategy() {
    let mut problems = Vec::new();
    for s in Strategy::ALL {
        for preset in ["long_term", "short_term"] {
            problems.extend(snapshot(
                &format!("{}_{preset}", s.name()),
                &short(s, preset),
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of the snapshots fail:\n  {}\nif the change is intended, rewrite them with \
         `CHANNELSIM_BLESS=1 cargo test --release -p channelsim-core --test snapshot`, \
         then review and commit them",
        problems.len(),
        problems.join("\n  ")
    );
}

/// Rival vendors ([`rivals`]).
#[test]
fn snapshot_rival_vendors() {
    if let Some(problem) = snapshot("rivals", &rivals()) {
        panic!(
            "{problem}\nif the change is intended, rewrite it with \
             `CHANNELSIM_BLESS=1 cargo test --release -p channelsim-core --test snapshot`"
        );
    }
}
