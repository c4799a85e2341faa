//! Every way execution can fail is a clear error naming the instruction and the cycle, on
//! both the execute-only and the trace-building paths.

use distaff_air::{Instruction, Instruction::*, Program};
use distaff_math::Felt;
use distaff_processor::{build_trace, execute, ExecutionError, ProgramInputs};

fn f(v: u64) -> Felt {
    Felt::new(v)
}

fn fails(program: Vec<Instruction>, public: Vec<u64>, secret: Vec<u64>) -> ExecutionError {
    let program = Program::new(program).unwrap();
    let inputs = ProgramInputs::new(public.into_iter().map(f).collect(), secret.into_iter().map(f).collect()).unwrap();
    let e = execute(&program, &inputs).expect_err("must fail");
    assert_eq!(build_trace(&program, &inputs).expect_err("must fail"), e);
    e
}

#[test]
fn every_failure_is_reported() {
    let e = fails(vec![Push(f(1)), Add], vec![], vec![]);
    assert!(matches!(e, ExecutionError::StackUnderflow { index: 1, cycle: 2, needed: 2, depth: 1, .. }));
    assert!(e.to_string().contains("instruction #1 'add' (cycle 2): stack underflow"), "{e}");
    assert!(matches!(fails(vec![Drop], vec![], vec![]), ExecutionError::StackUnderflow { needed: 1, depth: 0, .. }));
    assert!(matches!(fails(vec![Swap(3)], vec![1, 2, 3], vec![]), ExecutionError::StackUnderflow { needed: 4, .. }));
    assert!(matches!(
        fails(vec![Dup(15)], (0..15).collect(), vec![]),
        ExecutionError::StackUnderflow { needed: 16, .. }
    ));
    // the stack grows past 16 values (into the overflow table), but a program must end with at
    // most 16
    assert!(matches!(fails(vec![Push(f(0))], (0..16).collect(), vec![]), ExecutionError::TooDeepAtEnd(17)));
    assert!(matches!(fails(vec![Dup(0)], (0..16).collect(), vec![]), ExecutionError::TooDeepAtEnd(17)));
    assert!(matches!(fails(vec![Read, Read], (0..16).collect(), vec![1, 2]), ExecutionError::TooDeepAtEnd(18)));
    // memory addresses are below 2^32
    assert!(matches!(
        fails(vec![MLoad], vec![1 << 32], vec![]),
        ExecutionError::AddressOutOfRange { address: 4294967296, .. }
    ));
    assert!(matches!(
        fails(vec![MStore], vec![u64::from(u32::MAX) + 7, 1], vec![]),
        ExecutionError::AddressOutOfRange { .. }
    ));
    assert!(matches!(fails(vec![MStoreW], vec![0, 1, 2, 3], vec![]), ExecutionError::StackUnderflow { needed: 5, .. }));
    assert!(matches!(
        fails(vec![Read, Read], vec![], vec![7]),
        ExecutionError::SecretInputsExhausted { index: 1, available: 1, .. }
    ));
    assert!(matches!(fails(vec![Inv], vec![0], vec![]), ExecutionError::InverseOfZero { .. }));
    assert!(matches!(fails(vec![Not], vec![2], vec![]), ExecutionError::NotBinary { value: 2, .. }));
    assert!(matches!(fails(vec![And], vec![1, 5], vec![]), ExecutionError::NotBinary { value: 5, .. }));
    assert!(matches!(fails(vec![Or], vec![3, 1], vec![]), ExecutionError::NotBinary { value: 3, .. }));
    assert!(matches!(fails(vec![CSwap], vec![2, 1, 1], vec![]), ExecutionError::NotBinary { value: 2, .. }));
    assert!(matches!(fails(vec![CSwap], vec![1, 1], vec![]), ExecutionError::StackUnderflow { needed: 3, .. }));
    assert!(matches!(fails(vec![Neq], vec![1], vec![]), ExecutionError::StackUnderflow { needed: 2, .. }));
    assert!(matches!(fails(vec![EqZ], vec![], vec![]), ExecutionError::StackUnderflow { needed: 1, .. }));
    let e = fails(vec![Assert], vec![2], vec![]);
    assert!(e.to_string().contains("expected 1 on top of the stack, found 2"), "{e}");
}

