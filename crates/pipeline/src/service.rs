//! The façade every face uses: one `Service` owns the store, the archive and the reference
//! data, and answers in view models. The CLI (and later the HTTP server) call nothing else.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use model::{Date, DocumentRecord, Grade, Incident, IncidentId, Publisher};
use store::{
    ClaimQuery, DocumentQuery, IncidentQuery, PlaceFilter, RecordStore, Resolved, StoreTarget,
    StoredClaim,
};

use crate::{
    DataDir, ExportFormat, IngestEvent, IngestOptions, IngestReport, PipelineError, Reference,
    default_publishers,
};

/// Where the record is.
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// The data directory: the archive, the log's key, and the SQLite database by default.
    pub data_dir: PathBuf,
    /// A database URL (`postgres://…`) instead of the data directory's SQLite file.
    pub database: Option<String>,
    /// Create the record if there is none yet (ingest); otherwise a missing one is an error.
    pub create: bool,
    /// Read only: nothing is created, migrated, seeded or rebuilt (a copy on read-only media,
    /// checked by `verify` and `log`); writing commands fail.
    pub read_only: bool,
}

/// Which incidents a person asked for. Text filters match part of a name, any case.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IncidentFilter {
    pub since: Option<Date>,
    pub until: Option<Date>,
    /// A place by any of its names (Khankendi finds Stepanakert).
    pub place: Option<String>,
    pub weapon: Option<String>,
    pub event_type: Option<String>,
    pub actor: Option<String>,
    pub grade: Option<Grade>,
    pub text: Option<String>,
}

/// A page: at most `limit` items after the item `after` (an id).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    pub limit: Option<usize>,
    pub after: Option<String>,
}

/// One incident with the claims behind it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct IncidentDetail {
    pub incident: Incident,
    pub claims: Vec<StoredClaim>,
    /// The id asked for when it was an alias of this incident (it joined it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<IncidentId>,
}

/// What an export wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Exported {
    pub written: usize,
    /// Incidents a GeoJSON export left out because no place was reported for them.
    pub unplaced: usize,
}

/// Items fetched per query when streaming everything.
const STREAM_PAGE: usize = 2000;

/// A filter's incidents, a page at a time.
struct Pages {
    query: IncidentQuery,
    left: usize,
}

impl Pages {
    /// The next page (with each incident's aliases), or `None` after the last.
    async fn next(&mut self, service: &Service) -> Result<Option<Vec<Incident>>, PipelineError> {
        if self.left == 0 {
            return Ok(None);
        }
        self.query.limit = Some(self.left.min(STREAM_PAGE));
        let batch = service
            .with_aliases(service.store.incidents(&self.query).await?)
            .await?;
        self.left -= batch.len();
        match batch.last() {
            Some(last) if batch.len() == self.query.limit.unwrap_or(0) => {
                self.query.after = Some(last.id.0.clone());
            }
            _ => self.left = 0,
        }
        Ok((!batch.is_empty()).then_some(batch))
    }
}

/// The record, for every face.
#[derive(Debug)]
pub struct Service {
    dir: DataDir,
    store: Arc<dyn RecordStore>,
    reference: OnceLock<Arc<Reference>>,
    origins: Arc<merge::OriginRegistry>,
    /// The archive, opened on first use and kept: it remembers where each digest sits in the
    /// log, so a long-running server proves a document with O(log n) reads.
    archive: OnceLock<archive::Archive>,
}

impl Service {
    /// Opens the record; a migrated store's derived tables are rebuilt before anything else.
    pub async fn open(options: &OpenOptions) -> Result<Service, PipelineError> {
        let target = match &options.database {
            Some(url) => StoreTarget::parse(url),
            None => StoreTarget::Sqlite(options.data_dir.join("ombud.db")),
        };
        if !options.create
            && let StoreTarget::Sqlite(path) = &target
            && !path.exists()
        {
            return Err(PipelineError::NoRecord {
                dir: options.data_dir.clone(),
            });
        }
        let dir = if options.read_only {
            DataDir::at(&options.data_dir)
        } else {
            DataDir::open(&options.data_dir)?
        };
        let origins = Arc::new(crate::publishers::origin_registry(Some(
            &options.data_dir.join("origins.tsv"),
        ))?);
        let store = if options.read_only {
            store::open_read_only(&target).await?
        } else {
            store::open(&target).await?
        };
        let service = Service {
            dir,
            store,
            reference: OnceLock::new(),
            origins,
            archive: OnceLock::new(),
        };
        if options.read_only {
            if service.store.derived_stale().await? {
                tracing::warn!(
                    "the incidents of this read-only copy are not rebuilt since its last migration: documents, claims, decisions and the log are as stored"
                );
            }
            return Ok(service);
        }
        let mut tx = service.store.begin().await?;
        tx.seed_publishers(&default_publishers()?).await?;
        tx.commit().await?;
        if service.store.derived_stale().await? {
            service.rebuild(&mut |_| {}).await?;
        }
        Ok(service)
    }

