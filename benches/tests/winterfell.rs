//! Distaff traces proven by Winterfell's prover through the `distaff_air::winterfell` adapter
//! and checked by Winterfell's verifier: every AIR variant proves, and Winterfell rejects what
//! our verifier rejects.

use distaff_air::air::{Air, ProcessorAir, Variant};
use distaff_air::PublicInputs;
use distaff_benches::winterfell::{prove, verify, winter_options};
use distaff_math::Felt;
use distaff_processor::{build_trace, ProgramInputs};
use distaff_prover::{HashFunction, ProofOptions};

fn options() -> winter_air::ProofOptions {
    // our default preset's blowup, queries and grinding, without hiding (Winterfell's proofs
    // do not hide)
    winter_options(&ProofOptions::with_96_bit_security(HashFunction::Blake3_256).without_hiding())
}

fn felts(v: &[u64]) -> Vec<Felt> {
    v.iter().map(|x| Felt::new(*x)).collect()
}

/// Executes `source` on the inputs; the claim (with `outputs` outputs) and the trace columns.
fn execute(
    source: &str,
    public: &[u64],
    secret: &[u64],
    memory: Vec<(u32, [Felt; 4])>,
    outputs: usize,
) -> (PublicInputs, Vec<Vec<Felt>>) {
    let program = distaff_assembly::assemble(source).expect("assembles");
    let inputs = ProgramInputs::new(felts(public), felts(secret)).unwrap().with_memory(memory).unwrap();
    let trace = build_trace(&program, &inputs).expect("executes");
    let claim = trace.public_inputs(outputs);
    assert_eq!(claim.program_hash, program.hash());
    (claim, trace.into_columns())
}

/// Proves with Winterfell, verifies the claim, and checks that Winterfell rejects the proof
/// for a claim with other outputs or another program hash. Returns the variant.
fn proves_and_rejects(
    source: &str,
    public: &[u64],
    secret: &[u64],
    memory: Vec<(u32, [Felt; 4])>,
    outputs: usize,
) -> Variant {
    let (claim, columns) = execute(source, public, secret, memory, outputs);
    let air = ProcessorAir::for_trace(claim.clone(), &columns);
    let proof = prove(claim.clone(), columns, options()).expect("Winterfell proves");
    verify(proof.clone(), claim.clone(), options()).expect("Winterfell verifies");
    let mut wrong_output = claim.clone();
    wrong_output.outputs[0] += Felt::new(1);
    assert!(verify(proof.clone(), wrong_output, options()).is_err(), "a wrong output verified");
    let mut wrong_hash = claim.clone();
    wrong_hash.program_hash[2] += Felt::new(1);
    assert!(verify(proof.clone(), wrong_hash, options()).is_err(), "a wrong program hash verified");
    let mut wrong_input = claim.clone();
    wrong_input.inputs.push(Felt::new(5));
    assert!(verify(proof, wrong_input, options()).is_err(), "wrong public inputs verified");
    air.variant()
}

#[test]
fn fibonacci_straight_line() {
    let source = "begin repeat.100 swap dup.1 add end end";
    assert_eq!(proves_and_rejects(source, &[1, 0], &[], vec![], 1), Variant::StraightLine);
}

#[test]
fn collatz_control_flow() {
    let source = include_str!("../../examples/collatz.dasm");
    let secret = collatz_secret();
    assert_eq!(proves_and_rejects(source, &[], &secret, vec![], 1), Variant::Control);
}

#[test]
fn bubble_sort_memory() {
    let source = include_str!("../../examples/bubble_sort.dasm");
    let secret = [93, 7, 255, 42, 0, 180, 42, 13];
    assert_eq!(proves_and_rejects(source, &[], &secret, vec![], 8), Variant::Memory);
}

#[test]
fn u32_arithmetic() {
    let source = "begin read read u32divmod swap push.7 u32mul u32add push.65535 u32add drop u32shl.3 end";
    assert_eq!(proves_and_rejects(source, &[], &[1_000_000_007, 97], vec![], 1), Variant::Memory);
}

#[test]
fn bitwise_operations() {
    let source = "begin read read u32xor read u32and push.255 u32or u32not read read u32andxor end";
    let secret = [0xdead_beef, 0x1234_5678, 0xf0f0_f0f0, 7, 12];
    assert_eq!(proves_and_rejects(source, &[], &secret, vec![], 3), Variant::Bitwise);
}

