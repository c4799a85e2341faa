//! The execution trace layout: which column holds what.
//!
//! One row is one VM cycle. The trace has [`TRACE_WIDTH`] columns:
//!
//! | columns | name | role |
//! |---|---|---|
//! | 0..12 | `h` | Rescue Prime (`Rp64_256`) sponge state hashing the program as it runs |
//! | 12..20 | `b` | the batch of 8 program elements absorbed at the start of the current 8-row cycle, as a shift register: `b[0]` is the element executed on this row |
//! | 20..27 | `op` | the 7 bits of the opcode executed on this row |
//! | 27..43 | `s` | the 16 addressable stack slots, top first |
//! | 43 | `depth` | number of values on the stack |
//! | 44, 45 | `rc` | limbs of `depth − pops(op)`, proving it is not negative (0..7 and 0..3) |
//! | 46 | `aux` | helper: the inverse used by `eq` and by the stack-full check of pushing ops |
//! | 47 | `halt` | 0 while the program runs, 1 once its hash has been checked |
//! | 48 | `clk` | the row number plus one: the unique, non-zero key of control-stack entries |
//! | 49..56 | `ctl` | one-hot kind of a control cycle: join, split, end-true, end-false (the end of a split whose condition was 1 or 0), loop, repeat, hperm; all zero in span cycles |
//! | 56 | `emit` | 1 on a cycle whose block hash is pushed on the control stack |
//! | 57 | `cs_ptr` | key of the control stack's top entry (0: empty) |
//!
//! On the rows of a control cycle no instruction runs, so the helper column `aux` is free: on a
//! row that pops the control stack it holds the popped entry's link (the key below it). The
//! entries' data are not columns of their own: they are the digest lanes of the sponge or a half
//! of the batch, depending on the row (see [`crate::constraints::control_stack_ops`]).
//!
//! The memory variant (see [`crate::air::Variant`]) appends 27 columns:
//!
//! | columns | name | role |
//! |---|---|---|
//! | 58 | `ovf` | 1 while the overflow table holds values (the stack holds more than 16) |
//! | 59, 60 | `ov_ptr`, `ov_inv` | key of the overflow table's top entry (0: empty) and its inverse |
//! | 61 | `ov_link` | on a fill: the link of the entry filled back into slot 15 |
//! | 62 | `ov_h` | inverse of `depth − 16` (proves whether the depth is 16) |
//! | 63, 64 | `spill`, `fill` | slot 15 goes to / comes from the overflow table on this row |
//! | 65..74 | `m_*` | the memory table: address, clock, word, write, element, active, inverse of the address step |
//! | 75, 76 | `m_limb_lo`, `m_limb_hi` | 16-bit limbs of the gap to the next table row |
//! | 77, 78 | `r_value`, `r_mult` | the range table and its multiplicities |
//! | 79..85 | `u32_limb` | 16-bit limbs of a u32 operation's operands and results |
//!
//! The bitwise variant appends 12 more: the bitwise table, where each pair `(x, y)` that a
//! `u32xor` or `u32andxor` looks up takes one 8-row cycle (aligned with the hashing cycles):
//!
//! | columns | name | role |
//! |---|---|---|
//! | 85, 86, 87 | `bw_x`, `bw_y`, `bw_and` | `x`, `y` and `x AND y`, accumulated 4 bits a row, most significant first: complete on the cycle's last row |
//! | 88..92, 92..96 | `bw_x_bit`, `bw_y_bit` | the 4 bits of `x` and of `y` the row adds |
//! | 96 | `bw_mult` | on a cycle's last row, how many lookups the row's triple answers |
//!
//! Auxiliary columns: the running product of the control-stack multiset check; in the memory
//! variant also the overflow table's product, the memory product and the range checker's two
//! LogUp sums (see [`crate::constraints`]); in the bitwise variant also the bitwise table's
//! LogUp sum.
//!
//! Rows are grouped into cycles of [`CYCLE_LEN`] = 8. On rows 0..7 of a cycle the sponge applies
//! rounds 0..6 of the permutation; on the cycle's last row the next cycle's input is loaded into
//! the rate. In a *span cycle* each row executes one program element (an opcode, or the value
//! following a `push`), so hashing runs alongside execution and costs no extra rows. A *control
//! cycle* (one of the `ctl` kinds) executes no instruction; it hashes two child digests and
//! moves entries on the control stack (see [`crate::constraints`]).

