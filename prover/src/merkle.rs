//! Merkle trees that keep only their upper levels.
//!
//! A Merkle tree over the 2^21 rows of a 2^18-row trace's LDE at blowup 8 holds 2^21 leaves
//! and as many nodes, 32 bytes each: 134 MB, for a tree of which the prover reads a few dozen
//! paths (the query openings). When the prover keeps the rows anyway (the stored trace LDE,
//! the auxiliary LDE), a [`PartialTree`] stores only the levels from `skip` up and recomputes
//! the bottom subtree of `2^skip` leaves under a path when it opens one: with `skip` = 4 the
//! tree is 8 MB and an opening hashes 16 rows. When the rows are not kept (the streamed trace
//! LDE, the composition LDE), [`Leaves`] collects the leaves one coset of the LDE at a time
//! and stores the tree from level 0 or 1 up; an opening of a tree without its leaves
//! evaluates the rows under each path again (`crate::commit::open_evaluated`).
//!
//! Node indices, roots and batch openings are those of winter-crypto's `MerkleTree` (node `i`
//! merges nodes `2i` and `2i + 1`, leaf `p` is node `n + p`, the root is node 1), so the
//! verifier checks the openings with winter-crypto's `BatchMerkleProof`; the tests compare
//! both for every `skip`.

use std::collections::{BTreeMap, BTreeSet};

use crate::hash::{RowHasher, Rows};
use rayon::prelude::*;
use winter_crypto::{BatchMerkleProof, MerkleTreeError};

/// The digests of leaves `start .. start + out.len()`, written into `out` (how a tree that
/// does not store its bottom levels recomputes them).
pub(crate) type LeafFn<'a, D> = &'a dyn Fn(usize, &mut [D]);

/// Leaves hashed per task when a tree is built.
const LEAVES_PER_TASK: usize = 1 << 12;

/// A Merkle tree that stores its levels from `skip` up (see the module documentation).
pub(crate) struct PartialTree<H: RowHasher> {
    num_leaves: usize,
    skip: u32,
    /// Nodes `1 .. 2·num_leaves >> skip` in winter-crypto's indexing (node 0 is unused).
    nodes: Vec<H::Digest>,
}

/// Checks a leaf count the way `MerkleTree::new` does.
fn check_leaves(num_leaves: usize) -> Result<(), MerkleTreeError> {
    if num_leaves < 2 {
        return Err(MerkleTreeError::TooFewLeaves(2, num_leaves));
    }
    if !num_leaves.is_power_of_two() {
        return Err(MerkleTreeError::NumberOfLeavesNotPowerOfTwo(num_leaves));
    }
    Ok(())
}

/// The digests `skip` levels above `level` (each level merging pairs of the one below).
fn reduce<H: RowHasher>(mut level: Vec<H::Digest>, skip: u32) -> Vec<H::Digest> {
    for _ in 0..skip {
        let mut parents = vec![H::Digest::default(); level.len() / 2];
        H::merge_into(&level, &mut parents);
        level = parents;
    }
    level
}

impl<H: RowHasher> PartialTree<H> {
    /// The tree over `num_leaves` leaves (a power of two, at least 2) that stores levels
    /// `skip` and up (`skip` is capped at the tree's depth): `leaves(start, out)` must write
    /// the digests of leaves `start .. start + out.len()` into `out`. It is called on the
    /// rayon pool to build the tree, and again by [`PartialTree::prove`] for the bottom
    /// subtrees it does not store.
    pub fn build(
        num_leaves: usize,
        skip: u32,
        leaves: &(impl Fn(usize, &mut [H::Digest]) + Sync),
    ) -> Result<Self, MerkleTreeError> {
        check_leaves(num_leaves)?;
        let skip = skip.min(num_leaves.trailing_zeros());
        let stored = (2 * num_leaves) >> skip;
        let mut nodes = vec![H::Digest::default(); stored];
        // the lowest stored level, nodes stored/2 .. stored, one block of 2^skip leaves each
        let per_task = LEAVES_PER_TASK.max(1 << skip);
        nodes[stored / 2..].par_chunks_mut(per_task >> skip).enumerate().for_each(|(t, out)| {
            let start = t * per_task;
            if skip == 0 {
                leaves(start, out);
            } else {
                let mut level = vec![H::Digest::default(); out.len() << skip];
                leaves(start, &mut level);
                out.copy_from_slice(&reduce::<H>(level, skip));
            }
        });
        Ok(Self::complete(num_leaves, skip, nodes))
    }

