//! The resolved scenario: every number of the model, no `Option`s.
//!
//! Defaults are MODEL.md v1 (sections 2, 3, 5 and 7). Arrays indexed by
//! segment are in the order small, medium, large, strategic. Money is k CNY,
//! rates are per month unless the name says otherwise.

use crate::ids::{N_IND, N_SEG, N_TIER, Strategy};
use crate::kinds::{KindId, Kinds, Strategies, seed_kinds, seed_strategies};
use serde::{Deserialize, Serialize};

/// Version of the model rules. A scenario names the version it was written
/// for (`[model] version`); the engine refuses versions it does not implement.
pub const MODEL_VERSION: &str = "v2";

/// The structural readings of the model (the scenario's `[model]` table):
/// choices the reference text leaves open that change a headline verdict,
/// made switches so that a result can be shown with how much it depends on
/// them (docs/model.md, "Readings").
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Readings {
    /// The model version the scenario was written for.
    pub version: String,
    /// The vendor opens replacements for units of its mix that died.
    pub replace_dead_units: bool,
    /// Months a new unit has before its losses count against `patience`.
    pub grace_months: u32,
    pub squeeze_trust: SqueezeTrust,
    /// Joint ventures are exclusive in their city (no same-brand rival).
    pub jv_exclusive: bool,
    pub owned_trust: OwnedTrust,
    pub moved_customer: MovedCustomer,
    pub rd_hold: RdHold,
}

impl Default for Readings {
    fn default() -> Self {
        Readings {
            version: MODEL_VERSION.into(),
            replace_dead_units: true,
            grace_months: 12,
            squeeze_trust: SqueezeTrust::OnCut,
            jv_exclusive: true,
            owned_trust: OwnedTrust::Fixed,
            moved_customer: MovedCustomer::Continues,
            rd_hold: RdHold::LossMonths,
        }
    }
}

/// When a squeeze on a missed target costs a partner trust.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SqueezeTrust {
    /// Only if it cut the partner's share (at the floor, a squeeze is no news).
    OnCut,
    /// Every squeeze of a partner, cut or not (the attempt is the signal).
    EveryMiss,
}

/// Trust of the vendor's owned units.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OwnedTrust {
    /// Trust 1, no dynamics: trust is about partners.
    Fixed,
    /// Start at `start_trust`, hurt and recover like partners (an owned
    /// unit cannot leave its owner, so no trust exits).
    Dynamic,
}

/// What a customer moved to another unit of its vendor (poached to the
/// direct desk, re-homed from a dead unit, moved at renewal) is.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MovedCustomer {
    /// The contract moves with it: its terms go on from where its tenure
    /// stands, and it pays no second implementation (v2).
    Continues,
    /// A new contract: first-year terms and implementation services again (v1).
    Restarts,
}

/// Which months hold the vendor's R&D at its policy's floor (a share of
/// last year's average) instead of `rd_rate` x revenue, besides the months
/// after a missed target.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RdHold {
    /// Every month that would lose money at the normal rate, a start-up's
    /// first months included.
    LossMonths,
    /// Only once the vendor has had a month with a profit at the normal
    /// rate: a start-up's planned losses are not bad years, and it spends
    /// the normal rate until then.
    AfterFirstProfit,
}

/// A fully resolved scenario, ready for month 0.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// The model version and its structural readings (`[model]`).
    pub model: Readings,
    pub horizon_months: u32,
    pub replicates: u32,
    pub seed: u64,
    /// Discount rate a year, for NPV.
    pub discount_rate: f64,
    pub market: Market,
    pub vendors: Vec<VendorSpec>,
    pub switches: Switches,
    pub params: Params,
}

/// Cities and the make-up of their enterprises.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Market {
    pub cities: Vec<CitySpec>,
    /// Share of enterprises in each segment.
    pub segment_shares: [f64; N_SEG],
    /// Relative weight of each industry (normalised when drawn).
    pub industry_weights: [f64; N_IND],
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CitySpec {
    /// Tier 1..=4.
    pub tier: u8,
    pub enterprises: u32,
    /// Share of enterprises any vendor can address; only these are simulated.
    pub addressable_share: f64,
}

impl Market {
    /// Addressable enterprises per segment of a city, summing exactly to the
    /// city's addressable total (largest remainder).
    pub fn segment_sizes(&self, city: &CitySpec) -> [u32; N_SEG] {
        let total = (city.enterprises as f64 * city.addressable_share).round() as u32;
        let sum: f64 = self.segment_shares.iter().sum();
        // Invalid shares (reported by `violations`) must not hang or wrap
        // here: the memory guard sizes markets before validation runs.
        let shares_ok = self
            .segment_shares
            .iter()
            .all(|s| s.is_finite() && *s >= 0.0)
            && sum.is_finite()
            && sum > 0.0;
        if !shares_ok {
            return [0; N_SEG];
        }
        let exact: Vec<f64> = self
            .segment_shares
            .iter()
            .map(|s| total as f64 * s / sum)
            .collect();
        let mut out = [0u32; N_SEG];
        for (o, e) in out.iter_mut().zip(&exact) {
            *o = e.floor() as u32;
        }
        let mut left = total.saturating_sub(out.iter().sum::<u32>());
        let mut order: Vec<usize> = (0..N_SEG).collect();
        order.sort_by(|&a, &b| {
            let ra = exact[a] - exact[a].floor();
            let rb = exact[b] - exact[b].floor();
            rb.total_cmp(&ra).then(a.cmp(&b))
        });
        for &s in order.iter().cycle() {
            if left == 0 {
                break;
            }
            out[s] += 1;
            left -= 1;
        }
        out
    }

