//! `mtree_verify` and `mtree_set` against winter-crypto's Merkle trees.

use distaff_air::debug::check_trace;
use distaff_math::Felt;
use distaff_processor::{build_trace, execute, ExecutionError, ProgramInputs};
use winter_crypto::hashers::Rp64_256;
use winter_crypto::{ElementHasher, Hasher, MerkleTree};

type Digest = <Rp64_256 as Hasher>::Digest;

fn leaf(i: u64) -> Digest {
    Rp64_256::hash_elements(&[Felt::new(i), Felt::new(i * i + 7)])
}

fn word(d: &Digest) -> [Felt; 4] {
    d.as_elements().try_into().unwrap()
}

/// Secret inputs for a word, lane 3 first (so that `readw` leaves lane 0 on top).
fn secret_word(d: &Digest) -> Vec<Felt> {
    word(d).iter().rev().copied().collect()
}

/// Public inputs `[V(4), i, R(4)]` (top first).
fn stack(v: &Digest, index: u64, root: &Digest) -> Vec<Felt> {
    word(v).into_iter().chain([Felt::new(index)]).chain(word(root)).collect()
}

fn run(
    source: &str,
    public: Vec<Felt>,
    secret: Vec<Felt>,
    outputs: usize,
) -> Result<(Vec<Felt>, usize), ExecutionError> {
    let program = distaff_assembly::assemble(source).unwrap();
    let inputs = ProgramInputs::new(public, secret).unwrap();
    let out = execute(&program, &inputs)?;
    let trace = build_trace(&program, &inputs).unwrap();
    let claim = trace.public_inputs(outputs);
    check_trace(trace.columns(), &claim).unwrap_or_else(|e| panic!("{e}"));
    Ok((out.outputs(outputs), out.cycles))
}

#[test]
fn mtree_verify_accepts_the_path_and_nothing_else() {
    let depth = 5;
    let leaves: Vec<Digest> = (0..1u64 << depth).map(leaf).collect();
    let tree = MerkleTree::<Rp64_256>::new(leaves.clone()).unwrap();
    let root = *tree.root();
    let source = format!("begin mtree_verify.{depth} end");
    for index in [0u64, 1, 13, 31] {
        let (_, path) = tree.prove(index as usize).unwrap();

        let secret: Vec<Felt> = path.iter().flat_map(secret_word).collect();
        let public = stack(&leaves[index as usize], index, &root);
        let (out, _) = run(&source, public.clone(), secret.clone(), 9).unwrap();
        assert_eq!(out, public, "the stack is unchanged");
        // another index, leaf or root fails
        let wrong_index = stack(&leaves[index as usize], index ^ 1, &root);
        assert!(run(&source, wrong_index, secret.clone(), 9).is_err());
        let wrong_leaf = stack(&leaves[(index as usize + 1) % 32], index, &root);
        assert!(run(&source, wrong_leaf, secret.clone(), 9).is_err());
        let mut bad_path = secret.clone();
        bad_path[5] += Felt::new(1);
        assert!(run(&source, public.clone(), bad_path, 9).is_err());
        // an index with more bits than the depth
        let too_big = stack(&leaves[index as usize], index + 32, &root);
        assert!(run(&source, too_big, secret, 9).is_err());
    }
}

#[test]
fn mtree_set_computes_the_new_root() {
    let depth = 4;
    let leaves: Vec<Digest> = (0..1u64 << depth).map(leaf).collect();
    let tree = MerkleTree::<Rp64_256>::new(leaves.clone()).unwrap();
    let new_leaf = leaf(1000);
    for index in [0usize, 6, 15] {
        let (_, path) = tree.prove(index).unwrap();
        let mut updated = leaves.clone();
        updated[index] = new_leaf;
        let expected = *MerkleTree::<Rp64_256>::new(updated).unwrap().root();
        let secret: Vec<Felt> =
            secret_word(&leaves[index]).into_iter().chain(path.iter().flat_map(secret_word)).collect();
        let source = format!("begin mtree_set.{depth} end");
        let (out, _) = run(&source, stack(&new_leaf, index as u64, tree.root()), secret.clone(), 4).unwrap();
        assert_eq!(out, word(&expected).to_vec());
        // a wrong old leaf does not lead to the root
        let mut wrong = secret.clone();
        wrong[0] += Felt::new(1);
        assert!(run(&source, stack(&new_leaf, index as u64, tree.root()), wrong, 4).is_err());
    }
}

#[test]
fn cost_per_level_is_constant() {
    let mut cycles = Vec::new();
    for depth in 1..=6usize {
        let leaves: Vec<Digest> = (0..1u64 << depth).map(leaf).collect();
        let tree = MerkleTree::<Rp64_256>::new(leaves.clone()).unwrap();
        let (_, path) = tree.prove(0).unwrap();
        let secret: Vec<Felt> = path.iter().flat_map(secret_word).collect();
        let (_, c) =
            run(&format!("begin mtree_verify.{depth} end"), stack(&leaves[0], 0, tree.root()), secret, 9).unwrap();
        cycles.push(c);
    }
    // the documented cost (docs/isa.md): 32 + 96 per level
    assert_eq!(cycles, (1..=6).map(|d| 32 + 96 * d).collect::<Vec<_>>());
    let mut cycles = Vec::new();
    for depth in 1..=6usize {
        let leaves: Vec<Digest> = (0..1u64 << depth).map(leaf).collect();
        let tree = MerkleTree::<Rp64_256>::new(leaves.clone()).unwrap();
        let (_, path) = tree.prove(0).unwrap();
        let secret: Vec<Felt> = secret_word(&leaves[0]).into_iter().chain(path.iter().flat_map(secret_word)).collect();
        let source = format!("begin mtree_set.{depth} end");
        let (_, c) = run(&source, stack(&leaf(99), 0, tree.root()), secret, 4).unwrap();
        cycles.push(c);
    }
    // 24 + 200 per level (two merges per level)
    assert_eq!(cycles, (1..=6).map(|d| 24 + 200 * d).collect::<Vec<_>>());
}

/// Above depth 32 the index is split into canonical halves first: the cost per level stays
/// 96 (verify, get) and 200 (set), plus a constant (docs/isa.md). Paths from the store's
/// empty trees.
#[test]
fn cost_above_depth_32() {
    let costs = |op: &str, with_leaf: bool| -> Vec<usize> {
        [33usize, 34, 48, 64]
            .iter()
            .map(|&d| {
                let root = distaff_processor::advice::empty_roots()[d];
                let leaf = if with_leaf { vec![Felt::new(0); 4] } else { vec![] };
                let public: Vec<Felt> = leaf.into_iter().chain([Felt::new(3)]).chain(root).collect();
                let (_, c) = run(&format!("begin {op}.{d} end"), public, vec![], 4).unwrap();
                c
            })
            .collect()
    };
    let expect = |k: usize, per: usize| -> Vec<usize> { [33, 34, 48, 64].iter().map(|d| k + per * d).collect() };
    assert_eq!(costs("mtree_verify", true), expect(40, 96), "mtree_verify");
    assert_eq!(costs("mtree_get", false), expect(48, 96), "mtree_get");
    assert_eq!(costs("mtree_set", true), expect(32, 200), "mtree_set");
}
