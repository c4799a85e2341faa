//! A model prover for the verifier's tests, and the adversaries that drive it.
//!
//! The model runs the protocol of `distaff_verifier::protocol` written out plainly, point by
//! point over the LDE domain, for small traces: no cosets, no partial trees, no packed
//! arithmetic. Its honest proofs are byte-for-byte the optimised prover's (a test in the
//! prover's suite compares them), which makes it a differential check of the prover, and it
//! calls an [`Adversary`] at every step of the protocol, after the step's challenges are drawn
//! and before its message is absorbed: a cheating prover that deviates at exactly one step,
//! knowing everything the protocol has shown it so far, and runs honestly otherwise.
#![allow(dead_code, clippy::needless_range_loop)]

use distaff_air::air::num_constraints;
use distaff_air::{Air, ConstraintKind, ConstraintSink, Value};
use distaff_math::{fft, polynom, Felt, FieldElement, StarkField};
use distaff_verifier::protocol::{composition_at, degree_correction, OodFrame, ScaleBy};
use distaff_verifier::shape::{hiding_options, ProofShape};
use distaff_verifier::transcript::DeepCoefficients;
use distaff_verifier::{Openings, Proof, ProofOptions, Transcript};
use winter_crypto::{ElementHasher, MerkleTree, RandomCoin};
use winter_fri::folding::{apply_drp, fold_positions};
use winter_utils::{transpose_slice, Serializable};

/// What a prover has seen of the protocol when a hook runs (the fields are filled in as the
/// protocol goes).
#[derive(Clone, Debug, Default)]
pub struct View<E> {
    /// Trace length.
    pub n: usize,
    /// LDE domain size.
    pub lde_size: usize,
    /// The auxiliary challenges (drawn and derived).
    pub challenges: Vec<E>,
    /// The constraint coefficients.
    pub alphas: Vec<E>,
    /// The out-of-domain point.
    pub z: E,
    /// The DEEP coefficients.
    pub deep: Option<DeepCoefficients<E>>,
    /// FRI's layers as committed (first layer: FRI's input over the LDE domain), and the last
    /// layer's evaluations after the final fold.
    pub fri_layers: Vec<Vec<E>>,
    /// The query positions.
    pub positions: Vec<usize>,
}

/// The out-of-domain frame a prover sends.
#[derive(Clone, Debug)]
pub struct Ood<E> {
    /// Main trace at z.
    pub current: Vec<E>,
    /// Main trace at z·g.
    pub next: Vec<E>,
    /// Auxiliary trace at z.
    pub aux_current: Vec<E>,
    /// Auxiliary trace at z·g.
    pub aux_next: Vec<E>,
    /// Composition columns at z.
    pub composition: Vec<E>,
}

/// A prover's deviations, one hook per protocol step. Every hook defaults to honesty.
pub trait Adversary<E: FieldElement<BaseField = Felt>> {
    /// Step 2: the main trace (column-major) before it is committed.
    fn main_trace(&mut self, _columns: &mut [Vec<Felt>]) {}
    /// Step 2: the main trace's polynomials (coefficients, lowest degree first) before they are
    /// extended and committed: a prover may commit to polynomials of any degree.
    fn main_coefficients(&mut self, _coefficients: &mut [Vec<Felt>]) {}
    /// Step 3: the auxiliary columns before they are committed (the challenges are known).
    fn aux_trace(&mut self, _view: &View<E>, _aux: &mut [Vec<E>]) {}
    /// Step 5: the composition columns' coefficients (n each) before they are committed.
    fn composition(&mut self, _view: &View<E>, _columns: &mut [Vec<E>]) {}
    /// Step 5: a hiding proof's DEEP randomiser `R` (coefficients) before it is committed.
    fn codeword(&mut self, _view: &View<E>, _r: &mut Vec<E>) {}
    /// Step 6: the out-of-domain frame, after `z` is drawn.
    fn ood(&mut self, _view: &View<E>, _ood: &mut Ood<E>) {}
    /// Step 7: FRI's input over the LDE domain, after the DEEP coefficients are drawn.
    fn fri_input(&mut self, _view: &View<E>, _evaluations: &mut Vec<E>) {}
    /// Step 7: layer `depth` ≥ 1 before it is committed (after the folding challenge that made
    /// it).
    fn fri_layer(&mut self, _view: &View<E>, _depth: usize, _evaluations: &mut Vec<E>) {}
    /// Step 7: the remainder's coefficients (highest degree first) before they are committed.
    fn remainder_committed(&mut self, _view: &View<E>, _remainder: &mut Vec<E>) {}
    /// Step 8: the proof-of-work nonce.
    fn nonce(&mut self, _view: &View<E>, _nonce: &mut u64) {}
    /// Step 9: the positions a matrix is opened at (for the FRI layers, the positions folded
    /// into the layer), after the query positions are drawn.
    fn opened_positions(&mut self, _view: &View<E>, _matrix: Matrix, _positions: &mut Vec<usize>) {}
    /// Step 9: the remainder sent, after the query positions are drawn.
    fn remainder_sent(&mut self, _view: &View<E>, _remainder: &mut Vec<E>) {}
    /// Step 9: anything else in the finished proof, after the query positions are drawn.
    fn proof(&mut self, _view: &View<E>, _proof: &mut Proof) {}
}

