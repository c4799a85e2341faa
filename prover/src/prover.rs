//! The proving procedure.

use std::borrow::Cow;
use std::marker::PhantomData;

use crate::dft;
use std::time::{Duration, Instant};

use crate::hash::{RowHasher, Stored};
use crate::merkle::{LeafFn, Leaves, PartialTree};
use crate::symbolic;
use distaff_air::air::{composition_shape, num_constraints};
use distaff_air::debug::{check_air_with_challenges, ConstraintFailure};
use distaff_air::layout::{FULL_TRACE_WIDTH, TRACE_WIDTH};
use distaff_air::{Air, ProcessorAir, Program, PublicInputs, MAX_OUTPUTS, MAX_TRACE_LENGTH_LOG2, MIN_TRACE_LENGTH};
use distaff_math::lazy::Accumulator;
use distaff_math::{batch_inversion, polynom, CubeFelt, Felt, FieldElement, QuadFelt, StarkField};
use distaff_processor::{build_trace, ExecutionError, ProgramInputs};
use distaff_verifier::merkle::{BoundedBatchProof, MerkleVc};
use distaff_verifier::proof::Openings;
#[cfg(test)]
use distaff_verifier::protocol::degree_correction;
use distaff_verifier::protocol::{combine_composition_columns, composition_at, periodic_polys, OodFrame, ScaleBy};
use distaff_verifier::transcript::{DeepCoefficients, TranscriptError};
use distaff_verifier::Transcript;
use distaff_verifier::{FieldExtension, HashFunction, OptionsError, Proof, ProofOptions};
use rayon::prelude::*;
use winter_crypto::hashers::{Blake3_256, Rp64_256};
use winter_crypto::{Digest, ElementHasher, RandomCoin};
use winter_fri::{FriProver, ProverChannel};
use winter_utils::Serializable;

/// Whether the prover checks its own trace before proving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checks {
    /// Refuse to prove a trace that violates the AIR (the default): the prover runs the
    /// verifier's out-of-domain check on its own composition columns and, if it fails, names
    /// the failing constraint and row with the row-by-row checker.
    On,
    /// Prove whatever trace is given (for tests of the verifier against cheating provers).
    Off,
}

