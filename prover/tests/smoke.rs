use distaff_air::{Instruction::*, Program};
use distaff_math::Felt;
use distaff_processor::ProgramInputs;
use distaff_prover::{prove, HashFunction, ProofOptions};

#[test]
fn prove_and_verify_small_program() {
    let program = Program::new(vec![Push(Felt::new(10)), Push(Felt::new(3)), Sub, Read, Mul]).unwrap();
    let inputs = ProgramInputs::new(vec![Felt::new(5)], vec![Felt::new(6)]).unwrap();
    for opts in [
        ProofOptions::with_96_bit_security(HashFunction::Blake3_256),
        ProofOptions::with_128_bit_security(HashFunction::Rp64_256),
    ] {
        let (outputs, proof, _) = prove(&program, &inputs, 2, &opts).unwrap();
        assert_eq!(outputs, vec![Felt::new(42), Felt::new(5)]);
        let bytes = proof.to_bytes();
        let bits = distaff_verifier::verify_bytes(&program.hash(), &[Felt::new(5)], &outputs, &bytes, 96).unwrap();
        assert!(bits >= 96);
        let bad = distaff_verifier::verify_bytes(
            &program.hash(),
            &[Felt::new(5)],
            &[Felt::new(43), Felt::new(5)],
            &bytes,
            96,
        );
        assert!(bad.is_err(), "{bad:?}");
    }
}
