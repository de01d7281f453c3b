//! The raw scenario: what the file says, every key optional, unknown keys
//! rejected. Sections whose fields belong to channelsim-core (`[params]`,
//! `[switches]`, `policy_overrides`) are only accepted here: they are laid
//! over the model defaults and deserialised into core's own types, so this
//! crate never repeats core's field lists.

use serde::Deserialize;
use serde::de::IgnoredAny;

use channelsim_core::ids::{N_IND, N_SEG};

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    /// Resolved over `Readings::default()` from the tree.
    #[allow(dead_code)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub(crate) model: Option<IgnoredAny>,
    pub(crate) horizon_months: Option<u32>,
    pub(crate) replicates: Option<u32>,
    pub(crate) seed: Option<u64>,
    pub(crate) discount_rate: Option<f64>,
    pub(crate) market: Option<RawMarket>,
    pub(crate) vendor: Option<Vec<RawVendor>>,
    /// Resolved over `Switches::default()` from the tree.
    #[allow(dead_code)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub(crate) switches: Option<IgnoredAny>,
    /// Resolved over `Params::default()` from the tree.
    #[allow(dead_code)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub(crate) params: Option<IgnoredAny>,
    /// Taken out of the tree before resolving.
    #[allow(dead_code)]
    #[schemars(with = "Option<Vec<super::schema::VariantForm>>")]
    pub(crate) variant: Option<IgnoredAny>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMarket {
    pub(crate) cities: Option<Vec<RawCity>>,
    pub(crate) segment_shares: Option<[f64; N_SEG]>,
    pub(crate) industry_weights: Option<[f64; N_IND]>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCity {
    pub(crate) tier: Option<i64>,
    pub(crate) count: Option<u32>,
    pub(crate) enterprises: Option<u32>,
    pub(crate) addressable_share: Option<f64>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVendor {
    pub(crate) name: Option<String>,
    #[schemars(with = "Option<super::schema::StrategyForm>")]
    pub(crate) strategy: Option<RawStrategy>,
    pub(crate) mix: Option<Vec<RawMixEntry>>,
    pub(crate) policy: Option<String>,
    /// Resolved over the policy preset from the tree.
    #[allow(dead_code)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub(crate) policy_overrides: Option<IgnoredAny>,
}

/// `strategy = "name"` or `strategy = { segment = "name", ... }`.
pub(crate) enum RawStrategy {
    All(String),
    BySegment(Vec<(String, String)>),
}

impl<'de> Deserialize<'de> for RawStrategy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawStrategy;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a strategy name (e.g. \"city_exclusive\") or a table of segment = strategy \
                     (e.g. { small = \"online\", large = \"abu\" })",
                )
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<RawStrategy, E> {
                Ok(RawStrategy::All(s.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<RawStrategy, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, String>()? {
                    out.push((k, v));
                }
                Ok(RawStrategy::BySegment(out))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMixEntry {
    pub(crate) strategy: Option<String>,
    pub(crate) segments: Option<Vec<String>>,
    pub(crate) tiers: Option<Vec<i64>>,
}
