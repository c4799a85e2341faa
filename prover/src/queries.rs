//! Steps 8 and 9 of the protocol: FRI, grinding and the query phase.
//!
//! FRI's layers are built by winter-fri's prover with our transcript as its channel
//! ([`FriTranscript`]); a proof-of-work nonce is searched in parallel; then the query positions
//! are drawn and every committed matrix is opened there: FRI's layers, the main trace, the
//! auxiliary segment and the composition columns ([`open_queries`]).

use std::marker::PhantomData;

use crate::commit::digest_bytes;
use crate::composer::Composition;
use crate::hash::RowHasher;
use crate::prover::{ProverError, ProvingReport};
use crate::trace::{AuxTrace, MainTrace};
use crate::zk::Hiding;
use distaff_math::{Felt, FieldElement, StarkField};
use distaff_verifier::merkle::MerkleVc;
use distaff_verifier::proof::Openings;
use distaff_verifier::shape::ProofShape;
use distaff_verifier::Transcript;
use rayon::prelude::*;
use winter_crypto::{ElementHasher, RandomCoin};
use winter_fri::{FriProver, ProverChannel};
use winter_utils::Serializable;

/// winter-fri's prover channel over our transcript (step 7 of the protocol).
pub(crate) struct FriTranscript<E, H: ElementHasher<BaseField = Felt>> {
    transcript: Transcript<H>,
    roots: Vec<H::Digest>,
    failed: bool,
    _e: PhantomData<E>,
}

impl<E: FieldElement<BaseField = Felt>, H: ElementHasher<BaseField = Felt>> ProverChannel<E> for FriTranscript<E, H> {
    type Hasher = H;

    fn commit_fri_layer(&mut self, layer_root: H::Digest) {
        self.roots.push(layer_root);
        self.transcript.coin().reseed(layer_root);
    }

    fn draw_fri_alpha(&mut self) -> E {
        match self.transcript.coin().draw() {
            Ok(a) => a,
            Err(_) => {
                self.failed = true;
                E::ONE
            }
        }
    }
}

/// The FRI layers' openings and the remainder of winter-fri's proof, in our proof's encoding
/// (step 9): per layer, the opened leaves' values and the batch Merkle proof.
pub(crate) fn fri_openings<E: FieldElement<BaseField = Felt>, H: ElementHasher<BaseField = Felt>>(
    proof: winter_fri::FriProof,
    shape: &ProofShape,
) -> Result<(Vec<Openings>, Vec<Felt>), ProverError> {
    let remainder = proof.parse_remainder::<E>().map_err(|e| ProverError::Commitment(e.to_string()))?;
    // the remainder's coefficients come highest first; those beyond FRI's bound are zero (and
    // not sent: the verifier pads them back)
    let sent = shape.fri.remainder_len;
    if remainder.len() < sent || remainder[..remainder.len() - sent].iter().any(|c| *c != E::ZERO) {
        return Err(ProverError::CompositionDegree);
    }
    let remainder = remainder[remainder.len() - sent..].to_vec();
    let (values, proofs) = proof
        .parse_layers::<E, H, MerkleVc<H>>(shape.lde_size, shape.fri.folding_factor)
        .map_err(|e| ProverError::Commitment(e.to_string()))?;
    let layers = values
        .iter()
        .zip(proofs)
        .map(|(v, p)| Openings { values: E::slice_as_base_elements(v).to_vec(), merkle_proof: p.to_bytes() })
        .collect();
    Ok((layers, E::slice_as_base_elements(&remainder).to_vec()))
}

/// winter-fri's prover over our transcript and the Merkle trees of our proofs.
pub(crate) type Fri<E, H> = FriProver<E, FriTranscript<E, H>, H, MerkleVc<H>>;

/// FRI's commit phase, done: the prover (which opens the layers in step 9), the layers' roots,
/// and the transcript, reseeded with each root.
pub(crate) struct FriLayers<E: FieldElement<BaseField = Felt>, H: RowHasher> {
    pub(crate) prover: Fri<E, H>,
    pub(crate) roots: Vec<[u8; 32]>,
    pub(crate) transcript: Transcript<H>,
}

/// Step 8: FRI's commit phase on the DEEP composition's `evaluations` over the LDE domain.
pub(crate) fn commit_fri_layers<E, H>(
    shape: &ProofShape,
    transcript: Transcript<H>,
    evaluations: Vec<E>,
    report: &mut ProvingReport,
) -> Result<FriLayers<E, H>, ProverError>
where
    E: FieldElement<BaseField = Felt>,
    H: RowHasher,
{
    let mut fri = Fri::<E, H>::new(shape.fri.options());
    let mut channel = FriTranscript::<E, H> { transcript, roots: Vec::new(), failed: false, _e: PhantomData };
    report.time("FRI", || fri.build_layers(&mut channel, evaluations));
    if channel.failed {
        return Err(ProverError::Transcript);
    }
    let roots = channel.roots.iter().map(digest_bytes).collect();
    Ok(FriLayers { prover: fri, roots, transcript: channel.transcript })
}

/// Grinding: the first nonce whose proof of work on the transcript has at least `bits` leading
/// zeros, searched in parallel.
pub(crate) fn grind<H: RowHasher>(transcript: &Transcript<H>, bits: u32, report: &mut ProvingReport) -> u64 {
    report.time("grinding", || {
        (0..u64::MAX).into_par_iter().find_first(|&nonce| transcript.proof_of_work_bits(nonce) >= bits).unwrap_or(0)
    })
}

/// Everything step 9 opens at the query positions.
pub(crate) struct QueryOpenings {
    pub(crate) fri_layers: Vec<Openings>,
    pub(crate) fri_remainder: Vec<Felt>,
    pub(crate) trace: Openings,
    pub(crate) aux: Option<Openings>,
    pub(crate) composition: Openings,
}

/// Step 9: opens FRI's layers (and sends its remainder) and the rows of every committed matrix
/// at the query `positions` of the LDE domain, each row with its salt in a hiding proof.
#[allow(clippy::too_many_arguments)]
pub(crate) fn open_queries<E, H>(
    fri: &mut Fri<E, H>,
    positions: &[usize],
    shape: &ProofShape,
    main: &MainTrace<H>,
    aux: Option<&AuxTrace<H>>,
    composition: &Composition<H>,
    hiding: Hiding<'_>,
    report: &mut ProvingReport,
) -> Result<QueryOpenings, ProverError>
where
    E: FieldElement<BaseField = Felt>,
    H: RowHasher,
{
    report.time("queries", || {
        let (fri_layers, fri_remainder) = fri_openings::<E, H>(fri.build_proof(positions), shape)?;
        let omega = Felt::get_root_of_unity(shape.lde_size.trailing_zeros());
        let xs: Vec<Felt> = positions.iter().map(|p| Felt::GENERATOR * omega.exp(*p as u64)).collect();
        Ok(QueryOpenings {
            fri_layers,
            fri_remainder,
            trace: main.open(positions, &xs, shape, hiding)?,
            aux: aux.map(|a| a.open(positions, shape, hiding)).transpose()?,
            composition: composition.open(positions, shape, hiding)?,
        })
    })
}
