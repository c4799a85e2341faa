//! The interpreter shared by the execute-only and trace-building paths.

use distaff_air::layout::{
    CYCLE_LEN, KIND_END_FALSE, KIND_END_TRUE, KIND_JOIN, KIND_LOOP, KIND_REPEAT, KIND_SPLIT, STACK_DEPTH,
};
use distaff_air::program::{span_elements, Block, BlockKind};
use distaff_air::{opcodes, Hint, Instruction, Program, Word, MAX_PUBLIC_INPUTS};
use distaff_math::{Felt, FieldElement};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::advice::{AdviceError, AdviceMap, MerkleStore, StoreOverlay};

/// The longest execution we run (in cycles, i.e. trace rows before halting): 2^24. Executing
/// it takes from a fraction of a second (arithmetic in a loop) to about half a minute (a chain
/// of `hperm`s, 12 µs a permutation); proving it takes a trace of 2^24 (or 2^25) rows, which the prover refuses
/// up front on a machine that cannot hold it (on our 24 GiB development machine the longest
/// proven trace is 2^23 rows). A program that runs longer (an endless loop, say) stops with
/// [`ExecutionError::CycleLimit`].
pub const MAX_CYCLES: usize = 1 << 24;

/// A program's inputs: public values (the initial stack, first value on top) and secret values
/// (consumed in order by `read`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProgramInputs {
    public: Vec<Felt>,
    secret: Vec<Felt>,
    memory: Vec<(u32, Word)>,
    advice_map: AdviceMap,
    merkle_store: MerkleStore,
}

impl ProgramInputs {
    /// Checks and wraps the inputs: at most 16 public values.
    pub fn new(public: Vec<Felt>, secret: Vec<Felt>) -> Result<Self, ExecutionError> {
        if public.len() > MAX_PUBLIC_INPUTS {
            return Err(ExecutionError::TooManyPublicInputs(public.len()));
        }
        Ok(ProgramInputs { public, secret, ..Default::default() })
    }

    /// Sets the initial memory: words by address (every other address starts as zero). The
    /// initial memory is public: it is part of the claim a proof is checked against. Fails if an
    /// address appears twice.
    pub fn with_memory(mut self, mut memory: Vec<(u32, Word)>) -> Result<Self, ExecutionError> {
        if memory.len() > distaff_air::MAX_INITIAL_MEMORY {
            return Err(ExecutionError::TooMuchInitialMemory(memory.len()));
        }
        memory.sort_by_key(|(a, _)| *a);
        if let Some(w) = memory.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(ExecutionError::DuplicateAddress(w[0].0));
        }
        self.memory = memory;
        Ok(self)
    }

    /// Sets the advice map (secret), from which `adv.push_mapval` takes values.
    pub fn with_advice_map(mut self, map: AdviceMap) -> Self {
        self.advice_map = map;
        self
    }

    /// Sets the Merkle store (secret), from which `mtree_*` instructions take paths.
    pub fn with_merkle_store(mut self, store: MerkleStore) -> Self {
        self.merkle_store = store;
        self
    }

    /// The advice map.
    pub fn advice_map(&self) -> &AdviceMap {
        &self.advice_map
    }

    /// The Merkle store.
    pub fn merkle_store(&self) -> &MerkleStore {
        &self.merkle_store
    }

    /// The initial memory, by increasing address.
    pub fn memory(&self) -> &[(u32, Word)] {
        &self.memory
    }

    /// The public inputs (top of the initial stack first).
    pub fn public(&self) -> &[Felt] {
        &self.public
    }

    /// The secret inputs, in the order `read` consumes them.
    pub fn secret(&self) -> &[Felt] {
        &self.secret
    }
}

