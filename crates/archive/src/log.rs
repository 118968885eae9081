//! The archive's append-only Merkle log: the file of leaves (`log/leaves`), checkpoints,
//! inclusion proofs and consistency checks, with the tree logic from `ledger`.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::sync::PoisonError;

use crate::{Archive, ArchiveError, io};

/// One line of the leaves file: 64 hex digits and a newline.
const LINE: u64 = 65;

/// First line of the signing key file.
const KEY_HEADER: &str = "ombud-log-signing-key 1";

/// The log's size and root: written down or published, it pins every document logged so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub size: u64,
    /// The Merkle tree root, 64 hex digits.
    pub root: String,
}

/// Proof that a document is leaf `index` of the log at `checkpoint`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InclusionProof {
    pub sha256: String,
    pub index: u64,
    pub checkpoint: Checkpoint,
    /// The audit path, leaf to root, hex.
    pub path: Vec<String>,
}

impl InclusionProof {
    /// True when the path leads from the document to the checkpoint's root.
    pub fn verify(&self) -> bool {
        let (Some(digest), Some(root)) = (
            ledger::from_hex(&self.sha256),
            ledger::from_hex(&self.checkpoint.root),
        ) else {
            return false;
        };
        let Some(path) = hashes(&self.path) else {
            return false;
        };
        ledger::verify_inclusion(
            self.index,
            self.checkpoint.size,
            &ledger::leaf_hash(&digest),
            &path,
            &root,
        )
    }
}

/// Proof that the log at `new` still holds, unchanged and in order, everything it held at `old`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsistencyProof {
    pub old: Checkpoint,
    pub new: Checkpoint,
    pub path: Vec<String>,
}

impl ConsistencyProof {
    pub fn verify(&self) -> bool {
        let (Some(old), Some(new), Some(path)) = (
            ledger::from_hex(&self.old.root),
            ledger::from_hex(&self.new.root),
            hashes(&self.path),
        ) else {
            return false;
        };
        ledger::verify_consistency(self.old.size, self.new.size, &path, &old, &new)
    }
}

/// Checks a signed checkpoint against a verifier key: the log's name and the checkpoint.
pub fn check_signed_checkpoint(
    note: &str,
    key: &str,
) -> Result<(String, Checkpoint), ledger::NoteError> {
    let signed = ledger::verify_checkpoint(note, key)?;
    Ok((
        signed.origin,
        Checkpoint {
            size: signed.size,
            root: ledger::to_hex(&signed.root),
        },
    ))
}

fn hashes(hex: &[String]) -> Option<Vec<ledger::Hash>> {
    hex.iter().map(|h| ledger::from_hex(h)).collect()
}

