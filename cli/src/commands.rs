//! The four commands.

use std::path::Path;
use std::time::Instant;

use distaff_air::program::hash_to_hex;
use distaff_air::{Program, PublicInputs};
use distaff_assembly::SourceMap;
use distaff_math::{word_from_hex, Felt};
use distaff_processor::{execute, ExecutionError, ProgramInputs, ProgramPoint};
use distaff_prover::{HashFunction, ProofOptions};
use distaff_verifier::receipt::MAX_RECEIPT_BYTES;
use serde_json::json;

use crate::inputs::{self, Inputs};
use crate::{CliError, Located};

fn read_text(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|source| CliError::Io { path: path.to_path_buf(), source })
}

/// A program's source: the file, or standard input for `-`.
fn read_source(path: &Path) -> Result<(String, String), CliError> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|source| CliError::Io { path: path.to_path_buf(), source })?;
        return Ok((text, "<stdin>".into()));
    }
    Ok((read_text(path)?, path.display().to_string()))
}

/// A program with what is needed to point an execution error at its source.
pub(crate) struct Loaded {
    pub(crate) program: Program,
    pub(crate) map: SourceMap,
    pub(crate) source: String,
    pub(crate) path: String,
}

impl Loaded {
    /// An execution error, located at the instruction or condition it names when the source map
    /// knows it: `execution failed: … at PATH:LINE:COLUMN`, then the line with a caret.
    pub(crate) fn execution_error(&self, e: ExecutionError) -> CliError {
        let (at, calls, written, custom) = match e.point() {
            Some(ProgramPoint::Instruction(i)) => {
                (self.map.instruction(i), self.map.instruction_calls(i), self.map.written(i), self.map.message(i))
            }
            Some(ProgramPoint::Condition(c)) => (self.map.condition(c), self.map.condition_calls(c), None, None),
            None => (None, Vec::new(), None, None),
        };
        match at {
            None => CliError::Execution(e),
            Some((line, column)) => {
                // what the user wrote, when the failing instruction is part of a composite one
                let message = match (written, &e) {
                    // an assertion written with its own message (assert.err="…")
                    (_, ExecutionError::AssertionFailed { compared, cycle, .. }) if custom.is_some() => {
                        let custom = custom.unwrap_or_default();
                        match (written, compared) {
                            (Some(word), Some((a, b))) => {
                                format!("'{word}' failed at cycle {cycle}: {custom} ({} ≠ {})", a.as_int(), b.as_int())
                            }
                            _ => format!("assertion failed at cycle {cycle}: {custom}"),
                        }
                    }
                    (Some(word), ExecutionError::AssertionFailed { compared: Some((a, b)), cycle, .. })
                        if word.starts_with("assert_eq") =>
                    {
                        format!("'{word}' failed at cycle {cycle}: the values differ ({} ≠ {})", a.as_int(), b.as_int())
                    }
                    (Some(word), ExecutionError::AssertionFailed { cycle, .. }) if word.starts_with("mtree_verify") => {
                        format!("'{word}' failed at cycle {cycle}: the path does not lead to the root")
                    }
                    (Some(word), _) => format!("in '{word}': {e}"),
                    (None, _) => e.to_string(),
                };
                let gutter = calls.iter().chain([&(line, column)]).map(|(l, _)| l.to_string().len()).max().unwrap_or(1);
                let snippet = distaff_assembly::source_snippet(&self.source, (line, column));
                let mut rendered = format!("{message}\n{:gutter$}--> {}:{line}:{column}\n{snippet}", "", self.path);
                // the chain of exec call sites, innermost first
                for (l, c) in &calls {
                    let snippet = distaff_assembly::source_snippet(&self.source, (*l, *c));
                    rendered.push_str(&format!("\n{:gutter$}= called from {}:{l}:{c}\n{snippet}", "", self.path));
                }
                CliError::ExecutionAt(Located { file: self.path.clone(), line, column, message, rendered, calls })
            }
        }
    }
}

/// The library folders programs import from (`--lib`), besides the built-in `std`.
static LIBRARY_DIRS: std::sync::OnceLock<Vec<std::path::PathBuf>> = std::sync::OnceLock::new();

/// Sets the library folders (`--lib DIR`, in order) from which every command's program may
/// import modules; each is read when a program is assembled. Set once, before any command
/// runs (later calls are ignored).
pub fn set_library_dirs(dirs: Vec<std::path::PathBuf>) {
    let _ = LIBRARY_DIRS.set(dirs);
}

