#![allow(clippy::needless_range_loop)] // cell edits are written by row number
//! u32 operations end to end: honest proofs verify against their claim and nothing else;
//! cheating provers (an out-of-range value passed off as a u32, a wrong comparison, a wrong
//! carry) are rejected by the verifier. Every forgery keeps the u32 equations true in the
//! field, so what rejects it is the range check (the LogUp sums) or the bit constraint.

use distaff_air::debug::all_failures;
use distaff_air::layout::*;
use distaff_air::memory::{range_table, write_range_table};
use distaff_air::{opcodes, ProcessorAir, Program, PublicInputs};
use distaff_math::Felt;
use distaff_processor::{ExecutionError, ProgramInputs};
use distaff_prover::{prove, prove_trace, Checks, HashFunction, ProofOptions};
use distaff_verifier::{verify_claim, VerificationError};

/// The trace of a run, padded with halted rows to the length a hiding proof needs (the
/// default options hide).
fn build_trace(
    program: &distaff_air::Program,
    inputs: &distaff_processor::ProgramInputs,
) -> Result<distaff_processor::ExecutionTrace, distaff_processor::ExecutionError> {
    distaff_processor::build_trace_with_min_length(program, inputs, distaff_verifier::shape::MIN_HIDING_TRACE_LENGTH)
}

fn f(v: u64) -> Felt {
    Felt::new(v)
}

const MAX: u64 = u32::MAX as u64;

fn options() -> ProofOptions {
    ProofOptions::with_96_bit_security(HashFunction::Blake3_256)
}

/// Public inputs, top first.
fn inputs(public: &[u64]) -> ProgramInputs {
    ProgramInputs::new(public.iter().map(|v| f(*v)).collect(), vec![]).unwrap()
}

fn trace_of(source: &str, public: &[u64], outputs: usize) -> (Vec<Vec<Felt>>, PublicInputs) {
    let program: Program = distaff_assembly::assemble(source).unwrap();
    let trace = build_trace(&program, &inputs(public)).unwrap();
    let claim = trace.public_inputs(outputs);
    (trace.into_columns(), claim)
}

/// Proves a (possibly invalid) trace with the prover's checks off and verifies the claim.
fn cheat(columns: &[Vec<Felt>], claim: &PublicInputs) -> Result<u32, VerificationError> {
    let proof = prove_trace(columns, claim, &options(), Checks::Off).expect("unchecked proving");
    verify_claim(claim, &proof, 96)
}

/// The row executing `opcode` (as a span instruction).
fn row_of(columns: &[Vec<Felt>], opcode: u8) -> usize {
    let rows: Vec<usize> = (0..columns[0].len())
        .filter(|&r| columns[HALT][r] == f(0))
        .filter(|&r| (0..NUM_OP_BITS).all(|k| columns[OP_BITS + k][r] == f(((opcode >> k) & 1) as u64)))
        .collect();
    assert_eq!(rows.len(), 1, "the operation runs once");
    rows[0]
}

/// The constraints the (forged) trace breaks, as the debug checker sees them (the auxiliary
/// segment built honestly for the trace, as `prove_trace` does): which rule the verifier's
/// rejection comes from.
fn broken(columns: &[Vec<Felt>], claim: &PublicInputs) -> Vec<&'static str> {
    let air = ProcessorAir::for_trace(claim.clone(), columns);
    let mut names: Vec<&'static str> = all_failures(&air, columns, None).iter().map(|f| f.name).collect();
    names.dedup();
    names
}

/// Sets stack slot `slot` to `v` from row `from` to the end (one logical value).
fn set_from(columns: &mut [Vec<Felt>], slot: usize, from: usize, v: Felt) {
    for r in from..columns[0].len() {
        columns[STACK + slot][r] = v;
    }
}

/// Writes the limb pair `k` of `row`, and rebuilds the range table for the trace's limbs as
/// well as a forger can: a table from 0 to 2^16 − 1 listing every limb in range with its
/// multiplicity (a limb of 2^16 or more cannot be listed: the table never goes above 2^16 − 1).
fn set_limbs(columns: &mut [Vec<Felt>], row: usize, k: usize, lo: u64, hi: u64) {
    columns[U32_LIMBS + 2 * k][row] = f(lo);
    columns[U32_LIMBS + 2 * k + 1][row] = f(hi);
    let range = range_table(RANGE_LOOKUPS.iter().flat_map(|c| columns[*c].iter().map(|v| v.as_int())));
    assert!(range.len() <= columns[0].len());
    write_range_table(columns, &range);
}

