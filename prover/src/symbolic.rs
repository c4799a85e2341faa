//! Constraint evaluation compiled for one trace: the constraints recorded once as a
//! straight-line program, simplified with the trace's constant columns, and run over blocks of
//! points.
//!
//! The constraints are written once, generically ([`distaff_air::Value`]), and the prover
//! evaluates them at every point of the constraint-evaluation domain (seven cosets of the LDE
//! domain: 1.8 million points for a 2^18-row trace). Many columns of a real trace are constant
//! (25 of the Fibonacci program's 58: unused stack slots and control columns), and their LDE is
//! that constant at every point, so a third of the multiplications and half of the additions
//! of a row evaluation have a zero operand, and half of the constraints are identically zero.
//! Compiled code cannot know which: it is the trace's business. [`Compiled::record`] runs the
//! generic constraints once over symbolic values, in which a constant column *is* its
//! constant: operations on constants are done at recording time, `0·x`, `1·x`, `x + 0` are
//! dropped, equal operations are shared, and what remains is a list of operations on the
//! varying columns and periodic values. [`Compiled::evaluate`] runs that list over a block of
//! points, one operation for all of them at a time (on packed values: see "Representation"),
//! and folds the constraint values with the random coefficients as [`crate::fold::LazyFold`]
//! does.
//!
//! The auxiliary constraints (extension-field values: the auxiliary columns and the
//! challenges) are recorded the same way, one base-field coordinate at a time (`XSym`): the
//! challenges are known when the prover records, so they are constants, and a constraint value
//! `Σ v_k·e_k` folds with coefficient `α` as the `d` base values `v_k` with coefficients
//! `α·e_k` ([`Compiled::coefficients`]). The flag polynomials they share with the main
//! constraints are computed once.
//!
//! # Representation
//!
//! The stored LDE values are winter-math's: `x̂ = x·R` (Montgomery form, R = 2^64 mod p). The
//! steps run on Plonky3's Goldilocks, packed into the target's vector registers (8 points per
//! operation with AVX-512, 4 with AVX2), so that a product of 8 points costs about
//! what two scalar products cost. A stored value read as a Plonky3 element is the element
//! `x·R`; sums keep the power of R, but a Plonky3 product of `x·R^a` and `y·R^b` is `xy·R^(a+b)`.
//! So each recorded operation carries its power of R (its *scale*): inputs 1, products the sum
//! of their operands', and a sum of operands at different scales first multiplies the lower
//! one by a power of R (a `Rescale`, one product). Constants are stored at the scale of the
//! value they meet, and a constraint value at scale `s` folds with its coefficient divided by
//! `R^(s−1)`, so the folded sums are those of values at one power of R, as before.
//!
//! With fewer than 4 points per vector (no vector registers, or NEON's 2, whose products
//! Plonky3 computes lane by lane) the steps run one point at a time and products are
//! winter-math's Montgomery products `x̂·ŷ/R`, which keep every value at scale 1 and need no
//! rescaling.
//!
//! The folded sums are exactly those of the generic evaluation (field arithmetic is exact,
//! every simplification is an identity, and each value differs from the generic one by its
//! known power of R, which its coefficient takes back): a test compares the two on
//! random rows (and random auxiliary rows and challenges) of every variant of the VM's AIR,
//! with constant columns taking arbitrary values, in both extensions, with Montgomery and with
//! packed products, over whole and short blocks. The prover's own check
//! (the verifier's out-of-domain check on the finished proof) would also catch any difference.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use distaff_air::{Air, ConstraintKind, ConstraintSink, Value};
use distaff_math::lazy::Accumulator;
use distaff_math::{Felt, FieldElement};
use p3_field::{Field, PackedField, PackedValue, PrimeCharacteristicRing};
use p3_goldilocks::Goldilocks;

use crate::dft::{constant_from_p3, constant_to_p3, to_p3, RowLayout};

/// A value while recording: a constant, or the result of recorded operation `n`. Only
/// [`Compiled::record`] makes and uses them.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Sym {
    /// Known when recording.
    Const(Felt),
    /// Operation `n`'s value (one per point).
    Node(u32),
}

/// A recorded operation; operands are earlier operations.
#[derive(Clone, Debug)]
enum Op {
    /// Current row, stored column `t`.
    Current(usize),
    /// Next row, stored column `t`.
    Next(usize),
    /// Periodic column `k`.
    Periodic(usize),
    /// Current row of the auxiliary segment, stored value `s` (of its base coordinates, in
    /// which coordinate `k` of auxiliary column `t` is `t·d + k`; see `Compiled::record`).
    AuxCurrent(usize),
    /// Next row of the auxiliary segment, stored value `s`.
    AuxNext(usize),
    /// Current row, masked constant column `k` (see [`crate::dft::Extras`]).
    ExtraCurrent(usize),
    /// Next row, masked constant column `k`.
    ExtraNext(usize),
    Add(u32, u32),
    Sub(u32, u32),
    Mul(u32, u32),
    Neg(u32),
    AddConst(u32, Felt),
    MulConst(u32, Felt),
    /// `Σ c_j·x_j + constant` for integer coefficients `c_j` below p (the Rescue MDS rows).
    Dot(Vec<(u64, u32)>, Felt),
    /// The same value at `k` more powers of R (see "Representation" in the module docs).
    Rescale(u32, u32),
}

impl Op {
    /// For an operation that loads a value at the point: where from (0 current row, 1 next
    /// row, 2 periodic values, 3 and 4 current and next auxiliary rows) and its index there.
    fn source(&self) -> Option<(usize, usize)> {
        match *self {
            Op::Current(t) => Some((0, t)),
            Op::Next(t) => Some((1, t)),
            Op::Periodic(k) => Some((2, k)),
            Op::AuxCurrent(s) => Some((3, s)),
            Op::AuxNext(s) => Some((4, s)),
            Op::ExtraCurrent(k) => Some((5, k)),
            Op::ExtraNext(k) => Some((6, k)),
            _ => None,
        }
    }

    /// Whether the operation loads a value (a column or periodic value at the point).
    fn is_input(&self) -> bool {
        self.source().is_some()
    }
}

/// Key of an operation for sharing equal ones.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Add(u32, u32),
    Sub(u32, u32),
    Mul(u32, u32),
    Neg(u32),
    AddConst(u32, u64),
    MulConst(u32, u64),
    Dot(Vec<(u64, u32)>, u64),
    Rescale(u32, u32),
}

