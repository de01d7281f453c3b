//! Sensitivity (sensitivity.json): Morris mu* against sigma with labels, and
//! Sobol S1/ST bars with their confidence intervals.

use std::path::Path;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::PlotError;
use crate::figure::{ChartFile, DResult, Figure, Section, header, save};
use crate::read::{SensKind, Sensitivity};
use crate::style::*;

fn metric_name(m: &str) -> String {
    if m.is_empty() {
        "the output".into()
    } else {
        mid_sentence(&metric_info(m).0)
    }
}

/// The chart's file stem: method, metric, and the variant when several.
fn stem(method: &str, s: &Sensitivity, i: usize, many_variants: bool) -> String {
    let mut n = method.to_string();
    if s.metric.is_empty() {
        n += &format!("_{i}");
    } else {
        n += &format!("_{}", metric_slug(&s.metric));
    }
    if many_variants && !s.variant.is_empty() {
        n += &format!("_{}", file_safe(&s.variant));
    }
    n
}

/// A subtitle line naming the variant, if any.
fn variant_line(v: &str) -> Vec<String> {
    if v.is_empty() {
        vec![]
    } else {
        vec![format!("Variant: {v}")]
    }
}

struct MorrisFig {
    name: String,
    metric: String,
    variant: String,
    unit: String,
    div: f64,
    factors: Vec<String>,
    mu_star: Vec<f64>,
    sigma: Vec<f64>,
    conf: Vec<f64>,
}

type Rect = (i32, i32, i32, i32);

fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

