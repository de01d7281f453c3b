//! The answers of sweeps and sensitivity analyses as tables in the report:
//! the regret table with the minimax-regret choice (`regret.json`) and the
//! Sobol or Morris indices (`sensitivity.json`) with a warning when their
//! intervals are too wide to rank the factors.

use std::fmt::Write as _;

use channelsim_results::RegretRow;

use crate::read::{SensKind, Sensitivity};
use crate::report::esc;
use crate::style::fmt_num;

/// Per metric: each variant's largest regret over the futures, the
/// minimax-regret choice first said in words.
pub fn regret_html(o: &mut String, rows: &[RegretRow]) {
    let mut metrics: Vec<&str> = Vec::new();
    for r in rows {
        if !metrics.contains(&r.metric.as_str()) {
            metrics.push(&r.metric);
        }
    }
    for m in metrics {
        let mut vs: Vec<(&str, f64, bool, &str)> = Vec::new();
        for r in rows.iter().filter(|r| r.metric == m) {
            if !vs.iter().any(|v| v.0 == r.variant) {
                vs.push((
                    &r.variant,
                    r.max_regret.unwrap_or(f64::NAN),
                    r.minimax,
                    &r.unit,
                ));
            }
        }
        vs.sort_by(|a, b| a.1.total_cmp(&b.1));
        let points = rows
            .iter()
            .filter(|r| r.metric == m)
            .map(|r| r.point_id)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        if let Some(best) = vs.iter().find(|v| v.2) {
            let _ = writeln!(
                o,
                "<p class=\"lead\">Minimax-regret choice on <code>{}</code>: <b>{}</b>: over the {points} futures of the design, it never falls more than {} {} short of the best variant of that future.</p>",
                esc(m),
                esc(best.0),
                fmt_num(best.1, 1),
                esc(best.3)
            );
        }
        let _ = writeln!(
            o,
            "<table class=\"regret\"><thead><tr><th>Variant</th><th class=\"num\">Largest regret ({})</th></tr></thead><tbody>",
            esc(vs.first().map_or("", |v| v.3))
        );
        for (v, r, mm, _) in &vs {
            let _ = writeln!(
                o,
                "<tr><td>{}{}</td><td class=\"num\">{}</td></tr>",
                esc(v),
                if *mm { " (minimax)" } else { "" },
                fmt_num(*r, 1)
            );
        }
        o.push_str("</tbody></table>\n<p class=\"note\">Regret in a future: the best variant's mean there minus this variant's (<code>regret.json</code>).</p>\n");
    }
}

/// Half-width of a 95% interval above which an index cannot be ranked.
pub const WIDE: f64 = 0.1;

/// The warnings an analysis deserves, in words (none when it is sound).
pub fn warnings(s: &Sensitivity, replicates: Option<u32>) -> Vec<String> {
    let mut w = Vec::new();
    match &s.kind {
        SensKind::Sobol {
            s1,
            s1_conf,
            st,
            st_conf,
        } => {
            let wide = s1_conf.iter().chain(st_conf).any(|c| *c > WIDE);
            if wide {
                w.push(format!("some 95% intervals are wider than ±{WIDE}: the sample is too small to rank these factors; raise the base sample N"));
            }
            let below: Vec<&str> = s
                .factors
                .iter()
                .zip(s1.iter().zip(st))
                .filter(|(_, (a, b))| **b < **a)
                .map(|(f, _)| f.as_str())
                .collect();
            if !below.is_empty() {
                w.push(format!(
                    "total index below first-order index for {} (impossible in theory): a sign of a small sample N",
                    below.join(", ")
                ));
            }
        }
        SensKind::Morris {
            mu_star,
            mu_star_conf,
            ..
        } => {
            let top = mu_star.iter().copied().fold(0.0, f64::max);
            if mu_star
                .iter()
                .zip(mu_star_conf)
                .any(|(m, c)| *m >= 0.1 * top && *c > 0.5 * m)
            {
                w.push("some μ* intervals are wider than half of μ*: too few trajectories to rank these factors".into());
            }
        }
    }
    if replicates == Some(1) {
        w.push("one replicate per design point: model noise is counted as factor effect".into());
    }
    w
}

/// Each analysis's indices as a table, with its warnings.
pub fn sensitivity_html(o: &mut String, all: &[Sensitivity], replicates: Option<u32>) {
    for s in all {
        let title = if s.variant.is_empty() {
            s.metric.clone()
        } else {
            format!("{} — {}", s.metric, s.variant)
        };
        let _ = writeln!(o, "<h3>Indices: {}</h3>", esc(&title));
        for w in warnings(s, replicates) {
            let _ = writeln!(o, "<p class=\"warn\">⚠ {}</p>", esc(&w));
        }
        match &s.kind {
            SensKind::Sobol {
                s1,
                s1_conf,
                st,
                st_conf,
            } => {
                o.push_str("<table class=\"indices\"><thead><tr><th>Factor</th><th class=\"num\">S1 (first order)</th><th class=\"num\">ST (total)</th></tr></thead><tbody>\n");
                for (i, f) in s.factors.iter().enumerate() {
                    let _ = writeln!(
                        o,
                        "<tr><td><code>{}</code></td><td class=\"num\">{} ± {}</td><td class=\"num\">{} ± {}</td></tr>",
                        esc(f),
                        fmt_num(s1[i], 3),
                        fmt_num(s1_conf[i], 3),
                        fmt_num(st[i], 3),
                        fmt_num(st_conf[i], 3)
                    );
                }
            }
            SensKind::Morris {
                mu_star,
                sigma,
                mu_star_conf,
            } => {
                o.push_str("<table class=\"indices\"><thead><tr><th>Factor</th><th class=\"num\">μ* (mean |effect|)</th><th class=\"num\">σ (interaction, non-linearity)</th></tr></thead><tbody>\n");
                for (i, f) in s.factors.iter().enumerate() {
                    let _ = writeln!(
                        o,
                        "<tr><td><code>{}</code></td><td class=\"num\">{} ± {}</td><td class=\"num\">{}</td></tr>",
                        esc(f),
                        fmt_num(mu_star[i], 3),
                        fmt_num(mu_star_conf[i], 3),
                        fmt_num(sigma[i], 3)
                    );
                }
            }
        }
        o.push_str("</tbody></table>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sobol(s1: Vec<f64>, st: Vec<f64>, conf: f64) -> Sensitivity {
        Sensitivity {
            metric: "cum_profit".into(),
            variant: String::new(),
            factors: vec!["a".into(), "b".into()],
            kind: SensKind::Sobol {
                s1_conf: vec![conf; s1.len()],
                st_conf: vec![conf; st.len()],
                s1,
                st,
            },
        }
    }

    #[test]
    fn issue12_small_n_sobol_is_warned_of_and_a_sound_one_is_not() {
        assert!(warnings(&sobol(vec![0.6, 0.3], vec![0.65, 0.35], 0.02), Some(2)).is_empty());
        let w = warnings(&sobol(vec![0.6, 0.3], vec![0.4, 0.35], 0.3), Some(2));
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[1].contains("a (impossible"), "{w:?}");
    }
}
