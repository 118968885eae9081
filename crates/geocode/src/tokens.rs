//! Words of a text with their byte spans, keys and shape (capitalised, all capitals, sentence
//! start), and whether two neighbouring words may belong to one name.

use crate::fold::{is_apostrophe, is_word_char, push_word_key};

/// One word of the text.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub start: usize,
    pub end: usize,
    /// Folded, lower-case form without apostrophes.
    pub key: String,
    /// The first letter is upper case.
    pub cap: bool,
    /// Every letter is upper case (and there are at least two).
    pub all_caps: bool,
    /// First word of a sentence, heading or line.
    pub sentence_start: bool,
    /// A contraction ("I've", "don't"): never a name.
    pub contraction: bool,
}

/// Splits `text` into words. Apostrophes between letters stay inside a word.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(text.len() / 5);
    let mut start: Option<usize> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let inside = is_word_char(c)
            || (start.is_some()
                && is_apostrophe(c)
                && iter.peek().is_some_and(|&(_, n)| n.is_alphabetic()));
        match (inside, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                push(text, s, i, &mut out);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        push(text, s, text.len(), &mut out);
    }
    out
}

fn push(text: &str, start: usize, mut end: usize, out: &mut Vec<Token>) {
    // A possessive "'s" is not part of the name ("Kyiv's").
    for suffix in ["'s", "’s"] {
        if text[start..end].len() > suffix.len() + 1 && text[start..end].ends_with(suffix) {
            end -= suffix.len();
        }
    }
    let word = &text[start..end];
    let lower = word.to_lowercase().replace('’', "'");
    let contraction = ["'ve", "'ll", "'re", "'d", "'m", "n't"]
        .iter()
        .any(|c| lower.ends_with(c));
    let mut key = String::with_capacity(word.len());
    push_word_key(word, &mut key);
    let first = word.chars().next();
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    let cap = first.is_some_and(char::is_uppercase);
    let all_caps = letters >= 2 && word.chars().all(|c| !c.is_lowercase());
    let before = out.last().map_or(0, |t| t.end);
    let gap = &text[before..start];
    let sentence_start = out.is_empty()
        || gap.contains('\n')
        || gap
            .trim_end_matches(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '“' | '‘' | '\'' | '(' | '[')
            })
            .ends_with(['.', '!', '?', ':', '•', '|'])
            && !out.last().is_some_and(|t| is_abbreviation(&t.key));
    out.push(Token {
        start,
        end,
        key,
        cap,
        all_caps,
        sentence_start,
        contraction,
    });
}

/// Abbreviations whose full stop does not end a sentence and may sit inside a name ("St. Louis").
pub(crate) fn is_abbreviation(key: &str) -> bool {
    matches!(
        key,
        "st" | "ste"
            | "mt"
            | "ft"
            | "pt"
            | "mr"
            | "mrs"
            | "ms"
            | "dr"
            | "gen"
            | "gov"
            | "sen"
            | "rep"
            | "lt"
            | "col"
            | "sgt"
            | "capt"
            | "maj"
            | "jr"
            | "sr"
            | "prof"
            | "rev"
            | "u"
            | "s"
    )
}

/// True when words `a` and `a + 1` may be two words of one name: only a space, a hyphen, or the
/// full stop of "St." lies between them.
pub(crate) fn joinable(text: &str, tokens: &[Token], a: usize) -> bool {
    let gap = &text[tokens[a].end..tokens[a + 1].start];
    match gap {
        " " | "-" | "–" | " - " | "\u{a0}" => true,
        ". " | "." => {
            matches!(tokens[a].key.as_str(), "st" | "ste" | "mt" | "ft" | "pt")
                || (tokens[a].key.len() == 1 && tokens[a].cap)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    fn check(text: &str, expect: Expect) {
        let toks = super::tokenize(text);
        let out: Vec<String> = toks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                format!(
                    "{}:{}{}{}{}",
                    &text[t.start..t.end],
                    t.key,
                    if t.cap { " cap" } else { "" },
                    if t.sentence_start { " start" } else { "" },
                    if i + 1 < toks.len() && super::joinable(text, &toks, i) {
                        " +"
                    } else {
                        ""
                    },
                )
            })
            .collect();
        expect.assert_eq(&out.join("\n"));
    }

    #[test]
    fn words_keep_spans_shapes_and_joins() {
        check(
            "Shells hit Nagorno-Karabakh. In St. Louis, Kam’yanka's",
            expect![[r#"
                Shells:shells cap start +
                hit:hit +
                Nagorno:nagorno cap +
                Karabakh:karabakh cap
                In:in cap start +
                St:st cap +
                Louis:louis cap
                Kam’yanka:kamyanka cap"#]],
        );
    }
}
