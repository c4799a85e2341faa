//! Merkle commitments to LDEs, and their openings.
//!
//! Every committed matrix (the trace LDE, the auxiliary LDE, the composition LDE) is hashed
//! row by row into the leaves of a Merkle tree, each row followed by its salt in a hiding proof
//! ([`crate::zk::Salts`]). An LDE the prover stores is laid out coset by coset
//! ([`stored_row`]); its tree keeps only its upper levels ([`PartialTree`]) and rehashes the
//! [`RECOMPUTED_LEVELS`] lowest ones under each opened path from the stored rows
//! ([`stored_leaves`]). An LDE the prover does not store is computed and hashed one coset at a
//! time ([`commit_cosets`]); its tree keeps the levels from [`STREAMED_SKIP`] (or, for the
//! composition of a stored trace LDE, from the leaves) up, and an opening evaluates the rows
//! under each opened path from the coefficients ([`open_evaluated`]).

use std::time::{Duration, Instant};

use crate::dft;
use crate::hash::{RowHasher, Salted, Stored};
use crate::merkle::{LeafFn, Leaves, PartialTree};
use crate::prover::{ProverError, ProvingReport};
use crate::zk::Salts;
use distaff_math::{Felt, FieldElement, StarkField};
use distaff_verifier::merkle::BoundedBatchProof;
use distaff_verifier::proof::Openings;
use winter_crypto::Digest;
use winter_utils::Serializable;

/// Tree levels that a commitment to rows the prover keeps does not store: a path through them
/// is recomputed from `2^4 = 16` rows when it is opened, and the tree is a sixteenth of its
/// full size ([`PartialTree`]).
pub(crate) const RECOMPUTED_LEVELS: u32 = 4;

/// Tree levels that a commitment to rows the prover does not keep (the streamed trace LDE, and
/// with it the composition LDE) does not store: the leaves. An opening evaluates the pair of
/// rows under each queried position rather than one ([`open_evaluated`]), and the tree is half
/// its full size: at 2^22 trace rows (blowup 8), 1 GiB less for each of the two trees once
/// built (while it is built, two rows of pending digests, 256 MiB, take part of that back).
pub(crate) const STREAMED_SKIP: u32 = 1;

/// The leaf function of a tree over an LDE stored coset by coset ([`stored_row`]), each row
/// followed by its salt in a hiding proof. The masked constant columns (`extras`, which are
/// not stored) are evaluated at each leaf's point: this function then serves only to recompute
/// the few leaves under an opening ([`commit_stored`] hashes the LDE coset by coset).
pub(crate) fn stored_leaves<'a, H: RowHasher>(
    rows: &'a [Felt],
    layout: &'a dft::RowLayout,
    extras: &'a dft::Extras,
    (n, blowup): (usize, usize),
    salts: Option<Salts<'a>>,
) -> impl Fn(usize, &mut [H::Digest]) + Sync + 'a {
    let stored = Stored::new(rows, layout);
    let omega = Felt::get_root_of_unity((n * blowup).trailing_zeros());
    let hash =
        move |rows: &Stored<'_>, index: &(dyn Fn(usize) -> usize + Sync), start: usize, out: &mut [H::Digest]| {
            match &salts {
                None => H::hash_rows_into(rows, index, out),
                Some(s) => {
                    let salts = s.leaves(start, out.len());
                    let salted = Salted { rows, index, salts: &salts, salt_len: s.salt_len };
                    H::hash_rows_into(&salted, |k| k, out)
                }
            }
        };
    move |start, out| {
        if extras.is_empty() {
            return hash(&stored, &|k| stored_row(start + k, n, blowup), start, out);
        }
        // the leaves' rows gathered, with the masked constant columns at their points
        let sw = layout.stored_width();
        let mut gathered = Vec::with_capacity(out.len() * sw);
        let mut extra = Vec::with_capacity(out.len() * extras.len());
        for p in start..start + out.len() {
            let r = stored_row(p, n, blowup);
            gathered.extend_from_slice(&rows[r * sw..(r + 1) * sw]);
            extra.extend(extras.at(Felt::GENERATOR * omega.exp(p as u64), n));
        }
        hash(&Stored::with_extras(&gathered, layout, &extra), &|k| k, start, out)
    }
}

