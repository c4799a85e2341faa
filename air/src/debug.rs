//! A row-by-row constraint checker for execution traces.
//!
//! The prover runs it before committing (unless told not to) so that a bad trace is reported
//! as "constraint X failed at step Y" rather than as an unverifiable proof; the constraint
//! coverage tests use it to show that each constraint catches the cell it governs.

use alloc::string::String;
use alloc::vec::Vec;

use crate::air::{Air, ProcessorAir, Variant};
use crate::constraints::{ConstraintKind, ConstraintSink, PublicInputs};
use distaff_math::{Felt, FieldElement, QuadFelt};

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

/// Which kinds of constraint apply on a row: transition, first-row, last-row.
type Applies = [bool; 3];

const ALL: Applies = [true, true, true];
const FIRST_ROW: Applies = [false, true, false];
const LAST_ROW: Applies = [false, false, true];

/// The kinds of constraint that apply on row `r` of `n`.
fn applies_on(r: usize, n: usize) -> Applies {
    [r + 1 < n, r == 0, r == n - 1]
}

fn applies(mask: &Applies, kind: ConstraintKind) -> bool {
    match kind {
        ConstraintKind::Transition => mask[0],
        ConstraintKind::FirstRow => mask[1],
        ConstraintKind::LastRow => mask[2],
    }
}

struct FirstFailure {
    step: usize,
    found: Option<ConstraintFailure>,
    wanted: Applies,
}

impl<E: FieldElement<BaseField = Felt>> ConstraintSink<E> for FirstFailure {
    fn emit(&mut self, kind: ConstraintKind, name: &'static str, index: usize, value: E) {
        if self.found.is_none() && value != E::ZERO && applies(&self.wanted, kind) {
            self.found = Some(ConstraintFailure { name, index, kind, step: self.step });
        }
    }
}

/// Checks every constraint of the VM's AIR on a column-major trace (`columns[c][row]`) and
/// returns the first failure, in row order.
pub fn check_trace(columns: &[Vec<Felt>], public: &PublicInputs) -> Result<(), ConstraintFailure> {
    // the general variant for the trace's width (the straight-line variant only adds constraints)
    let variant = Variant::from_width(columns.len(), true).unwrap_or(Variant::Control);
    check_air(&ProcessorAir::with_variant(public.clone(), columns[0].len(), variant), columns)
}

/// Checks every constraint of any [`Air`] on a column-major trace and returns the first
/// failure, in row order: first the main segment, then (if the AIR has one) the auxiliary
/// segment built with fixed challenges. A prover that has drawn its challenges uses
/// [`check_air_with_challenges`].
pub fn check_air<A: Air>(air: &A, columns: &[Vec<Felt>]) -> Result<(), ConstraintFailure> {
    // fixed, arbitrary challenges: a debugging aid, not a proof
    check_air_with_challenges(air, columns, &air_debug_challenges(air))
}

/// [`check_air`] with the auxiliary segment built from the given challenges.
pub fn check_air_with_challenges<A: Air, E: FieldElement<BaseField = Felt>>(
    air: &A,
    columns: &[Vec<Felt>],
    challenges: &[E],
) -> Result<(), ConstraintFailure> {
    check_main(air, columns)?;
    if air.aux_width() == 0 {
        return Ok(());
    }
    let aux = air.build_aux(columns, challenges);
    let n = columns[0].len();
    if aux.len() != air.aux_width() || aux.iter().any(|c| c.len() != n) {
        return Err(ConstraintFailure { name: "aux_segment_shape", index: 0, kind: ConstraintKind::FirstRow, step: 0 });
    }
    let periodic = air.periodic_columns();
    let main_row = |r: usize| -> Vec<Felt> { columns.iter().map(|c| c[r]).collect() };
    let aux_row = |r: usize| -> Vec<E> { aux.iter().map(|c| c[r]).collect() };
    for r in 0..n {
        let nr = (r + 1) % n;
        let p: Vec<Felt> = periodic.iter().map(|c| c[r % c.len()]).collect();
        let mut sink = FirstFailure { step: r, found: None, wanted: applies_on(r, n) };
        air.evaluate_aux(&main_row(r), &main_row(nr), &aux_row(r), &aux_row(nr), &p, challenges, &mut sink);
        if let Some(f) = sink.found {
            return Err(f);
        }
    }
    Ok(())
}

