//! channelsim-runner: scenario files, runs and result files around the core
//! model: replicates and variants in parallel, comparisons, sweeps,
//! sensitivity. Returns typed errors; never prints.

pub mod analysis;
pub mod answer;
pub mod atomic;
pub mod compare;
pub mod drivers;
pub mod error;
pub mod exec;
pub mod experiment;
pub mod guard;
pub mod job;
pub mod lock;
pub mod results;
pub mod robust;
pub mod scenario;
pub mod slurm;
pub mod sweep;

pub use error::RunnerError;
