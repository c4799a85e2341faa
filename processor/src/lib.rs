//! The Distaff processor: executes a program on its inputs and, when asked, records the
//! execution trace the prover commits to.
//!
//! Both paths share one interpreter ([`Vm`]): [`execute`] only runs it (the fast path behind
//! `distaff run`), [`build_trace`] runs it and records every cycle in the layout of
//! [`distaff_air::layout`]. Every failure the AIR would reject (stack underflow, a memory address of 2^32 or more, a
//! failed assertion, a non-binary operand, inverting zero, running out of secret inputs) is
//! reported here as an [`ExecutionError`] naming the instruction and the cycle.
#![deny(missing_docs)]

pub mod debug;
pub mod rescue;
mod trace;
mod vm;

pub use trace::trace_length;
pub use trace::{build_trace, build_trace_cancellable, build_trace_with_min_length, ExecutionTrace};
pub use vm::{
    execute, profile, Access, ExecutionError, ExecutionOutput, Profile, ProgramInputs, ProgramPoint, Vm, MAX_CYCLES,
};

#[cfg(feature = "fault-injection")]
pub use trace::build_trace_with_faults;
#[cfg(feature = "fault-injection")]
pub use vm::Faults;
