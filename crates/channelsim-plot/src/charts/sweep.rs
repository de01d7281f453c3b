//! Sweeps (design.csv + results.csv): per metric, a line with band over each
//! factor (one line per variant when the sweep has variants) and a heat map
//! over the first two factors (one panel per variant).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::PlotError;
use crate::figure::{ChartFile, DResult, Figure, Section, grid, header, save};
use crate::read::{LineMeta, Sweep};
use crate::stats::{Band, band, band_rule};
use crate::style::*;

/// Numeric factors with more distinct values than this are binned.
const MAX_LEVELS: usize = 12;
const BINS: usize = 10;

/// The levels of one factor: axis positions, labels, each run's level.
struct Levels {
    pos: Vec<f64>,
    labels: Vec<String>,
    binned: bool,
    of_run: Vec<usize>,
}

fn levels(s: &Sweep, f: usize) -> Levels {
    let raw: Vec<&str> = s.runs.iter().map(|r| r.factors[f].as_str()).collect();
    let nums: Option<Vec<f64>> = raw
        .iter()
        .map(|x| x.parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect();
    let Some(nums) = nums else {
        // Text values: categories in order of appearance.
        let mut labels: Vec<String> = Vec::new();
        let of_run = raw
            .iter()
            .map(|x| match labels.iter().position(|l| l == x) {
                Some(p) => p,
                None => {
                    labels.push(x.to_string());
                    labels.len() - 1
                }
            })
            .collect();
        return Levels {
            pos: (0..labels.len()).map(|i| i as f64).collect(),
            labels,
            binned: false,
            of_run,
        };
    };
    let same = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-12);
    let mut v = nums.clone();
    v.sort_by(f64::total_cmp);
    v.dedup_by(|a, b| same(*a, *b));
    let (pos, binned, of_run) = if v.len() <= MAX_LEVELS {
        let of_run = nums
            .iter()
            .map(|x| v.iter().position(|l| same(*l, *x)).unwrap_or(0))
            .collect();
        (v, false, of_run)
    } else {
        let (lo, hi) = (v[0], v[v.len() - 1]);
        let w = (hi - lo) / BINS as f64;
        let of_run = nums
            .iter()
            .map(|x| (((x - lo) / w) as usize).min(BINS - 1))
            .collect();
        let centres = (0..BINS).map(|b| lo + w * (b as f64 + 0.5)).collect();
        (centres, true, of_run)
    };
    let d = decimals_for(pos[pos.len() - 1] - pos[0]);
    Levels {
        labels: pos.iter().map(|x| fmt_num(*x, d)).collect(),
        pos,
        binned,
        of_run,
    }
}

fn axis_name(name: &str, l: &Levels) -> String {
    if l.binned {
        format!("{name} (binned)")
    } else {
        name.to_string()
    }
}

/// A variant name "strategy / policy" as line metadata, so sweeps use the
/// same colours as runs.
fn meta(name: &str) -> LineMeta {
    let (strategy, policy) = match name.split_once(" / ") {
        Some((s, p)) if p.contains("term") => (s.to_string(), p.to_string()),
        _ => (String::new(), String::new()),
    };
    LineMeta {
        variant: name.to_string(),
        vendor: String::new(),
        strategy,
        policy,
    }
}

struct SLine {
    look: Look,
    pts: Vec<(f64, Band)>,
}

struct LinePanel {
    factor: String,
    ticks: Vec<f64>,
    labels: Vec<String>,
    lines: Vec<SLine>,
}