/// Why execution stopped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExecutionError {
    /// More public inputs than stack slots.
    #[error("{0} public inputs given, but the stack holds at most {MAX_PUBLIC_INPUTS}")]
    TooManyPublicInputs(usize),
    /// An instruction needs more values than the stack holds.
    #[error("instruction #{index} '{instruction}' (cycle {cycle}): stack underflow: it needs {needed} value{} but the stack holds {depth}", if *needed == 1 { "" } else { "s" })]
    StackUnderflow {
        /// Static index of the instruction: its position among all instructions of the program
        /// in tree order (procedures inlined, `repeat` expanded; for a straight-line program,
        /// its position in the program).
        index: usize,
        /// The instruction.
        instruction: Instruction,
        /// Cycle at which it ran.
        cycle: usize,
        /// Values it needs.
        needed: usize,
        /// Values present.
        depth: usize,
    },
    /// A memory address of 2^32 or more.
    #[error("instruction #{index} '{instruction}' (cycle {cycle}): memory address {address} is not below 2^32")]
    AddressOutOfRange {
        /// Position of the instruction.
        index: usize,
        /// The instruction.
        instruction: Instruction,
        /// Cycle at which it ran.
        cycle: usize,
        /// The address found on the stack.
        address: u64,
    },
    /// The program ended with more values on the stack than its 16 slots: the values spilled
    /// below them would be left unaccounted for.
    #[error("the program ends with {0} values on the stack; at most {STACK_DEPTH} may remain (drop the rest)")]
    TooDeepAtEnd(usize),
    /// A u32 operation got a value of 2^32 or more.
    #[error("instruction #{index} '{instruction}' (cycle {cycle}): operand {value} is not a u32 (below 2^32)")]
    NotU32 {
        /// Position of the instruction.
        index: usize,
        /// The instruction.
        instruction: Instruction,
        /// Cycle at which it ran.
        cycle: usize,
        /// The offending value.
        value: u64,
    },
    /// `u32divmod` by zero.
    #[error("instruction #{index} '{instruction}' (cycle {cycle}): division by zero")]
    DivisionByZero {
        /// Position of the instruction.
        index: usize,
        /// The instruction.
        instruction: Instruction,
        /// Cycle at which it ran.
        cycle: usize,
    },
    /// More initial memory than a claim may name.
    #[error("the initial memory has {0} words; at most {max} are supported", max = distaff_air::MAX_INITIAL_MEMORY)]
    TooMuchInitialMemory(usize),
    /// The initial memory names an address twice.
    #[error("the initial memory names address {0} twice")]
    DuplicateAddress(u32),
    /// A hint could not give what it was asked for.
    #[error("instruction #{index} (cycle {cycle}): the hint '{hint}' {position} it failed: {reason}")]
    HintFailed {
        /// Position of the instruction the hint runs before (or, for a hint that ends its
        /// span, after).
        index: usize,
        /// `"before"` or `"after"`: where the hint runs, next to the instruction.
        position: &'static str,
        /// Cycle at which it ran.
        cycle: usize,
        /// The hint's name.
        hint: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// `read` with no secret input left.
    #[error("instruction #{index} 'read' (cycle {cycle}): no secret input left (all {available} were read)")]
    SecretInputsExhausted {
        /// Position of the instruction.
        index: usize,
        /// Cycle at which it ran.
        cycle: usize,
        /// Number of secret inputs supplied.
        available: usize,
    },
    /// An assertion failed.
    #[error("instruction #{index} '{instruction}' (cycle {cycle}): assertion failed: {detail}")]
    AssertionFailed {
        /// Position of the instruction.
        index: usize,
        /// The instruction.
        instruction: Instruction,
        /// Cycle at which it ran.
        cycle: usize,
        /// What was found.
        detail: String,
        /// When the `assert` follows an `eq` (as in `assert_eq`): the two values the `eq`
        /// compared, deeper first.
        compared: Option<(Felt, Felt)>,
    },
    /// A boolean operation got a value other than 0 or 1.
    #[error("instruction #{index} '{instruction}' (cycle {cycle}): operand {value} is not binary (0 or 1)")]
    NotBinary {
        /// Position of the instruction.
        index: usize,
        /// The instruction.
        instruction: Instruction,
        /// Cycle at which it ran.
        cycle: usize,
        /// The offending value.
        value: u64,
    },
    /// `inv` of zero.
    #[error("instruction #{index} 'inv' (cycle {cycle}): zero has no inverse")]
    InverseOfZero {
        /// Position of the instruction.
        index: usize,
        /// Cycle at which it ran.
        cycle: usize,
    },
    /// `if.true` or `while.true` found an empty stack.
    #[error("'{block}' (cycle {cycle}): stack underflow: the condition is missing")]
    ConditionMissing {
        /// Static index of the `if.true` or `while.true` among the program's conditions (see
        /// `Block::num_conditions`).
        condition: usize,
        /// `if.true` or `while.true`.
        block: &'static str,
        /// Cycle at which the condition was popped.
        cycle: usize,
    },
    /// `if.true` or `while.true` found a condition other than 0 or 1.
    #[error("'{block}' (cycle {cycle}): the condition {value} is not binary (0 or 1)")]
    ConditionNotBinary {
        /// Static index of the `if.true` or `while.true` among the program's conditions.
        condition: usize,
        /// `if.true` or `while.true`.
        block: &'static str,
        /// Cycle at which the condition was popped.
        cycle: usize,
        /// The offending value.
        value: u64,
    },
    /// The program ran longer than [`MAX_CYCLES`].
    #[error("the program ran for more than {MAX_CYCLES} cycles (an endless loop?)")]
    CycleLimit,
    /// The caller cancelled the execution, or it ran past the caller's cap on cycles
    /// ([`crate::build_trace_cancellable`]): it says nothing of the program.
    #[error("the execution was cancelled")]
    Cancelled,
}

/// Where in the program an execution error happened, by static index (see
/// `Block::num_instructions`); an assembler's source map turns it into a line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgramPoint {
    /// The instruction with this static index.
    Instruction(usize),
    /// The `if.true` or `while.true` with this static index among the conditions.
    Condition(usize),
}

impl ExecutionError {
    /// The instruction or condition that failed, if the error names one.
    pub fn point(&self) -> Option<ProgramPoint> {
        use ExecutionError::*;
        match self {
            StackUnderflow { index, .. }
            | AddressOutOfRange { index, .. }
            | NotU32 { index, .. }
            | DivisionByZero { index, .. }
            | SecretInputsExhausted { index, .. }
            | HintFailed { index, .. }
            | AssertionFailed { index, .. }
            | NotBinary { index, .. }
            | InverseOfZero { index, .. } => Some(ProgramPoint::Instruction(*index)),
            ConditionMissing { condition, .. } | ConditionNotBinary { condition, .. } => {
                Some(ProgramPoint::Condition(*condition))
            }
            TooManyPublicInputs(_)
            | CycleLimit
            | Cancelled
            | TooDeepAtEnd(_)
            | DuplicateAddress(_)
            | TooMuchInitialMemory(_) => None,
        }
    }
}

/// The result of running a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutionOutput {
    /// The final stack, top first (exactly `depth` values).
    pub stack: Vec<Felt>,
    /// Cycles executed before halting (trace rows: instructions, `push` taking two, spans padded
    /// to whole 8-row hashing cycles, and 8 per control-flow step).
    pub cycles: usize,
    /// Whether proving the execution needs the memory variant of the AIR (it used memory, had
    /// initial memory, held more than 16 values or ran u32 operations), or the bitwise variant
    /// (which has the memory variant's columns).
    pub memory_variant: bool,
    /// Whether proving the execution needs the bitwise variant (it ran bitwise operations).
    pub bitwise_variant: bool,
    /// Rows of the execution's trace: exact, except that the range table of an execution with
    /// memory or u32 operations can, rarely, need more (never fewer).
    pub trace_length: usize,
}

impl ExecutionOutput {
    /// The top `n` values of the final stack; slots below the stack's depth read as zero (as the
    /// AIR proves them to be).
    pub fn outputs(&self, n: usize) -> Vec<Felt> {
        (0..n).map(|i| self.stack.get(i).copied().unwrap_or(Felt::ZERO)).collect()
    }
}

/// A memory access, as the memory table lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    /// Word address.
    pub addr: u32,
    /// Clock of the row that made it (`row + 1`; 0 for initial memory).
    pub clk: u64,
    /// A write.
    pub write: bool,
    /// An element access (lane 0).
    pub element: bool,
    /// The word at the address after the access.
    pub word: Word,
}

