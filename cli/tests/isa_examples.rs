//! The worked examples of docs/isa.md, executed: each is looked up in the document (so that
//! an edit to either side breaks this test) and run against the result the document states.

use distaff_math::Felt;
use distaff_processor::{execute, ProgramInputs};

fn doc() -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/isa.md")).unwrap();
    // (the prose wraps lines: compare with white space collapsed)
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs `code` (the body of `begin … end`) on the public inputs (first on top) and secret
/// inputs; returns the final stack, top first, and the cycles.
fn run(code: &str, public: &[u64], secret: &[u64]) -> (Vec<u64>, usize) {
    let program = distaff_assembly::assemble(&format!("begin {code} end")).unwrap_or_else(|e| panic!("{code}: {e}"));
    let felts = |v: &[u64]| v.iter().map(|&x| Felt::new(x)).collect::<Vec<_>>();
    let inputs = ProgramInputs::new(felts(public), felts(secret)).unwrap();
    let out = execute(&program, &inputs).unwrap_or_else(|e| panic!("{code}: {e}"));
    (out.stack.iter().map(|x| x.as_int()).collect(), out.cycles)
}

#[test]
fn the_stack_and_memory_examples_leave_what_the_document_says() {
    let doc = doc();
    // (the document's sentence, the code, public inputs, the stated top of the stack)
    let cases: [(&str, &str, &[u64], &[u64]); 6] = [
        ("`push.10 push.3 sub` leaves 7", "push.10 push.3 sub", &[], &[7]),
        ("With `1 2 3` on the stack (1 on top), `movup.2` gives `3 1 2`", "movup.2", &[1, 2, 3], &[3, 1, 2]),
        ("and `movdn.2` gives `2 3 1`", "movdn.2", &[1, 2, 3], &[2, 3, 1]),
        ("`push.7 mem_store.3 mem_load.3` leaves 7", "push.7 mem_store.3 mem_load.3", &[], &[7]),
        (
            "`push.4 push.3 push.2 push.1 mem_storew.9 mem_loadw.9` leaves `1 2 3 4` (1 on top)",
            "push.4 push.3 push.2 push.1 mem_storew.9 mem_loadw.9",
            &[],
            &[1, 2, 3, 4],
        ),
        ("`push.4294967296 push.5 lt` leaves 0", "push.4294967296 push.5 lt", &[], &[0]),
    ];
    for (sentence, code, public, top) in cases {
        assert!(doc.contains(sentence), "docs/isa.md no longer says: {sentence}");
        let (stack, _) = run(code, public, &[]);
        assert_eq!(&stack[..top.len()], top, "{sentence}");
    }
}

#[test]
fn the_u32_examples_leave_what_the_document_says() {
    let doc = doc();
    // (sentence, code, stated stack top first)
    let cases: [(&str, &str, [u64; 2]); 4] = [
        (
            "`push.5 push.7 u32sub` leaves `4294967294` with the borrow 1 on top",
            "push.5 push.7 u32sub",
            [1, 4294967294],
        ),
        ("`push.100 push.7 u32divmod` leaves `14` with the remainder 2 on top", "push.100 push.7 u32divmod", [2, 14]),
        (
            "`push.4294967295 push.4294967295 u32mul` leaves `1` with the high word 4294967294 on top",
            "push.4294967295 push.4294967295 u32mul",
            [4294967294, 1],
        ),
        (
            "`push.18446744069414584320 u32split` (p − 1) leaves `0` with 4294967295 on top",
            "push.18446744069414584320 u32split",
            [4294967295, 0],
        ),
    ];
    for (sentence, code, top) in cases {
        assert!(doc.contains(sentence), "docs/isa.md no longer says: {sentence}");
        let (stack, _) = run(code, &[], &[]);
        assert_eq!(stack[..2], top, "{sentence}");
    }
    // "`u32assert` on `5 p−1`, 5 on top, passes"
    assert!(doc.contains("(`u32assert` on `5 p−1`, 5 on top, passes)"));
    let (stack, _) = run("u32assert", &[5, 18446744069414584320], &[]);
    assert_eq!(stack, [5, 18446744069414584320]);
    // assembly errors the document names
    for (sentence, code) in [
        ("is an assembly error (`u32shl.32`)", "push.1 u32shl.32"),
        ("(`u32lt.1`)", "push.1 push.2 u32lt.1"),
        ("`push.18446744069414584321` is an error, not reduced", "push.18446744069414584321"),
    ] {
        assert!(doc.contains(sentence), "docs/isa.md no longer says: {sentence}");
        assert!(distaff_assembly::assemble(&format!("begin {code} end")).is_err(), "{code}");
    }
}

