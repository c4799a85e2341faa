//! Proofs the prover made (`tests/data`, reproduced byte for byte by the prover's
//! `tests/golden.rs`), verified here: every AIR variant, both presets, both hashes, with and
//! without hiding. They are the verifier's known answers: a change to anything the prover and
//! the verifier share (the transcript, the constraints at z, the DEEP formula, the degree
//! correction, the shape of a proof) breaks them, which no proof made through the changed code
//! could show.

use std::path::PathBuf;

use distaff_air::{ProcessorAir, PublicInputs, Variant, MAX_INITIAL_MEMORY, MAX_OUTPUTS, MAX_PUBLIC_INPUTS};
use distaff_math::{Felt, StarkField};
use distaff_verifier::{verify_air, verify_bytes, verify_claim, verify_claim_bytes, Proof, VerificationError};

fn load(name: &str) -> (PublicInputs, Vec<u8>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let bytes = std::fs::read(dir.join(format!("{name}.proof"))).unwrap();
    let text = std::fs::read_to_string(dir.join(format!("{name}.claim"))).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let list = |s: &str| -> Vec<Felt> {
        s.split(',').filter(|x| !x.is_empty()).map(|x| Felt::new(x.parse().unwrap())).collect()
    };
    let hash = list(lines[0]);
    let memory = lines
        .get(3)
        .map(|m| {
            m.split(';')
                .filter(|x| !x.is_empty())
                .map(|w| {
                    let (a, v) = w.split_once(':').unwrap();
                    let v = list(v);
                    (a.parse().unwrap(), [v[0], v[1], v[2], v[3]])
                })
                .collect()
        })
        .unwrap_or_default();
    let mut claim = PublicInputs::new([hash[0], hash[1], hash[2], hash[3]], list(lines[1]), list(lines[2]));
    claim.memory = memory;
    (claim, bytes)
}

const CASES: [(&str, Variant, bool, u32); 8] = [
    ("straight-line", Variant::StraightLine, false, 96),
    ("straight-line-hiding", Variant::StraightLine, true, 96),
    ("control", Variant::Control, false, 96),
    ("control-hiding-128", Variant::Control, true, 128),
    ("memory", Variant::Memory, false, 128),
    ("memory-hiding", Variant::Memory, true, 96),
    ("bitwise", Variant::Bitwise, false, 96),
    ("bitwise-hiding", Variant::Bitwise, true, 96),
];

#[test]
fn the_golden_proofs_verify_against_their_claims() {
    for (name, variant, hiding, bits) in CASES {
        let (claim, bytes) = load(name);
        let proof = Proof::from_bytes(&bytes).unwrap();
        assert_eq!(proof.options.hiding, hiding, "{name}");
        assert_eq!(proof.to_bytes(), bytes, "{name}: the encoding round-trips");
        let got = verify_claim_bytes(&claim, &bytes, bits).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(got >= bits && got <= bits + 3, "{name}: {got} bits");
        // the entry points agree, and the claim's variant is the proof's
        let air = ProcessorAir::with_variant(claim.clone(), proof.trace_length().unwrap(), variant);
        assert_eq!(verify_air(&air, &proof, bits), Ok(got), "{name}");
        assert_eq!(verify_claim(&claim, &proof, bits), Ok(got), "{name}");
        if claim.memory.is_empty() {
            assert_eq!(verify_bytes(&claim.program_hash, &claim.inputs, &claim.outputs, &bytes, bits), Ok(got));
        }
        // one bit more than the proof offers is refused
        assert_eq!(
            verify_claim_bytes(&claim, &bytes, got + 1),
            Err(VerificationError::InsufficientSecurity { bits: got, required: got + 1 })
        );
        // the other variants' AIRs refuse it (a claim with initial memory is always the memory
        // variant's)
        for other in [Variant::StraightLine, Variant::Control, Variant::Memory, Variant::Bitwise] {
            if other != variant && claim.memory.is_empty() {
                let air = ProcessorAir::with_variant(claim.clone(), proof.trace_length().unwrap(), other);
                assert!(verify_air(&air, &proof, bits).is_err(), "{name} as {other:?}");
            }
        }
    }
}

