//! WARC web archives (ISO 28500, WARC/1.0 and 1.1, plain or record-by-record gzipped), as
//! capture tools write them: each `response` (or `resource`) record holding an HTML page or plain
//! text is a document, archived as the exact bytes of its record, with the page's address and the
//! capture time the record gives.

use std::io::{BufRead, Read};

use flate2::read::{DeflateDecoder, MultiGzDecoder, ZlibDecoder};

use crate::{Format, Parsed, ReadDocument, SourcesError, html, text};

/// The most a compressed WARC may expand to.
const MAX_UNCOMPRESSED: u64 = 512 * 1024 * 1024;

/// The most one captured page's body may expand to: no news page comes near it, a
/// decompression bomb does.
const MAX_BODY: u64 = 32 * 1024 * 1024;

/// The longest header a record or an HTTP response may have.
const MAX_HEAD: usize = 64 * 1024;

/// True when `bytes` start like a WARC file, plain or gzipped.
pub(crate) fn looks_like_warc(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"WARC/") {
        return true;
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut head = [0u8; 5];
        let mut decoder = MultiGzDecoder::new(bytes);
        return decoder.read_exact(&mut head).is_ok() && &head == b"WARC/";
    }
    false
}

pub(crate) fn read(bytes: &[u8], origin: &str) -> Parsed {
    // Read a record at a time, so memory is bounded by one record however far the file
    // inflates (a decompression bomb costs time up to `MAX_UNCOMPRESSED`, not memory).
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let inflated = MultiGzDecoder::new(bytes).take(MAX_UNCOMPRESSED + 1);
        read_records(std::io::BufReader::new(inflated), origin, true)
    } else {
        read_records(bytes, origin, false)
    }
}

/// The most one record's block may be: a page's body and its HTTP head.
const MAX_BLOCK: u64 = MAX_BODY + MAX_HEAD as u64;

/// Reads the records of a WARC stream, one at a time.
fn read_records(mut input: impl BufRead, origin: &str, compressed: bool) -> Parsed {
    let mut parsed = Parsed::default();
    let reject = |record: Option<usize>, message: String| SourcesError::Warc {
        origin: origin.to_string(),
        record,
        message,
    };
    let mut consumed: u64 = 0;
    let mut number = 0;
    let mut rec: Vec<u8> = Vec::new();
    loop {
        let broke = |consumed: u64, e: std::io::Error| {
            if compressed {
                // An interrupted crawl's file: the records before the break are still good.
                format!("cannot decompress past byte {consumed} of the records: {e}")
            } else {
                format!("cannot read past byte {consumed}: {e}")
            }
        };
        // Records are separated by blank lines; tolerate extra ones.
        match skip_blank_lines(&mut input) {
            Ok((n, more)) => {
                consumed += n;
                if !more {
                    break;
                }
            }
            Err(e) => {
                parsed.rejected.push(reject(None, broke(consumed, e)));
                break;
            }
        }
        number += 1;
        rec.clear();
        // The header: lines up to the first empty one, within `MAX_HEAD` bytes.
        let mut ended = false;
        while rec.len() < MAX_HEAD {
            let before = rec.len();
            match (&mut input)
                .take(MAX_HEAD as u64)
                .read_until(b'\n', &mut rec)
            {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    parsed.rejected.push(reject(None, broke(consumed, e)));
                    return parsed;
                }
            }
            let line = &rec[before..];
            if before > 0 && (line == b"\n" || line == b"\r\n") {
                ended = true;
                break;
            }
            if !line.ends_with(b"\n") {
                break; // the input ends inside the header
            }
        }
        consumed += rec.len() as u64;
        if !rec.starts_with(b"WARC/") {
            // Without a readable header the next record cannot be found.
            parsed.rejected.push(reject(
                Some(number),
                "expected a record starting \"WARC/\"".to_string(),
            ));
            break;
        }
        if !ended {
            parsed.rejected.push(reject(
                Some(number),
                "the record's header never ends (no blank line)".to_string(),
            ));
            break;
        }
        let length = match content_length(&rec) {
            Ok(n) => n,
            Err(message) => {
                parsed
                    .rejected
                    .push(reject(Some(number), message.to_string()));
                break;
            }
        };
        if length > MAX_BLOCK {
            // Passed over without being held: the next record is still found.
            match std::io::copy(&mut (&mut input).take(length), &mut std::io::sink()) {
                Ok(n) if n == length => {
                    consumed += n;
                    parsed.rejected.push(reject(
                        Some(number),
                        format!(
                            "its block is {length} bytes, more than {MAX_BLOCK}: not a news page"
                        ),
                    ));
                    continue;
                }
                Ok(n) if consumed + n > MAX_UNCOMPRESSED => parsed.rejected.push(reject(
                    Some(number),
                    format!(
                        "it inflates past {MAX_UNCOMPRESSED} bytes (a decompression bomb?): not read"
                    ),
                )),
                Ok(_) => {
                    parsed.rejected.push(reject(
                        Some(number),
                        "the record is cut short: the file ends inside it".to_string(),
                    ));
                }
                Err(e) => parsed
                    .rejected
                    .push(reject(Some(number), broke(consumed, e))),
            }
            break;
        }
        match (&mut input).take(length).read_to_end(&mut rec) {
            Ok(n) => consumed += n as u64,
            Err(e) => {
                parsed.rejected.push(reject(None, broke(consumed, e)));
                break;
            }
        }
        if consumed > MAX_UNCOMPRESSED {
            parsed.rejected.push(reject(
                None,
                format!("more than {MAX_UNCOMPRESSED} bytes uncompressed: split it"),
            ));
            break;
        }
        let record = match Record::parse(&rec) {
            Ok(r) => r,
            Err(message) => {
                parsed.rejected.push(reject(Some(number), message));
                break;
            }
        };
        match record.document(origin, number) {
            Ok(Some(doc)) => parsed.documents.push(doc),
            Ok(None) => {}
            Err(e) => parsed.rejected.push(e),
        }
    }
    parsed
}

