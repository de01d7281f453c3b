//! channelsim-studio: the what-if studio (`channelsim studio`). A local web
//! server with one embedded page whose levers (policy fields, market, model
//! readings, discount rate, horizon, replicates) re-run the comparison in
//! the background and show the runner's answer, bands over time and the
//! driver decomposition; every setting is a scenario file `channelsim run`
//! reproduces. Never prints; returns typed errors. docs/studio.md.

pub mod engine;
pub mod levers;
pub mod server;

pub use engine::{Answer, Engine};
pub use levers::{Base, LeverError, Settings};
pub use server::{Config, Server, Stopper};

use channelsim_runner::RunnerError;

#[derive(Debug, thiserror::Error)]
pub enum StudioError {
    /// The scenario the studio was started with cannot be used.
    #[error("{0}")]
    Base(String),
    /// A non-loopback address without the flag that allows it.
    #[error(
        "--host {0} is not a loopback address: the studio serves this machine only unless --allow-remote is given (anyone who can reach it can use it)"
    )]
    Remote(String),
    #[error("cannot listen on {addr}: {message}")]
    Bind { addr: String, message: String },
    /// A newer request of the same client cancelled this one.
    #[error("cancelled by a newer request")]
    Cancelled,
    #[error(transparent)]
    Runner(#[from] RunnerError),
}

impl StudioError {
    /// 2 for what the user gave (a scenario, an address), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            StudioError::Base(_) | StudioError::Remote(_) => 2,
            StudioError::Runner(e) => e.exit_code(),
            _ => 1,
        }
    }
}
