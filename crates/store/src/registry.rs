//! The small tables: the publisher registry, extraction runs, counters and the store's state.

use model::{CountryCode, Publisher, SourceKind};

use crate::conn::{Arg, Conn};
use crate::{Counts, Run, StoreResult, corrupt, q};

fn publisher_args(p: &Publisher) -> [Option<String>; 6] {
    [
        Some(p.name.to_lowercase()),
        Some(p.name.clone()),
        p.country.map(String::from),
        Some(p.kind.as_str().to_string()),
        p.alignment.map(String::from),
        Some(p.note.clone()),
    ]
}

/// Adds publishers not registered yet (edited entries are kept); returns how many.
pub(crate) async fn seed_publishers(
    conn: &mut Conn<'_>,
    publishers: &[Publisher],
) -> StoreResult<usize> {
    let owned: Vec<[Option<String>; 6]> = publishers.iter().map(publisher_args).collect();
    let args: Vec<Arg<'_>> = owned
        .iter()
        .flat_map(|row| row.iter().map(|v| Arg::OptText(v.as_deref())))
        .collect();
    let added = conn
        .insert_rows(
            "INSERT INTO publishers (name_lc, name, country, kind, alignment, note)",
            6,
            &args,
            "ON CONFLICT (name_lc) DO NOTHING",
        )
        .await
        .map_err(q("registering publishers"))?;
    Ok(added as usize)
}

/// Adds or replaces one publisher's entry.
pub(crate) async fn upsert_publisher(conn: &mut Conn<'_>, p: &Publisher) -> StoreResult<()> {
    let owned = publisher_args(p);
    let args: Vec<Arg<'_>> = owned.iter().map(|v| Arg::OptText(v.as_deref())).collect();
    conn.execute(
        "INSERT INTO publishers (name_lc, name, country, kind, alignment, note) VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (name_lc) DO UPDATE SET name = excluded.name, country = excluded.country, \
         kind = excluded.kind, alignment = excluded.alignment, note = excluded.note",
        &args,
    )
    .await
    .map_err(q("editing a publisher"))?;
    Ok(())
}

pub(crate) async fn publishers(conn: &mut Conn<'_>) -> StoreResult<Vec<Publisher>> {
    let doing = "reading publishers";
    let rows = conn
        .fetch(
            "SELECT name, country, kind, alignment, note FROM publishers ORDER BY name_lc",
            &[],
        )
        .await
        .map_err(q(doing))?;
    rows.iter()
        .map(|r| {
            let t = |i: usize| r.opt_text(i).map_err(|e| corrupt(doing, e));
            Ok(Publisher {
                name: t(0)?.unwrap_or_default(),
                country: t(1)?.as_deref().and_then(CountryCode::new),
                kind: t(2)?
                    .as_deref()
                    .and_then(SourceKind::parse)
                    .unwrap_or_default(),
                alignment: t(3)?.as_deref().and_then(CountryCode::new),
                note: t(4)?.unwrap_or_default(),
            })
        })
        .collect()
}

/// The id of the run with these digests, registered if new.
pub(crate) async fn run(
    conn: &mut Conn<'_>,
    version: &str,
    lexicons: &str,
    gazetteer: &str,
    started_at: &str,
) -> StoreResult<i64> {
    let doing = "recording the extraction run";
    let key = [
        Arg::Text(version),
        Arg::Text(lexicons),
        Arg::Text(gazetteer),
    ];
    conn.execute(
        "INSERT INTO runs (ombud_version, lexicon_digest, gazetteer_digest, started_at) \
         VALUES (?, ?, ?, ?) ON CONFLICT (ombud_version, lexicon_digest, gazetteer_digest) DO NOTHING",
        &[key[0], key[1], key[2], Arg::Text(started_at)],
    )
    .await
    .map_err(q(doing))?;
    let rows = conn
        .fetch(
            "SELECT id FROM runs WHERE ombud_version = ? AND lexicon_digest = ? AND gazetteer_digest = ?",
            &key,
        )
        .await
        .map_err(q(doing))?;
    rows.first()
        .ok_or_else(|| corrupt(doing, "the run was not recorded"))?
        .int(0)
        .map_err(|e| corrupt(doing, e))
}

