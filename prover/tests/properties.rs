//! Property tests over random straight-line programs: the execute-only path, the traced path
//! and the proof agree, and every proof verifies (and stops verifying if the claim changes).

use distaff_air::{Instruction, Instruction::*, Program};
use distaff_math::Felt;
use distaff_processor::{execute, ProgramInputs};
use distaff_prover::{prove, HashFunction, ProofOptions};
use proptest::prelude::*;

/// The trace of a run, padded with halted rows to the length a hiding proof needs (the
/// default options hide).
fn build_trace(
    program: &distaff_air::Program,
    inputs: &distaff_processor::ProgramInputs,
) -> Result<distaff_processor::ExecutionTrace, distaff_processor::ExecutionError> {
    distaff_processor::build_trace_with_min_length(program, inputs, distaff_verifier::shape::MIN_HIDING_TRACE_LENGTH)
}

/// Turns random choices into a program that never underflows or overflows the stack,
/// starting from `depth` values.
fn program_from(choices: &[(u8, u8, u64)], mut depth: usize) -> Vec<Instruction> {
    let mut p = Vec::new();
    for &(kind, param, value) in choices {
        let n = (param % 15) as usize + 1;
        let inst = match kind % 13 {
            0 if depth < 16 => Push(Felt::new(value % 0xFFFF_FFFF_0000_0001)),
            1 if depth < 16 => Read,
            2 if depth >= 2 => Add,
            3 if depth >= 2 => Sub,
            4 if depth >= 2 => Mul,
            5 if depth >= 1 => Neg,
            6 if depth >= 2 => Eq,
            7 if (1..16).contains(&depth) => Dup((n - 1).min(depth - 1) as u8),
            8 if depth >= 2 => Swap(n.min(depth - 1) as u8),
            9 if depth >= 2 => MovUp(n.min(depth - 1) as u8),
            10 if depth >= 2 => MovDn(n.min(depth - 1) as u8),
            11 if depth >= 1 => Drop,
            _ => Noop,
        };
        depth = match inst {
            Push(_) | Read | Dup(_) => depth + 1,
            Add | Sub | Mul | Eq | Drop => depth - 1,
            _ => depth,
        };
        p.push(inst);
    }
    p
}

fn felts(v: &[u64]) -> Vec<Felt> {
    v.iter().map(|x| Felt::new(*x)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn run_and_trace_agree_and_traces_satisfy_the_air(
        choices in prop::collection::vec((any::<u8>(), any::<u8>(), any::<u64>()), 1..120),
        public in prop::collection::vec(any::<u32>().prop_map(u64::from), 0..8),
        secret in prop::collection::vec(any::<u64>().prop_map(|v| v >> 1), 0..130),
    ) {
        let program = Program::new(program_from(&choices, public.len())).unwrap();
        let inputs = ProgramInputs::new(felts(&public), felts(&secret)).unwrap();
        match execute(&program, &inputs) {
            Ok(out) => {
                let trace = build_trace(&program, &inputs).unwrap();
                prop_assert_eq!(trace.final_stack(), &out.stack[..]);
                let claim = trace.public_inputs(4);
                prop_assert!(distaff_air::debug::check_trace(trace.columns(), &claim).is_ok());
            }
            // the only way these programs fail is running out of secret inputs
            Err(e) => {
                let exhausted = matches!(e, distaff_processor::ExecutionError::SecretInputsExhausted { .. });
                prop_assert!(exhausted, "unexpected failure: {}", e);
                prop_assert!(build_trace(&program, &inputs).is_err());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn proofs_of_random_programs_verify(
        choices in prop::collection::vec((any::<u8>(), any::<u8>(), any::<u64>()), 1..60),
        public in prop::collection::vec(any::<u64>().prop_map(|v| v >> 1), 0..6),
        rescue in any::<bool>(),
    ) {
        let program = Program::new(program_from(&choices, public.len())).unwrap();
        let secret: Vec<u64> = (0..60).collect();
        let inputs = ProgramInputs::new(felts(&public), felts(&secret)).unwrap();
        let expected = execute(&program, &inputs).unwrap().outputs(3);
        let hash = if rescue { HashFunction::Rp64_256 } else { HashFunction::Blake3_256 };
        let (outputs, proof, _) = prove(&program, &inputs, 3, &ProofOptions::with_96_bit_security(hash)).unwrap();
        prop_assert_eq!(&outputs, &expected);
        let bytes = proof.to_bytes();
        prop_assert!(distaff_verifier::verify_bytes(&program.hash(), &felts(&public), &outputs, &bytes, 96).is_ok());
        let mut wrong = outputs.clone();
        wrong[0] += Felt::new(1);
        prop_assert!(distaff_verifier::verify_bytes(&program.hash(), &felts(&public), &wrong, &bytes, 96).is_err());
    }
}

/// A random program shape with control flow; conditions are secret bits read just before each
/// `if.true` and `while.true` (and at the end of each loop body).
#[derive(Clone, Debug)]
enum Shape {
    Span(Vec<(u8, u8, u64)>),
    Seq(Vec<Shape>),
    If(Box<Shape>, Box<Shape>),
    While(Box<Shape>),
}

fn shapes() -> impl Strategy<Value = Shape> {
    let leaf = prop::collection::vec((any::<u8>(), any::<u8>(), any::<u64>()), 0..12).prop_map(Shape::Span);
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Shape::Seq),
            (inner.clone(), inner.clone()).prop_map(|(t, f)| Shape::If(Box::new(t), Box::new(f))),
            inner.prop_map(|b| Shape::While(Box::new(b))),
        ]
    })
}