    pub async fn close(self) -> Result<(), PipelineError> {
        self.store.close().await?;
        Ok(())
    }

    /// The data directory's archive (opened once, then shared).
    pub(crate) fn archive(&self) -> Result<archive::Archive, PipelineError> {
        if let Some(a) = self.archive.get() {
            return Ok(a.clone());
        }
        let opened = self.dir.archive()?;
        Ok(self.archive.get_or_init(|| opened).clone())
    }

    pub fn data_dir(&self) -> &DataDir {
        &self.dir
    }

    /// Where the database is, for messages.
    pub fn database(&self) -> String {
        format!("{} ({})", self.store.place(), self.store.backend().as_str())
    }

    pub(crate) fn store(&self) -> &dyn RecordStore {
        self.store.as_ref()
    }

    /// The origins registry: ombud's own, then the data directory's `origins.tsv`.
    pub(crate) fn origins(&self) -> &Arc<merge::OriginRegistry> {
        &self.origins
    }

    /// The lexicons, gazetteer and registry, loaded on first use (the gazetteer takes a
    /// quarter of a second; a query that needs no place never loads it).
    pub fn reference(&self) -> Result<&Reference, PipelineError> {
        Ok(self.reference_arc_ref()?)
    }

    pub(crate) fn reference_arc(&self) -> Result<Arc<Reference>, PipelineError> {
        Ok(Arc::clone(self.reference_arc_ref()?))
    }

    fn reference_arc_ref(&self) -> Result<&Arc<Reference>, PipelineError> {
        if let Some(r) = self.reference.get() {
            return Ok(r);
        }
        let loaded = Arc::new(Reference::load_with(&self.dir.gazetteer_files())?);
        Ok(self.reference.get_or_init(|| loaded))
    }

    /// Reads, archives, extracts, geocodes, stores and merges the inputs.
    pub async fn ingest(
        &self,
        paths: &[PathBuf],
        options: &IngestOptions,
        on_event: &mut (dyn FnMut(IngestEvent) + Send),
    ) -> Result<IngestReport, PipelineError> {
        crate::ingest::ingest(self, paths, options, on_event).await
    }

