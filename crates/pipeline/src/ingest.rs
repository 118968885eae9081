//! `ombud ingest`: inputs read as a stream, their bytes archived before they are parsed, the
//! documents analysed on every core, then stored in groups: each group's blobs are made durable
//! with one sync, logged with one append, and written to the database with the incidents they
//! change in one transaction. A document is acknowledged (counted, reported) only once its group
//! is durable, so a crash at any moment loses nothing acknowledged and leaves no half document;
//! ingesting the same inputs again completes an interrupted run without duplicates.
//!
//! Three stages overlap: a reader thread (inputs, archive), analysis workers (language,
//! geoparsing, extraction), and the writer (this task: duplicates, commits, merging). Channels
//! between them are bounded, so memory stays bounded whatever the size of the input: a JSON
//! Lines file is read one line at a time.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use model::{ClaimId, DocumentMeta, DocumentRecord, DocumentStatus};
use sources::{Format, ReadDocument};
use std::collections::HashMap;

use store::{NewClaim, NewDocument, RecordStore, StoredClaim};

use crate::remerge::{Change, MergeInputs, remerge};
use crate::{Analysis, PipelineError, Reference, analyse};

/// How to ingest.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    /// Force a format instead of detecting it per input.
    pub format: Option<Format>,
    /// Threads for extraction and geocoding.
    pub jobs: usize,
    /// When the inputs were received, RFC 3339 UTC (the caller's clock; pipelines take time in).
    pub retrieved_at: String,
    /// Who collected them, as the record keeps it for each document (an account, a person).
    pub collected_by: Option<String>,
    /// Documents per commit at most.
    pub batch_size: usize,
    /// The longest a document waits for its group to be committed.
    pub batch_time: Duration,
}

impl IngestOptions {
    pub fn new(retrieved_at: String, jobs: usize) -> IngestOptions {
        IngestOptions {
            format: None,
            jobs,
            retrieved_at,
            collected_by: None,
            batch_size: 5000,
            batch_time: Duration::from_secs(2),
        }
    }
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
    /// One input was read and everything in it is stored.
    InputDone {
        origin: String,
    },
    Rejected(Rejected),
    /// A group was committed: documents and claims stored so far.
    Stored {
        documents: usize,
        claims: usize,
    },
}

/// What an ingest did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct IngestReport {
    pub inputs: usize,
    pub new: usize,
    pub duplicate: usize,
    pub not_extracted: usize,
    pub claims: usize,
    /// Incidents in the store afterwards.
    pub incidents: u64,
    /// Incidents written (new or changed) by this ingest.
    pub incidents_written: usize,
    /// Groups committed.
    pub commits: usize,
    pub rejected: Vec<Rejected>,
}

/// A document read and archived, waiting for analysis.
struct Pending {
    doc: ReadDocument,
    origin: String,
    sha256: String,
}

/// What the reader sends, in input order.
enum FromReader {
    Started(usize),
    Doc(Pending),
    /// A blob to log (an input file as received).
    Leaf(String),
    InputDone(String),
    Rejected(Rejected),
    Failed(PipelineError),
}

/// A document ready to store.
struct Analysed {
    record: DocumentRecord,
    text: String,
    analysis: Analysis,
    /// Each claim as JSON, made on the worker's thread.
    claim_json: Vec<String>,
}

/// An item in input order, once everything before it is ready.
enum Ready {
    Doc(Box<Analysed>),
    Duplicate,
    Leaf(String),
    InputDone(String),
}

/// Documents a worker may be given before the writer catches up.
const IN_FLIGHT: usize = 12_000;

/// Documents checked for duplicates in one query.
const CHECK: usize = 512;

fn reject(origin: String, line: Option<usize>, reason: String) -> FromReader {
    FromReader::Rejected(Rejected {
        origin,
        line,
        reason,
    })
}

/// Copies everything read into the archive, so an input is archived as it is read.
struct Tee<R> {
    inner: R,
    copy: archive::BlobWriter,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}

