//! `hperm` and `hmerge` compute exactly winter-crypto's `Rp64_256` permutation and merge, and
//! their proofs verify; a wrong permutation output is rejected.

use distaff_air::debug::check_trace;
use distaff_air::layout::STACK;
use distaff_assembly::assemble;
use distaff_math::Felt;
use distaff_processor::{execute, ProgramInputs};
use distaff_prover::{prove, prove_trace, Checks, HashFunction, ProofOptions};
use distaff_verifier::verify;
use winter_crypto::hashers::Rp64_256;
use winter_crypto::Hasher;

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

/// Runs `src` on `public` (top first), checks the trace against the AIR and a proof of the top
/// `n` outputs, and returns them.
fn run(src: &str, public: &[Felt], n: usize) -> Vec<Felt> {
    let program = assemble(src).unwrap();
    let inputs = ProgramInputs::new(public.to_vec(), vec![]).unwrap();
    let out = execute(&program, &inputs).unwrap().outputs(n);
    let trace = build_trace(&program, &inputs).unwrap();
    check_trace(trace.columns(), &trace.public_inputs(n)).unwrap();
    let (outputs, proof, _) = prove(&program, &inputs, n, &options()).unwrap();
    assert_eq!(outputs, out);
    verify(&program.hash(), public, &outputs, &proof, 96).unwrap();
    out
}

fn states() -> Vec<[Felt; 12]> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut random = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        f(x % 0xFFFF_FFFF_0000_0001)
    };
    vec![
        [f(0); 12],
        core::array::from_fn(|i| f(i as u64)),
        core::array::from_fn(|_| random()),
        core::array::from_fn(|_| random()),
    ]
}

#[test]
fn hperm_is_rp64_256s_permutation() {
    for state in states() {
        let mut expected = state;
        Rp64_256::apply_permutation(&mut expected);
        // slot i is state lane i (slot 0 on top); a value below the state stays
        let mut public = state.to_vec();
        public.push(f(99));
        let out = run("begin hperm end", &public, 13);
        assert_eq!(out[..12], expected);
        assert_eq!(out[12], f(99));
    }
    // a chain of permutations, between other code and inside a loop
    let state = states()[2];
    let mut expected = state;
    for _ in 0..3 {
        Rp64_256::apply_permutation(&mut expected);
    }
    assert_eq!(run("begin hperm noop hperm push.1 while.true hperm push.0 end end", &state, 12), expected);
}

#[test]
fn hmerge_is_rp64_256s_merge() {
    for state in states() {
        let a: [Felt; 4] = state[..4].try_into().unwrap();
        let b: [Felt; 4] = state[4..8].try_into().unwrap();
        let expected: [Felt; 4] = Rp64_256::merge(&[a.into(), b.into()]).into();
        let mut public = state[..8].to_vec();
        public.push(f(5));
        let out = run("begin hmerge end", &public, 5);
        assert_eq!(out[..4], expected);
        assert_eq!(out[4], f(5));
    }
}

#[test]
fn hperm_needs_twelve_values() {
    let program = assemble("begin\n  push.1\n  hperm\nend").unwrap();
    let e = execute(&program, &ProgramInputs::default()).unwrap_err();
    assert!(e.to_string().contains("'hperm'") && e.to_string().contains("needs 12"), "{e}");
}

#[test]
fn a_wrong_permutation_output_is_rejected() {
    let state = states()[2];
    let program = assemble("begin hperm end").unwrap();
    let inputs = ProgramInputs::new(state.to_vec(), vec![]).unwrap();
    let trace = build_trace(&program, &inputs).unwrap();
    let mut claim = trace.public_inputs(1);
    let mut columns = trace.into_columns();
    // the rows after the permutation claim another first lane
    for v in &mut columns[STACK][8..] {
        *v += f(1);
    }
    claim.outputs[0] += f(1);
    assert!(check_trace(&columns, &claim).is_err());
    let proof = prove_trace(&columns, &claim, &options(), Checks::Off).unwrap();
    assert!(verify(&claim.program_hash, &claim.inputs, &claim.outputs, &proof, 96).is_err());
}

#[test]
fn the_hash_chain_example_computes_the_chain() {
    let mut state: [Felt; 12] = [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8].map(f);
    let public = state.to_vec();
    for _ in 0..100 {
        Rp64_256::apply_permutation(&mut state);
    }
    let out = run(include_str!("../../examples/hash_chain.dasm"), &public, 4);
    assert_eq!(out, state[4..8]);
    assert_eq!(out[0], f(5907331951316285027), "the value examples/README.md documents");
}