/// Commits to an LDE stored coset by coset whose layout has masked constant columns: each
/// coset's rows, with those columns' values on the coset ([`dft::Extras::coset`]), are hashed
/// into their leaves, and the tree is built from the leaves without storing its lowest
/// [`RECOMPUTED_LEVELS`] levels (openings recompute them with [`stored_leaves`]).
pub(crate) fn commit_stored<H: RowHasher>(
    rows: &[Felt],
    layout: &dft::RowLayout,
    extras: &dft::Extras,
    (n, blowup): (usize, usize),
    salts: Option<Salts<'_>>,
    report: &mut ProvingReport,
) -> Result<PartialTree<H>, ProverError> {
    let sw = layout.stored_width();
    report.begin("trace commitment");
    let mut leaves = crate::memory::repeated(n * blowup, H::Digest::default());
    for j in 0..blowup {
        // (timed without announcing: the display says "trace commitment" throughout)
        let t = Instant::now();
        let extra = extras.coset(j, n, blowup);
        report.add("trace LDE", t.elapsed());
        let t = Instant::now();
        let coset = Stored::with_extras(&rows[j * n * sw..(j + 1) * n * sw], layout, &extra);
        hash_coset_salted::<H>(&mut leaves, blowup, j, &coset, salts);
        report.add("trace commitment", t.elapsed());
    }
    report.time("trace commitment", || {
        PartialTree::<H>::build(n * blowup, RECOMPUTED_LEVELS, &|start: usize, out: &mut [H::Digest]| {
            out.copy_from_slice(&leaves[start..start + out.len()])
        })
        .map_err(commitment_error)
    })
}

/// Commits to an LDE computed coset by coset: each coset's rows are hashed into the leaves
/// they occupy in the full LDE (row `i·blowup + j` for coset `j`), and the tree stores its
/// levels from `skip` up ([`Leaves`]; [`open_evaluated`] opens it). The time spent computing
/// the cosets is reported under `lde_phase`, the rest under `commit_phase`.
pub(crate) fn commit_cosets<H: RowHasher>(
    coefficients: &dft::Coefficients,
    (blowup, skip): (usize, u32),
    salts: Option<Salts<'_>>,
    report: &mut ProvingReport,
    (lde_phase, commit_phase): (&'static str, &'static str),
) -> Result<PartialTree<H>, ProverError> {
    let layout = dft::RowLayout::of(coefficients);
    report.begin(lde_phase);
    let start = Instant::now();
    let mut hashing = Duration::ZERO;
    // (a level-`skip` node covers 2^skip cosets of one row: at most all of them)
    let skip = skip.min(blowup.trailing_zeros());
    let mut leaves = Leaves::<H>::new(coefficients.height() * blowup, blowup, skip).map_err(commitment_error)?;
    let n = coefficients.height();
    dft::for_each_coset(coefficients, blowup, blowup, |j, rows| {
        let extra = coefficients.extras().coset(j, n, blowup);
        let t = Instant::now();
        let rows = Stored::with_extras(rows, &layout, &extra);
        match &salts {
            None => leaves.add_coset(j, &rows),
            Some(s) => {
                let salts = s.coset(j);
                leaves.add_coset(j, &Salted { rows: &rows, index: |k| k, salts: &salts, salt_len: s.salt_len });
            }
        }
        hashing += t.elapsed();
    });
    report.add(lde_phase, start.elapsed() - hashing);
    let tree = report.time(commit_phase, || leaves.finish());
    report.add(commit_phase, hashing);
    Ok(tree)
}

