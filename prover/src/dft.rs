//! Polynomial transforms for the prover, on Plonky3's parallel radix-2 DFT (`p3-dft`).
//!
//! winter-math's FFT costs about 10 ns per butterfly on our development machine; Plonky3's
//! batched DFT over row-major matrices is about three times faster and produces the row-major
//! layout the Merkle tree and the constraint evaluator read. Both work over the same
//! Goldilocks field, but they pick different generators for each two-adic subgroup:
//! Plonky3's generator of order `n` is `g^e` for winter-math's generator `g` and some odd `e`
//! (found once per size by a discrete logarithm in the 2-group). Since winter-fri (and our
//! protocol) index domains by winter-math's generator, inputs and outputs are reindexed by
//! `i -> e·i mod n` on the way in and out.

use distaff_math::{Felt, FieldElement, StarkField};
use p3_dft::{Butterfly, Radix2DitParallel, TwoAdicSubgroupDft};
use p3_field::{Field, PackedValue, PrimeCharacteristicRing, PrimeField64, TwoAdicField};
use p3_goldilocks::Goldilocks;
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;
use rayon::prelude::*;

/// Plonky3's SIMD pack of Goldilocks elements for this target (AVX-512: 8, AVX2: 4, else 1).
type Packed = <Goldilocks as Field>::Packing;

/// A row-major matrix over Plonky3's Goldilocks.
pub type Matrix64 = RowMajorMatrix<Goldilocks>;

/// A coefficient matrix (row `k` = coefficients of `x^k`, one column per polynomial) that
/// stores only its varying columns, those whose polynomial is not constant: a constant column
/// is its constant (in a Fibonacci trace 25 of 58 columns are constant; leaving them out saves
/// 100 MB of a 2^18-row trace's coefficients). The transforms, the out-of-domain evaluation and
/// the DEEP combination all skip the constant columns.
pub struct Coefficients {
    /// The varying columns' coefficients (`n` rows of `varying.len()`).
    matrix: Matrix64,
    /// Coefficients of `x^n` and up (a polynomial masked for zero knowledge, or a composition
    /// column of a hiding proof, has more than `n`), one row per power, the varying columns'
    /// widths; on a coset of the LDE domain, where `x^n` is a constant `κ`, the polynomial
    /// equals the one of `n` coefficients `low + κ·high`.
    high: Option<Matrix64>,
    height: usize,
    varying: Vec<usize>,
    /// Per column: its position among the varying columns, if it varies.
    position: Vec<Option<usize>>,
    /// Per column: its polynomial's constant coefficient (for an [`Extras`] column: its value
    /// on the trace domain).
    constants: Vec<Felt>,
    /// Columns constant on the trace domain and masked ([`Coefficients::masked_sparse`]): not
    /// among the varying columns, never transformed or stored.
    extras: Extras,
}

/// Columns that are constant on the trace domain, masked for zero knowledge: column
/// `columns[t]` is `v_t + Z_H(x)·r_t(x)` with `Z_H = x^n − 1` and `r_t` of `h` coefficients.
///
/// Their LDE is never stored (in a Fibonacci trace they are 18 of 58 columns, a third of the
/// stored LDE): on a coset `s·<g>` of the LDE domain `Z_H` is the constant `s^n − 1`, and `r_t`
/// has only `h` coefficients, so its `n` values there are `n/H` transforms of `H` points (`H`
/// = `h` rounded up to a power of two, [`Extras::coset`]): `log H / log n` of a full column's
/// transform, recomputed whenever a coset is needed. At any other point they are `h`-term
/// Horner sums ([`Extras::at`]).
#[derive(Clone, Debug, Default)]
pub struct Extras {
    columns: Vec<usize>,
    /// `v_t`.
    values: Vec<Felt>,
    /// Row-major, `h` rows of `columns.len()`: row `k` holds coefficient `k` of every `r_t`.
    masks: Vec<Felt>,
    h: usize,
}

impl Extras {
    /// No masked constant columns.
    pub const EMPTY: Extras = Extras { columns: Vec::new(), values: Vec::new(), masks: Vec::new(), h: 0 };

