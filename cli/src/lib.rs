//! The `distaff` command's library: what the binary does, command by command
//! ([`commands`]), and the inputs-file parser ([`inputs`]), kept apart from argument parsing so
//! that the fuzz targets and tests can call them.

#![deny(missing_docs)]

pub mod commands;
pub mod inputs;

use std::path::PathBuf;

/// Errors the CLI reports.
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
    /// The program does not assemble (already rendered with its location).
    #[error("{0}")]
    Assembly(String),
    /// The inputs file is invalid.
    #[error("invalid inputs: {0}")]
    Inputs(String),
    /// A command-line value is invalid.
    #[error("{0}")]
    Usage(String),
    /// Execution failed.
    #[error("execution failed: {0}")]
    Execution(#[from] distaff_processor::ExecutionError),
    /// Execution failed at a known place in the source (already rendered with it).
    #[error("execution failed: {0}")]
    ExecutionAt(String),
    /// Proving failed.
    #[error("proving failed: {0}")]
    Proving(#[from] distaff_prover::ProverError),
    /// The machine cannot do what was asked (not enough memory for the proof).
    #[error("{0}")]
    Resources(String),
    /// The proof was rejected.
    #[error("proof rejected: {0}")]
    Rejected(String),
}
