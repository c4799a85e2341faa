//! The performance report.
//!
//! `perf-report` proves each benchmark program in a fresh child process (so that peak memory is
//! that run's own) and prints Markdown tables: for Fibonacci (straight-line) at 2^10..2^18
//! operations and for Collatz (a `while` loop with a secret-dependent branch per step) from
//! several start values: operations or cycles, trace length, execution time, proving time,
//! peak memory (of the first proof: the process's high-water mark right after it), verification
//! time (median of repeated runs), proof size and conjectured
//! security, and the commit floor of the same trace shape with proving time ÷ floor
//! (`distaff_prover::commit_floor`, measured after each proof in the same process: a ratio the
//! machine's drift leaves steady). `perf-report --phases` adds where the proving time goes.
//!
//! Run it with `cargo run --release -p distaff-benches -- [--min-log 10] [--max-log 18] [--runs 3]
//! [--phases] [--no-collatz] [--no-hash-chain] [--low-memory] [--no-zk]` (`--low-memory` proves
//! with the streamed LDE; proofs hide by default, `--no-zk` makes them without zero knowledge).
//! `--compare-zk` instead proves Fibonacci with and without hiding in alternate child processes
//! (one proof each, `--runs` pairs) and prints the medians and their ratios: the cost of zero
//! knowledge, measured in the same minutes. `--winterfell` proves the same Fibonacci traces
//! with our prover and with Winterfell's through the AIR adapter (`distaff_air::winterfell`),
//! at 2^14, 2^16 and 2^18 rows, same parameters, no hiding, alternating child processes. The hash-chain rows prove `hperm` K times for K = 2^10, 2^12, 2^14, 2^14 − 1. The
//! memory rows (`--no-memory` skips them) prove a bubble sort of 25 secret bytes in memory
//! (`examples/bubble_sort.dasm` scaled up: over 2^14 cycles) and
//! compare a chain of loads with a chain of adds of the same length. `--floors [--log 18]
//! [--widths 33,62,89]` prints only commit floors: of traces of `2^log` rows with each number
//! of stored columns, and of `2^(log−1)` rows (the LDE domain of `2^log` rows at blowup 4).
//! `--library` adds the standard library's hashes: SHA-256 of one block (55 secret bytes) and
//! of 64 blocks (4,087 bytes), BLAKE3 of 64 bytes and of 1 KiB. A row whose commit floor (a
//! stored LDE) would not fit in the memory available gets none (`NaN`).

use std::process::Command;
use std::time::{Duration, Instant};

use distaff_air::{Instruction, Program};
use distaff_benches::{fibonacci, fibonacci_ops};
use distaff_math::Felt;
use distaff_processor::{execute, ProgramInputs};
use distaff_prover::{prove_with, HashFunction, LdeStorage, ProofOptions};

/// The Collatz example program (`examples/collatz.dasm`).
fn collatz() -> Program {
    distaff_assembly::assemble(include_str!("../../examples/collatz.dasm")).expect("the example assembles")
}

/// The secret inputs of the Collatz example for a start value: the value, then per step the 31
/// bits of n/2 (most significant first) and the parity bit (as `examples/collatz.py` writes).
fn collatz_inputs(mut n: u64) -> Vec<Felt> {
    let mut secret = vec![Felt::new(n)];
    while n != 1 {
        let (h, b) = (n / 2, n % 2);
        secret.extend((0..31).rev().map(|i| Felt::new((h >> i) & 1)));
        secret.push(Felt::new(b));
        n = if b == 1 { 3 * n + 1 } else { h };
    }
    secret
}

/// A chain of `k` `hperm`s (`repeat.k hperm end`: one block, 8 cycles per permutation).
fn hash_chain(k: usize) -> Program {
    Program::from_root(distaff_air::program::Block::hperm_chain(k).expect("a valid chain"))
}

