//! Any [`Air`] of this crate as a Winterfell AIR (`winter_air::Air`, 0.13), so that Winterfell's
//! own prover and verifier can prove and check Distaff traces (feature `winterfell`).
//!
//! # What maps to what
//!
//! | ours | Winterfell's |
//! |---|---|
//! | main transition constraints ([`Air::evaluate_main`]) | transition constraints, in the same order |
//! | auxiliary transition constraints ([`Air::evaluate_aux`]) | auxiliary transition constraints, in order |
//! | periodic columns | periodic columns, then two selectors (below) |
//! | first-row / last-row constraint `c · (column − v)` | an assertion `column = v` at row 0 or n − 1 |
//! | any other first-row constraint `C(row)` | the transition constraint `C(cur) · s₀`, with `s₀` the periodic column of period n that is 1 on row 0 |
//! | any other last-row constraint `C(row)` | the transition constraint `C(next) · sₙ₋₂`, with `sₙ₋₂` 1 on row n − 2 (whose next row is the last) |
//! | challenges ([`Air::num_aux_challenges`]) and derived challenges | Winterfell's auxiliary random elements, extended with [`Air::derived_challenges`] |
//! | the claim ([`Air::public_elements`]) | public inputs ([`Claim`]) |
//!
//! Winterfell takes boundary constraints only as assertions: a column's value at a row. Which
//! of ours are assertions is found by evaluating them on symbolic rows, in which every cell is
//! an unknown (an affine form of one unknown): a constraint that comes out as `c·x + d` with
//! `c ≠ 0` asserts `x = −d/c`. The auxiliary ones are classified with stand-in challenges and
//! their values computed from the real ones ([`winter_air::Air::get_aux_assertions`]). The
//! rest become transition constraints multiplied by a selector: Winterfell enforces
//! transitions on every row but the last, so a last-row constraint is checked on the next row
//! of row n − 2. (Such a constraint must not read periodic columns: they are given for the
//! current row. None of [`crate::air::ProcessorAir`]'s does.) Two assertions on one cell
//! would overlap, which Winterfell refuses: the second becomes a transition constraint.
//!
//! # Degrees
//!
//! Each constraint's degree descriptor (`TransitionConstraintDegree`: a degree in the trace
//! columns and the periods of the periodic factors) is inferred the way
//! [`crate::degree`] infers our degrees in x, on symbolic values that count both; debug builds
//! check that the two agree for every constraint.
//!
//! # What a prover must supply
//!
//! The main trace in [`Air::main_width`] columns (the processor builds it); the auxiliary
//! columns from [`Air::build_aux`] with the challenges extended by [`aux_challenges`]; and the
//! claim. A verifier should check that a proof's trace shape (widths, number of random
//! elements) is the claim's before calling Winterfell's verifier, since the AIR is built from
//! the proof's trace info.

use alloc::vec;
use alloc::vec::Vec;
use core::ops::{Add, Mul, Neg, Sub};

use distaff_math::{ExtensionOf, Felt, FieldElement, StarkField, ToElements};
use winter_air::{
    AirContext, Assertion, AuxRandElements, EvaluationFrame, ProofOptions, TraceInfo, TransitionConstraintDegree,
};

use crate::air::Air;
use crate::constraints::{ConstraintKind, ConstraintSink, Value};

/// The claim of an [`Air`], as Winterfell's public inputs: the AIR itself (which holds its
/// claim and trace length). Its elements are [`Air::public_elements`].
#[derive(Clone, Debug)]
pub struct Claim<A>(pub A);

impl<A: Air> ToElements<Felt> for Claim<A> {
    fn to_elements(&self) -> Vec<Felt> {
        self.0.public_elements()
    }
}

/// The challenges the auxiliary columns are built from: Winterfell's random elements, then
/// [`Air::derived_challenges`] of them.
pub fn aux_challenges<A: Air, E: FieldElement<BaseField = Felt>>(air: &A, rand: &[E]) -> Vec<E> {
    let mut challenges = rand.to_vec();
    let derived = air.derived_challenges(&challenges);
    challenges.extend(derived);
    challenges
}

