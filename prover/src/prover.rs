//! The proving procedure.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::commit::{commitment_error, digest_bytes, stored_leaves, RECOMPUTED_LEVELS};
use crate::hash::RowHasher;
use crate::merkle::PartialTree;
use crate::zk::{Hiding, Purpose, Randomness};
use crate::{composer, deep, dft, queries, trace};
use distaff_air::air::num_constraints;
use distaff_air::debug::ConstraintFailure;
use distaff_air::layout::{BITWISE_TRACE_WIDTH, FULL_TRACE_WIDTH, TRACE_WIDTH};
use distaff_air::{
    Air, ProcessorAir, Program, PublicInputs, Variant, MAX_OUTPUTS, MAX_TRACE_LENGTH_LOG2, MIN_TRACE_LENGTH,
};
use distaff_math::{CubeFelt, Felt, FieldElement, QuadFelt, StarkField};
use distaff_processor::{
    build_trace_cancellable, build_trace_with_min_length, ExecutionError, ExecutionTrace, ProgramInputs, MAX_CYCLES,
};
use distaff_verifier::protocol::ScaleBy;
use distaff_verifier::shape::{hiding_options, ProofShape, MIN_HIDING_TRACE_LENGTH};
use distaff_verifier::transcript::TranscriptError;
use distaff_verifier::Transcript;
use distaff_verifier::{FieldExtension, HashFunction, OptionsError, Proof, ProofOptions};
use winter_crypto::hashers::{Blake3_256, Rp64_256};

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
    #[error("trace must have {TRACE_WIDTH}, {FULL_TRACE_WIDTH} or {BITWISE_TRACE_WIDTH} columns of equal power-of-two length between {MIN_TRACE_LENGTH} and 2^{MAX_TRACE_LENGTH_LOG2}")]
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
    /// How the trace LDE was held: [`LdeStorage::Stored`] or [`LdeStorage::Streamed`] (what
    /// [`LdeStorage::Auto`] chose), once the trace is committed.
    pub storage: LdeStorage,
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
            .field("storage", &self.storage)
            .finish()
    }
}

impl ProvingReport {
    /// An empty report that tells `settings`' progress function each phase.
    fn for_settings(settings: &ProverSettings) -> Self {
        ProvingReport { progress: settings.progress.clone(), ..Default::default() }
    }

    /// Tells the progress function that phase `name` starts.
    pub(crate) fn begin(&self, name: &'static str) {
        if let Some(progress) = &self.progress {
            progress(name);
        }
    }

    pub(crate) fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        self.begin(name);
        let start = Instant::now();
        let out = f();
        self.add(name, start.elapsed());
        out
    }

    pub(crate) fn add(&mut self, name: &'static str, elapsed: Duration) {
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
/// change the proof (every choice produces the same bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LdeStorage {
    /// [`LdeStorage::Stored`] for traces shorter than [`STREAMED_FROM`] rows, where it is the
    /// faster, and [`LdeStorage::Streamed`] from there on, where storing buys no time; and the
    /// other of the two whenever only it fits [`ProverSettings::max_memory`]
    /// ([`LdeStorage::resolve`]). Measured with `farm-bench`, stored against streamed, F(n)
    /// hiding proofs, wall-time ratios of medians over pairs: 0.84 at 2^18 rows, 0.91 at 2^19,
    /// 1.03 at 2^20 (where storing the LDE costs 3627 MiB of peak memory against 2148 MiB: on
    /// our development machine the kernel's first touch of a page costs about as much as
    /// computing the LDE again).
    #[default]
    Auto,
    /// Compute the LDE once and keep it (`n · blowup` rows of the trace's varying columns:
    /// 0.55 GB of F(86181)'s 0.93 GB peak, a 2^18-row trace at blowup 8).
    Stored,
    /// Never hold more than one coset of it: compute it coset by coset twice (to commit, then
    /// to evaluate the constraints) and evaluate the opened rows from the coefficients. About
    /// half the peak memory (F(86181): 0.52 GB), at the cost of a second LDE pass.
    Streamed,
}

