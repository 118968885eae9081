//! The store: the record behind one API over two databases, SQLite (bundled, embedded in the
//! data directory, the default) and PostgreSQL (for teams). Documents, claims keyed by their
//! content, the index that finds a claim's possible neighbours, incidents with their ids and
//! aliases, decisions, publishers and extraction runs.
//!
//! The store keeps what it is given and answers indexed queries; it decides nothing. Which
//! claims make an incident is the pure `merge` crate's business, wired by `pipeline`: the
//! store's claim index and incidents are derived data the pipeline can always rebuild.
//!
//! Reads go through [`RecordStore`]; every write goes through a [`RecordTx`], one transaction
//! that also holds the store's write lock, so a batch of documents and the incidents it changes
//! become visible (and durable) together, and writers never interleave.

mod accounts;
mod claims;
mod conn;
mod decisions;
mod documents;
mod incidents;
mod open;
mod query;
mod registry;
mod schema;
pub mod scratch;
mod sql;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;

use model::{
    Claim, ClaimId, Date, Decision, DecisionId, DocumentRecord, Incident, IncidentId, Publisher,
};

pub use accounts::{Account, Credential};
pub use conn::Backend;
pub use open::{StoreTarget, open, open_read_only};
pub use query::{
    ClaimQuery, DayCount, DocumentQuery, IncidentQuery, MapCell, MapGrid, MapKey, PlaceFilter,
    ReextractSelection, UNDATED,
};
pub use schema::{JSON_VERSION, SCHEMA_VERSION};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{place}: cannot open the database: {source}")]
    Open {
        place: String,
        #[source]
        source: sqlx::Error,
    },
    #[error(
        "{place}: the database is at schema version {found}, newer than this ombud ({SCHEMA_VERSION}): upgrade ombud"
    )]
    TooNew { place: String, found: i64 },
    #[error(
        "{place}: the database is at schema version {found}, older than this ombud ({SCHEMA_VERSION}), and it is opened read-only: run this ombud once on a writable copy to migrate it, or use the ombud that wrote it"
    )]
    NeedsMigration { place: String, found: i64 },
    #[error("database error while {doing}: {source}")]
    Query {
        doing: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("corrupt row while {doing}: {message}")]
    Corrupt {
        doing: &'static str,
        message: String,
    },
    #[error("{what} {given:?} is not in the store")]
    Unknown { what: &'static str, given: String },
}

pub(crate) fn q(doing: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { doing, source }
}

pub(crate) fn corrupt(doing: &'static str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        doing,
        message: e.to_string(),
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// What a store method returns: a future that may be sent between threads.
pub type Fut<'a, T> = Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'a>>;

/// One row of the claim index: a claim's event family, place key (a place's own key, or a
/// geographic cell) and days, as the `merge` crate files them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IndexRow {
    pub event_type: String,
    pub place: String,
    pub day_start: i64,
    pub day_end: i64,
}

/// A claim to store: its content key, the claim, its sentence's words and its index rows.
#[derive(Clone, Debug)]
pub struct NewClaim<'a> {
    pub id: ClaimId,
    pub claim: &'a Claim,
    /// The claim as JSON (`serde_json::to_string(claim)`), made by the caller, so that many
    /// threads can make them.
    pub json: &'a str,
    pub quote: &'a str,
    pub index: Vec<IndexRow>,
    /// The incident the claim is in, when merging placed it before it was stored.
    pub incident: Option<IncidentId>,
}

/// A document to store with its claims, read by extraction run `run`.
#[derive(Clone, Debug)]
pub struct NewDocument<'a> {
    pub record: &'a DocumentRecord,
    pub text: &'a str,
    pub diagnostics: &'a [model::Diagnostic],
    pub run: i64,
    pub claims: Vec<NewClaim<'a>>,
    /// Its MinHash sketch (hex) and band keys, for finding its copies.
    pub sketch: Option<String>,
    pub bands: Vec<i64>,
    /// The document it is a copy of.
    pub copy_of: Option<String>,
}

