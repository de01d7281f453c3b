//! The headline table the run prints.

mod common;

use common::{bin, fixture};

#[test]
fn a_market_of_several_vendors_prints_a_row_for_each() {
    let out = std::env::temp_dir().join(format!("channelsim-table-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let o = bin()
        .args(["run", "--force", "--out"])
        .arg(&out)
        .arg(fixture("two_vendors.toml"))
        .output()
        .expect("binary runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("2 vendors at month 24"), "{text}");
    // Off a terminal the table is 100 columns wide; a row may take two
    // lines (names above labels, means above intervals).
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let row = |who: &str, label: &str| {
        let i = lines
            .iter()
            .position(|l| l.starts_with("two_vendors") && l.contains(who))
            .unwrap_or_else(|| panic!("no row for {who}:\n{text}"));
        let both = format!("{} {}", lines[i], lines.get(i + 1).unwrap_or(&""));
        assert!(both.contains(label), "{who}: {both}");
        assert!(both.contains('['), "{who}: no interval: {both}");
    };
    row("local_co", "(city_exclusive, long_term)");
    row("cloud_co", "(online, short_term)");
    std::fs::remove_dir_all(&out).unwrap();
}
