//! The store over SQL: one implementation of the record's API for both databases, through the
//! connection adapter of `conn`. Reads take a pooled connection; writes a transaction.

use std::collections::{HashMap, HashSet};

use model::{ClaimId, Decision, DecisionId, DocumentRecord, Incident, IncidentId, Publisher};
use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::conn::{Backend, Conn};
use crate::query::{ClaimQuery, DocumentQuery, IncidentQuery, ReextractSelection};
use crate::{Account, Credential, DayCount, MapCell, MapGrid};
use crate::{
    BandFiles, CopyCandidate, CopyChange, Counts, Fut, IncidentChanges, IndexRow, NewDocument,
    RecordStore, RecordTx, Resolved, Run, StoreResult, StoredClaim, accounts, claims, decisions,
    documents, incidents, q, registry,
};

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

enum Pooled {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Pooled {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            Pooled::Sqlite(c) => Conn::Sqlite(c),
            Pooled::Postgres(c) => Conn::Postgres(c),
        }
    }
}

/// The record in a SQL database.
#[derive(Debug)]
pub(crate) struct SqlStore {
    pub(crate) pool: Pool,
    pub(crate) place: String,
}

impl SqlStore {
    async fn acquire(&self) -> StoreResult<Pooled> {
        let doing = "connecting to the database";
        Ok(match &self.pool {
            Pool::Sqlite(p) => Pooled::Sqlite(p.acquire().await.map_err(q(doing))?),
            Pool::Postgres(p) => Pooled::Postgres(p.acquire().await.map_err(q(doing))?),
        })
    }
}

/// Runs `$body` with `$conn` bound to a pooled connection of `$store`.
macro_rules! read {
    ($store:expr, |$conn:ident| $body:expr) => {
        Box::pin(async move {
            let mut pooled = $store.acquire().await?;
            let mut $conn = pooled.conn();
            $body
        })
    };
}

impl RecordStore for SqlStore {
    fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    fn place(&self) -> &str {
        &self.place
    }