/// Bubble sort of `k` secret bytes in memory: `examples/bubble_sort.dasm` (which sorts 8) for
/// `k` values. A lookup table in memory (`m[1024 + x] = 1` for bytes x) checks the inputs and
/// answers the comparisons; the array lives at addresses `0..k`. Outputs the smallest value.
fn bubble_sort(k: usize) -> Program {
    let example = include_str!("../../examples/bubble_sort.dasm");
    let stores: String = (0..k).rev().map(|i| format!("mem_store.{i} ")).collect();
    let src = example
        .replace("repeat.8\n        read", &format!("repeat.{k}\n        read"))
        .replace(
            "mem_store.7 mem_store.6 mem_store.5 mem_store.4 mem_store.3 mem_store.2 mem_store.1 mem_store.0",
            &stores,
        )
        .replace("push.7 push.1\n    while.true", &format!("push.{} push.1\n    while.true", k - 1))
        .replace(
            "mem_load.7 mem_load.6 mem_load.5 mem_load.4 mem_load.3 mem_load.2 mem_load.1 mem_load.0",
            "mem_load.0",
        );
    let adapted = src.contains(&stores) && src.contains(&format!("repeat.{k}\n")) && !src.contains("mem_load.1 ");
    assert!(adapted, "examples/bubble_sort.dasm changed: adapt this generator");
    distaff_assembly::assemble(&src).expect("the sort assembles")
}

/// The secret inputs of [`bubble_sort`]: `k` pseudo-random bytes.
fn bubble_sort_inputs(k: usize) -> Vec<Felt> {
    (0..k as u64).map(|i| Felt::new((i * 89 + 41) % 251)).collect()
}

/// The hash of `n` secret bytes with the standard library's `std::crypto::HASH::hash_memory`
/// (`sha256` or `blake3`): the bytes are read as ⌈n/4⌉ words into memory from address 0, then
/// hashed there; outputs the digest.
fn library_hash(hash: &str, n: usize) -> Program {
    let words = n.div_ceil(4);
    let src = format!(
        "use.std::crypto::{hash} begin push.0 repeat.{words} read dup.1 mem_store push.1 add end drop push.{n} push.0 exec.{hash}::hash_memory end"
    );
    distaff_assembly::assemble(&src).expect("the hash program assembles")
}

/// The secret words of [`library_hash`]: `n` pseudo-random bytes, four to a word.
fn library_hash_inputs(n: usize) -> Vec<Felt> {
    (0..n.div_ceil(4) as u64).map(|i| Felt::new((i * 2654435761) & 0xFFFF_FFFF)).collect()
}

/// Number of values the sort row sorts (just over 2^14 cycles).
const SORT_LEN: usize = 25;

/// `n` loads in a row (`repeat.n mem_load end` from address 0, which holds 0): every cycle is a
/// memory access.
fn memory_chain(n: usize) -> Program {
    Program::new(vec![Instruction::MLoad; n]).expect("valid program")
}

/// `n/2` times `dup add`: every other cycle an `add`, without memory.
fn add_chain(n: usize) -> Program {
    Program::new([Instruction::Dup(0), Instruction::Add].repeat(n / 2)).expect("valid program")
}

/// Chain lengths of the hash-chain rows: the 2^10, 2^12 and 2^14, whose 8·K cycles
/// fill a power of two exactly (so the trace, which needs one halted row, doubles), and
/// 2^14 − 1, which fits in half the rows.
const CHAINS: [usize; 4] = [1 << 10, 1 << 12, 1 << 14, (1 << 14) - 1];