/// Where a first-row or last-row constraint went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    /// An assertion on this column (main, or auxiliary counted from 0) and row.
    Assertion { column: usize, row: usize },
    /// A transition constraint times a selector, in this slot of the result.
    Transition(usize),
}

/// Our AIR `A` as a Winterfell AIR.
pub struct WinterfellAir<A: Air> {
    air: A,
    context: AirContext<Felt>,
    /// Our main transition constraints (the first slots of the result).
    main_transitions: usize,
    /// Per main boundary emission, in order.
    main_routes: Vec<Route>,
    main_assertions: Vec<Assertion<Felt>>,
    /// Our auxiliary transition constraints (the first auxiliary slots).
    aux_transitions: usize,
    /// Per auxiliary boundary emission, in order.
    aux_routes: Vec<Route>,
    periodic: Vec<Vec<Felt>>,
}

impl<A: Air> WinterfellAir<A> {
    /// The AIR adapted.
    pub fn air(&self) -> &A {
        &self.air
    }

    /// Number of our periodic columns (Winterfell's come after them: the two selectors).
    fn own_periodic(&self) -> usize {
        self.periodic.len() - 2
    }
}

// ---------------------------------------------------------------------------------------------
// Symbolic values: assertions and degree descriptors
// ---------------------------------------------------------------------------------------------

/// A value as a function of the unknown cells: a constant, an affine form `c·x + d` of one
/// cell `x`, or anything else.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Probe<E> {
    Const(E),
    Affine { cell: usize, coef: E, constant: E },
    Other,
}

impl<E: FieldElement<BaseField = Felt>> Probe<E> {
    fn affine(cell: usize, coef: E, constant: E) -> Self {
        if coef == E::ZERO {
            Probe::Const(constant)
        } else {
            Probe::Affine { cell, coef, constant }
        }
    }
    fn scale(self, k: E) -> Self {
        match self {
            Probe::Const(c) => Probe::Const(c * k),
            Probe::Affine { cell, coef, constant } => Probe::affine(cell, coef * k, constant * k),
            Probe::Other if k == E::ZERO => Probe::Const(E::ZERO),
            Probe::Other => Probe::Other,
        }
    }
}

impl<E: FieldElement<BaseField = Felt>> Add for Probe<E> {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        use Probe::*;
        match (self, o) {
            (Const(a), Const(b)) => Const(a + b),
            (Const(a), Affine { cell, coef, constant }) | (Affine { cell, coef, constant }, Const(a)) => {
                Affine { cell, coef, constant: constant + a }
            }
            (Affine { cell: x, coef: a, constant: c }, Affine { cell: y, coef: b, constant: d }) if x == y => {
                Probe::affine(x, a + b, c + d)
            }
            _ => Other,
        }
    }
}

impl<E: FieldElement<BaseField = Felt>> Neg for Probe<E> {
    type Output = Self;
    fn neg(self) -> Self {
        self.scale(-E::ONE)
    }
}

impl<E: FieldElement<BaseField = Felt>> Sub for Probe<E> {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        self + (-o)
    }
}

impl<E: FieldElement<BaseField = Felt>> Mul for Probe<E> {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        match (self, o) {
            (Probe::Const(k), x) | (x, Probe::Const(k)) => x.scale(k),
            _ => Probe::Other,
        }
    }
}

assign_from_ops!([E: FieldElement<BaseField = Felt>] Probe<E>);

impl<E: FieldElement<BaseField = Felt>> Value for Probe<E> {
    const ZERO: Self = Probe::Const(E::ZERO);
    const ONE: Self = Probe::Const(E::ONE);
    fn from_felt(f: Felt) -> Self {
        Probe::Const(E::from(f))
    }
    fn mul_felt(self, f: Felt) -> Self {
        self.scale(E::from(f))
    }
}

