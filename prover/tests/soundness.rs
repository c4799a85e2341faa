#![allow(clippy::needless_range_loop)] // cell edits are written by row number
//! The verifier's side of soundness: cheating provers (bad traces pushed through the prover
//! with its self-checks off) and tampered proofs are rejected, and nothing panics.

use distaff_air::layout::*;
use distaff_air::{Instruction, Instruction::*, Program, PublicInputs};
use distaff_math::Felt;
use distaff_processor::ProgramInputs;
use distaff_prover::{prove, prove_trace, Checks, HashFunction, ProofOptions};
use distaff_verifier::{verify, verify_bytes, Proof, VerificationError};

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

fn trace_of(program: &[Instruction], public: &[u64]) -> (Program, Vec<Vec<Felt>>, PublicInputs) {
    let program = Program::new(program.to_vec()).unwrap();
    let inputs = ProgramInputs::new(public.iter().map(|v| f(*v)).collect(), vec![]).unwrap();
    let trace = build_trace(&program, &inputs).unwrap();
    let public = trace.public_inputs(1);
    (program, trace.into_columns(), public)
}

/// Proves a (possibly invalid) trace with the prover's checks off and verifies the claim.
fn cheat(columns: &[Vec<Felt>], claim: &PublicInputs) -> Result<u32, VerificationError> {
    let proof =
        prove_trace(columns, claim, &options(), Checks::Off).expect("the prover proves anything when unchecked");
    verify(&claim.program_hash, &claim.inputs, &claim.outputs, &proof, 96)
}

#[test]
fn honest_trace_through_the_unchecked_path_verifies() {
    let (_, columns, public) = trace_of(&[Push(f(2)), Push(f(3)), Add], &[]);
    assert!(cheat(&columns, &public).is_ok());
}

#[test]
fn wrong_add_result_is_rejected() {
    let (_, mut columns, mut public) = trace_of(&[Push(f(2)), Push(f(3)), Add], &[]);
    // rows: 0 PUSH 1 DATA 2 PUSH 3 DATA 4 ADD; from row 5 on, the result is 5: claim 6
    let n = columns[0].len();
    for r in 5..n {
        columns[STACK][r] = f(6);
    }
    public.outputs = vec![f(6)];
    assert!(matches!(cheat(&columns, &public), Err(VerificationError::ConstraintCheck)));
    // the prover's own checks catch it too
    assert!(prove_trace(&columns, &public, &options(), Checks::On).is_err());
}

#[test]
fn skipped_instruction_is_rejected() {
    // 2·3·10 = 60; skipping the final mul (executing a noop in its place) would leave 10
    let (_, mut columns, mut public) = trace_of(&[Push(f(2)), Push(f(3)), Mul, Push(f(10)), Mul], &[]);
    let n = columns[0].len();
    let row = 7; // the last mul
    for k in 0..NUM_OP_BITS {
        columns[OP_BITS + k][row] = f(0);
    }
    for r in row + 1..n {
        columns[STACK][r] = f(10);
        columns[STACK + 1][r] = f(6);
        columns[DEPTH][r] = f(2);
        columns[RC_LO][r] = f(2);
    }
    columns[RC_LO][row] = f(2);
    public.outputs = vec![f(10)];
    assert!(cheat(&columns, &public).is_err());
}

#[test]
fn trace_of_another_program_with_the_same_outputs_is_rejected() {
    let (p, _, _) = trace_of(&[Push(f(5)), Push(f(7)), Add], &[]);
    let (_, columns, mut public) = trace_of(&[Push(f(3)), Push(f(9)), Add], &[]);
    assert_eq!(public.outputs, vec![f(12)]);
    public.program_hash = p.hash();
    assert!(matches!(cheat(&columns, &public), Err(VerificationError::ConstraintCheck)));
}

#[test]
fn never_halting_to_skip_the_hash_check_is_rejected() {
    let (p, _, _) = trace_of(&[Push(f(5)), Push(f(7)), Add], &[]);
    // a trace of another program that never raises `halt`, claimed for p
    let (_, mut columns, mut public) = trace_of(&[Push(f(3)), Push(f(9)), Add], &[]);
    let n = columns[0].len();
    for r in 0..n {
        columns[HALT][r] = f(0);
    }
    public.program_hash = p.hash();
    assert!(cheat(&columns, &public).is_err());
}

