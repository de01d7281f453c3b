//! The headline table printed after a run: fits the terminal (100 columns
//! when output is not a terminal), thousands grouped, money in M CNY as
//! every header says.

use channelsim_results::catalogue::{self, Metric, Unit};
use channelsim_runner::job::RunOutcome;

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
    if let Some(c) = &out.comparison {
        let cum = catalogue::crossed()[0];
        s.push_str(&format!(
            "\nLong-term minus short-term, {} at the horizon (M CNY, paired):\n",
            cum.title.to_lowercase()
        ));
        let mut prs: Vec<Vec<(String, String)>> = vec![vec![
            ("strategy".into(), String::new()),
            ("long - short".into(), "(M CNY)".into()),
            ("long-term ahead".into(), "for good".into()),
        ]];
        for st in c.policy_strategies(cum.column) {
            let Some(d) = c.policy_series(st, cum.column).last().copied() else {
                continue;
            };
            let cross = match c.crossover("policy", st, cum.column) {
                Some(x) if x.month_median.is_some() => (
                    format!(
                        "from month {}",
                        grouped(x.month_median.unwrap_or(f64::NAN), 0)
                    ),
                    format!("(median; {:.0}% of replicates)", 100.0 * x.share_crossed),
                ),
                _ => ("never".into(), String::new()),
            };
            let (a, b) = cell(d.n, d.mean, d.ci_lo, d.ci_hi, 1);
            prs.push(vec![(st.to_string(), String::new()), (a, b), cross]);
        }
        s.push_str(&layout(&prs, 1, width));
        for m in catalogue::crossed() {
            if let Some(b) = c.best(m.column) {
                // "cumulative profit", but "NPV".
                let what = if m.short.chars().all(|c| c.is_uppercase()) {
                    m.short.to_string()
                } else {
                    m.short.to_lowercase()
                };
                s.push_str(&format!("Best {what}: {}\n", b.variant));
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
