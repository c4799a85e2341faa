//! Programs as hashed trees of blocks.
//!
//! A program is a tree ([`Block`]) of straight-line **spans**, **joins** (run one block, then
//! another), **splits** (`if.true … else … end`) and **loops** (`while.true … end`). Every block
//! has a Rescue Prime (`Rp64_256`, unmodified) hash:
//!
//! * a span's is `Rp64_256::hash_elements` of its element stream (one opcode per instruction,
//!   `push.N` followed by `N`): the element count goes into the capacity, the elements are
//!   absorbed eight at a time;
//! * a join's, split's or loop's is one permutation of `[8, domain, 0, 0, left, right]`
//!   ([`merge_in_domain`]) over its children's hashes, with a domain tag per kind.
//!
//! The **program hash** is the root's hash. A straight-line program is a single span, so its
//! hash is `hash_elements` of its stream. The trace recomputes the hash of every block it
//! executes and takes the hashes of untaken branches as advice (see [`crate::constraints`]), so
//! a proof for one program never verifies against the hash of another.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use crate::opcodes;
use distaff_math::{Felt, FieldElement, StarkField, Word};
use winter_crypto::hashers::Rp64_256;

/// The largest program (in stream elements) we accept: 2^22. Its trace (2^23 rows) is about the
/// largest a 24 GiB machine can prove; larger programs are refused before any allocation.
pub const MAX_PROGRAM_ELEMENTS: usize = 1 << 22;

/// One VM instruction. See `docs/isa.md` for stack effects, cycle costs and failure conditions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instruction {
    /// Does nothing.
    Noop,
    /// Pushes a constant.
    Push(Felt),
    /// Pushes the next secret input.
    Read,
    /// `a b -> a+b`.
    Add,
    /// `a b -> a-b`.
    Sub,
    /// `a b -> a*b`.
    Mul,
    /// `a -> -a`.
    Neg,
    /// `a -> 1/a`; fails on 0.
    Inv,
    /// `a -> 1-a`; fails unless a is 0 or 1.
    Not,
    /// `a b -> a·b`; fails unless both are 0 or 1.
    And,
    /// `a b -> a+b−a·b`; fails unless both are 0 or 1.
    Or,
    /// `a b -> 1 if a = b else 0`.
    Eq,
    /// `a -> `.
    Drop,
    /// `a -> `; fails unless a = 1.
    Assert,
    /// `a -> 1 if a = 0 else 0`.
    EqZ,
    /// `a b -> 1 if a ≠ b else 0`.
    Neq,
    /// `b a c -> a b` if c = 1, `b a` if c = 0 (c on top); fails unless c is 0 or 1.
    CSwap,
    /// `a -> m[a][0]`: element 0 of the word at address `a` (fails unless `a < 2^32`).
    MLoad,
    /// `v a -> v`: stores `v` into element 0 of the word at address `a`, keeping lanes 1..3.
    /// (The assembly instruction `mem_store` is `MStore` followed by `Drop`.)
    MStore,
    /// `x3 x2 x1 x0 a -> w3 w2 w1 w0`: replaces the four values below the address with the word
    /// at address `a` (`w0` on top).
    MLoadW,
    /// `w3 w2 w1 w0 a -> w3 w2 w1 w0`: stores the four values below the address (`w0` on top)
    /// as the word at address `a`.
    MStoreW,
    /// `-> 0`.
    Pad,
    /// `b a -> b a`; fails unless both are below 2^32.
    U32Assert2,
    /// `a -> lo hi`: the low and high 32 bits of `a` (`hi` on top).
    U32Split,
    /// `a b -> c o`: `a + b = c + 2^32·o` (the overflow bit `o` on top); fails unless both are
    /// below 2^32.
    U32OverflowingAdd,
    /// `a b -> c o`: `a − b = c − 2^32·o` (the borrow bit `o` on top); fails unless both are
    /// below 2^32.
    U32OverflowingSub,
    /// `a b -> lo hi`: `a·b = lo + 2^32·hi` (`hi` on top); fails unless both are below 2^32.
    /// Two cycles: the operands are checked on the first.
    U32OverflowingMul,
    /// `a b -> q r`: `a = q·b + r` with `r < b` (`r` on top); fails unless both are below 2^32,
    /// and if `b = 0`. Two cycles: the operands are checked on the first.
    U32DivMod,
    /// `a b -> (a < b ? 1 : 0)`; fails unless both are below 2^32.
    U32Lt,
    /// `a b -> a^b` (bitwise XOR); fails unless both are below 2^32. Looked up in the bitwise
    /// table (the bitwise variant of the AIR).
    U32Xor,
    /// `a b -> (a&b) (a^b)`: bitwise AND, and XOR on top; fails unless both are below 2^32.
    /// Looked up in the bitwise table.
    U32AndXor,
    /// Copies slot N (0..=15) to the top.
    Dup(u8),
    /// Swaps the top with slot N (1..=15).
    Swap(u8),
    /// Moves slot N (1..=15) to the top.
    MovUp(u8),
    /// Moves the top down to slot N (1..=15).
    MovDn(u8),
    /// The Rescue Prime permutation of the top 12 values: a block of its own
    /// ([`Block::hperm`]), never part of a span. It appears here so that errors can name it.
    HPerm,
}

