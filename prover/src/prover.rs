//! The proving procedure.

use std::borrow::Cow;
use std::marker::PhantomData;

use crate::dft;
use std::time::{Duration, Instant};

use crate::hash::{RowHasher, Salted, Stored};
use crate::merkle::{LeafFn, Leaves, PartialTree};
use crate::symbolic;
use crate::zk::{Purpose, Randomness, Salts};
use distaff_air::air::num_constraints;
use distaff_air::debug::{check_air_with_challenges, ConstraintFailure};
use distaff_air::layout::{FULL_TRACE_WIDTH, TRACE_WIDTH};
use distaff_air::{Air, ProcessorAir, Program, PublicInputs, MAX_OUTPUTS, MAX_TRACE_LENGTH_LOG2, MIN_TRACE_LENGTH};
use distaff_math::lazy::Accumulator;
use distaff_math::{batch_inversion, polynom, CubeFelt, Felt, FieldElement, QuadFelt, StarkField};
use distaff_processor::{build_trace_with_min_length, ExecutionError, ProgramInputs};
use distaff_verifier::merkle::{BoundedBatchProof, MerkleVc};
use distaff_verifier::proof::Openings;
#[cfg(test)]
use distaff_verifier::protocol::degree_correction;
use distaff_verifier::protocol::{combine_composition_columns, composition_at, periodic_polys, OodFrame, ScaleBy};
use distaff_verifier::shape::{hiding_options, ProofShape, MIN_HIDING_TRACE_LENGTH};
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
    /// The options do not fit the trace (a blowup below what the constraint degree needs, or a
    /// hiding proof of a trace shorter than its masks allow).
    #[error("the options do not fit this trace: {0}")]
    Shape(distaff_verifier::VerificationError),
    /// The proof would need more memory than [`ProverSettings::max_memory`] allows: checked
    /// before the trace is built, for the least a trace of its length needs
    /// ([`least_memory`]), and once it is built, before its LDE, for what it needs.
    #[error("proving this trace of {trace_length} rows needs about {} MiB of memory, but the limit is {} MiB (with the streamed LDE it needs about {} MiB)", needed >> 20, limit >> 20, streamed >> 20)]
    Memory {
        /// Rows in the trace.
        trace_length: usize,
        /// The estimate for the storage asked for, in bytes.
        needed: u64,
        /// The limit, in bytes.
        limit: u64,
        /// The estimate with [`LdeStorage::Streamed`], in bytes.
        streamed: u64,
    },
    /// The operating system gave no randomness for a hiding proof.
    #[error("no randomness for a hiding proof: {0}")]
    Randomness(String),
    /// The transcript failed to produce a challenge (astronomically unlikely).
    #[error("the transcript could not produce a challenge")]
    Transcript,
    /// Internal Merkle error.
    #[error("commitment failed: {0}")]
    Commitment(String),
}

/// A function told the name of each proving phase as it starts (for a progress display).
pub type Progress = std::sync::Arc<dyn Fn(&'static str) + Send + Sync>;

/// What a proof cost.
#[derive(Clone, Default)]
pub struct ProvingReport {
    /// Time per phase, in order of first occurrence (a phase entered twice is summed).
    pub phases: Vec<(&'static str, Duration)>,
    /// Rows in the trace.
    pub trace_length: usize,
    /// Cycles executed.
    pub cycles: usize,
    /// Conjectured security of the proof, in bits.
    pub security_bits: u32,
    /// The options the proof was made with (a hiding proof may have more queries than asked
    /// for).
    pub options: Option<ProofOptions>,
    /// Main trace columns whose LDE the prover stores: those whose values are not all equal
    /// (see [`estimated_memory`]).
    pub stored_columns: usize,
    /// Auxiliary columns, counted by base coordinates (their LDE is always stored).
    pub aux_columns: usize,
    /// Told each phase as it starts ([`ProverSettings::progress`]).
    progress: Option<Progress>,
}

impl core::fmt::Debug for ProvingReport {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ProvingReport")
            .field("phases", &self.phases)
            .field("trace_length", &self.trace_length)
            .field("cycles", &self.cycles)
            .field("security_bits", &self.security_bits)
            .field("options", &self.options)
            .field("stored_columns", &self.stored_columns)
            .field("aux_columns", &self.aux_columns)
            .finish()
    }
}

impl ProvingReport {
    /// An empty report that tells `settings`' progress function each phase.
    fn for_settings(settings: &ProverSettings) -> Self {
        ProvingReport { progress: settings.progress.clone(), ..Default::default() }
    }

    /// Tells the progress function that phase `name` starts.
    fn begin(&self, name: &'static str) {
        if let Some(progress) = &self.progress {
            progress(name);
        }
    }

    fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        self.begin(name);
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
    /// 0.55 GB of F(86181)'s 0.93 GB peak, a 2^18-row trace at blowup 8). The fastest up to
    /// 2^18 rows (at 2^20, where it pages heavily, the streamed LDE is faster).
    #[default]
    Stored,
    /// Never hold more than one coset of it: compute it coset by coset twice (to commit, then
    /// to evaluate the constraints) and evaluate the opened rows from the coefficients. About
    /// half the peak memory (F(86181): 0.52 GB), at the cost of a second LDE pass.
    Streamed,
}

/// An estimate of the prover's peak memory, in bytes, for a trace of `trace_length` rows of
/// which `stored_columns` main columns have their LDE stored ([`ProvingReport::stored_columns`]:
/// the columns whose values are not all equal; a column that holds one value on every row is
/// never stored, hiding or not), with `aux_columns` auxiliary base coordinates
/// ([`ProvingReport::aux_columns`]). The whole process's peak, fitted as
/// `(a + b·columns + c·aux + d·[aux > 0])·rows` to hiding proofs (blowup 8, quadratic
/// extension, 2 threads) and rounded up so that it is not below any of them:
///
/// | trace | rows | columns, aux | stored LDE: peak | estimate | streamed: peak | estimate |
/// |---|---|---|---:|---:|---:|---:|
/// | Fibonacci | 2^16 | 33, 0 | 226 MiB | 244 | 134 MiB | 149 |
/// | Fibonacci | 2^18 | 33, 0 | 888 MiB | 926 | 520 MiB | 548 |
/// | Fibonacci | 2^20 | 33, 0 | 3547 MiB | 3656 | 2075 MiB | 2146 |
/// | Fibonacci in a loop (control stack) | 2^20 | 41, 2 | 4447 MiB | 4516 | 2543 MiB | 2586 |
/// | Fibonacci in a loop | 2^22 | 41, 2 | | | 10215 MiB | 10296 |
/// | `mem_load` chain (memory variant) | 2^14 | 34, 10 | 81 MiB | 91 | 57 MiB | 65 |
/// | `mem_load` chain | 2^16 | 34, 10 | 303 MiB | 317 | 199 MiB | 212 |
/// | `mem_load` chain | 2^18 | 34, 10 | 1189 MiB | 1221 | 776 MiB | 801 |
///
/// It is scaled by the blowup and (for the cubic extension) the larger extension elements.
/// Front ends use it (through [`ProverSettings::max_memory`]) to refuse a proof that cannot
/// fit rather than be killed for running out of memory.
pub fn estimated_memory(
    trace_length: usize,
    stored_columns: usize,
    aux_columns: usize,
    options: &ProofOptions,
    storage: LdeStorage,
) -> u64 {
    let (columns, aux) = (stored_columns as u64, aux_columns as u64);
    // (with an auxiliary segment the streamed prover also holds the auxiliary LDE, and the
    // trace until the segment is built)
    let per_row: u64 = match storage {
        LdeStorage::Stored => 1_000 + 80 * columns + 110 * aux,
        LdeStorage::Streamed => 1_800 + 10 * columns + 80 * aux + if aux > 0 { 200 } else { 0 },
    };
    let blowup = options.blowup_factor.max(1) as u64;
    let extension = match options.extension {
        FieldExtension::Quadratic => 4,
        FieldExtension::Cubic => 5,
    };
    let lde = (trace_length as u64).saturating_mul(per_row).saturating_mul(blowup) / 8 * extension / 4;
    lde.saturating_add(16 << 20)
}

/// The least [`estimated_memory`] of any proof of a VM trace of `trace_length` rows: the
/// estimate for a trace that stores only the columns every execution varies (the 12 of the
/// sponge state, which hashes the program), what a front end can check before the trace is
/// built ([`prove_with_settings`] does, when given a limit).
pub fn least_memory(trace_length: usize, options: &ProofOptions, storage: LdeStorage) -> u64 {
    estimated_memory(trace_length, distaff_air::layout::HASHER_WIDTH, 0, options, storage)
}

/// Refuses ([`ProverError::Memory`]) a proof of a trace of `n` rows whose memory estimate for
/// the settings' storage, `estimate(storage)`, exceeds [`ProverSettings::max_memory`] (the
/// error also gives the streamed estimate).
fn refuse_over_limit(
    settings: &ProverSettings,
    n: usize,
    estimate: impl Fn(LdeStorage) -> u64,
) -> Result<(), ProverError> {
    let Some(limit) = settings.max_memory else { return Ok(()) };
    let needed = estimate(settings.storage);
    if needed > limit {
        let streamed = estimate(LdeStorage::Streamed);
        return Err(ProverError::Memory { trace_length: n, needed, limit, streamed });
    }
    Ok(())
}

/// How the prover works: what the default entry points use, and what tests and benchmarks may
/// change. None of it changes what a proof shows.
#[derive(Clone)]
pub struct ProverSettings {
    /// How the trace LDE is held.
    pub storage: LdeStorage,
    /// Whether the prover checks its own trace first.
    pub checks: Checks,
    /// Where a hiding proof's randomness comes from.
    pub seed: Seed,
    /// Refuse ([`ProverError::Memory`]) a proof whose [`estimated_memory`] exceeds this many
    /// bytes (checked once the trace is built: its columns say how much the LDE stores).
    pub max_memory: Option<u64>,
    /// Told the name of each phase as it starts, from the thread that proves.
    pub progress: Option<Progress>,
}

/// The seed of a hiding proof's masks and salts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Seed {
    /// A fresh seed from the operating system for every proof (the default). There is no way
    /// to hand the prover an operating-system seed to reuse: two proofs with one seed, of
    /// different secrets, reveal the secrets (the masks cancel).
    #[default]
    Os,
    /// A fixed seed, **for tests only**: reproducible hiding proofs.
    InsecureFixedForTesting([u8; 32]),
}

