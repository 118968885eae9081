//! JSON Lines: one report per line, its `text` kept verbatim so spans index the given text.

use model::DocumentMeta;
use serde_json::Value;

use crate::{Format, Parsed, ReadDocument, SourcesError, non_blank, parse_published, utf8};

pub(crate) fn read(bytes: &[u8], origin: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for (index, raw_line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = index + 1;
        let raw_line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
        if raw_line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match read_line(raw_line, origin, line_no) {
            Ok(doc) => parsed.documents.push(doc),
            Err(e) => parsed.rejected.push(e),
        }
    }
    parsed
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