    /// The columns, in order.
    pub fn columns(&self) -> &[usize] {
        &self.columns
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The columns' values at `x`, `v_t + (x^n − 1)·r_t(x)`, for a trace of `n` rows.
    pub fn at<E: FieldElement<BaseField = Felt>>(&self, x: E, n: usize) -> Vec<E> {
        let w = self.len();
        if w == 0 {
            return Vec::new();
        }
        let mut acc = vec![E::ZERO; w];
        for row in self.masks.chunks(w).rev() {
            for (a, r) in acc.iter_mut().zip(row) {
                *a = *a * x + E::from(*r);
            }
        }
        let zh = x.exp((n as u64).into()) - E::ONE;
        acc.iter().zip(&self.values).map(|(a, v)| E::from(*v) + zh * *a).collect()
    }

    /// The coefficients of column `t`'s polynomial that may not be zero, as `(power, value)`.
    pub fn coefficients(&self, t: usize, n: usize) -> Vec<(usize, Felt)> {
        (0..self.h).chain(n..n + self.h).map(|k| (k, self.coefficient(k, t, n))).collect()
    }

    /// Coefficient `k` of column `t`'s polynomial (`v_t − r_t` below `h`, `r_t` from `n`).
    fn coefficient(&self, k: usize, t: usize, n: usize) -> Felt {
        let w = self.len();
        let low = if k < self.h { -self.masks[k * w + t] } else { Felt::ZERO };
        let high = if k >= n && k - n < self.h { self.masks[(k - n) * w + t] } else { Felt::ZERO };
        low + high + if k == 0 { self.values[t] } else { Felt::ZERO }
    }

    /// The columns' values on coset `j` (`offset·ω^j·<g>`) of the LDE domain of a trace of `n`
    /// rows: row-major, row `i` (natural order) at the point `offset·ω^j·g^i`.
    ///
    /// With `m = n/H` and `u = g^m` (of order `H`), row `b + m·a` is the point `y_b·u^a`
    /// (`y_b = offset·ω^j·g^b`), so `v_t + Z_H·r_t` there is a transform of `H` points of the
    /// coefficients `v_t + Z_H·r_t[0]`, then `Z_H·r_t[k]·y_b^k`. The transforms are done a tile
    /// of consecutive `b` at a time (all `H` rows, about 256 KiB, which stay in cache through the
    /// `log H` layers; within a row the tile's `b` are contiguous for each column, so the scaling
    /// and the butterflies run on packed vectors), each tile's results written to its rows.
    pub fn coset(&self, j: usize, n: usize, blowup: usize) -> Vec<Felt> {
        let w = self.len();
        if w == 0 {
            return Vec::new();
        }
        let big_h = self.h.next_power_of_two();
        assert!(big_h <= n && n.is_power_of_two(), "masks shorter than the trace");
        let log_h = big_h.trailing_zeros();
        let m = n / big_h;
        let omega = Felt::get_root_of_unity((n * blowup).trailing_zeros());
        let shift = Felt::GENERATOR * omega.exp(j as u64);
        let g = Felt::get_root_of_unity(n.trailing_zeros());
        // Z_H on the coset
        let zh = shift.exp(n as u64) - Felt::ONE;
        // the transform's twiddles: powers of u
        let u = g.exp(m as u64);
        let twiddles: Vec<Goldilocks> = (0..big_h / 2).map(|k| constant_to_p3(u.exp(k as u64))).collect();
        let values: Vec<Goldilocks> = self.values.iter().map(|v| to_p3(*v)).collect();
        // r_t[k]·Z_H, row-major like `masks`
        let masks: Vec<Goldilocks> = self.masks.iter().map(|r| to_p3(*r * zh)).collect();
        // b per tile: a tile of about 256 KiB
        let tile_b = (32 * 1024 / (w * big_h)).next_power_of_two().clamp(1, m);
        let tile_w = tile_b * w;
        crate::memory::filled(n * w, |out| {
            // tiles[q][a]: the rows b + m·a of tile q (b = q·tile_b ..)
            let mut tiles: Vec<Vec<&mut [core::mem::MaybeUninit<Felt>]>> =
                (0..m / tile_b).map(|_| Vec::with_capacity(big_h)).collect();
            for block in out.chunks_mut(m * w) {
                for (q, rows) in block.chunks_mut(tile_w).enumerate() {
                    tiles[q].push(rows);
                }
            }
            // G[k][bb] = g^(k·bb): y_b^k = y_(b0)^k·G[k][b − b0] in a tile starting at b0
            let gk: Vec<Felt> = (0..self.h).map(|k| g.exp(k as u64)).collect();
            let powers: Vec<Goldilocks> = gk
                .iter()
                .flat_map(|gk| {
                    let mut p = Felt::ONE;
                    (0..tile_b).map(move |_| {
                        let out = constant_to_p3(p);
                        p *= *gk;
                        out
                    })
                })
                .collect();
            tiles.into_par_iter().enumerate().for_each_init(
                || vec![Goldilocks::ZERO; big_h * tile_w],
                |tile, (q, mut rows)| {
                    // row k, segment t: r_t[k]·Z_H·y_b^k for the tile's b (rows h..H stay zero)
                    let y0 = shift * g.exp((q * tile_b) as u64);
                    let mut y0k = Felt::ONE;
                    for k in 0..self.h {
                        let pk = &powers[k * tile_b..(k + 1) * tile_b];
                        let y = constant_to_p3(y0k);
                        let row = &mut tile[k * tile_w..(k + 1) * tile_w];
                        for (seg, r) in row.chunks_exact_mut(tile_b).zip(&masks[k * w..(k + 1) * w]) {
                            seg.copy_from_slice(pk);
                            p3_field::scale_slice_in_place_single_core(seg, *r * y);
                        }
                        y0k *= y0;
                    }
                    tile[self.h * tile_w..].fill(Goldilocks::ZERO);
                    // (after the zero rows: with h = 0 row 0 is one of them, and still holds v_t)
                    for (seg, v) in tile[..tile_w].chunks_exact_mut(tile_b).zip(&values) {
                        seg.iter_mut().for_each(|x| *x += *v);
                    }
                    // decimation in frequency: natural order in, bit-reversed order out
                    let mut half = big_h / 2;
                    while half >= 1 {
                        let stride = big_h / (2 * half);
                        for block in tile.chunks_mut(2 * half * tile_w) {
                            let (lo, hi) = block.split_at_mut(half * tile_w);
                            for (k, (a, b)) in lo.chunks_mut(tile_w).zip(hi.chunks_mut(tile_w)).enumerate() {
                                p3_dft::DifButterfly(twiddles[k * stride]).apply_to_rows(a, b);
                            }
                        }
                        half /= 2;
                    }
                    for (a, dst) in rows.iter_mut().enumerate() {
                        let p = if log_h == 0 { 0 } else { a.reverse_bits() >> (usize::BITS - log_h) };
                        let src = &tile[p * tile_w..(p + 1) * tile_w];
                        for (bb, out) in dst.chunks_exact_mut(w).enumerate() {
                            for (t, o) in out.iter_mut().enumerate() {
                                o.write(from_p3(src[t * tile_b + bb]));
                            }
                        }
                    }
                },
            );
        })
    }
}

impl Coefficients {
    /// Wraps a full coefficient matrix (every column), finding its varying columns.
    pub fn new(matrix: Matrix64) -> Self {
        let varying = varying_columns(&matrix);
        let width = matrix.width();
        let constants = (0..width).map(|c| coefficient(&matrix, 0, c)).collect();
        let height = if width == 0 { 0 } else { matrix.height() };
        if varying.len() == width {
            return Self::from_varying(matrix, height, varying, constants);
        }
        let w = varying.len();
        let values = crate::memory::filled(height * w, |values| {
            if w > 0 {
                values.par_chunks_mut(w).enumerate().for_each(|(k, row)| {
                    for (d, &c) in row.iter_mut().zip(&varying) {
                        d.write(matrix.values[k * width + c]);
                    }
                });
            }
        });
        Self::from_varying(RowMajorMatrix::new(values, w.max(1)), height, varying, constants)
    }

    /// From the varying columns' matrix and every column's constant coefficient.
    fn from_varying(matrix: Matrix64, height: usize, varying: Vec<usize>, constants: Vec<Felt>) -> Self {
        let mut position = vec![None; constants.len()];
        for (t, &c) in varying.iter().enumerate() {
            position[c] = Some(t);
        }
        Coefficients { matrix, high: None, height, varying, position, constants, extras: Extras::default() }
    }

    /// [`Coefficients::masked`], except that the masked columns that are constant (all of whose
    /// values on the trace domain are equal) become [`Extras`]: they stay out of the varying
    /// columns, so the LDE neither transforms nor stores them.
    pub fn masked_sparse(self, masks: &[(usize, Vec<Felt>)]) -> Self {
        let (dense, sparse): (Vec<_>, Vec<_>) = masks.iter().cloned().partition(|(c, _)| self.position[*c].is_some());
        let mut out = self.masked(&dense);
        if sparse.is_empty() {
            return out;
        }
        let h = sparse.iter().map(|m| m.1.len()).max().unwrap_or(0);
        debug_assert!(h <= out.height);
        let w = sparse.len();
        let mut masks = vec![Felt::ZERO; h * w];
        for (t, (_, r)) in sparse.iter().enumerate() {
            for (k, rk) in r.iter().enumerate() {
                masks[k * w + t] = *rk;
            }
        }
        out.extras = Extras {
            columns: sparse.iter().map(|m| m.0).collect(),
            values: sparse.iter().map(|m| out.constants[m.0]).collect(),
            masks,
            h,
        };
        out
    }

