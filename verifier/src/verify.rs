//! The verification procedure.

use alloc::vec::Vec;

use distaff_air::air::{composition_shape, num_constraints};
use distaff_air::layout::FULL_TRACE_WIDTH;
use distaff_air::{
    Air, ProcessorAir, PublicInputs, Variant, Word, MAX_INITIAL_MEMORY, MAX_OUTPUTS, MAX_PUBLIC_INPUTS,
    MAX_TRACE_LENGTH_LOG2, MIN_TRACE_LENGTH,
};
use distaff_math::{CubeFelt, Felt, FieldElement, QuadFelt, StarkField};
use winter_crypto::hashers::{Blake3_256, Rp64_256};
use winter_crypto::{DefaultRandomCoin, ElementHasher, Hasher, RandomCoin, VectorCommitment};
use winter_fri::FriVerifier;
use winter_utils::{ByteReader, Deserializable, SliceReader};

use crate::channel::FriChannel;
use crate::merkle::{BoundedBatchProof, MerkleVc};
use crate::options::{FieldExtension, HashFunction};
use crate::proof::Proof;
use crate::protocol::{combine_composition_columns, composition_at, num_deep_coefficients, transcript_seed, OodFrame};
use crate::VerificationError;

/// Verifies `proof_bytes` against the claim, requiring at least `min_security_bits` of
/// conjectured security. Returns the proof's conjectured security on success.
pub fn verify_bytes(
    program_hash: &Word,
    public_inputs: &[Felt],
    outputs: &[Felt],
    proof_bytes: &[u8],
    min_security_bits: u32,
) -> Result<u32, VerificationError> {
    let proof = Proof::from_bytes(proof_bytes)?;
    verify(program_hash, public_inputs, outputs, &proof, min_security_bits)
}

/// Verifies `proof_bytes` against a full claim (with initial memory): [`verify_claim`] on the
/// decoded proof.
pub fn verify_claim_bytes(
    public: &PublicInputs,
    proof_bytes: &[u8],
    min_security_bits: u32,
) -> Result<u32, VerificationError> {
    let proof = Proof::from_bytes(proof_bytes)?;
    verify_claim(public, &proof, min_security_bits)
}

/// Verifies that `proof` shows the program with hash `program_hash`, started with
/// `public_inputs` on the stack (top first) and all-zero memory, ended with `outputs` on top of
/// the stack. Returns the proof's conjectured security in bits.
pub fn verify(
    program_hash: &Word,
    public_inputs: &[Felt],
    outputs: &[Felt],
    proof: &Proof,
    min_security_bits: u32,
) -> Result<u32, VerificationError> {
    let public = PublicInputs::new(*program_hash, public_inputs.to_vec(), outputs.to_vec());
    verify_claim(&public, proof, min_security_bits)
}

/// Verifies `proof` against a full claim (program hash, public inputs, outputs and initial
/// memory). Returns the proof's conjectured security in bits.
pub fn verify_claim(public: &PublicInputs, proof: &Proof, min_security_bits: u32) -> Result<u32, VerificationError> {
    if public.inputs.len() > MAX_PUBLIC_INPUTS
        || public.outputs.len() > MAX_OUTPUTS
        || public.memory.len() > MAX_INITIAL_MEMORY
    {
        return Err(VerificationError::ClaimTooLarge { inputs: public.inputs.len(), outputs: public.outputs.len() });
    }
    if !public.memory_is_sorted() {
        return Err(VerificationError::MemoryNotSorted);
    }
    // the variant is the proof's shape: no auxiliary segment for a straight-line execution, the
    // memory columns for an execution with memory or a deep stack (and it is in the transcript)
    let ext = match proof.options.extension {
        FieldExtension::Quadratic => 2,
        FieldExtension::Cubic => 3,
    };
    let variant = match proof.aux_root {
        None => Variant::StraightLine,
        Some(_) if proof.ood_trace_current.len() == FULL_TRACE_WIDTH * ext => Variant::Memory,
        Some(_) => Variant::Control,
    };
    let air = ProcessorAir::with_variant(public.clone(), proof.trace_length(), variant);
    if air.variant() != variant {
        return Err(VerificationError::MalformedProof("a claim with initial memory needs a proof with memory"));
    }
    verify_air(&air, proof, min_security_bits)
}

