//! The HTTP API under `/api/v1`: JSON in and out, the same filters as the pages, cursor pages,
//! streamed exports, decisions and uploads. Described by `openapi.rs`; errors are
//! `{"error": {"code", "message"}}` (`error.rs`).

use std::collections::BTreeMap;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pipeline::{ExportFormat, IngestOptions, MapGrid, MapKey, Role, SignedIn};
use serde_json::{Value, json};

use crate::AppState;
use crate::auth;
use crate::error::ApiError;
use crate::filters::FilterParams;

type ApiResult<T> = Result<T, ApiError>;

pub(crate) async fn not_found() -> ApiError {
    ApiError::not_found("no such page or endpoint: the API is described at /api/v1/openapi.json")
}

pub(crate) async fn openapi_document() -> Json<Value> {
    Json(crate::openapi())
}

/// Who is signed in, and what they may do.
pub(crate) async fn me(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let who = auth::who(&state, &headers).await?;
    Ok(Json(match who {
        Some(w) => json!({"account": w.account, "role": w.role, "public": state.options.public}),
        None => json!({"account": null, "role": null, "public": state.options.public}),
    }))
}

/// One page of incidents: `{"items": [...], "next_cursor": "..." | null}`.
pub(crate) async fn incidents(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<FilterParams>,
) -> ApiResult<Json<Value>> {
    auth::reader(&state, &headers).await?;
    let (items, next) = incident_page(&state, &params).await?;
    Ok(Json(json!({"items": items, "next_cursor": next})))
}

/// A page of the selection and the cursor of the next one (`None` after the last).
pub(crate) async fn incident_page(
    state: &AppState,
    params: &FilterParams,
) -> ApiResult<(Vec<model::Incident>, Option<String>)> {
    let filter = params.filter()?;
    let page = params.page()?;
    let items = state.service.incidents(&filter, &page).await?;
    let next = match items.last() {
        Some(last) if Some(items.len()) == page.limit => Some(params.cursor_after(&last.id.0)),
        _ => None,
    };
    Ok((items, next))
}

/// An incident with its claims, why each is in, the nearest kept out, and its decisions.
pub(crate) async fn incident(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    auth::reader(&state, &headers).await?;
    let detail = state.service.incident(&id).await?;
    let explanation = state.service.explain(&detail).await?;
    let history = state.service.history(&detail.incident.id.0).await?;
    Ok(Json(json!({
        "incident": detail.incident,
        "alias": detail.alias,
        "claims": detail.claims,
        "explanation": explanation,
        "history": history,
    })))
}

pub(crate) async fn history(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    auth::reader(&state, &headers).await?;
    let history = state.service.history(&id).await?;
    Ok(Json(json!({"decisions": history})))
}

/// A document's record, text and claims.
pub(crate) async fn document(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(sha): Path<String>,
) -> ApiResult<Json<Value>> {
    auth::reader(&state, &headers).await?;
    let doc = state.service.document(&sha).await?;
    let claims = state.service.document_claims(&doc.sha256).await?;
    Ok(Json(json!({"document": doc, "claims": claims})))
}

/// The document's inclusion proof against the log's current checkpoint, checked here.
pub(crate) async fn proof(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(sha): Path<String>,
) -> ApiResult<Json<Value>> {
    auth::reader(&state, &headers).await?;
    let doc = state.service.document(&sha).await?;
    let service = state.service.clone();
    let proven = tokio::task::spawn_blocking(move || service.prove(&doc.sha256))
        .await
        .map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
        })??;
    Ok(Json(json!({
        "proof": proven.proof,
        "verifies": proven.proof.verify(),
        "intact": proven.intact,
    })))
}

/// The log's checkpoint signed last (a C2SP signed note), for transparency-log tools.
pub(crate) async fn log_checkpoint(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    auth::reader(&state, &headers).await?;
    let service = state.service.clone();
    let note = tokio::task::spawn_blocking(move || service.published_checkpoint())
        .await
        .map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
        })??;
    let Some(note) = note else {
        return Err(ApiError::not_found(
            "no checkpoint has been signed yet: `ombud log --sign` (or `ombud export-evidence`) signs one",
        ));
    };
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], note).into_response())
}

