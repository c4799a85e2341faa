//! The execute-only path predicts the trace's length (`distaff prove` sizes its memory check
//! with it): exactly for executions without memory, and never above it with memory (whose range
//! table may need more rows), including executions that fill a power of two exactly and end on
//! their last row.

use distaff_air::program::Block;
use distaff_air::Program;
use distaff_math::Felt;
use distaff_processor::{build_trace, execute, ProgramInputs};

fn lengths(program: &Program, public: &[u64]) -> (usize, usize) {
    let inputs = ProgramInputs::new(public.iter().map(|v| Felt::new(*v)).collect(), vec![]).unwrap();
    let fast = execute(program, &inputs).unwrap();
    let trace = build_trace(program, &inputs).unwrap();
    assert_eq!(fast.cycles, trace.cycles());
    (fast.trace_length, trace.length())
}

#[test]
fn spans_of_every_length_up_to_a_few_cycles() {
    // the span's last row is padding, a noop, a push's value or another instruction; some of
    // these executions fill 8, 16, 32 or 64 rows exactly
    for tail in ["", "noop", "push.5", "push.5 drop", "push.1 push.2 add"] {
        for k in (tail.is_empty() as usize)..70 {
            let source = format!("begin {} {tail} end", "noop ".repeat(k));
            let program = distaff_assembly::assemble(&source).unwrap();
            let (predicted, actual) = lengths(&program, &[3]);
            assert_eq!(predicted, actual, "{source}");
        }
    }
}

#[test]
fn control_flow_and_hash_chains_that_fill_a_power_of_two() {
    for k in [1usize, 2, 3, 4, 8, 15, 16, 32] {
        let program = Program::from_root(Block::hperm_chain(k).unwrap());
        let (predicted, actual) = lengths(&program, &[0; 12]);
        assert_eq!(predicted, actual, "{k} hperms");
    }
    for source in [
        "begin push.1 if.true push.2 else push.3 end end",
        "begin push.1 while.true push.0 end end",
        "begin push.1 push.1 push.1 while.true while.true push.0 end push.0 end end",
        "begin repeat.7 push.1 drop end end",
        "begin push.1 push.2 repeat.3 swap dup.1 add end end",
    ] {
        let program = distaff_assembly::assemble(source).unwrap();
        let (predicted, actual) = lengths(&program, &[]);
        assert_eq!(predicted, actual, "{source}");
    }
}

#[test]
fn with_memory_or_u32_the_prediction_is_a_lower_bound() {
    for tail in ["push.3 mem_store.2", "push.1 push.2 u32add drop drop", "push.70000 u32split drop drop"] {
        for k in 0..70 {
            let source = format!("begin {} {tail} end", "noop ".repeat(k));
            let program = distaff_assembly::assemble(&source).unwrap();
            let (predicted, actual) = lengths(&program, &[]);
            assert!(predicted <= actual, "{source}: predicted {predicted}, trace {actual}");
        }
    }
}

/// The bitwise table lists each distinct pair once, but the trace has room for a cycle per
/// operation: a hiding proof reveals the trace length, which must not tell whether the secret
/// operands repeat (found by review: 200 XORs of one pair took 1,024 rows, of distinct pairs
/// 2,048).
#[test]
fn the_bitwise_table_s_room_does_not_depend_on_whether_operands_repeat() {
    let program = distaff_assembly::assemble("begin repeat.200 read read u32xor drop end push.1 end").unwrap();
    let length = |secret: Vec<u64>| {
        let inputs = ProgramInputs::new(vec![], secret.into_iter().map(Felt::new).collect()).unwrap();
        let fast = execute(&program, &inputs).unwrap();
        let trace = build_trace(&program, &inputs).unwrap();
        assert_eq!(trace.length(), fast.trace_length);
        trace.length()
    };
    let same = length(vec![7; 400]);
    let distinct = length((0..400).collect());
    assert_eq!(same, distinct);
    assert_eq!(same, 2048, "200 operations, 1,600 table rows");
}
