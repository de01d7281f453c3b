//! Comparison at the horizon: dots with 95% interval bars per variant, one
//! panel per headline metric, rows sorted by the first metric; and the paired
//! differences against the baseline (compare.json, else summary.csv).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::PlotError;
use crate::figure::{ChartFile, DResult, Figure, Section, header, save};
use crate::read::{Compare, LineMeta, SummaryRow, val};
use crate::style::*;

/// Headline metrics (columns) when compare.json does not list them.
pub fn headline() -> Vec<String> {
    channelsim_results::catalogue::headline()
        .iter()
        .map(|m| m.column.to_string())
        .collect()
}

pub fn short_title(m: &str) -> String {
    channelsim_results::catalogue::find(m).map_or(m.to_string(), |x| x.short.to_string())
}

/// (mean, lo, hi), NaN when missing.
type Est = (f64, f64, f64);

struct Row {
    label: String,
    look: Look,
    est: Vec<Est>,
}

struct ForestFig {
    name: String,
    title: String,
    subtitle: Vec<String>,
    /// (title, unit text, divisor) per panel.
    panels: Vec<(String, String, f64)>,
    rows: Vec<Row>,
    zero_line: bool,
}

const ROW_H: u32 = 30;
const TOP: u32 = 58;
const BOTTOM: u32 = 40;

impl Figure for ForestFig {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn title(&self) -> String {
        self.title.clone()
    }
    fn section(&self) -> Section {
        Section::Horizon
    }
    fn size(&self) -> (u32, u32) {
        let (blocks, _) = self.layout();
        let block = TOP + BOTTOM + 16 + ROW_H * self.rows.len() as u32;
        (
            1280,
            50 + 19 * self.subtitle.len() as u32 + block * blocks as u32,
        )
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DResult {
        let area = header(root, &self.title, &self.subtitle)?;
        let (blocks, per) = self.layout();
        for (b, block) in area.split_evenly((blocks, 1)).iter().enumerate() {
            let ks: Vec<usize> = (b * per..((b + 1) * per).min(self.panels.len())).collect();
            self.draw_block(block, &ks, per)?;
        }
        Ok(())
    }
}

impl ForestFig {
    /// Rows of at most five panels, balanced: (rows, panels per row).
    fn layout(&self) -> (usize, usize) {
        let blocks = self.panels.len().div_ceil(5).max(1);
        (blocks, self.panels.len().div_ceil(blocks).max(1))
    }

