//! `distaff`: run, prove, verify, hash and debug Distaff programs from the command line.
//!
//! This binary is thin: it parses arguments, reads files and calls the library crates. Exit
//! status: 0 success (for `verify`: the proof holds); 1 the proof was rejected; 2 the command
//! line is wrong; 3 a file, the program's source or the inputs are bad; 4 the program failed
//! when executed; 5 not enough memory for the proof; 6 the prover failed. The reason is on
//! stderr, and with `--json` also on stdout as `{"error": {"kind", "message", "exit_code",
//! "file", "line", "column"}}` (the last three where the error has a place in a file).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use distaff_cli::{commands, CliError};

#[derive(Parser)]
#[command(name = "distaff", version, about = "Distaff: a zero-knowledge virtual machine with STARK proofs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// A folder of `.dasm` library modules that programs import with `use.NAME::…::MODULE`
    /// (NAME: the folder's name; `a/b.dasm` is the module `NAME::a::b`). Repeatable. The
    /// standard library, `std`, is built in.
    #[arg(long = "lib", value_name = "DIR", global = true)]
    libs: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Hash {
    Blake3,
    Rescue,
}

/// How `prove` holds the trace's LDE (`distaff_prover::LdeStorage`).
#[derive(Clone, Copy, ValueEnum)]
enum Lde {
    Auto,
    Stored,
    Streamed,
}