/// Reads every input in order, archiving its bytes first, and sends what it finds.
fn read_inputs(
    archive: &archive::Archive,
    paths: &[PathBuf],
    format: Option<Format>,
    retrieved_at: &str,
    send: &dyn Fn(FromReader) -> bool,
) {
    let inputs = sources::collect_inputs(paths);
    if !send(FromReader::Started(inputs.len())) {
        return;
    }
    for input in inputs {
        let input = match input {
            Ok(i) => i,
            Err(e) => {
                let origin = match &e {
                    sources::SourcesError::Io { path, .. } => path.display().to_string(),
                    _ => String::new(),
                };
                if !send(reject(origin, None, e.to_string())) {
                    return;
                }
                continue;
            }
        };
        match read_one(archive, &input, format, retrieved_at, send) {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                let _ = send(FromReader::Failed(e));
                return;
            }
        }
    }
}

/// Reads one input; `Ok(false)` when the writer stopped listening.
fn read_one(
    archive: &archive::Archive,
    input: &sources::InputFile,
    format: Option<Format>,
    retrieved_at: &str,
    send: &dyn Fn(FromReader) -> bool,
) -> Result<bool, PipelineError> {
    let origin = input.origin();
    let source: Box<dyn Read> = match &input.path {
        Some(path) => match std::fs::File::open(path) {
            Ok(f) => Box::new(f),
            Err(source) => {
                let e = sources::SourcesError::Io {
                    path: path.clone(),
                    source,
                };
                return Ok(send(reject(origin, None, e.to_string())));
            }
        },
        None => Box::new(std::io::stdin()),
    };
    let mut reader = BufReader::with_capacity(
        1 << 16,
        Tee {
            inner: source,
            copy: archive.stage_writer()?,
        },
    );
    let head = match reader.fill_buf() {
        Ok(h) => h,
        Err(source) => {
            let e = sources::SourcesError::Io {
                path: PathBuf::from(&origin),
                source,
            };
            return Ok(send(reject(origin, None, e.to_string())));
        }
    };
    let format = format.unwrap_or_else(|| sources::detect(input.path.as_deref(), head));
    let doc = |d: ReadDocument| -> Result<FromReader, PipelineError> {
        let stored = archive.stage(&d.raw)?;
        let origin = match d.line {
            Some(line) => format!("{origin}:{line}"),
            None => origin.clone(),
        };
        Ok(FromReader::Doc(Pending {
            doc: d,
            origin,
            sha256: stored.sha256,
        }))
    };
    if format == Format::Jsonl {
        // One line at a time; the input file itself is logged after its lines.
        let (mut read, mut reasons) = (0usize, Vec::new());
        for item in sources::JsonlStream::new(&mut reader, &origin) {
            let message = match item {
                Ok(d) => {
                    read += 1;
                    doc(d)?
                }
                Err(e) => {
                    if reasons.len() < 100 {
                        reasons.push(e.to_string());
                    }
                    reject(origin.clone(), e.line(), e.to_string())
                }
            };
            if !send(message) {
                return Ok(false);
            }
        }
        let copy = reader.into_inner().copy;
        if read == 0 && !reasons.is_empty() {
            copy.quarantine(&origin, retrieved_at, reasons)?;
            return Ok(send(FromReader::InputDone(origin)));
        }
        let container = copy.finish()?;
        return Ok(send(FromReader::Leaf(container.sha256)) && send(FromReader::InputDone(origin)));
    }
    let bytes = match sources::read_capped(&mut reader, &origin, sources::max_input_bytes(format)) {
        Ok(b) => b,
        Err(e) => return Ok(send(reject(origin, None, e.to_string()))),
    };
    let parsed = sources::parse(&bytes, format, &origin);
    let copy = reader.into_inner().copy;
    if parsed.documents.is_empty() && !parsed.rejected.is_empty() {
        // Nothing in it could be read: its bytes are kept apart, unlogged, for a person to see
        // (`ombud documents --rejected`) and purge; the evidence archive holds sources only.
        let reasons = parsed.rejected.iter().map(|e| e.to_string()).collect();
        copy.quarantine(&origin, retrieved_at, reasons)?;
    } else {
        // Archived whole, and logged before the documents read from it.
        let container = copy.finish()?;
        if !send(FromReader::Leaf(container.sha256)) {
            return Ok(false);
        }
    }
    for e in &parsed.rejected {
        if !send(reject(origin.clone(), e.line(), e.to_string())) {
            return Ok(false);
        }
    }
    for d in parsed.documents {
        if !send(doc(d)?) {
            return Ok(false);
        }
    }
    Ok(send(FromReader::InputDone(origin)))
}

