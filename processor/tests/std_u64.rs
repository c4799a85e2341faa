//! The standard library's `std::math::u64` against Rust's `u64`: results, the errors on
//! operands that are not u32 halves, and the cycle counts its docs give.

use distaff_air::Program;
use distaff_assembly::assemble;
use distaff_math::Felt;
use distaff_processor::{execute, ExecutionError, ProgramInputs};
use proptest::prelude::*;

/// `a` and `b` as u64s (`a_lo a_hi b_lo b_hi`, public inputs, `b_hi` on top), then
/// `exec.u64::NAME`: the final stack, top first.
fn call(name: &str, a: u64, b: u64) -> Result<Vec<u64>, ExecutionError> {
    let program = assemble(&format!("use.std::math::u64 begin exec.u64::{name} end")).unwrap();
    let halves = |x: u64| [x & 0xFFFF_FFFF, x >> 32];
    let [a_lo, a_hi] = halves(a);
    let [b_lo, b_hi] = halves(b);
    // the first public input is on top
    let inputs = ProgramInputs::new([b_hi, b_lo, a_hi, a_lo].map(Felt::new).to_vec(), vec![]).unwrap();
    execute(&program, &inputs).map(|out| out.stack.iter().map(|x| x.as_int()).collect())
}

/// The u64 with halves `lo` (below) and `hi` (on top), from a stack, top first.
fn u64_at(stack: &[u64], hi: usize) -> u64 {
    (stack[hi] << 32) | stack[hi + 1]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn arithmetic_is_rust_s(a: u64, b: u64) {
        let out = call("wrapping_add", a, b).unwrap();
        prop_assert_eq!(u64_at(&out, 0), a.wrapping_add(b));
        let out = call("overflowing_add", a, b).unwrap();
        let (sum, carry) = a.overflowing_add(b);
        prop_assert_eq!((u64_at(&out, 1), out[0]), (sum, u64::from(carry)));
        let out = call("wrapping_sub", a, b).unwrap();
        prop_assert_eq!(u64_at(&out, 0), a.wrapping_sub(b));
        let out = call("overflowing_sub", a, b).unwrap();
        let (difference, borrow) = a.overflowing_sub(b);
        prop_assert_eq!((u64_at(&out, 1), out[0]), (difference, u64::from(borrow)));
        let out = call("wrapping_mul", a, b).unwrap();
        prop_assert_eq!(u64_at(&out, 0), a.wrapping_mul(b));
        let out = call("overflowing_mul", a, b).unwrap();
        let (product, overflow) = a.overflowing_mul(b);
        prop_assert_eq!((u64_at(&out, 1), out[0]), (product, u64::from(overflow)));
        // small operands, where the product fits, are rare among random pairs
        let (a, b) = (a >> (a % 64), b >> (b % 64));
        let out = call("overflowing_mul", a, b).unwrap();
        let (product, overflow) = a.overflowing_mul(b);
        prop_assert_eq!((u64_at(&out, 1), out[0]), (product, u64::from(overflow)), "{} {}", a, b);
    }

    #[test]
    fn division_is_rust_s(a: u64, b: u64, small: bool) {
        // quotients of more than one bit need a divisor smaller than most random ones
        let b = if small { b >> (b % 64) } else { b };
        prop_assume!(b != 0);
        let out = call("divmod", a, b).unwrap();
        prop_assert_eq!((u64_at(&out, 2), u64_at(&out, 0)), (a / b, a % b), "{} / {}", a, b);
        prop_assert_eq!(u64_at(&call("div", a, b).unwrap(), 0), a / b);
        prop_assert_eq!(u64_at(&call("mod", a, b).unwrap(), 0), a % b);
        prop_assert!(out[4..].iter().all(|v| *v == 0));
    }

    /// A prover that puts its own quotient and remainder on the tape (the procedure's body
    /// without the hint) is refused unless they are the true ones.
    #[test]
    fn a_wrong_quotient_or_remainder_is_refused(a: u64, b in 1u64.., dq in -2i64..=2, dr: u64, which: bool) {
        let source = include_str!("../../assembly/std/math/u64.dasm");
        let body = &source[source.find("export.divmod\n").unwrap() + "export.divmod\n".len()..];
        let body = &body[..body.find("\nend").unwrap()].replace("emit.u64div", "");
        let helpers = ["lt", "overflowing_mul", "overflowing_add"]
            .map(|n| format!("exec.{n}"))
            .iter()
            .fold(body.to_string(), |acc, n| acc.replace(n.as_str(), &n.replace("exec.", "exec.u64::")));
        let program = assemble(&format!("use.std::math::u64 begin {helpers} end")).unwrap();
        let (q, r) = (a / b, a % b);
        let (q2, r2) = if which { (q.wrapping_add_signed(dq), r) } else { (q, dr) };
        let halves = |x: u64| [x & 0xFFFF_FFFF, x >> 32];
        let secret: Vec<Felt> = [halves(q2), halves(r2)].concat().into_iter().map(Felt::new).collect();
        let public = [b >> 32, b & 0xFFFF_FFFF, a >> 32, a & 0xFFFF_FFFF].map(Felt::new).to_vec();
        let result = execute(&program, &ProgramInputs::new(public, secret).unwrap());
        if (q2, r2) == (q, r) {
            let out: Vec<u64> = result.unwrap().stack.iter().map(|x| x.as_int()).collect();
            prop_assert_eq!((u64_at(&out, 2), u64_at(&out, 0)), (q, r));
        } else {
            prop_assert!(result.is_err(), "{} / {} accepted as {}, {}", a, b, q2, r2);
        }
    }

    #[test]
    fn bitwise_is_rust_s(a: u64, b: u64) {
        prop_assert_eq!(u64_at(&call("and", a, b).unwrap(), 0), a & b);
        prop_assert_eq!(u64_at(&call("or", a, b).unwrap(), 0), a | b);
        prop_assert_eq!(u64_at(&call("xor", a, b).unwrap(), 0), a ^ b);
        // eqz looks at b, the u64 on top
        prop_assert_eq!(call("eqz", a, b).unwrap()[0], u64::from(b == 0));
        prop_assert_eq!(call("eqz", a, 0).unwrap()[0], 1);
        prop_assert_eq!(call("eqz", a, 1 << 40).unwrap()[0], 0);
    }

    #[test]
    fn comparisons_are_rust_s(a: u64, b: u64, equal: bool, near: bool) {
        // equal operands, and operands equal in one half, are rare among random pairs
        let b = if equal { a } else if near { (a & !0xFFFF_FFFF) | (b & 0xFFFF_FFFF) } else { b };
        for (name, expected) in [("eq", a == b), ("lt", a < b), ("gt", a > b), ("lte", a <= b), ("gte", a >= b)] {
            prop_assert_eq!(call(name, a, b).unwrap()[0], u64::from(expected), "{} {} {}", name, a, b);
        }
    }
}

