//! The answer of a run (docs/results.md, "The answer"): the best variant
//! and its margins, each strategy's long- against short-term verdict at the
//! horizon, its crossover month where there is one, and the discount rate
//! above which the verdict flips (NPV recomputed from each run's monthly
//! profit with the robust command's [`npv`]). Every figure is a field of an
//! [`AnswerRow`] in `answer.json`; `answer.md` says the same in words.

use crate::exec::RunResult;
use crate::robust::{FLIP_SEARCH_MAX, flip_rate, npvs, policy_pairs};
use channelsim_core::Scenario;
use channelsim_results::AnswerRow;
use channelsim_results::catalogue::{self, KCNY_PER_MCNY};
use channelsim_results::rows::{Comparison, finite};
use channelsim_stats::PairedDiff;

/// The metric the answer is about: cumulative profit at the horizon.
fn metric() -> &'static catalogue::Metric {
    catalogue::crossed()[0]
}

/// A vendor's runs, looked up by variant.
pub struct Runs<'a> {
    pub names: &'a [String],
    pub scenarios: &'a [Scenario],
    pub runs: &'a [RunResult],
    pub vendor: &'a str,
}

impl Runs<'_> {
    pub fn vid(&self, vi: usize) -> u32 {
        self.scenarios[vi]
            .vendors
            .iter()
            .position(|v| v.name == self.vendor)
            .unwrap_or(0) as u32
    }
    /// Monthly values of an engine metric (k CNY for money):
    /// `[replicate][month]`; none when the engine does not report it.
    pub fn series(&self, vi: usize, name: &str) -> Option<Vec<Vec<f64>>> {
        let v = self.vid(vi);
        let mut out = Vec::new();
        for r in self.runs.iter().filter(|r| r.variant == vi) {
            let s: Option<Vec<f64>> = r
                .rows
                .iter()
                .filter(|x| x.vendor == v)
                .map(|x| x.get(name))
                .collect();
            out.push(s?);
        }
        Some(out)
    }
    fn profit(&self, vi: usize) -> Vec<Vec<f64>> {
        self.series(vi, "profit").unwrap_or_default()
    }
    /// Cumulative profit at the horizon per replicate, M CNY.
    fn cum(&self, vi: usize) -> Vec<f64> {
        self.series(vi, "cum_profit")
            .unwrap_or_default()
            .iter()
            .map(|s| s.last().copied().unwrap_or(f64::NAN) / KCNY_PER_MCNY)
            .collect()
    }
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
    fn horizon(&self) -> u32 {
        self.scenarios[0].horizon_months
    }
}

/// Mean of `a - b` over replicates.
fn mean_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x - y).sum::<f64>() / a.len().max(1) as f64
}

/// A paired statement `a - b` with its interval, share ahead and flip rate.
fn paired_row(r: &Runs, kind: &str, strategy: &str, a: usize, b: usize) -> AnswerRow {
    let m = metric();
    let (ca, cb) = (r.cum(a), r.cum(b));
    let n = ca.len().min(cb.len());
    let d = mean_diff(&ca, &cb);
    let (lo, hi) = match PairedDiff::of(&ca, &cb) {
        Ok(p) => (finite(p.ci_lo), finite(p.ci_hi)),
        Err(_) => (None, None),
    };
    let ahead = ca.iter().zip(&cb).filter(|(x, y)| x > y).count() as f64 / n.max(1) as f64;
    let (pa, pb) = (r.profit(a), r.profit(b));
    let npv_diff = |rate: f64| mean_diff(&npvs(&pa, rate), &npvs(&pb, rate));
    AnswerRow {
        kind: kind.into(),
        vendor: r.vendor.into(),
        strategy: strategy.into(),
        variant: r.names[a].clone(),
        other: r.names[b].clone(),
        metric: m.column.into(),
        unit: m.unit.label().into(),
        horizon: r.horizon(),
        n: n as u64,
        diff_mean: finite(d),
        diff_ci_lo: lo,
        diff_ci_hi: hi,
        significant: matches!((lo, hi), (Some(l), Some(h)) if l > 0.0 || h < 0.0),
        share_ahead: ahead,
        flip_rate: flip_rate(&npv_diff, FLIP_SEARCH_MAX),
        flip_search_max: FLIP_SEARCH_MAX,
        ..AnswerRow::default()
    }
}

/// Money with thousands grouped, one decimal, signed.
pub fn money(x: f64) -> String {
    let s = format!("{:.1}", x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "0"));
    let mut g = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            g.push(',');
        }
        g.push(c);
    }
    format!("{}{g}.{frac}", if x < 0.0 { "-" } else { "+" })
}

/// "+12.3 M CNY [95% CI +1.2, +23.4]" (no interval with one replicate).
fn with_ci(a: &AnswerRow) -> String {
    let d = a.diff_mean.map_or("-".into(), money);
    match (a.diff_ci_lo, a.diff_ci_hi) {
        (Some(l), Some(h)) => format!("{d} M CNY [95% CI {}, {}]", money(l), money(h)),
        _ => format!("{d} M CNY (one replicate: no interval)"),
    }
}

fn pct(x: f64) -> String {
    format!("{}%", (x * 1000.0).round() / 10.0)
}

fn flip_text(a: &AnswerRow, winner: &str, loser: &str) -> String {
    match a.flip_rate {
        Some(r) => format!(
            "discounted (NPV), {loser} wins above a discount rate of {} a year",
            pct(r)
        ),
        None => format!(
            "discounted (NPV), {winner} stays ahead at every discount rate up to {}",
            pct(a.flip_search_max)
        ),
    }
}