impl Instruction {
    /// The opcode this instruction is encoded as.
    pub fn opcode(&self) -> u8 {
        use Instruction::*;
        match *self {
            Noop => opcodes::NOOP,
            Push(_) => opcodes::PUSH,
            Read => opcodes::READ,
            Add => opcodes::ADD,
            Sub => opcodes::SUB,
            Mul => opcodes::MUL,
            Neg => opcodes::NEG,
            Inv => opcodes::INV,
            Not => opcodes::NOT,
            And => opcodes::AND,
            Or => opcodes::OR,
            Eq => opcodes::EQ,
            Drop => opcodes::DROP,
            Assert => opcodes::ASSERT,
            EqZ => opcodes::EQZ,
            Neq => opcodes::NEQ,
            CSwap => opcodes::CSWAP,
            MLoad => opcodes::MLOAD,
            MStore => opcodes::MSTORE,
            MLoadW => opcodes::MLOADW,
            MStoreW => opcodes::MSTOREW,
            Pad => opcodes::PAD,
            U32Assert2 => opcodes::U32ASSERT2,
            U32Split => opcodes::U32SPLIT,
            U32OverflowingAdd => opcodes::U32ADD,
            U32OverflowingSub => opcodes::U32SUB,
            U32OverflowingMul => opcodes::U32MUL,
            U32DivMod => opcodes::U32DIVMOD,
            U32Lt => opcodes::U32LT,
            U32Xor => opcodes::U32XOR,
            U32AndXor => opcodes::U32ANDXOR,
            Dup(n) => opcodes::DUP + n,
            Swap(n) => opcodes::SWAP + n,
            MovUp(n) => opcodes::MOVUP + n,
            MovDn(n) => opcodes::MOVDN + n,
            // never encoded: a span refuses it (see `validate`)
            HPerm => opcodes::NOOP,
        }
    }

    /// The opcodes run before the instruction's own, on rows of their own: multiplication and
    /// division check their operands first (their own rows have no room for it).
    pub fn prefix(&self) -> &'static [u8] {
        match self {
            Instruction::U32OverflowingMul | Instruction::U32DivMod => &[opcodes::U32ASSERT2],
            _ => &[],
        }
    }

    /// Number of VM cycles (trace rows) the instruction takes.
    pub fn cycles(&self) -> usize {
        match self {
            Instruction::Push(_) | Instruction::U32OverflowingMul | Instruction::U32DivMod => 2,
            Instruction::HPerm => crate::layout::CYCLE_LEN,
            _ => 1,
        }
    }

    /// Checks that the immediate (if any) is in range.
    pub fn validate(&self) -> Result<(), ProgramError> {
        use Instruction::*;
        match *self {
            Dup(n) if n > 15 => Err(ProgramError::BadImmediate { instruction: *self }),
            Swap(n) | MovUp(n) | MovDn(n) if n == 0 || n > 15 => Err(ProgramError::BadImmediate { instruction: *self }),
            HPerm => Err(ProgramError::NotInSpan(*self)),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Instruction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Instruction::*;
        match self {
            Push(v) => write!(f, "push.{}", v.as_int()),
            Dup(n) => write!(f, "dup.{n}"),
            Swap(1) => write!(f, "swap"),
            Swap(n) => write!(f, "swap.{n}"),
            MovUp(n) => write!(f, "movup.{n}"),
            MovDn(n) => write!(f, "movdn.{n}"),
            HPerm => f.write_str("hperm"),
            U32OverflowingMul => f.write_str("u32overflowing_mul"),
            U32DivMod => f.write_str("u32divmod"),
            other => f.write_str(opcodes::name(other.opcode())),
        }
    }
}