#[test]
fn honest_u32_proofs_verify_against_their_claim_only() {
    // (a + b)·c, a − b, a / b and a mod b, comparisons, a split of a large element and a
    // field comparison: [b, a] = [7, 100] (7 on top)
    let source = "begin dup.1 dup.1 u32wrapping_add push.3 u32wrapping_mul movdn.2 \
                  dup.1 dup.1 u32wrapping_sub movdn.3 dup.1 dup.1 u32divmod movdn.4 movdn.4 \
                  u32lt push.18446744069414584320 u32split push.5 push.4294967296 lt end";
    let program: Program = distaff_assembly::assemble(source).unwrap();
    // top first: 5 < 2^32, the split of p − 1 (hi, lo), 100 < 7, 107·3, 100 mod 7, 100 / 7, 100 − 7
    let expected = [1, MAX, 0, 0, 321, 2, 14, 93];
    for hash in [HashFunction::Blake3_256, HashFunction::Rp64_256] {
        let (outputs, proof, _) =
            prove(&program, &inputs(&[7, 100]), expected.len(), &ProofOptions::with_96_bit_security(hash)).unwrap();
        assert_eq!(outputs, expected.map(f).to_vec(), "{hash:?}");
        let claim = PublicInputs::new(program.hash(), vec![f(7), f(100)], outputs.clone());
        assert!(verify_claim(&claim, &proof, 96).unwrap() >= 96);
        // any output changed, or other inputs: rejected
        for i in 0..expected.len() {
            let mut wrong = outputs.clone();
            wrong[i] += f(1);
            let other = PublicInputs::new(program.hash(), vec![f(7), f(100)], wrong);
            assert!(verify_claim(&other, &proof, 96).is_err(), "output {i}");
        }
        let other = PublicInputs::new(program.hash(), vec![f(8), f(100)], outputs.clone());
        assert!(verify_claim(&other, &proof, 96).is_err());
        // u32lt's wrong answer (0: 100 < 7 is false, but claimed true)
        let mut wrong = outputs.clone();
        wrong[3] = f(1);
        let other = PublicInputs::new(program.hash(), vec![f(7), f(100)], wrong);
        assert!(verify_claim(&other, &proof, 96).is_err());
    }
}

#[test]
fn honest_u32_trace_through_the_unchecked_path_verifies() {
    let (columns, claim) = trace_of("begin u32add end", &[7, 5], 2);
    assert_eq!(claim.outputs, vec![f(0), f(12)]);
    assert!(cheat(&columns, &claim).is_ok());
    let (columns, claim) = trace_of("begin u32lt end", &[3, 9], 1);
    assert_eq!(claim.outputs, vec![f(0)]);
    assert!(cheat(&columns, &claim).is_ok());
}

/// `u32assert` on 2^32 + 5. The VM refuses it; the forger takes the honest trace for 5 and
/// writes 2^32 + 5 everywhere the value appears (the public input, its stack slot), with the
/// checked value's limbs (5, 2^16): lo + 2^16·hi = 2^32 + 5, so `u32_limbs` holds. No other
/// pair can do better: two limbs below 2^16 make at most 2^32 − 1, far from 2^32 + 5 and from
/// 2^32 + 5 + p. So some limb is 2^16 or more, and the lookup fails: the range table starts at
/// 0, ends at 2^16 − 1 and never goes down, so it cannot list 2^16, and the LogUp sums (each
/// row's 1/(γ − limb) against the table's m/(γ − r)) do not cancel.
#[test]
fn an_out_of_range_value_cannot_pass_u32assert() {
    let x = (1 << 32) + 5;
    let program: Program = distaff_assembly::assemble("begin u32assert end").unwrap();
    assert!(matches!(
        distaff_processor::execute(&program, &inputs(&[x])),
        Err(ExecutionError::NotU32 { value, .. }) if value == x
    ));
    let (mut columns, mut claim) = trace_of("begin u32assert end", &[5], 1);
    let check = row_of(&columns, opcodes::U32ASSERT2);
    // pad pushed 0 on top: the value is in slot 1 on the check's row and the drop's, slot 0
    // elsewhere
    assert_eq!((columns[STACK][check], columns[STACK + 1][check]), (f(0), f(5)));
    for r in 0..columns[0].len() {
        let slot = if r == check || r == check + 1 { 1 } else { 0 };
        assert_eq!(columns[STACK + slot][r], f(5), "row {r}");
        columns[STACK + slot][r] = f(x);
    }
    set_limbs(&mut columns, check, 1, 5, 1 << 16);
    claim.inputs = vec![f(x)];
    claim.outputs = vec![f(x)];
    assert_eq!(broken(&columns, &claim), vec!["range_sums_end"], "only the lookups notice");
    assert!(matches!(cheat(&columns, &claim), Err(VerificationError::ConstraintCheck)));
    assert!(prove_trace(&columns, &claim, &options(), Checks::On).is_err());
}

