//! The proof object and its byte format.
//!
//! Decoding never trusts a length field: every vector length is checked against the bytes
//! that remain before anything is allocated, every field element must be canonical, and the
//! decoder rejects trailing bytes. The format starts with the magic `DSTF` and a version byte.

use alloc::vec::Vec;

use distaff_math::{Felt, MODULUS};
use winter_fri::FriProof;
use winter_utils::{Deserializable, Serializable, SliceReader};

use crate::options::{FieldExtension, HashFunction, ProofOptions};

/// Magic bytes opening every proof.
pub const MAGIC: &[u8; 4] = b"DSTF";
/// Version of the proof format (and of the protocol it encodes).
pub const FORMAT_VERSION: u8 = 1;
/// Largest proof we accept, in bytes.
pub const MAX_PROOF_BYTES: usize = 64 << 20;

/// The values opened at the queried positions of one committed matrix, with their batch
/// Merkle proof (serialized; decoded by the verifier with bounded reads).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Openings {
    /// Row values at the query positions (base-field elements; extension elements flattened).
    pub values: Vec<Felt>,
    /// Serialized batch Merkle proof.
    pub merkle_proof: Vec<u8>,
}

/// A STARK proof that a program with a given hash, run on given public inputs, produced
/// given outputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// The options the proof was made with.
    pub options: ProofOptions,
    /// log2 of the trace length.
    pub trace_length_log2: u8,
    /// Root of the trace LDE commitment.
    pub trace_root: [u8; 32],
    /// Root of the auxiliary segment's LDE commitment (AIRs with an auxiliary segment only).
    pub aux_root: Option<[u8; 32]>,
    /// Root of the composition-polynomial commitment.
    pub composition_root: [u8; 32],
    /// Number of composition columns.
    pub num_composition_columns: u8,
    /// Trace polynomials at the out-of-domain point z (extension elements, flattened).
    pub ood_trace_current: Vec<Felt>,
    /// Trace polynomials at z·g.
    pub ood_trace_next: Vec<Felt>,
    /// Auxiliary columns at z (extension elements, flattened; empty without an auxiliary segment).
    pub ood_aux_current: Vec<Felt>,
    /// Auxiliary columns at z·g.
    pub ood_aux_next: Vec<Felt>,
    /// Composition columns at z.
    pub ood_composition: Vec<Felt>,
    /// Roots of the FRI layers (and the hash of the remainder), in order.
    pub fri_roots: Vec<[u8; 32]>,
    /// The FRI proof (winter-fri).
    pub fri_proof: FriProof,
    /// Proof-of-work nonce.
    pub pow_nonce: u64,
    /// Trace openings.
    pub trace_openings: Openings,
    /// Auxiliary-segment openings (AIRs with an auxiliary segment only).
    pub aux_openings: Option<Openings>,
    /// Composition openings.
    pub composition_openings: Openings,
}

/// Why bytes do not decode as a proof.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not a Distaff proof.
    #[error("not a Distaff proof (bad magic bytes)")]
    BadMagic,
    /// Made by another version.
    #[error("proof format version {0} is not supported (this verifier reads version {FORMAT_VERSION})")]
    Version(u8),
    /// Ended early.
    #[error("the proof is truncated")]
    Truncated,
    /// Larger than any valid proof.
    #[error("the proof is {0} bytes, more than the {MAX_PROOF_BYTES} accepted")]
    TooLarge(usize),
    /// A field is invalid.
    #[error("invalid proof field: {0}")]
    Invalid(&'static str),
    /// A field element is not canonical.
    #[error("a value in the proof is not a canonical field element")]
    NonCanonical,
    /// Extra bytes at the end.
    #[error("the proof has {0} unexpected trailing bytes")]
    TrailingBytes(usize),
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::Truncated)?;
        let s = self.bytes.get(self.pos..end).ok_or(DecodeError::Truncated)?;
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, DecodeError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        let mut a = [0u8; 4];
        a.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(a))
    }
    fn u64(&mut self) -> Result<u64, DecodeError> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }
    fn digest(&mut self) -> Result<[u8; 32], DecodeError> {
        let mut a = [0u8; 32];
        a.copy_from_slice(self.take(32)?);
        Ok(a)
    }
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }
    /// A u32 count of `item_size`-byte items, checked against the remaining bytes.
    fn count(&mut self, item_size: usize) -> Result<usize, DecodeError> {
        let n = self.u32()? as usize;
        if n.checked_mul(item_size).is_none_or(|b| b > self.remaining()) {
            return Err(DecodeError::Truncated);
        }
        Ok(n)
    }
    fn felts(&mut self) -> Result<Vec<Felt>, DecodeError> {
        let n = self.count(8)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let v = self.u64()?;
            if v >= MODULUS {
                return Err(DecodeError::NonCanonical);
            }
            out.push(Felt::new(v));
        }
        Ok(out)
    }
    fn blob(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.count(1)?;
        self.take(n)
    }
}

fn put_felts(out: &mut Vec<u8>, v: &[Felt]) {
    out.extend_from_slice(&(v.len() as u32).to_le_bytes());
    for e in v {
        out.extend_from_slice(&e.as_int().to_le_bytes());
    }
}

fn put_blob(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u32).to_le_bytes());
    out.extend_from_slice(b);
}

impl Proof {
    /// The trace length.
    pub fn trace_length(&self) -> usize {
        1usize << self.trace_length_log2.min(63)
    }

