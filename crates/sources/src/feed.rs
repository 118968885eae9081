//! RSS 2.0 and Atom feeds: each item is a document, archived as the exact bytes of its element.

use model::DocumentMeta;
use quick_xml::Reader;
use quick_xml::events::Event;

use crate::markup::{decode_entities, html_fragment_to_text};
use crate::{Format, Parsed, ReadDocument, SourcesError, non_blank, parse_published, utf8};

/// Fields gathered from one `<item>` or `<entry>`.
#[derive(Default)]
struct Item {
    start: usize,
    title: String,
    link: String,
    published: String,
    updated: String,
    description: String,
    content: String,
    language: String,
}

pub(crate) fn read(bytes: &[u8], origin: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let xml = match utf8(bytes, origin, None) {
        Ok(s) => s,
        Err(e) => {
            parsed.rejected.push(e);
            return parsed;
        }
    };
    let offset = bytes.len() - xml.len(); // a byte-order mark, if any
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut channel_title = String::new();
    let mut channel_language = String::new();
    let mut item: Option<Item> = None;
    let mut items: Vec<(Item, usize)> = Vec::new();
    let mut saw_root = false;
    loop {
        let before = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let at = reader.error_position();
                parsed.rejected.push(SourcesError::Feed {
                    origin: origin.to_string(),
                    message: format!("{e} at byte {at}"),
                });
                break;
            }
        };
        match event {
            Event::Start(e) => {
                let name = local(e.name().as_ref());
                if path.is_empty() {
                    saw_root = matches!(name.as_str(), "rss" | "feed" | "rdf");
                }
                if matches!(name.as_str(), "item" | "entry") && item.is_none() {
                    item = Some(Item {
                        start: before,
                        ..Item::default()
                    });
                }
                if name == "link"
                    && let Some(it) = item.as_mut()
                    && let Some(href) = attr(&e, "href")
                {
                    it.link = href;
                }
                path.push(name);
            }
            Event::Empty(e) => {
                let name = local(e.name().as_ref());
                if name == "link"
                    && let (Some(it), Some(href)) = (item.as_mut(), attr(&e, "href"))
                {
                    let rel = attr(&e, "rel").unwrap_or_default();
                    if it.link.is_empty() || rel == "alternate" {
                        it.link = href;
                    }
                }
            }
            Event::End(e) => {
                let name = local(e.name().as_ref());
                path.pop();
                if matches!(name.as_str(), "item" | "entry")
                    && path.len() <= 2
                    && let Some(it) = item.take()
                {
                    items.push((it, reader.buffer_position() as usize));
                }
            }
            Event::Text(t) => append(
                &mut item,
                &path,
                &mut channel_title,
                &mut channel_language,
                &t.xml10_content(),
            ),
            Event::CData(c) => append(
                &mut item,
                &path,
                &mut channel_title,
                &mut channel_language,
                &c.xml10_content(),
            ),
            Event::GeneralRef(r) => {
                let decoded = decode_entities(&format!("&{};", &*r));
                append(
                    &mut item,
                    &path,
                    &mut channel_title,
                    &mut channel_language,
                    &decoded,
                );
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root && parsed.rejected.is_empty() {
        parsed.rejected.push(SourcesError::Feed {
            origin: origin.to_string(),
            message: "no <rss> or <feed> root element".to_string(),
        });
        return parsed;
    }
    for (number, (it, end)) in items.into_iter().enumerate() {
        let line = Some(number + 1);
        let body = if it.content.trim().is_empty() {
            &it.description
        } else {
            &it.content
        };
        let text = html_fragment_to_text(body);
        if text.is_empty() {
            parsed.rejected.push(SourcesError::Empty {
                origin: origin.to_string(),
                line,
            });
            continue;
        }
        let date_text = if it.published.trim().is_empty() {
            &it.updated
        } else {
            &it.published
        };
        let language = non_blank(&it.language).or_else(|| non_blank(&channel_language));
        parsed.documents.push(ReadDocument {
            raw: bytes[offset + it.start..offset + end].to_vec(),
            text,
            meta: DocumentMeta {
                id: None,
                publisher: non_blank(&channel_title),
                published: parse_published(date_text),
                language: language
                    .map(|l| l.chars().take(2).collect::<String>().to_ascii_lowercase()),
                title: non_blank(&html_fragment_to_text(&it.title)),
                url: non_blank(&it.link),
            },
            format: Format::Feed,
            line,
            retrieved: None,
        });
    }
    parsed
}

/// Routes character data to the field the current element path names.
fn append(
    item: &mut Option<Item>,
    path: &[String],
    channel_title: &mut String,
    channel_language: &mut String,
    text: &str,
) {
    let Some(leaf) = path.last() else {
        return;
    };
    match item {
        Some(it) => {
            let field = match leaf.as_str() {
                "title" => &mut it.title,
                "link" => &mut it.link,
                "pubDate" | "published" | "date" => &mut it.published,
                "updated" => &mut it.updated,
                "description" | "summary" => &mut it.description,
                "encoded" | "content" => &mut it.content,
                "language" => &mut it.language,
                _ => return,
            };
            field.push_str(text);
        }
        None => {
            // Only the channel's or feed's own title, not an image's title.
            let parent = path.len().checked_sub(2).map(|i| path[i].as_str());
            match (leaf.as_str(), parent) {
                ("title", Some("channel" | "feed")) => channel_title.push_str(text),
                ("language", Some("channel")) => channel_language.push_str(text),
                _ => {}
            }
        }
    }
}

/// The element name without its namespace prefix (`content:encoded` is `encoded`).
fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or_default().to_string()
}

