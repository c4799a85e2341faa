//! Recording the execution trace.

use distaff_air::layout::*;
use distaff_air::memory::{range_table, write_range_table};
use distaff_air::program::kind_domain;
use distaff_air::{opcodes, rescue, Program, PublicInputs, Word, MIN_TRACE_LENGTH};
use distaff_math::{Felt, FieldElement};
use std::sync::atomic::AtomicBool;

use crate::vm::{Access, Cycle, ExecutionError, ProgramInputs, Recorder, Vm};

/// An execution trace in the layout of [`distaff_air::layout`], column-major
/// (`columns()[column][row]`), together with the claim it supports.
#[derive(Clone, Debug)]
pub struct ExecutionTrace {
    columns: Vec<Vec<Felt>>,
    program_hash: Word,
    inputs: Vec<Felt>,
    memory: Vec<(u32, Word)>,
    final_stack: Vec<Felt>,
    cycles: usize,
}

impl ExecutionTrace {
    /// The trace columns.
    pub fn columns(&self) -> &[Vec<Felt>] {
        &self.columns
    }

    /// Mutable access to the trace, for tests that build invalid traces and for other provers.
    /// Any change is likely to make the trace violate the AIR.
    pub fn columns_mut(&mut self) -> &mut [Vec<Felt>] {
        &mut self.columns
    }

    /// Consumes the trace, returning its columns.
    pub fn into_columns(self) -> Vec<Vec<Felt>> {
        self.columns
    }

    /// Number of rows (a power of two).
    pub fn length(&self) -> usize {
        self.columns[0].len()
    }

    /// Cycles the program ran for before halting.
    pub fn cycles(&self) -> usize {
        self.cycles
    }

    /// The final stack (top first).
    pub fn final_stack(&self) -> &[Felt] {
        &self.final_stack
    }

    /// The top `n` stack values at the end (zero below the depth).
    pub fn outputs(&self, n: usize) -> Vec<Felt> {
        (0..n).map(|i| self.final_stack.get(i).copied().unwrap_or(Felt::ZERO)).collect()
    }

    /// The public claim this trace proves, naming `num_outputs` outputs.
    pub fn public_inputs(&self, num_outputs: usize) -> PublicInputs {
        PublicInputs {
            program_hash: self.program_hash,
            inputs: self.inputs.clone(),
            outputs: self.outputs(num_outputs),
            memory: self.memory.clone(),
        }
    }
}

/// Number of trace rows for an execution of `cycles` cycles: the cycles plus at least one
/// halted row, rounded up to a power of two. (An execution whose cycles are exactly a power of
/// two and whose last row runs nothing may end on its last row instead: see [`build_trace`].)
pub fn trace_length(cycles: usize) -> usize {
    (cycles.max(CYCLE_LEN) + 1).next_power_of_two().max(MIN_TRACE_LENGTH)
}

/// Number of trace rows for an execution of `cycles` cycles whose tables need `table_rows`
/// rows: [`trace_length`], or exactly `cycles` when they are a power of two, the last row runs
/// nothing and the tables fit (the execution then ends on its last row).
pub(crate) fn rows_for(cycles: usize, last_row_noop: bool, table_rows: usize) -> usize {
    let exact =
        cycles > 0 && last_row_noop && cycles.is_power_of_two() && cycles >= MIN_TRACE_LENGTH && table_rows <= cycles;
    if exact {
        cycles
    } else {
        trace_length(cycles).max(table_rows.next_power_of_two())
    }
}

struct TraceRecorder {
    columns: Vec<Vec<Felt>>,
    cycles: Vec<Cycle>,
    /// The sponge's states on the rows of each `hperm` cycle, in order: its input, then the
    /// state after each round.
    permutations: Vec<[[Felt; HASHER_WIDTH]; CYCLE_LEN]>,
}

fn inv_or_zero(x: Felt) -> Felt {
    if x == Felt::ZERO {
        Felt::ZERO
    } else {
        x.inv()
    }
}

