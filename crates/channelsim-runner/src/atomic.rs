//! Writing result files so that a crash never leaves one half-written: each
//! file is written to a temporary name in the same folder, flushed, and
//! renamed over its final name.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::RunnerError;

/// Write `path` atomically with what `fill` writes.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), RunnerError> {
    let tmp = tmp_name(path);
    let io = |e: std::io::Error| RunnerError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let file = File::create(&tmp).map_err(io)?;
    let mut w = BufWriter::new(file);
    let res = fill(&mut w).and_then(|_| w.flush());
    if let Err(e) = res {
        let _ = fs::remove_file(&tmp);
        return Err(io(e));
    }
    let file = w.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    fs::rename(&tmp, path).map_err(io)
}

pub fn write_string(path: &Path, text: &str) -> Result<(), RunnerError> {
    write_atomic(path, |w| w.write_all(text.as_bytes()))
}

fn tmp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Prepare an output folder: refuse an existing non-empty one without `force`.
pub fn prepare_dir(dir: &Path, force: bool) -> Result<(), RunnerError> {
    if dir.exists() {
        let non_empty = fs::read_dir(dir)
            .map_err(|e| RunnerError::Io {
                path: dir.to_path_buf(),
                source: e,
            })?
            .next()
            .is_some();
        if non_empty && !force {
            return Err(RunnerError::OutputExists(dir.to_path_buf()));
        }
    }
    fs::create_dir_all(dir).map_err(|e| RunnerError::Io {
        path: dir.to_path_buf(),
        source: e,
    })
}
