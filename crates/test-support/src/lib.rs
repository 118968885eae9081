//! Helpers for ombud's tests and benchmarks: where `../shared` is (and whether a test may skip
//! without it), the repository root, temporary data directories, and synthetic reports.

mod hostile;
mod synthetic;

pub use hostile::{Hostile, hostile_corpus};
pub use synthetic::synthetic_report;
pub use tempfile::TempDir;

use std::path::{Path, PathBuf};

/// The repository root (the workspace directory).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from("."))
}

/// `../shared` beside the repository, holding the seed report and the labelled evaluation data.
///
/// Third-party text stays there and is never copied into the repository. Where it is absent (a
/// user's fresh clone) this returns `None` and the calling test says so and passes; under
/// `OMBUD_REQUIRE_SHARED=1` (set by `.ci/run`) its absence fails the test.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("OMBUD_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared"));
    if dir.join("seed").is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("OMBUD_REQUIRE_SHARED").as_deref() != Ok("1"),
        "{}: the shared seed and evaluation data are required (OMBUD_REQUIRE_SHARED=1) but absent",
        dir.display()
    );
    eprintln!(
        "note: {} is absent; skipping a test that needs the shared seed or evaluation data",
        dir.display()
    );
    None
}

/// The seed report the project started from, if `../shared` is present.
pub fn seed_report() -> Option<PathBuf> {
    shared_dir().map(|d| d.join("seed/000_e153fabdfcde9ad3.txt"))
}

/// A fresh temporary directory, removed when dropped.
pub fn temp_dir() -> TempDir {
    // Internal invariant: the system temp dir is writable in every test environment we run in.
    tempfile::Builder::new()
        .prefix("ombud-test-")
        .tempdir()
        .unwrap_or_else(|e| panic!("cannot create a temp dir: {e}"))
}

/// The bundled example corpus.
pub fn examples_dir() -> PathBuf {
    repo_root().join("examples")
}
