//! The archive's append-only Merkle log: the file of leaves (`log/leaves`), checkpoints,
//! inclusion proofs and consistency checks, with the tree logic from `ledger`.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::PoisonError;

use crate::{Archive, ArchiveError, io, sync_dir, temp_in, write_atomic};

/// One line of the leaves file: 64 hex digits and a newline.
const LINE: u64 = 65;

/// First line of the signing key file.
const KEY_HEADER: &str = "ombud-log-signing-key 1";

/// What this process knows of the leaves file: the digests in its first `len` bytes.
#[derive(Debug, Default)]
pub(crate) struct Known {
    /// Each digest and its leaf index (the first, should a line ever repeat).
    digests: HashMap<String, u64>,
    /// The bytes read so far, from the start of the file.
    len: u64,
    /// The length of the file's header line (0 for a log from before headers).
    header: u64,
}

/// The first line of a leaves file (version 1), as long as a leaf's line so that every line
/// of the file is 65 bytes. Logs made before it have no header and start with a leaf.
const LEAVES_HEADER: &str = "ombud-log-leaves 1                                              \n";
const LEAVES_MAGIC: &[u8] = b"ombud-log-leaves ";

/// The first line of the record of the checkpoint signed last (`keys/log-signed`, version 1).
const SIGNED_HEADER: &str = "ombud-log-signed 1\n";

/// How long the header of a leaves file starting with `start` is: 0 for a log from before
/// headers, a line for version 1; another version is refused.
pub(crate) fn header_len(start: &[u8], path: &Path) -> Result<u64, ArchiveError> {
    if !start.starts_with(LEAVES_MAGIC) {
        return Ok(0);
    }
    let line = &start[..start.len().min(LINE as usize)];
    if line == LEAVES_HEADER.as_bytes() {
        return Ok(LINE);
    }
    Err(ArchiveError::DamagedLog {
        path: path.to_path_buf(),
        line: 1,
        problem: format!(
            "its header {:?} is not that of a leaves file this ombud reads ({:?})",
            String::from_utf8_lossy(line).trim_end(),
            LEAVES_HEADER.trim_end()
        ),
    })
}

impl Known {
    /// Reads what was appended to the leaves file since this process last looked.
    fn catch_up(&mut self, file: &mut fs::File, path: &Path) -> Result<u64, ArchiveError> {
        let len = file.metadata().map_err(io(path))?.len();
        if len < self.len {
            // Shorter than what was read before: someone cut the log.
            return Err(ArchiveError::DamagedLog {
                path: path.to_path_buf(),
                line: (len / LINE) as usize + 1,
                problem: format!("it shrank from {} to {len} bytes", self.len),
            });
        }
        if len > self.len {
            let mut fresh = Vec::new();
            file.seek(SeekFrom::Start(self.len)).map_err(io(path))?;
            file.read_to_end(&mut fresh).map_err(io(path))?;
            if self.len == 0 {
                self.header = header_len(&fresh, path)?;
                self.len = self.header.min(fresh.len() as u64);
                fresh.drain(..self.len as usize);
            }
            let first = (self.len - self.header) / LINE;
            let first_line = (self.len / LINE) as usize + 1;
            let found = parse_leaves(&fresh, path, first_line)?;
            self.len += found.len() as u64 * LINE;
            for (i, d) in found.into_iter().enumerate() {
                self.digests.entry(d).or_insert(first + i as u64);
            }
        }
        Ok(len)
    }
}

/// The digests in the bytes of a leaves file (`path` names it in errors), in log order: its
/// header, if it has one, is checked and skipped, and a line cut short at the end is not a leaf.
pub fn read_leaves(bytes: &[u8], path: &Path) -> Result<Vec<String>, ArchiveError> {
    let header = header_len(bytes, path)?.min(bytes.len() as u64) as usize;
    parse_leaves(&bytes[header..], path, 1 + header / LINE as usize)
}

