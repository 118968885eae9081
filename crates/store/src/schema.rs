//! The record's schema and its versioned migrations: each step runs once, in order, in its own
//! transaction, and is recorded in `schema_migrations`. Never edit a released step; add one.
//!
//! Version 1 (ombud 0.1.0) was SQLite only. Version 2 keys claims by content, keeps incident ids
//! and aliases, an index of claims by event family, place and day, decisions, extraction runs,
//! and columns that let queries filter in SQL. PostgreSQL databases start at version 2. The
//! derived tables (the claim index, incidents) are left for the pipeline to rebuild after a
//! migration: `meta.derived_stale` says so. Version 3 sorts incidents into classes by the
//! length of their period, so a query from a date reads only what can reach it (see
//! `SPAN_CLASSES`) and keeps the numbers of claims and incidents as counters. Version 4 logs
//! decisions (each row names the archived blob that is its leaf in the Merkle log) and finds
//! copies: each document's MinHash sketch, the LSH bands that find its near-duplicates, and the
//! original it is a copy of; these are derived, so the step leaves them to the rebuild.
//! Version 5 gives each band key the day its document was published, so finding a document's
//! copies reads only the originals published within the reprint window.

use crate::conn::{Arg, Backend, Conn};
use crate::{StoreError, q};

/// The schema version this ombud writes.
pub const SCHEMA_VERSION: i64 = 7;

/// The version each claim's and incident's serialised JSON is written in.
pub const JSON_VERSION: i64 = 1;

const V1: &str = "CREATE TABLE documents (
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
    );";