/// Assembly for a shape, entered with `depth` values on the stack and leaving the same number
/// (spans are made depth-neutral; they never `read`, so the secret inputs are the conditions).
fn source_of(shape: &Shape, depth: usize, out: &mut String) {
    match shape {
        Shape::Span(choices) => {
            let choices: Vec<_> = choices.iter().map(|&(k, p, v)| (if k % 13 == 1 { 0 } else { k }, p, v)).collect();
            let mut d = depth;
            for inst in program_from(&choices, depth) {
                d = match inst {
                    Push(_) | Read | Dup(_) => d + 1,
                    Add | Sub | Mul | Eq | Drop => d - 1,
                    _ => d,
                };
                out.push_str(&format!(" {inst}"));
            }
            while d > depth {
                out.push_str(" drop");
                d -= 1;
            }
            while d < depth {
                out.push_str(" push.7");
                d += 1;
            }
        }
        Shape::Seq(parts) => parts.iter().for_each(|p| source_of(p, depth, out)),
        Shape::If(t, f) => {
            out.push_str(" read if.true");
            source_of(t, depth, out);
            out.push_str(" else");
            source_of(f, depth, out);
            out.push_str(" end");
        }
        Shape::While(b) => {
            out.push_str(" read while.true");
            source_of(b, depth, out);
            out.push_str(" read end");
        }
    }
}

