//! The store: documents, claims, publishers and incidents in SQLite (bundled, WAL), with
//! versioned migrations. One transaction per document, so a crash never leaves half of one.
//!
//! The store is the source of truth; incidents are derived from claims and can be rebuilt at any
//! time (`replace_incidents`).

mod migrations;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use model::{
    Claim, ClaimId, ClaimRecord, CountryCode, Date, DocumentMeta, DocumentRecord, DocumentStatus,
    Incident, Publisher, SourceKind,
};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

pub use migrations::SCHEMA_VERSION;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: cannot open the database: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    #[error("{}: the database is at schema version {found}, newer than this ombud ({SCHEMA_VERSION}): upgrade ombud", path.display())]
    TooNew { path: PathBuf, found: i64 },
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
}

fn q(doing: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { doing, source }
}

/// A text column of a row, `None` when NULL.
fn text_column(
    row: &sqlx::sqlite::SqliteRow,
    column: &str,
    doing: &'static str,
) -> Result<Option<String>, StoreError> {
    row.try_get::<Option<String>, _>(column)
        .map_err(|e| corrupt(doing, e))
}

fn corrupt(doing: &'static str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        doing,
        message: e.to_string(),
    }
}

/// A document to store with its claims.
#[derive(Clone, Debug)]
pub struct NewDocument<'a> {
    pub record: &'a DocumentRecord,
    pub text: &'a str,
    pub claims: &'a [Claim],
    pub diagnostics: &'a [model::Diagnostic],
}

/// A stored claim with where it came from.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StoredClaim {
    pub id: ClaimId,
    pub publisher: Option<String>,
    pub published: Option<Date>,
    pub origin: String,
    /// The words of the claim's sentence.
    pub quote: String,
    #[serde(flatten)]
    pub claim: Claim,
}