/// Why no proof was produced.
#[derive(Debug, thiserror::Error)]
pub enum ProverError {
    /// Executing the program failed.
    #[error("execution failed: {0}")]
    Execution(#[from] ExecutionError),
    /// The options are unsupported.
    #[error("invalid proof options: {0}")]
    Options(#[from] OptionsError),
    /// Too many outputs requested.
    #[error("at most {MAX_OUTPUTS} outputs can be claimed ({0} requested)")]
    TooManyOutputs(usize),
    /// The trace violates a constraint (only with [`Checks::On`]).
    #[error("the execution trace is invalid: {0}")]
    InvalidTrace(#[from] ConstraintFailure),
    /// The composition columns disagree with the constraints at the out-of-domain point, so
    /// the trace does not satisfy the AIR (only with [`Checks::On`], when the row-by-row check
    /// names no constraint).
    #[error("the composition polynomial does not match the constraints: the trace does not satisfy the AIR")]
    CompositionDegree,
    /// The trace has an unsupported shape.
    #[error("trace must have {TRACE_WIDTH} columns of equal power-of-two length between {MIN_TRACE_LENGTH} and 2^{MAX_TRACE_LENGTH_LOG2}")]
    TraceShape,
    /// A periodic column's period is not a power of two dividing the trace length.
    #[error("periodic columns must have a power-of-two period dividing the trace length")]
    PeriodicColumns,
    /// The blowup factor is below what the constraint degree needs.
    #[error("blowup factor {0} is below the constraint-evaluation blowup {1}")]
    BlowupTooSmall(usize, usize),
    /// The transcript failed to produce a challenge (astronomically unlikely).
    #[error("the transcript could not produce a challenge")]
    Transcript,
    /// Internal Merkle error.
    #[error("commitment failed: {0}")]
    Commitment(String),
}

/// What a proof cost.
#[derive(Clone, Debug, Default)]
pub struct ProvingReport {
    /// Time per phase, in order of first occurrence (a phase entered twice is summed).
    pub phases: Vec<(&'static str, Duration)>,
    /// Rows in the trace.
    pub trace_length: usize,
    /// Cycles executed.
    pub cycles: usize,
    /// Conjectured security of the proof, in bits.
    pub security_bits: u32,
}

impl ProvingReport {
    fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.add(name, start.elapsed());
        out
    }

    fn add(&mut self, name: &'static str, elapsed: Duration) {
        match self.phases.iter_mut().find(|p| p.0 == name) {
            Some(p) => p.1 += elapsed,
            None => self.phases.push((name, elapsed)),
        }
    }

    /// Total time over all phases.
    pub fn total(&self) -> Duration {
        self.phases.iter().map(|p| p.1).sum()
    }
}

/// How the prover holds the trace's low-degree extension: a time/memory trade-off that does not
/// change the proof (both produce the same bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LdeStorage {
    /// Compute the LDE once and keep it (`n · blowup` rows of the trace's varying columns:
    /// 0.55 GB of F(86181)'s 0.93 GB peak, a 2^18-row trace at blowup 8). The fastest.
    #[default]
    Stored,
    /// Never hold more than one coset of it: compute it coset by coset twice (to commit, then
    /// to evaluate the constraints) and evaluate the opened rows from the coefficients. About
    /// half the peak memory (F(86181): 0.52 GB), at the cost of a second LDE pass.
    Streamed,
}

/// An estimate of the prover's peak memory, in bytes, for a trace of `trace_length` rows of the
/// VM's AIR, from peaks measured at blowup 8 with the quadratic extension on traces whose
/// columns nearly all vary (the Collatz example, 2^17 rows: 4.8 KiB per row with the stored
/// LDE, 2.6 KiB streamed, the whole process's peak divided by the rows), with a margin of
/// about 10%, scaled by the blowup and (for the cubic extension) the larger extension
/// elements, plus 64 MiB for the rest of the process. Front ends use it to refuse a proof that
/// cannot fit rather than be killed for running out of memory. Constant columns are neither
/// transformed nor stored, so traces with many of them need less (F(86181), 25 of 58 columns
/// constant: 884 MiB measured, 1.4 GiB estimated). The memory variant of the AIR
/// (`memory_variant`) has about 40% more columns (a 25-value bubble sort, 2^15 rows: 228 MiB
/// measured, 300 MiB estimated).
pub fn estimated_memory(trace_length: usize, memory_variant: bool, options: &ProofOptions, storage: LdeStorage) -> u64 {
    let per_row: u64 = match storage {
        LdeStorage::Stored => 5_400,
        LdeStorage::Streamed => 3_000,
    };
    let blowup = options.blowup_factor.max(1) as u64;
    let extension = match options.extension {
        FieldExtension::Quadratic => 4,
        FieldExtension::Cubic => 5,
    };
    let per_row = if memory_variant { per_row * 7 / 5 } else { per_row };
    let lde = (trace_length as u64).saturating_mul(per_row).saturating_mul(blowup) / 8 * extension / 4;
    lde.saturating_add(64 << 20)
}

/// Executes `program` on `inputs` and proves the execution, claiming the top `num_outputs`
/// stack values as outputs. Returns the outputs, the proof and a cost report.
pub fn prove(
    program: &Program,
    inputs: &ProgramInputs,
    num_outputs: usize,
    options: &ProofOptions,
) -> Result<(Vec<Felt>, Proof, ProvingReport), ProverError> {
    prove_with(program, inputs, num_outputs, options, LdeStorage::Stored)
}

/// [`prove`] with a choice of how the trace LDE is held ([`LdeStorage`]).
pub fn prove_with(
    program: &Program,
    inputs: &ProgramInputs,
    num_outputs: usize,
    options: &ProofOptions,
    storage: LdeStorage,
) -> Result<(Vec<Felt>, Proof, ProvingReport), ProverError> {
    if num_outputs > MAX_OUTPUTS {
        return Err(ProverError::TooManyOutputs(num_outputs));
    }
    options.validate()?;
    let mut report = ProvingReport::default();
    let trace = report.time("execution", || build_trace(program, inputs))?;
    report.cycles = trace.cycles();
    let public = trace.public_inputs(num_outputs);
    // the prover owns the columns, so it can free them as soon as it no longer needs them
    let columns = Cow::Owned(trace.into_columns());
    let proof = prove_trace_with_report(columns, &public, options, Checks::On, storage, &mut report)?;
    Ok((public.outputs, proof, report))
}

/// Proves that `columns` (column-major, in the layout of `distaff_air::layout`) satisfies the
/// VM's AIR for `public`.
pub fn prove_trace(
    columns: &[Vec<Felt>],
    public: &PublicInputs,
    options: &ProofOptions,
    checks: Checks,
) -> Result<Proof, ProverError> {
    let columns = Cow::Borrowed(columns);
    prove_trace_with_report(columns, public, options, checks, LdeStorage::Stored, &mut ProvingReport::default())
}

fn prove_trace_with_report(
    columns: Cow<'_, [Vec<Felt>]>,
    public: &PublicInputs,
    options: &ProofOptions,
    checks: Checks,
    storage: LdeStorage,
    report: &mut ProvingReport,
) -> Result<Proof, ProverError> {
    if public.outputs.len() > MAX_OUTPUTS || public.inputs.len() > distaff_air::MAX_PUBLIC_INPUTS {
        return Err(ProverError::TooManyOutputs(public.outputs.len()));
    }
    if columns.len() != TRACE_WIDTH && columns.len() != FULL_TRACE_WIDTH {
        return Err(ProverError::TraceShape);
    }
    let air = ProcessorAir::for_trace(public.clone(), &columns);
    prove_air_with_report(&air, columns, options, checks, storage, report)
}

/// Proves that `columns` (column-major) satisfies any [`Air`]; the auxiliary segment, if the
/// AIR has one, is built by [`Air::build_aux`] from transcript challenges.
pub fn prove_air<A: Air>(
    air: &A,
    columns: &[Vec<Felt>],
    options: &ProofOptions,
    checks: Checks,
) -> Result<Proof, ProverError> {
    prove_air_with_report(
        air,
        Cow::Borrowed(columns),
        options,
        checks,
        LdeStorage::Stored,
        &mut ProvingReport::default(),
    )
}

fn prove_air_with_report<A: Air>(
    air: &A,
    columns: Cow<'_, [Vec<Felt>]>,
    options: &ProofOptions,
    checks: Checks,
    storage: LdeStorage,
    report: &mut ProvingReport,
) -> Result<Proof, ProverError> {
    options.validate()?;
    let n = columns.first().map(|c| c.len()).unwrap_or(0);
    if columns.len() != air.main_width()
        || air.trace_length() != n
        || columns.iter().any(|c| c.len() != n)
        || !n.is_power_of_two()
        || n < MIN_TRACE_LENGTH
        || n.trailing_zeros() > MAX_TRACE_LENGTH_LOG2
    {
        return Err(ProverError::TraceShape);
    }
    // periods are powers of two dividing the trace length (the Air contract, which constraint
    // evaluation's index arithmetic relies on)
    if air.periodic_columns().iter().any(|c| !c.len().is_power_of_two() || c.len() > n) {
        return Err(ProverError::PeriodicColumns);
    }
    report.trace_length = n;
    report.security_bits = options.conjectured_security(n);
    match (options.extension, options.hash) {
        (FieldExtension::Quadratic, HashFunction::Blake3_256) => {
            prove_generic::<QuadFelt, Blake3_256<Felt>, A>(air, columns, options, checks, storage, report)
        }
        (FieldExtension::Quadratic, HashFunction::Rp64_256) => {
            prove_generic::<QuadFelt, Rp64_256, A>(air, columns, options, checks, storage, report)
        }
        (FieldExtension::Cubic, HashFunction::Blake3_256) => {
            prove_generic::<CubeFelt, Blake3_256<Felt>, A>(air, columns, options, checks, storage, report)
        }
        (FieldExtension::Cubic, HashFunction::Rp64_256) => {
            prove_generic::<CubeFelt, Rp64_256, A>(air, columns, options, checks, storage, report)
        }
    }
}

/// winter-fri's prover channel over our transcript (step 7 of the protocol).
struct FriTranscript<E, H: ElementHasher<BaseField = Felt>> {
    transcript: Transcript<H>,
    roots: Vec<H::Digest>,
    failed: bool,
    _e: PhantomData<E>,
}

impl<E: FieldElement<BaseField = Felt>, H: ElementHasher<BaseField = Felt>> ProverChannel<E> for FriTranscript<E, H> {
    type Hasher = H;

    fn commit_fri_layer(&mut self, layer_root: H::Digest) {
        self.roots.push(layer_root);
        self.transcript.coin().reseed(layer_root);
    }

    fn draw_fri_alpha(&mut self) -> E {
        match self.transcript.coin().draw() {
            Ok(a) => a,
            Err(_) => {
                self.failed = true;
                E::ONE
            }
        }
    }
}

impl From<TranscriptError> for ProverError {
    fn from(_: TranscriptError) -> Self {
        ProverError::Transcript
    }
}

/// Tree levels that a commitment to rows the prover keeps does not store: a path through them
/// is recomputed from `2^4 = 16` rows when it is opened, and the tree is a sixteenth of its
/// full size ([`PartialTree`]).
const RECOMPUTED_LEVELS: u32 = 4;

/// The leaf function of a tree over an LDE stored coset by coset ([`stored_row`]).
fn stored_leaves<'a, H: RowHasher>(
    rows: &'a [Felt],
    layout: &'a dft::RowLayout,
    n: usize,
    blowup: usize,
) -> impl Fn(usize, &mut [H::Digest]) + Sync + 'a {
    let rows = Stored::new(rows, layout);
    move |start, out| H::hash_rows_into(&rows, |k| stored_row(start + k, n, blowup), out)
}

