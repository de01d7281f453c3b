//! The reference kernel: a fixed customer-month loop of the engine's shape,
//! timed by every suite so that each case can be stated as a ratio to it.
//! A machine (or a host's fast or slow phase) that runs the kernel 20%
//! faster runs the engine about as much faster, so ratios compare machines
//! and commits where absolute rates do not.
//!
//! Shape: structure of arrays (one column per field), counter-based random
//! numbers (a hash of seed, month, pass and customer: no state carried),
//! customers worked block by block ("cities") through four passes like the
//! engine's customer phases: service (a need-weighted mean with a division),
//! expansion (a draw per customer), renewal (a yearly churn draw, lost
//! customers replaced so the work stays constant) and payments (bills summed
//! by cell). Its code is frozen: change it and [`KERNEL_VERSION`] must change,
//! since ratios are only comparable under one kernel.

use std::hint::black_box;

/// Version of the kernel's code; baselines compare ratios only under the same.
pub const KERNEL_VERSION: u32 = 1;
/// Customers in the kernel's market.
pub const KERNEL_CUSTOMERS: usize = 1 << 20;
/// Months the kernel runs.
pub const KERNEL_MONTHS: u32 = 24;
/// Customers in one block (a city's worth, about).
const BLOCK: usize = 4096;

/// The kernel's columns.
struct Columns {
    need: Vec<f32>,
    satisfaction: Vec<f32>,
    seats: Vec<u32>,
    tenure: Vec<u16>,
    acv: Vec<f32>,
    cell: Vec<u8>,
}

/// SplitMix64's finaliser: a counter-based generator (the engine's streams
/// are counter-based too: a draw is a hash of its coordinates).
#[inline(always)]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A uniform draw in [0, 1) for (month, pass, customer).
#[inline(always)]
fn uniform(key: u64, i: usize) -> f32 {
    (mix(key ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)) >> 40) as f32
        * (1.0 / (1u64 << 24) as f32)
}

fn key(month: u32, pass: u64) -> u64 {
    mix(0x5eed ^ ((month as u64) << 8) ^ pass)
}

impl Columns {
    fn new(n: usize) -> Columns {
        let k = key(0, 0);
        Columns {
            need: (0..n).map(|i| 0.5 + uniform(k, i)).collect(),
            satisfaction: (0..n).map(|i| 0.5 + 0.3 * uniform(k ^ 1, i)).collect(),
            seats: (0..n).map(|i| 1 + (mix(i as u64) % 20) as u32).collect(),
            tenure: (0..n).map(|i| (mix(i as u64 ^ 7) % 12) as u16).collect(),
            acv: (0..n)
                .map(|i| 25.0 * (1.0 + 3.0 * uniform(k ^ 2, i)))
                .collect(),
            cell: (0..n).map(|i| (mix(i as u64 ^ 9) % 90) as u8).collect(),
        }
    }
}

/// The kernel's market, built outside the timing (as the engine's world is).
pub struct Kernel {
    columns: Columns,
}

impl Kernel {
    pub fn new(customers: usize) -> Kernel {
        Kernel {
            columns: Columns::new(customers),
        }
    }

    /// Run `months` months. Returns a checksum (so that nothing is
    /// optimised away) and the customer-months served.
    pub fn run(&mut self, months: u32) -> (f64, u64) {
        let c = &mut self.columns;
        let customers = c.need.len();
        let mut bills = [0.0f64; 90];
        for month in 1..=months {
            let keys = [key(month, 1), key(month, 2), key(month, 3)];
            let quality = 0.6 + 0.01 * (month % 10) as f32;
            let mut at = 0;
            while at < customers {
                let end = (at + BLOCK).min(customers);
                service(c, at..end, quality);
                expansion(c, at..end, keys[0]);
                renewal(c, at..end, keys[1], keys[2]);
                payments(c, at..end, &mut bills);
                at = end;
            }
            black_box(&bills);
        }
        let sum = bills.iter().sum::<f64>()
            + c.satisfaction.iter().map(|&s| s as f64).sum::<f64>()
            + c.seats.iter().map(|&s| s as f64).sum::<f64>();
        (sum, customers as u64 * months as u64)
    }
}

/// Build and run the kernel: `customers` customers for `months` months.
pub fn run_kernel(customers: usize, months: u32) -> (f64, u64) {
    Kernel::new(customers).run(months)
}

/// Satisfaction moves toward a need-weighted service level.
fn service(c: &mut Columns, r: std::ops::Range<usize>, quality: f32) {
    let (need, sat) = (&c.need[r.clone()], &mut c.satisfaction[r]);
    for (s, &n) in sat.iter_mut().zip(need) {
        let level = quality * n / (n + 0.25);
        *s = 0.9 * *s + 0.1 * level;
    }
}

/// A customer adds a seat with a probability that grows with satisfaction.
fn expansion(c: &mut Columns, r: std::ops::Range<usize>, key: u64) {
    let (sat, seats) = (&c.satisfaction[r.clone()], &mut c.seats[r.clone()]);
    for (k, (s, n)) in sat.iter().zip(seats.iter_mut()).enumerate() {
        let add = uniform(key, r.start + k) < 0.02 * s;
        *n += add as u32;
    }
}

/// At each yearly renewal a customer leaves with a probability that falls
/// with satisfaction, and a new customer takes its place.
fn renewal(c: &mut Columns, r: std::ops::Range<usize>, key: u64, fresh: u64) {
    for i in r {
        c.tenure[i] += 1;
        if !c.tenure[i].is_multiple_of(12) {
            continue;
        }
        if uniform(key, i) < 0.3 * (1.0 - c.satisfaction[i]) {
            c.tenure[i] = 0;
            c.seats[i] = 1;
            c.satisfaction[i] = 0.5;
            c.need[i] = 0.5 + uniform(fresh, i);
        }
    }
}

/// Monthly bills, summed by cell.
fn payments(c: &Columns, r: std::ops::Range<usize>, bills: &mut [f64; 90]) {
    let (seats, acv, cell) = (&c.seats[r.clone()], &c.acv[r.clone()], &c.cell[r]);
    for ((&n, &a), &k) in seats.iter().zip(acv).zip(cell) {
        bills[k as usize] += (n as f32 * a * (1.0 / 12.0)) as f64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_is_deterministic_and_counts_its_work() {
        let a = run_kernel(10_000, 13);
        let b = run_kernel(10_000, 13);
        assert_eq!(a.0.to_bits(), b.0.to_bits());
        assert_eq!(a.1, 130_000);
        // More months, more bills: the loop does its work.
        assert!(run_kernel(10_000, 14).0 > a.0);
    }

    #[test]
    fn renewal_replaces_some_customers_each_year() {
        let mut c = Columns::new(50_000);
        let before = c.need.clone();
        for m in 1..=12 {
            renewal(&mut c, 0..50_000, key(m, 2), key(m, 3));
        }
        let replaced = c.need.iter().zip(&before).filter(|(a, b)| a != b).count();
        // About 0.3 * (1 - 0.65) of customers, i.e. ~10%.
        assert!((2_000..10_000).contains(&replaced), "{replaced}");
    }
}