    pub fn total_enterprises(&self) -> u64 {
        self.cities
            .iter()
            .map(|c| self.segment_sizes(c).iter().map(|&n| n as u64).sum::<u64>())
            .sum()
    }
}

/// Which strategy (by name) serves each (tier, segment); `None`: not
/// targeted. The strategies are the scenario's (`params.strategies`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Mix(pub [[Option<String>; N_SEG]; N_TIER]);

impl Mix {
    /// One strategy everywhere.
    pub fn uniform(s: impl AsRef<str>) -> Mix {
        let s = s.as_ref();
        Mix(std::array::from_fn(|_| {
            std::array::from_fn(|_| Some(s.to_string()))
        }))
    }
    #[inline]
    pub fn get(&self, tier: u8, seg: usize) -> Option<&str> {
        self.0[(tier - 1) as usize][seg].as_deref()
    }
    /// Strategies used anywhere: the seed's in their order, then others
    /// by name.
    pub fn strategies(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .0
            .iter()
            .flatten()
            .flatten()
            .map(|s| s.as_str())
            .collect();
        out.sort_by_key(|s| {
            (
                Strategy::parse(s).map_or(Strategy::ALL.len(), |x| x as usize),
                *s,
            )
        });
        out.dedup();
        out
    }
    /// A short label: the strategy's name, or `mix:a+b` for a mix.
    pub fn label(&self) -> String {
        let s = self.strategies();
        match s.len() {
            0 => "none".into(),
            1 => s[0].into(),
            _ => format!("mix:{}", s.join("+")),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct VendorSpec {
    pub name: String,
    pub mix: Mix,
    /// Name of the policy preset the policy started from (for reports).
    pub policy_preset: String,
    pub policy: Policy,
}

/// A vendor's policy (MODEL.md section 2), presets `long_term` and `short_term`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub share_shift: f64,
    pub price_factor: f64,
    pub rd_rate: f64,
    pub rd_floor: f64,
    pub enablement: f64,
    pub online_level: f64,
    pub patience: u32,
    pub squeeze_on_miss: f64,
    /// Head-office management capacity M at month 0, FTE (before market scaling).
    pub managers: f64,
    /// Managers added per quarter.
    pub managers_growth: f64,
    pub poach_on_miss: f64,
    pub dilute_on_miss: bool,
    pub growth_target: f64,
}

impl Policy {
    pub fn long_term() -> Policy {
        Policy {
            share_shift: 0.10,
            price_factor: 0.90,
            rd_rate: 0.20,
            rd_floor: 1.0,
            enablement: 2.0,
            online_level: 0.8,
            patience: 18,
            squeeze_on_miss: 0.0,
            managers: 12.0,
            managers_growth: 1.0,
            poach_on_miss: 0.0,
            dilute_on_miss: false,
            growth_target: 0.0,
        }
    }
    pub fn short_term() -> Policy {
        Policy {
            share_shift: -0.05,
            price_factor: 1.10,
            rd_rate: 0.10,
            rd_floor: 0.0,
            enablement: 0.3,
            online_level: 0.3,
            patience: 4,
            squeeze_on_miss: 0.05,
            managers: 12.0,
            managers_growth: 0.0,
            poach_on_miss: 0.2,
            dilute_on_miss: true,
            growth_target: 0.08,
        }
    }
    pub fn preset(name: &str) -> Option<Policy> {
        match name {
            "long_term" => Some(Self::long_term()),
            "short_term" => Some(Self::short_term()),
            _ => None,
        }
    }
}

/// Scenario switches for reductions of the model (pattern P8).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Switches {
    pub churn: bool,
    pub capacity_limits: bool,
    /// When set, every vendor's reach is this value in every city and segment.
    pub fixed_reach: Option<f64>,
    pub outside_option: bool,
}

impl Default for Switches {
    fn default() -> Self {
        Switches {
            churn: true,
            capacity_limits: true,
            fixed_reach: None,
            outside_option: true,
        }
    }
}

/// Every other number of the model.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    // Customers.
    pub base_acv: [f64; N_SEG],
    /// Base churn a year at each renewal.
    pub base_churn: [f64; N_SEG],
    pub ring_growth: f64,
    pub need_prox: [f64; N_SEG],
    pub need_exp: [f64; N_SEG],
    pub need_comp: [f64; N_SEG],
    pub need_price: [f64; N_SEG],
    pub need_concentration: f64,
    pub start_satisfaction: f64,
    pub satisfaction_rate: f64,
    pub return_after_months: u32,
    // Acquisition and choice.
    pub bass_p: f64,
    pub bass_q: f64,
    pub local_reach_staff: f64,
    pub online_reach: [f64; N_SEG],
    pub reputation_weight: f64,
    pub start_reputation: f64,
    pub u_quality: f64,
    pub u_prox: f64,
    pub u_exp: f64,
    pub u_comp: f64,
    pub u_rep: f64,
    pub u_price: f64,
    pub u_outside: f64,
    pub online_price: f64,
    pub warm_share: f64,
    pub warm_boost: f64,
    // Service and expansion.
    /// Weights of service quality: product, expertise, proximity,
    /// companionship, app fit, value for money.
    pub service_weights: [f64; 6],
    pub expansion_rate: f64,
    pub surplus_wtp: f64,
    // Renewal.
    pub lock_base: f64,
    pub churn_sensitivity: f64,
    pub churn_cap: f64,
    pub orphan_leave: f64,
    pub intra_move: f64,
    pub intra_discount: f64,
    // Units.
    /// The kinds of unit, by name (the seed's seven, and the scenario's).
    pub kinds: Kinds,
    /// The channel strategies, by name (the seed's seven, and the
    /// scenario's): which kind serves each segment and tier.
    pub strategies: Strategies,
    pub wage: f64,
    pub load_units: [f64; N_SEG],
    pub capacity_per_staff: f64,
    pub hire_above: f64,
    pub fire_below: f64,
    pub start_cash_months: f64,
    pub start_trust: f64,
    pub cash_for_hire_months: f64,
    pub exit_cash_months: f64,
    pub exit_after_months: u32,
    pub services_first_year: f64,
    pub services_expansion: f64,
    pub royalty: f64,
    // Apps and platform.
    pub app_rate: f64,
    pub app_threshold: f64,
    pub app_concentration: f64,
    pub validate_months: u32,
    pub validate_quality: f64,
    // Learning and trust.
    pub eta_t: f64,
    pub eta_x: f64,
    pub eta_n: f64,
    pub forget: f64,
    pub experience_half: f64,
    pub training_scale: f64,
    pub online_capability_max: f64,
    pub own_invest: f64,
    pub trust_recovery: f64,
    pub trust_hit: f64,
    pub trust_leave_below: f64,
    pub trust_leave_prob: f64,
    pub patience_ref: f64,
    // Vendor and head office (for a market of `reference_enterprises`).
    pub reference_enterprises: f64,
    pub manager_cost: f64,
    pub hosting: f64,
    pub rd_min: f64,
    pub rd_scale: f64,
    pub rd_depreciation: f64,
    pub quality_floor: f64,
    pub quality_span: f64,
    pub start_quality: f64,
    pub training_system: f64,
    pub platform_cost: f64,
    // Vendor costs of a software firm (model v2, docs/model.md 7.9).
    /// Sales and marketing beyond what the model pays apart (owned units'
    /// wages, partners' shares, channel managers, enablement), a share of
    /// vendor revenue (v2.2: 0.20, from a channel vendor's filings).
    pub sales_marketing: f64,
    /// General and administrative costs, a share of vendor revenue.
    pub general_admin: f64,
    /// Customer support and success (cost of revenue beyond hosting), a
    /// share of the subscriptions of the customers the vendor serves
    /// itself (its owned units'), per month (model v2.1, docs/model.md 7.9).
    pub support: f64,
    /// Share of `support` the vendor still carries for a partner unit's
    /// customer: partners take first-line support, the vendor the
    /// escalations (1: partners take none of it).
    pub support_partner: f64,
    /// Income tax on the vendor's positive taxable profit, after losses
    /// carried forward (docs/model.md 7.9).
    pub tax_rate: f64,
    // Model v2 mechanisms (issue 11 item 4, docs/model.md section 7.12).
    // Each has a neutral value under which the engine is v1's.
    /// B1: share of a partner's kept profit, x trust x security, set aside
    /// in its growth fund (neutral 0).
    pub growth_invest: f64,
    /// B1: a partner hires one more seller when its growth fund covers
    /// this many months of a wage.
    pub growth_hire_months: f64,
    /// B1: staff a partner lets go a month while it loses money with cash
    /// below its hire buffer (neutral 0).
    pub loss_fire: u32,
    /// B2: security an exclusive territory adds to a kind's contract security.
    pub exclusive_security: f64,
    /// B2, B3: security added per unit of the vendor's equity in the unit.
    pub equity_security: f64,
    /// B3: a partner the vendor holds equity e in leaves on low trust with
    /// probability trust_leave_prob x (1 - equity_bind x e) (neutral 0).
    pub equity_bind: f64,
    /// B4: effort gained per unit of `kinds.*.incentive`: the unit's staff
    /// count (1 + incentive_effort x incentive) in local reach, and its
    /// attention rises by the same factor (neutral 0).
    pub incentive_effort: f64,
    /// B5: growth a year of the technology and competitors' frontier
    /// against which R&D stock makes quality (neutral 0).
    pub frontier_growth: f64,
    /// B6: proximity a customer gets from an online unit at online level 1
    /// (service online; neutral 0).
    pub service_online_prox: f64,
    /// B6: capacity gained per staff at online level 1 (staff online;
    /// neutral 0).
    pub staff_online_capacity: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            base_acv: [20.0, 80.0, 300.0, 1500.0],
            base_churn: [0.25, 0.15, 0.08, 0.04],
            ring_growth: 0.35,
            need_prox: [0.3, 0.5, 0.6, 0.6],
            need_exp: [0.2, 0.5, 0.7, 0.8],
            need_comp: [0.2, 0.5, 0.7, 0.8],
            need_price: [0.9, 0.5, 0.3, 0.2],
            need_concentration: 10.0,
            start_satisfaction: 0.6,
            satisfaction_rate: 0.2,
            return_after_months: 12,
            bass_p: 0.002,
            bass_q: 0.03,
            local_reach_staff: 4.0,
            online_reach: [1.0, 0.6, 0.3, 0.1],
            reputation_weight: 0.1,
            start_reputation: 0.5,
            u_quality: 2.0,
            u_prox: 1.5,
            u_exp: 2.0,
            u_comp: 1.0,
            u_rep: 1.0,
            u_price: 3.0,
            u_outside: 1.5,
            online_price: 0.7,
            warm_share: 0.10,
            warm_boost: 4.0,
            service_weights: [0.35, 0.35, 0.10, 0.10, 0.10, 0.35],
            expansion_rate: 0.05,
            surplus_wtp: 1.5,
            lock_base: 0.85,
            churn_sensitivity: 4.0,
            churn_cap: 0.95,
            orphan_leave: 0.5,
            intra_move: 0.1,
            intra_discount: 0.05,
            kinds: seed_kinds(),
            strategies: seed_strategies(),
            wage: 15.0,
            load_units: [1.0, 2.5, 6.0, 20.0],
            capacity_per_staff: 40.0,
            hire_above: 0.9,
            fire_below: 0.5,
            start_cash_months: 6.0,
            start_trust: 0.6,
            cash_for_hire_months: 3.0,
            exit_cash_months: 6.0,
            exit_after_months: 6,
            services_first_year: 0.5,
            services_expansion: 0.3,
            royalty: 0.05,
            app_rate: 0.02,
            app_threshold: 0.6,
            app_concentration: 20.0,
            validate_months: 6,
            validate_quality: 0.6,
            eta_t: 0.03,
            eta_x: 0.02,
            eta_n: 0.05,
            forget: 0.01,
            experience_half: 10.0,
            training_scale: 10.0,
            online_capability_max: 0.4,
            own_invest: 0.3,
            trust_recovery: 0.02,
            trust_hit: 0.3,
            trust_leave_below: 0.3,
            trust_leave_prob: 0.1,
            patience_ref: 18.0,
            reference_enterprises: 64_000.0,
            manager_cost: 40.0,
            hosting: 0.10,
            rd_min: 300.0,
            rd_scale: 100_000.0,
            rd_depreciation: 0.01,
            quality_floor: 0.4,
            quality_span: 0.6,
            start_quality: 0.5,
            training_system: 300.0,
            platform_cost: 200.0,
            sales_marketing: 0.20,
            general_admin: 0.08,
            support: 0.10,
            support_partner: 0.5,
            tax_rate: 0.15,
            growth_invest: 0.5,
            growth_hire_months: 6.0,
            loss_fire: 1,
            exclusive_security: 0.3,
            equity_security: 0.2,
            equity_bind: 1.0,
            incentive_effort: 1.0,
            frontier_growth: 0.13,
            service_online_prox: 0.5,
            staff_online_capacity: 0.25,
        }
    }
}