/// Commits to an LDE computed coset by coset (the tree keeps its leaves): each coset's rows
/// are hashed into the leaves they occupy in the full LDE (row `i·blowup + j` for coset `j`).
/// The time spent computing the cosets is reported under `lde_phase`, the rest under
/// `commit_phase`.
fn commit_cosets<H: RowHasher>(
    coefficients: &dft::Coefficients,
    blowup: usize,
    report: &mut ProvingReport,
    (lde_phase, commit_phase): (&'static str, &'static str),
) -> Result<PartialTree<H>, ProverError> {
    let layout = dft::RowLayout::of(coefficients);
    let start = Instant::now();
    let mut hashing = Duration::ZERO;
    let mut leaves = Leaves::<H>::new(coefficients.height() * blowup, blowup).map_err(commitment_error)?;
    dft::for_each_coset(coefficients, blowup, blowup, |j, rows| {
        let t = Instant::now();
        leaves.add_coset(j, &Stored::new(rows, &layout));
        hashing += t.elapsed();
    });
    report.add(lde_phase, start.elapsed() - hashing);
    let tree = report.time(commit_phase, || leaves.finish());
    report.add(commit_phase, hashing);
    Ok(tree)
}

fn commitment_error(e: winter_crypto::MerkleTreeError) -> ProverError {
    ProverError::Commitment(e.to_string())
}

/// The row of LDE position `p` in an LDE stored coset by coset: coset `p % blowup`, row
/// `p / blowup` within it.
fn stored_row(p: usize, n: usize, blowup: usize) -> usize {
    (p % blowup) * n + p / blowup
}

/// The full rows at LDE `positions` of an LDE stored coset by coset as `layout` says
/// ([`stored_row`]), one after the other.
fn stored_values(rows: &[Felt], layout: &dft::RowLayout, positions: &[usize], n: usize, blowup: usize) -> Vec<Felt> {
    let sw = layout.stored_width();
    positions
        .iter()
        .flat_map(|&p| {
            let r = stored_row(p, n, blowup);
            layout.expand(&rows[r * sw..(r + 1) * sw])
        })
        .collect()
}

/// Opens the rows `values` (row-major, one per position) of a committed matrix.
fn open_values<H: RowHasher>(
    tree: &PartialTree<H>,
    leaves: Option<LeafFn<'_, H::Digest>>,
    values: Vec<Felt>,
    positions: &[usize],
) -> Result<Openings, ProverError> {
    let proof = tree.prove(positions, leaves).map_err(commitment_error)?;
    Ok(Openings { values, merkle_proof: BoundedBatchProof::<H>(proof).to_bytes() })
}

fn digest_bytes<D: Digest>(d: &D) -> [u8; 32] {
    d.as_bytes()
}

/// Splits extension-field columns into their base-field coordinates (column `c·d + k` holds
/// coordinate `k` of column `c`).
fn coordinates<E: FieldElement<BaseField = Felt>>(columns: &[Vec<E>]) -> Vec<Vec<Felt>> {
    let d = E::EXTENSION_DEGREE;
    let mut out = vec![Vec::new(); columns.len() * d];
    for (c, col) in columns.iter().enumerate() {
        let base = E::slice_as_base_elements(col);
        for (k, o) in out[c * d..(c + 1) * d].iter_mut().enumerate() {
            *o = base.iter().skip(k).step_by(d).copied().collect();
        }
    }
    out
}

/// Evaluates extension-field polynomials stored as base coordinates (see [`coordinates`]) at
/// each of the points `xs` (one vector per point, one pass over the matrix).
fn evaluate_ext_rows_at_points<E: FieldElement<BaseField = Felt>>(
    coefficients: &dft::Coefficients,
    xs: &[E],
) -> Vec<Vec<E>> {
    let d = E::EXTENSION_DEGREE;
    let basis: Vec<E> = (0..d)
        .map(|k| {
            let mut unit = vec![Felt::ZERO; d];
            unit[k] = Felt::ONE;
            E::slice_from_base_elements(&unit)[0]
        })
        .collect();
    evaluate_rows_at_points::<E>(coefficients, xs)
        .into_iter()
        .map(|parts| parts.chunks(d).map(|p| p.iter().zip(&basis).fold(E::ZERO, |acc, (v, b)| acc + *v * *b)).collect())
        .collect()
}