/// Number of columns in the main trace segment of the base variants (no memory).
pub const TRACE_WIDTH: usize = 58;
/// Number of columns in the main trace segment of the memory variant: the base columns, then
/// the overflow-stack columns, the memory table, the range table and the u32 limbs.
pub const FULL_TRACE_WIDTH: usize = 85;
/// Number of columns in the main trace segment of the bitwise variant: the memory variant's,
/// then the bitwise table.
pub const BITWISE_TRACE_WIDTH: usize = 97;

/// Rescue state width.
pub const HASHER_WIDTH: usize = 12;
/// First column of the sponge state.
pub const HASHER: usize = 0;
/// First column of the batch shift register.
pub const BATCH: usize = 12;
/// Number of elements absorbed per permutation (the sponge rate).
pub const BATCH_LEN: usize = 8;
/// First opcode bit column (least significant bit first).
pub const OP_BITS: usize = 20;
/// Number of opcode bits.
pub const NUM_OP_BITS: usize = 7;
/// First stack column (slot 0 is the top of the stack).
pub const STACK: usize = 27;
/// Number of addressable stack slots.
pub const STACK_DEPTH: usize = 16;
/// Stack depth column.
pub const DEPTH: usize = 43;
/// Low range-check limb (0..7).
pub const RC_LO: usize = 44;
/// High range-check limb (0..3).
pub const RC_HI: usize = 45;
/// Helper (inverse) column.
pub const AUX: usize = 46;
/// Halt flag column.
pub const HALT: usize = 47;

/// Row counter column.
pub const CLK: usize = 48;
/// First control-kind column; the kinds follow in the order of the `KIND_*` offsets.
pub const CTL: usize = 49;
/// Offset of the join kind.
pub const KIND_JOIN: usize = 0;
/// Offset of the split kind (pops the condition, pushes a split frame tagged with it).
pub const KIND_SPLIT: usize = 1;
/// Offset of the end of a split whose condition was 1 (pops the branch digest, the left half of
/// its batch, and a split frame tagged 1; hashes the split).
pub const KIND_END_TRUE: usize = 2;
/// Offset of the end of a split whose condition was 0 (the branch digest is the right half).
pub const KIND_END_FALSE: usize = 3;
/// Offset of the loop kind (pops the condition; enters the body or hashes the loop).
pub const KIND_LOOP: usize = 4;
/// Offset of the repeat kind (ends an iteration: checks the body digest, pops the condition).
pub const KIND_REPEAT: usize = 5;
/// Offset of the hperm kind (the sponge permutes the top 12 stack values, which it loads and
/// writes back).
pub const KIND_HPERM: usize = 6;
/// Number of control kinds.
pub const NUM_KINDS: usize = 7;
/// Emit flag column.
pub const EMIT: usize = 56;
/// Control-stack top-key column.
pub const CS_PTR: usize = 57;
/// On rows that pop the control stack, the helper column holds the popped entry's link.
pub const CS_PREV: usize = AUX;

// --- memory variant: overflow stack -----------------------------------------------------------

