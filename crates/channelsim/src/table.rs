//! The headline table printed after a run: fits the terminal (100 columns
//! when output is not a terminal), thousands grouped, money in M CNY as
//! every header says.

use channelsim_results::catalogue::{self, Metric, Unit};
use channelsim_runner::job::RunOutcome;
use channelsim_runner::robust::RobustOutcome;

/// Columns of the output: the terminal's, else 100.
pub fn width() -> usize {
    terminal_size::terminal_size().map_or(100, |(w, _)| (w.0 as usize).max(40))
}

/// A number with thousands grouped by commas and `dec` decimals.
pub fn grouped(x: f64, dec: usize) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let s = format!("{:.*}", dec, x.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let mut g = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            g.push(',');
        }
        g.push(c);
    }
    let neg = x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    format!(
        "{}{g}{}{frac}",
        if neg { "-" } else { "" },
        if frac.is_empty() { "" } else { "." }
    )
}

/// Decimals for a metric's values: counts none; shares three; money by size.
fn decimals(m: &Metric, typical: f64) -> usize {
    match m.unit {
        Unit::Count(_) => 0,
        Unit::Share => 3,
        _ if typical.abs() >= 100.0 => 0,
        _ if typical.abs() >= 1.0 => 1,
        _ => 3,
    }
}

/// "mean [lo, hi]"; with one replicate the mean and "[n=1]": there is no
/// interval, and the table says so rather than print [x, x].
fn cell(
    n: u64,
    mean: Option<f64>,
    lo: Option<f64>,
    hi: Option<f64>,
    dec: usize,
) -> (String, String) {
    let m = mean.map_or("-".into(), |x| grouped(x, dec));
    match (lo, hi) {
        (Some(l), Some(h)) => (m, format!("[{}, {}]", grouped(l, dec), grouped(h, dec))),
        _ if n == 1 => (m, "[n=1]".into()),
        _ => (m, String::new()),
    }
}