struct LineFig {
    name: String,
    title: String,
    subtitle: Vec<String>,
    y_label: String,
    panels: Vec<LinePanel>,
    /// Bands only with one line per panel (else they hide each other).
    bands: bool,
    legend: Vec<LegendEntry>,
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
        let cols = self
            .panels
            .len()
            .min(if self.legend.is_empty() { 3 } else { 2 });
        let rows = self.panels.len().div_ceil(cols) as u32;
        (1280, 100 + 19 * self.subtitle.len() as u32 + 420 * rows)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DResult {
        let area = header(root, &self.title, &self.subtitle)?;
        let plots = if self.legend.is_empty() {
            area
        } else {
            let lw = legend_width(&area, "Variant", &self.legend)?;
            let (p, l) = area.split_horizontally(area.dim_in_pixel().0 - lw);
            draw_legend(&l, "Variant", &self.legend, 24)?;
            p
        };
        let all = self
            .panels
            .iter()
            .flat_map(|p| &p.lines)
            .flat_map(|l| &l.pts);
        let (y0, y1) = if self.bands {
            padded(all.flat_map(|(_, b)| [b.lo, b.hi]), false)
        } else {
            padded(all.map(|(_, b)| b.mean), false)
        };
        let cols = self
            .panels
            .len()
            .min(if self.legend.is_empty() { 3 } else { 2 });
        let ydec = decimals_for(y1 - y0);
        for (i, (p, cell)) in self
            .panels
            .iter()
            .zip(grid(&plots, self.panels.len(), cols))
            .enumerate()
        {
            let (lo, hi) = (p.ticks[0], p.ticks[p.ticks.len() - 1]);
            let pad = if hi > lo { (hi - lo) * 0.06 } else { 0.5 };
            let mut chart = ChartBuilder::on(&cell)
                .margin(12)
                .margin_right(24)
                .x_label_area_size(52)
                .y_label_area_size(86)
                .build_cartesian_2d(Ticked::new(lo - pad, hi + pad, p.ticks.clone()), y0..y1)?;
            let every = label_step(&p.labels, cell.dim_in_pixel().0.saturating_sub(110));
            let xfmt = |v: &f64| {
                p.ticks
                    .iter()
                    .position(|t| (t - v).abs() < 1e-9 * t.abs().max(1.0))
                    .filter(|k| k % every == 0)
                    .map(|k| p.labels[k].clone())
                    .unwrap_or_default()
            };
            let yfmt = |v: &f64| fmt_num(*v, ydec);
            let mut mesh = chart.configure_mesh();
            mesh.x_desc(p.factor.as_str())
                .y_labels(6)
                .y_max_light_lines(1)
                .x_label_formatter(&xfmt)
                .y_label_formatter(&yfmt)
                .label_style(text(13.0))
                .axis_desc_style(text(14.0))
                .bold_line_style(GRID_BOLD)
                .light_line_style(GRID);
            if i % cols == 0 {
                mesh.y_desc(self.y_label.as_str());
            }
            mesh.draw()?;
            for l in &p.lines {
                if self.bands {
                    let mut poly: Vec<(f64, f64)> = l.pts.iter().map(|(x, b)| (*x, b.hi)).collect();
                    poly.extend(l.pts.iter().rev().map(|(x, b)| (*x, b.lo)));
                    chart
                        .draw_series(std::iter::once(Polygon::new(poly, l.look.color.mix(0.18))))?;
                }
                let line: Vec<(f64, f64)> = l.pts.iter().map(|(x, b)| (*x, b.mean)).collect();
                let st = l.look.color.stroke_width(2);
                if l.look.dashed {
                    chart.draw_series(DashedLineSeries::new(line.clone(), 8, 5, st))?;
                } else {
                    chart.draw_series(LineSeries::new(line.clone(), st))?;
                }
                chart.draw_series(
                    line.iter()
                        .map(|q| marker::<DB, (f64, f64)>(*q, &l.look, 4.5)),
                )?;
            }
        }
        Ok(())
    }
}

struct HeatPanel {
    label: String,
    /// `cells[x][y]`, NaN when empty.
    cells: Vec<Vec<f64>>,
}

struct HeatFig {
    name: String,
    title: String,
    subtitle: Vec<String>,
    fx: (String, Vec<String>),
    fy: (String, Vec<String>),
    panels: Vec<HeatPanel>,
    unit: String,
}

