//! The tamper campaign: a finished data directory (the example corpus, a review decision, a
//! signed and published checkpoint) is changed one way at a time, at random, and `verify` must
//! catch every change and name what was changed; each change is undone before the next.
//!
//! Changes: a byte of an archived blob (documents, containers such as a whole JSON Lines file or
//! feed, decisions), of the leaves file, of the stored tree hashes, of the checkpoint signed last
//! (beside the key) and of the published signed note; a blob deleted or cut short; a log line
//! deleted, copied, swapped with another or moved, and the leaves file cut short; and in the
//! database, a character of a document's SHA-256, of a decision's leaf, or of a document's text.
//!
//! `OMBUD_TAMPERS` sets how many (1,000 by default); `OMBUD_TAMPER_SEED` the random seed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pipeline::{IngestOptions, OpenOptions, Reviewer, Service};
use sqlx::Connection;

const NOW: &str = "2026-12-01T00:00:00Z";

/// A small, seeded generator (xorshift64*): the same seed gives the same campaign.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// What a tamper touched, so the report can be checked to name it.
#[derive(Debug)]
enum Named {
    /// A failure (or the error) mentions this text.
    Mentions(String),
    /// A failure about the log as a whole, or an error naming the leaves file.
    TheLog,
}

fn blobs(data: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in std::fs::read_dir(data.join("archive/sha256")).unwrap() {
        let sub = sub.unwrap().path();
        for f in std::fs::read_dir(&sub).unwrap() {
            let p = f.unwrap().path();
            if p.file_name().unwrap().len() == 64 {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn flip(path: &Path, rng: &mut Rng) {
    let mut bytes = std::fs::read(path).unwrap();
    let i = rng.below(bytes.len());
    // Any change of the byte (never none).
    bytes[i] ^= 1 + rng.below(255) as u8;
    std::fs::write(path, bytes).unwrap();
}

async fn sql(db: &Path, statement: &str, args: &[&str]) -> u64 {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let mut q = sqlx::query(sqlx::AssertSqlSafe(statement.to_string()));
    for a in args {
        q = q.bind(*a);
    }
    let n = q.execute(&mut conn).await.unwrap().rows_affected();
    conn.close().await.unwrap();
    n
}

async fn one_text(db: &Path, statement: &str) -> Vec<String> {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(statement.to_string()))
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    rows.into_iter().map(|(s,)| s).collect()
}

/// One character of `s` changed to another of the same kind (hex stays hex).
fn change_char(s: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    let i = rng.below(chars.len());
    let c = chars[i];
    chars[i] = if c.is_ascii_hexdigit() {
        let digits = "0123456789abcdef";
        let d = digits.find(c.to_ascii_lowercase()).unwrap_or(0);
        digits.chars().nth((d + 1 + rng.below(15)) % 16).unwrap()
    } else if c == 'x' {
        'y'
    } else {
        'x'
    };
    chars.into_iter().collect()
}

#[test]
fn every_single_tamper_of_a_finished_data_directory_is_caught_and_named() {
    let trials: usize = std::env::var("OMBUD_TAMPERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let seed: u64 = std::env::var("OMBUD_TAMPER_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x006f_6d62_7564);
    let dir = test_support::temp_dir();
    let data = dir.path().to_path_buf();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let service = Service::open(&OpenOptions {
            data_dir: data.clone(),
            database: None,
            create: true,
            read_only: false,
        })
        .await
        .unwrap();
        service
            .ingest(
                &[test_support::examples_dir()],
                &IngestOptions::new(NOW.into(), 2),
                &mut |_| {},
            )
            .await
            .unwrap();
        let first = service
            .incidents(&Default::default(), &Default::default())
            .await
            .unwrap()
            .remove(0);
        let by = Reviewer {
            name: "ana".into(),
            at: NOW.into(),
            note: "tamper campaign".into(),
        };
        service
            .review_grade(&first.id.0, model::Grade::Contested, &by)
            .await
            .unwrap();
        service.signed_checkpoint().unwrap();
        let clean = service.verify(&mut |_| {}).await.unwrap();
        assert!(clean.failed.is_empty(), "{:?}", clean.failed);
        service.close().await.unwrap();
    });

    let db = data.join("ombud.db");
    let leaves_path = data.join("archive/log/leaves");
    let hashes_path = data.join("archive/log/hashes");
    let signed_path = data.join("keys/log-signed");
    let note_path = data.join("archive/log/checkpoint");
    let all_blobs = blobs(&data);
    let documents = rt.block_on(one_text(
        &db,
        "SELECT sha256 FROM documents ORDER BY sha256",
    ));
    let decision_leaves = rt.block_on(one_text(
        &db,
        "SELECT sha256 FROM decisions WHERE sha256 IS NOT NULL",
    ));
    assert!(!decision_leaves.is_empty());
    let mut rng = Rng(seed);
    let mut caught: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    let mut missed = Vec::new();

    for trial in 0..trials {
        // Every file a tamper may touch, as it was, to put back afterwards.
        let saved: Vec<(PathBuf, Vec<u8>)> = [&leaves_path, &hashes_path, &signed_path, &note_path]
            .into_iter()
            .map(|p| (p.clone(), std::fs::read(p).unwrap()))
            .collect();
        let mut undo_sql: Option<(String, Vec<String>)> = None;
        let mut restore_blob: Option<(PathBuf, Vec<u8>)> = None;
        let roll = rng.below(100);
        let (kind, named): (&'static str, Named) = match roll {
            0..=44 => {
                let blob = &all_blobs[rng.below(all_blobs.len())];
                restore_blob = Some((blob.clone(), std::fs::read(blob).unwrap()));
                flip(blob, &mut rng);
                let sha = blob.file_name().unwrap().to_string_lossy().to_string();
                ("a byte of an archived blob", Named::Mentions(sha))
            }
            45..=49 => {
                let blob = &all_blobs[rng.below(all_blobs.len())];
                let bytes = std::fs::read(blob).unwrap();
                restore_blob = Some((blob.clone(), bytes.clone()));
                if rng.below(2) == 0 {
                    std::fs::remove_file(blob).unwrap();
                } else {
                    std::fs::write(blob, &bytes[..rng.below(bytes.len())]).unwrap();
                }
                let sha = blob.file_name().unwrap().to_string_lossy().to_string();
                (
                    "an archived blob deleted or cut short",
                    Named::Mentions(sha),
                )
            }
            50..=59 => {
                flip(&leaves_path, &mut rng);
                ("a byte of the leaves file", Named::TheLog)
            }
            60..=64 => {
                flip(&hashes_path, &mut rng);
                (
                    "a byte of the stored tree hashes",
                    Named::Mentions("hashes".into()),
                )
            }
            65..=67 => {
                flip(&signed_path, &mut rng);
                (
                    "a byte of the checkpoint signed last",
                    Named::Mentions("log-signed".into()),
                )
            }
            68..=70 => {
                flip(&note_path, &mut rng);
                (
                    "a byte of the published signed checkpoint",
                    Named::Mentions("checkpoint".into()),
                )
            }
            71..=84 => {
                let text = String::from_utf8(saved[0].1.clone()).unwrap();
                // The header line stays first: these change the leaves.
                let (header, leaves) = text.split_at(65);
                assert!(header.starts_with("ombud-log-leaves 1"), "{header:?}");
                let mut lines: Vec<&str> = leaves.lines().collect();
                let n = lines.len();
                let what = match rng.below(5) {
                    0 => {
                        lines.remove(rng.below(n));
                        "a log line deleted"
                    }
                    1 => {
                        let i = rng.below(n);
                        lines.insert(rng.below(n + 1), lines[i]);
                        "a log line copied"
                    }
                    2 => {
                        let (i, j) = (rng.below(n), rng.below(n));
                        let j = if i == j { (j + 1) % n } else { j };
                        lines.swap(i, j);
                        "two log lines swapped"
                    }
                    3 => {
                        let i = rng.below(n);
                        let line = lines.remove(i);
                        let mut j = rng.below(n);
                        if j == i {
                            j = (j + 1) % n;
                        }
                        lines.insert(j, line);
                        "a log line moved"
                    }
                    _ => {
                        let cut = rng.below(text.len() - 65);
                        std::fs::write(&leaves_path, &text.as_bytes()[..cut]).unwrap();
                        lines.clear();
                        "the leaves file cut short"
                    }
                };
                if !lines.is_empty() {
                    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
                    std::fs::write(&leaves_path, format!("{header}{body}")).unwrap();
                }
                (what, Named::TheLog)
            }
            85..=89 => {
                let old = &documents[rng.below(documents.len())];
                let new = change_char(old, &mut rng);
                rt.block_on(sql(
                    &db,
                    "UPDATE documents SET sha256 = ?1 WHERE sha256 = ?2",
                    &[&new, old],
                ));
                undo_sql = Some((
                    "UPDATE documents SET sha256 = ?1 WHERE sha256 = ?2".into(),
                    vec![old.clone(), new.clone()],
                ));
                (
                    "a character of a document's SHA-256 in the database",
                    Named::Mentions(new),
                )
            }
            90..=94 => {
                let old = &decision_leaves[rng.below(decision_leaves.len())];
                let new = change_char(old, &mut rng);
                rt.block_on(sql(
                    &db,
                    "UPDATE decisions SET sha256 = ?1 WHERE sha256 = ?2",
                    &[&new, old],
                ));
                undo_sql = Some((
                    "UPDATE decisions SET sha256 = ?1 WHERE sha256 = ?2".into(),
                    vec![old.clone(), new.clone()],
                ));
                (
                    "a character of a decision's leaf in the database",
                    Named::Mentions(new),
                )
            }
            _ => {
                let sha = &documents[rng.below(documents.len())];
                let text = rt.block_on(one_text(
                    &db,
                    &format!("SELECT text FROM documents WHERE sha256 = '{sha}'"),
                ));
                let old = text[0].clone();
                // A character (not a byte: the text stays UTF-8) of the stored text.
                let new = change_char(&old, &mut rng);
                rt.block_on(sql(
                    &db,
                    "UPDATE documents SET text = ?1 WHERE sha256 = ?2",
                    &[&new, sha],
                ));
                undo_sql = Some((
                    "UPDATE documents SET text = ?1 WHERE sha256 = ?2".into(),
                    vec![old, sha.clone()],
                ));
                (
                    "a character of a document's text in the database",
                    Named::Mentions(sha.clone()),
                )
            }
        };

        let outcome = rt.block_on(async {
            let service = Service::open(&OpenOptions {
                data_dir: data.clone(),
                database: None,
                create: false,
                read_only: true,
            })
            .await
            .unwrap();
            let report = service.verify(&mut |_| {}).await;
            service.close().await.unwrap();
            report
        });
        let (found, why) = match &outcome {
            Err(e) => {
                let text = e.to_string();
                let ok = match &named {
                    Named::Mentions(m) => text.contains(m.as_str()),
                    Named::TheLog => text.contains("leaves"),
                };
                (ok, text)
            }
            Ok(report) => {
                let ok = report.failed.iter().any(|f| match &named {
                    Named::Mentions(m) => {
                        f.sha256 == *m
                            || f.problem.contains(m.as_str())
                            || f.origin.contains(m.as_str())
                    }
                    Named::TheLog => f.origin == "the log",
                });
                (ok, format!("{:?}", report.failed))
            }
        };
        let entry = caught.entry(kind).or_default();
        entry.1 += 1;
        if found {
            entry.0 += 1;
        } else {
            missed.push(format!(
                "trial {trial}: {kind} ({named:?}) not named: {why}"
            ));
        }

        // Undo.
        for (path, bytes) in &saved {
            std::fs::write(path, bytes).unwrap();
        }
        if let Some((path, bytes)) = restore_blob {
            std::fs::write(path, bytes).unwrap();
        }
        if let Some((statement, args)) = undo_sql {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            rt.block_on(sql(&db, &statement, &args));
        }
    }

    let total: usize = caught.values().map(|(_, n)| n).sum();
    let found: usize = caught.values().map(|(c, _)| c).sum();
    eprintln!("tamper campaign (seed {seed}): {found} of {total} caught and named");
    for (kind, (c, n)) in &caught {
        eprintln!("  {kind}: {c}/{n}");
    }
    assert!(
        missed.is_empty(),
        "{} missed:\n{}",
        missed.len(),
        missed.join("\n")
    );
    // After every undo the directory checks clean again.
    rt.block_on(async {
        let service = Service::open(&OpenOptions {
            data_dir: data.clone(),
            database: None,
            create: false,
            read_only: true,
        })
        .await
        .unwrap();
        let report = service.verify(&mut |_| {}).await.unwrap();
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        service.close().await.unwrap();
    });
}
