//! Writing result files so that a crash never leaves one half-written: each
//! file is written to a temporary name in the same folder, flushed, and
//! renamed over its final name; and a one-shot run's whole folder is staged
//! beside its target and renamed into place ([`StagedDir`]), so that it is
//! never a mixture of an old run's files and a new one's.

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

/// A run's output folder, staged: the files are written into a fresh hidden
/// folder beside the target (`.NAME.partial-<pid>`, same parent, so same file
/// system), and [`StagedDir::commit`] puts it in place only once everything is
/// written. An existing target is renamed aside (`.NAME.old-<pid>`), the new
/// folder renamed into place, then the old one deleted: the target is always
/// either the complete old folder or the complete new one, never a mixture.
/// Dropped without a commit (an error part-way), the temporary folder is
/// removed and the target left untouched.
#[derive(Debug)]
pub struct StagedDir {
    target: PathBuf,
    tmp: PathBuf,
    force: bool,
    committed: bool,
}

impl StagedDir {
    /// Refuse an existing non-empty `target` without `force`, then create
    /// the fresh temporary folder beside it (and the target's parents).
    pub fn create(target: &Path, force: bool) -> Result<StagedDir, RunnerError> {
        let tmp = sibling(target, "partial")?;
        check_target(target, force)?;
        let parent = parent_of(target);
        fs::create_dir_all(parent).map_err(io_at(parent))?;
        remove_leftovers(target);
        if fs::symlink_metadata(&tmp).is_ok() {
            // Left by a crashed run that had the same process id.
            fs::remove_dir_all(&tmp).map_err(io_at(&tmp))?;
        }
        fs::create_dir(&tmp).map_err(io_at(&tmp))?;
        Ok(StagedDir {
            target: target.to_path_buf(),
            tmp,
            force,
            committed: false,
        })
    }

