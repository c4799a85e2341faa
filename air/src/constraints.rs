//! The constraints of the Distaff VM, written once for every evaluator.
//!
//! [`evaluate_transition`] and [`evaluate_boundary`] emit every constraint, in a fixed order,
//! to a [`ConstraintSink`]. A constraint holds when its value is zero: transition constraints
//! on every pair of consecutive rows, first-row and last-row constraints on those rows.
//!
//! # Why a proof binds the program (soundness of the decoder)
//!
//! * The sponge columns `h` start (first row) as Rescue Prime's initial state with the first
//!   batch `b` in the rate; the capacity lanes 1..3 are zero and lane 0 is the element count.
//!   Every row of a cycle but the last applies one round (degree-7 constraint per lane), and
//!   the last row adds the next batch `b'` to the rate. So at the end of each cycle, `h` is
//!   exactly `Rp64_256`'s sponge state after absorbing all batches so far.
//! * Inside a cycle `b` shifts down by one each row, so the element on `b[0]` at row `8k+j` is
//!   element `j` of the batch absorbed for cycle `k`: the rows execute the absorbed stream, in
//!   order, each element exactly once.
//! * On an ordinary row the opcode bits must recompose to `b[0]`. The row after a `push` must be
//!   a data row (opcode DATA) and a data row must follow a `push`; the first row is not a data
//!   row. A data row's `b[0]` is the pushed value (the push constraint reads it), so the split of
//!   the stream into opcodes and immediates is the one the assembler made.
//! * `halt` goes from 0 (first row) to 1 (last row) exactly once, only at the end of a cycle,
//!   and at that transition the digest lanes of `h` must equal the public program hash. After
//!   it, every row is a `noop`.
//!
//! A trace that executes anything but the program with the claimed hash therefore has to
//! exhibit a second preimage of Rescue Prime.
//!
//! # Why stack effects are sound
//!
//! `depth` starts at the number of public inputs and changes by each operation's net effect.
//! Every operation needs `depth − pops(op) ≥ 0`, proven by writing it as `lo + 8·hi` with
//! `lo ∈ 0..8` and `hi ∈ 0..4`; operations that grow the stack need `depth ≠ 16` (an inverse
//! exists). Slots below the depth are provably zero (they start at zero and shifting in from
//! below brings zeros), so no value is ever lost or invented.

use alloc::vec::Vec;
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::layout::*;
use crate::opcodes;
use crate::rescue::round_residuals;
use distaff_math::{ExtensionOf, Felt, FieldElement, Word};

/// The algebra constraints are written in: a ring with a map from the base field.
pub trait Value:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + Send
    + Sync
{
    /// Additive identity.
    const ZERO: Self;
    /// Multiplicative identity.
    const ONE: Self;
    /// Embeds a base field element.
    fn from_felt(f: Felt) -> Self;
    /// Multiplies by a base field element.
    fn mul_felt(self, f: Felt) -> Self;
}

impl<E: FieldElement<BaseField = Felt>> Value for E {
    const ZERO: Self = E::ZERO;
    const ONE: Self = E::ONE;
    #[inline(always)]
    fn from_felt(f: Felt) -> Self {
        E::from(f)
    }
    #[inline(always)]
    fn mul_felt(self, f: Felt) -> Self {
        <E as ExtensionOf<Felt>>::mul_base(self, f)
    }
}

/// When a constraint applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstraintKind {
    /// Between every row and the next.
    Transition,
    /// On the first row.
    FirstRow,
    /// On the last row.
    LastRow,
}

/// Receives constraint evaluations, in order.
pub trait ConstraintSink<V> {
    /// One constraint's value; `name` and `index` identify it for diagnostics.
    fn emit(&mut self, kind: ConstraintKind, name: &'static str, index: usize, value: V);
}

/// The public claim a trace is checked against: which program ran, on which public inputs,
/// with which outputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicInputs {
    /// Rescue Prime hash of the program.
    pub program_hash: Word,
    /// Initial stack, top first (at most 16 values).
    pub inputs: Vec<Felt>,
    /// Final top-of-stack values, top first (at most 16 values).
    pub outputs: Vec<Felt>,
}

impl PublicInputs {
    /// The claim as field elements, for the Fiat–Shamir transcript: the hash, the input count and
    /// inputs, the output count and outputs.
    pub fn to_elements(&self) -> Vec<Felt> {
        let mut out = Vec::with_capacity(6 + self.inputs.len() + self.outputs.len());
        out.extend_from_slice(&self.program_hash);
        out.push(Felt::new(self.inputs.len() as u64));
        out.extend_from_slice(&self.inputs);
        out.push(Felt::new(self.outputs.len() as u64));
        out.extend_from_slice(&self.outputs);
        out
    }

