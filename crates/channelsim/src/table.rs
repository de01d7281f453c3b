//! The headline table printed after a run.

use channelsim_runner::job::RunOutcome;
use channelsim_runner::robust::RobustOutcome;

const COLS: &[(&str, &str)] = &[
    ("active", "customers"),
    ("arr", "ARR k CNY"),
    ("cum_profit", "cum profit k CNY"),
    ("npv", "NPV k CNY"),
    ("unit_survival", "unit survival"),
    ("satisfaction", "satisfaction"),
];

fn cell(n: usize, mean: f64, lo: f64, hi: f64) -> String {
    let f = |x: f64| {
        if x.abs() >= 100.0 || x == 0.0 {
            format!("{x:.0}")
        } else {
            format!("{x:.3}")
        }
    };
    if n < 2 {
        // One replicate has no interval: say so rather than print [x, x].
        return format!("{} [n=1]", f(mean));
    }
    format!("{} [{}, {}]", f(mean), f(lo), f(hi))
}

/// Variants (strategy x policy) against the headline metrics at the horizon,
/// with 95% intervals: for the compared vendor where variants are compared,
/// else for every vendor of the market (head-to-head), a row each.
pub fn headline(out: &RunOutcome) -> String {
    let vendors: Vec<String> = match &out.comparison {
        Some(c) => vec![c.vendor.clone()],
        None => out.scenarios[0]
            .vendors
            .iter()
            .map(|v| v.name.clone())
            .collect(),
    };
    let several = vendors.len() > 1;
    let horizon = out.scenarios[0].horizon_months;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header = vec!["variant".to_string()];
    if several {
        header.push("vendor (strategy, policy)".into());
    }
    header.extend(COLS.iter().map(|c| c.1.to_string()));
    rows.push(header);
    for name in &out.names {
        for vendor in &vendors {
            let of = |m: &str| {
                out.summary.iter().find(|s| {
                    &s.labels.variant == name && &s.labels.vendor == vendor && s.metric == m
                })
            };
            let mut r = vec![name.clone()];
            if several {
                r.push(of(COLS[0].0).map_or(vendor.clone(), |s| {
                    format!("{vendor} ({}, {})", s.labels.strategy, s.labels.policy)
                }));
            }
            for (m, _) in COLS {
                r.push(of(m).map_or("-".into(), |s| cell(s.n, s.mean, s.ci_lo, s.ci_hi)));
            }
            rows.push(r);
        }
    }
    let whom = match &vendors[..] {
        [one] => format!("Vendor `{one}`"),
        _ => format!("{} vendors", vendors.len()),
    };
    let mut s = format!("{whom} at month {horizon} (mean [95% CI] over replicates)\n");
    s.push_str(&aligned(&rows, if several { 2 } else { 1 }));
    if let Some(c) = &out.comparison {
        s.push_str("\nLong-term vs short-term, cumulative profit at the horizon (paired, long minus short):\n");
        for p in c.policy_pairs.iter().filter(|p| p.metric == "cum_profit") {
            let last = p.diff.last();
            let cross = match p.crossover.month_median {
                Some(m) => format!(
                    "long-term ahead for good from month {m:.0} (median; {:.0}% of replicates)",
                    100.0 * p.crossover.share_crossed
                ),
                None => "long-term never ahead for good".into(),
            };
            if let Some(d) = last {
                s.push_str(&format!(
                    "  {:<18} {:>12} [{:.0}, {:.0}]  {}\n",
                    p.strategy,
                    format!("{:.0}", d.mean),
                    d.ci_lo,
                    d.ci_hi,
                    cross
                ));
            }
        }
        if let Some(r) = c.ranking.iter().find(|r| r.metric == "cum_profit") {
            s.push_str(&format!("\nBest cumulative profit: {}\n", r.order[0]));
        }
        if let Some(r) = c.ranking.iter().find(|r| r.metric == "npv") {
            s.push_str(&format!("Best NPV: {}\n", r.order[0]));
        }
    }
    s
}

/// Rows as columns, the first `left` left-aligned and the rest right-aligned,
/// a rule under the first row.
fn aligned(rows: &[Vec<String>], left: usize) -> String {
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut s = String::new();
    for (i, r) in rows.iter().enumerate() {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (x, w))| {
                if c < left {
                    format!("{x:<w$}")
                } else {
                    format!("{x:>w$}")
                }
            })
            .collect();
        s.push_str(&line.join("  "));
        s.push('\n');
        if i == 0 {
            s.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
            s.push('\n');
        }
    }
    s
}

/// A rate as a percentage, to 0.01%.
fn pct(r: f64) -> String {
    format!("{}%", (r * 1e4).round() / 100.0)
}

/// Money in M CNY (rows are in k CNY), signed.
fn millions(k: f64) -> String {
    format!("{:+.0}", k / 1000.0)
}

