//! The standard library's `std::collections::smt` against a reference sparse Merkle tree
//! written here (roots computed recursively, independently of the processor's Merkle store),
//! and `std::crypto::sig` against a Rust Lamport signer; both modules' cycle counts.

use std::collections::BTreeMap;

use distaff_air::debug::check_trace;
use distaff_assembly::assemble;
use distaff_math::{Felt, FieldElement};
use distaff_processor::advice::MerkleStore;
use distaff_processor::{build_trace, execute, ExecutionError, ProgramInputs};
use winter_crypto::hashers::Rp64_256;
use winter_crypto::{ElementHasher, Hasher};

type Word = [Felt; 4];

const P: u64 = 0xFFFF_FFFF_0000_0001;

fn merge(a: &Word, b: &Word) -> Word {
    Rp64_256::merge(&[(*a).into(), (*b).into()]).into()
}

/// A reference depth-64 sparse Merkle tree.
#[derive(Default, Clone)]
struct Smt(BTreeMap<u64, Word>);

impl Smt {
    fn empty(height: u32) -> Word {
        (0..height).fold([Felt::ZERO; 4], |e, _| merge(&e, &e))
    }

    /// The root of the subtree of the given height whose leaves start at `first`.
    fn node(&self, height: u32, first: u128) -> Word {
        let last = first + (1u128 << height) - 1;
        let mut inside = self.0.range(first as u64..=last.min(u64::MAX as u128) as u64);
        match (inside.next(), height) {
            (None, _) => Self::empty(height),
            (Some((_, v)), 0) => *v,
            _ => merge(&self.node(height - 1, first), &self.node(height - 1, first + (1u128 << (height - 1)))),
        }
    }

    fn root(&self) -> Word {
        self.node(64, 0)
    }

    fn get(&self, k: u64) -> Word {
        self.0.get(&k).copied().unwrap_or([Felt::ZERO; 4])
    }

    fn set(&mut self, k: u64, v: Word) {
        if v == [Felt::ZERO; 4] {
            self.0.remove(&k);
        } else {
            self.0.insert(k, v);
        }
    }

    /// The path of leaf `k`, from the leaf's sibling up.
    fn path(&self, k: u64) -> Vec<Word> {
        (0..64u32).map(|level| self.node(level, (((k >> level) ^ 1) as u128) << level)).collect()
    }
}

fn rng(seed: u64) -> impl FnMut() -> u64 {
    let mut x = seed | 1;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }
}

fn word(next: &mut impl FnMut() -> u64) -> Word {
    [0; 4].map(|_| Felt::new(next() % P))
}

fn ints(w: &[Felt]) -> Vec<u64> {
    w.iter().map(|v| v.as_int()).collect()
}

/// `[R, k]` or `[V, k, R]`, top first.
fn smt_stack(root: &Word, k: u64, v: Option<&Word>) -> Vec<Felt> {
    v.into_iter().flatten().copied().chain([Felt::new(k)]).chain(root.iter().copied()).collect()
}

fn run(source: &str, inputs: &ProgramInputs, outputs: usize) -> Result<(Vec<u64>, usize), ExecutionError> {
    let program = assemble(source).unwrap_or_else(|e| panic!("{e}"));
    let out = execute(&program, inputs)?;
    let trace = build_trace(&program, inputs).unwrap();
    check_trace(trace.columns(), &trace.public_inputs(outputs)).unwrap_or_else(|e| panic!("{e}"));
    Ok((ints(&out.outputs(outputs)), out.cycles))
}

fn sample_tree(seed: u64) -> Smt {
    let mut next = rng(seed);
    let mut smt = Smt::default();
    for k in [0, 1, P - 1, 1 << 32, (1 << 32) - 1] {
        smt.set(k, word(&mut next));
    }
    for _ in 0..12 {
        let k = next() % P;
        smt.set(k, word(&mut next));
    }
    smt
}

fn store_of(smt: &Smt) -> (MerkleStore, Word) {
    let mut store = MerkleStore::new();
    let leaves: Vec<(u64, Word)> = smt.0.iter().map(|(k, v)| (*k, *v)).collect();
    let root = store.add_sparse(64, &leaves).unwrap();
    (store, root)
}

#[test]
fn smt_get_and_verify_agree_with_the_reference() {
    let smt = sample_tree(7);
    let (store, root) = store_of(&smt);
    assert_eq!(root, smt.root(), "the store and the reference agree on the root");
    let mut next = rng(99);
    let keys: Vec<u64> = smt.0.keys().copied().chain([2, P - 2, next() % P]).collect();
    for k in keys {
        let inputs = ProgramInputs::new(smt_stack(&root, k, None), vec![]).unwrap().with_merkle_store(store.clone());
        let (out, _) = run("use.std::collections::smt begin exec.smt::get end", &inputs, 8).unwrap();
        assert_eq!(out[..4], ints(&smt.get(k)), "get {k}");
        assert_eq!(out[4..], ints(&root));
        let v = smt.get(k);
        let verify = "use.std::collections::smt begin exec.smt::verify end";
        let inputs =
            ProgramInputs::new(smt_stack(&root, k, Some(&v)), vec![]).unwrap().with_merkle_store(store.clone());
        assert_eq!(run(verify, &inputs, 4).unwrap().0, ints(&root));
        // any other value is refused
        let mut w = v;
        w[2] += Felt::ONE;
        let inputs =
            ProgramInputs::new(smt_stack(&root, k, Some(&w)), vec![]).unwrap().with_merkle_store(store.clone());
        assert!(matches!(run(verify, &inputs, 4), Err(ExecutionError::AssertionFailed { .. })), "verify {k}");
    }
}

