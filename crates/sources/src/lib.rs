//! Readers of report formats: plain text (with the seed's header line), JSON Lines, HTML,
//! RSS/Atom feeds and WARC web archives, from files, directories and stdin.
//!
//! A reader turns the bytes of one input into documents: the exact bytes each document is archived
//! as, its plain text and what the format says about it. A bad item never hides the good ones: each
//! input yields a list of documents and rejections, each rejection naming where and why.

mod detect;
mod error;
mod feed;
mod html;
mod jsonl;
mod markup;
mod pubdate;
mod text;
mod walk;
mod warc;

pub use detect::{Format, detect};
pub use error::SourcesError;
pub use jsonl::{JsonlStream, MAX_LINE_BYTES};
pub use markup::{decode_entities, html_fragment_to_text};
pub use pubdate::parse_published;
pub use walk::{InputFile, MAX_INPUT_BYTES, collect_inputs, max_input_bytes, read_capped};

use model::DocumentMeta;

/// One document read from an input.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadDocument {
    /// The bytes the document is archived and identified by: the whole file, one JSON line, or
    /// one feed item's XML.
    pub raw: Vec<u8>,
    /// Plain text; every span ombud reports indexes this string.
    pub text: String,
    pub meta: DocumentMeta,
    pub format: Format,
    /// 1-based line of a JSON Lines input, the item number in a feed, or the record number in
    /// a WARC file.
    pub line: Option<usize>,
    /// When the document was captured, as the input says (a WARC record's date, ISO 8601);
    /// `None` when the input does not say, and the time of ingest stands.
    pub retrieved: Option<String>,
}

/// What reading one input gave.
#[derive(Debug, Default)]
pub struct Parsed {
    pub documents: Vec<ReadDocument>,
    pub rejected: Vec<SourcesError>,
}

/// The most text one document may have: a report, however long, not a book or a dump (a UN
/// commission's report runs to about a megabyte of text). Longer is refused, named, with the
/// rest of the batch read: reading costs memory in proportion to the text and what it yields.
pub const MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;

/// Every document the reader of `format` finds, however long.
fn read_any(bytes: &[u8], format: Format, origin: &str) -> Parsed {
    match format {
        Format::Text => single(text::read(bytes, origin)),
        Format::Html => single(html::read(bytes, origin)),
        Format::Jsonl => jsonl::read(bytes, origin),
        Format::Feed => feed::read(bytes, origin),
        Format::Warc => warc::read(bytes, origin),
    }
}

/// The document, or its refusal when its text is longer than `MAX_TEXT_BYTES`.
pub fn bounded(doc: ReadDocument, origin: &str) -> Result<ReadDocument, SourcesError> {
    if doc.text.len() > MAX_TEXT_BYTES {
        return Err(SourcesError::TextTooLong {
            origin: origin.to_string(),
            line: doc.line,
            size: doc.text.len(),
            limit: MAX_TEXT_BYTES,
        });
    }
    Ok(doc)
}

/// Reads the documents in `bytes`, which came from `origin` (a path or `-`), as `format`.
pub fn parse(bytes: &[u8], format: Format, origin: &str) -> Parsed {
    let read = read_any(bytes, format, origin);
    let mut out = Parsed {
        documents: Vec::with_capacity(read.documents.len()),
        rejected: read.rejected,
    };
    for doc in read.documents {
        match bounded(doc, origin).and_then(|d| self_contained(d, origin)) {
            Ok(d) => out.documents.push(d),
            Err(e) => out.rejected.push(e),
        }
    }
    out
}

/// The document, when its own archived bytes read again as it (`reread`): what `verify` and an
/// evidence package check later. A feed item is archived apart from its feed, so in a malformed
/// feed it may read otherwise alone; it is refused then, rather than archived as evidence that
/// would later look altered. (Other formats' documents are read from their own bytes already.)
fn self_contained(doc: ReadDocument, origin: &str) -> Result<ReadDocument, SourcesError> {
    if doc.format != Format::Feed {
        return Ok(doc);
    }
    let again = reread(&doc.raw, doc.format, origin);
    match again.documents.as_slice() {
        [one] if one.text == doc.text => Ok(doc),
        _ => Err(SourcesError::Feed {
            origin: origin.to_string(),
            message: format!(
                "item {}: its XML does not read alone as the same item (the feed is malformed around it): not read",
                doc.line.unwrap_or(0)
            ),
        }),
    }
}

/// Reads one archived document's own bytes again (its `raw`): as `parse` does, but a feed item's
/// XML, archived alone, is read inside an envelope of its kind (an Atom feed for an `<entry>`,
/// an RSS channel for an `<item>`). `verify` compares the text this gives with the stored one.
pub fn reread(raw: &[u8], format: Format, origin: &str) -> Parsed {
    // What was stored is read again as it was read then, whatever the limits are now.
    if format != Format::Feed {
        return read_any(raw, format, origin);
    }
    let start = raw
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(raw, |i| &raw[i..]);
    let (open, close): (&[u8], &[u8]) = if start.starts_with(b"<entry") {
        (b"<feed xmlns=\"http://www.w3.org/2005/Atom\">", b"</feed>")
    } else {
        (b"<rss version=\"2.0\"><channel>", b"</channel></rss>")
    };
    let mut wrapped = Vec::with_capacity(raw.len() + open.len() + close.len());
    wrapped.extend_from_slice(open);
    wrapped.extend_from_slice(raw);
    wrapped.extend_from_slice(close);
    read_any(&wrapped, format, origin)
}

fn single(result: Result<ReadDocument, SourcesError>) -> Parsed {
    match result {
        Ok(doc) => Parsed {
            documents: vec![doc],
            rejected: vec![],
        },
        Err(e) => Parsed {
            documents: vec![],
            rejected: vec![e],
        },
    }
}

/// The bytes as UTF-8 (a leading byte-order mark dropped), or an error naming the first bad byte.
fn utf8<'a>(bytes: &'a [u8], origin: &str, line: Option<usize>) -> Result<&'a str, SourcesError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| SourcesError::NotUtf8 {
        origin: origin.to_string(),
        line,
        offset: e.valid_up_to(),
    })
}

/// `Some(trimmed)` for a non-blank string.
fn non_blank(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}
