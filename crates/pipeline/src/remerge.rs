//! Re-merging the part of the record a change touches, inside the change's transaction: from
//! the claims that changed, the claims they could share an incident with (found through the
//! store's index, kept only when compatible), the other claims of their incidents, and the
//! claims decisions keep with them, until nothing new is reached; then that part is merged as
//! the pure `merge` crate would merge everything, ids are kept or minted, and only incidents
//! that changed are written. `merge`'s locality property makes this equal to a full rebuild.

use std::collections::{HashMap, HashSet};

use merge::{Constraints, MergeConfig, Prior};
use model::{ClaimId, ClaimRecord, Incident, IncidentId, Publisher};
use store::{IncidentChanges, IncidentWrite, IndexRow, RecordTx, StoredClaim};

use crate::PipelineError;

/// What merging reads besides claims: decisions as constraints, where hand-set grades point
/// now, the publisher registry, and how close claims must be.
#[derive(Debug)]
pub(crate) struct MergeInputs {
    pub constraints: Constraints,
    /// For each incident a grade decision named, the live incident it stands for now.
    pub grade_targets: HashMap<IncidentId, IncidentId>,
    /// The registry by lower-case name.
    pub publishers: HashMap<String, Publisher>,
    /// The bodies claims trace to, and their sides.
    pub origins: std::sync::Arc<merge::OriginRegistry>,
    pub config: MergeConfig,
    /// The publishers of documents this change stores (by SHA-256), not in the database yet: a
    /// stored copy whose original is one of them reads its original's publisher from here.
    pub unstored: HashMap<String, Option<String>>,
}

impl MergeInputs {
    /// Reads decisions (their claims followed through re-extraction aliases) and publishers.
    pub(crate) async fn load(
        tx: &mut dyn RecordTx,
        config: MergeConfig,
        origins: &std::sync::Arc<merge::OriginRegistry>,
    ) -> Result<MergeInputs, PipelineError> {
        let decisions = tx.decisions().await?;
        let named: Vec<ClaimId> = decisions
            .iter()
            .flat_map(|d| d.action.claims().into_iter().cloned())
            .collect();
        let now = if named.is_empty() {
            HashMap::new()
        } else {
            tx.resolve_claims(&named).await?
        };
        let constraints = Constraints::from_decisions(&decisions, &|id| {
            now.get(id).cloned().unwrap_or_else(|| Some(id.clone()))
        });
        let graded: Vec<IncidentId> = constraints
            .grades
            .iter()
            .map(|g| g.incident.clone())
            .collect();
        let grade_targets = if graded.is_empty() {
            HashMap::new()
        } else {
            tx.resolve_incidents(&graded)
                .await?
                .into_iter()
                .filter_map(|(id, now)| now.map(|n| (id, n)))
                .collect()
        };
        let publishers = tx
            .publishers()
            .await?
            .into_iter()
            .map(|p| (p.name.to_lowercase(), p))
            .collect();
        Ok(MergeInputs {
            constraints,
            grade_targets,
            publishers,
            origins: std::sync::Arc::clone(origins),
            config,
            unstored: HashMap::new(),
        })
    }

    /// A stored claim as merging reads it (its publisher's registry entry beside it), before
    /// decisions apply.
    pub(crate) fn record(&self, c: &StoredClaim) -> ClaimRecord {
        let name = c
            .publisher
            .clone()
            .unwrap_or_else(|| format!("unknown publisher ({})", c.origin));
        let publisher = self
            .publishers
            .get(&name.to_lowercase())
            .cloned()
            .unwrap_or_else(|| Publisher::unknown(&name));
        // A copy speaks with its original's voice.
        let original = c.copy_of.as_ref().map(|sha| {
            let stored = c
                .original_publisher
                .clone()
                .or_else(|| self.unstored.get(sha).cloned().flatten());
            let name = stored.unwrap_or_else(|| {
                format!(
                    "unknown publisher (document {})",
                    sha.get(..12).unwrap_or(sha)
                )
            });
            self.publishers
                .get(&name.to_lowercase())
                .cloned()
                .unwrap_or_else(|| Publisher::unknown(&name))
        });
        let origin = self.origins.origin(&c.claim, &publisher, original.as_ref());
        ClaimRecord {
            id: c.id.clone(),
            claim: c.claim.clone(),
            publisher,
            published: c.published,
            sentence_text: c.quote.clone(),
            origin,
            copy_of: c.copy_of.clone(),
        }
    }
}

