//! Prices: what a contract is worth as the customer climbs the rings, and
//! what intra-brand rivalry takes off the price (MODEL.md section 7).

/// Ring factor (1 + g)^r of the contract value.
#[inline]
pub fn ring_factor(g: f64) -> [f32; 5] {
    std::array::from_fn(|r| (1.0 + g).powi(r as i32) as f32)
}

/// Intra-brand price cut of a unit with `n` rivals (itself included), as a
/// share of its vendor price `price` (relative to list): MODEL.md section 7
/// passes `per_rival` x (n - 1) of the list price to the customer, so the
/// share of the price is that over `price` (at most 1; the unit's share
/// caps it where it is used).
pub fn intra_cut(per_rival: f64, n: u32, price: f64) -> f64 {
    let cut = per_rival * n.saturating_sub(1) as f64;
    if cut > 0.0 {
        (cut / price).min(1.0)
    } else {
        0.0
    }
}

/// Share of the vendor price the customer is let off by intra-brand
/// rivalry: the unit's cut (`cut`, from [`intra_cut`]), never more than the
/// unit's share (first-year or renewal) of what the customer would pay.
#[inline]
pub fn discount_of(cut: f32, share_first: f32, share_renew: f32, unit_tenure: u16) -> f32 {
    let share = if unit_tenure < 12 {
        share_first
    } else {
        share_renew
    };
    cut.min(share)
}
