//! The memory refusal names the scenario file and gives advice that fits:
//! fewer threads (and how many) when fewer concurrent runs would fit, a
//! smaller market when even one run would not.

use channelsim_runner::exec::memory_estimate;
use channelsim_runner::job::memory_refusal;
use channelsim_runner::scenario::parse_scenario;

const TEXT: &str = r#"
name = "mem"
horizon_months = 12
replicates = 4

[market]
cities = [{ tier = 1, count = 2, enterprises = 1000000 }]

[[vendor]]
name = "focal"
strategy = "abu"
policy = "long_term"
"#;

fn scenario() -> channelsim_core::Scenario {
    parse_scenario(TEXT, "mem.toml", &[])
        .unwrap()
        .variants
        .remove(0)
        .scenario
}

#[test]
fn fewer_threads_are_advised_when_fewer_runs_fit() {
    let sc = scenario();
    let one = memory_estimate(&sc, 1);
    // Room for 2 runs, 4 asked for at once.
    let r = memory_refusal("mem.toml", &[sc], 4, 8, 2 * one + one / 2).unwrap();
    assert_eq!((r.concurrent, r.fits), (4, 2));
    let msg = r.to_string();
    assert!(msg.starts_with("mem.toml: "), "{msg}");
    assert!(msg.contains("for 4 concurrent runs"), "{msg}");
    assert!(msg.contains(&format!("{} MiB each", one >> 20)), "{msg}");
    assert!(
        msg.contains("2 concurrent runs would fit: use --threads 2"),
        "{msg}"
    );
    assert!(!msg.contains("smaller market"), "{msg}");
}

#[test]
fn a_smaller_market_is_advised_when_one_run_does_not_fit() {
    let sc = scenario();
    let one = memory_estimate(&sc, 1);
    for (threads, runs) in [(1, 8), (4, 1), (4, 8)] {
        let r = memory_refusal(
            "mem.toml",
            std::slice::from_ref(&sc),
            threads,
            runs,
            one / 2,
        )
        .unwrap();
        assert_eq!(r.fits, 0);
        let msg = r.to_string();
        assert!(msg.starts_with("mem.toml: "), "{msg}");
        assert!(msg.contains("smaller market"), "{msg}");
        assert!(msg.contains("2000000 enterprises in 2 cities"), "{msg}");
        assert!(!msg.contains("use --threads"), "{msg}");
        if threads.min(runs) == 1 {
            assert!(msg.contains("for one run"), "{msg}");
            assert!(!msg.contains("threads"), "{msg}");
        } else {
            assert!(msg.contains("fewer threads cannot help"), "{msg}");
        }
        // The market that would fit is about half this one.
        assert!(
            (900_000..1_000_000).contains(&r.enterprises_fit),
            "{}",
            r.enterprises_fit
        );
    }
}

#[test]
fn what_fits_is_not_refused() {
    let sc = scenario();
    let one = memory_estimate(&sc, 1);
    assert!(memory_refusal("mem.toml", std::slice::from_ref(&sc), 2, 8, 2 * one).is_none());
    assert!(memory_refusal("mem.toml", &[sc], 4, 1, one).is_none());
}
