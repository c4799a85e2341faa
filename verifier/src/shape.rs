//! The shape of a proof: every size and degree bound that follows from the options, the trace
//! length and the AIR, computed once for the prover, the verifier and the decoder.
//!
//! # Zero knowledge: what is masked, and the counts that make it hiding
//!
//! A hiding proof reveals evaluations of its committed polynomials: each trace column at the
//! out-of-domain points `z` and `z·g` (extension elements: `e` base-field values each) and at
//! the `t` query points `x_q`; and, through the composition row opened at `x_q` (which gives
//! `Q(x_q)`, a function of the trace at `x_q` and at `g·x_q`), the trace at `g·x_q` too. So
//! each column's openings are at most `h = 2e + 2t` base-field linear functions of it.
//!
//! * **Trace columns** (main, and each base coordinate of the auxiliary ones) are committed as
//!   `T + Z_H·r` with `Z_H = x^n − 1` and `r` of `h` uniform coefficients ([`Hiding::mask_len`]):
//!   the same values on the trace domain (the constraints are unchanged), and, since `Z_H` does
//!   not vanish at any opened point (`z` is drawn outside the base field, the LDE domain is a
//!   coset off the trace domain), `h` openings of `T + Z_H·r` are uniform and independent of `T`
//!   (the map from `r`'s coefficients to the opened values is onto). Columns an honest trace
//!   fills from the claim alone ([`distaff_air::Air::public_columns`]) need no mask.
//! * **Composition columns**: the quotient of the masked trace has more coefficients than
//!   `m·n`; it is cut into `m` chunks of `c = ⌈len/m⌉` coefficients ([`ProofShape::chunk_len`])
//!   and randomised by telescoping: `H'_i = H_i + x^c·s_i − s_(i−1)` with `s_0 … s_(m−2)` of
//!   `t + 1` uniform extension coefficients (`s_(−1) = s_(m−1) = 0`), so `Σ x^(i·c)·H'_i` is the
//!   quotient and, at each of the `t + 1` points a row is opened at (`z` and the queries), the
//!   row is uniform among those that combine to the quotient's value there.
//! * **The DEEP polynomial** gets a uniformly random polynomial `R` of its own degree bound,
//!   committed as one more extension column of the composition tree and added with coefficient
//!   1: FRI's layers and remainder are functions of `D + R`, which is uniform.
//! * **Commitments are salted**: each leaf hashes its row followed by `e` random base elements
//!   (64-bit outputs reduced modulo `p`: about 126 bits of entropy for the quadratic extension,
//!   189 for the cubic), so the sibling digests of an authentication path reveal nothing of the rows
//!   they cover. FRI's trees are not salted: they commit to functions of `D + R`.
//!
//! What a hiding proof still reveals: the claim (program hash, public inputs, outputs, initial
//! memory), the AIR variant (whether the execution used flow control, memory, u32 operations,
//! bitwise operations or a deep stack), the trace length (a power of two at least
//! [`MIN_HIDING_TRACE_LENGTH`] that bounds the number of cycles, of memory accesses and 8 rows
//! per bitwise operation, and the range table, whose length grows with the number of distinct
//! 16-bit limbs: see the README) and the options.
//!
//! # Degree bounds
//!
//! The masked trace terms of the DEEP polynomial have `n + h − 1` coefficients, the composition
//! terms `c + t` (`n − 1` each without hiding); both are shifted to a common bound `K`
//! ([`ProofShape::deep_len`]) with `x^Δ` factors. FRI tests proximity to polynomials of
//! `B = G·⌈(K + 1)/G⌉` coefficients (`G = folding^layers`: FRI cannot tell finer bounds apart), and
//! the degree correction `1 + β·x^(B−K)` pins the DEEP polynomial to exactly `K`. The rate in
//! the security formula is `B/|D|` (exactly `1/blowup` without hiding).

use distaff_air::air::{composition_shape, quotient_length};
use distaff_air::Air;

use crate::options::ProofOptions;
use crate::VerificationError;

/// The shortest trace a hiding proof may have: below it the masks' degree is a large share of
/// the trace's, and FRI's rate (so its security per query) suffers.
pub const MIN_HIDING_TRACE_LENGTH: usize = 1 << 10;

/// The zero-knowledge part of a shape (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hiding {
    /// `h`: random coefficients per trace column (a base coordinate of an auxiliary column counts
    /// as a column).
    pub mask_len: usize,
    /// `t + 1`: extension coefficients of each composition randomiser.
    pub randomizer_len: usize,
    /// Base elements of salt per Merkle leaf.
    pub salt_len: usize,
}

