//! The proof that nothing was altered: every archived document re-hashed and found in the log,
//! the log's checkpoint, inclusion and consistency proofs, and signed checkpoints.

use std::collections::{HashMap, HashSet};

pub use archive::{Checkpoint, ConsistencyProof, InclusionProof, check_signed_checkpoint};

use crate::{Page, PipelineError, Service};

/// A document that failed verification.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    pub sha256: String,
    pub origin: String,
    pub problem: String,
}

/// What `verify` found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    pub documents: usize,
    /// Decisions checked: each one's logged bytes still say what its row says.
    pub decisions: usize,
    pub failed: Vec<Failure>,
    /// Decisions recorded before ombud logged decisions (schema 3 and earlier).
    pub unlogged_decisions: Vec<String>,
    /// Archived bytes not in the log: an interrupted ingest, logged when the input comes again.
    pub unlogged_blobs: Vec<String>,
    pub log: Checkpoint,
    /// Documents whose stored text was read again from their archived bytes and matched.
    pub texts_rederived: usize,
    /// Documents read by another ombud (whose readers may differ), so their stored text was
    /// not compared with this one's reading of their bytes.
    pub texts_other_reader: usize,
    /// Temporary files a killed write left in the archive (not part of the record; the next
    /// ingest removes them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub leftovers: Vec<String>,
    /// The last checkpoint signed with the log's key, which the log still extends (a log that
    /// does not is a failure).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed: Option<Checkpoint>,
    /// Logged sources withdrawn by a logged decision: their bytes are gone on purpose.
    pub withdrawn: usize,
}

/// What an inclusion proof says of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proven {
    pub proof: InclusionProof,
    /// True when the archived bytes still hash to the logged digest.
    pub intact: bool,
}

