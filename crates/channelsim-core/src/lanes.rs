//! Four f32 lanes: four customers worked out side by side. Every operation
//! acts lane by lane with IEEE arithmetic, so each lane gets exactly what
//! the same scalar code gives. On x86-64 a value is one SSE register (SSE2
//! is part of the baseline) and each operation one instruction, whatever
//! the optimiser makes of the surrounding code; elsewhere it is an array.

#[derive(Clone, Copy, Debug)]
pub struct F4(Lanes);

/// Sixty-four 0/1 byte flags (from vector compares) as the bits of a mask:
/// eight flags to eight bits with one multiply, 0x0102040810204080 moving
/// byte k's low bit to bit 56 + k, without carries into those bits.
#[inline(always)]
pub fn flag_bits(flags: &[u8; 64]) -> u64 {
    let mut mask = 0u64;
    for (q, w) in flags.chunks_exact(8).enumerate() {
        let w = u64::from_le_bytes(w.try_into().unwrap());
        mask |= (w.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * q);
    }
    mask
}

use imp::transpose4;

#[cfg(target_arch = "x86_64")]
type Lanes = std::arch::x86_64::__m128;
#[cfg(not(target_arch = "x86_64"))]
type Lanes = [f32; 4];

impl F4 {
    /// Lane `l` is `f(l)` (a gather: one load per lane).
    #[inline(always)]
    pub fn from_fn(f: impl FnMut(usize) -> f32) -> F4 {
        F4::new(std::array::from_fn(f))
    }

    /// Columns of four rows of four: `transpose(r)[j]` has lane `l` =
    /// `r[l][j]` (four loads and eight shuffles, where gathering each lane
    /// would take sixteen loads).
    #[inline(always)]
    pub fn transpose(r: [[f32; 4]; 4]) -> [F4; 4] {
        transpose4(r.map(F4::new))
    }

    /// Lane `l` is `b` where `pick[l]`, else `a` (by bits: no branch).
    #[inline(always)]
    pub fn select(pick: [bool; 4], a: f32, b: f32) -> F4 {
        let (a, b) = (a.to_bits(), b.to_bits());
        F4::new(pick.map(|p| {
            let m = (p as u32).wrapping_neg();
            f32::from_bits((a & !m) | (b & m))
        }))
    }
}

// Each `unsafe` below calls SSE intrinsics, which are `#[target_feature]`
// functions: Rust (1.95 still) lets safe code call them only from a function
// that itself enables the feature, and such a function cannot be
// `#[inline(always)]`. SSE and SSE2 are part of every x86-64 CPU (the
// target's baseline), so the feature is always there.
#[cfg(target_arch = "x86_64")]
mod imp {
    use super::F4;
    use std::arch::x86_64::*;

    impl F4 {
        /// From four values wherever they are (the compiler loads them at
        /// once if they are side by side in memory, else inserts them).
        #[inline(always)]
        pub fn new(a: [f32; 4]) -> F4 {
            // SAFETY: SSE is in the x86-64 baseline; no pointer.
            F4(unsafe { _mm_setr_ps(a[0], a[1], a[2], a[3]) })
        }
        #[inline(always)]
        pub fn splat(x: f32) -> F4 {
            // SAFETY: SSE is in the x86-64 baseline; no pointer.
            F4(unsafe { _mm_set1_ps(x) })
        }
        #[inline(always)]
        pub fn to_array(self) -> [f32; 4] {
            let mut a = [0.0; 4];
            // SAFETY: SSE is in the x86-64 baseline; `a` is four writable
            // f32s and the unaligned store writes exactly those 16 bytes.
            unsafe { _mm_storeu_ps(a.as_mut_ptr(), self.0) };
            a
        }
        /// Each lane clamped to [0, 1], as `f32::clamp(0.0, 1.0)` (NaN
        /// stays NaN): MAXPS/MINPS return their second operand unless the
        /// first is strictly beyond it.
        #[inline(always)]
        pub fn clamp01(self) -> F4 {
            // SAFETY: SSE is in the x86-64 baseline; no pointer.
            unsafe {
                let x = _mm_max_ps(_mm_setzero_ps(), self.0);
                F4(_mm_min_ps(_mm_set1_ps(1.0), x))
            }
        }
    }

