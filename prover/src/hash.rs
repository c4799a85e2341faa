//! Hashing LDE rows into Merkle leaves, and merging Merkle nodes.
//!
//! winter-crypto's `Blake3_256::hash_elements` feeds a row of Goldilocks elements to BLAKE3
//! one 8-byte element at a time (winter-math stores elements in Montgomery form, so each is
//! serialised on its own), and a row of 58 elements is 464 bytes: eight compressions, one
//! after the other, each a single-block call. [`RowHasher::hash_rows_into`] serialises 16 rows at a
//! time and compresses their full blocks side by side with BLAKE3's many-inputs SIMD routine
//! (`blake3::platform::Platform::hash_many`, the routine BLAKE3 uses for the chunks of one long
//! input), then each row's final block on its own: the same bytes and the same BLAKE3
//! chaining, so the same digest as `hash_elements` (tests check it for every width up to 128
//! elements and every extension), which is what the verifier recomputes. Merkle nodes are
//! merged the same way, 16 at a time ([`RowHasher::merge_into`]); [`crate::merkle`] builds the
//! trees from these two, with winter-crypto's roots and openings.

use std::borrow::Cow;

use crate::dft::RowLayout;
use distaff_math::Felt;
use distaff_math::FieldElement;
use winter_crypto::hashers::{Blake3_256, Rp64_256};
use winter_crypto::{Digest, ElementHasher, Hasher};

/// winter-crypto's BLAKE3 digest type (not exported under its own name).
type ByteDigest = <Blake3_256<Felt> as Hasher>::Digest;

/// Rows of base-field elements to be hashed into Merkle leaves.
pub(crate) trait Rows: Sync {
    /// Elements per row.
    fn width(&self) -> usize;

    /// Row `i`.
    fn elements(&self, i: usize) -> Cow<'_, [Felt]>;

    /// Row `i` as winter-math serialises it (8 little-endian bytes per element), into
    /// `out[..8 * width]`.
    fn write_bytes(&self, i: usize, out: &mut [u8]) {
        write_elements(&self.elements(i), out)
    }
}

/// A row-major matrix, as base-field elements (an extension element is its coordinates). The
/// prover stores its LDEs as [`Stored`] rows, and hashes plain matrices of rows it evaluated
/// (`crate::commit::open_evaluated`).
pub(crate) struct Dense<'a> {
    values: &'a [Felt],
    width: usize,
}

impl<'a> Dense<'a> {
    /// The rows of a row-major matrix `width` extension elements wide (`width > 0`).
    pub fn new<E: FieldElement<BaseField = Felt>>(rows: &'a [E], width: usize) -> Self {
        debug_assert!(width > 0 && rows.chunks_exact(width).remainder().is_empty(), "whole rows");
        Dense { values: E::slice_as_base_elements(rows), width: width * E::EXTENSION_DEGREE }
    }
}

impl Rows for Dense<'_> {
    fn width(&self) -> usize {
        self.width
    }

    fn elements(&self, i: usize) -> Cow<'_, [Felt]> {
        Cow::Borrowed(&self.values[i * self.width..(i + 1) * self.width])
    }
}

/// Rows stored as a [`RowLayout`] describes (only the varying columns): row `i` is the full
/// row, the constant columns included.
pub(crate) struct Stored<'a> {
    rows: &'a [Felt],
    layout: &'a RowLayout,
    /// The rows' [`crate::dft::Extras`] values, `layout.extras().len()` per row.
    extras: &'a [Felt],
    /// The bytes of the layout's template row: the constant columns' bytes are the same in
    /// every row, serialised once.
    template: Vec<u8>,
}

impl<'a> Stored<'a> {
    /// Rows stored `layout.stored_width()` values each.
    pub fn new(rows: &'a [Felt], layout: &'a RowLayout) -> Self {
        Self::with_extras(rows, layout, &[])
    }

    /// Rows stored `layout.stored_width()` values each, with `layout.extras().len()` values per
    /// row of the masked constant columns in `extras` (empty if the layout has none).
    pub fn with_extras(rows: &'a [Felt], layout: &'a RowLayout, extras: &'a [Felt]) -> Self {
        let row = layout.template();
        let mut template = vec![0u8; 8 * row.len()];
        write_elements(&row, &mut template);
        Stored { rows, layout, extras, template }
    }

    fn stored(&self, i: usize) -> &[Felt] {
        let sw = self.layout.stored_width();
        &self.rows[i * sw..(i + 1) * sw]
    }

    fn extras(&self, i: usize) -> &[Felt] {
        let w = self.layout.extras().len();
        &self.extras[i * w..(i + 1) * w]
    }
}

