//! What the benchmark binaries (`perf-report`, `constraint-eval`) share: their argument parsing.

/// The value following `flag` in `args` (`--runs 3`), if the flag is there and the value parses.
pub fn flag_value<T: core::str::FromStr>(args: &[String], flag: &str) -> Option<T> {
    args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok())
}
pub mod winterfell;
