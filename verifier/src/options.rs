//! Proof options and the conjectured security they give.
//!
//! # Security formula
//!
//! We report the *conjectured* security of a proof, in bits, as the minimum of three terms:
//!
//! 1. **Queries and grinding** (the ethSTARK conjecture on FRI's proximity gaps): each query
//!    contributes `log2(blowup)` bits and proof-of-work grinding adds `grinding_bits`:
//!    `q·log2(b) + g`.
//! 2. **Field size**: the out-of-domain point, the DEEP and constraint-composition
//!    coefficients and the FRI folding challenges are drawn from the extension field of
//!    `d·log2(p)` bits; a cheating prover succeeds with probability about `|LDE domain| / |F|`,
//!    giving `floor(d·log2(p)) − log2(n·b)` bits.
//! 3. **Hash collision resistance** of the commitment hash (128 bits for BLAKE3-256 and
//!    Rescue Prime `Rp64_256`).
//!
//! The verifier refuses any proof whose options give fewer bits than the caller's minimum.

use distaff_math::Felt;

/// The hash used for Merkle commitments and the Fiat–Shamir transcript.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashFunction {
    /// BLAKE3 with 256-bit output (fast natively; the default).
    Blake3_256,
    /// Rescue Prime over Goldilocks (`Rp64_256`), friendly to recursive verification.
    Rp64_256,
}

impl HashFunction {
    /// Collision resistance in bits.
    pub fn collision_resistance(&self) -> u32 {
        128
    }

    /// Name as used on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            HashFunction::Blake3_256 => "blake3",
            HashFunction::Rp64_256 => "rescue",
        }
    }

    pub(crate) fn code(&self) -> u8 {
        match self {
            HashFunction::Blake3_256 => 0,
            HashFunction::Rp64_256 => 1,
        }
    }

    pub(crate) fn from_code(c: u8) -> Option<Self> {
        match c {
            0 => Some(HashFunction::Blake3_256),
            1 => Some(HashFunction::Rp64_256),
            _ => None,
        }
    }
}

/// The extension of Goldilocks that random challenges are drawn from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldExtension {
    /// Degree 2 (about 128 bits).
    Quadratic,
    /// Degree 3 (about 192 bits).
    Cubic,
}

impl FieldExtension {
    /// Extension degree.
    pub fn degree(&self) -> usize {
        match self {
            FieldExtension::Quadratic => 2,
            FieldExtension::Cubic => 3,
        }
    }

    /// `floor(degree · log2 p)`: Goldilocks is just below 2^64.
    pub fn field_bits(&self) -> u32 {
        64 * self.degree() as u32 - 1
    }

    pub(crate) fn from_degree(d: u8) -> Option<Self> {
        match d {
            2 => Some(FieldExtension::Quadratic),
            3 => Some(FieldExtension::Cubic),
            _ => None,
        }
    }
}

/// Everything about a proof that is a choice rather than a consequence of the claim. A proof
/// carries its options, and the options are absorbed into the transcript.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProofOptions {
    /// Commitment and transcript hash.
    pub hash: HashFunction,
    /// Extension field for challenges.
    pub extension: FieldExtension,
    /// LDE blowup factor (8, 16 or 32).
    pub blowup_factor: usize,
    /// Number of FRI queries (1..=255).
    pub num_queries: usize,
    /// Proof-of-work bits (0..=32).
    pub grinding_bits: u32,
    /// FRI folding factor (2, 4, 8 or 16).
    pub fri_folding_factor: usize,
    /// Largest degree of the FRI remainder polynomial (a power of two minus one, below 1024).
    pub fri_remainder_max_degree: usize,
}

/// Why a set of options is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    /// Blowup out of the supported set.
    #[error("blowup factor {0} is not supported (8, 16 or 32)")]
    Blowup(usize),
    /// Query count out of range.
    #[error("number of queries {0} is not in 1..=255")]
    Queries(usize),
    /// Grinding out of range.
    #[error("grinding of {0} bits is not in 0..=32")]
    Grinding(u32),
    /// Folding factor out of the supported set.
    #[error("FRI folding factor {0} is not supported (2, 4, 8 or 16)")]
    Folding(usize),
    /// Remainder degree not of the form 2^k − 1 below 1024.
    #[error("FRI remainder max degree {0} must be 2^k − 1 and below 1024")]
    Remainder(usize),
}

