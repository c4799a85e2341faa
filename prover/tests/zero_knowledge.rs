//! Zero knowledge, tested as an attacker would: knowing the program, the public inputs and the
//! outputs, model the execution trace as a function of the secret, and solve the values a proof
//! opens for it. The attack recovers the secret from every proof without hiding, and from a
//! hiding proof gets values that disagree with each other and with the secret.

use distaff_air::{Air, ProcessorAir, PublicInputs};
use distaff_assembly::assemble;
use distaff_math::{fft, polynom, Felt, FieldElement, QuadFelt};
use distaff_processor::{build_trace_with_min_length, ProgramInputs};
use distaff_prover::{prove_with_settings, HashFunction, ProofOptions, ProverSettings, Seed};
use distaff_verifier::shape::{hiding_options, ProofShape};
use distaff_verifier::{Proof, Transcript};
use winter_crypto::hashers::Blake3_256;
use winter_crypto::Digest;
use winter_utils::{Deserializable, SliceReader};

/// A secret multiplied by a constant, the product dropped: the output says nothing of it.
const PROGRAM: &str = "begin read push.3 mul drop push.7 end";

fn trace(secret: u64, length: usize) -> (Vec<Vec<Felt>>, PublicInputs) {
    let program = assemble(PROGRAM).unwrap();
    let inputs = ProgramInputs::new(vec![], vec![Felt::new(secret)]).unwrap();
    let trace = build_trace_with_min_length(&program, &inputs, length).unwrap();
    let public = trace.public_inputs(1);
    (trace.into_columns(), public)
}

fn prove(secret: u64, options: &ProofOptions, seed: Option<[u8; 32]>) -> (Proof, PublicInputs) {
    let program = assemble(PROGRAM).unwrap();
    let inputs = ProgramInputs::new(vec![], vec![Felt::new(secret)]).unwrap();
    let settings = ProverSettings { seed: seed.map_or(Seed::Os, Seed::InsecureFixedForTesting), ..Default::default() };
    let (outputs, proof, _) = prove_with_settings(&program, &inputs, 1, options, &settings).unwrap();
    let public = PublicInputs::new(program.hash(), vec![], outputs);
    (proof, public)
}

/// The attacker: replays the transcript to learn z, models each trace column as
/// `A_j + s·B_j` (two executions of the public program with guessed secrets 0 and 1; the
/// model is checked on a third), and solves each opened value `T_j(z)` for `s`. Returns the
/// value each column (that depends on the secret) gives.
fn attack(proof: &Proof, public: &PublicInputs) -> Vec<QuadFelt> {
    let n = proof.trace_length().unwrap();
    let air = ProcessorAir::for_trace(public.clone(), &trace(0, n).0);
    // z, as the verifier draws it (every commitment is in the proof)
    let digest = |b: &[u8; 32]| {
        <Blake3_256<Felt> as winter_crypto::Hasher>::Digest::read_from(&mut SliceReader::new(b)).unwrap()
    };
    let mut transcript = Transcript::<Blake3_256<Felt>>::new(&air, &proof.options, proof.trace_length_log2);
    let _: Vec<QuadFelt> = transcript.commit_main_trace(digest(&proof.trace_root), &air).unwrap();
    if let Some(root) = &proof.aux_root {
        transcript.commit_aux_trace(digest(root));
    }
    let _: Vec<QuadFelt> = transcript.draw_constraint_coefficients(distaff_air::air::num_constraints(&air)).unwrap();
    let z: QuadFelt = transcript.commit_composition(digest(&proof.composition_root)).unwrap();
    assert_eq!(digest(&proof.trace_root).as_bytes(), proof.trace_root);
    // the model: every column affine in the secret
    let (t0, t1, t2) = (trace(0, n).0, trace(1, n).0, trace(2, n).0);
    let at_z = |column: &[Felt]| -> QuadFelt {
        let mut c = column.to_vec();
        fft::interpolate_poly(&mut c, &fft::get_inv_twiddles::<Felt>(n));
        polynom::eval(&c.iter().map(|v| QuadFelt::from(*v)).collect::<Vec<_>>(), z)
    };
    let opened = QuadFelt::slice_from_base_elements(&proof.ood_trace_current);
    let mut solutions = Vec::new();
    for j in 0..air.main_width() {
        let (a, b) = (&t0[j], t1[j].iter().zip(&t0[j]).map(|(x, y)| *x - *y).collect::<Vec<_>>());
        assert!(t2[j].iter().zip(a).zip(&b).all(|((v, a), b)| *v == *a + b.double()), "column {j} is affine");
        if b.iter().all(|v| *v == Felt::ZERO) {
            continue;
        }
        solutions.push((opened[j] - at_z(a)) / at_z(&b));
    }
    solutions
}

