//! The month's schedule: its phases in the model's order ([`Phase`]),
//! each phase's random stream and the time spent in each ([`Timings`]).
//! The one list of the phases: the stepper runs them in this order.

use std::time::{Duration, Instant};

/// The phases of a month, in MODEL.md section 3's order: the stepper runs
/// them in this order, each draws from its own stream, and each is timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    Policy,
    Staffing,
    Acquisition,
    Service,
    Expansion,
    Renewal,
    Payments,
    Learning,
    VendorEconomics,
    Platform,
    Observe,
}

/// Number of phases.
pub const N_PHASES: usize = 11;

impl Phase {
    /// Every phase, in the model's order.
    pub const ALL: [Phase; N_PHASES] = [
        Phase::Policy,
        Phase::Staffing,
        Phase::Acquisition,
        Phase::Service,
        Phase::Expansion,
        Phase::Renewal,
        Phase::Payments,
        Phase::Learning,
        Phase::VendorEconomics,
        Phase::Platform,
        Phase::Observe,
    ];

    /// The phases that work city by city on the city's customers (each
    /// reads and writes one city and its tally only), in order. Payments
    /// also has a world part, which reduces the cities' tallies.
    pub const CITY: [Phase; 5] = [
        Phase::Acquisition,
        Phase::Service,
        Phase::Expansion,
        Phase::Renewal,
        Phase::Payments,
    ];

    /// Whether the phase works city by city (one of [`Phase::CITY`]).
    pub fn per_city(self) -> bool {
        Phase::CITY.contains(&self)
    }

    /// Position in the month.
    #[inline]
    pub fn index(self) -> usize {
        self as usize
    }

    /// Name, as its file in `phases/`.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Policy => "policy",
            Phase::Staffing => "staffing",
            Phase::Acquisition => "acquisition",
            Phase::Service => "service",
            Phase::Expansion => "expansion",
            Phase::Renewal => "renewal",
            Phase::Payments => "payments",
            Phase::Learning => "learning",
            Phase::VendorEconomics => "vendor_economics",
            Phase::Platform => "platform",
            Phase::Observe => "observe",
        }
    }

    /// Key of the phase's random stream ([`crate::rng::Stream::new`]). The
    /// keys are those of engine 0.1 (month 0 is 1, re-homing 12): changing
    /// one changes every result.
    #[inline]
    pub fn stream_key(self) -> u64 {
        match self {
            // Draws nothing; a key no other stream has.
            Phase::Observe => 13,
            p => p as u64 + 2,
        }
    }
}

/// Time spent in each phase.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timings(pub [Duration; N_PHASES]);

impl std::ops::Index<Phase> for Timings {
    type Output = Duration;
    fn index(&self, p: Phase) -> &Duration {
        &self.0[p.index()]
    }
}

impl std::ops::IndexMut<Phase> for Timings {
    fn index_mut(&mut self, p: Phase) -> &mut Duration {
        &mut self.0[p.index()]
    }
}

impl Timings {
    /// Each phase's time with its name, in order.
    pub fn by_phase(&self) -> impl Iterator<Item = (Phase, Duration)> + '_ {
        Phase::ALL.into_iter().map(|p| (p, self[p]))
    }
    pub fn add(&mut self, o: &Timings) {
        for (a, b) in self.0.iter_mut().zip(o.0) {
            *a += b;
        }
    }
}

/// A cheap clock for many short laps (each city's part of each city
/// phase: hundreds of thousands a month): the CPU's time-stamp counter on
/// x86-64, which counts at a constant rate on current CPUs and is read in
/// a few cycles (a system clock read costs far more in a virtual machine,
/// as much as a small city's phase); elsewhere nanoseconds of the system
/// clock. Ticks become time at the rate of [`TickSpan`].
#[inline(always)]
pub fn ticks() -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: RDTSC is in every x86-64 CPU; it reads a counter only.
        unsafe { std::arch::x86_64::_rdtsc() }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
        EPOCH.get_or_init(Instant::now).elapsed().as_nanos() as u64
    }
}

/// A span over which both clocks are read, to convert ticks into time.
pub struct TickSpan {
    at: Instant,
    ticks: u64,
}

impl TickSpan {
    pub fn start() -> TickSpan {
        TickSpan {
            at: Instant::now(),
            ticks: ticks(),
        }
    }

    /// Seconds per tick since the start (0 if no tick passed).
    pub fn seconds_per_tick(&self) -> f64 {
        let secs = self.at.elapsed().as_secs_f64();
        let n = ticks().saturating_sub(self.ticks);
        if n == 0 { 0.0 } else { secs / n as f64 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_listed_in_order_with_distinct_streams() {
        for (k, p) in Phase::ALL.iter().enumerate() {
            assert_eq!(p.index(), k);
        }
        // The stream keys of engine 0.1 (results depend on them).
        let keys: Vec<u64> = Phase::ALL[..10].iter().map(|p| p.stream_key()).collect();
        assert_eq!(keys, (2..=11).collect::<Vec<u64>>());
        let mut all: Vec<u64> = Phase::ALL.iter().map(|p| p.stream_key()).collect();
        all.extend([crate::rng::INIT.0, crate::rng::REHOME.0]);
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n, "two streams share a key");
        // The city phases run one after another within a city.
        let city: Vec<usize> = Phase::CITY.iter().map(|p| p.index()).collect();
        assert!(city.windows(2).all(|w| w[1] == w[0] + 1));
        assert_eq!(Phase::ALL.iter().filter(|p| p.per_city()).count(), 5);
    }

    #[test]
    fn ticks_become_about_the_time_that_passed() {
        let span = TickSpan::start();
        let (t0, c0) = (Instant::now(), ticks());
        while t0.elapsed() < Duration::from_millis(20) {}
        let n = ticks().saturating_sub(c0);
        assert!(n > 0);
        let secs = n as f64 * span.seconds_per_tick();
        assert!((0.015..1.0).contains(&secs), "{secs} s");
    }
}
