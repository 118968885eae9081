//! Sentences, paragraphs and quotations of a text, as byte spans.

use model::Span;

/// Words after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "cpt", "sgt", "adm", "gov",
    "sen", "rep", "st", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "no", "nos", "vs", "etc", "inc", "ltd", "co", "corp", "jr", "sr", "u.s", "u.n",
    "e.g", "i.e", "approx", "est", "fig", "mt", "ft", "pres", "rev", "hon", "brig", "cmdr", "gens",
    "messrs",
];

/// A sentence longer than this many bytes is no sentence a reporter wrote (a table, a list run
/// together, text without punctuation): it is read in pieces of at most this size, cut at a
/// clause mark or a space, so the work per sentence stays bounded.
pub(crate) const MAX_SENTENCE_BYTES: usize = 2_000;

/// A sentence and the paragraph it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sentence {
    pub span: Span,
    pub paragraph: usize,
    /// A piece of a longer run of text cut at [`MAX_SENTENCE_BYTES`].
    pub cut: bool,
}

/// Splits `text` into sentences. Paragraphs are separated by blank lines; a single line break
/// ends a sentence only after terminal punctuation (wrapped lines are joined).
pub(crate) fn sentences(text: &str) -> Vec<Sentence> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut paragraph = 0;
    let mut start = 0;
    let mut i = 0;
    let push = |out: &mut Vec<Sentence>, s: usize, e: usize, paragraph: usize| {
        push_bounded(out, text, Span::new(s, e), paragraph);
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            // A blank line: end of paragraph.
            let mut j = i + 1;
            while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\r') {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'\n' {
                push(&mut out, start, i, paragraph);
                if out.last().is_some_and(|s| s.paragraph == paragraph) {
                    paragraph += 1;
                }
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                start = j;
                i = j;
                continue;
            }
            // A single line break after terminal punctuation ends the sentence.
            let before = text[start..i].trim_end();
            if before.ends_with(['.', '!', '?', '"', '”', ':']) {
                push(&mut out, start, i, paragraph);
                start = i + 1;
            }
            i += 1;
            continue;
        }
        if matches!(b, b'.' | b'!' | b'?') || bytes[i..].starts_with("…".as_bytes()) {
            let mut end = i + if b < 0x80 { 1 } else { '…'.len_utf8() };
            // Runs of terminal punctuation and closing quotes or brackets belong to the sentence.
            while end < bytes.len() {
                let rest = &text[end..];
                let c = rest.chars().next().unwrap_or(' ');
                if matches!(
                    c,
                    '.' | '!' | '?' | '"' | '\'' | '”' | '’' | ')' | ']' | '»'
                ) {
                    end += c.len_utf8();
                } else {
                    break;
                }
            }
            let next = text[end..].chars().next();
            let after_space = text[end..].trim_start_matches([' ', '\t']);
            let next_word = after_space.chars().next();
            // A lowercase start after a full stop still begins a sentence in careless copy
            // ("... drills. the aviation ...") when the word before is a real word, not "approx."
            // or "no.".
            let word_before = text[..i]
                .rsplit(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("");
            let real_word = b == b'.'
                && word_before.chars().count() >= 4
                && word_before.chars().all(char::is_alphabetic);
            let ends = match next {
                None => true,
                Some(c) if c.is_whitespace() => next_word.is_none_or(|w| {
                    w.is_uppercase()
                        || w.is_ascii_digit()
                        || matches!(w, '"' | '“' | '‘' | '(' | '\n' | '\r' | '[' | '«')
                        || (real_word && w.is_lowercase())
                }),
                // Run together in copy that lost its spaces: "... killed.Initial reports ...",
                // "... 2023.The strike ...", "... the camp”.They ...": a real word, a year or a
                // closing quotation before, a capitalised word right after.
                Some(c) if c.is_uppercase() => {
                    let mut after = text[end..].chars();
                    let word_after =
                        after.next().is_some() && after.next().is_some_and(char::is_lowercase);
                    let lower_word = word_before.chars().count() >= 3
                        && word_before.chars().all(char::is_lowercase);
                    let year =
                        word_before.len() == 4 && word_before.bytes().all(|d| d.is_ascii_digit());
                    let quoted = text[..i].ends_with(['”', '"', ')'])
                        && text[..i]
                            .trim_end_matches(['”', '"', ')'])
                            .ends_with(char::is_alphabetic);
                    word_after && (lower_word || year || quoted)
                }
                _ => false,
            };
            if ends && b == b'.' && is_abbreviation(text, i) {
                i = end;
                continue;
            }
            if ends {
                push(&mut out, start, end, paragraph);
                start = end;
            }
            i = end;
            continue;
        }
        i += 1;
    }
    push(&mut out, start, bytes.len(), paragraph);
    out
}