/// The assembler with the standard library and the `--lib` folders.
fn assembler() -> Result<distaff_assembly::Assembler, CliError> {
    let mut assembler = distaff_assembly::Assembler::new();
    for dir in LIBRARY_DIRS.get().map(Vec::as_slice).unwrap_or_default() {
        assembler = assembler.with_library(distaff_assembly::Library::from_dir(dir)?)?;
    }
    Ok(assembler)
}

pub(crate) fn load_program(path: &Path) -> Result<Loaded, CliError> {
    let (source, path) = read_source(path)?;
    let (program, map) = assembler()?.assemble_with_source_map(&source).map_err(|e| {
        CliError::Assembly(Located {
            // (an error in a library module is located in the module)
            file: e.module.as_ref().map_or_else(|| path.clone(), |m| m.path.clone()),
            line: e.line,
            column: e.column,
            message: e.kind.to_string(),
            rendered: format!("{path}: {}", e.render(&source)),
            calls: Vec::new(),
        })
    })?;
    Ok(Loaded { program, map, source, path })
}

pub(crate) fn load_inputs(path: Option<&Path>) -> Result<Inputs, CliError> {
    load_inputs_with(path, true)
}

/// [`load_inputs`]; without `advice`, the advice map and the Merkle store are not read (a
/// verifier has no use for them, and building a large store takes time).
fn load_inputs_with(path: Option<&Path>, advice: bool) -> Result<Inputs, CliError> {
    match path {
        None => Ok(Inputs::default()),
        Some(p) => inputs::parse_with(&read_text(p)?, advice).map_err(|e| match e {
            CliError::Inputs(m) => CliError::Inputs(format!("{}: {m}", p.display())),
            other => other,
        }),
    }
}

pub(crate) fn program_inputs(i: Inputs) -> Result<ProgramInputs, CliError> {
    ProgramInputs::new(i.public, i.secret)
        .and_then(|p| p.with_memory(i.memory))
        .map(|p| p.with_advice_map(i.advice_map).with_merkle_store(i.merkle_store))
        .map_err(|e| CliError::Inputs(e.to_string()))
}

fn check_outputs(n: usize) -> Result<(), CliError> {
    if n > distaff_air::MAX_OUTPUTS {
        return Err(CliError::Usage(format!("--outputs {n}: at most {} outputs", distaff_air::MAX_OUTPUTS)));
    }
    Ok(())
}

fn strings(v: &[Felt]) -> Vec<String> {
    v.iter().map(|x| x.as_int().to_string()).collect()
}

/// `distaff run`.
pub fn run(
    program: &Path,
    inputs: Option<&Path>,
    outputs: usize,
    profile: bool,
    as_json: bool,
) -> Result<(), CliError> {
    check_outputs(outputs)?;
    let loaded = load_program(program)?;
    let inputs = program_inputs(load_inputs(inputs)?)?;
    let result = if loaded.map.decorators().is_empty() {
        execute(&loaded.program, &inputs)
    } else {
        // debug.* decorators print on standard error as execution passes them
        let mut live = crate::debugger::Live::new(&loaded, std::io::stderr().lock(), None::<std::io::Sink>);
        let result = distaff_processor::debug::execute_observed(&loaded.program, &inputs, &mut live);
        live.finish().map_err(|source| CliError::Io { path: "<stderr>".into(), source })?;
        result
    }
    .map_err(|e| loaded.execution_error(e))?;
    // (a proof's claim may name zeros below the stack, which the AIR proves; `run` reports
    // what the stack holds and never pads it)
    if outputs > result.stack.len() {
        let depth = result.stack.len();
        return Err(CliError::Usage(format!(
            "--outputs {outputs}: the final stack holds {depth} value{}",
            if depth == 1 { "" } else { "s" }
        )));
    }
    let values = result.outputs(outputs);
    let profile = match profile {
        true => Some(cycle_profile(&loaded, &inputs)?),
        false => None,
    };
    if as_json {
        let mut obj = json!({ "outputs": strings(&values), "cycles": result.cycles });
        if let Some(p) = &profile {
            obj["profile"] = p.to_json();
        }
        println!("{obj}");
    } else {
        for v in values {
            println!("{}", v.as_int());
        }
        if let Some(p) = &profile {
            eprint!("{}", p.render());
        }
    }
    Ok(())
}