/// Why a program could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProgramError {
    /// A span must do something.
    #[error("a span must contain at least one instruction")]
    Empty,
    /// Too large to prove.
    #[error("the program has {0} elements; at most {MAX_PROGRAM_ELEMENTS} are supported")]
    TooLarge(usize),
    /// Blocks nested deeper than [`MAX_BLOCK_DEPTH`].
    #[error("blocks are nested {0} deep; at most {MAX_BLOCK_DEPTH} levels are supported")]
    TooDeep(usize),
    /// An instruction that is a block of its own was put in a span.
    #[error("'{0}' is a block of its own (Block::hperm), not a span instruction")]
    NotInSpan(Instruction),
    /// A hint's position is past the span's end, or before the hint that precedes it.
    #[error("a hint at position {0} of a span of {1} instructions (past its end, or before the hint it follows)")]
    HintPosition(usize, usize),
    /// An immediate is out of range.
    #[error("'{instruction}' has an immediate out of range")]
    BadImmediate {
        /// The offending instruction.
        instruction: Instruction,
    },
}

/// The deepest block tree we accept (joins included). Deep enough for any program a person
/// writes (`if` inside `while` inside … a thousand levels), shallow enough that walking the
/// tree recursively never exhausts a thread's stack.
pub const MAX_BLOCK_DEPTH: usize = 1024;

/// Domain tag of a join block's hash (lane 1 of the capacity).
pub const DOMAIN_JOIN: u64 = 1;
/// Domain tag of a split (if/else) block's hash.
pub const DOMAIN_SPLIT: u64 = 2;
/// Domain tag of a loop block's hash.
pub const DOMAIN_LOOP: u64 = 3;
/// Domain tag of the hash of an `hperm` block (whose hash is a constant).
pub const DOMAIN_HPERM: u64 = 4;

/// The domain a control cycle of the given kind (a `layout::KIND_*` offset) starts its sponge
/// with (lane 1 of the capacity): 0 for split and hperm cycles, whose sponge output is not a
/// merge of two children.
pub const fn kind_domain(kind: usize) -> u64 {
    use crate::layout::*;
    match kind {
        KIND_JOIN => DOMAIN_JOIN,
        KIND_END_TRUE | KIND_END_FALSE => DOMAIN_SPLIT,
        KIND_LOOP | KIND_REPEAT => DOMAIN_LOOP,
        _ => 0,
    }
}

/// The hash of every `hperm` block, `merge_in_domain(0, 0, DOMAIN_HPERM)`, as integers (a
/// constant the constraints use on every row; a test checks it against the definition).
pub const HPERM_HASH: [u64; 4] = [13533497870936611557, 354117641337391640, 15134290108785507395, 4166010257620144435];

/// The step between the hashes of `hperm` chains of consecutive lengths,
/// `merge_in_domain([1, 0, 0, 0], 0, DOMAIN_HPERM)`, as integers (a test checks it).
pub const HPERM_CHAIN_STEP: [u64; 4] =
    [15982092605766001792, 15841263910760195409, 11660191927269613993, 15378662166613152319];

/// The hash of every single `hperm` block: `merge_in_domain(0, 0, DOMAIN_HPERM)`.
pub fn hperm_hash() -> Word {
    hperm_chain_hash(1)
}

/// The hash of a chain of `k ≥ 1` consecutive `hperm`s: `HPERM_HASH + (k − 1)·HPERM_CHAIN_STEP`,
/// lane by lane. It is affine in `k` so that the trace can compute it from its count of the
/// chain's cycles; distinct lengths have distinct hashes, and a Rescue Prime digest equal to
/// one of them would be a collision with constants no one chose to fit.
pub fn hperm_chain_hash(k: usize) -> Word {
    // field arithmetic: no panic for k = 0 (which names no chain: `Block::hperm_chain` refuses it)
    let m = Felt::new(k as u64) - Felt::new(1);
    core::array::from_fn(|i| Felt::new(HPERM_HASH[i]) + m * Felt::new(HPERM_CHAIN_STEP[i]))
}

/// The hash of a control block: one Rescue Prime permutation of the state
/// `[8, domain, 0, 0, left, right]`, digest lanes 4..8. With domain 0 it is exactly
/// `Rp64_256::merge`; the non-zero domain separates joins, splits and loops from each other and
/// from spans (whose capacity lane 1 is 0).
pub fn merge_in_domain(left: &Word, right: &Word, domain: u64) -> Word {
    merge_in_domain_with(left, right, domain, Rp64_256::apply_permutation)
}

/// A Rescue Prime permutation of the sponge state: `Rp64_256::apply_permutation`, or another
/// implementation of the same function (the processor has a faster one, on packed field
/// elements). Hashes computed with one are the same as with the other.
pub type Permutation = fn(&mut [Felt; crate::layout::HASHER_WIDTH]);

