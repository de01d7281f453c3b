//! Month 0: the market's enterprises, the vendors and their first units.

use crate::ids::{CityId, N_IND, N_SEG, VendorId};
use crate::kinds::kinds_of;
use crate::params::Scenario;
use crate::rng::{BetaMean, INIT, Stream};
use crate::units::open_units;
use crate::world::{City, Ledger, SegBlock, Vendor, World};
use rayon::prelude::*;

/// Build the world of one replicate. The market (enterprises, their
/// industries and needs) depends only on the scenario seed and replicate,
/// so variants of a scenario meet the same enterprises.
pub fn build_world(sc: &Scenario, replicate: u32) -> World {
    let p = &sc.params;
    let vendors: Vec<Vendor> = sc
        .vendors
        .iter()
        .enumerate()
        .map(|(i, vs)| {
            let q0 = p.start_quality;
            let d0 = -p.rd_scale * (1.0 - (q0 - p.quality_floor) / p.quality_span).ln();
            Vendor {
                id: VendorId(i as u32),
                policy: vs.policy.clone(),
                kinds: kinds_of(&vs.mix.0, &p.strategies, &p.kinds),
                managers: vs.policy.managers,
                quality: q0,
                rd_stock: d0,
                cash: 0.0,
                cum_profit: 0.0,
                npv: 0.0,
                tax_losses: 0.0,
                quarter_revenue: 0.0,
                last_quarter_revenue: 0.0,
                prev_quarter_revenue: 0.0,
                rd_history: [0.0; 12],
                rd_cut_until: 0,
                misses: 0,
                mgmt_demand: 0.0,
                units_created: 0,
                units_exited: 0,
                partner_capital: 0.0,
                profitable_once: false,
            }
        })
        .collect();
    // Need weights by segment: proximity, expertise, companionship, price.
    let need_beta: [[BetaMean; 4]; N_SEG] = std::array::from_fn(|s| {
        [
            p.need_prox[s],
            p.need_exp[s],
            p.need_comp[s],
            p.need_price[s],
        ]
        .map(|m| BetaMean::new(m, p.need_concentration))
    });
    // Each city draws from its own stream (keyed by the city), so cities
    // are built in parallel with the draws, and the bytes, of one thread;
    // `collect` keeps them in city order.
    let nv = vendors.len();
    let cities = sc
        .market
        .cities
        .par_iter()
        .enumerate()
        .map(|(c, spec)| {
            let mut rng = Stream::new(sc.seed, replicate, 0, c as u32, INIT);
            let sizes = sc.market.segment_sizes(spec);
            let n: usize = sizes.iter().map(|&s| s as usize).sum();
            let mut city = City {
                id: CityId(c as u32),
                tier: spec.tier,
                industry: Vec::with_capacity(n),
                needs: Vec::with_capacity(n),
                ring: vec![0; n],
                slot: vec![0; n],
                sat: vec![0.0; n],
                tenure: vec![0; n],
                unit_tenure: vec![0; n],
                paid: vec![0.0; n],
                reputation: vec![p.start_reputation as f32; nv],
                warm_left: vec![[0; N_SEG]; nv],
                ..Default::default()
            };
            let wsum: f64 = sc.market.industry_weights.iter().sum();
            let mut start = 0u32;
            for (s, &len) in sizes.iter().enumerate() {
                city.blocks[s] = SegBlock {
                    start,
                    len,
                    active: 0,
                    lost: 0,
                };
                start += len;
                for _ in 0..len {
                    let mut u = rng.uniform() * wsum;
                    let mut ind = N_IND - 1;
                    for (k, w) in sc.market.industry_weights.iter().enumerate() {
                        if u < *w {
                            ind = k;
                            break;
                        }
                        u -= w;
                    }
                    city.industry.push(ind as u8);
                    let q = |rng: &mut Stream, b: &BetaMean| round_255(b.sample(rng));
                    city.needs.push([
                        q(&mut rng, &need_beta[s][0]),
                        q(&mut rng, &need_beta[s][1]),
                        q(&mut rng, &need_beta[s][2]),
                        q(&mut rng, &need_beta[s][3]),
                    ]);
                }
            }
            city
        })
        .collect();
    let mut world = World {
        month: 0,
        seed: sc.seed,
        replicate,
        cities,
        units: Vec::new(),
        live: Vec::new(),
        vendors,
        apps: Vec::new(),
        ledger: Ledger::default(),
    };
    for v in 0..sc.vendors.len() {
        open_units(&mut world, sc, VendorId(v as u32), false);
    }
    // Warm accounts of kinds that bring them (a share of the city's large
    // and strategic firms, known to the local partner).
    for c in 0..world.cities.len() {
        let tier = world.cities[c].tier;
        for v in 0..world.vendors.len() {
            for seg in 2..N_SEG {
                let kind = world.vendors[v].kind_at(tier, seg);
                if kind.is_some_and(|k| p.kinds.get(k).warm_accounts) {
                    let len = world.cities[c].blocks[seg].len as f64;
                    world.cities[c].warm_left[v][seg] = (len * p.warm_share).round() as u32;
                }
            }
        }
    }
    world
}

/// `(x * 255.0).round() as u8` for a share `x` in [0, 1] (a need weight),
/// without a call to the C library's `round` (x86-64's baseline has no
/// rounding instruction; 45 M enterprises make four each): the truncation
/// `t` and `y - t` are exact for 0 <= y < 2^52, so adding one where the
/// fraction is at least a half rounds half away from zero, as `round` does.
#[inline]
fn round_255(x: f64) -> u8 {
    let y = x * 255.0;
    if !(0.0..=255.0).contains(&y) {
        return y.round() as u8; // out of a share's range (or NaN): as before
    }
    let t = y as u32;
    (t + (y - t as f64 >= 0.5) as u32) as u8
}

#[cfg(test)]
mod tests {
    use super::round_255;

    #[test]
    fn issue15_round_255_is_round() {
        let mut x = 0.0f64;
        let mut checked = 0;
        while x <= 1.0 {
            for y in [
                x,
                f64::from_bits(x.to_bits() + 1),
                f64::from_bits(x.to_bits().max(1) - 1),
            ] {
                assert_eq!(round_255(y), (y * 255.0).round() as u8, "{y}");
                checked += 1;
            }
            x += 1.0 / 510.0 / 7.0;
        }
        // Around every half: 64 neighbouring values on either side.
        for k in 0..255 {
            let mut y = (k as f64 + 0.5) / 255.0;
            for _ in 0..64 {
                y = y.next_down();
            }
            for _ in 0..128 {
                assert_eq!(round_255(y), (y * 255.0).round() as u8, "{y}");
                y = y.next_up();
            }
        }
        for y in [-0.1, 1.5, f64::NAN, 0.0, 1.0] {
            assert_eq!(round_255(y), (y * 255.0).round() as u8, "{y}");
        }
        assert!(checked > 3000);
    }
}
