//! The standard library's hashes against their reference crates: `std::crypto::sha256`
//! against `sha2` and the NIST vectors, `std::crypto::blake3` against `blake3`; and their
//! cycle counts.

use distaff_assembly::assemble;
use distaff_math::Felt;
use distaff_processor::{execute, ExecutionError, ProgramInputs};

/// Runs `code` with `use.std::crypto::MODULE`, the public inputs (first on top) and the memory
/// words (lane 0) from address 0; the final stack's top 8 values and the cycles.
fn run_in(module: &str, code: &str, public: &[u64], memory: &[u64]) -> Result<(Vec<u64>, usize), ExecutionError> {
    let program = assemble(&format!("use.std::crypto::{module} begin {code} end")).unwrap_or_else(|e| panic!("{e}"));
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

/// The module's text with white space collapsed and the comment marks dropped (for finding
/// the cycle counts its comments state, across line breaks).
fn comments(source: &str) -> String {
    source.split_whitespace().filter(|w| *w != "#").collect::<Vec<_>>().join(" ")
}

mod sha256 {
    use super::*;
    use sha2::{Digest, Sha256};

    /// Big-endian u32 words of bytes (a multiple of 4).
    fn words(bytes: &[u8]) -> Vec<u64> {
        bytes.chunks(4).map(|c| u32::from_be_bytes(c.try_into().unwrap()) as u64).collect()
    }

    fn run(code: &str, public: &[u64], memory: &[u64]) -> Result<(Vec<u64>, usize), ExecutionError> {
        run_in("sha256", code, public, memory)
    }

    #[test]
    fn hash_2to1_is_sha256_of_64_bytes() {
        for seed in [0u8, 1, 0xAB] {
            let message: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(37).wrapping_add(seed)).collect();
            let expected = words(&Sha256::digest(&message));
            let (digest, cycles) = run("exec.sha256::hash_2to1", &words(&message), &[]).unwrap();
            assert_eq!(digest, expected, "seed {seed}");
            println!("hash_2to1: {cycles} cycles");
        }
    }

    /// FIPS 180-4's one-block example, "abc", padded by hand, through one compression.
    #[test]
    fn compress_gives_the_nist_digest_of_abc() {
        let mut block = [0u8; 64];
        block[..3].copy_from_slice(b"abc");
        block[3] = 0x80;
        block[63] = 24;
        let (digest, _) = run("exec.sha256::init push.0 exec.sha256::compress", &[], &words(&block)).unwrap();
        assert_eq!(digest, words(&hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")),);
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    /// `hash_memory` of n bytes stored from address 5, with other bytes in the last word past
    /// them, against sha2.
    fn hash_memory(message: &[u8]) -> (Vec<u64>, usize) {
        let mut bytes = message.to_vec();
        // garbage past the message in its last word
        while !bytes.len().is_multiple_of(4) {
            bytes.push(0xA5);
        }
        let mut memory = vec![7u64; 5];
        memory.extend(words(&bytes));
        run(&format!("push.{} push.5 exec.sha256::hash_memory", message.len()), &[], &memory).unwrap()
    }

    #[test]
    fn hash_memory_is_sha256_at_every_padding_case() {
        // the NIST examples: "abc", the empty message, and 448 and 896 bits
        let nist = [
            (&b"abc"[..], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (b"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            (
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            ),
            (
                b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
            ),
        ];
        for (message, digest) in nist {
            assert_eq!(hash_memory(message).0, words(&hex(digest)), "{}", String::from_utf8_lossy(message));
        }
        // every remainder mod 4 and both sides of the 56-byte boundary, with full blocks before
        for n in [1usize, 2, 3, 4, 5, 54, 55, 56, 57, 63, 64, 65, 119, 120, 128] {
            let message: Vec<u8> = (0..n).map(|i| (i * 131 + 17) as u8).collect();
            assert_eq!(hash_memory(&message).0, words(&Sha256::digest(&message)), "n = {n}");
        }
    }

    #[test]
    fn cycle_counts_are_those_documented() {
        let source = include_str!("../../assembly/std/crypto/sha256.dasm");
        let documented = |name: &str| -> usize {
            let at = source.find(&format!("export.{name}")).unwrap();
            let text = source[..at].rsplit(" cycles.").nth(1).and_then(|t| t.rsplit(' ').next()).unwrap();
            text.replace(',', "").parse().unwrap()
        };
        let (_, compress) = run("push.0 exec.sha256::compress", &[0; 8], &[0; 16]).unwrap();
        assert_eq!(compress, documented("compress.66"), "compress");
        let (_, two_to_one) = run("exec.sha256::hash_2to1", &[0; 16], &[]).unwrap();
        assert_eq!(two_to_one, documented("hash_2to1"), "hash_2to1");
        // hash_memory: per full block, per word of the tail, a partial word, a second tail block
        let formula = |n: usize| {
            8_824
                + 8_400 * (n / 64)
                + 32 * (n % 64 / 4)
                + 24 * usize::from(!n.is_multiple_of(4))
                + 8_376 * usize::from(n % 64 >= 56)
        };
        for n in [0usize, 3, 4, 55, 56, 63, 64, 119, 120, 130] {
            assert_eq!(hash_memory(&vec![1u8; n]).1, formula(n), "n = {n}");
        }
        let doc = comments(source);
        assert!(
            doc.contains("8,824 + 8,400·⌊n/64⌋ + 32·⌊(n mod 64)/4⌋ + 24·[n mod 4 ≠ 0] + 8,376·[n mod 64 ≥ 56]"),
            "the module's formula"
        );
    }
}

mod blake3_tests {
    use super::*;

    /// Little-endian u32 words of bytes (a multiple of 4).
    fn words(bytes: &[u8]) -> Vec<u64> {
        bytes.chunks(4).map(|c| u32::from_le_bytes(c.try_into().unwrap()) as u64).collect()
    }

    fn run(code: &str, public: &[u64], memory: &[u64]) -> Result<(Vec<u64>, usize), ExecutionError> {
        run_in("blake3", code, public, memory)
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
        let source = comments(include_str!("../../assembly/std/crypto/blake3.dasm"));
        let (_, compress) = run("push.11 push.64 push.0 push.0 push.1 push.2 push.3 push.4 push.5 push.6 push.7 push.8 push.0 exec.blake3::compress", &[], &[0; 16]).unwrap();
        assert!(
            source.contains(&format!("exec.blake3::compress`: {} cycles.", thousands(compress))),
            "compress: {compress}"
        );
        let (_, two_to_one) = run("exec.blake3::hash_2to1", &[0; 16], &[]).unwrap();
        assert!(
            source.contains(&format!("One compression: {} cycles.", thousands(two_to_one))),
            "hash_2to1: {two_to_one}"
        );
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
}