/// [`merge_in_domain`] with `permute` as the permutation.
pub fn merge_in_domain_with(left: &Word, right: &Word, domain: u64, permute: Permutation) -> Word {
    let mut state = [Felt::ZERO; crate::layout::HASHER_WIDTH];
    state[0] = Felt::new(crate::layout::BATCH_LEN as u64);
    state[1] = Felt::new(domain);
    state[4..8].copy_from_slice(left);
    state[8..12].copy_from_slice(right);
    permute(&mut state);
    [state[4], state[5], state[6], state[7]]
}

/// Whether `permute` maps a test state (distinct values in every lane, some above 2^63) as
/// Rescue Prime's permutation does: a check that a stand-in is the permutation, not a proof.
fn is_rescue_permutation(permute: Permutation) -> bool {
    let state: [Felt; crate::layout::HASHER_WIDTH] =
        core::array::from_fn(|i| Felt::new((i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)));
    let (mut ours, mut theirs) = (state, state);
    permute(&mut ours);
    Rp64_256::apply_permutation(&mut theirs);
    ours == theirs
}

/// `Rp64_256::hash_elements` of base-field `elements` with `permute` as the permutation: the
/// element count in the first capacity lane, the elements added to the rate eight at a time
/// and permuted after each eight and after a last partial eight; the digest is lanes 4..8.
pub fn hash_elements_with(elements: &[Felt], permute: Permutation) -> Word {
    let mut state = [Felt::ZERO; crate::layout::HASHER_WIDTH];
    state[0] = Felt::new(elements.len() as u64);
    for chunk in elements.chunks(crate::layout::BATCH_LEN) {
        for (lane, e) in state[crate::layout::RATE_OFFSET..].iter_mut().zip(chunk) {
            *lane += *e;
        }
        permute(&mut state);
    }
    [state[4], state[5], state[6], state[7]]
}

/// A request to the host for non-deterministic help (an *advice hint*), attached to a span
/// before one of its instructions. A hint costs no cycle and is not part of the block's hash
/// (or of the trace): it only changes what the secret inputs hold next, at the front of the
/// tape that `read` consumes. Whatever a hint provides, the program must check: a proof states
/// that *some* secret inputs make the program run, and a hint is one way to find them. The
/// processor gives each hint its meaning (`distaff_processor::advice`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hint {
    /// `adv.push_mapval`: the values the advice map holds under the word on stack slots 0..3
    /// (slot i = lane i) go to the front of the tape, first value first.
    PushMapVal,
    /// `adv.push_mapvaln`: as [`Hint::PushMapVal`], after the number of values.
    PushMapValN,
    /// Before `mtree_verify.D`, with `V i R` on the stack (`V` the leaf on top): the path of
    /// leaf `i` of the depth-`D` tree with root `R`, if the Merkle store holds that root.
    MerklePath(u8),
    /// Before `mtree_get.D`, with `i R` on the stack: the leaf, then its path.
    MerkleGet(u8),
    /// Before `mtree_set.D`, with `V i R` on the stack: the old leaf and its path; the store
    /// learns the tree in which leaf `i` is `V`.
    MerkleSet(u8),
    /// `emit.u64div`: with `a b` on the stack as u64 values (each two u32 halves, high half
    /// on top: `a_lo a_hi b_lo b_hi`), the quotient and remainder of `a / b`, in the order
    /// `q_lo q_hi r_lo r_hi` (so that four `read`s leave `r_hi` on top).
    U64Div,
}

impl Hint {
    /// The hint's name as written in assembly (`mtree_*` hints are written as part of their
    /// instruction).
    pub fn name(&self) -> &'static str {
        match self {
            Hint::PushMapVal => "adv.push_mapval",
            Hint::PushMapValN => "adv.push_mapvaln",
            Hint::MerklePath(_) => "mtree_verify",
            Hint::MerkleGet(_) => "mtree_get",
            Hint::MerkleSet(_) => "mtree_set",
            Hint::U64Div => "emit.u64div",
        }
    }
}

