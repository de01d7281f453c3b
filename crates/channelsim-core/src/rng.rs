//! Random streams derived from (seed, replicate, month, city, phase).
//!
//! Each phase of each city in each month draws from its own stream, so the
//! draws do not depend on which thread runs which city. The generator is
//! SplitMix64 (a counter hashed by a strong 64-bit finaliser): about 0.2 ns
//! a draw, portable, and statistically sound for simulation.

use crate::schedule::Phase;
use rand::rand_core::{Infallible, TryRng};

/// Which stream of a (month, city): a phase's ([`Phase::stream_key`]),
/// month 0's or the re-homing of orphaned customers'.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key(pub u64);

impl From<Phase> for Key {
    fn from(p: Phase) -> Key {
        Key(p.stream_key())
    }
}

/// The stream of month 0 (the market's enterprises).
pub const INIT: Key = Key(1);
/// The stream of re-homing orphaned customers (in the policy phase).
pub const REHOME: Key = Key(12);

/// City value for streams that belong to no city (vendor-wide draws).
pub const NO_CITY: u32 = u32::MAX;

#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// A SplitMix64 stream.
#[derive(Clone, Debug)]
pub struct Stream {
    state: u64,
}

impl Stream {
    /// The stream of one (seed, replicate, month, city, phase).
    pub fn new(seed: u64, replicate: u32, month: u32, city: u32, key: impl Into<Key>) -> Stream {
        let mut h = mix64(seed ^ GOLDEN);
        for part in [replicate as u64, month as u64, city as u64, key.into().0] {
            h = mix64(
                h ^ part
                    .wrapping_mul(GOLDEN)
                    .wrapping_add(0x632b_e59b_d9b4_e019),
            );
        }
        Stream { state: h }
    }

    /// The next 64 random bits. (Not `Iterator::next`: a stream never ends.)
    #[allow(clippy::should_implement_trait)]
    #[inline]
    pub fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix64(self.state)
    }

    /// The draw `next` would give after `ahead` other draws, without
    /// drawing: the stream is a counter, so any draw can be looked up.
    #[inline]
    pub fn peek(&self, ahead: u64) -> u64 {
        mix64(self.state.wrapping_add(GOLDEN.wrapping_mul(ahead + 1)))
    }

    /// Uniform in [0, 1), 53 bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, 1) as f32, 24 bits: enough for Bernoulli draws on
    /// probabilities given as f32.
    #[inline]
    pub fn uniform_f32(&mut self) -> f32 {
        (self.next() >> 40) as f32 * (1.0 / (1u32 << 24) as f32)
    }

    /// Bernoulli(p).
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Uniform integer in 0..n (n > 0), by Lemire's multiply-shift.
    #[inline]
    pub fn below(&mut self, n: u32) -> u32 {
        (((self.next() >> 32) * n as u64) >> 32) as u32
    }

    /// 64 independent Bernoulli(num / 256) bits: one random word per binary
    /// digit of the probability, from the least significant, OR where the
    /// digit is 1 and AND where it is 0 (bit by bit, P' = (1 + P) / 2 or
    /// P / 2, which ends at P = num / 256). Trailing zero digits draw
    /// nothing.
    #[inline]
    pub fn bernoulli_mask(&mut self, num: u32) -> u64 {
        if num == 0 {
            return 0;
        }
        if num >= 256 {
            return !0;
        }
        let mut m = 0u64;
        for j in num.trailing_zeros()..8 {
            let r = self.next();
            m = if (num >> j) & 1 == 1 { m | r } else { m & r };
        }
        m
    }

    /// Bernoulli trials i in 0..n of probabilities p(i) <= p_max, by
    /// thinning: candidates come 64 at a time with probability p_max
    /// rounded up to a multiple of 1/256 ([`Stream::bernoulli_mask`]), and
    /// `trial(i, v)` is called for each candidate in order with v uniform
    /// on [0, p_max'): the trial succeeds iff v < p(i). Exact, and the cost
    /// is one word per digit per 64 trials plus one draw per candidate,
    /// not one draw per trial.
    #[inline]
    pub fn thinned(&mut self, n: usize, p_max: f32, mut trial: impl FnMut(usize, f32)) {
        if p_max.is_nan() || p_max <= 0.0 {
            return; // no trial can succeed
        }
        let num = ((p_max * 256.0).ceil() as u32).min(256);
        let scale = num as f32 / 256.0;
        let mut start = 0;
        while start < n {
            let len = (n - start).min(64);
            let mut mask = self.bernoulli_mask(num);
            if len < 64 {
                mask &= (1u64 << len) - 1;
            }
            while mask != 0 {
                let j = mask.trailing_zeros() as usize;
                mask &= mask - 1;
                trial(start + j, self.uniform_f32() * scale);
            }
            start += 64;
        }
    }
}

impl TryRng for Stream {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next() >> 32) as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let b = self.next().to_le_bytes();
            chunk.copy_from_slice(&b[..chunk.len()]);
        }
        Ok(())
    }
}

/// Binomial(n, p) from the stream (rand_distr's BTPE; exact for any n).
pub fn binomial(rng: &mut Stream, n: u64, p: f64) -> u64 {
    use rand_distr::{Binomial, Distribution};
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    Binomial::new(n, p).map(|d| d.sample(rng)).unwrap_or(0)
}

