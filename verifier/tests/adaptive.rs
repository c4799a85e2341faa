//! Adaptive provers: for every check the verifier makes, a prover that deviates at exactly
//! that step of the protocol, after seeing what the protocol lets it see, and is rejected.
//!
//! The provers are the model prover of `support` with one hook set: everything else they do
//! is honest, so each test isolates one check, and most assert the exact error that check
//! returns (an error from an earlier check would mean the deviation was not isolated).
// (each test sets the one hook it deviates at on an otherwise honest prover)
#![allow(clippy::field_reassign_with_default)]

mod support;

use distaff_air::{Air, ProcessorAir, Program, PublicInputs};
use distaff_assembly::assemble;
use distaff_math::{CubeFelt, Felt, FieldElement, QuadFelt};
use distaff_processor::{build_trace, ProgramInputs};
use distaff_verifier::protocol::{combine_composition_columns, composition_at, OodFrame, ScaleBy};
use distaff_verifier::{verify_air, verify_bytes, HashFunction, Proof, ProofOptions, VerificationError};
use support::*;
use winter_crypto::hashers::{Blake3_256, Rp64_256};
use winter_crypto::ElementHasher;
use winter_fri::VerifierError as Fri;

type B3 = Blake3_256<Felt>;

fn options() -> ProofOptions {
    ProofOptions::with_96_bit_security(HashFunction::Blake3_256)
}

/// A Fibonacci program's trace (straight-line, 64 rows) and its AIR.
fn fibonacci() -> (ProcessorAir, Vec<Vec<Felt>>) {
    run("begin repeat.20 swap dup.1 add end end", &[1, 0], &[], 1)
}

/// A program with a branch (the control variant, with an auxiliary column).
fn branching() -> (ProcessorAir, Vec<Vec<Felt>>) {
    run("begin read if.true push.3 mul else push.5 add end end", &[7], &[1], 1)
}

fn run(source: &str, public: &[u64], secret: &[u64], outputs: usize) -> (ProcessorAir, Vec<Vec<Felt>>) {
    let program: Program = assemble(source).unwrap();
    let felts = |v: &[u64]| v.iter().map(|&x| Felt::new(x)).collect::<Vec<_>>();
    let inputs = ProgramInputs::new(felts(public), felts(secret)).unwrap();
    let trace = build_trace(&program, &inputs).unwrap();
    let public = trace.public_inputs(outputs);
    let columns = trace.into_columns();
    (ProcessorAir::for_trace(public, &columns), columns)
}

fn prove<'a, A: Air>(air: &A, columns: &[Vec<Felt>], hooks: Hooks<'a, QuadFelt>) -> Proof {
    let mut hooks = hooks;
    prove_model::<QuadFelt, B3, _, _>(air, columns, &options(), &mut hooks)
}

fn verify<A: Air>(air: &A, proof: &Proof) -> Result<u32, VerificationError> {
    verify_air(air, proof, 96)
}

/// The composition value the constraints give at `z` for an out-of-domain frame.
fn q_at<A: Air, E>(air: &A, view: &View<E>, ood: &Ood<E>) -> E
where
    E: FieldElement<BaseField = Felt> + ScaleBy<E>,
    Felt: ScaleBy<E>,
{
    let frame =
        OodFrame { current: &ood.current, next: &ood.next, aux_current: &ood.aux_current, aux_next: &ood.aux_next };
    composition_at(air, frame, &view.alphas, &view.challenges, view.z).unwrap()
}

// --- the forger of issue 13 ------------------------------------------------------------------

