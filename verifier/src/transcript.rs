//! The Fiat–Shamir transcript: one method per protocol message, so that the prover and the
//! verifier (and the test suite's adversarial provers) absorb and draw in the same order by
//! construction. The step numbers are those of [`crate::protocol`].
//!
//! The transcript is winter-crypto's `DefaultRandomCoin` over the proof's hash: `reseed(d)`
//! sets the seed to `H(seed ‖ d)`, and every draw hashes the seed with a counter (field
//! elements by rejection sampling of the digest's bytes, so they are uniform; see the
//! inherited-defaults table in [`crate::protocol`]).

use alloc::vec::Vec;

use distaff_air::Air;
use distaff_math::{Felt, FieldElement};
use winter_crypto::{DefaultRandomCoin, ElementHasher, RandomCoin};

use crate::options::ProofOptions;
use crate::protocol::{num_deep_coefficients, transcript_seed};

/// The transcript could not produce a challenge: the coin's rejection sampling failed 1000
/// times in a row (probability below 2^-1000 for an honest hash), or the positions could not be
/// drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TranscriptError;

/// The random values the DEEP step uses: one coefficient per trace column at `z`, one per
/// trace column at `z·g`, one per composition column, and the degree-correction coefficient
/// `β` (see [`crate::protocol::degree_correction`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeepCoefficients<E> {
    /// `γ_j`, for `(T_j(x) − T_j(z))/(x − z)` (main columns, then auxiliary columns).
    pub current: Vec<E>,
    /// `γ'_j`, for `(T_j(x) − T_j(z·g))/(x − z·g)`.
    pub next: Vec<E>,
    /// `δ_k`, for `(H_k(x) − H_k(z))/(x − z)`.
    pub composition: Vec<E>,
    /// `β`: FRI is run on `D(x)·(1 + β·x^k)`, which pins `D`'s degree exactly.
    pub degree_correction: E,
}

/// The transcript of one proof.
pub struct Transcript<H: ElementHasher<BaseField = Felt>> {
    coin: DefaultRandomCoin<H>,
}

impl<H: ElementHasher<BaseField = Felt>> Transcript<H> {
    /// Step 1: a transcript seeded with the protocol tag, the protocol version, the options,
    /// log2 of the trace length and the AIR's public claim.
    pub fn new<A: Air>(air: &A, options: &ProofOptions, trace_length_log2: u8) -> Self {
        Transcript {
            coin: DefaultRandomCoin::new(&transcript_seed(options, trace_length_log2, &air.public_elements())),
        }
    }

    /// Step 2: the main trace commitment, then (with an auxiliary segment) the challenges the
    /// auxiliary columns are built from, drawn and derived ([`Air::derived_challenges`]).
    pub fn commit_main_trace<E, A>(&mut self, root: H::Digest, air: &A) -> Result<Vec<E>, TranscriptError>
    where
        E: FieldElement<BaseField = Felt>,
        A: Air,
    {
        self.coin.reseed(root);
        if air.aux_width() == 0 {
            return Ok(Vec::new());
        }
        let mut challenges = self.draw_many::<E>(air.num_aux_challenges())?;
        let derived = air.derived_challenges(&challenges);
        challenges.extend(derived);
        Ok(challenges)
    }

    /// Step 3: the auxiliary trace commitment (AIRs with an auxiliary segment only).
    pub fn commit_aux_trace(&mut self, root: H::Digest) {
        self.coin.reseed(root);
    }

    /// Step 4: one random coefficient per constraint, for the composition polynomial.
    pub fn draw_constraint_coefficients<E: FieldElement<BaseField = Felt>>(
        &mut self,
        count: usize,
    ) -> Result<Vec<E>, TranscriptError> {
        self.draw_many(count)
    }

    /// Step 5: the composition commitment, then the out-of-domain point `z`, which must lie
    /// outside the base field (so outside the trace domain and the LDE domain, where the DEEP
    /// quotients and the masks' vanishing polynomial would degenerate; for a hiding proof an
    /// opening at a point of the base field would also reveal fewer random values than it
    /// uses). A draw in the base field (probability `2^-64` or less) fails the proof.
    pub fn commit_composition<E: FieldElement<BaseField = Felt>>(
        &mut self,
        root: H::Digest,
    ) -> Result<E, TranscriptError> {
        self.coin.reseed(root);
        let z: E = self.coin.draw().map_err(|_| TranscriptError)?;
        if E::EXTENSION_DEGREE > 1 && E::slice_as_base_elements(&[z])[1..].iter().all(|c| *c == Felt::ZERO) {
            return Err(TranscriptError);
        }
        Ok(z)
    }

    /// Step 6: the out-of-domain frame (main and auxiliary trace at `z` and `z·g`, composition
    /// columns at `z`, in that order), then the DEEP coefficients.
    pub fn send_ood_frame<E: FieldElement<BaseField = Felt>>(
        &mut self,
        ood: &[&[E]],
        trace_width: usize,
        composition_columns: usize,
    ) -> Result<DeepCoefficients<E>, TranscriptError> {
        let all: Vec<E> = ood.iter().flat_map(|part| part.iter().copied()).collect();
        self.coin.reseed(H::hash_elements(&all));
        let mut all = self.draw_many::<E>(num_deep_coefficients(trace_width, composition_columns))?;
        let degree_correction = all.pop().ok_or(TranscriptError)?;
        let composition = all.split_off(2 * trace_width);
        let next = all.split_off(trace_width);
        Ok(DeepCoefficients { current: all, next, composition, degree_correction })
    }

