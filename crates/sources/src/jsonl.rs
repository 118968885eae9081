//! JSON Lines: one report per line, its `text` kept verbatim so spans index the given text.

use std::io::{BufRead, Read};
use std::path::PathBuf;

use model::DocumentMeta;
use serde_json::Value;

use crate::{Format, Parsed, ReadDocument, SourcesError, non_blank, parse_published, utf8};

pub(crate) fn read(bytes: &[u8], origin: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for item in JsonlStream::new(bytes, origin) {
        match item {
            Ok(doc) => parsed.documents.push(doc),
            Err(e) => parsed.rejected.push(e),
        }
    }
    parsed
}

/// The longest line a JSON Lines stream reads (64 MiB): one report, however long.
pub const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

/// JSON Lines read one line at a time, so an input of any size needs memory for one line only.
/// Blank lines are skipped; a bad line is an error item and reading goes on; an IO error ends it.
#[derive(Debug)]
pub struct JsonlStream<R> {
    reader: R,
    origin: String,
    line: usize,
    buf: Vec<u8>,
    done: bool,
}

impl<R: BufRead> JsonlStream<R> {
    pub fn new(reader: R, origin: &str) -> JsonlStream<R> {
        JsonlStream {
            reader,
            origin: origin.to_string(),
            line: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    /// Reads the rest of an over-long line and drops it.
    fn skip_line(&mut self) -> std::io::Result<()> {
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                return Ok(());
            }
            match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    self.reader.consume(i + 1);
                    return Ok(());
                }
                None => {
                    let n = chunk.len();
                    self.reader.consume(n);
                }
            }
        }
    }
}

impl<R: BufRead> Iterator for JsonlStream<R> {
    type Item = Result<ReadDocument, SourcesError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.buf.clear();
            self.line += 1;
            let read = (&mut self.reader)
                .take(MAX_LINE_BYTES as u64 + 1)
                .read_until(b'\n', &mut self.buf);
            let origin = PathBuf::from(&self.origin);
            let io_error = |source| SourcesError::Io {
                path: origin.clone(),
                source,
            };
            match read {
                Err(e) => {
                    self.done = true;
                    return Some(Err(io_error(e)));
                }
                Ok(0) => {
                    self.done = true;
                    return None;
                }
                Ok(_) => {}
            }
            if self.buf.len() > MAX_LINE_BYTES && self.buf.last() != Some(&b'\n') {
                if let Err(e) = self.skip_line() {
                    self.done = true;
                    return Some(Err(io_error(e)));
                }
                return Some(Err(SourcesError::LineTooLong {
                    origin: self.origin.clone(),
                    line: self.line,
                    limit: MAX_LINE_BYTES,
                }));
            }
            let raw = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            if raw.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(
                read_line(raw, &self.origin, self.line)
                    .and_then(|d| crate::bounded(d, &self.origin)),
            );
        }
        None
    }
}

fn read_line(raw: &[u8], origin: &str, line: usize) -> Result<ReadDocument, SourcesError> {
    let s = utf8(raw, origin, Some(line))?;
    let value: Value = serde_json::from_str(s).map_err(|e| SourcesError::Json {
        origin: origin.to_string(),
        line,
        message: e.to_string(),
    })?;
    let Value::Object(obj) = value else {
        return Err(SourcesError::Json {
            origin: origin.to_string(),
            line,
            message: "expected an object such as {\"text\": \"...\"}".to_string(),
        });
    };
    let Some(Value::String(text)) = obj.get("text") else {
        return Err(SourcesError::MissingText {
            origin: origin.to_string(),
            line,
        });
    };
    if text.trim().is_empty() {
        return Err(SourcesError::Empty {
            origin: origin.to_string(),
            line: Some(line),
        });
    }
    let string = |key: &str| obj.get(key).and_then(Value::as_str).and_then(non_blank);
    let id = match obj.get("id") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let published = match string("published") {
        None => None,
        Some(p) => Some(parse_published(&p).ok_or_else(|| SourcesError::BadField {
            origin: origin.to_string(),
            line: Some(line),
            field: "published",
            message: format!("{p:?} is not a date: use YYYY-MM-DD or RFC 3339"),
        })?),
    };
    Ok(ReadDocument {
        raw: raw.to_vec(),
        text: text.clone(),
        meta: DocumentMeta {
            id,
            publisher: string("publisher"),
            published,
            language: string("language").map(|l| l.to_ascii_lowercase()),
            title: string("title"),
            url: string("url"),
        },
        format: Format::Jsonl,
        line: Some(line),
        retrieved: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_reads_the_same_as_the_whole() {
        let input: &[u8] = b"{\"text\": \"One.\"}\r\n\n{\"text\": 3}\n{\"text\": \"Two.\"}";
        let whole = read(input, "in.jsonl");
        let streamed: Vec<_> = JsonlStream::new(input, "in.jsonl").collect();
        let docs: Vec<&ReadDocument> = streamed.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0], &whole.documents[0]);
        assert_eq!(docs[1], &whole.documents[1]);
        let lines: Vec<_> = streamed
            .iter()
            .filter_map(|r| r.as_ref().err())
            .map(SourcesError::line)
            .collect();
        assert_eq!(lines, vec![Some(3)]);
    }

    #[test]
    fn good_lines_survive_bad_ones() {
        let input = b"{\"id\": 7, \"text\": \"Shelling hit Tartar.\", \"published\": \"2020-09-28\"}\n\nnot json\n{\"title\": \"x\"}\n";
        let parsed = read(input, "in.jsonl");
        assert_eq!(parsed.documents.len(), 1);
        assert_eq!(parsed.documents[0].meta.id.as_deref(), Some("7"));
        assert_eq!(parsed.documents[0].line, Some(1));
        let lines: Vec<_> = parsed.rejected.iter().map(SourcesError::line).collect();
        assert_eq!(lines, vec![Some(3), Some(4)]);
        assert!(
            parsed.rejected[1]
                .to_string()
                .starts_with("in.jsonl:4: no \"text\"")
        );
    }
}
