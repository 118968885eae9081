//! Claims: stored under their content keys with the words of their sentence and the rows of the
//! index that finds their possible neighbours (same event family, place key and days); the
//! aliases re-extraction leaves from old keys to new ones; each claim's current incident.

use std::collections::HashMap;
use std::str::FromStr;

use model::{Claim, ClaimId, Date, IncidentId};

use crate::conn::{Arg, Conn, Row};
use crate::query::{ClaimQuery, like, sort_day};
use crate::{IndexRow, JSON_VERSION, NewClaim, StoreResult, StoredClaim, corrupt, q};

/// The columns `stored` reads, from `claims c` joined with `documents d`.
pub(crate) const STORED: &str = "c.key, c.json, c.quote, c.incident_id, d.publisher, d.published, \
    d.origin, d.copy_of, (SELECT o.publisher FROM documents o WHERE o.sha256 = d.copy_of)";

/// The range of claim keys of one document: every key starts with its hash and `:`.
fn of_doc(sha256: &str) -> (String, String) {
    (format!("{sha256}:"), format!("{sha256};"))
}

pub(crate) fn parse_id(key: &str, doing: &'static str) -> StoreResult<ClaimId> {
    ClaimId::from_str(key).map_err(|e| corrupt(doing, e))
}

pub(crate) fn stored(row: &Row, doing: &'static str) -> StoreResult<StoredClaim> {
    let c = |e: sqlx::Error| corrupt(doing, e);
    let key = row.text(0).map_err(c)?;
    let claim: Claim =
        serde_json::from_str(&row.text(1).map_err(c)?).map_err(|e| corrupt(doing, e))?;
    Ok(StoredClaim {
        id: parse_id(&key, doing)?,
        quote: row.text(2).map_err(c)?,
        incident: row.opt_text(3).map_err(c)?.map(IncidentId),
        publisher: row.opt_text(4).map_err(c)?,
        published: row
            .opt_text(5)
            .map_err(c)?
            .as_deref()
            .and_then(|d| Date::from_str(d).ok()),
        origin: row.opt_text(6).map_err(c)?.unwrap_or_default(),
        copy_of: row.opt_text(7).map_err(c)?,
        original_publisher: row.opt_text(8).map_err(c)?,
        claim,
    })
}

/// Lower-case speaker name and role, for the speaker filter.
fn speaker_lc(claim: &Claim) -> Option<String> {
    claim.speaker.as_ref().map(|s| {
        let mut text = s.name.to_lowercase();
        if let Some(role) = &s.role {
            text.push(' ');
            text.push_str(&role.to_lowercase());
        }
        text
    })
}

/// Stores claims (not yet stored) and their index rows.
pub(crate) async fn insert(conn: &mut Conn<'_>, claims: &[&NewClaim<'_>]) -> StoreResult<()> {
    let doing = "storing claims";
    if claims.is_empty() {
        return Ok(());
    }
    struct Owned {
        key: String,
        speaker: Option<String>,
        types: String,
        ord: i64,
        days: (Option<i64>, Option<i64>),
    }
    let mut ord_in_doc: HashMap<&str, i64> = HashMap::new();
    let owned: Vec<Owned> = claims
        .iter()
        .map(|c| {
            let ord = ord_in_doc.entry(&c.id.document).or_insert(0);
            *ord += 1;
            Ok(Owned {
                key: c.id.to_string(),
                speaker: speaker_lc(c.claim),
                types: format!("{} {}", c.claim.event_type, c.claim.sub_event_type).to_lowercase(),
                ord: *ord,
                days: (
                    c.claim.date.as_ref().map(|d| d.start.to_days()),
                    c.claim.date.as_ref().map(|d| d.end.to_days()),
                ),
            })
        })
        .collect::<StoreResult<_>>()?;
    let mut args: Vec<Arg<'_>> = Vec::with_capacity(claims.len() * 15);
    for (c, o) in claims.iter().zip(&owned) {
        args.extend([
            Arg::Text(&o.key),
            Arg::Text(&c.id.document),
            Arg::Int(o.ord),
            Arg::Text(c.claim.stance.as_str()),
            Arg::OptText(o.speaker.as_deref()),
            Arg::Text(c.claim.event_type.as_str()),
            Arg::Text(c.claim.sub_event_type.as_str()),
            Arg::Text(&o.types),
            Arg::OptInt(o.days.0),
            Arg::OptInt(o.days.1),
            Arg::Int(sort_day(c.claim.date.as_ref().map(|d| d.start))),
            Arg::Text(c.quote),
            Arg::Text(c.json),
            Arg::Int(JSON_VERSION),
            Arg::OptText(c.incident.as_ref().map(|i| i.0.as_str())),
        ]);
    }
    let inserted = conn
        .insert_rows(
            "INSERT INTO claims (key, document_sha256, ord, stance, speaker_lc, event_type, \
             sub_event_type, types_lc, day_start, day_end, sort_day, quote, json, json_version, \
             incident_id)",
            15,
            &args,
            "ON CONFLICT (key) DO NOTHING",
        )
        .await
        .map_err(q(doing))?;
    crate::registry::bump(conn, "claims", inserted as i64).await?;
    let t = std::time::Instant::now();
    let rows: Vec<(&str, &IndexRow)> = claims
        .iter()
        .zip(&owned)
        .flat_map(|(c, o)| c.index.iter().map(move |r| (o.key.as_str(), r)))
        .collect();
    insert_index(conn, &rows).await?;
    tracing::debug!(
        index_ms = t.elapsed().as_millis() as u64,
        "index rows inserted"
    );
    Ok(())
}