#[test]
fn too_many_public_inputs_is_refused() {
    let e = ProgramInputs::new((0..17).map(f).collect(), vec![]).unwrap_err();
    assert_eq!(e, ExecutionError::TooManyPublicInputs(17));
}

#[test]
fn outputs_below_the_depth_read_as_zero() {
    let program = Program::new(vec![Push(f(9))]).unwrap();
    let out = execute(&program, &ProgramInputs::default()).unwrap();
    assert_eq!(out.stack, vec![f(9)]);
    assert_eq!(out.outputs(3), vec![f(9), f(0), f(0)]);
    assert_eq!(out.cycles, 8); // one span cycle (push takes 2 rows, padded to 8)
}

#[test]
fn errors_name_the_static_instruction_and_condition() {
    use distaff_processor::ProgramPoint;
    let run = |src: &str, public: Vec<u64>| {
        let program = distaff_assembly::assemble(src).unwrap();
        let inputs = ProgramInputs::new(public.into_iter().map(f).collect(), vec![]).unwrap();
        let e = execute(&program, &inputs).expect_err("must fail");
        assert_eq!(build_trace(&program, &inputs).expect_err("must fail"), e);
        e
    };
    // instructions: 0 push.1, 1 add (then), 2 mul (else), 3 drop, 4 drop (after)
    let src = "begin if.true push.1 add else mul end drop drop end";
    assert_eq!(run(src, vec![0]).point(), Some(ProgramPoint::Instruction(2)));
    assert_eq!(run(src, vec![1]).point(), Some(ProgramPoint::Instruction(1)));
    assert_eq!(run(src, vec![1, 5]).point(), Some(ProgramPoint::Instruction(4)));
    // conditions: 0 the outer if, 1 the while inside its then-branch, 2 the if after it
    let src = "begin if.true while.true push.0 end end if.true noop end end";
    let e = run(src, vec![1, 3]);
    assert_eq!(e.point(), Some(ProgramPoint::Condition(1)));
    assert!(e.to_string().contains("'while.true'") && e.to_string().contains("not binary"), "{e}");
    assert_eq!(run(src, vec![0, 7]).point(), Some(ProgramPoint::Condition(2)));
    assert!(matches!(run(src, vec![]), ExecutionError::ConditionMissing { condition: 0, .. }));
}

#[test]
fn initial_memory_is_bounded_and_unique() {
    use distaff_processor::ProgramInputs;
    let word = [Felt::new(1); 4];
    let too_much: Vec<(u32, [Felt; 4])> = (0..=distaff_air::MAX_INITIAL_MEMORY as u32).map(|a| (a, word)).collect();
    let e = ProgramInputs::new(vec![], vec![]).unwrap().with_memory(too_much).unwrap_err();
    assert_eq!(e, ExecutionError::TooMuchInitialMemory(distaff_air::MAX_INITIAL_MEMORY + 1));
    let e = ProgramInputs::new(vec![], vec![]).unwrap().with_memory(vec![(3, word), (3, word)]).unwrap_err();
    assert_eq!(e, ExecutionError::DuplicateAddress(3));
    // unsorted is fine: the inputs are sorted by address
    let ok = ProgramInputs::new(vec![], vec![]).unwrap().with_memory(vec![(9, word), (3, word)]).unwrap();
    assert_eq!(ok.memory().iter().map(|(a, _)| *a).collect::<Vec<_>>(), vec![3, 9]);
}

#[test]
fn a_failed_assert_reports_the_eq_that_ran_just_before_it_only() {
    use distaff_processor::{execute, ExecutionError, ProgramInputs};
    let run = |src: &str| {
        let program = distaff_assembly::assemble(src).unwrap();
        execute(&program, &ProgramInputs::new(vec![], vec![]).unwrap()).unwrap_err()
    };
    let compared = |e: ExecutionError| match e {
        ExecutionError::AssertionFailed { compared, .. } => compared.map(|(a, b)| (a.as_int(), b.as_int())),
        other => panic!("{other}"),
    };
    assert_eq!(compared(run("begin push.1 push.2 assert_eq end")), Some((1, 2)));
    // the assert right after the eq in static order, but inside the if: not the eq's result
    assert_eq!(compared(run("begin push.2 push.1 push.1 eq if.true assert end end")), None);
    assert_eq!(compared(run("begin push.1 push.2 eq push.0 add assert end")), None);
}