/// The complete lines of `bytes` (leaves-file bytes starting at line `first_line`) as digests; a
/// line cut short at the end is left out.
fn parse_leaves(bytes: &[u8], path: &Path, first_line: usize) -> Result<Vec<String>, ArchiveError> {
    let complete = bytes.len() - bytes.len() % LINE as usize;
    let mut out = Vec::with_capacity(complete / LINE as usize);
    for (i, line) in bytes[..complete].chunks(LINE as usize).enumerate() {
        let digest = std::str::from_utf8(&line[..64])
            .ok()
            .filter(|d| is_digest(d) && line[64] == b'\n');
        let Some(digest) = digest else {
            return Err(ArchiveError::DamagedLog {
                path: path.to_path_buf(),
                line: first_line + i,
                problem: format!(
                    "{:?} is not a SHA-256 digest on a line of its own",
                    String::from_utf8_lossy(line)
                ),
            });
        };
        out.push(digest.to_string());
    }
    Ok(out)
}

/// The log's size and root: written down or published, it pins every document logged so far.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    pub size: u64,
    /// The Merkle tree root, 64 hex digits.
    pub root: String,
}

/// Proof that a document is leaf `index` of the log at `checkpoint`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
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

/// Writes a signing key file (readable by its owner only, synced) under a temporary name in
/// `dir`, and gives that name: the caller links or renames it into place.
pub(crate) fn write_key_file(
    dir: &Path,
    name: &str,
    seed: &[u8; 32],
) -> Result<PathBuf, ArchiveError> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    let tmp = temp_in(dir, "signing-key");
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(io(&tmp))?;
    writeln!(file, "{KEY_HEADER}\n{name}\n{}", ledger::to_hex(seed)).map_err(io(&tmp))?;
    file.sync_all().map_err(io(&tmp))?;
    Ok(tmp)
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

/// Catches `known` up with the leaves file, then appends those of `digests` not there yet, in
/// order, with one write and one sync. The caller holds the file's lock.
fn append_new(
    file: &mut fs::File,
    path: &Path,
    known: &mut Known,
    digests: &[String],
) -> Result<(), ArchiveError> {
    let len = known.catch_up(file, path)?;
    let mut lines = String::new();
    let mut added: Vec<&String> = Vec::new();
    for d in digests {
        if !known.digests.contains_key(d) && !added.contains(&d) {
            lines.push_str(d);
            lines.push('\n');
            added.push(d);
        }
    }
    if added.is_empty() {
        return Ok(());
    }
    // A line a crash cut short is dropped before the next one is written.
    if len > known.len {
        file.set_len(known.len).map_err(io(path))?;
    }
    file.write_all(lines.as_bytes()).map_err(io(path))?;
    file.sync_data().map_err(io(path))?;
    let first = (known.len - known.header) / LINE;
    known.len += added.len() as u64 * LINE;
    for (i, d) in added.into_iter().enumerate() {
        known.digests.insert(d.clone(), first + i as u64);
    }
    // The tree's hashes follow the leaves. They are derived (readers compute what the file
    // lacks from the leaves, and the next append extends it), so a failure here loses nothing
    // and does not fail an append that is already durable.
    if let Some(dir) = path.parent() {
        let _ = crate::hashes::extend(dir);
    }
    Ok(())
}

/// The file an archive keeps once it has a log (see `Archive::start_log`).
const LOG_MARK: &str = "LOGGED";
const LOG_MARK_TEXT: &str = "This archive keeps an append-only log of its blobs in log/leaves. \
If log/ is missing, restore it from a backup: ombud refuses to start a new one.\n";

impl Archive {
    fn log_path(&self) -> PathBuf {
        self.root.join("log").join("leaves")
    }

    /// The mark an archive keeps beside its log once it has one: with it, a missing log is an
    /// error, never a new log built from the blobs (which would be another history).
    fn log_mark(&self) -> PathBuf {
        self.root.join(LOG_MARK)
    }

