//! Changes to the record besides ingest, each re-merging only what it touches: re-extraction
//! of stored documents (old claim ids mapped to new ones by the words they share), a full
//! rebuild of the derived tables, people's decisions, and edits of the publisher registry.

use std::collections::HashSet;

use model::{Action, ClaimId, Decision, DocumentMeta, IncidentId, Publisher};
use store::{NewClaim, NewDocument, ReextractSelection};

use crate::parallel::par_map;
use crate::remerge::{Change, MergeInputs, Remerged, effective_now, index_rows, reindex, remerge};
use crate::{PipelineError, Service, analyse};

/// Which stored documents to extract again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reextract {
    /// Those read by another ombud, other lexicons or another gazetteer than this one's.
    Stale,
    /// Every document.
    All,
    /// Those read by this ombud version or a later one (to redo the work of a faulty release).
    Since(String),
    /// These documents (by SHA-256).
    Documents(Vec<String>),
}

/// What a re-extraction did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReextractReport {
    pub documents: usize,
    pub claims_before: usize,
    pub claims_after: usize,
    /// Old claim ids now pointing at a new claim (their words overlap).
    pub moved: usize,
    /// Old claims with no counterpart: the new reading finds no claim there.
    pub gone: usize,
    pub incidents_written: usize,
}

/// What a rebuild did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RebuildReport {
    pub claims: usize,
    pub incidents: u64,
    pub retired: u64,
}

/// Progress of long work: items done so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Documents whose copies were found again.
    Copies(usize),
    Indexed(usize),
    Merged(usize),
    Reextracted(usize),
}

/// Documents re-extracted per transaction.
const REEXTRACT_PAGE: usize = 500;

/// Claims per transaction in a rebuild.
const REBUILD_PAGE: usize = 5000;

/// "0.1.10" as numbers, for ordering versions; anything after a `-` is ignored.
fn version_key(v: &str) -> Vec<u64> {
    v.split('-')
        .next()
        .unwrap_or("")
        .split('.')
        .map(|p| p.parse().unwrap_or(0))
        .collect()
}