/// Analyses one document: what a worker does.
/// Reads and extracts one document; `retrieved_at` and `collected_by` are the collection
/// record of the run (a WARC record's own capture time wins).
fn analyse_pending(
    reference: &Reference,
    p: Pending,
    retrieved_at: &str,
    collected_by: Option<&str>,
) -> Analysed {
    let mut meta: DocumentMeta = p.doc.meta.clone();
    if meta.published.is_none() {
        // A capture's own date (a WARC record's) is when the page was seen; nothing else is
        // guessed: relative dates of an undated report stay unresolved.
        meta.published = p
            .doc
            .retrieved
            .as_deref()
            .and_then(|r| r.get(..10))
            .and_then(|d| d.parse().ok());
    }
    let mut analysis = analyse(reference, &p.doc.text, &meta);
    // Every place named is in the claims that need it; the list itself is not stored.
    analysis.toponyms = Vec::new();
    if p.doc.meta.published.is_none() {
        analysis.extraction.diagnostics.push(model::Diagnostic::new(
            "no_publication_date",
            if meta.published.is_some() {
                "the document gives no publication date: relative dates were resolved against the day it was captured"
            } else {
                "the document gives no publication date: its relative dates (\"yesterday\") could not be resolved"
            },
            None,
        ));
    }
    let record = DocumentRecord {
        sha256: p.sha256,
        size: p.doc.raw.len() as u64,
        origin: p.origin,
        format: p.doc.format.as_str().to_string(),
        retrieved_at: p
            .doc
            .retrieved
            .clone()
            .unwrap_or_else(|| retrieved_at.to_string()),
        collected_by: collected_by.map(str::to_string),
        meta: DocumentMeta {
            language: analysis.language.clone(),
            ..p.doc.meta
        },
        ombud_version: crate::OMBUD_VERSION.to_string(),
        status: analysis.status,
        n_claims: analysis.extraction.claims.len(),
        copy_of: None,
        text: None,
    };
    Analysed {
        claim_json: claim_json(&analysis.extraction.claims),
        record,
        text: p.doc.text,
        analysis,
    }
}

/// Where a group goes: the store, the archive, and the digest of added places for the run.
#[derive(Clone, Copy)]
struct Sink<'a> {
    store: &'a dyn RecordStore,
    archive: &'a archive::Archive,
    added_places: &'a str,
    origins: &'a Arc<merge::OriginRegistry>,
    /// Documents in the store when this ingest began.
    started_with: u64,
    /// Documents in the store when its planner statistics were last refreshed.
    planned_for: &'a std::sync::atomic::AtomicU64,
}

/// The writer's view of a group waiting to be committed.
#[derive(Default)]
struct Group {
    items: Vec<Ready>,
    docs: usize,
    since: Option<Instant>,
}

