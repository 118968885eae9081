//! Which format an input is in, from its name and first bytes.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// The formats ombud reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text, optionally with the header line ` date YYYY-MM-DD Publisher - `.
    Text,
    /// One JSON object per line with `text` and optional `id`, `title`, `url`, `published`,
    /// `publisher`, `language`.
    Jsonl,
    /// An HTML page; navigation and boilerplate are dropped.
    Html,
    /// An RSS 2.0 or Atom feed; each item is a document.
    Feed,
    /// A WARC web archive (plain or gzipped); each captured page is a document.
    Warc,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Text,
        Format::Jsonl,
        Format::Html,
        Format::Feed,
        Format::Warc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Jsonl => "jsonl",
            Format::Html => "html",
            Format::Feed => "feed",
            Format::Warc => "warc",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "txt" => Ok(Format::Text),
            "jsonl" | "ndjson" | "json" => Ok(Format::Jsonl),
            "html" | "htm" => Ok(Format::Html),
            "feed" | "rss" | "atom" => Ok(Format::Feed),
            "warc" => Ok(Format::Warc),
            other => Err(format!(
                "unknown format {other:?}: use text, jsonl, html, feed or warc"
            )),
        }
    }
}

/// Guesses the format from the file name, then from the first bytes.
pub fn detect(path: Option<&Path>, bytes: &[u8]) -> Format {
    let ext = path
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "jsonl" | "ndjson" => return Format::Jsonl,
        "html" | "htm" | "xhtml" => return Format::Html,
        "rss" | "atom" => return Format::Feed,
        "warc" => return Format::Warc,
        _ => {}
    }
    if crate::warc::looks_like_warc(bytes) {
        return Format::Warc;
    }
    let head = &bytes[..bytes.len().min(2048)];
    let head = String::from_utf8_lossy(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head));
    let trimmed = head.trim_start();
    let lower = trimmed.to_ascii_lowercase();
    if trimmed.starts_with('{') {
        Format::Jsonl
    } else if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        Format::Html
    } else if lower.starts_with('<') && (lower.contains("<rss") || lower.contains("<feed")) {
        Format::Feed
    } else if lower.starts_with('<') && lower.contains("<html") {
        Format::Html
    } else {
        Format::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_name_then_content() {
        assert_eq!(detect(Some(Path::new("a.jsonl")), b"hello"), Format::Jsonl);
        assert_eq!(detect(None, b"  {\"text\": \"x\"}"), Format::Jsonl);
        assert_eq!(
            detect(None, b"<?xml version=\"1.0\"?>\n<rss version=\"2.0\">"),
            Format::Feed
        );
        assert_eq!(
            detect(
                None,
                b"<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">"
            ),
            Format::Feed
        );
        assert_eq!(detect(None, b"<!DOCTYPE html><html>"), Format::Html);
        assert_eq!(
            detect(Some(Path::new("x.xml")), b" date 2020-10-04 X - y"),
            Format::Text
        );
    }
}
