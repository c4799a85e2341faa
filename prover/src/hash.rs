//! Hashing LDE rows into Merkle leaves.
//!
//! winter-crypto's `Blake3_256::hash_elements` feeds a row of Goldilocks elements to BLAKE3
//! one 8-byte element at a time (winter-math stores elements in Montgomery form, so each is
//! serialised on its own); for the 58-element rows of the trace that bookkeeping cost as much
//! as a fifth of the hashing. [`RowHasher::hash_row`] serialises the row into one buffer and
//! hashes it in one call: the same bytes, so the same digest (a test checks it), which is what
//! the verifier recomputes with `hash_elements`.

use distaff_math::{Felt, FieldElement};
use winter_crypto::hashers::{Blake3_256, Rp64_256};
use winter_crypto::{ElementHasher, Hasher};

/// A hasher that can hash a row of field elements into a Merkle leaf, with the digest of
/// `hash_elements`.
pub(crate) trait RowHasher: ElementHasher<BaseField = Felt> {
    /// `Self::hash_elements(row)`, possibly faster.
    #[inline(always)]
    fn hash_row<E: FieldElement<BaseField = Felt>>(row: &[E]) -> Self::Digest {
        Self::hash_elements(row)
    }
}

impl RowHasher for Rp64_256 {}

/// Rows up to this many base-field elements are serialised on the stack.
const MAX_ROW: usize = 128;

impl RowHasher for Blake3_256<Felt> {
    #[inline]
    fn hash_row<E: FieldElement<BaseField = Felt>>(row: &[E]) -> Self::Digest {
        let base = E::slice_as_base_elements(row);
        if base.len() > MAX_ROW {
            return Self::hash_elements(row);
        }
        // the canonical little-endian bytes of each element, as winter-math serialises them
        let mut buf = [0u8; MAX_ROW * 8];
        for (bytes, x) in buf.chunks_exact_mut(8).zip(base) {
            bytes.copy_from_slice(&x.as_int().to_le_bytes());
        }
        Self::hash(&buf[..base.len() * 8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use distaff_math::{CubeFelt, QuadFelt};

    fn rows<E: FieldElement<BaseField = Felt>>(make: impl Fn(u64) -> E) {
        for width in [0usize, 1, 7, 58, 85, 128 / E::EXTENSION_DEGREE, 200] {
            let row: Vec<E> = (0..width as u64).map(|i| make(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i)).collect();
            assert_eq!(Blake3_256::<Felt>::hash_row(&row), Blake3_256::<Felt>::hash_elements(&row), "width {width}");
            assert_eq!(Rp64_256::hash_row(&row), Rp64_256::hash_elements(&row));
        }
    }

    #[test]
    fn row_digests_are_hash_elements_digests() {
        rows::<Felt>(Felt::new);
        rows::<QuadFelt>(|x| QuadFelt::new(Felt::new(x), Felt::new(u64::MAX - x)));
        rows::<CubeFelt>(|x| CubeFelt::new(Felt::new(x), Felt::new(x >> 3), Felt::new(u64::MAX)));
    }
}