fn prove_generic<E, H, A>(
    air: &A,
    columns: Cow<'_, [Vec<Felt>]>,
    options: &ProofOptions,
    checks: Checks,
    storage: LdeStorage,
    report: &mut ProvingReport,
) -> Result<Proof, ProverError>
where
    E: FieldElement<BaseField = Felt> + ScaleBy<E>,
    Felt: ScaleBy<E>,
    H: RowHasher,
    A: Air,
{
    let n = columns[0].len();
    let log_n = n.trailing_zeros() as u8;
    let blowup = options.blowup_factor;
    let lde_size = n * blowup;
    let (main_width, aux_width) = (air.main_width(), air.aux_width());
    let (num_chunks, ce_blowup) = composition_shape(air);
    if ce_blowup > blowup {
        return Err(ProverError::BlowupTooSmall(blowup, ce_blowup));
    }
    debug_assert!(num_chunks < blowup);
    let offset = Felt::GENERATOR;
    let mut transcript = Transcript::<H>::new(air, options, log_n);

    // --- 1. trace LDE and commitment ------------------------------------------------------
    // With LdeStorage::Streamed the trace LDE (n·blowup rows) is never stored: it is computed
    // coset by coset, once to hash its rows and once more to evaluate the constraints, and the
    // few rows the queries open are evaluated from the coefficients.
    let coefficients = report.time("trace interpolation", || dft::interpolate_columns(&columns));
    // the columns are needed again only to build the auxiliary segment: freed here if there is
    // none (when the prover owns them), or once it is built
    let mut columns = (aux_width > 0).then_some(columns);
    // the varying columns, stored coset by coset (position p is row (p % blowup)·n + p / blowup)
    let layout = dft::RowLayout::of(&coefficients);
    let stored: Option<Vec<Felt>> = match storage {
        LdeStorage::Stored => Some(report.time("trace LDE", || dft::lde_cosets(&coefficients, blowup))),
        LdeStorage::Streamed => None,
    };
    let trace_leaves = stored.as_deref().map(|rows| stored_leaves::<H>(rows, &layout, n, blowup));
    let trace_tree = match &trace_leaves {
        Some(leaves) => report.time("trace commitment", || {
            PartialTree::<H>::build(lde_size, RECOMPUTED_LEVELS, leaves).map_err(commitment_error)
        })?,
        None => commit_cosets::<H>(&coefficients, blowup, report, ("trace LDE", "trace commitment"))?,
    };
    let challenges = transcript.commit_main_trace::<E, A>(*trace_tree.root(), air)?;

    // --- 1b. auxiliary segment, built from transcript challenges ---------------------------
    // the auxiliary LDE is stored like the trace's: its varying base coordinates, coset by coset
    let (aux_coefficients, aux_layout, aux_stored) = if aux_width > 0 {
        let aux =
            report.time("auxiliary segment", || air.build_aux(columns.as_deref().unwrap_or_default(), &challenges));
        drop(columns.take());
        if aux.len() != aux_width || aux.iter().any(|c| c.len() != n) {
            return Err(ProverError::TraceShape);
        }
        let (coeffs, stored) = report.time("auxiliary segment", || {
            let coeffs = dft::interpolate_columns(&coordinates(&aux));
            let stored = dft::lde_cosets(&coeffs, blowup);
            (coeffs, stored)
        });
        let layout = dft::RowLayout::of(&coeffs);
        (Some(coeffs), layout, stored)
    } else {
        (None, dft::RowLayout::from_columns(&[]), Vec::new())
    };
    let aux_leaves = (aux_width > 0).then(|| stored_leaves::<H>(&aux_stored, &aux_layout, n, blowup));
    let aux_tree = match &aux_leaves {
        Some(leaves) => {
            let tree = report.time("auxiliary segment", || {
                PartialTree::<H>::build(lde_size, RECOMPUTED_LEVELS, leaves).map_err(commitment_error)
            })?;
            transcript.commit_aux_trace(*tree.root());
            Some(tree)
        }
        None => None,
    };

    // --- 2. constraint evaluation and composition polynomial ---------------------------------
    let alphas = transcript.draw_constraint_coefficients::<E>(num_constraints(air))?;
    // Q on the first num_chunks cosets of the LDE domain: as many values as Q has coefficients
    let quotient: Vec<Vec<E>> = evaluate_composition::<E, A>(
        air,
        &coefficients,
        &layout,
        stored.as_deref(),
        (&aux_stored, &aux_layout),
        num_chunks,
        blowup,
        &alphas,
        &challenges,
        report,
    );
    // the composition LDE is hashed one coset at a time and not kept: the few rows the queries
    // open are evaluated from the columns' coefficients (as the streamed trace LDE's are)
    let chunks = report.time("composition columns", || composition_columns(&quotient, n, blowup));
    drop(quotient);
    let composition_tree = commit_cosets::<H>(&chunks, blowup, report, ("composition LDE", "composition commitment"))?;
    let z = transcript.commit_composition::<E>(*composition_tree.root())?;

    // --- 3. out-of-domain evaluation -------------------------------------------------------
    let g = Felt::get_root_of_unity(log_n as u32);
    let zg = z * E::from(g);
    let ood = report.time("out-of-domain evaluation", || {
        let mut frame = evaluate_rows_at_points::<E>(&coefficients, &[z, zg]);
        let next = frame.pop().unwrap_or_default();
        let cur = frame.pop().unwrap_or_default();
        let (aux_cur, aux_next) = match &aux_coefficients {
            Some(c) => {
                let mut frame = evaluate_ext_rows_at_points::<E>(c, &[z, zg]);
                let next = frame.pop().unwrap_or_default();
                (frame.pop().unwrap_or_default(), next)
            }
            None => (Vec::new(), Vec::new()),
        };
        let comp = evaluate_ext_rows_at_points::<E>(&chunks, &[z]).pop().unwrap_or_default();
        Ood { current: cur, next, aux_current: aux_cur, aux_next, composition: comp }
    });
    if checks == Checks::On {
        // the composition columns must agree with the constraints at z (the verifier's check):
        // if they do not, the trace violates a constraint; name it
        let frame =
            OodFrame { current: &ood.current, next: &ood.next, aux_current: &ood.aux_current, aux_next: &ood.aux_next };
        let expected = composition_at(air, frame, &alphas, &challenges, z);
        if expected != Some(combine_composition_columns(&ood.composition, z, n)) {
            // (the columns are gone by now: the row-by-row check runs on their values recomputed
            // from the coefficients)
            check_air_with_challenges(air, &dft::evaluate_columns(&coefficients), &challenges)?;
            return Err(ProverError::CompositionDegree);
        }
    }
    let deep = transcript.send_ood_frame(
        &[&ood.current, &ood.next, &ood.aux_current, &ood.aux_next, &ood.composition],
        main_width + aux_width,
        num_chunks,
    )?;

    // --- 4. DEEP composition and FRI ----------------------------------------------------------
    let deep_evaluations: Vec<E> = report.time("DEEP composition", || {
        deep_composition::<E>(
            &coefficients,
            aux_coefficients.as_ref(),
            aux_width,
            &chunks,
            num_chunks,
            blowup,
            z,
            zg,
            &deep,
        )
    });
    let mut fri_prover = FriProver::<E, FriTranscript<E, H>, H, MerkleVc<H>>::new(options.fri_options()?);
    let mut channel = FriTranscript::<E, H> { transcript, roots: Vec::new(), failed: false, _e: PhantomData };
    report.time("FRI", || fri_prover.build_layers(&mut channel, deep_evaluations));
    if channel.failed {
        return Err(ProverError::Transcript);
    }
    let fri_roots: Vec<[u8; 32]> = channel.roots.iter().map(digest_bytes).collect();
    let mut transcript = channel.transcript;

    // --- 5. grinding and queries -----------------------------------------------------------
    let bits = options.grinding_bits;
    let pow_nonce = report.time("grinding", || {
        let transcript = &transcript;
        (0..u64::MAX).into_par_iter().find_first(|&nonce| transcript.proof_of_work_bits(nonce) >= bits).unwrap_or(0)
    });
    let positions = transcript.draw_query_positions(options.num_queries, lde_size, pow_nonce)?;
    let (fri_layers, fri_remainder, trace_openings, aux_openings, composition_openings) =
        report.time("queries", || {
            let (fri_layers, fri_remainder) =
                fri_openings::<E, H>(fri_prover.build_proof(&positions), lde_size, options.fri_folding_factor)?;
            let omega = Felt::get_root_of_unity(lde_size.trailing_zeros());
            let xs: Vec<Felt> = positions.iter().map(|p| offset * omega.exp(*p as u64)).collect();
            let t = match (&stored, &trace_leaves) {
                (Some(rows), Some(leaves)) => {
                    let values = stored_values(rows, &layout, &positions, n, blowup);
                    open_values::<H>(&trace_tree, Some(leaves), values, &positions)?
                }
                // a tree with its leaves: nothing to recompute
                _ => open_values::<H>(&trace_tree, None, dft::evaluate_at_points(&coefficients, &xs), &positions)?,
            };
            let a = match (&aux_tree, &aux_leaves) {
                (Some(tree), Some(leaves)) => {
                    let values = stored_values(&aux_stored, &aux_layout, &positions, n, blowup);
                    Some(open_values::<H>(tree, Some(leaves), values, &positions)?)
                }
                _ => None,
            };
            let values = dft::evaluate_at_points(&chunks, &xs);
            let c = open_values::<H>(&composition_tree, None, values, &positions)?;
            Ok::<_, ProverError>((fri_layers, fri_remainder, t, a, c))
        })?;

    Ok(Proof {
        options: *options,
        trace_length_log2: log_n,
        trace_root: digest_bytes(trace_tree.root()),
        aux_root: aux_tree.as_ref().map(|t| digest_bytes(t.root())),
        composition_root: digest_bytes(composition_tree.root()),
        num_composition_columns: num_chunks as u8,
        ood_trace_current: E::slice_as_base_elements(&ood.current).to_vec(),
        ood_trace_next: E::slice_as_base_elements(&ood.next).to_vec(),
        ood_aux_current: E::slice_as_base_elements(&ood.aux_current).to_vec(),
        ood_aux_next: E::slice_as_base_elements(&ood.aux_next).to_vec(),
        ood_composition: E::slice_as_base_elements(&ood.composition).to_vec(),
        fri_roots,
        fri_layers,
        fri_remainder,
        pow_nonce,
        trace_openings,
        aux_openings,
        composition_openings,
    })
}

