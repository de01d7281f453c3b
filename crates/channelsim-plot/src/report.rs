//! `report.html`: one self-contained file (inline SVG, inline CSS, no script,
//! no network). Every string from a user file goes through `esc`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::PlotError;
use crate::charts::policy_crossover_text;
use crate::figure::{ChartFile, Section, write_atomic};
use crate::read::{self, Compare, LineMeta, SummaryRow};
use crate::style::{decimals_for_value, fmt_fixed, fmt_num, looks, metric_info, scale};

/// HTML-escapes text for element content and quoted attributes.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// The headline columns: metric (column name) and column title (its unit
/// goes below it).
fn headline() -> Vec<(&'static str, String)> {
    channelsim_results::catalogue::headline()
        .iter()
        .map(|m| (m.column, m.short.to_string()))
        .collect()
}

const CSS: &str = r#"
body{font-family:"DejaVu Sans",Verdana,Arial,sans-serif;color:#222;margin:0 auto;max-width:1320px;padding:0 24px 60px;line-height:1.45}
h1{font-size:28px;margin:28px 0 6px}h2{font-size:21px;margin:36px 0 10px;border-bottom:2px solid #ddd;padding-bottom:4px}
h3{font-size:17px;margin:22px 0 6px}
.question{font-size:18px;background:#f3f6fa;border-left:4px solid #0072b2;padding:10px 14px;margin:10px 0}
.meta{color:#555}
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px 18px}
nav a{color:#0072b2}
table{border-collapse:collapse;margin:8px 0 4px;font-size:14px}
table:not(.headline){display:block;overflow-x:auto;max-width:100%}
th,td{border-bottom:1px solid #e3e3e3;padding:5px 10px;text-align:left;vertical-align:top}
th{background:#f5f5f5}
td.num,th.num{text-align:right;white-space:nowrap}
td .ci{display:block;color:#666;font-size:12px}
td.win{background:#fff1c2;font-weight:bold}
td.win .v::after{content:" ★"}
tr.diff td{background:#fff1c2}
.swatch{display:inline-block;width:22px;height:4px;vertical-align:middle;margin-right:6px}
.swatch.dashed{background:none!important;border-top:3px dashed}
.note{color:#555;font-size:13px}
figure{margin:18px 0 28px}figure svg{max-width:100%;height:auto;display:block;border:1px solid #eee}
figcaption{color:#555;font-size:13px;margin-top:4px}
code{font-size:13px}
.params td:first-child{font-family:monospace}
.answer{background:#f3f6fa;border-left:4px solid #0072b2;padding:4px 14px;margin:14px 0}
.answer .lead{font-size:17px;font-weight:bold}
.answer ul{padding-left:20px}.answer li{margin:4px 0}
td small{color:#666}
.waterfall svg{max-width:100%;height:auto}
.warn{background:#fff4e5;border-left:4px solid #e69f00;padding:6px 10px}
.lead{font-weight:bold}
details summary{cursor:pointer;color:#0072b2;margin:8px 0}
@media (max-width:900px){body{padding:0 10px 40px}table{font-size:12px}th,td{padding:3px 5px}td .ci{font-size:10px}}
"#;

fn section_title(s: Section) -> (&'static str, &'static str) {
    match s {
        Section::TimeSeries => ("over-time", "Over time"),
        Section::Policy => ("long-vs-short", "Long-term against short-term"),
        Section::Horizon => ("at-horizon", "Comparison at the horizon"),
        Section::Sweep => ("sweep", "Sweep"),
        Section::Sensitivity => ("sensitivity", "Sensitivity"),
    }
}

/// An SVG file ready to inline: no XML prolog, no namespace URL.
fn inline_svg(path: &Path, title: &str) -> Result<String, PlotError> {
    let s = std::fs::read_to_string(path).map_err(|e| PlotError::io(path, e))?;
    let start = s
        .find("<svg")
        .ok_or_else(|| PlotError::format(path, "not an SVG file"))?;
    let svg = s[start..]
        .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
        .replacen(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"", "", 1)
        .replacen(
            "<svg",
            &format!("<svg role=\"img\" aria-label=\"{}\"", esc(title)),
            1,
        );
    Ok(svg)
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "–".into(),
        Value::Array(a) => format!("[{}]", a.iter().map(show).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

/// `(path, value)` for every leaf; arrays of scalars stay whole.
fn flatten(v: &Value, prefix: &str, out: &mut Vec<(String, Value)>) {
    let scalar = |x: &Value| !x.is_object() && !x.is_array();
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(x, &p, out);
            }
        }
        Value::Array(a)
            if !a.is_empty()
                && !a
                    .iter()
                    .all(|x| scalar(x) || x.as_array().is_some_and(|y| y.iter().all(scalar))) =>
        {
            for (i, x) in a.iter().enumerate() {
                flatten(x, &format!("{prefix}[{i}]"), out);
            }
        }
        _ => out.push((prefix.to_string(), v.clone())),
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0),
        _ => match (a, b) {
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
            }
            _ => a == b,
        },
    }
}

/// One headline row: label, strategy, policy, (mean, lo, hi) per metric.
struct HRow {
    meta: LineMeta,
    /// Mean, interval and replicates of each headline metric.
    est: Vec<Option<(f64, f64, f64, usize)>>,
}

fn headline_rows(summary: Option<&[SummaryRow]>, compare: Option<&Compare>) -> (String, Vec<HRow>) {
    let cv = compare.map(|c| c.vendor.clone()).unwrap_or_default();
    if let Some(rows) = summary.filter(|r| !r.is_empty()) {
        let vendor = if rows.iter().any(|r| r.vendor == cv) {
            cv
        } else {
            rows[0].vendor.clone()
        };
        let mut out: Vec<HRow> = Vec::new();
        for r in rows.iter().filter(|r| r.vendor == vendor) {
            if !out.iter().any(|h| h.meta.variant == r.variant) {
                out.push(HRow {
                    meta: LineMeta {
                        variant: r.variant.clone(),
                        vendor: r.vendor.clone(),
                        strategy: r.strategy.clone(),
                        policy: r.policy.clone(),
                    },
                    est: vec![None; headline().len()],
                });
            }
            let h = out.iter_mut().find(|h| h.meta.variant == r.variant);
            if let (Some(h), Some(k)) = (h, headline().iter().position(|(m, _)| *m == r.metric)) {
                h.est[k] = Some((
                    read::val(r.mean),
                    read::val(r.ci_lo),
                    read::val(r.ci_hi),
                    r.n as usize,
                ));
            }
        }
        return (vendor, out);
    }
    let Some(c) = compare else {
        return (String::new(), vec![]);
    };
    let rows = c
        .variants
        .iter()
        .map(|v| HRow {
            meta: LineMeta {
                variant: v.name.clone(),
                vendor: c.vendor.clone(),
                strategy: v.strategy.clone(),
                policy: v.policy.clone(),
            },
            est: headline()
                .iter()
                .map(|(m, _)| v.horizon.get(*m).map(|s| (s.mean, s.ci_lo, s.ci_hi, s.n)))
                .collect(),
        })
        .collect();
    (c.vendor.clone(), rows)
}

/// Whether a headline metric says anything of a variant: unit survival
/// does not where the channel never had more than one unit (e.g. online,
/// whose one unit is the vendor's platform), so it is shown as n/a and not
/// starred.
fn applies(summary: Option<&[SummaryRow]>, meta: &LineMeta, metric: &str) -> bool {
    if metric != channelsim_results::catalogue::UNIT_SURVIVAL.column {
        return true;
    }
    let Some(rows) = summary else { return true };
    let mean = |col: &str| {
        rows.iter()
            .find(|r| r.variant == meta.variant && r.vendor == meta.vendor && r.metric == col)
            .and_then(|r| r.mean)
    };
    match (mean("units_alive"), mean("units_exited")) {
        (Some(a), Some(e)) => a + e > 1.0,
        _ => true,
    }
}

fn swatch(look: &crate::style::Look) -> String {
    let c = look.color;
    let css = format!("rgb({},{},{})", c.0, c.1, c.2);
    if look.dashed {
        format!("<span class=\"swatch dashed\" style=\"border-color:{css}\"></span>")
    } else {
        format!("<span class=\"swatch\" style=\"background:{css}\"></span>")
    }
}

fn headline_html(
    o: &mut String,
    summary: Option<&[SummaryRow]>,
    compare: Option<&Compare>,
    horizon: &str,
) {
    let (vendor, rows) = headline_rows(summary, compare);
    if rows.is_empty() {
        return;
    }
    let metas: Vec<LineMeta> = rows.iter().map(|r| r.meta.clone()).collect();
    let (lk, order) = looks(&metas);
    let na: Vec<Vec<bool>> = rows
        .iter()
        .map(|r| {
            headline()
                .iter()
                .map(|(m, _)| !applies(summary, &r.meta, m))
                .collect()
        })
        .collect();
    let _ = writeln!(
        o,
        "<section id=\"headline\"><h2>Headline at {}</h2>",
        esc(horizon)
    );
    let _ = writeln!(
        o,
        "<p class=\"note\">Vendor <b>{}</b>. Mean across replicates with its 95% interval below; ★ and shading mark the highest value per column.</p>",
        esc(&vendor)
    );
    o.push_str(
        "<table class=\"headline\"><thead><tr><th>Variant<br><small>strategy / policy</small></th>",
    );
    // Scale and decimals per column.
    let mut cols = Vec::new();
    for (k, (m, title)) in headline().iter().enumerate() {
        let vals: Vec<f64> = rows
            .iter()
            .zip(&na)
            .filter(|(_, na)| !na[k])
            .filter_map(|(r, _)| r.est[k].map(|e| e.0))
            .filter(|v| v.is_finite())
            .collect();
        let max_abs = vals.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        let m_unit = metric_info(m).1;
        let (div, unit) = scale(m_unit, max_abs);
        // Shares are stated by their range, as the catalogue bounds them.
        let unit = match m_unit {
            channelsim_results::Unit::Share => "0–1".to_string(),
            _ => unit,
        };
        let dec = decimals_for_value(max_abs / div);
        let best = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let _ = write!(
            o,
            "<th class=\"num\">{} <br><small>({})</small></th>",
            esc(title),
            esc(&unit)
        );
        cols.push((div, dec, best));
    }
    o.push_str("</tr></thead><tbody>\n");
    for &i in &order {
        let r = &rows[i];
        let _ = write!(
            o,
            "<tr><td title=\"{}\">{}{}<br><small>{}</small></td>",
            esc(&r.meta.variant),
            swatch(&lk[i]),
            esc(&r.meta.strategy),
            esc(&r.meta.policy)
        );
        for (k, (div, dec, best)) in cols.iter().enumerate() {
            match r.est[k] {
                _ if na[i][k] => o.push_str(
                    "<td class=\"num na\" title=\"does not apply: the variant has at most one channel unit\">n/a</td>",
                ),
                Some((m, lo, hi, n)) if m.is_finite() => {
                    // Ties at the shown precision all win.
                    let win =
                        rows.len() > 1 && fmt_fixed(m / div, *dec) == fmt_fixed(best / div, *dec);
                    // One replicate has no interval: say so, not [x – x].
                    let ci = if n < 2 {
                        "[n=1]".to_string()
                    } else {
                        format!(
                            "[{} – {}]",
                            fmt_fixed(lo / div, *dec),
                            fmt_fixed(hi / div, *dec)
                        )
                    };
                    let _ = write!(
                        o,
                        "<td class=\"num{}\"><span class=\"v\">{}</span><span class=\"ci\">{}</span></td>",
                        if win { " win" } else { "" },
                        fmt_fixed(m / div, *dec),
                        ci
                    );
                }
                _ => o.push_str("<td class=\"num\">–</td>"),
            }
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody></table></section>\n");
}

fn crossover_html(o: &mut String, c: &Compare) {
    if c.policy_pairs.is_empty() {
        return;
    }
    o.push_str("<section id=\"crossover\"><h2>Crossover months</h2>\n<p class=\"note\">The month from which the long-term policy's cumulative value stays ahead of the short-term policy's to the horizon, across replicates.</p>\n");
    o.push_str("<table><thead><tr><th>Strategy</th><th>Metric</th><th class=\"num\">Median month</th><th class=\"num\">Mean month</th><th class=\"num\">Spread (lo – hi)</th><th class=\"num\">Runs that cross</th><th class=\"num\">Long − short at the horizon</th></tr></thead><tbody>\n");
    // One unit and precision for the whole column.
    let max_abs = c
        .policy_pairs
        .iter()
        .filter_map(|p| p.diff.last())
        .flat_map(|d| [d.mean.abs(), d.ci_lo.abs(), d.ci_hi.abs()])
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let metric = c.policy_pairs.first().map_or("", |p| p.metric.as_str());
    let (div, unit) = scale(metric_info(metric).1, max_abs);
    let dec = decimals_for_value(max_abs / div);
    for p in &c.policy_pairs {
        let (_, caption) = policy_crossover_text(p.crossover.as_ref());
        let cr = p.crossover.clone().unwrap_or_default();
        let at_h = p.diff.last().map_or("–".into(), |d| {
            // A single pair (one replicate) has no interval.
            let ci = if d.ci_lo.is_finite() && d.ci_hi.is_finite() {
                format!(
                    "[{} – {}]",
                    fmt_fixed(d.ci_lo / div, dec),
                    fmt_fixed(d.ci_hi / div, dec)
                )
            } else {
                "[no interval]".to_string()
            };
            format!(
                "{} {}<span class=\"ci\">{}</span>",
                fmt_fixed(d.mean / div, dec),
                esc(&unit),
                ci
            )
        });
        let share = if cr.share_crossed.is_finite() {
            format!("{}%", fmt_num(cr.share_crossed * 100.0, 0))
        } else {
            "–".into()
        };
        let spread = if cr.month_lo.is_finite() || cr.month_hi.is_finite() {
            format!("{} – {}", fmt_num(cr.month_lo, 0), fmt_num(cr.month_hi, 0))
        } else {
            "–".into()
        };
        let _ = writeln!(
            o,
            "<tr><td title=\"{}\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&caption),
            esc(&p.strategy),
            esc(&p.metric),
            fmt_num(cr.month_median, 0),
            fmt_num(cr.month_mean, 1),
            spread,
            share,
            at_h
        );
    }
    o.push_str("</tbody></table></section>\n");
}

fn scenario_html(o: &mut String, m: &Value) {
    let Some(sc) = m.get("scenario") else {
        return;
    };
    o.push_str("<section id=\"scenario\"><h2>The scenario as resolved</h2>\n");
    if let Some(vs) = m
        .get("variants")
        .and_then(|v| v.as_array())
        .filter(|v| !v.is_empty())
    {
        o.push_str("<h3>Variants</h3><table><thead><tr><th>Variant</th><th>Overrides</th></tr></thead><tbody>\n");
        for v in vs {
            let name = v.get("name").map(show).unwrap_or_default();
            let ov = v
                .get("overrides")
                .and_then(|x| x.as_object())
                .map(|x| {
                    x.iter()
                        .map(|(k, v)| format!("<code>{}</code> = {}", esc(k), esc(&show(v))))
                        .collect::<Vec<_>>()
                        .join("<br>")
                })
                .unwrap_or_default();
            let _ = writeln!(o, "<tr><td>{}</td><td>{ov}</td></tr>", esc(&name));
        }
        o.push_str("</tbody></table>\n");
    }
    let mut params = Vec::new();
    flatten(sc, "", &mut params);
    let mut defaults = Vec::new();
    if let Some(d) = m.get("defaults") {
        flatten(d, "", &mut defaults);
    }
    let default_of = |p: &str| -> Option<&Value> {
        let f = |q: &str| defaults.iter().find(|(k, _)| k == q).map(|(_, v)| v);
        f(p).or_else(|| p.strip_prefix("params.").and_then(f))
    };
    let n_diff = params
        .iter()
        .filter(|(p, v)| default_of(p).is_some_and(|d| !same(d, v)))
        .count();
    let _ = writeln!(
        o,
        "<h3>Parameters of the base scenario</h3><p class=\"note\">{} parameters; {} differ from the model defaults (shown; the rest folded below).</p>",
        params.len(),
        n_diff
    );
    let table = |o: &mut String, rows: &[&(String, Value)]| {
        o.push_str("<table class=\"params\"><thead><tr><th>Parameter</th><th>Value</th><th>Model default</th></tr></thead><tbody>\n");
        for (p, v) in rows {
            let d = default_of(p);
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(p),
                esc(&show(v)),
                d.map(|d| esc(&show(d))).unwrap_or_default()
            );
        }
        o.push_str("</tbody></table>\n");
    };
    type Rows<'a> = Vec<&'a (String, Value)>;
    let (differ, rest): (Rows, Rows) = params
        .iter()
        .partition(|(p, v)| default_of(p).is_some_and(|d| !same(d, v)));
    if !differ.is_empty() {
        table(o, &differ);
    }
    let _ = writeln!(
        o,
        "<details><summary>The other {} parameters (at their model defaults, or without one)</summary>",
        rest.len()
    );
    table(o, &rest);
    o.push_str("</details></section>\n");
}

fn manifest_html(o: &mut String, m: &Value) {
    let Some(obj) = m.as_object() else { return };
    o.push_str("<section id=\"manifest\"><h2>Manifest</h2>\n<table><tbody>\n");
    // Nested objects (e.g. a sweep's `experiment`) become dotted rows.
    let mut rows = Vec::new();
    for (k, v) in obj {
        if !matches!(
            k.as_str(),
            // (`timings`, where a run's time went, is for `run --timings`.)
            "scenario" | "defaults" | "variants" | "description" | "timings"
        ) {
            flatten(v, k, &mut rows);
        }
    }
    for (k, v) in &rows {
        let text = match v {
            Value::Array(a) if a.len() > 6 => format!(
                "{} values: {}, {}, {}, …, {}",
                a.len(),
                show(&a[0]),
                show(&a[1]),
                show(&a[2]),
                show(&a[a.len() - 1])
            ),
            Value::Array(a) => a.iter().map(show).collect::<Vec<_>>().join(", "),
            Value::Number(n) if k.as_str() == "wall_seconds" => {
                format!("{} s", fmt_num(n.as_f64().unwrap_or(f64::NAN), 1))
            }
            other => show(other),
        };
        let _ = writeln!(o, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&text));
    }
    o.push_str("</tbody></table></section>\n");
}

/// Writes `dir/report.html` from the files present and the rendered charts.
pub fn write(dir: &Path, charts: &[ChartFile]) -> Result<PathBuf, PlotError> {
    let manifest = read::manifest(dir)?;
    let compare = read::compare(dir)?;
    let summary = read::summary(dir)?;
    let m = manifest.clone().unwrap_or(Value::Null);
    let sc = m.get("scenario");
    let exp = m.get("experiment");
    let name = m
        .get("scenario_name")
        .or_else(|| sc.and_then(|s| s.get("name")))
        .or_else(|| exp.and_then(|e| e.get("name")))
        .map(show)
        .unwrap_or_else(|| {
            dir.file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "channelsim results".into())
        });
    let question = sc
        .and_then(|s| s.get("description"))
        .or_else(|| m.get("description"))
        .or_else(|| exp.and_then(|e| e.get("description")))
        .map(show)
        .filter(|s| !s.trim().is_empty());
    let horizon = compare
        .as_ref()
        .and_then(|c| c.horizon)
        .map(|h| h as u64)
        .or_else(|| {
            sc.and_then(|s| s.get("horizon_months"))
                .and_then(|v| v.as_u64())
        })
        .map_or("the horizon".to_string(), |h| format!("month {h}"));

    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>channelsim report: {}</title>\n<style>{CSS}</style></head><body>\n",
        esc(&name)
    );
    let _ = writeln!(o, "<h1>{}</h1>", esc(&name));
    let answer = read::answer(dir)?.unwrap_or_default();
    let drivers = read::drivers(dir)?.unwrap_or_default();
    crate::answer::answer_html(&mut o, &answer);
    if let Some(q) = &question {
        let _ = writeln!(o, "<p class=\"question\">{}</p>", esc(q));
    }
    let facts: Vec<String> = [
        ("command", m.get("command")),
        ("replicates", m.get("replicates")),
        ("seed", m.get("seed")),
        ("model", m.get("model_version")),
        ("engine", m.get("engine_version")),
    ]
    .iter()
    .filter_map(|(k, v)| v.map(|v| format!("{k} {}", esc(&show(v)))))
    .collect();
    if !facts.is_empty() {
        let _ = writeln!(o, "<p class=\"meta\">{}</p>", facts.join(" · "));
    }

    // Table of contents for the sections present.
    let mut toc: Vec<(&str, &str)> = Vec::new();
    let (_, hrows) = headline_rows(summary.as_deref(), compare.as_ref());
    if !hrows.is_empty() {
        toc.push(("headline", "Headline"));
    }
    if !drivers.is_empty() {
        toc.push(("drivers", "Drivers of the gaps"));
    }
    if compare.as_ref().is_some_and(|c| !c.policy_pairs.is_empty()) {
        toc.push(("crossover", "Crossover months"));
    }
    let sections = [
        Section::TimeSeries,
        Section::Policy,
        Section::Horizon,
        Section::Sweep,
        Section::Sensitivity,
    ];
    for s in sections {
        if charts.iter().any(|c| c.section == s) {
            toc.push(section_title(s));
        }
    }
    if sc.is_some() {
        toc.push(("scenario", "Scenario"));
    }
    if manifest.is_some() {
        toc.push(("manifest", "Manifest"));
    }
    o.push_str("<nav><ul>");
    for (id, t) in &toc {
        let _ = write!(o, "<li><a href=\"#{id}\">{t}</a></li>");
    }
    o.push_str("</ul></nav>\n");

    headline_html(&mut o, summary.as_deref(), compare.as_ref(), &horizon);
    crate::answer::drivers_html(&mut o, &drivers);
    if let Some(c) = &compare {
        crossover_html(&mut o, c);
    }
    for s in sections {
        let here: Vec<&ChartFile> = charts.iter().filter(|c| c.section == s).collect();
        if here.is_empty() {
            continue;
        }
        let (id, t) = section_title(s);
        let _ = writeln!(o, "<section id=\"{id}\"><h2>{t}</h2>");
        if s == Section::Sweep
            && let Some(r) = read::regret(dir)?
        {
            crate::decide::regret_html(&mut o, &r);
        }
        if s == Section::Sensitivity
            && let Some(a) = read::sensitivity(dir)?
        {
            let reps = exp
                .and_then(|e| e.get("replicates"))
                .and_then(|v| v.as_u64())
                .map(|v| v as u32);
            crate::decide::sensitivity_html(&mut o, &a, reps);
        }
        if s == Section::TimeSeries {
            let _ = writeln!(
                o,
                "<p class=\"note\">Lines: mean across replicates. Shaded band: 5th–95th percentile across replicates when there are at least {} replicates, else mean ± 1.645 sd. Same colour: same strategy; dashed line and hollow marker: short-term policy.</p>",
                crate::PERCENTILE_MIN_REPLICATES
            );
        }
        for c in here {
            let _ = writeln!(
                o,
                "<figure id=\"chart-{}\">{}<figcaption>{} (<code>charts/{}.png</code>, <code>.svg</code>)</figcaption></figure>",
                esc(&c.name),
                inline_svg(&c.svg, &c.title)?,
                esc(&c.title),
                esc(&c.name)
            );
        }
        o.push_str("</section>\n");
    }
    if let Some(m) = &manifest {
        scenario_html(&mut o, m);
        manifest_html(&mut o, m);
    }
    o.push_str("</body></html>\n");
    let path = dir.join("report.html");
    write_atomic(&path, o.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue12_unit_survival_does_not_apply_without_a_channel() {
        let row = |variant: &str, metric: &str, mean: f64| SummaryRow {
            variant: variant.into(),
            vendor: "focal".into(),
            strategy: variant.into(),
            policy: "long_term".into(),
            metric: metric.into(),
            unit: String::new(),
            n: 3,
            mean: Some(mean),
            sd: None,
            ci_lo: None,
            ci_hi: None,
        };
        let rows = vec![
            row("online", "units_alive", 1.0),
            row("online", "units_exited", 0.0),
            row("abu", "units_alive", 40.0),
            row("abu", "units_exited", 12.0),
        ];
        let meta = |v: &str| LineMeta {
            variant: v.into(),
            vendor: "focal".into(),
            strategy: v.into(),
            policy: "long_term".into(),
        };
        assert!(!applies(Some(&rows), &meta("online"), "unit_survival"));
        assert!(applies(Some(&rows), &meta("abu"), "unit_survival"));
        assert!(applies(Some(&rows), &meta("online"), "cum_profit_mcny"));
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn flattens_nested_scenarios() {
        let v: Value = serde_json::json!({"a": {"b": 1, "c": [1, 2]}, "v": [{"n": "x"}]});
        let mut out = Vec::new();
        flatten(&v, "", &mut out);
        let keys: Vec<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a.b", "a.c", "v[0].n"]);
        assert!(same(
            &serde_json::json!(0.1),
            &serde_json::json!(0.1000000000000001)
        ));
    }
}
