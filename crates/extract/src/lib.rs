//! Claim extraction: the pure function from a report's text (and the places geocoding found in
//! it) to claims with spans, following the extraction contract of DESIGN.md.
//!
//! No IO, no clock, no randomness: the same input always gives the same output, so extraction is
//! testable and runs in parallel. Messy text is not an error: it gives fewer claims and
//! diagnostics, never a panic.

mod casualties;
mod claims;
mod dates;
mod language;
mod lexicon;
mod segment;
mod speakers;
mod words;

pub use language::detect_language;

use model::{Claim, Date, Diagnostic, Toponym};

/// What extraction reads: the text, its publication date (relative dates resolve against it),
/// its language if known, and the places geocoding found in it.
#[derive(Clone, Copy, Debug)]
pub struct ExtractInput<'a> {
    pub text: &'a str,
    pub published: Option<Date>,
    /// ISO 639-1; `None` means detect.
    pub language: Option<&'a str>,
    pub toponyms: &'a [Toponym],
}

/// Claims found in one document, and what the reader should know about the rest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extraction {
    pub claims: Vec<Claim>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The extractor: lexicons and patterns compiled once, shared by every document (it is `Sync`).
#[derive(Debug)]
pub struct Extractor {
    lexicon: lexicon::Lexicon,
    dates: dates::DateFinder,
}

/// The lexicon files compiled into the extractor, by name (a new or edited word changes what
/// is extracted: the store records their digest with every extraction run).
pub fn lexicon_sources() -> &'static [(&'static str, &'static str)] {
    lexicon::SOURCES
}

/// Languages extraction reads today.
pub const SUPPORTED_LANGUAGES: &[&str] = &["en"];

impl Extractor {
    pub fn new() -> Extractor {
        // The lexicons are compiled into the binary and checked by unit tests: a failure here is
        // a build defect, never a user error.
        let lexicon = lexicon::Lexicon::load().unwrap_or_else(|e| panic!("{}", e.0));
        Extractor {
            lexicon,
            dates: dates::DateFinder::new(),
        }
    }

    /// Extracts the claims of one document.
    pub fn extract(&self, input: &ExtractInput<'_>) -> Extraction {
        let language = input
            .language
            .map(str::to_string)
            .or_else(|| detect_language(input.text));
        if let Some(lang) = language.as_deref()
            && !SUPPORTED_LANGUAGES.contains(&lang)
        {
            return Extraction {
                claims: vec![],
                diagnostics: vec![Diagnostic::new(
                    "language_not_supported",
                    format!(
                        "the text is in {lang:?}, which ombud cannot read yet; the document is kept but not extracted"
                    ),
                    None,
                )],
            };
        }
        claims::extract(self, input)
    }
}

impl Default for Extractor {
    fn default() -> Extractor {
        Extractor::new()
    }
}