/// FRI's parameters for a proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FriShape {
    /// winter-fri's blowup, `|D| / P`.
    pub blowup: usize,
    /// The folding factor.
    pub folding_factor: usize,
    /// winter-fri's remainder degree bound (its layer count follows from it and its blowup).
    pub remainder_max_degree: usize,
    /// winter-fri's degree bound, `P − 1` (`P` = `n`, or `2n` for hiding proofs).
    pub max_poly_degree: usize,
    /// Number of layers before the remainder.
    pub num_layers: usize,
    /// `B`: FRI's input has fewer than `B` coefficients.
    pub bound: usize,
    /// Coefficients of the remainder polynomial the proof sends (`B / G`).
    pub remainder_len: usize,
    /// Coefficients winter-fri's remainder has (`P / G`): the remainder sent is padded with zero
    /// coefficients of higher degree to this length before its commitment is checked.
    pub winter_remainder_len: usize,
    /// `k`: FRI's input is the DEEP polynomial times `1 + β·x^k`.
    pub correction_exponent: usize,
}

/// The options a prover uses for a hiding proof for `air`: a hiding proof's FRI bound `B` is a
/// little above the trace length, which lowers FRI's security per query, so the queries are
/// raised (to at most 255) until the proof has at least the conjectured security the same
/// options give without hiding. At the presets that is one more query for traces of 2^11
/// rows or more, two or three below. Options without hiding are returned as they are.
pub fn hiding_options<A: Air>(air: &A, options: &ProofOptions) -> Result<ProofOptions, VerificationError> {
    if !options.hiding {
        return Ok(*options);
    }
    let n = air.trace_length();
    let target = options.conjectured_security(n);
    let mut o = *options;
    loop {
        let shape = ProofShape::new(air, &o)?;
        if o.security_bits(n, shape.fri.bound) >= target || o.num_queries >= 255 {
            return Ok(o);
        }
        o.num_queries += 1;
    }
}

impl FriShape {
    /// winter-fri's options.
    pub fn options(&self) -> winter_fri::FriOptions {
        winter_fri::FriOptions::new(self.blowup, self.folding_factor, self.remainder_max_degree)
    }
}

/// Every size and degree bound of a proof (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProofShape {
    /// Trace length `n`.
    pub n: usize,
    /// LDE domain size `|D| = n·blowup`.
    pub lde_size: usize,
    /// Extension degree `e`.
    pub extension: usize,
    /// Main trace columns.
    pub main_width: usize,
    /// Auxiliary columns (extension elements).
    pub aux_width: usize,
    /// Composition columns `m`.
    pub num_chunks: usize,
    /// Coefficients per composition chunk `c` before randomisation (`n` without hiding).
    pub chunk_len: usize,
    /// Cosets of the LDE domain the prover evaluates the quotient on (`⌈len/n⌉`).
    pub quotient_cosets: usize,
    /// The quotient's number of coefficients (at most `quotient_cosets·n`).
    pub quotient_len: usize,
    /// `K`: the DEEP polynomial's coefficients.
    pub deep_len: usize,
    /// `Δ_T`: the trace terms of the DEEP polynomial are multiplied by `x^Δ_T`.
    pub trace_shift: usize,
    /// `Δ_H`: the composition terms are multiplied by `x^Δ_H`.
    pub composition_shift: usize,
    /// The zero-knowledge parameters, for a hiding proof.
    pub hiding: Option<Hiding>,
    /// FRI's parameters.
    pub fri: FriShape,
}

