//! The phases of a month, in MODEL.md section 3's order; one file each.
pub mod acquisition;
pub mod expansion;
pub mod learning;
pub mod observe;
pub mod payments;
pub mod platform;
pub mod policy;
pub mod renewal;
pub mod service;
pub mod staffing;
pub mod vendor_economics;
