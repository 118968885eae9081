//! Signed checkpoints: the log's origin, size and root in the checkpoint text of C2SP's
//! transparency-log specifications, signed with Ed25519 as a signed note, so that anyone holding
//! the log keeper's public verifier key can tell a checkpoint the keeper really published.
//!
//! ```text
//! ombud-3f2a9c1e          <- origin: names the log
//! 21                      <- size
//! Tkvaj8sE...=            <- root, base64
//!
//! — ombud-3f2a9c1e AAAA...  <- key name, base64(key id || signature)
//! ```
//!
//! A verifier key is written `name+key id (8 hex)+base64(0x01 || public key)`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::Hash;

/// Algorithm byte of Ed25519 keys in signed notes.
const ED25519: u8 = 0x01;

/// A checkpoint read back from a verified note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCheckpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

/// Why a note does not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoteError {
    /// The verifier key is not `name+hex id+base64 key` for an Ed25519 key.
    BadKey(String),
    /// The note is not a checkpoint followed by signature lines.
    Malformed(String),
    /// No signature line is by this key.
    NotSignedByKey,
    /// The signature by this key does not match the text: it was altered or forged.
    BadSignature,
}

impl std::fmt::Display for NoteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoteError::BadKey(why) => write!(f, "not a verifier key: {why}"),
            NoteError::Malformed(why) => write!(f, "not a signed checkpoint: {why}"),
            NoteError::NotSignedByKey => f.write_str("no signature in it is by this key"),
            NoteError::BadSignature => {
                f.write_str("the signature does not match the text: it was altered or forged")
            }
        }
    }
}

impl std::error::Error for NoteError {}

/// The 4-byte key id of signed notes: the start of SHA-256(name, newline, 0x01, public key).
fn key_id(name: &str, public: &[u8; 32]) -> [u8; 4] {
    key_id_of(ED25519, name, public)
}

/// The key id of a key of algorithm `alg` (0x01 note signatures, 0x04 cosignatures).
pub(crate) fn key_id_of(alg: u8, name: &str, public: &[u8; 32]) -> [u8; 4] {
    let h = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update(b"\n")
        .chain_update([alg])
        .chain_update(public)
        .finalize();
    [h[0], h[1], h[2], h[3]]
}

/// The checkpoint text that is signed.
pub fn checkpoint_text(origin: &str, size: u64, root: &Hash) -> String {
    format!("{origin}\n{size}\n{}\n", STANDARD.encode(root))
}

/// The verifier key of the signing key `seed` under `name`, for others to check notes with.
pub fn verifier_key(name: &str, seed: &[u8; 32]) -> String {
    let public = SigningKey::from_bytes(seed).verifying_key().to_bytes();
    let mut key = vec![ED25519];
    key.extend_from_slice(&public);
    format!(
        "{name}+{}+{}",
        crate::to_hex_bytes(&key_id(name, &public)),
        STANDARD.encode(key)
    )
}

/// The checkpoint signed by `seed` under `name` (which is also the log's origin).
pub fn sign_checkpoint(name: &str, seed: &[u8; 32], size: u64, root: &Hash) -> String {
    let text = checkpoint_text(name, size, root);
    format!("{text}\n{}", signature_line(name, seed, &text))
}

/// The name, public key and key id of a verifier key, checked against each other.
fn parse_verifier(verifier: &str) -> Result<(&str, [u8; 32], [u8; 4]), NoteError> {
    parse_verifier_of(ED25519, verifier)
}

/// `parse_verifier` for keys of algorithm `alg`.
pub(crate) fn parse_verifier_of(
    alg: u8,
    verifier: &str,
) -> Result<(&str, [u8; 32], [u8; 4]), NoteError> {
    let mut parts = verifier.trim().splitn(3, '+');
    let (Some(name), Some(id_hex), Some(key64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(NoteError::BadKey("expected name+id+key".into()));
    };
    let key = STANDARD
        .decode(key64)
        .map_err(|e| NoteError::BadKey(format!("the key is not base64: {e}")))?;
    let public: [u8; 32] = match key.as_slice() {
        [a, rest @ ..] if *a == alg => rest
            .try_into()
            .map_err(|_| NoteError::BadKey("an Ed25519 key is 32 bytes".into()))?,
        _ if alg == ED25519 => return Err(NoteError::BadKey("not an Ed25519 key".into())),
        _ => return Err(NoteError::BadKey("not an Ed25519 cosigner key".into())),
    };
    let id = key_id_of(alg, name, &public);
    if crate::to_hex_bytes(&id) != id_hex.to_ascii_lowercase() {
        return Err(NoteError::BadKey(
            "its id does not match its name and key".into(),
        ));
    }
    Ok((name, public, id))
}

/// The Ed25519 public key of a verifier key as PEM (SubjectPublicKeyInfo, RFC 8410), the form
/// `openssl pkeyutl -verify` reads, so a signature can be checked without ombud.
pub fn public_key_pem(verifier: &str) -> Result<String, NoteError> {
    let (_, public, _) = parse_verifier(verifier)?;
    // The fixed DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410, section 4).
    let mut der = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    der.extend_from_slice(&public);
    Ok(format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        STANDARD.encode(der)
    ))
}