    /// The masked constant columns ([`Coefficients::masked_sparse`]).
    pub fn extras(&self) -> &Extras {
        &self.extras
    }

    /// These polynomials plus `Z_H(x)·r_c(x)` for each `(c, r_c)` of `masks` (`Z_H = x^n − 1`,
    /// the trace domain's vanishing polynomial, so the values on the trace domain do not
    /// change): the low coefficients lose `r_c`, the high ones are `r_c`. A masked column is
    /// never constant.
    pub fn masked(self, masks: &[(usize, Vec<Felt>)]) -> Self {
        if masks.is_empty() {
            return self;
        }
        let width = self.width();
        let n = self.height;
        let h = masks.iter().map(|m| m.1.len()).max().unwrap_or(0);
        debug_assert!(h <= n && self.high.is_none());
        let mut is_varying: Vec<bool> = self.position.iter().map(Option::is_some).collect();
        for (c, _) in masks {
            is_varying[*c] = true;
        }
        let varying: Vec<usize> = (0..width).filter(|&c| is_varying[c]).collect();
        let w = varying.len();
        let mut values = if varying == self.varying {
            self.matrix.values
        } else {
            let (old, old_w) = (&self.matrix.values, self.matrix.width());
            let (position, constants) = (&self.position, &self.constants);
            crate::memory::filled(n * w, |values| {
                values.par_chunks_mut(w).enumerate().for_each(|(k, row)| {
                    for (d, &c) in row.iter_mut().zip(&varying) {
                        d.write(match position[c] {
                            Some(t) => old[k * old_w + t],
                            None if k == 0 => to_p3(constants[c]),
                            None => Goldilocks::ZERO,
                        });
                    }
                });
            })
        };
        let mut high = vec![Goldilocks::ZERO; h * w];
        for (c, r) in masks {
            let t = varying.binary_search(c).expect("a masked column varies");
            for (k, rk) in r.iter().enumerate() {
                values[k * w + t] -= to_p3(*rk);
                high[k * w + t] = to_p3(*rk);
            }
        }
        let mut out = Self::from_varying(RowMajorMatrix::new(values, w.max(1)), n, varying, self.constants);
        out.high = Some(RowMajorMatrix::new(high, w.max(1)));
        out
    }

    /// Coefficients per column, with the high ones: one more than the largest degree.
    pub fn len(&self) -> usize {
        let high = self.high.as_ref().map_or(0, |m| m.height());
        self.height + high.max(if self.extras.is_empty() { 0 } else { self.extras.h })
    }

    /// Coefficients per varying column (the high ones included): the bound of
    /// [`Coefficients::stored_value`]'s `k`.
    pub fn varying_len(&self) -> usize {
        self.height + self.high.as_ref().map_or(0, |m| m.height())
    }

    /// The stored value of coefficient `k` (`< varying_len()`) of varying column `t` (see [`stored`]).
    #[inline(always)]
    pub fn stored_value(&self, k: usize, t: usize) -> u64 {
        match &self.high {
            Some(high) if k >= self.height => stored(high, k - self.height, t),
            _ => stored(&self.matrix, k, t),
        }
    }

    /// Number of columns (polynomials).
    pub fn width(&self) -> usize {
        self.constants.len()
    }

    /// Number of coefficients per column.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The columns whose polynomial is not constant (some coefficient beyond the first is not
    /// zero), in order.
    pub fn varying(&self) -> &[usize] {
        &self.varying
    }

    /// The varying columns' coefficients: column `t` is column `varying()[t]`.
    pub fn varying_matrix(&self) -> &Matrix64 {
        &self.matrix
    }

    /// The coefficient of `x^k` in column `c`.
    #[inline(always)]
    pub fn coefficient(&self, k: usize, c: usize) -> Felt {
        match self.position[c] {
            Some(t) if k >= self.height => match &self.high {
                Some(high) if k - self.height < high.height() => coefficient(high, k - self.height, t),
                _ => Felt::ZERO,
            },
            Some(t) => coefficient(&self.matrix, k, t),
            None => match self.extras.columns.iter().position(|&e| e == c) {
                Some(t) => self.extras.coefficient(k, t, self.height),
                None if k == 0 => self.constants[c],
                None => Felt::ZERO,
            },
        }
    }

    /// The columns whose polynomial is a constant, with it: neither varying nor [`Extras`].
    pub fn constant_columns(&self) -> impl Iterator<Item = (usize, Felt)> + '_ {
        (0..self.width())
            .filter(|&c| self.position[c].is_none() && !self.extras.columns.contains(&c))
            .map(|c| (c, self.constants[c]))
    }

    /// Column `c`'s constant coefficient (its value everywhere, if it does not vary; for one of
    /// the [`Extras`], its value on the trace domain).
    pub fn constant(&self, c: usize) -> Felt {
        self.constants[c]
    }
}

/// How the full rows of the prover's stored (or streamed) trace LDE are rebuilt: it stores only the varying columns of the coefficient matrix (in order), and
/// a constant column has its constant at every point. In a Fibonacci trace 25 of 58 columns are
/// constant; leaving them out saves their memory (and first touching it) and makes each stored
/// row one contiguous copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowLayout {
    varying: Vec<usize>,
    /// A full row with every constant column set (varying columns and extras zero).
    template: Vec<Felt>,
    /// The `Extras`' columns: their values come with each row from a second source.
    extras: Vec<usize>,
}

impl RowLayout {
    /// The layout of a coefficient matrix's LDE.
    pub fn of(coefficients: &Coefficients) -> Self {
        let mut template = vec![Felt::ZERO; coefficients.width()];
        for (c, v) in coefficients.constant_columns() {
            template[c] = v;
        }
        RowLayout { varying: coefficients.varying.clone(), template, extras: coefficients.extras.columns.clone() }
    }

    /// The layout of trace columns given by their values: a column of equal values is
    /// constant (its polynomial is that value), any other varies.
    pub fn from_columns(columns: &[Vec<Felt>]) -> Self {
        let mut template = vec![Felt::ZERO; columns.len()];
        let mut varying = Vec::new();
        for (c, col) in columns.iter().enumerate() {
            match col.first() {
                Some(v) if col.iter().all(|x| x == v) => template[c] = *v,
                _ => varying.push(c),
            }
        }
        RowLayout { varying, template, extras: Vec::new() }
    }

    /// The columns whose values come from `Extras` (a row of them per stored row).
    pub fn extras(&self) -> &[usize] {
        &self.extras
    }

