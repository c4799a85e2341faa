#![allow(clippy::needless_range_loop)] // cell edits are written by row number
//! Constraint coverage for the memory variant: for every constraint only the memory variant
//! emits (overflow stack, memory table, range table, their boundaries and running products), an
//! honest trace of a real program with one cell changed (or the smallest consistent set of cells
//! a realistic forgery needs, explained where it is more than one) makes the debug checker
//! report that constraint at the expected step. A last test lists the constraints the AIR emits,
//! so that a new memory constraint without a case here is noticed.

use std::collections::BTreeSet;

use distaff_air::debug::{air_debug_challenges, all_failures, check_trace};
use distaff_air::layout::*;
use distaff_air::{opcodes, Air, ConstraintKind, ConstraintSink, ProcessorAir, PublicInputs, Variant};
use distaff_math::{Felt, QuadFelt};
use distaff_processor::{build_trace, ProgramInputs};

fn f(v: u64) -> Felt {
    Felt::new(v)
}

/// Pushes 1..=18 (two values spill into the overflow table), then adds three times (two fills).
fn deep_src() -> String {
    let pushes: Vec<String> = (1..=18).map(|i| format!("push.{i}")).collect();
    format!("begin {} add add add end", pushes.join(" "))
}

/// Word and element accesses at address 3, and a read of initial memory at address 9.
/// Table rows: 0 storew@3, 1 store@3, 2 loadw@3, 3 load@3, 4 initial@9 (clk 0), 5 load@9.
const MEM_SRC: &str =
    "begin push.1 push.2 push.3 push.4 mem_storew.3 push.7 mem_store.3 mem_loadw.3 mem_load.3 mem_load.9 end";

fn mem_memory() -> Vec<(u32, [u64; 4])> {
    vec![(9, [5, 6, 7, 8])]
}

struct Case {
    columns: Vec<Vec<Felt>>,
    public: PublicInputs,
    aux: Option<Vec<Vec<QuadFelt>>>,
}

fn case_with(src: &str, public: Vec<u64>, memory: Vec<(u32, [u64; 4])>, outputs: usize) -> Case {
    let program = distaff_assembly::assemble(src).unwrap();
    let inputs = ProgramInputs::new(public.into_iter().map(f).collect(), vec![])
        .unwrap()
        .with_memory(memory.into_iter().map(|(a, w)| (a, w.map(f))).collect())
        .unwrap();
    let trace = build_trace(&program, &inputs).unwrap();
    let public = trace.public_inputs(outputs);
    let columns = trace.into_columns();
    check_trace(&columns, &public).expect("the honest trace is valid");
    let c = Case { columns, public, aux: None };
    assert_eq!(c.air().variant(), Variant::Memory);
    assert_eq!(c.failures(), vec![], "the honest trace passes every constraint");
    c
}

fn case(src: &str) -> Case {
    case_with(src, vec![], vec![], 1)
}

fn deep() -> Case {
    case(&deep_src())
}

fn mem() -> Case {
    case_with(MEM_SRC, vec![], mem_memory(), 1)
}

impl Case {
    fn n(&self) -> usize {
        self.columns[0].len()
    }
    fn air(&self) -> ProcessorAir {
        ProcessorAir::for_trace(self.public.clone(), &self.columns)
    }
    /// The auxiliary segment an honest prover builds from this (unchanged) trace.
    fn honest_aux(&self) -> Vec<Vec<QuadFelt>> {
        let air = self.air();
        air.build_aux(&self.columns, &air_debug_challenges(&air))
    }
    /// The rows executing `opcode`.
    fn op_rows(&self, opcode: u8) -> Vec<usize> {
        (0..self.n())
            .filter(|r| (0..NUM_OP_BITS).all(|k| self.columns[OP_BITS + k][*r] == Felt::from((opcode >> k) & 1)))
            .filter(|r| self.columns[HALT][*r] == f(0))
            .collect()
    }
    /// The rows where `col` holds `v`.
    fn rows_where(&self, col: usize, v: u64) -> Vec<usize> {
        (0..self.n()).filter(|r| self.columns[col][*r] == f(v)).collect()
    }
    fn set(&mut self, col: usize, row: usize, v: Felt) -> &mut Self {
        self.columns[col][row] = v;
        self
    }
    fn add(&mut self, col: usize, row: usize, v: Felt) -> &mut Self {
        self.columns[col][row] += v;
        self
    }
    fn with_aux(&mut self, aux: Vec<Vec<QuadFelt>>) -> &mut Self {
        self.aux = Some(aux);
        self
    }
    fn failures(&self) -> Vec<(&'static str, usize, usize)> {
        all_failures(&self.air(), &self.columns, self.aux.as_deref())
            .iter()
            .map(|f| (f.name, f.index, f.step))
            .collect()
    }
    fn expect(&self, name: &str, index: usize, step: usize) {
        let found = self.failures();
        assert!(
            found.iter().any(|(n, i, s)| (*n, *i, *s) == (name, index, step)),
            "expected {name}[{index}] at step {step}; found {:?}",
            found.iter().take(12).collect::<Vec<_>>()
        );
    }
}

