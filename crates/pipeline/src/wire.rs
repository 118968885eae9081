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

/// Documents analysed together while streaming.
const CHUNK: usize = 256;

/// Reads one input and renders each document (or each unreadable line) with `render`, handing
/// the results to `emit` in input order as they are ready: JSON Lines are read a chunk of lines
/// at a time, so output starts at once and memory stays bounded. Returns the number of
/// rejected items.
pub fn extract_stream(
    reference: &Reference,
    input: &InputFile,
    options: &ExtractOptions,
    render: fn(&Reference, &ReadDocument, bool) -> Value,
    emit: &mut dyn FnMut(Value) -> std::io::Result<()>,
) -> Result<usize, PipelineError> {
    let origin = input.origin();
    let source: Box<dyn std::io::Read> = match &input.path {
        Some(path) => Box::new(
            std::fs::File::open(path).map_err(|source| SourcesError::Io {
                path: path.clone(),
                source,
            })?,
        ),
        None => Box::new(std::io::stdin()),
    };
    let mut reader = std::io::BufReader::with_capacity(1 << 16, source);
    let head = std::io::BufRead::fill_buf(&mut reader).map_err(|source| SourcesError::Io {
        path: std::path::PathBuf::from(&origin),
        source,
    })?;
    let format = options
        .format
        .unwrap_or_else(|| sources::detect(input.path.as_deref(), head));
    let io = |e: std::io::Error| PipelineError::Io {
        path: std::path::PathBuf::from("-"),
        source: e,
    };
    let mut rejected = 0;
    let mut flush = |items: &mut Vec<Result<ReadDocument, SourcesError>>,
                     rejected: &mut usize|
     -> Result<(), PipelineError> {
        let docs: Vec<&ReadDocument> = items.iter().filter_map(|i| i.as_ref().ok()).collect();
        let mut rendered = par_map(&docs, options.jobs, |doc| {
            render(reference, doc, options.with_text)
        })
        .into_iter();
        for item in items.drain(..) {
            let value = match item {
                Ok(_) => rendered.next().unwrap_or(Value::Null),
                Err(e) => {
                    *rejected += 1;
                    error_json(&e)
                }
            };
            emit(value).map_err(io)?;
        }
        Ok(())
    };
    let mut chunk: Vec<Result<ReadDocument, SourcesError>> = Vec::with_capacity(CHUNK);
    if format == Format::Jsonl {
        for item in sources::JsonlStream::new(reader, &origin) {
            chunk.push(item);
            if chunk.len() == CHUNK {
                flush(&mut chunk, &mut rejected)?;
            }
        }
    } else {
        let bytes = sources::read_capped(reader, &origin, sources::max_input_bytes(format))?;
        let parsed = sources::parse(&bytes, format, &origin);
        // Unreadable items first where they have no line, else in line order among documents.
        let mut items: Vec<(usize, Result<ReadDocument, SourcesError>)> = parsed
            .documents
            .into_iter()
            .map(|d| (d.line.unwrap_or(0), Ok(d)))
            .chain(
                parsed
                    .rejected
                    .into_iter()
                    .map(|e| (e.line().unwrap_or(usize::MAX), Err(e))),
            )
            .collect();
        items.sort_by_key(|(line, _)| *line);
        for (_, item) in items {
            chunk.push(item);
            if chunk.len() == CHUNK {
                flush(&mut chunk, &mut rejected)?;
            }
        }
    }
    flush(&mut chunk, &mut rejected)?;
    Ok(rejected)
}