#[test]
fn edges() {
    let max = u64::MAX;
    for (a, b) in [(0, 0), (max, 1), (1, max), (max, max), (1 << 32, 1), (0xFFFF_FFFF, 1), (0, 1 << 32)] {
        assert_eq!(u64_at(&call("wrapping_add", a, b).unwrap(), 0), a.wrapping_add(b), "{a} + {b}");
        assert_eq!(u64_at(&call("wrapping_sub", a, b).unwrap(), 0), a.wrapping_sub(b), "{a} - {b}");
        assert_eq!(u64_at(&call("wrapping_mul", a, b).unwrap(), 0), a.wrapping_mul(b), "{a} * {b}");
        let out = call("overflowing_mul", a, b).unwrap();
        assert_eq!((u64_at(&out, 1), out[0] == 1), a.overflowing_mul(b), "{a} * {b}");
        assert_eq!(call("lt", a, b).unwrap()[0], u64::from(a < b), "{a} < {b}");
        if b != 0 {
            let out = call("divmod", a, b).unwrap();
            assert_eq!((u64_at(&out, 2), u64_at(&out, 0)), (a / b, a % b), "{a} / {b}");
        }
    }
    // division by zero: the hint says so
    let err = call("divmod", 5, 0).unwrap_err();
    assert!(err.to_string().contains("division by zero"), "{err}");
}

#[test]
fn halves_that_are_not_u32_values_are_execution_errors() {
    let program = assemble("use.std::math::u64 begin exec.u64::wrapping_add end").unwrap();
    // a_hi = 2^32
    let inputs = ProgramInputs::new([1, 2, 1 << 32, 3].map(Felt::new).to_vec(), vec![]).unwrap();
    let err = execute(&program, &inputs).expect_err("2^32 is no u32 value");
    assert!(err.to_string().contains("4294967296"), "{err}");
}

