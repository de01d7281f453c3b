//! Channel strategies as data: a kind of unit is a record of named fields
//! ([`KindSpec`]) and a strategy a named mix of kinds by segment and tier
//! ([`StrategySpec`]). The seed's seven kinds and seven strategies ship in
//! `seed_channels.toml`, embedded; a scenario changes their fields and adds
//! its own (`[params.kinds.<name>]`, `[params.strategies.<name>]`). The
//! phases read a unit's kind through its fields, never by name.
//!
//! A new mechanism of a kind (how much of its margin a partner reinvests,
//! whether exclusivity protects its investment, how equity binds it, how
//! incentives change effort) is a new field here, with a default that
//! leaves the other kinds as they are.

use crate::ids::{N_SEG, N_TIER, SegMask, Segment, Strategy, UnitKind};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::LazyLock;

/// Index of a kind in [`Kinds`] (the seed's seven first, in
/// [`UnitKind::ALL`] order).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KindId(pub u8);

impl KindId {
    #[inline]
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

impl From<UnitKind> for KindId {
    fn from(k: UnitKind) -> KindId {
        KindId(k as u8)
    }
}

impl PartialEq<UnitKind> for KindId {
    fn eq(&self, k: &UnitKind) -> bool {
        *self == KindId::from(*k)
    }
}

/// A kind of unit: whoever sells to and serves customers in a place, and
/// on what terms (MODEL.md section 2; docs/scenarios.md lists the fields).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct KindSpec {
    /// Owned by the vendor: takes the whole subscription, holds no cash
    /// (consolidated), trust 1, pays no dividends.
    pub owned: bool,
    /// In a city; otherwise one unit for all cities, reached online, sold
    /// at `online_price`, capability capped at `online_capability_max`,
    /// never terminated for losses.
    pub local: bool,
    /// Segments it serves (of those its strategy gives it).
    pub segments: Vec<Segment>,
    /// Units a vendor keeps in a city (local kinds) ...
    pub per_city: u32,
    /// ... plus one for each of these counts the city's large and
    /// strategic enterprises reach.
    pub per_large_firms: Vec<u32>,
    pub start_staff: u32,
    pub start_capability: f64,
    /// Unit's share of subscription payments, first contract year.
    pub share_first: f64,
    /// Unit's share on renewals.
    pub share_renew: f64,
    /// Vendor equity share of the unit's positive profit.
    pub equity: f64,
    /// Exclusive in its city: no intra-brand rivals, not diluted.
    pub exclusive: bool,
    /// Its exclusivity is a reading of the model (`model.jv_exclusive`, a
    /// Decision for the seed's joint venture): under `jv_exclusive = false`
    /// it is not exclusive, whatever `exclusive` says.
    pub exclusive_by_reading: bool,
    /// On the vendor's platform: publishes and receives apps.
    pub platform: bool,
    /// Security the contract itself gives the relationship (0..1): its
    /// length and terms. The kind's security adds exclusivity and equity
    /// to it ([`crate::params::Params::kind_security`]).
    pub contract_security: f64,
    /// Head-office management demand, FTE, fixed part.
    pub mgmt_base: f64,
    /// Head-office management demand, FTE per staff.
    pub mgmt_per_staff: f64,
    /// Wages relative to `wage`.
    pub wage_factor: f64,
    /// Share of a positive profit paid to the unit's people (amoeba
    /// profit-centre incentive): a cost that also raises their effort
    /// ([`crate::params::Params::effort`]). Owned units only (partners
    /// keep their profit).
    pub incentive: f64,
    /// Splits in two when mature (mean capability above
    /// `split_capability` and staff at least `split_staff`).
    pub splits: bool,
    pub split_capability: f64,
    pub split_staff: u32,
    /// Brings warm accounts: `warm_share` of the city's large and
    /// strategic firms, where its strategy gives it those segments.
    pub warm_accounts: bool,
    /// The vendor's direct-sales desk: where a short-term vendor moves the
    /// accounts it poaches (opened with one staff if it has none there).
    pub direct_desk: bool,
    /// Trained by the vendor's training system, which the vendor pays for
    /// while it has any such unit.
    pub training_system: bool,
}