    /// Number of boundary constraints for this claim (first row, then last row).
    pub fn num_boundary_constraints(&self) -> (usize, usize) {
        (STACK_DEPTH + 1 + 1 + 3 + BATCH_LEN + 1, 1 + self.outputs.len())
    }
}

/// Number of transition constraints.
pub const NUM_TRANSITION_CONSTRAINTS: usize = 7 + 1 + 3 + STACK_DEPTH + 9 + 5 + HASHER_WIDTH + 4 + 8 + 8 + 2 + 4 + 7;

/// The per-row selector values derived from the opcode bits.
struct Flags<V> {
    /// Group-B flags by opcode 0..16.
    b: [V; 16],
    dup: V,
    swap: V,
    movup: V,
    movdn: V,
    /// One-hot selector of the parameter N.
    e: [V; 16],
    /// Thermometer: t[i] = [N >= i], t[16] = 0.
    t: [V; 17],
    /// The parameter N as a value.
    n: V,
    /// The opcode as a value.
    opcode: V,
}

#[inline(always)]
fn minterms<V: Value>(bits: &[V], nbits: &[V], out: &mut [V]) {
    // out[c] = prod_k (bit k of c ? bits[k] : nbits[k]), for c < 2^bits.len()
    out[0] = V::ONE;
    let mut len = 1;
    for k in 0..bits.len() {
        for c in (0..len).rev() {
            let v = out[c];
            out[c + len] = v * bits[k];
            out[c] = v * nbits[k];
        }
        len *= 2;
    }
}

#[inline(always)]
fn group_b_flags<V: Value>(o: &[V]) -> [V; 16] {
    let nb: [V; 5] = core::array::from_fn(|k| V::ONE - o[k]);
    let mut m = [V::ZERO; 32];
    minterms(&o[..5], &nb, &mut m);
    let g = V::ONE - o[6];
    core::array::from_fn(|c| m[c] * g)
}

#[inline(always)]
fn data_flag<V: Value>(o: &[V]) -> V {
    // DATA = 0b0000010
    (V::ONE - o[0]) * o[1] * (V::ONE - o[2]) * (V::ONE - o[3]) * (V::ONE - o[4]) * (V::ONE - o[6])
}

#[inline(always)]
fn flags<V: Value>(o: &[V]) -> Flags<V> {
    let b = group_b_flags(o);
    let nb: [V; 4] = core::array::from_fn(|k| V::ONE - o[k]);
    let mut e = [V::ZERO; 16];
    minterms(&o[..4], &nb, &mut e);
    let mut t = [V::ZERO; 17];
    for i in (0..16).rev() {
        t[i] = t[i + 1] + e[i];
    }
    let hi = o[6];
    let n5 = V::ONE - o[5];
    let n4 = V::ONE - o[4];
    let dup = hi * n5 * n4;
    let swap = hi * n5 * o[4];
    let movup = hi * o[5] * n4;
    let movdn = hi * o[5] * o[4];
    let two = Felt::new(2);
    let n = o[0] + o[1].mul_felt(two) + o[2].mul_felt(Felt::new(4)) + o[3].mul_felt(Felt::new(8));
    let opcode = n + o[4].mul_felt(Felt::new(16)) + o[5].mul_felt(Felt::new(32)) + o[6].mul_felt(Felt::new(64));
    Flags { b, dup, swap, movup, movdn, e, t, n, opcode }
}

#[inline(always)]
fn opcode_value<V: Value>(o: &[V]) -> V {
    let mut acc = V::ZERO;
    for k in (0..NUM_OP_BITS).rev() {
        acc = acc + acc + o[k];
    }
    acc
}

#[inline(always)]
fn c<V: Value>(x: u64) -> V {
    V::from_felt(Felt::new(x))
}

