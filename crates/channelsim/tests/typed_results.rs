//! Issue 12: every CSV a run, a compare and a sweep write loads with an
//! explicit type per column, and a float column holds only floats (written
//! with a point or exponent), so no reader guesses integer for it.

mod common;

use channelsim_results::catalogue::{self, Unit};
use channelsim_results::rows::{DiffRow, MonthRow, SummaryRow};
use common::{bin, fixture};
use std::path::Path;

#[derive(Debug, PartialEq)]
enum Ty {
    Text,
    Int,
    Float,
}

/// The type of a column, by its name: labels are text; ids, months,
/// replicates and counts integers; every other number a float.
fn ty(col: &str) -> Ty {
    const TEXT: [&str; 15] = [
        "variant", "vendor", "strategy", "policy", "metric", "unit", "long", "short", "kind",
        "error", "ahead", "pair", "a", "b", "driver",
    ];
    const INT: [&str; 6] = ["replicate", "month", "n", "run_id", "point_id", "seed"];
    if TEXT.contains(&col) {
        Ty::Text
    } else if INT.contains(&col) {
        Ty::Int
    } else {
        match catalogue::find(col).map(|m| m.unit) {
            Some(Unit::Count(_)) => Ty::Int,
            _ => Ty::Float,
        }
    }
}

/// Problems of one CSV file: a value that does not fit its column's type.
fn check(path: &Path, factors_are_floats: bool) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let mut bad = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.unwrap();
        for (c, v) in rec.iter().enumerate() {
            let col = &header[c];
            let t = if factors_are_floats && col.contains('.') {
                Ty::Float
            } else {
                ty(col)
            };
            let ok = match t {
                _ if v.is_empty() => true,
                Ty::Text => true,
                Ty::Int => v.parse::<i64>().is_ok(),
                Ty::Float => v.parse::<f64>().is_ok() && v.contains(['.', 'e', 'E']),
            };
            if !ok {
                bad.push(format!(
                    "{}: line {}, column {col} ({t:?}): {v:?}",
                    path.display(),
                    i + 2
                ));
            }
        }
    }
    bad
}

fn csvs(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    v.sort();
    v
}

#[test]
fn issue12_every_csv_has_one_type_per_column() {
    let out = std::env::temp_dir().join(format!("channelsim-typed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = out.join("run");
    let o = bin()
        .args(["run", "-q", "--no-report", "--replicates", "2", "--out"])
        .arg(&run)
        .arg(fixture("two_vendors.toml"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cmp = out.join("compare");
    let o = bin()
        .args(["compare", "-q", "--no-report", "--replicates", "2", "--out"])
        .arg(&cmp)
        .arg(fixture("small.toml"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut bad = Vec::new();
    let mut seen = 0;
    for dir in [&run, &cmp] {
        for p in csvs(dir) {
            seen += 1;
            bad.extend(check(&p, false));
        }
        // The typed rows read back with serde (an integer where a float is
        // due would still read; the check above is the strict one).
        let s: Vec<SummaryRow> = channelsim_results::read_csv(&dir.join("summary.csv")).unwrap();
        assert!(s.iter().all(|r| r.n == 2 && r.mean.is_some()));
        let m: Vec<MonthRow> = channelsim_results::read_csv(&dir.join("monthly.csv")).unwrap();
        assert!(!m.is_empty());
    }
    let d: Vec<DiffRow> = channelsim_results::read_csv(&cmp.join("policy_diff.csv")).unwrap();
    assert!(
        d.iter()
            .all(|r| r.unit == "M CNY" && r.metric.ends_with("_mcny"))
    );
    assert!(seen >= 9, "{seen} CSV files");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The check fails on a mixed column: `support` written `1` for 1.0.
    let mixed = out.join("mixed.csv");
    std::fs::write(&mixed, "variant,support,active\na,0.5,3\nb,1,4\n").unwrap();
    assert_eq!(check(&mixed, false).len(), 1);
    std::fs::remove_dir_all(&out).unwrap();
}
