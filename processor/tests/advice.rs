//! Hints and the advice provider: the advice map (`adv.push_mapval`, `adv.push_mapvaln`,
//! `adv_pipe`), the Merkle store (`mtree_get`, `mtree_verify`, `mtree_set` up to depth 64) and
//! the `emit.u64div` handler. Every run's trace is checked against the AIR: a hint changes
//! what the tape holds, never what the program checks.

use distaff_air::debug::check_trace;
use distaff_assembly::assemble;
use distaff_math::Felt;
use distaff_processor::advice::{empty_roots, hash_elements, merge, AdviceMap, MerkleStore};
use distaff_processor::{build_trace, execute, ExecutionError, ProgramInputs};

type Word = [Felt; 4];

fn w(x: u64) -> Word {
    [Felt::new(x), Felt::new(x ^ 0x55), Felt::new(x.wrapping_mul(31) % 1000), Felt::new(x + 7)]
}

fn run(source: &str, inputs: &ProgramInputs, outputs: usize) -> Result<(Vec<u64>, usize), ExecutionError> {
    let program = assemble(source).unwrap_or_else(|e| panic!("{e}"));
    let out = execute(&program, inputs)?;
    let trace = build_trace(&program, inputs).unwrap();
    check_trace(trace.columns(), &trace.public_inputs(outputs)).unwrap_or_else(|e| panic!("{e}"));
    Ok((out.outputs(outputs).iter().map(|v| v.as_int()).collect(), out.cycles))
}

/// `[V(4), i, R(4)]` or `[i, R(4)]`, top first.
fn stack(leaf: Option<&Word>, index: u64, root: &Word) -> Vec<Felt> {
    leaf.into_iter().flatten().copied().chain([Felt::new(index)]).chain(root.iter().copied()).collect()
}

fn ints(w: &Word) -> Vec<u64> {
    w.iter().map(|v| v.as_int()).collect()
}

#[test]
fn map_values_go_to_the_tape_and_to_memory_and_hash_to_their_key() {
    let values: Vec<Felt> = (1..=16u64).map(|v| Felt::new(v * 1000 + 1)).collect();
    let key = hash_elements(&values);
    let map = AdviceMap::new(vec![(key, values.clone())]).unwrap();
    // the key on the stack; its 16 values piped to memory from address 100, hashed there and
    // compared with the key
    let source = "use.std::crypto::rescue
        begin
            adv.push_mapval push.100 adv_pipe adv_pipe drop
            push.16 push.100 exec.rescue::hash_memory
            movup.4 assert_eq movup.3 assert_eq movup.2 assert_eq assert_eq
            push.100 mem_load push.103 mem_loadw
        end";
    let inputs = ProgramInputs::new(key.to_vec(), vec![]).unwrap().with_advice_map(map.clone());
    let (out, _) = run(source, &inputs, 5).unwrap();
    // lane 0 of word 100 is the first value; word 103 is values 12..16, lane 0 on top
    assert_eq!(out, [13001, 14001, 15001, 16001, 1001]);
    // values that do not hash to the key are refused by the program, not by the hint
    let mut other = values.clone();
    other[5] = Felt::new(5);
    let bad = AdviceMap::new(vec![(key, other)]).unwrap();
    let inputs = ProgramInputs::new(key.to_vec(), vec![]).unwrap().with_advice_map(bad);
    assert!(matches!(run(source, &inputs, 5), Err(ExecutionError::AssertionFailed { .. })));
    // no entry under the key: the hint says so, at the instruction after it
    let inputs = ProgramInputs::new(w(3).to_vec(), vec![]).unwrap().with_advice_map(map);
    let e = run(source, &inputs, 5).unwrap_err();
    assert!(matches!(e, ExecutionError::HintFailed { index: 0, hint: "adv.push_mapval", .. }), "{e}");
    assert!(e.to_string().contains("no values under the key"), "{e}");
}

