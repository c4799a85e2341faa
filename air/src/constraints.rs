//! The constraints of the Distaff VM, written once for every evaluator.
//!
//! [`evaluate_transition`] and [`evaluate_boundary`] emit every constraint, in a fixed order,
//! to a [`ConstraintSink`]. A constraint holds when its value is zero: transition constraints
//! on every pair of consecutive rows, first-row and last-row constraints on those rows.
//!
//! # How the trace walks the program tree
//!
//! The program is a tree of blocks (see [`crate::program`]); the trace executes it depth-first
//! and recomputes, bottom-up, the hash of every block it runs. Rows come in 8-row cycles; the
//! sponge `h` applies one Rescue round per row on rows 0..6 and loads the next cycle's input on
//! row 7. A cycle is either
//!
//! * a **span cycle** (all `ctl` columns 0): row `j` executes `b[0]`, the batch shifts down one
//!   element per row, and at the cycle boundary the next batch is *added* to the rate (the span
//!   continues) or the sponge restarts as `[len, 0, 0, 0, batch]` (a new span begins). `emit`
//!   marks a span's last cycle; its digest `h[4..8]` on row 7 is the span's hash
//!   (`Rp64_256::hash_elements` of the executed elements, padded with `noop`s, which are 0); or
//! * a **control cycle** (exactly one `ctl` kind set, constant over the cycle): no instruction
//!   runs (every row is a `noop`), the batch holds two digests and stays put, and the sponge
//!   starts as `[8, domain, 0, 0, batch]`, so row 7 holds the hash of a join, split or loop.
//!
//! A **control stack** links the cycles. Entries are `(key, tag, data[4], link)` (the data are
//! the sponge's digest lanes or a half of the batch, depending on the row); a push uses the
//! row number plus one, `clk`, as its (unique, non-zero) key and links to the previous top
//! `cs_ptr`; a pop removes the entry keyed `cs_ptr` and sets `cs_ptr` to its link (held in the
//! helper column `aux`, idle on control rows). The auxiliary column is the running product of `β + Σ αⁱ·entry` over pushes divided by pops; it starts
//! and ends at 1, so (except with probability about `rows / |F_ext|`) the popped entries are
//! exactly the pushed ones. Since keys are unique and a pop can only take the entry named by
//! `cs_ptr`, the stack is last-in first-out: a pop returns the most recent unpopped push, with
//! its tag and data. (By induction on rows, `cs_ptr` at row `t` is 0 or the key of an entry
//! pushed before `t`: it is set only to the row's own key by a push, or to the link of an entry
//! matched in the multiset, which is an older key; so nothing is popped before it is pushed,
//! and a pop with `cs_ptr = 0` matches nothing, every key being at least 1.) Who pushes and pops what is in [`control_stack_ops`]:
//!
//! * a span's last cycle and every join/end/loop-exit cycle pushes its **digest**;
//! * **join** pops two digests (right, then left) that must equal the two halves of its batch;
//! * **split** pops the condition `c` from the operand stack (binary) and pushes a split frame
//!   whose *tag* records `c`; the branch then runs and pushes its digest; **end** comes in two
//!   kinds: end-true pops the digest as the left half of its batch and then a frame tagged 1,
//!   end-false pops it as the right half and then a frame tagged 0. The other half (the branch
//!   not taken) is free advice;
//! * **loop** pops `c`; if 1 it pushes a loop frame holding the body hash (left half of the
//!   batch, advice), if 0 it hashes the loop at once; **repeat** (after each iteration) pops the
//!   iteration's digest and the loop frame, requires both to equal its batch's left half, pops
//!   the next condition and either pushes the frame again (1) or hashes the loop (0). Loop
//!   batches have a zero right half.
//!
//! # Why a proof binds the program (soundness of the decoder)
//!
//! * Every executed instruction sits in a span cycle, and every span is hashed as it runs: a
//!   span cannot be followed by a control cycle before it emits (`span_ends_before_control`),
//!   halting requires the last cycle to emit, and every emitted digest is pushed (or, for the
//!   root, compared with the program hash). Since the product check forces every push to be
//!   popped, every digest feeds into a join, an end or a repeat, whose own digest is pushed in
//!   turn, up to the root; the root's digest must equal the public program hash and the control
//!   stack must then be empty.
//! * So the digests computed in the trace form a tree of Rescue Prime hashes whose root is the
//!   program hash. The prover chooses only the advice (untaken branches' hashes, a loop body's
//!   hash): if the executed tree differed from the program's anywhere (another instruction in a
//!   span, a span replaced by another of the same length, the other branch taken, a block
//!   swapped or skipped), two different inputs would hash to the same digest somewhere on the
//!   path to the root, i.e. the prover would have found a Rescue Prime collision.
//! * **The branch taken is the one the condition names**: the condition popped by the split is
//!   stored in the frame's tag, and only the end kind matching that tag can pop it, placing the
//!   branch digest on the side the condition selects. Taking the other branch puts its digest in
//!   the wrong half, which changes the split's hash.
//! * **A loop runs exactly while the condition is 1**: loop and repeat pop the condition from
//!   the operand stack, and `emit = 1 − condition` decides between another iteration (frame
//!   pushed again, so the next iteration must end in a repeat) and leaving (the loop digest is
//!   pushed, so the next block must consume it as a finished child). Each iteration's digest
//!   must equal the body hash held in the frame, which is the hash the loop's digest commits
//!   to, so every iteration runs the real body; an extra or a missing iteration would need a
//!   condition on the stack other than the one the body computed.
//! * Tags separate digests, split frames and loop frames, so no entry can stand in for another.
//! * Inside a span, the batch shifts down by one each row, so the element on `b[0]` at row
//!   `8k+j` is element `j` of the batch absorbed for cycle `k`: the rows execute the absorbed
//!   stream, in order, each element exactly once. On a span row the opcode bits recompose to
//!   `b[0]`; the row after a `push` is a data row whose `b[0]` is the pushed value, and a data row
//!   must follow a `push`, so the split of the stream into opcodes and immediates is the
//!   assembler's.
//! * `halt` goes from 0 (first row) to 1 exactly once, at the end of an emitting cycle, where
//!   the digest must equal the program hash and the control stack must be empty. After it every
//!   row is a `noop` span row that never emits. Or the execution fills the trace exactly and
//!   never halts: then the last row (the last row of a cycle, the trace length being a multiple
//!   of 8) must itself emit the program hash, run no operation and hash none in a span (it has
//!   no next row for one to act on; the stack there is final: an hperm writes its output on its
//!   cycle's last row) and leave the control stack empty. Either way the root's digest is the
//!   program hash.
//!
//! # Cost
//!
//! A span of `m` elements takes `8·⌈m/8⌉` rows; a join 8 rows; an `if.true` 16 rows (split and
//! end) plus its branch; a `while.true` 8 rows plus, per iteration, its body and 8 rows
//! (repeat). An untaken branch costs nothing but its hash in one batch. A chain of `k` `hperm`s
//! takes `8·k` rows.
//!
//! # hperm chains
//!
//! An hperm cycle loads the top 12 stack values into the sponge, permutes them and writes them
//! back on its last row. Consecutive hperms form one block, a chain: only its last cycle emits,
//! and a cycle that does not emit must be followed by another hperm cycle
//! (`hperm_chain_continues`). Each cycle's `b[0]` (the batch is idle in hperm cycles) counts
//! the chain's cycles: 1 on a chain's first cycle (after any cycle that is not a continuing
//! hperm, or on the first row), one more on each following one (`hperm_chain_count`). The
//! emitted digest is `HPERM_HASH + (b[0] − 1)·HPERM_CHAIN_STEP`
//! ([`crate::program::hperm_chain_hash`]), so the digest the parent checks names the number of
//! permutations run; chains of different lengths have different digests, and a chain's digest
//! standing in for a Rescue Prime digest would need a preimage of these constants.
//!
//! # Why stack effects are sound
//!
//! `depth` starts at the number of public inputs and changes by each operation's net effect;
//! no operation moves the stack by more than one slot. Every operation needs
//! `depth − pops(op) ≥ 0`, proven (while `depth ≤ 16`) by writing it as `lo + 8·hi` with
//! `lo ∈ 0..8` and `hi ∈ 0..4`. In the small variants, operations that grow the stack need
//! `depth ≠ 16` (an inverse exists), so the stack never exceeds 16 values, and memory
//! operations are refused (`no_memory_ops`: without the memory table a load could return
//! anything). Slots below the depth are provably zero (they start at zero and shifting in from
//! below brings zeros), so no value is ever lost or invented.
//!
//! # The overflow stack (memory variant)
//!
//! Values pushed beyond slot 15 go to an **overflow table**, a linked list checked with a
//! multiset running product exactly like the control stack (auxiliary column 1): entries are
//! `(key, value, link)`. A row whose operation shifts right while `depth ≥ 16` *spills*: it
//! inserts `(clk, s[15], ov_ptr)` and sets `ov_ptr = clk`. A row that shifts left while the
//! table is not empty *fills*: it removes `(ov_ptr, s'[15], ov_link)` (the new slot 15 is the
//! removed value) and sets `ov_ptr = ov_link`; with an empty table slot 15 becomes 0.
//! `ovf = [ov_ptr ≠ 0]` (an inverse column proves it) and `[depth = 16]` (another inverse) make
//! `spill` and `fill` exact functions of the row. By induction over rows, `ovf = 0` iff
//! `depth ≤ 16` and the table holds `depth − 16` entries: initially `ov_ptr = 0` and
//! `depth ≤ 16`; a spill at depth 16 makes `ov_ptr = clk ≠ 0`; a fill removes the most recent
//! unremoved entry (the product forces every removal to match an insertion with the same key,
//! keys are unique clocks, and only the entry named by `ov_ptr` can be removed, so the list is
//! last-in first-out as for the control stack), whose link is 0 exactly when it was inserted
//! at depth 16. So a value comes back unchanged, in order, and exactly when the stack shrinks
//! back to it. The product starts and ends at 1 and `ov_ptr` ends at 0, so a program ends with
//! at most 16 values (the processor refuses to end otherwise).
//!
//! # Memory (memory variant)
//!
//! Memory is word-addressed: address `a < 2^32` holds four elements. Memory operations
//! (`0b00101xx`: `mload`, `mstore`, `mloadw`, `mstorew`; bit 0 = write, bit 1 = word) have the
//! address on top before and the value (lane 0) or word on top after, so each makes the access
//! `(addr, clk, write, element, v0, v1, v2, v3)` (lanes an element access does not see are 0;
//! [`memory_access`]). **Offline memory checking**: the memory table (columns `m_*`) lists the
//! same accesses, plus the initial memory as word writes at clock 0, sorted by address then
//! clock; auxiliary column 2 is the running product of accesses made over table rows, starting
//! at the product of the initial-memory rows (computed by the verifier from the public claim,
//! [`crate::Air::derived_challenges`]) and ending at 1, so (except with probability about
//! `rows / |F_ext|`) the table is a permutation of the accesses and the initial memory. The
//! table's own constraints make it a consistent history:
//!
//! * `m_active` is 1 on a prefix of the rows and 0 on the last row;
//! * sorted: between consecutive active rows, `new = [addr' ≠ addr]` (an inverse proves it), and
//!   the gap (`addr' − addr` if new, else `clk' − clk`) equals `lo + 2^16·hi` with both limbs
//!   looked up in the range table (below). So addresses strictly increase from one run to the
//!   next and clocks do not decrease within a run; no two table rows share a clock at one
//!   address (each clock makes at most one access). On the last active row the limbs hold
//!   `2^32 − 1 − addr`. The first row is an **anchor**: the initial word at address 0 (a
//!   word write at clock 0 that the verifier includes in the initial-memory product even when
//!   the claim leaves address 0 out, as zero). So addresses start at 0, increase by less than
//!   2^32 per row without wrapping around the field (the span is below `rows · 2^32 < p`) and
//!   end below 2^32: every address is below 2^32 (without the anchor a table could start near
//!   p and wrap to small addresses, accepting an address the VM refuses);
//! * values: every lane an access keeps (all four for a read, lanes 1..3 for an element write,
//!   none for a word write) equals the lane of the previous row at the same address, or 0 at the
//!   address's first row. Initial memory rows are word writes at clock 0, which sort first.
//!
//! Together: a read returns the last value written at its address before it (or the initial
//! word, or zero). A stale read, an invented value, or reordered accesses break a lane equation
//! or the ordering, and a value cannot be changed between the execution and the table without
//! breaking the product.
//!
//! **Range checks** (LogUp, a separate challenge γ): every row looks up eight 16-bit limbs —
//! the memory table's two gap limbs and the six u32 limbs (zeros where unused, which is
//! harmless: they only have to be in range). Auxiliary column 3 is the running sum of
//! `1/(γ − lo) + 1/(γ − hi) − m/(γ − r)` (the gap limbs less the range table `r` with
//! multiplicities `m`), column 4 that of `Σ 1/(γ − u_i)` over the u32 limbs; both include their
//! own row (first-row constraints for row 0) and together they end at 0, the LogUp identity:
//! (except with probability about `8·rows / |F_ext|`) the looked-up values are, with
//! multiplicity, values of the range table. Since there are far fewer lookups than p, the
//! multiplicities cannot wrap. The range table starts at 0, ends at 2^16 − 1 and moves by 0 or
//! a power of 4 up to 4096 (one degree-8 constraint), so every looked-up limb is below 2^16.
//! Passing through 0..2^16 − 1 takes at least 34 rows; every distinct looked-up value adds at
//! most 21.
//!
//! # u32 operations (memory variant)
//!
//! A u32 operation writes three 32-bit values as pairs of range-checked 16-bit limbs
//! (`l_k = u[2k] + 2^16·u[2k+1] < 2^32`) and ties them to the stack (`evaluate_u32`); with `b`
//! on top and `a` below, and every equation exact over the integers because both sides stay
//! below p = 2^64 − 2^32 + 1:
//!
//! * `u32assert2`: `a, b` are limbs. `add`: `a + b = c + 2^32·o` with `a, b, c` limbs and `o`
//!   binary (both sides below 2^33, so `c, o` are unique); `sub`: `a − b = c − 2^32·o` likewise.
//! * `lt`: `a − b + 2^32·r` is a limb with `r` binary: if `a < b` and `r = 0` the value is
//!   `p − (b − a)`, and if `a ≥ b` and `r = 1` it is at least 2^32, neither of which a limb
//!   pair reaches; so `r = [a < b]`.
//! * `split`: `x = lo + 2^32·hi` with limbs `lo, hi`; `mul`: `a·b = lo + 2^32·hi` (operands
//!   checked by the `u32assert2` row the instruction encodes before it: the two opcodes are
//!   consecutive elements of one span, so no other row runs between them). A pair with
//!   `hi = 2^32 − 1` and `lo > 0` would stand for `x + p`, so `lo = (hi − (2^32 − 1))·aux`
//!   forces `lo = 0` there; the largest value, `(2^32 − 1)·2^32 = p − 1`, makes the pair unique.
//! * `divmod`: `a = q·b + r` with limbs `q, r` and `b − r − 1` a limb, so `r < b` (and `b ≠ 0`:
//!   `p − 1 − r` is no limb); `q·b + r ≤ 2^64 − 2^32 < p`.
//!
//! The small variants have no range checker and refuse u32 operations (`no_u32_ops`). The rest
//! (`u32wrapping_*`, `u32div`, `u32mod`, comparisons, `u32not`, shifts, rotations, bitwise
//! operations, `lt` on field elements) are assembler macros over these.
//!
//! # Bitwise operations (bitwise variant)
//!
//! `u32xor` (`x y -> x XOR y`, `x` on top) and `u32andxor` (`x y -> (x AND y) (x XOR y)`) take
//! their result `r` off the stack freely (`stack_slot`) and look up the triple
//! `(x, y, (x + y − r)/2)` in the bitwise table (`bitwise_lookup`); `u32andxor` also requires
//! the value it leaves below `r` to be `(x + y − r)/2` (`andxor_and`). The table
//! (`evaluate_bitwise_table`) gives each pair an 8-row cycle, aligned with the hashing cycles:
//! the rows' 4 + 4 bit columns are binary (on every row: the last row's by last-row
//! constraints, since no transition starts there, though its chunks and its triple count),
//! and the accumulators `bw_x`, `bw_y`, `bw_and` start
//! on the cycle's first row at the row's 4-bit chunk (of `x`, `y`, and the chunk of bit
//! products, their AND) and then take `16·acc + chunk` on each of the next 7 rows, so that on
//! the last row they hold `x, y < 2^32` and `x AND y`. Only that row may hold a multiplicity
//! (`bw_mult_on_last_row`). Auxiliary column 5 is the LogUp sum
//! `Σ 1/(looked up) − Σ m/(listed)` (the compression with α, β of the triples; the operations
//! on rows 0..n−2, the table on rows 1..n−1, which holds every table row: row 0 begins a cycle
//! and holds no multiplicity), starting and ending at 0; so every looked-up triple is a table
//! triple. Then `x, y` are u32 values and `(x + y − r)/2 = x AND y`, so `r = x + y − 2·(x AND y)
//! = x XOR y` (over the integers: every term is below 2^33). The bitwise flag (`0b001111x`) has
//! degree 5; the sum's constraint has degree 6, `andxor_and` 7. The other variants refuse both operations
//! (`no_bitwise_ops`).
//!
//! # Cost (memory variant)
//!
//! A memory access is one cycle (`mem_load` 1, `mem_store` 2 with its drop; immediates add a
//! two-cycle push); spilling and filling are free; a u32 operation is one cycle (two for `mul`
//! and `divmod`). The memory variant has 27 more main columns and 4 more auxiliary columns than
//! the control variant, and every access adds a table row (the trace must hold the accesses
//! plus the initial memory).

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
    /// `m·x` for a square matrix of integer coefficients below p (the Rescue MDS matrices).
    /// Field elements override this with [`distaff_math::lazy::mat_vec`], which reduces once
    /// per output instead of once per product.
    #[inline(always)]
    fn mat_vec<const N: usize>(m: &[[u64; N]; N], x: &[Self; N]) -> [Self; N] {
        core::array::from_fn(|i| {
            let mut acc = Self::ZERO;
            for (c, xj) in m[i].iter().zip(x) {
                acc += xj.mul_felt(Felt::new(*c));
            }
            acc
        })
    }
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
    #[inline(always)]
    fn mat_vec<const N: usize>(m: &[[u64; N]; N], x: &[Self; N]) -> [Self; N] {
        // an extension element's coordinates are base-field values, and a matrix of base-field
        // constants acts on each coordinate separately
        let d = E::EXTENSION_DEGREE;
        let xs = E::slice_as_base_elements(x);
        let mut ys = [[<Felt as FieldElement>::ZERO; N]; 3];
        for (c, y) in ys.iter_mut().enumerate().take(d) {
            let column: [Felt; N] = core::array::from_fn(|j| xs[j * d + c]);
            *y = distaff_math::lazy::mat_vec(m, &column);
        }
        core::array::from_fn(|i| {
            let coords = [ys[0][i], ys[1][i], ys[2][i]];
            E::slice_from_base_elements(&coords[..d])[0]
        })
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
    /// Initial memory: words at strictly increasing addresses (every other address starts as
    /// zero). Public: part of the claim. Needs the memory variant of the AIR when not empty.
    pub memory: Vec<(u32, Word)>,
}

