//! `ombud ingest`: inputs in, archived first, read, analysed in parallel, stored one document per
//! transaction, then incidents re-derived. A bad input is reported and the rest goes in.

use std::collections::HashSet;
use std::path::PathBuf;

use model::{Date, Diagnostic, DocumentMeta, DocumentRecord};
use sources::{Format, ReadDocument};

use crate::parallel::par_map;
use crate::{DataDir, PipelineError, Reference, analyse};

/// How to ingest.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    /// Force a format instead of detecting it per input.
    pub format: Option<Format>,
    /// Threads for extraction and geocoding.
    pub jobs: usize,
    /// When the inputs were received, RFC 3339 UTC (the caller's clock; pipelines take time in).
    pub retrieved_at: String,
    /// The day of `retrieved_at`, used to resolve relative dates of undated documents.
    pub retrieved_on: Option<Date>,
}

/// An input or item that could not be read.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Rejected {
    pub origin: String,
    pub line: Option<usize>,
    pub reason: String,
}

/// Progress, reported as it happens.
#[derive(Clone, Debug)]
pub enum IngestEvent {
    /// The number of inputs (files and stdin) found.
    Started {
        inputs: usize,
    },
    /// One input was read completely.
    InputDone {
        origin: String,
    },
    Rejected(Rejected),
}

/// What an ingest did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct IngestReport {
    pub inputs: usize,
    pub new: usize,
    pub duplicate: usize,
    pub not_extracted: usize,
    pub claims: usize,
    pub incidents: usize,
    pub rejected: Vec<Rejected>,
}

/// Documents analysed together between store writes.
const BATCH: usize = 64;

struct Pending {
    doc: ReadDocument,
    origin: String,
    sha256: String,
}

pub async fn ingest(
    dir: &DataDir,
    reference: &Reference,
    paths: &[PathBuf],
    options: &IngestOptions,
    on_event: &mut dyn FnMut(IngestEvent),
) -> Result<IngestReport, PipelineError> {
    let store = store::Store::open(&dir.database()).await?;
    store.seed_publishers(&reference.publishers).await?;
    let archive = dir.archive()?;
    let mut report = IngestReport::default();
    let inputs = sources::collect_inputs(paths);
    report.inputs = inputs.len();
    on_event(IngestEvent::Started {
        inputs: inputs.len(),
    });

    fn reject(
        report: &mut IngestReport,
        on_event: &mut dyn FnMut(IngestEvent),
        origin: String,
        line: Option<usize>,
        reason: String,
    ) {
        let r = Rejected {
            origin,
            line,
            reason,
        };
        on_event(IngestEvent::Rejected(r.clone()));
        report.rejected.push(r);
    }
    let mut seen: HashSet<String> = HashSet::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut done_inputs: Vec<String> = Vec::new();
    for input in inputs {
        let input = match input {
            Ok(i) => i,
            Err(e) => {
                let origin = match &e {
                    sources::SourcesError::Io { path, .. } => path.display().to_string(),
                    _ => String::new(),
                };
                reject(&mut report, on_event, origin, None, e.to_string());
                continue;
            }
        };
        let origin = input.origin();
        let bytes = match input.read() {
            Ok(b) => b,
            Err(e) => {
                reject(&mut report, on_event, origin, None, e.to_string());
                continue;
            }
        };
        // Archive first: the input as received, before any reading of it.
        archive.put(&bytes)?;
        let format = options
            .format
            .unwrap_or_else(|| sources::detect(input.path.as_deref(), &bytes));
        let parsed = sources::parse(&bytes, format, &origin);
        for e in &parsed.rejected {
            reject(
                &mut report,
                on_event,
                origin.clone(),
                e.line(),
                e.to_string(),
            );
        }
        for doc in parsed.documents {
            let stored = archive.put(&doc.raw)?;
            if !seen.insert(stored.sha256.clone()) || store.has_document(&stored.sha256).await? {
                report.duplicate += 1;
                continue;
            }
            let origin = match doc.line {
                Some(line) => format!("{origin}:{line}"),
                None => origin.clone(),
            };
            pending.push(Pending {
                doc,
                origin,
                sha256: stored.sha256,
            });
        }
        done_inputs.push(origin);
        if pending.len() >= BATCH {
            flush(&store, reference, options, &mut pending, &mut report).await?;
            for o in done_inputs.drain(..) {
                on_event(IngestEvent::InputDone { origin: o });
            }
        }
    }
    flush(&store, reference, options, &mut pending, &mut report).await?;
    for o in done_inputs.drain(..) {
        on_event(IngestEvent::InputDone { origin: o });
    }
    report.incidents = rebuild_incidents(&store).await?;
    store.close().await;
    Ok(report)
}

/// Analyses the pending documents in parallel, then stores each in its own transaction.
async fn flush(
    store: &store::Store,
    reference: &Reference,
    options: &IngestOptions,
    pending: &mut Vec<Pending>,
    report: &mut IngestReport,
) -> Result<(), PipelineError> {
    let analyses = par_map(pending, options.jobs, |p| {
        let mut meta: DocumentMeta = p.doc.meta.clone();
        let mut notes = Vec::new();
        if meta.published.is_none() {
            // A capture's own date (a WARC record's) is when the page was seen; else ingest day.
            let captured = p
                .doc
                .retrieved
                .as_deref()
                .and_then(|r| r.get(..10))
                .and_then(|d| d.parse::<Date>().ok());
            meta.published = captured.or(options.retrieved_on);
            notes.push(Diagnostic::new(
                "no_publication_date",
                if captured.is_some() {
                    "the document gives no publication date: relative dates were resolved against the day it was captured"
                } else {
                    "the document gives no publication date: relative dates were resolved against the day it was ingested"
                },
                None,
            ));
        }
        let mut analysis = analyse(reference, &p.doc.text, &meta);
        analysis.extraction.diagnostics.extend(notes);
        analysis
    });
    for (p, analysis) in pending.drain(..).zip(analyses) {
        let record = DocumentRecord {
            sha256: p.sha256.clone(),
            size: p.doc.raw.len() as u64,
            origin: p.origin,
            format: p.doc.format.as_str().to_string(),
            retrieved_at: p
                .doc
                .retrieved
                .clone()
                .unwrap_or_else(|| options.retrieved_at.clone()),
            meta: DocumentMeta {
                language: analysis.language.clone(),
                ..p.doc.meta.clone()
            },
            ombud_version: crate::OMBUD_VERSION.to_string(),
            status: analysis.status,
            n_claims: analysis.extraction.claims.len(),
            text: None,
        };
        let inserted = store
            .insert_document(&store::NewDocument {
                record: &record,
                text: &p.doc.text,
                claims: &analysis.extraction.claims,
                diagnostics: &analysis.extraction.diagnostics,
            })
            .await?;
        if inserted {
            report.new += 1;
            report.claims += analysis.extraction.claims.len();
            if analysis.status == model::DocumentStatus::NotExtracted {
                report.not_extracted += 1;
            }
        } else {
            report.duplicate += 1;
        }
    }
    Ok(())
}

/// Re-derives every incident from the stored claims; returns how many there are.
pub async fn rebuild_incidents(store: &store::Store) -> Result<usize, PipelineError> {
    let records = store.claim_records().await?;
    let incidents = merge::merge(
        &records,
        &merge::Constraints::default(),
        &merge::MergeConfig::default(),
    );
    store.replace_incidents(&incidents).await?;
    Ok(incidents.len())
}