impl Params {
    /// Security of a kind's relationship (0..1), from its causes (MODEL.md
    /// section 7: exclusivity, equity, contract; the vendor's patience is
    /// added in [`crate::views::security`]): contract security, plus
    /// `exclusive_security` if exclusive, plus `equity_security` x equity,
    /// capped at 1.
    pub fn kind_security(&self, kind: KindId) -> f64 {
        let kp = self.kinds.get(kind);
        let excl = if kp.exclusive {
            self.exclusive_security
        } else {
            0.0
        };
        (kp.contract_security + excl + self.equity_security * kp.equity).min(1.0)
    }

    /// Effort of a kind's people: 1 + `incentive_effort` x its incentive
    /// (B4). Scales its staff in local reach and its attention.
    #[inline]
    pub fn effort(&self, kind: KindId) -> f64 {
        1.0 + self.incentive_effort * self.kinds.get(kind).incentive
    }

    /// Customer capacity of `staff` people, in load units, at the vendor's
    /// online level (B6, staff online).
    #[inline]
    pub fn capacity(&self, staff: u32, online_level: f64) -> f64 {
        staff as f64 * self.capacity_per_staff * (1.0 + self.staff_online_capacity * online_level)
    }

    /// The technology frontier at the end of `month` relative to month 0
    /// (B5): (1 + frontier_growth)^((month + 1) / 12).
    #[inline]
    pub fn frontier(&self, month: u32) -> f64 {
        (1.0 + self.frontier_growth).powf((month + 1) as f64 / 12.0)
    }

