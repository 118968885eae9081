//! `cargo xtask bench`: throughput of extraction (and of geoparsing plus extraction) over real
//! news text, single-threaded and on N threads, in MB/s, words/s and documents/s.
//!
//! The corpus is the article text of GeoWebNews and LGL in `../shared/eval-data/geoparsing/`
//! (read in place, never copied); without it, the bundled examples are used.

use std::time::Instant;

use anyhow::Result;
use extract::ExtractInput;
use model::{Date, Toponym};
use pipeline::Reference;

/// Article texts of the geoparsing corpora, or the examples when those are absent.
fn corpus() -> Result<(Vec<String>, &'static str)> {
    if let Some(dir) = crate::shared::eval_data() {
        let mut docs = Vec::new();
        for file in ["geoparsing/lgl.xml", "geoparsing/GWN.xml"] {
            let xml = std::fs::read_to_string(dir.join(file))?;
            let mut rest = xml.as_str();
            while let Some(i) = rest.find("<text>") {
                let after = &rest[i + 6..];
                let Some(j) = after.find("</text>") else {
                    break;
                };
                docs.push(unescape(&after[..j]));
                rest = &after[j..];
            }
        }
        if !docs.is_empty() {
            return Ok((docs, "GeoWebNews + LGL article texts"));
        }
    }
    let mut docs = Vec::new();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "txt") {
            docs.push(std::fs::read_to_string(path)?);
        }
    }
    Ok((docs, "bundled examples"))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn words(docs: &[String]) -> usize {
    docs.iter().map(|d| d.split_whitespace().count()).sum()
}

/// Runs `f` over all documents on `jobs` threads, `rounds` times; returns seconds per round.
fn time<T: Sync>(items: &[T], jobs: usize, rounds: usize, f: impl Fn(&T) -> usize + Sync) -> f64 {
    let started = Instant::now();
    let mut sink = 0usize;
    for _ in 0..rounds {
        if jobs == 1 {
            sink += items.iter().map(&f).sum::<usize>();
        } else {
            let chunk = items.len().div_ceil(jobs);
            sink += std::thread::scope(|s| {
                let handles: Vec<_> = items
                    .chunks(chunk)
                    .map(|c| s.spawn(|| c.iter().map(&f).sum::<usize>()))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or(0))
                    .sum::<usize>()
            });
        }
    }
    std::hint::black_box(sink);
    started.elapsed().as_secs_f64() / rounds as f64
}

pub fn run(args: &[String]) -> Result<()> {
    let (docs, name) = corpus()?;
    let reference = Reference::load()?;
    let bytes: usize = docs.iter().map(String::len).sum();
    let n_words = words(&docs);
    let published = Date::new(2020, 10, 4);
    let toponyms: Vec<Vec<Toponym>> = docs
        .iter()
        .map(|d| {
            reference
                .gazetteer
                .geoparse(d, &geocode::GeoContext::default())
        })
        .collect();
    let pairs: Vec<(&String, &Vec<Toponym>)> = docs.iter().zip(&toponyms).collect();
    let rounds = args
        .iter()
        .find_map(|a| a.strip_prefix("--rounds="))
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let max_jobs = std::thread::available_parallelism().map_or(1, |n| n.get());

    println!(
        "corpus: {name}: {} documents, {:.2} MB, {} words; {rounds} rounds, release build",
        docs.len(),
        bytes as f64 / 1e6,
        n_words
    );
    let report = |what: &str, jobs: usize, secs: f64| {
        println!(
            "  {what:<34} jobs={jobs}  {:>7.2} MB/s  {:>9.0} words/s  {:>7.0} docs/s",
            bytes as f64 / secs / 1e6,
            n_words as f64 / secs,
            docs.len() as f64 / secs
        );
    };
    for jobs in [1, max_jobs] {
        let secs = time(&pairs, jobs, rounds, |(text, tops)| {
            let input = ExtractInput {
                text,
                published,
                language: Some("en"),
                toponyms: tops,
            };
            reference.extractor.extract(&input).claims.len()
        });
        report("extraction (places given)", jobs, secs);
        let secs = time(&docs, jobs, rounds, |text| {
            reference
                .gazetteer
                .geoparse(text, &geocode::GeoContext::default())
                .len()
        });
        report("geoparsing", jobs, secs);
        let secs = time(&docs, jobs, rounds, |text| {
            let meta = model::DocumentMeta {
                published,
                language: Some("en".into()),
                ..model::DocumentMeta::default()
            };
            pipeline::analyse(&reference, text, &meta)
                .extraction
                .claims
                .len()
        });
        report("geoparsing + extraction", jobs, secs);
        if max_jobs == 1 {
            break;
        }
    }
    Ok(())
}
