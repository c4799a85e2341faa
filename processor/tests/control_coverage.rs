#![allow(clippy::needless_range_loop)] // cell edits are written by row number
//! Constraint coverage for flow control: for every constraint of the control cycles, the
//! control stack and its running product, one changed cell (or the smallest consistent set of
//! cells) makes the debug checker report that constraint at that step.

use distaff_air::debug::{all_failures, check_trace, debug_challenges};
use distaff_air::layout::*;
use distaff_air::{Air, ConstraintKind, ProcessorAir, PublicInputs};
use distaff_math::{Felt, QuadFelt};
use distaff_processor::{build_trace, ProgramInputs};

fn f(v: u64) -> Felt {
    Felt::new(v)
}

/// Runs two splits (one of each condition), a loop of two iterations and the joins between.
const SRC: &str = "begin push.0 push.1 if.true push.5 add end push.0 if.true push.9 else push.1 end \
                   while.true push.1 add dup push.6 eq end end";

#[derive(Clone)]
struct Case {
    columns: Vec<Vec<Felt>>,
    public: PublicInputs,
    aux: Option<Vec<Vec<QuadFelt>>>,
}

fn case_of(src: &str) -> Case {
    let program = distaff_assembly::assemble(src).unwrap();
    let trace = build_trace(&program, &ProgramInputs::default()).unwrap();
    let public = trace.public_inputs(1);
    let columns = trace.into_columns();
    check_trace(&columns, &public).expect("the honest trace is valid");
    Case { columns, public, aux: None }
}

fn case() -> Case {
    case_of(SRC)
}

impl Case {
    fn n(&self) -> usize {
        self.columns[0].len()
    }
    /// The first row of the `i`-th cycle (0-based) of the given control kind.
    fn cycle(&self, kind: usize, i: usize) -> usize {
        (0..self.n()).step_by(CYCLE_LEN).filter(|r| self.columns[CTL + kind][*r] == f(1)).nth(i).expect("such a cycle")
    }
    /// The first halted row.
    fn halt_row(&self) -> usize {
        (0..self.n()).find(|r| self.columns[HALT][*r] == f(1)).unwrap()
    }
    fn set(&mut self, col: usize, row: usize, v: Felt) -> &mut Self {
        self.columns[col][row] = v;
        self
    }
    fn add(&mut self, col: usize, row: usize, v: Felt) -> &mut Self {
        self.columns[col][row] += v;
        self
    }
    fn expect(&self, name: &str, index: usize, step: usize) {
        let air = ProcessorAir::new(self.public.clone(), self.n());
        let found = all_failures(&air, &self.columns, self.aux.as_deref());
        assert!(
            found.iter().any(|f| f.name == name && f.index == index && f.step == step),
            "expected {name}[{index}] at step {step}; found {:?}",
            found.iter().take(8).map(|f| (f.name, f.index, f.step)).collect::<Vec<_>>()
        );
    }
}

#[test]
fn the_case_has_every_kind_of_cycle() {
    let c = case();
    for kind in (0..NUM_KINDS).filter(|k| *k != KIND_HPERM) {
        c.cycle(kind, 0);
    }
    assert!(c.cycle(KIND_REPEAT, 1) > c.cycle(KIND_REPEAT, 0));
}

