//! Memory and the overflow stack: traces satisfy the memory variant of the AIR, and both
//! execution paths agree with a plain model.

use distaff_air::debug::check_trace;
use distaff_air::{ProcessorAir, Program, Variant};
use distaff_math::Felt;
use distaff_processor::{build_trace, execute, ProgramInputs};
use proptest::prelude::*;
use std::collections::BTreeMap;

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

// --- random programs against plain models --------------------------------------------------

/// Runs `source` on the initial memory both ways, checks that the trace satisfies the AIR and
/// returns the final stack.
fn run_checked(source: &str, memory: &BTreeMap<u32, [u64; 4]>) -> Result<Vec<Felt>, TestCaseError> {
    let program: Program = distaff_assembly::assemble(source).map_err(|e| TestCaseError::fail(format!("{e}")))?;
    let inputs = ProgramInputs::new(vec![], vec![])
        .unwrap()
        .with_memory(memory.iter().map(|(a, w)| (*a, w.map(f))).collect())
        .unwrap();
    let fast = execute(&program, &inputs).map_err(|e| TestCaseError::fail(format!("{e}")))?;
    let trace = build_trace(&program, &inputs).map_err(|e| TestCaseError::fail(format!("{e}")))?;
    prop_assert_eq!(trace.final_stack(), &fast.stack[..]);
    let public = trace.public_inputs(fast.stack.len());
    if let Err(e) = check_trace(trace.columns(), &public) {
        return Err(TestCaseError::fail(format!("{e}\n{source}")));
    }
    Ok(fast.stack)
}

/// A memory operation; `imm` says whether the address is an immediate or pushed first.
#[derive(Clone, Debug)]
enum MemOp {
    Store {
        addr: u32,
        value: u64,
        imm: bool,
    },
    Load {
        addr: u32,
        imm: bool,
    },
    StoreWord {
        addr: u32,
        word: [u64; 4],
        imm: bool,
    },
    LoadWord {
        addr: u32,
        imm: bool,
    },
    /// The primitives: `mstore` keeps the value, `mstorew` the word, `mloadw` overwrites a word.
    Prim {
        addr: u32,
        word: [u64; 4],
        kind: u8,
    },
}

/// Small addresses (so that they repeat) and a few near 2^32 − 1.
fn address() -> impl Strategy<Value = u32> {
    prop_oneof![8 => 0u32..6, 2 => (u32::MAX - 2)..=u32::MAX]
}

fn value() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 0u64..100, 1 => any::<u64>().prop_map(|v| v % 0xffff_ffff_0000_0001)]
}

fn word() -> impl Strategy<Value = [u64; 4]> {
    [value(), value(), value(), value()]
}

fn mem_op() -> impl Strategy<Value = MemOp> {
    prop_oneof![
        (address(), value(), any::<bool>()).prop_map(|(addr, value, imm)| MemOp::Store { addr, value, imm }),
        (address(), any::<bool>()).prop_map(|(addr, imm)| MemOp::Load { addr, imm }),
        (address(), word(), any::<bool>()).prop_map(|(addr, word, imm)| MemOp::StoreWord { addr, word, imm }),
        (address(), any::<bool>()).prop_map(|(addr, imm)| MemOp::LoadWord { addr, imm }),
        (address(), word(), 0u8..3).prop_map(|(addr, word, kind)| MemOp::Prim { addr, word, kind }),
    ]
}

/// Pushes a word so that lane 0 ends on top.
fn push_word(src: &mut String, stack: &mut Vec<Felt>, w: &[u64; 4]) {
    for v in w.iter().rev() {
        src.push_str(&format!("push.{v} "));
        stack.push(f(*v));
    }
}

/// Folds the top of the stack into the value below it (`below + K·top`) until at most 16 values
/// remain, in the program and in the model (`stack` is bottom first).
fn fold_to_16(src: &mut String, stack: &mut Vec<Felt>) {
    while stack.len() > 16 {
        src.push_str("push.1000003 mul add ");
        let top = stack.pop().unwrap();
        let below = stack.pop().unwrap();
        stack.push(below + top * f(1000003));
    }
}

