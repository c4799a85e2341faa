//! FRI's verifier: the commit phase (the folding challenges) and the query phase, over the
//! proof's FRI section in our own bounded encoding.
//!
//! The protocol is winter-fri's, which the prover runs (`FriProver`). This module checks what
//! winter-fri's `FriVerifier` checks, in the same order and with the same errors, and the
//! remainder's commitment as well (winter-fri's default `VerifierChannel::read_remainder`
//! checks nothing, which once let a prover fit the remainder to the query positions).
//!
//! It is ours for speed. To check a fold, winter-fri's verifier interpolates each queried coset
//! of `N` values into a polynomial with extension-field abscissas: `N²` extension products
//! and a batch inversion per layer, a fifth of a whole verification at 2^18 rows. Here a
//! coset's values go through an inverse FFT of size `N` with base-field twiddles, and the
//! polynomial is evaluated at `α/s`: the computation winter-fri's prover folds a layer with
//! (`folding::apply_drp`), with no inversion. The tests check, proof by proof, that this
//! verifier and winter-fri's accept and reject the same FRI sections with the same errors.
//!
//! The FRI section is checked for shape when it is loaded ([`FriProof::load`]), before anything
//! is hashed: the number of layers, each layer's value count against the positions folded into
//! it, each layer's Merkle proof against its tree's depth and those positions, and the
//! remainder's length.

use alloc::vec::Vec;

use distaff_math::{fft, polynom, Felt, FieldElement, StarkField};
use winter_crypto::{DefaultRandomCoin, ElementHasher, RandomCoin, VectorCommitment};
use winter_fri::folding::fold_positions;
use winter_fri::VerifierError;

use crate::merkle::{decode_batch_proof, BoundedBatchProof, MerkleVc};
use crate::proof::Openings;
use crate::protocol::ScaleBy;
use crate::VerificationError;

/// The largest folding factor winter-fri supports (the options allow 2, 4, 8 and 16).
const MAX_FOLDING_FACTOR: usize = 16;

/// The shape of the FRI section the verifier expects.
#[derive(Clone, Copy, Debug)]
pub struct LayerShape {
    /// Size of the first layer's domain (the LDE domain).
    pub domain_size: usize,
    /// FRI folding factor.
    pub folding_factor: usize,
    /// Number of FRI layers (not counting the remainder).
    pub num_layers: usize,
    /// Number of coefficients of the remainder polynomial the proof sends.
    pub remainder_len: usize,
    /// Number of coefficients of winter-fri's remainder: the remainder sent is padded with
    /// zero coefficients of higher degree to this length before its commitment is checked (so
    /// a remainder of more coefficients than the proof's degree bound cannot be sent).
    pub padded_remainder_len: usize,
}

/// The folding challenges of FRI's commit phase: after each layer's root, and after the
/// remainder's commitment, the transcript absorbs the commitment and draws one challenge (as
/// winter-fri's `FriVerifier::new` does: the last challenge is never used, but drawing it
/// moves the transcript to where the prover's was when the query positions were drawn).
pub fn folding_challenges<E, H>(
    coin: &mut DefaultRandomCoin<H>,
    commitments: &[H::Digest],
) -> Result<Vec<E>, VerificationError>
where
    E: FieldElement<BaseField = Felt>,
    H: ElementHasher<BaseField = Felt>,
{
    commitments
        .iter()
        .map(|&commitment| {
            coin.reseed(commitment);
            coin.draw().map_err(|e| VerificationError::Fri(VerifierError::RandomCoinError(e)))
        })
        .collect()
}

/// One FRI layer's openings, checked for shape.
struct Layer<E, H: ElementHasher<BaseField = Felt>> {
    /// The positions in the folded domain this layer is opened at (winter-fri's order: as
    /// they first occur among the previous layer's positions reduced modulo the folded
    /// domain's size).
    positions: Vec<usize>,
    /// `N` values per position: the previous layer at the position plus `j` times the folded
    /// domain's size, `j = 0..N`.
    values: Vec<E>,
    proof: BoundedBatchProof<H>,
}