/// A committed matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matrix {
    /// The main trace.
    Trace,
    /// The auxiliary segment.
    Aux,
    /// The composition columns.
    Composition,
    /// FRI layer `i`.
    FriLayer(usize),
}

/// The honest prover.
pub struct Honest;
impl<E: FieldElement<BaseField = Felt>> Adversary<E> for Honest {}

/// A committed matrix: its rows over the LDE domain (base elements) and its tree.
struct Committed<H: ElementHasher<BaseField = Felt>> {
    rows: Vec<Vec<Felt>>,
    tree: MerkleTree<H>,
}

impl<H: ElementHasher<BaseField = Felt>> Committed<H> {
    fn new(rows: Vec<Vec<Felt>>) -> Self {
        let leaves = rows.iter().map(|r| H::hash_elements(r)).collect();
        Committed { rows, tree: MerkleTree::new(leaves).expect("a power-of-two number of rows") }
    }

    fn open(&self, positions: &[usize]) -> Openings {
        let values = positions.iter().flat_map(|&p| self.rows[p].iter().copied()).collect();
        let (_, proof) = self.tree.prove_batch(positions).expect("positions in range");
        Openings { values, merkle_proof: proof.to_bytes() }
    }
}

/// Coefficients of the polynomial through `values` on the trace domain.
fn interpolate<E: FieldElement<BaseField = Felt>>(values: &[E]) -> Vec<E> {
    let mut c = values.to_vec();
    let inv_twiddles = fft::get_inv_twiddles::<Felt>(c.len());
    fft::interpolate_poly(&mut c, &inv_twiddles);
    c
}

/// Evaluations of `coefficients` (padded to a power of two `m` ≥ its length) over the LDE
/// domain `7·<ω>` of `lde_size` points.
fn lde<E: FieldElement<BaseField = Felt>>(coefficients: &[E], lde_size: usize) -> Vec<E> {
    let m = coefficients.len().next_power_of_two().max(2);
    let mut c = coefficients.to_vec();
    c.resize(m, E::ZERO);
    fft::evaluate_poly_with_offset(&c, &fft::get_twiddles::<Felt>(m), Felt::GENERATOR, lde_size / m)
}

/// The LDE domain's points.
pub fn domain(lde_size: usize) -> Vec<Felt> {
    let omega = Felt::get_root_of_unity(lde_size.trailing_zeros());
    (0..lde_size).map(|p| Felt::GENERATOR * omega.exp(p as u64)).collect()
}

/// Splits extension elements into base coordinates, row by row.
fn flatten<E: FieldElement<BaseField = Felt>>(row: &[E]) -> Vec<Felt> {
    E::slice_as_base_elements(row).to_vec()
}