impl ProofOptions {
    /// The default preset: at least 96 bits of conjectured security (97 bits: 27 queries at
    /// blowup 8 and 16 bits of grinding, quadratic extension).
    pub fn with_96_bit_security(hash: HashFunction) -> Self {
        ProofOptions {
            hash,
            extension: FieldExtension::Quadratic,
            blowup_factor: 8,
            num_queries: 27,
            grinding_bits: 16,
            fri_folding_factor: 8,
            fri_remainder_max_degree: 127,
        }
    }

    /// The 128-bit preset (38 queries at blowup 8, 16 bits of grinding, cubic extension).
    pub fn with_128_bit_security(hash: HashFunction) -> Self {
        ProofOptions {
            hash,
            extension: FieldExtension::Cubic,
            blowup_factor: 8,
            num_queries: 38,
            grinding_bits: 16,
            fri_folding_factor: 8,
            fri_remainder_max_degree: 127,
        }
    }

    /// Checks every option is in the supported range.
    pub fn validate(&self) -> Result<(), OptionsError> {
        if ![8, 16, 32].contains(&self.blowup_factor) {
            return Err(OptionsError::Blowup(self.blowup_factor));
        }
        if !(1..=255).contains(&self.num_queries) {
            return Err(OptionsError::Queries(self.num_queries));
        }
        if self.grinding_bits > 32 {
            return Err(OptionsError::Grinding(self.grinding_bits));
        }
        if ![2, 4, 8, 16].contains(&self.fri_folding_factor) {
            return Err(OptionsError::Folding(self.fri_folding_factor));
        }
        let r = self.fri_remainder_max_degree + 1;
        if !r.is_power_of_two() || r > 1024 {
            return Err(OptionsError::Remainder(self.fri_remainder_max_degree));
        }
        Ok(())
    }

    /// Conjectured security in bits for a trace of `trace_length` rows (see the module docs
    /// for the formula).
    pub fn conjectured_security(&self, trace_length: usize) -> u32 {
        let log_blowup = self.blowup_factor.trailing_zeros();
        let query = self.num_queries as u32 * log_blowup + self.grinding_bits;
        let lde_log = trace_length.trailing_zeros() + log_blowup;
        let field = self.extension.field_bits().saturating_sub(lde_log);
        query.min(field).min(self.hash.collision_resistance())
    }

    /// The options as field elements, for the transcript.
    pub fn to_elements(&self) -> [Felt; 7] {
        [
            Felt::new(self.hash.code() as u64),
            Felt::new(self.extension.degree() as u64),
            Felt::new(self.blowup_factor as u64),
            Felt::new(self.num_queries as u64),
            Felt::new(self.grinding_bits as u64),
            Felt::new(self.fri_folding_factor as u64),
            Felt::new(self.fri_remainder_max_degree as u64),
        ]
    }

    /// winter-fri's view of these options.
    pub fn fri_options(&self) -> winter_fri::FriOptions {
        winter_fri::FriOptions::new(self.blowup_factor, self.fri_folding_factor, self.fri_remainder_max_degree)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_meet_their_targets_for_all_supported_lengths() {
        for log_n in 6..=28 {
            let n = 1usize << log_n;
            for hash in [HashFunction::Blake3_256, HashFunction::Rp64_256] {
                assert!(ProofOptions::with_96_bit_security(hash).conjectured_security(n) >= 96);
                assert_eq!(ProofOptions::with_128_bit_security(hash).conjectured_security(n), 128);
            }
        }
        assert_eq!(ProofOptions::with_96_bit_security(HashFunction::Blake3_256).conjectured_security(1 << 18), 97);
    }

    #[test]
    fn weaker_options_report_fewer_bits() {
        let mut o = ProofOptions::with_96_bit_security(HashFunction::Blake3_256);
        o.num_queries = 10;
        assert_eq!(o.conjectured_security(1 << 10), 46);
        o.grinding_bits = 0;
        assert_eq!(o.conjectured_security(1 << 10), 30);
    }
}