    /// Every v2 mechanism of issue 11 item 4 at its neutral value: the
    /// engine then computes model v1's numbers (a test holds it to v1's
    /// snapshots). Kind security is unchanged by construction.
    pub fn neutralise_v2_mechanisms(&mut self) {
        self.growth_invest = 0.0;
        self.loss_fire = 0;
        self.equity_bind = 0.0;
        self.incentive_effort = 0.0;
        self.frontier_growth = 0.0;
        self.service_online_prox = 0.0;
        self.staff_online_capacity = 0.0;
    }
}

/// A value outside what the model allows, with the key path that holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub key: String,
    pub message: String,
}

/// A head-office figure (MODEL.md section 7): given for the reference
/// market of `reference_enterprises`, and scaled in proportion to the
/// scenario's enterprises unless the scenario sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadOffice {
    /// Management capacity M of the vendor at this index (`policy.managers`).
    Managers(usize),
    /// Managers that vendor adds a quarter (`policy.managers_growth`).
    ManagersGrowth(usize),
    /// `params.rd_min`.
    RdMin,
    /// `params.rd_scale`.
    RdScale,
    /// `params.training_system`.
    TrainingSystem,
    /// `params.platform_cost`.
    PlatformCost,
}

impl Scenario {
    /// Market size relative to the reference market of the head-office
    /// figures.
    pub fn head_office_ratio(&self) -> f64 {
        self.market.total_enterprises() as f64 / self.params.reference_enterprises
    }

