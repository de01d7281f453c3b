//! Readable tables of a suite's results and of a comparison (text for the
//! command line to print).

use crate::baseline::{Basis, Comparison, Verdict};
use crate::report::BenchReport;
use std::fmt::Write;

fn opt(x: Option<f64>, f: impl Fn(f64) -> String) -> String {
    x.map_or_else(|| "-".into(), f)
}

/// The suite's table: one line per case, then strategy ratios and where
/// the national market's time goes.
pub fn results(r: &BenchReport) -> String {
    let mut s = String::new();
    let m = &r.machine;
    let _ = writeln!(
        s,
        "channelsim bench, suite {}: {} repeats, {:.0} s; engine {}{}; {} ({} cores, {})",
        r.suite,
        r.repeats,
        r.total_seconds,
        r.build.engine_version,
        r.build
            .git_commit
            .as_deref()
            .map_or(String::new(), |c| format!(" ({})", &c[..c.len().min(12)])),
        m.cpu_model,
        m.cores,
        m.memory_bytes.map_or("memory unknown".into(), |b| format!(
            "{:.1} GiB",
            b as f64 / (1u64 << 30) as f64
        )),
    );
    let _ = writeln!(
        s,
        "{:<36} {:>3} {:>22} {:>9} {:>9} {:>7} {:>8} {:>6} {:>6}",
        "case",
        "thr",
        "seconds min/med/max",
        "Mcm/s/c",
        "Mem/s/c",
        "xkernel",
        "peak MB",
        "B/ent",
        "t.eff"
    );
    for c in &r.cases {
        let w = c.wall_seconds;
        let _ = writeln!(
            s,
            "{:<36} {:>3} {:>22} {:>9} {:>9.1} {:>7} {:>8} {:>6} {:>6}",
            c.id,
            c.threads,
            format!("{:.3}/{:.3}/{:.3}", w.min, w.median, w.max),
            opt(c.customer_months_per_sec_per_core, |x| format!(
                "{:.1}",
                x / 1e6
            )),
            c.enterprise_months_per_sec_per_core / 1e6,
            opt(c.ratio_to_kernel, |x| format!("{x:.3}")),
            opt(c.peak_rss_bytes.map(|b| b as f64), |b| format!(
                "{:.1}",
                b / 1e6
            )),
            opt(c.bytes_per_enterprise, |b| format!("{b:.1}")),
            opt(c.thread_efficiency, |x| format!("{x:.2}")),
        );
    }
    let _ = writeln!(
        s,
        "Mcm/s/c: million active customer-months per second per core (median); Mem/s/c: enterprise-months; \
         xkernel: Mcm/s/c over the reference kernel's; peak MB: the case's process (VmHWM); t.eff: speed-up / threads"
    );
    if !r.strategy_ratios.is_empty() {
        let _ = writeln!(
            s,
            "\nspeed against city_exclusive (saturated 1M, one core; ratio of medians [lowest, highest within a round]); \
             the customer phases alone; the other phases per unit-month, and the live units:"
        );
        for x in &r.strategy_ratios {
            let _ = writeln!(
                s,
                "  {:<18} {:.2} [{:.2}, {:.2}]   customer phases {:>5}   other phases {:>6} ns/unit-month, {:>6} units",
                x.strategy,
                x.ratio,
                x.round_min,
                x.round_max,
                opt(x.customer_phases_ratio, |v| format!("{v:.2}")),
                opt(x.unit_phases_ns_per_unit_month, |v| format!("{v:.0}")),
                opt(x.mean_units, |v| format!("{v:.0}")),
            );
        }
    }
    for c in r.cases.iter().filter(|c| c.id.starts_with("national")) {
        let _ = writeln!(
            s,
            "\nwhere the time goes, {} ({} enterprises, world built in {:.1} s, {:.1} s of months; engine timings, \
             customer phases summed over threads):",
            c.id, c.enterprises, c.build_seconds.median, c.wall_seconds.median
        );
        for p in &c.phases {
            let _ = writeln!(
                s,
                "  {:<18} {:>8.2} s {:>5.1}% {:>8} ns/customer-month",
                p.name,
                p.seconds,
                p.share * 100.0,
                opt(p.ns_per_customer_month, |x| format!("{x:.1}"))
            );
        }
    }
    s
}

/// The comparison's table.
pub fn comparison(c: &Comparison) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "against the baseline ({}; regression: slower by more than the noise and {:.0}%):",
        match c.basis {
            Basis::Kernel => "time per unit of work relative to the reference kernel",
            Basis::Absolute => "time per unit of work, absolute",
        },
        c.threshold * 100.0
    );
    for n in &c.notes {
        let _ = writeln!(s, "  note: {n}");
    }
    for x in &c.cases {
        let _ = writeln!(
            s,
            "  {:<36} {:>+7.1}%  noise ±{:>4.1}%  {}{}{}",
            x.id,
            x.change * 100.0,
            x.noise * 100.0,
            match x.verdict {
                Verdict::Faster => "faster",
                Verdict::Slower => "slower",
                Verdict::WithinNoise => "within noise",
            },
            if x.regression { "  REGRESSION" } else { "" },
            if x.work_changed {
                "  (work differs)"
            } else {
                ""
            },
        );
    }
    for id in &c.only_baseline {
        let _ = writeln!(s, "  {id:<36} only in the baseline");
    }
    for id in &c.only_new {
        let _ = writeln!(s, "  {id:<36} not in the baseline");
    }
    s
}
