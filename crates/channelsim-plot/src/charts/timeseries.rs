//! Time series over the months (one line per variant × vendor, with a band)
//! and customers by ring as stacked areas, one panel per line.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use channelsim_results::catalogue;

use super::panel::{PanelAxes, draw_panel_mesh, month_ticks};
use crate::PlotError;
use crate::figure::{ChartFile, DResult, Figure, Section, grid, header, save};
use crate::read::Series;
use crate::stats::{Band, band_rule};
use crate::style::*;

/// The metrics drawn as time series (columns), in report order.
pub fn metrics() -> Vec<&'static str> {
    catalogue::charted().iter().map(|m| m.column).collect()
}
/// The ring-count columns, innermost first.
pub fn rings() -> Vec<&'static str> {
    catalogue::rings().map(|m| m.column).collect()
}
const RING_NAMES: [&str; 5] = ["work", "business", "systems", "industry chain", "ecosystem"];

/// A band's outline: its upper edge forwards, its lower edge back.
fn band_polygon(pts: &[(f64, Band)]) -> Vec<(f64, f64)> {
    let mut poly: Vec<(f64, f64)> = pts.iter().map(|(m, b)| (*m, b.hi)).collect();
    poly.extend(pts.iter().rev().map(|(m, b)| (*m, b.lo)));
    poly
}

struct TsLine {
    label: String,
    look: Look,
    pts: Vec<(f64, Band)>,
}

struct TsFig {
    name: String,
    title: String,
    subtitle: Vec<String>,
    y_label: String,
    legend_title: String,
    lines: Vec<TsLine>,
    x_max: f64,
    /// One small panel per strategy (its lines, long- and short-term, on
    /// the same axes) when several strategies are drawn: 14 lines on one
    /// chart cannot be read.
    panels: Vec<(String, Vec<usize>)>,
}

/// Columns of the small panels.
const PANEL_COLS: usize = 3;

impl TsFig {
    fn draw_panels<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DResult {
        let (y0, y1) = padded(
            self.lines
                .iter()
                .flat_map(|l| l.pts.iter().flat_map(|(_, b)| [b.lo, b.hi])),
            false,
        );
        let dec = decimals_for(y1 - y0);
        let n = self.panels.len();
        for (i, ((label, idx), cell)) in self
            .panels
            .iter()
            .zip(grid(area, n, PANEL_COLS))
            .enumerate()
        {
            let (first_col, last_row) = (i % PANEL_COLS == 0, i + PANEL_COLS >= n);
            let colour = idx.first().map_or(BLACK, |&li| self.lines[li].look.color);
            let mut chart = ChartBuilder::on(&cell)
                .margin(8)
                .margin_right(22)
                .caption(label, bold(16.0).color(&colour))
                .x_label_area_size(36)
                .y_label_area_size(if first_col { 80 } else { 50 })
                .build_cartesian_2d(
                    Ticked::new(0.0, self.x_max, month_ticks(self.x_max)),
                    y0..y1,
                )?;
            let axes = PanelAxes {
                x_max: self.x_max,
                y_labels: 5,
                text_size: 13.0,
                y_desc: first_col.then_some(self.y_label.as_str()),
                last_row,
            };
            draw_panel_mesh(&mut chart, &axes, &|v| fmt_num(*v, dec))?;
            for &li in idx {
                let l = &self.lines[li];
                let band = Polygon::new(band_polygon(&l.pts), l.look.color.mix(0.15));
                chart.draw_series(std::iter::once(band))?;
            }
            for &li in idx {
                let l = &self.lines[li];
                let pts: Vec<(f64, f64)> = l.pts.iter().map(|(m, b)| (*m, b.mean)).collect();
                let st = l.look.color.stroke_width(2);
                if l.look.dashed {
                    chart.draw_series(DashedLineSeries::new(pts, 8, 5, st))?;
                } else {
                    chart.draw_series(LineSeries::new(pts, st))?;
                }
            }
        }
        Ok(())
    }
}