/// A degree descriptor: the degree in the trace columns and, per period 2^k, the number of
/// periodic factors of that period (Winterfell's `TransitionConstraintDegree`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shape {
    base: u32,
    periods: [u8; 32],
    /// log2 of the trace length (0 for constants), to compare shapes by their degree in x.
    log_n: u8,
}

impl Shape {
    const fn constant() -> Self {
        Shape { base: 0, periods: [0; 32], log_n: 0 }
    }
    fn column(log_n: u8) -> Self {
        Shape { base: 1, log_n, ..Shape::constant() }
    }
    fn periodic(log_n: u8, period: usize) -> Self {
        let mut s = Shape { log_n, ..Shape::constant() };
        s.periods[period.trailing_zeros() as usize] = 1;
        s
    }
    /// The degree in x on a trace of 2^log_n rows.
    fn degree(&self, log_n: u8) -> u64 {
        let n = 1u64 << log_n;
        let mut d = self.base as u64 * (n - 1);
        for (k, count) in self.periods.iter().enumerate().filter(|(k, _)| *k <= log_n as usize) {
            d += *count as u64 * (n >> k) * ((1u64 << k) - 1);
        }
        d
    }
    fn descriptor(&self) -> TransitionConstraintDegree {
        let cycles: Vec<usize> = self
            .periods
            .iter()
            .enumerate()
            .flat_map(|(k, count)| core::iter::repeat_n(1usize << k, *count as usize))
            .collect();
        TransitionConstraintDegree::with_cycles(self.base.max(1) as usize, cycles)
    }
}

impl Add for Shape {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        let log_n = self.log_n.max(o.log_n);
        if self.degree(log_n) >= o.degree(log_n) {
            Shape { log_n, ..self }
        } else {
            Shape { log_n, ..o }
        }
    }
}

// (degrees: a difference is bounded like a sum, a product adds degrees)
impl Sub for Shape {
    type Output = Self;
    #[allow(clippy::suspicious_arithmetic_impl)]
    fn sub(self, o: Self) -> Self {
        self + o
    }
}

impl Neg for Shape {
    type Output = Self;
    fn neg(self) -> Self {
        self
    }
}

impl Mul for Shape {
    type Output = Self;
    #[allow(clippy::suspicious_arithmetic_impl)]
    fn mul(self, o: Self) -> Self {
        let mut periods = self.periods;
        for (p, q) in periods.iter_mut().zip(o.periods) {
            *p = p.saturating_add(q);
        }
        Shape { base: self.base + o.base, periods, log_n: self.log_n.max(o.log_n) }
    }
}

assign_from_ops!([] Shape);

impl Value for Shape {
    const ZERO: Self = Shape::constant();
    const ONE: Self = Shape::constant();
    fn from_felt(_: Felt) -> Self {
        Shape::constant()
    }
    fn mul_felt(self, _: Felt) -> Self {
        self
    }
}

/// Collects what is emitted: kind and value.
struct Collect<V>(Vec<(ConstraintKind, V)>);

impl<V> ConstraintSink<V> for Collect<V> {
    fn emit(&mut self, kind: ConstraintKind, _: &'static str, _: usize, value: V) {
        self.0.push((kind, value));
    }
}

/// Two sets of stand-in challenges for classifying the auxiliary boundary constraints: a
/// constraint is an assertion only if it is one, on the same cell, under both (so that its
/// coefficient is not a function of the challenges that vanishes at one of them).
fn stand_in_challenges(count: usize, set: u64) -> Vec<Felt> {
    (0..count as u64).map(|i| Felt::new(0x9e37_79b9_7f4a_7c15u64.wrapping_mul(i + 3 + 101 * set) >> 1)).collect()
}

/// The symbolic rows: main cell `i` is unknown `i`, auxiliary cell `j` unknown `main + j`.
fn symbolic_row<E: FieldElement<BaseField = Felt>>(first: usize, width: usize) -> Vec<Probe<E>> {
    (first..first + width).map(|cell| Probe::Affine { cell, coef: E::ONE, constant: E::ZERO }).collect()
}

