//! The `distaff` command's library: what the binary does, command by command
//! ([`commands`]), and the inputs-file parser ([`inputs`]), kept apart from argument parsing so
//! that the fuzz targets and tests can call them.

#![deny(missing_docs)]

pub mod commands;
pub mod debugger;
pub mod inputs;

// The README's Rust snippets, compiled and run as doctests (`cargo test -p distaff-cli --doc`):
// the crate depends on every crate they name.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeSnippets;

use std::path::PathBuf;

/// A message located in a source file (an assembly error, or an execution error pointed at
/// the instruction that failed).
#[derive(Debug)]
pub struct Located {
    /// The file (`<stdin>` for a program read from standard input).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, without the location.
    pub message: String,
    /// The message with its location and the source line under a caret, for a terminal.
    pub rendered: String,
    /// For an execution error inside a procedure: the `exec` call sites that led there,
    /// innermost first.
    pub calls: Vec<(usize, usize)>,
}

/// Errors the CLI reports. Each kind has its own exit status ([`CliError::exit_code`]), so
/// that scripts can tell a rejected proof from a missing file or a failed assertion.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The program does not assemble.
    #[error("{}", .0.rendered)]
    Assembly(Located),
    /// The inputs file is invalid.
    #[error("invalid inputs: {0}")]
    Inputs(String),
    /// A library folder (`--lib`) cannot be read or named.
    #[error("library: {0}")]
    Library(#[from] distaff_assembly::LibraryError),
    /// A command-line value is invalid.
    #[error("{0}")]
    Usage(String),
    /// Execution failed.
    #[error("execution failed: {0}")]
    Execution(#[from] distaff_processor::ExecutionError),
    /// Execution failed at a known place in the source.
    #[error("execution failed: {}", .0.rendered)]
    ExecutionAt(Located),
    /// Proving failed (the prover's own checks found the trace inconsistent: a bug).
    #[error("proving failed: {0}")]
    Proving(#[from] distaff_prover::ProverError),
    /// The machine cannot do what was asked (not enough memory for the proof).
    #[error("{0}")]
    Resources(String),
    /// The proof was rejected.
    #[error("proof rejected: {0}")]
    Rejected(String),
}

impl CliError {
    /// The exit status: 1 the proof was rejected, 2 the command line is wrong, 3 a file, the
    /// program's source or the inputs are bad, 4 the program failed (an assertion, a stack
    /// underflow, …), 5 the machine lacks the resources (memory), 6 the prover failed.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Rejected(_) => 1,
            CliError::Usage(_) => 2,
            CliError::Io { .. } | CliError::Assembly(_) | CliError::Inputs(_) | CliError::Library(_) => 3,
            CliError::Execution(_) | CliError::ExecutionAt(_) => 4,
            CliError::Resources(_) => 5,
            CliError::Proving(_) => 6,
        }
    }

    /// The kind, as `--json` names it.
    pub fn kind(&self) -> &'static str {
        match self {
            CliError::Rejected(_) => "rejected",
            CliError::Usage(_) => "usage",
            CliError::Io { .. } => "io",
            CliError::Assembly(_) => "assembly",
            CliError::Inputs(_) => "inputs",
            CliError::Library(_) => "library",
            CliError::Execution(_) | CliError::ExecutionAt(_) => "execution",
            CliError::Resources(_) => "resources",
            CliError::Proving(_) => "proving",
        }
    }

    /// The error as `--json` prints it: `{"kind", "message", "exit_code"}`, with `file`,
    /// `line` and `column` where the error has a place in a file.
    pub fn to_json(&self) -> serde_json::Value {
        let mut obj = serde_json::json!({ "kind": self.kind(), "exit_code": self.exit_code() });
        match self {
            CliError::Assembly(at) | CliError::ExecutionAt(at) => {
                obj["message"] = at.message.clone().into();
                obj["file"] = at.file.clone().into();
                obj["line"] = at.line.into();
                obj["column"] = at.column.into();
                if !at.calls.is_empty() {
                    obj["calls"] =
                        at.calls.iter().map(|(l, c)| serde_json::json!({ "line": l, "column": c })).collect();
                }
            }
            CliError::Io { path, source } => {
                obj["message"] = source.to_string().into();
                obj["file"] = path.display().to_string().into();
            }
            other => obj["message"] = other.to_string().into(),
        }
        obj
    }
}
