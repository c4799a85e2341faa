//! The Rescue Prime permutation (`Rp64_256` from winter-crypto, unmodified) as the AIR sees it.
//!
//! One row applies one round. A round is `x -> MDS·x^7 + ARK1`, then `y -> MDS·y^(1/7) + ARK2`.
//! Since the inverse S-box has huge degree, the constraint meets in the middle:
//! `MDS·h^7 + ARK1 = (MDS⁻¹·(h' − ARK2))^7`, which has degree 7.

use crate::constraints::Value;
use crate::layout::{CYCLE_LEN, HASHER_WIDTH, NUM_PERIODIC};
use distaff_math::Felt;
use winter_crypto::hashers::Rp64_256;

/// Number of rounds in one permutation.
pub const NUM_ROUNDS: usize = Rp64_256::NUM_ROUNDS;

const _: () = assert!(NUM_ROUNDS + 1 == CYCLE_LEN);

/// Applies one round (as winter-crypto does).
pub fn apply_round(state: &mut [Felt; HASHER_WIDTH], round: usize) {
    Rp64_256::apply_round(state, round);
}

/// Applies the whole permutation.
pub fn apply_permutation(state: &mut [Felt; HASHER_WIDTH]) {
    Rp64_256::apply_permutation(state);
}

/// The values of the periodic columns over one cycle: `[column][row in cycle]`.
///
/// Column 0 is 1 on rows where a round is applied (0..7) and 0 on the absorption row; columns
/// `1..13` are ARK1 and `13..25` are ARK2 (zero on the absorption row); column 25 flags the
/// cycle's first row, column 26 its second and column 27 the row of its last round (6).
pub fn periodic_columns() -> [[Felt; CYCLE_LEN]; NUM_PERIODIC] {
    let mut cols = [[Felt::new(0); CYCLE_LEN]; NUM_PERIODIC];
    cols[crate::layout::P_FIRST][0] = Felt::new(1);
    cols[crate::layout::P_SECOND][1] = Felt::new(1);
    cols[crate::layout::P_LAST_ROUND][NUM_ROUNDS - 1] = Felt::new(1);
    for r in 0..NUM_ROUNDS {
        cols[0][r] = Felt::new(1);
        for k in 0..HASHER_WIDTH {
            cols[1 + k][r] = Rp64_256::ARK1[r][k];
            cols[1 + HASHER_WIDTH + k][r] = Rp64_256::ARK2[r][k];
        }
    }
    cols
}

#[inline(always)]
fn pow7<V: Value>(x: V) -> V {
    let x2 = x * x;
    let x4 = x2 * x2;
    x4 * x2 * x
}

/// A matrix of field constants as canonical integers (for [`Value::mat_vec`]).
const fn integers(m: &[[Felt; HASHER_WIDTH]; HASHER_WIDTH]) -> [[u64; HASHER_WIDTH]; HASHER_WIDTH] {
    let mut out = [[0u64; HASHER_WIDTH]; HASHER_WIDTH];
    let mut i = 0;
    while i < HASHER_WIDTH {
        let mut j = 0;
        while j < HASHER_WIDTH {
            out[i][j] = m[i][j].as_int();
            j += 1;
        }
        i += 1;
    }
    out
}

/// Rescue's MDS matrix as integers (the rows are the outputs).
pub const MDS: [[u64; HASHER_WIDTH]; HASHER_WIDTH] = integers(&Rp64_256::MDS);
/// Rescue's inverse MDS matrix as integers.
const INV_MDS: [[u64; HASHER_WIDTH]; HASHER_WIDTH] = integers(&Rp64_256::INV_MDS);

/// Residuals of the round constraint: zero iff `next = round(current)` with the given
/// round constants.
#[inline]
pub fn round_residuals<V: Value>(current: &[V], next: &[V], ark1: &[V], ark2: &[V]) -> [V; HASHER_WIDTH] {
    let x7: [V; HASHER_WIDTH] = core::array::from_fn(|k| pow7(current[k]));
    let y: [V; HASHER_WIDTH] = core::array::from_fn(|k| next[k] - ark2[k]);
    let fwd = V::mat_vec(&MDS, &x7);
    let back = V::mat_vec(&INV_MDS, &y);
    let mut out = [V::ZERO; HASHER_WIDTH];
    for k in 0..HASHER_WIDTH {
        out[k] = fwd[k] + ark1[k] - pow7(back[k]);
    }
    out
}
