//! The interface every prover and verifier of this workspace is generic over.
//!
//! An [`Air`] describes a trace (main columns over the base field, and optionally an
//! *auxiliary segment* of extension-field columns built after the main trace is committed,
//! from random challenges drawn from the transcript — what permutation, multiset and lookup
//! arguments need), its periodic columns, the public claim absorbed into the transcript, and
//! its constraints, written once against [`Value`] so that every evaluator can run them.
//! [`ProcessorAir`] is the Distaff VM; other AIRs (the tests have one with an auxiliary
//! grand-product column) go through the same prover and verifier.

use alloc::vec::Vec;

use crate::constraints::{
    compress, compress_entry, control_stack_ops, evaluate_aux_constraints, evaluate_boundary, evaluate_straight_line,
    evaluate_transition, hash_values, ConstraintKind, ConstraintSink, PublicInputs, Value,
};
use crate::degree::Degree;
use crate::layout::{
    BITWISE_TRACE_WIDTH, CLK, CS_PTR, CTL, CYCLE_LEN, EMIT, FULL_TRACE_WIDTH, KIND_HPERM, NUM_KINDS, NUM_PERIODIC,
    TRACE_WIDTH,
};
use crate::rescue::periodic_columns;
use distaff_math::{Felt, FieldElement};

/// An algebraic intermediate representation.
pub trait Air: Sync {
    /// Number of rows (a power of two).
    fn trace_length(&self) -> usize;
    /// Number of main (base-field) columns.
    fn main_width(&self) -> usize;
    /// Number of auxiliary (extension-field) columns; 0 when there is no auxiliary segment.
    fn aux_width(&self) -> usize {
        0
    }
    /// Number of random challenges (extension field) the auxiliary segment is built from.
    fn num_aux_challenges(&self) -> usize {
        0
    }
    /// Periodic columns, each given by its values over one period (a power of two dividing the
    /// trace length).
    fn periodic_columns(&self) -> Vec<Vec<Felt>> {
        Vec::new()
    }
    /// The public claim, as field elements absorbed into the transcript before anything else.
    fn public_elements(&self) -> Vec<Felt>;
    /// Main columns whose values the constraints fix from the claim alone, the same in every
    /// trace the AIR accepts for it: a zero-knowledge prover need not mask them, since their
    /// openings reveal only what the claim says. Every other column is masked.
    fn public_columns(&self) -> Vec<usize> {
        Vec::new()
    }
    /// Emits the main transition constraints for rows (`cur`, `nxt`).
    fn evaluate_main<V: Value, S: ConstraintSink<V>>(&self, cur: &[V], nxt: &[V], periodic: &[V], sink: &mut S);
    /// Emits the first-row and last-row constraints on main columns (`first` and `last` are the
    /// same row when evaluated at a point).
    fn evaluate_main_boundary<V: Value, S: ConstraintSink<V>>(&self, first: &[V], last: &[V], sink: &mut S);
    /// Emits the auxiliary constraints (transition and boundary) given the main rows and periodic
    /// values (in `B`: the base field in the prover, the extension field at the out-of-domain
    /// point), the auxiliary rows and the challenges (in the extension `E`). Emits nothing
    /// without an auxiliary segment.
    #[allow(clippy::too_many_arguments)]
    fn evaluate_aux<B: Value, E: Value + From<B>, S: ConstraintSink<E>>(
        &self,
        _main_cur: &[B],
        _main_nxt: &[B],
        _aux_cur: &[E],
        _aux_nxt: &[E],
        _periodic: &[B],
        _challenges: &[E],
        _sink: &mut S,
    ) {
    }
    /// Values computed once from the challenges (products over public data, say) that the
    /// auxiliary constraints use: the prover and the verifier append them to the drawn
    /// challenges before building or checking the auxiliary segment.
    fn derived_challenges<E: FieldElement<BaseField = Felt>>(&self, _challenges: &[E]) -> Vec<E> {
        Vec::new()
    }
    /// Builds the auxiliary columns from the main trace (column-major) and the challenges
    /// (drawn and derived).
    fn build_aux<E: FieldElement<BaseField = Felt>>(&self, _main: &[Vec<Felt>], _challenges: &[E]) -> Vec<Vec<E>> {
        Vec::new()
    }
}