/// Verifies a proof for any [`Air`] (whose trace length must be the proof's), requiring at
/// least `min_security_bits` of conjectured security. Returns the proof's conjectured security.
pub fn verify_air<A: Air>(air: &A, proof: &Proof, min_security_bits: u32) -> Result<u32, VerificationError> {
    proof.options.validate()?;
    let log_n = proof.trace_length_log2;
    let log_b = proof.options.blowup_factor.trailing_zeros();
    if (log_n as usize) < MIN_TRACE_LENGTH.trailing_zeros() as usize
        || log_n as u32 > MAX_TRACE_LENGTH_LOG2
        || log_n as u32 + log_b > Felt::TWO_ADICITY
        || air.trace_length() != proof.trace_length()
    {
        return Err(VerificationError::TraceLength(log_n));
    }
    if air.periodic_columns().iter().any(|c| !c.len().is_power_of_two() || c.len() > air.trace_length()) {
        return Err(VerificationError::PeriodicColumns);
    }
    let bits = proof.security_bits();
    if bits < min_security_bits {
        return Err(VerificationError::InsufficientSecurity { bits, required: min_security_bits });
    }
    match (proof.options.extension, proof.options.hash) {
        (FieldExtension::Quadratic, HashFunction::Blake3_256) => {
            verify_generic::<QuadFelt, Blake3_256<Felt>, A>(air, proof)
        }
        (FieldExtension::Quadratic, HashFunction::Rp64_256) => verify_generic::<QuadFelt, Rp64_256, A>(air, proof),
        (FieldExtension::Cubic, HashFunction::Blake3_256) => {
            verify_generic::<CubeFelt, Blake3_256<Felt>, A>(air, proof)
        }
        (FieldExtension::Cubic, HashFunction::Rp64_256) => verify_generic::<CubeFelt, Rp64_256, A>(air, proof),
    }?;
    Ok(bits)
}

fn digest<H: Hasher>(bytes: &[u8; 32]) -> Result<H::Digest, VerificationError> {
    let mut r = SliceReader::new(bytes);
    let d = H::Digest::read_from(&mut r).map_err(|_| VerificationError::MalformedProof("commitment"))?;
    if r.has_more_bytes() {
        return Err(VerificationError::MalformedProof("commitment"));
    }
    Ok(d)
}

fn draw<E: FieldElement<BaseField = Felt>, H: ElementHasher<BaseField = Felt>>(
    coin: &mut DefaultRandomCoin<H>,
    n: usize,
) -> Result<Vec<E>, VerificationError> {
    (0..n).map(|_| coin.draw::<E>().map_err(|_| VerificationError::Transcript)).collect()
}

fn ext_slice<E: FieldElement<BaseField = Felt>>(values: &[Felt], count: usize) -> Result<&[E], VerificationError> {
    if values.len() != count * E::EXTENSION_DEGREE {
        return Err(VerificationError::MalformedProof("out-of-domain frame has the wrong size"));
    }
    Ok(E::slice_from_base_elements(values))
}

fn check_openings<H: ElementHasher<BaseField = Felt>>(
    root: &H::Digest,
    positions: &[usize],
    leaves: Vec<H::Digest>,
    proof_bytes: &[u8],
    depth: u32,
) -> Result<(), ()> {
    let mut r = SliceReader::new(proof_bytes);
    let proof = BoundedBatchProof::<H>::read_from(&mut r).map_err(|_| ())?;
    if r.has_more_bytes() || proof.0.depth as u32 != depth {
        return Err(());
    }
    MerkleVc::<H>::verify_many(*root, positions, &leaves, &proof).map_err(|_| ())
}

