//! Constraint-evaluation micro-benchmark: the cost per row of evaluating (and folding with
//! random coefficients) the VM's main constraints on a real Fibonacci trace, single-threaded:
//! generically, point by point (`LazyFold`, as the verifier's algebra runs them), and as the
//! prover runs them (`symbolic::Compiled`: recorded once for the trace, its constant columns
//! folded in, 32 points at a time). `constraint-eval [--log N] [--reps R]` prints nanoseconds
//! per row (median of R) for both and for the Rescue round constraint alone.

use std::time::Instant;

use distaff_air::{rescue, Air, Instruction, ProcessorAir, Program};
use distaff_math::lazy::Accumulator;
use distaff_math::{Felt, QuadFelt};
use distaff_processor::{build_trace, ProgramInputs};
use distaff_prover::fold::{finish_sums, raw_coefficients, LazyFold};
use distaff_prover::symbolic::{Compiled, BLOCK};
use distaff_prover::RowLayout;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |name: &str, default: usize| distaff_benches::flag_value(&args, name).unwrap_or(default);
    let log = get("--log", 14);
    let reps = get("--reps", 7);
    let ops = (1usize << log) - 64;
    let mut p = Vec::new();
    for _ in 0..ops / 3 {
        p.extend([Instruction::Swap(1), Instruction::Dup(1), Instruction::Add]);
    }
    let program = Program::new(p).expect("valid program");
    let inputs = ProgramInputs::new(vec![Felt::new(1), Felt::new(0)], vec![]).expect("inputs");
    let trace = build_trace(&program, &inputs).expect("executes");
    let air = ProcessorAir::for_trace(trace.public_inputs(1), trace.columns());
    let n = trace.length();
    let width = air.main_width();
    let rows: Vec<Felt> = (0..n).flat_map(|r| trace.columns().iter().map(move |c| c[r])).collect();
    let periodic_cols = air.periodic_columns();
    let periodic: Vec<Vec<Felt>> = (0..8).map(|r| periodic_cols.iter().map(|c| c[r % c.len()]).collect()).collect();
    let alphas: Vec<QuadFelt> =
        (0..400u64).map(|i| QuadFelt::new(Felt::new(i * 7 + 3), Felt::new(i * 13 + 5))).collect();
    let raw = raw_coefficients(&alphas);

    let median = |mut v: Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    let mut full = Vec::new();
    let mut round = Vec::new();
    let mut compiled_t = Vec::new();
    let layout = RowLayout::from_columns(trace.columns());
    // a straight-line trace: no auxiliary segment, so no challenges (and no auxiliary rows below)
    assert_eq!(air.aux_width(), 0, "the Fibonacci trace is proven without an auxiliary segment");
    let compiled = Compiled::record::<_, QuadFelt>(&air, &layout, None, &[]);
    let folding = compiled.coefficients(&alphas);
    let sw = layout.stored_width();
    let columns = trace.columns();
    let stored: Vec<Felt> = (0..n).flat_map(|r| layout.columns().iter().map(move |&c| columns[c][r])).collect();
    let mut scratch = compiled.scratch();
    let mut check = QuadFelt::new(Felt::new(0), Felt::new(0));
    for _ in 0..reps {
        let start = Instant::now();
        for r in 0..n {
            let cur = &rows[r * width..(r + 1) * width];
            let nr = (r + 1) % n;
            let nxt = &rows[nr * width..(nr + 1) * width];
            let mut sink = LazyFold::<QuadFelt>::new(&raw);
            air.evaluate_main(cur, nxt, &periodic[r % 8], &mut sink);
            air.evaluate_main_boundary(cur, cur, &mut sink);
            let [t, f, l] = sink.finish();
            check += t + f + l;
        }
        full.push(start.elapsed().as_nanos() as f64 / n as f64);
        let start = Instant::now();
        let mut sums = [[[Accumulator::default(); 3]; 3]; BLOCK];
        let row = |r: usize| &stored[(r % n) * sw..(r % n + 1) * sw];
        for r0 in (0..n).step_by(BLOCK) {
            let len = BLOCK.min(n - r0);
            sums.iter_mut().for_each(|s| *s = Default::default());
            compiled.evaluate(
                len,
                |i| row(r0 + i),
                |i| row(r0 + i + 1),
                |i| &periodic[(r0 + i) % 8][..],
                |_| &[],
                |_| &[],
                (|_| &[], |_| &[]),
                &folding,
                2,
                &mut scratch,
                &mut sums[..len],
            );
            for s in &sums[..len] {
                let [t, f, l] = finish_sums::<QuadFelt>(s);
                check += t + f + l;
            }
        }
        compiled_t.push(start.elapsed().as_nanos() as f64 / n as f64);
        let start = Instant::now();
        let mut acc = Felt::new(0);
        for r in 0..n {
            let cur = &rows[r * width..(r + 1) * width];
            let nr = (r + 1) % n;
            let nxt = &rows[nr * width..(nr + 1) * width];
            let p = &periodic[r % 8];
            let res = rescue::round_residuals(&cur[..12], &nxt[..12], &p[1..13], &p[13..25]);
            acc += res[0] + res[11];
        }
        round.push(start.elapsed().as_nanos() as f64 / n as f64);
        std::hint::black_box(acc);
    }
    std::hint::black_box(check);
    println!("trace 2^{log}, {width} columns, median of {reps}");
    println!("whole evaluation, generic: {:.0} ns per row", median(full));
    println!("whole evaluation, compiled for the trace: {:.0} ns per row", median(compiled_t));
    println!("Rescue round constraint: {:.0} ns per row", median(round));
}