/// The VM state: 16 addressable stack slots (zero below the depth), the values spilled below
/// them (the overflow table), the depth and the memory.
#[derive(Clone, Debug)]
pub struct Vm<'a> {
    /// Stack slots, top first; slots at or beyond `depth` are zero.
    pub stack: [Felt; STACK_DEPTH],
    /// Values below slot 15, the last one next to come back, each with the key (`clk` of the row
    /// that spilled it) the overflow table files it under.
    pub overflow: Vec<(Felt, u64)>,
    /// Number of values on the stack.
    pub depth: usize,
    /// The deepest the stack has been.
    pub max_depth: usize,
    /// Memory: words by address.
    pub memory: BTreeMap<u32, Word>,
    /// Every memory access, in execution order (recorded only when `record_accesses` is set).
    pub accesses: Vec<Access>,
    /// Whether to record memory accesses (the trace builder needs them).
    pub record_accesses: bool,
    /// Number of memory accesses so far.
    pub num_accesses: usize,
    /// Number of u32 operations so far (they need the memory variant's range checker).
    pub num_u32_ops: usize,
    /// The pairs `(x, y)` (`x` on top) the bitwise operations so far looked up, with how often
    /// each was: the bitwise table lists each once (kept only by a recorder that records a
    /// trace: the execute-only path needs the count alone).
    pub bitwise: BTreeMap<(u32, u32), u64>,
    /// Number of bitwise operations so far.
    pub num_bitwise_ops: usize,
    secret: &'a [Felt],
    next_secret: usize,
    /// Values hints put at the front of the tape, the next to be read last.
    front: Vec<Felt>,
    advice_map: &'a AdviceMap,
    /// The Merkle store, with what `mtree_set` adds kept apart (the inputs' is never copied).
    merkle_store: StoreOverlay<'a>,
    /// Cycles executed so far.
    pub cycle: usize,
    /// Whether the last row so far runs nothing (a control or hperm cycle's row, a span's
    /// padding or a `noop`): an execution ending so may end on its last row (see
    /// [`crate::build_trace`]).
    pub last_row_noop: bool,
    /// Instructions executed so far.
    pub executed: usize,
    conditions: usize,
    /// The cycle of the last `eq` run and the two values it compared (deeper first), for the
    /// error of an `assert` that runs right after it (`assert_eq` is `eq assert`).
    compared: Option<(usize, Felt, Felt)>,
    /// Set by another thread to stop the execution at its next cycle boundary
    /// ([`ExecutionError::Cancelled`]).
    pub(crate) cancel: Option<&'a AtomicBool>,
    /// The caller's cap on cycles, at most [`MAX_CYCLES`]: past it the execution stops as
    /// cancelled.
    pub(crate) max_cycles: usize,
    #[cfg(feature = "fault-injection")]
    pub(crate) faults: Faults,
}

/// Deliberate rule-breaking for soundness tests (feature `fault-injection`): traces of
/// executions no honest VM produces, for showing that the verifier rejects them.
#[cfg(feature = "fault-injection")]
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// The control flow goes the other way at this condition (0-based count of conditions
    /// popped by `if.true` and `while.true`), though the value popped stays the real one.
    pub invert_condition: Option<usize>,
    /// The bitwise operation with this 0-based count returns its XOR with bit 0 flipped (the
    /// bitwise table still lists the true AND of its operands).
    pub wrong_xor: Option<usize>,
}

impl<'a> Vm<'a> {
    /// A VM whose stack holds the public inputs.
    pub fn new(inputs: &'a ProgramInputs) -> Self {
        let mut stack = [Felt::ZERO; STACK_DEPTH];
        stack[..inputs.public.len()].copy_from_slice(&inputs.public);
        Vm {
            stack,
            overflow: Vec::new(),
            depth: inputs.public.len(),
            max_depth: inputs.public.len(),
            memory: inputs.memory.iter().copied().collect(),
            accesses: Vec::new(),
            record_accesses: false,
            num_accesses: 0,
            num_u32_ops: 0,
            bitwise: BTreeMap::new(),
            num_bitwise_ops: 0,
            secret: &inputs.secret,
            next_secret: 0,
            front: Vec::new(),
            advice_map: &inputs.advice_map,
            merkle_store: StoreOverlay::new(&inputs.merkle_store),
            cycle: 0,
            last_row_noop: false,
            executed: 0,
            conditions: 0,
            compared: None,
            cancel: None,
            max_cycles: MAX_CYCLES,
            #[cfg(feature = "fault-injection")]
            faults: Faults::default(),
        }
    }

    fn need(&self, index: usize, inst: Instruction, n: usize) -> Result<(), ExecutionError> {
        if self.depth < n {
            return Err(ExecutionError::StackUnderflow {
                index,
                instruction: inst,
                cycle: self.cycle,
                needed: n,
                depth: self.depth,
            });
        }
        Ok(())
    }

    fn address(&self, index: usize, inst: Instruction) -> Result<u32, ExecutionError> {
        let a = self.stack[0].as_int();
        u32::try_from(a).map_err(|_| ExecutionError::AddressOutOfRange {
            index,
            instruction: inst,
            cycle: self.cycle,
            address: a,
        })
    }

    /// The top two values as u32 operands `(a, b)` (`b` on top).
    fn u32_pair(&mut self, index: usize, inst: Instruction) -> Result<(u64, u64), ExecutionError> {
        self.need(index, inst, 2)?;
        self.num_u32_ops += 1;
        let (b, a) = (self.stack[0].as_int(), self.stack[1].as_int());
        for v in [a, b] {
            if v > u32::MAX as u64 {
                return Err(ExecutionError::NotU32 { index, instruction: inst, cycle: self.cycle, value: v });
            }
        }
        Ok((a, b))
    }

    fn access(&mut self, addr: u32, write: bool, element: bool, word: Word) {
        if write {
            self.memory.insert(addr, word);
        }
        self.num_accesses += 1;
        if self.record_accesses {
            self.accesses.push(Access { addr, clk: self.cycle as u64 + 1, write, element, word });
        }
    }

    fn word_at(&self, addr: u32) -> Word {
        self.memory.get(&addr).copied().unwrap_or([Felt::ZERO; 4])
    }

    fn binary(&self, index: usize, inst: Instruction, v: Felt) -> Result<(), ExecutionError> {
        if v != Felt::ZERO && v != Felt::ONE {
            return Err(ExecutionError::NotBinary { index, instruction: inst, cycle: self.cycle, value: v.as_int() });
        }
        Ok(())
    }

    /// The overflow table's top key (0: empty).
    pub fn overflow_ptr(&self) -> u64 {
        self.overflow.last().map_or(0, |e| e.1)
    }

