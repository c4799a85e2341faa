//! The advice provider: what hints ([`distaff_air::Hint`]) draw on besides the ordered secret
//! tape. An **advice map** from a word to a list of values, and a **Merkle store** of the nodes
//! of any number of Merkle trees over `Rp64_256::merge`, from which a path can be fetched by
//! (root, depth, index). Both are secret inputs: a hint moves what it finds to the front of the
//! tape, and the program reads it there and checks it, so a proof reveals none of it.
//!
//! The store keeps each node it knows by its hash, with its two children. It knows, without
//! being told, the roots of the empty trees of every depth up to 64 (an empty leaf is the word
//! `[0, 0, 0, 0]`), so that a sparse tree needs only the nodes above its non-empty leaves.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use distaff_math::{Felt, FieldElement, Word};
use winter_crypto::{hashers::Rp64_256, ElementHasher, Hasher};

/// The deepest Merkle tree a path can be fetched from (`mtree_*.D`, D ≤ 64).
pub const MAX_MERKLE_DEPTH: u32 = 64;

/// The most leaves a full tree built from a list may have (2^24, a 2 GiB store).
pub const MAX_TREE_LEAVES: usize = 1 << 24;

/// The most nodes a store may be built with (2^25, about 3 GiB): a sparse tree of depth D
/// adds up to D nodes a leaf.
pub const MAX_STORE_NODES: usize = 1 << 25;

/// Why the advice could not be built or could not answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdviceError {
    /// The advice map names a key twice.
    #[error("the advice map names the key {} twice", word_text(.0))]
    DuplicateKey(Word),
    /// The advice map holds nothing under the key.
    #[error("the advice map holds no values under the key {}", word_text(.0))]
    NoMapEntry(Word),
    /// A tree's leaf list is empty, not a power of two long, or too long.
    #[error("a Merkle tree built from leaves needs 2^k of them, 1 ≤ 2^k ≤ 2^24; {0} were given")]
    LeafCount(usize),
    /// Building a tree would take the store past [`MAX_STORE_NODES`].
    #[error("the Merkle store would hold more than {MAX_STORE_NODES} nodes")]
    TooLarge,
    /// A depth outside 1..=64.
    #[error("a Merkle tree's depth must be 1..=64, not {0}")]
    Depth(u32),
    /// A sparse tree's leaf index is not below 2^depth.
    #[error("leaf index {index} is not below 2^{depth}")]
    Index {
        /// The index.
        index: u64,
        /// The tree's depth.
        depth: u32,
    },
    /// A sparse tree names a leaf twice.
    #[error("leaf index {0} is given twice")]
    DuplicateLeaf(u64),
    /// The store knows the root but not every node on the way to the leaf.
    #[error("the Merkle store knows the root {} but not the node {} on the path to leaf {index} at depth {depth}", word_text(.root), word_text(.node))]
    MissingNode {
        /// The root asked for.
        root: Word,
        /// The node whose children are unknown.
        node: Word,
        /// The leaf index asked for.
        index: u64,
        /// The depth asked for.
        depth: u32,
    },
}

fn word_text(w: &Word) -> String {
    format!("[{}, {}, {}, {}]", w[0].as_int(), w[1].as_int(), w[2].as_int(), w[3].as_int())
}

/// A word as integers: the key of maps (field elements have no order of their own).
pub(crate) fn key(w: &Word) -> [u64; 4] {
    [w[0].as_int(), w[1].as_int(), w[2].as_int(), w[3].as_int()]
}

/// `Rp64_256::merge(left, right)`: a Merkle tree's parent node.
pub fn merge(left: &Word, right: &Word) -> Word {
    Rp64_256::merge(&[(*left).into(), (*right).into()]).into()
}

/// The root of the empty tree of each depth 0..=64 (depth 0: the empty leaf, `[0; 4]`).
pub fn empty_roots() -> &'static [Word; 65] {
    static ROOTS: OnceLock<[Word; 65]> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut roots = [[Felt::ZERO; 4]; 65];
        for d in 1..65 {
            roots[d] = merge(&roots[d - 1], &roots[d - 1]);
        }
        roots
    })
}

/// The advice map: lists of values by word.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdviceMap(BTreeMap<[u64; 4], Vec<Felt>>);