impl Default for KindSpec {
    /// A local partner unit with no special rule (a new kind starts here).
    fn default() -> KindSpec {
        KindSpec {
            owned: false,
            local: true,
            segments: Segment::ALL.to_vec(),
            per_city: 1,
            per_large_firms: Vec::new(),
            start_staff: 3,
            start_capability: 0.3,
            share_first: 0.3,
            share_renew: 0.3,
            equity: 0.0,
            exclusive: false,
            exclusive_by_reading: false,
            platform: false,
            contract_security: 0.5,
            mgmt_base: 0.02,
            mgmt_per_staff: 0.0,
            wage_factor: 1.0,
            incentive: 0.0,
            splits: false,
            split_capability: 0.7,
            split_staff: 6,
            warm_accounts: false,
            direct_desk: false,
            training_system: false,
        }
    }
}

impl KindSpec {
    /// The segments it serves, as a mask.
    pub fn serves(&self) -> SegMask {
        self.segments
            .iter()
            .fold(SegMask(0), |m, s| m.with(*s as usize))
    }

    /// Units of this kind a vendor keeps in a city with `large_firms`
    /// large and strategic enterprises.
    pub fn units_in(&self, large_firms: u32) -> u32 {
        self.per_city
            + self
                .per_large_firms
                .iter()
                .filter(|&&n| large_firms >= n)
                .count() as u32
    }
}

/// One entry of a strategy: a kind, for some segments and tiers.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KindEntry {
    pub kind: String,
    #[serde(default = "all_segments")]
    pub segments: Vec<Segment>,
    #[serde(default = "all_tiers")]
    pub tiers: Vec<u8>,
}

fn all_segments() -> Vec<Segment> {
    Segment::ALL.to_vec()
}

fn all_tiers() -> Vec<u8> {
    (1..=N_TIER as u8).collect()
}

/// A channel strategy: which kind serves each (segment, tier) it is used
/// for; a (segment, tier) no entry names is not served.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StrategySpec {
    pub kinds: Vec<KindEntry>,
}

impl StrategySpec {
    /// The kind (by name) serving `seg` in tier `tier` (1..=4).
    pub fn kind_at(&self, tier: u8, seg: usize) -> Option<&str> {
        self.kinds
            .iter()
            .find(|e| e.tiers.contains(&tier) && e.segments.iter().any(|s| *s as usize == seg))
            .map(|e| e.kind.as_str())
    }
}

/// Named records in order: the seed's first (in its order), then the
/// scenario's own in the order given. Serialised as a table by name.
#[derive(Clone, Debug, PartialEq)]
pub struct Named<T>(pub Vec<(String, T)>);

/// The kinds of unit of a scenario.
pub type Kinds = Named<KindSpec>;
/// The channel strategies of a scenario.
pub type Strategies = Named<StrategySpec>;

impl<T> Named<T> {
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_str())
    }
    pub fn by_name(&self, name: &str) -> Option<&T> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }
    pub fn position(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|(n, _)| n == name)
    }
    pub fn by_name_mut(&mut self, name: &str) -> Option<&mut T> {
        self.0.iter_mut().find(|(n, _)| n == name).map(|(_, t)| t)
    }
}

impl Kinds {
    #[inline]
    pub fn get(&self, k: KindId) -> &KindSpec {
        &self.0[k.idx()].1
    }
    pub fn id(&self, name: &str) -> Option<KindId> {
        self.position(name).map(|i| KindId(i as u8))
    }
    pub fn name(&self, k: KindId) -> &str {
        &self.0[k.idx()].0
    }
    /// The direct-sales desk kind, if any.
    pub fn desk(&self) -> Option<KindId> {
        self.0
            .iter()
            .position(|(_, k)| k.direct_desk)
            .map(|i| KindId(i as u8))
    }
}

/// Where a name stands: the seed's names first, in the seed's order.
fn seed_rank(name: &str, seed: &[&str]) -> usize {
    seed.iter().position(|s| *s == name).unwrap_or(seed.len())
}

/// The names of the seed's records of a type, in the seed's order.
pub trait SeedOrder {
    fn seed_names() -> Vec<&'static str>;
}

impl SeedOrder for KindSpec {
    fn seed_names() -> Vec<&'static str> {
        UnitKind::ALL.iter().map(|k| k.name()).collect()
    }
}