pub(crate) async fn ingest(
    service: &crate::Service,
    paths: &[PathBuf],
    options: &IngestOptions,
    on_event: &mut (dyn FnMut(IngestEvent) + Send),
) -> Result<IngestReport, PipelineError> {
    let reference = service.reference_arc()?;
    let store = service.store();
    let archive = service.archive()?;
    // What a killed ingest left half-written is never part of the record: clear it first.
    let cleaned = archive.clean_leftovers()?;
    if cleaned > 0 {
        tracing::info!(
            files = cleaned,
            "removed temporary files a killed write left"
        );
    }
    let mut report = IngestReport::default();
    let started_with = store.counts().await?.documents;
    let planned_for = std::sync::atomic::AtomicU64::new(started_with);

    // Reader: one thread, bounded channel.
    let (read_tx, mut read_rx) = tokio::sync::mpsc::channel::<FromReader>(1024);
    let reader = {
        let archive = archive.clone();
        let paths = paths.to_vec();
        let format = options.format;
        let retrieved_at = options.retrieved_at.clone();
        std::thread::spawn(move || {
            read_inputs(&archive, &paths, format, &retrieved_at, &|m| {
                read_tx.blocking_send(m).is_ok()
            });
        })
    };
    // Workers: `jobs` threads sharing one queue; results come back tagged with their place.
    let (work_tx, work_rx) = mpsc::channel::<(u64, Pending)>();
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<(u64, Analysed)>();
    let workers: Vec<_> = (0..options.jobs.max(1))
        .map(|_| {
            let (work_rx, done_tx) = (Arc::clone(&work_rx), done_tx.clone());
            let reference = Arc::clone(&reference);
            let retrieved_at = options.retrieved_at.clone();
            let collected_by = options.collected_by.clone();
            std::thread::Builder::new()
                .name("ombud-analysis".into())
                .spawn(move || {
                    loop {
                        // A poisoned lock means another worker panicked: stop; the writer notices.
                        let next = match work_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok((seq, pending)) = next else { return };
                        let analysed = analyse_pending(
                            &reference,
                            pending,
                            &retrieved_at,
                            collected_by.as_deref(),
                        );
                        if done_tx.send((seq, analysed)).is_err() {
                            return;
                        }
                    }
                })
                .map_err(|source| PipelineError::Io {
                    path: PathBuf::from("(analysis thread)"),
                    source,
                })
        })
        .collect::<Result<_, _>>()?;
    drop(done_tx);

    let result = write_loop(
        Sink {
            store,
            archive: &archive,
            added_places: &reference.added_places,
            origins: service.origins(),
            started_with,
            planned_for: &planned_for,
        },
        options,
        &mut report,
        on_event,
        &mut read_rx,
        &work_tx,
        &mut done_rx,
    )
    .await;
    drop(work_tx);
    drop(read_rx);
    for w in workers {
        let _ = w.join();
    }
    let _ = reader.join();
    result?;
    let counts = store.counts().await?;
    report.incidents = counts.incidents;
    // At the end, a tenth more than the statistics know of is enough: the first queries after
    // a big ingest then use the indexes, as they would once autovacuum came by.
    refresh_if_grown(store, &planned_for, counts.documents, 11, 10).await?;
    Ok(report)
}

/// Refreshes the planner's statistics when the record holds `num / den` times the documents
/// they were taken at (at least 500): PostgreSQL would otherwise plan the claim index of a
/// million rows as the empty table it first saw.
async fn refresh_if_grown(
    store: &dyn RecordStore,
    planned_for: &std::sync::atomic::AtomicU64,
    documents: u64,
    num: u64,
    den: u64,
) -> Result<(), PipelineError> {
    let before = planned_for.load(std::sync::atomic::Ordering::Relaxed);
    if documents * den < before.max(500) * num {
        return Ok(());
    }
    let t = Instant::now();
    store.refresh_statistics().await?;
    planned_for.store(documents, std::sync::atomic::Ordering::Relaxed);
    tracing::debug!(
        ms = t.elapsed().as_millis() as u64,
        "planner statistics refreshed"
    );
    Ok(())
}

