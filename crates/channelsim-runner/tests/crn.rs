//! Common random numbers pay: on the default scenario, the paired interval
//! of a difference between two variants is narrower than the unpaired one.

use channelsim_runner::exec::run_all;
use channelsim_runner::scenario::{DEFAULT_SCENARIO, parse_scenario};
use channelsim_stats::{PairedDiff, welch_unpaired};

#[test]
fn crn_gives_a_narrower_paired_interval_than_unpaired() {
    let file = parse_scenario(
        DEFAULT_SCENARIO,
        "default.toml",
        &["horizon_months=60".into()],
    )
    .unwrap();
    let pick = |n: &str| &file.variants.iter().find(|v| v.name == n).unwrap().scenario;
    // The headline pairs: each strategy under long-term against short-term play.
    // (Online is left out: a lone online vendor's paths diverge from the
    // first months, and its pair shows little correlation; see docs/patterns.md.)
    use channelsim_core::ids::Strategy;
    for s in Strategy::ALL
        .iter()
        .filter(|s| **s != Strategy::Online)
        .map(|s| s.name())
    {
        let (a, b) = (&format!("{s} / long_term"), &format!("{s} / short_term"));
        let runs = run_all(&[pick(a), pick(b)], 10, &|| {});
        for m in ["active", "cum_profit"] {
            let metric = |v: usize| -> Vec<f64> {
                runs.iter()
                    .filter(|r| r.variant == v)
                    .map(|r| r.rows.last().unwrap().get(m).unwrap())
                    .collect()
            };
            let (x, y) = (metric(0), metric(1));
            let paired = PairedDiff::of(&x, &y).unwrap();
            let unpaired = welch_unpaired(&x, &y).unwrap();
            let (wp, wu) = (paired.ci_hi - paired.ci_lo, unpaired.ci_hi - unpaired.ci_lo);
            eprintln!("{a} vs {b}, {m}: paired CI width {wp:.1}, unpaired {wu:.1}");
            assert!(
                wp < wu,
                "{a} vs {b}, {m}: paired width {wp:.1} not below unpaired {wu:.1}"
            );
        }
    }
}
