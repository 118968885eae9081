//! Tidy: the architecture's invariants, checked by machine. Pure crates gain no IO dependency,
//! dependencies point down the tiers, every source file says what it owns, no junk-drawer
//! modules, no ignored or panicking-by-design tests, and every data file names its source.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Tier of each crate; a crate may depend only on crates of a lower tier (model is 0).
fn tier(name: &str) -> Option<u8> {
    Some(match name {
        "model" => 0,
        "extract" | "geocode" | "merge" | "ledger" => 1,
        "sources" | "gazetteer" | "store" | "archive" => 2,
        "pipeline" => 3,
        "server" | "cli" => 4,
        "xtask" | "test-support" | "fuzz-targets" => 5,
        _ => return None,
    })
}

/// What the pure crates may not use: IO, clocks, async runtimes, databases, randomness,
/// terminals, process-level error handling.
const NOT_PURE: &[&str] = &[
    "tokio",
    "sqlx",
    "async-std",
    "smol",
    "reqwest",
    "hyper",
    "ureq",
    "rusqlite",
    "tempfile",
    "walkdir",
    "rand",
    "getrandom",
    "tracing-subscriber",
    "indicatif",
    "clap",
    "anyhow",
    "dirs",
    "notify",
    "memmap2",
    "sources",
    "gazetteer",
    "store",
    "archive",
];

fn metadata() -> Value {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

#[test]
fn dependencies_point_down_and_pure_crates_stay_pure() {
    let meta = metadata();
    for package in meta["packages"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap();
        let Some(my_tier) = tier(name) else {
            panic!("crate {name} has no tier: add it to ARCHITECTURE.md and this test")
        };
        for dep in package["dependencies"].as_array().unwrap() {
            if dep["kind"].as_str() == Some("dev") {
                continue;
            }
            let dep_name = dep["name"].as_str().unwrap();
            if let Some(dep_tier) = tier(dep_name) {
                // The one edge within a tier: the CLI's `serve` starts the server face.
                let cli_serves = name == "cli" && dep_name == "server";
                assert!(
                    dep_tier < my_tier || my_tier == 5 || cli_serves,
                    "{name} (tier {my_tier}) depends on {dep_name} (tier {dep_tier}): dependencies point down only"
                );
            }
            if my_tier == 1 {
                assert!(
                    !NOT_PURE.contains(&dep_name),
                    "pure crate {name} depends on {dep_name}: pure crates do no IO and need no runtime"
                );
                assert!(
                    tier(dep_name).is_none_or(|t| t == 0),
                    "pure crate {name} depends on {dep_name}: pure crates share only model"
                );
            }
        }
    }
}

/// The faces (the CLI and the server) reach the record only through `pipeline`'s façade: of
/// ombud's crates they depend on `pipeline` and `model` (and the CLI on the server it starts),
/// nothing else.
#[test]
fn faces_use_only_the_facade() {
    let meta = metadata();
    for package in meta["packages"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap();
        if tier(name) != Some(4) {
            continue;
        }
        for dep in package["dependencies"].as_array().unwrap() {
            let dep_name = dep["name"].as_str().unwrap();
            if dep["kind"].as_str() == Some("dev") || tier(dep_name).is_none() {
                continue;
            }
            assert!(
                ["pipeline", "model", "test-support"].contains(&dep_name)
                    || (name == "cli" && dep_name == "server"),
                "face {name} depends on {dep_name}: faces call pipeline::Service and use model's types"
            );
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_source_file_says_what_it_owns() {
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    assert!(files.len() > 30);
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(
            text.starts_with("//!"),
            "{} lacks its //! header line",
            f.display()
        );
        let name = f.file_name().unwrap().to_string_lossy();
        assert!(
            !["utils.rs", "helpers.rs", "common.rs", "misc.rs"].contains(&name.as_ref()),
            "{}: name a module after what it owns",
            f.display()
        );
        let ignore = ["#[", "ignore]"].concat();
        let should_panic = ["#[", "should_panic"].concat();
        let todo = ["todo", "!("].concat();
        for (bad, why) in [
            (ignore, "assert today's behaviour instead"),
            (should_panic, "assert the error instead"),
            (todo, "finish it or say not yet"),
        ] {
            assert!(
                !text.contains(&bad),
                "{} contains {bad}: {why}",
                f.display()
            );
        }
    }
}

#[test]
fn data_files_name_their_source() {
    let dirs = [
        "crates/extract/lexicons",
        "crates/gazetteer/data",
        "crates/geocode/data",
        "crates/model/data",
        "crates/pipeline/data",
    ];
    for dir in dirs {
        for entry in std::fs::read_dir(root().join(dir)).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "tsv" || e == "txt") {
                let text = std::fs::read_to_string(&path).unwrap();
                let head: String = text
                    .lines()
                    .take_while(|l| l.starts_with('#'))
                    .collect::<Vec<_>>()
                    .join("\n")
                    .to_lowercase();
                assert!(
                    !head.is_empty(),
                    "{}: begin with # lines saying what it is and where it comes from",
                    path.display()
                );
                assert!(
                    [
                        "source",
                        "geonames",
                        "ombud project",
                        "compiled by",
                        "from ",
                        "shipped by",
                        "pypi",
                        "npm",
                    ]
                    .iter()
                    .any(|w| head.contains(w)),
                    "{}: the header names no source",
                    path.display()
                );
            }
        }
    }
}
