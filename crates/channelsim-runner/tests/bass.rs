//! Pattern P8 on `scenarios/bass.toml` as a user runs it: one vendor, online
//! only, no churn, no capacity limits, reach fixed at 1 and no outside
//! option; adoption follows the discrete Bass recurrence
//! F(t+1) = F(t) + (p + q F(t)) (1 - F(t)) within sampling error at every
//! month.

use std::path::Path;

use channelsim_core::metrics::Collect;
use channelsim_core::run_replicate;
use channelsim_runner::scenario::load_scenario;

#[test]
fn bass_toml_follows_the_recurrence() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/bass.toml");
    let sc = load_scenario(&path, &[]).unwrap().base;
    let n = sc.market.total_enterprises() as f64;
    let (p, q) = (sc.params.bass_p, sc.params.bass_q);
    let reps = sc.replicates as usize;
    let months = sc.horizon_months as usize;
    assert!(reps >= 10 && months == 120);
    let mut f = vec![vec![0.0; reps]; months];
    #[allow(clippy::needless_range_loop)] // rep is also the replicate number
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
        // Sampling error of the mean, floored at one adopter's worth.
        let se = (sd / (reps as f64).sqrt())
            .max(expect.max(1e-6).sqrt() / n.sqrt() / (reps as f64).sqrt());
        let z = (mean - expect) / se;
        worst = worst.max(z.abs());
        // 120 months: |z| < 4 is a two-sided 1e-4 bound per month.
        assert!(
            z.abs() < 4.0,
            "month {}: simulated F {mean:.5} vs recurrence {expect:.5} (z = {z:.2})",
            t + 1
        );
    }
    // The curve moved: this is a real test of diffusion, not of zeros.
    assert!(expect > 0.7, "recurrence only reached {expect}");
    eprintln!("largest |z| over 120 months: {worst:.2}");
}
