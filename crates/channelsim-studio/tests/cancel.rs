//! Cancellation (issue 16): a run cancelled while its runs are going stops
//! between runs, keeps what it finished in the cache, and a later request
//! of the same setting finishes it with the figures of an uncancelled run.

use channelsim_runner::scenario::DEFAULT_SCENARIO;
use channelsim_studio::{Base, Engine, Settings, StudioError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn setting(reps: &str, horizon: &str) -> Settings {
    Settings {
        strategies: vec!["abu".into(), "online".into()],
        values: [("replicates", reps), ("horizon_months", horizon)]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

#[test]
fn issue16_a_cancelled_answer_stops_early_and_keeps_its_finished_runs() {
    let base = Base::new(DEFAULT_SCENARIO, "default.toml").unwrap();
    let p = base.prepare(&setting("40", "120")).unwrap();
    let engine = Engine::new();
    let cancel = AtomicBool::new(false);
    // Cancel from another thread shortly after the start (one thread runs
    // the 160 runs, over 1 s of work, so they cannot all be done by then;
    // the 40 markets are drawn once each, shared by the 4 variants).
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let t = Instant::now();
    let got = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(150));
            cancel.store(true, Ordering::SeqCst);
        });
        pool.install(|| engine.answer(&p, &cancel))
    });
    assert!(matches!(got, Err(StudioError::Cancelled)), "not cancelled");
    let cancelled_after = t.elapsed();
    // The same setting again: only the runs not done before are run.
    let go = AtomicBool::new(false);
    let full = pool.install(|| engine.answer(&p, &go)).unwrap();
    assert!(
        full.runs_computed > 0 && full.runs_computed < full.runs,
        "{}",
        full.runs_computed
    );
    // And the figures are those of a studio that was never cancelled.
    let fresh = Engine::new();
    let clean = fresh.answer(&p, &go).unwrap();
    assert_eq!(clean.runs_computed, clean.runs);
    assert_eq!(
        serde_json::to_value(&full.answer).unwrap(),
        serde_json::to_value(&clean.answer).unwrap()
    );
    assert_eq!(full.bands, clean.bands);
    println!(
        "cancelled after {cancelled_after:?}; {} of {} runs were left",
        full.runs_computed, full.runs
    );
}