impl HeatFig {
    fn cols(&self) -> usize {
        self.panels.len().clamp(1, 4)
    }
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
        if self.panels.len() == 1 {
            (1280, 780)
        } else {
            let rows = self.panels.len().div_ceil(self.cols()) as u32;
            (1280, 110 + 300 * rows)
        }
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DResult {
        let area = header(root, &self.title, &self.subtitle)?;
        let (plots, bar) = area.split_horizontally(area.dim_in_pixel().0 - 150);
        let (nx, ny) = (self.fx.1.len(), self.fy.1.len());
        let fin = || {
            self.panels
                .iter()
                .flat_map(|p| p.cells.iter().flatten().copied())
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
        let dec = decimals_for(vmax - vmin);
        let single = self.panels.len() == 1;
        let cols = self.cols();
        let n = self.panels.len();
        // y labels only left of the first column, which is widened for them
        // so every panel's cells have the same size.
        let tick = text(if single { 14.0 } else { 12.0 });
        let mut lw = 0;
        for l in &self.fy.1 {
            lw = lw.max(plots.estimate_text_size(l, &tick)?.0);
        }
        let lw = lw + 44;
        let (w, h) = plots.dim_in_pixel();
        let pw = (w.saturating_sub(lw)) / cols as u32;
        let rows = n.div_ceil(cols) as u32;
        let xs: Vec<i32> = (1..cols as u32).map(|c| (lw + pw * c) as i32).collect();
        let ys: Vec<i32> = (1..rows).map(|r| (h / rows * r) as i32).collect();
        let cells = plots.split_by_breakpoints(xs, ys);
        for (i, (p, cell)) in self.panels.iter().zip(cells).enumerate() {
            let (first_col, last_in_col) = (i % cols == 0, i + cols >= n);
            let mut b = ChartBuilder::on(&cell);
            b.margin(if single { 14 } else { 6 })
                .x_label_area_size(if single { 60 } else { 44 })
                .y_label_area_size(if first_col { lw - 6 } else { 0 });
            if !single {
                b.caption(&p.label, bold(14.0));
            }
            let mut chart = b.build_cartesian_2d(
                Ticked::new(-0.5, nx as f64 - 0.5, (0..nx).map(|i| i as f64).collect()),
                Ticked::new(-0.5, ny as f64 - 0.5, (0..ny).map(|i| i as f64).collect()),
            )?;
            let lab = |names: &[String], v: f64| {
                names.get(v.round() as usize).cloned().unwrap_or_default()
            };
            let every = label_step(&self.fx.1, cell.dim_in_pixel().0.saturating_sub(lw));
            let xfmt = |v: &f64| {
                if (v.round() as usize).is_multiple_of(every) {
                    lab(&self.fx.1, *v)
                } else {
                    String::new()
                }
            };
            let yfmt = |v: &f64| lab(&self.fy.1, *v);
            let mut mesh = chart.configure_mesh();
            mesh.disable_mesh()
                .x_label_formatter(&xfmt)
                .y_label_formatter(&yfmt)
                .label_style(tick.clone())
                .axis_desc_style(text(if single { 15.0 } else { 13.0 }));
            if single || last_in_col {
                mesh.x_desc(self.fx.0.as_str());
            }
            if first_col {
                mesh.y_desc(self.fy.0.as_str());
            }
            mesh.draw()?;
            let (pw, ph) = chart.plotting_area().dim_in_pixel();
            let show_text = pw as usize / nx.max(1) >= 52 && ph as usize / ny.max(1) >= 22;
            for (x, col) in p.cells.iter().enumerate() {
                for (y, &v) in col.iter().enumerate() {
                    let (xf, yf) = (x as f64, y as f64);
                    let c = if v.is_finite() {
                        viridis(t(v))
                    } else {
                        RGBColor(235, 235, 235)
                    };
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(xf - 0.5, yf - 0.5), (xf + 0.5, yf + 0.5)],
                        c.filled(),
                    )))?;
                    if show_text && v.is_finite() {
                        let size = if single { 16.0 } else { 13.0 };
                        let st = if t(v) > 0.55 {
                            text(size)
                        } else {
                            text(size).color(&WHITE)
                        };
                        chart.draw_series(std::iter::once(Text::new(
                            fmt_num(v, dec),
                            (xf, yf),
                            anchored(st, HPos::Center, VPos::Center),
                        )))?;
                    }
                }
            }
        }
        // Colour bar, its unit above it.
        bar.draw_text(
            &self.unit,
            &anchored(text(13.0), HPos::Left, VPos::Bottom),
            (10, 30),
        )?;
        let mut cb = ChartBuilder::on(&bar)
            .margin_top(40)
            .margin_bottom(74)
            .margin_left(10)
            .right_y_label_area_size(90)
            .build_cartesian_2d(0.0..1.0, vmin..vmax)?;
        let yfmt = |v: &f64| fmt_num(*v, dec);
        cb.configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(6)
            .y_label_formatter(&yfmt)
            .label_style(text(12.0))
            .draw()?;
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
    let lv: Vec<Levels> = (0..s.factors.len()).map(|f| levels(s, f)).collect();
    let varied: Vec<usize> = (0..s.factors.len())
        .filter(|&f| lv[f].pos.len() >= 2)
        .collect();
    if varied.is_empty() {
        return Ok(out);
    }
    let metas: Vec<LineMeta> = s.variants.iter().map(|v| meta(v)).collect();
    let (looks, order) = looks(&metas);
    let many = s.variants.len() > 1;
    let vendor = if s.vendor.is_empty() {
        String::new()
    } else {
        format!("; vendor {}", s.vendor)
    };
    let legend: Vec<LegendEntry> = if many {
        order
            .iter()
            .map(|&v| LegendEntry {
                label: s.variants[v].clone(),
                key: Key::Line(looks[v]),
            })
            .collect()
    } else {
        vec![]
    };
    for (k, metric) in s.metrics.iter().enumerate() {
        let vals = || {
            s.runs
                .iter()
                .map(|r| r.metrics[k])
                .filter(|v| v.is_finite())
        };
        if vals().next().is_none() {
            continue;
        }
        let max_abs = vals().fold(0.0, |a: f64, v| a.max(v.abs()));
        let (title, unit) = metric_info(metric);
        let (div, unit) = scale(unit, max_abs);
        let at = |f: usize, l: usize, v: usize| {
            s.runs
                .iter()
                .zip(&lv[f].of_run)
                .filter(move |(r, li)| **li == l && r.variant == v)
                .map(move |(r, _)| r.metrics[k] / div)
        };
        let panels: Vec<LinePanel> = varied
            .iter()
            .map(|&f| LinePanel {
                factor: axis_name(&s.factors[f], &lv[f]),
                ticks: lv[f].pos.clone(),
                labels: lv[f].labels.clone(),
                lines: order
                    .iter()
                    .map(|&v| SLine {
                        look: if many {
                            looks[v]
                        } else {
                            Look {
                                color: hue(5),
                                dashed: false,
                                marker: 0,
                            }
                        },
                        pts: (0..lv[f].pos.len())
                            .filter_map(|l| band(at(f, l, v)).map(|b| (lv[f].pos[l], b)))
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        let n_per = panels
            .iter()
            .flat_map(|p| &p.lines)
            .flat_map(|l| l.pts.iter().map(|(_, b)| b.n))
            .min()
            .unwrap_or(0);
        let mut sub = vec![if many {
            format!("Line: mean of the runs at each value (at least {n_per}){vendor}")
        } else {
            format!("{}{vendor}", band_rule(n_per).replace("replicates", "runs"))
        }];
        if varied.len() > 1 {
            sub.push(
                "Each panel pools the runs over the other factors' values (main effect).".into(),
            );
        }
        out.push(save(
            &LineFig {
                name: format!("sweep_line_{}", metric_slug(metric)),
                title: format!("{title} at the horizon, by factor"),
                subtitle: sub,
                y_label: with_unit(&title, &unit),
                panels,
                bands: !many,
                legend: legend.clone(),
            },
            dir,
        )?);
        if varied.len() < 2 {
            continue;
        }
        let (fx, fy) = (varied[0], varied[1]);
        let panels = order
            .iter()
            .map(|&v| HeatPanel {
                label: s.variants[v].clone(),
                cells: (0..lv[fx].pos.len())
                    .map(|x| {
                        (0..lv[fy].pos.len())
                            .map(|y| {
                                let c: Vec<f64> = s
                                    .runs
                                    .iter()
                                    .enumerate()
                                    .filter(|(i, r)| {
                                        r.variant == v
                                            && lv[fx].of_run[*i] == x
                                            && lv[fy].of_run[*i] == y
                                    })
                                    .map(|(_, r)| r.metrics[k] / div)
                                    .filter(|v| v.is_finite())
                                    .collect();
                                if c.is_empty() {
                                    f64::NAN
                                } else {
                                    c.iter().sum::<f64>() / c.len() as f64
                                }
                            })
                            .collect()
                    })
                    .collect(),
            })
            .collect();
        let mut sub = vec![
            format!("Across: {}; up: {}", s.factors[fx], s.factors[fy]),
            format!("Cell: mean over the runs at that pair of values{vendor}; grey: no runs"),
        ];
        if many {
            sub[1] += "; one colour scale for all panels";
        }
        out.push(save(
            &HeatFig {
                name: format!("sweep_heat_{}", metric_slug(metric)),
                title: format!("{title} at the horizon, by two factors"),
                subtitle: sub,
                fx: (axis_name(&s.factors[fx], &lv[fx]), lv[fx].labels.clone()),
                fy: (axis_name(&s.factors[fy], &lv[fy]), lv[fy].labels.clone()),
                panels,
                unit: if unit.is_empty() {
                    title.clone()
                } else {
                    unit.clone()
                },
            },
            dir,
        )?);
    }
    Ok(out)
}

/// Label every k-th tick so that the labels (about 8 px a character at the
/// tick font, 14 px apart) fit in `width` pixels: sweep factors with many
/// levels or long values otherwise overlap.
fn label_step(labels: &[String], width: u32) -> usize {
    let need: usize = labels.iter().map(|l| l.chars().count() * 8 + 14).sum();
    need.div_ceil(width.max(1) as usize).max(1)
}

#[cfg(test)]
mod label_tests {
    use super::label_step;

    #[test]
    fn issue12_sweep_tick_labels_are_thinned_to_fit() {
        let few: Vec<String> = ["0.1", "0.2", "0.3"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(label_step(&few, 600), 1);
        let many: Vec<String> = (0..40).map(|i| format!("{}", 0.125 * i as f64)).collect();
        let k = label_step(&many, 400);
        assert!(k >= 2);
        // The labels kept fit.
        let kept: usize = many
            .iter()
            .step_by(k)
            .map(|l| l.chars().count() * 8 + 14)
            .sum();
        assert!(kept <= 400, "{kept}");
    }
}
