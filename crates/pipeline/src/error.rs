//! Errors of the pipeline, each saying what to do.

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Archive(#[from] archive::ArchiveError),
    #[error(transparent)]
    Witness(#[from] archive::WitnessError),
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
    #[error("no {what} {given:?}: {hint}")]
    NotFound {
        what: &'static str,
        given: String,
        hint: &'static str,
    },
    #[error(
        "incident {id} no longer exists: every claim it held was rejected or is gone after re-extraction (`ombud history {id}` shows why)"
    )]
    Retired { id: String },
    #[error(
        "--after {given:?} is not an incident listed now (it was merged into another, or never existed): start again without --after"
    )]
    Cursor { given: String },
    #[error("{}: no ombud data here yet: run `ombud ingest PATH` first, or pass --data-dir (or set OMBUD_DATA), or --database", dir.display())]
    NoRecord { dir: std::path::PathBuf },
    #[error("{0}")]
    BadArgument(String),
}