/// A stored document as copy detection reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct CopyCandidate {
    pub sha256: String,
    pub published: Option<Date>,
    pub publisher: Option<String>,
    pub copy_of: Option<String>,
    /// Its MinHash sketch (hex), for screening before words are compared.
    pub sketch: Option<String>,
    /// Its extracted text.
    pub text: String,
}

/// What `RecordTx::band_members` finds: for each band, its originals and their publication
/// days, or `None` when the band is common.
pub type BandFiles = HashMap<i64, Option<Vec<(String, i64)>>>;

/// A document's new place in a copy group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyChange {
    pub sha256: String,
    /// The original it copies (`None`: it is an original).
    pub copy_of: Option<String>,
    /// Its band keys: removed from the band index when it becomes a copy, added when it
    /// becomes an original.
    pub bands: Vec<i64>,
}

/// How a document was extracted: which ombud, lexicons and gazetteer read it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Run {
    pub id: i64,
    pub ombud_version: String,
    pub lexicon_digest: String,
    pub gazetteer_digest: String,
    pub started_at: String,
}

/// A stored claim with where it came from and the incident it is in.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StoredClaim {
    pub id: ClaimId,
    pub publisher: Option<String>,
    pub published: Option<Date>,
    pub origin: String,
    /// The document the claim's document copies, and that document's publisher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_publisher: Option<String>,
    /// The words of the claim's sentence.
    pub quote: String,
    pub incident: Option<IncidentId>,
    #[serde(flatten)]
    pub claim: Claim,
}

/// How an id given by a person resolved.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved {
    /// The id of a live incident (or the only one a prefix matches).
    Incident(Box<Incident>),
    /// An id that joined another incident, which is given.
    Alias {
        alias: IncidentId,
        incident: Box<Incident>,
    },
    /// An id whose incident lost every claim (all rejected, or gone after re-extraction).
    Retired(IncidentId),
    /// A prefix several ids start with.
    Ambiguous(Vec<IncidentId>),
    NotFound,
}

/// How many of each the store holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub documents: u64,
    pub claims: u64,
    pub incidents: u64,
    pub decisions: u64,
}

/// One incident to write: the incident (its id final) and, when its id is new, the order it was
/// minted in.
#[derive(Clone, Debug)]
pub struct IncidentWrite<'a> {
    pub incident: &'a Incident,
    /// The incident as JSON, made by the caller.
    pub json: &'a str,
    pub minted: Option<u64>,
}

/// What re-merging a part of the record changed.
#[derive(Clone, Debug, Default)]
pub struct IncidentChanges<'a> {
    /// Incidents new or changed.
    pub write: Vec<IncidentWrite<'a>>,
    /// Ids whose claims joined another incident: (alias, the incident it joined).
    pub joined: Vec<(IncidentId, IncidentId)>,
    /// Ids whose incident lost every claim.
    pub emptied: Vec<IncidentId>,
    /// Each claim's incident now (`None`: rejected, in no incident).
    pub membership: Vec<(ClaimId, Option<IncidentId>)>,
}

/// Reads of the record. Every method is one indexed query, or a few.
pub trait RecordStore: Send + Sync + std::fmt::Debug {
    fn backend(&self) -> Backend;

    /// Where the database is, for messages (a path, or a URL without its password).
    fn place(&self) -> &str;

    /// Starts a write: one transaction holding the store's write lock. Its batch number orders
    /// what it mints.
    fn begin(&self) -> Fut<'_, Box<dyn RecordTx>>;

    /// Starts a transaction for reading only: one consistent view of the record, without the
    /// write lock (a reader never waits for a writer, nor holds one up). Its batch is 0; drop
    /// it when done (nothing is written).
    fn snapshot(&self) -> Fut<'_, Box<dyn RecordTx>>;

    /// Closes the connections (flushing SQLite's write-ahead log).
    fn close(&self) -> Fut<'_, ()>;

    /// Brings the query planner's statistics up to date, after the record grew by a good part
    /// of itself (PostgreSQL's planner otherwise takes a large table for a small one until
    /// autovacuum comes by; SQLite's `PRAGMA optimize`).
    fn refresh_statistics(&self) -> Fut<'_, ()>;