#[derive(Default)]
struct Recorder {
    ops: Vec<Op>,
    /// Per operation: the power of R its stored values carry.
    scales: Vec<u32>,
    shared: HashMap<Key, u32>,
    /// Whether products will be Montgomery products (see `Compiled::montgomery`).
    montgomery: bool,
}

impl Recorder {
    /// The power of R an operation's values carry: one for inputs, the sum of the operands'
    /// for a product, the (equal) operands' for the linear operations.
    fn scale_of(&self, op: &Op) -> u32 {
        let s = |n: &u32| self.scales[*n as usize];
        match op {
            // a Montgomery product divides by R
            Op::Mul(a, b) if self.montgomery => s(a) + s(b) - 1,
            Op::Mul(a, b) => s(a) + s(b),
            Op::Add(a, _) | Op::Sub(a, _) | Op::Neg(a) | Op::AddConst(a, _) | Op::MulConst(a, _) => s(a),
            Op::Dot(terms, _) => terms.first().map_or(1, |(_, n)| s(n)),
            Op::Rescale(a, k) => s(a) + k,
            // inputs (loads of a row, periodic or auxiliary value)
            _ => 1,
        }
    }
}

thread_local! {
    static RECORDER: RefCell<Option<Recorder>> = const { RefCell::new(None) };
}

/// Appends an operation (or finds an equal one) to the recording in progress.
fn push(key: Key, op: Op) -> Sym {
    RECORDER.with(|r| {
        let mut r = r.borrow_mut();
        let r = r.as_mut().expect("symbolic values are only used while Compiled::record records");
        if let Some(&n) = r.shared.get(&key) {
            return Sym::Node(n);
        }
        let n = r.ops.len() as u32;
        let scale = r.scale_of(&op);
        // a scale is at most the operation's degree as a polynomial in the inputs
        debug_assert!(scale < 64, "scale {scale}: a constraint of degree 64?");
        r.ops.push(op);
        r.scales.push(scale);
        r.shared.insert(key, n);
        Sym::Node(n)
    })
}

/// The power of R operation `n`'s values carry.
fn scale(n: u32) -> u32 {
    RECORDER.with(|r| {
        r.borrow().as_ref().expect("symbolic values are only used while Compiled::record records").scales[n as usize]
    })
}

/// Operation `n`'s value carrying `target ≥ scale(n)` powers of R.
fn rescaled(n: u32, target: u32) -> u32 {
    let k = target - scale(n);
    if k == 0 {
        return n;
    }
    match push(Key::Rescale(n, k), Op::Rescale(n, k)) {
        Sym::Node(m) => m,
        Sym::Const(_) => unreachable!("a rescaled operation is an operation"),
    }
}

/// Two operations' values at a common power of R (the larger), for a sum or a difference.
fn aligned(a: u32, b: u32) -> (u32, u32) {
    let target = scale(a).max(scale(b));
    (rescaled(a, target), rescaled(b, target))
}

fn input(op: Op) -> Sym {
    RECORDER.with(|r| {
        let mut r = r.borrow_mut();
        let r = r.as_mut().expect("symbolic values are only used while Compiled::record records");
        let scale = r.scale_of(&op);
        r.ops.push(op);
        r.scales.push(scale);
        Sym::Node(r.ops.len() as u32 - 1)
    })
}

const ZERO: Felt = <Felt as FieldElement>::ZERO;
const ONE: Felt = <Felt as FieldElement>::ONE;

fn add_const(a: u32, c: Felt) -> Sym {
    if c == ZERO {
        Sym::Node(a)
    } else {
        push(Key::AddConst(a, c.inner()), Op::AddConst(a, c))
    }
}

fn mul_const(a: u32, c: Felt) -> Sym {
    if c == ZERO {
        Sym::Const(ZERO)
    } else if c == ONE {
        Sym::Node(a)
    } else {
        push(Key::MulConst(a, c.inner()), Op::MulConst(a, c))
    }
}

/// `a ∘= b` as `a = a ∘ b` for the symbolic value types.
macro_rules! assign_ops {
    ($t:ty) => {
        impl AddAssign for $t {
            fn add_assign(&mut self, o: $t) {
                *self = *self + o;
            }
        }
        impl SubAssign for $t {
            fn sub_assign(&mut self, o: $t) {
                *self = *self - o;
            }
        }
        impl MulAssign for $t {
            fn mul_assign(&mut self, o: $t) {
                *self = *self * o;
            }
        }
    };
}

impl Add for Sym {
    type Output = Sym;
    fn add(self, o: Sym) -> Sym {
        match (self, o) {
            (Sym::Const(a), Sym::Const(b)) => Sym::Const(a + b),
            (Sym::Node(a), Sym::Const(c)) | (Sym::Const(c), Sym::Node(a)) => add_const(a, c),
            (Sym::Node(a), Sym::Node(b)) => {
                let (a, b) = aligned(a, b);
                push(Key::Add(a.min(b), a.max(b)), Op::Add(a, b))
            }
        }
    }
}

impl Sub for Sym {
    type Output = Sym;
    fn sub(self, o: Sym) -> Sym {
        match (self, o) {
            (Sym::Const(a), Sym::Const(b)) => Sym::Const(a - b),
            (Sym::Node(a), Sym::Const(c)) => add_const(a, -c),
            (Sym::Const(c), Sym::Node(a)) => {
                let negated = -Sym::Node(a);
                negated + Sym::Const(c)
            }
            (Sym::Node(a), Sym::Node(b)) if a == b => Sym::Const(ZERO),
            (Sym::Node(a), Sym::Node(b)) => {
                let (a, b) = aligned(a, b);
                push(Key::Sub(a, b), Op::Sub(a, b))
            }
        }
    }
}

impl Mul for Sym {
    type Output = Sym;
    fn mul(self, o: Sym) -> Sym {
        match (self, o) {
            (Sym::Const(a), Sym::Const(b)) => Sym::Const(a * b),
            (Sym::Node(a), Sym::Const(c)) | (Sym::Const(c), Sym::Node(a)) => mul_const(a, c),
            (Sym::Node(a), Sym::Node(b)) => push(Key::Mul(a.min(b), a.max(b)), Op::Mul(a, b)),
        }
    }
}

impl Neg for Sym {
    type Output = Sym;
    fn neg(self) -> Sym {
        match self {
            Sym::Const(a) => Sym::Const(-a),
            Sym::Node(a) => push(Key::Neg(a), Op::Neg(a)),
        }
    }
}

