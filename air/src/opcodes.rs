//! Opcode encoding.
//!
//! An opcode is 7 bits, `b6..b0`. The encoding is chosen so that the flag selecting each
//! operation is a low-degree polynomial in the bits (which keeps every constraint at degree 8
//! or below):
//!
//! * `b6 = 1`: parametric stack manipulation. `b5 b4` select the kind (`dup`, `swap`, `movup`,
//!   `movdn`) and `b3..b0` hold the slot index `N`. The kind flag has degree 3; the one-hot slot
//!   selector has degree 4.
//! * `b6 = 0`: every other operation, numbered 0..31 in `b4..b0` (`b5` must be 0). Its flag has
//!   degree 6. All 32 are in use.
//!
//! [`NOOP`] is 0, which is also what padding elements and halted rows hold.

/// Does nothing. Also the padding element.
pub const NOOP: u8 = 0;
/// Pushes the next program element (its immediate) onto the stack.
pub const PUSH: u8 = 1;
/// Marks the row that carries a `push` immediate; never written by the assembler.
pub const DATA: u8 = 2;
/// Pushes the next secret input.
pub const READ: u8 = 3;
/// `a b -> a+b`.
pub const ADD: u8 = 4;
/// `a b -> a-b`.
pub const SUB: u8 = 5;
/// `a b -> a*b`.
pub const MUL: u8 = 6;
/// `a -> -a`.
pub const NEG: u8 = 7;
/// `a -> 1/a` (fails on 0).
pub const INV: u8 = 8;
/// `a -> 1-a` (fails unless binary).
pub const NOT: u8 = 9;
/// `a b -> a AND b` (fails unless both binary).
pub const AND: u8 = 10;
/// `a b -> a OR b` (fails unless both binary).
pub const OR: u8 = 11;
/// `a b -> 1 if a == b else 0`.
pub const EQ: u8 = 12;
/// `a -> `.
pub const DROP: u8 = 13;
/// `a -> ` (fails unless a = 1).
pub const ASSERT: u8 = 14;
/// `b a -> b a`: fails unless both are below 2^32. (15 was an `assert_eq` that moved the stack
/// by two: no operation moves it by more than one slot, so that at most one value crosses
/// between slot 15 and the overflow table per row; `assert_eq` is now `eq assert`.)
pub const U32ASSERT2: u8 = 15;

/// `a -> 1 if a == 0 else 0`.
pub const EQZ: u8 = 16;
/// `a b -> 1 if a != b else 0`.
pub const NEQ: u8 = 17;
/// `b a c -> ` the top two below `c` swapped if `c` is 1 (fails unless `c` is binary).
pub const CSWAP: u8 = 18;
/// `a -> lo hi`: the low and high 32 bits of `a` (`hi` on top). (19 was a `cdrop` that moved
/// the stack by two; `cdrop` is now `cswap drop`.)
pub const U32SPLIT: u8 = 19;

/// `a -> m[a][0]`: element 0 of the word at address `a`.
pub const MLOAD: u8 = 20;
/// `v a -> v`: stores `v` into element 0 of the word at address `a` (lanes 1..3 kept).
pub const MSTORE: u8 = 21;
/// `x3 x2 x1 x0 a -> w3 w2 w1 w0`: overwrites the four values below the address with the word
/// at address `a` (`w0` on top).
pub const MLOADW: u8 = 22;
/// `w3 w2 w1 w0 a -> w3 w2 w1 w0`: stores the four values below the address as the word at `a`.
pub const MSTOREW: u8 = 23;
/// `-> 0`.
pub const PAD: u8 = 24;
/// `a b -> c o`: `a + b = c + 2^32·o` (`o`, the overflow bit, on top); fails unless `a, b <
/// 2^32`.
pub const U32ADD: u8 = 25;
/// `a b -> c o`: `a − b = c − 2^32·o` (`o`, the borrow bit, on top); fails unless `a, b <
/// 2^32`.
pub const U32SUB: u8 = 26;
/// `a b -> lo hi`: `a·b = lo + 2^32·hi` (`hi` on top); the operands must have been checked
/// (the assembly `u32mul` is `U32ASSERT2 U32MUL`).
pub const U32MUL: u8 = 27;
/// `a b -> q r`: `a = q·b + r`, `r < b` (`r` on top); fails if `b = 0`; the operands must have
/// been checked (the assembly `u32divmod` is `U32ASSERT2 U32DIVMOD`).
pub const U32DIVMOD: u8 = 28;
/// `a b -> (a < b)`; fails unless `a, b < 2^32`.
pub const U32LT: u8 = 29;
/// `a b -> a^b`: bitwise XOR; fails unless `a, b < 2^32` (bitwise variant: the pair is looked
/// up in the bitwise table).
pub const U32XOR: u8 = 30;
/// `a b -> (a&b) (a^b)`: bitwise AND below XOR (XOR on top); fails unless `a, b < 2^32`. The
/// assembly `u32and` is this and `drop`, `u32or` this and `add`.
pub const U32ANDXOR: u8 = 31;

/// Base of the parametric stack-manipulation opcodes (`b6 = 1`).
pub const PARAMETRIC: u8 = 64;
/// `dup.N` is `DUP + N`.
pub const DUP: u8 = PARAMETRIC;
/// `swap.N` is `SWAP + N`.
pub const SWAP: u8 = PARAMETRIC + 16;
/// `movup.N` is `MOVUP + N`.
pub const MOVUP: u8 = PARAMETRIC + 32;
/// `movdn.N` is `MOVDN + N`.
pub const MOVDN: u8 = PARAMETRIC + 48;

/// Names of the non-parametric opcodes, by value (for diagnostics).
pub fn name(opcode: u8) -> &'static str {
    match opcode {
        NOOP => "noop",
        PUSH => "push",
        DATA => "(push data)",
        READ => "read",
        ADD => "add",
        SUB => "sub",
        MUL => "mul",
        NEG => "neg",
        INV => "inv",
        NOT => "not",
        AND => "and",
        OR => "or",
        EQ => "eq",
        DROP => "drop",
        ASSERT => "assert",
        EQZ => "eqz",
        NEQ => "neq",
        CSWAP => "cswap",
        MLOAD => "mem_load",
        MSTORE => "mstore",
        MLOADW => "mloadw",
        MSTOREW => "mstorew",
        PAD => "pad",
        U32ASSERT2 => "u32assert2",
        U32SPLIT => "u32split",
        U32ADD => "u32overflowing_add",
        U32SUB => "u32overflowing_sub",
        U32MUL => "(u32 mul, after u32assert2)",
        U32DIVMOD => "(u32 divmod, after u32assert2)",
        U32LT => "u32lt",
        U32XOR => "u32xor",
        U32ANDXOR => "u32andxor",
        o if (DUP..DUP + 16).contains(&o) => "dup",
        o if (SWAP..SWAP + 16).contains(&o) => "swap",
        o if (MOVUP..MOVUP + 16).contains(&o) => "movup",
        o if (MOVDN..MOVDN + 16).contains(&o) => "movdn",
        _ => "(unassigned)",
    }
}
