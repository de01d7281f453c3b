use std::path::PathBuf;

/// What went wrong, naming the file involved.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
    #[error("{path}: {source}")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// The file parsed but its content does not fit the format.
    #[error("{path}: {msg}")]
    Format { path: PathBuf, msg: String },
    /// Drawing a chart failed.
    #[error("{path}: drawing failed: {msg}")]
    Draw { path: PathBuf, msg: String },
    #[error("the embedded font could not be registered")]
    Font,
    /// The folder holds none of the result files this crate reads.
    #[error(
        "{path}: no result files (series.csv, summary.csv, compare.json, results.csv, sensitivity.json, manifest.json)"
    )]
    NoResults { path: PathBuf },
}

impl PlotError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        PlotError::Io {
            path: path.into(),
            source,
        }
    }
    pub(crate) fn format(path: impl Into<PathBuf>, msg: impl Into<String>) -> Self {
        PlotError::Format {
            path: path.into(),
            msg: msg.into(),
        }
    }
}