    /// Creates the log of a new archive; an archive from before the log gets its blobs logged
    /// in name order, once. A log that was there (its directory, or the archive's mark of it)
    /// and is gone is an error, never rebuilt.
    pub(crate) fn start_log(&self) -> Result<(), ArchiveError> {
        let dir = self.root.join("log");
        let path = self.log_path();
        let mark = self.log_mark();
        match fs::metadata(&path) {
            Ok(_) => {
                // Archives logged before the mark existed get it now (when they can be
                // written: a read-only copy is checked as it is).
                if fs::metadata(&mark).is_err() {
                    let _ = write_atomic(&mark, LOG_MARK_TEXT.as_bytes());
                }
                return Ok(());
            }
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&path)(e)),
            Err(_) => {}
        }
        if fs::symlink_metadata(&dir).is_ok() || fs::symlink_metadata(&mark).is_ok() {
            // A peer starting the same new archive may have just put its log in place (whole,
            // by a rename, before its mark): then there is a log after all.
            if fs::metadata(&path).is_ok() {
                return Ok(());
            }
            return Err(ArchiveError::MissingLog { path });
        }
        let names = self.blob_names()?;
        // Built beside, then renamed into place whole: a crash leaves no log directory at all.
        let new_dir = temp_in(&self.root, "log");
        fs::create_dir_all(&new_dir).map_err(io(&new_dir))?;
        let leaves = new_dir.join("leaves");
        let mut file = fs::File::create(&leaves).map_err(io(&leaves))?;
        file.write_all(LEAVES_HEADER.as_bytes())
            .map_err(io(&leaves))?;
        for n in &names {
            writeln!(file, "{n}").map_err(io(&leaves))?;
        }
        file.sync_all().map_err(io(&leaves))?;
        sync_dir(&new_dir);
        if let Err(e) = fs::rename(&new_dir, &dir) {
            // Another process starting the same new archive put its log there first: use it.
            let _ = fs::remove_dir_all(&new_dir);
            if fs::metadata(&path).is_err() {
                return Err(io(&dir)(e));
            }
        }
        sync_dir(&self.root);
        write_atomic(&mark, LOG_MARK_TEXT.as_bytes())?;
        Ok(())
    }

    /// The digests of the logged documents, in log order. A line cut short by a crash at the end
    /// is not a leaf.
    pub fn log_leaves(&self) -> Result<Vec<String>, ArchiveError> {
        let path = self.log_path();
        let bytes = fs::read(&path).map_err(io(&path))?;
        read_leaves(&bytes, &path)
    }

    /// Blobs in the archive that the log does not hold (a crash between storing a blob and
    /// logging it leaves one until its bytes are stored again).
    pub fn unlogged(&self) -> Result<Vec<String>, ArchiveError> {
        let logged: HashSet<String> = self.log_leaves()?.into_iter().collect();
        let mut names = self.blob_names()?;
        names.retain(|n| !logged.contains(n));
        Ok(names)
    }

    /// The digests of every blob in the archive, in name order.
    fn blob_names(&self) -> Result<Vec<String>, ArchiveError> {
        let mut names = Vec::new();
        let blobs = self.root.join("sha256");
        for sub in fs::read_dir(&blobs).map_err(io(&blobs))? {
            let sub = sub.map_err(io(&blobs))?.path();
            if !sub.is_dir() {
                continue;
            }
            for f in fs::read_dir(&sub).map_err(io(&sub))? {
                let name = f
                    .map_err(io(&sub))?
                    .file_name()
                    .to_string_lossy()
                    .to_string();
                if is_digest(&name) {
                    names.push(name);
                }
            }
        }
        names.sort();
        Ok(names)
    }

    /// Appends the digests not in the log yet, in order. Processes take turns through a lock
    /// on the leaves file, and each first reads what the others appended.
    pub(crate) fn log_all(&self, digests: &[String]) -> Result<(), ArchiveError> {
        let mut guard = self.logged.lock().unwrap_or_else(PoisonError::into_inner);
        let path = self.log_path();
        let mut file = fs::OpenOptions::new()
            .read(true)
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        file.lock().map_err(io(&path))?;
        let known = guard.get_or_insert_with(Known::default);
        let result = append_new(&mut file, &path, known, digests);
        if result.is_err() {
            // Whatever reached the file, the next call reads it afresh.
            *guard = None;
        }
        result
    }

    /// True when this process has seen `sha256` in the log.
    pub(crate) fn is_logged(&self, sha256: &str) -> bool {
        self.logged
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_some_and(|k| k.digests.contains_key(sha256))
    }

    pub(crate) fn leaf_hashes(&self) -> Result<(Vec<String>, Vec<ledger::Hash>), ArchiveError> {
        let leaves = self.log_leaves()?;
        let hashes = leaves
            .iter()
            .map(|d| ledger::leaf_hash(&ledger::from_hex(d).unwrap_or_default()))
            .collect();
        Ok((leaves, hashes))
    }

    pub(crate) fn key_path(&self) -> PathBuf {
        self.key_path.clone()
    }

    /// The log's name and its signing key's seed, made on first use (readable by the owner only).
    pub(crate) fn signing_key(&self) -> Result<(String, [u8; 32]), ArchiveError> {
        self.finish_rotation()?;
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
                let dir = path.parent().unwrap_or(&self.root).to_path_buf();
                let tmp = write_key_file(&dir, &name, &seed)?;
                // A link never replaces a key another process made meanwhile: the first wins,
                // and everyone reads the key that is there.
                let linked = fs::hard_link(&tmp, &path);
                let _ = fs::remove_file(&tmp);
                match linked {
                    Ok(()) => sync_dir(&dir),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(io(&path)(e)),
                }
                self.signing_key()
            }
            Err(e) => Err(ArchiveError::Io { path, source: e }),
        }
    }

    /// Where the last checkpoint signed with the key is kept: beside the key, outside the
    /// archive, so that deleting or replacing the log does not make the key forget what it
    /// vouched for.
    fn signed_record(&self) -> PathBuf {
        self.key_path().with_file_name("log-signed")
    }

    /// The checkpoints signed last that the log must still extend: the one kept beside the key,
    /// and the one older ombuds kept inside the log directory.
    fn signed_before(&self) -> Result<Vec<(Checkpoint, PathBuf)>, ArchiveError> {
        let mut out = Vec::new();
        for path in [self.signed_record(), self.root.join("log").join("signed")] {
            match fs::read_to_string(&path) {
                Ok(text) => {
                    // Version 1 starts with its header; the record older ombuds kept has none.
                    let body = text.strip_prefix(SIGNED_HEADER).unwrap_or(&text);
                    let line = body.strip_suffix('\n').filter(|l| !l.contains('\n'));
                    let (size, root) = match line.and_then(|l| l.split_once(' ')) {
                        Some((size, root)) => (
                            size.parse::<u64>().ok().filter(|n| n.to_string() == size),
                            Some(root).filter(|r| is_digest(r)),
                        ),
                        None => (None, None),
                    };
                    match (size, root) {
                        (Some(size), Some(root)) => out.push((
                            Checkpoint {
                                size,
                                root: root.to_string(),
                            },
                            path,
                        )),
                        _ => {
                            return Err(ArchiveError::DamagedLog {
                                path,
                                line: 1,
                                problem: format!(
                                    "not {:?} then a size and a root on one line",
                                    SIGNED_HEADER.trim_end()
                                ),
                            });
                        }
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&path)(e)),
            }
        }
        Ok(out)
    }

    /// Checks that the log still extends every checkpoint signed with its key; the error names
    /// the first it does not (the log was rewritten, rolled back or rebuilt since).
    pub fn check_signed_history(&self) -> Result<Option<Checkpoint>, ArchiveError> {
        let (_, hashes) = self.leaf_hashes()?;
        let mut latest: Option<Checkpoint> = None;
        for (past, record) in self.signed_before()? {
            let extends = usize::try_from(past.size)
                .ok()
                .and_then(|n| hashes.get(..n))
                .is_some_and(|h| ledger::to_hex(&ledger::root(h)) == past.root);
            if !extends {
                return Err(ArchiveError::Forked {
                    size: past.size,
                    root: past.root,
                    record,
                });
            }
            if latest.as_ref().is_none_or(|l| l.size < past.size) {
                latest = Some(past);
            }
        }
        Ok(latest)
    }

    /// Fails when the log no longer extends the checkpoint signed last.
    pub(crate) fn refuse_fork(&self) -> Result<(), ArchiveError> {
        match self.check_signed_history() {
            Err(ArchiveError::Forked { size, root, .. }) => {
                Err(ArchiveError::WouldFork { size, root })
            }
            Err(e) => Err(e),
            Ok(_) => Ok(()),
        }
    }

    /// The checkpoint now, signed with the log's key, as a signed note. Refuses when the log no
    /// longer extends the checkpoint signed last: one key never vouches for two histories.
    pub fn signed_checkpoint(&self) -> Result<String, ArchiveError> {
        let (name, seed) = self.signing_key()?;
        self.refuse_fork()?;
        let (_, hashes) = self.leaf_hashes()?;
        self.sign_tree(&name, &seed, &hashes)
    }

    /// Signs the tree of `hashes` and records it as the checkpoint signed last.
    pub(crate) fn sign_tree(
        &self,
        name: &str,
        seed: &[u8; 32],
        hashes: &[ledger::Hash],
    ) -> Result<String, ArchiveError> {
        let root = ledger::root(hashes);
        let note = ledger::sign_checkpoint(name, seed, hashes.len() as u64, &root);
        let last = format!(
            "{SIGNED_HEADER}{} {}\n",
            hashes.len(),
            ledger::to_hex(&root)
        );
        write_atomic(&self.signed_record(), last.as_bytes())?;
        // Published beside the leaves, where the tiles are read from (C2SP tlog-tiles).
        write_atomic(&self.root.join("log").join("checkpoint"), note.as_bytes())?;
        Ok(note)
    }

    /// The checkpoint now, signed, with the proof of each of `digests` against it, all from one
    /// reading of the log (a writer appending meanwhile cannot put them out of step): what an
    /// evidence package carries.
    pub fn signed_proofs(
        &self,
        digests: &[String],
    ) -> Result<(String, Vec<InclusionProof>), ArchiveError> {
        let (name, seed) = self.signing_key()?;
        self.refuse_fork()?;
        let (leaves, hashes) = self.leaf_hashes()?;
        let checkpoint = Checkpoint {
            size: hashes.len() as u64,
            root: ledger::to_hex(&ledger::root(&hashes)),
        };
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, d) in leaves.iter().enumerate() {
            index.entry(d.as_str()).or_insert(i);
        }
        let mut proofs = Vec::with_capacity(digests.len());
        for d in digests {
            let not_logged = || ArchiveError::NotLogged { sha256: d.clone() };
            let i = *index.get(d.as_str()).ok_or_else(not_logged)?;
            let path = ledger::inclusion_proof(&hashes, i).ok_or_else(not_logged)?;
            proofs.push(InclusionProof {
                sha256: d.clone(),
                index: i as u64,
                checkpoint: checkpoint.clone(),
                path: path.iter().map(ledger::to_hex).collect(),
            });
        }
        let note = self.sign_tree(&name, &seed, &hashes)?;
        Ok((note, proofs))
    }

    /// The key others verify this log's signed checkpoints with.
    pub fn verifier_key(&self) -> Result<String, ArchiveError> {
        let (name, seed) = self.signing_key()?;
        Ok(ledger::verifier_key(&name, &seed))
    }

    /// The log's checkpoint now, from the stored tree hashes (O(log n) reads).
    pub fn checkpoint(&self) -> Result<Checkpoint, ArchiveError> {
        let nodes = self.nodes()?;
        let root = ledger::root_from(nodes.size, &mut |l, k| nodes.node(l, k))?;
        Ok(Checkpoint {
            size: nodes.size,
            root: ledger::to_hex(&root),
        })
    }

    /// The log's checkpoint now, re-hashing every leaf: what a check reports (the stored tree
    /// hashes are checked against it).
    pub fn checkpoint_from_leaves(&self) -> Result<Checkpoint, ArchiveError> {
        let (_, hashes) = self.leaf_hashes()?;
        Ok(Checkpoint {
            size: hashes.len() as u64,
            root: ledger::to_hex(&ledger::root(&hashes)),
        })
    }

    fn nodes(&self) -> Result<crate::hashes::Nodes, ArchiveError> {
        crate::hashes::Nodes::open(&self.root.join("log"))
    }

    /// The leaf index of `sha256`, read from the leaves file once per process and then only
    /// what was appended since.
    pub(crate) fn leaf_index(&self, sha256: &str) -> Result<Option<u64>, ArchiveError> {
        let mut guard = self.logged.lock().unwrap_or_else(PoisonError::into_inner);
        let known = guard.get_or_insert_with(Known::default);
        let path = self.log_path();
        let mut file = fs::File::open(&path).map_err(io(&path))?;
        if let Err(e) = known.catch_up(&mut file, &path) {
            *guard = None;
            return Err(e);
        }
        Ok(known.digests.get(sha256).copied())
    }

    /// The leaf index of the blob `sha256`, if it is logged.
    pub fn leaf_of(&self, sha256: &str) -> Result<Option<u64>, ArchiveError> {
        self.leaf_index(sha256)
    }

    /// Proof that the document `sha256` is in the log now: its leaf index, then O(log n) reads
    /// of stored tree hashes.
    pub fn prove(&self, sha256: &str) -> Result<InclusionProof, ArchiveError> {
        let not_logged = || ArchiveError::NotLogged {
            sha256: sha256.to_string(),
        };
        let index = self.leaf_index(sha256)?.ok_or_else(not_logged)?;
        let nodes = self.nodes()?;
        let size = nodes.size;
        let mut node = |l, k| nodes.node(l, k);
        let path = ledger::inclusion_proof_from(size, index, &mut node)?.ok_or_else(not_logged)?;
        let root = ledger::root_from(size, &mut node)?;
        Ok(InclusionProof {
            sha256: sha256.to_string(),
            index,
            checkpoint: Checkpoint {
                size,
                root: ledger::to_hex(&root),
            },
            path: path.iter().map(ledger::to_hex).collect(),
        })
    }

    /// The proof that the log now extends the log of `old_size` documents; whether it extends
    /// a given old checkpoint is `verify()` with that checkpoint's root in `old`. A check, so it
    /// re-hashes the leaves themselves rather than trusting the stored tree hashes (which an
    /// edit of the leaves would leave behind); proofs for others to check come from `prove` and
    /// the tiles.
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

    /// The proof that the tree of `old_size` leaves is a prefix of the tree now, from the
    /// stored tree hashes (O(log n) reads), for a server to hand out.
    pub fn consistency_from_hashes(&self, old_size: u64) -> Result<ConsistencyProof, ArchiveError> {
        let nodes = self.nodes()?;
        let size = nodes.size;
        let mut node = |l, k| nodes.node(l, k);
        let path = ledger::consistency_proof_from(size, old_size, &mut node)?.ok_or(
            ArchiveError::LogTooShort {
                size,
                asked: old_size,
            },
        )?;
        let old_root = ledger::root_from(old_size, &mut node)?;
        let root = ledger::root_from(size, &mut node)?;
        Ok(ConsistencyProof {
            old: Checkpoint {
                size: old_size,
                root: ledger::to_hex(&old_root),
            },
            new: Checkpoint {
                size,
                root: ledger::to_hex(&root),
            },
            path: path.iter().map(ledger::to_hex).collect(),
        })
    }

    /// A tile of the log in the C2SP tlog-tiles layout: the hashes of `width` consecutive nodes
    /// of tile level `level`, starting at the `index`th tile; `None` when the log does not have
    /// that many yet.
    pub fn tile(
        &self,
        level: u32,
        index: u64,
        width: u64,
    ) -> Result<Option<Vec<u8>>, ArchiveError> {
        let nodes = self.nodes()?;
        if width == 0
            || width > ledger::TILE_WIDTH
            || ledger::tile_width(level, index, nodes.size) < width
        {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(width as usize * 32);
        for i in 0..width {
            let (l, k) = ledger::tile_node(level, index, i);
            out.extend_from_slice(&nodes.node(l, k)?);
        }
        Ok(Some(out))
    }

    /// An entry bundle of the C2SP tlog-tiles layout: the data of `width` leaves from leaf
    /// `256·index` (each leaf's data is its 32-byte digest, after a 2-byte big-endian length).
    pub fn entries(&self, index: u64, width: u64) -> Result<Option<Vec<u8>>, ArchiveError> {
        let nodes = self.nodes()?;
        if width == 0
            || width > ledger::TILE_WIDTH
            || ledger::tile_width(0, index, nodes.size) < width
        {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(width as usize * 34);
        for i in 0..width {
            out.extend_from_slice(&[0, 32]);
            out.extend_from_slice(&nodes.digest(index * ledger::TILE_WIDTH + i)?);
        }
        Ok(Some(out))
    }

    /// The checkpoint signed last, as its signed note (`None` before the first signing).
    pub fn published_checkpoint(&self) -> Result<Option<String>, ArchiveError> {
        let path = self.root.join("log").join("checkpoint");
        match fs::read_to_string(&path) {
            Ok(note) => Ok(Some(note)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&path)(e)),
        }
    }

    /// Checks the published checkpoint (`log/checkpoint`): signed by the log's key, and
    /// extended by the leaves. A description of what is wrong, or `None` (also when nothing was
    /// published yet, or the key is not here to check with).
    pub fn check_published(&self) -> Result<Option<String>, ArchiveError> {
        let Some(note) = self.published_checkpoint()? else {
            return Ok(None);
        };
        if !self.key_path().exists() {
            return Ok(None);
        }
        let path = self.root.join("log").join("checkpoint");
        let (_, cp) = match check_signed_checkpoint(&note, &self.verifier_key()?) {
            Ok(c) => c,
            Err(e) => {
                return Ok(Some(format!(
                    "{}: not a checkpoint signed by this log's key ({e})",
                    path.display()
                )));
            }
        };
        let (_, hashes) = self.leaf_hashes()?;
        let extends = usize::try_from(cp.size)
            .ok()
            .and_then(|n| hashes.get(..n))
            .is_some_and(|h| ledger::to_hex(&ledger::root(h)) == cp.root);
        Ok((!extends).then(|| {
            format!(
                "{}: the log no longer extends this signed checkpoint (size {}, root {})",
                path.display(),
                cp.size,
                cp.root
            )
        }))
    }

    /// A tile of the C2SP tlog-tiles layout as its bytes (`None` when the log has no such tile
    /// yet): hashes of a level, or an entry bundle.
    pub fn tile_bytes(&self, tile: &ledger::TileRef) -> Result<Option<Vec<u8>>, ArchiveError> {
        match tile.level {
            Some(level) => self.tile(level, tile.index, tile.width),
            None => self.entries(tile.index, tile.width),
        }
    }

    /// Checks the stored tree hashes against the leaves: a description of the first that
    /// differs, or `None`.
    pub fn check_hashes(&self) -> Result<Option<String>, ArchiveError> {
        crate::hashes::check(&self.root.join("log"))
    }
}