#[test]
fn the_cases_exercise_what_they_should() {
    let c = deep();
    assert_eq!(c.rows_where(SPILL, 1).len(), 2);
    assert_eq!(c.rows_where(FILL, 1).len(), 2);
    let c = mem();
    assert_eq!(c.rows_where(M_ACTIVE, 1), (0..7).collect::<Vec<_>>());
    let addrs: Vec<u64> = (0..7).map(|r| c.columns[M_ADDR][r].as_int()).collect();
    assert_eq!(addrs, vec![0, 3, 3, 3, 3, 9, 9]);
    let kinds: Vec<(u64, u64)> =
        (0..7).map(|r| (c.columns[M_WRITE][r].as_int(), c.columns[M_ELEMENT][r].as_int())).collect();
    // the anchor (the zero word at address 0, a word write); storew, store, loadw, load at 3;
    // the initial word (a word write), load at 9
    assert_eq!(kinds, vec![(1, 0), (1, 0), (1, 1), (0, 0), (0, 1), (1, 0), (0, 1)]);
    assert_eq!(c.columns[M_CLK][0], f(0));
    assert_eq!(c.columns[M_CLK][5], f(0));
}

#[test]
fn overflow_constraints() {
    let c = deep();
    let spill = c.rows_where(SPILL, 1)[0];
    let fill = c.rows_where(FILL, 1)[0];
    assert_eq!(c.columns[DEPTH][spill], f(16));
    // a row with values in the overflow table: ovf is 1, ov_ptr the spilling row's clock
    let inside = spill + 1;
    assert_eq!((c.columns[OVF][inside], c.columns[OV_PTR][inside]), (f(1), f(spill as u64 + 1)));

    // ovf must be ov_ptr · ov_inv
    deep().add(OV_INV, inside, f(1)).expect("ovf", 0, inside);
    // claiming an empty table while ov_ptr is not 0 (with the inverse zeroed so that ovf[0] holds)
    let mut t = deep();
    t.set(OVF, inside, f(0)).set(OV_INV, inside, f(0));
    t.expect("ovf", 1, inside);
    assert!(!t.failures().contains(&("ovf", 0, inside)));
    // ov_h must invert depth − 16 when the depth is not 16 (row 0: depth 0)
    deep().add(OV_H, 0, f(1)).expect("depth_is_16", 0, 0);
    // a non-empty overflow table at depth 16 (the row pushing 17 holds 16 values)
    deep().set(OVF, spill, f(1)).expect("ovf_above_16", 0, spill);
    // a push at depth 16 that does not spill slot 15
    deep().set(SPILL, spill, f(0)).expect("spill", 0, spill);
    // an add with values below slot 15 that does not fill it
    deep().set(FILL, fill, f(0)).expect("fill", 0, fill);
    // ov_ptr not following the spill
    deep().add(OV_PTR, inside, f(1)).expect("ov_ptr", 0, spill);
}

#[test]
fn overflow_boundary_constraints() {
    let n = deep().n();
    deep().set(OV_PTR, 0, f(1)).expect("initial_ov_ptr", 0, 0);
    deep().set(OV_PTR, n - 1, f(1)).expect("final_ov_ptr", 0, n - 1);
}