/// The randomness of a hiding proof, for the model: any source will do for the verifier's
/// tests; the prover's tests give the prover's, so that both make the same proof.
pub trait ZkSource<E> {
    /// The mask of main column `column` (`aux`: of base coordinate `column` of the auxiliary
    /// columns), `len` coefficients.
    fn mask(&self, aux: bool, column: usize, len: usize) -> Vec<Felt>;
    /// Composition randomiser `s_i`.
    fn randomizer(&self, i: usize, len: usize) -> Vec<E>;
    /// The DEEP randomiser `R`.
    fn codeword(&self, len: usize) -> Vec<E>;
    /// The salt of a tree's leaf, by its index in the prover's coset-by-coset order.
    fn salt(&self, matrix: Matrix, index: usize, len: usize) -> Vec<Felt>;
}

/// A [`ZkSource`] of pseudo-random values (xorshift) from a seed.
pub struct TestRandomness(pub u64);

impl TestRandomness {
    fn felts(&self, tag: u64, index: usize, len: usize) -> Vec<Felt> {
        let mut x =
            self.0 ^ tag.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (index as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                Felt::new(x % distaff_math::MODULUS)
            })
            .collect()
    }
}

impl<E: FieldElement<BaseField = Felt>> ZkSource<E> for TestRandomness {
    fn mask(&self, aux: bool, column: usize, len: usize) -> Vec<Felt> {
        self.felts(1 + aux as u64, column, len)
    }
    fn randomizer(&self, i: usize, len: usize) -> Vec<E> {
        E::slice_from_base_elements(&self.felts(3, i, len * E::EXTENSION_DEGREE)).to_vec()
    }
    fn codeword(&self, len: usize) -> Vec<E> {
        E::slice_from_base_elements(&self.felts(4, 0, len * E::EXTENSION_DEGREE)).to_vec()
    }
    fn salt(&self, matrix: Matrix, index: usize, len: usize) -> Vec<Felt> {
        let tag = match matrix {
            Matrix::Trace => 5,
            Matrix::Aux => 6,
            _ => 7,
        };
        self.felts(tag, index, len)
    }
}

/// `T + (x^n − 1)·r`.
fn mask_polynomial<E: FieldElement<BaseField = Felt>>(t: &[E], r: &[E], n: usize) -> Vec<E> {
    let mut out = t.to_vec();
    out.resize(n + r.len(), E::ZERO);
    for (k, rk) in r.iter().enumerate() {
        out[k] -= *rk;
        out[n + k] += *rk;
    }
    out
}

/// Proves `columns` for `air` under `options` (whose extension and hash must be `E` and
/// `H`; without hiding: see [`prove_model_with`]), letting `adversary` deviate where it will.
pub fn prove_model<E, H, A, X>(air: &A, columns: &[Vec<Felt>], options: &ProofOptions, adversary: &mut X) -> Proof
where
    E: FieldElement<BaseField = Felt> + ScaleBy<E>,
    Felt: ScaleBy<E>,
    H: ElementHasher<BaseField = Felt>,
    A: Air,
    X: Adversary<E>,
{
    prove_model_with::<E, H, A, X>(air, columns, &options.without_hiding(), adversary, &TestRandomness(1))
}