    fn begin(&self) -> Fut<'_, Box<dyn RecordTx>> {
        Box::pin(async move {
            let doing = "starting a write";
            let mut tx = match &self.pool {
                Pool::Sqlite(p) => Tx::Sqlite(p.begin().await.map_err(q(doing))?),
                Pool::Postgres(p) => Tx::Postgres(p.begin().await.map_err(q(doing))?),
            };
            let batch = registry::next_batch(&mut tx.conn()).await?;
            Ok(Box::new(SqlTx { tx, batch }) as Box<dyn RecordTx>)
        })
    }

    fn snapshot(&self) -> Fut<'_, Box<dyn RecordTx>> {
        Box::pin(async move {
            let doing = "starting a read";
            let tx = match &self.pool {
                Pool::Sqlite(p) => Tx::Sqlite(p.begin().await.map_err(q(doing))?),
                Pool::Postgres(p) => Tx::Postgres(p.begin().await.map_err(q(doing))?),
            };
            Ok(Box::new(SqlTx { tx, batch: 0 }) as Box<dyn RecordTx>)
        })
    }

    fn close(&self) -> Fut<'_, ()> {
        Box::pin(async move {
            match &self.pool {
                Pool::Sqlite(p) => p.close().await,
                Pool::Postgres(p) => p.close().await,
            }
            Ok(())
        })
    }

    fn refresh_statistics(&self) -> Fut<'_, ()> {
        read!(self, |conn| {
            let sql = match conn.backend() {
                Backend::Sqlite => "PRAGMA optimize",
                Backend::Postgres => {
                    "ANALYZE documents, claims, claim_index, incidents, incident_places, incident_ids"
                }
            };
            conn.script(sql)
                .await
                .map_err(q("refreshing the planner's statistics"))
        })
    }

    fn derived_stale(&self) -> Fut<'_, bool> {
        read!(self, |conn| registry::derived_stale(&mut conn).await)
    }

    fn counts(&self) -> Fut<'_, Counts> {
        read!(self, |conn| registry::counts(&mut conn).await)
    }

    fn existing_documents<'a>(&'a self, sha256: &'a [String]) -> Fut<'a, HashSet<String>> {
        read!(self, |conn| documents::existing(&mut conn, sha256).await)
    }

    fn documents<'a>(&'a self, query: &'a DocumentQuery) -> Fut<'a, Vec<DocumentRecord>> {
        read!(self, |conn| documents::list(&mut conn, query).await)
    }

    fn documents_by_prefix<'a>(&'a self, prefix: &'a str) -> Fut<'a, Vec<DocumentRecord>> {
        read!(self, |conn| documents::by_prefix(&mut conn, prefix).await)
    }

    fn documents_to_reextract<'a>(
        &'a self,
        selection: &'a ReextractSelection,
        after: Option<&'a str>,
        limit: usize,
    ) -> Fut<'a, Vec<DocumentRecord>> {
        read!(self, |conn| documents::to_reextract(
            &mut conn, selection, after, limit
        )
        .await)
    }

    fn incidents<'a>(&'a self, query: &'a IncidentQuery) -> Fut<'a, Vec<Incident>> {
        read!(self, |conn| incidents::list(&mut conn, query).await)
    }

    fn map_cells<'a>(
        &'a self,
        query: &'a IncidentQuery,
        grid: &'a MapGrid,
    ) -> Fut<'a, Vec<MapCell>> {
        read!(self, |conn| incidents::map_cells(&mut conn, query, grid)
            .await)
    }

    fn timeline<'a>(&'a self, query: &'a IncidentQuery) -> Fut<'a, Vec<DayCount>> {
        read!(self, |conn| incidents::timeline(&mut conn, query).await)
    }

    fn same_day_and_place(&self, limit: usize) -> Fut<'_, Vec<Vec<IncidentId>>> {
        read!(self, |conn| incidents::same_day_and_place(&mut conn, limit)
            .await)
    }

    fn accounts(&self) -> Fut<'_, Vec<Account>> {
        read!(self, |conn| accounts::list(&mut conn).await)
    }

    fn account<'a>(&'a self, name: &'a str) -> Fut<'a, Option<Account>> {
        read!(self, |conn| accounts::get(&mut conn, name).await)
    }

    fn add_account<'a>(&'a self, account: &'a Account) -> Fut<'a, bool> {
        read!(self, |conn| accounts::add(&mut conn, account).await)
    }

    fn update_account<'a>(&'a self, account: &'a Account) -> Fut<'a, bool> {
        read!(self, |conn| accounts::update(&mut conn, account).await)
    }

    fn remove_account<'a>(&'a self, name: &'a str) -> Fut<'a, bool> {
        read!(self, |conn| accounts::remove(&mut conn, name).await)
    }

    fn add_credential<'a>(&'a self, credential: &'a Credential) -> Fut<'a, ()> {
        read!(self, |conn| accounts::add_credential(&mut conn, credential)
            .await)
    }

    fn credential<'a>(&'a self, token_sha256: &'a str) -> Fut<'a, Option<(Credential, Account)>> {
        read!(self, |conn| accounts::credential(&mut conn, token_sha256)
            .await)
    }

    fn end_credential<'a>(&'a self, token_sha256: &'a str, now: &'a str) -> Fut<'a, ()> {
        read!(self, |conn| accounts::end_credential(
            &mut conn,
            token_sha256,
            now
        )
        .await)
    }

    fn incident<'a>(&'a self, id: &'a str) -> Fut<'a, Resolved> {
        read!(self, |conn| incidents::resolve(&mut conn, id).await)
    }

    fn claims_of_incident<'a>(&'a self, id: &'a IncidentId) -> Fut<'a, Vec<StoredClaim>> {
        read!(self, |conn| claims::of_incident(&mut conn, id).await)
    }

    fn document_claims<'a>(&'a self, sha256: &'a str) -> Fut<'a, Vec<StoredClaim>> {
        read!(self, |conn| {
            let ids = claims::of_document(&mut conn, sha256).await?;
            let mut found = claims::load(&mut conn, &ids).await?;
            found.sort_by_key(|c| (c.claim.sentence.start, c.claim.sentence.end));
            Ok(found)
        })
    }

    fn claims_by_id<'a>(&'a self, ids: &'a [ClaimId]) -> Fut<'a, Vec<StoredClaim>> {
        read!(self, |conn| claims::load(&mut conn, ids).await)
    }

    fn aliases_of<'a>(
        &'a self,
        ids: &'a [IncidentId],
    ) -> Fut<'a, HashMap<IncidentId, Vec<IncidentId>>> {
        read!(self, |conn| incidents::aliases_of(&mut conn, ids).await)
    }

    fn claims<'a>(&'a self, query: &'a ClaimQuery) -> Fut<'a, Vec<StoredClaim>> {
        read!(self, |conn| claims::list(&mut conn, query).await)
    }

    fn publishers(&self) -> Fut<'_, Vec<Publisher>> {
        read!(self, |conn| registry::publishers(&mut conn).await)
    }

    fn decisions(&self) -> Fut<'_, Vec<Decision>> {
        read!(self, |conn| decisions::list(&mut conn).await)
    }

    fn runs(&self) -> Fut<'_, Vec<Run>> {
        read!(self, |conn| registry::runs(&mut conn).await)
    }
}

enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
    }
}

/// A write transaction.
struct SqlTx {
    tx: Tx,
    batch: u64,
}

/// Runs `$body` with `$conn` bound to the transaction's connection.
macro_rules! write {
    ($tx:expr, |$conn:ident| $body:expr) => {
        Box::pin(async move {
            let mut $conn = $tx.tx.conn();
            $body
        })
    };
}

impl RecordTx for SqlTx {
    fn batch(&self) -> u64 {
        self.batch
    }

    fn run<'a>(
        &'a mut self,
        ombud_version: &'a str,
        lexicon_digest: &'a str,
        gazetteer_digest: &'a str,
        started_at: &'a str,
    ) -> Fut<'a, i64> {
        write!(self, |conn| registry::run(
            &mut conn,
            ombud_version,
            lexicon_digest,
            gazetteer_digest,
            started_at
        )
        .await)
    }

    fn existing_documents<'a>(&'a mut self, sha256: &'a [String]) -> Fut<'a, HashSet<String>> {
        write!(self, |conn| documents::existing(&mut conn, sha256).await)
    }

    fn insert_documents<'a>(&'a mut self, docs: &'a [NewDocument<'a>]) -> Fut<'a, Vec<String>> {
        write!(self, |conn| documents::insert(&mut conn, docs).await)
    }

    fn replace_claims<'a>(
        &'a mut self,
        doc: &'a NewDocument<'a>,
        aliases: &'a [(ClaimId, Option<ClaimId>)],
    ) -> Fut<'a, ()> {
        write!(self, |conn| {
            let held = claims::incidents_of_document(&mut conn, &doc.record.sha256).await?;
            claims::delete_of_document(&mut conn, &doc.record.sha256).await?;
            let new: Vec<&crate::NewClaim<'_>> = doc.claims.iter().collect();
            claims::insert(&mut conn, &new).await?;
            claims::alias(&mut conn, aliases, doc.run).await?;
            // A claim still there, or moved, stays in the incident it was in until re-merged.
            let moved: HashMap<&ClaimId, &Option<ClaimId>> =
                aliases.iter().map(|(o, n)| (o, n)).collect();
            let carried: Vec<(ClaimId, Option<IncidentId>)> = held
                .into_iter()
                .filter_map(|(old, incident)| {
                    let now = match moved.get(&old) {
                        Some(Some(new)) => new.clone(),
                        Some(None) => return None,
                        None => old,
                    };
                    Some((now, Some(incident)))
                })
                .collect();
            claims::set_incidents(&mut conn, &carried).await?;
            documents::set_extraction(&mut conn, doc).await
        })
    }

    fn withdraw_document<'a>(&'a mut self, sha256: &'a str) -> Fut<'a, bool> {
        write!(self, |conn| documents::withdraw(&mut conn, sha256).await)
    }

    fn reindex<'a>(&'a mut self, rows: &'a [(ClaimId, Vec<IndexRow>)]) -> Fut<'a, ()> {
        write!(self, |conn| claims::reindex(&mut conn, rows).await)
    }

    fn neighbours<'a>(
        &'a mut self,
        probes: &'a [IndexRow],
        max_span: i64,
    ) -> Fut<'a, Vec<ClaimId>> {
        write!(self, |conn| claims::neighbours(&mut conn, probes, max_span)
            .await)
    }

    fn load_claims<'a>(&'a mut self, ids: &'a [ClaimId]) -> Fut<'a, Vec<StoredClaim>> {
        write!(self, |conn| claims::load(&mut conn, ids).await)
    }

    fn claims_of_incidents<'a>(&'a mut self, ids: &'a [IncidentId]) -> Fut<'a, Vec<ClaimId>> {
        write!(self, |conn| claims::of_incidents(&mut conn, ids).await)
    }

    fn claims_of_document<'a>(&'a mut self, sha256: &'a str) -> Fut<'a, Vec<ClaimId>> {
        write!(self, |conn| claims::of_document(&mut conn, sha256).await)
    }

    fn claim_ids<'a>(
        &'a mut self,
        after: Option<&'a ClaimId>,
        limit: usize,
    ) -> Fut<'a, Vec<ClaimId>> {
        write!(self, |conn| claims::ids_after(&mut conn, after, limit)
            .await)
    }

    fn claims_of_publisher<'a>(&'a mut self, name: &'a str) -> Fut<'a, Vec<ClaimId>> {
        write!(self, |conn| claims::of_publisher(&mut conn, name).await)
    }

    fn incident_seqs<'a>(&'a mut self, ids: &'a [IncidentId]) -> Fut<'a, HashMap<IncidentId, u64>> {
        write!(self, |conn| incidents::seqs(&mut conn, ids).await)
    }

    fn incidents_by_id<'a>(&'a mut self, ids: &'a [IncidentId]) -> Fut<'a, Vec<Incident>> {
        write!(self, |conn| incidents::by_id(&mut conn, ids).await)
    }

    fn taken_ids<'a>(&'a mut self, bases: &'a [String]) -> Fut<'a, HashSet<String>> {
        write!(self, |conn| incidents::taken(&mut conn, bases).await)
    }

    fn write_incidents<'a>(&'a mut self, changes: &'a IncidentChanges<'a>) -> Fut<'a, ()> {
        write!(self, |conn| incidents::write(&mut conn, changes).await)
    }

    fn append_decision<'a>(&'a mut self, decision: &'a Decision) -> Fut<'a, Decision> {
        write!(self, |conn| decisions::append(&mut conn, decision).await)
    }

    fn band_members<'a>(&'a mut self, bands: &'a [i64], cap: usize) -> Fut<'a, BandFiles> {
        write!(self, |conn| documents::band_members(&mut conn, bands, cap)
            .await)
    }

    fn copy_candidates<'a>(
        &'a mut self,
        sha256: &'a [String],
        roots: &'a [String],
    ) -> Fut<'a, Vec<CopyCandidate>> {
        write!(self, |conn| documents::copy_candidates(
            &mut conn, sha256, roots
        )
        .await)
    }

    fn set_copy_of<'a>(&'a mut self, changes: &'a [CopyChange]) -> Fut<'a, ()> {
        write!(self, |conn| documents::set_copy_of(&mut conn, changes)
            .await)
    }

    fn set_sketch<'a>(
        &'a mut self,
        sha256: &'a str,
        sketch: Option<&'a str>,
        bands: &'a [i64],
    ) -> Fut<'a, ()> {
        write!(self, |conn| documents::set_sketch(
            &mut conn, sha256, sketch, bands
        )
        .await)
    }

    fn clear_copies(&mut self) -> Fut<'_, ()> {
        write!(self, |conn| documents::clear_copies(&mut conn).await)
    }

    fn next_decision_id(&mut self) -> Fut<'_, DecisionId> {
        write!(self, |conn| decisions::next_id(&mut conn).await)
    }

    fn resolve_claims<'a>(
        &'a mut self,
        ids: &'a [ClaimId],
    ) -> Fut<'a, HashMap<ClaimId, Option<ClaimId>>> {
        write!(self, |conn| claims::resolve(&mut conn, ids).await)
    }

    fn decisions(&mut self) -> Fut<'_, Vec<Decision>> {
        write!(self, |conn| decisions::list(&mut conn).await)
    }

    fn publishers(&mut self) -> Fut<'_, Vec<Publisher>> {
        write!(self, |conn| registry::publishers(&mut conn).await)
    }

    fn resolve_incidents<'a>(
        &'a mut self,
        ids: &'a [IncidentId],
    ) -> Fut<'a, HashMap<IncidentId, Option<IncidentId>>> {
        write!(self, |conn| incidents::targets(&mut conn, ids).await)
    }

    fn retire_orphans(&mut self) -> Fut<'_, u64> {
        write!(self, |conn| incidents::retire_orphans(&mut conn).await)
    }

    fn seed_publishers<'a>(&'a mut self, publishers: &'a [Publisher]) -> Fut<'a, usize> {
        write!(self, |conn| registry::seed_publishers(
            &mut conn, publishers
        )
        .await)
    }

    fn upsert_publisher<'a>(&'a mut self, publisher: &'a Publisher) -> Fut<'a, ()> {
        write!(self, |conn| registry::upsert_publisher(
            &mut conn, publisher
        )
        .await)
    }

    fn set_derived_fresh(&mut self) -> Fut<'_, ()> {
        write!(self, |conn| registry::set_derived_fresh(&mut conn).await)
    }

    fn clear_derived(&mut self) -> Fut<'_, ()> {
        write!(self, |conn| registry::clear_derived(&mut conn).await)
    }

    fn commit(self: Box<Self>) -> Fut<'static, ()> {
        Box::pin(async move {
            let doing = "committing a write";
            match self.tx {
                Tx::Sqlite(t) => t.commit().await.map_err(q(doing)),
                Tx::Postgres(t) => t.commit().await.map_err(q(doing)),
            }
        })
    }
}