impl Rows for Stored<'_> {
    fn width(&self) -> usize {
        self.template.len() / 8
    }

    fn elements(&self, i: usize) -> Cow<'_, [Felt]> {
        let mut row = self.layout.expand(self.stored(i));
        self.layout.fill_extras(self.extras(i), &mut row);
        Cow::Owned(row)
    }

    fn write_bytes(&self, i: usize, out: &mut [u8]) {
        out[..self.template.len()].copy_from_slice(&self.template);
        for (&c, x) in self.layout.columns().iter().zip(self.stored(i)) {
            out[8 * c..8 * c + 8].copy_from_slice(&x.as_int().to_le_bytes());
        }
        for (&c, x) in self.layout.extras().iter().zip(self.extras(i)) {
            out[8 * c..8 * c + 8].copy_from_slice(&x.as_int().to_le_bytes());
        }
    }
}

/// Rows followed by their salts (the leaves of a hiding proof's trees): row `k` is row
/// `index(k)` of `rows`, then `salts[k·salt_len .. (k + 1)·salt_len]`.
pub(crate) struct Salted<'a, R: Rows, F: Fn(usize) -> usize + Sync> {
    pub rows: &'a R,
    pub index: F,
    pub salts: &'a [Felt],
    pub salt_len: usize,
}

impl<R: Rows, F: Fn(usize) -> usize + Sync> Rows for Salted<'_, R, F> {
    fn width(&self) -> usize {
        self.rows.width() + self.salt_len
    }

    fn elements(&self, k: usize) -> Cow<'_, [Felt]> {
        let mut row = self.rows.elements((self.index)(k)).into_owned();
        row.extend_from_slice(&self.salts[k * self.salt_len..(k + 1) * self.salt_len]);
        Cow::Owned(row)
    }

    fn write_bytes(&self, k: usize, out: &mut [u8]) {
        let w = self.rows.width();
        self.rows.write_bytes((self.index)(k), &mut out[..8 * w]);
        write_elements(&self.salts[k * self.salt_len..(k + 1) * self.salt_len], &mut out[8 * w..]);
    }
}

/// A hasher that hashes rows of field elements into Merkle leaves with the digests of
/// `hash_elements`, and merges nodes with the digests of `merge`, possibly many at a time.
/// Both run on the calling thread: [`crate::merkle`] spreads them over the rayon pool.
pub(crate) trait RowHasher: ElementHasher<BaseField = Felt> + Sized {
    /// `out[k] = Self::hash_elements(row index(k) of rows)`.
    fn hash_rows_into<R: Rows>(rows: &R, index: impl Fn(usize) -> usize, out: &mut [Self::Digest]) {
        each_row::<Self, R>(rows, index, out)
    }

    /// `parents[j] = Self::merge(children[2j], children[2j + 1])`.
    fn merge_into(children: &[Self::Digest], parents: &mut [Self::Digest]) {
        for (parent, pair) in parents.iter_mut().zip(children.chunks_exact(2)) {
            *parent = Self::merge(&[pair[0], pair[1]]);
        }
    }
}

impl RowHasher for Rp64_256 {}

/// `hash_elements` of each row, one at a time.
fn each_row<H: ElementHasher<BaseField = Felt>, R: Rows>(
    rows: &R,
    index: impl Fn(usize) -> usize,
    out: &mut [H::Digest],
) {
    for (k, digest) in out.iter_mut().enumerate() {
        *digest = H::hash_elements(&rows.elements(index(k)));
    }
}

/// The canonical little-endian bytes of each element, as winter-math serialises them.
#[inline(always)]
fn write_elements(row: &[Felt], out: &mut [u8]) {
    for (bytes, x) in out.chunks_exact_mut(8).zip(row) {
        bytes.copy_from_slice(&x.as_int().to_le_bytes());
    }
}

// BLAKE3 constants from its specification (the crate keeps them private): the initial chaining
// value (SHA-256's) and the domain-separation flags of a chunk's first and last blocks and of
// the root. The tests compare every digest with `blake3::hash`, so a wrong constant fails them.
const IV: [u32; 8] = [0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19];
const CHUNK_START: u8 = 1;
const CHUNK_END: u8 = 2;
const ROOT: u8 = 8;
/// BLAKE3's block and chunk sizes in bytes. An input of at most one chunk is hashed as that
/// chunk's blocks chained from `IV`, the last block flagged as the root.
const BLOCK: usize = 64;
const CHUNK: usize = 1024;
/// Rows (or merges) handed to `hash_many` at once: the widest SIMD degree BLAKE3 has (AVX-512).
const LANES: usize = 16;

