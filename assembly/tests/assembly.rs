use distaff_air::{Instruction, Instruction::*};
use distaff_assembly::{assemble, ErrorKind};
use distaff_math::Felt;
use proptest::prelude::*;

fn ok(src: &str) -> Vec<Instruction> {
    assemble(src).unwrap_or_else(|e| panic!("{}", e.render(src))).instructions().expect("straight-line").to_vec()
}

fn err(src: &str) -> (usize, usize, ErrorKind) {
    let e = assemble(src).expect_err("should fail");
    (e.line, e.column, e.kind)
}

#[test]
fn every_instruction_assembles() {
    let src = "begin noop push.5 read add sub mul neg inv not and or eq drop assert assert_eq \
               dup dup.15 swap swap.15 movup.1 movup.15 movdn.2 movdn.15 end";
    assert_eq!(
        ok(src),
        vec![
            Noop,
            Push(Felt::new(5)),
            Read,
            Add,
            Sub,
            Mul,
            Neg,
            Inv,
            Not,
            And,
            Or,
            Eq,
            Drop,
            Assert,
            AssertEq,
            Dup(0),
            Dup(15),
            Swap(1),
            Swap(15),
            MovUp(1),
            MovUp(15),
            MovDn(2),
            MovDn(15),
        ]
    );
}

#[test]
fn comments_whitespace_and_values() {
    let src = "# header\r\n\tbegin # start\r\n  push.0x10   push.18446744069414584320#tight\n\n end # done\n";
    assert_eq!(ok(src), vec![Push(Felt::new(16)), Push(Felt::new(18446744069414584320))]);
}

#[test]
fn repeat_expands_and_nests() {
    assert_eq!(ok("begin repeat.3 repeat.2 add end end end"), vec![Add; 6]);
    assert_eq!(ok("begin push.1 repeat.2 dup end drop end"), vec![Push(Felt::new(1)), Dup(0), Dup(0), Drop]);
    let deep = format!("begin {} add {} end", "repeat.1 ".repeat(100_000), "end ".repeat(100_000));
    assert_eq!(ok(&deep), vec![Add]);
}

#[test]
fn errors_point_at_line_and_column() {
    assert!(
        matches!(err("begin\n  add\n    ad end"), (3, 5, ErrorKind::UnknownInstruction { suggestion: Some(s), .. }) if s == "add")
    );
    assert!(matches!(err("begin push end"), (1, 7, ErrorKind::MissingImmediate(_))));
    assert!(matches!(err("begin add.3 end"), (1, 7, ErrorKind::UnexpectedImmediate(_))));
    assert!(matches!(err("begin push.18446744069414584321 end"), (1, 7, ErrorKind::BadImmediate { .. })));
    assert!(matches!(err("begin push.-1 end"), (1, 7, ErrorKind::BadImmediate { .. })));
    assert!(matches!(err("begin dup.16 end"), (1, 7, ErrorKind::BadImmediate { .. })));
    assert!(matches!(err("begin swap.0 end"), (1, 7, ErrorKind::BadImmediate { .. })));
    assert!(matches!(err("begin movup end"), (1, 7, ErrorKind::MissingImmediate(_))));
    assert!(matches!(err("begin repeat.0 add end end"), (1, 7, ErrorKind::BadImmediate { .. })));
    assert!(matches!(err("add end"), (1, 1, ErrorKind::ExpectedBegin(_))));
    assert!(matches!(err("# nothing\n"), (1, 1, ErrorKind::MissingBegin)));
    assert!(matches!(err("begin add"), (1, 10, ErrorKind::UnclosedBlock { line: 1, column: 1, .. })));
    assert!(matches!(err("begin repeat.2 add end"), (1, 23, ErrorKind::UnclosedBlock { line: 1, column: 1, .. })));
    assert!(matches!(err("begin repeat.2 add"), (1, 19, ErrorKind::UnclosedBlock { line: 1, column: 7, .. })));
    assert!(matches!(err("begin add end\nmul"), (2, 1, ErrorKind::TrailingInput(_))));
    assert!(matches!(err("begin end"), (1, 1, ErrorKind::EmptyProgram)));
    assert!(matches!(err("begin repeat.3 end end"), (1, 1, ErrorKind::EmptyProgram)));
}

#[test]
fn huge_expansions_are_refused_without_allocating() {
    let src = "begin repeat.4294967295 repeat.4294967295 add end end end";
    assert!(matches!(err(src), (1, 25, ErrorKind::ProgramTooLarge)));
    assert!(matches!(err("begin repeat.100000000 add end end"), (1, 7, ErrorKind::ProgramTooLarge)));
}

#[test]
fn render_shows_the_line_and_a_caret() {
    let src = "begin\n  push.1 frob\nend";
    let e = assemble(src).unwrap_err();
    let r = e.render(src);
    assert!(r.starts_with("line 2, column 10: unknown instruction 'frob'"), "{r}");
    assert!(r.contains("2 |   push.1 frob"), "{r}");
    assert!(r.ends_with("|          ^"), "{r:?}");
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,200}") {
        let _ = assemble(&src);
    }

    #[test]
    fn arbitrary_tokens_never_panic(tokens in prop::collection::vec(prop::sample::select(vec![
        "begin", "end", "repeat.2", "repeat.x", "push.1", "push.", "dup.3", "swap.99", "add", "#", "\n", "movdn.", ".", "foo",
    ]), 0..40)) {
        let _ = assemble(&tokens.join(" "));
    }

    #[test]
    fn printed_programs_reassemble(ops in prop::collection::vec((0u8..19, 0u8..16, any::<u64>()), 1..50)) {
        let program: Vec<Instruction> = ops.iter().map(|&(k, n, v)| {
            let n1 = n.max(1);
            match k {
                0 => Noop, 1 => Push(Felt::new(v % 18446744069414584321)), 2 => Read, 3 => Add, 4 => Sub, 5 => Mul,
                6 => Neg, 7 => Inv, 8 => Not, 9 => And, 10 => Or, 11 => Eq, 12 => Drop, 13 => Assert, 14 => AssertEq,
                15 => Dup(n), 16 => Swap(n1), 17 => MovUp(n1), _ => MovDn(n1),
            }
        }).collect();
        let text = format!("begin\n{}\nend", program.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("\n"));
        prop_assert_eq!(ok(&text), program);
    }
}