impl Service {
    /// Re-hashes every stored document's archived bytes and checks each is in the log.
    pub async fn verify(
        &self,
        on_progress: &mut dyn FnMut(usize),
    ) -> Result<VerifyReport, PipelineError> {
        let archive = self.archive()?;
        let leaves = archive.log_leaves()?;
        let mut failed = Vec::new();
        // Sources withdrawn by a logged decision: their bytes are gone on purpose.
        let decisions = self.store().decisions().await?;
        let withdrawn_blobs = crate::withdraw::withdrawn_by(&decisions);
        let mut withdrawn = 0;
        // Every leaf keeps its bytes, unchanged: a blob deleted or altered after it was logged
        // is named here, even when no document row points at it (a container such as a whole
        // JSON Lines file or feed, a decision, a rejected input). And each blob is logged once.
        let mut first_line: HashMap<&str, usize> = HashMap::with_capacity(leaves.len());
        let mut bad: HashSet<&str> = HashSet::new();
        for (i, leaf) in leaves.iter().enumerate() {
            if let Some(first) = first_line.insert(leaf.as_str(), i + 1) {
                first_line.insert(leaf.as_str(), first);
                failed.push(Failure {
                    sha256: leaf.clone(),
                    origin: "the log".to_string(),
                    problem: format!(
                        "logged twice, on lines {first} and {} of archive/log/leaves: a line was copied",
                        i + 1
                    ),
                });
                continue;
            }
            let was_withdrawn = withdrawn_blobs.contains(leaf.as_str());
            let problem = match archive.verify(leaf) {
                Ok(_) if was_withdrawn => Some(
                    "withdrawn by a logged decision, but its bytes are still here: run `ombud withdraw` again to finish",
                ),
                Ok(true) => None,
                Ok(false) => Some("logged, but its archived bytes no longer hash to their name"),
                Err(archive::ArchiveError::Missing { .. }) if was_withdrawn => {
                    withdrawn += 1;
                    None
                }
                Err(archive::ArchiveError::Missing { .. }) => {
                    Some("logged, but its archived bytes are gone")
                }
                Err(_) => Some("logged, but its archived bytes cannot be read"),
            };
            if let Some(problem) = problem {
                bad.insert(leaf.as_str());
                failed.push(Failure {
                    sha256: leaf.clone(),
                    origin: "the log".to_string(),
                    problem: problem.to_string(),
                });
            }
            if (i + 1) % 1000 == 0 {
                on_progress(i + 1);
            }
        }
        let mut checked = 0;
        let documents = self
            .each_document(&Default::default(), &Page::default(), &mut |d| {
                let logged = first_line.contains_key(d.sha256.as_str());
                let problem = if logged && bad.contains(d.sha256.as_str()) {
                    // Named above, as a leaf; say which document it is.
                    Some(
                        "its archived bytes are gone or altered (see the log's line above)"
                            .to_string(),
                    )
                } else if logged {
                    None
                } else {
                    match archive.verify(&d.sha256) {
                        Ok(true) => {
                            Some("not in the log: it was archived but never logged".to_string())
                        }
                        Ok(false) => {
                            Some("altered: the bytes no longer hash to their name".to_string())
                        }
                        Err(e) => Some(e.to_string()),
                    }
                };
                if let Some(problem) = problem {
                    failed.push(Failure {
                        sha256: d.sha256.clone(),
                        origin: d.origin.clone(),
                        problem,
                    });
                }
                checked += 1;
                if checked % 1000 == 0 {
                    on_progress(checked);
                }
                Ok(())
            })
            .await?;
        let mut unlogged_decisions = Vec::new();
        for d in &decisions {
            let Some(leaf) = &d.leaf else {
                unlogged_decisions.push(d.id.to_string());
                continue;
            };
            let problem = match archive.get(leaf) {
                Err(e) => Some(e.to_string()),
                Ok(bytes) if archive::sha256_hex(&bytes) != *leaf => {
                    Some("altered: the bytes no longer hash to their name".to_string())
                }
                Ok(_) if !first_line.contains_key(leaf.as_str()) => {
                    Some("not in the log".to_string())
                }
                Ok(bytes) => match model::Decision::from_log_bytes(&bytes) {
                    Some(l)
                        if l == (model::Decision {
                            leaf: None,
                            ..d.clone()
                        }) =>
                    {
                        None
                    }
                    Some(_) => Some(
                        "the database's row differs from the decision the log holds".to_string(),
                    ),
                    None => Some("the logged bytes are not a decision".to_string()),
                },
            };
            if let Some(problem) = problem {
                failed.push(Failure {
                    sha256: leaf.to_string(),
                    origin: format!("decision {}", d.id),
                    problem,
                });
            }
        }
        // The text `show` quotes lives in the database: read each document's archived bytes
        // again and check that they still give that text (a text edited in the database makes
        // a speaker say what he never said). Only documents this ombud's readers read can be
        // compared: another version's reader may give other text from the same bytes.
        let mut texts_rederived = 0;
        let mut texts_other_reader = 0;
        let mut after: Option<String> = None;
        loop {
            let page = self
                .store()
                .documents_to_reextract(&store::ReextractSelection::All, after.as_deref(), 500)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some(last.sha256.clone());
            for d in &page {
                if d.status == model::DocumentStatus::Withdrawn {
                    continue; // its text is gone with its bytes, on purpose
                }
                if d.ombud_version != crate::OMBUD_VERSION {
                    texts_other_reader += 1;
                    continue;
                }
                let Ok(bytes) = archive.get(&d.sha256) else {
                    continue; // named above: the bytes are gone or altered
                };
                if archive::sha256_hex(&bytes) != d.sha256 {
                    continue;
                }
                let Ok(format) = d.format.parse::<sources::Format>() else {
                    continue;
                };
                let read = sources::reread(&bytes, format, &d.origin);
                let problem = match read.documents.as_slice() {
                    [one] if Some(one.text.as_str()) == d.text.as_deref() => None,
                    [_] => Some(
                        "the stored text differs from what its archived bytes read as (edited in the database?)",
                    ),
                    _ => Some("its archived bytes no longer read as one document"),
                };
                match problem {
                    None => texts_rederived += 1,
                    Some(p) => failed.push(Failure {
                        sha256: d.sha256.clone(),
                        origin: d.origin.clone(),
                        problem: p.to_string(),
                    }),
                }
            }
        }
        // The log itself: it must still extend every checkpoint its key signed (a log deleted
        // and rebuilt, rolled back or rewritten does not).
        let signed = match archive.check_signed_history() {
            Ok(s) => s,
            Err(e) => {
                failed.push(Failure {
                    sha256: String::new(),
                    origin: "the log".to_string(),
                    problem: e.to_string(),
                });
                None
            }
        };
        // The keys the log was signed with: each rotation logged, signed by the key before it.
        if let Err(e) = archive.key_chain() {
            failed.push(Failure {
                sha256: String::new(),
                origin: "the log's keys".to_string(),
                problem: e.to_string(),
            });
        }
        // The stored tree hashes proofs are served from must be the leaves' (an edit of the
        // leaves shows here too: the hashes kept as they were appended no longer match).
        if let Some(problem) = archive.check_published()? {
            failed.push(Failure {
                sha256: String::new(),
                origin: "the log".to_string(),
                problem,
            });
        }
        if let Some(problem) = archive.check_hashes()? {
            failed.push(Failure {
                sha256: String::new(),
                origin: "the log".to_string(),
                problem,
            });
        }
        Ok(VerifyReport {
            withdrawn,
            texts_rederived,
            texts_other_reader,
            leftovers: archive
                .leftovers()?
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            signed,
            documents,
            decisions: decisions.len(),
            unlogged_decisions,
            failed,
            unlogged_blobs: archive.unlogged()?,
            log: archive.checkpoint_from_leaves()?,
        })
    }

