//! What machine and build the figures come from, and the process's memory.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Machine {
    /// CPU model name (`/proc/cpuinfo`), or "unknown".
    pub cpu_model: String,
    /// Cores this process may use (`available_parallelism`).
    pub cores: usize,
    /// Total memory, bytes (`/proc/meminfo`), if known.
    pub memory_bytes: Option<u64>,
    pub os: String,
    pub arch: String,
    /// Host name (`/proc/sys/kernel/hostname`), to tell baselines apart.
    pub hostname: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Build {
    /// Version of the engine (channelsim-core).
    pub engine_version: String,
    /// Git commit the binary was built from (HEAD at build time), if known.
    pub git_commit: Option<String>,
    /// Whether the binary was built with optimisations.
    pub optimized: bool,
}

impl Machine {
    pub fn detect() -> Machine {
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|t| {
                t.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| "unknown".into());
        Machine {
            cpu_model,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_bytes: meminfo_kb("MemTotal:").map(|kb| kb * 1024),
            os: std::env::consts::OS.into(),
            arch: std::env::consts::ARCH.into(),
            hostname: std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
        }
    }
}

impl Build {
    pub fn current() -> Build {
        Build {
            engine_version: channelsim_core::ENGINE_VERSION.into(),
            git_commit: option_env!("CHANNELSIM_GIT_COMMIT").map(String::from),
            optimized: !cfg!(debug_assertions),
        }
    }
}

fn meminfo_kb(key: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// This process's peak resident set so far (`VmHWM`), bytes: a high-water
/// mark over the process's whole life, which cannot be reset; hence each
/// case runs in a process of its own. `None` where /proc is not there.
pub fn peak_rss_bytes() -> Option<u64> {
    status_kb("VmHWM:").map(|kb| kb * 1024)
}

fn status_kb(key: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_some_machine() {
        let m = Machine::detect();
        assert!(m.cores >= 1);
        if cfg!(target_os = "linux") {
            assert!(m.memory_bytes.unwrap() > 1 << 20);
            // The high-water mark grows with a large allocation touched.
            let before = peak_rss_bytes().unwrap();
            let v = vec![1u8; 64 << 20];
            std::hint::black_box(&v);
            assert!(peak_rss_bytes().unwrap() >= before.max(64 << 20));
        }
    }
}
