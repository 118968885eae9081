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

/// Reads one document: detects its language, finds its places, extracts its claims.
pub fn analyse(reference: &Reference, text: &str, meta: &DocumentMeta) -> Analysis {
    let language = meta
        .language
        .clone()
        .or_else(|| extract::detect_language(text));
    let toponyms = reference.geoparse(text, meta);
    let extraction = reference.extractor.extract(&ExtractInput {
        text,
        published: meta.published,
        language: language.as_deref(),
        toponyms: &toponyms,
    });
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
