//! Vector commitments: winter-crypto's Merkle trees, with batch opening proofs whose decoding
//! is bounded (a hostile length field cannot trigger a large allocation or a panic).

use alloc::vec::Vec;

use winter_crypto::{BatchMerkleProof, Hasher, MerkleTree, MerkleTreeError, VectorCommitment};
use winter_utils::{ByteReader, ByteWriter, Deserializable, DeserializationError, Serializable, SliceReader};

/// Deepest tree a proof may describe (2^40 leaves is far beyond any domain we accept).
pub const MAX_DEPTH: u8 = 40;
/// Most node vectors a batch proof may hold (one per opened index; we open at most 255).
pub const MAX_NODE_VECTORS: usize = 1024;

/// A Merkle tree used as a vector commitment (for the trace, the composition columns and the
/// FRI layers).
pub struct MerkleVc<H: Hasher> {
    tree: MerkleTree<H>,
}

impl<H: Hasher> MerkleVc<H> {
    /// The underlying tree.
    pub fn tree(&self) -> &MerkleTree<H> {
        &self.tree
    }
}

/// A batch Merkle opening with bounded decoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoundedBatchProof<H: Hasher>(pub BatchMerkleProof<H>);

impl<H: Hasher> Serializable for BoundedBatchProof<H> {
    fn write_into<W: ByteWriter>(&self, target: &mut W) {
        self.0.write_into(target)
    }
}

impl<H: Hasher> Deserializable for BoundedBatchProof<H> {
    fn read_from<R: ByteReader>(source: &mut R) -> Result<Self, DeserializationError> {
        let depth = source.read_u8()?;
        if depth == 0 || depth > MAX_DEPTH {
            return Err(DeserializationError::InvalidValue(alloc::format!("Merkle depth {depth} out of range")));
        }
        let num_vectors = source.read_usize()?;
        if num_vectors > MAX_NODE_VECTORS {
            return Err(DeserializationError::InvalidValue(alloc::format!("{num_vectors} Merkle node vectors")));
        }
        let mut nodes = Vec::with_capacity(num_vectors);
        for _ in 0..num_vectors {
            let len = source.read_usize()?;
            if len > depth as usize {
                return Err(DeserializationError::InvalidValue(alloc::format!(
                    "{len} nodes in a path of depth {depth}"
                )));
            }
            let mut path = Vec::with_capacity(len);
            for _ in 0..len {
                path.push(H::Digest::read_from(source)?);
            }
            nodes.push(path);
        }
        Ok(BoundedBatchProof(BatchMerkleProof { nodes, depth }))
    }
}

/// The number of sibling nodes a batch opening of the distinct `indexes` in a tree of `depth`
/// levels needs: at every level, one per opened node whose sibling is not opened too.
pub fn batch_proof_nodes(indexes: &[usize], depth: u32) -> usize {
    let mut level: Vec<usize> = indexes.to_vec();
    level.sort_unstable();
    level.dedup();
    let mut total = 0;
    for _ in 0..depth {
        total += level.iter().filter(|&&i| level.binary_search(&(i ^ 1)).is_err()).count();
        level.iter_mut().for_each(|i| *i >>= 1);
        level.dedup();
    }
    total
}

/// Decodes the batch opening of the distinct, sorted `indexes` in a tree of `depth` levels, in
/// its one canonical encoding: no trailing bytes, the tree's depth, exactly the sibling nodes
/// the openings need ([`batch_proof_nodes`]; winter-crypto's check ignores extra nodes at the
/// end of a node vector), and the bytes winter-crypto writes for it (shortest integer
/// encodings, canonical field elements in Rescue digests). So no two encodings of one opening
/// verify: a proof's bytes cannot be rewritten.
pub fn decode_batch_proof<H: Hasher>(
    bytes: &[u8],
    indexes: &[usize],
    depth: u32,
) -> Result<BoundedBatchProof<H>, DeserializationError> {
    let invalid = |what: &str| DeserializationError::InvalidValue(alloc::format!("batch Merkle proof: {what}"));
    let mut reader = SliceReader::new(bytes);
    let proof = BoundedBatchProof::<H>::read_from(&mut reader)?;
    if reader.has_more_bytes() {
        return Err(invalid("trailing bytes"));
    }
    if proof.0.depth as u32 != depth {
        return Err(invalid("wrong depth"));
    }
    if proof.0.nodes.iter().map(Vec::len).sum::<usize>() != batch_proof_nodes(indexes, depth) {
        return Err(invalid("wrong number of nodes"));
    }
    if proof.to_bytes() != bytes {
        return Err(invalid("not in canonical form"));
    }
    Ok(proof)
}

impl<H: Hasher> VectorCommitment<H> for MerkleVc<H> {
    type Options = ();
    type Proof = Vec<H::Digest>;
    type MultiProof = BoundedBatchProof<H>;
    type Error = MerkleTreeError;

    fn with_options(items: Vec<H::Digest>, _: ()) -> Result<Self, Self::Error> {
        Ok(MerkleVc { tree: MerkleTree::new(items)? })
    }

    fn commitment(&self) -> H::Digest {
        *self.tree.root()
    }

