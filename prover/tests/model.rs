//! The optimised prover against the model prover of the verifier's tests (the protocol written
//! out point by point): both must produce the same proof, byte for byte, for every AIR variant,
//! preset and hash. A difference is a bug in one of them.

#[path = "../../verifier/tests/support/mod.rs"]
mod support;

use distaff_air::ProcessorAir;
use distaff_assembly::assemble;
use distaff_math::{CubeFelt, Felt, QuadFelt};
use distaff_processor::ProgramInputs;
use distaff_prover::zk::Purpose;
use distaff_prover::{
    prove_air, prove_trace, prove_trace_with, Checks, HashFunction, ProofOptions, ProverSettings, Randomness, Seed,
};
use support::{prove_model, prove_model_with, FibAir, Honest};
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

/// The prover's randomness, as the model takes it.
struct ProverRandomness(Randomness);

impl<E: distaff_math::FieldElement<BaseField = Felt>> support::ZkSource<E> for ProverRandomness {
    fn mask(&self, aux: bool, column: usize, len: usize) -> Vec<Felt> {
        let purpose = if aux { Purpose::AuxMask } else { Purpose::MainMask };
        self.0.elements(purpose, column as u64, len)
    }
    fn randomizer(&self, i: usize, len: usize) -> Vec<E> {
        self.0.ext_elements(Purpose::Randomizer, i as u64, len)
    }
    fn codeword(&self, len: usize) -> Vec<E> {
        self.0.ext_elements(Purpose::Codeword, 0, len)
    }
    fn salt(&self, matrix: support::Matrix, index: usize, len: usize) -> Vec<Felt> {
        let purpose = match matrix {
            support::Matrix::Trace => Purpose::MainSalt,
            support::Matrix::Aux => Purpose::AuxSalt,
            _ => Purpose::CompositionSalt,
        };
        let mut out = vec![Felt::new(0); len];
        self.0.salts(purpose, index, len, &mut out);
        out
    }
}

#[test]
fn the_prover_and_the_model_make_the_same_hiding_proofs() {
    // every variant (traces padded to the length hiding needs), both presets; the model is
    // told the prover's randomness for one test seed
    let programs = [
        ("begin repeat.20 swap dup.1 add end end", vec![1u64, 0], vec![]),
        ("begin read if.true push.3 mul else push.5 add end end", vec![7], vec![1]),
        ("begin push.9 push.16 mem_store push.16 mem_load push.5 u32add end", vec![], vec![]),
    ];
    let seed = [9u8; 32];
    for (i, (source, public, secret)) in programs.into_iter().enumerate() {
        let program = assemble(source).unwrap();
        let felts = |v: &[u64]| v.iter().map(|&x| Felt::new(x)).collect::<Vec<_>>();
        let inputs = ProgramInputs::new(felts(&public), felts(&secret)).unwrap();
        let trace = distaff_processor::build_trace_with_min_length(&program, &inputs, 1024).unwrap();
        let claim = trace.public_inputs(1);
        let columns = trace.into_columns();
        let air = ProcessorAir::for_trace(claim.clone(), &columns);
        let options = if i == 1 {
            ProofOptions::with_128_bit_security(HashFunction::Rp64_256)
        } else {
            ProofOptions::with_96_bit_security(HashFunction::Blake3_256)
        };
        let settings = ProverSettings { seed: Seed::InsecureFixedForTesting(seed), ..Default::default() };
        let proof = prove_trace_with(&columns, &claim, &options, &settings).unwrap();
        let zk = ProverRandomness(Randomness::insecure_fixed_seed_for_testing(seed));
        let expected = match options.hash {
            HashFunction::Blake3_256 => {
                prove_model_with::<QuadFelt, Blake3_256<Felt>, _, _>(&air, &columns, &options, &mut Honest, &zk)
            }
            HashFunction::Rp64_256 => {
                prove_model_with::<CubeFelt, Rp64_256, _, _>(&air, &columns, &options, &mut Honest, &zk)
            }
        };
        assert!(proof.options.hiding);
        assert!(proof == expected, "{source}: the prover's and the model's hiding proofs differ");
    }
}
