//! Recording the execution trace.

use distaff_air::layout::*;
use distaff_air::{opcodes, rescue, Instruction, Program, PublicInputs, Word, MIN_TRACE_LENGTH};
use distaff_math::{Felt, FieldElement};

use crate::vm::{ExecutionError, ProgramInputs, Vm};

/// An execution trace in the layout of [`distaff_air::layout`], column-major
/// (`columns()[column][row]`), together with the claim it supports.
#[derive(Clone, Debug)]
pub struct ExecutionTrace {
    columns: Vec<Vec<Felt>>,
    program_hash: Word,
    inputs: Vec<Felt>,
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
        }
    }
}

/// Number of trace rows for a program of `num_elements` stream elements: the hashing cycles
/// plus at least one halted row, rounded up to a power of two.
pub fn trace_length(num_elements: usize) -> usize {
    let cycles = num_elements.div_ceil(CYCLE_LEN).max(1);
    (cycles * CYCLE_LEN + 1).next_power_of_two().max(MIN_TRACE_LENGTH)
}

fn pops(inst: &Instruction) -> u64 {
    use Instruction::*;
    match inst {
        Noop | Push(_) | Read => 0,
        Neg | Inv | Not | Drop | Assert => 1,
        Add | Sub | Mul | And | Or | Eq | AssertEq => 2,
        Dup(n) | Swap(n) | MovUp(n) | MovDn(n) => *n as u64 + 1,
    }
}

struct Rows {
    columns: Vec<Vec<Felt>>,
}

impl Rows {
    fn write_state(&mut self, r: usize, opcode: u8, stack: &[Felt; STACK_DEPTH], depth: usize, pops: u64, aux: Felt) {
        for k in 0..NUM_OP_BITS {
            self.columns[OP_BITS + k][r] = Felt::from((opcode >> k) & 1);
        }
        for (i, v) in stack.iter().enumerate() {
            self.columns[STACK + i][r] = *v;
        }
        self.columns[DEPTH][r] = Felt::new(depth as u64);
        let diff = (depth as u64).saturating_sub(pops);
        self.columns[RC_LO][r] = Felt::new(diff % 8);
        self.columns[RC_HI][r] = Felt::new(diff / 8);
        self.columns[AUX][r] = aux;
    }
}

/// Runs a program and records its execution trace.
pub fn build_trace(program: &Program, inputs: &ProgramInputs) -> Result<ExecutionTrace, ExecutionError> {
    let elements = program.elements();
    let m = elements.len();
    let n = trace_length(m);
    let mut rows = Rows { columns: vec![vec![Felt::ZERO; n]; TRACE_WIDTH] };

    // --- execution: op bits, stack, depth, range-check limbs, helper ---------------------------
    let mut vm = Vm::new(inputs);
    let mut r = 0;
    let sixteen = Felt::new(STACK_DEPTH as u64);
    for (i, inst) in program.instructions().iter().enumerate() {
        let stack = vm.stack;
        let depth = vm.depth;
        vm.step(i, *inst)?;
        let aux = match inst {
            Instruction::Eq if stack[1] != stack[0] => (stack[1] - stack[0]).inv(),
            Instruction::Push(_) | Instruction::Read | Instruction::Dup(_) => (Felt::new(depth as u64) - sixteen).inv(),
            _ => Felt::ZERO,
        };
        rows.write_state(r, inst.opcode(), &stack, depth, pops(inst), aux);
        r += 1;
        if let Instruction::Push(_) = inst {
            rows.write_state(r, opcodes::DATA, &vm.stack, vm.depth, 0, Felt::ZERO);
            r += 1;
        }
    }
    debug_assert_eq!(r, m);
    for row in m..n {
        rows.write_state(row, opcodes::NOOP, &vm.stack, vm.depth, 0, Felt::ZERO);
    }

    // --- decoder: batches, sponge, halt ---------------------------------------------------------
    let halt_row = m.div_ceil(CYCLE_LEN).max(1) * CYCLE_LEN;
    let mut state = [Felt::ZERO; HASHER_WIDTH];
    state[0] = Felt::new(m as u64);
    for cycle in 0..n / CYCLE_LEN {
        let base = cycle * CYCLE_LEN;
        let batch: [Felt; BATCH_LEN] = core::array::from_fn(|k| elements.get(base + k).copied().unwrap_or(Felt::ZERO));
        for (k, e) in batch.iter().enumerate() {
            state[RATE_OFFSET + k] += *e;
        }
        for j in 0..CYCLE_LEN {
            let row = base + j;
            for (k, v) in state.iter().enumerate() {
                rows.columns[HASHER + k][row] = *v;
            }
            for k in 0..BATCH_LEN - j {
                rows.columns[BATCH + k][row] = batch[j + k];
            }
            if row >= halt_row {
                rows.columns[HALT][row] = Felt::ONE;
            }
            if j < rescue::NUM_ROUNDS {
                rescue::apply_round(&mut state, j);
            }
        }
    }

    Ok(ExecutionTrace {
        columns: rows.columns,
        program_hash: program.hash(),
        inputs: inputs.public().to_vec(),
        final_stack: vm.stack_values(),
        cycles: vm.cycle,
    })
}