/// The SQLite store.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        let store = Store {
            pool,
            path: path.to_path_buf(),
        };
        migrations::migrate(&store.pool, path).await?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the pool, flushing the write-ahead log.
    pub async fn close(self) {
        self.pool.close().await;
    }

    pub async fn has_document(&self, sha256: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM documents WHERE sha256 = ?")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await
            .map_err(q("looking up a document"))?;
        Ok(row.is_some())
    }

    /// Stores a document and its claims in one transaction and marks incidents stale.
    /// Storing a document that is already there changes nothing and returns false.
    pub async fn insert_document(&self, doc: &NewDocument<'_>) -> Result<bool, StoreError> {
        let doing = "storing a document";
        let r = doc.record;
        let mut tx = self.pool.begin().await.map_err(q(doing))?;
        let inserted = sqlx::query(
            "INSERT OR IGNORE INTO documents (sha256, size, origin, format, retrieved_at, input_id, publisher,
               published, language, title, url, text, ombud_version, status, diagnostics)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&r.sha256)
        .bind(r.size as i64)
        .bind(&r.origin)
        .bind(&r.format)
        .bind(&r.retrieved_at)
        .bind(&r.meta.id)
        .bind(&r.meta.publisher)
        .bind(r.meta.published.map(|d| d.to_string()))
        .bind(&r.meta.language)
        .bind(&r.meta.title)
        .bind(&r.meta.url)
        .bind(doc.text)
        .bind(&r.ombud_version)
        .bind(r.status.as_str())
        .bind(serde_json::to_string(doc.diagnostics).map_err(|e| corrupt(doing, e))?)
        .execute(&mut *tx)
        .await
        .map_err(q(doing))?
        .rows_affected()
            == 1;
        if !inserted {
            tx.rollback().await.map_err(q(doing))?;
            return Ok(false);
        }
        for (i, claim) in doc.claims.iter().enumerate() {
            sqlx::query(
                "INSERT INTO claims (document_sha256, idx, stance, speaker, event_type, sub_event_type,
                   date_start, date_end, perpetrator_country, json)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&r.sha256)
            .bind(i as i64)
            .bind(claim.stance.as_str())
            .bind(claim.speaker.as_ref().map(|s| s.name.clone()))
            .bind(claim.event_type.as_str())
            .bind(claim.sub_event_type.as_str())
            .bind(claim.date.as_ref().map(|d| d.start.to_string()))
            .bind(claim.date.as_ref().map(|d| d.end.to_string()))
            .bind(claim.perpetrator.as_ref().and_then(|p| p.country).map(String::from))
            .bind(serde_json::to_string(claim).map_err(|e| corrupt(doing, e))?)
            .execute(&mut *tx)
            .await
            .map_err(q(doing))?;
        }
        set_meta(&mut tx, "incidents_stale", "1").await?;
        tx.commit().await.map_err(q(doing))?;
        Ok(true)
    }

    /// Adds publishers that are not registered yet; existing rows (perhaps edited) are kept.
    pub async fn seed_publishers(&self, publishers: &[Publisher]) -> Result<usize, StoreError> {
        let doing = "registering publishers";
        let mut tx = self.pool.begin().await.map_err(q(doing))?;
        let mut added = 0;
        for p in publishers {
            added += sqlx::query("INSERT OR IGNORE INTO publishers (name, country, kind, alignment, note) VALUES (?, ?, ?, ?, ?)")
                .bind(&p.name)
                .bind(p.country.map(String::from))
                .bind(p.kind.as_str())
                .bind(p.alignment.map(String::from))
                .bind(&p.note)
                .execute(&mut *tx)
                .await
                .map_err(q(doing))?
                .rows_affected() as usize;
        }
        if added > 0 {
            set_meta(&mut tx, "incidents_stale", "1").await?;
        }
        tx.commit().await.map_err(q(doing))?;
        Ok(added)
    }

    /// Adds or replaces one publisher's registry entry.
    pub async fn upsert_publisher(&self, p: &Publisher) -> Result<(), StoreError> {
        let doing = "editing a publisher";
        let mut tx = self.pool.begin().await.map_err(q(doing))?;
        sqlx::query(
            "INSERT INTO publishers (name, country, kind, alignment, note) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT(name) DO UPDATE SET country = excluded.country, kind = excluded.kind,
               alignment = excluded.alignment, note = excluded.note",
        )
        .bind(&p.name)
        .bind(p.country.map(String::from))
        .bind(p.kind.as_str())
        .bind(p.alignment.map(String::from))
        .bind(&p.note)
        .execute(&mut *tx)
        .await
        .map_err(q(doing))?;
        set_meta(&mut tx, "incidents_stale", "1").await?;
        tx.commit().await.map_err(q(doing))?;
        Ok(())
    }

    pub async fn publishers(&self) -> Result<Vec<Publisher>, StoreError> {
        let doing = "reading publishers";
        let rows = sqlx::query(
            "SELECT name, country, kind, alignment, note FROM publishers ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(q(doing))?;
        rows.iter()
            .map(|row| {
                let get = |c: &str| text_column(row, c, doing);
                Ok(Publisher {
                    name: get("name")?.unwrap_or_default(),
                    country: get("country")?.as_deref().and_then(CountryCode::new),
                    kind: get("kind")?
                        .as_deref()
                        .and_then(SourceKind::parse)
                        .unwrap_or_default(),
                    alignment: get("alignment")?.as_deref().and_then(CountryCode::new),
                    note: get("note")?.unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Every stored document, oldest publication first.
    pub async fn documents(&self, with_text: bool) -> Result<Vec<DocumentRecord>, StoreError> {
        self.query_documents(
            "SELECT * FROM documents ORDER BY published, sha256",
            None,
            with_text,
        )
        .await
    }

    /// One document by its hash or a unique prefix of it.
    pub async fn document(&self, sha_prefix: &str) -> Result<Vec<DocumentRecord>, StoreError> {
        let pattern = format!("{}%", sha_prefix.to_ascii_lowercase());
        self.query_documents(
            "SELECT * FROM documents WHERE sha256 LIKE ? ORDER BY sha256",
            Some(&pattern),
            true,
        )
        .await
    }

    async fn query_documents(
        &self,
        sql: &'static str,
        bind: Option<&str>,
        with_text: bool,
    ) -> Result<Vec<DocumentRecord>, StoreError> {
        let doing = "reading documents";
        let mut query = sqlx::query(sql);
        if let Some(b) = bind {
            query = query.bind(b);
        }
        let rows = query.fetch_all(&self.pool).await.map_err(q(doing))?;
        let counts: std::collections::HashMap<String, i64> = sqlx::query(
            "SELECT document_sha256, COUNT(*) AS n FROM claims GROUP BY document_sha256",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(q(doing))?
        .iter()
        .filter_map(|r| {
            Some((
                r.try_get::<String, _>(0).ok()?,
                r.try_get::<i64, _>(1).ok()?,
            ))
        })
        .collect();
        rows.iter()
            .map(|row| {
                let s = |c: &str| text_column(row, c, doing);
                let sha256 = s("sha256")?.unwrap_or_default();
                Ok(DocumentRecord {
                    size: row
                        .try_get::<i64, _>("size")
                        .map_err(|e| corrupt(doing, e))? as u64,
                    origin: s("origin")?.unwrap_or_default(),
                    format: s("format")?.unwrap_or_default(),
                    retrieved_at: s("retrieved_at")?.unwrap_or_default(),
                    meta: DocumentMeta {
                        id: s("input_id")?,
                        publisher: s("publisher")?,
                        published: s("published")?
                            .as_deref()
                            .and_then(|d| Date::from_str(d).ok()),
                        language: s("language")?,
                        title: s("title")?,
                        url: s("url")?,
                    },
                    ombud_version: s("ombud_version")?.unwrap_or_default(),
                    status: s("status")?
                        .as_deref()
                        .and_then(DocumentStatus::parse)
                        .unwrap_or(DocumentStatus::Extracted),
                    n_claims: counts.get(&sha256).copied().unwrap_or(0) as usize,
                    text: if with_text { s("text")? } else { None },
                    sha256,
                })
            })
            .collect()
    }

    /// Every stored claim with its document's publisher, date and the sentence it quotes.
    pub async fn claims(&self) -> Result<Vec<StoredClaim>, StoreError> {
        let doing = "reading claims";
        let rows = sqlx::query(
            "SELECT c.document_sha256, c.idx, c.json, d.publisher, d.published, d.origin, d.text
             FROM claims c JOIN documents d ON d.sha256 = c.document_sha256
             ORDER BY d.published, c.document_sha256, c.idx",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(q(doing))?;
        rows.iter()
            .map(|row| {
                let s = |c: &str| text_column(row, c, doing);
                let claim: Claim = serde_json::from_str(&s("json")?.unwrap_or_default())
                    .map_err(|e| corrupt(doing, e))?;
                let text = s("text")?.unwrap_or_default();
                let quote = claim.sentence.slice(&text).unwrap_or_default().to_string();
                Ok(StoredClaim {
                    id: ClaimId {
                        document: s("document_sha256")?.unwrap_or_default(),
                        sentence: claim.sentence,
                        event: claim.event_word,
                        repeat: 0,
                    },
                    publisher: s("publisher")?,
                    published: s("published")?
                        .as_deref()
                        .and_then(|d| Date::from_str(d).ok()),
                    origin: s("origin")?.unwrap_or_default(),
                    quote,
                    claim,
                })
            })
            .collect()
    }

    /// Claims as merging needs them: with their publisher's registry entry.
    pub async fn claim_records(&self) -> Result<Vec<ClaimRecord>, StoreError> {
        let publishers = self.publishers().await?;
        Ok(self
            .claims()
            .await?
            .into_iter()
            .map(|c| {
                let name = c
                    .publisher
                    .clone()
                    .unwrap_or_else(|| format!("unknown publisher ({})", c.origin));
                let publisher = publishers
                    .iter()
                    .find(|p| p.name.eq_ignore_ascii_case(&name))
                    .cloned()
                    .unwrap_or_else(|| Publisher::unknown(&name));
                ClaimRecord {
                    id: c.id,
                    claim: c.claim,
                    publisher,
                    published: c.published,
                    sentence_text: c.quote,
                }
            })
            .collect())
    }

    /// Replaces all incidents with a new derivation, in one transaction.
    pub async fn replace_incidents(&self, incidents: &[Incident]) -> Result<(), StoreError> {
        let doing = "saving incidents";
        let mut tx = self.pool.begin().await.map_err(q(doing))?;
        sqlx::query("DELETE FROM incident_claims")
            .execute(&mut *tx)
            .await
            .map_err(q(doing))?;
        sqlx::query("DELETE FROM incidents")
            .execute(&mut *tx)
            .await
            .map_err(q(doing))?;
        for i in incidents {
            sqlx::query(
                "INSERT INTO incidents (id, date_start, date_end, event_type, sub_event_type, grade,
                   n_independent_sources, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&i.id.0)
            .bind(i.date_start.map(|d| d.to_string()))
            .bind(i.date_end.map(|d| d.to_string()))
            .bind(i.event_type.as_str())
            .bind(i.sub_event_type.as_str())
            .bind(i.grade.as_str())
            .bind(i.n_independent_sources as i64)
            .bind(serde_json::to_string(i).map_err(|e| corrupt(doing, e))?)
            .execute(&mut *tx)
            .await
            .map_err(q(doing))?;
            for c in &i.claims {
                sqlx::query("INSERT INTO incident_claims (incident_id, document_sha256, idx) VALUES (?, ?, ?)")
                    .bind(&i.id.0)
                    .bind(&c.document)
                    .bind(c.to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(q(doing))?;
            }
        }
        set_meta(&mut tx, "incidents_stale", "0").await?;
        tx.commit().await.map_err(q(doing))?;
        Ok(())
    }

    /// True when documents or publishers changed since incidents were last derived.
    pub async fn incidents_stale(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT value FROM meta WHERE key = 'incidents_stale'")
            .fetch_optional(&self.pool)
            .await
            .map_err(q("reading the store's state"))?;
        Ok(row
            .and_then(|r| r.try_get::<String, _>(0).ok())
            .is_some_and(|v| v == "1"))
    }

    /// Every incident, by date.
    pub async fn incidents(&self) -> Result<Vec<Incident>, StoreError> {
        let doing = "reading incidents";
        let rows = sqlx::query("SELECT json FROM incidents ORDER BY date_start, id")
            .fetch_all(&self.pool)
            .await
            .map_err(q(doing))?;
        rows.iter()
            .map(|row| {
                let json: String = row.try_get(0).map_err(|e| corrupt(doing, e))?;
                serde_json::from_str(&json).map_err(|e| corrupt(doing, e))
            })
            .collect()
    }
}

async fn set_meta(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    key: &str,
    value: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(key)
        .bind(value)
        .execute(&mut **tx)
        .await
        .map_err(q("updating the store's state"))?;
    Ok(())
}