/// The shape of a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// Straight-line instructions (never empty). Hash: `Rp64_256::hash_elements` of the
    /// span's element stream (one opcode per instruction, `push.N` followed by `N`).
    Span(Vec<Instruction>),
    /// Runs the first block, then the second. Hash: `merge_in_domain(first, second, JOIN)`.
    Join(Box<Block>, Box<Block>),
    /// Pops a condition; 1 runs the first block, 0 the second. Hash:
    /// `merge_in_domain(on_true, on_false, SPLIT)`.
    Split(Box<Block>, Box<Block>),
    /// Pops a condition; while it is 1 runs the body (which leaves the next condition on top).
    /// Hash: `merge_in_domain(body, [0; 4], LOOP)`.
    Loop(Box<Block>),
    /// Applies the Rescue Prime permutation (`Rp64_256`) to the top 12 stack values (slot `i`
    /// is state lane `i`), the given number of times in a row (a chain of `hperm`s, one 8-cycle
    /// step each, with no joins between them). Hash: [`hperm_chain_hash`].
    HPerm(usize),
}

/// A block's hash, computed once. With `std`, a thread that asks for it while another computes
/// it waits for that result (std's `OnceLock`); without `std`, each computes it and one result
/// is kept (`once_cell`'s `OnceBox`, an atomic pointer).
#[derive(Clone, Default)]
struct HashCell(
    #[cfg(feature = "std")] std::sync::OnceLock<Word>,
    #[cfg(not(feature = "std"))] once_cell::race::OnceBox<Word>,
);

impl fmt::Debug for HashCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // the value if computed (the same in every run), not the cell's representation
        f.debug_tuple("HashCell").field(&self.0.get()).finish()
    }
}

impl HashCell {
    fn get_or_init(&self, f: impl FnOnce() -> Word) -> Word {
        #[cfg(feature = "std")]
        return *self.0.get_or_init(f);
        #[cfg(not(feature = "std"))]
        return *self.0.get_or_init(|| Box::new(f()));
    }
}

/// A node of the program tree with its hash.
///
/// The hash is computed when it is first asked for ([`Block::hash`]) and kept: a long span's
/// hash is thousands of Rescue Prime permutations (a quarter of a million instructions take
/// about 0.4 s), and a prover that computes it on another thread while it records the trace
/// pays nothing for it. Blocks compare by their shape and contents, which determine the hash.
#[derive(Clone, Debug)]
pub struct Block {
    kind: BlockKind,
    /// A span's hints, each before the instruction of the given position in the span (the
    /// span's length: after its last one), in the order they run.
    hints: Vec<(usize, Hint)>,
    hash: HashCell,
    elements: usize,
    depth: usize,
    instructions: usize,
    conditions: usize,
}

impl PartialEq for Block {
    fn eq(&self, other: &Self) -> bool {
        // the counts and the hash are functions of the shape and contents
        self.kind == other.kind && self.hints == other.hints
    }
}

impl Eq for Block {}

impl Block {
    /// A span of straight-line instructions.
    pub fn span(instructions: Vec<Instruction>) -> Result<Block, ProgramError> {
        if instructions.is_empty() {
            return Err(ProgramError::Empty);
        }
        let mut elements = 0usize;
        for inst in &instructions {
            inst.validate()?;
            elements += inst.cycles();
        }
        if elements > MAX_PROGRAM_ELEMENTS {
            return Err(ProgramError::TooLarge(elements));
        }
        let count = instructions.len();
        let hash = HashCell::default();
        let kind = BlockKind::Span(instructions);
        Ok(Block { kind, hints: Vec::new(), hash, elements, depth: 1, instructions: count, conditions: 0 })
    }

    /// A span with hints: `(k, hint)` runs `hint` before the span's `k`-th instruction (0-based;
    /// `k` = the span's length runs it after the last). Hints run in the order given, which
    /// must not go back in position. Hints do not change the span's hash.
    pub fn span_with_hints(instructions: Vec<Instruction>, hints: Vec<(usize, Hint)>) -> Result<Block, ProgramError> {
        let mut block = Block::span(instructions)?;
        let len = block.instructions;
        if let Some(&(k, _)) = hints.iter().find(|(k, _)| *k > len) {
            return Err(ProgramError::HintPosition(k, len));
        }
        if let Some(w) = hints.windows(2).find(|w| w[1].0 < w[0].0) {
            return Err(ProgramError::HintPosition(w[1].0, len));
        }
        block.hints = hints;
        Ok(block)
    }

    /// A span's hints (see [`Block::span_with_hints`]); empty for other blocks.
    pub fn hints(&self) -> &[(usize, Hint)] {
        &self.hints
    }

