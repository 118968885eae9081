//! Witnessing another ombud's log: its signed checkpoint is checked with the log's key, then for
//! consistency with the last checkpoint of that log this witness cosigned (a proof built from
//! the log's published tiles, C2SP tlog-tiles), and only then cosigned (C2SP tlog-cosignature).
//! What the witness cosigned last is kept per log beside its key, so it never cosigns two
//! histories of one log.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ledger::{Hash, TileRef};

use crate::{ArchiveError, Checkpoint, check_signed_checkpoint, io, temp_in, write_atomic};

const KEY_HEADER: &str = "ombud-witness-key 1";
const STATE_HEADER: &str = "ombud-witnessed 1\n";

/// Why a checkpoint was not cosigned.
#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    #[error("the checkpoint is not signed by the log's key: {0}")]
    NotTheLogs(ledger::NoteError),
    #[error(
        "the checkpoint of {origin} (size {size}) is smaller than the one this witness cosigned last (size {last}): the log was rolled back, or this is another history"
    )]
    RolledBack {
        origin: String,
        size: u64,
        last: u64,
    },
    #[error(
        "the checkpoint of {origin} is not consistent with the one this witness cosigned last (size {last}, root {last_root}): the log forked, and this witness will not cosign both histories"
    )]
    Inconsistent {
        origin: String,
        last: u64,
        last_root: String,
    },
    #[error("{}: a tile needed to check consistency is missing or short ({tile})", dir.display())]
    MissingTile { dir: PathBuf, tile: String },
    #[error(transparent)]
    Archive(#[from] ArchiveError),
}

/// A witness: its key and what it cosigned, kept in `dir` (a data directory's `keys/`).
#[derive(Clone, Debug)]
pub struct Witness {
    dir: PathBuf,
}

/// Reads the nodes of the tree of `size` leaves from a folder of tiles.
struct TileDir<'a> {
    dir: &'a Path,
    size: u64,
}

impl TileDir<'_> {
    /// The hashes of tile `index` at `level` as wide as the tree of `size` has it, from that
    /// tile's file or a wider one (a full tile, or a partial tile of a larger tree: tiles of one
    /// log only grow).
    fn tile(&self, level: u32, index: u64) -> Result<Vec<u8>, WitnessError> {
        let width = ledger::tile_width(level, index, self.size);
        let mut widths = vec![width, ledger::TILE_WIDTH];
        widths.extend(width + 1..ledger::TILE_WIDTH);
        for w in widths {
            let tile = TileRef {
                level: Some(level),
                index,
                width: w,
            };
            if let Ok(bytes) = fs::read(self.dir.join(tile.path()))
                && bytes.len() as u64 == w * 32
            {
                return Ok(bytes[..(width * 32) as usize].to_vec());
            }
        }
        Err(WitnessError::MissingTile {
            dir: self.dir.to_path_buf(),
            tile: TileRef {
                level: Some(level),
                index,
                width,
            }
            .path(),
        })
    }

    /// The complete subtree of height `level`, index `k`: a run of entries of one tile, hashed
    /// up to the levels between tile levels.
    fn node(&self, level: u32, k: u64) -> Result<Hash, WitnessError> {
        let (tile_level, below) = (level / ledger::TILE_HEIGHT, level % ledger::TILE_HEIGHT);
        let first = k << below;
        let count = 1u64 << below;
        let index = first / ledger::TILE_WIDTH;
        let bytes = self.tile(tile_level, index)?;
        let start = ((first % ledger::TILE_WIDTH) * 32) as usize;
        let end = start + (count * 32) as usize;
        let Some(run) = bytes.get(start..end) else {
            return Err(WitnessError::MissingTile {
                dir: self.dir.to_path_buf(),
                tile: format!("node {k} at height {level}"),
            });
        };
        let hashes: Vec<Hash> = run
            .chunks(32)
            .map(|c| c.try_into().unwrap_or([0u8; 32]))
            .collect();
        Ok(ledger::root(&hashes))
    }
}

impl Witness {
    pub fn at(dir: &Path) -> Witness {
        Witness {
            dir: dir.to_path_buf(),
        }
    }

    fn key_path(&self) -> PathBuf {
        self.dir.join("witness-key")
    }