/// Where an execution's cycles went, by instruction kind and by procedure.
struct CycleProfile {
    cycles: usize,
    control: usize,
    padding: usize,
    /// (mnemonic, runs, cycles), most cycles first.
    kinds: Vec<(String, u64, u64)>,
    /// (procedure, cycles of the instructions written in it), most first; the program's own
    /// body is `begin`.
    procedures: Vec<(String, u64)>,
}

fn cycle_profile(loaded: &Loaded, inputs: &ProgramInputs) -> Result<CycleProfile, CliError> {
    let p = distaff_processor::profile(&loaded.program, inputs).map_err(|e| loaded.execution_error(e))?;
    let mut kinds: Vec<(String, u64, u64)> = Vec::new();
    let mut procedures: Vec<(String, u64)> = Vec::new();
    for (index, &runs) in p.runs.iter().enumerate().filter(|(_, r)| **r > 0) {
        let Some(inst) = loaded.map.instruction_kind(index) else { continue };
        let cycles = runs * inst.cycles() as u64;
        let text = inst.to_string();
        let name = text.split('.').next().unwrap_or(&text).to_string();
        match kinds.iter_mut().find(|k| k.0 == name) {
            Some(k) => (k.1, k.2) = (k.1 + runs, k.2 + cycles),
            None => kinds.push((name, runs, cycles)),
        }
        let procedure = loaded.map.instruction_procedure(index).unwrap_or("begin").to_string();
        match procedures.iter_mut().find(|q| q.0 == procedure) {
            Some(q) => q.1 += cycles,
            None => procedures.push((procedure, cycles)),
        }
    }
    kinds.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    procedures.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(CycleProfile { cycles: p.cycles, control: p.control_cycles, padding: p.padding_cycles, kinds, procedures })
}

impl CycleProfile {
    fn share(&self, cycles: u64) -> f64 {
        100.0 * cycles as f64 / self.cycles.max(1) as f64
    }

    fn render(&self) -> String {
        let mut out = format!("profile: {} cycles\n", self.cycles);
        out += &format!("  control flow  {:>10}  {:5.1} %\n", self.control, self.share(self.control as u64));
        out += &format!("  span padding  {:>10}  {:5.1} %\n", self.padding, self.share(self.padding as u64));
        out += "by instruction (runs, cycles):\n";
        for (name, runs, cycles) in &self.kinds {
            out += &format!("  {name:<14}{runs:>10}  {cycles:>10}  {:5.1} %\n", self.share(*cycles));
        }
        out += "by procedure (cycles of the instructions written in it):\n";
        for (name, cycles) in &self.procedures {
            out += &format!("  {name:<14}{cycles:>10}  {:5.1} %\n", self.share(*cycles));
        }
        out
    }

    fn to_json(&self) -> serde_json::Value {
        json!({
            "cycles": self.cycles,
            "control_flow_cycles": self.control,
            "span_padding_cycles": self.padding,
            "instructions": self.kinds.iter().map(|(n, r, c)| json!({ "name": n, "runs": r, "cycles": c })).collect::<Vec<_>>(),
            "procedures": self.procedures.iter().map(|(n, c)| json!({ "name": n, "cycles": c })).collect::<Vec<_>>(),
        })
    }
}

/// The settings of `distaff prove`.
pub struct ProveArgs {
    /// Number of outputs claimed.
    pub outputs: usize,
    /// 96 or 128.
    pub security: u32,
    /// Commitment hash.
    pub hash: HashFunction,
    /// How the prover holds the trace LDE.
    pub storage: distaff_prover::LdeStorage,
    /// Refuse to prove if the estimated peak memory exceeds this many bytes (default: the
    /// memory the system reports available).
    pub max_memory: Option<u64>,
    /// Print JSON.
    pub as_json: bool,
    /// Make a zero-knowledge (hiding) proof (the default; `--no-zk` turns it off).
    pub hiding: bool,
    /// Show a progress display on standard error (when it is a terminal; `--quiet` turns it
    /// off).
    pub progress: bool,
}

/// A spinner on standard error that names the proving phase, shown once a proof has taken a
/// second (a short proof prints nothing), and only when standard error is a terminal.
struct ProgressDisplay {
    bar: indicatif::ProgressBar,
    /// Whether the proof is over (then the display must not appear).
    done: std::sync::Arc<std::sync::Mutex<bool>>,
}