assign_ops!(Sym);

impl Value for Sym {
    const ZERO: Self = Sym::Const(ZERO);
    const ONE: Self = Sym::Const(ONE);
    fn from_felt(f: Felt) -> Self {
        Sym::Const(f)
    }
    fn mul_felt(self, f: Felt) -> Self {
        self * Sym::Const(f)
    }
    fn mat_vec<const N: usize>(m: &[[u64; N]; N], x: &[Self; N]) -> [Self; N] {
        core::array::from_fn(|i| {
            let mut constant = ZERO;
            let mut terms = Vec::new();
            for (c, v) in m[i].iter().zip(x) {
                match v {
                    Sym::Const(k) => constant += Felt::new(*c) * *k,
                    Sym::Node(n) if *c != 0 => terms.push((*c, *n)),
                    Sym::Node(_) => {}
                }
            }
            if terms.is_empty() {
                Sym::Const(constant)
            } else {
                let target = terms.iter().map(|(_, n)| scale(*n)).max().unwrap_or(1);
                for (_, n) in terms.iter_mut() {
                    *n = rescaled(*n, target);
                }
                push(Key::Dot(terms.clone(), constant.inner()), Op::Dot(terms, constant))
            }
        })
    }
}

/// How the extension field in use multiplies, for [`XSym`]: its degree `d` and
/// `table[i][j][k]`, coordinate `k` of the product of basis elements `i` and `j`.
#[derive(Clone, Copy)]
struct Extension {
    d: usize,
    table: [[[Felt; 3]; 3]; 3],
}

impl Extension {
    fn of<E: FieldElement<BaseField = Felt>>() -> Self {
        let d = E::EXTENSION_DEGREE;
        let basis: Vec<E> = (0..d).map(|k| basis_element::<E>(k)).collect();
        let mut table = [[[ZERO; 3]; 3]; 3];
        for i in 0..d {
            for j in 0..d {
                let product = basis[i] * basis[j];
                for (k, c) in E::slice_as_base_elements(core::slice::from_ref(&product)).iter().enumerate() {
                    table[i][j][k] = *c;
                }
            }
        }
        Extension { d, table }
    }
}

/// Basis element `k` of the extension: the element whose base coordinates are the unit vector
/// `k` (the extension's element `Σ c_k·e_k` has coordinates `c_k`).
fn basis_element<E: FieldElement<BaseField = Felt>>(k: usize) -> E {
    let mut unit = [ZERO; 3];
    unit[k] = ONE;
    E::slice_from_base_elements(&unit[..E::EXTENSION_DEGREE])[0]
}

thread_local! {
    static EXTENSION: core::cell::Cell<Option<Extension>> = const { core::cell::Cell::new(None) };
}

fn extension() -> Extension {
    EXTENSION.with(|e| e.get()).expect("extension values are only used while Compiled::record records")
}

/// An extension-field value while recording: its base-field coordinates, each a [`Sym`] (the
/// first `d` used). Extension arithmetic becomes base-field operations on coordinates, so the
/// auxiliary constraints compile like the main ones, with the challenges as constants.
#[derive(Clone, Copy, Debug)]
pub(crate) struct XSym([Sym; 3]);

impl From<Sym> for XSym {
    fn from(s: Sym) -> XSym {
        XSym([s, Sym::Const(ZERO), Sym::Const(ZERO)])
    }
}

impl Add for XSym {
    type Output = XSym;
    fn add(self, o: XSym) -> XSym {
        XSym(core::array::from_fn(|k| self.0[k] + o.0[k]))
    }
}

impl Sub for XSym {
    type Output = XSym;
    fn sub(self, o: XSym) -> XSym {
        XSym(core::array::from_fn(|k| self.0[k] - o.0[k]))
    }
}

impl Neg for XSym {
    type Output = XSym;
    fn neg(self) -> XSym {
        XSym(core::array::from_fn(|k| -self.0[k]))
    }
}

impl Mul for XSym {
    type Output = XSym;
    fn mul(self, o: XSym) -> XSym {
        // (Σ a_i·e_i)(Σ b_j·e_j) = Σ_k (Σ_ij a_i·b_j·table[i][j][k])·e_k
        let ext = extension();
        let mut out = [Sym::Const(ZERO); 3];
        for i in 0..ext.d {
            for j in 0..ext.d {
                let product = self.0[i] * o.0[j];
                if matches!(product, Sym::Const(c) if c == ZERO) {
                    continue;
                }
                for (k, out) in out.iter_mut().enumerate().take(ext.d) {
                    *out += product * Sym::Const(ext.table[i][j][k]);
                }
            }
        }
        XSym(out)
    }
}

assign_ops!(XSym);

impl Value for XSym {
    // the extension's one is the basis element 0 (winter-math's extensions: (1, 0[, 0])),
    // which `Compiled::record` checks
    const ZERO: Self = XSym([Sym::Const(ZERO); 3]);
    const ONE: Self = XSym([Sym::Const(ONE), Sym::Const(ZERO), Sym::Const(ZERO)]);
    fn from_felt(f: Felt) -> Self {
        XSym::from(Sym::Const(f))
    }
    fn mul_felt(self, f: Felt) -> Self {
        XSym(core::array::from_fn(|k| self.0[k] * Sym::Const(f)))
    }
}

/// The auxiliary constraints in emission order, as coordinates.
struct AuxEmissions(Vec<(ConstraintKind, [Sym; 3])>);

impl ConstraintSink<XSym> for AuxEmissions {
    fn emit(&mut self, kind: ConstraintKind, _: &'static str, _: usize, value: XSym) {
        self.0.push((kind, value.0));
    }
}

/// The constraints in emission order, each a constant or an operation.
struct Emissions(Vec<(ConstraintKind, Sym)>);

impl ConstraintSink<Sym> for Emissions {
    fn emit(&mut self, kind: ConstraintKind, _: &'static str, _: usize, value: Sym) {
        self.0.push((kind, value));
    }
}

/// Points evaluated together.
pub const BLOCK: usize = 32;

/// An operation over slots (each slot holds one value per point of a block).
#[derive(Clone, Debug)]
enum Step {
    Add(usize, usize),
    Sub(usize, usize),
    Mul(usize, usize),
    Neg(usize),
    /// Adds the stored constant (the constant's value times the operand's power of R).
    AddConst(usize, Goldilocks),
    /// Multiplies by the constant (a value, or a power of R for a rescaling).
    MulConst(usize, Goldilocks),
    /// `Σ k_j·x_j + c` for integers `k_j` below p.
    Dot(Vec<(u64, usize)>, Goldilocks),
}