/// Writes the execution columns of one row: op bits, stack, depth, range-check limbs, helper,
/// and, in a trace already widened to the memory variant ([`widen`]), the overflow-stack
/// columns (`shift`: how the row's operation moves the stack).
fn write_state(columns: &mut [Vec<Felt>], opcode: u8, vm: &Vm, pops: u64, aux: Felt, shift: i8) {
    for k in 0..NUM_OP_BITS {
        columns[OP_BITS + k].push(Felt::from((opcode >> k) & 1));
    }
    for (i, v) in vm.stack.iter().enumerate() {
        columns[STACK + i].push(*v);
    }
    let depth = vm.depth as u64;
    columns[DEPTH].push(Felt::new(depth));
    // with values in the overflow table the limbs are not checked
    let diff = if vm.depth > STACK_DEPTH { 0 } else { depth.saturating_sub(pops) };
    columns[RC_LO].push(Felt::new(diff % 8));
    columns[RC_HI].push(Felt::new(diff / 8));
    columns[AUX].push(aux);
    if columns.len() < FULL_TRACE_WIDTH {
        return;
    }
    let ptr = Felt::new(vm.overflow_ptr());
    let spill = shift > 0 && vm.depth >= STACK_DEPTH;
    let fill = shift < 0 && vm.depth > STACK_DEPTH;
    let link = match vm.overflow.len() {
        k if fill && k >= 2 => Felt::new(vm.overflow[k - 2].1),
        _ => Felt::ZERO,
    };
    columns[OVF].push(Felt::from(vm.depth > STACK_DEPTH));
    columns[OV_PTR].push(ptr);
    columns[OV_INV].push(inv_or_zero(ptr));
    columns[OV_LINK].push(link);
    columns[OV_H].push(inv_or_zero(Felt::new(depth) - Felt::new(STACK_DEPTH as u64)));
    columns[SPILL].push(Felt::from(spill));
    columns[FILL].push(Felt::from(fill));
    let values = u32_values(opcode, &vm.stack);
    for (k, v) in values.iter().enumerate() {
        columns[U32_LIMBS + 2 * k].push(Felt::new(v & 0xffff));
        columns[U32_LIMBS + 2 * k + 1].push(Felt::new(v >> 16));
    }
}

/// Whether an opcode is a u32 operation (whose limbs need the memory variant's columns).
fn is_u32(opcode: u8) -> bool {
    use opcodes::*;
    matches!(opcode, U32ASSERT2 | U32SPLIT | U32ADD | U32SUB | U32MUL | U32DIVMOD | U32LT)
}

/// The three 32-bit values a u32 operation on the stack `s` writes as limbs (see the AIR's
/// `evaluate_u32`): operands and result, results, or results and `b − r − 1`. Zeros for other
/// operations, and for operands out of range (execution then stops with an error).
fn u32_values(opcode: u8, s: &[Felt; STACK_DEPTH]) -> [u64; 3] {
    use opcodes::*;
    let (b, a) = (s[0].as_int(), s[1].as_int());
    let m = u32::MAX as u64;
    if !is_u32(opcode) || (opcode != U32SPLIT && (a > m || b > m)) {
        return [0; 3];
    }
    match opcode {
        U32ASSERT2 => [b, a, 0],
        U32ADD => [b, a, (a + b) & m],
        U32SUB | U32LT => [b, a, a.wrapping_sub(b) & m],
        U32SPLIT => [b & m, b >> 32, 0],
        U32MUL => [(a * b) & m, (a * b) >> 32, 0],
        _ if b == 0 => [0; 3],
        _ => [a / b, a % b, b - a % b - 1],
    }
}

/// Adds the memory variant's columns to a trace recorded so far without them. Until the first
/// spill the overflow table is empty, so its columns are zero but for `ov_h` (the inverse of
/// `depth − 16`); the tables are filled after execution. Executions that never need the memory
/// variant (most) are recorded narrow and skip this work.
fn widen(columns: &mut Vec<Vec<Felt>>) {
    let len = columns[DEPTH].len();
    // the overflow columns catch up with the rows recorded so far; the tables come later
    columns.resize_with(FULL_TRACE_WIDTH, Vec::new);
    for c in (OVF..=FILL).chain(U32_LIMBS..U32_LIMBS + NUM_U32_LIMBS) {
        columns[c] = vec![Felt::ZERO; len];
    }
    let sixteen = Felt::new(STACK_DEPTH as u64);
    columns[OV_H] = columns[DEPTH].iter().map(|d| inv_or_zero(*d - sixteen)).collect();
}