impl AdviceMap {
    /// A map from its entries; fails if a key appears twice.
    pub fn new(entries: Vec<(Word, Vec<Felt>)>) -> Result<Self, AdviceError> {
        let mut map = BTreeMap::new();
        for (k, v) in entries {
            if map.insert(key(&k), v).is_some() {
                return Err(AdviceError::DuplicateKey(k));
            }
        }
        Ok(AdviceMap(map))
    }

    /// The values under `k`.
    pub fn get(&self, k: &Word) -> Option<&[Felt]> {
        self.0.get(&key(k)).map(Vec::as_slice)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entries, by key.
    pub fn entries(&self) -> impl Iterator<Item = (Word, &[Felt])> {
        self.0.iter().map(|(k, v)| (k.map(Felt::new), v.as_slice()))
    }
}

/// Nodes of Merkle trees by hash, each with its two children.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MerkleStore {
    nodes: HashMap<[u64; 4], (Word, Word)>,
}

impl MerkleStore {
    /// An empty store (it still knows the empty trees).
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of nodes it was given or has built (the empty trees not counted).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether it holds no node besides the empty trees.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Adds the parent of `left` and `right` and returns it.
    pub fn add_node(&mut self, left: Word, right: Word) -> Word {
        let parent = merge(&left, &right);
        self.nodes.insert(key(&parent), (left, right));
        parent
    }

    /// Adds the full tree over `leaves` (2^k of them, leaf 0 leftmost) and returns its root.
    pub fn add_tree(&mut self, leaves: &[Word]) -> Result<Word, AdviceError> {
        let n = leaves.len();
        if n == 0 || !n.is_power_of_two() || n > MAX_TREE_LEAVES {
            return Err(AdviceError::LeafCount(n));
        }
        if self.nodes.len() + n > MAX_STORE_NODES {
            return Err(AdviceError::TooLarge);
        }
        let mut level = leaves.to_vec();
        while level.len() > 1 {
            level = level.chunks(2).map(|pair| self.add_node(pair[0], pair[1])).collect();
        }
        Ok(level[0])
    }

    /// Adds the sparse tree of the given depth whose leaves are `leaves` (by index) and empty
    /// (`[0; 4]`) elsewhere, and returns its root.
    pub fn add_sparse(&mut self, depth: u32, leaves: &[(u64, Word)]) -> Result<Word, AdviceError> {
        if !(1..=MAX_MERKLE_DEPTH).contains(&depth) {
            return Err(AdviceError::Depth(depth));
        }
        if leaves.len().saturating_mul(depth as usize).saturating_add(self.nodes.len()) > MAX_STORE_NODES {
            return Err(AdviceError::TooLarge);
        }
        let mut level: BTreeMap<u64, Word> = BTreeMap::new();
        for &(i, w) in leaves {
            if depth < 64 && i >> depth != 0 {
                return Err(AdviceError::Index { index: i, depth });
            }
            if level.insert(i, w).is_some() {
                return Err(AdviceError::DuplicateLeaf(i));
            }
        }
        let empty = empty_roots();
        for empty_child in &empty[..depth as usize] {
            let mut up = BTreeMap::new();
            for (&i, &w) in &level {
                let parent = i >> 1;
                if up.contains_key(&parent) {
                    continue;
                }
                let (left, right) = match i & 1 {
                    0 => (w, level.get(&(i | 1)).copied().unwrap_or(*empty_child)),
                    _ => (level.get(&(i & !1)).copied().unwrap_or(*empty_child), w),
                };
                up.insert(parent, self.add_node(left, right));
            }
            level = up;
        }
        Ok(level.get(&0).copied().unwrap_or(empty[depth as usize]))
    }

    fn children(&self, node: &Word) -> Option<(Word, Word)> {
        if let Some(c) = self.nodes.get(&key(node)) {
            return Some(*c);
        }
        let empty = empty_roots();
        (1..65).find(|&d| empty[d] == *node).map(|d| (empty[d - 1], empty[d - 1]))
    }

    /// Whether the store can start a path at `root` (it knows the node's children).
    pub fn knows(&self, root: &Word) -> bool {
        self.children(root).is_some()
    }

    /// The leaf at `index` of the depth-`depth` tree with root `root`, and its path: the
    /// siblings from the leaf's up to the root's children.
    pub fn path(&self, root: &Word, depth: u32, index: u64) -> Result<(Word, Vec<Word>), AdviceError> {
        path_in(|n| self.children(n), root, depth, index)
    }

