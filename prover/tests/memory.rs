#![allow(clippy::needless_range_loop)] // cell edits are written by row number
//! Memory and the overflow stack, end to end: honest proofs verify against their claim (with
//! initial memory) and nothing else; cheating provers (a stale or invented load, reordered
//! accesses, a spilled value changed, memory operations slipped into the small variants) are
//! rejected by the verifier.

use distaff_air::layout::*;
use distaff_air::{Program, PublicInputs};
use distaff_math::Felt;
use distaff_processor::ProgramInputs;
use distaff_prover::{prove, prove_trace, Checks, HashFunction, ProofOptions};
use distaff_verifier::{verify_claim, VerificationError};

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

fn inputs(secret: &[u64], memory: &[(u32, [u64; 4])]) -> ProgramInputs {
    ProgramInputs::new(vec![], secret.iter().map(|v| f(*v)).collect())
        .unwrap()
        .with_memory(memory.iter().map(|(a, w)| (*a, w.map(f))).collect())
        .unwrap()
}

fn trace_of(source: &str, inputs: &ProgramInputs, outputs: usize) -> (Vec<Vec<Felt>>, PublicInputs) {
    let program: Program = distaff_assembly::assemble(source).unwrap();
    let trace = build_trace(&program, inputs).unwrap();
    let public = trace.public_inputs(outputs);
    (trace.into_columns(), public)
}

/// Proves a (possibly invalid) trace with the prover's checks off and verifies the claim.
fn cheat(columns: &[Vec<Felt>], claim: &PublicInputs) -> Result<u32, VerificationError> {
    let proof = prove_trace(columns, claim, &options(), Checks::Off).expect("unchecked proving");
    verify_claim(claim, &proof, 96)
}

/// The memory-table row holding the access made at clock `clk`.
fn table_row(columns: &[Vec<Felt>], clk: u64) -> usize {
    (0..columns[0].len())
        .find(|&r| columns[M_ACTIVE][r] == f(1) && columns[M_CLK][r] == f(clk))
        .expect("an access at that clock")
}

/// The first row executing `opcode` (as a span instruction).
fn row_of(columns: &[Vec<Felt>], opcode: u8) -> usize {
    (0..columns[0].len())
        .find(|&r| (0..NUM_OP_BITS).all(|k| columns[OP_BITS + k][r] == f(((opcode >> k) & 1) as u64)))
        .expect("the operation runs")
}

#[test]
fn memory_proofs_verify_against_their_claim_only() {
    let source = "begin mem_loadw.10 add add add push.5 mem_store.3 mem_load.3 mul end";
    let program: Program = distaff_assembly::assemble(source).unwrap();
    let inputs = inputs(&[], &[(10, [1, 2, 3, 4])]);
    for hash in [HashFunction::Blake3_256, HashFunction::Rp64_256] {
        let (outputs, proof, _) = prove(&program, &inputs, 1, &ProofOptions::with_96_bit_security(hash)).unwrap();
        assert_eq!(outputs, vec![f(50)]);
        let claim = PublicInputs {
            memory: vec![(10, [f(1), f(2), f(3), f(4)])],
            ..PublicInputs::new(program.hash(), vec![], outputs.clone())
        };
        assert!(verify_claim(&claim, &proof, 96).unwrap() >= 96);
        // another initial memory, none at all, or another address: rejected
        for memory in [vec![(10, [f(1), f(2), f(3), f(5)])], vec![], vec![(11, [f(1), f(2), f(3), f(4)])]] {
            let other = PublicInputs { memory, ..claim.clone() };
            assert!(verify_claim(&other, &proof, 96).is_err());
        }
        // wrong outputs
        let other = PublicInputs { outputs: vec![f(51)], ..claim.clone() };
        assert!(verify_claim(&other, &proof, 96).is_err());
        // a claim with unsorted or repeated addresses is refused up front
        let unsorted = PublicInputs { memory: vec![(10, [f(1); 4]), (10, [f(1); 4])], ..claim.clone() };
        assert_eq!(verify_claim(&unsorted, &proof, 96), Err(VerificationError::MemoryNotSorted));
    }
}

#[test]
fn deep_stack_proofs_verify() {
    let mut source = String::from("begin ");
    for i in 1..=40 {
        source.push_str(&format!("push.{i} "));
    }
    source.push_str(&"add ".repeat(39));
    source.push_str("end");
    let program: Program = distaff_assembly::assemble(&source).unwrap();
    let (outputs, proof, _) = prove(&program, &inputs(&[], &[]), 1, &options()).unwrap();
    assert_eq!(outputs, vec![f(820)]);
    let claim = PublicInputs::new(program.hash(), vec![], outputs);
    assert!(verify_claim(&claim, &proof, 96).is_ok());
    let wrong = PublicInputs::new(program.hash(), vec![], vec![f(821)]);
    assert!(verify_claim(&wrong, &proof, 96).is_err());
}

#[test]
fn honest_memory_trace_through_the_unchecked_path_verifies() {
    let (columns, claim) = trace_of("begin push.7 mem_store.3 mem_load.3 end", &inputs(&[], &[]), 1);
    assert_eq!(claim.outputs, vec![f(7)]);
    assert!(cheat(&columns, &claim).is_ok());
}

#[test]
fn a_stale_load_is_rejected() {
    // 7 then 9 are stored at address 3; the load must return 9. The forger makes it return 7 on
    // the stack and in the table (so the accesses match the table) and claims 7.
    let (mut columns, mut claim) =
        trace_of("begin push.7 mem_store.3 push.9 mem_store.3 mem_load.3 end", &inputs(&[], &[]), 1);
    assert_eq!(claim.outputs, vec![f(9)]);
    let load = row_of(&columns, distaff_air::opcodes::MLOAD);
    let n = columns[0].len();
    for r in load + 1..n {
        columns[STACK][r] = f(7);
    }
    let t = table_row(&columns, load as u64 + 1);
    columns[M_VALUE][t] = f(7);
    claim.outputs = vec![f(7)];
    assert!(matches!(cheat(&columns, &claim), Err(VerificationError::ConstraintCheck)));
    assert!(prove_trace(&columns, &claim, &options(), Checks::On).is_err());
}

