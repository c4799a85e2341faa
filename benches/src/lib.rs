//! What the benchmark binaries (`perf-report`, `constraint-eval`, `verify-loop`) share: their
//! argument parsing and the Fibonacci program.

use distaff_air::{Instruction, Program};

/// The value following `flag` in `args` (`--runs 3`), if the flag is there and the value parses.
pub fn flag_value<T: core::str::FromStr>(args: &[String], flag: &str) -> Option<T> {
    args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok())
}

/// The Fibonacci program with `ops` operations (`repeat.(ops/3) swap dup.1 add end`).
pub fn fibonacci(ops: usize) -> Program {
    let mut p = Vec::with_capacity(ops);
    for _ in 0..ops / 3 {
        p.extend([Instruction::Swap(1), Instruction::Dup(1), Instruction::Add]);
    }
    Program::new(p).expect("valid program")
}

/// The Fibonacci operations of the row of trace length 2^`log`.
pub fn fibonacci_ops(log: usize) -> usize {
    // F(86181) at 2^18: the largest multiple of 3 operations whose trace fits 2^18 rows.
    if log == 18 {
        86181 * 3
    } else {
        ((1usize << log) - 64) / 3 * 3
    }
}

pub mod winterfell;