    /// Conjectured security of this proof's options, in bits.
    pub fn security_bits(&self) -> u32 {
        self.options.conjectured_security(self.trace_length())
    }

    /// Encodes the proof.
    pub fn to_bytes(&self) -> Vec<u8> {
        let o = &self.options;
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.push(FORMAT_VERSION);
        out.push(o.hash.code());
        out.push(o.extension.degree() as u8);
        out.push(o.blowup_factor.trailing_zeros() as u8);
        out.push(o.num_queries as u8);
        out.push(o.grinding_bits as u8);
        out.push(o.fri_folding_factor.trailing_zeros() as u8);
        out.extend_from_slice(&(o.fri_remainder_max_degree as u16).to_le_bytes());
        out.push(self.trace_length_log2);
        out.extend_from_slice(&self.trace_root);
        match &self.aux_root {
            None => out.push(0),
            Some(r) => {
                out.push(1);
                out.extend_from_slice(r);
            }
        }
        out.extend_from_slice(&self.composition_root);
        out.push(self.num_composition_columns);
        put_felts(&mut out, &self.ood_trace_current);
        put_felts(&mut out, &self.ood_trace_next);
        put_felts(&mut out, &self.ood_aux_current);
        put_felts(&mut out, &self.ood_aux_next);
        put_felts(&mut out, &self.ood_composition);
        out.push(self.fri_roots.len() as u8);
        for r in &self.fri_roots {
            out.extend_from_slice(r);
        }
        put_blob(&mut out, &self.fri_proof.to_bytes());
        out.extend_from_slice(&self.pow_nonce.to_le_bytes());
        let mut put_openings = |o: &Openings| {
            put_felts(&mut out, &o.values);
            put_blob(&mut out, &o.merkle_proof);
        };
        put_openings(&self.trace_openings);
        if let Some(a) = &self.aux_openings {
            put_openings(a);
        }
        put_openings(&self.composition_openings);
        out
    }

    /// Decodes a proof, refusing anything malformed (see the module docs).
    pub fn from_bytes(bytes: &[u8]) -> Result<Proof, DecodeError> {
        if bytes.len() > MAX_PROOF_BYTES {
            return Err(DecodeError::TooLarge(bytes.len()));
        }
        let mut r = Reader { bytes, pos: 0 };
        if r.take(4).map_err(|_| DecodeError::BadMagic)? != MAGIC {
            return Err(DecodeError::BadMagic);
        }
        let version = r.u8()?;
        if version != FORMAT_VERSION {
            return Err(DecodeError::Version(version));
        }
        let hash = HashFunction::from_code(r.u8()?).ok_or(DecodeError::Invalid("hash function"))?;
        let extension = FieldExtension::from_degree(r.u8()?).ok_or(DecodeError::Invalid("field extension"))?;
        let blowup_log = r.u8()?;
        let num_queries = r.u8()? as usize;
        let grinding_bits = r.u8()? as u32;
        let folding_log = r.u8()?;
        let remainder = r.u16()? as usize;
        if blowup_log > 8 || folding_log > 8 {
            return Err(DecodeError::Invalid("blowup or folding factor"));
        }
        let options = ProofOptions {
            hash,
            extension,
            blowup_factor: 1 << blowup_log,
            num_queries,
            grinding_bits,
            fri_folding_factor: 1 << folding_log,
            fri_remainder_max_degree: remainder,
        };
        let trace_length_log2 = r.u8()?;
        let trace_root = r.digest()?;
        let aux_root = match r.u8()? {
            0 => None,
            1 => Some(r.digest()?),
            _ => return Err(DecodeError::Invalid("auxiliary segment flag")),
        };
        let composition_root = r.digest()?;
        let num_composition_columns = r.u8()?;
        let ood_trace_current = r.felts()?;
        let ood_trace_next = r.felts()?;
        let ood_aux_current = r.felts()?;
        let ood_aux_next = r.felts()?;
        let ood_composition = r.felts()?;
        let num_fri_roots = r.u8()? as usize;
        let mut fri_roots = Vec::with_capacity(num_fri_roots);
        for _ in 0..num_fri_roots {
            fri_roots.push(r.digest()?);
        }
        let fri_bytes = r.blob()?;
        let mut fri_reader = SliceReader::new(fri_bytes);
        let fri_proof = FriProof::read_from(&mut fri_reader).map_err(|_| DecodeError::Invalid("FRI proof"))?;
        if winter_utils::ByteReader::has_more_bytes(&fri_reader) {
            return Err(DecodeError::Invalid("FRI proof has trailing bytes"));
        }
        let pow_nonce = r.u64()?;
        let trace_openings = Openings { values: r.felts()?, merkle_proof: r.blob()?.to_vec() };
        let aux_openings = match aux_root {
            None => None,
            Some(_) => Some(Openings { values: r.felts()?, merkle_proof: r.blob()?.to_vec() }),
        };
        let composition_openings = Openings { values: r.felts()?, merkle_proof: r.blob()?.to_vec() };
        if r.remaining() != 0 {
            return Err(DecodeError::TrailingBytes(r.remaining()));
        }
        Ok(Proof {
            options,
            trace_length_log2,
            trace_root,
            aux_root,
            composition_root,
            num_composition_columns,
            ood_trace_current,
            ood_trace_next,
            ood_aux_current,
            ood_aux_next,
            ood_composition,
            fri_roots,
            fri_proof,
            pow_nonce,
            trace_openings,
            aux_openings,
            composition_openings,
        })
    }
}