/// The version 2 tables, with `{int}`, `{key}` and `{serial}` standing for each database's types.
const V2_TABLES: &str = "CREATE TABLE runs (
        id               {serial},
        ombud_version    TEXT NOT NULL,
        lexicon_digest   TEXT NOT NULL,
        gazetteer_digest TEXT NOT NULL,
        started_at       TEXT NOT NULL,
        UNIQUE (ombud_version, lexicon_digest, gazetteer_digest)
    );
    CREATE TABLE documents (
        sha256        {key} PRIMARY KEY,
        seq           {int} NOT NULL,
        size          {int} NOT NULL,
        origin        TEXT NOT NULL,
        format        TEXT NOT NULL,
        retrieved_at  TEXT NOT NULL,
        input_id      TEXT,
        publisher     TEXT,
        publisher_lc  TEXT,
        published     TEXT,
        sort_day      {int} NOT NULL,
        language      TEXT,
        title         TEXT,
        url           TEXT,
        text          TEXT NOT NULL,
        ombud_version TEXT NOT NULL,
        status        TEXT NOT NULL,
        diagnostics   TEXT NOT NULL,
        run_id        {int},
        n_claims      {int} NOT NULL
    );
    CREATE INDEX documents_by_day ON documents (sort_day, sha256);
    CREATE INDEX documents_by_publisher ON documents (publisher_lc);
    CREATE TABLE claims (
        key             {key} PRIMARY KEY,
        document_sha256 {key} NOT NULL,
        ord             {int} NOT NULL,
        stance          TEXT NOT NULL,
        speaker_lc      TEXT,
        event_type      TEXT NOT NULL,
        sub_event_type  TEXT NOT NULL,
        types_lc        TEXT NOT NULL,
        day_start       {int},
        day_end         {int},
        sort_day        {int} NOT NULL,
        quote           TEXT NOT NULL,
        json            TEXT NOT NULL,
        json_version    {int} NOT NULL,
        incident_id     {key}
    );
    CREATE INDEX claims_by_incident ON claims (incident_id);
    CREATE INDEX claims_by_day ON claims (sort_day, key);
    CREATE TABLE claim_index (
        claim_key  {key} NOT NULL,
        event_type TEXT NOT NULL,
        place      TEXT NOT NULL,
        day_start  {int} NOT NULL,
        day_end    {int} NOT NULL,
        PRIMARY KEY (event_type, place, day_start, claim_key)
    ) {without_rowid};
    CREATE INDEX claim_index_of ON claim_index (claim_key);
    CREATE TABLE claim_aliases (
        old_key {key} PRIMARY KEY,
        new_key {key},
        run_id  {int}
    );
    CREATE INDEX claim_aliases_to ON claim_aliases (new_key);
    CREATE TABLE incidents (
        id           {key} PRIMARY KEY,
        sort_day     {int} NOT NULL,
        day_end      {int},
        event_type   TEXT NOT NULL,
        sub_event_type TEXT NOT NULL,
        types_lc     TEXT NOT NULL,
        grade        TEXT NOT NULL,
        n_sources    {int} NOT NULL,
        n_claims     {int} NOT NULL,
        weapons_lc   TEXT NOT NULL,
        actors_lc    TEXT NOT NULL,
        search_lc    TEXT NOT NULL,
        json         TEXT NOT NULL,
        json_version {int} NOT NULL
    );
    CREATE INDEX incidents_by_day ON incidents (sort_day, id);
    CREATE INDEX incidents_by_grade ON incidents (grade, sort_day, id);
    CREATE INDEX incidents_by_type ON incidents (sub_event_type, sort_day, id);
    CREATE TABLE incident_places (
        incident_id {key} NOT NULL,
        geonameid   {int} NOT NULL,
        name_lc     TEXT NOT NULL,
        sort_day    {int} NOT NULL
    );
    CREATE INDEX incident_places_by_id ON incident_places (geonameid, sort_day, incident_id);
    CREATE INDEX incident_places_by_name ON incident_places (name_lc, sort_day, incident_id);
    CREATE INDEX incident_places_of ON incident_places (incident_id);
    CREATE TABLE incident_ids (
        id     {key} PRIMARY KEY,
        seq    {int} NOT NULL,
        state  TEXT NOT NULL,
        target {key}
    );
    CREATE INDEX incident_ids_to ON incident_ids (target);
    CREATE TABLE decisions (
        id           {serial},
        action       TEXT NOT NULL,
        json         TEXT NOT NULL,
        json_version {int} NOT NULL,
        reviewer     TEXT NOT NULL,
        at           TEXT NOT NULL,
        note         TEXT NOT NULL
    );
    CREATE TABLE decision_claims (
        decision_id {int} NOT NULL,
        claim_key   {key} NOT NULL
    );
    CREATE INDEX decision_claims_of ON decision_claims (claim_key);
    CREATE TABLE publishers (
        name_lc   TEXT PRIMARY KEY,
        name      TEXT NOT NULL,
        country   TEXT,
        kind      TEXT NOT NULL,
        alignment TEXT,
        note      TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE counters (
        name  TEXT PRIMARY KEY,
        value {int} NOT NULL
    );
    INSERT INTO counters (name, value) VALUES ('batch', 0);
    INSERT INTO counters (name, value) VALUES ('document', 0);
    INSERT INTO counters (name, value) VALUES ('max_span', 0);";

fn v2_tables(backend: Backend) -> String {
    // Keys compare byte by byte in both databases ("C" collation), so ranges over id prefixes
    // and the order of pages are the same everywhere.
    // A table whose rows are only ever found by their key is stored as that key's index.
    let (int, key, serial, without_rowid) = match backend {
        Backend::Sqlite => ("INTEGER", "TEXT", "INTEGER PRIMARY KEY", "WITHOUT ROWID"),
        Backend::Postgres => (
            "BIGINT",
            "TEXT COLLATE \"C\"",
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "",
        ),
    };
    V2_TABLES
        .replace("{int}", int)
        .replace("{key}", key)
        .replace("{serial}", serial)
        .replace("{without_rowid}", without_rowid)
}

/// Version 1 to 2 in SQLite: documents and claims carried over (claims get their content keys),
/// publishers keyed by lower-case name, every incident id kept (with the claims it held) so the
/// rebuild that follows gives them back to the same incidents.
const V1_TO_V2: &str = "ALTER TABLE documents RENAME TO v1_documents;
    ALTER TABLE claims RENAME TO v1_claims;
    ALTER TABLE publishers RENAME TO v1_publishers;
    ALTER TABLE incidents RENAME TO v1_incidents;
    ALTER TABLE incident_claims RENAME TO v1_incident_claims;
    DROP INDEX IF EXISTS documents_published;
    {tables}
    INSERT INTO documents (sha256, seq, size, origin, format, retrieved_at, input_id, publisher,
        publisher_lc, published, sort_day, language, title, url, text, ombud_version, status,
        diagnostics, run_id, n_claims)
      SELECT d.sha256, ROW_NUMBER() OVER (ORDER BY d.rowid), d.size, d.origin, d.format,
        d.retrieved_at, d.input_id, d.publisher, lower(d.publisher), d.published,
        COALESCE(CAST(julianday(d.published) - 2440587.5 AS INTEGER), 2147483647),
        d.language, d.title, d.url, d.text, d.ombud_version, d.status, d.diagnostics, NULL,
        (SELECT COUNT(*) FROM v1_claims c WHERE c.document_sha256 = d.sha256)
      FROM v1_documents d;
    UPDATE counters SET value = (SELECT COUNT(*) FROM documents) WHERE name = 'document';
    CREATE TABLE v1_claim_keys AS
      SELECT c.document_sha256 AS document_sha256, c.idx AS idx,
        json_extract(c.json, '$.sentence[0]') AS s0, json_extract(c.json, '$.sentence[1]') AS s1,
        ROW_NUMBER() OVER (PARTITION BY c.document_sha256, json_extract(c.json, '$.sentence[0]'),
          json_extract(c.json, '$.sentence[1]') ORDER BY c.idx) - 1 AS rep
      FROM v1_claims c;
    INSERT INTO claims (key, document_sha256, ord, stance, speaker_lc, event_type, sub_event_type,
        types_lc, day_start, day_end, sort_day, quote, json, json_version, incident_id)
      SELECT c.document_sha256 || ':' || k.s0 || '-' || k.s1
          || CASE WHEN k.rep > 0 THEN '~' || k.rep ELSE '' END,
        c.document_sha256, c.idx, c.stance, lower(c.speaker), c.event_type, c.sub_event_type,
        lower(c.event_type || ' ' || c.sub_event_type),
        CAST(julianday(c.date_start) - 2440587.5 AS INTEGER),
        CAST(julianday(c.date_end) - 2440587.5 AS INTEGER),
        COALESCE(CAST(julianday(c.date_start) - 2440587.5 AS INTEGER), 2147483647),
        CAST(substr(CAST(d.text AS BLOB), k.s0 + 1, k.s1 - k.s0) AS TEXT),
        c.json, 1,
        (SELECT ic.incident_id FROM v1_incident_claims ic
          WHERE ic.document_sha256 = c.document_sha256 AND ic.idx = c.idx)
      FROM v1_claims c
      JOIN v1_claim_keys k ON k.document_sha256 = c.document_sha256 AND k.idx = c.idx
      JOIN v1_documents d ON d.sha256 = c.document_sha256;
    INSERT INTO publishers (name_lc, name, country, kind, alignment, note)
      SELECT lower(name), name, country, kind, alignment, note FROM v1_publishers;
    INSERT INTO incident_ids (id, seq, state, target)
      SELECT id, ROW_NUMBER() OVER (ORDER BY date_start, id), 'live', NULL FROM v1_incidents;
    UPDATE counters SET value = 1 WHERE name = 'batch';
    DROP TABLE v1_claim_keys;
    DROP TABLE v1_incident_claims;
    DROP TABLE v1_incidents;
    DROP TABLE v1_claims;
    DROP TABLE v1_documents;
    DROP TABLE v1_publishers;
    INSERT INTO meta (key, value) VALUES ('derived_stale', '1')
      ON CONFLICT (key) DO UPDATE SET value = excluded.value;";

/// The longest period (in days after its first) of an incident in each span class but the last,
/// which holds the rest. A query from a date looks in each class only as far back as the class
/// reaches, so one long incident does not make every such query read months of short ones.
pub const SPAN_CLASSES: [i64; 4] = [0, 7, 31, 366];

/// The span class of an incident from its first and last day.
pub fn span_class(first: i64, last: Option<i64>) -> i64 {
    let span = last.map_or(0, |l| l - first);
    SPAN_CLASSES
        .iter()
        .position(|&b| span <= b)
        .unwrap_or(SPAN_CLASSES.len()) as i64
}

/// `span_class` in SQL, over the columns `sort_day` and `day_end`.
fn span_class_sql() -> String {
    let mut s = String::from("CASE WHEN day_end IS NULL THEN 0");
    for (class, bound) in SPAN_CLASSES.iter().enumerate() {
        s.push_str(&format!(" WHEN day_end - sort_day <= {bound} THEN {class}"));
    }
    s.push_str(&format!(" ELSE {} END", SPAN_CLASSES.len()));
    s
}

/// Version 2 to 3, both databases: incidents get their span class, and an index by class and
/// day takes the place of the one by sub-event type (type filters match words, never whole
/// values, so that index served no query); the numbers of claims and incidents are kept as
/// counters (counting a million rows took seconds in PostgreSQL).
fn v2_to_v3(backend: Backend) -> String {
    let int = match backend {
        Backend::Sqlite => "INTEGER",
        Backend::Postgres => "BIGINT",
    };
    format!(
        "ALTER TABLE incidents ADD COLUMN span_class {int} NOT NULL DEFAULT 0;
        UPDATE incidents SET span_class = {};
        DROP INDEX incidents_by_type;
        CREATE INDEX incidents_by_span ON incidents (span_class, sort_day, id);
        INSERT INTO counters (name, value) SELECT 'claims', COUNT(*) FROM claims;
        INSERT INTO counters (name, value) SELECT 'incidents', COUNT(*) FROM incidents;",
        span_class_sql()
    )
}

/// Version 3 to 4, both databases: decisions name their leaf in the log; documents carry their
/// sketch and the original they copy, and `document_bands` finds near-duplicates by band.
fn v3_to_v4(backend: Backend) -> String {
    let (int, key, without_rowid) = match backend {
        Backend::Sqlite => ("INTEGER", "TEXT", "WITHOUT ROWID"),
        Backend::Postgres => ("BIGINT", "TEXT COLLATE \"C\"", ""),
    };
    format!(
        "ALTER TABLE decisions ADD COLUMN sha256 TEXT;
        ALTER TABLE documents ADD COLUMN sketch TEXT;
        ALTER TABLE documents ADD COLUMN copy_of {key};
        CREATE INDEX documents_by_original ON documents (copy_of);
        CREATE INDEX incident_aliases ON incident_ids (target) WHERE state = 'alias';
        CREATE TABLE document_bands (
            band   {int} NOT NULL,
            sha256 {key} NOT NULL,
            PRIMARY KEY (band, sha256)
        ) {without_rowid};
        INSERT INTO meta (key, value) VALUES ('derived_stale', '1')
          ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
    )
}

/// Version 4 to 5, both databases: each band key carries the day its document was published
/// (`UNDATED` for none), so the documents a band finds can be kept to the reprint window
/// before any is read; only originals are filed. Derived, so the rebuild files them.
fn v4_to_v5(backend: Backend) -> String {
    let (int, key, without_rowid, include) = match backend {
        Backend::Sqlite => ("INTEGER", "TEXT", "WITHOUT ROWID", ""),
        Backend::Postgres => ("BIGINT", "TEXT COLLATE \"C\"", "", " INCLUDE (day)"),
    };
    format!(
        "DROP TABLE document_bands;
        CREATE TABLE document_bands (
            band   {int} NOT NULL,
            sha256 {key} NOT NULL,
            day    {int} NOT NULL,
            PRIMARY KEY (band, sha256){include}
        ) {without_rowid};
        INSERT INTO meta (key, value) VALUES ('derived_stale', '1')
          ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
    )
}

/// Version 5 to 6, both databases: accounts (a name, a role, an Argon2 hash) and their
/// credentials (browser sessions and API tokens, kept as the SHA-256 of the secret, never the
/// secret); incidents carry their first place's coordinates in millionths of a degree, so the
/// map groups a selection in SQL, from an index that holds every column the map and its
/// filters by grade and date read (a scan of the table would read every incident's JSON), and
/// the timeline from another by day; the list's word filters look in a third, in day order. The
/// coordinates are derived, so the rebuild fills them.
fn v5_to_v6(backend: Backend) -> String {
    let (int, key) = match backend {
        Backend::Sqlite => ("INTEGER", "TEXT"),
        Backend::Postgres => ("BIGINT", "TEXT COLLATE \"C\""),
    };
    format!(
        "CREATE TABLE accounts (
            name_lc  {key} PRIMARY KEY,
            name     TEXT NOT NULL,
            role     TEXT NOT NULL,
            password TEXT NOT NULL,
            created  TEXT NOT NULL
        );
        CREATE TABLE credentials (
            token_sha256 {key} PRIMARY KEY,
            account_lc   {key} NOT NULL,
            kind         TEXT NOT NULL,
            csrf         TEXT NOT NULL,
            label        TEXT NOT NULL,
            created      TEXT NOT NULL,
            expires      TEXT
        );
        CREATE INDEX credentials_of ON credentials (account_lc);
        ALTER TABLE incidents ADD COLUMN lat_e6 {int};
        ALTER TABLE incidents ADD COLUMN lon_e6 {int};
        CREATE INDEX incidents_on_map ON incidents
          (lat_e6, lon_e6, grade, event_type, sort_day, day_end, span_class, id);
        CREATE INDEX incidents_on_days ON incidents (sort_day, day_end, grade, event_type);
        CREATE INDEX incidents_by_day_words ON incidents
          (sort_day, id, grade, types_lc, weapons_lc, actors_lc, search_lc);
        INSERT INTO meta (key, value) VALUES ('derived_stale', '1')
          ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
    )
}

