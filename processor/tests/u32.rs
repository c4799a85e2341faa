//! u32 operations and field comparisons: random sequences agree with a plain Rust model (both
//! execution paths) and their traces satisfy the AIR; every error is raised where it should be;
//! edge values (near 2^32, near p) come out right.

use distaff_air::debug::check_trace;
use distaff_air::{Instruction, ProcessorAir, Program, Variant};
use distaff_math::Felt;
use distaff_processor::{build_trace, execute, ExecutionError, ProgramInputs};
use proptest::prelude::*;

/// The field modulus.
const P: u64 = 0xffff_ffff_0000_0001;
const MAX: u64 = u32::MAX as u64;

fn f(v: u64) -> Felt {
    Felt::new(v)
}

/// Runs `source` on public inputs (top first): both execution paths must agree, the trace must
/// satisfy the AIR (the memory variant), and the result is the final stack, top first.
fn run(source: &str, public: &[u64]) -> Result<Vec<u64>, ExecutionError> {
    let program: Program = distaff_assembly::assemble(source).unwrap();
    let inputs = ProgramInputs::new(public.iter().map(|v| f(*v)).collect(), vec![]).unwrap();
    let fast = execute(&program, &inputs);
    let traced = build_trace(&program, &inputs);
    let fast = match (fast, traced) {
        (Ok(fast), Ok(trace)) => {
            assert_eq!(trace.final_stack(), &fast.stack[..], "{source}");
            assert!(fast.memory_variant, "{source}");
            assert!(trace.length() >= fast.trace_length);
            let claim = trace.public_inputs(fast.stack.len());
            let variant = if fast.bitwise_variant { Variant::Bitwise } else { Variant::Memory };
            assert_eq!(ProcessorAir::for_trace(claim.clone(), trace.columns()).variant(), variant);
            if let Err(e) = check_trace(trace.columns(), &claim) {
                panic!("{source} on {public:?}: {e}");
            }
            fast
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b, "{source}: both paths fail the same way");
            return Err(a);
        }
        (a, b) => panic!("{source}: execute {a:?} but build_trace {:?}", b.map(|t| t.length())),
    };
    Ok(fast.stack.iter().map(|v| v.as_int()).collect())
}

// --- the model --------------------------------------------------------------------------------

/// An operation of the model; the stack is a `Vec` with the top last.
#[derive(Clone, Copy, Debug)]
enum Op {
    Assert,
    Assert2,
    Split,
    Add,
    Sub,
    Mul,
    WrappingAdd,
    WrappingSub,
    WrappingMul,
    DivMod,
    Div,
    Mod,
    Lt,
    Lte,
    Gt,
    Gte,
    Not,
    Shl(u32),
    Shr(u32),
    Rotl(u32),
    Rotr(u32),
    /// The shifts and rotations by a stack value: the amount is pushed before them.
    ShlBy(u32),
    ShrBy(u32),
    RotlBy(u32),
    RotrBy(u32),
    And,
    Or,
    Xor,
    AndXor,
    FieldLt,
    FieldLte,
    FieldGt,
    FieldGte,
}

impl Op {
    fn source(&self) -> String {
        use Op::*;
        match self {
            Assert => "u32assert".into(),
            Assert2 => "u32assert2".into(),
            Split => "u32split".into(),
            Add => "u32add".into(),
            Sub => "u32overflowing_sub".into(),
            Mul => "u32mul".into(),
            WrappingAdd => "u32wrapping_add".into(),
            WrappingSub => "u32wrapping_sub".into(),
            WrappingMul => "u32wrapping_mul".into(),
            DivMod => "u32divmod".into(),
            Div => "u32div".into(),
            Mod => "u32mod".into(),
            Lt => "u32lt".into(),
            Lte => "u32lte".into(),
            Gt => "u32gt".into(),
            Gte => "u32gte".into(),
            Not => "u32not".into(),
            Shl(n) => format!("u32shl.{n}"),
            Shr(n) => format!("u32shr.{n}"),
            Rotl(n) => format!("u32rotl.{n}"),
            Rotr(n) => format!("u32rotr.{n}"),
            ShlBy(n) => format!("push.{n} u32shl"),
            ShrBy(n) => format!("push.{n} u32shr"),
            RotlBy(n) => format!("push.{n} u32rotl"),
            RotrBy(n) => format!("push.{n} u32rotr"),
            And => "u32and".into(),
            Or => "u32or".into(),
            Xor => "u32xor".into(),
            AndXor => "u32andxor".into(),
            FieldLt => "lt".into(),
            FieldLte => "lte".into(),
            FieldGt => "gt".into(),
            FieldGte => "gte".into(),
        }
    }

