//! What a proof costs as the log grows: an inclusion proof and a checkpoint from the stored tree
//! hashes (`log/hashes`, O(log n) reads), against re-hashing every leaf as ombud did before.
//! `cargo bench -p archive --bench proofs` (logs of 1,000, 100,000 and 1,000,000 leaves, built
//! in a temporary folder; the largest takes a few seconds to set up).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench fails loudly

use std::io::Write;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// An archive whose log holds `n` leaves (made-up digests written straight to the leaves file,
/// then one real blob committed, which builds the tree hashes).
fn log_of(n: u64) -> (std::path::PathBuf, archive::Archive, Vec<String>) {
    let dir = std::env::temp_dir().join(format!("ombud-bench-proofs-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    archive::Archive::open(&dir).unwrap();
    let digests: Vec<String> = (0..n)
        .map(|i| archive::sha256_hex(&i.to_le_bytes()))
        .collect();
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("log").join("leaves"))
        .unwrap();
    let mut text = String::with_capacity(digests.len() * 65);
    for d in &digests {
        text.push_str(d);
        text.push('\n');
    }
    file.write_all(text.as_bytes()).unwrap();
    drop(file);
    let archive = archive::Archive::open(&dir).unwrap();
    let one = archive.stage(b"one real report").unwrap().sha256;
    archive.commit(&[one]).unwrap();
    (dir, archive, digests)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("log");
    group.sample_size(20);
    for n in [1_000u64, 100_000, 1_000_000] {
        let (dir, archive, digests) = log_of(n);
        // The first proof reads where each digest sits; later ones only what was appended.
        archive.prove(&digests[0]).unwrap();
        let mut i = 0usize;
        group.bench_with_input(BenchmarkId::new("inclusion proof", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 7919) % digests.len();
                archive.prove(&digests[i]).unwrap()
            })
        });
        group.bench_with_input(BenchmarkId::new("checkpoint", n), &n, |b, _| {
            b.iter(|| archive.checkpoint().unwrap())
        });
        if n <= 100_000 {
            group.bench_with_input(
                BenchmarkId::new("checkpoint re-hashing every leaf", n),
                &n,
                |b, _| b.iter(|| archive.checkpoint_from_leaves().unwrap()),
            );
        }
        group.bench_with_input(
            BenchmarkId::new("tile 0 (256 leaf hashes)", n),
            &n,
            |b, _| b.iter(|| archive.tile(0, 1, 256).unwrap().unwrap()),
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