/// The aux boundary constraints of `air` on symbolic rows, with these challenges.
fn aux_boundary_probes<A: Air, E: FieldElement<BaseField = Felt>>(
    air: &A,
    challenges: &[E],
) -> Vec<(ConstraintKind, Probe<E>)> {
    let (m, a) = (air.main_width(), air.aux_width());
    let main = symbolic_row::<E>(0, m);
    let aux = symbolic_row::<E>(m, a);
    let periodic = vec![Probe::Other; air.periodic_columns().len()];
    let challenges: Vec<Probe<E>> = challenges.iter().map(|c| Probe::Const(*c)).collect();
    let mut sink = Collect(Vec::new());
    air.evaluate_aux(&main, &main, &aux, &aux, &periodic, &challenges, &mut sink);
    sink.0.into_iter().filter(|(kind, _)| *kind != ConstraintKind::Transition).collect()
}

/// Routes one boundary emission: an assertion when it is affine in one cell of `range` (and
/// that cell is not asserted yet), else a transition constraint in the next free slot.
fn route<E: FieldElement<BaseField = Felt>>(
    kind: ConstraintKind,
    probe: &Probe<E>,
    range: core::ops::Range<usize>,
    n: usize,
    asserted: &mut Vec<(usize, usize)>,
    next_slot: &mut usize,
) -> Route {
    let row = if kind == ConstraintKind::FirstRow { 0 } else { n - 1 };
    if let Probe::Affine { cell, .. } = probe {
        if range.contains(cell) && !asserted.contains(&(*cell, row)) {
            asserted.push((*cell, row));
            return Route::Assertion { column: cell - range.start, row };
        }
    }
    *next_slot += 1;
    Route::Transition(*next_slot - 1)
}

/// The value an assertion asserts: `−d/c` of `c·x + d`.
fn asserted_value<E: FieldElement<BaseField = Felt>>(probe: &Probe<E>) -> E {
    match probe {
        Probe::Affine { coef, constant, .. } => -*constant / *coef,
        // A constraint classified as an assertion under two sets of stand-in challenges is
        // affine in its cell with a coefficient that, as a function of the challenges, is not
        // zero: it vanishes at random challenges with negligible probability (and then this
        // assertion would not check the constraint)
        _ => E::ZERO,
    }
}

impl<A: Air + Clone + Send> winter_air::Air for WinterfellAir<A> {
    type BaseField = Felt;
    type PublicInputs = Claim<A>;