impl Recorder for TraceRecorder {
    const RECORDS: bool = true;
    fn row(&mut self, vm: &Vm, opcode: u8, pops: u64, aux: Felt, shift: i8) {
        let needs_wide = (shift > 0 && vm.depth >= STACK_DEPTH)
            || is_u32(opcode)
            || matches!(opcode, opcodes::U32XOR | opcodes::U32ANDXOR);
        if needs_wide && self.columns.len() < FULL_TRACE_WIDTH {
            widen(&mut self.columns);
        }
        write_state(&mut self.columns, opcode, vm, pops, aux, shift);
    }
    fn cycle(&mut self, cycle: Cycle) {
        self.cycles.push(cycle);
    }
    fn permute(&mut self, state: &mut [Felt; HASHER_WIDTH]) {
        let mut states = [*state; CYCLE_LEN];
        for r in 0..rescue::NUM_ROUNDS {
            crate::rescue::apply_round(state, r);
            states[r + 1] = *state;
        }
        self.permutations.push(states);
    }
}

/// A control-stack entry as the trace builder tracks it (its tag and data live in the rows
/// that push and pop it; the builder needs the key and the link).
struct Entry {
    key: Felt,
    link: Felt,
}

/// The decoder columns: sponge, batch, control kinds, emit flag, clock, control stack, halt.
struct Decoder<'a> {
    columns: &'a mut [Vec<Felt>],
    stack: Vec<Entry>,
    /// The round states of the `hperm` cycles still to write, computed during execution.
    permutations: core::slice::Iter<'a, [[Felt; HASHER_WIDTH]; CYCLE_LEN]>,
}

enum CsOp {
    None,
    Push,
    Pop,
}

impl Decoder<'_> {
    fn ptr(&self) -> Felt {
        self.stack.last().map_or(Felt::ZERO, |e| e.key)
    }

    fn write(&mut self, row: usize, h: &[Felt; HASHER_WIDTH], b: &[Felt], kind: Option<usize>, emit: bool, op: CsOp) {
        let ptr = self.ptr();
        let c = &mut *self.columns;
        for (k, v) in h.iter().enumerate() {
            c[HASHER + k][row] = *v;
        }
        for (k, v) in b.iter().enumerate() {
            c[BATCH + k][row] = *v;
        }
        if let Some(kind) = kind {
            c[CTL + kind][row] = Felt::ONE;
        }
        c[EMIT][row] = Felt::from(emit);
        c[CLK][row] = Felt::new(row as u64 + 1);
        c[CS_PTR][row] = ptr;
        match op {
            CsOp::None => {}
            CsOp::Push => {
                self.stack.push(Entry { key: Felt::new(row as u64 + 1), link: ptr });
            }
            CsOp::Pop => {
                // the processor only pops what it pushed; a mismatch is a bug here, caught by
                // the AIR check. The popped entry's link goes into the (idle) helper column.
                if let Some(e) = self.stack.pop() {
                    c[CS_PREV][row] = e.link;
                }
            }
        }
    }

    /// Writes the 8 rows of a cycle starting at `base` whose sponge starts from `state`: one
    /// round per row (or, given `states`, the rounds' states computed already), `batch(j)` the
    /// batch columns and `op(j)` the control-stack operation of row `j`.
    #[allow(clippy::too_many_arguments)]
    fn rows<'b>(
        &mut self,
        base: usize,
        state: &mut [Felt; HASHER_WIDTH],
        states: Option<&[[Felt; HASHER_WIDTH]; CYCLE_LEN]>,
        kind: Option<usize>,
        emit: bool,
        batch: impl Fn(usize) -> &'b [Felt],
        op: impl Fn(usize) -> CsOp,
    ) {
        for j in 0..CYCLE_LEN {
            if let Some(states) = states {
                *state = states[j];
            }
            self.write(base + j, state, batch(j), kind, emit, op(j));
            if j < rescue::NUM_ROUNDS && states.is_none() {
                crate::rescue::apply_round(state, j);
            }
        }
    }

    /// Writes the cycle starting at `base`; `root_final` on the root block's last cycle, whose
    /// digest is checked against the program hash instead of being pushed.
    fn cycle(&mut self, base: usize, cycle: &Cycle, state: &mut [Felt; HASHER_WIDTH], root_final: bool) {
        // a cycle that emits pushes its block's digest on its last row, but the root's is
        // compared with the program hash instead
        let push_last =
            |emit: bool, j: usize| if j + 1 == CYCLE_LEN && emit && !root_final { CsOp::Push } else { CsOp::None };
        match cycle {
            Cycle::Span { batch, fresh, emit, len } => {
                if *fresh {
                    *state = [Felt::ZERO; HASHER_WIDTH];
                    state[0] = Felt::new(*len as u64);
                }
                for (k, e) in batch.iter().enumerate() {
                    state[RATE_OFFSET + k] += *e;
                }
                self.rows(base, state, None, None, *emit, |j| &batch[j..], |j| push_last(*emit, j));
            }
            Cycle::HPerm { input, count, emit } => {
                *state = *input;
                // b[0] counts the chain's cycles (the emitted hash depends on it)
                let mut batch = [Felt::ZERO; BATCH_LEN];
                batch[0] = Felt::new(*count as u64);
                // the VM computed the rounds; records that do not match would be a bug (asserted
                // in debug builds), and the rounds are then recomputed, so the rows stay right
                let states = self.permutations.next().filter(|s| s[0] == *input);
                debug_assert!(states.is_some(), "one recorded permutation per hperm cycle, in order");
                self.rows(base, state, states, Some(KIND_HPERM), *emit, |_| &batch, |j| push_last(*emit, j));
            }
            Cycle::Control { kind, batch, emit, cond } => {
                let (kind, emit, cond) = (*kind, *emit, *cond);
                *state = [Felt::ZERO; HASHER_WIDTH];
                state[0] = Felt::new(BATCH_LEN as u64);
                state[1] = Felt::new(kind_domain(kind));
                state[RATE_OFFSET..].copy_from_slice(batch);
                let op = |j| match (kind, j) {
                    (KIND_JOIN | KIND_END_TRUE | KIND_END_FALSE | KIND_REPEAT, 0 | 1) => CsOp::Pop,
                    (KIND_SPLIT, 0) => CsOp::Push,
                    (KIND_LOOP, 0) if cond => CsOp::Push,
                    (KIND_REPEAT, 7) if !emit => CsOp::Push,
                    _ => push_last(emit, j),
                };
                self.rows(base, state, None, Some(kind), emit, |_| batch, op);
            }
        }
    }
}