    /// True when a migration left the derived tables (claim index, incidents) to be rebuilt.
    fn derived_stale(&self) -> Fut<'_, bool>;

    fn counts(&self) -> Fut<'_, Counts>;

    /// Which of these documents are stored.
    fn existing_documents<'a>(&'a self, sha256: &'a [String]) -> Fut<'a, HashSet<String>>;

    /// Documents in order of publication, paginated.
    fn documents<'a>(&'a self, query: &'a DocumentQuery) -> Fut<'a, Vec<DocumentRecord>>;

    /// The documents whose hash starts with `prefix`, with their text (at most a few).
    fn documents_by_prefix<'a>(&'a self, prefix: &'a str) -> Fut<'a, Vec<DocumentRecord>>;

    /// Documents to re-extract, in storage order after `after` (their hash), at most `limit`,
    /// with their text.
    fn documents_to_reextract<'a>(
        &'a self,
        selection: &'a ReextractSelection,
        after: Option<&'a str>,
        limit: usize,
    ) -> Fut<'a, Vec<DocumentRecord>>;

    /// Incidents in order of date, then id, filtered and paginated in SQL.
    fn incidents<'a>(&'a self, query: &'a IncidentQuery) -> Fut<'a, Vec<Incident>>;

    /// The selected incidents with a place, grouped into the cells of `grid` (the query's page
    /// is ignored).
    fn map_cells<'a>(
        &'a self,
        query: &'a IncidentQuery,
        grid: &'a MapGrid,
    ) -> Fut<'a, Vec<MapCell>>;

    /// How many selected incidents start on each day, in order (the query's page is ignored;
    /// undated incidents are left out).
    fn timeline<'a>(&'a self, query: &'a IncidentQuery) -> Fut<'a, Vec<DayCount>>;

    /// Groups of incidents that start on the same day at the same place yet are apart (likely
    /// duplicates for review), newest first, at most `limit` groups.
    fn same_day_and_place(&self, limit: usize) -> Fut<'_, Vec<Vec<IncidentId>>>;

    /// An incident by id, alias or unique id prefix.
    fn incident<'a>(&'a self, id: &'a str) -> Fut<'a, Resolved>;

    /// The claims of an incident, in document order.
    fn claims_of_incident<'a>(&'a self, id: &'a IncidentId) -> Fut<'a, Vec<StoredClaim>>;

    /// Claims in order of date, then id, filtered and paginated in SQL.
    fn claims<'a>(&'a self, query: &'a ClaimQuery) -> Fut<'a, Vec<StoredClaim>>;

    /// The stored claims with these ids.
    fn claims_by_id<'a>(&'a self, ids: &'a [ClaimId]) -> Fut<'a, Vec<StoredClaim>>;

    /// The claims of a document, in document order.
    fn document_claims<'a>(&'a self, sha256: &'a str) -> Fut<'a, Vec<StoredClaim>>;

    /// The aliases of each of these live incidents: the ids that joined it.
    fn aliases_of<'a>(
        &'a self,
        ids: &'a [IncidentId],
    ) -> Fut<'a, HashMap<IncidentId, Vec<IncidentId>>>;

    fn publishers(&self) -> Fut<'_, Vec<Publisher>>;

    /// Every decision, oldest first.
    fn decisions(&self) -> Fut<'_, Vec<Decision>>;

    /// The extraction runs, oldest first.
    fn runs(&self) -> Fut<'_, Vec<Run>>;

    /// Every account, by name. Accounts and credentials are written outside the record's
    /// transactions: they change who may act, not what the record says.
    fn accounts(&self) -> Fut<'_, Vec<Account>>;

    /// The account of this name (any case).
    fn account<'a>(&'a self, name: &'a str) -> Fut<'a, Option<Account>>;

    /// Adds an account; false when the name (any case) is taken.
    fn add_account<'a>(&'a self, account: &'a Account) -> Fut<'a, bool>;

    /// Replaces an account's role and password hash and ends its sessions and tokens; false
    /// when there is no such account.
    fn update_account<'a>(&'a self, account: &'a Account) -> Fut<'a, bool>;

    /// Removes an account with its sessions and tokens; false when there is none.
    fn remove_account<'a>(&'a self, name: &'a str) -> Fut<'a, bool>;

    fn add_credential<'a>(&'a self, credential: &'a Credential) -> Fut<'a, ()>;

    /// The credential whose secret hashes to this, with its account.
    fn credential<'a>(&'a self, token_sha256: &'a str) -> Fut<'a, Option<(Credential, Account)>>;

    /// Ends one credential, and every one expired before `now` (RFC 3339 UTC).
    fn end_credential<'a>(&'a self, token_sha256: &'a str, now: &'a str) -> Fut<'a, ()>;
}