/// `u32add` with a = 2^32 + 5, b = 7: a + b = 12 + 2^32, so the forger claims (c, o) = (12, 1),
/// with a's limbs (5, 2^16) (the equation a + b = c + 2^32·o holds, every limb equation too).
/// As for `u32assert`, the high limb 2^16 is not in the range table.
#[test]
fn an_out_of_range_operand_cannot_pass_u32add() {
    let a = (1 << 32) + 5;
    let (mut columns, mut claim) = trace_of("begin u32add end", &[7, 5], 2);
    assert_eq!(claim.outputs, vec![f(0), f(12)]);
    let add = row_of(&columns, opcodes::U32ADD);
    for r in 0..=add {
        assert_eq!(columns[STACK + 1][r], f(5));
        columns[STACK + 1][r] = f(a);
    }
    set_limbs(&mut columns, add, 1, 5, 1 << 16);
    set_from(&mut columns, 0, add + 1, f(1));
    claim.inputs = vec![f(7), f(a)];
    claim.outputs = vec![f(1), f(12)];
    assert_eq!(broken(&columns, &claim), vec!["range_sums_end"], "only the lookups notice");
    assert!(matches!(cheat(&columns, &claim), Err(VerificationError::ConstraintCheck)));
    // the limbs alone (the operand left at 5) break the limb equation too
    let (mut columns, claim) = trace_of("begin u32add end", &[7, 5], 2);
    set_limbs(&mut columns, add, 1, 5, 1 << 16);
    assert_eq!(broken(&columns, &claim), vec!["u32_limbs", "range_sums_end"]);
    assert!(matches!(cheat(&columns, &claim), Err(VerificationError::ConstraintCheck)));
}

/// `u32lt` claiming 9 < 3. The row proves a − b + 2^32·r = d with d's limbs: with r = 1, d =
/// 9 − 3 + 2^32 = 2^32 + 6, whose limbs must be (6, 2^16) (or leave the equation false). The
/// range check rejects the high limb. (With r = 0, d = 6, the honest answer.)
#[test]
fn a_wrong_comparison_is_rejected() {
    let (mut columns, mut claim) = trace_of("begin u32lt end", &[3, 9], 1);
    assert_eq!(claim.outputs, vec![f(0)]);
    let lt = row_of(&columns, opcodes::U32LT);
    let limbs: Vec<u64> = (0..NUM_U32_LIMBS).map(|k| columns[U32_LIMBS + k][lt].as_int()).collect();
    assert_eq!(limbs, vec![3, 0, 9, 0, 6, 0], "b, a and a − b");
    set_from(&mut columns, 0, lt + 1, f(1));
    set_limbs(&mut columns, lt, 2, 6, 1 << 16);
    claim.outputs = vec![f(1)];
    assert_eq!(broken(&columns, &claim), vec!["range_sums_end"], "only the lookups notice");
    assert!(matches!(cheat(&columns, &claim), Err(VerificationError::ConstraintCheck)));
    // the difference's limbs left as they were: the equation breaks
    let (mut columns, mut claim) = trace_of("begin u32lt end", &[3, 9], 1);
    set_from(&mut columns, 0, lt + 1, f(1));
    claim.outputs = vec![f(1)];
    assert_eq!(broken(&columns, &claim), vec!["u32_limbs"]);
    assert!(matches!(cheat(&columns, &claim), Err(VerificationError::ConstraintCheck)));
    // and the other direction: 3 < 9 claimed false needs d = 3 − 9 = p − 6, far above 2^32
    let (mut columns, mut claim) = trace_of("begin u32lt end", &[9, 3], 1);
    assert_eq!(claim.outputs, vec![f(1)]);
    let d = (f(3) - f(9)).as_int();
    set_from(&mut columns, 0, lt + 1, f(0));
    set_limbs(&mut columns, lt, 2, d & 0xffff, d >> 16);
    claim.outputs = vec![f(0)];
    assert_eq!(broken(&columns, &claim), vec!["range_sums_end"]);
    assert!(matches!(cheat(&columns, &claim), Err(VerificationError::ConstraintCheck)));
}

