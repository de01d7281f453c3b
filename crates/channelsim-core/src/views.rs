//! What the customer loops need of each unit this month, derived once from
//! the units' and vendors' state (read-only during the city phases).

use crate::ids::{N_IND, N_SEG};
use crate::kinds::KindId;
use crate::params::Scenario;
use crate::pricing::{discount_of, intra_cut};
use crate::world::{Unit, World};

/// Derived, read-only figures of one unit for the month.
#[derive(Clone, Copy, Debug, Default)]
pub struct UnitView {
    pub alive: bool,
    pub vendor: u32,
    pub kind_owned: bool,
    /// 1 for a local unit, 0 for online.
    pub local: f32,
    /// The proximity a customer of the unit gets: 1 for a local unit; for
    /// an online unit `service_online_prox` x the vendor's online level
    /// (B6, service online).
    pub prox: f32,
    pub k_eff: [f32; N_IND],
    pub overload: f32,
    pub attention: f32,
    pub app_fit: [f32; N_IND],
    /// Unit whose app gives `app_fit` when it is another unit's (royalties).
    pub app_src: [u32; N_IND],
    /// Vendor price relative to the market list price (price factor, online discount).
    pub price: f32,
    /// Intra-brand price cut as a share of the vendor price: the cut is
    /// `intra_discount` x (n - 1) of the LIST price, so the share is that
    /// over `price`; where it is used it is capped at the unit's share of
    /// the subscription ([`UnitView::discount_at`]).
    pub discount: f32,
    pub share_first: f32,
    pub share_renew: f32,
    pub quality: f32,
    pub support: f32,
    pub security: f32,
    pub free_capacity: f32,
    /// Non-exclusive partner units of the vendor serving the same segments here.
    pub rivals: u32,
}

impl UnitView {
    /// Share of the price a customer of this tenure with the unit is let
    /// off ([`discount_of`]).
    #[inline]
    pub fn discount_at(&self, unit_tenure: u16) -> f32 {
        discount_of(
            self.discount,
            self.share_first,
            self.share_renew,
            unit_tenure,
        )
    }
}

pub const NO_SRC: u32 = u32::MAX;

/// Load of a book in load units.
pub fn load_of(book: &[u32; N_SEG], sc: &Scenario) -> f64 {
    book.iter()
        .zip(&sc.params.load_units)
        .map(|(&n, &w)| n as f64 * w)
        .sum()
}

/// Security of a unit's relationship with its vendor (MODEL.md section 7):
/// 0.5 x the kind's security (from its contract, exclusivity and equity,
/// [`crate::params::Params::kind_security`]) + 0.5 x min(1, patience / 18).
/// Owned units take the same formula with their kind's value (1 by
/// default): a vendor quick to cut losses makes even its own teams' future
/// less secure.
pub fn security(sc: &Scenario, kind: KindId, patience: u32) -> f64 {
    let p = &sc.params;
    0.5 * p.kind_security(kind) + 0.5 * (patience as f64 / p.patience_ref).min(1.0)
}

/// Management demand of a unit on its vendor's head office, FTE.
pub fn mgmt_demand(sc: &Scenario, kind: KindId, staff: u32) -> f64 {
    let kp = sc.params.kinds.get(kind);
    kp.mgmt_base + kp.mgmt_per_staff * staff as f64
}

/// Recompute every vendor's management demand from its live units.
pub fn update_mgmt_demand(world: &mut World, sc: &Scenario) {
    for v in world.vendors.iter_mut() {
        v.mgmt_demand = 0.0;
    }
    // (The units and the vendors borrowed apart: not `live_units`.)
    for u in world.live.iter().map(|id| &world.units[id.idx()]) {
        world.vendors[u.vendor.idx()].mgmt_demand += mgmt_demand(sc, u.kind, u.staff);
    }
}

/// Count, for each unit, the vendor's non-exclusive partner units alive in
/// its city that serve overlapping segments (itself included). Counted per
/// (vendor, segment set) first, so a city costs its slots, not their square.
pub fn rivals(world: &World, sc: &Scenario, out: &mut Vec<u32>) {
    out.clear();
    out.resize(world.units.len(), 0);
    let open = |u: &Unit| {
        u.alive && u.city.is_some() && !sc.params.kinds.get(u.kind).owned && !sc.exclusive(u.kind)
    };
    let mut by_mask = vec![[0u32; 16]; world.vendors.len()];
    for c in &world.cities {
        for m in by_mask.iter_mut() {
            *m = [0; 16];
        }
        for &b in &c.slots {
            let ub = &world.units[b.idx()];
            if open(ub) {
                by_mask[ub.vendor.idx()][ub.segments.0 as usize & 15] += 1;
            }
        }
        for &a in &c.slots {
            let ua = &world.units[a.idx()];
            if open(ua) {
                let counts = &by_mask[ua.vendor.idx()];
                out[a.idx()] = (0..16)
                    .filter(|&m| m & ua.segments.0 as usize != 0)
                    .map(|m| counts[m])
                    .sum();
            }
        }
    }
}

