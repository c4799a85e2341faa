//! Receipts: a proof with the claim it was made for.
//!
//! A bare [`Proof`] says nothing of its claim: the verifier must be handed the program hash,
//! the public inputs, the initial memory and the outputs, and if any of them differs from what
//! the prover proved, all it can say is that a check failed. A [`Receipt`] carries the claim
//! beside the proof, so that
//!
//! * it verifies on its own ([`verify_receipt`] with [`Expected::default`], which expects
//!   nothing): the claim it returns is then what the proof shows. **That says nothing of which
//!   program ran on which inputs**: a receipt of any program verifies so. A caller that
//!   trusts a result for a program must expect its hash, and its inputs (an unset part of
//!   [`Expected`] is not checked; [`Expected::exactly`] expects a whole claim);
//! * every expectation the caller has is compared with the carried claim first, and a
//!   difference is named precisely ([`Mismatch`]: "outputs differ: the proof is for
//!   20365011074, you expected 6"; "the receipt claims …" when its proof does not hold
//!   either).
//!
//! Editing the carried claim does not help a forger: the proof is verified against exactly
//! that claim, so a receipt verifies only for the claim its proof was made for.
//!
//! The claim's size is the attacker's choice up to the limits (2^20 memory words: a 52 MB
//! receipt). Binding it to the transcript and to the memory argument costs the verifier time
//! linear in it (about a second for 2^20 words under `Rp64_256`) before any Merkle path is
//! checked; a caller that accepts receipts from strangers may cap the memory it expects.
//!
//! Encoding (version 1, little-endian): the magic `DSTFRCPT`, the version byte, the program
//! hash (4 field elements), the number of public inputs (a byte, at most 16) and the inputs,
//! the number of outputs (a byte, at most 16) and the outputs, the number of initial memory
//! words (4 bytes, at most 2^20) and per word its address (4 bytes, strictly increasing) and
//! its 4 elements, the proof's length (4 bytes, at most [`MAX_PROOF_BYTES`]) and the proof
//! ([`Proof::to_bytes`]), and nothing after it. Every field element must be canonical (below
//! p): nothing is reduced silently. A length is checked against its limit and against the bytes
//! left before anything is allocated for it.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use distaff_air::{PublicInputs, Word, MAX_INITIAL_MEMORY, MAX_OUTPUTS, MAX_PUBLIC_INPUTS};
use distaff_math::{Felt, StarkField};

use crate::proof::MAX_PROOF_BYTES;
use crate::{Proof, VerificationError};

/// The first bytes of a receipt.
pub const RECEIPT_MAGIC: [u8; 8] = *b"DSTFRCPT";

/// The receipt encoding's version.
pub const RECEIPT_VERSION: u8 = 1;

/// The largest receipt: the header, the largest claim and the largest proof.
pub const MAX_RECEIPT_BYTES: usize = RECEIPT_MAGIC.len()
    + 1
    + 32
    + 1
    + 8 * MAX_PUBLIC_INPUTS
    + 1
    + 8 * MAX_OUTPUTS
    + 4
    + 36 * MAX_INITIAL_MEMORY
    + 4
    + MAX_PROOF_BYTES;

/// A proof with the claim it was made for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The claim: program hash, public inputs, outputs and initial memory.
    pub claim: PublicInputs,
    /// The STARK proof of the claim.
    pub proof: Proof,
}

/// What a caller expects of a receipt's claim; `None` expects nothing of that part (so
/// `Expected::default()` accepts a receipt of any program, on any inputs: see the module docs).
#[derive(Clone, Copy, Debug, Default)]
pub struct Expected<'a> {
    /// The program hash.
    pub program_hash: Option<&'a Word>,
    /// The public inputs (the initial stack, top first).
    pub inputs: Option<&'a [Felt]>,
    /// The outputs (the final stack's top, top first).
    pub outputs: Option<&'a [Felt]>,
    /// The initial memory (address, word), in increasing address order.
    pub memory: Option<&'a [(u32, [Felt; 4])]>,
}

impl<'a> Expected<'a> {
    /// Expects exactly `claim`: its program hash, public inputs, outputs and initial memory.
    pub fn exactly(claim: &'a PublicInputs) -> Self {
        Expected {
            program_hash: Some(&claim.program_hash),
            inputs: Some(&claim.inputs),
            outputs: Some(&claim.outputs),
            memory: Some(&claim.memory),
        }
    }
}

