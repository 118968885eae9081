//! Documents: stored once under their SHA-256 with their text and metadata, listed in order of
//! publication, found by hash prefix, and selected for re-extraction.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use model::{Date, DocumentMeta, DocumentRecord, DocumentStatus};

use crate::claims;
use crate::conn::{Arg, Conn, Row};
use crate::query::{DocumentQuery, ReextractSelection, sort_day};
use crate::{CopyCandidate, CopyChange, NewDocument, StoreResult, corrupt, q};

const COLUMNS: &str = "sha256, size, origin, format, retrieved_at, input_id, publisher, published, \
    language, title, url, ombud_version, status, n_claims, copy_of, collected_by";

fn record(row: &Row, with_text: bool, doing: &'static str) -> StoreResult<DocumentRecord> {
    let t = |i: usize| row.opt_text(i).map_err(|e| corrupt(doing, e));
    Ok(DocumentRecord {
        sha256: row.text(0).map_err(|e| corrupt(doing, e))?,
        size: row.int(1).map_err(|e| corrupt(doing, e))? as u64,
        origin: t(2)?.unwrap_or_default(),
        format: t(3)?.unwrap_or_default(),
        retrieved_at: t(4)?.unwrap_or_default(),
        collected_by: t(15)?,
        meta: DocumentMeta {
            id: t(5)?,
            publisher: t(6)?,
            published: t(7)?.as_deref().and_then(|d| Date::from_str(d).ok()),
            language: t(8)?,
            title: t(9)?,
            url: t(10)?,
        },
        ombud_version: t(11)?.unwrap_or_default(),
        status: t(12)?
            .as_deref()
            .and_then(DocumentStatus::parse)
            .unwrap_or(DocumentStatus::Extracted),
        n_claims: row.int(13).map_err(|e| corrupt(doing, e))? as usize,
        copy_of: t(14)?,
        text: if with_text { t(16)? } else { None },
    })
}

/// Which of `sha256` are stored.
pub(crate) async fn existing(
    conn: &mut Conn<'_>,
    sha256: &[String],
) -> StoreResult<HashSet<String>> {
    let doing = "looking up documents";
    let values: Vec<Arg<'_>> = sha256.iter().map(|s| Arg::Text(s)).collect();
    let rows = conn
        .fetch_in(
            "SELECT sha256 FROM documents WHERE sha256 IN {list}",
            &[],
            &values,
        )
        .await
        .map_err(q(doing))?;
    rows.iter()
        .map(|r| r.text(0).map_err(|e| corrupt(doing, e)))
        .collect()
}

