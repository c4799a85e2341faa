#![allow(clippy::needless_range_loop)] // cell edits are written by row number
//! Constraint coverage for the memory variant: for every constraint only the memory variant
//! emits (overflow stack, memory table, range table, u32 operations, their boundaries, running
//! products and sums), an
//! honest trace of a real program with one cell changed (or the smallest consistent set of cells
//! a realistic forgery needs, explained where it is more than one) makes the debug checker
//! report that constraint at the expected step. A last test lists the constraints the AIR emits,
//! so that a new memory constraint without a case here is noticed.

use distaff_air::memory::{range_table, write_range_table};
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

// --- u32 operations ---------------------------------------------------------------------------

const MAX: u64 = u32::MAX as u64;

/// `u32add` of a = 0x6789a and b = 0x12345 (b on top), after a `noop` (so that it is not the
/// first row): both operands and the sum have a nonzero high limb. Its limbs: b (columns 0, 1),
/// a (2, 3), the sum (4, 5).
fn u32_add() -> (Case, usize) {
    let c = case_with("begin noop u32add end", vec![0x12345, 0x6789a], vec![], 2);
    let rows = c.op_rows(opcodes::U32ADD);
    assert_eq!(rows.len(), 1);
    let row = rows[0];
    assert_eq!(row, 1);
    let limbs: Vec<u64> = (0..NUM_U32_LIMBS).map(|k| c.columns[U32_LIMBS + k][row].as_int()).collect();
    assert_eq!(limbs, vec![0x2345, 0x1, 0x789a, 0x6, 0x9bdf, 0x7]);
    assert_eq!(c.public.outputs, vec![f(0), f(0x12345 + 0x6789a)]);
    (c, row)
}

impl Case {
    /// Sets stack slot `slot` to `v` from row `from` to the end (one logical value: it stays
    /// there), and in the claimed outputs.
    fn set_from(&mut self, slot: usize, from: usize, v: Felt) -> &mut Self {
        for r in from..self.n() {
            self.columns[STACK + slot][r] = v;
        }
        if slot < self.public.outputs.len() {
            self.public.outputs[slot] = v;
        }
        self
    }
    /// Writes a 32-bit value `v` (as the field element `lo + 2^16·hi`: `hi` may exceed 16 bits)
    /// into the limb pair `k` of `row`.
    fn set_limbs(&mut self, row: usize, k: usize, lo: u64, hi: u64) -> &mut Self {
        self.set(U32_LIMBS + 2 * k, row, f(lo)).set(U32_LIMBS + 2 * k + 1, row, f(hi))
    }
    /// The range table rebuilt for the (changed) limbs, as an honest prover would.
    fn rebuild_range(&mut self) -> &mut Self {
        rebuild_range_table(&mut self.columns);
        self
    }
}