/// [`prove_model`] with the options as they are (a hiding proof takes its randomness from `zk`,
/// and as many queries as `distaff_verifier::shape::hiding_options` says).
pub fn prove_model_with<E, H, A, X>(
    air: &A,
    columns: &[Vec<Felt>],
    options: &ProofOptions,
    adversary: &mut X,
    zk: &dyn ZkSource<E>,
) -> Proof
where
    E: FieldElement<BaseField = Felt> + ScaleBy<E>,
    Felt: ScaleBy<E>,
    H: ElementHasher<BaseField = Felt>,
    A: Air,
    X: Adversary<E>,
{
    assert_eq!(options.extension.degree(), E::EXTENSION_DEGREE, "options and E disagree");
    let options = &hiding_options(air, options).unwrap();
    let shape = ProofShape::new(air, options).unwrap();
    let mut columns = columns.to_vec();
    let n = air.trace_length();
    let log_n = n.trailing_zeros() as u8;
    let blowup = options.blowup_factor;
    let lde_size = n * blowup;
    let xs = domain(lde_size);
    let (main_width, aux_width) = (air.main_width(), air.aux_width());
    let num_chunks = shape.num_chunks;
    let d = E::EXTENSION_DEGREE;
    let mut view = View::<E> { n, lde_size, ..Default::default() };
    let mut transcript = Transcript::<H>::new(air, options, log_n);
    let hiding = shape.hiding;
    let salt_len = shape.salt_len();
    // a leaf's salt, by its position in the LDE (the prover indexes salts coset by coset)
    let salted = |matrix: Matrix, rows: Vec<Vec<Felt>>| -> Vec<Vec<Felt>> {
        if hiding.is_none() {
            return rows;
        }
        rows.into_iter()
            .enumerate()
            .map(|(p, mut row)| {
                row.extend(zk.salt(matrix, (p % blowup) * n + p / blowup, salt_len));
                row
            })
            .collect()
    };

    // step 2: the main trace (masked, in a hiding proof, but for its public columns)
    adversary.main_trace(&mut columns);
    let mut main_coefficients: Vec<Vec<Felt>> = columns.iter().map(|c| interpolate(c)).collect();
    if let Some(h) = hiding {
        let public = air.public_columns();
        for (c, coefficients) in main_coefficients.iter_mut().enumerate().filter(|(c, _)| !public.contains(c)) {
            *coefficients = mask_polynomial(coefficients, &zk.mask(false, c, h.mask_len), n);
        }
    }
    adversary.main_coefficients(&mut main_coefficients);
    let main_lde: Vec<Vec<Felt>> = main_coefficients.iter().map(|c| lde(c, lde_size)).collect();
    let main_rows = (0..lde_size).map(|p| main_lde.iter().map(|c| c[p]).collect()).collect();
    let main = Committed::<H>::new(salted(Matrix::Trace, main_rows));
    view.challenges = transcript.commit_main_trace::<E, A>(*main.tree.root(), air).unwrap();

    // step 3: the auxiliary trace (each base coordinate masked, in a hiding proof)
    let mut aux_columns: Vec<Vec<E>> = air.build_aux(&columns, &view.challenges);
    adversary.aux_trace(&view, &mut aux_columns);
    let mut aux_coefficients: Vec<Vec<E>> = aux_columns.iter().map(|c| interpolate(c)).collect();
    if let Some(h) = hiding {
        for (c, coefficients) in aux_coefficients.iter_mut().enumerate() {
            // the mask whose coordinate k is the base mask of coordinate column c·d + k
            let coords: Vec<Vec<Felt>> = (0..d).map(|k| zk.mask(true, c * d + k, h.mask_len)).collect();
            let r: Vec<E> = (0..h.mask_len)
                .map(|j| {
                    let v: Vec<Felt> = (0..d).map(|k| coords[k][j]).collect();
                    E::slice_from_base_elements(&v)[0]
                })
                .collect();
            *coefficients = mask_polynomial(coefficients, &r, n);
        }
    }
    let aux_lde: Vec<Vec<E>> = aux_coefficients.iter().map(|c| lde(c, lde_size)).collect();
    let aux = (aux_width > 0).then(|| {
        let rows = (0..lde_size).map(|p| flatten(&aux_lde.iter().map(|c| c[p]).collect::<Vec<E>>())).collect();
        let aux = Committed::<H>::new(salted(Matrix::Aux, rows));
        transcript.commit_aux_trace(*aux.tree.root());
        aux
    });

    // step 4: the composition polynomial, point by point over the LDE domain
    view.alphas = transcript.draw_constraint_coefficients::<E>(num_constraints(air)).unwrap();
    let main_at = |p: usize| -> Vec<E> { main_lde.iter().map(|c| E::from(c[p % lde_size])).collect() };
    let aux_at = |p: usize| -> Vec<E> { aux_lde.iter().map(|c| c[p % lde_size]).collect() };
    let mut quotient: Vec<E> = (0..lde_size)
        .map(|p| {
            let (cur, nxt) = (main_at(p), main_at(p + blowup));
            let (acur, anxt) = (aux_at(p), aux_at(p + blowup));
            let frame = OodFrame { current: &cur, next: &nxt, aux_current: &acur, aux_next: &anxt };
            composition_at(air, frame, &view.alphas, &view.challenges, E::from(xs[p])).unwrap()
        })
        .collect();
    fft::interpolate_poly_with_offset(&mut quotient, &fft::get_inv_twiddles::<Felt>(lde_size), Felt::GENERATOR);
    // H_i: coefficients i·c .. (i+1)·c (a cheating trace's quotient is not a polynomial of
    // degree below num_chunks·c: its higher coefficients are dropped, as the prover does)
    let c = shape.chunk_len;
    let mut composition: Vec<Vec<E>> = (0..num_chunks)
        .map(|i| (i * c..(i + 1) * c).map(|k| quotient.get(k).copied().unwrap_or(E::ZERO)).collect())
        .collect();
    // a hiding proof's randomisers H'_i = H_i + x^c·s_i − s_(i−1), and the DEEP randomiser R
    if let Some(h) = hiding {
        for col in composition.iter_mut() {
            col.resize(c + h.randomizer_len, E::ZERO);
        }
        for i in 0..num_chunks - 1 {
            for (j, sj) in zk.randomizer(i, h.randomizer_len).iter().enumerate() {
                composition[i][c + j] += *sj;
                composition[i + 1][j] -= *sj;
            }
        }
    }

    // step 5: the composition commitment, then z
    adversary.composition(&view, &mut composition);
    if hiding.is_some() {
        let mut r = zk.codeword(shape.deep_len);
        adversary.codeword(&view, &mut r);
        composition.push(r);
    }
    let composition_lde: Vec<Vec<E>> = composition.iter().map(|c| lde(c, lde_size)).collect();
    let comp = Committed::<H>::new(salted(
        Matrix::Composition,
        (0..lde_size).map(|p| flatten(&composition_lde.iter().map(|c| c[p]).collect::<Vec<E>>())).collect(),
    ));
    view.z = transcript.commit_composition::<E>(*comp.tree.root()).unwrap();

    // step 6: the out-of-domain frame
    let z = view.z;
    let zg = z * E::from(Felt::get_root_of_unity(log_n as u32));
    let at = |coefficients: &[Vec<E>], x: E| -> Vec<E> { coefficients.iter().map(|c| polynom::eval(c, x)).collect() };
    let main_ext: Vec<Vec<E>> = main_coefficients.iter().map(|c| c.iter().map(|v| E::from(*v)).collect()).collect();
    let mut ood = Ood {
        current: at(&main_ext, z),
        next: at(&main_ext, zg),
        aux_current: at(&aux_coefficients, z),
        aux_next: at(&aux_coefficients, zg),
        composition: at(&composition[..num_chunks], z),
    };
    adversary.ood(&view, &mut ood);
    let deep = transcript
        .send_ood_frame(
            &[&ood.current, &ood.next, &ood.aux_current, &ood.aux_next, &ood.composition],
            main_width + aux_width,
            num_chunks,
        )
        .unwrap();
    view.deep = Some(deep.clone());

    // step 7: FRI's input D(x)·(1 + β·x^k), point by point, then its layers
    let mut evaluations: Vec<E> = (0..lde_size)
        .map(|p| {
            let x = E::from(xs[p]);
            let (mut a, mut b, mut h) = (E::ZERO, E::ZERO, E::ZERO);
            let trace: Vec<E> = main_at(p).into_iter().chain(aux_at(p)).collect();
            let (at_z, at_zg): (Vec<E>, Vec<E>) = (
                ood.current.iter().chain(&ood.aux_current).copied().collect(),
                ood.next.iter().chain(&ood.aux_next).copied().collect(),
            );
            for j in 0..trace.len() {
                a += deep.current[j] * (trace[j] - at_z[j]);
                b += deep.next[j] * (trace[j] - at_zg[j]);
            }
            for k in 0..num_chunks {
                h += deep.composition[k] * (composition_lde[k][p] - ood.composition[k]);
            }
            let pow = |k: usize| E::from(xs[p].exp(k as u64));
            let (st, sh) = (pow(shape.trace_shift), pow(shape.composition_shift));
            let mut value = (st * a + sh * h) / (x - z) + st * b / (x - zg);
            if hiding.is_some() {
                value += composition_lde[num_chunks][p];
            }
            value * degree_correction(deep.degree_correction, pow(shape.fri.correction_exponent))
        })
        .collect();
    adversary.fri_input(&view, &mut evaluations);
    let num_layers = shape.fri.num_layers;
    let mut fri_roots = Vec::new();
    let mut layers: Vec<(Vec<[E; 8]>, MerkleTree<H>)> = Vec::new();
    assert_eq!(options.fri_folding_factor, 8, "the model folds by 8");
    for depth in 0..num_layers {
        if depth > 0 {
            adversary.fri_layer(&view, depth, &mut evaluations);
        }
        view.fri_layers.push(evaluations.clone());
        let transposed: Vec<[E; 8]> = transpose_slice(&evaluations);
        let tree = MerkleTree::<H>::new(transposed.iter().map(|v| H::hash_elements(v)).collect()).unwrap();
        fri_roots.push(tree.root().as_bytes());
        transcript.coin().reseed(*tree.root());
        let alpha: E = transcript.coin().draw().unwrap();
        evaluations = apply_drp(&transposed, Felt::GENERATOR, alpha);
        layers.push((transposed, tree));
    }
    view.fri_layers.push(evaluations.clone());
    let mut last = evaluations.clone();
    let inv_twiddles = fft::get_inv_twiddles::<Felt>(last.len());
    fft::interpolate_poly_with_offset(&mut last, &inv_twiddles, Felt::GENERATOR);
    // the remainder sent: its coefficients below FRI's bound, highest first; committed with
    // zeros in front up to winter-fri's length
    let mut remainder: Vec<E> = last[..shape.fri.remainder_len].iter().rev().copied().collect();
    adversary.remainder_committed(&view, &mut remainder);
    let mut padded = vec![E::ZERO; shape.fri.winter_remainder_len.saturating_sub(remainder.len())];
    padded.extend_from_slice(&remainder);
    let remainder_root = H::hash_elements(&padded);
    fri_roots.push(remainder_root.as_bytes());
    transcript.coin().reseed(remainder_root);
    let _: E = transcript.coin().draw().unwrap();

    // step 8: proof of work and the query positions
    let mut nonce = (0..u64::MAX).find(|&k| transcript.proof_of_work_bits(k) >= options.grinding_bits).unwrap();
    adversary.nonce(&view, &mut nonce);
    view.positions = transcript.draw_query_positions(options.num_queries, lde_size, nonce).unwrap();
    let positions = view.positions.clone();

    // step 9: the openings
    let mut fri_layers = Vec::new();
    let mut folded = positions.clone();
    let mut size = lde_size;
    for (depth, (transposed, tree)) in layers.iter().enumerate() {
        folded = fold_positions(&folded, size, 8);
        size /= 8;
        let mut opened = folded.clone();
        adversary.opened_positions(&view, Matrix::FriLayer(depth), &mut opened);
        let values: Vec<E> = opened.iter().flat_map(|&i| transposed[i]).collect();
        let (_, proof) = tree.prove_batch(&opened).unwrap();
        fri_layers.push(Openings { values: flatten(&values), merkle_proof: proof.to_bytes() });
    }
    adversary.remainder_sent(&view, &mut remainder);
    let mut open = |matrix: Matrix, committed: &Committed<H>| {
        let mut opened = positions.clone();
        adversary.opened_positions(&view, matrix, &mut opened);
        committed.open(&opened)
    };
    let trace_openings = open(Matrix::Trace, &main);
    let aux_openings = aux.as_ref().map(|a| open(Matrix::Aux, a));
    let composition_openings = open(Matrix::Composition, &comp);
    let mut proof = Proof {
        options: *options,
        trace_length_log2: log_n,
        trace_root: main.tree.root().as_bytes(),
        aux_root: aux.as_ref().map(|a| a.tree.root().as_bytes()),
        composition_root: comp.tree.root().as_bytes(),
        num_composition_columns: num_chunks as u8,
        ood_trace_current: flatten(&ood.current),
        ood_trace_next: flatten(&ood.next),
        ood_aux_current: flatten(&ood.aux_current),
        ood_aux_next: flatten(&ood.aux_next),
        ood_composition: flatten(&ood.composition),
        fri_roots,
        fri_layers,
        fri_remainder: flatten(&remainder),
        pow_nonce: nonce,
        trace_openings,
        aux_openings,
        composition_openings,
    };
    adversary.proof(&view, &mut proof);
    proof
}

