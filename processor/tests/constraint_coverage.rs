#![allow(clippy::needless_range_loop)] // cell edits are written by row number
//! Constraint coverage: for every constraint of the AIR, a valid trace with the cell (or the
//! smallest consistent set of cells) that constraint governs changed, and the debug checker
//! must name exactly that constraint, at exactly that step, as the first failure.

use distaff_air::debug::{check_trace, ConstraintFailure};
use distaff_air::layout::*;
use distaff_air::{opcodes, rescue, Instruction, Instruction::*, Program, PublicInputs};
use distaff_math::{Felt, FieldElement};
use distaff_processor::{build_trace, ProgramInputs};
use winter_crypto::hashers::Rp64_256;

fn f(v: u64) -> Felt {
    Felt::new(v)
}

struct Case {
    columns: Vec<Vec<Felt>>,
    public: PublicInputs,
}

fn case(program: Vec<Instruction>, public: Vec<u64>, secret: Vec<u64>) -> Case {
    let program = Program::new(program).unwrap();
    let inputs = ProgramInputs::new(public.into_iter().map(f).collect(), secret.into_iter().map(f).collect()).unwrap();
    let trace = build_trace(&program, &inputs).unwrap();
    let public = trace.public_inputs(2);
    let columns = trace.into_columns();
    check_trace(&columns, &public).expect("the honest trace is valid");
    Case { columns, public }
}

impl Case {
    fn set(&mut self, col: usize, row: usize, v: Felt) -> &mut Self {
        self.columns[col][row] = v;
        self
    }
    fn add(&mut self, col: usize, row: usize, v: Felt) -> &mut Self {
        self.columns[col][row] += v;
        self
    }
    fn set_opcode(&mut self, row: usize, opcode: u8) -> &mut Self {
        for k in 0..NUM_OP_BITS {
            self.columns[OP_BITS + k][row] = Felt::from((opcode >> k) & 1);
        }
        self
    }
    /// Re-runs the sponge over the trace's own batch columns from `from_cycle` on, keeping the
    /// hasher consistent after decoder edits.
    fn rehash_from(&mut self, from_cycle: usize) -> &mut Self {
        let n = self.columns[0].len();
        let base = from_cycle * CYCLE_LEN;
        let mut state: [Felt; HASHER_WIDTH] = core::array::from_fn(|k| self.columns[HASHER + k][base - 1]);
        for cycle in from_cycle..n / CYCLE_LEN {
            let base = cycle * CYCLE_LEN;
            for k in 0..BATCH_LEN {
                state[RATE_OFFSET + k] += self.columns[BATCH + k][base];
            }
            for j in 0..CYCLE_LEN {
                for k in 0..HASHER_WIDTH {
                    self.columns[HASHER + k][base + j] = state[k];
                }
                if j < rescue::NUM_ROUNDS {
                    rescue::apply_round(&mut state, j);
                }
            }
        }
        self
    }
    fn expect(&self, name: &str, index: usize, step: usize) {
        match check_trace(&self.columns, &self.public) {
            Err(ConstraintFailure { name: n, index: i, step: s, .. }) => {
                assert_eq!((n, i, s), (name, index, step), "expected {name}[{index}] at step {step}")
            }
            Ok(()) => panic!("expected {name}[{index}] at step {step}, but the trace passed"),
        }
    }
}

/// rows: 0 PUSH, 1 DATA(7), 2 PUSH, 3 DATA(3), 4 ADD, 5 DUP.0, 6 MUL, 7.. NOOP padding, halt at 8.
fn arith() -> Case {
    case(vec![Push(f(7)), Push(f(3)), Add, Dup(0), Mul], vec![], vec![])
}

#[test]
fn decoder_constraints() {
    arith().set(OP_BITS + 6, 4, f(2)).expect("op_bit_binary", 6, 4);
    for k in 0..NUM_OP_BITS {
        // pick a row whose other bits keep the next-row DATA flag of the previous step at zero:
        // ADD (0b100) has bit 1 clear, MUL (0b110) has bit 2 set
        let row = if k == 1 { 6 } else { 4 };
        let mut c = arith();
        let v = c.columns[OP_BITS + k][row] + f(5);
        c.set(OP_BITS + k, row, v).expect("op_bit_binary", k, row);
    }
    arith().set(OP_BITS + 5, 4, f(1)).expect("op_group_b_high_bit_zero", 0, 4);
    arith().set(OP_BITS, 4, f(1)).expect("element_is_opcode", 0, 4); // ADD -> SUB
    arith().set(OP_BITS + 1, 1, f(0)).expect("push_then_data", 0, 0); // DATA -> NOOP after PUSH
    arith().set_opcode(5, opcodes::DATA).expect("data_after_push", 0, 4);
}

#[test]
fn every_stack_slot_constraint() {
    for i in 0..STACK_DEPTH {
        let mut c = case(vec![Add, Noop], (1..=16).collect(), vec![]);
        c.add(STACK + i, 1, f(1)).expect("stack_slot", i, 0);
    }
}