/// `push.1 .. push.17 drop`: slot 15 spills once and is filled back by the drop. The forgery
/// changes the value filled back (slot 15 from the row after the fill to the end, where it stays:
/// one logical cell, several trace cells), which only the overflow product can notice.
fn forged_fill() -> (Case, usize) {
    let pushes: Vec<String> = (1..=17).map(|i| format!("push.{i}")).collect();
    let mut c = case(&format!("begin {} drop end", pushes.join(" ")));
    let fill = c.rows_where(FILL, 1);
    assert_eq!(fill.len(), 1);
    let fill = fill[0];
    let aux = c.honest_aux();
    for r in fill + 1..c.n() {
        c.add(STACK + STACK_DEPTH - 1, r, f(100));
    }
    c.aux = Some(aux);
    (c, fill)
}

#[test]
fn overflow_product_constraints() {
    // with the honest product column, the transition at the fill breaks
    let (c, fill) = forged_fill();
    c.expect("overflow_product", 0, fill);
    assert_eq!(c.failures(), vec![("overflow_product", 0, fill)], "only the product notices");
    // with a product column built for the forged trace, it does not end at 1
    let (mut c, _) = forged_fill();
    c.aux = None;
    let n = c.n();
    c.expect("overflow_product_end", 0, n - 1);
    assert_eq!(c.failures(), vec![("overflow_product_end", 0, n - 1)]);
    // the column scaled by 2 keeps every transition; only its first and last values can tell
    let mut c = deep();
    let mut aux = c.honest_aux();
    for v in aux[1].iter_mut() {
        *v *= QuadFelt::from(f(2));
    }
    c.with_aux(aux);
    let n = c.n();
    assert_eq!(c.failures(), vec![("overflow_product_start", 0, 0), ("overflow_product_end", 0, n - 1)]);
}

#[test]
fn memory_table_constraints() {
    // row 0 is the anchor (address 0); the program's accesses start at row 1
    mem().set(M_ACTIVE, 3, f(2)).expect("m_active_binary", 0, 3);
    // an active row after an inactive one
    mem().set(M_ACTIVE, 8, f(1)).expect("m_active_prefix", 0, 7);
    mem().set(M_WRITE, 3, f(2)).expect("m_write_binary", 0, 3);
    mem().set(M_ELEMENT, 3, f(2)).expect("m_element_binary", 0, 3);
    // row 4 (address 3) is followed by address 9: the inverse of the difference is needed
    mem().set(M_INV, 4, f(0)).expect("m_new_address", 0, 4);
    // the gap to the next row is not what the limbs say
    mem().add(M_LIMB_LO, 0, f(1)).expect("m_sorted", 0, 0);
    mem().add(M_LIMB_LO, 1, f(1)).expect("m_sorted", 0, 1);
    mem().add(M_LIMB_HI, 3, f(1)).expect("m_sorted", 0, 3);
    // the last access: its limbs are 2^32 − 1 − address
    mem().add(M_LIMB_LO, 6, f(1)).expect("m_sorted", 0, 6);
    // a word read (row 3) must see what the previous access at the address left
    for i in 0..4 {
        mem().add(M_VALUE + i, 3, f(1)).expect("m_value", i, 2);
    }
    // an element write (row 2) keeps lanes 1..3 of the word
    for i in 1..4 {
        mem().add(M_VALUE + i, 2, f(1)).expect("m_value", i, 1);
    }
    // a read of initial memory (row 6 after the initial word at row 5) sees it
    mem().add(M_VALUE, 6, f(1)).expect("m_value", 0, 5);
    // a range-table step of 2
    let mut c = mem();
    let v = c.columns[R_VALUE][0] + f(2);
    c.set(R_VALUE, 1, v).expect("r_step", 0, 0);
}

#[test]
fn memory_boundary_constraints() {
    // the table starts with the anchor: address 0, active
    mem().set(M_ADDR, 0, f(1)).expect("m_anchor", 0, 0);
    mem().set(M_ACTIVE, 0, f(0)).expect("m_anchor", 1, 0);
    // a first row that reads a word sees zeros (an untouched address) ...
    for i in 0..4 {
        case("begin mem_loadw.2 dropw end").set(M_WRITE, 0, f(0)).add(M_VALUE + i, 0, f(1)).expect(
            "m_initial_value",
            i,
            0,
        );
    }
    // ... and an element write there keeps lanes 1..3, which were zero
    for i in 1..4 {
        case("begin push.5 mem_store.2 end").set(M_ELEMENT, 0, f(1)).add(M_VALUE + i, 0, f(1)).expect(
            "m_initial_value",
            i,
            0,
        );
    }
    let n = mem().n();
    mem().set(M_ACTIVE, n - 1, f(1)).expect("m_final_inactive", 0, n - 1);
    mem().set(R_VALUE, 0, f(1)).expect("r_initial", 0, 0);
    mem().add(R_VALUE, n - 1, -f(1)).expect("r_final", 0, n - 1);
}