/// Start values of the Collatz rows and their step counts.
const COLLATZ: [(u64, u64); 3] = [(27, 111), (871, 178), (77031, 350)];

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// One measurement, run in this process; prints one tab-separated line. `collatz` selects the
/// Collatz program with start value `ops`; otherwise Fibonacci with `ops` operations.
fn measure(ops: usize, runs: usize, phases: bool, kind: Bench, storage: LdeStorage, hiding: bool) {
    let collatz_start = kind == Bench::Collatz;
    let (program, inputs) = if collatz_start {
        (collatz(), ProgramInputs::new(vec![], collatz_inputs(ops as u64)).expect("inputs"))
    } else if kind == Bench::HashChain {
        (hash_chain(ops), ProgramInputs::new((1..=12).map(Felt::new).collect(), vec![]).expect("inputs"))
    } else if kind == Bench::Sort {
        (bubble_sort(ops), ProgramInputs::new(vec![], bubble_sort_inputs(ops)).expect("inputs"))
    } else if kind == Bench::MemoryChain {
        (memory_chain(ops), ProgramInputs::new(vec![Felt::new(0)], vec![]).expect("inputs"))
    } else if kind == Bench::AddChain {
        (add_chain(ops), ProgramInputs::new(vec![Felt::new(1)], vec![]).expect("inputs"))
    } else if let Bench::Hash(hash) = kind {
        (library_hash(hash, ops), ProgramInputs::new(vec![], library_hash_inputs(ops)).expect("inputs"))
    } else {
        (fibonacci(ops), ProgramInputs::new(vec![Felt::new(1), Felt::new(0)], vec![]).expect("inputs"))
    };
    let public = inputs.public().to_vec();
    let options = ProofOptions::with_96_bit_security(HashFunction::Blake3_256).with_hiding(hiding);
    let mut exec_times = Vec::new();
    let mut prove_times = Vec::new();
    let mut verify_times = Vec::new();
    let mut floors = Vec::new();
    let mut last = None;
    let mut peak = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = execute(&program, &inputs).expect("execution");
        exec_times.push(t.elapsed());
        std::hint::black_box(out);
        let t = Instant::now();
        let (outputs, proof, report) = prove_with(&program, &inputs, 1, &options, storage).expect("proof");
        prove_times.push(t.elapsed());
        // the peak of the first proof, in a fresh process: before the commit floor's buffers
        // (which can outgrow the allocator's kept memory and raise the peak by half) and before
        // later proofs meet the heap the earlier ones left
        peak.get_or_insert_with(peak_rss_kib);
        let bytes = proof.to_bytes();
        for _ in 0..5 {
            let t = Instant::now();
            distaff_verifier::verify_bytes(&program.hash(), &public, &outputs, &bytes, 96).expect("verifies");
            verify_times.push(t.elapsed());
        }
        // the commit floor of the same shape, right after the proof (the yardstick), when its
        // stored LDE fits in the memory left: at 2^22 rows of the memory variant (95 columns)
        // it alone would need 24 GiB, more than the machine has
        let columns = (report.stored_columns + report.aux_columns).max(1);
        let floor_bytes = report.trace_length * columns * options.blowup_factor * 8 * 3 / 2;
        if (floor_bytes as u64) < distaff_prover::available_memory().unwrap_or(0) {
            let floor = distaff_prover::commit_floor(report.trace_length, columns, &options).expect("a valid shape");
            floors.push(floor);
        }
        let bits = report.security_bits;
        last = Some((report, bytes.len(), bits, outputs));
    }
    let (report, size, bits, outputs) = last.expect("at least one run");
    if collatz_start {
        let steps = COLLATZ.iter().find(|(n, _)| *n == ops as u64).map(|(_, s)| *s);
        assert_eq!(Some(outputs[0]), steps.map(Felt::new), "Collatz step count");
    }
    let queries = report.options.map_or(0, |o| o.num_queries);
    let estimate = distaff_prover::estimated_memory(
        report.trace_length,
        report.stored_columns,
        report.aux_columns,
        &options,
        report.storage,
    ) >> 20;
    println!(
        "ROW\t{}\t{}\t{}\t{:.3}\t{:.3}\t{}\t{:.3}\t{}\t{}\t{queries}\t{estimate}\t{:.3}",
        ops,
        report.cycles,
        report.trace_length,
        median(exec_times).as_secs_f64() * 1e3,
        median(prove_times).as_secs_f64(),
        peak.unwrap_or(0) / 1024,
        median(verify_times).as_secs_f64() * 1e3,
        size,
        bits,
        // (NaN: no floor fitted in memory)
        if floors.is_empty() { f64::NAN } else { median(floors).as_secs_f64() }
    );
    if phases {
        for (name, d) in &report.phases {
            println!("PHASE\t{ops}\t{name}\t{:.3}", d.as_secs_f64());
        }
    }
}