#[test]
fn control_kind_constraints() {
    let c = case();
    let split = c.cycle(KIND_SPLIT, 0);
    case().set(OP_BITS + 2, split + 3, f(1)).expect("control_row_is_noop", 0, split + 3);
    for k in 0..NUM_KINDS {
        case().set(CTL + k, split + 2, f(2)).expect("ctl_binary", k, split + 2);
        // changing the kind in the middle of a cycle
        case().set(CTL + k, split + 4, f(1) - c.columns[CTL + k][split + 4]).expect(
            "ctl_constant_in_cycle",
            k,
            split + 3,
        );
    }
    case().set(CTL + KIND_JOIN, split + 2, f(1)).expect("ctl_one_kind", 0, split + 2);
    case().set(EMIT, split + 2, f(2)).expect("emit_binary", 0, split + 2);
    case().set(EMIT, split + 5, f(1)).expect("emit_constant_in_cycle", 0, split + 4);
    let join = c.cycle(KIND_JOIN, 0);
    case().set(EMIT, join + 2, f(0)).expect("join_end_emit", 0, join + 2);
    let end = c.cycle(KIND_END_TRUE, 0);
    case().set(EMIT, end + 2, f(0)).expect("join_end_emit", 0, end + 2);
    let end = c.cycle(KIND_END_FALSE, 0);
    case().set(EMIT, end + 2, f(0)).expect("join_end_emit", 0, end + 2);
    case().set(EMIT, split + 2, f(1)).expect("split_does_not_emit", 0, split + 2);
    let lp = c.cycle(KIND_LOOP, 0);
    case().set(EMIT, lp, f(1)).expect("loop_exit_on_zero", 0, lp);
    let rp = c.cycle(KIND_REPEAT, 0);
    case().set(EMIT, rp, f(1)).expect("loop_exit_on_zero", 0, rp);
    // a condition of 2 (with the rest of the stack as a pop of it leaves it)
    case().set(STACK, split, f(2)).expect("condition_binary", 0, split);
    for i in 0..4 {
        case().set(BATCH + 4 + i, lp + 3, f(9)).expect("loop_right_half_zero", i, lp + 3);
    }
    // the first span (rows 0..8) claims not to end, yet a split cycle follows
    case().set(EMIT, 7, f(0)).expect("span_ends_before_control", 0, 7);
}

#[test]
fn control_hasher_constraints() {
    let c = case();
    let split = c.cycle(KIND_SPLIT, 0);
    case().add(HASHER, split, f(1)).expect("absorb_capacity", 0, split - 1);
    let join = c.cycle(KIND_JOIN, 0);
    case().add(HASHER + 1, join, f(1)).expect("absorb_capacity", 1, join - 1);
    for k in 0..BATCH_LEN {
        // control cycles hold their batch
        case().add(BATCH + k, join + 3, f(1)).expect("batch_shift", k, join + 2);
    }
    // a program whose first cycle is a control cycle starts its sponge as one
    case_of_inputs("begin if.true push.1 end end", vec![0]).add(HASHER, 0, f(1)).expect("initial_capacity", 0, 0);
}

fn case_of_inputs(src: &str, public: Vec<u64>) -> Case {
    let program = distaff_assembly::assemble(src).unwrap();
    let inputs = ProgramInputs::new(public.into_iter().map(f).collect(), vec![]).unwrap();
    let trace = build_trace(&program, &inputs).unwrap();
    let public = trace.public_inputs(1);
    let columns = trace.into_columns();
    check_trace(&columns, &public).expect("the honest trace is valid");
    Case { columns, public, aux: None }
}

#[test]
fn control_stack_constraints() {
    let c = case();
    case().add(CLK, 5, f(1)).expect("clk", 0, 4);
    let join = c.cycle(KIND_JOIN, 0);
    case().add(CS_PTR, join + 1, f(1)).expect("cs_ptr", 0, join);
    // a changed link of a popped entry, the condition a split frame is tagged with, a batch
    // half a join pops, an end of the wrong kind: the entries popped are not the ones pushed, and
    // the product does not end at 1
    let n = c.n();
    case().add(CS_PREV, c.cycle(KIND_JOIN, 0), f(1)).expect("control_stack_product_end", 0, n - 1);
    let end = c.cycle(KIND_END_TRUE, 0);
    let mut t = case();
    for r in end..end + CYCLE_LEN {
        t.set(CTL + KIND_END_TRUE, r, f(0)).set(CTL + KIND_END_FALSE, r, f(1));
    }
    t.expect("control_stack_product_end", 0, n - 1);
    for k in 0..BATCH_LEN {
        let join = c.cycle(KIND_JOIN, 0);
        let mut t = case();
        for r in join..join + CYCLE_LEN {
            t.add(BATCH + k, r, f(1));
        }
        t.expect("control_stack_product_end", 0, n - 1);
    }
}

