//! Withdrawing a source for someone's safety (a witness named in it, a face in it): the bytes,
//! the text and the claims go; the leaf stays in the log, so every checkpoint signed before
//! still proves what it proved, and the withdrawal is itself a logged decision saying who, when
//! and why. Nothing else can take bytes out of the archive without `verify` naming it.

use std::collections::HashSet;

use model::{Action, Decision};

use crate::{PipelineError, Reextract, Reviewer, Service};

/// What a withdrawal did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Withdrawn {
    /// The logged decision (the earlier one, when a withdrawal cut short is finished).
    pub decision: Decision,
    pub claims_removed: usize,
    pub incidents_written: usize,
    /// False when its bytes were gone already.
    pub bytes_removed: bool,
}

impl Service {
    /// Withdraws the document `given` (its SHA-256 or a unique beginning): logs the decision,
    /// then empties its text, removes its claims (re-merging the incidents they were in) and
    /// deletes its archived bytes. Run again on a withdrawal a crash cut short, it finishes it.
    pub async fn withdraw(
        &self,
        given: &str,
        by: &Reviewer,
        now: &str,
    ) -> Result<Withdrawn, PipelineError> {
        if by.note.trim().is_empty() {
            return Err(PipelineError::BadArgument(
                "a withdrawal needs a reason (--note): it is logged with the decision".into(),
            ));
        }
        // A document, or another logged blob by its full digest (a whole input file that holds
        // the withdrawn document, such as a JSON Lines file): then only its bytes go.
        let (sha256, origin, is_document) = match self.document(given).await {
            Ok(doc) => (doc.sha256, doc.origin, true),
            Err(PipelineError::NotFound { .. })
                if given.len() == 64 && self.archive()?.leaf_of(given)?.is_some() =>
            {
                (
                    given.to_string(),
                    "an archived input file".to_string(),
                    false,
                )
            }
            Err(e) => return Err(e),
        };
        let earlier = self
            .decisions()
            .await?
            .into_iter()
            .find(|d| matches!(&d.action, Action::Withdraw { sha256: s, .. } if *s == sha256));
        let decision = match earlier {
            Some(d) => d,
            None => {
                self.decide(
                    Action::Withdraw {
                        sha256: sha256.clone(),
                        origin: origin.clone(),
                    },
                    &by.name,
                    &by.at,
                    &by.note,
                )
                .await?
            }
        };
        let mut report = crate::ReextractReport::default();
        if is_document {
            let store = self.store();
            let mut tx = store.begin().await?;
            tx.withdraw_document(&sha256).await?;
            tx.commit().await?;
            report = self
                .reextract(
                    &Reextract::Documents(vec![sha256.clone()]),
                    now,
                    1,
                    &mut |_| {},
                )
                .await?;
        }
        let bytes_removed = self.archive()?.withdraw(&sha256)?;
        Ok(Withdrawn {
            decision,
            claims_removed: report.claims_before - report.claims_after,
            incidents_written: report.incidents_written,
            bytes_removed,
        })
    }

    /// The blobs withdrawn by logged decisions: their bytes are gone on purpose.
    pub async fn withdrawn(&self) -> Result<HashSet<String>, PipelineError> {
        Ok(withdrawn_by(&self.decisions().await?))
    }
}

/// The blobs that logged `withdraw` decisions among `decisions` name.
pub(crate) fn withdrawn_by(decisions: &[Decision]) -> HashSet<String> {
    decisions
        .iter()
        .filter(|d| d.leaf.is_some())
        .filter_map(|d| match &d.action {
            Action::Withdraw { sha256, .. } => Some(sha256.clone()),
            _ => None,
        })
        .collect()
}
