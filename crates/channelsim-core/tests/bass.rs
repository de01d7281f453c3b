//! Pattern P8: one vendor, online only, no churn, no capacity limits, reach
//! fixed at 1 and no outside option: adoption follows the discrete Bass
//! recurrence F(t+1) = F(t) + (p + q F(t)) (1 - F(t)) within sampling error.

use channelsim_core::ids::Strategy;
use channelsim_core::metrics::Collect;
use channelsim_core::params::CitySpec;
use channelsim_core::{Scenario, run_replicate};

#[test]
fn bass_reduction_follows_the_recurrence() {
    let mut sc = Scenario::single(Strategy::Online, "long_term");
    sc.horizon_months = 120;
    sc.switches.churn = false;
    sc.switches.capacity_limits = false;
    sc.switches.fixed_reach = Some(1.0);
    sc.switches.outside_option = false;
    // Large blocks, one segment: F of each block is close to its mean.
    sc.market.cities = vec![
        CitySpec {
            tier: 1,
            enterprises: 20_000,
            addressable_share: 1.0
        };
        4
    ];
    sc.market.segment_shares = [1.0, 0.0, 0.0, 0.0];
    sc.scale_head_office(|_| false);
    let n = 80_000.0;
    let (p, q) = (sc.params.bass_p, sc.params.bass_q);
    let reps = 12;
    let mut f = vec![vec![0.0; reps]; 120];
    for rep in 0..reps {
        let mut c = Collect::default();
        run_replicate(&sc, rep as u32, &mut c);
        for r in &c.0 {
            f[r.month as usize - 1][rep] = r.active as f64 / n;
        }
    }
    let mut expect = 0.0;
    let mut worst: f64 = 0.0;
    for (t, xs) in f.iter().enumerate() {
        expect += (p + q * expect) * (1.0 - expect);
        let mean = xs.iter().sum::<f64>() / reps as f64;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (reps - 1) as f64).sqrt();
        // Binomial sampling error of the mean, floored at one adopter's worth.
        let se = (sd / (reps as f64).sqrt())
            .max(expect.max(1e-6).sqrt() / n.sqrt() / (reps as f64).sqrt());
        let z = (mean - expect) / se;
        worst = worst.max(z.abs());
        assert!(
            z.abs() < 5.0,
            "month {}: simulated F {mean:.5} vs recurrence {expect:.5} (z = {z:.2})",
            t + 1
        );
    }
    // The curve moved: this is a real test of diffusion, not of zeros.
    assert!(expect > 0.3, "recurrence only reached {expect}");
    eprintln!("largest |z| over 120 months: {worst:.2}");
}
