//! The tree's hashes kept as they are made, so that a root or a proof costs O(log n) reads
//! instead of re-hashing every leaf.
//!
//! When leaf `n` (0-based) is appended, its hash is stored, then the hash of every complete
//! subtree it closes, lowest first. So the hashes of a log of `n` leaves number
//! `stored_hash_count(n)`, and the hash of the complete subtree of height `level` whose leaves are
//! `k·2^level .. (k+1)·2^level` sits at `stored_hash_index(level, k)`: any node of the tree is
//! one read. Roots and proofs of any tree size are then built from the complete subtrees their
//! ranges split into (RFC 9162 §2.1.1 splits at powers of two, so every such subtree is
//! aligned). A tile of the C2SP tlog-tiles layout is 256 consecutive nodes of one level that is
//! a multiple of 8: `tile_node` says which.

use crate::{Hash, node_hash};

/// Tiles are 2^8 = 256 hashes wide (C2SP tlog-tiles).
pub const TILE_HEIGHT: u32 = 8;
pub const TILE_WIDTH: u64 = 1 << TILE_HEIGHT;

/// How many hashes a log of `n` leaves stores: a leaf hash per leaf plus one per complete
/// subtree, `n + n/2 + n/4 + …`, which is `2n - popcount(n)`.
pub fn stored_hash_count(n: u64) -> u64 {
    2 * n - u64::from(n.count_ones())
}

/// Where the hash of the complete subtree of height `level` and index `k` is stored: right
/// after the hashes stored before its last leaf `(k+1)·2^level - 1`, that leaf's own, and the
/// `level - 1` smaller subtrees that leaf closes.
pub fn stored_hash_index(level: u32, k: u64) -> u64 {
    let last = ((k + 1) << level) - 1;
    stored_hash_count(last) + u64::from(level)
}

/// The number of leaves whose hashes `count` stored hashes hold entirely (the largest `n` with
/// `stored_hash_count(n) <= count`).
pub fn leaves_covered(count: u64) -> u64 {
    // stored_hash_count is increasing and at least n, so n lies in [count/2, count].
    let (mut lo, mut hi) = (count / 2, count);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if stored_hash_count(mid) <= count {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

/// The hashes to store after appending leaf `n` with leaf hash `leaf`: the leaf's, then each
/// subtree it closes. `node` reads an already stored node (a left sibling).
pub fn hashes_to_store<E>(
    n: u64,
    leaf: Hash,
    node: &mut impl FnMut(u32, u64) -> Result<Hash, E>,
) -> Result<Vec<Hash>, E> {
    let mut out = vec![leaf];
    let (mut level, mut k, mut h) = (0u32, n, leaf);
    // A subtree closes at every level where the leaf's index has a 1 bit (it is a right child).
    while k & 1 == 1 {
        let left = node(level, k - 1)?;
        h = node_hash(&left, &h);
        out.push(h);
        level += 1;
        k >>= 1;
    }
    Ok(out)
}

/// The root of the leaves `start .. end` of a tree, where the range is one the RFC's splits
/// reach (so each of its complete subtrees is aligned); `node` reads complete subtrees.
fn range_root<E>(
    start: u64,
    end: u64,
    node: &mut impl FnMut(u32, u64) -> Result<Hash, E>,
) -> Result<Hash, E> {
    let width = end - start;
    if width.is_power_of_two() && start.is_multiple_of(width) {
        let level = width.trailing_zeros();
        return node(level, start >> level);
    }
    let k = split(width);
    let left = range_root(start, start + k, node)?;
    let right = range_root(start + k, end, node)?;
    Ok(node_hash(&left, &right))
}

fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (u64::BITS - (n - 1).leading_zeros() - 1)
}

/// The root of the tree of the first `size` leaves, from stored nodes.
pub fn root_from<E>(
    size: u64,
    node: &mut impl FnMut(u32, u64) -> Result<Hash, E>,
) -> Result<Hash, E> {
    if size == 0 {
        return Ok(crate::root(&[]));
    }
    range_root(0, size, node)
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1), from
/// stored nodes: `None` when there is no such leaf.
pub fn inclusion_proof_from<E>(
    size: u64,
    index: u64,
    node: &mut impl FnMut(u32, u64) -> Result<Hash, E>,
) -> Result<Option<Vec<Hash>>, E> {
    if index >= size {
        return Ok(None);
    }
    let mut out = Vec::new();
    let (mut start, mut end) = (0u64, size);
    // Walk down from the root, keeping the sibling of each turn; the proof lists them bottom up.
    while end - start > 1 {
        let k = split(end - start);
        if index < start + k {
            out.push(range_root(start + k, end, node)?);
            end = start + k;
        } else {
            out.push(range_root(start, start + k, node)?);
            start += k;
        }
    }
    out.reverse();
    Ok(Some(out))
}

/// The consistency proof between the trees of `old_size` and `size` leaves (RFC 9162
/// §2.1.4.1), from stored nodes: `None` when `old_size` is larger.
pub fn consistency_proof_from<E>(
    size: u64,
    old_size: u64,
    node: &mut impl FnMut(u32, u64) -> Result<Hash, E>,
) -> Result<Option<Vec<Hash>>, E> {
    if old_size > size {
        return Ok(None);
    }
    let mut out = Vec::new();
    if old_size == 0 || old_size == size {
        return Ok(Some(out));
    }
    // SUBPROOF(m, D[start..end], complete), walked down iteratively.
    let (mut start, mut end, mut m, mut complete) = (0u64, size, old_size, true);
    loop {
        let n = end - start;
        if m == n {
            if !complete {
                out.push(range_root(start, end, node)?);
            }
            break;
        }
        let k = split(n);
        if m <= k {
            out.push(range_root(start + k, end, node)?);
            end = start + k;
        } else {
            out.push(range_root(start, start + k, node)?);
            start += k;
            m -= k;
            complete = false;
        }
    }
    // Pushed top down; the proof is bottom up.
    out.reverse();
    Ok(Some(out))
}

/// The node a tile entry is: entry `i` of tile `index` at tile level `tile_level` is the
/// complete subtree of height `8·tile_level` and index `256·index + i`.
pub fn tile_node(tile_level: u32, index: u64, i: u64) -> (u32, u64) {
    (tile_level * TILE_HEIGHT, index * TILE_WIDTH + i)
}

/// How many entries tile `index` at `tile_level` has in a tree of `size` leaves (0 when it has
/// none, 256 when it is full).
pub fn tile_width(tile_level: u32, index: u64, size: u64) -> u64 {
    let nodes = size >> (tile_level * TILE_HEIGHT);
    nodes.saturating_sub(index * TILE_WIDTH).min(TILE_WIDTH)
}

/// Which tile a path of the C2SP tlog-tiles layout names: a level of hashes (`Some(level)`) or
/// the entry bundles (`None`), the tile's index, and its width (256 for a full tile).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TileRef {
    pub level: Option<u32>,
    pub index: u64,
    pub width: u64,
}