async fn insert_index(conn: &mut Conn<'_>, rows: &[(&str, &IndexRow)]) -> StoreResult<()> {
    let mut args: Vec<Arg<'_>> = Vec::with_capacity(rows.len() * 5);
    for (key, r) in rows {
        args.extend([
            Arg::Text(key),
            Arg::Text(&r.event_type),
            Arg::Text(&r.place),
            Arg::Int(r.day_start),
            Arg::Int(r.day_end),
        ]);
    }
    conn.insert_rows(
        "INSERT INTO claim_index (claim_key, event_type, place, day_start, day_end)",
        5,
        &args,
        "ON CONFLICT DO NOTHING",
    )
    .await
    .map_err(q("indexing claims"))?;
    Ok(())
}

/// Replaces the index rows of claims.
pub(crate) async fn reindex(
    conn: &mut Conn<'_>,
    rows: &[(ClaimId, Vec<IndexRow>)],
) -> StoreResult<()> {
    let keys: Vec<String> = rows.iter().map(|(id, _)| id.to_string()).collect();
    let values: Vec<Arg<'_>> = keys.iter().map(|k| Arg::Text(k)).collect();
    conn.execute_in(
        "DELETE FROM claim_index WHERE claim_key IN {list}",
        &[],
        &values,
    )
    .await
    .map_err(q("re-indexing claims"))?;
    let flat: Vec<(&str, &IndexRow)> = keys
        .iter()
        .zip(rows)
        .flat_map(|(k, (_, index))| index.iter().map(move |r| (k.as_str(), r)))
        .collect();
    insert_index(conn, &flat).await
}

/// The incident each of a document's claims is in.
pub(crate) async fn incidents_of_document(
    conn: &mut Conn<'_>,
    sha256: &str,
) -> StoreResult<Vec<(ClaimId, IncidentId)>> {
    let doing = "reading a document's incidents";
    let (from, to) = of_doc(sha256);
    let rows = conn
        .fetch(
            "SELECT key, incident_id FROM claims WHERE key >= ? AND key < ? AND incident_id IS NOT NULL",
            &[Arg::Text(&from), Arg::Text(&to)],
        )
        .await
        .map_err(q(doing))?;
    rows.iter()
        .map(|r| {
            let c = |e: sqlx::Error| corrupt(doing, e);
            Ok((
                parse_id(&r.text(0).map_err(c)?, doing)?,
                IncidentId(r.text(1).map_err(c)?),
            ))
        })
        .collect()
}

/// Removes a document's claims and their index rows.
pub(crate) async fn delete_of_document(conn: &mut Conn<'_>, sha256: &str) -> StoreResult<()> {
    let doing = "removing a document's old claims";
    let (from, to) = of_doc(sha256);
    conn.execute(
        "DELETE FROM claim_index WHERE claim_key >= ? AND claim_key < ?",
        &[Arg::Text(&from), Arg::Text(&to)],
    )
    .await
    .map_err(q(doing))?;
    let gone = conn
        .execute(
            "DELETE FROM claims WHERE key >= ? AND key < ?",
            &[Arg::Text(&from), Arg::Text(&to)],
        )
        .await
        .map_err(q(doing))?;
    crate::registry::bump(conn, "claims", -(gone as i64)).await
}