#[test]
fn the_attack_recovers_the_secret_from_a_proof_without_hiding_and_not_from_a_hiding_one() {
    let secret = 0x1234_5678_9abc;
    let options = ProofOptions::with_96_bit_security(HashFunction::Blake3_256).without_hiding();
    let (proof, public) = prove(secret, &options, None);
    let found = attack(&proof, &public);
    assert!(found.len() >= 2, "columns that depend on the secret");
    assert!(found.iter().all(|s| *s == QuadFelt::from(Felt::new(secret))), "the attack works: {found:?}");
    // the same statement, hiding: no column gives the secret, and they disagree
    let options = ProofOptions::with_96_bit_security(HashFunction::Blake3_256);
    for seed in [None, Some([5u8; 32])] {
        let (proof, public) = prove(secret, &options, seed);
        assert!(proof.options.hiding);
        let found = attack(&proof, &public);
        assert!(found.len() >= 2);
        assert!(found.iter().all(|s| *s != QuadFelt::from(Felt::new(secret))), "{found:?}");
        assert!(found.windows(2).all(|w| w[0] != w[1]), "two columns' answers agree: {found:?}");
        // (the answers are not even base-field values: the masks make them uniform in the
        // extension)
        assert!(found.iter().all(|s| QuadFelt::slice_as_base_elements(std::slice::from_ref(s))[1] != Felt::ZERO));
    }
}

#[test]
fn hiding_proofs_differ_unless_made_from_one_test_seed() {
    let options = ProofOptions::with_96_bit_security(HashFunction::Blake3_256);
    let (a, _) = prove(5, &options, None);
    let (b, _) = prove(5, &options, None);
    assert_ne!(a.to_bytes(), b.to_bytes(), "fresh randomness per proof");
    let (c, _) = prove(5, &options, Some([1; 32]));
    let (d, _) = prove(5, &options, Some([1; 32]));
    assert_eq!(c.to_bytes(), d.to_bytes(), "one seed, one proof");
    let (e, _) = prove(5, &options, Some([2; 32]));
    assert_ne!(c.to_bytes(), e.to_bytes());
    // without hiding, proofs are deterministic (and no seed changes them)
    let plain = options.without_hiding();
    let (f, _) = prove(5, &plain, None);
    let (g, _) = prove(5, &plain, Some([3; 32]));
    assert_eq!(f.to_bytes(), g.to_bytes());
}

#[test]
fn the_masks_cover_every_opening_for_every_variant_and_preset() {
    // the simulator's counts (distaff_verifier::shape): per masked column, the random
    // coefficients h cover the base-field values its openings reveal (z and z·g, e each, and
    // at most t query points and t points g·x_q); per composition randomiser, t + 1
    // coefficients cover the t + 1 points a composition column is opened at; the DEEP
    // randomiser has the DEEP polynomial's length; salts have at least 128 bits
    let sources = [
        ("begin repeat.20 swap dup.1 add end end", vec![1, 0], vec![]),
        ("begin read if.true push.3 mul else push.5 add end end", vec![3], vec![1]),
        ("begin push.9 push.16 mem_store push.16 mem_load push.5 u32add end", vec![], vec![]),
    ];
    for (source, public, secret) in sources {
        let program = assemble(source).unwrap();
        let felts = |v: Vec<u64>| v.into_iter().map(Felt::new).collect::<Vec<_>>();
        let inputs = ProgramInputs::new(felts(public), felts(secret)).unwrap();
        for length in [1 << 10, 1 << 12, 1 << 16] {
            let trace = build_trace_with_min_length(&program, &inputs, length).unwrap();
            let public = trace.public_inputs(1);
            let air = ProcessorAir::for_trace(public, trace.columns());
            for preset in [ProofOptions::with_96_bit_security, ProofOptions::with_128_bit_security] {
                let base = preset(HashFunction::Blake3_256);
                let options = hiding_options(&air, &base).unwrap();
                let shape = ProofShape::new(&air, &options).unwrap();
                let hiding = shape.hiding.expect("hiding");
                let (e, t) = (shape.extension, options.num_queries);
                assert!(hiding.mask_len >= 2 * e + 2 * t, "{source}, 2^{}", length.trailing_zeros());
                assert!(hiding.randomizer_len > t);
                assert_eq!(shape.composition_columns(), shape.num_chunks + 1);
                assert!(64 * hiding.salt_len >= 128);
                // the security the options give without hiding, kept
                let n = air.trace_length();
                assert!(options.security_bits(n, shape.fri.bound) >= base.conjectured_security(n));
                assert!(options.num_queries <= base.num_queries + 3);
                // the masked quotient fits the evaluation domain and the chunks
                assert!(shape.quotient_cosets <= options.blowup_factor);
                assert!(shape.num_chunks * shape.chunk_len >= shape.quotient_cosets.min(7) * n);
            }
        }
    }
}

#[test]
fn options_with_many_queries_pad_the_trace_until_the_masks_fit() {
    // 80 queries: masks of 2·(2 + 80) = 164 coefficients do not fit a 2^10-row trace's
    // domain; the prover pads the trace further rather than fail
    let options = ProofOptions { num_queries: 80, ..ProofOptions::with_96_bit_security(HashFunction::Blake3_256) };
    let program = assemble(PROGRAM).unwrap();
    let inputs = ProgramInputs::new(vec![], vec![Felt::new(9)]).unwrap();
    let (outputs, proof, report) = distaff_prover::prove(&program, &inputs, 1, &options).unwrap();
    assert!(report.trace_length > 1 << 10, "{}", report.trace_length);
    assert!(distaff_verifier::verify(&program.hash(), &[], &outputs, &proof, 96).is_ok());
}
