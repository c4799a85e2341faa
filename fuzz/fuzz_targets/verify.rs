//! The receipt and proof decoders and the verifier on hostile bytes. An input is a receipt: a
//! claim followed by a proof (`verifier/src/receipt.rs`), as `distaff prove` writes it and
//! `cli/examples/fuzz_seeds.rs` writes the seed corpus (honest proofs of every AIR variant
//! with the claims they were made for). So a mutation of a seed's proof is verified against
//! the claim it was made for, and a mutation that leaves the out-of-domain frame intact gets
//! past the constraint check at z to the Merkle, DEEP and FRI checks (against a fixed claim,
//! every input would stop at that first check). Nothing may panic; a mutated claim must be
//! rejected, so nothing but the seeds themselves may verify.
#![no_main]

use distaff_verifier::{verify_receipt_bytes, Expected, Receipt};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if verify_receipt_bytes(data, &Expected::default(), 96).is_ok() {
        // an accepted receipt is a canonical encoding: decoding and encoding give it back
        let receipt = Receipt::from_bytes(data).expect("accepted, so it decodes");
        assert_eq!(receipt.to_bytes().ok().as_deref(), Some(data), "an accepted receipt re-encodes to its bytes");
    }
});
