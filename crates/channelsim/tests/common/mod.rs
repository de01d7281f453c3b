//! Helpers shared by the command-line tests.
#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `channelsim` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_channelsim"))
}

/// A file in `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A file's bytes, naming it if it cannot be read.
pub fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A scratch folder `channelsim-<prefix>-<pid>-<name>` in the temporary
/// folder, absent (removed if a previous run left it).
pub fn scratch(prefix: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("channelsim-{prefix}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// [`scratch`], created empty.
pub fn scratch_dir(prefix: &str, name: &str) -> PathBuf {
    let d = scratch(prefix, name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The binary run with `args`, to its end.
pub fn run<S: AsRef<OsStr> + std::fmt::Debug>(args: &[S]) -> Output {
    bin().args(args).output().expect("binary runs")
}

/// What a finished command said: its exit code, stdout and stderr.
pub fn show(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// [`run`], which must succeed (else the test fails showing its output).
pub fn ok<S: AsRef<OsStr> + std::fmt::Debug>(args: &[S]) -> Output {
    let o = run(args);
    assert!(o.status.success(), "{args:?} failed: {}", show(&o));
    o
}

/// `COMMAND FILE --out OUT --quiet EXTRA...`: a job (run, sweep, ...) the
/// way most tests start one.
pub fn job_args(command: &str, file: &Path, out: &Path, extra: &[&str]) -> Vec<OsString> {
    let mut a: Vec<OsString> = vec![
        command.into(),
        file.into(),
        "--out".into(),
        out.into(),
        "--quiet".into(),
    ];
    a.extend(extra.iter().map(OsString::from));
    a
}
