//! The result files of channelsim (docs/results.md): their names, the types
//! of their rows, and the catalogue of metrics (name, title, unit, range,
//! headline or not; defined in `channelsim-metrics`, re-exported here as
//! [`catalogue`]). The runner writes with these types and the plot crate
//! reads with them, so a file's format is defined once. Knows neither the
//! model nor how results are computed.

pub mod answer;
pub mod files;
pub mod rows;
pub mod table;

/// The metric catalogue (its own crate, which the core reads too).
pub use channelsim_metrics as catalogue;

pub use answer::{AnswerRow, DriverRow};
pub use catalogue::{Metric, Unit};
pub use rows::*;
pub use table::{ResultsError, fmt_float, read_csv, read_json, write_csv, write_json};