/// Beta with the given mean and concentration (a + b), in (0, 1).
pub fn beta_mean(rng: &mut Stream, mean: f64, concentration: f64) -> f64 {
    BetaMean::new(mean, concentration).sample(rng)
}

/// `beta_mean` set up once for many draws (the same draws).
#[derive(Clone, Copy, Debug)]
pub struct BetaMean {
    mean: f64,
    beta: Option<rand_distr::Beta<f64>>,
}

impl BetaMean {
    pub fn new(mean: f64, concentration: f64) -> BetaMean {
        let m = mean.clamp(1e-3, 1.0 - 1e-3);
        BetaMean {
            mean: m,
            beta: rand_distr::Beta::new(m * concentration, (1.0 - m) * concentration).ok(),
        }
    }

    #[inline]
    pub fn sample(&self, rng: &mut Stream) -> f64 {
        use rand_distr::Distribution;
        self.beta.map(|d| d.sample(rng)).unwrap_or(self.mean)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peek_gives_the_draw_next_will_give() {
        let mut s = Stream::new(3, 1, 7, 2, Phase::Acquisition);
        let ahead: Vec<u64> = (0..10).map(|k| s.peek(k)).collect();
        let drawn: Vec<u64> = (0..10).map(|_| s.next()).collect();
        assert_eq!(ahead, drawn);
        assert_ne!(s.peek(0), drawn[9]);
    }

    #[test]
    fn streams_differ_by_every_coordinate() {
        let base = Stream::new(1, 0, 0, 0, Phase::Service).next();
        assert_ne!(base, Stream::new(2, 0, 0, 0, Phase::Service).next());
        assert_ne!(base, Stream::new(1, 1, 0, 0, Phase::Service).next());
        assert_ne!(base, Stream::new(1, 0, 1, 0, Phase::Service).next());
        assert_ne!(base, Stream::new(1, 0, 0, 1, Phase::Service).next());
        assert_ne!(base, Stream::new(1, 0, 0, 0, Phase::Renewal).next());
        assert_eq!(base, Stream::new(1, 0, 0, 0, Phase::Service).next());
    }

    #[test]
    fn uniform_mean_and_below_bounds() {
        let mut s = Stream::new(7, 0, 0, 0, INIT);
        let n = 200_000;
        let mean: f64 = (0..n).map(|_| s.uniform()).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.005, "mean {mean}");
        let mut counts = [0u32; 5];
        for _ in 0..50_000 {
            counts[s.below(5) as usize] += 1;
        }
        for c in counts {
            assert!((c as i64 - 10_000).abs() < 500, "{counts:?}");
        }
    }

    #[test]
    fn bernoulli_mask_bits_have_the_probability_and_are_independent() {
        let mut s = Stream::new(11, 0, 0, 0, Phase::Expansion);
        for num in [1u32, 13, 128, 200, 255] {
            let p = num as f64 / 256.0;
            let words = 20_000;
            let (mut ones, mut both) = (0u64, 0u64);
            for _ in 0..words {
                let m = s.bernoulli_mask(num);
                ones += m.count_ones() as u64;
                both += m & (m >> 1) & 1; // lanes 0 and 1 together
            }
            let n = (words * 64) as f64;
            let sd = (p * (1.0 - p) / n).sqrt();
            let got = ones as f64 / n;
            assert!((got - p).abs() < 5.0 * sd, "num {num}: {got} vs {p}");
            let pair = both as f64 / words as f64;
            let sd2 = (p * p * (1.0 - p * p) / words as f64).sqrt();
            assert!((pair - p * p).abs() < 5.0 * sd2, "num {num}: pair {pair}");
        }
        assert_eq!(s.bernoulli_mask(0), 0);
        assert_eq!(s.bernoulli_mask(256), !0);
    }

    #[test]
    fn thinned_trials_succeed_with_their_own_probability() {
        // Probabilities that vary by index; thinning against their maximum
        // must give each group its own rate.
        let mut s = Stream::new(12, 0, 0, 0, Phase::Expansion);
        let p = |i: usize| [0.001f32, 0.02, 0.07, 0.0][i % 4];
        let (n, reps) = (1000usize, 400);
        let mut hits = [0u64; 4];
        for _ in 0..reps {
            s.thinned(n, 0.07, |i, v| {
                if v < p(i) {
                    hits[i % 4] += 1
                }
            });
        }
        for (g, &h) in hits.iter().enumerate() {
            let trials = (n / 4 * reps) as f64;
            let q = p(g) as f64;
            let sd = (q * (1.0 - q) * trials).sqrt().max(1e-9);
            let z = (h as f64 - q * trials) / sd;
            assert!(z.abs() < 5.0, "group {g}: {h} hits, z {z}");
        }
        assert_eq!(hits[3], 0);
    }

    #[test]
    fn binomial_mean_matches() {
        let mut s = Stream::new(3, 0, 0, 0, Phase::Acquisition);
        let mean = (0..2000)
            .map(|_| binomial(&mut s, 1000, 0.1) as f64)
            .sum::<f64>()
            / 2000.0;
        assert!((mean - 100.0).abs() < 1.5, "mean {mean}");
    }
}
