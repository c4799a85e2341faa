//! The randomness of a hiding proof (see `distaff_verifier::shape` for what it masks and why
//! the counts suffice): the masks of the trace columns, the composition randomisers, the DEEP
//! randomiser and the Merkle leaves' salts.
//!
//! Everything is derived from one 256-bit seed drawn from the operating system for each proof
//! (`Randomness::from_os`; a seed never serves twice: two proofs with one seed and different
//! secrets reveal them, since their masks cancel), never from the transcript or other public
//! data. Each kind of value
//! is a BLAKE3 keyed extendable output (key: the seed; input: a label and an index), read at
//! any position, so the prover can regenerate a leaf's salt when it rehashes the leaves under an
//! opening (a `PartialTree` stores no leaves) and both LDE storages produce the
//! same proof for one seed. Field elements take 16 output bytes each, reduced modulo `p`: their
//! distance from uniform is below `2^-64` each (about `2^-43` over every value of a 2^20-row
//! proof). Salts take 8 bytes per element, reduced modulo `p` (about 63 bits of entropy each): a
//! salt needs only to be unpredictable.

use distaff_math::{Felt, FieldElement};
use distaff_verifier::shape::ProofShape;
use rayon::prelude::*;

/// Where a hiding proof's randomness comes from.
#[derive(Clone)]
pub struct Randomness {
    seed: [u8; 32],
}

/// What a stream of random values is for (its label).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// The mask of a main trace column.
    MainMask,
    /// The mask of a base coordinate of an auxiliary column.
    AuxMask,
    /// A composition randomiser `s_i`.
    Randomizer,
    /// The DEEP randomiser `R`.
    Codeword,
    /// The salts of the main trace's leaves.
    MainSalt,
    /// The salts of the auxiliary segment's leaves.
    AuxSalt,
    /// The salts of the composition tree's leaves.
    CompositionSalt,
}

impl Randomness {
    /// A fresh seed from the operating system's random number generator (the prover draws one
    /// per proof: a seed must never serve twice).
    pub(crate) fn from_os() -> Result<Self, getrandom::Error> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)?;
        Ok(Randomness { seed })
    }

    /// A fixed seed, **for tests only**: two hiding proofs made with one seed use the same masks,
    /// and together reveal what the masks hide.
    pub fn insecure_fixed_seed_for_testing(seed: [u8; 32]) -> Self {
        Randomness { seed }
    }

    fn stream(&self, purpose: Purpose, index: u64) -> blake3::OutputReader {
        let mut hasher = blake3::Hasher::new_keyed(&self.seed);
        hasher.update(b"distaff zk");
        hasher.update(&[purpose as u8]);
        hasher.update(&index.to_le_bytes());
        hasher.finalize_xof()
    }

    /// `count` uniform base-field elements of stream `(purpose, index)`.
    pub fn elements(&self, purpose: Purpose, index: u64, count: usize) -> Vec<Felt> {
        let mut bytes = vec![0u8; 16 * count];
        self.stream(purpose, index).fill(&mut bytes);
        bytes
            .chunks_exact(16)
            .map(|b| {
                let v = u128::from_le_bytes(b.try_into().expect("16 bytes"));
                Felt::new((v % distaff_math::MODULUS as u128) as u64)
            })
            .collect()
    }

    /// `count` uniform extension elements of stream `(purpose, index)`.
    pub fn ext_elements<E: FieldElement<BaseField = Felt>>(
        &self,
        purpose: Purpose,
        index: u64,
        count: usize,
    ) -> Vec<E> {
        let base = self.elements(purpose, index, count * E::EXTENSION_DEGREE);
        E::slice_from_base_elements(&base).to_vec()
    }

    /// The salts of leaves `first .. first + out.len() / salt_len` of a tree, in the order the
    /// prover enumerates its leaves' salts (see [`Salts`]).
    pub fn salts(&self, purpose: Purpose, first: usize, salt_len: usize, out: &mut [Felt]) {
        // (a coset's salts are megabytes of the stream: read in parallel, a run at a time)
        const RUN: usize = 1 << 14;
        let start = 8 * (salt_len * first) as u64;
        out.par_chunks_mut(RUN).enumerate().for_each(|(i, out)| {
            let mut bytes = vec![0u8; 8 * out.len()];
            let mut stream = self.stream(purpose, 0);
            stream.set_position(start + 8 * (i * RUN) as u64);
            stream.fill(&mut bytes);
            for (o, b) in out.iter_mut().zip(bytes.chunks_exact(8)) {
                *o = Felt::new(u64::from_le_bytes(b.try_into().expect("8 bytes")));
            }
        });
    }
}

/// The salts of a tree's leaves, indexed as the prover stores an LDE (coset by coset: leaf
/// `p` of an LDE of `n·blowup` rows is salt `(p % blowup)·n + p / blowup`), so that a coset's
/// salts, and a run of consecutive leaves' salts in each coset, are runs of the stream.
#[derive(Clone, Copy)]
pub struct Salts<'a> {
    /// The randomness.
    pub randomness: &'a Randomness,
    /// The tree's stream.
    pub purpose: Purpose,
    /// Elements per salt.
    pub salt_len: usize,
    /// Trace length.
    pub n: usize,
    /// LDE blowup.
    pub blowup: usize,
}

