//! Name normalisation: diacritic folding ("Tərtər" = "Tartar") and the lookup key every name and
//! every stretch of text is reduced to before matching ("Nagorno-Karabakh" = "nagorno karabakh").

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The name with diacritics removed: Latin letters with marks become their base letters,
/// and letters without a decomposition (ə, ı, ł, ø, đ, ß, æ) their usual Latin spelling.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        match c {
            'ə' => out.push('a'),
            'Ə' => out.push('A'),
            'ı' => out.push('i'),
            'ł' => out.push('l'),
            'Ł' => out.push('L'),
            'ø' => out.push('o'),
            'Ø' => out.push('O'),
            'đ' | 'ð' => out.push('d'),
            'Đ' | 'Ð' => out.push('D'),
            'ħ' => out.push('h'),
            'Ħ' => out.push('H'),
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'Æ' => out.push_str("Ae"),
            'œ' => out.push_str("oe"),
            'Œ' => out.push_str("Oe"),
            'þ' => out.push_str("th"),
            'Þ' => out.push_str("Th"),
            '’' | 'ʼ' | '‘' | 'ʻ' | 'ʿ' | 'ʾ' | '`' | '´' | 'ʹ' | 'ʺ' => out.push('\''),
            '–' | '—' | '‐' | '‑' => out.push('-'),
            _ => {
                for d in std::iter::once(c).nfd() {
                    if !is_combining_mark(d) {
                        out.push(d);
                    }
                }
            }
        }
    }
    out
}

/// True for characters that belong inside a word of a name.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// True for apostrophes, which are dropped from keys ("Kam'yanka" = "Kamyanka").
pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '’' | 'ʼ' | '‘' | 'ʻ' | 'ʿ' | 'ʾ' | '`' | '´' | 'ʹ' | 'ʺ'
    )
}

/// The lookup key of a name: its words folded and lower-cased, joined by one space; apostrophes
/// inside words are dropped and every other non-letter separates words.
pub fn name_key(s: &str) -> String {
    let mut key = String::with_capacity(s.len());
    for_each_key_word(s, |w| {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(w);
    });
    key
}

/// Calls `f` with the key of each word of `s` in turn (see [`name_key`]), without allocating
/// for names in ASCII.
pub(crate) fn for_each_key_word(s: &str, f: impl FnMut(&str)) {
    for_each_key_word_in(s, &mut KeyScratch::default(), f);
}

/// Buffers reused across calls of [`for_each_key_word_in`].
#[derive(Debug, Default)]
pub(crate) struct KeyScratch {
    word: String,
    raw: String,
}

/// [`for_each_key_word`] with caller-owned buffers, for indexing many names.
pub(crate) fn for_each_key_word_in(s: &str, scratch: &mut KeyScratch, mut f: impl FnMut(&str)) {
    let KeyScratch { word, raw } = scratch;
    word.clear();
    raw.clear();
    if s.is_ascii() {
        // Fast path: no folding, one pass over bytes.
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() {
                word.push(b.to_ascii_lowercase() as char);
            } else if b == b'\'' || b == b'`' {
                // dropped inside a word (and harmless between words)
            } else if !word.is_empty() {
                f(word);
                word.clear();
            }
        }
        if !word.is_empty() {
            f(word);
        }
        return;
    }
    let mut ascii = true;
    let mut flush = |word: &mut String, raw: &mut String, ascii: &mut bool| {
        if !*ascii {
            word.clear();
            push_word_key(raw, word);
        }
        if !word.is_empty() {
            f(word);
        }
        word.clear();
        raw.clear();
        *ascii = true;
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
            raw.push(c);
        } else if is_word_char(c) {
            ascii = false;
            raw.push(c);
        } else if is_apostrophe(c) && !raw.is_empty() {
            // dropped inside a word
        } else {
            flush(word, raw, &mut ascii);
        }
    }
    flush(word, raw, &mut ascii);
}

