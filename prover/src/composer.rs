//! Steps 3 and 4 of the protocol: constraint evaluation and the composition polynomial.
//!
//! Every constraint is evaluated on as many cosets of the LDE domain as the quotient `Q` (the
//! constraints folded with the transcript's coefficients, divided by their divisors) has
//! coefficients, points in parallel ([`evaluate_composition`]); the quotient's coefficients
//! are recovered coset by coset ([`quotient_pieces`]) and split into the composition columns,
//! which a hiding proof randomises and follows with the DEEP randomiser
//! ([`composition_columns`]); the columns are extended and committed one coset at a time
//! ([`commit_composition`]).

use std::time::{Duration, Instant};

use crate::commit::{commit_cosets, open_evaluated, STREAMED_SKIP};
use crate::dft;
use crate::hash::RowHasher;
use crate::merkle::PartialTree;
use crate::prover::{ProverError, ProvingReport};
use crate::symbolic;
use crate::trace::{AuxTrace, MainTrace};
use crate::zk::{Hiding, Purpose, Randomness};
use distaff_air::Air;
use distaff_math::lazy::Accumulator;
use distaff_math::{batch_inversion, polynom, Felt, FieldElement, StarkField};
use distaff_verifier::proof::Openings;
use distaff_verifier::protocol::periodic_polys;
use distaff_verifier::shape::ProofShape;
use rayon::prelude::*;

/// The committed composition columns: their coefficients (base coordinates, column `i·d + c`
/// is coordinate `c` of column `i`) and the tree over their LDE (the LDE itself is not kept:
/// an opening evaluates the rows it needs from the coefficients).
pub(crate) struct Composition<H: RowHasher> {
    pub(crate) columns: dft::Coefficients,
    pub(crate) tree: PartialTree<H>,
}

/// Steps 3 and 4: evaluates the constraints on the committed trace (and auxiliary segment),
/// recovers the quotient, splits it into the composition columns (randomised, and followed by
/// the DEEP randomiser, in a hiding proof), and commits to their LDE one coset at a time.
pub(crate) fn commit_composition<E, H, A>(
    air: &A,
    main: &MainTrace<H>,
    aux: Option<&AuxTrace<H>>,
    shape: &ProofShape,
    (alphas, challenges): (&[E], &[E]),
    hiding: Hiding<'_>,
    report: &mut ProvingReport,
) -> Result<Composition<H>, ProverError>
where
    E: FieldElement<BaseField = Felt>,
    H: RowHasher,
    A: Air,
{
    let blowup = shape.lde_size / shape.n;
    let no_aux = dft::RowLayout::from_columns(&[]);
    let (aux_stored, aux_layout) = match aux {
        Some(a) => (&a.stored[..], &a.layout),
        None => (&[][..], &no_aux),
    };
    // Q on the first cosets of the LDE domain: as many values as Q has coefficients
    let quotient: Vec<Vec<E>> = evaluate_composition::<E, A>(
        air,
        &main.coefficients,
        &main.layout,
        main.stored.as_deref(),
        (aux_stored, aux_layout),
        (shape.quotient_cosets, quotient_tail_points(shape)),
        blowup,
        alphas,
        challenges,
        report,
    );
    let columns = report.time("composition columns", || composition_columns(&quotient, shape, hiding.randomness()));
    drop(quotient);
    // the composition LDE is hashed one coset at a time and not kept: the few rows the queries
    // open are evaluated from the columns' coefficients (as the streamed trace LDE's are)
    let salts = hiding.salts(Purpose::CompositionSalt);
    // (with the trace LDE streamed the prover is short of memory: the tree drops its leaves)
    let skip = if main.stored.is_none() { STREAMED_SKIP } else { 0 };
    let phases = ("composition LDE", "composition commitment");
    let tree = commit_cosets::<H>(&columns, (blowup, skip), salts, report, phases)?;
    Ok(Composition { columns, tree })
}

impl<H: RowHasher> Composition<H> {
    /// Opens the rows at LDE `positions`, with their salts in a hiding proof (step 9),
    /// evaluated from the columns' coefficients.
    pub(crate) fn open(
        &self,
        positions: &[usize],
        shape: &ProofShape,
        hiding: Hiding<'_>,
    ) -> Result<Openings, ProverError> {
        let salts = hiding.salts(Purpose::CompositionSalt);
        open_evaluated::<H>(&self.tree, &self.columns, positions, shape.lde_size, salts)
    }
}