/// A proof's FRI section for known query positions, checked for shape.
pub struct FriProof<E, H: ElementHasher<BaseField = Felt>> {
    shape: LayerShape,
    layer_roots: Vec<H::Digest>,
    remainder_commitment: H::Digest,
    layers: Vec<Layer<E, H>>,
    /// The remainder's coefficients, highest degree first, padded with zeros in front to
    /// winter-fri's length.
    padded_remainder: Vec<E>,
}

impl<E, H> FriProof<E, H>
where
    E: FieldElement<BaseField = Felt>,
    Felt: ScaleBy<E>,
    H: ElementHasher<BaseField = Felt>,
{
    /// Loads the FRI layers and remainder of a proof whose FRI commitments are `commitments`
    /// (the layer roots, then the remainder's commitment), for the sorted, distinct query
    /// `positions` in the first layer, checking the shape of everything.
    pub fn load(
        commitments: &[H::Digest],
        layers: &[Openings],
        remainder: &[Felt],
        positions: &[usize],
        shape: LayerShape,
    ) -> Result<Self, VerificationError> {
        let LayerShape { mut domain_size, folding_factor, num_layers, remainder_len, padded_remainder_len } = shape;
        if !folding_factor.is_power_of_two() || !(2..=MAX_FOLDING_FACTOR).contains(&folding_factor) {
            return Err(VerificationError::Fri(VerifierError::UnsupportedFoldingFactor(folding_factor)));
        }
        if commitments.len() != num_layers + 1 {
            return Err(VerificationError::Shape {
                what: "FRI commitments",
                expected: num_layers + 1,
                got: commitments.len(),
            });
        }
        if layers.len() != num_layers {
            return Err(VerificationError::Shape { what: "FRI layers", expected: num_layers, got: layers.len() });
        }
        let d = E::EXTENSION_DEGREE;
        let mut positions = positions.to_vec();
        let mut loaded = Vec::with_capacity(num_layers);
        for layer in layers {
            positions = fold_positions(&positions, domain_size, folding_factor);
            domain_size /= folding_factor;
            let expected = positions.len() * folding_factor * d;
            if layer.values.len() != expected {
                return Err(VerificationError::Shape { what: "FRI layer values", expected, got: layer.values.len() });
            }
            // (the layer's tree has one leaf per folded position)
            let proof = decode_batch_proof::<H>(&layer.merkle_proof, &positions, domain_size.trailing_zeros())
                .map_err(|_| VerificationError::MalformedProof("FRI layer Merkle proof"))?;
            let values = E::slice_from_base_elements(&layer.values).to_vec();
            loaded.push(Layer { positions: positions.clone(), values, proof });
        }
        if remainder.len() != remainder_len * d || remainder_len > padded_remainder_len {
            return Err(VerificationError::Shape {
                what: "FRI remainder",
                expected: remainder_len * d,
                got: remainder.len(),
            });
        }
        // highest degree first: the padding zeros go in front
        let mut padded_remainder = alloc::vec![E::ZERO; padded_remainder_len - remainder_len];
        padded_remainder.extend_from_slice(E::slice_from_base_elements(remainder));
        Ok(FriProof {
            shape,
            layer_roots: commitments[..num_layers].to_vec(),
            remainder_commitment: commitments[num_layers],
            layers: loaded,
            padded_remainder,
        })
    }

    /// FRI's query phase: checks that `evaluations`, the values of FRI's input at the first
    /// layer's `positions` (those given to [`FriProof::load`]), are those of a polynomial of
    /// fewer coefficients than the remainder's degree bound times the folding factor to the
    /// number of layers. `alphas` are the folding challenges ([`folding_challenges`]).
    ///
    /// In order, as winter-fri: for each layer, its openings against its root
    /// (`LayerCommitmentMismatch`), the values it holds at the previous layer's positions
    /// against the previous layer's folded values (`InvalidLayerFolding(depth)`, the DEEP
    /// values for the first layer), then the fold of each coset at the layer's challenge; then
    /// the remainder against its commitment (`RemainderCommitmentMismatch`) and its values at
    /// the last positions against the last folded values (`InvalidRemainderFolding`).
    pub fn verify(&self, alphas: &[E], evaluations: &[E], positions: &[usize]) -> Result<(), VerificationError> {
        let fri = |e: VerifierError| Err(VerificationError::Fri(e));
        let LayerShape { mut domain_size, folding_factor: n, num_layers, .. } = self.shape;
        if evaluations.len() != positions.len() {
            return fri(VerifierError::NumPositionEvaluationMismatch(positions.len(), evaluations.len()));
        }
        if alphas.len() < num_layers {
            return Err(VerificationError::Shape { what: "FRI challenges", expected: num_layers, got: alphas.len() });
        }
        let offset = Felt::GENERATOR;
        let offset_inv = offset.inv();
        let inv_twiddles = fft::get_inv_twiddles::<Felt>(n);
        let inv_n = Felt::new(n as u64).inv();
        let mut generator = Felt::get_root_of_unity(domain_size.trailing_zeros());
        let mut positions = positions;
        let mut evaluations = evaluations.to_vec();
        for (depth, ((layer, root), &alpha)) in self.layers.iter().zip(&self.layer_roots).zip(alphas).enumerate() {
            let leaves: Vec<H::Digest> = layer.values.chunks(n).map(H::hash_elements).collect();
            if MerkleVc::<H>::verify_many(*root, &layer.positions, &leaves, &layer.proof).is_err() {
                return fri(VerifierError::LayerCommitmentMismatch);
            }
            // the previous layer's values, at its positions: coset `p mod (size/N)`, entry `p / (size/N)`
            let row_len = domain_size / n;
            for (&p, &value) in positions.iter().zip(&evaluations) {
                let row = layer.positions.iter().position(|&f| f == p % row_len);
                let opened = row.and_then(|row| layer.values.get(row * n + p / row_len));
                if opened != Some(&value) {
                    return fri(VerifierError::InvalidLayerFolding(depth));
                }
            }
            // the fold: the polynomial through the coset s·ω^j (s = offset·g^i) at α
            let generator_inv = generator.inv();
            evaluations = layer
                .positions
                .iter()
                .zip(layer.values.chunks(n))
                .map(|(&i, coset)| {
                    let mut coefficients = [E::ZERO; MAX_FOLDING_FACTOR];
                    let coefficients = &mut coefficients[..n];
                    coefficients.copy_from_slice(coset);
                    // N times the coefficients of q(y) = p(s·y)
                    fft::serial_fft(coefficients, &inv_twiddles);
                    let s_inv = offset_inv * generator_inv.exp_vartime(i as u64);
                    inv_n.scale_by(polynom::eval(coefficients, s_inv.scale_by(alpha)))
                })
                .collect();
            generator = generator.exp_vartime(n as u64);
            domain_size = row_len;
            positions = &layer.positions[..];
        }
        if H::hash_elements(&self.padded_remainder) != self.remainder_commitment {
            return fri(VerifierError::RemainderCommitmentMismatch);
        }
        for (&p, &value) in positions.iter().zip(&evaluations) {
            let x = offset * generator.exp_vartime(p as u64);
            let at_x = self.padded_remainder.iter().fold(E::ZERO, |acc, &c| x.scale_by(acc) + c);
            if at_x != value {
                return fri(VerifierError::InvalidRemainderFolding);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! This verifier against winter-fri's `FriVerifier`, on FRI sections winter-fri's prover
    //! makes: honest ones, and ones changed at each place a check looks.
    use super::*;
    use distaff_math::QuadFelt;
    use winter_crypto::hashers::Blake3_256;
    use winter_crypto::Hasher;
    use winter_fri::{DefaultProverChannel, FriOptions, FriProver, FriVerifier, VerifierChannel};
    use winter_utils::{Deserializable, Serializable};

    type E = QuadFelt;
    type H = Blake3_256<Felt>;
    type Digest = <H as Hasher>::Digest;

    /// A FRI section: what both verifiers read.
    #[derive(Clone)]
    struct Section {
        options: FriOptions,
        domain_size: usize,
        /// winter-fri's degree bound `P − 1`.
        max_degree: usize,
        commitments: Vec<Digest>,
        /// Each layer's values, and its batch Merkle proof's bytes.
        layers: Vec<(Vec<E>, Vec<u8>)>,
        /// winter-fri's remainder, highest degree first.
        remainder: Vec<E>,
        /// How many of its lowest coefficients the section sends (the rest must be zero).
        sent: usize,
        positions: Vec<usize>,
        evaluations: Vec<E>,
    }

    /// A pseudo-random extension element.
    fn element(seed: u64) -> E {
        let mix = |x: u64| x.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29) ^ 0x5851_f42d;
        E::new(Felt::new(mix(seed) >> 1), Felt::new(mix(seed + 7777) >> 1))
    }

    /// winter-fri's prover on the evaluations over the LDE coset (offset 7) of a polynomial of
    /// `coefficients` pseudo-random coefficients, for a bound of `P = domain/blowup`.
    fn section(
        log_domain: u32,
        blowup: usize,
        folding: usize,
        remainder_max_degree: usize,
        coefficients: usize,
    ) -> Section {
        let domain_size = 1usize << log_domain;
        let options = FriOptions::new(blowup, folding, remainder_max_degree);
        let mut poly: Vec<E> =
            (0..domain_size).map(|i| if i < coefficients { element(i as u64) } else { E::ZERO }).collect();
        poly.truncate(domain_size);
        let twiddles = fft::get_twiddles::<Felt>(domain_size);
        let evaluations = fft::evaluate_poly_with_offset(&poly, &twiddles, Felt::GENERATOR, 1);
        let mut channel = DefaultProverChannel::<E, H, DefaultRandomCoin<H>>::new(domain_size, 20);
        let mut prover = FriProver::<E, _, H, MerkleVc<H>>::new(options.clone());
        prover.build_layers(&mut channel, evaluations.clone());
        let mut positions = channel.draw_query_positions(0);
        positions.sort_unstable();
        positions.dedup();
        let proof = prover.build_proof(&positions);
        let commitments = channel.layer_commitments().to_vec();
        let remainder = proof.parse_remainder::<E>().expect("a remainder");
        let (values, proofs) = proof.parse_layers::<E, H, MerkleVc<H>>(domain_size, folding).expect("layers");
        Section {
            options,
            domain_size,
            max_degree: domain_size / blowup - 1,
            commitments,
            layers: values.into_iter().zip(proofs.iter().map(Serializable::to_bytes)).collect(),
            sent: remainder.len(),
            remainder,
            evaluations: positions.iter().map(|&p| evaluations[p]).collect(),
            positions,
        }
    }

    fn ours(s: &Section) -> Result<(), VerifierError> {
        let openings: Vec<Openings> = s
            .layers
            .iter()
            .map(|(values, proof)| Openings {
                values: E::slice_as_base_elements(values).to_vec(),
                merkle_proof: proof.clone(),
            })
            .collect();
        let shape = LayerShape {
            domain_size: s.domain_size,
            folding_factor: s.options.folding_factor(),
            num_layers: s.layers.len(),
            remainder_len: s.sent,
            padded_remainder_len: s.remainder.len(),
        };
        let sent = E::slice_as_base_elements(&s.remainder[s.remainder.len() - s.sent..]);
        let alphas = folding_challenges::<E, H>(&mut DefaultRandomCoin::new(&[]), &s.commitments).expect("challenges");
        let fri = FriProof::<E, H>::load(&s.commitments, &openings, sent, &s.positions, shape).expect("the shape");
        match fri.verify(&alphas, &s.evaluations, &s.positions) {
            Ok(()) => Ok(()),
            Err(VerificationError::Fri(e)) => Err(e),
            Err(e) => panic!("not a FRI error: {e}"),
        }
    }

    /// winter-fri's channel over a section (with the remainder checked against its
    /// commitment, which winter-fri's default leaves out).
    struct Channel(Section, Vec<Vec<E>>);

    impl VerifierChannel<E> for Channel {
        type Hasher = H;
        type VectorCommitment = MerkleVc<H>;
        fn read_fri_num_partitions(&self) -> usize {
            1
        }
        fn read_fri_layer_commitments(&mut self) -> Vec<Digest> {
            self.0.commitments.clone()
        }
        fn take_next_fri_layer_queries(&mut self) -> Vec<E> {
            self.1.remove(0)
        }
        fn take_next_fri_layer_proof(&mut self) -> BoundedBatchProof<H> {
            let bytes = self.0.layers.remove(0).1;
            BoundedBatchProof::read_from(&mut winter_utils::SliceReader::new(&bytes)).expect("a batch proof")
        }
        fn take_fri_remainder(&mut self) -> Vec<E> {
            self.0.remainder.clone()
        }
        fn read_remainder(&mut self) -> Result<Vec<E>, VerifierError> {
            let remainder = self.take_fri_remainder();
            if H::hash_elements(&remainder) != *self.0.commitments.last().expect("a commitment") {
                return Err(VerifierError::RemainderCommitmentMismatch);
            }
            Ok(remainder)
        }
    }

    fn winter(s: &Section) -> Result<(), VerifierError> {
        let mut channel = Channel(s.clone(), s.layers.iter().map(|(values, _)| values.clone()).collect());
        let mut coin = DefaultRandomCoin::<H>::new(&[]);
        let verifier = FriVerifier::<E, Channel, H, DefaultRandomCoin<H>, MerkleVc<H>>::new(
            &mut channel,
            &mut coin,
            s.options.clone(),
            s.max_degree,
        )?;
        verifier.verify(&mut channel, &s.evaluations, &s.positions)
    }

    /// Both verifiers' results on a section, which must agree.
    fn both(s: &Section) -> Result<(), VerifierError> {
        let result = ours(s);
        assert_eq!(result, winter(s), "the two verifiers disagree");
        result
    }

    #[test]
    fn this_verifier_and_winter_fri_s_agree_on_honest_and_changed_sections() {
        use VerifierError::*;
        for (log_domain, blowup, folding, remainder_max_degree) in
            [(12, 8, 8, 7), (12, 4, 4, 31), (11, 8, 2, 15), (13, 8, 16, 31), (12, 8, 8, 63)]
        {
            let p = (1usize << log_domain) / blowup;
            let honest = section(log_domain, blowup, folding, remainder_max_degree, p);
            let config = alloc::format!("domain 2^{log_domain}, blowup {blowup}, folding {folding}");
            assert_eq!(both(&honest), Ok(()), "{config}");
            assert!(!honest.layers.is_empty(), "{config}: at least one layer");
            // an input value at a query
            for i in [0, honest.positions.len() - 1] {
                let mut s = honest.clone();
                s.evaluations[i] += E::ONE;
                assert_eq!(both(&s), Err(InvalidLayerFolding(0)), "{config}, query {i}");
            }
            // a value opened in a layer
            for layer in 0..honest.layers.len() {
                let mut s = honest.clone();
                let last = s.layers[layer].0.len() - 1;
                s.layers[layer].0[last] += E::ONE;
                assert_eq!(both(&s), Err(LayerCommitmentMismatch), "{config}, layer {layer}");
            }
            // a remainder coefficient
            for k in [0, honest.remainder.len() - 1] {
                let mut s = honest.clone();
                s.remainder[k] += E::ONE;
                assert_eq!(both(&s), Err(RemainderCommitmentMismatch), "{config}, coefficient {k}");
            }
            // a polynomial of twice the bound, and a function of no low degree, folded honestly
            for coefficients in [2 * p, 1 << log_domain] {
                let s = section(log_domain, blowup, folding, remainder_max_degree, coefficients);
                assert!(both(&s).is_err(), "{config}, {coefficients} coefficients");
            }
        }
    }

    #[test]
    fn the_remainder_sent_is_bounded_below_winter_fri_s() {
        // a polynomial under half winter-fri's bound: its remainder's upper half is zero, and a
        // section that sends only the lower half is accepted
        let (log_domain, blowup, folding, remainder_max_degree) = (12, 8, 8, 7);
        let p = (1usize << log_domain) / blowup;
        let mut s = section(log_domain, blowup, folding, remainder_max_degree, p / 2);
        assert!(s.remainder[..s.remainder.len() / 2].iter().all(|c| *c == E::ZERO));
        s.sent = s.remainder.len() / 2;
        assert_eq!(both(&s), Ok(()));
        // one of full degree is winter-fri's bound, but not the one the section sends: its
        // upper coefficients are not sent, and the zeros put in their place miss the commitment
        let mut s = section(log_domain, blowup, folding, remainder_max_degree, p);
        s.sent = s.remainder.len() / 2;
        assert_eq!(winter(&s), Ok(()));
        assert_eq!(ours(&s), Err(VerifierError::RemainderCommitmentMismatch));
    }
}