    /// # Panics
    /// If `trace_info` is not the shape of the claim's trace (widths, length, random elements):
    /// check a proof's shape before handing it to Winterfell's verifier.
    fn new(trace_info: TraceInfo, claim: Claim<A>, options: ProofOptions) -> Self {
        let air = claim.0;
        let n = air.trace_length();
        let (m, a) = (air.main_width(), air.aux_width());
        assert_eq!(trace_info.length(), n, "the trace length is not the claim's");
        assert_eq!(trace_info.main_trace_width(), m, "the main trace width is not the AIR's");
        assert_eq!(trace_info.aux_segment_width(), a, "the auxiliary trace width is not the AIR's");
        assert_eq!(trace_info.get_num_aux_segment_rand_elements(), air.num_aux_challenges(), "random elements");
        let log_n = n.trailing_zeros() as u8;

        // the periodic columns, then the two selectors
        let mut periodic = air.periodic_columns();
        let own_periods: Vec<usize> = periodic.iter().map(|c| c.len()).collect();
        let mut first = vec![<Felt as FieldElement>::ZERO; n];
        first[0] = <Felt as FieldElement>::ONE;
        let mut penultimate = vec![<Felt as FieldElement>::ZERO; n];
        penultimate[n - 2] = <Felt as FieldElement>::ONE;
        periodic.push(first);
        periodic.push(penultimate);

        // degree descriptors of our constraints, on symbolic values
        let column = vec![Shape::column(log_n); m];
        let aux_column = vec![Shape::column(log_n); a];
        let shapes: Vec<Shape> = own_periods.iter().map(|p| Shape::periodic(log_n, *p)).collect();
        let selector = Shape::periodic(log_n, n);
        let mut main_shapes = Collect(Vec::new());
        air.evaluate_main(&column, &column, &shapes, &mut main_shapes);
        let mut main_boundary_shapes = Collect(Vec::new());
        air.evaluate_main_boundary(&column, &column, &mut main_boundary_shapes);
        let mut aux_shapes = Collect(Vec::new());
        let num_challenges = aux_challenges(&air, &stand_in_challenges(air.num_aux_challenges(), 0)).len();
        let challenge_shapes = vec![Shape::constant(); num_challenges];
        air.evaluate_aux(&column, &column, &aux_column, &aux_column, &shapes, &challenge_shapes, &mut aux_shapes);
        #[cfg(debug_assertions)]
        {
            // our degree inference and the descriptors agree, constraint by constraint
            let ours = crate::air::constraint_degrees(&air);
            let theirs: Vec<(ConstraintKind, u64)> = main_shapes
                .0
                .iter()
                .chain(&main_boundary_shapes.0)
                .chain(&aux_shapes.0)
                .map(|(k, s)| (*k, s.degree(log_n)))
                .collect();
            assert_eq!(ours, theirs, "the degree descriptors disagree with the degree inference");
        }

        // main: transitions, then the boundary constraints that are not assertions
        let mut main_degrees: Vec<TransitionConstraintDegree> =
            main_shapes.0.iter().map(|(_, s)| s.descriptor()).collect();
        let main_transitions = main_degrees.len();
        let cells = symbolic_row::<Felt>(0, m);
        let mut probes = Collect(Vec::new());
        air.evaluate_main_boundary(&cells, &cells, &mut probes);
        let (mut asserted, mut slot) = (Vec::new(), main_transitions);
        let mut main_routes = Vec::new();
        let mut main_assertions = Vec::new();
        assert_eq!(probes.0.len(), main_boundary_shapes.0.len(), "the boundary constraints changed in number");
        for ((kind, probe), (_, shape)) in probes.0.iter().zip(&main_boundary_shapes.0) {
            let r = route(*kind, probe, 0..m, n, &mut asserted, &mut slot);
            match r {
                Route::Assertion { column, row } => {
                    main_assertions.push(Assertion::single(column, row, asserted_value(probe)))
                }
                Route::Transition(_) => main_degrees.push((*shape * selector).descriptor()),
            }
            main_routes.push(r);
        }

        // auxiliary: the same, classified with stand-in challenges
        let mut aux_degrees: Vec<TransitionConstraintDegree> = aux_shapes
            .0
            .iter()
            .filter(|(k, _)| *k == ConstraintKind::Transition)
            .map(|(_, s)| s.descriptor())
            .collect();
        let aux_transitions = aux_degrees.len();
        let mut aux_routes = Vec::new();
        let mut num_aux_assertions = 0;
        if a > 0 {
            let probes: [Vec<(ConstraintKind, Probe<Felt>)>; 2] = core::array::from_fn(|set| {
                let stand_in = aux_challenges(&air, &stand_in_challenges(air.num_aux_challenges(), set as u64));
                aux_boundary_probes(&air, &stand_in)
            });
            let boundary_shapes: Vec<&Shape> =
                aux_shapes.0.iter().filter(|(k, _)| *k != ConstraintKind::Transition).map(|(_, s)| s).collect();
            assert_eq!(probes[0].len(), boundary_shapes.len(), "the auxiliary boundary constraints changed in number");
            let (mut asserted, mut slot) = (Vec::new(), aux_transitions);
            for (((kind, probe), (_, other)), shape) in probes[0].iter().zip(&probes[1]).zip(boundary_shapes) {
                let same_cell = match (probe, other) {
                    (Probe::Affine { cell: x, .. }, Probe::Affine { cell: y, .. }) => x == y,
                    _ => false,
                };
                let probe = if same_cell { *probe } else { Probe::Other };
                let r = route(*kind, &probe, m..m + a, n, &mut asserted, &mut slot);
                match r {
                    Route::Assertion { .. } => num_aux_assertions += 1,
                    Route::Transition(_) => aux_degrees.push((*shape * selector).descriptor()),
                }
                aux_routes.push(r);
            }
        }
        let context = AirContext::new_multi_segment(
            trace_info,
            main_degrees,
            aux_degrees,
            main_assertions.len(),
            num_aux_assertions,
            options,
        );
        WinterfellAir {
            air,
            context,
            main_transitions,
            main_routes,
            main_assertions,
            aux_transitions,
            aux_routes,
            periodic,
        }
    }

