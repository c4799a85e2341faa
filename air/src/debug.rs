//! A row-by-row constraint checker for execution traces.
//!
//! The prover runs it before committing (unless told not to) so that a bad trace is reported
//! as "constraint X failed at step Y" rather than as an unverifiable proof; the constraint
//! coverage tests use it to show that each constraint catches the cell it governs.

use alloc::string::String;
use alloc::vec::Vec;

use crate::air::{Air, ProcessorAir};
use crate::constraints::{ConstraintKind, ConstraintSink, PublicInputs};
use crate::layout::TRACE_WIDTH;
use distaff_math::{Felt, FieldElement};

/// The first constraint that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("constraint '{name}[{index}]' ({kind:?}) does not hold at step {step}")]
pub struct ConstraintFailure {
    /// Constraint name.
    pub name: &'static str,
    /// Index within a family of constraints (e.g. the stack slot).
    pub index: usize,
    /// When it applies.
    pub kind: ConstraintKind,
    /// The row (for transitions: the first row of the pair).
    pub step: usize,
}

impl ConstraintFailure {
    /// `name[index]`, e.g. `stack_slot[3]`.
    pub fn label(&self) -> String {
        alloc::format!("{}[{}]", self.name, self.index)
    }
}

struct FirstFailure {
    step: usize,
    found: Option<ConstraintFailure>,
    wanted: Option<ConstraintKind>,
}

impl ConstraintSink<Felt> for FirstFailure {
    fn emit(&mut self, kind: ConstraintKind, name: &'static str, index: usize, value: Felt) {
        if self.found.is_none() && value != Felt::ZERO && self.wanted.is_none_or(|w| w == kind) {
            self.found = Some(ConstraintFailure { name, index, kind, step: self.step });
        }
    }
}

/// Checks every constraint of the VM's AIR on a column-major trace (`columns[c][row]`) and
/// returns the first failure, in row order.
pub fn check_trace(columns: &[Vec<Felt>], public: &PublicInputs) -> Result<(), ConstraintFailure> {
    assert_eq!(columns.len(), TRACE_WIDTH, "trace has the wrong width");
    check_air(&ProcessorAir::new(public.clone(), columns[0].len()), columns)
}

/// Checks the main-segment constraints of any [`Air`] on a column-major trace and returns the
/// first failure, in row order.
pub fn check_air<A: Air>(air: &A, columns: &[Vec<Felt>]) -> Result<(), ConstraintFailure> {
    let n = columns[0].len();
    let row = |r: usize| -> Vec<Felt> { columns.iter().map(|c| c[r]).collect() };
    let periodic = air.periodic_columns();

    let first = row(0);
    let last = row(n - 1);
    let mut sink = FirstFailure { step: 0, found: None, wanted: Some(ConstraintKind::FirstRow) };
    air.evaluate_main_boundary(&first, &last, &mut sink);
    if let Some(f) = sink.found {
        return Err(f);
    }

    let mut cur = first.clone();
    for r in 0..n - 1 {
        let nxt = row(r + 1);
        let p: Vec<Felt> = periodic.iter().map(|c| c[r % c.len()]).collect();
        let mut sink = FirstFailure { step: r, found: None, wanted: None };
        air.evaluate_main(&cur, &nxt, &p, &mut sink);
        if let Some(f) = sink.found {
            return Err(f);
        }
        cur = nxt;
    }

    let mut sink = FirstFailure { step: n - 1, found: None, wanted: Some(ConstraintKind::LastRow) };
    air.evaluate_main_boundary(&first, &last, &mut sink);
    match sink.found {
        Some(f) => Err(f),
        None => Ok(()),
    }
}