impl Salts<'_> {
    /// The salts of coset `j`'s rows, `n · salt_len` elements.
    pub fn coset(&self, j: usize) -> Vec<Felt> {
        let mut out = vec![Felt::ZERO; self.n * self.salt_len];
        self.randomness.salts(self.purpose, j * self.n, self.salt_len, &mut out);
        out
    }

    /// The salts of leaves `first .. first + count`, in order.
    pub fn leaves(&self, first: usize, count: usize) -> Vec<Felt> {
        let (b, s) = (self.blowup, self.salt_len);
        let mut out = vec![Felt::ZERO; count * s];
        if count == 0 {
            return out;
        }
        let last = first + count - 1;
        // per coset, the leaves of the range are one run of rows
        for j in 0..b {
            let p0 = first + (j + b - first % b) % b;
            if p0 > last {
                continue;
            }
            let (r0, r1) = (p0 / b, (last - (last + b - j) % b) / b);
            let mut run = vec![Felt::ZERO; (r1 - r0 + 1) * s];
            self.randomness.salts(self.purpose, j * self.n + r0, s, &mut run);
            for (i, salt) in run.chunks_exact(s).enumerate() {
                let p = (r0 + i) * b + j;
                out[(p - first) * s..(p - first + 1) * s].copy_from_slice(salt);
            }
        }
        out
    }

    /// The salts of the leaves at `positions`, in order.
    pub fn at(&self, positions: &[usize]) -> Vec<Felt> {
        positions.iter().flat_map(|&p| self.leaves(p, 1)).collect()
    }
}

/// What the protocol's steps draw from a proof's randomness: nothing without hiding, and with
/// it the masks of the trace columns ([`Hiding::masks`]) and the salts of each tree's leaves
/// ([`Hiding::salts`]). The proving steps take one of these, so that a hiding proof and a
/// succinct-only one differ only where these come out empty.
#[derive(Clone, Copy)]
pub(crate) struct Hiding<'a> {
    randomness: Option<&'a Randomness>,
    mask_len: usize,
    salt_len: usize,
    n: usize,
    blowup: usize,
}

impl<'a> Hiding<'a> {
    /// The randomness of a proof of `shape`: `None` unless the shape is hiding. The caller has
    /// checked that a hiding shape comes with randomness.
    pub(crate) fn new(shape: &ProofShape, randomness: Option<&'a Randomness>) -> Self {
        let randomness = shape.hiding.and(randomness);
        let mask_len = shape.hiding.map_or(0, |h| h.mask_len);
        Hiding { randomness, mask_len, salt_len: shape.salt_len(), n: shape.n, blowup: shape.lde_size / shape.n }
    }

    /// The randomness itself (`None` without hiding).
    pub(crate) fn randomness(&self) -> Option<&'a Randomness> {
        self.randomness
    }

    /// The salts of the leaves of the tree `purpose` names (`None` without hiding).
    pub(crate) fn salts(&self, purpose: Purpose) -> Option<Salts<'a>> {
        self.randomness.map(|randomness| Salts {
            randomness,
            purpose,
            salt_len: self.salt_len,
            n: self.n,
            blowup: self.blowup,
        })
    }

    /// The mask coefficients of each of `columns`, from the stream `purpose` names (none
    /// without hiding).
    pub(crate) fn masks(&self, purpose: Purpose, columns: &[usize]) -> Vec<(usize, Vec<Felt>)> {
        match self.randomness {
            Some(r) => columns.iter().map(|&c| (c, r.elements(purpose, c as u64, self.mask_len))).collect(),
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let r = Randomness::insecure_fixed_seed_for_testing([7; 32]);
        let a = r.elements(Purpose::MainMask, 3, 10);
        assert_eq!(a, r.elements(Purpose::MainMask, 3, 10));
        assert_ne!(a, r.elements(Purpose::MainMask, 4, 10));
        assert_ne!(a, r.elements(Purpose::AuxMask, 3, 10));
        assert_ne!(a, Randomness::insecure_fixed_seed_for_testing([8; 32]).elements(Purpose::MainMask, 3, 10));
        // a prefix of a longer draw
        assert_eq!(&r.elements(Purpose::MainMask, 3, 20)[..10], &a[..]);
        // salts at any position are the same as read in one go
        let mut all = vec![Felt::ZERO; 2 * 100];
        r.salts(Purpose::MainSalt, 0, 2, &mut all);
        let mut some = vec![Felt::ZERO; 2 * 7];
        r.salts(Purpose::MainSalt, 41, 2, &mut some);
        assert_eq!(&all[82..96], &some[..]);
        // a tree's salts by leaf, however the leaves are grouped
        let salts = Salts { randomness: &r, purpose: Purpose::MainSalt, salt_len: 2, n: 16, blowup: 8 };
        let every: Vec<Felt> = (0..128).flat_map(|p| salts.leaves(p, 1)).collect();
        for (first, count) in [(0, 128), (3, 40), (16, 16), (120, 8), (5, 1)] {
            assert_eq!(salts.leaves(first, count), &every[2 * first..2 * (first + count)], "{first} + {count}");
        }
        for j in 0..8 {
            let coset = salts.coset(j);
            for r in 0..16 {
                assert_eq!(&coset[2 * r..2 * r + 2], &every[2 * (r * 8 + j)..2 * (r * 8 + j) + 2]);
            }
        }
        assert!(Randomness::from_os().is_ok());
        assert_ne!(Randomness::from_os().unwrap().seed, Randomness::from_os().unwrap().seed);
    }
}
