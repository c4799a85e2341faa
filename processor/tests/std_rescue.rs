//! The standard library's `std::crypto::rescue::hash_memory` against winter-crypto's
//! `Rp64_256::hash_elements`, at every length across several rate blocks, with whatever the
//! memory holds past the elements, and its cycles.

use distaff_assembly::assemble;
use distaff_math::Felt;
use distaff_processor::{execute, ProgramInputs};
use winter_crypto::hashers::Rp64_256;
use winter_crypto::ElementHasher;

/// Hashes `n` elements of the words given from `addr` on; the final stack, top first, and
/// the cycles.
fn hash_memory(n: usize, addr: u32, words: &[[u64; 4]]) -> (Vec<u64>, usize) {
    let program = assemble(&format!("use.std::crypto::rescue begin push.{n} push.{addr} exec.rescue::hash_memory end"));
    let memory = words.iter().enumerate().map(|(i, w)| (addr + i as u32, w.map(Felt::new))).collect();
    let inputs = ProgramInputs::new(vec![], vec![]).unwrap().with_memory(memory).unwrap();
    let out = execute(&program.unwrap(), &inputs).unwrap();
    (out.stack.iter().map(|x| x.as_int()).collect(), out.cycles)
}

#[test]
fn hash_memory_is_hash_elements() {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % 0xFFFF_FFFF_0000_0001
    };
    for n in 0..=41usize {
        // whole words, the last one (and one more) filled past the n elements
        let words: Vec<[u64; 4]> = (0..n / 4 + 2).map(|_| [next(), next(), next(), next()]).collect();
        let elements: Vec<Felt> = words.iter().flatten().take(n).map(|v| Felt::new(*v)).collect();
        let expected: Vec<u64> = Rp64_256::hash_elements(&elements).as_elements().iter().map(|e| e.as_int()).collect();
        for addr in [0u32, 1000] {
            let (stack, _) = hash_memory(n, addr, &words);
            assert_eq!(&stack[..4], &expected[..], "n = {n}, addr = {addr}");
            assert!(stack[4..].iter().all(|v| *v == 0), "n = {n}: the stack holds only the digest");
        }
    }
}

/// The cycles docs/isa.md and the module give: the whole program `push.N push.ADDR
/// exec.rescue::hash_memory`, as executed (span padding and control flow included).
#[test]
fn hash_memory_costs_what_the_docs_say() {
    for n in [0usize, 1, 7, 8, 9, 16, 63, 64, 1024] {
        let words = vec![[1u64, 2, 3, 4]; n / 4 + 2];
        let expected = 128 + 112 * (n / 8) + if n % 8 > 0 { 120 } else { 0 };
        assert_eq!(hash_memory(n, 0, &words).1, expected, "n = {n}");
    }
    let doc = include_str!("../../docs/isa.md").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        doc.contains("128 cycles for n = 0, then 112 for each 8 elements and 120 for a last 1 to 7"),
        "docs/isa.md"
    );
}