#[derive(Subcommand)]
enum Command {
    /// Execute a program without proving; print the top N stack values, one per line.
    Run {
        /// Assembly source file (`-`: standard input).
        program: PathBuf,
        /// JSON inputs file: {"public": [..], "secret": [..], "memory": {"ADDR": VALUE, ..}}.
        #[arg(long)]
        inputs: Option<PathBuf>,
        /// Number of stack values to print (top first).
        #[arg(long, default_value_t = 1)]
        outputs: usize,
        /// Also print where the cycles went: per instruction kind, per procedure, control flow
        /// and span padding (on standard error; in the object with --json).
        #[arg(long)]
        profile: bool,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Execute a program and prove the execution.
    Prove {
        /// Assembly source file (`-`: standard input).
        program: PathBuf,
        /// JSON inputs file: {"public": [..], "secret": [..], "memory": {"ADDR": VALUE, ..}}.
        #[arg(long)]
        inputs: Option<PathBuf>,
        /// Number of stack values claimed as outputs (top first).
        #[arg(long, default_value_t = 1)]
        outputs: usize,
        /// Conjectured security target in bits.
        #[arg(long, default_value_t = 96, value_parser = parse_security)]
        security: u32,
        /// Commitment hash.
        #[arg(long, value_enum, default_value_t = Hash::Blake3)]
        hash: Hash,
        /// Where to write the proof.
        #[arg(long)]
        proof: PathBuf,
        /// How to hold the trace's low-degree extension (the proof is the same): `stored` keeps
        /// it, `streamed` holds at most one coset of it at a time (about half the peak memory, a
        /// second LDE pass), `auto` stores it below 2^20 rows, where that is faster, and streams
        /// it from there on, or when only the streamed LDE fits the memory limit.
        #[arg(long, value_enum, default_value_t = Lde::Auto)]
        lde: Lde,
        /// Same as `--lde streamed`.
        #[arg(long, conflicts_with = "lde")]
        low_memory: bool,
        /// Refuse to prove if the estimated peak memory exceeds this many GiB (default: the
        /// memory the system reports available).
        #[arg(long, value_name = "GIB")]
        max_memory: Option<f64>,
        /// Make a proof without zero knowledge: smaller and deterministic, but it reveals
        /// evaluations of the execution trace, from which secret inputs can be recovered.
        #[arg(long)]
        no_zk: bool,
        /// Print no progress display (it appears on standard error, when that is a terminal,
        /// for proofs that take more than a second).
        #[arg(long, short)]
        quiet: bool,
        /// Print one JSON object (with the time of each proving phase).
        #[arg(long)]
        json: bool,
    },
    /// Verify a proof file and print the claim it proves. Every expectation given (program
    /// hash, inputs, outputs) must equal the claim the proof was made for.
    Verify {
        /// The proof file (a receipt, as `prove` writes: the proof with its claim).
        #[arg(long)]
        proof: PathBuf,
        /// Expected program hash (64 hex characters, as printed by `distaff hash`).
        #[arg(long)]
        program_hash: Option<String>,
        /// JSON inputs file: its "public" values and initial "memory" are expected ("secret",
        /// "advice_map" and "merkle_store" are not read).
        #[arg(long)]
        inputs: Option<PathBuf>,
        /// Expected outputs, top first, separated by commas or white space (what `run` prints).
        #[arg(long)]
        outputs: Option<String>,
        /// Accept any public inputs and initial memory. Without it, once --program-hash or
        /// --outputs is given, leaving out --inputs expects none.
        #[arg(long)]
        any_inputs: bool,
        /// Minimum conjectured security, in bits.
        #[arg(long, default_value_t = distaff_verifier::DEFAULT_MIN_SECURITY_BITS)]
        min_security: u32,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Step through a program's execution: forwards, backwards, over procedure calls and to
    /// breakpoints, printing the stack, memory and secret inputs. Commands are read from
    /// standard input, one per line ('help' lists them).
    Debug {
        /// Assembly source file.
        program: PathBuf,
        /// JSON inputs file: {"public": [..], "secret": [..], "memory": {"ADDR": VALUE, ..}}.
        #[arg(long)]
        inputs: Option<PathBuf>,
        /// Read no commands: print one line per instruction and condition executed, tab
        /// separated: cycle, line:column, instruction, stack depth, top of the stack (at most
        /// 16 values, top first), before it runs; a last line for the halt.
        #[arg(long)]
        trace: bool,
    },
    /// Print the program hash as lower-case hex.
    Hash {
        /// Assembly source file (`-`: standard input).
        program: PathBuf,
        /// Also print the root of each tree of this inputs file's Merkle store (lane 0 first,
        /// in decimal, as public inputs take them), one line per tree.
        #[arg(long)]
        inputs: Option<PathBuf>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

fn parse_security(s: &str) -> Result<u32, String> {
    match s {
        "96" => Ok(96),
        "128" => Ok(128),
        _ => Err(format!("'{s}' is not a supported security level (96 or 128)")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    commands::set_library_dirs(cli.libs);
    let (json, result) = match cli.command {
        Command::Run { program, inputs, outputs, profile, json } => {
            (json, commands::run(&program, inputs.as_deref(), outputs, profile, json))
        }
        Command::Prove {
            program,
            inputs,
            outputs,
            security,
            hash,
            proof,
            lde,
            low_memory,
            max_memory,
            no_zk,
            quiet,
            json,
        } => {
            // the proof's large buffers are reused as they are freed (only proving needs it)
            distaff_prover::keep_freed_memory();
            let hash = match hash {
                Hash::Blake3 => distaff_prover::HashFunction::Blake3_256,
                Hash::Rescue => distaff_prover::HashFunction::Rp64_256,
            };
            let storage = match (lde, low_memory) {
                (_, true) | (Lde::Streamed, _) => distaff_prover::LdeStorage::Streamed,
                (Lde::Stored, _) => distaff_prover::LdeStorage::Stored,
                (Lde::Auto, _) => distaff_prover::LdeStorage::Auto,
            };
            let max_memory = max_memory.map(|g| (g.max(0.0) * (1u64 << 30) as f64) as u64);
            let args = commands::ProveArgs {
                outputs,
                security,
                hash,
                storage,
                max_memory,
                as_json: json,
                hiding: !no_zk,
                progress: !quiet,
            };
            (json, commands::prove(&program, inputs.as_deref(), &args, &proof))
        }
        Command::Verify { proof, program_hash, inputs, outputs, any_inputs, min_security, json } => {
            let args = commands::VerifyArgs {
                program_hash: program_hash.as_deref(),
                inputs: inputs.as_deref(),
                outputs: outputs.as_deref(),
                any_inputs,
                min_security,
                as_json: json,
            };
            (json, commands::verify(&proof, &args))
        }
        Command::Debug { program, inputs, trace } => (
            false,
            match trace {
                true => distaff_cli::debugger::trace(&program, inputs.as_deref()),
                false => distaff_cli::debugger::debug(&program, inputs.as_deref()),
            },
        ),
        Command::Hash { program, inputs, json } => (json, commands::hash(&program, inputs.as_deref(), json)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                let mut obj = serde_json::json!({ "error": e.to_json() });
                if matches!(e, CliError::Rejected(_)) {
                    obj["verified"] = serde_json::Value::Bool(false);
                }
                println!("{obj}");
            }
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