impl PublicInputs {
    /// A claim without initial memory.
    pub fn new(program_hash: Word, inputs: Vec<Felt>, outputs: Vec<Felt>) -> Self {
        PublicInputs { program_hash, inputs, outputs, memory: Vec::new() }
    }

    /// The claim as field elements, for the Fiat–Shamir transcript: the hash, the input count and
    /// inputs, the output count and outputs, the count of initial memory words and each word's
    /// address and value.
    pub fn to_elements(&self) -> Vec<Felt> {
        let mut out = Vec::with_capacity(7 + self.inputs.len() + self.outputs.len() + 5 * self.memory.len());
        out.extend_from_slice(&self.program_hash);
        out.push(Felt::new(self.inputs.len() as u64));
        out.extend_from_slice(&self.inputs);
        out.push(Felt::new(self.outputs.len() as u64));
        out.extend_from_slice(&self.outputs);
        out.push(Felt::new(self.memory.len() as u64));
        for (addr, word) in &self.memory {
            out.push(Felt::new(*addr as u64));
            out.extend_from_slice(word);
        }
        out
    }

    /// Whether the initial memory's addresses strictly increase (a claim must satisfy this).
    pub fn memory_is_sorted(&self) -> bool {
        self.memory.windows(2).all(|w| w[0].0 < w[1].0)
    }
}

