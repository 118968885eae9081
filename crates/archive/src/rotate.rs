//! Rotating the log's signing key: the new key is announced in the log itself by a statement
//! the old key signs (`ledger::sign_rotation`), so whoever holds the old verifier key can come to
//! trust the new one with nothing but the log.
//!
//! Files beside the key: `log-key-rotations` lists the SHA-256 of each statement, oldest first
//! (header `ombud-log-key-rotations 1`); `<key>.next` holds the new key while a rotation is under
//! way. Order: the new key is written to `.next`, the statement's digest is listed, the statement
//! is archived and logged, then `.next` replaces the key. A rotation a crash interrupted is
//! finished (the statement was logged) or undone (it was not) the next time the key is read.

use std::fs;
use std::path::PathBuf;

use crate::{Archive, ArchiveError, io, sync_dir, write_atomic};

const ROTATIONS_HEADER: &str = "ombud-log-key-rotations 1";

/// A rotation done: the statement (a signed note), its digest (a leaf of the log), the keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRotated {
    pub statement: String,
    pub sha256: String,
    pub old_key: String,
    pub new_key: String,
    /// The checkpoint the new key signed, the statement in it.
    pub signed: String,
}

/// One link of the chain of keys: the statement's digest and what it says.
pub type KeyLink = (String, ledger::Rotation);

impl Archive {
    fn rotations_path(&self) -> PathBuf {
        self.key_path().with_file_name("log-key-rotations")
    }

    fn next_key_path(&self) -> PathBuf {
        let mut p = self.key_path().into_os_string();
        p.push(".next");
        PathBuf::from(p)
    }

    /// The digests the rotations file lists, oldest first.
    fn rotation_digests(&self) -> Result<Vec<String>, ArchiveError> {
        let path = self.rotations_path();
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&path)(e)),
        };
        let mut lines = text.lines();
        if lines.next() != Some(ROTATIONS_HEADER) {
            return Err(ArchiveError::DamagedLog {
                path,
                line: 1,
                problem: format!("its first line is not {ROTATIONS_HEADER:?}"),
            });
        }
        let mut out = Vec::new();
        for (i, line) in lines.enumerate() {
            if line.len() != 64 || !line.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(ArchiveError::DamagedLog {
                    path,
                    line: i + 2,
                    problem: format!("{line:?} is not a SHA-256 digest"),
                });
            }
            out.push(line.to_string());
        }
        Ok(out)
    }

    fn write_rotations(&self, digests: &[String]) -> Result<(), ArchiveError> {
        let mut text = format!("{ROTATIONS_HEADER}\n");
        for d in digests {
            text.push_str(d);
            text.push('\n');
        }
        write_atomic(&self.rotations_path(), text.as_bytes())
    }

    /// Replaces the signing key with a new one, announced in the log by a statement the old key
    /// signs. The old key signs the tree as it stands first (its last word), the new key signs
    /// the tree with the statement in it; the old key's seed is gone afterwards.
    pub fn rotate_key(&self) -> Result<KeyRotated, ArchiveError> {
        self.finish_rotation()?;
        let (name, old_seed) = self.signing_key()?;
        self.refuse_fork()?;
        let (_, hashes) = self.leaf_hashes()?;
        self.sign_tree(&name, &old_seed, &hashes)?;
        let mut new_seed = [0u8; 32];
        getrandom::fill(&mut new_seed).map_err(|e| ArchiveError::Io {
            path: self.key_path(),
            source: std::io::Error::other(format!("no randomness for a new key: {e}")),
        })?;
        let dir = self
            .key_path()
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default();
        let tmp = crate::log::write_key_file(&dir, &name, &new_seed)?;
        let next = self.next_key_path();
        fs::rename(&tmp, &next).map_err(io(&next))?;
        sync_dir(&dir);
        let root = ledger::root(&hashes);
        let statement =
            ledger::sign_rotation(&name, &old_seed, &new_seed, hashes.len() as u64, &root);
        let sha256 = crate::sha256_hex(statement.as_bytes());
        let mut listed = self.rotation_digests()?;
        listed.push(sha256.clone());
        self.write_rotations(&listed)?;
        self.put(statement.as_bytes())?;
        let key = self.key_path();
        fs::rename(&next, &key).map_err(io(&key))?;
        sync_dir(&dir);
        let (_, hashes) = self.leaf_hashes()?;
        let signed = self.sign_tree(&name, &new_seed, &hashes)?;
        Ok(KeyRotated {
            statement,
            sha256,
            old_key: ledger::verifier_key(&name, &old_seed),
            new_key: ledger::verifier_key(&name, &new_seed),
            signed,
        })
    }

    /// Finishes or undoes a rotation a crash interrupted (a `.next` key left beside the key).
    pub(crate) fn finish_rotation(&self) -> Result<(), ArchiveError> {
        let next = self.next_key_path();
        if !next.exists() {
            return Ok(());
        }
        let mut listed = self.rotation_digests()?;
        let logged = match listed.last() {
            Some(d) => self.leaf_index(d)?.is_some(),
            None => false,
        };
        let key = self.key_path();
        if logged {
            fs::rename(&next, &key).map_err(io(&key))?;
        } else {
            if listed
                .last()
                .is_some_and(|d| self.path_of(d).is_ok_and(|p| !p.exists()))
            {
                listed.pop();
                self.write_rotations(&listed)?;
            }
            fs::remove_file(&next).map_err(io(&next))?;
        }
        if let Some(dir) = key.parent() {
            sync_dir(dir);
        }
        Ok(())
    }

    /// The chain of keys this log was signed with: each rotation statement, checked to be in the
    /// archive and the log, signed by the key before it, and announcing the key after it; the
    /// last announces the key the log signs with now. Empty when the key never changed.
    pub fn key_chain(&self) -> Result<Vec<KeyLink>, ArchiveError> {
        let path = self.rotations_path();
        // Read, never made: a copy handed over without its key is checked as far as it goes.
        let current = if self.key_path().exists() {
            Some(self.verifier_key()?)
        } else {
            None
        };
        let mut chain: Vec<KeyLink> = Vec::new();
        for (i, sha) in self.rotation_digests()?.into_iter().enumerate() {
            let broken = |problem: String| ArchiveError::DamagedLog {
                path: path.clone(),
                line: i + 2,
                problem,
            };
            if self.leaf_index(&sha)?.is_none() {
                return Err(broken(format!("the rotation {sha} is not in the log")));
            }
            let bytes = self.get(&sha)?;
            if crate::sha256_hex(&bytes) != sha {
                return Err(broken(format!("the rotation {sha} was altered")));
            }
            let note = String::from_utf8_lossy(&bytes);
            let old = match chain.last() {
                Some((_, r)) => r.new_key.clone(),
                None => old_key_of(&note)
                    .ok_or_else(|| broken(format!("{sha} is not a key rotation statement")))?,
            };
            let rotation = ledger::verify_rotation(&note, &old).map_err(|e| {
                broken(format!(
                    "the rotation {sha} is not signed by the key before it: {e}"
                ))
            })?;
            chain.push((sha, rotation));
        }
        if let (Some((sha, last)), Some(current)) = (chain.last(), &current)
            && &last.new_key != current
        {
            return Err(ArchiveError::DamagedLog {
                path,
                line: chain.len() + 1,
                problem: format!(
                    "the last rotation ({sha}) announces another key than the one the log signs with"
                ),
            });
        }
        Ok(chain)
    }

    /// The rotations that lead from `given` (a verifier key this log once signed with) to the
    /// key it signs with now: empty when `given` is the current key, `None` when this log never
    /// signed with it.
    pub fn rotations_from(&self, given: &str) -> Result<Option<Vec<KeyLink>>, ArchiveError> {
        let given = given.trim();
        let chain = self.key_chain()?;
        if self.verifier_key()? == given {
            return Ok(Some(Vec::new()));
        }
        Ok(chain
            .iter()
            .position(|(_, r)| r.old_key == given)
            .map(|i| chain[i..].to_vec()))
    }
}

