//! The auxiliary trace segment, exercised by a small AIR that is not the VM: a permutation
//! argument. Main columns `a` and `b`; `b` must be a permutation of `a`. After the main trace is
//! committed, a challenge γ is drawn and the auxiliary column `z` is the running product of
//! `(a + γ)/(b + γ)`, which returns to 1 exactly when the multisets agree (up to probability
//! ~n/|F| over γ).

use distaff_air::{Air, ConstraintKind, ConstraintSink, Value};
use distaff_math::{batch_inversion, Felt, FieldElement};
use distaff_prover::{prove_air, Checks, HashFunction, ProofOptions, ProverError};
use distaff_verifier::{verify_air, VerificationError};

struct PermutationAir {
    n: usize,
}

impl Air for PermutationAir {
    fn trace_length(&self) -> usize {
        self.n
    }
    fn main_width(&self) -> usize {
        2
    }
    fn aux_width(&self) -> usize {
        1
    }
    fn num_aux_challenges(&self) -> usize {
        1
    }
    fn public_elements(&self) -> Vec<Felt> {
        vec![Felt::new(0x7065_726d)]
    }
    fn evaluate_main<V: Value, S: ConstraintSink<V>>(&self, _: &[V], _: &[V], _: &[V], _: &mut S) {}
    fn evaluate_main_boundary<V: Value, S: ConstraintSink<V>>(&self, _: &[V], _: &[V], _: &mut S) {}
    fn evaluate_aux<B: Value, E: Value + From<B>, S: ConstraintSink<E>>(
        &self,
        main_cur: &[B],
        _main_nxt: &[B],
        aux_cur: &[E],
        aux_nxt: &[E],
        _periodic: &[B],
        challenges: &[E],
        sink: &mut S,
    ) {
        let gamma = challenges[0];
        let (a, b, z) = (E::from(main_cur[0]) + gamma, E::from(main_cur[1]) + gamma, aux_cur[0]);
        sink.emit(ConstraintKind::Transition, "running_product", 0, aux_nxt[0] * b - z * a);
        sink.emit(ConstraintKind::FirstRow, "product_starts_at_one", 0, z - E::ONE);
        sink.emit(ConstraintKind::LastRow, "product_ends_at_one", 0, z * a - b);
    }
    fn build_aux<E: FieldElement<BaseField = Felt>>(&self, main: &[Vec<Felt>], challenges: &[E]) -> Vec<Vec<E>> {
        let gamma = challenges[0];
        let denominators: Vec<E> = main[1].iter().map(|b| E::from(*b) + gamma).collect();
        let inverses = batch_inversion(&denominators);
        let mut z = Vec::with_capacity(self.n);
        let mut acc = E::ONE;
        for i in 0..self.n {
            z.push(acc);
            acc *= (E::from(main[0][i]) + gamma) * inverses[i];
        }
        vec![z]
    }
}

fn columns(n: usize) -> Vec<Vec<Felt>> {
    let a: Vec<Felt> = (0..n as u64).map(|i| Felt::new(i * i + 3)).collect();
    // b: a reversed and rotated
    let mut b: Vec<Felt> = a.iter().rev().copied().collect();
    b.rotate_left(5);
    vec![a, b]
}

#[test]
fn a_permutation_proves_and_verifies_under_every_preset() {
    let air = PermutationAir { n: 1024 };
    for hash in [HashFunction::Blake3_256, HashFunction::Rp64_256] {
        for options in [ProofOptions::with_96_bit_security(hash), ProofOptions::with_128_bit_security(hash)] {
            let proof = prove_air(&air, &columns(1024), &options, Checks::On).unwrap();
            assert!(proof.aux_root.is_some() && proof.aux_openings.is_some());
            let bytes = proof.to_bytes();
            let decoded = distaff_verifier::Proof::from_bytes(&bytes).unwrap();
            assert_eq!(decoded, proof);
            assert!(verify_air(&air, &decoded, 96).is_ok());
        }
    }
}

