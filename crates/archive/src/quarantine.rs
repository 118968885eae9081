//! Quarantine: the bytes of inputs that gave no document (not UTF-8, binary, empty, unreadable
//! markup), kept apart from the evidence archive. They are not logged, so they never become part
//! of what the log proves forever; they stay long enough for a person to see what was refused
//! (`ombud documents --rejected`) and are removed with a logged reason (`ombud purge`).
//!
//! Layout: `<archive>/quarantine/<sha256>` holds the bytes, `<sha256>.json` what was refused and
//! why ([`Quarantined`]), each written atomically.

use std::fs;
use std::path::PathBuf;

use crate::{Archive, ArchiveError, BlobWriter, Stored, io, write_atomic};

/// The format of a quarantine record (its `format` field).
const FORMAT: &str = "ombud-quarantine 1";

/// An input held in quarantine: where it came from, how large, when and why it was refused.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Quarantined {
    /// The record's format, `ombud-quarantine 1`.
    pub format: String,
    pub sha256: String,
    pub origin: String,
    pub bytes: u64,
    /// When it was refused, RFC 3339 UTC.
    pub at: String,
    /// Each reason the readers gave, as they said it.
    pub reasons: Vec<String>,
}

impl Archive {
    fn quarantine_dir(&self) -> PathBuf {
        self.root.join("quarantine")
    }

    /// The inputs in quarantine, oldest first (by time, then digest).
    pub fn quarantined(&self) -> Result<Vec<Quarantined>, ArchiveError> {
        let dir = self.quarantine_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&dir)(e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let path = entry.map_err(io(&dir))?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') || !name.ends_with(".json") {
                continue;
            }
            let text = fs::read_to_string(&path).map_err(io(&path))?;
            let record: Quarantined =
                serde_json::from_str(&text).map_err(|e| ArchiveError::DamagedLog {
                    path: path.clone(),
                    line: e.line(),
                    problem: format!("not a quarantine record: {e}"),
                })?;
            if record.format != FORMAT {
                return Err(ArchiveError::DamagedLog {
                    path: path.clone(),
                    line: 1,
                    problem: format!(
                        "a quarantine record of format {:?}, not {FORMAT:?}",
                        record.format
                    ),
                });
            }
            out.push(record);
        }
        out.sort_by(|a, b| (&a.at, &a.sha256).cmp(&(&b.at, &b.sha256)));
        Ok(out)
    }

    /// The bytes of a quarantined input.
    pub fn quarantined_bytes(&self, sha256: &str) -> Result<Vec<u8>, ArchiveError> {
        self.path_of(sha256)?; // checks the digest's form
        let path = self.quarantine_dir().join(sha256);
        fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ArchiveError::Missing {
                sha256: sha256.to_string(),
            },
            _ => io(&path)(e),
        })
    }

    /// Removes a quarantined input, bytes and record; false when it was not there.
    pub fn purge(&self, sha256: &str) -> Result<bool, ArchiveError> {
        self.path_of(sha256)?;
        let dir = self.quarantine_dir();
        let bytes = dir.join(sha256);
        let record = dir.join(format!("{sha256}.json"));
        let mut found = false;
        // The record last: a crash between the two leaves a record a re-run purges.
        for path in [&bytes, &record] {
            match fs::remove_file(path) {
                Ok(()) => found = true,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(path)(e)),
            }
        }
        crate::sync_dir(&dir);
        Ok(found)
    }
}

impl BlobWriter {
    /// Keeps the written bytes in quarantine instead of the archive, with why they were
    /// refused: they are not logged. Bytes the archive already holds (logged before) stay
    /// where they are and nothing is quarantined.
    pub fn quarantine(
        mut self,
        origin: &str,
        at: &str,
        reasons: Vec<String>,
    ) -> Result<Stored, ArchiveError> {
        let (sha256, size) = self.digest()?;
        let archived = self.archive.path_of(&sha256)?;
        if fs::metadata(&archived).is_ok_and(|m| m.len() == size) {
            let _ = fs::remove_file(&self.tmp);
            self.finished = true;
            return Ok(Stored {
                sha256,
                size,
                new: false,
            });
        }
        let dir = self.archive.quarantine_dir();
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(&sha256);
        let new = !fs::metadata(&path).is_ok_and(|m| m.len() == size);
        if new {
            self.file.get_ref().sync_all().map_err(io(&self.tmp))?;
            fs::rename(&self.tmp, &path).map_err(io(&path))?;
        } else {
            let _ = fs::remove_file(&self.tmp);
        }
        self.finished = true;
        let record = Quarantined {
            format: FORMAT.to_string(),
            sha256: sha256.clone(),
            origin: origin.to_string(),
            bytes: size,
            at: at.to_string(),
            reasons,
        };
        let json = serde_json::to_vec_pretty(&record).map_err(|e| ArchiveError::Io {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        write_atomic(&dir.join(format!("{sha256}.json")), &json)?;
        Ok(Stored { sha256, size, new })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::Write;

    use crate::Archive;

    #[test]
    fn quarantined_bytes_are_kept_apart_unlogged_and_purged() {
        let dir = std::env::temp_dir().join(format!("ombud-quarantine-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let archive = Archive::open(&dir).unwrap();
        let mut w = archive.stage_writer().unwrap();
        w.write_all(b"\x00\x01 not a report").unwrap();
        let held = w
            .quarantine(
                "in/program.bin",
                "2026-12-03T10:00:00Z",
                vec!["binary".into()],
            )
            .unwrap();
        assert!(held.new);
        assert!(archive.log_leaves().unwrap().is_empty(), "not logged");
        assert!(
            archive.unlogged().unwrap().is_empty(),
            "not an archived blob"
        );
        assert!(
            archive.leftovers().unwrap().is_empty(),
            "no temporary file left"
        );
        let listed = archive.quarantined().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].origin, "in/program.bin");
        assert_eq!(listed[0].bytes, 15);
        assert_eq!(
            archive.quarantined_bytes(&held.sha256).unwrap(),
            b"\x00\x01 not a report"
        );
        // Bytes the archive already holds as evidence are not quarantined again.
        let logged = archive.put(b"a report").unwrap();
        let mut w = archive.stage_writer().unwrap();
        w.write_all(b"a report").unwrap();
        let same = w
            .quarantine("again.txt", "2026-12-03T10:01:00Z", vec![])
            .unwrap();
        assert_eq!(same.sha256, logged.sha256);
        assert!(!same.new);
        assert_eq!(archive.quarantined().unwrap().len(), 1);
        assert!(archive.purge(&held.sha256).unwrap());
        assert!(!archive.purge(&held.sha256).unwrap());
        assert!(archive.quarantined().unwrap().is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
