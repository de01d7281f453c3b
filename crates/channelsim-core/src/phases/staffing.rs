//! Phase 2, staffing and apps: units hire and fire by load, partners hire
//! from their growth fund and shrink while they lose money (B1), units
//! build scenario apps where they are capable, and mature cells split in
//! two.

use crate::ids::{N_IND, UnitId};
use crate::month::Scratch;
use crate::params::Scenario;
use crate::rng::{NO_CITY, Stream, beta_mean};
use crate::schedule::Phase;
use crate::units::spawn_unit;
use crate::views::load_of;
use crate::world::{App, Unit, World};

pub fn run(world: &mut World, sc: &Scenario, s: &mut Scratch) {
    let p = &sc.params;
    let mut rng = Stream::new(
        world.seed,
        world.replicate,
        world.month,
        NO_CITY,
        Phase::Staffing,
    );
    // The units alive now, in id order (a cell that splits adds its child
    // at the end of the list: not visited this month).
    for k in 0..world.live.len() {
        let i = world.live[k].idx();
        let support = {
            let u = &world.units[i];
            let kp = p.kinds.get(u.kind);
            if kp.mgmt_base + kp.mgmt_per_staff > 0.0 {
                world.vendors[u.vendor.idx()].support()
            } else {
                1.0
            }
        };
        let online_level = world.vendors[world.units[i].vendor.idx()]
            .policy
            .online_level;
        let u = &mut world.units[i];
        u.load = load_of(&u.book, sc);
        if hire_or_fire(u, sc, online_level) {
            s.vendor_flows[u.vendor.idx()].growth_hires += 1;
        }
        build_apps(u, &mut world.apps, sc, support, &mut rng);
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

/// A unit's staff follows its load: it hires above `hire_above` of its
/// capacity while solvent, lets people go below `fire_below`; a partner
/// losing money without cash shrinks (B1), and one whose growth fund pays
/// for a seller hires ahead of its load. Returns whether it hired from its
/// growth fund (the vendor's `growth_hires`).
fn hire_or_fire(u: &mut Unit, sc: &Scenario, online_level: f64) -> bool {
    let p = &sc.params;
    let cap = p.capacity(u.staff, online_level);
    let wages_3m = p.cash_for_hire_months * p.wage * u.staff as f64;
    let kp = p.kinds.get(u.kind);
    let solvent = kp.owned || u.cash >= wages_3m;
    let partner = !kp.owned;
    let hire_cost = p.growth_hire_months * p.wage;
    if u.load > p.hire_above * cap && solvent {
        u.staff += 1;
    } else if partner && p.loss_fire > 0 && u.last_profit < 0.0 && !solvent && u.staff > 1 {
        // A squeezed partner shrinks before it exits: losing money with
        // cash below its hire buffer, it lets people go, and keeps the
        // smaller team as its size.
        u.staff -= p.loss_fire.min(u.staff - 1);
        u.start_staff = u.start_staff.min(u.staff);
    } else if u.load < p.fire_below * cap && u.staff > 1 && (u.staff > u.start_staff || !solvent) {
        u.staff -= 1;
    } else if partner
        && u.growth_fund >= hire_cost
        && hire_cost > 0.0
        && u.load >= p.fire_below * p.capacity(u.staff + 1, online_level)
    {
        // Margin funds growth: the fund commits the new seller's first
        // months of wages (paid from cash as wages). The unit hires
        // ahead of its load, but not a seller its own rule would let go
        // next month (the larger team stays above `fire_below`).
        u.staff += 1;
        u.growth_fund -= hire_cost;
        return true;
    }
    false
}

/// Apps: a chance `app_rate` a month (more on the vendor's platform, with
/// its support) in each industry where the unit's effective capability
/// passes `app_threshold`; the app's quality is drawn around it.
fn build_apps(u: &mut Unit, apps: &mut Vec<App>, sc: &Scenario, support: f64, rng: &mut Stream) {
    let p = &sc.params;
    let platform = if p.kinds.get(u.kind).platform {
        1.0
    } else {
        0.0
    };
    let prob = p.app_rate * (1.0 + platform * support);
    for ind in 0..N_IND {
        let k_eff = u.capability[ind] as f64 * (0.5 + 0.5 * support);
        if k_eff > p.app_threshold && rng.chance(prob) {
            let quality = beta_mean(rng, k_eff, p.app_concentration) as f32;
            u.apps_built += 1;
            apps.push(App {
                vendor: u.vendor,
                builder: u.id,
                industry: ind as u8,
                quality,
                months_in_use: 0,
                validated: false,
            });
        }
    }
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
    world.vendors[v.idx()].partner_capital -= opening;
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

    /// Issue 11 B1: a partner with a growth fund covering six months of a
    /// wage hires a seller its load keeps busy, drawing the fund down; a
    /// partner losing money with cash below its hire buffer lets one go.
    #[test]
    fn issue11_a_growth_fund_hires_and_a_losing_partner_shrinks() {
        let sc = scenario(Strategy::CityExclusive, "long_term");
        let (mut w, _) = stepped(&sc, 2);
        let p = &sc.params;
        let hire = p.growth_hire_months * p.wage;
        let cap1 = |s: u32| p.capacity(s, 0.8);
        // Unit 0: load between fire_below of a larger team and hire_above.
        let u = &mut w.units[0];
        let staff0 = u.staff;
        u.book = [(0.6 * cap1(staff0 + 1)) as u32, 0, 0, 0];
        u.growth_fund = hire + 1.0;
        u.cash = 1e6;
        // Unit 1: losing, cash below 3 months of wages, still busy.
        let u1 = &mut w.units[1];
        let staff1 = u1.staff;
        u1.book = [(0.8 * cap1(staff1)) as u32, 0, 0, 0];
        u1.last_profit = -10.0;
        u1.cash = 1.0;
        u1.growth_fund = 0.0;
        let mut s = crate::month::Scratch::default();
        s.reset(&w);
        super::run(&mut w, &sc, &mut s);
        assert_eq!(w.units[0].staff, staff0 + 1);
        assert!((w.units[0].growth_fund - 1.0).abs() < 1e-9);
        // The hire is reported (engine 0.6.0: the `growth_hires` column).
        assert_eq!(s.vendor_flows[w.units[0].vendor.idx()].growth_hires, 1);
        assert_eq!(w.units[1].staff, staff1 - 1);
        // Neutral (v1): neither.
        let mut v1 = sc.clone();
        v1.params.neutralise_v2_mechanisms();
        let (mut w, _) = stepped(&v1, 2);
        w.units[0].book = [(0.6 * cap1(staff0 + 1)) as u32, 0, 0, 0];
        w.units[0].cash = 1e6;
        w.units[1].book = [(0.8 * v1.params.capacity(staff1, 0.8)) as u32, 0, 0, 0];
        w.units[1].last_profit = -10.0;
        w.units[1].cash = 1.0;
        s.reset(&w);
        super::run(&mut w, &v1, &mut s);
        assert_eq!(w.units[0].staff, staff0);
        assert_eq!(w.units[1].staff, staff1);
    }
}
