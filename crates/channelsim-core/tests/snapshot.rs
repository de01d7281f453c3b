//! Snapshot tests of short seeded runs: any change of behaviour shows up as
//! a diff. Regenerate on purpose with `UPDATE_SNAPSHOTS=1 cargo test`.

use channelsim_core::ids::Strategy;
use channelsim_core::metrics::Collect;
use channelsim_core::{METRICS, Scenario, run_replicate};
use std::fmt::Write;
use std::path::PathBuf;

fn snapshot(name: &str, sc: &Scenario) {
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
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.csv"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() || !path.exists() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap();
    if want != text {
        let first = want.lines().zip(text.lines()).position(|(a, b)| a != b);
        panic!(
            "{name}: the run differs from its snapshot {} (first differing line {:?}); \
             if the change is intended, rerun with UPDATE_SNAPSHOTS=1",
            path.display(),
            first.map(|i| i + 1)
        );
    }
}

fn short(s: Strategy, preset: &str) -> Scenario {
    let mut sc = Scenario::single(s, preset);
    sc.market.cities.truncate(8);
    sc.scale_head_office(|_| false);
    sc.horizon_months = 36;
    sc
}

#[test]
fn snapshot_every_strategy() {
    for s in Strategy::ALL {
        for preset in ["long_term", "short_term"] {
            snapshot(&format!("{}_{preset}", s.name()), &short(s, preset));
        }
    }
}