/// A proof of any claim without running the VM: an all-zero trace and composition, an
/// out-of-domain frame chosen to satisfy the constraint identity at z, an honest proof of work,
/// and the remainder chosen after the query positions, through the values the verifier will
/// compute there. Before the verifier checked the remainder against its commitment, this was
/// accepted at both presets and under both hashes.
fn forge<E, H>(air: &ProcessorAir, options: &ProofOptions) -> Proof
where
    E: FieldElement<BaseField = Felt> + ScaleBy<E>,
    Felt: ScaleBy<E>,
    H: ElementHasher<BaseField = Felt>,
{
    let n = air.trace_length();
    let columns = vec![vec![Felt::ZERO; n]; air.main_width()];
    let mut hooks = Hooks::<E>::default();
    hooks.composition = Some(Box::new(|_, columns| columns.iter_mut().for_each(|c| c.fill(E::ZERO))));
    hooks.ood = Some(Box::new(|view, ood| {
        ood.composition.fill(E::ZERO);
        ood.composition[0] = q_at(air, view, ood);
    }));
    hooks.remainder_sent = Some(Box::new(|view, remainder| {
        let (xs, ys) = last_layer_at_queries(view);
        let fitted = fitted_remainder(&xs, &ys, remainder.len());
        // the fitted remainder takes exactly the values the verifier computes at the queries
        let horner = |x: E| fitted.iter().fold(E::ZERO, |acc, c| acc * x + *c);
        assert!(xs.iter().zip(&ys).all(|(x, y)| horner(*x) == *y));
        *remainder = fitted;
    }));
    prove_model::<E, H, _, _>(air, &columns, options, &mut hooks)
}

#[test]
fn the_forger_is_rejected_at_both_presets_and_under_both_hashes() {
    // "2 + 3 = 6", for the hash of a program that computes 2 + 3 (and, at the default preset,
    // for a hash no program has)
    let program = assemble("begin push.2 push.3 add end").unwrap();
    let nobody = [Felt::new(1), Felt::new(2), Felt::new(3), Felt::new(4)];
    let cases = [
        (program.hash(), ProofOptions::with_96_bit_security(HashFunction::Blake3_256), 96),
        (nobody, ProofOptions::with_96_bit_security(HashFunction::Blake3_256), 96),
        (program.hash(), ProofOptions::with_96_bit_security(HashFunction::Rp64_256), 96),
        (program.hash(), ProofOptions::with_128_bit_security(HashFunction::Blake3_256), 128),
        (program.hash(), ProofOptions::with_128_bit_security(HashFunction::Rp64_256), 128),
    ];
    for (hash, options, min) in cases {
        let claim = PublicInputs::new(hash, vec![], vec![Felt::new(6)]);
        let air = ProcessorAir::straight_line(claim.clone(), 64);
        let proof = match (options.extension.degree(), options.hash) {
            (2, HashFunction::Blake3_256) => forge::<QuadFelt, B3>(&air, &options),
            (2, HashFunction::Rp64_256) => forge::<QuadFelt, Rp64_256>(&air, &options),
            (_, HashFunction::Blake3_256) => forge::<CubeFelt, B3>(&air, &options),
            (_, HashFunction::Rp64_256) => forge::<CubeFelt, Rp64_256>(&air, &options),
        };
        // every check before the remainder's commitment passes: only it stops the forger
        assert_eq!(verify_air(&air, &proof, min), Err(VerificationError::Fri(Fri::RemainderCommitmentMismatch)));
        let bytes = proof.to_bytes();
        assert!(verify_bytes(&hash, &[], &[Felt::new(6)], &bytes, min).is_err());
    }
}

#[test]
fn the_forger_is_rejected_with_fri_layers_too() {
    // 2^11 rows: two FRI layers before the remainder
    let (air, columns) = FibAir::honest(2048);
    let lie = FibAir { n: 2048, result: air.result + Felt::ONE };
    assert_eq!(verify(&air, &prove(&air, &columns, Hooks::default())), Ok(96));
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.ood = Some(Box::new(|view, ood| {
        // the columns were computed from a quotient that is not a polynomial: repair Q(z)
        let fix = q_at(&lie, view, ood) - combine_composition_columns(&ood.composition, view.z, view.n);
        ood.composition[0] += fix;
    }));
    hooks.remainder_sent = Some(Box::new(|view, remainder| {
        let (xs, ys) = last_layer_at_queries(view);
        *remainder = fitted_remainder(&xs, &ys, remainder.len());
    }));
    let proof = prove(&lie, &columns, hooks);
    assert_eq!(proof.fri_layers.len(), 2);
    assert_eq!(verify(&lie, &proof), Err(VerificationError::Fri(Fri::RemainderCommitmentMismatch)));
}

