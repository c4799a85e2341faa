//! Soundness and completeness of flow control: the same program hash proves every path, and a
//! prover that takes the untaken branch, runs a loop one iteration more or less, or swaps a
//! span for another of the same length is rejected by the verifier.

use distaff_air::debug::check_trace;
use distaff_air::{Program, PublicInputs};
use distaff_assembly::assemble;
use distaff_math::Felt;
use distaff_processor::{build_trace_with_faults, execute, Faults, ProgramInputs};
use distaff_prover::{prove, prove_trace, Checks, HashFunction, ProofOptions};
use distaff_verifier::{verify, VerificationError};

/// The trace of a run, padded with halted rows to the length a hiding proof needs (the
/// default options hide).
fn build_trace(
    program: &distaff_air::Program,
    inputs: &distaff_processor::ProgramInputs,
) -> Result<distaff_processor::ExecutionTrace, distaff_processor::ExecutionError> {
    distaff_processor::build_trace_with_min_length(program, inputs, distaff_verifier::shape::MIN_HIDING_TRACE_LENGTH)
}

fn f(v: u64) -> Felt {
    Felt::new(v)
}

fn options() -> ProofOptions {
    ProofOptions::with_96_bit_security(HashFunction::Blake3_256)
}

fn program(src: &str) -> Program {
    assemble(src).unwrap_or_else(|e| panic!("{}", e.render(src)))
}

fn inputs(public: &[u64], secret: &[u64]) -> ProgramInputs {
    ProgramInputs::new(public.iter().map(|v| f(*v)).collect(), secret.iter().map(|v| f(*v)).collect()).unwrap()
}

/// Proves honestly and verifies against the program's hash; returns the outputs.
fn prove_and_verify(p: &Program, public: &[u64], secret: &[u64]) -> Vec<Felt> {
    let (outputs, proof, _) = prove(p, &inputs(public, secret), 1, &options()).unwrap();
    let public: Vec<Felt> = public.iter().map(|v| f(*v)).collect();
    verify(&p.hash(), &public, &outputs, &proof, 96).expect("an honest proof verifies");
    outputs
}

/// Pushes a trace through the prover with its checks off and verifies `claim`.
fn cheat(columns: &[Vec<Felt>], claim: &PublicInputs) -> Result<u32, VerificationError> {
    let proof = prove_trace(columns, claim, &options(), Checks::Off).expect("the unchecked prover proves anything");
    verify(&claim.program_hash, &claim.inputs, &claim.outputs, &proof, 96)
}

const DISCOUNT: &str = "begin read if.true push.90 mul else push.100 mul end end";

#[test]
fn one_hash_proves_both_paths_with_different_outputs() {
    let p = program(DISCOUNT);
    assert_eq!(prove_and_verify(&p, &[25], &[1]), vec![f(2250)]);
    assert_eq!(prove_and_verify(&p, &[25], &[0]), vec![f(2500)]);
    // a condition other than 0 or 1 is an execution error, not a proof
    assert!(prove(&p, &inputs(&[25], &[2]), 1, &options()).is_err());
}

#[test]
fn loops_with_secret_trip_counts_prove() {
    // sum of 1..=k for a secret k, by a while loop
    let src =
        "begin push.0 read dup push.0 eq not while.true dup movdn.2 add swap push.1 sub dup push.0 eq not end drop end";
    let p = program(src);
    for (k, sum) in [(0, 0), (1, 1), (5, 15), (20, 210)] {
        assert_eq!(prove_and_verify(&p, &[], &[k]), vec![f(sum)], "k = {k}");
    }
}

