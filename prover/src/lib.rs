//! Distaff's STARK prover.
//!
//! [`prove`] executes a program, records its trace and proves it; [`prove_trace`] proves a
//! given trace against a given claim (other front ends, and the cheating-prover tests, use it
//! with the self-checks switched off). The protocol is described in
//! [`distaff_verifier::protocol`]; this crate implements the prover's side of it:
//!
//! * **LDE**: each trace column is interpolated over the trace domain and evaluated on a coset
//!   (offset 7) of a domain `blowup` times larger, coset by coset with Plonky3's batched DFT
//!   (data crosses between the libraries in winter-math's Montgomery form, unconverted; constant
//!   columns are not transformed); the varying columns are stored coset by coset
//!   ([`LdeStorage::Stored`], fastest below 2^20 rows; [`RowLayout`] rebuilds full rows) or
//!   streamed twice, one coset at a time ([`LdeStorage::Streamed`], [`prove_with`]: about half
//!   the peak memory, same proof), and by default ([`LdeStorage::Auto`]) stored below 2^20
//!   rows and streamed from there on; the coefficients too hold only the varying columns, and [`prove`] and
//!   [`prove_with`], which own the trace, free its columns once interpolated (or once the
//!   auxiliary segment is built from them);
//! * **commitments**: each LDE row is hashed into a leaf of a Merkle tree with winter-crypto's
//!   roots and openings (the digest of winter-crypto's `hash_elements`; with BLAKE3, 16 rows
//!   at a time through its SIMD many-inputs routine, and the tree's nodes likewise); a tree
//!   over rows the prover keeps stores only its upper levels and rehashes 16 rows per opened
//!   path (`merkle`), and the composition LDE is hashed one coset at a time and not kept (its
//!   opened rows are evaluated from the coefficients);
//! * **composition**: every constraint is evaluated (rows in parallel) on as many cosets of the
//!   LDE domain as the composition polynomial has columns, folded with random coefficients into
//!   lazily reduced sums and divided by its divisor; the constraints (main and auxiliary, the
//!   latter on the extension's coordinates with the challenges as constants) run as a program
//!   recorded once per trace with its constant columns folded in ([`symbolic`]), 32 points at
//!   a time; the columns of degree < n are recovered coset by
//!   coset, extended coset by coset and committed;
//! * **DEEP + FRI**: the DEEP composition polynomial (the trace part combined in coefficient
//!   form first) is evaluated over the LDE domain and its low degree proven with winter-fri,
//!   whose channel is our transcript;
//! * **grinding and queries**: a proof-of-work nonce is searched in parallel, then trace and
//!   composition rows are opened at the drawn positions with batch Merkle proofs.
//!
//! Each step is a function of its own module, after Winterfell's prover: `trace` (steps 1 and 2:
//! the main trace and the auxiliary segment), `composer` (3 and 4: constraint evaluation and
//! the composition columns), `deep` (5 to 7: the out-of-domain frame and the DEEP composition),
//! `queries` (8 and 9: FRI, grinding and the openings) and `commit` (the Merkle commitments
//! they share); `prover` runs them in order. A hiding proof differs from a succinct-only one
//! only in what `zk::Hiding` gives the steps: masks, salts and randomisers.
//!
//! Threads come from rayon's global pool, so `RAYON_NUM_THREADS` is respected. A binary that
//! proves should call [`keep_freed_memory`] first (the `distaff` CLI does).
#![deny(missing_docs)]
// Protocol code indexes columns and coefficients by number, as the math is written.
#![allow(clippy::needless_range_loop)]

mod commit;
mod composer;
mod deep;
mod dft;
pub mod fold;
mod hash;
mod memory;
mod merkle;
mod prover;
mod queries;
pub mod symbolic;
mod trace;
pub mod zk;

pub use dft::RowLayout;
pub use distaff_verifier::{FieldExtension, HashFunction, Proof, ProofOptions};
pub use memory::{available_memory, keep_freed_memory};
pub use prover::{
    commit_floor, estimated_memory, least_memory, prove, prove_air, prove_air_with, prove_trace, prove_trace_with,
    prove_with, prove_with_settings, Checks, LdeStorage, Progress, ProverError, ProverSettings, ProvingReport, Seed,
    STREAMED_FROM,
};
pub use zk::Randomness;