#[test]
fn the_golden_proofs_refuse_every_other_claim() {
    for (name, _, _, bits) in CASES {
        let (claim, bytes) = load(name);
        let wrong = |edit: &dyn Fn(&mut PublicInputs)| {
            let mut c = claim.clone();
            edit(&mut c);
            verify_claim_bytes(&c, &bytes, bits)
        };
        for k in 0..4 {
            assert!(wrong(&|c| c.program_hash[k] += Felt::new(1)).is_err(), "{name}: hash {k}");
        }
        assert!(wrong(&|c| c.outputs[0] += Felt::new(1)).is_err(), "{name}");
        assert!(wrong(&|c| c.outputs.push(Felt::new(0))).is_err(), "{name}");
        assert!(wrong(&|c| c.inputs.push(Felt::new(0))).is_err(), "{name}");
        if !claim.inputs.is_empty() {
            assert!(wrong(&|c| c.inputs[0] += Felt::new(1)).is_err(), "{name}");
            assert!(wrong(&|c| {
                c.inputs.pop();
            })
            .is_err());
        }
        if !claim.memory.is_empty() {
            assert!(wrong(&|c| c.memory[0].1[0] += Felt::new(1)).is_err(), "{name}");
            assert!(wrong(&|c| c.memory[1].1[3] += Felt::new(1)).is_err(), "{name}");
            assert!(wrong(&|c| c.memory[0].0 += 1).is_err(), "{name}");
            assert!(wrong(&|c| {
                c.memory.pop();
            })
            .is_err());
            assert_eq!(wrong(&|c| c.memory.swap(0, 1)), Err(VerificationError::MemoryNotSorted), "{name}");
            assert!(wrong(&|c| c.memory.clear()).is_err(), "{name}: without its initial memory");
        } else {
            // a claim with initial memory needs a proof of the memory variant
            assert!(wrong(&|c| c.memory.push((5, [Felt::new(1); 4]))).is_err(), "{name}");
        }
        // claims larger than any execution's
        assert!(matches!(wrong(&|c| c.inputs = vec![Felt::new(0); 17]), Err(VerificationError::ClaimTooLarge { .. })));
        assert!(matches!(wrong(&|c| c.outputs = vec![Felt::new(0); 17]), Err(VerificationError::ClaimTooLarge { .. })));
    }
}

#[test]
fn claims_at_the_size_limits_are_read_and_one_item_more_is_refused() {
    // (a claim at a limit is read, and refused for what it says; one item more is refused for
    // its size, before anything else is looked at)
    let (claim, bytes) = load("straight-line");
    let proof = Proof::from_bytes(&bytes).unwrap();
    let with = |edit: &dyn Fn(&mut PublicInputs)| {
        let mut c = claim.clone();
        edit(&mut c);
        verify_claim(&c, &proof, 96)
    };
    let (inputs, outputs) = (claim.inputs.len(), claim.outputs.len());
    assert_eq!(with(&|c| c.inputs = vec![Felt::new(0); MAX_PUBLIC_INPUTS]), Err(VerificationError::ConstraintCheck));
    assert_eq!(
        with(&|c| c.inputs = vec![Felt::new(0); MAX_PUBLIC_INPUTS + 1]),
        Err(VerificationError::ClaimTooLarge { inputs: MAX_PUBLIC_INPUTS + 1, outputs })
    );
    assert_eq!(with(&|c| c.outputs = vec![Felt::new(0); MAX_OUTPUTS]), Err(VerificationError::ConstraintCheck));
    assert_eq!(
        with(&|c| c.outputs = vec![Felt::new(0); MAX_OUTPUTS + 1]),
        Err(VerificationError::ClaimTooLarge { inputs, outputs: MAX_OUTPUTS + 1 })
    );
    // (every word at address 0: not in increasing order, which is checked after the size)
    assert_eq!(
        with(&|c| c.memory = vec![(0, [Felt::new(0); 4]); MAX_INITIAL_MEMORY]),
        Err(VerificationError::MemoryNotSorted)
    );
    assert_eq!(
        with(&|c| c.memory = vec![(0, [Felt::new(0); 4]); MAX_INITIAL_MEMORY + 1]),
        Err(VerificationError::ClaimTooLarge { inputs, outputs })
    );
}