/// `push.7 mem_store.3 mem_load.3`, with the loaded value claimed to be 8 (the top of the stack
/// from the row after the load to the end, and the public output: one logical value).
fn forged_load() -> (Case, usize) {
    let mut c = case("begin push.7 mem_store.3 mem_load.3 end");
    let load = c.op_rows(opcodes::MLOAD);
    assert_eq!(load.len(), 1);
    let load = load[0];
    let aux = c.honest_aux();
    for r in load + 1..c.n() {
        c.set(STACK, r, f(8));
    }
    c.public.outputs[0] = f(8);
    c.aux = Some(aux);
    (c, load)
}

#[test]
fn memory_product_constraints() {
    let (c, load) = forged_load();
    assert_eq!(c.failures(), vec![("memory_product", 0, load)], "only the product notices");
    let (mut c, _) = forged_load();
    c.aux = None;
    let n = c.n();
    assert_eq!(c.failures(), vec![("memory_product_end", 0, n - 1)]);
    // the initial memory is part of the claim: a different initial word, same trace. With the
    // product column of the honest claim, its first value is not the claim's; with one built
    // for the changed claim, the table no longer balances.
    let mut c = mem();
    let aux = c.honest_aux();
    c.public.memory[0].1[1] += f(1);
    let n = c.n();
    assert_eq!(c.failures(), vec![("memory_product_end", 0, n - 1)]);
    c.with_aux(aux);
    assert_eq!(c.failures(), vec![("memory_product_start", 0, 0)]);
    // the column scaled by 2 keeps every transition
    let mut c = mem();
    let mut aux = c.honest_aux();
    for v in aux[2].iter_mut() {
        *v *= QuadFelt::from(f(2));
    }
    c.with_aux(aux);
    let n = c.n();
    assert_eq!(c.failures(), vec![("memory_product_start", 0, 0), ("memory_product_end", 0, n - 1)]);
}

/// The last access of `mem()` (row 6, address 9) with its gap `2^32 − 1 − 9` written with a low
/// limb of 2^16 + 0xfff6 and a high limb one smaller: `m_sorted` holds, the low limb is out of
/// range (two cells: one limb alone would break `m_sorted`).
fn forged_limbs() -> Case {
    let mut c = mem();
    let aux = c.honest_aux();
    assert_eq!((c.columns[M_LIMB_LO][6], c.columns[M_LIMB_HI][6]), (f(0xfff6), f(0xffff)));
    c.add(M_LIMB_LO, 6, f(1 << 16)).add(M_LIMB_HI, 6, -f(1));
    c.aux = Some(aux);
    c
}

#[test]
fn range_sum_constraints() {
    let c = forged_limbs();
    // the running sums include their row: the transition into row 6 adds row 6's lookups
    assert_eq!(c.failures(), vec![("range_sum", 0, 5)], "only the lookup notices");
    let mut c = forged_limbs();
    c.aux = None;
    let n = c.n();
    assert_eq!(c.failures(), vec![("range_sums_end", 0, n - 1)]);
    // the sum shifted by a constant keeps every transition
    let mut c = mem();
    let mut aux = c.honest_aux();
    for v in aux[3].iter_mut() {
        *v += QuadFelt::from(f(1));
    }
    c.with_aux(aux);
    let n = c.n();
    assert_eq!(c.failures(), vec![("range_sum_start", 0, 0), ("range_sums_end", 0, n - 1)]);
}

