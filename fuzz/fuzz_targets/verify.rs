//! The proof decoder and the verifier on hostile bytes. An input is a claim followed by a
//! proof (the encoding of `cli/examples/fuzz_seeds.rs`, which writes the seed corpus: honest
//! proofs of every AIR variant with the claims they were made for). So a mutation of a seed's
//! proof is verified against the claim it was made for, and a mutation that leaves the
//! out-of-domain frame intact gets past the constraint check at z to the Merkle, DEEP and FRI
//! checks (against a fixed claim, every input would stop at that first check). Nothing may
//! panic, and nothing but the seeds' own proofs may verify.
#![no_main]

use distaff_air::PublicInputs;
use distaff_math::Felt;
use libfuzzer_sys::fuzz_target;

struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_le_bytes(b.try_into().unwrap()))
    }
    fn felt(&mut self) -> Option<Felt> {
        self.take(8).map(|b| Felt::new(u64::from_le_bytes(b.try_into().unwrap())))
    }
    fn felts(&mut self, n: usize) -> Option<Vec<Felt>> {
        (0..n).map(|_| self.felt()).collect()
    }
}

fn claim(b: &mut Bytes) -> Option<PublicInputs> {
    let hash = b.felts(4)?;
    let n = b.u8()? as usize;
    let inputs = b.felts(n)?;
    let n = b.u8()? as usize;
    let outputs = b.felts(n)?;
    let n = b.u32()? as usize;
    if n > 1024 {
        return None;
    }
    let mut memory = Vec::with_capacity(n);
    for _ in 0..n {
        let address = b.u32()?;
        let word = b.felts(4)?;
        memory.push((address, [word[0], word[1], word[2], word[3]]));
    }
    let mut public = PublicInputs::new([hash[0], hash[1], hash[2], hash[3]], inputs, outputs);
    public.memory = memory;
    Some(public)
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let Some(public) = claim(&mut b) else { return };
    let _ = distaff_verifier::verify_claim_bytes(&public, b.0, 96);
});