/// A tile of the log in the C2SP tlog-tiles layout (`/log/tile/0/x001/234`,
/// `/log/tile/entries/000.p/17`). Full tiles never change, so they may be cached for good.
pub(crate) async fn log_tile(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(path): Path<String>,
) -> ApiResult<Response> {
    auth::reader(&state, &headers).await?;
    let tile = format!("tile/{path}");
    let full = !tile.contains(".p/");
    let service = state.service.clone();
    let bytes = tokio::task::spawn_blocking(move || service.log_tile(&tile))
        .await
        .map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
        })??;
    let Some(bytes) = bytes else {
        return Err(ApiError::not_found(
            "no such tile: the path is not a tile of the C2SP tlog-tiles layout, or the log does not have it yet",
        ));
    };
    let cache = if full {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, cache),
        ],
        bytes,
    )
        .into_response())
}

/// The archived bytes of a document, as a download.
pub(crate) async fn original(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(sha): Path<String>,
) -> ApiResult<Response> {
    auth::reader(&state, &headers).await?;
    let doc = state.service.document(&sha).await?;
    let service = state.service.clone();
    let sha = doc.sha256.clone();
    let bytes = tokio::task::spawn_blocking(move || service.original(&sha))
        .await
        .map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
        })??;
    let name = format!("{}.{}", doc.sha256, extension(&doc.format));
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

fn extension(format: &str) -> &'static str {
    match format {
        "html" => "html",
        "jsonl" => "json",
        "feed" | "rss" | "atom" => "xml",
        "warc" => "warc",
        _ => "txt",
    }
}

/// The map's question: the selection's filters, the view (zoom level and box) and the colour.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct MapParams {
    #[serde(flatten)]
    filters: FilterParams,
    #[serde(default)]
    zoom: Option<String>,
    /// `west,south,east,north` in degrees.
    #[serde(default)]
    bbox: Option<String>,
    /// `grade` (the default) or `type`.
    #[serde(default)]
    by: Option<String>,
}

/// A cell of about this many pixels on the screen, whatever the zoom.
const CELL_PIXELS: f64 = 48.0;

fn grid(p: &MapParams) -> ApiResult<MapGrid> {
    let zoom: u32 = match p.zoom.as_deref().filter(|z| !z.is_empty()) {
        None => 2,
        Some(z) => z.parse().ok().filter(|z| *z <= 22).ok_or_else(|| {
            ApiError::bad_request(
                "bad_filter",
                format!("zoom={z:?}: give a level from 0 to 22"),
            )
        })?,
    };
    let (west, south, east, north) = match p.bbox.as_deref().filter(|b| !b.is_empty()) {
        None => (-180.0, -90.0, 180.0, 90.0),
        Some(b) => {
            let v: Vec<f64> = b.split(',').filter_map(|x| x.trim().parse().ok()).collect();
            match v.as_slice() {
                [w, s, e, n] if w <= e && s <= n => (*w, *s, *e, *n),
                _ => {
                    return Err(ApiError::bad_request(
                        "bad_filter",
                        format!("bbox={b:?}: give west,south,east,north in degrees"),
                    ));
                }
            }
        }
    };
    let by = match p.by.as_deref() {
        None | Some("") | Some("grade") => MapKey::Grade,
        Some("type") => MapKey::EventType,
        Some(other) => {
            return Err(ApiError::bad_request(
                "bad_filter",
                format!("by={other:?}: colour by grade or type"),
            ));
        }
    };
    let degrees = CELL_PIXELS * 360.0 / (256.0 * f64::from(1u32 << zoom.min(22)));
    let e6 = |d: f64| (d.clamp(-180.0, 180.0) * 1e6).round() as i64;
    Ok(MapGrid {
        cell_e6: (degrees * 1e6).max(1.0) as i64,
        south_e6: e6(south.max(-90.0)),
        west_e6: e6(west),
        north_e6: e6(north.min(90.0)),
        east_e6: e6(east),
        by,
    })
}

/// The selection on the map: cells with their counts (a cell of one is the incident itself).
pub(crate) async fn map(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<MapParams>,
) -> ApiResult<Json<Value>> {
    auth::reader(&state, &headers).await?;
    let filter = params.filters.filter()?;
    let grid = grid(&params)?;
    let cells = state.service.map(&filter, &grid).await?;
    let total: u64 = cells.iter().map(|c| c.count).sum();
    let cells: Vec<Value> = cells
        .iter()
        .map(|c| {
            let by: BTreeMap<&str, u64> = c.by.iter().map(|(k, n)| (k.as_str(), *n)).collect();
            json!({
                "lat": c.lat_e6 as f64 / 1e6,
                "lon": c.lon_e6 as f64 / 1e6,
                "count": c.count,
                "id": (c.count == 1).then_some(&c.first),
                "top": c.by.first().map(|(k, _)| k),
                "by": by,
            })
        })
        .collect();
    Ok(Json(json!({"total": total, "cells": cells})))
}

