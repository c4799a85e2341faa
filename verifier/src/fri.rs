//! FRI's verifier: the commit phase (the folding challenges) and the query phase, over the
//! proof's FRI section in our own bounded encoding.
//!
//! The protocol is winter-fri's, which the prover runs (`FriProver`). This module checks what
//! winter-fri's `FriVerifier` checks, in the same order and with the same errors, and the
//! remainder's commitment as well (winter-fri's default `VerifierChannel::read_remainder`
//! checks nothing, which once let a prover fit the remainder to the query positions). Where
//! winter-fri would panic or check later, this module refuses the section's shape when it is
//! loaded: a remainder of another length than the proof's bound is a `Shape` error (winter-fri's
//! `RemainderDegreeMismatch` allows any length up to its own, larger bound), and a layer's
//! values that do not cover the previous positions are an `InvalidLayerFolding` (winter-fri's
//! `get_query_values` unwraps). winter-fri's `DegreeTruncation` cannot arise: its bound `P` and
//! the folding factor are powers of two, and the proof's bound `B ≤ P` ([`crate::shape`]).
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
//! is hashed: the domain, the folding factor and the positions, the number of commitments and of
//! layers, each layer's value count against the positions folded into it, each layer's Merkle
//! proof against its tree's depth and those positions, and the remainder's length.

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
    /// The query positions in the first layer (sorted, distinct, in the domain).
    positions: Vec<usize>,
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
        // a domain that every layer folds by the factor, leaving at least two points
        let folded_bits = (folding_factor.trailing_zeros() as usize).saturating_mul(num_layers);
        if !domain_size.is_power_of_two()
            || domain_size.trailing_zeros() > Felt::TWO_ADICITY
            || (domain_size.trailing_zeros() as usize) <= folded_bits
        {
            return Err(VerificationError::MalformedProof("FRI domain"));
        }
        if positions.is_empty()
            || positions.windows(2).any(|w| w[0] >= w[1])
            || positions.last().is_some_and(|&p| p >= domain_size)
        {
            return Err(VerificationError::MalformedProof("FRI query positions"));
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
        let first_positions = positions.to_vec();
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
        if remainder_len > padded_remainder_len {
            return Err(VerificationError::MalformedProof("FRI remainder longer than winter-fri's"));
        }
        if remainder.len() != remainder_len * d {
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
            positions: first_positions,
            layer_roots: commitments[..num_layers].to_vec(),
            remainder_commitment: commitments[num_layers],
            layers: loaded,
            padded_remainder,
        })
    }

    /// FRI's query phase: checks that `evaluations`, the values of FRI's input at the query
    /// positions given to [`FriProof::load`], are those of a polynomial of fewer coefficients
    /// than the remainder's length times the folding factor to the number of layers. `alphas`
    /// are the folding challenges ([`folding_challenges`]).
    ///
    /// In order, as winter-fri: for each layer, its openings against its root
    /// (`LayerCommitmentMismatch`), the values it holds at the previous layer's positions
    /// against the previous layer's folded values (`InvalidLayerFolding(depth)`, the DEEP
    /// values for the first layer), then the fold of each coset at the layer's challenge; then
    /// the remainder against its commitment (`RemainderCommitmentMismatch`) and its values at
    /// the last positions against the last folded values (`InvalidRemainderFolding`).
    pub fn verify(&self, alphas: &[E], evaluations: &[E]) -> Result<(), VerificationError> {
        let fri = |e: VerifierError| Err(VerificationError::Fri(e));
        let LayerShape { mut domain_size, folding_factor: n, num_layers, .. } = self.shape;
        if alphas.len() < num_layers {
            return Err(VerificationError::Shape { what: "FRI challenges", expected: num_layers, got: alphas.len() });
        }
        let offset = Felt::GENERATOR;
        let offset_inv = offset.inv();
        let inv_twiddles = fft::get_inv_twiddles::<Felt>(n);
        let inv_n = Felt::new(n as u64).inv();
        let mut generator = Felt::get_root_of_unity(domain_size.trailing_zeros());
        let mut positions = &self.positions[..];
        if evaluations.len() != positions.len() {
            return fri(VerifierError::NumPositionEvaluationMismatch(positions.len(), evaluations.len()));
        }
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
    //! This verifier against winter-fri's `FriVerifier`, on FRI sections from winter-fri's
    //! prover and from a prover of our own that commits to a layer of its choice: honest
    //! sections, and sections changed at each place a check looks.
    use super::*;
    use distaff_math::{CubeFelt, QuadFelt};
    use winter_crypto::hashers::Blake3_256;
    use winter_crypto::Hasher;
    use winter_fri::folding::apply_drp;
    use winter_fri::{DefaultProverChannel, FriOptions, FriProver, FriVerifier, VerifierChannel};
    use winter_utils::{transpose_slice, Deserializable, Serializable, SliceReader};

    type H = Blake3_256<Felt>;
    type Digest = <H as Hasher>::Digest;

    /// A FRI section: what both verifiers read.
    #[derive(Clone)]
    struct Section<E> {
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
    fn element<E: FieldElement<BaseField = Felt>>(seed: u64) -> E {
        let mix = |x: u64| Felt::new(x.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29) >> 1);
        let base: Vec<Felt> = (0..E::EXTENSION_DEGREE as u64).map(|k| mix(seed * 7 + k + 1)).collect();
        E::slice_from_base_elements(&base)[0]
    }

    /// The evaluations over the LDE coset (offset 7) of `domain_size` points of a polynomial
    /// of `coefficients` pseudo-random coefficients.
    fn evaluations<E: FieldElement<BaseField = Felt>>(domain_size: usize, coefficients: usize) -> Vec<E> {
        let poly: Vec<E> =
            (0..domain_size).map(|i| if i < coefficients { element(i as u64) } else { E::ZERO }).collect();
        fft::evaluate_poly_with_offset(&poly, &fft::get_twiddles::<Felt>(domain_size), Felt::GENERATOR, 1)
    }

    /// The section winter-fri's prover makes for [`evaluations`] and a bound of
    /// `P = domain/blowup`.
    fn section<E: FieldElement<BaseField = Felt>>(
        log_domain: u32,
        blowup: usize,
        folding: usize,
        remainder_max_degree: usize,
        coefficients: usize,
    ) -> Section<E> {
        let domain_size = 1usize << log_domain;
        let options = FriOptions::new(blowup, folding, remainder_max_degree);
        let evaluations = evaluations::<E>(domain_size, coefficients);
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

    /// winter-fri's fold of a whole layer.
    fn fold<E: FieldElement<BaseField = Felt>>(values: &[E], n: usize, alpha: E) -> Vec<E> {
        fn rows<E: FieldElement<BaseField = Felt>, const N: usize>(values: &[E], alpha: E) -> Vec<E> {
            apply_drp(&transpose_slice::<E, N>(values), Felt::GENERATOR, alpha)
        }
        match n {
            2 => rows::<E, 2>(values, alpha),
            4 => rows::<E, 4>(values, alpha),
            8 => rows::<E, 8>(values, alpha),
            _ => rows::<E, 16>(values, alpha),
        }
    }

    /// A prover of our own, as winter-fri's but for one thing: the layer `forged` is replaced,
    /// before it is committed, by the honest one plus one at every point (the input itself for
    /// layer 0, whose commitment is not FRI's). Every commitment is honest for what it commits
    /// to, and later layers fold the forged one honestly, so only one check can see it.
    fn forged_section<E: FieldElement<BaseField = Felt>>(
        log_domain: u32,
        blowup: usize,
        folding: usize,
        remainder_max_degree: usize,
        forged: usize,
    ) -> Section<E> {
        let domain_size = 1usize << log_domain;
        let options = FriOptions::new(blowup, folding, remainder_max_degree);
        let input = evaluations::<E>(domain_size, domain_size / blowup);
        let mut coin = DefaultRandomCoin::<H>::new(&[]);
        let mut layer = input.clone();
        let mut committed = Vec::new();
        let mut commitments = Vec::new();
        for depth in 0..options.num_fri_layers(domain_size) {
            if depth == forged {
                layer.iter_mut().for_each(|v| *v += E::ONE);
            }
            let rows: Vec<Digest> = transpose_rows(&layer, folding).iter().map(|row| H::hash_elements(row)).collect();
            let tree = MerkleVc::<H>::with_options(rows, ()).expect("a tree");
            commitments.push(tree.commitment());
            coin.reseed(tree.commitment());
            let alpha: E = coin.draw().expect("a challenge");
            let next = fold(&layer, folding, alpha);
            committed.push((core::mem::replace(&mut layer, next), tree));
        }
        // winter-fri's remainder: the last layer's coefficients below its bound, highest first
        let inv_twiddles = fft::get_inv_twiddles::<Felt>(layer.len());
        fft::interpolate_poly_with_offset(&mut layer, &inv_twiddles, Felt::GENERATOR);
        let remainder: Vec<E> = layer[..layer.len() / blowup].iter().rev().copied().collect();
        commitments.push(H::hash_elements(&remainder));
        coin.reseed(H::hash_elements(&remainder));
        let _: E = coin.draw().expect("a challenge");
        let mut positions = coin.draw_integers(20, domain_size, 0).expect("positions");
        positions.sort_unstable();
        positions.dedup();
        let mut folded = positions.clone();
        let mut size = domain_size;
        let mut layers = Vec::new();
        for (values, tree) in &committed {
            folded = fold_positions(&folded, size, folding);
            size /= folding;
            let rows = transpose_rows(values, folding);
            let opened = folded.iter().flat_map(|&i| rows[i].iter().copied()).collect();
            let (_, proof) = tree.open_many(&folded).expect("an opening");
            layers.push((opened, proof.to_bytes()));
        }
        Section {
            options,
            domain_size,
            max_degree: domain_size / blowup - 1,
            commitments,
            layers,
            sent: remainder.len(),
            remainder,
            evaluations: positions.iter().map(|&p| input[p]).collect(),
            positions,
        }
    }

    /// winter-fri's layout of a layer: row `i` holds the values at `i + j·(len/N)`.
    fn transpose_rows<E: FieldElement<BaseField = Felt>>(values: &[E], n: usize) -> Vec<Vec<E>> {
        let rows = values.len() / n;
        (0..rows).map(|i| (0..n).map(|j| values[i + j * rows]).collect()).collect()
    }

    fn shape<E>(s: &Section<E>) -> LayerShape {
        LayerShape {
            domain_size: s.domain_size,
            folding_factor: s.options.folding_factor(),
            num_layers: s.layers.len(),
            remainder_len: s.sent,
            padded_remainder_len: s.remainder.len(),
        }
    }

    fn openings<E: FieldElement<BaseField = Felt>>(s: &Section<E>) -> Vec<Openings> {
        let layer = |(values, proof): &(Vec<E>, Vec<u8>)| Openings {
            values: E::slice_as_base_elements(values).to_vec(),
            merkle_proof: proof.clone(),
        };
        s.layers.iter().map(layer).collect()
    }

    fn load<E>(s: &Section<E>, shape: LayerShape) -> Result<FriProof<E, H>, VerificationError>
    where
        E: FieldElement<BaseField = Felt>,
        Felt: ScaleBy<E>,
    {
        let sent = E::slice_as_base_elements(&s.remainder[s.remainder.len() - s.sent..]);
        FriProof::<E, H>::load(&s.commitments, &openings(s), sent, &s.positions, shape)
    }

    fn ours<E>(s: &Section<E>) -> Result<(), VerifierError>
    where
        E: FieldElement<BaseField = Felt>,
        Felt: ScaleBy<E>,
    {
        let alphas = folding_challenges::<E, H>(&mut DefaultRandomCoin::new(&[]), &s.commitments).expect("challenges");
        match load(s, shape(s)).expect("the shape").verify(&alphas, &s.evaluations) {
            Ok(()) => Ok(()),
            Err(VerificationError::Fri(e)) => Err(e),
            Err(e) => panic!("not a FRI error: {e}"),
        }
    }

    /// winter-fri's channel over a section (with the remainder checked against its
    /// commitment, which winter-fri's default leaves out).
    struct Channel<E>(Section<E>, Vec<Vec<E>>);

    impl<E: FieldElement<BaseField = Felt>> VerifierChannel<E> for Channel<E> {
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
            BoundedBatchProof::read_from(&mut SliceReader::new(&bytes)).expect("a batch proof")
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

    fn winter<E: FieldElement<BaseField = Felt>>(s: &Section<E>) -> Result<(), VerifierError> {
        let mut channel = Channel(s.clone(), s.layers.iter().map(|(values, _)| values.clone()).collect());
        let mut coin = DefaultRandomCoin::<H>::new(&[]);
        let verifier = FriVerifier::<E, Channel<E>, H, DefaultRandomCoin<H>, MerkleVc<H>>::new(
            &mut channel,
            &mut coin,
            s.options.clone(),
            s.max_degree,
        )?;
        verifier.verify(&mut channel, &s.evaluations, &s.positions)
    }

    /// Both verifiers' results on a section, which must agree.
    fn both<E>(s: &Section<E>) -> Result<(), VerifierError>
    where
        E: FieldElement<BaseField = Felt>,
        Felt: ScaleBy<E>,
    {
        let result = ours(s);
        assert_eq!(result, winter(s), "the two verifiers disagree");
        result
    }

    /// (log2 domain, blowup, folding factor, remainder degree bound): every folding factor,
    /// and one configuration with no layer at all.
    const CONFIGS: [(u32, usize, usize, usize); 6] =
        [(12, 8, 8, 7), (12, 4, 4, 31), (11, 8, 2, 15), (13, 8, 16, 31), (12, 8, 8, 63), (9, 8, 8, 127)];

    fn agree_on_honest_and_changed_sections<E>()
    where
        E: FieldElement<BaseField = Felt>,
        Felt: ScaleBy<E>,
    {
        use VerifierError::*;
        for (log_domain, blowup, folding, remainder_max_degree) in CONFIGS {
            let p = (1usize << log_domain) / blowup;
            let honest = section::<E>(log_domain, blowup, folding, remainder_max_degree, p);
            let config = alloc::format!("domain 2^{log_domain}, blowup {blowup}, folding {folding}");
            assert_eq!(both(&honest), Ok(()), "{config}");
            // an input value at a query
            for i in [0, honest.positions.len() - 1] {
                let mut s = honest.clone();
                s.evaluations[i] += E::ONE;
                let expected = if honest.layers.is_empty() { InvalidRemainderFolding } else { InvalidLayerFolding(0) };
                assert_eq!(both(&s), Err(expected), "{config}, query {i}");
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
                let s = section::<E>(log_domain, blowup, folding, remainder_max_degree, coefficients);
                assert_eq!(both(&s), Err(InvalidRemainderFolding), "{config}, {coefficients} coefficients");
            }
            // a layer committed to other values than the fold of the previous one: seen by the
            // next layer's consistency check only (its own commitment is honest)
            let layers = honest.layers.len();
            assert_eq!(both(&forged_section::<E>(log_domain, blowup, folding, remainder_max_degree, layers)), Ok(()));
            for forged in 0..layers {
                let s = forged_section::<E>(log_domain, blowup, folding, remainder_max_degree, forged);
                assert_eq!(both(&s), Err(InvalidLayerFolding(forged)), "{config}, layer {forged} forged");
            }
        }
    }

    #[test]
    fn this_verifier_and_winter_fri_s_agree_on_honest_and_changed_sections() {
        agree_on_honest_and_changed_sections::<QuadFelt>();
        agree_on_honest_and_changed_sections::<CubeFelt>();
    }

    #[test]
    fn the_remainder_sent_is_bounded_below_winter_fri_s() {
        // a polynomial under half winter-fri's bound: its remainder's upper half is zero, and a
        // section that sends only the lower half is accepted
        let (log_domain, blowup, folding, remainder_max_degree) = (12, 8, 8, 7);
        let p = (1usize << log_domain) / blowup;
        let mut s = section::<QuadFelt>(log_domain, blowup, folding, remainder_max_degree, p / 2);
        assert!(s.remainder[..s.remainder.len() / 2].iter().all(|c| *c == QuadFelt::ZERO));
        s.sent = s.remainder.len() / 2;
        assert_eq!(both(&s), Ok(()));
        // one of full degree is winter-fri's bound, but not the one the section sends: its
        // upper coefficients are not sent, and the zeros put in their place miss the commitment
        let mut s = section::<QuadFelt>(log_domain, blowup, folding, remainder_max_degree, p);
        s.sent = s.remainder.len() / 2;
        assert_eq!(winter(&s), Ok(()));
        assert_eq!(ours(&s), Err(VerifierError::RemainderCommitmentMismatch));
    }

    #[test]
    fn a_section_of_another_shape_is_refused_before_anything_is_hashed() {
        let s = section::<QuadFelt>(12, 8, 8, 7, 512);
        let good = shape(&s);
        assert!(load(&s, good).is_ok());
        let malformed = |what| Err::<(), _>(VerificationError::MalformedProof(what));
        let refused = |shape: LayerShape| load(&s, shape).map(|_| ());
        for folding_factor in [0, 1, 3, 32] {
            let expected = Err(VerificationError::Fri(VerifierError::UnsupportedFoldingFactor(folding_factor)));
            assert_eq!(refused(LayerShape { folding_factor, ..good }), expected, "folding {folding_factor}");
        }
        // a domain not a power of two, beyond the field's two-adicity, or folded to one point
        for domain_size in [4095, 6144, 1 << 33] {
            assert_eq!(refused(LayerShape { domain_size, ..good }), malformed("FRI domain"), "domain {domain_size}");
        }
        // (2^32 points are the field's largest domain: its shape passes, the proofs' depth not)
        let largest = LayerShape { domain_size: 1 << 32, ..good };
        assert_eq!(refused(largest), malformed("FRI layer Merkle proof"));
        assert_eq!(refused(LayerShape { num_layers: 4, ..good }), malformed("FRI domain"));
        assert_eq!(refused(LayerShape { domain_size: 1 << 6, ..good }), malformed("FRI domain"));
        // one layer fewer or more than the section has
        for num_layers in [good.num_layers - 1, good.num_layers + 1] {
            let shape = LayerShape { domain_size: 1 << 20, num_layers, ..good };
            assert!(matches!(refused(shape), Err(VerificationError::Shape { .. })), "{num_layers} layers");
        }
        // a remainder longer than winter-fri's, or of another length than the shape's
        assert_eq!(
            refused(LayerShape { padded_remainder_len: good.remainder_len - 1, ..good }),
            malformed("FRI remainder longer than winter-fri's")
        );
        let short = LayerShape { remainder_len: good.remainder_len - 1, ..good };
        assert!(matches!(refused(short), Err(VerificationError::Shape { what: "FRI remainder", .. })));
        // the commitments: one too few or too many
        let sent = QuadFelt::slice_as_base_elements(&s.remainder);
        for commitments in [&s.commitments[1..], &[s.commitments.clone(), s.commitments.clone()].concat()[..]] {
            let loaded = FriProof::<QuadFelt, H>::load(commitments, &openings(&s), sent, &s.positions, good);
            let expected = VerificationError::Shape {
                what: "FRI commitments",
                expected: good.num_layers + 1,
                got: commitments.len(),
            };
            assert_eq!(loaded.map(|_| ()), Err(expected));
        }
        // positions: none, out of order, repeated, outside the domain
        let last = *s.positions.last().expect("a position");
        let mut backwards = s.positions.clone();
        backwards.swap(0, 1);
        let mut repeated = s.positions.clone();
        repeated.insert(1, repeated[0]);
        for positions in [Vec::new(), backwards, repeated, [&s.positions[..], &[s.domain_size + last]].concat()] {
            let loaded = FriProof::<QuadFelt, H>::load(&s.commitments, &openings(&s), sent, &positions, good);
            assert_eq!(loaded.map(|_| ()), malformed("FRI query positions"), "{positions:?}");
        }
        // a layer's values one short
        let mut short = openings(&s);
        short[1].values.pop();
        let loaded = FriProof::<QuadFelt, H>::load(&s.commitments, &short, sent, &s.positions, good);
        assert!(matches!(loaded, Err(VerificationError::Shape { what: "FRI layer values", .. })));
        // evaluations of another count, challenges too few
        let fri = load(&s, good).expect("the shape");
        let alphas =
            folding_challenges::<QuadFelt, H>(&mut DefaultRandomCoin::new(&[]), &s.commitments).expect("challenges");
        assert_eq!(
            fri.verify(&alphas, &s.evaluations[1..]),
            Err(VerificationError::Fri(VerifierError::NumPositionEvaluationMismatch(
                s.positions.len(),
                s.positions.len() - 1
            )))
        );
        assert!(matches!(
            fri.verify(&alphas[..good.num_layers - 1], &s.evaluations),
            Err(VerificationError::Shape { what: "FRI challenges", .. })
        ));
        assert_eq!(fri.verify(&alphas[..good.num_layers], &s.evaluations), Ok(()));
    }
}