    fn push(&mut self, v: Felt) {
        if self.depth >= STACK_DEPTH {
            // slot 15 spills, filed under this row's clock
            self.overflow.push((self.stack[STACK_DEPTH - 1], self.cycle as u64 + 1));
        }
        self.stack.copy_within(0..STACK_DEPTH - 1, 1);
        self.stack[0] = v;
        self.depth += 1;
        self.max_depth = self.max_depth.max(self.depth);
    }

    /// The rows the trace keeps for the bitwise table: it lists each distinct pair once, but has
    /// room for a cycle per operation, so that the trace's length, which a hiding proof
    /// reveals, depends on how many bitwise operations ran and not on whether their (secret)
    /// operands repeat.
    pub(crate) fn bitwise_rows(&self) -> usize {
        self.num_bitwise_ops * CYCLE_LEN
    }

    fn shift_left(&mut self) {
        self.stack.copy_within(1.., 0);
        self.stack[STACK_DEPTH - 1] = self.overflow.pop().map_or(Felt::ZERO, |e| e.0);
        self.depth -= 1;
    }

    /// Executes instruction `index` of the program; advances the cycle count by its cost.
    pub fn step(&mut self, index: usize, inst: Instruction) -> Result<(), ExecutionError> {
        self.step_with(&mut NoRecord, index, inst)
    }

    /// [`Vm::step`], telling `rec` what it needs to know (the permutation of `hperm`).
    pub(crate) fn step_with<R: Recorder>(
        &mut self,
        rec: &mut R,
        index: usize,
        inst: Instruction,
    ) -> Result<(), ExecutionError> {
        use Instruction::*;
        let s = &self.stack;
        match inst {
            Noop => {}
            HPerm => {
                self.need(index, inst, distaff_air::layout::HASHER_WIDTH)?;
                let mut state: [Felt; 12] = core::array::from_fn(|i| s[i]);
                rec.permute(&mut state);
                self.stack[..12].copy_from_slice(&state);
            }
            Push(v) => self.push(v),
            Pad => self.push(Felt::ZERO),
            Read => {
                let v = match self.front.pop() {
                    Some(v) => v,
                    None => {
                        let v = *self.secret.get(self.next_secret).ok_or(ExecutionError::SecretInputsExhausted {
                            index,
                            cycle: self.cycle,
                            available: self.secret.len(),
                        })?;
                        self.next_secret += 1;
                        v
                    }
                };
                self.push(v);
            }
            EqZ => {
                self.need(index, inst, 1)?;
                self.stack[0] = Felt::from(s[0] == Felt::ZERO);
            }
            CSwap => {
                self.need(index, inst, 3)?;
                let c = s[0];
                self.binary(index, inst, c)?;
                self.shift_left();
                if c == Felt::ONE {
                    self.stack.swap(0, 1);
                }
            }
            U32Assert2 => {
                self.u32_pair(index, inst)?;
            }
            U32Split => {
                self.need(index, inst, 1)?;
                self.num_u32_ops += 1;
                let a = s[0].as_int();
                self.stack[0] = Felt::new(a & u32::MAX as u64);
                self.push(Felt::new(a >> 32));
            }
            U32OverflowingAdd | U32OverflowingSub | U32OverflowingMul | U32DivMod => {
                let (a, b) = self.u32_pair(index, inst)?;
                let (low, high) = match inst {
                    U32OverflowingAdd => ((a + b) & u32::MAX as u64, (a + b) >> 32),
                    U32OverflowingSub => (a.wrapping_sub(b) & u32::MAX as u64, (a < b) as u64),
                    U32OverflowingMul => ((a * b) & u32::MAX as u64, (a * b) >> 32),
                    _ => {
                        if b == 0 {
                            return Err(ExecutionError::DivisionByZero { index, instruction: inst, cycle: self.cycle });
                        }
                        (a / b, a % b)
                    }
                };
                self.stack[1] = Felt::new(low);
                self.stack[0] = Felt::new(high);
            }
            U32Lt => {
                let (a, b) = self.u32_pair(index, inst)?;
                self.shift_left();
                self.stack[0] = Felt::from(a < b);
            }
            U32Xor | U32AndXor => {
                let (a, b) = self.u32_pair(index, inst)?;
                #[allow(unused_mut)]
                let mut xor = a ^ b;
                #[cfg(feature = "fault-injection")]
                if self.faults.wrong_xor == Some(self.num_bitwise_ops) {
                    xor ^= 1;
                }
                if R::RECORDS {
                    // both fit in 32 bits (u32_pair checked them)
                    *self.bitwise.entry((b as u32, a as u32)).or_insert(0) += 1;
                }
                self.num_bitwise_ops += 1;
                if inst == U32Xor {
                    self.shift_left();
                } else {
                    self.stack[1] = Felt::new(a & b);
                }
                self.stack[0] = Felt::new(xor);
            }
            MLoad => {
                self.need(index, inst, 1)?;
                let addr = self.address(index, inst)?;
                let word = self.word_at(addr);
                self.access(addr, false, true, word);
                self.stack[0] = word[0];
            }
            MStore => {
                self.need(index, inst, 2)?;
                let addr = self.address(index, inst)?;
                let mut word = self.word_at(addr);
                word[0] = s[1];
                self.access(addr, true, true, word);
                self.shift_left();
            }
            MLoadW => {
                self.need(index, inst, 5)?;
                let addr = self.address(index, inst)?;
                let word = self.word_at(addr);
                self.access(addr, false, false, word);
                self.shift_left();
                self.stack[..4].copy_from_slice(&word);
            }
            MStoreW => {
                self.need(index, inst, 5)?;
                let addr = self.address(index, inst)?;
                let word = [s[1], s[2], s[3], s[4]];
                self.access(addr, true, false, word);
                self.shift_left();
            }
            Add | Sub | Mul | And | Or | Eq | Neq => {
                self.need(index, inst, 2)?;
                let (b, a) = (s[0], s[1]);
                let r = match inst {
                    Add => a + b,
                    Sub => a - b,
                    Mul => a * b,
                    And | Or => {
                        self.binary(index, inst, a)?;
                        self.binary(index, inst, b)?;
                        if inst == And {
                            a * b
                        } else {
                            a + b - a * b
                        }
                    }
                    Neq => Felt::from(a != b),
                    _ => {
                        self.compared = Some((self.cycle, a, b));
                        Felt::from(a == b)
                    }
                };
                self.shift_left();
                self.stack[0] = r;
            }
            Neg => {
                self.need(index, inst, 1)?;
                self.stack[0] = -s[0];
            }
            Inv => {
                self.need(index, inst, 1)?;
                if s[0] == Felt::ZERO {
                    return Err(ExecutionError::InverseOfZero { index, cycle: self.cycle });
                }
                self.stack[0] = s[0].inv();
            }
            Not => {
                self.need(index, inst, 1)?;
                self.binary(index, inst, s[0])?;
                self.stack[0] = Felt::ONE - s[0];
            }
            Drop => {
                self.need(index, inst, 1)?;
                self.shift_left();
            }
            Assert => {
                self.need(index, inst, 1)?;
                if s[0] != Felt::ONE {
                    // run right after an `eq` (one cycle before, with nothing in between): the
                    // values it compared
                    let compared = self.compared.filter(|c| c.0 + 1 == self.cycle).map(|(_, a, b)| (a, b));
                    let also = compared
                        .map(|(a, b)| format!(" (the 'eq' before it compared {} and {})", a.as_int(), b.as_int()))
                        .unwrap_or_default();
                    return Err(ExecutionError::AssertionFailed {
                        index,
                        instruction: inst,
                        cycle: self.cycle,
                        detail: format!("expected 1 on top of the stack, found {}{also}", s[0].as_int()),
                        compared,
                    });
                }
                self.shift_left();
            }
            Dup(n) => {
                let n = n as usize;
                self.need(index, inst, n + 1)?;
                let v = s[n];
                self.push(v);
            }
            Swap(n) => {
                let n = n as usize;
                self.need(index, inst, n + 1)?;
                self.stack.swap(0, n);
            }
            MovUp(n) => {
                let n = n as usize;
                self.need(index, inst, n + 1)?;
                self.stack[..=n].rotate_right(1);
            }
            MovDn(n) => {
                let n = n as usize;
                self.need(index, inst, n + 1)?;
                self.stack[..=n].rotate_left(1);
            }
        }
        self.cycle += inst.cycles();
        self.executed += 1;
        Ok(())
    }