#[test]
fn running_product_constraints() {
    // the product column itself, tampered with (the prover builds it; a cheater need not)
    let c = case();
    let air = ProcessorAir::new(c.public.clone(), c.n());
    let honest = air.build_aux(&c.columns, &debug_challenges(air.num_aux_challenges()));
    let row = c.cycle(KIND_SPLIT, 0) + 3;
    let mut aux = honest.clone();
    aux[0][row] += QuadFelt::from(f(1));
    let t = Case { columns: c.columns.clone(), public: c.public.clone(), aux: Some(aux) };
    t.expect("control_stack_product", 0, row - 1);
    t.expect("control_stack_product", 0, row);
    let mut aux = honest;
    aux[0][0] += QuadFelt::from(f(1));
    let t = Case { columns: c.columns.clone(), public: c.public.clone(), aux: Some(aux) };
    t.expect("control_stack_product_start", 0, 0);
    assert_eq!(
        all_failures(&air, &t.columns, t.aux.as_deref()).iter().filter(|f| f.kind == ConstraintKind::LastRow).count(),
        0,
        "only the first row and its transition notice"
    );
}

#[test]
fn halting_and_boundary_constraints() {
    let c = case();
    let m = c.halt_row();
    let n = c.n();
    // the last running cycle does not emit: halting there is not allowed
    let mut t = case();
    for r in m - CYCLE_LEN..m {
        t.set(EMIT, r, f(0));
    }
    t.expect("halt_after_emit", 0, m - 1);
    case().set(CS_PTR, m - 1, f(5)).expect("halt_with_empty_control_stack", 0, m - 1);
    case().set(CTL + KIND_JOIN, m + 3, f(1)).expect("halted_no_control", 0, m + 3);
    case().set(EMIT, m + 3, f(1)).expect("halted_no_emit", 0, m + 3);
    case().add(CLK, 0, f(1)).expect("initial_clk", 0, 0);
    case().set(CS_PTR, 0, f(3)).expect("initial_cs_ptr", 0, 0);
    case().set(CS_PTR, n - 1, f(3)).expect("final_cs_ptr", 0, n - 1);
}

#[test]
fn straight_line_variant_constraints() {
    // a trace with control cycles violates the straight-line variant
    let c = case();
    let air = ProcessorAir::straight_line(c.public.clone(), c.n());
    let split = c.cycle(KIND_SPLIT, 0);
    let found = all_failures(&air, &c.columns, None);
    assert!(found.iter().any(|f| f.name == "straight_line_no_control" && f.step == split), "{found:?}");
    // a straight-line trace that emits before it halts (ending its span early) violates it too
    let mut t = case_of_inputs("begin push.1 push.2 push.3 push.4 push.5 add add add add end", vec![]);
    let air = ProcessorAir::straight_line(t.public.clone(), t.n());
    assert!(all_failures(&air, &t.columns, None).is_empty());
    for r in 0..CYCLE_LEN {
        t.set(EMIT, r, f(1));
    }
    let found = all_failures(&air, &t.columns, None);
    assert!(found.iter().any(|f| f.name == "straight_line_no_push" && f.step == 7), "{found:?}");
}