/// Wrong (result, carry) pairs for 5 + 7 that keep a + b = c + 2^32·o true in the field:
/// (13, −2^−32) is caught by the bit constraint, (12 − 2^32, 1) (c = p − 2^32 + 12) by the
/// range check of c, (12 + 2^32, −1) by both. An honest-looking (12, 1) breaks the equation.
#[test]
fn a_wrong_carry_is_rejected() {
    let forge = |c: Felt, o: Felt| {
        let (mut columns, mut claim) = trace_of("begin u32add end", &[7, 5], 2);
        let add = row_of(&columns, opcodes::U32ADD);
        assert_eq!(f(5) + f(7), c + o * f(1 << 32), "the equation holds in the field");
        let c64 = c.as_int();
        set_from(&mut columns, 1, add + 1, c);
        set_from(&mut columns, 0, add + 1, o);
        set_limbs(&mut columns, add, 2, c64 & 0xffff, c64 >> 16);
        claim.outputs = vec![o, c];
        (broken(&columns, &claim), cheat(&columns, &claim))
    };
    let inv = f(1) / f(1 << 32);
    let rejected = |r: &Result<u32, VerificationError>| matches!(r, Err(VerificationError::ConstraintCheck));
    let (names, result) = forge(f(13), -inv);
    assert_eq!(names, vec!["u32_bit"]);
    assert!(rejected(&result));
    let (names, result) = forge(f(12) - f(1 << 32), f(1));
    assert_eq!(names, vec!["range_sums_end"]);
    assert!(rejected(&result));
    let (names, result) = forge(f(12) + f(1 << 32), -f(1));
    assert_eq!(names, vec!["u32_bit", "range_sums_end"]);
    assert!(rejected(&result));
    // the honest pair passes through the same path
    let (names, result) = forge(f(12), f(0));
    assert!(names.is_empty() && result.is_ok());
    // (12, 1) with the equation false
    let (mut columns, mut claim) = trace_of("begin u32add end", &[7, 5], 2);
    let add = row_of(&columns, opcodes::U32ADD);
    set_from(&mut columns, 0, add + 1, f(1));
    claim.outputs = vec![f(1), f(12)];
    assert_eq!(broken(&columns, &claim), vec!["u32_result"]);
    assert!(matches!(cheat(&columns, &claim), Err(VerificationError::ConstraintCheck)));
}

/// The small variants refuse u32 operations: a u32 trace cut to the control variant's columns
/// (no range checker, so a result could be anything) is rejected.
#[test]
fn u32_operations_cannot_use_the_small_variants() {
    let (mut columns, mut claim) = trace_of("begin u32lt end", &[3, 9], 1);
    columns.truncate(TRACE_WIDTH);
    let lt = row_of(&columns, opcodes::U32LT);
    set_from(&mut columns, 0, lt + 1, f(1));
    claim.outputs = vec![f(1)];
    assert!(broken(&columns, &claim).contains(&"no_u32_ops"));
    let proof = prove_trace(&columns, &claim, &options(), Checks::Off).unwrap();
    assert!(proof.ood_trace_current.len() < FULL_TRACE_WIDTH * 2);
    assert!(matches!(verify_claim(&claim, &proof, 96), Err(VerificationError::ConstraintCheck)));
}