/// The program for `ops` and the final stack (top first) a plain model predicts.
fn memory_program(ops: &[MemOp], initial: &BTreeMap<u32, [u64; 4]>) -> (String, Vec<Felt>) {
    let mut mem: BTreeMap<u32, [Felt; 4]> = initial.iter().map(|(a, w)| (*a, w.map(f))).collect();
    let mut stack: Vec<Felt> = Vec::new(); // bottom first
    let mut src = String::from("begin ");
    let at = |mem: &BTreeMap<u32, [Felt; 4]>, a: u32| mem.get(&a).copied().unwrap_or([Felt::new(0); 4]);
    let suffix = |imm: bool, addr: u32, src: &mut String| {
        if imm {
            format!(".{addr}")
        } else {
            src.push_str(&format!("push.{addr} "));
            String::new()
        }
    };
    for op in ops {
        match op {
            MemOp::Store { addr, value, imm } => {
                src.push_str(&format!("push.{value} "));
                let s = suffix(*imm, *addr, &mut src);
                src.push_str(&format!("mem_store{s} "));
                let mut w = at(&mem, *addr);
                w[0] = f(*value);
                mem.insert(*addr, w);
            }
            MemOp::Load { addr, imm } => {
                let s = suffix(*imm, *addr, &mut src);
                src.push_str(&format!("mem_load{s} "));
                stack.push(at(&mem, *addr)[0]);
            }
            MemOp::StoreWord { addr, word, imm } => {
                let mut scratch = Vec::new();
                push_word(&mut src, &mut scratch, word);
                let s = suffix(*imm, *addr, &mut src);
                src.push_str(&format!("mem_storew{s} "));
                mem.insert(*addr, word.map(f));
            }
            MemOp::LoadWord { addr, imm } => {
                let s = suffix(*imm, *addr, &mut src);
                src.push_str(&format!("mem_loadw{s} "));
                let w = at(&mem, *addr);
                stack.extend(w.iter().rev());
            }
            MemOp::Prim { addr, word, kind } => match kind {
                0 => {
                    src.push_str(&format!("push.{} push.{addr} mstore ", word[0]));
                    let mut w = at(&mem, *addr);
                    w[0] = f(word[0]);
                    mem.insert(*addr, w);
                    stack.push(f(word[0]));
                }
                1 => {
                    push_word(&mut src, &mut stack, word);
                    src.push_str(&format!("push.{addr} mstorew "));
                    mem.insert(*addr, word.map(f));
                }
                _ => {
                    src.push_str(&format!("padw push.{addr} mloadw "));
                    let w = at(&mem, *addr);
                    stack.extend(w.iter().rev());
                }
            },
        }
    }
    fold_to_16(&mut src, &mut stack);
    src.push_str("end");
    stack.reverse();
    (src, stack)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Random element and word loads and stores (immediate and stack addresses, and the
    /// primitives), on random initial memory, agree with a map from addresses to words, and
    /// their traces satisfy the AIR.
    #[test]
    fn memory_matches_a_map(
        ops in prop::collection::vec(mem_op(), 1..24),
        initial in prop::collection::btree_map(address(), word(), 0..4),
    ) {
        let (src, expected) = memory_program(&ops, &initial);
        let out = run_checked(&src, &initial)?;
        prop_assert_eq!(out, expected, "{}", src);
    }

    /// Random pushes beyond 16 values, stack shuffles and arithmetic back down to 16 or fewer
    /// agree with a vector model, and their traces satisfy the AIR.
    #[test]
    fn deep_stacks_match_a_vector(
        pushes in prop::collection::vec(value(), 17..40),
        steps in prop::collection::vec((0u8..8, 0u8..16, value()), 0..40),
    ) {
        let mut stack: Vec<Felt> = Vec::new(); // bottom first
        let mut src = String::from("begin ");
        for v in &pushes {
            src.push_str(&format!("push.{v} "));
            stack.push(f(*v));
        }
        for (kind, k, v) in steps {
            let len = stack.len();
            let top = len - 1;
            match kind {
                0..=2 if len >= 2 => {
                    let (b, a) = (stack.pop().unwrap(), stack.pop().unwrap());
                    let (name, r) = match kind {
                        0 => ("add", a + b),
                        1 => ("sub", a - b),
                        _ => ("mul", a * b),
                    };
                    src.push_str(&format!("{name} "));
                    stack.push(r);
                }
                3 if len < 60 => {
                    src.push_str(&format!("push.{v} "));
                    stack.push(f(v));
                }
                4 if (k as usize) < len => {
                    src.push_str(&format!("dup.{k} "));
                    stack.push(stack[top - k as usize]);
                }
                5 if k >= 1 && (k as usize) < len => {
                    src.push_str(&format!("swap.{k} "));
                    stack.swap(top, top - k as usize);
                }
                6 if k >= 1 && (k as usize) < len => {
                    // movup.k: slot k comes to the top
                    src.push_str(&format!("movup.{k} "));
                    let x = stack.remove(top - k as usize);
                    stack.push(x);
                }
                7 if k >= 1 && (k as usize) < len => {
                    // movdn.k: the top goes down to slot k
                    src.push_str(&format!("movdn.{k} "));
                    let x = stack.pop().unwrap();
                    stack.insert(top - k as usize, x);
                }
                _ if len >= 2 => {
                    src.push_str("drop ");
                    stack.pop();
                }
                _ => {}
            }
        }
        fold_to_16(&mut src, &mut stack);
        src.push_str("end");
        stack.reverse();
        let out = run_checked(&src, &BTreeMap::new())?;
        prop_assert_eq!(out, stack, "{}", src);
    }
}

/// Runs `source` with public inputs (top first) and returns the top `k` outputs, checking the
/// trace against the AIR.
fn run_u32(source: &str, public: Vec<u64>, k: usize) -> Result<Vec<u64>, distaff_processor::ExecutionError> {
    let program: Program = distaff_assembly::assemble(source).unwrap();
    let inputs = ProgramInputs::new(public.into_iter().map(f).collect(), vec![]).unwrap();
    let fast = execute(&program, &inputs)?;
    let trace = build_trace(&program, &inputs).unwrap();
    assert_eq!(trace.final_stack(), &fast.stack[..]);
    let public = trace.public_inputs(k);
    if let Err(e) = check_trace(trace.columns(), &public) {
        panic!("{source}: {e}");
    }
    Ok(fast.outputs(k).iter().map(|v| v.as_int()).collect())
}

#[test]
fn u32_smoke() {
    let m = u32::MAX as u64;
    assert_eq!(run_u32("begin u32add end", vec![5, 7], 2).unwrap(), vec![0, 12]);
    assert_eq!(run_u32("begin u32add end", vec![m, 7], 2).unwrap(), vec![1, 6]);
    assert_eq!(run_u32("begin u32sub end", vec![9, 7], 2).unwrap(), vec![1, m - 1]);
    assert_eq!(run_u32("begin u32mul end", vec![m, m], 2).unwrap(), vec![m - 1, 1]);
    assert_eq!(run_u32("begin u32divmod end", vec![7, 100], 2).unwrap(), vec![2, 14]);
    assert_eq!(run_u32("begin u32lt end", vec![7, 3], 1).unwrap(), vec![1]);
    assert_eq!(run_u32("begin u32split end", vec![(5 << 32) + 9], 2).unwrap(), vec![5, 9]);
    assert_eq!(run_u32("begin u32and end", vec![0b1100, 0b1010], 1).unwrap(), vec![0b1000]);
    assert_eq!(run_u32("begin u32or end", vec![0b1100, 0b1010], 1).unwrap(), vec![0b1110]);
    assert_eq!(run_u32("begin u32xor end", vec![0b1100, 0b1010], 1).unwrap(), vec![0b0110]);
    // public inputs are top first: [b, a] asks a < b
    assert_eq!(run_u32("begin lt end", vec![1 << 40, 5], 1).unwrap(), vec![1]);
    assert_eq!(run_u32("begin lt end", vec![5, 1 << 40], 1).unwrap(), vec![0]);
    assert_eq!(run_u32("begin u32rotl.4 end", vec![0xf000_0001], 1).unwrap(), vec![0x0000_001f]);
    assert!(run_u32("begin u32add end", vec![1 << 32, 1], 2).is_err());
}