impl Service {
    /// Extracts stored documents again with this ombud's lexicons and gazetteer. Each old claim
    /// id is mapped to the new claim whose words it overlaps most, so decisions about it hold.
    pub async fn reextract(
        &self,
        which: &Reextract,
        now: &str,
        jobs: usize,
        on_progress: &mut dyn FnMut(Progress),
    ) -> Result<ReextractReport, PipelineError> {
        let reference = self.reference_arc()?;
        let store = self.store();
        let mut tx = store.begin().await?;
        let run = crate::run::current(&mut *tx, now, &reference.added_places).await?;
        tx.commit().await?;
        let selection = match which {
            Reextract::Stale => ReextractSelection::NotRun(run),
            Reextract::All => ReextractSelection::All,
            Reextract::Documents(shas) => ReextractSelection::Documents(shas.clone()),
            Reextract::Since(v) => ReextractSelection::Runs(
                store
                    .runs()
                    .await?
                    .into_iter()
                    .filter(|r| version_key(&r.ombud_version) >= version_key(v))
                    .map(|r| r.id)
                    .collect(),
            ),
        };
        let mut report = ReextractReport::default();
        let mut after: Option<String> = None;
        loop {
            let docs = store
                .documents_to_reextract(&selection, after.as_deref(), REEXTRACT_PAGE)
                .await?;
            let Some(last) = docs.last() else { break };
            after = Some(last.sha256.clone());
            let analyses = par_map(&docs, jobs, |d| {
                let text = d.text.as_deref().unwrap_or_default();
                let analysis = analyse(&reference, text, &d.meta);
                let json = crate::ingest::claim_json(&analysis.extraction.claims);
                (analysis, json)
            });
            let mut tx = store.begin().await?;
            let before_inputs =
                MergeInputs::load(&mut *tx, merge::MergeConfig::default(), self.origins()).await?;
            let mut seeds: Vec<ClaimId> = Vec::new();
            let mut incidents: HashSet<IncidentId> = HashSet::new();
            let mut before: Vec<model::Claim> = Vec::new();
            for (doc, (analysis, json)) in docs.iter().zip(&analyses) {
                let text = doc.text.as_deref().unwrap_or_default();
                let old = tx.claims_of_document(&doc.sha256).await?;
                for c in tx.load_claims(&old).await? {
                    incidents.extend(c.incident.clone());
                    if let Some(r) = before_inputs.constraints.apply(&before_inputs.record(&c)) {
                        before.push(r.claim);
                    }
                }
                let new = ClaimId::derive(&doc.sha256, &analysis.extraction.claims);
                let aliases: Vec<(ClaimId, Option<ClaimId>)> = old
                    .iter()
                    .filter(|o| !new.contains(o))
                    .map(|o| (o.clone(), o.best_match(&new).cloned()))
                    .collect();
                report.moved += aliases.iter().filter(|(_, n)| n.is_some()).count();
                report.gone += aliases.iter().filter(|(_, n)| n.is_none()).count();
                report.claims_before += old.len();
                report.claims_after += new.len();
                let mut record = doc.clone();
                record.meta = DocumentMeta {
                    language: analysis.language.clone(),
                    ..doc.meta.clone()
                };
                // A withdrawn document stays withdrawn (its empty text gives no claims).
                if record.status != model::DocumentStatus::Withdrawn {
                    record.status = analysis.status;
                }
                record.ombud_version = crate::OMBUD_VERSION.to_string();
                let replacement = NewDocument {
                    record: &record,
                    text,
                    diagnostics: &analysis.extraction.diagnostics,
                    run,
                    // The words are the same: the copy group stays as it is.
                    sketch: None,
                    bands: Vec::new(),
                    copy_of: record.copy_of.clone(),
                    claims: analysis
                        .extraction
                        .claims
                        .iter()
                        .zip(&new)
                        .zip(json)
                        .map(|((c, id), json)| NewClaim {
                            id: id.clone(),
                            claim: c,
                            json,
                            quote: c.sentence.slice(text).unwrap_or_default(),
                            index: index_rows(c),
                            incident: None,
                        })
                        .collect(),
                };
                tx.replace_claims(&replacement, &aliases).await?;
                seeds.extend(new);
            }
            let inputs =
                MergeInputs::load(&mut *tx, merge::MergeConfig::default(), self.origins()).await?;
            reindex(&mut *tx, &seeds, &inputs, false).await?;
            let change = Change {
                seeds,
                incidents: incidents.into_iter().collect(),
                before,
                ..Change::default()
            };
            let merged = remerge(&mut *tx, &change, &inputs).await?;
            report.incidents_written += merged.written;
            tx.commit().await?;
            report.documents += docs.len();
            on_progress(Progress::Reextracted(report.documents));
        }
        Ok(report)
    }