    /// The temporary folder the files go to.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The folder the files end up in.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Put the staged folder in place of the target (replacing all of an
    /// existing one). Without `force`, a target that has become non-empty
    /// meanwhile is refused, and the staged folder removed.
    pub fn commit(mut self) -> Result<PathBuf, RunnerError> {
        check_target(&self.target, self.force)?;
        sync_dir(&self.tmp);
        match fs::symlink_metadata(&self.target) {
            Ok(_) => {
                let old = sibling(&self.target, "old")?;
                if fs::symlink_metadata(&old).is_ok() {
                    fs::remove_dir_all(&old).map_err(io_at(&old))?;
                }
                fs::rename(&self.target, &old).map_err(io_at(&self.target))?;
                if let Err(e) = fs::rename(&self.tmp, &self.target) {
                    // Put the old folder back; the staged one goes on drop.
                    let _ = fs::rename(&old, &self.target);
                    return Err(io_at(&self.target)(e));
                }
                self.committed = true;
                sync_dir(parent_of(&self.target));
                // The new folder is in place; failing to delete the old one
                // leaves a hidden folder beside it, not a wrong result.
                let _ = fs::remove_dir_all(&old);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::rename(&self.tmp, &self.target).map_err(io_at(&self.target))?;
                self.committed = true;
                sync_dir(parent_of(&self.target));
            }
            Err(e) => return Err(io_at(&self.target)(e)),
        }
        Ok(self.target.clone())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

fn io_at(path: &Path) -> impl FnOnce(std::io::Error) -> RunnerError + '_ {
    move |e| RunnerError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// Refuse an existing non-empty folder without `force` (an empty one, or
/// none, is fine); with `force`, refuse one that a run did not write (no
/// `manifest.json`): replacing deletes the whole folder, and a mistyped
/// `--out` must not take a home or project folder with it.
fn check_target(dir: &Path, force: bool) -> Result<(), RunnerError> {
    if dir.exists() {
        let non_empty = fs::read_dir(dir).map_err(io_at(dir))?.next().is_some();
        if non_empty && !force {
            return Err(RunnerError::OutputExists(dir.to_path_buf()));
        }
        if non_empty && !dir.join("manifest.json").is_file() {
            return Err(RunnerError::NotResults(dir.to_path_buf()));
        }
    }
    Ok(())
}

/// The target's parent folder (`.` for a bare name).
fn parent_of(target: &Path) -> &Path {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `.NAME.KIND-<pid>` beside `target`.
fn sibling(target: &Path, kind: &str) -> Result<PathBuf, RunnerError> {
    let name = target.file_name().ok_or_else(|| RunnerError::BadArgument {
        arg: format!("--out {}", target.display()),
        message: "the output folder must have a name of its own (not `.`, `..` or `/`)".into(),
    })?;
    Ok(parent_of(target).join(format!(
        ".{}.{kind}-{}",
        name.to_string_lossy(),
        std::process::id()
    )))
}

/// Remove the staging folders (`.NAME.partial-<pid>`, `.NAME.old-<pid>`)
/// that runs into `target` left when they were killed: those whose process
/// is gone. Only where the system lists its processes in `/proc`: elsewhere
/// a live run's folder could not be told from a dead one's.
fn remove_leftovers(target: &Path) {
    let (Some(name), true) = (target.file_name(), Path::new("/proc/self").exists()) else {
        return;
    };
    let Ok(entries) = fs::read_dir(parent_of(target)) else {
        return;
    };
    let name = name.to_string_lossy();
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let pid = ["partial", "old"]
            .iter()
            .find_map(|kind| file.strip_prefix(&format!(".{name}.{kind}-")))
            .and_then(|pid| pid.parse::<u32>().ok());
        if let Some(pid) = pid
            && !Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

/// Flush a folder's entries to disk, where the system allows it.
fn sync_dir(dir: &Path) {
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("channelsim-atomic-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_commit_replaces_the_whole_folder() {
        let root = scratch("replace");
        let target = root.join("out");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("stale.json"), "old").unwrap();
        fs::write(target.join("kept.csv"), "old").unwrap();
        fs::write(target.join("manifest.json"), "{}").unwrap();
        let staged = StagedDir::create(&target, true).unwrap();
        write_string(&staged.path().join("kept.csv"), "new").unwrap();
        // Nothing has changed yet.
        assert_eq!(names(&target), ["kept.csv", "manifest.json", "stale.json"]);
        assert_eq!(fs::read_to_string(target.join("kept.csv")).unwrap(), "old");
        assert_eq!(staged.commit().unwrap(), target);
        assert_eq!(names(&target), ["kept.csv"]);
        assert_eq!(fs::read_to_string(target.join("kept.csv")).unwrap(), "new");
        assert_eq!(names(&root), ["out"], "no temporary or old folder left");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_new_folder_and_its_parents_are_created() {
        let root = scratch("new");
        let target = root.join("a/b/out");
        let staged = StagedDir::create(&target, false).unwrap();
        write_string(&staged.path().join("x"), "1").unwrap();
        staged.commit().unwrap();
        assert_eq!(names(&target), ["x"]);
        assert_eq!(names(&root.join("a/b")), ["out"]);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn without_a_commit_the_old_folder_is_untouched() {
        let root = scratch("drop");
        let target = root.join("out");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("a.csv"), "old").unwrap();
        fs::write(target.join("manifest.json"), "{}").unwrap();
        {
            let staged = StagedDir::create(&target, true).unwrap();
            write_string(&staged.path().join("a.csv"), "new").unwrap();
            assert!(staged.path().exists());
        }
        assert_eq!(names(&root), ["out"], "the temporary folder is removed");
        assert_eq!(fs::read_to_string(target.join("a.csv")).unwrap(), "old");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_non_empty_folder_is_refused_without_force_an_empty_one_is_not() {
        let root = scratch("refuse");
        let target = root.join("out");
        fs::create_dir(&target).unwrap();
        StagedDir::create(&target, false).unwrap().commit().unwrap();
        fs::write(target.join("a.csv"), "old").unwrap();
        let e = StagedDir::create(&target, false).unwrap_err();
        assert!(matches!(e, RunnerError::OutputExists(_)), "{e}");
        assert_eq!(names(&root), ["out"]);
        // Something written meanwhile is refused at the commit, too.
        fs::remove_file(target.join("a.csv")).unwrap();
        let staged = StagedDir::create(&target, false).unwrap();
        fs::write(target.join("b.csv"), "other").unwrap();
        assert!(matches!(
            staged.commit().unwrap_err(),
            RunnerError::OutputExists(_)
        ));
        assert_eq!(names(&root), ["out"]);
        assert_eq!(names(&target), ["b.csv"]);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn force_replaces_only_a_results_folder() {
        let root = scratch("not-results");
        let target = root.join("home");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("notes.txt"), "mine").unwrap();
        let e = StagedDir::create(&target, true).unwrap_err();
        assert!(matches!(e, RunnerError::NotResults(_)), "{e}");
        assert!(e.to_string().contains("no manifest.json"), "{e}");
        assert_eq!(names(&root), ["home"]);
        assert_eq!(names(&target), ["notes.txt"]);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_killed_run_s_staging_folders_are_removed_by_the_next_run() {
        if !Path::new("/proc/self").exists() {
            return; // Not told apart from live ones here (see remove_leftovers).
        }
        let root = scratch("leftovers");
        let target = root.join("out");
        // u32::MAX is no process id; the live one is this test's.
        let dead = root.join(format!(".out.partial-{}", u32::MAX));
        let dead_old = root.join(format!(".out.old-{}", u32::MAX));
        let live = root.join(".out.partial-1");
        let other = root.join(".other.partial-4294967295");
        for d in [&dead, &dead_old, &live, &other] {
            fs::create_dir(d).unwrap();
        }
        let staged = StagedDir::create(&target, false).unwrap();
        staged.commit().unwrap();
        assert!(!dead.exists() && !dead_old.exists());
        // Process 1 runs (init); another target's folder is not ours.
        assert!(live.exists() && other.exists());
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_folder_without_a_name_is_refused() {
        for p in [".", "..", "/"] {
            let e = StagedDir::create(Path::new(p), true).unwrap_err();
            assert!(matches!(e, RunnerError::BadArgument { .. }), "{p}: {e}");
        }
    }
}