/// The polynomial (coefficients, highest degree first, padded to `len`) through the points
/// `(x_k, y_k)`: what a prover that may choose the remainder after the queries would send.
pub fn fitted_remainder<E: FieldElement<BaseField = Felt>>(xs: &[E], ys: &[E], len: usize) -> Vec<E> {
    let mut c = polynom::interpolate(xs, ys, false);
    c.resize(len, E::ZERO);
    c.reverse();
    c
}

/// The values FRI's last layer (after the final fold) takes at the query positions, with
/// their points: what the verifier will compare the remainder with.
pub fn last_layer_at_queries<E: FieldElement<BaseField = Felt>>(view: &View<E>) -> (Vec<E>, Vec<E>) {
    let last = view.fri_layers.last().unwrap();
    let mut folded = view.positions.clone();
    let mut size = view.lde_size;
    for _ in 0..view.fri_layers.len() - 1 {
        folded = fold_positions(&folded, size, 8);
        size /= 8;
    }
    let g = Felt::get_root_of_unity(size.trailing_zeros());
    let xs = folded.iter().map(|&p| E::from(Felt::GENERATOR * g.exp(p as u64))).collect();
    let ys = folded.iter().map(|&p| last[p]).collect();
    (xs, ys)
}

/// Digest bytes.
pub trait AsBytes {
    /// The digest's 32 bytes.
    fn as_bytes(&self) -> [u8; 32];
}
impl<D: winter_crypto::Digest> AsBytes for D {
    fn as_bytes(&self) -> [u8; 32] {
        winter_crypto::Digest::as_bytes(self)
    }
}