/// Evaluates the composition quotient `Q` on the first `count` cosets `offset·ω^j·<g>` of the
/// LDE domain (`j < count`; a point's next row `x·g` lies in the same coset), one vector of `n`
/// values per coset, row `r` at the point `offset·ω^j·g^r`. With `count` = the number of
/// composition columns these are exactly as many values as `Q` has coefficients
/// ([`composition_columns`] recovers them). The trace rows come from the stored LDE (laid out
/// coset by coset, [`dft::lde_cosets`]), or (`stored` = `None`) from the LDE recomputed one
/// coset at a time.
#[allow(clippy::too_many_arguments)]
pub(crate) fn evaluate_composition<E, A>(
    air: &A,
    coefficients: &dft::Coefficients,
    layout: &dft::RowLayout,
    stored: Option<&[Felt]>,
    (aux_stored, aux_layout): (&[Felt], &dft::RowLayout),
    (count, tail): (usize, usize),
    blowup: usize,
    alphas: &[E],
    challenges: &[E],
    report: &mut ProvingReport,
) -> Vec<Vec<E>>
where
    E: FieldElement<BaseField = Felt>,
    A: Air,
{
    let n = air.trace_length();
    debug_assert!(tail.is_power_of_two() && tail <= n);
    let sw = layout.stored_width();
    let lde_size = n * blowup;
    let offset = Felt::GENERATOR;
    let omega = Felt::get_root_of_unity(lde_size.trailing_zeros());
    let g = Felt::get_root_of_unity(n.trailing_zeros());
    let g_last = g.inv();

    // A periodic column of period P repeats with period P·blowup on the LDE domain.
    let columns = air.periodic_columns();
    let polys = periodic_polys(&columns);
    // (periods are powers of two dividing the trace length, checked on entry, as is the blowup)
    let period = columns.iter().map(|c| c.len()).max().unwrap_or(1) * blowup;
    debug_assert!(period.is_power_of_two());
    let periodic: Vec<Vec<Felt>> = (0..period)
        .map(|k| {
            let x = offset * omega.exp(k as u64);
            polys
                .iter()
                .map(|p| {
                    let y = x.exp((n / p.len().max(1)) as u64);
                    polynom::eval(p, y)
                })
                .collect()
        })
        .collect();

    report.begin("constraint evaluation");
    let start = Instant::now();
    let compiled = symbolic::Compiled::record(air, layout, Some(aux_layout), challenges);
    let folding = compiled.coefficients(alphas);
    let d = E::EXTENSION_DEGREE;
    // the auxiliary LDE's varying base coordinates, stored coset by coset like the trace's
    let asw = aux_layout.stored_width();
    let mut lde_time = Duration::ZERO;
    let mut out = Vec::with_capacity(count);
    // evaluates coset j, whose row r is stored at rows[r·sw ..] (the varying columns), at its
    // rows 0, stride, 2·stride, … (every row but on the last coset of a quotient that needs
    // only part of it)
    // (and the masked constant columns' values on the coset, `ew` per row)
    let ew = layout.extras().len();
    let mut evaluate_coset = |j: usize, rows: &[Felt], extra: &[Felt], points: usize| {
        let stride = n / points;
        let base = offset * omega.exp(j as u64);
        // x^n − 1 is constant on the coset
        let inv_zn = (base.exp(n as u64) - Felt::ONE).inv();
        let step = g.exp(stride as u64);
        let mut values = vec![E::ZERO; points];
        const CHUNK: usize = 1024;
        values.par_chunks_mut(CHUNK).enumerate().for_each(|(chunk, out)| {
            let t0 = chunk * CHUNK;
            let len = out.len();
            let mut x = base * step.exp(t0 as u64);
            let mut xs = Vec::with_capacity(len);
            let mut denoms = Vec::with_capacity(2 * len);
            for _ in 0..len {
                xs.push(x);
                denoms.push(x - Felt::ONE);
                denoms.push(x - g_last);
                x *= step;
            }
            let inv = batch_inversion(&denoms);
            // the constraints, compiled for this trace, a block of points at a time
            let mut scratch = compiled.scratch();
            let mut sums = [[[Accumulator::default(); 3]; 3]; symbolic::BLOCK];
            // (the sizes are powers of two: masks, not divisions, in this hot loop)
            let stored = |r: usize| &rows[(r & (n - 1)) * sw..((r & (n - 1)) + 1) * sw];
            let aux_coset = &aux_stored[j * n * asw..(j + 1) * n * asw];
            let aux = |r: usize| &aux_coset[(r & (n - 1)) * asw..((r & (n - 1)) + 1) * asw];
            // (a coset evaluated at a few points has its extras at those points' rows only,
            // row r·stride then row r·stride + 1 for each: see `extras_at_points`)
            let extra = |r: usize| {
                let e =
                    if points == n { r & (n - 1) } else { 2 * (r / stride) + usize::from(!r.is_multiple_of(stride)) };
                &extra[e * ew..(e + 1) * ew]
            };
            for k0 in (0..len).step_by(symbolic::BLOCK) {
                let block = symbolic::BLOCK.min(len - k0);
                let t0 = t0 + k0;
                let r = |i: usize| (t0 + i) * stride;
                sums[..block].iter_mut().for_each(|s| *s = Default::default());
                compiled.evaluate(
                    block,
                    |i| stored(r(i)),
                    |i| stored(r(i) + 1),
                    |i| &periodic[(j + blowup * r(i)) & (period - 1)],
                    |i| aux(r(i)),
                    |i| aux(r(i) + 1),
                    (|i| extra(r(i)), |i| extra(r(i) + 1)),
                    &folding,
                    d,
                    &mut scratch,
                    &mut sums[..block],
                );
                for (i, sum) in sums[..block].iter().enumerate() {
                    let k = k0 + i;
                    let [transition, first, last] = crate::fold::finish_sums::<E>(sum);
                    let t = (xs[k] - g_last) * inv_zn;
                    out[k] = transition.mul_base(t) + first.mul_base(inv[2 * k]) + last.mul_base(inv[2 * k + 1]);
                }
            }
        });
        out.push(values);
    };
    // the masked constant columns are recomputed for each coset (see dft::Extras)
    let extras = coefficients.extras();
    match stored {
        Some(rows) => {
            // stored coset by coset: coset j is the j-th block of n rows
            for j in 0..count {
                let points = if j + 1 == count { tail } else { n };
                let t = Instant::now();
                let extra = extras_at_points(extras, j, n, blowup, points);
                lde_time += t.elapsed();
                evaluate_coset(j, &rows[j * n * sw..(j + 1) * n * sw], &extra, points);
            }
        }
        None => {
            let mut last_callback = Instant::now();
            dft::for_each_coset(coefficients, blowup, count, |j, rows| {
                let points = if j + 1 == count { tail } else { n };
                let extra = extras_at_points(extras, j, n, blowup, points);
                lde_time += last_callback.elapsed();
                evaluate_coset(j, rows, &extra, points);
                last_callback = Instant::now();
            });
        }
    }
    report.add("trace LDE", lde_time);
    report.add("constraint evaluation", start.elapsed() - lde_time);
    out
}

