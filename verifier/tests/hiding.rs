//! Adaptive provers against hiding proofs: the deviations of `adaptive.rs` with zero knowledge
//! on, and the ones only hiding proofs allow (the DEEP randomiser, the salts, the chunk length,
//! the padded remainder, the hiding flag).

// (each test sets the one hook it deviates at on an otherwise honest prover)
#![allow(clippy::field_reassign_with_default)]

mod support;

use distaff_air::{Air, ProcessorAir, PublicInputs};
use distaff_assembly::assemble;
use distaff_math::{Felt, FieldElement, QuadFelt};
use distaff_processor::{build_trace_with_min_length, ProgramInputs};
use distaff_verifier::protocol::{combine_composition_columns, composition_at, OodFrame};
use distaff_verifier::{verify_air, HashFunction, Proof, ProofOptions, VerificationError};
use support::*;
use winter_crypto::hashers::Blake3_256;
use winter_fri::VerifierError as Fri;

type B3 = Blake3_256<Felt>;

fn options() -> ProofOptions {
    ProofOptions::with_96_bit_security(HashFunction::Blake3_256)
}

fn prove<A: Air>(air: &A, columns: &[Vec<Felt>], hooks: Hooks<'_, QuadFelt>) -> Proof {
    let mut hooks = hooks;
    let proof = prove_model_with::<QuadFelt, B3, _, _>(air, columns, &options(), &mut hooks, &TestRandomness(77));
    assert!(proof.options.hiding);
    proof
}

fn verify<A: Air>(air: &A, proof: &Proof) -> Result<u32, VerificationError> {
    verify_air(air, proof, 96)
}

fn q_at<A: Air>(air: &A, view: &View<QuadFelt>, ood: &Ood<QuadFelt>) -> QuadFelt {
    let frame =
        OodFrame { current: &ood.current, next: &ood.next, aux_current: &ood.aux_current, aux_next: &ood.aux_next };
    composition_at(air, frame, &view.alphas, &view.challenges, view.z).unwrap()
}

/// A branching program's trace, padded to 2^10 rows (the control variant, with an auxiliary
/// column).
fn branching() -> (ProcessorAir, Vec<Vec<Felt>>) {
    let program = assemble("begin read if.true push.3 mul else push.5 add end end").unwrap();
    let inputs = ProgramInputs::new(vec![Felt::new(7)], vec![Felt::new(1)]).unwrap();
    let trace = build_trace_with_min_length(&program, &inputs, 1024).unwrap();
    let public = trace.public_inputs(1);
    let columns = trace.into_columns();
    (ProcessorAir::for_trace(public, &columns), columns)
}

#[test]
fn honest_hiding_proofs_verify() {
    let (fib, columns) = FibAir::honest(2048);
    assert_eq!(verify(&fib, &prove(&fib, &columns, Hooks::default())), Ok(96));
    let (air, columns) = branching();
    let proof = prove(&air, &columns, Hooks::default());
    assert!(proof.options.num_queries > 27, "hiding pays for its masks with queries");
    assert!(verify(&air, &proof).unwrap() >= 96);
}

#[test]
fn the_forger_is_rejected_with_hiding_on() {
    // an all-zero trace and composition, the frame fitted at z, the remainder fitted after the
    // queries: a claim no execution has
    let program = assemble("begin push.2 push.3 add end").unwrap();
    let air = ProcessorAir::straight_line(PublicInputs::new(program.hash(), vec![], vec![Felt::new(6)]), 1024);
    let columns = vec![vec![Felt::ZERO; 1024]; air.main_width()];
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.composition = Some(Box::new(|_, columns| columns.iter_mut().for_each(|c| c.fill(QuadFelt::ZERO))));
    hooks.ood = Some(Box::new(|view, ood| {
        ood.composition.fill(QuadFelt::ZERO);
        ood.composition[0] = q_at(&air, view, ood);
    }));
    hooks.remainder_sent = Some(Box::new(|view, remainder| {
        let (xs, ys) = last_layer_at_queries(view);
        *remainder = fitted_remainder(&xs, &ys, remainder.len());
    }));
    assert_eq!(
        verify(&air, &prove(&air, &columns, hooks)),
        Err(VerificationError::Fri(Fri::RemainderCommitmentMismatch))
    );
}