/// 1 while the overflow table is not empty (the stack holds more than 16 values).
pub const OVF: usize = 58;
/// Key of the overflow table's top entry (0: empty).
pub const OV_PTR: usize = 59;
/// Inverse of `ov_ptr` (0 when it is 0): proves `ovf`.
pub const OV_INV: usize = 60;
/// On a row that fills slot 15 from the overflow table: the filled entry's link.
pub const OV_LINK: usize = 61;
/// Inverse of `depth − 16` (anything when the depth is 16): proves whether the depth is 16.
pub const OV_H: usize = 62;
/// 1 on a row whose operation shifts the stack right while it holds 16 or more values: slot 15
/// spills into the overflow table.
pub const SPILL: usize = 63;
/// 1 on a row whose operation shifts the stack left while the overflow table is not empty:
/// slot 15 is filled from it.
pub const FILL: usize = 64;

// --- memory variant: memory table (accesses sorted by address, then clock) ----------------------

/// Word address of the access.
pub const M_ADDR: usize = 65;
/// Clock of the access (`clk` of the row that made it; 0 for initial memory).
pub const M_CLK: usize = 66;
/// The word at the address after the access (4 columns).
pub const M_VALUE: usize = 67;
/// 1 for a write.
pub const M_WRITE: usize = 71;
/// 1 for an element access (lane 0 only; lanes 1..3 carried along).
pub const M_ELEMENT: usize = 72;
/// 1 on rows holding an access; then 0 to the end.
pub const M_ACTIVE: usize = 73;
/// Inverse of the address difference to the next row (0 when equal).
pub const M_INV: usize = 74;
/// Low 16-bit limb of the gap to the next row (or of `2^32 − 1 − addr` on the last access).
pub const M_LIMB_LO: usize = 75;
/// High 16-bit limb of that gap.
pub const M_LIMB_HI: usize = 76;

// --- memory variant: range table ------------------------------------------------------------------

/// The range table: runs from 0 to 2^16 − 1 in steps of 0 or powers of 4, passing through every
/// value looked up.
pub const R_VALUE: usize = 77;
/// How many lookups the row's value answers.
pub const R_MULT: usize = 78;
// --- memory variant: u32 operations -----------------------------------------------------------

/// First of the six 16-bit limbs a u32 operation decomposes its operands and results into
/// (looked up in the range table on every row; zero where unused).
pub const U32_LIMBS: usize = 79;
/// Number of u32 limb columns.
pub const NUM_U32_LIMBS: usize = 6;

/// The columns every row looks up in the range table: the memory table's gap limbs and the u32
/// limbs.
pub const RANGE_LOOKUPS: [usize; 2 + NUM_U32_LIMBS] =
    [M_LIMB_LO, M_LIMB_HI, U32_LIMBS, U32_LIMBS + 1, U32_LIMBS + 2, U32_LIMBS + 3, U32_LIMBS + 4, U32_LIMBS + 5];

// --- bitwise variant: the bitwise table ------------------------------------------------------------

/// `x`, accumulated 4 bits a row over a cycle (most significant first).
pub const BW_X: usize = 85;
/// `y`, accumulated the same way.
pub const BW_Y: usize = 86;
/// `x AND y`, accumulated the same way.
pub const BW_AND: usize = 87;
/// The 4 bits of `x` the row adds (least significant first).
pub const BW_X_BITS: usize = 88;
/// The 4 bits of `y` the row adds (least significant first).
pub const BW_Y_BITS: usize = 92;
/// Bits of each operand a row adds.
pub const BW_BITS_PER_ROW: usize = 4;
/// On the last row of a cycle, how many lookups its triple `(x, y, x AND y)` answers; zero on
/// the other rows.
pub const BW_MULT: usize = 96;

/// The range table's allowed steps.
pub const RANGE_STEPS: [u64; 8] = [0, 1, 4, 16, 64, 256, 1024, 4096];
/// The range table's last value.
pub const RANGE_MAX: u64 = (1 << 16) - 1;

/// Tag of a digest entry on the control stack.
pub const TAG_DIGEST: u64 = 1;
/// Tag of a split frame whose condition was 0; a condition of 1 tags it `TAG_SPLIT_FALSE + 1`.
pub const TAG_SPLIT_FALSE: u64 = 2;
/// Tag of a split frame whose condition was 1.
pub const TAG_SPLIT_TRUE: u64 = 3;
/// Tag of a loop frame (holds the body hash).
pub const TAG_LOOP: u64 = 4;