    fn control(left: Block, right: Option<Block>, domain: u64) -> Result<Block, ProgramError> {
        let elements = left.elements + right.as_ref().map_or(0, |r| r.elements) + 2 * crate::layout::CYCLE_LEN;
        if elements > MAX_PROGRAM_ELEMENTS {
            return Err(ProgramError::TooLarge(elements));
        }
        let depth = 1 + left.depth.max(right.as_ref().map_or(0, |r| r.depth));
        if depth > MAX_BLOCK_DEPTH {
            return Err(ProgramError::TooDeep(depth));
        }
        let hash = HashCell::default();
        let instructions = left.instructions + right.as_ref().map_or(0, |r| r.instructions);
        let conditions =
            left.conditions + right.as_ref().map_or(0, |r| r.conditions) + usize::from(domain != DOMAIN_JOIN);
        let kind = match (domain, right) {
            (DOMAIN_JOIN, Some(r)) => BlockKind::Join(Box::new(left), Box::new(r)),
            (DOMAIN_SPLIT, Some(r)) => BlockKind::Split(Box::new(left), Box::new(r)),
            _ => BlockKind::Loop(Box::new(left)),
        };
        Ok(Block { kind, hints: Vec::new(), hash, elements, depth, instructions, conditions })
    }

    /// `first` then `second`.
    pub fn join(first: Block, second: Block) -> Result<Block, ProgramError> {
        Block::control(first, Some(second), DOMAIN_JOIN)
    }

    /// `if.true on_true else on_false end`.
    pub fn split(on_true: Block, on_false: Block) -> Result<Block, ProgramError> {
        Block::control(on_true, Some(on_false), DOMAIN_SPLIT)
    }

    /// `while.true body end`.
    pub fn new_loop(body: Block) -> Result<Block, ProgramError> {
        Block::control(body, None, DOMAIN_LOOP)
    }

    /// `hperm`: the Rescue Prime permutation of the top 12 stack values.
    pub fn hperm() -> Block {
        Block::hperm_chain(1).expect("one permutation is a valid chain")
    }

    /// `k` consecutive `hperm`s as one block: `8·k` cycles instead of `16·k − 8` for `k` joined
    /// single ones.
    pub fn hperm_chain(k: usize) -> Result<Block, ProgramError> {
        if k == 0 {
            return Err(ProgramError::Empty);
        }
        let elements = (k + 1).saturating_mul(crate::layout::CYCLE_LEN);
        if elements > MAX_PROGRAM_ELEMENTS {
            return Err(ProgramError::TooLarge(elements));
        }
        let hash = HashCell::default();
        let kind = BlockKind::HPerm(k);
        Ok(Block { kind, hints: Vec::new(), hash, elements, depth: 1, instructions: k, conditions: 0 })
    }

    /// A sequence of blocks, joined as a balanced tree (so that the tree stays shallow).
    pub fn sequence(mut blocks: Vec<Block>) -> Result<Block, ProgramError> {
        if blocks.is_empty() {
            return Err(ProgramError::Empty);
        }
        while blocks.len() > 1 {
            let mut next = Vec::with_capacity(blocks.len().div_ceil(2));
            let mut it = blocks.into_iter();
            while let Some(a) = it.next() {
                match it.next() {
                    Some(b) => next.push(Block::join(a, b)?),
                    None => next.push(a),
                }
            }
            blocks = next;
        }
        Ok(blocks.pop().expect("one block left"))
    }

    /// The block's shape and children.
    pub fn kind(&self) -> &BlockKind {
        &self.kind
    }

    /// The block's hash (computed on the first call, by any thread, and kept).
    pub fn hash(&self) -> Word {
        self.hash_with(Rp64_256::apply_permutation)
    }

    /// [`Block::hash`], computing what is not computed yet with `permute` (checked to be Rescue
    /// Prime's permutation by [`Program::hash_with`]). The hash is kept for every later call,
    /// whichever computed it.
    pub(crate) fn hash_with(&self, permute: Permutation) -> Word {
        self.hash.get_or_init(|| self.compute_hash(permute))
    }

    fn compute_hash(&self, permute: Permutation) -> Word {
        let merge = |left: &Block, right: Option<&Block>, domain| {
            let right = right.map_or([Felt::ZERO; 4], |r| r.hash_with(permute));
            merge_in_domain_with(&left.hash_with(permute), &right, domain, permute)
        };
        match &self.kind {
            BlockKind::Span(instructions) => hash_elements_with(&encode(instructions, self.elements), permute),
            BlockKind::Join(first, second) => merge(first, Some(second), DOMAIN_JOIN),
            BlockKind::Split(on_true, on_false) => merge(on_true, Some(on_false), DOMAIN_SPLIT),
            BlockKind::Loop(body) => merge(body, None, DOMAIN_LOOP),
            BlockKind::HPerm(k) => hperm_chain_hash(*k),
        }
    }