/// Emits every transition constraint for the row pair (`cur`, `nxt`). `periodic` holds the
/// values of the periodic columns ([`crate::rescue::periodic_columns`]) at this row;
/// `program_hash` is the claimed hash.
#[inline]
pub fn evaluate_transition<V: Value, S: ConstraintSink<V>>(
    cur: &[V],
    nxt: &[V],
    periodic: &[V],
    program_hash: &[V; 4],
    sink: &mut S,
) {
    use ConstraintKind::Transition as T;
    let o = &cur[OP_BITS..OP_BITS + NUM_OP_BITS];
    let on = &nxt[OP_BITS..OP_BITS + NUM_OP_BITS];
    let s = &cur[STACK..STACK + STACK_DEPTH];
    let sn = &nxt[STACK..STACK + STACK_DEPTH];
    let f = flags(o);
    let fb = &f.b;

    // --- decoder -------------------------------------------------------------------------
    for k in 0..NUM_OP_BITS {
        sink.emit(T, "op_bit_binary", k, o[k] * o[k] - o[k]);
    }
    sink.emit(T, "op_group_b_high_bit_zero", 0, (V::ONE - o[6]) * o[5]);
    let is_data = fb[opcodes::DATA as usize];
    sink.emit(T, "element_is_opcode", 0, (V::ONE - is_data) * (cur[BATCH] - f.opcode));
    let opcode_next = opcode_value(on);
    sink.emit(T, "push_then_data", 0, fb[opcodes::PUSH as usize] * (opcode_next - c(opcodes::DATA as u64)));
    sink.emit(T, "data_after_push", 0, data_flag(on) * (f.opcode - c(opcodes::PUSH as u64)));

    // --- stack -----------------------------------------------------------------------------
    let fl = |op: u8| fb[op as usize];
    let bin =
        fl(opcodes::ADD) + fl(opcodes::SUB) + fl(opcodes::MUL) + fl(opcodes::AND) + fl(opcodes::OR) + fl(opcodes::EQ);
    let pop1 = fl(opcodes::DROP) + fl(opcodes::ASSERT);
    let pop2 = fl(opcodes::ASSERT_EQ);
    let push1 = fl(opcodes::PUSH) + fl(opcodes::READ);
    let unary = fl(opcodes::NEG) + fl(opcodes::INV) + fl(opcodes::NOT);
    let right = push1 + f.dup;
    let left1 = bin + pop1;

    let mut v = V::ZERO;
    for j in 0..STACK_DEPTH {
        v += f.e[j] * s[j];
    }
    let (s0, s1) = (s[0], s[1]);
    let s01 = s0 * s1;
    let aux = cur[AUX];
    let d0 = sn[0] - s0;
    let expected0 = fl(opcodes::ADD) * s1
        + fl(opcodes::SUB) * (s1 - s0 - s0)
        + (fl(opcodes::MUL) + fl(opcodes::AND)) * (s01 - s0)
        + fl(opcodes::OR) * (s1 - s01)
        + fl(opcodes::EQ) * (V::ONE - (s1 - s0) * aux - s0)
        + fl(opcodes::NEG) * (-(s0 + s0))
        + fl(opcodes::NOT) * (V::ONE - s0 - s0)
        + (fl(opcodes::INV) + fl(opcodes::READ)) * d0
        + fl(opcodes::PUSH) * (nxt[BATCH] - s0)
        + pop1 * (s1 - s0)
        + pop2 * (s[2] - s0)
        + (f.dup + f.swap + f.movup) * (v - s0)
        + f.movdn * (f.t[1] * s1 + f.e[0] * s0 - s0);
    sink.emit(T, "stack_slot", 0, d0 - expected0);
    for i in 1..STACK_DEPTH {
        let si = s[i];
        let up1 = if i + 1 < STACK_DEPTH { s[i + 1] } else { V::ZERO };
        let up2 = if i + 2 < STACK_DEPTH { s[i + 2] } else { V::ZERO };
        let down = s[i - 1];
        let expected = left1 * (up1 - si)
            + pop2 * (up2 - si)
            + right * (down - si)
            + f.swap * f.e[i] * (s0 - si)
            + f.movup * f.t[i] * (down - si)
            + f.movdn * (f.e[i] * s0 + f.t[i + 1] * up1 - f.t[i] * si);
        sink.emit(T, "stack_slot", i, sn[i] - si - expected);
    }
    sink.emit(T, "inv", 0, fl(opcodes::INV) * (sn[0] * s0 - V::ONE));
    sink.emit(T, "not_binary", 0, fl(opcodes::NOT) * (s0 * s0 - s0));
    sink.emit(T, "and_binary", 0, fl(opcodes::AND) * (s0 * s0 - s0));
    sink.emit(T, "and_binary", 1, fl(opcodes::AND) * (s1 * s1 - s1));
    sink.emit(T, "or_binary", 0, fl(opcodes::OR) * (s0 * s0 - s0));
    sink.emit(T, "or_binary", 1, fl(opcodes::OR) * (s1 * s1 - s1));
    sink.emit(T, "eq_result", 0, fl(opcodes::EQ) * sn[0] * (s1 - s0));
    sink.emit(T, "assert", 0, fl(opcodes::ASSERT) * (s0 - V::ONE));
    sink.emit(T, "assert_eq", 0, pop2 * (s1 - s0));

    // --- depth -----------------------------------------------------------------------------
    let d = cur[DEPTH];
    let net = right - left1 - pop2 - pop2;
    sink.emit(T, "depth_update", 0, nxt[DEPTH] - d - net);
    let param = f.dup + f.swap + f.movup + f.movdn;
    let pops = bin + bin + unary + pop1 + pop2 + pop2 + param * (f.n + V::ONE);
    let lo = cur[RC_LO];
    let hi = cur[RC_HI];
    sink.emit(T, "depth_not_below_pops", 0, d - pops - (lo + hi.mul_felt(Felt::new(8))));
    let mut rlo = V::ONE;
    for k in 0..8u64 {
        rlo *= lo - c(k);
    }
    sink.emit(T, "rc_lo_range", 0, rlo);
    let mut rhi = V::ONE;
    for k in 0..4u64 {
        rhi *= hi - c(k);
    }
    sink.emit(T, "rc_hi_range", 0, rhi);
    sink.emit(T, "stack_not_full", 0, right * ((d - c(STACK_DEPTH as u64)) * aux - V::ONE));

    // --- hasher ----------------------------------------------------------------------------
    let is_round = periodic[0];
    let not_round = V::ONE - is_round;
    let h = &cur[HASHER..HASHER + HASHER_WIDTH];
    let hn = &nxt[HASHER..HASHER + HASHER_WIDTH];
    let res = round_residuals(h, hn, &periodic[1..1 + HASHER_WIDTH], &periodic[1 + HASHER_WIDTH..1 + 2 * HASHER_WIDTH]);
    for (k, r) in res.iter().enumerate() {
        sink.emit(T, "rescue_round", k, is_round * *r);
    }
    for k in 0..RATE_OFFSET {
        sink.emit(T, "absorb_capacity", k, not_round * (hn[k] - h[k]));
    }
    for k in 0..BATCH_LEN {
        let r = RATE_OFFSET + k;
        sink.emit(T, "absorb_rate", k, not_round * (hn[r] - h[r] - nxt[BATCH + k]));
    }
    for k in 0..BATCH_LEN - 1 {
        sink.emit(T, "batch_shift", k, is_round * (nxt[BATCH + k] - cur[BATCH + k + 1]));
    }
    sink.emit(T, "batch_shift", BATCH_LEN - 1, is_round * nxt[BATCH + BATCH_LEN - 1]);

    // --- halting ---------------------------------------------------------------------------
    let dh = nxt[HALT] - cur[HALT];
    sink.emit(T, "halt_step", 0, dh * (dh - V::ONE));
    sink.emit(T, "halt_at_cycle_end", 0, dh * is_round);
    for k in 0..4 {
        sink.emit(T, "program_hash", k, dh * (h[DIGEST_OFFSET + k] - program_hash[k]));
    }
    for k in 0..NUM_OP_BITS {
        sink.emit(T, "halted_noop", k, cur[HALT] * o[k]);
    }
}

