//! Writes the inputs each fuzz target's corpus starts from into `DIR/<target>/`: the example
//! corpus's files of the target's format and the made-up seeds of `fuzz_targets::seeds`.
//!
//! Usage: `cargo run -p fuzz-targets --bin fuzz-seeds -- fuzz/corpus`

use std::path::{Path, PathBuf};

fn main() {
    let Some(out) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: fuzz-seeds DIR (the corpus directory, for example fuzz/corpus)");
        std::process::exit(2);
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut examples: Vec<PathBuf> = match std::fs::read_dir(repo.join("examples")) {
        Ok(dir) => dir.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => fail(&repo.join("examples"), e),
    };
    examples.sort();
    let mut written = 0;
    for target in fuzz_targets::TARGETS {
        let dir = out.join(target);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            fail(&dir, e);
        }
        let wanted: &[&str] = match *target {
            "text" | "extract" => &["txt"],
            "jsonl" => &["jsonl"],
            "html" => &["html"],
            "feed" => &["xml"],
            "warc" => &["warc"],
            _ => &[],
        };
        for file in &examples {
            let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !wanted.contains(&ext) {
                continue;
            }
            let Some(name) = file.file_name() else {
                continue;
            };
            if let Err(e) = std::fs::copy(file, dir.join(name)) {
                fail(file, e);
            }
            written += 1;
        }
        for (i, seed) in fuzz_targets::seeds(target).into_iter().enumerate() {
            let path = dir.join(format!("seed-{i}"));
            if let Err(e) = std::fs::write(&path, seed) {
                fail(&path, e);
            }
            written += 1;
        }
    }
    eprintln!("{written} seed inputs written under {}", out.display());
}

fn fail(path: &Path, e: std::io::Error) -> ! {
    eprintln!("fuzz-seeds: {}: {e}", path.display());
    std::process::exit(1);
}