    /// Writes a row of the `Extras`' values into their columns of a full row.
    #[inline(always)]
    pub fn fill_extras(&self, extras: &[Felt], row: &mut [Felt]) {
        for (&c, v) in self.extras.iter().zip(extras) {
            row[c] = *v;
        }
    }

    /// The varying columns, in order: stored value `t` belongs to column `columns()[t]`.
    pub fn columns(&self) -> &[usize] {
        &self.varying
    }

    /// Number of values a stored row holds.
    pub fn stored_width(&self) -> usize {
        self.varying.len()
    }

    /// A full row with the constant columns set, for [`RowLayout::fill`] to complete.
    pub fn template(&self) -> Vec<Felt> {
        self.template.clone()
    }

    /// Writes a stored row's values into their columns of a full row (from [`RowLayout::template`]).
    #[inline(always)]
    pub fn fill(&self, stored: &[Felt], row: &mut [Felt]) {
        for (&c, v) in self.varying.iter().zip(stored) {
            row[c] = *v;
        }
    }

    /// The full row of a stored row.
    pub fn expand(&self, stored: &[Felt]) -> Vec<Felt> {
        let mut row = self.template();
        self.fill(stored, &mut row);
        row
    }
}

// The transforms are linear, so they commute with winter-math's Montgomery scaling
// (`Felt` stores `x·R`): data (trace values, coefficients, evaluations) crosses between the two
// libraries as its stored value, with no conversion, and the transforms' outputs are again
// stored values. Only the constants a transform multiplies by (points, coset shifts,
// generators) must cross as the values they are.

/// Data into Plonky3: the stored value `x·R`.
#[inline(always)]
pub(crate) fn to_p3(x: Felt) -> Goldilocks {
    Goldilocks::new(x.inner())
}

/// Data out of Plonky3: a stored value.
#[inline(always)]
fn from_p3(x: Goldilocks) -> Felt {
    Felt::from_mont(x.as_canonical_u64())
}

/// A constant into Plonky3 (a point, a shift, a coefficient), as its value.
#[inline(always)]
pub(crate) fn constant_to_p3(x: Felt) -> Goldilocks {
    Goldilocks::new(x.as_int())
}

/// A constant out of Plonky3, as its value.
#[inline(always)]
pub(crate) fn constant_from_p3(x: Goldilocks) -> Felt {
    Felt::new(x.as_canonical_u64())
}

/// The odd `e` with `plonky3_generator(2^log) = winter_generator(2^log)^e`.
fn generator_exponent(log: u32) -> u64 {
    let gw = Felt::get_root_of_unity(log);
    let gp = constant_from_p3(Goldilocks::two_adic_generator(log as usize));
    let n = 1u64 << log;
    let mut e = 0u64;
    for i in 0..log {
        let h = gp * gw.exp((n - e) % n);
        if h.exp(1u64 << (log - 1 - i)) != Felt::ONE {
            e |= 1 << i;
        }
    }
    debug_assert_eq!(gw.exp(e), gp);
    e
}

/// Inverse of an odd number modulo 2^64 (Newton iteration).
fn inverse_mod_2_64(e: u64) -> u64 {
    let mut x = e;
    for _ in 0..6 {
        x = x.wrapping_mul(2u64.wrapping_sub(e.wrapping_mul(x)));
    }
    x
}

/// Loads `width` columns, each given by `get(column, winter_index)`, into a Plonky3 matrix whose
/// row `i` holds the values at Plonky3's `i`-th domain point (winter index `e·i`). The sources
/// are read in order (winter index `s` goes to row `e⁻¹·s`): one scattered row write per
/// index instead of one scattered read per column and index.
fn load(n: usize, width: usize, get: impl Fn(usize, usize) -> Felt + Sync) -> Matrix64 {
    // the row map below is a bijection (what makes the parallel writes disjoint) only then
    assert!(n.is_power_of_two(), "domains are powers of two");
    let e_inv = inverse_mod_2_64(generator_exponent(n.trailing_zeros())) as usize;
    const CHUNK: usize = 1 << 12;
    // every row is written (below), so the matrix is not zero-filled first
    let values = crate::memory::filled(n * width, |values| {
        let out = SharedRows(values.as_mut_ptr());
        (0..n.div_ceil(CHUNK)).into_par_iter().for_each(|chunk| {
            let out = &out;
            for src in chunk * CHUNK..((chunk + 1) * CHUNK).min(n) {
                let i = e_inv.wrapping_mul(src) & (n - 1);
                // SAFETY: i -> e⁻¹·i mod n is a bijection of 0..n (e is odd), so every row i is
                // written by exactly one source index, and row i lies inside the n·width values
                let row = unsafe { core::slice::from_raw_parts_mut(out.0.add(i * width), width) };
                for (c, v) in row.iter_mut().enumerate() {
                    v.write(to_p3(get(c, src)));
                }
            }
        });
    });
    RowMajorMatrix::new(values, width)
}

/// A pointer to a matrix's values that threads writing disjoint rows share.
struct SharedRows(*mut core::mem::MaybeUninit<Goldilocks>);
// SAFETY: only used by `load`, whose threads write disjoint rows
unsafe impl Sync for SharedRows {}

/// Coefficients (row `k` = coefficient of `x^k`, one column per polynomial) of the polynomials
/// taking the given values on the trace domain. Constant columns (many, in a trace that leaves
/// stack slots or control columns unused) are not transformed: their polynomial is the constant.
pub fn interpolate_columns(columns: &[Vec<Felt>]) -> Coefficients {
    let n = columns[0].len();
    let width = columns.len();
    // a column of equal values is exactly a column whose polynomial is constant
    let constant: Vec<bool> = columns.par_iter().map(|col| col.iter().all(|v| *v == col[0])).collect();
    let varying: Vec<usize> = (0..width).filter(|&c| !constant[c]).collect();
    let matrix = if varying.is_empty() {
        RowMajorMatrix::new(Vec::new(), 1)
    } else {
        Radix2DitParallel::default().idft_batch(load(n, varying.len(), |t, i| columns[varying[t]][i]))
    };
    // a constant column's only coefficient is its value; a varying column's constant
    // coefficient is row 0 of the transform
    let constants = (0..width)
        .map(|c| match varying.binary_search(&c) {
            Ok(t) => coefficient(&matrix, 0, t),
            Err(_) => columns[c][0],
        })
        .collect();
    Coefficients::from_varying(matrix, n, varying, constants)
}