/// One Winterfell measurement, run in this process: Fibonacci with `ops` operations proven by
/// Winterfell's prover through the AIR adapter, at our default preset's parameters without
/// hiding; prints a `ROW` line in the fields of [`measure`].
fn measure_winterfell(ops: usize, runs: usize) {
    use distaff_benches::winterfell::{prove as winter_prove, verify as winter_verify, winter_options, Hash};
    let program = fibonacci(ops);
    let inputs = ProgramInputs::new(vec![Felt::new(1), Felt::new(0)], vec![]).expect("inputs");
    let ours = ProofOptions::with_96_bit_security(HashFunction::Blake3_256).without_hiding();
    let options = winter_options(&ours);
    let (mut prove_times, mut verify_times) = (Vec::new(), Vec::new());
    let mut last = None;
    for _ in 0..runs {
        // the trace is built as our prover builds it (its time is in our proving time too)
        let t = Instant::now();
        let trace = distaff_processor::build_trace(&program, &inputs).expect("execution");
        let (cycles, claim) = (trace.cycles(), trace.public_inputs(1));
        let columns = trace.into_columns();
        let air = distaff_air::air::ProcessorAir::for_trace(claim.clone(), &columns);
        let proof = winter_prove(claim.clone(), columns, options.clone()).expect("Winterfell proves");
        prove_times.push(t.elapsed());
        let bits = proof.conjectured_security::<Hash>().bits();
        let size = proof.to_bytes().len();
        for _ in 0..5 {
            let proof = proof.clone();
            let t = Instant::now();
            winter_verify(proof, claim.clone(), options.clone()).expect("Winterfell verifies");
            verify_times.push(t.elapsed());
        }
        last = Some((cycles, air, size, bits));
    }
    let (cycles, air, size, bits) = last.expect("at least one run");
    use distaff_air::air::Air as _;
    println!(
        "ROW\t{ops}\t{cycles}\t{}\t0\t{:.3}\t{}\t{:.3}\t{size}\t{bits}\t{}\t0",
        air.trace_length(),
        median(prove_times).as_secs_f64(),
        peak_rss_kib() / 1024,
        median(verify_times).as_secs_f64() * 1e3,
        options.num_queries(),
    );
}

/// Our prover against Winterfell's on the same AIR and traces (Fibonacci), at the same blowup,
/// queries, grinding and hash, without hiding: alternating child processes, `pairs` proofs
/// each, medians and ratios (ours ÷ Winterfell's).
fn compare_winterfell(logs: &[usize], pairs: usize) {
    let exe = std::env::current_exe().expect("own path");
    let threads = std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "all cores".into());
    println!("Fibonacci proven by Distaff's prover and by Winterfell 0.13's through the AIR adapter: default preset's parameters (blowup 8, 27 queries, 16 grinding bits, quadratic extension, FRI folding 8), BLAKE3, no zero knowledge, threads: {threads}, {pairs} alternating pairs of single proofs, medians; ratio = ours ÷ Winterfell's");
    println!();
    println!("| operations | trace length | proving, ours | Winterfell | ratio | peak memory, ours | Winterfell | ratio | proof, ours | Winterfell | ratio | verification, ours | Winterfell | ratio |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &log in logs {
        let ops = fibonacci_ops(log);
        let rows = paired_rows(pairs, |i| {
            let mut cmd = Command::new(&exe);
            cmd.args(["--child", &ops.to_string(), "--runs", "1", ["--no-zk", "--winterfell-child"][i]]);
            cmd
        });
        let med = |i: usize, field: usize| median_field(&rows[i], field);
        let trace = rows[0].first().and_then(|r| r.get(3)?.parse::<usize>().ok()).unwrap_or(0);
        let (t0, t1) = (med(0, 5), med(1, 5));
        let (m0, m1) = (med(0, 6), med(1, 6));
        let (s0, s1) = (med(0, 8) / 1024.0, med(1, 8) / 1024.0);
        let (v0, v1) = (med(0, 7), med(1, 7));
        println!(
            "| {ops} | 2^{} | {t0:.3} s | {t1:.3} s | {:.2} | {m0:.0} MiB | {m1:.0} MiB | {:.2} | {s0:.1} KiB | {s1:.1} KiB | {:.2} | {v0:.3} ms | {v1:.3} ms | {:.2} |",
            trace.trailing_zeros(),
            t0 / t1,
            m0 / m1,
            s0 / s1,
            v0 / v1
        );
    }
}