/// Which form of the VM's AIR a proof uses (part of the claim absorbed into the transcript).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// No control cycles, no auxiliary segment, stack of at most 16 values, no memory.
    StraightLine,
    /// Control flow (the control stack's running product: one auxiliary column), stack of at
    /// most 16 values, no memory.
    Control,
    /// Control flow, an unbounded operand stack (overflow table), random-access memory, u32
    /// operations and the range checker: [`FULL_TRACE_WIDTH`] main columns and five auxiliary
    /// columns.
    Memory,
    /// The memory variant and the bitwise table (`u32xor`, `u32andxor`): [`BITWISE_TRACE_WIDTH`]
    /// main columns and six auxiliary columns.
    Bitwise,
}

impl Variant {
    /// The variant's code in the transcript.
    pub fn code(self) -> u64 {
        match self {
            Variant::StraightLine => 0,
            Variant::Control => 1,
            Variant::Memory => 2,
            Variant::Bitwise => 3,
        }
    }

    /// Whether the variant has the overflow table, memory, u32 operations and the range checker.
    pub fn has_memory(self) -> bool {
        matches!(self, Variant::Memory | Variant::Bitwise)
    }

    /// Whether the variant has the bitwise table.
    pub fn has_bitwise(self) -> bool {
        self == Variant::Bitwise
    }

    /// The variant whose trace has `width` main columns and, for the base width, whether any
    /// cycle is a control cycle (`control`); `None` for a width no variant has.
    pub fn from_width(width: usize, control: bool) -> Option<Variant> {
        match width {
            TRACE_WIDTH if control => Some(Variant::Control),
            TRACE_WIDTH => Some(Variant::StraightLine),
            FULL_TRACE_WIDTH => Some(Variant::Memory),
            BITWISE_TRACE_WIDTH => Some(Variant::Bitwise),
            _ => None,
        }
    }

    /// Number of main columns.
    pub fn main_width(self) -> usize {
        match self {
            Variant::Memory => FULL_TRACE_WIDTH,
            Variant::Bitwise => BITWISE_TRACE_WIDTH,
            _ => TRACE_WIDTH,
        }
    }

    /// Number of auxiliary columns.
    pub fn aux_width(self) -> usize {
        match self {
            Variant::StraightLine => 0,
            Variant::Control => 1,
            Variant::Memory => 5,
            Variant::Bitwise => 6,
        }
    }
}

/// The Distaff VM's AIR for one claim.
///
/// It comes in four [`Variant`]s, each sound on its own; the variant is part of the public
/// claim absorbed into the transcript, and the verifier takes it from the proof's shape. The
/// **control** variant has the control stack and its running product (one auxiliary column).
/// An execution without control flow (a straight-line program: one span) never touches the
/// control stack, so it can be proven by the **straight-line** variant, which has no auxiliary
/// segment and instead requires that no cycle is a control cycle and that nothing is ever
/// pushed (the only emitting cycle is the one that halts). Both keep the stack within 16 values
/// and have no memory. The **memory** variant adds the overflow table (an unbounded stack), the
/// memory table and the range checker; executions that need neither are proven by the smaller
/// variants, which are faster and give smaller proofs. The **bitwise** variant adds the bitwise
/// table to the memory variant, for executions that run `u32xor` or `u32andxor`.
#[derive(Clone, Debug)]
pub struct ProcessorAir {
    public: PublicInputs,
    trace_length: usize,
    hash: [Felt; 4],
    variant: Variant,
}

impl ProcessorAir {
    /// The AIR of a claim over a trace of `trace_length` rows in the given variant. A claim with
    /// initial memory needs the memory variant: it is used unless `variant` has memory.
    pub fn with_variant(public: PublicInputs, trace_length: usize, variant: Variant) -> Self {
        let hash = hash_values::<Felt>(&public.program_hash);
        let variant = if public.memory.is_empty() || variant.has_memory() { variant } else { Variant::Memory };
        ProcessorAir { public, trace_length, hash, variant }
    }

