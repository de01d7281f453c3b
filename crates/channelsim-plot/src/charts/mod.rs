//! One module per chart family; `render_all` draws what the files allow.

mod horizon;
mod panel;
mod policy;
mod sensitivity;
mod sweep;
mod timeseries;

use std::path::Path;

use crate::PlotError;
use crate::figure::ChartFile;
use crate::read;

pub use policy::crossover_text as policy_crossover_text;

/// Reads what is present in `dir` and writes every chart it allows.
pub fn render_all(dir: &Path) -> Result<Vec<ChartFile>, PlotError> {
    crate::style::register_fonts()?;
    let mut wanted: Vec<&str> = timeseries::metrics();
    wanted.extend(timeseries::rings());
    let series = read::series(dir, &wanted)?;
    let compare = read::compare(dir)?;
    let summary = read::summary(dir)?;
    let sweep = read::sweep(dir)?;
    let sens = read::sensitivity(dir)?;
    if series.is_none()
        && compare.is_none()
        && summary.is_none()
        && sweep.is_none()
        && sens.is_none()
        && !dir.join("manifest.json").is_file()
    {
        return Err(PlotError::NoResults { path: dir.into() });
    }
    let mut out = Vec::new();
    if let Some(s) = &series {
        out.extend(timeseries::render(s, dir)?);
    }
    if let Some(c) = &compare {
        out.extend(policy::render(c, dir)?);
    }
    out.extend(horizon::render(compare.as_ref(), summary.as_deref(), dir)?);
    if let Some(s) = &sweep {
        out.extend(sweep::render(s, dir)?);
    }
    if let Some(s) = &sens {
        out.extend(sensitivity::render(s, dir)?);
    }
    Ok(out)
}
