//! Plain text reports, with the seed's optional header ` date YYYY-MM-DD Publisher - ` before the body.

use model::{Date, DocumentMeta};

use crate::{Format, ReadDocument, SourcesError, non_blank, utf8};

pub(crate) fn read(bytes: &[u8], origin: &str) -> Result<ReadDocument, SourcesError> {
    let all = utf8(bytes, origin, None)?;
    let (meta, body) = match split_header(all) {
        Some((date, publisher, body)) => (
            DocumentMeta {
                publisher: non_blank(publisher),
                published: Some(date),
                ..DocumentMeta::default()
            },
            body,
        ),
        None => (DocumentMeta::default(), all),
    };
    if body.trim().is_empty() {
        return Err(SourcesError::Empty {
            origin: origin.to_string(),
            line: None,
        });
    }
    Ok(ReadDocument {
        raw: bytes.to_vec(),
        text: body.to_string(),
        meta,
        format: Format::Text,
        line: None,
        retrieved: None,
    })
}

/// Splits ` date 2020-10-04 PanARMENIAN.Net - Body...` into its date, publisher and body.
/// The body starts right after the ` - ` separator, on the same line.
fn split_header(all: &str) -> Option<(Date, &str, &str)> {
    let line = &all[..all.find('\n').unwrap_or(all.len())];
    let rest = line.trim_start().strip_prefix("date")?;
    let rest = rest.strip_prefix(|c: char| c.is_whitespace())?.trim_start();
    let date: Date = rest.get(..10)?.parse().ok()?;
    let rest = rest.get(10..)?.strip_prefix(|c: char| c.is_whitespace())?;
    let (publisher, body_start) = match rest.find(" - ") {
        Some(sep) => (&rest[..sep], offset_in(all, rest) + sep + 3),
        // A header line with nothing after the separator: the body starts on the next line.
        None => (rest.trim_end().strip_suffix(" -")?, line.len()),
    };
    let publisher = publisher.trim();
    if publisher.is_empty() {
        return None;
    }
    Some((date, publisher, &all[body_start.min(all.len())..]))
}

/// Byte offset of `part`, a sub-slice of `whole`, within it.
fn offset_in(whole: &str, part: &str) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_seed_header() {
        let doc = read(
            b" date 2020-10-04 PanARMENIAN.Net - Azerbaijan is using.\n\nMore.",
            "x",
        )
        .unwrap();
        assert_eq!(doc.meta.publisher.as_deref(), Some("PanARMENIAN.Net"));
        assert_eq!(
            doc.meta.published.map(|d| d.to_string()).as_deref(),
            Some("2020-10-04")
        );
        assert_eq!(doc.text, "Azerbaijan is using.\n\nMore.");
    }

    #[test]
    fn text_without_header_is_all_body() {
        let doc = read(b"Shelling hit Tartar - residents said.", "x").unwrap();
        assert_eq!(doc.meta.publisher, None);
        assert_eq!(doc.text, "Shelling hit Tartar - residents said.");
        assert!(matches!(
            read(b"  \n", "x"),
            Err(SourcesError::Empty { .. })
        ));
    }
}