/// The FRI layers' openings and the remainder of winter-fri's proof, in our proof's encoding
/// (step 9): per layer, the opened leaves' values and the batch Merkle proof.
fn fri_openings<E: FieldElement<BaseField = Felt>, H: ElementHasher<BaseField = Felt>>(
    proof: winter_fri::FriProof,
    lde_size: usize,
    folding_factor: usize,
) -> Result<(Vec<Openings>, Vec<Felt>), ProverError> {
    let remainder = proof.parse_remainder::<E>().map_err(|e| ProverError::Commitment(e.to_string()))?;
    let (values, proofs) = proof
        .parse_layers::<E, H, MerkleVc<H>>(lde_size, folding_factor)
        .map_err(|e| ProverError::Commitment(e.to_string()))?;
    let layers = values
        .iter()
        .zip(proofs)
        .map(|(v, p)| Openings { values: E::slice_as_base_elements(v).to_vec(), merkle_proof: p.to_bytes() })
        .collect();
    Ok((layers, E::slice_as_base_elements(&remainder).to_vec()))
}

/// The out-of-domain frame.
struct Ood<E> {
    current: Vec<E>,
    next: Vec<E>,
    aux_current: Vec<E>,
    aux_next: Vec<E>,
    composition: Vec<E>,
}

/// Evaluates every polynomial of a coefficient matrix at each of the points `xs` (one vector
/// per point), reading the matrix once: per column and point, `Σ_k x^k·c_k` is summed as
/// unreduced products of stored values ([`distaff_math::lazy::Accumulator`]) over a block of
/// rows, and columns whose polynomial is constant are not read past their first coefficient.
/// For extension-field points (out of domain); points of the LDE domain, which are base-field
/// elements, go through [`dft::evaluate_at_points`] (Horner's rule in the base field, faster
/// there).
fn evaluate_rows_at_points<E: FieldElement<BaseField = Felt>>(
    coefficients: &dft::Coefficients,
    xs: &[E],
) -> Vec<Vec<E>> {
    use distaff_math::lazy::Accumulator;
    let width = coefficients.width();
    let n = coefficients.height();
    let d = E::EXTENSION_DEGREE;
    let varying = coefficients.varying();
    let matrix = coefficients.varying_matrix();
    const CHUNK: usize = 4096;
    let sums = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let start = chunk * CHUNK;
            let mut acc = vec![Accumulator::default(); xs.len() * varying.len() * d];
            let mut powers: Vec<E> = xs.iter().map(|x| x.exp((start as u64).into())).collect();
            for k in start..(start + CHUNK).min(n) {
                for (q, power) in powers.iter_mut().enumerate() {
                    let p = E::slice_as_base_elements(core::slice::from_ref(power));
                    let acc = &mut acc[q * varying.len() * d..(q + 1) * varying.len() * d];
                    for t in 0..varying.len() {
                        let v = dft::stored(matrix, k, t);
                        for (a, pc) in acc[t * d..(t + 1) * d].iter_mut().zip(p) {
                            a.add_product(pc.inner(), v);
                        }
                    }
                    *power *= xs[q];
                }
            }
            // per point, the varying columns' partial sums
            acc.chunks(d)
                .map(|coords| {
                    let base: [Felt; 3] =
                        core::array::from_fn(|i| coords.get(i).map_or(Felt::ZERO, |a| a.field_combination()));
                    E::slice_from_base_elements(&base[..d])[0]
                })
                .collect::<Vec<E>>()
        })
        .reduce(
            || vec![E::ZERO; xs.len() * varying.len()],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    (0..xs.len())
        .map(|q| {
            // constant polynomials are their first coefficient
            let mut values: Vec<E> = (0..width).map(|c| E::from(coefficients.constant(c))).collect();
            for (t, &c) in varying.iter().enumerate() {
                values[c] = sums[q * varying.len() + t];
            }
            values
        })
        .collect()
}

