//! The parts of the protocol the prover and the verifier must compute identically: the
//! transcript seed, the random coefficients, the folding of constraint evaluations, the
//! composition divisors, the periodic columns and the DEEP degree correction. The prover
//! imports them from here, and drives the same [`crate::transcript::Transcript`].
//!
//! # Protocol
//!
//! Each step names what the prover sends, what is absorbed, and what is drawn after it. The
//! verifier checks listed under a step are made in `verify.rs` in the order of step 10. A
//! hiding proof (the default) differs where [`crate::shape`] says: masked trace columns,
//! randomised composition chunks of `c` coefficients, the DEEP randomiser `R`, salted leaves,
//! and FRI's bound `B` a little above `n`; without hiding, `c = n`, `K = n − 1`, `B = n`.
//!
//! 1. **Seed.** The transcript (winter-crypto's `DefaultRandomCoin` over the chosen hash) is
//!    seeded with the protocol tag, the protocol version ([`protocol_version`]: 2 without
//!    hiding, 3 with), the options, log2 of the trace length and the public claim (program
//!    hash, inputs, outputs, initial memory, AIR variant): a proof made for one claim draws
//!    different challenges for every other.
//! 2. **Main trace.** The prover commits to the (masked) trace LDE (blowup `b`, coset offset
//!    `7`, so the LDE domain `D` avoids the trace domain); the root is absorbed. With an
//!    auxiliary segment, its challenges are drawn now, after the main trace is fixed.
//! 3. **Auxiliary trace.** The prover builds the auxiliary columns from the challenges,
//!    commits to their (masked) LDE; the root is absorbed.
//! 4. **Composition.** One coefficient per constraint is drawn (extension field). The
//!    composition polynomial `Q = Σ αᵢ·Tᵢ·(x − ω^(n−1))/(x^n − 1) + Σ βⱼ·Fⱼ/(x − 1) +
//!    Σ γₖ·Lₖ/(x − ω^(n−1))` is split into chunks `H_i` of `c` coefficients
//!    (`Q = Σ x^(i·c)·H_i`), randomised in a hiding proof, which also appends `R`.
//! 5. **Composition commitment.** Their LDE is committed; the root is absorbed and the
//!    out-of-domain point `z` is drawn: it must lie outside the base field, so off the trace
//!    and LDE domains (and no divisor vanishes there).
//! 6. **Out-of-domain frame.** The prover sends the trace at `z` and `z·g` and the
//!    composition chunks at `z` (not `R`); their hash is absorbed. The DEEP coefficients and
//!    the degree-correction coefficient `β` are drawn.
//! 7. **FRI commit phase.** The DEEP polynomial
//!    `D(x) = (x^Δ_T·Σ γ_j·(T_j(x) − T_j(z)) + x^Δ_H·Σ δ_k·(H_k(x) − H_k(z)))/(x − z) +
//!    x^Δ_T·Σ γ'_j·(T_j(x) − T_j(z·g))/(x − z·g) + R(x)` has `K` coefficients; FRI
//!    (winter-fri's prover, same transcript; [`crate::fri`] verifies it) proves that `F(x) = D(x)·(1 + β·x^k)` has fewer than `B`
//!    coefficients, which pins `D` to exactly `K` ([`degree_correction`]). Each layer's root
//!    is absorbed and a folding challenge drawn after it; the last commitment is the hash of
//!    the remainder polynomial's coefficients (winter-fri's: padded with zeros above `B`).
//! 8. **Proof of work and queries.** The prover finds a nonce giving `grinding_bits` leading
//!    zeros; the nonce is absorbed and the query positions drawn (sorted, repeats dropped).
//! 9. **Openings.** The prover opens the trace, auxiliary and composition rows (with their
//!    salts) at the positions (batch Merkle proofs), the FRI layers at the folded positions,
//!    and sends the remainder's coefficients below `B`.
//! 10. **Checks.** The verifier replays steps 1–8 from the proof and checks, in order: the
//!     constraints at `z` against the composition chunks' values there (step 6); the proof
//!     of work (step 8); each opening against its commitment (step 9); and FRI on the DEEP
//!     values it computes from the openings (step 7, [`crate::fri`]): each layer's openings
//!     against its root, each fold, the padded remainder against its commitment, and its
//!     values at the folded positions (the remainder's length is checked when it is decoded).
//!
//! # What the verifier inherits, and why each piece is sound
//!
//! The verifier runs library code on data a prover chose. Every trait default and library
//! behaviour it relies on is listed here with what it checks and what we check for it. (The
//! default `VerifierChannel::read_remainder`, which checks nothing, is how forged proofs of
//! any claim were accepted before this table existed.)
//!
//! | inherited | what it does | what it does not do | why we are sound |
//! |---|---|---|---|
//! | winter-fri `FriVerifier` (`new`, `verify`) and its `VerifierChannel` | the commit phase (a challenge drawn after each commitment) and the query phase; the default `read_remainder` returns the remainder unchecked | compare the remainder with its commitment (how forged proofs of any claim were once accepted); check the number of commitments, of leaves or their positions (several paths panic on a wrong count); and its fold check interpolates each coset over the extension field, a fifth of a verification | **not used**: [`crate::fri`] runs the same two phases with the same checks in the same order, checks the remainder's commitment and every count before hashing, and folds with an inverse FFT (no inversion). A test runs it beside winter-fri's verifier on honest and changed sections from winter-fri's prover and requires the same result |
//! | winter-fri `folding::fold_positions` | reduces positions modulo the folded domain, drops repeats, keeps first-occurrence order | — | the same order as winter-fri's prover builds its batch proofs in |
//! | winter-math `fft::get_inv_twiddles`, `fft::serial_fft` | the inverse FFT of a coset | return an error: they assert a power-of-two length of at most 2^32 and matching twiddles | called with the validated folding factor (2, 4, 8 or 16) and periods checked to be powers of two at most `n` ([`crate::verify_air`]) |
//! | winter-fri `FriProof` (parsing) | `num_partitions()` is `2^byte`; `parse_layers` hashes every value | bound anything before hashing; the partition byte overflows | **not used**: the proof carries FRI in our own bounded encoding |
//! | winter-fri `FriOptions::new` | asserts the blowup and folding factor | return an error | built only from validated options ([`crate::ProofOptions::fri_options`]) |
//! | winter-crypto `DefaultRandomCoin::draw` | rejection-samples field elements from the hash (uniform); fails after 1000 tries | — | a failure is a `Transcript` error; a prover cannot force one |
//! | winter-crypto `DefaultRandomCoin::draw_integers` | absorbs the nonce, draws `count` positions by masking (uniform for a power-of-two domain) | remove duplicates; it asserts `count < domain` and a power-of-two domain | [`crate::transcript::Transcript::draw_query_positions`] checks both, sorts and drops repeats (repeats only lower the number of distinct queries, as the conjecture allows) |
//! | winter-crypto `DefaultRandomCoin::check_leading_zeros` | counts the trailing zero bits of `H(seed ‖ nonce)`, the seed after every FRI commitment | change the coin | the same digest seeds the positions, so the work binds them |
//! | winter-crypto `MerkleTree::verify_batch` | recomputes the root from leaves and nodes; rejects duplicate or out-of-range indexes and missing nodes | check the depth against the tree's; reject extra nodes at the end of a node vector | [`crate::merkle::decode_batch_proof`] pins the depth (BLAKE3 and Rescue hash a 64-byte leaf like a node merge, so only a fixed depth stops a node being passed as a leaf), the exact node count, and the canonical bytes |
//! | winter-crypto `BatchMerkleProof::read_from` | reads vector counts and lengths | bound them before allocating (capacity overflow, out-of-memory) | **not used**: [`crate::merkle::BoundedBatchProof`] bounds depth, vector count and lengths first |
//! | winter-crypto Rescue `ElementDigest::read_from` | reads four `u64`s with `Felt::new`, which reduces values `≥ p` | reject non-canonical elements | roots must re-encode to the bytes read; batch proofs must re-encode to their bytes |
//! | winter-crypto `hash_elements` (BLAKE3, Rescue) | hashes canonical encodings of the elements (Rescue: with the length in the capacity) | separate leaves from internal nodes | tree depths are pinned (above) |
//! | winter-utils `read_usize` | reads a variable-length integer | require the shortest encoding | batch proofs must re-encode to their bytes |
//! | winter-utils `SliceReader` | bounds reads by the input | use checked addition (`pos + len` wraps on 32-bit) | only reads lengths we bounded first (Merkle proofs, digests); every other field goes through our checked `Reader` |
//! | winter-math `slice_from_base_elements` | reinterprets base elements as extension elements | — it asserts the length is a multiple of the degree | every length is checked against its expected count first |
//! | winter-math `inv` | `0⁻¹ = 0` | signal division by zero | every divisor is checked non-zero first (`z` off the trace domain, `x ≠ z`, `x ≠ z·g`) |
//! | winter-math `get_root_of_unity` | asserts `log n ≤ 32` | — | trace length and blowup are range-checked first ([`crate::proof::check_trace_length`]) |
//! | winter-math `Felt::new` | reduces any `u64` modulo `p` | reject non-canonical values | the decoder rejects values `≥ p` before `Felt::new` |
//!
//! # Work before rejection
//!
//! The decoder reads the options and the trace length first and bounds every later section by
//! them (out-of-domain rows by [`crate::proof::MAX_COLUMNS`], opened rows by the number of
//! queries, Merkle proofs by the queries and the tree depth, the FRI layers and remainder by
//! the number of layers and the remainder size the options imply), so a proof's size is
//! bounded by its options. Before hashing any opened value, the verifier checks its count
//! against the positions. Checks run cheapest first: decoding, the options and security level,
//! shapes, the constraints at `z` (one evaluation), the proof of work (one hash), then the
//! Merkle openings and FRI. So the verifier's work on any input is at most that of an honest
//! verification with the options the input names, plus decoding, linear in its size.