impl TileRef {
    /// The tile's path below the log's prefix: `tile/<L>/<N>[.p/<W>]`, where `N` is written in
    /// groups of three digits, all but the last after an `x` (`x001/x234/067`).
    pub fn path(&self) -> String {
        let mut groups = Vec::new();
        let mut n = self.index;
        loop {
            groups.push(n % 1000);
            n /= 1000;
            if n == 0 {
                break;
            }
        }
        let digits: Vec<String> = groups
            .iter()
            .rev()
            .enumerate()
            .map(|(i, g)| {
                if i + 1 < groups.len() {
                    format!("x{g:03}")
                } else {
                    format!("{g:03}")
                }
            })
            .collect();
        let level = self
            .level
            .map_or_else(|| "entries".to_string(), |l| l.to_string());
        let partial = if self.width < TILE_WIDTH {
            format!(".p/{}", self.width)
        } else {
            String::new()
        };
        format!("tile/{level}/{}{partial}", digits.join("/"))
    }

    /// Reads a tile path (as `path` writes it); `None` for anything else.
    pub fn parse(path: &str) -> Option<TileRef> {
        let rest = path.strip_prefix("tile/")?;
        let (level, rest) = rest.split_once('/')?;
        let level = match level {
            "entries" => None,
            l if !l.is_empty() && l.len() <= 2 && l.bytes().all(|b| b.is_ascii_digit()) => {
                Some(l.parse::<u32>().ok().filter(|l| *l < 8)?)
            }
            _ => return None,
        };
        let (index_part, width) = match rest.split_once(".p/") {
            Some((i, w)) => {
                let ok = !w.is_empty() && w.len() <= 3 && w.bytes().all(|b| b.is_ascii_digit());
                let w: u64 = w
                    .parse()
                    .ok()
                    .filter(|w| ok && (1..TILE_WIDTH).contains(w))?;
                (i, w)
            }
            None => (rest, TILE_WIDTH),
        };
        let groups: Vec<&str> = index_part.split('/').collect();
        let mut index: u64 = 0;
        for (i, g) in groups.iter().enumerate() {
            let digits = if i + 1 < groups.len() {
                g.strip_prefix('x')?
            } else {
                g
            };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            index = index.checked_mul(1000)?.checked_add(digits.parse().ok()?)?;
        }
        let tile = TileRef {
            level,
            index,
            width,
        };
        // One spelling per tile: no leading x000 groups.
        (tile.path() == path).then_some(tile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n as u32)
            .map(|i| crate::leaf_hash(&i.to_be_bytes()))
            .collect()
    }