impl Figure for MorrisFig {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn title(&self) -> String {
        format!("Morris screening: what moves {}", metric_name(&self.metric))
    }
    fn section(&self) -> Section {
        Section::Sensitivity
    }
    fn size(&self) -> (u32, u32) {
        (1100, 760)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DResult {
        let mut sub = variant_line(&self.variant);
        sub.push("Right: larger overall effect (μ*, with its 95% bootstrap interval). Up: more non-linear or interacting (σ). Dashed line: σ = μ*.".into());
        let area = header(root, &self.title(), &sub)?;
        let mu: Vec<f64> = self.mu_star.iter().map(|v| v / self.div).collect();
        let sg: Vec<f64> = self.sigma.iter().map(|v| v / self.div).collect();
        let cf: Vec<f64> = self.conf.iter().map(|v| v / self.div).collect();
        let (_, x1) = padded(
            mu.iter()
                .zip(&cf)
                .map(|(m, c)| m + if c.is_finite() { *c } else { 0.0 }),
            true,
        );
        let (_, y1) = padded(sg.iter().copied(), true);
        let (x1, y1) = (x1 * 1.12, y1 * 1.08);
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .margin_right(40)
            .x_label_area_size(56)
            .y_label_area_size(96)
            .build_cartesian_2d(0.0..x1, 0.0..y1)?;
        let (xd, yd) = (decimals_for(x1), decimals_for(y1));
        let xfmt = |v: &f64| fmt_num(*v, xd);
        let yfmt = |v: &f64| fmt_num(*v, yd);
        chart
            .configure_mesh()
            .x_desc(format!(
                "μ*, mean absolute elementary effect ({})",
                self.unit
            ))
            .y_desc(format!("σ, sd of elementary effects ({})", self.unit))
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .max_light_lines(1)
            .label_style(text(13.0))
            .axis_desc_style(text(14.0))
            .bold_line_style(GRID_BOLD)
            .light_line_style(GRID)
            .draw()?;
        let m = x1.min(y1);
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(0.0, 0.0), (m, m)],
            6,
            5,
            GREY.stroke_width(1),
        )))?;
        let color = hue(5);
        for i in 0..mu.len() {
            if !(mu[i].is_finite() && sg[i].is_finite()) {
                continue;
            }
            if cf[i].is_finite() && cf[i] > 0.0 {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![((mu[i] - cf[i]).max(0.0), sg[i]), (mu[i] + cf[i], sg[i])],
                    color.mix(0.5).stroke_width(2),
                )))?;
            }
            chart.draw_series(std::iter::once(Circle::new(
                (mu[i], sg[i]),
                5,
                color.filled(),
            )))?;
        }
        // Labels: greedy placement around each point, avoiding placed labels
        // and points; a leader line when the label sits away from its point.
        let (px, py) = (
            chart.plotting_area().get_x_axis_pixel_range(),
            chart.plotting_area().get_y_axis_pixel_range(),
        );
        let pts: Vec<Option<(i32, i32)>> = (0..mu.len())
            .map(|i| {
                (mu[i].is_finite() && sg[i].is_finite())
                    .then(|| chart.backend_coord(&(mu[i], sg[i])))
            })
            .collect();
        let mut taken: Vec<Rect> = pts
            .iter()
            .flatten()
            .map(|p| (p.0 - 6, p.1 - 6, p.0 + 6, p.1 + 6))
            .collect();
        for i in 0..mu.len() {
            if pts[i].is_some() && cf[i].is_finite() && cf[i] > 0.0 {
                let a = chart.backend_coord(&((mu[i] - cf[i]).max(0.0), sg[i]));
                let b = chart.backend_coord(&(mu[i] + cf[i], sg[i]));
                taken.push((a.0, a.1 - 3, b.0, b.1 + 3));
            }
        }
        let style = text(13.0);
        // Place labels of the most important factors first.
        let mut order: Vec<usize> = (0..mu.len()).filter(|&i| pts[i].is_some()).collect();
        order.sort_by(|&a, &b| mu[b].total_cmp(&mu[a]));
        for i in order {
            let p = pts[i].unwrap_or((0, 0));
            let (w, h) = root.estimate_text_size(&self.factors[i], &style)?;
            let (w, h) = (w as i32, h as i32);
            let mut best = None;
            'search: for r in [9, 22, 40, 64, 96] {
                for (dx, dy) in [
                    (r, -h / 2),
                    (-r - w, -h / 2),
                    (-w / 2, -r - h),
                    (-w / 2, r),
                    (r, -r - h),
                    (r, r),
                    (-r - w, -r - h),
                    (-r - w, r),
                ] {
                    let b = (p.0 + dx, p.1 + dy, p.0 + dx + w, p.1 + dy + h);
                    let inside = b.0 >= px.start
                        && b.2 <= px.end + 30
                        && b.1 >= py.start.min(py.end)
                        && b.3 <= py.end.max(py.start);
                    if inside && !taken.iter().any(|t| overlaps(t, &b)) {
                        best = Some((b, r > 22));
                        break 'search;
                    }
                }
            }
            let (b, leader) =
                best.unwrap_or(((p.0 + 9, p.1 - h / 2, p.0 + 9 + w, p.1 + h / 2), false));
            if leader {
                let c = (
                    (b.0 + b.2) / 2,
                    if b.3 < p.1 {
                        b.3
                    } else if b.1 > p.1 {
                        b.1
                    } else {
                        (b.1 + b.3) / 2
                    },
                );
                let c = if b.2 < p.0 {
                    (b.2, c.1)
                } else if b.0 > p.0 {
                    (b.0, c.1)
                } else {
                    c
                };
                root.draw(&PathElement::new(vec![p, c], GREY.stroke_width(1)))?;
            }
            root.draw(&Rectangle::new(
                [(b.0 - 2, b.1 - 1), (b.2 + 2, b.3 + 1)],
                WHITE.mix(0.85).filled(),
            ))?;
            root.draw_text(
                &self.factors[i],
                &anchored(style.clone(), HPos::Left, VPos::Top),
                (b.0, b.1),
            )?;
            taken.push(b);
        }
        Ok(())
    }
}

struct SobolFig {
    name: String,
    metric: String,
    variant: String,
    factors: Vec<String>,
    s1: Vec<(f64, f64)>,
    st: Vec<(f64, f64)>,
}

const S1_COLOR: RGBColor = RGBColor(0, 114, 178);
const ST_COLOR: RGBColor = RGBColor(230, 159, 0);