#[test]
fn u32_limb_constraints() {
    // each value the row checks must be its pair of limbs (the range table rebuilt for the
    // changed limb, so that only the equation notices)
    for k in 0..3 {
        let (mut c, row) = u32_add();
        c.add(U32_LIMBS + 2 * k, row, f(1)).rebuild_range();
        assert_eq!(c.failures(), vec![("u32_limbs", k, row)], "value {k}");
        let (mut c, row) = u32_add();
        c.add(U32_LIMBS + 2 * k + 1, row, f(1)).rebuild_range();
        assert_eq!(c.failures(), vec![("u32_limbs", k, row)], "value {k}, high limb");
    }
    // the results of split (lo in limbs 0, 1; hi in 2, 3) and of divmod (q, r, b − r − 1)
    let mut c = case_with("begin u32split end", vec![(7 << 32) + 9], vec![], 2);
    let row = c.op_rows(opcodes::U32SPLIT)[0];
    c.add(U32_LIMBS, row, f(1)).rebuild_range();
    assert_eq!(c.failures(), vec![("u32_limbs", 0, row)]);
    let mut c = case_with("begin u32split end", vec![(7 << 32) + 9], vec![], 2);
    c.add(U32_LIMBS + 2, row, f(1)).rebuild_range();
    assert_eq!(c.failures(), vec![("u32_limbs", 1, row)]);
    let divmod = || case_with("begin u32divmod end", vec![7, 100], vec![], 2);
    let row = divmod().op_rows(opcodes::U32DIVMOD)[0];
    let limbs: Vec<u64> = (0..NUM_U32_LIMBS).map(|k| divmod().columns[U32_LIMBS + k][row].as_int()).collect();
    assert_eq!(limbs, vec![14, 0, 2, 0, 4, 0], "q = 14, r = 2, b − r − 1 = 4");
    for k in 0..3 {
        let mut c = divmod();
        c.add(U32_LIMBS + 2 * k, row, f(1)).rebuild_range();
        assert_eq!(c.failures(), vec![("u32_limbs", k, row)]);
    }
    // u32mul's operands are checked on the row before it (its own row checks the results)
    let mut c = case_with("begin u32mul end", vec![7, 9], vec![], 2);
    let check = c.op_rows(opcodes::U32ASSERT2);
    let mul = c.op_rows(opcodes::U32MUL);
    assert_eq!((check.len(), mul.len()), (1, 1));
    assert_eq!(check[0] + 1, mul[0]);
    c.add(U32_LIMBS + 2, check[0], f(1)).rebuild_range();
    assert_eq!(c.failures(), vec![("u32_limbs", 1, check[0])]);
}

#[test]
fn u32_result_constraint() {
    // 0x6789a + 0x12345 claimed as one more (the sum's limbs follow it): only the equation
    // a + b = c + 2^32·o notices
    let (mut c, row) = u32_add();
    let sum = 0x6789a + 0x12345 + 1;
    c.set_from(1, row + 1, f(sum)).set_limbs(row, 2, sum & 0xffff, sum >> 16).rebuild_range();
    assert_eq!(c.failures(), vec![("u32_result", 0, row)]);
    // a split of 5 · 2^32 + 9 claimed as (lo, hi) = (9, 6)
    let mut c = case_with("begin u32split end", vec![(5 << 32) + 9], vec![], 2);
    let row = c.op_rows(opcodes::U32SPLIT)[0];
    c.set_from(0, row + 1, f(6)).set_limbs(row, 1, 6, 0).rebuild_range();
    // the canonical helper for the new pair: lo = (hi − (2^32 − 1))·w
    c.set(AUX, row, f(9) / (f(6) - f(MAX)));
    assert_eq!(c.failures(), vec![("u32_result", 0, row)]);
}

#[test]
fn u32_bit_constraint() {
    // a + b claimed as c − 1 with the "overflow bit" o = 2^−32 (so that 2^32·o = 1): the
    // equation and the limbs hold, only the bit constraint notices
    let (mut c, row) = u32_add();
    let sum = 0x6789a + 0x12345 - 1;
    let o = f(1) / f(1 << 32);
    c.set_from(1, row + 1, f(sum)).set_limbs(row, 2, sum & 0xffff, sum >> 16).rebuild_range();
    c.set_from(0, row + 1, o);
    assert_eq!(c.failures(), vec![("u32_bit", 0, row)]);
}