    fn arity(&self) -> usize {
        use Op::*;
        match self {
            Assert | Split | Not | Shl(_) | Shr(_) | Rotl(_) | Rotr(_) => 1,
            ShlBy(_) | ShrBy(_) | RotlBy(_) | RotrBy(_) => 1,
            _ => 2,
        }
    }

    fn is_field(&self) -> bool {
        matches!(self, Op::FieldLt | Op::FieldLte | Op::FieldGt | Op::FieldGte | Op::Split)
    }

    fn is_division(&self) -> bool {
        matches!(self, Op::DivMod | Op::Div | Op::Mod)
    }

    /// Applies the operation to the model stack (operands already checked to be in range).
    fn apply(&self, s: &mut Vec<u64>) {
        use Op::*;
        let pop = |s: &mut Vec<u64>| s.pop().unwrap();
        match self {
            Assert | Assert2 => {}
            Split => {
                let a = pop(s);
                s.extend([a & MAX, a >> 32]);
            }
            Not => {
                let a = pop(s);
                s.push(MAX - a);
            }
            Shl(n) | ShlBy(n) => {
                let a = pop(s);
                s.push((a << n) & MAX);
            }
            Shr(n) | ShrBy(n) => {
                let a = pop(s);
                s.push(a >> n);
            }
            Rotl(n) | RotlBy(n) => {
                let a = pop(s) as u32;
                s.push(a.rotate_left(*n) as u64);
            }
            Rotr(n) | RotrBy(n) => {
                let a = pop(s) as u32;
                s.push(a.rotate_right(*n) as u64);
            }
            _ => {
                let b = pop(s);
                let a = pop(s);
                let out: Vec<u64> = match self {
                    Add => vec![(a + b) & MAX, (a + b) >> 32],
                    Sub => vec![a.wrapping_sub(b) & MAX, (a < b) as u64],
                    Mul => vec![(a * b) & MAX, (a * b) >> 32],
                    WrappingAdd => vec![(a + b) & MAX],
                    WrappingSub => vec![a.wrapping_sub(b) & MAX],
                    WrappingMul => vec![(a * b) & MAX],
                    DivMod => vec![a / b, a % b],
                    Div => vec![a / b],
                    Mod => vec![a % b],
                    Lt | FieldLt => vec![(a < b) as u64],
                    Lte | FieldLte => vec![(a <= b) as u64],
                    Gt | FieldGt => vec![(a > b) as u64],
                    Gte | FieldGte => vec![(a >= b) as u64],
                    And => vec![a & b],
                    Or => vec![a | b],
                    Xor => vec![a ^ b],
                    AndXor => vec![a & b, a ^ b],
                    _ => unreachable!(),
                };
                s.extend(out);
            }
        }
    }
}

fn op_of(kind: u8, n: u32) -> Op {
    use Op::*;
    match kind {
        0 => Assert,
        1 => Assert2,
        2 => Split,
        3 => Add,
        4 => Sub,
        5 => Mul,
        6 => WrappingAdd,
        7 => WrappingSub,
        8 => WrappingMul,
        9 => DivMod,
        10 => Div,
        11 => Mod,
        12 => Lt,
        13 => Lte,
        14 => Gt,
        15 => Gte,
        16 => Not,
        17 => Shl(n),
        18 => Shr(n),
        19 => Rotl(n),
        20 => Rotr(n),
        21 => FieldLt,
        22 => FieldLte,
        23 => FieldGt,
        24 => FieldGte,
        25 => And,
        26 => Or,
        27 => Xor,
        28 => AndXor,
        29 => ShlBy(n),
        30 => ShrBy(n),
        31 => RotlBy(n),
        _ => RotrBy(n),
    }
}

/// A u32 value, biased towards the edges.
fn u32_value() -> impl Strategy<Value = u64> {
    prop_oneof![
        3 => prop::sample::select(vec![0, 1, 2, 3, 0xffff, 0x1_0000, 1 << 31, (1 << 31) - 1, MAX, MAX - 1]),
        2 => any::<u32>().prop_map(|v| v as u64),
        1 => 0u64..64,
    ]
}