/// The trace length from which [`LdeStorage::Auto`] streams the LDE.
pub const STREAMED_FROM: usize = 1 << 20;

impl LdeStorage {
    /// What this choice does for a trace of `trace_length` rows whose estimated peak memory
    /// with each storage is `estimate(storage)`, under the memory limit `limit`:
    /// [`LdeStorage::Auto`] becomes the storage its length prefers ([`LdeStorage::Stored`]
    /// below [`STREAMED_FROM`] rows) if that fits, else the other if that fits, else the one
    /// that needs less (which the limit then refuses). The other two are returned as they are.
    pub fn resolve(self, trace_length: usize, estimate: impl Fn(LdeStorage) -> u64, limit: Option<u64>) -> LdeStorage {
        if self != LdeStorage::Auto {
            return self;
        }
        let preferred = LdeStorage::by_length(trace_length);
        let Some(limit) = limit else { return preferred };
        let other = if preferred == LdeStorage::Stored { LdeStorage::Streamed } else { LdeStorage::Stored };
        let (p, o) = (estimate(preferred), estimate(other));
        if p <= limit || (o > limit && p <= o) {
            preferred
        } else {
            other
        }
    }

    /// What [`LdeStorage::Auto`] prefers for a trace of `trace_length` rows when memory allows.
    fn by_length(trace_length: usize) -> LdeStorage {
        if trace_length < STREAMED_FROM {
            LdeStorage::Stored
        } else {
            LdeStorage::Streamed
        }
    }
}

/// An estimate of the prover's peak memory, in bytes, for a trace of `trace_length` rows of
/// which `stored_columns` main columns have their LDE stored ([`ProvingReport::stored_columns`]:
/// the columns whose values are not all equal; a column that holds one value on every row is
/// never stored, hiding or not), with `aux_columns` auxiliary base coordinates
/// ([`ProvingReport::aux_columns`]). The whole process's peak, fitted as
/// `(a + b·columns + c·aux + d·[aux > 0])·rows` to hiding proofs (blowup 8, quadratic
/// extension, 2 threads) and rounded up so that it is not below any of them. With the stored
/// LDE:
///
/// | trace | rows | columns, aux | peak | estimate |
/// |---|---|---|---:|---:|
/// | Fibonacci | 2^16 | 33, 0 | 226 MiB | 239 |
/// | Fibonacci | 2^18 | 33, 0 | 888 MiB | 922 |
/// | Fibonacci | 2^20 | 33, 0 | 3547 MiB | 3652 |
/// | Fibonacci in a loop (control stack) | 2^20 | 41, 2 | 4447 MiB | 4512 |
/// | `mem_load` chain (memory variant) | 2^14 | 34, 10 | 81 MiB | 87 |
/// | `mem_load` chain | 2^16 | 34, 10 | 303 MiB | 313 |
/// | `mem_load` chain | 2^18 | 34, 10 | 1189 MiB | 1217 |
///
/// With the streamed LDE, whose trees keep no leaves ([`crate::commit::STREAMED_SKIP`]):
///
/// | trace | rows | columns, aux | peak | estimate |
/// |---|---|---|---:|---:|
/// | Fibonacci | 2^16 | 33, 0 | 103 MiB | 110 |
/// | Fibonacci | 2^18 | 33, 0 | 393 MiB | 404 |
/// | Fibonacci | 2^20 | 33, 0 | 1563 MiB | 1582 |
/// | Fibonacci | 2^22 | 33, 0 | 6213 MiB | 6292 |
/// | Fibonacci in a loop (control stack) | 2^20 | 42, 2 | 2135 MiB | 2148 |
/// | `push.0 repeat.N mem_load end` (memory variant) | 2^14 | 39, 10 | 54 MiB | 62 |
/// | the same | 2^16 | 39, 10 | 197 MiB | 210 |
/// | the same | 2^18 | 39, 10 | 761 MiB | 805 |
/// | SHA-256 of one block, bit-by-bit XOR (memory variant) | 2^20 | 84, 10 | 3760 MiB | 3994 |
/// | SHA-256 of 64 blocks (bitwise variant) | 2^20 | 95, 12 | 4385 MiB | 4418 |
///
/// It is scaled by the blowup and (for the cubic extension) the larger extension elements.
/// [`LdeStorage::Auto`] is estimated as what it becomes without a memory limit. Front ends use it (through [`ProverSettings::max_memory`]) to refuse a proof that cannot
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
    let storage = if storage == LdeStorage::Auto { LdeStorage::by_length(trace_length) } else { storage };
    let per_row: u64 = match storage {
        LdeStorage::Stored | LdeStorage::Auto => 1_000 + 80 * columns + 110 * aux,
        // with the memory variant's tables (10 auxiliary coordinates or more) the peak grows by
        // about 8 bytes a column more: fitted on the 85- and 97-column variants at 2^20 rows,
        // whose peaks the control variant's term (250) missed by 8 and 15 %
        LdeStorage::Streamed => {
            1_240
                + 10 * columns
                + 113 * aux
                + match aux {
                    0 => 0,
                    1..=9 => 250,
                    _ => 100 + 8 * columns,
                }
        }
    };
    let blowup = options.blowup_factor.max(1) as u64;
    let extension = match options.extension {
        FieldExtension::Quadratic => 4,
        FieldExtension::Cubic => 5,
    };
    let lde = (trace_length as u64).saturating_mul(per_row).saturating_mul(blowup) / 8 * extension / 4;
    lde.saturating_add(12 << 20)
}

