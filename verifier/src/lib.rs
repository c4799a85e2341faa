//! A standalone verifier for Distaff STARK proofs.
//!
//! This is the crate third parties embed: it depends only on the field, the AIR and
//! winter-crypto / winter-fri, builds as `no_std` + `alloc`
//! (`cargo build -p distaff-verifier --no-default-features`), never panics on any input, and
//! bounds its work: an absurd proof (a huge trace length, thousands of FRI layers, a vector
//! length of 2^60) is refused before anything is allocated for it.
//!
//! ```text
//! let bits = distaff_verifier::verify_bytes(&program_hash, &inputs, &outputs, &proof_bytes, 96)?;
//! ```
//!
//! The verifier knows only the claim: the program hash, the public inputs, the outputs and the
//! initial memory (a [`Receipt`] carries it beside the proof); see
//! [`protocol`] for the protocol and [`options`] for how conjectured security is computed.
#![no_std]
#![deny(missing_docs)]
// Protocol code indexes columns and coefficients by number, as the math is written.
#![allow(clippy::needless_range_loop)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod fri;
pub mod merkle;
pub mod options;
pub mod proof;
pub mod protocol;
pub mod receipt;
pub mod shape;
pub mod transcript;
mod verify;

pub use distaff_air::{PublicInputs, Word, MAX_INITIAL_MEMORY};
pub use options::{FieldExtension, HashFunction, OptionsError, ProofOptions};
pub use proof::{DecodeError, Openings, Proof};
pub use receipt::{verify_receipt, verify_receipt_bytes, Expected, Mismatch, Receipt, ReceiptError};
pub use shape::ProofShape;
pub use transcript::Transcript;
pub use verify::{verify, verify_air, verify_bytes, verify_claim, verify_claim_bytes};

/// The minimum conjectured security the verifier accepts unless told otherwise.
pub const DEFAULT_MIN_SECURITY_BITS: u32 = 96;

/// Why a proof was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerificationError {
    /// The bytes are not a well-formed proof.
    #[error("malformed proof: {0}")]
    Decode(#[from] DecodeError),
    /// The proof's options are outside what we support.
    #[error("unsupported proof options: {0}")]
    Options(#[from] OptionsError),
    /// The options give less security than required.
    #[error("the proof offers {bits} bits of conjectured security, below the required {required}")]
    InsufficientSecurity {
        /// What the proof's options give.
        bits: u32,
        /// What the caller requires.
        required: u32,
    },
    /// Too many public inputs or outputs for the stack.
    #[error("a claim names at most 16 public inputs, 16 outputs and 2^20 initial memory words ({inputs} inputs and {outputs} outputs given)")]
    ClaimTooLarge {
        /// Inputs given.
        inputs: usize,
        /// Outputs given.
        outputs: usize,
    },
    /// The claim's initial memory does not list strictly increasing addresses.
    #[error("the claim's initial memory must list each address once, in increasing order")]
    MemoryNotSorted,
    /// The AIR's periodic columns do not have power-of-two periods dividing the trace length.
    #[error("the AIR's periodic columns must have power-of-two periods dividing the trace length")]
    PeriodicColumns,
    /// Trace length out of range.
    #[error("trace length 2^{0} is outside the supported range")]
    TraceLength(u8),
    /// A part of the proof has the wrong shape.
    #[error("malformed proof: {0}")]
    MalformedProof(&'static str),
    /// A part of the proof has the wrong number of items.
    #[error("malformed proof: {what}: expected {expected}, got {got}")]
    Shape {
        /// The part.
        what: &'static str,
        /// What the options and the AIR call for.
        expected: usize,
        /// What the proof holds.
        got: usize,
    },
    /// Trace openings do not match the trace commitment.
    #[error("trace openings do not match the trace commitment")]
    TraceCommitment,
    /// Auxiliary-segment openings do not match the auxiliary commitment.
    #[error("auxiliary-segment openings do not match the auxiliary commitment")]
    AuxCommitment,
    /// Composition openings do not match the composition commitment.
    #[error("composition openings do not match the composition commitment")]
    CompositionCommitment,
    /// The constraints do not hold at the out-of-domain point: the trace does not prove the
    /// claim (wrong program hash, inputs or outputs, or an invalid execution).
    #[error("the execution does not satisfy the claim: constraint check at the out-of-domain point failed")]
    ConstraintCheck,
    /// Proof of work missing.
    #[error("proof-of-work check failed")]
    ProofOfWork,
    /// The transcript could not produce a challenge, or produced an out-of-domain point that
    /// lies in a domain it must avoid.
    #[error("could not draw a usable challenge from the transcript")]
    Transcript,
    /// The FRI low-degree test failed.
    #[error("FRI low-degree test failed: {0}")]
    Fri(winter_fri::VerifierError),
}

impl From<transcript::TranscriptError> for VerificationError {
    fn from(_: transcript::TranscriptError) -> Self {
        VerificationError::Transcript
    }
}