    /// Replaces the leaf at `index` of the tree with root `root` by `value`: adds the new
    /// nodes and returns the old leaf, its path (which is also the new leaf's) and the new root.
    pub fn set(
        &mut self,
        root: &Word,
        depth: u32,
        index: u64,
        value: Word,
    ) -> Result<(Word, Vec<Word>, Word), AdviceError> {
        let (old, path) = self.path(root, depth, index)?;
        let new_root = self.add_path(&path, index, value);
        Ok((old, path, new_root))
    }

    /// Adds the nodes from leaf `value` at `index` up, with the siblings `path` (the leaf's
    /// first), and returns the root they lead to.
    fn add_path(&mut self, path: &[Word], index: u64, value: Word) -> Word {
        path.iter().enumerate().fold(value, |node, (level, sibling)| match (index >> level) & 1 {
            0 => self.add_node(node, *sibling),
            _ => self.add_node(*sibling, node),
        })
    }
}

/// The path of leaf `index` from `root` down, with `children` giving a node's two children.
fn path_in(
    children: impl Fn(&Word) -> Option<(Word, Word)>,
    root: &Word,
    depth: u32,
    index: u64,
) -> Result<(Word, Vec<Word>), AdviceError> {
    if !(1..=MAX_MERKLE_DEPTH).contains(&depth) {
        return Err(AdviceError::Depth(depth));
    }
    if depth < 64 && index >> depth != 0 {
        return Err(AdviceError::Index { index, depth });
    }
    let mut node = *root;
    let mut siblings = Vec::with_capacity(depth as usize);
    for level in (0..depth).rev() {
        let (left, right) = children(&node).ok_or(AdviceError::MissingNode { root: *root, node, index, depth })?;
        let (next, sibling) = if (index >> level) & 1 == 0 { (left, right) } else { (right, left) };
        siblings.push(sibling);
        node = next;
    }
    siblings.reverse();
    Ok((node, siblings))
}

/// A Merkle store seen through another: what an execution adds (`mtree_set`) is kept apart,
/// so that the inputs' store, however large, is never copied.
#[derive(Clone, Debug)]
pub(crate) struct StoreOverlay<'a> {
    base: &'a MerkleStore,
    added: MerkleStore,
}

impl<'a> StoreOverlay<'a> {
    pub(crate) fn new(base: &'a MerkleStore) -> Self {
        StoreOverlay { base, added: MerkleStore::new() }
    }

    fn children(&self, node: &Word) -> Option<(Word, Word)> {
        self.added.nodes.get(&key(node)).copied().or_else(|| self.base.children(node))
    }

    /// [`MerkleStore::knows`].
    pub(crate) fn knows(&self, root: &Word) -> bool {
        self.children(root).is_some()
    }

    /// [`MerkleStore::path`].
    pub(crate) fn path(&self, root: &Word, depth: u32, index: u64) -> Result<(Word, Vec<Word>), AdviceError> {
        path_in(|n| self.children(n), root, depth, index)
    }

    /// [`MerkleStore::set`], the new nodes kept apart from the base.
    pub(crate) fn set(
        &mut self,
        root: &Word,
        depth: u32,
        index: u64,
        value: Word,
    ) -> Result<(Word, Vec<Word>, Word), AdviceError> {
        let (old, path) = self.path(root, depth, index)?;
        let new_root = self.added.add_path(&path, index, value);
        Ok((old, path, new_root))
    }
}