/// Runs a program and records its execution trace.
pub fn build_trace(program: &Program, inputs: &ProgramInputs) -> Result<ExecutionTrace, ExecutionError> {
    record(program, Vm::new(inputs), inputs, 0)
}

/// [`build_trace`], padded with halted rows to at least `min_length` rows (a power of two):
/// a hiding proof needs a trace of some length whatever the execution's.
pub fn build_trace_with_min_length(
    program: &Program,
    inputs: &ProgramInputs,
    min_length: usize,
) -> Result<ExecutionTrace, ExecutionError> {
    record(program, Vm::new(inputs), inputs, min_length)
}

/// [`build_trace_with_min_length`] that stops, with [`ExecutionError::Cancelled`], at the first
/// cycle boundary after `cancel` is set (by another thread) or past `max_cycles` cycles (capped
/// at [`crate::MAX_CYCLES`]). A prover runs the program without recording ([`crate::execute`],
/// which fails fast and measures the trace) at the same time as it records the trace, cancels
/// the recording if the run fails or the trace would not fit, and caps it at the longest trace
/// that fits, so that a refused execution never records more than that: on two cores the check
/// costs no time.
pub fn build_trace_cancellable(
    program: &Program,
    inputs: &ProgramInputs,
    min_length: usize,
    max_cycles: usize,
    cancel: &AtomicBool,
) -> Result<ExecutionTrace, ExecutionError> {
    let mut vm = Vm::new(inputs);
    vm.cancel = Some(cancel);
    vm.max_cycles = max_cycles.min(crate::MAX_CYCLES);
    record(program, vm, inputs, min_length)
}

/// [`build_trace_with_min_length`] with deliberate faults: the trace of an execution that
/// breaks the VM's rules, for soundness tests (it does not satisfy the AIR).
#[cfg(feature = "fault-injection")]
pub fn build_trace_with_faults(
    program: &Program,
    inputs: &ProgramInputs,
    faults: crate::vm::Faults,
    min_length: usize,
) -> Result<ExecutionTrace, ExecutionError> {
    let mut vm = Vm::new(inputs);
    vm.faults = faults;
    record(program, vm, inputs, min_length)
}