/// The least [`estimated_memory`] of any proof of a VM trace of `trace_length` rows: the
/// estimate for a trace that stores only the columns every execution varies (the 12 of the
/// sponge state, which hashes the program), what a front end can check before the trace is
/// built ([`prove_with_settings`] does, when given a limit). [`LdeStorage::Auto`] can take
/// either storage, so its least is the smaller of theirs.
pub fn least_memory(trace_length: usize, options: &ProofOptions, storage: LdeStorage) -> u64 {
    let least = |storage| estimated_memory(trace_length, distaff_air::layout::HASHER_WIDTH, 0, options, storage);
    match storage {
        LdeStorage::Auto => least(LdeStorage::Stored).min(least(LdeStorage::Streamed)),
        storage => least(storage),
    }
}

/// Resolves the settings' storage for a trace of `n` rows whose estimate with each storage is
/// `estimate(storage)` ([`LdeStorage::resolve`] under [`ProverSettings::max_memory`]) and
/// refuses ([`ProverError::Memory`]) a proof whose estimate for the storage chosen exceeds
/// the limit (the error also gives the streamed estimate).
pub(crate) fn refuse_over_limit(
    settings: &ProverSettings,
    n: usize,
    estimate: impl Fn(LdeStorage) -> u64,
) -> Result<LdeStorage, ProverError> {
    let storage = settings.storage.resolve(n, &estimate, settings.max_memory);
    let Some(limit) = settings.max_memory else { return Ok(storage) };
    let needed = estimate(storage);
    if needed > limit {
        let streamed = estimate(LdeStorage::Streamed);
        return Err(ProverError::Memory { trace_length: n, needed, limit, streamed });
    }
    Ok(storage)
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
            storage: LdeStorage::Auto,
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

/// The stack of the thread that runs the program while the trace is recorded.
const RUN_STACK_BYTES: usize = 64 << 20;

/// Sets the flag when dropped while the thread unwinds.
struct CancelOnPanic<'a>(&'a AtomicBool);

impl Drop for CancelOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, Ordering::Relaxed);
        }
    }
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
    let mut trace = execute_and_record(program, inputs, options, settings, min_length, &mut report)?;
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

