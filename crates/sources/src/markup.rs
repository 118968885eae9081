//! Markup to plain text for HTML fragments (feed item content, and pages Readability cannot read).

/// Elements whose content is never report text.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template", "svg",
    "button", "select", "iframe",
];

/// Elements that end a paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "blockquote",
    "table",
    "tr",
    "pre",
    "figure",
    "figcaption",
    "dd",
    "dt",
    "dl",
    "hr",
    "body",
];

/// Plain text of an HTML fragment: tags dropped, blocks as paragraphs separated by a blank line,
/// entities decoded, runs of spaces collapsed. Boilerplate elements (nav, footer, aside, scripts)
/// are skipped with their content.
/// Elements that have no end tag, or whose end tag HTML lets a page leave out: they do not nest.
const NOT_NESTING: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "html", "head", "body",
];

/// How deep elements nest in `html`, by a linear scan of its tags (comments and elements that
/// do not nest left out): what tells a page from a pile of nested elements built to make a
/// reader work quadratically.
pub fn nesting_depth(html: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(at) = memchr_lt(&bytes[i..]) {
        let start = i + at + 1;
        i = start;
        if bytes[start..].starts_with(b"!--") {
            i = html[start..]
                .find("-->")
                .map_or(bytes.len(), |e| start + e + 3);
            continue;
        }
        let closing = bytes.get(start) == Some(&b'/');
        let name_start = if closing { start + 1 } else { start };
        let name_end = bytes[name_start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(bytes.len(), |e| name_start + e);
        if name_end == name_start {
            continue;
        }
        let name = html[name_start..name_end].to_ascii_lowercase();
        if NOT_NESTING.contains(&name.as_str()) {
            continue;
        }
        let self_closing = html[name_end..]
            .find('>')
            .is_some_and(|e| html[name_end..name_end + e].ends_with('/'));
        if closing {
            depth = depth.saturating_sub(1);
        } else if !self_closing {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|b| *b == b'<')
}

pub fn html_fragment_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut skip_depth: Vec<String> = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        match rest.find('<') {
            Some(0) => {
                let Some(close) = tag_end(rest) else {
                    break;
                };
                let tag = &rest[1..close];
                rest = &rest[close + 1..];
                if tag.starts_with("!--") {
                    if !tag.ends_with("--") {
                        rest = rest.find("-->").map_or("", |i| &rest[i + 3..]);
                    }
                    continue;
                }
                let closing = tag.starts_with('/');
                let name: String = tag
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
                let self_closing = tag.ends_with('/');
                if SKIPPED.contains(&name.as_str()) || is_boilerplate(tag) {
                    if !closing && !self_closing {
                        skip_depth.push(name.clone());
                    } else if closing && skip_depth.last() == Some(&name) {
                        skip_depth.pop();
                    }
                    continue;
                }
                if !skip_depth.is_empty() {
                    if closing && skip_depth.last() == Some(&name) {
                        skip_depth.pop();
                    }
                    continue;
                }
                if name == "br" {
                    push_break(&mut out, "\n");
                } else if BLOCKS.contains(&name.as_str()) {
                    push_break(&mut out, "\n\n");
                }
            }
            next => {
                let end = next.unwrap_or(rest.len());
                if skip_depth.is_empty() {
                    push_text(&mut out, &decode_entities(&rest[..end]));
                }
                rest = &rest[end..];
            }
        }
    }
    out.trim().to_string()
}

/// Elements whose class or id says they are chrome: cookie banners, menus, share bars.
fn is_boilerplate(tag: &str) -> bool {
    if tag.starts_with('/') {
        return false;
    }
    let lower = tag.to_ascii_lowercase();
    ["class=", "id="].iter().any(|attr| {
        lower.find(attr).is_some_and(|i| {
            let value = &lower[i + attr.len()..];
            let value = value.trim_start_matches(['"', '\'']);
            let value = &value[..value.find(['"', '\'', ' ']).unwrap_or(value.len())];
            [
                "cookie",
                "consent",
                "menu",
                "sidebar",
                "share",
                "related",
                "newsletter",
                "advert",
                "banner",
            ]
            .iter()
            .any(|w| value.contains(w))
        })
    })
}

/// The index of the `>` closing the tag at the start of `s`, skipping quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    if s.starts_with("<!--") {
        return s.find("-->").map(|i| i + 2);
    }
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn push_break(out: &mut String, brk: &str) {
    while out.ends_with(' ') {
        out.pop();
    }
    if out.is_empty() {
        return;
    }
    let have = out.len() - out.trim_end_matches('\n').len();
    for _ in have..brk.len() {
        out.push('\n');
    }
}

fn push_text(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_whitespace() {
            if !(out.is_empty() || out.ends_with(' ') || out.ends_with('\n')) {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

/// Decodes character references and the named entities news pages use.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..].find(';').map(|j| j + 1).filter(|&j| j <= 10);
        let decoded = end.and_then(|j| entity(&rest[1..j]));
        match (end, decoded) {
            (Some(j), Some(c)) => {
                out.push(c);
                rest = &rest[j + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "eacute" => 'é',
        "uuml" => 'ü',
        "ouml" => 'ö',
        "ccedil" => 'ç',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_chrome_and_keeps_paragraphs() {
        let html = "<nav><a href='/'>Home</a></nav><div class=\"cookie-notice\">We use cookies</div>\
                    <article><h1>Strike on Barda</h1><p>Rockets hit&nbsp;the  town &amp; market.</p>\
                    <p>Officials said <b>21</b> died.</p></article><footer>(c) 2020</footer>\
                    <script>var x = '<p>';</script>";
        assert_eq!(
            html_fragment_to_text(html),
            "Strike on Barda\n\nRockets hit the town & market.\n\nOfficials said 21 died."
        );
    }
}
