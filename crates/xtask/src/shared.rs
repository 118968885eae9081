//! Where the labelled evaluation data is: `../shared/eval-data` beside the repository.

use std::path::PathBuf;

/// The evaluation data directory, or `None` (with a message) when it is absent.
pub fn eval_data() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::var_os("OMBUD_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared"))
        .join("eval-data");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "{}: the evaluation data is absent; nothing to measure (it lives in ../shared, never in the repository)",
            dir.display()
        );
        None
    }
}