impl ProgressDisplay {
    fn new() -> std::sync::Arc<Self> {
        let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} proving [{elapsed}] {msg}") {
            bar.set_style(style);
        }
        let done = std::sync::Arc::new(std::sync::Mutex::new(false));
        let (shown, over) = (bar.clone(), done.clone());
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(1));
            if let Ok(over) = over.lock() {
                if !*over {
                    // (a hidden target unless standard error is a terminal)
                    shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    shown.enable_steady_tick(std::time::Duration::from_millis(120));
                }
            }
        });
        std::sync::Arc::new(ProgressDisplay { bar, done })
    }

    /// Phase `name` starts.
    fn phase(&self, name: &'static str) {
        self.bar.set_message(name);
    }

    fn finish(&self) {
        if let Ok(mut over) = self.done.lock() {
            *over = true;
        }
        self.bar.finish_and_clear();
    }
}

fn gib(bytes: u64) -> String {
    if bytes < 1 << 30 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
    }
}

/// The error for a proof refused for its estimated memory, with a hint when the streamed LDE
/// would fit.
fn memory_error(needed: u64, limit: u64, streamed: u64, storage: distaff_prover::LdeStorage, rows: usize) -> CliError {
    let hint = if storage == distaff_prover::LdeStorage::Stored && streamed <= limit {
        format!("; with --lde streamed it needs about {}", gib(streamed))
    } else {
        String::new()
    };
    CliError::Resources(format!(
        "proving this execution (a 2^{}-row trace) needs about {} of memory, but the limit is {}{hint}",
        rows.trailing_zeros(),
        gib(needed),
        gib(limit)
    ))
}

/// Fails, before any proving, if the proof cannot be written to `path` (it leaves no file
/// behind where there was none).
fn check_writable(path: &Path) -> Result<(), CliError> {
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|source| CliError::Io { path: path.to_path_buf(), source })?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// `distaff prove`.
pub fn prove(program: &Path, inputs: Option<&Path>, args: &ProveArgs, proof_path: &Path) -> Result<(), CliError> {
    let ProveArgs { outputs, security, hash, storage, as_json, hiding, .. } = *args;
    check_outputs(outputs)?;
    let loaded = load_program(program)?;
    let program = &loaded.program;
    let inputs = program_inputs(load_inputs(inputs)?)?;
    let options = match security {
        128 => ProofOptions::with_128_bit_security(hash),
        _ => ProofOptions::with_96_bit_security(hash),
    }
    .with_hiding(hiding);
    check_writable(proof_path)?;
    let start = Instant::now();
    // the prover refuses a proof that cannot fit in memory: before building the trace for the
    // least any trace of its length needs, and once it is built for what it needs
    let display = args.progress.then(ProgressDisplay::new);
    let progress: Option<distaff_prover::Progress> = display.clone().map(|d| {
        let progress: distaff_prover::Progress = std::sync::Arc::new(move |phase| d.phase(phase));
        progress
    });
    let settings = distaff_prover::ProverSettings {
        storage,
        max_memory: args.max_memory.or_else(distaff_prover::available_memory),
        progress,
        ..Default::default()
    };
    let proved = distaff_prover::prove_with_settings(program, &inputs, outputs, &options, &settings);
    if let Some(display) = &display {
        display.finish();
    }
    let (values, proof, report) = proved.map_err(|e| match e {
        distaff_prover::ProverError::Execution(e) => loaded.execution_error(e),
        distaff_prover::ProverError::Memory { trace_length, needed, limit, streamed } => {
            memory_error(needed, limit, streamed, storage, trace_length)
        }
        other => CliError::Proving(other),
    })?;
    let elapsed = start.elapsed();
    // the file is a receipt: the proof with the claim it was made for
    let claim = PublicInputs {
        program_hash: program.hash(),
        inputs: inputs.public().to_vec(),
        outputs: values.clone(),
        memory: inputs.memory().to_vec(),
    };
    let bytes = distaff_verifier::Receipt { claim, proof: proof.clone() }
        .to_bytes()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    std::fs::write(proof_path, &bytes).map_err(|source| CliError::Io { path: proof_path.to_path_buf(), source })?;
    let hash_hex = hash_to_hex(&program.hash());
    if as_json {
        println!(
            "{}",
            json!({
                "program_hash": hash_hex,
                "outputs": strings(&values),
                "proof": proof_path.display().to_string(),
                "proof_bytes": bytes.len(),
                "proving_time_ms": elapsed.as_secs_f64() * 1e3,
                "security_bits": report.security_bits,
                "trace_length": report.trace_length,
                "cycles": report.cycles,
                "hash": hash.name(),
                "hiding": hiding,
                "queries": proof.options.num_queries,
                "initial_memory_words": inputs.memory().len(),
                "stored_columns": report.stored_columns,
                "aux_columns": report.aux_columns,
                "lde": lde_name(report.storage),
                "estimated_memory_bytes": distaff_prover::estimated_memory(report.trace_length, report.stored_columns, report.aux_columns, &proof.options, report.storage),
                "phases_ms": report.phases.iter().map(|(name, d)| (name.to_string(), serde_json::Value::from(d.as_secs_f64() * 1e3))).collect::<serde_json::Map<_, _>>(),
            })
        );
    } else {
        println!("program hash: {hash_hex}");
        println!("outputs: {}", strings(&values).join(","));
        let lde = lde_name(report.storage);
        println!(
            "proving time: {:.3} s ({} cycles, trace length {}, {lde} LDE)",
            elapsed.as_secs_f64(),
            report.cycles,
            report.trace_length
        );
        println!("proof: {} ({} bytes, {:.1} KiB)", proof_path.display(), bytes.len(), bytes.len() as f64 / 1024.0);
        println!("security: {} bits (conjectured, {} commitments)", report.security_bits, hash.name());
        if hiding {
            println!("zero knowledge: hiding (reveals the claim, the AIR variant and the trace length)");
        } else {
            println!("zero knowledge: off (--no-zk): the proof reveals evaluations of the execution trace");
        }
        if !inputs.memory().is_empty() {
            // the initial memory is part of the claim, which the proof file carries
            println!(
                "initial memory: {} words, public (part of the claim the proof file carries)",
                inputs.memory().len()
            );
        }
    }
    Ok(())
}