    /// Scales each head-office figure the scenario does not set (`set` says
    /// which it does) in proportion to the market's enterprises. Resolving a
    /// scenario does this once (the runner, from what the file and its
    /// overrides wrote; tests that resize a market, with `|_| false`); the
    /// engine then uses every figure as it is. A market without enterprises
    /// leaves them as given.
    pub fn scale_head_office(&mut self, set: impl Fn(HeadOffice) -> bool) {
        let r = self.head_office_ratio();
        if !(r.is_finite() && r > 0.0) {
            return;
        }
        let scale = |x: &mut f64, f: HeadOffice| {
            if !set(f) {
                *x *= r;
            }
        };
        let p = &mut self.params;
        scale(&mut p.rd_min, HeadOffice::RdMin);
        scale(&mut p.rd_scale, HeadOffice::RdScale);
        scale(&mut p.training_system, HeadOffice::TrainingSystem);
        scale(&mut p.platform_cost, HeadOffice::PlatformCost);
        for (i, v) in self.vendors.iter_mut().enumerate() {
            scale(&mut v.policy.managers, HeadOffice::Managers(i));
            scale(&mut v.policy.managers_growth, HeadOffice::ManagersGrowth(i));
        }
    }

    /// Every range check of the model; empty when the scenario is valid.
    pub fn violations(&self) -> Vec<Violation> {
        let mut v = Vec::new();
        let mut bad = |key: String, ok: bool, allowed: &str| {
            if !ok {
                v.push(Violation {
                    key,
                    message: format!("must be {allowed}"),
                });
            }
        };
        self.run_checks(&mut bad);
        self.market_checks(&mut bad);
        self.vendor_checks(&mut bad);
        self.array_param_checks(&mut bad);
        self.share_param_checks(&mut bad);
        self.positive_param_checks(&mut bad);
        self.other_param_checks(&mut bad);
        self.channel_checks(&mut bad);
        if let Some(r) = self.switches.fixed_reach {
            bad("switches.fixed_reach".into(), unit(r), "in [0, 1]");
        }
        v
    }

    /// The model version and the run: horizon, replicates, discount rate.
    fn run_checks(&self, bad: &mut impl FnMut(String, bool, &str)) {
        bad(
            "model.version".into(),
            self.model.version == MODEL_VERSION,
            "\"v2\" (the only model version this engine implements)",
        );
        bad(
            "model.grace_months".into(),
            self.model.grace_months <= 1200,
            "an integer in 0..=1200",
        );
        bad(
            "horizon_months".into(),
            (1..=1200).contains(&self.horizon_months),
            "an integer in 1..=1200",
        );
        bad(
            "replicates".into(),
            self.replicates >= 1,
            "an integer of at least 1",
        );
        bad(
            "discount_rate".into(),
            self.discount_rate.is_finite() && self.discount_rate > -1.0,
            "a number above -1 (a year)",
        );
    }

    /// The market: cities, segment shares, industry weights.
    fn market_checks(&self, bad: &mut impl FnMut(String, bool, &str)) {
        bad(
            "market.cities".into(),
            !self.market.cities.is_empty(),
            "a non-empty list of cities",
        );
        for (i, c) in self.market.cities.iter().enumerate() {
            bad(
                format!("market.cities[{i}].tier"),
                (1..=4).contains(&c.tier),
                "an integer in 1..=4",
            );
            bad(
                format!("market.cities[{i}].addressable_share"),
                unit(c.addressable_share),
                "a share in [0, 1]",
            );
        }
        for (i, s) in self.market.segment_shares.iter().enumerate() {
            bad(
                format!("market.segment_shares[{i}]"),
                unit(*s),
                "a share in [0, 1]",
            );
        }
        bad(
            "market.segment_shares".into(),
            self.market.segment_shares.iter().sum::<f64>() > 0.0,
            "shares with a positive sum",
        );
        for (i, s) in self.market.industry_weights.iter().enumerate() {
            bad(
                format!("market.industry_weights[{i}]"),
                nonneg(*s),
                "a non-negative weight",
            );
        }
        bad(
            "market.industry_weights".into(),
            self.market.industry_weights.iter().sum::<f64>() > 0.0,
            "weights with a positive sum",
        );
    }

    /// Each vendor's policy and name.
    fn vendor_checks(&self, bad: &mut impl FnMut(String, bool, &str)) {
        bad(
            "vendor".into(),
            !self.vendors.is_empty() && self.vendors.len() <= 200,
            "a list of 1 to 200 vendors",
        );
        for (i, vs) in self.vendors.iter().enumerate() {
            let k = |f: &str| format!("vendor.{}.{f}", vs.name);
            let p = &vs.policy;
            bad(
                k("policy.share_shift"),
                (-1.0..=1.0).contains(&p.share_shift),
                "in [-1, 1]",
            );
            bad(
                k("policy.price_factor"),
                p.price_factor > 0.0 && p.price_factor <= 10.0,
                "in (0, 10]",
            );
            bad(k("policy.rd_rate"), unit(p.rd_rate), "a share in [0, 1]");
            bad(k("policy.rd_floor"), nonneg(p.rd_floor), "non-negative");
            bad(k("policy.enablement"), nonneg(p.enablement), "non-negative");
            bad(
                k("policy.online_level"),
                unit(p.online_level),
                "a level in [0, 1]",
            );
            bad(
                k("policy.squeeze_on_miss"),
                unit(p.squeeze_on_miss),
                "in [0, 1]",
            );
            bad(k("policy.managers"), p.managers > 0.0, "positive");
            bad(
                k("policy.managers_growth"),
                nonneg(p.managers_growth),
                "non-negative",
            );
            bad(
                k("policy.poach_on_miss"),
                unit(p.poach_on_miss),
                "a probability in [0, 1]",
            );
            bad(
                k("policy.growth_target"),
                p.growth_target.is_finite() && p.growth_target > -1.0,
                "above -1",
            );
            bad(
                format!("vendor[{i}].name"),
                !vs.name.is_empty(),
                "a non-empty name",
            );
        }
    }

