//! The Distaff processor: executes a program on its inputs and, when asked, records the
//! execution trace the prover commits to.
//!
//! Both paths share one interpreter ([`Vm`]): [`execute`] only runs it (the fast path behind
//! `distaff run`), [`build_trace`] runs it and records every cycle in the layout of
//! [`distaff_air::layout`]. Every failure the AIR would reject (stack underflow, a memory address of 2^32 or more, a
//! failed assertion, a non-binary operand, inverting zero, running out of secret inputs) is
//! reported here as an [`ExecutionError`] naming the instruction and the cycle.
#![deny(missing_docs)]

pub mod advice;
pub mod debug;
pub mod rescue;
mod trace;
mod vm;

pub use trace::trace_length;
pub use trace::{build_trace, build_trace_cancellable, build_trace_with_min_length, ExecutionTrace};
pub use vm::{
    execute, profile, Access, ExecutionError, ExecutionOutput, Profile, ProgramInputs, ProgramPoint, Vm, MAX_CYCLES,
};

/// The program hash ([`distaff_air::Program::hash`]), computed with this crate's Rescue Prime
/// permutation on packed field elements ([`rescue::apply_permutation`]): the same hash, about
/// 0.7 of the time (a span of a quarter of a million instructions: 0.29 s against 0.40 s). Kept
/// in the program's blocks like any hash of theirs.
pub fn program_hash(program: &distaff_air::Program) -> distaff_math::Word {
    program.hash_with(rescue::apply_permutation)
}

#[cfg(feature = "fault-injection")]
pub use trace::build_trace_with_faults;
#[cfg(feature = "fault-injection")]
pub use vm::Faults;