use alloc::vec::Vec;

use distaff_air::constraints::{ConstraintKind, ConstraintSink};
use distaff_air::Air;
use distaff_math::{fft, CubeFelt, ExtensionOf, Felt, FieldElement, QuadFelt, StarkField};

use crate::options::ProofOptions;

/// "distaff" as a field element, the first element of every transcript.
pub const PROTOCOL_TAG: u64 = 0x0066_6661_7473_6964;

/// The protocol version a proof's transcript starts with: 2 for proofs without hiding (the
/// protocol of format version 2, unchanged, so that such proofs are the same as before hiding
/// existed), 3 for hiding ones.
pub fn protocol_version(options: &ProofOptions) -> u64 {
    if options.hiding {
        3
    } else {
        2
    }
}

/// The elements the transcript is seeded with: tag, protocol version, options, log2 of the trace
/// length, and the AIR's public claim.
pub fn transcript_seed(options: &ProofOptions, trace_length_log2: u8, public_elements: &[Felt]) -> Vec<Felt> {
    let mut seed = Vec::new();
    seed.push(Felt::new(PROTOCOL_TAG));
    seed.push(Felt::new(protocol_version(options)));
    seed.extend_from_slice(&options.to_elements());
    seed.push(Felt::new(trace_length_log2 as u64));
    seed.extend_from_slice(public_elements);
    seed
}