    fn context(&self) -> &AirContext<Felt> {
        &self.context
    }

    fn get_periodic_column_values(&self) -> Vec<Vec<Felt>> {
        self.periodic.clone()
    }

    fn get_assertions(&self) -> Vec<Assertion<Felt>> {
        self.main_assertions.clone()
    }

    fn evaluate_transition<E: FieldElement<BaseField = Felt>>(
        &self,
        frame: &EvaluationFrame<E>,
        periodic: &[E],
        result: &mut [E],
    ) {
        let k = self.own_periodic();
        let (first, penultimate) = (periodic[k], periodic[k + 1]);
        let mut sink = Slots { result, next: 0, routes: &[], emitted: 0, selector: E::ONE, keep: None };
        self.air.evaluate_main(frame.current(), frame.next(), &periodic[..k], &mut sink);
        debug_assert_eq!(sink.next, self.main_transitions);
        sink.routes = &self.main_routes;
        for (row, keep, selector) in
            [(frame.current(), ConstraintKind::FirstRow, first), (frame.next(), ConstraintKind::LastRow, penultimate)]
        {
            (sink.emitted, sink.keep, sink.selector) = (0, Some(keep), selector);
            self.air.evaluate_main_boundary(row, row, &mut sink);
            debug_assert_eq!(sink.emitted, self.main_routes.len());
        }
    }

    fn evaluate_aux_transition<F, E>(
        &self,
        main_frame: &EvaluationFrame<F>,
        aux_frame: &EvaluationFrame<E>,
        periodic: &[F],
        aux_rand_elements: &AuxRandElements<E>,
        result: &mut [E],
    ) where
        F: FieldElement<BaseField = Felt>,
        E: FieldElement<BaseField = Felt> + ExtensionOf<F>,
    {
        let k = self.own_periodic();
        let (first, penultimate) = (E::from(periodic[k]), E::from(periodic[k + 1]));
        let challenges = aux_challenges(&self.air, aux_rand_elements.rand_elements());
        let (cur, nxt) = (main_frame.current(), main_frame.next());
        let (aux_cur, aux_nxt) = (aux_frame.current(), aux_frame.next());
        let own = &periodic[..k];
        let mut sink = Slots { result, next: 0, routes: &[], emitted: 0, selector: E::ONE, keep: None };
        sink.keep = Some(ConstraintKind::Transition);
        self.air.evaluate_aux(cur, nxt, aux_cur, aux_nxt, own, &challenges, &mut Transitions(&mut sink));
        debug_assert_eq!(sink.next, self.aux_transitions);
        sink.routes = &self.aux_routes;
        (sink.emitted, sink.keep, sink.selector) = (0, Some(ConstraintKind::FirstRow), first);
        self.air.evaluate_aux(cur, nxt, aux_cur, aux_nxt, own, &challenges, &mut Boundaries(&mut sink));
        debug_assert_eq!(sink.emitted, self.aux_routes.len());
        (sink.emitted, sink.keep, sink.selector) = (0, Some(ConstraintKind::LastRow), penultimate);
        self.air.evaluate_aux(nxt, nxt, aux_nxt, aux_nxt, own, &challenges, &mut Boundaries(&mut sink));
        debug_assert_eq!(sink.emitted, self.aux_routes.len());
    }