// --- step 7: the FRI remainder ----------------------------------------------------------------

#[test]
fn an_honest_proof_with_one_remainder_coefficient_changed_is_rejected() {
    let (air, columns) = FibAir::honest(2048);
    let proof = prove(&air, &columns, Hooks::default());
    assert_eq!(verify(&air, &proof), Ok(96));
    for k in [0, 1, proof.fri_remainder.len() - 1] {
        let mut t = proof.clone();
        t.fri_remainder[k] += Felt::ONE;
        assert_eq!(verify(&air, &t), Err(VerificationError::Fri(Fri::RemainderCommitmentMismatch)), "coefficient {k}");
        assert!(verify_air(&air, &Proof::from_bytes(&t.to_bytes()).unwrap(), 96).is_err());
    }
}

#[test]
fn a_remainder_committed_that_is_not_the_last_layer_is_rejected() {
    let (air, columns) = FibAir::honest(2048);
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.remainder_committed = Some(Box::new(|_, remainder| remainder[5] += QuadFelt::ONE));
    let proof = prove(&air, &columns, hooks);
    assert_eq!(verify(&air, &proof), Err(VerificationError::Fri(Fri::InvalidRemainderFolding)));
}

#[test]
fn a_remainder_of_more_coefficients_than_the_bound_is_rejected() {
    let (air, columns) = FibAir::honest(2048);
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.remainder_committed = Some(Box::new(|_, remainder| remainder.insert(0, QuadFelt::ONE)));
    let proof = prove(&air, &columns, hooks);
    assert!(matches!(verify(&air, &proof), Err(VerificationError::Shape { what: "FRI remainder", .. })));
}

// --- step 7: the exact degree bound -----------------------------------------------------------

#[test]
fn a_trace_polynomial_of_degree_n_is_rejected_by_the_exact_bound() {
    // T + c·(x^n − 1) takes the trace's values on the trace domain and satisfies the same
    // constraints (x^n − 1 is the same at x and x·g), so the composition and the out-of-domain
    // check are honest for it; only its degree, n, is one too many. Its DEEP quotient has
    // degree n − 1, which FRI's bound of n coefficients would accept without the degree
    // correction.
    for n in [64, 2048] {
        let (air, columns) = FibAir::honest(n);
        let mut model = DegreeN { n, column: 0 };
        let proof = prove_model::<QuadFelt, B3, _, _>(&air, &columns, &options(), &mut model);
        assert!(matches!(verify(&air, &proof), Err(VerificationError::Fri(_))), "n = {n}");
    }
}

/// Commits to `T + (x^n − 1)` for one column.
struct DegreeN {
    n: usize,
    column: usize,
}

impl Adversary<QuadFelt> for DegreeN {
    fn main_coefficients(&mut self, coefficients: &mut [Vec<Felt>]) {
        let c = &mut coefficients[self.column];
        c[0] -= Felt::ONE;
        c.resize(self.n + 1, Felt::ZERO);
        c[self.n] = Felt::ONE;
    }
}

// --- step 6: the out-of-domain frame ----------------------------------------------------------

/// Changes one value of the out-of-domain frame (after seeing z) and repairs the constraint
/// check at z through the first composition column's value, so that only the link between the
/// frame and the commitments (the DEEP quotients, through FRI) can catch it.
fn ood_lie<A: Air>(air: &A, columns: &[Vec<Felt>], edit: fn(&mut Ood<QuadFelt>)) -> Result<u32, VerificationError> {
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.ood = Some(Box::new(|view, ood| {
        let before = q_at(air, view, ood);
        edit(ood);
        let after = q_at(air, view, ood);
        ood.composition[0] += after - before;
    }));
    verify(air, &prove(air, columns, hooks))
}

