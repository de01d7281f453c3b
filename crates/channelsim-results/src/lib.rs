//! The result files of channelsim (docs/results.md): their names, the types
//! of their rows, and the catalogue of metrics (name, title, unit, range,
//! headline or not). The runner writes with these types and the plot crate
//! reads with them, so a file's format is defined once. Knows neither the
//! model nor how results are computed.

pub mod answer;
pub mod catalogue;
pub mod files;
pub mod rows;
pub mod table;

pub use answer::{AnswerRow, DriverRow};
pub use catalogue::{Metric, Unit};
pub use rows::*;
pub use table::{ResultsError, fmt_float, read_csv, read_json, write_csv, write_json};