    /// Pops the condition of an `if.true` (`block` = "if.true") or `while.true`, the one with
    /// static index `condition`.
    pub fn pop_condition(&mut self, block: &'static str, condition: usize) -> Result<bool, ExecutionError> {
        if self.depth == 0 {
            return Err(ExecutionError::ConditionMissing { condition, block, cycle: self.cycle });
        }
        let v = self.stack[0];
        if v != Felt::ZERO && v != Felt::ONE {
            return Err(ExecutionError::ConditionNotBinary { condition, block, cycle: self.cycle, value: v.as_int() });
        }
        self.shift_left();
        #[allow(unused_mut)]
        let mut cond = v == Felt::ONE;
        #[cfg(feature = "fault-injection")]
        if self.faults.invert_condition == Some(self.conditions) {
            cond = !cond;
        }
        self.conditions += 1;
        Ok(cond)
    }

    /// The values hints have put at the front of the tape, the next to be read last.
    pub(crate) fn front(&self) -> &[Felt] {
        &self.front
    }

    /// Values hints have put at the front of the tape and `read` has not taken yet, next first.
    pub fn advice_front(&self) -> Vec<Felt> {
        self.front.iter().rev().copied().collect()
    }

    /// Runs a hint before the instruction with static index `index`: puts what it finds at the
    /// front of the tape (see [`crate::advice`]).
    fn hint(&mut self, index: usize, after: bool, hint: Hint) -> Result<(), ExecutionError> {
        // a hint costs no cycle: the limits are checked here too (hints alone in a `repeat`)
        self.check_limits()?;
        let position = if after { "after" } else { "before" };
        let fail = |reason: String| ExecutionError::HintFailed {
            index,
            position,
            cycle: self.cycle,
            hint: hint.name(),
            reason,
        };
        let s = self.stack;
        let word = |at: usize| -> Word { core::array::from_fn(|i| s[at + i]) };
        // values pushed in reading order
        let mut values: Vec<Felt> = Vec::new();
        // a word as `readw` takes it: lane 3 first, so that lane 0 ends on top
        let push_word = |values: &mut Vec<Felt>, w: &Word| values.extend(w.iter().rev());
        match hint {
            Hint::PushMapVal | Hint::PushMapValN => {
                if self.depth < 4 {
                    return Err(fail(format!("the key is a word, but the stack holds {} values", self.depth)));
                }
                let key = word(0);
                let found = self.advice_map.get(&key).ok_or_else(|| fail(AdviceError::NoMapEntry(key).to_string()))?;
                if hint == Hint::PushMapValN {
                    values.push(Felt::new(found.len() as u64));
                }
                values.extend_from_slice(found);
            }
            Hint::MerklePath(depth) | Hint::MerkleGet(depth) | Hint::MerkleSet(depth) => {
                // `[V,] i, R`: what the instruction checks is its own business; the hint only
                // answers when the store knows the root and the index is in range
                let at = if matches!(hint, Hint::MerkleGet(_)) { 0 } else { 4 };
                if self.depth < at + 5 {
                    return Ok(());
                }
                let (index_felt, root) = (s[at], word(at + 1));
                let index = index_felt.as_int();
                let depth = u32::from(depth);
                if (depth < 64 && index >> depth != 0) || !self.merkle_store.knows(&root) {
                    return Ok(());
                }
                let (leaf, path) = match hint {
                    Hint::MerkleSet(_) => {
                        let (old, path, _) =
                            self.merkle_store.set(&root, depth, index, word(0)).map_err(|e| fail(e.to_string()))?;
                        (old, path)
                    }
                    _ => self.merkle_store.path(&root, depth, index).map_err(|e| fail(e.to_string()))?,
                };
                if !matches!(hint, Hint::MerklePath(_)) {
                    push_word(&mut values, &leaf);
                }
                for sibling in &path {
                    push_word(&mut values, sibling);
                }
            }
            Hint::U64Div => {
                if self.depth < 4 {
                    return Err(fail(format!(
                        "it takes two u64 values (four u32 halves), but the stack holds {}",
                        self.depth
                    )));
                }
                let half = |x: Felt| u32::try_from(x.as_int()).map(u64::from);
                let (Ok(b_hi), Ok(b_lo), Ok(a_hi), Ok(a_lo)) = (half(s[0]), half(s[1]), half(s[2]), half(s[3])) else {
                    return Err(fail("an operand's half is not a u32 value".into()));
                };
                let (a, b) = ((a_hi << 32) | a_lo, (b_hi << 32) | b_lo);
                let q = a.checked_div(b).ok_or_else(|| fail("division by zero".into()))?;
                let r = a % b;
                // read in this order, they leave `q_lo q_hi r_lo r_hi` (r_hi on top)
                values.extend([q & 0xffff_ffff, q >> 32, r & 0xffff_ffff, r >> 32].map(Felt::new));
            }
        }
        // each value takes a `read`, a cycle: more than the cycles left can never be read
        if self.front.len() + values.len() > MAX_CYCLES.saturating_sub(self.cycle) {
            return Err(fail(format!(
                "the hints have put {} values on the tape, more than the {} cycles left can read",
                self.front.len() + values.len(),
                MAX_CYCLES.saturating_sub(self.cycle)
            )));
        }
        self.front.extend(values.iter().rev());
        Ok(())
    }