impl SeedOrder for StrategySpec {
    fn seed_names() -> Vec<&'static str> {
        Strategy::ALL.iter().map(|s| s.name()).collect()
    }
}

impl<T: Serialize> Serialize for Named<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de, T: Deserialize<'de> + SeedOrder> Deserialize<'de> for Named<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de> + SeedOrder> Visitor<'de> for V<T> {
            type Value = Named<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of named entries")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Named<T>, A::Error> {
                let mut out: Vec<(String, T)> = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, T>()? {
                    out.push((k, v));
                }
                // The seed's first, in its order (a stable sort keeps the
                // scenario's own in the order given).
                let seed = T::seed_names();
                out.sort_by_key(|(n, _)| seed_rank(n, &seed));
                Ok(Named(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// The seed's channel, as shipped.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Seed {
    kinds: Kinds,
    strategies: Strategies,
}

static SEED: LazyLock<Seed> = LazyLock::new(|| {
    // Embedded and checked by the tests: a parse error is a build defect.
    toml::from_str(include_str!("seed_channels.toml")).expect("seed_channels.toml parses")
});

/// The seed's seven kinds of unit.
pub fn seed_kinds() -> Kinds {
    SEED.kinds.clone()
}

/// The seed's seven strategies.
pub fn seed_strategies() -> Strategies {
    SEED.strategies.clone()
}

/// Which kind serves each (tier, segment) for a vendor whose mix gives each
/// (tier, segment) a strategy by name (`mix[tier - 1][seg]`). Names that
/// are not defined serve nothing (the scenario's checks report them).
pub fn kinds_of(
    mix: &[[Option<String>; N_SEG]; N_TIER],
    strategies: &Strategies,
    kinds: &Kinds,
) -> [[Option<KindId>; N_SEG]; N_TIER] {
    std::array::from_fn(|t| {
        std::array::from_fn(|seg| {
            let s = strategies.by_name(mix[t][seg].as_deref()?)?;
            kinds.id(s.kind_at(t as u8 + 1, seg)?)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_lists_the_seven_kinds_and_strategies_in_order() {
        let k = seed_kinds();
        let names: Vec<&str> = k.names().collect();
        let want: Vec<&str> = UnitKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names, want);
        let s = seed_strategies();
        let names: Vec<&str> = s.names().collect();
        let want: Vec<&str> = Strategy::ALL.iter().map(|s| s.name()).collect();
        assert_eq!(names, want);
        // Strategy i of the seed uses kind i everywhere.
        for (i, st) in Strategy::ALL.iter().enumerate() {
            let spec = s.by_name(st.name()).unwrap();
            for tier in 1..=4 {
                for seg in 0..N_SEG {
                    assert_eq!(spec.kind_at(tier, seg), Some(UnitKind::ALL[i].name()));
                }
            }
        }
        assert_eq!(k.desk(), Some(UnitKind::AccountTeam.into()));
        assert_eq!(
            k.get(UnitKind::AccountTeam.into()).serves(),
            SegMask(0b1100)
        );
    }

    #[test]
    fn units_per_city_count_the_large_firm_thresholds_reached() {
        let k = seed_kinds();
        let abu = k.get(UnitKind::AccountTeam.into());
        assert_eq!([149, 150, 499, 500].map(|n| abu.units_in(n)), [0, 1, 1, 2]);
        assert_eq!(k.get(UnitKind::Reseller.into()).units_in(10_000), 4);
    }

    #[test]
    fn named_tables_keep_the_seeds_order_then_the_scenarios() {
        let text = "[zeta]\nkinds = [{ kind = \"cell\" }]\n[online]\nkinds = [{ kind = \"online\" }]\n[alpha]\nkinds = [{ kind = \"reseller\", segments = [\"small\"], tiers = [1] }]\n[traditional]\nkinds = [{ kind = \"reseller\" }]\n";
        let s: Strategies = toml::from_str(text).unwrap();
        let names: Vec<&str> = s.names().collect();
        assert_eq!(&names[..2], ["traditional", "online"]);
        assert_eq!(names.len(), 4);
        let alpha = s.by_name("alpha").unwrap();
        assert_eq!(alpha.kind_at(1, 0), Some("reseller"));
        assert_eq!(alpha.kind_at(2, 0), None);
        assert_eq!(alpha.kind_at(1, 1), None);
    }
}