/// `--floors`: the commit floor (`distaff_prover::commit_floor`, blowup 8, BLAKE3) of random
/// traces of `2^log` rows with each of `widths` stored columns, and of `2^(log−1)` rows (an LDE
/// domain of the same size: what a trace of `2^log` rows costs at blowup 4), in interleaved
/// rounds, medians: what more stored columns (a lower-degree AIR's helper columns) or a smaller
/// blowup cost in LDE and commitment work, measured in the same minutes.
fn floors(log: usize, widths: &[usize], runs: usize) {
    if !(7..=28).contains(&log) || widths.is_empty() || widths.contains(&0) {
        eprintln!("--floors needs --log between 7 and 28 and --widths of positive column counts, like 33,62");
        std::process::exit(2);
    }
    let options = ProofOptions::with_96_bit_security(HashFunction::Blake3_256);
    let shapes: Vec<(usize, usize)> = widths.iter().flat_map(|&w| [(log, w), (log.saturating_sub(1), w)]).collect();
    let mut times = vec![Vec::new(); shapes.len()];
    for _ in 0..runs {
        for (t, &(l, w)) in times.iter_mut().zip(&shapes) {
            match distaff_prover::commit_floor(1usize.checked_shl(l as u32).unwrap_or(0), w, &options) {
                Ok(d) => t.push(d),
                Err(e) => {
                    eprintln!("no commit floor for 2^{l} rows of {w} columns: {e}");
                    std::process::exit(2);
                }
            }
        }
    }
    println!("Commit floors (blowup 8, BLAKE3), median of {runs} interleaved rounds");
    println!();
    println!("| stored columns | 2^{log} rows | 2^{} rows (the LDE domain of 2^{log} at blowup 4) |", log - 1);
    println!("|---:|---:|---:|");
    for (k, &w) in widths.iter().enumerate() {
        let full = median(times[2 * k].clone()).as_secs_f64();
        let half = median(times[2 * k + 1].clone()).as_secs_f64();
        println!("| {w} | {full:.3} s | {half:.3} s |");
    }
}