/// Whether a unit's kind is on its vendor's platform (publishes and
/// receives apps).
#[inline]
pub fn on_platform(sc: &Scenario, u: &Unit) -> bool {
    sc.params.kinds.get(u.kind).platform
}

/// Best app quality per (vendor, industry) among validated platform apps,
/// with its builder. Only apps built by platform members are on the
/// platform: apps of units outside it serve only their own customers
/// (MODEL.md section 7).
pub fn platform_best(world: &World, sc: &Scenario) -> Vec<[(f32, u32); N_IND]> {
    let mut best = vec![[(0.0f32, NO_SRC); N_IND]; world.vendors.len()];
    for a in world.apps.iter().filter(|a| a.validated) {
        let builder = &world.units[a.builder.idx()];
        let b = &mut best[a.vendor.idx()][a.industry as usize];
        if a.quality > b.0 && builder.alive && on_platform(sc, builder) {
            *b = (a.quality, a.builder.0);
        }
    }
    best
}

/// Build every unit's view for the month.
/// `rivals_buf` and `own` are the stepper's buffers, kept from month to
/// month (fresh zeroed pages each month cost as much as the loops).
pub fn build(
    world: &World,
    sc: &Scenario,
    rivals_buf: &mut Vec<u32>,
    own: &mut Vec<[f32; N_IND]>,
    out: &mut Vec<UnitView>,
) {
    rivals(world, sc, rivals_buf);
    let best = platform_best(world, sc);
    // Each unit's own best app per industry (validated or not).
    own.clear();
    own.resize(world.units.len(), [0.0f32; N_IND]);
    for a in &world.apps {
        let o = &mut own[a.builder.idx()][a.industry as usize];
        *o = o.max(a.quality);
    }
    views(world, sc, rivals_buf, &best, own, out)
}

