//! Key rotation: a log's new signing key, announced by a statement the old key signs (and the
//! new one too, proving it is held), logged as a leaf of the log itself. Whoever trusts the old
//! key can then trust the new one by checking the statement and its inclusion proof, with no
//! other channel; the statement also pins the tree the old key signed last.
//!
//! The statement is a signed note whose text is:
//!
//! ```text
//! ombud-log-key-rotation 1
//! <origin>
//! old <verifier key>
//! new <verifier key>
//! <tree size when the old key stopped>
//! <root then, base64>
//! ```

use base64::{Engine, engine::general_purpose::STANDARD};

use crate::note::{signature_line, split_note, tree_root, tree_size, verify_note};
use crate::{Hash, NoteError, verifier_key};

const HEADER: &str = "ombud-log-key-rotation 1";

/// What a rotation statement says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    pub origin: String,
    /// The key that signed until the rotation (verifier key).
    pub old_key: String,
    /// The key that signs from then on.
    pub new_key: String,
    /// The tree the old key signed last: its size and root.
    pub size: u64,
    pub root: Hash,
}

/// The statement that `new_seed` replaces `old_seed` as the signing key of the log `name`,
/// whose tree was of `size` leaves with `root`: signed by both keys.
pub fn sign_rotation(
    name: &str,
    old_seed: &[u8; 32],
    new_seed: &[u8; 32],
    size: u64,
    root: &Hash,
) -> String {
    let text = format!(
        "{HEADER}\n{name}\nold {}\nnew {}\n{size}\n{}\n",
        verifier_key(name, old_seed),
        verifier_key(name, new_seed),
        STANDARD.encode(root)
    );
    format!(
        "{text}\n{}{}",
        signature_line(name, old_seed, &text),
        signature_line(name, new_seed, &text)
    )
}

/// True when `bytes` look like a rotation statement (its first line), before any checking.
pub fn is_rotation(bytes: &[u8]) -> bool {
    bytes.starts_with(HEADER.as_bytes()) && bytes.get(HEADER.len()) == Some(&b'\n')
}

/// Reads a rotation statement, checking it is signed by `old_key` (the key it retires) and by
/// the key it announces.
pub fn verify_rotation(note: &str, old_key: &str) -> Result<Rotation, NoteError> {
    let malformed = |why: &str| NoteError::Malformed(format!("not a key rotation: {why}"));
    let (unsigned, _) = split_note(note)?;
    let mut lines = unsigned.lines();
    if lines.next() != Some(HEADER) {
        return Err(malformed("its first line is not the rotation header"));
    }
    let origin = lines
        .next()
        .filter(|o| !o.is_empty())
        .ok_or_else(|| malformed("no origin line"))?
        .to_string();
    let old = lines
        .next()
        .and_then(|l| l.strip_prefix("old "))
        .ok_or_else(|| malformed("no old key line"))?;
    let new = lines
        .next()
        .and_then(|l| l.strip_prefix("new "))
        .ok_or_else(|| malformed("no new key line"))?;
    let size = tree_size(lines.next()).ok_or_else(|| malformed("no tree size"))?;
    let root = tree_root(lines.next()).ok_or_else(|| malformed("no base64 SHA-256 root"))?;
    if lines.next().is_some() {
        return Err(malformed("more lines than a rotation has"));
    }
    if old.trim() != old_key.trim() {
        return Err(malformed("it retires another key than the one given"));
    }
    // Both signatures, over exactly the text read above.
    let signed = verify_note(note, old_key)?;
    if verify_note(note, new)? != signed || signed != unsigned {
        return Err(NoteError::BadSignature);
    }
    Ok(Rotation {
        origin,
        old_key: old.to_string(),
        new_key: new.to_string(),
        size,
        root,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotation_is_read_only_with_the_key_it_retires_and_both_signatures() {
        let (old, new) = ([1u8; 32], [2u8; 32]);
        let root = crate::leaf_hash(b"tree");
        let note = sign_rotation("ombud-test", &old, &new, 7, &root);
        assert!(is_rotation(note.as_bytes()));
        let r = verify_rotation(&note, &verifier_key("ombud-test", &old)).unwrap();
        assert_eq!(r.new_key, verifier_key("ombud-test", &new));
        assert_eq!((r.size, r.root, r.origin.as_str()), (7, root, "ombud-test"));
        // Not with the new key, nor with a third.
        assert!(verify_rotation(&note, &verifier_key("ombud-test", &new)).is_err());
        assert!(verify_rotation(&note, &verifier_key("ombud-test", &[3; 32])).is_err());
        // An altered size, or a statement the new key did not sign, fails.
        let altered = note.replace("\n7\n", "\n8\n");
        assert!(verify_rotation(&altered, &verifier_key("ombud-test", &old)).is_err());
        let one_signature: String = {
            let mut lines: Vec<&str> = note.lines().collect();
            lines.pop();
            lines.join("\n") + "\n"
        };
        assert_eq!(
            verify_rotation(&one_signature, &verifier_key("ombud-test", &old)),
            Err(NoteError::NotSignedByKey)
        );
    }
}