#[test]
fn an_out_of_domain_frame_inconsistent_with_the_trace_is_rejected() {
    let (air, columns) = fibonacci();
    assert_eq!(
        ood_lie(&air, &columns, |o| o.current[3] += QuadFelt::ONE),
        Err(VerificationError::Fri(Fri::InvalidRemainderFolding))
    );
    assert_eq!(
        ood_lie(&air, &columns, |o| o.next[4] += QuadFelt::ONE),
        Err(VerificationError::Fri(Fri::InvalidRemainderFolding))
    );
    // with FRI layers, the same lie is caught by the same test
    let (fib, columns) = FibAir::honest(2048);
    assert_eq!(
        ood_lie(&fib, &columns, |o| o.next[1] += QuadFelt::ONE),
        Err(VerificationError::Fri(Fri::InvalidRemainderFolding))
    );
}

#[test]
fn an_out_of_domain_auxiliary_frame_inconsistent_with_the_segment_is_rejected() {
    let (air, columns) = branching();
    assert!(air.aux_width() > 0);
    assert_eq!(
        ood_lie(&air, &columns, |o| o.aux_current[0] += QuadFelt::ONE),
        Err(VerificationError::Fri(Fri::InvalidRemainderFolding))
    );
    assert_eq!(
        ood_lie(&air, &columns, |o| o.aux_next[0] += QuadFelt::ONE),
        Err(VerificationError::Fri(Fri::InvalidRemainderFolding))
    );
}

#[test]
fn composition_values_at_z_that_combine_correctly_but_are_not_the_columns_are_rejected() {
    // H_1(z) + 1 and H_0(z) − z^n combine to the same Q(z): the check at z passes, the DEEP
    // quotients of both columns fail
    let (vm, columns_vm) = fibonacci();
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.ood = Some(Box::new(|view, ood| {
        let z_n = view.z.exp(view.n as u64);
        ood.composition[1] += QuadFelt::ONE;
        ood.composition[0] -= z_n;
    }));
    assert_eq!(verify(&vm, &prove(&vm, &columns_vm, hooks)), Err(VerificationError::Fri(Fri::InvalidRemainderFolding)));
}

#[test]
fn a_frame_that_does_not_satisfy_the_constraints_is_rejected_at_z() {
    let (air, columns) = fibonacci();
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.ood = Some(Box::new(|_, ood| ood.current[0] += QuadFelt::ONE));
    assert_eq!(verify(&air, &prove(&air, &columns, hooks)), Err(VerificationError::ConstraintCheck));
}

// --- steps 2–5: the trace, the auxiliary segment and the composition ----------------------------

#[test]
fn a_cheating_trace_is_rejected_at_z() {
    let (air, columns) = fibonacci();
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.main_trace = Some(Box::new(|columns| columns[20][30] += Felt::ONE));
    assert_eq!(verify(&air, &prove(&air, &columns, hooks)), Err(VerificationError::ConstraintCheck));
    // the same with FRI layers
    let (fib, columns) = FibAir::honest(2048);
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.main_trace = Some(Box::new(|columns| columns[1][1000] += Felt::ONE));
    assert_eq!(verify(&fib, &prove(&fib, &columns, hooks)), Err(VerificationError::ConstraintCheck));
}

#[test]
fn an_auxiliary_segment_built_before_its_challenges_is_rejected() {
    // the segment is built for other challenges than the transcript's (as a prover that
    // committed to it before they were drawn would have): its products do not close
    let (air, columns) = branching();
    let mut hooks = Hooks::<QuadFelt>::default();
    let cols = columns.clone();
    hooks.aux_trace = Some(Box::new(move |view, aux| {
        let other: Vec<QuadFelt> = view.challenges.iter().map(|c| *c + QuadFelt::ONE).collect();
        let built = air_for(&cols).build_aux(&cols, &other);
        aux.clone_from_slice(&built);
    }));
    assert_eq!(verify(&air, &prove(&air, &columns, hooks)), Err(VerificationError::ConstraintCheck));
}

