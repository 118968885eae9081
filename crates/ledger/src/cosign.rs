//! Witness cosignatures of checkpoints, as C2SP tlog-cosignature (v1, Ed25519) defines them: a
//! witness that has checked a log's checkpoint is consistent with the last one it saw adds a
//! signature line to the note. The line is `— <witness name> base64(key id || timestamp ||
//! signature)`, where the key id is the start of SHA-256(name, newline, 0x04, public key), the
//! timestamp is 8 bytes big-endian (seconds since the epoch), and the signature is over
//! `cosignature/v1`, `time <timestamp>` and the checkpoint's text, each line ending in a newline.
//! Witness verifier keys are `name+key id+base64(0x04 || public key)`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::note::{NoteError, key_id_of, parse_verifier_of, split_note};

/// The algorithm byte of cosignature/v1 keys.
const COSIGNATURE_V1: u8 = 0x04;

fn signed_message(text: &str, timestamp: u64) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{text}")
}

/// The verifier key of a witness's signing key `seed` under `name`.
pub fn witness_verifier_key(name: &str, seed: &[u8; 32]) -> String {
    let public = SigningKey::from_bytes(seed).verifying_key().to_bytes();
    let mut key = vec![COSIGNATURE_V1];
    key.extend_from_slice(&public);
    format!(
        "{name}+{}+{}",
        crate::to_hex_bytes(&key_id_of(COSIGNATURE_V1, name, &public)),
        STANDARD.encode(key)
    )
}

/// `note` with the witness's cosignature added at `timestamp`. The caller has checked the
/// note's own signature and its consistency with what the witness saw before.
pub fn cosign(
    note: &str,
    name: &str,
    seed: &[u8; 32],
    timestamp: u64,
) -> Result<String, NoteError> {
    if timestamp > i64::MAX as u64 {
        return Err(NoteError::Malformed("a timestamp past 2^63 - 1".into()));
    }
    let (text, signatures) = split_note(note)?;
    let key = SigningKey::from_bytes(seed);
    let signature: Signature = key.sign(signed_message(&text, timestamp).as_bytes());
    let mut blob = key_id_of(COSIGNATURE_V1, name, &key.verifying_key().to_bytes()).to_vec();
    blob.extend_from_slice(&timestamp.to_be_bytes());
    blob.extend_from_slice(&signature.to_bytes());
    Ok(format!(
        "{text}\n{signatures}\u{2014} {name} {}\n",
        STANDARD.encode(blob)
    ))
}

/// The time of the witness `witness`'s cosignature of `note`: `Ok(None)` when it has none,
/// an error when its line is there but does not verify.
pub fn cosignature_time(note: &str, witness: &str) -> Result<Option<u64>, NoteError> {
    let (name, public, id) = parse_verifier_of(COSIGNATURE_V1, witness)?;
    let verifying = VerifyingKey::from_bytes(&public)
        .map_err(|_| NoteError::BadKey("not a valid Ed25519 public key".into()))?;
    let (text, signatures) = split_note(note)?;
    for line in signatures.lines() {
        let Some((signer, blob64)) = line
            .strip_prefix("\u{2014} ")
            .and_then(|rest| rest.rsplit_once(' '))
        else {
            continue;
        };
        let Ok(blob) = STANDARD.decode(blob64) else {
            continue;
        };
        if signer != name || blob.len() != 4 + 8 + 64 || blob[..4] != id {
            continue;
        }
        let mut ts = [0u8; 8];
        ts.copy_from_slice(&blob[4..12]);
        let timestamp = u64::from_be_bytes(ts);
        let signature = Signature::from_slice(&blob[12..]).map_err(|_| NoteError::BadSignature)?;
        verifying
            .verify_strict(signed_message(&text, timestamp).as_bytes(), &signature)
            .map_err(|_| NoteError::BadSignature)?;
        return Ok(Some(timestamp));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cosignature_verifies_and_survives_the_logs_own_check() {
        let log_seed = [3u8; 32];
        let root = crate::leaf_hash(b"r");
        let note = crate::sign_checkpoint("ombud-log", &log_seed, 4, &root);
        let seed = [9u8; 32];
        let witness = witness_verifier_key("witness.example/w1", &seed);
        assert!(witness.contains("+"));
        assert_eq!(cosignature_time(&note, &witness), Ok(None));
        let cosigned = cosign(&note, "witness.example/w1", &seed, 1_700_000_000).unwrap();
        assert_eq!(
            cosignature_time(&cosigned, &witness),
            Ok(Some(1_700_000_000))
        );
        // The log's signature still checks with the cosignature beside it.
        let log_key = crate::verifier_key("ombud-log", &log_seed);
        assert!(crate::verify_checkpoint(&cosigned, &log_key).is_ok());
        // Another witness's key finds no cosignature; an altered checkpoint fails.
        let other = witness_verifier_key("witness.example/w2", &[8u8; 32]);
        assert_eq!(cosignature_time(&cosigned, &other), Ok(None));
        let altered = cosigned.replacen("\n4\n", "\n5\n", 1);
        assert_eq!(
            cosignature_time(&altered, &witness),
            Err(NoteError::BadSignature)
        );
        // A note signature key is not a cosigner key.
        assert!(cosignature_time(&cosigned, &log_key).is_err());
    }
}