/// How a proof held the trace's LDE, as `prove` reports it (what the default chose).
fn lde_name(storage: distaff_prover::LdeStorage) -> &'static str {
    match storage {
        distaff_prover::LdeStorage::Streamed => "streamed",
        _ => "stored",
    }
}

/// `distaff verify`: the expectations the user gave (each optional for a receipt).
pub struct VerifyArgs<'a> {
    /// `--program-hash`.
    pub program_hash: Option<&'a str>,
    /// `--inputs`: its public values and initial memory are expected (its secret ones ignored).
    pub inputs: Option<&'a Path>,
    /// `--outputs`.
    pub outputs: Option<&'a str>,
    /// `--any-inputs`: without `--inputs`, accept whatever public inputs and memory the claim
    /// names (otherwise, once anything is expected, they are expected empty).
    pub any_inputs: bool,
    /// `--min-security`.
    pub min_security: u32,
    /// Print JSON.
    pub as_json: bool,
}

/// `distaff verify`. A receipt (what `prove` writes) is checked against the claim it carries,
/// after every expectation given is compared with that claim; a bare proof needs the whole
/// claim on the command line. Once anything is expected (`--program-hash`, `--outputs`),
/// leaving out `--inputs` expects no public inputs and no memory, as it always has for a bare
/// proof, unless `--any-inputs` says otherwise: a receipt cannot choose a weaker reading of
/// the same command line.
pub fn verify(proof_path: &Path, args: &VerifyArgs<'_>) -> Result<(), CliError> {
    let hash = args
        .program_hash
        .map(|h| {
            word_from_hex(h).ok_or_else(|| {
                CliError::Usage(format!("--program-hash '{h}' is not 64 hex characters of a program hash"))
            })
        })
        .transpose()?;
    if args.any_inputs && args.inputs.is_some() {
        return Err(CliError::Usage("--any-inputs and --inputs exclude each other".into()));
    }
    let expects_something = hash.is_some() || args.outputs.is_some();
    let expected_inputs = match args.inputs {
        Some(p) => Some(load_inputs_with(Some(p), false)?),
        None if expects_something && !args.any_inputs => Some(Inputs::default()),
        None => None,
    };
    let outputs = args.outputs.map(inputs::parse_list).transpose()?;
    // read at most one byte more than the largest receipt (a pipe has no length to check first)
    let io = |source| CliError::Io { path: proof_path.to_path_buf(), source };
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::fs::File::open(proof_path).map_err(io)?, MAX_RECEIPT_BYTES as u64 + 1),
        &mut bytes,
    )
    .map_err(io)?;
    if bytes.len() > MAX_RECEIPT_BYTES {
        return Err(CliError::Rejected(format!(
            "the proof file is more than the {MAX_RECEIPT_BYTES} bytes a receipt can be"
        )));
    }
    let start = Instant::now();
    let rejected = |e: &dyn std::fmt::Display| CliError::Rejected(e.to_string());
    let (claim, bits, hiding) = if distaff_verifier::Receipt::is_receipt(&bytes) {
        let receipt = distaff_verifier::Receipt::from_bytes(&bytes).map_err(|e| rejected(&e))?;
        let expected = distaff_verifier::Expected {
            program_hash: hash.as_ref(),
            inputs: expected_inputs.as_ref().map(|i| i.public.as_slice()),
            outputs: outputs.as_deref(),
            memory: expected_inputs.as_ref().map(|i| i.memory.as_slice()),
        };
        let bits =
            distaff_verifier::verify_receipt(&receipt, &expected, args.min_security).map_err(|e| rejected(&e))?;
        let hiding = receipt.proof.options.hiding;
        (receipt.claim, bits, hiding)
    } else {
        // a bare proof: the claim comes from the command line alone
        let (Some(program_hash), Some(outputs)) = (hash, outputs) else {
            return Err(CliError::Usage(
                "this proof file carries no claim (it is not a receipt): give --program-hash and --outputs".into(),
            ));
        };
        let i = expected_inputs.unwrap_or_default();
        let claim = PublicInputs { program_hash, inputs: i.public, outputs, memory: i.memory };
        let proof = distaff_verifier::Proof::from_bytes(&bytes).map_err(|e| rejected(&e))?;
        let bits = distaff_verifier::verify_claim(&claim, &proof, args.min_security).map_err(|e| rejected(&e))?;
        (claim, bits, proof.options.hiding)
    };
    let elapsed = start.elapsed();
    let hash_hex = hash_to_hex(&claim.program_hash);
    if args.as_json {
        println!(
            "{}",
            json!({
                "verified": true,
                "security_bits": bits,
                "hiding": hiding,
                "verification_time_ms": elapsed.as_secs_f64() * 1e3,
                "claim": {
                    "program_hash": hash_hex,
                    "inputs": strings(&claim.inputs),
                    "outputs": strings(&claim.outputs),
                    "memory": claim.memory.iter().map(|(a, w)| (a.to_string(), serde_json::Value::from(strings(w)))).collect::<serde_json::Map<_, _>>(),
                },
            })
        );
    } else {
        let kind = if hiding { "a hiding proof" } else { "a proof without zero knowledge" };
        println!(
            "verified: the proof holds ({kind}, {bits}-bit conjectured security, checked in {:.2} ms)",
            elapsed.as_secs_f64() * 1e3
        );
        println!("program hash: {hash_hex}");
        println!(
            "public inputs: {}",
            if claim.inputs.is_empty() { "none".into() } else { strings(&claim.inputs).join(",") }
        );
        println!("outputs: {}", strings(&claim.outputs).join(","));
        if !claim.memory.is_empty() {
            // (all of it with --json)
            let shown: Vec<String> =
                claim.memory.iter().take(8).map(|(a, w)| format!("{a}: [{}]", strings(w).join(","))).collect();
            let more = claim.memory.len().saturating_sub(8);
            let more = if more > 0 { format!(" and {more} more (see --json)") } else { String::new() };
            println!("initial memory: {} words: {}{more}", claim.memory.len(), shown.join(", "));
        }
    }
    Ok(())
}

/// `distaff hash`.
pub fn hash(program: &Path, inputs: Option<&Path>, as_json: bool) -> Result<(), CliError> {
    let hex = hash_to_hex(&distaff_processor::program_hash(&load_program(program)?.program));
    let roots: Vec<[u64; 4]> = match inputs {
        Some(path) => load_inputs(Some(path))?.merkle_roots.iter().map(|r| r.map(|v| v.as_int())).collect(),
        None => Vec::new(),
    };
    if as_json {
        match inputs {
            Some(_) => println!("{}", json!({ "program_hash": hex, "merkle_roots": roots })),
            None => println!("{}", json!({ "program_hash": hex })),
        }
    } else {
        println!("{hex}");
        for (i, r) in roots.iter().enumerate() {
            println!("merkle_store[{i}] root: {}, {}, {}, {}", r[0], r[1], r[2], r[3]);
        }
    }
    Ok(())
}
