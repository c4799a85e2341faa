//! Symbolic degree inference: evaluating the constraints over [`Degree`] bounds the degree (in
//! x, over a trace of a given length) of every constraint's numerator. The prover uses it to
//! size the constraint-evaluation domain and the number of composition columns; a test checks
//! the bound against the degree actually observed on a real trace.

use alloc::vec::Vec;
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::constraints::{evaluate_boundary, evaluate_transition, ConstraintKind, ConstraintSink, PublicInputs, Value};
use crate::layout::{CYCLE_LEN, NUM_PERIODIC, TRACE_WIDTH};
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
impl AddAssign for Degree {
    fn add_assign(&mut self, o: Self) {
        *self = *self + o;
    }
}
impl SubAssign for Degree {
    fn sub_assign(&mut self, o: Self) {
        *self = *self - o;
    }
}
impl MulAssign for Degree {
    fn mul_assign(&mut self, o: Self) {
        *self = *self * o;
    }
}
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

struct Collect(Vec<(ConstraintKind, u64)>);
impl ConstraintSink<Degree> for Collect {
    fn emit(&mut self, kind: ConstraintKind, _: &'static str, _: usize, value: Degree) {
        self.0.push((kind, value.0));
    }
}

/// Degree bounds of every constraint numerator (transition constraints first, then boundary),
/// for a trace of `trace_len` rows.
pub fn constraint_degrees(trace_len: usize, public: &PublicInputs) -> Vec<(ConstraintKind, u64)> {
    let n = trace_len as u64;
    let trace = [Degree(n - 1); TRACE_WIDTH];
    let periodic = [Degree(n - n / CYCLE_LEN as u64); NUM_PERIODIC];
    let hash = [Degree(0); 4];
    let mut sink = Collect(Vec::new());
    evaluate_transition(&trace, &trace, &periodic, &hash, &mut sink);
    evaluate_boundary(&trace, &trace, public, &mut sink);
    sink.0
}

/// The degree bound of the composition (quotient) polynomial: the largest of
/// `deg(transition) + 1 − n` (the transition divisor is `(x^n − 1)/(x − g^(n−1))`) and
/// `deg(boundary) − 1`.
pub fn quotient_degree(trace_len: usize, public: &PublicInputs) -> u64 {
    let n = trace_len as u64;
    constraint_degrees(trace_len, public)
        .into_iter()
        .map(|(kind, d)| match kind {
            ConstraintKind::Transition => (d + 1).saturating_sub(n),
            _ => d.saturating_sub(1),
        })
        .max()
        .unwrap_or(0)
}

/// The largest numerator degree (which the constraint-evaluation domain must exceed).
pub fn max_numerator_degree(trace_len: usize, public: &PublicInputs) -> u64 {
    constraint_degrees(trace_len, public)
        .into_iter()
        .map(|(kind, d)| if kind == ConstraintKind::Transition { d + 1 } else { d })
        .max()
        .unwrap_or(0)
}

/// Number of composition columns (each of degree < n) and the constraint-evaluation blowup.
pub fn composition_shape(trace_len: usize, public: &PublicInputs) -> (usize, usize) {
    let n = trace_len as u64;
    let q = quotient_degree(trace_len, public);
    let chunks = (q / n + 1) as usize;
    let num = max_numerator_degree(trace_len, public);
    let ce_blowup = ((num / n + 1) as usize).next_power_of_two();
    (chunks, ce_blowup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_is_seven_columns_over_an_8x_domain() {
        let public =
            PublicInputs { program_hash: [Felt::new(0); 4], inputs: Vec::new(), outputs: alloc::vec![Felt::new(0)] };
        for log_n in 6..20 {
            let (chunks, ce) = composition_shape(1 << log_n, &public);
            assert_eq!((chunks, ce), (7, 8), "log_n = {log_n}");
        }
    }
}
