//! The golden proofs of `verifier/tests/data`: proofs this prover made, which the verifier's own
//! tests verify (so a change to a function the prover and the verifier share, which a test
//! making its proofs through that function could not see, breaks them). Every one is
//! reproducible: proofs without hiding are deterministic, hiding ones are made from a fixed
//! test seed. This test checks the prover still makes exactly these bytes; after an intended
//! change of the protocol, regenerate them with
//! `cargo test -p distaff-prover --test golden -- --ignored`.

use std::path::PathBuf;

use distaff_air::PublicInputs;
use distaff_assembly::assemble;
use distaff_math::Felt;
use distaff_processor::ProgramInputs;
use distaff_prover::{prove_with_settings, HashFunction, ProofOptions, ProverSettings, Seed};

/// (name, program, public inputs, secret inputs, initial memory, outputs, options)
type Case = (&'static str, &'static str, Vec<u64>, Vec<u64>, Vec<(u32, u64)>, usize, ProofOptions);

fn cases() -> Vec<Case> {
    let b96 = ProofOptions::with_96_bit_security(HashFunction::Blake3_256);
    let r128 = ProofOptions::with_128_bit_security(HashFunction::Rp64_256);
    vec![
        (
            "straight-line",
            "begin repeat.20 swap dup.1 add end end",
            vec![1, 0],
            vec![],
            vec![],
            1,
            b96.without_hiding(),
        ),
        ("straight-line-hiding", "begin repeat.20 swap dup.1 add end end", vec![1, 0], vec![], vec![], 1, b96),
        (
            "control",
            "begin read if.true push.3 mul else push.5 add end end",
            vec![7],
            vec![1],
            vec![],
            1,
            b96.without_hiding(),
        ),
        (
            "control-hiding-128",
            "begin read if.true push.3 mul else push.5 add end end",
            vec![7],
            vec![0],
            vec![],
            1,
            r128,
        ),
        (
            "memory",
            "begin push.16 mem_load push.17 mem_load add push.9 u32add drop end",
            vec![],
            vec![],
            vec![(16, 40), (17, 2)],
            1,
            r128.without_hiding(),
        ),
        (
            "bitwise",
            "begin read read u32xor push.4042322160 u32and end",
            vec![],
            vec![3735928559, 305419896],
            vec![],
            1,
            b96.without_hiding(),
        ),
        ("bitwise-hiding", "begin read read u32xor push.4042322160 u32and end", vec![], vec![1, 2], vec![], 1, b96),
        (
            "memory-hiding",
            "begin push.16 mem_load push.17 mem_load add push.9 u32add drop end",
            vec![],
            vec![],
            vec![(16, 40), (17, 2)],
            1,
            b96,
        ),
    ]
}

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../verifier/tests/data")
}

/// The claim file: one line each for the program hash, inputs, outputs and memory.
fn claim_text(claim: &PublicInputs) -> String {
    let list = |v: &[Felt]| v.iter().map(|f| f.as_int().to_string()).collect::<Vec<_>>().join(",");
    let memory: Vec<String> = claim.memory.iter().map(|(a, w)| format!("{a}:{}", list(w))).collect();
    format!("{}\n{}\n{}\n{}\n", list(&claim.program_hash), list(&claim.inputs), list(&claim.outputs), memory.join(";"))
}

fn prove_case(
    source: &str,
    public: &[u64],
    secret: &[u64],
    memory: &[(u32, u64)],
    outputs: usize,
    options: &ProofOptions,
) -> (PublicInputs, Vec<u8>) {
    let program = assemble(source).unwrap();
    let felts = |v: &[u64]| v.iter().map(|&x| Felt::new(x)).collect::<Vec<_>>();
    let words: Vec<(u32, [Felt; 4])> =
        memory.iter().map(|&(a, v)| (a, [Felt::new(v), Felt::new(0), Felt::new(0), Felt::new(0)])).collect();
    let inputs = ProgramInputs::new(felts(public), felts(secret)).unwrap().with_memory(words.clone()).unwrap();
    let settings = ProverSettings { seed: Seed::InsecureFixedForTesting([42; 32]), ..Default::default() };
    let (out, proof, _) = prove_with_settings(&program, &inputs, outputs, options, &settings).unwrap();
    let mut claim = PublicInputs::new(program.hash(), felts(public), out);
    claim.memory = words;
    (claim, proof.to_bytes())
}

#[test]
fn the_prover_makes_the_golden_proofs() {
    for (name, source, public, secret, memory, outputs, options) in cases() {
        let (claim, bytes) = prove_case(source, &public, &secret, &memory, outputs, &options);
        let stored = std::fs::read(data().join(format!("{name}.proof"))).expect("golden proof (see the module docs)");
        assert!(bytes == stored, "{name}: the prover no longer makes the golden proof (see the module docs)");
        let stored = std::fs::read_to_string(data().join(format!("{name}.claim"))).unwrap();
        assert_eq!(claim_text(&claim), stored, "{name}");
    }
}

#[test]
#[ignore = "rewrites the golden proofs: run after an intended change of the protocol"]
fn regenerate_golden_proofs() {
    for (name, source, public, secret, memory, outputs, options) in cases() {
        let (claim, bytes) = prove_case(source, &public, &secret, &memory, outputs, &options);
        std::fs::write(data().join(format!("{name}.proof")), bytes).unwrap();
        std::fs::write(data().join(format!("{name}.claim")), claim_text(&claim)).unwrap();
    }
}