/// The masked constant columns' values on coset `j` of the LDE domain, for constraint
/// evaluation at `points` of its rows (every `n/points`-th): the whole coset
/// ([`dft::Extras::coset`]), or for fewer points (the last coset of a quotient a little longer
/// than a whole number of cosets) the rows `r` and `r + 1` of each evaluated row `r`, in that
/// order, evaluated one by one.
pub(crate) fn extras_at_points(extras: &dft::Extras, j: usize, n: usize, blowup: usize, points: usize) -> Vec<Felt> {
    if points == n || extras.is_empty() {
        return extras.coset(j, n, blowup);
    }
    let stride = n / points;
    let omega = Felt::get_root_of_unity((n * blowup).trailing_zeros());
    let g = Felt::get_root_of_unity(n.trailing_zeros());
    let base = Felt::GENERATOR * omega.exp(j as u64);
    (0..points)
        .into_par_iter()
        .flat_map_iter(|k| {
            let x = base * g.exp((k * stride) as u64);
            extras.at(x, n).into_iter().chain(extras.at(x * g, n))
        })
        .collect()
}

/// The coefficients of the quotient `Q` from its values on the first `m` cosets of the LDE domain
/// ([`evaluate_composition`]), as `m` pieces of `n` coefficients (`Q(x) = Σ x^(i·n)·P_i(x)`):
/// a row-major matrix whose column `i·d + c` is coordinate `c` of `P_i`.
///
/// On coset `j` (points `y_j·g^r`), `x^n` is the constant `c_j = y_j^n`, so `Q` agrees there
/// with the polynomial `Σ_i c_j^i·P_i` of degree < n: interpolating each coset gives those
/// polynomials, and since the `c_j` are distinct (`ω^n` has order `blowup ≥ m`), the
/// Vandermonde system yields the `P_i`, coefficient by coefficient. This needs `m` cosets
/// where interpolating `Q` over a power-of-two domain would need the next power of two.
pub(crate) fn quotient_pieces<E: FieldElement<BaseField = Felt>>(
    quotient: &[Vec<E>],
    n: usize,
    blowup: usize,
) -> Vec<Felt> {
    let cosets = quotient.len();
    let d = E::EXTENSION_DEGREE;
    // the full cosets, and the last one if only part of it was evaluated
    let partial = quotient.last().is_some_and(|q| q.len() < n);
    let m = if partial { cosets - 1 } else { cosets };
    let omega = Felt::get_root_of_unity((n * blowup).trailing_zeros());
    let shifts: Vec<Felt> = (0..cosets).map(|j| Felt::GENERATOR * omega.exp(j as u64)).collect();
    let interpolated: Vec<dft::Matrix64> = quotient[..m]
        .iter()
        .zip(&shifts)
        .map(|(q, y)| dft::interpolate_coset_rows(E::slice_as_base_elements(q), d, *y))
        .collect();
    // P = V⁻¹·(coset polynomials) with V[j][i] = c_j^i
    let c: Vec<Felt> = shifts.iter().map(|y| y.exp(n as u64)).collect();
    let v: Vec<Vec<Felt>> = c[..m].iter().map(|cj| (0..m).map(|i| cj.exp(i as u64)).collect()).collect();
    let v_inv = invert_matrix(v);
    let coset_poly = |j: usize, k: usize| -> E {
        let coords: [Felt; 3] =
            core::array::from_fn(
                |coord| if coord < d { dft::coefficient(&interpolated[j], k, coord) } else { Felt::ZERO },
            );
        E::slice_from_base_elements(&coords[..d])[0]
    };
    let tail =
        if partial { quotient_tail(quotient, &interpolated, &coset_poly, &v_inv, &c, &shifts, n) } else { Vec::new() };
    let c_m: Vec<Felt> = c[..m].iter().map(|cj| cj.exp(m as u64)).collect();
    crate::memory::filled(n * cosets * d, |rows| {
        rows.par_chunks_mut(cosets * d).enumerate().for_each_init(Vec::new, |cs, (k, row)| {
            // the full cosets' coefficient k, minus the tail's share (C_j = Σ_(i<m) c_j^i·P_i +
            // c_j^m·P_m), once per coset rather than once per piece
            cs.clear();
            cs.extend((0..m).map(|j| match tail.get(k) {
                Some(t) => coset_poly(j, k) - t.mul_base(c_m[j]),
                None => coset_poly(j, k),
            }));
            for i in 0..m {
                let mut acc = E::ZERO;
                for (j, cj) in cs.iter().enumerate() {
                    acc += cj.mul_base(v_inv[i][j]);
                }
                for (coord, v) in E::slice_as_base_elements(&[acc]).iter().enumerate() {
                    row[i * d + coord].write(*v);
                }
            }
            if partial {
                let t = tail.get(k).copied().unwrap_or(E::ZERO);
                for (coord, v) in E::slice_as_base_elements(&[t]).iter().enumerate() {
                    row[m * d + coord].write(*v);
                }
            }
        });
    })
}

