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
//! There is one auxiliary column: the running product of the control-stack multiset check.
//!
//! Rows are grouped into cycles of [`CYCLE_LEN`] = 8. On rows 0..7 of a cycle the sponge applies
//! rounds 0..6 of the permutation; on the cycle's last row the next cycle's input is loaded into
//! the rate. In a *span cycle* each row executes one program element (an opcode, or the value
//! following a `push`), so hashing runs alongside execution and costs no extra rows. A *control
//! cycle* (one of the `ctl` kinds) executes no instruction; it hashes two child digests and
//! moves entries on the control stack (see [`crate::constraints`]).

/// Number of columns in the main trace segment.
pub const TRACE_WIDTH: usize = 58;

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
pub const NUM_PERIODIC: usize = 3 + 2 * HASHER_WIDTH;
/// Index of the periodic column that is 1 on the first row of each cycle.
pub const P_FIRST: usize = 1 + 2 * HASHER_WIDTH;
/// Index of the periodic column that is 1 on the second row of each cycle.
pub const P_SECOND: usize = 2 + 2 * HASHER_WIDTH;

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
        c => format!("col[{c}]"),
    }
}
