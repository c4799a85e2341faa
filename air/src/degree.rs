//! Symbolic degree inference: evaluating the constraints over [`Degree`] bounds the degree (in
//! x, over a trace of a given length) of every constraint's numerator. The prover uses it to
//! size the constraint-evaluation domain and the number of composition columns; a test checks
//! the bound against the degree actually observed on a real trace.

use core::ops::{Add, Mul, Neg, Sub};

use crate::constraints::{PublicInputs, Value};
use distaff_math::Felt;

/// An upper bound on a polynomial's degree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Degree(pub u64);

// The degree of a sum is at most the larger degree.
#[allow(clippy::suspicious_arithmetic_impl)]
impl Add for Degree {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        Degree(self.0.max(o.0))
    }
}
#[allow(clippy::suspicious_arithmetic_impl)]
impl Sub for Degree {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        Degree(self.0.max(o.0))
    }
}
// Degrees add under multiplication.
#[allow(clippy::suspicious_arithmetic_impl)]
impl Mul for Degree {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        Degree(self.0 + o.0)
    }
}
impl Neg for Degree {
    type Output = Self;
    fn neg(self) -> Self {
        self
    }
}
assign_from_ops!([] Degree);
impl Value for Degree {
    const ZERO: Self = Degree(0);
    const ONE: Self = Degree(0);
    fn from_felt(_: Felt) -> Self {
        Degree(0)
    }
    fn mul_felt(self, _: Felt) -> Self {
        self
    }
}

/// Number of composition columns and constraint-evaluation blowup of the VM's AIR for a claim
/// over `trace_len` rows (see [`crate::air::composition_shape`]).
pub fn composition_shape(trace_len: usize, public: &PublicInputs) -> (usize, usize) {
    crate::air::composition_shape(&crate::air::ProcessorAir::new(public.clone(), trace_len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_is_seven_columns_over_an_8x_domain() {
        let public = PublicInputs::new([Felt::new(0); 4], alloc::vec::Vec::new(), alloc::vec![Felt::new(0)]);
        for log_n in 6..20 {
            let (chunks, ce) = composition_shape(1 << log_n, &public);
            assert_eq!((chunks, ce), (7, 8), "log_n = {log_n}");
            for variant in [crate::Variant::StraightLine, crate::Variant::Memory] {
                let air = crate::ProcessorAir::with_variant(public.clone(), 1 << log_n, variant);
                assert_eq!(crate::air::composition_shape(&air), (7, 8), "{variant:?}, log_n = {log_n}");
            }
        }
    }
}