    /// The secret inputs not read yet, next first.
    pub fn secrets_left(&self) -> &[Felt] {
        &self.secret[self.next_secret.min(self.secret.len())..]
    }

    /// The whole stack, top first: the 16 slots' values, then the overflow.
    pub fn stack_values(&self) -> Vec<Felt> {
        let mut values = self.stack[..self.depth.min(STACK_DEPTH)].to_vec();
        values.extend(self.overflow.iter().rev().map(|e| e.0));
        values
    }

    /// Checks the state a program may end in: at most 16 values on the stack.
    pub(crate) fn check_end(&self) -> Result<(), ExecutionError> {
        if self.depth > STACK_DEPTH {
            return Err(ExecutionError::TooDeepAtEnd(self.depth));
        }
        Ok(())
    }
}

/// One 8-row cycle as the decoder sees it (the trace builder turns these into hasher, batch and
/// control-stack columns).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cycle {
    /// Eight elements of a span; `fresh` on its first cycle (the sponge restarts with `len`, the
    /// span's element count, in the capacity), `emit` on its last (its digest is pushed).
    Span { batch: [Felt; 8], fresh: bool, emit: bool, len: usize },
    /// A control cycle of the given kind hashing `batch`; `cond` is the condition popped on its
    /// first row (split, loop, repeat), `emit` whether its digest is pushed.
    Control { kind: usize, batch: [Felt; 8], emit: bool, cond: bool },
    /// An `hperm` cycle permuting `input` (the top 12 stack values): the `count`-th of its
    /// chain, which ends (and emits the chain's hash) if `emit`.
    HPerm { input: [Felt; 12], count: usize, emit: bool },
}

/// Receives what execution does, row by row and cycle by cycle.
pub(crate) trait Recorder {
    /// Whether anything is recorded (the execute-only path skips the bookkeeping).
    const RECORDS: bool;
    /// A row executing `opcode` on the state `vm` (before the operation); `pops` is how many
    /// values it needs, `aux` the helper value, `shift` how it moves the stack ([`shift`]).
    fn row(&mut self, vm: &Vm, opcode: u8, pops: u64, aux: Felt, shift: i8);
    /// A completed cycle.
    fn cycle(&mut self, cycle: Cycle);
    /// `rows` padding rows end a span (for profiles).
    #[inline(always)]
    fn padding(&mut self, _rows: usize) {}
    /// A control-flow cycle (join, split, loop, end: 8 rows) ran (for profiles).
    #[inline(always)]
    fn control(&mut self) {}
    /// Execution reached `point`, on the state `vm`: the instruction is about to run, or the
    /// condition about to be popped (for profiles, debuggers and decorators).
    #[inline(always)]
    fn before(&mut self, _vm: &Vm, _point: ProgramPoint) {}
    /// Execution left `point`, on the state `vm`: the instruction ran, or the `if.true` or
    /// `while.true` block of the condition ended (for debuggers and decorators).
    #[inline(always)]
    fn after(&mut self, _vm: &Vm, _point: ProgramPoint) {}
    /// Applies `hperm`'s permutation to `state` (a recorder that keeps the round states, the
    /// decoder's rows, computes them here, so that the permutation is computed once).
    #[inline(always)]
    fn permute(&mut self, state: &mut [Felt; 12]) {
        crate::rescue::apply_permutation(state);
    }
}

/// Where an execution's cycles went ([`profile`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// Cycles executed before halting (as [`ExecutionOutput::cycles`]).
    pub cycles: usize,
    /// Per static instruction index: how many times it ran.
    pub runs: Vec<u64>,
    /// Cycles of control flow: 8 for each `if.true`/`while.true` condition, loop iteration, join
    /// of two blocks and block end.
    pub control_cycles: usize,
    /// Rows that pad spans to whole 8-row hashing cycles.
    pub padding_cycles: usize,
}

struct Profiler {
    profile: Profile,
}

impl Recorder for Profiler {
    const RECORDS: bool = false;
    fn row(&mut self, _: &Vm, _: u8, _: u64, _: Felt, _: i8) {}
    fn cycle(&mut self, _: Cycle) {}
    fn before(&mut self, _: &Vm, point: ProgramPoint) {
        if let ProgramPoint::Instruction(index) = point {
            if let Some(r) = self.profile.runs.get_mut(index) {
                *r += 1;
            }
        }
    }
    fn padding(&mut self, rows: usize) {
        self.profile.padding_cycles += rows;
    }
    fn control(&mut self) {
        self.profile.control_cycles += CYCLE_LEN;
    }
}

/// Executes `program` on `inputs` as [`execute`] does, counting where the cycles go: each
/// instruction's runs (by static index: a front end maps them to instruction kinds, and with
/// the assembler's source map, to procedures), control flow and span padding.
pub fn profile(program: &Program, inputs: &ProgramInputs) -> Result<Profile, ExecutionError> {
    let mut vm = Vm::new(inputs);
    let runs = vec![0; program.root().num_instructions()];
    let mut profiler = Profiler { profile: Profile { runs, ..Profile::default() } };
    vm.run(program.root(), &mut profiler)?;
    vm.check_end()?;
    profiler.profile.cycles = vm.cycle;
    Ok(profiler.profile)
}