/// Lay out rows (first row the header) in `width` columns. Each cell is
/// two parts: on one line "a b" if the table fits so, else `a` above `b`
/// (header titles above their unit, strategy above policy, mean above
/// interval); columns that still do not fit are left out and named. The
/// first `left` columns are labels (left-aligned).
fn layout(rows: &[Vec<(String, String)>], left: usize, width: usize) -> String {
    let one = |(a, b): &(String, String)| {
        if b.is_empty() {
            a.clone()
        } else {
            format!("{a} {b}")
        }
    };
    let len = |s: &str| s.chars().count();
    let ncol = rows[0].len();
    let widths = |two: bool| -> Vec<usize> {
        (0..ncol)
            .map(|c| {
                rows.iter()
                    .map(|r| {
                        if two {
                            len(&r[c].0).max(len(&r[c].1))
                        } else {
                            len(&one(&r[c]))
                        }
                    })
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    };
    let total =
        |ws: &[usize], gap: usize| ws.iter().sum::<usize>() + gap * ws.len().saturating_sub(1);
    let mut two = false;
    let mut gap = 2;
    let mut ws = widths(false);
    if total(&ws, gap) > width {
        (two, gap) = (true, 1);
        ws = widths(true);
    }
    let mut keep = ncol;
    while keep > left + 1 && total(&ws[..keep], gap) > width {
        keep -= 1;
    }
    let mut s = String::new();
    for (i, r) in rows.iter().enumerate() {
        let texts: Vec<Vec<String>> = (0..keep)
            .map(|c| {
                if two {
                    vec![r[c].0.clone(), r[c].1.clone()]
                } else {
                    vec![one(&r[c])]
                }
            })
            .collect();
        let lines = if two { 2 } else { 1 };
        for line in 0..lines {
            if two && line == 1 && texts.iter().all(|t| t[1].is_empty()) {
                continue;
            }
            let cells: Vec<String> = (0..keep)
                .map(|c| {
                    let x = &texts[c][line];
                    let wd = ws[c];
                    if c < left {
                        format!("{x:<wd$}")
                    } else {
                        format!("{x:>wd$}")
                    }
                })
                .collect();
            s.push_str(cells.join(&" ".repeat(gap)).trim_end());
            s.push('\n');
        }
        if i == 0 {
            s.push_str(&"-".repeat(total(&ws[..keep], gap)));
            s.push('\n');
        }
    }
    if keep < ncol {
        let gone: Vec<String> = rows[0][keep..].iter().map(one).collect();
        let note = format!(
            "(not shown for the width: {}; see summary.csv)",
            gone.join(", ")
        );
        s.push_str(&wrap(&note, width));
    }
    s
}

/// Words in lines of at most `width` characters (a longer word alone).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for w in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + w.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// A header as title above unit.
fn head(m: &Metric) -> (String, String) {
    match m.unit {
        Unit::Share => (m.short.to_string(), String::new()),
        u => (m.short.to_string(), format!("({})", u.label())),
    }
}

/// A variant's name as strategy above policy ("a / b").
fn split_name(name: &str) -> (String, String) {
    match name.split_once(" / ") {
        Some((a, b)) => (a.to_string(), format!("/ {b}")),
        None => (name.to_string(), String::new()),
    }
}

/// Variants (strategy x policy) against the headline metrics at the horizon,
/// with 95% intervals, laid out in the terminal's width.
pub fn headline(out: &RunOutcome) -> String {
    headline_in(out, width())
}

/// The headline table in `width` columns.
pub fn headline_in(out: &RunOutcome, width: usize) -> String {
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
    let cols = catalogue::headline();
    let of = |name: &str, vendor: &str, m: &Metric| {
        out.summary
            .iter()
            .find(|s| s.variant == name && s.vendor == vendor && s.metric == m.column)
    };
    let dec: Vec<usize> = cols
        .iter()
        .map(|m| {
            let typical = out
                .summary
                .iter()
                .filter(|s| s.metric == m.column)
                .filter_map(|s| s.mean)
                .fold(0.0, |a: f64, x| a.max(x.abs()));
            decimals(m, typical)
        })
        .collect();
    let mut rows: Vec<Vec<(String, String)>> = Vec::new();
    let mut header = vec![("variant".to_string(), String::new())];
    if several {
        header.push(("vendor".into(), "(strategy, policy)".into()));
    }
    header.extend(cols.iter().map(|m| head(m)));
    rows.push(header);
    for name in &out.names {
        for vendor in &vendors {
            let mut r = vec![split_name(name)];
            if several {
                r.push(
                    of(name, vendor, cols[0]).map_or((vendor.clone(), String::new()), |s| {
                        (vendor.clone(), format!("({}, {})", s.strategy, s.policy))
                    }),
                );
            }
            for (m, d) in cols.iter().zip(&dec) {
                r.push(
                    of(name, vendor, m).map_or(("-".into(), String::new()), |s| {
                        cell(s.n, s.mean, s.ci_lo, s.ci_hi, *d)
                    }),
                );
            }
            rows.push(r);
        }
    }
    let whom = match &vendors[..] {
        [one] => format!("Vendor `{one}`"),
        _ => format!("{} vendors", vendors.len()),
    };
    let mut s =
        format!("{whom} at month {horizon} (mean [95% CI] over replicates; money in M CNY)\n");
    s.push_str(&layout(&rows, if several { 2 } else { 1 }, width));
    if !out.answer.is_empty() {
        s.push_str(&policy_table(out, width));
    }
    s
}

/// Long-term minus short-term per strategy at the horizon (`answer.json`):
/// the difference, the verdict, the crossover month only where long-term is
/// ahead in most replicates, and the discount rate that flips the verdict.
fn policy_table(out: &RunOutcome, width: usize) -> String {
    let cum = catalogue::crossed()[0];
    let mut s = format!(
        "\nLong-term minus short-term, {} at the horizon (M CNY, paired):\n",
        cum.title.to_lowercase()
    );
    let mut rows: Vec<Vec<(String, String)>> = vec![vec![
        ("strategy".into(), String::new()),
        ("long - short".into(), "(M CNY)".into()),
        ("verdict".into(), String::new()),
        ("long-term ahead".into(), "for good".into()),
        ("NPV verdict".into(), "flips above".into()),
    ]];
    for a in out.answer.iter().filter(|a| a.kind == "policy") {
        let (m, ci) = cell(a.n, a.diff_mean, a.diff_ci_lo, a.diff_ci_hi, 1);
        let d = a.diff_mean.unwrap_or(0.0);
        let verdict = match (a.significant, d > 0.0) {
            (true, true) => "long *",
            (true, false) => "short *",
            (false, _) => "no sig. diff.",
        };
        let cross = match a.crossover_month {
            Some(mo) => (
                format!("from month {}", grouped(mo, 0)),
                format!(
                    "(median; {:.0}% of runs)",
                    100.0 * a.crossover_share.unwrap_or(0.0)
                ),
            ),
            None => (
                "not ahead".into(),
                format!("(ahead in {:.0}% of runs)", 100.0 * a.share_ahead),
            ),
        };
        let flip = a.flip_rate.map_or(
            ("none".into(), format!("(to {})", pct(a.flip_search_max))),
            |r| (pct(r), String::new()),
        );
        rows.push(vec![
            (a.strategy.clone(), String::new()),
            (m, ci),
            (verdict.into(), String::new()),
            cross,
            flip,
        ]);
    }
    s.push_str(&layout(&rows, 1, width));
    s.push_str(&wrap(
        "* the 95% interval excludes 0. \"Not ahead\": long-term is not ahead at the horizon in most replicates, so no crossover month. Flips above: the discount rate a year above which the other policy wins on NPV.",
        width,
    ));
    s
}

/// The answer in words (`answer.json`'s statements), first thing after a run.
pub fn answer(out: &RunOutcome) -> String {
    answer_in(out, width())
}

pub fn answer_in(out: &RunOutcome, width: usize) -> String {
    if out.answer.is_empty() {
        return String::new();
    }
    let mut s = String::new();
    for a in out.answer.iter().filter(|a| a.kind != "policy") {
        s.push_str(&wrap(&a.text, width));
    }
    s.push_str("Long-term against short-term policy:\n");
    for a in out.answer.iter().filter(|a| a.kind == "policy") {
        s.push_str(&wrap(&format!("- {}", a.text), width));
    }
    s.push_str(&wrap(
        &format!("{}.", channelsim_runner::answer::readings_note(&out.answer)),
        width,
    ));
    s.push('\n');
    s
}

/// The drivers of each profit gap (`drivers.csv`), M CNY: one column per
/// pair, one row per driver, the gap last.
pub fn drivers(out: &RunOutcome) -> String {
    drivers_in(out, width())
}

pub fn drivers_in(out: &RunOutcome, width: usize) -> String {
    if out.drivers.is_empty() {
        return String::new();
    }
    let mut pairs: Vec<(&str, &str, &str, f64)> = Vec::new();
    for d in &out.drivers {
        if !pairs.iter().any(|p| p.1 == d.a && p.2 == d.b) {
            pairs.push((&d.strategy, &d.a, &d.b, d.gap_mcny));
        }
    }
    let mut rows: Vec<Vec<(String, String)>> = Vec::new();
    let mut header = vec![("driver".to_string(), "(M CNY)".to_string())];
    for (i, (st, a, _, _)) in pairs.iter().enumerate() {
        header.push(
            if i == 0
                && out
                    .answer
                    .first()
                    .is_some_and(|w| w.kind == "winner" && w.variant == *a)
            {
                ("winner".into(), "- runner-up".into())
            } else {
                (st.to_string(), "long - short".into())
            },
        );
    }
    rows.push(header);
    for name in channelsim_results::answer::DRIVERS {
        let mut r = vec![(name.to_string(), String::new())];
        for (_, a, b, _) in &pairs {
            let v = out
                .drivers
                .iter()
                .find(|d| d.a == *a && d.b == *b && d.driver == name)
                .map_or(f64::NAN, |d| d.value_mcny);
            r.push((grouped(v, 1), String::new()));
        }
        rows.push(r);
    }
    let mut r = vec![("= gap".to_string(), String::new())];
    r.extend(pairs.iter().map(|p| (grouped(p.3, 1), String::new())));
    rows.push(r);
    let mut s = String::from(
        "\nDrivers of the cumulative-profit gap (M CNY, mean over paired replicates; they sum to the gap; drivers.csv):\n",
    );
    s.push_str(&layout(&rows, 1, width).replace("see summary.csv", "see drivers.csv"));
    s
}

/// Where the run's time went (`--timings`): building the worlds, then each
/// phase, from the engine's own clocks (the manifest's `timings`).
pub fn timings(out: &RunOutcome) -> String {
    let t = &out.timings;
    let months = t.month_seconds();
    let mut s = format!(
        "\nWhere the time went ({} runs, engine clocks summed over runs and threads: CPU seconds; manifest.json `timings`):\n",
        t.runs
    );
    s.push_str(&format!(
        "  {:<18}{:>10}{:>8}{:>16}\n",
        "phase", "seconds", "share", "ns/customer-mo"
    ));
    let total = months + t.build_seconds;
    let line = |name: &str, secs: f64, ns: Option<f64>| {
        let ns = ns.map_or("-".to_string(), |x| format!("{x:.1}"));
        let share = 100.0 * secs / total.max(f64::MIN_POSITIVE);
        format!("  {name:<18}{secs:>10.3}{share:>7.1}%{ns:>16}\n")
    };
    s.push_str(&line("build world", t.build_seconds, None));
    for p in &t.phases {
        s.push_str(&line(&p.phase, p.seconds, Some(p.ns_per_customer_month)));
    }
    let per_cm = months * 1e9 / t.active_customer_months.max(1) as f64;
    s.push_str(&line("= months", months, Some(per_cm)));
    s.push_str(&format!(
        "  {} active customer-months; wall time of the whole command {:.1} s on {} threads\n",
        grouped(t.active_customer_months as f64, 0),
        out.wall_seconds,
        out.threads
    ));
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
    let rows: Vec<Vec<(String, String)>> = rows
        .into_iter()
        .map(|r| r.into_iter().map(|x| (x, String::new())).collect())
        .collect();
    s.push_str(&layout(&rows, 1, width()));
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

/// The sensitivity indices printed after `sensitivity`: for each metric and
/// variant, the factors by importance (Sobol ST, or Morris mu*), each index
/// with its 95% half-width; the full table is sensitivity.json.
pub fn sensitivity(rows: &[channelsim_results::SensitivityRow]) -> String {
    let mut groups: Vec<(&str, &str)> = Vec::new();
    for r in rows {
        if !groups.contains(&(r.metric.as_str(), r.variant.as_str())) {
            groups.push((&r.metric, &r.variant));
        }
    }
    let ix = |x: Option<f64>, conf: Option<f64>| match (x, conf) {
        (Some(x), Some(c)) => format!("{x:.3} ±{c:.3}"),
        (Some(x), None) => format!("{x:.3}"),
        _ => "-".into(),
    };
    let mut s = String::new();
    for (metric, variant) in groups {
        let mut g: Vec<_> = rows
            .iter()
            .filter(|r| r.metric == metric && r.variant == variant)
            .collect();
        let key = |r: &channelsim_results::SensitivityRow| {
            r.st.or(r.mu_star).unwrap_or(f64::NEG_INFINITY)
        };
        g.sort_by(|a, b| key(b).total_cmp(&key(a)));
        let sobol = g.iter().any(|r| r.st.is_some());
        s.push_str(&format!(
            "\n{} of {metric}, variant {variant} ({} replicates a point):\n",
            if sobol {
                "Sobol indices"
            } else {
                "Morris screening"
            },
            g.first().map_or(0, |r| r.replicates)
        ));
        let mut t: Vec<Vec<(String, String)>> = vec![if sobol {
            vec![
                ("factor".into(), String::new()),
                ("S1".into(), String::new()),
                ("ST".into(), String::new()),
            ]
        } else {
            vec![
                ("factor".into(), String::new()),
                ("mu*".into(), String::new()),
                ("sigma".into(), String::new()),
            ]
        }];
        for r in &g {
            t.push(if sobol {
                vec![
                    (r.factor.clone(), String::new()),
                    (ix(r.s1, r.s1_conf), String::new()),
                    (ix(r.st, r.st_conf), String::new()),
                ]
            } else {
                vec![
                    (r.factor.clone(), String::new()),
                    (ix(r.mu_star, r.mu_star_conf), String::new()),
                    (ix(r.sigma, None), String::new()),
                ]
            });
        }
        s.push_str(&layout(&t, 1, width()));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn numbers_are_grouped() {
        assert_eq!(grouped(1234567.891, 1), "1,234,567.9");
        assert_eq!(grouped(-1234.0, 0), "-1,234");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(0.1234, 3), "0.123");
        assert_eq!(grouped(-0.0001, 2), "0.00");
        assert_eq!(grouped(f64::NAN, 2), "-");
    }

    #[test]
    fn one_replicate_has_no_interval() {
        assert_eq!(
            cell(1, Some(5.0), None, None, 3),
            ("5.000".into(), "[n=1]".into())
        );
        assert_eq!(
            cell(2, Some(1234.4), Some(1000.0), Some(1500.0), 0),
            ("1,234".into(), "[1,000, 1,500]".into())
        );
    }

    #[test]
    fn issue12_the_table_fits_the_width() {
        let row = |a: &str, b: &str| {
            vec![
                (a.to_string(), b.to_string()),
                ("12,345.6".to_string(), "[11,000.1, 13,000.2]".to_string()),
                ("0.512".to_string(), "[0.500, 0.530]".to_string()),
            ]
        };
        let rows = vec![
            vec![
                ("variant".into(), String::new()),
                ("Cumulative profit".into(), "(M CNY)".into()),
                ("Satisfaction".into(), String::new()),
            ],
            row("joint_venture", "/ long_term"),
            row("abu", "/ short_term"),
        ];
        for width in [100, 60, 45] {
            let t = layout(&rows, 1, width);
            for l in t.lines() {
                assert!(l.chars().count() <= width, "{width}: {l:?}\n{t}");
            }
            assert!(t.contains("12,345.6"), "{t}");
        }
        // Wide enough: one line per row; narrower: each part on its own line.
        assert_eq!(layout(&rows, 1, 100).lines().count(), 4);
        assert_eq!(layout(&rows, 1, 60).lines().count(), 7);
        let narrow = layout(&rows, 1, 45);
        assert!(!narrow.contains("[0.500"), "{narrow}");
        assert!(
            narrow.contains("not shown for the width: Satisfaction"),
            "{narrow}"
        );
    }

    #[test]
    fn sensitivity_indices_are_listed_by_importance() {
        let row = |factor: &str, s1: f64, st: f64| channelsim_results::SensitivityRow {
            method: "sobol".into(),
            metric: "cum_profit".into(),
            variant: "v".into(),
            factor: factor.into(),
            replicates: 2,
            s1: Some(s1),
            s1_conf: Some(0.01),
            st: Some(st),
            st_conf: None,
            mu: None,
            mu_star: None,
            sigma: None,
            mu_star_conf: None,
        };
        let out = sensitivity(&[row("wage", 0.1, 0.2), row("price", 0.5, 0.7)]);
        assert!(out.contains("Sobol indices of cum_profit, variant v (2 replicates a point)"));
        let (price, wage) = (out.find("price").unwrap(), out.find("wage").unwrap());
        assert!(price < wage, "the most important factor first:\n{out}");
        assert!(out.contains("0.500 ±0.010") && out.contains("0.700"));
    }
}
