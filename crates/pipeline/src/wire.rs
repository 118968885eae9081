//! The JSON contracts of `ombud extract` and `ombud geoparse` (DESIGN.md, `"schema": 1`).

use serde_json::{Value, json};
use sources::{Format, InputFile, ReadDocument, SourcesError};

use crate::parallel::par_map;
use crate::{PipelineError, Reference, analyse};

/// How `extract` and `geoparse` read their input.
#[derive(Clone, Copy, Debug)]
pub struct ExtractOptions {
    /// Force a format instead of detecting it.
    pub format: Option<Format>,
    /// Include `document.text` in the output.
    pub with_text: bool,
    pub jobs: usize,
}

fn document_json(doc: &ReadDocument, language: Option<&str>, with_text: bool) -> Value {
    let mut d = json!({
        "sha256": archive::sha256_hex(&doc.raw),
        "publisher": doc.meta.publisher,
        "published": doc.meta.published.map(|p| p.to_string()),
        "language": language,
        "title": doc.meta.title,
    });
    if let Some(id) = &doc.meta.id {
        d["id"] = json!(id);
    }
    if let Some(url) = &doc.meta.url {
        d["url"] = json!(url);
    }
    if with_text {
        d["text"] = json!(doc.text);
    }
    d
}

/// The extraction contract for one document.
pub fn extract_json(reference: &Reference, doc: &ReadDocument, with_text: bool) -> Value {
    let analysis = analyse(reference, &doc.text, &doc.meta);
    json!({
        "schema": model::SCHEMA_VERSION,
        "document": document_json(doc, analysis.language.as_deref(), with_text),
        "claims": analysis.extraction.claims,
        "diagnostics": analysis.extraction.diagnostics,
    })
}

/// The geoparsing contract for one document: every place named in it.
pub fn geoparse_json(reference: &Reference, doc: &ReadDocument, with_text: bool) -> Value {
    let toponyms = reference.geoparse(&doc.text, &doc.meta);
    json!({
        "schema": model::SCHEMA_VERSION,
        "document": document_json(doc, doc.meta.language.as_deref(), with_text),
        "toponyms": toponyms,
    })
}

fn error_json(e: &SourcesError) -> Value {
    json!({"schema": model::SCHEMA_VERSION, "line": e.line(), "error": e.to_string()})
}

/// Reads one input into its documents and unreadable items, detecting the format unless given.
pub fn read_input(
    input: &InputFile,
    format: Option<Format>,
) -> Result<sources::Parsed, PipelineError> {
    let bytes = input.read()?;
    let format = format.unwrap_or_else(|| sources::detect(input.path.as_deref(), &bytes));
    Ok(sources::parse(&bytes, format, &input.origin()))
}

/// Reads one input and renders each document (or each unreadable line) with `render`, in input
/// order. The second value is the number of rejected items.
pub fn extract_inputs(
    reference: &Reference,
    input: &InputFile,
    options: &ExtractOptions,
    render: fn(&Reference, &ReadDocument, bool) -> Value,
) -> Result<(Vec<Value>, usize), PipelineError> {
    let parsed = read_input(input, options.format)?;
    let rendered = par_map(&parsed.documents, options.jobs, |doc| {
        render(reference, doc, options.with_text)
    });
    // Interleave rejected lines with documents by line, so output lines follow input lines.
    let mut items: Vec<(usize, Value)> = parsed
        .documents
        .iter()
        .zip(rendered)
        .map(|(d, v)| (d.line.unwrap_or(0), v))
        .collect();
    let rejected = parsed.rejected.len();
    items.extend(
        parsed
            .rejected
            .iter()
            .map(|e| (e.line().unwrap_or(usize::MAX), error_json(e))),
    );
    items.sort_by_key(|(line, _)| *line);
    Ok((items.into_iter().map(|(_, v)| v).collect(), rejected))
}
