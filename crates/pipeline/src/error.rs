//! Errors of the pipeline, each saying what to do.

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Archive(#[from] archive::ArchiveError),
    #[error(transparent)]
    Gazetteer(#[from] gazetteer::GazetteerError),
    #[error(transparent)]
    Sources(#[from] sources::SourcesError),
    #[error("{}: {source}", path.display())]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin}:{line}: {message}")]
    Registry {
        origin: String,
        line: usize,
        message: String,
    },
    #[error("{given:?} matches several {what}s ({}): give more of the id", candidates.join(", "))]
    Ambiguous {
        what: &'static str,
        given: String,
        candidates: Vec<String>,
    },
    #[error("cannot write the export: {0}")]
    Export(String),
}
