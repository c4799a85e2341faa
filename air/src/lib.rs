//! The Distaff VM's algebraic intermediate representation (AIR).
//!
//! This crate is the contract between the processor (which must produce traces that satisfy
//! it), our prover, our verifier and any other prover that wants to prove Distaff executions.
//! It knows the trace layout ([`layout`]), how a program is encoded and hashed ([`program`]),
//! and the constraints ([`constraints`]); it knows nothing about how they are proven.
//!
//! Constraints are written once, in [`constraints::evaluate_transition`], against a small algebra trait
//! ([`Value`]) and a [`ConstraintSink`]. Different value types and sinks give the different
//! evaluations the system needs:
//!
//! * the prover evaluates over base-field LDE rows and folds the results with random
//!   extension-field coefficients;
//! * the verifier evaluates once, at the out-of-domain point, in the extension field;
//! * [`debug::check_trace`] evaluates row by row and names the first failing constraint and step;
//! * [`degree::Degree`] evaluates symbolically to bound each constraint's degree, from which
//!   the composition polynomial's size follows.
//!
//! # Using the AIR in another prover
//!
//! A prover reuses the AIR through the [`air::Air`] trait, which [`air::ProcessorAir`]
//! implements for one claim ([`PublicInputs`]: program hash, public inputs, outputs, initial
//! memory) and one trace length, in one of four variants ([`air::Variant`]: straight-line,
//! control flow, memory, bitwise; [`air::ProcessorAir::for_trace`] picks the one a trace needs).
//!
//! What the prover must supply:
//! * the main trace: [`air::Air::main_width`] base-field columns of [`air::Air::trace_length`]
//!   rows (the processor crate's `build_trace` makes them);
//! * the auxiliary trace, after committing to the main one: draw
//!   [`air::Air::num_aux_challenges`] extension-field challenges, extend them with
//!   [`air::Air::derived_challenges`], and build the [`air::Air::aux_width`] columns with
//!   [`air::Air::build_aux`];
//! * the claim's elements ([`air::Air::public_elements`]) in its transcript.
//!
//! What the AIR gives it:
//! * transition constraints on two consecutive rows, main ([`air::Air::evaluate_main`]) and
//!   auxiliary ([`air::Air::evaluate_aux`]), in any field extension of Goldilocks, in a fixed
//!   order; the periodic columns they read ([`air::Air::periodic_columns`], period 8);
//! * first-row and last-row constraints, each tagged with its [`ConstraintKind`]: polynomial
//!   constraints on one row, not only assertions;
//! * each constraint's degree ([`air::constraint_degrees`]), hence the composition's size;
//! * the columns that need no masking for zero knowledge ([`air::Air::public_columns`]).
//!
//! The worked example is [`winterfell`] (feature `winterfell`): an adapter to Winterfell's
//! `winter_air::Air`, with which Winterfell's prover and verifier prove and check Distaff
//! executions (the `distaff-benches` crate proves every variant with it and compares the two
//! provers). It shows how to express the first-row and last-row constraints in a prover that
//! takes only assertions.
#![no_std]
// Constraint code indexes columns and lanes by number, as the math is written.
#![allow(clippy::needless_range_loop)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// `+=`, `-=` and `*=` from `+`, `-` and `*`, for the symbolic value types ([`Value`] needs
/// both): `assign_from_ops!([GENERICS] TYPE)`.
macro_rules! assign_from_ops {
    ([$($generics:tt)*] $t:ty) => {
        impl<$($generics)*> core::ops::AddAssign for $t {
            fn add_assign(&mut self, o: Self) {
                *self = *self + o;
            }
        }
        impl<$($generics)*> core::ops::SubAssign for $t {
            fn sub_assign(&mut self, o: Self) {
                *self = *self - o;
            }
        }
        impl<$($generics)*> core::ops::MulAssign for $t {
            fn mul_assign(&mut self, o: Self) {
                *self = *self * o;
            }
        }
    };
}

pub mod air;
pub mod constraints;
pub mod debug;
pub mod degree;
pub mod layout;
pub mod memory;
pub mod opcodes;
pub mod program;
pub mod rescue;
#[cfg(feature = "winterfell")]
pub mod winterfell;

pub use air::{Air, ProcessorAir, Variant};
pub use constraints::{ConstraintKind, ConstraintSink, PublicInputs, Value};
pub use distaff_math::{Felt, Word};
pub use program::{Hint, Instruction, Program, ProgramError};

/// The largest number of public inputs (the initial stack) a program can take.
pub const MAX_PUBLIC_INPUTS: usize = layout::STACK_DEPTH;
/// The largest number of outputs (top stack values) a claim can name.
pub const MAX_OUTPUTS: usize = layout::STACK_DEPTH;
/// The largest initial memory (in words) a claim may name: its product is computed by every
/// verifier, and each word takes a row of the memory table.
pub const MAX_INITIAL_MEMORY: usize = 1 << 20;
/// The smallest trace length the AIR is defined for.
pub const MIN_TRACE_LENGTH: usize = 64;
/// The largest trace length (2^28 rows) a proof may claim: beyond it the LDE domain leaves the
/// field's two-adic subgroup for the blowups we allow.
pub const MAX_TRACE_LENGTH_LOG2: u32 = 28;