/// The last piece `P_m` of a quotient of `m·n + s` coefficients (`s ≤ s'`, a power of two below
/// `n`) from its values on `s'` points `Y` of coset `m` (every `n/s'`-th row): on coset `m`,
/// `Q = Σ_(i<m) κ_m^i·P_i + κ_m^m·P_m`, and writing the `P_i` through the full cosets' polynomials
/// `C_j` (Lagrange in `u = x^n` at the points `κ_j`) gives `Q(y) = Σ_j ℓ_j·C_j(y) + Π_j(κ_m −
/// κ_j)·P_m(y)`. Each `C_j` is evaluated on `Y` after reducing it modulo `x^s' − y^s'` (constant
/// on `Y`), then `P_m` is interpolated from its `s'` values.
pub(crate) fn quotient_tail<E: FieldElement<BaseField = Felt>>(
    quotient: &[Vec<E>],
    interpolated: &[dft::Matrix64],
    coset_poly: &(impl Fn(usize, usize) -> E + Sync),
    v_inv: &[Vec<Felt>],
    c: &[Felt],
    shifts: &[Felt],
    n: usize,
) -> Vec<E> {
    let m = interpolated.len();
    let values = &quotient[m];
    let points = values.len();
    let y0 = shifts[m];
    let sigma = y0.exp(points as u64);
    // ℓ_j = Σ_i κ_m^i·V⁻¹[i][j], Π = Π_j (κ_m − κ_j)
    let ell: Vec<Felt> = (0..m).map(|j| (0..m).fold(Felt::ZERO, |a, i| a + c[m].exp(i as u64) * v_inv[i][j])).collect();
    let pi = (0..m).fold(Felt::ONE, |a, j| a * (c[m] - c[j]));
    let twiddles = distaff_math::fft::get_twiddles::<Felt>(points);
    let mut combined = vec![E::ZERO; points];
    for (j, l) in ell.iter().enumerate() {
        // C_j mod (x^s' − σ), evaluated on Y = y0·<w>
        let mut folded = vec![E::ZERO; points];
        let mut power = Felt::ONE;
        for t in 0..n / points {
            for (k, f) in folded.iter_mut().enumerate() {
                *f += coset_poly(j, t * points + k).mul_base(power);
            }
            power *= sigma;
        }
        let at_y = distaff_math::fft::evaluate_poly_with_offset(&folded, &twiddles, y0, 1);
        for (acc, v) in combined.iter_mut().zip(at_y) {
            *acc += v.mul_base(*l);
        }
    }
    let inv_pi = pi.inv();
    let mut tail: Vec<E> = values.iter().zip(&combined).map(|(q, cj)| (*q - *cj).mul_base(inv_pi)).collect();
    let inv_twiddles = distaff_math::fft::get_inv_twiddles::<Felt>(points);
    distaff_math::fft::interpolate_poly_with_offset(&mut tail, &inv_twiddles, y0);
    tail
}