impl Default for ProverSettings {
    fn default() -> Self {
        ProverSettings {
            storage: LdeStorage::Stored,
            checks: Checks::On,
            seed: Seed::Os,
            max_memory: None,
            progress: None,
        }
    }
}

/// Executes `program` on `inputs` and proves the execution, claiming the top `num_outputs`
/// stack values as outputs. Returns the outputs, the proof and a cost report.
///
/// With hiding options (the presets' default), the proof is zero-knowledge: see
/// `distaff_verifier::shape` for what it hides and what it reveals. Its options may have more
/// queries than `options` names ([`distaff_verifier::shape::hiding_options`]): the proof's own
/// options, in the proof and in the report, say how many.
pub fn prove(
    program: &Program,
    inputs: &ProgramInputs,
    num_outputs: usize,
    options: &ProofOptions,
) -> Result<(Vec<Felt>, Proof, ProvingReport), ProverError> {
    prove_with_settings(program, inputs, num_outputs, options, &ProverSettings::default())
}

/// [`prove`] with a choice of how the trace LDE is held ([`LdeStorage`]).
pub fn prove_with(
    program: &Program,
    inputs: &ProgramInputs,
    num_outputs: usize,
    options: &ProofOptions,
    storage: LdeStorage,
) -> Result<(Vec<Felt>, Proof, ProvingReport), ProverError> {
    prove_with_settings(program, inputs, num_outputs, options, &ProverSettings { storage, ..Default::default() })
}

/// [`prove`] with [`ProverSettings`].
pub fn prove_with_settings(
    program: &Program,
    inputs: &ProgramInputs,
    num_outputs: usize,
    options: &ProofOptions,
    settings: &ProverSettings,
) -> Result<(Vec<Felt>, Proof, ProvingReport), ProverError> {
    if num_outputs > MAX_OUTPUTS {
        return Err(ProverError::TooManyOutputs(num_outputs));
    }
    options.validate()?;
    let mut report = ProvingReport::for_settings(settings);
    // a hiding proof needs a trace of some length (padded with halted rows): at least 2^10
    // rows, more if the options' queries make the masks too long for it
    let mut min_length = if options.hiding { MIN_HIDING_TRACE_LENGTH } else { 0 };
    // the program runs once without recording (for Fibonacci a hundredth of the time building
    // the trace takes; for a program of `hperm`s, whose permutations dominate both, a third), so
    // that a failing execution (an endless loop runs to the 2^24-cycle limit) fails before any
    // trace is recorded, and an execution too long to prove here is refused before its trace is
    // built (the trace of 2^24 cycles alone is 8 GiB)
    let run = report.time("execution", || distaff_processor::execute(program, inputs))?;
    let n = run.trace_length.max(min_length);
    refuse_over_limit(settings, n, |storage| least_memory(n, options, storage))?;
    let mut trace = report.time("execution", || build_trace_with_min_length(program, inputs, min_length))?;
    while options.hiding && trace.length() < 1 << 20 {
        let air = ProcessorAir::for_trace(trace.public_inputs(num_outputs), trace.columns());
        if hiding_options(&air, options).and_then(|o| ProofShape::new(&air, &o)).is_ok() {
            break;
        }
        min_length = 2 * trace.length();
        trace = report.time("execution", || build_trace_with_min_length(program, inputs, min_length))?;
    }
    report.cycles = trace.cycles();
    let public = trace.public_inputs(num_outputs);
    // the prover owns the columns, so it can free them as soon as it no longer needs them
    let columns = Cow::Owned(trace.into_columns());
    let proof = prove_trace_with_report(columns, &public, options, settings, &mut report)?;
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
    prove_trace_with(columns, public, options, &ProverSettings { checks, ..Default::default() })
}

/// [`prove_trace`] with [`ProverSettings`].
pub fn prove_trace_with(
    columns: &[Vec<Felt>],
    public: &PublicInputs,
    options: &ProofOptions,
    settings: &ProverSettings,
) -> Result<Proof, ProverError> {
    prove_trace_with_report(
        Cow::Borrowed(columns),
        public,
        options,
        settings,
        &mut ProvingReport::for_settings(settings),
    )
}

fn prove_trace_with_report(
    columns: Cow<'_, [Vec<Felt>]>,
    public: &PublicInputs,
    options: &ProofOptions,
    settings: &ProverSettings,
    report: &mut ProvingReport,
) -> Result<Proof, ProverError> {
    if public.outputs.len() > MAX_OUTPUTS || public.inputs.len() > distaff_air::MAX_PUBLIC_INPUTS {
        return Err(ProverError::TooManyOutputs(public.outputs.len()));
    }
    if columns.len() != TRACE_WIDTH && columns.len() != FULL_TRACE_WIDTH {
        return Err(ProverError::TraceShape);
    }
    let air = ProcessorAir::for_trace(public.clone(), &columns);
    prove_air_with_report(&air, columns, options, settings, report)
}

/// Proves that `columns` (column-major) satisfies any [`Air`]; the auxiliary segment, if the
/// AIR has one, is built by [`Air::build_aux`] from transcript challenges.
pub fn prove_air<A: Air>(
    air: &A,
    columns: &[Vec<Felt>],
    options: &ProofOptions,
    checks: Checks,
) -> Result<Proof, ProverError> {
    prove_air_with(air, columns, options, &ProverSettings { checks, ..Default::default() })
}

/// [`prove_air`] with [`ProverSettings`].
pub fn prove_air_with<A: Air>(
    air: &A,
    columns: &[Vec<Felt>],
    options: &ProofOptions,
    settings: &ProverSettings,
) -> Result<Proof, ProverError> {
    prove_air_with_report(air, Cow::Borrowed(columns), options, settings, &mut ProvingReport::for_settings(settings))
}