/// A verdict cell: the baseline's long-minus-short with its interval
/// (`*` when it excludes 0), M CNY.
fn diff_cell(d: f64, lo: Option<f64>, hi: Option<f64>, sig: bool) -> String {
    match (lo, hi) {
        (Some(lo), Some(hi)) => format!(
            "{} [{}, {}]{}",
            millions(d),
            millions(lo),
            millions(hi),
            if sig { " *" } else { "  " }
        ),
        _ => format!("{} [n=1]  ", millions(d)),
    }
}

/// How many settings long-term wins, of all, with how many of them (and of
/// short-term's) the interval excludes 0.
fn wins_cell(share: f64, long_sig: f64, short_sig: f64, n: usize) -> String {
    let k = |x: f64| (x * n as f64).round() as usize;
    format!("{}/{n} ({}/{})", k(share), k(long_sig), k(short_sig))
}

/// The robustness table printed after `robust`.
pub fn robust(out: &RobustOutcome) -> String {
    let n = out.settings.len();
    let singles = out.settings.iter().filter(|s| s.0.len() == 1).count();
    let mut s = format!(
        "Long-term minus short-term, vendor `{}`, {} replicate{}, M CNY: the scenario's reading \
         [95% CI] (* excludes 0), and in how many of {n} readings long-term wins \
         (of them / of short-term's wins, how many with an interval excluding 0)\n",
        out.vendor,
        out.replicates,
        if out.replicates == 1 { "" } else { "s" }
    );
    s.push_str(&format!(
        "Readings: the scenario's, {singles} single switches{}\n\n",
        if out.all_combinations {
            format!(", {} combinations", n - 1 - singles)
        } else {
            format!(
                "; the {} combinations exceed --max-combinations and are not run",
                out.combinations
            )
        }
    ));
    let mut rows = vec![vec![
        "strategy".to_string(),
        format!("NPV at {}/yr", pct(out.discount_rate)),
        "long wins".into(),
        "cum profit".into(),
        "long wins".into(),
        "NPV verdict flips above".into(),
    ]];
    for v in &out.verdicts {
        rows.push(vec![
            v.strategy.clone(),
            diff_cell(v.npv_diff, v.npv_ci_lo, v.npv_ci_hi, v.npv_significant),
            wins_cell(
                v.npv_long_wins_share,
                v.npv_long_wins_significant_share,
                v.npv_short_wins_significant_share,
                n,
            ),
            diff_cell(
                v.cum_profit_diff,
                v.cum_profit_ci_lo,
                v.cum_profit_ci_hi,
                v.cum_profit_significant,
            ),
            wins_cell(
                v.cum_profit_long_wins_share,
                v.cum_profit_long_wins_significant_share,
                v.cum_profit_short_wins_significant_share,
                n,
            ),
            v.npv_flip_rate.map_or(
                format!(
                    "none to {}",
                    pct(channelsim_runner::robust::FLIP_SEARCH_MAX)
                ),
                pct,
            ),
        ]);
    }
    s.push_str(&aligned(&rows, 1));
    let flips: Vec<String> = out
        .verdicts
        .iter()
        .filter(|v| !v.npv_flipped_by.is_empty() || !v.cum_profit_flipped_by.is_empty())
        .map(|v| {
            let or_none = |x: &str| {
                if x.is_empty() {
                    "none".to_string()
                } else {
                    x.replace("; ", ", ")
                }
            };
            format!(
                "  {}: NPV by {}; cumulative profit by {}",
                v.strategy,
                or_none(&v.npv_flipped_by),
                or_none(&v.cum_profit_flipped_by)
            )
        })
        .collect();
    if !flips.is_empty() {
        s.push_str("\nSingle switches that flip the scenario's verdict:\n");
        s.push_str(&flips.join("\n"));
        s.push('\n');
    }
    for r in out.readings.iter().filter(|r| r.status != "used") {
        s.push_str(&format!("Reading {} {}\n", r.key, r.note));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::{cell, diff_cell, pct, wins_cell};

    #[test]
    fn robust_cells_are_millions_shares_and_percentages() {
        assert_eq!(
            diff_cell(-405_811.0, Some(-548_840.0), Some(-262_781.0), true),
            "-406 [-549, -263] *"
        );
        assert_eq!(
            diff_cell(66_930.0, Some(-21_382.0), Some(155_242.0), false),
            "+67 [-21, +155]  "
        );
        assert_eq!(diff_cell(1500.0, None, None, false), "+2 [n=1]  ");
        assert_eq!(wins_cell(0.5, 1.0 / 6.0, 2.0 / 6.0, 6), "3/6 (1/2)");
        assert_eq!(pct(0.08), "8%");
        assert_eq!(pct(0.0917), "9.17%");
    }

    #[test]
    fn one_replicate_has_no_interval() {
        assert_eq!(cell(1, 5.0, 5.0, 5.0), "5.000 [n=1]");
        assert_eq!(cell(2, 1234.4, 1000.0, 1500.0), "1234 [1000, 1500]");
        // An interval clipped at a bound of zero shows the bound, not 0.000.
        assert_eq!(cell(2, 12.5, 0.0, 30.25), "12.500 [0, 30.250]");
    }
}
