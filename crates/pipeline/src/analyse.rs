//! One document through the pure stages: language, geoparsing, extraction.

use extract::{ExtractInput, Extraction, Extractor};
use geocode::{Gazetteer, GeoContext};
use model::{DocumentMeta, DocumentStatus, Publisher, Toponym};

use crate::{PipelineError, default_publishers};

/// The reference data every document is read against, loaded once and shared by all threads.
#[derive(Debug)]
pub struct Reference {
    pub extractor: Extractor,
    pub gazetteer: Gazetteer,
    pub publishers: Vec<Publisher>,
    /// The digest of the gazetteer files a data directory added (`ombud gazetteer import`), or
    /// empty: part of an extraction run's gazetteer digest.
    pub added_places: String,
}

impl Reference {
    /// The lexicons, gazetteer and publisher registry compiled into ombud.
    pub fn load() -> Result<Reference, PipelineError> {
        Reference::load_with(&[])
    }

    /// The compiled-in reference data, with the places of these gazetteer files added.
    pub fn load_with(files: &[std::path::PathBuf]) -> Result<Reference, PipelineError> {
        let mut places = gazetteer::embedded()?;
        for f in files {
            places = gazetteer::extend(places, gazetteer::load_path(f)?);
        }
        Ok(Reference {
            extractor: Extractor::new(),
            gazetteer: Gazetteer::new(places),
            publishers: default_publishers()?,
            added_places: crate::run::added_digest(files)?,
        })
    }

    /// The reference data for a data directory: with the places it added, if any (the directory
    /// is not created).
    pub fn for_data_dir(root: &std::path::Path) -> Result<Reference, PipelineError> {
        let dir = crate::DataDir::at(root);
        Reference::load_with(&dir.gazetteer_files())
    }

    /// The registry entry of a publisher, if known.
    pub fn publisher(&self, name: &str) -> Option<&Publisher> {
        self.publishers
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// Every place named in `text`, resolved with what the registry knows of its publisher.
    pub fn geoparse(&self, text: &str, meta: &DocumentMeta) -> Vec<Toponym> {
        let publisher_country = meta
            .publisher
            .as_deref()
            .and_then(|p| self.publisher(p))
            .and_then(|p| p.country);
        self.gazetteer
            .geoparse(text, &GeoContext { publisher_country })
    }
}

/// What the pure stages made of one document.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub language: Option<String>,
    pub toponyms: Vec<Toponym>,
    pub extraction: Extraction,
    pub status: DocumentStatus,
}

/// Texts longer than this are read a piece at a time (each piece ends at a paragraph or
/// sentence break), so that memory stays bounded by the piece, not the text: reading costs about
/// 45 bytes per byte of text, and a 100 MB text read whole took 2 GB.
pub const PIECE_BYTES: usize = 512 * 1024;

/// Where the piece of `text` starting at `start` ends: at the last paragraph break, else the
/// last sentence end, else the last space, before `start + PIECE_BYTES` (on a character
/// boundary whatever the text).
fn piece_end(text: &str, start: usize) -> usize {
    let mut limit = (start + PIECE_BYTES).min(text.len());
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    if limit == text.len() {
        return limit;
    }
    let window = &text[start..limit];
    let half = window.len() / 2;
    let cut = window
        .rfind("\n\n")
        .filter(|&i| i > half)
        .map(|i| i + 2)
        .or_else(|| window.rfind(". ").filter(|&i| i > half).map(|i| i + 2))
        .or_else(|| window.rfind(' ').filter(|&i| i > half).map(|i| i + 1))
        .unwrap_or(window.len());
    start + cut
}

/// Reads one document: detects its language, finds its places, extracts its claims. A text
/// longer than `PIECE_BYTES` is read piece by piece, its spans placed in the whole text.
pub fn analyse(reference: &Reference, text: &str, meta: &DocumentMeta) -> Analysis {
    let language = meta.language.clone().or_else(|| {
        // The language of a long text is read from its beginning.
        let mut head = text.len().min(64 * 1024);
        while !text.is_char_boundary(head) {
            head -= 1;
        }
        extract::detect_language(&text[..head])
    });
    let mut toponyms = Vec::new();
    let mut extraction = Extraction::default();
    let mut start = 0;
    while start < text.len() || (start == 0 && text.is_empty()) {
        let end = piece_end(text, start);
        let piece = &text[start..end];
        let mut found = reference.geoparse(piece, meta);
        let mut read = reference.extractor.extract(&ExtractInput {
            text: piece,
            published: meta.published,
            language: language.as_deref(),
            toponyms: &found,
        });
        if start > 0 {
            for t in &mut found {
                t.span.start += start;
                t.span.end += start;
            }
            for c in &mut read.claims {
                c.shift(start);
            }
            for d in &mut read.diagnostics {
                if let Some(s) = d.span.as_mut() {
                    s.start += start;
                    s.end += start;
                }
            }
            // A whole-document note (the language) is said once.
            read.diagnostics.retain(|d| {
                !extraction
                    .diagnostics
                    .iter()
                    .any(|e| e.code == d.code && d.span.is_none())
            });
        }
        toponyms.extend(found);
        extraction.claims.extend(read.claims);
        extraction.diagnostics.extend(read.diagnostics);
        if end == start {
            break;
        }
        start = end;
    }
    let status = if extraction
        .diagnostics
        .iter()
        .any(|d| d.code == "language_not_supported")
    {
        DocumentStatus::NotExtracted
    } else {
        DocumentStatus::Extracted
    };
    Analysis {
        language,
        toponyms,
        extraction,
        status,
    }
}