#[test]
fn changed_bytes_of_the_golden_proofs_are_rejected() {
    for (name, _, _, bits) in CASES {
        let (claim, bytes) = load(name);
        for i in (0..bytes.len()).step_by(1601) {
            let mut t = bytes.clone();
            t[i] ^= 1 << (i % 8);
            assert!(verify_claim_bytes(&claim, &t, bits).is_err(), "{name}: byte {i}");
        }
        // the header's hiding flag, either way
        let mut t = bytes.clone();
        t[13] ^= 1;
        assert!(verify_claim_bytes(&claim, &t, bits).is_err(), "{name}: the flag");
    }
}

// --- receipts: the golden proofs with their claims ----------------------------------------

use distaff_verifier::receipt::{check_expected, RECEIPT_MAGIC};
use distaff_verifier::{verify_receipt, verify_receipt_bytes, Expected, Receipt, ReceiptError};

fn receipt(name: &str) -> Receipt {
    let (claim, bytes) = load(name);
    Receipt { claim, proof: Proof::from_bytes(&bytes).unwrap() }
}

#[test]
fn receipts_round_trip_and_verify_on_their_own_and_against_their_claim() {
    for (name, _, _, bits) in CASES {
        let r = receipt(name);
        let bytes = r.to_bytes().unwrap();
        assert!(Receipt::is_receipt(&bytes) && !Receipt::is_receipt(&r.proof.to_bytes()), "{name}");
        assert_eq!(Receipt::from_bytes(&bytes).as_ref(), Ok(&r), "{name}");
        let (claim, got) = verify_receipt_bytes(&bytes, &Expected::default(), bits).unwrap();
        assert_eq!(claim, r.claim, "{name}");
        assert!(got >= bits, "{name}");
        assert_eq!(verify_receipt(&r, &Expected::exactly(&r.claim), bits), Ok(got), "{name}");
        // exactly means every part: another claim differs somewhere
        let mut other = r.claim.clone();
        other.outputs[0] += Felt::new(1);
        assert!(matches!(verify_receipt(&r, &Expected::exactly(&other), bits), Err(ReceiptError::Mismatch(_))));
        let mut other = r.claim.clone();
        other.memory.push((u32::MAX, [Felt::new(1); 4]));
        assert!(matches!(verify_receipt(&r, &Expected::exactly(&other), bits), Err(ReceiptError::Mismatch(_))));
    }
}

#[test]
fn a_receipt_whose_claim_was_edited_is_rejected() {
    // with no expectations the carried claim is all there is: the proof must show it
    for (name, _, _, bits) in CASES {
        let r = receipt(name);
        let mut edits: Vec<Receipt> = Vec::new();
        let mut e = r.clone();
        e.claim.outputs[0] += Felt::new(1);
        edits.push(e);
        let mut e = r.clone();
        e.claim.program_hash[2] += Felt::new(1);
        edits.push(e);
        let mut e = r.clone();
        e.claim.inputs.push(Felt::new(0));
        edits.push(e);
        let mut e = r.clone();
        match e.claim.memory.first_mut() {
            Some(word) => word.1[0] += Felt::new(1),
            None => e.claim.memory.push((0, [Felt::new(1), Felt::new(0), Felt::new(0), Felt::new(0)])),
        }
        edits.push(e);
        for (i, edited) in edits.iter().enumerate() {
            let result = verify_receipt_bytes(&edited.to_bytes().unwrap(), &Expected::default(), bits);
            assert!(matches!(result, Err(ReceiptError::Verification(_))), "{name} edit {i}: {result:?}");
        }
    }
}