/// Whether the verdicts were checked against model readings.
pub fn readings_note(rows: &[AnswerRow]) -> &'static str {
    if rows.iter().any(|a| a.readings_total.is_some()) {
        "Model readings: how many settings of the robust command agree with each verdict are given per strategy"
    } else {
        "Model readings: not available (no robust results beside this folder; run `channelsim robust` and give its folder with --robust)"
    }
}

/// The statements of a run's answer, the first the winner's.
pub fn answer(r: &Runs, c: &Comparison) -> Vec<AnswerRow> {
    let m = metric();
    let mut out = Vec::new();
    let mut ranked: Vec<_> = c.rows.iter().filter(|x| x.metric == m.column).collect();
    ranked.sort_by_key(|x| x.rank);
    let pairs = policy_pairs(r.names, r.scenarios, r.vid(0));
    let pairs: Vec<(String, usize, usize)> = pairs
        .into_iter()
        .filter(|(_, l, s)| r.vid(*l) == r.vid(*s))
        .collect();
    if let (Some(w), Some(u)) = (ranked.first(), ranked.get(1))
        && let (Some(wi), Some(ui)) = (r.index(&w.variant), r.index(&u.variant))
    {
        let mut a = paired_row(r, "winner", &w.strategy, wi, ui);
        let sig = if a.significant {
            "significant"
        } else {
            "not significant"
        };
        a.text = format!(
            "Best: {} with {} {} M CNY at month {}; {} ahead of the runner-up {} ({sig}; ahead in {} of replicates); {}.",
            w.variant,
            m.title.to_lowercase(),
            w.mean
                .map_or("-".into(), |x| money(x).trim_start_matches('+').to_string()),
            a.horizon,
            with_ci(&a),
            u.variant,
            pct(a.share_ahead),
            flip_text(&a, &w.variant, &u.variant),
        );
        out.push(a);
        let own = pairs.iter().find_map(|(_, l, s)| {
            if *l == wi {
                Some(*s)
            } else if *s == wi {
                Some(*l)
            } else {
                None
            }
        });
        if let Some(oi) = own {
            let mut a = paired_row(r, "own_policy", &w.strategy, wi, oi);
            a.text = format!(
                "Against its own other policy ({}): {} ({}).",
                r.names[oi],
                with_ci(&a),
                if a.significant {
                    "significant"
                } else {
                    "not significant"
                }
            );
            out.push(a);
        }
    }
    for (st, l, s) in &pairs {
        let mut a = paired_row(r, "policy", st, *l, *s);
        let d = a.diff_mean.unwrap_or(0.0);
        let (win, lose) = if d >= 0.0 {
            ("long-term", "short-term")
        } else {
            ("short-term", "long-term")
        };
        let verdict = if a.significant {
            format!("{win} ahead (significant): long - short {}", with_ci(&a))
        } else {
            format!("no significant difference (long - short {})", with_ci(&a))
        };
        let cross = c.crossover("policy", st, m.column);
        let cross_text = if a.share_ahead > 0.5 {
            // Whole months: the median of an even count can fall between two.
            a.crossover_month = cross.and_then(|x| x.month_median).map(f64::ceil);
            a.crossover_share = cross.map(|x| x.share_crossed);
            match (a.crossover_month, a.crossover_share) {
                (Some(mo), Some(sh)) => format!(
                    "long-term ahead for good from month {} (median; {} of replicates)",
                    mo,
                    pct(sh)
                ),
                _ => "long-term ahead at the horizon but not for good".into(),
            }
        } else {
            format!(
                "long-term is not ahead at the horizon in most replicates ({}), so no crossover month",
                pct(a.share_ahead)
            )
        };
        a.text = format!(
            "{st}: {verdict}; {cross_text}; {}.",
            flip_text(&a, win, lose)
        );
        out.push(a);
    }
    out
}

/// The answer in words (Markdown): the winner first, then one line per
/// strategy.
pub fn markdown(rows: &[AnswerRow]) -> String {
    let mut s = String::from("# The answer\n\n");
    for a in rows.iter().filter(|a| a.kind != "policy") {
        s.push_str(&a.text);
        s.push('\n');
    }
    if let Some(a) = rows.first() {
        s.push_str(&format!(
            "\nLong-term against short-term policy, {} at month {} (paired over {} replicates):\n\n",
            metric().title.to_lowercase(),
            a.horizon,
            a.n
        ));
    }
    for a in rows.iter().filter(|a| a.kind == "policy") {
        s.push_str(&format!("- {}\n", a.text));
    }
    s.push_str(&format!("\n{}.\n", readings_note(rows)));
    s.push_str("\nFigures: answer.json; drivers of the gaps: drivers.csv.\n");
    s
}

/// Sum the robust command's verdicts into the answer: per strategy, how
/// many model readings give the same long/short verdict on cumulative
/// profit as this run (from `verdicts.csv`'s shares).
pub fn with_readings(rows: &mut [AnswerRow], verdicts: &[(String, u64, f64)]) {
    for a in rows.iter_mut().filter(|a| a.kind == "policy") {
        if let Some((_, total, long_share)) = verdicts.iter().find(|(s, _, _)| *s == a.strategy) {
            let long = (long_share * *total as f64).round() as u64;
            let agree = if a.diff_mean.unwrap_or(0.0) > 0.0 {
                long
            } else {
                total - long
            };
            a.readings_agree = Some(agree);
            a.readings_total = Some(*total);
            a.text = format!(
                "{}; {agree} of {total} model readings agree.",
                a.text.trim_end_matches('.')
            );
        }
    }
}
