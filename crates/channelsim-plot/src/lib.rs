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
//! Charts (each as `charts/NAME.png` and `charts/NAME.svg`):
//! - `ts_{active,arr,cum_profit,npv,satisfaction,units_alive,unit_capability,
//!   trust,apps_validated}`: one line per (variant, vendor) with its band;
//!   `rings`: customers by ring, stacked, one panel per line (series.csv).
//! - `policy_pairs[_METRIC]`: long minus short per strategy with the
//!   crossover month (compare.json `policy_pairs`, one chart per metric).
//! - `horizon`: mean and 95% interval per variant and headline metric, rows
//!   sorted by the first metric; `paired`: differences from the baseline
//!   (compare.json, else summary.csv).
//! - `sweep_line_METRIC`, `sweep_heat_METRIC`: over each factor, and over the
//!   first two factors, one line or panel per variant (design.csv + results.csv).
//! - `morris_METRIC[_VARIANT]`, `sobol_METRIC[_VARIANT]` (sensitivity.json).
//!
//! Colours: one Okabe–Ito hue per strategy (fixed order), short-term dashed
//! with hollow markers; marker shapes repeat the hue for grey-scale reading.
//!
//! Text is drawn with DejaVu Sans compiled into the binary, so no system font
//! library is needed. The library never prints and never exits.

mod answer;
mod charts;
mod decide;
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
    figure::remove_stale_temps(dir);
    let charts = charts::render_all(dir)?;
    report::write(dir, &charts)
}
