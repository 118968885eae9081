//! The data directory: the SQLite database, the archive and the log's signing key, in one place.

use std::path::{Path, PathBuf};

use crate::PipelineError;

/// Where ombud keeps its state (`--data-dir`, `OMBUD_DATA`, default `./ombud-data`).
#[derive(Clone, Debug)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Creates the directory if needed.
    pub fn open(root: &Path) -> Result<DataDir, PipelineError> {
        std::fs::create_dir_all(root).map_err(|source| PipelineError::Io {
            path: root.to_path_buf(),
            source,
        })?;
        Ok(DataDir {
            root: root.to_path_buf(),
        })
    }

    /// The data directory at `root`, whether or not it exists yet (nothing is created).
    pub fn at(root: &Path) -> DataDir {
        DataDir {
            root: root.to_path_buf(),
        }
    }

    /// True when files can be made in the data directory at `root` (false on read-only media
    /// or without the right; a directory that does not exist yet can be made if its parent is
    /// writable).
    pub fn writable(root: &Path) -> bool {
        let dir = if root.exists() {
            root.to_path_buf()
        } else {
            match root.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            }
        };
        let probe = dir.join(format!(".ombud-write-check-{}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&probe)
        {
            Ok(_) => {
                let _ = std::fs::remove_file(&probe);
                true
            }
            Err(e) => e.kind() == std::io::ErrorKind::AlreadyExists,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn database(&self) -> PathBuf {
        self.root.join("ombud.db")
    }

    pub fn archive_dir(&self) -> PathBuf {
        self.root.join("archive")
    }

    /// How many blobs the archive's log holds, read without opening (or creating) anything:
    /// 0 when there is no log yet.
    pub fn logged_leaves(&self) -> Result<usize, PipelineError> {
        let path = self.archive_dir().join("log").join("leaves");
        match std::fs::read(&path) {
            Ok(bytes) => Ok(archive::read_leaves(&bytes, &path)?.len()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(source) => Err(PipelineError::Io { path, source }),
        }
    }

    /// Where the archive log's signing key lives: beside the archive, not in it, so a copy of the
    /// archive given to others for checking does not carry the key.
    pub fn signing_key(&self) -> PathBuf {
        self.root.join("keys").join("log-signing-key")
    }

    /// Where gazetteer files the user added live (`ombud gazetteer import`).
    pub fn gazetteer_dir(&self) -> PathBuf {
        self.root.join("gazetteer")
    }

    /// The gazetteer files the user added, in name order.
    pub fn gazetteer_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.gazetteer_dir())
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    }

    /// This data directory as a witness of other logs: its witness key and what it cosigned,
    /// kept beside the log's key.
    pub fn witness(&self) -> archive::Witness {
        archive::Witness::at(&self.root.join("keys"))
    }

    pub fn archive(&self) -> Result<archive::Archive, PipelineError> {
        Ok(archive::Archive::open(&self.archive_dir())?.with_signing_key(self.signing_key()))
    }
}