/// The store's index rows for a claim as merging files it.
pub(crate) fn index_rows(claim: &model::Claim) -> Vec<IndexRow> {
    merge::index_entries(claim)
        .into_iter()
        .map(|e| IndexRow {
            event_type: e.event_type.as_str().to_string(),
            place: e.place.encode(),
            day_start: e.day_start,
            day_end: e.day_end,
        })
        .collect()
}

impl MergeInputs {
    /// The index rows of a claim as decisions leave it (none when rejected).
    pub(crate) fn effective_index(&self, c: &StoredClaim) -> Vec<IndexRow> {
        self.constraints
            .apply(&self.record(c))
            .map(|r| index_rows(&r.claim))
            .unwrap_or_default()
    }
}

/// The probes that find a claim's possible neighbours, as index rows.
pub(crate) fn probe_rows(claim: &model::Claim, config: &MergeConfig) -> Vec<IndexRow> {
    merge::probes(claim, config)
        .into_iter()
        .map(|e| IndexRow {
            event_type: e.event_type.as_str().to_string(),
            place: e.place.encode(),
            day_start: e.day_start,
            day_end: e.day_end,
        })
        .collect()
}

/// How far before a probe's first day an indexed claim may start and still meet it.
pub(crate) const MAX_SPAN: i64 = merge::MAX_RANGE_DAYS + 2 * merge::DENIAL_SLACK_DAYS;

/// What a re-merge did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Remerged {
    /// The claims of the part re-merged.
    pub reached: Vec<ClaimId>,
    /// The incident each fresh claim (`Change::fresh`) is in.
    pub placed: HashMap<ClaimId, IncidentId>,
    /// Incidents written (new or changed).
    pub written: usize,
    pub minted: usize,
    pub joined: usize,
    pub emptied: usize,
}

/// The claims reached so far, with an in-memory index of their effective claims so a
/// candidate the store's index finds is kept only when it is compatible with one of them. The
/// index holds each shape of claim once (`merge::Shape`): claims of one shape are compatible
/// with the same claims, so a part of ten thousand copies of one report answers at once.
#[derive(Default)]
struct Part {
    /// Claims loaded and not reached (yet): candidates the index found.
    stored: HashMap<ClaimId, StoredClaim>,
    /// For each reached claim, the incident the store had it in (its record is in `records`:
    /// a part of fifty thousand claims is held once, not twice).
    was_in: HashMap<ClaimId, Option<IncidentId>>,
    /// Claims in the part: the position of their effective record (`None`: rejected).
    reached: HashMap<ClaimId, Option<usize>>,
    records: Vec<ClaimRecord>,
    /// The shapes of the reached records, each with its first record's position.
    shapes: HashMap<merge::Shape, usize>,
    near: merge::NearIndex<usize>,
    /// Claims as they were before the change (rejected, corrected, re-extracted away): not in
    /// the part, but what was near them may merge differently now, so it joins the part.
    ghosts: Vec<model::Claim>,
    ghost_near: merge::NearIndex<usize>,
    /// Shapes known to touch the part (once touching, always: the part only grows).
    touching: HashSet<merge::Shape>,
}

impl Part {
    fn reach(&mut self, id: &ClaimId, inputs: &MergeInputs) -> bool {
        if self.reached.contains_key(id) {
            return false;
        }
        let Some(stored) = self.stored.remove(id) else {
            return false;
        };
        let at = inputs.constraints.apply(&inputs.record(&stored)).map(|r| {
            let at = self.records.len();
            if let std::collections::hash_map::Entry::Vacant(v) =
                self.shapes.entry(merge::Shape::of(&r.claim))
            {
                v.insert(at);
                self.near.insert(&merge::index_entries(&r.claim), at);
            }
            self.records.push(r);
            at
        });
        self.reached.insert(id.clone(), at);
        self.was_in.insert(id.clone(), stored.incident);
        true
    }

    fn effective(&self, id: &ClaimId) -> Option<&ClaimRecord> {
        self.reached
            .get(id)
            .copied()
            .flatten()
            .map(|i| &self.records[i])
    }