/// A field element, biased towards the edges (near 2^32, near p, and the halves' boundaries).
fn field_value() -> impl Strategy<Value = u64> {
    prop_oneof![
        2 => prop::sample::select(vec![
            0,
            1,
            MAX,
            1 << 32,
            (1 << 32) + 1,
            P - 1,
            P - 2,
            P - (1 << 32),
            P - (1 << 32) - 1,
            1 << 63,
            (MAX - 1) << 32,
            ((MAX - 1) << 32) | MAX,
        ]),
        2 => any::<u64>().prop_map(|v| v % P),
        1 => u32_value(),
    ]
}

/// One step: an operation (kind, shift amount), fresh operands, and how many of the operands
/// come fresh rather than from the stack (3: two equal fresh operands).
type Step = (u8, u32, u64, u64, u64, u64, u8);

fn step() -> impl Strategy<Value = Step> {
    (
        prop_oneof![30 => 0u8..25, 12 => 25u8..29, 4 => 29u8..33],
        0u32..32,
        u32_value(),
        u32_value(),
        field_value(),
        field_value(),
        0u8..4,
    )
}

/// Builds the program for `steps` on the initial stack `initial` (top last) and the model's final
/// stack (top first).
fn build(initial: &[u64], steps: &[Step]) -> (String, Vec<u64>) {
    let mut stack = initial.to_vec();
    let mut src = String::from("begin ");
    for &(kind, n, u0, u1, f0, f1, fresh) in steps {
        let op = op_of(kind, n);
        let k = op.arity();
        // every value on the stack is a u32 (results of u32 operations and comparisons are)
        // fresh = 3: two equal operands (the boundary case of every comparison)
        let same = fresh == 3;
        let fresh = (fresh as usize).min(k).max(k.saturating_sub(stack.len()));
        let values = match (op.is_field(), same) {
            (true, false) => [f0, f1],
            (true, true) => [f0, f0],
            (false, false) => [u0, u1],
            (false, true) => [u0, u0],
        };
        for v in values.iter().take(fresh) {
            src.push_str(&format!("push.{v} "));
            stack.push(*v);
        }
        // a divisor must not be 0: make the top nonzero
        if op.is_division() && *stack.last().unwrap() == 0 {
            src.push_str("push.1 add ");
            *stack.last_mut().unwrap() = 1;
        }
        src.push_str(&op.source());
        src.push(' ');
        op.apply(&mut stack);
        while stack.len() > 10 {
            src.push_str("drop ");
            stack.pop();
        }
    }
    src.push_str("end");
    stack.reverse();
    (src, stack)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_u32_programs_match_the_model(
        initial in prop::collection::vec(u32_value(), 0..4),
        steps in prop::collection::vec(step(), 1..14),
    ) {
        let (src, expected) = build(&initial, &steps);
        // public inputs are given top first
        let public: Vec<u64> = initial.iter().rev().copied().collect();
        let out = run(&src, &public).unwrap_or_else(|e| panic!("{src}: {e}"));
        prop_assert_eq!(out, expected, "{}", src);
    }
}

/// A few instructions with every pair of edge operands.
#[test]
fn edge_operand_pairs_match_the_model() {
    let edges = [0, 1, 2, 0xffff, 0x1_0000, 1 << 31, MAX - 1, MAX];
    let ops = [Op::Add, Op::Sub, Op::Mul, Op::DivMod, Op::Lt, Op::Gte, Op::And, Op::Or, Op::Xor, Op::AndXor];
    // one program per operation and a: b runs over the edges, the results stay (at most 16)
    for op in ops {
        for a in edges {
            let mut src = String::from("begin ");
            let mut expected = Vec::new();
            for b in edges {
                if op.is_division() && b == 0 {
                    continue;
                }
                src.push_str(&format!("push.{a} push.{b} {} ", op.source()));
                let mut s = vec![a, b];
                op.apply(&mut s);
                expected.extend(s);
            }
            src.push_str("end");
            let mut out = run(&src, &[]).unwrap();
            out.reverse();
            assert_eq!(out, expected, "{src}");
        }
    }
}

// --- errors -----------------------------------------------------------------------------------

/// The error `source` fails with on `public` (top first); both paths agree (checked by `run`).
fn error(source: &str, public: &[u64]) -> ExecutionError {
    run(source, public).expect_err(source)
}

fn not_u32(source: &str, public: &[u64]) -> (Instruction, u64) {
    match error(source, public) {
        ExecutionError::NotU32 { instruction, value, .. } => (instruction, value),
        e => panic!("{source}: expected NotU32, got {e}"),
    }
}

