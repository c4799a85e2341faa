#!/usr/bin/env bash
# Mutation testing of the verifier (issue 13): cargo-mutants changes distaff-verifier's source
# one mutation at a time (an operator swapped, a condition negated, a function's body replaced
# by a default) and runs the verifier's own tests on each. A mutant the tests do not catch is
# a check no test exercises. Every survivor must be listed, with the reason it is equivalent or
# harmless, in verifier/mutants-allowed.txt; this script fails on any other.
#
#   scripts/mutants.sh                # all mutants (a few hours on 2 cores)
#   scripts/mutants.sh --iterate      # only those not caught by the previous run
#   scripts/mutants.sh -f verify.rs   # one file (any other cargo-mutants option passes through)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo-mutants >/dev/null; then
    cargo install --locked cargo-mutants@27.1.0
fi

out=target/mutants
status=0
cargo mutants --package distaff-verifier --test-package distaff-verifier --profile mutants \
    --output "$out" --no-shuffle --jobs 2 "$@" || status=$?
# cargo-mutants exits 2 when some mutants survive, 3 on timeouts; anything else is a failure
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ] && [ "$status" -ne 3 ]; then
    echo "cargo-mutants failed (exit $status)" >&2
    exit "$status"
fi

# survivors, without their line and column (which move as the code does)
missed="$out/mutants.out/missed.txt"
timeout="$out/mutants.out/timeout.txt"
unexplained=0
for f in "$missed" "$timeout"; do
    [ -f "$f" ] || continue
    while IFS= read -r line; do
        key="$(sed -E 's/^([^:]+):[0-9]+:[0-9]+: /\1: /' <<<"$line")"
        if ! grep -qF -- "$key" verifier/mutants-allowed.txt; then
            echo "unexplained survivor: $line"
            unexplained=$((unexplained + 1))
        fi
    done <"$f"
done
caught=$(wc -l <"$out/mutants.out/caught.txt" 2>/dev/null || echo 0)
unviable=$(wc -l <"$out/mutants.out/unviable.txt" 2>/dev/null || echo 0)
survived=$(cat "$missed" "$timeout" 2>/dev/null | wc -l)
echo "mutants: $caught caught, $unviable unviable, $survived survived ($unexplained unexplained)"
[ "$unexplained" -eq 0 ]
