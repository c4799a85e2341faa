//! The auxiliary columns of the memory variant: the overflow table's running product, the
//! memory running product and the range checker's two LogUp sums (their constraints are in
//! [`crate::constraints::evaluate_aux_constraints`]).

use alloc::vec::Vec;

use crate::constraints::{
    bitwise_flag, bitwise_lookup, bitwise_table_row, compress, memory_access, memory_flag, memory_table_row,
    range_fractions, u32_fractions,
};
use crate::layout::*;
use distaff_math::{Felt, FieldElement};

/// Builds auxiliary columns 1..5 of the memory variant from the main trace (column-major) and
/// the challenges `[alpha, beta, gamma, initial memory product]`. Returns nothing for a trace
/// without the memory columns.
pub fn memory_aux_columns<E: FieldElement<BaseField = Felt>>(main: &[Vec<Felt>], challenges: &[E]) -> Vec<Vec<E>> {
    let n = main.first().map_or(0, |c| c.len());
    if n == 0 || main.len() < FULL_TRACE_WIDTH || challenges.len() < 4 {
        return Vec::new();
    }
    let (alpha, beta, gamma, init) = (challenges[0], challenges[1], challenges[2], challenges[3]);
    let one = Felt::ONE;
    let lift = |x: Felt| E::from(x);
    let top = STACK + STACK_DEPTH - 1;

    // overflow table: spills insert (clk, s[15], ov_ptr); fills remove (ov_ptr, s'[15], link)
    let overflow = running_product(n, E::ONE, |r| {
        let num = if main[SPILL][r] == one {
            compress(alpha, beta, &[lift(main[CLK][r]), lift(main[top][r]), lift(main[OV_PTR][r])])
        } else {
            E::ONE
        };
        let den = if main[FILL][r] == one {
            compress(alpha, beta, &[lift(main[OV_PTR][r]), lift(main[top][r + 1]), lift(main[OV_LINK][r])])
        } else {
            E::ONE
        };
        (num, den)
    });

    // memory: accesses made by the rows over the table's rows
    let row = |r: usize| -> Vec<Felt> { main.iter().map(|c| c[r]).collect() };
    let memory = running_product(n, init, |r| {
        let ops = op_bits(main, r);
        let num = if memory_flag(&ops) == one {
            compress(alpha, beta, &memory_access(&row(r), &row(r + 1)).map(lift))
        } else {
            E::ONE
        };
        let den =
            if main[M_ACTIVE][r] == one { compress(alpha, beta, &memory_table_row(&row(r)).map(lift)) } else { E::ONE };
        (num, den)
    });

    // range checker: running sums (each including its row) of the memory table's lookups less
    // the range table's answers, and of the u32 limbs' lookups
    let looked_up: Vec<usize> = RANGE_LOOKUPS.into_iter().chain([R_VALUE, R_MULT]).collect();
    let mut row = alloc::vec![Felt::ZERO; FULL_TRACE_WIDTH];
    let (mut n3, mut d3, mut n4, mut d4) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in 0..n {
        for &c in &looked_up {
            row[c] = main[c][r];
        }
        let (a, b) = range_fractions(gamma, &row, &lift);
        n3.push(a);
        d3.push(b);
        let (a, b) = u32_fractions(gamma, &row, &lift);
        n4.push(a);
        d4.push(b);
    }
    let range = prefix_sums(&n3, &d3);
    let limbs = prefix_sums(&n4, &d4);
    alloc::vec![overflow, memory, range, limbs]
}