/// Records where old claim ids went, and points aliases to an old id at its new one too.
pub(crate) async fn alias(
    conn: &mut Conn<'_>,
    aliases: &[(ClaimId, Option<ClaimId>)],
    run: i64,
) -> StoreResult<()> {
    let doing = "recording re-extracted claims";
    for (old, new) in aliases {
        let (old, new) = (old.to_string(), new.as_ref().map(ClaimId::to_string));
        if Some(&old) == new.as_ref() {
            continue;
        }
        conn.execute(
            "UPDATE claim_aliases SET new_key = ? WHERE new_key = ?",
            &[Arg::OptText(new.as_deref()), Arg::Text(&old)],
        )
        .await
        .map_err(q(doing))?;
        conn.execute(
            "INSERT INTO claim_aliases (old_key, new_key, run_id) VALUES (?, ?, ?) \
             ON CONFLICT (old_key) DO UPDATE SET new_key = excluded.new_key, run_id = excluded.run_id",
            &[Arg::Text(&old), Arg::OptText(new.as_deref()), Arg::Int(run)],
        )
        .await
        .map_err(q(doing))?;
    }
    Ok(())
}

/// The current id of each id (aliases followed; an id never aliased is its own).
pub(crate) async fn resolve(
    conn: &mut Conn<'_>,
    ids: &[ClaimId],
) -> StoreResult<HashMap<ClaimId, Option<ClaimId>>> {
    let doing = "following claim aliases";
    let keys: Vec<String> = ids.iter().map(ClaimId::to_string).collect();
    let values: Vec<Arg<'_>> = keys.iter().map(|k| Arg::Text(k)).collect();
    let rows = conn
        .fetch_in(
            "SELECT old_key, new_key FROM claim_aliases WHERE old_key IN {list}",
            &[],
            &values,
        )
        .await
        .map_err(q(doing))?;
    let mut aliased: HashMap<String, Option<String>> = HashMap::new();
    for r in &rows {
        aliased.insert(
            r.text(0).map_err(|e| corrupt(doing, e))?,
            r.opt_text(1).map_err(|e| corrupt(doing, e))?,
        );
    }
    let mut out = HashMap::new();
    for (id, key) in ids.iter().zip(&keys) {
        let now = match aliased.get(key) {
            Some(Some(new)) => Some(parse_id(new, doing)?),
            Some(None) => None,
            None => Some(id.clone()),
        };
        out.insert(id.clone(), now);
    }
    Ok(out)
}

/// The stored claims with these ids.
pub(crate) async fn load(conn: &mut Conn<'_>, ids: &[ClaimId]) -> StoreResult<Vec<StoredClaim>> {
    let doing = "reading claims";
    let keys: Vec<String> = ids.iter().map(ClaimId::to_string).collect();
    let values: Vec<Arg<'_>> = keys.iter().map(|k| Arg::Text(k)).collect();
    let rows = conn
        .fetch_in(
            &format!(
                "SELECT {STORED} FROM claims c JOIN documents d ON d.sha256 = c.document_sha256 \
                 WHERE c.key IN {{list}}"
            ),
            &[],
            &values,
        )
        .await
        .map_err(q(doing))?;
    rows.iter().map(|r| stored(r, doing)).collect()
}

fn ids_of(rows: &[Row], doing: &'static str) -> StoreResult<Vec<ClaimId>> {
    rows.iter()
        .map(|r| parse_id(&r.text(0).map_err(|e| corrupt(doing, e))?, doing))
        .collect()
}

/// The ids of the claims of these incidents.
pub(crate) async fn of_incidents(
    conn: &mut Conn<'_>,
    ids: &[IncidentId],
) -> StoreResult<Vec<ClaimId>> {
    let doing = "reading the claims of incidents";
    let values: Vec<Arg<'_>> = ids.iter().map(|i| Arg::Text(&i.0)).collect();
    let rows = conn
        .fetch_in(
            "SELECT key FROM claims WHERE incident_id IN {list}",
            &[],
            &values,
        )
        .await
        .map_err(q(doing))?;
    ids_of(&rows, doing)
}