    /// Fills the levels above the lowest stored one.
    fn complete(num_leaves: usize, skip: u32, mut nodes: Vec<H::Digest>) -> Self {
        let mut m = nodes.len() / 2;
        while m > 1 {
            let (parents, children) = nodes.split_at_mut(m);
            let per_task = LEAVES_PER_TASK;
            parents[m / 2..]
                .par_chunks_mut(per_task / 2)
                .zip(children[..m].par_chunks(per_task))
                .for_each(|(parents, children)| H::merge_into(children, parents));
            m /= 2;
        }
        PartialTree { num_leaves, skip, nodes }
    }

    /// The root.
    pub fn root(&self) -> &H::Digest {
        &self.nodes[1]
    }

    /// Levels at the bottom that the tree does not store.
    pub fn skip(&self) -> u32 {
        self.skip
    }

    /// Number of levels below the root.
    pub fn depth(&self) -> usize {
        self.num_leaves.trailing_zeros() as usize
    }

    /// Bytes the tree holds.
    #[cfg(test)]
    pub fn stored_bytes(&self) -> usize {
        self.nodes.len() * core::mem::size_of::<H::Digest>()
    }

    /// The error `MerkleTree::prove_batch` gives for these positions, if any: none, one out of
    /// range (the first in the caller's order), or one twice.
    pub fn check_positions(&self, positions: &[usize]) -> Result<(), MerkleTreeError> {
        if positions.is_empty() {
            return Err(MerkleTreeError::TooFewLeafIndexes);
        }
        let n = self.num_leaves;
        if let Some(&p) = positions.iter().find(|&&p| p >= n) {
            return Err(MerkleTreeError::LeafIndexOutOfBounds(n, p));
        }
        let queried: BTreeSet<usize> = positions.iter().copied().collect();
        if queried.len() != positions.len() {
            return Err(MerkleTreeError::DuplicateLeafIndex);
        }
        Ok(())
    }

    /// The batch opening of the leaves at `positions` that `MerkleTree::prove_batch` gives
    /// (the same errors for empty, duplicate or out-of-range positions). `leaves` is the
    /// function the tree was built with (or one that gives the same digests), called for the
    /// unstored subtrees under the paths; a tree that stores its leaves (`skip` = 0) needs
    /// none, and a tree that does not store them refuses to open without it.
    pub fn prove(
        &self,
        positions: &[usize],
        leaves: Option<LeafFn<'_, H::Digest>>,
    ) -> Result<BatchMerkleProof<H>, MerkleTreeError> {
        self.check_positions(positions)?;
        let n = self.num_leaves;
        let queried: BTreeSet<usize> = positions.iter().copied().collect();
        // the unstored nodes under the paths: each path's bottom subtree (a node's sibling
        // below level `skip` lies in the same subtree)
        let mut computed = BTreeMap::new();
        if self.skip > 0 {
            let leaves = leaves.ok_or(MerkleTreeError::InvalidProof)?;
            let blocks: BTreeSet<usize> = queried.iter().map(|p| p >> self.skip).collect();
            for b in blocks {
                let mut level = vec![H::Digest::default(); 1 << self.skip];
                leaves(b << self.skip, &mut level);
                for l in 0..self.skip {
                    let first = (n >> l) + (b << (self.skip - l));
                    computed.extend(level.iter().enumerate().map(|(k, d)| (first + k, *d)));
                    level = reduce::<H>(level, 1);
                }
            }
        }
        let node = |i: usize| if i < self.nodes.len() { self.nodes[i] } else { computed[&i] };

        // winter-crypto's prove_batch: the missing leaf of each pair, then the siblings not
        // implied by other paths, level by level
        let pairs: BTreeSet<usize> = queried.iter().map(|p| p & !1).collect();
        let mut nodes: Vec<Vec<H::Digest>> = Vec::with_capacity(pairs.len());
        let mut next: Vec<usize> = Vec::with_capacity(pairs.len());
        for &pair in &pairs {
            nodes.push((pair..pair + 2).filter(|i| !queried.contains(i)).map(|i| node(n + i)).collect());
            next.push((pair + n) >> 1);
        }
        for _ in 1..self.depth() {
            let indexes = std::mem::take(&mut next);
            let mut i = 0;
            while i < indexes.len() {
                let sibling = indexes[i] ^ 1;
                if i + 1 < indexes.len() && indexes[i + 1] == sibling {
                    i += 1;
                } else {
                    nodes[i].push(node(sibling));
                }
                next.push(sibling >> 1);
                i += 1;
            }
        }
        Ok(BatchMerkleProof { depth: self.depth() as u8, nodes })
    }
}