    /// Step 7: FRI's commit phase runs on the coin itself (winter-fri's prover channel and
    /// [`crate::fri::folding_challenges`] reseed it with each layer's root and draw the folding
    /// challenges).
    pub fn coin(&mut self) -> &mut DefaultRandomCoin<H> {
        &mut self.coin
    }

    /// Step 8: the number of leading zero bits the proof-of-work `nonce` gives.
    pub fn proof_of_work_bits(&self, nonce: u64) -> u32 {
        self.coin.check_leading_zeros(nonce)
    }

    /// Step 8: the query positions, after absorbing the proof-of-work `nonce`: `count` draws
    /// in `0..lde_size`, sorted and without repeats.
    pub fn draw_query_positions(
        &mut self,
        count: usize,
        lde_size: usize,
        nonce: u64,
    ) -> Result<Vec<usize>, TranscriptError> {
        // (winter-crypto asserts these; the options' ranges guarantee them, checked here too)
        if !lde_size.is_power_of_two() || count >= lde_size {
            return Err(TranscriptError);
        }
        let mut positions = self.coin.draw_integers(count, lde_size, nonce).map_err(|_| TranscriptError)?;
        positions.sort_unstable();
        positions.dedup();
        Ok(positions)
    }

    fn draw_many<E: FieldElement<BaseField = Felt>>(&mut self, count: usize) -> Result<Vec<E>, TranscriptError> {
        (0..count).map(|_| self.coin.draw::<E>().map_err(|_| TranscriptError)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::HashFunction;
    use distaff_air::{ProcessorAir, PublicInputs};
    use distaff_math::{CubeFelt, QuadFelt};
    use winter_crypto::hashers::Blake3_256;
    use winter_crypto::{Digest, Hasher};
    use winter_utils::{ByteReader, ByteWriter, Deserializable, DeserializationError, Serializable};

    /// A transparent "hash" for tests: `merge_with_int(seed, v)` is `v` (little-endian) followed
    /// by zeros, everything else the zero digest. So the coin's draws are its counter, and a
    /// nonce's proof of work is its number of trailing zero bits.
    struct Transparent;

    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    struct Bytes([u8; 32]);

    impl Digest for Bytes {
        fn as_bytes(&self) -> [u8; 32] {
            self.0
        }
    }
    impl Serializable for Bytes {
        fn write_into<W: ByteWriter>(&self, target: &mut W) {
            target.write_bytes(&self.0);
        }
    }
    impl Deserializable for Bytes {
        fn read_from<R: ByteReader>(source: &mut R) -> Result<Self, DeserializationError> {
            Ok(Bytes(source.read_array()?))
        }
    }

    impl Hasher for Transparent {
        type Digest = Bytes;
        const COLLISION_RESISTANCE: u32 = 0;
        fn hash(_: &[u8]) -> Bytes {
            Bytes::default()
        }
        fn merge(_: &[Bytes; 2]) -> Bytes {
            Bytes::default()
        }
        fn merge_many(_: &[Bytes]) -> Bytes {
            Bytes::default()
        }
        fn merge_with_int(_: Bytes, value: u64) -> Bytes {
            let mut out = [0u8; 32];
            out[..8].copy_from_slice(&value.to_le_bytes());
            Bytes(out)
        }
    }
    impl ElementHasher for Transparent {
        type BaseField = Felt;
        fn hash_elements<E: FieldElement<BaseField = Felt>>(_: &[E]) -> Bytes {
            Bytes::default()
        }
    }

    fn transcript<H: ElementHasher<BaseField = Felt>>() -> Transcript<H> {
        let air = ProcessorAir::new(PublicInputs::new([Felt::new(1); 4], Vec::new(), Vec::new()), 64);
        Transcript::new(&air, &ProofOptions::with_96_bit_security(HashFunction::Blake3_256), 6)
    }

    #[test]
    fn an_out_of_domain_point_in_the_base_field_is_refused() {
        // the transparent coin draws (1, 0, …): an element of the base field
        assert_eq!(transcript::<Transparent>().commit_composition::<QuadFelt>(Bytes::default()), Err(TranscriptError));
        assert_eq!(transcript::<Transparent>().commit_composition::<CubeFelt>(Bytes::default()), Err(TranscriptError));
        // (over the base field itself there is nothing else to draw: the point is taken)
        assert_eq!(transcript::<Transparent>().commit_composition::<Felt>(Bytes::default()), Ok(Felt::new(1)));
        // an honest coin's point lies outside the base field
        let z = transcript::<Blake3_256<Felt>>().commit_composition::<QuadFelt>(Default::default()).unwrap();
        assert_ne!(QuadFelt::slice_as_base_elements(&[z])[1], Felt::ZERO);
    }

    #[test]
    fn the_proof_of_work_is_the_nonce_s_hash_s_trailing_zero_bits() {
        let t = transcript::<Transparent>();
        for (nonce, bits) in [(1u64, 0u32), (6, 1), (8, 3), (5 << 20, 20)] {
            assert_eq!(t.proof_of_work_bits(nonce), bits, "nonce {nonce}");
        }
    }

    #[test]
    fn query_positions_need_a_power_of_two_domain_larger_than_the_count() {
        let draw = |count, lde_size| transcript::<Blake3_256<Felt>>().draw_query_positions(count, lde_size, 0);
        assert_eq!(draw(64, 64), Err(TranscriptError));
        assert_eq!(draw(65, 64), Err(TranscriptError));
        assert_eq!(draw(3, 48), Err(TranscriptError));
        let positions = draw(63, 64).unwrap();
        assert!(
            !positions.is_empty() && positions.windows(2).all(|w| w[0] < w[1]) && positions[positions.len() - 1] < 64
        );
    }
}