    fn get_aux_assertions<E: FieldElement<BaseField = Felt>>(
        &self,
        aux_rand_elements: &AuxRandElements<E>,
    ) -> Vec<Assertion<E>> {
        let challenges = aux_challenges(&self.air, aux_rand_elements.rand_elements());
        let probes = aux_boundary_probes(&self.air, &challenges);
        probes
            .iter()
            .zip(&self.aux_routes)
            .filter_map(|((_, probe), r)| match r {
                Route::Assertion { column, row } => Some(Assertion::single(*column, *row, asserted_value(probe))),
                Route::Transition(_) => None,
            })
            .collect()
    }
}

/// Writes emissions into Winterfell's result slots: transitions in order (while `routes` is
/// empty), then, of the boundary emissions of kind `keep`, those routed to a transition slot,
/// times `selector`.
struct Slots<'r, E> {
    result: &'r mut [E],
    next: usize,
    routes: &'r [Route],
    /// Boundary emissions seen in the current pass.
    emitted: usize,
    selector: E,
    keep: Option<ConstraintKind>,
}

impl<E: FieldElement<BaseField = Felt>> ConstraintSink<E> for Slots<'_, E> {
    fn emit(&mut self, kind: ConstraintKind, _: &'static str, _: usize, value: E) {
        if kind == ConstraintKind::Transition {
            if self.routes.is_empty() {
                self.result[self.next] = value;
                self.next += 1;
            }
            return;
        }
        let route = self.routes.get(self.emitted).copied();
        self.emitted += 1;
        if let (Some(Route::Transition(slot)), true) = (route, self.keep == Some(kind)) {
            self.result[slot] = value * self.selector;
        }
    }
}

/// Passes on only the transition emissions.
struct Transitions<'s, 'r, E>(&'s mut Slots<'r, E>);
impl<E: FieldElement<BaseField = Felt>> ConstraintSink<E> for Transitions<'_, '_, E> {
    fn emit(&mut self, kind: ConstraintKind, name: &'static str, index: usize, value: E) {
        if kind == ConstraintKind::Transition {
            self.0.emit(kind, name, index, value);
        }
    }
}

/// Passes on only the boundary emissions.
struct Boundaries<'s, 'r, E>(&'s mut Slots<'r, E>);
impl<E: FieldElement<BaseField = Felt>> ConstraintSink<E> for Boundaries<'_, '_, E> {
    fn emit(&mut self, kind: ConstraintKind, name: &'static str, index: usize, value: E) {
        if kind != ConstraintKind::Transition {
            self.0.emit(kind, name, index, value);
        }
    }
}

/// The size of the Winterfell AIR's constraint system for `air`: main transition constraints
/// (ours, then boundary ones as transitions), main assertions, auxiliary transition constraints
/// and auxiliary assertions.
pub fn constraint_counts<A: Air + Clone + Send>(adapted: &WinterfellAir<A>) -> [usize; 4] {
    let c = &adapted.context;
    [
        c.num_main_transition_constraints(),
        adapted.main_assertions.len(),
        c.num_aux_transition_constraints(),
        adapted.aux_routes.iter().filter(|r| matches!(r, Route::Assertion { .. })).count(),
    ]
}

/// Per boundary constraint: the asserted cell (column, row), or `None` for a transition.
pub type Routes = Vec<Option<(usize, usize)>>;

/// Where each of our boundary constraints went, in emission order (main, then auxiliary):
/// `Some((column, row))` for an assertion (auxiliary columns counted from 0), `None` for a
/// transition constraint times a selector. For tests and diagnostics.
pub fn boundary_routes<A: Air>(adapted: &WinterfellAir<A>) -> (Routes, Routes) {
    let map = |r: &Route| match r {
        Route::Assertion { column, row } => Some((*column, *row)),
        Route::Transition(_) => None,
    };
    (adapted.main_routes.iter().map(map).collect(), adapted.aux_routes.iter().map(map).collect())
}

/// Our constraints' field is Winterfell's: the adapter relies on it.
const _: () = assert!(Felt::MODULUS == 0xffff_ffff_0000_0001);