/// Number of group-B opcodes (all in use).
const NUM_GROUP_B: usize = opcodes::U32ANDXOR as usize + 1;

/// The per-row selector values derived from the opcode bits.
struct Flags<V> {
    /// Group-B flags by opcode (0..NUM_GROUP_B).
    b: [V; NUM_GROUP_B],
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
    out[0] = nbits[0];
    out[1] = bits[0];
    let mut len = 2;
    for k in 1..bits.len() {
        for c in (0..len).rev() {
            let v = out[c];
            out[c + len] = v * bits[k];
            out[c] = v * nbits[k];
        }
        len *= 2;
    }
}

#[inline(always)]
fn data_flag<V: Value>(o: &[V]) -> V {
    // DATA = 0b0000010
    (V::ONE - o[0]) * o[1] * (V::ONE - o[2]) * (V::ONE - o[3]) * (V::ONE - o[4]) * (V::ONE - o[6])
}

#[inline(always)]
fn flags<V: Value>(o: &[V]) -> Flags<V> {
    let nb: [V; 4] = core::array::from_fn(|k| V::ONE - o[k]);
    let mut e = [V::ZERO; 16];
    minterms(&o[..4], &nb, &mut e);
    // group B (bit 6 clear): the minterms of bits 0..3 times those of bits 4 and 6
    let g = V::ONE - o[6];
    let n4 = V::ONE - o[4];
    let g4 = [g * n4, g * o[4]];
    let b: [V; NUM_GROUP_B] = core::array::from_fn(|c| e[c & 15] * g4[c >> 4]);
    let mut t = [V::ZERO; 17];
    for i in (0..16).rev() {
        t[i] = t[i + 1] + e[i];
    }
    // the parameterised group (bit 6 set), by bits 5 and 4
    let hi = o[6];
    let (hi_n5, hi_5) = (hi * (V::ONE - o[5]), hi * o[5]);
    let dup = hi_n5 * n4;
    let swap = hi_n5 * o[4];
    let movup = hi_5 * n4;
    let movdn = hi_5 * o[4];
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
    memory: bool,
    bitwise: bool,
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
    let ctl_cur = cur[CTL..CTL + NUM_KINDS].iter().fold(V::ZERO, |a, k| a + *k);
    sink.emit(T, "element_is_opcode", 0, (V::ONE - ctl_cur) * (V::ONE - is_data) * (cur[BATCH] - f.opcode));
    sink.emit(T, "control_row_is_noop", 0, ctl_cur * f.opcode);
    let opcode_next = opcode_value(on);
    sink.emit(T, "push_then_data", 0, fb[opcodes::PUSH as usize] * (opcode_next - c(opcodes::DATA as u64)));
    sink.emit(T, "data_after_push", 0, data_flag(on) * (f.opcode - c(opcodes::PUSH as u64)));

    // --- stack -----------------------------------------------------------------------------
    let fl = |op: u8| fb[op as usize];
    let bin = fl(opcodes::ADD)
        + fl(opcodes::SUB)
        + fl(opcodes::MUL)
        + fl(opcodes::AND)
        + fl(opcodes::OR)
        + fl(opcodes::EQ)
        + fl(opcodes::NEQ);
    let cswap = fl(opcodes::CSWAP);
    let (mstore, mloadw, mstorew) = (fl(opcodes::MSTORE), fl(opcodes::MLOADW), fl(opcodes::MSTOREW));
    // ops that drop the top value and shift the rest up (assert_eq keeps the equal value)
    let pop1 = fl(opcodes::DROP) + fl(opcodes::ASSERT) + mstore + mstorew;
    let pad = fl(opcodes::PAD);
    let push1 = fl(opcodes::PUSH) + fl(opcodes::READ) + pad;
    let unary = fl(opcodes::NEG) + fl(opcodes::INV) + fl(opcodes::NOT) + fl(opcodes::EQZ) + fl(opcodes::MLOAD);
    // u32 operations: split pushes (its two results replace the operand), lt pops, the others
    // rewrite the top two slots
    let u = U32Flags {
        assert2: fl(opcodes::U32ASSERT2),
        split: fl(opcodes::U32SPLIT),
        add: fl(opcodes::U32ADD),
        sub: fl(opcodes::U32SUB),
        mul: fl(opcodes::U32MUL),
        div: fl(opcodes::U32DIVMOD),
        lt: fl(opcodes::U32LT),
    };
    let u_pair = u.add + u.sub + u.mul + u.div;
    // bitwise operations (looked up in the bitwise table): xor pops, andxor rewrites the top two
    let (xor, andxor) = (fl(opcodes::U32XOR), fl(opcodes::U32ANDXOR));
    let right = push1 + f.dup + u.split;
    // --- control cycles ----------------------------------------------------------------------
    let kind: [V; NUM_KINDS] = core::array::from_fn(|k| cur[CTL + k]);
    let kind_n: [V; NUM_KINDS] = core::array::from_fn(|k| nxt[CTL + k]);
    let (join, split, lp, rp) = (kind[KIND_JOIN], kind[KIND_SPLIT], kind[KIND_LOOP], kind[KIND_REPEAT]);
    let end = kind[KIND_END_TRUE] + kind[KIND_END_FALSE];
    let hp = kind[KIND_HPERM];
    let ctl = join + split + end + lp + rp + hp;
    let ctl_n = kind_n.iter().fold(V::ZERO, |a, k| a + *k);
    let is_round = periodic[0];
    let last = V::ONE - is_round;
    let first = periodic[P_FIRST];
    let emit = cur[EMIT];
    // split, loop and repeat pop the condition on the first row of their cycle
    let condpop = first * (split + lp + rp);
    // every operation that shifts the stack left by one (no operation shifts it by more)
    let left1 = bin + pop1 + condpop + cswap + mloadw + u.lt + xor;
    // hperm writes the permuted state to the stack on its cycle's last row (the sponge holds
    // it there), so that the stack holds the output from that row on
    let hp_out = periodic[P_LAST_ROUND] * hp;
    // the value entering slot 15 on a left shift: zero, or (memory variant) the value filled from
    // the overflow table, which the overflow product ties to `s'[15]`
    let fill = if memory { cur[FILL] } else { V::ZERO };

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
        // the new top is free: an inverse (checked below), a secret input, a memory value (the
        // memory product checks it), a u32 or bitwise result (the range or bitwise lookups do)
        + (fl(opcodes::INV) + fl(opcodes::READ) + fl(opcodes::MLOAD) + mloadw + u_pair + u.split + u.lt + xor + andxor)
            * d0
        + fl(opcodes::PUSH) * (nxt[BATCH] - s0)
        - pad * s0
        + hp_out * (nxt[HASHER] - s0)
        + (pop1 + condpop) * (s1 - s0)
        + fl(opcodes::EQZ) * (V::ONE - s0 * aux - s0)
        + fl(opcodes::NEQ) * ((s1 - s0) * aux - s0)
        + cswap * (s1 + s0 * (s[2] - s1) - s0)
        + (f.dup + f.swap + f.movup) * (v - s0)
        + f.movdn * (f.t[1] * s1 + f.e[0] * s0 - s0);
    sink.emit(T, "stack_slot", 0, d0 - expected0);
    for i in 1..STACK_DEPTH {
        let si = s[i];
        let up1 = if i + 1 < STACK_DEPTH { s[i + 1] } else { V::ZERO };
        let down = s[i - 1];
        // cswap leaves slot 1 in place when its condition is 1 (slot 1 then gets slot 2 in slot 0)
        let mut shifted1 = if i == 1 { left1 - cswap + cswap * (V::ONE - s0) } else { left1 };
        // mloadw writes the loaded word into slots 0..3 (checked by the memory product)
        let mut free = V::ZERO;
        if i <= 3 {
            shifted1 -= mloadw;
            free = mloadw * (sn[i] - si);
        }
        // the u32 operations' second result (checked below)
        let mut right_i = right;
        if i == 1 {
            right_i -= u.split;
            free += (u_pair + u.split + andxor) * (sn[1] - si);
        }
        if i == STACK_DEPTH - 1 {
            free += fill * sn[i];
        }
        let permuted = if i < HASHER_WIDTH { hp_out * (nxt[HASHER + i] - si) } else { V::ZERO };
        // swap: slot i takes s0 if N = i; movup: slot i takes slot i − 1 if N ≥ i; movdn: slot i
        // takes s0 if N = i and slot i + 1 if N > i (t[i] = e[i] + t[i + 1]), grouped by the
        // value slot i moves to
        let expected = (shifted1 + f.movdn * f.t[i + 1]) * (up1 - si)
            + permuted
            + free
            + (right_i + f.movup * f.t[i]) * (down - si)
            + (f.swap + f.movdn) * f.e[i] * (s0 - si);
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
    sink.emit(T, "eqz_result", 0, fl(opcodes::EQZ) * sn[0] * s0);
    sink.emit(T, "neq_result", 0, fl(opcodes::NEQ) * (V::ONE - sn[0]) * (s1 - s0));
    sink.emit(T, "cswap_binary", 0, cswap * (s0 * s0 - s0));

    // --- depth -----------------------------------------------------------------------------
    let d = cur[DEPTH];
    let net = right - left1;
    sink.emit(T, "depth_update", 0, nxt[DEPTH] - d - net);
    let param = f.dup + f.swap + f.movup + f.movdn;
    let three = cswap.mul_felt(Felt::new(3));
    let twelve = (first * hp).mul_felt(Felt::new(HASHER_WIDTH as u64));
    let one = fl(opcodes::DROP) + fl(opcodes::ASSERT) + unary + condpop + u.split;
    let two = bin + mstore + u.assert2 + u_pair + u.lt + xor + andxor;
    let five = (mloadw + mstorew).mul_felt(Felt::new(5));
    let pops = one + two + two + three + five + twelve + param * (f.n + V::ONE);
    let lo = cur[RC_LO];
    let hi = cur[RC_HI];
    // with values in the overflow table the depth exceeds 16, more than any operation pops
    let small = if memory { V::ONE - cur[OVF] } else { V::ONE };
    sink.emit(T, "depth_not_below_pops", 0, small * (d - pops - (lo + hi.mul_felt(Felt::new(8)))));
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
    let sixteen = d - c(STACK_DEPTH as u64);
    if bitwise {
        // andxor's second result: x + y = (x XOR y) + 2·(x AND y) over the integers
        sink.emit(T, "andxor_and", 0, andxor * (sn[1] + sn[1] + sn[0] - s0 - s1));
        evaluate_bitwise_table(cur, nxt, periodic, sink);
    } else {
        // without the bitwise table a bitwise result could be anything
        sink.emit(T, "no_bitwise_ops", 0, xor + andxor);
    }
    if memory {
        evaluate_overflow(cur, nxt, right, left1, sixteen, sink);
        evaluate_memory_table(cur, nxt, sink);
        evaluate_u32(cur, s, sn, &u, sink);
    } else {
        sink.emit(T, "stack_not_full", 0, right * (sixteen * aux - V::ONE));
        // without the memory table a load could return anything, and without the range checker
        // a u32 result: the small variants have neither memory nor u32 operations
        sink.emit(T, "no_memory_ops", 0, memory_flag(o));
        sink.emit(T, "no_u32_ops", 0, u.assert2 + u.split + u_pair + u.lt);
    }

    // --- control flow ------------------------------------------------------------------------
    for k in 0..NUM_KINDS {
        sink.emit(T, "ctl_binary", k, kind[k] * kind[k] - kind[k]);
    }
    sink.emit(T, "ctl_one_kind", 0, ctl * ctl - ctl);
    sink.emit(T, "emit_binary", 0, emit * emit - emit);
    for k in 0..NUM_KINDS {
        sink.emit(T, "ctl_constant_in_cycle", k, is_round * (kind_n[k] - kind[k]));
    }
    sink.emit(T, "emit_constant_in_cycle", 0, is_round * (nxt[EMIT] - emit));
    sink.emit(T, "join_end_emit", 0, (join + end) * (emit - V::ONE));
    // hperm chains: a cycle that does not emit is followed by another hperm cycle, and each
    // cycle's b[0] counts the chain's cycles so far (1 after anything but a continuing hperm),
    // so the emitted digest (affine in the count) names the chain's length
    let hp_cont = hp * (V::ONE - emit);
    sink.emit(T, "hperm_chain_continues", 0, last * hp_cont * (V::ONE - kind_n[KIND_HPERM]));
    sink.emit(T, "hperm_chain_count", 0, last * kind_n[KIND_HPERM] * (nxt[BATCH] - hp_cont * cur[BATCH] - V::ONE));
    sink.emit(T, "split_does_not_emit", 0, split * emit);
    sink.emit(T, "loop_exit_on_zero", 0, first * (lp + rp) * (emit - V::ONE + s0));
    sink.emit(T, "condition_binary", 0, condpop * (s0 * s0 - s0));
    for i in 0..4 {
        sink.emit(T, "loop_right_half_zero", i, (lp + rp) * cur[BATCH + 4 + i]);
    }
    // a span that has not emitted its digest continues into the next cycle
    let cont = (V::ONE - ctl) * (V::ONE - emit);
    sink.emit(T, "span_ends_before_control", 0, last * cont * ctl_n);

    // --- hasher ----------------------------------------------------------------------------
    let h = &cur[HASHER..HASHER + HASHER_WIDTH];
    let hn = &nxt[HASHER..HASHER + HASHER_WIDTH];
    let res = round_residuals(h, hn, &periodic[1..1 + HASHER_WIDTH], &periodic[1 + HASHER_WIDTH..1 + 2 * HASHER_WIDTH]);
    for (k, r) in res.iter().enumerate() {
        sink.emit(T, "rescue_round", k, is_round * *r);
    }
    let dom_n = domain_of(&kind_n);
    // the next cycle's input: the span continues, a span starts, two digests to hash, or (hperm)
    // the top 12 stack values of its first row
    let hp_n = kind_n[KIND_HPERM];
    sink.emit(
        T,
        "absorb_capacity",
        0,
        last * (cont * (hn[0] - h[0]) + (ctl_n - hp_n) * (hn[0] - c(BATCH_LEN as u64)) + hp_n * (hn[0] - sn[0])),
    );
    sink.emit(T, "absorb_capacity", 1, last * (hn[1] - cont * h[1] - dom_n - hp_n * sn[1]));
    for k in 2..RATE_OFFSET {
        sink.emit(T, "absorb_capacity", k, last * (hn[k] - cont * h[k] - hp_n * sn[k]));
    }
    for k in 0..BATCH_LEN {
        let r = RATE_OFFSET + k;
        sink.emit(T, "absorb_rate", k, last * (hn[r] - cont * h[r] - (V::ONE - hp_n) * nxt[BATCH + k] - hp_n * sn[r]));
    }
    // span cycles shift the batch (b[0] is executed); control cycles hold it (it is hashed)
    let not_ctl = V::ONE - ctl;
    for k in 0..BATCH_LEN - 1 {
        sink.emit(
            T,
            "batch_shift",
            k,
            is_round * (nxt[BATCH + k] - not_ctl * cur[BATCH + k + 1] - ctl * cur[BATCH + k]),
        );
    }
    sink.emit(
        T,
        "batch_shift",
        BATCH_LEN - 1,
        is_round * (nxt[BATCH + BATCH_LEN - 1] - ctl * cur[BATCH + BATCH_LEN - 1]),
    );

    // --- control stack ---------------------------------------------------------------------
    let ops = control_stack_ops(cur, nxt, periodic);
    sink.emit(T, "clk", 0, nxt[CLK] - cur[CLK] - V::ONE);
    let ptr = cur[CS_PTR];
    sink.emit(T, "cs_ptr", 0, nxt[CS_PTR] - ptr - ops.push * (cur[CLK] - ptr) - ops.pop * (ops.link - ptr));

    // --- halting ---------------------------------------------------------------------------
    let dh = nxt[HALT] - cur[HALT];
    sink.emit(T, "halt_step", 0, dh * (dh - V::ONE));
    sink.emit(T, "halt_at_cycle_end", 0, dh * is_round);
    for k in 0..4 {
        sink.emit(T, "program_hash", k, dh * (ops.data[k] - program_hash[k]));
    }
    sink.emit(T, "halt_after_emit", 0, dh * (emit - V::ONE));
    sink.emit(T, "halt_with_empty_control_stack", 0, dh * ptr);
    sink.emit(T, "halted_no_control", 0, cur[HALT] * ctl);
    sink.emit(T, "halted_no_emit", 0, cur[HALT] * emit);
    for k in 0..NUM_OP_BITS {
        sink.emit(T, "halted_noop", k, cur[HALT] * o[k]);
    }
}

/// Emits the first-row constraints (evaluated on `first`) and last-row constraints (evaluated
/// on `last`). The prover and verifier pass the same row for both and apply each kind's divisor.
#[inline]
pub fn evaluate_boundary<V: Value, S: ConstraintSink<V>>(
    first: &[V],
    last: &[V],
    public: &PublicInputs,
    memory: bool,
    bitwise: bool,
    sink: &mut S,
) {
    use ConstraintKind::{FirstRow as F, LastRow as L};
    for i in 0..STACK_DEPTH {
        let input = public.inputs.get(i).copied().unwrap_or(Felt::new(0));
        sink.emit(F, "initial_stack", i, first[STACK + i] - V::from_felt(input));
    }
    sink.emit(F, "initial_depth", 0, first[DEPTH] - c(public.inputs.len() as u64));
    sink.emit(F, "initial_halt", 0, first[HALT]);
    let kind: [V; NUM_KINDS] = core::array::from_fn(|k| first[CTL + k]);
    let ctl = kind.iter().fold(V::ZERO, |a, k| a + *k);
    let hp = kind[KIND_HPERM];
    let s = &first[STACK..STACK + STACK_DEPTH];
    sink.emit(
        F,
        "initial_capacity",
        0,
        (ctl - hp) * (first[HASHER] - c(BATCH_LEN as u64)) + hp * (first[HASHER] - s[0]),
    );
    sink.emit(F, "initial_capacity", 1, first[HASHER + 1] - domain_of(&kind) - hp * s[1]);
    for k in 2..RATE_OFFSET {
        sink.emit(F, "initial_capacity", k, first[HASHER + k] - hp * s[k]);
    }
    for k in 0..BATCH_LEN {
        let r = RATE_OFFSET + k;
        sink.emit(F, "initial_rate", k, first[HASHER + r] - (V::ONE - hp) * first[BATCH + k] - hp * s[r]);
    }
    sink.emit(F, "first_row_not_data", 0, data_flag(&first[OP_BITS..OP_BITS + NUM_OP_BITS]));
    sink.emit(F, "initial_hperm_chain_count", 0, hp * (first[BATCH] - V::ONE));
    // keys start at 1 so that no entry has the key 0, which `cs_ptr` uses for "empty"
    sink.emit(F, "initial_clk", 0, first[CLK] - V::ONE);
    sink.emit(F, "initial_cs_ptr", 0, first[CS_PTR]);
    // the execution halts before the last row (a transition checks the program hash), or ends
    // on it: then the last row closes the root's final cycle (it emits the program hash) and
    // runs nothing (an operation there would have no next row to act on)
    let halt = last[HALT];
    let running = V::ONE - halt;
    sink.emit(L, "final_halt_binary", 0, halt * halt - halt);
    sink.emit(L, "final_row_emits", 0, running * (last[EMIT] - V::ONE));
    let at_cycle_end: [V; NUM_PERIODIC] = [V::ZERO; NUM_PERIODIC];
    let ops = control_stack_ops(last, last, &at_cycle_end);
    for k in 0..4 {
        sink.emit(L, "final_row_program_hash", k, running * (ops.data[k] - V::from_felt(public.program_hash[k])));
    }
    for k in 0..NUM_OP_BITS {
        sink.emit(L, "final_row_noop", k, running * last[OP_BITS + k]);
    }
    // ... and the span element hashed for that row is a noop too (`element_is_opcode` is a
    // transition constraint, which never reaches the last row: without this, a span ending on
    // an instruction could hash it and skip it)
    let ctl_last = (0..NUM_KINDS).fold(V::ZERO, |a, k| a + last[CTL + k]);
    sink.emit(L, "final_row_element_noop", 0, running * (V::ONE - ctl_last) * last[BATCH]);
    sink.emit(L, "final_cs_ptr", 0, last[CS_PTR]);
    for (i, out) in public.outputs.iter().enumerate() {
        sink.emit(L, "outputs", i, last[STACK + i] - V::from_felt(*out));
    }
    if memory {
        evaluate_memory_boundary(first, last, sink);
    }
    if bitwise {
        // the transitions check the bits of rows 0..n−2 only, yet the last row's chunks enter
        // its accumulators and the bitwise sum counts its triple: unchecked, its bits could be
        // any field elements, and the row could list any triple at all
        for k in 0..BW_BITS_PER_ROW {
            let (x, y) = (last[BW_X_BITS + k], last[BW_Y_BITS + k]);
            sink.emit(L, "bw_final_x_bit_binary", k, x * x - x);
            sink.emit(L, "bw_final_y_bit_binary", k, y * y - y);
        }
    }
}

/// The overflow-stack constraints of the memory variant (see the module docs): `ovf` says
/// whether the overflow table holds entries, `spill` and `fill` say when slot 15 crosses to and
/// from it, and `ov_ptr` follows the table's top key.
#[inline(always)]
fn evaluate_overflow<V: Value, S: ConstraintSink<V>>(
    cur: &[V],
    nxt: &[V],
    right: V,
    left: V,
    sixteen: V,
    sink: &mut S,
) {
    use ConstraintKind::Transition as T;
    let (ovf, ptr, h) = (cur[OVF], cur[OV_PTR], cur[OV_H]);
    sink.emit(T, "ovf", 0, ovf - ptr * cur[OV_INV]);
    sink.emit(T, "ovf", 1, ptr * (V::ONE - ovf));
    // at16 = [depth = 16]: h must invert depth − 16 unless it is 0
    let at16 = V::ONE - sixteen * h;
    sink.emit(T, "depth_is_16", 0, sixteen * at16);
    sink.emit(T, "ovf_above_16", 0, ovf * at16);
    let (spill, fill) = (cur[SPILL], cur[FILL]);
    sink.emit(T, "spill", 0, spill - right * (ovf + at16));
    sink.emit(T, "fill", 0, fill - left * ovf);
    sink.emit(T, "ov_ptr", 0, nxt[OV_PTR] - ptr - spill * (cur[CLK] - ptr) - fill * (cur[OV_LINK] - ptr));
}

/// The selectors of the u32 operations.
struct U32Flags<V> {
    assert2: V,
    split: V,
    add: V,
    sub: V,
    mul: V,
    div: V,
    lt: V,
}

/// The u32 operations' constraints (memory variant): operands and results are written as
/// pairs of 16-bit limbs (`u32_limb`, looked up in the range table), and each operation's
/// equation holds over the integers because every term is below p (see the module docs,
/// "u32 operations").
#[inline(always)]
fn evaluate_u32<V: Value, S: ConstraintSink<V>>(cur: &[V], s: &[V], sn: &[V], u: &U32Flags<V>, sink: &mut S) {
    use ConstraintKind::Transition as T;
    let limb = |k: usize| cur[U32_LIMBS + 2 * k] + cur[U32_LIMBS + 2 * k + 1].mul_felt(Felt::new(1 << 16));
    let (l0, l1, l2) = (limb(0), limb(1), limb(2));
    let two32 = Felt::new(1 << 32);
    let (s0, s1, r0, r1) = (s[0], s[1], sn[0], sn[1]);
    // operands checked in place (assert2, add, sub, lt); results (split, mul, divmod)
    let checks = u.assert2 + u.add + u.sub + u.lt;
    let results = u.split + u.mul + u.div;
    sink.emit(T, "u32_limbs", 0, checks * (s0 - l0) + results * (r1 - l0));
    sink.emit(T, "u32_limbs", 1, checks * (s1 - l1) + results * (r0 - l1));
    // the third value: the sum or difference, the comparison's difference, or b − r − 1
    sink.emit(
        T,
        "u32_limbs",
        2,
        (u.add + u.sub) * (r1 - l2) + u.lt * (s1 - s0 + r0.mul_felt(two32) - l2) + u.div * (s0 - r0 - V::ONE - l2),
    );
    sink.emit(
        T,
        "u32_result",
        0,
        u.add * (s1 + s0 - r1 - r0.mul_felt(two32))
            + u.sub * (s1 - s0 - r1 + r0.mul_felt(two32))
            + u.split * (s0 - r1 - r0.mul_felt(two32))
            + u.mul * (s1 * s0 - r1 - r0.mul_felt(two32))
            + u.div * (s1 - r1 * s0 - r0),
    );
    sink.emit(T, "u32_bit", 0, (u.add + u.sub + u.lt) * (r0 * r0 - r0));
    // lo + 2^32·hi names a field element once: with hi = 2^32 − 1, lo must be 0 (else the pair
    // could stand for x + p); the helper w gives lo = (hi − (2^32 − 1))·w
    let max = c::<V>(u32::MAX as u64);
    sink.emit(T, "u32_canonical", 0, (u.split + u.mul) * (r1 - (r0 - max) * cur[AUX]));
}

/// The memory-table and range-table constraints of the memory variant (see the module docs).
#[inline(always)]
fn evaluate_memory_table<V: Value, S: ConstraintSink<V>>(cur: &[V], nxt: &[V], sink: &mut S) {
    use ConstraintKind::Transition as T;
    let (a, an) = (cur[M_ACTIVE], nxt[M_ACTIVE]);
    sink.emit(T, "m_active_binary", 0, a * a - a);
    sink.emit(T, "m_active_prefix", 0, (V::ONE - a) * an);
    let (w, e) = (cur[M_WRITE], cur[M_ELEMENT]);
    sink.emit(T, "m_write_binary", 0, w * w - w);
    sink.emit(T, "m_element_binary", 0, e * e - e);
    let da = nxt[M_ADDR] - cur[M_ADDR];
    let new = da * cur[M_INV];
    sink.emit(T, "m_new_address", 0, an * da * (V::ONE - new));
    let gap = new * da + (V::ONE - new) * (nxt[M_CLK] - cur[M_CLK]);
    let limbs = cur[M_LIMB_LO] + cur[M_LIMB_HI].mul_felt(Felt::new(1 << 16));
    let top = c::<V>(u32::MAX as u64) - cur[M_ADDR];
    sink.emit(T, "m_sorted", 0, an * (gap - limbs) + (a - an) * (top - limbs));
    let keep = memory_keep(nxt[M_WRITE], nxt[M_ELEMENT]);
    for i in 0..4 {
        let prev = (V::ONE - new) * cur[M_VALUE + i];
        sink.emit(T, "m_value", i, an * keep[i] * (nxt[M_VALUE + i] - prev));
    }
    let dr = nxt[R_VALUE] - cur[R_VALUE];
    let mut steps = V::ONE;
    for s in RANGE_STEPS {
        steps *= dr - c(s);
    }
    sink.emit(T, "r_step", 0, steps);
}

/// The bitwise table's constraints (bitwise variant, see the module docs): the bits are binary,
/// and over each 8-row cycle `x`, `y` and `x AND y` take 4 bits a row, most significant first,
/// so that on the cycle's last row they hold two values below 2^32 and their AND. Only that row
/// answers lookups.
#[inline(always)]
fn evaluate_bitwise_table<V: Value, S: ConstraintSink<V>>(cur: &[V], nxt: &[V], periodic: &[V], sink: &mut S) {
    use ConstraintKind::Transition as T;
    let is_round = periodic[0];
    let first = periodic[P_FIRST];
    for k in 0..BW_BITS_PER_ROW {
        let (x, y) = (cur[BW_X_BITS + k], cur[BW_Y_BITS + k]);
        sink.emit(T, "bw_x_bit_binary", k, x * x - x);
        sink.emit(T, "bw_y_bit_binary", k, y * y - y);
    }
    // the 4-bit chunks a row adds: of x, of y, of x AND y
    let chunks = |row: &[V]| {
        let (mut x, mut y, mut and) = (V::ZERO, V::ZERO, V::ZERO);
        for k in (0..BW_BITS_PER_ROW).rev() {
            let (xb, yb) = (row[BW_X_BITS + k], row[BW_Y_BITS + k]);
            x = x + x + xb;
            y = y + y + yb;
            and = and + and + xb * yb;
        }
        [x, y, and]
    };
    let (c, cn) = (chunks(cur), chunks(nxt));
    let sixteen = Felt::new(1 << BW_BITS_PER_ROW);
    for (k, col) in [BW_X, BW_Y, BW_AND].into_iter().enumerate() {
        sink.emit(T, "bw_cycle_start", k, first * (cur[col] - c[k]));
        sink.emit(T, "bw_accumulate", k, is_round * (nxt[col] - cur[col].mul_felt(sixteen) - cn[k]));
    }
    sink.emit(T, "bw_mult_on_last_row", 0, is_round * cur[BW_MULT]);
}

/// The selector of the bitwise operations (`U32XOR` and `U32ANDXOR` = `0b001111x`), degree 5.
#[inline(always)]
pub fn bitwise_flag<V: Value>(o: &[V]) -> V {
    (V::ONE - o[6]) * o[4] * o[3] * o[2] * o[1]
}

/// The triple a bitwise operation on row (`cur`, `nxt`) looks up: `(x, y, x AND y)` with `x` on
/// top and `y` below it; the AND is `(x + y − (x XOR y))/2`, from the XOR left on top.
#[inline(always)]
pub fn bitwise_lookup<V: Value>(cur: &[V], nxt: &[V]) -> [V; 3] {
    let (x, y) = (cur[STACK], cur[STACK + 1]);
    [x, y, (x + y - nxt[STACK]).mul_felt(HALF)]
}

/// A row of the bitwise table as the triple of [`bitwise_lookup`].
#[inline(always)]
pub fn bitwise_table_row<V: Value>(row: &[V]) -> [V; 3] {
    [row[BW_X], row[BW_Y], row[BW_AND]]
}

/// 1/2 in the field, `(p + 1)/2`.
const HALF: Felt = Felt::new(0x7fff_ffff_8000_0001);

/// Which lanes of the word an access of kind (`write`, `element`) leaves as they were: a read
/// keeps all four, an element write keeps lanes 1..3, a word write none.
#[inline(always)]
fn memory_keep<V: Value>(write: V, element: V) -> [V; 4] {
    let rest = V::ONE - write + write * element;
    [V::ONE - write, rest, rest, rest]
}

/// The first-row and last-row constraints of the memory variant.
#[inline]
fn evaluate_memory_boundary<V: Value, S: ConstraintSink<V>>(first: &[V], last: &[V], sink: &mut S) {
    use ConstraintKind::{FirstRow as F, LastRow as L};
    sink.emit(F, "initial_ov_ptr", 0, first[OV_PTR]);
    // the table starts with the initial word at address 0 (zero unless the claim sets it): the
    // addresses then increase from 0 and cannot wrap around the field
    sink.emit(F, "m_anchor", 0, first[M_ADDR]);
    sink.emit(F, "m_anchor", 1, first[M_ACTIVE] - V::ONE);
    // the first access is the first at its address: what it keeps is zero
    let keep = memory_keep(first[M_WRITE], first[M_ELEMENT]);
    for i in 0..4 {
        sink.emit(F, "m_initial_value", i, first[M_ACTIVE] * keep[i] * first[M_VALUE + i]);
    }
    sink.emit(F, "r_initial", 0, first[R_VALUE]);
    sink.emit(L, "final_ov_ptr", 0, last[OV_PTR]);
    sink.emit(L, "m_final_inactive", 0, last[M_ACTIVE]);
    sink.emit(L, "r_final", 0, last[R_VALUE] - c(RANGE_MAX));
}

/// The extra constraints of the straight-line variant of the AIR (see
/// [`crate::air::ProcessorAir`]): no control cycle, and nothing pushed on the control stack (a
/// cycle emits only where the program halts), so the whole execution is one span whose digest
/// is the program hash.
#[inline]
pub fn evaluate_straight_line<V: Value, S: ConstraintSink<V>>(cur: &[V], nxt: &[V], periodic: &[V], sink: &mut S) {
    let ctl = cur[CTL..CTL + NUM_KINDS].iter().fold(V::ZERO, |a, k| a + *k);
    sink.emit(ConstraintKind::Transition, "straight_line_no_control", 0, ctl);
    let dh = nxt[HALT] - cur[HALT];
    sink.emit(ConstraintKind::Transition, "straight_line_no_push", 0, (V::ONE - periodic[0]) * (cur[EMIT] - dh));
}

/// The hash domain a control cycle starts its sponge with (lane 1 of the capacity), from the
/// one-hot kind columns ([`crate::program::kind_domain`] per kind); 0 in span cycles.
#[inline(always)]
fn domain_of<V: Value>(kind: &[V; NUM_KINDS]) -> V {
    let mut acc = V::ZERO;
    for (k, flag) in kind.iter().enumerate() {
        let d = crate::program::kind_domain(k);
        if d != 0 {
            acc += flag.mul_felt(Felt::new(d));
        }
    }
    acc
}

/// What a row does to the control stack: whether it pushes or pops an entry, the entry's tag,
/// data and (for a pop) link. A push's key is `clk` and its link the current `cs_ptr`; a pop
/// removes the entry keyed `cs_ptr`.
#[derive(Clone, Copy, Debug)]
pub struct ControlStackOps<V> {
    /// 1 if the row pushes an entry.
    pub push: V,
    /// 1 if the row pops an entry.
    pub pop: V,
    /// The tag of the pushed entry (meaningful when `push` is 1).
    pub push_tag: V,
    /// The tag of the popped entry (meaningful when `pop` is 1).
    pub pop_tag: V,
    /// The data of the entry pushed or popped.
    pub data: [V; 4],
    /// The link of the popped entry (the helper column).
    pub link: V,
}

/// The control-stack operations of the row pair (`cur`, `nxt`), given the periodic values.
///
/// | cycle | row 0 | row 1 | row 7 |
/// |---|---|---|---|
/// | span with `emit` | | | push digest `h[4..8]` |
/// | join | pop digest `b[4..8]` (right) | pop digest `b[0..4]` (left) | push digest `h[4..8]` |
/// | split | push split frame tagged with the condition | | |
/// | end-true | pop digest `b[0..4]` (the branch taken) | pop split frame tagged 1 | push digest |
/// | end-false | pop digest `b[4..8]` | pop split frame tagged 0 | push digest |
/// | loop, condition 1 | push loop frame `b[0..4]` (body hash) | | |
/// | loop, condition 0 | | | push digest |
/// | repeat | pop digest `b[0..4]` | pop loop frame `b[0..4]` | condition 1: push loop frame `b[0..4]`; 0: push digest |
/// | hperm, a chain's last cycle | | | push the chain's hash (from its count `b[0]`) |
///
/// Split frames carry no data (zeros). The root block's final digest is not pushed: on that row
/// the program halts instead (or the trace ends) and the digest is compared with the program
/// hash.
#[inline(always)]
pub fn control_stack_ops<V: Value>(cur: &[V], nxt: &[V], periodic: &[V]) -> ControlStackOps<V> {
    let first = periodic[P_FIRST];
    let second = periodic[P_SECOND];
    let last = V::ONE - periodic[0];
    let (join, split, end_t, end_f, lp, rp) = (
        cur[CTL + KIND_JOIN],
        cur[CTL + KIND_SPLIT],
        cur[CTL + KIND_END_TRUE],
        cur[CTL + KIND_END_FALSE],
        cur[CTL + KIND_LOOP],
        cur[CTL + KIND_REPEAT],
    );
    let emit = cur[EMIT];
    let dh = nxt[HALT] - cur[HALT];
    let stay = V::ONE - emit;
    let push = first * (split + lp * stay) + last * (emit - dh + rp * stay);
    let pop = (first + second) * (join + end_t + end_f + rp);
    let (td, tsf, tl) = (c::<V>(TAG_DIGEST), c::<V>(TAG_SPLIT_FALSE), c::<V>(TAG_LOOP));
    let push_tag = first * (split * (tsf + cur[STACK]) + lp * tl) + last * (emit * td + stay * tl);
    let pop_tag = first * td + second * (join * td + end_t * c::<V>(TAG_SPLIT_TRUE) + end_f * tsf + rp * tl);
    // which half of the batch (or the digest lanes of the sponge) the entry's data is
    let left = first * (lp + end_t + rp) + second * (join + rp) + last * rp * stay;
    let right = first * (join + end_f);
    // an hperm chain's last cycle emits the chain's hash (affine in its length, counted in
    // b[0]: `hperm_chain_hash`), not its sponge's output
    let hp_last = last * cur[CTL + KIND_HPERM] * emit;
    let digest = last * emit - hp_last;
    let (base, step) = (crate::program::HPERM_HASH, crate::program::HPERM_CHAIN_STEP);
    let length = cur[BATCH] - V::ONE;
    let data = core::array::from_fn(|i| {
        left * cur[BATCH + i]
            + right * cur[BATCH + 4 + i]
            + digest * cur[HASHER + DIGEST_OFFSET + i]
            + hp_last * (c::<V>(base[i]) + length.mul_felt(Felt::new(step[i])))
    });
    ControlStackOps { push, pop, push_tag, pop_tag, data, link: cur[AUX] }
}

/// Compresses a control-stack entry `(key, tag, data[0..4], link)` with the challenges `alpha`
/// and `beta` into `beta + Σ alpha^(i+1)·x_i`.
#[inline(always)]
pub fn compress_entry<E: Value>(alpha: E, beta: E, key: E, tag: E, data: &[E], link: E) -> E {
    let mut acc = link;
    for d in data.iter().rev() {
        acc = acc * alpha + *d;
    }
    acc = acc * alpha + tag;
    acc = acc * alpha + key;
    acc * alpha + beta
}

/// Emits the auxiliary constraints. Column 0: the control-stack running product `p` starts and
/// ends at 1 and on every row multiplies by the pushed entry and divides by the popped one.
/// In the memory variant, column 1 is the overflow table's running product (the same scheme),
/// column 2 the memory running product (execution accesses over table rows; it starts at the
/// product of the initial-memory rows, `challenges[3]`, and ends at 1) and columns 3 and 4 the
/// range checker's LogUp sums. Main-trace values stay in their own algebra `B` (the base field in the
/// prover) until they are combined with the challenges.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn evaluate_aux_constraints<B: Value, E: Value + From<B>, S: ConstraintSink<E>>(
    cur: &[B],
    nxt: &[B],
    aux_cur: &[E],
    aux_nxt: &[E],
    periodic: &[B],
    challenges: &[E],
    memory: bool,
    bitwise: bool,
    sink: &mut S,
) {
    use ConstraintKind::{FirstRow as F, LastRow as L, Transition as T};
    let (alpha, beta) = (challenges[0], challenges[1]);
    let ops = control_stack_ops(cur, nxt, periodic);
    let data: [E; 4] = core::array::from_fn(|i| E::from(ops.data[i]));
    let ptr = E::from(cur[CS_PTR]);
    let inserted = compress_entry(alpha, beta, E::from(cur[CLK]), E::from(ops.push_tag), &data, ptr);
    let removed = compress_entry(alpha, beta, ptr, E::from(ops.pop_tag), &data, E::from(ops.link));
    let (push, pop) = (E::from(ops.push), E::from(ops.pop));
    let (p, pn) = (aux_cur[0], aux_nxt[0]);
    sink.emit(
        T,
        "control_stack_product",
        0,
        pn * (pop * (removed - E::ONE) + E::ONE) - p * (push * (inserted - E::ONE) + E::ONE),
    );
    sink.emit(F, "control_stack_product_start", 0, p - E::ONE);
    sink.emit(L, "control_stack_product_end", 0, p - E::ONE);
    if !memory {
        return;
    }
    let lift = |x: B| E::from(x);

    // overflow table: entries (key, value, link)
    let ptr = lift(cur[OV_PTR]);
    let inserted = compress(alpha, beta, &[lift(cur[CLK]), lift(cur[STACK + STACK_DEPTH - 1]), ptr]);
    let removed = compress(alpha, beta, &[ptr, lift(nxt[STACK + STACK_DEPTH - 1]), lift(cur[OV_LINK])]);
    let (spill, fill) = (lift(cur[SPILL]), lift(cur[FILL]));
    let (p, pn) = (aux_cur[1], aux_nxt[1]);
    sink.emit(
        T,
        "overflow_product",
        0,
        pn * (fill * (removed - E::ONE) + E::ONE) - p * (spill * (inserted - E::ONE) + E::ONE),
    );
    sink.emit(F, "overflow_product_start", 0, p - E::ONE);
    sink.emit(L, "overflow_product_end", 0, p - E::ONE);

    // memory: the accesses the rows make, against the table's rows
    let access = memory_access(cur, nxt);
    let made = compress(alpha, beta, &access.map(lift));
    let table = memory_table_row(cur);
    let listed = compress(alpha, beta, &table.map(lift));
    let o = &cur[OP_BITS..OP_BITS + NUM_OP_BITS];
    let flag = lift(memory_flag(o));
    let active = lift(cur[M_ACTIVE]);
    let (p, pn) = (aux_cur[2], aux_nxt[2]);
    sink.emit(
        T,
        "memory_product",
        0,
        pn * (active * (listed - E::ONE) + E::ONE) - p * (flag * (made - E::ONE) + E::ONE),
    );
    // the initial-memory product, derived from the challenges. A caller that left it out gets 0:
    // the product then cannot end at 1 and nothing verifies (fail-safe, never a silent 1)
    let initial = challenges.get(3).copied().unwrap_or(E::ZERO);
    sink.emit(F, "memory_product_start", 0, p - initial);
    sink.emit(L, "memory_product_end", 0, p - E::ONE);

    // range checks (LogUp): the limbs looked up on every row against the range table. Column 3
    // sums the memory table's limbs and the table itself, column 4 the u32 limbs; both are
    // running sums that include their row, and together they end at 0.
    let gamma = challenges[2];
    let (n3, d3) = range_fractions(gamma, cur, &lift);
    let (n3n, d3n) = range_fractions(gamma, nxt, &lift);
    let (q, qn) = (aux_cur[3], aux_nxt[3]);
    sink.emit(T, "range_sum", 0, (qn - q) * d3n - n3n);
    sink.emit(F, "range_sum_start", 0, q * d3 - n3);
    let (n4, d4) = u32_fractions(gamma, cur, &lift);
    let (n4n, d4n) = u32_fractions(gamma, nxt, &lift);
    let (t, tn) = (aux_cur[4], aux_nxt[4]);
    sink.emit(T, "u32_range_sum", 0, (tn - t) * d4n - n4n);
    sink.emit(F, "u32_range_sum_start", 0, t * d4 - n4);
    sink.emit(L, "range_sums_end", 0, q + t);
    if !bitwise {
        return;
    }

    // the bitwise lookups (LogUp): column 5 adds, on each transition, 1/(looked up) for a
    // bitwise operation on the current row and subtracts m/(listed) for the next row's table
    // triple; it starts and ends at 0
    let looked = compress(alpha, beta, &bitwise_lookup(cur, nxt).map(lift));
    let listed = compress(alpha, beta, &bitwise_table_row(nxt).map(lift));
    let flag = lift(bitwise_flag(o));
    let (w, wn) = (aux_cur[5], aux_nxt[5]);
    sink.emit(T, "bitwise_sum", 0, (wn - w) * looked * listed - flag * listed + lift(nxt[BW_MULT]) * looked);
    sink.emit(F, "bitwise_sum_start", 0, w);
    sink.emit(L, "bitwise_sum_end", 0, w);
}