    /// The parameters that are lists: by segment, ring or need.
    fn array_param_checks(&self, bad: &mut impl FnMut(String, bool, &str)) {
        let pr = &self.params;
        for (name, arr) in [
            ("base_churn", pr.base_churn),
            ("need_prox", pr.need_prox),
            ("need_exp", pr.need_exp),
            ("need_comp", pr.need_comp),
            ("need_price", pr.need_price),
            ("online_reach", pr.online_reach),
        ] {
            for (i, x) in arr.iter().enumerate() {
                bad(format!("params.{name}[{i}]"), unit(*x), "in [0, 1]");
            }
        }
        for (i, x) in pr.service_weights.iter().enumerate() {
            bad(
                format!("params.service_weights[{i}]"),
                *x > 0.0 && x.is_finite(),
                "positive",
            );
        }
        for (name, arr) in [("base_acv", pr.base_acv), ("load_units", pr.load_units)] {
            for (i, x) in arr.iter().enumerate() {
                bad(format!("params.{name}[{i}]"), *x > 0.0, "positive");
            }
        }
    }

    /// The parameters that are shares, probabilities or levels in [0, 1]
    /// (and the quality band).
    fn share_param_checks(&self, bad: &mut impl FnMut(String, bool, &str)) {
        let pr = &self.params;
        for (name, x) in [
            ("bass_p", pr.bass_p),
            ("bass_q", pr.bass_q),
            ("start_satisfaction", pr.start_satisfaction),
            ("satisfaction_rate", pr.satisfaction_rate),
            ("reputation_weight", pr.reputation_weight),
            ("start_reputation", pr.start_reputation),
            ("warm_share", pr.warm_share),
            ("expansion_rate", pr.expansion_rate),
            ("lock_base", pr.lock_base),
            ("churn_cap", pr.churn_cap),
            ("orphan_leave", pr.orphan_leave),
            ("intra_move", pr.intra_move),
            ("intra_discount", pr.intra_discount),
            ("growth_invest", pr.growth_invest),
            ("exclusive_security", pr.exclusive_security),
            ("equity_security", pr.equity_security),
            ("equity_bind", pr.equity_bind),
            ("service_online_prox", pr.service_online_prox),
            ("start_trust", pr.start_trust),
            ("hire_above", pr.hire_above),
            ("fire_below", pr.fire_below),
            ("app_rate", pr.app_rate),
            ("app_threshold", pr.app_threshold),
            ("validate_quality", pr.validate_quality),
            ("eta_t", pr.eta_t),
            ("eta_x", pr.eta_x),
            ("eta_n", pr.eta_n),
            ("forget", pr.forget),
            ("online_capability_max", pr.online_capability_max),
            ("own_invest", pr.own_invest),
            ("trust_recovery", pr.trust_recovery),
            ("trust_hit", pr.trust_hit),
            ("trust_leave_below", pr.trust_leave_below),
            ("trust_leave_prob", pr.trust_leave_prob),
            ("rd_depreciation", pr.rd_depreciation),
            ("quality_floor", pr.quality_floor),
            ("start_quality", pr.start_quality),
            ("online_price", pr.online_price),
            ("hosting", pr.hosting),
            ("royalty", pr.royalty),
            ("sales_marketing", pr.sales_marketing),
            ("general_admin", pr.general_admin),
            ("support", pr.support),
            ("support_partner", pr.support_partner),
            ("tax_rate", pr.tax_rate),
        ] {
            bad(format!("params.{name}"), unit(x), "in [0, 1]");
        }
        bad(
            "params.quality_span".into(),
            unit(pr.quality_floor + pr.quality_span) && pr.quality_span > 0.0,
            "positive, with quality_floor + quality_span in [0, 1]",
        );
        bad(
            "params.start_quality".into(),
            pr.start_quality >= pr.quality_floor
                && pr.start_quality < pr.quality_floor + pr.quality_span,
            "in [quality_floor, quality_floor + quality_span)",
        );
    }

    /// The parameters that are positive.
    fn positive_param_checks(&self, bad: &mut impl FnMut(String, bool, &str)) {
        let pr = &self.params;
        for (name, x) in [
            ("ring_growth", pr.ring_growth),
            ("need_concentration", pr.need_concentration),
            ("local_reach_staff", pr.local_reach_staff),
            ("capacity_per_staff", pr.capacity_per_staff),
            ("experience_half", pr.experience_half),
            ("training_scale", pr.training_scale),
            ("patience_ref", pr.patience_ref),
            ("reference_enterprises", pr.reference_enterprises),
            ("rd_scale", pr.rd_scale),
            ("app_concentration", pr.app_concentration),
        ] {
            bad(
                format!("params.{name}"),
                x.is_finite() && x > 0.0,
                "positive",
            );
        }
    }