    /// One row of panels `ks` (of `per` slots), with the row labels.
    fn draw_block<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        ks: &[usize],
        per: usize,
    ) -> DResult {
        let mut lw = 0;
        for r in &self.rows {
            lw = lw.max(area.estimate_text_size(&r.label, &text(14.0))?.0);
        }
        let (labels, panels) = area.split_horizontally(lw + 44);
        let n = self.rows.len();
        let y_of = |i: usize| (n - 1 - i) as f64;
        let y_range = -0.5..(n as f64 - 0.5);
        // Label column laid out like the panels so rows line up.
        let mut lab = ChartBuilder::on(&labels)
            .margin_top(TOP)
            .margin_bottom(8)
            .margin_right(12)
            .x_label_area_size(BOTTOM)
            .build_cartesian_2d(0.0..1.0, y_range.clone())?;
        lab.draw_series(self.rows.iter().enumerate().map(|(i, r)| {
            EmptyElement::at((1.0, y_of(i)))
                + Text::new(
                    r.label.clone(),
                    (-16, 0),
                    anchored(text(14.0), HPos::Right, VPos::Center),
                )
        }))?;
        lab.draw_series(
            self.rows
                .iter()
                .enumerate()
                .map(|(i, r)| marker::<DB, (f64, f64)>((1.0, y_of(i)), &r.look, 4.5)),
        )?;
        let cells = panels.split_evenly((1, per));
        for (&k, cell) in ks.iter().zip(cells) {
            let (title, unit, div) = &self.panels[k];
            let (head, body) = cell.split_vertically(TOP);
            head.draw_text(
                title,
                &anchored(bold(14.0), HPos::Center, VPos::Top),
                (head.dim_in_pixel().0 as i32 / 2, 10),
            )?;
            head.draw_text(
                unit,
                &anchored(text_grey(12.0), HPos::Center, VPos::Top),
                (head.dim_in_pixel().0 as i32 / 2, 30),
            )?;
            let vals: Vec<Est> = self
                .rows
                .iter()
                .map(|r| (r.est[k].0 / div, r.est[k].1 / div, r.est[k].2 / div))
                .collect();
            let (x0, x1) = padded(vals.iter().flat_map(|e| [e.0, e.1, e.2]), self.zero_line);
            let mut chart = ChartBuilder::on(&body)
                .margin_bottom(8)
                .margin_left(8)
                .margin_right(14)
                .x_label_area_size(BOTTOM)
                .build_cartesian_2d(x0..x1, y_range.clone())?;
            let dec = decimals_for(x1 - x0);
            let xfmt = |v: &f64| fmt_num(*v, dec);
            chart
                .configure_mesh()
                .disable_y_mesh()
                .disable_y_axis()
                .x_labels(4)
                .x_max_light_lines(1)
                .x_label_formatter(&xfmt)
                .label_style(text(12.0))
                .bold_line_style(GRID_BOLD)
                .light_line_style(GRID)
                .draw()?;
            chart.draw_series((0..n).filter(|i| i % 2 == 0).map(|i| {
                Rectangle::new(
                    [(x0, y_of(i) - 0.5), (x1, y_of(i) + 0.5)],
                    RGBColor(120, 120, 120).mix(0.07).filled(),
                )
            }))?;
            if self.zero_line && x0 < 0.0 && x1 > 0.0 {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                    GREY.stroke_width(1),
                )))?;
            }
            for (i, (r, e)) in self.rows.iter().zip(&vals).enumerate() {
                let y = y_of(i);
                if e.1.is_finite() && e.2.is_finite() {
                    let st = r.look.color.stroke_width(2);
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(e.1, y), (e.2, y)],
                        st,
                    )))?;
                    for x in [e.1, e.2] {
                        chart.draw_series(std::iter::once(PathElement::new(
                            vec![(x, y - 0.18), (x, y + 0.18)],
                            st,
                        )))?;
                    }
                }
                if e.0.is_finite() {
                    chart.draw_series(std::iter::once(marker::<DB, (f64, f64)>(
                        (e.0, y),
                        &r.look,
                        5.0,
                    )))?;
                }
            }
        }
        Ok(())
    }
}

/// Scales each metric's estimates and names its unit.
fn panels(metrics: &[String], rows: &[Row]) -> Vec<(String, String, f64)> {
    metrics
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let max_abs = rows
                .iter()
                .flat_map(|r| [r.est[k].1.abs(), r.est[k].2.abs(), r.est[k].0.abs()])
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max);
            let (div, unit) = scale(metric_info(m).1, max_abs);
            let unit = if unit.is_empty() {
                "value".into()
            } else {
                unit
            };
            (short_title(m), unit, div)
        })
        .collect()
}

fn sort_rows(rows: &mut [Row]) {
    rows.sort_by(|a, b| {
        let (x, y) = (a.est[0].0, b.est[0].0);
        y.partial_cmp(&x)
            .unwrap_or_else(|| x.is_nan().cmp(&y.is_nan()))
    });
}