/// Opens the rows at LDE `positions` of a matrix the prover does not store (the streamed trace
/// LDE, the composition LDE: [`commit_cosets`]), each followed by its salt in a hiding proof:
/// the rows are evaluated at their points from the `coefficients`, and so are the rows under
/// the tree's unstored levels below each queried position (its `2^skip`-leaf block), whose
/// digests the opening needs. All the rows are evaluated in one pass over the coefficients.
pub(crate) fn open_evaluated<H: RowHasher>(
    tree: &PartialTree<H>,
    coefficients: &dft::Coefficients,
    positions: &[usize],
    lde_size: usize,
    salts: Option<Salts<'_>>,
) -> Result<Openings, ProverError> {
    // (the tree's errors for positions out of range or repeated, before any is evaluated)
    tree.check_positions(positions).map_err(commitment_error)?;
    let block = 1usize << tree.skip();
    // the queried positions' blocks, each position once
    let mut needed: Vec<usize> = positions.iter().flat_map(|&p| (p & !(block - 1))..=(p | (block - 1))).collect();
    needed.sort_unstable();
    needed.dedup();
    let omega = Felt::get_root_of_unity(lde_size.trailing_zeros());
    let xs: Vec<Felt> = needed.iter().map(|&p| Felt::GENERATOR * omega.exp(p as u64)).collect();
    let rows = dft::evaluate_at_points(coefficients, &xs);
    let width = coefficients.width();
    let row = |p: usize| {
        let k = needed.binary_search(&p).expect("every queried position is evaluated");
        &rows[k * width..(k + 1) * width]
    };
    let values: Vec<Felt> = positions.iter().flat_map(|&p| row(p).iter().copied()).collect();
    if block == 1 {
        return open_values::<H>(tree, None, values, width, salts, positions);
    }
    let mut digests = vec![H::Digest::default(); needed.len()];
    let dense = crate::hash::Dense::new(&rows, width);
    match salts {
        None => H::hash_rows_into(&dense, |k| k, &mut digests),
        Some(s) => {
            let salts = s.at(&needed);
            H::hash_rows_into(
                &Salted { rows: &dense, index: |k| k, salts: &salts, salt_len: s.salt_len },
                |k| k,
                &mut digests,
            )
        }
    }
    // (the tree asks only for the blocks of the queried positions, all of them evaluated)
    let leaves = |start: usize, out: &mut [H::Digest]| {
        let first = needed.binary_search(&start).expect("the tree asks for the queried positions' blocks");
        out.copy_from_slice(&digests[first..first + out.len()]);
    };
    open_values::<H>(tree, Some(&leaves), values, width, salts, positions)
}

/// Hashes coset `j`'s rows, each followed by its salt in a hiding proof, into the leaves they
/// occupy in a leaf array ([`crate::merkle::hash_coset`]).
pub(crate) fn hash_coset_salted<H: RowHasher>(
    leaves: &mut [H::Digest],
    blowup: usize,
    j: usize,
    rows: &Stored<'_>,
    salts: Option<Salts<'_>>,
) {
    match salts {
        None => crate::merkle::hash_coset::<H, _>(leaves, blowup, j, rows),
        Some(s) => {
            let coset = s.coset(j);
            let salted = Salted { rows, index: |k| k, salts: &coset, salt_len: s.salt_len };
            crate::merkle::hash_coset::<H, _>(leaves, blowup, j, &salted)
        }
    }
}

pub(crate) fn commitment_error(e: winter_crypto::MerkleTreeError) -> ProverError {
    ProverError::Commitment(e.to_string())
}

/// The row of LDE position `p` in an LDE stored coset by coset: coset `p % blowup`, row
/// `p / blowup` within it.
pub(crate) fn stored_row(p: usize, n: usize, blowup: usize) -> usize {
    (p % blowup) * n + p / blowup
}

/// The full rows at LDE `positions` of an LDE stored coset by coset as `layout` says
/// ([`stored_row`]), one after the other.
pub(crate) fn stored_values(
    rows: &[Felt],
    layout: &dft::RowLayout,
    positions: &[usize],
    n: usize,
    blowup: usize,
) -> Vec<Felt> {
    let sw = layout.stored_width();
    positions
        .iter()
        .flat_map(|&p| {
            let r = stored_row(p, n, blowup);
            layout.expand(&rows[r * sw..(r + 1) * sw])
        })
        .collect()
}

/// Opens the rows `values` (row-major, `width` per position) of a committed matrix, each
/// followed by its salt in a hiding proof.
pub(crate) fn open_values<H: RowHasher>(
    tree: &PartialTree<H>,
    leaves: Option<LeafFn<'_, H::Digest>>,
    values: Vec<Felt>,
    width: usize,
    salts: Option<Salts<'_>>,
    positions: &[usize],
) -> Result<Openings, ProverError> {
    let proof = tree.prove(positions, leaves).map_err(commitment_error)?;
    let values = match salts {
        None => values,
        Some(s) => {
            let salts = s.at(positions);
            values
                .chunks(width.max(1))
                .zip(salts.chunks(s.salt_len))
                .flat_map(|(row, salt)| row.iter().chain(salt).copied())
                .collect()
        }
    };
    Ok(Openings { values, merkle_proof: BoundedBatchProof::<H>(proof).to_bytes() })
}

