//! Language identification of report text (whatlang), reported as ISO 639-1.

use whatlang::Lang;

/// The text's language as an ISO 639-1 code, when it can be told with confidence.
pub fn detect_language(text: &str) -> Option<String> {
    let sample = match text.char_indices().nth(4000) {
        Some((i, _)) => &text[..i],
        None => text,
    };
    let info = whatlang::detect(sample)?;
    if !info.is_reliable() && sample.len() < 200 {
        return None;
    }
    let code = match info.lang() {
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Ukr => "uk",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ara => "ar",
        Lang::Tur => "tr",
        Lang::Hye => "hy",
        Lang::Aze => "az",
        Lang::Kat => "ka",
        Lang::Pes => "fa",
        Lang::Heb => "he",
        Lang::Nld => "nl",
        Lang::Pol => "pl",
        Lang::Cmn => "zh",
        Lang::Jpn => "ja",
        Lang::Kor => "ko",
        Lang::Hin => "hi",
        Lang::Urd => "ur",
        other => return Some(other.code().to_string()),
    };
    Some(code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_english_and_russian() {
        assert_eq!(
            detect_language("Azerbaijan is using cluster munitions to target civilian settlements, the ombudsman said on Sunday.").as_deref(),
            Some("en")
        );
        assert_eq!(
            detect_language("Азербайджан применяет кассетные боеприпасы против мирных населённых пунктов, заявил омбудсмен.").as_deref(),
            Some("ru")
        );
    }
}