#[test]
fn hperm_chain() {
    // (a chain is a block of its own: with the span before it, the program is a join, so the
    // control variant)
    let source = "begin read padw padw padw drop repeat.40 hperm end end";
    assert_eq!(proves_and_rejects(source, &[], &[5], vec![], 4), Variant::Control);
    // in a loop
    let source = "begin read padw padw padw drop push.1 while.true repeat.3 hperm end push.0 end end";
    assert_eq!(proves_and_rejects(source, &[], &[5], vec![], 4), Variant::Control);
}

#[test]
fn initial_memory_is_part_of_the_claim() {
    let source = include_str!("../../examples/array_sum.dasm");
    let memory: Vec<(u32, [Felt; 4])> =
        (0..16u32).map(|a| (a, [Felt::new(a as u64 * 3 + 1), Felt::new(0), Felt::new(0), Felt::new(0)])).collect();
    let (claim, columns) = execute(source, &[16], &[], memory.clone(), 1);
    let air = ProcessorAir::for_trace(claim.clone(), &columns);
    assert_eq!(air.variant(), Variant::Memory);
    let proof = prove(claim.clone(), columns, options()).expect("Winterfell proves");
    verify(proof.clone(), claim.clone(), options()).expect("Winterfell verifies");
    // one word changed, one left out, one added
    let mut changed = claim.clone();
    changed.memory[3].1[0] += Felt::new(1);
    let mut fewer = claim.clone();
    fewer.memory.pop();
    let mut more = claim.clone();
    more.memory.push((99, [Felt::new(1), Felt::new(0), Felt::new(0), Felt::new(0)]));
    // and memory out of order is refused before anything else
    let mut unsorted = claim.clone();
    unsorted.memory.swap(0, 1);
    for wrong in [changed, fewer, more, unsorted] {
        assert!(verify(proof.clone(), wrong, options()).is_err(), "wrong initial memory verified");
    }
}

#[test]
fn a_cheating_trace_is_rejected() {
    // one cell changed, proven by Winterfell's prover (its debug checks are off in this
    // workspace's test builds): for a straight-line, a control-flow and a memory trace
    for (source, secret) in [
        ("begin repeat.100 swap dup.1 add end end", vec![]),
        (include_str!("../../examples/collatz.dasm"), vec![]),
        ("begin read read u32divmod swap push.7 u32mul u32add end", vec![1_000_000_007u64, 97]),
    ] {
        let secret = if secret.is_empty() && source.contains("halve") { collatz_secret() } else { secret };
        let public: &[u64] = if source.starts_with("begin repeat") { &[1, 0] } else { &[] };
        let (claim, mut columns) = execute(source, public, &secret, vec![], 1);
        // a stack value in the middle of the execution
        let row = 37;
        columns[distaff_air::layout::STACK + 1][row] += Felt::new(1);
        match prove(claim.clone(), columns, options()) {
            Err(_) => {}
            Ok(proof) => assert!(verify(proof, claim, options()).is_err(), "a cheating trace verified"),
        }
    }
}

fn collatz_secret() -> Vec<u64> {
    let inputs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/collatz.inputs.json")).unwrap();
    inputs[inputs.find('[').unwrap() + 1..inputs.find(']').unwrap()]
        .split(',')
        .map(|v| v.trim().trim_matches('"').parse().unwrap())
        .collect()
}

/// Differential check: Winterfell's evaluation of the adapted AIR against ours, at random
/// points, constraint by constraint, in order (for each variant).
mod differential {
    use super::*;
    use distaff_air::constraints::{ConstraintKind, ConstraintSink};
    use distaff_air::winterfell::{aux_challenges, boundary_routes, constraint_counts, Claim};
    use distaff_benches::winterfell::{trace_info, VmAir};
    use distaff_math::{FieldElement, QuadFelt};
    use winter_air::{Air as _, AuxRandElements, EvaluationFrame};

    type E = QuadFelt;

    struct Rng(u64);
    impl Rng {
        fn felt(&mut self) -> Felt {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            Felt::new(self.0)
        }
        fn e(&mut self) -> E {
            E::new(self.felt(), self.felt())
        }
        fn row(&mut self, n: usize) -> Vec<E> {
            (0..n).map(|_| self.e()).collect()
        }
    }

    #[derive(Default)]
    struct Collect(Vec<(ConstraintKind, E)>);
    impl ConstraintSink<E> for Collect {
        fn emit(&mut self, kind: ConstraintKind, _: &'static str, _: usize, value: E) {
            self.0.push((kind, value));
        }
    }