/// Evaluates the composition quotient `Q` on the first `count` cosets `offset·ω^j·<g>` of the
/// LDE domain (`j < count`; a point's next row `x·g` lies in the same coset), one vector of `n`
/// values per coset, row `r` at the point `offset·ω^j·g^r`. With `count` = the number of
/// composition columns these are exactly as many values as `Q` has coefficients
/// ([`composition_columns`] recovers them). The trace rows come from the stored LDE (laid out
/// coset by coset, [`dft::lde_cosets`]), or (`stored` = `None`) from the LDE recomputed one
/// coset at a time.
#[allow(clippy::too_many_arguments)]
fn evaluate_composition<E, A>(
    air: &A,
    coefficients: &dft::Coefficients,
    layout: &dft::RowLayout,
    stored: Option<&[Felt]>,
    (aux_stored, aux_layout): (&[Felt], &dft::RowLayout),
    count: usize,
    blowup: usize,
    alphas: &[E],
    challenges: &[E],
    report: &mut ProvingReport,
) -> Vec<Vec<E>>
where
    E: FieldElement<BaseField = Felt>,
    A: Air,
{
    let n = air.trace_length();
    let sw = layout.stored_width();
    let lde_size = n * blowup;
    let offset = Felt::GENERATOR;
    let omega = Felt::get_root_of_unity(lde_size.trailing_zeros());
    let g = Felt::get_root_of_unity(n.trailing_zeros());
    let g_last = g.inv();

    // A periodic column of period P repeats with period P·blowup on the LDE domain.
    let columns = air.periodic_columns();
    let polys = periodic_polys(&columns);
    // (periods are powers of two dividing the trace length, checked on entry, as is the blowup)
    let period = columns.iter().map(|c| c.len()).max().unwrap_or(1) * blowup;
    debug_assert!(period.is_power_of_two());
    let periodic: Vec<Vec<Felt>> = (0..period)
        .map(|k| {
            let x = offset * omega.exp(k as u64);
            polys
                .iter()
                .map(|p| {
                    let y = x.exp((n / p.len().max(1)) as u64);
                    polynom::eval(p, y)
                })
                .collect()
        })
        .collect();

    let start = Instant::now();
    let compiled = symbolic::Compiled::record(air, layout, Some(aux_layout), challenges);
    let folding = compiled.coefficients(alphas);
    let d = E::EXTENSION_DEGREE;
    // the auxiliary LDE's varying base coordinates, stored coset by coset like the trace's
    let asw = aux_layout.stored_width();
    let mut lde_time = Duration::ZERO;
    let mut out = Vec::with_capacity(count);
    // evaluates coset j, whose row r is stored at rows[r·sw ..] (the varying columns)
    let mut evaluate_coset = |j: usize, rows: &[Felt]| {
        let base = offset * omega.exp(j as u64);
        // x^n − 1 is constant on the coset
        let inv_zn = (base.exp(n as u64) - Felt::ONE).inv();
        let mut values = vec![E::ZERO; n];
        const CHUNK: usize = 1024;
        values.par_chunks_mut(CHUNK).enumerate().for_each(|(chunk, out)| {
            let r0 = chunk * CHUNK;
            let len = out.len();
            let mut x = base * g.exp(r0 as u64);
            let mut xs = Vec::with_capacity(len);
            let mut denoms = Vec::with_capacity(2 * len);
            for _ in 0..len {
                xs.push(x);
                denoms.push(x - Felt::ONE);
                denoms.push(x - g_last);
                x *= g;
            }
            let inv = batch_inversion(&denoms);
            // the constraints, compiled for this trace, a block of points at a time
            let mut scratch = compiled.scratch();
            let mut sums = [[[Accumulator::default(); 3]; 3]; symbolic::BLOCK];
            // (the sizes are powers of two: masks, not divisions, in this hot loop)
            let stored = |r: usize| &rows[(r & (n - 1)) * sw..((r & (n - 1)) + 1) * sw];
            let aux_coset = &aux_stored[j * n * asw..(j + 1) * n * asw];
            let aux = |r: usize| &aux_coset[(r & (n - 1)) * asw..((r & (n - 1)) + 1) * asw];
            for k0 in (0..len).step_by(symbolic::BLOCK) {
                let block = symbolic::BLOCK.min(len - k0);
                let r0 = r0 + k0;
                sums[..block].iter_mut().for_each(|s| *s = Default::default());
                compiled.evaluate(
                    block,
                    |i| stored(r0 + i),
                    |i| stored(r0 + i + 1),
                    |i| &periodic[(j + blowup * (r0 + i)) & (period - 1)],
                    |i| aux(r0 + i),
                    |i| aux(r0 + i + 1),
                    &folding,
                    d,
                    &mut scratch,
                    &mut sums[..block],
                );
                for (i, sum) in sums[..block].iter().enumerate() {
                    let k = k0 + i;
                    let [transition, first, last] = crate::fold::finish_sums::<E>(sum);
                    let t = (xs[k] - g_last) * inv_zn;
                    out[k] = transition.mul_base(t) + first.mul_base(inv[2 * k]) + last.mul_base(inv[2 * k + 1]);
                }
            }
        });
        out.push(values);
    };
    match stored {
        Some(rows) => {
            // stored coset by coset: coset j is the j-th block of n rows
            for j in 0..count {
                evaluate_coset(j, &rows[j * n * sw..(j + 1) * n * sw]);
            }
        }
        None => {
            let mut last_callback = Instant::now();
            dft::for_each_coset(coefficients, blowup, count, |j, rows| {
                lde_time += last_callback.elapsed();
                evaluate_coset(j, rows);
                last_callback = Instant::now();
            });
            report.add("trace LDE", lde_time);
        }
    }
    report.add("constraint evaluation", start.elapsed() - lde_time);
    out
}