impl ProofShape {
    /// The shape of a proof for `air` (whose trace length is the proof's) under `options`.
    pub fn new<A: Air>(air: &A, options: &ProofOptions) -> Result<Self, VerificationError> {
        options.validate()?;
        let n = air.trace_length();
        let blowup = options.blowup_factor;
        let lde_size = n * blowup;
        let e = options.extension.degree();
        let (num_chunks, ce_blowup) = composition_shape(air);
        if ce_blowup > blowup {
            return Err(VerificationError::MalformedProof("blowup too small for the constraint degree"));
        }
        let t = options.num_queries;
        let (hiding, chunk_len, quotient_cosets, quotient_len, trace_terms, composition_terms) = if options.hiding {
            if n < MIN_HIDING_TRACE_LENGTH {
                return Err(VerificationError::TraceLength(n.trailing_zeros() as u8));
            }
            let h = 2 * (e + t);
            let len = quotient_length(air, (n + h - 1) as u64);
            let chunk_len = len.div_ceil(num_chunks).max(n);
            let cosets = len.div_ceil(n);
            if cosets > blowup || chunk_len + t + 1 > 2 * n {
                return Err(VerificationError::MalformedProof("blowup too small for the masked constraint degree"));
            }
            let hiding = Hiding { mask_len: h, randomizer_len: t + 1, salt_len: e };
            // (T + Z_H·r − T(z))/(x − z): n + h − 1 coefficients; (H' − H'(z))/(x − z): c + t
            (Some(hiding), chunk_len, cosets.max(num_chunks), len, n + h - 1, chunk_len + t)
        } else {
            (None, n, num_chunks, num_chunks * n, n - 1, n - 1)
        };
        let deep_len = trace_terms.max(composition_terms);
        // FRI: winter-fri's bound P (its domain is next_pow2(P)·its blowup = |D|)
        let p = if options.hiding { 2 * n } else { n };
        // (p / n first: (r + 1)·p overflows a 32-bit usize for long traces)
        let remainder_max_degree = (options.fri_remainder_max_degree + 1) * (p / n) - 1;
        let fri_options = winter_fri::FriOptions::new(lde_size / p, options.fri_folding_factor, remainder_max_degree);
        let num_layers = fri_options.num_fri_layers(lde_size);
        let g = options.fri_folding_factor.pow(num_layers as u32);
        // (at least one coefficient beyond K, so that the correction has a positive exponent:
        // for a proof without hiding, B = n and k = 1)
        let remainder_len = (deep_len + 1).div_ceil(g);
        let bound = remainder_len * g;
        if bound > p {
            return Err(VerificationError::MalformedProof("DEEP degree beyond FRI's bound"));
        }
        Ok(ProofShape {
            n,
            lde_size,
            extension: e,
            main_width: air.main_width(),
            aux_width: air.aux_width(),
            num_chunks,
            chunk_len,
            quotient_cosets,
            quotient_len,
            deep_len,
            trace_shift: deep_len - trace_terms,
            composition_shift: deep_len - composition_terms,
            hiding,
            fri: FriShape {
                blowup: lde_size / p,
                folding_factor: options.fri_folding_factor,
                remainder_max_degree,
                max_poly_degree: p - 1,
                num_layers,
                bound,
                remainder_len,
                winter_remainder_len: p / g,
                correction_exponent: bound - deep_len,
            },
        })
    }

    /// Salt elements per leaf (0 without hiding).
    pub fn salt_len(&self) -> usize {
        self.hiding.map_or(0, |h| h.salt_len)
    }

    /// Base elements per opened main-trace row (with its salt).
    pub fn main_row_len(&self) -> usize {
        self.main_width + self.salt_len()
    }

    /// Base elements per opened auxiliary row (with its salt).
    pub fn aux_row_len(&self) -> usize {
        self.aux_width * self.extension + self.salt_len()
    }

    /// Extension columns of the composition tree: the chunks, and the DEEP randomiser `R` of a
    /// hiding proof.
    pub fn composition_columns(&self) -> usize {
        self.num_chunks + usize::from(self.hiding.is_some())
    }

    /// Base elements per opened composition row (with its salt).
    pub fn composition_row_len(&self) -> usize {
        self.composition_columns() * self.extension + self.salt_len()
    }

    /// Coefficients of each randomised composition column (`c + t + 1`, or `n`).
    pub fn composition_column_len(&self) -> usize {
        self.chunk_len + self.hiding.map_or(0, |h| h.randomizer_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::HashFunction;
    use distaff_air::{ProcessorAir, PublicInputs};
    use distaff_math::Felt;

    fn air(n: usize) -> ProcessorAir {
        ProcessorAir::new(PublicInputs::new([Felt::new(1); 4], alloc::vec::Vec::new(), alloc::vec::Vec::new()), n)
    }

    #[test]
    fn hiding_needs_the_minimum_trace_length() {
        let options = ProofOptions::with_96_bit_security(HashFunction::Blake3_256);
        let min = MIN_HIDING_TRACE_LENGTH;
        let below = VerificationError::TraceLength((min / 2).trailing_zeros() as u8);
        assert_eq!(ProofShape::new(&air(min / 2), &options), Err(below));
        assert!(ProofShape::new(&air(min), &options).is_ok());
        assert!(ProofShape::new(&air(min / 2), &options.without_hiding()).is_ok());
    }

    #[test]
    fn a_composition_column_has_one_coefficient_more_than_its_deep_term() {
        // (H'_i has c + t + 1 coefficients, (H'_i − H'_i(z))/(x − z) one fewer: the DEEP bound
        // K is the latter shifted by Δ_H)
        let options = ProofOptions::with_96_bit_security(HashFunction::Blake3_256);
        let hiding = ProofShape::new(&air(1024), &options).unwrap();
        let t = options.num_queries;
        assert_eq!(hiding.composition_column_len(), hiding.chunk_len + t + 1);
        assert_eq!(hiding.composition_column_len(), hiding.deep_len - hiding.composition_shift + 1);
        let plain = ProofShape::new(&air(1024), &options.without_hiding()).unwrap();
        assert_eq!(plain.composition_column_len(), 1024);
        assert_eq!(plain.composition_column_len(), plain.deep_len - plain.composition_shift + 1);
    }
}
