//! Month 0: the market's enterprises, the vendors and their first units.

use crate::ids::{CityId, N_IND, N_SEG, VendorId};
use crate::kinds::kinds_of;
use crate::params::{CitySpec, Market, Scenario};
use crate::rng::{BetaMean, INIT, Stream};
use crate::units::open_units;
use crate::world::{City, Ledger, SegBlock, Vendor, World};
use rayon::prelude::*;

/// What a replicate's market of enterprises is drawn from, and nothing
/// else: the seed, the replicate, the cities and the need weights. Runs
/// whose inputs are equal (variants of a scenario that differ in their
/// vendors, policies or model) meet the same enterprises, so a runner may
/// draw the market once and build each run's world on it ([`build_world_on`]).
#[derive(Clone, Debug)]
pub struct MarketInputs {
    seed: u64,
    replicate: u32,
    market: Market,
    /// Mean need weights by segment: proximity, expertise, companionship,
    /// price.
    need_means: [[f64; 4]; N_SEG],
    need_concentration: f64,
}

impl MarketInputs {
    pub fn of(sc: &Scenario, replicate: u32) -> MarketInputs {
        let p = &sc.params;
        MarketInputs {
            seed: sc.seed,
            replicate,
            market: sc.market.clone(),
            need_means: std::array::from_fn(|s| {
                [
                    p.need_prox[s],
                    p.need_exp[s],
                    p.need_comp[s],
                    p.need_price[s],
                ]
            }),
            need_concentration: p.need_concentration,
        }
    }

    /// Every input as bits: equal bits draw equal markets (float `==`
    /// would call -0.0 and 0.0 equal, and NaN unequal to itself). The
    /// patterns name every field, so that a new one cannot be left out.
    fn bits(&self) -> impl Iterator<Item = u64> + '_ {
        let MarketInputs {
            seed,
            replicate,
            market,
            need_means,
            need_concentration,
        } = self;
        let Market {
            cities,
            segment_shares,
            industry_weights,
        } = market;
        let cities = cities.iter().flat_map(|c| {
            let CitySpec {
                tier,
                enterprises,
                addressable_share,
            } = c;
            [
                *tier as u64,
                *enterprises as u64,
                addressable_share.to_bits(),
            ]
        });
        let floats = (segment_shares.iter())
            .chain(industry_weights)
            .chain(need_means.as_flattened())
            .chain([need_concentration])
            .map(|x| x.to_bits());
        [*seed, *replicate as u64, market.cities.len() as u64]
            .into_iter()
            .chain(cities)
            .chain(floats)
    }
}

impl PartialEq for MarketInputs {
    fn eq(&self, o: &MarketInputs) -> bool {
        self.bits().eq(o.bits())
    }
}

impl Eq for MarketInputs {}

impl std::hash::Hash for MarketInputs {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.bits().for_each(|b| b.hash(h));
    }
}

/// A replicate's market: each city's enterprises (industry and needs, in
/// segment blocks), drawn from its [`MarketInputs`] alone.
#[derive(Clone, Debug)]
pub struct MarketDraw {
    inputs: MarketInputs,
    cities: Vec<CityDraw>,
}

#[derive(Clone, Debug)]
struct CityDraw {
    sizes: [u32; N_SEG],
    industry: Vec<u8>,
    needs: Vec<[u8; 4]>,
}