/// The values of a coefficient matrix's polynomials on the trace domain, one vector per column:
/// the inverse of [`interpolate_columns`] (for diagnostics, once the columns are gone).
pub fn evaluate_columns(coefficients: &Coefficients) -> Vec<Vec<Felt>> {
    let n = coefficients.height();
    let twiddles = distaff_math::fft::get_twiddles::<Felt>(n);
    (0..coefficients.width())
        .into_par_iter()
        .map(|c| {
            // (on the trace domain x^n = 1: the high coefficients add to the low ones)
            let mut values: Vec<Felt> = (0..n).map(|k| coefficients.coefficient(k, c)).collect();
            for k in n..coefficients.len() {
                values[k % n] += coefficients.coefficient(k, c);
            }
            distaff_math::fft::evaluate_poly(&mut values, &twiddles);
            values
        })
        .collect()
}

/// Coefficients of the polynomials taking the given values (row-major, `width` per row) on the
/// coset `offset · <ω>` of size `values.len() / width`.
pub fn interpolate_coset_rows(values: &[Felt], width: usize, offset: Felt) -> Matrix64 {
    let n = values.len() / width;
    let m = load(n, width, |c, i| values[i * width + c]);
    Radix2DitParallel::default().coset_idft_batch(m, constant_to_p3(offset))
}

/// Evaluates a coefficient matrix on the cosets `offset·ω^j·<g>` of an LDE domain, one coset at
/// a time, and maps Plonky3's output order back to winter-math's indexing. Columns whose
/// polynomial is constant are left out of the transforms and written as their constant.
struct CosetDft<'a> {
    n: usize,
    log_n: u32,
    omega: Felt,
    e_inv: usize,
    dft: Radix2DitParallel<Goldilocks>,
    width: usize,
    /// The columns that are transformed, in order, and their coefficients.
    varying: Vec<usize>,
    source: &'a Matrix64,
    /// The coefficients of `x^n` and up, added to the low ones times `x^n` on each coset.
    high: Option<&'a Matrix64>,
    /// `(column, value)` of the constant columns.
    constants: Vec<(usize, Felt)>,
}

/// The columns of a coefficient matrix whose polynomial is not constant (some coefficient
/// beyond the first is not zero), in order.
fn varying_columns(coefficients: &Matrix64) -> Vec<usize> {
    let width = coefficients.width();
    let nonzero = coefficients
        .values
        .par_chunks((width * 1024).max(1))
        .enumerate()
        .map(|(chunk, rows)| {
            let mut seen = vec![false; width];
            for (i, row) in rows.chunks(width).enumerate() {
                if chunk == 0 && i == 0 {
                    continue;
                }
                for (s, v) in seen.iter_mut().zip(row) {
                    *s |= *v != Goldilocks::ZERO;
                }
            }
            seen
        })
        .reduce(|| vec![false; width], |a, b| a.iter().zip(&b).map(|(x, y)| *x || *y).collect());
    (0..width).filter(|&c| nonzero[c]).collect()
}

impl<'a> CosetDft<'a> {
    fn new(coefficients: &'a Coefficients, blowup: usize) -> Self {
        let n = coefficients.height();
        let width = coefficients.width();
        let varying = coefficients.varying().to_vec();
        let constants = coefficients.constant_columns().collect();
        let source = coefficients.varying_matrix();
        CosetDft {
            n,
            log_n: n.trailing_zeros(),
            omega: Felt::get_root_of_unity((n * blowup).trailing_zeros()),
            e_inv: inverse_mod_2_64(generator_exponent(n.trailing_zeros())) as usize,
            dft: Radix2DitParallel::default(),
            width,
            varying,
            source,
            high: coefficients.high.as_ref(),
            constants,
        }
    }

    /// The evaluations of the varying columns on each coset `j < count` in turn, handed to
    /// `f(j, evaluations)` in Plonky3's (bit-reversed) order; one scratch matrix is reused.
    fn each(&self, count: usize, mut f: impl FnMut(usize, &Matrix64)) {
        if self.varying.is_empty() {
            let empty = RowMajorMatrix::new(Vec::new(), 1);
            for j in 0..count {
                f(j, &empty);
            }
            return;
        }
        // one scratch matrix, reused by every coset (fresh allocations fault pages in again)
        let mut scratch = self.source.clone();
        for j in 0..count {
            if j > 0 {
                scratch.values.copy_from_slice(&self.source.values);
            }
            let shift = Felt::GENERATOR * self.omega.exp(j as u64);
            if let Some(high) = self.high {
                // on this coset x^n is the constant κ = shift^n
                let kappa = constant_to_p3(shift.exp(self.n as u64));
                let w = high.width();
                scratch.values[..high.values.len()]
                    .par_chunks_mut(w)
                    .zip(high.values.par_chunks(w))
                    .for_each(|(low, high)| low.iter_mut().zip(high).for_each(|(l, h)| *l += *h * kappa));
            }
            let evaluations = self.dft.coset_dft_batch(scratch, constant_to_p3(shift)).inner;
            f(j, &evaluations);
            scratch = evaluations;
        }
    }

    /// Plonky3's row (in `evaluations`) holding the point of winter index `r` (`shift·g^r`).
    #[inline(always)]
    fn source_row(&self, r: usize) -> usize {
        // winter index r is Plonky3 index e⁻¹·r, stored at its bit reversal
        let i = self.e_inv.wrapping_mul(r) & (self.n - 1);
        if self.log_n == 0 {
            0
        } else {
            i.reverse_bits() >> (usize::BITS - self.log_n)
        }
    }

    /// Hands the varying columns' values at winter index `r` of a coset's evaluations to
    /// `put(t, value)`, `t` counting the varying columns.
    #[inline(always)]
    fn copy_row(&self, evaluations: &Matrix64, r: usize, mut put: impl FnMut(usize, Felt)) {
        let w = self.varying.len();
        let stored = self.source_row(r);
        for (t, v) in evaluations.values[stored * w..(stored + 1) * w].iter().enumerate() {
            put(t, from_p3(*v));
        }
    }

    /// Writes the row of winter index `r` (the point `shift·g^r`) of a coset's evaluations
    /// through `set(column, value)`.
    #[inline(always)]
    fn write_row(&self, evaluations: &Matrix64, r: usize, mut set: impl FnMut(usize, Felt)) {
        let stored = self.source_row(r);
        let w = self.varying.len();
        if w == self.width {
            for (c, v) in evaluations.values[stored * w..(stored + 1) * w].iter().enumerate() {
                set(c, from_p3(*v));
            }
        } else {
            for (&c, v) in self.varying.iter().zip(&evaluations.values[stored * w..(stored + 1) * w]) {
                set(c, from_p3(*v));
            }
            for &(c, v) in &self.constants {
                set(c, v);
            }
        }
    }
}