/// A small AIR with degree-1 constraints, for tests that need long traces (FRI layers) at
/// little cost: two columns that step the Fibonacci recurrence from (1, 1), and a claimed
/// value of the second column on the last row.
pub struct FibAir {
    /// Trace length.
    pub n: usize,
    /// The claimed last value of column `b`.
    pub result: Felt,
}

impl FibAir {
    /// The honest trace of `n` rows and the AIR claiming its last value.
    pub fn honest(n: usize) -> (FibAir, Vec<Vec<Felt>>) {
        let (mut a, mut b) = (vec![<Felt as FieldElement>::ONE], vec![<Felt as FieldElement>::ONE]);
        for i in 1..n {
            a.push(b[i - 1]);
            b.push(a[i - 1] + b[i - 1]);
        }
        (FibAir { n, result: b[n - 1] }, vec![a, b])
    }
}

impl Air for FibAir {
    fn trace_length(&self) -> usize {
        self.n
    }
    fn main_width(&self) -> usize {
        2
    }
    fn public_elements(&self) -> Vec<Felt> {
        vec![Felt::new(0x0066_6962), self.result]
    }
    fn evaluate_main<V: Value, S: ConstraintSink<V>>(&self, cur: &[V], nxt: &[V], _: &[V], sink: &mut S) {
        sink.emit(ConstraintKind::Transition, "a_next", 0, nxt[0] - cur[1]);
        sink.emit(ConstraintKind::Transition, "b_next", 0, nxt[1] - (cur[0] + cur[1]));
    }
    fn evaluate_main_boundary<V: Value, S: ConstraintSink<V>>(&self, first: &[V], last: &[V], sink: &mut S) {
        sink.emit(ConstraintKind::FirstRow, "a_first", 0, first[0] - V::ONE);
        sink.emit(ConstraintKind::FirstRow, "b_first", 0, first[1] - V::ONE);
        sink.emit(ConstraintKind::LastRow, "b_last", 0, last[1] - V::from_felt(self.result));
    }
}

