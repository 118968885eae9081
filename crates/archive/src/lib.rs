//! The archive: raw report bytes stored write-once under their SHA-256, before any processing,
//! so that years later anyone can check no source was altered.
//!
//! Layout (version 1): `<root>/VERSION` holds `ombud-archive 1`; each blob lives at
//! `<root>/sha256/<first two hex digits>/<all 64 hex digits>`. Blobs are written to a temporary
//! file, synced, then renamed into place, so a crash never leaves a partial blob under a hash.
//!
//! Every blob is also a leaf of the append-only Merkle log (`ledger`): `<root>/log/leaves` holds
//! the documents' SHA-256 digests in the order they were archived, one per line, appended and
//! synced after the blob is durable, under a lock that processes share. A blob archived before a
//! crash cut its line short is logged the next time its bytes are stored, and `unlogged()` finds
//! any such blob meanwhile.
//!
//! Many blobs at a time (group commit): `stage` writes a blob in place without waiting for the
//! disk, and `commit` then makes every staged blob durable with one sync of the file system and
//! appends their leaves with one write and one sync. Nothing is logged before it is durable.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

mod hashes;
mod log;
mod quarantine;
mod rotate;
mod witness;

pub use ledger::{NoteError, TILE_HEIGHT, TILE_WIDTH, TileRef};
pub use log::{Checkpoint, ConsistencyProof, InclusionProof, check_signed_checkpoint, read_leaves};
pub use quarantine::Quarantined;
pub use rotate::{KeyLink, KeyRotated};
pub use witness::{Witness, WitnessError};

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
    #[error("{}:{line}: the log is damaged ({problem}); restore it from a backup", path.display())]
    DamagedLog {
        path: PathBuf,
        line: usize,
        problem: String,
    },
    #[error("document {sha256} is not in the log")]
    NotLogged { sha256: String },
    #[error(
        "the log holds {size} documents, fewer than the checkpoint's {asked}: documents were removed or the log was rolled back, or the checkpoint is not this log's"
    )]
    LogTooShort { size: u64, asked: u64 },
    #[error("{}: the log's leaves are missing although this archive had a log; restore archive/log from a backup (ombud never rebuilds a history it cannot know)", path.display())]
    MissingLog { path: PathBuf },
    #[error(
        "refusing to sign: the log no longer extends the checkpoint it signed last (size {size}, root {root}); it was rewritten or rolled back: restore it from a backup"
    )]
    WouldFork { size: u64, root: String },
    #[error(
        "the log no longer extends the checkpoint its key signed last, as {} records it (size {size}, root {root}): the log was rewritten, rolled back or rebuilt since (restore archive/log from a backup), or that record was edited (compare it with a checkpoint you published)", record.display()
    )]
    Forked {
        size: u64,
        root: String,
        record: PathBuf,
    },
}

/// Makes temporary file names unique within the process (threads may store the same bytes).
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary file name in `dir` that no other thread or process uses.
fn temp_in(dir: &Path, stem: &str) -> PathBuf {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{stem}.{}.{n}.tmp", std::process::id()))
}

/// The process id in a temporary file's name (`.stem.PID.N.tmp`), if it is one of ours.
fn temp_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let mut parts = rest.rsplitn(3, '.');
    let _n: u64 = parts.next()?.parse().ok()?;
    parts.next()?.parse().ok()
}

/// True unless the process is known to be gone (where the system says: Linux's /proc).
fn may_be_running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