/// Low-degree extension of the polynomials with coefficient matrix `coefficients` onto the coset
/// `offset · <ω>` of size `n · blowup` (ω winter-math's generator), returned row-major in
/// natural order: row `p` holds every polynomial at `offset · ω^p`.
///
/// The domain is the union of the `blowup` cosets `offset·ω^j·<g>`; each is one batched DFT of
/// the coefficients, whose values land on rows `i·blowup + j`. Cosets are done one at a time to
/// bound scratch memory.
pub fn lde_rows(coefficients: &Coefficients, blowup: usize) -> Vec<Felt> {
    let width = coefficients.width();
    let cosets = CosetDft::new(coefficients, blowup);
    let (n, extras) = (coefficients.height(), coefficients.extras());
    crate::memory::filled(n * blowup * width, |rows| {
        cosets.each(blowup, |j, evaluations| {
            let extra = extras.coset(j, n, blowup);
            rows.par_chunks_mut(blowup * width).enumerate().for_each(|(r, group)| {
                let row = &mut group[j * width..(j + 1) * width];
                cosets.write_row(evaluations, r, |c, v| {
                    row[c].write(v);
                });
                for (&c, v) in extras.columns().iter().zip(&extra[r * extras.len()..(r + 1) * extras.len()]) {
                    row[c].write(*v);
                }
            });
        });
    })
}

/// The varying columns of [`lde_rows`] (see [`RowLayout`]), laid out coset by coset: the `n`
/// rows of coset `j` (natural order within it) are rows `j·n .. (j+1)·n`, so that LDE position
/// `p` is row `(p % blowup)·n + p / blowup`, each [`RowLayout::stored_width`] values wide. A
/// reader that walks one coset at a time (constraint evaluation) then reads memory in order.
pub fn lde_cosets(coefficients: &Coefficients, blowup: usize) -> Vec<Felt> {
    let w = coefficients.varying().len();
    let n = coefficients.height();
    if w == 0 {
        return Vec::new();
    }
    let cosets = CosetDft::new(coefficients, blowup);
    crate::memory::filled(n * blowup * w, |rows| {
        cosets.each(blowup, |j, evaluations| {
            rows[j * n * w..(j + 1) * n * w].par_chunks_mut(w).enumerate().for_each(|(r, row)| {
                cosets.copy_row(evaluations, r, |t, v| {
                    row[t].write(v);
                });
            });
        });
    })
}

/// Evaluates the polynomials with coefficient matrix `coefficients` on each coset
/// `offset·ω^j·<g>` (`j = 0..blowup`, ω of order `n·blowup`, g = ω^blowup) in turn, and hands
/// coset `j`'s varying columns to `f(j, rows)` (see [`RowLayout`]), row-major in natural order:
/// row `i` holds the polynomials at `offset·ω^(i·blowup + j)`, i.e. row `i·blowup + j` of the
/// full LDE.
///
/// This is [`lde_cosets`] without the `n·blowup`-row result: one coset's scratch space at a
/// time, for provers that stream over the LDE instead of storing it. Only the first `count`
/// cosets are computed.
pub fn for_each_coset(coefficients: &Coefficients, blowup: usize, count: usize, mut f: impl FnMut(usize, &[Felt])) {
    let w = coefficients.varying().len();
    let n = coefficients.height();
    let cosets = CosetDft::new(coefficients, blowup);
    let mut rows = vec![Felt::ZERO; n * w];
    cosets.each(count.min(blowup), |j, evaluations| {
        if w > 0 {
            rows.par_chunks_mut(w).enumerate().for_each(|(r, row)| cosets.copy_row(evaluations, r, |t, v| row[t] = v));
        }
        f(j, &rows);
    });
}

/// A coefficient matrix of polynomials of any number of coefficients up to `2n`, from
/// row-major values (row `k` = coefficients of `x^k`): the first `n` rows are the low
/// coefficients (padded with zeros to `n`), the rest the high ones (see [`Coefficients`]), and
/// with high ones every column counts as varying.
pub fn coefficient_rows(values: &[Felt], width: usize, n: usize) -> Coefficients {
    let rows = values.len() / width;
    if rows <= n {
        let mut padded = values.to_vec();
        padded.resize(n * width, Felt::ZERO);
        return coefficient_matrix(&padded, width);
    }
    let low = RowMajorMatrix::new(values[..n * width].par_iter().map(|v| to_p3(*v)).collect(), width);
    let high = RowMajorMatrix::new(values[n * width..].par_iter().map(|v| to_p3(*v)).collect(), width);
    let constants = (0..width).map(|c| values[c]).collect();
    let mut out = Coefficients::from_varying(low, n, (0..width).collect(), constants);
    out.high = Some(high);
    out
}

/// A coefficient matrix from row-major values (row `k` = coefficients of `x^k`).
pub fn coefficient_matrix(values: &[Felt], width: usize) -> Coefficients {
    Coefficients::new(RowMajorMatrix::new(values.par_iter().map(|v| to_p3(*v)).collect(), width))
}

/// Evaluates every polynomial of a coefficient matrix at each of the points `xs`: row-major,
/// one row per point. Horner's rule for all points of a group at once, so that the matrix is
/// read from memory once per group (one group per thread), not once per point, with the
/// group's points in SIMD packs (F(344734), 2^20 rows, streamed LDE: the queries phase, which
/// evaluates the opened trace and composition rows this way, went from 1.14-1.38 s to
/// 0.58-0.66 s in hiding proofs, the proofs byte for byte the same).
pub fn evaluate_at_points(coefficients: &Coefficients, xs: &[Felt]) -> Vec<Felt> {
    let width = coefficients.width();
    let n = coefficients.height();
    let varying = coefficients.varying();
    let w = varying.len();
    let matrix = coefficients.varying_matrix();
    let groups = rayon::current_num_threads().clamp(1, xs.len().max(1));
    let per_group = xs.len().div_ceil(groups).max(1);
    xs.par_chunks(per_group)
        .flat_map_iter(|points| {
            // the points in SIMD packs (the last one padded with zeros), column by column: one
            // packed multiply-add per coefficient, column and pack
            let packs = points.len().div_ceil(Packed::WIDTH);
            let packed_points: Vec<Packed> = (0..packs)
                .map(|p| {
                    Packed::from_fn(|i| {
                        points.get(p * Packed::WIDTH + i).map_or(Goldilocks::ZERO, |x| constant_to_p3(*x))
                    })
                })
                .collect();
            let mut packed = vec![Packed::ZERO; w * packs];
            if w > 0 {
                for k in (0..coefficients.varying_len()).rev() {
                    let row = match &coefficients.high {
                        Some(high) if k >= n => &high.values[(k - n) * w..(k - n + 1) * w],
                        _ => &matrix.values[k * w..(k + 1) * w],
                    };
                    for (a, c) in packed.chunks_exact_mut(packs).zip(row) {
                        let c = Packed::from(*c);
                        for (a, x) in a.iter_mut().zip(&packed_points) {
                            *a = *a * *x + c;
                        }
                    }
                }
            }
            // full rows: the constant columns are their constants; varying column t at point q
            // is lane q % WIDTH of pack q / WIDTH of its packs
            (0..points.len())
                .flat_map(|q| {
                    let mut row: Vec<Felt> = (0..width).map(|c| coefficients.constant(c)).collect();
                    for (t, &c) in varying.iter().enumerate() {
                        row[c] = from_p3(packed[t * packs + q / Packed::WIDTH].as_slice()[q % Packed::WIDTH]);
                    }
                    let extras = coefficients.extras();
                    for (&c, v) in extras.columns().iter().zip(extras.at(points[q], n)) {
                        row[c] = v;
                    }
                    row
                })
                .collect::<Vec<Felt>>()
        })
        .collect()
}