/// `u32split` of 5 claimed as (lo, hi) = (6, 2^32 − 1): lo + 2^32·hi = 6 + 2^64 − 2^32 = 5 + p,
/// both halves are u32 values with honest limbs, and the split equation holds in the field. Only
/// the canonical-pair constraint (hi = 2^32 − 1 forces lo = 0) rejects it.
#[test]
fn a_non_canonical_split_is_rejected() {
    let (mut columns, mut claim) = trace_of("begin u32split end", &[5], 2);
    assert_eq!(claim.outputs, vec![f(0), f(5)]);
    let split = row_of(&columns, opcodes::U32SPLIT);
    set_from(&mut columns, 0, split + 1, f(MAX));
    set_from(&mut columns, 1, split + 1, f(6));
    set_limbs(&mut columns, split, 0, 6, 0);
    set_limbs(&mut columns, split, 1, 0xffff, 0xffff);
    claim.outputs = vec![f(MAX), f(6)];
    assert_eq!(broken(&columns, &claim), vec!["u32_canonical"]);
    assert!(matches!(cheat(&columns, &claim), Err(VerificationError::ConstraintCheck)));
}

// --- bitwise operations (the bitwise table) -------------------------------------------------------

#[test]
fn honest_bitwise_proofs_verify_against_their_claim_only() {
    // [y, x] = [0x12345678, 0xdeadbeef] (y on top): XOR, AND, OR, NOT and ANDXOR of them
    let source = "begin dup.1 dup.1 u32xor movdn.2 dup.1 dup.1 u32and movdn.3 dup.1 dup.1 u32or movdn.4 \
                  dup u32not movdn.5 u32andxor end";
    let program: Program = distaff_assembly::assemble(source).unwrap();
    let (x, y) = (0xdead_beefu64, 0x1234_5678u64);
    let expected = [x ^ y, x & y, x ^ y, x & y, x | y, MAX - y];
    for hash in [HashFunction::Blake3_256, HashFunction::Rp64_256] {
        let (outputs, proof, _) =
            prove(&program, &inputs(&[y, x]), expected.len(), &ProofOptions::with_96_bit_security(hash)).unwrap();
        assert_eq!(outputs, expected.map(f).to_vec(), "{hash:?}");
        let claim = PublicInputs::new(program.hash(), vec![f(y), f(x)], outputs.clone());
        assert!(verify_claim(&claim, &proof, 96).unwrap() >= 96);
        for i in 0..expected.len() {
            let mut wrong = outputs.clone();
            wrong[i] += f(1);
            let other = PublicInputs::new(program.hash(), vec![f(y), f(x)], wrong);
            assert!(verify_claim(&other, &proof, 96).is_err(), "output {i}");
        }
        let other = PublicInputs::new(program.hash(), vec![f(y + 1), f(x)], outputs.clone());
        assert!(verify_claim(&other, &proof, 96).is_err());
    }
}

/// A VM whose XOR is off by one bit, with an honest bitwise table: the triple it looks up,
/// (x, y, (x + y − r)/2), is in no table, and only the bitwise sum notices.
#[test]
fn a_wrong_xor_with_an_honest_table_is_rejected() {
    let program: Program = distaff_assembly::assemble("begin u32xor end").unwrap();
    let faults = distaff_processor::Faults { wrong_xor: Some(0), ..Default::default() };
    let trace = distaff_processor::build_trace_with_faults(
        &program,
        &inputs(&[6, 9]),
        faults,
        distaff_verifier::shape::MIN_HIDING_TRACE_LENGTH,
    )
    .unwrap();
    let claim = trace.public_inputs(1);
    assert_eq!(claim.outputs, vec![f((6 ^ 9) ^ 1)]);
    let columns = trace.into_columns();
    assert_eq!(broken(&columns, &claim), vec!["bitwise_sum_end"]);
    assert!(matches!(cheat(&columns, &claim), Err(VerificationError::ConstraintCheck)));
    assert!(prove_trace(&columns, &claim, &options(), Checks::On).is_err());
}

/// `6 9 u32xor` (6 on top) with the result, in the trace and the claim, 13 where it is 15: the
/// lookup asks for the triple (6, 9, 1), and the honest table lists (6, 9, 0).
fn xor_claimed_13() -> (Vec<Vec<Felt>>, PublicInputs) {
    let (mut columns, mut claim) = trace_of("begin u32xor end", &[6, 9], 1);
    let row = row_of(&columns, opcodes::U32XOR);
    set_from(&mut columns, 0, row + 1, f(13));
    claim.outputs = vec![f(13)];
    (columns, claim)
}

