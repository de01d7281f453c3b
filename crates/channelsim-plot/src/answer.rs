//! The report's answer (from `answer.json`) and the drivers of the profit
//! gaps (from `drivers.csv`): a waterfall per pair, drawn as inline SVG
//! that scales to the page's width.

use std::fmt::Write as _;

use channelsim_results::{AnswerRow, DriverRow};

use crate::report::esc;
use crate::style::fmt_num;

/// The answer in words, first thing in the report.
pub fn answer_html(o: &mut String, rows: &[AnswerRow]) {
    if rows.is_empty() {
        return;
    }
    o.push_str("<section id=\"answer\" class=\"answer\">\n");
    for a in rows.iter().filter(|a| a.kind != "policy") {
        let _ = writeln!(o, "<p class=\"lead\">{}</p>", esc(&a.text));
    }
    let first = &rows[0];
    let _ = writeln!(
        o,
        "<p>Long-term against short-term policy, cumulative profit at month {} (paired over {} replicates):</p><ul class=\"verdicts\">",
        first.horizon, first.n
    );
    for a in rows.iter().filter(|a| a.kind == "policy") {
        let text = a
            .text
            .strip_prefix(&format!("{}: ", a.strategy))
            .unwrap_or(&a.text);
        let _ = writeln!(o, "<li><b>{}</b>: {}</li>", esc(&a.strategy), esc(text));
    }
    o.push_str("</ul>");
    if !rows.iter().any(|a| a.readings_total.is_some()) {
        o.push_str("<p class=\"note\">Model readings: not available (no robust results beside this folder).</p>");
    }
    o.push_str("<p class=\"note\">Figures: <code>answer.json</code>; the drivers of each gap: <code>drivers.csv</code> and the waterfalls below.</p></section>\n");
}

/// One pair's drivers as a horizontal waterfall: each driver a bar from
/// the running total before it to the one after; the gap last.
fn waterfall_svg(rows: &[&DriverRow]) -> String {
    let gap = rows.first().map_or(0.0, |r| r.gap_mcny);
    let mut run = 0.0;
    let mut bars = Vec::new();
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for r in rows {
        let (a, b) = (run, run + r.value_mcny);
        bars.push((r.driver.clone(), a, b, r.value_mcny));
        lo = lo.min(a).min(b);
        hi = hi.max(a).max(b);
        run = b;
    }
    bars.push(("= gap".into(), 0.0, gap, gap));
    lo = lo.min(gap);
    hi = hi.max(gap);
    let span = (hi - lo).max(1e-9);
    let (w, left, right, row_h, top) = (720.0, 150.0, 90.0, 22.0, 10.0);
    let x = |v: f64| left + (v - lo) / span * (w - left - right);
    let h = top * 2.0 + row_h * bars.len() as f64;
    let mut s = format!(
        "<svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"DejaVu Sans, Verdana, sans-serif\" font-size=\"12\">"
    );
    let _ = write!(
        s,
        "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#888\"/>",
        x(0.0),
        top,
        h - top
    );
    for (i, (name, a, b, v)) in bars.iter().enumerate() {
        let y = top + row_h * i as f64;
        let (x0, x1) = (x(a.min(*b)), x(a.max(*b)));
        let colour = if i == bars.len() - 1 {
            "#555"
        } else if *v >= 0.0 {
            "#009e73"
        } else {
            "#d55e00"
        };
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            left - 8.0,
            y + 15.0,
            esc(name),
            y + 4.0,
            (x1 - x0).max(1.0),
            row_h - 8.0,
            x(a.max(*b)) + 4.0,
            y + 15.0,
            fmt_num(*v, 1)
        );
    }
    s.push_str("</svg>");
    s
}

/// The drivers section: one waterfall per pair, the winner's first.
pub fn drivers_html(o: &mut String, rows: &[DriverRow]) {
    if rows.is_empty() {
        return;
    }
    let mut pairs: Vec<(&str, &str, &str, &str)> = Vec::new();
    for d in rows {
        if !pairs.iter().any(|p| p.2 == d.a && p.3 == d.b) {
            pairs.push((&d.pair, &d.strategy, &d.a, &d.b));
        }
    }
    o.push_str("<section id=\"drivers\"><h2>Why: drivers of the profit gaps</h2>\n<p class=\"note\">The difference in cumulative profit at the horizon (mean over paired replicates, M CNY), split into additive drivers that sum to it (docs/results.md, \"Drivers of a profit gap\"). Green raises the first variant's profit against the second's, orange lowers it.</p>\n");
    for (pair, _, a, b) in pairs {
        let here: Vec<&DriverRow> = rows
            .iter()
            .filter(|d| d.pair == pair && d.a == a && d.b == b)
            .collect();
        let title = if pair == "winner" {
            format!("The best variant against the runner-up: {a} − {b}")
        } else {
            format!("{a} − {b}")
        };
        let _ = writeln!(
            o,
            "<figure class=\"waterfall\">{}<figcaption>{} (M CNY)</figcaption></figure>",
            waterfall_svg(&here),
            esc(&title)
        );
    }
    o.push_str("</section>\n");
}
