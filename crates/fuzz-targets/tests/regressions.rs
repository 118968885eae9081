//! Replays every input kept under `fuzz/regressions/<target>/` on stable: the crashers the fuzzers
//! found (after their fix) and a sample of each target's corpus. A new crasher is kept by copying
//! it there (see `fuzz/README.md`).

use std::path::PathBuf;

fn kept(target: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.map(|e| e.path()).unwrap_or_else(|e| panic!("{e}")))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_kept_input_passes_its_target() {
    let mut replayed = 0;
    for target in fuzz_targets::TARGETS {
        let files = kept(target);
        assert!(
            !files.is_empty(),
            "no inputs kept for the fuzz target {target}"
        );
        for file in files {
            let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            // A panic names the target and the file, so the failure can be replayed with
            // `cargo fuzz run <target> <file>`.
            let result = std::panic::catch_unwind(|| fuzz_targets::run(target, &data));
            assert!(
                result.is_ok(),
                "fuzz target {target} fails on {}",
                file.display()
            );
            replayed += 1;
        }
    }
    eprintln!("{replayed} kept fuzz inputs replayed");
}

#[test]
fn every_target_has_a_cargo_fuzz_entry() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))
        .unwrap_or_else(|e| panic!("fuzz/Cargo.toml: {e}"));
    for target in fuzz_targets::TARGETS {
        assert!(
            manifest.contains(&format!("name = \"{target}\"")),
            "fuzz/Cargo.toml has no [[bin]] for {target}"
        );
        let source = dir.join("fuzz_targets").join(format!("{target}.rs"));
        let text = std::fs::read_to_string(&source)
            .unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        assert!(
            text.contains(&format!("fuzz_targets::run(\"{target}\"")),
            "{} does not run its target",
            source.display()
        );
    }
}
