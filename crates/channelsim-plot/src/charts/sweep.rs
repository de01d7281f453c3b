//! Sweeps (design.csv + results.csv): a line with band over each factor and a
//! heat map over the first two factors, per metric.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::PlotError;
use crate::figure::{ChartFile, DResult, Figure, Section, grid, header, save};
use crate::read::Sweep;
use crate::stats::{Band, band, band_rule};
use crate::style::*;

/// Factors with more distinct values than this are binned.
const MAX_LEVELS: usize = 12;
const BINS: usize = 10;

/// The levels of one factor and each run's level index.
struct Levels {
    values: Vec<f64>,
    binned: bool,
    of_run: Vec<usize>,
}

fn levels(runs: &[(Vec<f64>, Vec<f64>)], f: usize) -> Levels {
    let mut v: Vec<f64> = runs
        .iter()
        .map(|r| r.0[f])
        .filter(|x| x.is_finite())
        .collect();
    v.sort_by(f64::total_cmp);
    v.dedup_by(|a, b| (*a - *b).abs() <= 1e-12 * b.abs().max(1.0));
    if v.len() <= MAX_LEVELS {
        let of_run = runs
            .iter()
            .map(|r| {
                v.iter()
                    .position(|x| (x - r.0[f]).abs() <= 1e-12 * x.abs().max(1.0))
                    .unwrap_or(usize::MAX)
            })
            .collect();
        return Levels {
            values: v,
            binned: false,
            of_run,
        };
    }
    let (lo, hi) = (v[0], v[v.len() - 1]);
    let w = (hi - lo) / BINS as f64;
    let of_run = runs
        .iter()
        .map(|r| {
            if r.0[f].is_finite() {
                (((r.0[f] - lo) / w) as usize).min(BINS - 1)
            } else {
                usize::MAX
            }
        })
        .collect();
    Levels {
        values: (0..BINS).map(|b| lo + w * (b as f64 + 0.5)).collect(),
        binned: true,
        of_run,
    }
}

fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

struct LinePanel {
    factor: String,
    binned: bool,
    pts: Vec<(f64, Band)>,
}

struct LineFig {
    name: String,
    title: String,
    subtitle: Vec<String>,
    y_label: String,
    color: RGBColor,
    panels: Vec<LinePanel>,
}

