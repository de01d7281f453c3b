//! channelsim-core: the model (v2: MODEL.md v1 with the changes docs/model.md
//! lists) and its monthly step.
//!
//! The world is plain data ([`world::World`]); [`step::Stepper`] advances it
//! by one month through the phases in [`phases`], one file each, and hands
//! the month's observations ([`metrics::VendorMonth`]) to an observer. No
//! I/O, no printing: the runner crate does that.

// In groups from the bottom up: a module imports modules of the groups
// above its own and of its own group, never a module that imports it back
// (`cargo test -p channelsim-core --test layers` checks).

// The model's vocabulary: ids, kinds of unit and strategies, lanes of four,
// the metric list, prices, the month's schedule of phases.
pub mod ids;
pub mod kinds;
pub mod lanes;
pub mod metrics;
pub mod pricing;
pub mod schedule;

// The resolved scenario, random streams, the world as plain data.
pub mod params;
pub mod rng;
pub mod world;

// The month below its phases: each unit's view, the tallies, the scratch.
pub mod month;
pub mod tally;
pub mod views;

// Rules several phases share.
pub mod eligibility;
pub mod rehome;
pub mod units;

// Month 0, the phases, the monthly step, a whole run.
pub mod init;
pub mod phases;
pub mod sim;
pub mod step;

#[cfg(test)]
pub(crate) mod testkit;

pub use init::{MarketDraw, MarketInputs};
pub use metrics::{METRICS, Observer, VendorMonth};
pub use params::{MODEL_VERSION, Policy, Scenario};
pub use sim::{RunTimings, run_on, run_replicate, run_replicate_timed};

/// Version of the engine (this crate).
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");