fn verify_generic<E, H, A>(air: &A, proof: &Proof) -> Result<(), VerificationError>
where
    E: FieldElement<BaseField = Felt> + crate::protocol::ScaleBy<E>,
    Felt: crate::protocol::ScaleBy<E>,
    H: ElementHasher<BaseField = Felt>,
    A: Air,
{
    let options = &proof.options;
    let n = proof.trace_length();
    let lde_size = n * options.blowup_factor;
    let (main_width, aux_width) = (air.main_width(), air.aux_width());
    let (num_chunks, ce_blowup) = composition_shape(air);
    if ce_blowup > options.blowup_factor {
        return Err(VerificationError::MalformedProof("blowup too small for the constraint degree"));
    }
    if proof.num_composition_columns as usize != num_chunks {
        return Err(VerificationError::MalformedProof("wrong number of composition columns"));
    }
    if proof.aux_root.is_some() != (aux_width > 0) || proof.aux_openings.is_some() != (aux_width > 0) {
        return Err(VerificationError::MalformedProof("auxiliary segment present or missing"));
    }
    let ood_current = ext_slice::<E>(&proof.ood_trace_current, main_width)?;
    let ood_next = ext_slice::<E>(&proof.ood_trace_next, main_width)?;
    let ood_aux_current = ext_slice::<E>(&proof.ood_aux_current, aux_width)?;
    let ood_aux_next = ext_slice::<E>(&proof.ood_aux_next, aux_width)?;
    let ood_composition = ext_slice::<E>(&proof.ood_composition, num_chunks)?;
    let trace_root = digest::<H>(&proof.trace_root)?;
    let aux_root = proof.aux_root.as_ref().map(digest::<H>).transpose()?;
    let composition_root = digest::<H>(&proof.composition_root)?;

    // --- transcript: claim, trace commitments, constraint coefficients ----------------------
    let seed = transcript_seed(options, proof.trace_length_log2, &air.public_elements());
    let mut coin = DefaultRandomCoin::<H>::new(&seed);
    coin.reseed(trace_root);
    let mut challenges = draw::<E, H>(&mut coin, if aux_width > 0 { air.num_aux_challenges() } else { 0 })?;
    let derived = air.derived_challenges(&challenges);
    challenges.extend(derived);
    if let Some(root) = aux_root {
        coin.reseed(root);
    }
    let alphas = draw::<E, H>(&mut coin, num_constraints(air))?;
    coin.reseed(composition_root);
    let z = coin.draw::<E>().map_err(|_| VerificationError::Transcript)?;

    // --- constraints at the out-of-domain point ----------------------------------------------
    let g = Felt::get_root_of_unity(proof.trace_length_log2 as u32);
    let frame = OodFrame { current: ood_current, next: ood_next, aux_current: ood_aux_current, aux_next: ood_aux_next };
    let q_z = composition_at(air, frame, &alphas, &challenges, z).ok_or(VerificationError::Transcript)?;
    if q_z != combine_composition_columns(ood_composition, z, n) {
        return Err(VerificationError::ConstraintCheck);
    }
    let mut ood_all = Vec::with_capacity(2 * (main_width + aux_width) + num_chunks);
    for part in [ood_current, ood_next, ood_aux_current, ood_aux_next, ood_composition] {
        ood_all.extend_from_slice(part);
    }
    coin.reseed(H::hash_elements(&ood_all));
    let deep = draw::<E, H>(&mut coin, num_deep_coefficients(main_width + aux_width, num_chunks))?;

    // --- FRI commit phase, proof of work, queries --------------------------------------------
    let fri_options = options.fri_options();
    let num_layers = fri_options.num_fri_layers(lde_size);
    let fri_roots = proof.fri_roots.iter().map(digest::<H>).collect::<Result<Vec<_>, _>>()?;
    let mut channel =
        FriChannel::<E, H>::new(proof.fri_proof.clone(), fri_roots, lde_size, options.fri_folding_factor, num_layers)?;
    let fri = FriVerifier::<E, FriChannel<E, H>, H, DefaultRandomCoin<H>, MerkleVc<H>>::new(
        &mut channel,
        &mut coin,
        fri_options,
        n - 1,
    )
    .map_err(|e| VerificationError::Fri(alloc::format!("{e}")))?;
    if coin.check_leading_zeros(proof.pow_nonce) < options.grinding_bits {
        return Err(VerificationError::ProofOfWork);
    }
    let mut positions = coin
        .draw_integers(options.num_queries, lde_size, proof.pow_nonce)
        .map_err(|_| VerificationError::Transcript)?;
    positions.sort_unstable();
    positions.dedup();

    // --- openings -------------------------------------------------------------------------
    let depth = lde_size.trailing_zeros();
    let tv = &proof.trace_openings.values;
    if tv.len() != positions.len() * main_width {
        return Err(VerificationError::MalformedProof("wrong number of trace values"));
    }
    let trace_rows: Vec<&[Felt]> = tv.chunks(main_width).collect();
    let leaves = trace_rows.iter().map(|r| H::hash_elements(r)).collect();
    check_openings::<H>(&trace_root, &positions, leaves, &proof.trace_openings.merkle_proof, depth)
        .map_err(|_| VerificationError::TraceCommitment)?;
    let aux_rows: Vec<&[E]> = match (&proof.aux_openings, aux_root) {
        (Some(openings), Some(root)) => {
            let row_len = aux_width * E::EXTENSION_DEGREE;
            if openings.values.len() != positions.len() * row_len {
                return Err(VerificationError::MalformedProof("wrong number of auxiliary values"));
            }
            let rows: Vec<&[E]> = openings.values.chunks(row_len).map(E::slice_from_base_elements).collect();
            let leaves = rows.iter().map(|r| H::hash_elements(r)).collect();
            check_openings::<H>(&root, &positions, leaves, &openings.merkle_proof, depth)
                .map_err(|_| VerificationError::TraceCommitment)?;
            rows
        }
        _ => alloc::vec![&[][..]; positions.len()],
    };
    let cv = &proof.composition_openings.values;
    let row_len = num_chunks * E::EXTENSION_DEGREE;
    if cv.len() != positions.len() * row_len {
        return Err(VerificationError::MalformedProof("wrong number of composition values"));
    }
    let comp_rows: Vec<&[E]> = cv.chunks(row_len).map(E::slice_from_base_elements).collect();
    let leaves = comp_rows.iter().map(|r| H::hash_elements(r)).collect();
    check_openings::<H>(&composition_root, &positions, leaves, &proof.composition_openings.merkle_proof, depth)
        .map_err(|_| VerificationError::CompositionCommitment)?;

    // --- DEEP composition at the queried positions, then FRI ---------------------------------
    let (gamma, rest) = deep.split_at(main_width + aux_width);
    let (gamma_next, delta) = rest.split_at(main_width + aux_width);
    let zg = z * E::from(g);
    let omega = Felt::get_root_of_unity(depth);
    let offset = Felt::GENERATOR;
    let mut evaluations = Vec::with_capacity(positions.len());
    for (i, &pos) in positions.iter().enumerate() {
        let x = E::from(offset * omega.exp_vartime(pos as u64));
        let mut a = E::ZERO;
        let mut b = E::ZERO;
        for (j, &t) in trace_rows[i].iter().enumerate() {
            let t = E::from(t);
            a += gamma[j] * (t - ood_current[j]);
            b += gamma_next[j] * (t - ood_next[j]);
        }
        for (j, &t) in aux_rows[i].iter().enumerate() {
            a += gamma[main_width + j] * (t - ood_aux_current[j]);
            b += gamma_next[main_width + j] * (t - ood_aux_next[j]);
        }
        for (k, &h) in comp_rows[i].iter().enumerate() {
            a += delta[k] * (h - ood_composition[k]);
        }
        let (dz, dzg) = (x - z, x - zg);
        if dz == E::ZERO || dzg == E::ZERO {
            return Err(VerificationError::Transcript);
        }
        evaluations.push(a / dz + b / dzg);
    }
    fri.verify(&mut channel, &evaluations, &positions).map_err(|e| VerificationError::Fri(alloc::format!("{e}")))
}
