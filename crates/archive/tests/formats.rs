//! Every durable format of the log, as committed fixtures (`tests/fixtures/`), read by this
//! ombud: the leaves file without and with its header, the stored tree hashes, and the record
//! of the checkpoint signed last without and with its header. Appending keeps each file's
//! format and the old checkpoints provable.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::fs;
use std::path::{Path, PathBuf};

use archive::{Archive, Checkpoint, sha256_hex};

const ROOT3: &str = "a0a0679a3fc1cef03fdd548b3e7f3d39b7dea5e0044a4a83294d910a7507c8b7";
const ROOT5: &str = "7a7d6c0c508786d7ee8078fdb1ef49a85be840fee23811d1296a1a0080dc9c92";

/// A data directory holding the fixture's files where ombud keeps them.
fn from_fixture(name: &str) -> (PathBuf, Archive) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dir = std::env::temp_dir().join(format!("ombud-formats-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let log = dir.join("archive/log");
    fs::create_dir_all(&log).unwrap();
    fs::create_dir_all(dir.join("keys")).unwrap();
    fs::write(dir.join("archive/VERSION"), "ombud-archive 1\n").unwrap();
    for f in ["leaves", "hashes"] {
        if fixture.join(f).exists() {
            fs::copy(fixture.join(f), log.join(f)).unwrap();
        }
    }
    fs::copy(fixture.join("log-signed"), dir.join("keys/log-signed")).unwrap();
    let archive = Archive::open(&dir.join("archive"))
        .unwrap()
        .with_signing_key(dir.join("keys/log-signing-key"));
    (dir, archive)
}

fn digests(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| sha256_hex(format!("fixture report {i}").as_bytes()))
        .collect()
}

fn reads_and_extends(name: &str, size: usize, root: &str) {
    let (dir, archive) = from_fixture(name);
    assert_eq!(archive.log_leaves().unwrap(), digests(size));
    let cp = Checkpoint {
        size: size as u64,
        root: root.to_string(),
    };
    assert_eq!(archive.checkpoint().unwrap(), cp);
    assert_eq!(archive.checkpoint_from_leaves().unwrap(), cp);
    assert_eq!(archive.check_signed_history().unwrap(), Some(cp.clone()));
    assert_eq!(archive.check_hashes().unwrap(), None);
    for d in digests(size) {
        assert!(archive.prove(&d).unwrap().verify(), "{name}: {d}");
    }
    let before = fs::read(dir.join("archive/log/leaves")).unwrap();
    // A new blob: logged in the file's own format, the old checkpoint still provable.
    let sha = archive.stage(b"a later report").unwrap().sha256;
    archive.commit(std::slice::from_ref(&sha)).unwrap();
    let after = fs::read(dir.join("archive/log/leaves")).unwrap();
    assert_eq!(
        &after[..before.len()],
        &before[..],
        "{name}: the old lines stay"
    );
    assert_eq!(&after[before.len()..], format!("{sha}\n").as_bytes());
    assert!(archive.consistency(&cp).unwrap().verify());
    assert_eq!(archive.check_hashes().unwrap(), None);
    assert_eq!(
        archive.checkpoint().unwrap(),
        archive.checkpoint_from_leaves().unwrap()
    );
    // Signing writes the record in the current format and the log still extends it.
    archive.signed_checkpoint().unwrap();
    let record = fs::read_to_string(dir.join("keys/log-signed")).unwrap();
    assert!(record.starts_with("ombud-log-signed 1\n"), "{record:?}");
    assert!(archive.check_signed_history().unwrap().is_some());
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_log_from_before_headers_reads_and_grows_as_it_was() {
    reads_and_extends("log-v0", 3, ROOT3);
}

#[test]
fn a_version_1_log_with_its_tree_hashes_reads_and_grows() {
    reads_and_extends("log-v1", 5, ROOT5);
}

#[test]
fn a_new_log_starts_with_its_header_and_another_version_is_refused() {
    let dir = std::env::temp_dir().join(format!("ombud-formats-new-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let archive = Archive::open(&dir).unwrap();
    let leaves = fs::read_to_string(dir.join("log/leaves")).unwrap();
    assert_eq!(leaves.len(), 65);
    assert!(leaves.starts_with("ombud-log-leaves 1 "));
    let sha = archive.stage(b"report").unwrap().sha256;
    archive.commit(std::slice::from_ref(&sha)).unwrap();
    assert_eq!(archive.log_leaves().unwrap(), vec![sha]);
    let v2 = leaves.replace("leaves 1", "leaves 2");
    fs::write(dir.join("log/leaves"), v2).unwrap();
    let err = archive.log_leaves().unwrap_err().to_string();
    assert!(
        err.contains("not that of a leaves file this ombud reads"),
        "{err}"
    );
    fs::remove_dir_all(&dir).unwrap();
}
