//! Wiring: reads inputs, archives them, extracts and geocodes in parallel, stores, merges into
//! incidents, and answers queries and exports. The pure crates do the thinking; this crate
//! decides the order and handles the IO around them. Faces (the CLI, later the server) use
//! only [`Service`] and the types re-exported here.

mod accounts;
mod analyse;
mod copies;
mod datadir;
mod error;
mod evidence;
mod explain;
mod export;
mod ingest;
mod maintain;
pub mod marks;
mod package;
mod parallel;
mod publishers;
mod quarantine;
mod remerge;
mod review;
mod run;
mod service;
mod wire;
mod withdraw;

pub use accounts::{
    AccountView, CredentialKind, MIN_PASSWORD, NewSession, Role, SESSION_HOURS, SignedIn,
    random_hex,
};
pub use analyse::{Analysis, Reference, analyse};
pub use archive::{Quarantined, TileRef, Witness, WitnessError};
pub use datadir::DataDir;
pub use error::PipelineError;
pub use evidence::{
    Checkpoint, ConsistencyProof, Cosigned, Failure, InclusionProof, PolicyReport, Proven,
    VerifyReport, check_cosignatures, check_signed_checkpoint,
};
pub use explain::{Explanation, KeptOut, Membership};
pub use export::{CSV_COLUMNS, ExportFormat, export};
pub use ingest::{Added, IngestEvent, IngestOptions, IngestReport, Parts, Rejected};
pub use maintain::{Progress, RebuildReport, Reextract, ReextractReport};
pub use package::{
    Manifest, PACKAGE_FORMAT, PackageFailure, PackageReport, PackageSummary, PackageTarget,
    verify_evidence,
};
pub use publishers::{default_publishers, origin_registry, parse_origins, parse_publishers};
pub use quarantine::Purged;
pub use review::{CORRECTABLE, Reviewer};
pub use run::digests;
pub use service::{Exported, IncidentDetail, IncidentFilter, OpenOptions, Page, Service};
pub use sources::{Format, InputFile};
pub use store::{
    ClaimQuery, Counts, DayCount, DocumentQuery, MapCell, MapGrid, MapKey, Run, StoreTarget,
    StoredClaim, scratch,
};
pub use wire::{ExtractOptions, extract_json, extract_stream, geoparse_json, read_input};
pub use withdraw::Withdrawn;

/// The ombud version recorded with every document it reads.
pub const OMBUD_VERSION: &str = env!("CARGO_PKG_VERSION");