#[test]
fn stack_underflow_cannot_be_proven() {
    // `add` on a stack holding one value: the processor refuses; a forged trace that pretends
    // the missing operand is 0 is rejected by the depth range check
    let program = Program::new(vec![Add]).unwrap();
    let inputs = ProgramInputs::new(vec![f(5)], vec![]).unwrap();
    assert!(build_trace(&program, &inputs).is_err());
    let (_, mut columns, _) = trace_of(&[Add], &[5, 0]);
    let n = columns[0].len();
    for r in 0..n {
        columns[DEPTH][r] = if r == 0 { f(1) } else { f(0) };
        columns[RC_LO][r] = f(0);
    }
    let claim = PublicInputs::new(program.hash(), vec![f(5)], vec![f(5)]);
    assert!(cheat(&columns, &claim).is_err());
}

fn valid_proof() -> (Program, Vec<Felt>, Vec<Felt>, Vec<u8>) {
    let program = Program::new(vec![Read, Push(f(3)), Mul, Dup(1), Add]).unwrap();
    let inputs = ProgramInputs::new(vec![f(4)], vec![f(7)]).unwrap();
    let (outputs, proof, _) = prove(&program, &inputs, 2, &options()).unwrap();
    assert_eq!(outputs, vec![f(25), f(4)]);
    (program, vec![f(4)], outputs, proof.to_bytes())
}

#[test]
fn wrong_claims_are_rejected() {
    let (program, inputs, outputs, bytes) = valid_proof();
    let hash = program.hash();
    assert!(verify_bytes(&hash, &inputs, &outputs, &bytes, 96).is_ok());
    // wrong outputs, fewer or more outputs
    assert!(verify_bytes(&hash, &inputs, &[f(26), f(4)], &bytes, 96).is_err());
    assert!(verify_bytes(&hash, &inputs, &[f(25)], &bytes, 96).is_err());
    assert!(verify_bytes(&hash, &inputs, &[f(25), f(4), f(0)], &bytes, 96).is_err());
    // wrong inputs
    assert!(verify_bytes(&hash, &[f(5)], &outputs, &bytes, 96).is_err());
    assert!(verify_bytes(&hash, &[], &outputs, &bytes, 96).is_err());
    assert!(verify_bytes(&hash, &[f(4), f(0)], &outputs, &bytes, 96).is_err());
    // wrong program hash, in each element
    for k in 0..4 {
        let mut h = hash;
        h[k] += f(1);
        assert!(verify_bytes(&h, &inputs, &outputs, &bytes, 96).is_err());
    }
    let other = Program::new(vec![Read, Push(f(3)), Mul, Dup(1), Add, Noop]).unwrap();
    assert!(verify_bytes(&other.hash(), &inputs, &outputs, &bytes, 96).is_err());
    // a higher minimum than the proof offers
    assert!(matches!(
        verify_bytes(&hash, &inputs, &outputs, &bytes, 128),
        Err(VerificationError::InsufficientSecurity { bits: 96 | 97, required: 128 })
    ));
}

#[test]
fn flipped_bytes_anywhere_are_rejected() {
    let (program, inputs, outputs, bytes) = valid_proof();
    let hash = program.hash();
    // every byte position is flipped (one bit each), so every field of the proof is covered
    for i in 0..bytes.len() {
        let mut t = bytes.clone();
        t[i] ^= 1 << (i % 8);
        assert!(verify_bytes(&hash, &inputs, &outputs, &t, 96).is_err(), "flip at byte {i} accepted");
    }
}

