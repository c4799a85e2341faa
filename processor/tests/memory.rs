//! Memory and the overflow stack: traces satisfy the memory variant of the AIR, and both
//! execution paths agree with a plain model.

use distaff_air::debug::check_trace;
use distaff_air::{ProcessorAir, Program, Variant};
use distaff_math::Felt;
use distaff_processor::{build_trace, execute, ProgramInputs};

fn f(v: u64) -> Felt {
    Felt::new(v)
}

fn run(source: &str, public: Vec<u64>, secret: Vec<u64>, memory: Vec<(u32, [u64; 4])>) -> (Vec<Felt>, Variant) {
    let program: Program = distaff_assembly::assemble(source).unwrap();
    let inputs = ProgramInputs::new(public.into_iter().map(f).collect(), secret.into_iter().map(f).collect())
        .unwrap()
        .with_memory(memory.into_iter().map(|(a, w)| (a, w.map(f))).collect())
        .unwrap();
    let fast = execute(&program, &inputs).unwrap();
    let trace = build_trace(&program, &inputs).unwrap();
    assert_eq!(trace.final_stack(), &fast.stack[..]);
    let public = trace.public_inputs(4);
    if let Err(e) = check_trace(trace.columns(), &public) {
        panic!("{e}");
    }
    let variant = ProcessorAir::for_trace(public, trace.columns()).variant();
    (fast.stack, variant)
}

#[test]
fn store_then_load() {
    let (out, v) =
        run("begin push.7 mem_store.3 push.9 mem_store.5 mem_load.3 mem_load.5 add end", vec![], vec![], vec![]);
    assert_eq!(out, vec![f(16)]);
    assert_eq!(v, Variant::Memory);
}

#[test]
fn words_and_initial_memory() {
    let (out, _) = run(
        "begin mem_loadw.10 add add add push.1 push.2 push.3 push.4 mem_storew.11 mem_load.11 mem_load.12 end",
        vec![],
        vec![],
        vec![(10, [1, 2, 3, 4]), (12, [5, 0, 0, 0])],
    );
    assert_eq!(out, vec![f(5), f(4), f(10)]);
}

#[test]
fn deep_stack() {
    let mut src = String::from("begin ");
    for i in 0..40 {
        src.push_str(&format!("push.{i} "));
    }
    for _ in 0..36 {
        src.push_str("add ");
    }
    src.push_str("end");
    let (out, v) = run(&src, vec![], vec![], vec![]);
    assert_eq!(v, Variant::Memory);
    assert_eq!(out, vec![f((3..40).sum()), f(2), f(1), f(0)]);
}

#[test]
fn shallow_programs_keep_the_small_variant() {
    let (_, v) = run("begin push.1 push.2 add end", vec![], vec![], vec![]);
    assert_eq!(v, Variant::StraightLine);
}

#[test]
fn tamper_smoke() {
    use distaff_air::debug::all_failures;
    use distaff_air::layout::*;
    let program: Program =
        distaff_assembly::assemble("begin push.7 mem_store.3 push.9 mem_store.5 mem_load.3 mem_load.5 add end")
            .unwrap();
    let inputs = ProgramInputs::new(vec![], vec![]).unwrap();
    let trace = build_trace(&program, &inputs).unwrap();
    let public = trace.public_inputs(1);
    let air = ProcessorAir::for_trace(public, trace.columns());
    for (col, row) in [(M_VALUE, 2), (M_CLK, 1), (M_ADDR, 0), (SPILL, 3), (M_LIMB_LO, 0), (R_MULT, 0)] {
        let mut cols = trace.columns().to_vec();
        cols[col][row] += Felt::new(1);
        let fails = all_failures(&air, &cols, None);
        eprintln!("{} row {row}: {:?}", column_name(col), fails.iter().map(|f| (f.name, f.step)).collect::<Vec<_>>());
        assert!(!fails.is_empty());
    }
}