    /// The control variant (or the memory variant for a claim with initial memory).
    pub fn new(public: PublicInputs, trace_length: usize) -> Self {
        ProcessorAir::with_variant(public, trace_length, Variant::Control)
    }

    /// The straight-line variant (no control cycles, no auxiliary segment).
    pub fn straight_line(public: PublicInputs, trace_length: usize) -> Self {
        ProcessorAir::with_variant(public, trace_length, Variant::StraightLine)
    }

    /// The variant a trace (column-major) needs: bitwise or memory if it has their columns,
    /// straight-line if it has no control cycle, control otherwise.
    pub fn for_trace(public: PublicInputs, columns: &[Vec<Felt>]) -> Self {
        let n = columns.first().map_or(0, |c| c.len());
        let control = columns.len() < TRACE_WIDTH
            || columns[CTL..CTL + NUM_KINDS].iter().any(|c| c.iter().any(|v| *v != <Felt as FieldElement>::ZERO));
        let variant = Variant::from_width(columns.len(), control).unwrap_or(Variant::Control);
        ProcessorAir::with_variant(public, n, variant)
    }

    /// The claim.
    pub fn public(&self) -> &PublicInputs {
        &self.public
    }

    /// The variant.
    pub fn variant(&self) -> Variant {
        self.variant
    }
}

impl Air for ProcessorAir {
    fn trace_length(&self) -> usize {
        self.trace_length
    }
    fn main_width(&self) -> usize {
        self.variant.main_width()
    }
    fn periodic_columns(&self) -> Vec<Vec<Felt>> {
        periodic_columns().iter().map(|c| c.to_vec()).collect()
    }
    fn public_columns(&self) -> Vec<usize> {
        // an execution is proven with the straight-line variant only when its control-kind flags
        // are all zero (`for_trace`), which the claim's variant code says: they reveal nothing
        match self.variant {
            Variant::StraightLine => (CTL..CTL + NUM_KINDS).collect(),
            _ => Vec::new(),
        }
    }
    fn public_elements(&self) -> Vec<Felt> {
        let mut elements = self.public.to_elements();
        elements.push(Felt::new(self.variant.code()));
        elements
    }
    #[inline]
    fn evaluate_main<V: Value, S: ConstraintSink<V>>(&self, cur: &[V], nxt: &[V], periodic: &[V], sink: &mut S) {
        let hash: [V; 4] = core::array::from_fn(|k| V::from_felt(self.hash[k]));
        let v = self.variant;
        evaluate_transition(cur, nxt, periodic, &hash, v.has_memory(), v.has_bitwise(), sink);
        if self.variant == Variant::StraightLine {
            evaluate_straight_line(cur, nxt, periodic, sink);
        }
    }
    #[inline]
    fn evaluate_main_boundary<V: Value, S: ConstraintSink<V>>(&self, first: &[V], last: &[V], sink: &mut S) {
        let v = self.variant;
        evaluate_boundary(first, last, &self.public, v.has_memory(), v.has_bitwise(), sink);
    }
    fn aux_width(&self) -> usize {
        self.variant.aux_width()
    }
    fn num_aux_challenges(&self) -> usize {
        match self.variant {
            Variant::StraightLine => 0,
            Variant::Control => 2,
            Variant::Memory | Variant::Bitwise => 3,
        }
    }
    fn derived_challenges<E: FieldElement<BaseField = Felt>>(&self, challenges: &[E]) -> Vec<E> {
        if !self.variant.has_memory() || challenges.len() < 2 {
            return Vec::new();
        }
        // a claim must name each address once, in increasing order (verifiers refuse others up
        // front); if one does not, the product is 0, which no trace can complete (fail-safe)
        if !self.public.memory_is_sorted() {
            return alloc::vec![E::ZERO];
        }
        // the initial memory enters the memory product as word writes at clock 0
        let (alpha, beta) = (challenges[0], challenges[1]);
        let mut product = E::ONE;
        // the table's anchor row: the word at address 0, zero unless the claim sets it
        let zero = (0u32, [Felt::new(0); 4]);
        let anchor = self.public.memory.first().filter(|(a, _)| *a == 0).is_none().then_some(&zero);
        for (addr, word) in anchor.into_iter().chain(&self.public.memory) {
            let (zero, one) = (E::ZERO, E::ONE);
            let w = word.map(E::from);
            product *=
                compress(alpha, beta, &[E::from(Felt::new(*addr as u64)), zero, one, zero, w[0], w[1], w[2], w[3]]);
        }
        alloc::vec![product]
    }
    #[inline]
    fn evaluate_aux<B: Value, E: Value + From<B>, S: ConstraintSink<E>>(
        &self,
        main_cur: &[B],
        main_nxt: &[B],
        aux_cur: &[E],
        aux_nxt: &[E],
        periodic: &[B],
        challenges: &[E],
        sink: &mut S,
    ) {
        if self.variant != Variant::StraightLine {
            let (memory, bitwise) = (self.variant.has_memory(), self.variant.has_bitwise());
            evaluate_aux_constraints(main_cur, main_nxt, aux_cur, aux_nxt, periodic, challenges, memory, bitwise, sink);
        }
    }
    fn build_aux<E: FieldElement<BaseField = Felt>>(&self, main: &[Vec<Felt>], challenges: &[E]) -> Vec<Vec<E>> {
        match self.variant {
            Variant::StraightLine => Vec::new(),
            Variant::Control => alloc::vec![control_stack_product(main, challenges)],
            Variant::Memory | Variant::Bitwise => {
                let mut columns = alloc::vec![control_stack_product(main, challenges)];
                columns.extend(crate::memory::memory_aux_columns(main, challenges));
                if self.variant.has_bitwise() {
                    columns.push(crate::memory::bitwise_sum(main, challenges));
                }
                columns
            }
        }
    }
}

