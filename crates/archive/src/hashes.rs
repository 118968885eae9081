//! `log/hashes`: every node hash of the log's tree, kept as the leaves are appended (the order
//! `ledger::stored_hash_index` gives), so that a root, a proof or a tile costs O(log n) reads
//! instead of re-hashing every leaf.
//!
//! Format (version 1): a 32-byte header, `ombud-log-hashes 1` padded with spaces and ended by a
//! newline, then 32-byte hashes. It is derived from `log/leaves`, which stays the record: a
//! writer extends it after each append (under the leaves file's lock) and rebuilds it when its
//! end does not match the leaves; `verify` compares every hash with the leaves; readers take
//! what it covers and compute the rest from the leaves.

use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use ledger::Hash;

use crate::{ArchiveError, io};

/// The file's first 32 bytes.
const HEADER: &[u8; 32] = b"ombud-log-hashes 1             \n";
const HASH: u64 = 32;
/// One line of the leaves file.
const LINE: u64 = 65;

#[cfg(unix)]
fn read_at(file: &fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_at(file: &fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    let mut f = file;
    f.seek(SeekFrom::Start(offset))?;
    f.read_exact(buf)
}

/// Reads nodes of the tree of the first `size` leaves: from `log/hashes` where it holds them,
/// else computed from the leaves file.
pub(crate) struct Nodes {
    hashes: Option<(fs::File, u64)>,
    hashes_path: PathBuf,
    leaves: fs::File,
    leaves_path: PathBuf,
    /// Where the first leaf's line starts (after the file's header, when it has one).
    header: u64,
    /// How many leaves the leaves file holds (complete lines).
    pub(crate) size: u64,
}

impl Nodes {
    /// Opens the log of `dir` (`dir/leaves`, and `dir/hashes` when it is there and sound).
    pub(crate) fn open(dir: &Path) -> Result<Nodes, ArchiveError> {
        let leaves_path = dir.join("leaves");
        let leaves = fs::File::open(&leaves_path).map_err(io(&leaves_path))?;
        let len = leaves.metadata().map_err(io(&leaves_path))?.len();
        let mut start = vec![0u8; len.min(LINE) as usize];
        read_at(&leaves, &mut start, 0).map_err(io(&leaves_path))?;
        let header = crate::log::header_len(&start, &leaves_path)?.min(len);
        let size = (len - header) / LINE;
        let hashes_path = dir.join("hashes");
        let hashes = match fs::File::open(&hashes_path) {
            Ok(f) => {
                let len = f.metadata().map_err(io(&hashes_path))?.len();
                let mut header = [0u8; 32];
                let sound = len >= HASH && read_at(&f, &mut header, 0).is_ok() && header == *HEADER;
                // A file of another version, or cut inside its header, is not read.
                sound.then(|| (f, (len - HASH) / HASH))
            }
            Err(_) => None,
        };
        Ok(Nodes {
            hashes,
            hashes_path,
            leaves,
            leaves_path,
            header,
            size,
        })
    }

    /// The digest on line `k` (0-based) of the leaves file.
    pub(crate) fn digest(&self, k: u64) -> Result<Hash, ArchiveError> {
        let mut line = [0u8; LINE as usize];
        read_at(&self.leaves, &mut line, self.header + k * LINE).map_err(io(&self.leaves_path))?;
        std::str::from_utf8(&line[..64])
            .ok()
            .filter(|_| line[64] == b'\n')
            .and_then(ledger::from_hex)
            .ok_or_else(|| ArchiveError::DamagedLog {
                path: self.leaves_path.clone(),
                line: ((self.header / LINE) + k) as usize + 1,
                problem: "not a SHA-256 digest on a line of its own".to_string(),
            })
    }

    /// How many stored hashes `log/hashes` holds.
    pub(crate) fn stored(&self) -> u64 {
        self.hashes.as_ref().map_or(0, |(_, n)| *n)
    }

    /// The stored hash at position `i` (which must be below `stored()`).
    pub(crate) fn stored_hash(&self, i: u64) -> Result<Hash, ArchiveError> {
        let (file, _) = self.hashes.as_ref().ok_or_else(|| ArchiveError::Io {
            path: self.hashes_path.clone(),
            source: std::io::Error::other("no hashes file"),
        })?;
        let mut h = [0u8; 32];
        read_at(file, &mut h, HASH + i * HASH).map_err(io(&self.hashes_path))?;
        Ok(h)
    }

    /// The hash of the complete subtree of height `level` and index `k`.
    pub(crate) fn node(&self, level: u32, k: u64) -> Result<Hash, ArchiveError> {
        let i = ledger::stored_hash_index(level, k);
        if i < self.stored() {
            return self.stored_hash(i);
        }
        if level == 0 {
            return Ok(ledger::leaf_hash(&self.digest(k)?));
        }
        let left = self.node(level - 1, 2 * k)?;
        let right = self.node(level - 1, 2 * k + 1)?;
        Ok(ledger::node_hash(&left, &right))
    }
}

/// Brings `dir/hashes` up to the leaves file: appends the hashes of the leaves it lacks, with
/// one write and one sync, and starts it again when its end does not match the leaves (a crash
/// or an edit). The caller holds the leaves file's lock.
pub(crate) fn extend(dir: &Path) -> Result<(), ArchiveError> {
    let path = dir.join("hashes");
    let nodes = Nodes::open(dir)?;
    let size = nodes.size;
    let mut covered = ledger::leaves_covered(nodes.stored());
    let sound_end = covered <= size
        && (covered == 0
            || nodes.stored_hash(ledger::stored_hash_index(0, covered - 1))?
                == ledger::leaf_hash(&nodes.digest(covered - 1)?));
    let fresh = nodes.hashes.is_none() || !sound_end;
    if fresh {
        covered = 0;
    }
    if covered == size && !fresh {
        return Ok(());
    }
    let base = if fresh {
        0
    } else {
        ledger::stored_hash_count(covered)
    };
    let mut pending: Vec<Hash> = Vec::new();
    for n in covered..size {
        let leaf = ledger::leaf_hash(&nodes.digest(n)?);
        let new = ledger::hashes_to_store(n, leaf, &mut |l, k| {
            let i = ledger::stored_hash_index(l, k);
            if i >= base {
                Ok(pending[(i - base) as usize])
            } else {
                nodes.stored_hash(i)
            }
        })?;
        pending.extend(new);
    }
    let mut bytes = Vec::with_capacity(pending.len() * 32 + 32);
    if fresh {
        bytes.extend_from_slice(HEADER);
    }
    for h in &pending {
        bytes.extend_from_slice(h);
    }
    let mut file = fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(&path)
        .map_err(io(&path))?;
    // Whatever lies past what is kept (a torn write, or all of it when starting again) goes.
    let keep = if fresh { 0 } else { HASH + base * HASH };
    file.set_len(keep).map_err(io(&path))?;
    file.seek(SeekFrom::Start(keep)).map_err(io(&path))?;
    file.write_all(&bytes).map_err(io(&path))?;
    file.sync_data().map_err(io(&path))?;
    Ok(())
}

/// Compares every hash `dir/hashes` holds with the hashes of the leaves: the first that differs,
/// as (its position, what it should be), or `None` when all agree (or there is no such file).
pub(crate) fn check(dir: &Path) -> Result<Option<String>, ArchiveError> {
    let nodes = Nodes::open(dir)?;
    let path = dir.join("hashes");
    if nodes.hashes.is_none() {
        if path.exists() {
            return Ok(Some(format!(
                "{}: not a hashes file of a version this ombud reads",
                path.display()
            )));
        }
        return Ok(None);
    }
    let stored = nodes.stored();
    let covered = ledger::leaves_covered(stored);
    if covered > nodes.size {
        return Ok(Some(format!(
            "{}: it holds the hashes of {covered} leaves, but the log has {}",
            path.display(),
            nodes.size
        )));
    }
    // Recompute as an appending writer would, reading the stored file once from the start.
    let Some((file, _)) = nodes.hashes.as_ref() else {
        return Ok(None);
    };
    let mut file: &fs::File = file;
    let mut all = Vec::with_capacity((stored * HASH) as usize);
    file.seek(SeekFrom::Start(HASH)).map_err(io(&path))?;
    file.take(stored * HASH)
        .read_to_end(&mut all)
        .map_err(io(&path))?;
    let at = |i: u64| -> Hash {
        let s = (i * HASH) as usize;
        all[s..s + 32].try_into().unwrap_or([0u8; 32])
    };
    let mut made: Vec<Hash> = Vec::with_capacity(stored as usize);
    for n in 0..covered {
        let leaf = ledger::leaf_hash(&nodes.digest(n)?);
        let new = ledger::hashes_to_store(n, leaf, &mut |l, k| {
            Ok::<_, ArchiveError>(made[ledger::stored_hash_index(l, k) as usize])
        })?;
        made.extend(new);
    }
    for (i, h) in made.iter().enumerate() {
        if at(i as u64) != *h {
            let line = ledger::leaves_covered(i as u64) + 1;
            return Ok(Some(format!(
                "{}: stored hash {i}, made when line {line} of log/leaves was appended, is not what log/leaves gives now: the leaves were edited since, or this derived file was (then delete it, and the next ingest builds it again)",
                path.display()
            )));
        }
    }
    Ok(None)
}