/// The first `N` bytes of a chunk buffer as an array.
#[inline(always)]
fn prefix<const N: usize>(buf: &[u8; CHUNK]) -> &[u8; N] {
    const { assert!(N <= CHUNK) };
    // SAFETY: N <= CHUNK (checked at compile time), and [u8; N] has alignment 1
    unsafe { &*(buf.as_ptr() as *const [u8; N]) }
}

/// Chaining values after the first `blocks` full blocks of each input (as `CHUNK_START` of a
/// chunk at counter 0), written to `out` (32 bytes per input).
fn prefix_chaining_values(
    platform: &blake3::platform::Platform,
    inputs: &[[u8; CHUNK]],
    blocks: usize,
    out: &mut [u8],
) {
    macro_rules! dispatch {
        ($($k:literal)*) => {
            match blocks {
                $($k => {
                    let refs: Vec<&[u8; $k * BLOCK]> = inputs.iter().map(prefix::<{ $k * BLOCK }>).collect();
                    platform.hash_many(&refs, &IV, 0, blake3::IncrementCounter::No, 0, CHUNK_START, 0, out);
                })*
                _ => unreachable!("a chunk has at most 16 blocks and the last one is compressed alone"),
            }
        };
    }
    dispatch!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
}

/// Little-endian bytes of a chaining value (BLAKE3's output encoding).
#[inline(always)]
fn cv_bytes(cv: &[u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (bytes, word) in out.chunks_exact_mut(4).zip(cv) {
        bytes.copy_from_slice(&word.to_le_bytes());
    }
    out
}

/// BLAKE3 digests of `inputs[i][..len]` (each at most one chunk).
fn hash_chunks(platform: &blake3::platform::Platform, inputs: &[[u8; CHUNK]], len: usize, out: &mut [[u8; 32]]) {
    debug_assert!(len <= CHUNK && inputs.len() <= LANES);
    // every block but the last goes through hash_many; the last (1..=64 bytes, or the empty
    // input's empty block) is compressed as the root
    let full = len.saturating_sub(1) / BLOCK;
    let tail = len - full * BLOCK;
    let mut cvs = [0u8; 32 * LANES];
    if full > 0 {
        prefix_chaining_values(platform, inputs, full, &mut cvs[..32 * inputs.len()]);
    }
    let flags = CHUNK_END | ROOT | if full == 0 { CHUNK_START } else { 0 };
    for (k, (input, digest)) in inputs.iter().zip(out.iter_mut()).enumerate() {
        let mut cv = IV;
        if full > 0 {
            for (w, bytes) in cv.iter_mut().zip(cvs[32 * k..32 * k + 32].chunks_exact(4)) {
                *w = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            }
        }
        let mut block = [0u8; BLOCK];
        block[..tail].copy_from_slice(&input[full * BLOCK..len]);
        platform.compress_in_place(&mut cv, &block, tail as u8, 0, flags);
        *digest = cv_bytes(&cv);
    }
}

impl RowHasher for Blake3_256<Felt> {
    fn hash_rows_into<R: Rows>(rows: &R, index: impl Fn(usize) -> usize, out: &mut [Self::Digest]) {
        let len = rows.width() * 8;
        if len > CHUNK || len == 0 {
            return each_row::<Self, R>(rows, index, out);
        }
        let platform = blake3::platform::Platform::detect();
        let mut inputs = [[0u8; CHUNK]; LANES];
        let mut bytes = [[0u8; 32]; LANES];
        for (batch, out) in out.chunks_mut(LANES).enumerate() {
            for (k, input) in inputs.iter_mut().take(out.len()).enumerate() {
                rows.write_bytes(index(batch * LANES + k), &mut input[..len]);
            }
            hash_chunks(&platform, &inputs[..out.len()], len, &mut bytes);
            for (digest, b) in out.iter_mut().zip(bytes) {
                *digest = ByteDigest::new(b);
            }
        }
    }

    /// BLAKE3 of the two digests' 64 bytes, 16 merges at a time.
    fn merge_into(children: &[Self::Digest], parents: &mut [Self::Digest]) {
        let platform = blake3::platform::Platform::detect();
        for (out, pairs) in parents.chunks_mut(LANES).zip(children.chunks(2 * LANES)) {
            let mut inputs = [[0u8; BLOCK]; LANES];
            for (input, pair) in inputs.iter_mut().zip(pairs.chunks_exact(2)) {
                input[..32].copy_from_slice(&pair[0].as_bytes());
                input[32..].copy_from_slice(&pair[1].as_bytes());
            }
            let refs: Vec<&[u8; BLOCK]> = inputs[..out.len()].iter().collect();
            let mut bytes = [0u8; 32 * LANES];
            let flags = (ROOT, CHUNK_START, CHUNK_END);
            platform.hash_many(&refs, &IV, 0, blake3::IncrementCounter::No, flags.0, flags.1, flags.2, &mut bytes);
            for (digest, b) in out.iter_mut().zip(bytes.chunks_exact(32)) {
                let mut d = [0u8; 32];
                d.copy_from_slice(b);
                *digest = ByteDigest::new(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use distaff_math::{CubeFelt, QuadFelt};

    fn digests<H: RowHasher, R: Rows>(rows: &R, count: usize) -> Vec<H::Digest> {
        let mut out = vec![H::Digest::default(); count];
        H::hash_rows_into(rows, |k| k, &mut out);
        out
    }

    fn rows<E: FieldElement<BaseField = Felt>>(make: impl Fn(u64) -> E) {
        // every tail length (widths 1..=128 base elements cover 8..=1024 bytes), then rows of more
        // than one chunk, and row counts that do and do not fill the last batch of 16
        let d = E::EXTENSION_DEGREE;
        for width in (1..=128 / d).chain([129, 200]) {
            for count in [1usize, 5, 16, 37] {
                let rows: Vec<E> =
                    (0..(width * count) as u64).map(|i| make(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i)).collect();
                let dense = Dense::new(&rows, width);
                let expected: Vec<_> = rows.chunks(width).map(Blake3_256::<Felt>::hash_elements).collect();
                assert_eq!(digests::<Blake3_256<Felt>, _>(&dense, count), expected, "width {width}, {count} rows");
                let expected: Vec<_> = rows.chunks(width).map(Rp64_256::hash_elements).collect();
                assert_eq!(digests::<Rp64_256, _>(&dense, count), expected);
            }
        }
    }

    #[test]
    fn row_digests_are_hash_elements_digests() {
        rows::<Felt>(|x| Felt::new(x % 0xFFFF_FFFF_0000_0001));
        rows::<QuadFelt>(|x| QuadFelt::new(Felt::new(x), Felt::new(u64::MAX - x)));
        rows::<CubeFelt>(|x| CubeFelt::new(Felt::new(x), Felt::new(x >> 3), Felt::new(u64::MAX)));
    }

    #[test]
    fn merges_are_merge_digests() {
        for count in [2usize, 32, 34, 70] {
            let children: Vec<_> = (0..count as u64).map(|i| Blake3_256::<Felt>::hash(&i.to_le_bytes())).collect();
            let mut parents = vec![ByteDigest::default(); count / 2];
            Blake3_256::<Felt>::merge_into(&children, &mut parents);
            let expected: Vec<_> = children.chunks(2).map(|p| Blake3_256::<Felt>::merge(&[p[0], p[1]])).collect();
            assert_eq!(parents, expected, "{count} children");
        }
    }

    #[test]
    fn stored_row_digests_are_full_row_digests() {
        // constant columns (5, 0, 9) between varying ones; 37 rows of 16 (not a whole batch)
        let n = 16;
        let varying = |c: u64| (0..n as u64).map(|i| Felt::new(i * i + 7 * c + 1)).collect::<Vec<Felt>>();
        for cols in [
            vec![vec![Felt::new(5); n], varying(0), vec![Felt::ZERO; n], varying(1), vec![Felt::new(9); n]],
            (0..130).map(|c| if c % 3 == 0 { varying(c) } else { vec![Felt::new(c); n] }).collect(),
            vec![vec![Felt::new(3); n]; 4],
        ] {
            let coefficients = crate::dft::interpolate_columns(&cols);
            let layout = RowLayout::of(&coefficients);
            let blowup = 4;
            let rows = crate::dft::lde_cosets(&coefficients, blowup);
            let sw = layout.stored_width();
            let full: Vec<Vec<Felt>> = (0..n * blowup).map(|i| layout.expand(&rows[i * sw..(i + 1) * sw])).collect();
            let stored = Stored::new(&rows, &layout);
            let expected: Vec<_> = full.iter().map(|r| Blake3_256::<Felt>::hash_elements(r)).collect();
            assert_eq!(digests::<Blake3_256<Felt>, _>(&stored, n * blowup), expected);
            let expected: Vec<_> = full.iter().map(|r| Rp64_256::hash_elements(r)).collect();
            assert_eq!(digests::<Rp64_256, _>(&stored, n * blowup), expected);
            // and the full rows are the LDE's
            let lde = crate::dft::lde_rows(&coefficients, blowup);
            let w = cols.len();
            for (i, row) in full.iter().enumerate() {
                let p = (i % n) * blowup + i / n;
                assert_eq!(&row[..], &lde[p * w..(p + 1) * w]);
            }
        }
    }
}