fn prove_air_with_report<A: Air>(
    air: &A,
    columns: Cow<'_, [Vec<Felt>]>,
    options: &ProofOptions,
    settings: &ProverSettings,
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
    // a hiding proof pays for its masks' degree with queries (see hiding_options)
    let options = &hiding_options(air, options).map_err(ProverError::Shape)?;
    let shape = ProofShape::new(air, options).map_err(ProverError::Shape)?;
    report.trace_length = n;
    report.security_bits = options.security_bits(n, shape.fri.bound);
    report.options = Some(*options);
    let randomness = match (settings.seed, options.hiding) {
        (_, false) => None,
        (Seed::InsecureFixedForTesting(seed), true) => Some(Randomness::insecure_fixed_seed_for_testing(seed)),
        (Seed::Os, true) => Some(Randomness::from_os().map_err(|e| ProverError::Randomness(e.to_string()))?),
    };
    let randomness = randomness.as_ref();
    match (options.extension, options.hash) {
        (FieldExtension::Quadratic, HashFunction::Blake3_256) => {
            prove_generic::<QuadFelt, Blake3_256<Felt>, A>(air, columns, options, settings, randomness, report)
        }
        (FieldExtension::Quadratic, HashFunction::Rp64_256) => {
            prove_generic::<QuadFelt, Rp64_256, A>(air, columns, options, settings, randomness, report)
        }
        (FieldExtension::Cubic, HashFunction::Blake3_256) => {
            prove_generic::<CubeFelt, Blake3_256<Felt>, A>(air, columns, options, settings, randomness, report)
        }
        (FieldExtension::Cubic, HashFunction::Rp64_256) => {
            prove_generic::<CubeFelt, Rp64_256, A>(air, columns, options, settings, randomness, report)
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

/// The commit floor of a trace shape: the time to interpolate `columns` pseudo-random columns
/// of `trace_length` rows, extend them over the LDE (`options.blowup_factor`, stored coset by
/// coset) and commit to the rows with `options.hash`, as the prover does with a main trace
/// whose LDE it stores (without masks or salts). A proof of a trace with that many stored
/// columns does all of this and more, so proving time ÷ floor, measured in the same run, says
/// how close the prover is to the cost of committing at all, whatever the machine's speed
/// that minute (`perf-report` prints it for every row). Building the random trace is not timed.
pub fn commit_floor(trace_length: usize, columns: usize, options: &ProofOptions) -> Result<Duration, ProverError> {
    options.validate()?;
    let n = trace_length;
    if columns == 0 || !n.is_power_of_two() || n < MIN_TRACE_LENGTH || n.trailing_zeros() > MAX_TRACE_LENGTH_LOG2 {
        return Err(ProverError::TraceShape);
    }
    // pseudo-random columns (any values do; these come from the prover's own element stream)
    let random = Randomness::insecure_fixed_seed_for_testing([0x5a; 32]);
    let trace: Vec<Vec<Felt>> = (0..columns).map(|c| random.elements(Purpose::MainMask, c as u64, n)).collect();
    fn floor<H: RowHasher>(trace: &[Vec<Felt>], blowup: usize) -> Result<Duration, ProverError> {
        let n = trace[0].len();
        let start = Instant::now();
        let coefficients = dft::interpolate_columns(trace);
        let rows = dft::lde_cosets(&coefficients, blowup);
        let layout = dft::RowLayout::of(&coefficients);
        let leaves = stored_leaves::<H>(&rows, &layout, coefficients.extras(), (n, blowup), None);
        let tree = PartialTree::<H>::build(n * blowup, RECOMPUTED_LEVELS, &leaves).map_err(commitment_error)?;
        std::hint::black_box(tree.root());
        Ok(start.elapsed())
    }
    match options.hash {
        HashFunction::Blake3_256 => floor::<Blake3_256<Felt>>(&trace, options.blowup_factor),
        HashFunction::Rp64_256 => floor::<Rp64_256>(&trace, options.blowup_factor),
    }
}

/// Tree levels that a commitment to rows the prover keeps does not store: a path through them
/// is recomputed from `2^4 = 16` rows when it is opened, and the tree is a sixteenth of its
/// full size ([`PartialTree`]).
const RECOMPUTED_LEVELS: u32 = 4;

/// The leaf function of a tree over an LDE stored coset by coset ([`stored_row`]), each row
/// followed by its salt in a hiding proof. The masked constant columns (`extras`, which are
/// not stored) are evaluated at each leaf's point: this function then serves only to recompute
/// the few leaves under an opening ([`commit_stored`] hashes the LDE coset by coset).
fn stored_leaves<'a, H: RowHasher>(
    rows: &'a [Felt],
    layout: &'a dft::RowLayout,
    extras: &'a dft::Extras,
    (n, blowup): (usize, usize),
    salts: Option<Salts<'a>>,
) -> impl Fn(usize, &mut [H::Digest]) + Sync + 'a {
    let stored = Stored::new(rows, layout);
    let omega = Felt::get_root_of_unity((n * blowup).trailing_zeros());
    let hash =
        move |rows: &Stored<'_>, index: &(dyn Fn(usize) -> usize + Sync), start: usize, out: &mut [H::Digest]| {
            match &salts {
                None => H::hash_rows_into(rows, index, out),
                Some(s) => {
                    let salts = s.leaves(start, out.len());
                    let salted = Salted { rows, index, salts: &salts, salt_len: s.salt_len };
                    H::hash_rows_into(&salted, |k| k, out)
                }
            }
        };
    move |start, out| {
        if extras.is_empty() {
            return hash(&stored, &|k| stored_row(start + k, n, blowup), start, out);
        }
        // the leaves' rows gathered, with the masked constant columns at their points
        let sw = layout.stored_width();
        let mut gathered = Vec::with_capacity(out.len() * sw);
        let mut extra = Vec::with_capacity(out.len() * extras.len());
        for p in start..start + out.len() {
            let r = stored_row(p, n, blowup);
            gathered.extend_from_slice(&rows[r * sw..(r + 1) * sw]);
            extra.extend(extras.at(Felt::GENERATOR * omega.exp(p as u64), n));
        }
        hash(&Stored::with_extras(&gathered, layout, &extra), &|k| k, start, out)
    }
}

/// Commits to an LDE stored coset by coset whose layout has masked constant columns: each
/// coset's rows, with those columns' values on the coset ([`dft::Extras::coset`]), are hashed
/// into their leaves, and the tree is built from the leaves without storing its lowest
/// [`RECOMPUTED_LEVELS`] levels (openings recompute them with [`stored_leaves`]).
fn commit_stored<H: RowHasher>(
    rows: &[Felt],
    layout: &dft::RowLayout,
    extras: &dft::Extras,
    (n, blowup): (usize, usize),
    salts: Option<Salts<'_>>,
    report: &mut ProvingReport,
) -> Result<PartialTree<H>, ProverError> {
    let sw = layout.stored_width();
    report.begin("trace commitment");
    let mut leaves = vec![H::Digest::default(); n * blowup];
    for j in 0..blowup {
        // (timed without announcing: the display says "trace commitment" throughout)
        let t = Instant::now();
        let extra = extras.coset(j, n, blowup);
        report.add("trace LDE", t.elapsed());
        let t = Instant::now();
        let coset = Stored::with_extras(&rows[j * n * sw..(j + 1) * n * sw], layout, &extra);
        hash_coset_salted::<H>(&mut leaves, blowup, j, &coset, salts);
        report.add("trace commitment", t.elapsed());
    }
    report.time("trace commitment", || {
        PartialTree::<H>::build(n * blowup, RECOMPUTED_LEVELS, &|start: usize, out: &mut [H::Digest]| {
            out.copy_from_slice(&leaves[start..start + out.len()])
        })
        .map_err(commitment_error)
    })
}

/// Commits to an LDE computed coset by coset (the tree keeps its leaves): each coset's rows
/// are hashed into the leaves they occupy in the full LDE (row `i·blowup + j` for coset `j`).
/// The time spent computing the cosets is reported under `lde_phase`, the rest under
/// `commit_phase`.
fn commit_cosets<H: RowHasher>(
    coefficients: &dft::Coefficients,
    blowup: usize,
    salts: Option<Salts<'_>>,
    report: &mut ProvingReport,
    (lde_phase, commit_phase): (&'static str, &'static str),
) -> Result<PartialTree<H>, ProverError> {
    let layout = dft::RowLayout::of(coefficients);
    report.begin(lde_phase);
    let start = Instant::now();
    let mut hashing = Duration::ZERO;
    let mut leaves = Leaves::<H>::new(coefficients.height() * blowup, blowup).map_err(commitment_error)?;
    let n = coefficients.height();
    dft::for_each_coset(coefficients, blowup, blowup, |j, rows| {
        let extra = coefficients.extras().coset(j, n, blowup);
        let t = Instant::now();
        let rows = Stored::with_extras(rows, &layout, &extra);
        match &salts {
            None => leaves.add_coset(j, &rows),
            Some(s) => {
                let salts = s.coset(j);
                leaves.add_coset(j, &Salted { rows: &rows, index: |k| k, salts: &salts, salt_len: s.salt_len });
            }
        }
        hashing += t.elapsed();
    });
    report.add(lde_phase, start.elapsed() - hashing);
    let tree = report.time(commit_phase, || leaves.finish());
    report.add(commit_phase, hashing);
    Ok(tree)
}