/// Rows per hashing cycle (7 Rescue rounds and one absorption).
pub const CYCLE_LEN: usize = 8;
/// Position of the sponge's digest inside its state (`Rp64_256::DIGEST_RANGE`).
pub const DIGEST_OFFSET: usize = 4;
/// Position of the rate inside the sponge state.
pub const RATE_OFFSET: usize = 4;

/// Number of periodic columns: the round flag, ARK1 and ARK2 for each state element, then the
/// flags of a cycle's first and second rows.
pub const NUM_PERIODIC: usize = 4 + 2 * HASHER_WIDTH;
/// Index of the periodic column that is 1 on the first row of each cycle.
pub const P_FIRST: usize = 1 + 2 * HASHER_WIDTH;
/// Index of the periodic column that is 1 on the second row of each cycle.
pub const P_SECOND: usize = 2 + 2 * HASHER_WIDTH;
/// Index of the periodic column that is 1 on the row of each cycle that applies the last round
/// (row 6, whose next row holds the permutation's output).
pub const P_LAST_ROUND: usize = 3 + 2 * HASHER_WIDTH;

/// Human-readable column names, for the debug checker and error messages.
pub fn column_name(col: usize) -> alloc::string::String {
    use alloc::format;
    match col {
        c if c < BATCH => format!("h[{}]", c - HASHER),
        c if c < OP_BITS => format!("b[{}]", c - BATCH),
        c if c < STACK => format!("op_bit[{}]", c - OP_BITS),
        c if c < DEPTH => format!("s[{}]", c - STACK),
        DEPTH => "depth".into(),
        RC_LO => "rc_lo".into(),
        RC_HI => "rc_hi".into(),
        AUX => "aux".into(),
        HALT => "halt".into(),
        CLK => "clk".into(),
        c if (CTL..CTL + NUM_KINDS).contains(&c) => {
            ["ctl_join", "ctl_split", "ctl_end_true", "ctl_end_false", "ctl_loop", "ctl_repeat", "ctl_hperm"][c - CTL]
                .into()
        }
        EMIT => "emit".into(),
        CS_PTR => "cs_ptr".into(),
        OVF => "ovf".into(),
        OV_PTR => "ov_ptr".into(),
        OV_INV => "ov_inv".into(),
        OV_LINK => "ov_link".into(),
        OV_H => "ov_h".into(),
        SPILL => "spill".into(),
        FILL => "fill".into(),
        M_ADDR => "m_addr".into(),
        M_CLK => "m_clk".into(),
        c if (M_VALUE..M_VALUE + 4).contains(&c) => format!("m_value[{}]", c - M_VALUE),
        M_WRITE => "m_write".into(),
        M_ELEMENT => "m_element".into(),
        M_ACTIVE => "m_active".into(),
        M_INV => "m_inv".into(),
        M_LIMB_LO => "m_limb_lo".into(),
        M_LIMB_HI => "m_limb_hi".into(),
        R_VALUE => "r_value".into(),
        R_MULT => "r_mult".into(),
        c if (U32_LIMBS..U32_LIMBS + NUM_U32_LIMBS).contains(&c) => format!("u32_limb[{}]", c - U32_LIMBS),
        BW_X => "bw_x".into(),
        BW_Y => "bw_y".into(),
        BW_AND => "bw_and".into(),
        c if (BW_X_BITS..BW_X_BITS + BW_BITS_PER_ROW).contains(&c) => format!("bw_x_bit[{}]", c - BW_X_BITS),
        c if (BW_Y_BITS..BW_Y_BITS + BW_BITS_PER_ROW).contains(&c) => format!("bw_y_bit[{}]", c - BW_Y_BITS),
        BW_MULT => "bw_mult".into(),
        c => format!("col[{c}]"),
    }
}