/// Executions run up to `MAX_CYCLES` = 2^24 cycles: one past 2^22 (the old limit) runs to the
/// end, and an endless loop stops with the cycle limit, just past 2^24.
#[test]
fn executions_run_to_the_cycle_limit_and_no_further() {
    assert_eq!(distaff_processor::MAX_CYCLES, 1 << 24);
    // each iteration is a loop cycle (8 rows) and a padded span (8 rows)
    let counter = |iterations: u64| {
        let source = "begin while.true push.1 sub dup push.0 eq not end end";
        let program = distaff_assembly::assemble(source).unwrap();
        let inputs = ProgramInputs::new(vec![f(1), f(iterations)], vec![]).unwrap();
        execute(&program, &inputs)
    };
    let out = counter((1 << 22) / 16 + 1).expect("2^22 + 16 cycles and more");
    assert!(out.cycles > 1 << 22 && out.cycles < (1 << 22) + 64, "{} cycles", out.cycles);
    assert_eq!(out.trace_length, 1 << 23);
    let endless = distaff_assembly::assemble("begin push.1 while.true push.1 end end").unwrap();
    let e = execute(&endless, &ProgramInputs::default()).expect_err("an endless loop");
    assert_eq!(e, ExecutionError::CycleLimit);
    assert!(e.to_string().contains("more than 16777216 cycles"), "{e}");
}

/// A recording can be cancelled from another thread: it stops with `Cancelled` at its next
/// cycle boundary (an endless loop included), and one never cancelled is the ordinary trace.
/// Past its cap on cycles it stops as cancelled; at the cap it runs to the end.
#[test]
fn a_cancelled_recording_stops_and_an_uncancelled_one_is_the_trace() {
    use distaff_processor::{build_trace_cancellable, build_trace_with_min_length};
    use std::sync::atomic::{AtomicBool, Ordering};
    let program = distaff_assembly::assemble("begin repeat.50 swap dup.1 add end end").unwrap();
    let inputs = ProgramInputs::new(vec![f(1), f(0)], vec![]).unwrap();
    let go = AtomicBool::new(false);
    let trace = build_trace_cancellable(&program, &inputs, 64, usize::MAX, &go).unwrap();
    let expected = build_trace_with_min_length(&program, &inputs, 64).unwrap();
    assert_eq!(trace.columns(), expected.columns());
    let stop = AtomicBool::new(true);
    assert_eq!(
        build_trace_cancellable(&program, &inputs, 0, usize::MAX, &stop).unwrap_err(),
        ExecutionError::Cancelled
    );
    // an endless loop, cancelled while it runs
    let endless = distaff_assembly::assemble("begin push.1 while.true push.1 end end").unwrap();
    let none = ProgramInputs::default();
    let cancel = AtomicBool::new(false);
    let e = std::thread::scope(|scope| {
        let recording = scope.spawn(|| build_trace_cancellable(&endless, &none, 0, usize::MAX, &cancel));
        std::thread::sleep(std::time::Duration::from_millis(20));
        cancel.store(true, Ordering::Relaxed);
        recording.join().unwrap()
    });
    assert_eq!(e.unwrap_err(), ExecutionError::Cancelled);
    // the cap: 50 iterations of 3 instructions are 150 cycles, padded to 152
    let cycles = trace.cycles();
    assert_eq!(cycles, 152);
    assert!(build_trace_cancellable(&program, &inputs, 64, cycles, &go).is_ok());
    assert_eq!(build_trace_cancellable(&program, &inputs, 64, cycles - 1, &go).unwrap_err(), ExecutionError::Cancelled);
    // an endless loop stops at a small cap
    assert_eq!(build_trace_cancellable(&endless, &none, 0, 1 << 12, &go).unwrap_err(), ExecutionError::Cancelled);
}
