//! The headline table printed after a run.

use channelsim_runner::job::RunOutcome;

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
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let whom = match &vendors[..] {
        [one] => format!("Vendor `{one}`"),
        _ => format!("{} vendors", vendors.len()),
    };
    let mut s = format!("{whom} at month {horizon} (mean [95% CI] over replicates)\n");
    for (i, r) in rows.iter().enumerate() {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (x, w))| {
                if c == 0 || (several && c == 1) {
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

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn one_replicate_has_no_interval() {
        assert_eq!(cell(1, 5.0, 5.0, 5.0), "5.000 [n=1]");
        assert_eq!(cell(2, 1234.4, 1000.0, 1500.0), "1234 [1000, 1500]");
        // An interval clipped at a bound of zero shows the bound, not 0.000.
        assert_eq!(cell(2, 12.5, 0.0, 30.25), "12.500 [0, 30.250]");
    }
}
