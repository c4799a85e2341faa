use distaff_air::program::{Block, BlockKind};
use distaff_air::{Instruction, Instruction::*, Program, Word};
use distaff_assembly::{assemble, ErrorKind, MAX_NESTING};
use distaff_math::Felt;
use proptest::prelude::*;

fn ok(src: &str) -> Vec<Instruction> {
    assemble(src).unwrap_or_else(|e| panic!("{}", e.render(src))).instructions().expect("straight-line").to_vec()
}

/// Assembles a program that may have control flow.
fn program(src: &str) -> Program {
    assemble(src).unwrap_or_else(|e| panic!("{}", e.render(src)))
}

fn hash(src: &str) -> Word {
    program(src).hash()
}

/// The instructions of a span block.
fn span(block: &Block) -> &[Instruction] {
    match block.kind() {
        BlockKind::Span(instructions) => instructions,
        other => panic!("expected a span, found {other:?}"),
    }
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
            Eq,
            Assert,
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

/// The deepest nesting of splits and loops in a block tree (joins do not count).
fn control_depth(block: &Block) -> usize {
    match block.kind() {
        BlockKind::Span(_) | BlockKind::HPerm(_) => 0,
        BlockKind::Join(a, b) => control_depth(a).max(control_depth(b)),
        BlockKind::Split(a, b) => 1 + control_depth(a).max(control_depth(b)),
        BlockKind::Loop(body) => 1 + control_depth(body),
    }
}

fn s(instructions: Vec<Instruction>) -> Block {
    Block::span(instructions).unwrap()
}

#[test]
fn control_flow_assembles_to_a_tree_of_blocks() {
    // span, split, span: joined as a balanced tree ((span, split), span)
    let p = program("begin push.1 if.true add else mul end drop end");
    assert!(p.instructions().is_none());
    let BlockKind::Join(left, last) = p.root().kind() else { panic!("{:?}", p.root()) };
    let BlockKind::Join(first, split) = left.kind() else { panic!("{left:?}") };
    assert_eq!(span(first), [Push(Felt::new(1))]);
    let BlockKind::Split(on_true, on_false) = split.kind() else { panic!("{split:?}") };
    assert_eq!(span(on_true), [Add]);
    assert_eq!(span(on_false), [Mul]);
    assert_eq!(span(last), [Drop]);
    let expected = Block::sequence(vec![
        s(vec![Push(Felt::new(1))]),
        Block::split(s(vec![Add]), s(vec![Mul])).unwrap(),
        s(vec![Drop]),
    ])
    .unwrap();
    assert_eq!(p.root(), &expected);

    // a loop; a run of instructions inside a block is one span
    let p = program("begin push.1 while.true push.0 dup drop end end");
    let BlockKind::Join(first, lp) = p.root().kind() else { panic!("{:?}", p.root()) };
    assert_eq!(span(first), [Push(Felt::new(1))]);
    let BlockKind::Loop(body) = lp.kind() else { panic!("{lp:?}") };
    assert_eq!(span(body), [Push(Felt::new(0)), Dup(0), Drop]);

    // a lone block is the root itself, without a join; empty bodies are a single noop
    let p = program("begin if.true add end end");
    let BlockKind::Split(on_true, on_false) = p.root().kind() else { panic!("{:?}", p.root()) };
    assert_eq!((span(on_true), span(on_false)), (&[Add][..], &[Noop][..]));
    let p = program("begin if.true else add end end");
    let BlockKind::Split(on_true, on_false) = p.root().kind() else { panic!("{:?}", p.root()) };
    assert_eq!((span(on_true), span(on_false)), (&[Noop][..], &[Add][..]));
    let p = program("begin while.true end end");
    let BlockKind::Loop(body) = p.root().kind() else { panic!("{:?}", p.root()) };
    assert_eq!(span(body), [Noop]);

    // four and five parts: balanced, ((a, b), (c, d)) and (((a, b), (c, d)), e)
    let p = program("begin add if.true add end mul while.true mul end end");
    let BlockKind::Join(ab, cd) = p.root().kind() else { panic!("{:?}", p.root()) };
    assert!(matches!((ab.kind(), cd.kind()), (BlockKind::Join(..), BlockKind::Join(..))));
    let BlockKind::Join(a, b) = ab.kind() else { unreachable!() };
    let BlockKind::Join(c, d) = cd.kind() else { unreachable!() };
    assert_eq!(span(a), [Add]);
    assert!(matches!(b.kind(), BlockKind::Split(..)));
    assert_eq!(span(c), [Mul]);
    assert!(matches!(d.kind(), BlockKind::Loop(..)));
    let p = program("begin add if.true add end mul while.true mul end neg end");
    let BlockKind::Join(abcd, e) = p.root().kind() else { panic!("{:?}", p.root()) };
    assert_eq!(span(e), [Neg]);
    assert_eq!(abcd.depth(), 4);
    assert_eq!(p.root().depth(), 5);

    // nesting: while { if { add } else { push.1 if { mul } } }
    let p = program("begin while.true if.true add else push.1 if.true mul end end end end");
    let BlockKind::Loop(body) = p.root().kind() else { panic!("{:?}", p.root()) };
    let BlockKind::Split(on_true, on_false) = body.kind() else { panic!("{body:?}") };
    assert_eq!(span(on_true), [Add]);
    let BlockKind::Join(push, inner) = on_false.kind() else { panic!("{on_false:?}") };
    assert_eq!(span(push), [Push(Felt::new(1))]);
    let BlockKind::Split(mul, noop) = inner.kind() else { panic!("{inner:?}") };
    assert_eq!((span(mul), span(noop)), (&[Mul][..], &[Noop][..]));
    assert_eq!(control_depth(p.root()), 3);

    // straight-line programs are still a single span; repeat copies blocks
    assert_eq!(program("begin add mul end").root(), &s(vec![Add, Mul]));
    assert_eq!(program("begin repeat.2 if.true add end end end"), program("begin if.true add end if.true add end end"));
    let p = program("begin repeat.2 if.true add end end end");
    let BlockKind::Join(a, b) = p.root().kind() else { panic!("{:?}", p.root()) };
    assert_eq!(a, b);
}

#[test]
fn an_omitted_else_is_a_noop_else() {
    for (short, long) in [
        ("begin push.1 if.true add end end", "begin push.1 if.true add else noop end end"),
        ("begin if.true end end", "begin if.true noop else noop end end"),
        ("begin if.true else end end", "begin if.true noop else noop end end"),
        ("begin while.true end end", "begin while.true noop end end"),
    ] {
        assert_eq!(program(short), program(long), "{short}");
        assert_eq!(hash(short), hash(long), "{short}");
    }
    // but an explicit else with something else in it differs
    assert_ne!(hash("begin push.1 if.true add end end"), hash("begin push.1 if.true add else noop noop end end"));
}

#[test]
fn the_hash_ignores_formatting_comments_and_procedure_names() {
    let compact = "proc.square dup mul end begin push.3 exec.square if.true add else mul end \
                   while.true push.0 end end";
    let spread = "# squares a value\n\
                  proc.sq   # x -> x^2\n\
                  \tdup\n\
                  \tmul\n\
                  end\n\
                  \n\
                  proc.unused add end   # never called: does not matter\n\
                  begin\r\n\
                  \x20   push.0x3 exec.sq\n\
                  \x20   if.true  # branch\n\
                  \x20       add\n\
                  \x20   else\n\
                  \x20       mul\n\
                  \x20   end\n\
                  \x20   while.true push.0 end # loop\n\
                  end   # the end\n";
    assert_eq!(program(compact), program(spread));
    assert_eq!(hash(compact), hash(spread));
}

#[test]
fn the_hash_depends_on_every_instruction_and_block() {
    let variants = [
        "begin push.1 if.true add else mul end while.true push.0 end end",
        "begin push.1 if.true sub else mul end while.true push.0 end end", // then branch
        "begin push.1 if.true add else sub end while.true push.0 end end", // else branch
        "begin push.1 if.true mul else add end while.true push.0 end end", // branches swapped
        "begin push.1 if.true add else mul end while.true push.2 end end", // loop body
        "begin push.1 if.true add else mul end while.true noop push.0 end end", // loop body
        "begin push.2 if.true add else mul end while.true push.0 end end", // before the split
        "begin push.1 if.true add else mul end push.0 end",                // loop removed
        "begin push.1 if.true add add else mul end while.true push.0 end end",
        "begin push.1 if.true add else mul end if.true push.0 end end", // while -> if
        "begin push.1 while.true push.0 end if.true add else mul end end", // order of blocks
        "begin push.1 if.true if.true add else mul end end while.true push.0 end end", // nesting
    ];
    let hashes: Vec<Word> = variants.iter().map(|v| hash(v)).collect();
    for i in 0..hashes.len() {
        for j in 0..i {
            assert_ne!(hashes[i], hashes[j], "{} vs {}", variants[i], variants[j]);
        }
    }
    // if.true -> while.true with the same body; a block boundary moved; a block around a span
    assert_ne!(hash("begin push.1 if.true push.0 end end"), hash("begin push.1 while.true push.0 end end"));
    assert_ne!(hash("begin push.1 if.true add end mul end"), hash("begin push.1 if.true add mul end end"));
    assert_ne!(hash("begin push.1 push.0 end"), hash("begin push.1 if.true push.0 end end"));
    assert_ne!(hash("begin if.true add else noop end end"), hash("begin if.true noop else add end end"));
}

#[test]
fn exec_inlines_the_procedure_body() {
    for (with_procs, inline) in [
        ("proc.sq dup mul end begin push.3 exec.sq exec.sq end", "begin push.3 dup mul dup mul end"),
        ("proc.f if.true neg end end begin push.5 push.1 exec.f end", "begin push.5 push.1 if.true neg end end"),
        (
            "proc.a add end proc.b exec.a exec.a end begin push.1 push.2 push.3 exec.b end",
            "begin push.1 push.2 push.3 add add end",
        ),
        (
            "proc.inc push.1 add end begin push.0 push.1 while.true exec.inc push.0 end end",
            "begin push.0 push.1 while.true push.1 add push.0 end end",
        ),
        ("proc.d dup add end begin push.1 repeat.3 exec.d end end", "begin push.1 dup add dup add dup add end"),
        (
            "proc.t push.1 end proc.e push.2 end begin read if.true exec.t else exec.e end end",
            "begin read if.true push.1 else push.2 end end",
        ),
        ("proc.empty end begin add exec.empty mul end", "begin add mul end"),
    ] {
        assert_eq!(program(with_procs), program(inline), "{with_procs}");
        assert_eq!(hash(with_procs), hash(inline), "{with_procs}");
    }
    // inlined instructions join the surrounding span: no block boundary at a call
    assert_eq!(
        program("proc.sq dup mul end begin push.3 exec.sq add end").root(),
        &s(vec![Push(Felt::new(3)), Dup(0), Mul, Add])
    );
}

#[test]
fn local_errors_point_at_the_offending_token() {
    let bad_local = |src: &str, line: usize, column: usize, needle: &str| {
        let (l, c, kind) = err(src);
        assert_eq!((l, c), (line, column), "{src}");
        assert!(matches!(&kind, ErrorKind::BadLocal { .. }), "{src}: {kind:?}");
        assert!(kind.to_string().contains(needle), "{src}: {kind}");
    };
    bad_local("begin push.1 loc_store.0 end", 1, 14, "belong to procedures");
    bad_local(
        "proc.f
  loc_load.0
end
begin exec.f end",
        2,
        3,
        "declares no locals (declare them: proc.f.N)",
    );
    bad_local("proc.f.2 loc_load.1 loc_loadw.2 end begin exec.f end", 1, 21, "numbered 0 to 1");
    for (src, text) in [("proc.f.0 add end begin exec.f end", "0"), ("proc.f.65537 add end begin exec.f end", "65537")]
    {
        assert!(
            matches!(err(src), (1, 1, ErrorKind::BadImmediate { instruction, text: t, .. }) if instruction == "proc" && t == text),
            "{src}"
        );
    }
    assert!(
        matches!(err("proc.f.1 loc_load end begin exec.f end"), (1, 10, ErrorKind::MissingImmediate(n)) if n == "loc_load")
    );
    // 2^16 words per frame, nested 2^15 deep, would pass 2^32: refused at the call that does
    let mut src = String::from("proc.p0.65536 locaddr.0 end\n");
    for k in 1..=32768 {
        src.push_str(&format!("proc.p{k}.65536 exec.p{} end\n", k - 1));
    }
    src.push_str("begin exec.p32768 end");
    assert_eq!(err(&src).2, ErrorKind::LocalsTooDeep);
}

#[test]
fn procedure_errors_point_at_the_offending_token() {
    assert_eq!(err("begin exec.nope end"), (1, 7, ErrorKind::UnknownProcedure("nope".into())));
    // procedures are declared before they are called
    assert_eq!(
        err("proc.b exec.a end\nproc.a add end\nbegin exec.b end"),
        (1, 8, ErrorKind::UnknownProcedure("a".into()))
    );
    assert_eq!(err("proc.a exec.a end begin exec.a end"), (1, 8, ErrorKind::RecursiveProcedure("a".into())));
    assert_eq!(
        err("proc.f\n  if.true\n    exec.f\n  end\nend\nbegin exec.f end"),
        (3, 5, ErrorKind::RecursiveProcedure("f".into()))
    );
    assert_eq!(
        err("proc.a add end\nproc.a mul end\nbegin exec.a end"),
        (2, 1, ErrorKind::DuplicateProcedure("a".into()))
    );
    assert_eq!(err("proc.1x add end begin add end"), (1, 1, ErrorKind::BadProcedureName("1x".into())));
    assert_eq!(err("begin exec.a-b end"), (1, 7, ErrorKind::BadProcedureName("a-b".into())));
    // proc.NAME.N declares N locals
    assert!(matches!(
        err("proc.a.b add end begin add end"),
        (1, 1, ErrorKind::BadImmediate { instruction, text, .. }) if instruction == "proc" && text == "b"
    ));
    assert_eq!(err("proc. add end begin add end"), (1, 1, ErrorKind::BadProcedureName("".into())));
    assert_eq!(err("proc add end begin add end"), (1, 1, ErrorKind::MissingImmediate("proc".into())));
    assert_eq!(err("begin exec end"), (1, 7, ErrorKind::MissingImmediate("exec".into())));
    assert!(
        matches!(err("begin add proc.a mul end end"), (1, 11, ErrorKind::Unexpected { token, .. }) if token == "proc.a")
    );
    assert!(
        matches!(err("proc.a proc.b add end end begin add end"), (1, 8, ErrorKind::Unexpected { token, .. }) if token == "proc.b")
    );
    assert!(matches!(err("begin add end proc.a mul end"), (1, 15, ErrorKind::TrailingInput(t)) if t == "proc.a"));
    assert!(matches!(err("exec.a begin add end"), (1, 1, ErrorKind::ExpectedBegin(t)) if t == "exec.a"));
    assert!(
        matches!(err("proc.a add"), (1, 11, ErrorKind::UnclosedBlock { opener, line: 1, column: 1 }) if opener == "proc.a")
    );
    // a program made only of an empty procedure has no instructions
    assert_eq!(err("proc.e end begin exec.e end"), (1, 12, ErrorKind::EmptyProgram));
}

#[test]
fn block_errors_point_at_the_offending_token() {
    let unexpected = |src: &str| match err(src) {
        (line, column, ErrorKind::Unexpected { token, .. }) => (line, column, token),
        other => panic!("{src}: {other:?}"),
    };
    // else outside an if.true
    assert_eq!(unexpected("begin add else mul end"), (1, 11, "else".into()));
    assert_eq!(unexpected("begin while.true else end end"), (1, 18, "else".into()));
    assert_eq!(unexpected("begin if.true repeat.2 add else mul end end end"), (1, 28, "else".into()));
    assert!(matches!(err("else begin add end"), (1, 1, ErrorKind::ExpectedBegin(t)) if t == "else"));
    assert_eq!(err("begin if.true add else.1 mul end end"), (1, 19, ErrorKind::UnexpectedImmediate("else".into())));
    // two else in one if
    assert_eq!(unexpected("begin push.1 if.true add else mul else drop end end"), (1, 35, "else".into()));
    assert_eq!(
        unexpected("begin\n  if.true\n    add\n  else\n    mul\n  else\n    drop\n  end\nend"),
        (6, 3, "else".into())
    );
    // if and while must be written .true
    assert_eq!(err("begin push.1 if.false add end end"), (1, 14, ErrorKind::ExpectedTrue("if".into())));
    assert_eq!(err("begin push.1 if add end end"), (1, 14, ErrorKind::ExpectedTrue("if".into())));
    assert_eq!(err("begin\n push.1\n\twhile.false add end end"), (3, 2, ErrorKind::ExpectedTrue("while".into())));
    assert_eq!(err("begin while add end end"), (1, 7, ErrorKind::ExpectedTrue("while".into())));
    assert_eq!(err("begin if.True add end end"), (1, 7, ErrorKind::ExpectedTrue("if".into())));
    // an unclosed block names its opener's line and column
    assert_eq!(
        err("begin\n  push.1 if.true\n    add\n"),
        (3, 8, ErrorKind::UnclosedBlock { opener: "if.true".into(), line: 2, column: 10 })
    );
    assert_eq!(
        err("begin push.1 if.true add else mul"),
        (1, 34, ErrorKind::UnclosedBlock { opener: "if.true".into(), line: 1, column: 14 })
    );
    assert_eq!(
        err("begin push.1 while.true add"),
        (1, 28, ErrorKind::UnclosedBlock { opener: "while.true".into(), line: 1, column: 14 })
    );
    // the if's 'end' closes the if, leaving 'begin' open
    assert_eq!(
        err("begin push.1 if.true add else mul end"),
        (1, 38, ErrorKind::UnclosedBlock { opener: "begin".into(), line: 1, column: 1 })
    );
    // by the indentation, the 'end' that closed the if was meant for 'begin': the if is named
    let misclosed =
        |opener: &str, (line, column), (end_line, end_column), outer: &str, outer_line| ErrorKind::MisclosedBlock {
            opener: opener.into(),
            line,
            column,
            end_line,
            end_column,
            outer: outer.into(),
            outer_line,
        };
    assert_eq!(
        err("begin\n    push.1\n    if.true\n        push.2\nend\n"),
        (3, 5, misclosed("if.true", (3, 5), (5, 1), "begin", 1))
    );
    // nested blocks in a procedure: the 'end' meant for the repeat closed the while
    assert_eq!(
        err("proc.f\n    repeat.2\n        while.true\n            push.0\n    end\nend\n"),
        (3, 9, misclosed("while.true", (3, 9), (5, 5), "repeat.2", 2))
    );
    // an 'end' that lines up with nothing in particular leaves the plain message
    assert_eq!(
        err("begin\n  if.true\n    add\n    end\n"),
        (4, 8, ErrorKind::UnclosedBlock { opener: "begin".into(), line: 1, column: 1 })
    );
    // a second begin
    assert_eq!(err("begin add end\nbegin mul end"), (2, 1, ErrorKind::TrailingInput("begin".into())));
    assert_eq!(unexpected("begin add begin mul end end"), (1, 11, "begin".into()));
    assert_eq!(unexpected("proc.a begin add end end begin add end"), (1, 8, "begin".into()));
}

#[test]
fn nesting_limits() {
    // 16 levels, alternating if and while
    let mut src = String::from("begin\n");
    for level in 0..16 {
        src += &format!("{}push.1 {}\n", "  ".repeat(level + 1), if level % 2 == 0 { "if.true" } else { "while.true" });
    }
    src += "push.0\n";
    for level in (0..16).rev() {
        src += &format!("{}end\n", "  ".repeat(level + 1));
    }
    src += "end\n";
    assert_eq!(control_depth(program(&src).root()), 16);

    // exactly MAX_NESTING levels are accepted; one more is refused at the extra opener
    let nested = |n: usize| format!("begin {} add {}end", "if.true ".repeat(n), "end ".repeat(n));
    assert_eq!(control_depth(program(&nested(MAX_NESTING)).root()), MAX_NESTING);
    assert_eq!(err(&nested(MAX_NESTING + 1)), (1, 7 + 8 * MAX_NESTING, ErrorKind::NestingTooDeep));
    assert_eq!(err(&nested(1000)), (1, 7 + 8 * MAX_NESTING, ErrorKind::NestingTooDeep));
    let mixed = format!("begin {}while.true add end {}end", "if.true ".repeat(MAX_NESTING), "end ".repeat(MAX_NESTING));
    assert_eq!(err(&mixed), (1, 7 + 8 * MAX_NESTING, ErrorKind::NestingTooDeep));
    // inside a procedure too
    let in_proc = format!("proc.p {} add {}end begin exec.p end", "if.true ".repeat(129), "end ".repeat(129));
    assert_eq!(err(&in_proc), (1, 8 + 8 * MAX_NESTING, ErrorKind::NestingTooDeep));

    // repeat blocks do not count: 500 of them, alone or around 128 levels of if
    let repeats = format!("begin {} if.true add end {}end", "repeat.1 ".repeat(500), "end ".repeat(500));
    assert_eq!(hash(&repeats), hash("begin if.true add end end"));
    let interleaved =
        format!("begin {} add {}end", "repeat.1 if.true ".repeat(MAX_NESTING), "end end ".repeat(MAX_NESTING));
    assert_eq!(program(&interleaved), program(&nested(MAX_NESTING)));
    let inside = format!(
        "begin {} {} add {} {}end",
        "if.true ".repeat(MAX_NESTING),
        "repeat.1 ".repeat(500),
        "end ".repeat(500),
        "end ".repeat(MAX_NESTING)
    );
    assert_eq!(program(&inside), program(&nested(MAX_NESTING)));
}

/// `exec` inlines a procedure's blocks, and they count towards [`MAX_NESTING`] where inlined,
/// so nesting through procedures is as bounded as nesting written out.
#[test]
fn exec_counts_towards_the_nesting_limit() {
    let inner = format!("{} add {}", "if.true ".repeat(100), "end ".repeat(100));
    let src = format!("proc.p {inner} end begin {} exec.p {}end", "if.true ".repeat(100), "end ".repeat(100));
    assert!(matches!(err(&src), (_, _, ErrorKind::NestingTooDeep)));
}

#[test]
fn a_long_chain_of_nested_procedures_is_an_error_not_a_crash() {
    let mut src = String::from("proc.p0 if.true add end end\n");
    for i in 1..2000 {
        src += &format!("proc.p{i} if.true exec.p{} end end\n", i - 1);
    }
    src += "begin exec.p1999 end";
    assert!(matches!(err(&src), (_, _, ErrorKind::NestingTooDeep)));
}

/// A control-flow program as written, for property tests.
#[derive(Clone, Debug)]
enum Tree {
    Inst(Instruction),
    If(Vec<Tree>, Option<Vec<Tree>>),
    While(Vec<Tree>),
    Repeat(u8, Vec<Tree>),
}

fn trees() -> impl Strategy<Value = Vec<Tree>> {
    let leaf = prop_oneof![Just(Add), Just(Mul), Just(Drop), Just(Noop), (0u64..4).prop_map(|v| Push(Felt::new(v)))]
        .prop_map(Tree::Inst);
    let node = leaf.prop_recursive(4, 40, 5, |inner| {
        let body = prop::collection::vec(inner, 0..5);
        prop_oneof![
            (body.clone(), prop::option::of(body.clone())).prop_map(|(t, f)| Tree::If(t, f)),
            body.clone().prop_map(Tree::While),
            (1u8..3, body).prop_map(|(n, b)| Tree::Repeat(n, b)),
        ]
    });
    prop::collection::vec(node, 1..6)
}

/// Prints the trees; `sep` goes between tokens.
fn print(trees: &[Tree], sep: &str, out: &mut String) {
    for t in trees {
        match t {
            Tree::Inst(i) => *out += &format!("{i}{sep}"),
            Tree::If(a, b) => {
                *out += &format!("if.true{sep}");
                print(a, sep, out);
                if let Some(b) = b {
                    *out += &format!("else{sep}");
                    print(b, sep, out);
                }
                *out += &format!("end{sep}");
            }
            Tree::While(b) => {
                *out += &format!("while.true{sep}");
                print(b, sep, out);
                *out += &format!("end{sep}");
            }
            Tree::Repeat(n, b) => {
                *out += &format!("repeat.{n}{sep}");
                print(b, sep, out);
                *out += &format!("end{sep}");
            }
        }
    }
}

/// The documented block tree: repeats expanded, runs of instructions as spans, a sequence as a
/// balanced join tree, an empty body as a single `noop`.
fn expected_block(trees: &[Tree]) -> Option<Block> {
    fn expand(trees: &[Tree], out: &mut Vec<Tree>) {
        for t in trees {
            match t {
                Tree::Repeat(n, b) => (0..*n).for_each(|_| expand(b, out)),
                other => out.push(other.clone()),
            }
        }
    }
    fn block(trees: &[Tree]) -> Block {
        let mut flat = Vec::new();
        expand(trees, &mut flat);
        let (mut parts, mut run) = (Vec::new(), Vec::new());
        for t in &flat {
            let part = match t {
                Tree::Inst(i) => {
                    run.push(*i);
                    continue;
                }
                Tree::If(a, b) => Block::split(block(a), block(b.as_deref().unwrap_or(&[]))).unwrap(),
                Tree::While(b) => Block::new_loop(block(b)).unwrap(),
                Tree::Repeat(..) => unreachable!("expanded"),
            };
            if !run.is_empty() {
                parts.push(s(std::mem::take(&mut run)));
            }
            parts.push(part);
        }
        if !run.is_empty() || parts.is_empty() {
            parts.push(s(if run.is_empty() { vec![Noop] } else { run }));
        }
        Block::sequence(parts).unwrap()
    }
    let mut flat = Vec::new();
    expand(trees, &mut flat);
    (!flat.is_empty()).then(|| block(trees))
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
    fn printed_programs_reassemble(ops in prop::collection::vec((0u8..27, 0u8..16, any::<u64>()), 1..50)) {
        let program: Vec<Instruction> = ops.iter().map(|&(k, n, v)| {
            let n1 = n.max(1);
            match k {
                0 => Noop, 1 => Push(Felt::new(v % 18446744069414584321)), 2 => Read, 3 => Add, 4 => Sub, 5 => Mul,
                6 => Neg, 7 => Inv, 8 => Not, 9 => And, 10 => Or, 11 => Eq, 12 => Drop, 13 => Assert, 14 => MLoad,
                15 => Dup(n), 16 => Swap(n1), 17 => MovUp(n1), 18 => MovDn(n1), 19 => U32Assert2, 20 => U32Split,
                21 => U32OverflowingAdd, 22 => U32OverflowingSub, 23 => U32OverflowingMul, 24 => U32DivMod,
                25 => U32Lt, _ => Pad,
            }
        }).collect();
        let text = format!("begin\n{}\nend", program.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("\n"));
        prop_assert_eq!(ok(&text), program);
    }
    #[test]
    fn arbitrary_control_flow_tokens_never_panic(tokens in prop::collection::vec(prop::sample::select(vec![
        "begin", "end", "if.true", "if.false", "if", "else", "while.true", "while", "repeat.2", "proc.a", "proc.b",
        "proc.1", "exec.a", "exec.b", "exec.c", "exec", "add", "push.1", "noop", "\n", "#",
    ]), 0..60)) {
        let _ = assemble(&tokens.join(" "));
    }

    #[test]
    fn control_flow_programs_assemble_to_the_documented_tree(trees in trees()) {
        let (mut compact, mut spread) = (String::from("begin "), String::from("# spread out\nbegin\n"));
        print(&trees, " ", &mut compact);
        print(&trees, "   # comment\n\t", &mut spread);
        compact += "end";
        spread += "end\n";
        match expected_block(&trees) {
            Some(expected) => {
                let p = program(&compact);
                prop_assert_eq!(p.root(), &expected);
                prop_assert_eq!(program(&spread).hash(), expected.hash());
                // wrapping the body in a procedure changes nothing
                let via_proc = format!("proc.body {} end begin exec.body end", &compact["begin ".len()..compact.len() - "end".len()]);
                prop_assert_eq!(program(&via_proc).hash(), expected.hash());
            }
            None => prop_assert!(matches!(err(&compact), (_, _, ErrorKind::EmptyProgram))),
        }
    }
}

#[test]
fn a_block_tree_too_deep_for_its_nesting_is_its_own_error() {
    // 120 levels, each with 255 sibling blocks: every level adds a split and 8 levels of joins
    let siblings = "if.true add end ".repeat(255);
    let src = format!("begin {} add {} end", format!("{siblings} if.true ").repeat(120), "end ".repeat(120));
    let (_, _, kind) = err(&src);
    assert_eq!(kind, ErrorKind::TreeTooDeep);
    assert!(kind.to_string().contains("1024"), "{kind}");
}

#[test]
fn the_source_map_points_at_every_instruction_and_condition() {
    use distaff_assembly::assemble_with_source_map;
    let src = "proc.sq\n  dup mul\nend\nbegin\n  push.2\n  if.true\n    exec.sq\n  end\n  while.true\n    push.0\n  end\nend\n";
    let (program, map) = assemble_with_source_map(src).unwrap();
    // static order: push.2, [if: dup mul | else: the noop the assembler adds], [while: push.0]
    assert_eq!(program.root().num_instructions(), 5);
    assert_eq!(program.root().num_conditions(), 2);
    assert_eq!(map.instruction(0), Some((5, 3)));
    assert_eq!(map.instruction(1), Some((2, 3)), "inlined instructions point into the procedure");
    assert_eq!(map.instruction(2), Some((2, 7)));
    assert_eq!(map.instruction(3), Some((6, 3)), "the added noop points at its if");
    assert_eq!(map.instruction(4), Some((10, 5)));
    assert_eq!(map.instruction(5), None);
    assert_eq!(map.condition(0), Some((6, 3)));
    assert_eq!(map.condition(1), Some((9, 3)));
    assert_eq!(map.condition(2), None);
}

#[test]
fn comparisons_selections_and_word_reads_assemble() {
    assert_eq!(ok("begin eqz neq cswap cdrop end"), vec![EqZ, Neq, CSwap, CSwap, Drop]);
    assert_eq!(ok("begin readw add end"), vec![Read, Read, Read, Read, Add]);
    assert!(matches!(err("begin readw.4 end"), (1, 7, ErrorKind::UnexpectedImmediate(_))));
    assert!(matches!(err("begin cswap.1 end"), (1, 7, ErrorKind::UnexpectedImmediate(_))));
}

#[test]
fn memory_instructions_assemble_to_their_sequences() {
    let p = |v: u64| Push(Felt::new(v));
    for (src, expected) in [
        ("mem_load", vec![MLoad]),
        ("mem_load.7", vec![p(7), MLoad]),
        ("mem_store", vec![MStore, Drop]),
        ("mem_store.7", vec![p(7), MStore, Drop]),
        ("mem_loadw", vec![Pad, Pad, Pad, Pad, MovUp(4), MLoadW]),
        ("mem_loadw.7", vec![Pad, Pad, Pad, Pad, p(7), MLoadW]),
        ("mem_storew", vec![MStoreW, Drop, Drop, Drop, Drop]),
        ("mem_storew.7", vec![p(7), MStoreW, Drop, Drop, Drop, Drop]),
        ("mem_load.0", vec![p(0), MLoad]),
        ("mem_load.0x10", vec![p(16), MLoad]),
        ("mem_store.4294967295", vec![p(4294967295), MStore, Drop]),
        ("mstore", vec![MStore]),
        ("mloadw", vec![MLoadW]),
        ("mstorew", vec![MStoreW]),
        ("pad", vec![Pad]),
        ("padw", vec![Pad; 4]),
        ("dropw", vec![Drop; 4]),
        ("assert_eq", vec![Eq, Assert]),
        ("cdrop", vec![CSwap, Drop]),
    ] {
        assert_eq!(ok(&format!("begin {src} end")), expected, "{src}");
    }
    // macros join the surrounding span like any instruction
    assert_eq!(
        ok("begin push.5 mem_store.2 mem_load.2 padw dropw end"),
        vec![p(5), p(2), MStore, Drop, p(2), MLoad, Pad, Pad, Pad, Pad, Drop, Drop, Drop, Drop]
    );
    assert_eq!(
        program("begin push.1 if.true mem_loadw.3 end end"),
        program("begin push.1 if.true pad pad pad pad push.3 mloadw end end")
    );
}

#[test]
fn memory_addresses_and_immediates_are_checked() {
    for src in ["begin\n  push.1 mem_load.4294967296\nend", "begin\n  push.1 mem_store.0x100000000\nend"] {
        let (line, column, kind) = err(src);
        assert_eq!((line, column), (2, 10), "{src}");
        let ErrorKind::BadImmediate { reason, .. } = &kind else { panic!("{src}: {kind:?}") };
        assert!(reason.contains("4294967295"), "{reason}");
    }
    for src in ["begin mem_loadw.18446744069414584321 end", "begin mem_storew.-1 end", "begin mem_load.x end"] {
        assert!(matches!(err(src), (1, 7, ErrorKind::BadImmediate { .. })), "{src}");
    }
    assert!(matches!(err("begin mem_load. end"), (1, 7, ErrorKind::BadImmediate { .. })));
    for name in ["padw", "pad", "dropw", "mstore", "mloadw", "mstorew", "assert_eq", "cdrop"] {
        assert_eq!(err(&format!("begin {name}.1 end")), (1, 7, ErrorKind::UnexpectedImmediate(name.into())), "{name}");
    }
    assert!(matches!(err("begin mem_lod end"), (1, 7, ErrorKind::UnknownInstruction { .. })));
}

/// The "did you mean" list names the memory instructions.
#[test]
fn misspelt_memory_instructions_get_suggestions() {
    for (typo, name) in [("mem_lod", "mem_load"), ("mem_stor", "mem_store"), ("mloadww", "mloadw"), ("dropww", "dropw")]
    {
        assert!(
            matches!(err(&format!("begin {typo} end")), (1, 7, ErrorKind::UnknownInstruction { suggestion: Some(s), .. }) if s == name),
            "{typo}"
        );
    }
}

// --- u32 operations and field comparisons -----------------------------------------------------

/// `field_lt`: `a b -> (a < b)` on field elements, comparing the high halves, then the low ones.
fn field_lt() -> Vec<Instruction> {
    vec![
        U32Split,
        MovUp(2),
        U32Split,
        Dup(2),
        Dup(1),
        Eq,
        Dup(1),
        Dup(4),
        U32Lt,
        Dup(3),
        Dup(6),
        U32Lt,
        MovUp(2),
        And,
        Or,
        MovDn(4),
        Drop,
        Drop,
        Drop,
        Drop,
    ]
}

#[test]
fn u32_instructions_assemble_to_their_sequences() {
    let p = |v: u64| Push(Felt::new(v));
    let m = u32::MAX as u64;
    for (src, expected) in [
        ("u32assert2", vec![U32Assert2]),
        ("u32assert", vec![Pad, U32Assert2, Drop]),
        ("u32split", vec![U32Split]),
        ("u32add", vec![U32OverflowingAdd]),
        ("u32overflowing_add", vec![U32OverflowingAdd]),
        ("u32sub", vec![U32OverflowingSub]),
        ("u32overflowing_sub", vec![U32OverflowingSub]),
        ("u32mul", vec![U32OverflowingMul]),
        ("u32overflowing_mul", vec![U32OverflowingMul]),
        ("u32wrapping_add", vec![U32OverflowingAdd, Drop]),
        ("u32wrapping_sub", vec![U32OverflowingSub, Drop]),
        ("u32wrapping_mul", vec![U32OverflowingMul, Drop]),
        ("u32divmod", vec![U32DivMod]),
        ("u32div", vec![U32DivMod, Drop]),
        ("u32mod", vec![U32DivMod, Swap(1), Drop]),
        ("u32lt", vec![U32Lt]),
        ("u32gt", vec![Swap(1), U32Lt]),
        ("u32lte", vec![Swap(1), U32Lt, Not]),
        ("u32gte", vec![U32Lt, Not]),
        ("u32not", vec![p(m), U32Xor]),
        ("u32xor", vec![U32Xor]),
        ("u32andxor", vec![U32AndXor]),
        ("u32and", vec![U32AndXor, Drop]),
        ("u32or", vec![U32AndXor, Add]),
        ("u32shl.0", vec![p(1), U32OverflowingMul, Drop]),
        ("u32shl.5", vec![p(32), U32OverflowingMul, Drop]),
        ("u32shl.31", vec![p(1 << 31), U32OverflowingMul, Drop]),
        ("u32shr.0", vec![p(1), U32DivMod, Drop]),
        ("u32shr.31", vec![p(1 << 31), U32DivMod, Drop]),
        ("u32rotl.0", vec![p(1), U32OverflowingMul, Add]),
        ("u32rotl.8", vec![p(1 << 8), U32OverflowingMul, Add]),
        ("u32rotl.31", vec![p(1 << 31), U32OverflowingMul, Add]),
        // rotr.N is rotl.(32 − N); rotr.0 is rotl.0
        ("u32rotr.8", vec![p(1 << 24), U32OverflowingMul, Add]),
        ("u32rotr.1", vec![p(1 << 31), U32OverflowingMul, Add]),
        ("u32rotr.31", vec![p(2), U32OverflowingMul, Add]),
        ("u32rotr.0", vec![p(1), U32OverflowingMul, Add]),
        ("u32rotl.0x1f", vec![p(1 << 31), U32OverflowingMul, Add]),
        ("lt", field_lt()),
        ("gt", [vec![Swap(1)], field_lt()].concat()),
        ("lte", [vec![Swap(1)], field_lt(), vec![Not]].concat()),
        ("gte", [field_lt(), vec![Not]].concat()),
    ] {
        assert_eq!(ok(&format!("begin {src} end")), expected, "{src}");
    }
    // macros join the surrounding span like any instruction
    assert_eq!(
        ok("begin push.5 u32div u32shl.1 u32assert end"),
        vec![p(5), U32DivMod, Drop, p(2), U32OverflowingMul, Drop, Pad, U32Assert2, Drop]
    );
    assert_eq!(program("begin push.1 if.true u32gte end end"), program("begin push.1 if.true u32lt not end end"));
}

/// Cycles per mnemonic (before a span is rounded up to whole 8-row cycles), as docs/isa.md lists
/// them: `push`, the multiplication and the division (whose operand check takes a row) take two.
#[test]
fn u32_instruction_cycles() {
    for (src, cycles) in [
        ("u32assert2", 1),
        ("u32assert", 3),
        ("u32split", 1),
        ("u32add", 1),
        ("u32sub", 1),
        ("u32mul", 2),
        ("u32wrapping_add", 2),
        ("u32wrapping_sub", 2),
        ("u32wrapping_mul", 3),
        ("u32divmod", 2),
        ("u32div", 3),
        ("u32mod", 4),
        ("u32lt", 1),
        ("u32gt", 2),
        ("u32lte", 3),
        ("u32gte", 2),
        ("u32not", 3),
        ("u32xor", 1),
        ("u32andxor", 1),
        ("u32and", 2),
        ("u32or", 2),
        ("u32shl.3", 5),
        ("u32shr.3", 5),
        ("u32rotl.3", 5),
        ("u32rotr.3", 5),
        ("u32shl", 73),
        ("u32shr", 73),
        ("u32rotl", 73),
        ("u32rotr", 86),
        ("lt", 20),
        ("gt", 21),
        ("lte", 22),
        ("gte", 21),
    ] {
        let code = ok(&format!("begin {src} end"));
        assert_eq!(code.iter().map(|i| i.cycles()).sum::<usize>(), cycles, "{src}");
    }
    // the multiplication and division carry their operand check as a prefix opcode
    assert_eq!(U32OverflowingMul.prefix(), &[distaff_air::opcodes::U32ASSERT2]);
    assert_eq!(U32DivMod.prefix(), &[distaff_air::opcodes::U32ASSERT2]);
    assert!(U32OverflowingAdd.prefix().is_empty());
    // so the span's hash covers the check: two elements for one instruction
    assert_ne!(hash("begin u32mul end"), hash("begin u32assert2 u32mul end"));
    let elements = distaff_air::program::span_elements(&[U32OverflowingMul]);
    assert_eq!(elements, vec![Felt::from(distaff_air::opcodes::U32ASSERT2), Felt::from(distaff_air::opcodes::U32MUL)]);
}

#[test]
fn u32_immediates_are_checked() {
    for name in ["u32shl", "u32shr", "u32rotl", "u32rotr"] {
        for imm in ["32", "33", "0x20", "18446744069414584320", "-1", "x", ""] {
            let src = format!("begin\n  push.1 {name}.{imm}\nend");
            let (line, column, kind) = err(&src);
            assert_eq!((line, column), (2, 10), "{src}");
            assert!(matches!(kind, ErrorKind::BadImmediate { .. }), "{src}: {kind:?}");
        }
        let (line, column, kind) = err(&format!("begin\n  push.1 {name}.32\nend"));
        assert_eq!((line, column), (2, 10));
        let ErrorKind::BadImmediate { reason, .. } = &kind else { panic!("{kind:?}") };
        assert!(reason.contains("0..=31"), "{reason}");
    }
    for name in [
        "u32lt",
        "u32assert",
        "u32assert2",
        "u32split",
        "u32add",
        "u32sub",
        "u32mul",
        "u32overflowing_add",
        "u32wrapping_mul",
        "u32divmod",
        "u32div",
        "u32mod",
        "u32gte",
        "u32not",
        "u32and",
        "u32or",
        "u32xor",
        "lt",
        "lte",
        "gt",
        "gte",
    ] {
        assert_eq!(err(&format!("begin {name}.1 end")), (1, 7, ErrorKind::UnexpectedImmediate(name.into())), "{name}");
    }
    assert!(matches!(err("begin u32lt.1 end"), (1, 7, ErrorKind::UnexpectedImmediate(n)) if n == "u32lt"));
    // misspellings get suggestions from the new names
    for (typo, name) in [("u32addd", "u32add"), ("u32splt", "u32split"), ("u32dvmod", "u32divmod")] {
        assert!(
            matches!(err(&format!("begin {typo} end")), (1, 7, ErrorKind::UnknownInstruction { suggestion: Some(s), .. }) if s == name),
            "{typo}"
        );
    }
}

/// Printing a program with the new instructions and assembling the text gives it back (the
/// printed names are the primitives': `u32overflowing_mul`, `u32divmod`, ...).
#[test]
fn printed_u32_programs_reassemble() {
    let src = "begin u32assert u32split u32add u32sub u32mul u32wrapping_add u32divmod u32mod u32lt u32gte \
               u32not u32shl.3 u32shr.4 u32rotl.5 u32rotr.6 lt gte u32and end";
    let code = ok(src);
    let text = format!("begin\n{}\nend", code.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("\n"));
    assert_eq!(ok(&text), code);
    assert_eq!(hash(&text), hash(src));
    for (inst, name) in [
        (U32Assert2, "u32assert2"),
        (U32Split, "u32split"),
        (U32OverflowingAdd, "u32overflowing_add"),
        (U32OverflowingSub, "u32overflowing_sub"),
        (U32OverflowingMul, "u32overflowing_mul"),
        (U32DivMod, "u32divmod"),
        (U32Lt, "u32lt"),
    ] {
        assert_eq!(inst.to_string(), name);
    }
}

#[test]
fn named_constants_are_their_values() {
    let with =
        assemble("const.LIMIT=100\nconst.ADDR_2=0x10\nbegin push.LIMIT repeat.ADDR_2 dup.1 end mem_load.ADDR_2 end")
            .unwrap();
    let without = assemble("begin push.100 repeat.16 dup.1 end mem_load.16 end").unwrap();
    // the hash depends on the code only, not on the names
    assert_eq!(with.hash(), without.hash());
    // errors: unknown, redeclared, misnamed, bad value, declared late
    assert_eq!(err("begin push.MAX end"), (1, 7, ErrorKind::UnknownConstant("MAX".into())));
    let bad = |src: &str| match err(src) {
        (line, column, ErrorKind::BadConstant { reason, .. }) => (line, column, reason),
        other => panic!("{other:?}"),
    };
    assert!(bad("const.A=1 const.A=2 begin add end").2.contains("already declared"));
    assert!(bad("const.a=1 begin add end").2.contains("capital letters"));
    assert!(bad("const.A begin add end").2.contains("const.NAME=VALUE"));
    assert_eq!(bad("const.A=x begin add end").0, 1);
    let (line, column, reason) = bad("begin add end\nconst.A=1");
    assert_eq!((line, column), (2, 1));
    assert!(reason.contains("at the top"), "{reason}");
    // procedure names are not constants
    assert!(assemble("proc.FOO add end begin push.1 push.2 exec.FOO end").is_ok());
}

#[test]
fn assertion_messages_cost_nothing_and_live_in_the_source_map() {
    let src =
        "begin\n  push.1 assert.err=\"must be one # really\"\n  push.2 push.2 assert_eq.err=\"equal\" push.3\nend";
    let (program, map) = distaff_assembly::assemble_with_source_map(src).unwrap();
    let plain = assemble("begin push.1 assert push.2 push.2 assert_eq push.3 end").unwrap();
    assert_eq!(program.hash(), plain.hash(), "a message is not part of the program");
    // instructions: push.1 assert push.2 push.2 eq assert push.3
    assert_eq!(map.message(1), Some("must be one # really"));
    assert_eq!((map.message(4), map.message(5)), (Some("equal"), Some("equal")));
    assert_eq!((map.message(0), map.message(6)), (None, None));
    assert_eq!(map.written(5), Some("assert_eq"));
    assert_eq!(map.written(1), None);
    // a message is err="…" without inner quotes
    assert!(matches!(err("begin push.1 assert.msg=\"x\" end").2, ErrorKind::UnexpectedImmediate(_)));
    for bad in ["assert.err=oops", "assert.err=\"a\"b\"", "assert_eq.err=\"unclosed"] {
        assert!(
            matches!(err(&format!("begin push.1 {bad} end")).2, ErrorKind::BadMessage(_)),
            "{bad}: {:?}",
            err(&format!("begin push.1 {bad} end"))
        );
    }
}

fn decorators(src: &str) -> Vec<(distaff_assembly::Debug, distaff_assembly::Anchor, (usize, usize))> {
    let (_, map) = distaff_assembly::assemble_with_source_map(src).unwrap();
    map.decorators().iter().map(|d| (d.debug, d.anchor, d.at)).collect()
}

#[test]
fn decorators_leave_the_program_and_its_hash_unchanged() {
    let plain = "begin push.1 hperm hperm if.true push.2 else push.3 end while.true push.0 end end";
    let decorated = "begin debug.stack push.1 debug.mem hperm debug.stack.2 hperm \
                     if.true debug.mem.4 push.2 debug.stack else debug.mem.1.3 push.3 end debug.stack \
                     while.true debug.stack push.0 end debug.mem end";
    assert_eq!(program(plain), program(decorated));
    assert_eq!(hash(plain), hash(decorated));
    // a decorator between hperms leaves the chain whole, and one between instructions the span
    assert_eq!(
        program("begin hperm hperm push.1 push.2 end"),
        program("begin hperm debug.stack hperm push.1 debug.mem push.2 end")
    );
}

#[test]
fn decorators_run_before_what_follows_them_or_after_what_ends_their_block() {
    use distaff_assembly::Anchor::*;
    use distaff_assembly::Debug::*;
    let src = "begin\n  debug.stack\n  push.1 debug.stack.2\n  if.true\n    debug.mem\n  else\n    push.2 debug.mem.4\n  end\n  debug.mem.5.9\nend";
    assert_eq!(
        decorators(src),
        vec![
            (Stack(None), BeforeInstruction(0), (2, 3)),
            (Stack(Some(2)), BeforeCondition(0), (3, 10)),
            // the empty branch's noop (instruction 1), then the else branch's push (2)
            (Memory(None), BeforeInstruction(1), (5, 5)),
            (Memory(Some((4, 4))), AfterInstruction(2), (7, 12)),
            (Memory(Some((5, 9))), AfterBlock(0), (9, 3)),
        ]
    );
    // in a procedure, at each call (inlined: the first call's decorator runs before what
    // follows the call); in a repeat, once per copy
    let src = "proc.p push.1 debug.stack end begin exec.p repeat.2 debug.mem push.0 end exec.p end";
    let anchors: Vec<_> = decorators(src).into_iter().map(|d| d.1).collect();
    assert_eq!(anchors, vec![BeforeInstruction(1), BeforeInstruction(1), BeforeInstruction(2), AfterInstruction(3)]);
}

#[test]
fn bad_decorators_are_located_errors() {
    for (src, reason) in [
        ("begin push.1 debug end", "write debug.stack"),
        ("begin push.1 debug.stak end", "write debug.stack"),
        ("begin push.1 debug.stack.0 end", "at least 1"),
        ("begin push.1 debug.mem.x end", "'x' is not a number"),
        ("begin push.1 debug.mem.9.3 end", "first address is above"),
        ("begin push.1 debug.mem.0.4294967295 end", "at most"),
        ("begin push.1 debug.mem.4294967296 end", "not a number from 0 to 4294967295"),
        ("begin push.1 debug.mem.1.2.3 end", "write debug.stack"),
    ] {
        let (line, column, kind) = err(src);
        assert_eq!((line, column), (1, 14), "{src}");
        assert!(matches!(&kind, ErrorKind::BadDecorator { reason: r, .. } if r.contains(reason)), "{src}: {kind}");
    }
    // a program of decorators alone has no instructions
    assert_eq!(err("begin debug.stack end").2, ErrorKind::EmptyProgram);
}

mod modules {
    use distaff_assembly::{assemble, Assembler, ErrorKind, Library, LibraryError, LOCALS_BASE};

    fn with(modules: &[(&str, &str)]) -> Assembler {
        let library = Library::new("lib", modules.iter().map(|(p, s)| (p.to_string(), s.to_string()))).unwrap();
        Assembler::new().with_library(library).unwrap()
    }

    fn err(assembler: &Assembler, src: &str) -> distaff_assembly::AssemblyError {
        assembler.assemble(src).expect_err("should fail")
    }

    #[test]
    fn exported_procedures_are_called_by_module_and_name() {
        let a = with(&[
            ("math::ops", "proc.twice dup add end\nexport.quad exec.twice exec.twice end"),
            ("top", "use.lib::math::ops\nexport.quad_plus_one exec.ops::quad push.1 add end"),
        ]);
        let program =
            a.assemble("use.lib::top use.lib::math::ops begin exec.top::quad_plus_one exec.ops::quad end").unwrap();
        // the same code written out: the hash depends on the code only
        let inline = assemble("begin dup add dup add push.1 add dup add dup add end").unwrap();
        assert_eq!(program.hash(), inline.hash());
        // a module's private procedure is not callable from outside
        let e = err(&a, "use.lib::math::ops begin exec.ops::twice end");
        assert_eq!((e.line, e.column), (1, 26));
        assert!(matches!(e.kind, ErrorKind::NotExported { private: true, .. }), "{e}");
        assert!(matches!(
            err(&a, "use.lib::math::ops begin exec.ops::nope end").kind,
            ErrorKind::NotExported { private: false, .. }
        ));
        assert!(matches!(err(&a, "begin exec.ops::quad end").kind, ErrorKind::NotImported(m) if m == "ops"));
    }

    #[test]
    fn module_errors_are_located_in_the_module() {
        let a = with(&[("bad", "export.f\n  add\n  ad\nend"), ("uses_bad", "use.lib::bad\nexport.g exec.bad::f end")]);
        for program in ["use.lib::bad begin exec.bad::f end", "use.lib::uses_bad begin exec.uses_bad::g end"] {
            let e = err(&a, program);
            assert_eq!((e.line, e.column), (3, 3), "{program}");
            assert_eq!(e.module.as_ref().map(|m| m.path.as_str()), Some("lib::bad"));
            assert!(e.to_string().starts_with("module lib::bad, line 3, column 3: unknown instruction 'ad'"), "{e}");
            // rendered with the module's line, not the program's
            assert!(e.render(program).contains("3 |   ad"), "{}", e.render(program));
        }
        let e = err(&a, "use.lib::nothing begin add end");
        assert!(
            matches!(&e.kind, ErrorKind::UnknownModule { path, libraries } if path == "lib::nothing" && libraries == "std, lib")
        );
        assert_eq!((e.line, e.column, e.module), (1, 1, None));
        assert!(matches!(err(&a, "use.lib begin add end").kind, ErrorKind::BadModulePath(_)));
        assert!(matches!(err(&a, "use.lib::a-b begin add end").kind, ErrorKind::BadModulePath(_)));
        let ok = with(&[("ok", "export.f add end"), ("other::ok", "export.f mul end")]);
        assert!(
            matches!(err(&ok, "use.lib::ok use.lib::other::ok begin add end").kind, ErrorKind::DuplicateImport(m) if m == "ok")
        );
        // export is a module's word; a module has no begin
        assert!(matches!(err(&a, "export.f add end begin exec.f end").kind, ErrorKind::Unexpected { .. }));
        let b = with(&[("m", "export.f add end begin add end")]);
        let e = err(&b, "use.lib::m begin exec.m::f end");
        assert!(matches!(e.kind, ErrorKind::Unexpected { .. }) && e.module.is_some(), "{e}");
    }

    #[test]
    fn import_cycles_and_recursion_are_refused() {
        let a = with(&[
            ("a", "use.lib::b\nexport.f exec.b::g end"),
            ("b", "use.lib::a\nexport.g exec.a::f end"),
            ("c", "export.h exec.h end"),
        ]);
        let e = err(&a, "use.lib::a begin exec.a::f end");
        assert!(matches!(&e.kind, ErrorKind::ImportCycle(chain) if chain == "lib::a -> lib::b -> lib::a"), "{e}");
        assert_eq!(e.module.as_ref().map(|m| m.path.as_str()), Some("lib::b"));
        let e = err(&a, "use.lib::c begin exec.c::h end");
        assert!(matches!(e.kind, ErrorKind::RecursiveProcedure(_)), "{e}");
    }

    #[test]
    fn library_procedures_have_their_own_frames_of_locals() {
        let a = with(&[("m", "export.addr.2 locaddr.1 end")]);
        let program = a.assemble("use.lib::m proc.mine.3 exec.m::addr end begin exec.m::addr exec.mine end").unwrap();
        let written = assemble(&format!("begin push.{} push.{} end", LOCALS_BASE + 1, LOCALS_BASE + 4)).unwrap();
        assert_eq!(program.hash(), written.hash());
    }

    #[test]
    fn hostile_sources_are_bounded_errors() {
        // a chain of 100 modules, each importing the next: refused, not a stack overflow
        let chain: Vec<(String, String)> =
            (0..100).map(|k| (format!("m{k}"), format!("use.lib::m{}\nexport.f add end", k + 1))).collect();
        let a = Assembler::new().with_library(Library::new("lib", chain).unwrap()).unwrap();
        assert_eq!(err(&a, "use.lib::m0 begin exec.m0::f end").kind, ErrorKind::ImportsTooDeep);
        // copies of decorators count toward the size limit (a chain of procedures each calling
        // the one before twice made 2^40 copies of one decorator), and are refused before
        // they are copied
        let calls = "proc.p debug.stack end proc.q exec.p exec.p end begin repeat.2097153 exec.q end add end";
        assert_eq!(err(&Assembler::new(), calls).kind, ErrorKind::ProgramTooLarge);
        assert_eq!(
            err(&Assembler::new(), "begin repeat.4294967295 debug.stack end add end").kind,
            ErrorKind::ProgramTooLarge
        );
        // an empty repeat is not copied 2^32 times
        assert_eq!(err(&Assembler::new(), "begin repeat.4294967295 end end").kind, ErrorKind::EmptyProgram);
        // use belongs at the top; a module's top level holds procedures
        for src in ["const.A=1 use.std::math::u64 begin add end", "begin use.std::math::u64 end"] {
            assert!(
                matches!(err(&Assembler::new(), src).kind, ErrorKind::Unexpected { reason, .. } if reason.contains("open the file")),
                "{src}"
            );
        }
        let b = with(&[("m", "export.f add end\npush.3"), ("n", "export.g loc_load.0 end")]);
        let e = err(&b, "use.lib::m begin exec.m::f end");
        assert!(matches!(&e.kind, ErrorKind::Unexpected { reason, .. } if reason.contains("holds procedures")), "{e}");
        assert_eq!((e.line, e.column), (2, 1));
        // the message keeps the keyword written
        assert!(err(&b, "use.lib::n begin exec.n::g end").to_string().contains("declare them: export.g.N"));
        // two modules with one path
        let twice = Library::new("lib", [("a::b".to_string(), String::new()), ("a::b".to_string(), String::new())]);
        assert_eq!(twice.unwrap_err(), LibraryError::DuplicateModule("a::b".into()));
    }

    #[test]
    fn a_constant_can_give_the_number_of_locals() {
        let program = assemble("const.WORDS=2\nproc.f.WORDS locaddr.1 end\nbegin exec.f end").unwrap();
        assert_eq!(program.hash(), assemble(&format!("begin push.{} end", LOCALS_BASE + 1)).unwrap().hash());
        assert!(
            matches!(err(&Assembler::new(), "proc.f.NOPE add end begin exec.f end").kind, ErrorKind::UnknownConstant(c) if c == "NOPE")
        );
    }

    #[test]
    fn libraries_come_from_folders() {
        let dir = std::env::temp_dir().join(format!("distaff-lib-{}", std::process::id())).join("mylib");
        std::fs::create_dir_all(dir.join("crypto")).unwrap();
        std::fs::write(dir.join("crypto/hash.dasm"), "export.h hperm end").unwrap();
        std::fs::write(dir.join("util.dasm"), "export.two push.2 end").unwrap();
        std::fs::write(dir.join("notes.txt"), "not a module").unwrap();
        // left out: an editor's lock file, a dangling link; followed: a linked folder
        std::fs::write(dir.join(".#util.dasm"), "not a module").unwrap();
        let outside = dir.parent().unwrap().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("linked.dasm"), "export.l push.3 end").unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("ext")).unwrap();
        std::os::unix::fs::symlink(dir.join("gone.dasm"), dir.join("dangling.dasm")).unwrap();
        // a loop of links is read once
        std::os::unix::fs::symlink(&dir, dir.join("crypto/up")).unwrap();
        let library = Library::from_dir(&dir).unwrap();
        assert_eq!(library.namespace(), "mylib");
        assert_eq!(library.modules().collect::<Vec<_>>(), ["crypto::hash", "ext::linked", "util"]);
        // named by the path given, not by where a link leads
        let alias = dir.parent().unwrap().join("otherlib");
        std::os::unix::fs::symlink(&dir, &alias).unwrap();
        assert_eq!(Library::from_dir(&alias).unwrap().namespace(), "otherlib");
        let a = Assembler::new().with_library(library.clone()).unwrap();
        let program = a.assemble("use.mylib::util use.mylib::crypto::hash begin exec.util::two exec.hash::h end");
        assert_eq!(program.unwrap().hash(), assemble("begin push.2 hperm end").unwrap().hash());
        // one library per name; std is taken
        assert_eq!(a.with_library(library).unwrap_err(), LibraryError::Duplicate("mylib".into()));
        assert!(matches!(
            Assembler::new().with_library(Library::new("std", Vec::new()).unwrap()),
            Err(LibraryError::Duplicate(n)) if n == "std"
        ));
        assert!(matches!(Library::from_dir(&dir.join("missing")), Err(LibraryError::Io { .. })));
        std::fs::write(dir.join("bad-name.dasm"), "export.f add end").unwrap();
        assert_eq!(Library::from_dir(&dir).unwrap_err(), LibraryError::BadName("bad-name".into()));
        std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
    }
}
