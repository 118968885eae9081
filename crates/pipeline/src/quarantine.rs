//! Inputs refused on ingest: listed from quarantine, and purged with a logged decision.

use model::{Action, Decision, PurgedInput};

use crate::{PipelineError, Reviewer, Service};

/// What a purge removed.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Purged {
    /// The logged decision that records the purge.
    pub decision: Decision,
    /// How many bytes went.
    pub bytes: u64,
}

impl Service {
    /// The inputs ingest refused whole (no document could be read from them), oldest first: kept
    /// apart from the evidence archive and not logged, until purged.
    pub fn rejected_inputs(&self) -> Result<Vec<archive::Quarantined>, PipelineError> {
        Ok(self.archive()?.quarantined()?)
    }

    /// A refused input's record, by its digest or a unique prefix of 8 or more hex digits.
    pub fn rejected_input(&self, prefix: &str) -> Result<archive::Quarantined, PipelineError> {
        let one = pick(&self.archive()?.quarantined()?, &[prefix.to_string()])?;
        one.into_iter().next().ok_or_else(|| not_found(prefix))
    }

    /// Removes refused inputs from quarantine: those named by digest (or a unique prefix of 8 or
    /// more hex digits), or every one when `which` is empty. The purge is a decision logged
    /// first (who, when, why, which bytes), then the bytes go. `None` when quarantine is empty.
    pub async fn purge(
        &self,
        which: &[String],
        by: &Reviewer,
    ) -> Result<Option<Purged>, PipelineError> {
        if by.note.trim().is_empty() {
            return Err(PipelineError::BadArgument(
                "a purge needs a reason (--note): it is logged with the decision".into(),
            ));
        }
        let archive = self.archive()?;
        let held = archive.quarantined()?;
        let chosen = if which.is_empty() {
            held
        } else {
            pick(&held, which)?
        };
        if chosen.is_empty() {
            return Ok(None);
        }
        let inputs: Vec<PurgedInput> = chosen
            .iter()
            .map(|q| PurgedInput {
                sha256: q.sha256.clone(),
                origin: q.origin.clone(),
                bytes: q.bytes,
            })
            .collect();
        let bytes = inputs.iter().map(|i| i.bytes).sum();
        let decision = self
            .decide(Action::Purge { inputs }, &by.name, &by.at, &by.note)
            .await?;
        for q in &chosen {
            archive.purge(&q.sha256)?;
        }
        Ok(Some(Purged { decision, bytes }))
    }
}

fn not_found(given: &str) -> PipelineError {
    PipelineError::NotFound {
        what: "refused input",
        given: given.to_string(),
        hint: "`ombud documents --rejected` lists the inputs in quarantine",
    }
}

/// The held inputs each prefix names, once each; a prefix that names none or several is an error.
fn pick(
    held: &[archive::Quarantined],
    which: &[String],
) -> Result<Vec<archive::Quarantined>, PipelineError> {
    let mut out: Vec<archive::Quarantined> = Vec::new();
    for given in which {
        let prefix = given.trim().to_ascii_lowercase();
        if prefix.len() < 8 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(PipelineError::BadArgument(format!(
                "{given:?} is not a SHA-256 or a prefix of 8 or more hex digits"
            )));
        }
        let found: Vec<&archive::Quarantined> = held
            .iter()
            .filter(|q| q.sha256.starts_with(&prefix))
            .collect();
        match found.as_slice() {
            [] => return Err(not_found(given)),
            [one] => {
                if !out.iter().any(|o| o.sha256 == one.sha256) {
                    out.push((*one).clone());
                }
            }
            _ => {
                return Err(PipelineError::BadArgument(format!(
                    "{given:?} starts {} refused inputs' digests: give more digits",
                    found.len()
                )));
            }
        }
    }
    Ok(out)
}
