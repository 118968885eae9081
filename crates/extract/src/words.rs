//! Words of a text with their byte spans, for the pattern rules that read word by word.

use std::borrow::Cow;

use model::Span;

/// A word (letters, digits, inner hyphens, apostrophes and decimal commas) or one punctuation mark.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Word<'t> {
    pub text: &'t str,
    pub span: Span,
    /// Lowercase form for matching (borrowed when the word has no capitals).
    pub lower: Cow<'t, str>,
}

impl Word<'_> {
    pub fn is_punct(&self) -> bool {
        !self.text.chars().next().is_some_and(char::is_alphanumeric)
    }

    pub fn is_capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }

    pub fn is(&self, word: &str) -> bool {
        self.lower == word
    }

    pub fn is_any(&self, words: &[&str]) -> bool {
        words.contains(&self.lower.as_ref())
    }
}

/// Splits `text[span]` into words and punctuation marks; spans are into `text`.
pub(crate) fn words(text: &str, span: Span) -> Vec<Word<'_>> {
    let s = &text[span.start..span.end];
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut end = i + c.len_utf8();
        if c.is_alphanumeric() {
            while let Some(&(j, d)) = chars.peek() {
                let joins = matches!(d, '-' | '\'' | '’' | '.' | ',')
                    && s[j + d.len_utf8()..].chars().next().is_some_and(|n| {
                        if d == ',' || d == '.' {
                            n.is_ascii_digit() && c.is_ascii_digit()
                        } else {
                            n.is_alphanumeric()
                        }
                    });
                if d.is_alphanumeric() || joins {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
        }
        let text_part = &s[i..end];
        out.push(Word {
            text: text_part,
            span: Span::new(span.start + i, span.start + end),
            lower: if text_part.chars().any(char::is_uppercase) {
                Cow::Owned(text_part.to_lowercase())
            } else {
                Cow::Borrowed(text_part)
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words_keeping_numbers_and_hyphens() {
        let text = "LAR-160 hit 1,200 homes; Azerbaijan's 6.5 km.";
        let w: Vec<_> = words(text, Span::new(0, text.len()))
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(
            w,
            vec![
                "LAR-160",
                "hit",
                "1,200",
                "homes",
                ";",
                "Azerbaijan's",
                "6.5",
                "km",
                "."
            ]
        );
    }
}