pub fn render(
    c: Option<&Compare>,
    summary: Option<&[SummaryRow]>,
    dir: &Path,
) -> Result<Vec<ChartFile>, PlotError> {
    let mut out = Vec::new();
    let nan3 = (f64::NAN, f64::NAN, f64::NAN);
    let (metrics, metas, ests, horizon): (Vec<String>, Vec<LineMeta>, Vec<Vec<Est>>, String) =
        if let Some(c) = c.filter(|c| !c.variants.is_empty()) {
            let metrics: Vec<String> = if c.metrics.is_empty() {
                headline()
            } else {
                c.metrics.clone()
            };
            let metas = c
                .variants
                .iter()
                .map(|v| LineMeta {
                    variant: v.name.clone(),
                    vendor: c.vendor.clone(),
                    strategy: v.strategy.clone(),
                    policy: v.policy.clone(),
                })
                .collect();
            let ests = c
                .variants
                .iter()
                .map(|v| {
                    metrics
                        .iter()
                        .map(|m| {
                            v.horizon
                                .get(m)
                                .map_or(nan3, |s| (s.mean, s.ci_lo, s.ci_hi))
                        })
                        .collect()
                })
                .collect();
            let h = c
                .horizon
                .map(|h| format!("month {h}"))
                .unwrap_or("the horizon".into());
            (metrics, metas, ests, h)
        } else if let Some(rows) = summary {
            let metrics: Vec<String> = headline()
                .into_iter()
                .filter(|m| rows.iter().any(|r| r.metric == *m))
                .collect();
            let mut metas: Vec<LineMeta> = Vec::new();
            for r in rows {
                if !metas
                    .iter()
                    .any(|m| m.variant == r.variant && m.vendor == r.vendor)
                {
                    metas.push(LineMeta {
                        variant: r.variant.clone(),
                        vendor: r.vendor.clone(),
                        strategy: r.strategy.clone(),
                        policy: r.policy.clone(),
                    });
                }
            }
            let ests = metas
                .iter()
                .map(|l| {
                    metrics
                        .iter()
                        .map(|m| {
                            rows.iter()
                                .find(|r| {
                                    r.variant == l.variant && r.vendor == l.vendor && &r.metric == m
                                })
                                .map_or(nan3, |r| (val(r.mean), val(r.ci_lo), val(r.ci_hi)))
                        })
                        .collect()
                })
                .collect();
            (metrics, metas, ests, "the horizon".into())
        } else {
            return Ok(out);
        };
    if metas.len() < 2 || metrics.is_empty() {
        return Ok(out);
    }
    let (looks, _) = looks(&metas);
    let mut nv: Vec<&str> = metas.iter().map(|l| l.variant.as_str()).collect();
    let mut nd: Vec<&str> = metas.iter().map(|l| l.vendor.as_str()).collect();
    nv.sort();
    nv.dedup();
    nd.sort();
    nd.dedup();
    let mut rows: Vec<Row> = metas
        .iter()
        .zip(&looks)
        .zip(ests)
        .map(|((l, look), est)| Row {
            label: line_label(l, nv.len(), nd.len()),
            look: *look,
            est,
        })
        .collect();
    sort_rows(&mut rows);
    let by = mid_sentence(&short_title(&metrics[0]));
    let fig = ForestFig {
        name: "horizon".into(),
        title: format!("Comparison at {horizon}"),
        subtitle: vec![format!(
            "Mean and 95% interval of the mean across replicates; rows sorted by {by} (best on top)"
        )],
        panels: panels(&metrics, &rows),
        rows,
        zero_line: false,
    };
    out.push(save(&fig, dir)?);

    // Paired differences against the baseline.
    let Some(c) = c.filter(|c| !c.paired.is_empty()) else {
        return Ok(out);
    };
    let mut prow: Vec<Row> = Vec::new();
    for (l, look) in metas.iter().zip(&looks) {
        let est: Vec<Est> = metrics
            .iter()
            .map(|m| {
                c.paired
                    .iter()
                    .find(|p| p.variant == l.variant && &p.metric == m)
                    .map_or(nan3, |p| (p.mean_diff, p.ci_lo, p.ci_hi))
            })
            .collect();
        if l.variant != c.baseline && est.iter().any(|e| e.0.is_finite()) {
            prow.push(Row {
                label: line_label(l, nv.len(), nd.len()),
                look: *look,
                est,
            });
        }
    }
    if prow.is_empty() {
        return Ok(out);
    }
    sort_rows(&mut prow);
    let fig = ForestFig {
        name: "paired".into(),
        title: format!("Difference from the baseline at {horizon}"),
        subtitle: vec![
            format!(
                "Baseline: {}. Paired by replicate (same seeds): mean difference and 95% interval.",
                c.baseline
            ),
            format!(
                "Right of zero: higher than the baseline. Rows sorted by the difference in {by}."
            ),
        ],
        panels: panels(&metrics, &prow),
        rows: prow,
        zero_line: true,
    };
    out.push(save(&fig, dir)?);
    Ok(out)
}