impl Figure for LineFig {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn title(&self) -> String {
        self.title.clone()
    }
    fn section(&self) -> Section {
        Section::Sweep
    }
    fn size(&self) -> (u32, u32) {
        let cols = self.panels.len().min(3);
        let rows = self.panels.len().div_ceil(cols) as u32;
        (1280, 100 + 420 * rows)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DResult {
        let area = header(root, &self.title, &self.subtitle)?;
        let (y0, y1) = padded(
            self.panels
                .iter()
                .flat_map(|p| p.pts.iter().flat_map(|(_, b)| [b.lo, b.hi])),
            false,
        );
        let cols = self.panels.len().min(3);
        let ydec = decimals_for(y1 - y0);
        for (i, (p, cell)) in self
            .panels
            .iter()
            .zip(grid(&area, self.panels.len(), cols))
            .enumerate()
        {
            let (x0, x1) = padded(p.pts.iter().map(|(x, _)| *x), false);
            let mut chart = ChartBuilder::on(&cell)
                .margin(12)
                .x_label_area_size(52)
                .y_label_area_size(86)
                .build_cartesian_2d(x0..x1, y0..y1)?;
            let xdec = decimals_for(x1 - x0);
            let xfmt = |v: &f64| fmt_num(*v, xdec);
            let yfmt = |v: &f64| fmt_num(*v, ydec);
            let xd = if p.binned {
                format!("{} (binned)", p.factor)
            } else {
                p.factor.clone()
            };
            let mut mesh = chart.configure_mesh();
            mesh.x_desc(xd)
                .x_labels(6)
                .y_labels(6)
                .max_light_lines(1)
                .x_label_formatter(&xfmt)
                .y_label_formatter(&yfmt)
                .label_style(text(12.0))
                .axis_desc_style(text(14.0))
                .bold_line_style(GRID_BOLD)
                .light_line_style(GRID);
            if i % cols == 0 {
                mesh.y_desc(self.y_label.as_str());
            }
            mesh.draw()?;
            let mut poly: Vec<(f64, f64)> = p.pts.iter().map(|(x, b)| (*x, b.hi)).collect();
            poly.extend(p.pts.iter().rev().map(|(x, b)| (*x, b.lo)));
            chart.draw_series(std::iter::once(Polygon::new(poly, self.color.mix(0.18))))?;
            let line: Vec<(f64, f64)> = p.pts.iter().map(|(x, b)| (*x, b.mean)).collect();
            chart.draw_series(LineSeries::new(line.clone(), self.color.stroke_width(2)))?;
            chart.draw_series(line.iter().map(|q| Circle::new(*q, 4, self.color.filled())))?;
        }
        Ok(())
    }
}

struct HeatFig {
    name: String,
    title: String,
    subtitle: Vec<String>,
    fx: (String, Vec<String>),
    fy: (String, Vec<String>),
    /// `cells[x][y]`, NaN when empty.
    cells: Vec<Vec<f64>>,
    unit: String,
}

impl Figure for HeatFig {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn title(&self) -> String {
        self.title.clone()
    }
    fn section(&self) -> Section {
        Section::Sweep
    }
    fn size(&self) -> (u32, u32) {
        (1100, 760)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DResult {
        let area = header(root, &self.title, &self.subtitle)?;
        let (plot, bar) = area.split_horizontally(area.dim_in_pixel().0 - 170);
        let (nx, ny) = (self.fx.1.len(), self.fy.1.len());
        let fin = || {
            self.cells
                .iter()
                .flatten()
                .copied()
                .filter(|v| v.is_finite())
        };
        let vmin = fin().fold(f64::INFINITY, f64::min);
        let vmax = fin().fold(f64::NEG_INFINITY, f64::max);
        let (vmin, vmax) = if vmin.is_finite() && vmax > vmin {
            (vmin, vmax)
        } else if vmin.is_finite() {
            (vmin - 0.5, vmin + 0.5)
        } else {
            (0.0, 1.0)
        };
        let t = |v: f64| (v - vmin) / (vmax - vmin);
        let mut chart = ChartBuilder::on(&plot)
            .margin(14)
            .x_label_area_size(60)
            .y_label_area_size(100)
            .build_cartesian_2d(
                Ticked::new(-0.5, nx as f64 - 0.5, (0..nx).map(|i| i as f64).collect()),
                Ticked::new(-0.5, ny as f64 - 0.5, (0..ny).map(|i| i as f64).collect()),
            )?;
        let lab =
            |names: &[String], v: f64| names.get(v.round() as usize).cloned().unwrap_or_default();
        let xfmt = |v: &f64| lab(&self.fx.1, *v);
        let yfmt = |v: &f64| lab(&self.fy.1, *v);
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(self.fx.0.as_str())
            .y_desc(self.fy.0.as_str())
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .label_style(text(12.0))
            .axis_desc_style(text(14.0))
            .draw()?;
        let dec = decimals_for(vmax - vmin);
        let show_text = nx * ny <= 144;
        for (x, col) in self.cells.iter().enumerate() {
            for (y, &v) in col.iter().enumerate() {
                let (xf, yf) = (x as f64, y as f64);
                let c = if v.is_finite() {
                    viridis(t(v))
                } else {
                    RGBColor(240, 240, 240)
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(xf - 0.5, yf - 0.5), (xf + 0.5, yf + 0.5)],
                    c.filled(),
                )))?;
                if show_text && v.is_finite() {
                    let dark = t(v) > 0.55;
                    let st = if dark {
                        text(12.0)
                    } else {
                        text(12.0).color(&WHITE)
                    };
                    chart.draw_series(std::iter::once(Text::new(
                        fmt_num(v, dec),
                        (xf, yf),
                        anchored(st, HPos::Center, VPos::Center),
                    )))?;
                }
            }
        }
        // Colour bar.
        let mut cb = ChartBuilder::on(&bar)
            .margin_top(40)
            .margin_bottom(74)
            .margin_left(10)
            .right_y_label_area_size(110)
            .build_cartesian_2d(0.0..1.0, vmin..vmax)?;
        let ydec = decimals_for(vmax - vmin);
        let yfmt = |v: &f64| fmt_num(*v, ydec);
        cb.configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(6)
            .y_label_formatter(&yfmt)
            .label_style(text(12.0))
            .draw()?;
        bar.draw_text(
            &self.unit,
            &anchored(text(13.0), HPos::Left, VPos::Bottom),
            (10, 30),
        )?;
        let steps = 100;
        cb.draw_series((0..steps).map(|k| {
            let a = vmin + (vmax - vmin) * k as f64 / steps as f64;
            let b = vmin + (vmax - vmin) * (k + 1) as f64 / steps as f64;
            Rectangle::new([(0.0, a), (1.0, b)], viridis(t((a + b) / 2.0)).filled())
        }))?;
        Ok(())
    }
}