/// The key a rotation statement says it retires (unchecked: `verify_rotation` checks it).
fn old_key_of(note: &str) -> Option<String> {
    if !ledger::is_rotation(note.as_bytes()) {
        return None;
    }
    note.lines()
        .nth(2)
        .and_then(|l| l.strip_prefix("old "))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::Archive;

    fn fresh(tag: &str) -> (std::path::PathBuf, Archive) {
        let dir = std::env::temp_dir().join(format!("ombud-rotate-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let archive = Archive::open(&dir.join("archive"))
            .unwrap()
            .with_signing_key(dir.join("keys").join("log-signing-key"));
        (dir, archive)
    }

    #[test]
    fn a_rotated_key_is_announced_in_the_log_by_the_old_one() {
        let (dir, archive) = fresh("chain");
        archive.put(b"a report").unwrap();
        let first = archive.verifier_key().unwrap();
        let old_note = archive.signed_checkpoint().unwrap();
        assert!(archive.key_chain().unwrap().is_empty());
        let r = archive.rotate_key().unwrap();
        assert_eq!(r.old_key, first);
        assert_eq!(archive.verifier_key().unwrap(), r.new_key);
        assert!(
            archive.leaf_index(&r.sha256).unwrap().is_some(),
            "the statement is a leaf"
        );
        let signed = ledger::verify_checkpoint(&r.signed, &r.new_key).unwrap();
        assert_eq!(
            signed.size, 2,
            "the new key signs the tree with the statement in it"
        );
        assert!(ledger::verify_checkpoint(&old_note, &r.new_key).is_err());
        let chain = archive.key_chain().unwrap();
        assert_eq!(chain.len(), 1);
        assert_eq!(
            (chain[0].1.size, chain[0].1.old_key.as_str()),
            (1, first.as_str())
        );
        // A second rotation chains on; the first key reaches the current one through both.
        let again = archive.rotate_key().unwrap();
        assert_eq!(again.old_key, r.new_key);
        assert_eq!(archive.rotations_from(&first).unwrap().unwrap().len(), 2);
        assert_eq!(
            archive.rotations_from(&r.new_key).unwrap().unwrap().len(),
            1
        );
        assert!(
            archive
                .rotations_from(&again.new_key)
                .unwrap()
                .unwrap()
                .is_empty()
        );
        let stranger = ledger::verifier_key("ombud-other", &[5; 32]);
        assert!(archive.rotations_from(&stranger).unwrap().is_none());
        // The log still extends what the first key signed.
        assert!(archive.check_signed_history().is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_rotation_cut_short_before_its_statement_is_logged_is_undone() {
        let (dir, archive) = fresh("crash");
        archive.put(b"a report").unwrap();
        let key = archive.verifier_key().unwrap();
        // Cut before the statement was logged: a next key and a listed digest with no blob.
        let keys = dir.join("keys");
        std::fs::copy(
            keys.join("log-signing-key"),
            keys.join("log-signing-key.next"),
        )
        .unwrap();
        archive.write_rotations(&["ab".repeat(32)]).unwrap();
        assert_eq!(archive.verifier_key().unwrap(), key);
        assert!(!keys.join("log-signing-key.next").exists());
        assert!(archive.rotation_digests().unwrap().is_empty());
        assert!(archive.key_chain().unwrap().is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