/// Skips blank lines (LF or CRLF) before a record: the bytes skipped, and whether more follow.
fn skip_blank_lines(input: &mut impl BufRead) -> std::io::Result<(u64, bool)> {
    let mut skipped = 0;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok((skipped, false));
        }
        let n = if buf.starts_with(b"\r\n") {
            2
        } else if buf[0] == b'\n' {
            1
        } else if buf == b"\r" {
            // A lone CR at a buffer's end: look at what follows it.
            input.consume(1);
            skipped += 1;
            continue;
        } else {
            return Ok((skipped, true));
        };
        input.consume(n);
        skipped += n as u64;
    }
}

/// The Content-Length a record's header (its bytes up to the blank line) gives.
fn content_length(head: &[u8]) -> Result<u64, &'static str> {
    let head = std::str::from_utf8(head).map_err(|_| "the record's header is not UTF-8")?;
    head.lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .ok_or("the record has no Content-Length")?
        .1
        .trim()
        .parse()
        .map_err(|_| "the record's Content-Length is not a number")
}

/// One WARC record: its named header fields and its content block.
struct Record<'a> {
    /// The whole record, header and block, as archived.
    raw: &'a [u8],
    fields: Vec<(String, String)>,
    block: &'a [u8],
}

impl<'a> Record<'a> {
    fn parse(data: &'a [u8]) -> Result<Record<'a>, String> {
        if !data.starts_with(b"WARC/") {
            return Err("expected a record starting \"WARC/\"".to_string());
        }
        let (head, body_start) =
            split_head(data).ok_or("the record's header never ends (no blank line)")?;
        let head = std::str::from_utf8(head).map_err(|_| "the record's header is not UTF-8")?;
        let fields: Vec<(String, String)> = head
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let length = usize::try_from(content_length(head.as_bytes())?)
            .map_err(|_| "the record's Content-Length is too large")?;
        let end = body_start
            .checked_add(length)
            .filter(|&e| e <= data.len())
            .ok_or("the record is cut short: the file ends inside it")?;
        Ok(Record {
            raw: &data[..end],
            fields,
            block: &data[body_start..end],
        })
    }

    fn field(&self, name: &str) -> Option<&str> {
        field(&self.fields, name)
    }

    /// The document this record holds: a page or plain text captured from the web; `None` for
    /// requests, metadata, revisits and other content (images, scripts, styles).
    fn document(&self, origin: &str, number: usize) -> Result<Option<ReadDocument>, SourcesError> {
        let bad = |message: String| SourcesError::Warc {
            origin: origin.to_string(),
            record: Some(number),
            message,
        };
        let (content_type, body) = match self.field("warc-type") {
            Some("response") => {
                let is_http = self
                    .field("content-type")
                    .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/http"));
                if !is_http {
                    return Ok(None);
                }
                let Some(http) = Http::parse(self.block) else {
                    return Err(bad("the HTTP response in it cannot be read".to_string()));
                };
                if !(200..300).contains(&http.status) {
                    return Ok(None);
                }
                let body = http.body().map_err(bad)?;
                (http.content_type, body)
            }
            Some("resource") => (
                self.field("content-type").unwrap_or("").to_string(),
                self.block.to_vec(),
            ),
            _ => return Ok(None),
        };
        let kind = content_type.to_ascii_lowercase();
        let here = format!("{origin}:{number}");
        let read = if kind.contains("html") {
            html::read(&body, &here)
        } else if kind.starts_with("text/plain") {
            text::read(&body, &here)
        } else {
            return Ok(None);
        };
        let mut doc = read.map_err(|e| bad(e.to_string()))?;
        doc.raw = self.raw.to_vec();
        doc.format = Format::Warc;
        doc.line = Some(number);
        if doc.meta.url.is_none() {
            doc.meta.url = self
                .field("warc-target-uri")
                .map(|u| u.trim_matches(['<', '>']).to_string());
        }
        doc.retrieved = self.field("warc-date").map(str::to_string);
        Ok(Some(doc))
    }
}

fn field<'f>(fields: &'f [(String, String)], name: &str) -> Option<&'f str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The header (without the blank line) and where the body starts: the first empty line, LF or
/// CRLF, within the first `MAX_HEAD` bytes.
fn split_head(data: &[u8]) -> Option<(&[u8], usize)> {
    let window = &data[..data.len().min(MAX_HEAD)];
    let mut from = 0;
    while let Some(i) = window[from..].iter().position(|&b| b == b'\n') {
        let nl = from + i;
        let rest = &data[nl + 1..];
        if rest.starts_with(b"\n") {
            return Some((&data[..nl], nl + 2));
        }
        if rest.starts_with(b"\r\n") {
            return Some((&data[..nl], nl + 3));
        }
        from = nl + 1;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// An HTTP response as a WARC response record holds it.
struct Http<'a> {
    status: u16,
    content_type: String,
    transfer_encoding: String,
    content_encoding: String,
    body: &'a [u8],
}

impl<'a> Http<'a> {
    fn parse(block: &'a [u8]) -> Option<Http<'a>> {
        let (head, body_start) = split_head(block)?;
        let head = String::from_utf8_lossy(head);
        let mut lines = head.lines();
        let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
        let mut http = Http {
            status,
            content_type: String::new(),
            transfer_encoding: String::new(),
            content_encoding: String::new(),
            body: &block[body_start..],
        };
        for line in lines {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let v = v.trim().to_ascii_lowercase();
            match k.trim().to_ascii_lowercase().as_str() {
                "content-type" => http.content_type = v,
                "transfer-encoding" => http.transfer_encoding = v,
                "content-encoding" => http.content_encoding = v,
                _ => {}
            }
        }
        Some(http)
    }

    /// The body as the server meant it: chunks joined, compression undone.
    fn body(&self) -> Result<Vec<u8>, String> {
        // Some capture tools store the joined body but keep the chunked header: read it as is.
        let joined = if self.transfer_encoding.contains("chunked") {
            dechunk(self.body).unwrap_or_else(|| self.body.to_vec())
        } else {
            self.body.to_vec()
        };
        let mut out = Vec::new();
        let limit = MAX_BODY + 1;
        let result = match self.content_encoding.as_str() {
            "" | "identity" => return Ok(joined),
            "gzip" | "x-gzip" => MultiGzDecoder::new(&joined[..])
                .take(limit)
                .read_to_end(&mut out),
            "deflate" => ZlibDecoder::new(&joined[..])
                .take(limit)
                .read_to_end(&mut out)
                .or_else(|_| {
                    out.clear();
                    DeflateDecoder::new(&joined[..])
                        .take(limit)
                        .read_to_end(&mut out)
                }),
            other => {
                return Err(format!(
                    "its body is compressed with {other:?}, which ombud cannot undo yet"
                ));
            }
        };
        result.map_err(|e| format!("its body cannot be decompressed: {e}"))?;
        if out.len() as u64 > MAX_BODY {
            return Err(format!(
                "its body expands to more than {MAX_BODY} bytes: not a news page"
            ));
        }
        Ok(out)
    }
}

/// Joins an HTTP/1.1 chunked body.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = find(data, b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size_text = size_text.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size..)?;
        data = data.strip_prefix(b"\r\n").unwrap_or(data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, uri: &str, date: &str, content_type: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    const PAGE: &str = "<html><head><title>Shelling in Tartar</title></head><body><article><p>Shelling hit Tartar on Monday, the district administration said. Two houses were damaged and one resident was wounded, officials in the town told reporters.</p></article></body></html>";

    #[test]
    fn reads_pages_from_responses_and_skips_the_rest() {
        let chunked = format!("{:x}\r\n{PAGE}\r\n0\r\n\r\n", PAGE.len());
        let mut warc = record(
            "warcinfo",
            "",
            "2020-10-06T08:00:00Z",
            "application/warc-fields",
            b"software: test\r\n",
        );
        warc.extend(record(
            "request",
            "https://news.example/tartar",
            "2020-10-06T08:00:01Z",
            "application/http; msgtype=request",
            b"GET /tartar HTTP/1.1\r\n\r\n",
        ));
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n{chunked}"
        );
        warc.extend(record(
            "response",
            "https://news.example/tartar",
            "2020-10-06T08:00:02Z",
            "application/http; msgtype=response",
            response.as_bytes(),
        ));
        warc.extend(record(
            "response",
            "https://news.example/logo.png",
            "2020-10-06T08:00:03Z",
            "application/http; msgtype=response",
            b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG",
        ));
        warc.extend(record(
            "response",
            "https://news.example/gone",
            "2020-10-06T08:00:04Z",
            "application/http; msgtype=response",
            b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<html>gone</html>",
        ));

        let parsed = read(&warc, "capture.warc");
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        assert_eq!(parsed.documents.len(), 1);
        let doc = &parsed.documents[0];
        assert!(
            doc.text.contains("Shelling hit Tartar on Monday"),
            "{}",
            doc.text
        );
        assert_eq!(doc.meta.url.as_deref(), Some("https://news.example/tartar"));
        assert_eq!(doc.retrieved.as_deref(), Some("2020-10-06T08:00:02Z"));
        assert_eq!(doc.line, Some(3));
        assert_eq!(doc.format, Format::Warc);
        assert!(doc.raw.starts_with(b"WARC/1.1\r\nWARC-Type: response"));

        // The same archive gzipped record by record reads the same.
        let mut gz = Vec::new();
        for chunk in [&warc[..warc.len() / 2], &warc[warc.len() / 2..]] {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut e, chunk).unwrap();
            gz.extend(e.finish().unwrap());
        }
        assert!(looks_like_warc(&gz));
        let again = read(&gz, "capture.warc.gz");
        assert_eq!(again.documents, parsed.documents);
    }

    #[test]
    fn bombs_breaks_and_bare_line_ends_are_handled() {
        // A body that inflates past the limit is refused, not parsed.
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut e, &vec![b' '; (MAX_BODY + 1024) as usize]).unwrap();
        let bomb = e.finish().unwrap();
        let mut http =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n"
                .to_vec();
        http.extend(bomb);
        let warc = record(
            "response",
            "https://x.example/",
            "2020-10-06T08:00:00Z",
            "application/http; msgtype=response",
            &http,
        );
        let parsed = read(&warc, "bomb.warc");
        assert!(parsed.documents.is_empty());
        assert!(
            parsed.rejected[0]
                .to_string()
                .contains("expands to more than"),
            "{}",
            parsed.rejected[0]
        );

        // An interrupted gzipped capture keeps the records before the break.
        let good = record(
            "resource",
            "file:///a.txt",
            "2020-10-06T08:00:00Z",
            "text/plain",
            b"Rockets hit Barda on Wednesday.",
        );
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, &good).unwrap();
        let mut gz = e.finish().unwrap();
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, &good.repeat(3)).unwrap();
        let second = e.finish().unwrap();
        gz.extend_from_slice(&second[..second.len() / 2]);
        let parsed = read(&gz, "cut.warc.gz");
        assert!(!parsed.documents.is_empty(), "{:?}", parsed.rejected);
        assert!(parsed.rejected[0].to_string().contains("cannot decompress"));

        // A record whose block inflates past the limit is passed over unheld; the next is read.
        let mut big = record(
            "resource",
            "file:///zeros.txt",
            "2020-10-06T08:00:00Z",
            "text/plain",
            &vec![b'0'; (MAX_BLOCK + 1) as usize],
        );
        big.extend_from_slice(&good);
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, &big).unwrap();
        let parsed = read(&e.finish().unwrap(), "zeros.warc.gz");
        assert_eq!(parsed.documents.len(), 1, "{:?}", parsed.rejected);
        assert_eq!(parsed.documents[0].line, Some(2));
        assert!(
            parsed.rejected[0].to_string().contains("more than"),
            "{}",
            parsed.rejected[0]
        );

        // Bare LF line ends, as some tools write them.
        let lf = String::from_utf8(good).unwrap().replace("\r\n", "\n");
        let parsed = read(lf.as_bytes(), "lf.warc");
        assert_eq!(parsed.documents.len(), 1, "{:?}", parsed.rejected);
    }

    #[test]
    fn a_cut_record_is_reported_with_its_number() {
        let mut warc = record(
            "resource",
            "file:///r.txt",
            "2020-10-06T08:00:00Z",
            "text/plain",
            b"Rockets hit Barda on Wednesday.",
        );
        let mut cut = record(
            "resource",
            "file:///s.txt",
            "2020-10-06T08:00:01Z",
            "text/plain",
            b"Shells hit Ganja.",
        );
        cut.truncate(cut.len() - 10);
        warc.extend(cut);
        let parsed = read(&warc, "cut.warc");
        assert_eq!(parsed.documents.len(), 1);
        assert_eq!(parsed.rejected.len(), 1);
        let message = parsed.rejected[0].to_string();
        assert!(message.starts_with("cut.warc:2:"), "{message}");
        assert!(message.contains("cut short"), "{message}");
        assert_eq!(parsed.rejected[0].line(), Some(2));
    }
}