#[test]
fn every_u32_instruction_refuses_values_of_2_32_and_more() {
    use Instruction::*;
    let big = [1 << 32, (1 << 32) + 5, P - 1, 1 << 63];
    // two-operand instructions: either operand out of range (a is below b, b on top)
    let pairs = [
        ("u32assert2", U32Assert2),
        ("u32add", U32OverflowingAdd),
        ("u32overflowing_add", U32OverflowingAdd),
        ("u32wrapping_add", U32OverflowingAdd),
        ("u32sub", U32OverflowingSub),
        ("u32wrapping_sub", U32OverflowingSub),
        ("u32mul", U32OverflowingMul),
        ("u32wrapping_mul", U32OverflowingMul),
        ("u32divmod", U32DivMod),
        ("u32div", U32DivMod),
        ("u32mod", U32DivMod),
        ("u32lt", U32Lt),
        ("u32lte", U32Lt),
        ("u32gt", U32Lt),
        ("u32gte", U32Lt),
    ];
    for (name, inst) in pairs {
        for x in big {
            let src = format!("begin {name} end");
            assert_eq!(not_u32(&src, &[3, x]), (inst, x), "{name} with a = {x}");
            assert_eq!(not_u32(&src, &[x, 3]), (inst, x), "{name} with b = {x}");
            // both out of range: one of them is named
            let (i, v) = not_u32(&src, &[x, x + 1]);
            assert!(i == inst && (v == x || v == x + 1), "{name}");
        }
    }
    // one-operand instructions (the value on top)
    for (name, inst) in [
        ("u32assert", U32Assert2),
        ("u32not", U32Xor),
        ("u32shl.0", U32OverflowingMul),
        ("u32shl.31", U32OverflowingMul),
        ("u32shr.0", U32DivMod),
        ("u32shr.5", U32DivMod),
        ("u32rotl.1", U32OverflowingMul),
        ("u32rotr.31", U32OverflowingMul),
        ("u32rotr.0", U32OverflowingMul),
    ] {
        for x in big {
            assert_eq!(not_u32(&format!("begin {name} end"), &[x]), (inst, x), "{name} with {x}");
        }
    }
    // the bitwise operations check both operands
    for (name, inst) in [("u32and", U32AndXor), ("u32or", U32AndXor), ("u32xor", U32Xor), ("u32andxor", U32AndXor)] {
        for x in big {
            let src = format!("begin {name} end");
            assert_eq!(not_u32(&src, &[x, 3]), (inst, x), "{name}");
            assert_eq!(not_u32(&src, &[3, x]), (inst, x), "{name}");
        }
    }
    // values below the top are not checked by one-operand instructions
    assert_eq!(run("begin u32assert end", &[5, P - 1]).unwrap(), vec![5, P - 1]);
    assert_eq!(run("begin u32not end", &[5, P - 1]).unwrap(), vec![MAX - 5, P - 1]);
    // the largest u32 passes
    assert_eq!(run("begin u32assert2 end", &[MAX, MAX]).unwrap(), vec![MAX, MAX]);
    // field comparisons and u32split take any field element
    assert_eq!(run("begin lt end", &[P - 1, P - 2]).unwrap(), vec![1]);
    assert_eq!(run("begin u32split end", &[P - 1]).unwrap(), vec![MAX, 0]);
}

#[test]
fn the_error_names_the_instruction_and_cycle() {
    // push.1 takes two cycles, the prefix check of u32mul runs on cycle 2
    let e = error("begin push.1 u32mul end", &[1 << 32]);
    let ExecutionError::NotU32 { index, instruction, cycle, value } = e else { panic!("{e}") };
    assert_eq!((index, instruction, value), (1, Instruction::U32OverflowingMul, 1 << 32));
    assert!(cycle >= 2, "{cycle}");
    assert!(e.to_string().contains("not a u32"), "{e}");
}

