//! Linear combinations with one modular reduction per result instead of one per product.
//!
//! winter-math's [`Felt`] holds `x·R mod p` (Montgomery form, R = 2^64): multiplying it by a
//! plain integer `c` gives `(c·x)·R`, the Montgomery form of `c·x`, and so does any sum of such
//! products. A matrix-vector product over constants known as integers (the Rescue MDS
//! matrices) can therefore multiply the stored values by the integers as 64×64→128-bit
//! products, add them up in 128 bits plus a carry count, and reduce modulo p once: about five
//! times fewer operations than a Montgomery multiplication per entry. The prover folds its
//! constraint values with random coefficients this way, and evaluates the Rescue round's MDS
//! products this way wherever it evaluates one point at a time; it lives next to the field
//! whose representation it depends on.

use crate::{Felt, MODULUS};

/// 2^64 mod p = 2^32 − 1.
const EPSILON: u64 = 0xFFFF_FFFF;

/// `value mod p` for `value = carry·2^128 + wide` (`carry` below 2^32), canonical (below p).
#[inline(always)]
fn reduce(wide: u128, carry: u64) -> u64 {
    let (lo, hi) = (wide as u64, (wide >> 64) as u64);
    // hi·2^64 = hi_lo·2^64 + hi_hi·2^96 ≡ hi_lo·(2^32 − 1) − hi_hi
    let (hi_hi, hi_lo) = (hi >> 32, hi & EPSILON);
    let (mut t, borrow) = lo.overflowing_sub(hi_hi);
    if borrow {
        t = t.wrapping_sub(EPSILON); // + 2^64 − (2^32 − 1) ≡ + p... modulo 2^64: t + p
    }
    let (mut t, over) = t.overflowing_add(hi_lo * EPSILON);
    if over {
        t = t.wrapping_add(EPSILON);
    }
    // carry·2^128 ≡ carry·(−2^32): carry is at most the number of terms, far below 2^32
    let (mut t, borrow) = t.overflowing_sub(carry << 32);
    if borrow {
        t = t.wrapping_sub(EPSILON);
    }
    if t >= MODULUS {
        t - MODULUS
    } else {
        t
    }
}

/// A sum of 64×64-bit products, reduced modulo p once at the end. The products' low and high
/// halves are summed separately: two independent chains of plain additions (no carry to track),
/// which the processor overlaps. Holds up to 2^31 products.
#[derive(Clone, Copy, Debug, Default)]
pub struct Accumulator {
    lo: u128,
    hi: u128,
}

impl Accumulator {
    /// Adds the product `a·b` of two 64-bit integers.
    #[inline(always)]
    pub fn add_product(&mut self, a: u64, b: u64) {
        let p = (a as u128) * (b as u128);
        self.lo += p as u64 as u128;
        self.hi += p >> 64;
    }

    /// Adds another sum's products to this one (up to 2^31 products in all).
    #[inline(always)]
    pub fn add_sum(&mut self, other: Accumulator) {
        self.lo += other.lo;
        self.hi += other.hi;
    }

    /// The sum modulo p.
    #[inline(always)]
    fn reduced(self) -> u64 {
        // Σ = hi·2^64 + lo = (hi >> 64)·2^128 + ((hi mod 2^64)·2^64 + lo)
        let (wide, over) = (self.hi << 64).overflowing_add(self.lo);
        reduce(wide, (self.hi >> 64) as u64 + over as u64)
    }

    /// The sum, for products of integers `c` and field elements' stored values `x̂ = x·R`:
    /// the field element `Σ c·x`.
    #[inline(always)]
    pub fn integer_combination(self) -> Felt {
        Felt::from_mont(self.reduced())
    }

    /// The sum, for products of two field elements' stored values `x̂·ŷ`: the field element
    /// `Σ x·y` (one Montgomery reduction for the whole sum).
    #[inline(always)]
    pub fn field_combination(self) -> Felt {
        // Σ x̂·ŷ ≡ (Σ x·y)·R², and multiplying by the element stored as 1 divides by R
        Felt::from_mont(self.reduced()) * Felt::from_mont(1)
    }
}

