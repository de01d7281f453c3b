//! Who may take a customer: a unit takes new customers of a segment in a
//! city where its vendor's mix gives that (tier, segment) to its kind.

use crate::world::{Unit, Vendor};

/// Can this unit take new customers of `seg` in a tier-`tier` city for its
/// vendor (`vendors`: the world's)?
#[inline]
pub fn eligible(vendors: &[Vendor], u: &Unit, tier: u8, seg: usize) -> bool {
    u.alive && u.segments.has(seg) && vendors[u.vendor.idx()].kind_at(tier, seg) == Some(u.kind)
}