#[test]
fn an_expectation_that_differs_is_named_before_the_proof_is_checked() {
    let r = receipt("straight-line");
    let c = &r.claim;
    let six = [Felt::new(6)];
    let err = check_expected(c, &Expected { outputs: Some(&six), ..Default::default() }).unwrap_err();
    assert_eq!(err.what, "outputs");
    assert_eq!(err.expected, "6");
    let in_proof: Vec<String> = c.outputs.iter().map(|x| x.as_int().to_string()).collect();
    assert_eq!(err.in_proof, in_proof.join(","));
    // the message presents the claim as proven only once the proof has shown it
    let proven = verify_receipt(&r, &Expected { outputs: Some(&six), ..Default::default() }, 96).unwrap_err();
    assert_eq!(proven.to_string(), format!("outputs differ: the proof is for {}, you expected 6", in_proof.join(",")));
    let other_hash = [Felt::new(1), Felt::new(2), Felt::new(3), Felt::new(4)];
    let err = check_expected(c, &Expected { program_hash: Some(&other_hash), ..Default::default() }).unwrap_err();
    assert_eq!(err.what, "program hashes");
    assert_eq!(err.in_proof, distaff_air::program::hash_to_hex(&c.program_hash));
    let err = check_expected(c, &Expected { inputs: Some(&[]), ..Default::default() }).unwrap_err();
    assert_eq!((err.what, err.expected.as_str()), ("public inputs", "none"));
    let word = [(16, [Felt::new(7), Felt::new(0), Felt::new(0), Felt::new(0)])];
    let err = check_expected(c, &Expected { memory: Some(&word), ..Default::default() }).unwrap_err();
    assert_eq!(
        (err.what, err.in_proof.as_str(), err.expected.as_str()),
        ("initial memories", "no initial memory", "{16: [7,0,0,0]}")
    );
    // a mismatch is reported as one, even with a proof that would not verify
    let mut broken = r.clone();
    broken.proof.pow_nonce ^= 1;
    let result = verify_receipt(&broken, &Expected { outputs: Some(&six), ..Default::default() }, 96);
    let Err(ReceiptError::Mismatch(m)) = result else { panic!("{result:?}") };
    assert!(!m.proof_holds);
    assert_eq!(
        m.to_string(),
        format!(
            "outputs differ: the receipt claims (and its proof does not show) {}, you expected 6",
            in_proof.join(",")
        )
    );
    assert!(matches!(verify_receipt(&broken, &Expected::default(), 96), Err(ReceiptError::Verification(_))));
}