    fn haunt(&mut self, ghost: model::Claim) {
        self.ghost_near
            .insert(&merge::index_entries(&ghost), self.ghosts.len());
        self.ghosts.push(ghost);
    }

    /// True when a claim in the part, or one as it was before the change, could share an
    /// incident with `record`.
    fn touches(&mut self, record: &ClaimRecord, config: &MergeConfig) -> bool {
        let shape = merge::Shape::of(&record.claim);
        if self.touching.contains(&shape) {
            return true;
        }
        let probes = merge::probes(&record.claim, config);
        let touches = self
            .near
            .near(&probes)
            .into_iter()
            .any(|i| merge::compatible(&self.records[i].claim, &record.claim, config))
            || self
                .ghost_near
                .near(&probes)
                .into_iter()
                .any(|g| merge::compatible(&self.ghosts[g], &record.claim, config));
        if touches {
            self.touching.insert(shape);
        }
        touches
    }
}

/// What changed: claims new or changed, incidents that lost claims, and the claims as they
/// were before a change (a rejected or corrected claim where it stood, a re-extracted
/// document's old claims), whose neighbourhood is re-merged too.
#[derive(Clone, Debug, Default)]
pub(crate) struct Change {
    pub seeds: Vec<ClaimId>,
    pub incidents: Vec<IncidentId>,
    pub before: Vec<model::Claim>,
    /// New claims not stored yet: merged with the rest, then stored already in their incident
    /// (`Remerged::placed`), so no stored row is rewritten for them.
    pub fresh: Vec<StoredClaim>,
}

/// Re-merges the part of the record a change reaches, and writes what changed.
pub(crate) async fn remerge(
    tx: &mut dyn RecordTx,
    change: &Change,
    inputs: &MergeInputs,
) -> Result<Remerged, PipelineError> {
    let (seeds, incidents) = (&change.seeds, &change.incidents);
    let config = &inputs.config;
    let started = std::time::Instant::now();
    let mut db = std::time::Duration::ZERO;
    let mut near_db = std::time::Duration::ZERO;
    let mut queries = 0usize;
    let mut part = Part::default();
    let mut ghost_probes: Vec<IndexRow> = Vec::new();
    for ghost in &change.before {
        ghost_probes.extend(probe_rows(ghost, config));
        part.haunt(ghost.clone());
    }
    let mut expanded: HashSet<IncidentId> = incidents.iter().cloned().collect();
    // Claims to reach whatever they are (seeds, incident mates, kept together by decisions).
    let mut sure: Vec<ClaimId> = seeds.to_vec();
    let fresh: HashSet<ClaimId> = change.fresh.iter().map(|c| c.id.clone()).collect();
    for c in &change.fresh {
        sure.push(c.id.clone());
        part.stored.insert(c.id.clone(), c.clone());
    }
    if !incidents.is_empty() {
        sure.extend(tx.claims_of_incidents(incidents).await?);
    }
    // Claims the index found near a reached claim: reached only when compatible.
    let mut maybe: Vec<ClaimId> = Vec::new();
    if !ghost_probes.is_empty() {
        maybe.extend(tx.neighbours(&ghost_probes, MAX_SPAN).await?);
    }
    while !sure.is_empty() || !maybe.is_empty() {
        let to_load: Vec<ClaimId> = sure
            .iter()
            .chain(&maybe)
            .filter(|id| !part.stored.contains_key(*id) && !part.reached.contains_key(*id))
            .cloned()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        if !to_load.is_empty() {
            let t = std::time::Instant::now();
            for c in tx.load_claims(&to_load).await? {
                part.stored.insert(c.id.clone(), c);
            }
            db += t.elapsed();
            queries += 1;
        }
        let mut fresh: Vec<ClaimId> = Vec::new();
        for id in std::mem::take(&mut sure) {
            if part.reach(&id, inputs) {
                fresh.push(id);
            }
        }
        for id in std::mem::take(&mut maybe) {
            let candidate = part
                .stored
                .get(&id)
                .filter(|_| !part.reached.contains_key(&id))
                .and_then(|s| inputs.constraints.apply(&inputs.record(s)));
            let near = candidate.is_some_and(|r| part.touches(&r, config));
            if near && part.reach(&id, inputs) {
                fresh.push(id);
            }
        }
        if fresh.is_empty() {
            break;
        }
        // What the newly reached claims bring: their incidents' other claims, the claims
        // decisions keep with them, and the index's candidates near them.
        let mut mates_of: Vec<IncidentId> = Vec::new();
        let mut probes: Vec<IndexRow> = Vec::new();
        for id in &fresh {
            if let Some(inc) = part.was_in.get(id).cloned().flatten()
                && expanded.insert(inc.clone())
            {
                mates_of.push(inc);
            }
            if let Some(group) = inputs.constraints.together_with(id) {
                sure.extend(
                    group
                        .iter()
                        .filter(|c| !part.reached.contains_key(*c))
                        .cloned(),
                );
            }
            if let Some(r) = part.effective(id) {
                probes.extend(probe_rows(&r.claim, config));
            }
        }
        let t = std::time::Instant::now();
        if !mates_of.is_empty() {
            sure.extend(tx.claims_of_incidents(&mates_of).await?);
        }
        let tn = std::time::Instant::now();
        if !probes.is_empty() {
            maybe.extend(
                tx.neighbours(&probes, MAX_SPAN)
                    .await?
                    .into_iter()
                    .filter(|c| !part.reached.contains_key(c)),
            );
        }
        near_db += tn.elapsed();
        db += t.elapsed();
        queries += 1;
        sure.retain(|c| !part.reached.contains_key(c));
    }
    tracing::debug!(
        claims = part.reached.len(),
        loaded = part.stored.len() + part.was_in.len(),
        ms = started.elapsed().as_millis() as u64,
        db_ms = db.as_millis() as u64,
        neighbours_ms = near_db.as_millis() as u64,
        rounds = queries,
        "part reached"
    );
    write_part(tx, &part, &expanded, &fresh, inputs).await
}