/// Hashes coset `j`'s rows (`leaves.len() / blowup` of them) into the leaves they occupy in an
/// LDE of `leaves.len()` rows: row `r` is leaf `r·blowup + j`.
pub(crate) fn hash_coset<H: RowHasher, R: Rows>(leaves: &mut [H::Digest], blowup: usize, j: usize, rows: &R) {
    let rows_per_task = (LEAVES_PER_TASK / blowup).max(1);
    leaves.par_chunks_mut(rows_per_task * blowup).enumerate().for_each(|(t, out)| {
        let first = t * rows_per_task;
        let mut digests = vec![H::Digest::default(); out.len() / blowup];
        H::hash_rows_into(rows, |k| first + k, &mut digests);
        for (group, d) in out.chunks_exact_mut(blowup).zip(digests) {
            group[j] = d;
        }
    });
}

/// The bottom of a tree over an LDE that arrives one coset at a time: coset `j`'s row `r` is
/// leaf `r·blowup + j`. The tree stores its levels from `skip` up (`2^skip ≤ blowup`): the
/// `2^skip` leaves under a level-`skip` node are consecutive cosets of one row, so each coset's
/// digests wait (as a binary counter's digits: at most one row of digests per level below
/// `skip`) until the cosets they merge with arrive, and only the completed level-`skip` nodes
/// are kept. With `skip` = 1 the tree is half the size of one that keeps its leaves (1 GiB
/// less for each of the trace and composition trees of a 2^22-row trace), and an opening
/// rehashes the pair of leaves under each queried position. [`Leaves::finish`] builds the
/// tree.
pub(crate) struct Leaves<H: RowHasher> {
    num_leaves: usize,
    blowup: usize,
    skip: u32,
    /// Nodes `0 .. 2·num_leaves >> skip`, the lowest stored level at `num_leaves >> skip ..`.
    nodes: Vec<H::Digest>,
    /// Per level below `skip`: the digests (one per row) of a subtree still waiting for its
    /// sibling.
    pending: Vec<Option<Vec<H::Digest>>>,
    /// The coset expected next (they arrive in order).
    next: usize,
    /// Rows of digests no longer needed, for the next cosets' (fresh pages cost more than
    /// hashing on this machine: a 2^22-row trace's rows of digests are 128 MiB each).
    spare: Vec<Vec<H::Digest>>,
}

impl<H: RowHasher> Leaves<H> {
    /// Room for a tree over `num_leaves` leaves arriving in `blowup` cosets that stores its
    /// levels from `skip` up.
    pub fn new(num_leaves: usize, blowup: usize, skip: u32) -> Result<Self, MerkleTreeError> {
        check_leaves(num_leaves)?;
        debug_assert!(blowup.is_power_of_two() && blowup <= num_leaves && 1 << skip <= blowup);
        let stored = (2 * num_leaves) >> skip;
        Ok(Leaves {
            num_leaves,
            blowup,
            skip,
            nodes: crate::memory::repeated(stored, H::Digest::default()),
            pending: vec![None; skip as usize],
            next: 0,
            spare: Vec::new(),
        })
    }

