//! winter-fri's verifier channel, implemented over our proof so that FRI continues the one
//! Fiat–Shamir transcript.
//!
//! The channel is built only once the query positions are known, from the proof's FRI
//! section in our own encoding (never winter-fri's `FriProof`, whose parsing hashes a layer's
//! values before anything checks their number, and whose partition count is `2^byte`). Every
//! layer is checked for shape against the positions it will be read at (the number of values,
//! the depth of its Merkle proof), so nothing winter-fri does with it can panic, and the
//! remainder is checked against its commitment when FRI reads it ([`FriChannel`]'s
//! `read_remainder`, which replaces winter-fri's default, a default that checks nothing).

use alloc::vec::Vec;

use distaff_math::{Felt, FieldElement};
use winter_crypto::{ElementHasher, Hasher};
use winter_fri::folding::fold_positions;
use winter_fri::{VerifierChannel, VerifierError};

use crate::merkle::{decode_batch_proof, BoundedBatchProof, MerkleVc};
use crate::proof::Openings;
use crate::VerificationError;

/// FRI data of a proof, parsed and checked for shape.
pub struct FriChannel<E: FieldElement<BaseField = Felt>, H: ElementHasher<BaseField = Felt>> {
    commitments: Vec<H::Digest>,
    remainder_commitment: H::Digest,
    layer_proofs: Vec<BoundedBatchProof<H>>,
    layer_queries: Vec<Vec<E>>,
    remainder: Vec<E>,
}

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
    /// zero coefficients of higher degree to this length (so a remainder of more coefficients
    /// than the proof's degree bound cannot be sent).
    pub padded_remainder_len: usize,
}

impl<E: FieldElement<BaseField = Felt>, H: ElementHasher<BaseField = Felt>> FriChannel<E, H> {
    /// A channel holding the FRI commitments only (for winter-fri's commit phase, before the
    /// query positions are drawn): the layer roots followed by the remainder's commitment.
    pub fn new(commitments: Vec<H::Digest>) -> Result<Self, VerificationError> {
        let remainder_commitment = *commitments.last().ok_or(VerificationError::MalformedProof("FRI commitments"))?;
        Ok(FriChannel {
            commitments,
            remainder_commitment,
            layer_proofs: Vec::new(),
            layer_queries: Vec::new(),
            remainder: Vec::new(),
        })
    }

    /// Loads the proof's FRI layers and remainder for the sorted, distinct query `positions`
    /// in the first layer, checking each layer's shape against the positions folded into it.
    pub fn load(
        &mut self,
        layers: &[Openings],
        remainder: &[Felt],
        positions: &[usize],
        shape: LayerShape,
    ) -> Result<(), VerificationError> {
        let LayerShape { mut domain_size, folding_factor, num_layers, remainder_len, padded_remainder_len } = shape;
        if layers.len() != num_layers {
            return Err(VerificationError::Shape { what: "FRI layers", expected: num_layers, got: layers.len() });
        }
        let d = E::EXTENSION_DEGREE;
        let mut positions = positions.to_vec();
        let mut layer_queries = Vec::with_capacity(num_layers);
        let mut layer_proofs = Vec::with_capacity(num_layers);
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
            layer_queries.push(E::slice_from_base_elements(&layer.values).to_vec());
            layer_proofs.push(proof);
        }
        if remainder.len() != remainder_len * d {
            return Err(VerificationError::Shape {
                what: "FRI remainder",
                expected: remainder_len * d,
                got: remainder.len(),
            });
        }
        // hand layers out from the back
        layer_queries.reverse();
        layer_proofs.reverse();
        self.layer_queries = layer_queries;
        self.layer_proofs = layer_proofs;
        // highest degree first: the padding zeros go in front
        let mut padded = alloc::vec![E::ZERO; padded_remainder_len.saturating_sub(remainder_len)];
        padded.extend_from_slice(E::slice_from_base_elements(remainder));
        self.remainder = padded;
        Ok(())
    }
}

impl<E: FieldElement<BaseField = Felt>, H: ElementHasher<BaseField = Felt>> VerifierChannel<E> for FriChannel<E, H> {
    type Hasher = H;
    type VectorCommitment = MerkleVc<H>;

    fn read_fri_num_partitions(&self) -> usize {
        1
    }

    fn read_fri_layer_commitments(&mut self) -> Vec<<H as Hasher>::Digest> {
        core::mem::take(&mut self.commitments)
    }

    fn take_next_fri_layer_queries(&mut self) -> Vec<E> {
        self.layer_queries.pop().unwrap_or_default()
    }

    fn take_next_fri_layer_proof(&mut self) -> BoundedBatchProof<H> {
        self.layer_proofs
            .pop()
            .unwrap_or(BoundedBatchProof(winter_crypto::BatchMerkleProof { nodes: Vec::new(), depth: 0 }))
    }

    fn take_fri_remainder(&mut self) -> Vec<E> {
        core::mem::take(&mut self.remainder)
    }

    /// The remainder, checked against its commitment: the last FRI commitment, absorbed into
    /// the transcript before the proof of work and the query positions, must be the hash of
    /// the remainder's coefficients (as winter-fri's prover computes it). winter-fri's
    /// default returns the remainder unchecked, which let a prover choose it after seeing the
    /// query positions.
    fn read_remainder(&mut self) -> Result<Vec<E>, VerifierError> {
        let remainder = self.take_fri_remainder();
        if H::hash_elements(&remainder) != self.remainder_commitment {
            return Err(VerifierError::RemainderCommitmentMismatch);
        }
        Ok(remainder)
    }
}