/// Writes the index rows of claims as decisions leave them (a corrected place or date is where
/// the claim is looked for; a rejected claim is looked for nowhere). `all`: every claim given,
/// else only those a decision touches.
pub(crate) async fn reindex(
    tx: &mut dyn RecordTx,
    ids: &[ClaimId],
    inputs: &MergeInputs,
    all: bool,
) -> Result<(), PipelineError> {
    let touched: Vec<ClaimId> = ids
        .iter()
        .filter(|id| {
            all || inputs.constraints.is_rejected(id)
                || !inputs.constraints.corrections_of(id).is_empty()
        })
        .cloned()
        .collect();
    if touched.is_empty() {
        return Ok(());
    }
    let rows: Vec<(ClaimId, Vec<IndexRow>)> = tx
        .load_claims(&touched)
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
    Ok(())
}

/// The claims as decisions leave them now, before a change: what `Change::before` holds.
pub(crate) async fn effective_now(
    tx: &mut dyn RecordTx,
    ids: &[ClaimId],
    inputs: &MergeInputs,
) -> Result<Vec<model::Claim>, PipelineError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(tx
        .load_claims(ids)
        .await?
        .iter()
        .filter_map(|c| inputs.constraints.apply(&inputs.record(c)).map(|r| r.claim))
        .collect())
}

