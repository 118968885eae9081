//! Criterion bench of extraction over a committed corpus written by the project (the example
//! reports and the phenomenon cases), reported as throughput in bytes per second.
//! `cargo bench -p extract`; `cargo xtask bench` measures the larger GeoWebNews + LGL corpus.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use extract::{ExtractInput, Extractor};
use model::Date;

/// The project's own texts: example reports and test cases.
fn corpus() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = Vec::new();
    for dir in [root.join("../../examples"), root.join("test_data")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            if path.extension().is_some_and(|e| e == "txt")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                docs.extend(
                    text.split("=== ")
                        .filter(|t| !t.trim().is_empty())
                        .map(str::to_string),
                );
            }
        }
    }
    docs
}

fn bench(c: &mut Criterion) {
    let extractor = Extractor::new();
    let docs = corpus();
    let bytes: usize = docs.iter().map(String::len).sum();
    let published = Date::new(2020, 10, 4);
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("corpus", |b| {
        b.iter(|| {
            docs.iter()
                .map(|text| {
                    extractor
                        .extract(&ExtractInput {
                            text,
                            published,
                            language: Some("en"),
                            toponyms: &[],
                        })
                        .claims
                        .len()
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
