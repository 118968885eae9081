//! Wiring: reads inputs, archives them, extracts and geocodes in parallel, stores, merges into
//! incidents, and answers queries and exports. The pure crates do the thinking; this crate
//! decides the order and handles the IO around them.

mod analyse;
mod datadir;
mod error;
mod export;
mod filter;
mod ingest;
mod parallel;
mod publishers;
mod wire;

pub use analyse::{Analysis, Reference, analyse};
pub use datadir::DataDir;
pub use error::PipelineError;
pub use export::{ExportFormat, export};
pub use filter::{ClaimFilter, IncidentFilter};
pub use ingest::{IngestEvent, IngestOptions, IngestReport, Rejected, ingest, rebuild_incidents};
pub use publishers::{default_publishers, parse_publishers};
pub use sources::Format;
pub use wire::{ExtractOptions, extract_inputs, extract_json, geoparse_json, read_input};

/// The ombud version recorded with every document it reads.
pub const OMBUD_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Opens the store of a data directory, rebuilding incidents first if they are stale.
pub async fn open_store(dir: &DataDir) -> Result<store::Store, PipelineError> {
    let store = store::Store::open(&dir.database()).await?;
    store.seed_publishers(&default_publishers()?).await?;
    if store.incidents_stale().await? {
        rebuild_incidents(&store).await?;
    }
    Ok(store)
}

/// One incident with the claims it was built from.
pub async fn incident_detail(
    store: &store::Store,
    id: &str,
) -> Result<Option<(model::Incident, Vec<store::StoredClaim>)>, PipelineError> {
    let incidents = store.incidents().await?;
    let matches: Vec<&model::Incident> = incidents
        .iter()
        .filter(|i| i.id.0 == id || i.id.0.starts_with(id))
        .collect();
    let incident = match matches.as_slice() {
        [] => return Ok(None),
        [one] => (*one).clone(),
        many => {
            if let Some(exact) = many.iter().find(|i| i.id.0 == id) {
                (*exact).clone()
            } else {
                return Err(PipelineError::Ambiguous {
                    what: "incident",
                    given: id.to_string(),
                    candidates: many.iter().map(|i| i.id.0.clone()).collect(),
                });
            }
        }
    };
    let claims = store
        .claims()
        .await?
        .into_iter()
        .filter(|c| incident.claims.contains(&c.id))
        .collect();
    Ok(Some((incident, claims)))
}
