//! What the small month-axis panels of several charts share (time-series
//! panels, rings, policy differences): month ticks and the mesh.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::figure::DResult;
use crate::style::*;

/// Month ticks: every year, or every 6 months for short runs.
pub fn month_ticks(last: f64) -> Vec<f64> {
    let step = if last > 36.0 { 12.0 } else { 6.0 };
    (0..)
        .map(|k| k as f64 * step)
        .take_while(|m| *m <= last + 1e-9)
        .collect()
}

/// A chart on a month axis (0 to `x_max`, [`month_ticks`]).
pub type MonthChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Ticked, RangedCoordf64>>;

/// How a panel's axes are labelled.
pub struct PanelAxes<'a> {
    pub x_max: f64,
    pub y_labels: usize,
    /// Size of the tick labels; the axis descriptions are a point larger.
    pub text_size: f64,
    /// The y axis description (given for the panels of the first column).
    pub y_desc: Option<&'a str>,
    /// "Month" is written under the panels of the last row.
    pub last_row: bool,
}

/// Draw a panel's mesh: months labelled every other year only (a small
/// panel has no room for ten labels; every tick in runs of three years or
/// less), `yfmt` on the y axis, a light grid.
pub fn draw_panel_mesh<DB: DrawingBackend>(
    chart: &mut MonthChart<'_, DB>,
    axes: &PanelAxes,
    yfmt: &dyn Fn(&f64) -> String,
) -> DResult {
    let xfmt = |v: &f64| {
        let show = (*v as i64) % 24 == 0 || axes.x_max <= 36.0;
        if show { fmt_num(*v, 0) } else { String::new() }
    };
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&xfmt)
        .y_label_formatter(yfmt)
        .y_labels(axes.y_labels)
        .y_max_light_lines(1)
        .label_style(text(axes.text_size))
        .axis_desc_style(text(axes.text_size + 1.0))
        .bold_line_style(GRID_BOLD)
        .light_line_style(GRID);
    if let Some(d) = axes.y_desc {
        mesh.y_desc(d);
    }
    if axes.last_row {
        mesh.x_desc("Month");
    }
    mesh.draw()?;
    Ok(())
}