/// The constraints of an AIR (main and, with the challenges, auxiliary), compiled for a trace
/// with a given [`RowLayout`].
pub struct Compiled {
    /// Inputs loaded into slots before the steps, per source (`Op::source`): (slot, index in
    /// the source).
    inputs: [Vec<(usize, usize)>; 7],
    /// (output slot, step), in order.
    steps: Vec<(usize, Step)>,
    /// Non-constant constraints, per divisor (transition, first row, last row): (slot,
    /// coefficient index).
    folds: [Vec<(usize, usize)>; 3],
    /// Constant constraints: (divisor, value, coefficient index).
    constants: Vec<(usize, Felt, usize)>,
    /// Per folded value: the power of R its stored values carry (1 for the constants).
    scales: Vec<u32>,
    /// Number of folded values: the main constraints, then `d` coordinates per auxiliary one
    /// (the coefficients [`Compiled::coefficients`] gives).
    count: usize,
    /// Number of main and of auxiliary constraints (random coefficients used).
    main: usize,
    aux: usize,
    /// Degree of the extension the auxiliary constraints were recorded in.
    d: usize,
    slots: usize,
    /// Whether products are Montgomery products (`x̂·ŷ/R`, winter-math's, one point at a time),
    /// which keep every value at one power of R; otherwise Plonky3's packed products, which
    /// add powers of R (see "Representation"). With fewer than 4 lanes the two products cost
    /// about the same, and Montgomery products need no rescaling.
    montgomery: bool,
}

fn divisor(kind: ConstraintKind) -> usize {
    match kind {
        ConstraintKind::Transition => 0,
        ConstraintKind::FirstRow => 1,
        ConstraintKind::LastRow => 2,
    }
}

impl Compiled {
    /// Records the main transition and boundary constraints of `air` for rows laid out as
    /// `layout` says (the constant columns are constants), then, if it has an auxiliary
    /// segment, its auxiliary constraints for the (drawn and derived) `challenges`, with the
    /// auxiliary rows' base coordinates laid out as `aux_layout` says (`None`: every
    /// coordinate stored, in order), and allocates slots.
    pub fn record<A: Air, E: FieldElement<BaseField = Felt>>(
        air: &A,
        layout: &RowLayout,
        aux_layout: Option<&RowLayout>,
        challenges: &[E],
    ) -> Self {
        Self::record_with(air, layout, aux_layout, challenges, Packed::WIDTH < 4)
    }

