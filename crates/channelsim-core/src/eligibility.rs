//! Who may take a customer: a unit takes new customers of a segment in a
//! city where its vendor's mix gives that (tier, segment) to its kind.

use crate::ids::Strategy;
use crate::params::Scenario;
use crate::world::Unit;

/// Can this unit take new customers of `seg` in `city` for its vendor?
pub fn eligible(sc: &Scenario, u: &Unit, tier: u8, seg: usize) -> bool {
    u.alive
        && u.segments.has(seg)
        && sc.vendors[u.vendor.idx()]
            .mix
            .get(tier, seg)
            .map(Strategy::kind)
            == Some(u.kind)
}