/// Records nothing: the execute-only path.
pub(crate) struct NoRecord;
impl Recorder for NoRecord {
    const RECORDS: bool = false;
    #[inline(always)]
    fn row(&mut self, _: &Vm, _: u8, _: u64, _: Felt, _: i8) {}
    #[inline(always)]
    fn cycle(&mut self, _: Cycle) {}
}

pub(crate) fn pops(inst: &Instruction) -> u64 {
    use Instruction::*;
    match inst {
        Noop | Push(_) | Read | Pad => 0,
        Neg | Inv | Not | Drop | Assert | EqZ | MLoad | U32Split => 1,
        Add | Sub | Mul | And | Or | Eq | Neq | MStore => 2,
        U32Assert2 | U32OverflowingAdd | U32OverflowingSub | U32OverflowingMul | U32DivMod | U32Lt => 2,
        U32Xor | U32AndXor => 2,
        CSwap => 3,
        MLoadW | MStoreW => 5,
        Dup(n) | Swap(n) | MovUp(n) | MovDn(n) => *n as u64 + 1,
        HPerm => distaff_air::layout::HASHER_WIDTH as u64,
    }
}

/// A control cycle's batch: the children's hashes (the right half zero for a loop). Only a
/// recorder that records needs it: the others (`execute`, profiles, debuggers) do not make the
/// program's hashes, which are computed when first asked for.
fn batch<R: Recorder>(left: &Block, right: Option<&Block>) -> [Felt; 8] {
    if !R::RECORDS {
        return [Felt::ZERO; 8];
    }
    halves(&left.hash(), &right.map_or([Felt::ZERO; 4], |r| r.hash()))
}

fn halves(left: &Word, right: &Word) -> [Felt; 8] {
    core::array::from_fn(|k| if k < 4 { left[k] } else { right[k - 4] })
}

impl Vm<'_> {
    fn tick(&mut self, rows: usize) -> Result<(), ExecutionError> {
        self.cycle += rows;
        self.check_limits()
    }

    /// Stops an execution past [`MAX_CYCLES`], or one its caller has cancelled.
    #[inline]
    fn check_limits(&self) -> Result<(), ExecutionError> {
        if self.cycle > MAX_CYCLES {
            return Err(ExecutionError::CycleLimit);
        }
        if self.cycle > self.max_cycles || self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(ExecutionError::Cancelled);
        }
        Ok(())
    }

    fn control<R: Recorder>(
        &mut self,
        rec: &mut R,
        kind: usize,
        batch: [Felt; 8],
        condition: Option<(&'static str, usize)>,
    ) -> Result<bool, ExecutionError> {
        let pops = condition.is_some() as u64;
        if let Some((_, index)) = condition {
            rec.before(self, ProgramPoint::Condition(index));
        }
        rec.control();
        rec.row(self, opcodes::NOOP, pops, Felt::ZERO, -(pops as i8));
        let cond = match condition {
            Some((block, index)) => self.pop_condition(block, index)?,
            None => false,
        };
        self.noop_rows(rec, CYCLE_LEN - 1);
        let emit = match kind {
            KIND_JOIN | KIND_END_TRUE | KIND_END_FALSE => true,
            KIND_SPLIT => false,
            _ => !cond,
        };
        rec.cycle(Cycle::Control { kind, batch, emit, cond });
        self.tick(CYCLE_LEN)?;
        self.last_row_noop = true;
        Ok(cond)
    }

    fn span<R: Recorder>(
        &mut self,
        rec: &mut R,
        instructions: &[Instruction],
        hints: &[(usize, Hint)],
        first: usize,
    ) -> Result<(), ExecutionError> {
        let start = self.cycle;
        let sixteen = Felt::new(STACK_DEPTH as u64);
        let mut hints = hints.iter().peekable();
        for (i, inst) in instructions.iter().enumerate() {
            while let Some((_, hint)) = hints.next_if(|(k, _)| *k == i) {
                self.hint(first + i, false, *hint)?;
            }
            if R::RECORDS {
                let aux = match inst {
                    Instruction::Eq | Instruction::Neq if self.stack[1] != self.stack[0] => {
                        (self.stack[1] - self.stack[0]).inv()
                    }
                    Instruction::EqZ if self.stack[0] != Felt::ZERO => self.stack[0].inv(),
                    Instruction::Push(_) | Instruction::Read | Instruction::Pad | Instruction::Dup(_) => {
                        (Felt::new(self.depth as u64) - sixteen).inv()
                    }
                    // lo = (hi − (2^32 − 1))·w: any w when hi is not the largest (lo is then 0)
                    Instruction::U32Split | Instruction::U32OverflowingMul => {
                        let x = if *inst == Instruction::U32Split {
                            self.stack[0].as_int()
                        } else {
                            self.stack[0].as_int().wrapping_mul(self.stack[1].as_int())
                        };
                        let (lo, hi) = (Felt::new(x & u32::MAX as u64), Felt::new(x >> 32));
                        let d = hi - Felt::new(u32::MAX as u64);
                        if d == Felt::ZERO {
                            Felt::ZERO
                        } else {
                            lo / d
                        }
                    }
                    _ => Felt::ZERO,
                };
                for op in inst.prefix() {
                    rec.row(self, *op, pops(inst), Felt::ZERO, 0);
                }
                rec.row(self, inst.opcode(), pops(inst), aux, shift(inst));
            }
            rec.before(self, ProgramPoint::Instruction(first + i));
            self.step_with(rec, first + i, *inst)?;
            if let Instruction::Push(_) = inst {
                rec.row(self, opcodes::DATA, 0, Felt::ZERO, 0);
            }
            rec.after(self, ProgramPoint::Instruction(first + i));
            self.check_limits()?;
        }
        // hints after the last instruction (reported at it)
        for (_, hint) in hints {
            self.hint(first + instructions.len() - 1, true, *hint)?;
        }
        let len = self.cycle - start;
        let padded = len.div_ceil(CYCLE_LEN) * CYCLE_LEN;
        rec.padding(padded - len);
        self.noop_rows(rec, padded - len);
        self.tick(padded - len)?;
        if padded > len {
            self.last_row_noop = true;
        } else if let Some(last) = instructions.last() {
            // its own row, or the value row after a push
            self.last_row_noop = !matches!(last, Instruction::Push(_)) && last.opcode() == opcodes::NOOP;
        }
        if !R::RECORDS {
            return Ok(());
        }
        let elements = span_elements(instructions);
        let chunks = elements.len().div_ceil(CYCLE_LEN);
        for (i, chunk) in elements.chunks(CYCLE_LEN).enumerate() {
            let batch = core::array::from_fn(|k| chunk.get(k).copied().unwrap_or(Felt::ZERO));
            rec.cycle(Cycle::Span { batch, fresh: i == 0, emit: i + 1 == chunks, len: elements.len() });
        }
        Ok(())
    }

    /// A chain of `k` `hperm`s (static indexes `index..index + k`): per permutation one 8-row
    /// cycle in which the decoder's sponge permutes the top 12 stack values, which are replaced
    /// after the cycle; the chain's last cycle emits its hash.
    fn hperm<R: Recorder>(&mut self, rec: &mut R, index: usize, k: usize) -> Result<(), ExecutionError> {
        let width = distaff_air::layout::HASHER_WIDTH;
        for j in 0..k {
            rec.before(self, ProgramPoint::Instruction(index + j));
            self.need(index + j, Instruction::HPerm, width)?;
            rec.row(self, opcodes::NOOP, width as u64, Felt::ZERO, 0);
            self.noop_rows(rec, CYCLE_LEN - 2);
            let input = core::array::from_fn(|i| self.stack[i]);
            rec.cycle(Cycle::HPerm { input, count: j + 1, emit: j + 1 == k });
            // the stack effect (and the cycles) are the instruction's; the cycle's last row
            // already holds the output
            self.step_with(rec, index + j, Instruction::HPerm)?;
            self.noop_rows(rec, 1);
            self.tick(0)?;
            self.last_row_noop = true;
            rec.after(self, ProgramPoint::Instruction(index + j));
        }
        Ok(())
    }

    /// Records `count` rows of `noop` on the current state.
    fn noop_rows<R: Recorder>(&mut self, rec: &mut R, count: usize) {
        for _ in 0..count {
            rec.row(self, opcodes::NOOP, 0, Felt::ZERO, 0);
        }
    }

    /// Executes a block (depth-first), reporting rows and cycles to `rec`.
    pub(crate) fn run<R: Recorder>(&mut self, block: &Block, rec: &mut R) -> Result<(), ExecutionError> {
        self.run_at(block, rec, 0, 0)
    }

    /// Executes `block`, whose first instruction and first condition have the static indexes
    /// `inst` and `cond` (see `Block::num_instructions`).
    fn run_at<R: Recorder>(
        &mut self,
        block: &Block,
        rec: &mut R,
        inst: usize,
        cond: usize,
    ) -> Result<(), ExecutionError> {
        match block.kind() {
            BlockKind::Span(instructions) => self.span(rec, instructions, block.hints(), inst),
            BlockKind::Join(first, second) => {
                self.run_at(first, rec, inst, cond)?;
                self.run_at(second, rec, inst + first.num_instructions(), cond + first.num_conditions())?;
                self.control(rec, KIND_JOIN, batch::<R>(first, Some(second)), None)?;
                Ok(())
            }
            BlockKind::Split(on_true, on_false) => {
                let batch = batch::<R>(on_true, Some(on_false));
                let taken = self.control(rec, KIND_SPLIT, batch, Some(("if.true", cond)))?;
                if taken {
                    self.run_at(on_true, rec, inst, cond + 1)?;
                } else {
                    let (i, c) = (inst + on_true.num_instructions(), cond + 1 + on_true.num_conditions());
                    self.run_at(on_false, rec, i, c)?;
                }
                self.control(rec, if taken { KIND_END_TRUE } else { KIND_END_FALSE }, batch, None)?;
                rec.after(self, ProgramPoint::Condition(cond));
                Ok(())
            }
            BlockKind::HPerm(k) => self.hperm(rec, inst, *k),
            BlockKind::Loop(body) => {
                let batch = batch::<R>(body, None);
                let mut again = self.control(rec, KIND_LOOP, batch, Some(("while.true", cond)))?;
                while again {
                    self.run_at(body, rec, inst, cond + 1)?;
                    again = self.control(rec, KIND_REPEAT, batch, Some(("while.true", cond)))?;
                }
                rec.after(self, ProgramPoint::Condition(cond));
                Ok(())
            }
        }
    }
}