    fn boundary(air: &ProcessorAir, row: &[E]) -> Vec<(ConstraintKind, E)> {
        let mut sink = Collect::default();
        air.evaluate_main_boundary(row, row, &mut sink);
        sink.0
    }

    fn aux_boundary(
        air: &ProcessorAir,
        row: &[E],
        aux: &[E],
        periodic: &[E],
        challenges: &[E],
    ) -> Vec<(ConstraintKind, E)> {
        let mut sink = Collect::default();
        air.evaluate_aux(row, row, aux, aux, periodic, challenges, &mut sink);
        sink.0.into_iter().filter(|(k, _)| *k != ConstraintKind::Transition).collect()
    }

    fn check(air: ProcessorAir, rng: &mut Rng) {
        let adapted = VmAir::new(trace_info(&air), Claim(air.clone()), options());
        let (m, a) = (air.main_width(), air.aux_width());
        let own = air.periodic_columns().len();
        let (main_routes, aux_routes) = boundary_routes(&adapted);
        let [main_count, main_assertions, aux_count, aux_assertions] = constraint_counts(&adapted);
        for _ in 0..4 {
            let (cur, nxt) = (rng.row(m), rng.row(m));
            let periodic = rng.row(own + 2);
            let (s0, s1) = (periodic[own], periodic[own + 1]);
            let mut result = vec![E::ZERO; main_count];
            adapted.evaluate_transition(&EvaluationFrame::from_rows(cur.clone(), nxt.clone()), &periodic, &mut result);
            let mut ours = Collect::default();
            air.evaluate_main(&cur, &nxt, &periodic[..own], &mut ours);
            let t = ours.0.len();
            assert_eq!(result[..t].to_vec(), ours.0.iter().map(|(_, v)| *v).collect::<Vec<_>>());
            let (first, last) = (boundary(&air, &cur), boundary(&air, &nxt));
            let assertions = adapted.get_assertions();
            let mut slot = t;
            for (j, route) in main_routes.iter().enumerate() {
                let (kind, _) = first[j];
                let (row, value, selector) =
                    if kind == ConstraintKind::FirstRow { (&cur, first[j].1, s0) } else { (&nxt, last[j].1, s1) };
                match route {
                    None => {
                        assert_eq!(result[slot], value * selector, "main boundary constraint {j}");
                        slot += 1;
                    }
                    Some((column, step)) => {
                        // the assertion's value zeroes our constraint, and only it
                        let assertion =
                            assertions.iter().find(|x| x.column() == *column && x.first_step() == *step).unwrap();
                        let mut at = row.clone();
                        at[*column] = E::from(assertion.values()[0]);
                        assert_eq!(boundary(&air, &at)[j].1, E::ZERO, "assertion {j}");
                        assert_ne!(value, E::ZERO);
                    }
                }
            }
            assert_eq!(slot, main_count, "a main constraint is missing or extra");
            assert_eq!(main_routes.iter().filter(|r| r.is_some()).count(), main_assertions);
            if a == 0 {
                continue;
            }
            let (aux_cur, aux_nxt) = (rng.row(a), rng.row(a));
            let rand = rng.row(air.num_aux_challenges());
            let challenges = aux_challenges(&air, &rand);
            let rand_elements = AuxRandElements::new(rand.clone());
            let mut result = vec![E::ZERO; aux_count];
            adapted.evaluate_aux_transition(
                &EvaluationFrame::from_rows(cur.clone(), nxt.clone()),
                &EvaluationFrame::from_rows(aux_cur.clone(), aux_nxt.clone()),
                &periodic,
                &rand_elements,
                &mut result,
            );
            let mut ours = Collect::default();
            air.evaluate_aux(&cur, &nxt, &aux_cur, &aux_nxt, &periodic[..own], &challenges, &mut ours);
            let transitions: Vec<E> =
                ours.0.iter().filter(|(k, _)| *k == ConstraintKind::Transition).map(|(_, v)| *v).collect();
            let t = transitions.len();
            assert_eq!(result[..t].to_vec(), transitions);
            let first = aux_boundary(&air, &cur, &aux_cur, &periodic[..own], &challenges);
            let last = aux_boundary(&air, &nxt, &aux_nxt, &periodic[..own], &challenges);
            let assertions = adapted.get_aux_assertions(&rand_elements);
            assert_eq!(assertions.len(), aux_assertions);
            let mut slot = t;
            for (j, route) in aux_routes.iter().enumerate() {
                let kind = first[j].0;
                let (row, aux, value, selector) = if kind == ConstraintKind::FirstRow {
                    (&cur, &aux_cur, first[j].1, s0)
                } else {
                    (&nxt, &aux_nxt, last[j].1, s1)
                };
                match route {
                    None => {
                        assert_eq!(result[slot], value * selector, "auxiliary boundary constraint {j}");
                        slot += 1;
                    }
                    Some((column, step)) => {
                        let assertion =
                            assertions.iter().find(|x| x.column() == *column && x.first_step() == *step).unwrap();
                        let mut at = aux.clone();
                        at[*column] = assertion.values()[0];
                        assert_eq!(aux_boundary(&air, row, &at, &periodic[..own], &challenges)[j].1, E::ZERO);
                        assert_ne!(value, E::ZERO);
                    }
                }
            }
            assert_eq!(slot, aux_count, "an auxiliary constraint is missing or extra");
        }
    }