/// The secret inputs of `examples/merkle_membership.dasm` for leaf `index` of `tree`.
fn merkle_inputs(tree: &winter_crypto::MerkleTree<Rp64_256>, index: usize) -> Vec<u64> {
    let (leaf, path) = tree.prove(index).unwrap();
    let words = |d: &<Rp64_256 as Hasher>::Digest| -> Vec<u64> {
        let e: [Felt; 4] = (*d).into();
        e.iter().rev().map(|x| x.as_int()).collect()
    };
    let mut secret = words(&leaf);
    let mut i = index;
    for sibling in &path {
        secret.extend(words(sibling));
        secret.push((i & 1) as u64);
        i >>= 1;
    }
    secret
}

#[test]
fn the_merkle_membership_example_proves_a_secret_leaf_under_the_root() {
    let leaves: Vec<<Rp64_256 as Hasher>::Digest> =
        (0..256u64).map(|i| <Rp64_256 as winter_crypto::ElementHasher>::hash_elements(&[f(i * i + 1)])).collect();
    let tree = winter_crypto::MerkleTree::<Rp64_256>::new(leaves).unwrap();
    let root: [Felt; 4] = (*tree.root()).into();
    let program = assemble(include_str!("../../examples/merkle_membership.dasm")).unwrap();
    for index in [0usize, 1, 77, 255] {
        let secret = merkle_inputs(&tree, index);
        let inputs = ProgramInputs::new(vec![f(index as u64)], secret.iter().map(|v| f(*v)).collect()).unwrap();
        assert_eq!(execute(&program, &inputs).unwrap().outputs(4), root, "index {index}");
        if index == 77 {
            let (outputs, proof, _) = prove(&program, &inputs, 4, &options()).unwrap();
            assert_eq!(outputs, root);
            verify(&program.hash(), &[f(77)], &outputs, &proof, 96).unwrap();
            // the same path claimed for another index fails the index check
            let other = ProgramInputs::new(vec![f(76)], secret.iter().map(|v| f(*v)).collect()).unwrap();
            assert!(execute(&program, &other).unwrap_err().to_string().contains("assertion failed"));
            // a wrong sibling gives another root
            let mut bad = secret.clone();
            bad[5] += 1;
            let bad = ProgramInputs::new(vec![f(77)], bad.iter().map(|v| f(*v)).collect()).unwrap();
            assert_ne!(execute(&program, &bad).unwrap().outputs(4), root);
        }
    }
    // the inputs file of the example is the path of leaf 77 of this tree
    let expected = merkle_inputs(&tree, 77);
    let file = include_str!("../../examples/merkle_membership.inputs.json");
    let listed: Vec<u64> = file
        .split("\"secret\"")
        .nth(1)
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().unwrap())
        .collect();
    assert_eq!(listed, expected, "examples/merkle_membership.inputs.json");
}

#[test]
fn the_range_check_example_proves_small_values_only() {
    let program = assemble(include_str!("../../examples/range_check.dasm")).unwrap();
    let secret = |v: u64| -> Vec<Felt> {
        let mut s = vec![f(v)];
        s.extend((0..32).rev().map(|i| f((v >> i) & 1)));
        s
    };
    for v in [0u64, 1, 3_000_000_000, u32::MAX as u64] {
        let inputs = ProgramInputs::new(vec![], secret(v)).unwrap();
        let (outputs, proof, _) = prove(&program, &inputs, 1, &options()).unwrap();
        assert_eq!(outputs, vec![f(1)]);
        verify(&program.hash(), &[], &outputs, &proof, 96).unwrap();
    }
    // 2^32 + 5 with the bits of 5 (the only bits that could come close) fails
    let mut bad = secret(5);
    bad[0] = f((1 << 32) + 5);
    assert!(execute(&program, &ProgramInputs::new(vec![], bad).unwrap()).is_err());
    // and the inputs file is a valid instance
    let file = include_str!("../../examples/range_check.inputs.json");
    assert!(file.contains("3000000000"));
}

