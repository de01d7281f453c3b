//! Saltelli's cross-sampled Sobol' design, laid out exactly as SALib's `sample.sobol`
//! (unscrambled) / `sample.saltelli`, so outputs feed [`crate::sobol_indices`] like SALib's.

use super::{Factor, check_factors, sobol_seq};
use crate::error::{Result, StatsError};

/// Most factors [`saltelli`] accepts: half the dimensions of the bundled direction numbers.
pub fn max_saltelli_factors() -> usize {
    sobol_seq::max_dims() / 2
}

/// Saltelli design for `k = factors.len()` factors from `n` base samples.
///
/// Base sample `i` is point `skip + i` of the unscrambled `2k`-dimensional Sobol' sequence;
/// its first `k` coordinates form row `A_i`, the last `k` row `B_i`. The design holds, for each
/// `i` in turn, the block
/// `A_i, AB_i1 .. AB_ik, [BA_i1 .. BA_ik,] B_i`,
/// where `AB_ij` is `A_i` with column `j` taken from `B_i` and `BA_ij` is `B_i` with column
/// `j` taken from `A_i` (only with `second_order`). Hence `n * (2k + 2)` rows with second
/// order, `n * (k + 2)` without. `n` must be a power of two; `skip` (0, or a power of two
/// as SALib advises) fast-forwards the sequence.
pub fn saltelli(
    factors: &[Factor],
    n: usize,
    second_order: bool,
    skip: usize,
) -> Result<Vec<Vec<f64>>> {
    check_factors(factors)?;
    let k = factors.len();
    if !n.is_power_of_two() {
        return Err(StatsError::NotPowerOfTwo(n));
    }
    if k > max_saltelli_factors() {
        return Err(StatsError::TooManyFactors {
            got: k,
            max: max_saltelli_factors(),
        });
    }
    let block = if second_order { 2 * k + 2 } else { k + 2 };
    let rows = n
        .checked_mul(block)
        .ok_or(StatsError::TooLarge("Saltelli row count overflows"))?;
    let last = (skip as u64).checked_add(n as u64);
    if last.is_none_or(|l| l > 1u64 << sobol_seq::BITS) {
        return Err(StatsError::TooLarge("skip + n exceeds the Sobol' sequence"));
    }
    let base = sobol_seq::points(2 * k, n, skip as u64);
    let mut out = Vec::with_capacity(rows);
    for p in &base {
        let (a, b) = p.split_at(k);
        out.push(a.to_vec());
        for j in 0..k {
            let mut ab = a.to_vec();
            ab[j] = b[j];
            out.push(ab);
        }
        if second_order {
            for j in 0..k {
                let mut ba = b.to_vec();
                ba[j] = a[j];
                out.push(ba);
            }
        }
        out.push(b.to_vec());
    }
    for row in &mut out {
        for (x, f) in row.iter_mut().zip(factors) {
            *x = f.scale(*x);
        }
    }
    Ok(out)
}
