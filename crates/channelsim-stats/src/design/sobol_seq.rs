//! Unscrambled Sobol' points with Joe-Kuo (new-joe-kuo-6) direction numbers, taken from the
//! `sobol` crate. Gray-code order starting at the all-zero point, as scipy's
//! `qmc.Sobol(scramble=False)` and SALib's samplers produce, so designs match SALib's.

use std::sync::OnceLock;

use sobol::Sobol;
use sobol::params::JoeKuoD6;

/// Bits of resolution: indices below 2^53 and values exact in an `f64`.
pub(crate) const BITS: usize = 53;

fn params() -> &'static JoeKuoD6 {
    static PARAMS: OnceLock<JoeKuoD6> = OnceLock::new();
    PARAMS.get_or_init(JoeKuoD6::standard)
}

/// Largest dimension the bundled direction numbers support (1000).
pub(crate) fn max_dims() -> usize {
    params().max_dims
}

/// Points `skip .. skip + n` of the `dims`-dimensional sequence, one row each, values in [0, 1).
///
/// Callers check `1 <= dims <= max_dims()` and `skip + n <= 2^BITS`.
pub(crate) fn points(dims: usize, n: usize, skip: u64) -> Vec<Vec<f64>> {
    let dirs = Sobol::<f64>::init_direction_vals::<u32>(dims, BITS, params());
    let scale = 2f64.powi(-64);
    // Random access to the first point: XOR of the directions of the set bits of gray(skip).
    let gray = skip ^ (skip >> 1);
    let mut x: Vec<u64> = dirs
        .iter()
        .map(|v| {
            (0..BITS)
                .filter(|b| gray >> b & 1 == 1)
                .fold(0, |acc, b| acc ^ v[b])
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for i in skip..skip + n as u64 {
        out.push(x.iter().map(|&v| v as f64 * scale).collect());
        // Gray code: the next point flips direction number ctz(i + 1).
        let c = (i + 1).trailing_zeros() as usize;
        if c < BITS {
            for (xd, v) in x.iter_mut().zip(&dirs) {
                *xd ^= v[c];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_points_match_joe_kuo() {
        // Joe & Kuo's reference (and scipy's unscrambled) first points in 3 dimensions.
        let p = points(3, 5, 0);
        let want = [
            [0.0, 0.0, 0.0],
            [0.5, 0.5, 0.5],
            [0.75, 0.25, 0.25],
            [0.25, 0.75, 0.75],
            [0.375, 0.375, 0.625],
        ];
        for (row, w) in p.iter().zip(want) {
            assert_eq!(row.as_slice(), w.as_slice());
        }
    }

    #[test]
    fn skip_equals_dropping_rows() {
        let all = points(6, 40, 0);
        for skip in [1u64, 7, 16, 33] {
            let tail = points(6, 40 - skip as usize, skip);
            assert_eq!(tail.as_slice(), &all[skip as usize..]);
        }
    }
}
