//! The verification procedure.

use alloc::vec::Vec;

use distaff_air::air::num_constraints;
use distaff_air::{Air, ProcessorAir, PublicInputs, Variant, Word, MAX_INITIAL_MEMORY, MAX_OUTPUTS, MAX_PUBLIC_INPUTS};
use distaff_math::{batch_inversion, CubeFelt, Felt, FieldElement, QuadFelt, StarkField};
use winter_crypto::hashers::{Blake3_256, Rp64_256};
use winter_crypto::{Digest, ElementHasher, Hasher, VectorCommitment};
use winter_utils::{ByteReader, Deserializable, SliceReader};

use crate::fri::{folding_challenges, FriProof, LayerShape};
use crate::merkle::{decode_batch_proof, MerkleVc};
use crate::options::{FieldExtension, HashFunction};
use crate::proof::{Openings, Proof};
use crate::protocol::{combine_composition_columns, composition_at, degree_correction, OodFrame};
use crate::shape::ProofShape;
use crate::transcript::Transcript;
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
    let n = proof.trace_length().ok_or(VerificationError::TraceLength(proof.trace_length_log2))?;
    // the variant is the proof's shape: no auxiliary segment for a straight-line execution, the
    // memory columns for an execution with memory or a deep stack, the bitwise table's for one
    // with bitwise operations (and it is in the transcript)
    // (an out-of-domain row of a length no variant has, or not a whole number of extension
    // elements, is taken for some variant's, whose shape check then refuses it)
    let width = proof.ood_trace_current.len() / proof.options.extension.degree();
    let variant = match proof.aux_root {
        None => Variant::StraightLine,
        Some(_) => Variant::from_width(width, true).unwrap_or(Variant::Control),
    };
    let air = ProcessorAir::with_variant(public.clone(), n, variant);
    if air.variant() != variant {
        return Err(VerificationError::MalformedProof("a claim with initial memory needs a proof with memory"));
    }
    verify_air(&air, proof, min_security_bits)
}

/// Verifies a proof for any [`Air`] (whose trace length must be the proof's), requiring at
/// least `min_security_bits` of conjectured security. Returns the proof's conjectured security.
pub fn verify_air<A: Air>(air: &A, proof: &Proof, min_security_bits: u32) -> Result<u32, VerificationError> {
    proof.options.validate()?;
    let n = proof.trace_length().ok_or(VerificationError::TraceLength(proof.trace_length_log2))?;
    if air.trace_length() != n {
        return Err(VerificationError::TraceLength(proof.trace_length_log2));
    }
    if air.periodic_columns().iter().any(|c| !c.len().is_power_of_two() || c.len() > n) {
        return Err(VerificationError::PeriodicColumns);
    }
    let shape = ProofShape::new(air, &proof.options)?;
    let bits = proof.options.security_bits(n, shape.fri.bound);
    if bits < min_security_bits {
        return Err(VerificationError::InsufficientSecurity { bits, required: min_security_bits });
    }
    match (proof.options.extension, proof.options.hash) {
        (FieldExtension::Quadratic, HashFunction::Blake3_256) => {
            verify_generic::<QuadFelt, Blake3_256<Felt>, A>(air, proof, &shape)
        }
        (FieldExtension::Quadratic, HashFunction::Rp64_256) => {
            verify_generic::<QuadFelt, Rp64_256, A>(air, proof, &shape)
        }
        (FieldExtension::Cubic, HashFunction::Blake3_256) => {
            verify_generic::<CubeFelt, Blake3_256<Felt>, A>(air, proof, &shape)
        }
        (FieldExtension::Cubic, HashFunction::Rp64_256) => verify_generic::<CubeFelt, Rp64_256, A>(air, proof, &shape),
    }?;
    Ok(bits)
}

fn digest<H: Hasher>(bytes: &[u8; 32]) -> Result<H::Digest, VerificationError> {
    let mut r = SliceReader::new(bytes);
    let d = H::Digest::read_from(&mut r).map_err(|_| VerificationError::MalformedProof("commitment"))?;
    // (winter-crypto reads a Rescue digest's elements without checking they are canonical:
    // only the canonical encoding of a root is accepted)
    if r.has_more_bytes() || d.as_bytes() != *bytes {
        return Err(VerificationError::MalformedProof("commitment"));
    }
    Ok(d)
}

fn ext_slice<'a, E: FieldElement<BaseField = Felt>>(
    what: &'static str,
    values: &'a [Felt],
    count: usize,
) -> Result<&'a [E], VerificationError> {
    if values.len() != count * E::EXTENSION_DEGREE {
        return Err(VerificationError::Shape { what, expected: count * E::EXTENSION_DEGREE, got: values.len() });
    }
    Ok(E::slice_from_base_elements(values))
}