impl Figure for TsFig {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn title(&self) -> String {
        self.title.clone()
    }
    fn section(&self) -> Section {
        Section::TimeSeries
    }
    fn size(&self) -> (u32, u32) {
        if self.panels.len() > 1 {
            let rows = self.panels.len().div_ceil(PANEL_COLS) as u32;
            (1280, 110 + 300 * rows)
        } else {
            (1280, 680)
        }
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DResult {
        let area = header(root, &self.title, &self.subtitle)?;
        if self.panels.len() > 1 {
            return self.draw_panels(&area);
        }
        let entries: Vec<LegendEntry> = self
            .lines
            .iter()
            .map(|l| LegendEntry {
                label: l.label.clone(),
                key: Key::Line(l.look),
            })
            .collect();
        let lw = legend_width(&area, &self.legend_title, &entries)?;
        let (plot, legend) = area.split_horizontally(area.dim_in_pixel().0 - lw);
        let (y0, y1) = padded(
            self.lines
                .iter()
                .flat_map(|l| l.pts.iter().flat_map(|(_, b)| [b.lo, b.hi])),
            false,
        );
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(52)
            .y_label_area_size(92)
            .build_cartesian_2d(
                Ticked::new(0.0, self.x_max, month_ticks(self.x_max)),
                y0..y1,
            )?;
        let dec = decimals_for(y1 - y0);
        let yfmt = |v: &f64| fmt_num(*v, dec);
        let xfmt = |v: &f64| fmt_num(*v, 0);
        chart
            .configure_mesh()
            .x_desc("Month")
            .y_desc(self.y_label.as_str())
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .y_labels(8)
            .y_max_light_lines(1)
            .label_style(text(14.0))
            .axis_desc_style(text(15.0))
            .bold_line_style(GRID_BOLD)
            .light_line_style(GRID)
            .draw()?;
        for l in &self.lines {
            let band = Polygon::new(band_polygon(&l.pts), l.look.color.mix(0.10));
            chart.draw_series(std::iter::once(band))?;
        }
        let n = self.lines.len().max(1);
        for (i, l) in self.lines.iter().enumerate() {
            let pts: Vec<(f64, f64)> = l.pts.iter().map(|(m, b)| (*m, b.mean)).collect();
            let st = l.look.color.stroke_width(2);
            if l.look.dashed {
                chart.draw_series(DashedLineSeries::new(pts.clone(), 8, 5, st))?;
            } else {
                chart.draw_series(LineSeries::new(pts.clone(), st))?;
            }
            // Markers staggered so lines of different variants do not share months.
            let step = if self.x_max > 36.0 { 12 } else { 6 };
            let off = (i * step / n) as i64;
            chart.draw_series(
                pts.iter()
                    .filter(|(m, _)| (*m as i64 + off) % step as i64 == 0)
                    .map(|p| marker::<DB, (f64, f64)>(*p, &l.look, 4.0)),
            )?;
        }
        draw_legend(&legend, &self.legend_title, &entries, 24)?;
        Ok(())
    }
}

/// The legend title for the lines of a series file.
fn legend_title(s: &Series) -> &'static str {
    match (s.n_distinct(|l| &l.variant), s.n_distinct(|l| &l.vendor)) {
        (_, 1) => "Variant",
        (1, _) => "Vendor",
        _ => "Variant · vendor",
    }
}

fn n_reps(s: &Series) -> usize {
    s.replicates()
}

fn ts_figure(s: &Series, metric: &str) -> Option<TsFig> {
    let k = s.metric(metric)?;
    let (looks, order) = looks(&s.lines);
    let (nv, nd) = (s.n_distinct(|l| &l.variant), s.n_distinct(|l| &l.vendor));
    let mut lines: Vec<TsLine> = order
        .iter()
        .map(|&li| TsLine {
            label: line_label(&s.lines[li], nv, nd),
            look: looks[li],
            pts: s
                .months
                .iter()
                .enumerate()
                .filter_map(|(mi, &m)| s.band(li, k, mi).map(|b| (m as f64, b)))
                .collect(),
        })
        .collect();
    let max_abs = lines
        .iter()
        .flat_map(|l| l.pts.iter().flat_map(|(_, b)| [b.lo.abs(), b.hi.abs()]))
        .fold(0.0, f64::max);
    if max_abs == 0.0 && lines.iter().all(|l| l.pts.is_empty()) {
        return None;
    }
    // One panel per strategy, in the lines' order, when there are several
    // strategies of one vendor.
    let mut panels: Vec<(String, Vec<usize>)> = Vec::new();
    if nd == 1 {
        for (i, &li) in order.iter().enumerate() {
            let st = &s.lines[li].strategy;
            match panels.iter_mut().find(|p| &p.0 == st) {
                Some(p) => p.1.push(i),
                None => panels.push((st.clone(), vec![i])),
            }
        }
    }
    let (title, unit) = metric_info(metric);
    let (div, unit_txt) = scale(unit, max_abs);
    for l in &mut lines {
        for (_, b) in &mut l.pts {
            (b.mean, b.lo, b.hi) = (b.mean / div, b.lo / div, b.hi / div);
        }
    }
    Some(TsFig {
        name: format!("ts_{}", metric_slug(metric)),
        subtitle: vec![format!(
            "{}; state at the end of each month{}",
            band_rule(n_reps(s)),
            if panels.len() > 1 {
                "; one panel per strategy: solid long-term, dashed short-term, same axes"
            } else {
                ""
            }
        )],
        y_label: with_unit(&title, &unit_txt),
        title,
        legend_title: legend_title(s).into(),
        lines,
        x_max: s.months.last().copied().unwrap_or(1) as f64,
        panels,
    })
}