#[test]
fn an_out_of_domain_frame_inconsistent_with_the_masked_trace_is_rejected() {
    let (fib, columns) = FibAir::honest(2048);
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.ood = Some(Box::new(|view, ood| {
        ood.current[1] += QuadFelt::ONE;
        let fix = q_at(&fib, view, ood) - combine_composition_columns(&ood.composition, view.z, chunk(&fib));
        ood.composition[0] += fix;
    }));
    assert_eq!(verify(&fib, &prove(&fib, &columns, hooks)), Err(VerificationError::Fri(Fri::InvalidRemainderFolding)));
}

/// The composition chunks' length for a hiding proof of `air`.
fn chunk<A: Air>(air: &A) -> usize {
    let options = distaff_verifier::shape::hiding_options(air, &options()).unwrap();
    distaff_verifier::ProofShape::new(air, &options).unwrap().chunk_len
}

#[test]
fn composition_chunks_combined_with_the_unmasked_length_are_rejected() {
    // a prover that splits the quotient in chunks of n (as a proof without hiding does) while
    // the verifier combines them with x^c, c > n: the check at z fails
    let (air, columns) = branching();
    assert!(chunk(&air) > 1024);
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.ood = Some(Box::new(|view, ood| {
        let fix = q_at(&air, view, ood) - combine_composition_columns(&ood.composition, view.z, 1024);
        ood.composition[0] += fix;
    }));
    assert_eq!(verify(&air, &prove(&air, &columns, hooks)), Err(VerificationError::ConstraintCheck));
}

#[test]
fn a_deep_randomiser_beyond_the_degree_bound_is_rejected() {
    let (fib, columns) = FibAir::honest(2048);
    let mut hooks = Hooks::<QuadFelt>::default();
    // one coefficient more than K: FRI's input exceeds its bound
    hooks.codeword = Some(Box::new(|_, r| r.push(QuadFelt::ONE)));
    assert!(matches!(verify(&fib, &prove(&fib, &columns, hooks)), Err(VerificationError::Fri(_))));
}

#[test]
fn a_fri_input_that_omits_the_randomiser_is_rejected() {
    let (fib, columns) = FibAir::honest(2048);
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.fri_input = Some(Box::new(|view, evaluations| {
        // a different polynomial of the same degree: FRI's layers agree with each other, not
        // with the openings
        for (e, x) in evaluations.iter_mut().zip(domain(view.lde_size)) {
            *e += QuadFelt::from(x.exp(3));
        }
    }));
    assert_eq!(verify(&fib, &prove(&fib, &columns, hooks)), Err(VerificationError::Fri(Fri::InvalidLayerFolding(0))));
}

#[test]
fn salts_and_randomiser_values_are_bound_by_the_commitments() {
    let (air, columns) = branching();
    let proof = prove(&air, &columns, Hooks::default());
    assert_eq!(verify(&air, &proof).map(|b| b >= 96), Ok(true));
    let (w, e) = (air.main_width(), 2);
    // a salt element of an opened trace row, of an auxiliary row, of a composition row
    let mut t = proof.clone();
    t.trace_openings.values[w] += Felt::ONE;
    assert_eq!(verify(&air, &t), Err(VerificationError::TraceCommitment));
    let mut t = proof.clone();
    let aux_row = air.aux_width() * e + e;
    t.aux_openings.as_mut().unwrap().values[aux_row - 1] += Felt::ONE;
    assert_eq!(verify(&air, &t), Err(VerificationError::AuxCommitment));
    let mut t = proof.clone();
    let comp_row = t.composition_openings.values.len() / count_rows(&proof);
    t.composition_openings.values[comp_row - 1] += Felt::ONE;
    assert_eq!(verify(&air, &t), Err(VerificationError::CompositionCommitment));
    // the randomiser's value in a composition row (before the salt)
    let mut t = proof.clone();
    t.composition_openings.values[comp_row - e - 1] += Felt::ONE;
    assert_eq!(verify(&air, &t), Err(VerificationError::CompositionCommitment));
    // a row without its salt
    let mut t = proof.clone();
    t.trace_openings.values.remove(w);
    assert!(matches!(verify(&air, &t), Err(VerificationError::Shape { what: "trace openings", .. })));
}