fn is_digest(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl Archive {
    fn log_path(&self) -> PathBuf {
        self.root.join("log").join("leaves")
    }

    /// Creates the log of a new archive; an archive from before the log gets its blobs logged
    /// in name order, once.
    pub(crate) fn start_log(&self) -> Result<(), ArchiveError> {
        let path = self.log_path();
        if path.exists() {
            return Ok(());
        }
        let dir = self.root.join("log");
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let mut names: Vec<String> = Vec::new();
        let blobs = self.root.join("sha256");
        for sub in fs::read_dir(&blobs).map_err(io(&blobs))?.flatten() {
            let Ok(files) = fs::read_dir(sub.path()) else {
                continue;
            };
            for f in files.flatten() {
                let name = f.file_name().to_string_lossy().to_string();
                if is_digest(&name) {
                    names.push(name);
                }
            }
        }
        names.sort();
        let tmp = dir.join(format!(".leaves.{}.tmp", std::process::id()));
        let mut file = fs::File::create(&tmp).map_err(io(&tmp))?;
        for n in &names {
            writeln!(file, "{n}").map_err(io(&tmp))?;
        }
        file.sync_all().map_err(io(&tmp))?;
        fs::rename(&tmp, &path).map_err(io(&path))
    }

    /// The digests of the logged documents, in log order. A line cut short by a crash at the end
    /// is not a leaf.
    pub fn log_leaves(&self) -> Result<Vec<String>, ArchiveError> {
        let path = self.log_path();
        let text = fs::read_to_string(&path).map_err(io(&path))?;
        let complete = text.len() - text.len() % LINE as usize;
        let mut out = Vec::with_capacity(complete / LINE as usize);
        for (i, line) in text[..complete].lines().enumerate() {
            if !is_digest(line) {
                return Err(ArchiveError::DamagedLog {
                    path,
                    line: i + 1,
                    problem: format!("{line:?} is not a SHA-256 digest"),
                });
            }
            out.push(line.to_string());
        }
        Ok(out)
    }

    /// Appends `sha256` to the log unless it is there already.
    pub(crate) fn log(&self, sha256: &str) -> Result<(), ArchiveError> {
        let mut guard = self.logged.lock().unwrap_or_else(PoisonError::into_inner);
        let logged = match guard.as_mut() {
            Some(set) => set,
            None => guard.insert(self.log_leaves()?.into_iter().collect::<HashSet<String>>()),
        };
        if logged.contains(sha256) {
            return Ok(());
        }
        let path = self.log_path();
        let mut file = fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        // A line a crash cut short is dropped before the next one is written.
        let len = file.metadata().map_err(io(&path))?.len();
        if len % LINE != 0 {
            file.set_len(len - len % LINE).map_err(io(&path))?;
        }
        file.write_all(format!("{sha256}\n").as_bytes())
            .map_err(io(&path))?;
        file.sync_data().map_err(io(&path))?;
        logged.insert(sha256.to_string());
        Ok(())
    }

    fn leaf_hashes(&self) -> Result<(Vec<String>, Vec<ledger::Hash>), ArchiveError> {
        let leaves = self.log_leaves()?;
        let hashes = leaves
            .iter()
            .map(|d| ledger::leaf_hash(&ledger::from_hex(d).unwrap_or_default()))
            .collect();
        Ok((leaves, hashes))
    }

    fn key_path(&self) -> PathBuf {
        self.root.join("log").join("signing-key")
    }

    /// The log's name and its signing key's seed, made on first use (readable by the owner only).
    fn signing_key(&self) -> Result<(String, [u8; 32]), ArchiveError> {
        let path = self.key_path();
        let damaged = |line: usize, problem: &str| ArchiveError::DamagedLog {
            path: path.clone(),
            line,
            problem: problem.to_string(),
        };
        match fs::read_to_string(&path) {
            Ok(text) => {
                let mut lines = text.lines();
                if lines.next() != Some(KEY_HEADER) {
                    return Err(damaged(1, "not an ombud signing key file"));
                }
                let name = lines
                    .next()
                    .filter(|n| !n.is_empty() && !n.contains([' ', '+']))
                    .ok_or_else(|| damaged(2, "no log name"))?;
                let seed = lines
                    .next()
                    .and_then(ledger::from_hex)
                    .ok_or_else(|| damaged(3, "no 64-hex-digit key"))?;
                Ok((name.to_string(), seed))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|e| ArchiveError::Io {
                    path: path.clone(),
                    source: std::io::Error::other(format!("no randomness for a new key: {e}")),
                })?;
                // The name is the key's own: unique without asking anyone.
                let public = ledger::verifier_key("k", &seed);
                let tag = ledger::to_hex(&ledger::leaf_hash(public.as_bytes()));
                let name = format!("ombud-{}", &tag[..8]);
                let tmp = path.with_extension("tmp");
                let mut options = fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let _ = fs::remove_file(&tmp);
                let mut file = options.open(&tmp).map_err(io(&tmp))?;
                writeln!(file, "{KEY_HEADER}\n{name}\n{}", ledger::to_hex(&seed))
                    .map_err(io(&tmp))?;
                file.sync_all().map_err(io(&tmp))?;
                fs::rename(&tmp, &path).map_err(io(&path))?;
                Ok((name, seed))
            }
            Err(e) => Err(ArchiveError::Io { path, source: e }),
        }
    }

    /// The checkpoint now, signed with the log's key, as a signed note.
    pub fn signed_checkpoint(&self) -> Result<String, ArchiveError> {
        let (name, seed) = self.signing_key()?;
        let (_, hashes) = self.leaf_hashes()?;
        Ok(ledger::sign_checkpoint(
            &name,
            &seed,
            hashes.len() as u64,
            &ledger::root(&hashes),
        ))
    }

    /// The key others verify this log's signed checkpoints with.
    pub fn verifier_key(&self) -> Result<String, ArchiveError> {
        let (name, seed) = self.signing_key()?;
        Ok(ledger::verifier_key(&name, &seed))
    }

    /// The log's checkpoint now.
    pub fn checkpoint(&self) -> Result<Checkpoint, ArchiveError> {
        let (_, hashes) = self.leaf_hashes()?;
        Ok(Checkpoint {
            size: hashes.len() as u64,
            root: ledger::to_hex(&ledger::root(&hashes)),
        })
    }

    /// Proof that the document `sha256` is in the log now.
    pub fn prove(&self, sha256: &str) -> Result<InclusionProof, ArchiveError> {
        let (leaves, hashes) = self.leaf_hashes()?;
        let not_logged = || ArchiveError::NotLogged {
            sha256: sha256.to_string(),
        };
        let index = leaves
            .iter()
            .position(|d| d == sha256)
            .ok_or_else(not_logged)?;
        let path = ledger::inclusion_proof(&hashes, index).ok_or_else(not_logged)?;
        Ok(InclusionProof {
            sha256: sha256.to_string(),
            index: index as u64,
            checkpoint: Checkpoint {
                size: hashes.len() as u64,
                root: ledger::to_hex(&ledger::root(&hashes)),
            },
            path: path.iter().map(ledger::to_hex).collect(),
        })
    }

    /// The proof that the log now extends the log of `old_size` documents; whether it extends
    /// a given old checkpoint is `verify()` with that checkpoint's root in `old`.
    pub fn consistency(&self, old: &Checkpoint) -> Result<ConsistencyProof, ArchiveError> {
        let (_, hashes) = self.leaf_hashes()?;
        let size = hashes.len() as u64;
        let too_short = || ArchiveError::LogTooShort {
            size,
            asked: old.size,
        };
        let n = usize::try_from(old.size).map_err(|_| too_short())?;
        let path = ledger::consistency_proof(&hashes, n).ok_or_else(too_short)?;
        Ok(ConsistencyProof {
            old: old.clone(),
            new: Checkpoint {
                size,
                root: ledger::to_hex(&ledger::root(&hashes)),
            },
            path: path.iter().map(ledger::to_hex).collect(),
        })
    }
}