/// The coefficients of the composition columns `H_0, …, H_(m−1)` (degree < n each, with
/// `Q(x) = Σ x^(i·n)·H_i(x)`) from `Q`'s values on the first `m` cosets of the LDE domain
/// ([`evaluate_composition`]), as a matrix whose column `i·d + c` is coordinate `c` of `H_i`.
///
/// On coset `j` (points `y_j·g^r`), `x^n` is the constant `c_j = y_j^n`, so `Q` agrees there
/// with the polynomial `P_j = Σ_i c_j^i·H_i` of degree < n: interpolating each coset gives the
/// `P_j`, and since the `c_j` are distinct (`ω^n` has order `blowup > m`), the Vandermonde
/// system `P_j = Σ_i c_j^i·H_i` yields the `H_i`, coefficient by coefficient. This needs `m`
/// cosets where interpolating `Q` over a power-of-two domain would need the next power of two.
fn composition_columns<E: FieldElement<BaseField = Felt>>(
    quotient: &[Vec<E>],
    n: usize,
    blowup: usize,
) -> dft::Coefficients {
    let m = quotient.len();
    let d = E::EXTENSION_DEGREE;
    let omega = Felt::get_root_of_unity((n * blowup).trailing_zeros());
    let shifts: Vec<Felt> = (0..m).map(|j| Felt::GENERATOR * omega.exp(j as u64)).collect();
    let interpolated: Vec<dft::Matrix64> = quotient
        .iter()
        .zip(&shifts)
        .map(|(q, y)| dft::interpolate_coset_rows(E::slice_as_base_elements(q), d, *y))
        .collect();
    // H = V⁻¹·P with V[j][i] = c_j^i
    let c: Vec<Felt> = shifts.iter().map(|y| y.exp(n as u64)).collect();
    let v: Vec<Vec<Felt>> = c.iter().map(|cj| (0..m).map(|i| cj.exp(i as u64)).collect()).collect();
    let v_inv = invert_matrix(v);
    let values = crate::memory::filled(n * m * d, |rows| {
        rows.par_chunks_mut(m * d).enumerate().for_each(|(k, row)| {
            for i in 0..m {
                for coord in 0..d {
                    let mut acc = Felt::ZERO;
                    for j in 0..m {
                        acc += v_inv[i][j] * dft::coefficient(&interpolated[j], k, coord);
                    }
                    row[i * d + coord].write(acc);
                }
            }
        });
    });
    dft::coefficient_matrix(&values, m * d)
}

/// The inverse of an invertible square matrix (Gauss–Jordan elimination; the composition's
/// Vandermonde matrix is at most 8×8).
fn invert_matrix(mut a: Vec<Vec<Felt>>) -> Vec<Vec<Felt>> {
    let m = a.len();
    let mut inv: Vec<Vec<Felt>> =
        (0..m).map(|i| (0..m).map(|j| if i == j { Felt::ONE } else { Felt::ZERO }).collect()).collect();
    for col in 0..m {
        let pivot = (col..m).find(|&r| a[r][col] != Felt::ZERO).expect("the Vandermonde matrix is invertible");
        a.swap(col, pivot);
        inv.swap(col, pivot);
        let p = a[col][col].inv();
        for j in 0..m {
            a[col][j] *= p;
            inv[col][j] *= p;
        }
        for r in 0..m {
            if r != col && a[r][col] != Felt::ZERO {
                let f = a[r][col];
                for j in 0..m {
                    let (x, y) = (a[col][j], inv[col][j]);
                    a[r][j] -= f * x;
                    inv[r][j] -= f * y;
                }
            }
        }
    }
    inv
}

