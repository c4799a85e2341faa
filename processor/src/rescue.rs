//! Rescue Prime rounds (`Rp64_256`, as winter-crypto computes them) for the trace builder and
//! the VM's `hperm`, with the inverse S-box on packed Goldilocks.
//!
//! The trace of every program holds the sponge that hashes it: one round per row, so building a
//! 2^18-row trace applies about 230,000 rounds, one after the other. winter-crypto's round spends
//! most of its time in the inverse S-box, `x^(1/7)`: an addition chain of 72 products for each
//! of the 12 state elements, one scalar Montgomery product at a time. Here that chain runs on
//! Plonky3's packed Goldilocks (8 elements per product with AVX-512, 4 with AVX2), and the
//! rest of the round (the S-box `x^7`, the MDS matrix with one reduction per output, the round
//! constants) stays scalar. The result is winter-crypto's, bit for bit (field arithmetic is
//! exact; tests compare the two on random states).

use distaff_air::layout::HASHER_WIDTH;
use distaff_air::rescue::MDS;
use distaff_math::{lazy, Felt};
use p3_field::{Field, PackedValue, PrimeCharacteristicRing, PrimeField64};
use p3_goldilocks::Goldilocks;
use winter_crypto::hashers::Rp64_256;

/// Plonky3's packing of Goldilocks for the target (1, 4 or 8 lanes).
type Packed = <Goldilocks as Field>::Packing;

/// Lanes of the buffer the inverse S-box runs on: the 12 state elements, padded to a multiple
/// of every packing width (4, 8 or 16).
const LANES: usize = 16;
/// Packed vectors the 12 state elements occupy.
const PACKS: usize = LANES / <Packed as PackedValue>::WIDTH;

/// `base^(2^k)·tail`, lane-wise, every vector in step (the squarings of one vector depend on
/// each other; those of different vectors overlap).
#[inline(always)]
fn exp_acc(base: [Packed; PACKS], k: usize, tail: [Packed; PACKS]) -> [Packed; PACKS] {
    let mut r = base;
    for _ in 0..k {
        r = r.map(|v| v.square());
    }
    core::array::from_fn(|i| r[i] * tail[i])
}

/// `x^(1/7)` lane-wise: `x^10540996611094048183`, by winter-crypto's addition chain.
#[inline(always)]
fn inv_sbox(x: [Packed; PACKS]) -> [Packed; PACKS] {
    let t1 = x.map(|v| v.square());
    let t2 = t1.map(|v| v.square());
    let t3 = exp_acc(t2, 3, t2);
    let t4 = exp_acc(t3, 6, t3);
    let t5 = exp_acc(t4, 12, t4);
    let t6 = exp_acc(t5, 6, t3);
    let t7 = exp_acc(t6, 31, t6);
    core::array::from_fn(|i| (t7[i].square() * t6[i]).square().square() * (t1[i] * t2[i] * x[i]))
}

/// The inverse S-box on the whole state.
fn apply_inv_sbox(state: &mut [Felt; HASHER_WIDTH]) {
    let w = <Packed as PackedValue>::WIDTH;
    let mut lanes = [Goldilocks::ZERO; LANES];
    for (lane, x) in lanes.iter_mut().zip(state.iter()) {
        *lane = Goldilocks::new(x.as_int());
    }
    let packed: [Packed; PACKS] = core::array::from_fn(|i| *Packed::from_slice(&lanes[i * w..][..w]));
    for (i, v) in inv_sbox(packed).iter().enumerate() {
        lanes[i * w..][..w].copy_from_slice(v.as_slice());
    }
    for (x, lane) in state.iter_mut().zip(lanes) {
        *x = Felt::new(lane.as_canonical_u64());
    }
}

/// Applies round `round` of the permutation (`Rp64_256::apply_round`).
pub fn apply_round(state: &mut [Felt; HASHER_WIDTH], round: usize) {
    if <Packed as PackedValue>::WIDTH < 4 {
        // (no vector registers: Plonky3's scalar products are slower than winter-math's here)
        Rp64_256::apply_round(state, round);
        return;
    }
    for x in state.iter_mut() {
        *x = x.exp7();
    }
    *state = lazy::mat_vec(&MDS, state);
    for (x, c) in state.iter_mut().zip(Rp64_256::ARK1[round]) {
        *x += c;
    }
    apply_inv_sbox(state);
    *state = lazy::mat_vec(&MDS, state);
    for (x, c) in state.iter_mut().zip(Rp64_256::ARK2[round]) {
        *x += c;
    }
}

/// Applies the whole permutation (`Rp64_256::apply_permutation`).
pub fn apply_permutation(state: &mut [Felt; HASHER_WIDTH]) {
    for round in 0..Rp64_256::NUM_ROUNDS {
        apply_round(state, round);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn state(seed: [u64; HASHER_WIDTH]) -> [Felt; HASHER_WIDTH] {
        seed.map(Felt::new)
    }

    proptest! {
        #[test]
        fn a_round_is_winter_crypto_s(seed in prop::array::uniform12(any::<u64>()), round in 0..Rp64_256::NUM_ROUNDS) {
            let (mut ours, mut theirs) = (state(seed), state(seed));
            apply_round(&mut ours, round);
            Rp64_256::apply_round(&mut theirs, round);
            prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn the_permutation_is_winter_crypto_s(seed in prop::array::uniform12(any::<u64>())) {
            let (mut ours, mut theirs) = (state(seed), state(seed));
            apply_permutation(&mut ours);
            Rp64_256::apply_permutation(&mut theirs);
            prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn edge_values_go_through_every_lane() {
        // zero, one, p − 1 and values just below 2^64 (non-canonical inputs to Felt::new),
        // in every position of the state
        let p = 0xffff_ffff_0000_0001u64;
        for edge in [0, 1, p - 1, p - 2, u64::MAX, 1 << 32, (1 << 32) - 1] {
            for k in 0..HASHER_WIDTH {
                let mut seed = [7u64; HASHER_WIDTH];
                seed[k] = edge;
                for round in 0..Rp64_256::NUM_ROUNDS {
                    let (mut ours, mut theirs) = (state(seed), state(seed));
                    apply_round(&mut ours, round);
                    Rp64_256::apply_round(&mut theirs, round);
                    assert_eq!(ours, theirs, "value {edge} at {k}, round {round}");
                }
            }
        }
    }
}