    /// Derives the claim index and every incident again from the stored claims and decisions,
    /// keeping every incident id. Interrupted, it is finished by the next open.
    pub async fn rebuild(
        &self,
        on_progress: &mut dyn FnMut(Progress),
    ) -> Result<RebuildReport, PipelineError> {
        let store = self.store();
        let config = merge::MergeConfig::default();
        let mut tx = store.begin().await?;
        tx.clear_derived().await?;
        tx.clear_copies().await?;
        tx.commit().await?;

        // Copies, document by document in storage order (groups do not depend on the order).
        let mut after_doc: Option<String> = None;
        let mut sketched = 0;
        loop {
            let docs = store
                .documents_to_reextract(
                    &ReextractSelection::All,
                    after_doc.as_deref(),
                    REEXTRACT_PAGE,
                )
                .await?;
            let Some(last) = docs.last() else { break };
            after_doc = Some(last.sha256.clone());
            let sketches: Vec<Option<merge::copies::Sketch>> = docs
                .iter()
                .map(|d| merge::copies::Sketch::of(d.text.as_deref().unwrap_or_default()))
                .collect();
            let texts: Vec<crate::copies::NewText<'_>> = docs
                .iter()
                .zip(&sketches)
                .map(|(d, sketch)| crate::copies::NewText {
                    sha256: &d.sha256,
                    text: d.text.as_deref().unwrap_or_default(),
                    published: d.meta.published,
                    publisher: d.meta.publisher.as_deref(),
                    sketch: sketch.clone(),
                })
                .collect();
            let mut tx = store.begin().await?;
            let found = {
                let wires = crate::copies::wire_services(&mut *tx).await?;
                crate::copies::detect(&mut *tx, &texts, &|p| wires.contains(&p.to_lowercase()))
                    .await?
            };
            for (d, sketch) in docs.iter().zip(&sketches) {
                let bands = found.bands_of(&d.sha256, sketch.as_ref());
                let encoded = sketch.as_ref().map(merge::copies::Sketch::encode);
                tx.set_sketch(&d.sha256, encoded.as_deref(), &bands).await?;
            }
            // A new copy was never filed by band, so there is nothing to take out.
            let mut changes: Vec<store::CopyChange> = found
                .copy_of
                .into_iter()
                .filter(|(_, original)| original.is_some())
                .map(|(sha256, copy_of)| store::CopyChange {
                    sha256,
                    copy_of,
                    bands: Vec::new(),
                })
                .collect();
            changes.extend(found.changed);
            tx.set_copy_of(&changes).await?;
            tx.commit().await?;
            sketched += docs.len();
            on_progress(Progress::Copies(sketched));
        }

        // The index, from every claim as decisions leave it.
        let mut after: Option<ClaimId> = None;
        let mut indexed = 0;
        loop {
            let mut tx = store.begin().await?;
            let ids = tx.claim_ids(after.as_ref(), REBUILD_PAGE).await?;
            let Some(last) = ids.last().cloned() else {
                break;
            };
            let inputs = MergeInputs::load(&mut *tx, config, self.origins()).await?;
            let rows: Vec<(ClaimId, Vec<store::IndexRow>)> = tx
                .load_claims(&ids)
                .await?
                .iter()
                .map(|c| {
                    let rows = inputs
                        .constraints
                        .apply(&inputs.record(c))
                        .map(|r| index_rows(&r.claim))
                        .unwrap_or_default();
                    (c.id.clone(), rows)
                })
                .collect();
            tx.reindex(&rows).await?;
            tx.commit().await?;
            indexed += ids.len();
            on_progress(Progress::Indexed(indexed));
            after = Some(last);
        }

        // Then every part of the record, each once, in order of date.
        let mut done: HashSet<ClaimId> = HashSet::new();
        let mut after: Option<ClaimId> = None;
        loop {
            let mut tx = store.begin().await?;
            let ids = tx.claim_ids(after.as_ref(), REBUILD_PAGE).await?;
            let Some(last) = ids.last().cloned() else {
                break;
            };
            let seeds: Vec<ClaimId> = ids.into_iter().filter(|c| !done.contains(c)).collect();
            if !seeds.is_empty() {
                let inputs = MergeInputs::load(&mut *tx, config, self.origins()).await?;
                let change = Change {
                    seeds,
                    ..Change::default()
                };
                let merged = remerge(&mut *tx, &change, &inputs).await?;
                done.extend(merged.reached);
            }
            tx.commit().await?;
            on_progress(Progress::Merged(done.len()));
            after = Some(last);
        }
        let mut tx = store.begin().await?;
        let retired = tx.retire_orphans().await?;
        tx.set_derived_fresh().await?;
        tx.commit().await?;
        Ok(RebuildReport {
            claims: indexed,
            incidents: store.counts().await?.incidents,
            retired,
        })
    }