/// The range checker's contribution of a row to auxiliary column 3, as a fraction `(n, d)`:
/// `1/(γ − lo) + 1/(γ − hi) − m/(γ − r)` for the memory table's limbs `lo`, `hi` and the range
/// table's value `r` with multiplicity `m`.
#[inline(always)]
pub fn range_fractions<B: Value, E: Value>(gamma: E, row: &[B], lift: &impl Fn(B) -> E) -> (E, E) {
    let (l0, l1, r) = (gamma - lift(row[M_LIMB_LO]), gamma - lift(row[M_LIMB_HI]), gamma - lift(row[R_VALUE]));
    (l1 * r + l0 * r - lift(row[R_MULT]) * l0 * l1, l0 * l1 * r)
}

/// A row's contribution to auxiliary column 4, as a fraction `(n, d)`: `Σ 1/(γ − u_i)` over the
/// six u32 limbs.
#[inline(always)]
pub fn u32_fractions<B: Value, E: Value>(gamma: E, row: &[B], lift: &impl Fn(B) -> E) -> (E, E) {
    let mut num = E::ZERO;
    let mut den = E::ONE;
    for k in 0..NUM_U32_LIMBS {
        let x = gamma - lift(row[U32_LIMBS + k]);
        num = num * x + den;
        den *= x;
    }
    (num, den)
}

