//! The append-only Merkle log over archived documents, as Certificate Transparency defines it
//! (RFC 9162 §2.1, the same tree as RFC 6962): the tree head of any prefix of the log, inclusion
//! proofs (this document is leaf `i` of the tree of size `n`) and consistency proofs (the tree of
//! size `n` extends the tree of size `m` unchanged), and their verification.
//!
//! Pure: the caller supplies the leaf hashes; storing them is the archive's job. A leaf is one
//! archived document and its data is the document's 32-byte SHA-256 digest, so a checkpoint
//! (size and root) written down today lets anyone prove years later that no document logged
//! before it was removed, replaced or reordered.

use sha2::{Digest, Sha256};

mod cosign;
mod note;
mod rotation;
mod stored;

pub use cosign::{cosign, cosignature_time, witness_verifier_key};
pub use note::{
    NoteError, SignedCheckpoint, checkpoint_text, public_key_pem, sign_checkpoint, verifier_key,
    verify_checkpoint,
};

pub use rotation::{Rotation, is_rotation, sign_rotation, verify_rotation};
pub use stored::{
    TILE_HEIGHT, TILE_WIDTH, TileRef, consistency_proof_from, hashes_to_store,
    inclusion_proof_from, leaves_covered, root_from, stored_hash_count, stored_hash_index,
    tile_node, tile_width,
};

/// A SHA-256 digest: leaf hashes, node hashes, tree roots.
pub type Hash = [u8; 32];

/// The hash of a leaf: SHA-256(0x00 || data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    Sha256::new()
        .chain_update([0u8])
        .chain_update(data)
        .finalize()
        .into()
}

/// The hash of an inner node: SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    Sha256::new()
        .chain_update([1u8])
        .chain_update(left)
        .chain_update(right)
        .finalize()
        .into()
}

/// The largest power of two smaller than `n` (for `n` ≥ 2): where the tree splits.
fn split(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (usize::BITS - (n - 1).leading_zeros() - 1)
}

/// The root of the tree over `leaves` (leaf hashes, in log order); the empty tree's root is the
/// hash of nothing.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The inclusion proof of leaf `index` in the tree over `leaves` (RFC 9162 §2.1.3.1), or `None`
/// when there is no such leaf.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Option<Vec<Hash>> {
    fn path(index: usize, leaves: &[Hash], out: &mut Vec<Hash>) {
        let n = leaves.len();
        if n <= 1 {
            return;
        }
        let k = split(n);
        if index < k {
            path(index, &leaves[..k], out);
            out.push(root(&leaves[k..]));
        } else {
            path(index - k, &leaves[k..], out);
            out.push(root(&leaves[..k]));
        }
    }
    (index < leaves.len()).then(|| {
        let mut out = Vec::new();
        path(index, leaves, &mut out);
        out
    })
}

/// The consistency proof between the tree of the first `old_size` leaves and the tree over all
/// of `leaves` (RFC 9162 §2.1.4.1), or `None` when `old_size` is larger than the log.
pub fn consistency_proof(leaves: &[Hash], old_size: usize) -> Option<Vec<Hash>> {
    fn subproof(m: usize, leaves: &[Hash], complete: bool, out: &mut Vec<Hash>) {
        let n = leaves.len();
        if m == n {
            if !complete {
                out.push(root(leaves));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            subproof(m, &leaves[..k], complete, out);
            out.push(root(&leaves[k..]));
        } else {
            subproof(m - k, &leaves[k..], false, out);
            out.push(root(&leaves[..k]));
        }
    }
    if old_size > leaves.len() {
        return None;
    }
    let mut out = Vec::new();
    if old_size > 0 && old_size < leaves.len() {
        subproof(old_size, leaves, true, &mut out);
    }
    Some(out)
}

/// True when `proof` shows that `leaf` is leaf `index` of the tree of `size` leaves whose root
/// is `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *root
}

/// True when `proof` shows that the tree of `new_size` leaves with root `new_root` extends the
/// tree of `old_size` leaves with root `old_root` (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> bool {
    if old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    if old_size == 0 {
        // Every log extends the empty one, whose root is the hash of nothing.
        return proof.is_empty() && *old_root == root(&[]);
    }
    let Some((first, rest)) = proof.split_first() else {
        return false;
    };
    // When the old tree is a complete subtree its root starts the path.
    let (start, rest) = if old_size.is_power_of_two() {
        (*old_root, proof)
    } else {
        (*first, rest)
    };
    let (mut f, mut s) = (old_size - 1, new_size - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (start, start);
    for c in rest {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && fr == *old_root && sr == *new_root
}

/// A hash as 64 lowercase hex digits.
pub fn to_hex(h: &Hash) -> String {
    to_hex_bytes(h)
}

/// Bytes as lowercase hex digits.
pub(crate) fn to_hex_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A hash from 64 hex digits.
pub fn from_hex(s: &str) -> Option<Hash> {
    // Digits only: `from_str_radix` alone would also take a sign ("+f").
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests;