    /// [`Compiled::record`] for Montgomery products or for packed Plonky3 products (the
    /// tests compile both ways in every build).
    fn record_with<A: Air, E: FieldElement<BaseField = Felt>>(
        air: &A,
        layout: &RowLayout,
        aux_layout: Option<&RowLayout>,
        challenges: &[E],
        montgomery: bool,
    ) -> Self {
        RECORDER.with(|r| *r.borrow_mut() = Some(Recorder { montgomery, ..Recorder::default() }));
        let ext = Extension::of::<E>();
        assert!(basis_element::<E>(0) == E::ONE, "the extension's one is its first basis element");
        EXTENSION.with(|e| e.set(Some(ext)));
        let d = ext.d;
        let template = layout.template();
        let row = |next: bool| -> Vec<Sym> {
            let mut row: Vec<Sym> = template.iter().map(|c| Sym::Const(*c)).collect();
            for (t, &c) in layout.columns().iter().enumerate() {
                row[c] = input(if next { Op::Next(t) } else { Op::Current(t) });
            }
            for (k, &c) in layout.extras().iter().enumerate() {
                row[c] = input(if next { Op::ExtraNext(k) } else { Op::ExtraCurrent(k) });
            }
            row
        };
        let (cur, nxt) = (row(false), row(true));
        let periodic: Vec<Sym> = (0..air.periodic_columns().len()).map(|k| input(Op::Periodic(k))).collect();
        let mut emitted = Emissions(Vec::new());
        air.evaluate_main(&cur, &nxt, &periodic, &mut emitted);
        air.evaluate_main_boundary(&cur, &cur, &mut emitted);
        let main = emitted.0.len();
        let mut aux_emitted = AuxEmissions(Vec::new());
        if air.aux_width() > 0 {
            // base coordinate i of an auxiliary row: a constant, or stored value s
            let template = aux_layout.map(|l| l.template());
            let coordinate = |i: usize, next: bool| -> Sym {
                let s = match aux_layout {
                    Some(l) => match l.columns().binary_search(&i) {
                        Ok(s) => s,
                        Err(_) => return Sym::Const(template.as_ref().and_then(|t| t.get(i)).copied().unwrap_or(ZERO)),
                    },
                    None => i,
                };
                input(if next { Op::AuxNext(s) } else { Op::AuxCurrent(s) })
            };
            let aux_row = |next: bool| -> Vec<XSym> {
                (0..air.aux_width())
                    .map(|t| {
                        XSym(core::array::from_fn(
                            |k| if k < d { coordinate(t * d + k, next) } else { Sym::Const(ZERO) },
                        ))
                    })
                    .collect()
            };
            let (aux_cur, aux_nxt) = (aux_row(false), aux_row(true));
            let challenges: Vec<XSym> = challenges
                .iter()
                .map(|c| {
                    let coords = E::slice_as_base_elements(core::slice::from_ref(c));
                    XSym(core::array::from_fn(|k| Sym::Const(coords.get(k).copied().unwrap_or(ZERO))))
                })
                .collect();
            air.evaluate_aux(&cur, &nxt, &aux_cur, &aux_nxt, &periodic, &challenges, &mut aux_emitted);
        }
        let aux = aux_emitted.0.len();
        // each auxiliary constraint folds as its d coordinates, with the coefficients α·e_k
        for (kind, coords) in &aux_emitted.0 {
            for c in &coords[..d] {
                emitted.0.push((*kind, *c));
            }
        }
        EXTENSION.with(|e| e.set(None));
        let (ops, scales) = RECORDER.with(|r| r.borrow_mut().take()).map(|r| (r.ops, r.scales)).unwrap_or_default();
        // a constant, stored as the values of operation `n` are (see "Representation")
        let stored = |c: Felt, n: &u32| constant_to_p3(c) * power_of_r(scales[*n as usize]);

        let operands = |op: &Op| -> Vec<u32> {
            match op {
                Op::Add(a, b) | Op::Sub(a, b) | Op::Mul(a, b) => vec![*a, *b],
                Op::Neg(a) | Op::AddConst(a, _) | Op::MulConst(a, _) | Op::Rescale(a, _) => vec![*a],
                Op::Dot(terms, _) => terms.iter().map(|(_, m)| *m).collect(),
                _ => Vec::new(),
            }
        };
        // keep what the constraints use; then give each value a slot, reused after its last use
        let mut used = vec![false; ops.len()];
        for (_, v) in &emitted.0 {
            if let Sym::Node(n) = v {
                used[*n as usize] = true;
            }
        }
        for n in (0..ops.len()).rev() {
            if used[n] {
                for m in operands(&ops[n]) {
                    used[m as usize] = true;
                }
            }
        }
        // last use of each value; emitted values live to the end
        let mut last = vec![0usize; ops.len()];
        for (n, op) in ops.iter().enumerate() {
            if used[n] {
                for m in operands(op) {
                    last[m as usize] = n;
                }
            }
        }
        for (_, v) in &emitted.0 {
            if let Sym::Node(n) = v {
                last[*n as usize] = usize::MAX;
            }
        }
        let mut slot_of = vec![usize::MAX; ops.len()];
        let mut free: Vec<usize> = Vec::new();
        let mut slots = 0;
        let mut take = |free: &mut Vec<usize>| {
            free.pop().unwrap_or_else(|| {
                slots += 1;
                slots - 1
            })
        };
        let (mut inputs, mut steps) = (<[Vec<(usize, usize)>; 7]>::default(), Vec::new());
        // inputs first (they are loaded before the steps run)
        for (n, op) in ops.iter().enumerate() {
            if let (true, Some((source, index))) = (used[n], op.source()) {
                slot_of[n] = take(&mut free);
                inputs[source].push((slot_of[n], index));
            }
        }
        for (n, op) in ops.iter().enumerate() {
            if !used[n] || op.is_input() {
                continue;
            }
            let s = |m: &u32| slot_of[*m as usize];
            let step = match op {
                Op::Add(a, b) => Step::Add(s(a), s(b)),
                Op::Sub(a, b) => Step::Sub(s(a), s(b)),
                Op::Mul(a, b) => Step::Mul(s(a), s(b)),
                Op::Neg(a) => Step::Neg(s(a)),
                Op::AddConst(a, c) => Step::AddConst(s(a), stored(*c, a)),
                Op::MulConst(a, c) => Step::MulConst(s(a), constant_to_p3(*c)),
                Op::Rescale(a, k) => Step::MulConst(s(a), power_of_r(*k)),
                Op::Dot(terms, c) => Step::Dot(
                    terms.iter().map(|(k, m)| (*k, s(m))).collect(),
                    terms.first().map_or(constant_to_p3(*c), |(_, m)| stored(*c, m)),
                ),
                _ => unreachable!("inputs are loaded first"),
            };
            // operands whose last use this is give their slots back first: the steps write a
            // point's result after reading its operands, so the output may reuse one of them
            let mut seen = Vec::new();
            for m in operands(op) {
                if last[m as usize] == n && !seen.contains(&m) {
                    free.push(slot_of[m as usize]);
                    seen.push(m);
                }
            }
            slot_of[n] = take(&mut free);
            steps.push((slot_of[n], step));
        }
        let (mut folds, mut constants) = (<[Vec<(usize, usize)>; 3]>::default(), Vec::new());
        let mut fold_scales = vec![1; emitted.0.len()];
        for (i, (kind, v)) in emitted.0.iter().enumerate() {
            match v {
                Sym::Const(c) if *c == ZERO => {}
                Sym::Const(c) => constants.push((divisor(*kind), *c, i)),
                Sym::Node(n) => {
                    folds[divisor(*kind)].push((slot_of[*n as usize], i));
                    fold_scales[i] = scales[*n as usize];
                }
            }
        }
        Compiled {
            inputs,
            steps,
            folds,
            constants,
            scales: fold_scales,
            count: emitted.0.len(),
            main,
            aux,
            d,
            slots,
            montgomery,
        }
    }

    /// Number of constraints (main and auxiliary: the random coefficients it folds with).
    pub fn num_constraints(&self) -> usize {
        self.main + self.aux
    }

    /// The raw coefficients [`Compiled::evaluate`] folds with, from the random coefficients
    /// `alphas` of the constraints in emission order: those of the main constraints, then,
    /// per auxiliary constraint `α`, the `d` coefficients `α·e_k` of its coordinates; each
    /// divided by the powers of R beyond one its constraint's values carry.
    pub fn coefficients<E: FieldElement<BaseField = Felt>>(&self, alphas: &[E]) -> Vec<[u64; 3]> {
        assert!(E::EXTENSION_DEGREE == self.d, "the extension the constraints were recorded in");
        assert!(alphas.len() >= self.main + self.aux, "a coefficient per constraint");
        let basis: Vec<E> = (0..self.d).map(basis_element::<E>).collect();
        let aux = alphas[self.main..self.main + self.aux].iter().flat_map(|a| basis.iter().map(move |e| *a * *e));
        // a value carrying R^s times the constraint's: its coefficient is divided by R^(s−1)
        let inv_r = constant_from_p3(power_of_r(1)).inv();
        let scaled: Vec<E> = alphas[..self.main]
            .iter()
            .copied()
            .chain(aux)
            .zip(&self.scales)
            .map(|(a, &s)| if s == 1 { a } else { a.mul_base(inv_r.exp(u64::from(s) - 1)) })
            .collect();
        crate::fold::raw_coefficients(&scaled)
    }

    /// A scratch buffer for [`Compiled::evaluate`] (one per thread).
    pub fn scratch(&self) -> Scratch {
        Scratch(vec![Goldilocks::ZERO; self.slots * BLOCK])
    }