/// A write transaction: nothing it does is seen by others until `commit`, and then all of it.
pub trait RecordTx: Send {
    /// The batch number of this transaction (one more than the last committed one).
    fn batch(&self) -> u64;

    /// The run with these digests, registered if new.
    fn run<'a>(
        &'a mut self,
        ombud_version: &'a str,
        lexicon_digest: &'a str,
        gazetteer_digest: &'a str,
        started_at: &'a str,
    ) -> Fut<'a, i64>;

    /// Which of these documents are stored (writes of this transaction included).
    fn existing_documents<'a>(&'a mut self, sha256: &'a [String]) -> Fut<'a, HashSet<String>>;

    /// Stores documents with their claims and index rows; documents already stored are left as
    /// they are. Returns the hashes of those stored now.
    fn insert_documents<'a>(&'a mut self, docs: &'a [NewDocument<'a>]) -> Fut<'a, Vec<String>>;

    /// Replaces a document's claims with a new extraction (run `doc.run`), recording for each
    /// old claim id the new id it maps to (or none). The document's row gets the new status,
    /// diagnostics and run; its text and metadata stay.
    fn replace_claims<'a>(
        &'a mut self,
        doc: &'a NewDocument<'a>,
        aliases: &'a [(ClaimId, Option<ClaimId>)],
    ) -> Fut<'a, ()>;

    /// Withdraws a document: its text emptied, its title dropped, its status `withdrawn` (its
    /// claims go through `replace_claims`). False when there is no such document.
    fn withdraw_document<'a>(&'a mut self, sha256: &'a str) -> Fut<'a, bool>;

    /// The stored originals filed under each of `bands` with their publication days (`UNDATED`
    /// for none), at most `cap` a band; `None` for a band holding more (a common band:
    /// boilerplate, a template's fixed phrases).
    fn band_members<'a>(&'a mut self, bands: &'a [i64], cap: usize) -> Fut<'a, BandFiles>;

    /// The stored documents `sha256`, and the members of the copy groups whose originals are
    /// `roots`, with their dates, publishers, sketches and words.
    fn copy_candidates<'a>(
        &'a mut self,
        sha256: &'a [String],
        roots: &'a [String],
    ) -> Fut<'a, Vec<CopyCandidate>>;

    /// Records which document each of these documents copies (`None`: an original).
    fn set_copy_of<'a>(&'a mut self, changes: &'a [CopyChange]) -> Fut<'a, ()>;

    /// Records a stored document's sketch and band keys.
    fn set_sketch<'a>(
        &'a mut self,
        sha256: &'a str,
        sketch: Option<&'a str>,
        bands: &'a [i64],
    ) -> Fut<'a, ()>;

    /// Forgets every copy group and band key (a rebuild derives them again).
    fn clear_copies(&mut self) -> Fut<'_, ()>;

    /// Replaces the index rows of claims (after a correction of place or date).
    fn reindex<'a>(&'a mut self, rows: &'a [(ClaimId, Vec<IndexRow>)]) -> Fut<'a, ()>;

    /// Every claim with an index row matching a probe: the same event family and place, and
    /// days that meet (`day_start - max_span` bounds the search).
    fn neighbours<'a>(&'a mut self, probes: &'a [IndexRow], max_span: i64)
    -> Fut<'a, Vec<ClaimId>>;

    /// The claims with these ids that are stored.
    fn load_claims<'a>(&'a mut self, ids: &'a [ClaimId]) -> Fut<'a, Vec<StoredClaim>>;

    /// The ids of the claims of these incidents.
    fn claims_of_incidents<'a>(&'a mut self, ids: &'a [IncidentId]) -> Fut<'a, Vec<ClaimId>>;

    /// The ids of a document's claims, in document order.
    fn claims_of_document<'a>(&'a mut self, sha256: &'a str) -> Fut<'a, Vec<ClaimId>>;

    /// Ids of claims in order of date, then id, after `after`, at most `limit`.
    fn claim_ids<'a>(
        &'a mut self,
        after: Option<&'a ClaimId>,
        limit: usize,
    ) -> Fut<'a, Vec<ClaimId>>;

    /// Claims of documents by a publisher (any case).
    fn claims_of_publisher<'a>(&'a mut self, name: &'a str) -> Fut<'a, Vec<ClaimId>>;

    /// The mint order of these incidents.
    fn incident_seqs<'a>(&'a mut self, ids: &'a [IncidentId]) -> Fut<'a, HashMap<IncidentId, u64>>;

    /// The incidents stored under these ids.
    fn incidents_by_id<'a>(&'a mut self, ids: &'a [IncidentId]) -> Fut<'a, Vec<Incident>>;

    /// The ids ever used (incidents, aliases, retired) equal to one of `bases` or starting with
    /// one of them followed by `-`.
    fn taken_ids<'a>(&'a mut self, bases: &'a [String]) -> Fut<'a, HashSet<String>>;

    /// Writes what re-merging changed.
    fn write_incidents<'a>(&'a mut self, changes: &'a IncidentChanges<'a>) -> Fut<'a, ()>;

    /// Appends a decision under its id (the next one when its id is 0) and returns it as
    /// stored.
    fn append_decision<'a>(&'a mut self, decision: &'a Decision) -> Fut<'a, Decision>;

    /// The id the next decision appended will get.
    fn next_decision_id(&mut self) -> Fut<'_, DecisionId>;

    /// The current id of each of these claim ids (following re-extraction aliases); `None` for
    /// claims gone. Ids never aliased map to themselves.
    fn resolve_claims<'a>(
        &'a mut self,
        ids: &'a [ClaimId],
    ) -> Fut<'a, HashMap<ClaimId, Option<ClaimId>>>;

    /// Every decision, oldest first (those appended in this transaction included).
    fn decisions(&mut self) -> Fut<'_, Vec<Decision>>;

    fn publishers(&mut self) -> Fut<'_, Vec<Publisher>>;

    /// The live incident each of these ids stands for now: itself, the incident an alias
    /// joined, or `None` (retired or unknown).
    fn resolve_incidents<'a>(
        &'a mut self,
        ids: &'a [IncidentId],
    ) -> Fut<'a, HashMap<IncidentId, Option<IncidentId>>>;

    /// Retires live ids that have no incident row (after a rebuild).
    fn retire_orphans(&mut self) -> Fut<'_, u64>;

    /// Adds publishers not registered yet; returns how many.
    fn seed_publishers<'a>(&'a mut self, publishers: &'a [Publisher]) -> Fut<'a, usize>;

    /// Adds or replaces one publisher's entry.
    fn upsert_publisher<'a>(&'a mut self, publisher: &'a Publisher) -> Fut<'a, ()>;

    /// Marks the derived tables fresh (after a rebuild).
    fn set_derived_fresh(&mut self) -> Fut<'_, ()>;

    /// Empties the claim index and the incident rows (not the ids ever minted) for a rebuild,
    /// and marks them stale until `set_derived_fresh`.
    fn clear_derived(&mut self) -> Fut<'_, ()>;

    /// Makes everything durable and visible.
    fn commit(self: Box<Self>) -> Fut<'static, ()>;
}