/// The points of the last coset the quotient is evaluated on: all `n`, or, when the quotient
/// needs only `s < n/2` more coefficients than the full cosets give (a hiding proof's: its
/// masks raise the degree a little), the next power of two `s' ≥ s` ([`quotient_tail`]).
pub(crate) fn quotient_tail_points(shape: &ProofShape) -> usize {
    let s = shape.quotient_len - (shape.quotient_cosets - 1) * shape.n;
    s.next_power_of_two().min(shape.n)
}

/// The composition tree's columns from the quotient's values on `shape.quotient_cosets`
/// cosets: the chunks `H_0, …, H_(m−1)` of `c` coefficients each (`Q = Σ x^(i·c)·H_i`; `c = n`
/// without hiding, when the chunks are the pieces of [`quotient_pieces`]); for a hiding proof
/// randomised as `H'_i = H_i + x^c·s_i − s_(i−1)` and followed by the DEEP randomiser `R`
/// (see `distaff_verifier::shape`). Column `i·d + c` is coordinate `c` of column `i`.
pub(crate) fn composition_columns<E: FieldElement<BaseField = Felt>>(
    quotient: &[Vec<E>],
    shape: &ProofShape,
    randomness: Option<&Randomness>,
) -> dft::Coefficients {
    let n = shape.n;
    let d = E::EXTENSION_DEGREE;
    let pieces = quotient_pieces(quotient, n, shape.lde_size / n);
    let (Some(hiding), Some(randomness)) = (shape.hiding, randomness) else {
        return dft::coefficient_matrix(&pieces, quotient.len() * d);
    };
    let (m, c, t1) = (shape.num_chunks, shape.chunk_len, hiding.randomizer_len);
    let cosets = quotient.len();
    let columns = shape.composition_columns();
    let rows = shape.composition_column_len().max(shape.deep_len);
    // Q's coefficient k (extension element), from the pieces' layout
    let q = |k: usize| -> E {
        let (i, r) = (k / n, k % n);
        if i >= cosets {
            return E::ZERO;
        }
        E::slice_from_base_elements(&pieces[(r * cosets + i) * d..(r * cosets + i + 1) * d])[0]
    };
    let mut values = vec![E::ZERO; rows * columns];
    values.par_chunks_mut(columns).take(c).enumerate().for_each(|(j, row)| {
        for (i, v) in row[..m].iter_mut().enumerate() {
            *v = q(i * c + j);
        }
    });
    for i in 0..m - 1 {
        let s = randomness.ext_elements::<E>(Purpose::Randomizer, i as u64, t1);
        for (j, sj) in s.iter().enumerate() {
            values[(c + j) * columns + i] += *sj;
            values[j * columns + i + 1] -= *sj;
        }
    }
    let r = randomness.ext_elements::<E>(Purpose::Codeword, 0, shape.deep_len);
    for (j, rj) in r.iter().enumerate() {
        values[j * columns + m] = *rj;
    }
    dft::coefficient_rows(E::slice_as_base_elements(&values), columns * d, n)
}