    /// Size of the block's text: span elements plus two hashing cycles per control block (a
    /// bound used to refuse absurd programs; execution length is bounded separately).
    pub fn size(&self) -> usize {
        self.elements
    }

    /// Depth of the tree below and including this block.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Number of instructions in the block's text (a loop body counted once). Numbering the
    /// instructions of a program in tree order (first child before second) gives each its
    /// *static index*, which execution errors report and source maps translate to a line.
    pub fn num_instructions(&self) -> usize {
        self.instructions
    }

    /// Number of conditions (splits and loops) in the block, numbered in tree order (a block
    /// before its children) like instructions.
    pub fn num_conditions(&self) -> usize {
        self.conditions
    }
}

/// A Distaff program: a tree of blocks whose root hash is the program hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    root: Block,
}

impl Program {
    /// A straight-line program: one span of instructions.
    pub fn new(instructions: Vec<Instruction>) -> Result<Self, ProgramError> {
        Ok(Program { root: Block::span(instructions)? })
    }

    /// A program with the given root block.
    pub fn from_root(root: Block) -> Self {
        Program { root }
    }

    /// The root block.
    pub fn root(&self) -> &Block {
        &self.root
    }

    /// The program hash: the root block's hash (computed on the first call and kept).
    pub fn hash(&self) -> Word {
        self.root.hash()
    }

    /// [`Program::hash`], with what is not computed yet computed with `permute`, another
    /// implementation of Rescue Prime's permutation ([`Permutation`]): a faster one gives the
    /// same hash sooner (a long span's hash is thousands of permutations). The hashes are kept
    /// in the program's blocks for every later call, so a `permute` that differs from
    /// `Rp64_256::apply_permutation` on a test state is not used (winter-crypto's is).
    pub fn hash_with(&self, permute: Permutation) -> Word {
        let permute = if is_rescue_permutation(permute) { permute } else { Rp64_256::apply_permutation };
        self.root.hash_with(permute)
    }

    /// The instructions of a straight-line program (`None` if the program has control flow).
    pub fn instructions(&self) -> Option<&[Instruction]> {
        match &self.root.kind {
            BlockKind::Span(instructions) => Some(instructions),
            _ => None,
        }
    }
}

/// A span's element stream: one opcode per instruction, `push.N` followed by `N`.
pub fn span_elements(instructions: &[Instruction]) -> Vec<Felt> {
    let n = instructions.iter().map(|i| i.cycles()).sum();
    encode(instructions, n)
}

fn encode(instructions: &[Instruction], num_elements: usize) -> Vec<Felt> {
    let mut out = Vec::with_capacity(num_elements);
    for inst in instructions {
        out.extend(inst.prefix().iter().map(|o| Felt::from(*o)));
        out.push(Felt::from(inst.opcode()));
        if let Instruction::Push(v) = inst {
            out.push(*v);
        }
    }
    out
}

/// Formats a word as the lower-case hex string used for program hashes.
pub fn hash_to_hex(word: &Word) -> alloc::string::String {
    let bytes = distaff_math::word_to_hex(word);
    alloc::string::String::from_utf8_lossy(&bytes).into_owned()
}

#[allow(dead_code)]
fn _assert_modulus(_: Felt) -> u64 {
    Felt::MODULUS
}

#[cfg(test)]
mod tests {
    use super::*;
    use Instruction::*;

    #[test]
    fn hash_is_rp64_256_of_the_stream() {
        let p = Program::new(alloc::vec![Push(Felt::new(3)), Add]).unwrap();
        let stream = [Felt::from(opcodes::PUSH), Felt::new(3), Felt::from(opcodes::ADD)];
        let expected: Word = {
            use winter_crypto::ElementHasher;
            Rp64_256::hash_elements(&stream).into()
        };
        assert_eq!(p.hash(), expected);
        assert_eq!(p.root().size(), 3);
    }

    /// The sponge written out here is winter-crypto's, at every length around the rate (empty,
    /// partial eights, whole eights) and for elements of every size.
    #[test]
    fn hash_elements_with_winter_s_permutation_is_winter_s_hash_elements() {
        use winter_crypto::ElementHasher;
        for len in 0..=41usize {
            let elements: Vec<Felt> = (0..len as u64)
                .map(|i| Felt::new(i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (u64::MAX >> (i % 3))))
                .collect();
            let expected: Word = Rp64_256::hash_elements(&elements).into();
            assert_eq!(hash_elements_with(&elements, Rp64_256::apply_permutation), expected, "{len} elements");
        }
    }