/// Hashes coset `j`'s rows, each followed by its salt in a hiding proof, into the leaves they
/// occupy in a leaf array ([`crate::merkle::hash_coset`]).
fn hash_coset_salted<H: RowHasher>(
    leaves: &mut [H::Digest],
    blowup: usize,
    j: usize,
    rows: &Stored<'_>,
    salts: Option<Salts<'_>>,
) {
    match salts {
        None => crate::merkle::hash_coset::<H, _>(leaves, blowup, j, rows),
        Some(s) => {
            let coset = s.coset(j);
            let salted = Salted { rows, index: |k| k, salts: &coset, salt_len: s.salt_len };
            crate::merkle::hash_coset::<H, _>(leaves, blowup, j, &salted)
        }
    }
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

/// Opens the rows `values` (row-major, `width` per position) of a committed matrix, each
/// followed by its salt in a hiding proof.
fn open_values<H: RowHasher>(
    tree: &PartialTree<H>,
    leaves: Option<LeafFn<'_, H::Digest>>,
    values: Vec<Felt>,
    width: usize,
    salts: Option<Salts<'_>>,
    positions: &[usize],
) -> Result<Openings, ProverError> {
    let proof = tree.prove(positions, leaves).map_err(commitment_error)?;
    let values = match salts {
        None => values,
        Some(s) => {
            let salts = s.at(positions);
            values
                .chunks(width.max(1))
                .zip(salts.chunks(s.salt_len))
                .flat_map(|(row, salt)| row.iter().chain(salt).copied())
                .collect()
        }
    };
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

#[allow(clippy::too_many_arguments)]
fn prove_generic<E, H, A>(
    air: &A,
    columns: Cow<'_, [Vec<Felt>]>,
    options: &ProofOptions,
    settings: &ProverSettings,
    randomness: Option<&Randomness>,
    report: &mut ProvingReport,
) -> Result<Proof, ProverError>
where
    E: FieldElement<BaseField = Felt> + ScaleBy<E>,
    Felt: ScaleBy<E>,
    H: RowHasher,
    A: Air,
{
    let (checks, storage) = (settings.checks, settings.storage);
    let n = columns[0].len();
    let log_n = n.trailing_zeros() as u8;
    let blowup = options.blowup_factor;
    let lde_size = n * blowup;
    let shape = ProofShape::new(air, options).map_err(ProverError::Shape)?;
    let (main_width, aux_width, num_chunks) = (shape.main_width, shape.aux_width, shape.num_chunks);
    let d = E::EXTENSION_DEGREE;
    let offset = Felt::GENERATOR;
    // a hiding proof's masks and salts (see distaff_verifier::shape)
    let randomness = match shape.hiding {
        Some(_) => Some(randomness.ok_or_else(|| ProverError::Randomness("none given".into()))?),
        None => None,
    };
    let salts =
        |purpose: Purpose| randomness.map(|r| Salts { randomness: r, purpose, salt_len: shape.salt_len(), n, blowup });
    let masks = |purpose: Purpose, columns: &[usize]| -> Vec<(usize, Vec<Felt>)> {
        match (randomness, shape.hiding) {
            (Some(r), Some(h)) => columns.iter().map(|&c| (c, r.elements(purpose, c as u64, h.mask_len))).collect(),
            _ => Vec::new(),
        }
    };
    let mut transcript = Transcript::<H>::new(air, options, log_n);

    // --- 1. trace LDE and commitment ------------------------------------------------------
    // With LdeStorage::Streamed the trace LDE (n·blowup rows) is never stored: it is computed
    // coset by coset, once to hash its rows and once more to evaluate the constraints, and the
    // few rows the queries open are evaluated from the coefficients. A hiding proof masks every
    // column but those an honest trace fills from the claim alone.
    let public_columns = air.public_columns();
    let masked: Vec<usize> = (0..main_width).filter(|c| !public_columns.contains(c)).collect();
    // (the masked columns that are constant are not transformed or stored: dft::Extras)
    let coefficients = report.time("trace interpolation", || {
        dft::interpolate_columns(&columns).masked_sparse(&masks(Purpose::MainMask, &masked))
    });
    // the columns are needed again only to build the auxiliary segment: freed here if there is
    // none (when the prover owns them), or once it is built
    let mut columns = (aux_width > 0).then_some(columns);
    // the varying columns, stored coset by coset (position p is row (p % blowup)·n + p / blowup)
    let layout = dft::RowLayout::of(&coefficients);
    // now that it is known which columns the LDE stores, a proof that cannot fit is refused
    report.stored_columns = layout.stored_width();
    report.aux_columns = aux_width * d;
    let (stored_columns, aux_columns) = (report.stored_columns, report.aux_columns);
    refuse_over_limit(settings, n, |storage| estimated_memory(n, stored_columns, aux_columns, options, storage))?;
    let stored: Option<Vec<Felt>> = match storage {
        LdeStorage::Stored => Some(report.time("trace LDE", || dft::lde_cosets(&coefficients, blowup))),
        LdeStorage::Streamed => None,
    };
    let main_salts = salts(Purpose::MainSalt);
    let extras = coefficients.extras();
    let trace_leaves = stored.as_deref().map(|rows| stored_leaves::<H>(rows, &layout, extras, (n, blowup), main_salts));
    let trace_tree = match (&stored, &trace_leaves) {
        (Some(rows), Some(_)) if !extras.is_empty() => {
            commit_stored::<H>(rows, &layout, extras, (n, blowup), main_salts, report)?
        }
        (_, Some(leaves)) => report.time("trace commitment", || {
            PartialTree::<H>::build(lde_size, RECOMPUTED_LEVELS, leaves).map_err(commitment_error)
        })?,
        _ => commit_cosets::<H>(&coefficients, blowup, main_salts, report, ("trace LDE", "trace commitment"))?,
    };
    let challenges = transcript.commit_main_trace::<E, A>(*trace_tree.root(), air)?;

    // --- 1b. auxiliary segment, built from transcript challenges ---------------------------
    // the auxiliary LDE is stored like the trace's: its varying base coordinates, coset by coset
    let aux_salts = salts(Purpose::AuxSalt);
    let no_extras = dft::Extras::default();
    let (aux_coefficients, aux_layout, aux_stored) = if aux_width > 0 {
        let aux =
            report.time("auxiliary segment", || air.build_aux(columns.as_deref().unwrap_or_default(), &challenges));
        drop(columns.take());
        if aux.len() != aux_width || aux.iter().any(|c| c.len() != n) {
            return Err(ProverError::TraceShape);
        }
        let all: Vec<usize> = (0..aux_width * d).collect();
        let (coeffs, layout, stored) =
            report.time("auxiliary segment", || aux_lde(&aux, &masks(Purpose::AuxMask, &all), blowup));
        (Some(coeffs), layout, stored)
    } else {
        (None, dft::RowLayout::from_columns(&[]), Vec::new())
    };
    let aux_leaves =
        (aux_width > 0).then(|| stored_leaves::<H>(&aux_stored, &aux_layout, &no_extras, (n, blowup), aux_salts));
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
    // Q on the first cosets of the LDE domain: as many values as Q has coefficients
    let quotient: Vec<Vec<E>> = evaluate_composition::<E, A>(
        air,
        &coefficients,
        &layout,
        stored.as_deref(),
        (&aux_stored, &aux_layout),
        (shape.quotient_cosets, quotient_tail_points(&shape)),
        blowup,
        &alphas,
        &challenges,
        report,
    );
    // the composition LDE is hashed one coset at a time and not kept: the few rows the queries
    // open are evaluated from the columns' coefficients (as the streamed trace LDE's are)
    let chunks = report.time("composition columns", || composition_columns(&quotient, &shape, randomness));
    drop(quotient);
    let composition_salts = salts(Purpose::CompositionSalt);
    let composition_tree =
        commit_cosets::<H>(&chunks, blowup, composition_salts, report, ("composition LDE", "composition commitment"))?;
    let z = transcript.commit_composition::<E>(*composition_tree.root())?;

    // --- 3. out-of-domain evaluation -------------------------------------------------------
    let g = Felt::get_root_of_unity(log_n as u32);
    let zg = z * E::from(g);
    let ood = report.time("out-of-domain evaluation", || {
        out_of_domain_frame::<E>(&coefficients, aux_coefficients.as_ref(), &chunks, (z, zg), num_chunks)
    });
    if checks == Checks::On {
        check_composition_at_z(air, &ood, &alphas, &challenges, (z, shape.chunk_len), &coefficients)?;
    }
    let deep = transcript.send_ood_frame(
        &[&ood.current, &ood.next, &ood.aux_current, &ood.aux_next, &ood.composition],
        main_width + aux_width,
        num_chunks,
    )?;

    // --- 4. DEEP composition and FRI ----------------------------------------------------------
    let deep_evaluations: Vec<E> = report.time("DEEP composition", || {
        deep_composition::<E>(&coefficients, aux_coefficients.as_ref(), &chunks, &shape, &ood, z, zg, &deep)
    });
    let mut fri_prover = FriProver::<E, FriTranscript<E, H>, H, MerkleVc<H>>::new(shape.fri.options());
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
            let (fri_layers, fri_remainder) = fri_openings::<E, H>(fri_prover.build_proof(&positions), &shape)?;
            let omega = Felt::get_root_of_unity(lde_size.trailing_zeros());
            let xs: Vec<Felt> = positions.iter().map(|p| offset * omega.exp(*p as u64)).collect();
            let t = match (&stored, &trace_leaves) {
                (Some(rows), Some(leaves)) => {
                    let mut values = stored_values(rows, &layout, &positions, n, blowup);
                    for (row, x) in values.chunks_mut(main_width).zip(&xs) {
                        layout.fill_extras(&extras.at(*x, n), row);
                    }
                    open_values::<H>(&trace_tree, Some(leaves), values, main_width, main_salts, &positions)?
                }
                // a tree with its leaves: nothing to recompute
                _ => {
                    let values = dft::evaluate_at_points(&coefficients, &xs);
                    open_values::<H>(&trace_tree, None, values, main_width, main_salts, &positions)?
                }
            };
            let a = match (&aux_tree, &aux_leaves) {
                (Some(tree), Some(leaves)) => {
                    let values = stored_values(&aux_stored, &aux_layout, &positions, n, blowup);
                    Some(open_values::<H>(tree, Some(leaves), values, aux_width * d, aux_salts, &positions)?)
                }
                _ => None,
            };
            let values = dft::evaluate_at_points(&chunks, &xs);
            let width = shape.composition_columns() * d;
            let c = open_values::<H>(&composition_tree, None, values, width, composition_salts, &positions)?;
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

/// The auxiliary segment's LDE (step 3): its columns' base coordinates interpolated, masked
/// (`masks`: none without hiding) and extended, stored coset by coset like the trace's.
fn aux_lde<E: FieldElement<BaseField = Felt>>(
    aux: &[Vec<E>],
    masks: &[(usize, Vec<Felt>)],
    blowup: usize,
) -> (dft::Coefficients, dft::RowLayout, Vec<Felt>) {
    let coefficients = dft::interpolate_columns(&coordinates(aux)).masked(masks);
    let stored = dft::lde_cosets(&coefficients, blowup);
    let layout = dft::RowLayout::of(&coefficients);
    (coefficients, layout, stored)
}

/// The out-of-domain frame (step 6): the main and auxiliary rows at `z` and `z·g`, and the
/// composition columns at `z` (the DEEP randomiser, a hiding proof's last composition column,
/// is not opened at `z`).
fn out_of_domain_frame<E: FieldElement<BaseField = Felt>>(
    coefficients: &dft::Coefficients,
    aux_coefficients: Option<&dft::Coefficients>,
    chunks: &dft::Coefficients,
    (z, zg): (E, E),
    num_chunks: usize,
) -> Ood<E> {
    let mut frame = evaluate_rows_at_points::<E>(coefficients, &[z, zg]);
    let next = frame.pop().unwrap_or_default();
    let current = frame.pop().unwrap_or_default();
    let (aux_current, aux_next) = match aux_coefficients {
        Some(c) => {
            let mut frame = evaluate_ext_rows_at_points::<E>(c, &[z, zg]);
            let next = frame.pop().unwrap_or_default();
            (frame.pop().unwrap_or_default(), next)
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut composition = evaluate_ext_rows_at_points::<E>(chunks, &[z]).pop().unwrap_or_default();
    composition.truncate(num_chunks);
    Ood { current, next, aux_current, aux_next, composition }
}

/// The prover's own check of the verifier's out-of-domain equation: the composition columns
/// at `z` (chunks of `chunk_len` coefficients) must agree with the constraints evaluated on the
/// frame. If they do not, the trace violates a constraint, and the row-by-row check (on the
/// trace recomputed from its coefficients: the columns are gone by now) names it.
fn check_composition_at_z<E, A>(
    air: &A,
    ood: &Ood<E>,
    alphas: &[E],
    challenges: &[E],
    (z, chunk_len): (E, usize),
    coefficients: &dft::Coefficients,
) -> Result<(), ProverError>
where
    E: FieldElement<BaseField = Felt> + ScaleBy<E>,
    Felt: ScaleBy<E>,
    A: Air,
{
    let frame =
        OodFrame { current: &ood.current, next: &ood.next, aux_current: &ood.aux_current, aux_next: &ood.aux_next };
    let expected = composition_at(air, frame, alphas, challenges, z);
    if expected == Some(combine_composition_columns(&ood.composition, z, chunk_len)) {
        return Ok(());
    }
    check_air_with_challenges(air, &dft::evaluate_columns(coefficients), challenges)?;
    Err(ProverError::CompositionDegree)
}

/// The FRI layers' openings and the remainder of winter-fri's proof, in our proof's encoding
/// (step 9): per layer, the opened leaves' values and the batch Merkle proof.
fn fri_openings<E: FieldElement<BaseField = Felt>, H: ElementHasher<BaseField = Felt>>(
    proof: winter_fri::FriProof,
    shape: &ProofShape,
) -> Result<(Vec<Openings>, Vec<Felt>), ProverError> {
    let remainder = proof.parse_remainder::<E>().map_err(|e| ProverError::Commitment(e.to_string()))?;
    // the remainder's coefficients come highest first; those beyond FRI's bound are zero (and
    // not sent: the verifier pads them back)
    let sent = shape.fri.remainder_len;
    if remainder.len() < sent || remainder[..remainder.len() - sent].iter().any(|c| *c != E::ZERO) {
        return Err(ProverError::CompositionDegree);
    }
    let remainder = remainder[remainder.len() - sent..].to_vec();
    let (values, proofs) = proof
        .parse_layers::<E, H, MerkleVc<H>>(shape.lde_size, shape.fri.folding_factor)
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
    // (every coefficient, the high ones of a masked polynomial included)
    let n = coefficients.varying_len();
    let d = E::EXTENSION_DEGREE;
    let varying = coefficients.varying();
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
                        let v = coefficients.stored_value(k, t);
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
            let extras = coefficients.extras();
            for (&c, v) in extras.columns().iter().zip(extras.at(xs[q], coefficients.height())) {
                values[c] = v;
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
    (count, tail): (usize, usize),
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
    debug_assert!(tail.is_power_of_two() && tail <= n);
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

    report.begin("constraint evaluation");
    let start = Instant::now();
    let compiled = symbolic::Compiled::record(air, layout, Some(aux_layout), challenges);
    let folding = compiled.coefficients(alphas);
    let d = E::EXTENSION_DEGREE;
    // the auxiliary LDE's varying base coordinates, stored coset by coset like the trace's
    let asw = aux_layout.stored_width();
    let mut lde_time = Duration::ZERO;
    let mut out = Vec::with_capacity(count);
    // evaluates coset j, whose row r is stored at rows[r·sw ..] (the varying columns), at its
    // rows 0, stride, 2·stride, … (every row but on the last coset of a quotient that needs
    // only part of it)
    // (and the masked constant columns' values on the coset, `ew` per row)
    let ew = layout.extras().len();
    let mut evaluate_coset = |j: usize, rows: &[Felt], extra: &[Felt], points: usize| {
        let stride = n / points;
        let base = offset * omega.exp(j as u64);
        // x^n − 1 is constant on the coset
        let inv_zn = (base.exp(n as u64) - Felt::ONE).inv();
        let step = g.exp(stride as u64);
        let mut values = vec![E::ZERO; points];
        const CHUNK: usize = 1024;
        values.par_chunks_mut(CHUNK).enumerate().for_each(|(chunk, out)| {
            let t0 = chunk * CHUNK;
            let len = out.len();
            let mut x = base * step.exp(t0 as u64);
            let mut xs = Vec::with_capacity(len);
            let mut denoms = Vec::with_capacity(2 * len);
            for _ in 0..len {
                xs.push(x);
                denoms.push(x - Felt::ONE);
                denoms.push(x - g_last);
                x *= step;
            }
            let inv = batch_inversion(&denoms);
            // the constraints, compiled for this trace, a block of points at a time
            let mut scratch = compiled.scratch();
            let mut sums = [[[Accumulator::default(); 3]; 3]; symbolic::BLOCK];
            // (the sizes are powers of two: masks, not divisions, in this hot loop)
            let stored = |r: usize| &rows[(r & (n - 1)) * sw..((r & (n - 1)) + 1) * sw];
            let aux_coset = &aux_stored[j * n * asw..(j + 1) * n * asw];
            let aux = |r: usize| &aux_coset[(r & (n - 1)) * asw..((r & (n - 1)) + 1) * asw];
            // (a coset evaluated at a few points has its extras at those points' rows only,
            // row r·stride then row r·stride + 1 for each: see `extras_at_points`)
            let extra = |r: usize| {
                let e =
                    if points == n { r & (n - 1) } else { 2 * (r / stride) + usize::from(!r.is_multiple_of(stride)) };
                &extra[e * ew..(e + 1) * ew]
            };
            for k0 in (0..len).step_by(symbolic::BLOCK) {
                let block = symbolic::BLOCK.min(len - k0);
                let t0 = t0 + k0;
                let r = |i: usize| (t0 + i) * stride;
                sums[..block].iter_mut().for_each(|s| *s = Default::default());
                compiled.evaluate(
                    block,
                    |i| stored(r(i)),
                    |i| stored(r(i) + 1),
                    |i| &periodic[(j + blowup * r(i)) & (period - 1)],
                    |i| aux(r(i)),
                    |i| aux(r(i) + 1),
                    (|i| extra(r(i)), |i| extra(r(i) + 1)),
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
    // the masked constant columns are recomputed for each coset (see dft::Extras)
    let extras = coefficients.extras();
    match stored {
        Some(rows) => {
            // stored coset by coset: coset j is the j-th block of n rows
            for j in 0..count {
                let points = if j + 1 == count { tail } else { n };
                let t = Instant::now();
                let extra = extras_at_points(extras, j, n, blowup, points);
                lde_time += t.elapsed();
                evaluate_coset(j, &rows[j * n * sw..(j + 1) * n * sw], &extra, points);
            }
        }
        None => {
            let mut last_callback = Instant::now();
            dft::for_each_coset(coefficients, blowup, count, |j, rows| {
                let points = if j + 1 == count { tail } else { n };
                let extra = extras_at_points(extras, j, n, blowup, points);
                lde_time += last_callback.elapsed();
                evaluate_coset(j, rows, &extra, points);
                last_callback = Instant::now();
            });
        }
    }
    report.add("trace LDE", lde_time);
    report.add("constraint evaluation", start.elapsed() - lde_time);
    out
}

/// The masked constant columns' values on coset `j` of the LDE domain, for constraint
/// evaluation at `points` of its rows (every `n/points`-th): the whole coset
/// ([`dft::Extras::coset`]), or for fewer points (the last coset of a quotient a little longer
/// than a whole number of cosets) the rows `r` and `r + 1` of each evaluated row `r`, in that
/// order, evaluated one by one.
fn extras_at_points(extras: &dft::Extras, j: usize, n: usize, blowup: usize, points: usize) -> Vec<Felt> {
    if points == n || extras.is_empty() {
        return extras.coset(j, n, blowup);
    }
    let stride = n / points;
    let omega = Felt::get_root_of_unity((n * blowup).trailing_zeros());
    let g = Felt::get_root_of_unity(n.trailing_zeros());
    let base = Felt::GENERATOR * omega.exp(j as u64);
    (0..points)
        .into_par_iter()
        .flat_map_iter(|k| {
            let x = base * g.exp((k * stride) as u64);
            extras.at(x, n).into_iter().chain(extras.at(x * g, n))
        })
        .collect()
}

/// The coefficients of the quotient `Q` from its values on the first `m` cosets of the LDE domain
/// ([`evaluate_composition`]), as `m` pieces of `n` coefficients (`Q(x) = Σ x^(i·n)·P_i(x)`):
/// a row-major matrix whose column `i·d + c` is coordinate `c` of `P_i`.
///
/// On coset `j` (points `y_j·g^r`), `x^n` is the constant `c_j = y_j^n`, so `Q` agrees there
/// with the polynomial `Σ_i c_j^i·P_i` of degree < n: interpolating each coset gives those
/// polynomials, and since the `c_j` are distinct (`ω^n` has order `blowup ≥ m`), the
/// Vandermonde system yields the `P_i`, coefficient by coefficient. This needs `m` cosets
/// where interpolating `Q` over a power-of-two domain would need the next power of two.
fn quotient_pieces<E: FieldElement<BaseField = Felt>>(quotient: &[Vec<E>], n: usize, blowup: usize) -> Vec<Felt> {
    let cosets = quotient.len();
    let d = E::EXTENSION_DEGREE;
    // the full cosets, and the last one if only part of it was evaluated
    let partial = quotient.last().is_some_and(|q| q.len() < n);
    let m = if partial { cosets - 1 } else { cosets };
    let omega = Felt::get_root_of_unity((n * blowup).trailing_zeros());
    let shifts: Vec<Felt> = (0..cosets).map(|j| Felt::GENERATOR * omega.exp(j as u64)).collect();
    let interpolated: Vec<dft::Matrix64> = quotient[..m]
        .iter()
        .zip(&shifts)
        .map(|(q, y)| dft::interpolate_coset_rows(E::slice_as_base_elements(q), d, *y))
        .collect();
    // P = V⁻¹·(coset polynomials) with V[j][i] = c_j^i
    let c: Vec<Felt> = shifts.iter().map(|y| y.exp(n as u64)).collect();
    let v: Vec<Vec<Felt>> = c[..m].iter().map(|cj| (0..m).map(|i| cj.exp(i as u64)).collect()).collect();
    let v_inv = invert_matrix(v);
    let coset_poly = |j: usize, k: usize| -> E {
        let coords: [Felt; 3] =
            core::array::from_fn(
                |coord| if coord < d { dft::coefficient(&interpolated[j], k, coord) } else { Felt::ZERO },
            );
        E::slice_from_base_elements(&coords[..d])[0]
    };
    let tail =
        if partial { quotient_tail(quotient, &interpolated, &coset_poly, &v_inv, &c, &shifts, n) } else { Vec::new() };
    let c_m: Vec<Felt> = c[..m].iter().map(|cj| cj.exp(m as u64)).collect();
    crate::memory::filled(n * cosets * d, |rows| {
        rows.par_chunks_mut(cosets * d).enumerate().for_each_init(Vec::new, |cs, (k, row)| {
            // the full cosets' coefficient k, minus the tail's share (C_j = Σ_(i<m) c_j^i·P_i +
            // c_j^m·P_m), once per coset rather than once per piece
            cs.clear();
            cs.extend((0..m).map(|j| match tail.get(k) {
                Some(t) => coset_poly(j, k) - t.mul_base(c_m[j]),
                None => coset_poly(j, k),
            }));
            for i in 0..m {
                let mut acc = E::ZERO;
                for (j, cj) in cs.iter().enumerate() {
                    acc += cj.mul_base(v_inv[i][j]);
                }
                for (coord, v) in E::slice_as_base_elements(&[acc]).iter().enumerate() {
                    row[i * d + coord].write(*v);
                }
            }
            if partial {
                let t = tail.get(k).copied().unwrap_or(E::ZERO);
                for (coord, v) in E::slice_as_base_elements(&[t]).iter().enumerate() {
                    row[m * d + coord].write(*v);
                }
            }
        });
    })
}

/// The last piece `P_m` of a quotient of `m·n + s` coefficients (`s ≤ s'`, a power of two below
/// `n`) from its values on `s'` points `Y` of coset `m` (every `n/s'`-th row): on coset `m`,
/// `Q = Σ_(i<m) κ_m^i·P_i + κ_m^m·P_m`, and writing the `P_i` through the full cosets' polynomials
/// `C_j` (Lagrange in `u = x^n` at the points `κ_j`) gives `Q(y) = Σ_j ℓ_j·C_j(y) + Π_j(κ_m −
/// κ_j)·P_m(y)`. Each `C_j` is evaluated on `Y` after reducing it modulo `x^s' − y^s'` (constant
/// on `Y`), then `P_m` is interpolated from its `s'` values.
fn quotient_tail<E: FieldElement<BaseField = Felt>>(
    quotient: &[Vec<E>],
    interpolated: &[dft::Matrix64],
    coset_poly: &(impl Fn(usize, usize) -> E + Sync),
    v_inv: &[Vec<Felt>],
    c: &[Felt],
    shifts: &[Felt],
    n: usize,
) -> Vec<E> {
    let m = interpolated.len();
    let values = &quotient[m];
    let points = values.len();
    let y0 = shifts[m];
    let sigma = y0.exp(points as u64);
    // ℓ_j = Σ_i κ_m^i·V⁻¹[i][j], Π = Π_j (κ_m − κ_j)
    let ell: Vec<Felt> = (0..m).map(|j| (0..m).fold(Felt::ZERO, |a, i| a + c[m].exp(i as u64) * v_inv[i][j])).collect();
    let pi = (0..m).fold(Felt::ONE, |a, j| a * (c[m] - c[j]));
    let twiddles = distaff_math::fft::get_twiddles::<Felt>(points);
    let mut combined = vec![E::ZERO; points];
    for (j, l) in ell.iter().enumerate() {
        // C_j mod (x^s' − σ), evaluated on Y = y0·<w>
        let mut folded = vec![E::ZERO; points];
        let mut power = Felt::ONE;
        for t in 0..n / points {
            for (k, f) in folded.iter_mut().enumerate() {
                *f += coset_poly(j, t * points + k).mul_base(power);
            }
            power *= sigma;
        }
        let at_y = distaff_math::fft::evaluate_poly_with_offset(&folded, &twiddles, y0, 1);
        for (acc, v) in combined.iter_mut().zip(at_y) {
            *acc += v.mul_base(*l);
        }
    }
    let inv_pi = pi.inv();
    let mut tail: Vec<E> = values.iter().zip(&combined).map(|(q, cj)| (*q - *cj).mul_base(inv_pi)).collect();
    let inv_twiddles = distaff_math::fft::get_inv_twiddles::<Felt>(points);
    distaff_math::fft::interpolate_poly_with_offset(&mut tail, &inv_twiddles, y0);
    tail
}

/// The points of the last coset the quotient is evaluated on: all `n`, or, when the quotient
/// needs only `s < n/2` more coefficients than the full cosets give (a hiding proof's: its
/// masks raise the degree a little), the next power of two `s' ≥ s` ([`quotient_tail`]).
fn quotient_tail_points(shape: &ProofShape) -> usize {
    let s = shape.quotient_len - (shape.quotient_cosets - 1) * shape.n;
    s.next_power_of_two().min(shape.n)
}

/// The composition tree's columns from the quotient's values on `shape.quotient_cosets`
/// cosets: the chunks `H_0, …, H_(m−1)` of `c` coefficients each (`Q = Σ x^(i·c)·H_i`; `c = n`
/// without hiding, when the chunks are the pieces of [`quotient_pieces`]); for a hiding proof
/// randomised as `H'_i = H_i + x^c·s_i − s_(i−1)` and followed by the DEEP randomiser `R`
/// (see `distaff_verifier::shape`). Column `i·d + c` is coordinate `c` of column `i`.
fn composition_columns<E: FieldElement<BaseField = Felt>>(
    quotient: &[Vec<E>],
    shape: &ProofShape,
    randomness: Option<&Randomness>,
) -> dft::Coefficients {
    let n = shape.n;
    let d = E::EXTENSION_DEGREE;
    let pieces = quotient_pieces(quotient, n, shape.lde_size / n);
    let (Some(hiding), Some(randomness)) = (shape.hiding, randomness) else {
        return dft::coefficient_matrix(&pieces, quotient.len() * d);
    };
    let (m, c, t1) = (shape.num_chunks, shape.chunk_len, hiding.randomizer_len);
    let cosets = quotient.len();
    let columns = shape.composition_columns();
    let rows = shape.composition_column_len().max(shape.deep_len);
    // Q's coefficient k (extension element), from the pieces' layout
    let q = |k: usize| -> E {
        let (i, r) = (k / n, k % n);
        if i >= cosets {
            return E::ZERO;
        }
        E::slice_from_base_elements(&pieces[(r * cosets + i) * d..(r * cosets + i + 1) * d])[0]
    };
    let mut values = vec![E::ZERO; rows * columns];
    values.par_chunks_mut(columns).take(c).enumerate().for_each(|(j, row)| {
        for (i, v) in row[..m].iter_mut().enumerate() {
            *v = q(i * c + j);
        }
    });
    for i in 0..m - 1 {
        let s = randomness.ext_elements::<E>(Purpose::Randomizer, i as u64, t1);
        for (j, sj) in s.iter().enumerate() {
            values[(c + j) * columns + i] += *sj;
            values[j * columns + i + 1] -= *sj;
        }
    }
    let r = randomness.ext_elements::<E>(Purpose::Codeword, 0, shape.deep_len);
    for (j, rj) in r.iter().enumerate() {
        values[j * columns + m] = *rj;
    }
    dft::coefficient_rows(E::slice_as_base_elements(&values), columns * d, n)
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
/// LDE domain (see `distaff_verifier::shape` for the shifts and bounds).
///
/// `D(X) = (X^Δ_T·(A(X) − A(z)) + X^Δ_H·(C(X) − C(z)))/(X − z) + X^Δ_T·(B(X) − B(z·g))/(X − z·g) + R(X)`
/// with `A = Σ γ_j·T_j`, `B = Σ γ'_j·T_j` over every trace and auxiliary column,
/// `C = Σ δ_k·H_k` over the composition columns, the values at `z` and `z·g` the combinations
/// of the out-of-domain frame, and `R` the randomiser of a hiding proof (the composition tree's
/// last column). All of it is done on coefficients: `A`, `B` and `C` are linear combinations of
/// coefficient vectors, each division is a synthetic division (exact, since the numerators
/// vanish there), `D`, of `K` coefficients, is multiplied by `1 + β·X^k`
/// ([`degree_correction`]) and the product, of fewer than FRI's bound `B` coefficients, is
/// extended once: two base coordinates per point instead of every column's value and two
/// inversions per point.
#[allow(clippy::too_many_arguments)]
fn deep_composition<E: FieldElement<BaseField = Felt>>(
    coefficients: &dft::Coefficients,
    aux_coefficients: Option<&dft::Coefficients>,
    chunks: &dft::Coefficients,
    shape: &ProofShape,
    ood: &Ood<E>,
    z: E,
    zg: E,
    deep: &DeepCoefficients<E>,
) -> Vec<E> {
    let width = coefficients.width();
    let aux_width = shape.aux_width;
    let num_chunks = shape.num_chunks;
    let d = E::EXTENSION_DEGREE;
    let (gamma, gamma_next, delta) = (&deep.current, &deep.next, &deep.composition);
    // an extension coefficient of a matrix of base coordinates (column j·d + c is coordinate c)
    let ext = |m: &dft::Coefficients, k: usize, j: usize| -> E {
        let coords: [Felt; 3] = core::array::from_fn(|c| if c < d { m.coefficient(k, j * d + c) } else { Felt::ZERO });
        E::slice_from_base_elements(&coords[..d])[0]
    };
    // A and B, row k = the coefficients of x^k; the main trace's part lazily reduced (one
    // reduction per coordinate and row; constant columns only add to row 0)
    let trace_len = coefficients.len().max(aux_coefficients.map_or(0, |c| c.len()));
    let varying = coefficients.varying();
    let pairs: Vec<E> = varying.iter().flat_map(|&j| [gamma[j], gamma_next[j]]).collect();
    let weights = crate::fold::raw_coefficients(&pairs);
    let mut a_coeffs = vec![E::ZERO; trace_len];
    let mut b_coeffs = vec![E::ZERO; trace_len];
    let main_len = coefficients.varying_len();
    a_coeffs.par_iter_mut().zip(b_coeffs.par_iter_mut()).enumerate().for_each(|(k, (a, b))| {
        if k < main_len {
            let mut acc = [distaff_math::lazy::Accumulator::default(); 6];
            for t in 0..varying.len() {
                let c = coefficients.stored_value(k, t);
                let (wa, wb) = (&weights[2 * t], &weights[2 * t + 1]);
                for i in 0..d {
                    acc[i].add_product(wa[i], c);
                    acc[d + i].add_product(wb[i], c);
                }
            }
            let coords: [Felt; 6] = core::array::from_fn(|i| acc[i].field_combination());
            *a = E::slice_from_base_elements(&coords[..d])[0];
            *b = E::slice_from_base_elements(&coords[d..2 * d])[0];
        }
        if let Some(aux) = aux_coefficients {
            for j in 0..aux_width {
                let c = ext(aux, k, j);
                *a += gamma[width + j] * c;
                *b += gamma_next[width + j] * c;
            }
        }
    });
    for (j, c) in coefficients.constant_columns() {
        a_coeffs[0] += gamma[j].mul_base(c);
        b_coeffs[0] += gamma_next[j].mul_base(c);
    }
    // the masked constant columns: v + (x^n − 1)·r, a few coefficients each
    let extras = coefficients.extras();
    for (t, &j) in extras.columns().iter().enumerate() {
        for (k, c) in extras.coefficients(t, coefficients.height()) {
            a_coeffs[k] += gamma[j].mul_base(c);
            b_coeffs[k] += gamma_next[j].mul_base(c);
        }
    }
    // C over the composition columns (not the randomiser, the tree's last column)
    let c_coeffs: Vec<E> = (0..chunks.len())
        .into_par_iter()
        .map(|k| (0..num_chunks).fold(E::ZERO, |acc, i| acc + delta[i] * ext(chunks, k, i)))
        .collect();
    // the values at z and z·g, from the frame
    let combine = |weights: &[E], values: &[E]| weights.iter().zip(values).fold(E::ZERO, |acc, (w, v)| acc + *w * *v);
    let trace_z: Vec<E> = ood.current.iter().chain(&ood.aux_current).copied().collect();
    let trace_zg: Vec<E> = ood.next.iter().chain(&ood.aux_next).copied().collect();
    let (a_z, b_zg, c_z) = (combine(gamma, &trace_z), combine(gamma_next, &trace_zg), combine(delta, &ood.composition));
    // the numerators, shifted: x^Δ_T·(A − A(z)) + x^Δ_H·(C − C(z)), and x^Δ_T·(B − B(z·g))
    let (dt, dh) = (shape.trace_shift, shape.composition_shift);
    let mut num_a = vec![E::ZERO; (trace_len + dt).max(c_coeffs.len() + dh)];
    let mut num_b = vec![E::ZERO; trace_len + dt];
    num_a[dt..dt + trace_len].copy_from_slice(&a_coeffs);
    num_a[dt] -= a_z;
    for (k, c) in c_coeffs.iter().enumerate() {
        num_a[dh + k] += *c;
    }
    num_a[dh] -= c_z;
    num_b[dt..].copy_from_slice(&b_coeffs);
    num_b[dt] -= b_zg;
    drop((a_coeffs, b_coeffs, c_coeffs));
    // (P(X) − P(y))/(X − y), in place: the quotient's coefficients, from the top down
    let divide = |p: &mut Vec<E>, y: E| {
        let mut carry = E::ZERO;
        for c in p.iter_mut().rev() {
            let next = *c + carry * y;
            *c = carry;
            carry = next;
        }
    };
    rayon::join(|| divide(&mut num_a, z), || divide(&mut num_b, zg));
    // D (K coefficients), plus R for a hiding proof
    let k_len = shape.deep_len;
    let mut dp = vec![E::ZERO; k_len];
    for (k, v) in dp.iter_mut().enumerate() {
        *v = num_a.get(k).copied().unwrap_or(E::ZERO) + num_b.get(k).copied().unwrap_or(E::ZERO);
    }
    debug_assert!(num_a[k_len.min(num_a.len())..]
        .iter()
        .chain(&num_b[k_len.min(num_b.len())..])
        .all(|c| *c == E::ZERO));
    drop((num_a, num_b));
    if shape.hiding.is_some() {
        for (k, v) in dp.iter_mut().enumerate() {
            *v += ext(chunks, k, num_chunks);
        }
    }
    // F = D·(1 + β·X^k): coefficient j is d_j + β·d_(j−k), B = K + k coefficients
    let beta = deep.degree_correction;
    let shift = shape.fri.correction_exponent;
    let bound = shape.fri.bound;
    let mut values = vec![Felt::ZERO; bound * d];
    values.par_chunks_mut(d).enumerate().for_each(|(j, row)| {
        let mut f = dp.get(j).copied().unwrap_or(E::ZERO);
        if j >= shift {
            f += beta * dp[j - shift];
        }
        row.copy_from_slice(E::slice_as_base_elements(&[f]));
    });
    drop(dp);
    let rows = dft::lde_rows(
        &dft::coefficient_rows(&values, d, coefficients.height()),
        shape.lde_size / coefficients.height(),
    );
    E::slice_from_base_elements(&rows).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shape by hand: `n` rows at blowup 8, the given composition columns, and (for a hiding
    /// one) masks of `h` coefficients, chunks of `c`, randomisers of `t1`.
    fn shape(n: usize, aux_width: usize, num_chunks: usize, hiding: Option<(usize, usize, usize)>) -> ProofShape {
        let lde_size = 8 * n;
        let (chunk_len, deep_len, trace_shift, composition_shift, hide) = match hiding {
            None => (n, n - 1, 0, 0, None),
            Some((h, c, t1)) => {
                let k = (n + h - 1).max(c + t1 - 1);
                let hide = distaff_verifier::shape::Hiding { mask_len: h, randomizer_len: t1, salt_len: 2 };
                (c, k, k - (n + h - 1), k - (c + t1 - 1), Some(hide))
            }
        };
        // FRI's bound: the next multiple of 8 (one layer) above K
        let bound = (deep_len + 1).div_ceil(8) * 8;
        ProofShape {
            n,
            lde_size,
            extension: 2,
            main_width: 5,
            aux_width,
            num_chunks,
            chunk_len,
            quotient_cosets: num_chunks,
            quotient_len: num_chunks * n,
            deep_len,
            trace_shift,
            composition_shift,
            hiding: hide,
            fri: distaff_verifier::shape::FriShape {
                blowup: 8,
                folding_factor: 8,
                remainder_max_degree: 15,
                max_poly_degree: 2 * n - 1,
                num_layers: 1,
                bound,
                remainder_len: bound / 8,
                winter_remainder_len: 2 * n / 8,
                correction_exponent: bound - deep_len,
            },
        }
    }

    #[test]
    fn deep_composition_is_the_pointwise_definition() {
        let (n, blowup) = (16usize, 8usize);
        let q = |a: u64, b: u64| QuadFelt::new(Felt::new(a), Felt::new(b));
        let column =
            |seed: u64| -> Vec<Felt> { (0..n as u64).map(|r| Felt::new(seed * 1_000_003 + r * r * 17 + 5)).collect() };
        // five main columns, one of them constant
        let mut main: Vec<Vec<Felt>> = (1..5).map(column).collect();
        main.insert(2, vec![Felt::new(42); n]);
        let aux: Vec<Vec<QuadFelt>> =
            (0..2u64).map(|j| (0..n as u64).map(|r| q(r * 3 + j, r ^ (j + 9))).collect()).collect();
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
        // without hiding, and with masks of 5 coefficients on every column (the constant one
        // too), chunks of n + 3 coefficients, randomisers of 4 and the DEEP randomiser
        for hiding in [None, Some((5usize, n + 3, 4usize))] {
            let shape = shape(n, aux_width, num_chunks, hiding);
            let (mut coefficients, mut aux_coefficients) =
                (dft::interpolate_columns(&main), dft::interpolate_columns(&coordinates(&aux)));
            let chunk_len = shape.composition_column_len().max(shape.deep_len);
            let columns = shape.composition_columns() * 2;
            // (the DEEP randomiser, the last column, has K coefficients)
            let chunks_values: Vec<Felt> = (0..chunk_len * columns)
                .map(|i| {
                    let (row, col) = (i / columns, i % columns);
                    if col >= 2 * num_chunks && row >= shape.deep_len {
                        Felt::ZERO
                    } else {
                        Felt::new((i * i * 7 + 1) as u64)
                    }
                })
                .collect();
            let chunks = dft::coefficient_rows(&chunks_values, columns, n);
            if let Some((h, _, _)) = hiding {
                let mask =
                    |c: usize| -> (usize, Vec<Felt>) { (c, (0..h).map(|k| Felt::new((c * 97 + k) as u64)).collect()) };
                coefficients = coefficients.masked(&(0..width).map(mask).collect::<Vec<_>>());
                aux_coefficients = aux_coefficients.masked(&(0..2 * aux_width).map(mask).collect::<Vec<_>>());
            }
            // the values each part takes at a point
            let (gamma, gamma_next, delta) = (&deep.current, &deep.next, &deep.composition);
            let dot = |v: &[QuadFelt], w: &[QuadFelt]| v.iter().zip(w).fold(QuadFelt::ZERO, |s, (a, b)| s + *a * *b);
            let parts = |x: QuadFelt| -> (QuadFelt, QuadFelt, QuadFelt, QuadFelt) {
                let t = evaluate_rows_at_points(&coefficients, &[x]).pop().unwrap();
                let a_ = evaluate_ext_rows_at_points::<QuadFelt>(&aux_coefficients, &[x]).pop().unwrap();
                let h = evaluate_ext_rows_at_points::<QuadFelt>(&chunks, &[x]).pop().unwrap();
                let all: Vec<QuadFelt> = t.into_iter().chain(a_).collect();
                let r = if hiding.is_some() { h[num_chunks] } else { QuadFelt::ZERO };
                (dot(&all, gamma), dot(&all, gamma_next), dot(&h[..num_chunks], delta), r)
            };
            let frame = |x: QuadFelt| -> (Vec<QuadFelt>, Vec<QuadFelt>, Vec<QuadFelt>) {
                let t = evaluate_rows_at_points(&coefficients, &[x]).pop().unwrap();
                let a_ = evaluate_ext_rows_at_points::<QuadFelt>(&aux_coefficients, &[x]).pop().unwrap();
                let mut h = evaluate_ext_rows_at_points::<QuadFelt>(&chunks, &[x]).pop().unwrap();
                h.truncate(num_chunks);
                (t, a_, h)
            };
            let ((cur, aux_cur, comp), (next, aux_next, _)) = (frame(z), frame(zg));
            let ood = Ood { current: cur, next, aux_current: aux_cur, aux_next, composition: comp };
            let values = deep_composition::<QuadFelt>(
                &coefficients,
                Some(&aux_coefficients),
                &chunks,
                &shape,
                &ood,
                z,
                zg,
                &deep,
            );
            let (a_z, _, c_z, _) = parts(z);
            let (_, b_zg, _, _) = parts(zg);
            let omega = Felt::get_root_of_unity((n * blowup).trailing_zeros());
            assert_eq!(values.len(), n * blowup);
            for (p, value) in values.iter().enumerate() {
                let xb = Felt::GENERATOR * omega.exp(p as u64);
                let x = QuadFelt::from(xb);
                let (a, b, c, r) = parts(x);
                let (st, sh) = (x.exp(shape.trace_shift as u64), x.exp(shape.composition_shift as u64));
                let d = (st * (a - a_z) + sh * (c - c_z)) / (x - z) + st * (b - b_zg) / (x - zg) + r;
                let correction = QuadFelt::from(xb.exp(shape.fri.correction_exponent as u64));
                let expected = d * degree_correction(deep.degree_correction, correction);
                assert_eq!(*value, expected, "{hiding:?}, position {p}");
            }
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
        let pieces = quotient_pieces(&quotient, n, blowup);
        for i in 0..m {
            for k in 0..n {
                let coords = &pieces[(k * m + i) * 2..(k * m + i) * 2 + 2];
                assert_eq!(QuadFelt::slice_from_base_elements(coords)[0], h[i][k], "H_{i}, coefficient {k}");
            }
        }
    }
}