#[test]
fn a_non_permutation_is_rejected() {
    let air = PermutationAir { n: 1024 };
    let mut cols = columns(1024);
    cols[1][10] += Felt::new(1);
    let options = ProofOptions::with_96_bit_security(HashFunction::Blake3_256);
    // the prover refuses with its checks on, naming the auxiliary constraint that fails ...
    let r = prove_air(&air, &cols, &options, Checks::On);
    assert!(
        matches!(&r, Err(ProverError::InvalidTrace(f)) if f.name == "product_ends_at_one" && f.step == 1023),
        "{:?}",
        r.map(|_| ())
    );
    // ... and a cheating prover's proof does not verify
    let proof = prove_air(&air, &cols, &options, Checks::Off).unwrap();
    assert!(matches!(verify_air(&air, &proof, 96), Err(VerificationError::ConstraintCheck)));
}

#[test]
fn tampered_auxiliary_commitments_are_rejected() {
    let air = PermutationAir { n: 1024 };
    let options = ProofOptions::with_96_bit_security(HashFunction::Blake3_256);
    let proof = prove_air(&air, &columns(1024), &options, Checks::On).unwrap();
    let mut t = proof.clone();
    t.aux_root.as_mut().unwrap()[3] ^= 1;
    assert!(verify_air(&air, &t, 96).is_err());
    let mut t = proof.clone();
    t.aux_openings.as_mut().unwrap().values[0] += Felt::new(1);
    assert!(matches!(verify_air(&air, &t, 96), Err(VerificationError::AuxCommitment)));
    let mut t = proof.clone();
    t.ood_aux_current[0] += Felt::new(1);
    assert!(verify_air(&air, &t, 96).is_err());
    let mut t = proof.clone();
    t.aux_root = None;
    t.aux_openings = None;
    assert!(matches!(verify_air(&air, &t, 96), Err(VerificationError::MalformedProof(_))));
    // every byte of the encoding matters
    let bytes = proof.to_bytes();
    for i in (0..bytes.len()).step_by(7) {
        let mut b = bytes.clone();
        b[i] ^= 0x10;
        if let Ok(p) = distaff_verifier::Proof::from_bytes(&b) {
            assert!(verify_air(&air, &p, 96).is_err(), "flip at byte {i} accepted");
        }
    }
}

#[test]
fn the_vm_verifier_refuses_proofs_of_another_air() {
    let air = PermutationAir { n: 1024 };
    let options = ProofOptions::with_96_bit_security(HashFunction::Blake3_256);
    let proof = prove_air(&air, &columns(1024), &options, Checks::On).unwrap();
    let r = distaff_verifier::verify(&[Felt::new(0); 4], &[], &[], &proof, 96);
    assert!(r.is_err());
}

/// An AIR whose periodic column has a period (3) that is not a power of two.
struct BadPeriodAir;

impl Air for BadPeriodAir {
    fn trace_length(&self) -> usize {
        1024
    }
    fn main_width(&self) -> usize {
        2
    }
    fn periodic_columns(&self) -> Vec<Vec<Felt>> {
        vec![vec![Felt::new(1), Felt::new(2), Felt::new(3)]]
    }
    fn public_elements(&self) -> Vec<Felt> {
        Vec::new()
    }
    fn evaluate_main<V: Value, S: ConstraintSink<V>>(&self, cur: &[V], nxt: &[V], _: &[V], sink: &mut S) {
        sink.emit(ConstraintKind::Transition, "a_constant", 0, nxt[0] - cur[0]);
    }
    fn evaluate_main_boundary<V: Value, S: ConstraintSink<V>>(&self, _: &[V], _: &[V], _: &mut S) {}
}

#[test]
fn periodic_columns_of_other_periods_are_refused_not_panicked_on() {
    let options = ProofOptions::with_96_bit_security(HashFunction::Blake3_256);
    let r = prove_air(&BadPeriodAir, &[vec![Felt::new(5); 1024], vec![Felt::new(6); 1024]], &options, Checks::Off);
    assert!(matches!(r, Err(ProverError::PeriodicColumns)), "{:?}", r.map(|_| ()));
    // a proof of the same length from a well-formed AIR, checked against the malformed one
    let proof = prove_air(&PermutationAir { n: 1024 }, &columns(1024), &options, Checks::On).unwrap();
    assert!(matches!(verify_air(&BadPeriodAir, &proof, 96), Err(VerificationError::PeriodicColumns)));
}
