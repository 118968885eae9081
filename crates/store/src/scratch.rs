//! Scratch PostgreSQL databases for tests and benchmarks: a fresh schema on a server, dropped
//! afterwards, so runs never see each other's rows. The server is `OMBUD_TEST_POSTGRES`, else
//! this project's machines' `postgres://127.0.0.1:5432/test`; where none answers, tests that
//! need one say so and pass, unless `OMBUD_REQUIRE_POSTGRES=1` (set by `.ci/run`).

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{AssertSqlSafe, Connection};

use crate::{StoreError, StoreTarget};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The PostgreSQL server for tests: `Ok(None)` when none answers and none is required.
pub async fn test_server() -> Result<Option<String>, String> {
    let url = std::env::var("OMBUD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let required = std::env::var("OMBUD_REQUIRE_POSTGRES").as_deref() == Ok("1");
    let reachable = match PgConnectOptions::from_str(&url) {
        Ok(options) => PgConnection::connect_with(&options)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match reachable {
        Ok(c) => {
            let _ = c.close().await;
            Ok(Some(url))
        }
        Err(e) if required => Err(format!(
            "{url}: PostgreSQL is required (OMBUD_REQUIRE_POSTGRES=1) but does not answer: {e}"
        )),
        Err(e) => {
            eprintln!("note: no PostgreSQL at {url} ({e}); skipping what needs one");
            Ok(None)
        }
    }
}

/// A fresh schema on a PostgreSQL server, used as a whole database through `search_path`.
#[derive(Debug)]
pub struct ScratchPostgres {
    pub target: StoreTarget,
    server: String,
    schema: String,
}

impl ScratchPostgres {
    /// Creates schema `ombud_<label>_<unique>` on the server at `url`.
    pub async fn create(url: &str, label: &str) -> Result<ScratchPostgres, StoreError> {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let label: String = label
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(24)
            .collect();
        let schema = format!("ombud_{label}_{}_{n}_{nanos}", std::process::id());
        let mut conn = connect(url).await?;
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut conn)
            .await
            .map_err(crate::q("creating a scratch schema"))?;
        let _ = conn.close().await;
        let sep = if url.contains('?') { '&' } else { '?' };
        Ok(ScratchPostgres {
            target: StoreTarget::Postgres(format!("{url}{sep}options[search_path]={schema}")),
            server: url.to_string(),
            schema,
        })
    }

    /// Drops the schema and everything in it.
    pub async fn drop_schema(self) -> Result<(), StoreError> {
        let mut conn = connect(&self.server).await?;
        sqlx::raw_sql(AssertSqlSafe(format!(
            "DROP SCHEMA {} CASCADE",
            self.schema
        )))
        .execute(&mut conn)
        .await
        .map_err(crate::q("dropping a scratch schema"))?;
        let _ = conn.close().await;
        Ok(())
    }
}

async fn connect(url: &str) -> Result<PgConnection, StoreError> {
    let open = |source| StoreError::Open {
        place: StoreTarget::Postgres(url.to_string()).describe(),
        source,
    };
    let options = PgConnectOptions::from_str(url).map_err(open)?;
    PgConnection::connect_with(&options).await.map_err(open)
}
