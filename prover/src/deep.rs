//! Steps 5 to 7 of the protocol: the out-of-domain frame and the DEEP composition polynomial.
//!
//! The trace, auxiliary and composition polynomials are evaluated at the out-of-domain point
//! `z` (and the trace's at `z·g`) from their coefficients ([`out_of_domain_frame`]); the prover
//! checks the verifier's equation there itself ([`check_composition_at_z`]); and FRI's input,
//! the DEEP composition polynomial with its degree correction (and a hiding proof's random
//! codeword), is formed on coefficients and extended once ([`deep_composition`]).

use crate::dft;
use crate::prover::ProverError;
use distaff_air::debug::check_air_with_challenges;
use distaff_air::Air;
use distaff_math::{Felt, FieldElement};
use distaff_verifier::protocol::{combine_composition_columns, composition_at, OodFrame, ScaleBy};
use distaff_verifier::shape::ProofShape;
use distaff_verifier::transcript::DeepCoefficients;
use rayon::prelude::*;

/// The out-of-domain frame.
pub(crate) struct Ood<E> {
    pub(crate) current: Vec<E>,
    pub(crate) next: Vec<E>,
    pub(crate) aux_current: Vec<E>,
    pub(crate) aux_next: Vec<E>,
    pub(crate) composition: Vec<E>,
}