    /// Ingests one file a person sent (through the server) and records who sent it as a
    /// decision, logged like every other: the collection record of the file.
    pub async fn ingest_upload(
        &self,
        path: &std::path::Path,
        name: &str,
        options: &IngestOptions,
        by: &crate::Reviewer,
    ) -> Result<(IngestReport, model::Decision), PipelineError> {
        let bytes = std::fs::read(path).map_err(|source| PipelineError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let report = self
            .ingest(
                std::slice::from_ref(&path.to_path_buf()),
                options,
                &mut |_| {},
            )
            .await?;
        let action = model::Action::Upload {
            file: name.to_string(),
            sha256: archive::sha256_hex(&bytes),
            bytes: bytes.len() as u64,
            new: report.new,
            duplicate: report.duplicate,
        };
        let decision = self.decide(action, &by.name, &by.at, &by.note).await?;
        Ok((report, decision))
    }

    /// Stores documents read and extracted elsewhere (their bytes archived by the caller) and
    /// merges their claims, in one transaction, as ingest does with each group.
    pub async fn add_documents(
        &self,
        parts: &[crate::Parts<'_>],
        now: &str,
    ) -> Result<crate::Added, PipelineError> {
        let json: Vec<Vec<String>> = parts
            .iter()
            .map(|p| crate::ingest::claim_json(p.claims))
            .collect();
        let json: Vec<&[String]> = json.iter().map(Vec::as_slice).collect();
        let added = crate::run::added_digest(&self.dir.gazetteer_files())?;
        crate::ingest::store_batch(
            self.store(),
            parts,
            &json,
            now,
            &added,
            self.origins(),
            None,
        )
        .await
    }

    /// Loads a GeoNames dump (a geonames.org country file such as `UA.txt`, or
    /// `allCountries.txt`) into the data directory's gazetteer: its villages resolve from the
    /// next command on. Returns how many places the file gave. `ombud reextract` then reads the
    /// stored documents again with them.
    pub fn import_gazetteer(&self, path: &std::path::Path) -> Result<usize, PipelineError> {
        let text = std::fs::read_to_string(path).map_err(|source| PipelineError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let base = gazetteer::embedded()?;
        let rows = gazetteer::geonames::parse_with(&text, &path.display().to_string(), &base)?;
        let dir = self.dir.gazetteer_dir();
        std::fs::create_dir_all(&dir).map_err(|source| PipelineError::Io {
            path: dir.clone(),
            source,
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "geonames".into());
        let stem = path
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "geonames".into());
        let target = dir.join(format!("{stem}.tsv"));
        let tmp = dir.join(format!(".{stem}.tsv.tmp"));
        let io = |source| PipelineError::Io {
            path: target.clone(),
            source,
        };
        std::fs::write(&tmp, gazetteer::to_tsv(&rows, &format!("geonames {name}"))).map_err(io)?;
        std::fs::rename(&tmp, &target).map_err(io)?;
        Ok(rows.len())
    }

    pub async fn counts(&self) -> Result<store::Counts, PipelineError> {
        Ok(self.store.counts().await?)
    }

    fn query(&self, filter: &IncidentFilter, page: &Page) -> Result<IncidentQuery, PipelineError> {
        let place = match &filter.place {
            Some(name) => Some(PlaceFilter {
                ids: self
                    .reference()?
                    .gazetteer
                    .lookup(name)
                    .iter()
                    .map(|e| e.geonameid)
                    .filter(|id| *id != 0)
                    .collect(),
                name: name.clone(),
            }),
            None => None,
        };
        Ok(IncidentQuery {
            since: filter.since,
            until: filter.until,
            place,
            weapon: filter.weapon.clone(),
            event_type: filter.event_type.clone(),
            actor: filter.actor.clone(),
            grade: filter.grade,
            text: filter.text.clone(),
            limit: page.limit,
            after: page.after.clone(),
        })
    }

    /// Checks that a page's `after` names a live incident.
    async fn check_cursor(&self, page: &Page) -> Result<(), PipelineError> {
        let Some(after) = &page.after else {
            return Ok(());
        };
        match self.store.incident(after).await? {
            Resolved::Incident(i) if &i.id.0 == after => Ok(()),
            _ => Err(PipelineError::Cursor {
                given: after.clone(),
            }),
        }
    }

    /// One page of incidents, in order of date then id.
    pub async fn incidents(
        &self,
        filter: &IncidentFilter,
        page: &Page,
    ) -> Result<Vec<Incident>, PipelineError> {
        self.check_cursor(page).await?;
        let query = self.query(filter, page)?;
        let found = self.store.incidents(&query).await?;
        self.with_aliases(found).await
    }

    /// The incidents with the ids that joined each (one indexed query for the lot).
    async fn with_aliases(&self, mut list: Vec<Incident>) -> Result<Vec<Incident>, PipelineError> {
        if list.is_empty() {
            return Ok(list);
        }
        let ids: Vec<IncidentId> = list.iter().map(|i| i.id.clone()).collect();
        let mut aliases = self.store.aliases_of(&ids).await?;
        for i in &mut list {
            i.aliases = aliases.remove(&i.id).unwrap_or_default();
        }
        Ok(list)
    }

    /// Every incident of the filter after `page.after` (up to `page.limit`), fetched a page at
    /// a time and handed to `each` as it comes; returns how many.
    pub async fn each_incident(
        &self,
        filter: &IncidentFilter,
        page: &Page,
        each: &mut dyn FnMut(&Incident) -> Result<(), PipelineError>,
    ) -> Result<usize, PipelineError> {
        let mut pages = self.pages(filter, page).await?;
        let mut n = 0;
        while let Some(batch) = pages.next(self).await? {
            for i in &batch {
                each(i)?;
            }
            n += batch.len();
        }
        Ok(n)
    }

    /// The filter's incidents after `page.after` (up to `page.limit`), a page of
    /// `STREAM_PAGE` at a time.
    async fn pages(&self, filter: &IncidentFilter, page: &Page) -> Result<Pages, PipelineError> {
        self.check_cursor(page).await?;
        Ok(Pages {
            query: self.query(filter, page)?,
            left: page.limit.unwrap_or(usize::MAX),
        })
    }

    /// Writes the filter's incidents in `format` as chunks of bytes sent to `out` (a page of
    /// incidents a chunk), for a face that streams them; stops early when `out` is closed. No
    /// writer is held while a page is read, so the future may move between threads.
    pub async fn export_chunks(
        &self,
        filter: &IncidentFilter,
        format: ExportFormat,
        out: &tokio::sync::mpsc::Sender<Vec<u8>>,
    ) -> Result<Exported, PipelineError> {
        use crate::export::Writer;
        let mut pages = self.pages(filter, &Page::default()).await?;
        let mut chunk = Vec::new();
        let mut at = { Writer::start(format, &mut chunk)?.pause()? };
        let mut n = 0;
        while let Some(batch) = pages.next(self).await? {
            // In a block of its own: a writer (not `Send`) must be gone before the next await.
            at = {
                let mut w = Writer::resume(format, &mut chunk, at);
                for i in &batch {
                    w.write(i)?;
                }
                w.pause()?
            };
            n += batch.len();
            if out.send(std::mem::take(&mut chunk)).await.is_err() {
                return Ok(Exported {
                    written: n,
                    unplaced: 0,
                });
            }
        }
        let unplaced = { Writer::resume(format, &mut chunk, at).finish()? };
        let _ = out.send(chunk).await;
        Ok(Exported {
            written: n - unplaced,
            unplaced,
        })
    }

    /// The selected incidents with a place, grouped into the cells of `grid` for a map.
    pub async fn map(
        &self,
        filter: &IncidentFilter,
        grid: &store::MapGrid,
    ) -> Result<Vec<store::MapCell>, PipelineError> {
        let query = self.query(filter, &Page::default())?;
        Ok(self.store.map_cells(&query, grid).await?)
    }

    /// Incidents a person should look at as possible duplicates: those that start on the same
    /// day at the same place yet were kept apart, with their rows, newest day first.
    pub async fn likely_duplicates(
        &self,
        groups: usize,
    ) -> Result<Vec<Vec<Incident>>, PipelineError> {
        let found = self.store.same_day_and_place(groups).await?;
        let ids: Vec<IncidentId> = found.iter().flatten().cloned().collect();
        let mut by_id: std::collections::HashMap<IncidentId, Incident> = if ids.is_empty() {
            Default::default()
        } else {
            let mut tx = self.store.snapshot().await?;
            let rows = tx.incidents_by_id(&ids).await?;
            drop(tx);
            rows.into_iter().map(|i| (i.id.clone(), i)).collect()
        };
        Ok(found
            .into_iter()
            .map(|group| {
                group
                    .iter()
                    .filter_map(|id| by_id.remove(id))
                    .collect::<Vec<_>>()
            })
            .filter(|g| g.len() > 1)
            .collect())
    }

    /// How many selected incidents start on each day.
    pub async fn timeline(
        &self,
        filter: &IncidentFilter,
    ) -> Result<Vec<store::DayCount>, PipelineError> {
        let query = self.query(filter, &Page::default())?;
        Ok(self.store.timeline(&query).await?)
    }

    /// The archived bytes of a document, exactly as they were read.
    pub fn original(&self, sha256: &str) -> Result<Vec<u8>, PipelineError> {
        Ok(self.archive()?.get(sha256)?)
    }

    /// Writes the filter's incidents in `format`, streamed; returns how many.
    pub async fn export(
        &self,
        filter: &IncidentFilter,
        format: ExportFormat,
        out: &mut dyn std::io::Write,
    ) -> Result<Exported, PipelineError> {
        let mut writer = crate::export::Writer::start(format, out)?;
        let n = self
            .each_incident(filter, &Page::default(), &mut |i| writer.write(i))
            .await?;
        let unplaced = writer.finish()?;
        Ok(Exported {
            written: n - unplaced,
            unplaced,
        })
    }

    /// One incident (by id, alias, or unique id prefix) with its claims.
    pub async fn incident(&self, id: &str) -> Result<IncidentDetail, PipelineError> {
        let (incident, alias) = match self.store.incident(id).await? {
            Resolved::Incident(i) => (*i, None),
            Resolved::Alias { alias, incident } => (*incident, Some(alias)),
            Resolved::Retired(id) => return Err(PipelineError::Retired { id: id.0 }),
            Resolved::Ambiguous(ids) => {
                return Err(PipelineError::Ambiguous {
                    what: "incident",
                    given: id.to_string(),
                    candidates: ids.into_iter().map(|i| i.0).collect(),
                });
            }
            Resolved::NotFound => {
                return Err(PipelineError::NotFound {
                    what: "incident",
                    given: id.to_string(),
                    hint: "`ombud incidents` lists them",
                });
            }
        };
        let incident = self
            .with_aliases(vec![incident])
            .await?
            .pop()
            .ok_or_else(|| PipelineError::BadArgument("an incident went missing".into()))?;
        let claims = self.store.claims_of_incident(&incident.id).await?;
        Ok(IncidentDetail {
            incident,
            claims,
            alias,
        })
    }

    /// One page of claims, in order of date then id.
    pub async fn claims(
        &self,
        query: &ClaimQuery,
        page: &Page,
    ) -> Result<Vec<StoredClaim>, PipelineError> {
        let query = ClaimQuery {
            limit: page.limit,
            after: page.after.clone(),
            ..query.clone()
        };
        Ok(self.store.claims(&query).await?)
    }

    /// Every claim of the query after `page.after` (up to `page.limit`), a page at a time.
    pub async fn each_claim(
        &self,
        query: &ClaimQuery,
        page: &Page,
        each: &mut dyn FnMut(&StoredClaim) -> Result<(), PipelineError>,
    ) -> Result<usize, PipelineError> {
        let mut query = ClaimQuery {
            after: page.after.clone(),
            ..query.clone()
        };
        let mut left = page.limit.unwrap_or(usize::MAX);
        let mut n = 0;
        while left > 0 {
            query.limit = Some(left.min(STREAM_PAGE));
            let batch = self.store.claims(&query).await?;
            for c in &batch {
                each(c)?;
            }
            n += batch.len();
            left -= batch.len();
            match batch.last() {
                Some(last) if batch.len() == query.limit.unwrap_or(0) => {
                    query.after = Some(last.id.to_string());
                }
                _ => break,
            }
        }
        Ok(n)
    }

    /// Every document of the query after `page.after` (up to `page.limit`), a page at a time.
    pub async fn each_document(
        &self,
        query: &DocumentQuery,
        page: &Page,
        each: &mut dyn FnMut(&DocumentRecord) -> Result<(), PipelineError>,
    ) -> Result<usize, PipelineError> {
        let mut query = DocumentQuery {
            after: page.after.clone(),
            ..query.clone()
        };
        let mut left = page.limit.unwrap_or(usize::MAX);
        let mut n = 0;
        while left > 0 {
            query.limit = Some(left.min(STREAM_PAGE));
            let batch = self.store.documents(&query).await?;
            for d in &batch {
                each(d)?;
            }
            n += batch.len();
            left -= batch.len();
            match batch.last() {
                Some(last) if batch.len() == query.limit.unwrap_or(0) => {
                    query.after = Some(last.sha256.clone());
                }
                _ => break,
            }
        }
        Ok(n)
    }

    /// One document by its hash or a unique beginning of it, with its text.
    pub async fn document(&self, prefix: &str) -> Result<DocumentRecord, PipelineError> {
        let mut found = self.store.documents_by_prefix(prefix).await?;
        match found.len() {
            0 => Err(PipelineError::NotFound {
                what: "document",
                given: prefix.to_string(),
                hint: "`ombud documents` lists them",
            }),
            1 => Ok(found.remove(0)),
            _ => Err(PipelineError::Ambiguous {
                what: "document",
                given: prefix.to_string(),
                candidates: found.into_iter().map(|d| d.sha256).collect(),
            }),
        }
    }

    /// A document's claims, in document order.
    pub async fn document_claims(&self, sha256: &str) -> Result<Vec<StoredClaim>, PipelineError> {
        Ok(self.store.document_claims(sha256).await?)
    }

    pub async fn publishers(&self) -> Result<Vec<Publisher>, PipelineError> {
        Ok(self.store.publishers().await?)
    }

    pub async fn decisions(&self) -> Result<Vec<model::Decision>, PipelineError> {
        Ok(self.store.decisions().await?)
    }

    pub async fn runs(&self) -> Result<Vec<store::Run>, PipelineError> {
        Ok(self.store.runs().await?)
    }
}