    /// The parameters that are non-negative, or otherwise bounded.
    fn other_param_checks(&self, bad: &mut impl FnMut(String, bool, &str)) {
        let pr = &self.params;
        for (name, x) in [
            ("wage", pr.wage),
            ("start_cash_months", pr.start_cash_months),
            ("cash_for_hire_months", pr.cash_for_hire_months),
            ("exit_cash_months", pr.exit_cash_months),
            ("services_first_year", pr.services_first_year),
            ("services_expansion", pr.services_expansion),
            ("manager_cost", pr.manager_cost),
            ("rd_min", pr.rd_min),
            ("training_system", pr.training_system),
            ("platform_cost", pr.platform_cost),
            ("warm_boost", pr.warm_boost),
            ("surplus_wtp", pr.surplus_wtp),
            ("churn_sensitivity", pr.churn_sensitivity),
            ("u_quality", pr.u_quality),
            ("u_prox", pr.u_prox),
            ("u_exp", pr.u_exp),
            ("u_comp", pr.u_comp),
            ("u_rep", pr.u_rep),
            ("u_price", pr.u_price),
            ("incentive_effort", pr.incentive_effort),
            ("staff_online_capacity", pr.staff_online_capacity),
        ] {
            bad(format!("params.{name}"), nonneg(x), "non-negative");
        }
        bad(
            "params.growth_hire_months".into(),
            pr.growth_hire_months.is_finite() && pr.growth_hire_months > 0.0,
            "positive",
        );
        bad(
            "params.frontier_growth".into(),
            (0.0..=1.0).contains(&pr.frontier_growth),
            "a growth a year in [0, 1]",
        );
        bad(
            "params.loss_fire".into(),
            pr.loss_fire <= 100,
            "an integer in 0..=100",
        );
        bad(
            "params.u_outside".into(),
            pr.u_outside.is_finite(),
            "a finite number",
        );
    }
}

