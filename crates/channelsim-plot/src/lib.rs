//! Charts and a self-contained HTML report for channelsim result folders.
//!
//! Everything is drawn from the files described in `docs/results.md`
//! (`series.csv`, `summary.csv`, `compare.json`, `manifest.json`, `design.csv`,
//! `results.csv`, `sensitivity.json`); files that are absent are skipped.
//!
//! - [`render_charts`]`(dir)` writes `dir/charts/*.png` and `*.svg`.
//! - [`write_report`]`(dir)` renders the charts and writes `dir/report.html`.
//!
//! Time-series bands: the 5th–95th percentile across replicates when there are
//! at least [`PERCENTILE_MIN_REPLICATES`] replicates, else mean ± 1.645 sd
//! (the normal 90% range); each chart's subtitle says which.
//!
//! Text is drawn with DejaVu Sans compiled into the binary, so no system font
//! library is needed. The library never prints and never exits.

mod charts;
mod error;
mod figure;
mod raster;
mod read;
mod report;
mod stats;
mod style;

use std::path::{Path, PathBuf};

pub use error::PlotError;
pub use stats::PERCENTILE_MIN_REPLICATES;

/// Reads the result files present in `dir` and writes every chart they allow
/// to `dir/charts/` as PNG and SVG. Returns the paths written.
pub fn render_charts(dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    Ok(charts::render_all(dir)?
        .into_iter()
        .flat_map(|c| [c.png, c.svg])
        .collect())
}

/// Renders the charts and writes `dir/report.html` (one self-contained file,
/// charts inline as SVG), atomically. Returns its path.
pub fn write_report(dir: &Path) -> Result<PathBuf, PlotError> {
    let charts = charts::render_all(dir)?;
    report::write(dir, &charts)
}