fn check_main<A: Air>(air: &A, columns: &[Vec<Felt>]) -> Result<(), ConstraintFailure> {
    let n = columns[0].len();
    let row = |r: usize| -> Vec<Felt> { columns.iter().map(|c| c[r]).collect() };
    let periodic = air.periodic_columns();

    let first = row(0);
    let last = row(n - 1);
    let mut sink = FirstFailure { step: 0, found: None, wanted: FIRST_ROW };
    air.evaluate_main_boundary(&first, &last, &mut sink);
    if let Some(f) = sink.found {
        return Err(f);
    }

    let mut cur = first.clone();
    for r in 0..n - 1 {
        let nxt = row(r + 1);
        let p: Vec<Felt> = periodic.iter().map(|c| c[r % c.len()]).collect();
        let mut sink = FirstFailure { step: r, found: None, wanted: ALL };
        air.evaluate_main(&cur, &nxt, &p, &mut sink);
        if let Some(f) = sink.found {
            return Err(f);
        }
        cur = nxt;
    }

    let mut sink = FirstFailure { step: n - 1, found: None, wanted: LAST_ROW };
    air.evaluate_main_boundary(&first, &last, &mut sink);
    match sink.found {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

struct AllFailures {
    step: usize,
    wanted: Applies,
    found: Vec<ConstraintFailure>,
}

impl<E: FieldElement<BaseField = Felt>> ConstraintSink<E> for AllFailures {
    fn emit(&mut self, kind: ConstraintKind, name: &'static str, index: usize, value: E) {
        if applies(&self.wanted, kind) && value != E::ZERO {
            self.found.push(ConstraintFailure { name, index, kind, step: self.step });
        }
    }
}

/// Fixed, arbitrary challenges for debugging (not a proof).
pub fn debug_challenges(count: usize) -> Vec<QuadFelt> {
    (0..count)
        .map(|i| {
            QuadFelt::new(Felt::new(0x9e37_79b9_7f4a_7c15 ^ i as u64), Felt::new(0x6a09_e667_f3bc_c909 + i as u64))
        })
        .collect()
}

/// [`debug_challenges`] for an AIR, followed by the values it derives from them
/// ([`Air::derived_challenges`]).
pub fn air_debug_challenges<A: Air>(air: &A) -> Vec<QuadFelt> {
    let mut challenges = debug_challenges(air.num_aux_challenges());
    let derived = air.derived_challenges(&challenges);
    challenges.extend(derived);
    challenges
}

/// Every constraint that fails, in row order (main, then auxiliary, per row). The auxiliary
/// segment is the one given, or (`None`) the one [`Air::build_aux`] builds from
/// [`debug_challenges`]. A diagnostic for traces that break several rules at once, and for
/// tests that tamper with one cell and want to see which constraints notice.
pub fn all_failures<A: Air>(air: &A, columns: &[Vec<Felt>], aux: Option<&[Vec<QuadFelt>]>) -> Vec<ConstraintFailure> {
    let n = columns[0].len();
    let challenges = air_debug_challenges(air);
    let built;
    let aux: &[Vec<QuadFelt>] = match aux {
        Some(a) => a,
        None => {
            built = air.build_aux(columns, &challenges);
            &built
        }
    };
    let periodic = air.periodic_columns();
    let row = |r: usize| -> Vec<Felt> { columns.iter().map(|c| c[r]).collect() };
    let aux_row = |r: usize| -> Vec<QuadFelt> { aux.iter().map(|c| c[r]).collect() };
    let mut sink = AllFailures { step: 0, wanted: [false; 3], found: Vec::new() };
    for r in 0..n {
        let nr = (r + 1) % n;
        let (cur, nxt) = (row(r), row(nr));
        let p: Vec<Felt> = periodic.iter().map(|c| c[r % c.len()]).collect();
        sink.step = r;
        sink.wanted = applies_on(r, n);
        if r + 1 < n {
            air.evaluate_main(&cur, &nxt, &p, &mut sink);
        }
        air.evaluate_main_boundary(&cur, &cur, &mut sink);
        if air.aux_width() > 0 && aux.len() == air.aux_width() {
            air.evaluate_aux(&cur, &nxt, &aux_row(r), &aux_row(nr), &p, &challenges, &mut sink);
        }
    }
    sink.found
}