type Hook<'a, E, T> = Option<Box<dyn FnMut(&View<E>, &mut T) + 'a>>;

/// An adversary made of closures, one optional closure per hook.
#[allow(clippy::type_complexity)]
pub struct Hooks<'a, E> {
    /// [`Adversary::main_trace`].
    pub main_trace: Option<Box<dyn FnMut(&mut [Vec<Felt>]) + 'a>>,
    /// [`Adversary::aux_trace`].
    pub aux_trace: Hook<'a, E, [Vec<E>]>,
    /// [`Adversary::composition`].
    pub composition: Hook<'a, E, [Vec<E>]>,
    /// [`Adversary::codeword`].
    pub codeword: Hook<'a, E, Vec<E>>,
    /// [`Adversary::ood`].
    pub ood: Hook<'a, E, Ood<E>>,
    /// [`Adversary::fri_input`].
    pub fri_input: Hook<'a, E, Vec<E>>,
    /// [`Adversary::fri_layer`].
    pub fri_layer: Option<Box<dyn FnMut(&View<E>, usize, &mut Vec<E>) + 'a>>,
    /// [`Adversary::remainder_committed`].
    pub remainder_committed: Hook<'a, E, Vec<E>>,
    /// [`Adversary::nonce`].
    pub nonce: Hook<'a, E, u64>,
    /// [`Adversary::opened_positions`].
    pub opened_positions: Option<Box<dyn FnMut(&View<E>, Matrix, &mut Vec<usize>) + 'a>>,
    /// [`Adversary::remainder_sent`].
    pub remainder_sent: Hook<'a, E, Vec<E>>,
    /// [`Adversary::proof`].
    pub proof: Hook<'a, E, Proof>,
}

