//! The proof object and its byte format.
//!
//! Decoding never trusts a length field: every vector length is checked against the bytes
//! that remain before anything is allocated, every field element must be canonical, and the
//! decoder rejects trailing bytes. The format starts with the magic `DSTF` and a version byte.

use alloc::vec::Vec;

use distaff_air::{MAX_TRACE_LENGTH_LOG2, MIN_TRACE_LENGTH};
use distaff_math::{Felt, StarkField, MODULUS};

use crate::options::{FieldExtension, HashFunction, OptionsError, ProofOptions};

/// Magic bytes opening every proof.
pub const MAGIC: &[u8; 4] = b"DSTF";
/// Version of the proof format. Version 2 carried the FRI layers and remainder in our own
/// bounded encoding and pinned the DEEP polynomial's degree; version 3 adds a flags byte after
/// the options (bit 0: the proof is hiding) and, in hiding proofs, the salts and the DEEP
/// randomiser's column in the opened rows (see [`crate::shape`]).
pub const FORMAT_VERSION: u8 = 3;
/// Largest proof we accept, in bytes, whatever its options (the options bound each section
/// far more tightly; see [`Proof::from_bytes`]).
pub const MAX_PROOF_BYTES: usize = 16 << 20;
/// The most columns a committed matrix (main trace, auxiliary segment, composition) may have,
/// and so the longest out-of-domain vector (in extension elements) a proof may carry.
pub const MAX_COLUMNS: usize = 255;

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
    /// Roots of the FRI layers, then the hash of the remainder, in order.
    pub fri_roots: Vec<[u8; 32]>,
    /// FRI layer openings, first layer first: for each opened leaf (a folded position), the
    /// `folding factor` values of the layer it groups (extension elements, flattened), with
    /// the layer's batch Merkle proof.
    pub fri_layers: Vec<Openings>,
    /// The FRI remainder polynomial's coefficients, highest degree first (extension elements,
    /// flattened), as winter-fri sends and hashes them.
    pub fri_remainder: Vec<Felt>,
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
    /// The options are outside what we support.
    #[error("unsupported proof options: {0}")]
    Options(#[from] OptionsError),
    /// The trace length is outside what we support.
    #[error("trace length 2^{0} is outside the supported range")]
    TraceLength(u8),
    /// A field is invalid.
    #[error("invalid proof field: {0}")]
    Invalid(&'static str),
    /// A section is longer than the proof's options allow.
    #[error("{what}: {got} items, more than the {max} the proof's options allow")]
    SectionTooLong {
        /// The section.
        what: &'static str,
        /// The most its options allow.
        max: usize,
        /// What the proof claims.
        got: usize,
    },
    /// A field element is not canonical.
    #[error("a value in the proof is not a canonical field element")]
    NonCanonical,
    /// Extra bytes at the end.
    #[error("the proof has {0} unexpected trailing bytes")]
    TrailingBytes(usize),
}

/// The range of trace lengths and LDE sizes both sides accept, checked in `u64` so that it
/// holds on 32-bit targets too: `log n` between log2 of [`MIN_TRACE_LENGTH`] and
/// [`MAX_TRACE_LENGTH_LOG2`], and the LDE domain (`n · blowup`) inside the field's two-adic
/// subgroup and addressable by `usize` (below 2^(usize::BITS − 1)).
pub fn check_trace_length(trace_length_log2: u8, blowup_factor: usize) -> Result<(), u8> {
    check_trace_length_for(trace_length_log2, blowup_factor, usize::BITS)
}

/// [`check_trace_length`] for a target whose `usize` has `usize_bits` bits.
fn check_trace_length_for(trace_length_log2: u8, blowup_factor: usize, usize_bits: u32) -> Result<(), u8> {
    let log_n = trace_length_log2 as u64;
    let log_b = blowup_factor.trailing_zeros() as u64;
    if log_n < MIN_TRACE_LENGTH.trailing_zeros() as u64
        || log_n > MAX_TRACE_LENGTH_LOG2 as u64
        || log_n + log_b > Felt::TWO_ADICITY as u64
        || log_n + log_b >= usize_bits as u64 - 1
    {
        return Err(trace_length_log2);
    }
    Ok(())
}

/// Most bytes a serialized batch Merkle proof of `queries` openings in a tree of `depth`
/// levels can take (one node vector per opening, at most `depth` digests each, with their
/// variable-length counts).
pub fn max_merkle_proof_bytes(queries: usize, depth: u32) -> usize {
    1 + 9 + queries * (9 + depth as usize * 32)
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
    /// A u32 count of `item_size`-byte items, at most `max` of them and checked against the
    /// remaining bytes.
    fn count(&mut self, what: &'static str, item_size: usize, max: usize) -> Result<usize, DecodeError> {
        let n = self.u32()? as usize;
        if n > max {
            return Err(DecodeError::SectionTooLong { what, max, got: n });
        }
        if n.checked_mul(item_size).is_none_or(|b| b > self.remaining()) {
            return Err(DecodeError::Truncated);
        }
        Ok(n)
    }
    fn felts(&mut self, what: &'static str, max: usize) -> Result<Vec<Felt>, DecodeError> {
        let n = self.count(what, 8, max)?;
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
    fn blob(&mut self, what: &'static str, max: usize) -> Result<&'a [u8], DecodeError> {
        let n = self.count(what, 1, max)?;
        self.take(n)
    }
    fn openings(&mut self, what: &'static str, max_values: usize, max_proof: usize) -> Result<Openings, DecodeError> {
        Ok(Openings { values: self.felts(what, max_values)?, merkle_proof: self.blob(what, max_proof)?.to_vec() })
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
    /// The trace length, if it is in the supported range for the proof's blowup
    /// ([`check_trace_length`]).
    pub fn trace_length(&self) -> Option<usize> {
        check_trace_length(self.trace_length_log2, self.options.blowup_factor).ok()?;
        Some(1usize << self.trace_length_log2)
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
        out.push(u8::from(o.hiding));
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
        let put_openings = |out: &mut Vec<u8>, o: &Openings| {
            put_felts(out, &o.values);
            put_blob(out, &o.merkle_proof);
        };
        out.push(self.fri_layers.len() as u8);
        for layer in &self.fri_layers {
            put_openings(&mut out, layer);
        }
        put_felts(&mut out, &self.fri_remainder);
        out.extend_from_slice(&self.pow_nonce.to_le_bytes());
        let mut put_openings = |o: &Openings| put_openings(&mut out, o);
        put_openings(&self.trace_openings);
        if let Some(a) = &self.aux_openings {
            put_openings(a);
        }
        put_openings(&self.composition_openings);
        out
    }

    /// Decodes a proof, refusing anything malformed (see the module docs). The options and
    /// the trace length, read first, bound every later section before it is read: the
    /// out-of-domain vectors by [`MAX_COLUMNS`], the opened rows by the number of queries, the
    /// Merkle proofs by the number of queries and the tree's depth, and the FRI section by the
    /// number of layers and the remainder size the options imply.
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
        let hiding = match r.u8()? {
            0 => false,
            1 => true,
            _ => return Err(DecodeError::Invalid("flags")),
        };
        let options = ProofOptions {
            hash,
            extension,
            blowup_factor: 1 << blowup_log,
            num_queries,
            grinding_bits,
            fri_folding_factor: 1 << folding_log,
            fri_remainder_max_degree: remainder,
            hiding,
        };
        options.validate()?;
        let trace_length_log2 = r.u8()?;
        check_trace_length(trace_length_log2, options.blowup_factor).map_err(DecodeError::TraceLength)?;
        // what the options allow each section
        let ext = extension.degree();
        let lde_log = trace_length_log2 as u32 + blowup_log as u32;
        let lde_size = 1usize << lde_log;
        // (a row of a hiding proof carries `ext` salt elements)
        let max_row = (MAX_COLUMNS + 1) * ext;
        let max_values = num_queries * max_row;
        let max_proof = max_merkle_proof_bytes(num_queries, lde_log);
        let fri = options.fri_options()?;
        let num_fri_layers = fri.num_fri_layers(lde_size);
        let folding = options.fri_folding_factor;

        let trace_root = r.digest()?;
        let aux_root = match r.u8()? {
            0 => None,
            1 => Some(r.digest()?),
            _ => return Err(DecodeError::Invalid("auxiliary segment flag")),
        };
        let composition_root = r.digest()?;
        let num_composition_columns = r.u8()?;
        let ood_trace_current = r.felts("out-of-domain trace row", max_row)?;
        let ood_trace_next = r.felts("out-of-domain trace row", max_row)?;
        let ood_aux_current = r.felts("out-of-domain auxiliary row", max_row)?;
        let ood_aux_next = r.felts("out-of-domain auxiliary row", max_row)?;
        let ood_composition = r.felts("out-of-domain composition row", max_row)?;
        let num_fri_roots = r.u8()? as usize;
        if num_fri_roots != num_fri_layers + 1 {
            return Err(DecodeError::Invalid("number of FRI commitments"));
        }
        let mut fri_roots = Vec::with_capacity(num_fri_roots);
        for _ in 0..num_fri_roots {
            fri_roots.push(r.digest()?);
        }
        if r.u8()? as usize != num_fri_layers {
            return Err(DecodeError::Invalid("number of FRI layers"));
        }
        let mut fri_layers = Vec::with_capacity(num_fri_layers);
        for i in 0..num_fri_layers {
            // layer i's tree has one leaf per folded position: lde_size / folding^(i+1) leaves
            let depth = lde_log - (i as u32 + 1) * folding_log as u32;
            fri_layers.push(r.openings(
                "FRI layer",
                num_queries * folding * ext,
                max_merkle_proof_bytes(num_queries, depth),
            )?);
        }
        // the remainder: at most the last layer's domain divided by the blowup, in coefficients
        // (twice that for a hiding proof, whose FRI bound is below 2n: see crate::shape)
        let remainder_len = (lde_size >> (num_fri_layers * folding_log as usize)) / options.blowup_factor
            * ext
            * (1 + usize::from(hiding));
        let fri_remainder = r.felts("FRI remainder", remainder_len)?;
        let pow_nonce = r.u64()?;
        let trace_openings = r.openings("trace openings", max_values, max_proof)?;
        let aux_openings = match aux_root {
            None => None,
            Some(_) => Some(r.openings("auxiliary openings", max_values, max_proof)?),
        };
        let composition_openings = r.openings("composition openings", max_values, max_proof)?;
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
            fri_layers,
            fri_remainder,
            pow_nonce,
            trace_openings,
            aux_openings,
            composition_openings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_lengths_are_checked_for_the_target_usize() {
        // 64-bit: up to 2^28 rows, and the LDE within the two-adic subgroup (2^32)
        assert_eq!(check_trace_length_for(28, 16, 64), Ok(()));
        assert_eq!(check_trace_length_for(28, 32, 64), Err(28));
        assert_eq!(check_trace_length_for(29, 8, 64), Err(29));
        assert_eq!(check_trace_length_for(5, 8, 64), Err(5));
        assert_eq!(check_trace_length_for(6, 8, 64), Ok(()));
        // 32-bit: n·blowup must stay below 2^31, so that it and its arithmetic fit in usize
        assert_eq!(check_trace_length_for(28, 8, 32), Err(28));
        assert_eq!(check_trace_length_for(27, 16, 32), Err(27));
        assert_eq!(check_trace_length_for(27, 8, 32), Ok(()));
        assert_eq!(check_trace_length_for(26, 16, 32), Ok(()));
        assert_eq!(check_trace_length_for(255, 8, 32), Err(255));
    }

    #[test]
    fn merkle_proof_bounds_cover_the_widest_opening() {
        // every opened index with its own path of `depth` nodes, each count a 9-byte integer
        assert_eq!(max_merkle_proof_bytes(1, 1), 1 + 9 + 9 + 32);
        assert_eq!(max_merkle_proof_bytes(27, 21), 10 + 27 * (9 + 21 * 32));
    }
}