/// The claims of one incident, with their documents, in document order.
pub(crate) async fn of_incident(
    conn: &mut Conn<'_>,
    id: &IncidentId,
) -> StoreResult<Vec<StoredClaim>> {
    let doing = "reading the claims of an incident";
    let rows = conn
        .fetch(
            &format!(
                "SELECT {STORED} FROM claims c JOIN documents d ON d.sha256 = c.document_sha256 \
                 WHERE c.incident_id = ? ORDER BY d.sort_day, c.document_sha256, c.ord"
            ),
            &[Arg::Text(&id.0)],
        )
        .await
        .map_err(q(doing))?;
    rows.iter().map(|r| stored(r, doing)).collect()
}

/// The ids of a document's claims, in document order.
pub(crate) async fn of_document(conn: &mut Conn<'_>, sha256: &str) -> StoreResult<Vec<ClaimId>> {
    let doing = "reading a document's claims";
    let (from, to) = of_doc(sha256);
    let rows = conn
        .fetch(
            "SELECT key FROM claims WHERE key >= ? AND key < ? ORDER BY ord",
            &[Arg::Text(&from), Arg::Text(&to)],
        )
        .await
        .map_err(q(doing))?;
    ids_of(&rows, doing)
}

/// Claim ids in order of date, then key, after `after`.
pub(crate) async fn ids_after(
    conn: &mut Conn<'_>,
    after: Option<&ClaimId>,
    limit: usize,
) -> StoreResult<Vec<ClaimId>> {
    let doing = "listing claims";
    let rows = match after {
        None => conn
            .fetch(
                "SELECT key FROM claims ORDER BY sort_day, key LIMIT ?",
                &[Arg::Int(limit as i64)],
            )
            .await,
        Some(after) => {
            let after = after.to_string();
            conn.fetch(
                "SELECT key FROM claims WHERE (sort_day, key) > (SELECT sort_day, key FROM claims WHERE key = ?) \
                 ORDER BY sort_day, key LIMIT ?",
                &[Arg::Text(&after), Arg::Int(limit as i64)],
            )
            .await
        }
    }
    .map_err(q(doing))?;
    ids_of(&rows, doing)
}

/// Claims of documents by a publisher.
pub(crate) async fn of_publisher(conn: &mut Conn<'_>, name: &str) -> StoreResult<Vec<ClaimId>> {
    let doing = "reading a publisher's claims";
    let name = name.to_lowercase();
    let rows = conn
        .fetch(
            "SELECT c.key FROM claims c JOIN documents d ON d.sha256 = c.document_sha256 \
             WHERE d.publisher_lc = ?",
            &[Arg::Text(&name)],
        )
        .await
        .map_err(q(doing))?;
    ids_of(&rows, doing)
}

/// Claims with an index row matching one of the probes: the probes go into a temporary table
/// and one join against the index finds them all, whatever their number.
pub(crate) async fn neighbours(
    conn: &mut Conn<'_>,
    probes: &[IndexRow],
    max_span: i64,
) -> StoreResult<Vec<ClaimId>> {
    let doing = "finding a claim's neighbours";
    let mut unique: Vec<&IndexRow> = probes.iter().collect();
    unique.sort_by(|a, b| {
        (&a.event_type, &a.place, a.day_start, a.day_end).cmp(&(
            &b.event_type,
            &b.place,
            b.day_start,
            b.day_end,
        ))
    });
    unique.dedup();
    let lows: Vec<i64> = unique.iter().map(|p| p.day_start - max_span).collect();
    let mut args: Vec<Arg<'_>> = Vec::with_capacity(unique.len() * 5);
    for (p, low) in unique.iter().zip(&lows) {
        args.extend([
            Arg::Text(&p.event_type),
            Arg::Text(&p.place),
            Arg::Int(*low),
            Arg::Int(p.day_start),
            Arg::Int(p.day_end),
        ]);
    }
    conn.temp_rows(
        "probe_rows",
        "event_type TEXT NOT NULL, place TEXT NOT NULL, low INTEGER NOT NULL, \
         first_day INTEGER NOT NULL, last_day INTEGER NOT NULL",
        5,
        &args,
    )
    .await
    .map_err(q(doing))?;
    // CROSS JOIN keeps SQLite's loop over the few probes, each a range of the index.
    let rows = conn
        .fetch(
            "SELECT i.claim_key FROM probe_rows p CROSS JOIN claim_index i \
             WHERE i.event_type = p.event_type AND i.place = p.place \
             AND i.day_start >= p.low AND i.day_start <= p.last_day AND i.day_end >= p.first_day",
            &[],
        )
        .await
        .map_err(q(doing))?;
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut out = Vec::new();
    for r in &rows {
        let key = r.text(0).map_err(|e| corrupt(doing, e))?;
        if seen.insert(key.clone()) {
            out.push(parse_id(&key, doing)?);
        }
    }
    Ok(out)
}

