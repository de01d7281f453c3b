//! A lock file on a folder a process writes into: two sweeps into one
//! folder (or one shard of it) would interleave their journals for good.
//!
//! The lock is a file created exclusively, holding the owner's process id
//! and host. A lock whose process is gone (same host, no `/proc/<pid>`) is
//! stale: it is taken over. A lock of another host cannot be checked and is
//! respected. The lock goes away when its [`Lock`] is dropped.

use crate::RunnerError;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Name of the lock file in a locked folder.
pub const LOCK_FILE: &str = ".channelsim.lock";

/// A held lock; dropping it removes the lock file.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    owner: String,
}

fn owner_line() -> String {
    format!("{} {}\n", std::process::id(), crate::job::host_name())
}

/// Whether `pid` on this host is certainly gone.
fn dead(pid: u32) -> bool {
    // Without procfs nothing can be said: keep the lock.
    Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()
}

impl Lock {
    /// Lock `dir` (which must exist), taking over a stale lock.
    pub fn acquire(dir: &Path) -> Result<Lock, RunnerError> {
        let path = dir.join(LOCK_FILE);
        let io = |e| RunnerError::Io {
            path: path.clone(),
            source: e,
        };
        let owner = owner_line();
        // Two rounds: the second after removing a stale lock.
        for _ in 0..2 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    f.write_all(owner.as_bytes()).map_err(io)?;
                    f.sync_all().map_err(io)?;
                    return Ok(Lock { path, owner });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let text = fs::read_to_string(&path).unwrap_or_default();
                    let mut words = text.split_whitespace();
                    let pid = words.next().and_then(|p| p.parse::<u32>().ok());
                    let host = words.next().unwrap_or("").to_string();
                    let here = crate::job::host_name();
                    let stale = match pid {
                        // A lock torn by a kill before its owner was written.
                        None => true,
                        Some(pid) => host == here && dead(pid),
                    };
                    if !stale {
                        return Err(RunnerError::Locked {
                            dir: dir.to_path_buf(),
                            pid: pid.unwrap_or(0),
                            host,
                        });
                    }
                    let _ = fs::remove_file(&path);
                }
                Err(e) => return Err(io(e)),
            }
        }
        Err(RunnerError::Locked {
            dir: dir.to_path_buf(),
            pid: 0,
            host: "unknown".into(),
        })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Only our own lock: a stale-lock takeover may have replaced it.
        if fs::read_to_string(&self.path).is_ok_and(|t| t == self.owner) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("channelsim-lock-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn issue14_a_held_lock_refuses_a_second_writer_and_goes_with_its_holder() {
        let d = scratch("held");
        let l = Lock::acquire(&d).unwrap();
        let e = Lock::acquire(&d).unwrap_err();
        assert!(matches!(e, RunnerError::Locked { pid, .. } if pid == std::process::id()));
        assert!(e.to_string().contains(LOCK_FILE), "{e}");
        drop(l);
        assert!(!d.join(LOCK_FILE).exists());
        let _l = Lock::acquire(&d).unwrap();
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn issue14_a_dead_process_s_lock_is_taken_over_another_host_s_is_not() {
        let d = scratch("stale");
        // A process id above the kernel's maximum is never alive.
        fs::write(
            d.join(LOCK_FILE),
            format!("4194999 {}\n", crate::job::host_name()),
        )
        .unwrap();
        let l = Lock::acquire(&d).expect("a dead process's lock is stale");
        drop(l);
        fs::write(d.join(LOCK_FILE), "4194999 some-other-host\n").unwrap();
        assert!(matches!(Lock::acquire(&d), Err(RunnerError::Locked { .. })));
        // A torn lock (killed before its owner was written) is stale too.
        fs::write(d.join(LOCK_FILE), "").unwrap();
        assert!(Lock::acquire(&d).is_ok());
        let _ = fs::remove_dir_all(&d);
    }
}