#[test]
fn a_load_of_a_never_written_address_is_zero() {
    let (mut columns, mut claim) = trace_of("begin mem_load.5 end", &inputs(&[], &[]), 1);
    assert_eq!(claim.outputs, vec![f(0)]);
    let load = row_of(&columns, distaff_air::opcodes::MLOAD);
    for r in load + 1..columns[0].len() {
        columns[STACK][r] = f(42);
    }
    let t = table_row(&columns, load as u64 + 1);
    columns[M_VALUE][t] = f(42);
    claim.outputs = vec![f(42)];
    assert!(matches!(cheat(&columns, &claim), Err(VerificationError::ConstraintCheck)));
}

#[test]
fn reordered_accesses_are_rejected() {
    // table rows at address 3: write 7, write 9, read 9. The forger swaps the two writes, so that
    // the read "follows" the write of 7, returns 7 on the stack and claims 7.
    let (mut columns, mut claim) =
        trace_of("begin push.7 mem_store.3 push.9 mem_store.3 mem_load.3 end", &inputs(&[], &[]), 1);
    let load = row_of(&columns, distaff_air::opcodes::MLOAD);
    let read = table_row(&columns, load as u64 + 1);
    let (w7, w9) = (read - 2, read - 1);
    assert_eq!((columns[M_VALUE][w7], columns[M_VALUE][w9]), (f(7), f(9)));
    for c in M_ADDR..M_ACTIVE + 1 {
        columns[c].swap(w7, w9);
    }
    columns[M_VALUE][read] = f(7);
    for r in load + 1..columns[0].len() {
        columns[STACK][r] = f(7);
    }
    claim.outputs = vec![f(7)];
    assert!(matches!(cheat(&columns, &claim), Err(VerificationError::ConstraintCheck)));
}

#[test]
fn a_value_changed_while_spilled_is_rejected() {
    // 100 is pushed first, spills when the 17th value arrives, and comes back to the top after
    // 16 drops. The forger brings back 666 instead (everywhere it appears after the fill).
    let mut source = String::from("begin push.100 ");
    for i in 1..=16 {
        source.push_str(&format!("push.{i} "));
    }
    source.push_str(&"drop ".repeat(16));
    source.push_str("end");
    let (mut columns, mut claim) = trace_of(&source, &inputs(&[], &[]), 1);
    assert_eq!(claim.outputs, vec![f(100)]);
    let fill = (0..columns[0].len()).find(|&r| columns[FILL][r] == f(1)).unwrap();
    for r in fill + 1..columns[0].len() {
        for c in STACK..STACK + STACK_DEPTH {
            if columns[c][r] == f(100) {
                columns[c][r] = f(666);
            }
        }
    }
    claim.outputs = vec![f(666)];
    assert!(matches!(cheat(&columns, &claim), Err(VerificationError::ConstraintCheck)));
}

#[test]
fn memory_operations_cannot_use_the_small_variants() {
    // drop the memory columns: the trace is then proven by the control or straight-line
    // variant, where a load could return anything unless memory operations are refused
    let (mut columns, mut claim) = trace_of("begin mem_load.5 end", &inputs(&[], &[]), 1);
    columns.truncate(TRACE_WIDTH);
    let load = row_of(&columns, distaff_air::opcodes::MLOAD);
    for r in load + 1..columns[0].len() {
        columns[STACK][r] = f(42);
    }
    claim.outputs = vec![f(42)];
    let proof = prove_trace(&columns, &claim, &options(), Checks::Off).unwrap();
    assert!(proof.ood_trace_current.len() < FULL_TRACE_WIDTH * 2);
    assert!(matches!(verify_claim(&claim, &proof, 96), Err(VerificationError::ConstraintCheck)));
}

#[test]
fn tampered_memory_proofs_are_rejected() {
    // a memory proof (initial memory, loads, a deep stack, a u32 operation): every part of it
    // matters, and hostile bytes are an error, never a panic
    let source = "begin mem_loadw.10 add add add push.1 push.2 push.3 push.4 push.5 push.6 push.7 push.8 push.9 \
                  push.10 push.11 push.12 push.13 push.14 push.15 push.16 push.17 dropw dropw dropw dropw \
                  u32split add end";
    let program: Program = distaff_assembly::assemble(source).unwrap();
    let inputs = inputs(&[], &[(10, [1, 2, 3, 4])]);
    let (outputs, proof, _) = prove(&program, &inputs, 2, &options()).unwrap();
    let claim = PublicInputs { memory: inputs.memory().to_vec(), ..PublicInputs::new(program.hash(), vec![], outputs) };
    assert!(verify_claim(&claim, &proof, 96).is_ok());
    // dropping the memory columns from the proof's shape makes it another variant: rejected
    let mut t = proof.clone();
    t.ood_trace_current.truncate(TRACE_WIDTH * 2);
    t.ood_trace_next.truncate(TRACE_WIDTH * 2);
    assert!(verify_claim(&claim, &t, 96).is_err());
    let bytes = proof.to_bytes();
    for i in (0..bytes.len()).step_by(7) {
        let mut b = bytes.clone();
        b[i] ^= 1 << (i % 8);
        let result = distaff_verifier::verify_claim_bytes(&claim, &b, 96);
        assert!(result.is_err(), "flip at byte {i} accepted");
    }
}