/// The program of a shape (assembled from source, which is returned for messages) and its inputs:
/// the public values, and the condition bits as secret inputs.
fn control_flow_case(shape: &Shape, public: &[u64], bits: &[bool]) -> (String, Program, ProgramInputs) {
    let mut src = String::from("begin noop");
    source_of(shape, public.len(), &mut src);
    src.push_str(" end");
    let program = distaff_assembly::assemble(&src).unwrap();
    let secret: Vec<u64> = bits.iter().map(|b| *b as u64).collect();
    let inputs = ProgramInputs::new(felts(public), felts(&secret)).unwrap();
    (src, program, inputs)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]
    #[test]
    fn control_flow_run_and_trace_agree_and_traces_satisfy_the_air(
        shape in shapes(),
        public in prop::collection::vec(any::<u32>().prop_map(u64::from), 0..8),
        bits in prop::collection::vec(prop::bool::weighted(0.6), 0..40),
    ) {
        let (src, program, inputs) = control_flow_case(&shape, &public, &bits);
        match execute(&program, &inputs) {
            Ok(out) => {
                let trace = build_trace(&program, &inputs).unwrap();
                prop_assert_eq!(trace.final_stack(), &out.stack[..]);
                prop_assert_eq!(trace.cycles(), out.cycles);
                let claim = trace.public_inputs(4);
                let checked = distaff_air::debug::check_trace(trace.columns(), &claim);
                prop_assert!(checked.is_ok(), "{:?} for {}", checked, src);
            }
            // the only way these programs fail is running out of condition bits
            Err(e) => {
                let exhausted = matches!(e, distaff_processor::ExecutionError::SecretInputsExhausted { .. });
                prop_assert!(exhausted, "unexpected failure: {} for {}", e, src);
                prop_assert_eq!(build_trace(&program, &inputs).unwrap_err(), e);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]
    #[test]
    fn proofs_of_random_control_flow_programs_verify(
        shape in shapes(),
        public in prop::collection::vec(any::<u32>().prop_map(u64::from), 0..6),
        bits in prop::collection::vec(prop::bool::weighted(0.6), 40),
    ) {
        let (_, program, inputs) = control_flow_case(&shape, &public, &bits);
        let Ok(expected) = execute(&program, &inputs) else { return Ok(()); };
        let options = ProofOptions::with_96_bit_security(HashFunction::Blake3_256);
        let (outputs, proof, _) = prove(&program, &inputs, 2, &options).unwrap();
        prop_assert_eq!(&outputs, &expected.outputs(2));
        prop_assert!(distaff_verifier::verify(&program.hash(), &felts(&public), &outputs, &proof, 96).is_ok());
        let mut wrong = outputs.clone();
        wrong[1] += Felt::new(1);
        prop_assert!(distaff_verifier::verify(&program.hash(), &felts(&public), &wrong, &proof, 96).is_err());
    }
}

/// Source text of a random straight-line program over memory, u32 operations and a stack that
/// grows past 16 values; it ends with at most 16 values.
fn memory_program(items: &[(u8, u64, u64)], mut depth: usize) -> String {
    let mut src = String::from("begin");
    for &(kind, x, y) in items {
        let (addr, a, b) = (x % 8, x & 0xffff_ffff, y & 0xffff_ffff);
        let snippet = match kind % 10 {
            0 => format!(" push.{a} mem_store.{addr}"),
            1 => format!(" mem_load.{addr}"),
            2 => format!(" push.{a} push.{b} u32add"),
            3 => format!(" push.{a} push.{b} u32mul"),
            4 => format!(" push.{a} push.{} u32divmod", b.max(1)),
            5 => format!(" push.{a} push.{b} u32lt"),
            6 => format!(" push.{} push.{} lt", x % 0xFFFF_FFFF_0000_0001, y % 0xFFFF_FFFF_0000_0001),
            7 => format!(" mem_loadw.{addr}"),
            8 if depth >= 4 => format!(" dup.3 dup.3 dup.3 dup.3 mem_storew.{addr}"),
            _ if depth >= 2 => " add".to_string(),
            _ => format!(" push.{a}"),
        };
        depth = match kind % 10 {
            0 | 8 if snippet.contains("mem_store") => depth,
            2..=4 => depth + 2,
            7 => depth + 4,
            9 | 8 if snippet == " add" => depth - 1,
            _ => depth + 1,
        };
        src.push_str(&snippet);
    }
    while depth > 16 {
        src.push_str(" add");
        depth -= 1;
    }
    src.push_str(" end");
    src
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]
    #[test]
    fn proofs_of_random_memory_and_u32_programs_verify(
        items in prop::collection::vec((any::<u8>(), any::<u64>(), any::<u64>()), 1..40),
        memory in prop::collection::btree_map(0u32..8, any::<u64>().prop_map(|v| v >> 1), 0..4),
    ) {
        let src = memory_program(&items, 0);
        let program = distaff_assembly::assemble(&src).unwrap();
        let memory: Vec<(u32, [Felt; 4])> = memory.iter().map(|(a, v)| (*a, [Felt::new(*v); 4])).collect();
        let inputs = ProgramInputs::new(vec![], vec![]).unwrap().with_memory(memory.clone()).unwrap();
        let expected = execute(&program, &inputs).unwrap().outputs(3);
        let (outputs, proof, _) = prove(&program, &inputs, 3, &ProofOptions::with_96_bit_security(HashFunction::Blake3_256)).unwrap();
        prop_assert_eq!(&outputs, &expected);
        let claim = distaff_air::PublicInputs { memory, ..distaff_air::PublicInputs::new(program.hash(), vec![], outputs.clone()) };
        prop_assert!(distaff_verifier::verify_claim(&claim, &proof, 96).is_ok(), "{}", src);
        let mut wrong = claim.clone();
        wrong.outputs[0] += Felt::new(1);
        prop_assert!(distaff_verifier::verify_claim(&wrong, &proof, 96).is_err());
    }
}