/// The table rewritten to list the lie: x = 6 (on top), y = 9 and a claimed XOR of 13 need the
/// triple (6, 9, 1) where the AND is 0. Its last row says 1 while the bits it accumulates say 0.
#[test]
fn a_table_that_lists_a_wrong_and_is_rejected() {
    let (mut columns, claim) = xor_claimed_13();
    assert_eq!(columns[BW_MULT][7], f(1));
    assert_eq!((columns[BW_X][7], columns[BW_Y][7], columns[BW_AND][7]), (f(6), f(9), f(0)));
    columns[BW_AND][7] = f(1);
    assert_eq!(broken(&columns, &claim), vec!["bw_accumulate"]);
    assert!(matches!(cheat(&columns, &claim), Err(VerificationError::ConstraintCheck)));
    // or every accumulator moved along with a bit of x set that is not: x becomes 7, not 6
    let (mut columns, claim) = trace_of("begin u32xor end", &[6, 9], 1);
    columns[BW_X_BITS][7] = f(1);
    columns[BW_X][7] += f(1);
    columns[BW_AND][7] += f(1);
    let found = broken(&columns, &claim);
    assert!(found.contains(&"bitwise_sum_end"), "{found:?}");
    assert!(cheat(&columns, &claim).is_err());
}

/// Lists `(x, y, a)` with multiplicity 1 on the trace's last row (the last row of the last,
/// otherwise empty, table cycle), with bits that are not binary but whose 4-bit chunks are
/// exactly `x`, `y` and `a` (the accumulators are 0 on the row before).
fn list_on_last_row(columns: &mut [Vec<Felt>], x: Felt, y: Felt, a: Felt) {
    use distaff_math::FieldElement;
    let n = columns[0].len();
    for r in n - 8..n - 1 {
        for c in BW_X..=BW_MULT {
            assert_eq!(columns[c][r], f(0), "the last table cycle is empty");
        }
    }
    // chunk_x = xb0 + 2·xb1, chunk_y = yb0 + 8·yb3 with yb0 = 1, chunk_and = xb0·yb0 = xb0
    let half = f(2).inv();
    let xb = [a, (x - a) * half, f(0), f(0)];
    let yb = [f(1), f(0), f(0), (y - f(1)) * f(8).inv()];
    for k in 0..4 {
        columns[BW_X_BITS + k][n - 1] = xb[k];
        columns[BW_Y_BITS + k][n - 1] = yb[k];
    }
    columns[BW_X][n - 1] = x;
    columns[BW_Y][n - 1] = y;
    columns[BW_AND][n - 1] = a;
    columns[BW_MULT][n - 1] = f(1);
}

/// Found by review: no transition starts on the last row, so only last-row constraints check
/// its bits; without them it could list any triple, and a wrong XOR verified. Here the honest
/// triple (6, 9, 0) is dropped and (6, 9, 1) listed on the last row for a claimed XOR of 13.
#[test]
fn a_triple_listed_on_the_last_row_with_bits_that_are_not_binary_is_rejected() {
    let (mut columns, claim) = xor_claimed_13();
    columns[BW_MULT][7] = f(0);
    list_on_last_row(&mut columns, f(6), f(9), f(1));
    assert_eq!(broken(&columns, &claim), vec!["bw_final_x_bit_binary"]);
    assert!(matches!(cheat(&columns, &claim), Err(VerificationError::ConstraintCheck)));
    // an operand of 2^40 (no u32 value) with an AND of 12345 and the XOR to match
    let big = f(1 << 40);
    let (mut columns, mut claim) = trace_of("begin u32andxor end", &[6, 9], 2);
    let row = row_of(&columns, opcodes::U32ANDXOR);
    for r in 0..=row {
        columns[STACK][r] = big;
    }
    claim.inputs[0] = big;
    let and = f(12345);
    let xor = big + f(9) - and - and;
    set_from(&mut columns, 0, row + 1, xor);
    set_from(&mut columns, 1, row + 1, and);
    claim.outputs = vec![xor, and];
    columns[BW_MULT][7] = f(0);
    list_on_last_row(&mut columns, big, f(9), and);
    let found = broken(&columns, &claim);
    assert!(found.iter().all(|n| n.starts_with("bw_final_")), "{found:?}");
    assert!(matches!(cheat(&columns, &claim), Err(VerificationError::ConstraintCheck)));
}
