//! The standard library's `std::crypto::blake3` against the `blake3` crate, and its cycle
//! counts.

use distaff_assembly::assemble;
use distaff_math::Felt;
use distaff_processor::{execute, ExecutionError, ProgramInputs};

/// Little-endian u32 words of bytes (a multiple of 4).
fn words(bytes: &[u8]) -> Vec<u64> {
    bytes.chunks(4).map(|c| u32::from_le_bytes(c.try_into().unwrap()) as u64).collect()
}

fn run(code: &str, public: &[u64], memory: &[u64]) -> Result<(Vec<u64>, usize), ExecutionError> {
    let program = assemble(&format!("use.std::crypto::blake3 begin {code} end")).unwrap_or_else(|e| panic!("{e}"));
    let memory = memory
        .iter()
        .enumerate()
        .map(|(i, w)| (i as u32, [Felt::new(*w), Felt::new(0), Felt::new(0), Felt::new(0)]))
        .collect();
    let inputs = ProgramInputs::new(public.iter().map(|v| Felt::new(*v)).collect(), vec![])
        .unwrap()
        .with_memory(memory)
        .unwrap();
    let out = execute(&program, &inputs)?;
    Ok((out.stack.iter().take(8).map(|v| v.as_int()).collect(), out.cycles))
}

#[test]
fn hash_2to1_is_blake3_s_root_parent_node() {
    for seed in [0u8, 7, 200] {
        let left: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(29).wrapping_add(seed));
        let right: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(53) ^ seed);
        let expected = blake3::hazmat::merge_subtrees_root(&left, &right, blake3::hazmat::Mode::Hash);
        let public: Vec<u64> = words(&left).into_iter().chain(words(&right)).collect();
        let (digest, cycles) = run("exec.blake3::hash_2to1", &public, &[]).unwrap();
        assert_eq!(digest, words(expected.as_bytes()), "seed {seed}");
        println!("hash_2to1 {cycles}");
    }
}

/// `hash_memory` of the bytes stored from address 3, with other bytes past them in their
/// last word.
fn hash_memory(message: &[u8]) -> (Vec<u64>, usize) {
    let mut bytes = message.to_vec();
    while !bytes.len().is_multiple_of(4) {
        bytes.push(0x5A);
    }
    let mut memory = vec![9u64; 3];
    memory.extend(words(&bytes));
    run(&format!("push.{} push.3 exec.blake3::hash_memory", message.len()), &[], &memory).unwrap()
}

#[test]
fn hash_memory_is_blake3_at_every_length_class() {
    // empty, partial words, one block, several blocks, one chunk, several chunks (the tree
    // of chaining values: 2, 3 and 4 chunks)
    for n in [0usize, 1, 3, 4, 63, 64, 65, 1023, 1024, 1025, 2048, 2049, 3073] {
        let message: Vec<u8> = (0..n).map(|i| (i * 7 + i / 256) as u8).collect();
        let (digest, cycles) = hash_memory(&message);
        assert_eq!(digest, words(blake3::hash(&message).as_bytes()), "n = {n}");
        println!("n = {n}: {cycles}");
    }
}

#[test]
fn cycle_counts_are_those_documented() {
    let source = include_str!("../../assembly/std/crypto/blake3.dasm")
        .split_whitespace()
        .filter(|w| *w != "#")
        .collect::<Vec<_>>()
        .join(" ");
    let (_, compress) = run("push.11 push.64 push.0 push.0 push.1 push.2 push.3 push.4 push.5 push.6 push.7 push.8 push.0 exec.blake3::compress", &[], &[0; 16]).unwrap();
    assert!(
        source.contains(&format!("exec.blake3::compress`: {} cycles.", thousands(compress))),
        "compress: {compress}"
    );
    let (_, two_to_one) = run("exec.blake3::hash_2to1", &[0; 16], &[]).unwrap();
    assert!(source.contains(&format!("One compression: {} cycles.", thousands(two_to_one))), "hash_2to1: {two_to_one}");
    let (_, kib) = hash_memory(&[1u8; 1024]);
    assert!(source.contains(&format!("exec.blake3::hash_memory` takes {}.", thousands(kib))), "hash_memory: {kib}");
}

/// 1234567 as "1,234,567".
fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