/// Evaluates FRI's input, the DEEP composition polynomial times the degree correction, over the
/// LDE domain.
///
/// `D(X) = (A(X) − A(z))/(X − z) + (B(X) − B(z·g))/(X − z·g)` with `A = Σ γ_j·T_j + Σ δ_k·H_k`
/// (every trace and auxiliary column, and the composition columns) and `B = Σ γ'_j·T_j`, where
/// `A(z)` and `B(z·g)` are the combinations of the out-of-domain values. All of it is done on
/// coefficients: `A` and `B` are linear combinations of coefficient vectors, each division is a
/// synthetic division (exact, since `A(z)` and `B(z·g)` are the values there), `D`, of degree
/// at most `n − 2`, is multiplied by `1 + β·X` ([`degree_correction`]) and the product, of
/// fewer than `n` coefficients, is extended once: two base coordinates per point instead of
/// every column's value and two inversions per point.
#[allow(clippy::too_many_arguments)]
fn deep_composition<E: FieldElement<BaseField = Felt>>(
    coefficients: &dft::Coefficients,
    aux_coefficients: Option<&dft::Coefficients>,
    aux_width: usize,
    chunks: &dft::Coefficients,
    num_chunks: usize,
    blowup: usize,
    z: E,
    zg: E,
    deep: &DeepCoefficients<E>,
) -> Vec<E> {
    let width = coefficients.width();
    let n = coefficients.height();
    let d = E::EXTENSION_DEGREE;
    let matrix = coefficients.varying_matrix();
    let (gamma, gamma_next, delta) = (&deep.current, &deep.next, &deep.composition);
    // an extension coefficient of a matrix of base coordinates (column j·d + c is coordinate c)
    let ext = |m: &dft::Coefficients, k: usize, j: usize| -> E {
        let coords: [Felt; 3] = core::array::from_fn(|c| if c < d { m.coefficient(k, j * d + c) } else { Felt::ZERO });
        E::slice_from_base_elements(&coords[..d])[0]
    };
    // A and B, row k = the coefficients of x^k; the main trace's part lazily reduced (one
    // reduction per coordinate and row; constant columns only add to row 0)
    let varying = coefficients.varying();
    let pairs: Vec<E> = varying.iter().flat_map(|&j| [gamma[j], gamma_next[j]]).collect();
    let weights = crate::fold::raw_coefficients(&pairs);
    let mut a_coeffs = vec![E::ZERO; n];
    let mut b_coeffs = vec![E::ZERO; n];
    a_coeffs.par_iter_mut().zip(b_coeffs.par_iter_mut()).enumerate().for_each(|(k, (a, b))| {
        let mut acc = [distaff_math::lazy::Accumulator::default(); 6];
        for t in 0..varying.len() {
            let c = dft::stored(matrix, k, t);
            let (wa, wb) = (&weights[2 * t], &weights[2 * t + 1]);
            for i in 0..d {
                acc[i].add_product(wa[i], c);
                acc[d + i].add_product(wb[i], c);
            }
        }
        let coords: [Felt; 6] = core::array::from_fn(|i| acc[i].field_combination());
        *a = E::slice_from_base_elements(&coords[..d])[0];
        *b = E::slice_from_base_elements(&coords[d..2 * d])[0];
        if let Some(aux) = aux_coefficients {
            for j in 0..aux_width {
                let c = ext(aux, k, j);
                *a += gamma[width + j] * c;
                *b += gamma_next[width + j] * c;
            }
        }
        for (i, delta) in delta.iter().enumerate().take(num_chunks) {
            *a += *delta * ext(chunks, k, i);
        }
    });
    for j in (0..width).filter(|j| varying.binary_search(j).is_err()) {
        let c = coefficients.constant(j);
        a_coeffs[0] += gamma[j].mul_base(c);
        b_coeffs[0] += gamma_next[j].mul_base(c);
    }
    // (P(X) − P(y))/(X − y), in place: the quotient's coefficients, from the top down
    let divide = |p: &mut Vec<E>, y: E| {
        let mut carry = E::ZERO;
        for c in p.iter_mut().rev() {
            let next = *c + carry * y;
            *c = carry;
            carry = next;
        }
    };
    rayon::join(|| divide(&mut a_coeffs, z), || divide(&mut b_coeffs, zg));
    // F = D·(1 + β·X): coefficient k is d_k + β·d_(k−1) (D's top coefficient, of X^(n−1), is 0)
    let beta = deep.degree_correction;
    let mut values = vec![Felt::ZERO; n * d];
    values.par_chunks_mut(d).enumerate().for_each(|(k, row)| {
        let mut f = a_coeffs[k] + b_coeffs[k];
        if k > 0 {
            f += beta * (a_coeffs[k - 1] + b_coeffs[k - 1]);
        }
        row.copy_from_slice(E::slice_as_base_elements(&[f]));
    });
    drop((a_coeffs, b_coeffs));
    let rows = dft::lde_rows(&dft::coefficient_matrix(&values, d), blowup);
    E::slice_from_base_elements(&rows).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_composition_is_the_pointwise_definition() {
        let (n, blowup) = (16usize, 8usize);
        let q = |a: u64, b: u64| QuadFelt::new(Felt::new(a), Felt::new(b));
        let column =
            |seed: u64| -> Vec<Felt> { (0..n as u64).map(|r| Felt::new(seed * 1_000_003 + r * r * 17 + 5)).collect() };
        // five main columns, one of them constant
        let mut main: Vec<Vec<Felt>> = (1..5).map(column).collect();
        main.insert(2, vec![Felt::new(42); n]);
        let coefficients = dft::interpolate_columns(&main);
        let aux: Vec<Vec<QuadFelt>> =
            (0..2u64).map(|j| (0..n as u64).map(|r| q(r * 3 + j, r ^ (j + 9))).collect()).collect();
        let aux_coefficients = dft::interpolate_columns(&coordinates(&aux));
        let chunks_values: Vec<Felt> = (0..n as u64 * 3 * 2).map(|i| Felt::new(i * i * 7 + 1)).collect();
        let chunks = dft::coefficient_matrix(&chunks_values, 3 * 2);
        let (width, aux_width, num_chunks) = (main.len(), aux.len(), 3);
        let c = |i: usize| q(i as u64 * 31 + 7, i as u64 + 100);
        let deep = DeepCoefficients {
            current: (0..width + aux_width).map(c).collect(),
            next: (width + aux_width..2 * (width + aux_width)).map(c).collect(),
            composition: (0..num_chunks).map(|i| c(100 + i)).collect(),
            degree_correction: c(1000),
        };
        let z = q(123_456_789, 987_654_321);
        let zg = z * QuadFelt::from(Felt::get_root_of_unity(n.trailing_zeros()));
        let values = deep_composition::<QuadFelt>(
            &coefficients,
            Some(&aux_coefficients),
            aux_width,
            &chunks,
            num_chunks,
            blowup,
            z,
            zg,
            &deep,
        );
        // A = Σ γ_j T_j + Σ δ_k H_k and B = Σ γ'_j T_j, each at a point
        let (gamma, gamma_next, delta) = (&deep.current, &deep.next, &deep.composition);
        let parts = |x: QuadFelt| -> (QuadFelt, QuadFelt) {
            let t = evaluate_rows_at_points(&coefficients, &[x]).pop().unwrap();
            let a_ = evaluate_ext_rows_at_points::<QuadFelt>(&aux_coefficients, &[x]).pop().unwrap();
            let h = evaluate_ext_rows_at_points::<QuadFelt>(&chunks, &[x]).pop().unwrap();
            let all: Vec<QuadFelt> = t.into_iter().chain(a_).collect();
            let a = all.iter().zip(gamma).map(|(v, g)| *v * *g).fold(QuadFelt::ZERO, |s, v| s + v)
                + h.iter().zip(delta).map(|(v, g)| *v * *g).fold(QuadFelt::ZERO, |s, v| s + v);
            let b = all.iter().zip(gamma_next).map(|(v, g)| *v * *g).fold(QuadFelt::ZERO, |s, v| s + v);
            (a, b)
        };
        let (a_z, _) = parts(z);
        let (_, b_zg) = parts(zg);
        let omega = Felt::get_root_of_unity((n * blowup).trailing_zeros());
        assert_eq!(values.len(), n * blowup);
        for (p, value) in values.iter().enumerate() {
            let x = QuadFelt::from(Felt::GENERATOR * omega.exp(p as u64));
            let (a, b) = parts(x);
            let expected = ((a - a_z) / (x - z) + (b - b_zg) / (x - zg)) * degree_correction(deep.degree_correction, x);
            assert_eq!(*value, expected, "position {p}");
        }
    }

    #[test]
    fn composition_columns_are_recovered_from_as_many_cosets() {
        let (n, blowup, m) = (16usize, 8usize, 7usize);
        // H_i with coefficients h_i[k] (quadratic extension)
        let h: Vec<Vec<QuadFelt>> = (0..m)
            .map(|i| {
                (0..n)
                    .map(|k| QuadFelt::new(Felt::new((i * 31 + k * 7 + 1) as u64), Felt::new((i * k) as u64 ^ 0xFFFF)))
                    .collect()
            })
            .collect();
        let omega = Felt::get_root_of_unity((n * blowup).trailing_zeros());
        let g = Felt::get_root_of_unity(n.trailing_zeros());
        // Q = Σ x^(i·n)·H_i on cosets 0..m
        let quotient: Vec<Vec<QuadFelt>> = (0..m)
            .map(|j| {
                (0..n)
                    .map(|r| {
                        let x = QuadFelt::from(Felt::GENERATOR * omega.exp(j as u64) * g.exp(r as u64));
                        let xn = x.exp(n as u64);
                        let mut acc = QuadFelt::ZERO;
                        for hi in h.iter().rev() {
                            acc = acc * xn + polynom::eval(hi, x);
                        }
                        acc
                    })
                    .collect()
            })
            .collect();
        let chunks = composition_columns(&quotient, n, blowup);
        for i in 0..m {
            for k in 0..n {
                let coords = [chunks.coefficient(k, 2 * i), chunks.coefficient(k, 2 * i + 1)];
                assert_eq!(QuadFelt::slice_from_base_elements(&coords)[0], h[i][k], "H_{i}, coefficient {k}");
            }
        }
    }
}
