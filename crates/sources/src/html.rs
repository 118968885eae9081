//! HTML pages: the main text without navigation and boilerplate (Readability), title, publisher
//! and publication date from meta tags. The publisher is the site's name when the page gives
//! one, else its `publisher` meta tag or JSON-LD publisher, else its author (meta tag or byline):
//! an NGO's report page often names itself only as the author.

use dom_smoothie::{Config, Readability, TextMode};
use model::DocumentMeta;

use crate::markup::{html_fragment_to_text, nesting_depth};
use crate::{Format, ReadDocument, SourcesError, non_blank, parse_published, utf8};

/// Pages nest a few dozen elements deep; past this, the page is read without Readability.
const MAX_DEPTH: usize = 400;

pub(crate) fn read(bytes: &[u8], origin: &str) -> Result<ReadDocument, SourcesError> {
    let html = utf8(bytes, origin, None)?;
    let config = Config {
        text_mode: TextMode::Formatted,
        ..Config::default()
    };
    // Readability's scoring walks each element's ancestors: fine for a page, quadratic for
    // elements nested thousands deep (100,000 ran for minutes, then overflowed the stack). Such a
    // pile is read by the plain, linear reading instead.
    let article = (nesting_depth(html) <= MAX_DEPTH)
        .then(|| {
            Readability::new(html, None, Some(config))
                .ok()
                .and_then(|mut r| r.parse().ok())
        })
        .flatten();
    let byline = article.as_ref().and_then(|a| a.byline.clone());
    let (text, mut meta) = match article {
        Some(a) => {
            let text = normalise_paragraphs(&a.text_content);
            let meta = DocumentMeta {
                publisher: a.site_name.as_deref().and_then(non_blank),
                published: a.published_time.as_deref().and_then(parse_published),
                language: a.lang.as_deref().and_then(language_code),
                title: non_blank(&a.title),
                ..DocumentMeta::default()
            };
            (text, meta)
        }
        None => (html_fragment_to_text(html), DocumentMeta::default()),
    };
    // Readability sometimes keeps only a fragment of short pages; the plain reading is the
    // fallback when it found much less than the page holds.
    if text.trim().is_empty() {
        return Err(SourcesError::Empty {
            origin: origin.to_string(),
            line: None,
        });
    }
    if meta.title.is_none() {
        meta.title = between(html, "<title>", "</title>").and_then(non_blank);
    }
    if meta.published.is_none() {
        meta.published = meta_content(html, "article:published_time")
            .or_else(|| meta_content(html, "date"))
            .and_then(|s| parse_published(&s));
    }
    if meta.publisher.is_none() {
        meta.publisher = meta_content(html, "og:site_name")
            .or_else(|| meta_content(html, "publisher"))
            .or_else(|| meta_content(html, "article:publisher").filter(|p| !p.contains("://")))
            .or_else(|| json_ld_publisher(html))
            .or_else(|| meta_content(html, "author"))
            .or_else(|| byline.as_deref().and_then(byline_name))
            .and_then(|s| non_blank(&s));
    }
    Ok(ReadDocument {
        raw: bytes.to_vec(),
        text,
        meta,
        format: Format::Html,
        line: None,
        retrieved: None,
    })
}

/// Paragraphs separated by exactly one blank line, lines trimmed.
fn normalise_paragraphs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for para in text.split('\n').map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        let mut last_space = false;
        for c in para.chars() {
            if c.is_whitespace() {
                if !last_space {
                    out.push(' ');
                }
                last_space = true;
            } else {
                out.push(c);
                last_space = false;
            }
        }
    }
    out
}

fn language_code(lang: &str) -> Option<String> {
    let code: String = lang
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    (code.len() == 2 || code.len() == 3).then(|| code.to_ascii_lowercase())
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let lower = s.to_ascii_lowercase();
    let start = lower.find(open)? + open.len();
    let end = start + lower[start..].find(close)?;
    s.get(start..end)
}

