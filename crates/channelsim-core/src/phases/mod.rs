//! The phases of a month, one file each, in MODEL.md section 3's order (the
//! order of [`crate::schedule::Phase`], which the stepper follows). A phase
//! imports the month's shared state and rules below it, never another phase.

/// 1. Exits, the quarterly review and short-term reactions.
pub mod policy;

/// 2. Hiring and firing, apps, cell splits.
pub mod staffing;

/// 3. Prospects adopt and choose a vendor (city by city).
pub mod acquisition;

/// 4. Satisfaction follows service; reputation (city by city).
pub mod service;

/// 5. Customers climb the rings of collaboration (city by city).
pub mod expansion;

/// 6. Renewal, churn and moves between rival units (city by city).
pub mod renewal;

/// 7. Customers pay; units' and vendors' books (city by city, then reduced).
pub mod payments;

/// 8. Capability and trust.
pub mod learning;

/// 9. The vendor's revenue, costs, R&D and quality.
pub mod vendor_economics;

/// 10. Apps validated onto the platform.
pub mod platform;

/// 11. The month's figures per vendor.
pub mod observe;
