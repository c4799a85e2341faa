//! Streaming the trace LDE (to halve peak memory) changes how the prover computes, not what it
//! proves: both storages give byte-identical proofs (hiding ones too, from one seed).

use distaff_assembly::assemble;
use distaff_math::Felt;
use distaff_processor::ProgramInputs;
use distaff_prover::{prove_with_settings, HashFunction, LdeStorage, ProofOptions, ProverSettings, Seed};

#[test]
fn stored_and_streamed_lde_give_the_same_proof() {
    let programs = [
        ("begin push.0 push.1 repeat.40 swap dup.1 add end end", vec![]),
        ("begin read if.true push.90 mul else push.100 mul end push.1 while.true push.1 sub dup push.0 eq not end end", vec![1]),
        // the memory variant: five auxiliary columns
        ("begin read push.16 mem_store push.16 mem_load push.17 mem_load add u32split drop end", vec![41]),
    ];
    let presets = [
        ProofOptions::with_96_bit_security(HashFunction::Blake3_256),
        ProofOptions::with_128_bit_security(HashFunction::Rp64_256),
        ProofOptions::with_96_bit_security(HashFunction::Blake3_256).without_hiding(),
    ];
    let settings =
        |storage| ProverSettings { storage, seed: Seed::InsecureFixedForTesting([3; 32]), ..Default::default() };
    for (src, secret) in programs {
        let program = assemble(src).unwrap();
        let inputs = ProgramInputs::new(vec![Felt::new(3)], secret.into_iter().map(Felt::new).collect()).unwrap();
        for options in &presets {
            let (out_a, a, _) =
                prove_with_settings(&program, &inputs, 1, options, &settings(LdeStorage::Stored)).unwrap();
            let (out_b, b, _) =
                prove_with_settings(&program, &inputs, 1, options, &settings(LdeStorage::Streamed)).unwrap();
            assert_eq!(out_a, out_b);
            assert_eq!(a.to_bytes(), b.to_bytes(), "{src}");
            distaff_verifier::verify(&program.hash(), &[Felt::new(3)], &out_b, &b, 96).unwrap();
        }
    }
}