/// Merges a closed part and writes what changed.
async fn write_part(
    tx: &mut dyn RecordTx,
    part: &Part,
    incidents: &HashSet<IncidentId>,
    fresh: &HashSet<ClaimId>,
    inputs: &MergeInputs,
) -> Result<Remerged, PipelineError> {
    let t = std::time::Instant::now();
    let records = &part.records;
    let groups = merge::cluster(records, &inputs.constraints, &inputs.config);
    tracing::debug!(
        ms = t.elapsed().as_millis() as u64,
        groups = groups.len(),
        "clustered"
    );
    let t = std::time::Instant::now();

    // The incidents before, with the claims of the part they held.
    let mut before: HashMap<IncidentId, Vec<ClaimId>> =
        incidents.iter().map(|i| (i.clone(), Vec::new())).collect();
    for id in part.reached.keys() {
        if let Some(inc) = part.was_in.get(id).cloned().flatten() {
            before.entry(inc).or_default().push(id.clone());
        }
    }
    let ids: Vec<IncidentId> = before.keys().cloned().collect();
    let seqs = if ids.is_empty() {
        HashMap::new()
    } else {
        tx.incident_seqs(&ids).await?
    };
    let prior: Vec<Prior> = before
        .into_iter()
        .map(|(id, claims)| Prior {
            seq: seqs.get(&id).copied().unwrap_or(u64::MAX),
            id,
            claims,
        })
        .collect();
    let bases: Vec<String> = groups.iter().map(|g| merge::base_id(g)).collect();
    let taken = tx.taken_ids(&bases).await?;
    let assignment = merge::assign_ids(&prior, &groups, &|id| taken.contains(id));
    tracing::debug!(ms = t.elapsed().as_millis() as u64, "ids assigned");
    let t = std::time::Instant::now();

    // Hand-set grades follow their incident through joins.
    let joined: HashMap<&IncidentId, &IncidentId> =
        assignment.joined.iter().map(|(a, b)| (a, b)).collect();
    let by_id: HashMap<&ClaimId, &ClaimRecord> = records.iter().map(|r| (&r.id, r)).collect();
    // Built and serialised on every core.
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let todo: Vec<(&Vec<ClaimId>, &IncidentId)> = groups.iter().zip(&assignment.ids).collect();
    let built: Vec<(Incident, String)> = crate::parallel::par_map(&todo, jobs, |(group, id)| {
        let claims: Vec<&ClaimRecord> =
            group.iter().filter_map(|c| by_id.get(c).copied()).collect();
        let grade = inputs.constraints.grades.iter().rev().find(|g| {
            let now = inputs.grade_targets.get(&g.incident).unwrap_or(&g.incident);
            let now = joined.get(now).copied().unwrap_or(now);
            now == *id
        });
        let incident = merge::finish(
            merge::build((*id).clone(), &claims),
            &inputs.constraints,
            grade,
        );
        // An incident is plain data: serialising it cannot fail.
        let json = serde_json::to_string(&incident).unwrap_or_default();
        (incident, json)
    });
    tracing::debug!(ms = t.elapsed().as_millis() as u64, "built");
    let t = std::time::Instant::now();
    let kept: Vec<IncidentId> = assignment
        .ids
        .iter()
        .zip(&assignment.minted)
        .filter(|(_, minted)| !**minted)
        .map(|(id, _)| id.clone())
        .collect();
    let existing: HashMap<IncidentId, Incident> = if kept.is_empty() {
        HashMap::new()
    } else {
        tx.incidents_by_id(&kept)
            .await?
            .into_iter()
            .map(|i| (i.id.clone(), i))
            .collect()
    };
    let batch = tx.batch();
    let write: Vec<IncidentWrite<'_>> = built
        .iter()
        .zip(&assignment.minted)
        .filter(|((i, _), minted)| **minted || existing.get(&i.id) != Some(i))
        .map(|((i, json), minted)| IncidentWrite {
            incident: i,
            json,
            minted: minted.then_some(batch),
        })
        .collect();
    let mut now_in: HashMap<&ClaimId, &IncidentId> = HashMap::new();
    for (group, id) in groups.iter().zip(&assignment.ids) {
        for c in group {
            now_in.insert(c, id);
        }
    }
    let membership: Vec<(ClaimId, Option<IncidentId>)> = part
        .reached
        .keys()
        .filter(|c| !fresh.contains(*c))
        .filter_map(|c| {
            let now = now_in.get(c).map(|i| (*i).clone());
            let was = part.was_in.get(c).cloned().flatten();
            (now != was).then(|| (c.clone(), now))
        })
        .collect();
    let placed: HashMap<ClaimId, IncidentId> = fresh
        .iter()
        .filter_map(|c| now_in.get(c).map(|i| (c.clone(), (*i).clone())))
        .collect();
    let stats = Remerged {
        placed,
        reached: part.reached.keys().cloned().collect(),
        written: write.len(),
        minted: assignment.minted.iter().filter(|m| **m).count(),
        joined: assignment.joined.len(),
        emptied: assignment.emptied.len(),
    };
    let changes = IncidentChanges {
        write,
        joined: assignment.joined.clone(),
        emptied: assignment.emptied.clone(),
        membership,
    };
    tracing::debug!(ms = t.elapsed().as_millis() as u64, "compared");
    let t = std::time::Instant::now();
    tx.write_incidents(&changes).await?;
    tracing::debug!(ms = t.elapsed().as_millis() as u64, "written");
    Ok(stats)
}