/// Scaling a constraint value by an extension-field coefficient.
pub trait ScaleBy<E>: Copy {
    /// `coefficient · self`.
    fn scale_by(self, coefficient: E) -> E;
}

impl ScaleBy<QuadFelt> for Felt {
    #[inline(always)]
    fn scale_by(self, c: QuadFelt) -> QuadFelt {
        c.mul_base(self)
    }
}
impl ScaleBy<CubeFelt> for Felt {
    #[inline(always)]
    fn scale_by(self, c: CubeFelt) -> CubeFelt {
        c.mul_base(self)
    }
}
impl ScaleBy<QuadFelt> for QuadFelt {
    #[inline(always)]
    fn scale_by(self, c: QuadFelt) -> QuadFelt {
        c * self
    }
}
impl ScaleBy<CubeFelt> for CubeFelt {
    #[inline(always)]
    fn scale_by(self, c: CubeFelt) -> CubeFelt {
        c * self
    }
}

/// Folds constraint values with random coefficients, keeping one sum per divisor.
pub struct FoldingSink<'a, E> {
    coefficients: &'a [E],
    next: usize,
    /// Σ αᵢ·Tᵢ over transition constraints.
    pub transition: E,
    /// Σ βⱼ·Fⱼ over first-row constraints.
    pub first: E,
    /// Σ γₖ·Lₖ over last-row constraints.
    pub last: E,
}