/// Checks that `openings` hold one row of `row_len` base elements per position and that the
/// rows hash to leaves of the tree with root `root` and depth `depth` (else `mismatch`);
/// returns the rows.
fn open_rows<'a, H: ElementHasher<BaseField = Felt>>(
    (what, mismatch): (&'static str, VerificationError),
    root: &H::Digest,
    positions: &[usize],
    openings: &'a Openings,
    row_len: usize,
    depth: u32,
) -> Result<Vec<&'a [Felt]>, VerificationError> {
    let expected = positions.len() * row_len;
    if openings.values.len() != expected || row_len == 0 {
        return Err(VerificationError::Shape { what, expected, got: openings.values.len() });
    }
    let rows: Vec<&[Felt]> = openings.values.chunks(row_len).collect();
    let leaves: Vec<H::Digest> = rows.iter().map(|r| H::hash_elements(r)).collect();
    let proof = decode_batch_proof::<H>(&openings.merkle_proof, positions, depth)
        .map_err(|_| VerificationError::MalformedProof(what))?;
    MerkleVc::<H>::verify_many(*root, positions, &leaves, &proof).map_err(|_| mismatch)?;
    Ok(rows)
}

fn verify_generic<E, H, A>(air: &A, proof: &Proof, shape: &ProofShape) -> Result<(), VerificationError>
where
    E: FieldElement<BaseField = Felt> + crate::protocol::ScaleBy<E>,
    Felt: crate::protocol::ScaleBy<E>,
    H: ElementHasher<BaseField = Felt>,
    A: Air,
{
    let options = &proof.options;
    let lde_size = shape.lde_size;
    let (main_width, aux_width, num_chunks) = (shape.main_width, shape.aux_width, shape.num_chunks);
    if proof.num_composition_columns as usize != num_chunks {
        return Err(VerificationError::Shape {
            what: "composition columns",
            expected: num_chunks,
            got: proof.num_composition_columns as usize,
        });
    }
    if proof.aux_root.is_some() != (aux_width > 0) || proof.aux_openings.is_some() != (aux_width > 0) {
        return Err(VerificationError::MalformedProof("auxiliary segment present or missing"));
    }
    let ood_current = ext_slice::<E>("out-of-domain trace row at z", &proof.ood_trace_current, main_width)?;
    let ood_next = ext_slice::<E>("out-of-domain trace row at z·g", &proof.ood_trace_next, main_width)?;
    let ood_aux_current = ext_slice::<E>("out-of-domain auxiliary row at z", &proof.ood_aux_current, aux_width)?;
    let ood_aux_next = ext_slice::<E>("out-of-domain auxiliary row at z·g", &proof.ood_aux_next, aux_width)?;
    let ood_composition = ext_slice::<E>("out-of-domain composition row", &proof.ood_composition, num_chunks)?;
    let trace_root = digest::<H>(&proof.trace_root)?;
    let aux_root = proof.aux_root.as_ref().map(digest::<H>).transpose()?;
    let composition_root = digest::<H>(&proof.composition_root)?;
    let fri_roots = proof.fri_roots.iter().map(digest::<H>).collect::<Result<Vec<_>, _>>()?;

    // --- steps 1–5: the claim, the trace and composition commitments -------------------------
    let mut transcript = Transcript::<H>::new(air, options, proof.trace_length_log2);
    let challenges = transcript.commit_main_trace::<E, A>(trace_root, air)?;
    if let Some(root) = aux_root {
        transcript.commit_aux_trace(root);
    }
    let alphas = transcript.draw_constraint_coefficients::<E>(num_constraints(air))?;
    let z = transcript.commit_composition::<E>(composition_root)?;

    // --- step 6: the constraints at the out-of-domain point ----------------------------------
    let g = Felt::get_root_of_unity(proof.trace_length_log2 as u32);
    let frame = OodFrame { current: ood_current, next: ood_next, aux_current: ood_aux_current, aux_next: ood_aux_next };
    let q_z = composition_at(air, frame, &alphas, &challenges, z).ok_or(VerificationError::Transcript)?;
    if q_z != combine_composition_columns(ood_composition, z, shape.chunk_len) {
        return Err(VerificationError::ConstraintCheck);
    }
    let deep = transcript.send_ood_frame(
        &[ood_current, ood_next, ood_aux_current, ood_aux_next, ood_composition],
        main_width + aux_width,
        num_chunks,
    )?;

    // --- step 7: FRI's commit phase ------------------------------------------------------------
    let fri_shape = &shape.fri;
    if fri_roots.len() != fri_shape.num_layers + 1 {
        return Err(VerificationError::Shape {
            what: "FRI commitments",
            expected: fri_shape.num_layers + 1,
            got: fri_roots.len(),
        });
    }
    // FRI proves F = D·(1 + β·x^k) has fewer than B coefficients (protocol::degree_correction)
    let alphas = folding_challenges::<E, H>(transcript.coin(), &fri_roots)?;

    // --- step 8: proof of work and query positions -------------------------------------------
    if transcript.proof_of_work_bits(proof.pow_nonce) < options.grinding_bits {
        return Err(VerificationError::ProofOfWork);
    }
    let positions = transcript.draw_query_positions(options.num_queries, lde_size, proof.pow_nonce)?;

    // --- step 9: the openings, each checked for shape before anything is hashed --------------
    let layers = LayerShape {
        domain_size: lde_size,
        folding_factor: options.fri_folding_factor,
        num_layers: fri_shape.num_layers,
        remainder_len: fri_shape.remainder_len,
        padded_remainder_len: fri_shape.winter_remainder_len,
    };
    let fri = FriProof::<E, H>::load(&fri_roots, &proof.fri_layers, &proof.fri_remainder, &positions, layers)?;
    let depth = lde_size.trailing_zeros();
    let d = E::EXTENSION_DEGREE;
    let trace = ("trace openings", VerificationError::TraceCommitment);
    let trace_rows =
        open_rows::<H>(trace, &trace_root, &positions, &proof.trace_openings, shape.main_row_len(), depth)?;
    let aux_rows: Vec<&[E]> = match (&proof.aux_openings, aux_root) {
        (Some(openings), Some(root)) => {
            let aux = ("auxiliary openings", VerificationError::AuxCommitment);
            open_rows::<H>(aux, &root, &positions, openings, shape.aux_row_len(), depth)?
                .into_iter()
                .map(|row| E::slice_from_base_elements(&row[..aux_width * d]))
                .collect()
        }
        _ => alloc::vec![&[][..]; positions.len()],
    };
    let composition = ("composition openings", VerificationError::CompositionCommitment);
    let comp_rows: Vec<&[E]> = open_rows::<H>(
        composition,
        &composition_root,
        &positions,
        &proof.composition_openings,
        shape.composition_row_len(),
        depth,
    )?
    .into_iter()
    .map(|row| E::slice_from_base_elements(&row[..shape.composition_columns() * d]))
    .collect();

    // --- step 10: the DEEP polynomial at the queried positions, then FRI ----------------------
    // D = (x^Δ_T·A_T + x^Δ_H·A_H)/(x − z) + x^Δ_T·B_T/(x − z·g) + R, times 1 + β·x^k
    let zg = z * E::from(g);
    let omega = Felt::get_root_of_unity(depth);
    let offset = Felt::GENERATOR;
    let xs: Vec<Felt> = positions.iter().map(|&pos| offset * omega.exp_vartime(pos as u64)).collect();
    // 1/(x − z) and 1/(x − z·g) at every query, with one inversion: never zero, since x is in
    // the base field and z, z·g are not, which the transcript checks when it draws z
    // (Transcript::commit_composition)
    let denominators: Vec<E> = xs.iter().flat_map(|&x| [E::from(x) - z, E::from(x) - zg]).collect();
    let inverses = batch_inversion(&denominators);
    let mut evaluations = Vec::with_capacity(positions.len());
    for (i, &x_base) in xs.iter().enumerate() {
        let mut a = E::ZERO;
        let mut b = E::ZERO;
        for (j, &t) in trace_rows[i][..main_width].iter().enumerate() {
            let t = E::from(t);
            a += deep.current[j] * (t - ood_current[j]);
            b += deep.next[j] * (t - ood_next[j]);
        }
        for (j, &t) in aux_rows[i].iter().enumerate() {
            a += deep.current[main_width + j] * (t - ood_aux_current[j]);
            b += deep.next[main_width + j] * (t - ood_aux_next[j]);
        }
        let mut c = E::ZERO;
        for (k, &h) in comp_rows[i][..num_chunks].iter().enumerate() {
            c += deep.composition[k] * (h - ood_composition[k]);
        }
        let shift_t = E::from(x_base.exp_vartime(shape.trace_shift as u64));
        let shift_h = E::from(x_base.exp_vartime(shape.composition_shift as u64));
        let mut value = (shift_t * a + shift_h * c) * inverses[2 * i] + shift_t * b * inverses[2 * i + 1];
        if shape.hiding.is_some() {
            value += comp_rows[i][num_chunks];
        }
        let correction = E::from(x_base.exp_vartime(shape.fri.correction_exponent as u64));
        evaluations.push(value * degree_correction(deep.degree_correction, correction));
    }
    fri.verify(&alphas, &evaluations)
}