/// Builds auxiliary column 5 of the bitwise variant, the bitwise table's LogUp sum: 0 on the
/// first row, then on each row the previous value plus `1/(looked up)` for a bitwise operation
/// on the previous row, less `m/(listed)` for this row's table triple (challenges `[alpha,
/// beta, ..]`). Empty for a trace without the bitwise columns.
pub fn bitwise_sum<E: FieldElement<BaseField = Felt>>(main: &[Vec<Felt>], challenges: &[E]) -> Vec<E> {
    let n = main.first().map_or(0, |c| c.len());
    if n == 0 || main.len() < BITWISE_TRACE_WIDTH || challenges.len() < 2 {
        return Vec::new();
    }
    let (alpha, beta) = (challenges[0], challenges[1]);
    let lift = |x: Felt| E::from(x);
    let mut cur = alloc::vec![Felt::ZERO; BITWISE_TRACE_WIDTH];
    let mut nxt = cur.clone();
    // the rows with a term: (row, numerator, denominator)
    let mut terms: Vec<(usize, E, E)> = Vec::new();
    for r in 0..n - 1 {
        let ops = op_bits(main, r);
        if bitwise_flag(&ops) == Felt::ONE {
            for c in [STACK, STACK + 1] {
                cur[c] = main[c][r];
            }
            nxt[STACK] = main[STACK][r + 1];
            terms.push((r + 1, E::ONE, compress(alpha, beta, &bitwise_lookup(&cur, &nxt).map(lift))));
        }
        let m = main[BW_MULT][r + 1];
        if m != Felt::ZERO {
            for c in [BW_X, BW_Y, BW_AND] {
                nxt[c] = main[c][r + 1];
            }
            terms.push((r + 1, -lift(m), compress(alpha, beta, &bitwise_table_row(&nxt).map(lift))));
        }
    }
    let dens: Vec<E> = terms.iter().map(|t| t.2).collect();
    let inv = distaff_math::batch_inversion(&dens);
    let mut deltas = alloc::vec![E::ZERO; n];
    for ((r, num, _), i) in terms.iter().zip(&inv) {
        deltas[*r] += *num * *i;
    }
    let mut acc = E::ZERO;
    deltas
        .into_iter()
        .map(|d| {
            acc += d;
            acc
        })
        .collect()
}

/// The range table's values for the looked-up `values`: from 0 to [`RANGE_MAX`] through every
/// value, greedily in the largest allowed step ([`RANGE_STEPS`]). Values above `RANGE_MAX` are
/// left out (no table holds them: their lookups cannot be answered).
pub fn range_table(values: impl IntoIterator<Item = u64>) -> Vec<u64> {
    let mut targets: Vec<u64> = values.into_iter().filter(|v| *v <= RANGE_MAX).chain([RANGE_MAX]).collect();
    targets.sort_unstable();
    targets.dedup();
    let mut range = alloc::vec![0u64];
    let mut cur = 0;
    for v in targets {
        while cur < v {
            // the step of 1 always fits, so a step is always found
            cur += RANGE_STEPS.iter().rev().copied().find(|s| *s > 0 && cur + s <= v).unwrap_or(1);
            range.push(cur);
        }
    }
    range
}

/// Writes the range table `range` (from [`range_table`]; padded with `RANGE_MAX`) into the
/// trace, with each value's multiplicity (how often [`RANGE_LOOKUPS`] hold it, over all rows)
/// on the first row holding it.
pub fn write_range_table(columns: &mut [Vec<Felt>], range: &[u64]) {
    // values above RANGE_MAX are in no table: their count is never written
    let mut counts = alloc::vec![0u64; RANGE_MAX as usize + 1];
    for c in RANGE_LOOKUPS {
        for v in &columns[c] {
            if let Some(count) = counts.get_mut(v.as_int() as usize) {
                *count += 1;
            }
        }
    }
    for r in 0..columns[R_VALUE].len() {
        let v = range.get(r).copied().unwrap_or(RANGE_MAX);
        columns[R_VALUE][r] = Felt::new(v);
        let first = r < range.len() && (r == 0 || range[r - 1] != v);
        columns[R_MULT][r] = Felt::new(if first { counts[v as usize] } else { 0 });
    }
}

/// The opcode bits of row `r` (no allocation: the auxiliary builders read them on every row).
fn op_bits(main: &[Vec<Felt>], r: usize) -> [Felt; NUM_OP_BITS] {
    core::array::from_fn(|k| main[OP_BITS + k][r])
}

/// `s[r] = Σ_{k ≤ r} num[k]/den[k]`, with one batch inversion.
fn prefix_sums<E: FieldElement<BaseField = Felt>>(num: &[E], den: &[E]) -> Vec<E> {
    let inv = distaff_math::batch_inversion(den);
    let mut acc = E::ZERO;
    num.iter()
        .zip(&inv)
        .map(|(n, i)| {
            acc += *n * *i;
            acc
        })
        .collect()
}

/// `p[0] = start`, `p[r+1] = p[r]·num(r)/den(r)` for `r < n − 1`, with one batch inversion
/// (every running product of the auxiliary segment, the control stack's included).
pub(crate) fn running_product<E: FieldElement<BaseField = Felt>>(
    n: usize,
    start: E,
    factors: impl FnMut(usize) -> (E, E),
) -> Vec<E> {
    let (nums, dens): (Vec<E>, Vec<E>) = (0..n - 1).map(factors).unzip();
    let inv = distaff_math::batch_inversion(&dens);
    let mut out = Vec::with_capacity(n);
    let mut acc = start;
    out.push(acc);
    for (num, i) in nums.iter().zip(&inv) {
        acc *= *num * *i;
        out.push(acc);
    }
    out
}