#[test]
fn taking_the_untaken_branch_is_rejected() {
    // the public value is 7, so `eq` leaves 0 and the else branch (×100) must run
    let src = "begin dup push.5 eq if.true push.90 mul else push.100 mul end end";
    let p = program(src);
    let honest = execute(&p, &inputs(&[7], &[])).unwrap();
    assert_eq!(honest.stack[0], f(700));
    // the trace runs the other branch while the popped condition is 0
    let trace = build_trace_with_faults(
        &p,
        &inputs(&[7], &[]),
        Faults { invert_condition: Some(0), ..Faults::default() },
        1024,
    )
    .unwrap();
    let claim = trace.public_inputs(1);
    assert_eq!(claim.outputs, vec![f(630)]);
    assert_eq!(claim.program_hash, p.hash());
    let failure = check_trace(trace.columns(), &claim).expect_err("the debug checker names the violation");
    // the split frame is tagged with the real condition, 0; only an end-false may pop it
    assert_eq!(failure.name, "control_stack_product_end");
    assert!(matches!(cheat(trace.columns(), &claim), Err(VerificationError::ConstraintCheck)));

    // or the prover runs the program with the branches swapped (a valid trace of another
    // program, which takes the "true" slot with the else code) and claims the original hash
    let swapped = program("begin dup push.5 eq if.true push.100 mul else push.90 mul end end");
    let trace = build_trace(&swapped, &inputs(&[7], &[])).unwrap();
    let mut claim = trace.public_inputs(1);
    assert_eq!(claim.outputs, vec![f(630)]);
    claim.program_hash = p.hash();
    assert!(matches!(cheat(trace.columns(), &claim), Err(VerificationError::ConstraintCheck)));
}

#[test]
fn one_iteration_more_or_less_is_rejected() {
    // counts 0 -> 2: the body adds 1 and continues while the count is 1
    let src = "begin push.1 while.true push.1 add dup push.1 eq end end";
    let p = program(src);
    assert_eq!(prove_and_verify(&p, &[0], &[]), vec![f(2)]);
    // conditions popped: 0 = loop entry (1), 1 = after iteration 1 (1), 2 = after iteration 2 (0)
    for (fault, output) in [(1, 1), (2, 3)] {
        let trace = build_trace_with_faults(
            &p,
            &inputs(&[0], &[]),
            Faults { invert_condition: Some(fault), ..Faults::default() },
            1024,
        )
        .unwrap();
        let claim = trace.public_inputs(1);
        assert_eq!(claim.outputs, vec![f(output)], "fault at condition {fault}");
        let failure = check_trace(trace.columns(), &claim).expect_err("the debug checker names the violation");
        assert_eq!(failure.name, "loop_exit_on_zero", "fault at condition {fault}");
        assert!(matches!(cheat(trace.columns(), &claim), Err(VerificationError::ConstraintCheck)));
    }
}

#[test]
fn a_span_replaced_by_another_of_the_same_length_is_rejected() {
    // with the secret 0 both spans leave 0, so both programs take the same path
    let src = "begin read dup mul if.true push.1 add end end";
    let other = "begin read dup and if.true push.1 add end end";
    let (p, q) = (program(src), program(other));
    assert_ne!(p.hash(), q.hash());
    // q's trace is valid for q; claimed as p it must fail (same shape, same outputs)
    let trace = build_trace(&q, &inputs(&[1], &[0])).unwrap();
    let mut claim = trace.public_inputs(1);
    assert!(cheat(trace.columns(), &claim).is_ok(), "the honest trace of q verifies as q");
    claim.program_hash = p.hash();
    assert!(matches!(cheat(trace.columns(), &claim), Err(VerificationError::ConstraintCheck)));
    // the same inside a branch that is taken, and inside one that is not
    let p = program("begin push.1 if.true push.2 mul else push.3 mul end end");
    for other in [
        "begin push.1 if.true push.2 add else push.3 mul end end",
        "begin push.1 if.true push.2 mul else push.3 add end end",
    ] {
        let q = program(other);
        let trace = build_trace(&q, &inputs(&[5], &[])).unwrap();
        let mut claim = trace.public_inputs(1);
        claim.program_hash = p.hash();
        assert!(matches!(cheat(trace.columns(), &claim), Err(VerificationError::ConstraintCheck)), "{other}");
    }
}