fn record(
    program: &Program,
    mut vm: Vm,
    inputs: &ProgramInputs,
    min_length: usize,
) -> Result<ExecutionTrace, ExecutionError> {
    // --- execution: op bits, stack, depth, range-check limbs, helper, overflow; the cycle log --
    let mut rec =
        TraceRecorder { columns: vec![Vec::new(); TRACE_WIDTH], cycles: Vec::new(), permutations: Vec::new() };
    vm.record_accesses = true;
    vm.run(program.root(), &mut rec)?;
    vm.check_end()?;
    let m = vm.cycle;
    // an execution with memory, initial memory or more than 16 values on the stack needs the
    // memory variant's columns
    let memory =
        !vm.accesses.is_empty() || vm.num_u32_ops > 0 || !inputs.memory().is_empty() || vm.max_depth > STACK_DEPTH;
    let mut columns = rec.columns;
    if memory && columns.len() < FULL_TRACE_WIDTH {
        widen(&mut columns);
    }
    // bitwise operations (u32 operations: the memory columns are there) need the bitwise table,
    // filled below
    let bitwise = vm.num_bitwise_ops > 0;
    if bitwise {
        columns.resize_with(BITWISE_TRACE_WIDTH, Vec::new);
    }
    let u32_limbs = if memory { &columns[U32_LIMBS..U32_LIMBS + NUM_U32_LIMBS] } else { &[][..] };
    let table = memory.then(|| MemoryTable::new(inputs.memory(), &vm.accesses, u32_limbs));
    let needed = table.as_ref().map_or(0, |t| t.rows_needed()).max(vm.bitwise_rows());
    // an execution that fills a power of two exactly and whose last row is a noop (a control
    // or hperm cycle, or a padded span) ends on that row, with no halted row after it (the AIR
    // checks the program hash there instead): half the trace of the general rule
    let last_is_noop = m > 0 && (0..NUM_OP_BITS).all(|k| columns[OP_BITS + k][m - 1] == Felt::ZERO);
    debug_assert_eq!(last_is_noop, m > 0 && vm.last_row_noop, "the VM's account of the last row");
    let n = rows_for(m, last_is_noop, needed).max(min_length.next_power_of_two());
    for _ in m..n {
        write_state(&mut columns, opcodes::NOOP, &vm, 0, Felt::ZERO, 0);
    }
    // the decoder's and the tables' columns (not recorded during execution) are filled below
    for col in columns.iter_mut().filter(|c| c.is_empty()) {
        *col = vec![Felt::ZERO; n];
    }
    if let Some(t) = &table {
        t.write(&mut columns);
    }
    if bitwise {
        write_bitwise_table(&mut columns, &vm.bitwise);
    }

    // --- decoder: sponge, batches, control flow, control stack, halt -------------------------
    let mut decoder = Decoder { columns: &mut columns, stack: Vec::new(), permutations: rec.permutations.iter() };
    let mut state = [Felt::ZERO; HASHER_WIDTH];
    let last = rec.cycles.len().saturating_sub(1);
    for (i, cycle) in rec.cycles.iter().enumerate() {
        decoder.cycle(i * CYCLE_LEN, cycle, &mut state, i == last);
    }
    debug_assert!(decoder.permutations.len() == 0, "every recorded permutation written");
    // halted cycles: a span of noops that never emits
    for (i, base) in (m..n).step_by(CYCLE_LEN).enumerate() {
        let cycle = Cycle::Span { batch: [Felt::ZERO; 8], fresh: i == 0, emit: false, len: 0 };
        decoder.cycle(base, &cycle, &mut state, false);
    }
    for v in &mut columns[HALT][m..] {
        *v = Felt::ONE;
    }

    Ok(ExecutionTrace {
        columns,
        program_hash: crate::program_hash(program),
        inputs: inputs.public().to_vec(),
        memory: inputs.memory().to_vec(),
        final_stack: vm.stack_values(),
        cycles: m,
    })
}