    /// Hashes coset `j`'s rows (`num_leaves / blowup` of them) into their leaves. The cosets
    /// come in order, `0 .. blowup`.
    pub fn add_coset<R: Rows>(&mut self, j: usize, rows: &R) {
        assert_eq!(j, self.next, "cosets arrive in order");
        self.next += 1;
        let n = self.num_leaves / self.blowup;
        let first = self.nodes.len() / 2;
        if self.skip == 0 {
            hash_coset::<H, R>(&mut self.nodes[first..], self.blowup, j, rows);
            return;
        }
        let mut digests = self.spare.pop().unwrap_or_else(|| crate::memory::repeated(n, H::Digest::default()));
        digests.par_chunks_mut(LEAVES_PER_TASK).enumerate().for_each(|(t, out)| {
            H::hash_rows_into(rows, |k| t * LEAVES_PER_TASK + k, out);
        });
        // carry up through the levels whose sibling subtree is waiting
        let mut level = 0;
        while level < self.skip as usize {
            match self.pending[level].take() {
                Some(mut left) => {
                    merge_rows::<H>(&mut left, &digests);
                    self.spare.push(std::mem::replace(&mut digests, left));
                    level += 1;
                }
                None => {
                    self.pending[level] = Some(digests);
                    return;
                }
            }
        }
        // a completed level-`skip` node per row: row r's is node r·(blowup >> skip) + j >> skip
        let per_row = self.blowup >> self.skip;
        let group = j >> self.skip;
        let stored = &mut self.nodes[first..];
        if per_row == 1 {
            stored.copy_from_slice(&digests);
        } else {
            stored.par_chunks_mut(per_row).zip(digests.par_iter()).for_each(|(row, d)| row[group] = *d);
        }
        self.spare.push(digests);
    }

    /// The tree, once every coset was added.
    pub fn finish(self) -> PartialTree<H> {
        let Leaves { num_leaves, blowup, skip, nodes, pending, next, spare } = self;
        debug_assert!(next == blowup && pending.iter().all(Option::is_none), "every coset added");
        // (the spare rows go before the upper levels are built)
        drop(spare);
        PartialTree::complete(num_leaves, skip, nodes)
    }
}

