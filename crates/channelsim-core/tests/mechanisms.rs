//! Mechanism tests, ceteris paribus, on common random numbers: change one
//! lever, keep everything else, and check the direction of the effect.

use channelsim_core::ids::Strategy;
use channelsim_core::init::build_world;
use channelsim_core::metrics::Last;
use channelsim_core::step::Stepper;
use channelsim_core::{Scenario, VendorMonth, run_replicate};

fn small(s: Strategy, preset: &str) -> Scenario {
    let mut sc = Scenario::single(s, preset);
    sc.market.cities.truncate(12);
    sc.scale_head_office(|_| false);
    sc
}

fn finals(sc: &Scenario, reps: u32) -> Vec<VendorMonth> {
    (0..reps)
        .map(|r| {
            let mut l = Last::default();
            run_replicate(sc, r, &mut l);
            l.0[0].clone()
        })
        .collect()
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = xs.collect();
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn a_higher_share_keeps_more_units_alive() {
    let mut lo = small(Strategy::Traditional, "long_term");
    lo.policy_mut().share_shift = -0.10;
    let mut hi = lo.clone();
    hi.policy_mut().share_shift = 0.15;
    let survival = |rows: &[VendorMonth]| {
        mean(
            rows.iter()
                .map(|r| r.units_alive as f64 / (r.units_alive + r.units_exited) as f64),
        )
    };
    let (a, b) = (survival(&finals(&lo, 6)), survival(&finals(&hi, 6)));
    assert!(
        b > a,
        "unit survival with the higher share {b:.3} not above {a:.3}"
    );
}

#[test]
fn management_overload_weakens_joint_ventures() {
    let mut ample = small(Strategy::JointVenture, "long_term");
    // Ample: with growth hiring (model v2, B1) the ventures' staff, and so
    // their management demand, grow beyond the default head office.
    ample.policy_mut().managers *= 3.0;
    ample.policy_mut().managers_growth *= 3.0;
    let mut short = ample.clone();
    short.policy_mut().managers = 2.0;
    short.policy_mut().managers_growth = 0.0;
    let (a, b) = (finals(&ample, 6), finals(&short, 6));
    let sat = |r: &[VendorMonth]| mean(r.iter().map(|x| x.satisfaction));
    let cap = |r: &[VendorMonth]| mean(r.iter().map(|x| x.unit_capability));
    let sup = |r: &[VendorMonth]| mean(r.iter().map(|x| x.support));
    assert!(
        sup(&b) < 0.5 && sup(&a) > 0.99,
        "support {} vs {}",
        sup(&b),
        sup(&a)
    );
    assert!(
        cap(&b) < cap(&a),
        "capability {} not below {}",
        cap(&b),
        cap(&a)
    );
    assert!(
        sat(&b) < sat(&a),
        "satisfaction {} not below {}",
        sat(&b),
        sat(&a)
    );
}

#[test]
fn a_trust_shock_cuts_investment() {
    let sc = small(Strategy::CityExclusive, "long_term");
    let mut world = build_world(&sc, 0);
    let mut stepper = Stepper::new();
    for _ in 0..36 {
        stepper.step(&mut world, &sc);
    }
    let mut shocked = world.clone();
    for u in shocked.units.iter_mut() {
        u.trust *= 0.3;
    }
    let mut s2 = Stepper::new();
    stepper.step(&mut world, &sc);
    s2.step(&mut shocked, &sc);
    // The same units in both worlds (a shocked partner may also leave).
    let both: Vec<usize> = (0..world.units.len().min(shocked.units.len()))
        .filter(|&i| world.units[i].alive && shocked.units[i].alive)
        .collect();
    assert!(both.len() >= 6, "too few units to compare");
    let invest = |w: &channelsim_core::world::World| {
        both.iter().map(|&i| w.units[i].own_training).sum::<f64>()
    };
    let (a, b) = (invest(&world), invest(&shocked));
    assert!(a > 0.0, "no investment at all: the test would be empty");
    assert!(
        b < 0.6 * a,
        "investment after the trust shock {b:.1} not well below {a:.1}"
    );
}

#[test]
fn online_level_cuts_cost_to_serve() {
    let mut lo = small(Strategy::Amoeba, "long_term");
    lo.policy_mut().online_level = 0.1;
    lo.horizon_months = 48;
    let mut hi = lo.clone();
    hi.policy_mut().online_level = 0.9;
    let hosting_per_arr = |sc: &Scenario| {
        let mut world = build_world(sc, 0);
        let mut st = Stepper::new();
        let mut ratio = 0.0;
        for _ in 0..sc.horizon_months {
            let rows = st.step(&mut world, sc);
            ratio = st.scratch.vendor_flows[0].hosting * 12.0 / rows[0].arr;
        }
        ratio
    };
    let (a, b) = (hosting_per_arr(&lo), hosting_per_arr(&hi));
    assert!(
        b < a,
        "hosting per ARR {b:.4} with online 0.9 not below {a:.4}"
    );
    assert!(
        (a - 0.10 * 0.95).abs() < 1e-9 && (b - 0.10 * 0.55).abs() < 1e-9,
        "{a} {b}"
    );
}

// Model v2 mechanisms (issue 11 item 4). Each test compares the lever on
// common random numbers and fails when the mechanism is set to its
// neutral value (`Params::neutralise_v2_mechanisms` names them).

use channelsim_core::world::World;

/// Run `sc` replicate `r` to its horizon; the world at the end.
fn world_at_end(sc: &Scenario, r: u32) -> World {
    let mut w = build_world(sc, r);
    let mut st = Stepper::new();
    for _ in 0..sc.horizon_months {
        st.step(&mut w, sc);
    }
    w
}

/// Mean over `reps` replicates of (live partner staff, active customers)
/// at the horizon.
fn staff_and_customers(sc: &Scenario, reps: u32) -> (f64, f64) {
    let mut staff = 0.0;
    let mut customers = 0.0;
    for r in 0..reps {
        let w = world_at_end(sc, r);
        staff += w
            .units
            .iter()
            .filter(|u| u.alive && !sc.params.kinds.get(u.kind).owned)
            .map(|u| u.staff as f64)
            .sum::<f64>();
        customers += w.units.iter().map(|u| u.customers() as f64).sum::<f64>();
    }
    (staff / reps as f64, customers / reps as f64)
}

/// B1: a larger share funds partner growth: more partner staff and more
/// customers; without growth investment the share buys far fewer staff.
/// Resellers: partners whose margin binds their growth (city partners of
/// a long-term vendor have more in their growth fund than their load
/// lets them hire: there the share buys no staff, docs/model.md 7.12).
#[test]
fn issue11_b1_partner_margin_funds_staff_and_customers() {
    let mut base = small(Strategy::Traditional, "long_term");
    base.policy_mut().share_shift = 0.0;
    let mut more = base.clone();
    more.policy_mut().share_shift = 0.10;
    let (s0, c0) = staff_and_customers(&base, 4);
    let (s1, c1) = staff_and_customers(&more, 4);
    assert!(s1 > 1.05 * s0, "partner staff {s1:.1} not above {s0:.1}");
    assert!(c1 > c0, "customers {c1:.1} not above {c0:.1}");
    // The mechanism: without growth investment the same share buys much
    // less staff.
    let (mut b0, mut m0) = (base.clone(), more.clone());
    b0.params.growth_invest = 0.0;
    m0.params.growth_invest = 0.0;
    let gain_off = staff_and_customers(&m0, 4).0 - staff_and_customers(&b0, 4).0;
    assert!(
        s1 - s0 > 2.0 * gain_off.max(0.0),
        "staff gain {:.1} with growth investment, {gain_off:.1} without",
        s1 - s0
    );
}

/// B1: a squeezed partner shrinks before it exits. At month 36 every city
/// partner is squeezed: its share cut to zero and its wages tripled (a
/// cost shock), its reserves spent (cash and growth fund 0). It loses
/// money with cash below its hire buffer while its customers still keep
/// it busy (so v1's load rule lets no one go). Its staff in its last
/// month alive within the next 12, against its staff at the squeeze,
/// summed over partners: (after, before).
fn staff_after_squeeze(sc: &Scenario) -> (u32, u32) {
    let (mut after, mut before) = (0, 0);
    for r in 0..3 {
        let mut w = build_world(sc, r);
        let mut st = Stepper::new();
        for _ in 0..36 {
            st.step(&mut w, sc);
        }
        let mut watched = Vec::new();
        for u in w
            .units
            .iter_mut()
            .filter(|u| u.alive && !sc.params.kinds.get(u.kind).owned)
        {
            u.share_first = 0.0;
            u.share_renew = 0.0;
            u.cash = 0.0;
            u.growth_fund = 0.0;
            watched.push((u.id.idx(), u.staff));
        }
        let mut last: Vec<u32> = watched.iter().map(|w| w.1).collect();
        let mut squeezed = sc.clone();
        squeezed.params.wage *= 3.0;
        for _ in 0..12 {
            st.step(&mut w, &squeezed);
            for ((i, _), l) in watched.iter().zip(last.iter_mut()) {
                if w.units[*i].alive {
                    *l = w.units[*i].staff;
                }
            }
        }
        before += watched.iter().map(|w| w.1).sum::<u32>();
        after += last.iter().sum::<u32>();
    }
    (after, before)
}

#[test]
fn issue11_b1_a_squeezed_partner_shrinks_before_it_exits() {
    let sc = small(Strategy::CityExclusive, "long_term");
    let (after, before) = staff_after_squeeze(&sc);
    let mut off = sc.clone();
    off.params.loss_fire = 0;
    let (after_off, before_off) = staff_after_squeeze(&off);
    assert!(before >= 30, "too few partner staff to watch: {before}");
    assert!(
        (after as f64) < 0.8 * before as f64 && after < after_off,
        "squeezed partners' staff {before} -> {after} \
         ({before_off} -> {after_off} without loss firing)"
    );
}

/// B2: exclusivity protects investment: the same city partners without
/// exclusivity have lower security, invest less in their own training
/// and end less capable.
#[test]
fn issue11_b2_exclusivity_raises_security_investment_and_capability() {
    let excl = small(Strategy::CityExclusive, "long_term");
    let mut open = excl.clone();
    open.params
        .kinds
        .by_name_mut("city_partner")
        .unwrap()
        .exclusive = false;
    let measure = |sc: &Scenario| {
        let (mut sec, mut invest, mut cap) = (0.0, 0.0, 0.0);
        for r in 0..4 {
            let mut w = build_world(sc, r);
            let mut st = Stepper::new();
            for _ in 0..sc.horizon_months {
                st.step(&mut w, sc);
                for u in w
                    .units
                    .iter()
                    .filter(|u| u.alive && !sc.params.kinds.get(u.kind).owned)
                {
                    sec += st.scratch.views[u.id.idx()].security as f64;
                    invest += u.own_training;
                }
            }
            cap += w
                .units
                .iter()
                .filter(|u| u.alive && !sc.params.kinds.get(u.kind).owned)
                .map(|u| u.mean_capability())
                .sum::<f64>();
        }
        (sec, invest, cap)
    };
    let (s1, i1, k1) = measure(&excl);
    let (s0, i0, k0) = measure(&open);
    assert!(s0 < 0.95 * s1, "security {s0:.1} not below {s1:.1}");
    assert!(i0 < i1, "own investment {i0:.1} not below {i1:.1}");
    assert!(k0 < k1, "capability {k0:.3} not below {k1:.3}");
}

/// B3: equity binds: with partners' trust low, joint ventures (vendor
/// equity 0.51) leave less often than the same ventures without equity
/// binding or without equity.
#[test]
fn issue11_b3_equity_binds_partners_on_low_trust() {
    let sc = small(Strategy::JointVenture, "short_term");
    let exits = |sc: &Scenario| {
        let mut n = 0;
        for r in 0..10 {
            let mut w = build_world(sc, r);
            let mut st = Stepper::new();
            // Month 25: not a quarterly review (no terminations or
            // replacements), only low-trust exits.
            for _ in 0..25 {
                st.step(&mut w, sc);
            }
            for u in w
                .units
                .iter_mut()
                .filter(|u| !sc.params.kinds.get(u.kind).owned)
            {
                u.trust = 0.1;
            }
            let alive: Vec<usize> = (0..w.units.len()).filter(|&i| w.units[i].alive).collect();
            channelsim_core::phases::policy::run(&mut w, sc, &mut st.scratch);
            n += alive.iter().filter(|&&i| !w.units[i].alive).count();
        }
        n
    };
    let bound = exits(&sc);
    let mut unbound = sc.clone();
    unbound.params.equity_bind = 0.0;
    let mut no_equity = sc.clone();
    no_equity
        .params
        .kinds
        .by_name_mut("joint_venture")
        .unwrap()
        .equity = 0.0;
    let (a, b) = (exits(&unbound), exits(&no_equity));
    assert!(bound > 0, "no exits at all: the test would be empty");
    assert!(
        a > bound && b > bound,
        "low-trust exits: {bound} bound, {a} without binding, {b} without equity"
    );
}

/// B4: amoeba incentives change behaviour: without the incentive the
/// branches win fewer customers. Ceteris paribus on the branches' effort:
/// without the vendor's costs in proportion to revenue (customer support,
/// selling, general: v2.1-v2.2), whose thin margin lets the incentive's
/// cost push a long-term amoeba vendor into loss months where R&D is held
/// at last year's average, a second channel that offsets the effort gain
/// in the net effect (docs/model.md 7.12, B4).
#[test]
fn issue11_b4_amoeba_incentive_wins_branch_customers() {
    let mut with = small(Strategy::Amoeba, "long_term");
    with.params.support = 0.0;
    with.params.sales_marketing = 0.0;
    with.params.general_admin = 0.0;
    let mut without = with.clone();
    without
        .params
        .kinds
        .by_name_mut("branch")
        .unwrap()
        .incentive = 0.0;
    let active = |sc: &Scenario| mean(finals(sc, 6).iter().map(|r| r.active as f64));
    let (a, b) = (active(&with), active(&without));
    assert!(
        a > 1.02 * b,
        "branch customers {a:.0} with the incentive not above {b:.0}"
    );
}

/// B5: quality against a moving frontier: R&D above the minimum keeps
/// raising quality through year 10 (it does not saturate near the
/// ceiling), and an R&D floor in bad years (late, when v1's quality had
/// saturated) keeps quality higher than none.
#[test]
fn issue11_b5_quality_does_not_saturate_and_the_rd_floor_matters() {
    let sc = small(Strategy::JointVenture, "long_term");
    let quality = |sc: &Scenario, bad: std::ops::Range<u32>| {
        let mut w = build_world(sc, 0);
        let mut st = Stepper::new();
        let mut q = Vec::new();
        for m in 0..sc.horizon_months {
            let managers = w.vendors[0].managers;
            if bad.contains(&m) {
                // A bad year: head office costs far above revenue.
                w.vendors[0].managers = managers * 100.0;
            }
            st.step(&mut w, sc);
            if bad.contains(&m) {
                w.vendors[0].managers = managers;
            }
            q.push(w.vendors[0].quality);
        }
        q
    };
    let q = quality(&sc, 0..0);
    let top = sc.params.quality_floor + sc.params.quality_span;
    assert!(
        q[119] > q[95] + 0.02 && q[119] < top - 0.03,
        "quality {:.3} at month 96, {:.3} at 120 (ceiling {top})",
        q[95],
        q[119]
    );
    let floor = quality(&sc, 96..108);
    let mut none = sc.clone();
    none.policy_mut().rd_floor = 0.0;
    let cut = quality(&none, 96..108);
    assert!(
        floor[119] > cut[119] + 0.01,
        "quality at 120 after a bad year: {:.4} with the R&D floor, {:.4} without",
        floor[119],
        cut[119]
    );
}

/// B6: service online brings an online vendor closer to its customers
/// (more customers, higher satisfaction); staff online gives each person
/// more capacity (fewer partner staff per customer).
#[test]
fn issue11_b6_service_and_staff_online_by_their_amounts() {
    let on = small(Strategy::Online, "long_term");
    let mut off = on.clone();
    off.params.service_online_prox = 0.0;
    let (a, b) = (finals(&on, 4), finals(&off, 4));
    let active = |r: &[VendorMonth]| mean(r.iter().map(|x| x.active as f64));
    let sat = |r: &[VendorMonth]| mean(r.iter().map(|x| x.satisfaction));
    assert!(active(&a) > active(&b), "{} vs {}", active(&a), active(&b));
    assert!(sat(&a) > sat(&b), "{} vs {}", sat(&a), sat(&b));

    let on = small(Strategy::CityExclusive, "long_term");
    let mut off = on.clone();
    off.params.staff_online_capacity = 0.0;
    let per = |sc: &Scenario| {
        let (s, c) = staff_and_customers(sc, 4);
        s / c
    };
    let (a, b) = (per(&on), per(&off));
    assert!(a < 0.97 * b, "staff per customer {a:.4} not below {b:.4}");
}