    /// The log's checkpoint now.
    pub fn checkpoint(&self) -> Result<Checkpoint, PipelineError> {
        Ok(self.archive()?.checkpoint()?)
    }

    /// The proof that the document whose hash starts with `prefix` (8 or more hex digits) is in
    /// the log, and whether its bytes are intact.
    pub fn prove(&self, prefix: &str) -> Result<Proven, PipelineError> {
        let archive = self.archive()?;
        let prefix = prefix.to_ascii_lowercase();
        if prefix.len() < 8 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(PipelineError::BadArgument(format!(
                "{prefix:?}: give a document's SHA-256 or at least its first 8 hex digits"
            )));
        }
        // A whole digest is looked up; a prefix is matched against every leaf.
        let leaves = if prefix.len() == 64 {
            vec![prefix.clone()]
        } else {
            archive.log_leaves()?
        };
        let found: Vec<&String> = leaves.iter().filter(|d| d.starts_with(&prefix)).collect();
        let sha256 = match found.as_slice() {
            [one] => (*one).clone(),
            [] => {
                return Err(PipelineError::NotFound {
                    what: "logged document",
                    given: prefix,
                    hint: "`ombud documents` lists them",
                });
            }
            many => {
                return Err(PipelineError::Ambiguous {
                    what: "logged document",
                    given: prefix,
                    candidates: many.iter().map(|s| (*s).clone()).collect(),
                });
            }
        };
        let proof = match archive.prove(&sha256) {
            Err(archive::ArchiveError::NotLogged { .. }) => {
                return Err(PipelineError::NotFound {
                    what: "logged document",
                    given: prefix,
                    hint: "`ombud documents` lists them",
                });
            }
            other => other?,
        };
        // The proof says the digest is logged; the bytes must still be the ones logged.
        let intact = archive.verify(&sha256).unwrap_or(false);
        Ok(Proven { proof, intact })
    }

    /// Re-hashes the archived bytes of the first `upto` leaves of the log: the blobs a
    /// checkpoint of that size vouches for. Each one gone or altered is a failure.
    pub async fn check_logged_blobs(
        &self,
        upto: u64,
    ) -> Result<(usize, Vec<Failure>), PipelineError> {
        let withdrawn = self.withdrawn().await?;
        let archive = self.archive()?;
        let leaves = archive.log_leaves()?;
        let mut failed = Vec::new();
        let n = leaves
            .len()
            .min(usize::try_from(upto).unwrap_or(usize::MAX));
        for leaf in &leaves[..n] {
            let problem = match archive.verify(leaf) {
                Ok(true) => continue,
                Ok(false) => "its archived bytes no longer hash to their name",
                Err(archive::ArchiveError::Missing { .. }) if withdrawn.contains(leaf) => continue,
                Err(archive::ArchiveError::Missing { .. }) => "its archived bytes are gone",
                Err(_) => "its archived bytes cannot be read",
            };
            failed.push(Failure {
                sha256: leaf.clone(),
                origin: "the log".to_string(),
                problem: problem.to_string(),
            });
        }
        Ok((n, failed))
    }

    /// The proof that the log now extends `old`; `Ok(None)` when the log is shorter than it
    /// (documents were removed, or the checkpoint is another log's).
    pub fn consistency(&self, old: &Checkpoint) -> Result<Option<ConsistencyProof>, PipelineError> {
        match self.archive()?.consistency(old) {
            Ok(p) => Ok(Some(p)),
            Err(archive::ArchiveError::LogTooShort { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The checkpoint now, signed with the log's key (made on first use).
    pub fn signed_checkpoint(&self) -> Result<String, PipelineError> {
        Ok(self.archive()?.signed_checkpoint()?)
    }

    /// The checkpoint signed last, as its signed note; `None` before the first signing.
    pub fn published_checkpoint(&self) -> Result<Option<String>, PipelineError> {
        Ok(self.archive()?.published_checkpoint()?)
    }

    /// The bytes of a tile of the C2SP tlog-tiles layout, named by its path below the log's
    /// prefix (`tile/0/x001/234`, `tile/entries/000.p/17`); `None` for a path that names no
    /// tile, or one the log does not have yet.
    pub fn log_tile(&self, path: &str) -> Result<Option<Vec<u8>>, PipelineError> {
        let Some(tile) = archive::TileRef::parse(path) else {
            return Ok(None);
        };
        Ok(self.archive()?.tile_bytes(&tile)?)
    }

    /// Signs the checkpoint now and writes the log in the C2SP tlog-tiles layout under `dir`
    /// (`checkpoint`, `tile/<L>/<N>[.p/<W>]`, `tile/entries/...`), static files a web server
    /// can publish for transparency-log tools. Full tiles already there are kept (they never
    /// change); returns the checkpoint and the number of tiles written.
    pub fn write_tiles(&self, dir: &std::path::Path) -> Result<(Checkpoint, usize), PipelineError> {
        let archive = self.archive()?;
        let note = archive.signed_checkpoint()?;
        let (_, signed) = check_signed_checkpoint(&note, &archive.verifier_key()?)
            .map_err(|e| PipelineError::BadArgument(format!("the checkpoint just signed: {e}")))?;
        let size = signed.size;
        let io = |path: std::path::PathBuf| move |source| PipelineError::Io { path, source };
        std::fs::create_dir_all(dir).map_err(io(dir.to_path_buf()))?;
        let mut written = 0;
        let mut levels: Vec<Option<u32>> = vec![None];
        levels.extend((0..8).map(Some));
        for level in levels {
            let height = level.unwrap_or(0) * archive::TILE_HEIGHT;
            let nodes = if height >= 64 { 0 } else { size >> height };
            if nodes == 0 {
                continue;
            }
            for index in 0..nodes.div_ceil(archive::TILE_WIDTH) {
                let width = (nodes - index * archive::TILE_WIDTH).min(archive::TILE_WIDTH);
                let tile = archive::TileRef {
                    level,
                    index,
                    width,
                };
                let path = dir.join(tile.path());
                if width == archive::TILE_WIDTH && path.exists() {
                    continue;
                }
                let Some(bytes) = archive.tile_bytes(&tile)? else {
                    continue;
                };
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(io(parent.to_path_buf()))?;
                }
                std::fs::write(&path, bytes).map_err(io(path.clone()))?;
                written += 1;
            }
        }
        let path = dir.join("checkpoint");
        std::fs::write(&path, note.as_bytes()).map_err(io(path.clone()))?;
        Ok((signed, written))
    }

    /// The key others verify this log's signed checkpoints with.
    pub fn verifier_key(&self) -> Result<String, PipelineError> {
        Ok(self.archive()?.verifier_key()?)
    }

    /// Replaces the log's signing key; the new one is announced in the log by the old one.
    pub fn rotate_key(&self) -> Result<archive::KeyRotated, PipelineError> {
        Ok(self.archive()?.rotate_key()?)
    }

    /// The rotation statements of this log's keys, oldest first (each checked).
    pub fn key_chain(&self) -> Result<Vec<archive::KeyLink>, PipelineError> {
        Ok(self.archive()?.key_chain()?)
    }

    /// Checks a signed checkpoint against `key`, or, when a later key of this log signed it,
    /// against that key reached from `key` through the rotations logged since: the log's name,
    /// the checkpoint, and the rotations followed (empty when `key` signed it).
    pub fn check_signed_through_rotations(
        &self,
        note: &str,
        key: &str,
    ) -> Result<Result<SignedThrough, ledger::NoteError>, PipelineError> {
        let first = match check_signed_checkpoint(note, key) {
            Ok((origin, c)) => return Ok(Ok((origin, c, Vec::new()))),
            Err(e) => e,
        };
        if first != ledger::NoteError::NotSignedByKey {
            return Ok(Err(first));
        }
        let Some(links) = self.archive()?.rotations_from(key)? else {
            return Ok(Err(first));
        };
        for (n, (_, rotation)) in links.iter().enumerate() {
            match check_signed_checkpoint(note, &rotation.new_key) {
                Ok((origin, c)) => return Ok(Ok((origin, c, links[..=n].to_vec()))),
                Err(ledger::NoteError::NotSignedByKey) => continue,
                Err(e) => return Ok(Err(e)),
            }
        }
        Ok(Err(first))
    }
}

/// A signed checkpoint checked: the log's name, the checkpoint, and the key rotations followed
/// from the key given to the key that signed it.
pub type SignedThrough = (String, Checkpoint, Vec<archive::KeyLink>);

/// One witness a policy names, and what its cosignature of a checkpoint says.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Cosigned {
    /// The witness's verifier key, as the policy gives it.
    pub witness: String,
    /// When it cosigned (seconds since the epoch); `None` when it did not.
    pub at: Option<u64>,
    /// Why its cosignature line does not count, when it has one that fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Whether a checkpoint carries the cosignatures a policy requires.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PolicyReport {
    pub quorum: usize,
    pub witnesses: Vec<Cosigned>,
    pub met: bool,
}

/// Checks `note`'s cosignatures against a witness policy (the text of `file`): lines
/// `witness <verifier key>` name the witnesses, `quorum <n>` how many must have cosigned (every
/// one named, when absent); `#` starts a comment.
pub fn check_cosignatures(
    note: &str,
    policy: &str,
    file: &str,
) -> Result<PolicyReport, PipelineError> {
    let mut witnesses = Vec::new();
    let mut quorum = None;
    for (i, raw) in policy.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let bad = |message: String| PipelineError::Registry {
            origin: file.to_string(),
            line: i + 1,
            message,
        };
        match line.split_once(char::is_whitespace) {
            Some(("witness", key)) => witnesses.push(key.trim().to_string()),
            Some(("quorum", n)) => {
                quorum = Some(n.trim().parse::<usize>().map_err(|_| {
                    bad(format!(
                        "quorum {:?}: a whole number of witnesses",
                        n.trim()
                    ))
                })?);
            }
            _ => {
                return Err(bad(format!(
                    "{line:?}: expected `witness <verifier key>` or `quorum <n>`"
                )));
            }
        }
    }
    if witnesses.is_empty() {
        return Err(PipelineError::Registry {
            origin: file.to_string(),
            line: 1,
            message: "the policy names no witness (`witness <verifier key>` lines)".into(),
        });
    }
    let quorum = quorum.unwrap_or(witnesses.len());
    if quorum > witnesses.len() {
        return Err(PipelineError::Registry {
            origin: file.to_string(),
            line: 1,
            message: format!(
                "a quorum of {quorum} from {} witnesses can never be met",
                witnesses.len()
            ),
        });
    }
    let checked: Vec<Cosigned> = witnesses
        .into_iter()
        .map(|w| match ledger::cosignature_time(note, &w) {
            Ok(at) => Cosigned {
                witness: w,
                at,
                problem: None,
            },
            Err(e) => Cosigned {
                witness: w,
                at: None,
                problem: Some(e.to_string()),
            },
        })
        .collect();
    let met = checked.iter().filter(|c| c.at.is_some()).count() >= quorum;
    Ok(PolicyReport {
        quorum,
        witnesses: checked,
        met,
    })
}