    /// Stores the hashes of `leaves` as an appending log would.
    fn store(leaves: &[Hash]) -> Vec<Hash> {
        let mut stored: Vec<Hash> = Vec::new();
        for (n, leaf) in leaves.iter().enumerate() {
            let new = hashes_to_store(n as u64, *leaf, &mut |l, k| {
                Ok::<_, ()>(stored[stored_hash_index(l, k) as usize])
            })
            .unwrap();
            stored.extend(new);
            assert_eq!(stored.len() as u64, stored_hash_count(n as u64 + 1));
        }
        stored
    }

    #[test]
    fn every_stored_node_is_where_its_index_says() {
        let all = leaves(300);
        let stored = store(&all);
        for level in 0..9u32 {
            for k in 0..(300u64 >> level) {
                let range = (k << level) as usize..((k + 1) << level) as usize;
                assert_eq!(
                    stored[stored_hash_index(level, k) as usize],
                    crate::root(&all[range]),
                    "level {level} node {k}"
                );
            }
        }
        for n in 0..300u64 {
            assert_eq!(leaves_covered(stored_hash_count(n)), n);
            assert_eq!(leaves_covered(stored_hash_count(n + 1) - 1), n);
        }
    }

    #[test]
    fn roots_and_proofs_from_stored_nodes_are_the_reference_ones() {
        let all = leaves(70);
        let stored = store(&all);
        let mut node = |l: u32, k: u64| Ok::<_, ()>(stored[stored_hash_index(l, k) as usize]);
        for size in 0..=70usize {
            let tree = &all[..size];
            assert_eq!(
                root_from(size as u64, &mut node).unwrap(),
                crate::root(tree)
            );
            for i in 0..=size {
                assert_eq!(
                    inclusion_proof_from(size as u64, i as u64, &mut node).unwrap(),
                    crate::inclusion_proof(tree, i),
                    "inclusion {i} of {size}"
                );
            }
            for old in 0..=size + 1 {
                assert_eq!(
                    consistency_proof_from(size as u64, old as u64, &mut node).unwrap(),
                    crate::consistency_proof(tree, old),
                    "consistency {old} to {size}"
                );
            }
        }
    }

    #[test]
    fn tile_paths_read_back_and_odd_spellings_do_not() {
        for (tile, path) in [
            (
                TileRef {
                    level: Some(0),
                    index: 0,
                    width: 256,
                },
                "tile/0/000",
            ),
            (
                TileRef {
                    level: Some(1),
                    index: 1_234_067,
                    width: 256,
                },
                "tile/1/x001/x234/067",
            ),
            (
                TileRef {
                    level: None,
                    index: 5,
                    width: 17,
                },
                "tile/entries/005.p/17",
            ),
        ] {
            assert_eq!(tile.path(), path);
            assert_eq!(TileRef::parse(path), Some(tile));
        }
        for bad in [
            "tile/0/5",
            "tile/0/x000/005",
            "tile/0/005.p/0",
            "tile/0/005.p/256",
            "tile/0/005.p/017",
            "tile/9/000",
            "tile/0/000/",
            "tile//000",
            "tile/0/x999",
            "../tile/0/000",
        ] {
            assert_eq!(TileRef::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn tiles_hold_the_nodes_of_their_level() {
        assert_eq!(tile_width(0, 0, 70), 70);
        assert_eq!(tile_width(0, 1, 300), 44);
        assert_eq!(tile_width(1, 0, 300), 1);
        assert_eq!(tile_width(1, 0, 255), 0);
        assert_eq!(tile_width(0, 3, 300), 0);
        assert_eq!(tile_node(1, 2, 5), (8, 517));
    }
}