/// Makes a rename or a new file in `dir` durable.
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes `contents` to `path` all at once: a temporary file, synced, renamed into place.
fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), ArchiveError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = temp_in(dir, "write");
    let mut file = fs::File::create(&tmp).map_err(io(&tmp))?;
    file.write_all(contents).map_err(io(&tmp))?;
    file.sync_all().map_err(io(&tmp))?;
    drop(file);
    fs::rename(&tmp, path).map_err(io(path))?;
    sync_dir(dir);
    Ok(())
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
    /// Blob files written since the last `commit` (synced one by one where the file system
    /// cannot be synced at once).
    staged: Arc<Mutex<Vec<PathBuf>>>,
    /// The digests the log holds as far as this process has read it, read on first use.
    logged: Arc<Mutex<Option<log::Known>>>,
    /// Where the log's signing key lives: outside the archive when the caller says so, so that
    /// a copy of the archive handed over for checking does not carry the key.
    key_path: PathBuf,
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
                write_atomic(&version, format!("{VERSION_LINE}\n").as_bytes())?;
            }
            Err(e) => {
                return Err(ArchiveError::Io {
                    path: version,
                    source: e,
                });
            }
        }
        let archive = Archive {
            root: root.to_path_buf(),
            staged: Arc::new(Mutex::new(Vec::new())),
            logged: Arc::new(Mutex::new(None)),
            key_path: root.join("log").join("signing-key"),
        };
        archive.start_log()?;
        Ok(archive)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Keeps the log's signing key at `path` instead of inside the archive.
    pub fn with_signing_key(mut self, path: PathBuf) -> Archive {
        self.key_path = path;
        self
    }

    /// Temporary files a write left when its process was killed before it renamed them into
    /// place (`.<sha or stem>.<pid>.<n>.tmp` in the archive and its blob folders): never part of
    /// the record, and removed by `clean_leftovers` once their process is gone.
    pub fn leftovers(&self) -> Result<Vec<PathBuf>, ArchiveError> {
        let mut out = Vec::new();
        let blobs = self.root.join("sha256");
        let mut dirs = vec![self.root.clone(), blobs.clone()];
        let quarantine = self.root.join("quarantine");
        if quarantine.is_dir() {
            dirs.push(quarantine);
        }
        for sub in fs::read_dir(&blobs).map_err(io(&blobs))? {
            let sub = sub.map_err(io(&blobs))?.path();
            if sub.is_dir() {
                dirs.push(sub);
            }
        }
        for d in dirs {
            for f in fs::read_dir(&d).map_err(io(&d))? {
                let f = f.map_err(io(&d))?;
                let name = f.file_name().to_string_lossy().to_string();
                if temp_owner(&name).is_some() {
                    out.push(f.path());
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Removes the leftovers of writes whose process is gone (a writer still running keeps
    /// its own); returns how many went.
    pub fn clean_leftovers(&self) -> Result<usize, ArchiveError> {
        let mut n = 0;
        for path in self.leftovers()? {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let Some(pid) = temp_owner(&name) else {
                continue;
            };
            if pid != std::process::id() && !may_be_running(pid) {
                let removed = if path.is_dir() {
                    fs::remove_dir_all(&path)
                } else {
                    fs::remove_file(&path)
                };
                if removed.is_ok() {
                    n += 1;
                }
            }
        }
        Ok(n)
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

    /// Stores `bytes` under their hash, durably, and logs them; storing the same bytes again
    /// changes nothing.
    pub fn put(&self, bytes: &[u8]) -> Result<Stored, ArchiveError> {
        let stored = self.stage(bytes)?;
        self.commit(std::slice::from_ref(&stored.sha256))?;
        Ok(stored)
    }

    /// Writes `bytes` under their hash without waiting for the disk and without logging them:
    /// `commit` does both for many blobs at once. A file already there is kept when it holds
    /// these bytes, and replaced when a crash left it short or wrong.
    pub fn stage(&self, bytes: &[u8]) -> Result<Stored, ArchiveError> {
        let sha256 = sha256_hex(bytes);
        let path = self.path_of(&sha256)?;
        let size = bytes.len() as u64;
        if fs::metadata(&path).is_ok_and(|m| m.len() == size)
            && (self.is_logged(&sha256) || fs::read(&path).is_ok_and(|b| b == bytes))
        {
            return Ok(Stored {
                sha256,
                size,
                new: false,
            });
        }
        let dir = path.parent().unwrap_or(&self.root);
        fs::create_dir_all(dir).map_err(io(dir))?;
        let tmp = temp_in(dir, &sha256);
        let mut file = fs::File::create(&tmp).map_err(io(&tmp))?;
        file.write_all(bytes).map_err(io(&tmp))?;
        drop(file);
        fs::rename(&tmp, &path).map_err(io(&path))?;
        self.staged
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(path);
        Ok(Stored {
            sha256,
            size,
            new: true,
        })
    }

    /// Starts staging a blob written piece by piece (an input too large to hold in memory),
    /// hashed as it is written.
    pub fn stage_writer(&self) -> Result<BlobWriter, ArchiveError> {
        let tmp = temp_in(&self.root, "stream");
        let file = fs::File::create(&tmp).map_err(io(&tmp))?;
        Ok(BlobWriter {
            archive: self.clone(),
            file: std::io::BufWriter::new(file),
            tmp,
            hasher: Sha256::new(),
            size: 0,
            finished: false,
        })
    }

    /// Makes every staged blob durable, then logs `leaves` (blob digests, in this order; those
    /// logged already are left where they are).
    pub fn commit(&self, leaves: &[String]) -> Result<(), ArchiveError> {
        let staged: Vec<PathBuf> = std::mem::take(
            &mut *self
                .staged
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        if !staged.is_empty() {
            self.sync_staged(&staged)?;
        }
        self.log_all(leaves)
    }

    #[cfg(target_os = "linux")]
    fn sync_staged(&self, _staged: &[PathBuf]) -> Result<(), ArchiveError> {
        // One call syncs every file and directory entry the batch wrote.
        let root = fs::File::open(&self.root).map_err(io(&self.root))?;
        rustix::fs::syncfs(&root).map_err(|e| ArchiveError::Io {
            path: self.root.clone(),
            source: e.into(),
        })
    }

    #[cfg(not(target_os = "linux"))]
    fn sync_staged(&self, staged: &[PathBuf]) -> Result<(), ArchiveError> {
        let mut dirs: Vec<&Path> = Vec::new();
        for path in staged {
            fs::File::open(path)
                .and_then(|f| f.sync_all())
                .map_err(io(path))?;
            if let Some(dir) = path.parent() {
                if !dirs.contains(&dir) {
                    dirs.push(dir);
                }
            }
        }
        for dir in dirs {
            sync_dir(dir);
        }
        Ok(())
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

    /// Removes a logged blob's bytes for good (a source withdrawn for someone's safety): its leaf
    /// stays in the log, so every checkpoint still proves; only the bytes go. False when they
    /// were gone already.
    pub fn withdraw(&self, sha256: &str) -> Result<bool, ArchiveError> {
        let path = self.path_of(sha256)?;
        match fs::remove_file(&path) {
            Ok(()) => {
                if let Some(dir) = path.parent() {
                    sync_dir(dir);
                }
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io(&path)(e)),
        }
    }

    /// True when the blob exists and still hashes to its name.
    /// Streams the bytes through the hash, so a large blob costs no more memory than a small one.
    pub fn verify(&self, sha256: &str) -> Result<bool, ArchiveError> {
        let path = self.path_of(sha256)?;
        let mut file = fs::File::open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ArchiveError::Missing {
                sha256: sha256.to_string(),
            },
            _ => ArchiveError::Io {
                path: path.clone(),
                source: e,
            },
        })?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = std::io::Read::read(&mut file, &mut buf).map_err(io(&path))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        let digest = hasher.finalize();
        let mut hex = String::with_capacity(64);
        for b in digest.iter() {
            hex.push_str(&format!("{b:02x}"));
        }
        Ok(hex == sha256)
    }
}

/// A blob being written piece by piece: `finish` names it by its hash.
#[derive(Debug)]
pub struct BlobWriter {
    archive: Archive,
    file: std::io::BufWriter<fs::File>,
    tmp: PathBuf,
    hasher: Sha256,
    size: u64,
    finished: bool,
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        // Given up before `finish` (an input too large, a read error): leave no temporary file.
        if !self.finished {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

impl Write for BlobWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl BlobWriter {
    /// Flushes what was written and gives its digest and size.
    fn digest(&mut self) -> Result<(String, u64), ArchiveError> {
        self.file.flush().map_err(io(&self.tmp))?;
        let digest = std::mem::replace(&mut self.hasher, Sha256::new()).finalize();
        let mut sha256 = String::with_capacity(64);
        for b in digest.iter() {
            sha256.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            sha256.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
        }
        Ok((sha256, self.size))
    }

    /// Moves the written bytes under their hash (staged: `Archive::commit` makes them durable).
    pub fn finish(mut self) -> Result<Stored, ArchiveError> {
        let (sha256, _) = self.digest()?;
        let path = self.archive.path_of(&sha256)?;
        let new = !fs::metadata(&path).is_ok_and(|m| m.len() == self.size);
        if new {
            let dir = path.parent().unwrap_or(&self.archive.root);
            fs::create_dir_all(dir).map_err(io(dir))?;
            fs::rename(&self.tmp, &path).map_err(io(&path))?;
            self.archive
                .staged
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(path);
        } else {
            let _ = fs::remove_file(&self.tmp);
        }
        self.finished = true;
        Ok(Stored {
            sha256,
            size: self.size,
            new,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staged_blobs_are_logged_only_when_committed() {
        let dir = std::env::temp_dir().join(format!("ombud-archive-stage-{}", std::process::id()));
        let archive = Archive::open(&dir).unwrap();
        let a = archive.stage(b"report a").unwrap();
        let b = archive.stage(b"report b").unwrap();
        assert!(a.new && b.new);
        assert!(
            archive.log_leaves().unwrap().is_empty(),
            "nothing logged before commit"
        );
        assert_eq!(archive.unlogged().unwrap().len(), 2);
        archive
            .commit(&[b.sha256.clone(), a.sha256.clone(), b.sha256.clone()])
            .unwrap();
        assert_eq!(
            archive.log_leaves().unwrap(),
            vec![b.sha256.clone(), a.sha256.clone()]
        );
        // A blob a crash left wrong (same length, other bytes) is written again.
        let c_path = archive.path_of(&sha256_hex(b"report c")).unwrap();
        fs::create_dir_all(c_path.parent().unwrap()).unwrap();
        fs::write(&c_path, b"report x").unwrap();
        assert!(archive.stage(b"report c").unwrap().new);
        assert_eq!(fs::read(&c_path).unwrap(), b"report c");
        // A streamed blob gets the same name as the same bytes put at once.
        let mut w = archive.stage_writer().unwrap();
        w.write_all(b"report ").unwrap();
        w.write_all(b"d").unwrap();
        let d = w.finish().unwrap();
        assert_eq!(d.sha256, sha256_hex(b"report d"));
        assert_eq!(archive.get(&d.sha256).unwrap(), b"report d");
        fs::remove_dir_all(&dir).unwrap();
    }

    /// The root and proofs the whole log gives, re-hashing every leaf: what the stored tree
    /// hashes must agree with.
    fn from_scratch(archive: &Archive) -> (Vec<String>, Vec<ledger::Hash>) {
        let leaves = archive.log_leaves().unwrap();
        let hashes = leaves
            .iter()
            .map(|d| ledger::leaf_hash(&ledger::from_hex(d).unwrap()))
            .collect();
        (leaves, hashes)
    }

    #[test]
    fn stored_tree_hashes_give_the_roots_and_proofs_of_the_whole_log() {
        let dir = std::env::temp_dir().join(format!("ombud-archive-hashes-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let archive = Archive::open(&dir).unwrap();
        let mut checkpoints = Vec::new();
        // Groups of uneven sizes, as ingest commits them.
        let mut n = 0;
        for group in [1usize, 2, 3, 250, 7, 300, 1] {
            let shas: Vec<String> = (0..group)
                .map(|_| {
                    n += 1;
                    archive
                        .stage(format!("report {n}").as_bytes())
                        .unwrap()
                        .sha256
                })
                .collect();
            archive.commit(&shas).unwrap();
            let (leaves, hashes) = from_scratch(&archive);
            let cp = archive.checkpoint().unwrap();
            assert_eq!(cp.size as usize, leaves.len());
            assert_eq!(cp.root, ledger::to_hex(&ledger::root(&hashes)));
            for i in [0, leaves.len() / 2, leaves.len() - 1] {
                let proof = archive.prove(&leaves[i]).unwrap();
                let want = ledger::inclusion_proof(&hashes, i).unwrap();
                assert_eq!(
                    proof.path,
                    want.iter().map(ledger::to_hex).collect::<Vec<_>>()
                );
                assert!(proof.verify());
            }
            for old in &checkpoints {
                assert!(archive.consistency(old).unwrap().verify());
                let served = archive.consistency_from_hashes(old.size).unwrap();
                assert_eq!(&served.old, old);
                assert!(served.verify());
            }
            checkpoints.push(cp);
        }
        assert_eq!(archive.check_hashes().unwrap(), None);
        // Tiles: the first full level-0 tile is the first 256 leaf hashes.
        let (_, hashes) = from_scratch(&archive);
        let tile = archive.tile(0, 0, 256).unwrap().unwrap();
        assert_eq!(tile, hashes[..256].concat());
        assert!(
            archive.tile(1, 0, 1).unwrap().is_some(),
            "{} leaves",
            hashes.len()
        );
        assert_eq!(archive.tile(1, 0, 3).unwrap(), None);
        let bundle = archive.entries(2, 52).unwrap().unwrap();
        assert_eq!(bundle.len(), 52 * 34);

        // An edited hash is named by the check; the tree still proves from the leaves once the
        // file is gone, and the next append builds it again.
        let path = dir.join("log").join("hashes");
        let mut bytes = fs::read(&path).unwrap();
        bytes[32 + 32 * 100] ^= 1;
        fs::write(&path, &bytes).unwrap();
        assert!(
            archive
                .check_hashes()
                .unwrap()
                .unwrap()
                .contains("stored hash 100")
        );
        fs::remove_file(&path).unwrap();
        assert_eq!(
            archive.checkpoint().unwrap(),
            checkpoints[checkpoints.len() - 1]
        );
        let sha = archive.stage(b"one more").unwrap().sha256;
        archive.commit(&[sha]).unwrap();
        assert_eq!(archive.check_hashes().unwrap(), None);
        // A torn end (a crash inside a write) is cut back and extended.
        let len = fs::metadata(&path).unwrap().len();
        fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(len - 40)
            .unwrap();
        let sha = archive.stage(b"and one more").unwrap().sha256;
        archive.commit(&[sha]).unwrap();
        assert_eq!(archive.check_hashes().unwrap(), None);
        let (_, hashes) = from_scratch(&archive);
        assert_eq!(
            archive.checkpoint().unwrap().root,
            ledger::to_hex(&ledger::root(&hashes))
        );
        fs::remove_dir_all(&dir).unwrap();
    }

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
    fn the_log_proves_inclusion_and_catches_a_rewritten_past() {
        let dir = std::env::temp_dir().join(format!("ombud-archive-log-{}", std::process::id()));
        let archive = Archive::open(&dir).unwrap();
        let docs: Vec<String> = (0..5)
            .map(|i| {
                archive
                    .put(format!("report {i}").as_bytes())
                    .unwrap()
                    .sha256
            })
            .collect();
        archive.put(b"report 0").unwrap();
        assert_eq!(
            archive.log_leaves().unwrap(),
            docs,
            "one leaf per document, in order"
        );
        let old = archive.checkpoint().unwrap();
        assert_eq!(old.size, 5);
        for d in &docs {
            assert!(archive.prove(d).unwrap().verify());
        }
        assert!(matches!(
            archive.prove(&"0".repeat(64)),
            Err(ArchiveError::NotLogged { .. })
        ));

        // Growth keeps the past: the new log extends the old checkpoint.
        archive.put(b"report 5").unwrap();
        let proof = archive.consistency(&old).unwrap();
        assert_eq!(proof.new.size, 6);
        assert!(proof.verify());

        // A torn last line (a crash mid-append) is no leaf, and the next append repairs it.
        let leaves = dir.join("log").join("leaves");
        let mut file = fs::OpenOptions::new().append(true).open(&leaves).unwrap();
        file.write_all(b"abc").unwrap();
        drop(file);
        assert_eq!(archive.log_leaves().unwrap().len(), 6);
        let again = Archive::open(&dir).unwrap();
        again.put(b"report 6").unwrap();
        assert_eq!(again.log_leaves().unwrap().len(), 7);

        // Replacing a logged document breaks consistency with the checkpoint taken before.
        let text = fs::read_to_string(&leaves).unwrap();
        let forged = sha256_hex(b"forged report");
        fs::write(&leaves, text.replacen(&docs[2], &forged, 1)).unwrap();
        assert!(!archive.consistency(&old).unwrap().verify());
        assert!(matches!(
            archive.consistency(&Checkpoint {
                size: 99,
                root: old.root.clone()
            }),
            Err(ArchiveError::LogTooShort { .. })
        ));

        // A line that is no digest is damage, reported with its line.
        fs::write(&leaves, format!("{}\n{}\n", docs[0], "x".repeat(64))).unwrap();
        assert!(matches!(
            archive.log_leaves(),
            Err(ArchiveError::DamagedLog { line: 2, .. })
        ));

        // An archive from before the log (no log, and no mark of one) gets its blobs logged,
        // in name order.
        fs::remove_dir_all(dir.join("log")).unwrap();
        fs::remove_file(dir.join("LOGGED")).unwrap();
        let reopened = Archive::open(&dir).unwrap();
        let mut names = reopened.log_leaves().unwrap();
        assert_eq!(names.len(), 7);
        names.sort();
        assert_eq!(reopened.log_leaves().unwrap(), names);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn signed_checkpoints_verify_with_the_logs_key() {
        let dir = std::env::temp_dir().join(format!("ombud-archive-sign-{}", std::process::id()));
        let archive = Archive::open(&dir).unwrap();
        archive.put(b"a report").unwrap();
        let note = archive.signed_checkpoint().unwrap();
        let key = archive.verifier_key().unwrap();
        assert_eq!(
            key,
            Archive::open(&dir).unwrap().verifier_key().unwrap(),
            "one key per log"
        );
        let checkpoint = ledger::verify_checkpoint(&note, &key).unwrap();
        assert_eq!(checkpoint.size, 1);
        assert!(key.starts_with(&checkpoint.origin));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.join("log/signing-key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the key is the owner's alone");
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_log_is_never_rebuilt_forked_or_duplicated() {
        let dir = std::env::temp_dir().join(format!("ombud-archive-guard-{}", std::process::id()));
        let first = Archive::open(&dir).unwrap();
        let second = Archive::open(&dir).unwrap(); // as another process would
        let a = first.put(b"report a").unwrap().sha256;
        second.put(b"report a").unwrap();
        second.put(b"report b").unwrap();
        first.put(b"report b").unwrap();
        assert_eq!(
            first.log_leaves().unwrap().len(),
            2,
            "each document logged once"
        );

        // A blob stored without its leaf (a crash in between) is found.
        let orphan = sha256_hex(b"orphan");
        let orphan_path = first.path_of(&orphan).unwrap();
        fs::create_dir_all(orphan_path.parent().unwrap()).unwrap();
        fs::write(&orphan_path, b"orphan").unwrap();
        assert_eq!(first.unlogged().unwrap(), vec![orphan.clone()]);
        first.put(b"orphan").unwrap();
        assert!(first.unlogged().unwrap().is_empty());

        // Once a checkpoint is signed, a rewritten history is never signed.
        first.signed_checkpoint().unwrap();
        let leaves = dir.join("log").join("leaves");
        let text = fs::read_to_string(&leaves).unwrap();
        fs::write(&leaves, text.replacen(&a, &sha256_hex(b"forged"), 1)).unwrap();
        let fresh = Archive::open(&dir).unwrap();
        assert!(matches!(
            fresh.signed_checkpoint(),
            Err(ArchiveError::WouldFork { size: 3, .. })
        ));
        // A cut log is caught by a writer that read it before.
        fs::write(&leaves, &text[..65]).unwrap();
        assert!(matches!(
            first.put(b"report c"),
            Err(ArchiveError::DamagedLog { .. })
        ));

        // Leaves gone from a log directory: an error, not a silently rebuilt history.
        fs::remove_file(&leaves).unwrap();
        assert!(matches!(
            Archive::open(&dir),
            Err(ArchiveError::MissingLog { .. })
        ));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_deleted_log_is_an_error_and_a_rebuilt_one_is_never_signed() {
        let dir = std::env::temp_dir().join(format!("ombud-archive-fork-{}", std::process::id()));
        let archive_dir = dir.join("archive");
        let key = dir.join("keys").join("log-signing-key");
        let open = || Archive::open(&archive_dir).map(|a| a.with_signing_key(key.clone()));
        let a = open().unwrap();
        // Put in the reverse of name order, so a log rebuilt from the names is another order.
        let mut reports = vec![&b"report a"[..], b"report b", b"report c"];
        reports.sort_by_key(|r| std::cmp::Reverse(sha256_hex(r)));
        for r in reports {
            a.put(r).unwrap();
        }
        a.signed_checkpoint().unwrap();
        assert_eq!(a.check_signed_history().unwrap().unwrap().size, 3);
        // The whole log directory deleted: the archive's mark says it had one.
        let log = archive_dir.join("log");
        let saved = fs::read(log.join("leaves")).unwrap();
        fs::remove_dir_all(&log).unwrap();
        assert!(matches!(open(), Err(ArchiveError::MissingLog { .. })));
        // The mark deleted too: a log is built from the blobs in name order, another history,
        // which the record beside the key refuses to sign and names.
        fs::remove_file(archive_dir.join("LOGGED")).unwrap();
        let rebuilt = open().unwrap();
        assert_eq!(rebuilt.log_leaves().unwrap().len(), 3);
        assert!(matches!(
            rebuilt.check_signed_history(),
            Err(ArchiveError::Forked { size: 3, .. })
        ));
        assert!(matches!(
            rebuilt.signed_checkpoint(),
            Err(ArchiveError::WouldFork { .. })
        ));
        // The log restored from a backup signs again, and a longer log extends the record.
        fs::write(log.join("leaves"), &saved).unwrap();
        let restored = open().unwrap();
        restored.put(b"report d").unwrap();
        restored.signed_checkpoint().unwrap();
        assert_eq!(restored.check_signed_history().unwrap().unwrap().size, 4);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_killed_writers_temporary_files_are_found_and_removed() {
        let dir = std::env::temp_dir().join(format!("ombud-archive-tmp-{}", std::process::id()));
        let a = Archive::open(&dir).unwrap();
        let sha = a.put(b"report").unwrap().sha256;
        let sub = dir.join("sha256").join(&sha[..2]);
        // One left by a process that is gone (pid 0 is never a user process), one by ours.
        let dead = sub.join(format!(".{sha}.0.7.tmp"));
        let ours = sub.join(format!(".{sha}.{}.9.tmp", std::process::id()));
        fs::write(&dead, b"half").unwrap();
        fs::write(&ours, b"writing").unwrap();
        assert_eq!(a.leftovers().unwrap(), {
            let mut v = vec![dead.clone(), ours.clone()];
            v.sort();
            v
        });
        if Path::new("/proc/self").exists() {
            assert_eq!(a.clean_leftovers().unwrap(), 1);
            assert_eq!(a.leftovers().unwrap(), vec![ours]);
        }
        assert_eq!(temp_owner("report.txt"), None);
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