struct RingPanel {
    label: String,
    /// Mean customers per ring, per month.
    pts: Vec<(f64, [f64; 5])>,
}

struct RingsFig {
    panels: Vec<RingPanel>,
    cols: usize,
    x_max: f64,
    subtitle: Vec<String>,
}

const RING_T: [f64; 5] = [0.0, 0.3, 0.55, 0.78, 0.97];

impl Figure for RingsFig {
    fn name(&self) -> String {
        "rings".into()
    }
    fn title(&self) -> String {
        "Customers by ring of collaboration".into()
    }
    fn section(&self) -> Section {
        Section::TimeSeries
    }
    fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(self.cols) as u32;
        (1280, 90 + 250 * rows.max(1))
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DResult {
        let area = header(root, &self.title(), &self.subtitle)?;
        let entries: Vec<LegendEntry> = (0..5)
            .rev()
            .map(|r| LegendEntry {
                label: format!("ring {r} · {}", RING_NAMES[r]),
                key: Key::Patch(viridis(RING_T[r]).to_rgba()),
            })
            .collect();
        let lw = legend_width(&area, "Ring", &entries)?;
        let (plots, legend) = area.split_horizontally(area.dim_in_pixel().0 - lw);
        let y_max = self
            .panels
            .iter()
            .flat_map(|p| p.pts.iter().map(|(_, r)| r.iter().sum::<f64>()))
            .fold(0.0, f64::max)
            .max(1.0)
            * 1.05;
        let dec = decimals_for(y_max);
        for (i, (p, cell)) in self
            .panels
            .iter()
            .zip(grid(&plots, self.panels.len(), self.cols))
            .enumerate()
        {
            // x labels under the lowest panel of each column.
            let (first_col, last_row) = (i % self.cols == 0, i + self.cols >= self.panels.len());
            let mut chart = ChartBuilder::on(&cell)
                .margin(6)
                .caption(&p.label, bold(14.0))
                .x_label_area_size(40)
                .y_label_area_size(70)
                .build_cartesian_2d(
                    Ticked::new(0.0, self.x_max, month_ticks(self.x_max)),
                    0.0..y_max,
                )?;
            let yfmt = |v: &f64| {
                if first_col {
                    fmt_num(*v, dec)
                } else {
                    String::new()
                }
            };
            let axes = PanelAxes {
                x_max: self.x_max,
                y_labels: 5,
                text_size: 12.0,
                y_desc: first_col.then_some("customers"),
                last_row,
            };
            draw_panel_mesh(&mut chart, &axes, &yfmt)?;
            for r in 0..5 {
                let below = |v: &[f64; 5]| v[..r].iter().sum::<f64>();
                let mut poly: Vec<(f64, f64)> =
                    p.pts.iter().map(|(m, v)| (*m, below(v) + v[r])).collect();
                poly.extend(p.pts.iter().rev().map(|(m, v)| (*m, below(v))));
                chart.draw_series(std::iter::once(Polygon::new(
                    poly,
                    viridis(RING_T[r]).filled(),
                )))?;
            }
        }
        draw_legend(&legend, "Ring", &entries, 24)?;
        Ok(())
    }
}

fn rings_figure(s: &Series) -> Option<RingsFig> {
    let ks: Vec<usize> = rings().iter().map(|r| s.metric(r)).collect::<Option<_>>()?;
    let (_, order) = looks(&s.lines);
    let (nv, nd) = (s.n_distinct(|l| &l.variant), s.n_distinct(|l| &l.vendor));
    let panels: Vec<RingPanel> = order
        .iter()
        .map(|&li| RingPanel {
            label: line_label(&s.lines[li], nv, nd),
            pts: s
                .months
                .iter()
                .enumerate()
                .map(|(mi, &m)| {
                    let mut v = [0.0; 5];
                    for (r, &k) in ks.iter().enumerate() {
                        v[r] = s.band(li, k, mi).map_or(0.0, |b| b.mean);
                    }
                    (m as f64, v)
                })
                .collect(),
        })
        .collect();
    let n = panels.len();
    let cols = match n {
        0..=3 => n.max(1),
        4 => 2,
        _ => 4,
    };
    Some(RingsFig {
        panels,
        cols,
        x_max: s.months.last().copied().unwrap_or(1) as f64,
        subtitle: vec![format!(
            "Mean of {} replicates, stacked: ring 0 (inside the firm) at the bottom to ring 4 (whole ecosystem) on top; same scale in every panel",
            n_reps(s)
        )],
    })
}

pub fn render(s: &Series, dir: &Path) -> Result<Vec<ChartFile>, PlotError> {
    let mut out = Vec::new();
    for m in metrics() {
        if let Some(f) = ts_figure(s, m) {
            out.push(save(&f, dir)?);
        }
    }
    if let Some(f) = rings_figure(s) {
        out.push(save(&f, dir)?);
    }
    Ok(out)
}
