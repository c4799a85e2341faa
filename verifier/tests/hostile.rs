//! Hostile proof bytes: the verifier rejects them without panicking, without large
//! allocations, without work out of proportion to the options, and accepts exactly one
//! encoding of every proof.

mod support;

use distaff_air::{Air, ConstraintSink, Value};
use distaff_math::{Felt, QuadFelt, MODULUS};
use distaff_verifier::proof::{max_merkle_proof_bytes, MAX_COLUMNS};
use distaff_verifier::{verify_air, DecodeError, HashFunction, Proof, ProofOptions, VerificationError};
use support::*;
use winter_crypto::hashers::{Blake3_256, Rp64_256};

fn honest(hash: HashFunction, n: usize) -> (FibAir, Proof) {
    let (air, columns) = FibAir::honest(n);
    let options = ProofOptions::with_96_bit_security(hash);
    let proof = match hash {
        HashFunction::Blake3_256 => {
            prove_model::<QuadFelt, Blake3_256<Felt>, _, _>(&air, &columns, &options, &mut Honest)
        }
        HashFunction::Rp64_256 => prove_model::<QuadFelt, Rp64_256, _, _>(&air, &columns, &options, &mut Honest),
    };
    assert_eq!(verify_air(&air, &proof, 96), Ok(96));
    (air, proof)
}

fn verify_bytes<A: Air>(air: &A, bytes: &[u8]) -> Result<u32, String> {
    let proof = Proof::from_bytes(bytes).map_err(|e| e.to_string())?;
    verify_air(air, &proof, 96).map_err(|e| e.to_string())
}

/// The byte offset of the FRI section (its layer count) in an encoded proof.
fn fri_section(proof: &Proof) -> usize {
    let mut t = proof.clone();
    t.fri_layers.clear();
    t.fri_remainder.clear();
    t.pow_nonce = 0;
    let prefix = t.to_bytes();
    // everything before the layer count is the same in both encodings
    let bytes = proof.to_bytes();
    bytes.iter().zip(&prefix).position(|(a, b)| a != b).unwrap()
}

#[test]
fn every_byte_of_the_fri_section_set_to_any_of_several_values_is_rejected_without_panic() {
    // (the byte that winter-fri's FriProof read as a partition count, 2^byte, is gone: the FRI
    // section is our own encoding; every byte of it is tried with values that overflowed or
    // misled the old decoders)
    let (air, proof) = honest(HashFunction::Blake3_256, 2048);
    let bytes = proof.to_bytes();
    let start = fri_section(&proof);
    let layers: usize = proof.fri_layers.iter().map(|l| 8 + 8 * l.values.len() + l.merkle_proof.len()).sum();
    let end = start + 1 + layers + 4 + 8 * proof.fri_remainder.len();
    let mut tried = 0;
    for i in (start..end).step_by(29) {
        for v in [0x00u8, 0x01, 0x40, 0x80, 0xFF] {
            if bytes[i] == v {
                continue;
            }
            let mut t = bytes.clone();
            t[i] = v;
            assert!(verify_bytes(&air, &t).is_err(), "byte {i} set to {v:#x} accepted");
            tried += 1;
        }
    }
    assert!(tried > 4 * (end - start) / 29 - 10, "{tried}");
}