#[test]
fn hostile_receipts_are_refused_without_panics_or_large_allocations() {
    let r = receipt("memory");
    let bytes = r.to_bytes().unwrap();
    // every prefix (a sample of them) ends early
    for len in (0..bytes.len()).step_by(97).chain([bytes.len() - 1]) {
        assert!(Receipt::from_bytes(&bytes[..len]).is_err(), "prefix {len}");
    }
    let malformed = |b: &[u8]| matches!(Receipt::from_bytes(b), Err(ReceiptError::Malformed(_)));
    let mut extra = bytes.clone();
    extra.push(0);
    assert!(malformed(&extra), "a byte after the proof");
    let mut version = bytes.clone();
    version[RECEIPT_MAGIC.len()] = 2;
    assert!(malformed(&version));
    // the first hash element, not below p (p itself, the smallest such value)
    let mut big = bytes.clone();
    big[9..17].copy_from_slice(&Felt::MODULUS.to_le_bytes());
    assert!(malformed(&big));
    big[9..17].copy_from_slice(&(Felt::MODULUS - 1).to_le_bytes());
    assert!(!malformed(&big), "p - 1 is a field element");
    // counts beyond the limits or the bytes left: refused before anything is read for them
    let at_inputs = 9 + 32;
    let mut many = bytes.clone();
    many[at_inputs] = 17;
    assert!(malformed(&many));
    let at_memory = at_inputs + 1 + 8 * r.claim.inputs.len() + 1 + 8 * r.claim.outputs.len();
    assert!(!r.claim.memory.is_empty());
    for count in [u32::MAX, (1 << 20) + 1, (1 << 20) - 1] {
        let mut huge = bytes.clone();
        huge[at_memory..at_memory + 4].copy_from_slice(&count.to_le_bytes());
        assert!(malformed(&huge), "{count}");
    }
    let at_proof_len = at_memory + 4 + 36 * r.claim.memory.len();
    let mut long = bytes.clone();
    long[at_proof_len..at_proof_len + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(malformed(&long));
    // addresses must increase: a second word at the first word's address, or below it
    let mut twice = r.clone();
    let first = twice.claim.memory[0];
    twice.claim.memory.insert(1, first);
    assert!(malformed(&twice.to_bytes().unwrap()));
    let mut down = r.clone();
    down.claim.memory.swap(0, 1);
    assert!(malformed(&down.to_bytes().unwrap()));
    // a memory count one over the limit, with the bytes to back it, is refused by the limit
    let mut over = Vec::new();
    over.extend_from_slice(&bytes[..at_memory]);
    over.extend_from_slice(&((1u32 << 20) + 1).to_le_bytes());
    for a in 0..(1u32 << 20) + 1 {
        over.extend_from_slice(&a.to_le_bytes());
        over.extend_from_slice(&[0; 32]);
    }
    over.extend_from_slice(&bytes[at_proof_len..]);
    assert_eq!(
        Receipt::from_bytes(&over),
        Err(ReceiptError::Malformed("more initial memory words than a claim holds"))
    );
    // a claim over the limits is not encoded
    let mut wide = r.clone();
    wide.claim.outputs = vec![Felt::new(0); 17];
    assert!(wide.to_bytes().is_err());
}

#[test]
fn the_largest_receipt_is_max_receipt_bytes_long() {
    use distaff_verifier::proof::MAX_PROOF_BYTES;
    use distaff_verifier::receipt::MAX_RECEIPT_BYTES;
    // the largest claim, encoded, with a proof of MAX_PROOF_BYTES in place of the golden one
    let mut r = receipt("memory");
    r.claim.inputs = vec![Felt::new(1); MAX_PUBLIC_INPUTS];
    r.claim.outputs = vec![Felt::new(2); MAX_OUTPUTS];
    r.claim.memory = (0..MAX_INITIAL_MEMORY as u32).map(|a| (a, [Felt::new(3); 4])).collect();
    let bytes = r.to_bytes().unwrap();
    let proof_len = r.proof.to_bytes().len();
    assert_eq!(bytes.len() - proof_len + MAX_PROOF_BYTES, MAX_RECEIPT_BYTES);
    // and such a claim decodes
    assert_eq!(Receipt::from_bytes(&bytes).map(|d| d.claim.memory.len()), Ok(MAX_INITIAL_MEMORY));
    // one item more in any part is not encoded
    let mut more = r.clone();
    more.claim.inputs.push(Felt::new(1));
    assert!(more.to_bytes().is_err());
    let mut more = r.clone();
    more.claim.outputs.push(Felt::new(1));
    assert!(more.to_bytes().is_err());
    let mut more = r;
    more.claim.memory.push((u32::MAX, [Felt::new(1); 4]));
    assert!(more.to_bytes().is_err());
}

#[test]
fn a_memory_mismatch_shows_four_words_and_counts_the_rest() {
    let words = |n: u32| -> Vec<(u32, [Felt; 4])> { (0..n).map(|a| (a, [Felt::new(a as u64 + 1); 4])).collect() };
    let mut claim = PublicInputs::new([Felt::new(0); 4], vec![], vec![]);
    for (n, shown) in [
        (4, "{0: [1,1,1,1], 1: [2,2,2,2], 2: [3,3,3,3], 3: [4,4,4,4]}"),
        (5, "{0: [1,1,1,1], 1: [2,2,2,2], 2: [3,3,3,3], 3: [4,4,4,4]} and 1 more words"),
        (7, "{0: [1,1,1,1], 1: [2,2,2,2], 2: [3,3,3,3], 3: [4,4,4,4]} and 3 more words"),
    ] {
        claim.memory = words(n);
        let err = check_expected(&claim, &Expected { memory: Some(&[]), ..Default::default() }).unwrap_err();
        assert_eq!((err.in_proof.as_str(), err.expected.as_str()), (shown, "no initial memory"), "{n} words");
    }
}