/// Row `k`, column `c` of a coefficient matrix, as the stored (Montgomery) value of the
/// winter-math element (see [`from_p3`]).
#[inline(always)]
pub fn stored(m: &Matrix64, k: usize, c: usize) -> u64 {
    m.values[k * m.width() + c].as_canonical_u64()
}

/// Row `k`, column `c` of a coefficient matrix, as a winter-math element.
#[inline(always)]
pub fn coefficient(m: &Matrix64, k: usize, c: usize) -> Felt {
    from_p3(m.values[k * m.width() + c])
}

#[cfg(test)]
mod tests {
    use super::*;
    use distaff_math::{fft, polynom};

    #[test]
    fn generator_exponents_relate_the_two_libraries() {
        for log in 1..=24 {
            let e = generator_exponent(log);
            assert_eq!(e % 2, 1);
            assert_eq!(
                Felt::get_root_of_unity(log).exp(e),
                constant_from_p3(Goldilocks::two_adic_generator(log as usize))
            );
            assert_eq!(e.wrapping_mul(inverse_mod_2_64(e)), 1);
        }
    }

    #[test]
    fn matches_winter_math_interpolation_and_evaluation() {
        let n = 64;
        let varying = |c: u64| (0..n as u64).map(|i| Felt::new(i * i + 7 * c + 1)).collect::<Vec<Felt>>();
        check_against_winter_math(n, (0..3).map(varying).collect());
        // constant and zero columns, which the transforms skip, between varying ones
        let cols = vec![vec![Felt::new(5); n], varying(0), vec![Felt::ZERO; n], varying(1), vec![Felt::new(9); n]];
        check_against_winter_math(n, cols);
        check_against_winter_math(n, vec![vec![Felt::new(3); n], vec![Felt::ZERO; n]]);
    }

    #[test]
    fn a_full_coefficient_matrix_keeps_its_varying_columns() {
        // columns 0 and 3 constant (3 is zero), 1, 2 and 4 vary; row-major, 8 rows
        let (n, w) = (8usize, 5usize);
        let value = |k: usize, c: usize| match c {
            0 if k == 0 => Felt::new(11),
            0 | 3 => Felt::ZERO,
            _ => Felt::new((k * 31 + c * 7 + 1) as u64),
        };
        let values: Vec<Felt> = (0..n * w).map(|i| value(i / w, i % w)).collect();
        let m = coefficient_matrix(&values, w);
        assert_eq!((m.width(), m.height()), (w, n));
        assert_eq!(m.varying(), &[1, 2, 4]);
        assert_eq!(m.varying_matrix().width(), 3);
        for k in 0..n {
            for c in 0..w {
                assert_eq!(m.coefficient(k, c), value(k, c), "row {k}, column {c}");
            }
        }
        assert_eq!((m.constant(0), m.constant(3), m.constant(2)), (Felt::new(11), Felt::ZERO, value(0, 2)));
        // the values on the trace domain, and back
        let columns = evaluate_columns(&m);
        let again = interpolate_columns(&columns);
        assert_eq!(again.varying(), m.varying());
        assert!((0..n).all(|k| (0..w).all(|c| again.coefficient(k, c) == m.coefficient(k, c))));
        // every column constant
        let constant = coefficient_matrix(&[Felt::new(3), Felt::ZERO, Felt::ZERO, Felt::ZERO], 2);
        assert!(constant.varying().is_empty());
        assert_eq!(evaluate_columns(&constant), vec![vec![Felt::new(3); 2], vec![Felt::ZERO; 2]]);
        assert_eq!(evaluate_at_points(&constant, &[Felt::new(5)]), vec![Felt::new(3), Felt::ZERO]);
    }

    fn check_against_winter_math(n: usize, cols: Vec<Vec<Felt>>) {
        let w = cols.len();
        let coeffs = interpolate_columns(&cols);
        let inv = fft::get_inv_twiddles::<Felt>(n);
        for (c, col) in cols.iter().enumerate() {
            let mut poly = col.clone();
            fft::interpolate_poly(&mut poly, &inv);
            for (k, pk) in poly.iter().enumerate() {
                assert_eq!(coeffs.coefficient(k, c), *pk);
            }
        }
        assert_eq!(evaluate_columns(&coeffs), cols);
        let blowup = 8;
        let rows = lde_rows(&coeffs, blowup);
        let omega = Felt::get_root_of_unity((n * blowup).trailing_zeros());
        for p in 0..n * blowup {
            let x = Felt::GENERATOR * omega.exp(p as u64);
            for c in 0..w {
                let poly: Vec<Felt> = (0..n).map(|k| coeffs.coefficient(k, c)).collect();
                assert_eq!(rows[p * w + c], polynom::eval(&poly, x), "position {p}, column {c}");
            }
        }
        // the same values laid out coset by coset, varying columns only
        let layout = RowLayout::of(&coeffs);
        assert_eq!(layout, RowLayout::from_columns(&cols));
        let sw = layout.stored_width();
        assert_eq!(sw, cols.iter().filter(|c| c.iter().any(|v| *v != c[0])).count());
        let by_coset = lde_cosets(&coeffs, blowup);
        assert_eq!(by_coset.len(), n * blowup * sw);
        let expand = |stored: &[Felt]| layout.expand(stored);
        for p in 0..n * blowup {
            let r = (p % blowup) * n + p / blowup;
            assert_eq!(expand(&by_coset[r * sw..(r + 1) * sw]), &rows[p * w..(p + 1) * w]);
        }
        // the same values, coset by coset, and at single points
        let mut seen = 0;
        for_each_coset(&coeffs, blowup, blowup, |j, coset| {
            for i in 0..n {
                assert_eq!(expand(&coset[i * sw..(i + 1) * sw]), &rows[(i * blowup + j) * w..(i * blowup + j + 1) * w]);
            }
            seen += 1;
        });
        assert_eq!(seen, blowup);
        let xs: Vec<Felt> = [3usize, 77, 400].iter().map(|p| Felt::GENERATOR * omega.exp(*p as u64)).collect();
        let at = evaluate_at_points(&coeffs, &xs);
        for (q, p) in [3usize, 77, 400].iter().enumerate() {
            assert_eq!(&at[q * w..(q + 1) * w], &rows[p * w..(p + 1) * w]);
        }
        // and back: interpolating the LDE on its coset recovers the coefficients
        let back = interpolate_coset_rows(&rows, w, Felt::GENERATOR);
        for k in 0..n * blowup {
            for c in 0..w {
                let expected = if k < n { coeffs.coefficient(k, c) } else { Felt::ZERO };
                assert_eq!(coefficient(&back, k, c), expected);
            }
        }
    }
}