#[test]
fn initial_memory_at_several_addresses() {
    // initial words below, at and above the accessed addresses, at 0 and at 2^32 − 1, some read
    // and overwritten, some never touched
    let memory = vec![
        (0, [1, 2, 3, 4]),
        (2, [5, 6, 7, 8]),
        (3, [9, 10, 11, 12]),
        (1000, [13, 0, 0, 14]),
        (u32::MAX - 1, [15, 16, 17, 18]),
        (u32::MAX, [19, 20, 21, 22]),
    ];
    let src = "begin mem_load.0 mem_loadw.3 add add add push.1 mem_store.2 mem_loadw.2 \
               mem_load.4294967295 push.99 mem_store.4294967295 mem_load.4294967295 mem_load.1 end";
    let c = case_with(src, vec![], memory.clone(), 12);
    let out: Vec<u64> = c.public.outputs.iter().map(|v| v.as_int()).collect();
    // mem_load.1: untouched, 0; 99; 19; the word at 2 after lane 0 became 1; 9+10+11+12; 1
    assert_eq!(out, vec![0, 99, 19, 1, 6, 7, 8, 42, 1, 0, 0, 0]);
    // every initial word is a table row at clock 0, and the table is sorted
    let rows = c.rows_where(M_ACTIVE, 1);
    for (a, _) in &memory {
        assert!(rows.iter().any(|r| c.columns[M_ADDR][*r] == f(*a as u64) && c.columns[M_CLK][*r] == f(0)));
    }
    let keys: Vec<(u64, u64)> =
        rows.iter().map(|r| (c.columns[M_ADDR][*r].as_int(), c.columns[M_CLK][*r].as_int())).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]));
    // dropping an initial word from the claim breaks the memory product
    let mut t = case_with(src, vec![], memory, 12);
    t.public.memory.remove(3);
    let n = t.n();
    assert_eq!(t.failures(), vec![("memory_product_end", 0, n - 1)]);
}

// --- every memory-variant constraint has a case above ---------------------------------------

struct Names(BTreeSet<&'static str>);

impl<E> ConstraintSink<E> for Names {
    fn emit(&mut self, _: ConstraintKind, name: &'static str, _: usize, _: E) {
        self.0.insert(name);
    }
}

fn emitted(c: &Case, variant: Variant) -> BTreeSet<&'static str> {
    let air = ProcessorAir::with_variant(c.public.clone(), c.n(), variant);
    let mut columns = c.columns.clone();
    columns.truncate(air.main_width());
    let row = |r: usize| -> Vec<Felt> { columns.iter().map(|col| col[r]).collect() };
    let challenges = air_debug_challenges(&air);
    let aux = air.build_aux(&columns, &challenges);
    let aux_row = |r: usize| -> Vec<QuadFelt> { aux.iter().map(|col| col[r]).collect() };
    let periodic: Vec<Felt> = air.periodic_columns().iter().map(|col| col[0]).collect();
    let mut names = Names(BTreeSet::new());
    air.evaluate_main(&row(0), &row(1), &periodic, &mut names);
    air.evaluate_main_boundary(&row(0), &row(0), &mut names);
    air.evaluate_aux(&row(0), &row(1), &aux_row(0), &aux_row(1), &periodic, &challenges, &mut names);
    names.0
}

/// The constraints the cases above cover.
const COVERED: &[&str] = &[
    "ovf",
    "depth_is_16",
    "ovf_above_16",
    "spill",
    "fill",
    "ov_ptr",
    "m_active_binary",
    "m_anchor",
    "m_active_prefix",
    "m_write_binary",
    "m_element_binary",
    "m_new_address",
    "m_sorted",
    "m_value",
    "r_step",
    "initial_ov_ptr",
    "m_initial_value",
    "r_initial",
    "final_ov_ptr",
    "m_final_inactive",
    "r_final",
    "overflow_product",
    "overflow_product_start",
    "overflow_product_end",
    "memory_product",
    "memory_product_start",
    "memory_product_end",
    "range_sum",
    "range_sum_start",
    "range_sums_end",
    "u32_range_sum",
    "u32_range_sum_start",
    "u32_limbs",
    "u32_result",
    "u32_bit",
    "u32_canonical",
];

#[test]
fn every_memory_constraint_is_covered() {
    let c = deep();
    let memory = emitted(&c, Variant::Memory);
    let control = emitted(&c, Variant::Control);
    let only: BTreeSet<&str> = memory.difference(&control).copied().collect();
    let covered: BTreeSet<&str> = COVERED.iter().copied().collect();
    assert_eq!(only, covered, "a memory-variant constraint without a coverage case, or a stale entry");
    // the memory variant drops the control variant's stack-full check (the stack is unbounded)
    // and its ban on memory operations
    let dropped: Vec<&str> = control.difference(&memory).copied().collect();
    assert_eq!(dropped, vec!["no_memory_ops", "no_u32_ops", "stack_not_full"]);
}

