//! Procedure locals (`proc.NAME.N`, `loc_*`): what they hold, where they live, and that traces
//! using them satisfy the AIR.

use distaff_air::debug::check_trace;
use distaff_air::Program;
use distaff_assembly::{assemble, LOCALS_BASE};
use distaff_math::Felt;
use distaff_processor::{build_trace, execute, ProgramInputs};

fn f(v: u64) -> Felt {
    Felt::new(v)
}

/// The final stack (top first), from both execution paths, with the trace checked.
fn run(source: &str, memory: Vec<(u32, [u64; 4])>) -> Vec<u64> {
    let program: Program = assemble(source).unwrap();
    let inputs = ProgramInputs::new(vec![], vec![])
        .unwrap()
        .with_memory(memory.into_iter().map(|(a, w)| (a, w.map(f))).collect())
        .unwrap();
    let fast = execute(&program, &inputs).unwrap();
    let trace = build_trace(&program, &inputs).unwrap();
    assert_eq!(trace.final_stack(), &fast.stack[..]);
    if let Err(e) = check_trace(trace.columns(), &trace.public_inputs(4)) {
        panic!("{e}");
    }
    fast.stack.iter().map(|x| x.as_int()).collect()
}

#[test]
fn locals_hold_values_and_words() {
    let source = "
        proc.sum_of_squares.2
            loc_store.0 loc_store.1
            loc_load.0 dup mul loc_load.1 dup mul add
        end
        proc.keep_word.1
            loc_storew.0 push.9 loc_loadw.0
        end
        begin
            push.3 push.4 exec.sum_of_squares
            push.1 push.2 push.3 push.4 exec.keep_word
        end";
    assert_eq!(&run(source, vec![])[..6], &[4, 3, 2, 1, 9, 25]);
}

#[test]
fn a_callee_s_frame_follows_its_caller_s() {
    // inner's local 0 is outer's word after its two: a call does not clobber the caller's
    let source = "
        proc.inner.1
            push.100 loc_store.0 locaddr.0
        end
        proc.outer.2
            push.7 loc_store.0 push.8 loc_store.1
            exec.inner
            loc_load.0 loc_load.1 locaddr.0 locaddr.1
        end
        begin exec.outer end";
    let out = run(source, vec![]);
    let base = LOCALS_BASE;
    // locaddr.1 on top, then locaddr.0, loc_load.1, loc_load.0, inner's address
    assert_eq!(&out[..5], &[base + 1, base, 8, 7, base + 2]);
}

#[test]
fn locals_start_at_zero_and_are_not_cleared_between_calls() {
    // the first call reads zero; the second reads what the first stored; a procedure called
    // later at the same depth shares the frame
    let source = "
        proc.counter.1
            loc_load.0 dup push.1 add loc_store.0
        end
        proc.other.1
            loc_load.0
        end
        begin exec.counter exec.counter exec.counter exec.other end";
    assert_eq!(&run(source, vec![])[..4], &[3, 2, 1, 0]);
    // ...unless the initial memory sets those words: locals are memory
    let preset = vec![(LOCALS_BASE as u32, [41, 0, 0, 0])];
    assert_eq!(run("proc.get.1 loc_load.0 end begin exec.get end", preset)[0], 41);
}

#[test]
fn local_addresses_depend_on_the_calls_not_on_names_or_declaration_order() {
    let a = "proc.x.2 loc_load.1 end proc.y.1 push.5 loc_store.0 exec.x end begin exec.y end";
    let b = "proc.first.2 loc_load.1 end proc.second.1 push.5 loc_store.0 exec.first end begin exec.second end";
    assert_eq!(assemble(a).unwrap().hash(), assemble(b).unwrap().hash());
    // the same code written without procedures: y's frame first, x's after it
    let inline = format!("begin push.5 push.{LOCALS_BASE} mem_store push.{} mem_load end", LOCALS_BASE + 2);
    assert_eq!(assemble(a).unwrap().hash(), assemble(&inline).unwrap().hash());
    // every loc_* is its mem_*.A form (docs/isa.md gives their cycles as those)
    let words = "proc.w.3 loc_loadw.2 loc_storew.1 locaddr.0 drop end begin exec.w end";
    let written =
        format!("begin mem_loadw.{} mem_storew.{} push.{LOCALS_BASE} drop end", LOCALS_BASE + 2, LOCALS_BASE + 1);
    assert_eq!(assemble(words).unwrap().hash(), assemble(&written).unwrap().hash());
}