/// The romanisation skeleton of one word's key: where the spellings of Ukrainian, Russian,
/// Belarusian, Armenian, Azerbaijani and Georgian names in Latin letters vary, one form
/// ("Novomykhailivka" = "Novomykhaylivka", "Maiorsk" = "Mayorsk", "Kharkiv" = "Harkiv",
/// "Pobieda" = "Pobeda" = "Pobyeda", "Novotroitske" = "Novotroitskoe" = "Novotroitskoye").
/// Rules: kh is h; y and j are i; a doubled i is one; ie is e; the adjectival endings
/// -skoe, -skoye, -skyi, -skiy, -sky are -ske, -ski. Soft signs and apostrophes are already
/// gone from keys. Only names of places in those countries are indexed by it, and text is looked
/// up by it only when its own spelling finds nothing.
pub fn romanisation_skeleton(key: &str) -> String {
    let mut s = key.replace("kh", "h").replace(['y', 'j'], "i");
    while s.contains("ii") {
        s = s.replace("ii", "i");
    }
    let mut s = s.replace("ie", "e");
    for (ending, canonical) in [("skoe", "ske"), ("skoi", "ski"), ("ski", "ski")] {
        if let Some(stem) = s.strip_suffix(ending) {
            s = format!("{stem}{canonical}");
            break;
        }
    }
    s
}

/// A word of a name before another word, as matched: the transliterations of the Arabic article
/// are one word ("Jisr ash-Shughur" = "Jisr al-Shughur", "Deir ez-Zor" = "Deir al-Zor").
pub(crate) fn article_form(word: &str) -> &str {
    match word {
        "al" | "el" | "ad" | "adh" | "as" | "ash" | "ar" | "an" | "at" | "ath" | "az" | "ed"
        | "ez" | "er" | "es" | "et" | "en" | "ul" | "ud" | "ur" | "us" | "uz" | "un" => "al",
        other => other,
    }
}

/// Appends the key of one word (folded, lower case, no apostrophes) to `key`.
pub(crate) fn push_word_key(word: &str, key: &mut String) {
    if word.is_ascii() {
        for b in word.bytes() {
            if b.is_ascii_alphanumeric() {
                key.push(b.to_ascii_lowercase() as char);
            }
        }
        return;
    }
    for c in fold(word).chars() {
        if is_word_char(c) {
            key.extend(c.to_lowercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    fn check(input: &str, expect: Expect) {
        let out: Vec<String> = input
            .split('|')
            .map(|n| format!("{} => {}", super::fold(n), super::name_key(n)))
            .collect();
        expect.assert_eq(&out.join("\n"));
    }

    #[test]
    fn romanisation_variants_meet() {
        let skeleton = |names: &str| -> Vec<String> {
            names
                .split('|')
                .map(|n| super::romanisation_skeleton(&super::name_key(n)))
                .collect()
        };
        for variants in [
            "Novomykhailivka|Novomykhaylivka",
            "Maiorsk|Mayorsk|Majorsk",
            "Kharkiv|Harkiv",
            "Pobieda|Pobeda|Pobyeda",
            "Novotroitske|Novotroitskoe|Novotroitskoye",
            "Bakhmutske|Bakhmutskoe",
            "Vuhledar|Vuhlyedar",
            "Kam’yanka|Kamianka|Kamyanka",
        ] {
            let keys = skeleton(variants);
            assert!(
                keys.windows(2).all(|w| w[0] == w[1]),
                "{variants}: {keys:?}"
            );
        }
        assert_ne!(skeleton("Kharkiv")[0], skeleton("Kherson")[0]);
    }

    #[test]
    fn folds_and_keys_names_in_all_their_forms() {
        check(
            "Tərtər|Şuşa|Füzuli|Ağdam|Ḩalab|Kam’yanka|Nagorno-Karabakh|St. John's|Łódź|Dnipró|Mazār-e Sharīf",
            expect![[r#"
                Tartar => tartar
                Susa => susa
                Fuzuli => fuzuli
                Agdam => agdam
                Halab => halab
                Kam'yanka => kamyanka
                Nagorno-Karabakh => nagorno karabakh
                St. John's => st johns
                Lodz => lodz
                Dnipro => dnipro
                Mazar-e Sharif => mazar e sharif"#]],
        );
    }
}