/// Incidents per day of the selection.
pub(crate) async fn timeline(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<FilterParams>,
) -> ApiResult<Json<Value>> {
    auth::reader(&state, &headers).await?;
    let filter = params.filter()?;
    let days = state.service.timeline(&filter).await?;
    let days: Vec<Value> = days
        .iter()
        .filter_map(|d| model::Date::from_days(d.day).map(|date| (date, d.count)))
        .map(|(date, count)| json!({"date": date.to_string(), "count": count}))
        .collect();
    Ok(Json(json!({"days": days})))
}

/// The whole selection, streamed: `csv` (ACLED's columns), `geojson` or `jsonl`.
pub(crate) async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(format): Path<String>,
    Query(params): Query<FilterParams>,
) -> ApiResult<Response> {
    auth::reader(&state, &headers).await?;
    let filter = params.filter()?;
    let (format, mime, ext) = match format.as_str() {
        "csv" => (ExportFormat::Csv, "text/csv; charset=utf-8", "csv"),
        "geojson" => (ExportFormat::Geojson, "application/geo+json", "geojson"),
        "jsonl" => (ExportFormat::Jsonl, "application/x-ndjson", "jsonl"),
        other => {
            return Err(ApiError::not_found(format!(
                "no export format {other:?}: csv, geojson or jsonl"
            )));
        }
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let service = state.service.clone();
    tokio::spawn(async move {
        if let Err(e) = service.export_chunks(&filter, format, &tx).await {
            // The status is sent; the body ends short, and the log says why.
            tracing::error!(error = %e, "export failed");
        }
    });
    let mut response = Response::new(Body::new(ChunkBody(rx)));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"ombud-incidents.{ext}\""))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// A response body fed a chunk at a time by the export task.
struct ChunkBody(tokio::sync::mpsc::Receiver<Vec<u8>>);

impl http_body::Body for ChunkBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|c| Ok(http_body::Frame::data(Bytes::from(c)))))
    }
}

/// A decision as a program (or the page's script) sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReviewRequest {
    #[serde(default)]
    pub(crate) incidents: Vec<String>,
    #[serde(default)]
    pub(crate) incident: Option<String>,
    #[serde(default)]
    pub(crate) claims: Vec<String>,
    #[serde(default)]
    pub(crate) claim: Option<String>,
    #[serde(default)]
    pub(crate) grade: Option<String>,
    #[serde(default)]
    pub(crate) field: Option<String>,
    #[serde(default)]
    pub(crate) value: Option<String>,
    #[serde(default)]
    pub(crate) decision: Option<String>,
    #[serde(default)]
    pub(crate) note: String,
}

fn need<'a>(v: &'a Option<String>, name: &str, action: &str) -> ApiResult<&'a str> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request("bad_request", format!("{action} needs {name}")))
}

/// Makes a decision for `who`: the one path of every review, from a form or from JSON. Returns
/// the decision as recorded and the incident the page should show next.
pub(crate) async fn decide(
    state: &AppState,
    who: &SignedIn,
    action: &str,
    r: &ReviewRequest,
) -> ApiResult<(model::Decision, Option<String>)> {
    let note = r.note.trim();
    if note.is_empty() {
        return Err(ApiError::bad_request(
            "note_required",
            "every decision needs a note saying why (it is logged with the decision)",
        ));
    }
    let by = who.reviewer(jiff::Timestamp::now(), note);
    let service = &state.service;
    let decision = match action {
        "merge" => {
            let mut ids: Vec<String> = r.incidents.clone();
            if let Some(i) = &r.incident {
                ids.insert(0, i.clone());
            }
            let ids: Vec<String> = ids
                .iter()
                .flat_map(|s| s.split([',', ' ']))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            service.review_merge(&ids, &by).await?
        }
        "split" => {
            let incident = need(&r.incident, "incident", action)?;
            service.review_split(incident, &r.claims, &by).await?
        }
        "grade" => {
            let incident = need(&r.incident, "incident", action)?;
            let g = need(&r.grade, "grade", action)?;
            let grade = model::Grade::parse(g).ok_or_else(|| {
                ApiError::bad_request(
                    "bad_request",
                    format!("{g:?} is not a grade: confirmed, fair, weak, contested or discounted"),
                )
            })?;
            service.review_grade(incident, grade, &by).await?
        }
        "reject" => {
            service
                .review_reject(need(&r.claim, "claim", action)?, &by)
                .await?
        }
        "correct" => {
            let claim = need(&r.claim, "claim", action)?;
            let field = need(&r.field, "field", action)?;
            let value = need(&r.value, "value", action)?;
            service.review_correct(claim, field, value, &by).await?
        }
        "undo" => {
            service
                .review_undo(need(&r.decision, "decision", action)?, &by)
                .await?
        }
        other => {
            return Err(ApiError::not_found(format!(
                "no review action {other:?}: merge, split, grade, reject, correct or undo"
            )));
        }
    };
    // The incident to show now: the first named, followed to where it went.
    let first = r
        .incident
        .clone()
        .or_else(|| r.incidents.first().cloned())
        .map(|s| s.split([',', ' ']).next().unwrap_or("").to_string());
    let now = match first {
        Some(id) => match service.incident(&id).await {
            Ok(d) => Some(d.incident.id.0),
            Err(_) => None,
        },
        None => match &r.claim {
            Some(c) => service
                .claim(c)
                .await
                .ok()
                .and_then(|c| c.incident.map(|i| i.0)),
            None => None,
        },
    };
    Ok((decision, now))
}

