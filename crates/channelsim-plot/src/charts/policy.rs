//! Long-term against short-term: the paired difference over time per
//! strategy, with the crossover month marked (compare.json `policy_pairs`).

use std::path::Path;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::panel::{PanelAxes, draw_panel_mesh, month_ticks};
use crate::PlotError;
use crate::figure::{ChartFile, DResult, Figure, Section, grid, header, save};
use crate::read::{Compare, Crossover, PolicyPair};
use crate::style::*;

/// The crossover month to mark (median, else mean) and a caption for it.
pub fn crossover_text(c: Option<&Crossover>) -> (Option<f64>, String) {
    let Some(c) = c else {
        return (None, "no crossover data".into());
    };
    let m = if c.month_median.is_finite() {
        c.month_median
    } else {
        c.month_mean
    };
    if !m.is_finite() {
        return (None, "no replicate crosses".into());
    }
    let mut s = format!("crossover: month {}", fmt_num(m, 0));
    if c.month_lo.is_finite() && c.month_hi.is_finite() {
        s += &format!(" ({}–{})", fmt_num(c.month_lo, 0), fmt_num(c.month_hi, 0));
    }
    if c.share_crossed.is_finite() {
        s += &format!(", {}% of runs", fmt_num(c.share_crossed * 100.0, 0));
    }
    (Some(m), s)
}

struct PairsFig {
    name: String,
    pairs: Vec<PolicyPair>,
    colors: Vec<RGBColor>,
    div: f64,
    unit: String,
    metric_title: String,
    x_max: f64,
    cols: usize,
}

impl Figure for PairsFig {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn title(&self) -> String {
        format!(
            "Long-term minus short-term policy: {}",
            mid_sentence(&self.metric_title)
        )
    }
    fn section(&self) -> Section {
        Section::Policy
    }
    fn size(&self) -> (u32, u32) {
        let rows = self.pairs.len().div_ceil(self.cols) as u32;
        (1280, 110 + 300 * rows)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DResult {
        let sub = vec![
            "Above zero: long-term is ahead. Band: 95% paired interval of the mean difference.".into(),
            "Dashed vertical line: median crossover month (from then on long-term stays ahead; grey if under half the runs cross); shaded: its spread.".into(),
        ];
        let area = header(root, &self.title(), &sub)?;
        let (y0, y1) = padded(
            self.pairs
                .iter()
                .flat_map(|p| p.diff.iter().flat_map(|d| [d.ci_lo, d.ci_hi, d.mean]))
                .map(|v| v / self.div),
            true,
        );
        let dec = decimals_for(y1 - y0);
        for (i, (p, cell)) in self
            .pairs
            .iter()
            .zip(grid(&area, self.pairs.len(), self.cols))
            .enumerate()
        {
            let (first_col, last_row) = (i % self.cols == 0, i + self.cols >= self.pairs.len());
            let (head, body) = cell.split_vertically(46);
            let (cx, caption) = crossover_text(p.crossover.as_ref());
            let left = 80;
            head.draw_text(
                &p.strategy,
                &anchored(bold(15.0), HPos::Left, VPos::Top),
                (12, 6),
            )?;
            head.draw_text(
                &caption,
                &anchored(text_grey(13.0), HPos::Left, VPos::Top),
                (12, 26),
            )?;
            let mut chart = ChartBuilder::on(&body)
                .margin(6)
                .margin_right(14)
                .x_label_area_size(44)
                .y_label_area_size(left - 6)
                .build_cartesian_2d(
                    Ticked::new(0.0, self.x_max, month_ticks(self.x_max)),
                    y0..y1,
                )?;
            let y_desc = format!("difference ({})", self.unit);
            let axes = PanelAxes {
                x_max: self.x_max,
                y_labels: 6,
                text_size: 12.0,
                y_desc: first_col.then_some(y_desc.as_str()),
                last_row,
            };
            draw_panel_mesh(&mut chart, &axes, &|v| fmt_num(*v, dec))?;
            let span = p.crossover.as_ref().map(|c| (c.month_lo, c.month_hi));
            if let Some((lo, hi)) = span.filter(|(lo, hi)| lo.is_finite() && hi.is_finite()) {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(lo, y0), (hi, y1)],
                    RGBColor(150, 150, 150).mix(0.18).filled(),
                )))?;
            }
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (self.x_max, 0.0)],
                GREY.stroke_width(1),
            )))?;
            let color = self.colors[i];
            let mut poly: Vec<(f64, f64)> = p
                .diff
                .iter()
                .map(|d| (d.month as f64, d.ci_hi / self.div))
                .collect();
            poly.extend(
                p.diff
                    .iter()
                    .rev()
                    .map(|d| (d.month as f64, d.ci_lo / self.div)),
            );
            poly.retain(|(_, y)| y.is_finite());
            chart.draw_series(std::iter::once(Polygon::new(poly, color.mix(0.22))))?;
            chart.draw_series(LineSeries::new(
                p.diff
                    .iter()
                    .filter(|d| d.mean.is_finite())
                    .map(|d| (d.month as f64, d.mean / self.div)),
                color.stroke_width(2),
            ))?;
            if let Some(m) = cx {
                // Grey when most runs never cross.
                let share = p.crossover.as_ref().map_or(0.0, |c| c.share_crossed);
                let ink = if share >= 0.5 { INK } else { GREY };
                chart.draw_series(std::iter::once(DashedPathElement::new(
                    vec![(m, y0), (m, y1)],
                    6,
                    4,
                    ink.stroke_width(2),
                )))?;
            }
        }
        Ok(())
    }
}

pub fn render(c: &Compare, dir: &Path) -> Result<Vec<ChartFile>, PlotError> {
    // One figure per metric, in order of first appearance.
    let mut metrics: Vec<&str> = Vec::new();
    for p in c.policy_pairs.iter().filter(|p| !p.diff.is_empty()) {
        if !metrics.contains(&p.metric.as_str()) {
            metrics.push(&p.metric);
        }
    }
    let mut out = Vec::new();
    for (k, metric) in metrics.iter().enumerate() {
        let pairs: Vec<PolicyPair> = c
            .policy_pairs
            .iter()
            .filter(|p| !p.diff.is_empty() && p.metric == *metric)
            .cloned()
            .collect();
        let name = if k == 0 {
            "policy_pairs".to_string()
        } else {
            format!("policy_pairs_{}", metric_slug(metric))
        };
        out.push(save(&figure(name, metric, pairs), dir)?);
    }
    Ok(out)
}

fn figure(name: String, metric: &str, pairs: Vec<PolicyPair>) -> PairsFig {
    // Hues by strategy in order of appearance, as in the other charts.
    let colors = (0..pairs.len()).map(hue).collect();
    let metric = if metric.is_empty() {
        "cum_profit_mcny"
    } else {
        metric
    };
    let (metric_title, unit) = metric_info(metric);
    let max_abs = pairs
        .iter()
        .flat_map(|p| p.diff.iter().flat_map(|d| [d.ci_lo.abs(), d.ci_hi.abs()]))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let (div, unit) = scale(unit, max_abs);
    let x_max = pairs
        .iter()
        .flat_map(|p| p.diff.iter().map(|d| d.month))
        .max()
        .unwrap_or(1) as f64;
    let n = pairs.len();
    PairsFig {
        name,
        pairs,
        colors,
        div,
        unit,
        metric_title,
        x_max,
        cols: if n <= 4 { n.min(2) } else { 4 },
    }
}