fn count_rows(proof: &Proof) -> usize {
    proof.trace_openings.values.len() / (proof.ood_trace_current.len() / 2 + 2)
}

#[test]
fn a_hiding_proof_claimed_as_one_without_hiding_and_back_is_rejected() {
    let (fib, columns) = FibAir::honest(2048);
    let proof = prove(&fib, &columns, Hooks::default());
    let mut t = proof.clone();
    t.options.hiding = false;
    assert!(verify(&fib, &t).is_err());
    let plain = prove_model::<QuadFelt, B3, _, _>(&fib, &columns, &options(), &mut Honest);
    let mut t = plain.clone();
    t.options.hiding = true;
    assert!(verify(&fib, &t).is_err());
    // the remainder of a hiding proof is sent without its zero high coefficients
    let mut t = proof.clone();
    t.fri_remainder.extend_from_slice(&[Felt::ZERO, Felt::ZERO]);
    assert!(matches!(verify(&fib, &t), Err(VerificationError::Shape { what: "FRI remainder", .. })));
}

#[test]
fn cheating_traces_are_rejected_with_hiding_on() {
    let (fib, columns) = FibAir::honest(2048);
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.main_trace = Some(Box::new(|columns| columns[1][1000] += Felt::ONE));
    assert_eq!(verify(&fib, &prove(&fib, &columns, hooks)), Err(VerificationError::ConstraintCheck));
    let (air, columns) = branching();
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.main_trace = Some(Box::new(|columns| columns[20][30] += Felt::ONE));
    assert_eq!(verify(&air, &prove(&air, &columns, hooks)), Err(VerificationError::ConstraintCheck));
}

#[test]
fn rows_opened_at_other_positions_and_layers_that_do_not_fold_are_rejected() {
    let (fib, columns) = FibAir::honest(2048);
    for (matrix, error) in [
        (Matrix::Trace, VerificationError::TraceCommitment),
        (Matrix::Composition, VerificationError::CompositionCommitment),
        (Matrix::FriLayer(1), VerificationError::Fri(Fri::LayerCommitmentMismatch)),
    ] {
        let mut hooks = Hooks::<QuadFelt>::default();
        hooks.opened_positions = Some(Box::new(move |view, m, positions| {
            if m == matrix {
                let p = positions[0];
                let size = if matches!(m, Matrix::FriLayer(_)) { view.lde_size / 64 } else { view.lde_size };
                positions[0] = (1..).map(|k| (p + k) % size).find(|q| !positions.contains(q)).unwrap();
            }
        }));
        assert_eq!(verify(&fib, &prove(&fib, &columns, hooks)), Err(error), "{matrix:?}");
    }
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.fri_layer = Some(Box::new(|_, depth, evaluations| {
        if depth == 1 {
            evaluations.iter_mut().for_each(|e| *e += QuadFelt::ONE);
        }
    }));
    assert_eq!(verify(&fib, &prove(&fib, &columns, hooks)), Err(VerificationError::Fri(Fri::InvalidLayerFolding(1))));
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.nonce = Some(Box::new(|_, nonce| *nonce += 1));
    assert_eq!(verify(&fib, &prove(&fib, &columns, hooks)), Err(VerificationError::ProofOfWork));
}