pub fn render(s: &Sweep, dir: &Path) -> Result<Vec<ChartFile>, PlotError> {
    let mut out = Vec::new();
    if s.runs.is_empty() {
        return Ok(out);
    }
    let lv: Vec<Levels> = (0..s.factors.len()).map(|f| levels(&s.runs, f)).collect();
    let varied: Vec<usize> = (0..s.factors.len())
        .filter(|&f| lv[f].values.len() >= 2)
        .collect();
    if varied.is_empty() {
        return Ok(out);
    }
    let vendor = if s.vendor.is_empty() {
        String::new()
    } else {
        format!("; vendor {}", s.vendor)
    };
    for (k, metric) in s.metrics.iter().enumerate() {
        let max_abs = s
            .runs
            .iter()
            .map(|r| r.1[k].abs())
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        if max_abs == 0.0 && s.runs.iter().all(|r| !r.1[k].is_finite()) {
            continue;
        }
        let (title, unit) = metric_info(metric);
        let (div, unit) = scale(unit, max_abs);
        let at = |f: usize, l: usize| {
            s.runs
                .iter()
                .zip(&lv[f].of_run)
                .filter(move |(_, li)| **li == l)
                .map(move |(r, _)| r.1[k] / div)
        };
        let panels: Vec<LinePanel> = varied
            .iter()
            .map(|&f| LinePanel {
                factor: s.factors[f].clone(),
                binned: lv[f].binned,
                pts: (0..lv[f].values.len())
                    .filter_map(|l| band(at(f, l)).map(|b| (lv[f].values[l], b)))
                    .collect(),
            })
            .collect();
        let n_per = panels
            .first()
            .map(|p| p.pts.iter().map(|(_, b)| b.n).min().unwrap_or(0))
            .unwrap_or(0);
        let mut sub = vec![format!(
            "{}{vendor}",
            band_rule(n_per).replace("replicates", "runs")
        )];
        if varied.len() > 1 {
            sub.push(
                "Each panel pools the runs over the other factors' values (main effect).".into(),
            );
        }
        out.push(save(
            &LineFig {
                name: format!("sweep_line_{}", file_safe(metric)),
                title: format!("{title} at the horizon, by factor"),
                subtitle: sub,
                y_label: with_unit(&title, &unit),
                color: hue(5),
                panels,
            },
            dir,
        )?);
        if varied.len() >= 2 {
            let (fx, fy) = (varied[0], varied[1]);
            let names = |f: usize| {
                let d = decimals_for(lv[f].values[lv[f].values.len() - 1] - lv[f].values[0]);
                lv[f]
                    .values
                    .iter()
                    .map(|v| fmt_num(*v, d))
                    .collect::<Vec<_>>()
            };
            let cells: Vec<Vec<f64>> = (0..lv[fx].values.len())
                .map(|x| {
                    (0..lv[fy].values.len())
                        .map(|y| {
                            let v: Vec<f64> = s
                                .runs
                                .iter()
                                .enumerate()
                                .filter(|(i, _)| lv[fx].of_run[*i] == x && lv[fy].of_run[*i] == y)
                                .map(|(_, r)| r.1[k] / div)
                                .filter(|v| v.is_finite())
                                .collect();
                            if v.is_empty() {
                                f64::NAN
                            } else {
                                v.iter().sum::<f64>() / v.len() as f64
                            }
                        })
                        .collect()
                })
                .collect();
            let bin = |f: usize| if lv[f].binned { " (bin centres)" } else { "" };
            out.push(save(
                &HeatFig {
                    name: format!("sweep_heat_{}", file_safe(metric)),
                    title: format!(
                        "{title} at the horizon over {} × {}",
                        s.factors[fx], s.factors[fy]
                    ),
                    subtitle: vec![format!(
                        "Cell: mean over the runs at that pair of values{vendor}; grey: no runs"
                    )],
                    fx: (format!("{}{}", s.factors[fx], bin(fx)), names(fx)),
                    fy: (format!("{}{}", s.factors[fy], bin(fy)), names(fy)),
                    cells,
                    unit: with_unit(&title, &unit),
                },
                dir,
            )?);
        }
    }
    Ok(out)
}