/// The shifts and rotations by a stack value refuse an amount of 32 or more (an assertion, 32
/// itself included, which a rotation would otherwise take as 0) and a value that is not a u32.
#[test]
fn shifts_by_a_stack_value_refuse_amounts_of_32_and_more() {
    for name in ["u32shl", "u32shr", "u32rotl", "u32rotr"] {
        for b in [32, 33, 1 << 31, MAX] {
            let e = error(&format!("begin {name} end"), &[b, 5]);
            assert!(matches!(e, ExecutionError::AssertionFailed { .. }), "{name} by {b}: {e}");
        }
        assert!(matches!(error(&format!("begin {name} end"), &[1 << 32, 5]), ExecutionError::NotU32 { .. }));
        assert!(matches!(error(&format!("begin {name} end"), &[3, 1 << 32]), ExecutionError::NotU32 { .. }));
        // every amount, on a value with bits at both ends
        for b in 0..32u32 {
            let a = 0x8000_0001u32 | (0x1234 << 8);
            let expected = match name {
                "u32shl" => a.wrapping_shl(b),
                "u32shr" => a >> b,
                "u32rotl" => a.rotate_left(b),
                _ => a.rotate_right(b),
            };
            assert_eq!(run(&format!("begin {name} end"), &[b as u64, a as u64]).unwrap(), vec![expected as u64]);
        }
    }
}

#[test]
fn division_by_zero() {
    for name in ["u32divmod", "u32div", "u32mod"] {
        for a in [0, 1, MAX] {
            let e = error(&format!("begin {name} end"), &[0, a]);
            assert!(
                matches!(e, ExecutionError::DivisionByZero { instruction: Instruction::U32DivMod, .. }),
                "{name}: {e}"
            );
            assert!(e.to_string().contains("division by zero"));
        }
    }
    // an out-of-range dividend is reported before the zero divisor
    assert!(matches!(error("begin u32divmod end", &[0, 1 << 32]), ExecutionError::NotU32 { .. }));
    // dividing by 1 and by the largest value
    assert_eq!(run("begin u32divmod end", &[1, MAX]).unwrap(), vec![0, MAX]);
    assert_eq!(run("begin u32divmod end", &[MAX, MAX]).unwrap(), vec![0, 1]);
    assert_eq!(run("begin u32divmod end", &[MAX, MAX - 1]).unwrap(), vec![MAX - 1, 0]);
    assert_eq!(run("begin u32divmod end", &[2, MAX]).unwrap(), vec![1, MAX >> 1]);
}

// --- edge values ------------------------------------------------------------------------------

#[test]
fn u32split_near_2_32_and_near_p() {
    for x in [
        0,
        1,
        MAX - 1,
        MAX,
        1 << 32,
        (1 << 32) + 1,
        (2 << 32) - 1,
        1 << 63,
        P - 1,
        P - 2,
        P - MAX,
        P - (1 << 32),
        P - (1 << 32) - 1,
        (MAX - 1) << 32,
        ((MAX - 1) << 32) | MAX,
    ] {
        // hi on top
        assert_eq!(run("begin u32split end", &[x]).unwrap(), vec![x >> 32, x & MAX], "{x:#x}");
    }
    // p − 1 = 2^64 − 2^32: the only value with hi = 2^32 − 1 (lo is then 0)
    assert_eq!(run("begin u32split end", &[P - 1]).unwrap(), vec![MAX, 0]);
    // the high half of every other element is at most 2^32 − 2
    assert_eq!(run("begin u32split end", &[P - 2]).unwrap(), vec![MAX - 1, MAX]);
}

#[test]
fn multiplication_edges() {
    // (2^32 − 1)^2 = 2^64 − 2^33 + 1: lo 1, hi 2^32 − 2
    assert_eq!(run("begin u32mul end", &[MAX, MAX]).unwrap(), vec![MAX - 1, 1]);
    assert_eq!(run("begin u32wrapping_mul end", &[MAX, MAX]).unwrap(), vec![1]);
    assert_eq!(run("begin u32mul end", &[1 << 31, 1 << 31]).unwrap(), vec![1 << 30, 0]);
    assert_eq!(run("begin u32mul end", &[0, MAX]).unwrap(), vec![0, 0]);
    assert_eq!(run("begin u32mul end", &[2, MAX]).unwrap(), vec![1, MAX - 1]);
    assert_eq!(run("begin u32mul end", &[0x1_0000, 0x1_0000]).unwrap(), vec![1, 0]);
}