#[allow(clippy::too_many_arguments)] // the writer's channels, named once here
async fn write_loop(
    sink: Sink<'_>,
    options: &IngestOptions,
    report: &mut IngestReport,
    on_event: &mut (dyn FnMut(IngestEvent) + Send),
    read_rx: &mut tokio::sync::mpsc::Receiver<FromReader>,
    work_tx: &mpsc::Sender<(u64, Pending)>,
    done_rx: &mut tokio::sync::mpsc::UnboundedReceiver<(u64, Analysed)>,
) -> Result<(), PipelineError> {
    let mut next_seq: u64 = 0;
    // Items by their place in the input, until everything before them is ready.
    let mut waiting: BTreeMap<u64, Option<Ready>> = BTreeMap::new();
    let mut to_check: Vec<(u64, Pending)> = Vec::new();
    let mut in_flight = 0usize;
    let mut reading = true;
    let mut group = Group::default();
    loop {
        let deadline = group.since.map(|t| t + options.batch_time);
        tokio::select! {
            biased;
            Some((seq, analysed)) = done_rx.recv() => {
                in_flight -= 1;
                waiting.insert(seq, Some(Ready::Doc(Box::new(analysed))));
            }
            message = read_rx.recv(), if reading && in_flight + to_check.len() < IN_FLIGHT => {
                match message {
                    None => reading = false,
                    Some(FromReader::Started(n)) => {
                        report.inputs = n;
                        on_event(IngestEvent::Started { inputs: n });
                    }
                    Some(FromReader::Rejected(r)) => {
                        on_event(IngestEvent::Rejected(r.clone()));
                        report.rejected.push(r);
                    }
                    Some(FromReader::Failed(e)) => return Err(e),
                    Some(FromReader::Doc(p)) => {
                        waiting.insert(next_seq, None);
                        to_check.push((next_seq, p));
                        next_seq += 1;
                    }
                    Some(FromReader::Leaf(sha)) => {
                        waiting.insert(next_seq, Some(Ready::Leaf(sha)));
                        next_seq += 1;
                    }
                    Some(FromReader::InputDone(origin)) => {
                        waiting.insert(next_seq, Some(Ready::InputDone(origin)));
                        next_seq += 1;
                    }
                }
            }
            () = sleep_until(deadline), if deadline.is_some() => {}
        }
        // Skip documents already stored before analysing them.
        let reader_idle = !reading || read_rx.is_empty();
        if to_check.len() >= CHECK || (reader_idle && !to_check.is_empty()) {
            let shas: Vec<String> = to_check.iter().map(|(_, p)| p.sha256.clone()).collect();
            let existing = sink.store.existing_documents(&shas).await?;
            for (seq, p) in to_check.drain(..) {
                if existing.contains(&p.sha256) {
                    waiting.insert(seq, Some(Ready::Duplicate));
                } else {
                    in_flight += 1;
                    // The workers only stop when this sender is dropped.
                    let _ = work_tx.send((seq, p));
                }
            }
        }
        // Everything ready in input order joins the group.
        while let Some(entry) = waiting.first_entry() {
            if entry.get().is_none() {
                break;
            }
            if let Some(item) = entry.remove() {
                if matches!(item, Ready::Doc(_)) {
                    group.docs += 1;
                }
                group.since.get_or_insert_with(Instant::now);
                group.items.push(item);
            }
        }
        let done = !reading && waiting.is_empty() && to_check.is_empty() && in_flight == 0;
        let due = group.docs >= options.batch_size
            || group
                .since
                .is_some_and(|t| t.elapsed() >= options.batch_time)
            || (done && !group.items.is_empty());
        if due {
            let items = std::mem::take(&mut group).items;
            commit(&sink, items, &options.retrieved_at, report, on_event).await?;
            on_event(IngestEvent::Stored {
                documents: report.new,
                claims: report.claims,
            });
        }
        if done && group.items.is_empty() {
            return Ok(());
        }
    }
}

/// The claims as the JSON the store keeps.
pub(crate) fn claim_json(claims: &[model::Claim]) -> Vec<String> {
    claims
        .iter()
        // A claim is plain data: serialising it cannot fail.
        .map(|c| serde_json::to_string(c).unwrap_or_default())
        .collect()
}

/// A document read and extracted, ready to store: its record, text, claims and diagnostics.
#[derive(Clone, Copy, Debug)]
pub struct Parts<'a> {
    pub record: &'a DocumentRecord,
    pub text: &'a str,
    pub claims: &'a [model::Claim],
    pub diagnostics: &'a [model::Diagnostic],
}

/// What storing a batch did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Added {
    /// Hashes of the documents stored now (the others were there already).
    pub stored: std::collections::HashSet<String>,
    pub incidents_written: usize,
}