/// Every unit's view, from the month's rivals, platform and own apps.
fn views(
    world: &World,
    sc: &Scenario,
    rivals_buf: &[u32],
    best: &[[(f32, u32); N_IND]],
    own: &[[f32; N_IND]],
    out: &mut Vec<UnitView>,
) {
    let p = &sc.params;
    out.clear();
    out.extend(world.units.iter().map(|u| {
        // A unit dead before this month is in no city's slots: nothing
        // reads its view (team replication's dead cells are about half
        // the units).
        if u.month_died.is_some_and(|m| m < world.month) {
            return UnitView {
                vendor: u.vendor.0,
                app_src: [NO_SRC; N_IND],
                ..UnitView::default()
            };
        }
        let v = &world.vendors[u.vendor.idx()];
        let kp = p.kinds.get(u.kind);
        let support = if kp.mgmt_base + kp.mgmt_per_staff > 0.0 {
            v.support()
        } else {
            1.0
        } as f32;
        let sec = security(sc, u.kind, v.policy.patience) as f32;
        let cap = p.capacity(u.staff, v.policy.online_level).max(1e-9);
        let ratio = (u.load / cap) as f32;
        let overload = if sc.switches.capacity_limits {
            (ratio - 1.0).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let terms = if kp.owned || u.share_first <= 0.0 {
            1.0
        } else {
            (u.share_renew / u.share_first).sqrt().min(1.0) as f32
        };
        // Incentivised people give more attention (B4), up to full.
        let attention = ((1.0 - 0.5 * ratio.min(1.0))
            * (0.6 + 0.4 * u.trust as f32 * sec)
            * (0.5 + 0.5 * support)
            * terms
            * p.effort(u.kind) as f32)
            .min(1.0);
        let mut k_eff = [0.0; N_IND];
        let mut app_fit = [0.0; N_IND];
        let mut app_src = [NO_SRC; N_IND];
        let member = kp.platform;
        for i in 0..N_IND {
            k_eff[i] = u.capability[i] * (0.5 + 0.5 * support);
            app_fit[i] = own[u.id.idx()][i];
            if member && best[u.vendor.idx()][i].0 > app_fit[i] {
                app_fit[i] = best[u.vendor.idx()][i].0;
                if best[u.vendor.idx()][i].1 != u.id.0 {
                    app_src[i] = best[u.vendor.idx()][i].1;
                }
            }
        }
        let n = rivals_buf[u.id.idx()];
        let price = v.policy.price_factor * if !kp.local { p.online_price } else { 1.0 };
        UnitView {
            alive: u.alive,
            vendor: u.vendor.0,
            kind_owned: kp.owned,
            local: if u.city.is_some() { 1.0 } else { 0.0 },
            prox: if u.city.is_some() {
                1.0
            } else {
                (p.service_online_prox * v.policy.online_level).min(1.0) as f32
            },
            k_eff,
            overload,
            attention,
            app_fit,
            app_src,
            price: price as f32,
            discount: intra_cut(p.intra_discount, n, price) as f32,
            share_first: u.share_first as f32,
            share_renew: u.share_renew as f32,
            quality: v.quality as f32,
            support,
            security: sec,
            free_capacity: (cap - u.load).max(0.0) as f32,
            rivals: n,
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{Strategy, UnitId, UnitKind, VendorId};
    use crate::init::build_world;
    use crate::testkit::{scenario, stepped};
    use crate::world::App;

    /// MODEL.md section 7: "owned units 1; security = 0.5 kind + 0.5
    /// min(1, patience / 18)": an owned unit of a short-term vendor
    /// (patience 4) is not fully secure; its trust stays 1 (a Decision).
    #[test]
    fn section7_owned_units_security_follows_the_vendors_patience() {
        let short = scenario(Strategy::Abu, "short_term");
        let want = 0.5 + 0.5 * 4.0 / 18.0;
        for kind in [UnitKind::AccountTeam, UnitKind::Branch, UnitKind::Online] {
            let s = security(&short, kind.into(), 4);
            assert!((s - want).abs() < 1e-12, "{kind:?}: {s}");
        }
        let long = scenario(Strategy::Abu, "long_term");
        assert_eq!(security(&long, UnitKind::AccountTeam.into(), 18), 1.0);
        let (w, st) = stepped(&short, 1);
        let u = w
            .units
            .iter()
            .find(|u| u.alive && u.kind == UnitKind::AccountTeam)
            .expect("an account team");
        let view = &st.scratch.views[u.id.idx()];
        assert!(
            (view.security as f64 - want).abs() < 1e-6,
            "{}",
            view.security
        );
        assert_eq!(u.trust, 1.0);
    }

    /// MODEL.md section 7: "Apps of units outside the platform serve only
    /// their own customers": a validated reseller app is not offered to the
    /// vendor's city partners (nor earns royalties from them); a city
    /// partner's is.
    #[test]
    fn section7_apps_of_units_outside_the_platform_serve_only_their_own_customers() {
        let mut sc = scenario(Strategy::CityExclusive, "long_term");
        for tier in sc.vendors[0].mix.0.iter_mut() {
            tier[0] = Some(Strategy::Traditional.name().into());
        }
        let mut w = build_world(&sc, 0);
        let of = |k: UnitKind| -> Vec<usize> {
            w.units
                .iter()
                .filter(|u| u.alive && u.kind == k)
                .map(|u| u.id.idx())
                .collect()
        };
        let (resellers, partners) = (of(UnitKind::Reseller), of(UnitKind::CityPartner));
        assert!(resellers.len() > 1 && partners.len() > 1);
        let app = |builder: usize, quality: f32| App {
            vendor: VendorId(0),
            builder: UnitId(builder as u32),
            industry: 0,
            quality,
            months_in_use: 12,
            validated: true,
        };
        w.apps = vec![app(resellers[0], 0.95)];
        let (mut rb, mut views) = (Vec::new(), Vec::new());
        build(&w, &sc, &mut rb, &mut Vec::new(), &mut views);
        assert_eq!(views[resellers[0]].app_fit[0], 0.95);
        for &u in partners.iter().chain(&resellers[1..]) {
            assert_eq!(views[u].app_fit[0], 0.0, "unit {u}");
            assert_eq!(views[u].app_src[0], NO_SRC, "unit {u}");
        }
        w.apps.push(app(partners[0], 0.8));
        build(&w, &sc, &mut rb, &mut Vec::new(), &mut views);
        assert_eq!(views[partners[1]].app_fit[0], 0.8);
        assert_eq!(views[partners[1]].app_src[0], partners[0] as u32);
        assert_eq!(views[resellers[1]].app_fit[0], 0.0);
    }

    /// MODEL.md section 7: rival units pass 0.05 x (n - 1) of LIST price to
    /// the customer out of their own share, never more than that share.
    #[test]
    fn section7_intra_brand_cut_is_a_share_of_list_price_capped_by_the_units_share() {
        // Short-term: price 1.1 x list; reseller shares 0.30 / 0.10.
        let sc = scenario(Strategy::Traditional, "short_term");
        let (w, st) = stepped(&sc, 1);
        let v = w
            .units
            .iter()
            .map(|u| &st.scratch.views[u.id.idx()])
            .find(|v| v.alive && v.rivals > 1)
            .expect("a unit with rivals");
        let cut = 0.05 * (v.rivals - 1) as f64;
        assert!(
            (v.discount as f64 - cut / 1.1).abs() < 1e-6,
            "{}",
            v.discount
        );
        // First year: the customer pays (1.1 - cut) x list; the unit gives up
        // cut x list of its share.
        let paid = v.price as f64 * (1.0 - v.discount_at(0) as f64);
        assert!((paid - (1.1 - cut)).abs() < 1e-6, "{paid}");
        // Renewals: the cut would exceed the unit's renewal share of what the
        // customer pays, so it is that share.
        assert!(cut / 1.1 > v.share_renew as f64);
        assert_eq!(v.discount_at(12), v.share_renew);
        // Long-term (price 0.9): the same cut of list is a larger share of price.
        assert!((intra_cut(0.05, 4, 0.9) - 0.15 / 0.9).abs() < 1e-12);
        assert_eq!(intra_cut(0.05, 1, 0.9), 0.0);
    }
}