#[test]
fn push_mapvaln_gives_the_count_first_and_hints_go_before_what_is_left() {
    let map = AdviceMap::new(vec![(w(1), vec![Felt::new(5), Felt::new(6), Felt::new(7)])]).unwrap();
    let inputs = ProgramInputs::new(w(1).to_vec(), vec![Felt::new(99)]).unwrap().with_advice_map(map);
    // the hint's values come before the rest of the tape
    let (out, _) = run("begin adv.push_mapvaln dropw read read read read read end", &inputs, 5).unwrap();
    assert_eq!(out, [99, 7, 6, 5, 3]);
    // a hint as the last thing in a block, or before a control block, still runs there
    let (out, _) = run("begin push.1 if.true adv.push_mapval end read end", &inputs, 1).unwrap();
    assert_eq!(out, [5]);
    let (out, _) = run("begin adv.push_mapval push.1 while.true read push.0 end end", &inputs, 1).unwrap();
    assert_eq!(out, [5]);
    // the key must be a word on the stack
    let inputs = ProgramInputs::new(vec![Felt::new(1)], vec![]).unwrap();
    assert!(matches!(run("begin adv.push_mapval end", &inputs, 1), Err(ExecutionError::HintFailed { .. })));
}

#[test]
fn hints_do_not_change_the_program_hash() {
    let a = assemble("begin push.1 adv.push_mapval drop mtree_verify.3 emit.u64div end").unwrap();
    let b = assemble("begin push.1 drop mtree_verify.3 end").unwrap();
    assert_eq!(a.hash(), b.hash());
    assert_ne!(a, b, "the programs differ in their hints");
}

#[test]
fn merkle_store_paths_at_depth_3_and_64() {
    let leaves: Vec<Word> = (0..8).map(w).collect();
    let mut store = MerkleStore::new();
    let root3 = store.add_tree(&leaves).unwrap();
    let big = [(0u64, w(1)), (0xFFFF_FFFE_FFFF_FFFF, w(2)), (0xFFFF_FFFF_0000_0000, w(3)), (1 << 40, w(4))];
    let root64 = store.add_sparse(64, &big).unwrap();
    let inputs = |s: Vec<Felt>| ProgramInputs::new(s, vec![]).unwrap().with_merkle_store(store.clone());
    for (i, leaf) in leaves.iter().enumerate() {
        let (out, _) = run("begin mtree_get.3 end", &inputs(stack(None, i as u64, &root3)), 9).unwrap();
        assert_eq!(out, stack(Some(leaf), i as u64, &root3).iter().map(|v| v.as_int()).collect::<Vec<_>>());
    }
    // the largest index below p, and an empty leaf, at depth 64
    for (i, leaf) in big.iter().chain(&[(12345, [Felt::new(0); 4])]) {
        let (out, _) = run("begin mtree_get.64 end", &inputs(stack(None, *i, &root64)), 4).unwrap();
        assert_eq!(out, ints(leaf), "index {i}");
        let (out, _) = run("begin mtree_verify.64 dropw drop end", &inputs(stack(Some(leaf), *i, &root64)), 4).unwrap();
        assert_eq!(out, ints(&root64));
    }
    // a wrong leaf at depth 64 is refused
    let e = run("begin mtree_verify.64 end", &inputs(stack(Some(&w(9)), 0, &root64)), 4).unwrap_err();
    assert!(matches!(e, ExecutionError::AssertionFailed { .. }), "{e}");
    // depth 40: the index must be below 2^40
    let mut s40 = MerkleStore::new();
    let root40 = s40.add_sparse(40, &[((1 << 40) - 1, w(8))]).unwrap();
    let i40 = |s| ProgramInputs::new(s, vec![]).unwrap().with_merkle_store(s40.clone());
    let (out, _) = run("begin mtree_get.40 end", &i40(stack(None, (1 << 40) - 1, &root40)), 4).unwrap();
    assert_eq!(out, ints(&w(8)));
    // index 2^40 has no path in this tree: the hint gives nothing and the tape runs out
    assert!(run("begin mtree_get.40 end", &i40(stack(None, 1 << 40, &root40)), 4).is_err());
}

