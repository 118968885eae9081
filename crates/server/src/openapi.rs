//! The API's description (OpenAPI 3.1), served at `/api/v1/openapi.json`. Written by hand next
//! to the handlers it describes; the server's tests call every path it names and check the
//! answers' shapes against it.

use serde_json::{Value, json};

fn filters() -> Vec<Value> {
    let q = |name: &str, description: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}, "description": description});
    vec![
        q(
            "since",
            "incidents ending on or after this day (YYYY-MM-DD)",
        ),
        q(
            "until",
            "incidents starting on or before this day (YYYY-MM-DD)",
        ),
        q(
            "place",
            "a place by any of its names (Khankendi finds Stepanakert)",
        ),
        q("weapon", "part of a weapon's name (cluster, Smerch)"),
        q(
            "type",
            "part of the ACLED event or sub-event type (shelling)",
        ),
        q(
            "actor",
            "part of an alleged perpetrator's name, or its country (name or ISO code)",
        ),
        q("grade", "confirmed, fair, weak, contested or discounted"),
        q(
            "q",
            "words anywhere in the incident's places, weapons, perpetrators, type or sources",
        ),
    ]
}

fn page() -> Vec<Value> {
    vec![
        json!({"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 1000}, "description": "items a page (50 by default)"}),
        json!({"name": "cursor", "in": "query", "required": false, "schema": {"type": "string"}, "description": "the next_cursor of the previous page of the same selection; a cursor from other filters is refused (400 bad_cursor)"}),
    ]
}

fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}, "description": description})
}