/// The inverse of an invertible square matrix (Gauss–Jordan elimination; the composition's
/// Vandermonde matrix is at most 8×8).
pub(crate) fn invert_matrix(mut a: Vec<Vec<Felt>>) -> Vec<Vec<Felt>> {
    let m = a.len();
    let mut inv: Vec<Vec<Felt>> =
        (0..m).map(|i| (0..m).map(|j| if i == j { Felt::ONE } else { Felt::ZERO }).collect()).collect();
    for col in 0..m {
        let pivot = (col..m).find(|&r| a[r][col] != Felt::ZERO).expect("the Vandermonde matrix is invertible");
        a.swap(col, pivot);
        inv.swap(col, pivot);
        let p = a[col][col].inv();
        for j in 0..m {
            a[col][j] *= p;
            inv[col][j] *= p;
        }
        for r in 0..m {
            if r != col && a[r][col] != Felt::ZERO {
                let f = a[r][col];
                for j in 0..m {
                    let (x, y) = (a[col][j], inv[col][j]);
                    a[r][j] -= f * x;
                    inv[r][j] -= f * y;
                }
            }
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;
    use distaff_math::QuadFelt;

    #[test]
    fn composition_columns_are_recovered_from_as_many_cosets() {
        let (n, blowup, m) = (16usize, 8usize, 7usize);
        // H_i with coefficients h_i[k] (quadratic extension)
        let h: Vec<Vec<QuadFelt>> = (0..m)
            .map(|i| {
                (0..n)
                    .map(|k| QuadFelt::new(Felt::new((i * 31 + k * 7 + 1) as u64), Felt::new((i * k) as u64 ^ 0xFFFF)))
                    .collect()
            })
            .collect();
        let omega = Felt::get_root_of_unity((n * blowup).trailing_zeros());
        let g = Felt::get_root_of_unity(n.trailing_zeros());
        // Q = Σ x^(i·n)·H_i on cosets 0..m
        let quotient: Vec<Vec<QuadFelt>> = (0..m)
            .map(|j| {
                (0..n)
                    .map(|r| {
                        let x = QuadFelt::from(Felt::GENERATOR * omega.exp(j as u64) * g.exp(r as u64));
                        let xn = x.exp(n as u64);
                        let mut acc = QuadFelt::ZERO;
                        for hi in h.iter().rev() {
                            acc = acc * xn + polynom::eval(hi, x);
                        }
                        acc
                    })
                    .collect()
            })
            .collect();
        let pieces = quotient_pieces(&quotient, n, blowup);
        for i in 0..m {
            for k in 0..n {
                let coords = &pieces[(k * m + i) * 2..(k * m + i) * 2 + 2];
                assert_eq!(QuadFelt::slice_from_base_elements(coords)[0], h[i][k], "H_{i}, coefficient {k}");
            }
        }
    }
}