impl Figure for SobolFig {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn title(&self) -> String {
        format!(
            "Sobol indices: what drives the variance of {}",
            metric_name(&self.metric)
        )
    }
    fn section(&self) -> Section {
        Section::Sensitivity
    }
    fn size(&self) -> (u32, u32) {
        (1100, (190 + 52 * self.factors.len() as u32).max(420))
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DResult {
        let mut sub = variant_line(&self.variant);
        sub.push("S1: share of variance from the factor alone; ST: including its interactions. Bars: 95% bootstrap intervals. Sorted by ST.".into());
        let area = header(root, &self.title(), &sub)?;
        let entries = vec![
            LegendEntry {
                label: "S1, first order".into(),
                key: Key::Patch(S1_COLOR.to_rgba()),
            },
            LegendEntry {
                label: "ST, total".into(),
                key: Key::Patch(ST_COLOR.to_rgba()),
            },
        ];
        let lw = legend_width(&area, "Index", &entries)?;
        let (plot, legend) = area.split_horizontally(area.dim_in_pixel().0 - lw);
        let n = self.factors.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| self.st[b].0.total_cmp(&self.st[a].0));
        let y_of = |rank: usize| (n - 1 - rank) as f64;
        let all = self.s1.iter().chain(&self.st).flat_map(|(v, c)| {
            let c = if c.is_finite() { *c } else { 0.0 };
            [v - c, v + c]
        });
        let (x0, x1) = padded(all, true);
        let mut lw_y = 0;
        for f in &self.factors {
            lw_y = lw_y.max(plot.estimate_text_size(f, &text(13.0))?.0);
        }
        let names: Vec<String> = order.iter().map(|&i| self.factors[i].clone()).collect();
        let mut chart = ChartBuilder::on(&plot)
            .margin(14)
            .x_label_area_size(52)
            .y_label_area_size(lw_y + 24)
            .build_cartesian_2d(
                x0..x1,
                Ticked::new(-0.5, n as f64 - 0.5, (0..n).map(|i| i as f64).collect()),
            )?;
        let yfmt = |v: &f64| {
            let r = n as i64 - 1 - v.round() as i64;
            names.get(r as usize).cloned().unwrap_or_default()
        };
        let xd = decimals_for(x1 - x0);
        let xfmt = |v: &f64| fmt_num(*v, xd);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_max_light_lines(1)
            .x_desc("Sobol index (share of output variance)")
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .max_light_lines(1)
            .label_style(text(13.0))
            .axis_desc_style(text(14.0))
            .bold_line_style(GRID_BOLD)
            .light_line_style(GRID)
            .draw()?;
        for (rank, &i) in order.iter().enumerate() {
            let y = y_of(rank);
            for (off, (v, c), col) in [(0.17, self.s1[i], S1_COLOR), (-0.17, self.st[i], ST_COLOR)]
            {
                if !v.is_finite() {
                    continue;
                }
                let yc = y + off;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, yc - 0.15), (v, yc + 0.15)],
                    col.filled(),
                )))?;
                if c.is_finite() && c > 0.0 {
                    let st = INK.stroke_width(1);
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(v - c, yc), (v + c, yc)],
                        st,
                    )))?;
                    for x in [v - c, v + c] {
                        chart.draw_series(std::iter::once(PathElement::new(
                            vec![(x, yc - 0.08), (x, yc + 0.08)],
                            st,
                        )))?;
                    }
                }
            }
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
            INK.stroke_width(1),
        )))?;
        draw_legend(&legend, "Index", &entries, 24)?;
        Ok(())
    }
}

pub fn render(items: &[Sensitivity], dir: &Path) -> Result<Vec<ChartFile>, PlotError> {
    let mut out = Vec::new();
    let many = items.iter().any(|s| s.variant != items[0].variant);
    for (i, s) in items.iter().enumerate() {
        if s.factors.is_empty() {
            continue;
        }
        match &s.kind {
            SensKind::Morris {
                mu_star,
                sigma,
                mu_star_conf,
            } => {
                let max_abs = mu_star
                    .iter()
                    .chain(sigma)
                    .filter(|v| v.is_finite())
                    .fold(0.0f64, |a, v| a.max(v.abs()));
                let (div, unit) = scale(metric_info(&s.metric).1, max_abs);
                let unit = if unit.is_empty() {
                    "output units".into()
                } else {
                    unit
                };
                out.push(save(
                    &MorrisFig {
                        name: stem("morris", s, i, many),
                        metric: s.metric.clone(),
                        variant: s.variant.clone(),
                        unit,
                        div,
                        factors: s.factors.clone(),
                        mu_star: mu_star.clone(),
                        sigma: sigma.clone(),
                        conf: mu_star_conf.clone(),
                    },
                    dir,
                )?);
            }
            SensKind::Sobol {
                s1,
                s1_conf,
                st,
                st_conf,
            } => {
                let zip = |a: &[f64], b: &[f64]| a.iter().copied().zip(b.iter().copied()).collect();
                out.push(save(
                    &SobolFig {
                        name: stem("sobol", s, i, many),
                        metric: s.metric.clone(),
                        variant: s.variant.clone(),
                        factors: s.factors.clone(),
                        s1: zip(s1, s1_conf),
                        st: zip(st, st_conf),
                    },
                    dir,
                )?);
            }
        }
    }
    Ok(out)
}
