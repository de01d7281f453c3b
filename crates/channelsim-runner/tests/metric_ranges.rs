//! Every value the engine reports lies in the range the metric catalogue
//! gives it (the ranges intervals are clipped to). Moved here from the core
//! when the catalogue moved to `channelsim-results` (issue 13).

use channelsim_core::ids::Strategy;
use channelsim_core::metrics::Collect;
use channelsim_core::{Scenario, run_replicate};
use channelsim_results::catalogue;
use channelsim_runner::results::value;

#[test]
fn every_observed_value_lies_in_its_metric_range() {
    for s in Strategy::ALL {
        for preset in ["long_term", "short_term"] {
            let mut sc = Scenario::single(s, preset);
            sc.market.cities.truncate(4);
            sc.scale_head_office(|_| false);
            let mut c = Collect::default();
            run_replicate(&sc, 0, &mut c);
            assert!(!c.0.is_empty());
            for r in &c.0 {
                for m in catalogue::all() {
                    let x = value(r, m);
                    assert!(
                        m.lo <= x && x <= m.hi,
                        "{s:?} {preset} month {}: {} = {x}",
                        r.month,
                        m.column
                    );
                }
            }
        }
    }
}