fn air_for(columns: &[Vec<Felt>]) -> ProcessorAir {
    let (air, _) = branching();
    ProcessorAir::for_trace(air.public().clone(), columns)
}

#[test]
fn composition_columns_that_are_not_the_quotient_are_rejected() {
    let (air, columns) = fibonacci();
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.composition = Some(Box::new(|_, columns| columns[2][7] += QuadFelt::ONE));
    assert_eq!(verify(&air, &prove(&air, &columns, hooks)), Err(VerificationError::ConstraintCheck));
}

#[test]
fn a_swapped_auxiliary_root_is_rejected() {
    let (air, columns) = branching();
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.proof = Some(Box::new(|_, proof| proof.aux_root = Some(proof.trace_root)));
    assert!(verify(&air, &prove(&air, &columns, hooks)).is_err());
    // an auxiliary segment removed, or added where the AIR has none
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.proof = Some(Box::new(|_, proof| {
        proof.aux_root = None;
        proof.aux_openings = None;
    }));
    assert_eq!(
        verify(&air, &prove(&air, &columns, hooks)),
        Err(VerificationError::MalformedProof("auxiliary segment present or missing"))
    );
    let (fib, columns) = fibonacci();
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.proof = Some(Box::new(|_, proof| {
        proof.aux_root = Some(proof.trace_root);
        proof.aux_openings = Some(proof.trace_openings.clone());
    }));
    assert_eq!(
        verify(&fib, &prove(&fib, &columns, hooks)),
        Err(VerificationError::MalformedProof("auxiliary segment present or missing"))
    );
}

#[test]
fn a_wrong_composition_column_count_is_rejected() {
    let (air, columns) = fibonacci();
    for delta in [1i32, -1] {
        let mut hooks = Hooks::<QuadFelt>::default();
        hooks.proof = Some(Box::new(move |_, proof| {
            proof.num_composition_columns = (proof.num_composition_columns as i32 + delta) as u8
        }));
        assert!(matches!(
            verify(&air, &prove(&air, &columns, hooks)),
            Err(VerificationError::Shape { what: "composition columns", .. })
        ));
    }
}

// --- step 7: DEEP and FRI's layers ----------------------------------------------------------------

#[test]
fn a_fri_input_that_is_not_the_deep_polynomial_is_rejected() {
    // a low-degree polynomial other than DEEP: FRI's layers are consistent, the first layer
    // is not what the openings give
    let (air, columns) = FibAir::honest(2048);
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.fri_input = Some(Box::new(|view, evaluations| {
        let xs = domain(view.lde_size);
        for (e, x) in evaluations.iter_mut().zip(xs) {
            *e += QuadFelt::from(x.exp(5));
        }
    }));
    assert_eq!(verify(&air, &prove(&air, &columns, hooks)), Err(VerificationError::Fri(Fri::InvalidLayerFolding(0))));
    // the DEEP polynomial without the degree correction
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.fri_input = Some(Box::new(|view, evaluations| {
        let beta = view.deep.as_ref().unwrap().degree_correction;
        for (e, x) in evaluations.iter_mut().zip(domain(view.lde_size)) {
            *e /= QuadFelt::ONE + beta * QuadFelt::from(x);
        }
    }));
    assert_eq!(verify(&air, &prove(&air, &columns, hooks)), Err(VerificationError::Fri(Fri::InvalidLayerFolding(0))));
}

