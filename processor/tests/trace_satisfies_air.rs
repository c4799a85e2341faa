#![allow(clippy::needless_range_loop)] // cell edits are written by row number
//! Every trace the processor records satisfies the AIR, and both execution paths agree.

use distaff_air::debug::check_trace;
use distaff_air::{Instruction::*, Program};
use distaff_math::Felt;
use distaff_processor::{build_trace, execute, ProgramInputs};

fn f(v: u64) -> Felt {
    Felt::new(v)
}

/// Runs `program` on both paths, checks they agree and that the trace satisfies the AIR;
/// returns the final stack and the cycle count.
fn check_program(program: &Program, public: Vec<u64>, secret: Vec<u64>) -> (Vec<Felt>, usize) {
    let inputs = ProgramInputs::new(public.into_iter().map(f).collect(), secret.into_iter().map(f).collect()).unwrap();
    let fast = execute(program, &inputs).unwrap();
    let trace = build_trace(program, &inputs).unwrap();
    assert_eq!(trace.final_stack(), &fast.stack[..]);
    assert_eq!(trace.cycles(), fast.cycles);
    let public = trace.public_inputs(4);
    if let Err(e) = check_trace(trace.columns(), &public) {
        panic!("{e}");
    }
    (fast.stack, fast.cycles)
}

fn run_checked(program: Vec<distaff_air::Instruction>, public: Vec<u64>, secret: Vec<u64>) -> Vec<Felt> {
    check_program(&Program::new(program).unwrap(), public, secret).0
}

#[test]
fn arithmetic_and_stack_ops_satisfy_the_air() {
    let out = run_checked(vec![Push(f(10)), Push(f(3)), Sub, Dup(0), Mul, Push(f(2)), Add], vec![], vec![]);
    assert_eq!(out, vec![f(51)]);
    let out = run_checked(
        vec![Read, Read, Eq, Not, Push(f(1)), And, Push(f(0)), Or, Neg, Neg, Push(f(5)), Inv, Push(f(5)), Mul, Assert],
        vec![7],
        vec![4, 5],
    );
    assert_eq!(out, vec![f(1), f(7)]);
    let out = run_checked(
        vec![MovUp(3), MovDn(2), Swap(3), Swap(1), Dup(3), Drop, Dup(1), Dup(2), Eq, Assert],
        vec![1, 2, 3, 4, 5],
        vec![],
    );
    assert_eq!(out.len(), 5);
}

#[test]
fn fibonacci_satisfies_the_air() {
    let mut p = Vec::new();
    for _ in 0..100 {
        p.extend([Swap(1), Dup(1), Add]);
    }
    let out = run_checked(p, vec![1, 0], vec![]);
    assert_eq!(out[0], f(573147844013817084101u128.rem_euclid(18446744069414584321) as u64));
}

#[test]
fn full_stack_and_every_parametric_slot() {
    let mut p = Vec::new();
    for n in 1..16u8 {
        p.extend([MovUp(n), MovDn(n), Swap(n), Swap(n)]);
    }
    let out = run_checked(p, (1..=16).collect(), vec![]);
    assert_eq!(out, (1..=16).map(f).collect::<Vec<_>>());
    let p: Vec<_> = (0..15u8).flat_map(|n| [Dup(n), Drop]).collect();
    let out = run_checked(p, (1..=15).collect(), vec![]);
    assert_eq!(out, (1..=15).map(f).collect::<Vec<_>>());
}

fn run_source(src: &str, public: Vec<u64>, secret: Vec<u64>) -> (Vec<Felt>, usize) {
    let program = distaff_assembly::assemble(src).unwrap_or_else(|e| panic!("{}", e.render(src)));
    check_program(&program, public, secret)
}

#[test]
fn conditionals_take_the_branch_the_condition_names() {
    let src = "begin read if.true push.10 add else push.3 mul end end";
    assert_eq!(run_source(src, vec![5], vec![1]).0, vec![f(15)]);
    assert_eq!(run_source(src, vec![5], vec![0]).0, vec![f(15)]);
    let src = "begin read if.true push.10 add else push.4 mul end end";
    let (out, cycles) = run_source(src, vec![5], vec![0]);
    assert_eq!(out, vec![f(20)]);
    // span (read), split, branch span, end, join
    assert_eq!(cycles, 8 * 5);
    // an omitted else is a noop; a split at the root
    assert_eq!(run_source("begin if.true push.1 end end", vec![0, 9], vec![]).0, vec![f(9)]);
    assert_eq!(run_source("begin if.true push.1 end end", vec![1, 9], vec![]).0, vec![f(1), f(9)]);
}

#[test]
fn loops_run_while_the_condition_is_one() {
    // count down from a secret value, summing into slot 1
    let src = "begin push.0 read dup push.0 eq not while.true dup movdn.2 movup.1 add swap push.1 sub dup push.0 eq not end drop end";
    assert_eq!(run_source(src, vec![], vec![4]).0, vec![f(10)]);
    assert_eq!(run_source(src, vec![], vec![0]).0, vec![f(0)]);
    assert_eq!(run_source(src, vec![], vec![1]).0, vec![f(1)]);
    // a loop at the root that never runs its body
    assert_eq!(run_source("begin while.true push.1 end end", vec![0, 5], vec![]).0, vec![f(5)]);
}

#[test]
fn nesting_sixteen_levels_deep() {
    let mut src = String::from("begin");
    for _ in 0..8 {
        src.push_str(" push.1 while.true push.1 if.true");
    }
    src.push_str(" push.7");
    for _ in 0..8 {
        src.push_str(" end push.0 end");
    }
    src.push_str(" end");
    assert_eq!(run_source(&src, vec![], vec![]).0, vec![f(7)]);
}

#[test]
fn comparisons_and_selections_satisfy_the_air() {
    // eqz, neq on equal and unequal values
    assert_eq!(run_checked(vec![EqZ], vec![0], vec![]), vec![f(1)]);
    assert_eq!(run_checked(vec![EqZ], vec![9], vec![]), vec![f(0)]);
    assert_eq!(run_checked(vec![Neq], vec![4, 4], vec![]), vec![f(0)]);
    assert_eq!(run_checked(vec![Neq], vec![4, 5], vec![]), vec![f(1)]);
    // cswap: [c, a, b] -> c ? [b, a] : [a, b]; cdrop: [c, a, b] -> c ? a : b
    assert_eq!(run_checked(vec![CSwap], vec![1, 20, 10, 7], vec![]), vec![f(10), f(20), f(7)]);
    assert_eq!(run_checked(vec![CSwap], vec![0, 20, 10, 7], vec![]), vec![f(20), f(10), f(7)]);
    assert_eq!(run_checked(vec![CSwap, Drop], vec![1, 20, 10, 7], vec![]), vec![f(20), f(7)]);
    assert_eq!(run_checked(vec![CSwap, Drop], vec![0, 20, 10, 7], vec![]), vec![f(10), f(7)]);
    // with a full stack, every slot shifts
    let full: Vec<u64> = [1].into_iter().chain(2..17).collect();
    let out = run_checked(vec![CSwap], full.clone(), vec![]);
    assert_eq!(out[..3], [f(3), f(2), f(4)]);
    assert_eq!(out.len(), 15);
    assert_eq!(run_checked(vec![CSwap, Drop], full, vec![]).len(), 14);
}