    /// Evaluates the constraints at `len ≤ BLOCK` points and adds `Σ αᵢ·Cᵢ` per divisor to
    /// `sums[point][divisor][coordinate]`. Point `i`'s current and next rows are
    /// `current(i)` and `next(i)` (stored columns, see [`RowLayout`]), its periodic values
    /// `periodic(i)`, its auxiliary rows `aux_current(i)` and `aux_next(i)` (base coordinates,
    /// empty without an auxiliary segment); `coefficients` are [`Compiled::coefficients`], in
    /// the extension of degree `d`.
    #[allow(clippy::too_many_arguments)]
    pub fn evaluate<'a>(
        &self,
        len: usize,
        current: impl Fn(usize) -> &'a [Felt],
        next: impl Fn(usize) -> &'a [Felt],
        periodic: impl Fn(usize) -> &'a [Felt],
        aux_current: impl Fn(usize) -> &'a [Felt],
        aux_next: impl Fn(usize) -> &'a [Felt],
        (extra_current, extra_next): (impl Fn(usize) -> &'a [Felt], impl Fn(usize) -> &'a [Felt]),
        coefficients: &[[u64; 3]],
        d: usize,
        scratch: &mut Scratch,
        sums: &mut [[[Accumulator; 3]; 3]],
    ) {
        let scratch = &mut scratch.0;
        // the raw-pointer loops below rely on these (checked once per block: cheap)
        assert!(len <= BLOCK && sums.len() >= len, "at most BLOCK points, with a sum for each");
        assert!(scratch.len() >= self.slots * BLOCK, "a scratch buffer from Compiled::scratch");
        assert!(coefficients.len() >= self.count, "a coefficient per folded value");
        assert!(d == self.d, "the extension the constraints were recorded in");
        // point by point, one row's values go to their slots (a stored value x̂ = x·R is the
        // Plonky3 element x·R: one power of R)
        let sources: [&dyn Fn(usize) -> &'a [Felt]; 7] =
            [&current, &next, &periodic, &aux_current, &aux_next, &extra_current, &extra_next];
        for (inputs, source) in self.inputs.iter().zip(sources) {
            if inputs.is_empty() {
                continue;
            }
            for i in 0..len {
                let row = source(i);
                for &(slot, index) in inputs {
                    scratch[slot * BLOCK + i] = to_p3(row[index]);
                }
            }
        }
        if self.montgomery {
            self.run::<Goldilocks>(len, scratch);
        } else {
            self.run::<Packed>(len, scratch);
        }
        match (d, self.montgomery) {
            (1, true) => self.fold::<1>(len, coefficients, scratch, sums),
            (2, true) => self.fold::<2>(len, coefficients, scratch, sums),
            (_, true) => self.fold::<3>(len, coefficients, scratch, sums),
            (1, false) => self.fold_packed::<1>(len, coefficients, scratch, sums),
            (2, false) => self.fold_packed::<2>(len, coefficients, scratch, sums),
            (_, false) => self.fold_packed::<3>(len, coefficients, scratch, sums),
        }
        for &(div, value, index) in &self.constants {
            let alpha = &coefficients[index];
            for sum in sums.iter_mut().take(len) {
                for c in 0..d {
                    sum[div][c].add_product(value.inner(), alpha[c]);
                }
            }
        }
    }

    /// Runs the steps over the block's slots, `P::WIDTH` points per operation.
    #[inline(always)]
    fn run<P: PackedField<Scalar = Goldilocks>>(&self, len: usize, scratch: &mut [Goldilocks]) {
        // the steps run on packed values, WIDTH points per operation; a short block's
        // unused points compute on stale values and are never folded
        let per_slot = BLOCK / P::WIDTH;
        let packs = len.div_ceil(P::WIDTH);
        let base = P::pack_slice_mut(&mut scratch[..]).as_mut_ptr();
        // SAFETY: every slot index is below `self.slots` (allocated by `record`) and the scratch
        // holds `self.slots·BLOCK` values, so each pointer addresses `packs ≤ per_slot` packed
        // values inside it; an output may be one of the operands, which is why each pack's
        // operands are read before its result is written.
        let at = |slot: usize| unsafe { base.add(slot * per_slot) };
        for (out, step) in &self.steps {
            let o = at(*out);
            unsafe {
                match step {
                    Step::Add(a, b) => {
                        let (a, b) = (at(*a), at(*b));
                        for i in 0..packs {
                            *o.add(i) = *a.add(i) + *b.add(i);
                        }
                    }
                    Step::Sub(a, b) => {
                        let (a, b) = (at(*a), at(*b));
                        for i in 0..packs {
                            *o.add(i) = *a.add(i) - *b.add(i);
                        }
                    }
                    Step::Mul(a, b) if self.montgomery => {
                        let (a, b) = (at(*a), at(*b));
                        for i in 0..packs {
                            let (x, y) = (*a.add(i), *b.add(i));
                            *o.add(i) = P::from_fn(|lane| {
                                let (x, y) = (x.as_slice()[lane], y.as_slice()[lane]);
                                to_p3(Felt::from_mont(raw(x)) * Felt::from_mont(raw(y)))
                            });
                        }
                    }
                    Step::Mul(a, b) => {
                        let (a, b) = (at(*a), at(*b));
                        for i in 0..packs {
                            *o.add(i) = *a.add(i) * *b.add(i);
                        }
                    }
                    Step::Neg(a) => {
                        let a = at(*a);
                        for i in 0..packs {
                            *o.add(i) = -*a.add(i);
                        }
                    }
                    Step::AddConst(a, c) => {
                        let (a, c) = (at(*a), P::from(*c));
                        for i in 0..packs {
                            *o.add(i) = *a.add(i) + c;
                        }
                    }
                    Step::MulConst(a, c) => {
                        let a = at(*a);
                        for i in 0..packs {
                            *o.add(i) = *a.add(i) * *c;
                        }
                    }
                    Step::Dot(terms, c) if P::WIDTH == 1 => {
                        // one lazily reduced sum of integer products per point (a pack is a point)
                        for i in 0..packs {
                            let mut acc = Accumulator::default();
                            for (k, s) in terms {
                                acc.add_product(*k, raw((*at(*s).add(i)).as_slice()[0]));
                            }
                            *o.add(i) = P::from(*c + Goldilocks::new(acc.integer_combination().inner()));
                        }
                    }
                    Step::Dot(terms, c) => {
                        // vector registers have no 64×64-bit products to sum lazily
                        for i in 0..packs {
                            let mut acc = P::from(*c);
                            for (k, s) in terms {
                                acc += *at(*s).add(i) * Goldilocks::new(*k);
                            }
                            *o.add(i) = acc;
                        }
                    }
                }
            }
        }
    }

    /// Adds `Σ αᵢ·Cᵢ` (the non-constant constraints, `D` coordinates) to each point's sums:
    /// point by point, each divisor's sums held in registers while its constraints are read
    /// from the slots (a sum in memory would be loaded and stored for every product).
    #[inline(always)]
    fn fold<const D: usize>(
        &self,
        len: usize,
        coefficients: &[[u64; 3]],
        scratch: &[Goldilocks],
        sums: &mut [[[Accumulator; 3]; 3]],
    ) {
        for (div, group) in self.folds.iter().enumerate() {
            if group.is_empty() {
                continue;
            }
            for (i, sum) in sums.iter_mut().enumerate().take(len) {
                let mut acc = [Accumulator::default(); D];
                for &(slot, index) in group {
                    let v = raw(scratch[slot * BLOCK + i]);
                    let alpha = &coefficients[index];
                    for c in 0..D {
                        acc[c].add_product(v, alpha[c]);
                    }
                }
                for c in 0..D {
                    sum[div][c].add_sum(acc[c]);
                }
            }
        }
    }

    /// [`Compiled::fold`] on packed values: `Σ v̂ᵢ·âᵢ` for a pack of points at a time, with
    /// the raw coefficients `âᵢ` read as Plonky3 elements. A value at scale `s` is `v·R^s` and
    /// its raw coefficient `α·R^(2−s)`, so every product, and the sum, is `(Σ α·v)·R²`, which
    /// goes into the point's lazy sum as the product of its integer with 1 (the lazy sums hold
    /// products of two stored values, `x·R·y·R`).
    #[inline(always)]
    fn fold_packed<const D: usize>(
        &self,
        len: usize,
        coefficients: &[[u64; 3]],
        scratch: &[Goldilocks],
        sums: &mut [[[Accumulator; 3]; 3]],
    ) {
        let values = Packed::pack_slice(scratch);
        let per_slot = BLOCK / Packed::WIDTH;
        for (div, group) in self.folds.iter().enumerate() {
            if group.is_empty() {
                continue;
            }
            for q in 0..len.div_ceil(Packed::WIDTH) {
                let mut acc = [Packed::ZERO; D];
                for &(slot, index) in group {
                    let v = values[slot * per_slot + q];
                    let alpha = &coefficients[index];
                    for c in 0..D {
                        acc[c] += v * Goldilocks::new(alpha[c]);
                    }
                }
                let points = sums.iter_mut().take(len).skip(q * Packed::WIDTH).take(Packed::WIDTH);
                for (lane, sum) in points.enumerate() {
                    for c in 0..D {
                        sum[div][c].add_product(raw(acc[c].as_slice()[lane]), 1);
                    }
                }
            }
        }
    }
}