/// A share, probability or level: in [0, 1].
fn unit(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

/// Finite and not negative.
fn nonneg(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

impl Scenario {
    /// The range checks of the kinds, the strategies and the vendors' use
    /// of them: `bad(key, ok, allowed)` as in [`Scenario::violations`].
    fn channel_checks(&self, bad: &mut impl FnMut(String, bool, &str)) {
        let pr = &self.params;
        bad(
            "params.kinds".into(),
            pr.kinds.len() <= 255,
            "at most 255 kinds",
        );
        let mut desk: Option<&str> = None;
        for (name, kp) in &pr.kinds.0 {
            let key = |f: &str| format!("params.kinds.{name}.{f}");
            for (f, x) in [
                ("start_capability", kp.start_capability),
                ("share_first", kp.share_first),
                ("share_renew", kp.share_renew),
                ("equity", kp.equity),
                ("contract_security", kp.contract_security),
                ("incentive", kp.incentive),
            ] {
                bad(key(f), unit(x), "in [0, 1]");
            }
            for (f, x) in [
                ("mgmt_base", kp.mgmt_base),
                ("mgmt_per_staff", kp.mgmt_per_staff),
                ("wage_factor", kp.wage_factor),
            ] {
                bad(key(f), nonneg(x), "non-negative");
            }
            bad(key("start_staff"), kp.start_staff >= 1, "at least 1");
            bad(
                key("segments"),
                !kp.segments.is_empty(),
                "a non-empty list of segments (small, medium, large, strategic)",
            );
            bad(
                key("split_capability"),
                kp.split_capability.is_finite(),
                "a finite number",
            );
            if kp.direct_desk {
                let other =
                    desk.map(|d| format!("false: at most one kind is the direct desk ({d} is)"));
                bad(
                    key("direct_desk"),
                    other.is_none(),
                    other.as_deref().unwrap_or(""),
                );
                desk.get_or_insert(name);
            }
        }
        bad(
            "params.strategies".into(),
            pr.strategies.len() <= 255,
            "at most 255 strategies",
        );
        let kinds: Vec<&str> = pr.kinds.names().collect();
        let one_of = format!("the name of a kind: one of {}", kinds.join(", "));
        for (name, st) in &pr.strategies.0 {
            bad(
                format!("params.strategies.{name}.kinds"),
                !st.kinds.is_empty(),
                "a non-empty list of { kind = ..., segments = [...], tiers = [...] }",
            );
            let mut owner = [[None::<usize>; N_SEG]; N_TIER];
            for (i, e) in st.kinds.iter().enumerate() {
                let key = |f: &str| format!("params.strategies.{name}.kinds[{i}].{f}");
                bad(key("kind"), pr.kinds.id(&e.kind).is_some(), &one_of);
                for &t in &e.tiers {
                    bad(key("tiers"), (1..=4).contains(&t), "tiers in 1..=4");
                }
                for &t in e.tiers.iter().filter(|t| (1..=4).contains(*t)) {
                    for seg in &e.segments {
                        let cell = &mut owner[t as usize - 1][*seg as usize];
                        let msg = cell.map(|o| {
                            format!(
                                "free of overlap: segment {} in tier {t} is already given by kinds[{o}]",
                                seg.name()
                            )
                        });
                        bad(
                            format!("params.strategies.{name}.kinds[{i}]"),
                            msg.is_none(),
                            msg.as_deref().unwrap_or(""),
                        );
                        cell.get_or_insert(i);
                    }
                }
            }
        }
        let names: Vec<&str> = pr.strategies.names().collect();
        let one_of = format!("a strategy: one of {}", names.join(", "));
        for vs in &self.vendors {
            let ok = vs
                .mix
                .strategies()
                .iter()
                .all(|s| pr.strategies.by_name(s).is_some());
            bad(format!("vendor.{}.strategy", vs.name), ok, &one_of);
        }
    }
}

impl Market {
    /// MODEL.md's default market: 24 cities, 64,000 enterprises.
    pub fn default_market() -> Market {
        let mut cities = Vec::new();
        for (tier, count, enterprises) in
            [(1u8, 2, 8000u32), (2, 6, 4000), (3, 8, 2000), (4, 8, 1000)]
        {
            for _ in 0..count {
                cities.push(CitySpec {
                    tier,
                    enterprises,
                    addressable_share: 1.0,
                });
            }
        }
        Market {
            cities,
            segment_shares: [0.70, 0.22, 0.07, 0.01],
            industry_weights: [1.0; N_IND],
        }
    }
}

impl Scenario {
    /// One vendor alone in the default market (tests, benches, examples).
    pub fn single(strategy: Strategy, preset: &str) -> Scenario {
        Scenario {
            name: format!("{}-{preset}", strategy.name()),
            description: String::new(),
            model: Readings::default(),
            horizon_months: 120,
            replicates: 1,
            seed: 42,
            discount_rate: 0.08,
            market: Market::default_market(),
            vendors: vec![VendorSpec {
                name: "focal".into(),
                mix: Mix::uniform(strategy),
                policy_preset: preset.into(),
                policy: Policy::preset(preset).expect("known preset"),
            }],
            switches: Switches::default(),
            params: Params::default(),
        }
    }
}

impl Market {
    /// The 1,000,000-enterprise market of `scenarios/large.toml`: 400 cities.
    pub fn large_market() -> Market {
        let mut m = Market::default_market();
        m.cities.clear();
        for (tier, count, enterprises) in [
            (1u8, 25, 8000u32),
            (2, 100, 4000),
            (3, 125, 2000),
            (4, 150, 1000),
        ] {
            for _ in 0..count {
                m.cities.push(CitySpec {
                    tier,
                    enterprises,
                    addressable_share: 1.0,
                });
            }
        }
        m
    }
}

impl Scenario {
    /// Whether units of `kind` are exclusive in their city: the kind's
    /// flag, and for kinds whose exclusivity is a reading
    /// (`exclusive_by_reading`, the seed's joint venture) the
    /// `model.jv_exclusive` reading too.
    #[inline]
    pub fn exclusive(&self, kind: KindId) -> bool {
        let k = self.params.kinds.get(kind);
        k.exclusive && (!k.exclusive_by_reading || self.model.jv_exclusive)
    }

    /// Whether units of `kind` have trust dynamics (start at `start_trust`,
    /// are hurt, recover): partners always, owned units under
    /// `model.owned_trust = "dynamic"`.
    #[inline]
    pub fn has_trust(&self, kind: KindId) -> bool {
        !self.params.kinds.get(kind).owned || self.model.owned_trust == OwnedTrust::Dynamic
    }

    /// The first vendor's policy (tests and examples).
    pub fn policy_mut(&mut self) -> &mut Policy {
        &mut self.vendors[0].policy
    }
}

#[cfg(test)]
mod issue14_tests {
    use super::*;

    /// A negative share used to wrap the unsigned remainder and loop for
    /// minutes before validation could report it.
    #[test]
    fn issue14_invalid_segment_shares_neither_hang_nor_wrap() {
        let mut m = Market::default_market();
        let city = m.cities[0].clone();
        for shares in [
            [1.5, -0.5, 0.0, 0.0],
            [f64::NAN, 0.2, 0.1, 0.0],
            [0.0; N_SEG],
            [f64::INFINITY, 0.0, 0.0, 0.0],
        ] {
            m.segment_shares = shares;
            let t = std::time::Instant::now();
            assert_eq!(m.segment_sizes(&city), [0; N_SEG], "{shares:?}");
            assert!(t.elapsed().as_millis() < 100);
        }
        m.segment_shares = [0.7, 0.22, 0.07, 0.01];
        assert_eq!(m.segment_sizes(&city).iter().sum::<u32>(), city.enterprises);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UnitKind;

    /// Issue 11 B2: kind security derived from contract, exclusivity and
    /// equity keeps every kind's v1 value at the defaults, and falls when
    /// a kind loses its exclusivity or its equity.
    #[test]
    fn issue11_kind_security_from_its_causes_keeps_the_v1_values() {
        let mut p = Params::default();
        let v1 = [
            (UnitKind::Reseller, 0.2),
            (UnitKind::AccountTeam, 1.0),
            (UnitKind::Branch, 1.0),
            (UnitKind::Cell, 0.4),
            (UnitKind::JointVenture, 0.8),
            (UnitKind::CityPartner, 0.9),
            (UnitKind::Online, 1.0),
        ];
        for (k, want) in v1 {
            assert!((p.kind_security(k.into()) - want).abs() < 1e-12, "{k:?}");
        }
        p.kinds.by_name_mut("city_partner").unwrap().exclusive = false;
        assert!((p.kind_security(UnitKind::CityPartner.into()) - 0.6).abs() < 1e-12);
        p.kinds.by_name_mut("joint_venture").unwrap().equity = 0.0;
        assert!((p.kind_security(UnitKind::JointVenture.into()) - 0.698).abs() < 1e-12);
    }

    #[test]
    fn issue11_v2_parameters_out_of_range_are_named() {
        let mut sc = Scenario::single(Strategy::CityExclusive, "long_term");
        sc.params.growth_invest = 1.5;
        sc.params.growth_hire_months = 0.0;
        sc.params.frontier_growth = -0.1;
        sc.params.kinds.by_name_mut("branch").unwrap().incentive = 2.0;
        sc.params
            .kinds
            .by_name_mut("cell")
            .unwrap()
            .contract_security = -0.1;
        let keys: Vec<String> = sc.violations().into_iter().map(|v| v.key).collect();
        for k in [
            "params.growth_invest",
            "params.growth_hire_months",
            "params.frontier_growth",
            "params.kinds.branch.incentive",
            "params.kinds.cell.contract_security",
        ] {
            assert!(keys.iter().any(|x| x == k), "{k} not in {keys:?}");
        }
    }
}