/// A note's text (ending in its newline) and its signature lines, split at the blank line.
pub(crate) fn split_note(note: &str) -> Result<(String, String), NoteError> {
    // An editor's extra blank line at the end is not a signature block.
    let note = format!("{}\n", note.trim_end_matches('\n'));
    let Some(split) = note.rfind("\n\n") else {
        return Err(NoteError::Malformed(
            "no blank line before the signatures".into(),
        ));
    };
    Ok((note[..split + 1].to_string(), note[split + 2..].to_string()))
}

/// Checks `note` against `verifier` (as `verifier_key` writes it) and reads the checkpoint.
pub fn verify_checkpoint(note: &str, verifier: &str) -> Result<SignedCheckpoint, NoteError> {
    let text = verify_note(note, verifier)?;
    parse_checkpoint(&text)
}

/// Signs `text` (lines, ending in a newline) with `seed` under `name`: one signature line.
pub(crate) fn signature_line(name: &str, seed: &[u8; 32], text: &str) -> String {
    let key = SigningKey::from_bytes(seed);
    let signature: Signature = key.sign(text.as_bytes());
    let mut blob = key_id(name, &key.verifying_key().to_bytes()).to_vec();
    blob.extend_from_slice(&signature.to_bytes());
    format!("\u{2014} {name} {}\n", STANDARD.encode(blob))
}

/// Checks that `note` carries a good signature by `verifier` and gives the text it signs.
pub(crate) fn verify_note(note: &str, verifier: &str) -> Result<String, NoteError> {
    let (name, public, id) = parse_verifier(verifier)?;
    let verifying = VerifyingKey::from_bytes(&public)
        .map_err(|_| NoteError::BadKey("not a valid Ed25519 public key".into()))?;

    let (text, signatures) = split_note(note)?;
    let (text, signatures) = (text.as_str(), signatures.as_str());
    let mut found = false;
    for line in signatures.lines().filter(|l| !l.trim().is_empty()) {
        let Some(rest) = line.strip_prefix("\u{2014} ") else {
            return Err(NoteError::Malformed(format!(
                "{line:?} is not a signature line"
            )));
        };
        let Some((signer, blob64)) = rest.rsplit_once(' ') else {
            return Err(NoteError::Malformed(format!(
                "{line:?} is not a signature line"
            )));
        };
        let Ok(blob) = STANDARD.decode(blob64) else {
            return Err(NoteError::Malformed(format!(
                "{line:?}: the signature is not base64"
            )));
        };
        if signer != name || blob.len() != 68 || blob[..4] != id {
            continue;
        }
        found = true;
        let signature = Signature::from_slice(&blob[4..]).map_err(|_| NoteError::BadSignature)?;
        verifying
            .verify_strict(text.as_bytes(), &signature)
            .map_err(|_| NoteError::BadSignature)?;
    }
    if !found {
        return Err(NoteError::NotSignedByKey);
    }
    // What was signed is exactly what is read: no carriage returns or other control characters.
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::Malformed(
            "control characters in the signed text".into(),
        ));
    }
    Ok(text.to_string())
}

/// The checkpoint a signed note's text states: origin, tree size, root.
fn parse_checkpoint(text: &str) -> Result<SignedCheckpoint, NoteError> {
    let malformed = |why: &str| NoteError::Malformed(why.to_string());
    let mut lines = text.split('\n');
    let origin = lines
        .next()
        .filter(|o| !o.is_empty())
        .ok_or_else(|| malformed("no origin line"))?
        .to_string();
    let size =
        tree_size(lines.next()).ok_or_else(|| malformed("the second line is not the tree size"))?;
    let root = tree_root(lines.next())
        .ok_or_else(|| malformed("the third line is not a base64 SHA-256 root"))?;
    Ok(SignedCheckpoint { origin, size, root })
}

/// A tree size as a note writes it: decimal, no leading zero.
pub(crate) fn tree_size(line: Option<&str>) -> Option<u64> {
    line.filter(|l| l.bytes().all(|b| b.is_ascii_digit()) && (l.len() == 1 || !l.starts_with('0')))
        .and_then(|l| l.parse().ok())
}

/// A tree root as a note writes it: base64 of 32 bytes.
pub(crate) fn tree_root(line: Option<&str>) -> Option<Hash> {
    line.and_then(|l| STANDARD.decode(l).ok())
        .and_then(|r| r.try_into().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_checkpoint_verifies_and_an_altered_one_does_not() {
        let seed = [7u8; 32];
        let root = crate::leaf_hash(b"one report");
        let note = sign_checkpoint("ombud-test", &seed, 1, &root);
        let key = verifier_key("ombud-test", &seed);
        assert_eq!(
            verify_checkpoint(&note, &key),
            Ok(SignedCheckpoint {
                origin: "ombud-test".into(),
                size: 1,
                root
            })
        );
        // A larger size claimed for the same signature is caught.
        let forged = note.replacen("\n1\n", "\n2\n", 1);
        assert_eq!(
            verify_checkpoint(&forged, &key),
            Err(NoteError::BadSignature)
        );
        // Another keeper's key does not vouch for it.
        let other = verifier_key("ombud-test", &[8u8; 32]);
        assert_eq!(
            verify_checkpoint(&note, &other),
            Err(NoteError::NotSignedByKey)
        );
        assert!(matches!(
            verify_checkpoint(&note, "nonsense"),
            Err(NoteError::BadKey(_))
        ));
        assert!(matches!(
            verify_checkpoint("just text", &key),
            Err(NoteError::Malformed(_))
        ));
        // Saved with an extra blank line at the end, it still reads.
        assert!(verify_checkpoint(&format!("{note}\n\n"), &key).is_ok());
    }
}