/// Runs the program twice at once and returns its trace: on this thread recording it, on
/// another without recording, which fails fast (an endless loop reaches the 2^24-cycle limit in
/// a fraction of a second), measures the trace, refuses one that cannot fit in the memory limit
/// and then computes the program hash (the claim's: a long span's is as many permutations as
/// recording its rows takes). A failed or refused run, or a panic in it, cancels the recording,
/// which is also capped at the longest trace the limit allows, so an execution too long to
/// prove here never records more than a trace that fits (the trace of 2^24 cycles alone is 8
/// GiB). On two cores the extra run costs no time; run first, it cost a third of the execution
/// phase of a program of `hperm`s, whose permutations dominate both. The trace is recorded on
/// the calling thread, where the proof's other large buffers are allocated: recorded on a rayon
/// worker, its columns' growth left 7 % more peak memory in that thread's malloc arena.
fn execute_and_record(
    program: &Program,
    inputs: &ProgramInputs,
    options: &ProofOptions,
    settings: &ProverSettings,
    min_length: usize,
    report: &mut ProvingReport,
) -> Result<ExecutionTrace, ProverError> {
    let max_cycles = match settings.max_memory {
        None => MAX_CYCLES,
        Some(limit) => (MIN_TRACE_LENGTH.trailing_zeros()..=MAX_TRACE_LENGTH_LOG2)
            .map(|k| 1usize << k)
            .take_while(|&n| least_memory(n, options, settings.storage) <= limit)
            .last()
            .unwrap_or(0),
    };
    let cancel = AtomicBool::new(false);
    let run = || {
        let _cancel_on_panic = CancelOnPanic(&cancel);
        let checked = distaff_processor::execute(program, inputs).map_err(ProverError::from).and_then(|run| {
            let n = run.trace_length.max(min_length);
            refuse_over_limit(settings, n, |storage| least_memory(n, options, storage)).map(|_| ())
        });
        match checked {
            Err(_) => cancel.store(true, Ordering::Relaxed),
            Ok(()) => _ = distaff_processor::program_hash(program),
        }
        checked
    };
    let record = || build_trace_cancellable(program, inputs, min_length, max_cycles, &cancel);
    let (checked, built) = report.time("execution", || {
        std::thread::scope(|scope| {
            // (a stack as deep as the main thread's and more: the first program hash recurses
            // through the program tree, up to MAX_BLOCK_DEPTH levels)
            match std::thread::Builder::new().stack_size(RUN_STACK_BYTES).spawn_scoped(scope, run) {
                Ok(handle) => {
                    let built = record();
                    (handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), built)
                }
                // no thread to be had: one after the other
                Err(_) => {
                    let checked = run();
                    let built = if checked.is_ok() { record() } else { Err(ExecutionError::Cancelled) };
                    (checked, built)
                }
            }
        })
    });
    checked?;
    match built {
        // (the cap is the longest trace that fits, so the run has refused an execution past it;
        // should the estimate ever disagree, the trace is recorded without the cap)
        Err(ExecutionError::Cancelled) => {
            Ok(report.time("execution", || build_trace_with_min_length(program, inputs, min_length))?)
        }
        built => Ok(built?),
    }
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
    if Variant::from_width(columns.len(), true).is_none() {
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

/// Runs the protocol (see `distaff_verifier::protocol`) on a trace, one step after the other:
/// each step is a function of its own module, and a hiding proof differs from a succinct-only
/// one only in what [`Hiding`] gives the steps (masks, salts, randomisers).
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
    let shape = ProofShape::new(air, options).map_err(ProverError::Shape)?;
    let log_n = shape.n.trailing_zeros() as u8;
    // a hiding proof's masks and salts (see distaff_verifier::shape)
    if shape.hiding.is_some() && randomness.is_none() {
        return Err(ProverError::Randomness("none given".into()));
    }
    let hiding = Hiding::new(&shape, randomness);
    let mut transcript = Transcript::<H>::new(air, options, log_n);

    // 1, 2. the main trace and the auxiliary segment, built from the transcript's challenges
    let (main, columns) = trace::commit_main_trace::<H, A>(air, columns, &shape, options, settings, hiding, report)?;
    let challenges = transcript.commit_main_trace::<E, A>(*main.tree.root(), air)?;
    let aux = trace::commit_aux_trace::<E, H, A>(air, columns, &challenges, &shape, hiding, report)?;
    if let Some(aux) = &aux {
        transcript.commit_aux_trace(*aux.tree.root());
    }

    // 3, 4. constraint evaluation and the composition columns
    let alphas = transcript.draw_constraint_coefficients::<E>(num_constraints(air))?;
    let composition = composer::commit_composition::<E, H, A>(
        air,
        &main,
        aux.as_ref(),
        &shape,
        (&alphas, &challenges),
        hiding,
        report,
    )?;
    let z = transcript.commit_composition::<E>(*composition.tree.root())?;

    // 5, 6. the out-of-domain frame
    let zg = z * E::from(Felt::get_root_of_unity(log_n as u32));
    let aux_coefficients = aux.as_ref().map(|a| &a.coefficients);
    let (main_columns, composition_columns) = (&main.coefficients, &composition.columns);
    let ood = report.time("out-of-domain evaluation", || {
        deep::out_of_domain_frame::<E>(main_columns, aux_coefficients, composition_columns, (z, zg), shape.num_chunks)
    });
    if settings.checks == Checks::On {
        deep::check_composition_at_z(air, &ood, &alphas, &challenges, (z, shape.chunk_len), main_columns)?;
    }
    let deep_coefficients = transcript.send_ood_frame(
        &[&ood.current, &ood.next, &ood.aux_current, &ood.aux_next, &ood.composition],
        shape.main_width + shape.aux_width,
        shape.num_chunks,
    )?;

    // 7, 8. the DEEP composition and FRI
    let deep_evaluations: Vec<E> = report.time("DEEP composition", || {
        deep::deep_composition::<E>(
            main_columns,
            aux_coefficients,
            composition_columns,
            &shape,
            &ood,
            z,
            zg,
            &deep_coefficients,
        )
    });
    let queries::FriLayers { prover: mut fri, roots: fri_roots, mut transcript } =
        queries::commit_fri_layers::<E, H>(&shape, transcript, deep_evaluations, report)?;

    // 9. grinding and queries
    let pow_nonce = queries::grind(&transcript, options.grinding_bits, report);
    let positions = transcript.draw_query_positions(options.num_queries, shape.lde_size, pow_nonce)?;
    let openings =
        queries::open_queries::<E, H>(&mut fri, &positions, &shape, &main, aux.as_ref(), &composition, hiding, report)?;

    Ok(Proof {
        options: *options,
        trace_length_log2: log_n,
        trace_root: digest_bytes(main.tree.root()),
        aux_root: aux.as_ref().map(|a| digest_bytes(a.tree.root())),
        composition_root: digest_bytes(composition.tree.root()),
        num_composition_columns: shape.num_chunks as u8,
        ood_trace_current: E::slice_as_base_elements(&ood.current).to_vec(),
        ood_trace_next: E::slice_as_base_elements(&ood.next).to_vec(),
        ood_aux_current: E::slice_as_base_elements(&ood.aux_current).to_vec(),
        ood_aux_next: E::slice_as_base_elements(&ood.aux_next).to_vec(),
        ood_composition: E::slice_as_base_elements(&ood.composition).to_vec(),
        fri_roots,
        fri_layers: openings.fri_layers,
        fri_remainder: openings.fri_remainder,
        pow_nonce,
        trace_openings: openings.trace,
        aux_openings: openings.aux,
        composition_openings: openings.composition,
    })
}