/// How an operation moves the stack: +1 (right: a value pushed), −1 (left: one fewer), or 0.
pub(crate) fn shift(inst: &Instruction) -> i8 {
    use Instruction::*;
    match inst {
        Push(_) | Read | Pad | Dup(_) | U32Split => 1,
        Add | Sub | Mul | And | Or | Eq | Neq | Drop | Assert | CSwap | MStore | MLoadW | MStoreW | U32Lt | U32Xor => {
            -1
        }
        _ => 0,
    }
}

/// Runs a program without recording a trace.
pub fn execute(program: &Program, inputs: &ProgramInputs) -> Result<ExecutionOutput, ExecutionError> {
    execute_with(program, inputs, &mut NoRecord)
}

/// [`execute`], reporting to `rec`.
pub(crate) fn execute_with<R: Recorder>(
    program: &Program,
    inputs: &ProgramInputs,
    rec: &mut R,
) -> Result<ExecutionOutput, ExecutionError> {
    let mut vm = Vm::new(inputs);
    vm.run(program.root(), rec)?;
    vm.check_end()?;
    let memory_variant =
        vm.num_accesses > 0 || vm.num_u32_ops > 0 || !inputs.memory.is_empty() || vm.max_depth > STACK_DEPTH;
    // the memory table: the anchor (unless the initial memory sets address 0), the initial
    // memory, the accesses and an inactive row (build_trace may need more for the range table)
    let anchor = inputs.memory.first().is_none_or(|(a, _)| *a != 0);
    let table_rows = if memory_variant { anchor as usize + inputs.memory.len() + vm.num_accesses + 1 } else { 0 };
    let table_rows = table_rows.max(vm.bitwise_rows());
    // the rule of build_trace, with the table rows in place of the rows the table needs (which
    // are at least as many): a lower bound of the trace's length, exact but for the range table
    let trace_length = crate::trace::rows_for(vm.cycle, vm.last_row_noop, table_rows);
    let bitwise_variant = vm.num_bitwise_ops > 0;
    Ok(ExecutionOutput { stack: vm.stack_values(), cycles: vm.cycle, memory_variant, bitwise_variant, trace_length })
}