/// Writes the bitwise table: a cycle of 8 rows per pair `(x, y)` looked up, in the pairs' order,
/// with `x`, `y` and `x AND y` taking 4 bits a row (most significant first) and the number of
/// lookups on the cycle's last row. The rows after them stay zero (a table of zero pairs, which
/// answers nothing).
fn write_bitwise_table(columns: &mut [Vec<Felt>], pairs: &std::collections::BTreeMap<(u32, u32), u64>) {
    const ROWS: usize = CYCLE_LEN;
    for (j, (&(x, y), &count)) in pairs.iter().enumerate() {
        for k in 0..ROWS {
            let r = j * ROWS + k;
            // the bits still to come after this row
            let rest = (BW_BITS_PER_ROW * (ROWS - 1 - k)) as u32;
            columns[BW_X][r] = Felt::from(x >> rest);
            columns[BW_Y][r] = Felt::from(y >> rest);
            columns[BW_AND][r] = Felt::from((x & y) >> rest);
            for b in 0..BW_BITS_PER_ROW {
                columns[BW_X_BITS + b][r] = Felt::from((x >> (rest + b as u32)) & 1);
                columns[BW_Y_BITS + b][r] = Felt::from((y >> (rest + b as u32)) & 1);
            }
        }
        columns[BW_MULT][j * ROWS + ROWS - 1] = Felt::new(count);
    }
}

/// The memory table (initial memory and every access, sorted by address and clock) and the
/// range table its gaps are looked up in.
struct MemoryTable {
    rows: Vec<Access>,
    /// The 16-bit limbs of each row's gap (to the next row, or from the last address to 2^32 − 1).
    limbs: Vec<(u64, u64)>,
    /// The range table's values: 0 to 2^16 − 1 through every limb value, in allowed steps.
    range: Vec<u64>,
}

impl MemoryTable {
    fn new(initial: &[(u32, Word)], accesses: &[Access], u32_limbs: &[Vec<Felt>]) -> Self {
        // the anchor: the table starts with the word at address 0 (zero unless initial memory sets it)
        let anchor = initial.first().filter(|(a, _)| *a == 0).is_none().then_some((0u32, [Felt::ZERO; 4]));
        let mut rows: Vec<Access> = anchor
            .iter()
            .chain(initial)
            .map(|(addr, word)| Access { addr: *addr, clk: 0, write: true, element: false, word: *word })
            .chain(accesses.iter().copied())
            .collect();
        // stable: accesses at one address keep their clock order
        rows.sort_by_key(|a| (a.addr, a.clk));
        let limbs: Vec<(u64, u64)> = (0..rows.len())
            .map(|i| {
                let gap = match rows.get(i + 1) {
                    Some(next) if next.addr != rows[i].addr => (next.addr - rows[i].addr) as u64,
                    Some(next) => next.clk - rows[i].clk,
                    None => (u32::MAX - rows[i].addr) as u64,
                };
                (gap & 0xffff, gap >> 16)
            })
            .collect();
        let values = limbs.iter().flat_map(|(lo, hi)| [*lo, *hi]);
        let range = range_table(values.chain(u32_limbs.iter().flatten().map(|v| v.as_int())));
        MemoryTable { rows, limbs, range }
    }

    /// Rows the trace needs: every table row plus an inactive one, and the range table.
    fn rows_needed(&self) -> usize {
        (self.rows.len() + 1).max(self.range.len())
    }

    fn write(&self, columns: &mut [Vec<Felt>]) {
        for (r, a) in self.rows.iter().enumerate() {
            columns[M_ADDR][r] = Felt::from(a.addr);
            columns[M_CLK][r] = Felt::new(a.clk);
            for i in 0..4 {
                columns[M_VALUE + i][r] = a.word[i];
            }
            columns[M_WRITE][r] = Felt::from(a.write);
            columns[M_ELEMENT][r] = Felt::from(a.element);
            columns[M_ACTIVE][r] = Felt::ONE;
            if let Some(next) = self.rows.get(r + 1) {
                columns[M_INV][r] = inv_or_zero(Felt::from(next.addr) - Felt::from(a.addr));
            }
            columns[M_LIMB_LO][r] = Felt::new(self.limbs[r].0);
            columns[M_LIMB_HI][r] = Felt::new(self.limbs[r].1);
        }
        // every row looks up its limbs (zeros on inactive rows)
        write_range_table(columns, &self.range);
    }
}