    #[test]
    fn hash_changes_with_any_instruction() {
        let base = Program::new(alloc::vec![Add, Mul]).unwrap().hash();
        assert_ne!(base, Program::new(alloc::vec![Add, Sub]).unwrap().hash());
        assert_ne!(base, Program::new(alloc::vec![Add, Mul, Noop]).unwrap().hash());
        assert_ne!(
            Program::new(alloc::vec![Push(Felt::new(1))]).unwrap().hash(),
            Program::new(alloc::vec![Push(Felt::new(2))]).unwrap().hash()
        );
    }

    #[test]
    fn join_with_domain_zero_is_rp64_256_merge() {
        use winter_crypto::Hasher;
        let a = Program::new(alloc::vec![Add]).unwrap().hash();
        let b = Program::new(alloc::vec![Mul]).unwrap().hash();
        let expected: Word = Rp64_256::merge(&[a.into(), b.into()]).into();
        assert_eq!(merge_in_domain(&a, &b, 0), expected);
        let span = |i| Block::span(alloc::vec![i]).unwrap();
        let join = Block::join(span(Add), span(Mul)).unwrap().hash();
        let split = Block::split(span(Add), span(Mul)).unwrap().hash();
        assert_eq!(join, merge_in_domain(&a, &b, DOMAIN_JOIN));
        assert_eq!(split, merge_in_domain(&a, &b, DOMAIN_SPLIT));
        assert_ne!(join, split);
        assert_ne!(join, Block::join(span(Mul), span(Add)).unwrap().hash());
        assert_eq!(Block::new_loop(span(Add)).unwrap().hash(), merge_in_domain(&a, &[Felt::ZERO; 4], DOMAIN_LOOP));
    }

    /// Hashes are computed on first use, recursively: a tree as deep as allowed hashes on a
    /// thread with the default (2 MiB) stack, to the value computed bottom-up, and every copy
    /// of a block, asked before or after, has that hash.
    #[test]
    #[cfg(feature = "std")]
    fn the_deepest_tree_hashes_lazily_to_its_bottom_up_hash() {
        let leaf = || Block::span(alloc::vec![Add, Mul]).unwrap();
        let leaf_hash = leaf().hash();
        let mut block = leaf();
        let mut expected = leaf_hash;
        for _ in 1..MAX_BLOCK_DEPTH {
            block = Block::join(block, leaf()).unwrap();
            expected = merge_in_domain(&expected, &leaf_hash, DOMAIN_JOIN);
        }
        assert!(Block::join(block.clone(), leaf()).is_err(), "one level too deep");
        let program = Program::from_root(block);
        let copy = program.clone();
        let hashed = std::thread::spawn(move || program.hash()).join().expect("no stack overflow");
        assert_eq!(hashed, expected);
        assert_eq!(copy.hash(), expected);
        assert_eq!(alloc::format!("{:?}", Block::hperm().hash), "HashCell(None)");
    }

    #[test]
    fn the_hperm_hash_constant_is_its_definition() {
        assert_eq!(hperm_hash(), merge_in_domain(&[Felt::ZERO; 4], &[Felt::ZERO; 4], DOMAIN_HPERM));
        assert_eq!(Block::hperm().hash(), hperm_hash());
        let one = [Felt::new(1), Felt::ZERO, Felt::ZERO, Felt::ZERO];
        assert_eq!(HPERM_CHAIN_STEP.map(Felt::new), merge_in_domain(&one, &[Felt::ZERO; 4], DOMAIN_HPERM));
        assert_eq!(Block::hperm_chain(3).unwrap().hash(), hperm_chain_hash(3));
        assert_ne!(hperm_chain_hash(2), hperm_chain_hash(3));
        assert!(Block::hperm_chain(0).is_err());
    }

    #[test]
    fn sequences_are_balanced_and_depth_is_bounded() {
        let span = || Block::span(alloc::vec![Add]).unwrap();
        let seq = Block::sequence((0..1000).map(|_| span()).collect()).unwrap();
        assert_eq!(seq.depth(), 11);
        let mut b = span();
        for _ in 0..MAX_BLOCK_DEPTH - 1 {
            b = Block::new_loop(b).unwrap();
        }
        assert_eq!(Block::new_loop(b), Err(ProgramError::TooDeep(MAX_BLOCK_DEPTH + 1)));
    }

    #[test]
    fn rejects_empty_and_bad_immediates() {
        assert_eq!(Program::new(alloc::vec![]), Err(ProgramError::Empty));
        assert!(Program::new(alloc::vec![Swap(0)]).is_err());
        assert!(Program::new(alloc::vec![Dup(16)]).is_err());
        assert!(Program::new(alloc::vec![MovDn(16)]).is_err());
    }
}
