//! Opening a store: SQLite at a path (created if needed, write-ahead log, synced commits) or a
//! PostgreSQL server by URL; either way its schema is brought up to date first.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::conn::Conn;
use crate::sql::{Pool, SqlStore};
use crate::{RecordStore, StoreError, StoreResult, schema};

/// Where the record is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreTarget {
    /// A SQLite file (the default: `ombud.db` in the data directory).
    Sqlite(PathBuf),
    /// A PostgreSQL server: `postgres://user@host:5432/database`.
    Postgres(String),
}

impl StoreTarget {
    /// A database URL (`postgres://…`, `postgresql://…`, `sqlite://PATH`) or a SQLite path.
    pub fn parse(s: &str) -> StoreTarget {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            StoreTarget::Postgres(s.to_string())
        } else {
            let path = s.strip_prefix("sqlite://").unwrap_or(s);
            StoreTarget::Sqlite(PathBuf::from(path))
        }
    }

    /// The target for messages: a path, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            StoreTarget::Sqlite(p) => p.display().to_string(),
            StoreTarget::Postgres(url) => without_password(url),
        }
    }
}

fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or_default();
            format!("{scheme}://{name}:***@{host}")
        }
        _ => url.to_string(),
    }
}

/// Opens the record at `target` for reading only: nothing is created, migrated or written (a
/// court's copy on read-only media). A SQLite file with no write-ahead log beside it is opened
/// as immutable, so even its lock files are not needed; a schema older than this ombud's is
/// an error (migrating is a write).
pub async fn open_read_only(target: &StoreTarget) -> StoreResult<Arc<dyn RecordStore>> {
    let place = target.describe();
    let failed = |source| StoreError::Open {
        place: place.clone(),
        source,
    };
    let pool = match target {
        StoreTarget::Sqlite(path) => {
            let wal = path.with_extension("db-wal");
            let options = SqliteConnectOptions::new()
                .filename(path)
                .read_only(true)
                .create_if_missing(false)
                .immutable(!wal.exists())
                .busy_timeout(Duration::from_secs(30))
                .pragma("cache_size", "-32768")
                .pragma("soft_heap_limit", SQLITE_HEAP_LIMIT);
            Pool::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(options)
                    .await
                    .map_err(failed)?,
            )
        }
        StoreTarget::Postgres(url) => {
            let options = PgConnectOptions::from_str(url)
                .map_err(failed)?
                .options([("default_transaction_read_only", "on")]);
            Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await
                    .map_err(failed)?,
            )
        }
    };
    let doing = "reading the schema version";
    let found = match &pool {
        Pool::Sqlite(p) => {
            let mut c = p.acquire().await.map_err(crate::q(doing))?;
            schema::version(&mut Conn::Sqlite(&mut c)).await?
        }
        Pool::Postgres(p) => {
            let mut c = p.acquire().await.map_err(crate::q(doing))?;
            schema::version(&mut Conn::Postgres(&mut c)).await?
        }
    };
    if found > schema::SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            place: place.clone(),
            found,
        });
    }
    if found < schema::SCHEMA_VERSION {
        return Err(StoreError::NeedsMigration {
            place: place.clone(),
            found,
        });
    }
    Ok(Arc::new(SqlStore { pool, place }))
}

/// A pool on a SQLite file. A new file's first connection switches it to write-ahead logging,
/// which needs the file to itself and does not wait for the busy timeout: when several
/// processes open a new data directory at once, the others are told the database is locked, so
/// they try again (for up to the busy timeout).
/// What SQLite may hold in memory across all its connections (bytes; the page caches give way
/// to stay under it): each connection's cache may grow to 32 MiB, and four of them full would
/// hold more than a hostile batch is allowed in all (256 MB resident).
const SQLITE_HEAP_LIMIT: &str = "50331648";

async fn connect_sqlite(options: SqliteConnectOptions) -> Result<SqlitePool, sqlx::Error> {
    let started = std::time::Instant::now();
    let mut wait = Duration::from_millis(20);
    loop {
        match SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone())
            .await
        {
            Err(e) if is_locked(&e) && started.elapsed() < Duration::from_secs(30) => {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_millis(500));
            }
            other => return other,
        }
    }
}

fn is_locked(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            matches!(d.code().as_deref(), Some("5" | "6"))
                || d.message().contains("database is locked")
        }
        _ => false,
    }
}

/// Opens the record at `target`, creating a SQLite file if needed, and migrates its schema.
pub async fn open(target: &StoreTarget) -> StoreResult<Arc<dyn RecordStore>> {
    let place = target.describe();
    let failed = |source| StoreError::Open {
        place: place.clone(),
        source,
    };
    let pool = match target {
        StoreTarget::Sqlite(path) => {
            let options = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // Every commit is synced: group commit makes them few.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(false)
                .busy_timeout(Duration::from_secs(30))
                // Bigger pages hold a claim or an incident with room to spare; the write-ahead
                // log is folded back less often, so hot pages of several groups are written once.
                .page_size(8192)
                .pragma("cache_size", "-32768")
                .pragma("soft_heap_limit", SQLITE_HEAP_LIMIT)
                .pragma("wal_autocheckpoint", "8192")
                .pragma("temp_store", "memory")
                .optimize_on_close(true, Some(1000));
            Pool::Sqlite(connect_sqlite(options).await.map_err(failed)?)
        }
        StoreTarget::Postgres(url) => {
            let options = PgConnectOptions::from_str(url).map_err(failed)?;
            Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await
                    .map_err(failed)?,
            )
        }
    };
    let doing = "migrating the schema";
    match &pool {
        Pool::Sqlite(p) => {
            let mut c = p.acquire().await.map_err(crate::q(doing))?;
            schema::migrate(&mut Conn::Sqlite(&mut c), &place).await?;
        }
        Pool::Postgres(p) => {
            let mut c = p.acquire().await.map_err(crate::q(doing))?;
            schema::migrate(&mut Conn::Postgres(&mut c), &place).await?;
        }
    }
    Ok(Arc::new(SqlStore { pool, place }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_hide_passwords() {
        assert_eq!(
            StoreTarget::parse("postgres://me:secret@db:5432/ombud").describe(),
            "postgres://me:***@db:5432/ombud"
        );
        assert_eq!(
            StoreTarget::parse("sqlite:///tmp/x.db"),
            StoreTarget::Sqlite(PathBuf::from("/tmp/x.db"))
        );
        assert_eq!(
            StoreTarget::parse("data/ombud.db"),
            StoreTarget::Sqlite(PathBuf::from("data/ombud.db"))
        );
    }
}