#[test]
fn addition_and_subtraction_edges() {
    assert_eq!(run("begin u32add end", &[MAX, MAX]).unwrap(), vec![1, MAX - 1]);
    assert_eq!(run("begin u32add end", &[1, MAX]).unwrap(), vec![1, 0]);
    assert_eq!(run("begin u32add end", &[0, MAX]).unwrap(), vec![0, MAX]);
    assert_eq!(run("begin u32wrapping_add end", &[1 << 31, 1 << 31]).unwrap(), vec![0]);
    // a − b with b on top
    assert_eq!(run("begin u32sub end", &[1, 0]).unwrap(), vec![1, MAX]);
    assert_eq!(run("begin u32sub end", &[MAX, 0]).unwrap(), vec![1, 1]);
    assert_eq!(run("begin u32sub end", &[0, MAX]).unwrap(), vec![0, MAX]);
    assert_eq!(run("begin u32sub end", &[MAX, MAX]).unwrap(), vec![0, 0]);
    assert_eq!(run("begin u32wrapping_sub end", &[MAX, 0]).unwrap(), vec![1]);
}

#[test]
fn comparison_edges() {
    // [b, a] asks a op b
    for (a, b) in [(0, 0), (0, 1), (1, 0), (MAX, MAX), (MAX - 1, MAX), (MAX, 0), (0, MAX), (1 << 31, (1 << 31) - 1)] {
        let public = [b, a];
        assert_eq!(run("begin u32lt end", &public).unwrap(), vec![(a < b) as u64]);
        assert_eq!(run("begin u32lte end", &public).unwrap(), vec![(a <= b) as u64]);
        assert_eq!(run("begin u32gt end", &public).unwrap(), vec![(a > b) as u64]);
        assert_eq!(run("begin u32gte end", &public).unwrap(), vec![(a >= b) as u64]);
    }
    // field comparisons: equal high halves, equal low halves, across the halves, near p
    let values = [0, 1, MAX, 1 << 32, (1 << 32) + 1, P - 1, P - 2, P - (1 << 32), ((MAX - 1) << 32) | MAX];
    for a in values {
        for b in values {
            let got =
                run("begin dup.1 dup.1 lt movdn.2 dup.1 dup.1 lte movdn.3 dup.1 dup.1 gt movdn.4 gte end", &[b, a])
                    .unwrap();
            // [gt, lte, lt, a, b] -> gte on top, then lt, lte, gt
            let want = vec![(a >= b) as u64, (a < b) as u64, (a <= b) as u64, (a > b) as u64];
            assert_eq!(got, want, "{a:#x} vs {b:#x}");
        }
    }
}

#[test]
fn not_shift_and_rotation_edges() {
    assert_eq!(run("begin u32not end", &[0]).unwrap(), vec![MAX]);
    assert_eq!(run("begin u32not end", &[MAX]).unwrap(), vec![0]);
    for x in [0, 1, 0x8000_0001, MAX, 0x1234_5678] {
        for n in [0, 1, 15, 16, 31] {
            let y = x as u32;
            assert_eq!(run(&format!("begin u32shl.{n} end"), &[x]).unwrap(), vec![(y << n) as u64]);
            assert_eq!(run(&format!("begin u32shr.{n} end"), &[x]).unwrap(), vec![(y >> n) as u64]);
            assert_eq!(run(&format!("begin u32rotl.{n} end"), &[x]).unwrap(), vec![y.rotate_left(n) as u64]);
            assert_eq!(run(&format!("begin u32rotr.{n} end"), &[x]).unwrap(), vec![y.rotate_right(n) as u64]);
        }
    }
}

#[test]
fn bitwise_edges() {
    for (a, b) in [(0, 0), (MAX, MAX), (MAX, 0), (0x8000_0000, 0xffff_0001)] {
        assert_eq!(run("begin u32and end", &[b, a]).unwrap(), vec![a & b]);
        assert_eq!(run("begin u32or end", &[b, a]).unwrap(), vec![a | b]);
        assert_eq!(run("begin u32xor end", &[b, a]).unwrap(), vec![a ^ b]);
    }
}

/// The u32 operations run on a deep stack too (values spill into the overflow table).
#[test]
fn u32_operations_on_a_deep_stack() {
    let ops = [Op::Lt, Op::Add, Op::Mul, Op::Split, Op::Sub, Op::WrappingMul, Op::Gte, Op::Shl(3)];
    let mut stack: Vec<u64> = (1..=18).collect();
    let mut src: String = (1..=18).map(|i| format!("push.{i} ")).collect();
    for op in ops {
        src.push_str(&op.source());
        src.push(' ');
        op.apply(&mut stack);
    }
    while stack.len() > 16 {
        src.push_str("drop ");
        stack.pop();
    }
    stack.reverse();
    assert_eq!(run(&format!("begin {src}end"), &[]).unwrap(), stack);
}
