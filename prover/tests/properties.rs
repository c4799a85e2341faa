//! Property tests over random straight-line programs: the execute-only path, the traced path
//! and the proof agree, and every proof verifies (and stops verifying if the claim changes).

use distaff_air::{Instruction, Instruction::*, Program};
use distaff_math::Felt;
use distaff_processor::{build_trace, execute, ProgramInputs};
use distaff_prover::{prove, HashFunction, ProofOptions};
use proptest::prelude::*;

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