impl MarketDraw {
    /// Draw the market. Each city draws from its own stream (keyed by the
    /// city), so cities are drawn in parallel with the draws, and the
    /// bytes, of one thread; `collect` keeps them in city order.
    pub fn draw(inputs: MarketInputs) -> MarketDraw {
        let m = &inputs.market;
        let need_beta: [[BetaMean; 4]; N_SEG] = std::array::from_fn(|s| {
            inputs.need_means[s].map(|mean| BetaMean::new(mean, inputs.need_concentration))
        });
        let wsum: f64 = m.industry_weights.iter().sum();
        let cities = (m.cities.par_iter().enumerate())
            .map(|(c, spec)| {
                let mut rng = Stream::new(inputs.seed, inputs.replicate, 0, c as u32, INIT);
                let sizes = m.segment_sizes(spec);
                let n: usize = sizes.iter().map(|&s| s as usize).sum();
                let mut city = CityDraw {
                    sizes,
                    industry: Vec::with_capacity(n),
                    needs: Vec::with_capacity(n),
                };
                for (s, &len) in sizes.iter().enumerate() {
                    for _ in 0..len {
                        let mut u = rng.uniform() * wsum;
                        let mut ind = N_IND - 1;
                        for (k, w) in m.industry_weights.iter().enumerate() {
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
        MarketDraw { inputs, cities }
    }

    pub fn inputs(&self) -> &MarketInputs {
        &self.inputs
    }

    /// Bytes it holds (each enterprise's industry and needs).
    pub fn bytes(&self) -> u64 {
        let per = std::mem::size_of::<u8>() + std::mem::size_of::<[u8; 4]>();
        self.cities
            .iter()
            .map(|c| (c.industry.len() * per) as u64)
            .sum()
    }
}

/// Build the world of one replicate, its market drawn afresh.
pub fn build_world(sc: &Scenario, replicate: u32) -> World {
    let market = MarketDraw::draw(MarketInputs::of(sc, replicate));
    assemble(sc, replicate, market.cities.into_iter())
}

/// Build the world of one replicate on its market, drawn before and
/// perhaps shared with other runs: each world takes a copy, since
/// customers move within the columns. The market must be the one `sc`
/// draws for that replicate.
pub fn build_world_on(sc: &Scenario, market: &MarketDraw) -> World {
    let replicate = market.inputs.replicate;
    assert!(
        market.inputs == MarketInputs::of(sc, replicate),
        "a world built on a market drawn from other inputs"
    );
    assemble(sc, replicate, market.cities.iter().cloned())
}

/// The world at month 0: the cities' enterprises as drawn, no customers
/// yet, the vendors and their first units.
fn assemble(sc: &Scenario, replicate: u32, drawn: impl Iterator<Item = CityDraw>) -> World {
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
    let nv = vendors.len();
    let cities = (sc.market.cities.iter().zip(drawn).enumerate())
        .map(|(c, (spec, d))| {
            let n = d.industry.len();
            let mut city = City {
                id: CityId(c as u32),
                tier: spec.tier,
                industry: d.industry,
                needs: d.needs,
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
            let mut start = 0u32;
            for (s, &len) in d.sizes.iter().enumerate() {
                city.blocks[s] = SegBlock {
                    start,
                    len,
                    active: 0,
                    lost: 0,
                };
                start += len;
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
    use super::*;
    use crate::ids::Strategy;
    use crate::step::Stepper;
    use crate::testkit::scenario;

    /// A world built on a market drawn for other runs is the world its
    /// scenario builds alone, month after month.
    #[test]
    fn a_world_built_on_a_shared_market_is_the_world_built_alone() {
        let team = scenario(Strategy::TeamReplication, "long_term");
        let city = scenario(Strategy::CityExclusive, "short_term");
        let market = MarketDraw::draw(MarketInputs::of(&team, 2));
        for sc in [&team, &city] {
            let (mut a, mut b) = (build_world(sc, 2), build_world_on(sc, &market));
            assert_eq!(b.replicate, 2);
            let (mut sa, mut sb) = (Stepper::new(), Stepper::new());
            for _ in 0..12 {
                assert_eq!(sa.step(&mut a, sc), sb.step(&mut b, sc));
            }
            for (ca, cb) in a.cities.iter().zip(&b.cities) {
                assert_eq!((&ca.industry, &ca.needs), (&cb.industry, &cb.needs));
                assert_eq!((&ca.slot, &ca.paid), (&cb.slot, &cb.paid));
            }
        }
        // The shared market is left as drawn.
        let again = MarketDraw::draw(MarketInputs::of(&team, 2));
        for (x, y) in market.cities.iter().zip(&again.cities) {
            assert_eq!((&x.industry, &x.needs), (&y.industry, &y.needs));
        }
    }

    /// Runs share a market exactly when what the draw reads is the same:
    /// the seed, the replicate, the cities and the need weights; not the
    /// vendors, their policies or the rest of the model.
    #[test]
    fn market_inputs_differ_by_what_the_draw_reads_and_nothing_else() {
        let sc = scenario(Strategy::Abu, "long_term");
        let of = |sc: &Scenario, r| MarketInputs::of(sc, r);
        assert_eq!(of(&sc, 0), of(&scenario(Strategy::Online, "short_term"), 0));
        let mut model = sc.clone();
        model.params.bass_q *= 2.0;
        model.params.start_reputation = 0.9;
        assert_eq!(of(&sc, 0), of(&model, 0));
        assert_ne!(of(&sc, 0), of(&sc, 1));
        let changes: [fn(&mut Scenario); 8] = [
            |s| s.seed += 1,
            |s| s.params.need_prox[1] += 0.01,
            |s| s.params.need_price[3] += 0.01,
            |s| s.params.need_concentration += 1.0,
            |s| s.market.industry_weights[2] += 0.1,
            |s| s.market.segment_shares[0] += 0.01,
            |s| s.market.cities[0].enterprises += 1,
            |s| s.market.cities.truncate(3),
        ];
        for (k, change) in changes.iter().enumerate() {
            let mut other = sc.clone();
            change(&mut other);
            assert_ne!(of(&sc, 0), of(&other, 0), "change {k}");
            // ... and the world is not built on a market drawn otherwise.
            let market = MarketDraw::draw(of(&other, 0));
            let built = std::panic::catch_unwind(|| build_world_on(&sc, &market));
            assert!(built.is_err(), "change {k}");
        }
    }

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