#[test]
fn smt_paths_from_the_tape_are_checked_like_those_from_the_store() {
    let smt = sample_tree(3);
    let root = smt.root();
    let k = *smt.0.keys().nth(3).unwrap();
    let tape = |leaf: &Word, path: &[Word]| -> Vec<Felt> {
        std::iter::once(leaf).chain(path).flat_map(|w| w.iter().rev().copied()).collect()
    };
    let get = "use.std::collections::smt begin exec.smt::get end";
    let inputs = ProgramInputs::new(smt_stack(&root, k, None), tape(&smt.get(k), &smt.path(k))).unwrap();
    assert_eq!(run(get, &inputs, 4).unwrap().0, ints(&smt.get(k)));
    // a lie about the value, with the path of the truth, or with a path made up for it
    let lie = [Felt::new(5); 4];
    let inputs = ProgramInputs::new(smt_stack(&root, k, None), tape(&lie, &smt.path(k))).unwrap();
    assert!(matches!(run(get, &inputs, 4), Err(ExecutionError::AssertionFailed { .. })));
    let mut other = smt.clone();
    other.set(k, lie);
    let inputs = ProgramInputs::new(smt_stack(&root, k, None), tape(&lie, &other.path(k))).unwrap();
    assert!(matches!(run(get, &inputs, 4), Err(ExecutionError::AssertionFailed { .. })));
}

#[test]
fn smt_set_follows_the_reference_through_inserts_updates_and_removals() {
    let mut smt = Smt::default();
    let mut store = MerkleStore::new();
    let mut root = smt.root();
    let mut next = rng(5);
    let keys = [3u64, P - 1, 3, 1 << 40, 0];
    for (i, k) in keys.iter().enumerate() {
        // the last one removes what the first set
        let v = if i == keys.len() - 1 { [Felt::ZERO; 4] } else { word(&mut next) };
        let k = if i == keys.len() - 1 { 3 } else { *k };
        let inputs = ProgramInputs::new(smt_stack(&root, k, Some(&v)), vec![]).unwrap().with_merkle_store(store);
        let program = assemble("use.std::collections::smt begin exec.smt::set end").unwrap();
        let out = execute(&program, &inputs).unwrap();
        smt.set(k, v);
        assert_eq!(out.outputs(4), smt.root(), "set {k}");
        root = smt.root();
        // the next run starts from a store that knows the new tree
        store = inputs.merkle_store().clone();
        let leaves: Vec<(u64, Word)> = smt.0.iter().map(|(k, v)| (*k, *v)).collect();
        store.add_sparse(64, &leaves).unwrap();
    }
    // the same, with the trace checked against the AIR
    let (out, _) = run(
        "use.std::collections::smt begin exec.smt::set end",
        &ProgramInputs::new(smt_stack(&root, 9, Some(&[Felt::ONE; 4])), vec![]).unwrap().with_merkle_store(store),
        4,
    )
    .unwrap();
    smt.set(9, [Felt::ONE; 4]);
    assert_eq!(out, ints(&smt.root()));
}

/// The cycles of a straight-line `exec.MODULE::NAME`, against the comment above the procedure.
fn check_documented(module: &str, source: &str, name: &str, cycles: usize) {
    let at = source.find(&format!("export.{name}\n")).unwrap();
    let documented = source[..at].rsplit(" cycles.").nth(1).and_then(|t| t.rsplit(' ').next()).unwrap();
    assert_eq!(documented.replace(',', ""), cycles.to_string(), "{module}::{name}");
}

#[test]
fn smt_cycle_counts_are_those_documented() {
    let source = include_str!("../../assembly/std/collections/smt.dasm");
    let smt = sample_tree(11);
    let (store, root) = store_of(&smt);
    let k = *smt.0.keys().next().unwrap();
    let v = smt.get(k);
    for (name, stack, ops) in [
        ("get", smt_stack(&root, k, None), "exec.smt::get"),
        ("verify", smt_stack(&root, k, Some(&v)), "exec.smt::verify"),
        ("set", smt_stack(&root, k, Some(&v)), "exec.smt::set"),
    ] {
        let program = format!("use.std::collections::smt begin {ops} end");
        let inputs = ProgramInputs::new(stack, vec![]).unwrap().with_merkle_store(store.clone());
        let program = assemble(&program).unwrap();
        let profile = distaff_processor::profile(&program, &inputs).unwrap();
        check_documented("smt", source, name, profile.cycles);
    }
}