/// Sets each claim's incident: the pairs go into a temporary table, then one update.
pub(crate) async fn set_incidents(
    conn: &mut Conn<'_>,
    membership: &[(ClaimId, Option<IncidentId>)],
) -> StoreResult<()> {
    let doing = "recording which incident each claim is in";
    if membership.is_empty() {
        return Ok(());
    }
    let keys: Vec<String> = membership.iter().map(|(c, _)| c.to_string()).collect();
    let mut args: Vec<Arg<'_>> = Vec::with_capacity(keys.len() * 2);
    for (key, (_, incident)) in keys.iter().zip(membership) {
        args.extend([
            Arg::Text(key),
            Arg::OptText(incident.as_ref().map(|i| i.0.as_str())),
        ]);
    }
    conn.temp_rows(
        "membership_rows",
        "claim_key TEXT NOT NULL, incident_id TEXT",
        2,
        &args,
    )
    .await
    .map_err(q(doing))?;
    conn.execute(
        "UPDATE claims SET incident_id = m.incident_id FROM membership_rows m WHERE claims.key = m.claim_key",
        &[],
    )
    .await
    .map_err(q(doing))?;
    Ok(())
}

/// Claims in order of date, then id.
pub(crate) async fn list(conn: &mut Conn<'_>, query: &ClaimQuery) -> StoreResult<Vec<StoredClaim>> {
    let doing = "listing claims";
    let mut sql = format!(
        "SELECT {STORED} FROM claims c JOIN documents d ON d.sha256 = c.document_sha256 WHERE 1 = 1"
    );
    let mut args: Vec<Arg<'_>> = Vec::new();
    if let Some(s) = query.since {
        sql.push_str(" AND c.day_end >= ?");
        args.push(Arg::Int(s.to_days()));
    }
    if let Some(u) = query.until {
        sql.push_str(" AND c.day_start <= ?");
        args.push(Arg::Int(u.to_days()));
    }
    if let Some(s) = query.stance {
        sql.push_str(" AND c.stance = ?");
        args.push(Arg::Text(s.as_str()));
    }
    let speaker = query.speaker.as_deref().map(like);
    let publisher_voice = query
        .speaker
        .as_deref()
        .is_some_and(|s| "publisher".contains(&s.to_lowercase()));
    if let Some(s) = &speaker {
        sql.push_str(" AND (c.speaker_lc LIKE ? ESCAPE '\\' OR (c.speaker_lc IS NULL AND ? = 1))");
        args.push(Arg::Text(s));
        args.push(Arg::Int(i64::from(publisher_voice)));
    }
    let types = query.event_type.as_deref().map(like);
    if let Some(t) = &types {
        sql.push_str(" AND c.types_lc LIKE ? ESCAPE '\\'");
        args.push(Arg::Text(t));
    }
    let text = query.text.as_deref().map(like);
    if let Some(t) = &text {
        sql.push_str(" AND lower(c.quote) LIKE ? ESCAPE '\\'");
        args.push(Arg::Text(t));
    }
    if let Some(after) = &query.after {
        sql.push_str(" AND (c.sort_day, c.key) > (SELECT sort_day, key FROM claims WHERE key = ?)");
        args.push(Arg::Text(after));
    }
    sql.push_str(" ORDER BY c.sort_day, c.key");
    if let Some(limit) = query.limit {
        sql.push_str(" LIMIT ?");
        args.push(Arg::Int(limit as i64));
    }
    let rows = conn.fetch(&sql, &args).await.map_err(q(doing))?;
    rows.iter().map(|r| stored(r, doing)).collect()
}
