//! Proof options and the conjectured security they give.
//!
//! # Security formula
//!
//! We report the *conjectured* security of a proof, in bits, as
//!
//! ```text
//! bits = min( min(q·log2(|D|/B) + g,  floor(e·log2 p) − log2|D| − 3) − 1,  128 )
//! ```
//!
//! for `q` queries over the LDE domain `D` of `n·b` points, FRI's degree bound `B` (FRI tests
//! proximity to polynomials of fewer than `B` coefficients: `B = n` without hiding, so the rate
//! `B/|D|` is `1/b`; a little more for a hiding proof, see [`crate::shape`]), `g` bits of
//! proof-of-work grinding, and challenges drawn from the extension of degree `e`
//! ([`ProofOptions::security_bits`]; `log2 B` is rounded up in fixed point). The terms:
//!
//! 1. **Queries and grinding** (the ethSTARK conjecture on FRI's proximity gaps): a prover
//!    whose DEEP polynomial is far from the code passes one query with probability about the
//!    rate `B/|D|`, all `q` with its `q`-th power, and must also redo `2^g` hashes per attempt:
//!    `q·log2(|D|/B) + g` (`q·log2(b) + g` without hiding).
//! 2. **Field size**: every challenge a cheating prover can get lucky with is drawn from the
//!    extension field `F` of `floor(e·log2 p)` bits, and the conjectured error of each is at
//!    most `|D|/|F|`: the auxiliary challenges (the grand products are polynomials of degree
//!    below `|D|` in them), the constraint-composition coefficients, the out-of-domain point
//!    (with the conjectured list size of 1 the DEEP-ALI error is `deg(Q)/|F| < |D|/|F|`),
//!    the DEEP batching coefficients, the degree-correction coefficient `β`, and FRI's
//!    folding challenges, whose errors over the layers sum to `|D|/|F|·(1 + 1/8 + 1/64 + …)`
//!    `< (8/7)·|D|/|F|`. That is fewer than `8·|D|/|F|` in all, **so the folding errors are
//!    counted**, with the other field terms, in the `− 3`.
//! 3. **The `− 1`**: a cheating prover wins if it beats either the queries or the field, so
//!    the errors add; the sum of two terms each below `2^-λ` is below `2^-(λ−1)`. We take
//!    winterfell's `− 1` for this reason (winterfell applies it to the same minimum).
//! 4. **Hash collision resistance** of the commitment hash (128 bits for BLAKE3-256 and
//!    Rescue Prime `Rp64_256`) caps the result.
//!
//! With the 96-bit preset (27 queries at blowup 8, 16 grinding bits, the quadratic extension
//! of 127 bits) the query term gives 97 bits and the field term `124 − log2|D|`, so proofs of up
//! to 2^24 trace rows have 96 bits; longer traces get less (95 bits at 2^25), and the
//! verifier's minimum refuses them. The 128-bit preset (38 queries, cubic extension) gives
//! 128 bits up to the largest trace we accept.
//!
//! The verifier refuses any proof whose options give fewer bits than the caller's minimum.

use distaff_math::Felt;

/// log2 of the number of `|D|/|F|` terms the field-size error is bounded by (fewer than 8; see
/// the module docs).
pub const FIELD_ERROR_TERMS_LOG2: u32 = 3;

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
    /// Whether the proof is zero-knowledge (hiding): see [`crate::shape`]. The presets make
    /// hiding proofs; [`ProofOptions::without_hiding`] makes succinct-only ones, which are
    /// deterministic.
    pub hiding: bool,
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
    /// Remainder degree not of the form 2^k − 1 below 1024, or below the folding factor.
    #[error("FRI remainder max degree {0} must be 2^k − 1, below 1024 and at least the folding factor less one")]
    Remainder(usize),
}

impl ProofOptions {
    /// The default preset: 96 bits of conjectured security for traces of up to 2^24 rows (27
    /// queries at blowup 8 and 16 bits of grinding, quadratic extension).
    pub fn with_96_bit_security(hash: HashFunction) -> Self {
        ProofOptions {
            hash,
            extension: FieldExtension::Quadratic,
            blowup_factor: 8,
            num_queries: 27,
            grinding_bits: 16,
            fri_folding_factor: 8,
            fri_remainder_max_degree: 127,
            hiding: true,
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
            hiding: true,
        }
    }

    /// These options without zero knowledge: succinct-only proofs, byte-for-byte deterministic,
    /// which reveal the opened evaluations of the trace (see [`crate::shape`]).
    pub fn without_hiding(self) -> Self {
        ProofOptions { hiding: false, ..self }
    }