/// Stores the documents not stored yet, with their claims; returns the hashes stored now.
pub(crate) async fn insert(
    conn: &mut Conn<'_>,
    docs: &[NewDocument<'_>],
) -> StoreResult<Vec<String>> {
    let doing = "storing documents";
    let shas: Vec<String> = docs.iter().map(|d| d.record.sha256.clone()).collect();
    let already = existing(conn, &shas).await?;
    let mut seen: HashSet<&str> = HashSet::new();
    let fresh: Vec<&NewDocument<'_>> = docs
        .iter()
        .filter(|d| !already.contains(&d.record.sha256) && seen.insert(&d.record.sha256))
        .collect();
    if fresh.is_empty() {
        return Ok(vec![]);
    }
    let rows = conn
        .fetch(
            "UPDATE counters SET value = value + ? WHERE name = 'document' RETURNING value",
            &[Arg::Int(fresh.len() as i64)],
        )
        .await
        .map_err(q(doing))?;
    let last = rows
        .first()
        .ok_or_else(|| corrupt(doing, "the document counter is missing"))?
        .int(0)
        .map_err(|e| corrupt(doing, e))?;
    let first = last - fresh.len() as i64 + 1;

    let texts: Vec<(String, Option<String>, Option<String>, i64)> = fresh
        .iter()
        .map(|d| {
            let r = d.record;
            (
                serde_json::to_string(d.diagnostics).unwrap_or_else(|_| "[]".into()),
                r.meta.publisher.as_deref().map(str::to_lowercase),
                r.meta.published.map(|p| p.to_string()),
                sort_day(r.meta.published),
            )
        })
        .collect();
    let mut args: Vec<Arg<'_>> = Vec::with_capacity(fresh.len() * 23);
    for (i, (d, (diagnostics, publisher_lc, published, day))) in
        fresh.iter().zip(&texts).enumerate()
    {
        let r = d.record;
        args.extend([
            Arg::Text(&r.sha256),
            Arg::Int(first + i as i64),
            Arg::Int(r.size as i64),
            Arg::Text(&r.origin),
            Arg::Text(&r.format),
            Arg::Text(&r.retrieved_at),
            Arg::OptText(r.meta.id.as_deref()),
            Arg::OptText(r.meta.publisher.as_deref()),
            Arg::OptText(publisher_lc.as_deref()),
            Arg::OptText(published.as_deref()),
            Arg::Int(*day),
            Arg::OptText(r.meta.language.as_deref()),
            Arg::OptText(r.meta.title.as_deref()),
            Arg::OptText(r.meta.url.as_deref()),
            Arg::Text(d.text),
            Arg::Text(&r.ombud_version),
            Arg::Text(r.status.as_str()),
            Arg::Text(diagnostics),
            Arg::Int(d.run),
            Arg::Int(d.claims.len() as i64),
            Arg::OptText(d.sketch.as_deref()),
            Arg::OptText(d.copy_of.as_deref()),
            Arg::OptText(r.collected_by.as_deref()),
        ]);
    }
    let t = std::time::Instant::now();
    conn.insert_rows(
        "INSERT INTO documents (sha256, seq, size, origin, format, retrieved_at, input_id, \
         publisher, publisher_lc, published, sort_day, language, title, url, text, ombud_version, \
         status, diagnostics, run_id, n_claims, sketch, copy_of, collected_by)",
        23,
        &args,
        "",
    )
    .await
    .map_err(q(doing))?;
    let mut bands: Vec<Arg<'_>> = Vec::new();
    for d in &fresh {
        let day = sort_day(d.record.meta.published);
        for &b in &d.bands {
            bands.extend([Arg::Int(b), Arg::Text(&d.record.sha256), Arg::Int(day)]);
        }
    }
    conn.insert_rows(
        "INSERT INTO document_bands (band, sha256, day)",
        3,
        &bands,
        "ON CONFLICT DO NOTHING",
    )
    .await
    .map_err(q(doing))?;
    let docs_ms = t.elapsed().as_millis() as u64;
    let t = std::time::Instant::now();
    let claims: Vec<&crate::NewClaim<'_>> = fresh.iter().flat_map(|d| d.claims.iter()).collect();
    claims::insert(conn, &claims).await?;
    tracing::debug!(
        docs_ms,
        claims_ms = t.elapsed().as_millis() as u64,
        "rows inserted"
    );
    Ok(fresh.iter().map(|d| d.record.sha256.clone()).collect())
}

/// The stored originals filed under each of `bands`, with the day each was published
/// (`UNDATED` for none), at most `cap` a band: a band holding more is common (boilerplate, a
/// template's fixed phrases) and answers `None`. Each band's rows are read through the index and
/// limited there, so a common band costs `cap + 1` rows however many documents it holds.
pub(crate) async fn band_members(
    conn: &mut Conn<'_>,
    bands: &[i64],
    cap: usize,
) -> StoreResult<HashMap<i64, Option<Vec<(String, i64)>>>> {
    let doing = "finding near-copies";
    let mut out: HashMap<i64, Option<Vec<(String, i64)>>> =
        bands.iter().map(|b| (*b, Some(Vec::new()))).collect();
    // SQLite allows 500 terms in one compound SELECT; a full chunk's statement is kept.
    const CHUNK: usize = 400;
    for chunk in bands.chunks(CHUNK) {
        let sql = (0..chunk.len())
            .map(|i| {
                format!(
                    "SELECT band, sha256, day FROM (SELECT band, sha256, day FROM document_bands \
                     WHERE band = ? LIMIT {}) AS b{i}",
                    cap + 1
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let args: Vec<Arg<'_>> = chunk.iter().map(|b| Arg::Int(*b)).collect();
        let rows = conn
            .fetch_kept(&sql, &args, chunk.len() == CHUNK)
            .await
            .map_err(q(doing))?;
        for r in rows {
            let band = r.int(0).map_err(|e| corrupt(doing, e))?;
            let sha256 = r.text(1).map_err(|e| corrupt(doing, e))?;
            let day = r.int(2).map_err(|e| corrupt(doing, e))?;
            if let Some(Some(members)) = out.get_mut(&band) {
                members.push((sha256, day));
            }
        }
    }
    for members in out.values_mut() {
        if members.as_ref().is_some_and(|m| m.len() > cap) {
            *members = None;
        }
    }
    Ok(out)
}

/// Files a stored document's band keys under its publication day.
async fn file_bands(conn: &mut Conn<'_>, sha256: &str, bands: &[i64]) -> StoreResult<()> {
    let doing = "filing a document's band keys";
    if bands.is_empty() {
        return Ok(());
    }
    let day = match conn
        .fetch(
            "SELECT sort_day FROM documents WHERE sha256 = ?",
            &[Arg::Text(sha256)],
        )
        .await
        .map_err(q(doing))?
        .first()
    {
        Some(r) => r.int(0).map_err(|e| corrupt(doing, e))?,
        None => return Ok(()),
    };
    let mut rows: Vec<Arg<'_>> = Vec::new();
    for &b in bands {
        rows.extend([Arg::Int(b), Arg::Text(sha256), Arg::Int(day)]);
    }
    conn.insert_rows(
        "INSERT INTO document_bands (band, sha256, day)",
        3,
        &rows,
        "ON CONFLICT DO NOTHING",
    )
    .await
    .map_err(q(doing))?;
    Ok(())
}

/// The documents `sha256`, and the members of the copy groups whose originals are `roots` (the
/// originals and every document that copies one), with what copy detection needs.
pub(crate) async fn copy_candidates(
    conn: &mut Conn<'_>,
    sha256: &[String],
    roots: &[String],
) -> StoreResult<Vec<CopyCandidate>> {
    let doing = "finding near-copies";
    // The words come with the row: it is read for its sketch anyway, so reading the text later
    // would read the row twice.
    let cols = "d.sha256, d.published, d.publisher, d.copy_of, d.sketch, d.text";
    let mut rows = Vec::new();
    let shas: Vec<Arg<'_>> = sha256.iter().map(|r| Arg::Text(r)).collect();
    let roots: Vec<Arg<'_>> = roots.iter().map(|r| Arg::Text(r)).collect();
    for (sql, values) in [
        (
            format!("SELECT {cols} FROM documents d WHERE d.sha256 IN {{list}}"),
            &shas,
        ),
        (
            format!("SELECT {cols} FROM documents d WHERE d.sha256 IN {{list}}"),
            &roots,
        ),
        (
            format!("SELECT {cols} FROM documents d WHERE d.copy_of IN {{list}}"),
            &roots,
        ),
    ] {
        if !values.is_empty() {
            rows.extend(conn.fetch_in(&sql, &[], values).await.map_err(q(doing))?);
        }
    }
    let mut out: Vec<CopyCandidate> = Vec::with_capacity(rows.len());
    let mut seen: HashSet<String> = HashSet::new();
    for r in &rows {
        let t = |i: usize| r.opt_text(i).map_err(|e| corrupt(doing, e));
        let sha256 = r.text(0).map_err(|e| corrupt(doing, e))?;
        if !seen.insert(sha256.clone()) {
            continue;
        }
        out.push(CopyCandidate {
            sha256,
            published: t(1)?.as_deref().and_then(|d| Date::from_str(d).ok()),
            publisher: t(2)?,
            copy_of: t(3)?,
            sketch: t(4)?,
            text: t(5)?.unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Sets which document each of these is a copy of. Only originals are filed by band (a copy is
/// found through its original), so a document that becomes a copy leaves the band index and
/// one that becomes an original enters it.
pub(crate) async fn set_copy_of(conn: &mut Conn<'_>, changes: &[CopyChange]) -> StoreResult<()> {
    let doing = "recording copies";
    for c in changes {
        conn.execute(
            "UPDATE documents SET copy_of = ? WHERE sha256 = ?",
            &[Arg::OptText(c.copy_of.as_deref()), Arg::Text(&c.sha256)],
        )
        .await
        .map_err(q(doing))?;
        let bands: Vec<Arg<'_>> = c.bands.iter().map(|b| Arg::Int(*b)).collect();
        if bands.is_empty() {
            continue;
        }
        if c.copy_of.is_some() {
            conn.execute_in(
                "DELETE FROM document_bands WHERE sha256 = ? AND band IN {list}",
                &[Arg::Text(&c.sha256)],
                &bands,
            )
            .await
            .map_err(q(doing))?;
        } else {
            file_bands(conn, &c.sha256, &c.bands).await?;
        }
    }
    Ok(())
}

/// Records a stored document's sketch and band keys (a rebuild computing them again).
pub(crate) async fn set_sketch(
    conn: &mut Conn<'_>,
    sha256: &str,
    sketch: Option<&str>,
    bands: &[i64],
) -> StoreResult<()> {
    let doing = "recording a document's sketch";
    conn.execute(
        "UPDATE documents SET sketch = ? WHERE sha256 = ?",
        &[Arg::OptText(sketch), Arg::Text(sha256)],
    )
    .await
    .map_err(q(doing))?;
    file_bands(conn, sha256, bands).await
}

/// Forgets every document's copy group and bands (a rebuild derives them again).
pub(crate) async fn clear_copies(conn: &mut Conn<'_>) -> StoreResult<()> {
    let doing = "clearing copies";
    conn.script("DELETE FROM document_bands; UPDATE documents SET copy_of = NULL WHERE copy_of IS NOT NULL;")
        .await
        .map_err(q(doing))
}

/// Updates a re-extracted document's row: its status, diagnostics, run and number of claims.
pub(crate) async fn set_extraction(conn: &mut Conn<'_>, doc: &NewDocument<'_>) -> StoreResult<()> {
    let doing = "updating a re-extracted document";
    let diagnostics = serde_json::to_string(doc.diagnostics).map_err(|e| corrupt(doing, e))?;
    conn.execute(
        "UPDATE documents SET status = ?, diagnostics = ?, run_id = ?, n_claims = ?, \
         ombud_version = ?, language = ? WHERE sha256 = ?",
        &[
            Arg::Text(doc.record.status.as_str()),
            Arg::Text(&diagnostics),
            Arg::Int(doc.run),
            Arg::Int(doc.claims.len() as i64),
            Arg::Text(&doc.record.ombud_version),
            Arg::OptText(doc.record.meta.language.as_deref()),
            Arg::Text(&doc.record.sha256),
        ],
    )
    .await
    .map_err(q(doing))?;
    Ok(())
}

/// Empties a withdrawn document's text and marks it withdrawn; false when there is no such row.
pub(crate) async fn withdraw(conn: &mut Conn<'_>, sha256: &str) -> StoreResult<bool> {
    let doing = "withdrawing a document";
    let changed = conn
        .execute(
            "UPDATE documents SET text = '', status = ?, title = NULL WHERE sha256 = ?",
            &[
                Arg::Text(DocumentStatus::Withdrawn.as_str()),
                Arg::Text(sha256),
            ],
        )
        .await
        .map_err(q(doing))?;
    Ok(changed > 0)
}

/// Documents in order of publication, then hash.
pub(crate) async fn list(
    conn: &mut Conn<'_>,
    query: &DocumentQuery,
) -> StoreResult<Vec<DocumentRecord>> {
    let doing = "reading documents";
    let mut sql = format!("SELECT {COLUMNS} FROM documents WHERE 1 = 1");
    let mut args: Vec<Arg<'_>> = Vec::new();
    let since = query.since.map(|d| d.to_days());
    let until = query.until.map(|d| d.to_days());
    if let Some(s) = since {
        sql.push_str(" AND sort_day >= ?");
        args.push(Arg::Int(s));
    }
    if let Some(u) = until {
        sql.push_str(" AND sort_day <= ?");
        args.push(Arg::Int(u));
    }
    let publisher = query.publisher.as_deref().map(str::to_lowercase);
    if let Some(p) = &publisher {
        sql.push_str(" AND publisher_lc = ?");
        args.push(Arg::Text(p));
    }
    if let Some(after) = &query.after {
        sql.push_str(
            " AND (sort_day, sha256) > (SELECT sort_day, sha256 FROM documents WHERE sha256 = ?)",
        );
        args.push(Arg::Text(after));
    }
    sql.push_str(" ORDER BY sort_day, sha256");
    if let Some(limit) = query.limit {
        sql.push_str(" LIMIT ?");
        args.push(Arg::Int(limit as i64));
    }
    let rows = conn.fetch(&sql, &args).await.map_err(q(doing))?;
    rows.iter().map(|r| record(r, false, doing)).collect()
}

/// Documents whose hash starts with `prefix`, with their text; at most a few.
pub(crate) async fn by_prefix(
    conn: &mut Conn<'_>,
    prefix: &str,
) -> StoreResult<Vec<DocumentRecord>> {
    let doing = "reading a document";
    let prefix = prefix.to_ascii_lowercase();
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(vec![]);
    }
    // The hashes from `prefix` up to (not including) the next prefix: an index range.
    let upper = format!("{prefix}g");
    let rows = conn
        .fetch(
            &format!(
                "SELECT {COLUMNS}, text FROM documents WHERE sha256 >= ? AND sha256 < ? ORDER BY sha256 LIMIT 5"
            ),
            &[Arg::Text(&prefix), Arg::Text(&upper)],
        )
        .await
        .map_err(q(doing))?;
    rows.iter().map(|r| record(r, true, doing)).collect()
}

/// Documents to re-extract, with their text, in hash order after `after`.
pub(crate) async fn to_reextract(
    conn: &mut Conn<'_>,
    selection: &ReextractSelection,
    after: Option<&str>,
    limit: usize,
) -> StoreResult<Vec<DocumentRecord>> {
    let doing = "choosing documents to re-extract";
    let mut sql = format!("SELECT {COLUMNS}, text FROM documents WHERE sha256 > ?");
    let mut args: Vec<Arg<'_>> = vec![Arg::Text(after.unwrap_or(""))];
    match selection {
        ReextractSelection::All => {}
        ReextractSelection::NotRun(run) => {
            sql.push_str(" AND (run_id IS NULL OR run_id <> ?)");
            args.push(Arg::Int(*run));
        }
        ReextractSelection::Runs(runs) => {
            if runs.is_empty() {
                return Ok(vec![]);
            }
            sql.push_str(&format!(" AND run_id IN {}", crate::conn::list(runs.len())));
            args.extend(runs.iter().map(|r| Arg::Int(*r)));
        }
        ReextractSelection::Documents(shas) => {
            if shas.is_empty() {
                return Ok(vec![]);
            }
            sql.push_str(&format!(" AND sha256 IN {}", crate::conn::list(shas.len())));
            args.extend(shas.iter().map(|s| Arg::Text(s)));
        }
    }
    sql.push_str(" ORDER BY sha256 LIMIT ?");
    args.push(Arg::Int(limit as i64));
    let rows = conn.fetch(&sql, &args).await.map_err(q(doing))?;
    rows.iter().map(|r| record(r, true, doing)).collect()
}
