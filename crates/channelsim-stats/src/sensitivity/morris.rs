//! Morris screening measures from a [`crate::MorrisDesign`], with SALib's `analyze.morris`
//! conventions (unscaled elementary effects, `sigma` with n - 1, bootstrapped `mu_star_conf`).

use rand::RngExt;
use serde::Serialize;

use super::{Bootstrap, sd};
use crate::design::MorrisDesign;
use crate::dist::{mean, sample_var};
use crate::error::{Result, StatsError, check_finite};

/// Morris measures per factor, serialized with SALib's keys.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MorrisResult {
    /// Mean elementary effect (signed: opposite signs cancel).
    pub mu: Vec<f64>,
    /// Mean absolute elementary effect, the ranking measure.
    pub mu_star: Vec<f64>,
    /// Standard deviation of the elementary effects: non-linearity or interactions.
    pub sigma: Vec<f64>,
    /// Bootstrap half-width of `mu_star`.
    pub mu_star_conf: Vec<f64>,
}

/// Morris measures from outputs `y`, one per row of `design.points`.
///
/// An elementary effect is `(y at the factor's high point - y at its low point) / delta`,
/// with `delta` the step as a fraction of the range, as SALib computes it. Each factor
/// needs at least two effects (two trajectories) for `sigma`. `mu_star_conf` resamples a
/// factor's effects with replacement.
pub fn morris_indices(design: &MorrisDesign, y: &[f64], boot: &Bootstrap) -> Result<MorrisResult> {
    boot.check()?;
    let effects = elementary_effects(design, y)?;
    let mut rng = boot.rng();
    let z = boot.z();
    let mut out = MorrisResult {
        mu: Vec::with_capacity(design.k),
        mu_star: Vec::with_capacity(design.k),
        sigma: Vec::with_capacity(design.k),
        mu_star_conf: Vec::with_capacity(design.k),
    };
    for ee in &effects {
        let m = mean(ee);
        let abs: Vec<f64> = ee.iter().map(|e| e.abs()).collect();
        let draws: Vec<f64> = (0..boot.resamples)
            .map(|_| {
                (0..abs.len())
                    .map(|_| abs[rng.random_range(0..abs.len())])
                    .sum::<f64>()
            })
            .map(|s| s / abs.len() as f64)
            .collect();
        out.mu.push(m);
        out.mu_star.push(mean(&abs));
        out.sigma.push(sample_var(ee, m).sqrt());
        out.mu_star_conf.push(z * sd(&draws));
    }
    Ok(out)
}

/// Elementary effects per factor, after checking that `design` and `y` fit together.
fn elementary_effects(design: &MorrisDesign, y: &[f64]) -> Result<Vec<Vec<f64>>> {
    let (k, r) = (design.k, design.trajectories);
    let shape_ok = k > 0
        && design.points.len() == r * (k + 1)
        && design.steps.len() == r * k
        && design.steps.iter().all(|s| s.factor < k);
    if !shape_ok {
        return Err(StatsError::OutputShape {
            len: design.points.len(),
            expected: "a consistent Morris design (points, steps, k, trajectories)".into(),
        });
    }
    if !(design.delta.is_finite() && design.delta > 0.0) {
        return Err(StatsError::BadLevels(design.levels));
    }
    if y.len() != design.points.len() {
        return Err(StatsError::LengthMismatch {
            left: y.len(),
            right: design.points.len(),
        });
    }
    check_finite("model outputs", y)?;
    let mut effects = vec![Vec::with_capacity(r); k];
    for t in 0..r {
        for m in 0..k {
            let step = design.steps[t * k + m];
            let (before, after) = (y[t * (k + 1) + m], y[t * (k + 1) + m + 1]);
            let rise = if step.up {
                after - before
            } else {
                before - after
            };
            effects[step.factor].push(rise / design.delta);
        }
    }
    if let Some(few) = effects.iter().find(|e| e.len() < 2) {
        return Err(StatsError::TooFew {
            what: "elementary effects per factor",
            need: 2,
            got: few.len(),
        });
    }
    Ok(effects)
}