#[test]
fn tampered_control_columns_are_rejected() {
    use distaff_air::layout::*;
    let p = program("begin push.1 while.true push.1 add dup push.3 eq not end end");
    let trace = build_trace(&p, &inputs(&[0], &[])).unwrap();
    let claim = trace.public_inputs(1);
    let columns = trace.into_columns();
    assert!(cheat(&columns, &claim).is_ok());
    // every control-kind, emit, clock, pointer and halt cell matters, and so does the link (in
    // the helper column) on every row that pops the control stack
    let pops: Vec<usize> = (0..columns[0].len())
        .filter(|r| r % CYCLE_LEN < 2)
        .filter(|r| {
            [KIND_JOIN, KIND_END_TRUE, KIND_END_FALSE, KIND_REPEAT].iter().any(|k| columns[CTL + k][*r] == f(1))
        })
        .collect();
    assert!(pops.len() >= 4);
    let cells = (CLK..TRACE_WIDTH)
        .chain([HALT])
        .flat_map(|col| (0..96).step_by(3).map(move |row| (col, row)))
        .chain(pops.iter().map(|r| (CS_PREV, *r)));
    for (col, row) in cells {
        {
            let mut c = columns.clone();
            c[col][row] += f(1);
            assert!(cheat(&c, &claim).is_err(), "column {} row {row}", column_name(col));
        }
    }
}

#[test]
fn a_control_flow_trace_cannot_pass_as_straight_line() {
    use distaff_air::ProcessorAir;
    use distaff_prover::prove_air;
    // straight-line programs are proven without an auxiliary segment ...
    let straight = program("begin push.2 mul end");
    let (_, proof, _) = prove(&straight, &inputs(&[21], &[]), 1, &options()).unwrap();
    assert!(proof.aux_root.is_none());
    let p = program(DISCOUNT);
    let (_, proof, _) = prove(&p, &inputs(&[25], &[1]), 1, &options()).unwrap();
    assert!(proof.aux_root.is_some());
    // ... and a trace with control flow pushed through the straight-line variant (so that the
    // control stack goes unchecked) is rejected
    let trace = build_trace(&p, &inputs(&[25], &[1])).unwrap();
    let claim = trace.public_inputs(1);
    let air = ProcessorAir::straight_line(claim.clone(), trace.length());
    let proof = prove_air(&air, trace.columns(), &options(), Checks::Off).unwrap();
    assert!(proof.aux_root.is_none());
    assert!(matches!(
        verify(&claim.program_hash, &claim.inputs, &claim.outputs, &proof, 96),
        Err(VerificationError::ConstraintCheck)
    ));
}

#[test]
fn tampered_control_flow_proofs_are_rejected() {
    let p = program(DISCOUNT);
    let (outputs, proof, _) = prove(&p, &inputs(&[25], &[0]), 1, &options()).unwrap();
    let public = [f(25)];
    assert!(verify(&p.hash(), &public, &outputs, &proof, 96).is_ok());
    // wrong outputs, inputs and hashes
    assert!(verify(&p.hash(), &public, &[f(2250)], &proof, 96).is_err());
    assert!(verify(&p.hash(), &[f(24)], &outputs, &proof, 96).is_err());
    let other = program("begin read if.true push.91 mul else push.100 mul end end");
    assert!(verify(&other.hash(), &public, &outputs, &proof, 96).is_err());
    // dropping the auxiliary segment turns it into a (false) straight-line claim
    let mut t = proof.clone();
    t.aux_root = None;
    t.aux_openings = None;
    t.ood_aux_current.clear();
    t.ood_aux_next.clear();
    assert!(verify(&p.hash(), &public, &outputs, &t, 96).is_err());
    // flipped bits across the serialized proof
    let bytes = proof.to_bytes();
    for i in (0..bytes.len()).step_by(3) {
        let mut b = bytes.clone();
        b[i] ^= 1 << (i % 8);
        assert!(
            distaff_verifier::verify_bytes(&p.hash(), &public, &outputs, &b, 96).is_err(),
            "flip at byte {i} accepted"
        );
    }
}