/// The cycles of `exec.u64::NAME` (the program is straight-line).
fn cycles(name: &str) -> usize {
    let program: Program = assemble(&format!("use.std::math::u64 begin exec.u64::{name} end")).unwrap();
    program.instructions().expect("straight-line").iter().map(|i| i.cycles()).sum()
}

#[test]
fn cycle_counts_are_those_documented() {
    let source = include_str!("../../assembly/std/math/u64.dasm");
    for name in [
        "wrapping_add",
        "overflowing_add",
        "wrapping_sub",
        "overflowing_sub",
        "wrapping_mul",
        "overflowing_mul",
        "divmod",
        "div",
        "mod",
        "shl",
        "eq",
        "lt",
        "gt",
        "lte",
        "gte",
        "and",
        "or",
        "xor",
    ] {
        // the comment above `export.NAME` ends with "N cycles."
        let at = source.find(&format!("export.{name}\n")).unwrap();
        let comment = &source[..at];
        let documented = comment.rsplit(" cycles.").nth(1).and_then(|t| t.rsplit(' ').next()).unwrap();
        assert_eq!(cycles(name).to_string(), documented, "u64::{name}");
    }
    // and docs/isa.md's table says the same
    let doc = include_str!("../../docs/isa.md");
    let doc = &doc[doc.find("### The standard library").expect("the section")..];
    let row = |names: &[&str]| -> String {
        let head: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let line = doc.lines().find(|l| l.starts_with(&format!("| {} |", head.join(", ")))).unwrap();
        line.trim_end_matches(" |").rsplit("| ").next().unwrap().to_string()
    };
    for names in [
        &["wrapping_add"][..],
        &["overflowing_add"],
        &["wrapping_sub"],
        &["overflowing_sub"],
        &["wrapping_mul"],
        &["overflowing_mul"],
        &["divmod"],
        &["div", "mod"],
        &["shl"],
        &["eq"],
        &["lt", "gt"],
        &["lte", "gte"],
        &["and", "or", "xor"],
    ] {
        let counts: Vec<String> = names.iter().map(|n| cycles(n).to_string()).collect();
        assert_eq!(row(names), counts.join(", "), "docs/isa.md, {names:?}");
    }
    // the target for a 64-bit product
    assert!(cycles("wrapping_mul") <= 20);
}

/// `a` (`a_lo a_hi`) and `n` on top, then `exec.u64::NAME`: the final stack, top first.
fn shift(name: &str, a: u64, n: u64) -> Result<Vec<u64>, ExecutionError> {
    let program = assemble(&format!("use.std::math::u64 begin exec.u64::{name} end")).unwrap();
    let inputs = ProgramInputs::new([n, a >> 32, a & 0xFFFF_FFFF].map(Felt::new).to_vec(), vec![]).unwrap();
    execute(&program, &inputs).map(|out| out.stack.iter().map(|x| x.as_int()).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn shifts_are_rust_s(a: u64, n in 0u64..64) {
        prop_assert_eq!(u64_at(&shift("shl", a, n).unwrap(), 0), a << n, "{} << {}", a, n);
        prop_assert_eq!(u64_at(&shift("shr", a, n).unwrap(), 0), a >> n, "{} >> {}", a, n);
        prop_assert_eq!(u64_at(&shift("rotl", a, n).unwrap(), 0), a.rotate_left(n as u32), "{} rotl {}", a, n);
        prop_assert_eq!(u64_at(&shift("rotr", a, n).unwrap(), 0), a.rotate_right(n as u32), "{} rotr {}", a, n);
    }
}

#[test]
fn every_shift_amount_and_no_more() {
    for n in 0..64 {
        for a in [u64::MAX, 1, 0x8000_0000_0000_0001, 0xDEAD_BEEF_0123_4567] {
            assert_eq!(u64_at(&shift("shl", a, n).unwrap(), 0), a << n, "{a} << {n}");
            assert_eq!(u64_at(&shift("shr", a, n).unwrap(), 0), a >> n, "{a} >> {n}");
            assert_eq!(u64_at(&shift("rotl", a, n).unwrap(), 0), a.rotate_left(n as u32), "{a} rotl {n}");
            assert_eq!(u64_at(&shift("rotr", a, n).unwrap(), 0), a.rotate_right(n as u32), "{a} rotr {n}");
        }
    }
    // (the message, "a u64 shift is below 64", is the source map's: the CLI prints it)
    for name in ["shl", "shr", "rotl", "rotr"] {
        let err = shift(name, 5, 64).expect_err("64 is too far");
        assert!(err.to_string().contains("assertion failed"), "{err}");
    }
}