    #[test]
    fn winterfell_and_we_evaluate_the_same_constraints_in_the_same_order() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let mut seen = Vec::new();
        for (source, public, secret, outputs) in [
            ("begin repeat.100 swap dup.1 add end end", vec![1u64, 0], vec![], 1),
            (include_str!("../../examples/collatz.dasm"), vec![], collatz_secret(), 1),
            (include_str!("../../examples/bubble_sort.dasm"), vec![], vec![93, 7, 255, 42, 0, 180, 42, 13], 8),
            ("begin read read u32xor read u32andxor end", vec![], vec![3, 5, 6], 2),
        ] {
            let (claim, columns) = execute(source, &public, &secret, vec![], outputs);
            let air = ProcessorAir::for_trace(claim, &columns);
            seen.push(air.variant());
            check(air, &mut rng);
        }
        // with initial memory (its derived challenge)
        let memory = vec![(3, [Felt::new(9), Felt::new(8), Felt::new(7), Felt::new(6)])];
        let (claim, columns) = execute("begin push.3 mem_load end", &[], &[], memory, 1);
        check(ProcessorAir::for_trace(claim, &columns), &mut rng);
        assert_eq!(seen, vec![Variant::StraightLine, Variant::Control, Variant::Memory, Variant::Bitwise]);
    }
}

/// Claims our verifier refuses up front are refused here too, before the AIR is built: more
/// than 16 outputs (the 17th would be read from the depth column) or 16 inputs (the 17th
/// would be bound by nothing), and far more (which would index past the trace).
#[test]
fn claims_larger_than_the_stack_are_refused() {
    let source = format!(
        "begin {} drop drop drop drop end",
        (1..=20).map(|i| format!("push.{i}")).collect::<Vec<_>>().join(" ")
    );
    let (claim, columns) = execute(&source, &[], &[], vec![], 16);
    let depth = columns[distaff_air::layout::DEPTH][columns[0].len() - 1];
    let proof = prove(claim.clone(), columns, options()).expect("Winterfell proves");
    verify(proof.clone(), claim.clone(), options()).expect("the true claim verifies");
    let mut seventeen = claim.clone();
    seventeen.outputs.push(depth);
    let mut inputs = claim.clone();
    inputs.inputs = felts(&[1; 17]);
    let mut forty = claim.clone();
    forty.outputs = felts(&[0; 40]);
    for wrong in [seventeen, inputs, forty] {
        let e = verify(proof.clone(), wrong, options()).expect_err("an oversized claim verified");
        assert!(e.contains("more than the stack"), "{e}");
    }
}

/// The selectors on their own, on a toy AIR whose boundary constraints are not assertions:
/// `x₀² = 4` on the first row, `x² = 9` on the last; `y₀ = 5` (an assertion) and `y` constant;
/// an auxiliary `z` constant, `z₀ = α` (an auxiliary assertion) and, on the last row,
/// `(z − α)(x − 3) = 0`. Winterfell accepts exactly the traces that satisfy them: a value that
/// satisfies a first-row or last-row constraint one row away from where it belongs is rejected.
mod selectors {
    use super::*;
    use distaff_air::constraints::{ConstraintKind, ConstraintSink, Value};
    use distaff_air::winterfell::{Claim, WinterfellAir};
    use distaff_benches::winterfell::{Hash, WinterfellProver};
    use distaff_math::FieldElement;
    use winter_prover::Prover;

    #[derive(Clone, Debug)]
    struct Toy {
        n: usize,
        aux: bool,
        /// A row of `z` the prover sets to 1 (a cheating auxiliary column).
        bad_z: Option<usize>,
    }