    /// The witness's name and signing key, made on first use (readable by the owner only).
    fn key(&self) -> Result<(String, [u8; 32]), ArchiveError> {
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
                    return Err(damaged(1, "not an ombud witness key file"));
                }
                let name = lines
                    .next()
                    .filter(|n| !n.is_empty() && !n.contains([' ', '+']))
                    .ok_or_else(|| damaged(2, "no witness name"))?;
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
                let public = ledger::witness_verifier_key("k", &seed);
                let tag = ledger::to_hex(&ledger::leaf_hash(public.as_bytes()));
                let name = format!("ombud-witness-{}", &tag[..8]);
                fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
                let tmp = temp_in(&self.dir, "witness-key");
                let mut options = fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(&tmp).map_err(io(&tmp))?;
                writeln!(file, "{KEY_HEADER}\n{name}\n{}", ledger::to_hex(&seed))
                    .map_err(io(&tmp))?;
                file.sync_all().map_err(io(&tmp))?;
                drop(file);
                let linked = fs::hard_link(&tmp, &path);
                let _ = fs::remove_file(&tmp);
                match linked {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(io(&path)(e)),
                }
                self.key()
            }
            Err(e) => Err(io(&path)(e)),
        }
    }

    /// The key others check this witness's cosignatures with (C2SP vkey, algorithm 0x04).
    pub fn verifier_key(&self) -> Result<String, ArchiveError> {
        let (name, seed) = self.key()?;
        Ok(ledger::witness_verifier_key(&name, &seed))
    }

    /// Where what was cosigned last of the log `origin` is kept.
    fn state_path(&self, origin: &str) -> PathBuf {
        let safe: String = origin
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join("witnessed").join(safe)
    }

    fn last_cosigned(&self, origin: &str) -> Result<Option<Checkpoint>, ArchiveError> {
        let path = self.state_path(origin);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(&path)(e)),
        };
        let line = text
            .strip_prefix(STATE_HEADER)
            .and_then(|b| b.strip_suffix('\n'))
            .and_then(|l| l.split_once(' '));
        match line {
            Some((size, root)) if ledger::from_hex(root).is_some() => match size.parse() {
                Ok(size) => Ok(Some(Checkpoint {
                    size,
                    root: root.to_string(),
                })),
                Err(_) => Err(ArchiveError::DamagedLog {
                    path,
                    line: 2,
                    problem: "not a size and a root".into(),
                }),
            },
            _ => Err(ArchiveError::DamagedLog {
                path,
                line: 2,
                problem: "not a size and a root".into(),
            }),
        }
    }

    /// Cosigns `note` at `now` (seconds since the epoch) after checking it is signed by
    /// `log_key` and consistent with the checkpoint of that log this witness cosigned last,
    /// with a proof built from the log's tiles in `tiles`. Returns the note with the
    /// cosignature added, the checkpoint, and the one cosigned before.
    pub fn cosign(
        &self,
        note: &str,
        log_key: &str,
        tiles: Option<&Path>,
        now: u64,
    ) -> Result<(String, Checkpoint, Option<Checkpoint>), WitnessError> {
        let (origin, cp) =
            check_signed_checkpoint(note, log_key).map_err(WitnessError::NotTheLogs)?;
        let last = self.last_cosigned(&origin)?;
        if let Some(last) = &last {
            let inconsistent = || WitnessError::Inconsistent {
                origin: origin.clone(),
                last: last.size,
                last_root: last.root.clone(),
            };
            if cp.size < last.size {
                return Err(WitnessError::RolledBack {
                    origin: origin.clone(),
                    size: cp.size,
                    last: last.size,
                });
            }
            if cp.size == last.size {
                if cp.root != last.root {
                    return Err(inconsistent());
                }
            } else {
                let Some(dir) = tiles else {
                    return Err(WitnessError::MissingTile {
                        dir: PathBuf::from("(no --tiles given)"),
                        tile: "the log's tiles, to prove consistency".into(),
                    });
                };
                let reader = TileDir { dir, size: cp.size };
                let mut node = |l, k| reader.node(l, k);
                let proof = ledger::consistency_proof_from(cp.size, last.size, &mut node)?
                    .ok_or_else(inconsistent)?;
                let (Some(old_root), Some(new_root)) =
                    (ledger::from_hex(&last.root), ledger::from_hex(&cp.root))
                else {
                    return Err(inconsistent());
                };
                if !ledger::verify_consistency(last.size, cp.size, &proof, &old_root, &new_root) {
                    return Err(inconsistent());
                }
            }
        }
        let (name, seed) = self.key()?;
        let cosigned = ledger::cosign(note, &name, &seed, now).map_err(WitnessError::NotTheLogs)?;
        let path = self.state_path(&origin);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        write_atomic(
            &path,
            format!("{STATE_HEADER}{} {}\n", cp.size, cp.root).as_bytes(),
        )?;
        Ok((cosigned, cp, last))
    }
}