#[test]
fn a_fri_layer_that_does_not_fold_from_the_previous_is_rejected() {
    let (air, columns) = FibAir::honest(2048);
    let mut hooks = Hooks::<QuadFelt>::default();
    hooks.fri_layer = Some(Box::new(|_, depth, evaluations| {
        if depth == 1 {
            // another low-degree function: a constant added
            evaluations.iter_mut().for_each(|e| *e += QuadFelt::ONE);
        }
    }));
    assert_eq!(verify(&air, &prove(&air, &columns, hooks)), Err(VerificationError::Fri(Fri::InvalidLayerFolding(1))));
}

#[test]
fn fri_layer_openings_that_do_not_match_their_root_are_rejected() {
    let (air, columns) = FibAir::honest(2048);
    let proof = prove(&air, &columns, Hooks::default());
    for layer in 0..2 {
        let mut t = proof.clone();
        t.fri_layers[layer].values[3] += Felt::ONE;
        assert_eq!(verify(&air, &t), Err(VerificationError::Fri(Fri::LayerCommitmentMismatch)), "layer {layer}");
        // opened at other positions (a valid proof for the wrong leaves)
        let mut hooks = Hooks::<QuadFelt>::default();
        hooks.opened_positions = Some(Box::new(move |_, matrix, positions| {
            if matrix == Matrix::FriLayer(layer) {
                positions[0] ^= 1;
            }
        }));
        assert_eq!(
            verify(&air, &prove(&air, &columns, hooks)),
            Err(VerificationError::Fri(Fri::LayerCommitmentMismatch))
        );
        // a Merkle proof of the wrong depth, or with a value too many
        let mut t = proof.clone();
        t.fri_layers[layer].merkle_proof = proof.trace_openings.merkle_proof.clone();
        assert_eq!(verify(&air, &t), Err(VerificationError::MalformedProof("FRI layer Merkle proof")));
        let mut t = proof.clone();
        t.fri_layers[layer].values.push(Felt::ONE);
        assert!(matches!(verify(&air, &t), Err(VerificationError::Shape { what: "FRI layer values", .. })));
    }
    // a layer too many or too few, a commitment too many
    let mut t = proof.clone();
    t.fri_layers.pop();
    assert!(matches!(verify(&air, &t), Err(VerificationError::Shape { what: "FRI layers", .. })));
    let mut t = proof.clone();
    t.fri_roots.insert(0, t.fri_roots[0]);
    assert!(matches!(verify(&air, &t), Err(VerificationError::Shape { what: "FRI commitments", .. })));
}

// --- step 8: proof of work and the positions ----------------------------------------------------

#[test]
fn a_nonce_without_the_work_is_rejected() {
    let (air, columns) = fibonacci();
    let mut hooks = Hooks::<QuadFelt>::default();
    // the nonce after the first that gives 16 zero bits (the openings follow the positions it
    // draws, so only the proof of work is wrong)
    hooks.nonce = Some(Box::new(|_, nonce| *nonce += 1));
    assert_eq!(verify(&air, &prove(&air, &columns, hooks)), Err(VerificationError::ProofOfWork));
}

// --- step 9: the openings -------------------------------------------------------------------------

#[test]
fn rows_opened_at_other_positions_are_rejected() {
    let (air, columns) = branching();
    for (matrix, error) in [
        (Matrix::Trace, VerificationError::TraceCommitment),
        (Matrix::Aux, VerificationError::AuxCommitment),
        (Matrix::Composition, VerificationError::CompositionCommitment),
    ] {
        let mut hooks = Hooks::<QuadFelt>::default();
        hooks.opened_positions = Some(Box::new(move |view, m, positions| {
            if m == matrix {
                // the next row, if it is not queried itself
                let p = positions[0];
                positions[0] = (1..).map(|k| (p + k) % view.lde_size).find(|q| !view.positions.contains(q)).unwrap();
            }
        }));
        assert_eq!(verify(&air, &prove(&air, &columns, hooks)), Err(error), "{matrix:?}");
    }
}