/// `left[r] = merge(left[r], right[r])` for every `r`.
fn merge_rows<H: RowHasher>(left: &mut [H::Digest], right: &[H::Digest]) {
    left.par_chunks_mut(LEAVES_PER_TASK / 2).zip(right.par_chunks(LEAVES_PER_TASK / 2)).for_each_init(
        Vec::new,
        |pairs, (left, right)| {
            pairs.clear();
            for (l, r) in left.iter().zip(right) {
                pairs.push(*l);
                pairs.push(*r);
            }
            H::merge_into(pairs, left);
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::Dense;
    use distaff_math::Felt;
    use winter_crypto::hashers::{Blake3_256, Rp64_256};
    use winter_crypto::MerkleTree;
    use winter_utils::Serializable;

    fn rows(count: usize, width: usize) -> Vec<Felt> {
        (0..(count * width) as u64).map(|i| Felt::new(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (i >> 3))).collect()
    }

    fn position_sets(n: usize) -> Vec<Vec<usize>> {
        let sets = [vec![0], vec![n - 1], vec![0, 1], vec![0, n / 3, n / 2, n - 2, n - 1], (0..n).step_by(3).collect()];
        sets.into_iter().map(|s| s.into_iter().collect::<BTreeSet<_>>().into_iter().collect()).collect()
    }

    fn same_as_winter<H: RowHasher>() {
        // up to trees built by several tasks (LEAVES_PER_TASK = 2^12 leaves each)
        for log_n in 1..=14 {
            let n = 1usize << log_n;
            let width = 3;
            let values = rows(n, width);
            let dense = Dense::new(&values, width);
            let digests: Vec<H::Digest> = values.chunks(width).map(H::hash_elements).collect();
            let theirs = MerkleTree::<H>::new(digests).expect("a power of two");
            let leaves = |start: usize, out: &mut [H::Digest]| H::hash_rows_into(&dense, |k| start + k, out);
            let skips: Vec<u32> = if log_n <= 10 { (0..=log_n + 1).collect() } else { vec![0, 1, 4, log_n] };
            for skip in skips {
                let ours = PartialTree::<H>::build(n, skip, &leaves).expect("a power of two");
                assert_eq!(ours.root(), theirs.root(), "2^{log_n} leaves, skip {skip}");
                for positions in position_sets(n) {
                    let expected = theirs.prove_batch(&positions).expect("in range").1.to_bytes();
                    let proof = ours.prove(&positions, Some(&leaves)).expect("in range");
                    assert_eq!(proof.to_bytes(), expected, "skip {skip}, positions {positions:?}");
                }
                // the errors of prove_batch (the first out-of-range index in the caller's order)
                let leaves: Option<LeafFn<'_, H::Digest>> = Some(&leaves);
                assert!(matches!(ours.prove(&[], leaves), Err(MerkleTreeError::TooFewLeafIndexes)));
                assert!(matches!(ours.prove(&[0, 0], leaves), Err(MerkleTreeError::DuplicateLeafIndex)));
                assert!(matches!(
                    ours.prove(&[n + 5, 0, n], leaves),
                    Err(MerkleTreeError::LeafIndexOutOfBounds(m, p)) if m == n && p == n + 5
                ));
                // a tree without its leaves cannot open without the leaf function
                let no_leaves = ours.prove(&[0], None);
                assert_eq!(no_leaves.is_err(), skip > 0, "skip {skip}");
            }
            // a coset at a time: coset j holds rows j, j + blowup, ...; the tree stores its
            // levels from skip up (2^skip ≤ blowup)
            for blowup in [1usize, 2, 8, 16, 32].into_iter().filter(|&b| b <= n) {
                for skip in 0..=blowup.trailing_zeros() {
                    let mut collected = Leaves::<H>::new(n, blowup, skip).expect("a power of two");
                    for j in 0..blowup {
                        let coset: Vec<Felt> =
                            values.chunks(width).skip(j).step_by(blowup).flatten().copied().collect();
                        collected.add_coset(j, &Dense::new(&coset, width));
                    }
                    let ours = collected.finish();
                    assert_eq!(ours.root(), theirs.root(), "2^{log_n} leaves in {blowup} cosets, skip {skip}");
                    assert_eq!(ours.stored_bytes(), ((2 * n) >> skip) * core::mem::size_of::<H::Digest>());
                    for positions in position_sets(n) {
                        let expected = theirs.prove_batch(&positions).expect("in range").1.to_bytes();
                        let proof = ours.prove(&positions, Some(&leaves)).expect("in range");
                        assert_eq!(proof.to_bytes(), expected, "{blowup} cosets, skip {skip}, {positions:?}");
                        // only a tree with its leaves opens without recomputing any
                        assert_eq!(ours.prove(&positions, None).is_ok(), skip == 0);
                    }
                }
            }
        }
        assert!(PartialTree::<H>::build(3, 0, &|_, _| ()).is_err());
        assert!(PartialTree::<H>::build(1, 0, &|_, _| ()).is_err());
    }

    #[test]
    fn roots_and_openings_are_winter_crypto_s() {
        same_as_winter::<Blake3_256<Felt>>();
        same_as_winter::<Rp64_256>();
    }

    #[test]
    fn a_tree_stores_its_levels_from_skip_up() {
        let n = 1 << 10;
        let leaves =
            |_: usize, out: &mut [<Blake3_256<Felt> as winter_crypto::Hasher>::Digest]| out.fill(Default::default());
        let full = PartialTree::<Blake3_256<Felt>>::build(n, 0, &leaves).expect("a power of two");
        let partial = PartialTree::<Blake3_256<Felt>>::build(n, 4, &leaves).expect("a power of two");
        assert_eq!(full.stored_bytes(), 2 * n * 32);
        assert_eq!(partial.stored_bytes(), 2 * n / 16 * 32);
    }
}
