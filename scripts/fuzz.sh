#!/usr/bin/env bash
# Fuzzes everything that reads hostile bytes (issue 13), on the stable toolchain: the proof
# decoder and verifier (`verify`), the assembler (`assemble`) and the inputs-file parser
# (`inputs`), each for SECONDS seconds (default 600). cargo-fuzz needs nightly flags; on stable
# they are allowed with RUSTC_BOOTSTRAP=1, and without sanitizers (--sanitizer none: the code
# under test is safe Rust, and panics, overflows and out-of-bounds accesses abort anyway, since
# the builds turn debug assertions and overflow checks on: `--release` alone turns them off).
#
#   scripts/fuzz.sh                 # all three targets, 10 minutes each
#   SECONDS_PER_TARGET=60 scripts/fuzz.sh verify
#
# A crash is saved under fuzz/artifacts/TARGET/; commit it as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo-fuzz >/dev/null; then
    cargo install --locked cargo-fuzz@0.13.2
fi
export RUSTC_BOOTSTRAP=1
seconds="${SECONDS_PER_TARGET:-600}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(verify assemble inputs)

# seed corpora: honest proofs with their claims; the example programs and inputs files
mkdir -p fuzz/corpus/verify fuzz/corpus/assemble fuzz/corpus/inputs
if [ -z "$(ls -A fuzz/corpus/verify)" ]; then
    cargo run --release -p distaff-cli --example fuzz_seeds -- fuzz/corpus/verify
fi
cp -n examples/*.dasm fuzz/corpus/assemble/ 2>/dev/null || true
cp -n examples/*.json fuzz/corpus/inputs/ 2>/dev/null || true

for t in "${targets[@]}"; do
    echo "== fuzzing $t for ${seconds}s"
    (cd fuzz && cargo fuzz run "$t" --sanitizer none --release --debug-assertions -- \
        -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=4096 -timeout=60 -report_slow_units=30 \
        -print_final_stats=1) 2>&1 \
        | tee "target/fuzz-$t.log" | grep -E "^(#[0-9]+\s+(DONE|INITED)|stat::|==[0-9]+==|SUMMARY|Test unit written)" || true
    # crashes, panics, inputs over 60 s and over 4 GiB fail the run; slow units (over 30 s in
    # this debug-assertion build) are only reported: the largest programs the assembler
    # accepts (MAX_PROGRAM_ELEMENTS after expanding repeats) take seconds to expand and hash
    if grep -qE "Test unit written to .*/(crash|oom|timeout|leak)-|deadly signal|panicked" "target/fuzz-$t.log"; then
        echo "fuzz target $t found a crash: see fuzz/artifacts/$t/" >&2
        exit 1
    fi
done