#[test]
fn opened_values_that_do_not_match_their_commitment_are_rejected() {
    let (air, columns) = branching();
    let proof = prove(&air, &columns, Hooks::default());
    assert_eq!(verify(&air, &proof), Ok(96));
    let mut t = proof.clone();
    t.trace_openings.values[5] += Felt::ONE;
    assert_eq!(verify(&air, &t), Err(VerificationError::TraceCommitment));
    let mut t = proof.clone();
    t.aux_openings.as_mut().unwrap().values[1] += Felt::ONE;
    assert_eq!(verify(&air, &t), Err(VerificationError::AuxCommitment));
    let mut t = proof.clone();
    t.composition_openings.values[2] += Felt::ONE;
    assert_eq!(verify(&air, &t), Err(VerificationError::CompositionCommitment));
}

#[test]
fn a_row_too_many_or_too_few_is_rejected() {
    let (air, columns) = branching();
    let proof = prove(&air, &columns, Hooks::default());
    let width = air.main_width();
    let mut t = proof.clone();
    t.trace_openings.values.extend_from_slice(&proof.trace_openings.values[..width]);
    assert!(matches!(verify(&air, &t), Err(VerificationError::Shape { what: "trace openings", .. })));
    let mut t = proof.clone();
    t.trace_openings.values.truncate(proof.trace_openings.values.len() - width);
    assert!(matches!(verify(&air, &t), Err(VerificationError::Shape { what: "trace openings", .. })));
    let mut t = proof.clone();
    t.composition_openings.values.pop();
    assert!(matches!(verify(&air, &t), Err(VerificationError::Shape { what: "composition openings", .. })));
    let mut t = proof.clone();
    t.aux_openings.as_mut().unwrap().values.pop();
    assert!(matches!(verify(&air, &t), Err(VerificationError::Shape { what: "auxiliary openings", .. })));
    // a Merkle proof for a tree of another depth
    let mut t = proof.clone();
    t.trace_openings.merkle_proof[0] += 1;
    assert_eq!(verify(&air, &t), Err(VerificationError::MalformedProof("trace openings")));
}

// --- step 1: the claim and the options -----------------------------------------------------------

#[test]
fn a_proof_for_another_claim_or_other_options_is_rejected() {
    let (air, columns) = fibonacci();
    let proof = prove(&air, &columns, Hooks::default());
    let mut other = air.public().clone();
    other.outputs[0] += Felt::ONE;
    let lie = ProcessorAir::straight_line(other, air.trace_length());
    assert_eq!(verify(&lie, &proof), Err(VerificationError::ConstraintCheck));
    let mut t = proof.clone();
    t.options.grinding_bits -= 1;
    assert!(verify(&air, &t).is_err());
    let mut t = proof.clone();
    t.trace_length_log2 += 1;
    assert_eq!(verify(&air, &t), Err(VerificationError::TraceLength(7)));
}

#[test]
fn honest_model_proofs_verify_for_every_variant_preset_and_hash() {
    // (every variant under every preset and hash is compared with the optimised prover's
    // proofs, byte for byte, in the prover's tests; here each variant once, and the other
    // presets and hash once)
    let memory = run("begin push.9 push.16 mem_store push.16 mem_load end", &[], &[], 1);
    for (air, columns) in [fibonacci(), branching(), memory] {
        let proof = prove_model::<QuadFelt, B3, _, _>(&air, &columns, &options(), &mut Honest);
        assert_eq!(verify_air(&air, &proof, 96), Ok(96));
    }
    let (air, columns) = fibonacci();
    let o128 = ProofOptions::with_128_bit_security(HashFunction::Rp64_256);
    let proof = prove_model::<CubeFelt, Rp64_256, _, _>(&air, &columns, &o128, &mut Honest);
    assert_eq!(verify_air(&air, &proof, 128), Ok(128));
    let o96 = ProofOptions::with_96_bit_security(HashFunction::Rp64_256);
    let proof = prove_model::<QuadFelt, Rp64_256, _, _>(&air, &columns, &o96, &mut Honest);
    assert_eq!(verify_air(&air, &proof, 96), Ok(96));
}