/// `Rp64_256::hash_elements`: the digest of a list of values (for advice-map keys that commit
/// to their values).
pub fn hash_elements(values: &[Felt]) -> Word {
    Rp64_256::hash_elements(values).as_elements().try_into().expect("a digest is four elements")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(x: u64) -> Word {
        [Felt::new(x), Felt::new(x + 1), Felt::new(x + 2), Felt::new(x + 3)]
    }

    #[test]
    fn full_tree_paths_lead_to_the_root() {
        let leaves: Vec<Word> = (0..8).map(|i| w(10 * i)).collect();
        let mut store = MerkleStore::new();
        let root = store.add_tree(&leaves).unwrap();
        for (i, leaf) in leaves.iter().enumerate() {
            let (got, path) = store.path(&root, 3, i as u64).unwrap();
            assert_eq!(got, *leaf);
            let mut node = got;
            for (level, s) in path.iter().enumerate() {
                node = if (i >> level) & 1 == 0 { merge(&node, s) } else { merge(s, &node) };
            }
            assert_eq!(node, root);
        }
        assert!(matches!(store.path(&root, 3, 8), Err(AdviceError::Index { .. })));
        assert!(matches!(store.path(&root, 4, 0), Err(AdviceError::MissingNode { .. })));
        assert_eq!(store.add_tree(&leaves[..3]), Err(AdviceError::LeafCount(3)));
    }

    #[test]
    fn sparse_trees_agree_with_full_trees_and_with_set() {
        let mut leaves = vec![[Felt::ZERO; 4]; 16];
        leaves[3] = w(7);
        leaves[12] = w(99);
        let mut store = MerkleStore::new();
        let full = store.add_tree(&leaves).unwrap();
        let mut sparse_store = MerkleStore::new();
        let sparse = sparse_store.add_sparse(4, &[(12, w(99)), (3, w(7))]).unwrap();
        assert_eq!(full, sparse);
        // an empty leaf's path comes from the empty trees the store knows without being told
        let (leaf, _) = sparse_store.path(&sparse, 4, 5).unwrap();
        assert_eq!(leaf, [Felt::ZERO; 4]);
        // setting a leaf gives the root of the tree built with it
        let (old, _, new_root) = sparse_store.set(&sparse, 4, 5, w(1)).unwrap();
        assert_eq!(old, [Felt::ZERO; 4]);
        leaves[5] = w(1);
        assert_eq!(new_root, MerkleStore::new().add_tree(&leaves).unwrap());
        assert_eq!(sparse_store.path(&new_root, 4, 5).unwrap().0, w(1));
        // depth 64, the largest index
        let mut s = MerkleStore::new();
        let r = s.add_sparse(64, &[(u64::MAX, w(5)), (0, w(6))]).unwrap();
        assert_eq!(s.path(&r, 64, u64::MAX).unwrap().0, w(5));
        assert_eq!(s.path(&r, 64, 1 << 40).unwrap().0, [Felt::ZERO; 4]);
        assert_eq!(MerkleStore::new().add_sparse(64, &[]).unwrap(), empty_roots()[64]);
        assert!(s.add_sparse(65, &[]).is_err());
        assert!(s.add_sparse(3, &[(8, w(1))]).is_err());
        assert!(s.add_sparse(3, &[(1, w(1)), (1, w(2))]).is_err());
    }

    #[test]
    fn a_store_too_large_is_refused_before_any_hashing() {
        let leaves: Vec<(u64, Word)> = (0..(MAX_STORE_NODES / 64 + 1) as u64).map(|i| (i, w(i))).collect();
        assert_eq!(MerkleStore::new().add_sparse(64, &leaves), Err(AdviceError::TooLarge));
    }

    #[test]
    fn an_overlay_adds_without_touching_its_base() {
        let mut base = MerkleStore::new();
        let root = base.add_sparse(64, &[(9, w(9))]).unwrap();
        let before = base.clone();
        let mut overlay = StoreOverlay::new(&base);
        let (old, _, new_root) = overlay.set(&root, 64, 1 << 60, w(1)).unwrap();
        assert_eq!(old, [Felt::ZERO; 4]);
        // the overlay answers from both; the base is as it was
        assert_eq!(overlay.path(&new_root, 64, 1 << 60).unwrap().0, w(1));
        assert_eq!(overlay.path(&new_root, 64, 9).unwrap().0, w(9));
        assert_eq!(overlay.path(&root, 64, 9).unwrap().0, w(9));
        assert!(!base.knows(&new_root));
        assert_eq!(base, before);
        // and it agrees with the store that adds in place
        let mut in_place = base.clone();
        assert_eq!(in_place.set(&root, 64, 1 << 60, w(1)).unwrap().2, new_root);
    }

    #[test]
    fn advice_map_refuses_repeated_keys() {
        assert!(AdviceMap::new(vec![(w(1), vec![]), (w(1), vec![Felt::ONE])]).is_err());
        let m = AdviceMap::new(vec![(w(1), vec![Felt::ONE])]).unwrap();
        assert_eq!(m.get(&w(1)), Some(&[Felt::ONE][..]));
        assert_eq!(m.get(&w(2)), None);
    }
}