/// Per-thread working memory of [`Compiled::evaluate`]: a block's values of every slot.
pub struct Scratch(Vec<Goldilocks>);

/// The packed field the steps run on: as many Goldilocks elements as the target's vector
/// registers hold (8 with AVX-512, 4 with AVX2, 2 with NEON, 1 otherwise).
type Packed = <Goldilocks as Field>::Packing;

const _: () = assert!(BLOCK.is_multiple_of(Packed::WIDTH), "a block is a whole number of packed values");

/// The integer a Plonky3 element holds (congruent to its value modulo p, not always below p):
/// what the lazily reduced sums and Montgomery products take, without a canonicalization.
/// (winter-math's Montgomery reduction of a 128-bit product returns a value congruent to
/// `x̂·ŷ/R` for any two 64-bit integers, canonical or not; the equality test meets such
/// values, e.g. Plonky3's negation of 0, which is p.)
#[inline(always)]
fn raw(x: Goldilocks) -> u64 {
    // SAFETY: `Goldilocks` is `#[repr(transparent)]` over the `u64` it holds.
    unsafe { core::mem::transmute::<Goldilocks, u64>(x) }
}

/// R^k as a Plonky3 element (R = 2^64 mod p).
fn power_of_r(k: u32) -> Goldilocks {
    Goldilocks::from_u64(u64::MAX % distaff_math::MODULUS + 1).exp_u64(u64::from(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fold::{finish_sums, raw_coefficients, LazyFold};
    use distaff_air::{ProcessorAir, PublicInputs, Variant};
    use distaff_math::{CubeFelt, QuadFelt};

    /// A small deterministic generator (xorshift).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn felt(&mut self) -> Felt {
            // small values, 0, 1, p − 1 and anything, as constraint code meets them
            match self.next() % 5 {
                0 => Felt::new(0),
                1 => Felt::new(1),
                2 => Felt::new(self.next() % 8),
                3 => -Felt::new(1),
                _ => Felt::new(self.next()),
            }
        }
    }

    fn compare<E: FieldElement<BaseField = Felt> + distaff_verifier::protocol::ScaleBy<E>>(
        air: &ProcessorAir,
        rng: &mut Rng,
    ) where
        Felt: distaff_verifier::protocol::ScaleBy<E>,
    {
        let width = air.main_width();
        let n = 8;
        let d = E::EXTENSION_DEGREE;
        let ext = |rng: &mut Rng| -> E {
            let coords: Vec<Felt> = (0..d).map(|_| rng.felt()).collect();
            E::slice_from_base_elements(&coords)[0]
        };
        // each column constant (0, 1 or anything) or varying, at random
        let random_columns = |rng: &mut Rng, count: usize| -> Vec<Vec<Felt>> {
            (0..count)
                .map(|_| {
                    if rng.next() & 1 == 0 {
                        vec![rng.felt(); n]
                    } else {
                        (0..n).map(|_| Felt::new(rng.next())).collect()
                    }
                })
                .collect()
        };
        let columns = random_columns(rng, width);
        // some constant columns masked, at random: their values come from a second source
        let coefficients = crate::dft::interpolate_columns(&columns);
        let mut masks: Vec<(usize, Vec<Felt>)> = Vec::new();
        for c in (0..width).filter(|&c| columns[c].iter().all(|v| *v == columns[c][0])) {
            if rng.next().is_multiple_of(3) {
                masks.push((c, vec![rng.felt(), rng.felt()]));
            }
        }
        let layout = RowLayout::of(&coefficients.masked_sparse(&masks));
        let ew = layout.extras().len();
        assert_eq!(ew, masks.len());
        // challenges and auxiliary rows at random (the constraints are checked as polynomials)
        let mut challenges: Vec<E> = (0..air.num_aux_challenges()).map(|_| ext(rng)).collect();
        challenges.extend(air.derived_challenges(&challenges));
        let aw = air.aux_width();
        // the auxiliary rows' base coordinates: some constant too (an auxiliary column that
        // does not move), stored as their layout says, or every one stored (no layout)
        let aux_layout = RowLayout::from_columns(&random_columns(rng, aw * d));
        let with_layout = rng.next() & 1 == 0;
        // Montgomery products or packed Plonky3 products (whatever this build's vectors), over a
        // whole block or a short one
        let montgomery = rng.next() & 1 == 0;
        let len = if rng.next() & 1 == 0 { BLOCK } else { 1 + (rng.next() % BLOCK as u64) as usize };
        let compiled = Compiled::record_with(air, &layout, with_layout.then_some(&aux_layout), &challenges, montgomery);
        let sw = layout.stored_width();
        let asw = if with_layout { aux_layout.stored_width() } else { aw * d };
        let num_periodic = air.periodic_columns().len();
        let stored: Vec<Felt> = (0..(BLOCK + 1) * sw).map(|_| rng.felt()).collect();
        let aux_stored: Vec<Felt> = (0..(BLOCK + 1) * asw).map(|_| rng.felt()).collect();
        let aux_row = |i: usize| &aux_stored[i * asw..(i + 1) * asw];
        let extra_stored: Vec<Felt> = (0..(BLOCK + 1) * ew).map(|_| rng.felt()).collect();
        let extra_row = |i: usize| &extra_stored[i * ew..(i + 1) * ew];
        let aux: Vec<E> = (0..=BLOCK)
            .flat_map(|i| {
                let full = if with_layout { aux_layout.expand(aux_row(i)) } else { aux_row(i).to_vec() };
                E::slice_from_base_elements(&full).to_vec()
            })
            .collect();
        let periodic: Vec<Vec<Felt>> = (0..BLOCK).map(|_| (0..num_periodic).map(|_| rng.felt()).collect()).collect();
        let alphas: Vec<E> = (0..compiled.num_constraints()).map(|_| ext(rng)).collect();
        assert_eq!(compiled.num_constraints(), distaff_air::air::num_constraints(air));
        let mut scratch = compiled.scratch();
        let mut sums = [[[Accumulator::default(); 3]; 3]; BLOCK];
        let row = |i: usize| &stored[i * sw..(i + 1) * sw];
        // a whole block of other points first, as in a prover's loop: a short block's unused
        // lanes then hold their values, which must not reach the sums
        compiled.evaluate(
            BLOCK,
            |i| row(BLOCK - 1 - i),
            |i| row(BLOCK - i),
            |i| &periodic[BLOCK - 1 - i][..],
            |i| aux_row(BLOCK - 1 - i),
            |i| aux_row(BLOCK - i),
            (|i| extra_row(BLOCK - 1 - i), |i| extra_row(BLOCK - i)),
            &compiled.coefficients(&alphas),
            d,
            &mut scratch,
            &mut [[[Accumulator::default(); 3]; 3]; BLOCK],
        );
        compiled.evaluate(
            len,
            row,
            |i| row(i + 1),
            |i| &periodic[i][..],
            aux_row,
            |i| aux_row(i + 1),
            (extra_row, |i| extra_row(i + 1)),
            &compiled.coefficients(&alphas),
            d,
            &mut scratch,
            &mut sums,
        );
        // the sums of the points past a short block stay untouched
        for sum in &sums[len..] {
            assert_eq!(finish_sums::<E>(sum), [E::ZERO; 3], "a point past the block's {len}");
        }
        let raw = raw_coefficients(&alphas);
        for i in 0..len {
            let (mut cur, mut nxt) = (layout.expand(row(i)), layout.expand(row(i + 1)));
            layout.fill_extras(extra_row(i), &mut cur);
            layout.fill_extras(extra_row(i + 1), &mut nxt);
            let mut sink = LazyFold::<E>::new(&raw);
            air.evaluate_main(&cur, &nxt, &periodic[i], &mut sink);
            air.evaluate_main_boundary(&cur, &cur, &mut sink);
            let (aux_cur, aux_nxt) = (&aux[i * aw..(i + 1) * aw], &aux[(i + 1) * aw..(i + 2) * aw]);
            air.evaluate_aux(&cur, &nxt, aux_cur, aux_nxt, &periodic[i], &challenges, &mut sink);
            assert_eq!(
                finish_sums::<E>(&sums[i]),
                sink.finish(),
                "{:?}, point {i} of {len}, Montgomery products: {montgomery}",
                air.variant()
            );
        }
    }

    #[test]
    fn compiled_constraints_equal_the_generic_evaluation() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let public = PublicInputs::new(
            [Felt::new(1), Felt::new(2), Felt::new(3), Felt::new(4)],
            vec![Felt::new(5), Felt::new(6)],
            vec![Felt::new(7)],
        );
        for variant in [Variant::StraightLine, Variant::Control, Variant::Memory] {
            let air = ProcessorAir::with_variant(public.clone(), 64, variant);
            for _ in 0..40 {
                compare::<QuadFelt>(&air, &mut rng);
                compare::<CubeFelt>(&air, &mut rng);
            }
        }
    }

    #[test]
    fn constant_columns_are_folded_away() {
        // a Fibonacci-like layout: most stack slots and the control columns constant
        let public = PublicInputs::new([Felt::new(0); 4], vec![], vec![Felt::new(0)]);
        let air = ProcessorAir::with_variant(public, 64, Variant::StraightLine);
        let width = air.main_width();
        let varying: Vec<Vec<Felt>> =
            (0..width)
                .map(|c| {
                    if c < 30 {
                        (0..8u64).map(|i| Felt::new(i * 31 + c as u64)).collect()
                    } else {
                        vec![Felt::new(0); 8]
                    }
                })
                .collect();
        let all: Vec<Vec<Felt>> =
            (0..width).map(|c| (0..8u64).map(|i| Felt::new(i * 31 + c as u64)).collect()).collect();
        let few = Compiled::record::<_, QuadFelt>(
            &air,
            &RowLayout::of(&crate::dft::interpolate_columns(&varying)),
            None,
            &[],
        );
        let full =
            Compiled::record::<_, QuadFelt>(&air, &RowLayout::of(&crate::dft::interpolate_columns(&all)), None, &[]);
        assert_eq!(few.num_constraints(), full.num_constraints());
        assert!(few.steps.len() * 4 < full.steps.len() * 3, "{} steps against {}", few.steps.len(), full.steps.len());
        assert!(few.folds.iter().map(Vec::len).sum::<usize>() < full.folds.iter().map(Vec::len).sum::<usize>());
    }
}