/// The control-stack running product: 1 on the first row, then multiplied on each row by the
/// entry the row pushes and divided by the entry it pops.
pub fn control_stack_product<E: FieldElement<BaseField = Felt>>(main: &[Vec<Felt>], challenges: &[E]) -> Vec<E> {
    let n = main.first().map_or(0, |c| c.len());
    if n == 0 || main.len() < TRACE_WIDTH || challenges.len() < 2 {
        return Vec::new();
    }
    let (alpha, beta) = (challenges[0], challenges[1]);
    let periodic = periodic_columns();
    let mut cur = alloc::vec![<Felt as FieldElement>::ZERO; main.len()];
    let mut nxt = cur.clone();
    let mut p = [<Felt as FieldElement>::ZERO; NUM_PERIODIC];
    let one = <Felt as FieldElement>::ONE;
    crate::memory::running_product(n, E::ONE, |r| {
        // only control cycles and the last row of an emitting cycle touch the stack, and of an
        // hperm cycle only the last row (`control_stack_ops`: the hperm kind enters only
        // through `last`, which is 0 on the other rows; `first` and `second` multiply only the
        // other kinds)
        let last_row = r % CYCLE_LEN == CYCLE_LEN - 1;
        let in_control =
            main[CTL..CTL + NUM_KINDS].iter().enumerate().any(|(k, c)| c[r] == one && (k != KIND_HPERM || last_row));
        let emitting = last_row && main[EMIT][r] == one;
        if !in_control && !emitting {
            return (E::ONE, E::ONE);
        }
        for ((c, x), col) in cur.iter_mut().zip(nxt.iter_mut()).zip(main) {
            *c = col[r];
            *x = col[r + 1];
        }
        for (v, col) in p.iter_mut().zip(periodic.iter()) {
            *v = col[r % CYCLE_LEN];
        }
        let ops = control_stack_ops(&cur, &nxt, &p);
        let lift = |x: Felt| E::from(x);
        let data = ops.data.map(lift);
        let mut num = E::ONE;
        if ops.push != <Felt as FieldElement>::ZERO {
            num = compress_entry(alpha, beta, lift(cur[CLK]), lift(ops.push_tag), &data, lift(cur[CS_PTR]));
        }
        let mut den = E::ONE;
        if ops.pop != <Felt as FieldElement>::ZERO {
            den = compress_entry(alpha, beta, lift(cur[CS_PTR]), lift(ops.pop_tag), &data, lift(ops.link));
        }
        (num, den)
    })
}

