//! The archive: raw report bytes stored write-once under their SHA-256, before any processing,
//! so that years later anyone can check no source was altered.
//!
//! Layout (version 1): `<root>/VERSION` holds `ombud-archive 1`; each blob lives at
//! `<root>/sha256/<first two hex digits>/<all 64 hex digits>`. Blobs are written to a temporary
//! file, synced, then renamed into place, so a crash never leaves a partial blob under a hash.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

const VERSION_LINE: &str = "ombud-archive 1";

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: this archive is {found:?}, but this ombud reads {VERSION_LINE:?}: use a matching ombud version", path.display())]
    Version { path: PathBuf, found: String },
    #[error("{sha256:?} is not a SHA-256 hex digest")]
    BadDigest { sha256: String },
    #[error("no archived document has hash {sha256}")]
    Missing { sha256: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The SHA-256 of `bytes` as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}

/// What `put` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub sha256: String,
    pub size: u64,
    /// False when the same bytes were already archived.
    pub new: bool,
}

/// A content-addressed archive in a directory.
#[derive(Clone, Debug)]
pub struct Archive {
    root: PathBuf,
}

impl Archive {
    /// Opens the archive at `root`, creating it if needed; refuses an archive of another version.
    pub fn open(root: &Path) -> Result<Archive, ArchiveError> {
        fs::create_dir_all(root.join("sha256")).map_err(io(root))?;
        let version = root.join("VERSION");
        match fs::read_to_string(&version) {
            Ok(found) if found.trim() == VERSION_LINE => {}
            Ok(found) => {
                return Err(ArchiveError::Version {
                    path: version,
                    found: found.trim().to_string(),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::write(&version, format!("{VERSION_LINE}\n")).map_err(io(&version))?;
            }
            Err(e) => {
                return Err(ArchiveError::Io {
                    path: version,
                    source: e,
                });
            }
        }
        Ok(Archive {
            root: root.to_path_buf(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the blob with this digest lives.
    pub fn path_of(&self, sha256: &str) -> Result<PathBuf, ArchiveError> {
        if sha256.len() != 64
            || !sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return Err(ArchiveError::BadDigest {
                sha256: sha256.to_string(),
            });
        }
        Ok(self.root.join("sha256").join(&sha256[..2]).join(sha256))
    }

    /// Stores `bytes` under their hash; storing the same bytes again changes nothing.
    pub fn put(&self, bytes: &[u8]) -> Result<Stored, ArchiveError> {
        let sha256 = sha256_hex(bytes);
        let path = self.path_of(&sha256)?;
        let size = bytes.len() as u64;
        if fs::metadata(&path).is_ok_and(|m| m.len() == size) {
            return Ok(Stored {
                sha256,
                size,
                new: false,
            });
        }
        let dir = path.parent().unwrap_or(&self.root);
        fs::create_dir_all(dir).map_err(io(dir))?;
        let tmp = dir.join(format!(".{sha256}.{}.tmp", std::process::id()));
        let mut file = fs::File::create(&tmp).map_err(io(&tmp))?;
        file.write_all(bytes).map_err(io(&tmp))?;
        file.sync_all().map_err(io(&tmp))?;
        drop(file);
        fs::rename(&tmp, &path).map_err(io(&path))?;
        // Make the rename itself durable.
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(Stored {
            sha256,
            size,
            new: true,
        })
    }

    /// The archived bytes with this digest.
    pub fn get(&self, sha256: &str) -> Result<Vec<u8>, ArchiveError> {
        let path = self.path_of(sha256)?;
        fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ArchiveError::Missing {
                sha256: sha256.to_string(),
            },
            _ => ArchiveError::Io { path, source: e },
        })
    }

    /// True when the blob exists and still hashes to its name.
    pub fn verify(&self, sha256: &str) -> Result<bool, ArchiveError> {
        Ok(sha256_hex(&self.get(sha256)?) == sha256)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_once_and_verifies() {
        let dir = std::env::temp_dir().join(format!("ombud-archive-test-{}", std::process::id()));
        let archive = Archive::open(&dir).unwrap();
        let a = archive.put(b"report").unwrap();
        assert!(a.new);
        assert_eq!(a.sha256, sha256_hex(b"report"));
        assert!(!archive.put(b"report").unwrap().new);
        assert_eq!(archive.get(&a.sha256).unwrap(), b"report");
        assert!(archive.verify(&a.sha256).unwrap());
        fs::write(archive.path_of(&a.sha256).unwrap(), b"altered").unwrap();
        assert!(!archive.verify(&a.sha256).unwrap());
        assert!(matches!(
            archive.get(&"0".repeat(64)),
            Err(ArchiveError::Missing { .. })
        ));
        fs::write(dir.join("VERSION"), "ombud-archive 9\n").unwrap();
        assert!(matches!(
            Archive::open(&dir),
            Err(ArchiveError::Version { .. })
        ));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn hashes_match_known_vectors() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