/// The out-of-domain frame (step 6): the main and auxiliary rows at `z` and `z·g`, and the
/// composition columns at `z` (the DEEP randomiser, a hiding proof's last composition column,
/// is not opened at `z`).
pub(crate) fn out_of_domain_frame<E: FieldElement<BaseField = Felt>>(
    coefficients: &dft::Coefficients,
    aux_coefficients: Option<&dft::Coefficients>,
    chunks: &dft::Coefficients,
    (z, zg): (E, E),
    num_chunks: usize,
) -> Ood<E> {
    let mut frame = evaluate_rows_at_points::<E>(coefficients, &[z, zg]);
    let next = frame.pop().unwrap_or_default();
    let current = frame.pop().unwrap_or_default();
    let (aux_current, aux_next) = match aux_coefficients {
        Some(c) => {
            let mut frame = evaluate_ext_rows_at_points::<E>(c, &[z, zg]);
            let next = frame.pop().unwrap_or_default();
            (frame.pop().unwrap_or_default(), next)
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut composition = evaluate_ext_rows_at_points::<E>(chunks, &[z]).pop().unwrap_or_default();
    composition.truncate(num_chunks);
    Ood { current, next, aux_current, aux_next, composition }
}

/// The prover's own check of the verifier's out-of-domain equation: the composition columns
/// at `z` (chunks of `chunk_len` coefficients) must agree with the constraints evaluated on the
/// frame. If they do not, the trace violates a constraint, and the row-by-row check (on the
/// trace recomputed from its coefficients: the columns are gone by now) names it.
pub(crate) fn check_composition_at_z<E, A>(
    air: &A,
    ood: &Ood<E>,
    alphas: &[E],
    challenges: &[E],
    (z, chunk_len): (E, usize),
    coefficients: &dft::Coefficients,
) -> Result<(), ProverError>
where
    E: FieldElement<BaseField = Felt> + ScaleBy<E>,
    Felt: ScaleBy<E>,
    A: Air,
{
    let frame =
        OodFrame { current: &ood.current, next: &ood.next, aux_current: &ood.aux_current, aux_next: &ood.aux_next };
    let expected = composition_at(air, frame, alphas, challenges, z);
    if expected == Some(combine_composition_columns(&ood.composition, z, chunk_len)) {
        return Ok(());
    }
    check_air_with_challenges(air, &dft::evaluate_columns(coefficients), challenges)?;
    Err(ProverError::CompositionDegree)
}

/// Evaluates every polynomial of a coefficient matrix at each of the points `xs` (one vector
/// per point), reading the matrix once: per column and point, `Σ_k x^k·c_k` is summed as
/// unreduced products of stored values ([`distaff_math::lazy::Accumulator`]) over a block of
/// rows, and columns whose polynomial is constant are not read past their first coefficient.
/// For extension-field points (out of domain); points of the LDE domain, which are base-field
/// elements, go through [`dft::evaluate_at_points`] (Horner's rule in the base field, faster
/// there).
pub(crate) fn evaluate_rows_at_points<E: FieldElement<BaseField = Felt>>(
    coefficients: &dft::Coefficients,
    xs: &[E],
) -> Vec<Vec<E>> {
    use distaff_math::lazy::Accumulator;
    let width = coefficients.width();
    // (every coefficient, the high ones of a masked polynomial included)
    let n = coefficients.varying_len();
    let d = E::EXTENSION_DEGREE;
    let varying = coefficients.varying();
    const CHUNK: usize = 4096;
    let sums = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let start = chunk * CHUNK;
            let mut acc = vec![Accumulator::default(); xs.len() * varying.len() * d];
            let mut powers: Vec<E> = xs.iter().map(|x| x.exp((start as u64).into())).collect();
            for k in start..(start + CHUNK).min(n) {
                for (q, power) in powers.iter_mut().enumerate() {
                    let p = E::slice_as_base_elements(core::slice::from_ref(power));
                    let acc = &mut acc[q * varying.len() * d..(q + 1) * varying.len() * d];
                    for t in 0..varying.len() {
                        let v = coefficients.stored_value(k, t);
                        for (a, pc) in acc[t * d..(t + 1) * d].iter_mut().zip(p) {
                            a.add_product(pc.inner(), v);
                        }
                    }
                    *power *= xs[q];
                }
            }
            // per point, the varying columns' partial sums
            acc.chunks(d)
                .map(|coords| {
                    let base: [Felt; 3] =
                        core::array::from_fn(|i| coords.get(i).map_or(Felt::ZERO, |a| a.field_combination()));
                    E::slice_from_base_elements(&base[..d])[0]
                })
                .collect::<Vec<E>>()
        })
        .reduce(
            || vec![E::ZERO; xs.len() * varying.len()],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    (0..xs.len())
        .map(|q| {
            // constant polynomials are their first coefficient
            let mut values: Vec<E> = (0..width).map(|c| E::from(coefficients.constant(c))).collect();
            for (t, &c) in varying.iter().enumerate() {
                values[c] = sums[q * varying.len() + t];
            }
            let extras = coefficients.extras();
            for (&c, v) in extras.columns().iter().zip(extras.at(xs[q], coefficients.height())) {
                values[c] = v;
            }
            values
        })
        .collect()
}

/// Evaluates extension-field polynomials stored as base coordinates (see [`coordinates`]) at
/// each of the points `xs` (one vector per point, one pass over the matrix).
pub(crate) fn evaluate_ext_rows_at_points<E: FieldElement<BaseField = Felt>>(
    coefficients: &dft::Coefficients,
    xs: &[E],
) -> Vec<Vec<E>> {
    let d = E::EXTENSION_DEGREE;
    let basis: Vec<E> = (0..d)
        .map(|k| {
            let mut unit = vec![Felt::ZERO; d];
            unit[k] = Felt::ONE;
            E::slice_from_base_elements(&unit)[0]
        })
        .collect();
    evaluate_rows_at_points::<E>(coefficients, xs)
        .into_iter()
        .map(|parts| parts.chunks(d).map(|p| p.iter().zip(&basis).fold(E::ZERO, |acc, (v, b)| acc + *v * *b)).collect())
        .collect()
}

/// Evaluates FRI's input, the DEEP composition polynomial times the degree correction, over the
/// LDE domain (see `distaff_verifier::shape` for the shifts and bounds).
///
/// `D(X) = (X^Δ_T·(A(X) − A(z)) + X^Δ_H·(C(X) − C(z)))/(X − z) + X^Δ_T·(B(X) − B(z·g))/(X − z·g) + R(X)`
/// with `A = Σ γ_j·T_j`, `B = Σ γ'_j·T_j` over every trace and auxiliary column,
/// `C = Σ δ_k·H_k` over the composition columns, the values at `z` and `z·g` the combinations
/// of the out-of-domain frame, and `R` the randomiser of a hiding proof (the composition tree's
/// last column). All of it is done on coefficients: `A`, `B` and `C` are linear combinations of
/// coefficient vectors, each division is a synthetic division (exact, since the numerators
/// vanish there), `D`, of `K` coefficients, is multiplied by `1 + β·X^k`
/// ([`degree_correction`]) and the product, of fewer than FRI's bound `B` coefficients, is
/// extended once: two base coordinates per point instead of every column's value and two
/// inversions per point.
#[allow(clippy::too_many_arguments)]
pub(crate) fn deep_composition<E: FieldElement<BaseField = Felt>>(
    coefficients: &dft::Coefficients,
    aux_coefficients: Option<&dft::Coefficients>,
    chunks: &dft::Coefficients,
    shape: &ProofShape,
    ood: &Ood<E>,
    z: E,
    zg: E,
    deep: &DeepCoefficients<E>,
) -> Vec<E> {
    let width = coefficients.width();
    let aux_width = shape.aux_width;
    let num_chunks = shape.num_chunks;
    let d = E::EXTENSION_DEGREE;
    let (gamma, gamma_next, delta) = (&deep.current, &deep.next, &deep.composition);
    // an extension coefficient of a matrix of base coordinates (column j·d + c is coordinate c)
    let ext = |m: &dft::Coefficients, k: usize, j: usize| -> E {
        let coords: [Felt; 3] = core::array::from_fn(|c| if c < d { m.coefficient(k, j * d + c) } else { Felt::ZERO });
        E::slice_from_base_elements(&coords[..d])[0]
    };
    // A and B, row k = the coefficients of x^k; the main trace's part lazily reduced (one
    // reduction per coordinate and row; constant columns only add to row 0)
    let trace_len = coefficients.len().max(aux_coefficients.map_or(0, |c| c.len()));
    let varying = coefficients.varying();
    let pairs: Vec<E> = varying.iter().flat_map(|&j| [gamma[j], gamma_next[j]]).collect();
    let weights = crate::fold::raw_coefficients(&pairs);
    let mut a_coeffs = vec![E::ZERO; trace_len];
    let mut b_coeffs = vec![E::ZERO; trace_len];
    let main_len = coefficients.varying_len();
    a_coeffs.par_iter_mut().zip(b_coeffs.par_iter_mut()).enumerate().for_each(|(k, (a, b))| {
        if k < main_len {
            let mut acc = [distaff_math::lazy::Accumulator::default(); 6];
            for t in 0..varying.len() {
                let c = coefficients.stored_value(k, t);
                let (wa, wb) = (&weights[2 * t], &weights[2 * t + 1]);
                for i in 0..d {
                    acc[i].add_product(wa[i], c);
                    acc[d + i].add_product(wb[i], c);
                }
            }
            let coords: [Felt; 6] = core::array::from_fn(|i| acc[i].field_combination());
            *a = E::slice_from_base_elements(&coords[..d])[0];
            *b = E::slice_from_base_elements(&coords[d..2 * d])[0];
        }
        if let Some(aux) = aux_coefficients {
            for j in 0..aux_width {
                let c = ext(aux, k, j);
                *a += gamma[width + j] * c;
                *b += gamma_next[width + j] * c;
            }
        }
    });
    for (j, c) in coefficients.constant_columns() {
        a_coeffs[0] += gamma[j].mul_base(c);
        b_coeffs[0] += gamma_next[j].mul_base(c);
    }
    // the masked constant columns: v + (x^n − 1)·r, a few coefficients each
    let extras = coefficients.extras();
    for (t, &j) in extras.columns().iter().enumerate() {
        for (k, c) in extras.coefficients(t, coefficients.height()) {
            a_coeffs[k] += gamma[j].mul_base(c);
            b_coeffs[k] += gamma_next[j].mul_base(c);
        }
    }
    // C over the composition columns (not the randomiser, the tree's last column)
    let c_coeffs: Vec<E> = (0..chunks.len())
        .into_par_iter()
        .map(|k| (0..num_chunks).fold(E::ZERO, |acc, i| acc + delta[i] * ext(chunks, k, i)))
        .collect();
    // the values at z and z·g, from the frame
    let combine = |weights: &[E], values: &[E]| weights.iter().zip(values).fold(E::ZERO, |acc, (w, v)| acc + *w * *v);
    let trace_z: Vec<E> = ood.current.iter().chain(&ood.aux_current).copied().collect();
    let trace_zg: Vec<E> = ood.next.iter().chain(&ood.aux_next).copied().collect();
    let (a_z, b_zg, c_z) = (combine(gamma, &trace_z), combine(gamma_next, &trace_zg), combine(delta, &ood.composition));
    // the numerators, shifted: x^Δ_T·(A − A(z)) + x^Δ_H·(C − C(z)), and x^Δ_T·(B − B(z·g))
    let (dt, dh) = (shape.trace_shift, shape.composition_shift);
    let mut num_a = vec![E::ZERO; (trace_len + dt).max(c_coeffs.len() + dh)];
    let mut num_b = vec![E::ZERO; trace_len + dt];
    num_a[dt..dt + trace_len].copy_from_slice(&a_coeffs);
    num_a[dt] -= a_z;
    for (k, c) in c_coeffs.iter().enumerate() {
        num_a[dh + k] += *c;
    }
    num_a[dh] -= c_z;
    num_b[dt..].copy_from_slice(&b_coeffs);
    num_b[dt] -= b_zg;
    drop((a_coeffs, b_coeffs, c_coeffs));
    // (P(X) − P(y))/(X − y), in place: the quotient's coefficients, from the top down
    let divide = |p: &mut Vec<E>, y: E| {
        let mut carry = E::ZERO;
        for c in p.iter_mut().rev() {
            let next = *c + carry * y;
            *c = carry;
            carry = next;
        }
    };
    rayon::join(|| divide(&mut num_a, z), || divide(&mut num_b, zg));
    // D (K coefficients), plus R for a hiding proof
    let k_len = shape.deep_len;
    let mut dp = vec![E::ZERO; k_len];
    for (k, v) in dp.iter_mut().enumerate() {
        *v = num_a.get(k).copied().unwrap_or(E::ZERO) + num_b.get(k).copied().unwrap_or(E::ZERO);
    }
    debug_assert!(num_a[k_len.min(num_a.len())..]
        .iter()
        .chain(&num_b[k_len.min(num_b.len())..])
        .all(|c| *c == E::ZERO));
    drop((num_a, num_b));
    if shape.hiding.is_some() {
        for (k, v) in dp.iter_mut().enumerate() {
            *v += ext(chunks, k, num_chunks);
        }
    }
    // F = D·(1 + β·X^k): coefficient j is d_j + β·d_(j−k), B = K + k coefficients
    let beta = deep.degree_correction;
    let shift = shape.fri.correction_exponent;
    let bound = shape.fri.bound;
    let mut values = vec![Felt::ZERO; bound * d];
    values.par_chunks_mut(d).enumerate().for_each(|(j, row)| {
        let mut f = dp.get(j).copied().unwrap_or(E::ZERO);
        if j >= shift {
            f += beta * dp[j - shift];
        }
        row.copy_from_slice(E::slice_as_base_elements(&[f]));
    });
    drop(dp);
    let rows = dft::lde_rows(
        &dft::coefficient_rows(&values, d, coefficients.height()),
        shape.lde_size / coefficients.height(),
    );
    E::slice_from_base_elements(&rows).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::coordinates;
    use distaff_math::{QuadFelt, StarkField};
    use distaff_verifier::protocol::degree_correction;

    /// A shape by hand: `n` rows at blowup 8, the given composition columns, and (for a hiding
    /// one) masks of `h` coefficients, chunks of `c`, randomisers of `t1`.
    fn shape(n: usize, aux_width: usize, num_chunks: usize, hiding: Option<(usize, usize, usize)>) -> ProofShape {
        let lde_size = 8 * n;
        let (chunk_len, deep_len, trace_shift, composition_shift, hide) = match hiding {
            None => (n, n - 1, 0, 0, None),
            Some((h, c, t1)) => {
                let k = (n + h - 1).max(c + t1 - 1);
                let hide = distaff_verifier::shape::Hiding { mask_len: h, randomizer_len: t1, salt_len: 2 };
                (c, k, k - (n + h - 1), k - (c + t1 - 1), Some(hide))
            }
        };
        // FRI's bound: the next multiple of 8 (one layer) above K
        let bound = (deep_len + 1).div_ceil(8) * 8;
        ProofShape {
            n,
            lde_size,
            extension: 2,
            main_width: 5,
            aux_width,
            num_chunks,
            chunk_len,
            quotient_cosets: num_chunks,
            quotient_len: num_chunks * n,
            deep_len,
            trace_shift,
            composition_shift,
            hiding: hide,
            fri: distaff_verifier::shape::FriShape {
                blowup: 8,
                folding_factor: 8,
                remainder_max_degree: 15,
                max_poly_degree: 2 * n - 1,
                num_layers: 1,
                bound,
                remainder_len: bound / 8,
                winter_remainder_len: 2 * n / 8,
                correction_exponent: bound - deep_len,
            },
        }
    }

    #[test]
    fn deep_composition_is_the_pointwise_definition() {
        let (n, blowup) = (16usize, 8usize);
        let q = |a: u64, b: u64| QuadFelt::new(Felt::new(a), Felt::new(b));
        let column =
            |seed: u64| -> Vec<Felt> { (0..n as u64).map(|r| Felt::new(seed * 1_000_003 + r * r * 17 + 5)).collect() };
        // five main columns, one of them constant
        let mut main: Vec<Vec<Felt>> = (1..5).map(column).collect();
        main.insert(2, vec![Felt::new(42); n]);
        let aux: Vec<Vec<QuadFelt>> =
            (0..2u64).map(|j| (0..n as u64).map(|r| q(r * 3 + j, r ^ (j + 9))).collect()).collect();
        let (width, aux_width, num_chunks) = (main.len(), aux.len(), 3);
        let c = |i: usize| q(i as u64 * 31 + 7, i as u64 + 100);
        let deep = DeepCoefficients {
            current: (0..width + aux_width).map(c).collect(),
            next: (width + aux_width..2 * (width + aux_width)).map(c).collect(),
            composition: (0..num_chunks).map(|i| c(100 + i)).collect(),
            degree_correction: c(1000),
        };
        let z = q(123_456_789, 987_654_321);
        let zg = z * QuadFelt::from(Felt::get_root_of_unity(n.trailing_zeros()));
        // without hiding, and with masks of 5 coefficients on every column (the constant one
        // too), chunks of n + 3 coefficients, randomisers of 4 and the DEEP randomiser
        for hiding in [None, Some((5usize, n + 3, 4usize))] {
            let shape = shape(n, aux_width, num_chunks, hiding);
            let (mut coefficients, mut aux_coefficients) =
                (dft::interpolate_columns(&main), dft::interpolate_columns(&coordinates(&aux)));
            let chunk_len = shape.composition_column_len().max(shape.deep_len);
            let columns = shape.composition_columns() * 2;
            // (the DEEP randomiser, the last column, has K coefficients)
            let chunks_values: Vec<Felt> = (0..chunk_len * columns)
                .map(|i| {
                    let (row, col) = (i / columns, i % columns);
                    if col >= 2 * num_chunks && row >= shape.deep_len {
                        Felt::ZERO
                    } else {
                        Felt::new((i * i * 7 + 1) as u64)
                    }
                })
                .collect();
            let chunks = dft::coefficient_rows(&chunks_values, columns, n);
            if let Some((h, _, _)) = hiding {
                let mask =
                    |c: usize| -> (usize, Vec<Felt>) { (c, (0..h).map(|k| Felt::new((c * 97 + k) as u64)).collect()) };
                coefficients = coefficients.masked(&(0..width).map(mask).collect::<Vec<_>>());
                aux_coefficients = aux_coefficients.masked(&(0..2 * aux_width).map(mask).collect::<Vec<_>>());
            }
            // the values each part takes at a point
            let (gamma, gamma_next, delta) = (&deep.current, &deep.next, &deep.composition);
            let dot = |v: &[QuadFelt], w: &[QuadFelt]| v.iter().zip(w).fold(QuadFelt::ZERO, |s, (a, b)| s + *a * *b);
            let parts = |x: QuadFelt| -> (QuadFelt, QuadFelt, QuadFelt, QuadFelt) {
                let t = evaluate_rows_at_points(&coefficients, &[x]).pop().unwrap();
                let a_ = evaluate_ext_rows_at_points::<QuadFelt>(&aux_coefficients, &[x]).pop().unwrap();
                let h = evaluate_ext_rows_at_points::<QuadFelt>(&chunks, &[x]).pop().unwrap();
                let all: Vec<QuadFelt> = t.into_iter().chain(a_).collect();
                let r = if hiding.is_some() { h[num_chunks] } else { QuadFelt::ZERO };
                (dot(&all, gamma), dot(&all, gamma_next), dot(&h[..num_chunks], delta), r)
            };
            let frame = |x: QuadFelt| -> (Vec<QuadFelt>, Vec<QuadFelt>, Vec<QuadFelt>) {
                let t = evaluate_rows_at_points(&coefficients, &[x]).pop().unwrap();
                let a_ = evaluate_ext_rows_at_points::<QuadFelt>(&aux_coefficients, &[x]).pop().unwrap();
                let mut h = evaluate_ext_rows_at_points::<QuadFelt>(&chunks, &[x]).pop().unwrap();
                h.truncate(num_chunks);
                (t, a_, h)
            };
            let ((cur, aux_cur, comp), (next, aux_next, _)) = (frame(z), frame(zg));
            let ood = Ood { current: cur, next, aux_current: aux_cur, aux_next, composition: comp };
            let values = deep_composition::<QuadFelt>(
                &coefficients,
                Some(&aux_coefficients),
                &chunks,
                &shape,
                &ood,
                z,
                zg,
                &deep,
            );
            let (a_z, _, c_z, _) = parts(z);
            let (_, b_zg, _, _) = parts(zg);
            let omega = Felt::get_root_of_unity((n * blowup).trailing_zeros());
            assert_eq!(values.len(), n * blowup);
            for (p, value) in values.iter().enumerate() {
                let xb = Felt::GENERATOR * omega.exp(p as u64);
                let x = QuadFelt::from(xb);
                let (a, b, c, r) = parts(x);
                let (st, sh) = (x.exp(shape.trace_shift as u64), x.exp(shape.composition_shift as u64));
                let d = (st * (a - a_z) + sh * (c - c_z)) / (x - z) + st * (b - b_zg) / (x - zg) + r;
                let correction = QuadFelt::from(xb.exp(shape.fri.correction_exponent as u64));
                let expected = d * degree_correction(deep.degree_correction, correction);
                assert_eq!(*value, expected, "{hiding:?}, position {p}");
            }
        }
    }
}
