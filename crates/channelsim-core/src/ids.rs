//! Typed ids and the small closed sets of the model (segments, kinds, strategies).

use serde::{Deserialize, Serialize};

/// Number of customer segments.
pub const N_SEG: usize = 4;
/// Number of industries (MODEL.md: one of 6).
pub const N_IND: usize = 6;
/// Number of rings of collaboration (协同五环).
pub const N_RING: usize = 5;
/// Number of city tiers.
pub const N_TIER: usize = 4;

macro_rules! id {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(
            Clone,
            Copy,
            Debug,
            Default,
            PartialEq,
            Eq,
            PartialOrd,
            Ord,
            Hash,
            Serialize,
            Deserialize,
        )]
        pub struct $name(pub u32);
        impl $name {
            #[inline]
            pub fn idx(self) -> usize {
                self.0 as usize
            }
        }
    };
}
id!(CityId, "Index of a city in `World::cities`.");
id!(
    UnitId,
    "Index of a unit in `World::units` (units are never removed, only marked dead)."
);
id!(VendorId, "Index of a vendor in `World::vendors`.");

/// Customer segment by size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    Small = 0,
    Medium = 1,
    Large = 2,
    Strategic = 3,
}

impl Segment {
    pub const ALL: [Segment; N_SEG] = [
        Segment::Small,
        Segment::Medium,
        Segment::Large,
        Segment::Strategic,
    ];
    pub fn name(self) -> &'static str {
        ["small", "medium", "large", "strategic"][self as usize]
    }
    pub fn from_index(i: usize) -> Segment {
        Self::ALL[i]
    }
}

/// The seven channel strategies of the seed, by name (their definitions
/// are data: [`crate::kinds`]; a scenario may define more).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    Traditional,
    Abu,
    Amoeba,
    TeamReplication,
    JointVenture,
    CityExclusive,
    Online,
}

impl Strategy {
    pub const ALL: [Strategy; 7] = [
        Strategy::Traditional,
        Strategy::Abu,
        Strategy::Amoeba,
        Strategy::TeamReplication,
        Strategy::JointVenture,
        Strategy::CityExclusive,
        Strategy::Online,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Traditional => "traditional",
            Strategy::Abu => "abu",
            Strategy::Amoeba => "amoeba",
            Strategy::TeamReplication => "team_replication",
            Strategy::JointVenture => "joint_venture",
            Strategy::CityExclusive => "city_exclusive",
            Strategy::Online => "online",
        }
    }
    pub fn parse(s: &str) -> Option<Strategy> {
        Self::ALL.into_iter().find(|k| k.name() == s)
    }
}

impl AsRef<str> for Strategy {
    fn as_ref(&self) -> &str {
        self.name()
    }
}

/// The seed's seven kinds of unit, by name (their fields are data:
/// [`crate::kinds`]; a scenario may define more). Tests and examples name
/// them; the phases read a unit's kind through its fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Reseller = 0,
    AccountTeam = 1,
    Branch = 2,
    Cell = 3,
    JointVenture = 4,
    CityPartner = 5,
    Online = 6,
}

impl UnitKind {
    pub const ALL: [UnitKind; 7] = [
        UnitKind::Reseller,
        UnitKind::AccountTeam,
        UnitKind::Branch,
        UnitKind::Cell,
        UnitKind::JointVenture,
        UnitKind::CityPartner,
        UnitKind::Online,
    ];
    pub fn name(self) -> &'static str {
        match self {
            UnitKind::Reseller => "reseller",
            UnitKind::AccountTeam => "account_team",
            UnitKind::Branch => "branch",
            UnitKind::Cell => "cell",
            UnitKind::JointVenture => "joint_venture",
            UnitKind::CityPartner => "city_partner",
            UnitKind::Online => "online",
        }
    }
}

/// Bit set of segments a unit serves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegMask(pub u8);

impl SegMask {
    #[inline]
    pub fn has(self, s: usize) -> bool {
        self.0 & (1 << s) != 0
    }
    #[inline]
    pub fn with(self, s: usize) -> SegMask {
        SegMask(self.0 | (1 << s))
    }
    pub fn intersects(self, o: SegMask) -> bool {
        self.0 & o.0 != 0
    }
}
