//! The optimised prover against the model prover of the verifier's tests (the protocol written
//! out point by point): both must produce the same proof, byte for byte, for every AIR variant,
//! preset and hash. A difference is a bug in one of them.

#[path = "../../verifier/tests/support/mod.rs"]
mod support;

use distaff_air::ProcessorAir;
use distaff_assembly::assemble;
use distaff_math::{CubeFelt, Felt, QuadFelt};
use distaff_processor::ProgramInputs;
use distaff_prover::{prove_air, prove_trace, Checks, HashFunction, ProofOptions};
use support::{prove_model, FibAir, Honest};
use winter_crypto::hashers::{Blake3_256, Rp64_256};

/// The trace of a run.
fn build_trace(
    program: &distaff_air::Program,
    inputs: &distaff_processor::ProgramInputs,
) -> Result<distaff_processor::ExecutionTrace, distaff_processor::ExecutionError> {
    distaff_processor::build_trace(program, inputs)
}

fn model(air: &ProcessorAir, columns: &[Vec<Felt>], options: &ProofOptions) -> distaff_verifier::Proof {
    match (options.extension.degree(), options.hash) {
        (2, HashFunction::Blake3_256) => {
            prove_model::<QuadFelt, Blake3_256<Felt>, _, _>(air, columns, options, &mut Honest)
        }
        (2, HashFunction::Rp64_256) => prove_model::<QuadFelt, Rp64_256, _, _>(air, columns, options, &mut Honest),
        (_, HashFunction::Blake3_256) => {
            prove_model::<CubeFelt, Blake3_256<Felt>, _, _>(air, columns, options, &mut Honest)
        }
        (_, HashFunction::Rp64_256) => prove_model::<CubeFelt, Rp64_256, _, _>(air, columns, options, &mut Honest),
    }
}

#[test]
fn the_prover_and_the_model_make_the_same_proofs() {
    let programs = [
        ("begin repeat.20 swap dup.1 add end end", vec![1u64, 0], vec![]),
        ("begin read if.true push.3 mul else push.5 add end end", vec![7], vec![1]),
        ("begin push.9 push.16 mem_store push.16 mem_load push.5 u32add end", vec![], vec![]),
    ];
    for (source, public, secret) in programs {
        let program = assemble(source).unwrap();
        let felts = |v: &[u64]| v.iter().map(|&x| Felt::new(x)).collect::<Vec<_>>();
        let trace = build_trace(&program, &ProgramInputs::new(felts(&public), felts(&secret)).unwrap()).unwrap();
        let claim = trace.public_inputs(1);
        let columns = trace.into_columns();
        let air = ProcessorAir::for_trace(claim.clone(), &columns);
        for hash in [HashFunction::Blake3_256, HashFunction::Rp64_256] {
            for options in [
                ProofOptions::with_96_bit_security(hash).without_hiding(),
                ProofOptions::with_128_bit_security(hash).without_hiding(),
            ] {
                let proof = prove_trace(&columns, &claim, &options, Checks::On).unwrap();
                assert_eq!(proof.to_bytes(), model(&air, &columns, &options).to_bytes(), "{source}, {options:?}");
            }
        }
    }
}

#[test]
fn the_prover_and_the_model_agree_on_fri_layers() {
    // 2^11 rows: two FRI layers
    let (air, columns) = FibAir::honest(2048);
    let options = ProofOptions::with_96_bit_security(HashFunction::Blake3_256).without_hiding();
    let proof = prove_air(&air, &columns, &options, Checks::On).unwrap();
    assert_eq!(proof.fri_layers.len(), 2);
    let expected = prove_model::<QuadFelt, Blake3_256<Felt>, _, _>(&air, &columns, &options, &mut Honest);
    assert_eq!(proof, expected);
}