pub(crate) async fn runs(conn: &mut Conn<'_>) -> StoreResult<Vec<Run>> {
    let doing = "reading extraction runs";
    let rows = conn
        .fetch(
            "SELECT id, ombud_version, lexicon_digest, gazetteer_digest, started_at FROM runs ORDER BY id",
            &[],
        )
        .await
        .map_err(q(doing))?;
    rows.iter()
        .map(|r| {
            let c = |e: sqlx::Error| corrupt(doing, e);
            Ok(Run {
                id: r.int(0).map_err(c)?,
                ombud_version: r.text(1).map_err(c)?,
                lexicon_digest: r.text(2).map_err(c)?,
                gazetteer_digest: r.text(3).map_err(c)?,
                started_at: r.text(4).map_err(c)?,
            })
        })
        .collect()
}

/// Adds `delta` to the counter `name` (the record's sizes are kept as counters, so counting
/// them reads one row, not a million).
pub(crate) async fn bump(conn: &mut Conn<'_>, name: &str, delta: i64) -> StoreResult<()> {
    if delta == 0 {
        return Ok(());
    }
    conn.execute(
        "UPDATE counters SET value = value + ? WHERE name = ?",
        &[Arg::Int(delta), Arg::Text(name)],
    )
    .await
    .map_err(q("counting the record"))?;
    Ok(())
}

/// Takes the store's write lock (the batch counter's row) and returns the new batch number.
pub(crate) async fn next_batch(conn: &mut Conn<'_>) -> StoreResult<u64> {
    let doing = "starting a write";
    let rows = conn
        .fetch(
            "UPDATE counters SET value = value + 1 WHERE name = 'batch' RETURNING value",
            &[],
        )
        .await
        .map_err(q(doing))?;
    Ok(rows
        .first()
        .ok_or_else(|| corrupt(doing, "the batch counter is missing"))?
        .int(0)
        .map_err(|e| corrupt(doing, e))? as u64)
}

pub(crate) async fn derived_stale(conn: &mut Conn<'_>) -> StoreResult<bool> {
    let rows = conn
        .fetch("SELECT value FROM meta WHERE key = 'derived_stale'", &[])
        .await
        .map_err(q("reading the store's state"))?;
    Ok(match rows.first() {
        Some(r) => {
            r.text(0)
                .map_err(|e| corrupt("reading the store's state", e))?
                == "1"
        }
        None => false,
    })
}

pub(crate) async fn set_derived_fresh(conn: &mut Conn<'_>) -> StoreResult<()> {
    conn.execute("DELETE FROM meta WHERE key = 'derived_stale'", &[])
        .await
        .map_err(q("updating the store's state"))?;
    Ok(())
}

/// Empties the derived tables a rebuild fills again, and marks them stale until it is done (an
/// interrupted rebuild is finished by the next open); ids ever minted stay.
pub(crate) async fn clear_derived(conn: &mut Conn<'_>) -> StoreResult<()> {
    conn.script(
        "DELETE FROM claim_index; DELETE FROM incident_places; DELETE FROM incidents; \
         UPDATE counters SET value = 0 WHERE name = 'incidents'; \
         DELETE FROM meta WHERE key = 'derived_stale'; \
         INSERT INTO meta (key, value) VALUES ('derived_stale', '1');",
    )
    .await
    .map_err(q("clearing derived tables"))?;
    Ok(())
}

pub(crate) async fn counts(conn: &mut Conn<'_>) -> StoreResult<Counts> {
    let doing = "counting the record";
    let rows = conn
        .fetch(
            "SELECT (SELECT value FROM counters WHERE name = 'document'), \
             (SELECT value FROM counters WHERE name = 'claims'), \
             (SELECT value FROM counters WHERE name = 'incidents'), \
             (SELECT COUNT(*) FROM decisions)",
            &[],
        )
        .await
        .map_err(q(doing))?;
    let r = rows.first().ok_or_else(|| corrupt(doing, "no counts"))?;
    let n = |i: usize| r.int(i).map(|v| v as u64).map_err(|e| corrupt(doing, e));
    Ok(Counts {
        documents: n(0)?,
        claims: n(1)?,
        incidents: n(2)?,
        decisions: n(3)?,
    })
}
