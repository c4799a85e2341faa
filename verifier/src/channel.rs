//! winter-fri's verifier channel, implemented over our proof so that FRI continues the one
//! Fiat–Shamir transcript. Everything FRI will read is checked for shape up front, so the
//! channel never has to panic.

use alloc::vec::Vec;

use distaff_math::{Felt, FieldElement};
use winter_crypto::{ElementHasher, Hasher};
use winter_fri::{FriProof, VerifierChannel};

use crate::merkle::{BoundedBatchProof, MerkleVc};
use crate::VerificationError;

/// FRI data of a proof, parsed and checked for shape.
pub struct FriChannel<E: FieldElement<BaseField = Felt>, H: ElementHasher<BaseField = Felt>> {
    commitments: Vec<H::Digest>,
    layer_proofs: Vec<BoundedBatchProof<H>>,
    layer_queries: Vec<Vec<E>>,
    remainder: Vec<E>,
}

impl<E: FieldElement<BaseField = Felt>, H: ElementHasher<BaseField = Felt>> FriChannel<E, H> {
    /// Parses `proof`, checking it has exactly `num_layers` layers over a first domain of
    /// `domain_size`, one partition, and `num_layers + 1` commitments.
    pub fn new(
        proof: FriProof,
        commitments: Vec<H::Digest>,
        domain_size: usize,
        folding_factor: usize,
        num_layers: usize,
    ) -> Result<Self, VerificationError> {
        if proof.num_partitions() != 1 {
            return Err(VerificationError::MalformedProof("FRI proof must have one partition"));
        }
        if proof.num_layers() != num_layers || commitments.len() != num_layers + 1 {
            return Err(VerificationError::MalformedProof("wrong number of FRI layers"));
        }
        let remainder = proof.parse_remainder::<E>().map_err(|_| VerificationError::MalformedProof("FRI remainder"))?;
        let (mut layer_queries, mut layer_proofs) = proof
            .parse_layers::<E, H, MerkleVc<H>>(domain_size, folding_factor)
            .map_err(|_| VerificationError::MalformedProof("FRI layers"))?;
        // hand layers out from the back
        layer_queries.reverse();
        layer_proofs.reverse();
        Ok(FriChannel { commitments, layer_proofs, layer_queries, remainder })
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
}