#[test]
fn truncated_extended_and_garbage_proofs_are_rejected() {
    let (program, inputs, outputs, bytes) = valid_proof();
    let hash = program.hash();
    for len in (0..bytes.len()).step_by(97) {
        assert!(verify_bytes(&hash, &inputs, &outputs, &bytes[..len], 96).is_err());
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(verify_bytes(&hash, &inputs, &outputs, &longer, 96).is_err());
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for len in [0usize, 1, 5, 100, 10_000] {
        let garbage: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        assert!(verify_bytes(&hash, &inputs, &outputs, &garbage, 96).is_err());
        let mut framed = bytes[..40.min(bytes.len())].to_vec();
        framed.extend_from_slice(&garbage);
        assert!(verify_bytes(&hash, &inputs, &outputs, &framed, 96).is_err());
    }
}

#[test]
fn hostile_fields_are_refused_without_allocation() {
    let (program, inputs, outputs, bytes) = valid_proof();
    let hash = program.hash();
    let mut proof = Proof::from_bytes(&bytes).unwrap();
    // absurd trace length
    proof.trace_length_log2 = 60;
    assert!(matches!(verify(&hash, &inputs, &outputs, &proof, 96), Err(VerificationError::TraceLength(60))));
    // a length field of 2^32 − 1 for the first vector
    let mut t = bytes.clone();
    let at = 4 + 1 + 8 + 1 + 32 + 32 + 1; // magic, version, options, log n, roots, #columns
    t[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(verify_bytes(&hash, &inputs, &outputs, &t, 96).is_err());
    // fewer queries than the minimum security allows
    let mut weak = Proof::from_bytes(&bytes).unwrap();
    weak.options.num_queries = 2;
    assert!(matches!(verify(&hash, &inputs, &outputs, &weak, 96), Err(VerificationError::InsufficientSecurity { .. })));
    // options that claim more security than the proof was made with are caught by the transcript
    let mut more = Proof::from_bytes(&bytes).unwrap();
    more.options.num_queries = 40;
    assert!(verify(&hash, &inputs, &outputs, &more, 96).is_err());
    // too many inputs in the claim
    assert!(verify(&hash, &[f(0); 17], &outputs, &Proof::from_bytes(&bytes).unwrap(), 96).is_err());
}

#[test]
fn every_instruction_proves_under_both_hashes_and_both_presets() {
    let program = Program::new(vec![
        Push(f(10)),
        Push(f(3)),
        Sub,
        Read,
        Mul,
        Neg,
        Neg,
        Dup(0),
        Inv,
        Mul,
        Push(f(0)),
        Not,
        Push(f(1)),
        And,
        Push(f(0)),
        Or,
        Assert,
        Dup(0),
        Dup(1),
        Eq,
        Assert,
        Push(f(9)),
        Push(f(8)),
        Swap(1),
        Swap(2),
        MovUp(2),
        MovDn(2),
        Drop,
        Dup(0),
        Eq,
        Assert,
        Push(f(5)),
        EqZ,
        Push(f(4)),
        Push(f(4)),
        Neq,
        Push(f(7)),
        Push(f(1)),
        CSwap,
        Push(f(0)),
        CSwap,
        Push(f(1)),
        CSwap,
        Drop,
        Push(f(0)),
        CSwap,
        Drop,
        Noop,
    ])
    .unwrap();
    let inputs = ProgramInputs::new(vec![f(1), f(2)], vec![f(6)]).unwrap();
    let expected = distaff_processor::execute(&program, &inputs).unwrap().outputs(3);
    for hash in [HashFunction::Blake3_256, HashFunction::Rp64_256] {
        for opts in [ProofOptions::with_96_bit_security(hash), ProofOptions::with_128_bit_security(hash)] {
            let (outputs, proof, report) = prove(&program, &inputs, 3, &opts).unwrap();
            assert_eq!(outputs, expected);
            let bits = verify_bytes(&program.hash(), &[f(1), f(2)], &outputs, &proof.to_bytes(), 96).unwrap();
            assert_eq!(bits, report.security_bits);
            assert!(bits >= if opts.num_queries > 27 { 128 } else { 96 });
        }
    }
}

#[test]
fn a_trace_cut_before_its_last_instruction_is_rejected() {
    // 64 program elements ending on `assert`. The forger takes the 128-row trace, cuts it to
    // 64 rows and makes row 63 a noop while the span still hashes the assert, so that the
    // claimed output is the stack before the final instruction (the value the assert would
    // consume). A trace may end on its last row only if that row's element is a noop.
    let mut src = String::from("begin");
    for _ in 0..21 {
        src.push_str(" push.1 drop");
    }
    src.push_str(" assert end"); // 64 elements
                                 // (a rule of the AIR, not of hiding: the trace keeps its length, the proof does not hide)
    let program = distaff_assembly::assemble(&src).unwrap();
    let inputs = ProgramInputs::new(vec![f(1)], vec![]).unwrap();
    let trace = distaff_processor::build_trace(&program, &inputs).unwrap();
    assert_eq!(trace.length(), 128);
    let mut claim = trace.public_inputs(1);
    let mut columns = trace.into_columns();
    for col in columns.iter_mut() {
        col.truncate(64);
    }
    for k in 0..NUM_OP_BITS {
        columns[OP_BITS + k][63] = f(0);
    }
    claim.outputs = vec![columns[STACK][63]];
    assert_eq!(claim.outputs, vec![f(1)], "the value the assert would have consumed");
    let proof = prove_trace(&columns, &claim, &options().without_hiding(), Checks::Off).unwrap();
    assert!(matches!(
        verify(&claim.program_hash, &claim.inputs, &claim.outputs, &proof, 96),
        Err(VerificationError::ConstraintCheck)
    ));
}
