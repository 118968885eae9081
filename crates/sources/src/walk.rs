//! Inputs from the command line: files, directories walked recursively in a stable order, stdin.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::SourcesError;

/// The largest single input ombud reads (256 MiB); bigger files are rejected, not truncated.
pub const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// The most of an input in `format` ombud reads before refusing it, so that a file far too long
/// costs no more memory than one at the limit. A text file is one document, so its limit is the
/// text limit (and room for its header lines); an HTML file is one page, held to what a WARC
/// record's page may be (32 MiB, markup and inline images included); feeds and archives hold
/// many documents and keep the general limit.
pub fn max_input_bytes(format: crate::Format) -> u64 {
    match format {
        crate::Format::Text => crate::MAX_TEXT_BYTES as u64 + 64 * 1024,
        crate::Format::Html => 32 * 1024 * 1024,
        _ => MAX_INPUT_BYTES,
    }
}

/// One input to read: a file, or stdin when `path` is `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    pub path: Option<PathBuf>,
}

impl InputFile {
    /// How the input is named in messages and in the document record's origin.
    pub fn origin(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "-".to_string(), |p| p.display().to_string())
    }

    /// Reads the whole input, refusing more than `MAX_INPUT_BYTES`.
    pub fn read(&self) -> Result<Vec<u8>, SourcesError> {
        match &self.path {
            Some(path) => {
                let file = std::fs::File::open(path).map_err(|source| SourcesError::Io {
                    path: path.clone(),
                    source,
                })?;
                read_capped(file, &self.origin(), MAX_INPUT_BYTES).map_err(|e| with_path(e, path))
            }
            None => read_capped(std::io::stdin().lock(), "-", MAX_INPUT_BYTES),
        }
    }
}

fn with_path(e: SourcesError, path: &Path) -> SourcesError {
    match e {
        SourcesError::Io { source, .. } => SourcesError::Io {
            path: path.to_path_buf(),
            source,
        },
        other => other,
    }
}

/// Reads at most `limit` bytes; more is an error rather than a silent truncation.
pub fn read_capped(reader: impl Read, origin: &str, limit: u64) -> Result<Vec<u8>, SourcesError> {
    let mut buf = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|source| SourcesError::Io {
            path: PathBuf::from(origin),
            source,
        })?;
    if buf.len() as u64 > limit {
        return Err(SourcesError::TooLarge {
            origin: origin.to_string(),
            limit,
        });
    }
    Ok(buf)
}

/// Expands the given paths (`-` is stdin) into input files: directories recursively, sorted, with
/// hidden entries (starting with `.`) and `README.md` files skipped. Paths that do not exist come
/// back as errors, in order, so the caller can report them and go on.
pub fn collect_inputs(paths: &[PathBuf]) -> Vec<Result<InputFile, SourcesError>> {
    let mut out = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            out.push(Ok(InputFile { path: None }));
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk_dir(path, &mut out),
            Ok(_) => out.push(Ok(InputFile {
                path: Some(path.clone()),
            })),
            Err(source) => out.push(Err(SourcesError::Io {
                path: path.clone(),
                source,
            })),
        }
    }
    out
}

fn walk_dir(dir: &Path, out: &mut Vec<Result<InputFile, SourcesError>>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(source) => {
            out.push(Err(SourcesError::Io {
                path: dir.to_path_buf(),
                source,
            }));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with('.') || name.eq_ignore_ascii_case("README.md") {
            continue;
        }
        if path.is_dir() {
            walk_dir(&path, out);
        } else {
            out.push(Ok(InputFile { path: Some(path) }));
        }
    }
}