#[test]
fn sections_longer_than_the_options_allow_are_refused_before_they_are_read() {
    let (_, proof) = honest(HashFunction::Blake3_256, 2048);
    // a flooded FRI layer: more values than 27 queries can open, with the bytes to back them
    let mut t = proof.clone();
    t.fri_layers[0].values = vec![Felt::new(1); 27 * 8 * 2 + 1];
    assert_eq!(
        Proof::from_bytes(&t.to_bytes()),
        Err(DecodeError::SectionTooLong { what: "FRI layer", max: 27 * 8 * 2, got: 27 * 8 * 2 + 1 })
    );
    // flooded openings and out-of-domain rows
    let mut t = proof.clone();
    t.trace_openings.values = vec![Felt::new(1); 27 * (MAX_COLUMNS + 1) * 2 + 1];
    assert!(matches!(
        Proof::from_bytes(&t.to_bytes()),
        Err(DecodeError::SectionTooLong { what: "trace openings", .. })
    ));
    let mut t = proof.clone();
    t.ood_trace_current = vec![Felt::new(1); (MAX_COLUMNS + 1) * 2 + 1];
    assert!(matches!(Proof::from_bytes(&t.to_bytes()), Err(DecodeError::SectionTooLong { .. })));
    // a Merkle proof longer than one of 27 openings in a tree of the LDE's depth can be
    let mut t = proof.clone();
    let max = max_merkle_proof_bytes(27, 14);
    t.trace_openings.merkle_proof = vec![0; max + 1];
    assert!(matches!(Proof::from_bytes(&t.to_bytes()), Err(DecodeError::SectionTooLong { .. })));
    // a remainder longer than the last layer allows
    let mut t = proof.clone();
    t.fri_remainder.extend_from_slice(&[Felt::new(0), Felt::new(0)]);
    assert!(matches!(Proof::from_bytes(&t.to_bytes()), Err(DecodeError::SectionTooLong { what: "FRI remainder", .. })));
    // a layer count other than the options imply
    let mut t = proof.clone();
    t.fri_layers.push(t.fri_layers[0].clone());
    assert_eq!(Proof::from_bytes(&t.to_bytes()), Err(DecodeError::Invalid("number of FRI layers")));
    // a length field of 2^32 − 1 anywhere is refused before anything is allocated for it
    let bytes = proof.to_bytes();
    for at in (0..bytes.len() - 4).step_by(11) {
        let mut t = bytes.clone();
        t[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let _ = Proof::from_bytes(&t);
    }
}

#[test]
fn a_rescue_root_in_a_non_canonical_encoding_is_rejected() {
    // winter-crypto reads a Rescue digest's four elements with Felt::new, which reduces a value
    // of p or more: an element v < 2^32 − 1 can also be written v + p. Honest roots have such
    // small elements with probability 2^-30, so the test writes an element ≥ p (which reads
    // as another digest, and is refused as not canonical rather than later as a mismatch).
    let (air, proof) = honest(HashFunction::Rp64_256, 64);
    for root in 0..3 {
        let mut t = proof.clone();
        let r = match root {
            0 => &mut t.trace_root,
            1 => &mut t.composition_root,
            _ => &mut t.fri_roots[0],
        };
        r[..8].copy_from_slice(&(MODULUS + 5).to_le_bytes());
        assert_eq!(verify_air(&air, &t, 96), Err(VerificationError::MalformedProof("commitment")), "root {root}");
    }
}

#[test]
fn merkle_proofs_with_an_extra_node_or_a_long_integer_encoding_are_rejected() {
    let (air, proof) = honest(HashFunction::Blake3_256, 64);
    // the encoding: depth (u8), node-vector count (vint), then each vector: length (vint), nodes
    let bytes = &proof.trace_openings.merkle_proof;
    assert_eq!(bytes[0], 9);
    // an extra node at the end of the last vector: its length byte is the last one before
    // its nodes; rebuild the encoding with one more node there
    let mut reader = winter_utils::SliceReader::new(bytes);
    let decoded =
        <distaff_verifier::merkle::BoundedBatchProof<Blake3_256<Felt>> as winter_utils::Deserializable>::read_from(
            &mut reader,
        )
        .unwrap();
    let count = decoded.0.nodes.len();
    let mut padded = decoded;
    let extra = padded.0.nodes[0][0];
    padded.0.nodes.last_mut().unwrap().push(extra);
    let mut t = proof.clone();
    t.trace_openings.merkle_proof = winter_utils::Serializable::to_bytes(&padded);
    assert_eq!(verify_air(&air, &t, 96), Err(VerificationError::MalformedProof("trace openings")));
    // the same opening with the vector count written in two bytes instead of one
    assert!(count < 64);
    let mut long = vec![bytes[0]];
    // winter's vint: the number of trailing zero bits of the first byte + 1 is the length
    long.extend_from_slice(&(((count as u16) << 2) | 0b10).to_le_bytes());
    long.extend_from_slice(&bytes[2..]);
    let mut t = proof.clone();
    t.trace_openings.merkle_proof = long;
    assert_eq!(verify_air(&air, &t, 96), Err(VerificationError::MalformedProof("trace openings")));
    // the honest bytes still verify
    assert_eq!(verify_air(&air, &proof, 96), Ok(96));
}

#[test]
fn options_the_protocol_cannot_run_are_refused() {
    let (air, proof) = honest(HashFunction::Blake3_256, 64);
    // a remainder bound below the folding factor leaves the remainder without coefficients
    let mut t = proof.clone();
    t.options.fri_remainder_max_degree = 3;
    assert!(matches!(verify_air(&air, &t, 0), Err(VerificationError::Options(_))));
    assert!(matches!(Proof::from_bytes(&t.to_bytes()), Err(DecodeError::Options(_))));
    // trace lengths outside the range, read from the bytes
    for log_n in [0u8, 5, 29, 40, 64, 255] {
        let mut t = proof.clone();
        t.trace_length_log2 = log_n;
        assert_eq!(Proof::from_bytes(&t.to_bytes()), Err(DecodeError::TraceLength(log_n)));
        assert_eq!(verify_air(&air, &t, 96), Err(VerificationError::TraceLength(log_n)));
    }
}

#[test]
fn every_header_field_out_of_range_has_its_own_error() {
    let (_, proof) = honest(HashFunction::Blake3_256, 64);
    let bytes = proof.to_bytes();
    let with = |at: usize, v: u8| {
        let mut t = bytes.clone();
        t[at] = v;
        Proof::from_bytes(&t)
    };
    // magic, version, hash, extension, blowup, queries, grinding, folding, remainder (u16),
    // flags, log n
    assert_eq!(with(0, b'X'), Err(DecodeError::BadMagic));
    assert_eq!(Proof::from_bytes(&bytes[..3]), Err(DecodeError::BadMagic));
    assert_eq!(with(4, 2), Err(DecodeError::Version(2)));
    assert_eq!(with(5, 2), Err(DecodeError::Invalid("hash function")));
    assert_eq!(with(6, 4), Err(DecodeError::Invalid("field extension")));
    assert_eq!(with(7, 9), Err(DecodeError::Invalid("blowup or folding factor")));
    assert_eq!(with(7, 2), Err(DecodeError::Options(distaff_verifier::OptionsError::Blowup(4))));
    assert_eq!(with(8, 0), Err(DecodeError::Options(distaff_verifier::OptionsError::Queries(0))));
    assert_eq!(with(9, 33), Err(DecodeError::Options(distaff_verifier::OptionsError::Grinding(33))));
    assert_eq!(with(10, 9), Err(DecodeError::Invalid("blowup or folding factor")));
    assert_eq!(with(10, 5), Err(DecodeError::Options(distaff_verifier::OptionsError::Folding(32))));
    assert_eq!(with(13, 2), Err(DecodeError::Invalid("flags")));
    assert_eq!(with(14, 5), Err(DecodeError::TraceLength(5)));
    // the auxiliary flag, the number of FRI commitments and of FRI layers
    assert_eq!(with(15 + 32, 2), Err(DecodeError::Invalid("auxiliary segment flag")));
    let mut t = proof.clone();
    t.fri_roots.push([0; 32]);
    assert_eq!(Proof::from_bytes(&t.to_bytes()), Err(DecodeError::Invalid("number of FRI commitments")));
    let mut t = proof.clone();
    t.fri_layers.push(
        t.fri_layers.first().cloned().unwrap_or(distaff_verifier::Openings { values: vec![], merkle_proof: vec![] }),
    );
    assert_eq!(Proof::from_bytes(&t.to_bytes()), Err(DecodeError::Invalid("number of FRI layers")));
    // a proof over the size limit, and one byte too many
    assert_eq!(
        Proof::from_bytes(&vec![0; distaff_verifier::proof::MAX_PROOF_BYTES + 1]),
        Err(DecodeError::TooLarge(distaff_verifier::proof::MAX_PROOF_BYTES + 1))
    );
    let mut t = bytes.clone();
    t.push(0);
    assert_eq!(Proof::from_bytes(&t), Err(DecodeError::TrailingBytes(1)));
    // a value that is not a canonical field element
    // (the first out-of-domain value: header 15, trace root 32, auxiliary flag 1, composition
    // root 32, column count 1, vector length 4)
    let mut b = bytes.clone();
    let at = 15 + 32 + 1 + 32 + 1 + 4;
    assert_eq!(&b[at..at + 8], &proof.ood_trace_current[0].as_int().to_le_bytes());
    b[at..at + 8].copy_from_slice(&MODULUS.to_le_bytes());
    assert_eq!(Proof::from_bytes(&b), Err(DecodeError::NonCanonical));
}

#[test]
fn the_decoder_s_bounds_are_exact() {
    let (fib, proof) = honest(HashFunction::Blake3_256, 2048);
    let bytes = proof.to_bytes();
    // the size limit: a proof of exactly MAX_PROOF_BYTES is read (and refused for what it
    // holds), one byte more is refused for its size
    let max = distaff_verifier::proof::MAX_PROOF_BYTES;
    assert_eq!(Proof::from_bytes(&vec![0; max]), Err(DecodeError::BadMagic));
    // the largest blowup and folding exponents read (refused as options), one more refused as
    // invalid
    let with = |at: usize, v: u8| {
        let mut t = bytes.clone();
        t[at] = v;
        Proof::from_bytes(&t)
    };
    assert_eq!(with(7, 8), Err(DecodeError::Options(distaff_verifier::OptionsError::Blowup(256))));
    assert_eq!(with(10, 8), Err(DecodeError::Options(distaff_verifier::OptionsError::Folding(256))));
    // an out-of-domain row of exactly (MAX_COLUMNS + 1)·e elements decodes, one more does not
    let row = (MAX_COLUMNS + 1) * 2;
    let mut t = proof.clone();
    t.ood_trace_current = vec![Felt::new(1); row];
    assert!(Proof::from_bytes(&t.to_bytes()).is_ok());
    t.ood_trace_current.push(Felt::new(1));
    assert_eq!(
        Proof::from_bytes(&t.to_bytes()),
        Err(DecodeError::SectionTooLong { what: "out-of-domain trace row", max: row, got: row + 1 })
    );
    // a FRI layer's Merkle proof: at most what 27 openings in the layer's tree can take
    for (layer, depth) in [(0usize, 14 - 3), (1, 14 - 6)] {
        let bound = max_merkle_proof_bytes(27, depth);
        let mut t = proof.clone();
        t.fri_layers[layer].merkle_proof = vec![0; bound];
        assert!(Proof::from_bytes(&t.to_bytes()).is_ok(), "layer {layer}");
        t.fri_layers[layer].merkle_proof.push(0);
        assert_eq!(
            Proof::from_bytes(&t.to_bytes()),
            Err(DecodeError::SectionTooLong { what: "FRI layer", max: bound, got: bound + 1 }),
            "layer {layer}"
        );
    }
    // a remainder of a coefficient too few, with the counts it should have had
    let mut t = proof.clone();
    let len = t.fri_remainder.len();
    t.fri_remainder.truncate(len - 2);
    assert_eq!(
        verify_air(&fib, &t, 96),
        Err(VerificationError::Shape { what: "FRI remainder", expected: len, got: len - 2 })
    );
}

#[test]
fn parts_of_the_wrong_size_are_refused_with_the_counts_expected() {
    // (a proof built as a value, not decoded: the decoder would refuse most of these first)
    let (fib, proof) = honest(HashFunction::Blake3_256, 64);
    // one composition column of quadratic-extension elements: 2 values at z, not 3
    let mut t = proof.clone();
    t.ood_composition.push(Felt::new(1));
    assert_eq!(
        verify_air(&fib, &t, 96),
        Err(VerificationError::Shape { what: "out-of-domain composition row", expected: 2, got: 3 })
    );
    // no auxiliary segment: no auxiliary values at z, and neither its root nor its openings
    let mut t = proof.clone();
    t.ood_aux_current = vec![Felt::new(1); 2];
    assert_eq!(
        verify_air(&fib, &t, 96),
        Err(VerificationError::Shape { what: "out-of-domain auxiliary row at z", expected: 0, got: 2 })
    );
    let mut t = proof.clone();
    t.aux_openings = Some(t.trace_openings.clone());
    assert_eq!(
        verify_air(&fib, &t, 96),
        Err(VerificationError::MalformedProof("auxiliary segment present or missing"))
    );
    // one FRI commitment per layer and one for the remainder
    let mut t = proof.clone();
    let roots = t.fri_roots.len();
    t.fri_roots.push([0; 32]);
    assert_eq!(
        verify_air(&fib, &t, 96),
        Err(VerificationError::Shape { what: "FRI commitments", expected: roots, got: roots + 1 })
    );
    assert_eq!(verify_air(&fib, &proof, 96), Ok(96));
}

/// [`FibAir`] with periodic columns its constraints ignore (the proof is the same).
struct Periodic(FibAir, Vec<Vec<Felt>>);

impl Air for Periodic {
    fn trace_length(&self) -> usize {
        self.0.trace_length()
    }
    fn main_width(&self) -> usize {
        self.0.main_width()
    }
    fn periodic_columns(&self) -> Vec<Vec<Felt>> {
        self.1.clone()
    }
    fn public_elements(&self) -> Vec<Felt> {
        self.0.public_elements()
    }
    fn evaluate_main<V: Value, S: ConstraintSink<V>>(&self, cur: &[V], nxt: &[V], periodic: &[V], sink: &mut S) {
        self.0.evaluate_main(cur, nxt, periodic, sink)
    }
    fn evaluate_main_boundary<V: Value, S: ConstraintSink<V>>(&self, first: &[V], last: &[V], sink: &mut S) {
        self.0.evaluate_main_boundary(first, last, sink)
    }
}

#[test]
fn periodic_columns_must_have_power_of_two_periods_up_to_the_trace_length() {
    let (fib, proof) = honest(HashFunction::Blake3_256, 64);
    let with = |periods: &[usize]| {
        let columns = periods.iter().map(|&p| (1..=p as u64).map(Felt::new).collect()).collect();
        verify_air(&Periodic(FibAir { n: fib.n, result: fib.result }, columns), &proof, 96)
    };
    assert_eq!(with(&[1, 2, 64]), Ok(96));
    for bad in [[3], [0], [128], [96]] {
        assert_eq!(with(&[2, bad[0]]), Err(VerificationError::PeriodicColumns), "period {}", bad[0]);
    }
}