    /// These options with zero knowledge on or off.
    pub fn with_hiding(self, hiding: bool) -> Self {
        ProofOptions { hiding, ..self }
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
        // (a remainder bound below the folding factor would leave the last layer's domain
        // smaller than the blowup, and the remainder without a coefficient)
        let r = self.fri_remainder_max_degree + 1;
        if !r.is_power_of_two() || r > 1024 || r < self.fri_folding_factor {
            return Err(OptionsError::Remainder(self.fri_remainder_max_degree));
        }
        Ok(())
    }

    /// Conjectured security in bits for a trace of `trace_length` rows (a power of two) when
    /// FRI tests proximity to polynomials of fewer than `fri_bound` coefficients over the LDE
    /// domain (`trace_length` without hiding; see [`crate::shape::ProofShape`]), by the formula
    /// of the module docs. The rate `fri_bound / |D|` gives `log2(|D| / fri_bound)` bits per
    /// query, computed in fixed point and rounded down.
    pub fn security_bits(&self, trace_length: usize, fri_bound: usize) -> u32 {
        let log_blowup = self.blowup_factor.trailing_zeros();
        let lde_log = trace_length.trailing_zeros() + log_blowup;
        // bits per query, in 1/2^16 units: log2|D| exactly, log2(B) rounded up
        let per_query = ((lde_log as u64) << 16).saturating_sub(log2_ceil_fixed(fri_bound as u64));
        let query = ((self.num_queries as u64 * per_query) >> 16) as u32 + self.grinding_bits;
        let field = self.extension.field_bits().saturating_sub(lde_log + FIELD_ERROR_TERMS_LOG2);
        query.min(field).saturating_sub(1).min(self.hash.collision_resistance())
    }

    /// Conjectured security in bits of a proof without hiding for a trace of `trace_length`
    /// rows (FRI's rate is exactly `1/blowup`): [`ProofOptions::security_bits`].
    pub fn conjectured_security(&self, trace_length: usize) -> u32 {
        self.security_bits(trace_length, trace_length)
    }

    /// The options as field elements, for the transcript (whether the proof is hiding is in the
    /// protocol version that precedes them, [`crate::protocol::transcript_seed`]).
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

    /// winter-fri's view of these options (whose constructor panics on a blowup that is not a
    /// power of two or an unsupported folding factor: the options are validated first).
    pub fn fri_options(&self) -> Result<winter_fri::FriOptions, OptionsError> {
        self.validate()?;
        Ok(winter_fri::FriOptions::new(self.blowup_factor, self.fri_folding_factor, self.fri_remainder_max_degree))
    }
}

