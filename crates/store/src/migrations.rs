//! Versioned schema migrations: each step runs once, in order, in its own transaction, and is
//! recorded in `schema_migrations`. Never edit a released step; add a new one.

use std::path::Path;

use sqlx::{Row, SqlitePool};

use crate::StoreError;

/// The schema version this ombud writes.
pub const SCHEMA_VERSION: i64 = 1;

const STEPS: &[(i64, &str)] = &[(
    1,
    "CREATE TABLE documents (
        sha256        TEXT PRIMARY KEY,
        size          INTEGER NOT NULL,
        origin        TEXT NOT NULL,
        format        TEXT NOT NULL,
        retrieved_at  TEXT NOT NULL,
        input_id      TEXT,
        publisher     TEXT,
        published     TEXT,
        language      TEXT,
        title         TEXT,
        url           TEXT,
        text          TEXT NOT NULL,
        ombud_version TEXT NOT NULL,
        status        TEXT NOT NULL,
        diagnostics   TEXT NOT NULL
    );
    CREATE INDEX documents_published ON documents (published);
    CREATE TABLE claims (
        document_sha256     TEXT NOT NULL REFERENCES documents (sha256),
        idx                 INTEGER NOT NULL,
        stance              TEXT NOT NULL,
        speaker             TEXT,
        event_type          TEXT NOT NULL,
        sub_event_type      TEXT NOT NULL,
        date_start          TEXT,
        date_end            TEXT,
        perpetrator_country TEXT,
        json                TEXT NOT NULL,
        PRIMARY KEY (document_sha256, idx)
    );
    CREATE TABLE publishers (
        name      TEXT PRIMARY KEY COLLATE NOCASE,
        country   TEXT,
        kind      TEXT NOT NULL,
        alignment TEXT,
        note      TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE incidents (
        id                    TEXT PRIMARY KEY,
        date_start            TEXT,
        date_end              TEXT,
        event_type            TEXT NOT NULL,
        sub_event_type        TEXT NOT NULL,
        grade                 TEXT NOT NULL,
        n_independent_sources INTEGER NOT NULL,
        json                  TEXT NOT NULL
    );
    CREATE TABLE incident_claims (
        incident_id     TEXT NOT NULL REFERENCES incidents (id),
        document_sha256 TEXT NOT NULL,
        idx             INTEGER NOT NULL,
        PRIMARY KEY (incident_id, document_sha256, idx)
    );
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );",
)];

pub(crate) async fn migrate(pool: &SqlitePool, path: &Path) -> Result<(), StoreError> {
    let doing = "migrating the schema";
    let q = |source| StoreError::Query { doing, source };
    sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)")
        .execute(pool)
        .await
        .map_err(q)?;
    let current: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        .fetch_one(pool)
        .await
        .map_err(q)?
        .try_get(0)
        .map_err(q)?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: current,
        });
    }
    for (version, sql) in STEPS.iter().filter(|(v, _)| *v > current) {
        let mut tx = pool.begin().await.map_err(q)?;
        sqlx::raw_sql(*sql).execute(&mut *tx).await.map_err(q)?;
        sqlx::query("INSERT INTO schema_migrations (version) VALUES (?)")
            .bind(version)
            .execute(&mut *tx)
            .await
            .map_err(q)?;
        tx.commit().await.map_err(q)?;
    }
    Ok(())
}