/// `u32split` of a small x claimed as lo = x + 1, hi = 2^32 − 1: lo + 2^32·hi = x + 1 + 2^64 −
/// 2^32 = x + p ≡ x, both halves are 32-bit values and the limbs say so. Without the canonical
/// check, every small value could be split into a (huge hi, lo off by one) pair.
#[test]
fn u32_canonical_constraint() {
    let x = 5;
    let mut c = case_with("begin u32split end", vec![x], vec![], 2);
    let row = c.op_rows(opcodes::U32SPLIT)[0];
    assert_eq!(c.public.outputs, vec![f(0), f(x)]);
    // hi on top, lo below
    c.set_from(0, row + 1, f(MAX)).set_from(1, row + 1, f(x + 1));
    c.set_limbs(row, 0, x + 1, 0).set_limbs(row, 1, 0xffff, 0xffff).rebuild_range();
    assert_eq!(f(x + 1) + f(MAX) * f(1 << 32), f(x));
    assert_eq!(c.failures(), vec![("u32_canonical", 0, row)]);
    // the honest split of p − 1 is the one pair with hi = 2^32 − 1 (lo = 0): it passes
    let c = case_with("begin u32split end", vec![(-f(1)).as_int()], vec![], 2);
    assert_eq!(c.public.outputs, vec![f(MAX), f(0)]);
    // u32mul's result pair is checked the same way: 0·0 claimed as (lo, hi) = (1, 2^32 − 1),
    // which names 1 + 2^64 − 2^32 = p ≡ 0
    let mut c = case_with("begin u32mul end", vec![0, 0], vec![], 2);
    let row = c.op_rows(opcodes::U32MUL)[0];
    c.set_from(0, row + 1, f(MAX)).set_from(1, row + 1, f(1));
    c.set_limbs(row, 0, 1, 0).set_limbs(row, 1, 0xffff, 0xffff).rebuild_range();
    assert_eq!(c.failures(), vec![("u32_canonical", 0, row)]);
}

/// The u32 add's b (0x12345) written with a low limb of 0x2345 + 2^16 and a high limb of 0:
/// `u32_limbs` holds, the low limb is out of range (two cells: one alone breaks `u32_limbs`).
fn forged_u32_limbs() -> (Case, usize) {
    let (mut c, row) = u32_add();
    let aux = c.honest_aux();
    c.add(U32_LIMBS, row, f(1 << 16)).add(U32_LIMBS + 1, row, -f(1));
    assert_eq!(c.columns[U32_LIMBS][row], f(0x12345));
    c.aux = Some(aux);
    (c, row)
}

#[test]
fn u32_range_sum_constraints() {
    let (c, row) = forged_u32_limbs();
    // the sums include their row: the transition into the op's row adds its lookups
    assert_eq!(c.failures(), vec![("u32_range_sum", 0, row - 1)], "only the lookup notices");
    // with a sum built for the forged trace, the two sums no longer cancel at the end (and no
    // honest range table can list 0x12345: it ends at 2^16 − 1 and never goes down)
    let (mut c, _) = forged_u32_limbs();
    c.aux = None;
    let n = c.n();
    assert_eq!(c.failures(), vec![("range_sums_end", 0, n - 1)]);
    // a limb out of range on the first row: the sum's first value notices
    let mut c = case_with("begin u32split end", vec![0x12345], vec![], 2);
    let row = c.op_rows(opcodes::U32SPLIT)[0];
    assert_eq!(row, 0);
    let aux = c.honest_aux();
    c.set_limbs(row, 0, 0x12345, 0).with_aux(aux);
    assert_eq!(c.failures(), vec![("u32_range_sum_start", 0, 0)]);
    // listing the limb in a rebuilt range table (it ends at 2^16 − 1: here its last row is
    // made to hold the limb, with its count) breaks the table's own constraints
    let (mut c, _) = forged_u32_limbs();
    c.aux = None;
    c.rebuild_range();
    let n = c.n();
    c.set(R_VALUE, n - 1, f(0x12345)).set(R_MULT, n - 1, f(1));
    assert!(c.failures().iter().any(|(name, _, _)| *name == "r_final" || *name == "r_step"), "{:?}", c.failures());
    // the u32 sum shifted by a constant keeps every transition
    let (mut c, _) = u32_add();
    let mut aux = c.honest_aux();
    for v in aux[4].iter_mut() {
        *v += QuadFelt::from(f(1));
    }
    c.with_aux(aux);
    let n = c.n();
    assert_eq!(c.failures(), vec![("u32_range_sum_start", 0, 0), ("range_sums_end", 0, n - 1)]);
    // the two sums shifted by opposite constants still end at 0 together, but start wrong
    let (mut c, _) = u32_add();
    let mut aux = c.honest_aux();
    for v in aux[3].iter_mut() {
        *v += QuadFelt::from(f(1));
    }
    for v in aux[4].iter_mut() {
        *v -= QuadFelt::from(f(1));
    }
    c.with_aux(aux);
    assert_eq!(c.failures(), vec![("range_sum_start", 0, 0), ("u32_range_sum_start", 0, 0)]);
}