/// A part of the carried claim that differs from what the caller expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{what} differ: {} {in_proof}, you expected {expected}", if *.proof_holds { "the proof is for" } else { "the receipt claims (and its proof does not show)" })]
pub struct Mismatch {
    /// `program hashes`, `public inputs`, `outputs` or `initial memories`.
    pub what: &'static str,
    /// The carried claim's part, written out.
    pub in_proof: String,
    /// The expectation, written out.
    pub expected: String,
    /// Whether the receipt's proof shows its own claim (checked after the mismatch is found,
    /// so that the message does not present a forged claim as proven).
    pub proof_holds: bool,
}

/// Why a receipt was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// The bytes are not a receipt.
    #[error("malformed receipt: {0}")]
    Malformed(&'static str),
    /// The carried claim is not the one expected (`proof_holds` says whether its proof shows
    /// it).
    #[error(transparent)]
    Mismatch(#[from] Mismatch),
    /// The proof does not show the carried claim.
    #[error(transparent)]
    Verification(#[from] VerificationError),
}

impl Receipt {
    /// Whether `bytes` start like a receipt (rather than a bare proof).
    pub fn is_receipt(bytes: &[u8]) -> bool {
        bytes.starts_with(&RECEIPT_MAGIC)
    }

    /// The receipt's encoding (see the module docs); `Malformed` if the claim exceeds what a
    /// claim may hold (more than 16 inputs or outputs, 2^20 memory words: no proof shows it).
    pub fn to_bytes(&self) -> Result<Vec<u8>, ReceiptError> {
        let c = &self.claim;
        if c.inputs.len() > MAX_PUBLIC_INPUTS || c.outputs.len() > MAX_OUTPUTS || c.memory.len() > MAX_INITIAL_MEMORY {
            return Err(ReceiptError::Malformed("the claim exceeds the limits of a claim"));
        }
        let proof = self.proof.to_bytes();
        let mut out =
            Vec::with_capacity(64 + 8 * (c.inputs.len() + c.outputs.len()) + 36 * c.memory.len() + proof.len());
        out.extend_from_slice(&RECEIPT_MAGIC);
        out.push(RECEIPT_VERSION);
        let felt = |out: &mut Vec<u8>, x: &Felt| out.extend_from_slice(&x.as_int().to_le_bytes());
        c.program_hash.iter().for_each(|x| felt(&mut out, x));
        out.push(c.inputs.len() as u8);
        c.inputs.iter().for_each(|x| felt(&mut out, x));
        out.push(c.outputs.len() as u8);
        c.outputs.iter().for_each(|x| felt(&mut out, x));
        out.extend_from_slice(&(c.memory.len() as u32).to_le_bytes());
        for (address, word) in &c.memory {
            out.extend_from_slice(&address.to_le_bytes());
            word.iter().for_each(|x| felt(&mut out, x));
        }
        out.extend_from_slice(&(proof.len() as u32).to_le_bytes());
        out.extend_from_slice(&proof);
        Ok(out)
    }

    /// Decodes a receipt, refusing anything but the exact encoding of one (see the module
    /// docs).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ReceiptError> {
        let mut r = Reader(bytes);
        if r.take(RECEIPT_MAGIC.len())? != RECEIPT_MAGIC {
            return Err(ReceiptError::Malformed("not a receipt (no DSTFRCPT header)"));
        }
        if r.u8()? != RECEIPT_VERSION {
            return Err(ReceiptError::Malformed("unknown receipt version"));
        }
        let program_hash = [r.felt()?, r.felt()?, r.felt()?, r.felt()?];
        let n = r.u8()? as usize;
        let n = r.count(n, MAX_PUBLIC_INPUTS, 8, "more public inputs than the stack holds")?;
        let inputs = (0..n).map(|_| r.felt()).collect::<Result<Vec<_>, _>>()?;
        let n = r.u8()? as usize;
        let n = r.count(n, MAX_OUTPUTS, 8, "more outputs than the stack holds")?;
        let outputs = (0..n).map(|_| r.felt()).collect::<Result<Vec<_>, _>>()?;
        let n = r.u32()? as usize;
        let n = r.count(n, MAX_INITIAL_MEMORY, 36, "more initial memory words than a claim holds")?;
        let mut memory = Vec::with_capacity(n);
        for _ in 0..n {
            let address = r.u32()?;
            if memory.last().is_some_and(|(last, _)| *last >= address) {
                return Err(ReceiptError::Malformed("initial memory addresses are not strictly increasing"));
            }
            memory.push((address, [r.felt()?, r.felt()?, r.felt()?, r.felt()?]));
        }
        let len = r.u32()? as usize;
        let len = r.count(len, MAX_PROOF_BYTES, 1, "the proof is longer than a proof may be")?;
        let proof_bytes = r.take(len)?;
        if !r.0.is_empty() {
            return Err(ReceiptError::Malformed("bytes after the proof"));
        }
        let proof = Proof::from_bytes(proof_bytes).map_err(VerificationError::from)?;
        let mut claim = PublicInputs::new(program_hash, inputs, outputs);
        claim.memory = memory;
        Ok(Receipt { claim, proof })
    }
}

/// Checks a receipt: first that its claim is the one `expected` (each part given), then that
/// its proof shows that claim with at least `min_security_bits` of conjectured security.
/// Returns the proof's conjectured security.
pub fn verify_receipt(receipt: &Receipt, expected: &Expected<'_>, min_security_bits: u32) -> Result<u32, ReceiptError> {
    let verified = || crate::verify_claim(&receipt.claim, &receipt.proof, min_security_bits);
    if let Err(mut mismatch) = check_expected(&receipt.claim, expected) {
        mismatch.proof_holds = verified().is_ok();
        return Err(mismatch.into());
    }
    Ok(verified()?)
}

/// [`verify_receipt`] on a receipt's encoding; returns the claim it carries and the proof's
/// conjectured security.
pub fn verify_receipt_bytes(
    bytes: &[u8],
    expected: &Expected<'_>,
    min_security_bits: u32,
) -> Result<(PublicInputs, u32), ReceiptError> {
    let receipt = Receipt::from_bytes(bytes)?;
    let bits = verify_receipt(&receipt, expected, min_security_bits)?;
    Ok((receipt.claim, bits))
}

/// The first part of `claim` that differs from an expectation, named (with `proof_holds`
/// false: this compares claims only).
pub fn check_expected(claim: &PublicInputs, expected: &Expected<'_>) -> Result<(), Mismatch> {
    let list = |v: &[Felt]| {
        if v.is_empty() {
            String::from("none")
        } else {
            v.iter().map(|x| format!("{}", x.as_int())).collect::<Vec<_>>().join(",")
        }
    };
    let hash = distaff_air::program::hash_to_hex;
    let memory = |m: &[(u32, [Felt; 4])]| {
        if m.is_empty() {
            return String::from("no initial memory");
        }
        let words: Vec<String> = m.iter().take(4).map(|(a, w)| format!("{a}: [{}]", list(w))).collect();
        let more = if m.len() > 4 { format!(" and {} more words", m.len() - 4) } else { String::new() };
        format!("{{{}}}{more}", words.join(", "))
    };
    // the first part expected that differs, written out by `show`
    fn differs<T: PartialEq + ?Sized>(
        what: &'static str,
        expected: Option<&T>,
        actual: &T,
        show: impl Fn(&T) -> String,
    ) -> Result<(), Mismatch> {
        match expected {
            Some(e) if e != actual => {
                Err(Mismatch { what, in_proof: show(actual), expected: show(e), proof_holds: false })
            }
            _ => Ok(()),
        }
    }
    differs("program hashes", expected.program_hash, &claim.program_hash, hash)?;
    differs("public inputs", expected.inputs, claim.inputs.as_slice(), list)?;
    differs("outputs", expected.outputs, claim.outputs.as_slice(), list)?;
    differs("initial memories", expected.memory, claim.memory.as_slice(), memory)
}

/// Reads a receipt's fields, refusing to run past its end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ReceiptError> {
        if self.0.len() < n {
            return Err(ReceiptError::Malformed("the receipt ends early"));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8, ReceiptError> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, ReceiptError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn felt(&mut self) -> Result<Felt, ReceiptError> {
        let b = self.take(8)?;
        let v = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        if v >= Felt::MODULUS {
            return Err(ReceiptError::Malformed("a field element is not below p"));
        }
        Ok(Felt::new(v))
    }

    /// `n`, if it is at most `max` and its items (`size` bytes each) fit in the bytes left.
    fn count(&self, n: usize, max: usize, size: usize, why: &'static str) -> Result<usize, ReceiptError> {
        if n > max {
            return Err(ReceiptError::Malformed(why));
        }
        if n.saturating_mul(size) > self.0.len() {
            return Err(ReceiptError::Malformed("the receipt ends early"));
        }
        Ok(n)
    }
}