    /// Records a person's decision and re-merges what it touches. The decision is an input to
    /// merging from now on: it holds through re-extraction and rebuilds.
    pub async fn decide(
        &self,
        action: Action,
        reviewer: &str,
        at: &str,
        note: &str,
    ) -> Result<Decision, PipelineError> {
        let store = self.store();
        let mut tx = store.begin().await?;
        let mut named = action.clone();
        if let Action::Undo { decision } = &action {
            // What the undone decision touched is what the undo touches.
            let earlier = tx.decisions().await?;
            match earlier.into_iter().find(|d| d.id == *decision) {
                Some(d)
                    if matches!(
                        d.action,
                        Action::Purge { .. } | Action::Upload { .. } | Action::Withdraw { .. }
                    ) =>
                {
                    return Err(PipelineError::BadArgument(format!(
                        "{decision} records a {} that happened (bytes removed or received): it cannot be undone",
                        d.action.kind()
                    )));
                }
                Some(d) => named = d.action,
                None => {
                    return Err(PipelineError::NotFound {
                        what: "decision",
                        given: decision.to_string(),
                        hint: "`ombud history INCIDENT` lists an incident's decisions",
                    });
                }
            }
        }
        let claims: Vec<ClaimId> = named.claims().into_iter().cloned().collect();
        let seeds: Vec<ClaimId> = tx
            .resolve_claims(&claims)
            .await?
            .into_values()
            .flatten()
            .collect();
        // Where the claims stood before the decision: what was near them may merge otherwise.
        let before_inputs =
            MergeInputs::load(&mut *tx, merge::MergeConfig::default(), self.origins()).await?;
        let before = effective_now(&mut *tx, &seeds, &before_inputs).await?;
        // Logged before it is recorded (blob, then leaf, then row, as for documents): a
        // decision in force is always in the log, so `ombud log --extends` covers it.
        let mut decision = Decision {
            id: tx.next_decision_id().await?,
            action,
            reviewer: reviewer.to_string(),
            at: at.to_string(),
            note: note.to_string(),
            leaf: None,
        };
        let logged = self.archive()?.put(&decision.log_bytes())?;
        decision.leaf = Some(logged.sha256);
        let decision = tx.append_decision(&decision).await?;
        let incidents: Vec<IncidentId> = named.incidents().into_iter().cloned().collect();
        let incidents: Vec<IncidentId> = tx
            .resolve_incidents(&incidents)
            .await?
            .into_values()
            .flatten()
            .collect();
        let inputs =
            MergeInputs::load(&mut *tx, merge::MergeConfig::default(), self.origins()).await?;
        reindex(&mut *tx, &seeds, &inputs, true).await?;
        let change = Change {
            seeds,
            incidents,
            before,
            ..Change::default()
        };
        remerge(&mut *tx, &change, &inputs).await?;
        tx.commit().await?;
        Ok(decision)
    }

    /// Sets a publisher's registry entry and re-grades the incidents its documents are in.
    pub async fn set_publisher(&self, publisher: &Publisher) -> Result<usize, PipelineError> {
        let store = self.store();
        let mut tx = store.begin().await?;
        tx.upsert_publisher(publisher).await?;
        let claims = tx.claims_of_publisher(&publisher.name).await?;
        let inputs =
            MergeInputs::load(&mut *tx, merge::MergeConfig::default(), self.origins()).await?;
        let mut written = 0;
        let mut done: HashSet<ClaimId> = HashSet::new();
        for chunk in claims.chunks(REBUILD_PAGE) {
            let seeds: Vec<ClaimId> = chunk
                .iter()
                .filter(|c| !done.contains(*c))
                .cloned()
                .collect();
            if seeds.is_empty() {
                continue;
            }
            let change = Change {
                seeds,
                ..Change::default()
            };
            let merged: Remerged = remerge(&mut *tx, &change, &inputs).await?;
            written += merged.written;
            done.extend(merged.reached);
        }
        tx.commit().await?;
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions_order_by_number() {
        use super::version_key as v;
        assert!(v("0.1.10") > v("0.1.9"));
        assert!(v("0.2.0") > v("0.1.99"));
        assert!(v("1.0.0-rc1") == v("1.0.0"));
    }
}