fn main() {
    distaff_prover::keep_freed_memory();
    let args: Vec<String> = std::env::args().collect();
    let get = |flag: &str, default: usize| -> usize { distaff_benches::flag_value(&args, flag).unwrap_or(default) };
    let runs = get("--runs", 3);
    let phases = args.iter().any(|a| a == "--phases");
    let low_memory = args.iter().any(|a| a == "--low-memory");
    let hiding = !args.iter().any(|a| a == "--no-zk");
    if let Some(ops) = distaff_benches::flag_value(&args, "--child") {
        if args.iter().any(|a| a == "--winterfell-child") {
            measure_winterfell(ops, runs);
            return;
        }
        let storage = if low_memory { LdeStorage::Streamed } else { LdeStorage::Auto };
        let kind = if args.iter().any(|a| a == "--collatz") {
            Bench::Collatz
        } else if args.iter().any(|a| a == "--hash-chain") {
            Bench::HashChain
        } else if args.iter().any(|a| a == "--sort") {
            Bench::Sort
        } else if args.iter().any(|a| a == "--memory-chain") {
            Bench::MemoryChain
        } else if args.iter().any(|a| a == "--add-chain") {
            Bench::AddChain
        } else if args.iter().any(|a| a == "--sha256") {
            Bench::Hash("sha256")
        } else if args.iter().any(|a| a == "--blake3") {
            Bench::Hash("blake3")
        } else {
            Bench::Fibonacci
        };
        measure(ops, runs, phases, kind, storage, hiding);
        return;
    }
    let min_log = get("--min-log", 10);
    let max_log = get("--max-log", 18);
    if args.iter().any(|a| a == "--winterfell") {
        let (min, max) = (get("--min-log", 14), get("--max-log", 18));
        let logs: Vec<usize> = (min..=max).step_by(2).collect();
        compare_winterfell(&logs, runs);
        return;
    }
    if args.iter().any(|a| a == "--compare-zk") {
        compare_zk(min_log, max_log, runs, low_memory);
        return;
    }
    if args.iter().any(|a| a == "--floors") {
        let widths: Vec<usize> = distaff_benches::flag_value::<String>(&args, "--widths")
            .unwrap_or_else(|| "33,62,89".into())
            .split(',')
            // (a width that does not parse becomes 0, which `floors` refuses)
            .map(|w| w.trim().parse().unwrap_or(0))
            .collect();
        floors(get("--log", 18), &widths, runs.max(3));
        return;
    }
    let zk = if hiding { "hiding" } else { "without zero knowledge (--no-zk)" };
    let threads = std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "all cores".into());
    let mode = if low_memory { ", low-memory prover (streamed LDE)" } else { "" };
    println!("Fibonacci, default preset (96-bit, BLAKE3, {zk}), threads: {threads}, median of {runs} proofs{mode}");
    println!();
    println!(
        "| operations | cycles | trace length | execution | proving | peak memory | estimated | verification | proof size | security | commit floor | ÷ floor |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let exe = std::env::current_exe().expect("own path");
    let mut phase_lines = Vec::new();
    for log in (min_log..=max_log).step_by(2) {
        let ops = fibonacci_ops(log);
        child(&exe, ops, runs, phases, Bench::Fibonacci, low_memory, hiding, &mut phase_lines);
    }
    if !args.iter().any(|a| a == "--no-collatz") {
        println!();
        println!("Collatz (`examples/collatz.dasm`: a while loop, a secret branch and a 32-step hint check per step), same settings");
        println!();
        println!("| start value | steps | cycles | trace length | execution | proving | peak memory | estimated | verification | proof size | security | commit floor | ÷ floor |");
        println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (start, _) in COLLATZ {
            child(&exe, start as usize, runs, phases, Bench::Collatz, low_memory, hiding, &mut Vec::new());
        }
    }
    if !args.iter().any(|a| a == "--no-hash-chain") {
        println!();
        println!("Hash chain (`hperm` K times, one Rp64_256 permutation each), same settings");
        println!();
        println!("| permutations | cycles | cycles per permutation | trace length | proving | peak memory | estimated | verification | proof size | permutations proven per second | commit floor | ÷ floor |");
        println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for k in CHAINS {
            child(&exe, k, runs, phases, Bench::HashChain, low_memory, hiding, &mut Vec::new());
        }
    }
    if !args.iter().any(|a| a == "--no-memory") {
        println!();
        println!("Memory (the memory variant of the AIR), same settings");
        println!();
        println!("| program | cycles | trace length | proving | peak memory | estimated | verification | proof size | proving time per cycle | commit floor | ÷ floor |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        child(&exe, SORT_LEN, runs, phases, Bench::Sort, low_memory, hiding, &mut Vec::new());
        let n = (1 << 14) - 64;
        child(&exe, n, runs, phases, Bench::MemoryChain, low_memory, hiding, &mut Vec::new());
        child(&exe, n, runs, phases, Bench::AddChain, low_memory, hiding, &mut Vec::new());
    }
    if args.iter().any(|a| a == "--library") {
        println!();
        println!(
            "The standard library's hashes (`std::crypto::sha256`, `blake3`, with the bitwise table), same settings"
        );
        println!();
        println!("| program | cycles | trace length | proving | peak memory | estimated | verification | proof size | proving time per cycle | commit floor | ÷ floor |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        // SHA-256 of one block (55 bytes, the most one block pads) and of 64 blocks (63 full
        // ones and 55 bytes), BLAKE3 of one block and of 1 KiB
        child(&exe, 55, runs, phases, Bench::Hash("sha256"), low_memory, hiding, &mut Vec::new());
        child(&exe, 63 * 64 + 55, runs, phases, Bench::Hash("sha256"), low_memory, hiding, &mut Vec::new());
        child(&exe, 64, runs, phases, Bench::Hash("blake3"), low_memory, hiding, &mut Vec::new());
        child(&exe, 1024, runs, phases, Bench::Hash("blake3"), low_memory, hiding, &mut Vec::new());
    }
    if phases {
        // one row per phase, one column per program size
        let mut sizes: Vec<String> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut cells = std::collections::HashMap::new();
        for l in &phase_lines {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() != 4 {
                continue;
            }
            if !sizes.iter().any(|s| s == f[1]) {
                sizes.push(f[1].to_string());
            }
            if !names.iter().any(|s| s == f[2]) {
                names.push(f[2].to_string());
            }
            cells.insert((f[1].to_string(), f[2].to_string()), f[3].to_string());
        }
        println!();
        println!("Proving time by phase (seconds, last run):");
        println!();
        println!("| phase | {} |", sizes.iter().map(|s| format!("{s} ops")).collect::<Vec<_>>().join(" | "));
        println!("|---|{}", "---:|".repeat(sizes.len()));
        for name in &names {
            let row: Vec<String> =
                sizes.iter().map(|s| cells.get(&(s.clone(), name.clone())).cloned().unwrap_or_default()).collect();
            println!("| {name} | {} |", row.join(" | "));
        }
    }
}

/// Runs the two child commands `make(0)` and `make(1)` in turn, `pairs` times; the `ROW` lines
/// each printed, split into fields.
fn paired_rows(pairs: usize, make: impl Fn(usize) -> Command) -> [Vec<Vec<String>>; 2] {
    let mut rows: [Vec<Vec<String>>; 2] = [Vec::new(), Vec::new()];
    for _ in 0..pairs {
        for (i, rows) in rows.iter_mut().enumerate() {
            let out = make(i).output().expect("child run");
            let text = String::from_utf8_lossy(&out.stdout);
            if let Some(line) = text.lines().find(|l| l.starts_with("ROW\t")) {
                rows.push(line.split('\t').map(str::to_string).collect());
            }
        }
    }
    rows
}

/// The median of field `field` over `rows` (NaN if none parses).
fn median_field(rows: &[Vec<String>], field: usize) -> f64 {
    let mut v: Vec<f64> = rows.iter().filter_map(|r| r.get(field)?.parse().ok()).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The cost of zero knowledge: Fibonacci proven with and without hiding in alternate child
/// processes, one proof each, `pairs` times; medians and ratios (hiding ÷ without).
fn compare_zk(min_log: usize, max_log: usize, pairs: usize, low_memory: bool) {
    let exe = std::env::current_exe().expect("own path");
    let threads = std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "all cores".into());
    println!("Fibonacci with and without zero knowledge (96-bit, BLAKE3), threads: {threads}, {pairs} alternating pairs of single proofs, medians");
    println!();
    println!("| operations | trace length | proving, hiding | proving, no zk | ratio | peak memory, hiding | no zk | ratio | proof, hiding | no zk | difference | verification, hiding | no zk | queries |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for log in (min_log..=max_log).step_by(2) {
        let ops = fibonacci_ops(log);
        let rows = paired_rows(pairs, |i| {
            let mut cmd = Command::new(&exe);
            cmd.args(["--child", &ops.to_string(), "--runs", "1"]);
            if i == 1 {
                cmd.arg("--no-zk");
            }
            if low_memory {
                cmd.arg("--low-memory");
            }
            cmd
        });
        let med = |i: usize, field: usize| median_field(&rows[i], field);
        let (t1, t0) = (med(0, 5), med(1, 5));
        let (m1, m0) = (med(0, 6), med(1, 6));
        let (s1, s0) = (med(0, 8) / 1024.0, med(1, 8) / 1024.0);
        let (v1, v0) = (med(0, 7), med(1, 7));
        let trace = rows[0].first().and_then(|r| r.get(3)?.parse::<usize>().ok()).unwrap_or(0);
        let queries = rows[0].first().and_then(|r| r.get(10).cloned()).unwrap_or_default();
        println!(
            "| {ops} | 2^{} | {t1:.3} s | {t0:.3} s | {:.2} | {m1:.0} MiB | {m0:.0} MiB | {:.2} | {s1:.1} KiB | {s0:.1} KiB | {:+.1} KiB | {v1:.3} ms | {v0:.3} ms | {queries} |",
            trace.trailing_zeros(),
            t1 / t0,
            m1 / m0,
            s1 - s0
        );
    }
}

/// Which program a row proves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bench {
    Fibonacci,
    Collatz,
    HashChain,
    /// [`bubble_sort`] of `ops` values.
    Sort,
    /// [`memory_chain`] of `ops` loads.
    MemoryChain,
    /// [`add_chain`] of `ops` cycles.
    AddChain,
    /// [`library_hash`] of `ops` bytes with `std::crypto::sha256` or `blake3`.
    Hash(&'static str),
}

#[allow(clippy::too_many_arguments)]
fn child(
    exe: &std::path::Path,
    ops: usize,
    runs: usize,
    phases: bool,
    kind: Bench,
    low_memory: bool,
    hiding: bool,
    phase_lines: &mut Vec<String>,
) {
    let collatz = kind == Bench::Collatz;
    let mut cmd = Command::new(exe);
    if !hiding {
        cmd.arg("--no-zk");
    }
    cmd.args(["--child", &ops.to_string(), "--runs", &runs.to_string()]);
    if phases {
        cmd.arg("--phases");
    }
    if collatz {
        cmd.arg("--collatz");
    }
    let flag = match kind {
        Bench::HashChain => Some("--hash-chain"),
        Bench::Sort => Some("--sort"),
        Bench::MemoryChain => Some("--memory-chain"),
        Bench::AddChain => Some("--add-chain"),
        Bench::Hash("sha256") => Some("--sha256"),
        Bench::Hash(_) => Some("--blake3"),
        _ => None,
    };
    cmd.args(flag);
    if low_memory {
        cmd.arg("--low-memory");
    }
    let out = cmd.output().expect("child run");
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.first() {
            Some(&"ROW") if f.len() == 13 && kind == Bench::HashChain => {
                let cycles: f64 = f[2].parse().unwrap_or(0.0);
                let secs: f64 = f[5].parse().unwrap_or(f64::INFINITY);
                println!(
                    "| {} | {} | {:.1} | 2^{} | {} s | {} MiB | {} MiB | {} ms | {:.1} KiB | {:.0} | {} s | {:.2} |",
                    f[1],
                    f[2],
                    cycles / ops as f64,
                    f[3].parse::<usize>().unwrap_or(0).trailing_zeros(),
                    f[5],
                    f[6],
                    f[11],
                    f[7],
                    f[8].parse::<f64>().unwrap_or(0.0) / 1024.0,
                    ops as f64 / secs,
                    f[12],
                    secs / f[12].parse::<f64>().unwrap_or(f64::NAN)
                )
            }
            Some(&"ROW")
                if f.len() == 13
                    && matches!(kind, Bench::Sort | Bench::MemoryChain | Bench::AddChain | Bench::Hash(_)) =>
            {
                let name = match kind {
                    Bench::Sort => format!("bubble sort of {ops} secret values"),
                    Bench::Hash(hash) => format!("`{hash}::hash_memory` of {ops} secret bytes"),
                    Bench::MemoryChain => format!("{ops} × `mem_load`"),
                    _ => format!("{} × `dup add` (no memory)", ops / 2),
                };
                let cycles: f64 = f[2].parse().unwrap_or(1.0);
                let secs: f64 = f[5].parse().unwrap_or(0.0);
                // (no floor: it would not have fitted in memory)
                let floor = match f[12] {
                    "NaN" => "— (no memory for it)".to_string(),
                    t => format!("{t} s"),
                };
                println!(
                    "| {name} | {} | 2^{} | {} s | {} MiB | {} MiB | {} ms | {:.1} KiB | {:.1} µs | {floor} | {:.2} |",
                    f[2],
                    f[3].parse::<usize>().unwrap_or(0).trailing_zeros(),
                    f[5],
                    f[6],
                    f[11],
                    f[7],
                    f[8].parse::<f64>().unwrap_or(0.0) / 1024.0,
                    secs / cycles * 1e6,
                    secs / f[12].parse::<f64>().unwrap_or(f64::NAN)
                )
            }
            Some(&"ROW") if f.len() == 13 => {
                let steps = if collatz {
                    let s = COLLATZ.iter().find(|(n, _)| n.to_string() == f[1]).map(|(_, s)| *s).unwrap_or(0);
                    format!("{s} | ")
                } else {
                    String::new()
                };
                println!(
                    "| {} | {}{} | 2^{} | {} ms | {} s | {} MiB | {} MiB | {} ms | {:.1} KiB | {} bits | {} s | {:.2} |",
                    f[1],
                    steps,
                    f[2],
                    f[3].parse::<usize>().unwrap_or(0).trailing_zeros(),
                    f[4],
                    f[5],
                    f[6],
                    f[11],
                    f[7],
                    f[8].parse::<f64>().unwrap_or(0.0) / 1024.0,
                    f[9],
                    f[12],
                    f[5].parse::<f64>().unwrap_or(f64::NAN) / f[12].parse::<f64>().unwrap_or(f64::NAN)
                )
            }
            Some(&"PHASE") => phase_lines.push(line.to_string()),
            _ => {}
        }
    }
    if !out.status.success() {
        eprintln!("row {ops} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
}