/// Recomputes the range table (values and multiplicities) for the trace's limb columns, as an
/// honest prover would for those limbs.
fn rebuild_range_table(columns: &mut [Vec<Felt>]) {
    let n = columns[0].len();
    let mut counts = std::collections::BTreeMap::<u64, u64>::new();
    for r in 0..n {
        for c in [M_LIMB_LO, M_LIMB_HI].into_iter().chain(U32_LIMBS..U32_LIMBS + NUM_U32_LIMBS) {
            *counts.entry(columns[c][r].as_int()).or_default() += 1;
        }
    }
    let mut values: Vec<u64> = counts.keys().copied().collect();
    values.push(RANGE_MAX);
    let mut range = vec![0u64];
    for v in values {
        while *range.last().unwrap() < v {
            let cur = *range.last().unwrap();
            let step = RANGE_STEPS.iter().rev().find(|s| **s > 0 && cur + **s <= v).copied().unwrap();
            range.push(cur + step);
        }
    }
    assert!(range.len() <= n);
    for r in 0..n {
        let v = range.get(r).copied().unwrap_or(RANGE_MAX);
        columns[R_VALUE][r] = f(v);
        let first = r < range.len() && (r == 0 || range[r - 1] != v);
        columns[R_MULT][r] = if first { f(counts.get(&v).copied().unwrap_or(0)) } else { f(0) };
    }
}

/// The VM rejects a memory address of 2^32 or more. Here `mem_load drop mem_load.0` runs on the
/// public input p − 1 (the field's −1): the first load's address is out of range, yet with the
/// memory table sorted as `−1, 0` (the gap from −1 to 0 is 1, and 0 is the last address, below
/// 2^32) every constraint holds: nothing bounds the *first* table address from below.
///
/// Found while writing this file: before the table was anchored at address 0, this forged trace
/// satisfied every constraint. Now the first table row must be the word at address 0, so a
/// table starting at −1 breaks `m_anchor` (and a table that starts at 0 cannot climb to p − 1
/// in steps below 2^32).
#[test]
fn address_out_of_range_is_rejected() {
    let minus_one = -f(1);
    // the VM refuses to run it
    let program = distaff_assembly::assemble("begin mem_load drop mem_load.0 end").unwrap();
    let inputs = ProgramInputs::new(vec![minus_one], vec![]).unwrap();
    assert!(matches!(
        distaff_processor::execute(&program, &inputs),
        Err(distaff_processor::ExecutionError::AddressOutOfRange { .. })
    ));
    let mut c = case_with("begin mem_load drop mem_load.0 end", vec![5], vec![], 1);
    let loads = c.op_rows(opcodes::MLOAD);
    assert_eq!(loads.len(), 2);
    // the claim: public input p − 1
    c.public.inputs[0] = minus_one;
    c.set(STACK, 0, minus_one);
    // the table: (−1, first load's clock), then (0, second load's clock); both element reads of 0
    let rows = [(minus_one, loads[0] + 1), (f(0), loads[1] + 1)];
    for (r, (addr, clk)) in rows.iter().enumerate() {
        c.set(M_ADDR, r, *addr).set(M_CLK, r, f(*clk as u64));
        for i in 0..4 {
            c.set(M_VALUE + i, r, f(0));
        }
        c.set(M_WRITE, r, f(0)).set(M_ELEMENT, r, f(1)).set(M_ACTIVE, r, f(1));
    }
    // gap from −1 to 0 is 1 (inverse 1); the last address 0 is 2^32 − 1 below the top
    c.set(M_INV, 0, f(1)).set(M_LIMB_LO, 0, f(1)).set(M_LIMB_HI, 0, f(0));
    c.set(M_INV, 1, f(0)).set(M_LIMB_LO, 1, f(0xffff)).set(M_LIMB_HI, 1, f(0xffff));
    rebuild_range_table(&mut c.columns);
    assert_eq!(c.public.outputs, vec![f(0)]);
    let found = c.failures();
    let checked = check_trace(&c.columns, &c.public);
    assert!(checked.is_err(), "a trace loading from address p − 1 (not below 2^32) satisfies every constraint");
    assert!(found.iter().any(|(name, _, step)| *name == "m_anchor" && *step == 0), "{found:?}");
}