fn ok(schema: Value) -> Value {
    json!({
        "200": {"description": "ok", "content": {"application/json": {"schema": schema}}},
        "default": {"description": "an error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    })
}

fn object(required: &[&str]) -> Value {
    let props: serde_json::Map<String, Value> = required
        .iter()
        .map(|k| ((*k).to_string(), json!({})))
        .collect();
    json!({"type": "object", "required": required, "properties": props})
}

/// The document.
pub fn openapi() -> Value {
    let mut with_page = filters();
    with_page.extend(page());
    let mut map_params = filters();
    map_params.extend([
        json!({"name": "zoom", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "maximum": 22}, "description": "the map's zoom level: cells are about 48 pixels wide at it"}),
        json!({"name": "bbox", "in": "query", "required": false, "schema": {"type": "string"}, "description": "west,south,east,north in degrees (the whole world by default)"}),
        json!({"name": "by", "in": "query", "required": false, "schema": {"type": "string", "enum": ["grade", "type"]}, "description": "what each cell is counted by"}),
    ]);
    let mut export_params = vec![
        json!({"name": "format", "in": "path", "required": true, "schema": {"type": "string", "enum": ["csv", "geojson", "jsonl"]}}),
    ];
    export_params.extend(filters());
    let bearer = json!([{"bearer": []}, {"session": []}]);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "ombud",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The record of incidents: filtered and paged, on a map and a timeline, with every claim behind each incident, the documents they come from and their proofs; decisions and uploads for reviewers. Programs send an API token (`ombud user token NAME`) as `Authorization: Bearer TOKEN`; a browser's session sends its anti-forgery token in `X-CSRF-Token` on every write. Reading needs an account unless the server runs with --public."
        },
        "servers": [{"url": "/api/v1"}],
        "security": bearer,
        "paths": {
            "/me": {"get": {"summary": "who is signed in", "operationId": "me", "security": [], "responses": ok(object(&["account", "role", "public"]))}},
            "/incidents": {"get": {"summary": "a page of incidents, in order of date then id", "operationId": "incidents", "parameters": with_page, "responses": ok(json!({"type": "object", "required": ["items", "next_cursor"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Incident"}}, "next_cursor": {"type": ["string", "null"]}}}))}},
            "/incidents/{id}": {"get": {"summary": "an incident (by id, alias or unique beginning) with its claims, why each is in, the nearest kept out, and its decisions", "operationId": "incident", "parameters": [path_param("id", "an incident id")], "responses": ok(object(&["incident", "alias", "claims", "explanation", "history"]))}},
            "/incidents/{id}/history": {"get": {"summary": "every decision about an incident", "operationId": "history", "parameters": [path_param("id", "an incident id")], "responses": ok(object(&["decisions"]))}},
            "/documents/{sha}": {"get": {"summary": "a document (by its SHA-256 or a unique beginning) with its text and claims", "operationId": "document", "parameters": [path_param("sha", "a document's SHA-256")], "responses": ok(object(&["document", "claims"]))}},
            "/documents/{sha}/proof": {"get": {"summary": "the document's inclusion proof against the log's current checkpoint (RFC 9162), and whether its archived bytes still hash to it", "operationId": "proof", "parameters": [path_param("sha", "a document's SHA-256")], "responses": ok(object(&["proof", "verifies", "intact"]))}},
            "/map": {"get": {"summary": "the selection grouped into map cells: count, mean position, counts by grade or type; a cell of one carries its incident's id", "operationId": "map", "parameters": map_params, "responses": ok(json!({"type": "object", "required": ["total", "cells"], "properties": {"total": {"type": "integer"}, "cells": {"type": "array", "items": {"$ref": "#/components/schemas/Cell"}}}}))}},
            "/timeline": {"get": {"summary": "incidents of the selection per day", "operationId": "timeline", "parameters": filters(), "responses": ok(json!({"type": "object", "required": ["days"], "properties": {"days": {"type": "array", "items": {"type": "object", "required": ["date", "count"], "properties": {"date": {"type": "string"}, "count": {"type": "integer"}}}}}}))}},
            "/export/{format}": {"get": {"summary": "the whole selection, streamed: CSV with ACLED's columns, GeoJSON or JSON Lines", "operationId": "export", "parameters": export_params, "responses": {"200": {"description": "the export", "content": {"text/csv": {}, "application/geo+json": {}, "application/x-ndjson": {}}}}}},
            "/review/{action}": {"post": {"summary": "a decision (reviewers): merge {incidents}, split {incident, claims}, grade {incident, grade}, reject {claim}, correct {claim, field, value}, undo {decision}; each with a note, logged before it is recorded", "operationId": "review", "parameters": [{"name": "action", "in": "path", "required": true, "schema": {"type": "string", "enum": ["merge", "split", "grade", "reject", "correct", "undo"]}}], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Review"}}}}, "responses": ok(object(&["decision", "incident"]))}},
            "/uploads": {"post": {"summary": "one file to ingest (reviewers): the body is the file, `name` its file name; who sent it is recorded as a decision (`upload`), logged like the others", "operationId": "upload", "parameters": [{"name": "name", "in": "query", "required": false, "schema": {"type": "string"}}], "requestBody": {"required": true, "content": {"application/octet-stream": {}}}, "responses": ok(object(&["name", "bytes", "new", "duplicate", "not_extracted", "claims", "incidents_written", "rejected", "decision"]))}},
            "/openapi.json": {"get": {"summary": "this document", "operationId": "openapi", "security": [], "responses": ok(object(&["openapi", "paths"]))}}
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "an API token from `ombud user token NAME`"},
                "session": {"type": "apiKey", "in": "cookie", "name": "ombud_session", "description": "a browser's session, from signing in at /login"}
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
                "Incident": {"type": "object", "required": ["id", "event_type", "sub_event_type", "places", "grade", "claims"], "description": "the incident contract of `ombud incidents --json`"},
                "Cell": {"type": "object", "required": ["lat", "lon", "count", "id", "top", "by"], "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}, "count": {"type": "integer"}, "id": {"type": ["string", "null"]}, "top": {"type": ["string", "null"]}, "by": {"type": "object"}}},
                "Review": {"type": "object", "required": ["note"], "properties": {
                    "incidents": {"type": "array", "items": {"type": "string"}},
                    "incident": {"type": "string"}, "claims": {"type": "array", "items": {"type": "string"}},
                    "claim": {"type": "string"}, "grade": {"type": "string"}, "field": {"type": "string"},
                    "value": {"type": "string"}, "decision": {"type": "string"}, "note": {"type": "string"}
                }}
            }
        }
    })
}