/// Stores documents with their claims and re-merges what they reach, in one transaction: what
/// ingest does once a group's bytes are durable, and what `Service::add_documents` offers.
/// `json` holds each document's claims as JSON (`claim_json`); `durable`, when given, is awaited
/// before the transaction commits (the archive's sync, running meanwhile on another thread).
pub(crate) async fn store_batch(
    store: &dyn RecordStore,
    parts: &[Parts<'_>],
    json: &[&[String]],
    now: &str,
    added_places: &str,
    origins: &Arc<merge::OriginRegistry>,
    durable: Option<tokio::task::JoinHandle<Result<(), PipelineError>>>,
) -> Result<Added, PipelineError> {
    let ids: Vec<Vec<ClaimId>> = parts
        .iter()
        .map(|p| ClaimId::derive(&p.record.sha256, p.claims))
        .collect();
    let t = Instant::now();
    let mut tx = store.begin().await?;
    let run = crate::run::current(&mut *tx, now, added_places).await?;
    // The documents new to the store (the first of each within the batch).
    let shas: Vec<String> = parts.iter().map(|p| p.record.sha256.clone()).collect();
    let existing = tx.existing_documents(&shas).await?;
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let fresh: Vec<usize> = (0..parts.len())
        .filter(|&i| {
            let sha = parts[i].record.sha256.as_str();
            !existing.contains(sha) && seen.insert(sha)
        })
        .collect();
    // Copies first: a copy's claims speak with its original's voice.
    let t_copies = Instant::now();
    let sketches: Vec<Option<merge::copies::Sketch>> = fresh
        .iter()
        .map(|&i| merge::copies::Sketch::of(parts[i].text))
        .collect();
    let texts: Vec<crate::copies::NewText<'_>> = fresh
        .iter()
        .zip(&sketches)
        .map(|(&i, sketch)| crate::copies::NewText {
            sha256: &parts[i].record.sha256,
            text: parts[i].text,
            published: parts[i].record.meta.published,
            publisher: parts[i].record.meta.publisher.as_deref(),
            sketch: sketch.clone(),
        })
        .collect();
    let copies = {
        let wires = crate::copies::wire_services(&mut *tx).await?;
        crate::copies::detect(&mut *tx, &texts, &|p| wires.contains(&p.to_lowercase())).await?
    };
    let mut recopied: Vec<ClaimId> = Vec::new();
    if !copies.changed.is_empty() {
        tx.set_copy_of(&copies.changed).await?;
        for c in &copies.changed {
            recopied.extend(tx.claims_of_document(&c.sha256).await?);
        }
    }
    tracing::debug!(
        ms = t_copies.elapsed().as_millis() as u64,
        copies = copies.copy_of.values().filter(|c| c.is_some()).count(),
        candidates = copies.cost.0,
        read = copies.cost.1,
        compared = copies.cost.2,
        bands_ms = copies.ms.0,
        candidates_ms = copies.ms.1,
        words_ms = copies.ms.2,
        compare_ms = copies.ms.3,
        "copies found"
    );
    let copy_of = |sha: &str| copies.copy_of.get(sha).cloned().flatten();
    let claims: Vec<StoredClaim> = fresh
        .iter()
        .flat_map(|&i| {
            let p = &parts[i];
            let copy_of = copy_of(&p.record.sha256);
            let original_publisher = copy_of
                .as_ref()
                .and_then(|o| copies.original_publisher.get(o).cloned().flatten());
            p.claims
                .iter()
                .zip(&ids[i])
                .map(move |(c, id)| StoredClaim {
                    id: id.clone(),
                    publisher: p.record.meta.publisher.clone(),
                    published: p.record.meta.published,
                    origin: p.record.origin.clone(),
                    copy_of: copy_of.clone(),
                    original_publisher: original_publisher.clone(),
                    quote: c.sentence.slice(p.text).unwrap_or_default().to_string(),
                    incident: None,
                    claim: c.clone(),
                })
        })
        .collect();
    // Merged first, so each claim is stored in its incident and filed where decisions put it.
    let mut incidents_written = 0;
    let mut placed: HashMap<ClaimId, model::IncidentId> = HashMap::new();
    let mut index: HashMap<ClaimId, Vec<store::IndexRow>> = HashMap::new();
    if !claims.is_empty() || !recopied.is_empty() {
        let mut inputs =
            MergeInputs::load(&mut *tx, merge::MergeConfig::default(), origins).await?;
        // A stored document found now to copy one of these reads its publisher from here
        // (what merging makes of it must not depend on which commit brought which report).
        inputs.unstored = fresh
            .iter()
            .map(|&i| {
                let r = &parts[i].record;
                (r.sha256.clone(), r.meta.publisher.clone())
            })
            .collect();
        for c in &claims {
            index.insert(c.id.clone(), inputs.effective_index(c));
        }
        let mut seeds: Vec<ClaimId> = claims.iter().map(|c| c.id.clone()).collect();
        seeds.extend(recopied);
        let change = Change {
            seeds,
            fresh: claims,
            ..Change::default()
        };
        let merged = remerge(&mut *tx, &change, &inputs).await?;
        incidents_written = merged.written;
        placed = merged.placed;
    }
    tracing::debug!(
        ms = t.elapsed().as_millis() as u64,
        incidents_written,
        "merged"
    );
    let t = Instant::now();
    let new_docs: Vec<NewDocument<'_>> = fresh
        .iter()
        .zip(&sketches)
        .map(|(&i, sketch)| {
            let p = &parts[i];
            NewDocument {
                record: p.record,
                text: p.text,
                diagnostics: p.diagnostics,
                run,
                sketch: sketch.as_ref().map(merge::copies::Sketch::encode),
                bands: copies.bands_of(&p.record.sha256, sketch.as_ref()),
                copy_of: copy_of(&p.record.sha256),
                claims: p
                    .claims
                    .iter()
                    .zip(&ids[i])
                    .zip(json[i].iter())
                    .map(|((c, id), json)| NewClaim {
                        id: id.clone(),
                        claim: c,
                        json,
                        quote: c.sentence.slice(p.text).unwrap_or_default(),
                        index: index.remove(id).unwrap_or_default(),
                        incident: placed.get(id).cloned(),
                    })
                    .collect(),
            }
        })
        .collect();
    let stored: std::collections::HashSet<String> =
        tx.insert_documents(&new_docs).await?.into_iter().collect();
    tracing::debug!(
        ms = t.elapsed().as_millis() as u64,
        documents = stored.len(),
        "documents inserted"
    );
    if let Some(durable) = durable {
        // Nothing is committed before its bytes and log leaves are on disk.
        durable
            .await
            .map_err(|e| PipelineError::Export(e.to_string()))??;
    }
    let t = Instant::now();
    tx.commit().await?;
    tracing::debug!(ms = t.elapsed().as_millis() as u64, "committed");
    Ok(Added {
        stored,
        incidents_written,
    })
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(t) => tokio::time::sleep_until(tokio::time::Instant::from_std(t)).await,
        None => std::future::pending().await,
    }
}