#[cfg(test)]
mod masked_tests {
    use super::*;
    use distaff_math::polynom;

    /// The masked constant columns' cosets over several tiles (a 2^15-row trace, 4096
    /// transforms per coset, 2048 to a tile) and with masks of 0 to 9 coefficients (transforms
    /// of 1 to 16 points): every sampled row equals the polynomial evaluated at its point.
    #[test]
    fn extras_cosets_span_several_tiles_and_any_mask_length() {
        let n: usize = 1 << 15;
        let blowup = 8;
        let omega = Felt::get_root_of_unity((n * blowup).trailing_zeros());
        for h in [0usize, 1, 2, 5, 9] {
            let cols: Vec<Vec<Felt>> = vec![vec![Felt::new(7); n], vec![Felt::new(11); n]];
            let masks: Vec<(usize, Vec<Felt>)> =
                (0..2).map(|c| (c, (0..h as u64).map(|k| Felt::new(1000 + 37 * k + c as u64)).collect())).collect();
            let m = interpolate_columns(&cols).masked_sparse(&masks);
            assert_eq!(m.extras().columns(), &[0, 1]);
            for j in [0, 5] {
                let coset = m.extras().coset(j, n, blowup);
                assert_eq!(coset.len(), 2 * n);
                for r in (0..n).step_by(97).chain([n - 1]) {
                    let x = Felt::GENERATOR * omega.exp((r * blowup + j) as u64);
                    assert_eq!(&coset[2 * r..2 * r + 2], &m.extras().at(x, n)[..], "h = {h}, coset {j}, row {r}");
                }
            }
        }
    }

    #[test]
    fn masked_polynomials_have_their_high_coefficients_everywhere() {
        let n = 16;
        let cols: Vec<Vec<Felt>> = vec![(0..n as u64).map(|i| Felt::new(i * i + 3)).collect(), vec![Felt::new(5); n]];
        let masks: Vec<(usize, Vec<Felt>)> =
            (0..2).map(|c| (c, (0..5).map(|k| Felt::new(100 + 10 * c as u64 + k)).collect())).collect();
        let m = interpolate_columns(&cols).masked(&masks);
        assert_eq!(m.len(), n + 5);
        let poly = |c: usize| -> Vec<Felt> { (0..m.len()).map(|k| m.coefficient(k, c)).collect() };
        // T + (x^n − 1)·r
        for c in 0..2 {
            let base = interpolate_columns(&cols);
            let mut expected: Vec<Felt> = (0..n).map(|k| base.coefficient(k, c)).collect();
            expected.resize(n + 5, Felt::ZERO);
            for (k, r) in masks[c].1.iter().enumerate() {
                expected[k] -= *r;
                expected[n + k] += *r;
            }
            assert_eq!(poly(c), expected, "column {c}");
        }
        // the LDE, the values at points and on the trace domain
        let blowup = 8;
        let rows = lde_rows(&m, blowup);
        let omega = Felt::get_root_of_unity((n * blowup).trailing_zeros());
        for p in 0..n * blowup {
            let x = Felt::GENERATOR * omega.exp(p as u64);
            for c in 0..2 {
                assert_eq!(rows[p * 2 + c], polynom::eval(&poly(c), x), "LDE position {p}, column {c}");
            }
        }
        // (37 points: several SIMD packs per group of points, the last one partly padded)
        let xs: Vec<Felt> = (0..37u64).map(|q| Felt::new(12345 + 999 * q * q)).collect();
        let at = evaluate_at_points(&m, &xs);
        assert_eq!(at.len(), xs.len() * 2);
        for (q, x) in xs.iter().enumerate() {
            for c in 0..2 {
                assert_eq!(at[q * 2 + c], polynom::eval(&poly(c), *x));
            }
        }
        assert_eq!(evaluate_columns(&m), cols);
        // masked sparsely, the constant column becomes an extra with the same polynomial,
        // evaluated on every coset (masks of 1 to 5 coefficients: transforms of 1 to 8 points)
        for h in 1..=5 {
            let masks: Vec<(usize, Vec<Felt>)> = masks.iter().map(|(c, r)| (*c, r[..h].to_vec())).collect();
            let dense = interpolate_columns(&cols).masked(&masks);
            let sparse = interpolate_columns(&cols).masked_sparse(&masks);
            assert_eq!(sparse.extras().columns(), &[1]);
            assert_eq!(sparse.varying(), &[0]);
            assert_eq!(sparse.len(), n + h);
            for k in 0..n + h {
                assert_eq!(sparse.coefficient(k, 1), dense.coefficient(k, 1), "coefficient {k}, h = {h}");
            }
            let expected = lde_rows(&dense, blowup);
            assert_eq!(lde_rows(&sparse, blowup), expected, "h = {h}");
            for j in 0..blowup {
                let coset = sparse.extras().coset(j, n, blowup);
                for r in 0..n {
                    assert_eq!(coset[r], expected[(r * blowup + j) * 2 + 1], "coset {j}, row {r}, h = {h}");
                }
            }
            assert_eq!(evaluate_at_points(&sparse, &xs), evaluate_at_points(&dense, &xs));
            assert_eq!(evaluate_columns(&sparse), cols);
            let z = distaff_math::QuadFelt::new(Felt::new(3), Felt::new(77));
            let poly: Vec<Felt> = (0..n + h).map(|k| dense.coefficient(k, 1)).collect();
            assert_eq!(
                sparse.extras().at(z, n),
                vec![polynom::eval(&poly.iter().map(|c| distaff_math::QuadFelt::from(*c)).collect::<Vec<_>>(), z)]
            );
        }
        // a matrix with high rows from its values
        let values: Vec<Felt> = (0..(n + 3) as u64 * 2).map(|i| Felt::new(i * 7 + 1)).collect();
        let r = coefficient_rows(&values, 2, n);
        assert_eq!(r.len(), n + 3);
        let rows = lde_rows(&r, blowup);
        for p in 0..n * blowup {
            let x = Felt::GENERATOR * omega.exp(p as u64);
            for c in 0..2 {
                let poly: Vec<Felt> = (0..n + 3).map(|k| values[k * 2 + c]).collect();
                assert_eq!(rows[p * 2 + c], polynom::eval(&poly, x), "rows: position {p}, column {c}");
            }
        }
    }
}