/// The small variants refuse u32 operations: without the range checker a result could be
/// anything. A u32 trace cut to the control variant's columns reports `no_u32_ops` on every u32
/// row (the prefix check of a multiplication included).
#[test]
fn small_variants_refuse_u32_operations() {
    // [4, 3] -> [7] -> [21] -> [10, 1] -> [10, 1, 0] -> [10, 0]
    let c =
        case_with("begin u32add drop push.3 u32mul drop push.2 u32divmod u32split u32lt end", vec![3, 4], vec![], 2);
    assert_eq!(c.public.outputs, vec![f(0), f(10)]);
    let mut rows: Vec<usize> =
        [opcodes::U32ADD, opcodes::U32MUL, opcodes::U32SPLIT, opcodes::U32LT, opcodes::U32DIVMOD, opcodes::U32ASSERT2]
            .iter()
            .flat_map(|op| c.op_rows(*op))
            .collect();
    rows.sort_unstable();
    assert_eq!(rows.len(), 7, "five operations and two prefix checks");
    let air = ProcessorAir::with_variant(c.public.clone(), c.n(), Variant::Control);
    let mut columns = c.columns.clone();
    columns.truncate(TRACE_WIDTH);
    let found: Vec<(&str, usize, usize)> =
        all_failures(&air, &columns, None).iter().map(|f| (f.name, f.index, f.step)).collect();
    let expected: Vec<(&str, usize, usize)> = rows.iter().map(|r| ("no_u32_ops", 0, *r)).collect();
    let refused: Vec<(&str, usize, usize)> = found.iter().filter(|x| x.0 == "no_u32_ops").copied().collect();
    assert_eq!(refused, expected);
    // besides: the split grows the stack, and its helper column holds the canonical-pair helper,
    // not the inverse of depth − 16 that the small variants ask of a growing operation
    let split = c.op_rows(opcodes::U32SPLIT)[0];
    let other: Vec<(&str, usize, usize)> = found.iter().filter(|x| x.0 != "no_u32_ops").copied().collect();
    assert_eq!(other, vec![("stack_not_full", 0, split)]);
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
    let range = range_table(RANGE_LOOKUPS.iter().flat_map(|c| columns[*c].iter().map(|v| v.as_int())));
    assert!(range.len() <= columns[0].len());
    write_range_table(columns, &range);
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

// --- the bitwise variant: the bitwise table and its LogUp sum ------------------------------------

/// `x = 0xdeadbeef`, `y = 0x12345678`: `x y u32xor`, then `u32andxor` of the result with 0xf0f0f0f0
/// (two table cycles), then the same xor again (the first cycle's triple answers two lookups).
const BW_SRC: &str = "begin push.3735928559 push.305419896 u32xor push.4042322160 u32andxor \
                      push.3735928559 push.305419896 u32xor end";

fn bw() -> Case {
    let program = distaff_assembly::assemble(BW_SRC).unwrap();
    let inputs = ProgramInputs::new(vec![], vec![]).unwrap();
    let trace = build_trace(&program, &inputs).unwrap();
    let public = trace.public_inputs(3);
    let columns = trace.into_columns();
    check_trace(&columns, &public).expect("the honest trace is valid");
    let c = Case { columns, public, aux: None };
    assert_eq!(c.air().variant(), Variant::Bitwise);
    assert_eq!(c.failures(), vec![], "the honest trace passes every constraint");
    c
}

#[test]
fn the_bitwise_case_exercises_what_it_should() {
    let c = bw();
    let (x, y) = (0xdeadbeefu64, 0x12345678u64);
    let m = 0xf0f0f0f0u64;
    assert_eq!(c.public.outputs, vec![f(x ^ y), f(m ^ x ^ y), f(m & (x ^ y))]);
    // two distinct pairs, each a cycle ending with its triple and its number of lookups
    assert_eq!(c.rows_where(BW_MULT, 0).len(), c.n() - 2);
    let last: Vec<usize> = (0..c.n()).filter(|r| c.columns[BW_MULT][*r] != f(0)).collect();
    assert_eq!(last, vec![7, 15]);
    let triples: Vec<[u64; 4]> =
        last.iter().map(|r| [BW_X, BW_Y, BW_AND, BW_MULT].map(|col| c.columns[col][*r].as_int())).collect();
    assert!(triples.contains(&[y, x, x & y, 2]), "{triples:x?}");
    assert!(triples.contains(&[m, x ^ y, (x ^ y) & m, 1]), "{triples:x?}");
}

#[test]
fn bitwise_table_constraints() {
    // a bit that is not binary (2 in place of 1 keeps nothing else in order)
    let row = (0..8).find(|r| bw().columns[BW_X_BITS][*r] == f(1)).unwrap();
    bw().set(BW_X_BITS, row, f(2)).expect("bw_x_bit_binary", 0, row);
    let row = (0..8).find(|r| bw().columns[BW_Y_BITS + 3][*r] == f(1)).unwrap();
    bw().set(BW_Y_BITS + 3, row, f(2)).expect("bw_y_bit_binary", 3, row);
    // a cycle's first row holds its chunk, not more: x, y and the AND in turn
    for (k, col) in [BW_X, BW_Y, BW_AND].into_iter().enumerate() {
        bw().add(col, 8, f(16)).expect("bw_cycle_start", k, 8);
        // the accumulation from row 2 to row 3 of the first cycle
        bw().add(col, 3, f(1)).expect("bw_accumulate", k, 2);
    }
    // a bit changed with the accumulators following it: the AND's chunk no longer matches
    let mut c = bw();
    let row = (1..8).find(|r| c.columns[BW_X_BITS][*r] == f(0) && c.columns[BW_Y_BITS][*r] == f(1)).unwrap();
    c.set(BW_X_BITS, row, f(1));
    for r in row..8 {
        c.add(BW_X, r, f(1 << (4 * (r - row))));
    }
    assert_eq!(c.failures().iter().filter(|x| !x.0.starts_with("bitwise_sum")).count(), 1, "{:?}", c.failures());
    c.expect("bw_accumulate", 2, row - 1);
    // a multiplicity on a row that is not its cycle's last
    bw().set(BW_MULT, 4, f(1)).expect("bw_mult_on_last_row", 0, 4);
    // the trace's last row: no transition starts there, a last-row constraint checks its bits
    let n = bw().n();
    bw().set(BW_X_BITS + 1, n - 1, f(2)).expect("bw_final_x_bit_binary", 1, n - 1);
    bw().set(BW_Y_BITS + 2, n - 1, f(2)).expect("bw_final_y_bit_binary", 2, n - 1);
}

/// `push.X push.Y u32xor` with the result changed (in slot 0 to the end, and in the claim): only
/// the bitwise sum notices.
fn forged_xor() -> (Case, usize) {
    let mut c = bw();
    let xor = c.op_rows(opcodes::U32XOR)[1];
    let aux = c.honest_aux();
    for r in xor + 1..c.n() {
        c.add(STACK, r, f(1));
    }
    c.public.outputs[0] += f(1);
    c.aux = Some(aux);
    (c, xor)
}

#[test]
fn bitwise_sum_constraints() {
    let (c, xor) = forged_xor();
    assert_eq!(c.failures(), vec![("bitwise_sum", 0, xor)], "only the sum notices");
    // with a sum built for the forged trace, it does not end at 0
    let (mut c, _) = forged_xor();
    c.aux = None;
    let n = c.n();
    assert_eq!(c.failures(), vec![("bitwise_sum_end", 0, n - 1)]);
    // a multiplicity that answers one lookup fewer
    let mut c = bw();
    let aux = c.honest_aux();
    c.add(BW_MULT, 7, -f(1)).with_aux(aux);
    assert_eq!(c.failures(), vec![("bitwise_sum", 0, 6)]);
    // the sum shifted by a constant keeps every transition
    let mut c = bw();
    let mut aux = c.honest_aux();
    for v in aux[5].iter_mut() {
        *v += QuadFelt::from(f(1));
    }
    c.with_aux(aux);
    assert_eq!(c.failures(), vec![("bitwise_sum_start", 0, 0), ("bitwise_sum_end", 0, n - 1)]);
}

/// `u32andxor` leaves the AND below the XOR: a wrong AND (in slot 1 from the next row on, and in
/// the claim) breaks `andxor_and` alone (the lookup reads the XOR).
#[test]
fn andxor_and_constraint() {
    let mut c = bw();
    let row = c.op_rows(opcodes::U32ANDXOR)[0];
    // slot 1 holds the AND until the next push moves it to slot 2, and so on
    let and = c.columns[STACK + 1][row + 1];
    for r in row + 1..c.n() {
        for s in 1..4 {
            if c.columns[STACK + s][r] == and {
                c.add(STACK + s, r, f(1));
            }
        }
    }
    c.public.outputs[2] += f(1);
    assert_eq!(c.failures(), vec![("andxor_and", 0, row)]);
}

/// Without the bitwise table a bitwise result could be anything: the memory variant refuses
/// bitwise operations (and so does the control variant, which has fewer columns still).
#[test]
fn variants_without_the_table_refuse_bitwise_operations() {
    let c = bw();
    let mut rows: Vec<usize> = [opcodes::U32XOR, opcodes::U32ANDXOR].iter().flat_map(|op| c.op_rows(*op)).collect();
    rows.sort_unstable();
    assert_eq!(rows.len(), 3);
    for (variant, width) in [(Variant::Memory, FULL_TRACE_WIDTH), (Variant::Control, TRACE_WIDTH)] {
        let air = ProcessorAir::with_variant(c.public.clone(), c.n(), variant);
        let mut columns = c.columns.clone();
        columns.truncate(width);
        let refused: Vec<usize> =
            all_failures(&air, &columns, None).iter().filter(|x| x.name == "no_bitwise_ops").map(|x| x.step).collect();
        assert_eq!(refused, rows, "{variant:?}");
    }
}

/// The constraints the bitwise cases cover.
const COVERED_BITWISE: &[&str] = &[
    "andxor_and",
    "bw_x_bit_binary",
    "bw_y_bit_binary",
    "bw_cycle_start",
    "bw_accumulate",
    "bw_mult_on_last_row",
    "bw_final_x_bit_binary",
    "bw_final_y_bit_binary",
    "bitwise_sum",
    "bitwise_sum_start",
    "bitwise_sum_end",
];

#[test]
fn every_bitwise_constraint_is_covered() {
    let c = bw();
    let bitwise = emitted(&c, Variant::Bitwise);
    let memory = emitted(&c, Variant::Memory);
    let only: BTreeSet<&str> = bitwise.difference(&memory).copied().collect();
    let covered: BTreeSet<&str> = COVERED_BITWISE.iter().copied().collect();
    assert_eq!(only, covered, "a bitwise-variant constraint without a coverage case, or a stale entry");
    let dropped: Vec<&str> = memory.difference(&bitwise).copied().collect();
    assert_eq!(dropped, vec!["no_bitwise_ops"]);
}
