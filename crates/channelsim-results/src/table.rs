//! Writing and reading the tables: CSV through the `csv` crate (one type per
//! column; floats always with a decimal point or exponent; missing numbers
//! empty) and JSON as an array of flat records.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A result file that could not be read, naming it.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
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
}

/// Write rows with a header (from the row type's field names).
pub fn write_csv<W: Write, T: Serialize>(w: W, rows: &[T]) -> io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    for r in rows {
        c.serialize(r).map_err(io::Error::other)?;
    }
    c.flush()
}

/// Write rows as a pretty JSON array of records, newline-terminated.
pub fn write_json<W: Write, T: Serialize>(mut w: W, rows: &[T]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut w, rows).map_err(io::Error::other)?;
    writeln!(w)
}

pub fn read_csv<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, ResultsError> {
    let err = |source| ResultsError::Csv {
        path: path.into(),
        source,
    };
    let mut r = csv::Reader::from_path(path).map_err(err)?;
    r.deserialize().collect::<Result<Vec<T>, _>>().map_err(err)
}

pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, ResultsError> {
    let text = std::fs::read_to_string(path).map_err(|source| ResultsError::Io {
        path: path.into(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| ResultsError::Json {
        path: path.into(),
        source,
    })
}

/// A float as a CSV field: shortest text that reads back to the same value,
/// always with a decimal point or an exponent (so `1.0`, never `1`, and a
/// reader never takes a float column for an integer one); empty when not
/// finite.
pub fn fmt_float(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    // `{:?}` keeps `.0` on whole numbers and uses an exponent for very
    // large or small ones; both parse as floats in every CSV reader.
    format!("{x:?}")
}

/// A count as a CSV field: a whole number; empty when not finite.
pub fn fmt_count(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    format!("{}", x.round() as i64)
}

/// A CSV writer for wide tables whose columns are known at run time
/// (`series.csv`, `runs.csv`, a sweep's `results.csv`).
pub struct Wide<W: Write>(csv::Writer<W>);

impl<W: Write> Wide<W> {
    pub fn new(w: W, header: &[&str]) -> io::Result<Self> {
        let mut c = csv::Writer::from_writer(w);
        c.write_record(header).map_err(io::Error::other)?;
        Ok(Wide(c))
    }
    pub fn row<I: AsRef<[u8]>>(&mut self, fields: impl IntoIterator<Item = I>) -> io::Result<()> {
        self.0.write_record(fields).map_err(io::Error::other)
    }
    pub fn finish(mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// A value of a metric as a CSV field, by the metric's unit.
pub fn fmt_metric(m: &crate::Metric, file_value: f64) -> String {
    match m.unit {
        crate::Unit::Count(_) => fmt_count(file_value),
        _ => fmt_float(file_value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SummaryRow;

    #[test]
    fn floats_keep_a_point_and_missing_is_empty() {
        assert_eq!(fmt_float(1.0), "1.0");
        assert_eq!(fmt_float(-0.25), "-0.25");
        assert_eq!(fmt_float(f64::NAN), "");
        assert!(fmt_float(1e-9).parse::<f64>().is_ok());
        assert!(fmt_float(1e-9).contains(['.', 'e']));
        assert_eq!(fmt_count(12.0), "12");
    }

    #[test]
    fn rows_round_trip_through_csv_with_empty_intervals() {
        let row = SummaryRow {
            variant: "a, b".into(),
            vendor: "focal".into(),
            strategy: "abu".into(),
            policy: "long_term".into(),
            metric: "support".into(),
            unit: "share".into(),
            n: 1,
            mean: Some(1.0),
            sd: None,
            ci_lo: None,
            ci_hi: None,
        };
        let mut buf = Vec::new();
        write_csv(&mut buf, std::slice::from_ref(&row)).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(
            text.contains("\"a, b\",focal,abu,long_term,support,share,1,1.0,,,\n"),
            "{text}"
        );
        let back: Vec<SummaryRow> = csv::Reader::from_reader(text.as_bytes())
            .deserialize()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(back, vec![row]);
    }
}
