//! Phase 8, learning and trust. Capability grows from training (the
//! vendor's enablement, the unit's own investment and, for cells, the
//! training system), from experience with customers of the industry and
//! from the network (platform members learn from each other, online), and
//! decays with turnover. Trust recovers while terms are kept. A unit
//! invests next month in proportion to its shadow of the future; a partner
//! deep in debt for months exits.

use crate::ids::N_IND;
use crate::month::Scratch;
use crate::params::Scenario;
use crate::world::World;

pub fn run(world: &mut World, sc: &Scenario, s: &mut Scratch) {
    let p = &sc.params;
    let nv = world.vendors.len();
    // Network means per vendor and industry: over platform members, and
    // over all the vendor's units.
    let mut net_member = vec![([0.0f64; N_IND], 0u32); nv];
    let mut net_all = vec![([0.0f64; N_IND], 0u32); nv];
    let mut cell_staff = vec![0u32; nv];
    for u in world.live_units() {
        let v = u.vendor.idx();
        for (acc, add) in [
            (&mut net_all[v], true),
            (&mut net_member[v], p.kinds.get(u.kind).platform),
        ] {
            if add {
                for i in 0..N_IND {
                    acc.0[i] += u.capability[i] as f64;
                }
                acc.1 += 1;
            }
        }
        if p.kinds.get(u.kind).training_system {
            cell_staff[v] += u.staff;
        }
    }
    // The network means themselves, once per vendor (none without units).
    let mean = |(sum, n): &([f64; N_IND], u32)| (*n > 0).then(|| sum.map(|x| x / *n as f64));
    let mean_member: Vec<_> = net_member.iter().map(mean).collect();
    let mean_all: Vec<_> = net_all.iter().map(mean).collect();
    let training_system = p.training_system;
    for id in &world.live {
        let u = &mut world.units[id.idx()];
        let v = u.vendor.idx();
        let pol = &world.vendors[v].policy;
        let view = &s.views[u.id.idx()];
        let (sec, support) = (view.security as f64, view.support as f64);
        let staff = u.staff.max(1) as f64;
        let mut spend = pol.enablement * sec * support + u.own_training / staff;
        let kp = p.kinds.get(u.kind);
        if kp.training_system && cell_staff[v] > 0 {
            spend += training_system / cell_staff[v] as f64;
        }
        let training = (spend / p.training_scale).min(1.0);
        s.vendor_flows[v].enablement += pol.enablement * sec * u.staff as f64;
        let net_mean = if kp.platform {
            mean_member[v]
        } else {
            mean_all[v]
        };
        let cap = if !kp.local {
            p.online_capability_max
        } else {
            1.0
        };
        #[allow(clippy::needless_range_loop)] // i indexes capability, book and network sums
        for i in 0..N_IND {
            let k = u.capability[i] as f64;
            let n_ind = u.book_ind[i] as f64;
            let experience = n_ind / (n_ind + p.experience_half);
            let net = net_mean.map_or(k, |m| m[i]);
            let dk = p.eta_t * training * (1.0 - k)
                + p.eta_x * experience * (1.0 - k)
                + p.eta_n * pol.online_level * (net - k).max(0.0)
                - p.forget * k;
            u.capability[i] = (k + dk).clamp(0.0, cap) as f32;
        }
        if sc.has_trust(u.kind) && !u.hurt {
            u.trust += p.trust_recovery * (1.0 - u.trust);
        }
        // Own investment, shared with rivals who free-ride on it.
        let rivals = view.rivals.max(1) as f64;
        u.own_training = p.own_invest * u.trust * sec * u.last_profit.max(0.0) / rivals;
        if !kp.owned {
            // Growth investment (B1): a share of the profit it keeps after
            // the vendor's dividend, in proportion to its shadow of the
            // future, and free-ridden by rivals like its training (B2). The
            // fund is part of its cash, never more.
            let kept = (1.0 - kp.equity) * u.last_profit.max(0.0);
            let add = p.growth_invest * u.trust * sec * kept / rivals;
            u.growth_fund = (u.growth_fund + add).min(u.cash.max(0.0));
            let floor = -p.exit_cash_months * p.wage * u.staff as f64;
            if u.cash < floor {
                u.low_cash_months += 1;
            } else {
                u.low_cash_months = 0;
            }
            if u.low_cash_months >= p.exit_after_months {
                u.exiting = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ids::{Strategy, UnitKind};
    use crate::testkit::{scenario, stepped};

    #[test]
    fn capability_grows_with_enablement_and_online_stays_under_its_cap() {
        let mut lo = scenario(Strategy::CityExclusive, "long_term");
        lo.policy_mut().enablement = 0.0;
        let mut hi = lo.clone();
        hi.policy_mut().enablement = 8.0;
        let cap = |sc| {
            stepped(sc, 24)
                .0
                .units
                .iter()
                .filter(|u| u.alive)
                .map(|u| u.mean_capability())
                .sum::<f64>()
        };
        assert!(cap(&hi) > cap(&lo));
        let (w, _) = stepped(&scenario(Strategy::Online, "long_term"), 60);
        let online = w.units.iter().find(|u| u.kind == UnitKind::Online).unwrap();
        assert!(online.capability.iter().all(|&k| k <= 0.4 + 1e-6));
    }
}
