//! Why an input or an item in it could not be read, with where.

use std::path::PathBuf;

/// A problem reading one input or one item of it. Messages name the place and say what to do.
#[derive(Debug, thiserror::Error)]
pub enum SourcesError {
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{origin}: more than {limit} bytes, the limit for one input of its kind (a text file or an HTML page is one report): split it"
    )]
    TooLarge { origin: String, limit: u64 },
    #[error("{origin}{}: not UTF-8 text (bad byte at offset {offset}): convert it to UTF-8", line_suffix(*line))]
    NotUtf8 {
        origin: String,
        line: Option<usize>,
        offset: usize,
    },
    #[error(
        "{origin}:{line}: the line is longer than {limit} bytes: split it into one report per line"
    )]
    LineTooLong {
        origin: String,
        line: usize,
        limit: usize,
    },
    #[error("{origin}:{line}: not a JSON object: {message}")]
    Json {
        origin: String,
        line: usize,
        message: String,
    },
    #[error("{origin}:{line}: no \"text\" string: each line needs the report's text in \"text\"")]
    MissingText { origin: String, line: usize },
    #[error("{origin}{}: field \"{field}\": {message}", line_suffix(*line))]
    BadField {
        origin: String,
        line: Option<usize>,
        field: &'static str,
        message: String,
    },
    #[error("{origin}: not a readable RSS or Atom feed: {message}")]
    Feed { origin: String, message: String },
    #[error("{origin}{}: {size} bytes of text is more than one report ({limit} bytes at most): split it into reports", line_suffix(*line))]
    TextTooLong {
        origin: String,
        line: Option<usize>,
        size: usize,
        limit: usize,
    },
    #[error("{origin}{}: no text found: the document is empty", line_suffix(*line))]
    Empty { origin: String, line: Option<usize> },
    #[error("{origin}{}: not a readable WARC record: {message}", line_suffix(*record))]
    Warc {
        origin: String,
        record: Option<usize>,
        message: String,
    },
}

fn line_suffix(line: Option<usize>) -> String {
    line.map(|l| format!(":{l}")).unwrap_or_default()
}

impl SourcesError {
    /// The line (JSON Lines), item (feeds) or record (WARC) the problem is at, if it is inside the
    /// input.
    pub fn line(&self) -> Option<usize> {
        match self {
            SourcesError::Json { line, .. }
            | SourcesError::MissingText { line, .. }
            | SourcesError::LineTooLong { line, .. } => Some(*line),
            SourcesError::NotUtf8 { line, .. }
            | SourcesError::BadField { line, .. }
            | SourcesError::Empty { line, .. } => *line,
            SourcesError::Warc { record, .. } => *record,
            _ => None,
        }
    }
}