/// A decision from a program: `POST /api/v1/review/{action}` with a JSON body.
pub(crate) async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(action): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let who = auth::writer(&state, &headers, Role::Reviewer, None).await?;
    let request: ReviewRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request("malformed_json", format!("the body is not a decision: {e}"))
    })?;
    let (decision, incident) = decide(&state, &who, &action, &request).await?;
    Ok(Json(json!({"decision": decision, "incident": incident})))
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct UploadParams {
    #[serde(default)]
    name: Option<String>,
}

/// A name safe to keep a file under: its last path part, with anything but letters, digits,
/// `.`, `-` and `_` made `_`.
fn file_name(given: &str) -> String {
    let last = given.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    let clean = clean.trim_start_matches('.').to_string();
    if clean.is_empty() {
        "upload".to_string()
    } else {
        clean
    }
}

/// One uploaded file (the body; `?name=` its file name), ingested as `ombud ingest` would:
/// kept under the data directory's `uploads/` (the collection record of who sent what, when),
/// archived, read, merged. Answers what it gave.
pub(crate) async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<UploadParams>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let who = auth::writer(&state, &headers, Role::Reviewer, None).await?;
    if body.is_empty() {
        return Err(ApiError::bad_request("empty_upload", "the upload is empty"));
    }
    let name = file_name(params.name.as_deref().unwrap_or("upload"));
    let now = jiff::Timestamp::now();
    let stamp = now.strftime("%Y%m%dT%H%M%S%.fZ").to_string();
    let dir = state
        .service
        .data_dir()
        .root()
        .join("uploads")
        .join(format!("{stamp}-{}", file_name(&who.account)));
    let path = dir.join(&name);
    let write = {
        let (dir, path, body) = (dir.clone(), path.clone(), body.clone());
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir)?;
            std::fs::write(&path, &body)
        })
    };
    write
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                format!("{}: cannot keep the upload: {e}", path.display()),
            )
        })?;
    let mut options = IngestOptions::new(now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(), 2);
    options.collected_by = Some(format!("{} (upload to ombud serve)", who.account));
    let by = who.reviewer(now, "uploaded through ombud serve");
    let (report, decision) = state
        .service
        .ingest_upload(&path, &name, &options, &by)
        .await?;
    tracing::info!(account = %who.account, file = %name, new = report.new, "upload ingested");
    let rejected: Vec<Value> = report
        .rejected
        .iter()
        .map(|r| json!({"input": r.origin, "reason": r.reason}))
        .collect();
    Ok(Json(json!({
        "name": name,
        "bytes": body.len(),
        "new": report.new,
        "duplicate": report.duplicate,
        "not_extracted": report.not_extracted,
        "claims": report.claims,
        "incidents_written": report.incidents_written,
        "rejected": rejected,
        "decision": decision.id.to_string(),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_names_stay_inside_their_folder() {
        assert_eq!(file_name("../../etc/passwd"), "passwd");
        assert_eq!(
            file_name("C:\\reports\\Barda strike.html"),
            "Barda_strike.html"
        );
        assert_eq!(file_name(".."), "upload");
        assert_eq!(file_name(".hidden"), "hidden");
    }

    #[test]
    fn the_map_cell_shrinks_as_the_map_zooms_in() {
        let at = |z: &str| {
            grid(&MapParams {
                zoom: Some(z.into()),
                ..Default::default()
            })
            .unwrap()
            .cell_e6
        };
        assert_eq!(at("0"), 67_500_000);
        assert_eq!(at("1") * 2, at("0"));
        assert!(at("16") > 0);
        let bad = MapParams {
            bbox: Some("10,50,0,40".into()),
            ..Default::default()
        };
        assert_eq!(grid(&bad).unwrap_err().code, "bad_filter");
    }
}