/// Compresses a tuple with the challenges `alpha` and `beta` into `beta + Σ alpha^(i+1)·x_i`.
#[inline(always)]
pub fn compress<E: Value>(alpha: E, beta: E, values: &[E]) -> E {
    let mut acc = E::ZERO;
    for v in values.iter().rev() {
        acc = (acc + *v) * alpha;
    }
    acc + beta
}

/// The selector of the memory operations (`MLOAD`..`MSTOREW` = `0b00101xx`), degree 4.
#[inline(always)]
pub fn memory_flag<V: Value>(o: &[V]) -> V {
    (V::ONE - o[6]) * o[4] * (V::ONE - o[3]) * o[2]
}

/// The access a memory operation on row (`cur`, `nxt`) makes, as the tuple `(addr, clk, write,
/// element, v0, v1, v2, v3)` (the lanes an element access does not see are 0). Every memory
/// operation has its address on top before and its value (or word) on top after: `write` is
/// opcode bit 0 and `element` is `1 − bit 1`.
#[inline(always)]
pub fn memory_access<V: Value>(cur: &[V], nxt: &[V]) -> [V; 8] {
    let o = &cur[OP_BITS..OP_BITS + NUM_OP_BITS];
    let word = o[1];
    [
        cur[STACK],
        cur[CLK],
        o[0],
        V::ONE - word,
        nxt[STACK],
        word * nxt[STACK + 1],
        word * nxt[STACK + 2],
        word * nxt[STACK + 3],
    ]
}

/// A memory-table row as the same tuple as [`memory_access`].
#[inline(always)]
pub fn memory_table_row<V: Value>(cur: &[V]) -> [V; 8] {
    let e = cur[M_ELEMENT];
    let word = V::ONE - e;
    [
        cur[M_ADDR],
        cur[M_CLK],
        cur[M_WRITE],
        e,
        cur[M_VALUE],
        word * cur[M_VALUE + 1],
        word * cur[M_VALUE + 2],
        word * cur[M_VALUE + 3],
    ]
}

/// The program hash as values.
pub fn hash_values<V: Value>(hash: &Word) -> [V; 4] {
    core::array::from_fn(|k| V::from_felt(hash[k]))
}
