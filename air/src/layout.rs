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
//!
//! Rows are grouped into cycles of [`CYCLE_LEN`] = 8. On rows 0..7 of a cycle the sponge applies
//! rounds 0..6 of the permutation; on the cycle's last row the next batch of 8 program elements
//! is added to the rate. Each row executes exactly one program element (an opcode, or the value
//! following a `push`), so hashing runs alongside execution and costs no extra rows.

/// Number of columns in the main trace segment.
pub const TRACE_WIDTH: usize = 48;

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

/// Rows per hashing cycle (7 Rescue rounds and one absorption).
pub const CYCLE_LEN: usize = 8;
/// Position of the sponge's digest inside its state (`Rp64_256::DIGEST_RANGE`).
pub const DIGEST_OFFSET: usize = 4;
/// Position of the rate inside the sponge state.
pub const RATE_OFFSET: usize = 4;

/// Number of periodic columns: the round flag, then ARK1 and ARK2 for each state element.
pub const NUM_PERIODIC: usize = 1 + 2 * HASHER_WIDTH;

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
        c => format!("col[{c}]"),
    }
}
