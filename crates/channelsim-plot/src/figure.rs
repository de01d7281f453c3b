//! Drawing one figure to both PNG and SVG, written atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::PlotError;
use crate::style::{anchored, bold, text_grey};

/// A drawing failure, as text (backends have different error types).
#[derive(Debug)]
pub struct DrawError(pub String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for DrawError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        DrawError(e.to_string())
    }
}

pub type DResult<T = ()> = Result<T, DrawError>;

/// Where a chart goes in the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    TimeSeries,
    Policy,
    Horizon,
    Sweep,
    Sensitivity,
}

/// A chart that can draw itself on any backend.
pub trait Figure {
    /// File stem under `charts/`.
    fn name(&self) -> String;
    fn title(&self) -> String;
    fn section(&self) -> Section;
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DResult;
}

/// A chart written to disk.
#[derive(Clone, Debug)]
pub struct ChartFile {
    pub name: String,
    pub title: String,
    pub section: Section,
    pub png: PathBuf,
    pub svg: PathBuf,
}

/// Fills the background, draws the title and subtitle lines, and returns the
/// area below them.
pub fn header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &[String],
) -> DResult<DrawingArea<DB, Shift>> {
    root.fill(&WHITE)?;
    // Long texts shrink to fit the width rather than run off the edge.
    let fit = |t: &str, size: f64| -> DResult<f64> {
        let room = root.dim_in_pixel().0.saturating_sub(32) as f64;
        let w = root.estimate_text_size(t, &bold(size))?.0 as f64;
        Ok(if w > room {
            (size * room / w).max(9.0)
        } else {
            size
        })
    };
    root.draw_text(
        title,
        &anchored(bold(fit(title, 22.0)?), HPos::Left, VPos::Top),
        (16, 12),
    )?;
    for (i, s) in subtitle.iter().enumerate() {
        root.draw_text(
            s,
            &anchored(text_grey(fit(s, 14.0)?), HPos::Left, VPos::Top),
            (16, 42 + 19 * i as i32),
        )?;
    }
    let h = 50 + 19 * subtitle.len() as u32;
    Ok(root.split_vertically(h).1)
}

/// Writes `bytes` to `path` through a temporary file in the same folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PlotError> {
    let tmp = tmp_name(path);
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(PlotError::io(&tmp, e));
    }
    std::fs::rename(&tmp, path).map_err(|e| PlotError::io(path, e))
}

/// Remove the temporary files (`.name.tmp<pid>.ext`) that a report killed
/// while it wrote left in `dir` and `dir/charts`: only those of processes
/// that are gone (where `/proc` can tell).
pub fn remove_stale_temps(dir: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    for d in [dir.to_path_buf(), dir.join("charts")] {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let pid = name
                .strip_prefix('.')
                .and_then(|n| n.rsplit_once(".tmp"))
                .and_then(|(_, rest)| rest.split('.').next())
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(pid) = pid
                && pid != std::process::id()
                && !Path::new(&format!("/proc/{pid}")).exists()
            {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// `dir/.name.tmp<pid>.ext`: keeps the extension (the PNG encoder needs it).
fn tmp_name(path: &Path) -> PathBuf {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("out");
    let ext = path.extension().and_then(|s| s.to_str()).unwrap_or("tmp");
    path.with_file_name(format!(".{stem}.tmp{}.{ext}", std::process::id()))
}

/// Draws `fig` as `charts/NAME.svg` and `charts/NAME.png`.
pub fn save<F: Figure>(fig: &F, dir: &Path) -> Result<ChartFile, PlotError> {
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts).map_err(|e| PlotError::io(&charts, e))?;
    let name = fig.name();
    let (svg, png) = (
        charts.join(format!("{name}.svg")),
        charts.join(format!("{name}.png")),
    );
    let draw_err = |path: &Path, e: DrawError| PlotError::Draw {
        path: path.into(),
        msg: e.0,
    };

    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, fig.size()).into_drawing_area();
        fig.draw(&root)
            .and_then(|_| root.present().map_err(DrawError::from))
            .map_err(|e| draw_err(&svg, e))?;
    }
    write_atomic(&svg, s.as_bytes())?;

    let tmp = tmp_name(&png);
    let res = {
        let root = crate::raster::Png(BitMapBackend::new(&tmp, fig.size())).into_drawing_area();
        fig.draw(&root)
            .and_then(|_| root.present().map_err(DrawError::from))
    };
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(draw_err(&png, e));
    }
    std::fs::rename(&tmp, &png).map_err(|e| PlotError::io(&png, e))?;

    Ok(ChartFile {
        name,
        title: fig.title(),
        section: fig.section(),
        png,
        svg,
    })
}

/// Splits `area` into `n` panels in `cols` columns (row-major).
pub fn grid<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    n: usize,
    cols: usize,
) -> Vec<DrawingArea<DB, Shift>> {
    let cols = cols.max(1);
    let rows = n.div_ceil(cols).max(1);
    area.split_evenly((rows, cols))
        .into_iter()
        .take(n)
        .collect()
}

#[cfg(test)]
mod issue14_tests {
    use super::*;

    #[test]
    fn issue14_a_killed_report_s_temporary_charts_are_removed_by_the_next() {
        let d = std::env::temp_dir().join(format!("channelsim-plot-tmp-{}", std::process::id()));
        let charts = d.join("charts");
        std::fs::create_dir_all(&charts).unwrap();
        // A process id above the kernel's maximum is never alive.
        let dead = charts.join(".npv.tmp4194999.png");
        let mine = charts.join(format!(".npv.tmp{}.svg", std::process::id()));
        let kept = charts.join("npv.svg");
        for f in [&dead, &mine, &kept] {
            std::fs::write(f, "x").unwrap();
        }
        remove_stale_temps(&d);
        assert!(!dead.exists() || !Path::new("/proc/self").exists());
        assert!(mine.exists() && kept.exists());
        let _ = std::fs::remove_dir_all(&d);
    }
}
