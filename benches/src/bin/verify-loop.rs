//! Verification time of one proof, over many runs: `verify-loop [--log 18] [--no-zk] [--runs 2000]`.
//!
//! Proves Fibonacci at 2^log rows once (the perf report's program and options), then verifies
//! the proof's bytes `--runs` times and prints the median, the 10th and 90th percentiles in
//! microseconds. The verifier's own time, without the report's proving around it: the loop to
//! profile (`perf record`) or to compare two builds with (`farm-bench --vs`).

use std::time::Instant;

use distaff_benches::{fibonacci, fibonacci_ops, flag_value};
use distaff_math::Felt;
use distaff_processor::ProgramInputs;
use distaff_prover::{prove_with, HashFunction, LdeStorage, ProofOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let log: usize = flag_value(&args, "--log").unwrap_or(18);
    let runs: usize = flag_value(&args, "--runs").unwrap_or(2000);
    let hiding = !args.iter().any(|a| a == "--no-zk");
    let program = fibonacci(fibonacci_ops(log));
    let inputs = ProgramInputs::new(vec![Felt::new(1), Felt::new(0)], vec![]).expect("inputs");
    let options = ProofOptions::with_96_bit_security(HashFunction::Blake3_256).with_hiding(hiding);
    let (outputs, proof, report) = prove_with(&program, &inputs, 1, &options, LdeStorage::Stored).expect("proof");
    let bytes = proof.to_bytes();
    let public = inputs.public().to_vec();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        distaff_verifier::verify_bytes(&program.hash(), &public, &outputs, &bytes, 96).expect("verifies");
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    let q = |f: f64| times[((runs - 1) as f64 * f) as usize];
    println!(
        "2^{} rows, {}, {} bytes: verification median {:.1} µs (p10 {:.1}, p90 {:.1}) over {runs} runs",
        report.trace_length.trailing_zeros(),
        if hiding { "hiding" } else { "no zk" },
        bytes.len(),
        q(0.5),
        q(0.1),
        q(0.9)
    );
}