fn attr(e: &quick_xml::events::BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| local(a.key.as_ref()) == key)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rss_items_with_their_exact_bytes() {
        let xml = "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Baku Monitor</title>\
            <language>en-us</language><item><title>Tartar shelled</title><link>https://bm.example/1</link>\
            <pubDate>Mon, 28 Sep 2020 22:30:00 +0400</pubDate><description><![CDATA[<p>Shells hit Tartar &amp; Barda.</p>]]></description></item>\
            <item><title>Empty</title></item></channel></rss>";
        let parsed = read(xml.as_bytes(), "feed.xml");
        assert_eq!(parsed.documents.len(), 1);
        let doc = &parsed.documents[0];
        assert_eq!(doc.text, "Shells hit Tartar & Barda.");
        assert_eq!(doc.meta.publisher.as_deref(), Some("Baku Monitor"));
        assert_eq!(
            doc.meta.published.map(|d| d.to_string()).as_deref(),
            Some("2020-09-28")
        );
        assert_eq!(doc.meta.language.as_deref(), Some("en"));
        assert!(doc.raw.starts_with(b"<item>") && doc.raw.ends_with(b"</item>"));
        assert_eq!(parsed.rejected.len(), 1, "the empty item is reported");
    }

    #[test]
    fn reads_atom_entries() {
        let xml = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Field Evidence Watch</title>\
            <entry><title>Barda</title><link rel=\"alternate\" href=\"https://few.example/barda\"/>\
            <published>2020-10-30T09:00:00+01:00</published><content type=\"html\">&lt;p&gt;Our researchers visited Barda.&lt;/p&gt;</content></entry></feed>";
        let parsed = read(xml.as_bytes(), "f.atom");
        assert_eq!(parsed.documents.len(), 1, "{:?}", parsed.rejected);
        let doc = &parsed.documents[0];
        assert_eq!(doc.text, "Our researchers visited Barda.");
        assert_eq!(doc.meta.url.as_deref(), Some("https://few.example/barda"));
        assert_eq!(
            doc.meta.published.map(|d| d.to_string()).as_deref(),
            Some("2020-10-30")
        );
    }

    #[test]
    fn broken_xml_is_rejected_with_position() {
        let parsed = read(
            b"<rss><channel><item><title>x</titl></item></channel></rss>",
            "bad.xml",
        );
        assert!(parsed.documents.is_empty());
        assert!(
            parsed.rejected[0]
                .to_string()
                .starts_with("bad.xml: not a readable RSS or Atom feed")
        );
    }
}