/// Emits the first-row constraints (evaluated on `first`) and last-row constraints (evaluated
/// on `last`). The prover and verifier pass the same row for both and apply each kind's divisor.
#[inline]
pub fn evaluate_boundary<V: Value, S: ConstraintSink<V>>(first: &[V], last: &[V], public: &PublicInputs, sink: &mut S) {
    use ConstraintKind::{FirstRow as F, LastRow as L};
    for i in 0..STACK_DEPTH {
        let input = public.inputs.get(i).copied().unwrap_or(Felt::new(0));
        sink.emit(F, "initial_stack", i, first[STACK + i] - V::from_felt(input));
    }
    sink.emit(F, "initial_depth", 0, first[DEPTH] - c(public.inputs.len() as u64));
    sink.emit(F, "initial_halt", 0, first[HALT]);
    for k in 1..RATE_OFFSET {
        sink.emit(F, "initial_capacity", k, first[HASHER + k]);
    }
    for k in 0..BATCH_LEN {
        sink.emit(F, "initial_rate", k, first[HASHER + RATE_OFFSET + k] - first[BATCH + k]);
    }
    sink.emit(F, "first_row_not_data", 0, data_flag(&first[OP_BITS..OP_BITS + NUM_OP_BITS]));
    sink.emit(L, "final_halt", 0, last[HALT] - V::ONE);
    for (i, out) in public.outputs.iter().enumerate() {
        sink.emit(L, "outputs", i, last[STACK + i] - V::from_felt(*out));
    }
}

/// The program hash as values.
pub fn hash_values<V: Value>(hash: &Word) -> [V; 4] {
    core::array::from_fn(|k| V::from_felt(hash[k]))
}