struct Collect(Vec<(ConstraintKind, u64)>);
impl ConstraintSink<Degree> for Collect {
    fn emit(&mut self, kind: ConstraintKind, _: &'static str, _: usize, value: Degree) {
        self.0.push((kind, value.0));
    }
}

/// Degree bounds (in x) of every constraint numerator, in emission order: main transition,
/// main boundary, auxiliary.
pub fn constraint_degrees<A: Air>(air: &A) -> Vec<(ConstraintKind, u64)> {
    constraint_degrees_with(air, air.trace_length() as u64 - 1)
}

/// [`constraint_degrees`] when every trace column, main and auxiliary, is a polynomial of degree
/// at most `column_degree` (the trace's own is `n − 1`; a column masked for zero knowledge with
/// a multiple of the trace domain's vanishing polynomial has a higher degree).
pub fn constraint_degrees_with<A: Air>(air: &A, column_degree: u64) -> Vec<(ConstraintKind, u64)> {
    let n = air.trace_length() as u64;
    let main = alloc::vec![Degree(column_degree); air.main_width()];
    let aux = alloc::vec![Degree(column_degree); air.aux_width()];
    let periodic: Vec<Degree> =
        air.periodic_columns().iter().map(|c| Degree(n - n / (c.len().max(1) as u64))).collect();
    let challenges = alloc::vec![Degree(0); air.num_aux_challenges()];
    let mut sink = Collect(Vec::new());
    air.evaluate_main(&main, &main, &periodic, &mut sink);
    air.evaluate_main_boundary(&main, &main, &mut sink);
    air.evaluate_aux(&main, &main, &aux, &aux, &periodic, &challenges, &mut sink);
    sink.0
}

/// Number of constraints (one random coefficient each).
pub fn num_constraints<A: Air>(air: &A) -> usize {
    constraint_degrees(air).len()
}

/// The number of coefficients of the composition quotient when every trace column is a
/// polynomial of degree at most `column_degree`: the largest of `deg(transition) + 2 − n` (the
/// transition divisor is `(x^n − 1)/(x − g^(n−1))`) and `deg(boundary)` over the constraints.
pub fn quotient_length<A: Air>(air: &A, column_degree: u64) -> usize {
    let n = air.trace_length() as u64;
    constraint_degrees_with(air, column_degree)
        .iter()
        .map(|(kind, d)| match kind {
            ConstraintKind::Transition => (d + 2).saturating_sub(n),
            _ => *d,
        })
        .max()
        .unwrap_or(0)
        .max(1) as usize
}

/// Number of composition columns (each of degree < n) and the constraint-evaluation blowup
/// (see the comment inside for why the domain is at least `(chunks + 1)·n`):
/// the quotient's degree is the largest of `deg(transition) + 1 − n` (the transition divisor
/// is `(x^n − 1)/(x − g^(n−1))`) and `deg(boundary) − 1`.
pub fn composition_shape<A: Air>(air: &A) -> (usize, usize) {
    let n = air.trace_length() as u64;
    let degrees = constraint_degrees(air);
    let quotient = degrees
        .iter()
        .map(|(kind, d)| match kind {
            ConstraintKind::Transition => (d + 1).saturating_sub(n),
            _ => d.saturating_sub(1),
        })
        .max()
        .unwrap_or(0);
    let numerator =
        degrees.iter().map(|(kind, d)| if *kind == ConstraintKind::Transition { d + 1 } else { *d }).max().unwrap_or(0);
    let chunks = (quotient / n + 1) as usize;
    // The domain must exceed every numerator's degree, and is kept at least one trace length
    // larger than the composition's degree bound (chunks + 1): the prover evaluates the quotient
    // on `chunks` distinct cosets of the LDE domain, and both sides refuse a blowup below this.
    let ce_blowup = ((numerator / n + 1) as usize).max(chunks + 1).next_power_of_two();
    (chunks, ce_blowup)
}
