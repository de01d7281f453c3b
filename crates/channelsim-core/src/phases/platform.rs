//! Phase 10, platform: an app of a platform member in use for long enough
//! with high enough quality is validated; the vendor's platform then offers
//! it to every platform member, whose customers in that industry get its
//! fit (and its builder earns royalties, phase 7). Apps of units outside
//! the platform are never validated: they serve only their builder's own
//! customers (MODEL.md section 7).

use crate::ids::N_IND;
use crate::month::Scratch;
use crate::params::Scenario;
use crate::views::on_platform;
use crate::world::World;

/// Bit of [`Scratch::unit_uses`]: the unit is alive.
const ALIVE: u8 = 1 << 7;
/// Bit: the unit is a platform member.
const MEMBER: u8 = 1 << 6;
// Bits 0..N_IND: the industries in which the unit has customers.
const _: () = assert!(N_IND <= 6, "industries, member and alive fit a byte");

pub fn run(world: &mut World, sc: &Scenario, s: &mut Scratch) {
    let p = &sc.params;
    // What an app needs of its builder, a byte a unit (industries with
    // customers, alive, member): the apps then read a small column, not
    // a `Unit` each wherever its id puts it.
    s.unit_uses.clear();
    s.unit_uses.extend(world.units.iter().map(|u| {
        let uses = (0..N_IND).fold(0u8, |m, i| m | ((u.book_ind[i] > 0) as u8) << i);
        uses | if u.alive { ALIVE } else { 0 } | if on_platform(sc, u) { MEMBER } else { 0 }
    }));
    for app in world.apps.iter_mut() {
        let b = s.unit_uses[app.builder.idx()];
        if b & ALIVE != 0 && (b >> app.industry) & 1 != 0 {
            app.months_in_use += 1;
        }
        if !app.validated
            && b & MEMBER != 0
            && app.months_in_use >= p.validate_months
            && app.quality as f64 > p.validate_quality
        {
            app.validated = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ids::{Strategy, UnitId, VendorId};
    use crate::testkit::{scenario, stepped};
    use crate::world::App;

    #[test]
    fn an_app_in_use_six_months_above_threshold_is_validated_and_a_poor_one_is_not() {
        let sc = scenario(Strategy::CityExclusive, "long_term");
        let (mut w, mut st) = stepped(&sc, 24);
        let builder = w.units.iter().position(|u| u.book_ind[0] > 0).unwrap();
        w.apps.clear();
        for q in [0.9f32, 0.3] {
            w.apps.push(App {
                vendor: VendorId(0),
                builder: UnitId(builder as u32),
                industry: 0,
                quality: q,
                months_in_use: 0,
                validated: false,
            });
        }
        for m in 0..6 {
            assert!(!w.apps[0].validated, "validated after {m} months");
            st.step(&mut w, &sc);
        }
        assert!(w.apps[0].validated);
        assert!(!w.apps[1].validated);
    }

    /// MODEL.md section 7: apps of units outside the platform serve only
    /// their own customers, so the platform never validates them.
    #[test]
    fn section7_apps_of_units_outside_the_platform_are_not_validated() {
        let sc = scenario(Strategy::Traditional, "long_term");
        let (mut w, mut st) = stepped(&sc, 24);
        let builder = w
            .units
            .iter()
            .position(|u| u.alive && u.book_ind[0] > 0)
            .unwrap();
        w.apps = vec![App {
            vendor: VendorId(0),
            builder: UnitId(builder as u32),
            industry: 0,
            quality: 0.9,
            months_in_use: 0,
            validated: false,
        }];
        for _ in 0..8 {
            st.step(&mut w, &sc);
        }
        assert!(w.apps[0].months_in_use >= 6);
        assert!(!w.apps[0].validated);
    }
}