#[test]
fn the_control_flow_and_assembly_examples_cost_and_leave_what_the_document_says() {
    let doc = doc();
    let sentence = "So `read if.true push.10 add else push.4 mul end` takes 8 (span `read`) + 8 (split) + 8 (the branch, padded) + 8 (end) + 8 (join) = 40 cycles.";
    assert!(doc.contains(sentence), "docs/isa.md no longer says: {sentence}");
    for (secret, top) in [(1, 15), (0, 20)] {
        let (stack, cycles) = run("read if.true push.10 add else push.4 mul end", &[5], &[secret]);
        assert_eq!(cycles, 40, "secret {secret}");
        assert_eq!(stack[0], top, "secret {secret}");
    }
    // the Fibonacci program: with public inputs 1, 0 leaves F(51)
    assert!(
        doc.contains("# Fibonacci: with public inputs 1, 0 leaves F(51) on top begin repeat.50 swap dup.1 add end end")
    );
    let (stack, _) = run("repeat.50 swap dup.1 add end", &[1, 0], &[]);
    assert_eq!(stack[0], 20365011074, "F(51)");
    // the procedure example: secret 1 doubles, secret 0 squares, then the loop counts down
    let body = "read if.true exec.double else dup mul end push.1 while.true push.1 sub dup push.0 eq not end";
    let program = format!("proc.double dup add end begin {body} end");
    assert!(doc.contains("proc.double dup add end begin read if.true # secret 1: double, secret 0: square exec.double"));
    // from 3: secret 1 doubles (6), secret 0 squares (9), and the loop counts that down to 0,
    // 16 cycles an iteration (an 8-cycle body and the 8-cycle step that pops the next condition)
    let mut cycles = Vec::new();
    for secret in [1, 0] {
        let program = distaff_assembly::assemble(&program).unwrap();
        let inputs = ProgramInputs::new(vec![Felt::new(3)], vec![Felt::new(secret)]).unwrap();
        let out = execute(&program, &inputs).unwrap();
        assert_eq!(out.stack, [Felt::new(0)], "secret {secret}");
        cycles.push(out.cycles);
    }
    assert_eq!(cycles[1] - cycles[0], (9 - 6) * 16);
}

#[test]
fn the_constant_and_assertion_message_example_runs() {
    let doc = doc();
    let code =
        "const.LIMIT=100 begin read dup push.LIMIT u32lt # secret x < LIMIT? assert.err=\"x must be below LIMIT\" end";
    assert!(doc.contains(code), "docs/isa.md no longer has the example");
    let source = code.replace(" # secret x < LIMIT?", "");
    let (program, map) = distaff_assembly::assemble_with_source_map(&source).unwrap();
    let inputs = |x: u64| ProgramInputs::new(vec![], vec![Felt::new(x)]).unwrap();
    assert_eq!(execute(&program, &inputs(50)).unwrap().stack[0].as_int(), 50);
    let e = execute(&program, &inputs(150)).unwrap_err();
    let Some(distaff_processor::ProgramPoint::Instruction(i)) = e.point() else { panic!("{e}") };
    assert_eq!(map.message(i), Some("x must be below LIMIT"));
}