#[test]
fn operation_constraints() {
    // inv: the result must be the inverse
    case(vec![Read, Inv], vec![], vec![5]).set(STACK, 2, f(7)).expect("inv", 0, 1);
    // not: operand must be binary (operand 5 with result 1 − 5, consistent with the update)
    case(vec![Read, Not], vec![], vec![0]).set(STACK, 1, f(5)).set(STACK, 2, f(1) - f(5)).expect("not_binary", 0, 1);
    // and / or: both operands binary
    case(vec![Read, Read, And], vec![], vec![1, 1]).set(STACK, 2, f(3)).set(STACK, 3, f(3)).expect("and_binary", 0, 2);
    case(vec![Read, Read, And], vec![], vec![1, 1])
        .set(STACK, 1, f(3))
        .set(STACK + 1, 2, f(3))
        .set(STACK, 3, f(3))
        .expect("and_binary", 1, 2);
    case(vec![Read, Read, Or], vec![], vec![1, 1]).set(STACK, 2, f(3)).expect("or_binary", 0, 2);
    case(vec![Read, Read, Or], vec![], vec![1, 1]).set(STACK, 1, f(3)).set(STACK + 1, 2, f(3)).expect(
        "or_binary",
        1,
        2,
    );
    // eq: claiming 1 for unequal values (with the helper zeroed so the update is consistent)
    case(vec![Read, Read, Eq], vec![], vec![2, 3]).set(AUX, 2, f(0)).set(STACK, 3, f(1)).expect("eq_result", 0, 2);
    // eqz: claiming 1 for a non-zero value (helper zeroed so the update is consistent)
    case(vec![Read, EqZ], vec![], vec![5]).set(AUX, 1, f(0)).set(STACK, 2, f(1)).expect("eqz_result", 0, 1);
    // neq: claiming 0 for unequal values
    case(vec![Read, Read, Neq], vec![], vec![3, 4]).set(AUX, 2, f(0)).set(STACK, 3, f(0)).expect("neq_result", 0, 2);
    // cswap / cdrop: a condition of 2, with every later row as the update makes it
    let mut c = case(vec![Read, Read, Read, CSwap], vec![], vec![10, 20, 1]);
    let n = c.columns[0].len();
    c.set(STACK, 3, f(2));
    for r in 4..n {
        c.set(STACK, r, f(0)).set(STACK + 1, r, f(30));
    }
    c.expect("cswap_binary", 0, 3);
    // assert / assert_eq
    case(vec![Read, Assert], vec![], vec![1]).set(STACK, 1, f(2)).expect("assert", 0, 1);
}

#[test]
fn depth_constraints() {
    arith().add(DEPTH, 5, f(1)).expect("depth_update", 0, 4);
    arith().add(RC_LO, 4, f(1)).expect("depth_not_below_pops", 0, 4);
    // depth − pops = 0 on row 0, written as 8 + 8·(−1): the low limb leaves its range
    arith().set(RC_LO, 0, f(8)).set(RC_HI, 0, -f(1)).expect("rc_lo_range", 0, 0);
    // ... or as 1 + 8·(−1/8): the high limb leaves its range
    arith().set(RC_LO, 0, f(1)).set(RC_HI, 0, -f(8).inv()).expect("rc_hi_range", 0, 0);
    arith().add(AUX, 0, f(1)).expect("stack_not_full", 0, 0);
}

#[test]
fn hasher_constraints() {
    // a perturbation of the next state by MDS·e_k moves only round residual k
    for k in 0..HASHER_WIDTH {
        let mut c = arith();
        for (r, row) in Rp64_256::MDS.iter().enumerate() {
            c.add(HASHER + r, 2, row[k]);
        }
        c.expect("rescue_round", k, 1);
    }
    for k in 0..RATE_OFFSET {
        // row 8 continues the span of 12 noops begun on row 0
        let mut c = case((0..12).map(|_| Noop).collect(), vec![], vec![]);
        c.add(HASHER + k, 8, f(1)).expect("absorb_capacity", k, 7);
    }
    for k in 0..BATCH_LEN {
        let mut c = case((0..12).map(|_| Noop).collect(), vec![], vec![]);
        c.add(HASHER + RATE_OFFSET + k, 8, f(1)).expect("absorb_rate", k, 7);
    }
    for k in 0..BATCH_LEN {
        arith().add(BATCH + k, 2, f(1)).expect("batch_shift", k, 1);
    }
}

#[test]
fn halting_constraints() {
    arith().set(HALT, 3, f(2)).expect("halt_step", 0, 2);
    arith().set(HALT, 3, f(1)).expect("halt_at_cycle_end", 0, 2);
    for k in 0..4 {
        let mut c = arith();
        c.public.program_hash[k] += f(1);
        c.expect("program_hash", k, 7);
    }
    // executing a real operation after halting (absorbed into the no-longer-checked sponge)
    for (op, bit) in [(opcodes::SWAP, 4), (opcodes::MOVUP, 5)] {
        let mut c = arith();
        c.set(BATCH, 16, Felt::from(op)).set_opcode(16, op).set(RC_LO, 16, f(0)).rehash_from(2);
        c.expect("halted_noop", bit, 16);
    }
}

#[test]
fn boundary_constraints() {
    for i in 0..STACK_DEPTH {
        arith().add(STACK + i, 0, f(1)).expect("initial_stack", i, 0);
    }
    arith().add(DEPTH, 0, f(1)).expect("initial_depth", 0, 0);
    arith().set(HALT, 0, f(1)).expect("initial_halt", 0, 0);
    for k in 1..RATE_OFFSET {
        arith().add(HASHER + k, 0, f(1)).expect("initial_capacity", k, 0);
    }
    for k in 0..BATCH_LEN {
        arith().add(HASHER + RATE_OFFSET + k, 0, f(1)).expect("initial_rate", k, 0);
    }
    arith().set_opcode(0, opcodes::DATA).expect("first_row_not_data", 0, 0);
    // never halting avoids the hash check at the halt, but a last row that is not halted must
    // then close the root's final cycle (emit the program hash) itself
    // (the root digest is pushed on the control stack instead, keyed 8 by row 7)
    let mut c = arith();
    let n = c.columns[0].len();
    for r in 8..n {
        c.set(HALT, r, f(0)).set(CS_PTR, r, f(8));
    }
    c.expect("final_row_emits", 0, n - 1);
    for i in 0..2 {
        let mut c = arith();
        c.public.outputs[i] += f(1);
        c.expect("outputs", i, n - 1);
    }
}
