//! Documents as ombud reads them, and publishers (the source registry).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{CountryCode, Date};

/// What a reader learned about a document besides its text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentMeta {
    /// The identifier the input gave (a JSON Lines `id`), echoed as `document.id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<Date>,
    /// ISO 639-1 code, from the input or detected.
    pub language: Option<String>,
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// What kind of body publishes or speaks.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Media,
    Government,
    ArmedForces,
    Ngo,
    Un,
    Wire,
    Social,
    #[default]
    Unknown,
}

impl SourceKind {
    pub const ALL: [SourceKind; 8] = [
        SourceKind::Media,
        SourceKind::Government,
        SourceKind::ArmedForces,
        SourceKind::Ngo,
        SourceKind::Un,
        SourceKind::Wire,
        SourceKind::Social,
        SourceKind::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Media => "media",
            SourceKind::Government => "government",
            SourceKind::ArmedForces => "armed_forces",
            SourceKind::Ngo => "ngo",
            SourceKind::Un => "un",
            SourceKind::Wire => "wire",
            SourceKind::Social => "social",
            SourceKind::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Bodies that investigate rather than take part: their confirmation carries weight.
    pub fn is_investigator(self) -> bool {
        matches!(self, SourceKind::Ngo | SourceKind::Un)
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One publisher in the registry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Publisher {
    pub name: String,
    pub country: Option<CountryCode>,
    pub kind: SourceKind,
    /// The party to the conflict the publisher is aligned with, if any.
    pub alignment: Option<CountryCode>,
    #[serde(default)]
    pub note: String,
}

impl Publisher {
    /// A publisher the registry does not know: unknown kind, no alignment.
    pub fn unknown(name: &str) -> Publisher {
        Publisher {
            name: name.to_string(),
            country: None,
            kind: SourceKind::Unknown,
            alignment: None,
            note: String::new(),
        }
    }
}

/// Whether ombud could read a document's claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// Claims were extracted (possibly none).
    Extracted,
    /// Archived and stored, but not extracted (a language ombud cannot read yet).
    NotExtracted,
    /// Withdrawn for someone's safety: its bytes, text and claims are gone; its leaf and the
    /// logged decision that withdrew it stay, so earlier checkpoints still prove.
    Withdrawn,
}

impl DocumentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Extracted => "extracted",
            DocumentStatus::NotExtracted => "not_extracted",
            DocumentStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<DocumentStatus> {
        match s {
            "extracted" => Some(DocumentStatus::Extracted),
            "not_extracted" => Some(DocumentStatus::NotExtracted),
            "withdrawn" => Some(DocumentStatus::Withdrawn),
            _ => None,
        }
    }
}

/// A document as the store keeps it: its archived bytes' hash and what was read from them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentRecord {
    pub sha256: String,
    pub size: u64,
    /// Where it came from: a path, `-` for stdin, with `:line` for JSON Lines and feed items.
    pub origin: String,
    /// The reader that read it: text, jsonl, html, feed.
    pub format: String,
    /// When ombud received it (RFC 3339, UTC).
    pub retrieved_at: String,
    /// Who collected it: the account that uploaded it, or the person who ran `ombud ingest`
    /// (`--collected-by`, else the login name); `None` for documents stored before ombud
    /// recorded it (schema 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_by: Option<String>,
    #[serde(flatten)]
    pub meta: DocumentMeta,
    /// The ombud version that read it.
    pub ombud_version: String,
    pub status: DocumentStatus,
    pub n_claims: usize,
    /// The document this one is a near-copy of (the earliest of its copies), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_of: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}