    fn domain_len(&self) -> usize {
        1 << self.tree.depth()
    }

    fn get_proof_domain_len(proof: &Self::Proof) -> usize {
        1usize.checked_shl(proof.len() as u32).unwrap_or(0)
    }

    fn get_multiproof_domain_len(proof: &Self::MultiProof) -> usize {
        1usize.checked_shl(proof.0.depth as u32).unwrap_or(0)
    }

    fn open(&self, index: usize) -> Result<(H::Digest, Self::Proof), Self::Error> {
        let opening = self.tree.prove(index)?;
        Ok((opening.0, opening.1))
    }

    fn open_many(&self, indexes: &[usize]) -> Result<(Vec<H::Digest>, Self::MultiProof), Self::Error> {
        let (leaves, proof) = self.tree.prove_batch(indexes)?;
        Ok((leaves, BoundedBatchProof(proof)))
    }

    fn verify(commitment: H::Digest, index: usize, item: H::Digest, proof: &Self::Proof) -> Result<(), Self::Error> {
        if proof.is_empty()
            || proof.len() > MAX_DEPTH as usize
            || index.checked_shr(proof.len() as u32).unwrap_or(0) != 0
        {
            return Err(MerkleTreeError::InvalidProof);
        }
        MerkleTree::<H>::verify(commitment, index, item, proof)
    }