pub(crate) fn digest_bytes<D: Digest>(d: &D) -> [u8; 32] {
    d.as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zk::{Purpose, Randomness};
    use winter_crypto::hashers::{Blake3_256, Rp64_256};
    use winter_crypto::MerkleTree;

    /// A tree committed coset by coset without its lowest levels opens exactly as winter-crypto's
    /// tree over every row (each followed by its salt) does: the same values and the same batch
    /// proof, at every `skip` up to a whole row's cosets, with salts and without; bad positions
    /// are the tree's errors, not panics.
    fn openings_match_a_full_tree<H: RowHasher>() {
        let (n, blowup) = (16usize, 8usize);
        let lde_size = n * blowup;
        // four columns, one constant (the constant columns are not transformed)
        let columns: Vec<Vec<Felt>> = (0..4u64)
            .map(|c| {
                (0..n as u64).map(|r| Felt::new(if c == 2 { 7 } else { ((r + 3) * (c + 11)) ^ (r << c) })).collect()
            })
            .collect();
        let coefficients = dft::interpolate_columns(&columns);
        let omega = Felt::get_root_of_unity(lde_size.trailing_zeros());
        let xs: Vec<Felt> = (0..lde_size).map(|p| Felt::GENERATOR * omega.exp(p as u64)).collect();
        let rows = dft::evaluate_at_points(&coefficients, &xs);
        let randomness = Randomness::insecure_fixed_seed_for_testing([5; 32]);
        for salted in [false, true] {
            let salts =
                salted.then_some(Salts { randomness: &randomness, purpose: Purpose::MainSalt, salt_len: 2, n, blowup });
            // the reference: every row, then its salt
            let all_salts = salts.map(|s| s.leaves(0, lde_size));
            let leaf = |p: usize| -> Vec<Felt> {
                let mut row = rows[p * 4..(p + 1) * 4].to_vec();
                if let (Some(all), Some(s)) = (&all_salts, &salts) {
                    row.extend_from_slice(&all[p * s.salt_len..(p + 1) * s.salt_len]);
                }
                row
            };
            let theirs = MerkleTree::<H>::new((0..lde_size).map(|p| H::hash_elements(&leaf(p))).collect()).unwrap();
            for skip in 0..=3 {
                let tree = commit_cosets::<H>(
                    &coefficients,
                    (blowup, skip),
                    salts,
                    &mut ProvingReport::default(),
                    ("lde", "commitment"),
                )
                .unwrap();
                assert_eq!(tree.skip(), skip);
                assert_eq!(tree.root(), theirs.root(), "skip {skip}, salted {salted}");
                for positions in [vec![0], vec![5, 6], vec![127, 0, 64, 3], (0..lde_size).step_by(5).collect()] {
                    let ours = open_evaluated::<H>(&tree, &coefficients, &positions, lde_size, salts).unwrap();
                    let values: Vec<Felt> = positions.iter().flat_map(|&p| leaf(p)).collect();
                    assert_eq!(ours.values, values, "skip {skip}, {positions:?}");
                    let proof = BoundedBatchProof::<H>(theirs.prove_batch(&positions).unwrap().1).to_bytes();
                    assert_eq!(ours.merkle_proof, proof, "skip {skip}, salted {salted}, {positions:?}");
                }
                for bad in [vec![], vec![3, 3], vec![lde_size], vec![usize::MAX]] {
                    assert!(open_evaluated::<H>(&tree, &coefficients, &bad, lde_size, salts).is_err(), "{bad:?}");
                }
            }
        }
    }

    #[test]
    fn evaluated_openings_are_those_of_a_full_tree() {
        openings_match_a_full_tree::<Blake3_256<Felt>>();
        openings_match_a_full_tree::<Rp64_256>();
    }
}