    impl Air for Toy {
        fn trace_length(&self) -> usize {
            self.n
        }
        fn main_width(&self) -> usize {
            2
        }
        fn aux_width(&self) -> usize {
            self.aux as usize
        }
        fn num_aux_challenges(&self) -> usize {
            2 * self.aux as usize
        }
        fn public_elements(&self) -> Vec<Felt> {
            vec![Felt::new(self.n as u64)]
        }
        fn evaluate_main<V: Value, S: ConstraintSink<V>>(&self, cur: &[V], nxt: &[V], _: &[V], sink: &mut S) {
            sink.emit(ConstraintKind::Transition, "y", 0, nxt[1] - cur[1]);
        }
        fn evaluate_main_boundary<V: Value, S: ConstraintSink<V>>(&self, first: &[V], last: &[V], sink: &mut S) {
            sink.emit(ConstraintKind::FirstRow, "x0", 0, first[0] * first[0] - V::from_felt(Felt::new(4)));
            sink.emit(ConstraintKind::FirstRow, "y0", 0, first[1] - V::from_felt(Felt::new(5)));
            sink.emit(ConstraintKind::LastRow, "x_last", 0, last[0] * last[0] - V::from_felt(Felt::new(9)));
        }
        fn evaluate_aux<B: Value, E: Value + From<B>, S: ConstraintSink<E>>(
            &self,
            cur: &[B],
            _: &[B],
            aux: &[E],
            aux_next: &[E],
            _: &[B],
            challenges: &[E],
            sink: &mut S,
        ) {
            if !self.aux {
                return;
            }
            let alpha = challenges[0];
            sink.emit(ConstraintKind::Transition, "z", 0, aux_next[0] - aux[0]);
            sink.emit(ConstraintKind::FirstRow, "z0", 0, aux[0] - alpha);
            let three = E::from(B::from_felt(Felt::new(3)));
            sink.emit(ConstraintKind::LastRow, "z_last", 0, (aux[0] - alpha) * (E::from(cur[0]) - three));
        }
        fn build_aux<E: FieldElement<BaseField = Felt>>(&self, _: &[Vec<Felt>], challenges: &[E]) -> Vec<Vec<E>> {
            if !self.aux {
                return vec![];
            }
            let mut z = vec![challenges[0]; self.n];
            if let Some(row) = self.bad_z {
                z[row] = E::ONE;
            }
            vec![z]
        }
    }

    fn proves(aux: bool, x: &[u64], bad_z: Option<usize>) -> bool {
        let toy = Toy { n: x.len(), aux, bad_z };
        let prover = WinterfellProver::for_air(toy.clone(), options());
        let columns = vec![x.iter().map(|v| Felt::new(*v)).collect(), vec![Felt::new(5); x.len()]];
        let Ok(proof) = prover.prove(prover.trace(columns)) else { return false };
        let acceptable = winter_verifier::AcceptableOptions::OptionSet(vec![options()]);
        type Coin = winter_crypto::DefaultRandomCoin<Hash>;
        type Commitment = winter_crypto::MerkleTree<Hash>;
        winter_verifier::verify::<WinterfellAir<Toy>, Hash, Coin, Commitment>(proof, Claim(toy), &acceptable).is_ok()
    }

    #[test]
    fn boundary_constraints_hold_on_their_row_and_only_there() {
        let minus_two = 0xffff_ffff_0000_0001u64 - 2;
        let mut x: Vec<u64> = (0..16).map(|i| 1000 + i).collect();
        (x[0], x[15]) = (2, 3);
        let with = |changes: &[(usize, u64)]| {
            let mut y = x.clone();
            for (row, v) in changes {
                y[*row] = *v;
            }
            y
        };
        for aux in [false, true] {
            assert!(proves(aux, &x, None), "honest");
            assert!(proves(aux, &with(&[(0, minus_two)]), None), "the other root of x₀² = 4");
            assert!(!proves(aux, &with(&[(0, 3)]), None), "first row broken");
            assert!(!proves(aux, &with(&[(15, 2)]), None), "last row broken");
            assert!(!proves(aux, &with(&[(14, 3), (15, 7)]), None), "the last-row value one row early");
            assert!(!proves(aux, &with(&[(1, 2), (0, 7)]), None), "the first-row value one row late");
        }
        // the auxiliary assertion (valued with the real challenges), and z changed on the last row
        assert!(!proves(true, &x, Some(0)));
        assert!(!proves(true, &x, Some(15)));
    }
}