/// A Lamport key pair over Rp64_256 as `std::crypto::sig` defines it.
struct Lamport {
    secret: Vec<[Word; 2]>,
    images: Vec<[Word; 2]>,
}

fn hash4(s: &Word) -> Word {
    Rp64_256::hash_elements(s).into()
}

impl Lamport {
    fn new(seed: u64) -> Self {
        let mut next = rng(seed);
        let secret: Vec<[Word; 2]> = (0..256).map(|_| [word(&mut next), word(&mut next)]).collect();
        let images = secret.iter().map(|[a, b]| [hash4(a), hash4(b)]).collect();
        Lamport { secret, images }
    }

    fn public_key(&self) -> Word {
        self.images.iter().fold([Felt::ZERO; 4], |t, [p0, p1]| {
            let mut state = [Felt::ZERO; 12];
            state[..4].copy_from_slice(&t);
            state[4..8].copy_from_slice(p0);
            state[8..].copy_from_slice(p1);
            Rp64_256::apply_permutation(&mut state);
            state[4..8].try_into().unwrap()
        })
    }

    fn bits(message: &Word) -> Vec<usize> {
        message
            .iter()
            .flat_map(|m| {
                let x = m.as_int();
                (0..64).map(move |i| ((x >> i) & 1) as usize)
            })
            .collect()
    }

    /// The tape: per bit, the revealed secret and the other image, each lane 3 first.
    fn sign(&self, message: &Word) -> Vec<Felt> {
        let mut tape = Vec::new();
        for (i, b) in Self::bits(message).into_iter().enumerate() {
            tape.extend(self.secret[i][b].iter().rev());
            tape.extend(self.images[i][1 - b].iter().rev());
        }
        tape
    }
}

fn verify(pk: &Word, message: &Word, signature: Vec<Felt>) -> Result<usize, ExecutionError> {
    let public: Vec<Felt> = message.iter().chain(pk).copied().collect();
    let inputs = ProgramInputs::new(public, signature).unwrap();
    run("use.std::crypto::sig begin exec.sig::verify end", &inputs, 0).map(|(_, cycles)| cycles)
}

#[test]
fn lamport_signatures_verify_and_forgeries_do_not() {
    let key = Lamport::new(42);
    let pk = key.public_key();
    let mut next = rng(8);
    let message = word(&mut next);
    let cycles = verify(&pk, &message, key.sign(&message)).unwrap();
    let source = include_str!("../../assembly/std/crypto/sig.dasm");
    check_documented("sig", source, "verify", cycles);
    // the largest element: all its 64 bits but the 32 zeros in the middle
    let edge = [Felt::new(P - 1), Felt::ZERO, Felt::ONE, Felt::new(u32::MAX as u64)];
    assert!(verify(&pk, &edge, key.sign(&edge)).is_ok());
    // another message, another key, or one changed value of the signature: refused
    let mut other = message;
    other[1] += Felt::ONE;
    assert!(verify(&pk, &other, key.sign(&message)).is_err(), "another message");
    assert!(verify(&Lamport::new(100).public_key(), &message, key.sign(&message)).is_err(), "another key");
    let signature = key.sign(&message);
    for at in [0, 5, 1000, signature.len() - 1] {
        let mut forged = signature.clone();
        forged[at] += Felt::ONE;
        assert!(verify(&pk, &message, forged).is_err(), "value {at} changed");
    }
    // a signature cut short
    assert!(matches!(
        verify(&pk, &message, signature[..signature.len() - 1].to_vec()),
        Err(ExecutionError::SecretInputsExhausted { .. })
    ));
}

/// `examples/signature.inputs.json`: a message signed with the key of seed 2026, the
/// signature filed in the advice map under the message. `DISTAFF_BLESS=1` rewrites the file.
#[test]
fn the_signature_example_is_signed_by_the_test_signer() {
    let key = Lamport::new(2026);
    let message = [1u64, 2, 3, 2026].map(Felt::new);
    let list = |v: &[Felt]| v.iter().map(|x| format!("\"{}\"", x.as_int())).collect::<Vec<_>>().join(", ");
    let public: Vec<Felt> = message.iter().chain(&key.public_key()).copied().collect();
    let text = format!(
        "{{\n  \"public\": [{}],\n  \"advice_map\": [\n    {{\"key\": [{}],\n     \"values\": [{}]}}\n  ]\n}}\n",
        list(&public),
        list(&message),
        list(&key.sign(&message))
    );
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/signature.inputs.json");
    if std::env::var_os("DISTAFF_BLESS").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    assert_eq!(std::fs::read_to_string(path).unwrap(), text, "run with DISTAFF_BLESS=1 to rewrite the file");
    assert!(verify(&key.public_key(), &message, key.sign(&message)).is_ok());
}
