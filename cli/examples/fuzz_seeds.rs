//! Writes the seed corpus of the `verify` fuzz target (`fuzz/fuzz_targets/verify.rs`): an
//! honest proof of each example program that covers an AIR variant (straight-line, control
//! flow, memory with initial memory, u32 and hashing), at the default preset under BLAKE3 and
//! at the 128-bit preset under Rescue, each as a receipt (the proof with the claim it was made
//! for, as `distaff prove` writes it) checked to verify.
//!
//! `cargo run --release -p distaff-cli --example fuzz_seeds -- fuzz/corpus/verify`

use std::path::{Path, PathBuf};

use distaff_air::PublicInputs;
use distaff_assembly::assemble;
use distaff_processor::ProgramInputs;
use distaff_prover::{prove, HashFunction, ProofOptions};

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "fuzz/corpus/verify".into()));
    std::fs::create_dir_all(&dir).expect("the corpus folder");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    // (program, outputs): one per AIR variant and instruction family
    let programs = [
        ("fibonacci", 1),           // straight-line
        ("membership_discount", 1), // control flow
        ("array_sum", 1),           // memory, with initial memory in the claim
        ("range_check", 1),         // u32
        ("hash_chain", 4),          // hperm
    ];
    for (name, outputs) in programs {
        let source = std::fs::read_to_string(examples.join(format!("{name}.dasm"))).expect("example");
        let inputs = std::fs::read_to_string(examples.join(format!("{name}.inputs.json"))).expect("inputs");
        let inputs = distaff_cli::inputs::parse(&inputs).unwrap_or_else(|e| panic!("{name}: {e}"));
        let program = assemble(&source).unwrap_or_else(|e| panic!("{name}: {e}"));
        let memory = inputs.memory.clone();
        let program_inputs =
            ProgramInputs::new(inputs.public.clone(), inputs.secret).unwrap().with_memory(memory).unwrap();
        for options in [
            ProofOptions::with_96_bit_security(HashFunction::Blake3_256),
            ProofOptions::with_128_bit_security(HashFunction::Rp64_256),
        ] {
            let (out, proof, _) = prove(&program, &program_inputs, outputs, &options).expect("proof");
            let mut claim = PublicInputs::new(program.hash(), inputs.public.clone(), out);
            claim.memory = inputs.memory.clone();
            let bytes = distaff_verifier::Receipt { claim, proof }.to_bytes().expect("a claim within the limits");
            let min = if options.extension.degree() == 2 { 96 } else { 128 };
            let expect_nothing = distaff_verifier::Expected::default();
            distaff_verifier::verify_receipt_bytes(&bytes, &expect_nothing, min).expect("the seed verifies");
            let file = dir.join(format!("{name}-{}-{min}", options.hash.name()));
            std::fs::write(&file, &bytes).expect("write");
            println!("{} ({} bytes)", file.display(), bytes.len());
        }
    }
}
