//! Phase 2, staffing and apps: units hire and fire by load, build scenario
//! apps where they are capable, and mature cells split in two.

use crate::ids::{N_IND, UnitId};
use crate::month::Scratch;
use crate::params::Scenario;
use crate::rng::{NO_CITY, Stream, beta_mean};
use crate::schedule::Phase;
use crate::units::spawn_unit;
use crate::views::load_of;
use crate::world::{App, World};

pub fn run(world: &mut World, sc: &Scenario, s: &mut Scratch) {
    let p = &sc.params;
    let mut rng = Stream::new(
        world.seed,
        world.replicate,
        world.month,
        NO_CITY,
        Phase::Staffing,
    );
    let n_units = world.units.len();
    for i in 0..n_units {
        if !world.units[i].alive {
            continue;
        }
        let support = {
            let u = &world.units[i];
            let kp = p.kinds.get(u.kind);
            if kp.mgmt_base + kp.mgmt_per_staff > 0.0 {
                world.vendors[u.vendor.idx()].support()
            } else {
                1.0
            }
        };
        let u = &mut world.units[i];
        u.load = load_of(&u.book, sc);
        let cap = u.staff as f64 * p.capacity_per_staff;
        let wages_3m = p.cash_for_hire_months * p.wage * u.staff as f64;
        let kp = p.kinds.get(u.kind);
        let solvent = kp.owned || u.cash >= wages_3m;
        if u.load > p.hire_above * cap && solvent {
            u.staff += 1;
        } else if u.load < p.fire_below * cap
            && u.staff > 1
            && (u.staff > u.start_staff || !solvent)
        {
            u.staff -= 1;
        }
        // Apps: a chance a month in each industry where the unit is capable.
        let platform = if kp.platform { 1.0 } else { 0.0 };
        let prob = p.app_rate * (1.0 + platform * support);
        for ind in 0..N_IND {
            let k_eff = u.capability[ind] as f64 * (0.5 + 0.5 * support);
            if k_eff > p.app_threshold && rng.chance(prob) {
                let quality = beta_mean(&mut rng, k_eff, p.app_concentration) as f32;
                u.apps_built += 1;
                world.apps.push(App {
                    vendor: u.vendor,
                    builder: u.id,
                    industry: ind as u8,
                    quality,
                    months_in_use: 0,
                    validated: false,
                });
            }
        }
        // Replication: a mature unit of a kind that splits (a cell) splits
        // in two.
        let u = &world.units[i];
        let kp = p.kinds.get(u.kind);
        if kp.splits && u.mean_capability() > kp.split_capability && u.staff >= kp.split_staff {
            split_cell(world, sc, UnitId(i as u32));
        }
    }
    s.grow_tallies(world);
}

/// The child takes half the staff and half the cash; it inherits the
/// parent's capability and trust, and builds its own book.
fn split_cell(world: &mut World, sc: &Scenario, id: UnitId) {
    let (v, city, kind, segs, staff) = {
        let u = &world.units[id.idx()];
        (u.vendor, u.city, u.kind, u.segments, u.staff)
    };
    let child_staff = staff / 2;
    let child = spawn_unit(world, sc, v, city, kind, segs, Some(child_staff));
    // The child's opening cash is the parent's, not new capital.
    let opening = world.units[child.idx()].cash;
    world.ledger.capital_in -= opening;
    let (parent_cash, cap, trust) = {
        let p = &mut world.units[id.idx()];
        p.staff -= child_staff;
        let half = p.cash / 2.0;
        p.cash -= half;
        (half, p.capability, p.trust)
    };
    let c = &mut world.units[child.idx()];
    c.cash = parent_cash;
    c.capability = cap;
    c.trust = trust;
    c.start_staff = sc.params.kinds.get(kind).start_staff.min(child_staff);
}

#[cfg(test)]
mod tests {
    use crate::ids::Strategy;
    use crate::testkit::{scenario, stepped};

    #[test]
    fn an_overloaded_solvent_unit_hires_and_an_insolvent_partner_does_not() {
        let sc = scenario(Strategy::CityExclusive, "long_term");
        let (mut w, mut st) = stepped(&sc, 2);
        w.units[0].book = [400, 0, 0, 0]; // 400 load units for 4 staff x 40
        let staff = w.units[0].staff;
        w.units[1].book = [400, 0, 0, 0];
        w.units[1].cash = -1.0;
        let staff1 = w.units[1].staff;
        st.step(&mut w, &sc);
        assert_eq!(w.units[0].staff, staff + 1);
        assert_eq!(w.units[1].staff, staff1);
    }
}
