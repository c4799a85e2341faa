//! Folding constraint values with random coefficients, lazily reduced.
//!
//! Constraint evaluation emits, per point of the constraint-evaluation domain, some 150 values
//! to be combined as `Σ αᵢ·Cᵢ` with extension-field coefficients `αᵢ` (one sum per divisor).
//! [`distaff_verifier::protocol::FoldingSink`] does this with one extension-by-base
//! multiplication per value; [`LazyFold`] instead adds the 128-bit products of the stored
//! values into [`Accumulator`]s and reduces each coordinate once per point, which is what the
//! prover's hot loop wants. Both compute the same field elements (a test checks it).

use distaff_air::{ConstraintKind, ConstraintSink};
use distaff_math::lazy::Accumulator;
use distaff_math::{Felt, FieldElement};
use distaff_verifier::protocol::ScaleBy;

/// Coefficients as the stored values of their base-field coordinates (up to 3).
pub fn raw_coefficients<E: FieldElement<BaseField = Felt>>(alphas: &[E]) -> Vec<[u64; 3]> {
    alphas
        .iter()
        .map(|a| {
            let coords = E::slice_as_base_elements(core::slice::from_ref(a));
            let mut raw = [0u64; 3];
            for (r, c) in raw.iter_mut().zip(coords) {
                *r = c.inner();
            }
            raw
        })
        .collect()
}

/// A constraint sink keeping `Σ αᵢ·Cᵢ` per divisor (transition, first row, last row) as
/// unreduced sums of products, for coefficients in `E`.
pub struct LazyFold<'a, E> {
    coefficients: &'a [[u64; 3]],
    next: usize,
    sums: [[Accumulator; 3]; 3],
    _e: core::marker::PhantomData<E>,
}

impl<'a, E: FieldElement<BaseField = Felt>> LazyFold<'a, E> {
    /// A sink using `coefficients` (from [`raw_coefficients`]) in emission order.
    #[inline(always)]
    pub fn new(coefficients: &'a [[u64; 3]]) -> Self {
        LazyFold { coefficients, next: 0, sums: Default::default(), _e: core::marker::PhantomData }
    }

    #[inline(always)]
    fn slot(kind: ConstraintKind) -> usize {
        match kind {
            ConstraintKind::Transition => 0,
            ConstraintKind::FirstRow => 1,
            ConstraintKind::LastRow => 2,
        }
    }

    /// The three folded sums: transition, first row, last row.
    #[inline(always)]
    pub fn finish(&self) -> [E; 3] {
        finish_sums(&self.sums)
    }
}

/// The field elements of lazily folded sums `[divisor][coordinate]` (transition, first row, last
/// row), in the extension `E`.
#[inline(always)]
pub fn finish_sums<E: FieldElement<BaseField = Felt>>(sums: &[[Accumulator; 3]; 3]) -> [E; 3] {
    let d = E::EXTENSION_DEGREE;
    core::array::from_fn(|k| {
        let coords: [Felt; 3] = core::array::from_fn(|c| sums[k][c].field_combination());
        E::slice_from_base_elements(&coords[..d])[0]
    })
}

/// Base-field values (the main constraints) go in as products of stored values; extension-field
/// values (the auxiliary constraints) are multiplied out and added as they are.
impl<E, V> ConstraintSink<V> for LazyFold<'_, E>
where
    E: FieldElement<BaseField = Felt>,
    V: FieldElement<BaseField = Felt> + ScaleBy<E>,
{
    #[inline(always)]
    fn emit(&mut self, kind: ConstraintKind, _: &'static str, _: usize, value: V) {
        let Some(a) = self.coefficients.get(self.next) else { return };
        self.next += 1;
        let d = E::EXTENSION_DEGREE;
        let sums = &mut self.sums[Self::slot(kind)];
        if V::EXTENSION_DEGREE == 1 {
            let v = V::slice_as_base_elements(core::slice::from_ref(&value))[0].inner();
            for c in 0..d {
                sums[c].add_product(v, a[c]);
            }
        } else {
            let alpha = E::slice_from_base_elements(
                &[Felt::from_mont(a[0]), Felt::from_mont(a[1]), Felt::from_mont(a[2])][..d],
            )[0];
            let product = value.scale_by(alpha);
            // a field element z is the product z·1, whose stored values are ẑ and R
            let one = Felt::ONE.inner();
            for (c, z) in E::slice_as_base_elements(core::slice::from_ref(&product)).iter().enumerate() {
                sums[c].add_product(z.inner(), one);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use distaff_math::{CubeFelt, QuadFelt};
    use distaff_verifier::protocol::FoldingSink;

    fn check<E: FieldElement<BaseField = Felt> + ScaleBy<E>>(make: impl Fn(u64) -> E)
    where
        Felt: ScaleBy<E>,
    {
        let alphas: Vec<E> = (0..40u64).map(|i| make(i * 0x9E37_79B9 + 11)).collect();
        let raw = raw_coefficients(&alphas);
        let mut lazy = LazyFold::<E>::new(&raw);
        let mut plain = FoldingSink::new(&alphas);
        let kinds = [ConstraintKind::Transition, ConstraintKind::FirstRow, ConstraintKind::LastRow];
        for i in 0..45u64 {
            let kind = kinds[(i % 3) as usize];
            if i % 4 == 3 {
                let v = make(i * 31 + 5);
                ConstraintSink::<E>::emit(&mut lazy, kind, "x", 0, v);
                ConstraintSink::<E>::emit(&mut plain, kind, "x", 0, v);
            } else {
                let v = Felt::new(if i % 5 == 0 { u64::MAX } else { i * 0x1234_5678_9ABC });
                ConstraintSink::<Felt>::emit(&mut lazy, kind, "x", 0, v);
                ConstraintSink::<Felt>::emit(&mut plain, kind, "x", 0, v);
            }
        }
        assert_eq!(lazy.finish(), [plain.transition, plain.first, plain.last]);
    }

    #[test]
    fn lazy_folding_equals_plain_folding() {
        check::<QuadFelt>(|i| QuadFelt::new(Felt::new(i), Felt::new(i.wrapping_mul(7) ^ u64::MAX)));
        check::<CubeFelt>(|i| CubeFelt::new(Felt::new(i), Felt::new(i ^ 0xFFFF), Felt::new(u64::MAX - i)));
    }
}