/// `Σ_j m[j]·x[j]` for integer coefficients `m[j]` below p, with one reduction.
#[inline(always)]
pub fn dot<const N: usize>(m: &[u64; N], x: &[Felt; N]) -> Felt {
    let mut acc = Accumulator::default();
    for (c, v) in m.iter().zip(x) {
        acc.add_product(*c, v.inner());
    }
    acc.integer_combination()
}

/// `m·x` for a square matrix of integer coefficients below p (rows of `m` are the outputs).
#[inline(always)]
pub fn mat_vec<const N: usize>(m: &[[u64; N]; N], x: &[Felt; N]) -> [Felt; N] {
    core::array::from_fn(|i| dot(&m[i], x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldElement;
    use std::vec::Vec;

    fn naive<const N: usize>(m: &[u64; N], x: &[Felt; N]) -> Felt {
        m.iter().zip(x).fold(Felt::ZERO, |a, (c, v)| a + Felt::new(*c) * *v)
    }

    #[test]
    fn reduce_handles_every_range() {
        let p = MODULUS as u128;
        for (wide, carry) in [
            (0u128, 0u64),
            (p - 1, 0),
            (p, 0),
            (u128::MAX, 0),
            (u128::MAX, 11),
            ((p - 1) * (p - 1), 0),
            (1u128 << 96, 0),
            ((1u128 << 96) - 1, 3),
            (0, 1),
            (0, 12),
        ] {
            let expected = ((carry as u128 % p) * ((1u128 << 127) % p * 2 % p) % p + wide % p) % p;
            assert_eq!(reduce(wide, carry) as u128, expected, "wide {wide:#x}, carry {carry}");
        }
    }

    #[test]
    fn dot_matches_field_arithmetic() {
        // extreme coefficients and values, then a pseudo-random spread
        let edge = [0u64, 1, 2, MODULUS - 1, MODULUS - 2, 1 << 32, (1 << 32) - 1, 1 << 63, 7, 23, MODULUS / 2, 5];
        let xs: [Felt; 12] = core::array::from_fn(|i| Felt::new(edge[(i * 5 + 3) % 12]));
        assert_eq!(dot(&edge, &xs), naive(&edge, &xs));
        let all_max = [MODULUS - 1; 12];
        let x_max = [Felt::new(MODULUS - 1); 12];
        assert_eq!(dot(&all_max, &x_max), naive(&all_max, &x_max));
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for _ in 0..2000 {
            let m: [u64; 12] = core::array::from_fn(|_| next() % MODULUS);
            let x: [Felt; 12] = core::array::from_fn(|_| Felt::new(next()));
            assert_eq!(dot(&m, &x), naive(&m, &x));
            assert!(dot(&m, &x).inner() < MODULUS);
        }
    }

    #[test]
    fn field_combination_matches_field_arithmetic() {
        let mut s = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for len in [0usize, 1, 2, 150, 1000] {
            let xs: Vec<Felt> = (0..len).map(|i| Felt::new(if i % 7 == 0 { MODULUS - 1 } else { next() })).collect();
            let ys: Vec<Felt> = (0..len).map(|i| Felt::new(if i % 5 == 0 { MODULUS - 1 } else { next() })).collect();
            let mut acc = Accumulator::default();
            for (x, y) in xs.iter().zip(&ys) {
                acc.add_product(x.inner(), y.inner());
            }
            let expected = xs.iter().zip(&ys).fold(Felt::ZERO, |a, (x, y)| a + *x * *y);
            assert_eq!(acc.field_combination(), expected, "{len} products");
        }
    }

    #[test]
    fn mat_vec_is_row_by_row_dot() {
        let m: [[u64; 3]; 3] = [[1, 2, 3], [MODULUS - 1, 0, 9], [4, 4, MODULUS - 4]];
        let x = [Felt::new(10), Felt::new(MODULUS - 3), Felt::new(1 << 40)];
        let y = mat_vec(&m, &x);
        for i in 0..3 {
            assert_eq!(y[i], naive(&m[i], &x));
        }
    }
}