impl<'a, E: FieldElement> FoldingSink<'a, E> {
    /// A sink using `coefficients` in emission order.
    pub fn new(coefficients: &'a [E]) -> Self {
        FoldingSink { coefficients, next: 0, transition: E::ZERO, first: E::ZERO, last: E::ZERO }
    }

    /// Whether exactly one coefficient was used per constraint emitted (a constraint beyond
    /// the coefficients would otherwise be folded with weight zero, and so never checked).
    pub fn complete(&self) -> bool {
        self.next == self.coefficients.len()
    }
}

impl<E: FieldElement, V: ScaleBy<E>> ConstraintSink<V> for FoldingSink<'_, E> {
    #[inline(always)]
    fn emit(&mut self, kind: ConstraintKind, _: &'static str, _: usize, value: V) {
        let c = self.coefficients.get(self.next).copied().unwrap_or(E::ZERO);
        self.next += 1;
        let v = value.scale_by(c);
        match kind {
            ConstraintKind::Transition => self.transition += v,
            ConstraintKind::FirstRow => self.first += v,
            ConstraintKind::LastRow => self.last += v,
        }
    }
}

/// The out-of-domain frame: the main and auxiliary trace rows at `z` and at `z·g`.
#[derive(Clone, Copy, Debug)]
pub struct OodFrame<'a, E> {
    /// Main trace at `z`.
    pub current: &'a [E],
    /// Main trace at `z·g`.
    pub next: &'a [E],
    /// Auxiliary trace at `z`.
    pub aux_current: &'a [E],
    /// Auxiliary trace at `z·g`.
    pub aux_next: &'a [E],
}