/// `⌈log2 x⌉` in fixed point with 16 fractional bits, rounded up (`x ≥ 1`): the integer part
/// from the highest set bit, then the fraction bit by bit by repeated squaring of the mantissa
/// (each square, truncated, only lowers it, so the fraction is rounded up by adding one unit).
fn log2_ceil_fixed(x: u64) -> u64 {
    if x <= 1 {
        return 0;
    }
    let int = 63 - x.leading_zeros() as u64;
    if x.is_power_of_two() {
        return int << 16;
    }
    // mantissa in [1, 2) as a 1.62 fixed-point number
    // (x·2^62 < 2^126, so no bit is lost before the shift right by int ≤ 63)
    let mut m = ((x as u128) << 62) >> int;
    let mut frac = 0u64;
    for bit in (0..16).rev() {
        m = (m * m) >> 62;
        if m >= 2 << 62 {
            m >>= 1;
            frac |= 1 << bit;
        }
    }
    (int << 16) + frac + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_meet_their_targets_up_to_the_lengths_the_docs_state() {
        for log_n in 6..=28 {
            let n = 1usize << log_n;
            for hash in [HashFunction::Blake3_256, HashFunction::Rp64_256] {
                let bits = ProofOptions::with_96_bit_security(hash).conjectured_security(n);
                // the field term, 127 − log2(8n) − 3, takes over past 2^24 rows
                let expected = if log_n <= 24 { 96 } else { 127 - (log_n + 3) - 3 - 1 };
                assert_eq!(bits, expected, "2^{log_n} rows");
                assert_eq!(ProofOptions::with_128_bit_security(hash).conjectured_security(n), 128);
            }
        }
    }

    #[test]
    fn validation_accepts_exactly_the_documented_ranges() {
        let ok = ProofOptions::with_96_bit_security(HashFunction::Blake3_256);
        assert_eq!(ok.validate(), Ok(()));
        let with = |f: &dyn Fn(&mut ProofOptions)| {
            let mut o = ok;
            f(&mut o);
            o.validate()
        };
        for b in [8, 16, 32] {
            assert_eq!(with(&|o| o.blowup_factor = b), Ok(()));
        }
        for b in [4, 7, 64] {
            assert_eq!(with(&|o| o.blowup_factor = b), Err(OptionsError::Blowup(b)));
        }
        assert_eq!(with(&|o| o.num_queries = 1), Ok(()));
        assert_eq!(with(&|o| o.num_queries = 255), Ok(()));
        assert_eq!(with(&|o| o.num_queries = 0), Err(OptionsError::Queries(0)));
        assert_eq!(with(&|o| o.num_queries = 256), Err(OptionsError::Queries(256)));
        assert_eq!(with(&|o| o.grinding_bits = 32), Ok(()));
        assert_eq!(with(&|o| o.grinding_bits = 33), Err(OptionsError::Grinding(33)));
        for f in [2, 4, 8, 16] {
            assert_eq!(with(&|o| o.fri_folding_factor = f), Ok(()));
        }
        assert_eq!(with(&|o| o.fri_folding_factor = 32), Err(OptionsError::Folding(32)));
        assert_eq!(with(&|o| o.fri_remainder_max_degree = 7), Ok(()));
        assert_eq!(with(&|o| o.fri_remainder_max_degree = 1023), Ok(()));
        assert_eq!(with(&|o| o.fri_remainder_max_degree = 3), Err(OptionsError::Remainder(3)));
        assert_eq!(with(&|o| o.fri_remainder_max_degree = 2047), Err(OptionsError::Remainder(2047)));
        assert_eq!(with(&|o| o.fri_remainder_max_degree = 100), Err(OptionsError::Remainder(100)));
        assert!(ok.fri_options().is_ok());
        assert!(ok.hiding && !ok.without_hiding().hiding && !ok.with_hiding(false).hiding);
        assert!(ok.without_hiding().with_hiding(true).hiding);
        assert!(ProofOptions { blowup_factor: 6, ..ok }.fri_options().is_err());
    }

    #[test]
    fn codes_names_and_elements_tell_the_options_apart() {
        for h in [HashFunction::Blake3_256, HashFunction::Rp64_256] {
            assert_eq!(HashFunction::from_code(h.code()), Some(h));
        }
        assert_eq!(HashFunction::from_code(2), None);
        assert_eq!((HashFunction::Blake3_256.name(), HashFunction::Rp64_256.name()), ("blake3", "rescue"));
        for e in [FieldExtension::Quadratic, FieldExtension::Cubic] {
            assert_eq!(FieldExtension::from_degree(e.degree() as u8), Some(e));
        }
        assert_eq!(FieldExtension::from_degree(1), None);
        let a = ProofOptions::with_96_bit_security(HashFunction::Blake3_256);
        let variants = [
            ProofOptions { hash: HashFunction::Rp64_256, ..a },
            ProofOptions { extension: FieldExtension::Cubic, ..a },
            ProofOptions { blowup_factor: 16, ..a },
            ProofOptions { num_queries: 28, ..a },
            ProofOptions { grinding_bits: 17, ..a },
            ProofOptions { fri_folding_factor: 4, ..a },
            ProofOptions { fri_remainder_max_degree: 63, ..a },
        ];
        for v in variants {
            assert_ne!(v.to_elements(), a.to_elements(), "{v:?}");
        }
        assert_eq!(a.to_elements()[2], Felt::new(8));
    }

    #[test]
    fn fixed_point_log2_rounds_up() {
        assert_eq!(log2_ceil_fixed(1), 0);
        assert_eq!(log2_ceil_fixed(2), 1 << 16);
        assert_eq!(log2_ceil_fixed(1 << 20), 20 << 16);
        for x in [3u64, 5, 65, 100, 262_208, (1 << 18) + 4096, u64::MAX] {
            let exact = (x as f64).log2() * 65536.0;
            let got = log2_ceil_fixed(x) as f64;
            assert!(got >= exact && got <= exact + 2.0, "{x}: {got} against {exact}");
        }
    }

    #[test]
    fn a_larger_fri_bound_costs_bits_per_query() {
        let o = ProofOptions::with_96_bit_security(HashFunction::Blake3_256);
        let n = 1 << 18;
        assert_eq!(o.security_bits(n, n), 96);
        // 65·4096 coefficients over 2^21 points: log2(2^21 / 266240) = 2.9776 bits per query
        assert_eq!(o.security_bits(n, 65 * 4096), (27.0 * 2.9776f64 + 16.0) as u32 - 1);
        let o = ProofOptions { num_queries: 28, ..o };
        assert_eq!(o.security_bits(n, 65 * 4096), 99 - 1);
    }

    #[test]
    fn weaker_options_report_fewer_bits() {
        let mut o = ProofOptions::with_96_bit_security(HashFunction::Blake3_256);
        o.num_queries = 10;
        assert_eq!(o.conjectured_security(1 << 10), 45);
        o.grinding_bits = 0;
        assert_eq!(o.conjectured_security(1 << 10), 29);
        o.num_queries = 60;
        o.blowup_factor = 32;
        // queries: 300 bits; field: 127 − 15 − 3 = 109, less one
        assert_eq!(o.conjectured_security(1 << 10), 108);
    }
}