#[test]
fn mtree_set_updates_the_store_for_the_next_get() {
    let mut store = MerkleStore::new();
    let root = store.add_sparse(64, &[(7, w(70))]).unwrap();
    let inputs = ProgramInputs::new(stack(Some(&w(5)), 1 << 50, &root), vec![]).unwrap().with_merkle_store(store);
    // set leaf 2^50 to w(5), then get leaf 7 and leaf 2^50 from the new root
    let source = format!(
        "begin mtree_set.64 push.7 mtree_get.64 movup.4 drop dup.7 dup.7 dup.7 dup.7 push.{} mtree_get.64 movup.4 drop end",
        1u64 << 50
    );
    let (out, _) = run(&source, &inputs, 12).unwrap();
    let mut expected_root = MerkleStore::new();
    let new_root = expected_root.add_sparse(64, &[(7, w(70)), (1 << 50, w(5))]).unwrap();
    assert_eq!(&out[..4], ints(&w(5)));
    assert_eq!(&out[4..8], ints(&new_root));
    assert_eq!(&out[8..12], ints(&w(70)));
}

#[test]
fn paths_come_from_the_tape_when_the_store_does_not_know_the_root() {
    // the depth-1 tree [a, b]: its path is the sibling, lane 3 first
    let (a, b) = (w(1), w(2));
    let root = merge(&a, &b);
    let secret: Vec<Felt> = b.iter().rev().copied().collect();
    let inputs = ProgramInputs::new(stack(Some(&a), 0, &root), secret).unwrap();
    let (out, _) = run("begin mtree_verify.1 dropw drop end", &inputs, 4).unwrap();
    assert_eq!(out, ints(&root));
    // the store knows the empty trees of every depth without being told
    let empty = empty_roots()[64];
    let inputs = ProgramInputs::new(stack(None, 99, &empty), vec![]).unwrap();
    let (out, _) = run("begin mtree_get.64 end", &inputs, 4).unwrap();
    assert_eq!(out, [0; 4]);
}

#[test]
fn u64div_gives_a_quotient_and_remainder_the_program_can_check() {
    let split = |x: u64| [Felt::new(x & 0xffff_ffff), Felt::new(x >> 32)];
    for (a, b) in [(100u64, 7u64), (u64::MAX, 3), (5, u64::MAX), (1 << 40, 1 << 33)] {
        // b on top: [b_hi, b_lo, a_hi, a_lo]
        let public: Vec<Felt> = split(b).into_iter().rev().chain(split(a).into_iter().rev()).collect();
        let inputs = ProgramInputs::new(public, vec![]).unwrap();
        let (out, _) = run("begin emit.u64div dropw read read read read end", &inputs, 4).unwrap();
        let (q, r) = (a / b, a % b);
        assert_eq!(out, [r >> 32, r & 0xffff_ffff, q >> 32, q & 0xffff_ffff], "{a} / {b}");
    }
    let inputs = ProgramInputs::new(vec![Felt::new(0); 4], vec![]).unwrap();
    let e = run("begin emit.u64div end", &inputs, 4).unwrap_err();
    assert!(e.to_string().contains("division by zero"), "{e}");
    let inputs =
        ProgramInputs::new(vec![Felt::new(1 << 32), Felt::new(0), Felt::new(0), Felt::new(1)], vec![]).unwrap();
    assert!(matches!(run("begin emit.u64div end", &inputs, 4), Err(ExecutionError::HintFailed { .. })));
}

#[test]
fn hints_alone_cannot_fill_memory_past_what_the_cycles_left_can_read() {
    // 2,000 values a hint, 10,000 hints in 16 cycles: refused once the tape holds more values
    // than the 2^24 cycles could ever read
    let map = AdviceMap::new(vec![(w(1), vec![Felt::new(1); 2000])]).unwrap();
    let inputs = ProgramInputs::new(w(1).to_vec(), vec![]).unwrap().with_advice_map(map);
    let program = assemble("begin repeat.10000 adv.push_mapval end dropw end").unwrap();
    let e = execute(&program, &inputs).unwrap_err();
    assert!(e.to_string().contains("more than the"), "{e}");
    // a hint that ends its span is reported after the instruction before it
    let program = assemble("begin push.1 drop adv.push_mapval if.true push.9 end end").unwrap();
    let inputs = ProgramInputs::new(vec![Felt::new(1); 5], vec![]).unwrap();
    let e = execute(&program, &inputs).unwrap_err();
    assert!(matches!(e, ExecutionError::HintFailed { index: 1, position: "after", .. }), "{e}");
}