#[test]
fn a_wrong_merkle_path_is_rejected() {
    // mtree_verify.3 on leaf 5 of an 8-leaf tree; the forger claims another leaf value at index
    // 5 by substituting it for the real one everywhere on the stack (initial stack, the working
    // copy, the outputs): the hashing of the first level no longer matches
    let leaves: Vec<<Rp64_256 as Hasher>::Digest> =
        (0..8u64).map(|i| <Rp64_256 as winter_crypto::ElementHasher>::hash_elements(&[f(i + 100)])).collect();
    let tree = winter_crypto::MerkleTree::<Rp64_256>::new(leaves.clone()).unwrap();
    let (_, path) = tree.prove(5).unwrap();
    let lanes = |d: &<Rp64_256 as Hasher>::Digest| -> [Felt; 4] { (*d).into() };
    let secret: Vec<Felt> = path.iter().flat_map(|d| lanes(d).into_iter().rev()).collect();
    let public: Vec<Felt> = lanes(&leaves[5]).into_iter().chain([f(5)]).chain(lanes(tree.root())).collect();
    let program = assemble("begin mtree_verify.3 end").unwrap();
    let inputs = ProgramInputs::new(public.clone(), secret).unwrap();
    let (outputs, proof, _) = prove(&program, &inputs, 9, &options()).unwrap();
    assert_eq!(outputs, public);
    assert!(verify(&program.hash(), &public, &outputs, &proof, 96).is_ok());

    let trace = build_trace(&program, &inputs).unwrap();
    let mut claim = trace.public_inputs(9);
    let mut columns = trace.into_columns();
    let (real, fake) = (public[0], f(123456789));
    for column in &mut columns[STACK..STACK + 16] {
        for v in column.iter_mut().filter(|v| **v == real) {
            *v = fake;
        }
    }
    claim.inputs[0] = fake;
    claim.outputs[0] = fake;
    assert!(check_trace(&columns, &claim).is_err());
    let proof = prove_trace(&columns, &claim, &options(), Checks::Off).unwrap();
    assert!(distaff_verifier::verify_claim(&claim, &proof, 96).is_err());
}

#[test]
fn an_hperm_chain_cannot_pass_for_another_length() {
    // three permutations, claimed as the program of two (whose hash differs only in the chain
    // length the last cycle's count names): the forger rewrites the count on the last cycle
    let three = assemble("begin repeat.3 hperm end end").unwrap();
    let two = assemble("begin repeat.2 hperm end end").unwrap();
    assert_ne!(three.hash(), two.hash());
    let state: Vec<Felt> = (1..=12).map(f).collect();
    let inputs = ProgramInputs::new(state.clone(), vec![]).unwrap();
    let trace = build_trace(&three, &inputs).unwrap();
    assert_eq!(trace.cycles(), 24, "8 cycles per permutation, no joins");
    let mut claim = trace.public_inputs(4);
    let mut columns = trace.into_columns();
    for v in &mut columns[distaff_air::layout::BATCH][16..24] {
        assert_eq!(*v, f(3));
        *v = f(2);
    }
    claim.program_hash = two.hash();
    assert!(check_trace(&columns, &claim).is_err());
    let proof = prove_trace(&columns, &claim, &options(), Checks::Off).unwrap();
    assert!(verify(&claim.program_hash, &claim.inputs, &claim.outputs, &proof, 96).is_err());
}

#[test]
fn a_trace_that_ends_on_its_last_row_still_binds_the_program() {
    // 128 hperms fill 1024 cycles: the trace ends on the chain's last row, which must emit the
    // program hash. The same trace claimed for a program that does more after the chain (its
    // root is a join) is rejected: the last row's digest is the chain's, not the program's.
    let chain = assemble("begin repeat.128 hperm end end").unwrap();
    let longer = assemble("begin repeat.128 hperm end push.1 add end").unwrap();
    let inputs = ProgramInputs::new((1..=12).map(f).collect(), vec![]).unwrap();
    let trace = build_trace(&chain, &inputs).unwrap();
    assert_eq!(trace.length(), 1024);
    let claim = trace.public_inputs(4);
    let (outputs, proof, _) = prove(&chain, &inputs, 4, &options()).unwrap();
    assert_eq!(outputs, claim.outputs);
    assert!(verify(&chain.hash(), &claim.inputs, &outputs, &proof, 96).is_ok());
    let mut forged = claim.clone();
    forged.program_hash = longer.hash();
    let columns = trace.into_columns();
    assert!(check_trace(&columns, &forged).is_err());
    let proof = prove_trace(&columns, &forged, &options(), Checks::Off).unwrap();
    assert!(verify(&forged.program_hash, &forged.inputs, &forged.outputs, &proof, 96).is_err());
}