    /// Rows to columns (the `_MM_TRANSPOSE4_PS` of C).
    #[inline(always)]
    pub(super) fn transpose4(r: [F4; 4]) -> [F4; 4] {
        // SAFETY: SSE is in the x86-64 baseline; no pointer.
        unsafe {
            let t0 = _mm_unpacklo_ps(r[0].0, r[1].0);
            let t1 = _mm_unpacklo_ps(r[2].0, r[3].0);
            let t2 = _mm_unpackhi_ps(r[0].0, r[1].0);
            let t3 = _mm_unpackhi_ps(r[2].0, r[3].0);
            [
                F4(_mm_movelh_ps(t0, t1)),
                F4(_mm_movehl_ps(t1, t0)),
                F4(_mm_movelh_ps(t2, t3)),
                F4(_mm_movehl_ps(t3, t2)),
            ]
        }
    }

    macro_rules! lanewise {
        ($tr:ident, $f:ident, $op:ident) => {
            impl std::ops::$tr for F4 {
                type Output = F4;
                #[inline(always)]
                fn $f(self, o: F4) -> F4 {
                    // SAFETY: SSE is in the x86-64 baseline; no pointer.
                    F4(unsafe { $op(self.0, o.0) })
                }
            }
        };
    }
    lanewise!(Add, add, _mm_add_ps);
    lanewise!(Sub, sub, _mm_sub_ps);
    lanewise!(Mul, mul, _mm_mul_ps);
    lanewise!(Div, div, _mm_div_ps);
}

#[cfg(not(target_arch = "x86_64"))]
mod imp {
    use super::F4;

    impl F4 {
        #[inline(always)]
        pub fn new(a: [f32; 4]) -> F4 {
            F4(a)
        }
        #[inline(always)]
        pub fn splat(x: f32) -> F4 {
            F4([x; 4])
        }
        #[inline(always)]
        pub fn to_array(self) -> [f32; 4] {
            self.0
        }
        /// Each lane clamped to [0, 1], as `f32::clamp(0.0, 1.0)`.
        #[inline(always)]
        pub fn clamp01(self) -> F4 {
            F4(self.0.map(|x| x.clamp(0.0, 1.0)))
        }
    }

    #[inline(always)]
    pub(super) fn transpose4(r: [F4; 4]) -> [F4; 4] {
        std::array::from_fn(|j| F4(std::array::from_fn(|l| r[l].0[j])))
    }

    macro_rules! lanewise {
        ($tr:ident, $f:ident, $op:tt) => {
            impl std::ops::$tr for F4 {
                type Output = F4;
                #[inline(always)]
                fn $f(self, o: F4) -> F4 {
                    let (a, b) = (self.0, o.0);
                    F4([a[0] $op b[0], a[1] $op b[1], a[2] $op b[2], a[3] $op b[3]])
                }
            }
        };
    }
    lanewise!(Add, add, +);
    lanewise!(Sub, sub, -);
    lanewise!(Mul, mul, *);
    lanewise!(Div, div, /);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_match_scalar() {
        let x4 = [0.1, 1.7, -3.0, 1e-8];
        let y4 = [0.3, 0.9, 7.5, 3.0];
        let (a, b) = (F4::new(x4), F4::new(y4));
        for l in 0..4 {
            let (x, y) = (x4[l], y4[l]);
            assert_eq!((a + b).to_array()[l].to_bits(), (x + y).to_bits());
            assert_eq!((a - b).to_array()[l].to_bits(), (x - y).to_bits());
            assert_eq!((a * b).to_array()[l].to_bits(), (x * y).to_bits());
            assert_eq!((a / b).to_array()[l].to_bits(), (x / y).to_bits());
            assert_eq!(
                a.clamp01().to_array()[l].to_bits(),
                x.clamp(0.0, 1.0).to_bits()
            );
            let pick = [l % 2 == 0; 4];
            let s = F4::select(pick, x, y).to_array()[l];
            assert_eq!(s, if pick[l] { y } else { x });
        }
        let rows = [
            [1.0, 2.0, 3.0, 4.0],
            [5.0, 6.0, 7.0, 8.0],
            [9.0, 10.0, 11.0, 12.0],
            [13.0, 14.0, 15.0, 16.0],
        ];
        let cols = F4::transpose(rows);
        for j in 0..4 {
            assert_eq!(cols[j].to_array(), std::array::from_fn(|l| rows[l][j]));
        }
        let odd = F4::new([f32::NAN, -0.0, 2.0, 0.5]).clamp01().to_array();
        assert!(odd[0].is_nan());
        assert_eq!(odd[1].to_bits(), (-0.0f32).clamp(0.0, 1.0).to_bits());
        assert_eq!(&odd[2..], &[1.0, 0.5]);
    }
}