/// The name of the publisher in a JSON-LD block: `"publisher": {"@type": ..., "name": "X"}`.
fn json_ld_publisher(html: &str) -> Option<String> {
    let at = html.find("\"publisher\"")?;
    let rest = &html[at..];
    let block = &rest[..rest.find('}').unwrap_or(rest.len()).min(600)];
    let name = block.find("\"name\"")?;
    let after = block[name + 6..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let value = after.strip_prefix('"')?;
    let end = value.find('"')?;
    Some(crate::markup::decode_entities(&value[..end]))
}

/// The name in a byline: "By Human Rights Watch" is Human Rights Watch; "By Jane Roe, Field
/// Evidence Watch" names the organisation after the person.
fn byline_name(byline: &str) -> Option<String> {
    let b = byline.trim();
    let b = b
        .strip_prefix("By ")
        .or_else(|| b.strip_prefix("by "))
        .unwrap_or(b)
        .trim();
    let name = match b.rsplit_once(", ") {
        Some((_, org)) if org.split_whitespace().count() >= 2 => org,
        _ => b,
    };
    (name.len() <= 120).then(|| name.trim().to_string())
}

/// The `content` of `<meta property=NAME>` or `<meta name=NAME>`.
fn meta_content(html: &str, name: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("<meta") {
        let start = from + i;
        let end = start + lower[start..].find('>')?;
        let tag = &html[start..end];
        let tag_lower = &lower[start..end];
        let names_it = [format!("property=\"{name}\""), format!("name=\"{name}\"")]
            .iter()
            .any(|needle| tag_lower.contains(needle.as_str()));
        if names_it {
            let c = tag_lower.find("content=\"")? + "content=\"".len();
            let len = tag[c..].find('"')?;
            return Some(crate::markup::decode_entities(&tag[c..c + len]));
        }
        from = end;
    }
    None
}

#[cfg(test)]
mod tests {

    #[test]
    fn elements_nested_a_hundred_thousand_deep_are_read_in_linear_time() {
        let depth = 100_000;
        let html = format!(
            "<html><body>{}Shelling hit Tartar on Monday, officials said.{}</body></html>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        assert_eq!(nesting_depth(&html), depth);
        let doc = read(html.as_bytes(), "nested.html").unwrap();
        assert_eq!(doc.text, "Shelling hit Tartar on Monday, officials said.");
        // Pages as they are nest far less: paragraphs and list items left open do not count.
        let page = "<html><head><meta charset=utf-8><title>T</title></head><body><div><p>one<p>two<ul><li>a<li>b</ul><br/><img src=x></div><!-- <div> --></body></html>";
        assert_eq!(nesting_depth(page), 2);
    }

    use super::*;

    fn publisher_of(html: &str) -> Option<String> {
        read(html.as_bytes(), "page.html")
            .ok()
            .and_then(|d| d.meta.publisher)
    }

    const BODY: &str = "<body><article><h1>Shelling of a school</h1><p>Researchers visited the \
        town on 3 May and found the remains of rockets in the school yard, where two teachers \
        were wounded. Residents described the attack in interviews that the researchers held \
        over two days with eleven witnesses.</p><p>The remains were photographed and measured \
        on site; the report lists each fragment found and where it lay.</p></article></body>";

    #[test]
    fn the_publisher_comes_from_the_site_then_the_author_then_the_byline() {
        let page = |head: &str, body: &str| format!("<html><head>{head}</head>{body}</html>");
        assert_eq!(
            publisher_of(&page(
                "<meta property=\"og:site_name\" content=\"Field Evidence Watch\">\
                 <meta name=\"author\" content=\"Jane Roe\">",
                BODY
            ))
            .as_deref(),
            Some("Field Evidence Watch")
        );
        assert_eq!(
            publisher_of(&page(
                "<meta name=\"author\" content=\"Civilian Harm Monitor\">",
                BODY
            ))
            .as_deref(),
            Some("Civilian Harm Monitor")
        );
        assert_eq!(
            publisher_of(&page(
                "<script type=\"application/ld+json\">{\"publisher\": {\"@type\": \"Organization\", \"name\": \"Rights Lens\"}}</script>",
                BODY
            ))
            .as_deref(),
            Some("Rights Lens")
        );
        let with_byline = BODY.replace(
            "<h1>Shelling of a school</h1>",
            "<h1>Shelling of a school</h1><p class=\"byline\">By Jane Roe, Civilian Harm Monitor</p>",
        );
        assert_eq!(
            publisher_of(&page("", &with_byline)).as_deref(),
            Some("Civilian Harm Monitor")
        );
        assert_eq!(publisher_of(&page("", BODY)), None);
    }
}
