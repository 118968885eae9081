//! Extraction runs: which ombud, lexicons and gazetteer read a document, as digests, so that
//! `ombud reextract` knows what an upgrade or a new word list could change.

use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use store::RecordTx;

use crate::PipelineError;

/// The digests of the reference data compiled into this ombud: (lexicons, gazetteer).
pub fn digests() -> &'static (String, String) {
    static DIGESTS: OnceLock<(String, String)> = OnceLock::new();
    DIGESTS.get_or_init(|| {
        let mut lexicons = Sha256::new();
        for (name, text) in extract::lexicon_sources()
            .iter()
            .chain(geocode::data_sources())
        {
            lexicons.update(name.as_bytes());
            lexicons.update((text.len() as u64).to_le_bytes());
            lexicons.update(text.as_bytes());
        }
        let mut gazetteer = Sha256::new();
        for (name, bytes) in gazetteer::data_sources() {
            gazetteer.update(name.as_bytes());
            gazetteer.update((bytes.len() as u64).to_le_bytes());
            gazetteer.update(bytes);
        }
        (hex(&lexicons.finalize()), hex(&gazetteer.finalize()))
    })
}

/// The digest of the gazetteer files a data directory added, or empty when it added none.
pub(crate) fn added_digest(files: &[std::path::PathBuf]) -> Result<String, PipelineError> {
    if files.is_empty() {
        return Ok(String::new());
    }
    let mut all = Sha256::new();
    for f in files {
        let bytes = std::fs::read(f).map_err(|source| PipelineError::Io {
            path: f.clone(),
            source,
        })?;
        all.update(Sha256::digest(&bytes));
    }
    Ok(hex(&all.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The id of this ombud's run in the store (registered on first use), started at `now`; the
/// gazetteer digest covers the places a data directory added (`added`, a digest or empty).
pub(crate) async fn current(
    tx: &mut dyn RecordTx,
    now: &str,
    added: &str,
) -> Result<i64, PipelineError> {
    let (lexicons, gazetteer) = digests();
    let gazetteer = if added.is_empty() {
        gazetteer.clone()
    } else {
        hex(&Sha256::digest(format!("{gazetteer}+{added}").as_bytes()))
    };
    Ok(tx
        .run(crate::OMBUD_VERSION, lexicons, &gazetteer, now)
        .await?)
}