/// Adds the sentence `span`, in pieces of at most [`MAX_SENTENCE_BYTES`] when it is longer.
fn push_bounded(out: &mut Vec<Sentence>, text: &str, span: Span, paragraph: usize) {
    let span = trim(text, span);
    if span.is_empty() {
        return;
    }
    let cut = span.len() > MAX_SENTENCE_BYTES;
    let mut start = span.start;
    while span.end - start > MAX_SENTENCE_BYTES {
        let mut end = start + MAX_SENTENCE_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        // Prefer a clause mark, then a space, in the last quarter of the piece.
        let mut from = start + MAX_SENTENCE_BYTES * 3 / 4;
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        let window = &text[from..end];
        if let Some(i) = window.rfind([';', ',']) {
            end = from + i + 1;
        } else if let Some(i) = window.rfind(' ') {
            end = from + i + 1;
        }
        let piece = trim(text, Span::new(start, end));
        if !piece.is_empty() {
            out.push(Sentence {
                span: piece,
                paragraph,
                cut,
            });
        }
        start = end;
    }
    let piece = trim(text, Span::new(start, span.end));
    if !piece.is_empty() {
        out.push(Sentence {
            span: piece,
            paragraph,
            cut,
        });
    }
}

/// True when the full stop at `dot` closes an abbreviation or an initial ("J. Smith").
fn is_abbreviation(text: &str, dot: usize) -> bool {
    // Abbreviations are short: look back a few bytes only, so runs like "a.a.a.a" stay linear.
    let mut floor = dot.saturating_sub(16);
    while !text.is_char_boundary(floor) {
        floor -= 1;
    }
    let window = &text[floor..dot];
    let word_start = floor
        + window
            .rfind(|c: char| !(c.is_alphanumeric() || c == '.'))
            .map_or(0, |i| {
                i + window[i..].chars().next().map_or(1, char::len_utf8)
            });
    let word = &text[word_start..dot];
    if word.is_empty() {
        return false;
    }
    let lower = word.to_ascii_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return true;
    }
    // A single capital letter is an initial.
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
}

/// The span without leading and trailing whitespace.
pub(crate) fn trim(text: &str, span: Span) -> Span {
    let s = &text[span.start..span.end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead == s.len() {
        return Span::new(span.start, span.start);
    }
    Span::new(span.start + lead, span.end - trail)
}

/// Quotations in the text: spans between matching quotation marks, the marks included.
/// Straight quotes pair in order; curly quotes pair by direction.
pub(crate) fn quotations(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match c {
            '“' if open.is_none() => open = Some(i),
            '”' => {
                if let Some(s) = open.take() {
                    out.push(Span::new(s, i + c.len_utf8()));
                }
            }
            '"' => match open.take() {
                Some(s) => out.push(Span::new(s, i + 1)),
                None => open = Some(i),
            },
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<(&str, usize)> {
        sentences(text)
            .iter()
            .map(|s| (&text[s.span.start..s.span.end], s.paragraph))
            .collect()
    }

    #[test]
    fn over_long_runs_are_read_in_bounded_pieces() {
        let text = "shells hit the town, ".repeat(300);
        let pieces = sentences(&text);
        assert_eq!(pieces.len(), 4);
        assert!(
            pieces
                .iter()
                .all(|s| s.cut && s.span.len() <= MAX_SENTENCE_BYTES)
        );
        assert!(
            pieces
                .iter()
                .all(|s| text[s.span.start..s.span.end].ends_with(',')
                    || s.span.end == text.trim_end().len())
        );
    }

    #[test]
    fn splits_sentences_and_paragraphs() {
        assert_eq!(
            split(
                "Gen. Smith said so on Oct. 4. \"Stop!\" he said.\n\nNew para here. U.S. forces left"
            ),
            vec![
                ("Gen. Smith said so on Oct. 4.", 0),
                ("\"Stop!\" he said.", 0),
                ("New para here.", 1),
                ("U.S. forces left", 1)
            ]
        );
        assert_eq!(
            split("wrapped\nline. Next\nline."),
            vec![("wrapped\nline.", 0), ("Next\nline.", 0)]
        );
        assert_eq!(
            split("Ten were killed.Initial reports differ. In 2023.The U.S.Army left."),
            vec![
                ("Ten were killed.", 0),
                ("Initial reports differ.", 0),
                ("In 2023.", 0),
                ("The U.S.Army left.", 0)
            ]
        );
    }

    #[test]
    fn finds_quotations() {
        let text = "“A. B,” he said. \"C.\"";
        let q: Vec<_> = quotations(text)
            .into_iter()
            .map(|s| &text[s.start..s.end])
            .collect();
        assert_eq!(q, vec!["“A. B,”", "\"C.\""]);
    }
}