/// Schema 7: who collected each document (the Berkeley Protocol's collection record). Rows
/// stored before keep NULL: ombud did not record it then, and says so.
const V6_TO_V7: &str = "ALTER TABLE documents ADD COLUMN collected_by TEXT";

/// The steps of a backend, in order.
fn steps(backend: Backend) -> Vec<(i64, String)> {
    match backend {
        Backend::Sqlite => vec![
            (1, V1.to_string()),
            (2, V1_TO_V2.replace("{tables}", &v2_tables(backend))),
            (3, v2_to_v3(backend)),
            (4, v3_to_v4(backend)),
            (5, v4_to_v5(backend)),
            (6, v5_to_v6(backend)),
            (7, V6_TO_V7.to_string()),
        ],
        Backend::Postgres => vec![
            (
                2,
                format!(
                    "{};
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
                    v2_tables(backend)
                ),
            ),
            (3, v2_to_v3(backend)),
            (4, v3_to_v4(backend)),
            (5, v4_to_v5(backend)),
            (6, v5_to_v6(backend)),
            (7, V6_TO_V7.to_string()),
        ],
    }
}

/// The schema version of a database (0 for none), read without writing.
pub(crate) async fn version(conn: &mut Conn<'_>) -> Result<i64, StoreError> {
    let doing = "reading the schema version";
    match conn
        .fetch(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .await
    {
        Ok(rows) => match rows.first() {
            Some(r) => r.int(0).map_err(q(doing)),
            None => Ok(0),
        },
        // No table of migrations: nothing ombud made.
        Err(_) => Ok(0),
    }
}

/// Brings the schema up to date; refuses a database newer than this ombud.
pub(crate) async fn migrate(conn: &mut Conn<'_>, place: &str) -> Result<(), StoreError> {
    let doing = "migrating the schema";
    let backend = conn.backend();
    if backend == Backend::Postgres {
        // Two processes opening a new database at once: one migrates, the other waits.
        conn.fetch("SELECT pg_advisory_lock(7040001)", &[])
            .await
            .map_err(q(doing))?;
    }
    let result = migrate_locked(conn, place, backend).await;
    if backend == Backend::Postgres {
        let _ = conn.fetch("SELECT pg_advisory_unlock(7040001)", &[]).await;
    }
    result
}

async fn migrate_locked(
    conn: &mut Conn<'_>,
    place: &str,
    backend: Backend,
) -> Result<(), StoreError> {
    let doing = "migrating the schema";
    conn.script(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    )
    .await
    .map_err(q(doing))?;
    let rows = conn
        .fetch(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .await
        .map_err(q(doing))?;
    let current = match rows.first() {
        Some(r) => r.int(0).map_err(q(doing))?,
        None => 0,
    };
    if current > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            place: place.to_string(),
            found: current,
        });
    }
    // Each step in a transaction that first takes the write lock (SQLite's BEGIN IMMEDIATE;
    // PostgreSQL holds the advisory lock already) and reads the version again under it: two
    // processes opening a new database at once never both apply a step.
    let begin = match backend {
        Backend::Sqlite => "BEGIN IMMEDIATE",
        Backend::Postgres => "BEGIN",
    };
    for (version, sql) in steps(backend).into_iter().filter(|(v, _)| *v > current) {
        conn.script(begin).await.map_err(q(doing))?;
        let applied = async {
            let rows = conn
                .fetch(
                    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                    &[],
                )
                .await?;
            let now = match rows.first() {
                Some(r) => r.int(0)?,
                None => 0,
            };
            if now < version {
                conn.script(&sql).await?;
                conn.execute(
                    "INSERT INTO schema_migrations (version) VALUES (?)",
                    &[Arg::Int(version)],
                )
                .await?;
            }
            conn.script("COMMIT").await
        }
        .await;
        if let Err(e) = applied {
            let _ = conn.script("ROLLBACK").await;
            return Err(q(doing)(e));
        }
    }
    Ok(())
}