#[test]
fn hperm_constraints() {
    let public: Vec<u64> = (1..=13).collect();
    let c = case_of_inputs("begin push.1 hperm end", public.clone());
    let hp = c.cycle(KIND_HPERM, 0);
    // the sponge starts from the stack: any lane that does not is caught at the boundary
    for k in 0..HASHER_WIDTH {
        let name = if k < RATE_OFFSET { "absorb_capacity" } else { "absorb_rate" };
        let index = if k < RATE_OFFSET { k } else { k - RATE_OFFSET };
        case_of_inputs("begin push.1 hperm end", public.clone()).add(HASHER + k, hp, f(1)).expect(name, index, hp - 1);
    }
    // the permuted state is written back to slots 0..12 on the cycle's last row (from the
    // sponge, which holds it there)
    for k in 0..HASHER_WIDTH {
        case_of_inputs("begin push.1 hperm end", public.clone()).add(STACK + k, hp + CYCLE_LEN - 1, f(1)).expect(
            "stack_slot",
            k,
            hp + CYCLE_LEN - 2,
        );
    }
    // a chain's last cycle emits (the chain's hash): one that does not must be followed by
    // another hperm cycle
    let mut c = case_of_inputs("begin push.1 hperm end", public.clone());
    for r in hp..hp + CYCLE_LEN {
        c.set(EMIT, r, f(0));
    }
    c.expect("hperm_chain_continues", 0, hp + CYCLE_LEN - 1);
    // b[0] counts a chain's cycles: 1, then 2 (the emitted hash depends on it)
    let c = case_of_inputs("begin push.1 hperm hperm end", public.clone());
    let second = c.cycle(KIND_HPERM, 1);
    assert_eq!((c.columns[BATCH][hp], c.columns[BATCH][second]), (f(1), f(2)));
    let mut c = case_of_inputs("begin push.1 hperm hperm end", public.clone());
    for r in second..second + CYCLE_LEN {
        c.set(BATCH, r, f(3));
    }
    c.expect("hperm_chain_count", 0, second - 1);
    let mut c = case_of_inputs("begin hperm end", (1..=12).collect());
    for r in 0..CYCLE_LEN {
        c.set(BATCH, r, f(2));
    }
    c.expect("initial_hperm_chain_count", 0, 0);
    // a program that starts with hperm starts its sponge from the stack
    let first: Vec<u64> = (1..=12).collect();
    for k in 0..RATE_OFFSET {
        case_of_inputs("begin hperm end", first.clone()).add(HASHER + k, 0, f(1)).expect("initial_capacity", k, 0);
    }
    case_of_inputs("begin hperm end", first).add(HASHER + 5, 0, f(1)).expect("initial_rate", 1, 0);
}

#[test]
fn an_execution_that_fills_a_power_of_two_ends_on_its_last_row() {
    use distaff_air::debug::check_trace;
    // eight hperms: 64 cycles, a 64-row trace with no halted row; the output is the last
    // permutation's, on the last row
    let public: Vec<u64> = (1..=12).collect();
    let c = case_of_inputs("begin repeat.8 hperm end end", public.clone());
    assert_eq!(c.n(), 64);
    assert!(c.columns[HALT].iter().all(|h| *h == f(0)));
    let mut state: [Felt; 12] = core::array::from_fn(|i| f(public[i]));
    for _ in 0..8 {
        distaff_air::rescue::apply_permutation(&mut state);
    }
    assert_eq!(c.columns[STACK][63], state[0]);
    assert!(check_trace(&c.columns, &c.public).is_ok());
    // the last row must close the root's final cycle with the program hash, and run nothing
    case_of_inputs("begin repeat.8 hperm end end", public.clone()).set(EMIT, 63, f(0)).expect("final_row_emits", 0, 63);
    case_of_inputs("begin repeat.8 hperm end end", public.clone()).set(BATCH, 63, f(7)).expect(
        "final_row_program_hash",
        0,
        63,
    );
    case_of_inputs("begin repeat.8 hperm end end", public.clone()).set(OP_BITS, 63, f(1)).expect(
        "final_row_noop",
        0,
        63,
    );
    case_of_inputs("begin repeat.8 hperm end end", public.clone()).set(HALT, 63, f(2)).expect(
        "final_halt_binary",
        0,
        63,
    );
    // a span whose last element is an instruction needs a halted row after it
    let mut src = String::from("begin");
    for _ in 0..20 {
        src.push_str(" push.1 drop");
    }
    src.push_str(" push.2 dup add end"); // 64 elements, the last an add
    let c = case_of_inputs(&src, vec![5]);
    assert_eq!(c.n(), 128, "64 cycles ending on an add");
    assert_eq!(c.columns[HALT][64], f(1));
    // a forger who ends that trace on row 63 without running the add (a noop there, the add
    // still hashed in the span) claims the stack before it: the element must be a noop too
    let mut forged = c.clone();
    for col in forged.columns.iter_mut() {
        col.truncate(64);
    }
    for k in 0..NUM_OP_BITS {
        forged.columns[OP_BITS + k][63] = f(0);
    }
    forged.public.outputs = (0..forged.public.outputs.len()).map(|i| forged.columns[STACK + i][63]).collect();
    forged.expect("final_row_element_noop", 0, 63);
    assert!(check_trace(&c.columns, &c.public).is_ok());
}