/// The composition polynomial `Q` at the out-of-domain point `z` (the trace's length `n`),
/// computed from the frame the prover sends: the value the composition columns must combine
/// to ([`combine_composition_columns`]). `None` when a divisor vanishes at `z` (`z^n = 1`,
/// which covers the boundary divisors' roots `z = 1` and `z = ω^(n−1)`: both are n-th roots of
/// unity), or when the AIR emits another number of constraints than there are coefficients.
pub fn composition_at<A: Air, E>(air: &A, frame: OodFrame<'_, E>, alphas: &[E], challenges: &[E], z: E) -> Option<E>
where
    E: FieldElement<BaseField = Felt> + ScaleBy<E>,
    Felt: ScaleBy<E>,
{
    let n = air.trace_length();
    let g = Felt::get_root_of_unity(n.trailing_zeros());
    let g_last = E::from(g.inv());
    let z_n = z.exp((n as u64).into());
    if z_n == E::ONE {
        return None;
    }
    let periodic = periodic_values_at(&periodic_polys(&air.periodic_columns()), z, n);
    let mut sink = FoldingSink::new(alphas);
    air.evaluate_main(frame.current, frame.next, &periodic, &mut sink);
    air.evaluate_main_boundary(frame.current, frame.current, &mut sink);
    air.evaluate_aux(frame.current, frame.next, frame.aux_current, frame.aux_next, &periodic, challenges, &mut sink);
    if !sink.complete() {
        return None;
    }
    Some(sink.transition * (z - g_last) / (z_n - E::ONE) + sink.first / (z - E::ONE) + sink.last / (z - g_last))
}

/// `Σ z^(i·c)·H_i(z)`: the composition polynomial at `z` from its columns' values there, for
/// columns of `c` coefficients each (`c = n` without hiding; see [`crate::shape`]).
pub fn combine_composition_columns<E: FieldElement<BaseField = Felt>>(columns_at_z: &[E], z: E, c: usize) -> E {
    let z_n = z.exp((c as u64).into());
    let mut acc = E::ZERO;
    let mut z_pow = E::ONE;
    for h in columns_at_z {
        acc += z_pow * *h;
        z_pow *= z_n;
    }
    acc
}

/// Coefficients of each periodic column's polynomial in `x^(n/period)` (interpolated over the
/// subgroup of its period).
pub fn periodic_polys(columns: &[Vec<Felt>]) -> Vec<Vec<Felt>> {
    // (the inverse twiddles and 1/period once per period: an AIR's columns share few periods,
    // the VM's 28 all have period 8)
    let mut per_period: Vec<(usize, Vec<Felt>, Felt)> = Vec::new();
    columns
        .iter()
        .map(|col| {
            let mut c = col.clone();
            let len = c.len();
            if len > 1 {
                let k = per_period.iter().position(|(period, ..)| *period == len).unwrap_or_else(|| {
                    per_period.push((len, fft::get_inv_twiddles::<Felt>(len), Felt::new(len as u64).inv()));
                    per_period.len() - 1
                });
                let (_, inv_twiddles, inv_len) = &per_period[k];
                fft::serial_fft(&mut c, inv_twiddles);
                c.iter_mut().for_each(|v| *v *= *inv_len);
            }
            c
        })
        .collect()
}

/// Evaluates the periodic columns at `x` for a trace of `trace_length` rows.
pub fn periodic_values_at<E: FieldElement<BaseField = Felt>>(polys: &[Vec<Felt>], x: E, trace_length: usize) -> Vec<E> {
    // (`x^(n/period)` once per period)
    let mut powers: Vec<(usize, E)> = Vec::new();
    polys
        .iter()
        .map(|p| {
            let period = p.len().max(1);
            let y = match powers.iter().find(|(q, _)| *q == period) {
                Some(&(_, y)) => y,
                None => {
                    let y = x.exp(((trace_length / period) as u64).into());
                    powers.push((period, y));
                    y
                }
            };
            let mut acc = E::ZERO;
            for c in p.iter().rev() {
                acc = acc * y + E::from(*c);
            }
            acc
        })
        .collect()
}

/// Number of DEEP coefficients: two per trace column (main and auxiliary), one per
/// composition column, and the degree-correction coefficient `β`.
pub fn num_deep_coefficients(trace_width: usize, composition_columns: usize) -> usize {
    2 * trace_width + composition_columns + 1
}

/// The factor `1 + β·x^k` FRI's input is multiplied by, given `x^k`.
///
/// The DEEP polynomial `D` has `K` coefficients, `k` fewer than FRI's bound `B` (without hiding
/// `K = n − 1`, `B = n`, `k = 1`; see [`crate::shape`]). FRI on `F = D + β·x^k·D` tests the
/// tighter bound: if `F` is close to a polynomial of fewer than `B` coefficients for a random
/// `β` (drawn after `D` is fixed by the commitments and the out-of-domain frame), then by FRI's
/// correlated agreement `D` and `x^k·D` agree with polynomials `P` and `P'` of fewer than `B`
/// coefficients on one large set; if that set holds more than `B` points, `x^k·P = P'`, so
/// `P` has fewer than `K` coefficients. (In the list-decoding regime of the conjecture the
/// security formula uses, the agreement set may be smaller than that; the correction then
/// bounds the code `D` is close to no better than `B` does, and the formula's rate is `B`'s.)
pub fn degree_correction<E: FieldElement<BaseField = Felt>>(beta: E, x_to_k: E) -> E {
    E::ONE + beta * x_to_k
}

#[cfg(test)]
mod tests {
    use super::*;
    use distaff_air::constraints::ConstraintKind;

    #[test]
    fn base_values_fold_as_their_extension_embeddings() {
        // (the prover folds base-field constraint values; the verifier folds extension values)
        fn check<E: FieldElement<BaseField = Felt> + ScaleBy<E>>(make: fn(u64) -> E)
        where
            Felt: ScaleBy<E>,
        {
            let alphas: Vec<E> = (0..4u64).map(|i| make(i * 977 + 5)).collect();
            let values = [Felt::new(3), Felt::new(u64::MAX - 1000), Felt::new(7), Felt::new(1 << 40)];
            let kinds = [
                ConstraintKind::Transition,
                ConstraintKind::FirstRow,
                ConstraintKind::LastRow,
                ConstraintKind::Transition,
            ];
            let (mut base, mut ext) = (FoldingSink::new(&alphas), FoldingSink::new(&alphas));
            for (v, k) in values.iter().zip(kinds) {
                ConstraintSink::<Felt>::emit(&mut base, k, "c", 0, *v);
                ConstraintSink::<E>::emit(&mut ext, k, "c", 0, E::from(*v));
            }
            assert!(base.complete() && ext.complete());
            assert_eq!((base.transition, base.first, base.last), (ext.transition, ext.first, ext.last));
            assert_eq!(base.first, alphas[1] * E::from(values[1]));
            assert_ne!(base.transition, E::ZERO);
        }
        check::<QuadFelt>(|i| QuadFelt::new(Felt::new(i), Felt::new(i * i + 1)));
        check::<CubeFelt>(|i| CubeFelt::new(Felt::new(i), Felt::new(i + 3), Felt::new(i * 5)));
    }

    #[test]
    fn a_sink_is_complete_with_exactly_one_emission_per_coefficient() {
        let alphas = [QuadFelt::ONE; 2];
        for (emitted, complete) in [(0, false), (1, false), (2, true), (3, false)] {
            let mut sink = FoldingSink::new(&alphas);
            for _ in 0..emitted {
                ConstraintSink::<Felt>::emit(&mut sink, ConstraintKind::Transition, "c", 0, Felt::ONE);
            }
            assert_eq!(sink.complete(), complete, "{emitted} emitted");
        }
    }

    #[test]
    fn the_composition_is_not_evaluated_where_a_divisor_vanishes() {
        use distaff_air::{ProcessorAir, PublicInputs};
        // (the frame is empty: the point is refused before the constraints are evaluated)
        let n = 64;
        let air = ProcessorAir::new(PublicInputs::new([Felt::ONE; 4], Vec::new(), Vec::new()), n);
        let frame = OodFrame::<QuadFelt> { current: &[], next: &[], aux_current: &[], aux_next: &[] };
        let g = Felt::get_root_of_unity(6);
        // z^n = 1 at every n-th root of unity, not only at 1 and g^(n−1)
        for z in [Felt::ONE, g, g.exp(2), g.exp(32), g.inv()] {
            assert_eq!(composition_at(&air, frame, &[], &[], QuadFelt::from(z)), None, "{z}");
        }
    }

    #[test]
    fn periodic_polynomials_are_winter_math_s_interpolation() {
        let columns: Vec<Vec<Felt>> = [8usize, 2, 8, 16, 4, 8]
            .iter()
            .enumerate()
            .map(|(i, &len)| (0..len).map(|j| Felt::new((i * 31 + j * j + 5) as u64)).collect())
            .collect();
        let polys = periodic_polys(&columns);
        let n = 64;
        let x = QuadFelt::new(Felt::new(3), Felt::new(11));
        let values = periodic_values_at(&polys, x, n);
        for (k, column) in columns.iter().enumerate() {
            let mut expected = column.clone();
            fft::interpolate_poly(&mut expected, &fft::get_inv_twiddles::<Felt>(column.len()));
            assert_eq!(polys[k], expected, "column {k}");
            // each value is the column's polynomial at x^(n/period), and it reproduces the column
            let y = x.exp((n / column.len()) as u64);
            assert_eq!(
                values[k],
                distaff_math::polynom::eval(&expected.iter().map(|&c| QuadFelt::from(c)).collect::<Vec<_>>(), y)
            );
            let root = Felt::get_root_of_unity(column.len().trailing_zeros());
            for (j, &v) in column.iter().enumerate() {
                assert_eq!(distaff_math::polynom::eval(&polys[k], root.exp(j as u64)), v, "column {k}, row {j}");
            }
        }
    }

    #[test]
    fn a_constant_periodic_column_is_its_own_polynomial() {
        // (a column of period 1 is not interpolated: an FFT needs two points)
        let polys = periodic_polys(&[alloc::vec![Felt::new(5)], alloc::vec![Felt::new(3), Felt::new(3)]]);
        assert_eq!(polys, [alloc::vec![Felt::new(5)], alloc::vec![Felt::new(3), Felt::ZERO]]);
        assert_eq!(
            periodic_values_at(&polys, QuadFelt::from(Felt::new(9)), 64),
            [QuadFelt::from(Felt::new(5)), QuadFelt::from(Felt::new(3))]
        );
    }
}
