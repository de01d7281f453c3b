//! channelsim-core: the model of MODEL.md v1 and its monthly step.
//!
//! The world is plain data ([`world::World`]); [`step::Stepper`] advances it
//! by one month through the phases in [`phases`], one file each, and hands
//! the month's observations ([`metrics::VendorMonth`]) to an observer. No
//! I/O, no printing: the runner crate does that.

pub mod ids;
pub mod init;
pub mod lanes;
pub mod metrics;
pub mod params;
pub mod phases;
pub mod rng;
pub mod sim;
pub mod step;
pub mod tally;
pub mod views;
pub mod world;

#[cfg(test)]
pub(crate) mod testkit;

pub use metrics::{METRICS, Observer, VendorMonth};
pub use params::{MODEL_VERSION, Policy, Scenario};
pub use sim::run_replicate;

/// Version of the engine (this crate).
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");