impl<E> Default for Hooks<'_, E> {
    fn default() -> Self {
        Hooks {
            main_trace: None,
            aux_trace: None,
            composition: None,
            codeword: None,
            ood: None,
            fri_input: None,
            fri_layer: None,
            remainder_committed: None,
            nonce: None,
            opened_positions: None,
            remainder_sent: None,
            proof: None,
        }
    }
}

impl<E: FieldElement<BaseField = Felt>> Adversary<E> for Hooks<'_, E> {
    fn main_trace(&mut self, columns: &mut [Vec<Felt>]) {
        if let Some(f) = &mut self.main_trace {
            f(columns)
        }
    }
    fn aux_trace(&mut self, view: &View<E>, aux: &mut [Vec<E>]) {
        if let Some(f) = &mut self.aux_trace {
            f(view, aux)
        }
    }
    fn composition(&mut self, view: &View<E>, columns: &mut [Vec<E>]) {
        if let Some(f) = &mut self.composition {
            f(view, columns)
        }
    }
    fn codeword(&mut self, view: &View<E>, r: &mut Vec<E>) {
        if let Some(f) = &mut self.codeword {
            f(view, r)
        }
    }
    fn ood(&mut self, view: &View<E>, ood: &mut Ood<E>) {
        if let Some(f) = &mut self.ood {
            f(view, ood)
        }
    }
    fn fri_input(&mut self, view: &View<E>, evaluations: &mut Vec<E>) {
        if let Some(f) = &mut self.fri_input {
            f(view, evaluations)
        }
    }
    fn fri_layer(&mut self, view: &View<E>, depth: usize, evaluations: &mut Vec<E>) {
        if let Some(f) = &mut self.fri_layer {
            f(view, depth, evaluations)
        }
    }
    fn remainder_committed(&mut self, view: &View<E>, remainder: &mut Vec<E>) {
        if let Some(f) = &mut self.remainder_committed {
            f(view, remainder)
        }
    }
    fn nonce(&mut self, view: &View<E>, nonce: &mut u64) {
        if let Some(f) = &mut self.nonce {
            f(view, nonce)
        }
    }
    fn opened_positions(&mut self, view: &View<E>, matrix: Matrix, positions: &mut Vec<usize>) {
        if let Some(f) = &mut self.opened_positions {
            f(view, matrix, positions)
        }
    }
    fn remainder_sent(&mut self, view: &View<E>, remainder: &mut Vec<E>) {
        if let Some(f) = &mut self.remainder_sent {
            f(view, remainder)
        }
    }
    fn proof(&mut self, view: &View<E>, proof: &mut Proof) {
        if let Some(f) = &mut self.proof {
            f(view, proof)
        }
    }
}