/// Commits one group: blobs durable and logged, then documents, claims and the incidents they
/// change in one transaction; then reports it.
async fn commit(
    sink: &Sink<'_>,
    items: Vec<Ready>,
    now: &str,
    report: &mut IngestReport,
    on_event: &mut (dyn FnMut(IngestEvent) + Send),
) -> Result<(), PipelineError> {
    let leaves: Vec<String> = items
        .iter()
        .filter_map(|i| match i {
            Ready::Doc(a) => Some(a.record.sha256.clone()),
            Ready::Leaf(sha) => Some(sha.clone()),
            _ => None,
        })
        .collect();
    // The archive syncs on another thread while the database works; the transaction commits
    // only once the archive is durable.
    let durable = {
        let archive = sink.archive.clone();
        tokio::task::spawn_blocking(move || {
            let t = Instant::now();
            archive.commit(&leaves)?;
            tracing::debug!(
                ms = t.elapsed().as_millis() as u64,
                leaves = leaves.len(),
                "archive durable"
            );
            Ok(())
        })
    };

    let docs: Vec<&Analysed> = items
        .iter()
        .filter_map(|i| match i {
            Ready::Doc(a) => Some(&**a),
            _ => None,
        })
        .collect();
    let parts: Vec<Parts<'_>> = docs
        .iter()
        .map(|a| Parts {
            record: &a.record,
            text: &a.text,
            claims: &a.analysis.extraction.claims,
            diagnostics: &a.analysis.extraction.diagnostics,
        })
        .collect();
    let json: Vec<&[String]> = docs.iter().map(|a| a.claim_json.as_slice()).collect();
    let added = store_batch(
        sink.store,
        &parts,
        &json,
        now,
        sink.added_places,
        sink.origins,
        Some(durable),
    )
    .await?;
    for p in &parts {
        if added.stored.contains(&p.record.sha256) {
            report.new += 1;
            report.claims += p.claims.len();
            if p.record.status == DocumentStatus::NotExtracted {
                report.not_extracted += 1;
            }
        } else {
            report.duplicate += 1;
        }
    }
    report.incidents_written += added.incidents_written;
    report.commits += 1;
    // While the record grows, the planner learns its size each time it doubles.
    refresh_if_grown(
        sink.store,
        sink.planned_for,
        sink.started_with + report.new as u64,
        2,
        1,
    )
    .await?;
    tracing::info!(
        documents = report.new,
        claims = report.claims,
        "group committed"
    );
    for item in items {
        match item {
            Ready::Duplicate => report.duplicate += 1,
            Ready::InputDone(origin) => on_event(IngestEvent::InputDone { origin }),
            Ready::Doc(_) | Ready::Leaf(_) => {}
        }
    }
    Ok(())
}
