//! Progress: a bar on a terminal, a plain line every few seconds otherwise,
//! nothing with --quiet.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Progress {
    bar: Option<ProgressBar>,
    plain: Option<Mutex<(Instant, Instant)>>,
    what: &'static str,
}

impl Progress {
    pub fn new(quiet: bool, what: &'static str) -> Progress {
        if quiet {
            return Progress {
                bar: None,
                plain: None,
                what,
            };
        }
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} {per_sec} ETA {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_message(what);
            Progress {
                bar: Some(bar),
                plain: None,
                what,
            }
        } else {
            let now = Instant::now();
            Progress {
                bar: None,
                plain: Some(Mutex::new((now, now))),
                what,
            }
        }
    }

    pub fn update(&self, done: usize, total: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        } else if let Some(m) = &self.plain {
            let mut t = m.lock().unwrap_or_else(|e| e.into_inner());
            if t.1.elapsed() >= Duration::from_secs(5) || done == total {
                t.1 = Instant::now();
                let secs = t.0.elapsed().as_secs_f64().max(1e-9);
                let rate = done as f64 / secs;
                let eta = if rate > 0.0 {
                    (total - done) as f64 / rate
                } else {
                    0.0
                };
                eprintln!("{done}/{total} {} ({rate:.1}/s, ETA {eta:.0} s)", self.what);
            }
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