    fn verify_many(
        commitment: H::Digest,
        indexes: &[usize],
        items: &[H::Digest],
        proof: &Self::MultiProof,
    ) -> Result<(), Self::Error> {
        let depth = proof.0.depth as u32;
        if depth == 0
            || depth > MAX_DEPTH as u32
            || indexes.iter().any(|&i| i.checked_shr(depth).unwrap_or(0) != 0)
            || items.len() != indexes.len()
        {
            return Err(MerkleTreeError::InvalidProof);
        }
        MerkleTree::<H>::verify_batch(&commitment, indexes, items, &proof.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use distaff_math::Felt;
    use winter_crypto::hashers::Blake3_256;
    use winter_utils::Serializable;

    type H = Blake3_256<Felt>;
    type D = <H as Hasher>::Digest;

    fn leaves(count: usize) -> Vec<D> {
        (0..count as u64).map(|i| <H as Hasher>::hash(&i.to_le_bytes())).collect()
    }

    #[test]
    fn the_vector_commitment_is_winter_crypto_s_merkle_tree() {
        let items = leaves(16);
        let vc = MerkleVc::<H>::with_options(items.clone(), ()).unwrap();
        let tree = MerkleTree::<H>::new(items.clone()).unwrap();
        assert_eq!(vc.commitment(), *tree.root());
        assert_eq!(*vc.tree().root(), *tree.root());
        assert_eq!(vc.domain_len(), 16);
        let (leaf, path) = vc.open(5).unwrap();
        assert_eq!(leaf, items[5]);
        assert_eq!(MerkleVc::<H>::get_proof_domain_len(&path), 16);
        assert_eq!(MerkleVc::<H>::verify(vc.commitment(), 5, leaf, &path), Ok(()));
        assert!(MerkleVc::<H>::verify(vc.commitment(), 6, leaf, &path).is_err());
        assert!(MerkleVc::<H>::verify(vc.commitment(), 5, items[4], &path).is_err());
        // an empty path, an index beyond the path's tree, a path deeper than any tree
        assert!(MerkleVc::<H>::verify(vc.commitment(), 0, leaf, &vec![]).is_err());
        assert!(MerkleVc::<H>::verify(vc.commitment(), 16 + 5, leaf, &path).is_err());
        assert!(MerkleVc::<H>::verify(vc.commitment(), 5, leaf, &vec![items[0]; MAX_DEPTH as usize + 1]).is_err());
        // (64 levels: winter-crypto would compute 2^64 and overflow)
        assert!(MerkleVc::<H>::verify(vc.commitment(), 5, leaf, &vec![items[0]; 64]).is_err());
        let indexes = [1, 2, 9];
        let (opened, proof) = vc.open_many(&indexes).unwrap();
        assert_eq!(opened, vec![items[1], items[2], items[9]]);
        assert_eq!(MerkleVc::<H>::get_multiproof_domain_len(&proof), 16);
        assert_eq!(MerkleVc::<H>::verify_many(vc.commitment(), &indexes, &opened, &proof), Ok(()));
        // an item too few or too many, an index beyond the tree
        assert!(MerkleVc::<H>::verify_many(vc.commitment(), &indexes, &opened[..2], &proof).is_err());
        assert!(MerkleVc::<H>::verify_many(vc.commitment(), &[1, 2], &opened, &proof).is_err());
        assert!(MerkleVc::<H>::verify_many(vc.commitment(), &[1, 2, 16 + 9], &opened, &proof).is_err());
        // an item more than indexes: winter-crypto would ignore it and accept
        let mut more = opened.clone();
        more.push(items[0]);
        assert!(MerkleVc::<H>::verify_many(vc.commitment(), &indexes, &more, &proof).is_err());
        let winter = MerkleTree::<H>::verify_batch(&vc.commitment(), &indexes, &more, &proof.0);
        assert!(winter.is_ok(), "winter-crypto accepts the extra item (why the check is ours)");
        let mut deep = BoundedBatchProof(BatchMerkleProof { nodes: proof.0.nodes.clone(), depth: MAX_DEPTH + 1 });
        assert!(MerkleVc::<H>::verify_many(vc.commitment(), &indexes, &opened, &deep).is_err());
        deep.0.depth = 0;
        assert!(MerkleVc::<H>::verify_many(vc.commitment(), &indexes, &opened, &deep).is_err());
        // (64 levels: winter-crypto would compute 2^64 and overflow)
        deep.0.depth = 64;
        assert!(MerkleVc::<H>::verify_many(vc.commitment(), &indexes, &opened, &deep).is_err());
        // the canonical decoding: the node count and the bytes
        let bytes = proof.to_bytes();
        assert!(decode_batch_proof::<H>(&bytes, &indexes, 4).is_ok());
        assert!(decode_batch_proof::<H>(&bytes, &indexes, 5).is_err());
        assert!(decode_batch_proof::<H>(&bytes, &[1, 2], 4).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode_batch_proof::<H>(&longer, &indexes, 4).is_err());
    }

    #[test]
    fn the_node_count_is_winter_crypto_s() {
        let tree = MerkleTree::<H>::new(leaves(64)).unwrap();
        for indexes in [vec![0], vec![63], vec![0, 1], vec![3, 9, 40, 41, 62], (0..64).step_by(3).collect::<Vec<_>>()] {
            let (_, proof) = tree.prove_batch(&indexes).unwrap();
            assert_eq!(batch_proof_nodes(&indexes, 6), proof.nodes.iter().map(Vec::len).sum::<usize>(), "{indexes:?}");
        }
        // unsorted or repeated indexes count as the set they are
        assert_eq!(batch_proof_nodes(&[9, 3, 9], 6), batch_proof_nodes(&[3, 9], 6));
        assert_eq!(batch_proof_nodes(&[], 6), 0);
    }

    /// A valid authentication path of `depth` levels for leaf `index` (arbitrary siblings), and
    /// the root it leads to: no tree of that depth needs to exist.
    fn path(index: usize, depth: usize) -> (D, D, Vec<D>) {
        let leaf = leaves(1)[0];
        let siblings = leaves(depth + 1)[1..].to_vec();
        let mut node = leaf;
        for (level, sibling) in siblings.iter().enumerate() {
            node = if (index >> level) & 1 == 0 { H::merge(&[node, *sibling]) } else { H::merge(&[*sibling, node]) };
        }
        (node, leaf, siblings)
    }

    #[test]
    fn paths_of_max_depth_verify_and_one_level_deeper_are_refused() {
        for depth in [MAX_DEPTH as usize, MAX_DEPTH as usize + 1] {
            let index = (1 << (depth - 1)) + 5;
            let (root, leaf, siblings) = path(index, depth);
            let expected = if depth <= MAX_DEPTH as usize { Ok(()) } else { Err(MerkleTreeError::InvalidProof) };
            assert_eq!(MerkleVc::<H>::verify(root, index, leaf, &siblings), expected, "depth {depth}");
            // the same path as a batch proof of one opening
            let batch = BoundedBatchProof(BatchMerkleProof { nodes: vec![siblings.clone()], depth: depth as u8 });
            assert_eq!(MerkleVc::<H>::verify_many(root, &[index], &[leaf], &batch), expected, "depth {depth}");
            // (the paths are valid: winter-crypto alone accepts both)
            assert_eq!(MerkleTree::<H>::verify(root, index, leaf, &siblings), Ok(()));
            assert_eq!(MerkleTree::<H>::verify_batch(&root, &[index], &[leaf], &batch.0), Ok(()));
        }
    }

    /// A batch proof's bytes: depth, vector count, then each vector's length and `len` nodes.
    fn encoded(depth: u8, vectors: usize, len: usize) -> Vec<u8> {
        let mut out = alloc::vec![depth];
        out.write_usize(vectors);
        for _ in 0..vectors {
            out.write_usize(len);
            for _ in 0..len {
                out.extend_from_slice(&[7u8; 32]);
            }
        }
        out
    }

    #[test]
    fn decoding_bounds_the_depth_the_vectors_and_their_lengths() {
        let read = |bytes: Vec<u8>| BoundedBatchProof::<H>::read_from(&mut SliceReader::new(&bytes)).map(|p| p.0.depth);
        assert_eq!(read(encoded(MAX_DEPTH, 2, 3)), Ok(MAX_DEPTH));
        assert!(read(encoded(MAX_DEPTH + 1, 2, 3)).is_err());
        assert!(read(encoded(0, 2, 3)).is_err());
        assert_eq!(read(encoded(1, MAX_NODE_VECTORS, 0)), Ok(1));
        assert!(read(encoded(1, MAX_NODE_VECTORS + 1, 0)).is_err());
        assert_eq!(read(encoded(5, 1, 5)), Ok(5));
        assert!(read(encoded(5, 1, 6)).is_err());
    }
}
